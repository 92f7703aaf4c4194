# Unit tests: one file per module (util, wire, the engine's modules, the stack).
ltcp_add_test(test_util_names ${CMAKE_CURRENT_LIST_DIR}/test_util_names.c ltcp_util)
ltcp_add_test(test_util_rng ${CMAKE_CURRENT_LIST_DIR}/test_util_rng.c ltcp_util)
ltcp_add_test(test_util_siphash ${CMAKE_CURRENT_LIST_DIR}/test_util_siphash.c ltcp_util)
ltcp_add_test(test_wire_checksum ${CMAKE_CURRENT_LIST_DIR}/test_wire_checksum.c ltcp_wire)
ltcp_add_test(test_wire_ipv4 ${CMAKE_CURRENT_LIST_DIR}/test_wire_ipv4.c ltcp_wire)
ltcp_add_test(test_wire_tcp ${CMAKE_CURRENT_LIST_DIR}/test_wire_tcp.c ltcp_wire)
ltcp_add_test(test_wire_icmp ${CMAKE_CURRENT_LIST_DIR}/test_wire_icmp.c ltcp_wire)
ltcp_add_test(test_wire_random_bytes ${CMAKE_CURRENT_LIST_DIR}/test_wire_random_bytes.c ltcp_wire)
# The engine's modules alone: linked against the engine's library only, which proves the engine
# needs nothing above it.
ltcp_add_test(test_tcp_ring ${CMAKE_CURRENT_LIST_DIR}/test_tcp_ring.c ltcp_tcp)
ltcp_add_test(test_tcp_sack ${CMAKE_CURRENT_LIST_DIR}/test_tcp_sack.c ltcp_engine_fake)
ltcp_add_test(test_ip_stack ${CMAKE_CURRENT_LIST_DIR}/test_ip_stack.c lucidtcp)
