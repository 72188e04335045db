#!/usr/bin/env python3
"""Compare Skylark conformance results files (format: test-vectors/results/README.md).

Usage:
    python3 compare.py [--markdown] [--manifest PATH] RESULTS.json [RESULTS.json ...]

Prints, per vector file, how many vectors each implementation passed, failed and skipped, then every
vector on which the implementations differ (status or reported error code). With one results file,
it lists that implementation's failed and skipped vectors instead. --markdown prints Markdown tables.
--manifest checks each results file's suite_digest against a MANIFEST.json (default: the one next
to this folder, if present).

Exit status: 0 if the implementations agree on every vector (or, with one file, it passed every
vector), 1 if they differ (or it failed or skipped one), 2 if an input cannot be read.

Python 3 standard library only.
"""

import argparse
import json
import os
import re
import signal
import sys

STATUSES = ("pass", "fail", "skip")
HEX32 = re.compile(r"^[0-9a-f]{64}$")
CODE = re.compile(r"^[a-z]+\.[a-z0-9_]+$")


class InputError(Exception):
    pass


def load(path):
    """Reads one results file and checks the fields compare.py relies on."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        raise InputError(f"{path}: {e}") from e
    if not isinstance(doc, dict):
        raise InputError(f"{path}: not a JSON object")
    for field in ("implementation", "version", "suite_digest"):
        if not isinstance(doc.get(field), str) or not doc[field]:
            raise InputError(f"{path}: missing or empty {field}")
    if not HEX32.match(doc["suite_digest"]):
        raise InputError(f"{path}: suite_digest is not 64 lower-case hex digits")
    results = doc.get("results")
    if not isinstance(results, list):
        raise InputError(f"{path}: results is not a list")
    by_vector = {}  # insertion-ordered
    for i, r in enumerate(results):
        where = f"{path}: results[{i}]"
        if not isinstance(r, dict):
            raise InputError(f"{where}: not an object")
        if not isinstance(r.get("file"), str) or not isinstance(r.get("id"), str):
            raise InputError(f"{where}: file and id must be strings")
        if r.get("status") not in STATUSES:
            raise InputError(f"{where}: status must be one of {', '.join(STATUSES)}")
        error = r.get("error")
        if error is not None and not (isinstance(error, str) and CODE.match(error)):
            raise InputError(f"{where}: error must be an error code or null")
        key = (r["file"], r["id"])
        if key in by_vector:
            raise InputError(f"{where}: {r['file']} {r['id']} is listed twice")
        by_vector[key] = r
    return {
        "path": path,
        "name": doc["implementation"],
        "version": doc["version"],
        "suite_digest": doc["suite_digest"],
        "results": by_vector,
    }


def labels(impls):
    """One column label per implementation: name and version, made unique with the file name."""
    plain = [f"{i['name']} {i['version']}" for i in impls]
    return [
        f"{label} ({os.path.basename(i['path'])})" if plain.count(label) > 1 else label
        for label, i in zip(plain, impls)
    ]


def outcome(result):
    """The comparable outcome of one vector for one implementation."""
    if result is None:
        return ("missing", None)
    return (result["status"], result.get("error"))


def show(o):
    status, error = o
    return f"{status} ({error})" if error else status


def table(headers, rows, markdown):
    if markdown:
        lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
        lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows)]
    fmt = lambda row: "  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip()
    return "\n".join([fmt(headers), fmt(["-" * w for w in widths])] + [fmt(r) for r in rows])


def default_manifest():
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "MANIFEST.json")
    return path if os.path.exists(path) else None


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", nargs="+", help="results files (JSON)")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    parser.add_argument("--manifest", help="MANIFEST.json whose suite_digest the results should name")
    args = parser.parse_args(argv)

    try:
        impls = [load(p) for p in args.results]
    except InputError as e:
        print(f"compare.py: {e}", file=sys.stderr)
        return 2
    md = args.markdown
    heading = (lambda t: f"## {t}\n") if md else (lambda t: f"{t}\n{'=' * len(t)}\n")
    names = labels(impls)

    # Which vectors were run: the suite digests.
    manifest_path = args.manifest or default_manifest()
    expected_digest = None
    if manifest_path:
        try:
            with open(manifest_path, encoding="utf-8") as f:
                expected_digest = json.load(f).get("suite_digest")
        except (OSError, ValueError) as e:
            print(f"compare.py: {manifest_path}: {e}", file=sys.stderr)
            return 2
    print(heading("Skylark conformance results"))
    rows = []
    for name, i in zip(names, impls):
        if expected_digest is None:
            same = "(no manifest)"
        else:
            same = "yes" if i["suite_digest"] == expected_digest else "NO"
        rows.append([name, i["suite_digest"], same])
    print(table(["implementation", "suite_digest", "as MANIFEST.json"], rows, md))
    digests = {i["suite_digest"] for i in impls}
    if len(digests) > 1:
        print("\nWarning: the results are for different vector suites (suite_digest differs);"
              " vectors with the same id may not be the same.")
    print()

    # Per file: pass/fail/skip for each implementation.
    # Vectors in the order the results list them (the manifest's file order, then each file's).
    keys = list(dict.fromkeys(k for i in impls for k in i["results"]))
    files = list(dict.fromkeys(f for f, _ in keys))
    print(heading("Per file (pass / fail / skip)"))
    rows = []
    totals = [[0, 0, 0, 0] for _ in impls]
    for file in files:
        row = [file]
        for n, i in enumerate(impls):
            counts = [0, 0, 0, 0]  # pass, fail, skip, missing
            for key in keys:
                if key[0] != file:
                    continue
                r = i["results"].get(key)
                counts[STATUSES.index(r["status"]) if r else 3] += 1
            totals[n] = [a + b for a, b in zip(totals[n], counts)]
            row.append(cell(counts))
        rows.append(row)
    rows.append(["all files"] + [cell(t) for t in totals])
    print(table(["file"] + names, rows, md))
    print()

    # The vectors on which they differ (or, alone, the ones not passed).
    if len(impls) > 1:
        title = "Vectors where the implementations differ"
        differing = [k for k in keys if len({outcome(i["results"].get(k)) for i in impls}) > 1]
    else:
        title = "Vectors not passed"
        differing = [k for k in keys if outcome(impls[0]["results"].get(k))[0] != "pass"]
    print(heading(f"{title} ({len(differing)})"))
    if differing:
        rows = []
        for key in differing:
            row = [key[0], key[1]]
            notes = []
            for name, i in zip(names, impls):
                r = i["results"].get(key)
                row.append(show(outcome(r)))
                if r and r.get("note"):
                    notes.append(f"{name}: {r['note']}" if len(impls) > 1 else r["note"])
            row.append("; ".join(notes))
            rows.append(row)
        print(table(["file", "id"] + names + ["notes"], rows, md))
    else:
        print("none")
    return 1 if differing else 0


def cell(counts):
    text = f"{counts[0]} / {counts[1]} / {counts[2]}"
    if counts[3]:
        text += f" ({counts[3]} missing)"
    return text


if __name__ == "__main__":
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `compare.py ... | head` ends quietly
    sys.exit(main(sys.argv[1:]))
