"""Sealed direct messages (spec 08): hybrid sealing, opening (DM-1..DM-9, DM-16..DM-18), prekey
bundles (DM-10, DM-15), the refusal of public direct messages (DM-14), and groups (DM-19..DM-21:
membership records, forks, group messages), from the text.

X25519 and XChaCha20-Poly1305 are libsodium's (PyNaCl bindings); ML-KEM-768 is kyber-py (a pure
Python FIPS 203 implementation: ML-KEM.KeyGen_internal from the seed d || z, Encaps_internal with
the vector's m, Decaps); BLAKE3 derive_key is the blake3 package; Ed25519 is this checker's own
predicate (03). libsodium's crypto_scalarmult itself refuses an all-zero result, which is the
contributory check of DM-3; this module also tests the output for zero explicitly.
"""

import nacl.bindings as sodium
import nacl.exceptions
from kyber_py.ml_kem import ML_KEM_768

from . import cbor, ed25519, ids, messages
from .pow import difficulty as leading_zero_bits
from .cbor import CMap, is_uint
from .errors import Reject

VERSION = 2
BUCKETS = (512, 2048, 8192, 32768, 65536)
PQ_PUBLIC = 1184
PQ_CT = 1088
HEADER = 1 + 2 + 32 + PQ_CT + 2 + 16 + 32         # 1173
AUTH = 16
SEALED_LENGTHS = tuple(HEADER + b + AUTH for b in BUCKETS)
MAX_INNER = 65532
MAX_RECIPIENTS = 8
MAX_ONETIME = 32
NO_ONETIME = 0xFFFF
MAX_LIFETIME = 30 * 24 * 60 * 60 * 1000
WINDOW = MAX_LIFETIME + 7 * 24 * 60 * 60 * 1000
SKEW = 600_000
MAX_53 = 2 ** 53 - 1
SIG_PREFIX = b"skylark v1 direct message\x00"
GROUP_SIG_PREFIX = b"skylark v1 dm group\x00"
Q = 3329


def H(context, *parts):
    return ids.H(context, b"".join(parts))


def public(secret):
    return sodium.crypto_scalarmult_base(secret)


def x25519(secret, u):
    """X25519(secret, u), or None for the all-zero result (DM-3)."""
    try:
        out = sodium.crypto_scalarmult(secret, u)
    except nacl.exceptions.RuntimeError:
        return None           # libsodium refuses an all-zero output
    return None if out == bytes(32) else out


def tag(r):
    return H("skylark v1 dm mailbox", r)[:2]


def bucket(n):
    for b in BUCKETS:
        if b >= n:
            return b
    return None


def pq_key_ok(ek):
    """FIPS 203 §7.2: 1184 bytes whose ByteDecode_12 coefficients are all below q."""
    if not isinstance(ek, bytes) or len(ek) != PQ_PUBLIC:
        return False
    for i in range(0, PQ_PUBLIC - 32, 3):
        a = ek[i] | ((ek[i + 1] & 0x0F) << 8)
        b = (ek[i + 1] >> 4) | (ek[i + 2] << 4)
        if a >= Q or b >= Q:
            return False
    return True


def pq_keygen(seed):
    """(ek, dk) of ML-KEM.KeyGen_internal(d, z), seed = d || z."""
    return ML_KEM_768._keygen_internal(seed[:32], seed[32:])


# ---------------------------------------------------------------------------
# the inner message (§4, DM-6, DM-7, DM-11)

class Inner:
    __slots__ = ("raw", "id", "acct", "key", "time", "to", "text", "group")


def signed_pair(data, prefix):
    """DM-11 and DM-6 under `prefix`: the payload map, acct, key and time of `[payload, signature]`
    bytes, or Reject (`dm.too_large`, else `dm.inner_signature`). Shared by the inner message and
    the inner report, which differ only in their signature context and body."""
    if len(data) > MAX_INNER:
        raise Reject("dm.too_large")
    bad = Reject("dm.inner_signature")
    try:
        pair = cbor.decode(data)
    except Reject:
        raise bad
    if not isinstance(pair, list) or len(pair) != 2:
        raise bad
    payload, sig = pair
    if not isinstance(payload, bytes) or not isinstance(sig, bytes) or len(sig) != 64:
        raise bad
    try:
        p = cbor.decode(payload)
    except Reject:
        raise bad
    if not isinstance(p, CMap):
        raise bad
    acct, key, time = p.get("acct"), p.get("key"), p.get("time")
    if not isinstance(acct, bytes) or len(acct) != 32 or not isinstance(key, bytes) \
            or len(key) != 32 or not is_uint(time) or time > MAX_53:
        raise bad
    try:
        ed25519.verify(key, prefix + payload, sig)
    except Reject:
        raise bad
    return p, acct, key, time


