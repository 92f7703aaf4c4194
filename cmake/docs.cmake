# The API reference (make docs): Doxygen over the public headers, HTML into build/docs (or
# LTCP_DOCS_DIR). Any warning fails it; tests/docs runs it too when Doxygen is installed.
find_program(LTCP_DOXYGEN doxygen)
set(LTCP_DOCS_DIR ${PROJECT_SOURCE_DIR}/build/docs CACHE PATH "Where make docs writes the HTML")
configure_file(docs/Doxyfile.in ${PROJECT_BINARY_DIR}/Doxyfile @ONLY)
if(LTCP_DOXYGEN)
  add_custom_target(docs COMMAND ${LTCP_DOXYGEN} ${PROJECT_BINARY_DIR}/Doxyfile
                    COMMENT "API reference: ${LTCP_DOCS_DIR}/html/index.html" VERBATIM)
endif()
