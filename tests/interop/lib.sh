#!/usr/bin/env bash
# Shared by the interop scenarios: source it, then call interop_setup PURPOSE.
#
# Each scenario gets its own network namespace (lucidtcp-PURPOSE-PID) holding one TUN device,
# ltun0, whose kernel side is 198.18.0.1/24; lucidtcp runs inside the namespace as 198.18.0.2.
# Nothing leaves the namespace: only 198.18.0.0/15 addresses are used, and only there. On exit,
# even after a failure, the processes this script started are stopped by PID, any process still
# in the namespace (it can only be ours) is killed, and the namespace is deleted.
#
# Exit status of a scenario: 0 pass, 1 fail, 77 skip (not root, no /dev/net/tun, no netns).
set -euo pipefail

LUCIDTCP=${LUCIDTCP:?set LUCIDTCP to the lucidtcp binary}
INTEROP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PEER="$INTEROP_DIR/peer.py"
DEV=ltun0
K=198.18.0.1   # the kernel's address on the link
L=198.18.0.2   # lucidtcp's
LCIDR=$L/24
NS=""
EXTRA_NS=()   # more namespaces of the scenario (interop_add_ns), deleted with NS
TMP=""
PIDS=()
FAILS=0
PASSES=0

interop_skip() {
  echo "SKIP: $*"
  exit 77
}

interop_require() {
  [ "$(id -u)" -eq 0 ] || interop_skip "the interop suite needs root (it creates a network namespace and a TUN device)"
  [ -c /dev/net/tun ] || interop_skip "the interop suite needs /dev/net/tun (TUN support), which is missing"
  local t
  for t in ip python3 timeout "$@"; do
    command -v "$t" >/dev/null 2>&1 || interop_skip "the interop suite needs '$t' (scripts/install-deps.sh installs it)"
  done
}

