"""Reproduce every worked example in spec/ (informative).

Requirements: Python 3.8+ and exactly three third-party packages:

    pip install cbor2 blake3 pynacl

- pynacl (libsodium) signs and derives the public key (RFC 8032 Ed25519);
- blake3 computes the ID-1 / ID-2 hashes in derive_key mode;
- cbor2 is used ONLY as an independent cross-check of the diagnostic
  notation; the canonical bytes are built by skylark_ref.cbor_encode, whose
  output is asserted byte-for-byte below.

Run:  python3 make_examples.py      (prints all values; exits non-zero on any
                                      failed assertion)
"""

import cbor2
import nacl.signing

import skylark_ref as s


def hx(b):
    return b.hex()


def diag(v):
    """RFC 8949 section 8 diagnostic notation for the Skylark data model."""
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, bytes):
        return "h'" + v.hex() + "'"
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, list):
        return "[" + ", ".join(diag(x) for x in v) + "]"
    if isinstance(v, dict):
        items = sorted(v.items(), key=lambda kv: s.cbor_encode(kv[0]))
        return "{" + ", ".join(diag(k) + ": " + diag(x) for k, x in items) + "}"
    raise TypeError(type(v))


def expect_error(data, code, fn=s.cbor_decode, part=None):
    try:
        fn(data)
    except s.SkylarkError as e:
        assert e.code == code, (hx(data) if isinstance(data, bytes) else data, e.code, code)
        assert e.part == part, (e.part, part)
        return
    raise AssertionError(f"accepted, expected {code}")


# ---------------------------------------------------------------------------
print("== 01-encoding: valid encodings ==")
VALID = [
    (0, "00"), (23, "17"), (24, "1818"), (255, "18ff"), (256, "190100"),
    (65535, "19ffff"), (65536, "1a00010000"), (2**32, "1b0000000100000000"),
    (2**64 - 1, "1bffffffffffffffff"), (-1, "20"), (-24, "37"), (-25, "3818"),
    (-(2**64), "3bffffffffffffffff"), (b"", "40"), (b"\x01\x02", "420102"),
    ("", "60"), ("a", "6161"), ("\u00fc", "62c3bc"), ("e\u0301", "6365cc81"), ([], "80"),
    ([1, [2, 3]], "8201820203"), ({}, "a0"), (False, "f4"), (True, "f5"),
    ({"a": 1, "b": 2, "aa": 3}, "a3616101616202626161 03".replace(" ", "")),
    ({"kind": "x", "v": 1, "key": b""}, "a3617601636b657940646b696e646178"),
]
for value, h in VALID:
    enc = s.cbor_encode(value)
    assert hx(enc) == h, (value, hx(enc), h)
    assert s.cbor_decode(enc) == value
    assert s.cbor_encode(s.cbor_decode(enc)) == enc
    assert cbor2.loads(enc) == value
    print(f"{diag(value):<40} {h}")

# depth: 16 nested arrays accepted, 17 rejected; a scalar in a depth-16 array is fine
ok16 = bytes([0x81] * 15 + [0x80])
ok16s = bytes([0x81] * 16 + [0x00])
bad17 = bytes([0x81] * 16 + [0x80])
s.cbor_decode(ok16)
s.cbor_decode(ok16s)

