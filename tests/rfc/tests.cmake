# RFC behaviour: one stack driven segment by segment through the harness (tests/support).
ltcp_add_test(test_state_matrix ${CMAKE_CURRENT_LIST_DIR}/test_state_matrix.c ltcp_harness lucidtcp)
ltcp_add_test(test_timers ${CMAKE_CURRENT_LIST_DIR}/test_timers.c ltcp_harness lucidtcp)
ltcp_add_test(test_data_transfer ${CMAKE_CURRENT_LIST_DIR}/test_data_transfer.c ltcp_harness lucidtcp)
ltcp_add_test(test_seq_wrap ${CMAKE_CURRENT_LIST_DIR}/test_seq_wrap.c ltcp_harness lucidtcp)
ltcp_add_test(test_malformed ${CMAKE_CURRENT_LIST_DIR}/test_malformed.c ltcp_harness lucidtcp)
ltcp_add_test(test_requirements ${CMAKE_CURRENT_LIST_DIR}/test_requirements.c ltcp_harness lucidtcp)
ltcp_add_test(test_time_wait_records ${CMAKE_CURRENT_LIST_DIR}/test_time_wait_records.c ltcp_harness lucidtcp)
ltcp_add_test(test_syn_received_records ${CMAKE_CURRENT_LIST_DIR}/test_syn_received_records.c ltcp_harness lucidtcp)
