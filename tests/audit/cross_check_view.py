"""Cross-check for the `wm_` tests of `tests/audit_accounts.rs` (audit-wm): as `cross_check.py`,
with the rest of the compared account view (06 §6): the last final operation, the duplicitous
witnesses and the deactivation time."""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from cross_check import accounts, envelope, python_view  # noqa: E402


def full_view(case):
    st = accounts.Accounts()
    for hexmsg in case["ops"]:
        st.apply(envelope.verify_message(bytes.fromhex(hexmsg)))
    view = st.view(bytes.fromhex(case["account"]))
    out = python_view(case)
    out["final"] = view["final"]
    out["duplicitous"] = view["duplicitous"]
    out["deactivated"] = view["deactivated"]
    return out


def main(path):
    cases = json.load(open(path))
    bad = 0
    for i, case in enumerate(cases):
        rust = dict(case["rust"])
        rust["contested"] = sorted(rust["contested"])
        rust["duplicitous"] = sorted(rust["duplicitous"])
        py = full_view(case)
        if py != rust:
            bad += 1
            if bad <= 3:
                diff = {k: (rust.get(k), py.get(k)) for k in set(rust) | set(py) if rust.get(k) != py.get(k)}
                print(f"case {i}: rust vs python differ on {diff}")
    print(f"{len(cases)} cases, {bad} disagreements")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
