#!/usr/bin/env bash
# get as curl's users expect it, against a Python server on the kernel's side: no output file
# when a download fails (and an existing one left as it was), the bytes of one that fails
# part-way kept; -L through relative, absolute and network-path Locations (301, 302, 303, 307,
# 308), and its limits; names from the hosts file LTCP_HOSTS_FILE names; -C - with 206, with a
# server that answers 200, and with 416 for a file already complete.
LUCIDTCP=$1
source "$(dirname "$0")/lib.sh"
interop_setup get
SIZE=1048576
mkdir -p "$TMP/www" "$TMP/dl"
make_file "$TMP/www/f.bin" $SIZE
: >"$TMP/www/empty"
printf '%s kpeer\n' "$K" >"$TMP/hosts"
export LTCP_HOSTS_FILE=$TMP/hosts
bg pyhttp 120 python3 "$PEER" http-server "$K" 8000 "$TMP/www"
wait_line "$TMP/pyhttp.out" "^listening" 10
U=http://$K:8000
D=$TMP/dl
# get NAME ARGS...: lucidtcp get ARGS, stderr in $TMP/NAME.err; its exit status is printed.
get() {
  local rc=0
  nsx timeout 30 "$LUCIDTCP" get --tun "$DEV" --addr "$LCIDR" "${@:2}" >"$TMP/$1.out" \
    2>"$TMP/$1.err" </dev/null || rc=$?
  echo $rc
}
says() { grep -qF -- "$2" "$TMP/$1.err" || { echo "  stderr: $(cat "$TMP/$1.err")"; return 1; }; }
requests() { grep -c "^request $1 " "$TMP/pyhttp.out"; }

# Failures leave no file
check "404: exits 1" test "$(get e404 "$U/missing" -o "$D/missing")" = 1
check "404: says HTTP 404" says e404 "$U/missing: HTTP 404"
check "404: no file" test ! -e "$D/missing"
echo "keep me" >"$D/kept"
check "404 over an existing file: exits 1" test "$(get e404b "$U/missing" -o "$D/kept")" = 1
check "404 over an existing file: the file as it was" grep -qx "keep me" "$D/kept"
check "refused: exits 1" test "$(get refused "http://$K:8009/f.bin" -o "$D/refused")" = 1
check "refused: says so" says refused "connect to $K:8009: connection refused (ECONNREFUSED)"
check "refused: no file" test ! -e "$D/refused"
check "no such directory for -o: exits 1" test "$(get nodir "$U/f.bin" -o /nonexistent/x)" = 1
check "no such directory for -o: says so" says nodir "cannot write /nonexistent/x: No such file or directory"
check "an empty body: exits 0" test "$(get empty "$U/empty" -o "$D/empty")" = 0
check "an empty body: an empty file" test -e "$D/empty" -a ! -s "$D/empty"
check "cut short: exits 1" test "$(get cut "$U/cut/f.bin" -o "$D/cut")" = 1
check "cut short: says where" says cut "closed the connection after $((SIZE / 2)) body bytes"
check "cut short: the bytes received are kept" cmp -s "$D/cut" <(head -c $((SIZE / 2)) "$TMP/www/f.bin")
check "cut short: says -C - resumes" says cut "$D/cut keeps the $((SIZE / 2)) bytes received; -C - resumes the download"

# -L
check "a redirect without -L: exits 1" test "$(get nol "$U/hop/1" -o "$D/nol")" = 1
check "a redirect without -L: says where to and -L" says nol "$U/hop/1: HTTP 302 Found to 0 (-L follows it)"
check "a redirect without -L: no file" test ! -e "$D/nol"
check "-L through 4 relative hops: exits 0" test "$(get hops -L "$U/hop/3" -o "$D/hops")" = 0
check "-L through 4 relative hops: the file" same_file "$D/hops" "$TMP/www/f.bin"
check "-L: /hop/3, 2, 1, 0, then ../f.bin resolved to /f.bin" \
  test "$(grep -oE '^request /(hop/[0-9]|f.bin) ' "$TMP/pyhttp.out" | tail -5 | tr -d '\n')" = \
  "request /hop/3 request /hop/2 request /hop/1 request /hop/0 request /f.bin "
