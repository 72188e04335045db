"""Informative Python model of Skylark layer 1, written from spec/ alone.

It exists so that every worked example and every claim in spec/ can be
re-derived by a reader. It is NOT normative: where it and the prose of
spec/01..04 disagree, the prose wins (and this file has a bug).

Dependencies: the Python standard library, plus the `blake3` package for the
identifier hashes (ID-1..3). The Ed25519 arithmetic below is plain integer
arithmetic, deliberately slow and simple, and not constant-time: never use it
to sign with a real secret key.
"""

import hashlib

# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------


class SkylarkError(Exception):
    """A rejection: `code` is the stable error code, `part` says which byte
    string a cbor.* code is about in envelope verification (None elsewhere)."""

    def __init__(self, code, part=None):
        super().__init__(code if part is None else f"{code} ({part})")
        self.code = code
        self.part = part


# ---------------------------------------------------------------------------
# Skylark CBOR (spec/01-encoding.md)
# ---------------------------------------------------------------------------

MAX_SIZE = 65536
MAX_DEPTH = 16


def cbor_decode(data):
    """Decode one Skylark-CBOR item; raise SkylarkError with the exact code."""
    data = bytes(data)
    if len(data) > MAX_SIZE:
        raise SkylarkError("cbor.too_large")
    if len(data) == 0:
        raise SkylarkError("cbor.truncated")
    value, off = _item(data, 0, 1, False)
    if off != len(data):
        raise SkylarkError("cbor.trailing_bytes")
    return value


def _item(d, off, depth, key_position):
    start = off
    if off >= len(d):
        raise SkylarkError("cbor.truncated")
    b = d[off]
    off += 1
    major, ai = b >> 5, b & 0x1F
    if key_position and major != 3:
        raise SkylarkError("cbor.map_key_not_text")
    if ai in (28, 29, 30):
        raise SkylarkError("cbor.malformed_head")
    if ai == 31:
        if major in (2, 3, 4, 5):
            raise SkylarkError("cbor.indefinite_length")
        raise SkylarkError("cbor.malformed_head")
    if major == 6:
        raise SkylarkError("cbor.tag")
    if major == 7:
        if ai == 20:
            return False, off
        if ai == 21:
            return True, off
        if ai == 22:
            raise SkylarkError("cbor.null")
        if ai == 23:
            raise SkylarkError("cbor.undefined")
        if ai in (25, 26, 27):
            raise SkylarkError("cbor.float")
        raise SkylarkError("cbor.simple_value")  # ai 0..19 or 24
    if ai < 24:
        arg = ai
    else:
        n = {24: 1, 25: 2, 26: 4, 27: 8}[ai]
        if len(d) - off < n:
            raise SkylarkError("cbor.truncated")
        arg = int.from_bytes(d[off:off + n], "big")
        off += n
        if arg < {24: 24, 25: 1 << 8, 26: 1 << 16, 27: 1 << 32}[ai]:
            raise SkylarkError("cbor.non_minimal_integer" if major in (0, 1)
                               else "cbor.non_minimal_length")
    if major == 0:
        return arg, off
    if major == 1:
        return -1 - arg, off
    if major in (2, 3):
        if arg > len(d) - off:
            raise SkylarkError("cbor.truncated")
        raw = d[off:off + arg]
        off += arg
        if major == 2:
            return raw, off
        try:
            # Python's strict UTF-8 codec rejects surrogates, overlongs and
            # code points above U+10FFFF, as RFC 3629 requires.
            return raw.decode("utf-8", errors="strict"), off
        except UnicodeDecodeError:
            raise SkylarkError("cbor.invalid_utf8") from None
    # major 4 or 5
    if depth > MAX_DEPTH:
        raise SkylarkError("cbor.depth_exceeded")
    if major == 4:
        out = []  # no pre-allocation from the claimed count
        for _ in range(arg):
            v, off = _item(d, off, depth + 1, False)
            out.append(v)
        return out, off
    out = {}
    prev_key = None
    for _ in range(arg):
        kstart = off
        k, off = _item(d, off, depth + 1, True)
        kbytes = d[kstart:off]
        if prev_key is not None:
            if kbytes == prev_key:
                raise SkylarkError("cbor.duplicate_map_key")
            if kbytes < prev_key:  # Python bytes order = bytewise lexicographic
                raise SkylarkError("cbor.map_keys_unordered")
        prev_key = kbytes
        v, off = _item(d, off, depth + 1, False)
        out[k] = v
    return out, off


