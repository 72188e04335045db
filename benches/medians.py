#!/usr/bin/env python3
"""Prints one criterion group's sample medians as a Markdown table, per message and as ratios.

    python3 benches/medians.py <criterion dir> <group> [<baseline> ...]

<criterion dir> is `target/criterion` (or `benches/peers/target/criterion`). Each benchmark's median
is criterion's sample median (`<group>/<bench>/new/estimates.json`, `median.point_estimate`). A
benchmark whose name contains `_<N>_` or ends in `_<N>` with N >= 2 (`ingest_256_authors`,
`skylark_batch_64_bytes_to_verdict`) processes N messages per iteration; its per-message cost is the
median divided by N. Ratios are per-message cost over each baseline's median (default baseline:
`bare_ed25519_verify_strict`). Only numbers from the same run should be compared.
"""
import json
import os
import re
import sys


def fmt(ns):
    if ns >= 1e6:
        return f"{ns / 1e6:.3f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.1f} ns"


def main():
    root, group = sys.argv[1], sys.argv[2]
    baselines = sys.argv[3:] or ["bare_ed25519_verify_strict"]
    base = os.path.join(root, group)
    rows = []
    for name in sorted(os.listdir(base)):
        path = os.path.join(base, name, "new", "estimates.json")
        if not os.path.exists(path):
            continue
        median = json.load(open(path))["median"]["point_estimate"]
        count = 1
        m = re.search(r"_(\d+)(_|$)", name)
        if m and int(m.group(1)) >= 2:
            count = int(m.group(1))
        rows.append((name, median, count))
    medians = {name: median for name, median, _ in rows}
    missing = [b for b in baselines if b not in medians]
    if missing:
        sys.exit(f"no baseline {missing} in {base}")
    head = "| benchmark | median | per message | " + " | ".join(f"÷ `{b}`" for b in baselines) + " |"
    print(head)
    print("|---|---:|---:|" + "---:|" * len(baselines))
    for name, median, count in rows:
        per = median / count
        ratios = " | ".join(f"{per / medians[b]:.3f}" for b in baselines)
        per_text = fmt(per) if count > 1 else ""
        print(f"| `{name}` | {fmt(median)} | {per_text} | {ratios} |")


if __name__ == "__main__":
    main()
