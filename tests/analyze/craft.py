#!/usr/bin/env python3
"""Writes a capture (LINKTYPE_RAW) of hand-made connections, one fault each, on its own server
port, for the findings the kernel tests cannot provoke on demand:

  9001 TIME-WAIT assassination: a close, then an RST to the end in TIME-WAIT
  9002 a new SYN for the 4-tuple of 9001's second connection while the client holds TIME-WAIT
  9003 SYN never answered (sent at 0, 1, 3 s: the backoff)
  9004 SYN answered with ICMP port unreachable
  9005 repeated RTOs: one data segment sent four times, gaps 0.2, 0.4, 0.8 s
  9006 half-open: the server resets, its RST lies outside the client's window, the client goes on
  9007 over IPv6, a clean connection
  9008 joined midstream (no handshake), still open at the end

  craft.py FILE"""
import struct
import sys

S, A, F, R, P = 0x02, 0x10, 0x01, 0x04, 0x08
C4, S4 = bytes([198, 18, 2, 1]), bytes([198, 18, 2, 2])
C6 = bytes.fromhex("20010db8000000000000000000000001")
S6 = bytes.fromhex("20010db8000000000000000000000002")
recs = []


def tcp(sp, dp, seq, ack, flags, win=65535, plen=0):
    return struct.pack(">HHIIBBHHH", sp, dp, seq & 0xffffffff, ack & 0xffffffff, 5 << 4, flags,
                       win, 0, 0) + b"d" * plen


def v4(src, dst, proto, payload, ttl=64):
    return struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000, ttl, proto, 0,
                       src, dst) + payload


def v6(src, dst, payload):
    return struct.pack(">IHBB16s16s", 6 << 28, len(payload), 6, 64, src, dst) + payload


def put(t, pkt):
    recs.append((t, pkt))


def seg(t, fwd, port, seq, ack, flags, plen=0, win=65535, sport=40000, six=False):
    src, dst = (C6, S6) if six else (C4, S4)
    sp, dp = (sport, port) if fwd else (port, sport)
    if not fwd:
        src, dst = dst, src
    body = tcp(sp, dp, seq, ack, flags, win, plen)
    put(t, v6(src, dst, body) if six else v4(src, dst, 6, body))


def clean(t, port, six=False, sport=40000, a=100, b=900):
    seg(t, 1, port, a, 0, S, sport=sport, six=six)
    seg(t + .001, 0, port, b, a + 1, S | A, sport=sport, six=six)
    seg(t + .002, 1, port, a + 1, b + 1, A, sport=sport, six=six)
    seg(t + .003, 1, port, a + 1, b + 1, P | A, 10, sport=sport, six=six)
    seg(t + .004, 0, port, b + 1, a + 11, A, sport=sport, six=six)
    seg(t + .005, 1, port, a + 11, b + 1, F | A, sport=sport, six=six)
    seg(t + .006, 0, port, b + 1, a + 12, F | A, sport=sport, six=six)
    seg(t + .007, 1, port, a + 12, b + 2, A, sport=sport, six=six)
    return a + 12, b + 2


def main():
    a, b = clean(0, 9001)
    seg(1.0, 0, 9001, b, 0, R)                      # RST into the client's TIME-WAIT
    clean(2.0, 9002, sport=40002)
    seg(3.0, 1, 9002, 5000, 0, S, sport=40002)      # new SYN while the client is in TIME-WAIT
    seg(3.001, 0, 9002, 7000, 5001, S | A, sport=40002)
    seg(3.002, 1, 9002, 5001, 7001, A, sport=40002)
    for t in (4.0, 5.0, 7.0):
        seg(t, 1, 9003, 300, 0, S)                  # never answered
    seg(8.0, 1, 9004, 400, 0, S)
    quoted = v4(C4, S4, 6, tcp(40000, 9004, 400, 0, S))[:28]
    put(8.001, v4(S4, C4, 1, struct.pack(">BBHI", 3, 3, 0, 0) + quoted))
    seg(9.0, 1, 9005, 100, 0, S); seg(9.001, 0, 9005, 900, 101, S | A); seg(9.002, 1, 9005, 101, 901, A)
    for t in (9.003, 9.203, 9.603, 10.403):
        seg(t, 1, 9005, 101, 901, P | A, 100)       # sent, then again and again: RTO backoff
    seg(10.5, 0, 9005, 901, 201, A)
    seg(11.0, 1, 9006, 100, 0, S); seg(11.001, 0, 9006, 900, 101, S | A); seg(11.002, 1, 9006, 101, 901, A)
    seg(11.003, 0, 9006, 900 + 500000, 0, R)        # out of the client's window: not accepted
    for t in (11.2, 11.6, 12.4, 14.0):
        seg(t, 1, 9006, 101, 901, P | A, 50)        # the client goes on; nothing answers
    clean(15.0, 9007, six=True)
    seg(16.0, 1, 9008, 7777, 8888, P | A, 20, sport=50000)
    seg(16.001, 0, 9008, 8888, 7797, A, sport=50000)
    with open(sys.argv[1], "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))
        for t, p in recs:
            us = int(round((1_700_000_000 + t) * 1e6))
            f.write(struct.pack("<IIII", us // 10**6, us % 10**6, len(p), len(p)) + p)


if __name__ == "__main__":
    main()
