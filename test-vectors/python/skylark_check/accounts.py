"""Layer 3 (spec 06): key operations, account state, the canonical chain and
key authorization."""

from . import ed25519, ids
from .cbor import CMap, encode, is_uint, text_key
from .envelope import kind_ok
from .errors import Reject

OPERATION_KINDS = ("genesis", "roots", "delegate", "revoke", "enckey", "receipt", "deactivate",
                   "successor")
MAX_WITNESSES = 8
MAX_53 = 2 ** 53 - 1
ZERO32 = bytes(32)

# ---------------------------------------------------------------------------
# ACCT-1 body check, in the order of 06 §5.3

SCHEMA = {
    "genesis": ("roots", "witnesses", "predecessor", "next", "acceptances"),
    "successor": ("to", "after", "roots", "acceptances"),
    "roots": ("after", "roots", "witnesses", "supersedes", "next", "acceptances"),
    "receipt": ("op",),
    "deactivate": ("after", "roots", "acceptances"),
    "delegate": ("app", "after", "label", "scope", "expires", "supersedes", "acceptances"),
    "revoke": ("app", "after", "cutoff", "supersedes"),
    "enckey": ("key", "after", "version", "supersedes"),
}
REQUIRED = {
    "genesis": ("roots",),
    "successor": ("to", "after"),
    "receipt": ("op",),
    "deactivate": ("after",),
    "roots": ("after", "roots"),
    "delegate": ("app", "after", "scope", "expires"),
    "revoke": ("app", "after"),
    "enckey": ("key", "after", "version"),
}
VALUE_ORDER = {
    "genesis": ("roots", "witnesses", "predecessor", "next", "acceptances"),
    "successor": ("to", "after", "roots", "acceptances"),
    "roots": ("roots", "witnesses", "after", "supersedes", "next", "acceptances"),
    "receipt": ("op",),
    "deactivate": ("after", "roots", "acceptances"),
    "delegate": ("label", "app", "scope", "expires", "after", "supersedes", "acceptances"),
    "revoke": ("cutoff", "app", "after", "supersedes"),
    "enckey": ("version", "key", "after", "supersedes"),
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
    return not capability_ok(e) and e not in OPERATION_KINDS and e not in ("dm", "prekey")


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
        elif k in ("after", "key", "supersedes", "op", "to", "predecessor", "next"):
            _bytes32(v)
        elif k == "witnesses":                                       # 06 §5.3, ACCT-15
            if not isinstance(v, CMap):
                body_fail()
            _keys_and_required(v, ("keys", "threshold"), ("keys", "threshold"))
            t = v["threshold"]
            _uint53(t)
            keys = v["keys"]
            if type(keys) is not list:
                body_fail()
            for w in keys:
                _bytes32(w)
                ed25519.check_key(w, check_length=False)             # SIG-2..SIG-4
            if not (kind == "roots" and not keys and t == 0):        # the removal
                n = len(keys)
                ascending = all(keys[i] < keys[i + 1] for i in range(n - 1))
                if not 1 <= n <= MAX_WITNESSES or not ascending or not n < 2 * t <= 2 * n:
                    raise Reject("acct.witnesses")
                if any(w in body["roots"] for w in keys):
                    raise Reject("acct.key_in_use")                   # ACCT-3
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
        elif k == "acceptances":                                      # ACCT-10 form (06 §5.5)
            if type(v) is not list or not 1 <= len(v) <= MAX_ACCEPTANCES:
                body_fail()
            if any(type(a) is not bytes or len(a) != 64 for a in v):
                body_fail()


CTX_NEXT_ROOTS = "skylark v1 next roots"


def next_commitment(roots):
    """ACCT-14 (06 §5.8): H("skylark v1 next roots", the CBOR array of the 32-byte keys)."""
    return ids.H(CTX_NEXT_ROOTS, encode(list(roots)))


ACCEPTANCE_CONTEXT = b"skylark v1 key acceptance"
MAX_ACCEPTANCES = 12


def accepts(msg, new):
    """ACCT-10: one acceptance per key of `new`, in bytewise key order, each the key's
    signature over context || 0x00 || acct || key || H(body without acceptances) || kind || 0x00,
    and for a genesis its header's key and time (8 bytes, big-endian) after that.
    Returns None or the code."""
    body = msg.body
    given = body.get("acceptances") or []
    new = sorted(set(new))
    if len(given) < len(new):
        return "acct.acceptance_missing"
    if len(given) > len(new):
        return "acct.acceptance_extra"
    without = CMap([(k, v) for k, v in body.entries if k != "acceptances"])
    digest = ids.body_hash(encode(without))
    for key, sig in zip(new, given):
        data = (ACCEPTANCE_CONTEXT + b"\x00" + msg.header.acct + key + digest
                + msg.header.kind.encode() + b"\x00")
        if msg.header.kind == "genesis":
            data += msg.header.key + msg.header.time.to_bytes(8, "big")
        try:
            ed25519.verify(key, data, sig)
        except Reject:
            return "acct.acceptance_invalid"
    return None


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
        self.revocation = revocation     # None, "all" or a sorted tuple of 1..2 (seq, id) cutoffs

    def revoked(self, revocation):
        return Grant(self.scope, self.expires, self.label, self.delegated_at,
                     self.delegation, revocation)


class State:
    __slots__ = ("roots", "apps", "enc", "former", "wit", "witnessed", "next")

    def __init__(self, roots, apps, enc, former, wit=None, witnessed=frozenset(), next=None):
        self.roots = roots
        self.apps = apps
        self.enc = enc
        self.former = former
        self.wit = wit                  # None or (sorted keys, threshold): 06 §8.6
        self.witnessed = witnessed      # every witness key of a state on the path here
        self.next = next                # the commitment of the last genesis/roots: 06 §5.8


class Receipt:
    """A valid receipt (06 §8.6): not in the tree."""
    __slots__ = ("account", "witness", "op")

    def __init__(self, account, witness, op):
        self.account = account
        self.witness = witness
        self.op = op


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


MAX_CUTOFFS = 2


def _merge(old, new):
    """§8.4: "all" over any cutoff; distinct cutoffs accumulate (each must keep a message, AUTH-6),
    and more than MAX_CUTOFFS of them revoke the key entirely."""
    if old == "all" or new == "all":
        return "all"
    cutoffs = tuple(sorted(set((old or ()) + new)))
    return "all" if len(cutoffs) > MAX_CUTOFFS else cutoffs


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
            w = body.get("witnesses")
            code = accepts(msg, list(body["roots"]) + (list(w["keys"]) if w else []))
            if code:
                return Invalid(code)                                  # step 5a, ACCT-10
            wit = None if w is None else (list(w["keys"]), w["threshold"])
            state = State(list(body["roots"]), {}, None, frozenset(), wit,
                          frozenset(wit[0]) if wit else frozenset(), body.get("next"))
            return Valid(state, ids.account_id(msg.header_bytes), None, h.key)
        p = body["op"] if kind == "receipt" else body["after"]
        ps = self.status.get(p)
        if ps is None or isinstance(ps, Waiting):
            return Waiting(p)                                         # step 6
        if isinstance(ps, (Invalid, Receipt)):
            return Invalid("acct.parent_invalid")
        P = ps.state
        if h.acct != ps.account:
            return Invalid("acct.account_mismatch")                  # step 7
        if kind == "receipt":                                         # ACCT-16 (06 §8.6)
            pp = ps.parent
            if pp is None or h.key not in self.status[pp].state.witnessed:
                return Invalid("acct.not_a_witness")
            return Receipt(ps.account, h.key, p)
        if self.messages[p].header.kind == "deactivate":
            return Invalid("acct.deactivated")                       # step 7a, ACCT-11
        acts = ("roots", "deactivate", "successor")                  # committed acts (§5.8)
        if kind in acts and P.next is not None:                      # step 8, ACCT-14
            if "roots" not in body:                                   # names no list to reveal
                return Invalid("acct.next_signer")
            if next_commitment(body["roots"]) != P.next:
                return Invalid("acct.next_mismatch")
            revealed = [r for r in body["roots"] if r not in P.roots and r not in P.former]
            if not revealed or h.key != revealed[0]:
                return Invalid("acct.next_signer")
        elif kind in acts and "roots" in body and kind != "roots":
            return Invalid("acct.next_mismatch")                     # nothing committed to reveal
        elif h.key not in P.roots:
            return Invalid("acct.not_a_root")                        # step 8
        # (no rule compares h.time with the parent's: 06 §7.2)
        wit, witnessed = P.wit, P.witnessed
        if kind == "roots":                                          # step 9
            if any(r in P.apps for r in body["roots"]):
                return Invalid("acct.key_in_use")
            w = body.get("witnesses")
            if w is not None:
                if any(k in P.apps for k in w["keys"]):
                    return Invalid("acct.key_in_use")
                wit = (list(w["keys"]), w["threshold"]) if w["keys"] else None
                witnessed = witnessed | frozenset(w["keys"])
            if wit is not None and any(r in wit[0] for r in body["roots"]):
                return Invalid("acct.key_in_use")
            old = P.wit[0] if P.wit else []
            # with a commitment (06 §5.8), every root of the list accepts, kept ones included
            new = [r for r in body["roots"] if "next" in body or r not in P.roots]
            if w is not None:
                new += [k for k in w["keys"] if k not in old]
            code = accepts(msg, new)                                  # step 9a, ACCT-10
            if code:
                return Invalid(code)
        if kind == "delegate":
            app = body["app"]
            if app in P.roots or app in P.former or app in P.apps or app in P.witnessed:
                return Invalid("acct.key_in_use")
            code = accepts(msg, [app])                                # step 9a, ACCT-10
            if code:
                return Invalid(code)
            if not body["expires"] > h.time:                          # step 10
                return Invalid("acct.expiry")
        if kind == "revoke":                                          # step 11
            app = body["app"]
            if app not in P.apps:
                return Invalid("acct.not_delegated")
            if P.apps[app].revocation is not None:
                return Invalid("acct.already_revoked")
        if kind in ("deactivate", "successor"):                       # step 9a, ACCT-10, ACCT-14:
            code = accepts(msg, list(body.get("roots", [])))          # every key of the revealed
            if code:                                                  # list accepts (none if none)
                return Invalid(code)
        if kind == "successor" and body["to"] == h.acct:             # ACCT-12
            return Invalid("acct.successor")
        if kind == "enckey":                                          # step 12
            if P.enc is not None and not body["version"] > P.enc[1]:
                return Invalid("acct.enckey_version")
        # the new state (§6)
        roots, apps, enc, former, nxt = P.roots, P.apps, P.enc, P.former, P.next
        if kind == "roots":
            former = former | frozenset(P.roots)
            roots = list(body["roots"])
            nxt = body.get("next")
        elif kind == "delegate":
            apps = dict(apps)
            apps[body["app"]] = Grant(list(body["scope"]), body["expires"], body.get("label"),
                                      h.time, msg.id)
        elif kind == "revoke":
            apps = dict(apps)
            c = body.get("cutoff")
            apps[body["app"]] = apps[body["app"]].revoked(
                "all" if c is None else ((c["seq"], c["id"]),))
        elif kind == "enckey":
            enc = (body["key"], body["version"])
        return Valid(State(roots, apps, enc, former, wit, witnessed, nxt), ps.account, p, h.key)

    # -- queries ------------------------------------------------------------

    def status_text(self, x):
        st = self.status.get(x)
        if st is None:
            return None
        if isinstance(st, (Valid, Receipt)):
            return "valid"
        if isinstance(st, Waiting):
            return "waiting"
        return st.code

    # -- the fork choice (§8) ------------------------------------------------

    def deactivated(self, account):
        """ACCT-11: the effective time (its own time) of the deactivation that
        is the head of the canonical chain, if it is one and the chain passes the witness gate."""
        head = self.chain(account)[0]
        if self.messages[head].header.kind != "deactivate":
            return None
        if not self.gated(head):
            return None
        return self.messages[head].header.time

    def gated(self, x):
        """The witness gate of ACCT-11: every operation from the genesis to x (on the canonical
        chain) whose parent names witnesses is final at that parent (§8.6)."""
        while True:
            parent = self.status[x].parent
            if parent is None:
                return True
            if self.status[parent].state.wit is not None and not self.is_final(x):
                return False
            x = parent

    def moved_to(self, account):
        """ACCT-13: the account named by the last successor on the canonical chain (nearest the
        head), if its valid genesis names the account as its predecessor."""
        x = self.chain(account)[0]
        while x is not None:
            m = self.messages[x]
            if m.header.kind == "successor":
                b = m.body["to"]
                if not self.gated(x):                                # witness gate, §5.7
                    return None
                g = self.geneses.get(b)
                if g is not None and self.messages[g].body.get("predecessor") == account:
                    return b
                return None
            x = self.status[x].parent
        return None

    def _self_retires(self, x):
        m = self.messages[x]
        return m.header.kind == "roots" and m.header.key not in m.body["roots"]

    def _committed(self, x):
        """A committed act (ACCT-14): a roots (a committed rotation), deactivate or successor
        operation whose parent state has a commitment. Its body's roots is the list it names."""
        st = self.status[x]
        return (self.messages[x].header.kind in ("roots", "deactivate", "successor")
                and st.parent is not None and self.status[st.parent].state.next is not None)

    def _own_next(self, x):
        """The commitment x makes of its own: the next of a roots operation naming one."""
        m = self.messages[x]
        return m.body.get("next") if m.header.kind == "roots" else None

    def _origin(self, x):
        """The genesis or roots operation whose next state(x).next is (§8.1): the nearest of the
        two kinds on the path from x up, if its state is committed; else None."""
        while x is not None:
            if self.messages[x].header.kind in ("genesis", "roots"):
                return x if self.status[x].state.next is not None else None
            x = self.status[x].parent
        return None

    def _meets(self, C, sub):
        """C's own commitment is met (§8.1): a roots operation naming next, with a committed act
        in its fork-choice subtree whose parent's commitment is C's."""
        return self._own_next(C) is not None and any(
            y != C and self._committed(y) and self._origin(self.status[y].parent) == C
            for y in sub)

    def _signers(self, x):
        """The keys x counts as signed by at the fork points above it (06 §8.1): its signer, and for
        a committed rotation every root of its parent."""
        out = {self.messages[x].header.key}
        if self._committed(x):
            out |= set(self.status[self.status[x].parent].state.roots)
        return out

    def _retired(self, x):
        """The keys x is a self-retirement of (06 §8.1): its signer if it is one, and for a committed
        act every root of its parent that it does not keep: a rotation keeps its new list, a
        deactivation or successor keeps none."""
        m = self.messages[x]
        out = {m.header.key} if self._self_retires(x) else set()
        if self._committed(x):
            kept = m.body["roots"] if m.header.kind == "roots" else []
            out |= {r for r in self.status[self.status[x].parent].state.roots if r not in kept}
        return out

    # -- witnesses (§8.6) -------------------------------------------------------

    def _is_ancestor_or_self(self, a, d):
        while d is not None:
            if d == a:
                return True
            d = self.status[d].parent
        return False

    def _receipts(self, account):
        out = {}
        for st in self.status.values():
            if isinstance(st, Receipt) and st.account == account:
                out.setdefault(st.witness, set()).add(st.op)
        return out

    def duplicitous(self, account):
        """Witnesses with two receipted operations neither an ancestor of the other."""
        out = set()
        for w, ops in self._receipts(account).items():
            if any(not self._is_ancestor_or_self(a, b) and not self._is_ancestor_or_self(b, a)
                   for a in ops for b in ops):
                out.add(w)
        return out

    def is_final(self, c):
        """C is final iff t non-duplicitous witnesses of its parent's set endorse its subtree."""
        st = self.status.get(c)
        if not isinstance(st, Valid) or st.parent is None:
            return False
        wit = self.status[st.parent].state.wit
        if wit is None:
            return False
        keys, t = wit
        dup = self.duplicitous(st.account)
        rc = self._receipts(st.account)
        n = sum(1 for w in keys if w not in dup
                and any(self._is_ancestor_or_self(c, x) for x in rc.get(w, ())))
        return n >= t

    def _supersedes(self, x, y):
        """§8.1: x supersedes y (x names y; siblings; one signer; y earlier, not final, and no valid
        operation below y that counts as signed by (_signers) a root of their parent or of x's state; a self-retirement only
        by a roots operation with the same list)."""
        mx, my = self.messages[x], self.messages[y]
        if mx.body.get("supersedes") != y or x == y or self.is_final(y):
            return False
        sx, sy = self.status.get(x), self.status.get(y)
        if not isinstance(sx, Valid) or not isinstance(sy, Valid):
            return False
        if sx.parent is None or sx.parent != sy.parent:
            return False
        if mx.header.key != my.header.key or not my.header.seq < mx.header.seq:
            return False
        keys = set(self.status[sy.parent].state.roots) | set(sx.state.roots)
        if any(self._signers(c) & keys for c in self._valid_subtree(y)[1:]):   # audit f2f8-2 M1
            return False
        if self._self_retires(y) or self._committed(y):
            # a committed act compares the list it names (audit-int L2: .get, never a KeyError)
            return mx.header.kind == "roots" and list(mx.body["roots"]) == list(my.body.get("roots", []))
        return True

    def _superseded(self, y):
        p = self.status[y].parent
        return p is not None and any(self._supersedes(x, y) for x in self.children.get(p, []))

    def _final_superseders(self, y):
        """The operations that finally supersede y: follow supersedes links (x supersedes y) to
        operations that are not themselves superseded (§8.4 case 3)."""
        out = set()
        for x in self.children.get(self.status[y].parent, []):
            if self._supersedes(x, y):
                out |= self._final_superseders(x) if self._superseded(x) else {x}
        return out

    def _carried(self, P, T):
        """§8.4 case 3 at chain operation P: its superseded children that an operation of T (its
        final child, or its children of minimal strength) finally supersedes."""
        return [y for y in self.children.get(P, [])
                if self._superseded(y) and self._final_superseders(y) & set(T)]

    def _fc_children(self, x, memo):
        if x not in memo:
            memo[x] = sorted(c for c in self.children.get(x, []) if not self._superseded(c))
        return memo[x]

    def _valid_subtree(self, x):
        """The operations of the subtree of x in the tree of valid operations (superseded ones
        included)."""
        out, todo = [], [x]
        while todo:
            y = todo.pop()
            out.append(y)
            todo.extend(self.children.get(y, []))
        return out

    def _contested_subtree(self, x):
        """§8.4 case 1: the operations of the fork-choice subtree of x, and the superseded
        operations whose parent is in it (without what lies below them)."""
        out, todo = [], [x]
        while todo:
            y = todo.pop()
            out.append(y)
            for c in self.children.get(y, []):
                if self._superseded(c):
                    out.append(c)
                else:
                    todo.append(c)
        return out

    def _subtree(self, x, memo):
        """The operations of the fork-choice subtree of x (a superseded operation leaves it with
        its subtree)."""
        out, todo = [], [x]
        while todo:
            y = todo.pop()
            out.append(y)
            todo.extend(self._fc_children(y, memo))
        return out

    def chain(self, account):
        """ACCT-5 (§8.1): (head id, contested list, revocations that also apply (§8.4), last final
        operation (§8.6))."""
        memo = {}
        P = self.geneses[account]
        sticky = []
        last_final = None
        prefix = True                             # every chosen child so far is final
        while True:
            kids = self._fc_children(P, memo)
            if not kids:
                return P, [], sticky, last_final
            final = [C for C in kids if self.is_final(C)]
            if not final:
                prefix = False
            if final:                             # §8.6: a final child wins outright
                nxt = final[0]
                if prefix:
                    last_final = nxt
                sticky.extend(self._carried(P, [nxt]))            # §8.4 case 3
                P = nxt
                continue
            roots = self.status[P].state.roots
            subs = {C: self._subtree(C, memo) for C in kids}
            signed = {C: set().union(*(self._signers(y) for y in subs[C])) for C in kids}
            retired = {C: set().union(*(self._retired(y) for y in subs[C])) for C in kids}
            below = {C: set().union(*(self._retired(y) for y in subs[C] if y != C)) for C in kids}

            def against(C, D):
                # committed rotations of one parent by one (revealed) key speak for one commitment:
                # their own self-retirements do not count against each other (§8.1, ACCT-14)
                if (self._committed(C) and self._committed(D)
                        and self.messages[C].header.key == self.messages[D].header.key):
                    return below[D]
                return retired[D]
            strength = {}
            for C in kids:
                ranks = [i for i, r in enumerate(roots)
                         if r in signed[C] and not any(r in against(C, D) for D in kids if D != C)]
                strength[C] = min(ranks) if ranks else float("inf")
            s = min(strength.values())
            best = [C for C in kids if strength[C] == s]
            sticky.extend(self._carried(P, best))                 # §8.4 case 3
            if all(self._committed(C) for C in best):      # one revealed key's rotations
                key = self.messages[best[0]].header.key
            else:
                key = roots[s] if s != float("inf") else None
            by_key = key is not None and all(self.messages[C].header.key == key for C in best)
            continued = [C for C in best if self._fc_children(C, memo)]
            if len(best) == 1:
                nxt = best[0]
            elif by_key and not continued:
                nxt = best[0]                     # kids are sorted: the smallest id
                sticky.extend(best[1:])
            elif by_key and len(continued) == 1 and any(
                    key in self._signers(y)
                    for y in subs[continued[0]] if y != continued[0]):
                nxt = continued[0]                # the one leaf the key continued (§8.1)
                sticky.extend(C for C in best if C != nxt)
            elif (all(self._committed(C) for C in best) and len(continued) > 1
                  and len(meeting := [C for C in best if self._meets(C, subs[C])]) == 1
                  and all(self._own_next(x) in (None, self._own_next(meeting[0]))
                          for x in continued if x != meeting[0])):
                nxt = meeting[0]                  # a met commitment breaks a copy's tie (§8.1, Q1)
                for C in best:                    # the defeated copies' revocations apply
                    if C != nxt:                  # (§8.4 case 2, audit-wm WM2)
                        sticky.extend(self._contested_subtree(C))
            else:
                for C in best:
                    sticky.extend(self._contested_subtree(C))     # §8.4 case 1
                return P, sorted(best), sticky, last_final
            P = nxt

    def head_state(self, account):
        head, _, sticky, _ = self.chain(account)
        st = self.status[head].state
        apps = dict(st.apps)
        for v in sticky:
            m = self.messages[v]
            if m.header.kind != "revoke" or m.body["app"] not in apps:
                continue
            c = m.body.get("cutoff")
            new = "all" if c is None else ((c["seq"], c["id"]),)
            g = apps[m.body["app"]]
            apps[m.body["app"]] = g.revoked(_merge(g.revocation, new))
        return State(st.roots, apps, st.enc, st.former, st.wit, st.witnessed)

    def view(self, account):
        head, contested, _, last_final = self.chain(account)
        st = self.head_state(account)
        apps = []
        for k in sorted(st.apps):
            g = st.apps[k]
            if g.revocation is None:
                rev = None
            elif g.revocation == "all":
                rev = "all"
            else:
                rev = [{"seq": s, "id": c.hex()} for s, c in g.revocation]
                rev = rev[0] if len(rev) == 1 else rev
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
            "witnesses": None if st.wit is None else {"keys": [k.hex() for k in st.wit[0]],
                                                      "threshold": st.wit[1]},
            "final": None if last_final is None else last_final.hex(),
            "duplicitous": sorted(k.hex() for k in self.duplicitous(account)),
            "deactivated": self.deactivated(account),
            "moved_to": None if self.moved_to(account) is None else self.moved_to(account).hex(),
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
            if isinstance(st, (Valid, Receipt)):
                return ("authorized",)
            if isinstance(st, Invalid):
                return ("denied", st.code)
            return ("unknown", ("message", st.parent))
        A, K, k, T, S = header.acct, header.key, header.kind, header.time, header.seq
        if A not in self.geneses:                                     # AUTH-1
            return ("unknown", ("account", A))
        end = self.deactivated(A)
        if end is not None and T >= end:                               # ACCT-11
            return ("denied", "auth.deactivated")
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
        # every cutoff must keep M: a denial by any decides, else the first one missing a header
        outcomes = [_kept(S, K, m, s, c, lookup) for s, c in rev]
        for o in outcomes:
            if o[0] == "denied":
                return o
        for o in outcomes:
            if o[0] == "unknown":
                return o
        return ("authorized",)


def _kept(S, K, m, s, c, lookup):
    """AUTH-6 for one cutoff (s, c): the walk of 06 §9.2 step 6."""
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
