#!/usr/bin/env python3
"""Seeds the fuzz corpora from the test vectors (standard library only).

Writes
- pool/messages.bin: the messages of the vectors that pass layer 1 (valid envelope vectors, every
  message vector, every message of the accounts and merge vectors), deduplicated, each as a
  [u16 big-endian length][bytes] frame (compiled into the targets, see src/lib.rs);
- corpus/<target>/<sha1>: one file per seed input:
  cbor_decode, cbor_roundtrip: every input of cbor.json, cbor-dasl.json, and every message,
    header and body of the envelope and message vectors;
  envelope, message_validate: every message input of envelopes.json and messages.json and every
    message of the accounts and merge vectors;
  accounts: the operations of each accounts vector, as pool references (src/lib.rs `messages`);
  merge: the messages of each merge vector, as pool references;
  text_forms: every `text` of identifiers.json and every kind name of the envelope vectors' headers.

With target names as arguments, only those corpora are written (the pool always is).

Run from anywhere: python3 fuzz/seed.py (then `cargo +nightly fuzz cmin` each target, or fuzz/run.sh,
which minimizes after running).
"""
import hashlib
import json
import os
import struct
import sys

FUZZ = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.path.join(FUZZ, "..", "test-vectors")


def load(name):
    with open(os.path.join(VECTORS, name)) as f:
        return json.load(f)["vectors"]


ONLY = set(sys.argv[1:])


def write(target, data):
    if ONLY and target not in ONLY:
        return
    d = os.path.join(FUZZ, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def parts(message):
    """The header and body byte strings of a message map {b, h, s} (minimal CBOR reader)."""
    out = []
    i = 0
    if not message or message[0] >> 5 != 5:
        return out

    def head(i):
        ai = message[i] & 0x1F
        if ai < 24:
            return ai, i + 1
        n = {24: 1, 25: 2, 26: 4, 27: 8}.get(ai)
        if n is None or i + 1 + n > len(message):
            raise ValueError
        return int.from_bytes(message[i + 1 : i + 1 + n], "big"), i + 1 + n

    try:
        count, i = head(0)
        for _ in range(count):
            klen, i = head(i)
            i += klen
            if message[i] >> 5 != 2:
                return out
            vlen, i = head(i)
            out.append(message[i : i + vlen])
            i += vlen
    except (ValueError, IndexError):
        pass
    return out


def main():
    messages = []  # every message, in order of first appearance
    seen = set()

    def add(hexstr):
        b = bytes.fromhex(hexstr)
        if b not in seen:
            seen.add(b)
            messages.append(b)
        return b

    envelope_inputs = [bytes.fromhex(v["input"]) for v in load("envelopes.json")]
    message_inputs = [bytes.fromhex(v["input"]) for v in load("messages.json")]
    # The pool holds the messages that pass layer 1: the valid envelope vectors, every message
    # vector (their inputs are signed; their verdicts are layer 2), the accounts and merge vectors.
    for v in load("envelopes.json"):
        if v["valid"]:
            add(v["input"])
    for b in message_inputs:
        add(b.hex())
    account_sets = []
    for v in load("accounts.json"):
        ops = [op["message"] for op in v.get("operations", [])]
        ops += v.get("account_operations", [])
        ops += [k for k in v.get("known", []) if isinstance(k, str)]
        if isinstance(v.get("message"), str):
            ops.append(v["message"])
        account_sets.append([add(h) for h in ops])
    merge_sets = []
    for v in load("merge.json"):
        msgs = [m if isinstance(m, str) else m.get("message", "") for m in v["messages"]]
        msgs += [k if isinstance(k, str) else k.get("message", "") for k in v.get("known", [])]
        merge_sets.append([add(h) for h in msgs if h])

    os.makedirs(os.path.join(FUZZ, "pool"), exist_ok=True)
    # Inputs over the size limit (the too-large vectors) cannot be framed and are never messages.
    messages = [m for m in messages if len(m) <= 0xFFFF]
    with open(os.path.join(FUZZ, "pool", "messages.bin"), "wb") as f:
        for m in messages:
            f.write(struct.pack(">H", len(m)) + m)
    index = {m: i for i, m in enumerate(messages)}

    def refs(ms):
        # The first byte seeds the shuffle; each reference is two bytes below 0x8000.
        return b"\x07" + b"".join(struct.pack(">H", index[m]) for m in ms[:64] if m in index)

    cbor_inputs = [bytes.fromhex(v["input"]) for v in load("cbor.json") + load("cbor-dasl.json")]
    for b in cbor_inputs:
        write("cbor_decode", b)
        write("cbor_roundtrip", b)
    for m in envelope_inputs:
        write("envelope", m)
        write("message_validate", m)
    for m in messages:
        write("envelope", m)
        write("message_validate", m)
        for p in [m] + parts(m):
            write("cbor_decode", p)
            write("cbor_roundtrip", p)
    for ms in account_sets:
        if ms:
            write("accounts", refs(ms))
    for ms in merge_sets:
        if ms:
            write("merge", refs(ms))
    for v in load("identifiers.json"):
        if isinstance(v.get("text"), str):
            write("text_forms", v["text"].encode())
    # dm_open (see its header): mode 0 = sealed bytes as received; mode 1 = a message text sealed
    # and opened by the target; mode 2 = an offset byte and bytes XORed over a sealed copy.
    for v in load("dm.json"):
        if isinstance(v.get("sealed"), str):
            write("dm_open", b"\x00" + bytes.fromhex(v["sealed"]))
    for text in [b"", b"hi", "héllo 👋".encode(), b"x" * 600]:
        write("dm_open", b"\x01" + text)
    for at in [0, 4, 140, 146, 148, 255]:
        write("dm_open", b"\x02" + bytes([at, 1]))
    for kind in ["post", "genesis", "com.example.poll", "a" * 128, "x.y-z_1"]:
        write("text_forms", kind.encode())
    print(f"pool: {len(messages)} messages; accounts seeds: {len(account_sets)}; merge seeds: {len(merge_sets)}")


if __name__ == "__main__":
    main()
