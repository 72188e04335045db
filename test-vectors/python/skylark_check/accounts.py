"""Layer 3 (spec 06): key operations, account state, the canonical chain and
key authorization."""

from . import ed25519, ids
from .cbor import CMap, is_uint, text_key
from .envelope import kind_ok
from .errors import Reject

OPERATION_KINDS = ("genesis", "roots", "delegate", "revoke", "enckey")
MAX_53 = 2 ** 53 - 1
ZERO32 = bytes(32)

# ---------------------------------------------------------------------------
# ACCT-1 body check, in the order of 06 §5.3

SCHEMA = {
    "genesis": ("roots",),
    "roots": ("after", "roots"),
    "delegate": ("app", "after", "label", "scope", "expires"),
    "revoke": ("app", "after", "cutoff"),
    "enckey": ("key", "after", "version"),
}
REQUIRED = {
    "genesis": ("roots",),
    "roots": ("after", "roots"),
    "delegate": ("app", "after", "scope", "expires"),
    "revoke": ("app", "after"),
    "enckey": ("key", "after", "version"),
}
VALUE_ORDER = {
    "genesis": ("roots",),
    "roots": ("roots", "after"),
    "delegate": ("label", "app", "scope", "expires", "after"),
    "revoke": ("cutoff", "app", "after"),
    "enckey": ("version", "key", "after"),
}


def body_fail():
    raise Reject("acct.body")


def _keys_and_required(m, schema, required):
    for k in m.keys():
        if k not in schema and "." not in k:
            body_fail()
    for k in required:
        if k not in m:
            body_fail()


def _bytes32(v):
    if type(v) is not bytes or len(v) != 32:
        body_fail()


def _uint53(v):
    if not is_uint(v) or v > MAX_53:
        body_fail()


def capability_ok(e):
    """A capability: "cap:" and one segment of the kind grammar (06 §5.4)."""
    return e.startswith("cap:") and "." not in e[4:] and kind_ok(e[4:])


def star_covers(e):
    """What "*" covers: not an operation kind, not prekey, no capability (06 §5.4)."""
    return not capability_ok(e) and e not in OPERATION_KINDS and e != "prekey"


def scope_ok(v):
    """ACCT-7, the scope rule of 06 §5.4 (v is a list)."""
    if not 1 <= len(v) <= 32:
        return False
    star = type(v[0]) is str and v[0] == "*"
    prev = None
    for i, e in enumerate(v):
        if type(e) is not str:
            return False
        if not (i == 0 and star):
            if not ((kind_ok(e) and e not in OPERATION_KINDS) or capability_ok(e)):
                return False
            if star and star_covers(e):
                return False
        k = text_key(e)
        if prev is not None and not prev < k:
            return False
        prev = k
    return True


def check_body(kind, body):
    """Raise Reject with the first failing code of 06 §5.3."""
    if not isinstance(body, CMap):
        body_fail()
    _keys_and_required(body, SCHEMA[kind], REQUIRED[kind])
    for k in VALUE_ORDER[kind]:
        if k not in body:
            continue
        v = body[k]
        if k == "roots":
            if type(v) is not list or not 1 <= len(v) <= 4:
                body_fail()
            for r in v:
                if type(r) is not bytes:
                    body_fail()
                ed25519.check_key(r, check_length=True)              # SIG-1..SIG-4
            if len(set(v)) != len(v):
                raise Reject("acct.key_in_use")                       # ACCT-3
        elif k == "app":
            _bytes32(v)
            ed25519.check_key(v, check_length=False)                 # SIG-2..SIG-4
        elif k in ("after", "key"):
            _bytes32(v)
        elif k == "label":
            if type(v) is not str or not 1 <= len(v) <= 64 or len(v.encode("utf-8")) > 256:
                body_fail()
        elif k == "scope":
            if type(v) is not list:
                body_fail()
            if not scope_ok(v):
                raise Reject("acct.scope")                            # ACCT-7
        elif k == "expires":
            _uint53(v)
        elif k == "cutoff":
            if not isinstance(v, CMap):
                body_fail()
            _keys_and_required(v, ("id", "seq"), ("id", "seq"))
            _uint53(v["seq"])
            if v["seq"] < 1:
                body_fail()
            _bytes32(v["id"])
        elif k == "version":
            _uint53(v)
            if v < 1:
                raise Reject("acct.enckey_version")                   # ACCT-9


# ---------------------------------------------------------------------------
# State (06 §6)

class Grant:
    __slots__ = ("scope", "expires", "label", "delegated_at", "delegation", "revocation")

    def __init__(self, scope, expires, label, delegated_at, delegation, revocation=None):
        self.scope = scope
        self.expires = expires
        self.label = label
        self.delegated_at = delegated_at
        self.delegation = delegation
        self.revocation = revocation     # None, "all" or (seq, id)

    def revoked(self, revocation):
        return Grant(self.scope, self.expires, self.label, self.delegated_at,
                     self.delegation, revocation)


