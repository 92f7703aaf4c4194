#!/usr/bin/env bash
# connect, get and serve's options as users type them, checked before any device is opened
# (no root, no TUN needed): exit status 2 and a message that says what and why for a bad value
# of -w, -q, -C, a HOST neither an address nor in the hosts file (LTCP_HOSTS_FILE), an
# --impair item out of its range, an http:DIR that is missing or not a directory, serve's
# --header-timeout, --idle-timeout, --max-per-client out of range and --send unknown; names from
# the hosts file reach the link check; the help texts tell the new options.
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
# bad NAME MESSAGE CMD...: exit status 2, and MESSAGE (fixed string) on stderr.
bad() {
  local rc=0
  "${@:3}" >"$tmp/out" 2>"$tmp/err" </dev/null || rc=$?
  if [ "$rc" = 2 ] && grep -qF -- "$2" "$tmp/err"; then
    echo "ok   $1"
  else
    echo "FAIL $1: exit $rc, stderr: $(cat "$tmp/err")"
    fails=$((fails + 1))
  fi
}
# help_has CMD TEXT: 'lucidtcp help CMD' says TEXT.
help_has() {
  if "$bin" help "$1" | grep -qF -- "$2"; then echo "ok   help $1: $2"
  else echo "FAIL help $1 lacks '$2'"; fails=$((fails + 1)); fi
}
C=("$bin" connect --tun t0 --addr 198.18.0.2/24)
G=("$bin" get --tun t0 --addr 198.18.0.2/24)
S=("$bin" serve --tun t0 --addr 198.18.0.2/24 --port 80)
printf '198.18.0.1 kpeer\n198.19.0.1 faraway\n' >"$tmp/hosts"
mkdir "$tmp/www"
: >"$tmp/file"

bad "connect -w 0" "-w wants seconds above 0 and at most 86400, not '0'" "${C[@]}" -w 0 198.18.0.1 80
bad "connect -w -1" "-w wants seconds above 0" "${C[@]}" -w -1 198.18.0.1 80
bad "connect -w soon" "-w wants seconds" "${C[@]}" -w soon 198.18.0.1 80
bad "connect -w without a value" "option -w needs a value" "${C[@]}" 198.18.0.1 80 -w
bad "connect -q x" "-q wants seconds, at most 86400 (a negative number waits for the peer), not 'x'" "${C[@]}" -q x 198.18.0.1 80
bad "connect -q 1e9" "-q wants seconds" "${C[@]}" -q 1e9 198.18.0.1 80
bad "connect, unknown name" "HOST: cannot resolve 'nosuch': not an IPv4 address and not in $tmp/hosts (lucidtcp has no DNS; LTCP_HOSTS_FILE names another hosts file)" \
  env LTCP_HOSTS_FILE="$tmp/hosts" "${C[@]}" nosuch 80
bad "connect, hosts file missing" "cannot resolve 'kpeer': cannot read /nonexistent/hosts: No such file or directory" \
  env LTCP_HOSTS_FILE=/nonexistent/hosts "${C[@]}" kpeer 80
bad "connect, a name with no route: resolved, then refused" "no route to faraway: it is not on lucidtcp's link (--addr 198.18.0.2/24) and no --route or --gateway reaches it" \
  env LTCP_HOSTS_FILE="$tmp/hosts" "${C[@]}" --route 198.18.2.0/24 faraway 80
bad "connect, our own address" "198.18.0.2 is lucidtcp's own address (--addr)" "${C[@]}" 198.18.0.2 80
bad "--route with host bits" "--route 198.18.2.1/24: the address has bits set beyond the prefix (198.18.2.0/24?)" \
  "${C[@]}" --route 198.18.2.1/24 198.18.2.2 80
bad "--route via off the link" "--route 198.18.2.0/24,via=198.18.5.1: the gateway must be another host on lucidtcp's link (--addr 198.18.0.2/24)" \
  "${C[@]}" --route 198.18.2.0/24,via=198.18.5.1 198.18.2.2 80
bad "--route twice" "--route 198.18.2.0/24: that prefix already has a route" \
  "${C[@]}" --route 198.18.2.0/24 --route 198.18.2.0/24 198.18.2.2 80
