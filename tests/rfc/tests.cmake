# RFC behaviour: one stack driven segment by segment through the harness (tests/support).
# RFC 9293: states, timers, data transfer, sequence wrap, malformed input, Appendix B, compact
# records, sleeping connections.
ltcp_add_test(test_state_matrix ${CMAKE_CURRENT_LIST_DIR}/test_state_matrix.c ltcp_harness ltcp_sock)
ltcp_add_test(test_challenge_ack ${CMAKE_CURRENT_LIST_DIR}/test_challenge_ack.c ltcp_harness ltcp_sock)
ltcp_add_test(test_syn_flood ${CMAKE_CURRENT_LIST_DIR}/test_syn_flood.c ltcp_harness ltcp_sock)
ltcp_add_test(test_timers ${CMAKE_CURRENT_LIST_DIR}/test_timers.c ltcp_harness ltcp_sock)
ltcp_add_test(test_data_transfer ${CMAKE_CURRENT_LIST_DIR}/test_data_transfer.c ltcp_harness ltcp_sock)
ltcp_add_test(test_zero_copy_receive ${CMAKE_CURRENT_LIST_DIR}/test_zero_copy_receive.c ltcp_harness ltcp_sock)
ltcp_add_test(test_zero_copy_send ${CMAKE_CURRENT_LIST_DIR}/test_zero_copy_send.c ltcp_harness ltcp_sock)
ltcp_add_test(test_buffer_memory ${CMAKE_CURRENT_LIST_DIR}/test_buffer_memory.c ltcp_harness ltcp_sock)
ltcp_add_test(test_seq_wrap ${CMAKE_CURRENT_LIST_DIR}/test_seq_wrap.c ltcp_harness ltcp_sock)
ltcp_add_test(test_malformed ${CMAKE_CURRENT_LIST_DIR}/test_malformed.c ltcp_harness ltcp_sock)
ltcp_add_test(test_requirements ${CMAKE_CURRENT_LIST_DIR}/test_requirements.c ltcp_harness ltcp_sock)
ltcp_add_test(test_time_wait_records ${CMAKE_CURRENT_LIST_DIR}/test_time_wait_records.c ltcp_harness ltcp_sock)
ltcp_add_test(test_idle_sleep ${CMAKE_CURRENT_LIST_DIR}/test_idle_sleep.c ltcp_harness ltcp_sock)
ltcp_add_test(test_syn_received_records ${CMAKE_CURRENT_LIST_DIR}/test_syn_received_records.c ltcp_harness ltcp_sock)
# Timing of small segments: delayed ACKs (RFC 1122 4.2.3.2, RFC 5681 §4.2), Nagle (RFC 1122
# 4.2.3.4), keep-alive (RFC 9293 §3.8.4, RFC 1122 4.2.3.6).
ltcp_add_test(test_delayed_ack ${CMAKE_CURRENT_LIST_DIR}/test_delayed_ack.c ltcp_harness ltcp_sock)
ltcp_add_test(test_nagle ${CMAKE_CURRENT_LIST_DIR}/test_nagle.c ltcp_harness ltcp_sock)
ltcp_add_test(test_keepalive ${CMAKE_CURRENT_LIST_DIR}/test_keepalive.c ltcp_harness ltcp_sock)
# Fast retransmit and recovery (RFC 5681 §3.2, RFC 6582, RFC 3042, RFC 6928), TCP_CONGESTION.
ltcp_add_test(test_congestion_control ${CMAKE_CURRENT_LIST_DIR}/test_congestion_control.c ltcp_harness ltcp_sock)
# RFC 7323: window scaling and timestamps negotiated in the handshake; PAWS, TS.Recent, RTTM,
# RFC 6191 in TIME-WAIT.
ltcp_add_test(test_rfc7323_negotiation ${CMAKE_CURRENT_LIST_DIR}/test_rfc7323_negotiation.c ltcp_harness ltcp_sock)
ltcp_add_test(test_timestamps_paws ${CMAKE_CURRENT_LIST_DIR}/test_timestamps_paws.c ltcp_harness ltcp_sock)
# Offloads (TUN): segmentation (TSO) and large segments in (GRO), the checksum left to the link.
ltcp_add_test(test_tso_segments ${CMAKE_CURRENT_LIST_DIR}/test_tso_segments.c ltcp_harness ltcp_sock)
ltcp_add_test(test_csum_offload ${CMAKE_CURRENT_LIST_DIR}/test_csum_offload.c ltcp_harness ltcp_sock)
# ICMPv6 errors for an IPv6 connection: packet too big (RFC 8201), errors not believed.
ltcp_add_test(test_ipv6_icmp ${CMAKE_CURRENT_LIST_DIR}/test_ipv6_icmp.c ltcp_harness ltcp_sock)
# The same tests over IPv6 (tests/support/harness.h, LTCP_TEST_IPV6): every packet in and out
# is IPv6. The other RFC tests pin IPv4 numbers (an MSS of 1460, IPv4 packets they build).
foreach(t test_state_matrix test_syn_received_records test_time_wait_records test_challenge_ack
          test_timestamps_paws test_keepalive test_delayed_ack test_idle_sleep test_buffer_memory)
  add_test(NAME ${t}_ipv6 COMMAND ${t})
  set_tests_properties(${t}_ipv6 PROPERTIES TIMEOUT 300 ENVIRONMENT LTCP_TEST_IPV6=1)
endforeach()
