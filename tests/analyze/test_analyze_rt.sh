#!/usr/bin/env bash
# lucidtcp analyze on captures lucidtcp writes over a TUN device against the kernel (connect
# --pcap, serve --pcap): the states it infers for lucidtcp's end must equal, event for event,
# the state changes lucidtcp's --trace printed. Uses the interop suite's namespace (root,
# /dev/net/tun; exit 77 without them).
LUCIDTCP=$1
source "$(dirname "$0")/../interop/lib.sh"
interop_setup analyze
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
C=("$LUCIDTCP" connect --tun "$DEV" --addr "$LCIDR" --trace --msl 0.5)
make_file "$TMP/a" 300000
make_file "$TMP/b" 300000

# same_states TRACE CAPTURE: lucidtcp's end (198.18.0.2) in the capture, inferred, against the
# state changes of its trace (the listener's own and the TIME-WAIT timer left out).
same_states() {
  "$LUCIDTCP" analyze --format json "$2" >"$2.json" || return 1
  python3 - "$1" "$2.json" <<'PY'
import json, re, sys
trace = [m.groups() for m in (re.search(r"  (\S+) -> (\S+)  \((.*?)\)", l) for l in open(sys.argv[1])) if m]
trace = [(a, b) for a, b, why in trace if "timer" not in why and (a, b) not in
         (("CLOSED", "LISTEN"), ("LISTEN", "CLOSED"))]
got = []
for l in open(sys.argv[2]):
    o = json.loads(l)
    if o["type"] == "conn":
        for role in ("client", "server"):
            if o[role]["addr"] == "198.18.0.2":
                got += [(t["from"], t["to"]) for t in o[role]["timeline"] if t["cause"] != "timer"]
if trace != got:
    print("  trace:   ", trace, "\n  inferred:", got)
    sys.exit(1)
PY
}

# connect: lucidtcp sends a and its FIN, the kernel answers with b after reading it all.
bg kfirst 60 python3 "$PEER" read-then-reply "$K" 6001 "$TMP/b"
KPID=$BG_PID
wait_line "$TMP/kfirst.out" "^listening" 10
rc=0
nsx timeout 60 "${C[@]}" --pcap "$TMP/connect.pcap" "$K" 6001 <"$TMP/a" >"$TMP/connect.data" \
  2>"$TMP/connect.err" || rc=$?
wait_pid "$KPID" 10
check "connect exits 0" test "$rc" = 0
check "connect: inferred states equal the trace" same_states "$TMP/connect.err" "$TMP/connect.pcap"

# serve echo: the kernel sends, shuts down, reads the echo back.
start_serve echo echo 7 --trace --msl 0.5
rc=0
nsx timeout 60 python3 "$PEER" echo-client "$L" 7 "$TMP/a" "$TMP/kecho.data" >"$TMP/kecho.out" 2>&1 || rc=$?
stop_pid "$SERVE_PID"
check "echo: kernel read its data back" same_file "$TMP/kecho.data" "$TMP/a"
check "serve: inferred states equal the trace" same_states "$TMP/echo.err" "$TMP/echo.pcap"
interop_finish
