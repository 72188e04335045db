#!/usr/bin/env python3
"""Independent Python checker of the Skylark test vectors.

Reads only test-vectors/*.json and follows only the specification (spec/00..07,
errors.md). Shares no code with the Rust crate. For every vector it reports pass (every check agrees), fail (some check
disagrees: printed with the vector id, the expectation, what this checker got
and why) or skip (not checked, counted apart, never as passed).

Usage: python3 test-vectors/python/check.py [--vectors DIR] [--results FILE]
                                             [--only FILE ...] [--quiet]
Exit status: 0 iff nothing disagreed.
"""

import argparse
import hashlib
import itertools
import json
import os
import random
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True     # leave no __pycache__ in the source tree

import cbor2  # noqa: E402  (only for a cross-check of decoded values)
import nacl.signing  # noqa: E402  (only to re-sign honest signatures)

from skylark_check import accounts, cbor, dm, ed25519, envelope, ids, merge, messages  # noqa: E402
from skylark_check import pow as proof_of_work, sync  # noqa: E402
from skylark_check.cbor import CMap  # noqa: E402
from skylark_check.errors import Reject  # noqa: E402

IMPLEMENTATION = "skylark-python-checker"

LAYERS = {
    "cbor.json": "layer 1 (01 encoding)",
    "cbor-dasl.json": "layer 1 (01 encoding)",
    "identifiers.json": "layer 1 (02 identifiers)",
    "signatures.json": "layer 1 (03 signatures)",
    "ed25519-cctv.json": "layer 1 (03 signatures)",
    "ed25519-wycheproof.json": "layer 1 (03 signatures)",
    "ed25519-speccheck.json": "layer 1 (03 signatures)",
    "envelopes.json": "layer 1 (04 envelope)",
    "messages.json": "layer 2 (05 messages)",
    "accounts.json": "layer 3 (06 accounts)",
    "merge.json": "layer 4 (merge)",
    "dm.json": "layer 5 (08 direct messages)",
    "sync.json": "exchange (09 set reconciliation, per-account sync)",
}
ORDER = list(LAYERS)


class Disagreement(Exception):
    def __init__(self, expected, got, reason):
        super().__init__(reason)
        self.expected = expected
        self.got = got
        self.reason = reason


# The error code this checker produced for the vector's operation (for the
# results file), set by each checker as soon as it is known.
PRODUCED = {"error": None}



# The vector format this checker reads (test-vectors/README.md, "Format history").
FORMAT = 2


def typed_missing(item):
    """A missing item of messages.validate ("key_authorization", "body", a message id in
    hex, or "account:" + an account id in hex) as messages.json writes it (format 2)."""
    if item in ("key_authorization", "body"):
        return {"what": item}
    if item.startswith("account:"):
        return {"what": "account", "id": item[len("account:"):]}
    return {"what": "message", "id": item}

def produced(code):
    PRODUCED["error"] = code
    return code


class Skip(Exception):
    pass


def expect(cond, expected, got, reason):
    if not cond:
        raise Disagreement(expected, got, reason)


def same(expected, got, reason):
    expect(expected == got, expected, got, reason)


def short(x, n=300):
    s = x if isinstance(x, str) else json.dumps(x, ensure_ascii=False, default=str)
    return s if len(s) <= n else s[:n] + "...(%d chars)" % len(s)


def first_difference(expected, got, ctx=90):
    """For two long strings, the neighbourhood of their first difference."""
    if not (isinstance(expected, str) and isinstance(got, str)) or expected == got:
        return None
    if len(expected) <= 300 and len(got) <= 300:
        return None
    i = 0
    n = min(len(expected), len(got))
    while i < n and expected[i] == got[i]:
        i += 1
    a = max(0, i - ctx)
    return ("first difference at character %d:\n        expected ...%s...\n        got      ...%s..."
            % (i, expected[a:i + ctx], got[a:i + ctx]))


class Report:
    def __init__(self, quiet=False):
        self.quiet = quiet
        self.stats = {}
        self.results = []
        self.disagreements = []

    def _stat(self, f):
        return self.stats.setdefault(f, {"pass": 0, "fail": 0, "skip": 0})

    def record(self, f, vid, status, error=None, detail=None):
        self._stat(f)[status] += 1
        r = {"file": f, "id": vid, "status": status, "error": error}
        if detail is not None:
            r["detail"] = detail
        self.results.append(r)


# ---------------------------------------------------------------------------
# Helpers

def h2b(s):
    return bytes.fromhex(s)


def reject_code(fn, *a, **kw):
    """(value, None) or (None, Reject)."""
    try:
        return fn(*a, **kw), None
    except Reject as e:
        return None, e


def to_native(v):
    """Our decoded value as plain Python values, for comparison with cbor2."""
    if isinstance(v, CMap):
        return {k: to_native(x) for k, x in v.items()}
    if isinstance(v, list):
        return [to_native(x) for x in v]
    return v


def cbor2_native(v):
    if isinstance(v, dict):
        return {k: cbor2_native(x) for k, x in v.items()}
    if isinstance(v, list):
        return [cbor2_native(x) for x in v]
    return v


