#!/usr/bin/env bash
# RFC 7323 against the kernel: lucidtcp offers window scaling and timestamps, the kernel answers
# with both, and 8 MiB go each way through a lossy link (lucidtcp's fault injector, both
# directions). The capture shows the options in both SYNs, a timestamp on every segment either
# side sends after them, and the kernel's windows above 65535 bytes once scaled.
LUCIDTCP=$1
source "$(dirname "$0")/lib.sh"
interop_setup rfc7323
lossy_exchange rfc7323 "loss=1%,reorder=2%,delay=2ms"

# One line per segment: source, SYN flag, window shift offered, TSval present, scaled window.
tshark -r "$TMP/rfc7323.pcap" -n -T fields -E separator='|' -e ip.src -e tcp.flags.syn \
  -e tcp.flags.reset -e tcp.options.wscale.shift -e tcp.options.timestamp.tsval \
  -e tcp.window_size >"$TMP/rfc7323.fields" 2>/dev/null
syn_opts() { # $1 source address: its SYN offered a window shift and a timestamp
  awk -F'|' -v a="$1" '$1 == a && $2 == 1 && $4 != "" && $5 != "" {ok = 1} END {exit !ok}' "$TMP/rfc7323.fields"
}
ts_everywhere() { # every non-RST segment carries a timestamp
  awk -F'|' '$3 != 1 && $5 == "" {bad++} END {if (bad) print "  " bad " segments without TSopt"; exit bad > 0}' "$TMP/rfc7323.fields"
}
kernel_scaled() { # the kernel's window, scaled, above what 16 bits carry
  awk -F'|' -v a="$K" '$1 == a && $2 == 0 && $6 > 65535 {ok = 1} END {exit !ok}' "$TMP/rfc7323.fields"
}
check "lucidtcp's SYN offers WSopt and TSopt" syn_opts "$L"
check "the kernel's SYN,ACK answers with both" syn_opts "$K"
check "every segment both ways carries TSopt" ts_everywhere
check "the kernel's window is scaled past 65535" kernel_scaled
interop_finish
