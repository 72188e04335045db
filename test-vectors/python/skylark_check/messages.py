"""Layer 2 (spec 05): validation of a layer-1 message against a context.

validate(message, context) -> Outcome, one of
  Outcome("valid", kind=..., body=CMap or None)      (None: withheld remainder)
  Outcome("invalid", code=...)
  Outcome("undecided", missing=[...])                ("key_authorization", hex ids)
"""

import re

from . import accounts
from .cbor import CMap, is_uint
from .envelope import kind_ok
from .errors import Reject

SOCIAL_KINDS = ("profile", "post", "edit", "delete", "react", "unreact", "repost",
                "unrepost", "follow", "unfollow", "block", "unblock", "label", "report",
                "gate")
OPERATION_KINDS = accounts.OPERATION_KINDS
MAX_53 = 2 ** 53 - 1
SKEW = 600000

WHITESPACE = frozenset([0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680]
                       + list(range(0x2000, 0x200B))
                       + [0x2028, 0x2029, 0x202F, 0x205F, 0x3000])
assert len(WHITESPACE) == 25
CONTROLS = frozenset(list(range(0x00, 0x20)) + list(range(0x7F, 0xA0)))

VOCABULARY = ("!hide", "!warn", "porn", "sexual", "nudity", "graphic-media", "gore",
              "spoiler", "spam", "impersonation", "misleading", "hate", "harassment",
              "self-harm")
SELF_LABELS = ("porn", "sexual", "nudity", "graphic-media", "gore", "spoiler")
REASONS = ("spam", "impersonation", "misleading", "sexual", "violence", "harassment",
           "hate", "self-harm", "illegal", "other")

LANG_RE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*\Z")
MEDIA_PART = r"[a-z0-9!#$&^_.+\-]{1,63}"
MEDIA_RE = re.compile(MEDIA_PART + "/" + MEDIA_PART + r"\Z")


def fail(code):
    raise Reject(code)


# ---------------------------------------------------------------------------
# Field discipline (§3) and common types (§4)

def discipline(m, schema, required):
    """Steps 1..3 of the field-check order of §3.1."""
    if not isinstance(m, CMap):
        fail("msg.wrong_type")
    for k in m.keys():
        if k not in schema and "." not in k:
            fail("msg.unknown_field")
    for k in required:
        if k not in m:
            fail("msg.missing_field")


def schema_items(m, schema):
    """Step 4: the values of the schema's keys that are present, in encoded key
    order (namespaced keys are not checked)."""
    return [(k, v) for k, v in m.items() if k in schema]


def check_text(v, max_scalars, max_bytes):
    if type(v) is not str:
        fail("msg.wrong_type")
    if len(v) == 0:
        fail("msg.too_short")
    if len(v) > max_scalars or len(v.encode("utf-8")) > max_bytes:
        fail("msg.too_long")


def check_list(v, max_count):
    if type(v) is not list:
        fail("msg.wrong_type")
    if len(v) == 0:
        fail("msg.too_short")
    if len(v) > max_count:
        fail("msg.too_many")


def check_uint(v):
    if not is_uint(v):
        fail("msg.wrong_type")


def check_id(v):
    if type(v) is not bytes or len(v) != 32:
        fail("msg.wrong_type")


def url_ok(s):
    b = s.encode("utf-8")
    if len(b) > 2048:
        return False
    if not all(0x21 <= c <= 0x7E for c in b):
        return False
    return (b.startswith(b"https://") and len(b) > 8) or (b.startswith(b"http://") and len(b) > 7)


def check_url(v):
    if type(v) is not str:
        fail("msg.wrong_type")
    if not url_ok(v):
        fail("msg.invalid_url")                                     # MSG-5


def lang_ok(s):
    b = s.encode("utf-8")
    return 2 <= len(b) <= 35 and LANG_RE.match(s) is not None and s.isascii()


def media_type_ok(s):
    return s.isascii() and len(s.encode("utf-8")) <= 127 and MEDIA_RE.match(s) is not None


def has_whitespace(s):
    return any(ord(c) in WHITESPACE for c in s)


def has_control(s):
    return any(ord(c) in CONTROLS for c in s)


def custom_label_ok(s):
    return "." in s and kind_ok(s)


