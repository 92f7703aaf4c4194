# find_package(lucidtcp): the installed library.
#   lucidtcp::lucidtcp         liblucidtcp.so (the usual choice)
#   lucidtcp::lucidtcp_static  liblucidtcp.a
# Both carry the include directory. The library needs nothing but libc, and liburing when it
# was built with it (io_uring for TUN I/O): the static one then links -luring.
include(${CMAKE_CURRENT_LIST_DIR}/lucidtcpTargets.cmake)