def _head(major, arg):
    if arg < 24:
        return bytes([major << 5 | arg])
    for ai, n in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if arg < 1 << (8 * n):
            return bytes([major << 5 | ai]) + arg.to_bytes(n, "big")
    raise ValueError("argument out of range")


def cbor_encode(v):
    """The unique Skylark-CBOR encoding of a value of the data model."""
    if v is False:
        return b"\xf4"
    if v is True:
        return b"\xf5"
    if isinstance(v, int):
        if 0 <= v < 1 << 64:
            return _head(0, v)
        if -(1 << 64) <= v < 0:
            return _head(1, -1 - v)
        raise ValueError("integer out of range")
    if isinstance(v, (bytes, bytearray)):
        return _head(2, len(v)) + bytes(v)
    if isinstance(v, str):
        raw = v.encode("utf-8")
        return _head(3, len(raw)) + raw
    if isinstance(v, list):
        return _head(4, len(v)) + b"".join(cbor_encode(x) for x in v)
    if isinstance(v, dict):
        if not all(isinstance(k, str) for k in v):
            raise ValueError("map keys must be text")
        items = sorted((cbor_encode(k), cbor_encode(x)) for k, x in v.items())
        return _head(5, len(items)) + b"".join(k + x for k, x in items)
    raise ValueError(f"not in the Skylark data model: {type(v).__name__}")


# ---------------------------------------------------------------------------
# Identifiers (spec/02-identifiers.md)
# ---------------------------------------------------------------------------

CTX_MESSAGE_ID = "skylark v1 message id"
CTX_BODY_HASH = "skylark v1 message body"
CTX_ACCOUNT_ID = "skylark v1 account id"


def derive(context, data):
    import blake3  # third-party: pip install blake3
    return blake3.blake3(data, derive_key_context=context).digest()


B32 = "abcdefghijklmnopqrstuvwxyz234567"


def b32_len(n):
    return (8 * n + 4) // 5


def to_text(prefix, raw):
    acc = bits = 0
    out = []
    for byte in raw:
        acc = (acc << 8) | byte
        bits += 8
        while bits >= 5:
            bits -= 5
            out.append(B32[(acc >> bits) & 31])
    if bits:
        out.append(B32[(acc << (5 - bits)) & 31])
    return prefix + "_" + "".join(out)


def from_text(prefix, text, nbytes):
    """Parse `<prefix>_<b32>`; the input is handled as UTF-8 octets."""
    raw_text = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    head, sep, rest = raw_text.partition(b"_")
    if not sep or head != prefix.encode("ascii"):
        raise SkylarkError("id.wrong_prefix")
    if len(rest) != b32_len(nbytes):
        raise SkylarkError("id.invalid_length")
    vals = []
    for c in rest:
        i = B32.encode("ascii").find(bytes([c]))
        if i < 0:
            raise SkylarkError("id.invalid_character")
        vals.append(i)
    acc = 0
    for x in vals:
        acc = (acc << 5) | x
    unused = 5 * len(vals) - 8 * nbytes
    if acc & ((1 << unused) - 1):
        raise SkylarkError("id.non_canonical")
    return (acc >> unused).to_bytes(nbytes, "big")


def parse_public_key_text(text):
    """`pub_` text form: ID-4 checks, then the key rules SIG-2..SIG-4."""
    raw = from_text("pub", text, 32)
    check_public_key(raw)
    return raw


