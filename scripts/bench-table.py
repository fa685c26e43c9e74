#!/usr/bin/env python3
"""Prints the results of `cargo bench --bench overhead` as Markdown tables.

Reads criterion's estimates under $CARGO_TARGET_DIR/criterion (default
target/criterion): the median time of each row, and its ratio to the plain
call (`plain`, or `plain3` for three bare runs of the body) and to the
hand-written loop (`hand_loop`) of the same group (and same `success/` or
`retry/` prefix). Rows appear in the order they ran.
"""
import json
import os
import sys
from pathlib import Path

root = Path(os.environ.get("CARGO_TARGET_DIR", Path(__file__).resolve().parent.parent / "target")) / "criterion"
if not root.is_dir():
    sys.exit(f"no criterion results in {root}: run `cargo bench --bench overhead` first")

groups = {}
for meta in root.glob("**/new/benchmark.json"):
    info = json.loads(meta.read_text())
    est = json.loads((meta.parent / "estimates.json").read_text())
    groups.setdefault(info["group_id"], []).append(
        (meta.stat().st_mtime, info["function_id"], est["median"]["point_estimate"])
    )


def fmt(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.1f} ns"


for group in sorted(groups):
    rows = [(name, ns) for _, name, ns in sorted(groups[group])]
    times = dict(rows)
    print(f"\n### {group}\n")
    print("| row | median | × plain | × hand loop |")
    print("|---|---:|---:|---:|")
    for name, ns in rows:
        prefix = name.rsplit("/", 1)[0] + "/" if "/" in name else ""
        plain = times.get(prefix + "plain") or times.get(prefix + "plain3")
        hand = times.get(prefix + "hand_loop")
        ratio = lambda base: f"{ns / base:.2f}" if base else "–"
        print(f"| {name} | {fmt(ns)} | {ratio(plain)} | {ratio(hand)} |")
