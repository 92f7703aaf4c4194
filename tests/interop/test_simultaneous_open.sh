#!/usr/bin/env bash
# Scenario 4, simultaneous open: lucidtcp and a kernel socket each bind a fixed port and connect
# to the other at the same moment; both SYNs cross, and both ends reach ESTABLISHED over one
# connection, as the lucidtcp trace and the capture show. lucidtcp's side of the link adds
# 400 ms each way (--impair delay), so "the same moment" need only be within 400 ms.
LUCIDTCP=$1
source "$(dirname "$0")/lib.sh"
interop_setup simultaneous-open
KPORT=5100 LPORT=5200

# lucidtcp first (so the device has its reader when the kernel's SYN comes): its SYN waits
# 400 ms in the delay line; the kernel connects as soon as the trace shows SYN-SENT.
bg kpeer 30 python3 "$PEER" simultaneous-open "$L" $LPORT "$K" $KPORT 0 --go "$TMP/go"
KPID=$BG_PID
wait_line "$TMP/kpeer.out" "^bound" 10
echo "from lucidtcp" >"$TMP/line"
bg_in connect 30 "$TMP/line" "$LUCIDTCP" connect --tun "$DEV" --addr "$LCIDR" --trace --msl 0.5 \
  --impair delay=400ms --local-port $LPORT --pcap "$TMP/connect.pcap" "$K" $KPORT
LPID=$BG_PID
wait_line "$TMP/connect.err" "CLOSED -> SYN-SENT" 10
touch "$TMP/go"
wait_pid "$KPID" 20
wait_pid "$LPID" 20
rc=$WAIT_RC
grep -E " -> " "$TMP/connect.err" || true
check "connect exits 0" test "$rc" = 0
check "kernel: connected, read lucidtcp's line" grep -q "^connected from lucidtcp" "$TMP/kpeer.out"
check "lucidtcp read the kernel's line" grep -q "^from the kernel" "$TMP/connect.out"
check "trace: SYN-SENT -> SYN-RECEIVED on the kernel's SYN" trace_has "$TMP/connect.err" "SYN-SENT -> SYN-RECEIVED  \(rcvd S\)"
check "trace: SYN-RECEIVED -> ESTABLISHED" trace_has "$TMP/connect.err" "SYN-RECEIVED -> ESTABLISHED  \(rcvd "
check "trace: one connection (one SYN-SENT)" test "$(grep -c 'CLOSED -> SYN-SENT' "$TMP/connect.err")" = 1
# The capture: a SYN from each side (neither an answer), then a SYN,ACK from each side; one
# TCP stream.
syns() {
  tshark -r "$TMP/connect.pcap" -n -Y "tcp.flags.syn==1 && tcp.flags.ack==$2 && ip.src==$1" \
    -T fields -e frame.number 2>/dev/null | wc -l
}
check "capture: a bare SYN from lucidtcp" test "$(syns "$L" 0)" -ge 1
check "capture: a bare SYN from the kernel" test "$(syns "$K" 0)" -ge 1
check "capture: a SYN,ACK from each side" bash -c "test $(syns "$L" 1) -ge 1 && test $(syns "$K" 1) -ge 1"
streams=$(tshark -r "$TMP/connect.pcap" -n -T fields -e tcp.stream 2>/dev/null | sort -u | grep -c .)
check "capture: one TCP stream" test "$streams" = 1
check "capture" capture_ok "$TMP/connect.pcap"
interop_finish
