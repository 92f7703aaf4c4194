#!/usr/bin/env python3
"""Compares the states lucidtcp analyze infers from a capture with the states the stacks that
made it reported (lucidtcp demo --format json), event for event, per end.

  check_timelines.py DEMO_JSON ANALYZE_JSON CLIENT_ADDR

Left out of the comparison: a listener's own CLOSED <-> LISTEN (it is not the connection) and
the TIME-WAIT timer's end (no packet shows it within the capture). Exit 0 when every end's
sequence of (from, to) is equal, 1 otherwise (both sequences printed)."""
import json
import sys


def demo_states(path):
    seq = {"client": [], "server": []}
    for line in open(path):
        o = json.loads(line)
        if o.get("type") != "state" or o.get("cause") == "timer":
            continue
        if (o["from"], o["to"]) in (("CLOSED", "LISTEN"), ("LISTEN", "CLOSED")):
            continue
        seq[o["side"]].append((o["from"], o["to"]))
    return seq


def analyze_states(path, client_addr):
    seq = {"client": [], "server": []}
    for line in open(path):
        o = json.loads(line)
        if o.get("type") != "conn":
            continue
        for role in ("client", "server"):
            end = o[role]
            side = "client" if end["addr"] == client_addr else "server"
            seq[side] += [(t["from"], t["to"]) for t in end["timeline"] if t["cause"] != "timer"]
    return seq


def main():
    demo, analyzed = demo_states(sys.argv[1]), analyze_states(sys.argv[2], sys.argv[3])
    ok = True
    for side in ("client", "server"):
        if demo[side] != analyzed[side]:
            ok = False
            print(f"{side}: the stack reported {demo[side]}\n{side}: analyze inferred {analyzed[side]}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
