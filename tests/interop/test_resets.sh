#!/usr/bin/env bash
# Scenario 6, resets: a connect to a port with no listener fails with ECONNREFUSED on both
# sides; an abort in the middle of a transfer gives the peer ECONNRESET, both ways.
LUCIDTCP=$1
source "$(dirname "$0")/lib.sh"
interop_setup resets
C=("$LUCIDTCP" connect --tun "$DEV" --addr "$LCIDR" --trace)

# lucidtcp -> kernel port 9, nobody listening: the kernel answers RST, connect says ECONNREFUSED.
rc=0
nsx timeout 30 "${C[@]}" --pcap "$TMP/refused-out.pcap" "$K" 9 </dev/null >/dev/null \
  2>"$TMP/refused-out.err" || rc=$?
check "lucidtcp connect to a closed kernel port exits 1" test "$rc" = 1
check "lucidtcp connect says ECONNREFUSED" grep -q "connection refused (ECONNREFUSED)" "$TMP/refused-out.err"
check "trace: SYN-SENT -> CLOSED on the RST, ECONNREFUSED" \
  trace_has "$TMP/refused-out.err" "SYN-SENT -> CLOSED  \(rcvd R\.?\) ECONNREFUSED"
check "capture refused-out" capture_ok "$TMP/refused-out.pcap"

# lucidtcp aborts (SIGTERM resets its connection) while the kernel reads: ECONNRESET there.
bg kreset 30 python3 "$PEER" expect-reset --listen "$K" 5001
KPID=$BG_PID
wait_line "$TMP/kreset.out" "^listening" 10
bg_in abort-out 30 /dev/zero "${C[@]}" --pcap "$TMP/abort-out.pcap" "$K" 5001
APID=$BG_PID
wait_line "$TMP/abort-out.err" "SYN-SENT -> ESTABLISHED" 10
wait_line "$TMP/kreset.out" "^receiving" 10 # data has flowed (not a fixed sleep: CI may be slow)
stop_pid "$APID"
check "lucidtcp connect exits 143 on SIGTERM" rc_is 143
wait_pid "$KPID" 10
check "kernel reader: ECONNRESET" rc_is 0
check "kernel reader saw ECONNRESET after data" grep -qE "^ECONNRESET after [1-9]" "$TMP/kreset.out"
check "trace: ESTABLISHED -> CLOSED  (abort())" trace_has "$TMP/abort-out.err" "ESTABLISHED -> CLOSED  \(abort\(\)\)"
check "capture abort-out" capture_ok "$TMP/abort-out.pcap"

# serve resets its open connections on SIGTERM: a kernel client reading chargen sees ECONNRESET.
start_serve chargen chargen 19 --trace
bg kclient 30 python3 "$PEER" expect-reset "$L" 19
KPID=$BG_PID
wait_line "$TMP/chargen.err" "SYN-RECEIVED -> ESTABLISHED" 10
wait_line "$TMP/kclient.out" "^receiving" 10
stop_pid "$SERVE_PID"
check "serve exits 0 on SIGTERM" rc_is 0
wait_pid "$KPID" 10
check "kernel chargen client: ECONNRESET" rc_is 0
check "capture chargen" capture_ok "$TMP/chargen.pcap"

# The kernel aborts (SO_LINGER 0) after 1 MB while lucidtcp is still sending: ECONNRESET here.
bg kabort 30 python3 "$PEER" abort-after "$K" 5002 1000000
KPID=$BG_PID
wait_line "$TMP/kabort.out" "^listening" 10
rc=0
nsx timeout 30 "${C[@]}" --pcap "$TMP/abort-in.pcap" "$K" 5002 </dev/zero >/dev/null \
  2>"$TMP/abort-in.err" || rc=$?
wait_pid "$KPID" 10
check "kernel aborted after 1 MB" rc_is 0
check "lucidtcp connect exits 1 on the peer's reset" test "$rc" = 1
check "lucidtcp connect says ECONNRESET" grep -q "connection reset by peer (ECONNRESET)" "$TMP/abort-in.err"
check "trace: ESTABLISHED -> CLOSED on the RST, ECONNRESET" \
  trace_has "$TMP/abort-in.err" "ESTABLISHED -> CLOSED  \(rcvd R\.?\) ECONNRESET"
check "capture abort-in" capture_ok "$TMP/abort-in.pcap"

# kernel -> lucidtcp port 9, nobody listening there (serve listens on 7): lucidtcp answers RST.
# (One lucidtcp process at a time: a TUN device has one reader.)
start_serve serve echo 7 --trace
check "kernel connect to a closed lucidtcp port: ECONNREFUSED" \
  nsx timeout 30 python3 "$PEER" expect-refused "$L" 9
stop_pid "$SERVE_PID"
check "serve exits 0 on SIGTERM" rc_is 0
check "capture serve" capture_ok "$TMP/serve.pcap"
interop_finish
