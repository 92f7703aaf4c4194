# The real-link drivers' pure parts: the fault injector (no device, no clock needed).
add_library(ltcp_link_impair_objs OBJECT ${PROJECT_SOURCE_DIR}/src/link/impair.c)
target_link_libraries(ltcp_link_impair_objs PUBLIC ltcp_util)
ltcp_add_test(test_link_impair ${CMAKE_CURRENT_LIST_DIR}/test_link_impair.c ltcp_link_impair_objs)
# The TUN device's virtio_net_hdr (offloads): building, checking, completing checksums.
add_library(ltcp_link_vnet_objs OBJECT ${PROJECT_SOURCE_DIR}/src/link/vnet.c)
target_link_libraries(ltcp_link_vnet_objs PUBLIC ltcp_wire)
ltcp_add_test(test_link_vnet ${CMAKE_CURRENT_LIST_DIR}/test_link_vnet.c ltcp_link_vnet_objs)
