"""Reproduce every worked example of spec/05-messages.md (informative).

Requirements: as make_examples.py (pip install cbor2 blake3 pynacl).
cbor2 cross-checks the canonical bytes built by skylark_ref.cbor_encode.

Run:  python3 make_message_examples.py   (exits non-zero on a failed assertion)
"""

import blake3
import cbor2
import nacl.signing

import skylark_ref as s
import skylark_messages_ref as m


def diag(v):
    """RFC 8949 section 8 diagnostic notation, keys in encoded order."""
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, bytes):
        return "h'" + v.hex() + "'"
    if isinstance(v, str):
        # JSON-style escapes (RFC 8949 section 8); other characters as themselves.
        out = []
        for c in v:
            if c in '"\\':
                out.append("\\" + c)
            elif ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0:
                out.append(f"\\u{ord(c):04x}")
            else:
                out.append(c)
        return '"' + "".join(out) + '"'
    if isinstance(v, list):
        return "[" + ", ".join(diag(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(diag(k) + ": " + diag(v[k]) for k in m.enc_order(v)) + "}"
    raise TypeError(type(v))

SEED = bytes([1] * 32)
SK = nacl.signing.SigningKey(SEED)
PUB = bytes(SK.verify_key)
ACCT = bytes([0xAA] * 32)
BOB = bytes([0xBB] * 32)
T0 = 1764115200000  # 2025-11-26T00:00:00Z


def sign(kind, body, seq=1, prev=None, time=T0, sk=SK, acct=ACCT, strip=False):
    body_bytes = s.cbor_encode(body)
    header = {"v": 1, "key": bytes(sk.verify_key), "seq": seq, "acct": acct,
              "body": s.derive(s.CTX_BODY_HASH, body_bytes), "kind": kind, "time": time}
    if prev is not None:
        header["prev"] = prev
    hb = s.cbor_encode(header)
    sig = sk.sign(s.SIG_CONTEXT_MESSAGE + hb).signature
    outer = {"h": hb, "s": sig} if strip else {"b": body_bytes, "h": hb, "s": sig}
    msg = s.cbor_encode(outer)
    return msg, s.derive(s.CTX_MESSAGE_ID, hb), header


def annotate(data):
    """One line per data item: its head (and short content) in hex, with a comment."""
    lines = []

    def item(off, indent):
        b = data[off]
        major, ai = b >> 5, b & 0x1F
        n = {24: 1, 25: 2, 26: 4, 27: 8}.get(ai, 0)
        arg = ai if ai < 24 else int.from_bytes(data[off + 1:off + 1 + n], "big")
        head = data[off:off + 1 + n]
        off += 1 + n
        pad = "   " * indent
        if major == 0:
            lines.append((pad + head.hex(" "), str(arg)))
            return off
        if major in (2, 3):
            content = data[off:off + arg]
            if major == 3:
                shown = '"' + content.decode() + '"'
                lines.append((pad + head.hex(" ") + " " + content.hex(), shown))
            else:
                lines.append((pad + head.hex(" ") + " " + content.hex(), f"{arg} bytes"))
            return off + arg
        if major == 4:
            lines.append((pad + head.hex(" "), f"array, {arg} item" + ("s" if arg != 1 else "")))
            for _ in range(arg):
                off = item(off, indent + 1)
            return off
        if major == 5:
            lines.append((pad + head.hex(" "), f"map, {arg} entr" + ("ies" if arg != 1 else "y")))
            for _ in range(2 * arg):
                off = item(off, indent + 1)
            return off
        lines.append((pad + head.hex(" "), {0xF4: "false", 0xF5: "true"}[b]))
        return off

    assert item(0, 0) == len(data)
    width = max(len(a) for a, _ in lines if len(a) < 70) + 2
    return "\n".join((a.ljust(width) + c).rstrip() if len(a) < 70 else a + "\n" + " " * width + c
                     for a, c in lines)


def expect_invalid(kind, body, code, rule, header=None):
    header = header or {"acct": ACCT, "time": T0}
    try:
        m.check_body(kind, body, header)
    except m.Invalid as e:
        assert (e.code, e.rule) == (code, rule), (diag(body), e.code, e.rule, code, rule)
        return
    raise AssertionError(f"accepted {diag(body)}, expected {code}")


# ---------------------------------------------------------------------------
print("== 05 §9.1: a typical post body ==")
TEXT = "hi @bob, a lark over #skylark \U0001F426"
raw = TEXT.encode()
IMAGE = b"skylark example image"  # stands in for the file's bytes
post = {
    "text": TEXT,
    "langs": ["en"],
    "embeds": [{"type": "media", "media": {
        "alt": "A lark against a blue sky",
        "hash": blake3.blake3(IMAGE).digest(),
        "mime": "image/jpeg", "size": 48213, "width": 1200, "height": 900}}],
    "facets": [
        {"start": raw.find(b"@bob"), "end": raw.find(b"@bob") + 4, "type": "mention",
         "account": BOB},
        {"start": raw.find(b"#skylark"), "end": raw.find(b"#skylark") + 8, "type": "tag",
         "tag": "skylark"},
    ],
}
post_bytes = s.cbor_encode(post)
assert cbor2.dumps(post, canonical=True) == post_bytes
m.check_body("post", post, {"acct": ACCT, "time": T0})
print("text: scalars", len(TEXT), "bytes", len(raw))
print("facet offsets:", [(f["start"], f["end"]) for f in post["facets"]])
print("diag:", diag(post))
print("body bytes", len(post_bytes), ":", post_bytes.hex())
print(annotate(post_bytes))

msg, mid, header = sign("post", post)
print("header:", diag(header))
print("message bytes", len(msg), ":", msg.hex())
print("message id", mid.hex(), s.to_text("msg", mid))
verdict = m.validate(msg, now=T0, authorization="authorized")
assert verdict[0] == "valid" and verdict[1] == "post"
print("validate(now = time, authorized):", verdict[0])
assert m.validate(msg, now=T0 - 600000, authorization="authorized")[0] == "valid"
assert m.validate(msg, now=T0 - 600001, authorization="authorized") == \
    ("invalid", "msg.time_in_future", "MSG-2")
print("now = time - 600000: valid; now = time - 600001: msg.time_in_future")
assert m.validate(msg, now=T0, authorization="unknown") == ("undecided", ["key_authorization"])
assert m.validate(msg, now=T0, authorization="auth.revoked") == ("invalid", "auth.revoked", "MSG-3")

# ---------------------------------------------------------------------------
print("\n== 05 §9.2: rejected bodies ==")
REJECTED = [
    ("post", {"text": "hello", "title": "x", "com.example.mood": "happy"},
     "msg.unknown_field", "MSG-1"),
    ("post", {"text": "h\u00e9llo", "facets": [{"start": 0, "end": 2, "type": "link",
                                                "url": "https://example.com"}]},
     "msg.facet_boundary", "FACET-4"),
]
for kind, body, code, rule in REJECTED:
    expect_invalid(kind, body, code, rule)
    b = s.cbor_encode(body)
    assert cbor2.dumps(body, canonical=True) == b
    print(kind, diag(body))
    print("   ", len(b), "bytes:", b.hex(), "->", code, rule)

# The namespaced key alone is accepted (kept, ignored):
m.check_body("post", {"text": "hello", "com.example.mood": "happy"}, {"acct": ACCT, "time": T0})

print("\n== 05 §9.3: first failure wins (table) ==")
H = {"acct": ACCT, "time": T0}
TABLE = [
    ("post", {"text": "", "langs": ["english"]}, "msg.too_short", "MSG-1"),
    ("post", {"langs": ["english"], "text": "x" * 1001}, "msg.too_long", "MSG-1"),
    ("post", {"text": "\U0001F426" * 751}, "msg.too_long", "MSG-1"),
    ("post", {"text": "\u4e00" * 1000}, None, None),
    ("post", {"langs": ["en"]}, "msg.empty_post", "POST-1"),
    ("post", {"langs": ["en", "EN"], "text": "x"}, "msg.duplicate", "MSG-6"),
    ("post", {"langs": ["e"], "text": "x"}, "msg.invalid_lang", "MSG-6"),
    ("post", {"quote": bytes(31)}, "msg.wrong_type", "MSG-1"),
    ("post", {"embeds": []}, "msg.too_short", "MSG-1"),
    ("post", {"embeds": [{"type": "video"}]}, "msg.invalid_embed_type", "POST-3"),
    ("post", {"embeds": [{"type": "card", "url": "https://a.example"},
                         {"type": "card", "url": "https://b.example"}]}, "msg.too_many", "POST-2"),
    ("post", {"facets": [{"start": 0, "end": 1, "type": "tag", "tag": "x"}]},
     "msg.facet_range", "FACET-6"),
    ("post", {"text": "ab", "facets": [{"start": 0, "end": 1, "type": "tag", "tag": "a",
                                        "url": "https://x.example"}]},
     "msg.facet_fields", "FACET-2"),
    ("post", {"text": "ab", "facets": [{"start": 0, "end": 2, "type": "tag", "tag": "a b"}]},
     "msg.invalid_tag", "FACET-2"),
    ("post", {"text": "abcd", "facets": [{"start": 2, "end": 4, "type": "tag", "tag": "b"},
                                          {"start": 0, "end": 2, "type": "tag", "tag": "a"}]},
     "msg.facet_order", "FACET-5"),
    ("post", {"text": "@" * 11, "facets": [
        {"start": i, "end": i + 1, "type": "mention", "account": bytes(32)} for i in range(11)]},
     "msg.too_many_mentions", "FACET-7"),
    ("post", {"text": "x", "labels": ["spam"]}, "msg.invalid_label", "LABEL-2"),
    ("post", {"text": "x", "labels": ["porn", "porn"]}, "msg.duplicate", "POST-4"),
    ("post", {"text": "x", "labels": ["com.example.cw"]}, None, None),
    ("post", {"text": "x", "reply": {"root": bytes(32)}}, "msg.missing_field", "MSG-1"),
    ("post", {"embeds": [{"type": "media", "media": {"hash": bytes(32), "mime": "image/png",
                                                     "size": 1}}]}, "msg.dimensions", "MEDIA-4"),
    ("post", {"embeds": [{"type": "media", "media": {"hash": bytes(32), "mime": "Image/PNG",
                                                     "size": 1}}]}, "msg.invalid_media_type", "MEDIA-2"),
    ("post", {"embeds": [{"type": "media", "media": {"hash": bytes(32), "mime": "audio/ogg",
                                                     "size": 0}}]}, "msg.out_of_range", "MEDIA-3"),
    ("post", {"embeds": [{"type": "card", "url": "HTTPS://example.com"}]}, "msg.invalid_url", "MSG-5"),
    ("edit", {"target": bytes(32), "replaces": bytes(32), "quote": bytes(32), "text": "x"},
     "msg.unknown_field", "MSG-1"),
    ("edit", {"target": bytes(32), "replaces": bytes(32), "langs": ["en"]}, "msg.empty_post", "EDIT-1"),
    ("profile", {}, None, None),
    ("profile", {"avatar": {"hash": bytes(32), "mime": "video/mp4", "size": 9, "width": 1,
                            "height": 1}}, "msg.invalid_media_type", "PROFILE-1"),
    ("react", {"target": bytes(32), "emoji": "\U0001F44D\u200d"}, None, None),
    ("react", {"target": bytes(32), "emoji": "+ 1"}, "msg.invalid_emoji", "REACT-1"),
    ("react", {"target": bytes(32), "emoji": ""}, "msg.too_short", "REACT-1"),
    ("follow", {"subject": ACCT}, "msg.self_reference", "GRAPH-1"),
    ("follow", {"subject": BOB, "subjects": [BOB]}, "msg.unknown_field", "MSG-1"),
    ("label", {"account": BOB, "value": "spam", "negate": False}, "msg.non_canonical_flag", "LABEL-3"),
    ("label", {"account": BOB, "value": "Spam"}, "msg.invalid_label", "LABEL-2"),
    ("label", {"value": "spam"}, "msg.subject", "LABEL-1"),
    ("label", {"account": BOB, "value": "spam", "expires": T0}, "msg.out_of_range", "LABEL-4"),
    ("report", {"account": BOB, "service": BOB, "reason": "rude"}, "msg.invalid_reason", "REPORT-1"),
    ("report", {"account": BOB, "message": bytes(32), "service": BOB, "reason": "spam"},
     "msg.subject", "REPORT-2"),
]
for kind, body, code, rule in TABLE:
    if code is None:
        m.check_body(kind, body, H)
    else:
        expect_invalid(kind, body, code, rule)
    print(f"{kind:<8} {diag(body)[:90]:<92} {code or 'valid'} {rule or ''}")

# ---------------------------------------------------------------------------
print("\n== 05 §9.4: context: undecided, then decided ==")
msg1, id1, h1 = sign("post", {"text": "first"})
msg2, id2, h2 = sign("delete", {"target": id1}, seq=2, prev=id1, time=T0 + 60000)
r = m.validate(msg2, now=T0 + 60000, authorization="unknown", known=[])
assert r == ("undecided", ["key_authorization", id1.hex()]), r
print("delete, nothing known, authorization unknown ->", r)
r = m.validate(msg2, now=T0 + 60000, authorization="authorized", known=[msg1])
assert r == ("valid", "delete", {"target": id1}), r
print("post known, authorized -> valid")
stripped1, _, _ = sign("post", {"text": "first"}, strip=True)
r = m.validate(msg2, now=T0 + 60000, authorization="authorized", known=[stripped1])
assert r[0] == "valid"
print("only the stripped remainder of the post known -> valid (headers suffice)")
# Another account's post as the target:
sk_b = nacl.signing.SigningKey(bytes([2] * 32))
msg_b, id_b, _ = sign("post", {"text": "bob"}, sk=sk_b, acct=BOB)
msg3, id3, _ = sign("delete", {"target": id_b}, seq=2, prev=id1, time=T0 + 60000)
r = m.validate(msg3, now=T0 + 60000, authorization="unknown", known=[msg_b])
assert r == ("invalid", "msg.not_own_target", "DELETE-1"), r
print("delete of another account's post, prev unknown, authorization unknown ->", r)
# time regression: seq 2 dated before seq 1
msg4, _, _ = sign("post", {"text": "late"}, seq=2, prev=id1, time=T0 - 1)
r = m.validate(msg4, now=T0, authorization="authorized", known=[msg1])
assert r == ("invalid", "msg.time_regression", "MSG-4"), r
print("seq 2 dated 1 ms before seq 1 ->", r)
# unknown kinds
for kind in ("com.example.poll", "poll"):
    mk, _, _ = sign(kind, {"anything": [1, 2, 3]})
    r = m.validate(mk, now=T0, authorization="authorized")
    assert r[0] == "valid"
    print(f"kind {kind!r} -> valid, not understood")

# ---------------------------------------------------------------------------
print("\n== 06 §5.3: operation bodies (ACCT-1, step 1 of validation) ==")
K = PUB                                   # a valid public key
Z = bytes([1]) + bytes(31)                # the neutral element: small order
I = bytes([7] * 32)                       # any 32 bytes
OPS = [
    ("genesis", {"roots": [K]}, None, None),
    ("genesis", {"roots": [K], "com.example.note": "x"}, None, None),
    ("genesis", {"label": "x", "roots": [K]}, "acct.body", "ACCT-1"),
    ("genesis", {"roots": [K, bytes(31)]}, "key.invalid_length", "ACCT-1"),
    ("genesis", {"roots": [K, K]}, "acct.key_in_use", "ACCT-3"),
    ("roots", {"after": bytes(31), "roots": [Z]}, "key.small_order", "ACCT-1"),
    ("delegate", {"app": bytes(31), "after": I, "scope": ["*"], "expires": 1},
     "acct.body", "ACCT-1"),
    ("delegate", {"app": Z, "after": I, "scope": "post", "expires": 1},
     "key.small_order", "ACCT-1"),
    ("delegate", {"app": Z, "after": I, "label": "", "scope": ["*"], "expires": 1},
     "acct.body", "ACCT-1"),
    ("delegate", {"app": K, "after": I, "scope": ["follow", "post"], "expires": 1},
     "acct.scope", "ACCT-7"),
    ("delegate", {"app": K, "after": I, "scope": ["post", "react", "follow"], "expires": 1},
     None, None),
    ("delegate", {"app": K, "after": I, "scope": ["*", "post"], "expires": 1},
     "acct.scope", "ACCT-7"),
    ("delegate", {"app": K, "after": I, "scope": ["roots"], "expires": 1},
     "acct.scope", "ACCT-7"),
    ("revoke", {"app": K, "after": I, "cutoff": {"id": I, "seq": 0}}, "acct.body", "ACCT-1"),
    ("enckey", {"key": bytes(31), "after": I, "version": 0},
     "acct.enckey_version", "ACCT-9"),
]
for kind, body, code, rule in OPS:
    if code is None:
        m.check_body(kind, body, H)
    else:
        expect_invalid(kind, body, code, rule)
    print(f"{kind:8} {'passes' if code is None else code + ' (' + rule + ')'}")
# Through validate: an operation kind is a core kind, never "valid, not understood".
bad, _, _ = sign("delegate", {"app": K, "after": I, "scope": ["follow", "post"], "expires": 1})
assert m.validate(bad, now=T0, authorization="authorized") == ("invalid", "acct.scope", "ACCT-7")
good, gid, _ = sign("genesis", {"roots": [PUB]}, acct=bytes(32))
assert m.validate(good, now=T0, authorization="authorized") == ("valid", "genesis", {"roots": [PUB]})
# A stripped operation never applied: not yet decidable (key authorization).
stripped_op, _, _ = sign("genesis", {"roots": [PUB]}, acct=bytes(32), strip=True)
assert m.validate(stripped_op, now=T0, authorization="unknown") == ("undecided", ["key_authorization"])
# An invalid operation is denied with its own code, under MSG-3.
assert m.validate(good, now=T0, authorization="acct.not_a_root") == \
    ("invalid", "acct.not_a_root", "MSG-3")
# An account whose genesis is unknown (AUTH-1) is a missing item, not a denial.
acct_item = "account:" + ACCT.hex()
assert m.validate(msg, now=T0, authorization=("unknown", acct_item)) == ("undecided", [acct_item])
assert m.validate(msg, now=T0, authorization="auth.before_delegation") == \
    ("invalid", "auth.before_delegation", "MSG-3")
print("validate: operation kinds are core kinds; denials carry MSG-3")

# ---------------------------------------------------------------------------
print("\n== appendix-cddl.cddl ==")
try:
    import pycddl  # optional: pip install pycddl (the Rust `cddl` crate)
except ImportError:
    print("pycddl not installed: CDDL parse check skipped")
else:
    import pathlib
    src = (pathlib.Path(__file__).parent.parent / "appendix-cddl.cddl").read_text()
    import re
    pycddl.Schema(src)
    # Work around two limitations of that tool (see the appendix's header): it
    # cannot apply .regexp to map keys, and it matches .regexp unanchored.
    loose = re.sub(r"(?m)^namespaced-key = .*$", "namespaced-key = tstr", src)
    loose = re.sub(r'\.regexp "([^"]*)"', lambda g: '.regexp "^(' + g.group(1) + ')$"', loose)
    pycddl.Schema("root = post-body\n" + loose).validate_cbor(post_bytes)
    print("parses; the typical post body validates against post-body")

print("\nall assertions passed")
