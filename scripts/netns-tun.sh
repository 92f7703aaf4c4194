#!/usr/bin/env bash
# Try lucidtcp by hand against the kernel, without touching the host's network: a fresh network
# namespace with one TUN device whose kernel side has an address from 198.18.0.0/15 (the
# benchmarking range, RFC 2544), a shell (or COMMAND) inside it, and everything deleted when that
# ends, even after Ctrl-C.
#
#   sudo scripts/netns-tun.sh                    a shell in the namespace
#   sudo scripts/netns-tun.sh COMMAND [ARGS...]  run one command there instead
#   options: -d DEV (default tun0), -k ADDR/PREFIX the kernel's side (default 198.18.0.1/24)
#
# Inside, lucidtcp attaches to the device and takes another address on the link:
#   lucidtcp serve --tun tun0 --addr 198.18.0.2/24 --port 8080 --service http:. &
#   curl http://198.18.0.2:8080/README.md
set -euo pipefail

usage() {
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

dev=tun0 kaddr=198.18.0.1/24
while getopts "d:k:h" opt; do
  case $opt in
    d) dev=$OPTARG ;;
    k) kaddr=$OPTARG ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
case $kaddr in
  198.18.* | 198.19.*) ;;
  *) echo "netns-tun: use an address from 198.18.0.0/15, not $kaddr" >&2; exit 2 ;;
esac
[ "$(id -u)" -eq 0 ] || { echo "netns-tun: needs root (it creates a namespace and a TUN device); try sudo" >&2; exit 1; }
[ -c /dev/net/tun ] || { echo "netns-tun: /dev/net/tun is missing: no TUN support here" >&2; exit 1; }

ns="lucidtcp-try-$$"
cleanup() {
  set +e
  # Whatever is still running in the namespace was started from this script's shell.
  for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$pid" 2>/dev/null; done
  sleep 0.2
  for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
  ip netns del "$ns" 2>/dev/null
  echo "netns-tun: namespace $ns deleted" >&2
}
ip netns add "$ns"
trap cleanup EXIT
trap 'exit 130' INT TERM
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" ip tuntap add dev "$dev" mode tun
ip netns exec "$ns" ip addr add "$kaddr" dev "$dev"
ip netns exec "$ns" ip link set "$dev" up

base=${kaddr%/*}
prefix=${kaddr#*/}
last=${base##*.}
laddr="${base%.*}.$((last == 2 ? 3 : 2))/$prefix"
cat >&2 <<EOF
netns-tun: namespace $ns, TUN device $dev, the kernel's side $kaddr.
Give lucidtcp another address on the link, e.g.:
  lucidtcp serve --tun $dev --addr $laddr --port 8080 --service http:. &
  curl http://${laddr%/*}:8080/
  lucidtcp connect --tun $dev --addr $laddr ${base} 7
Add --offload to either for TUN offloads (TSO and GRO: packets of up to 64 KB both ways).
Leave with 'exit': the namespace and everything in it go away.
EOF
if [ $# -gt 0 ]; then
  ip netns exec "$ns" "$@"
else
  ip netns exec "$ns" env PS1="[lucidtcp netns $dev] \\w\\$ " bash --norc -i
fi