def check_media(m):
    """§4.4 (MSG-1, MEDIA-1..MEDIA-5)."""
    schema = ("alt", "hash", "mime", "size", "width", "height")
    discipline(m, schema, ("hash", "mime", "size"))
    for k, v in schema_items(m, schema):
        if k == "alt":
            check_text(v, 2000, 8000)                                # MEDIA-5
        elif k == "hash":
            check_id(v)                                              # MEDIA-1 (unchecked)
        elif k == "mime":
            if type(v) is not str:
                fail("msg.wrong_type")
            if not media_type_ok(v):
                fail("msg.invalid_media_type")                       # MEDIA-2
        elif k == "size":
            check_uint(v)
            if not (1 <= v <= 104857600):
                fail("msg.out_of_range")                             # MEDIA-3
        elif k in ("width", "height"):
            check_uint(v)
            if not (1 <= v <= 65535):
                fail("msg.out_of_range")                             # MEDIA-4
    has_w = "width" in m
    has_h = "height" in m
    if has_w != has_h:
        fail("msg.dimensions")
    if m["mime"].startswith(("image/", "video/")) and not has_w:
        fail("msg.dimensions")


FACET_FIELD = {"mention": "account", "link": "url", "tag": "tag"}


def check_facet(f, text):
    schema = ("end", "tag", "url", "type", "start", "account")
    discipline(f, schema, ("start", "end", "type"))
    for k, v in schema_items(f, schema):
        if k in ("end", "start"):
            check_uint(v)
        elif k == "tag":
            check_text(v, 64, 640)                                   # FACET-2
            if has_whitespace(v):
                fail("msg.invalid_tag")
        elif k == "url":
            check_url(v)
        elif k == "type":
            if type(v) is not str:
                fail("msg.wrong_type")
            if v not in FACET_FIELD:
                fail("msg.invalid_facet_type")                       # FACET-1
            need = FACET_FIELD[v]
            for other in ("account", "url", "tag"):
                if (other in f) != (other == need):
                    fail("msg.facet_fields")                         # FACET-2
        elif k == "account":
            check_id(v)
    if text is not None:
        tb = text.encode("utf-8")
        start, end = f["start"], f["end"]
        if not (start < end <= len(tb)):
            fail("msg.facet_range")                                  # FACET-3
        for off in (start, end):
            if off != len(tb) and (tb[off] & 0xC0) == 0x80:
                fail("msg.facet_boundary")                           # FACET-4


def check_facets(v, text):
    check_list(v, 64)
    prev_end = None
    mentions = 0
    for f in v:
        check_facet(f, text)
        if prev_end is not None and f["start"] < prev_end:
            fail("msg.facet_order")                                  # FACET-5
        prev_end = f["end"]
        if f["type"] == "mention":
            mentions += 1
            if mentions > 10:
                fail("msg.too_many_mentions")                        # FACET-7


def check_langs(v):
    check_list(v, 3)
    seen = []
    for t in v:
        if type(t) is not str:
            fail("msg.wrong_type")
        if not lang_ok(t):
            fail("msg.invalid_lang")                                 # MSG-6
        if t.lower() in seen:
            fail("msg.duplicate")
        seen.append(t.lower())


def check_self_labels(v):
    check_list(v, 8)
    seen = []
    for t in v:
        if type(t) is not str:
            fail("msg.wrong_type")
        if not (t in SELF_LABELS or custom_label_ok(t)):
            fail("msg.invalid_label")                                # LABEL-2
        if t in seen:
            fail("msg.duplicate")                                    # POST-4
        seen.append(t)


def check_embed(e):
    if not isinstance(e, CMap):
        fail("msg.wrong_type")
    if "type" not in e:
        fail("msg.missing_field")
    t = e["type"]
    if type(t) is not str:
        fail("msg.wrong_type")
    if t not in ("media", "card"):
        fail("msg.invalid_embed_type")                               # POST-3
    if t == "media":
        schema = ("type", "media")
        discipline(e, schema, ("type", "media"))
        for k, v in schema_items(e, schema):
            if k == "media":
                check_media(v)
    else:
        schema = ("url", "type", "thumb", "title", "description")
        discipline(e, schema, ("type", "url"))
        for k, v in schema_items(e, schema):
            if k == "url":
                check_url(v)
            elif k == "thumb":
                check_media(v)
            elif k == "title":
                check_text(v, 300, 1200)
            elif k == "description":
                check_text(v, 1000, 4000)


