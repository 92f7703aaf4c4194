#!/bin/sh
# fuzz/run.sh BIN SEEDS SECONDS WORK: runs the libFuzzer target BIN on a fresh working corpus
# WORK/corpus (new inputs go there, never into the committed SEEDS), first replaying every file
# of SEEDS (regression files included), then fuzzing for SECONDS (FUZZ_SECONDS overrides it).
# A crash leaves its input in WORK/ (crash-*, leak-*, timeout-*) and fails with libFuzzer's
# status. Prints the target's total executions and executions per second.
set -eu
bin=$1 seeds=$2 secs=${FUZZ_SECONDS:-$3} work=$4
rm -rf "$work/corpus"
mkdir -p "$work/corpus"
log="$work/log"
status=0
"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/" "$work/corpus" "$seeds" >"$log" 2>&1 || status=$?
name=$(basename "$bin")
if [ "$status" -ne 0 ]; then
  cat "$log"
  echo "$name: FAILED (status $status); the input is in $work/"
  exit "$status"
fi
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1)
echo "$name: ${secs} s, $execs executions, $rate per second, $cov, $(ls "$seeds" | wc -l) seeds replayed, no crash"