# ---------------------------------------------------------------------------
# cbor.json, cbor-dasl.json

def check_cbor(v):
    data = h2b(v["input"])
    value, err = reject_code(cbor.decode, data)
    got_code = produced(err.code if err else None)
    if v["valid"]:
        expect(err is None, "valid", got_code, "decoder rejects a valid input")
        enc = cbor.encode(value)
        same(v["input"], enc.hex(), "re-encoding the decoded value does not give the input")
        if "diag" in v:
            same(v["diag"], cbor.diag(value), "diagnostic notation differs")
        # cross-check of the value with a generic decoder (lenient, but it must
        # agree on the value of a valid input)
        try:
            other = cbor2_native(cbor2.loads(data))
        except Exception as e:  # pragma: no cover
            raise Disagreement("cbor2 decodes", repr(e), "cbor2 cannot decode a valid input")
        same(to_native(value) == other, True, "cbor2 decodes a different value")
    else:
        same(v["error"], got_code, "error code differs")
    return got_code


# ---------------------------------------------------------------------------
# identifiers.json

def check_identifier(v):
    if v["type"] == "hash":
        out = ids.H(v["context"], h2b(v["input"]))
        same(v["output"], out.hex(), "BLAKE3 derive_key output differs")
        return None
    prefix, n = ids.PREFIXES[v["name"]]

    def parse():
        b = ids.parse_text(v["text"], prefix, n)
        if v["name"] == "public_key":
            ed25519.check_key(b, check_length=False)     # SIG-2..SIG-4
        return b

    b, err = reject_code(parse)
    code = produced(err.code if err else None)
    if v["valid"]:
        expect(err is None, "valid", code, "text form rejected")
        same(v["bytes"], b.hex(), "parsed bytes differ")
        same(v["text"], ids.text_form(prefix, b), "encoding the bytes does not give the text")
    else:
        same(v["error"], code, "error code differs")
    return code


# ---------------------------------------------------------------------------
# signatures.json, ed25519-*.json

# 03 §12.3: the Wycheproof tcIds per code (every other case is valid).
WYCHEPROOF_TABLE = {
    "sig.invalid_length": set(range(30, 42)),
    "sig.non_canonical_s": {13, 14, 18, 19, 23, 24, 28, 29, 63, 64, 65, 66, 67, 68, 69, 70, 85},
    "sig.non_canonical_r": {25, 26, 27, 61, 151},
    "sig.r_not_on_curve": {20, 21, 22, 43, 45, 46, 50, 54, 55, 58},
    "sig.mismatch": {10, 11, 12, 15, 16, 17, 42, 44, 47, 48, 49, 51, 52, 53, 56, 57, 59, 60, 62},
}
# 03 §12.1: the Skylark verdict on the 12 speccheck vectors.
SPECCHECK_TABLE = ["key.small_order", "key.small_order", None, None, None, None,
                   "sig.non_canonical_s", "sig.non_canonical_s", "sig.non_canonical_r",
                   "sig.non_canonical_r", "key.non_canonical", "key.non_canonical"]


def check_signature(v):
    A, M, S = h2b(v["public_key"]), h2b(v["message"]), h2b(v["signature"])
    _, err = reject_code(ed25519.verify, A, M, S)
    code = produced(err.code if err else None)
    if v["valid"]:
        expect(err is None, "valid", code, "predicate rejects")
    else:
        same(v["error"], code, "error code differs")
    # The spec's own tables of verdicts on the external suites (03 §12) must
    # agree with the predicate too.
    src = v.get("source")
    if src is not None and "flags" in src and "number" in src:            # CCTV, 03 §12.2
        fl = set(src["flags"])
        want = ("key.non_canonical" if "non_canonical_A" in fl else
                "key.small_order" if "low_order_A" in fl else
                "sig.non_canonical_r" if "non_canonical_R" in fl else None)
        same(want, code, "03 §12.2 (verdict from the CCTV flags) differs from the predicate")
    elif src is not None and "tcId" in src:                                # Wycheproof, 03 §12.3
        want = None
        for c, tcs in WYCHEPROOF_TABLE.items():
            if src["tcId"] in tcs:
                want = c
        same(want, code, "03 §12.3 (table of Wycheproof tcIds) differs from the predicate")
        same(src["result"] == "valid", code is None,
             "Wycheproof's own result differs from the predicate (03 §12.3: all agree)")
    elif src is not None and "index" in src:                               # speccheck, 03 §12.1
        same(SPECCHECK_TABLE[src["index"]], code,
             "03 §12.1 (speccheck table) differs from the predicate")
    if "secret_seed" in v:
        # "secret_seed is given where the key was made from a seed, so the
        # signature can be reproduced": re-sign with PyNaCl (RFC 8032 signing)
        # and compare the bytes; the honest signature must also be accepted by
        # the predicate (03 §3, completeness).
        sk = nacl.signing.SigningKey(h2b(v["secret_seed"]))
        pk = bytes(sk.verify_key)
        honest = sk.sign(M).signature
        same(v["public_key"], pk.hex(), "public key of secret_seed differs")
        same(v["signature"], honest.hex(), "re-signing the message with secret_seed gives other bytes")
        _, e2 = reject_code(ed25519.verify, pk, M, honest)
        expect(e2 is None, "valid", e2 and e2.code,
               "PyNaCl's honest signature with the vector's seed is rejected by the predicate")
    return code


