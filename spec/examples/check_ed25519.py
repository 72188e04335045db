"""Re-derive the claims of spec/03-signatures.md (informative).

Usage:
    python3 check_ed25519.py [EXTERNAL_DIR]

Needs only the Python standard library (skylark_ref.py imports blake3 lazily,
and this script never calls it). Without EXTERNAL_DIR it checks the
small-order table only. With EXTERNAL_DIR (a folder holding cctv-ed25519/,
ed25519-speccheck/ and wycheproof-ed25519/ as copied from the public suites)
it also prints the verdict and error code of every vector under the Skylark
predicate and checks them against the expectations stated in the spec.
"""

import collections
import json
import os
import sys

import skylark_ref as s

SMALL_ORDER_TABLE = [
    "0000000000000000000000000000000000000000000000000000000000000000",  # order 4
    "0000000000000000000000000000000000000000000000000000000000000080",  # order 4
    "0100000000000000000000000000000000000000000000000000000000000000",  # order 1
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",  # order 8
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",  # order 8
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",  # order 8
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",  # order 8
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # order 2
]


def order_dividing_8(pt):
    for n in (1, 2, 4, 8):
        if s.is_identity(s.scalar_mult(n, pt)):
            return n
    return None


def check_table():
    # A point of order 8: [L]Q for a point Q whose torsion component has order 8.
    gen = None
    y = 2
    while gen is None:
        q = s.decode_point(y.to_bytes(32, "little"))
        y += 1
        if q is None:
            continue
        t = s.scalar_mult(s.L, q)
        if order_dividing_8(t) == 8:
            gen = t
    # The torsion subgroup of E(F_p) has order 8 (|E| = 8*L, L prime) and
    # contains a point of order 8, so it is cyclic: its elements are [i]gen.
    torsion = [s.scalar_mult(i, gen) for i in range(8)]
    encs = sorted(s.encode_point(t).hex() for t in torsion)
    assert len(set(encs)) == 8
    assert encs == sorted(SMALL_ORDER_TABLE), encs
    for h in SMALL_ORDER_TABLE:
        b = bytes.fromhex(h)
        assert s.is_canonical_encoding(b)
        pt = s.decode_point(b)
        assert pt is not None and s.encode_point(pt) == b
        print(h, "order", order_dividing_8(pt))
    print("small-order table: the 8 canonical encodings of E[8] match the table")


def verdict(key, msg, sig):
    try:
        s.verify(key, msg, sig)
        return "valid"
    except s.SkylarkError as e:
        return e.code


def run_cctv(path):
    vecs = json.load(open(path))
    mismatches = 0
    counts = collections.Counter()
    for v in vecs:
        got = verdict(bytes.fromhex(v["key"]), v["msg"].encode(), bytes.fromhex(v["sig"]))
        f = set(v["flags"] or [])
        if "non_canonical_A" in f:
            want = "key.non_canonical"
        elif "low_order_A" in f:
            want = "key.small_order"
        elif "non_canonical_R" in f:
            want = "sig.non_canonical_r"
        else:
            want = "valid"
        counts[got] += 1
        if got != want:
            mismatches += 1
            print("CCTV mismatch", v["number"], sorted(f), got, want)
    print("CCTV:", len(vecs), "vectors,", dict(counts), "mismatches:", mismatches)
    return mismatches


SPECCHECK_EXPECTED = ["key.small_order", "key.small_order", "valid", "valid",
                      "valid", "valid", "sig.non_canonical_s", "sig.non_canonical_s",
                      "sig.non_canonical_r", "sig.non_canonical_r",
                      "key.non_canonical", "key.non_canonical"]


def run_speccheck(path):
    vecs = json.load(open(path))
    mismatches = 0
    for i, v in enumerate(vecs):
        got = verdict(bytes.fromhex(v["pub_key"]), bytes.fromhex(v["message"]),
                      bytes.fromhex(v["signature"]))
        ok = got == SPECCHECK_EXPECTED[i]
        mismatches += not ok
        print(f"speccheck {i:2d}: {got}{'' if ok else '  MISMATCH, expected ' + SPECCHECK_EXPECTED[i]}")
    return mismatches


def run_wycheproof(path):
    doc = json.load(open(path))
    mismatches = 0
    counts = collections.Counter()
    for g in doc["testGroups"]:
        pk = bytes.fromhex(g["publicKey"]["pk"])
        for t in g["tests"]:
            got = verdict(pk, bytes.fromhex(t["msg"]), bytes.fromhex(t["sig"]))
            counts[(t["result"], got)] += 1
            if (t["result"] == "valid") != (got == "valid"):
                mismatches += 1
                print("Wycheproof mismatch", t["tcId"], t["result"], got, t["comment"])
    print("Wycheproof:", sum(counts.values()), "cases;",
          ", ".join(f"{r}->{c}: {n}" for (r, c), n in sorted(counts.items())),
          "; mismatches:", mismatches)
    return mismatches


if __name__ == "__main__":
    check_table()
    if len(sys.argv) > 1:
        ext = sys.argv[1]
        bad = run_speccheck(os.path.join(ext, "ed25519-speccheck", "cases.json"))
        bad += run_cctv(os.path.join(ext, "cctv-ed25519", "ed25519vectors.json"))
        bad += run_wycheproof(os.path.join(ext, "wycheproof-ed25519", "ed25519_test.json"))
        print("ALL CONSISTENT" if bad == 0 else f"{bad} MISMATCHES")
        sys.exit(1 if bad else 0)
