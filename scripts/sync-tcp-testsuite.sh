#!/usr/bin/env bash
# Copies FreeBSD's tcp-testsuite (freebsd-net/tcp-testsuite, BSD-2-Clause) from SRC (default
# ../shared/tcp-testsuite) into tests/conformance/tcp-testsuite: its LICENSE.md and every script
# (IPv4, family-neutral and IPv6; tcp-over-udp/ and fast-open/ are out of scope), so that
# `make conformance` and `make test` run the same scripts on any machine. Run it again when the
# suite is updated; the expectations files (tests/conformance/tcp-testsuite.tsv and
# tcp-testsuite-ipv6.tsv) then show what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:-../shared/tcp-testsuite}
dst=tests/conformance/tcp-testsuite
[ -d "$src" ] || { echo "sync-tcp-testsuite: no suite at $src" >&2; exit 2; }
rm -rf "$dst"
mkdir -p "$dst"
cp "$src/LICENSE.md" "$dst/"
(cd "$src" && find . -name '*.pkt' ! -path './tcp-over-udp/*' ! -path './fast-open/*' -print0) |
  while IFS= read -r -d '' f; do
    mkdir -p "$dst/$(dirname "$f")"
    cp "$src/$f" "$dst/$f"
  done
echo "sync-tcp-testsuite: $(find "$dst" -name '*.pkt' ! -name '*-ipv6.pkt' | wc -l) IPv4 and" \
  "$(find "$dst" -name '*-ipv6.pkt' | wc -l) IPv6 scripts in $dst"
