#!/usr/bin/env bash
# connect as nc's users expect it: "connected to" on stderr; -w against a host that does not
# answer (an unused address on the link) and against a peer that goes quiet; no minute of
# TIME-WAIT in the foreground after an active close (the last ACK does reach the kernel, whose
# socket leaves LAST-ACK), and --time-wait to keep it; -q after standard input's end; a HOST
# from the hosts file LTCP_HOSTS_FILE names.
LUCIDTCP=$1
source "$(dirname "$0")/lib.sh"
interop_setup connect ss
C=("$LUCIDTCP" connect --tun "$DEV" --addr "$LCIDR")
DEAD=198.18.0.3 # on the link, and nobody has it: SYNs go unanswered
now() { date +%s.%N; }
# took T0 T1 MIN MAX: T1 - T0 is within [MIN, MAX] seconds.
took() { python3 -c "import sys; d=$2-$1; print(f'  took {d:.2f} s'); sys.exit(0 if $3 <= d <= $4 else 1)"; }

# kpeer NAME MODE ARGS...: a kernel peer (peer.py MODE ARGS), listening; its PID in KPID.
kpeer() {
  bg "$1" 30 python3 "$PEER" "${@:2}"
  KPID=$BG_PID
  wait_line "$TMP/$1.out" "^listening" 10
}
# lconnect NAME INPUT ARGS...: lucidtcp connect ARGS, standard input from INPUT, standard output
# in $TMP/NAME.out and error in $TMP/NAME.err; then waits for the kernel peer. RC is its exit
# status, T0 and T1 when it started and ended.
lconnect() {
  RC=0
  T0=$(now)
  nsx timeout 30 "${C[@]}" "${@:3}" <"$2" >"$TMP/$1.out" 2>"$TMP/$1.err" || RC=$?
  T1=$(now)
  [ -z "${KPID:-}" ] || wait_pid "$KPID" 10
  KPID=""
}

# An active close, MSL at its default (30 s): connect exits once its last ACK is out, not a
# minute later; the kernel's socket got that ACK (nothing left in LAST-ACK).
kpeer kserver close-after-eof "$K" 6003
lconnect active /dev/null --trace --pcap "$TMP/active.pcap" "$K" 6003
check "active close: exits 0" test "$RC" = 0
check "active close: says 'connected to HOST:PORT from ADDR:PORT'" \
  grep -qE "^lucidtcp connect: connected to $K:6003 from $L:[0-9]+$" "$TMP/active.err"
check "active close: in TIME-WAIT when it exits" trace_has "$TMP/active.err" "FIN-WAIT-2 -> TIME-WAIT  \(rcvd F"
check "active close: the trace says it leaves TIME-WAIT to nobody" \
  grep -q "exiting in TIME-WAIT, the last ACK sent" "$TMP/active.err"
check "active close: no TIME-WAIT -> CLOSED (it did not wait 2*MSL)" \
  bash -c "! grep -q 'TIME-WAIT -> CLOSED' '$TMP/active.err'"
check "active close: exits within 5 s (2*MSL is 60 s)" took "$T0" "$T1" 0 5
nsx ss -tan state last-ack >"$TMP/lastack.out" 2>&1 || true
check "active close: the kernel got the last ACK (no socket in LAST-ACK)" \
  bash -c "! grep -q '$K:6003' '$TMP/lastack.out'"
check "capture active close" capture_ok "$TMP/active.pcap"

# --time-wait: RFC 9293's 2*MSL before exiting.
kpeer kserver2 close-after-eof "$K" 6004
lconnect tw /dev/null --trace --time-wait --msl 0.5 "$K" 6004
check "--time-wait: exits 0" test "$RC" = 0
check "--time-wait: TIME-WAIT -> CLOSED on the timer" trace_has "$TMP/tw.err" "TIME-WAIT -> CLOSED  \(time-wait timer\)"
check "--time-wait: waited 2*MSL (1 s)" took "$T0" "$T1" 1 5

# -w against an address nobody answers for: it gives up after SECS, says why, exits 1.
lconnect dead /dev/null -w 1 "$DEAD" 80
check "-w, no answer: exits 1" test "$RC" = 1
check "-w, no answer: says so" \
  grep -qx "lucidtcp connect: connect to $DEAD:80: no answer within 1 s: connection timed out (ETIMEDOUT)" "$TMP/dead.err"
check "-w, no answer: after about 1 s" took "$T0" "$T1" 0.9 3

# -w when the peer goes quiet (standard input open and silent, the peer sends nothing): the
# connection is reset (the kernel sees ECONNRESET) and connect exits 1.
kpeer kquiet expect-reset --listen "$K" 6005
mkfifo "$TMP/in"
exec 3<>"$TMP/in" # held open: connect's standard input never ends
lconnect idle "$TMP/in" -w 1 "$K" 6005
exec 3>&-
check "-w, idle: exits 1" test "$RC" = 1
check "-w, idle: says so" grep -qx "lucidtcp connect: nothing sent or received for 1 s (-w): resetting the connection to $K:6005" "$TMP/idle.err"
check "-w, idle: after about 1 s" took "$T0" "$T1" 0.9 3
check "-w, idle: the kernel saw the reset" grep -q "^ECONNRESET" "$TMP/kquiet.out"

# -q 1: the peer never finishes; connect quits 1 s after standard input's end, having
# delivered all of it, and resets the connection.
make_file "$TMP/a" 300000
kpeer khold hold-after-eof "$K" 6006
lconnect q1 "$TMP/a" -q 1 "$K" 6006
check "-q 1: exits 0" test "$RC" = 0
check "-q 1: quit about 1 s after standard input's end" took "$T0" "$T1" 0.9 4
check "-q 1: the peer read all of standard input" grep -q "^received 300000 $(sha "$TMP/a")" "$TMP/khold.out"
check "-q 1: the peer's lines came out meanwhile" grep -q "still here" "$TMP/q1.out"
check "-q 1: the peer saw the reset" grep -q "^reset " "$TMP/khold.out"

# -q 0: quits as soon as the peer has acknowledged standard input and the FIN.
kpeer khold0 hold-after-eof "$K" 6007
lconnect q0 "$TMP/a" -q 0 "$K" 6007
check "-q 0: exits 0" test "$RC" = 0
check "-q 0: at once" took "$T0" "$T1" 0 1.5
check "-q 0: the peer read all of standard input" grep -q "^received 300000 $(sha "$TMP/a")" "$TMP/khold0.out"

# HOST from the hosts file LTCP_HOSTS_FILE names (no DNS).
printf '# test hosts\n::1 kpeer\n%s   other kpeer   # the kernel\n' "$K" >"$TMP/hosts"
echo hello >"$TMP/hello"
kpeer knamed close-after-eof "$K" 6008
export LTCP_HOSTS_FILE=$TMP/hosts
lconnect named "$TMP/hello" kpeer 6008
unset LTCP_HOSTS_FILE
check "hosts file: exits 0" test "$RC" = 0
check "hosts file: connected to the name" grep -qE "^lucidtcp connect: connected to kpeer:6008 from " "$TMP/named.err"
check "hosts file: the kernel got the data" grep -q "^received 6" "$TMP/knamed.out"
interop_finish