print("\n== 01-encoding: rejected inputs (first failure wins) ==")
INVALID = [
    ("", "cbor.truncated"),
    ("0000", "cbor.trailing_bytes"),
    ("18", "cbor.truncated"),
    ("1900", "cbor.truncated"),
    ("62 61", "cbor.truncated"),
    ("5affffffff", "cbor.truncated"),
    ("9affffffff", "cbor.truncated"),
    ("1c", "cbor.malformed_head"),
    ("ff", "cbor.malformed_head"),
    ("1f", "cbor.malformed_head"),
    ("df", "cbor.malformed_head"),
    ("dc", "cbor.malformed_head"),
    ("5f", "cbor.indefinite_length"),
    ("9fff", "cbor.indefinite_length"),
    ("bf", "cbor.indefinite_length"),
    ("1817", "cbor.non_minimal_integer"),
    ("1900ff", "cbor.non_minimal_integer"),
    ("1a0000ffff", "cbor.non_minimal_integer"),
    ("1b00000000ffffffff", "cbor.non_minimal_integer"),
    ("3800", "cbor.non_minimal_integer"),
    ("5801 00", "cbor.non_minimal_length"),
    ("780161", "cbor.non_minimal_length"),
    ("9800", "cbor.non_minimal_length"),
    ("b900 00", "cbor.non_minimal_length"),
    ("62c328", "cbor.invalid_utf8"),
    ("62c0af", "cbor.invalid_utf8"),
    ("63eda080", "cbor.invalid_utf8"),
    ("64f4908080", "cbor.invalid_utf8"),
    ("f93c00", "cbor.float"),
    ("fa3f800000", "cbor.float"),
    ("fb3ff0000000000000", "cbor.float"),
    ("f9", "cbor.float"),
    ("c0", "cbor.tag"),
    ("d82a", "cbor.tag"),
    ("c1", "cbor.tag"),
    ("f6", "cbor.null"),
    ("f7", "cbor.undefined"),
    ("f0", "cbor.simple_value"),
    ("f8ff", "cbor.simple_value"),
    ("f8", "cbor.simple_value"),
    ("a10000", "cbor.map_key_not_text"),
    ("a1f600", "cbor.map_key_not_text"),
    ("a1ff", "cbor.map_key_not_text"),
    ("a17f", "cbor.indefinite_length"),
    (hx(bad17), "cbor.depth_exceeded"),
    ("a2616100616100", "cbor.duplicate_map_key"),
    ("a2616200616100", "cbor.map_keys_unordered"),
    ("a262616100616200", "cbor.map_keys_unordered"),
    ("a26162f6616100", "cbor.null"),
]
for h, code in INVALID:
    data = bytes.fromhex(h.replace(" ", ""))
    expect_error(data, code)
    print(f"{h.replace(' ', ''):<36} {code}")
expect_error(b"\x00" * 65537, "cbor.too_large")
expect_error(b"\x00" * 65536, "cbor.trailing_bytes")  # size itself is fine
print("65537 bytes of 00                    cbor.too_large")
print("65536 bytes of 00                    cbor.trailing_bytes")

# ---------------------------------------------------------------------------
print("\n== 02-identifiers ==")
for ctx in (s.CTX_MESSAGE_ID, s.CTX_BODY_HASH, s.CTX_ACCOUNT_ID):
    print(f"derive_key({ctx!r}, b'') = {hx(s.derive(ctx, b''))}")
# cross-check the encoder against the standard library's RFC 4648 base32
import base64  # noqa: E402
for raw in (bytes([7] * 32), bytes(range(64)), b"\xff" * 64):
    std = base64.b32encode(raw).decode("ascii").lower().rstrip("=")
    assert s.to_text("x", raw) == "x_" + std
print("text form of 32 bytes of 0x07:", s.to_text("msg", bytes([7] * 32)))
for prefix, n in (("msg", 32), ("acct", 32), ("pub", 32), ("sig", 64)):
    zero, ones = s.to_text(prefix, bytes(n)), s.to_text(prefix, b"\xff" * n)
    assert len(zero) - len(prefix) - 1 == s.b32_len(n)
    assert s.from_text(prefix, zero, n) == bytes(n) and s.from_text(prefix, ones, n) == b"\xff" * n
    print(f"{prefix}: {n} bytes -> {s.b32_len(n)} chars; all-zero {zero}; all-ff {ones}")

# ---------------------------------------------------------------------------
print("\n== 03-signatures: signing input prefix ==")
assert len(s.SIG_CONTEXT_MESSAGE) == 29
print(hx(s.SIG_CONTEXT_MESSAGE))

# ---------------------------------------------------------------------------
print("\n== 04-envelope: the example message ==")
seed = bytes([0x01] * 32)
sk = nacl.signing.SigningKey(seed)
pub = bytes(sk.verify_key)
acct = bytes([0xAA] * 32)
body_value = {"text": "hello, world"}
body_bytes = s.cbor_encode(body_value)
body_hash = s.derive(s.CTX_BODY_HASH, body_bytes)
header_value = {"v": 1, "key": pub, "seq": 1, "acct": acct, "body": body_hash,
                "kind": "post", "time": 1764115200000}
