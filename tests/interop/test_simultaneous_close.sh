#!/usr/bin/env bash
# Scenario 5, simultaneous close: both ends close at the same moment, so the FINs cross; the
# lucidtcp trace shows FIN-WAIT-1 -> CLOSING -> TIME-WAIT. So that "the same moment" does not
# depend on scheduling, lucidtcp's side of the link adds 150 ms each way (--impair delay): the
# FINs cross when the two closes are less than 150 ms apart. The moment is agreed once both
# ends are established (a fixed time from the start came before the handshake on a loaded
# machine): the test then creates the file GO, which the kernel's side polls every 2 ms and
# lucidtcp's standard input, ending at once, every 10 ms.
LUCIDTCP=$1
source "$(dirname "$0")/lib.sh"
interop_setup simultaneous-close ss

bg kserver 30 python3 "$PEER" close-at "$K" 6004 0 --go "$TMP/go"
KPID=$BG_PID
wait_line "$TMP/kserver.out" "^listening" 10
rc=0
# Standard input ends when GO appears: lucidtcp's close(). Bounded: 30 s of 10 ms polls.
{ for _ in $(seq 3000); do [ -e "$TMP/go" ] && break; sleep 0.01; done; } |
  nsx timeout 30 "$LUCIDTCP" connect --tun "$DEV" --addr "$LCIDR" --trace --msl 0.5 --time-wait \
    --impair delay=150ms --pcap "$TMP/connect.pcap" "$K" 6004 >/dev/null 2>"$TMP/connect.err" &
CPID=$!
PIDS+=("$CPID")
wait_line "$TMP/connect.err" "SYN-SENT -> ESTABLISHED" 20
wait_line "$TMP/kserver.out" "^accepted" 20
touch "$TMP/go"
wait "$CPID" || rc=$?
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
