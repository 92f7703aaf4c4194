# The library as users get it (docs/packaging.md): the shared library's export table, an install
# into a scratch prefix with every example built against it both ways (pkg-config and
# find_package, shared and static), and a scratch project that takes lucidtcp in with
# add_subdirectory.
add_test(NAME package_exports
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/test_exports.sh $<TARGET_FILE:lucidtcp_shared>
                 ${PROJECT_SOURCE_DIR})
set(LTCP_EXAMPLE_FLAGS "")
if(LTCP_SANITIZE) # the installed library is this build's: its users link the sanitizers too
  set(LTCP_EXAMPLE_FLAGS "-fsanitize=address,undefined")
endif()
add_test(NAME package_install
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/test_install.sh ${PROJECT_BINARY_DIR}
                 ${PROJECT_SOURCE_DIR} ${CMAKE_C_COMPILER} "${LTCP_EXAMPLE_FLAGS}")
set_tests_properties(package_install PROPERTIES TIMEOUT 300)
add_test(NAME package_subdirectory
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/test_subdirectory.sh ${PROJECT_SOURCE_DIR}
                 ${CMAKE_C_COMPILER})
set_tests_properties(package_subdirectory PROPERTIES TIMEOUT 300)
