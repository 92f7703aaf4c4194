#!/usr/bin/env python3
"""Writes the seeds of fuzz_packet (fuzz/corpus/packet/seed-*: a control byte, then an IPv4
packet whose checksums the target fixes up) and fuzz_segments (fuzz/corpus/segments/: a list of
operations), as fuzz_packet.c and fuzz_segments.c describe them. Run from fuzz/."""
import struct

RELATIVE, SHUT_WR = 0x08, 0x20
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
TS = bytes([1, 1, 8, 10]) + struct.pack(">II", 100, 1)


def packet(control, flags, seq, ack, payload=b"", opts=b"", sport=40000, dport=80):
    tcp = struct.pack(">HHIIBBHHH", sport, dport, seq, ack, (5 + len(opts) // 4) << 4, flags,
                      1000, 0, 0) + opts + payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0,
                     bytes([198, 18, 0, 2]), bytes([198, 18, 0, 1]))
    return bytes([control]) + ip + tcp


seeds = {
    # a second connection's SYN, with every option
    "syn": packet(0, SYN, 5000, 0, opts=bytes([2, 4, 5, 0xb4, 1, 3, 3, 7, 4, 2]) + TS + bytes([0, 0]),
                  sport=40001),
    "data": packet(RELATIVE, ACK | PSH, 0, 1448, b"GET / HTTP/1.1\r\n\r\n" * 4, TS),
    "data-ooo": packet(RELATIVE, ACK, 2000, 3000, b"x" * 50, TS),
    "fin": packet(RELATIVE, FIN | ACK, 0, 3000, b"", TS),
    "fin-data-after-shutdown": packet(RELATIVE | SHUT_WR, FIN | ACK | PSH, 0, 3001, b"bye", TS),
    "rst": packet(RELATIVE, RST, 0, 0),
    "ack-sack": packet(RELATIVE, ACK, 0, 0,
                       opts=bytes([1, 1, 5, 10]) + struct.pack(">II", 1448, 3000) + TS),
    "syn-in-window": packet(RELATIVE, SYN, 10, 0, opts=TS),
}
for name, data in seeds.items():
    with open("corpus/packet/seed-" + name, "wb") as f:
        f.write(data)


def op_seg(flags, seqoff, ackoff, ln, wnd=0xff, opt=1):
    return bytes([0, flags]) + struct.pack(">hh", seqoff, ackoff) + bytes([ln, wnd, opt])


segments = {
    "seed-data-in-order": op_seg(ACK | PSH, 0, 0, 100) + bytes([7, 5, 0]),
    "seed-out-of-order-then-fill": op_seg(ACK, 200, 0, 100) + op_seg(ACK, 0, 0, 200) + bytes([3, 10, 5, 0]),
    "seed-close-both": bytes([6, 2, 7]) + op_seg(FIN | ACK, 0, 0, 0) + bytes([3, 0x81]),
    "seed-retransmit-sack": bytes([3, 0x82]) + op_seg(ACK, 0, -1552, 0, opt=3) + bytes([3, 0x84, 4, 40, 7]),
    "seed-rst-syn-in-window": op_seg(SYN, 10, 0, 0) + op_seg(RST | ACK, 3, 0, 0) + bytes([3, 5]),
    "seed-zero-window": op_seg(ACK, 0, 0, 0, wnd=0) + bytes([4, 100, 3, 0x85, 7]),
    "seed-shutdown-data": bytes([6, 0]) + op_seg(ACK | PSH, 0, 0, 50, opt=0x81) + bytes([6, 1, 5, 0, 6, 3]),
    # issue 14: RCV.NXT = R; a FIN with 24 bytes at R+5, then a FIN with 4 bytes at R (tripped
    # an invariant in tcb.c when the issue was filed; passes on this branch's base)
    "regress-issue14-fin-reasm": op_seg(FIN | ACK, 5, 0, 24) + op_seg(FIN | ACK, 0, 0, 4) + bytes([3, 10]),
}
for name, data in segments.items():
    with open("corpus/segments/" + name, "wb") as f:
        f.write(data)
