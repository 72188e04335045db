"""Skylark CBOR (spec 01): the strict decoding algorithm of §4, the encoding of
§6 and RFC 8949 §8 diagnostic notation (as used by the test vectors).

Decoded values:

| model            | Python                                   |
|------------------|------------------------------------------|
| integer          | int (never bool)                         |
| byte string      | bytes                                    |
| text string      | str                                      |
| array            | list                                     |
| map              | CMap (entries in encoded key order)      |
| false, true      | bool                                     |

The decoder is written over raw bytes; it does not use any CBOR library.
"""

import json

from .errors import Reject

MAX_SIZE = 65536
MAX_DEPTH = 16


class CMap:
    """A decoded map: entries kept in the order met in the input (which a
    successful decode guarantees is the canonical order), plus a dict."""

    __slots__ = ("entries", "d")

    def __init__(self, entries=()):
        self.entries = list(entries)
        self.d = dict(self.entries)

    def keys(self):
        return [k for k, _ in self.entries]

    def items(self):
        return list(self.entries)

    def __contains__(self, k):
        return k in self.d

    def __getitem__(self, k):
        return self.d[k]

    def get(self, k, default=None):
        return self.d.get(k, default)

    def __len__(self):
        return len(self.entries)

    def __eq__(self, other):
        return isinstance(other, CMap) and self.d == other.d

    def __repr__(self):
        return "CMap(%r)" % (self.entries,)


def is_uint(v):
    return type(v) is int and v >= 0


# ---------------------------------------------------------------------------
# UTF-8 (RFC 3629), written out rather than delegated, so that the verdict is
# visibly the one of 01 §4 step i.

def utf8_valid(b):
    i = 0
    n = len(b)
    while i < n:
        c = b[i]
        if c < 0x80:
            i += 1
            continue
        if 0xC2 <= c <= 0xDF:
            need, lo, hi = 1, 0x80, 0xBF
        elif c == 0xE0:
            need, lo, hi = 2, 0xA0, 0xBF          # no overlong 3-byte forms
        elif 0xE1 <= c <= 0xEC or 0xEE <= c <= 0xEF:
            need, lo, hi = 2, 0x80, 0xBF
        elif c == 0xED:
            need, lo, hi = 2, 0x80, 0x9F          # no surrogates D800..DFFF
        elif c == 0xF0:
            need, lo, hi = 3, 0x90, 0xBF          # no overlong 4-byte forms
        elif 0xF1 <= c <= 0xF3:
            need, lo, hi = 3, 0x80, 0xBF
        elif c == 0xF4:
            need, lo, hi = 3, 0x80, 0x8F          # nothing above U+10FFFF
        else:
            return False                          # 80..C1, F5..FF
        if i + need >= n:                         # sequence cut short
            return False
        second = b[i + 1]
        if not (lo <= second <= hi):
            return False
        for j in range(2, need + 1):
            if not (0x80 <= b[i + j] <= 0xBF):
                return False
        i += need + 1
    return True


# ---------------------------------------------------------------------------
# Decoding (01 §4)

class _Decoder:
    __slots__ = ("buf", "pos", "n")

    def __init__(self, buf):
        self.buf = buf
        self.pos = 0
        self.n = len(buf)

    def item(self, depth, key_position):
        buf = self.buf
        # a.
        if self.pos >= self.n:
            raise Reject("cbor.truncated")
        b = buf[self.pos]
        self.pos += 1
        major = b >> 5
        ai = b & 0x1F
        # b.
        if key_position and major != 3:
            raise Reject("cbor.map_key_not_text")
        # c.
        if ai in (28, 29, 30):
            raise Reject("cbor.malformed_head")
        # d.
        if ai == 31:
            if major in (2, 3, 4, 5):
                raise Reject("cbor.indefinite_length")
            raise Reject("cbor.malformed_head")
        # e.
        if major == 6:
            raise Reject("cbor.tag")
        # f.
        if major == 7:
            if ai == 20:
                return False
            if ai == 21:
                return True
            if ai == 22:
                raise Reject("cbor.null")
            if ai == 23:
                raise Reject("cbor.undefined")
            if ai in (25, 26, 27):
                raise Reject("cbor.float")
            raise Reject("cbor.simple_value")  # 0..19, 24
        # g.
        if ai < 24:
            arg = ai
        else:
            width = {24: 1, 25: 2, 26: 4, 27: 8}[ai]
            if self.n - self.pos < width:
                raise Reject("cbor.truncated")
            arg = int.from_bytes(buf[self.pos:self.pos + width], "big")
            self.pos += width
            # h.
            if (ai == 24 and arg < 24) or (ai == 25 and arg < 1 << 8) or \
               (ai == 26 and arg < 1 << 16) or (ai == 27 and arg < 1 << 32):
                raise Reject("cbor.non_minimal_integer" if major in (0, 1)
                             else "cbor.non_minimal_length")
        # i.
        if major == 0:
            return arg
        if major == 1:
            return -1 - arg
        if major in (2, 3):
            if arg > self.n - self.pos:
                raise Reject("cbor.truncated")
            content = bytes(buf[self.pos:self.pos + arg])
            self.pos += arg
            if major == 2:
                return content
            if not utf8_valid(content):
                raise Reject("cbor.invalid_utf8")
            return content.decode("utf-8")
        # j.
        if depth > MAX_DEPTH:
            raise Reject("cbor.depth_exceeded")
        if major == 4:
            out = []
            for _ in range(arg):
                out.append(self.item(depth + 1, False))
            return out
        # major == 5
        entries = []
        prev_key_bytes = None
        for _ in range(arg):
            start = self.pos
            key = self.item(depth + 1, True)
            key_bytes = bytes(buf[start:self.pos])
            if prev_key_bytes is not None:
                if key_bytes == prev_key_bytes:
                    raise Reject("cbor.duplicate_map_key")
                if key_bytes < prev_key_bytes:
                    raise Reject("cbor.map_keys_unordered")
            prev_key_bytes = key_bytes
            value = self.item(depth + 1, False)
            entries.append((key, value))
        return CMap(entries)


