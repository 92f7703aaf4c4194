#!/usr/bin/env bash
# lucidtcp inside another CMake project: a scratch project takes this source tree in with
# add_subdirectory (what FetchContent_MakeAvailable does too), links lucidtcp::lucidtcp with no
# include path of its own, builds examples/sim_message.c and runs it. Inside another project
# lucidtcp builds no tests and no tools, adds no install rules and never looks for cmocka or
# Python.
#
#   test_subdirectory.sh SOURCE_DIR C_COMPILER
set -uo pipefail
src=$1 cc=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() { # check NAME COMMAND...
  if "${@:2}"; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}
mkdir "$tmp/app"
cat >"$tmp/app/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.21)
project(scratch_app C)
add_subdirectory("$src" lucidtcp)
foreach(target lucidtcp_cmd ltcp_demo ltcp_script ltcp_harness)
  if(TARGET \${target})
    message(FATAL_ERROR "lucidtcp made \${target} inside another project")
  endif()
endforeach()
add_executable(app "$src/examples/sim_message.c")
target_link_libraries(app PRIVATE lucidtcp::lucidtcp)
CMAKE
if ! { cmake -S "$tmp/app" -B "$tmp/build" -DCMAKE_C_COMPILER="$cc" &&
       cmake --build "$tmp/build" -j 2; } >"$tmp/build.log" 2>&1; then
  cat "$tmp/build.log"
  echo "FAIL the scratch project does not configure and build"
  exit 1
fi
echo "ok   the scratch project builds"
cache=$tmp/build/CMakeCache.txt
for v in LTCP_TESTS LTCP_TOOLS LTCP_INSTALL LTCP_WERROR; do
  check "$v is OFF inside another project" grep -qx "$v:BOOL=OFF" "$cache"
done
check "no cmocka looked for" bash -c "! grep -q CMOCKA '$cache'"
check "no Python looked for" bash -c "! grep -q Python3_EXECUTABLE '$cache'"
check "no install rules" \
  bash -c "! grep -q 'file(INSTALL' '$tmp/build/lucidtcp/cmake_install.cmake'"
check "lucidtcp::lucidtcp is the archive (no BUILD_SHARED_LIBS)" \
  bash -c "! readelf -d '$tmp/build/app' | grep -q liblucidtcp"
out=$("$tmp/build/app")
check "the program runs" grep -q "both ends closed" <<<"$out"
exit $((fails > 0))
