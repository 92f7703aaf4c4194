# TCP segmentation offload and large segments in (issue 6, TUN offloads): the engine's side.
ltcp_add_test(test_tso_segments ${CMAKE_CURRENT_LIST_DIR}/test_tso_segments.c ltcp_harness lucidtcp)
ltcp_add_test(test_tso_recovery ${CMAKE_CURRENT_LIST_DIR}/test_tso_recovery.c ltcp_cc_bulk)
