# docs/conformance.md accounts for every MUST and SHLD of RFC 9293 and must match the tests. It is
# made from the RFC's text, kept beside the repository; without it (or without Python) the test
# is skipped and says why, never passed.
find_package(Python3 COMPONENTS Interpreter)
set(LTCP_RFC9293_TXT ${PROJECT_SOURCE_DIR}/../shared/rfc/rfc9293.txt
    CACHE FILEPATH "RFC 9293's plain text, for docs/conformance.md")
add_test(NAME conformance_doc
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/test_conformance_doc.sh "${Python3_EXECUTABLE}"
                 ${LTCP_RFC9293_TXT}
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(conformance_doc PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120)

# The API reference (make docs) builds without one Doxygen warning: Doxygen runs on the public
# headers into a scratch directory. Without Doxygen (scripts/install-deps.sh installs it) the
# test is skipped and says why.
add_test(NAME api_docs
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/test_api_docs.sh "${LTCP_DOXYGEN}"
                 ${PROJECT_BINARY_DIR}/Doxyfile)
set_tests_properties(api_docs PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120)
