#!/usr/bin/env bash
# Issue 18, backpressure: a clean download from serve over TUN (no faults, no offloads) counts
# no drop and no retransmission in the stack's counters. A full output queue stops the sender
# until the driver drains it (txq_full counts how often): it is flow control, not a drop.
# BULK_MIB sets the size (256 here; make bench's soak runs 4096).
LUCIDTCP=$1
source "$(dirname "$0")/lib.sh"
interop_setup serve-bulk curl
MIB=${BULK_MIB:-256}
W=$TMP/www
mkdir -p "$W"
# A sparse file: the bytes do not matter, only that every one arrives (size and sha256).
truncate -s "${MIB}M" "$W/big.bin"
# Without a capture (start_serve's): at 4 GiB it would fill the disk.
bg serve 900 "$LUCIDTCP" serve --tun "$DEV" --addr "$LCIDR" --port 8080 --service "http:$W" --trace
SERVE_PID=$BG_PID
wait_line "$TMP/serve.err" "^lucidtcp serve: .* on $L:8080" 10
rc=0
# Summed as it arrives: nothing lands on disk, whatever the size.
nsx timeout 600 bash -c "set -o pipefail; curl -sS 'http://$L:8080/big.bin' | sha256sum | cut -d' ' -f1" \
  >"$TMP/got.sha" || rc=$?
stop_pid "$SERVE_PID"
check "curl: $MIB MiB downloaded (exit 0)" test "$rc" = 0
check "the file arrived whole (sha256)" test "$(cat "$TMP/got.sha")" = "$(sha "$W/big.bin")"
check "serve exits 0 on SIGTERM" rc_is 0
line=$(grep -E "^lucidtcp serve: stack: " "$TMP/serve.err" || true)
echo "  $line"
check "no drop in the stack's counters" grep -qE "retransmitted, 0 dropped;" <<<"$line"
check "no retransmission" grep -qE " 0 retransmitted," <<<"$line"
check "no drop line in the trace" bash -c "! grep -q 'dropped\|output queue full' <(grep -v '^lucidtcp serve: stack: ' '$TMP/serve.err')"
interop_finish
