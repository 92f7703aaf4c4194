#!/usr/bin/env bash
# IPv6 path MTU discovery (RFC 8201, issue 16): a 1280-byte link, IPv6's minimum (RFC 8200 §5),
# in the middle of the path. Three namespaces of this scenario only, IPv6 turned on in them and
# nowhere else, addresses from 2001:db8::/32: lucidtcp's TUN link (1500 bytes; kernel
# 2001:db8::1/64, lucidtcp 2001:db8::2, its gateway the kernel) in the first, whose kernel
# forwards over a 1280-byte veth (2001:db8:4::/64) to a middle router, which reaches the far
# host 2001:db8:2::2 over a 1500-byte veth (2001:db8:2::/64). The far host announces MSS 1440,
# so lucidtcp's full-sized segments meet the narrow link: the kernel answers ICMPv6 "packet too
# big, MTU 1280" (RFC 4443 §3.2), lucidtcp lowers its segment size and resends (an IPv6 router
# never fragments). An echo of 2 MiB both ways must come back whole; the capture must hold the
# packet too big and no packet from lucidtcp above 1280 bytes after it. Then `get` fetches a
# file from the far host's HTTP server with --route. tshark reads every capture.
LUCIDTCP=$1
source "$(dirname "$0")/lib.sh"
interop_setup pmtu6 tshark
K6=2001:db8::1
L6=2001:db8::2
FAR=2001:db8:2::2
v6_on() { # v6_on NAMESPACE: IPv6 on, forwarding as asked, in that namespace only
  ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=0
  ip netns exec "$1" sysctl -qw net.ipv6.conf.default.disable_ipv6=0
  ip netns exec "$1" sysctl -qw "net.ipv6.conf.all.forwarding=$2"
}
v6_on "$NS" 1
nsx sysctl -qw "net.ipv6.conf.$DEV.disable_ipv6=0"
nsx ip -6 addr add "$K6/64" dev "$DEV" nodad
interop_add_ns mid
MID=$ADDED_NS
v6_on "$MID" 1
interop_add_ns far
FAR_NS=$ADDED_NS
v6_on "$FAR_NS" 0
ip link add lp6-a netns "$NS" mtu 1280 type veth peer name lp6-b netns "$MID" mtu 1280
ip link add lp6-c netns "$MID" type veth peer name lp6-d netns "$FAR_NS"
nsx ip -6 addr add 2001:db8:4::1/64 dev lp6-a nodad
nsx ip link set lp6-a up
nsx ip -6 route add 2001:db8:2::/64 via 2001:db8:4::2
ip netns exec "$MID" ip -6 addr add 2001:db8:4::2/64 dev lp6-b nodad
ip netns exec "$MID" ip -6 addr add 2001:db8:2::1/64 dev lp6-c nodad
ip netns exec "$MID" ip link set lp6-b up
ip netns exec "$MID" ip link set lp6-c up
ip netns exec "$MID" ip -6 route add 2001:db8::/64 via 2001:db8:4::1
ip netns exec "$FAR_NS" ip -6 addr add "$FAR/64" dev lp6-d nodad
ip netns exec "$FAR_NS" ip link set lp6-d up
ip netns exec "$FAR_NS" ip -6 route add default via 2001:db8:2::1
echo "far host $FAR behind a 1280-byte link ($MID), a 1500-byte one to it ($FAR_NS)"

make_file "$TMP/a" 2097152
bg_ns "$FAR_NS" farecho 90 python3 "$PEER" echo-server "$FAR" 7007
wait_line "$TMP/farecho.out" "^listening" 10
rc=0
nsx timeout 90 "$LUCIDTCP" connect --tun "$DEV" --addr "$L6/64" --gateway "$K6" --trace \
  --pcap "$TMP/pmtu6.pcap" "$FAR" 7007 <"$TMP/a" >"$TMP/echo.bin" 2>"$TMP/echo.err" || rc=$?
check "connect over the narrow IPv6 path: exit 0" test "$rc" = 0
check "the echo came back whole" same_file "$TMP/echo.bin" "$TMP/a"
ptb=$(tshark -r "$TMP/pmtu6.pcap" -Y 'icmpv6.type == 2 && icmpv6.mtu == 1280' \
  -T fields -e frame.number 2>/dev/null | head -1)
check "the kernel said packet too big, MTU 1280" test -n "$ptb"
big=$(tshark -r "$TMP/pmtu6.pcap" -Y "frame.number > ${ptb:-0} && !icmpv6 && ipv6.src == $L6 && ipv6.plen > 1240" \
  2>/dev/null | wc -l)
check "no packet from lucidtcp above 1280 bytes after it" test "$big" = 0
check "lucidtcp sent segments of 1208 bytes (1280 - 60 - 12 of timestamps), or 1220" \
  test "$(tshark -r "$TMP/pmtu6.pcap" -Y "ipv6.src == $L6 && (tcp.len == 1208 || tcp.len == 1220)" 2>/dev/null | wc -l)" -gt 100
check "capture" bash "$INTEROP_DIR/tshark_check.sh" "$TMP/pmtu6.pcap" "$L6"

# get from a kernel HTTP server on the far host, through both routers, with a route rather
# than the gateway (issue 16: get and connect beyond the link in both families; test_routes.sh
# does IPv4).
mkdir -p "$TMP/www"
make_file "$TMP/www/f.bin" 1048576
bg_ns "$FAR_NS" farhttp 90 python3 "$PEER" http-server "$FAR" 8000 "$TMP/www"
wait_line "$TMP/farhttp.out" "^listening" 10
rc=0
nsx timeout 60 "$LUCIDTCP" get --tun "$DEV" --addr "$L6/64" --route "2001:db8:2::/48,via=$K6" \
  --pcap "$TMP/get6.pcap" "http://[$FAR]:8000/f.bin" -o "$TMP/get6.bin" \
  >"$TMP/get6.log" 2>"$TMP/get6.err" || rc=$?
check "get over IPv6 through the routers: exit 0" test "$rc" = 0
check "get over IPv6 through the routers: the file whole" same_file "$TMP/get6.bin" "$TMP/www/f.bin"
check "capture of get" bash "$INTEROP_DIR/tshark_check.sh" "$TMP/get6.pcap" "$L6"
interop_finish
