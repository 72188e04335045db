"""Reproduce the worked example of spec/07-merge.md (informative).

Requirements: as make_examples.py (pip install cbor2 blake3 pynacl); this
script itself needs only blake3, and cbor2 to cross-check the summary bytes.

Run:  python3 make_merge_examples.py   (exits non-zero on a failed assertion)

The messages of the example are abstract (07 §11.1): each is given by the
facts the merge rules read — id, account, key, seq, time, kind, body — with
made-up ids of one repeated byte. The merge rules never re-verify a message,
so these facts are all an implementation's merge step sees; to feed them to an
implementation whose merge takes signed messages, sign messages with the same
bodies and compare the summary structure instead of the digest.

The script also checks the algebraic claims of 07 §10 on random subsets,
orders and duplications of the example.
"""

import random

import cbor2

import skylark_ref as s
import skylark_merge_ref as mr

T0 = 1764115200000  # 2025-11-26T00:00:00Z
A, B, C = bytes([0xAA] * 32), bytes([0xBB] * 32), bytes([0xCC] * 32)
A1, A2, B1, C1 = (bytes([x] * 32) for x in (0xA1, 0xA2, 0xB1, 0xC1))


def i(n):
    """The made-up id `n` × 32 bytes."""
    return bytes([n] * 32)


def sec(n):
    return T0 + 1000 * n


# (id, account, key, seq, time, kind, body or None) — 07 §11.1, in this order.
EXAMPLE = [
    (0x01, A, A1, 1, sec(0), "profile", {"name": "Alice"}),
    (0x10, A, A1, 2, sec(1), "post", {"text": "hello"}),
    (0x11, A, A1, 3, sec(2), "edit", {"text": "hello!", "target": i(0x10), "replaces": i(0x10)}),
    (0x12, A, A2, 1, sec(3), "edit", {"text": "Hello.", "target": i(0x10), "replaces": i(0x10)}),
    (0x13, A, A1, 4, sec(4), "edit", {"text": "hello!!", "target": i(0x10), "replaces": i(0x11)}),
    (0x14, A, A2, 2, sec(5), "edit", {"text": "Hello, world.", "target": i(0x10), "replaces": i(0x12)}),
    (0x15, A, A2, 3, sec(6), "delete", {"target": i(0x14)}),
    (0x20, B, B1, 1, sec(10), "post", {"text": "welcome!", "reply": {"root": i(0x10), "parent": i(0x10)}}),
    (0x21, B, B1, 2, sec(11), "post", {"text": "look", "quote": i(0x10)}),
    (0x22, B, B1, 3, sec(12), "post", {"text": "oops", "reply": {"root": i(0x10), "parent": i(0x20)}}),
    (0x23, B, B1, 4, sec(13), "delete", {"target": i(0x22)}),
    (0x24, B, B1, 3, sec(12), "react", {"target": i(0x10)}),
    (0x25, B, B1, 5, sec(14), "react", {"emoji": "🐦", "target": i(0x10)}),
    (0x26, B, B1, 6, sec(15), "unreact", {"target": i(0x25)}),
    (0x27, B, B1, 7, sec(16), "repost", {"target": i(0x10)}),
    (0x28, B, B1, 8, sec(17), "follow", {"subject": A}),
    (0x30, A, A1, 5, sec(20), "follow", {"subject": B}),
    (0x31, A, A1, 6, sec(21), "unfollow", {"subject": B}),
    (0x32, A, A1, 7, sec(21), "follow", {"subject": C}),
    (0x33, A, A1, 8, sec(22), "block", {"subject": B}),
    (0x34, A, A2, 4, sec(30), "profile", {"name": "Alice L."}),
    (0x35, A, A1, 9, sec(30), "profile", {"name": "Alice Lark"}),
    (0x40, C, C1, 1, sec(40), "label", {"value": "spam", "message": i(0x10)}),
    (0x41, C, C1, 2, sec(41), "label", {"value": "impersonation", "account": B, "expires": sec(3600)}),
    (0x42, C, C1, 3, sec(42), "label", {"value": "misleading", "message": i(0x20)}),
    (0x43, C, C1, 4, sec(43), "label", {"value": "misleading", "negate": True, "message": i(0x20)}),
    (0x44, C, C1, 5, sec(44), "react", {"target": i(0x10)}),
    (0x50, A, A1, 10, sec(50), "post", None),   # held as a stripped remainder only
]
NOW = sec(60)
LATER = sec(3600)   # the label 0x41 has expired: expires > now is false


def records():
    return [mr.Record(i(n), a, k, q, t, kind, body) for n, a, k, q, t, kind, body in EXAMPLE]


def short(raw):
    return raw.hex()[:4] + "…"


