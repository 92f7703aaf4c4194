#!/usr/bin/env bash
# lucidtcp diagram: the DOT text holds the eleven states and the table's arcs; with --from, the
# counts and causes of a demo trace (JSON), a --trace log and a capture are the right ones, the
# arcs not taken grey, the states connections were left in marked; dot renders SVG and PNG
# (graphviz comes from make test's deps step); without dot, svg fails clearly and dot text works.
set -euo pipefail
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }
# edge FILE FROM TO: the DOT line of that arc
edge() { grep -E "^  $2 -> $3 \[" "$1" || true; }
expect() { # expect NAME FILE FROM TO PATTERN
  local line
  line=$(edge "$2" "$3" "$4")
  if grep -qE -- "$5" <<<"$line"; then ok "$1"; else fail "$1: '$line' lacks /$5/"; fi
}

# ---- the table alone
"$bin" diagram --format dot >"$tmp/plain.dot"
n=$(grep -cE '^  [A-Z_0-9]+ \[label="' "$tmp/plain.dot" || true)
[ "$n" = 11 ] && ok "eleven states" || fail "states: $n"
arcs=$(grep -cE '^  [A-Z_0-9]+ -> [A-Z_0-9]+ \[' "$tmp/plain.dot" || true)
[ "$arcs" -ge 20 ] && ok "$arcs arcs" || fail "only $arcs arcs"
expect "LISTEN: rcv SYN / snd SYN,ACK" "$tmp/plain.dot" LISTEN SYN_RECEIVED 'rcv SYN / snd SYN,ACK'
expect "simultaneous open arc" "$tmp/plain.dot" SYN_SENT SYN_RECEIVED 'rcv SYN / snd ACK'
expect "CLOSE-WAIT: CLOSE / snd FIN" "$tmp/plain.dot" CLOSE_WAIT LAST_ACK 'CLOSE / snd FIN'
expect "TIME-WAIT's 2 MSL" "$tmp/plain.dot" TIME_WAIT CLOSED 'timeout / 2 MSL'
expect "any-state arcs dashed" "$tmp/plain.dot" ESTABLISHED CLOSED 'style=dashed'
grep -q 'peripheries' "$tmp/plain.dot" && fail "nothing is left without --from" || ok "no marks without --from"

# ---- a demo trace: three scenarios' JSON Lines in one file
for s in handshake lost-final-ack simultaneous-close; do
  "$bin" demo --scenario "$s" --format json
done >"$tmp/demo.json"
"$bin" diagram --from "$tmp/demo.json" --format dot >"$tmp/demo.dot"
expect "demo: 4 closes from ESTABLISHED" "$tmp/demo.dot" ESTABLISHED FIN_WAIT_1 '4 times: close\(\) 4'
expect "demo: 2 simultaneous closes" "$tmp/demo.dot" FIN_WAIT_1 CLOSING '2 times: rcvd F\. 2'
expect "demo: 4 TIME-WAITs ended by the timer" "$tmp/demo.dot" TIME_WAIT CLOSED '4 times: time-wait timer 4'
expect "demo: 3 listeners' SYNs" "$tmp/demo.dot" LISTEN SYN_RECEIVED '3 times: rcvd S 3'
expect "demo: 2 LAST-ACKs closed by the ACK" "$tmp/demo.dot" LAST_ACK CLOSED '2 times: rcvd \. 2'
expect "demo: simultaneous open not taken, grey" "$tmp/demo.dot" SYN_SENT SYN_RECEIVED 'color=gray80'
grep -q 'peripheries' "$tmp/demo.dot" && fail "demo: every connection ended CLOSED, yet a state is marked" || ok "demo: nothing left"

# ---- a --trace log (serve's words), a connection left in CLOSE-WAIT and the listener
cat >"$tmp/trace.log" <<'LOG'
lucidtcp serve: echo on 198.18.0.2:7 via tun0
     0.000 s  CLOSED -> LISTEN  (listen())  198.18.0.2:7 - *
     1.000 s  LISTEN -> SYN-RECEIVED  (rcvd S)  198.18.0.2:7 - 198.18.0.1:41000
     1.001 s  SYN-RECEIVED -> ESTABLISHED  (rcvd .)  198.18.0.2:7 - 198.18.0.1:41000
     1.002 s  rcvd F.: something dropped  198.18.0.2:7 - 198.18.0.1:41000
     2.000 s  ESTABLISHED -> CLOSE-WAIT  (rcvd F.)  198.18.0.2:7 - 198.18.0.1:41000
     3.000 s  LISTEN -> SYN-RECEIVED  (rcvd S)  198.18.0.2:7 - 198.18.0.1:41002
     3.001 s  SYN-RECEIVED -> CLOSED  (rcvd R.) ECONNRESET  198.18.0.2:7 - 198.18.0.1:41002
     4.000 s  dropped 3 more in 1.0 s: output queue full
