"""Informative Python model of Skylark layer 2 (spec/05-messages.md), with the
ACCT-1 body check of the operation kinds (spec/06-accounts.md §5.3).

Written from spec/05-messages.md so that every worked example and every
claimed verdict there can be re-derived. It is NOT normative: where it and the
prose of 05 disagree, the prose wins (and this file has a bug). It favours
being read next to the text over speed.

Dependencies: skylark_ref (layer 1, same folder) and, through it, `blake3`.

Entry points:
    check_body(kind, body, header)  -> None, or raises Invalid(code, rule)
    validate(message_bytes, now, authorization, known)
        -> ("valid", kind, body_or_None)
         | ("invalid", code, rule)
         | ("undecided", [missing...])
    where `authorization` is "authorized", "unknown" (= missing key
    authorization), ("unknown", item) with the missing item the accounts layer
    names, or a denial code (auth.*, or acct.* / key.* for an operation
    message), and `known` is a list of whole (possibly stripped) signed
    messages whose headers the lookups may return. Missing items are
    "key_authorization", a message id as lower-case hex, or, for an account
    whose genesis is missing (06 AUTH-1), "account:" + its id in hex.
"""

import re

import skylark_ref as s

# ---------------------------------------------------------------------------
# Verdicts
# ---------------------------------------------------------------------------


class Invalid(Exception):
    """A layer-2 rejection: one error code and the rule that raised it."""

    def __init__(self, code, rule):
        super().__init__(f"{code} ({rule})")
        self.code = code
        self.rule = rule


MAX_SAFE = 2**53 - 1
CLOCK_SKEW_MS = 600_000

SOCIAL_KINDS = ("profile", "post", "edit", "delete", "react", "unreact", "repost",
                "unrepost", "follow", "unfollow", "block", "unblock", "label", "report")
OPERATION_KINDS = ("genesis", "roots", "delegate", "revoke", "enckey")      # 06 §5
CORE_KINDS = SOCIAL_KINDS + OPERATION_KINDS                                   # 05 §2.5

# White_Space code points listed in 05 §4.7 (fixed list, not a Unicode lookup).
WHITESPACE = (set(range(0x09, 0x0E)) | {0x20, 0x85, 0xA0, 0x1680}
              | set(range(0x2000, 0x200B)) | {0x2028, 0x2029, 0x202F, 0x205F, 0x3000})
CONTROL = set(range(0x00, 0x20)) | set(range(0x7F, 0xA0))

LABEL_VOCABULARY = ("!hide", "!warn", "porn", "sexual", "nudity", "graphic-media", "gore",
                    "spoiler", "spam", "impersonation", "misleading", "hate", "harassment",
                    "self-harm")
SELF_LABELS = ("porn", "sexual", "nudity", "graphic-media", "gore", "spoiler")
REPORT_REASONS = ("spam", "impersonation", "misleading", "sexual", "violence", "harassment",
                  "hate", "self-harm", "illegal", "other")

LANG_RE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
MIME_PART = r"[a-z0-9!#$&^_.+\-]{1,63}"
MIME_RE = re.compile(MIME_PART + "/" + MIME_PART)


def enc_order(keys):
    """Encoded key order (01 §6): shorter UTF-8 first, then bytewise."""
    return sorted(keys, key=lambda k: (len(k.encode()), k.encode()))


# ---------------------------------------------------------------------------
# Value checkers. Each takes the value and raises Invalid on the first failure.
# ---------------------------------------------------------------------------


def is_uint(v):
    return type(v) is int and v >= 0


def t_bytes32(v):
    if not (isinstance(v, bytes) and len(v) == 32):
        raise Invalid("msg.wrong_type", "MSG-1")


def t_uint(v):
    if not is_uint(v):
        raise Invalid("msg.wrong_type", "MSG-1")


def t_text(v, min_scalars=None, max_scalars=None, max_bytes=None, rule="MSG-1"):
    if not isinstance(v, str):
        raise Invalid("msg.wrong_type", "MSG-1")
    if min_scalars is not None and len(v) < min_scalars:
        raise Invalid("msg.too_short", rule)
    if max_scalars is not None and (len(v) > max_scalars or len(v.encode()) > max_bytes):
        raise Invalid("msg.too_long", rule)


