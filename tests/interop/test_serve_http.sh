#!/usr/bin/env bash
# serve --service http:DIR against curl: Range (RFC 9110 §14: a-b, a-, -n, one beyond the end,
# several) and `curl -C -` resuming; an absolute-form request target (RFC 9112 §3.2.2);
# symbolic links that lead outside DIR (403, and --follow-symlinks); a directory listing with
# its names escaped; the access log with a request target's odd bytes escaped.
LUCIDTCP=$1
source "$(dirname "$0")/lib.sh"
interop_setup serve-http curl
W=$TMP/www
SIZE=1048576
mkdir -p "$W/sub/d" "$TMP/outside"
make_file "$W/f.bin" $SIZE
echo "hello from lucidtcp" >"$W/hello.txt"
echo "a secret outside DIR" >"$TMP/secret.txt"
echo "outside too" >"$TMP/outside/file.txt"
ln -s ../secret.txt "$W/out.txt"
ln -s "$TMP/outside" "$W/outdir"
ln -s hello.txt "$W/in.txt"
echo a >"$W/sub/a b.txt"
echo x >"$W/sub/<x>&.html"
U=http://$L:8080
start_serve serve "http:$W" 8080
# get NAME CURL-ARGS...: the body in $TMP/NAME, the head in $TMP/NAME.h, the status printed.
get() { nsx timeout 20 curl -sS -o "$TMP/$1" -D "$TMP/$1.h" -w "%{http_code}" "${@:2}" || true; }
header() { grep -qi "^$2: $3"$'\r'"\$" "$TMP/$1.h"; }

# Ranges
check "range a-b: 206" test "$(get r1 -r 0-99 "$U/f.bin")" = 206
check "range a-b: Content-Range" header r1 Content-Range "bytes 0-99/$SIZE"
check "range a-b: the first 100 bytes" cmp -s "$TMP/r1" <(head -c 100 "$W/f.bin")
check "range -n: 206" test "$(get r2 -r -100 "$U/f.bin")" = 206
check "range -n: the last 100 bytes" cmp -s "$TMP/r2" <(tail -c 100 "$W/f.bin")
check "range -n: Content-Range" header r2 Content-Range "bytes $((SIZE - 100))-$((SIZE - 1))/$SIZE"
check "range a-: 206" test "$(get r3 -r $((SIZE - 576))- "$U/f.bin")" = 206
check "range a-: the rest" cmp -s "$TMP/r3" <(tail -c 576 "$W/f.bin")
check "range a-b past the end: cut at the end" test "$(get r4 -r $((SIZE - 10))-$((SIZE * 2)) "$U/f.bin")" = 206
check "range a-b past the end: 10 bytes" test "$(stat -c %s "$TMP/r4")" = 10
check "range beyond the end: 416" test "$(get r5 -r $((SIZE * 2))- "$U/f.bin")" = 416
check "range beyond the end: Content-Range bytes */len" header r5 Content-Range "bytes \*/$SIZE"
check "several ranges: 200" test "$(get r6 -r 0-1,5-6 "$U/f.bin")" = 200
check "several ranges: the whole file" same_file "$TMP/r6" "$W/f.bin"
check "a whole file says Accept-Ranges: bytes" header r6 Accept-Ranges bytes
head -c 300000 "$W/f.bin" >"$TMP/part"
rc=0
nsx timeout 20 curl -sS -C - -o "$TMP/part" "$U/f.bin" || rc=$?
check "curl -C -: exits 0" test "$rc" = 0
check "curl -C -: the file is whole" same_file "$TMP/part" "$W/f.bin"
check "curl -C -: the log shows 206 and the rest's length" \
  grep -q "\"GET /f.bin HTTP/1.1\" 206 $((SIZE - 300000))$" "$TMP/serve.err"

# Absolute form
check "absolute-form target: 200" test "$(get abs --request-target "http://$L:8080/hello.txt" "$U/")" = 200
check "absolute-form target: the file" same_file "$TMP/abs" "$W/hello.txt"
check "absolute-form, another host named: the path is what counts" \
  test "$(get abs2 --request-target "http://elsewhere.example/sub/a%20b.txt" "$U/")" = 200
check "absolute-form: logged as received" grep -q "\"GET http://$L:8080/hello.txt HTTP/1.1\" 200 20$" "$TMP/serve.err"

# Symbolic links
check "a link inside DIR: 200" test "$(get in "$U/in.txt")" = 200
check "a link to a file outside DIR: 403" test "$(get out "$U/out.txt")" = 403
check "403: not the file" bash -c "! grep -q secret '$TMP/out'"
check "a link to a directory outside DIR: 403" test "$(get outdir "$U/outdir/file.txt")" = 403

# Listing
check "a directory without index.html: 200" test "$(get list "$U/sub/")" = 200
check "listing: text/html" header list Content-Type "text/html; charset=utf-8"
check "listing: a name with a space, percent-encoded in the link" \
  grep -qF '<li><a href="/sub/a%20b.txt">a b.txt</a></li>' "$TMP/list"
check "listing: <, > and & escaped" \
  grep -qF '<li><a href="/sub/%3Cx%3E%26.html">&lt;x&gt;&amp;.html</a></li>' "$TMP/list"
check "listing: a directory ends with /" grep -qF '<li><a href="/sub/d/">d/</a></li>' "$TMP/list"
check "listing: the parent" grep -qF '<li><a href="/">../</a></li>' "$TMP/list"
check "listing's link works" test "$(get a "$U/sub/a%20b.txt")" = 200
check "the top, a listing too" test "$(get top "$U/")" = 200
check "the top lists f.bin" grep -qF '<a href="/f.bin">f.bin</a>' "$TMP/top"

# The access log: bytes of the target that are not printable, '"' and '\' as \xHH.
nsx timeout 10 bash -c "exec 3<>/dev/tcp/$L/8080; printf 'GET /a\\001\"b\\\\%%41 HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n' >&3; cat <&3" \
  >"$TMP/raw.out" 2>&1 || true
check "odd target: 404" grep -q "^HTTP/1.1 404" "$TMP/raw.out"
check "odd target: logged escaped" grep -qF '"GET /a\x01\x22b\x5C%41 HTTP/1.1" 404 0' "$TMP/serve.err"
check "the log has no raw control byte" bash -c "! grep -qP '\\x01' '$TMP/serve.err'"
stop_pid "$SERVE_PID"
check "serve exits 0" rc_is 0

# --follow-symlinks
start_serve follow "http:$W" 8081 --follow-symlinks
check "--follow-symlinks: a link outside DIR is served" \
  test "$(get fout "http://$L:8081/out.txt")" = 200
check "--follow-symlinks: the file it leads to" same_file "$TMP/fout" "$TMP/secret.txt"
stop_pid "$SERVE_PID"
check "capture" capture_ok "$TMP/serve.pcap"
interop_finish
