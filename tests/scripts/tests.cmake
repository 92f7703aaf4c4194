# The conformance suite: packetdrill scripts (RFC 9293), each naming the section and requirement
# labels it covers, run by lucidtcp script; every one must PASS. The deliberately wrong ones in
# wrong/ are the runner's own test (tests/tools, script_cli).
file(GLOB LTCP_CONFORMANCE_SCRIPTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.pkt)
# --strict_options=1: our own scripts pin lucidtcp's option layout (Linux's) byte for byte.
add_test(NAME script_conformance COMMAND lucidtcp_cmd script --strict_options=1 ${LTCP_CONFORMANCE_SCRIPTS}
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(script_conformance PROPERTIES TIMEOUT 300)
