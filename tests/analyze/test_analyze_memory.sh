#!/usr/bin/env bash
# make soak: lucidtcp analyze's memory follows the live connections, not the capture's size.
# Two synthetic captures (gen_capture.py) with the same 1,000 connections open at once, one ten
# times longer than the other (2 million packets): the longer one's peak RSS must not exceed
# the shorter one's by more than 16 MB. Prints packets per second (for the README's figure).
set -euo pipefail
L=${1:?usage: test_analyze_memory.sh LUCIDTCP}
HERE=$(cd "$(dirname "$0")" && pwd)
# Under AddressSanitizer freed blocks wait in a quarantine (256 MB): without it the peak is
# what the program holds.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
python3 "$HERE/gen_capture.py" "$TMP/short.pcap" 20000 1000 4
python3 "$HERE/gen_capture.py" "$TMP/long.pcap" 200000 1000 4
run() { # run FILE: prints "peak_rss_kb seconds" of lucidtcp analyze on FILE
  python3 - "$L" "$1" <<'PY'
import resource, subprocess, sys, time
t = time.time()
out = subprocess.run([sys.argv[1], "analyze", "--time-wait", "1", "--format", "json", sys.argv[2]],
                     stdout=subprocess.PIPE, check=True).stdout
dt = time.time() - t
assert out.count(b'"type":"conn"') in (20000, 200000), "connections missing"
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, f"{dt:.2f}")
PY
}
read -r short_kb short_s < <(run "$TMP/short.pcap")
read -r long_kb long_s < <(run "$TMP/long.pcap")
echo "200,000 packets: peak RSS ${short_kb} KB, ${short_s} s"
echo "2,000,000 packets: peak RSS ${long_kb} KB, ${long_s} s ($(python3 -c "print(int(2e6 / $long_s))") packets/s)"
if [ "$long_kb" -gt $((short_kb + 16384)) ]; then
  echo "FAIL: memory grew with the capture's length"
  exit 1
fi
echo "bounded: the peak follows the live connections"
