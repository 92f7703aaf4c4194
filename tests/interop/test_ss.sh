#!/usr/bin/env bash
# Issue 15, lucidtcp ss: serve --control and connect --control open a control socket (mode 0600,
# its path said on stderr, gone when the command ends); ss lists the connections through it as
# ss -tin does: a kernel client holding a connection to serve is ESTABLISHED with both
# endpoints, the listener shows with -l, a connect whose peer closed first is in CLOSE-WAIT and
# 'ss state close-wait' picks it alone; --watch repeats; bad paths give exit 2.
LUCIDTCP=$1
source "$(dirname "$0")/lib.sh"
interop_setup ss
SS=("$LUCIDTCP" ss)

# ---- serve with a control socket; a kernel client (in the namespace) holds a connection
CTL=$TMP/serve.ctl
start_serve echo echo 7 --control "$CTL" --msl 0.5
check "serve says the control socket's path" grep -q "control socket $CTL" "$TMP/echo.err"
check "the control socket is a socket" test -S "$CTL"
check "its mode is 0600" test "$(stat -c %a "$CTL")" = 600
bg hold 60 python3 -c "
import socket, sys, time
s = socket.create_connection(('$L', 7))
print('connected', s.getsockname()[1], flush=True)
time.sleep(40)
"
HOLD_PID=$BG_PID
wait_line "$TMP/hold.out" "^connected" 10
PORT=$(awk '/^connected/ {print $2}' "$TMP/hold.out")
# the handshake's ACK may still be on its way: ask until the connection is there (bounded)
for _ in $(seq 40); do
  "${SS[@]}" --control "$CTL" >"$TMP/ss1.out" 2>"$TMP/ss1.err" || true
  grep -q "^ESTABLISHED" "$TMP/ss1.out" && break
  sleep 0.05
done
cat "$TMP/ss1.out"
check "ss lists the connection ESTABLISHED with both endpoints" \
  grep -qE "^ESTABLISHED +0 +0 +$L:7 +$K:$PORT +rtt:[0-9.]+/[0-9.]+ rto:[0-9]+ mss:[0-9]+ cwnd:[0-9]+" "$TMP/ss1.out"
check "ss shows the keep-alive or no timer, and retrans" grep -qE "retrans:0" "$TMP/ss1.out"
check "ss leaves the listener out by default" bash -c "! grep -q '^LISTEN' '$TMP/ss1.out'"
"${SS[@]}" --control "$CTL" -l >"$TMP/ss-l.out"
cat "$TMP/ss-l.out"
check "ss -l lists the listener, bound to any address: *:7, peer *:*" grep -qE "^LISTEN +0 +0 +\*:7 +\*:\*" "$TMP/ss-l.out"
check "ss -l leaves the connection out" bash -c "! grep -q '^ESTABLISHED' '$TMP/ss-l.out'"
"${SS[@]}" --control "$CTL" state close-wait >"$TMP/ss-cw0.out"
check "ss state close-wait: none on serve" test "$(grep -c '^[A-Z]' "$TMP/ss-cw0.out")" = 1
"${SS[@]}" --control "$CTL" --format json state established >"$TMP/ss.json"
cat "$TMP/ss.json"
check "ss --format json: the connection's fields" python3 -c "
import json
rows = [json.loads(l) for l in open('$TMP/ss.json')]
assert len(rows) == 1, rows
r = rows[0]
assert r['state'] == 'ESTABLISHED' and r['local'] == '$L:7' and r['remote'] == '$K:$PORT', r
assert r['rto_us'] >= 200000 and r['cwnd'] > 0 and r['send_q'] == 0 and r['compact'] is False, r
"
"${SS[@]}" --control "$CTL" --watch 0.2 --count 3 -a >"$TMP/watch.out"
check "ss --watch 0.2 --count 3: three listings" test "$(grep -c '^State' "$TMP/watch.out")" = 3
kill -TERM "$HOLD_PID" 2>/dev/null || true
wait_pid "$HOLD_PID" 10
stop_pid "$SERVE_PID"
check "serve exits 0" rc_is 0
check "the control socket is gone after serve" test ! -e "$CTL"

