#!/usr/bin/env bash
# SACK (RFC 2018) against the kernel: lucidtcp offers SACK-permitted, the kernel answers with it,
# and 8 MiB go each way through a lossy link (lucidtcp's fault injector, both directions) with
# window scaling and timestamps negotiated too. The capture shows SACK-permitted in both SYNs and
# SACK blocks from both sides: the kernel reports lucidtcp's losses, lucidtcp the kernel's.
LUCIDTCP=$1
source "$(dirname "$0")/lib.sh"
interop_setup sack
lossy_exchange sack "loss=1%,delay=2ms"

# One line per segment: source, SYN flag, SACK-permitted present, first SACK left edge, TSval.
tshark -r "$TMP/sack.pcap" -n -T fields -E separator='|' -e ip.src -e tcp.flags.syn \
  -e tcp.options.sack_perm -e tcp.options.sack_le -e tcp.options.timestamp.tsval \
  >"$TMP/sack.fields" 2>/dev/null
syn_sack() { # $1 source address: its SYN carried SACK-permitted and a timestamp
  awk -F'|' -v a="$1" '$1 == a && $2 == 1 && $3 != "" && $5 != "" {ok = 1} END {exit !ok}' "$TMP/sack.fields"
}
blocks_from() { # $1 source address: some of its ACKs carried SACK blocks
  awk -F'|' -v a="$1" '$1 == a && $2 == 0 && $4 != "" {n++} END {print "  " n + 0 " segments with SACK blocks"; exit !(n > 0)}' "$TMP/sack.fields"
}
check "lucidtcp's SYN offers SACK-permitted" syn_sack "$L"
check "the kernel's SYN,ACK answers with it" syn_sack "$K"
check "the kernel reports SACK blocks" blocks_from "$K"
check "lucidtcp reports SACK blocks" blocks_from "$L"
interop_finish
