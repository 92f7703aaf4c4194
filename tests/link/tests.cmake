# The real-link drivers' pure parts: the fault injector (no device, no clock needed).
add_library(ltcp_link_impair_objs OBJECT ${PROJECT_SOURCE_DIR}/src/link/impair.c)
target_link_libraries(ltcp_link_impair_objs PUBLIC ltcp_util)
ltcp_add_test(test_link_impair ${CMAKE_CURRENT_LIST_DIR}/test_link_impair.c ltcp_link_impair_objs)
