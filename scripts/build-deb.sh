#!/usr/bin/env bash
# make deb: the Debian packages liblucidtcp0, liblucidtcp-dev and lucidtcp, built from a copy of
# the tree (the files git tracks and the new ones it does not ignore) in OUT/lucidtcp-VERSION,
# so the tree itself stays clean. dpkg-buildpackage -us -uc -b writes the .deb files into OUT;
# lintian then checks them and fails on an error; then the simulator example is built with the
# packages' files (unpacked, not installed) through find_package and run.
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
lintian --fail-on error --tag-display-limit 0 "$changes"
root=$out/unpacked
rm -rf "$root" "$out/example"
for deb in "$out"/liblucidtcp0_"$version"_*.deb "$out"/liblucidtcp-dev_"$version"_*.deb; do
  dpkg-deb -x "$deb" "$root"
done
{ cmake -S examples -B "$out/example" -DCMAKE_PREFIX_PATH="$root/usr" &&
  cmake --build "$out/example" --target sim_message; } >"$out/example.log" 2>&1 || {
  cat "$out/example.log"
  echo "deb: the examples do not build against liblucidtcp-dev's files"
  exit 1
}
"$out/example/sim_message" | tail -1
echo "deb: $(cd "$out" && ls ./*.deb | tr '\n' ' ')in $out"