# ---- connect with a control socket, its peer closes first: lucidtcp's end sits in CLOSE-WAIT
CTL2=$TMP/connect.ctl
make_file "$TMP/b" 1000
bg kpeer 60 python3 "$PEER" send-shut-then-read --listen "$K" 6002 "$TMP/b"
KPID=$BG_PID
wait_line "$TMP/kpeer.out" "^listening" 10
mkfifo "$TMP/in"
sleep 50 >"$TMP/in" &   # the writer that keeps connect's standard input open
PIDS+=($!)
bg_in conn 60 "$TMP/in" "$LUCIDTCP" connect --tun "$DEV" --addr "$LCIDR" --control "$CTL2" --trace "$K" 6002
CONN_PID=$BG_PID
wait_line "$TMP/conn.err" "ESTABLISHED -> CLOSE-WAIT" 10
"${SS[@]}" --control "$CTL2" state close-wait >"$TMP/ss-cw.out"
cat "$TMP/ss-cw.out"
check "connect: ss state close-wait lists it" grep -qE "^CLOSE-WAIT +0 +0 +$L:[0-9]+ +$K:6002 " "$TMP/ss-cw.out"
"${SS[@]}" --control "$CTL2" state established syn-sent >"$TMP/ss-est.out"
check "connect: ss state established leaves it out" bash -c "! grep -q 'CLOSE-WAIT' '$TMP/ss-est.out'"
"${SS[@]}" --control "$CTL2" state synchronized >"$TMP/ss-sync.out"
check "connect: ss state synchronized takes CLOSE-WAIT" grep -q "^CLOSE-WAIT" "$TMP/ss-sync.out"
check "connect's control socket mode 0600" test "$(stat -c %a "$CTL2")" = 600
kill -TERM "$CONN_PID" 2>/dev/null || true
wait_pid "$CONN_PID" 10
wait_pid "$KPID" 5
check "the control socket is gone after connect" test ! -e "$CTL2"

# ---- bad paths: exit 2, a clear message, nothing replaced
set +e
nsx "$LUCIDTCP" serve --tun "$DEV" --addr "$LCIDR" --port 9 --service discard \
  --control /nonexistent/dir/x.ctl >/dev/null 2>"$TMP/bad1.err"
rc=$?
set -e
check "serve --control in a missing directory: exit 2" test "$rc" = 2
check "  ... says which directory" grep -q "no directory '/nonexistent/dir'" "$TMP/bad1.err"
echo "keep me" >"$TMP/plain"
set +e
nsx "$LUCIDTCP" serve --tun "$DEV" --addr "$LCIDR" --port 9 --service discard \
  --control "$TMP/plain" >/dev/null 2>"$TMP/bad2.err"
rc=$?
set -e
check "serve --control on a regular file: exit 2" test "$rc" = 2
check "  ... says it is not a socket" grep -q "not a socket" "$TMP/bad2.err"
check "  ... and leaves the file alone" grep -qx "keep me" "$TMP/plain"
set +e
"${SS[@]}" --control "$TMP/plain" >/dev/null 2>"$TMP/bad3.err"; rc=$?
"${SS[@]}" --control "$TMP/none.ctl" >/dev/null 2>"$TMP/bad4.err"; rc4=$?
"${SS[@]}" >/dev/null 2>&1; rc5=$?
"${SS[@]}" --control "$TMP/none.ctl" state nosuch >/dev/null 2>"$TMP/bad6.err"; rc6=$?
set -e
check "ss on a regular file: exit 2, not a control socket" \
  bash -c "[ $rc = 2 ] && grep -q 'not a control socket' '$TMP/bad3.err'"
check "ss on a missing path: exit 2" bash -c "[ $rc4 = 2 ] && grep -q 'No such file' '$TMP/bad4.err'"
check "ss without --control: exit 2" test "$rc5" = 2
check "ss state nosuch: exit 2" bash -c "[ $rc6 = 2 ] && grep -q \"unknown state 'nosuch'\" '$TMP/bad6.err'"
interop_finish
