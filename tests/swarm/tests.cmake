# The adversarial simulation swarm (tests/swarm/test_swarm.c, docs/testing.md): several stacks,
# honest faults and an attacker per seed, invariants after every simulator step. make test runs
# seeds 1-60 in two parts and the seeds that once failed (regressions.txt); make soak SEEDS=N
# runs N more on every core (scripts/swarm-soak.sh). A failing seed is printed with the command
# that replays it: test_swarm --seed N.
add_executable(test_swarm ${CMAKE_CURRENT_LIST_DIR}/test_swarm.c
               ${CMAKE_CURRENT_LIST_DIR}/swarm_attack.c ${CMAKE_CURRENT_LIST_DIR}/swarm_check.c)
target_link_libraries(test_swarm PRIVATE ltcp_link ltcp_seeds ${CMOCKA_LIB} m)
target_include_directories(test_swarm PRIVATE ${PROJECT_SOURCE_DIR}/tests)

add_test(NAME swarm_seeds_1_30 COMMAND test_swarm --seeds 1-30)
add_test(NAME swarm_seeds_31_60 COMMAND test_swarm --seeds 31-60)
add_test(NAME swarm_regressions
         COMMAND test_swarm --replay-check --regressions ${CMAKE_CURRENT_LIST_DIR}/regressions.txt)
set_tests_properties(swarm_seeds_1_30 swarm_seeds_31_60 swarm_regressions PROPERTIES TIMEOUT 600)
# The challenge-ACK figure as a test: under an in-window RST flood no connection end sends more
# than cfg.challenge_ack_limit challenge ACKs in one interval (RFC 5961 7).
add_test(NAME swarm_challenge_ack_rate COMMAND test_swarm --figure challenge)
set_tests_properties(swarm_challenge_ack_rate PROPERTIES TIMEOUT 300)
