#!/usr/bin/env python3
"""The MSRV claim, checked without the old toolchain (CI can only run the installed stable one).

For every workspace package, every dependency it builds with (normal and build dependencies, on any
target, as locked in Cargo.lock) must declare a `rust-version` no higher than the package's own.
A dependency that declares none is listed but not counted as a failure. The other half of the check
is clippy's `incompatible_msrv` lint, which CI runs with warnings denied: it flags standard-library
APIs stabilised after the package's `rust-version`. Language features newer than the MSRV are not
caught by either; see the MSRV policy in README.md.
"""
import json
import subprocess
import sys


def version(text):
    return tuple(int(x) for x in text.split(".")[:3]) + (0,) * (3 - len(text.split(".")[:3]))


meta = json.loads(
    subprocess.run(
        ["cargo", "metadata", "--locked", "--format-version", "1"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
)
packages = {p["id"]: p for p in meta["packages"]}
nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
failures = 0
for member in meta["workspace_members"]:
    package = packages[member]
    msrv = package.get("rust_version")
    if not msrv:
        print(f"{package['name']}: no rust-version declared")
        failures += 1
        continue
    seen, stack = set(), [member]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        for dep in nodes[current]["deps"]:
            if any(k["kind"] in (None, "build") for k in dep["dep_kinds"]):
                stack.append(dep["pkg"])
    seen.discard(member)
    too_new = [
        packages[i]
        for i in sorted(seen)
        if packages[i].get("rust_version")
        and version(packages[i]["rust_version"]) > version(msrv)
        and packages[i]["source"] is not None
    ]
    for p in too_new:
        print(f"{package['name']} (rust-version {msrv}) builds with {p['name']} {p['version']}, "
              f"which needs Rust {p['rust_version']}")
    failures += len(too_new)
    undeclared = sum(1 for i in seen if not packages[i].get("rust_version"))
    print(f"{package['name']}: rust-version {msrv}; {len(seen)} dependencies, "
          f"{len(too_new)} needing a newer Rust, {undeclared} declaring none")
sys.exit(1 if failures else 0)
