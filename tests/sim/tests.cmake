# The simulated network and the pcap writer. Built from the link sources directly (with
# ltcp_util only), so these tests do not wait on the TCP core compiling; sim_stack.c, the one
# link file that needs the core, is covered by the whole-stack simulation tests.
add_library(ltcp_link_sim_objs OBJECT ${PROJECT_SOURCE_DIR}/src/link/sim.c
                                      ${PROJECT_SOURCE_DIR}/src/link/pcap.c)
target_link_libraries(ltcp_link_sim_objs PUBLIC ltcp_util)

ltcp_add_test(test_sim_network ${CMAKE_CURRENT_LIST_DIR}/test_sim_network.c ltcp_link_sim_objs)
ltcp_add_test(test_pcap ${CMAKE_CURRENT_LIST_DIR}/test_pcap.c ltcp_link_sim_objs)

# Writes a capture of a hand-built TCP conversation through the simulator's pcap tap;
# test_pcap_tshark.sh has tshark check every checksum in it.
add_executable(pcap_writer ${CMAKE_CURRENT_LIST_DIR}/pcap_writer.c)
target_link_libraries(pcap_writer PRIVATE ltcp_link_sim_objs)
add_test(NAME pcap_tshark
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/test_pcap_tshark.sh --writer $<TARGET_FILE:pcap_writer>)
set_tests_properties(pcap_tshark PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120)

# Whole connections: two stacks over the simulated network in virtual time.
# Loss repaired by fast retransmit and recovery (RFC 5681 §3.2, RFC 6582, RFC 6675), each
# algorithm's throughput against its response function (RFC 9438 §5), TSO packets under loss.
ltcp_add_test(test_fast_recovery ${CMAKE_CURRENT_LIST_DIR}/test_fast_recovery.c ltcp_cc_bulk)
ltcp_add_test(test_cc_response_function ${CMAKE_CURRENT_LIST_DIR}/test_cc_response_function.c ltcp_cc_bulk)
ltcp_add_test(test_tso_recovery ${CMAKE_CURRENT_LIST_DIR}/test_tso_recovery.c ltcp_cc_bulk)
# Timing of small segments end to end: the Nagle / delayed-ACK stall, the persist timer on a
# closed window, keep-alive against a vanished peer.
ltcp_add_test(test_nagle_request_response ${CMAKE_CURRENT_LIST_DIR}/test_nagle_request_response.c ltcp_timing_pair)
ltcp_add_test(test_zero_window_persist ${CMAKE_CURRENT_LIST_DIR}/test_zero_window_persist.c ltcp_timing_pair)
ltcp_add_test(test_keepalive_vanished_peer ${CMAKE_CURRENT_LIST_DIR}/test_keepalive_vanished_peer.c ltcp_timing_pair)
# RFC 7323 §1.1: window scaling fills a long fat path.
ltcp_add_test(test_wscale_throughput ${CMAKE_CURRENT_LIST_DIR}/test_wscale_throughput.c ltcp_link)
