"""The signed message (spec 04): verification ENV-1..ENV-14 (§10)."""

import re

from . import cbor, ed25519, ids
from .cbor import CMap, is_uint
from .errors import Reject

SIG_PREFIX = b"skylark v1 message signature\x00"
MAX_53 = 2 ** 53 - 1

KIND_RE = re.compile(rb"[a-z0-9_\-]+(\.[a-z0-9_\-]+)*\Z")


def kind_ok(kind):
    """The kind grammar of 04 §8 over the octets, 1..128 octets."""
    b = kind.encode("utf-8") if isinstance(kind, str) else kind
    return 1 <= len(b) <= 128 and KIND_RE.match(b) is not None


class Header:
    """The header fields of a verified message."""

    __slots__ = ("v", "key", "seq", "acct", "body", "kind", "prev", "time", "raw")

    def __init__(self, m, raw):
        self.v = m["v"]
        self.key = m["key"]
        self.seq = m["seq"]
        self.acct = m["acct"]
        self.body = m["body"]
        self.kind = m["kind"]
        self.prev = m.get("prev")
        self.time = m["time"]
        self.raw = raw


class Message:
    """A message that layer 1 accepted (04 §10)."""

    __slots__ = ("id", "header", "header_bytes", "body", "body_bytes", "signature",
                 "stripped", "raw")

    def __init__(self, **kw):
        for k, v in kw.items():
            setattr(self, k, v)


def _fields(m, schema, required, lengths, types):
    """Steps 2..4 of the field-check order (04 §10)."""
    for k in m.keys():
        if k not in schema:
            raise Reject("env.unknown_field")
    for k in required:
        if k not in m:
            raise Reject("env.missing_field")
    for k, val in m.items():
        t = types[k]
        if t == "uint":
            ok = is_uint(val)
        elif t == "bstr":
            ok = type(val) is bytes
        elif t == "tstr":
            ok = type(val) is str
        else:
            raise AssertionError(t)
        if not ok:
            raise Reject("env.wrong_type")
        if k in lengths and len(val) != lengths[k]:
            raise Reject("env.field_length")


MSG_SCHEMA = ("b", "h", "s")
MSG_REQUIRED = ("h", "s")
MSG_TYPES = {"b": "bstr", "h": "bstr", "s": "bstr"}
MSG_LENGTHS = {"s": 64}

HDR_SCHEMA = ("v", "key", "seq", "acct", "body", "kind", "prev", "time")
HDR_REQUIRED = ("v", "key", "seq", "acct", "body", "kind", "time")
HDR_TYPES = {"v": "uint", "key": "bstr", "seq": "uint", "acct": "bstr", "body": "bstr",
             "kind": "tstr", "prev": "bstr", "time": "uint"}
HDR_LENGTHS = {"key": 32, "acct": 32, "body": 32, "prev": 32}


def verify_message(data):
    """verify_message(message_bytes) of 04 §10. Returns a Message or raises
    Reject(code, part)."""
    data = bytes(data)
    # 1. ENV-1
    if len(data) > 65536:
        raise Reject("env.too_large")
    # 2. ENV-2
    try:
        outer = cbor.decode(data)
    except Reject as e:
        raise Reject(e.code, "message")
    # 3. ENV-3
    if not isinstance(outer, CMap):
        raise Reject("env.wrong_type")
    _fields(outer, MSG_SCHEMA, MSG_REQUIRED, MSG_LENGTHS, MSG_TYPES)
    header_bytes = outer["h"]
    sig = outer["s"]
    body_bytes = outer.get("b")
    # 4. ENV-4
    try:
        hdr = cbor.decode(header_bytes)
    except Reject as e:
        raise Reject(e.code, "header")
    # 5. ENV-5 (first part)
    if not isinstance(hdr, CMap):
        raise Reject("env.wrong_type")
    # 6. ENV-6
    if "v" not in hdr:
        raise Reject("env.missing_field")
    if not is_uint(hdr["v"]):
        raise Reject("env.wrong_type")
    if hdr["v"] != 1:
        raise Reject("env.unsupported_version")
    # 7. ENV-5 (rest)
    _fields(hdr, HDR_SCHEMA, HDR_REQUIRED, HDR_LENGTHS, HDR_TYPES)
    # 8. ENV-7
    ed25519.check_key(hdr["key"], check_length=False)
    # 9. ENV-8
    if not (1 <= hdr["seq"] <= MAX_53):
        raise Reject("env.seq_out_of_range")
    # 10. ENV-9
    if hdr["seq"] > 1 and "prev" not in hdr:
        raise Reject("env.prev_missing")
    if hdr["seq"] == 1 and "prev" in hdr:
        raise Reject("env.prev_unexpected")
    # 11. ENV-10
    if hdr["time"] > MAX_53:
        raise Reject("env.time_out_of_range")
    # 12. ENV-11
    if not kind_ok(hdr["kind"]):
        raise Reject("env.invalid_kind")
    body = None
    if body_bytes is not None:
        # 13. ENV-12
        try:
            body = cbor.decode(body_bytes)
        except Reject as e:
            raise Reject(e.code, "body")
        if not isinstance(body, CMap):
            raise Reject("env.body_not_map")
        # 14. ENV-13
        if ids.body_hash(body_bytes) != hdr["body"]:
            raise Reject("env.body_hash_mismatch")
    # 15. ENV-14 (SIG-6..SIG-9; lengths were checked by ENV-3 and ENV-5)
    ed25519.verify(hdr["key"], SIG_PREFIX + header_bytes, sig, check_lengths=False)
    return Message(id=ids.message_id(header_bytes), header=Header(hdr, header_bytes),
                   header_bytes=header_bytes, body=body, body_bytes=body_bytes,
                   signature=sig, stripped=body_bytes is None, raw=data)


_cache = {}


def verify_cached(data):
    """verify_message with memoization (the same messages recur across vectors)."""
    data = bytes(data)
    hit = _cache.get(data)
    if hit is None:
        try:
            hit = verify_message(data)
        except Reject as e:
            hit = e
        _cache[data] = hit
    if isinstance(hit, Reject):
        raise Reject(hit.code, hit.part)
    return hit
