# Layers (docs/design.md, "Layers"). Includes point down: scripts/check-layers.py reads every
# #include of include/, src/, tools/ and bench/ and lists each one that points up or into
# another layer's private header; its self-test shows it catches such an include.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
add_test(NAME layers_includes_point_down
         COMMAND ${Python3_EXECUTABLE} scripts/check-layers.py
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
add_test(NAME layers_checker_catches_wrong_way
         COMMAND ${Python3_EXECUTABLE} scripts/check-layers.py --self-test
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})

# Calls point down too: each layer's library, linked whole into a shared object with only the
# layers below it and --no-undefined, must resolve every symbol it uses. A call to a layer
# above leaves a symbol undefined and fails the build.
function(ltcp_layer_link_check layer)
  add_library(${layer}_link_check SHARED ${CMAKE_CURRENT_LIST_DIR}/empty.c)
  target_link_libraries(${layer}_link_check PRIVATE "$<LINK_LIBRARY:WHOLE_ARCHIVE,${layer}>")
  target_link_options(${layer}_link_check PRIVATE -Wl,--no-undefined)
endfunction()
foreach(layer ltcp_util ltcp_wire ltcp_tcp ltcp_ip ltcp_sock)
  ltcp_layer_link_check(${layer})
endforeach()
