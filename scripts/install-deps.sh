#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, only those that are missing; with
# arguments, those packages instead (make docs, make deb). Non-interactive; needs root (or sudo)
# only when something is missing.
set -euo pipefail
need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
# curl, iproute2 (ip, ss, tc) and python3: the interop suite (tests/interop) against the kernel;
# pkgconf and doxygen: the packaging tests (tests/packaging) and the API reference's (tests/docs).
wanted=("$@")
[ ${#wanted[@]} -gt 0 ] ||
  wanted=(cmake gcc clang make libcmocka-dev tshark curl iproute2 python3 pkgconf doxygen)
for p in "${wanted[@]}"; do
  have_pkg "$p" || need+=("$p")
done
[ ${#need[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${need[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
# Another apt or dpkg run (unattended upgrades, a second make) holds the lock: wait for it.
$sudo apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null
$sudo apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${need[@]}" >/dev/null
