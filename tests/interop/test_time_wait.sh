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
# lucidtcp's SYN meets the kernel's TIME-WAIT of an earlier connection on the same 4-tuple, from
# a new process with other keys (--seed). When the SYN's ISN and TSval are not newer than the
# TIME-WAIT's (RFC 6191), Linux answers with the TIME-WAIT's ACK, and lucidtcp resets. Linux's
# TIME-WAIT runs PAWS on a reset with TSopt (against RFC 7323 §5.2), so one with TSval zero, as
# §5.2 recommends, was dropped whenever the TIME-WAIT's TS.Recent was below 2^31: the TIME-WAIT
# answered every SYN again for its 60 s, and the connect hung (get's -L loop once did, over an
# earlier get's port). The reset carries no TSopt now, as Linux's and FreeBSD's: it ends the
# TIME-WAIT, and the SYN sent again after the RTO opens the connection. Seeds 4 and then 9 give
# both conditions (checked below): a first TSval below 2^31 while the host's uptime is below
# about 18 days (the TSval clock is CLOCK_MONOTONIC's), and a second ISN and TSval not newer.
LPORT=40123
bg kfirst 30 python3 "$PEER" close-at "$K" 6010 0 --go "$TMP/go"
KPID=$BG_PID
wait_line "$TMP/kfirst.out" "^listening" 10
# lucidtcp's standard input ends once $TMP/eof exists (bounded: 30 s).
bg_in first 30 <(python3 -c "
import os, time
for _ in range(3000):
    if os.path.exists('$TMP/eof'): break
    time.sleep(0.01)
") "$LUCIDTCP" connect --tun "$DEV" --addr "$LCIDR" --local-port $LPORT --seed 4 --trace \
  --pcap "$TMP/first.pcap" "$K" 6010
FPID=$BG_PID
wait_line "$TMP/kfirst.out" "^accepted" 10
touch "$TMP/go" # the kernel closes first
wait_line "$TMP/first.err" "ESTABLISHED -> CLOSE-WAIT" 10
touch "$TMP/eof" # then lucidtcp: the kernel's end goes FIN-WAIT-2 -> TIME-WAIT
wait_pid "$FPID" 10
wait_pid "$KPID" 10
nsx ss -tan state time-wait >"$TMP/ss2.out" 2>&1 || true
check "the kernel holds TIME-WAIT for $K:6010 - $L:$LPORT" grep -qE "$K:6010 +$L:$LPORT( |$)" "$TMP/ss2.out"
tsval1=$(tshark -r "$TMP/first.pcap" -Y "ip.src == $L" -T fields -e tcp.options.timestamp.tsval \
  2>/dev/null | tail -1)
check "the first connection's last TSval ($tsval1) is below 2^31, where PAWS drops a TSval of zero" \
  test "${tsval1:-4294967295}" -lt 2147483648
bg ksecond 30 python3 "$PEER" close-after-eof "$K" 6010
KPID=$BG_PID
wait_line "$TMP/ksecond.out" "^listening" 10
rc=0
nsx timeout 20 "$LUCIDTCP" connect --tun "$DEV" --addr "$LCIDR" --local-port $LPORT --seed 9 \
  --trace --pcap "$TMP/second.pcap" "$K" 6010 </dev/null >/dev/null 2>"$TMP/second.err" || rc=$?
wait_pid "$KPID" 10
# pkts FILTER: the second connection's packets that match the tshark display filter.
pkts() { tshark -r "$TMP/second.pcap" -Y "$1" 2>/dev/null | wc -l; }
check "the TIME-WAIT answered the SYN with its ACK (seed 9: an ISN and TSval not newer)" \
  test "$(pkts "ip.src == $K && tcp.flags == 0x010 && frame.number == 2")" = 1
check "lucidtcp's reset to that ACK carries no timestamps" \
  test "$(pkts "ip.src == $L && tcp.flags.reset == 1 && !tcp.options.timestamp.tsval")" = 1
check "the SYN sent again opens the connection" test "$(pkts "tcp.flags == 0x012")" = 1
check "the second connect exits 0 (not stuck for the TIME-WAIT's 60 s)" test "$rc" = 0
interop_finish