bad "--route not a prefix" "--route wants PREFIX/LEN[,via=ADDR] (e.g. 198.18.2.0/24,via=198.18.0.1) or default,via=ADDR, not 'bogus'" \
  "${C[@]}" --route bogus 198.18.2.2 80
bad "--gateway off the link" "--gateway 198.18.9.1: the gateway must be another host on lucidtcp's link (--addr 198.18.0.2/24)" \
  "${S[@]}" --service echo --gateway 198.18.9.1
bad "--gateway not an address" "--gateway wants the IPv4 address of a host on the link, not 'x'" \
  "${G[@]}" --gateway x http://198.18.0.1/x -o f
# IPv6 routes and gateways (RFC 4861 §8: a router on the link is named by a link-local address
# or one in our prefix).
C6=("$bin" connect --tun t0 --addr 2001:db8::2/64)
bad "--gateway IPv6 off the link" "--gateway 2001:db9::1: the gateway must be another host in lucidtcp's prefix, or link-local (fe80::/10) (--addr 2001:db8::2/64)" \
  "${C6[@]}" --gateway 2001:db9::1 2001:db8::1 80
bad "--gateway IPv6 multicast" "--gateway wants the unicast IPv6 address of a router on the link (e.g. 2001:db8::1 or fe80::1), not 'ff02::1'" \
  "${C6[@]}" --gateway ff02::1 2001:db8::1 80
bad "--gateway IPv6 twice" "--gateway: one IPv6 gateway at most" \
  "${C6[@]}" --gateway fe80::1 --gateway 2001:db8::1 2001:db8::1 80
bad "--route IPv6 with host bits" "--route 2001:db8:2::1/48: the address has bits set beyond the prefix (2001:db8:2::/48?)" \
  "${C6[@]}" --route 2001:db8:2::1/48 2001:db8:2::5 80
bad "--route IPv6 length 129" "--route wants PREFIX/LEN[,via=ADDR] (e.g. 2001:db8:2::/48,via=2001:db8::1) or default,via=ADDR, not '2001:db8:2::/129'" \
  "${C6[@]}" --route 2001:db8:2::/129 2001:db8:2::5 80
bad "--route IPv6 via off the link" "--route 2001:db8:2::/48,via=2001:db9::1: the gateway must be another host in lucidtcp's prefix" \
  "${C6[@]}" --route 2001:db8:2::/48,via=2001:db9::1 2001:db8:2::5 80
bad "--route IPv6 without an IPv6 address" "--route 2001:db8:2::/48: lucidtcp has no IPv6 address (--addr ADDR6/PREFIX)" \
  "${C[@]}" --route 2001:db8:2::/48 198.18.0.1 80
bad "connect, an IPv6 peer with no route" "no route to 2001:db9::5: it is not in lucidtcp's prefix (--addr 2001:db8::2/64) and no --route or --gateway reaches it" \
  "${C6[@]}" --route 2001:db8:2::/48,via=fe80::1 2001:db9::5 80
bad "connect, IPv6 default,via= sets the route: one route twice" "--route ::/0,via=fe80::2: that prefix already has a route" \
  "${C6[@]}" --gateway fe80::1 --route default,via=fe80::2 2001:db9::5 80
bad "get -C 100" "-C wants '-' (resume after the bytes FILE has), not '100'" "${G[@]}" -C 100 http://198.18.0.1/x -o f
bad "get -C - to standard output" "-C - resumes into a file: it wants -o FILE" "${G[@]}" -C - http://198.18.0.1/x
bad "get, unknown name" "cannot resolve 'nosuch'" env LTCP_HOSTS_FILE="$tmp/hosts" "${G[@]}" http://nosuch/x -o f
bad "get, a name with no route" "no route to faraway" \
  env LTCP_HOSTS_FILE="$tmp/hosts" "${G[@]}" --route 198.18.2.0/24 http://faraway:8000/x -o f
