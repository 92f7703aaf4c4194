# Test support: the single-stack harness the RFC tests drive (tests/support/harness.h).
add_library(ltcp_harness STATIC ${CMAKE_CURRENT_LIST_DIR}/harness.c)
target_link_libraries(ltcp_harness PUBLIC lucidtcp ${CMOCKA_LIB})
target_include_directories(ltcp_harness PUBLIC ${PROJECT_SOURCE_DIR}/tests)
