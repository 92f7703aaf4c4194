#!/usr/bin/env bash
# Scenario 5, simultaneous close: both ends close at the same moment, so the FINs cross; the
# lucidtcp trace shows FIN-WAIT-1 -> CLOSING -> TIME-WAIT. So that "the same moment" does not
# depend on scheduling, lucidtcp's side of the link adds 150 ms each way (--impair delay), and
# both close at one agreed wall-clock time: the FINs are then 300 ms apart from crossing. The
# agreed time leaves 3 s for setting up both ends and the handshake, even on a loaded machine,
# and lucidtcp's side waits for it with sleep(1), not a second interpreter that may start late.
LUCIDTCP=$1
source "$(dirname "$0")/lib.sh"
interop_setup simultaneous-close ss
at=$(date +%s.%N | awk '{ printf "%.3f", $1 + 3.0 }')

bg kserver 30 python3 "$PEER" close-at "$K" 6004 "$at"
KPID=$BG_PID
wait_line "$TMP/kserver.out" "^listening" 10
rc=0
# Standard input ends at the agreed time: lucidtcp's close().
wait_s=$(date +%s.%N | awk -v at="$at" '{ d = at - $1; printf "%.3f", (d > 0 ? d : 0) }')
sleep "$wait_s" |
  nsx timeout 30 "$LUCIDTCP" connect --tun "$DEV" --addr "$LCIDR" --trace --msl 0.5 --time-wait \
    --impair delay=150ms --pcap "$TMP/connect.pcap" "$K" 6004 >/dev/null 2>"$TMP/connect.err" || rc=$?
wait_pid "$KPID" 10
grep -E " -> " "$TMP/connect.err" || true
check "connect exits 0" test "$rc" = 0
check "trace: ESTABLISHED -> FIN-WAIT-1 (close())" trace_has "$TMP/connect.err" "ESTABLISHED -> FIN-WAIT-1  \(close\(\)\)"
check "trace: FIN-WAIT-1 -> CLOSING on the kernel's FIN" trace_has "$TMP/connect.err" "FIN-WAIT-1 -> CLOSING  \(rcvd F"
check "trace: CLOSING -> TIME-WAIT on the ACK of our FIN" trace_has "$TMP/connect.err" "CLOSING -> TIME-WAIT  \(rcvd \."
check "trace: TIME-WAIT -> CLOSED (time-wait timer)" trace_has "$TMP/connect.err" "TIME-WAIT -> CLOSED  \(time-wait timer\)"
nsx ss -tan state time-wait >"$TMP/ss.out" 2>&1 || true
check "ss: the kernel's socket is in TIME-WAIT too (it closed simultaneously)" \
  grep -qE "$K:6004 +$L:[0-9]+" "$TMP/ss.out"
check "capture" capture_ok "$TMP/connect.pcap"
interop_finish
