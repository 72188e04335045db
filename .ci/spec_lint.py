#!/usr/bin/env python3
"""Lints that keep the documents of spec/ and test-vectors/ consistent with each other and with the files.

Checks (each failure is printed as `file:line: what`; the exit status is 1 if there is any):

1. Section references. `NN §A.B` (chapter NN of spec/) and a bare `§A.B` inside a chapter resolve to
   a heading numbered `A.B` (`## A.` or `### A.B` ...) of that chapter. A bare `§` in a document that
   is not a numbered chapter resolves against the chapter it last named on the same line, else it is
   not checked.
2. Relative links. `[text](path)` and `[text](path#anchor)` to a file of the repository resolve; the
   anchor, if any, is the GitHub slug of a heading of that file. Each section of a rationale document
   spec/rationale/NN-name.md is linked from chapter NN and links back to the section it explains.
   Every vector id a document cites in backticks is the id of a vector of test-vectors/.
3. Counts. Every sentence of the form "N codes in all", "N codes in layer 1", "N codes of layers
   1–3", "N `area`" and "N of 08/09", and every row of the error-code table of registries.md §9,
   agrees with the code tables of spec/errors.md; every "N social/operation/core kinds" agrees with
   the lists of 05 §2.5; every "N vectors" stated for a vector file in test-vectors/README.md agrees
   with MANIFEST.json.
4. Vector numbers. No integer in a vector file exceeds 2^53 - 1 except at the places
   test-vectors/README.md ("Integers") lists, which a JavaScript or Go reader must parse losslessly;
   every file and the README's examples state the same `format`.
5. Rule ranges. Every range `PREFIX-1`..`PREFIX-N` stated in spec/00-conventions.md and in the
   rule-ID table of registries.md §10 ends at the highest rule number of that prefix used anywhere
   in spec/; each chapter's header and its row of spec/README.md's document table list every rule
   of the chapter's areas (00 §4), as `X-*` or as ranges and single rules.
6. Every MUST is a rule or conduct. In the numbered chapters, every MUST, MUST NOT, SHALL, SHALL NOT
   or REQUIRED (outside code blocks and quotes) sits in a paragraph, list item or table row that
   names a rule ID of an area of 00 §4 (or a list item whose introducing paragraph does), or in a
   section listed in the conduct table of 00 §6. Informative text — spec/rationale/, chapter 10,
   sections and notes marked informative — contains none of these key words; spec/rationale/ contains
   no SHOULD, SHOULD NOT or MAY either (it states no requirement of any strength).
7. Glossary. Every term of the glossary of spec/overview.md (§7) is defined where its row points:
   bold or italic, a heading, or a field name that a table, schema or `name`: item of that section
   introduces (a short list, GLOSSARY_UNBOLD, names the exceptions with reasons). Every bold term a
   chapter defines (lower case, at most four words, not a label ending in "." or ":") is in the
   glossary, or in GLOSSARY_EXEMPT with its reason; emphasis is written in italics.

Run from anywhere: `python3 .ci/spec_lint.py`.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec"
DOCS = sorted(SPEC.glob("*.md")) + sorted((SPEC / "rationale").glob("*.md")) + [ROOT / "README.md", ROOT / "test-vectors" / "README.md"]

problems: list[str] = []


def problem(path: Path, line: int, what: str) -> None:
    problems.append(f"{path.relative_to(ROOT)}:{line}: {what}")


def chapters() -> dict[str, Path]:
    out = {}
    for path in SPEC.glob("[0-9][0-9]-*.md"):
        out[path.name[:2]] = path
    return out


HEADING = re.compile(r"^(#{2,6})\s+(.*?)\s*$")
NUMBERED = re.compile(r"^(\d+(?:\.\d+)*)\.?\s")


def headings(path: Path) -> tuple[set[str], set[str]]:
    """The section numbers and the GitHub anchors of a markdown file's headings."""
    numbers: set[str] = set()
    anchors: set[str] = set()
    seen: dict[str, int] = {}
    for _, raw in prose_lines(path):
        m = re.match(r"^(#{1,6})\s+(.*?)\s*$", raw)
        if not m:
            continue
        title = m.group(2)
        n = NUMBERED.match(title)
        if n and len(m.group(1)) >= 2:
            numbers.add(n.group(1))
        slug = github_slug(title)
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return numbers, anchors


