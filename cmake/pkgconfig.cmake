# Writes lucidtcp.pc from its template at install time (cmake/install.cmake), for the prefix
# given then: GNUInstallDirs paths may be relative to it or absolute.
function(ltcp_write_pc template out)
  foreach(dir LIBDIR INCLUDEDIR)
    if(IS_ABSOLUTE "${LTCP_PC_${dir}}")
      set(LTCP_PC_${dir} "${LTCP_PC_${dir}}")
    else()
      set(LTCP_PC_${dir} "\${prefix}/${LTCP_PC_${dir}}")
    endif()
  endforeach()
  configure_file(${template} ${out} @ONLY)
endfunction()