def inner_message(data):
    """DM-11, DM-6, DM-7: the Inner of inner bytes, or Reject."""
    p, acct, key, time = signed_pair(data, SIG_PREFIX)
    for k in p.keys():                                                   # DM-7
        if k not in ("acct", "key", "time", "to", "text", "group", "token") and "." not in k:
            raise Reject("dm.inner_body")
    to, text = p.get("to"), p.get("text")
    if not isinstance(to, list) or not isinstance(text, str):
        raise Reject("dm.inner_body")
    if not 1 <= len(to) <= MAX_RECIPIENTS:
        raise Reject("dm.inner_body")
    for i, a in enumerate(to):
        if not isinstance(a, bytes) or len(a) != 32:
            raise Reject("dm.inner_body")
        if i and not to[i - 1] < a:
            raise Reject("dm.inner_body")
    token = p.get("token")                                               # an access token (§5.7)
    if token is not None and (not isinstance(token, bytes) or len(token) != 32):
        raise Reject("dm.inner_body")
    group = p.get("group")
    if group is not None:
        if not isinstance(group, bytes):
            raise Reject("dm.inner_body")
        group = group_record(group)                                      # DM-19
    m = Inner()
    m.raw, m.id = data, H("skylark v1 dm id", data)
    m.acct, m.key, m.time, m.to, m.text, m.group = acct, key, time, to, text, group
    return m


# ---------------------------------------------------------------------------
# groups (§5.6, DM-19..DM-21)

class Record:
    __slots__ = ("raw", "id", "acct", "key", "time", "group", "prev", "members", "admins")


def _accounts(v):
    if not isinstance(v, list) or not 1 <= len(v) <= MAX_RECIPIENTS:
        return None
    for i, a in enumerate(v):
        if not isinstance(a, bytes) or len(a) != 32 or (i and not v[i - 1] < a):
            return None
    return v


def group_record(data):
    """DM-19: the Record of membership record bytes, or Reject."""
    bad = Reject("dm.group_record")
    if len(data) > MAX_INNER:
        raise bad
    try:
        pair = cbor.decode(data)
    except Reject:
        raise bad
    if not isinstance(pair, list) or len(pair) != 2:
        raise bad
    payload, sig = pair
    if not isinstance(payload, bytes) or not isinstance(sig, bytes) or len(sig) != 64:
        raise bad
    try:
        p = cbor.decode(payload)
    except Reject:
        raise bad
    if not isinstance(p, CMap):
        raise bad
    names = ("acct", "key", "time", "group", "prev", "members", "admins")
    for k in p.keys():
        if k not in names and "." not in k:
            raise bad
    acct, key, time, group, prev = (p.get(n) for n in names[:5])
    members, admins = _accounts(p.get("members")), _accounts(p.get("admins"))
    if not isinstance(acct, bytes) or len(acct) != 32:
        raise bad
    if not isinstance(key, bytes) or len(key) != 32 or not is_uint(time) or time > MAX_53:
        raise bad
    if (group is None) != (prev is None):
        raise bad
    for x in (group, prev):
        if x is not None and (not isinstance(x, bytes) or len(x) != 32):
            raise bad
    if members is None or admins is None or any(a not in members for a in admins):
        raise bad
    if group is None and acct not in admins:
        raise bad
    try:
        ed25519.verify(key, GROUP_SIG_PREFIX + payload, sig)
    except Reject:
        raise bad
    r = Record()
    r.raw, r.id = data, H("skylark v1 dm group record", data)
    r.acct, r.key, r.time, r.prev, r.members, r.admins = acct, key, time, prev, members, admins
    r.group = r.id if group is None else group
    return r


