# The randomized property test (tests/prop/test_property.c): 2000 seeds in two parts (make test,
# in parallel), 18,000 more labelled soak (make soak), and the seeds that once failed
# (regressions.txt). A failing seed is printed with the command that replays it:
# test_property --seed N.
add_executable(test_property ${CMAKE_CURRENT_LIST_DIR}/test_property.c)
target_link_libraries(test_property PRIVATE ltcp_link ltcp_seeds ${CMOCKA_LIB} m)
target_include_directories(test_property PRIVATE ${PROJECT_SOURCE_DIR}/tests)

foreach(part RANGE 0 19)
  math(EXPR first "${part} * 1000 + 1")
  math(EXPR last "${part} * 1000 + 1000")
  add_test(NAME property_seeds_${first}_${last} COMMAND test_property --seeds ${first}-${last})
  set_tests_properties(property_seeds_${first}_${last} PROPERTIES TIMEOUT 600)
  if(part GREATER 1)
    set_tests_properties(property_seeds_${first}_${last} PROPERTIES LABELS soak)
  endif()
endforeach()

add_test(NAME property_regressions
         COMMAND test_property --replay-check
                 --regressions ${CMAKE_CURRENT_LIST_DIR}/regressions.txt)
set_tests_properties(property_regressions PROPERTIES TIMEOUT 300)

# The same property over IPv6 (--ipv6): both stacks dual-stack, the connection over IPv6.
add_test(NAME property_seeds_ipv6_1_500 COMMAND test_property --ipv6 --seeds 1-500)
set_tests_properties(property_seeds_ipv6_1_500 PROPERTIES TIMEOUT 600)