def github_slug(title: str) -> str:
    title = re.sub(r"`", "", title).strip().lower()
    title = re.sub(r"[^\w\- ]", "", title)
    return title.replace(" ", "-")


CHAPTERS = chapters()

# One scan per paragraph: `NN §A.B` names chapter NN; `name.md §A.B` names that document; a bare
# `§A.B` refers to the document named last in the same paragraph (a chapter's own number at the
# start of each paragraph); an external document (RFC 8949, FIPS 203, another project's
# specification, a bracketed citation) makes the following bare references external until the next
# of ours.
TOKEN = re.compile(
    r"(?P<chapter>(?<![\w.])\d\d)\s+§(?P<csec>\d+(?:\.\d+)*)"
    r"|(?P<doc>[\w/-]+\.md)`?\s+§(?P<dsec>\d+(?:\.\d+)*)"
    r"|(?P<external>RFC\s?\d+|FIPS\s?\d+|NIP-\d+|\[[A-Z][\w -]*\]|[Ss]pecification|whitepaper|paper)"
    r"|§(?P<bare>\d+(?:\.\d+)*)"
)


def check_sections(path: Path) -> None:
    own = path.name[:2] if path.name[:2] in CHAPTERS else path.name
    chapter_doc = own in CHAPTERS
    sentence_doc = None  # outside the chapters: the document named last in the current sentence
    last_line = ""
    for number, line in prose_lines(path):
        stripped = line.lstrip()
        if not stripped or stripped.startswith(("#", "- ", "* ", "|")) or re.match(r"\d+\. ", stripped):
            sentence_doc = None
        joined = re.match(r".*?(?<![\w.])(\d\d)\s*$", last_line)
        last_line = line
        if joined and joined.group(1) in CHAPTERS and stripped.startswith("§"):
            line = joined.group(1) + " " + stripped  # "... (06" / "§9.3)": one reference
        context = own
        previous_end = None  # where the last explicit reference ended, for "05 §2.1, §2.3"
        position = 0
        for m in TOKEN.finditer(line):
            if not chapter_doc and re.search(r"[.!?]\s|\|", line[position : m.start()]):
                sentence_doc = None
            position = m.end()
            if m.group("chapter") or m.group("doc"):
                document = m.group("chapter") or m.group("doc")
                resolve(path, number, document, m.group("csec") or m.group("dsec"))
                previous_end, previous_doc = m.end(), document
                if m.group("doc"):
                    context = document
                if not chapter_doc:
                    sentence_doc = document
            elif m.group("external"):
                context = None
                previous_end = None
                sentence_doc = None
            else:
                between = line[previous_end : m.start()] if previous_end is not None else None
                if between is not None and re.fullmatch(r"[\s,;/()–-]*(?:and|or)?[\s,;/()–-]*", between):
                    resolve(path, number, previous_doc, m.group("bare"))
                    previous_end = m.end()
                elif sentence_doc is not None:
                    resolve(path, number, sentence_doc, m.group("bare"))
                elif context is not None:
                    resolve(path, number, context, m.group("bare"))
                    previous_end = None
        if not chapter_doc and re.search(r"[.!?](\s|$)", line[position:]):
            sentence_doc = None


def resolve(path: Path, line: int, document: str, section: str) -> None:
    document = Path(document).name
    if document[:2] in CHAPTERS and document.endswith(".md") and document[2] == "-":
        target = CHAPTERS[document[:2]]
    elif document in CHAPTERS:
        target = CHAPTERS[document]
    elif (SPEC / document).exists():
        target = SPEC / document
    else:
        # Two-digit numbers that are not chapters (a year, say) and documents outside spec/ are not
        # ours to check.
        return
    if target not in NUMBERS:
        NUMBERS[target] = headings(target)[0]
    if section.rstrip(".") not in NUMBERS[target]:
        problem(path, line, f"§{section} names no section of {target.name}")


NUMBERS: dict[Path, set[str]] = {}


def prose_lines(path: Path):
    """The numbered lines of a Markdown document outside its fenced code blocks."""
    in_code = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("```"):
            in_code = not in_code
            continue
        if not in_code:
            yield number, line