bad "get https" "wants a URL http://HOST[:PORT]/PATH" "${G[@]}" https://198.18.0.1/x -o f
bad "get -L without a URL" "wants a URL" "${G[@]}" -L -o f
if [ -e "$tmp/f" ] || [ -e f ]; then echo "FAIL a usage error created the output file"; fails=$((fails + 1)); fi
bad "serve http: no such directory" "http:$tmp/nope: no such directory" "${S[@]}" --service "http:$tmp/nope"
bad "serve http: a file" "http:$tmp/file: not a directory" "${S[@]}" --service "http:$tmp/file"
bad "--impair loss=200%" "--impair: bad item 'loss=200%' in 'loss=200%': loss must be a probability from 0 to 100% (5% or 0.05)" \
  "${S[@]}" --service echo --impair loss=200%
bad "--impair delay=5parsecs" "delay must be a time from 0 to 3600 s" "${S[@]}" --service echo --impair delay=5parsecs
bad "--impair an unknown item" "unknown item 'frob': the items are delay, jitter, loss, duplicate, reorder, corrupt, seed and dir" \
  "${S[@]}" --service echo --impair frob=1
bad "serve --header-timeout 0" "--header-timeout wants whole seconds from 1 to 86400, not '0'" \
  "${S[@]}" --service "http:$tmp/www" --header-timeout 0
bad "serve --header-timeout 1.5" "--header-timeout wants whole seconds from 1 to 86400, not '1.5'" \
  "${S[@]}" --service "http:$tmp/www" --header-timeout 1.5
bad "serve --header-timeout without a value" "option --header-timeout needs a value" \
  "${S[@]}" --service "http:$tmp/www" --header-timeout
bad "serve --idle-timeout -5" "--idle-timeout wants whole seconds from 1 to 86400, not '-5'" \
  "${S[@]}" --service "http:$tmp/www" --idle-timeout -5
bad "serve --idle-timeout=99999" "--idle-timeout wants whole seconds from 1 to 86400, not '99999'" \
  "${S[@]}" --service "http:$tmp/www" --idle-timeout=99999
bad "serve --max-per-client 0" "--max-per-client wants a count from 1 to 512, not '0'" \
  "${S[@]}" --service "http:$tmp/www" --max-per-client 0
bad "serve --max-per-client 513" "--max-per-client wants a count from 1 to 512, not '513'" \
  "${S[@]}" --service "http:$tmp/www" --max-per-client 513
bad "serve --max-per-client lots" "--max-per-client wants a count from 1 to 512, not 'lots'" \
  "${S[@]}" --service echo --max-per-client lots
bad "good limits pass (the error is the next one)" "unknown option '--bogus'" \
  "${S[@]}" --service "http:$tmp/www" --header-timeout 2 --idle-timeout=60 --max-per-client 512 --bogus
bad "serve --send fast" "--send wants zerocopy or copy, not 'fast'" \
  "${S[@]}" --service "http:$tmp/www" --send fast
bad "serve --send without a value" "option --send needs a value" "${S[@]}" --service echo --send
bad "serve --send copy and --send=zerocopy pass (the error is the next one)" "unknown option '--bogus'" \
  "${S[@]}" --service chargen --send copy --send=zerocopy --bogus
bad "--follow-symlinks is an option (the error is the next one)" "unknown option '--bogus'" \
  "${S[@]}" --service "http:$tmp/www" --follow-symlinks --bogus

help_has connect "-w SECS"
help_has connect "2001:db8:2::/48"
help_has serve "link-local fe80::/10"
help_has connect "-q SECS"
help_has connect "--time-wait"
help_has connect "exits right after sending the last ACK"
help_has connect "connected to HOST:PORT from ADDR:PORT"
help_has connect "LTCP_HOSTS_FILE"
help_has get "-L, --location"
help_has get "-C -"
help_has get "LTCP_HOSTS_FILE"
help_has serve "--follow-symlinks"
help_has serve "Range: bytes=a-b"
help_has serve "absolute"
help_has serve "--header-timeout SECS"
help_has serve "--idle-timeout SECS"
help_has serve "--max-per-client N"
help_has serve "408 Request Timeout"
help_has serve "--send MODE"
help_has serve "SIGBUS"
help_has serve "bare LF (RFC 9112 §2.2); a bare CR gives 400"

echo "$fails failed"
[ "$fails" -eq 0 ]