# ---------------------------------------------------------------------------
# envelopes.json

def check_envelope(v):
    data = h2b(v["input"])
    msg, err = reject_code(envelope.verify_message, data)
    code = produced(err.code if err else None)
    if not v["valid"]:
        same(v["error"], code, "error code differs")
        if code is not None and code.startswith("cbor."):
            same(v.get("part"), err.part, "part of the cbor.* verdict differs")
        else:
            expect("part" not in v, v.get("part"), None, "vector gives a part for a non-cbor code")
        return code
    expect(err is None, "valid", "%s (part %s)" % (code, err and err.part), "message rejected")
    h = msg.header
    same(v["header"], msg.header_bytes.hex(), "header bytes differ")
    si = envelope.SIG_PREFIX + msg.header_bytes
    same(v["signing_input"], si.hex(), "signing input differs")
    same(v["signature"], msg.signature.hex(), "signature differs")
    same(v["body"], None if msg.stripped else msg.body_bytes.hex(), "body bytes differ")
    same(v["stripped"], msg.stripped, "stripped flag differs")
    same(v["body_hash"], h.body.hex(), "body hash (header field) differs")
    if not msg.stripped:
        same(v["body_hash"], ids.body_hash(msg.body_bytes).hex(), "ID-2 of the body differs")
    same(v["message_id"], msg.id.hex(), "message id differs")
    same(v["message_id_text"], ids.msg_text(msg.id), "message id text differs")
    same(ids.parse_text(v["message_id_text"], "msg", 32), msg.id, "message id text does not parse back")
    fields = {"v": h.v, "key": h.key.hex(), "seq": h.seq, "acct": h.acct.hex(),
              "body": h.body.hex(), "kind": h.kind,
              "prev": None if h.prev is None else h.prev.hex(), "time": h.time}
    same(v["fields"], fields, "decoded header fields differ")
    # re-sign with PyNaCl from the seed: Ed25519 signing is deterministic
    sk = nacl.signing.SigningKey(h2b(v["secret_seed"]))
    same(h.key.hex(), bytes(sk.verify_key).hex(), "public key of secret_seed differs from header key")
    same(v["signature"], sk.sign(si).signature.hex(), "re-signing the signing input gives other bytes")
    return None


# ---------------------------------------------------------------------------
# messages.json

def layer1(hexmsg, what):
    m, err = reject_code(envelope.verify_cached, h2b(hexmsg))
    if err is not None:
        raise Disagreement("layer-1 valid %s" % what, "%s (part %s)" % (err.code, err.part),
                           "a message the vector says passes layer 1 is rejected")
    return m


def header_map(msgs):
    table = {}
    for m in msgs:
        table[m.id] = m.header
    return table


def check_message(v):
    ctx_v = v["context"]
    msg = layer1(v["input"], "input")
    known = [layer1(k, "known message") for k in ctx_v["known"]]
    table = header_map(known)
    a = ctx_v["authorization"]
    if a == "authorized":
        answer = ("authorized",)
    elif a == "unknown":
        answer = ("unknown", "key_authorization")
    else:
        answer = ("denied", a)
    others = {None: ("denied", "auth.out_of_scope"), "authorized": ("authorized",),
              "unknown": ("unknown", "key_authorization")}[ctx_v.get("others")]
    ctx = messages.Context(int(ctx_v["now"]), lambda h, m: answer, table.get, lambda h: others)
    out = messages.validate(msg, ctx)
    produced(out.code)
    got = {"outcome": out.outcome}
    if out.outcome == "invalid":
        got["error"] = out.code
    elif out.outcome == "undecided":
        got["missing"] = [typed_missing(x) for x in out.missing]
    else:
        got["kind"] = out.kind
        got["body_diag"] = None if out.body is None else cbor.diag(out.body)
    exp = {"outcome": v["outcome"]}
    for k in ("error", "missing", "kind", "body_diag"):
        if k in v:
            exp[k] = v[k]
    same(exp, got, "validation outcome differs")
    if out.outcome == "valid" and out.body is not None:
        same(msg.body_bytes.hex(), cbor.encode(out.body).hex(), "body does not re-encode")
    if "pow" in v:                                  # 05 section 13
        same(v["pow"], proof_of_work.measure(msg), "proof of work differs")
    return out.code


# ---------------------------------------------------------------------------
# accounts.json

def auth_text(answer):
    if answer[0] == "authorized":
        return "authorized"
    if answer[0] == "denied":
        return answer[1]
    item = answer[1]
    if item == "key_authorization":
        return {"missing": "key_authorization"}
    return {"missing": item[0], "id": item[1].hex()}