LINK = re.compile(r"\]\(([^)\s]+)\)")


def check_links(path: Path) -> None:
    for number, line in prose_lines(path):
        for m in LINK.finditer(line):
            target = m.group(1)
            if re.match(r"^[a-z]+:", target) or target.startswith("<"):
                continue
            if not re.match(r"^[\w./#-]+$", target):
                continue  # math such as ]([S]B − R), not a link
            file_part, _, anchor = target.partition("#")
            dest = (path.parent / file_part).resolve() if file_part else path
            if not dest.exists():
                problem(path, number, f"link to {target}: no such file")
                continue
            if anchor and dest.suffix == ".md" and anchor not in headings(dest)[1]:
                problem(path, number, f"link to {target}: no such heading in {dest.name}")


def check_vector_ids() -> None:
    """Every vector id a document cites in backticks (`threat-…`, `acct-…`, `msg-…`, …: an id whose
    first word is the first word of some vector's id) is the id of a vector of test-vectors/."""
    vectors = ROOT / "test-vectors"
    manifest = json.loads((vectors / "MANIFEST.json").read_text(encoding="utf-8"))
    ids: set[str] = set()
    for entry in manifest["files"]:
        doc = json.loads((vectors / entry["path"]).read_text(encoding="utf-8"))
        ids.update(v["id"] for v in doc.get("vectors", []) if isinstance(v.get("id"), str))
    stems = {Path(entry["path"]).stem for entry in manifest["files"]}
    prefixes = sorted({i.split("-")[0] for i in ids if "-" in i})
    cited = re.compile(r"`((?:" + "|".join(map(re.escape, prefixes)) + r")-[a-z0-9-]*[a-z0-9])`")
    for path in DOCS:
        for number, line in prose_lines(path):
            for m in cited.finditer(line):
                name = m.group(1)
                if name in ids or name in stems or name.endswith("-body"):
                    continue  # a vector, a vector file, a CDDL rule name
                problem(path, number, f"`{name}` names no vector of test-vectors/")


def check_rationale() -> None:
    """Each section of spec/rationale/NN-name.md is linked from chapter NN and links back to it."""
    for path in sorted((SPEC / "rationale").glob("*.md")):
        chapter = SPEC / path.name
        if not chapter.exists():
            problem(path, 1, f"no chapter {path.name} beside this rationale document")
            continue
        chapter_text = chapter.read_text(encoding="utf-8")
        lines = path.read_text(encoding="utf-8").splitlines()
        starts = [i for i, line in enumerate(lines) if line.startswith("## ")]
        for k, i in enumerate(starts):
            anchor = github_slug(lines[i][3:])
            body = "\n".join(lines[i : starts[k + 1] if k + 1 < len(starts) else len(lines)])
            if f"rationale/{path.name}#{anchor}" not in chapter_text:
                problem(path, i + 1, f"no rule of {path.name} links to this section")
            if f"](../{path.name}#" not in body:
                problem(path, i + 1, f"this section links to no section of {path.name}")