def text_field(min_s, max_s, max_b, rule="MSG-1"):
    return lambda v: t_text(v, min_s, max_s, max_b, rule)


def t_list(v, max_items, each):
    """Type, then count, then each element in order (each may look at the
    elements before it through the `seen` list)."""
    if not isinstance(v, list):
        raise Invalid("msg.wrong_type", "MSG-1")
    if len(v) == 0:
        raise Invalid("msg.too_short", "MSG-1")
    if len(v) > max_items:
        raise Invalid("msg.too_many", "MSG-1")
    seen = []
    for item in v:
        each(item, seen)
        seen.append(item)


def check_map(value, schema, after=None):
    """The field-check order of 05 §3.1 for one map.

    schema: list of (key, required, checker) in schema order; checker(v, m)
    gets the value and the whole map. `after` runs once all fields passed."""
    if not isinstance(value, dict):
        raise Invalid("msg.wrong_type", "MSG-1")
    known = {k for k, _, _ in schema}
    order = enc_order(value.keys())
    for k in order:                                  # (1) unknown keys
        if k not in known and "." not in k:
            raise Invalid("msg.unknown_field", "MSG-1")
    for k, required, _ in schema:                    # (2) required keys
        if required and k not in value:
            raise Invalid("msg.missing_field", "MSG-1")
    checkers = {k: c for k, _, c in schema}
    for k in order:                                  # (3) values
        if k in checkers:
            checkers[k](value[k], value)
    if after is not None:
        after(value)


def v(fn):
    """Adapt a one-argument checker to checker(value, map)."""
    return lambda x, _m: fn(x)


# --- MSG-5 url, MSG-6 language tag, MEDIA-2 media type ---------------------


def t_url(x):
    if not isinstance(x, str):
        raise Invalid("msg.wrong_type", "MSG-1")
    raw = x.encode()
    ok = (len(raw) <= 2048 and all(0x21 <= b <= 0x7E for b in raw)
          and ((raw.startswith(b"https://") and len(raw) > 8)
               or (raw.startswith(b"http://") and len(raw) > 7)))
    if not ok:
        raise Invalid("msg.invalid_url", "MSG-5")


def t_lang(x, seen):
    if not isinstance(x, str):
        raise Invalid("msg.wrong_type", "MSG-1")
    raw = x.encode()
    if not (2 <= len(raw) <= 35 and raw.isascii() and LANG_RE.fullmatch(x)):
        raise Invalid("msg.invalid_lang", "MSG-6")
    if any(x.lower() == y.lower() for y in seen):
        raise Invalid("msg.duplicate", "MSG-6")


def t_mime(x):
    if not isinstance(x, str):
        raise Invalid("msg.wrong_type", "MSG-1")
    if not (x.isascii() and MIME_RE.fullmatch(x) and len(x) <= 127):
        raise Invalid("msg.invalid_media_type", "MEDIA-2")


# --- media ------------------------------------------------------------------


def t_range(lo, hi, rule):
    def check(x):
        t_uint(x)
        if not lo <= x <= hi:
            raise Invalid("msg.out_of_range", rule)
    return check


def media_after(m):
    # MEDIA-4, after each field's own checks.
    if ("width" in m) != ("height" in m):
        raise Invalid("msg.dimensions", "MEDIA-4")
    if m["mime"].startswith(("image/", "video/")) and "width" not in m:
        raise Invalid("msg.dimensions", "MEDIA-4")


MEDIA_SCHEMA = [
    ("hash", True, v(t_bytes32)),                              # MEDIA-1
    ("mime", True, v(t_mime)),                                 # MEDIA-2
    ("size", True, v(t_range(1, 104857600, "MEDIA-3"))),       # MEDIA-3
    ("width", False, v(t_range(1, 65535, "MEDIA-4"))),         # MEDIA-4
    ("height", False, v(t_range(1, 65535, "MEDIA-4"))),        # MEDIA-4
    ("alt", False, v(text_field(1, 2000, 8000, "MEDIA-5"))),   # MEDIA-5
]