for r in abs see t307 t308; do
  check "-L $r: exits 0" test "$(get "$r" -L "$U/$r" -o "$D/$r")" = 0
  check "-L $r: the file" same_file "$D/$r" "$TMP/www/f.bin"
done
check "-L t307: the query kept (./f.bin?x=1)" grep -q "^request /f.bin?x=1 " "$TMP/pyhttp.out"
check "-L, a loop: exits 1" test "$(get loop -L "$U/loop" -o "$D/loop")" = 1
check "-L, a loop: stops after 20 redirects" says loop "$U/loop: more than 20 redirects"
check "-L, a loop: 21 requests" test "$(requests /loop)" = 21
check "-L, a loop: no file" test ! -e "$D/loop"
check "-L, no Location: exits 1" test "$(get nowhere -L "$U/nowhere" -o "$D/nw")" = 1
check "-L, no Location: says so" says nowhere "HTTP 302 Found without a Location to follow"
check "-L with no route: exits 1" test "$(get offlink --route 198.18.2.0/24 -L "$U/offlink" -o "$D/off")" = 1
check "-L with no route: says so" says offlink "redirected to http://198.19.5.5/x: no route to 198.19.5.5 (--addr, --route, --gateway)"
check "-L to https: exits 1" test "$(get https -L "$U/https" -o "$D/https")" = 1
check "-L to https: says so" says https "cannot follow the redirect to 'https://kpeer/x': lucidtcp get speaks http:// only"

# A name from the hosts file
check "hosts file: exits 0" test "$(get named "http://kpeer:8000/f.bin" -o "$D/named")" = 0
check "hosts file: the file" same_file "$D/named" "$TMP/www/f.bin"

# -C -
head -c 300000 "$TMP/www/f.bin" >"$D/part"
check "-C -: exits 0" test "$(get resume -C - "$U/f.bin" -o "$D/part")" = 0
check "-C -: asked for the rest" grep -q "^request /f.bin range=bytes=300000-$" "$TMP/pyhttp.out"
check "-C -: the file is whole" same_file "$D/part" "$TMP/www/f.bin"
check "-C - after a cut: exits 0" test "$(get resume2 -C - "$U/f.bin" -o "$D/cut")" = 0
check "-C - after a cut: the file is whole" same_file "$D/cut" "$TMP/www/f.bin"
head -c 300000 "$TMP/www/f.bin" >"$D/part2"
check "-C -, the server sends 200: exits 0" test "$(get restart -C - "$U/norange/f.bin" -o "$D/part2")" = 0
check "-C -, the server sends 200: says it starts over" says restart "the server sent the whole file (HTTP 200, not 206): $D/part2 is written again from the start"
check "-C -, the server sends 200: the file is whole" same_file "$D/part2" "$TMP/www/f.bin"
check "-C -, complete: exits 0" test "$(get whole -C - "$U/f.bin" -o "$D/part")" = 0
check "-C -, complete: says so" says whole "$D/part is already complete ($SIZE bytes): nothing to resume"
check "-C -, complete: the file unchanged" same_file "$D/part" "$TMP/www/f.bin"
{ cat "$TMP/www/f.bin"; echo extra; } >"$D/long"
cp "$D/long" "$TMP/long.orig"
check "-C -, longer than the server's: exits 1" test "$(get long -C - "$U/f.bin" -o "$D/long")" = 1
check "-C -, longer than the server's: says 416" says long "HTTP 416 Requested Range Not Satisfiable: $D/long has $((SIZE + 6)) bytes, the server's file $SIZE: not resumed"
check "-C -, longer than the server's: the file unchanged" same_file "$D/long" "$TMP/long.orig"
check "-C - without a file: a plain download" test "$(get fresh -C - "$U/f.bin" -o "$D/fresh")" = 0
check "-C - without a file: no Range asked" test "$(grep -c '^request /f.bin range=None$' "$TMP/pyhttp.out")" -ge 1
check "-C - without a file: the file" same_file "$D/fresh" "$TMP/www/f.bin"
interop_finish
