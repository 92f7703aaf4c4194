#!/usr/bin/env python3
"""Writes fuzz/corpus/packet/seed-*: fuzz_packet's seeds (fuzz_packet.c explains the format:
a control byte, then an IPv4 packet whose checksums the target fixes up). Run from fuzz/."""
import struct

RELATIVE, SHUT_WR = 0x08, 0x20
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
TS = bytes([1, 1, 8, 10]) + struct.pack(">II", 100, 1)


def packet(control, flags, seq, ack, payload=b"", opts=b"", sport=40000, dport=80):
    tcp = struct.pack(">HHIIBBHHH", sport, dport, seq, ack, (5 + len(opts) // 4) << 4, flags,
                      1000, 0, 0) + opts + payload
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0,
                     bytes([10, 0, 0, 2]), bytes([10, 0, 0, 1]))
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