def run_operations(msgs, order):
    st = accounts.Accounts()
    for i in order:
        st.apply(msgs[i])
    # A message without status (06 §7.1) is declared with the code applying it reports.
    statuses = [st.status_text(m.id) or accounts.refused_code(m) for m in msgs]
    return st, statuses


def orders(n):
    out = [list(range(n)), list(range(n - 1, -1, -1))]
    if n <= 4:
        out += [list(p) for p in itertools.permutations(range(n))]
    else:
        rnd = random.Random(n)
        for _ in range(6):
            o = list(range(n))
            rnd.shuffle(o)
            out.append(o)
    seen, uniq = set(), []
    for o in out:
        if tuple(o) not in seen:
            seen.add(tuple(o))
            uniq.append(o)
    return uniq


def check_account(v):
    if v["type"] == "operations":
        msgs = [layer1(o["message"], "operation") for o in v["operations"]]
        expected = [o["status"] for o in v["operations"]]
        for order in orders(len(msgs)):
            label = "listed order" if order == sorted(order) else \
                ("reverse order" if order == sorted(order, reverse=True) else "order %s" % order)
            st, statuses = run_operations(msgs, order)
            for i, (e, g) in enumerate(zip(expected, statuses)):
                same(e, g, "status of operation %d (%s) differs, %s" % (i, msgs[i].header.kind, label))
            if "state" in v:
                acct = h2b(v["state"]["account"])
                expect(acct in st.geneses, v["state"]["account"], [a.hex() for a in st.geneses],
                       "the account of the state has no valid genesis here (%s)" % label)
                same(v["state"], st.view(acct), "account view differs (%s)" % label)
            else:
                same([], [a.hex() for a in st.geneses],
                     "vector has no state but a genesis is valid here (%s)" % label)
        return None
    # authorization
    msgs = [layer1(m, "account operation") for m in v["account_operations"]]
    known = [layer1(k, "known message") for k in v["known"]]
    table = header_map(known)
    target = layer1(v["message"], "message")
    got = None
    for order in (list(range(len(msgs))), list(range(len(msgs) - 1, -1, -1))):
        st = accounts.Accounts()
        for i in order:
            st.apply(msgs[i])
        if "capability" in v:
            answer = auth_text(st.grants(target.header, v["capability"]))
        else:
            answer = auth_text(st.authorize(target.header, target.id, table.get))
        produced(answer if isinstance(answer, str) and answer != "authorized" else None)
        if got is not None:
            same(got, answer, "authorization depends on the order of application")
        got = answer
        same(v["expected"], answer, "authorization differs")
    return got if isinstance(got, str) and got != "authorized" else None


# ---------------------------------------------------------------------------
# merge.json

def check_merge(v):
    now = int(v["now"])
    msgs = [layer1(m, "message of the set") for m in v["messages"]]
    known = [layer1(k, "known message") for k in v["known"]]
    if "account_operations" in v:
        # Real accounts: authorization by the account state of the key operations (06 §9), and
        # only the messages whose verdict is valid are in the set.
        ops = [layer1(o, "key operation") for o in v["account_operations"]]
        table = header_map(msgs + known + ops)
        st = accounts.Accounts()
        for o in ops:
            st.apply(o)
        ctx = messages.Context(now, lambda h, m: st.authorize(h, m, table.get), table.get,
                               lambda h: st.grants(h, "cap:others"))
    else:
        table = header_map(msgs + known)
        others = ("authorized",) if v.get("others") == "authorized" else ("denied", "auth.out_of_scope")
        ctx = messages.Context(now, lambda h, m: ("authorized",), table.get, lambda h: others)
    verdicts = v.get("verdicts", ["valid"] * len(msgs))
    for i, m in enumerate(msgs):
        out = messages.validate(m, ctx)
        got = out.outcome if out.outcome != "invalid" else out.code
        same(verdicts[i], got, "verdict of message %d of the set (%s) differs" % (i, m.header.kind))
    msgs = [m for m, verdict in zip(msgs, verdicts) if verdict == "valid"]
    n = len(msgs)
    rnd = random.Random(len(v["id"]))
    runs = [("listed order", list(range(n))), ("reverse order", list(range(n - 1, -1, -1))),
            ("reverse order, each twice", [i for i in range(n - 1, -1, -1) for _ in (0, 1)])]
    for k in range(2):
        o = list(range(n)) * 2
        rnd.shuffle(o)
        runs.append(("shuffle %d, each twice" % k, o))
    for label, order in runs:
        st = merge.State()
        for i in order:
            st.apply(msgs[i])
        s = st.summary(now)
        sb = cbor.encode(s)
        same(v["summary_diag"], cbor.diag(s), "summary (diagnostic notation) differs, %s" % label)
        same(v["summary"], sb.hex(), "summary bytes differ, %s" % label)
        same(v["digest"], ids.H(ids.CTX_STATE_DIGEST, sb).hex(), "digest differs, %s" % label)
    authors = {m.id: m.header.acct for m in msgs}
    for entry in v.get("applied", []):                      # MERGE-9 item 4
        post = h2b(entry["post"])
        got = merge.applied(s, post, authors.get(post, b""), [h2b(x) for x in entry["labelers"]])
        same(entry["labels"], [[l.hex(), x] for l, x in got], "applied labels differ")
    # the expected bytes must themselves be canonical and match the diag
    dec = cbor.decode(h2b(v["summary"]))
    same(v["summary_diag"], cbor.diag(dec), "the vector's summary bytes do not decode to its diag")
    same(v["digest"], ids.H(ids.CTX_STATE_DIGEST, h2b(v["summary"])).hex(),
         "the vector's digest is not derive_key of its summary")
    return None


