"""The Ed25519 validity predicate of spec 03 §5 (SIG-1..SIG-9), in pure Python
big-integer arithmetic on edwards25519 (RFC 8032 formulas; extended
coordinates, a = -1).

Verification is variable-time (all inputs are public, 03 §5). Signing is not
implemented here: honest signatures are reproduced with PyNaCl by the checker.
"""

import hashlib

from .errors import Reject

p = 2 ** 255 - 19
d = (-121665 * pow(121666, p - 2, p)) % p
d2 = (2 * d) % p
L = 2 ** 252 + 27742317777372353535851937790883648493
SQRT_M1 = pow(2, (p - 1) // 4, p)

IDENTITY = (0, 1, 1, 0)


# ---------------------------------------------------------------------------
# Point arithmetic, extended coordinates (X:Y:Z:T), x = X/Z, y = Y/Z, xy = T/Z.

def add(P, Q):
    X1, Y1, Z1, T1 = P
    X2, Y2, Z2, T2 = Q
    A = (Y1 - X1) * (Y2 - X2) % p
    B = (Y1 + X1) * (Y2 + X2) % p
    C = T1 * d2 % p * T2 % p
    D = 2 * Z1 * Z2 % p
    E = B - A
    F = D - C
    G = D + C
    H = B + A
    return (E * F % p, G * H % p, F * G % p, E * H % p)


def double(P):
    X1, Y1, Z1, _ = P
    A = X1 * X1 % p
    B = Y1 * Y1 % p
    C = 2 * Z1 * Z1 % p
    H = A + B
    E = H - (X1 + Y1) * (X1 + Y1) % p
    G = A - B
    F = C + G
    return (E * F % p, G * H % p, F * G % p, E * H % p)


def neg(P):
    X, Y, Z, T = P
    return ((-X) % p, Y, Z, (-T) % p)


def is_identity(P):
    X, Y, Z, _ = P
    return X % p == 0 and (Y - Z) % p == 0


def mul8(P):
    return double(double(double(P)))


def _cached(P):
    """(Y+X, Y-X, 2d*T, 2Z) for the readdition formula."""
    X, Y, Z, T = P
    return ((Y + X) % p, (Y - X) % p, T * d2 % p, 2 * Z % p)


def _add_cached(P, Q):
    X1, Y1, Z1, T1 = P
    YpX, YmX, T2d, Z2x2 = Q
    A = (Y1 - X1) * YmX % p
    B = (Y1 + X1) * YpX % p
    C = T1 * T2d % p
    D = Z1 * Z2x2 % p
    E = B - A
    F = D - C
    G = D + C
    H = B + A
    return (E * F % p, G * H % p, F * G % p, E * H % p)


def _add_affine(P, Q):
    """Q = (y+x, y-x, 2d*x*y) of a point with Z = 1."""
    X1, Y1, Z1, T1 = P
    YpX, YmX, T2d = Q
    A = (Y1 - X1) * YmX % p
    B = (Y1 + X1) * YpX % p
    C = T1 * T2d % p
    D = 2 * Z1
    E = B - A
    F = D - C
    G = D + C
    H = B + A
    return (E * F % p, G * H % p, F * G % p, E * H % p)


def scalar_mul(k, P):
    """[k]P for k >= 0 (4-bit fixed window)."""
    if k == 0:
        return IDENTITY
    table = [IDENTITY, P]
    for _ in range(14):
        table.append(add(table[-1], P))
    cached = [_cached(Q) for Q in table]
    nibbles = []
    while k:
        nibbles.append(k & 15)
        k >>= 4
    R = table[nibbles[-1]]
    for nib in reversed(nibbles[:-1]):
        R = double(double(double(double(R))))
        if nib:
            R = _add_cached(R, cached[nib])
    return R


# ---------------------------------------------------------------------------
# Encoding and decoding (03 §2, RFC 8032 §5.1.2-3)

def encode_point(P):
    X, Y, Z, _ = P
    zi = pow(Z, p - 2, p)
    x = X * zi % p
    y = Y * zi % p
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def is_canonical(E):
    """The byte rule of SIG-2 / SIG-7."""
    v = int.from_bytes(E, "little")
    y = v & ((1 << 255) - 1)
    sign = v >> 255
    if y >= p:
        return False
    if y in (1, p - 1) and sign == 1:
        return False
    return True


def decode_point(E):
    """RFC 8032 §5.1.3; returns the point or None."""
    v = int.from_bytes(E, "little")
    y = v & ((1 << 255) - 1)
    x0 = v >> 255
    if y >= p:
        return None
    yy = y * y % p
    u = (yy - 1) % p
    w = (d * yy + 1) % p
    w3 = w * w % p * w % p
    w7 = w3 * w3 % p * w % p
    x = u * w3 % p * pow(u * w7 % p, (p - 5) // 8, p) % p
    wxx = w * x % p * x % p
    if wxx == u:
        pass
    elif wxx == (-u) % p:
        x = x * SQRT_M1 % p
    else:
        return None
    if x == 0 and x0 == 1:
        return None
    if (x & 1) != x0:
        x = p - x
    return (x, y, 1, x * y % p)


# The base point B (y = 4/5, x even).
_B_ENC = bytes.fromhex("5866666666666666666666666666666666666666666666666666666666666666")
B = decode_point(_B_ENC)


def _normalize_many(points):
    """Batch inversion: affine (y+x, y-x, 2dxy) of each point."""
    prefix = []
    acc = 1
    for P in points:
        prefix.append(acc)
        acc = acc * P[2] % p
    inv = pow(acc, p - 2, p)
    out = [None] * len(points)
    for i in range(len(points) - 1, -1, -1):
        X, Y, Z, _ = points[i]
        zi = inv * prefix[i] % p
        inv = inv * Z % p
        x = X * zi % p
        y = Y * zi % p
        out[i] = ((y + x) % p, (y - x) % p, d2 * x % p * y % p)
    return out


def _base_table():
    # table[j][i] = [i * 16^j] B, i in 1..15, j in 0..63 (S < L < 2^256).
    rows = []
    Bj = B
    pts = []
    for _ in range(64):
        row = [Bj]
        for _ in range(14):
            row.append(add(row[-1], Bj))
        pts.extend(row)
        Bj = double(double(double(double(Bj))))
    flat = _normalize_many(pts)
    for j in range(64):
        rows.append([None] + flat[15 * j:15 * j + 15])
    return rows


_BASE = None


def base_mul(s):
    """[s]B, 0 <= s < 2^256, with the precomputed fixed-base table."""
    global _BASE
    if _BASE is None:
        _BASE = _base_table()
    R = IDENTITY
    j = 0
    while s:
        nib = s & 15
        if nib:
            R = _add_affine(R, _BASE[j][nib])
        s >>= 4
        j += 1
    return R


# ---------------------------------------------------------------------------
# The predicate

SMALL_ORDER_ENCODINGS = {bytes.fromhex(h) for h in (
    "0100000000000000000000000000000000000000000000000000000000000000",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000080",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
)}

_key_cache = {}


def check_key(A_bytes, check_length=True):
    """SIG-1 (if check_length) .. SIG-4. Returns the decoded point A or raises
    Reject with a key.* code."""
    A_bytes = bytes(A_bytes)
    if check_length and len(A_bytes) != 32:
        raise Reject("key.invalid_length")
    hit = _key_cache.get(A_bytes)
    if hit is not None:
        if isinstance(hit, str):
            raise Reject(hit)
        return hit
    code = None
    A = None
    if not is_canonical(A_bytes):                      # SIG-2
        code = "key.non_canonical"
    else:
        A = decode_point(A_bytes)                      # SIG-3
        if A is None:
            code = "key.not_on_curve"
        elif is_identity(mul8(A)):                     # SIG-4, computed
            code = "key.small_order"
    # The computed small-order test and the table of 03 §6 must agree.
    if code is None or code == "key.small_order":
        assert (code == "key.small_order") == (A_bytes in SMALL_ORDER_ENCODINGS), A_bytes.hex()
    if code is not None:
        _key_cache[A_bytes] = code
        raise Reject(code)
    _key_cache[A_bytes] = A
    return A


_verify_cache = {}


def verify(A_bytes, M, sig_bytes, check_lengths=True):
    """verify(A_bytes, M, sig_bytes) of 03 §5. Returns None (accept) or raises
    Reject with the code of the first failing check."""
    A_bytes = bytes(A_bytes)
    sig_bytes = bytes(sig_bytes)
    M = bytes(M)
    key = (A_bytes, M, sig_bytes, check_lengths)
    if key in _verify_cache:
        code = _verify_cache[key]
        if code is not None:
            raise Reject(code)
        return None
    try:
        _verify(A_bytes, M, sig_bytes, check_lengths)
        code = None
    except Reject as e:
        code = e.code
    _verify_cache[key] = code
    if code is not None:
        raise Reject(code)
    return None


def _verify(A_bytes, M, sig_bytes, check_lengths):
    A = check_key(A_bytes, check_lengths)                              # SIG-1..4
    if check_lengths and len(sig_bytes) != 64:                         # SIG-5
        raise Reject("sig.invalid_length")
    R_bytes = sig_bytes[:32]
    S = int.from_bytes(sig_bytes[32:64], "little")
    if S >= L:                                                         # SIG-6
        raise Reject("sig.non_canonical_s")
    if not is_canonical(R_bytes):                                      # SIG-7
        raise Reject("sig.non_canonical_r")
    R = decode_point(R_bytes)                                          # SIG-8
    if R is None:
        raise Reject("sig.r_not_on_curve")
    k = int.from_bytes(hashlib.sha512(R_bytes + A_bytes + M).digest(), "little") % L
    # SIG-9: [8]([S]B - R - [k]A) = O, the cofactor applied to the point.
    P = add(base_mul(S), neg(R))
    P = add(P, neg(scalar_mul(k, A)))
    if not is_identity(mul8(P)):
        raise Reject("sig.mismatch")
