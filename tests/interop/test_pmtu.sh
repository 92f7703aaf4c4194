#!/usr/bin/env bash
# Path MTU discovery (RFC 1191, issue 16): a 1000-byte link in the middle of the path. Three
# namespaces of this scenario only: lucidtcp's TUN link (kernel 198.18.0.1/24, lucidtcp
# 198.18.0.2) in the first, whose kernel routes over a 1000-byte veth (198.18.4.0/24) to a
# middle router, which reaches the far host 198.18.2.2 over a 1500-byte veth (198.18.2.0/24).
# The far host announces MSS 1460, so lucidtcp's full-sized segments (DF set) meet the narrow
# link: the kernel answers "fragmentation needed, MTU 1000", lucidtcp lowers its segment size
# and resends. An echo of 2 MiB both ways must come back whole; the capture must hold that
# ICMP error and no TCP packet above 1000 bytes after it. tshark reads it.
LUCIDTCP=$1
source "$(dirname "$0")/lib.sh"
interop_setup pmtu tshark
interop_add_ns mid
MID=$ADDED_NS
interop_add_ns far
FAR_NS=$ADDED_NS
FAR=198.18.2.2
ip link add lpm-a netns "$NS" mtu 1000 type veth peer name lpm-b netns "$MID" mtu 1000
ip link add lpm-c netns "$MID" type veth peer name lpm-d netns "$FAR_NS"
nsx ip addr add 198.18.4.1/24 dev lpm-a
nsx ip link set lpm-a up
nsx ip route add 198.18.2.0/24 via 198.18.4.2
nsx sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$MID" ip addr add 198.18.4.2/24 dev lpm-b
ip netns exec "$MID" ip addr add 198.18.2.1/24 dev lpm-c
ip netns exec "$MID" ip link set lpm-b up
ip netns exec "$MID" ip link set lpm-c up
ip netns exec "$MID" ip route add 198.18.0.0/24 via 198.18.4.1
ip netns exec "$MID" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$FAR_NS" ip addr add "$FAR/24" dev lpm-d
ip netns exec "$FAR_NS" ip link set lpm-d up
ip netns exec "$FAR_NS" ip route add default via 198.18.2.1
echo "far host $FAR behind a 1000-byte link ($MID), a 1500-byte one to it ($FAR_NS)"

make_file "$TMP/a" 2097152
bg_ns "$FAR_NS" farecho 90 python3 "$PEER" echo-server "$FAR" 7007
wait_line "$TMP/farecho.out" "^listening" 10
rc=0
nsx timeout 90 "$LUCIDTCP" connect --tun "$DEV" --addr "$LCIDR" --gateway "$K" --trace \
  --pcap "$TMP/pmtu.pcap" "$FAR" 7007 <"$TMP/a" >"$TMP/echo.bin" 2>"$TMP/echo.err" || rc=$?
check "connect over the narrow path: exit 0" test "$rc" = 0
check "the echo came back whole" same_file "$TMP/echo.bin" "$TMP/a"
ptb=$(tshark -r "$TMP/pmtu.pcap" -Y 'icmp.type == 3 && icmp.code == 4 && icmp.mtu == 1000' \
  -T fields -e frame.number 2>/dev/null | head -1)
check "the kernel said fragmentation needed, MTU 1000" test -n "$ptb"
big=$(tshark -r "$TMP/pmtu.pcap" -Y "frame.number > ${ptb:-0} && !icmp && ip.src == $L && ip.len > 1000" \
  2>/dev/null | wc -l)
check "no packet from lucidtcp above 1000 bytes after it" test "$big" = 0
check "lucidtcp sent segments of 948 bytes (1000 - 40 - 12 of timestamps), or 960" \
  test "$(tshark -r "$TMP/pmtu.pcap" -Y "ip.src == $L && (tcp.len == 948 || tcp.len == 960)" 2>/dev/null | wc -l)" -gt 100
check "capture" capture_ok "$TMP/pmtu.pcap"
interop_finish
