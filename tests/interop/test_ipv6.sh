#!/usr/bin/env bash
# IPv6 beside IPv4 (issue 16, RFC 8200) against the kernel over TUN: serve with both families
# answers `curl -6` and `curl -4`; `get` fetches from a kernel HTTP server over IPv6
# (http://[2001:db8::1]:PORT/); `connect` reaches a kernel listener over IPv6. Addresses from
# 2001:db8::/32 inside the scenario's namespace only (IPv6 turned on there, nowhere else).
LUCIDTCP=$1
source "$(dirname "$0")/lib.sh"
interop_setup ipv6 curl python3
K6=2001:db8::1
L6=2001:db8::2
nsx sysctl -qw net.ipv6.conf.all.disable_ipv6=0
nsx sysctl -qw net.ipv6.conf.default.disable_ipv6=0
nsx sysctl -qw "net.ipv6.conf.$DEV.disable_ipv6=0"
nsx ip -6 addr add "$K6/64" dev "$DEV" nodad
W=$TMP/www
mkdir -p "$W"
make_file "$W/f.bin" 1048576
echo "hello over IPv6" >"$W/hello.txt"

# serve, both families
bg serve 120 "$LUCIDTCP" serve --tun "$DEV" --addr "$LCIDR" --addr "$L6/64" --port 8080 \
  --service "http:$W" --pcap "$TMP/serve.pcap"
SERVE_PID=$BG_PID
check "serve says it listens on both families" \
  wait_line "$TMP/serve.err" "^lucidtcp serve: .* on $L:8080 and \[$L6\]:8080" 10
check "curl -6: a small file" nsx timeout 20 curl -6 -sS -o "$TMP/hello6" "http://[$L6]:8080/hello.txt"
check "curl -6: the bytes" same_file "$TMP/hello6" "$W/hello.txt"
check "curl -6: 1 MiB" nsx timeout 30 curl -6 -sS -o "$TMP/big6" "http://[$L6]:8080/f.bin"
check "curl -6: 1 MiB whole" same_file "$TMP/big6" "$W/f.bin"
check "curl -4 to the same listener" nsx timeout 20 curl -4 -sS -o "$TMP/hello4" "http://$L:8080/hello.txt"
check "curl -4: the bytes" same_file "$TMP/hello4" "$W/hello.txt"
check "the access log names the IPv6 peer" grep -qF "serve: [$K6]:" "$TMP/serve.err"
stop_pid "$SERVE_PID"
check "serve's capture holds IPv6 TCP" \
  bash -c "tshark -r '$TMP/serve.pcap' -Y 'ipv6 && tcp' 2>/dev/null | grep -q ."

# get from a kernel server over IPv6
bg kserver 60 python3 -m http.server 8081 --bind "$K6" --directory "$W"
KS_PID=$BG_PID
for _ in $(seq 1 100); do nsx ss -ltn | grep -q ":8081" && break; sleep 0.05; done
rc=0
nsx timeout 30 "$LUCIDTCP" get --tun "$DEV" --addr "$L6/64" -o "$TMP/got6" \
  "http://[$K6]:8081/f.bin" >"$TMP/get.out" 2>"$TMP/get.err" || rc=$?
check "get http://[$K6]:8081/: exits 0" test "$rc" = 0
check "get over IPv6: 1 MiB whole" same_file "$TMP/got6" "$W/f.bin"
stop_pid "$KS_PID"

# connect to a kernel listener over IPv6
bg klisten 30 python3 -c "
import socket
s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('$K6', 8082)); s.listen(1); c, a = s.accept(); print(a[0], flush=True)
c.sendall(b'hi from the kernel\n'); c.close()"
KL_PID=$BG_PID
for _ in $(seq 1 100); do nsx ss -ltn | grep -q ":8082" && break; sleep 0.05; done
rc=0
nsx timeout 20 "$LUCIDTCP" connect --tun "$DEV" --addr "$L6/64" "$K6" 8082 </dev/null \
  >"$TMP/conn.out" 2>"$TMP/conn.err" || rc=$?
check "connect $K6 8082: exits 0" test "$rc" = 0
check "connect over IPv6: the kernel's line" grep -q "hi from the kernel" "$TMP/conn.out"
wait_pid "$KL_PID" 5
check "the kernel saw lucidtcp's IPv6 address" grep -q "^$L6" "$TMP/klisten.out"
interop_finish