# ---------------------------------------------------------------------------
# Ed25519 validity predicate (spec/03-signatures.md)
# ---------------------------------------------------------------------------

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = (-121665 * pow(121666, P - 2, P)) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)
IDENTITY = (0, 1, 1, 0)  # extended coordinates (X, Y, Z, T)


def point_add(p1, p2):
    x1, y1, z1, t1 = p1
    x2, y2, z2, t2 = p2
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = 2 * t1 * t2 * D % P
    dd = 2 * z1 * z2 % P
    e, f, g, h = b - a, dd - c, dd + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def point_neg(pt):
    x, y, z, t = pt
    return ((-x) % P, y, z, (-t) % P)


def scalar_mult(s, pt):
    q = IDENTITY
    while s > 0:
        if s & 1:
            q = point_add(q, pt)
        pt = point_add(pt, pt)
        s >>= 1
    return q


def is_identity(pt):
    x, y, z, _ = pt
    return x % P == 0 and (y - z) % P == 0


def encode_point(pt):
    x, y, z, _ = pt
    zi = pow(z, P - 2, P)
    x, y = x * zi % P, y * zi % P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def is_canonical_encoding(b):
    """The SIG-2 byte rule (also SIG-7 for R)."""
    n = int.from_bytes(b, "little")
    y, sign = n & ((1 << 255) - 1), n >> 255
    if y >= P:
        return False
    if y in (1, P - 1) and sign == 1:
        return False
    return True


