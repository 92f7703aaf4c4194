#!/usr/bin/env bash
# Scenario 7, TIME-WAIT: when lucidtcp closes first its trace shows TIME-WAIT lasting 2*MSL
# (--msl shortens it; connect holds it with --time-wait); when the kernel closes first,
# `ss -tan state time-wait` in the namespace shows the kernel's socket in TIME-WAIT.
LUCIDTCP=$1
source "$(dirname "$0")/lib.sh"
interop_setup time-wait curl ss
MSL=1

# tw_seconds TRACE: seconds from entering TIME-WAIT to leaving it on the time-wait timer.
tw_seconds() {
  python3 - "$1" <<'EOF'
import re, sys
start = end = None
for line in open(sys.argv[1]):
    m = re.match(r"\s*([0-9.]+) s  (\S+) -> (\S+)  \(([^)]*\)?)\)", line)
    if not m:
        continue
    t, old, new, cause = float(m.group(1)), m.group(2), m.group(3), m.group(4)
    if new == "TIME-WAIT" and start is None:
        start = t
    if old == "TIME-WAIT" and new == "CLOSED" and cause == "time-wait timer":
        end = t
print(f"{end - start:.3f}" if start is not None and end is not None else "none")
EOF
}
# near_2msl SECONDS: within [2*MSL, 2*MSL + 0.5].
near_2msl() { python3 -c "import sys; v='$1'; sys.exit(0 if v!='none' and 2*$MSL <= float(v) <= 2*$MSL+0.5 else 1)"; }

# lucidtcp connect closes first (its standard input is empty); the kernel closes after. With
# --time-wait it stays for TIME-WAIT (by default it exits once the last ACK is out:
# test_connect.sh).
bg kserver 30 python3 "$PEER" close-after-eof "$K" 6003
KPID=$BG_PID
wait_line "$TMP/kserver.out" "^listening" 10
rc=0
nsx timeout 30 "$LUCIDTCP" connect --tun "$DEV" --addr "$LCIDR" --trace --msl $MSL --time-wait \
  --pcap "$TMP/connect.pcap" "$K" 6003 </dev/null >/dev/null 2>"$TMP/connect.err" || rc=$?
wait_pid "$KPID" 10
d=$(tw_seconds "$TMP/connect.err")
echo "connect: TIME-WAIT lasted $d s (2*MSL = $((2 * MSL)) s)"
check "connect exits 0 after TIME-WAIT" test "$rc" = 0
check "connect: FIN-WAIT-2 -> TIME-WAIT on the kernel's FIN" trace_has "$TMP/connect.err" "FIN-WAIT-2 -> TIME-WAIT  \(rcvd F"
check "connect: TIME-WAIT -> CLOSED (time-wait timer) after 2*MSL" near_2msl "$d"
check "capture connect" capture_ok "$TMP/connect.pcap"

# serve closes first (HTTP with Connection: close), stays up, and its trace shows TIME-WAIT end.
mkdir -p "$TMP/www"
echo hi >"$TMP/www/index.html"
start_serve serve "http:$TMP/www" 8080 --trace --msl $MSL
nsx timeout 30 curl -sS -H "Connection: close" -o /dev/null "http://$L:8080/" || true
wait_line "$TMP/serve.err" "TIME-WAIT -> CLOSED" 10 || true
d=$(tw_seconds "$TMP/serve.err")
echo "serve: TIME-WAIT lasted $d s"
check "serve: ESTABLISHED -> FIN-WAIT-1 (close()) first" trace_has "$TMP/serve.err" "ESTABLISHED -> FIN-WAIT-1  \(close\(\)\)"
check "serve: TIME-WAIT -> CLOSED (time-wait timer) after 2*MSL" near_2msl "$d"
stop_pid "$SERVE_PID"
check "capture serve" capture_ok "$TMP/serve.pcap"

# The kernel closes first against serve discard: ss shows the kernel's socket in TIME-WAIT.
start_serve discard discard 9 --trace
rc=0
nsx timeout 30 python3 "$PEER" close-first "$L" 9 >"$TMP/kclient.out" 2>&1 || rc=$?
nsx ss -tan state time-wait >"$TMP/ss.out" 2>&1 || true
cat "$TMP/ss.out"
check "kernel client closed first" test "$rc" = 0
check "ss: the kernel's socket to $L:9 is in TIME-WAIT" grep -qE "$K:[0-9]+ +$L:9( |$)" "$TMP/ss.out"
check "serve: ESTABLISHED -> CLOSE-WAIT -> LAST-ACK -> CLOSED" \
  bash -c "grep -q 'ESTABLISHED -> CLOSE-WAIT  (rcvd F' '$TMP/discard.err' && grep -q 'LAST-ACK -> CLOSED  (rcvd .)' '$TMP/discard.err'"
stop_pid "$SERVE_PID"
check "capture discard" capture_ok "$TMP/discard.pcap"
interop_finish