lucidtcp serve: link: 3 packets in, 2 out
LOG
"$bin" diagram --from "$tmp/trace.log" --format dot >"$tmp/trace.dot"
expect "trace: two SYNs" "$tmp/trace.dot" LISTEN SYN_RECEIVED '2 times: rcvd S 2'
expect "trace: the reset, with its cause" "$tmp/trace.dot" SYN_RECEIVED CLOSED '1 time: rcvd R\. 1'
grep -qE '^  CLOSE_WAIT \[label="CLOSE-WAIT\\n1 left at the end".*peripheries=2' "$tmp/trace.dot" &&
  ok "trace: CLOSE-WAIT marked, 1 left" || fail "trace: CLOSE-WAIT not marked"
grep -qE '^  LISTEN \[label="LISTEN\\n1 left at the end"' "$tmp/trace.dot" &&
  ok "trace: the listener left in LISTEN" || fail "trace: LISTEN not marked"
grep -qE '^  ESTABLISHED \[label="ESTABLISHED"\]' "$tmp/trace.dot" &&
  ok "trace: ESTABLISHED left by all" || fail "trace: ESTABLISHED marked"
"$bin" diagram --format dot --from - <"$tmp/trace.log" | cmp -s - "$tmp/trace.dot" &&
  ok "standard input" || fail "--from - differs from the file"

# ---- a capture (the demo's half-close: the client's end still in TIME-WAIT when it ends)
if "$bin" analyze --help >/dev/null 2>&1; then
  "$bin" demo --scenario half-close --pcap "$tmp/hc.pcap" >/dev/null
  "$bin" diagram --from "$tmp/hc.pcap" --format dot >"$tmp/hc.dot"
  expect "capture: the FIN the server got" "$tmp/hc.dot" ESTABLISHED CLOSE_WAIT '1 time: rcvd F\. 1'
  expect "capture: LAST-ACK closed" "$tmp/hc.dot" LAST_ACK CLOSED '1 time'
  grep -qE '^  TIME_WAIT \[label="TIME-WAIT\\n1 left at the end".*peripheries=2' "$tmp/hc.dot" &&
    ok "capture: TIME-WAIT left at the end" || fail "capture: TIME-WAIT not marked"
  gzip -c "$tmp/hc.pcap" >"$tmp/hc.pcap.gz"
  "$bin" diagram --from "$tmp/hc.pcap.gz" --format dot | cmp -s - "$tmp/hc.dot" &&
    ok "capture, gzip'd" || fail "gzip'd capture differs"
fi

# ---- errors
set +e
"$bin" diagram --format jpeg >/dev/null 2>"$tmp/err"; rc=$?
[ "$rc" = 2 ] && grep -q "svg, png or dot" "$tmp/err" && ok "bad format: exit 2" || fail "bad format: exit $rc"
"$bin" diagram --from "$tmp/none" --format dot >/dev/null 2>"$tmp/err"; rc=$?
[ "$rc" = 2 ] && grep -q "cannot read" "$tmp/err" && ok "missing --from file: exit 2" || fail "missing file: exit $rc"
PATH=/nonexistent "$bin" diagram -o "$tmp/x.svg" 2>"$tmp/err"; rc=$?
[ "$rc" = 2 ] && grep -q "graphviz" "$tmp/err" && ok "no dot: exit 2, says graphviz" || fail "no dot: exit $rc"
PATH=/nonexistent "$bin" diagram --format dot >/dev/null; rc=$?
[ "$rc" = 0 ] && ok "--format dot needs no dot" || fail "--format dot without dot: exit $rc"
set -e

# ---- rendering
if command -v dot >/dev/null 2>&1; then
  "$bin" diagram --from "$tmp/demo.json" -o "$tmp/demo.svg"
  grep -q '<svg' "$tmp/demo.svg" && grep -qE 'TIME(-|&#45;)WAIT' "$tmp/demo.svg" && ok "svg" || fail "no svg"
  "$bin" diagram --format png -o "$tmp/plain.png"
  head -c 4 "$tmp/plain.png" | grep -q PNG && ok "png" || fail "no png"
  "$bin" diagram >"$tmp/out.svg" && grep -q '<svg' "$tmp/out.svg" && ok "svg on standard output" || fail "svg on stdout"
else
  echo "skip rendering: Graphviz's dot is not installed (make test's deps step installs graphviz)"
fi
echo "$fails failed"
[ "$fails" -eq 0 ]