def t_media(x):
    check_map(x, MEDIA_SCHEMA, media_after)


def t_image(x):
    # PROFILE-1, after the media value passed MEDIA-1..5.
    t_media(x)
    if not x["mime"].startswith("image/"):
        raise Invalid("msg.invalid_media_type", "PROFILE-1")


# --- facets -----------------------------------------------------------------


def t_tag(x):
    t_text(x, 1, 64, 640, "FACET-2")
    if any(ord(c) in WHITESPACE for c in x):
        raise Invalid("msg.invalid_tag", "FACET-2")


def t_facet_type(x, m):
    if not isinstance(x, str):
        raise Invalid("msg.wrong_type", "MSG-1")
    if x not in ("mention", "link", "tag"):                     # FACET-1
        raise Invalid("msg.invalid_facet_type", "FACET-1")
    need = {"mention": "account", "link": "url", "tag": "tag"}[x]
    present = {k for k in ("account", "url", "tag") if k in m}   # FACET-2
    if present != {need}:
        raise Invalid("msg.facet_fields", "FACET-2")


FACET_SCHEMA = [
    ("start", True, v(t_uint)),
    ("end", True, v(t_uint)),
    ("type", True, t_facet_type),
    ("account", False, v(t_bytes32)),
    ("url", False, v(t_url)),
    ("tag", False, v(t_tag)),
]


def facets_checker(body):
    def each(f, seen):
        check_map(f, FACET_SCHEMA)                           # FACET-1, FACET-2 at "type"
        text = body.get("text")
        if text is not None:                                 # checked before "facets"
            raw = text.encode()
            if not f["start"] < f["end"] <= len(raw):        # FACET-3
                raise Invalid("msg.facet_range", "FACET-3")
            for off in (f["start"], f["end"]):              # FACET-4
                if off < len(raw) and (raw[off] & 0xC0) == 0x80:
                    raise Invalid("msg.facet_boundary", "FACET-4")
        if seen and f["start"] < seen[-1]["end"]:            # FACET-5
            raise Invalid("msg.facet_order", "FACET-5")
        if f["type"] == "mention" and \
                sum(g["type"] == "mention" for g in seen) >= 10:    # FACET-7
            raise Invalid("msg.too_many_mentions", "FACET-7")
    return lambda x: t_list(x, 64, each)


# --- labels -----------------------------------------------------------------


def valid_custom_label(x):
    return "." in x and s._valid_kind(x)


def t_label_value(x):
    if not isinstance(x, str):
        raise Invalid("msg.wrong_type", "MSG-1")
    if x not in LABEL_VOCABULARY and not valid_custom_label(x):
        raise Invalid("msg.invalid_label", "LABEL-2")


def t_self_label(x, seen):
    if not isinstance(x, str):
        raise Invalid("msg.wrong_type", "MSG-1")
    if x not in SELF_LABELS and not valid_custom_label(x):
        raise Invalid("msg.invalid_label", "LABEL-2")
    if x in seen:
        raise Invalid("msg.duplicate", "POST-4")


# --- embeds -----------------------------------------------------------------

EMBED_MEDIA_SCHEMA = [("type", True, v(lambda x: None)), ("media", True, v(t_media))]
EMBED_CARD_SCHEMA = [
    ("type", True, v(lambda x: None)),
    ("url", True, v(t_url)),
    ("title", False, v(text_field(1, 300, 1200))),
    ("description", False, v(text_field(1, 1000, 4000))),
    ("thumb", False, v(t_media)),
]


def t_embed(x, _seen):
    if not isinstance(x, dict):
        raise Invalid("msg.wrong_type", "MSG-1")
    # POST-3: the discriminator first, then the schema it selects.
    if "type" not in x:
        raise Invalid("msg.missing_field", "MSG-1")
    if not isinstance(x["type"], str):
        raise Invalid("msg.wrong_type", "MSG-1")
    if x["type"] == "media":
        check_map(x, EMBED_MEDIA_SCHEMA)
    elif x["type"] == "card":
        check_map(x, EMBED_CARD_SCHEMA)
    else:
        raise Invalid("msg.invalid_embed_type", "POST-3")