interop_cleanup() {
  local rc=$?
  set +e
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for _ in $(seq 20); do
    local alive=0
    for pid in "${PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && break
    sleep 0.1
  done
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  if [ -n "$NS" ]; then
    # Anything still inside our namespace was started by this script.
    for pid in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
    ip netns del "$NS" 2>/dev/null
  fi
  local ns
  for ns in "${EXTRA_NS[@]}"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null
  done
  if [ $rc -ne 0 ] && [ $rc -ne 77 ] && [ -n "$TMP" ]; then
    local f
    for f in "$TMP"/*.err "$TMP"/*.log; do
      [ -s "$f" ] || continue
      echo "---- $(basename "$f") (last 40 lines)"
      tail -n 40 "$f"
    done
  fi
  if [ -n "${INTEROP_KEEP:-}" ] && [ -n "$TMP" ]; then echo "kept $TMP"
  elif [ -n "$TMP" ]; then rm -rf "$TMP"; fi
  exit $rc
}

# Namespaces of this suite whose script is gone (killed outright, so its trap never ran):
# lucidtcp-PURPOSE-PID with no process PID left.
interop_reap_stale() {
  local ns pid
  for ns in $(ip netns list 2>/dev/null | grep -oE '^lucidtcp-[a-z-]+-[0-9]+'); do
    pid=${ns##*-}
    kill -0 "$pid" 2>/dev/null && continue
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
    ip netns del "$ns" 2>/dev/null && echo "removed stale namespace $ns"
  done
  return 0
}

# interop_setup PURPOSE [TOOLS...]: namespace, device, addresses, temporary directory.
interop_setup() {
  interop_require "${@:2}"
  interop_reap_stale
  NS="lucidtcp-$1-$$"
  TMP=$(mktemp -d "/tmp/lucidtcp-$1.XXXXXX")
  trap interop_cleanup EXIT
  trap 'exit 130' INT TERM
  # A watchdog ends the scenario (through the EXIT trap, which cleans up) before ctest's timeout
  # would kill it outright and leave the namespace behind.
  (
    trap 'kill "$sp" 2>/dev/null; exit 0' TERM
    sleep "${INTEROP_LIMIT:-270}" &
    sp=$!
    wait "$sp" && { echo "interop: over ${INTEROP_LIMIT:-270} s, stopping"; kill -TERM $$; }
  ) &
  PIDS+=($!)
  ip netns add "$NS" 2>"$TMP/netns.err" || {
    cat "$TMP/netns.err"
    NS=""
    interop_skip "cannot create a network namespace here (ip netns add failed)"
  }
  nsx ip link set lo up
  nsx sysctl -qw net.ipv6.conf.all.disable_ipv6=1 2>/dev/null || true
  nsx sysctl -qw net.ipv6.conf.default.disable_ipv6=1 2>/dev/null || true
  nsx ip tuntap add dev "$DEV" mode tun
  nsx ip addr add "$K/24" dev "$DEV"
  nsx ip link set "$DEV" up
  echo "namespace $NS: $DEV, kernel $K/24, lucidtcp $L"
}

nsx() { ip netns exec "$NS" "$@"; }

# interop_add_ns NAME: a second namespace of the scenario, lucidtcp-PURPOSE-NAME-PID (its
# name in $ADDED_NS), deleted on exit with the first. Call after interop_setup.
interop_add_ns() {
  ADDED_NS="${NS%-*}-$1-$$"
  ip netns add "$ADDED_NS"
  EXTRA_NS+=("$ADDED_NS")
  ip netns exec "$ADDED_NS" ip link set lo up
  ip netns exec "$ADDED_NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 2>/dev/null || true
}

# bg NAME SECONDS CMD...: runs CMD in the namespace in the background, bounded in time, with
# stdout in $TMP/NAME.out and stderr in $TMP/NAME.err; its PID goes in PIDS and in $BG_PID.
# $BG_PID is timeout(1)'s: it passes a TERM on to CMD and kills CMD BG_KILL_AFTER seconds later.
# That is the time a clean exit has after stop_pid's TERM: below stop_pid's 10 s, so that CMD is
# dead (killed by timeout) before stop_pid gives up and kills timeout itself. It was 2 s: serve
# once exited later than that on a loaded machine (cause not found; it exits within 50 to 150 ms
# otherwise, also beside six busy loops) and was killed, failing "serve exits 0".
BG_KILL_AFTER=8
bg() { bg_ns "$NS" "$@"; }

# bg_ns NAMESPACE NAME SECONDS CMD...: as bg, in another namespace of the scenario.
bg_ns() {
  local ns=$1 name=$2 secs=$3
  shift 3
  ip netns exec "$ns" timeout -k "$BG_KILL_AFTER" "$secs" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" </dev/null &
  BG_PID=$!
  PIDS+=("$BG_PID")
}

# bg_in NAME SECONDS INPUT CMD...: as bg, with standard input from INPUT.
bg_in() {
  local name=$1 secs=$2 input=$3
  shift 3
  ip netns exec "$NS" timeout -k "$BG_KILL_AFTER" "$secs" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" <"$input" &
  BG_PID=$!
  PIDS+=("$BG_PID")
}

# wait_pid PID SECONDS: waits for a background job (killing it after SECONDS); its exit status
# goes in WAIT_RC (124 when timeout had to stop it). Not in $(...): a subshell cannot wait.
wait_pid() {
  local pid=$1 secs=$2 i
  for ((i = 0; i < secs * 20; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    sleep 0.5
    kill -KILL "$pid" 2>/dev/null
  fi
  WAIT_RC=0
  wait "$pid" 2>/dev/null || WAIT_RC=$?
}

# wait_line FILE REGEX SECONDS: waits until a line of FILE matches (grep -E); 0 or 1.
wait_line() {
  local i
  for ((i = 0; i < $3 * 20; i++)); do
    grep -qE -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "timed out after $3 s waiting for /$2/ in $(basename "$1")"
  return 1
}

# start_serve NAME SERVICE PORT [lucidtcp options...]: lucidtcp serve in the background, waiting
# until it listens. Its capture is $TMP/NAME.pcap.
start_serve() {
  local name=$1 service=$2 port=$3
  shift 3
  bg "$name" 300 "$LUCIDTCP" serve --tun "$DEV" --addr "$LCIDR" --port "$port" --service "$service" \
    --pcap "$TMP/$name.pcap" "$@"
  SERVE_PID=$BG_PID
  wait_line "$TMP/$name.err" "^lucidtcp serve: .* on $L:$port" 10
}

# stop_pid PID: SIGTERM, then waits; its exit status in WAIT_RC.
stop_pid() {
  kill -TERM "$1" 2>/dev/null || true
  wait_pid "$1" 10
}
# rc_is N: the last wait_pid or stop_pid gave N.
rc_is() { [ "$WAIT_RC" = "$1" ] || { echo "  exit status $WAIT_RC, want $1"; return 1; }; }

# check NAME CMD...: runs CMD, counts a pass or a failure under NAME.
check() {
  local name=$1
  shift
  if "$@"; then
    echo "ok   $name"
    PASSES=$((PASSES + 1))
  else
    echo "FAIL $name"
    FAILS=$((FAILS + 1))
  fi
}

sha() { sha256sum "$1" | cut -d' ' -f1; }
same_file() { [ "$(sha "$1")" = "$(sha "$2")" ]; }
# trace_has FILE REGEX: a trace line matches.
trace_has() { grep -qE -- "$2" "$1"; }

# capture_ok PCAP [ALLOW]: scenario 9, tshark reads the capture (tshark_check.sh).
capture_ok() { bash "$INTEROP_DIR/tshark_check.sh" "$1" "$L" "${2:-}"; }

# make_file PATH BYTES: random content.
make_file() { head -c "$2" /dev/urandom >"$1"; }

interop_finish() {
  echo "$PASSES passed, $FAILS failed"
  [ "$FAILS" -eq 0 ]
}

# lossy_exchange NAME IMPAIR: lucidtcp connects to a kernel peer and 8 MiB go each way at once
# through lucidtcp's fault injector (IMPAIR, without the seed); both ends must read the other's
# bytes whole. Leaves the capture in $TMP/NAME.pcap. The seed is printed with a replay command.
lossy_exchange() {
  local name=$1 impair=$2 seed=${LUCIDTCP_IMPAIR_SEED:-$RANDOM} rc=0
  echo "(replay these faults: LUCIDTCP_IMPAIR_SEED=$seed ctest -R interop_$name)"
  make_file "$TMP/a" 8388608
  make_file "$TMP/b" 8388608
  bg kpeer 120 python3 "$PEER" read-then-reply "$K" 6001 "$TMP/b"
  local kpid=$BG_PID
  wait_line "$TMP/kpeer.out" "^listening" 10
  nsx timeout 120 "$LUCIDTCP" connect --tun "$DEV" --addr "$LCIDR" --msl 0.5 \
    --impair "$impair,seed=$seed" --pcap "$TMP/$name.pcap" "$K" 6001 \
    <"$TMP/a" >"$TMP/$name.data" 2>"$TMP/$name.err" || rc=$?
  wait_pid "$kpid" 20
  check "connect exits 0" test "$rc" = 0
  check "kernel read a whole" grep -q "^received 8388608 $(sha "$TMP/a")" "$TMP/kpeer.out"
  check "lucidtcp read b whole" same_file "$TMP/$name.data" "$TMP/b"
  check "capture" capture_ok "$TMP/$name.pcap"
}
