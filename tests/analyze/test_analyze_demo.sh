#!/usr/bin/env bash
# lucidtcp analyze on captures lucidtcp writes itself (demo --pcap): the states it infers for
# both ends must be the states the two stacks reported in their trace, event for event, for
# every scenario; and the findings each scenario must give.
set -euo pipefail
L=${1:?usage: test_analyze_demo.sh LUCIDTCP}
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

for s in $("$L" demo --list | awk '{print $1}'); do
  "$L" demo --scenario "$s" --format json --pcap "$TMP/$s.pcap" >"$TMP/$s.trace" || fail "$s: demo failed"
  "$L" analyze --format json "$TMP/$s.pcap" >"$TMP/$s.json" || fail "$s: analyze exit $?"
  if python3 "$HERE/check_timelines.py" "$TMP/$s.trace" "$TMP/$s.json" 198.18.0.1; then
    echo "ok: $s: inferred states equal the trace"
  else
    fail "$s: inferred states differ from the trace"
  fi
done

# finding KIND in SCENARIO's analysis
has() { grep -q "\"type\":\"finding\".*\"kind\":\"$2\"" "$TMP/$1.json" || fail "$1: no $2 finding"; }
has abort reset
has refused syn_refused
has simultaneous-open simultaneous_open
has simultaneous-close simultaneous_close
if grep -q '"type":"finding"' "$TMP/handshake.json"; then fail "handshake: findings in a clean run"; fi

# --fail-on: exit 1 only at or above the level
"$L" analyze --fail-on error "$TMP/refused.pcap" >/dev/null && fail "--fail-on error: exit 0 with an error finding"
"$L" analyze --fail-on error "$TMP/simultaneous-close.pcap" >/dev/null || fail "--fail-on error: exit 1 with info only"
"$L" analyze --fail-on info "$TMP/simultaneous-close.pcap" >/dev/null && fail "--fail-on info: exit 0 with an info finding"

# gzip'd, standard input, pcapng, a BPF filter (frame numbers stay the file's)
gzip -c "$TMP/abort.pcap" >"$TMP/abort.pcap.gz"
"$L" analyze --format json "$TMP/abort.pcap.gz" | grep -q '"kind":"reset"' || fail "gzip'd capture"
"$L" analyze --format json - <"$TMP/abort.pcap.gz" | grep -q '"kind":"reset"' || fail "standard input"
if command -v tshark >/dev/null; then
  tshark -r "$TMP/abort.pcap" -F pcapng -w "$TMP/abort.pcapng" 2>/dev/null
  "$L" analyze --format json "$TMP/abort.pcapng" | grep -q '"kind":"reset"' || fail "pcapng"
fi
"$L" analyze --format json "$TMP/abort.pcap" 'tcp[tcpflags] & tcp-rst != 0' >"$TMP/f.json"
grep -q '"first_frame":6' "$TMP/f.json" || fail "filter: frame numbers are not the file's"
"$L" analyze "$TMP/abort.pcap" 'no such filter' 2>"$TMP/err" && fail "a bad filter gave exit 0"
grep -q "filter" "$TMP/err" || fail "a bad filter: no message"

# link types: the same 40 kernel packets as Ethernet, Linux cooked SLL and SLL2, BSD loopback
for lt in ethernet sll sll2 null; do
  "$L" analyze "$HERE/../../fuzz/corpus/capture/$lt.pcap" | grep -q "^40 frames, 40 TCP packets, 2 connections" ||
    fail "link type $lt: not read"
done

# --conn N draws the ladder
# (wide enough that no cause text wraps: at 100 columns, the default off a terminal, it would)
"$L" analyze --conn 1 --width 160 --color never "$TMP/handshake.pcap" >"$TMP/ladder"
grep -q "ESTABLISHED -> FIN-WAIT-1  (close())" "$TMP/ladder" || fail "--conn: no close() in the ladder"
grep -q -- "-- S seq=0" "$TMP/ladder" || fail "--conn: no SYN in the ladder"

# hostile files: a clear error (exit 2) or a counted skip, never a crash
head -c 100 /dev/urandom >"$TMP/random.pcap"
rc=0; "$L" analyze "$TMP/random.pcap" 2>"$TMP/err" >/dev/null || rc=$?
[ $rc -eq 2 ] && grep -q "not a capture" "$TMP/err" || fail "random bytes: exit $rc"
head -c 200 "$TMP/handshake.pcap" >"$TMP/trunc.pcap"
rc=0; "$L" analyze "$TMP/trunc.pcap" 2>"$TMP/err" >/dev/null || rc=$?
[ $rc -eq 0 ] && grep -q "truncated" "$TMP/err" || fail "truncated record: exit $rc, $(cat "$TMP/err")"
python3 - "$TMP/snap.pcap" <<'PY'
import struct, sys
# a pcap header with a 4 GB snap length and a record claiming 3 GB
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 0xffffffff, 101))
    f.write(struct.pack("<IIII", 1, 0, 3 << 30, 3 << 30) + b"\x45" * 40)
PY
rc=0; "$L" analyze "$TMP/snap.pcap" >/dev/null 2>"$TMP/err" || rc=$?
[ $rc -le 2 ] || fail "huge snap length: exit $rc"

[ $fails -eq 0 ] && echo "analyze on lucidtcp's captures: all passed" || exit 1
