#!/bin/sh
# Runs N seeds of the adversarial simulation swarm (tests/swarm/test_swarm.c) from START on
# JOBS cores: the range is cut into chunks run by `xargs -P JOBS`, each a test_swarm process
# writing its own log in LOGDIR. Prints each failing seed with its replay command, the totals
# and the seeds per second, and exits 1 if any seed failed.
#
#   scripts/swarm-soak.sh BIN START N [JOBS] [LOGDIR]
#
# BIN is build/asan/tests/test_swarm (sanitizers) or build/release/tests/test_swarm (faster;
# RelWithDebInfo keeps the invariant assertions). make soak and make swarm-soak call this.
set -eu
bin=$1 start=$2 n=$3
jobs=${4:-$(nproc 2>/dev/null || echo 2)}
logdir=${5:-$(dirname "$bin")/swarm-soak}
[ -x "$bin" ] || { echo "swarm-soak: no $bin (build it first)" >&2; exit 2; }
[ "$n" -gt 0 ] || { echo "swarm-soak: 0 seeds"; exit 0; }
mkdir -p "$logdir"
rm -f "$logdir"/chunk-*.log
# Chunks: about four per job so the cores stay busy to the end, at most 5000 seeds each.
chunk=$(( (n + jobs * 4 - 1) / (jobs * 4) ))
[ "$chunk" -le 5000 ] || chunk=5000
t0=$(date +%s)
i=$start end=$((start + n - 1))
while [ "$i" -le "$end" ]; do
  last=$((i + chunk - 1)); [ "$last" -le "$end" ] || last=$end
  echo "$i-$last"
  i=$((last + 1))
done | xargs -P "$jobs" -I{} sh -c '"$1" --seeds "$2" >"$3/chunk-$2.log" 2>&1 || true' sh "$bin" {} "$logdir"
t1=$(date +%s)
failed=$(cat "$logdir"/chunk-*.log | grep -c '^FAIL seed=' || true)
ran=$(cat "$logdir"/chunk-*.log | sed -n 's/^\([0-9]*\) seeds, .*/\1/p' | awk '{s+=$1} END {print s+0}')
grep -h -A1 '^FAIL seed=' "$logdir"/chunk-*.log || true
secs=$((t1 - t0)); [ "$secs" -gt 0 ] || secs=1
echo "swarm-soak: $ran of $n seeds ($start-$end) run on $jobs processes in ${secs} s" \
     "($(awk "BEGIN {printf \"%.1f\", $ran / $secs / $jobs}") seeds/s per process), $failed failed;" \
     "logs in $logdir"
[ "$failed" -eq 0 ] && [ "$ran" -eq "$n" ]
