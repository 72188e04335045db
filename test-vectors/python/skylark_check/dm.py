"""Sealed direct messages (spec 08): sealing, opening (DM-1..DM-9), prekeys (DM-10), from the text.

X25519 and XChaCha20-Poly1305 are libsodium's (PyNaCl bindings); BLAKE3 derive_key is the blake3
package. libsodium's crypto_scalarmult itself refuses an all-zero result (it returns an error),
which is the contributory check of DM-3; this module also tests the output for zero explicitly.
"""

import nacl.bindings as sodium
import nacl.exceptions

from . import envelope, ids
from .cbor import CMap, is_uint
from .errors import Reject

VERSION = 1
BUCKETS = (512, 2048, 8192, 32768, 65536)
HEADER = 35
AUTH = 16
SEALED_LENGTHS = tuple(HEADER + b + AUTH for b in BUCKETS)
MAX_INNER = 65532
MAX_RECIPIENTS = 8
MAX_LIFETIME = 30 * 24 * 60 * 60 * 1000
MAX_53 = 2 ** 53 - 1


def H(context, data):
    return ids.H(context, data)


def public(secret):
    return sodium.crypto_scalarmult_base(secret)


def x25519(secret, u):
    """X25519(secret, u), or None for the all-zero result (DM-3)."""
    try:
        out = sodium.crypto_scalarmult(secret, u)
    except nacl.exceptions.RuntimeError:
        return None           # libsodium refuses an all-zero output
    return None if out == bytes(32) else out


def tag(r):
    return H("skylark v1 dm mailbox", r)[:2]


def derive(shared, e_pub, r):
    ikm = shared + e_pub + r
    return ikm, H("skylark v1 dm key", ikm), H("skylark v1 dm nonce", ikm)[:24]


def bucket(n):
    for b in BUCKETS:
        if b >= n:
            return b
    return None


def dm_body(message):
    """DM-7: the body of a `dm` message, as (to, text), or Reject(dm.inner_body)."""
    if message.header.kind != "dm" or message.stripped:
        raise Reject("dm.inner_body")
    body = message.body
    for k in body.keys():
        if k not in ("to", "text") and "." not in k:
            raise Reject("dm.inner_body")
    to, text = body.get("to"), body.get("text")
    if not isinstance(to, list) or not isinstance(text, str):
        raise Reject("dm.inner_body")
    if not 1 <= len(to) <= MAX_RECIPIENTS:
        raise Reject("dm.inner_body")
    for i, a in enumerate(to):
        if not isinstance(a, bytes) or len(a) != 32:
            raise Reject("dm.inner_body")
        if i and not to[i - 1] < a:
            raise Reject("dm.inner_body")
    return to, text


def seal(inner_bytes, r, e):
    """08 §5: returns the dict of every intermediate value, or Reject."""
    inner = envelope.verify_message(inner_bytes)
    dm_body(inner)
    if len(inner_bytes) > MAX_INNER:
        raise Reject("dm.too_large")
    p = bucket(len(inner_bytes) + 4)
    padded = len(inner_bytes).to_bytes(4, "big") + inner_bytes + bytes(p - 4 - len(inner_bytes))
    e_pub = public(e)
    shared = x25519(e, r)
    if shared is None:
        raise Reject("dm.weak_key")
    ikm, key, nonce = derive(shared, e_pub, r)
    aad = bytes([VERSION]) + tag(r) + e_pub
    ct = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(padded, aad, nonce, key)
    return {"ephemeral_key": e_pub, "shared_secret": shared, "tag": tag(r), "ikm": ikm,
            "aead_key": key, "nonce": nonce, "aad": aad, "padded": padded, "sealed": aad + ct}


def unpad(padded):
    """DM-5, inspecting every byte."""
    n = int.from_bytes(padded[:4], "big")
    if n + 4 > len(padded) or bucket(n + 4) != len(padded):
        raise Reject("dm.padding")
    acc = 0
    for b in padded[4 + n:]:
        acc |= b
    if acc:
        raise Reject("dm.padding")
    return padded[4:4 + n]


def open_sealed(sealed, me, keys, seen):
    """08 §6 steps 1-9: the inner Message, or Reject."""
    if len(sealed) == 0:
        raise Reject("dm.malformed")
    if sealed[0] != VERSION:
        raise Reject("dm.unsupported_version")
    if len(sealed) not in SEALED_LENGTHS:
        raise Reject("dm.malformed")
    aad, t, e_pub = sealed[:HEADER], sealed[1:3], sealed[3:HEADER]
    candidates = [x for x in keys if tag(public(x)) == t]
    if not candidates:
        raise Reject("dm.unknown_key")
    padded = None
    for x in candidates:
        shared = x25519(x, e_pub)
        if shared is None:
            raise Reject("dm.weak_key")
        _, key, nonce = derive(shared, e_pub, public(x))
        try:
            padded = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(sealed[HEADER:], aad, nonce, key)
            break
        except nacl.exceptions.CryptoError:
            continue
    if padded is None:
        raise Reject("dm.tampered")
    inner_bytes = unpad(padded)
    try:
        inner = envelope.verify_message(inner_bytes)
    except Reject:
        raise Reject("dm.inner_signature")
    to, _ = dm_body(inner)
    if inner.header.acct != me and me not in to:
        raise Reject("dm.wrong_recipient")
    if inner.id in seen:
        raise Reject("dm.replay")
    return inner


def prekey(message):
    """DM-10: (key, expires) of a prekey message, or Reject(dm.prekey)."""
    if message.header.kind != "prekey" or message.stripped:
        raise Reject("dm.prekey")
    body = message.body
    for k in body.keys():
        if k not in ("key", "expires") and "." not in k:
            raise Reject("dm.prekey")
    key, expires = body.get("key"), body.get("expires")
    if not isinstance(key, bytes) or len(key) != 32 or not is_uint(expires):
        raise Reject("dm.prekey")
    t = message.header.time
    if not (t < expires <= t + MAX_LIFETIME and expires <= MAX_53):
        raise Reject("dm.prekey")
    return key, expires
