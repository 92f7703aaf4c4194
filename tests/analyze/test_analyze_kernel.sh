#!/usr/bin/env bash
# lucidtcp analyze on captures of the kernel's TCP: two network namespaces joined by a veth,
# dumpcap on one end, faults provoked on purpose (faults.py): a server that never closes
# (CLOSE-WAIT), a client closing with unread data mid-transfer (RST), a SYN to a port nobody
# listens on (refused), a reader that stops reading (zero window). Each must be named.
# Addresses from 198.18.0.0/15 only, inside namespaces deleted on exit. Exit 77: skipped.
set -euo pipefail
L=${1:?usage: test_analyze_kernel.sh LUCIDTCP}
HERE=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (network namespaces)"; exit 77; }
for t in ip python3 dumpcap timeout; do
  command -v $t >/dev/null || { echo "SKIP: needs $t (scripts/install-deps.sh installs tshark)"; exit 77; }
done
A=lucidtcp-analyze-a-$$
B=lucidtcp-analyze-b-$$
TMP=$(mktemp -d)
PIDS=()
cleanup() {
  local rc=$?
  set +e
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for ns in $A $B; do
    for p in $(ip netns pids $ns 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
    ip netns del $ns 2>/dev/null
  done
  [ $rc -ne 0 ] && [ -f "$TMP/out.txt" ] && cat "$TMP/out.txt"
  [ -n "${KEEP:-}" ] && cp "$TMP/cap.pcapng" /tmp/an15/kernel.pcapng; rm -rf "$TMP"
  exit $rc
}
trap cleanup EXIT
ip netns add $A || { echo "SKIP: cannot create a network namespace"; exit 77; }
ip netns add $B
ip link add va netns $A type veth peer name vb netns $B
ip -n $A addr add 198.18.1.1/24 dev va
ip -n $B addr add 198.18.1.2/24 dev vb
for ns in $A $B; do ip -n $ns link set lo up; done
ip -n $A link set va up
ip -n $B link set vb up

ip netns exec $A dumpcap -q -i va -f tcp -w "$TMP/cap.pcapng" 2>"$TMP/dumpcap.err" &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$TMP/cap.pcapng" ] && break; sleep 0.05; done
[ -s "$TMP/cap.pcapng" ] || { cat "$TMP/dumpcap.err"; echo "FAIL: dumpcap did not start"; exit 1; }
ip netns exec $B python3 "$HERE/faults.py" serve 198.18.1.2 >"$TMP/serve.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do grep -q listening "$TMP/serve.out" && break; sleep 0.05; done
timeout 30 ip netns exec $A python3 "$HERE/faults.py" client 198.18.1.2

has() { # KIND PORT SIDE: the capture so far holds a finding of KIND about PORT, on SIDE
  python3 - "$TMP/out.json" "$@" <<'PY'
import json, sys
path, kind, port, side = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
objs = [json.loads(l) for l in open(path)]
conns = {o["conn"]: o for o in objs if o["type"] == "conn"}
ok = any(o["type"] == "finding" and o["kind"] == kind and o["side"] == side and
         conns[o["conn"]]["server"]["port"] == port and o["frames"] for o in objs)
sys.exit(0 if ok else 1)
PY
}
all_in() {
  "$L" analyze --stuck 0.5 --format json "$TMP/cap.pcapng" >"$TMP/out.json" 2>/dev/null &&
    has close_wait 8001 server && has reset 8002 client && has syn_refused 8003 client &&
    has zero_window 8004 server
}
# The last ACKs and probes reach the capture: wait until every finding is in it (bounded: 10 s;
# the checks below say which is missing otherwise), then stop dumpcap.
for _ in $(seq 100); do all_in && break; sleep 0.1; done
kill -TERM "${PIDS[0]}"
wait "${PIDS[0]}" 2>/dev/null || true

fails=0
"$L" analyze --stuck 0.5 --color never "$TMP/cap.pcapng" >"$TMP/out.txt"
"$L" analyze --stuck 0.5 --format json "$TMP/cap.pcapng" >"$TMP/out.json"
finding() { # KIND PORT SIDE: a finding of KIND about the connection to PORT, on SIDE
  has "$@" || { echo "FAIL: no $1 finding for port $2 ($3)"; return 1; }
}
finding close_wait 8001 server || fails=$((fails + 1))
finding reset 8002 client || fails=$((fails + 1))
finding syn_refused 8003 client || fails=$((fails + 1))
finding zero_window 8004 server || fails=$((fails + 1))
grep -q "CLOSE-WAIT" "$TMP/out.txt" || { echo "FAIL: no CLOSE-WAIT in the text"; fails=$((fails + 1)); }
[ $fails -eq 0 ] || exit 1
echo "analyze on kernel captures: CLOSE-WAIT, reset, refused and zero window all named"
