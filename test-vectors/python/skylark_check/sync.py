"""Set reconciliation (spec 09): frames (SYNC-1..SYNC-5, SYNC-8), salted
fingerprints and tags (SYNC-6), processing and splitting (SYNC-7), the frame
limit (SYNC-9). Written from the chapter's text; sums are Python integers."""

import blake3

from . import cbor
from .errors import Reject

INF = 2 ** 64 - 1
LEAF = 64
LIMIT = 65536
DEFER_ROOM = 8192  # SYNC-9: the deferral room
KEY_CONTEXT = "skylark 2026-12-05 sync key"


def session_key(salt):
    return blake3.blake3(salt, derive_key_context=KEY_CONTEXT).digest()


def item_hash(key, item):
    t, i = item
    return blake3.blake3(b"\x00" + t.to_bytes(8, "big") + i, key=key).digest(length=40)


def tag(key, item):
    return item_hash(key, item)[32:]


def fingerprint(key, items):
    s = sum(int.from_bytes(item_hash(key, it)[:32], "little") for it in items) % 2 ** 256
    data = b"\x01" + len(items).to_bytes(8, "big") + s.to_bytes(32, "little")
    return blake3.blake3(data, key=key).digest()[:16]


# A bound is (time, prefix bytes); its point is (time, prefix zero-padded).
LOWEST = (0, b"")
INFINITY = (INF, b"")


def point(b):
    return (b[0], b[1] + bytes(32 - len(b[1])))


def below(item, b):
    return (item[0], item[1]) < point(b)


def between(a, b):
    if a[0] != b[0]:
        return (b[0], b"")
    k = 0
    while a[1][k] == b[1][k]:
        k += 1
    return (b[0], b[1][:k + 1])


def fanout(c):
    levels = 1
    while 64 * 32 ** levels < c:
        levels += 1
    b = 2
    while 64 * b ** levels < c:
        b += 1
    return b


# ---------------------------------------------------------------------------
# Parsing (09 §4)

