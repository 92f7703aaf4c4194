# Congestion control, fast retransmit and recovery, SACK (RFC 5681, 6582, 6675, 9438, 2018):
# bulk transfers over the simulated network, sharing tests/modern/cc_bulk.c.
add_library(ltcp_cc_bulk STATIC ${CMAKE_CURRENT_LIST_DIR}/cc_bulk.c)
target_link_libraries(ltcp_cc_bulk PUBLIC ltcp_link ${CMOCKA_LIB})
target_include_directories(ltcp_cc_bulk PUBLIC ${PROJECT_SOURCE_DIR}/tests)
ltcp_add_test(test_cc_fast_retransmit ${CMAKE_CURRENT_LIST_DIR}/test_cc_fast_retransmit.c ltcp_cc_bulk)
ltcp_add_test(test_cc_response ${CMAKE_CURRENT_LIST_DIR}/test_cc_response.c ltcp_cc_bulk)
ltcp_add_test(test_sack_scoreboard ${CMAKE_CURRENT_LIST_DIR}/test_sack_scoreboard.c lucidtcp)
ltcp_add_test(test_cc_rules ${CMAKE_CURRENT_LIST_DIR}/test_cc_rules.c ltcp_harness lucidtcp)
