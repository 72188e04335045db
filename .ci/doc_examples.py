#!/usr/bin/env python3
"""Lists public items of the library whose rustdoc has no code example (a ``` block).

A stable-toolchain stand-in for rustdoc's unstable `missing_doc_code_examples` lint, which is the
precise check (nightly: `cargo +nightly rustdoc -p skylark --all-features --lib -- -Z
unstable-options -Zcrate-attr="feature(rustdoc_missing_doc_code_examples)" -W
rustdoc::missing_doc_code_examples`). This one reads src/ as text: a line `pub fn|struct|enum|
trait|const|type|static|mod NAME` (not `pub(crate)`, not inside a test module) whose doc comment
block above it has no ``` line. A module's own `//!` docs count for `pub mod NAME;`. Constants and
statics are exempt, as they are from the rustdoc lint, and so are items marked `#[doc(hidden)]`
(not public API: rustdoc documents none of them). Exit status 1 if any item is listed.
"""
import pathlib
import re
import sys

ITEM = re.compile(r"^\s*pub (?:const )?(fn|struct|enum|trait|const|type|static|mod) ([A-Za-z_0-9]+)")
root = pathlib.Path(__file__).resolve().parent.parent / "src"
missing = []
for path in sorted(root.rglob("*.rs")):
    lines = path.read_text(encoding="utf-8").split("\n")
    for n, line in enumerate(lines):
        if re.match(r"^\s*#\[cfg\(test\)\]", line):
            break  # tests come last in every file
        m = ITEM.match(line)
        if not m:
            continue
        kind, name = m.groups()
        if kind in ("const", "static"):
            continue
        if kind == "mod" and line.rstrip().endswith(";"):
            child = path.parent / (name + ".rs")
            if not child.exists():
                child = path.parent / name / "mod.rs"
            if not child.exists():  # `a.rs` declaring `mod b;` in `a/b.rs`
                child = path.with_suffix("") / (name + ".rs")
            docs = child.read_text(encoding="utf-8") if child.exists() else ""
            if "//! ```" not in docs:
                missing.append(f"{path.relative_to(root.parent)}:{n + 1}: mod {name}")
            continue
        i, has_example = n - 1, False
        while i >= 0 and (lines[i].strip().startswith(("///", "#[")) or lines[i].strip() == ""):
            if lines[i].strip().startswith("/// ```") or lines[i].strip().startswith("#[doc = \"```"):
                has_example = True
            if lines[i].strip() == "#[doc(hidden)]":
                has_example = True  # hidden: not public API
            if lines[i].strip() == "":
                break
            i -= 1
        if not has_example:
            missing.append(f"{path.relative_to(root.parent)}:{n + 1}: {kind} {name}")
for item in missing:
    print(item)
print(f"{len(missing)} public items without a code example")
sys.exit(1 if missing else 0)
