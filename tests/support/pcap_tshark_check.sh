#!/usr/bin/env bash
# Has tshark verify a capture: every packet an IPv4 packet with a good header checksum or an
# IPv6 packet (which has no header checksum, RFC 8200 §3), every TCP segment with a good
# checksum, and (optionally) the packet count.
#
#   pcap_tshark_check.sh --pcap FILE [--count N]   check an existing capture
#   pcap_tshark_check.sh --writer BIN              run "BIN OUT.pcap" (it prints how many
#                                                  packets it wrote) into a temporary dir, check
# Exit: 0 pass, 1 fail, 2 usage, 77 skip (no tshark).
set -euo pipefail

usage() {
  echo "usage: $0 --pcap FILE [--count N] | --writer BIN" >&2
  exit 2
}

pcap="" writer="" count=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --pcap) [[ $# -ge 2 ]] || usage; pcap="$2"; shift 2 ;;
    --writer) [[ $# -ge 2 ]] || usage; writer="$2"; shift 2 ;;
    --count) [[ $# -ge 2 ]] || usage; count="$2"; shift 2 ;;
    *) usage ;;
  esac
done
[[ -n "$pcap" && -z "$writer" ]] || [[ -z "$pcap" && -n "$writer" ]] || usage

if ! command -v tshark >/dev/null 2>&1; then
  echo "SKIP: tshark not installed"
  exit 77
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

if [[ -n "$writer" ]]; then
  pcap="$tmp/writer.pcap"
  count="$("$writer" "$pcap")"
fi
[[ -r "$pcap" ]] || { echo "FAIL: cannot read $pcap"; exit 1; }

# Checksum status values (tshark -G values): 0 Bad, 1 Good, 2 Unverified, 3 Not present.
if ! tshark -r "$pcap" -n -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
    -T fields -E separator=, -E aggregator=';' -e frame.number -e ip.proto -e ip.checksum.status \
    -e tcp.checksum.status -e ipv6.nxt >"$tmp/fields" 2>"$tmp/err"; then
  echo "FAIL: tshark could not read $pcap:"
  cat "$tmp/err"
  exit 1
fi

bad=0 seen=0
while IFS=, read -r frame proto ipsum tcpsum nxt; do
  seen=$((seen + 1))
  if [[ -z "$proto" && -n "$nxt" ]]; then # IPv6: the upper layer, no header checksum
    proto=${nxt##*;}
  elif [[ "$ipsum" != "1" ]]; then
    echo "FAIL: frame $frame: IPv4 header checksum status '$ipsum' (want 1, Good)"
    bad=$((bad + 1))
  fi
  if [[ "$proto" == "6" && "$tcpsum" != "1" ]]; then
    echo "FAIL: frame $frame: TCP checksum status '$tcpsum' (want 1, Good)"
    bad=$((bad + 1))
  fi
done <"$tmp/fields"

if [[ "$seen" -eq 0 ]]; then
  echo "FAIL: no packets in $pcap"
  exit 1
fi
if [[ -n "$count" && "$seen" -ne "$count" ]]; then
  echo "FAIL: tshark read $seen packets, expected $count"
  exit 1
fi
if [[ "$bad" -ne 0 ]]; then
  exit 1
fi
echo "PASS: $seen packets, every checksum good"
