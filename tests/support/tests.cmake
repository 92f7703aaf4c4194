# Test support: helpers shared by the tests of other directories, no tests of its own.
# The single-stack harness the RFC tests drive, a segment at a time (tests/support/harness.h).
add_library(ltcp_harness STATIC ${CMAKE_CURRENT_LIST_DIR}/harness.c)
target_link_libraries(ltcp_harness PUBLIC lucidtcp ${CMOCKA_LIB})
target_include_directories(ltcp_harness PUBLIC ${PROJECT_SOURCE_DIR}/tests)
# Two stacks over the simulated network with a log of every segment, for the timing of small
# segments: delayed ACK, Nagle, persist, keep-alive (tests/support/timing_pair.h).
add_library(ltcp_timing_pair STATIC ${CMAKE_CURRENT_LIST_DIR}/timing_pair.c)
target_link_libraries(ltcp_timing_pair PUBLIC ltcp_link ${CMOCKA_LIB})
target_include_directories(ltcp_timing_pair PUBLIC ${PROJECT_SOURCE_DIR}/tests)
# A bulk transfer between two stacks over the simulated network that loses chosen segments, for
# congestion control, SACK and TSO under loss (tests/support/cc_bulk.h).
add_library(ltcp_cc_bulk STATIC ${CMAKE_CURRENT_LIST_DIR}/cc_bulk.c)
target_link_libraries(ltcp_cc_bulk PUBLIC ltcp_link ${CMOCKA_LIB})
target_include_directories(ltcp_cc_bulk PUBLIC ${PROJECT_SOURCE_DIR}/tests)
# The engine alone with a fake host and bare TCBs, for the unit tests of the engine's modules
# (tests/support/engine_fake.h): it links the engine's library and nothing above it.
add_library(ltcp_engine_fake STATIC ${CMAKE_CURRENT_LIST_DIR}/engine_fake.c)
target_link_libraries(ltcp_engine_fake PUBLIC ltcp_tcp ${CMOCKA_LIB})
target_include_directories(ltcp_engine_fake PUBLIC ${PROJECT_SOURCE_DIR}/tests)