def parse(data):
    """Returns (salt, ranges); a range is (upper bound, mode, payload tuple)."""
    v = cbor.decode(data)                           # SYNC-1 (raises cbor.*)
    if not (isinstance(v, list) and len(v) == 3 and cbor.is_uint(v[0])
            and isinstance(v[1], bytes) and len(v[1]) == 16 and isinstance(v[2], list)):
        raise Reject("sync.frame_shape")
    if v[0] != 1:
        raise Reject("sync.version")
    ranges = []
    prev_point = point(LOWEST)
    prev_time = 0
    prev_skip = False
    for r in v[2]:
        # SYNC-4, shape
        if not (isinstance(r, list) and len(r) >= 3 and cbor.is_uint(r[0])
                and isinstance(r[1], bytes) and cbor.is_uint(r[2])):
            raise Reject("sync.range_shape")
        t, prefix, mode, rest = r[0], r[1], r[2], r[3:]
        arity = {0: 0, 1: 1, 2: 1, 3: 2, 4: 1}.get(mode)
        if arity is None or len(rest) != arity or not all(isinstance(x, bytes) for x in rest):
            raise Reject("sync.range_shape")
        # SYNC-3, the bound
        if len(prefix) > 32 or prefix.endswith(b"\x00") or (t == 0 and prefix):
            raise Reject("sync.bound_prefix")
        if t == 0:
            time = INF
        else:
            time = prev_time + t - 1
            if time >= INF:
                raise Reject("sync.bound_order")
        upper = (time, prefix)
        if point(upper) <= prev_point:
            raise Reject("sync.bound_order")
        prev_point = point(upper)
        if t != 0:
            prev_time = time
        # SYNC-4, skips
        if mode == 0 and prev_skip:
            raise Reject("sync.skip")
        prev_skip = mode == 0
        # SYNC-5, payloads
        if mode == 1 and len(rest[0]) != 16:
            raise Reject("sync.payload")
        if mode == 2 and (len(rest[0]) % 8 or len(rest[0]) // 8 > LEAF):
            raise Reject("sync.payload")
        if mode == 3 and (len(rest[0]) > 8 or len(rest[1]) % 32 or len(rest[1]) // 32 > LEAF):
            raise Reject("sync.payload")
        if mode == 4 and (len(rest[0]) % 32 or len(rest[0]) // 32 > LEAF):
            raise Reject("sync.payload")
        ranges.append((upper, mode, tuple(rest)))
    if prev_skip:
        raise Reject("sync.skip")
    return v[1], ranges


def chunks(b, n):
    return [b[k:k + n] for k in range(0, len(b), n)]


# ---------------------------------------------------------------------------
# Encoding

def encode_range(upper, mode, payload, prev_time):
    t, prefix = upper
    if t == INF:
        enc_t = 0
    else:
        enc_t = t - prev_time + 1
        prev_time = t
    return cbor.encode([enc_t, prefix, mode] + list(payload)), prev_time


def encode_frame(salt, ranges):
    body = b""
    prev = 0
    for upper, mode, payload in ranges:
        b, prev = encode_range(upper, mode, payload, prev)
        body += b
    return cbor.head(4, 3) + cbor.encode(1) + cbor.encode(salt) + cbor.head(4, len(ranges)) + body


def body_size(ranges):
    prev = 0
    n = 0
    for upper, mode, payload in ranges:
        b, prev = encode_range(upper, mode, payload, prev)
        n += len(b)
    return n


# ---------------------------------------------------------------------------
# A side (09 §6)

class Side:
    def __init__(self, items, salt, initiator):
        if any(t == INF for t, _ in items):
            raise Reject("sync.item_time")
        self.items = sorted(set(items))
        self.salt = salt
        self.key = session_key(salt)
        self.initiator = initiator
        self.have = set()
        self.need = set()

    def within(self, lower, upper):
        return [it for it in self.items if not below(it, lower) and below(it, upper)]

    def split(self, lower, upper):
        mine = self.within(lower, upper)
        if len(mine) <= LEAF:
            return [(upper, 2, (b"".join(tag(self.key, it) for it in mine),))]
        b = fanout(len(mine))
        size, extra = divmod(len(mine), b)
        out, start = [], 0
        for k in range(b):
            end = start + size + (1 if k < extra else 0)
            to = upper if k + 1 == b else between(mine[end - 1], mine[end])
            out.append((to, 1, (fingerprint(self.key, mine[start:end]),)))
            start = end
        return out

    def open(self):
        return self.split(LOWEST, INFINITY)

    def answer(self, ranges):
        # SYNC-8 over the whole frame first
        lower = LOWEST
        for upper, mode, payload in ranges:
            c = len(self.within(lower, upper))
            if mode == 4 and not self.initiator:
                raise Reject("sync.mode")
            if mode == 3:
                if c > LEAF:
                    raise Reject("sync.mode")
                bm = payload[0]
                if len(bm) != (c + 7) // 8 or (c % 8 and bm[-1] >> (c % 8)):
                    raise Reject("sync.bitmap")
            lower = upper
        out = []

        def push(rs, r):
            if rs and rs[-1][1] == 0 and r[1] == 0:
                rs[-1] = r
            else:
                rs.append(r)

        def trimmed(rs):
            return rs[:-1] if rs and rs[-1][1] == 0 else rs

        lower = LOWEST
        deferring = False
        for upper, mode, payload in ranges:
            mine = self.within(lower, upper)
            skip = [(upper, 0, ())]
            have, need = [], []
            if mode == 0:
                unit = skip
            elif mode == 1:
                unit = skip if fingerprint(self.key, mine) == payload[0] else self.split(lower, upper)
            elif mode == 2:
                theirs = chunks(payload[0], 8)
                if len(mine) > LEAF:
                    unit = self.split(lower, upper)
                else:
                    my_tags = [tag(self.key, it) for it in mine]
                    bm = bytearray((len(theirs) + 7) // 8)
                    for k, t in enumerate(theirs):
                        if t not in my_tags:
                            bm[k // 8] |= 1 << (k % 8)
                    ids = [it[1] for it, t in zip(mine, my_tags) if t not in theirs]
                    if not any(bm) and not ids:
                        unit = skip
                    else:
                        have = ids
                        unit = [(upper, 3, (bytes(bm), b"".join(ids)))]
            elif mode == 3:
                bm, ids = payload
                need = chunks(ids, 32)
                have = [it[1] for k, it in enumerate(mine) if bm[k // 8] >> (k % 8) & 1]
                if not self.initiator and have:
                    unit = [(upper, 4, (b"".join(have),))]
                else:
                    unit = skip
            else:
                need = chunks(payload[0], 32)
                unit = skip
            if unit != skip and not deferring:             # SYNC-9 step 1
                trial = list(out)
                for r in unit:
                    push(trial, r)
                deferring = body_size(trimmed(trial)) + 200 + DEFER_ROOM > LIMIT
            if unit != skip and deferring:                 # SYNC-9 step 2: the deferral
                unit = [(upper, 1, (fingerprint(self.key, mine),))]
                have, need = [], []
            trial = list(out)
            for r in unit:
                push(trial, r)
            if body_size(trimmed(trial)) + 200 > LIMIT:       # SYNC-9 step 3
                rest = [it for it in self.items if not below(it, lower)]
                push(out, (INFINITY, 1, (fingerprint(self.key, rest),)))
                return out
            out = trial
            self.have.update(have)
            self.need.update(need)
            lower = upper
        return trimmed(out)


# ---------------------------------------------------------------------------
# Per-account sync (09 §9): key heads, account digest, heads pages

DIGEST_CONTEXT = "skylark 2026-12-05 account digest"
MAX_SEQ = 2 ** 53 - 1
PAGE = 512


def account_heads(account, messages):
    """SYNC-10 over messages (account, key, seq, id): ([(key, seq, id, count)] by key, n, digest)."""
    mine = sorted(set(m for m in messages if m[0] == account))
    per_key = {}
    for _, k, seq, i in mine:
        if k not in per_key:
            per_key[k] = [k, seq, i, 0]
        h = per_key[k]
        h[3] += 1
        if (seq, _neg(i)) > (h[1], _neg(h[2])):
            h[1], h[2] = seq, i
    ids = sorted(m[3] for m in mine)
    data = account + len(ids).to_bytes(8, "big") + b"".join(ids)
    digest = blake3.blake3(data, derive_key_context=DIGEST_CONTEXT).digest()
    return [tuple(per_key[k]) for k in sorted(per_key)], len(ids), digest


def _neg(i):
    # Orders ids descending, so that the greatest (seq, -id) names the least id at the highest seq.
    return bytes(255 - b for b in i)


def encode_page(account, digest, n, heads, after):
    above = [h for h in heads if after is None or h[0] > after][:PAGE]
    return cbor.encode([1, account, digest, n, [list(h) for h in above]])


def parse_page(data, account, after):
    """SYNC-11: (digest, count, key heads) or raise Reject(code)."""
    v = cbor.decode(data)                           # SYNC-11.1 (raises cbor.*)

    def b32(x):
        return isinstance(x, bytes) and len(x) == 32

    def head_ok(h):
        return (isinstance(h, list) and len(h) == 4 and b32(h[0]) and cbor.is_uint(h[1])
                and b32(h[2]) and cbor.is_uint(h[3]))
    if not (isinstance(v, list) and len(v) == 5 and cbor.is_uint(v[0]) and b32(v[1])
            and b32(v[2]) and cbor.is_uint(v[3]) and isinstance(v[4], list)
            and all(head_ok(h) for h in v[4])):
        raise Reject("sync.heads_shape")
    if v[0] != 1:
        raise Reject("sync.heads_version")
    if v[1] != account:
        raise Reject("sync.heads_account")
    prev = after
    for h in v[4]:
        if prev is not None and h[0] <= prev:
            raise Reject("sync.heads_order")
        prev = h[0]
    total = 0
    for k, h in enumerate(v[4]):
        total += h[3]
        if k >= PAGE or not 1 <= h[1] <= MAX_SEQ or h[3] == 0 or total > v[3]:
            raise Reject("sync.heads_value")
    return v[2], v[3], [tuple(h) for h in v[4]]


# ---------------------------------------------------------------------------
# Names (09 §10): SYNC-13, then the records of SYNC-12

import re as _re  # noqa: E402

_B32 = "abcdefghijklmnopqrstuvwxyz234567"


def _account_text(account):
    bits = "".join(format(b, "08b") for b in account) + "0000"
    return "acct_" + "".join(_B32[int(bits[i:i + 5], 2)] for i in range(0, len(bits), 5))


def verify_name(name, account, claim, kind, records, name_ok):
    """Raises Reject(code) unless the name is confirmed for the account."""
    if not name_ok(name):
        raise Reject("sync.name_syntax")
    if claim != name:
        raise Reject("sync.name_unclaimed")
    if kind == "dns":
        ours = [r for r in records if r[:5] == b"acct="]
        if not ours:
            raise Reject("sync.name_no_record")
        if len(ours) > 1:
            raise Reject("sync.name_ambiguous")
        named = ours[0][5:]
    else:
        body = records[0]
        if not body:
            raise Reject("sync.name_no_record")
        named = body[:-1] if body.endswith(b"\n") else body
    try:
        text = named.decode("ascii")
    except UnicodeDecodeError:
        raise Reject("sync.name_record")
    if not _re.fullmatch(r"acct_[a-z2-7]{52}", text) or _B32.index(text[-1]) & 0x0F:
        raise Reject("sync.name_record")
    if text != _account_text(account):
        raise Reject("sync.name_other_account")
