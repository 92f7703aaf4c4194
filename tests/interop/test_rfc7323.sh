#!/usr/bin/env bash
# RFC 7323 against the kernel: lucidtcp offers window scaling and timestamps, the kernel answers
# with both, and 8 MiB go each way through a lossy link (lucidtcp's fault injector, both
# directions). The capture shows the options in both SYNs, a timestamp on every segment either
# side sends after them, and the kernel's windows above 65535 bytes once scaled.
LUCIDTCP=$1
source "$(dirname "$0")/lib.sh"
interop_setup rfc7323
seed=${LUCIDTCP_IMPAIR_SEED:-$RANDOM}
echo "(replay these faults: LUCIDTCP_IMPAIR_SEED=$seed ctest -R interop_rfc7323)"
make_file "$TMP/a" 8388608
make_file "$TMP/b" 8388608
bg kpeer 120 python3 "$PEER" read-then-reply "$K" 6001 "$TMP/b"
KPID=$BG_PID
wait_line "$TMP/kpeer.out" "^listening" 10
rc=0
nsx timeout 120 "$LUCIDTCP" connect --tun "$DEV" --addr "$LCIDR" --msl 0.5 \
  --impair "loss=1%,reorder=2%,delay=2ms,seed=$seed" --pcap "$TMP/ws.pcap" "$K" 6001 \
  <"$TMP/a" >"$TMP/ws.data" 2>"$TMP/ws.err" || rc=$?
wait_pid "$KPID" 20
check "connect exits 0" test "$rc" = 0
check "kernel read a whole" grep -q "^received 8388608 $(sha "$TMP/a")" "$TMP/kpeer.out"
check "lucidtcp read b whole" same_file "$TMP/ws.data" "$TMP/b"
check "capture" capture_ok "$TMP/ws.pcap"

# One line per segment: source, SYN flag, window shift offered, TSval present, scaled window.
tshark -r "$TMP/ws.pcap" -n -T fields -E separator='|' -e ip.src -e tcp.flags.syn \
  -e tcp.flags.reset -e tcp.options.wscale.shift -e tcp.options.timestamp.tsval \
  -e tcp.window_size >"$TMP/ws.fields" 2>/dev/null
syn_opts() { # $1 source address: its SYN offered a window shift and a timestamp
  awk -F'|' -v a="$1" '$1 == a && $2 == 1 && $4 != "" && $5 != "" {ok = 1} END {exit !ok}' "$TMP/ws.fields"
}
ts_everywhere() { # every non-RST segment carries a timestamp
  awk -F'|' '$3 != 1 && $5 == "" {bad++} END {if (bad) print "  " bad " segments without TSopt"; exit bad > 0}' "$TMP/ws.fields"
}
kernel_scaled() { # the kernel's window, scaled, above what 16 bits carry
  awk -F'|' -v a="$K" '$1 == a && $2 == 0 && $6 > 65535 {ok = 1} END {exit !ok}' "$TMP/ws.fields"
}
check "lucidtcp's SYN offers WSopt and TSopt" syn_opts "$L"
check "the kernel's SYN,ACK answers with both" syn_opts "$K"
check "every segment both ways carries TSopt" ts_everywhere
check "the kernel's window is scaled past 65535" kernel_scaled
interop_finish
