# FreeBSD's tcp-testsuite (vendored in tcp-testsuite/ with its LICENSE.md), its IPv4 scripts and
# its IPv6 ones as two tests (ctest -j runs them side by side): every outcome must match the
# family's expectations file (tcp-testsuite.tsv, tcp-testsuite-ipv6.tsv), so a regression and a
# newly passing script both fail the test. `make conformance` runs the same checks with a row per
# subdirectory.
add_test(NAME tcp_testsuite
         COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/check.py --lucidtcp $<TARGET_FILE:lucidtcp_cmd>)
add_test(NAME tcp_testsuite_ipv6
         COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/check.py --lucidtcp $<TARGET_FILE:lucidtcp_cmd>
                 --family ipv6)
set_tests_properties(tcp_testsuite tcp_testsuite_ipv6 PROPERTIES TIMEOUT 300)
