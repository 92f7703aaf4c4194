#!/usr/bin/env python3
"""Runs FreeBSD's tcp-testsuite (tests/conformance/tcp-testsuite) through `lucidtcp script`, its
IPv4 scripts (and the family-neutral ones) or, with --family ipv6, its IPv6 scripts, and holds
every outcome against the family's expectations file: a script it does not list must PASS; a
listed one must give the outcome listed. Prints a table per directory and 'N passed, N failed,
N skipped' (for IPv6, also the scripts that do not pass while their IPv4 twin does); exits 1
when any outcome differs (a regression, or a script that now passes and must leave the list),
2 for bad usage.

  check.py --lucidtcp build/release/lucidtcp [--family ipv4|ipv6] [--suite DIR] [--expect FILE]
           [--detail]
  check.py ... --list     prints the TSV lines of today's FAILs and SKIPs (for a new list)
"""
import argparse
import collections
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECT = {'ipv4': 'tcp-testsuite.tsv', 'ipv6': 'tcp-testsuite-ipv6.tsv'}
OUTCOME = re.compile(r'^(PASS|FAIL|SKIP) (\S+?\.pkt)(?::\d+)?(?::? ?(.*))?$')


def read_expectations(path):
    expect = {}
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if not line or line.startswith('#'):
                continue
            cols = line.split('\t')
            if len(cols) != 4 or cols[1] not in ('FAIL', 'SKIP') or not cols[3]:
                sys.exit(f'{path}:{n}: want script<TAB>FAIL|SKIP<TAB>class<TAB>reason')
            if cols[0] in expect:
                sys.exit(f'{path}:{n}: {cols[0]} listed twice')
            expect[cols[0]] = (cols[1], cols[2], cols[3])
    return expect


def in_family(name, family):
    return name.endswith('-ipv6.pkt') == (family == 'ipv6')


def run_suite(lucidtcp, suite, family):
    scripts = sorted(os.path.relpath(os.path.join(d, f), suite)
                     for d, _, files in os.walk(suite) for f in files
                     if f.endswith('.pkt') and in_family(f, family))
    if not scripts:
        sys.exit(f'check.py: no scripts under {suite}')
    proc = subprocess.run([os.path.abspath(lucidtcp), 'script', '--'] + scripts, cwd=suite,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=600)
    got = {}
    for line in proc.stdout.splitlines():
        m = OUTCOME.match(line)
        if m:
            got[m.group(2)] = (m.group(1), m.group(3) or '')
    missing = [s for s in scripts if s not in got]
    if missing:
        sys.exit(f'check.py: no outcome for {len(missing)} scripts, e.g. {missing[0]} '
                 f'(lucidtcp exit {proc.returncode})')
    return scripts, got


def group_of(script, detail):
    parts = script.split('/')
    depth = 2 if detail or parts[0] == 'socket-api' else 1
    return '/'.join(parts[:min(depth, len(parts) - 1)])


def twins_behind(got, family):
    """The IPv6 scripts that do not pass while their IPv4 twin (listed or not in the IPv4
    expectations) passes."""
    if family != 'ipv6':
        return []
    v4 = read_expectations(os.path.join(HERE, EXPECT['ipv4']))
    behind = []
    for s, (outcome, _) in sorted(got.items()):
        twin = s[:-len('-ipv6.pkt')] + '-ipv4.pkt'
        if outcome != 'PASS' and twin not in v4 and \
                os.path.exists(os.path.join(HERE, 'tcp-testsuite', twin)):
            behind.append(s)
    return behind


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--lucidtcp', required=True)
    ap.add_argument('--family', choices=('ipv4', 'ipv6'), default='ipv4')
    ap.add_argument('--suite', default=os.path.join(HERE, 'tcp-testsuite'))
    ap.add_argument('--expect', help='default: tcp-testsuite.tsv, or tcp-testsuite-ipv6.tsv')
    ap.add_argument('--detail', action='store_true', help='a row per subdirectory')
    ap.add_argument('--list', action='store_true', help="print today's FAILs and SKIPs as TSV")
    a = ap.parse_args()
    a.expect = a.expect or os.path.join(HERE, EXPECT[a.family])
    expect = read_expectations(a.expect)
    scripts, got = run_suite(a.lucidtcp, a.suite, a.family)
    if a.list:
        for s in scripts:
            if got[s][0] != 'PASS':
                old = expect.get(s, (None, '?', '?'))
                print(f'{s}\t{got[s][0]}\t{old[1]}\t{old[2]}')
        return 0
    rows = collections.OrderedDict()
    bad = []
    for s in scripts:
        outcome, reason = got[s]
        want = expect.get(s, ('PASS',))[0]
        row = rows.setdefault(group_of(s, a.detail), collections.Counter())
        row[outcome] += 1
        row['scripts'] += 1
        if outcome != want:
            bad.append((s, want, outcome, reason))
    stale = [s for s in expect if s not in got]
    width = max(len(g) for g in rows) + 2
    print(f'{"directory":<{width}} scripts  passed  failed  skipped')
    total = collections.Counter()
    for g, c in rows.items():
        print(f'{g:<{width}} {c["scripts"]:>7} {c["PASS"]:>7} {c["FAIL"]:>7} {c["SKIP"]:>8}')
        total.update(c)
    print(f'{"total":<{width}} {total["scripts"]:>7} {total["PASS"]:>7} {total["FAIL"]:>7} '
          f'{total["SKIP"]:>8}')
    print(f'{total["PASS"]} passed, {total["FAIL"]} failed, {total["SKIP"]} skipped '
          f'({len(expect)} listed in {os.path.relpath(a.expect)} with their reasons)')
    behind = twins_behind(got, a.family)
    if a.family == 'ipv6':
        print(f'{len(behind)} IPv6 scripts do not pass while their IPv4 twin does'
              + (':' if behind else ''))
        for s in behind:
            print(f'  {s}: {got[s][0]} {got[s][1]}')
    print(f'not run: the {"IPv4" if a.family == "ipv6" else "IPv6"} scripts (--family), '
          'tcp-over-udp/ and fast-open/ (out of scope)')
    for s, want, outcome, reason in bad:
        if want == 'PASS':
            print(f'REGRESSION {s}: {outcome} {reason}')
        elif outcome == 'PASS':
            print(f'NOW PASSES {s}: listed as {want}; take it out of the expectations file')
        else:
            print(f'CHANGED {s}: listed as {want}, got {outcome} {reason}')
    for s in stale:
        print(f'STALE {s}: listed, but no such script in the suite')
    if bad or stale:
        print(f'check.py: {len(bad) + len(stale)} outcomes differ from the expectations file')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
