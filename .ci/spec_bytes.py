#!/usr/bin/env python3
"""Normative bytes of each numbered chapter of spec/ (issue 20: measure the normative text).

Definition (printed with the numbers):

- A chapter is a file `spec/NN-*.md`. A chapter whose title (its `# ` line) says "(informative)"
  (10, the HTTP binding) is informative as a whole: 0 normative bytes.
- A section is informative when its heading says "informative" ("## 11. Worked examples
  (informative)"); it ends at the next heading of the same or a higher level.
- A paragraph is informative when its first line says "(informative" or starts with "This section
  is informative"; when that first line ends with ":", the list or block that follows belongs to it.
- Documents outside the numbered chapters (overview, registries, security, errors, README,
  rationale/) are not counted: they restate the chapters or explain them.
- normative = total − informative. Of the normative bytes, `code` is the part inside fenced blocks
  (formats, CDDL, check orders written as code) and `prose` the rest.

Usage: `python3 .ci/spec_bytes.py [--rev REV]` (REV: a git revision to measure instead of the work
tree, e.g. `--rev d5b7e68`).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADING = re.compile(r"^(#{1,6})\s")


def files(rev: str | None) -> list[tuple[str, str]]:
    if rev is None:
        return [(p.name, p.read_text(encoding="utf-8")) for p in sorted((ROOT / "spec").glob("[0-9][0-9]-*.md"))]
    names = subprocess.run(
        ["git", "-C", str(ROOT), "ls-tree", "--name-only", rev, "spec/"], check=True, capture_output=True, text=True
    ).stdout.split()
    out = []
    for name in sorted(names):
        base = name.split("/")[-1]
        if re.match(r"^\d\d-.*\.md$", base):
            text = subprocess.run(
                ["git", "-C", str(ROOT), "show", f"{rev}:{name}"], check=True, capture_output=True, text=True
            ).stdout
            out.append((base, text))
    return out


def measure(text: str) -> tuple[int, int, int]:
    """(total, normative prose, normative code) bytes of one chapter."""
    lines = text.splitlines(keepends=True)
    total = sum(len(line.encode()) for line in lines)
    if lines and "(informative" in lines[0]:
        return total, 0, 0
    prose = code = 0
    in_code = False
    informative_level = None  # level of the informative heading we are under
    paragraph_informative = False
    carry = False  # the informative paragraph ended with ":" and owns the next block
    at_paragraph_start = True
    for line in lines:
        size = len(line.encode())
        if line.startswith("```"):
            in_code = not in_code
            fence = True
        else:
            fence = False
        if not in_code and not fence:
            h = HEADING.match(line)
            if h:
                level = len(h.group(1))
                if informative_level is not None and level <= informative_level:
                    informative_level = None
                if informative_level is None and "informative" in line.lower():
                    informative_level = level
                paragraph_informative = False
                carry = False
                at_paragraph_start = True
            elif not line.strip():
                if paragraph_informative and carry:
                    pass  # the block after "...(informative...):" is still the note
                else:
                    paragraph_informative = False
                at_paragraph_start = True
            elif at_paragraph_start:
                starts = "(informative" in line or line.lstrip().startswith("This section is informative")
                if starts:
                    paragraph_informative = True
                    carry = line.rstrip().endswith(":")
                elif paragraph_informative and carry and not re.match(r"\s*([-*]|\d+\.)\s", line):
                    paragraph_informative = False
                    carry = False
                at_paragraph_start = False
        if informative_level is not None or paragraph_informative:
            continue
        if in_code or fence:
            code += size
        else:
            prose += size
    return total, prose, code


def main() -> int:
    rev = None
    if len(sys.argv) == 3 and sys.argv[1] == "--rev":
        rev = sys.argv[2]
    elif len(sys.argv) != 1:
        print(__doc__)
        return 2
    print((__doc__ or "").split("Usage:")[0].strip())
    print()
    print(f"measured: {rev or 'work tree'}")
    print(f"{'chapter':<28}{'total':>9}{'normative':>11}{'prose':>9}{'code':>8}")
    sums = [0, 0, 0, 0]
    for name, text in files(rev):
        total, prose, code = measure(text)
        row = [total, prose + code, prose, code]
        sums = [a + b for a, b in zip(sums, row)]
        print(f"{name:<28}{row[0]:>9}{row[1]:>11}{row[2]:>9}{row[3]:>8}")
    print(f"{'all chapters':<28}{sums[0]:>9}{sums[1]:>11}{sums[2]:>9}{sums[3]:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
