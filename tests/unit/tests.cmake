# Unit tests: one file per module (util, wire).
ltcp_add_test(test_util_names ${CMAKE_CURRENT_LIST_DIR}/test_util_names.c ltcp_util)
ltcp_add_test(test_util_rng ${CMAKE_CURRENT_LIST_DIR}/test_util_rng.c ltcp_util)
ltcp_add_test(test_util_siphash ${CMAKE_CURRENT_LIST_DIR}/test_util_siphash.c ltcp_util)
ltcp_add_test(test_wire_checksum ${CMAKE_CURRENT_LIST_DIR}/test_wire_checksum.c ltcp_wire)
ltcp_add_test(test_wire_ipv4 ${CMAKE_CURRENT_LIST_DIR}/test_wire_ipv4.c ltcp_wire)
ltcp_add_test(test_wire_tcp ${CMAKE_CURRENT_LIST_DIR}/test_wire_tcp.c ltcp_wire)
ltcp_add_test(test_wire_icmp ${CMAKE_CURRENT_LIST_DIR}/test_wire_icmp.c ltcp_wire)
ltcp_add_test(test_wire_random_bytes ${CMAKE_CURRENT_LIST_DIR}/test_wire_random_bytes.c ltcp_wire)
