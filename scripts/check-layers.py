#!/usr/bin/env python3
"""The layering test (docs/design.md, "Layers"): every #include must point down.

Layers, lowest first: the public types headers (include/lucidtcp: common, config, event, stats,
tcp_info, wire/*), src/util, src/wire, src/tcp (the engine), src/ip, src/sock with the API
headers it implements (lucidtcp/stack.h, socket.h, lucidtcp.h), src/link with its API headers
(sim, tun, loop, pcap, impair), then tools/ and bench/, which may include public headers only
(and their own). A file may include headers of its own layer and of the layers below, never
one above; a header whose opening comment says "Private to src/X/" may be included only from
src/X/ (and from tests/, which are white-box). Prints every offending line as
FILE:LINE: ..., and exits 1 if there is any.

  scripts/check-layers.py [ROOT]      check the tree at ROOT (default: this repository)
  scripts/check-layers.py --self-test  check that a wrong-way include is caught
"""
import os
import re
import sys
import tempfile

RANK = {"types": 0, "util": 1, "wire": 2, "tcp": 3, "ip": 4, "sock": 5, "link": 6,
        "tools": 7, "bench": 7}
# What each src layer may include of src/: its own layer and those below, except that the
# drivers (link) use the library through its public API only, plus util's helpers.
SRC_ALLOWED = {
    "util": {"util"},
    "wire": {"util", "wire"},
    "tcp": {"util", "wire", "tcp"},
    "ip": {"util", "wire", "tcp", "ip"},
    "sock": {"util", "wire", "tcp", "ip", "sock"},
    "link": {"util", "link"},
    "tools": set(),
    "bench": set(),
}
PUBLIC_LAYER = {
    "stack.h": "sock", "socket.h": "sock", "lucidtcp.h": "sock",
    "sim.h": "link", "tun.h": "link", "loop.h": "link", "pcap.h": "link", "impair.h": "link",
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
PRIVATE = re.compile(r"Private to src/(\w+)/")


def public_layer(rel):
    """The layer of a public header, by its path under include/lucidtcp/."""
    return PUBLIC_LAYER.get(rel, "types")


def file_layer(root, path):
    rel = os.path.relpath(path, root).split(os.sep)
    if rel[0] == "include":
        return "public", public_layer("/".join(rel[2:]))
    if rel[0] == "src" and rel[1] in RANK:
        return "src", rel[1]
    if rel[0] in ("tools", "bench"):
        return rel[0], rel[0]
    return None, None


def resolve(root, path, name):
    """Where an include points: ('public', layer, file), ('src', layer, file),
    ('own', None, file) for a tool's or bench's own header, or None (system, generated)."""
    here = os.path.dirname(path)
    public_root = os.path.join(root, "include", "lucidtcp")
    for kind, base in (("public", os.path.join(root, "include")),
                       ("src", os.path.join(root, "src"))):
        full = os.path.normpath(os.path.join(base, name))
        if not os.path.isfile(full):
            continue
        if kind == "public":
            rel = os.path.relpath(full, public_root).replace(os.sep, "/")
            return "public", public_layer(rel), full
        return "src", os.path.relpath(full, base).split(os.sep)[0], full
    for base in (here, os.path.join(root, "tools")):
        full = os.path.normpath(os.path.join(base, name))
        if os.path.isfile(full):
            kind, layer = file_layer(root, full)
            return (kind, layer, full) if kind in ("public", "src") else ("own", None, full)
    return None


def private_owner(full, cache={}):
    if full not in cache:
        with open(full, encoding="utf-8") as f:
            text = f.read()
        m = PRIVATE.search(text[: text.find("*/") + 2])  # the opening comment only
        cache[full] = m.group(1) if m else None
    return cache[full]


def check_include(root, path, kind, layer, target):
    """A message when the include of target from a file of (kind, layer) points up or out."""
    tkind, tlayer, tfull = target
    rel = os.path.relpath(tfull, root)
    if tkind == "own":
        return None if kind in ("tools", "bench") else f"includes {rel}, outside the library"
    if tkind == "public":
        if RANK[tlayer] > RANK[layer]:
            return f"includes {rel} (the {tlayer} layer's API) from the {layer} layer below it"
        return None
    if kind == "public":
        return f"a public header includes {rel}, a header of src/"
    if tlayer not in SRC_ALLOWED[layer]:
        up = RANK[tlayer] > RANK[layer]
        return f"includes {rel} ({'a layer above' if up else 'not for'} the {layer} layer)"
    owner = private_owner(tfull)
    if owner and owner != layer:
        return f"includes {rel}, private to src/{owner}/"
    return None


def check(root):
    problems = []
    for top in ("include", "src", "tools", "bench"):
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for fn in sorted(files):
                if not fn.endswith((".c", ".h")):
                    continue
                path = os.path.join(dirpath, fn)
                kind, layer = file_layer(root, path)
                if kind is None:
                    continue
                with open(path, encoding="utf-8") as f:
                    for no, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        target = m and resolve(root, path, m.group(1))
                        msg = target and check_include(root, path, kind, layer, target)
                        if msg:
                            problems.append(f"{os.path.relpath(path, root)}:{no}: {msg}")
    return problems


def self_test():
    """A tree with one wrong-way include (the engine including the IP layer) and one private
    header used from outside its layer must give exactly those two problems."""
    with tempfile.TemporaryDirectory() as root:
        files = {
            "include/lucidtcp/common.h": "",
            "include/lucidtcp/stack.h": '#include "common.h"\n',
            "src/tcp/tcb.h": '#include "lucidtcp/common.h"\n',
            "src/tcp/input.c": '#include "tcp/tcb.h"\n#include "ip/ip.h"\n#include "lucidtcp/stack.h"\n',
            "src/ip/ip.h": '#include "tcp/tcb.h"\n',
            "src/sock/stack.h": "/* Private to src/sock/. */\n",
            "src/sock/socket.c": '#include "sock/stack.h"\n#include "ip/ip.h"\n',
            "src/ip/bad.c": '#include "sock/stack.h"\n',
            "src/ip/txq.h": "/* The output queue.\n * Private to src/ip/. */\n",
            "src/sock/bad.c": '#include "ip/ip.h"\n#include "ip/txq.h"\n',
            "tools/cmd.c": '#include "lucidtcp/stack.h"\n#include "tcp/tcb.h"\n',
        }
        for rel, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
            with open(os.path.join(root, rel), "w") as f:
                f.write(text)
        got = sorted(check(root))
        want = ["src/ip/bad.c:1", "src/sock/bad.c:2", "src/tcp/input.c:2", "src/tcp/input.c:3",
                "tools/cmd.c:2"]
        found = sorted(p.split(": ")[0] for p in got)
        if found != want:
            print("self-test FAILED: expected problems at", want, "got:", *got, sep="\n  ")
            return 1
        print("self-test passed: the checker finds", len(want), "wrong-way includes")
        return 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    root = argv[1] if len(argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    problems = check(root)
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} include(s) point the wrong way (docs/design.md, \"Layers\")")
        return 1
    print("layers: every include points down")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
