#!/usr/bin/env bash
# lucidtcp analyze's findings on hand-made connections (craft.py): each port its fault, each
# fault its finding, on the right end, with evidence frames; and IPv6 and midstream handled.
set -euo pipefail
L=${1:?usage: test_analyze_findings.sh LUCIDTCP}
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
python3 "$HERE/craft.py" "$TMP/craft.pcap"
"$L" analyze --format json "$TMP/craft.pcap" >"$TMP/out.json"
python3 - "$TMP/out.json" <<'PY'
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
conns = {o["conn"]: o for o in objs if o["type"] == "conn"}
def found(port):
    return {(o["kind"], o["side"]) for o in objs if o["type"] == "finding" and o["frames"]
            and conns[o["conn"]]["server"]["port"] == port}
want = {9001: {("time_wait_rst", "client")}, 9002: {("syn_in_time_wait", "client")},
        9003: {("syn_unanswered", "client")}, 9004: {("syn_icmp", "client")},
        9005: {("rto", "client")}, 9006: {("half_open", "server"), ("reset", "server"), ("rto", "client")},
        9008: {("open_at_end", "client")}}
fails = 0
for port, kinds in want.items():
    if not kinds <= found(port):
        print(f"FAIL: port {port}: wanted {sorted(kinds)}, found {sorted(found(port))}")
        fails += 1
v6 = [c for c in conns.values() if c["server"]["port"] == 9007]
if not v6 or v6[0]["server"]["addr"] != "2001:db8::2" or v6[0]["client"]["state"] != "TIME-WAIT":
    print("FAIL: the IPv6 connection", v6); fails += 1
if found(9007):
    print("FAIL: findings on the clean IPv6 connection", found(9007)); fails += 1
mid = [c for c in conns.values() if c["server"]["port"] == 9008]
if not mid or not mid[0]["midstream"]:
    print("FAIL: 9008 not seen as joined midstream"); fails += 1
rto = [o for o in objs if o["type"] == "finding" and o["kind"] == "rto"
       and conns[o["conn"]]["server"]["port"] == 9005]
if not rto or "0.2 s, 0.4 s, 0.8 s" not in rto[0]["text"]:
    print("FAIL: the RTO backoff not shown", rto); fails += 1
sys.exit(1 if fails else 0)
PY
echo "analyze findings on crafted connections: all named"
