#!/usr/bin/env bash
# make deb: the Debian packages liblucidtcp0, liblucidtcp-dev and lucidtcp, built from a copy of
# the tree (the files git tracks and the new ones it does not ignore) in OUT/lucidtcp-VERSION,
# so the tree itself stays clean. dpkg-buildpackage -us -uc -b writes the .deb files into OUT;
# lintian then checks them and fails on an error.
#
#   scripts/build-deb.sh OUT
set -euo pipefail
out=$(mkdir -p "$1" && cd "$1" && pwd)
cd "$(dirname "$0")/.."
version=$(sed -n '1s/^lucidtcp (\([^)]*\)).*/\1/p' debian/changelog)
src=$out/lucidtcp-$version
rm -rf "$src" "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo
mkdir -p "$src"
git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$src"
echo "deb: building in $src"
(cd "$src" && dpkg-buildpackage -us -uc -b >"$out/build.log" 2>&1) || {
  tail -40 "$out/build.log"
  echo "deb: dpkg-buildpackage failed; the whole log is $out/build.log"
  exit 1
}
changes=$(ls "$out"/lucidtcp_"$version"_*.changes)
# --fail-on error: warnings and notes are printed, not fatal.
lintian --fail-on error --no-tag-display-limit "$changes"
echo "deb: $(cd "$out" && ls ./*.deb | tr '\n' ' ')in $out"