def check_counts() -> None:
    errors = SPEC / "errors.md"
    codes = []
    for line in errors.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| `([a-z0-9_]+\.[a-z0-9_]+)` \|", line)
        if m:
            codes.append(m.group(1))
    total = len(set(codes))
    if len(codes) != total:
        problem(errors, 1, "a code is listed twice")
    per_area: dict[str, int] = {}
    for code in set(codes):
        per_area[code.split(".")[0]] = per_area.get(code.split(".")[0], 0) + 1
    layer_areas = {"1": ["cbor", "id", "key", "sig", "env"], "1–3": ["cbor", "id", "key", "sig", "env", "msg", "acct", "auth"]}
    layer_total = {k: sum(per_area.get(a, 0) for a in v) for k, v in layer_areas.items()}
    for path in DOCS:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for m in re.finditer(r"(\d+) codes in all", line):
                if int(m.group(1)) != total:
                    problem(path, number, f"says {m.group(1)} codes in all; errors.md lists {total}")
            # "43 codes in layer 1", "112 codes of layers 1–3", "(112 of layers 1–3"
            for m in re.finditer(r"(\d+) (?:codes )?(?:in|of) layers? (1–3|1)\b", line):
                if int(m.group(1)) != layer_total[m.group(2)]:
                    problem(path, number, f"says {m.group(1)} codes of layer(s) {m.group(2)}; errors.md lists {layer_total[m.group(2)]}")
            # "17 `cbor`", "adds 39 `msg` codes", "31 of 08"
            for m in re.finditer(r"(\d+) `([a-z]+)`", line):
                if m.group(2) in per_area and int(m.group(1)) != per_area[m.group(2)]:
                    problem(path, number, f"says {m.group(1)} `{m.group(2)}` codes; errors.md lists {per_area[m.group(2)]}")
            for m in re.finditer(r"(\d+) of (08|09)\b", line):
                area = {"08": "dm", "09": "sync"}[m.group(2)]
                if int(m.group(1)) != per_area.get(area, 0):
                    problem(path, number, f"says {m.group(1)} codes of {m.group(2)}; errors.md lists {per_area.get(area, 0)}")
    # The table of registries.md §9: one row per area, with its number of codes.
    registries = SPEC / "registries.md"
    areas_listed = set()
    section = None
    for number, line in enumerate(registries.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("## "):
            section = line
            continue
        m = re.match(r"^\| `([a-z]+)` \| [^|]+ \| (\d+) \|", line)
        if m and section and section.startswith("## 9. Error codes"):
            areas_listed.add(m.group(1))
            if int(m.group(2)) != per_area.get(m.group(1), 0):
                problem(registries, number, f"says {m.group(2)} `{m.group(1)}` codes; errors.md lists {per_area.get(m.group(1), 0)}")
    for area in sorted(set(per_area) - areas_listed):
        problem(registries, 1, f"the error-code table of §9 has no row for `{area}` ({per_area[area]} codes in errors.md)")
    check_kind_counts()
    manifest = json.loads((ROOT / "test-vectors" / "MANIFEST.json").read_text(encoding="utf-8"))
    counts = {entry["path"]: entry["vectors"] for entry in manifest["files"]}
    readme = ROOT / "test-vectors" / "README.md"
    column = None
    for number, line in enumerate(readme.read_text(encoding="utf-8").splitlines(), 1):
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("|") else []
        if cells and "vectors" in cells:
            column = cells.index("vectors")
        elif not cells:
            column = None
        elif column is not None and column < len(cells):
            name = cells[0].strip("`")
            if name in counts and cells[column].isdigit() and int(cells[column]) != counts[name]:
                problem(readme, number, f"says {name} has {cells[column]} vectors; MANIFEST.json has {counts[name]}")
        for m in re.finditer(r'"path": "([\w-]+\.json)"[^}]*?"vectors": (\d+)', line):
            if m.group(1) in counts and int(m.group(2)) != counts[m.group(1)]:
                problem(readme, number, f"example says {m.group(1)} has {m.group(2)} vectors; MANIFEST.json has {counts[m.group(1)]}")


NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty twenty-one twenty-two twenty-three twenty-four twenty-five".split())}


def check_kind_counts() -> None:
    """"N social kinds", "N (key-)operation kinds", "N core kinds" agree with the lists of 05 §2.5."""
    text = (SPEC / "05-messages.md").read_text(encoding="utf-8")
    section = text[text.index("### 2.5 "):text.index("### 2.6 ")]
    bullets = re.split(r"\n- ", section)
    social = next(b for b in bullets if "**social kinds**" in b)
    operation = next(b for b in bullets if "**operation kinds**" in b)
    sizes = {
        "social": len(set(re.findall(r"`([a-z]+)`", social))),
        "operation": len(set(re.findall(r"`([a-z]+)`", operation))),
    }
    sizes["key-operation"] = sizes["operation"]
    sizes["core"] = sizes["social"] + sizes["operation"]
    pattern = re.compile(r"\b(\d+|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")\s+(social|key-operation|operation|core)\s+kinds\b", re.I)
    for path in DOCS + [SPEC / "appendix-cddl.cddl"]:
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, 1):
            if line.startswith("#"):
                continue  # a heading such as "### 2.5 Core kinds"
            joined = line + " " + (lines[number].lstrip(" ;") if number < len(lines) else "")
            for m in pattern.finditer(joined):
                if m.start() >= len(line):
                    continue
                said = m.group(1).lower()
                n = int(said) if said.isdigit() else NUMBER_WORDS[said]
                if n != sizes[m.group(2).lower()]:
                    problem(path, number, f"says {m.group(1)} {m.group(2)} kinds; 05 §2.5 lists {sizes[m.group(2).lower()]}")
    m = re.search(r"exactly these ([\w-]+) names", section)
    if m and NUMBER_WORDS.get(m.group(1)) != sizes["core"]:
        problem(SPEC / "05-messages.md", 1, f"05 §2.5 says {m.group(1)} core kinds and lists {sizes['core']}")


