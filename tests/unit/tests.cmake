# Unit tests: one file per module (util, wire, the engine's modules, the stack, the drivers).
ltcp_add_test(test_util_names ${CMAKE_CURRENT_LIST_DIR}/test_util_names.c ltcp_util)
ltcp_add_test(test_util_rng ${CMAKE_CURRENT_LIST_DIR}/test_util_rng.c ltcp_util)
ltcp_add_test(test_util_siphash ${CMAKE_CURRENT_LIST_DIR}/test_util_siphash.c ltcp_util)
ltcp_add_test(test_wire_checksum ${CMAKE_CURRENT_LIST_DIR}/test_wire_checksum.c ltcp_wire)
ltcp_add_test(test_wire_ipv4 ${CMAKE_CURRENT_LIST_DIR}/test_wire_ipv4.c ltcp_wire)
ltcp_add_test(test_wire_tcp ${CMAKE_CURRENT_LIST_DIR}/test_wire_tcp.c ltcp_wire)
ltcp_add_test(test_wire_icmp ${CMAKE_CURRENT_LIST_DIR}/test_wire_icmp.c ltcp_wire)
ltcp_add_test(test_wire_ipv6 ${CMAKE_CURRENT_LIST_DIR}/test_wire_ipv6.c ltcp_wire)
ltcp_add_test(test_wire_random_bytes ${CMAKE_CURRENT_LIST_DIR}/test_wire_random_bytes.c ltcp_wire)
# The engine's modules alone: linked against the engine's library only, which proves the engine
# needs nothing above it.
ltcp_add_test(test_tcp_ring ${CMAKE_CURRENT_LIST_DIR}/test_tcp_ring.c ltcp_tcp)
ltcp_add_test(test_tcp_sack ${CMAKE_CURRENT_LIST_DIR}/test_tcp_sack.c ltcp_engine_fake)
ltcp_add_test(test_tcp_reasm ${CMAKE_CURRENT_LIST_DIR}/test_tcp_reasm.c ltcp_tcp)
ltcp_add_test(test_tcp_rtt ${CMAKE_CURRENT_LIST_DIR}/test_tcp_rtt.c ltcp_engine_fake)
ltcp_add_test(test_tcp_events ${CMAKE_CURRENT_LIST_DIR}/test_tcp_events.c ltcp_engine_fake)
ltcp_add_test(test_tcp_cc ${CMAKE_CURRENT_LIST_DIR}/test_tcp_cc.c ltcp_engine_fake)
ltcp_add_test(test_tcp_opts ${CMAKE_CURRENT_LIST_DIR}/test_tcp_opts.c ltcp_engine_fake)
ltcp_add_test(test_tcp_window ${CMAKE_CURRENT_LIST_DIR}/test_tcp_window.c ltcp_engine_fake)
ltcp_add_test(test_tcp_syncookie ${CMAKE_CURRENT_LIST_DIR}/test_tcp_syncookie.c ltcp_engine_fake)
ltcp_add_test(test_ip_txq ${CMAKE_CURRENT_LIST_DIR}/test_ip_txq.c ltcp_ip)
ltcp_add_test(test_ip_table ${CMAKE_CURRENT_LIST_DIR}/test_ip_table.c ltcp_ip)
ltcp_add_test(test_ip_timers ${CMAKE_CURRENT_LIST_DIR}/test_ip_timers.c ltcp_ip)
ltcp_add_test(test_ip_stack ${CMAKE_CURRENT_LIST_DIR}/test_ip_stack.c ltcp_sock)
ltcp_add_test(test_ip_route ${CMAKE_CURRENT_LIST_DIR}/test_ip_route.c ltcp_harness ltcp_sock)
# ltcp_stack_connections: the listing lucidtcp ss reads through a control socket.
ltcp_add_test(test_stack_trim ${CMAKE_CURRENT_LIST_DIR}/test_stack_trim.c ltcp_stack_pair)
ltcp_add_test(test_stack_table_growth ${CMAKE_CURRENT_LIST_DIR}/test_stack_table_growth.c ltcp_stack_pair)
ltcp_add_test(test_stack_connections ${CMAKE_CURRENT_LIST_DIR}/test_stack_connections.c ltcp_harness ltcp_sock)
ltcp_add_test(test_ip_frag ${CMAKE_CURRENT_LIST_DIR}/test_ip_frag.c ltcp_harness ltcp_sock)
ltcp_add_test(test_ip_frag6 ${CMAKE_CURRENT_LIST_DIR}/test_ip_frag6.c ltcp_harness ltcp_sock)
# The drivers' pure parts (src/link). The simulated network and the pcap writer are built from
# their sources directly (with ltcp_util only), so these tests do not wait on the TCP core
# compiling; sim_stack.c, the one link file that needs the core, is covered by the simulation
# tests (tests/sim).
add_library(ltcp_link_sim_objs OBJECT ${PROJECT_SOURCE_DIR}/src/link/sim.c
                                      ${PROJECT_SOURCE_DIR}/src/link/pcap.c)
