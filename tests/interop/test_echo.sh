#!/usr/bin/env bash
# Scenario 2: 16 MiB echoed in both directions at once (each side sends while it receives),
# with lucidtcp as the echo server and as the client; sha256 of what came back.
LUCIDTCP=$1
source "$(dirname "$0")/lib.sh"
interop_setup echo
SIZE=$((16 * 1024 * 1024))
make_file "$TMP/data" $SIZE

# The kernel (python3, a sending thread and a reading one) against serve echo.
start_serve serve echo 7 --trace
t0=$(date +%s.%N)
rc=0
nsx timeout 120 python3 "$PEER" echo-client "$L" 7 "$TMP/data" "$TMP/back1" >"$TMP/kclient.log" 2>&1 || rc=$?
t1=$(date +%s.%N)
stop_pid "$SERVE_PID"
echo "serve echo: 16 MiB each way in $(python3 -c "print(f'{$t1-$t0:.2f}')") s"
check "kernel client finished" test "$rc" = 0
check "serve echo: 16 MiB came back whole (sha256)" same_file "$TMP/back1" "$TMP/data"
check "serve exits 0 on SIGTERM" rc_is 0
check "capture serve" capture_ok "$TMP/serve.pcap"

# The same with busy polling (--busy-poll): the loop polls instead of sleeping while the
# transfer runs, and the data is the same.
start_serve serve_poll echo 7 --trace --busy-poll 200
rc=0
nsx timeout 120 python3 "$PEER" echo-client "$L" 7 "$TMP/data" "$TMP/back3" >"$TMP/kclient3.log" 2>&1 || rc=$?
stop_pid "$SERVE_PID"
check "kernel client finished (busy polling)" test "$rc" = 0
check "serve echo --busy-poll: 16 MiB came back whole (sha256)" same_file "$TMP/back3" "$TMP/data"
polls() { grep -o '[0-9]* busy polls' "$TMP/$1.err" | cut -d' ' -f1; }
check "serve --busy-poll: the loop polled (trace: busy polls > 0)" test "$(polls serve_poll)" -gt 0
check "serve without --busy-poll never polls (trace: 0 busy polls)" test "$(polls serve)" = 0
segs_in() { grep -o 'stack: [0-9]* segments in' "$TMP/$1.err" | cut -d' ' -f2; }
check "trace ends with the stack's counters (16 MiB is over 10000 segments in)" \
  test "$(segs_in serve_poll)" -gt 10000

# Device I/O both ways (--io): the runs above take the default, io_uring where the kernel allows
# it; this one reads and writes a packet per system call. The same bytes must come back, and the
# trace names the mode that ran.
start_serve serve_rw echo 7 --trace --io readwrite
rc=0
nsx timeout 120 python3 "$PEER" echo-client "$L" 7 "$TMP/data" "$TMP/back4" >"$TMP/kclient4.log" 2>&1 || rc=$?
stop_pid "$SERVE_PID"
check "kernel client finished (--io readwrite)" test "$rc" = 0
check "serve echo --io readwrite: 16 MiB came back whole (sha256)" same_file "$TMP/back4" "$TMP/data"
check "serve --io readwrite: the trace says read/write" \
  trace_has "$TMP/serve_rw.err" "device I/O: read/write, [0-9]+ system calls"
check "serve (default --io auto): the trace names io_uring, or why read/write ran instead" \
  trace_has "$TMP/serve.err" "device I/O: (io_uring|read/write \(io_uring refused: .*\)), [0-9]+ system calls"
if trace_has "$TMP/serve.err" "device I/O: io_uring,"; then
  # Batched: fewer system calls than packets (16 MiB is over 11000 segments each way).
  pk=$(grep -o 'link: [0-9]* packets in, [0-9]* out' "$TMP/serve.err" | awk '{print $2 + $6}')
  sc=$(grep -o '[0-9]* system calls' "$TMP/serve.err" | cut -d' ' -f1)
  check "serve io_uring: fewer system calls ($sc) than packets ($pk)" test "$sc" -lt "$pk"
fi

# lucidtcp connect (standard input in, standard output out) against a kernel echo server.
bg kserver 120 python3 "$PEER" echo-server "$K" 7007
KPID=$BG_PID
wait_line "$TMP/kserver.out" "^listening" 10
t0=$(date +%s.%N)
rc=0
nsx timeout 120 "$LUCIDTCP" connect --tun "$DEV" --addr "$LCIDR" --msl 0.2 --pcap "$TMP/connect.pcap" \
  "$K" 7007 <"$TMP/data" >"$TMP/back2" 2>"$TMP/connect.err" || rc=$?
t1=$(date +%s.%N)
wait_pid "$KPID" 10
echo "connect to a kernel echo server: 16 MiB each way in $(python3 -c "print(f'{$t1-$t0:.2f}')") s (TIME-WAIT 0.4 s included)"
check "connect exits 0" test "$rc" = 0
check "kernel echo server saw 16 MiB" grep -q "^echoed $SIZE" "$TMP/kserver.out"
check "connect: 16 MiB came back whole (sha256)" same_file "$TMP/back2" "$TMP/data"
check "capture connect" capture_ok "$TMP/connect.pcap"
interop_finish
