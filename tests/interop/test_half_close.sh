#!/usr/bin/env bash
# Scenario 3, half-close: each side shuts down its sending direction first and keeps reading
# the other's data, which arrives whole (sha256).
LUCIDTCP=$1
source "$(dirname "$0")/lib.sh"
interop_setup half-close
C=("$LUCIDTCP" connect --tun "$DEV" --addr "$LCIDR" --trace --msl 0.5)
make_file "$TMP/a" 2097152
make_file "$TMP/b" 2097152

# lucidtcp first: it sends a, its FIN, then reads b, which the kernel sends only after the FIN.
bg kfirst 60 python3 "$PEER" read-then-reply "$K" 6001 "$TMP/b"
KPID=$BG_PID
wait_line "$TMP/kfirst.out" "^listening" 10
rc=0
nsx timeout 60 "${C[@]}" --pcap "$TMP/lfirst.pcap" "$K" 6001 <"$TMP/a" >"$TMP/lfirst.data" \
  2>"$TMP/lfirst.err" || rc=$?
wait_pid "$KPID" 10
check "lucidtcp first: connect exits 0" test "$rc" = 0
check "lucidtcp first: kernel read a whole" grep -q "^received 2097152 $(sha "$TMP/a")" "$TMP/kfirst.out"
check "lucidtcp first: lucidtcp read b whole after its FIN" same_file "$TMP/lfirst.data" "$TMP/b"
check "lucidtcp first: trace ESTABLISHED -> FIN-WAIT-1 (close())" \
  trace_has "$TMP/lfirst.err" "ESTABLISHED -> FIN-WAIT-1  \(close\(\)\)"
check "lucidtcp first: trace FIN-WAIT-2 -> TIME-WAIT on the kernel's FIN" \
  trace_has "$TMP/lfirst.err" "FIN-WAIT-2 -> TIME-WAIT  \(rcvd F"
check "capture lucidtcp first" capture_ok "$TMP/lfirst.pcap"

# The kernel first: it sends b and its FIN at once; lucidtcp's input (a) starts only once the
# trace shows the FIN arrived (CLOSE-WAIT), and the kernel reads all of it.
bg kfirst2 60 python3 "$PEER" send-shut-then-read --listen "$K" 6002 "$TMP/b"
KPID=$BG_PID
wait_line "$TMP/kfirst2.out" "^listening" 10
: >"$TMP/kfirst.err"
rc=0
{
  for _ in $(seq 200); do grep -q "CLOSE-WAIT" "$TMP/kfirst.err" && break; sleep 0.05; done
  cat "$TMP/a"
} | nsx timeout 60 "${C[@]}" --pcap "$TMP/kfirst.pcap" "$K" 6002 >"$TMP/kfirst.data" \
  2>"$TMP/kfirst.err" || rc=$?
wait_pid "$KPID" 10
check "kernel first: connect exits 0" test "$rc" = 0
check "kernel first: lucidtcp read b whole" same_file "$TMP/kfirst.data" "$TMP/b"
check "kernel first: kernel shut down, then read a whole" \
  grep -qz "shut.*received 2097152 $(sha "$TMP/a")" "$TMP/kfirst2.out"
check "kernel first: trace ESTABLISHED -> CLOSE-WAIT on the kernel's FIN" \
  trace_has "$TMP/kfirst.err" "ESTABLISHED -> CLOSE-WAIT  \(rcvd F"
check "kernel first: trace CLOSE-WAIT -> LAST-ACK -> CLOSED" \
  bash -c "grep -q 'CLOSE-WAIT -> LAST-ACK  (close())' '$TMP/kfirst.err' && grep -q 'LAST-ACK -> CLOSED  (rcvd .)' '$TMP/kfirst.err'"
check "capture kernel first" capture_ok "$TMP/kfirst.pcap"

# The kernel first against serve echo: it reads while it sends, shuts down when its data is
# sent, and the echo keeps coming after its FIN.
start_serve echo echo 7 --trace --msl 0.5
rc=0
nsx timeout 60 python3 "$PEER" echo-client "$L" 7 "$TMP/a" "$TMP/kecho.data" >"$TMP/kecho.out" 2>&1 || rc=$?
stop_pid "$SERVE_PID"
check "echo: kernel shut down, then read its data back whole" same_file "$TMP/kecho.data" "$TMP/a"
check "echo: serve trace CLOSE-WAIT -> LAST-ACK" trace_has "$TMP/echo.err" "CLOSE-WAIT -> LAST-ACK  \(close\(\)\)"
check "echo: serve exits 0 on SIGTERM" rc_is 0
check "capture echo" capture_ok "$TMP/echo.pcap"
interop_finish