# Where test-vectors/README.md ("Integers") allows a number above 2^53 - 1: (file, path pattern).
BIG_NUMBERS_ALLOWED = [
    ("messages.json", re.compile(r"^/vectors/\d+/context/now$")),
    ("sync.json", re.compile(r"^/vectors/\d+/set/\d+/\d+$")),
]


def check_vector_numbers() -> None:
    vectors = ROOT / "test-vectors"
    manifest = json.loads((vectors / "MANIFEST.json").read_text(encoding="utf-8"))
    fmt = manifest["format"]
    readme = vectors / "README.md"
    for number, line in enumerate(readme.read_text(encoding="utf-8").splitlines(), 1):
        for m in re.finditer(r'"format": (\d+)', line):
            if int(m.group(1)) != fmt:
                problem(readme, number, f"example says format {m.group(1)}; MANIFEST.json has {fmt}")
    big: list[tuple[str, str]] = []

    def walk(value: object, at: str, name: str) -> None:
        if isinstance(value, bool):
            return
        if isinstance(value, int) and abs(value) > 2**53 - 1:
            big.append((name, at))
        elif isinstance(value, dict):
            for k, v in value.items():
                walk(v, f"{at}/{k}", name)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                walk(v, f"{at}/{i}", name)

    for entry in manifest["files"]:
        path = vectors / entry["path"]
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("format") != fmt:
            problem(path, 1, f"format {doc.get('format')}; MANIFEST.json has {fmt}")
        walk(doc, "", entry["path"])
    for name, at in big:
        if not any(name == f and p.match(at) for f, p in BIG_NUMBERS_ALLOWED):
            problem(vectors / name, 1, f"{at} is above 2^53 - 1 and not listed under 'Integers' in test-vectors/README.md")


def check_rule_ranges() -> None:
    conventions = SPEC / "00-conventions.md"
    used: dict[str, int] = {}
    for path in sorted(SPEC.glob("*.md")):
        for m in re.finditer(r"\b([A-Z]+)-(\d+)\b", path.read_text(encoding="utf-8")):
            used[m.group(1)] = max(used.get(m.group(1), 0), int(m.group(2)))
    for number, line in enumerate(conventions.read_text(encoding="utf-8").splitlines(), 1):
        for m in re.finditer(r"`([A-Z]+)-1`\.\.`\1-(\d+)`", line):
            prefix, last = m.group(1), int(m.group(2))
            if used.get(prefix, 0) != last:
                problem(conventions, number, f"says {prefix}-1..{prefix}-{last}; spec/ uses up to {prefix}-{used.get(prefix, 0)}")


RULE_ITEM = re.compile(r"`?\b([A-Z]+)-(\d+|\*)`?(?:\s*\.\.\s*`?\1-(\d+)`?)?")


