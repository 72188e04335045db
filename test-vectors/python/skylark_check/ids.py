"""Identifiers (spec 02): BLAKE3 derive_key hashes (ID-1..ID-3) and the text
forms of ID-4."""

import blake3

from .errors import Reject

CTX_MESSAGE_ID = "skylark v1 message id"
CTX_BODY = "skylark v1 message body"
CTX_ACCOUNT_ID = "skylark v1 account id"
CTX_STATE_DIGEST = "skylark v1 state digest"   # 07 §6.3 (layer 4)


def H(context, data):
    """derive_key(context, input), 32 bytes (02 §2)."""
    return blake3.blake3(bytes(data), derive_key_context=context).digest()


def message_id(header_bytes):
    return H(CTX_MESSAGE_ID, header_bytes)


def body_hash(body_bytes):
    return H(CTX_BODY, body_bytes)


def account_id(genesis_header_bytes):
    return H(CTX_ACCOUNT_ID, genesis_header_bytes)


ALPHABET = b"abcdefghijklmnopqrstuvwxyz234567"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}

PREFIXES = {
    "account_id": ("acct", 32),
    "message_id": ("msg", 32),
    "public_key": ("pub", 32),
    "signature": ("sig", 64),
}


def b32(data):
    bits = int.from_bytes(data, "big")
    nbits = 8 * len(data)
    nchars = (nbits + 4) // 5
    bits <<= 5 * nchars - nbits
    out = bytearray()
    for i in range(nchars - 1, -1, -1):
        out.append(ALPHABET[(bits >> (5 * i)) & 31])
    return out.decode("ascii")


def text_form(prefix, data):
    return prefix + "_" + b32(data)


def msg_text(mid):
    return text_form("msg", mid)


def acct_text(aid):
    return text_form("acct", aid)


def parse_text(text, prefix, n):
    """ID-4 parsing (02 §6), steps 1..5. `text` is a str or bytes; it is handled
    as octets. Returns the n bytes or raises Reject."""
    if isinstance(text, str):
        t = text.encode("utf-8", "surrogatepass")
    else:
        t = bytes(text)
    # 1. prefix
    us = t.find(b"_")
    if us < 0 or t[:us] != prefix.encode("ascii"):
        raise Reject("id.wrong_prefix")
    r = t[us + 1:]
    # 2. length
    want = {32: 52, 64: 103}[n]
    if len(r) != want:
        raise Reject("id.invalid_length")
    # 3. characters
    for c in r:
        if c not in _VALUE:
            raise Reject("id.invalid_character")
    # 4. trailing bits
    acc = 0
    for c in r:
        acc = (acc << 5) | _VALUE[c]
    spare = 5 * len(r) - 8 * n
    if acc & ((1 << spare) - 1):
        raise Reject("id.non_canonical")
    # 5. value
    return (acc >> spare).to_bytes(n, "big")