def check_embeds(v):
    check_list(v, 4)
    for e in v:
        check_embed(e)


def check_reply(v):
    schema = ("root", "parent")
    discipline(v, schema, ("root", "parent"))
    for _, x in schema_items(v, schema):
        check_id(x)


def _cards(body):
    return sum(1 for e in body.get("embeds", []) if e["type"] == "card")


# ---------------------------------------------------------------------------
# The kinds (§5). Each body function raises Reject on the first failure and
# returns the list of lookups: (id, check(header)) in order.

_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")


def name_ok(s):
    """PROFILE-3: a lower-case ASCII DNS name, >= 2 labels, <= 253 bytes, no label with "--" at
    bytes 3..4 (no IDNA A-labels), the last label starting with a letter."""
    if len(s.encode("utf-8")) > 253:
        return False
    labels = s.split(".")
    if len(labels) < 2:
        return False
    for label in labels:
        if not _LABEL.fullmatch(label) or label[2:4] == "--":
            return False
    return "a" <= labels[-1][0] <= "z"


def host_ok(s):
    """PROFILE-2: https:// NAME [":" PORT], port 1..65535 without leading zeros, nothing else."""
    m = re.fullmatch(r"https://([^:]*)(?::([1-9][0-9]{0,4}))?", s)
    return bool(m) and name_ok(m.group(1)) and (m.group(2) is None or int(m.group(2)) <= 65535)


def body_profile(b, h):
    schema = ("bio", "name", "links", "avatar", "banner", "hosts", "handle")
    discipline(b, schema, ())
    for k, v in schema_items(b, schema):
        if k == "bio":
            check_text(v, 256, 1024)
        elif k == "name":
            check_text(v, 64, 256)
        elif k == "links":
            check_list(v, 4)
            for u in v:
                check_url(u)
        elif k == "hosts":
            check_list(v, 4)
            for i, u in enumerate(v):
                if type(u) is not str:
                    fail("msg.wrong_type")
                if not host_ok(u):
                    fail("msg.invalid_host")                          # PROFILE-2
                if u in v[:i]:
                    fail("msg.duplicate")                             # PROFILE-2
        elif k == "handle":
            if type(v) is not str:
                fail("msg.wrong_type")
            if not name_ok(v):
                fail("msg.invalid_name")                              # PROFILE-3
        else:
            check_media(v)
            if not v["mime"].startswith("image/"):
                fail("msg.invalid_media_type")                       # PROFILE-1
    return []


def body_post(b, h):
    schema = ("text", "langs", "quote", "reply", "embeds", "facets", "labels", "quote_version")
    discipline(b, schema, ())
    for k, v in schema_items(b, schema):
        if k == "text":
            check_text(v, 1000, 3000)
        elif k == "langs":
            check_langs(v)
        elif k in ("quote", "quote_version"):
            check_id(v)
        elif k == "reply":
            check_reply(v)
        elif k == "embeds":
            check_embeds(v)
        elif k == "facets":
            check_facets(v, b.get("text"))
        elif k == "labels":
            check_self_labels(v)
    if "facets" in b and "text" not in b:
        fail("msg.facet_range")                                      # FACET-6
    if not any(k in b for k in ("text", "embeds", "quote")):
        fail("msg.empty_post")                                       # POST-1
    if _cards(b) > 1:
        fail("msg.too_many")                                         # POST-2
    if "quote_version" in b and "quote" not in b:
        fail("msg.missing_field")                                    # POST-6
    return []


def _own(P, h):
    if P.acct != h.acct:
        fail("msg.not_own_target")


def _reach(P, h, ctx, record):
    """After the kind check: no target newer than the message; another key's
    message only with the capability cap:others (06 §5.4, AUTH-7)."""
    if P.time > h.time:
        fail("msg.target_newer")
    if P.key != h.key:
        answer = ctx.others(h)
        if answer[0] == "unknown":
            record(answer[1])
        elif answer[0] != "authorized":
            fail("msg.other_key_target")


