# Test support: helpers shared by the tests of other directories, no tests of their own. Each is
# a static library its tests link; they include it as "support/NAME.h".
function(ltcp_test_helper name src)
  add_library(${name} STATIC ${src})
  target_link_libraries(${name} PUBLIC ${ARGN} ${CMOCKA_LIB})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/tests)
endfunction()
# The single-stack harness the RFC tests drive, a segment at a time (harness.h).
ltcp_test_helper(ltcp_harness ${CMAKE_CURRENT_LIST_DIR}/harness.c ltcp_sock)
# Two stacks over the simulated network with a log of every segment, for the timing of small
# segments: delayed ACK, Nagle, persist, keep-alive (timing_pair.h).
ltcp_test_helper(ltcp_timing_pair ${CMAKE_CURRENT_LIST_DIR}/timing_pair.c ltcp_link)
# A bulk transfer between two stacks over the simulated network that loses chosen segments, for
# congestion control, SACK and TSO under loss (cc_bulk.h).
ltcp_test_helper(ltcp_cc_bulk ${CMAKE_CURRENT_LIST_DIR}/cc_bulk.c ltcp_link)
# The engine alone with a fake host and bare TCBs, for the unit tests of the engine's modules
# (engine_fake.h): it links the engine's library and nothing above it.
ltcp_test_helper(ltcp_engine_fake ${CMAKE_CURRENT_LIST_DIR}/engine_fake.c ltcp_tcp)
# pcap_tshark_check.sh: tshark checks a capture's checksums (the pcap_tshark and demo_cli tests).
# Running seeds for the simulation tests (tests/prop, tests/swarm): log-uniform draws, the trace
# digest, seed lists, the crash message with the replay command (seeds.h).
ltcp_test_helper(ltcp_seeds ${CMAKE_CURRENT_LIST_DIR}/seeds.c ltcp_util)
# Two stacks joined by a perfect link the test pumps itself, for many connections at once
# (stack_pair.h).
ltcp_test_helper(ltcp_stack_pair ${CMAKE_CURRENT_LIST_DIR}/stack_pair.c ltcp_sock)
