#!/usr/bin/env bash
# The lucidtcp command as users script it: help, --list, exit codes, JSON, determinism (same
# seed, same trace and capture byte for byte), and a capture tshark reads with good checksums.
set -euo pipefail
bin=$1
tshark_check=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() { # check NAME COMMAND...: run, count a failure with its name
  if "${@:2}"; then echo "ok   $1"; else echo "FAIL $1"; fails=$((fails + 1)); fi
}
exit_code() { set +e; "$@" >/dev/null 2>&1; local rc=$?; set -e; echo $rc; }

check "help exits 0" test "$(exit_code "$bin" --help)" = 0
check "help names demo" grep -q "demo" <("$bin" --help)
check "no command exits 2" test "$(exit_code "$bin")" = 2
check "unknown command exits 2" test "$(exit_code "$bin" frobnicate)" = 2
check "unknown flag exits 2" test "$(exit_code "$bin" demo --bogus)" = 2
check "bad loss exits 2" test "$(exit_code "$bin" demo --loss 1.5)" = 2
check "bad seed exits 2" test "$(exit_code "$bin" demo --seed -3)" = 2
check "bad scenario exits 2" test "$(exit_code "$bin" demo --scenario nope)" = 2
check "missing value exits 2" test "$(exit_code "$bin" demo --seed)" = 2
check "bad flag message names the flag" grep -q -- "--bogus" <("$bin" demo --bogus 2>&1 || true)
"$bin" demo --list >"$tmp/list"
for s in handshake simultaneous-open simultaneous-close half-close lost-final-ack refused abort; do
  check "--list names $s" grep -q "^$s " "$tmp/list"
done
check "--list has 7 lines" test "$(wc -l <"$tmp/list")" = 7
check "demo runs" bash -c "\"$bin\" demo --color never >/dev/null"
check "no colour when not a terminal" bash -c "! \"$bin\" demo | grep -q $'\\033'"
check "--color always colours" bash -c "\"$bin\" demo --color always | grep -q $'\\033'"
"$bin" demo --format json --scenario simultaneous-close >"$tmp/a.json"
check "json: every line is an object" python3 -c "
import json,sys
rows=[json.loads(l) for l in open('$tmp/a.json')]
assert rows[0]['type']=='begin' and rows[-1]['type']=='end' and rows[-1]['ok']
states=[(r['side'],r['to']) for r in rows if r['type']=='state']
assert ('client','CLOSING') in states and ('server','CLOSING') in states, states
"
"$bin" demo --loss 0.2 --seed 7 --format json --pcap "$tmp/1.pcap" >"$tmp/1.json"
"$bin" demo --loss 0.2 --seed 7 --format json --pcap "$tmp/2.pcap" >"$tmp/2.json"
"$bin" demo --loss 0.2 --seed 8 --format json >"$tmp/3.json"
check "same seed, same trace" cmp -s "$tmp/1.json" "$tmp/2.json"
check "same seed, same capture" cmp -s "$tmp/1.pcap" "$tmp/2.pcap"
check "another seed, another trace" bash -c "! cmp -s '$tmp/1.json' '$tmp/3.json'"
# --ipv6: the same scenario between 2001:db8::1 and 2001:db8::2, named so in the ladder and JSON.
"$bin" demo --ipv6 --format json --loss 0.2 --seed 7 --pcap "$tmp/6.pcap" >"$tmp/6.json"
"$bin" demo --ipv6 --format json --loss 0.2 --seed 7 >"$tmp/6b.json"
check "--ipv6 json: begin names the IPv6 ends" python3 -c "
import json
rows=[json.loads(l) for l in open('$tmp/6.json')]
b=rows[0]
assert b['type']=='begin' and b['family']=='ipv6', b
assert b['client']=='2001:db8::1' and b['server']=='[2001:db8::2]:80', b
assert rows[-1]['type']=='end' and rows[-1]['ok'], rows[-1]
assert any(r['type']=='segment' and r.get('mss')==1440 for r in rows), 'no SYN with MSS 1440'
"
check "--ipv6: same seed, same trace" cmp -s "$tmp/6.json" "$tmp/6b.json"
check "--ipv6 ladder: the server's end in brackets" grep -q "server \[2001:db8::2\]:80" <("$bin" demo --ipv6 --color never)
check "ipv4 json: family ipv4" grep -q '"family":"ipv4","client":"198.18.0.1","server":"198.18.0.2:80"' "$tmp/1.json"
check "pcap not writable exits 1" test "$(exit_code "$bin" demo --pcap /nonexistent/dir/x.pcap)" = 1
"$bin" demo --pcap /nonexistent/dir/x.pcap >"$tmp/nopcap.out" 2>"$tmp/nopcap.err" || true
check "pcap not writable: names the path and why" \
  grep -qx "lucidtcp demo: cannot write capture '/nonexistent/dir/x.pcap': No such file or directory" "$tmp/nopcap.err"
check "pcap not writable: nothing on standard output" test ! -s "$tmp/nopcap.out"
if command -v tshark >/dev/null 2>&1; then
  "$bin" demo --pcap "$tmp/demo.pcap" >/dev/null
  check "tshark reads the capture, checksums good" bash "$tshark_check" --pcap "$tmp/demo.pcap"
  check "tshark reads the IPv6 capture, checksums good" bash "$tshark_check" --pcap "$tmp/6.pcap"
  check "the IPv6 capture holds IPv6 TCP" test "$(tshark -r "$tmp/6.pcap" -Y 'ipv6 && tcp' 2>/dev/null | wc -l)" -gt 0
else
  echo "skip tshark check: tshark not installed"
fi
echo "$fails failed"
[ "$fails" -eq 0 ]
