#!/usr/bin/env python3
"""Turns bench/run.sh's raw.txt into the Markdown table (printed and written to latest.md) and a
gnuplot chart of the lucidtcp/peer ratios (latest.png).

raw.txt lines: row|FIGURE|IMPLEMENTATION|VALUE  and  note|TEXT."""
import os
import shutil
import statistics
import subprocess
import sys
import time


def fmt(v):
    if v >= 100:
        return f"{v:,.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def load(path):
    figures, notes = {}, []
    for line in open(path, encoding="utf-8"):
        parts = line.rstrip("\n").split("|")
        if parts[0] == "note":
            notes.append("|".join(parts[1:]))
        elif parts[0] == "row" and len(parts) == 4 and parts[3]:
            try:
                value = float(parts[3])
            except ValueError:
                continue
            figures.setdefault(parts[1], {}).setdefault(parts[2], []).append(value)
    return figures, notes


def table(figures):
    rows = ["| figure | implementation | median | min – max | runs | lucidtcp / this |",
            "|---|---|---:|---:|---:|---:|"]
    ratios = []
    for fig, impls in figures.items():
        # Ours: the row named lucidtcp, else the first row with lucidtcp in its name (TUN).
        mine = [i for i in impls if i == "lucidtcp"] or [i for i in impls if "lucidtcp" in i]
        ours = statistics.median(impls[mine[0]]) if mine else None
        for impl, vals in impls.items():
            med = statistics.median(vals)
            ratio = ""
            if "lucidtcp" not in impl and ours is not None and med > 0:
                ratio = f"{ours / med:.2f}x"
                ratios.append((f"{fig} vs {impl}", ours / med))
            rows.append(f"| {fig} | {impl} | {fmt(med)} | {fmt(min(vals))} – {fmt(max(vals))} "
                        f"| {len(vals)} | {ratio} |")
    return rows, ratios


def plot(ratios, out_dir):
    if not ratios or not shutil.which("gnuplot"):
        return None
    data = os.path.join(out_dir, "ratios.dat")
    with open(data, "w", encoding="utf-8") as f:
        for i, (label, r) in enumerate(ratios):
            short = label.replace('"', "'")
            short = short if len(short) < 110 else short[:107] + "..."
            f.write(f'{i} {r:.4f} "{short}"\n')
    png = os.path.join(out_dir, "latest.png")
    script = f"""
set terminal pngcairo size 1800,{300 + 28 * len(ratios)} noenhanced font ",10"
set output "{png}"
set title "lucidtcp / peer (median of each; > 1: lucidtcp has more of it)"
set style fill solid 0.6
set logscale x 2
set xlabel "ratio (log scale)"
set ytics nomirror
set yrange [-1:{len(ratios)}]
set grid xtics
set arrow from 1, graph 0 to 1, graph 1 nohead lw 2 lc rgb "red"
unset key
plot "{data}" using 2:1:(1):2:($1-0.35):($1+0.35):ytic(3) with boxxyerrorbars
"""
    try:
        subprocess.run(["gnuplot"], input=script, text=True, check=True, capture_output=True)
    except (subprocess.CalledProcessError, OSError):
        script = script.replace("pngcairo", "png")
        try:
            subprocess.run(["gnuplot"], input=script, text=True, check=True, capture_output=True)
        except (subprocess.CalledProcessError, OSError) as e:
            print(f"report: gnuplot failed: {e}", file=sys.stderr)
            return None
    return png


def main():
    raw, out_dir = sys.argv[1], sys.argv[2]
    figures, notes = load(raw)
    rows, ratios = table(figures)
    png = plot(ratios, out_dir)
    md = [f"# lucidtcp benchmarks ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})", "",
          "Produced by `make bench` (bench/run.sh). Rates are per CPU second (process CPU time, "
          "user + system, all threads) unless the figure says wall; memory rows are bytes, where a "
          "ratio below 1 means lucidtcp uses less.", ""]
    md += rows
    md += ["", "Notes:", ""] + [f"- {n}" for n in notes]
    if png:
        md += ["", f"![ratios]({os.path.basename(png)})"]
    with open(os.path.join(out_dir, "latest.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(md) + "\n")
    print("\n".join(rows))
    for n in notes:
        print(f"note: {n}")
    print(f"wrote {os.path.join(out_dir, 'latest.md')}" + (f" and {png}" if png else ""))


if __name__ == "__main__":
    main()