header_bytes = s.cbor_encode(header_value)
assert cbor2.dumps(header_value, canonical=True) == header_bytes
assert cbor2.dumps(body_value, canonical=True) == body_bytes
signing_input = s.SIG_CONTEXT_MESSAGE + header_bytes
sig = sk.sign(signing_input).signature
nacl.signing.VerifyKey(pub).verify(signing_input, sig)
s.verify(pub, signing_input, sig)
message = s.cbor_encode({"b": body_bytes, "h": header_bytes, "s": sig})
mid, hdr, body = s.verify_message(message)
assert hdr == header_value and body == body_value
assert mid == s.derive(s.CTX_MESSAGE_ID, header_bytes)

print("secret seed    ", hx(seed))
print("public key     ", hx(pub))
print("public key text", s.to_text("pub", pub))
print("account id     ", hx(acct))
print("account text   ", s.to_text("acct", acct))
print("body diag      ", diag(body_value))
print("body bytes     ", hx(body_bytes), f"({len(body_bytes)} bytes)")
print("body hash      ", hx(body_hash))
print("header diag    ", diag(header_value))
print("header bytes   ", hx(header_bytes), f"({len(header_bytes)} bytes)")
print("signing input  ", hx(signing_input), f"({len(signing_input)} bytes)")
print("signature      ", hx(sig))
print("signature text ", s.to_text("sig", sig))
print("message bytes  ", hx(message), f"({len(message)} bytes)")
print("message id     ", hx(mid))
print("message id text", s.to_text("msg", mid))

print("\n== 04-envelope: the stripped remainder of the example ==")
stripped = s.cbor_encode({"h": header_bytes, "s": sig})
mid2, _, body2 = s.verify_message(stripped)
assert mid2 == mid and body2 is None
print("stripped bytes ", hx(stripped), f"({len(stripped)} bytes)")
print("stripped id    ", hx(mid2))

print("\n== 04-envelope: the next message of the same key ==")
body2_value = {"text": "second"}
body2_bytes = s.cbor_encode(body2_value)
header2_value = {"v": 1, "key": pub, "seq": 2, "acct": acct,
                 "body": s.derive(s.CTX_BODY_HASH, body2_bytes), "kind": "post",
                 "prev": mid, "time": 1764115260000}
header2_bytes = s.cbor_encode(header2_value)
sig2 = sk.sign(s.SIG_CONTEXT_MESSAGE + header2_bytes).signature
message2 = s.cbor_encode({"b": body2_bytes, "h": header2_bytes, "s": sig2})
mid3, _, _ = s.verify_message(message2)
print("header 2 diag  ", diag(header2_value))
print("header 2 bytes ", hx(header2_bytes))
print("message 2 bytes", hx(message2))
print("message 2 id   ", hx(mid3), s.to_text("msg", mid3))


print("\n== 02-identifiers: text forms of the example and rejected texts ==")
good = s.to_text("msg", mid)
cases = [
    ("msg", good, None),
    ("acct", good, "id.wrong_prefix"),
    ("msg", good.replace("_", ""), "id.wrong_prefix"),
    ("msg", "MSG_" + good[4:], "id.wrong_prefix"),
    ("msg", good[:-1], "id.invalid_length"),
    ("msg", good + "====", "id.invalid_length"),
    ("msg", good[:-1] + "=", "id.invalid_character"),
    ("msg", good[:4] + good[4:].upper(), "id.invalid_character"),
    ("msg", good[:-1] + "1", "id.invalid_character"),
    ("msg", good[:-1] + "r", "id.non_canonical"),
    ("msg", good[:-1] + "\u00e9", "id.invalid_length"),  # 53 octets: lengths count octets (02 §6)
    ("sig", s.to_text("sig", sig)[:-1] + "z", "id.non_canonical"),
]
for prefix, text, code in cases:
    n = 64 if prefix == "sig" else 32
    if code is None:
        assert s.from_text(prefix, text, n) == mid
    else:
        expect_error(text, code, lambda t, p=prefix, n=n: s.from_text(p, t, n))
    print(f"parse as {prefix:<4} {text!r:<62} {code or 'ok'}")
