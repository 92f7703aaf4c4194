#!/usr/bin/env bash
# Issue 18, serve's file service without a copy (--send zerocopy, the default): the body is a
# read-only mapping of the file lent to the stack (ltcp_send_zc) in pieces. A 64 MiB download
# and a range arrive whole, every lent piece is released acknowledged, every mapping unmapped;
# --send copy lends nothing; a client that resets mid-transfer leaves serve healthy, each piece
# released (acknowledged or on error) and the mapping freed after the last release, which
# AddressSanitizer (the interop tests run the ASan build) would report otherwise; a file that
# shrinks while it is served ends its connection short, without SIGBUS.
LUCIDTCP=$1
source "$(dirname "$0")/lib.sh"
interop_setup serve-zc curl
W=$TMP/www
SIZE=$((64 << 20))
mkdir -p "$W"
make_file "$W/big.bin" $SIZE
: >"$W/empty.txt"
U=http://$L:8080
# The trace lines read, their numbers in order: lent, acknowledged, on error, refused; and
# bodies mapped, pieces lent, pieces copied, bodies read, mappings unmapped, of mappings.
ZC='^lucidtcp serve: zero-copy: [0-9]+ buffers lent, [0-9]+ released acknowledged, [0-9]+ released on error, [0-9]+ refused'
FILES='^lucidtcp serve: files: [0-9]+ bodies lent from a mapping \([0-9]+ pieces, [0-9]+ copied when lending was refused\), [0-9]+ read and copied; [0-9]+ of [0-9]+ mappings unmapped'

# download NAME URL [curl args...]: curl's body summed as it arrives, in $TMP/NAME.sha.
download() {
  nsx timeout 60 bash -c "set -o pipefail; curl -sS ${*:3} '$2' | sha256sum | cut -d' ' -f1" >"$TMP/$1.sha"
}
# counts NAME REGEX: the numbers of the line of serve NAME's trace that matches, in ${N[@]}.
counts() {
  local line
  line=$(grep -E "$2" "$TMP/$1.err" || true)
  echo "  ${line:-(no line /$2/)}"
  N=($(grep -oE '[0-9]+' <<<"$line" || true))
}
# closed NAME: waits until serve NAME's connection reached CLOSED after our FIN's ACK (every
# byte before it acknowledged), so the counters at SIGTERM are final.
closed() { wait_line "$TMP/$1.err" "LAST-ACK -> CLOSED" 10; }
asan_quiet() { ! grep -qE "Sanitizer|runtime error" "$TMP/$1.err"; }
# serve NAME PORT [options...]: start_serve without a capture (64 MiB each under ASan is slow).
serve() {
  bg "$1" 120 "$LUCIDTCP" serve --tun "$DEV" --addr "$LCIDR" --port "$2" --service "http:$W" \
    --trace "${@:3}"
  SERVE_PID=$BG_PID
  wait_line "$TMP/$1.err" "^lucidtcp serve: .* on $L:$2" 10
}

# 1. Zero-copy (the default): the whole file, a range from an odd offset, an empty file.
serve zc 8080
rc=0
download whole "$U/big.bin" || rc=$?
check "zerocopy: curl exits 0" test "$rc" = 0
check "zerocopy: 64 MiB arrive whole (sha256)" test "$(cat "$TMP/whole.sha")" = "$(sha "$W/big.bin")"
closed zc
FIRST=123457 LAST=$((SIZE - 4099))
download range "$U/big.bin" -r "$FIRST-$LAST" || true
want=$(tail -c +$((FIRST + 1)) "$W/big.bin" | head -c $((LAST - FIRST + 1)) | sha256sum | cut -d' ' -f1)
check "zerocopy: a range from an unaligned offset arrives whole" test "$(cat "$TMP/range.sha")" = "$want"
closed zc
check "zerocopy: an empty file (read, not mapped): 200, 0 bytes" \
  test "$(nsx timeout 10 curl -sS -o /dev/null -w '%{http_code} %{size_download}' "$U/empty.txt")" = "200 0"
closed zc
stop_pid "$SERVE_PID"
check "zerocopy: serve exits 0 on SIGTERM" rc_is 0
counts zc "$ZC"
check "zerocopy: buffers were lent" test "${N[0]:-0}" -gt 0
check "zerocopy: every one released acknowledged, none on error" \
  test "${N[1]:-x}" = "${N[0]:-y}" -a "${N[2]:-x}" = 0
LENT=${N[0]:-}
counts zc "$FILES"
check "zerocopy: 2 bodies lent, the empty one read" test "${N[0]:-x} ${N[3]:-x}" = "2 1"
check "zerocopy: as many pieces as the stack lent" test "${N[1]:-x}" = "$LENT"
check "zerocopy: every mapping unmapped" test "${N[4]:-x}" = "${N[5]:-y}"
check "zerocopy: ASan quiet" asan_quiet zc