# ---------------------------------------------------------------------------
# dm.json

def dm_state(v):
    st = accounts.Accounts()
    for op in v["accounts"]:
        st.apply(layer1(op, "account operation"))
    return st


def dm_groups(held, st):
    groups = dm.Groups()
    for r in held:
        groups.add(dm.group_record(h2b(r)), st)
    return groups


def check_dm(v):
    kind = v["type"]
    if kind in ("seal", "report_seal"):
        check = dm.report_inner if kind == "report_seal" else None
        out, err = reject_code(dm.seal, h2b(v["inner"]), h2b(v["recipient_key"]), h2b(v["pq_key"]),
                               [h2b(o) for o in v["onetime_keys"]], v["slot"],
                               h2b(v["ephemeral_secret"]), h2b(v["kem_message"]),
                               v.get("bucket"), check)
        code = produced(err.code if err else None)
        if not v["valid"]:
            same(v["error"], code, "error code differs")
            return code
        expect(err is None, "valid", code, "sealing refused")
        for k in ("ephemeral_key", "dh1", "pq_ciphertext", "pq_shared", "dh2", "slot_mask",
                  "slot_check", "tag", "ikm", "aead_key", "nonce", "commitment", "aad", "padded",
                  "sealed"):
            same(v[k], out[k].hex(), "%s differs" % k)
        return None
    if kind == "open":
        keys = [{"device": h2b(k["device"]), "signed": h2b(k["signed"]),
                 "pq_seed": h2b(k["pq_seed"]),
                 "onetime": [None if o is None else h2b(o) for o in k["onetime"]]}
                for k in v["keys"]]
        seen = {h2b(k) for k in v["seen"]}
        st = dm_state(v)
        groups = None if "groups" not in v else dm_groups(v["groups"], st)
        out, err = reject_code(dm.open_sealed, h2b(v["sealed"]), h2b(v["opener"]), keys,
                               st, v["now"], seen, groups)
        code = produced(err.code if err else None)
        if not v["valid"]:
            same(v["error"], code, "error code differs")
            return code
        expect(err is None, "valid", code, "opening failed")
        inner, device, slot = out
        same(v["inner"], inner.raw.hex(), "inner message differs")
        same(v["inner_id"], inner.id.hex(), "inner message id differs")
        same(v["device"], device.hex(), "device differs")
        same(v["onetime"], slot, "one-time slot differs")
        return None
    if kind == "group":
        st = dm_state(v)
        groups = dm_groups(v["held"], st)
        out, err = reject_code(lambda b: groups.add(dm.group_record(b), st), h2b(v["record"]))
        code = produced(err.code if err else None)
        group = out.group if out is not None else (
            dm.group_record(h2b(v["held"][0])).group if v["held"] else None)
        head = groups.head(group) if group is not None else None
        same(v["head"], head.hex() if head else None, "head differs")
        if not v["valid"]:
            same(v["error"], code, "error code differs")
            return code
        expect(err is None, "valid", code, "record refused")
        return None
    if kind == "prekey":
        msg = layer1(v["message"], "prekey message")
        out, err = reject_code(dm.prekey, msg, dm_state(v))
        code = produced(err.code if err else None)
        if not v["valid"]:
            same(v["error"], code, "error code differs")
            return code
        expect(err is None, "valid", code, "prekey refused")
        same(v["device"], out["device"].hex(), "device differs")
        want = v.get("gate", {"accept": "all", "pow": 0, "tokens": []})
        got = dict(out["gate"], tokens=[x.hex() for x in out["gate"]["tokens"]])
        same(want, got, "gate differs")
        return None
    if kind == "report_open":
        keys = [{"device": h2b(k["device"]), "signed": h2b(k["signed"]),
                 "pq_seed": h2b(k["pq_seed"]), "onetime": []} for k in v["keys"]]
        st = dm_state(v)
        decl = dm.declaration(layer1(v["declaration"], "declaration"), st)
        out, err = reject_code(dm.open_report, h2b(v["sealed"]), h2b(v["opener"]), keys, decl,
                               st, v["now"], {h2b(k) for k in v["seen"]})
        code = produced(err.code if err else None)
        if not v["valid"]:
            same(v["error"], code, "error code differs")
            return code
        expect(err is None, "valid", code, "report refused")
        same(v["inner"], out.raw.hex(), "inner differs")
        same(v["report_id"], out.id.hex(), "report id differs")
        same(v["reporter"], out.acct.hex(), "reporter differs")
        return None
    if kind == "service":
        msg = layer1(v["message"], "service message")
        out, err = reject_code(dm.declaration, msg, dm_state(v))
        code = produced(err.code if err else None)
        if not v["valid"]:
            same(v["error"], code, "error code differs")
            return code
        expect(err is None, "valid", code, "declaration refused")
        same(v["reasons"], out["reasons"], "reasons differ")
        same(v["labels"], out["labels"], "labels differ")
        same(v["keys"], [k[0].hex() for k in out["keys"]], "keys differ")
        return None
    if kind in ("choose", "relay"):
        st = dm_state(v)
        held = []
        for hx in v["declarations"]:
            d, err = reject_code(dm.declaration, layer1(hx, "declaration"), st)
            if err is None:
                held.append(d)
    if kind == "choose":
        same(v.get("error"), None, "a choice has no error")                # never invalid
        got = dm.choose(held, v["now"])
        same(v["chosen"], got[0]["id"].hex() if got else None, "chosen declaration differs")
        same(v["key"], got[1][0].hex() if got else None, "key differs")
        return None
    if kind == "relay":
        keys = dm.relay_keys(held, v["now"])
        out, err = reject_code(dm.relay_files, h2b(v["sealed"]), h2b(v["stamp"]), keys)
        code = produced(err.code if err else None)
        if not v["valid"]:
            same(v["error"], code, "error code differs")
            return code
        expect(err is None, "valid", code, "item refused")
        same(v["filed"], out, "filed differs")
        return None
    if kind in ("stamp", "admit"):
        g = v["gate"]
        gate = {"accept": g["accept"], "pow": g["pow"], "tokens": [h2b(x) for x in g["tokens"]]}
        sealed, stamp = h2b(v["sealed"]), h2b(v["stamp"])
        if kind == "stamp":
            out, err = reject_code(dm.relay_admits, gate, sealed, stamp)
            if "work" in v:
                st = dm.stamp_of(stamp)
                item, work = dm.work_hash(sealed, st[1], st[2])
                same(v["item"], item.hex(), "item differs")
                same(v["work"], work.hex(), "work differs")
        else:
            out, err = reject_code(dm.recipient_admits, gate, h2b(v["me"]), h2b(v["sender"]),
                                   v["follows"], sealed, stamp)
        code = produced(err.code if err else None)
        if not v["valid"]:
            same(v["error"], code, "error code differs")
            return code
        expect(err is None, "valid", code, "refused")
        return None
    if kind == "public":
        msg, err = reject_code(envelope.verify_message, h2b(v["message"]))
        if err is None:
            ctx = messages.Context(now=2 ** 53 - 1, authorization=lambda h, m: ("authorized",),
                                   lookup=lambda i: None)
            result = messages.validate(msg, ctx)
            code = getattr(result, "code", None)
        else:
            code = err.code
        produced(code)
        same(v["error"], code, "error code differs")
        return code
    raise Disagreement("seal, open, prekey, service or public", kind, "unknown vector type")


