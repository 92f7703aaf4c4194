# Install rules (make install, cmake --install, the Debian package): the library both ways, the
# headers, lucidtcp.pc, the CMake package, the command and its man page. GNUInstallDirs paths,
# so CMAKE_INSTALL_PREFIX, --prefix and DESTDIR all apply.
set(LTCP_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/lucidtcp)

install(TARGETS lucidtcp_shared lucidtcp_static EXPORT lucidtcpTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY include/lucidtcp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h")
install(FILES ${PROJECT_BINARY_DIR}/include/lucidtcp/version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/lucidtcp)

# find_package(lucidtcp): lucidtcp::lucidtcp (shared) and lucidtcp::lucidtcp_static. 0.x
# releases may break the API at each minor version, hence SameMinorVersion.
install(EXPORT lucidtcpTargets NAMESPACE lucidtcp:: DESTINATION ${LTCP_CMAKE_DIR})
include(CMakePackageConfigHelpers)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/lucidtcpConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES cmake/lucidtcpConfig.cmake ${PROJECT_BINARY_DIR}/lucidtcpConfigVersion.cmake
        DESTINATION ${LTCP_CMAKE_DIR})

# lucidtcp.pc, written at install time: the prefix is the one given then (cmake --install
# --prefix), which may not be the one configured.
install(CODE "
  set(LTCP_PC_LIBDIR [[${CMAKE_INSTALL_LIBDIR}]])
  set(LTCP_PC_INCLUDEDIR [[${CMAKE_INSTALL_INCLUDEDIR}]])
  set(PROJECT_VERSION [[${PROJECT_VERSION}]])
  set(PROJECT_DESCRIPTION [[${PROJECT_DESCRIPTION}]])
  set(LTCP_PC_LIBS_PRIVATE [[${LTCP_PC_LIBS_PRIVATE}]])
  include([[${PROJECT_SOURCE_DIR}/cmake/pkgconfig.cmake]])
  ltcp_write_pc([[${PROJECT_SOURCE_DIR}/cmake/lucidtcp.pc.in]]
                [[${PROJECT_BINARY_DIR}/install/lucidtcp.pc]])")
install(FILES ${PROJECT_BINARY_DIR}/install/lucidtcp.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

if(TARGET lucidtcp_cmd AND LTCP_TOOLS)
  install(TARGETS lucidtcp_cmd RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  configure_file(docs/lucidtcp.1.in ${PROJECT_BINARY_DIR}/lucidtcp.1 @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/lucidtcp.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()
