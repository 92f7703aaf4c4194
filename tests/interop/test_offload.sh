#!/usr/bin/env bash
# Issue 6, TUN offloads: lucidtcp with --offload (IFF_VNET_HDR, TUNSETOFFLOAD TUN_F_CSUM |
# TUN_F_TSO4 | TUN_F_TSO6) against the kernel, over IPv4 and (scenario 3) IPv6. Both directions at once, sizes that are not a multiple of the
# MSS, written in odd chunks; sha256 of everything. Large packets must really be used both ways:
# the capture (scenario 1) or the device's counters (scenario 2, no capture, so the kernel's
# partial checksums reach the stack unverified, as Linux's CHECKSUM_PARTIAL) show packets well
# above the MTU. The plain mode is what every other scenario runs.
LUCIDTCP=$1
source "$(dirname "$0")/lib.sh"
interop_setup offload tshark
MTU=1500

# big_from PCAP ADDR: packets from ADDR above the MTU in the capture (printed, must be > 0).
big_from() {
  local n f="ip.src == $2 && ip.len > $MTU"
  [[ $2 == *:* ]] && f="ipv6.src == $2 && ipv6.plen > $((MTU - 40))"
  n=$(tshark -r "$1" -n -Y "$f" -T fields -e frame.number 2>/dev/null | wc -l)
  echo "  $n packets above $MTU bytes from $2"
  [ "$n" -gt 0 ]
}

# odd_chunks FILE: FILE on stdout in writes of 1, 1447, 1449, 4097, 65537, 100003 bytes, flushed.
odd_chunks() {
  python3 -c '
import sys
sizes = [1, 1447, 1449, 4097, 65537, 100003]
with open(sys.argv[1], "rb") as f:
    i = 0
    while True:
        d = f.read(sizes[i % len(sizes)])
        if not d:
            break
        sys.stdout.buffer.write(d)
        sys.stdout.buffer.flush()
        i += 1
' "$1"
}

# 1. serve echo --offload: the kernel sends 16 MiB + 12345 and reads the echo at the same time.
SIZE=$((16 * 1024 * 1024 + 12345))
make_file "$TMP/data" $SIZE
start_serve serve echo 7 --offload
rc=0
nsx timeout 120 python3 "$PEER" echo-client "$L" 7 "$TMP/data" "$TMP/back1" >"$TMP/kclient.log" 2>&1 || rc=$?
stop_pid "$SERVE_PID"
check "kernel client finished" test "$rc" = 0
check "serve echo --offload: 16 MiB + 12345 came back whole (sha256)" same_file "$TMP/back1" "$TMP/data"
check "serve exits 0 on SIGTERM" rc_is 0
check "capture serve" capture_ok "$TMP/serve.pcap"
check "the kernel sent large packets (GRO-like, through the TUN device)" big_from "$TMP/serve.pcap" "$K"
check "lucidtcp sent large packets (TSO: the kernel cut them)" big_from "$TMP/serve.pcap" "$L"

# 2. connect --offload, no capture: odd-sized writes out (5,000,017 bytes), then the kernel's
# reply in (9,000,011 bytes). The device's counters say how large the packets were.
make_file "$TMP/a" 5000017
make_file "$TMP/b" 9000011
bg kpeer 120 python3 "$PEER" read-then-reply "$K" 6001 "$TMP/b"
KPID=$BG_PID
wait_line "$TMP/kpeer.out" "^listening" 10
stats0=$(nsx cat /sys/class/net/$DEV/statistics/{rx,tx}_{packets,bytes} | tr '\n' ' ')
rc=0
odd_chunks "$TMP/a" | nsx timeout 120 "$LUCIDTCP" connect --tun "$DEV" --addr "$LCIDR" --msl 0.2 \
  --offload "$K" 6001 >"$TMP/connect.data" 2>"$TMP/connect.err" || rc=$?
stats1=$(nsx cat /sys/class/net/$DEV/statistics/{rx,tx}_{packets,bytes} | tr '\n' ' ')
wait_pid "$KPID" 20
check "connect --offload exits 0" test "$rc" = 0
check "kernel read a whole (odd writes)" grep -q "^received 5000017 $(sha "$TMP/a")" "$TMP/kpeer.out"
check "lucidtcp read b whole" same_file "$TMP/connect.data" "$TMP/b"
# mean_above WHICH: mean bytes per packet the device counted in that direction, above the MTU.
mean_above() {
  python3 - "$1" $stats0 $stats1 <<'PY'
import sys
which, a, b = sys.argv[1], list(map(int, sys.argv[2:6])), list(map(int, sys.argv[6:10]))
# rx_packets rx_bytes tx_packets tx_bytes; the kernel's rx is what lucidtcp wrote.
d = [y - x for x, y in zip(a, b)]
pk, by = (d[0], d[1]) if which == "lucidtcp" else (d[2], d[3])
mean = by / pk if pk else 0
print(f"  {which}: {pk} packets, {by} bytes, {mean:.0f} bytes per packet")
sys.exit(0 if mean > 1500 else 1)
PY
}
check "lucidtcp's packets averaged above the MTU" mean_above lucidtcp
check "the kernel's packets averaged above the MTU" mean_above kernel

# 3. IPv6 (VIRTIO_NET_HDR_GSO_TCPV6): serve echo --offload on 2001:db8::2 as well; the kernel
# sends 4 MiB + 12345 over IPv6 and reads the echo at the same time. Addresses from
# 2001:db8::/32, IPv6 turned on in this namespace only.
K6=2001:db8::1
L6=2001:db8::2
nsx sysctl -qw net.ipv6.conf.all.disable_ipv6=0
nsx sysctl -qw "net.ipv6.conf.$DEV.disable_ipv6=0"
nsx ip -6 addr add "$K6/64" dev "$DEV" nodad
SIZE6=$((4 * 1024 * 1024 + 12345))
make_file "$TMP/data6" $SIZE6
start_serve serve6 echo 7 --offload --addr "$L6/64"
rc=0
nsx timeout 120 python3 "$PEER" echo-client "$L6" 7 "$TMP/data6" "$TMP/back6" >"$TMP/kclient6.log" 2>&1 || rc=$?
stop_pid "$SERVE_PID"
check "IPv6: kernel client finished" test "$rc" = 0
check "IPv6: serve echo --offload: 4 MiB + 12345 came back whole (sha256)" same_file "$TMP/back6" "$TMP/data6"
check "IPv6: capture serve6" bash "$INTEROP_DIR/tshark_check.sh" "$TMP/serve6.pcap" "$L6"
check "IPv6: the kernel sent large packets" big_from "$TMP/serve6.pcap" "$K6"
check "IPv6: lucidtcp sent large packets (TSO over IPv6: the kernel cut them)" big_from "$TMP/serve6.pcap" "$L6"
interop_finish