# 2. --send copy: the same download, nothing lent.
serve copy 8081 --send copy
rc=0
download copy "http://$L:8081/big.bin" || rc=$?
check "copy: 64 MiB arrive whole (sha256)" test "$rc" = 0 -a "$(cat "$TMP/copy.sha")" = "$(sha "$W/big.bin")"
closed copy
stop_pid "$SERVE_PID"
check "copy: serve exits 0 on SIGTERM" rc_is 0
check "copy: no zero-copy line" bash -c "! grep -q 'zero-copy:' '$TMP/copy.err'"
counts copy "$FILES"
check "copy: the body read and copied, none lent" test "${N[0]:-x} ${N[3]:-x}" = "0 1"

# 3. A client that resets mid-transfer (SO_LINGER 0 after 2 MiB), then a download: serve is
# healthy, and the pieces lent to the reset connection are released on error.
serve rst 8082
nsx timeout 30 python3 - "$L" 8082 >"$TMP/abort.out" 2>&1 <<'EOF' || true
import socket, struct, sys
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=20)
c.sendall(b"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
n = 0
while n < (2 << 20):
    d = c.recv(65536)
    if not d:
        break
    n += len(d)
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
c.close()
print("aborted after", n)
EOF
check "reset: the client read 2 MiB, then reset" grep -q "^aborted after" "$TMP/abort.out"
check "reset: serve saw the reset" wait_line "$TMP/rst.err" "ESTABLISHED -> CLOSED .* ECONNRESET" 10
rc=0
download after "http://$L:8082/big.bin" || rc=$?
check "reset: a download after it arrives whole" \
  test "$rc" = 0 -a "$(cat "$TMP/after.sha")" = "$(sha "$W/big.bin")"
closed rst
stop_pid "$SERVE_PID"
check "reset: serve exits 0 on SIGTERM" rc_is 0
counts rst "$ZC"
check "reset: some pieces released on error" test "${N[2]:-0}" -gt 0
check "reset: every piece released (acknowledged + on error = lent)" \
  test "$((${N[1]:-0} + ${N[2]:-0}))" = "${N[0]:-x}"
counts rst "$FILES"
check "reset: both mappings unmapped" test "${N[4]:-x} ${N[5]:-y}" = "2 2"
check "reset: ASan quiet" asan_quiet rst
# 4. A file that shrinks while it is served: the client stops reading after 1 MiB (at most the
# send buffer and the kernel's receive buffer, a few MiB, are lent then), the file is cut to
# 32 MiB, far beyond the pages lent; the next piece finds it shorter and ends the connection
# (the client gets fewer bytes than promised), instead of lending pages past the end (SIGBUS).
truncate -s 64M "$W/shrink.bin"
serve shrink 8083
nsx timeout 30 python3 - "$L" 8083 "$TMP/go" >"$TMP/shrink.out" 2>&1 <<'EOF' &
import os, socket, sys, time
c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=20)
c.sendall(b"GET /shrink.bin HTTP/1.1\r\nHost: x\r\n\r\n")
n = 0
while n < (1 << 20):
    n += len(c.recv(65536))
print("paused after", n, flush=True)
for _ in range(200):
    if os.path.exists(sys.argv[3]):
        break
    time.sleep(0.05)
while True:
    d = c.recv(65536)
    if not d:
        break
    n += len(d)
print("received", n, flush=True)
EOF
CPID=$!
PIDS+=("$CPID")
wait_line "$TMP/shrink.out" "^paused" 10 || true
truncate -s 32M "$W/shrink.bin"
touch "$TMP/go"
wait_pid "$CPID" 20
got=$(sed -n 's/^received //p' "$TMP/shrink.out")
echo "  the client received ${got:-nothing} bytes (head and body) of 64 MiB promised"
check "shrink: the connection ended short of the 64 MiB promised" \
  test -n "$got" -a "${got:-0}" -gt $((1 << 20)) -a "${got:-0}" -lt $((64 << 20))
stop_pid "$SERVE_PID"
check "shrink: serve exits 0 on SIGTERM (no SIGBUS)" rc_is 0
counts shrink "$FILES"
check "shrink: one response cut short, its mapping unmapped" \
  test "${N[6]:-x} ${N[4]:-x} ${N[5]:-y}" = "1 1 1"
counts shrink "$ZC"
check "shrink: every piece released" test "$((${N[1]:-0} + ${N[2]:-0}))" = "${N[0]:-x}"
check "shrink: ASan quiet" asan_quiet shrink
interop_finish