def body_edit(b, h):
    schema = ("text", "langs", "embeds", "facets", "labels", "target", "replaces")
    discipline(b, schema, ("target", "replaces"))
    for k, v in schema_items(b, schema):
        if k == "text":
            check_text(v, 1000, 3000)
        elif k == "langs":
            check_langs(v)
        elif k == "embeds":
            check_embeds(v)
        elif k == "facets":
            check_facets(v, b.get("text"))
        elif k == "labels":
            check_self_labels(v)
        else:
            check_id(v)
    if "facets" in b and "text" not in b:
        fail("msg.facet_range")                                      # FACET-6
    if "text" not in b and "embeds" not in b:
        fail("msg.empty_post")                                       # EDIT-1
    if _cards(b) > 1:
        fail("msg.too_many")                                         # POST-2
    target, replaces = b["target"], b["replaces"]

    def edit2(P):
        _own(P, h)
        if P.kind != "post":
            fail("msg.target_kind")

    def edit3(P):
        _own(P, h)
        if not (P.kind == "edit" or (P.kind == "post" and replaces == target)):
            fail("msg.target_kind")

    return [(target, edit2), (replaces, edit3)]


def _target_only(b):
    discipline(b, ("target",), ("target",))
    check_id(b["target"])
    return b["target"]


def body_delete(b, h):
    t = _target_only(b)

    def delete1(P):
        _own(P, h)
        if P.kind == "delete" or P.kind in OPERATION_KINDS:
            fail("msg.target_kind")

    return [(t, delete1)]


def body_react(b, h):
    schema = ("emoji", "target", "version")
    discipline(b, schema, ("target",))
    for k, v in schema_items(b, schema):
        if k == "emoji":
            check_text(v, 16, 64)                                    # REACT-1
            if has_whitespace(v) or has_control(v):
                fail("msg.invalid_emoji")
        else:
            check_id(v)                                              # target, version
    return []


def _undo(kind_undone):
    def body(b, h):
        t = _target_only(b)

        def undo1(P):
            _own(P, h)
            if P.kind != kind_undone:
                fail("msg.target_kind")

        return [(t, undo1)]
    return body


def body_repost(b, h):
    schema = ("target", "version")
    discipline(b, schema, ("target",))
    for _, v in schema_items(b, schema):
        check_id(v)
    return []


def body_graph(b, h):
    discipline(b, ("subject",), ("subject",))
    check_id(b["subject"])
    if b["subject"] == h.acct:
        fail("msg.self_reference")                                   # GRAPH-1
    return []


def body_label(b, h):
    schema = ("value", "negate", "account", "expires", "message")
    discipline(b, schema, ("value",))
    for k, v in schema_items(b, schema):
        if k == "value":
            if type(v) is not str:
                fail("msg.wrong_type")
            if not (v in VOCABULARY or custom_label_ok(v)):
                fail("msg.invalid_label")                            # LABEL-2
        elif k == "negate":
            if type(v) is not bool:
                fail("msg.wrong_type")
            if v is not True:
                fail("msg.non_canonical_flag")                       # LABEL-3
        elif k == "expires":
            check_uint(v)
            if not (h.time < v <= MAX_53):
                fail("msg.out_of_range")                             # LABEL-4
        else:
            check_id(v)
    if ("account" in b) == ("message" in b):
        fail("msg.subject")                                          # LABEL-1
    return []


def body_report(b, h):
    schema = ("text", "reason", "account", "message", "service")
    discipline(b, schema, ("service", "reason"))
    for k, v in schema_items(b, schema):
        if k == "text":
            check_text(v, 1000, 4000)
        elif k == "reason":
            if type(v) is not str:
                fail("msg.wrong_type")
            if v not in REASONS:
                fail("msg.invalid_reason")                           # REPORT-1
        else:
            check_id(v)
    if ("account" in b) == ("message" in b):
        fail("msg.subject")                                          # REPORT-2
    return []


AUDIENCES = ("followers", "mentioned", "following", "nobody")


def check_audiences(v):
    check_list(v, 3)
    seen = []
    for a in v:
        if type(a) is not str:
            fail("msg.wrong_type")
        if a not in AUDIENCES:
            fail("msg.invalid_audience")                             # GATE-1
        if a in seen:
            fail("msg.duplicate")                                    # GATE-1
        seen.append(a)
    if len(seen) > 1 and "nobody" in seen:
        fail("msg.invalid_audience")                                 # GATE-1


