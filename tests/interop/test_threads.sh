#!/usr/bin/env bash
# Issue 18: serve --threads 2 on a multi-queue TUN device: two stacks, each on its own thread and
# queue, the kernel spreading 48 clients over them by their ports (lucidtcp's steering program,
# or the kernel's flow hash where it is refused). Every client's bytes come back whole, both
# shards carried connections, and a signal stops both. Then 12 downloads from http:DIR at once,
# each shard lending its own mappings (zero-copy), and 16 clients over IPv6, spread too.
LUCIDTCP=$1
source "$(dirname "$0")/lib.sh"
interop_setup threads
# The device again, multi-queue this time (serve opens one queue per thread).
nsx ip link del "$DEV"
nsx ip tuntap add dev "$DEV" mode tun multi_queue
nsx ip addr add "$K/24" dev "$DEV"
nsx ip link set "$DEV" up
CLIENTS=48
SIZE=$((512 * 1024))
make_file "$TMP/data" $SIZE

# clients NAME HOST N: N echo clients at once to HOST:7; their exit status in rc, the echoes
# not whole in bad; stops serve.
clients() {
  rc=0
  nsx timeout 200 python3 "$PEER" echo-clients "$2" 7 "$TMP/data" "$TMP/$1" --n "$3" \
    >"$TMP/$1.log" 2>&1 || rc=$?
  bad=0
  for ((i = 0; i < $3; i++)); do
    same_file "$TMP/$1.$i" "$TMP/data" || bad=$((bad + 1))
  done
  stop_pid "$SERVE_PID"
}
# shard_in TRACE K: the packets shard K read from the device.
shard_in() { grep -o "shard $2: link: [0-9]* packets in" "$1" | grep -o '[0-9]* packets' | cut -d' ' -f1; }

start_serve serve echo 7 --trace --threads 2 --max-per-client 512
clients back "$L" $CLIENTS
check "the $CLIENTS clients finished" test "$rc" = 0
check "serve --threads 2: $CLIENTS clients got their 512 KiB back whole (sha256)" test "$bad" = 0
check "serve --threads 2 exits 0 on SIGTERM" rc_is 0
conns() { grep -c "SYN-RECEIVED -> ESTABLISHED" "$TMP/serve.err"; }
check "serve --threads 2: $CLIENTS connections established in all" test "$(conns)" = "$CLIENTS"
s0=$(shard_in "$TMP/serve.err" 0)
s1=$(shard_in "$TMP/serve.err" 1)
echo "packets in: shard 0 $s0, shard 1 $s1"
check "both shards carried connections (packets in: $s0 and $s1 > 1000)" test "${s0:-0}" -gt 1000 -a "${s1:-0}" -gt 1000
check "each shard's trace ends with its stack's counters" test "$(grep -c 'serve: shard [01]: stack:' "$TMP/serve.err")" = 2
check "capture of shard 0" capture_ok "$TMP/serve.pcap"
check "capture of shard 1 (FILE.1)" capture_ok "$TMP/serve.pcap.1"

# Zero-copy files on shards (issue 18): each shard lends mappings of the file to its own stack
# and unmaps them on its own last release. 12 downloads at once, spread over both shards.
W=$TMP/www
mkdir -p "$W"
make_file "$W/f.bin" $((4 << 20))
start_serve servezc "http:$W" 8080 --trace --threads 2
DL=12
pids=()
for ((i = 0; i < DL; i++)); do
  nsx timeout 60 curl -sS -o "$TMP/dl.$i" "http://$L:8080/f.bin" &
  pids+=($!)
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
# Every connection closed (the last piece acknowledged) before the signal: a piece still lent
# at exit would be released with ECANCELED instead (bounded: 10 s).
for ((i = 0; i < 200 && $(grep -c "LAST-ACK -> CLOSED" "$TMP/servezc.err") < DL; i++)); do sleep 0.05; done
stop_pid "$SERVE_PID"
bad=0
for ((i = 0; i < DL; i++)); do same_file "$TMP/dl.$i" "$W/f.bin" || bad=$((bad + 1)); done
check "serve --threads 2 http: $DL downloads at once arrive whole (sha256)" test "$rc" = 0 -a "$bad" = 0
check "serve --threads 2 http exits 0 on SIGTERM" rc_is 0
# sum_of PHRASE: the number before PHRASE in serve's trace, summed over both shards' lines.
sum_of() { grep -oE "[0-9]+ $1" "$TMP/servezc.err" | awk '{s += $1} END {print s + 0}'; }
lent=$(sum_of "buffers lent") acked=$(sum_of "released acknowledged")
bodies=$(sum_of "bodies lent from a mapping")
read -r unmapped mapped < <(grep -oE "[0-9]+ of [0-9]+ mappings unmapped" "$TMP/servezc.err" |
  awk '{u += $1; m += $3} END {print u + 0, m + 0}')
shards=$(grep -cE '^lucidtcp serve: shard [01]: files: ' "$TMP/servezc.err")
echo "zero-copy on shards: $lent lent, $acked acknowledged; $bodies bodies lent, $unmapped of $mapped mappings unmapped"
check "both shards' lent pieces were all released acknowledged ($acked of $lent)" test "$lent" -gt 0 -a "$acked" = "$lent"
check "every body was lent from a mapping ($bodies of $DL), every mapping unmapped ($unmapped of $mapped)" \
  test "$bodies" = "$DL" -a "$unmapped" = "$mapped" -a "$mapped" = "$DL"
check "both shards served files (files lines: $shards)" test "$shards" = 2

# IPv6 (issue 16): the steering program reads an IPv6 header's ports too (TCP right after the
# fixed header), so IPv6 clients spread over both shards as IPv4 ones do.
L6=2001:db8::2
nsx sysctl -qw net.ipv6.conf.all.disable_ipv6=0
nsx sysctl -qw net.ipv6.conf.default.disable_ipv6=0
nsx sysctl -qw "net.ipv6.conf.$DEV.disable_ipv6=0"
nsx ip -6 addr add 2001:db8::1/64 dev "$DEV" nodad
CLIENTS6=16
start_serve serve6 echo 7 --addr "$L6/64" --trace --threads 2
clients back6 "$L6" $CLIENTS6
check "serve --threads 2 over IPv6: $CLIENTS6 clients got their 512 KiB back whole" test "$rc" = 0 -a "$bad" = 0
s0=$(shard_in "$TMP/serve6.err" 0)
s1=$(shard_in "$TMP/serve6.err" 1)
echo "IPv6 packets in: shard 0 $s0, shard 1 $s1"
check "over IPv6 both shards carried connections (packets in: $s0 and $s1 > 300)" test "${s0:-0}" -gt 300 -a "${s1:-0}" -gt 300
check "capture of shard 0 over IPv6" bash "$INTEROP_DIR/tshark_check.sh" "$TMP/serve6.pcap" "$L6"

# A device made without multi_queue cannot take a second queue: the message says how to make one.
nsx ip link del "$DEV"
nsx ip tuntap add dev "$DEV" mode tun
rc=0
nsx timeout 20 "$LUCIDTCP" serve --tun "$DEV" --addr "$LCIDR" --port 7 --service echo --threads 2 \
  2>"$TMP/single.err" || rc=$?
check "serve --threads 2 on a single-queue device fails with 1" test "$rc" = 1
check "... saying it needs multi_queue" grep -q "multi_queue" "$TMP/single.err"
interop_finish
