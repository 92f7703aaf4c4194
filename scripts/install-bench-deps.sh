#!/usr/bin/env bash
# What `make bench` needs on top of scripts/install-deps.sh: lwIP (the in-process peer), gnuplot
# (the plot) and ethtool (loopback offloads off). Only what is missing; non-interactive.
set -euo pipefail
need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for p in liblwip-dev gnuplot-nox ethtool; do
  have_pkg "$p" || need+=("$p")
done
[ ${#need[@]} -eq 0 ] && exit 0
echo "install-bench-deps: installing ${need[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
# A failure here (no network, no root) leaves the peer out of the table rather than stopping.
# Another apt or dpkg run (unattended upgrades, a second make) holds the lock: wait for it.
$sudo apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null || true
$sudo apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${need[@]}" >/dev/null ||
  echo "install-bench-deps: could not install ${need[*]}; those rows will be missing"