class Groups:
    """The records held per group: each group's winning chain (a list from the creation record
    to the head) and every record held."""

    def __init__(self):
        self.chains = {}          # group id -> [record ids, creation first]
        self.records = {}         # record id -> Record

    def head(self, group):
        chain = self.chains.get(group)
        return chain[-1] if chain else None

    def plan(self, r, state):
        """DM-20, DM-21 (the head part): the chain after adding r, or Reject."""
        chain = self.chains.get(r.group)
        if r.id in self.records:
            if chain and chain[-1] == r.id:
                return chain
            raise Reject("dm.group_stale")
        if r.prev is not None and (chain is None or r.prev not in self.records):
            raise Reject("dm.group_unknown")
        g = dm_grant(state, r.acct, r.key, "dm", r.time)
        if g[0] == "unknown":
            raise Reject("dm.group_unknown")
        if g[0] == "no":
            raise Reject("dm.group_unauthorized")
        if r.prev is None:
            return [r.id]
        parent = self.records[r.prev]
        without = lambda l: [a for a in l if a != r.acct]
        leaves = (r.acct in parent.members and r.members == without(parent.members)
                  and r.admins == without(parent.admins))                 # a member leaves
        if r.acct not in parent.admins and not leaves:
            raise Reject("dm.group_unauthorized")
        if r.prev not in chain:
            raise Reject("dm.group_stale")
        i = chain.index(r.prev)
        if i + 1 < len(chain) and not r.id < chain[i + 1]:
            raise Reject("dm.group_stale")
        return chain[:i + 1] + [r.id]

    def commit(self, r, chain):
        self.records[r.id] = r
        self.chains[r.group] = chain

    def add(self, r, state):
        self.commit(r, self.plan(r, state))
        return r


# ---------------------------------------------------------------------------
# sealing (§5)

def derive(dh1, dh2, ss, e_pub, r, o, ct, slot):
    s = slot.to_bytes(2, "big")
    ikm = dh1 + dh2 + ss + e_pub + r + o + ct + s
    return {
        "slot_mask": H("skylark v1 dm slot", dh1, ss, e_pub, r, ct)[:2],
        "slot_check": H("skylark v1 dm slot check", dh1, ss, e_pub, r, ct, s)[:16],
        "ikm": ikm,
        "aead_key": H("skylark v1 dm hybrid key", ikm),
        "nonce": H("skylark v1 dm hybrid nonce", ikm)[:24],
        "commitment": H("skylark v1 dm commitment", ikm),
    }


def seal(inner_bytes, r, pq, onetime, slot, e, m, chosen=None, check=None):
    """08 §5.4: the dict of every intermediate value, or Reject. `chosen`: cover padding to that
    bucket instead of the smallest (§5.3). `check`: what the inner bytes must be (a direct
    message by default; a report, §14.2)."""
    (check or inner_message)(inner_bytes)
    p = bucket(len(inner_bytes) + 4)
    if chosen is not None:
        if chosen not in BUCKETS or chosen < p:
            raise Reject("dm.padding")
        p = chosen
    padded = len(inner_bytes).to_bytes(4, "big") + inner_bytes + bytes(p - 4 - len(inner_bytes))
    if slot is None:
        o, slot = None, NO_ONETIME
    else:
        if slot >= len(onetime):
            raise Reject("dm.onetime_consumed")
        o = onetime[slot]
    e_pub = public(e)
    dh1 = x25519(e, r)
    dh2 = bytes(32) if o is None else x25519(e, o)
    if dh1 is None or dh2 is None:
        raise Reject("dm.weak_key")
    ss, ct = ML_KEM_768._encaps_internal(pq, m)
    d = derive(dh1, dh2, ss, e_pub, r, o or bytes(32), ct, slot)
    masked = bytes(a ^ b for a, b in zip(slot.to_bytes(2, "big"), d["slot_mask"]))
    aad = bytes([VERSION]) + tag(r) + e_pub + ct + masked + d["slot_check"] + d["commitment"]
    sealed = aad + sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
        padded, aad, d["nonce"], d["aead_key"])
    d.update({"ephemeral_key": e_pub, "dh1": dh1, "pq_ciphertext": ct, "pq_shared": ss,
              "dh2": dh2, "tag": tag(r), "aad": aad, "padded": padded, "sealed": sealed})
    return d


