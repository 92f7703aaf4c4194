#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, only those that are missing.
# Non-interactive; needs root (or sudo) only when something is missing.
#
#   scripts/install-deps.sh        what `make test` needs (the build, clang, cmocka, the interop
#                                  suite's tools)
#   scripts/install-deps.sh run    what `make run` needs: a C compiler and CMake only
#   scripts/install-deps.sh PKG... those packages (make docs, make deb)
#
# Another apt or dpkg run (unattended upgrades, a second `make`) holds a lock: this waits for it
# (up to LTCP_APT_WAIT seconds, default 600) instead of failing. apt waits by itself for dpkg's
# locks (DPkg::Lock::Timeout) but not for those of the package lists (`apt-get update`) or of
# the download cache, so a run that fails on a lock is tried again until the deadline.
set -euo pipefail
# libc6-dev: gcc only recommends it, and --no-install-recommends would leave no C headers.
pkgs=(cmake gcc libc6-dev make)
case "${1:-test}" in
  run) ;;
  # curl, iproute2 (ip, ss, tc), iputils-ping and python3: the interop suite (tests/interop)
  # against the kernel;
  # pkgconf and doxygen: the packaging tests (tests/packaging) and the API reference's (tests/docs).
  # libpcap-dev, zlib1g-dev: `lucidtcp analyze` (tools/analyze; built only where they are, make
  # test needs it); graphviz: `lucidtcp diagram` renders its DOT text with dot (tests/tools);
  # liburing-dev: io_uring for TUN I/O (src/link/uring.c; optional, read/write without it).
  test) pkgs+=(clang libcmocka-dev tshark curl iproute2 iputils-ping python3 pkgconf doxygen
               libpcap-dev zlib1g-dev graphviz liburing-dev) ;;
  -*) echo "usage: scripts/install-deps.sh [run|test|PKG...]" >&2; exit 2 ;;
  *) pkgs=("$@") ;;
esac
need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for p in "${pkgs[@]}"; do
  have_pkg "$p" || need+=("$p")
done
[ ${#need[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${need[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-deps: ${need[*]} missing; run this as root (no sudo here)" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
wait_limit=${LTCP_APT_WAIT:-600}
deadline=$((SECONDS + wait_limit))
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# apt_get ARGS...: apt-get ARGS, again while another apt or dpkg holds a lock, until the deadline.
# Bounded: each failed try sleeps a second and the deadline ends the loop.
apt_get() {
  local said=0
  while :; do
    if $sudo apt-get -o DPkg::Lock::Timeout="$wait_limit" "$@" >"$log" 2>&1; then return 0; fi
    if ! grep -qE "Could not get lock|Unable to lock|Unable to acquire the dpkg frontend lock" "$log" ||
       [ "$SECONDS" -ge "$deadline" ]; then
      cat "$log" >&2
      echo "install-deps: apt-get $1 failed" >&2
      return 1
    fi
    if [ $said -eq 0 ]; then
      echo "install-deps: another apt or dpkg is running ($(grep -m1 -oE '/[^ ]*lock[^ .]*' "$log" || echo 'a lock')); waiting for it, up to ${wait_limit} s"
      said=1
    fi
    sleep 1
  done
}
apt_get update -q
apt_get install -y -q --no-install-recommends "${need[@]}"
