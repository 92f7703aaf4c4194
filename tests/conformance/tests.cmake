# FreeBSD's tcp-testsuite (its IPv4 scripts, vendored in tcp-testsuite/ with its LICENSE.md):
# every outcome must match tcp-testsuite.tsv, so a regression and a newly passing script both
# fail the test. `make conformance` runs the same check with a row per subdirectory.
add_test(NAME tcp_testsuite
         COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/check.py --lucidtcp $<TARGET_FILE:lucidtcp_cmd>)
set_tests_properties(tcp_testsuite PROPERTIES TIMEOUT 300)