def unpad(padded):
    """DM-5, inspecting every byte (the length is a bucket already, DM-1)."""
    n = int.from_bytes(padded[:4], "big")
    if n + 4 > len(padded):               # any bucket that holds it: cover padding opens
        raise Reject("dm.padding")
    acc = 0
    for b in padded[4 + n:]:
        acc |= b
    if acc:
        raise Reject("dm.padding")
    return padded[4:4 + n]


# ---------------------------------------------------------------------------
# who may send and publish prekeys (DM-15, DM-16)

def dm_grant(state, acct, key, kind, time):
    """("yes",) / ("no", code) / ("unknown",): an app key whose scope names `kind` explicitly."""
    if acct not in state.geneses:
        return ("unknown",)
    st = state.head_state(acct)
    if key in st.roots:
        return ("no", "auth.root_key_message")
    g = st.apps.get(key)
    if g is None:
        return ("no", "auth.not_delegated")
    if kind not in g.scope:                   # ["*"] never names dm or prekey
        return ("no", "auth.out_of_scope")
    if time < g.delegated_at:
        return ("no", "auth.before_delegation")
    if time > g.expires:
        return ("no", "auth.expired")
    if g.revocation is not None:              # any revocation: no place in a public history
        return ("no", "auth.revoked")
    return ("yes",)


# ---------------------------------------------------------------------------
# opening (§6)

def decrypt(sealed, keys):
    """08 §6 steps 1 to 4 (DM-1..DM-5, DM-18): (key set, inner bytes, slot), or Reject."""
    if len(sealed) == 0:
        raise Reject("dm.malformed")
    if sealed[0] != VERSION:
        raise Reject("dm.unsupported_version")
    if len(sealed) not in SEALED_LENGTHS:
        raise Reject("dm.malformed")
    aad, t, e_pub = sealed[:HEADER], sealed[1:3], sealed[3:35]
    ct, masked = sealed[35:35 + PQ_CT], sealed[35 + PQ_CT:37 + PQ_CT]
    check, commitment = sealed[37 + PQ_CT:53 + PQ_CT], sealed[53 + PQ_CT:HEADER]
    candidates = [k for k in keys if tag(public(k["signed"])) == t]        # DM-2
    if not candidates:
        raise Reject("dm.unknown_key")
    found, consumed = None, False
    for k in candidates:
        r = public(k["signed"])
        dh1 = x25519(k["signed"], e_pub)                                   # DM-3
        if dh1 is None:
            raise Reject("dm.weak_key")
        _, dk = pq_keygen(k["pq_seed"])
        ss = ML_KEM_768._decaps_internal(dk, ct)
        mask = H("skylark v1 dm slot", dh1, ss, e_pub, r, ct)[:2]
        slot = int.from_bytes(bytes(a ^ b for a, b in zip(masked, mask)), "big")
        if H("skylark v1 dm slot check", dh1, ss, e_pub, r, ct, slot.to_bytes(2, "big"))[:16] \
                != check:                                                  # DM-4
            continue
        if slot == NO_ONETIME:
            o, dh2 = bytes(32), bytes(32)
        else:                                                              # DM-18
            if slot >= len(k["onetime"]) or k["onetime"][slot] is None:
                consumed = True
                continue
            o = public(k["onetime"][slot])
            dh2 = x25519(k["onetime"][slot], e_pub)
            if dh2 is None:
                raise Reject("dm.weak_key")
        d = derive(dh1, dh2, ss, e_pub, r, o, ct, slot)
        if d["commitment"] != commitment:                                  # DM-4
            continue
        try:
            padded = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
                sealed[HEADER:], aad, d["nonce"], d["aead_key"])
        except nacl.exceptions.CryptoError:
            continue
        found = (k, padded, slot)
        break
    if found is None:
        raise Reject("dm.onetime_consumed" if consumed else "dm.tampered")
    k, padded, slot = found
    return k, unpad(padded), slot                                          # DM-5


