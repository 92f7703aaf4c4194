#!/usr/bin/env bash
# lucidtcp script as a user runs it: the conformance suite passes; every deliberately wrong
# script FAILs at the line its header names; the output lines, the summary and the exit status.
set -u
bin=$1
root=$2
fails=0
bad() { echo "FAILED: $*"; fails=$((fails + 1)); }

# Each wrong script fails, at the line its "// expect-fail: N" header gives.
for f in "$root"/tests/scripts/wrong/*.pkt; do
  line=$(sed -n 's|^// expect-fail: \([0-9]*\)$|\1|p' "$f")
  out=$("$bin" script "$f")
  rc=$?
  [ "$rc" = 1 ] || bad "$f: exit status $rc, wanted 1"
  echo "$out" | head -1 | grep -q "^FAIL $f:$line: " || bad "$f: wanted 'FAIL $f:$line: ...', got: $(echo "$out" | head -1)"
  echo "$out" | tail -1 | grep -qx "0 passed, 1 failed, 0 skipped" || bad "$f: summary: $(echo "$out" | tail -1)"
done

# All the wrong scripts together: one line each, then the summary.
n=$(ls "$root"/tests/scripts/wrong/*.pkt | wc -l)
out=$("$bin" script "$root"/tests/scripts/wrong/*.pkt)
[ $? = 1 ] || bad "wrong scripts together: exit status not 1"
[ "$(echo "$out" | grep -c '^FAIL ')" = "$n" ] || bad "wrong scripts together: not $n FAIL lines"
echo "$out" | tail -1 | grep -qx "0 passed, $n failed, 0 skipped" || bad "summary: $(echo "$out" | tail -1)"

# A pass, a skip and a failure: exit 1; a pass and a skip: exit 0.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '0 < S 0:0(0) win 100\n+0 > R. 0:0(0) ack 1\n' >"$tmp/pass.pkt"
printf -- '--ip_version=ipv4-mapped-ipv6\n0 < S 0:0(0) win 100\n' >"$tmp/skip.pkt"
out=$("$bin" script "$tmp/pass.pkt" "$tmp/skip.pkt")
[ $? = 0 ] || bad "pass+skip: exit status not 0"
[ "$out" = "PASS $tmp/pass.pkt
SKIP $tmp/skip.pkt:1: unsupported: --ip_version=ipv4-mapped-ipv6 (lucidtcp has no IPv4-mapped IPv6 addresses, RFC 4291 §2.5.5.2)
1 passed, 0 failed, 1 skipped" ] || bad "pass+skip output: $out"
out=$("$bin" script "$tmp/pass.pkt" "$tmp/skip.pkt" "$tmp/missing.pkt")
[ $? = 1 ] || bad "missing file: exit status not 1"
echo "$out" | grep -qx "FAIL $tmp/missing.pkt: cannot read: No such file or directory" || bad "missing file line: $out"
echo "$out" | tail -1 | grep -qx "1 passed, 1 failed, 1 skipped" || bad "summary with a missing file"

# Command-line options: -D for #ifdef, tolerance, and usage errors (exit 2).
printf '#ifdef LATE\n0.1 < S 0:0(0) win 100\n#else\n0 < S 0:0(0) win 100\n#endif\n+0 > R. 0:0(0) ack 1\n' >"$tmp/def.pkt"
"$bin" script "$tmp/def.pkt" >/dev/null || bad "-D: without the define"
"$bin" script -D LATE "$tmp/def.pkt" >/dev/null || bad "-D LATE"
printf '0 < S 0:0(0) win 100\n+0.01 > R. 0:0(0) ack 1\n' >"$tmp/tol.pkt"
"$bin" script "$tmp/tol.pkt" >/dev/null && bad "tolerance: should fail with 4 ms"
"$bin" script --tolerance_usecs=20000 "$tmp/tol.pkt" >/dev/null || bad "--tolerance_usecs=20000"
"$bin" script >/dev/null 2>&1; [ $? = 2 ] || bad "no script: exit status not 2"
"$bin" script --bogus=1 "$tmp/pass.pkt" >/dev/null 2>&1; [ $? = 2 ] || bad "bad option: exit status not 2"
"$bin" script --help | grep -q "^usage: lucidtcp script" || bad "--help"
"$bin" help script | grep -q "^usage: lucidtcp script" || bad "help script"
"$bin" script -v "$tmp/pass.pkt" | grep -q "< S 0:0(0) win 100" || bad "-v trace"
# The same script over IPv6, from the command line, and with the script's addresses moved.
"$bin" script --ip_version=ipv6 "$tmp/pass.pkt" >/dev/null || bad "--ip_version=ipv6"
"$bin" script --ip_version=ipv6 --local_ip=2001:db8:1::7 --remote_ip=2001:db8:2::9 "$tmp/pass.pkt" >/dev/null ||
  bad "--ip_version=ipv6 with --local_ip and --remote_ip"
"$bin" script --local_ip=2001:db8::zz "$tmp/pass.pkt" >/dev/null 2>&1; [ $? = 2 ] || bad "bad IPv6 address: exit status not 2"

[ $fails = 0 ] && echo "all CLI checks passed"
exit $((fails > 0))
