# The packetdrill script runner: its parser and executor (unit), and the conformance suite.
ltcp_add_test(test_script_parse ${CMAKE_CURRENT_LIST_DIR}/test_script_parse.c ltcp_script)
ltcp_add_test(test_script_run ${CMAKE_CURRENT_LIST_DIR}/test_script_run.c ltcp_script)
# The conformance suite (tests/scripts/*.pkt, RFC 9293): every script must PASS.
file(GLOB LTCP_CONFORMANCE_SCRIPTS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/scripts/*.pkt)
add_test(NAME script_conformance COMMAND lucidtcp_cmd script ${LTCP_CONFORMANCE_SCRIPTS}
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(script_conformance PROPERTIES TIMEOUT 300)
# The command as a user runs it; the deliberately wrong scripts (tests/scripts/wrong/) must FAIL.
add_test(NAME script_cli COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/test_script_cli.sh
         $<TARGET_FILE:lucidtcp_cmd> ${PROJECT_SOURCE_DIR})
set_tests_properties(script_cli PROPERTIES TIMEOUT 300)
