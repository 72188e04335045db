#!/usr/bin/env python3
"""Self-test of the checker: a checker that agrees with everything proves
nothing, so this mutates (in memory) the expectation of every vector of every
file and requires check.py's checker to disagree with each mutated vector.

Usage: python3 test-vectors/python/selftest.py [--quiet]
Exit status 0 iff every mutation was detected.
"""

import copy
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True

import check  # noqa: E402

OTHER_CODE = {"cbor.tag": "cbor.null"}


def other_code(c):
    return OTHER_CODE.get(c, "cbor.tag")


def flip_hex(h):
    if not h:
        return "00"
    return ("0" if h[0] != "0" else "1") + h[1:]


def mutations(f, v):
    """Yield (label, mutated vector), each of which the checker must reject."""
    m = copy.deepcopy
    if f in ("cbor.json", "cbor-dasl.json"):
        if v["valid"]:
            w = m(v); w["valid"] = False; w["error"] = "cbor.tag"; yield "valid->invalid", w
            if "diag" in v:
                w = m(v); w["diag"] = v["diag"] + " "; yield "diag", w
        else:
            w = m(v); w["error"] = other_code(v["error"]); yield "error", w
            w = m(v); w["valid"] = True; w["diag"] = "0"; del w["error"]; yield "invalid->valid", w
    elif f == "identifiers.json":
        if v["type"] == "hash":
            w = m(v); w["output"] = flip_hex(v["output"]); yield "output", w
            w = m(v); w["context"] = v["context"] + "x"; yield "context", w
        elif v["valid"]:
            w = m(v); w["bytes"] = flip_hex(v["bytes"]); yield "bytes", w
            w = m(v); w["valid"] = False; w["error"] = "id.wrong_prefix"; yield "valid->invalid", w
        else:
            w = m(v); w["error"] = "id.wrong_prefix" if v["error"] != "id.wrong_prefix" \
                else "id.invalid_length"; yield "error", w
    elif f in ("signatures.json",) or f.startswith("ed25519-"):
        if v["valid"]:
            w = m(v); w["valid"] = False; w["error"] = "sig.mismatch"; yield "valid->invalid", w
            w = m(v); w["message"] = v["message"] + "00"; yield "message", w
        else:
            w = m(v); w["error"] = "sig.mismatch" if v["error"] != "sig.mismatch" \
                else "sig.non_canonical_r"; yield "error", w
            w = m(v); w["valid"] = True; del w["error"]; yield "invalid->valid", w
    elif f == "envelopes.json":
        if v["valid"]:
            for k in ("header", "signing_input", "signature", "body_hash", "message_id"):
                w = m(v); w[k] = flip_hex(v[k]); yield k, w
            w = m(v); w["message_id_text"] = v["message_id_text"][:-1] + "a" \
                if v["message_id_text"][-1] != "a" else v["message_id_text"][:-1] + "q"
            yield "message_id_text", w
            w = m(v); w["fields"]["time"] += 1; yield "fields.time", w
            w = m(v); w["stripped"] = not v["stripped"]; yield "stripped", w
            w = m(v); w["secret_seed"] = flip_hex(v["secret_seed"]); yield "secret_seed", w
            if v["body"] is not None:
                w = m(v); w["body"] = flip_hex(v["body"]); yield "body", w
        else:
            w = m(v); w["error"] = other_code(v["error"]); yield "error", w
            if "part" in v:
                w = m(v); w["part"] = "body" if v["part"] != "body" else "header"; yield "part", w
    elif f == "messages.json":
        if v["outcome"] == "valid":
            w = m(v); w["kind"] = v["kind"] + "x"; yield "kind", w
            w = m(v); w["body_diag"] = "{}" if v["body_diag"] != "{}" else None; yield "body_diag", w
            if check.layer1(v["input"], "input").header.time > 600000:
                w = m(v); w["context"]["now"] = 0; yield "now=0", w      # MSG-2 must fail
        elif v["outcome"] == "invalid":
            w = m(v); w["error"] = "msg.wrong_type" if v["error"] != "msg.wrong_type" \
                else "msg.unknown_field"; yield "error", w
        else:
            w = m(v); w["missing"] = list(reversed(v["missing"])) + [{"what": "key_authorization"}]
            yield "missing", w
    elif f == "accounts.json":
        if v["type"] == "operations":
            for i, op in enumerate(v["operations"]):
                w = m(v); w["operations"][i]["status"] = "waiting" if op["status"] != "waiting" \
                    else "valid"; yield "status %d" % i, w
            if "state" in v:
                w = m(v); w["state"]["head"] = flip_hex(v["state"]["head"]); yield "head", w
                w = m(v); w["state"]["roots"] = list(reversed(v["state"]["roots"])) + ["00" * 32]
                yield "roots", w
        else:
            w = m(v); w["expected"] = "auth.expired" if v["expected"] != "auth.expired" \
                else "authorized"; yield "expected", w
    elif f == "merge.json":
        w = m(v); w["digest"] = flip_hex(v["digest"]); yield "digest", w
        w = m(v); w["summary"] = v["summary"][:-2] + ("81" if v["summary"][-2:] != "81" else "80")
        yield "summary", w
        w = m(v); w["summary_diag"] = v["summary_diag"] + " "; yield "summary_diag", w
        if v.get("applied"):
            w = m(v); w["applied"][0]["labels"] = w["applied"][0]["labels"][1:] + [["00" * 32, "x"]]
            yield "applied", w
    elif f == "dm.json":
        if v["valid"]:
            w = m(v); w["valid"] = False; w["error"] = "dm.tampered"; yield "valid->invalid", w
            keys = {"seal": ("sealed", "nonce", "aead_key", "padded", "tag", "pq_ciphertext",
                             "pq_shared", "dh1", "dh2", "slot_mask", "slot_check", "commitment"),
                    "open": ("inner", "inner_id", "device"), "prekey": ("device",),
                    "group": ("head",), "stamp": tuple(k for k in ("item", "work") if k in v),
                    "admit": (), "relay": (), "service": (),
                    "choose": tuple(k for k in ("chosen", "key") if v.get(k)), "report_open": ("inner", "report_id", "reporter"),
                    "report_seal": ("sealed", "nonce", "aead_key", "padded", "commitment")}[v["type"]]
            for k in keys:
                w = m(v); w[k] = flip_hex(v[k]); yield k, w
            if v["type"] == "service":
                w = m(v); w["reasons"] = v["reasons"][::-1] + ["hate"]; yield "reasons", w
                w = m(v); w["labels"] = v["labels"] + ["spoiler"]; yield "labels", w
                w = m(v); w["keys"] = [flip_hex(v["keys"][0])] + v["keys"][1:]; yield "keys", w
            if v["type"] == "open":
                w = m(v); w["onetime"] = 5 if v["onetime"] is None else None; yield "onetime", w
            if v["type"] == "relay":
                w = m(v); w["filed"] = not v["filed"]; yield "filed", w
        else:
            if v["type"] == "group" and v["head"] is not None:
                w = m(v); w["head"] = flip_hex(v["head"]); yield "head", w
            w = m(v); w["error"] = "dm.padding" if v["error"] != "dm.padding" else "dm.tampered"
            yield "error", w
    elif f == "sync.json":
        if v["valid"]:
            keys = {"fingerprint": ("fingerprint", "key"), "session": (), "reply": ("reply",),
                    "heads": ("digest", "page"), "name": ()}[v["type"]]
            if v["type"] == "name":
                w = m(v); w["valid"] = False; w["error"] = "sync.name_record"; yield "valid", w
            for k in keys:
                w = m(v); w[k] = flip_hex(v[k]); yield k, w
            if v["type"] == "fingerprint" and v["tags"]:
                w = m(v); w["tags"][0] = flip_hex(v["tags"][0]); yield "tags", w
            if v["type"] == "heads" and v["keys"]:
                w = m(v); w["keys"][0][1] += 1; yield "keys", w
            if v["type"] == "reply":
                w = m(v); w["have"] = v["have"][1:]; yield "have", w
            if v["type"] == "session":
                w = m(v); w["frames"][-1] = flip_hex(v["frames"][-1]); yield "frames", w
                w = m(v); w["need"] = v["need"][1:] if v["need"] else ["00" * 32]; yield "need", w
                w = m(v); w["have"] = v["have"][1:] if v["have"] else ["00" * 32]; yield "have", w
        else:
            w = m(v); w["error"] = "sync.payload" if v["error"] != "sync.payload" else "sync.mode"
            yield "error", w


def main():
    quiet = "--quiet" in sys.argv[1:]
    vdir = os.path.dirname(HERE)
    missed = []
    total = 0
    for f, checker in check.CHECKERS.items():
        path = os.path.join(vdir, f)
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
        n = 0
        for v in doc["vectors"]:
            for label, w in mutations(f, v):
                if w is None:
                    continue
                n += 1
                try:
                    checker(w)
                except check.Disagreement:
                    continue
                except Exception as e:  # the checker must disagree, not crash
                    missed.append((f, v["id"], label, "crash %r" % (e,)))
                    continue
                missed.append((f, v["id"], label, "not detected"))
        total += n
        if not quiet:
            print("%-24s %d mutations" % (f, n))
    for f, vid, label, why in missed:
        print("  MISSED %s %s [%s]: %s" % (f, vid, label, why))
    print("selftest: %d mutations, %d detected, %d missed" % (total, total - len(missed), len(missed)))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