# ---------------------------------------------------------------------------
# sync.json

def sync_items(v):
    return [(int(t), h2b(i)) for t, i in v]


def check_sync(v):
    kind = v["type"]
    if kind == "set":
        _, err = reject_code(sync.Side, sync_items(v["set"]), bytes(16), True)
        code = produced(err.code if err else None)
        same(v["error"], code, "error code differs")
        return code
    if kind == "heads":
        account = h2b(v["account"])
        after = h2b(v["after"]) if v["after"] else None
        msgs = [(h2b(a), h2b(k), int(s), h2b(i)) for a, k, s, i in v["messages"]]
        heads, n, digest = sync.account_heads(account, msgs)
        same(v["keys"], [[k.hex(), s, i.hex(), c] for k, s, i, c in heads], "key heads differ")
        same(v["count"], n, "count differs")
        same(v["digest"], digest.hex(), "account digest differs")
        page = sync.encode_page(account, digest, n, heads, after)
        same(v["page"], page.hex(), "heads page differs")
        got_digest, got_n, got_heads = sync.parse_page(page, account, after)
        same(v["digest"], got_digest.hex(), "parsed digest differs")
        return None
    if kind == "name":
        from skylark_check.messages import name_ok
        records = [h2b(r) for r in v["records"]]
        claim = v["claim"] or None
        _, err = reject_code(sync.verify_name, v["name"], h2b(v["account"]), claim,
                             v["record"], records, name_ok)
        code = produced(err.code if err else None)
        same(v.get("error"), code, "verdict differs")
        return code
    if kind == "heads-page":
        account = h2b(v["account"])
        after = h2b(v["after"]) if v["after"] else None
        _, err = reject_code(sync.parse_page, h2b(v["page"]), account, after)
        code = produced(err.code if err else None)
        same(v["error"], code, "error code differs")
        return code
    salt = h2b(v["salt"])
    if kind == "fingerprint":
        side = sync.Side(sync_items(v["set"]), salt, True)
        same(v["key"], side.key.hex(), "session key differs")
        same(v["tags"], [sync.tag(side.key, it).hex() for it in side.items], "tags differ")
        same(v["fingerprint"], sync.fingerprint(side.key, side.items).hex(), "fingerprint differs")
        return None
    if kind == "session":
        a = sync.Side(sync_items(v["initiator"]), salt, True)
        b = sync.Side(sync_items(v["responder"]), salt, False)
        frames = []
        ranges = a.open()
        while True:
            frames.append(sync.encode_frame(salt, ranges).hex())
            got_salt, parsed = sync.parse(h2b(frames[-1]))
            reply = b.answer(parsed)
            frames.append(sync.encode_frame(salt, reply).hex())
            _, parsed = sync.parse(h2b(frames[-1]))
            ranges = a.answer(parsed)
            if not ranges or len(frames) > 400:
                break
        same(v["frames"], frames, "frames differ")
        same(v["have"], sorted(i.hex() for i in a.have), "have differs")
        same(v["need"], sorted(i.hex() for i in a.need), "need differs")
        same(sorted(i.hex() for i in a.have),
             sorted(i.hex() for t, i in set(a.items) - set(b.items)), "have is not the difference")
        same(sorted(i.hex() for i in a.need),
             sorted(i.hex() for t, i in set(b.items) - set(a.items)), "need is not the difference")
        return None
    if kind == "reply":
        side = sync.Side(sync_items(v["set"]), salt, False)
        _, parsed = sync.parse(h2b(v["frame"]))
        same(v["reply"], sync.encode_frame(salt, side.answer(parsed)).hex(), "reply differs")
        same(v["have"], sorted(i.hex() for i in side.have), "have differs")
        return None
    if kind == "frame":
        initiator = v["role"] == "initiator"
        side = sync.Side(sync_items(v["set"]), salt, initiator)

        def receive(data):
            got_salt, ranges = sync.parse(data)
            if initiator and got_salt != salt:
                raise Reject("sync.salt")
            return side.answer(ranges)
        _, err = reject_code(receive, h2b(v["frame"]))
        code = produced(err.code if err else None)
        same(v["error"], code, "error code differs")
        return code
    raise Disagreement("fingerprint, session, reply, frame, set, heads, heads-page or name", kind,
                       "unknown vector type")


