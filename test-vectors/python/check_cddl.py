"""Checks every valid vector against the CDDL appendix, spec/appendix-cddl.cddl, with pycddl.

This checks structure only. CDDL cannot see canonical form; the strict decoder in check.py covers that.

pycddl (the Rust `cddl` crate) has three limits, handled here as follows:
- It cannot apply `.regexp` to map keys. Namespaced extension keys (`* namespaced-key => any`) are
  therefore checked here in Python: they must contain a dot. The check copy of the schema has the
  maps closed, and every dotted key is removed from the data before it is validated.
- It does not apply a `.regexp` that sits inside `.and`. The check copy uses the `-shape` regexp rule
  directly, and the string lengths are checked by check.py.
- It tries only the first alternative of a named choice used as an array element. The check copy
  writes those alternatives inline.
- It accepts any map against a map type whose entries are all optional when no key matches (so
  `{"text": 5}` passes as a post body, while `{"text": "a", "langs": 5}` fails). That gap stays; the
  body rules of check.py cover those fields.
The appendix itself is parsed unmodified first.
"""
import json, os, re, sys

import cbor2, pycddl

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
text = open(os.path.join(ROOT, "spec", "appendix-cddl.cddl")).read()
pycddl.Schema(text)  # the appendix as written parses

v = re.sub(r"(?m)^\s*\* namespaced-key => any,?[^\n]*\n", "", text)
v = re.sub(r",\s*\* namespaced-key => any", "", v)
v = re.sub(r"(?m)^([a-z-]+) = \(tstr \.size \([0-9.]+\)\) \.and ([a-z-]+-shape)", r"\1 = \2", v)
v = re.sub(r"(?m)^msg-text = .*$", "msg-text = tstr .size 56", v)
v = re.sub(r"(?m)^acct-text = .*$", "acct-text = tstr .size 57", v)
v = v.replace("ids: [2* id]]", "ids: [* id]]")


def inline_array_choices(src):
    rules = {}
    for m in re.finditer(r"(?ms)^([a-z][a-z0-9-]*) = (.*?)(?=^\S|\Z)", src):
        body = re.sub(r";[^\n]*", "", m.group(2)).strip()
        if " / " in body and not body.startswith("{") and not body.startswith("["):
            rules[m.group(1)] = " ".join(body.split())
    def repl(m):
        name = m.group(2)
        return f"[{m.group(1)}({rules[name]})]" if name in rules else m.group(0)
    return re.sub(r"\[(\d*\*\d* ?)([a-z][a-z0-9-]*)\]", repl, src)


v = inline_array_choices(v)
schemas = {}


def strip_namespaced(value):
    """Removes the dotted (namespaced) keys of every map, after checking they are the only ones removed."""
    if isinstance(value, dict):
        return {k: strip_namespaced(x) for k, x in value.items() if not (isinstance(k, str) and "." in k)}
    if isinstance(value, list):
        return [strip_namespaced(x) for x in value]
    return value


def check(rule, data, strip=True):
    if rule not in schemas:
        schemas[rule] = pycddl.Schema(f"check-root = {rule}\n" + v)
    if strip:
        data = cbor2.dumps(strip_namespaced(cbor2.loads(data)), canonical=True)
    schemas[rule].validate_cbor(data)


CORE = {"profile", "post", "edit", "delete", "react", "unreact", "repost", "unrepost", "follow",
        "unfollow", "block", "unblock", "label", "report", "genesis", "roots", "delegate", "revoke",
        "enckey", "receipt", "prekey", "service"}


def main():
    passed = failed = 0

    def run(what, rule, data, strip=True):
        nonlocal passed, failed
        try:
            check(rule, data, strip)
            passed += 1
        except pycddl.ValidationError as e:
            failed += 1
            print(f"FAIL {what}: {rule}: {str(e).splitlines()[0][:200]}")

    def parts(hex_message, what):
        raw = bytes.fromhex(hex_message)
        run(what + " message", "message", raw, strip=False)
        outer = cbor2.loads(raw)
        run(what + " header", "header", outer["h"], strip=False)
        kind = cbor2.loads(outer["h"])["kind"]
        if "b" in outer:
            run(what + " body", f"{kind}-body" if kind in CORE else "extension-body", outer["b"],
                strip=kind in CORE)

    def vectors(name):
        return json.load(open(os.path.join(ROOT, "test-vectors", name)))["vectors"]

    for vec in vectors("envelopes.json"):
        if vec["valid"]:
            parts(vec["input"], vec["id"])
    for vec in vectors("messages.json"):
        if vec["outcome"] == "valid":
            parts(vec["input"], vec["id"])
    for vec in vectors("accounts.json"):
        for op in vec.get("operations", []):
            if op["status"] == "valid":
                parts(op["message"], vec["id"])
    for vec in vectors("merge.json"):
        run(vec["id"] + " summary", "summary", bytes.fromhex(vec["summary"]), strip=False)
        for m in vec["messages"]:
            parts(m, vec["id"])

    for vec in vectors("dm.json"):
        if vec["valid"]:
            if "message" in vec:
                parts(vec["message"], vec["id"])
            if "inner" in vec and vec["type"].startswith("report_"):
                inner = bytes.fromhex(vec["inner"])
                run(vec["id"] + " inner", "report-inner", inner, strip=False)
                run(vec["id"] + " payload", "report-payload", cbor2.loads(inner)[0])
            elif "inner" in vec:
                inner = bytes.fromhex(vec["inner"])
                run(vec["id"] + " inner", "dm-inner", inner, strip=False)
                run(vec["id"] + " payload", "dm-payload", cbor2.loads(inner)[0])
                group = cbor2.loads(cbor2.loads(inner)[0]).get("group")
                if group is not None:
                    run(vec["id"] + " group record", "dm-group-record", group, strip=False)
                    run(vec["id"] + " group payload", "dm-group-payload", cbor2.loads(group)[0])
            if vec["type"] == "group":
                record = bytes.fromhex(vec["record"])
                run(vec["id"] + " group record", "dm-group-record", record, strip=False)
                run(vec["id"] + " group payload", "dm-group-payload", cbor2.loads(record)[0])

    # The check has teeth: bodies that break the schema are rejected.
    for rule, bad in [("post-body", {"text": "a", "langs": 5}), ("post-body", {"text": "a", "x": 1}),
                      ("post-body", {"labels": ["spam"]}), ("post-body", {"embeds": [{"type": "card"}]}),
                      ("follow-body", {}), ("delegate-body", {"app": b"\0" * 32}),
                      ("dm-payload", {"acct": b"\0" * 32, "key": b"\0" * 32, "time": 1, "to": [], "text": "a"}),
                      ("dm-group-payload", {"acct": b"\0" * 32, "key": b"\0" * 32, "time": 1,
                                            "members": [], "admins": [b"\0" * 32]}),
                      ("prekey-body", {"device": b"\0" * 16, "key": b"\0" * 31, "pq": b"\0" * 1184,
                                       "onetime": [], "expires": 1}),
                      ("dm-gate", {"accept": "friends", "pow": 1, "tokens": []}),
                      ("dm-gate", {"accept": "all", "pow": 33, "tokens": []})]:
        try:
            check(rule, cbor2.dumps(bad, canonical=True))
            failed += 1
            print(f"FAIL {rule} accepted an invalid body: {bad}")
        except pycddl.ValidationError:
            passed += 1

    print(f"cddl: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
