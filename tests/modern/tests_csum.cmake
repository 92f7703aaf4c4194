# Checksum offload on output (issue 6, TUN offloads): the engine leaves the TCP sum to the link.
ltcp_add_test(test_csum_offload ${CMAKE_CURRENT_LIST_DIR}/test_csum_offload.c ltcp_harness lucidtcp)
