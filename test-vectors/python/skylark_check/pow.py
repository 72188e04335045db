"""Proof of work (spec 05 section 13, POW-1..POW-3): a measure of a message,
never a verdict."""

from . import ids
from .cbor import CMap

CONTEXT = "skylark v1 proof of work"
BODY_KEY = "skylark.pow"


def proof_hash(header_bytes):
    """POW-1: derive_key over the header bytes as received."""
    return ids.H(CONTEXT, header_bytes)


def difficulty(h):
    """POW-1: leading zero bits, most significant bit of the first byte first."""
    bits = 0
    for x in h:
        if x:
            return bits + 8 - x.bit_length()
        bits += 8
    return bits


def _uint(x):
    return isinstance(x, int) and not isinstance(x, bool) and x >= 0


def target(msg):
    """POW-2: the claimed target, or None (no claim; a stripped remainder claims nothing)."""
    if msg.stripped or not isinstance(msg.body, CMap):
        return None
    v = msg.body.get(BODY_KEY)
    if isinstance(v, list) and len(v) == 2 and _uint(v[0]) and _uint(v[1]) and 1 <= v[0] <= 256:
        return v[0]
    return None


def measure(msg):
    """POW-1..POW-3 as the vectors' `pow` member states them."""
    h = proof_hash(msg.header_bytes)
    d = difficulty(h)
    t = target(msg)
    return {"hash": h.hex(), "difficulty": d, "target": t,
            "work": t if t is not None and d >= t else 0}
