"""Cross-check for `tests/audit_accounts.rs::python_checker_agrees_on_random_trees`: applies each
random tree's operations with the independent Python checker (`test-vectors/python`) and compares
the head, contested list, roots, encryption key version and revocations with the crate's."""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "test-vectors", "python"))

from skylark_check import accounts, envelope  # noqa: E402


def python_view(case):
    st = accounts.Accounts()
    for hexmsg in case["ops"]:
        st.apply(envelope.verify_message(bytes.fromhex(hexmsg)))
    account = bytes.fromhex(case["account"])
    view = st.view(account)
    return {
        "head": view["head"],
        "contested": sorted(view["contested"]),
        "roots": view["roots"],
        "enc": None if view["encryption"] is None else view["encryption"]["version"],
        "revocations": {a["key"]: a["revocation"] for a in view["apps"]},
    }


def main(path):
    cases = json.load(open(path))
    bad = 0
    for i, case in enumerate(cases):
        rust = dict(case["rust"])
        rust["contested"] = sorted(rust["contested"])
        py = python_view(case)
        if py != rust:
            bad += 1
            if bad <= 3:
                print(f"case {i}: rust {rust}\n        python {py}")
    print(f"{len(cases)} cases, {bad} disagreements")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