def diag(v, indent=0, width=100):
    """RFC 8949 §8 diagnostic notation, keys in encoded order; long maps and
    arrays are broken over lines."""
    pad = "  " * indent
    if v is True:
        return "true"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, bytes):
        return "h'" + v.hex() + "'"
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list):
        parts = [diag(x, indent + 1) for x in v]
        one = "[" + ", ".join(parts) + "]"
        if len(one) + len(pad) <= width and "\n" not in one:
            return one
        return "[\n" + ",\n".join(pad + "  " + p for p in parts) + "\n" + pad + "]"
    if isinstance(v, dict):
        keys = sorted(v, key=lambda k: s.cbor_encode(k))
        parts = [diag(k) + ": " + diag(v[k], indent + 1) for k in keys]
        one = "{" + ", ".join(parts) + "}"
        if len(one) + len(pad) <= width and "\n" not in one:
            return one
        return "{\n" + ",\n".join(pad + "  " + p for p in parts) + "\n" + pad + "}"
    raise TypeError(type(v))


def main():
    m = mr.MergeSet()
    for r in records():
        m.add(r)

    print("== Text forms used as keys ==")
    for name, raw in (("A", A), ("B", B), ("C", C)):
        print(f"{name} {raw[:1].hex()}×32  {s.to_text('acct', raw)}")
    for n in (0x10, 0x20, 0x50, 0x22):
        print(f"{n:02x}×32  {s.to_text('msg', i(n))}")

    summary = m.summary(NOW)
    data = m.summary_bytes(NOW)
    # cbor2 decodes to the same value, and re-encodes canonically to the same bytes.
    assert cbor2.loads(data) == summary
    assert cbor2.dumps(cbor2.loads(data), canonical=True) == data
    print("\n== Summary at now = T0 + 60 s (diagnostic notation) ==")
    print(diag(summary))
    print(f"\nsummary bytes: {len(data)}")
    print("summary bytes, first 48:", data[:48].hex())
    if "--hex" in __import__("sys").argv:
        print("summary bytes, all:", data.hex())
    digest = m.digest(NOW)
    print("digest(now = T0+60000):", digest.hex())
    later = m.digest(LATER)
    print("digest(now = T0+3600000):", later.hex())
    empty = mr.MergeSet()
    print("empty summary:", s.cbor_encode(empty.summary(0)).hex())
    print("digest(empty):", empty.digest(0).hex())
    print("H('skylark v1 state digest', ''):", s.derive(mr.CTX_STATE_DIGEST, b"").hex())

    # Spot checks of the claims made in 07 §11.2.
    posts = summary["posts"]
    p = posts[s.to_text("msg", i(0x10))]
    assert p == {"state": "live", "current": i(0x12), "history": [i(0x10), i(0x12)]}
    assert posts[s.to_text("msg", i(0x22))] == {"state": "deleted"}
    assert posts[s.to_text("msg", i(0x50))] == {"state": "withheld"}
    assert summary["profiles"] == {s.to_text("acct", A): i(0x35)}
    assert summary["replies"] == {s.to_text("msg", i(0x10)): [i(0x20)]}
    assert summary["reactions"] == {s.to_text("msg", i(0x10)): {"": [B, C]}}
    assert summary["follows"] == {s.to_text("acct", A): [C], s.to_text("acct", B): [A]}
    assert summary["tombstones"] == [i(0x14), i(0x22)]
    assert summary["equivocations"] == [[B1, 3, [i(0x22), i(0x24)]]]
    assert s.to_text("acct", B) not in m.summary(LATER)["labels"]

    # 07 §10: a function of the set — any order, any duplication, whole
    # superseding remainder, gives the same bytes.
    rng = random.Random(7)
    base = records()
    stripped = [r._replace(body=None) for r in base]
    for _ in range(300):
        sub = [r for r in base if rng.random() < 0.7]
        forms = sub + [r._replace(body=None) for r in sub if rng.random() < 0.3]
        forms = forms + [rng.choice(forms) for _ in range(3)] if forms else forms
        want = mr.MergeSet()
        for r in sub:
            want.add(r)
        for _ in range(3):
            rng.shuffle(forms)
            got = mr.MergeSet()
            for r in forms:
                got.add(r)
            assert got.summary_bytes(NOW) == want.summary_bytes(NOW)
        # Union of two halves in either order (associativity of the set union).
        half = len(forms) // 2
        x, y = mr.MergeSet(), mr.MergeSet()
        for r in forms[:half]:
            x.add(r)
        for r in forms[half:]:
            y.add(r)
        for r in y.records.values():
            x.add(r)
        assert x.summary_bytes(NOW) == want.summary_bytes(NOW)
    # A node that holds every message only stripped: every post withheld, nothing counts.
    only = mr.MergeSet()
    for r in stripped:
        only.add(r)
    st = only.summary(NOW)
    assert all(v == {"state": "withheld"} for v in st["posts"].values())
    assert st["tombstones"] == [] and len(st["equivocations"]) == 1
    print("\nall checks passed")


if __name__ == "__main__":
    main()
