#!/usr/bin/env bash
# Installs this build into a scratch prefix (cmake --install --prefix) and uses it as a user
# would: the files are where GNUInstallDirs puts them, the command says its version, every
# example in examples/ builds against the installed library through pkg-config (examples/Makefile)
# and through find_package (examples/CMakeLists.txt), each with the shared and the static
# library, and the simulator example runs and says what it should. As root with /dev/net/tun,
# ip and python3, the TUN examples also run, in a network namespace of their own with addresses
# from 198.18.0.0/15; otherwise they are only built, and the output says why.
#
#   test_install.sh BUILD_DIR SOURCE_DIR C_COMPILER [EXTRA_FLAGS]
# EXTRA_FLAGS (the sanitizers of a sanitized build) go to every compile and link of the examples.
set -uo pipefail
build=$1 src=$2 cc=$3 extra=${4:-}
tmp=$(mktemp -d)
ns=""
pids=()
cleanup() {
  ((${#pids[@]})) && kill "${pids[@]}" 2>/dev/null
  [[ -n "$ns" ]] && ip netns delete "$ns" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
fails=0
check() { # check NAME COMMAND...
  if "${@:2}"; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}
prefix=$tmp/prefix
examples="sim_message tun_echo http_get epoll_embed"
version=$(sed -n 's/^#define LTCP_VERSION_STRING "\([^"]*\)".*/\1/p' \
          "$build/include/lucidtcp/version.h")

# ---- install
if ! cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1; then
  cat "$tmp/install.log"
  echo "FAIL cmake --install"
  exit 1
fi
pc=$(find "$prefix" -name lucidtcp.pc)
libdir=$(dirname "$(dirname "$pc")")
for f in "$libdir/liblucidtcp.so.$version" "$libdir/liblucidtcp.so.0" "$libdir/liblucidtcp.so" \
         "$libdir/liblucidtcp.a" "$libdir/cmake/lucidtcp/lucidtcpConfig.cmake" \
         "$prefix/include/lucidtcp/lucidtcp.h" "$prefix/include/lucidtcp/version.h" \
         "$prefix/include/lucidtcp/wire/tcp.h" "$prefix/bin/lucidtcp" \
         "$prefix/share/man/man1/lucidtcp.1"; do
  check "installed ${f#"$prefix"/}" test -e "$f"
done
check "the .so.0 link points at the versioned file" \
  test "$(readlink "$libdir/liblucidtcp.so.0")" = "liblucidtcp.so.$version"
# One archive with every layer and the drivers: an object of each.
for o in names.c.o checksum.c.o input.c.o ip.c.o socket.c.o sim.c.o loop.c.o version.c.o; do
  check "liblucidtcp.a holds $o" grep -qx "$o" <(ar t "$libdir/liblucidtcp.a")
done
check "lucidtcp --version" test "$("$prefix/bin/lucidtcp" --version)" = "lucidtcp $version"
check "lucidtcp version" test "$("$prefix/bin/lucidtcp" version)" = "lucidtcp $version"
man=$prefix/share/man/man1/lucidtcp.1
check "the man page renders without warnings" \
  test -z "$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$man" 2>&1)"
commands=$("$prefix/bin/lucidtcp" --help |
           awk '/^commands:/ {on = 1; next} /^$/ {on = 0} on && /^  [a-z]/ {print $1}')
for cmd in $commands; do
  check "the man page tells of '$cmd'" grep -qE "^\.BI? \"?$cmd\b" "$man"
done
check "pc file names the prefix" grep -qx "prefix=$prefix" "$pc"
export PKG_CONFIG_PATH=$libdir/pkgconfig
check "pkg-config --modversion" test "$(pkg-config --modversion lucidtcp)" = "$version"

# ---- the simulator example's output
sim_ok() { # sim_ok BINARY [LIBDIR]: runs it (LIBDIR: where its liblucidtcp.so is), checks it
  local out
  out=$(LD_LIBRARY_PATH=${2:-} "$1") || return 1
  grep -q "^lucidtcp $version: two stacks" <<<"$out" &&
    grep -q 'server: got "hello over a simulated network"' <<<"$out" &&
    grep -q 'client: reply "30 bytes received"' <<<"$out" &&
    grep -q 'both ends closed' <<<"$out" || { echo "$out"; return 1; }
}
needs_so() { readelf -d "$1" | grep -q 'NEEDED.*\[liblucidtcp\.so\.0\]'; }
needs_no_so() { ! needs_so "$1"; }
all_built() { local d=$1 e; for e in $examples; do [[ -x "$d/$e" ]] || return 1; done; }

# ---- pkg-config, shared and static (examples/Makefile in a copy of examples/)
for kind in shared static; do
  d=$tmp/pc-$kind
  cp -r "$src/examples" "$d"
  static=""
  [[ $kind == static ]] && static=STATIC=1
  if ! make -C "$d" CC="$cc" CFLAGS="-O1 -Wall -Wextra -Werror $extra" LDFLAGS="$extra" $static \
       >"$tmp/make-$kind.log" 2>&1; then
    cat "$tmp/make-$kind.log"
  fi
  check "pkg-config $kind: every example builds" all_built "$d"
  if [[ $kind == shared ]]; then
    check "pkg-config shared: linked to liblucidtcp.so.0" needs_so "$d/sim_message"
    check "pkg-config shared: sim_message runs" sim_ok "$d/sim_message" "$libdir"
  else
    check "pkg-config static: no liblucidtcp.so needed" needs_no_so "$d/sim_message"
    check "pkg-config static: sim_message runs" sim_ok "$d/sim_message"
  fi
done

# ---- find_package, shared and static (examples/CMakeLists.txt)
for kind in shared static; do
  d=$tmp/cmake-$kind
  static=OFF
  [[ $kind == static ]] && static=ON
  if ! { cmake -S "$src/examples" -B "$d" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$cc" \
           -DCMAKE_C_FLAGS="-Wall -Wextra -Werror $extra" -DCMAKE_EXE_LINKER_FLAGS="$extra" \
           -DLUCIDTCP_STATIC=$static && cmake --build "$d" -j 2; } >"$tmp/cmake-$kind.log" 2>&1
  then
    cat "$tmp/cmake-$kind.log"
  fi
  check "find_package $kind: every example builds" all_built "$d"
  if [[ $kind == shared ]]; then
    check "find_package shared: linked to liblucidtcp.so.0" needs_so "$d/sim_message"
  else
    check "find_package static: no liblucidtcp.so needed" needs_no_so "$d/sim_message"
  fi
  check "find_package $kind: sim_message runs" sim_ok "$d/sim_message"
done

# ---- the TUN examples, in a network namespace of their own
tun_reason=""
if [[ $(id -u) != 0 ]]; then tun_reason="not root"
elif [[ ! -c /dev/net/tun ]]; then tun_reason="no /dev/net/tun"
elif ! command -v ip >/dev/null || ! command -v python3 >/dev/null; then
  tun_reason="no ip or python3"
elif ! ip netns add "lucidtcp-example-$$" 2>/dev/null; then tun_reason="ip netns add failed"
fi
if [[ -n "$tun_reason" ]]; then
  echo "note the TUN examples were built, not run: $tun_reason"
  exit $((fails > 0))
fi
ns=lucidtcp-example-$$
bin=$tmp/cmake-static
in_ns() { ip netns exec "$ns" "$@"; }
in_ns sh -c 'ip link set lo up && ip tuntap add dev tun0 mode tun &&
             ip addr add 198.18.0.1/24 dev tun0 && ip link set tun0 up'
# tun_echo: the kernel's TCP sends a line and reads it back (bash's /dev/tcp). Not under
# timeout(1), which would send a second SIGTERM to the process group: the cleanup kills it.
ip netns exec "$ns" "$bin/tun_echo" tun0 198.18.0.2 7 2>"$tmp/echo.err" &
echo_pid=$!
pids+=($echo_pid)
echoed=""
for _ in $(seq 50); do # until it listens: 5 s at most
  echoed=$(in_ns timeout 5 bash -c 'exec 3<>/dev/tcp/198.18.0.2/7 && echo "ping over tun" >&3 &&
                                     read -r line <&3 && echo "$line"' 2>/dev/null) && break
  sleep 0.1
done
check "tun_echo echoes a line" test "$echoed" = "ping over tun"
kill -TERM $echo_pid 2>/dev/null
wait $echo_pid
echo_rc=$?
check "tun_echo exits 0 on SIGTERM (got $echo_rc)" test $echo_rc = 0
# http_get and epoll_embed against python3's http.server on the kernel's side.
mkdir "$tmp/www"
echo "hello from the kernel's side" >"$tmp/www/hello.txt"
ip netns exec "$ns" timeout 30 python3 -m http.server --bind 198.18.0.1 --directory "$tmp/www" \
  8000 >"$tmp/http.log" 2>&1 &
http_pid=$!
pids+=($http_pid)
for _ in $(seq 100); do # until it listens: 10 s at most
  in_ns bash -c 'exec 3<>/dev/tcp/198.18.0.1/8000' 2>/dev/null && break
  sleep 0.1
done
check "http_get fetches a file" test "$(in_ns timeout 15 "$bin/http_get" tun0 198.18.0.3 \
  http://198.18.0.1:8000/hello.txt 2>"$tmp/get.err")" = "hello from the kernel's side"
check "http_get reports the status line" grep -q "HTTP/1.0 200" "$tmp/get.err"
in_ns timeout 15 "$bin/epoll_embed" tun0 198.18.0.4 198.18.0.1 8000 \
  $'GET /hello.txt HTTP/1.0\r\n\r\n' >"$tmp/embed.out" 2>"$tmp/embed.err"
check "epoll_embed exits 0" test $? = 0
check "epoll_embed prints the reply" grep -q "^hello from the kernel's side" "$tmp/embed.out"
kill $http_pid 2>/dev/null
wait $http_pid 2>/dev/null
if ((fails > 0)); then
  for f in echo.err get.err embed.err embed.out http.log; do echo "--- $f"; cat "$tmp/$f"; done
fi
exit $((fails > 0))
