#!/usr/bin/env bash
# Scenario 8: scenarios 1 and 2 over an impaired link (loss 5%, delay 10 ms with jitter,
# reorder 10%, duplicate 1%, corrupt 0.5%) still complete with matching sha256.
#
# The impairments go on the kernel's side of the TUN device with `tc qdisc ... netem` where the
# kernel has netem (sch_netem). Where it does not, lucidtcp's side of the link injects the same
# faults in both directions (--impair, the loop's fault injector), and the test says so.
# Sizes are smaller than scenarios 1 and 2's: lucidtcp has no fast retransmit yet (every loss
# costs it a retransmission timeout), and the suite must stay within minutes.
LUCIDTCP=$1
source "$(dirname "$0")/lib.sh"
INTEROP_LIMIT=${INTEROP_LIMIT:-400}
interop_setup impair curl tc
HTTP_SIZE=$((1024 * 1024))
ECHO_SIZE=$((512 * 1024))
NETEM="delay 10ms 5ms reorder 10% duplicate 1% corrupt 0.5% loss 5%"
IMPAIR=()
if nsx tc qdisc add dev "$DEV" root netem $NETEM 2>"$TMP/tc.err"; then
  echo "netem on the kernel's side of $DEV: $NETEM"
else
  seed=${LUCIDTCP_IMPAIR_SEED:-$(( $$ % 100000 ))}
  IMPAIR=(--impair "delay=10ms,jitter=5ms,reorder=10%,duplicate=1%,corrupt=0.5%,loss=5%,seed=$seed")
  echo "netem is not available here ($(head -n1 "$TMP/tc.err")): lucidtcp's side of the link"
  echo "injects the faults in both directions instead: ${IMPAIR[1]}"
  echo "(replay these faults: LUCIDTCP_IMPAIR_SEED=$seed ctest -R interop_impair)"
fi
mkdir -p "$TMP/www"
make_file "$TMP/www/file.bin" $HTTP_SIZE
make_file "$TMP/echo.bin" $ECHO_SIZE
seconds() { python3 -c "print(f'{$2-$1:.1f}')"; }

# 1a: curl <- serve http
start_serve serve "http:$TMP/www" 8080 "${IMPAIR[@]}"
t0=$(date +%s.%N)
nsx timeout 70 curl -sS -o "$TMP/curl.bin" "http://$L:8080/file.bin" 2>"$TMP/curl.log" || true
echo "curl <- serve: $((HTTP_SIZE >> 10)) KiB in $(seconds "$t0" "$(date +%s.%N)") s"
check "impaired: curl <- serve, sha256 matches" same_file "$TMP/curl.bin" "$TMP/www/file.bin"

# 2a: the kernel echoes through serve echo, both directions at once
stop_pid "$SERVE_PID"
check "capture serve http" capture_ok "$TMP/serve.pcap"
start_serve sech echo 7 "${IMPAIR[@]}"
t0=$(date +%s.%N)
nsx timeout 70 python3 "$PEER" echo-client "$L" 7 "$TMP/echo.bin" "$TMP/echo1.bin" >"$TMP/kecho.log" 2>&1 || true
echo "kernel <-> serve echo: $((ECHO_SIZE >> 10)) KiB each way in $(seconds "$t0" "$(date +%s.%N)") s"
check "impaired: echo through serve, sha256 matches" same_file "$TMP/echo1.bin" "$TMP/echo.bin"
stop_pid "$SERVE_PID"
check "capture serve echo" capture_ok "$TMP/sech.pcap"

# 1b: lucidtcp get <- python3 http.server
bg pyhttp 200 python3 -m http.server --bind "$K" --directory "$TMP/www" 8000
wait_line "$TMP/pyhttp.out" "Serving HTTP" 10 || wait_line "$TMP/pyhttp.err" "Serving HTTP" 5
t0=$(date +%s.%N)
nsx timeout 70 "$LUCIDTCP" get --tun "$DEV" --addr "$LCIDR" --msl 0.2 "${IMPAIR[@]}" \
  --pcap "$TMP/get.pcap" "http://$K:8000/file.bin" -o "$TMP/get.bin" 2>"$TMP/get.err" || true
echo "get <- python3 http.server: $((HTTP_SIZE >> 10)) KiB in $(seconds "$t0" "$(date +%s.%N)") s"
check "impaired: get <- python3 http.server, sha256 matches" same_file "$TMP/get.bin" "$TMP/www/file.bin"
check "capture get" capture_ok "$TMP/get.pcap"

# 2b: lucidtcp connect echoes through a kernel echo server
bg kserver 200 python3 "$PEER" echo-server "$K" 7007
wait_line "$TMP/kserver.out" "^listening" 10
t0=$(date +%s.%N)
nsx timeout 70 "$LUCIDTCP" connect --tun "$DEV" --addr "$LCIDR" --msl 0.2 "${IMPAIR[@]}" \
  --pcap "$TMP/connect.pcap" "$K" 7007 <"$TMP/echo.bin" >"$TMP/echo2.bin" 2>"$TMP/connect.err" || true
echo "connect <-> kernel echo: $((ECHO_SIZE >> 10)) KiB each way in $(seconds "$t0" "$(date +%s.%N)") s"
check "impaired: connect through a kernel echo server, sha256 matches" same_file "$TMP/echo2.bin" "$TMP/echo.bin"
check "capture connect" capture_ok "$TMP/connect.pcap"
interop_finish