def area_chapters() -> dict[str, str]:
    """Each rule-ID area of 00 §4 with the chapter that defines it."""
    out = {}
    for line in (SPEC / "00-conventions.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| `([A-Z]+)` \| (\d\d) \|", line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def check_rule_listing(path: Path, line: int, text: str, chapter: str, highest: dict[str, int], where: str) -> None:
    """A text that lists the rules of chapter `chapter` names every area of it, each completely:
    `X-*`, or ranges and single rules that together are exactly X-1..X-max."""
    listed: dict[str, set[int]] = {}
    star: set[str] = set()
    for m in RULE_ITEM.finditer(text):
        area = m.group(1)
        if m.group(2) == "*":
            star.add(area)
            continue
        first, last = int(m.group(2)), int(m.group(3) or m.group(2))
        listed.setdefault(area, set()).update(range(first, last + 1))
    for area, ch in sorted(area_chapters().items()):
        if ch != chapter or area in star:
            continue
        want = set(range(1, highest.get(area, 0) + 1))
        got = listed.get(area, set())
        if got != want:
            shown = f"{area}-{min(got)}..{area}-{max(got)} ({len(got)} rules)" if got else "nothing"
            problem(path, line, f"{where} lists {shown} of area {area}; chapter {chapter} defines {area}-1..{area}-{highest.get(area, 0)}")


def check_rule_listings() -> None:
    """The rules each chapter states in its header, its row of spec/README.md's document table and
    the rule-ID table of registries.md §10 are every rule of its areas."""
    highest: dict[str, int] = {}
    for path in sorted(SPEC.glob("*.md")):
        for m in re.finditer(r"\b([A-Z]+)-(\d+)\b", path.read_text(encoding="utf-8")):
            highest[m.group(1)] = max(highest.get(m.group(1), 0), int(m.group(2)))
    for chapter, path in sorted(CHAPTERS.items()):
        lines = path.read_text(encoding="utf-8").splitlines()
        head = []
        for line in lines[1:]:
            if line.startswith("## "):
                break
            head.append(line)
        if chapter != "00" and "Rules" in "\n".join(head):
            check_rule_listing(path, 1, "\n".join(head), chapter, highest, "the chapter's header")
    readme = SPEC / "README.md"
    for number, line in enumerate(readme.read_text(encoding="utf-8").splitlines(), 1):
        m = re.match(r"^\| \[(\d\d)-[\w-]+\.md\]", line)
        if m and m.group(1) != "00" and m.group(1) in CHAPTERS and "| yes |" in line:
            check_rule_listing(readme, number, line.split("|")[3], m.group(1), highest, "the document table's row")
    registries = SPEC / "registries.md"
    for number, line in enumerate(registries.read_text(encoding="utf-8").splitlines(), 1):
        m = re.match(r"^\| `([A-Z]+)` \| ([A-Z]+-[^|]*) \|", line)
        if m:
            got = RULE_ITEM.match(m.group(2).strip())
            last = int(got.group(3) or got.group(2)) if got and got.group(2) != "*" else None
            if last != highest.get(m.group(1), 0):
                problem(registries, number, f"lists {m.group(2).strip()}; spec/ uses up to {m.group(1)}-{highest.get(m.group(1), 0)}")


# Lint 6 ------------------------------------------------------------------------------------------

KEYWORD = re.compile(r'(?<!["`\w])(MUST NOT|MUST|SHALL NOT|SHALL|REQUIRED)(?!["`\w])')
# spec/rationale/ states no requirement of any strength (its header says so), so there the softer key
# words count too; a reading that repeats a SHOULD or MAY of a chapter says it in lower case.
RATIONALE_KEYWORD = re.compile(r'(?<!["`\w])(MUST NOT|MUST|SHALL NOT|SHALL|REQUIRED|SHOULD NOT|SHOULD|MAY)(?!["`\w])')


def rule_areas() -> set[str]:
    areas = set()
    for line in (SPEC / "00-conventions.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| `([A-Z]+)` \| \d\d \|", line)
        if m:
            areas.add(m.group(1))
    return areas


def names_rule(text: str, areas: set[str]) -> bool:
    return any(m.group(1) in areas for m in re.finditer(r"(?<![\w-])([A-Z]+)-\d+\b", text))


def units(path: Path):
    """The paragraphs, list items and table rows of a markdown file outside code blocks, each as
    (first line number, text, section number, informative, list intro)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    informative_doc = bool(lines) and "(informative" in lines[0]
    in_code = False
    section = ""
    informative_level = None
    current: list[str] = []
    start = 0
    intro = ""  # the last paragraph that is not a list item: introduces the list that follows
    paragraph_informative = False
    out = []

    def flush():
        nonlocal current, intro, paragraph_informative
        if current:
            text = "\n".join(current)
            is_item = bool(re.match(r"\s*([-*]|\d+\.)\s", current[0]))
            if not is_item and not current[0].startswith("|"):
                paragraph_informative = "(informative" in current[0] or current[0].startswith("This section is informative")
            out.append((start, text, section, informative_doc or informative_level is not None or paragraph_informative,
                        intro if is_item else ""))
            if not is_item and not current[0].startswith("|"):
                intro = text
        current = []

    for number, line in enumerate(lines, 1):
        if line.startswith("```"):
            flush()
            in_code = not in_code
            continue
        if in_code:
            continue
        h = re.match(r"^(#{1,6})\s+(.*)$", line)
        if h:
            flush()
            level = len(h.group(1))
            n = NUMBERED.match(h.group(2))
            if n and level >= 2:
                section = n.group(1)
            if informative_level is not None and level <= informative_level:
                informative_level = None
            if informative_level is None and "informative" in h.group(2).lower():
                informative_level = level
            intro = ""
            paragraph_informative = False
            continue
        if not line.strip():
            flush()
            continue
        if re.match(r"\s*([-*]|\d+\.)\s", line) or line.startswith("|"):
            flush()
            start = number
            current = [line]
            continue
        if not current:
            start = number
        current.append(line)
    flush()
    return out


def conduct_places() -> set[tuple[str, str]]:
    """(chapter, section) pairs listed in the conduct table of 00 §6."""
    places = set()
    in_table = False
    for line in (SPEC / "00-conventions.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("| conduct |"):
            in_table = True
            continue
        if in_table and not line.startswith("|"):
            break
        if in_table:
            for m in re.finditer(r"(?<![\w.])(\d\d) §(\d+(?:\.\d+)*)", line.split("|")[2] if line.count("|") > 2 else ""):
                places.add((m.group(1), m.group(2)))
    return places


def check_musts() -> None:
    areas = rule_areas()
    conduct = conduct_places()
    for path in sorted(CHAPTERS.values()) + sorted((SPEC / "rationale").glob("*.md")):
        rationale = path.parent.name == "rationale"
        for line, text, section, informative, intro in units(path):
            keywords = (RATIONALE_KEYWORD if rationale else KEYWORD).findall(text)
            if not keywords:
                continue
            if rationale or informative:
                problem(path, line, f"{keywords[0]} in informative text (00 §1: informative text states no requirement)")
            elif not (names_rule(text, areas) or names_rule(intro, areas) or (path.name[:2], section) in conduct):
                problem(path, line, f"{keywords[0]} names no rule ID and is not conduct listed in 00 §6: {text.splitlines()[0].strip()[:80]}")


# Lint 7 ------------------------------------------------------------------------------------------

# Bold spans of the chapters that are emphasis or notation, not definitions, and glossary terms that
# are defined without bold; each with its reason. Keep it short: prefer italics for emphasis.
GLOSSARY_EXEMPT: dict[tuple[str, str], str] = {}
GLOSSARY_UNBOLD = {
    "after": "a body field, defined by the CDDL and the field table of 06 §5.2",
    "cutoff": "a body field of `revoke`, defined by 06 §5.2's schema",
    "genesis": "the operation kind, defined by the schema of 06 §5 and §3's heading",
}


def glossary_rows() -> list[tuple[str, str, int]]:
    text = (SPEC / "overview.md").read_text(encoding="utf-8")
    rows = []
    in_glossary = False
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("## "):
            in_glossary = "Glossary" in line
            continue
        if in_glossary and line.startswith("| ") and not line.startswith("| term"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) >= 3:
                rows.append((cells[0], cells[-1], number))
    return rows


def term_variants(cell: str) -> list[str]:
    cell = re.sub(r"\*\(overloaded[^)]*\)\*", "", cell)
    cell = re.sub(r"\s*\([^)]*\)", "", cell)
    out = []
    for part in re.split(r",\s*", cell):
        if re.sub(r"`[^`]*`", "", part).strip():
            part = re.sub(r"`[^`]*`", "", part)
        part = part.replace("`", "").strip().lower()
        if part:
            out.append(part)
    return out


def singular(term: str) -> str:
    """The term with its last word, or else its first word, in the singular ("gates in force")."""
    def one(word: str) -> str:
        return word[:-3] + "y" if word.endswith("ies") else re.sub(r"(?<!s)s$", "", word)
    words = term.split()
    if not words:
        return term
    last = one(words[-1])
    if last != words[-1]:
        return " ".join(words[:-1] + [last])
    return " ".join([one(words[0])] + words[1:])


def glossary_pointers(cell: str) -> list[tuple[str, str]]:
    out = []
    chapter = None
    for m in re.finditer(r"(?:(\d\d) )?§(\d+(?:\.\d+)*)|this document", cell):
        if m.group(0) == "this document":
            chapter = None
            continue
        if m.group(1):
            chapter = m.group(1)
        if chapter in CHAPTERS:
            out.append((chapter, m.group(2)))
    return out


def section_texts(path: Path) -> dict[str, list[str]]:
    """Per section number, its lines (headings included, code blocks included)."""
    current = None
    out: dict[str, list[str]] = {}
    in_code = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_code = not in_code
        h = None if in_code else re.match(r"^#{2,6}\s+(\d+(?:\.\d+)*)\.?\s", line)
        if h:
            current = h.group(1)
        if current:
            out.setdefault(current, []).append(line)
    return out


def definitions(lines: list[str]) -> list[str]:
    """What a section defines: its bold and italic spans, its headings, and the field names its
    tables, schemas and `name`: list items introduce."""
    text = "\n".join(lines)
    out = re.findall(r"\*\*([^*]+?)\*\*", text)
    out += re.findall(r"(?<![*\w])\*([^*\n]+?)\*(?![*\w])", text)
    out += [l.lstrip("#").strip() for l in lines if l.startswith("#")]
    out += re.findall(r"^\s*(?:[-*]|\d+\.)?\s*(?:\([a-z]\)\s*)?`([^`]+)`:", text, re.M)
    out += re.findall(r'^\s*\??\s*"([a-z_]+)":', text, re.M)
    out += re.findall(r"^\| `([^`]+)` \|", text, re.M)
    return [d.replace("`", "").lower() for d in out]


def check_glossary() -> None:
    overview = SPEC / "overview.md"
    texts = {n: section_texts(p) for n, p in CHAPTERS.items()}
    rows = glossary_rows()
    known: set[str] = set()
    for term, _, _ in rows:
        known.add(re.sub(r"\s*\([^)]*\)", "", term).replace("`", "").strip().lower())
        for v in term_variants(term):
            known.update({v, singular(v)})
    for term, where, line in rows:
        pointers = glossary_pointers(where)
        if not pointers:
            continue
        variants = term_variants(term)
        if any(v in GLOSSARY_UNBOLD for v in variants):
            continue
        defined = []
        for chapter, section in pointers:
            for number, lines in texts[chapter].items():
                if number == section or number.startswith(section + "."):
                    defined += definitions(lines)
        if not any(re.search(rf"(?<![\w-]){re.escape(w)}(?:s|es)?(?![\w-])", d) for v in variants for w in {v, singular(v)} for d in defined):
            problem(overview, line, f"glossary term '{term}' is not defined (bold) in {where}")
    for chapter, path in sorted(CHAPTERS.items()):
        for number, line in prose_lines(path):
            if line.startswith("#"):
                continue
            for bold in re.findall(r"\*\*([^*]+?)\*\*", line):
                term = bold.replace("`", "").strip().lower()
                if not re.match(r"^[a-z`]", bold) or "§" in bold or "(" in bold or len(term.split()) > 4:
                    continue  # a label, a rule, a kind's check list, a sentence
                if re.search(r"[.:!?]$", term) or (chapter, term) in GLOSSARY_EXEMPT:
                    continue
                if term in known or singular(term) in known or any(
                    len(k) > 3 and (k.startswith(term) and len(term) > 3 or term.startswith(k + " ")) for k in known
                ):
                    continue
                problem(path, number, f"**{bold}** is defined here but not in the glossary of overview.md §7")


def main() -> int:
    for path in DOCS:
        check_sections(path)
        check_links(path)
    check_rationale()
    check_vector_ids()
    check_counts()
    check_vector_numbers()
    check_rule_ranges()
    check_rule_listings()
    check_musts()
    check_glossary()
    for p in problems:
        print(p)
    if problems:
        print(f"spec lint: {len(problems)} problem(s)")
        return 1
    print("spec lint: section references, links and counts agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
