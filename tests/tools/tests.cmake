# The lucidtcp command and its libraries (tools/): the demo's scenarios end to end, the
# packetdrill runner's parser and executor, and each command as a user runs it.
ltcp_add_test(test_demo_scenarios ${CMAKE_CURRENT_LIST_DIR}/test_demo_scenarios.c ltcp_demo)
add_test(NAME demo_cli COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/test_demo_cli.sh
         $<TARGET_FILE:lucidtcp_cmd> ${PROJECT_SOURCE_DIR}/tests/support/pcap_tshark_check.sh)
set_tests_properties(demo_cli PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77)
ltcp_add_test(test_script_parse ${CMAKE_CURRENT_LIST_DIR}/test_script_parse.c ltcp_script)
ltcp_add_test(test_script_run ${CMAKE_CURRENT_LIST_DIR}/test_script_run.c ltcp_script)
# The deliberately wrong scripts (tests/scripts/wrong/) must FAIL, each at its line.
add_test(NAME script_cli COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/test_script_cli.sh
         $<TARGET_FILE:lucidtcp_cmd> ${PROJECT_SOURCE_DIR})
set_tests_properties(script_cli PROPERTIES TIMEOUT 300)
# make run (the command's target only, quietly) and install-deps (waiting for apt's locks), with
# stand-ins for cmake and apt-get: nothing is built or installed.
add_test(NAME make_run_cli COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/test_make_run.sh ${PROJECT_SOURCE_DIR})
set_tests_properties(make_run_cli PROPERTIES TIMEOUT 120)
# tools/rt's text handling: URLs and their resolution, the hosts file, Range, response heads,
# the access log's escape (compiled from the command's own sources).
add_library(ltcp_rt_text OBJECT ${PROJECT_SOURCE_DIR}/tools/rt/url.c
            ${PROJECT_SOURCE_DIR}/tools/rt/hosts.c ${PROJECT_SOURCE_DIR}/tools/rt/http.c
            ${PROJECT_SOURCE_DIR}/tools/rt/http_client.c ${PROJECT_SOURCE_DIR}/tools/rt/http_site.c
            ${PROJECT_SOURCE_DIR}/tools/rt/options.c)
target_include_directories(ltcp_rt_text PUBLIC ${PROJECT_SOURCE_DIR}/tools)
target_link_libraries(ltcp_rt_text PUBLIC ltcp_link)
ltcp_add_test(test_rt_text ${CMAKE_CURRENT_LIST_DIR}/test_rt_text.c ltcp_rt_text)
# connect, get and serve's options and messages, before any device is opened (no root needed).
add_test(NAME rt_cli COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/test_rt_cli.sh $<TARGET_FILE:lucidtcp_cmd>)
set_tests_properties(rt_cli PROPERTIES TIMEOUT 120)
# The ladder at 60, 80 and 120 columns (--width, COLUMNS): every row's bars in the same place.
add_test(NAME ladder_width COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/test_ladder_width.sh
         $<TARGET_FILE:lucidtcp_cmd>)
set_tests_properties(ladder_width PROPERTIES TIMEOUT 300)
# lucidtcp diagram: the DOT text from the state table, with a demo trace's, a --trace log's and
# a capture's counts; SVG and PNG through Graphviz (installed by make test's deps step).
add_test(NAME diagram_cli COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/test_diagram.sh
         $<TARGET_FILE:lucidtcp_cmd>)
set_tests_properties(diagram_cli PROPERTIES TIMEOUT 120)
