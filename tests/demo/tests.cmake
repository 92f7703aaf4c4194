# The demo's scenarios end to end, and the command as a user runs it.
ltcp_add_test(test_demo_scenarios ${CMAKE_CURRENT_LIST_DIR}/test_demo_scenarios.c ltcp_demo)
add_test(NAME demo_cli COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/test_demo_cli.sh
         $<TARGET_FILE:lucidtcp_cmd> ${PROJECT_SOURCE_DIR}/tests/support/pcap_tshark_check.sh)
set_tests_properties(demo_cli PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77)