CHECKERS = {
    "cbor.json": check_cbor,
    "cbor-dasl.json": check_cbor,
    "identifiers.json": check_identifier,
    "signatures.json": check_signature,
    "ed25519-cctv.json": check_signature,
    "ed25519-wycheproof.json": check_signature,
    "ed25519-speccheck.json": check_signature,
    "envelopes.json": check_envelope,
    "messages.json": check_message,
    "accounts.json": check_account,
    "merge.json": check_merge,
    "dm.json": check_dm,
    "sync.json": check_sync,
}


def run_file(path, report, doc):
    f = os.path.basename(path)
    checker = CHECKERS.get(f)
    seen = set()
    for v in doc["vectors"]:
        vid = v["id"]
        if vid in seen:
            print("  DISAGREE %s %s: duplicate vector id in the file" % (f, vid))
            report.disagreements.append((f, vid, "duplicate id"))
        seen.add(vid)
        PRODUCED["error"] = None
        if checker is None:
            report.record(f, vid, "skip", detail="no checker for this vector file")
            continue
        try:
            checker(v)
            report.record(f, vid, "pass", error=PRODUCED["error"])
        except Skip as s:
            report.record(f, vid, "skip", error=PRODUCED["error"], detail=str(s))
        except Disagreement as d:
            report.disagreements.append((f, vid, d))
            report.record(f, vid, "fail", error=PRODUCED["error"], detail=d.reason)
            hint = first_difference(d.expected, d.got)
            if hint:
                print("  DISAGREE %s %s: %s\n      %s" % (f, vid, d.reason, hint))
            else:
                print("  DISAGREE %s %s: %s\n      expected: %s\n      got:      %s"
                      % (f, vid, d.reason, short(d.expected), short(d.got)))
        except Exception as e:  # a crash of the checker is a failure too, never a pass
            import traceback
            report.disagreements.append((f, vid, e))
            report.record(f, vid, "fail", error=PRODUCED["error"],
                          detail="checker error: %r" % (e,))
            print("  DISAGREE %s %s: checker error %r" % (f, vid, e))
            if not report.quiet:
                traceback.print_exc()