def open_sealed(sealed, me, keys, state, now, seen, groups=None):
    """08 §6: (Inner, device, slot or None), or Reject. `keys`: dicts with device, signed,
    pq_seed and onetime (a list of secrets or None); a used slot is set to None. `groups`: the
    opener's Groups, or None for an opener without group state."""
    k, data, slot = decrypt(sealed, keys)
    inner = inner_message(data)                                            # DM-6, 7, 11
    if inner.acct != me and me not in inner.to:                            # DM-8
        raise Reject("dm.wrong_recipient")
    if inner.time > now + SKEW or inner.time < now - WINDOW:               # DM-17
        raise Reject("dm.outside_window")
    if inner.id in seen:                                                   # DM-9
        raise Reject("dm.replay")
    g = dm_grant(state, inner.acct, inner.key, "dm", inner.time)           # DM-16
    if g[0] == "no":
        raise Reject("dm.sender_unauthorized")
    if g[0] == "unknown":
        raise Reject("dm.sender_unknown")
    chain = None
    if inner.group is not None:                                          # DM-20, DM-21
        if groups is None:
            raise Reject("dm.group_unknown")
        chain = groups.plan(inner.group, state)
        # the sender is a member, or announces a record new to the opener by which it left
        announces = inner.acct == inner.group.acct and inner.group.id not in groups.records
        if inner.to != inner.group.members or not (inner.acct in inner.group.members or announces):
            raise Reject("dm.group_members")
        groups.commit(inner.group, chain)
    if slot != NO_ONETIME:
        k["onetime"][slot] = None
    return inner, k["device"], None if slot == NO_ONETIME else slot


# ---------------------------------------------------------------------------
# prekey bundles (§3, DM-10, DM-15)

def prekey(message, state):
    """DM-10 then DM-15: the bundle's values as a dict, or Reject."""
    if message.header.kind != "prekey" or message.stripped:
        raise Reject("dm.prekey")
    body = message.body
    names = ("device", "key", "pq", "onetime", "expires", "gate")
    for k in body.keys():
        if k not in names and "." not in k:
            raise Reject("dm.prekey")
    device, key, pq, onetime, expires = (body.get(n) for n in names[:5])
    if not isinstance(device, bytes) or len(device) != 16:
        raise Reject("dm.prekey")
    if not isinstance(key, bytes) or len(key) != 32:
        raise Reject("dm.prekey")
    if not pq_key_ok(pq):
        raise Reject("dm.prekey")
    if not isinstance(onetime, list) or len(onetime) > MAX_ONETIME:
        raise Reject("dm.prekey")
    for i, o in enumerate(onetime):
        if not isinstance(o, bytes) or len(o) != 32 or o in onetime[:i]:
            raise Reject("dm.prekey")
    t = message.header.time
    if not is_uint(expires) or not (t < expires <= t + MAX_LIFETIME and expires <= MAX_53):
        raise Reject("dm.prekey")
    gate = gate_of(body.get("gate", None))
    if dm_grant(state, message.header.acct, message.header.key, "prekey", t)[0] != "yes":
        raise Reject("dm.prekey_unauthorized")
    return {"device": device, "key": key, "pq": pq, "onetime": onetime, "expires": expires,
            "gate": gate}


# ---------------------------------------------------------------------------
# moderation-service declarations (§14.1, DM-24, DM-25)

SEVERITIES = ("alert", "inform", "none")
BLURS = ("content", "media", "none")
SETTINGS = ("hide", "warn", "ignore")


def _fields(m, names):
    """The values of `names` in map `m` (None when absent), or None if `m` is not a map or has an
    un-dotted key outside `names`."""
    if not isinstance(m, CMap):
        return None
    if any(k not in names and "." not in k for k in m.keys()):
        return None
    return [m.get(n) for n in names]


def _text(v, scalars, nbytes):
    return (type(v) is str and v != "" and len(v) <= scalars
            and len(v.encode("utf-8")) <= nbytes)


def _label_def(d):
    f = _fields(d, ("value", "severity", "blur", "default", "locales"))
    if f is None:
        return None
    value, severity, blur, default, locales = f
    if type(value) is not str or not (value in messages.VOCABULARY
                                       or messages.custom_label_ok(value)):
        return None
    if severity not in SEVERITIES or blur not in BLURS or default not in SETTINGS:
        return None
    if not isinstance(locales, list) or not 1 <= len(locales) <= 16:
        return None
    langs = []
    for loc in locales:
        lf = _fields(loc, ("lang", "name", "description"))
        if lf is None:
            return None
        lang, name, description = lf
        if type(lang) is not str or not messages.lang_ok(lang) or lang in langs:
            return None
        if not _text(name, 64, 256) or not _text(description, 1000, 4000):
            return None
        langs.append(lang)
    return value


