#!/usr/bin/env bash
# Routes (issue 16): lucidtcp reaches a kernel host beyond its link through the kernel acting
# as a router, and is reached from there. Two namespaces of this scenario only: the first holds
# lucidtcp's TUN link (kernel 198.18.0.1/24, lucidtcp 198.18.0.2) and forwards (ip_forward on
# inside it alone) to a veth into the second, the far host 198.18.2.2/24 (gateway 198.18.2.1).
#   get with --gateway, with --route PREFIX,via=ADDR, and with neither (the link as the default
#   route); connect with --route, an echo both ways; serve reached from the far host; a
#   --route that does not hold the far host refuses it (exit 2) before anything is sent; a ping
#   from the far host over a 600-byte MTU reaches lucidtcp in fragments and is answered.
# tshark reads every capture.
LUCIDTCP=$1
source "$(dirname "$0")/lib.sh"
interop_setup routes ping tshark
FAR=198.18.2.2
ROUTER=198.18.2.1
interop_add_ns far
FARNS=$ADDED_NS
ip link add lrt-a netns "$NS" type veth peer name lrt-b netns "$FARNS"
nsx ip addr add "$ROUTER/24" dev lrt-a
nsx ip link set lrt-a up
ip netns exec "$FARNS" ip addr add "$FAR/24" dev lrt-b
ip netns exec "$FARNS" ip link set lrt-b up
ip netns exec "$FARNS" ip route add default via "$ROUTER"
nsx sysctl -qw net.ipv4.ip_forward=1
echo "far host $FAR in $FARNS, routed by the kernel of $NS"

# far NAME SECONDS CMD...: as bg, in the far host's namespace.
far() { bg_ns "$FARNS" "$@"; }

mkdir -p "$TMP/www"
make_file "$TMP/www/f.bin" 2097152
far farhttp 120 python3 "$PEER" http-server "$FAR" 8000 "$TMP/www"
wait_line "$TMP/farhttp.out" "^listening" 10

# get NAME ROUTE-OPTIONS...: 0 when the file arrived whole.
get() {
  local name=$1 rc=0
  shift
  nsx timeout 60 "$LUCIDTCP" get --tun "$DEV" --addr "$LCIDR" "$@" --pcap "$TMP/$name.pcap" \
    "http://$FAR:8000/f.bin" -o "$TMP/$name.bin" >"$TMP/$name.log" 2>"$TMP/$name.err" || rc=$?
  [ "$rc" = 0 ] || { echo "  exit $rc: $(cat "$TMP/$name.err")"; return 1; }
  same_file "$TMP/$name.bin" "$TMP/www/f.bin"
}
check "get through --gateway" get gw --gateway 198.18.0.1
check "get through --route PREFIX,via=ADDR" get via --route 198.18.2.0/24,via=198.18.0.1
check "get with no route given: the link is the default route" get dflt
for n in gw via dflt; do check "capture of $n" capture_ok "$TMP/$n.pcap"; done

rc=0
nsx timeout 10 "$LUCIDTCP" connect --tun "$DEV" --addr "$LCIDR" --route 198.18.3.0/24 "$FAR" 7 \
  </dev/null >/dev/null 2>"$TMP/noroute.err" || rc=$?
check "connect with routes that miss the far host: exit 2" test "$rc" = 2
check "connect with routes that miss the far host: says so" grep -qF "no route to $FAR" "$TMP/noroute.err"

# connect with a route: an echo server on the far host.
make_file "$TMP/a" 1048576
far farecho 60 python3 "$PEER" echo-server "$FAR" 7007
wait_line "$TMP/farecho.out" "^listening" 10
rc=0
nsx timeout 60 "$LUCIDTCP" connect --tun "$DEV" --addr "$LCIDR" --route 198.18.2.0/24,via=198.18.0.1 \
  --pcap "$TMP/echo.pcap" "$FAR" 7007 <"$TMP/a" >"$TMP/echo.bin" 2>"$TMP/echo.err" || rc=$?
check "connect through the router: exit 0" test "$rc" = 0
check "connect through the router: the echo whole" same_file "$TMP/echo.bin" "$TMP/a"
check "capture of connect" capture_ok "$TMP/echo.pcap"

# serve, reached from the far host through the router.
start_serve srv echo 7 --gateway 198.18.0.1
far farclient 60 python3 "$PEER" echo-client "$L" 7 "$TMP/a" "$TMP/farclient.bin"
wait_pid "$BG_PID" 60
check "serve reached from beyond the link: the echo whole" same_file "$TMP/farclient.bin" "$TMP/a"
stop_pid "$SERVE_PID"
check "capture of serve" capture_ok "$TMP/srv.pcap"

# Reassembly (RFC 791 §3.2): with 600 bytes of MTU between the router and the far host, a
# 1300-byte echo request from there reaches lucidtcp in fragments; lucidtcp makes it whole and
# answers (its reply, without DF, is cut by the router on the way back).
nsx ip link set lrt-a mtu 600
ip netns exec "$FARNS" ip link set lrt-b mtu 600
start_serve pinged echo 7
check "ping in fragments answered" \
  ip netns exec "$FARNS" timeout 20 ping -n -q -c 3 -i 0.2 -W 5 -M dont -s 1300 "$L"
stop_pid "$SERVE_PID"
check "the echo requests came in fragments" \
  test "$(tshark -r "$TMP/pinged.pcap" -Y 'ip.flags.mf == 1 && ip.proto == 1' 2>/dev/null | wc -l)" -ge 6
check "capture of the fragments" capture_ok "$TMP/pinged.pcap"
interop_finish