class State:
    __slots__ = ("roots", "apps", "enc", "time", "former")

    def __init__(self, roots, apps, enc, time, former):
        self.roots = roots
        self.apps = apps
        self.enc = enc
        self.time = time
        self.former = former


class Valid:
    __slots__ = ("state", "account", "parent", "signer")

    def __init__(self, state, account, parent, signer):
        self.state = state
        self.account = account
        self.parent = parent
        self.signer = signer


class Invalid:
    __slots__ = ("code",)

    def __init__(self, code):
        self.code = code


class Waiting:
    __slots__ = ("parent",)

    def __init__(self, parent):
        self.parent = parent


def refused_code(msg):
    """06 §7.2 steps 1 and 2: acct.not_an_operation (first, so also for a stripped remainder), then
    acct.stripped; None for a whole operation message."""
    if msg.header.kind not in OPERATION_KINDS:
        return "acct.not_an_operation"
    if msg.stripped:
        return "acct.stripped"
    return None


class Accounts:
    """The account state of a node: the statuses of §7.1 as a function of the
    applied set, built incrementally (any order of application)."""

    def __init__(self):
        self.messages = {}      # id -> whole operation message
        self.status = {}        # id -> Valid / Invalid / Waiting
        self.waiters = {}       # parent id -> [ids waiting for it]
        self.children = {}      # id -> [valid child ids]
        self.geneses = {}       # account id -> genesis id (valid)

    # -- application ------------------------------------------------------

    def apply(self, msg):
        """Applies one message. Returns the code of 06 §7.2 step 1 or 2 for a message that has no
        status and changes nothing (§7.1), else None."""
        refused = refused_code(msg)
        if refused is not None:
            return refused
        if msg.id in self.status and not isinstance(self.status[msg.id], Waiting):
            return
        if msg.id in self.status:
            return                      # already waiting: nothing changes
        self.messages[msg.id] = msg
        work = [msg.id]
        while work:
            x = work.pop()
            st = self._evaluate(self.messages[x])
            self.status[x] = st
            if isinstance(st, Waiting):
                self.waiters.setdefault(st.parent, []).append(x)
                continue
            if isinstance(st, Valid) and st.parent is not None:
                self.children.setdefault(st.parent, []).append(x)
            if isinstance(st, Valid) and st.parent is None:
                self.geneses[st.account] = x
            for w in self.waiters.pop(x, []):
                work.append(w)

    def _evaluate(self, msg):
        h = msg.header
        kind = h.kind
        body = msg.body
        try:
            check_body(kind, body)                                    # step 3
        except Reject as e:
            return Invalid(e.code)
        if kind == "genesis":
            if h.acct != ZERO32:
                return Invalid("acct.genesis_account")               # step 4
            if h.seq != 1 or h.key != body["roots"][0]:
                return Invalid("acct.genesis_signer")                # step 5
            state = State(list(body["roots"]), {}, None, h.time, frozenset())
            return Valid(state, ids.account_id(msg.header_bytes), None, h.key)
        p = body["after"]
        ps = self.status.get(p)
        if ps is None or isinstance(ps, Waiting):
            return Waiting(p)                                         # step 6
        if isinstance(ps, Invalid):
            return Invalid("acct.parent_invalid")
        P = ps.state
        if h.acct != ps.account:
            return Invalid("acct.account_mismatch")                  # step 7
        if h.key not in P.roots:
            return Invalid("acct.not_a_root")                        # step 8
        if h.time < P.time:
            return Invalid("acct.time_regression")                   # step 9
        if kind == "roots":                                          # step 10
            if any(r in P.apps for r in body["roots"]):
                return Invalid("acct.key_in_use")
        if kind == "delegate":
            app = body["app"]
            if app in P.roots or app in P.former or app in P.apps:
                return Invalid("acct.key_in_use")
            if not body["expires"] > h.time:                          # step 11
                return Invalid("acct.expiry")
        if kind == "revoke":                                          # step 12
            app = body["app"]
            if app not in P.apps:
                return Invalid("acct.not_delegated")
            if P.apps[app].revocation is not None:
                return Invalid("acct.already_revoked")
        if kind == "enckey":                                          # step 13
            if P.enc is not None and not body["version"] > P.enc[1]:
                return Invalid("acct.enckey_version")
        # the new state (§6)
        roots, apps, enc, former = P.roots, P.apps, P.enc, P.former
        if kind == "roots":
            former = former | frozenset(P.roots)
            roots = list(body["roots"])
        elif kind == "delegate":
            apps = dict(apps)
            apps[body["app"]] = Grant(list(body["scope"]), body["expires"], body.get("label"),
                                      h.time, msg.id)
        elif kind == "revoke":
            apps = dict(apps)
            c = body.get("cutoff")
            apps[body["app"]] = apps[body["app"]].revoked(
                "all" if c is None else (c["seq"], c["id"]))
        elif kind == "enckey":
            enc = (body["key"], body["version"])
        return Valid(State(roots, apps, enc, h.time, former), ps.account, p, h.key)

    # -- queries ------------------------------------------------------------

    def status_text(self, x):
        st = self.status.get(x)
        if st is None:
            return None
        if isinstance(st, Valid):
            return "valid"
        if isinstance(st, Waiting):
            return "waiting"
        return st.code

    def _signers(self, x, memo):
        if x in memo:
            return memo[x]
        s = {self.status[x].signer}
        for c in self.children.get(x, []):
            s |= self._signers(c, memo)
        memo[x] = s
        return s

    def chain(self, account):
        """ACCT-5 (§8.1): (head id, contested list)."""
        memo = {}
        P = self.geneses[account]
        while True:
            kids = self.children.get(P, [])
            if not kids:
                return P, []
            roots = self.status[P].state.roots
            strength = {}
            for C in kids:
                signers = self._signers(C, memo)
                ranks = [i for i, r in enumerate(roots) if r in signers]
                strength[C] = min(ranks) if ranks else float("inf")
            s = min(strength.values())
            best = [C for C in kids if strength[C] == s]
            if len(best) == 1:
                P = best[0]
                continue
            return P, sorted(best)

    def head_state(self, account):
        head, _ = self.chain(account)
        return self.status[head].state

    def view(self, account):
        head, contested = self.chain(account)
        st = self.status[head].state
        apps = []
        for k in sorted(st.apps):
            g = st.apps[k]
            if g.revocation is None:
                rev = None
            elif g.revocation == "all":
                rev = "all"
            else:
                rev = {"seq": g.revocation[0], "id": g.revocation[1].hex()}
            apps.append({"key": k.hex(), "scope": list(g.scope), "expires": g.expires,
                         "label": g.label, "delegated_at": g.delegated_at,
                         "delegation": g.delegation.hex(), "revocation": rev})
        return {
            "account": account.hex(),
            "head": head.hex(),
            "roots": [r.hex() for r in st.roots],
            "apps": apps,
            "encryption": None if st.enc is None else {"key": st.enc[0].hex(),
                                                       "version": st.enc[1]},
            "contested": [c.hex() for c in contested],
        }

    # -- authorization (§9) -------------------------------------------------

    def grants(self, header, capability):
        """AUTH-7: does the key of the header hold the capability?"""
        if header.acct not in self.geneses:
            return ("unknown", ("account", header.acct))
        g = self.head_state(header.acct).apps.get(header.key)
        if g is None:
            return ("denied", "auth.not_delegated")
        if capability in g.scope:
            return ("authorized",)
        return ("denied", "auth.out_of_scope")

    def authorize(self, header, m, lookup):
        """("authorized",) / ("denied", code) / ("unknown", item) where item is
        "key_authorization", ("message", id) or ("account", id)."""
        if header.kind in OPERATION_KINDS:                            # §9.3
            st = self.status.get(m)
            if st is None:
                return ("unknown", "key_authorization")
            if isinstance(st, Valid):
                return ("authorized",)
            if isinstance(st, Invalid):
                return ("denied", st.code)
            return ("unknown", ("message", st.parent))
        A, K, k, T, S = header.acct, header.key, header.kind, header.time, header.seq
        if A not in self.geneses:                                     # AUTH-1
            return ("unknown", ("account", A))
        st = self.head_state(A)
        if K in st.roots:                                             # AUTH-2
            return ("denied", "auth.root_key_message")
        g = st.apps.get(K)                                            # AUTH-3
        if g is None:
            return ("denied", "auth.not_delegated")
        star = bool(g.scope) and g.scope[0] == "*"                    # AUTH-4
        if capability_ok(k) or not ((star and star_covers(k)) or k in g.scope):
            return ("denied", "auth.out_of_scope")
        if T < g.delegated_at:                                        # AUTH-5
            return ("denied", "auth.before_delegation")
        if T > g.expires:
            return ("denied", "auth.expired")
        rev = g.revocation                                            # AUTH-6
        if rev is None:
            return ("authorized",)
        if rev == "all":
            return ("denied", "auth.revoked")
        s, c = rev
        if S > s:
            return ("denied", "auth.revoked")
        x = c
        while True:
            if x == m:
                if x == c and S != s:
                    return ("denied", "auth.revoked")
                return ("authorized",)
            X = lookup(x)
            if X is None:
                return ("unknown", ("message", x))
            if X.key != K or X.seq < S or (x == c and X.seq != s):
                return ("denied", "auth.revoked")
            if X.seq == S:
                return ("denied", "auth.revoked")
            if X.prev is None:
                return ("denied", "auth.revoked")
            x = X.prev
