# The conformance suite: packetdrill scripts (RFC 9293), each naming the section and requirement
# labels it covers, run by lucidtcp script; every one must PASS. The deliberately wrong ones in
# wrong/ are the runner's own test (tests/tools, script_cli).
file(GLOB LTCP_CONFORMANCE_SCRIPTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.pkt)
# --strict_options=1: our own scripts pin lucidtcp's option layout (Linux's) byte for byte.
add_test(NAME script_conformance COMMAND lucidtcp_cmd script --strict_options=1 ${LTCP_CONFORMANCE_SCRIPTS}
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(script_conformance PROPERTIES TIMEOUT 300)
# The same scripts over IPv6 (--ip_version=ipv6; MTU 1520, so the MSS is 1460 as over IPv4 at
# 1500): every one that does not name IPv4 (an address, an ICMPv4-only message, an MTU below
# IPv6's 1280) must PASS too, since the engine is one for both families.
set(LTCP_CONFORMANCE_SCRIPTS_IPV6)
foreach(f ${LTCP_CONFORMANCE_SCRIPTS})
  file(READ ${f} text)
  if(NOT text MATCHES "192\\.0\\.2\\.|192\\.168\\.|--mtu=|frag_needed|source_quench|redirect|(net|host|protocol)_unreachable")
    list(APPEND LTCP_CONFORMANCE_SCRIPTS_IPV6 ${f})
  endif()
endforeach()
add_test(NAME script_conformance_ipv6
         COMMAND lucidtcp_cmd script --strict_options=1 --ip_version=ipv6 --mtu=1520
                 ${LTCP_CONFORMANCE_SCRIPTS_IPV6}
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(script_conformance_ipv6 PROPERTIES TIMEOUT 300)
