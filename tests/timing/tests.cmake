# Issue 5, timing of small segments: delayed ACKs, Nagle / TCP_NODELAY, the persist timer end to
# end, keep-alive. Sources in tests/modern/ (test_delack_*, test_nagle_*, test_keepalive_*);
# the sim-based ones share tests/modern/timing_pair.c (two stacks over the simulated network).
set(LTCP_TIMING_DIR ${PROJECT_SOURCE_DIR}/tests/modern)
add_library(ltcp_timing_pair STATIC ${LTCP_TIMING_DIR}/timing_pair.c)
target_link_libraries(ltcp_timing_pair PUBLIC ltcp_link ${CMOCKA_LIB})
target_include_directories(ltcp_timing_pair PUBLIC ${PROJECT_SOURCE_DIR}/tests)
ltcp_add_test(test_delack_rules ${LTCP_TIMING_DIR}/test_delack_rules.c ltcp_harness lucidtcp)
ltcp_add_test(test_nagle_rules ${LTCP_TIMING_DIR}/test_nagle_rules.c ltcp_harness lucidtcp)
ltcp_add_test(test_keepalive_rules ${LTCP_TIMING_DIR}/test_keepalive_rules.c ltcp_harness lucidtcp)
ltcp_add_test(test_keepalive_sim ${LTCP_TIMING_DIR}/test_keepalive_sim.c ltcp_timing_pair)
ltcp_add_test(test_nagle_request_response ${LTCP_TIMING_DIR}/test_nagle_request_response.c ltcp_timing_pair)
ltcp_add_test(test_delack_zero_window ${LTCP_TIMING_DIR}/test_delack_zero_window.c ltcp_timing_pair)
