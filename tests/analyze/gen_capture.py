#!/usr/bin/env python3
"""Writes a large synthetic capture (LINKTYPE_RAW, IPv4) for lucidtcp analyze's memory and speed
checks: CONNS connections, LIVE of them open at once, interleaved, each a handshake, DATA
segments of 1000 bytes acknowledged one by one, and a close (FIN, ACK both ways): 6 + 2*DATA
packets each. One packet every 100 us, so finished connections leave TIME-WAIT (60 s) as the
capture goes on, as in a long real capture.

  gen_capture.py FILE CONNS [LIVE] [DATA]"""
import struct
import sys


def ip_tcp(src, dst, sport, dport, seq, ack, flags, length):
    tcp = struct.pack(">HHIIBBHHH", sport, dport, seq & 0xffffffff, ack & 0xffffffff, 5 << 4,
                      flags, 65535, 0, 0)
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + 20 + length, 0, 0x4000, 64, 6, 0,
                     src, dst)
    return ip + tcp  # the payload is not captured (snap length 40): seg.len comes from the IP header


def conn_packets(i, data):
    c = bytes([198, 19, (i >> 8) & 0xff, i & 0xff])
    s = bytes([198, 18, 0, 1])
    sp, dp = 1024 + (i * 7919) % 60000, 80
    a, b = 1000 + i * 3, 5000 + i * 5
    S, A, F, P = 0x02, 0x10, 0x01, 0x08
    yield ip_tcp(c, s, sp, dp, a, 0, S, 0)
    yield ip_tcp(s, c, dp, sp, b, a + 1, S | A, 0)
    yield ip_tcp(c, s, sp, dp, a + 1, b + 1, A, 0)
    for k in range(data):
        yield ip_tcp(s, c, dp, sp, b + 1 + 1000 * k, a + 1, P | A, 1000)
        yield ip_tcp(c, s, sp, dp, a + 1, b + 1 + 1000 * (k + 1), A, 0)
    e = b + 1 + 1000 * data
    yield ip_tcp(c, s, sp, dp, a + 1, e, F | A, 0)
    yield ip_tcp(s, c, dp, sp, e, a + 2, F | A, 0)
    yield ip_tcp(c, s, sp, dp, a + 2, e + 1, A, 0)


def main():
    path, conns = sys.argv[1], int(sys.argv[2])
    live = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    data = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    t = 1_700_000_000 * 10**6
    with open(path, "wb", buffering=1 << 20) as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))
        active, nxt = [], 0
        while active or nxt < conns:
            while len(active) < live and nxt < conns:
                active.append(conn_packets(nxt, data))
                nxt += 1
            keep = []
            for g in active:  # one packet of each live connection in turn
                p = next(g, None)
                if p is None:
                    continue
                keep.append(g)
                wire = struct.unpack(">H", p[2:4])[0]
                f.write(struct.pack("<IIII", t // 10**6, t % 10**6, 40, wire) + p)
                t += 100
            active = keep


if __name__ == "__main__":
    main()
