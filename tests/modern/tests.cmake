# The modern data path (issue 5): each feature's tests sit in their own list file here,
# tests/modern/tests_<feature>.cmake, so work on one feature never touches another's.
file(GLOB LTCP_MODERN_LISTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/tests_*.cmake)
foreach(list ${LTCP_MODERN_LISTS})
  include(${list})
endforeach()
