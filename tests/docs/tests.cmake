# docs/conformance.md accounts for every MUST and SHLD of RFC 9293 and must match the tests.
find_package(Python3 COMPONENTS Interpreter)
if(Python3_FOUND AND EXISTS ${PROJECT_SOURCE_DIR}/../shared/rfc/rfc9293.txt)
  add_test(NAME conformance_doc
           COMMAND bash -c "'${Python3_EXECUTABLE}' scripts/rfc9293-coverage.py --doc docs/conformance-status.tsv | diff -u docs/conformance.md - && echo 'docs/conformance.md is current'"
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
endif()
