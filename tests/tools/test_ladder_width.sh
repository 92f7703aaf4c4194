#!/usr/bin/env bash
# The ladder fits the width it is given: at 60, 80 and 120 columns (and with COLUMNS), every
# row of every demo scenario, and of analyze --conn on the demo's captures, has its two bars
# at the same positions, and no row is wider than the width. Long cause texts wrap in their
# column (the README's lost-final-ack once had a row that pushed the bars right).
set -euo pipefail
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# check_columns FILE WIDTH WHAT: the rows with bars, from the header on
check_columns() {
  python3 - "$1" "$2" "$3" <<'PY' || return 1
import sys
path, width, what = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = [l.rstrip("\n") for l in open(path) if "|" in l]
if len(rows) < 5:
    sys.exit(f"{what}: only {len(rows)} ladder rows")
bars = {tuple(i for i, ch in enumerate(r) if ch == "|") for r in rows}
if len(bars) != 1 or len(next(iter(bars))) != 2:
    bad = [r for r in rows if tuple(i for i, ch in enumerate(r) if ch == "|") != tuple(i for i, ch in enumerate(rows[0]) if ch == "|")]
    sys.exit(f"{what}: bars at {sorted(bars)}; first odd row: {bad[:1]}")
wide = [r for r in rows if len(r) > width]
if wide:
    sys.exit(f"{what}: {len(wide)} rows wider than {width}: {wide[0]!r}")
PY
}

for w in 60 80 120; do
  for s in $("$bin" demo --list | awk '{print $1}'); do
    "$bin" demo --scenario "$s" --width "$w" --color never >"$tmp/$s.$w" || fail "$s at $w: exit $?"
    check_columns "$tmp/$s.$w" "$w" "demo $s --width $w" && echo "ok   demo $s --width $w" || fail "demo $s --width $w"
  done
done
# the columns move with the width
b60=$(grep -m1 '|' "$tmp/handshake.60" | cut -d'|' -f1 | wc -c)
b120=$(grep -m1 '|' "$tmp/handshake.120" | cut -d'|' -f1 | wc -c)
[ "$b60" -lt "$b120" ] || fail "the first bar does not move with the width ($b60, $b120)"
# COLUMNS when standard output is not a terminal
COLUMNS=72 "$bin" demo --scenario lost-final-ack --color never >"$tmp/cols"
check_columns "$tmp/cols" 72 "COLUMNS=72" && echo "ok   COLUMNS=72" || fail "COLUMNS=72"
# neither: 100
env -u COLUMNS "$bin" demo --scenario lost-final-ack --color never >"$tmp/default"
check_columns "$tmp/default" 100 "default width" && echo "ok   default width 100" || fail "default width"
# colour codes do not count
"$bin" demo --scenario lost-final-ack --color always --width 80 | sed 's/\x1b\[[0-9;]*m//g' >"$tmp/colour"
check_columns "$tmp/colour" 80 "coloured" && echo "ok   coloured, 80" || fail "coloured at 80"
# bad widths
for bad in 10 59 1001 abc; do
  set +e; "$bin" demo --width "$bad" >/dev/null 2>"$tmp/err"; rc=$?; set -e
  [ "$rc" = 2 ] && grep -q -- "--width" "$tmp/err" || fail "--width $bad: exit $rc"
done
# analyze --conn draws with the same renderer
if "$bin" analyze --help >/dev/null 2>&1 && "$bin" demo --scenario lost-final-ack --pcap "$tmp/l.pcap" >/dev/null; then
  if "$bin" analyze --help | grep -q -- "--width"; then
    for w in 60 80 120; do
      "$bin" analyze --conn 1 --width "$w" --color never "$tmp/l.pcap" >"$tmp/an.$w" || true
      check_columns "$tmp/an.$w" "$w" "analyze --conn 1 --width $w" && echo "ok   analyze --conn --width $w" || fail "analyze --width $w"
    done
  else
    fail "analyze has no --width"
  fi
fi
echo "$fails failed"
[ "$fails" -eq 0 ]