# ---------------------------------------------------------------------------
# Bodies of the core kinds
# ---------------------------------------------------------------------------


def post_like_schema(body, edit):
    text = ("text", False, v(text_field(1, 1000, 3000)))
    langs = ("langs", False, v(lambda x: t_list(x, 3, t_lang)))
    embeds = ("embeds", False, v(lambda x: t_list(x, 4, t_embed)))
    facets = ("facets", False, v(facets_checker(body)))
    labels = ("labels", False, v(lambda x: t_list(x, 8, t_self_label)))
    if edit:
        return [("target", True, v(t_bytes32)), ("replaces", True, v(t_bytes32)),
                text, langs, embeds, facets, labels]
    reply = ("reply", False, v(lambda x: check_map(
        x, [("root", True, v(t_bytes32)), ("parent", True, v(t_bytes32))])))
    return [text, langs, ("quote", False, v(t_bytes32)), reply, embeds, facets, labels]


def post_like_after(edit):
    def after(b):
        if "facets" in b and "text" not in b:                               # FACET-6
            raise Invalid("msg.facet_range", "FACET-6")
        if edit:
            if "text" not in b and "embeds" not in b:                       # EDIT-1
                raise Invalid("msg.empty_post", "EDIT-1")
        elif not any(k in b for k in ("text", "embeds", "quote")):         # POST-1
            raise Invalid("msg.empty_post", "POST-1")
        if sum(1 for e in b.get("embeds", []) if e["type"] == "card") > 1:  # POST-2
            raise Invalid("msg.too_many", "POST-2")
    return after


def subject_after(b, rule):
    if ("account" in b) == ("message" in b):
        raise Invalid("msg.subject", rule)


# ---------------------------------------------------------------------------
# Operation bodies: ACCT-1 (06 §5.3), step 1 of validation for the operation kinds
# ---------------------------------------------------------------------------

# kind -> (schema keys, required keys in the order they are checked, value order)
OPERATION_SCHEMAS = {
    "genesis": (("roots",), ("roots",), ("roots",)),
    "roots": (("after", "roots"), ("after", "roots"), ("roots", "after")),
    "delegate": (("app", "after", "label", "scope", "expires"),
                 ("app", "after", "scope", "expires"),
                 ("label", "app", "scope", "expires", "after")),
    "revoke": (("app", "after", "cutoff"), ("app", "after"), ("cutoff", "app", "after")),
    "enckey": (("key", "after", "version"), ("key", "after", "version"),
               ("version", "key", "after")),
}


def _acct_body():
    raise Invalid("acct.body", "ACCT-1")


def _op_fields(m, known, required):
    """Steps 1 and 2 of 06 §5.3: un-dotted keys outside the schema, then absent
    required keys; both are acct.body."""
    for k in enc_order(m.keys()):
        if "." not in k and k not in known:
            _acct_body()
    for k in required:
        if k not in m:
            _acct_body()


def _op_uint(x):
    if not is_uint(x) or x > MAX_SAFE:
        _acct_body()
    return x


def _op_bytes32(x):
    if not isinstance(x, bytes) or len(x) != 32:
        _acct_body()
    return x


def _op_public_key(x):
    """SIG-1..SIG-4, reported with their key.* codes under ACCT-1."""
    try:
        s.check_public_key(x)
    except s.SkylarkError as e:
        raise Invalid(e.code, "ACCT-1") from None


def scope_order_key(kind):
    """Canonical order of scope kinds (06 §5.4): the bytewise order of their
    CBOR encodings, i.e. shorter first, then bytewise, as map keys."""
    raw = kind.encode("utf-8")
    return (len(raw), raw)


def _op_scope(x):
    if not isinstance(x, list):
        _acct_body()
    if x == ["*"]:
        return
    ok = (1 <= len(x) <= 32
          and all(isinstance(k, str) and s._valid_kind(k) and k not in OPERATION_KINDS
                  for k in x)
          and all(scope_order_key(a) < scope_order_key(b) for a, b in zip(x, x[1:])))
    if not ok:
        raise Invalid("acct.scope", "ACCT-7")