def decode(data):
    """decode(input) of 01 §4: the value, or raise Reject(code)."""
    data = bytes(data)
    # 0.
    if len(data) > MAX_SIZE:
        raise Reject("cbor.too_large")
    if len(data) == 0:
        raise Reject("cbor.truncated")
    # 1.
    dec = _Decoder(data)
    value = dec.item(1, False)
    if dec.pos != dec.n:
        raise Reject("cbor.trailing_bytes")
    return value


# ---------------------------------------------------------------------------
# Encoding (01 §6)

def head(major, arg):
    if arg < 24:
        return bytes([(major << 5) | arg])
    if arg < 1 << 8:
        return bytes([(major << 5) | 24, arg])
    if arg < 1 << 16:
        return bytes([(major << 5) | 25]) + arg.to_bytes(2, "big")
    if arg < 1 << 32:
        return bytes([(major << 5) | 26]) + arg.to_bytes(4, "big")
    if arg < 1 << 64:
        return bytes([(major << 5) | 27]) + arg.to_bytes(8, "big")
    raise ValueError("argument out of range: %r" % (arg,))


def encode(v):
    if v is False:
        return b"\xf4"
    if v is True:
        return b"\xf5"
    if type(v) is int:
        return head(0, v) if v >= 0 else head(1, -1 - v)
    if isinstance(v, (bytes, bytearray)):
        return head(2, len(v)) + bytes(v)
    if isinstance(v, str):
        u = v.encode("utf-8")
        return head(3, len(u)) + u
    if isinstance(v, (list, tuple)):
        return head(4, len(v)) + b"".join(encode(x) for x in v)
    if isinstance(v, CMap):
        pairs = v.entries
    elif isinstance(v, dict):
        pairs = list(v.items())
    else:
        raise TypeError("not a Skylark CBOR value: %r" % (v,))
    enc = []
    for k, val in pairs:
        if not isinstance(k, str):
            raise TypeError("map key not text: %r" % (k,))
        enc.append((encode(k), encode(val)))
    enc.sort(key=lambda kv: kv[0])
    for a, b in zip(enc, enc[1:]):
        if a[0] == b[0]:
            raise ValueError("duplicate key")
    return head(5, len(enc)) + b"".join(k + val for k, val in enc)


def text_key(s):
    """Canonical order of text strings (their encodings): shorter UTF-8 first,
    then bytewise."""
    u = s.encode("utf-8")
    return (len(u), u)


# ---------------------------------------------------------------------------
# Diagnostic notation (as the vectors' `diag`): decimal integers, h'..' byte
# strings, JSON-quoted text, [a, b], {"k": v} in encoded key order.

def diag(v):
    if v is False:
        return "false"
    if v is True:
        return "true"
    if v is None:
        return "null"
    if type(v) is int:
        return str(v)
    if isinstance(v, (bytes, bytearray)):
        return "h'" + bytes(v).hex() + "'"
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(diag(x) for x in v) + "]"
    if isinstance(v, CMap):
        pairs = v.entries
    elif isinstance(v, dict):
        pairs = sorted(v.items(), key=lambda kv: encode(kv[0]))
    else:
        raise TypeError(repr(v))
    return "{" + ", ".join(diag(k) + ": " + diag(x) for k, x in pairs) + "}"