expect_error("pub_" + s.to_text("x", bytes.fromhex("01" + "00" * 31))[2:], "key.small_order", s.parse_public_key_text)
expect_error("pub_" + s.to_text("x", bytes.fromhex("ec" + "ff" * 31))[2:], "key.non_canonical", s.parse_public_key_text)
assert s.parse_public_key_text(s.to_text("pub", pub)) == pub
print("pub_ text of 0100..00 (identity):", s.to_text("pub", bytes.fromhex("01" + "00" * 31)), "-> key.small_order")
print("pub_ text of ecff..ff (x = -0):  ", s.to_text("pub", bytes.fromhex("ec" + "ff" * 31)), "-> key.non_canonical")

print("\n== 04-envelope: derived rejections ==")


def msg_with(outer):
    return s.cbor_encode(outer)


def hdr_msg(hv, body=body_bytes, signature=sig):
    return msg_with({"b": body, "h": s.cbor_encode(hv), "s": signature})


CASES = [
    ("extra outer entry `\"x\": 0`", msg_with({"b": body_bytes, "h": header_bytes, "s": sig, "x": 0}), "env.unknown_field", None),
    ("`\"s\"` removed", msg_with({"b": body_bytes, "h": header_bytes}), "env.missing_field", None),
    ("`\"s\"` cut to 63 bytes (stripped message)", msg_with({"h": header_bytes, "s": sig[:63]}), "env.field_length", None),
    ("`\"h\"` replaced by the text `\"x\"` (stripped message)", msg_with({"h": "x", "s": sig}), "env.wrong_type", None),
    ("`\"h\"` replaced by `h''` (stripped message)", msg_with({"h": b"", "s": sig}), "cbor.truncated", "header"),
    ("outer item is the array `[b, h, s]`", s.cbor_encode([body_bytes, header_bytes, sig]), "env.wrong_type", None),
    ("header `\"v\": 2`", hdr_msg({**header_value, "v": 2}), "env.unsupported_version", None),
    ("header `\"seq\": 0`", hdr_msg({**header_value, "seq": 0}), "env.seq_out_of_range", None),
    ("header `\"seq\": 2`, no `\"prev\"`", hdr_msg({**header_value, "seq": 2}), "env.prev_missing", None),
    ("header `\"seq\": 1` with `\"prev\"`", hdr_msg({**header_value, "prev": mid}), "env.prev_unexpected", None),
    ("header `\"time\": 9007199254740992` (2^53)", hdr_msg({**header_value, "time": 2**53}), "env.time_out_of_range", None),
    ("header `\"kind\": \"Post\"`", hdr_msg({**header_value, "kind": "Post"}), "env.invalid_kind", None),
    ("header `\"key\"` = `0100…00` (the identity point)", hdr_msg({**header_value, "key": bytes.fromhex("01" + "00" * 31)}), "key.small_order", None),
    ("header `\"key\"` cut to 31 bytes and `\"kind\": 0`", hdr_msg({**header_value, "key": pub[:31], "kind": 0}), "env.field_length", None),
    ("`\"b\"` = `81 01` (the array `[1]`)", msg_with({"b": s.cbor_encode([1]), "h": header_bytes, "s": sig}), "env.body_not_map", None),
    ("`\"b\"` = `a1 64 74 65 78 74 f9 3c 00` (`{\"text\": 1.0}`)", msg_with({"b": bytes.fromhex("a16474657874f93c00"), "h": header_bytes, "s": sig}), "cbor.float", "body"),
    ("`\"b\"` = encoding of `{\"text\": \"hello, World\"}`", msg_with({"b": s.cbor_encode({"text": "hello, World"}), "h": header_bytes, "s": sig}), "env.body_hash_mismatch", None),
    ("header `\"time\": 1764115200001`", hdr_msg({**header_value, "time": 1764115200001}), "sig.mismatch", None),
    ("signature S replaced by S + L", msg_with({"b": body_bytes, "h": header_bytes, "s": sig[:32] + (int.from_bytes(sig[32:], "little") + s.L).to_bytes(32, "little")}), "sig.non_canonical_s", None),
]
for label, data, code, part in CASES:
    expect_error(data, code, s.verify_message, part)
    print(f"{label:<70} {code}{'' if part is None else ' (part ' + part + ')'}")

print("\nall assertions passed")