def check_operation_body(kind, body):
    """06 §5.3: raises Invalid on the first failure."""
    known, required, order = OPERATION_SCHEMAS[kind]
    _op_fields(body, known, required)
    for field in order:
        if field not in body:
            continue
        x = body[field]
        if field == "roots":
            if not isinstance(x, list) or not 1 <= len(x) <= 4:
                _acct_body()
            for item in x:
                if not isinstance(item, bytes):
                    _acct_body()
                _op_public_key(item)                  # a wrong length is key.invalid_length
            if len(set(x)) != len(x):
                raise Invalid("acct.key_in_use", "ACCT-3")
        elif field == "app":
            _op_public_key(_op_bytes32(x))            # a wrong length is acct.body
        elif field in ("after", "key"):
            _op_bytes32(x)
        elif field == "label":
            if not isinstance(x, str) or not 1 <= len(x) <= 64 or len(x.encode()) > 256:
                _acct_body()
        elif field == "scope":
            _op_scope(x)
        elif field == "expires":
            _op_uint(x)
        elif field == "cutoff":
            if not isinstance(x, dict):
                _acct_body()
            _op_fields(x, ("id", "seq"), ("id", "seq"))
            if _op_uint(x["seq"]) == 0:
                _acct_body()
            _op_bytes32(x["id"])
        elif field == "version":
            if _op_uint(x) == 0:
                raise Invalid("acct.enckey_version", "ACCT-9")


def check_body(kind, body, header):
    """Step 1 of 05 §2.3 for a core kind: the rules of 05 §5 for a social kind,
    06 §5.3 (ACCT-1) for an operation kind."""
    target = [("target", True, v(t_bytes32))]
    if kind in OPERATION_KINDS:
        check_operation_body(kind, body)
    elif kind == "profile":
        check_map(body, [
            ("bio", False, v(text_field(1, 256, 1024))),
            ("name", False, v(text_field(1, 64, 256))),
            ("links", False, v(lambda x: t_list(x, 4, lambda u, _s: t_url(u)))),
            ("avatar", False, v(t_image)),
            ("banner", False, v(t_image)),
        ])
    elif kind in ("post", "edit"):
        edit = kind == "edit"
        check_map(body, post_like_schema(body, edit), post_like_after(edit))
    elif kind in ("delete", "unreact", "repost", "unrepost"):
        check_map(body, target)
    elif kind == "react":
        def emoji(x):
            t_text(x, 1, 16, 64, "REACT-1")
            if any(ord(c) in WHITESPACE or ord(c) in CONTROL for c in x):
                raise Invalid("msg.invalid_emoji", "REACT-1")
        check_map(body, target + [("emoji", False, v(emoji))])
    elif kind in ("follow", "unfollow", "block", "unblock"):
        def subject(x):
            t_bytes32(x)
            if x == header["acct"]:
                raise Invalid("msg.self_reference", "GRAPH-1")
        check_map(body, [("subject", True, v(subject))])
    elif kind == "label":
        def negate(x):
            if type(x) is not bool:
                raise Invalid("msg.wrong_type", "MSG-1")
            if x is False:
                raise Invalid("msg.non_canonical_flag", "LABEL-3")

        def expires(x):
            t_uint(x)
            if not header["time"] < x <= MAX_SAFE:
                raise Invalid("msg.out_of_range", "LABEL-4")
        check_map(body, [
            ("account", False, v(t_bytes32)), ("message", False, v(t_bytes32)),
            ("value", True, v(t_label_value)), ("negate", False, v(negate)),
            ("expires", False, v(expires)),
        ], lambda b: subject_after(b, "LABEL-1"))
    elif kind == "report":
        def reason(x):
            if not isinstance(x, str):
                raise Invalid("msg.wrong_type", "MSG-1")
            if x not in REPORT_REASONS:
                raise Invalid("msg.invalid_reason", "REPORT-1")
        check_map(body, [
            ("account", False, v(t_bytes32)), ("message", False, v(t_bytes32)),
            ("service", True, v(t_bytes32)), ("reason", True, v(reason)),
            ("text", False, v(text_field(1, 1000, 4000))),
        ], lambda b: subject_after(b, "REPORT-2"))
    else:
        raise ValueError("not a core kind: " + kind)