def _relays_ok(relays):
    """DM-24's `relays`: 1 to 4 distinct http(s) URLs of at most 256 bytes."""
    if not isinstance(relays, list) or not 1 <= len(relays) <= 4:
        return False
    for i, r in enumerate(relays):
        if type(r) is not str or r in relays[:i] or len(r.encode("utf-8")) > 256:
            return False
        rest = r[8:] if r.startswith("https://") else r[7:] if r.startswith("http://") else ""
        if rest == "":
            return False
    return True


def declaration(message, state):
    """DM-24 then DM-25: {"keys": [(R, ek, expires)], "reasons": [...], "labels": [...]}, or Reject."""
    if message.header.kind != "service" or message.stripped:
        raise Reject("dm.declaration")
    f = _fields(message.body, ("keys", "reasons", "labels"))
    if f is None or not all(isinstance(x, list) for x in f):
        raise Reject("dm.declaration")
    keys, reasons, labels = f
    if not 1 <= len(keys) <= 4 or not 1 <= len(reasons) <= 10 or len(labels) > 64:
        raise Reject("dm.declaration")
    t = message.header.time
    out_keys = []
    for k in keys:
        kf = _fields(k, ("key", "pq", "expires", "relays", "gate"))
        if kf is None:
            raise Reject("dm.declaration")
        r, ek, expires, relays, gate = kf
        if not isinstance(r, bytes) or len(r) != 32 or not pq_key_ok(ek):
            raise Reject("dm.declaration")
        if not is_uint(expires) or not (t < expires <= t + MAX_LIFETIME and expires <= MAX_53):
            raise Reject("dm.declaration")
        if relays is not None and not _relays_ok(relays):
            raise Reject("dm.declaration")
        gate = gate_of(gate, "dm.declaration")
        out_keys.append((r, ek, expires, gate))
    for i, reason in enumerate(reasons):
        if reason not in messages.REASONS or reason in reasons[:i]:
            raise Reject("dm.declaration")
    values = []
    for d in labels:
        v = _label_def(d)
        if v is None or v in values:
            raise Reject("dm.declaration")
        values.append(v)
    if dm_grant(state, message.header.acct, message.header.key, "service", t)[0] != "yes":
        raise Reject("dm.declaration_unauthorized")
    return {"keys": out_keys, "reasons": list(reasons), "labels": values, "time": t,
            "acct": message.header.acct, "id": message.id}


def choose(declarations, now):
    """08 §14.1, the reporter's choice: among `declarations` (dicts of `declaration`, already
    authorized) dated at or before `now`, the latest by (time, id), and its first current key
    (time <= now <= expires); (declaration, key) or None."""
    ds = [d for d in declarations if d["time"] <= now]
    if not ds:
        return None
    d = max(ds, key=lambda d: (d["time"], d["id"]))
    keys = [k for k in d["keys"] if d["time"] <= now <= k[2]]
    return (d, keys[0]) if keys else None


def relay_keys(declarations, now):
    """DM-22 for report keys: the current keys of each service's latest declaration (by
    (time, id)) among `declarations` (dicts of `declaration`, already authorized)."""
    latest = {}
    for d in (d for d in declarations if d["time"] <= now):
        cur = latest.get(d["acct"])
        if cur is None or (d["time"], d["id"]) > (cur["time"], cur["id"]):
            latest[d["acct"]] = d
    return [k for d in latest.values() for k in d["keys"] if d["time"] <= now <= k[2]]


def relay_files(sealed, stamp_bytes, keys):
    """DM-22 over the report keys `keys`: False if none has the item's tag, True if one's gate
    admits the stamp, else Reject."""
    stamp_of(stamp_bytes)
    mine = [k for k in keys if tag(k[0]) == sealed[1:3]]
    if not mine:
        return False
    for k in mine:
        try:
            return relay_admits(k[3], sealed, stamp_bytes)
        except Reject:
            pass
    raise Reject("dm.stamp")


# ---------------------------------------------------------------------------
# sealed reports (§14.2, §14.3, DM-26..DM-29)

REPORT_SIG_PREFIX = b"skylark v1 report\x00"


class ReportInner:
    __slots__ = ("raw", "id", "acct", "key", "time", "report")


