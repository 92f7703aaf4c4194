#!/usr/bin/env bash
# Scenario 9: tshark reads a capture lucidtcp wrote (--pcap) and finds nothing wrong with what
# lucidtcp sent (IPv4 or IPv6): no malformed packet, every IPv4 and TCP checksum good, and no expert warning
# that points at a protocol error (such as "ACKed segment that wasn't captured", tshark's
# "ACKed unseen segment"). Warnings that describe normal TCP under loss or flow control
# (retransmission, out-of-order, duplicate ACK, zero window, window full, reset) are allowed, and
# so is "D-SACK Sequence": tshark marks every SACK whose first block reports a duplicate (RFC
# 2883), as lucidtcp and Linux both send them under loss and reordering.
#
#   tshark_check.sh PCAP LUCIDTCP_ADDR
# Exit: 0 clean, 1 a problem (each one printed), 77 no tshark.
set -euo pipefail
pcap=$1 addr=$2
command -v tshark >/dev/null 2>&1 || { echo "SKIP: tshark not installed"; exit 77; }
[ -s "$pcap" ] || { echo "capture $pcap is missing or empty"; exit 1; }
fields=$(mktemp)
trap 'rm -f "$fields"' EXIT
# Only the layers lucidtcp writes are dissected: payload bytes on a port such as 6001 are not
# taken for X11 (and then called malformed).
if ! tshark -r "$pcap" -n -d tcp.port==1-65535,data -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -T fields \
    -E separator='|' -E occurrence=a -E aggregator=';' -e frame.number -e ip.src -e ipv6.src \
    -e ip.checksum.status -e tcp.checksum.status -e _ws.malformed -e _ws.expert.severity \
    -e _ws.expert.message -e tcp.stream -e tcp.seq -e tcp.len -e tcp.ack -e tcp.flags.syn \
    -e tcp.flags.fin >"$fields" 2>"$fields.err"; then
  echo "tshark cannot read $pcap:"
  cat "$fields.err"
  rm -f "$fields.err"
  exit 1
fi
rm -f "$fields.err"
python3 - "$fields" "$addr" "$pcap" <<'EOF'
import re, sys
path, addr, pcap = sys.argv[1:]
WARN = 0x600000  # tshark's severity: chat 0x200000, note 0x400000, warn 0x600000, error 0x800000
normal = re.compile(r"retransmission|out-of-order|duplicate ack|zero window|window is full|completely full|"
                    r"window update|connection reset|keep-alive|port numbers reused|D-SACK Sequence", re.I)
problems, frames, ours = [], 0, 0
sent_end = {}  # per TCP stream: the highest relative sequence number lucidtcp has sent so far

def num(x):
    return int(x) if x.strip().isdigit() else 0

for line in open(path, encoding="utf-8", errors="replace"):
    f = line.rstrip("\n").split("|")
    if len(f) < 14:
        continue
    frames += 1
    num_, src4, src6, ipsum, tcpsum, malformed, sev, msg = f[:8]
    stream, seq, tlen, ack, syn, fin = f[8:14]
    src = src4 or src6  # two of them (an ICMP error's quote): not taken as lucidtcp's
    sevs = [int(s) for s in sev.split(";") if s.strip().isdigit()]
    msgs = msg.split(";") if msg else []
    end = num(seq) + num(tlen) + (1 if syn in ("1", "True") else 0) + (1 if fin in ("1", "True") else 0)
    if src == addr:
        sent_end[stream] = max(sent_end.get(stream, 0), end)
    # tshark flags an ACK as "unseen" when a segment it took for a retransmission also carried new
    # data (go-back-N after a timeout repacketizes, as BSD does), so check it against the capture:
    # only an ACK beyond everything lucidtcp sent on the stream points at a real error.
    if "ACKed segment that wasn't captured" in msg and (src == addr or num(ack) > sent_end.get(stream, 0)):
        problems.append(f"frame {num_} ({src}): ACKed unseen segment")
    if src != addr:
        continue
    ours += 1
    if malformed:
        problems.append(f"frame {num_}: malformed")
    if src4 and ipsum != "1":
        problems.append(f"frame {num_}: IPv4 checksum status {ipsum or 'absent'} (want 1, good)")
    if tcpsum and tcpsum != "1":
        problems.append(f"frame {num_}: TCP checksum status {tcpsum} (want 1, good)")
    for s, m in zip(sevs, msgs):
        if s >= WARN and not normal.search(m) and "ACKed segment" not in m:
            problems.append(f"frame {num_}: expert warning: {m}")
for p in problems[:30]:
    print("  " + p)
if problems:
    print(f"tshark: {len(problems)} problem(s) in {pcap}")
    sys.exit(1)
if ours == 0:
    print(f"tshark: no packet from {addr} in {pcap}")
    sys.exit(1)
print(f"tshark: {frames} frames, {ours} from lucidtcp, all well formed with good checksums, "
      "no protocol warnings")
EOF