target_link_libraries(ltcp_link_sim_objs PUBLIC ltcp_util)
ltcp_add_test(test_link_sim ${CMAKE_CURRENT_LIST_DIR}/test_link_sim.c ltcp_link_sim_objs)
ltcp_add_test(test_link_pcap ${CMAKE_CURRENT_LIST_DIR}/test_link_pcap.c ltcp_link_sim_objs)
# Writes a capture of a hand-built TCP conversation through the simulator's pcap tap;
# tests/support/pcap_tshark_check.sh has tshark check every checksum in it.
add_executable(pcap_writer ${CMAKE_CURRENT_LIST_DIR}/pcap_writer.c)
target_link_libraries(pcap_writer PRIVATE ltcp_link_sim_objs)
add_test(NAME pcap_tshark
         COMMAND bash ${PROJECT_SOURCE_DIR}/tests/support/pcap_tshark_check.sh
                 --writer $<TARGET_FILE:pcap_writer>)
set_tests_properties(pcap_tshark PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120)
# The fault injector that wraps a real link (no device, no clock needed).
add_library(ltcp_link_impair_objs OBJECT ${PROJECT_SOURCE_DIR}/src/link/impair.c)
target_link_libraries(ltcp_link_impair_objs PUBLIC ltcp_util)
ltcp_add_test(test_link_impair ${CMAKE_CURRENT_LIST_DIR}/test_link_impair.c ltcp_link_impair_objs)
# The TUN device's virtio_net_hdr (offloads): building, checking, completing checksums.
add_library(ltcp_link_vnet_objs OBJECT ${PROJECT_SOURCE_DIR}/src/link/vnet.c)
target_link_libraries(ltcp_link_vnet_objs PUBLIC ltcp_wire)
ltcp_add_test(test_link_vnet ${CMAKE_CURRENT_LIST_DIR}/test_link_vnet.c ltcp_link_vnet_objs)
# The real-time loop's device I/O, io_uring and read/write, over a socket pair standing in for
# the TUN device; and the fallback when seccomp refuses io_uring (no root needed).
ltcp_add_test(test_link_loop_io ${CMAKE_CURRENT_LIST_DIR}/test_link_loop_io.c ltcp_link)
if(LTCP_HAVE_URING)
  target_compile_definitions(test_link_loop_io PRIVATE LTCP_HAVE_URING=1)
endif()
# io_uring reads from a real TUN device keep the packets' order: root, a namespace of its own;
# exits 77 (skipped, saying why) without root, /dev/net/tun or io_uring. Plain C, not cmocka.
find_package(Threads REQUIRED)
add_executable(test_link_uring_order ${CMAKE_CURRENT_LIST_DIR}/test_link_uring_order.c)
target_link_libraries(test_link_uring_order PRIVATE ltcp_link Threads::Threads)
add_test(NAME test_link_uring_order COMMAND test_link_uring_order)
set_tests_properties(test_link_uring_order PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120)