def report_inner(data):
    """DM-11, DM-6 under the report context, DM-26 (with 05 §5.9 for the body), or Reject."""
    p, acct, key, time = signed_pair(data, REPORT_SIG_PREFIX)
    f = _fields(p, ("acct", "key", "time", "report"))                     # DM-26
    if f is None or not isinstance(f[3], CMap):
        raise Reject("dm.report_body")
    messages.body_report(f[3], None)                                       # MSG-1, REPORT-1, -2
    m = ReportInner()
    m.raw, m.id = data, H("skylark v1 report id", data)
    m.acct, m.key, m.time, m.report = acct, key, time, f[3]
    return m


def open_report(sealed, me, keys, declaration_, state, now, seen):
    """08 §14.3: the ReportInner, or Reject. `declaration_`: the dict of `declaration`."""
    k, data, _slot = decrypt(sealed, keys)
    if public(k["signed"]) not in [x[0] for x in declaration_["keys"]]:   # DM-27
        raise Reject("dm.report_undeclared_key")
    inner = report_inner(data)
    if inner.report["service"] != me:                                      # DM-8
        raise Reject("dm.wrong_recipient")
    if inner.report["reason"] not in declaration_["reasons"]:             # DM-28
        raise Reject("dm.report_reason")
    if inner.time > now + SKEW or inner.time < now - WINDOW:               # DM-17
        raise Reject("dm.outside_window")
    if inner.id in seen:                                                   # DM-9
        raise Reject("dm.replay")
    if dm_grant(state, inner.acct, inner.key, "report", inner.time)[0] != "yes":   # DM-29
        raise Reject("dm.reporter_unauthorized")
    return inner


# ---------------------------------------------------------------------------
# gating (§5.7, DM-22, DM-23)

OPEN_GATE = {"accept": "all", "pow": 0, "tokens": []}


def gate_of(g, code="dm.prekey"):
    """DM-10's gate rules: the gate as a dict, OPEN_GATE when absent, or Reject(code)."""
    if g is None:
        return dict(OPEN_GATE)
    if not isinstance(g, CMap):
        raise Reject(code)
    for k in g.keys():
        if k not in ("accept", "pow", "tokens") and "." not in k:
            raise Reject(code)
    accept, pow_, tokens = g.get("accept"), g.get("pow"), g.get("tokens")
    if accept not in ("all", "follows", "none") or not is_uint(pow_) or pow_ > 32:
        raise Reject(code)
    if not isinstance(tokens, list) or len(tokens) > 8:
        raise Reject(code)
    for i, x in enumerate(tokens):
        if not isinstance(x, bytes) or len(x) != 32 or x in tokens[:i]:
            raise Reject(code)
    return {"accept": accept, "pow": pow_, "tokens": tokens}


def stamp_of(data):
    """The stamp of its bytes: ("none",), ("work", bits, nonce bytes), ("token", token)."""
    if len(data) == 0:
        return ("none",)
    if data[0] == 1 and len(data) == 10:
        return ("work", data[1], data[2:])
    if data[0] == 2 and len(data) == 33:
        return ("token", data[1:])
    raise Reject("dm.stamp")


def work_hash(sealed, bits, nonce):
    item = H("skylark v1 dm pow item", sealed)
    return item, H("skylark v1 dm pow", item, bytes([bits]), nonce)


def stamp_passes(gate, sealed, stamp):
    if stamp[0] == "token":
        return H("skylark v1 dm token", stamp[1]) in gate["tokens"]
    if stamp[0] == "work":
        bits = stamp[1]
        return (gate["accept"] == "all" and bits >= gate["pow"]
                and leading_zero_bits(work_hash(sealed, bits, stamp[2])[1]) >= bits)
    return False


def relay_admits(gate, sealed, stamp_bytes):
    """DM-22, or Reject."""
    stamp = stamp_of(stamp_bytes)
    if gate["accept"] == "all" and gate["pow"] == 0:
        return True
    if not stamp_passes(gate, sealed, stamp):
        raise Reject("dm.stamp")
    return True


def recipient_admits(gate, me, sender, follows, sealed, stamp_bytes):
    """DM-23, or Reject."""
    stamp = stamp_of(stamp_bytes)
    if sender == me:
        return True
    a = gate["accept"]
    if a == "follows" and follows:
        return True
    if a == "all" and (follows or gate["pow"] == 0 or stamp_passes(gate, sealed, stamp)):
        return True
    raise Reject("dm.gated")
