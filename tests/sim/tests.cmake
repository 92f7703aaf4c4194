# Simulation: whole connections, two stacks over the simulated network in virtual time.
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
# Buffer memory under an out-of-order flood (bench/ooo_flood.c, small): within the budget, and
# every byte back when the connections end.
add_executable(test_ooo_flood ${PROJECT_SOURCE_DIR}/bench/ooo_flood.c)
target_link_libraries(test_ooo_flood PRIVATE ltcp_sock)
add_test(NAME test_ooo_flood COMMAND test_ooo_flood --conns 300 --segs 64 --limit 4194304 --check)
set_tests_properties(test_ooo_flood PROPERTIES TIMEOUT 300)
# RFC 4987: a SYN flood of 1,000,000 spoofed SYNs per second of virtual time while legitimate
# clients connect (README's figure: `make synflood`); here 0.5 s of it, which must let at least
# 99% of 30 clients through.
add_executable(syn_flood ${CMAKE_CURRENT_LIST_DIR}/syn_flood.c)
target_link_libraries(syn_flood PRIVATE ltcp_link)
add_test(NAME syn_flood_small COMMAND syn_flood --rate 1000000 --seconds 0.5 --clients 30 --min-success 99)
set_tests_properties(syn_flood_small PROPERTIES TIMEOUT 300)
# Issue 18: a driver that drains the output queue slowly stops the senders (backpressure), in
# turn; nothing is dropped or sent again.
ltcp_add_test(test_output_backpressure ${CMAKE_CURRENT_LIST_DIR}/test_output_backpressure.c ltcp_link)
# IPv6 beside IPv4 (RFC 8200): both families through one listener, IPV6_V6ONLY, ICMPv6 echo
# and parameter problems, flow labels, the peer table.
ltcp_add_test(test_ipv6 ${CMAKE_CURRENT_LIST_DIR}/test_ipv6.c ltcp_link)
# Zero-copy send under loss, reordering and duplication: order, release exactly once.
ltcp_add_test(test_zero_copy_send_loss ${CMAKE_CURRENT_LIST_DIR}/test_zero_copy_send_loss.c ltcp_link)