def decode_point(b):
    """RFC 8032 section 5.1.3 decoding; None on failure."""
    n = int.from_bytes(b, "little")
    y, x0 = n & ((1 << 255) - 1), n >> 255
    if y >= P:
        return None
    u = (y * y - 1) % P
    v = (D * y * y + 1) % P
    x = u * pow(v, 3, P) * pow(u * pow(v, 7, P), (P - 5) // 8, P) % P
    if v * x * x % P == u:
        pass
    elif v * x * x % P == (-u) % P:
        x = x * SQRT_M1 % P
    else:
        return None
    if x == 0 and x0 == 1:
        return None
    if x & 1 != x0:
        x = P - x
    return (x, y, 1, x * y % P)


GY = 4 * pow(5, P - 2, P) % P
BASE = decode_point(GY.to_bytes(32, "little"))


def check_public_key(a_bytes):
    """SIG-1..SIG-4; returns the decoded point."""
    if len(a_bytes) != 32:
        raise SkylarkError("key.invalid_length")
    if not is_canonical_encoding(a_bytes):
        raise SkylarkError("key.non_canonical")
    a = decode_point(a_bytes)
    if a is None:
        raise SkylarkError("key.not_on_curve")
    if is_identity(scalar_mult(8, a)):
        raise SkylarkError("key.small_order")
    return a


def check_signature(a_bytes, a_point, msg, sig):
    """SIG-5..SIG-9 for a key that already passed SIG-1..SIG-4."""
    if len(sig) != 64:
        raise SkylarkError("sig.invalid_length")
    r_bytes, s_bytes = sig[:32], sig[32:]
    s = int.from_bytes(s_bytes, "little")
    if s >= L:
        raise SkylarkError("sig.non_canonical_s")
    if not is_canonical_encoding(r_bytes):
        raise SkylarkError("sig.non_canonical_r")
    r = decode_point(r_bytes)
    if r is None:
        raise SkylarkError("sig.r_not_on_curve")
    k = int.from_bytes(hashlib.sha512(r_bytes + a_bytes + msg).digest(), "little") % L
    lhs = point_add(point_add(scalar_mult(s, BASE), point_neg(r)),
                    point_neg(scalar_mult(k, a_point)))
    if not is_identity(scalar_mult(8, lhs)):
        raise SkylarkError("sig.mismatch")


def verify(a_bytes, msg, sig):
    """The Skylark validity predicate; returns None or raises SkylarkError."""
    a = check_public_key(bytes(a_bytes))
    check_signature(bytes(a_bytes), a, bytes(msg), bytes(sig))


# ---------------------------------------------------------------------------
# Envelope (spec/04-envelope.md)
# ---------------------------------------------------------------------------

SIG_CONTEXT_MESSAGE = b"skylark v1 message signature\x00"
MAX_SAFE = 2**53 - 1

# (name, type, byte length or None, required) in encoded key order
MESSAGE_SCHEMA = [("b", "bstr", None, False), ("h", "bstr", None, True),
                  ("s", "bstr", 64, True)]
HEADER_SCHEMA = [("v", "uint", None, True), ("key", "bstr", 32, True),
                 ("seq", "uint", None, True), ("acct", "bstr", 32, True),
                 ("body", "bstr", 32, True), ("kind", "text", None, True),
                 ("prev", "bstr", 32, False), ("time", "uint", None, True)]


def _check_fields(item, schema):
    if not isinstance(item, dict):
        raise SkylarkError("env.wrong_type")
    known = {name for name, _, _, _ in schema}
    for k in item:  # decoded dict preserves encoded (= canonical) order
        if k not in known:
            raise SkylarkError("env.unknown_field")
    for name, _, _, required in schema:
        if required and name not in item:
            raise SkylarkError("env.missing_field")
    for name, typ, size, _ in schema:
        if name not in item:
            continue
        v = item[name]
        ok = {"bstr": isinstance(v, bytes),
              "text": isinstance(v, str),
              "uint": isinstance(v, int) and not isinstance(v, bool) and v >= 0}[typ]
        if not ok:
            raise SkylarkError("env.wrong_type")
        if size is not None and len(v) != size:
            raise SkylarkError("env.field_length")


def _valid_kind(kind):
    raw = kind.encode("utf-8")
    if not 1 <= len(raw) <= 128:
        return False
    allowed = set(b"abcdefghijklmnopqrstuvwxyz0123456789_-")
    return all(seg and all(c in allowed for c in seg) for seg in raw.split(b"."))


def verify_message(msg):
    """ENV-1..ENV-14. Returns (message id, header dict, body or None)."""
    msg = bytes(msg)
    if len(msg) > MAX_SIZE:
        raise SkylarkError("env.too_large")
    try:
        outer = cbor_decode(msg)
    except SkylarkError as e:
        raise SkylarkError(e.code, "message") from None
    _check_fields(outer, MESSAGE_SCHEMA)
    hb = outer["h"]
    try:
        header = cbor_decode(hb)
    except SkylarkError as e:
        raise SkylarkError(e.code, "header") from None
    # ENV-5 (first part), then ENV-6 before the rest of ENV-5.
    if not isinstance(header, dict):
        raise SkylarkError("env.wrong_type")
    if "v" not in header:
        raise SkylarkError("env.missing_field")
    v = header["v"]
    if not (isinstance(v, int) and not isinstance(v, bool) and v >= 0):
        raise SkylarkError("env.wrong_type")
    if v != 1:
        raise SkylarkError("env.unsupported_version")
    _check_fields(header, HEADER_SCHEMA)
    a = check_public_key(header["key"])
    if not 1 <= header["seq"] <= MAX_SAFE:
        raise SkylarkError("env.seq_out_of_range")
    if header["seq"] > 1 and "prev" not in header:
        raise SkylarkError("env.prev_missing")
    if header["seq"] == 1 and "prev" in header:
        raise SkylarkError("env.prev_unexpected")
    if header["time"] > MAX_SAFE:
        raise SkylarkError("env.time_out_of_range")
    if not _valid_kind(header["kind"]):
        raise SkylarkError("env.invalid_kind")
    body = None
    if "b" in outer:
        try:
            body = cbor_decode(outer["b"])
        except SkylarkError as e:
            raise SkylarkError(e.code, "body") from None
        if not isinstance(body, dict):
            raise SkylarkError("env.body_not_map")
        if derive(CTX_BODY_HASH, outer["b"]) != header["body"]:
            raise SkylarkError("env.body_hash_mismatch")
    check_signature(header["key"], a, SIG_CONTEXT_MESSAGE + hb, outer["s"])
    return derive(CTX_MESSAGE_ID, hb), header, body