def body_gate(b, h):
    schema = ("quote", "reply", "hidden", "target")
    discipline(b, schema, ("target",))
    for k, v in schema_items(b, schema):
        if k in ("quote", "reply"):
            check_audiences(v)
        elif k == "hidden":
            check_list(v, 50)
            for i, x in enumerate(v):
                check_id(x)
                if x in v[:i]:
                    fail("msg.duplicate")                            # GATE-1
        else:
            check_id(v)

    def gate2(P):
        _own(P, h)
        if P.kind != "post":
            fail("msg.target_kind")

    return [(b["target"], gate2)]


BODY_RULES = {
    "profile": body_profile,
    "post": body_post,
    "edit": body_edit,
    "delete": body_delete,
    "react": body_react,
    "unreact": _undo("react"),
    "repost": body_repost,
    "unrepost": _undo("repost"),
    "follow": body_graph,
    "unfollow": body_graph,
    "block": body_graph,
    "unblock": body_graph,
    "label": body_label,
    "gate": body_gate,
}
# REPORT-3: a public report is refused before its body is read (step 0); body_report checks the
# body of a sealed report (08 §14, dm.py).
assert set(BODY_RULES) == set(SOCIAL_KINDS) - {"report"}


# ---------------------------------------------------------------------------
# Validation (§2)

class Outcome:
    __slots__ = ("outcome", "code", "missing", "kind", "body")

    def __init__(self, outcome, code=None, missing=None, kind=None, body=None):
        self.outcome = outcome
        self.code = code
        self.missing = missing
        self.kind = kind
        self.body = body

    def __repr__(self):
        if self.outcome == "invalid":
            return "invalid %s" % self.code
        if self.outcome == "undecided":
            return "undecided %s" % self.missing
        return "valid %s" % self.kind


class Context:
    """now; authorization(header, id) -> ("authorized",) / ("denied", code) /
    ("unknown", item); lookup(id) -> Header or None; others(header) -> the
    same answers for "does the key hold cap:others?" (default: denied)."""

    def __init__(self, now, authorization, lookup, others=None):
        self.now = now
        self.authorization = authorization
        self.lookup = lookup
        self.others = others or (lambda h: ("denied", "auth.out_of_scope"))


# The control kinds (MSG-7): a stripped remainder of one is undecided, missing
# its body.
CONTROL_KINDS = ("profile", "edit", "delete", "unreact", "unrepost", "follow",
                 "unfollow", "block", "unblock", "label", "gate")


def _item(x):
    return x.hex() if isinstance(x, bytes) else x


def validate(msg, ctx):
    h = msg.header
    kind = h.kind
    missing = []

    def record(item):
        item = _item(item)
        if item not in missing:
            missing.append(item)

    try:
        # 0. DM-14 (08): a direct message is never a public message
        if kind == "dm":
            fail("dm.not_public")
        # REPORT-3 (05 §5.9): a report travels sealed to its service, never as a public message
        if kind == "report":
            fail("msg.public_report")
        # 1. body rules
        lookups = []
        if not msg.stripped:
            if kind in BODY_RULES:
                lookups = BODY_RULES[kind](msg.body, h)
            elif kind in OPERATION_KINDS:
                accounts.check_body(kind, msg.body)
        if msg.stripped and kind in CONTROL_KINDS:
            record("body")                                           # MSG-7
        # 2. MSG-2
        if h.time > ctx.now + SKEW:
            fail("msg.time_in_future")
        # 3. MSG-3
        auth = ctx.authorization(h, msg.id)
        if auth[0] == "denied":
            fail(auth[1])
        elif auth[0] == "unknown":
            record(auth[1])
        else:
            assert auth[0] == "authorized", auth
        # 4. MSG-4
        if h.seq > 1:
            P = ctx.lookup(h.prev)
            if P is None:
                record(h.prev)
            else:
                if not P.time <= h.time:
                    fail("msg.time_regression")
                if P.key != h.key:
                    fail("msg.prev_key_mismatch")
                if P.seq != h.seq - 1:
                    fail("msg.prev_seq_mismatch")
        # 5. kind lookups (social kinds with a body; lookups is empty otherwise)
        for target, check in lookups:
            P = ctx.lookup(target)
            if P is None:
                record(target)
            else:
                check(P)
                _reach(P, h, ctx, record)
    except Reject as e:
        return Outcome("invalid", code=e.code)
    if missing:
        return Outcome("undecided", missing=missing)
    return Outcome("valid", kind=kind, body=None if msg.stripped else msg.body)