def suite_digest(vectors_dir, report, vector_files):
    """MANIFEST.json's suite_digest, recomputed from the files it lists as its
    _comment defines it. A listed file that is missing or whose SHA-256 differs
    from the manifest, or a vector file the manifest does not list, is a
    disagreement (the manifest and the files are generated together)."""
    path = os.path.join(vectors_dir, "MANIFEST.json")
    if not os.path.exists(path):
        print("  NOTE MANIFEST.json is missing: no suite_digest")
        return None

    def disagree(what, why):
        print("  DISAGREE MANIFEST.json %s: %s" % (what, why))
        report.disagreements.append(("MANIFEST.json", what, why))

    with open(path, encoding="utf-8") as fh:
        man = json.load(fh)
    h = hashlib.sha256()
    listed = set()
    for e in man.get("files", []):
        listed.add(e["path"])
        fp = os.path.join(vectors_dir, e["path"])
        if not os.path.exists(fp):
            disagree(e["path"], "listed but missing")
            continue
        with open(fp, "rb") as fh:
            digest = hashlib.sha256(fh.read()).hexdigest()
        if digest != e["sha256"]:
            disagree(e["path"], "SHA-256 is %s, the manifest says %s" % (digest, e["sha256"]))
        h.update(("%s\n%s\n" % (e["path"], digest)).encode())
    for f in vector_files:
        if f not in listed:
            disagree(f, "a vector file the manifest does not list")
    ours = h.hexdigest()
    if ours != man.get("suite_digest"):
        disagree("suite_digest", "the files listed give %s, the manifest says %s"
                 % (ours, man.get("suite_digest")))
    return ours


def checker_version():
    try:
        import subprocess
        out = subprocess.run(["git", "-C", HERE, "rev-parse", "--short=12", "HEAD"],
                             capture_output=True, text=True, timeout=10)
        if out.returncode == 0 and out.stdout.strip():
            return "1.0+git." + out.stdout.strip()
    except Exception:
        pass
    return "1.0"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vectors", default=os.path.dirname(HERE),
                    help="directory holding the *.json vector files")
    ap.add_argument("--results", help="write per-vector results (JSON, results.schema.json) to this file")
    ap.add_argument("--only", nargs="*", help="only these vector files")
    ap.add_argument("--quiet", action="store_true", help="no tracebacks for checker errors")
    args = ap.parse_args(argv)

    t0 = time.time()
    report = Report(args.quiet)
    docs = []
    for fn in sorted(os.listdir(args.vectors)):
        if not fn.endswith(".json"):
            continue
        with open(os.path.join(args.vectors, fn), encoding="utf-8") as fh:
            doc = json.load(fh)
        if not isinstance(doc, dict) or "vectors" not in doc:
            continue                   # MANIFEST.json and other non-vector files
        if doc.get("format") != FORMAT:
            print("  NOTE %s has format %r, this checker reads format %d: skipped"
                  % (fn, doc.get("format"), FORMAT))
            continue
        docs.append((fn, doc))
    docs.sort(key=lambda fd: (ORDER.index(fd[0]) if fd[0] in ORDER else len(ORDER), fd[0]))
    if args.only:
        docs = [fd for fd in docs if fd[0] in args.only]
    for fn in ORDER:
        if fn not in [f for f, _ in docs] and not args.only:
            print("  NOTE %s is missing: nothing checked for it" % fn)
    for fn, doc in docs:
        t = time.time()
        run_file(os.path.join(args.vectors, fn), report, doc)
        s = report.stats.get(fn, {"pass": 0, "fail": 0, "skip": 0})
        print("%-24s %-26s checked %d, agreed %d, disagreed %d, skipped %d  (%.1fs)"
              % (fn, LAYERS.get(fn, "(no checker)"), s["pass"] + s["fail"], s["pass"],
                 s["fail"], s["skip"], time.time() - t))
    per_layer = {}
    for fn, s in report.stats.items():
        layer = LAYERS.get(fn, "(no checker)").split(" (")[0]
        acc = per_layer.setdefault(layer, {"pass": 0, "fail": 0, "skip": 0})
        for k in acc:
            acc[k] += s[k]
    for layer in sorted(per_layer):
        s = per_layer[layer]
        print("%-51s checked %d, agreed %d, disagreed %d, skipped %d"
              % (layer, s["pass"] + s["fail"], s["pass"], s["fail"], s["skip"]))
    digest = suite_digest(args.vectors, report, [f for f, _ in docs])
    total = {k: sum(s[k] for s in report.stats.values()) for k in ("pass", "fail", "skip")}
    # disagreements outside any vector (manifest, duplicate ids) fail the run too
    extra = len(report.disagreements) - total["fail"]
    if args.results:
        results = []
        for r in report.results:
            e = {k: r[k] for k in ("file", "id", "status", "error")}
            if r["status"] != "pass" and r.get("detail"):
                e["note"] = r["detail"]
            results.append(e)
        out = {"implementation": IMPLEMENTATION, "version": checker_version()}
        if digest is not None:
            out["suite_digest"] = digest
        out["results"] = results
        with open(args.results, "w", encoding="utf-8") as fh:
            json.dump(out, fh, indent=1, ensure_ascii=False)
            fh.write("\n")
    print("(%.1fs)" % (time.time() - t0))
    print("python checker: %d passed, %d failed, %d skipped"
          % (total["pass"], total["fail"] + max(extra, 0), total["skip"]))
    return 1 if (total["fail"] or extra > 0) else 0


if __name__ == "__main__":
    sys.exit(main())
