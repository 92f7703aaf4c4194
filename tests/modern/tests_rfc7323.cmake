# RFC 7323: window scaling, timestamps, PAWS (negotiation and rules through the single-stack
# harness; the large-window throughput over the simulated network).
ltcp_add_test(test_wscale_negotiation ${CMAKE_CURRENT_LIST_DIR}/test_wscale_negotiation.c ltcp_harness lucidtcp)
ltcp_add_test(test_timestamps_paws ${CMAKE_CURRENT_LIST_DIR}/test_timestamps_paws.c ltcp_harness lucidtcp)
ltcp_add_test(test_wscale_throughput ${CMAKE_CURRENT_LIST_DIR}/test_wscale_throughput.c ltcp_link)
