#!/usr/bin/env bash
# Scenario 1: curl downloads 64 MiB from `lucidtcp serve --service http:DIR`, and `lucidtcp get`
# downloads 64 MiB from python3 -m http.server on the kernel's side; sha256 of both. Also HEAD,
# keep-alive (two requests on one connection), 404 and 405 from serve.
LUCIDTCP=$1
source "$(dirname "$0")/lib.sh"
interop_setup http curl
SIZE=$((64 * 1024 * 1024))
mkdir -p "$TMP/www"
make_file "$TMP/www/big.bin" $SIZE
echo "hello from lucidtcp" >"$TMP/www/index.html"
seconds() { python3 -c "print(f'{$2-$1:.2f}')"; }

# curl <- lucidtcp serve
start_serve serve "http:$TMP/www" 8080 --trace
t0=$(date +%s.%N)
rc=0
nsx timeout 120 curl -sS -o "$TMP/curl.bin" -w "%{http_code} %{size_download}\n" \
  "http://$L:8080/big.bin" >"$TMP/curl.log" 2>&1 || rc=$?
t1=$(date +%s.%N)
echo "curl <- serve: 64 MiB in $(seconds "$t0" "$t1") s"
check "curl exits 0" test "$rc" = 0
check "curl: 200 and 64 MiB" grep -q "^200 $SIZE$" "$TMP/curl.log"
check "curl: sha256 matches" same_file "$TMP/curl.bin" "$TMP/www/big.bin"
nsx timeout 30 curl -sS -I "http://$L:8080/big.bin" >"$TMP/head.log" 2>&1 || true
check "HEAD: 200 with Content-Length" grep -qi "^content-length: $SIZE" "$TMP/head.log"
nsx timeout 30 curl -sS -w "%{num_connects} connects\n" -o "$TMP/ka1" "http://$L:8080/" \
  -o "$TMP/ka2" "http://$L:8080/index.html" >"$TMP/ka.log" 2>&1 || true
check "keep-alive: two requests over one connection" grep -q "^0 connects" "$TMP/ka.log"
check "keep-alive: / gives index.html" same_file "$TMP/ka1" "$TMP/www/index.html"
code() { nsx timeout 30 curl -s -o /dev/null -w "%{http_code}" "$@" || true; }
check "404 for a missing file" test "$(code "http://$L:8080/nope")" = 404
check "400 for a path that climbs out" test "$(code --path-as-is "http://$L:8080/../etc/passwd")" = 400
check "405 for POST" test "$(code -X POST -d x "http://$L:8080/index.html")" = 405
stop_pid "$SERVE_PID"
check "serve exits 0 on SIGTERM" rc_is 0
check "capture serve" capture_ok "$TMP/serve.pcap"

# lucidtcp get <- python3 -m http.server (the kernel)
bg pyhttp 120 python3 -m http.server --bind "$K" --directory "$TMP/www" 8000
wait_line "$TMP/pyhttp.out" "Serving HTTP" 10 || wait_line "$TMP/pyhttp.err" "Serving HTTP" 5
t0=$(date +%s.%N)
rc=0
nsx timeout 120 "$LUCIDTCP" get --tun "$DEV" --addr "$LCIDR" --trace --pcap "$TMP/get.pcap" \
  "http://$K:8000/big.bin" -o "$TMP/get.bin" >"$TMP/get.out" 2>"$TMP/get.err" || rc=$?
t1=$(date +%s.%N)
echo "lucidtcp get <- python3 http.server: 64 MiB in $(seconds "$t0" "$t1") s"
check "get exits 0" test "$rc" = 0
check "get: sha256 matches" same_file "$TMP/get.bin" "$TMP/www/big.bin"
check "get: nothing on stdout, no progress bar when not a terminal" \
  bash -c "! test -s '$TMP/get.out' && ! grep -q '%' '$TMP/get.err'"
rc=0
nsx timeout 30 "$LUCIDTCP" get --tun "$DEV" --addr "$LCIDR" "http://$K:8000/missing" -o "$TMP/x" \
  2>"$TMP/get404.err" || rc=$?
check "get: a 404 exits 1 and says so" bash -c "test $rc = 1 && grep -q 'HTTP 404' '$TMP/get404.err'"
check "capture get" capture_ok "$TMP/get.pcap"
interop_finish
