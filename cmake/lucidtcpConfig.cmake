# find_package(lucidtcp): the installed library.
#   lucidtcp::lucidtcp         liblucidtcp.so (the usual choice)
#   lucidtcp::lucidtcp_static  liblucidtcp.a
# Both carry the include directory. The library needs nothing but libc.
include(${CMAKE_CURRENT_LIST_DIR}/lucidtcpTargets.cmake)
