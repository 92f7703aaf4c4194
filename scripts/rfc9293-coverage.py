#!/usr/bin/env python3
"""Counts which RFC 9293 Appendix B requirements (MUST-n, SHLD-n) the tests cite.

Reads the requirement table from the RFC text and every test source, and prints one line per
requirement: its label, its short description from the table, and the test files citing it.
  scripts/rfc9293-coverage.py [--rfc PATH] [--tests DIR...] [--missing] [--markdown]
"""
import argparse, os, re, sys

def parse_appendix_b(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    start = text.index("Appendix B.  TCP Requirement Summary")
    body = text[start:]
    reqs, order, desc, section = {}, [], [], ""
    for line in body.splitlines():
        if line.strip().startswith("+="):
            continue
        cells = [c.strip() for c in line.split("|")]
        if len(cells) < 3:
            continue
        if len(cells) == 3 and cells[1] and not cells[1].startswith("FEATURE"):
            section = cells[1]  # a heading row spanning the table
            continue
        if len(cells) >= 8:
            what, label = cells[1], cells[2]
            if label and re.match(r"^(MUST|SHLD|MAY|REC)-\d+$", label):
                desc = [what]
                if label not in reqs:
                    reqs[label] = {"section": section, "desc": what}
                    order.append(label)
                cur = label
            elif what and order and not label:
                reqs[order[-1]]["desc"] += " " + what
    return reqs, order

def cited(test_dirs):
    hits = {}
    for d in test_dirs:
        for root, _, files in os.walk(d):
            for f in files:
                if not f.endswith((".c", ".h", ".sh", ".pkt", ".py")):
                    continue
                p = os.path.join(root, f)
                for m in re.finditer(r"\b((?:MUST|SHLD)-\d+)\b", open(p, errors="replace").read()):
                    hits.setdefault(m.group(1), set()).add(os.path.relpath(p))
    return hits

def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rfc", default=os.path.join(here, "..", "..", "shared", "rfc", "rfc9293.txt"))
    ap.add_argument("--tests", nargs="*", default=[os.path.join(here, "..", "tests")])
    ap.add_argument("--missing", action="store_true", help="list only requirements no test cites")
    ap.add_argument("--markdown", action="store_true", help="a Markdown table")
    a = ap.parse_args()
    reqs, order = parse_appendix_b(a.rfc)
    hits = cited(a.tests)
    labels = [l for l in order if l.startswith(("MUST", "SHLD"))]
    covered = [l for l in labels if l in hits]
    if a.markdown:
        print("| label | requirement | cited by |\n|---|---|---|")
    for l in labels:
        if a.missing and l in hits:
            continue
        files = ", ".join(sorted(hits.get(l, []))) or "-"
        d = re.sub(r"\s+", " ", reqs[l]["desc"])
        if a.markdown:
            print(f"| {l} | {reqs[l]['section']}: {d} | {files} |")
        else:
            print(f"{l:8} {reqs[l]['section'][:18]:18} {d[:48]:48} {files}")
    must = [l for l in labels if l.startswith("MUST")]
    shld = [l for l in labels if l.startswith("SHLD")]
    print(f"\n{sum(l in hits for l in must)} of {len(must)} MUST and "
          f"{sum(l in hits for l in shld)} of {len(shld)} SHLD requirements are cited by a test",
          file=sys.stderr)

if __name__ == "__main__":
    main()