# ---------------------------------------------------------------------------
# Validation with a context (05 §2)
# ---------------------------------------------------------------------------

# 06 §12: the auth.* codes (AUTH-2..AUTH-6). An operation message is denied
# with the acct.* or key.* code that makes it invalid (06 §9.3).
AUTH_CODES = ("auth.root_key_message", "auth.not_delegated", "auth.out_of_scope",
              "auth.before_delegation", "auth.expired", "auth.revoked")


def is_denial(authorization):
    return isinstance(authorization, str) and (
        authorization in AUTH_CODES or authorization.startswith(("acct.", "key.")))

# Lookups of step 5, per kind: (body field, [(check, code, rule), ...]).
def _lookups(kind, header, body):
    acct = header["acct"]
    own = lambda h: h["acct"] == acct
    if kind == "edit":
        tgt, rep = body["target"], body["replaces"]
        return [
            (tgt, [(own, "msg.not_own_target", "EDIT-2"),
                   (lambda h: h["kind"] == "post", "msg.target_kind", "EDIT-2")]),
            (rep, [(own, "msg.not_own_target", "EDIT-3"),
                   (lambda h: h["kind"] == "edit" or (h["kind"] == "post" and rep == tgt),
                    "msg.target_kind", "EDIT-3")]),
        ]
    if kind == "delete":
        return [(body["target"], [(own, "msg.not_own_target", "DELETE-1"),
                                  (lambda h: h["kind"] != "delete" and h["kind"] not in OPERATION_KINDS, "msg.target_kind", "DELETE-1")])]
    if kind in ("unreact", "unrepost"):
        want = kind[2:]
        return [(body["target"], [(own, "msg.not_own_target", "UNDO-1"),
                                  (lambda h: h["kind"] == want, "msg.target_kind", "UNDO-1")])]
    return []


def validate(message, now, authorization, known=()):
    mid, header, body = s.verify_message(message)    # layer 1 (raises SkylarkError)
    headers = {}
    for k in known:
        kid, kh, _ = s.verify_message(k)
        headers[kid] = kh
    kind = header["kind"]
    core = kind in CORE_KINDS
    missing = []

    def need(item):
        if item not in missing:
            missing.append(item)

    try:
        if core and body is not None:                               # 1. body rules
            check_body(kind, body, header)
        if header["time"] > now + CLOCK_SKEW_MS:                    # 2. MSG-2
            raise Invalid("msg.time_in_future", "MSG-2")
        if is_denial(authorization):                                # 3. MSG-3
            raise Invalid(authorization, "MSG-3")
        if authorization == "unknown":
            need("key_authorization")
        elif isinstance(authorization, tuple) and authorization[0] == "unknown":
            need(authorization[1])
        elif authorization != "authorized":
            raise ValueError(authorization)
        if header["seq"] > 1:                                       # 4. MSG-4
            p = headers.get(header["prev"])
            if p is None:
                need(header["prev"].hex())
            else:
                if not p["time"] <= header["time"]:
                    raise Invalid("msg.time_regression", "MSG-4")
                if p["key"] != header["key"]:
                    raise Invalid("msg.prev_key_mismatch", "MSG-4")
                if p["seq"] != header["seq"] - 1:
                    raise Invalid("msg.prev_seq_mismatch", "MSG-4")
        if kind in SOCIAL_KINDS and body is not None:               # 5. kind lookups
            for target_id, checks in _lookups(kind, header, body):
                h = headers.get(target_id)
                if h is None:
                    need(target_id.hex())
                    continue
                for ok, code, rule in checks:
                    if not ok(h):
                        raise Invalid(code, rule)
    except Invalid as e:
        return ("invalid", e.code, e.rule)
    if missing:                                                     # 6.
        return ("undecided", missing)
    return ("valid", kind, body)
