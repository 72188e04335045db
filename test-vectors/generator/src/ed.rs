//! The design's Ed25519 validity predicate (SIG-1..SIG-9), written here from the brief with
//! curve25519-dalek point arithmetic, used to decide and cross-check expected verdicts. Plus helpers to
//! build signatures with chosen defects.

use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::IsIdentity;
use ed25519_dalek::{Signer, SigningKey};
use sha2::{Digest, Sha512};

/// p = 2^255 - 19, little-endian.
pub const P_LE: [u8; 32] = {
    let mut b = [0xffu8; 32];
    b[0] = 0xed;
    b[31] = 0x7f;
    b
};
/// p - 1, little-endian.
pub const P_MINUS_1_LE: [u8; 32] = {
    let mut b = P_LE;
    b[0] = 0xec;
    b
};
/// L = 2^252 + 27742317777372353535851937790883648493, little-endian.
pub const L_LE: [u8; 32] = [
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/// a < b as little-endian integers.
pub fn lt_le(a: &[u8; 32], b: &[u8; 32]) -> bool {
    for i in (0..32).rev() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
    }
    false
}

/// a + b as little-endian integers (panics on overflow past 256 bits).
pub fn add_le(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut carry = 0u16;
    for i in 0..32 {
        let s = u16::from(a[i]) + u16::from(b[i]) + carry;
        out[i] = s as u8;
        carry = s >> 8;
    }
    assert_eq!(carry, 0, "overflow");
    out
}

/// The SIG-2 byte rule: y (bit 255 cleared) < p, and if y is 1 or p-1 the sign bit is 0.
pub fn canonical_point_bytes(b: &[u8; 32]) -> bool {
    let mut y = *b;
    y[31] &= 0x7f;
    let sign = b[31] >> 7;
    let mut one = [0u8; 32];
    one[0] = 1;
    if !lt_le(&y, &P_LE) {
        return false;
    }
    !(sign == 1 && (y == one || y == P_MINUS_1_LE))
}

/// RFC 8032 decoding of a point that already passed the byte rule (curve25519-dalek's decompress agrees
/// with RFC 8032 once y < p and the x = 0 sign cases are excluded).
pub fn decompress(b: &[u8; 32]) -> Option<EdwardsPoint> {
    CompressedEdwardsY(*b).decompress()
}

/// SIG-1..SIG-4.
pub fn check_key(a: &[u8]) -> Result<EdwardsPoint, &'static str> {
    let a: [u8; 32] = a.try_into().map_err(|_| "key.invalid_length")?;
    if !canonical_point_bytes(&a) {
        return Err("key.non_canonical");
    }
    let p = decompress(&a).ok_or("key.not_on_curve")?;
    if p.is_small_order() {
        return Err("key.small_order");
    }
    Ok(p)
}

/// SHA-512(R || A || M) mod L.
pub fn challenge(r: &[u8], a: &[u8], m: &[u8]) -> Scalar {
    let mut h = Sha512::new();
    h.update(r);
    h.update(a);
    h.update(m);
    Scalar::from_bytes_mod_order_wide(&h.finalize().into())
}

/// The full predicate, checks in the design's order (SIG-1..SIG-9). Returns the first failing code.
pub fn verify(a_bytes: &[u8], m: &[u8], sig: &[u8]) -> Result<(), &'static str> {
    let a = check_key(a_bytes)?;
    if sig.len() != 64 {
        return Err("sig.invalid_length");
    }
    let r_bytes: [u8; 32] = sig[..32].try_into().unwrap();
    let s_bytes: [u8; 32] = sig[32..].try_into().unwrap();
    if !lt_le(&s_bytes, &L_LE) {
        return Err("sig.non_canonical_s");
    }
    if !canonical_point_bytes(&r_bytes) {
        return Err("sig.non_canonical_r");
    }
    let r = decompress(&r_bytes).ok_or("sig.r_not_on_curve")?;
    let s = Option::<Scalar>::from(Scalar::from_canonical_bytes(s_bytes)).expect("S < L checked");
    let k = challenge(&r_bytes, a_bytes, m);
    let check = EdwardsPoint::mul_base(&s) - r - k * a;
    if check.mul_by_cofactor().is_identity() {
        Ok(())
    } else {
        Err("sig.mismatch")
    }
}

/// The cofactorless equation `[S]B == R + [k]A` (for showing what a vector distinguishes).
pub fn cofactorless_holds(a_bytes: &[u8; 32], m: &[u8], sig: &[u8; 64]) -> bool {
    let a = decompress(a_bytes).unwrap();
    let r = decompress(sig[..32].try_into().unwrap()).unwrap();
    let s = Scalar::from_bytes_mod_order(sig[32..].try_into().unwrap());
    let k = challenge(&sig[..32], a_bytes, m);
    EdwardsPoint::mul_base(&s) == r + k * a
}

/// The "pre-reduced" cofactored equation `[8S]B == [8]R + [(8k) mod L]A`, which the design rules out.
pub fn prereduced_holds(a_bytes: &[u8; 32], m: &[u8], sig: &[u8; 64]) -> bool {
    let a = decompress(a_bytes).unwrap();
    let r = decompress(sig[..32].try_into().unwrap()).unwrap();
    let s = Scalar::from_bytes_mod_order(sig[32..].try_into().unwrap());
    let k = challenge(&sig[..32], a_bytes, m);
    let eight = Scalar::from(8u8);
    EdwardsPoint::mul_base(&(eight * s)) == r.mul_by_cofactor() + (eight * k) * a
}

/// A signing identity from a fixed 32-byte seed.
#[derive(Clone)]
pub struct Key {
    pub seed: [u8; 32],
    pub sk: SigningKey,
    pub pk: [u8; 32],
}

impl Key {
    pub fn from_seed(seed: [u8; 32]) -> Key {
        let sk = SigningKey::from_bytes(&seed);
        let pk = sk.verifying_key().to_bytes();
        Key { seed, sk, pk }
    }

    /// A seed derived from a label (so seeds look random but are fixed).
    pub fn from_label(label: &str) -> Key {
        Key::from_seed(blake3::derive_key(
            "skylark test vectors v1 seed",
            label.as_bytes(),
        ))
    }

    /// RFC 8032 Ed25519 signature.
    pub fn sign(&self, m: &[u8]) -> [u8; 64] {
        self.sk.sign(m).to_bytes()
    }

    /// The secret scalar a (clamped SHA-512(seed)[0..32], reduced mod L).
    pub fn scalar(&self) -> Scalar {
        let h: [u8; 64] = Sha512::digest(self.seed).into();
        let mut a: [u8; 32] = h[..32].try_into().unwrap();
        a[0] &= 248;
        a[31] &= 127;
        a[31] |= 64;
        Scalar::from_bytes_mod_order(a)
    }

    /// A signature whose R is the given bytes (a small-order point, possibly non-canonically encoded)
    /// and S = k*a, so that the cofactored equation holds for public key bytes `a_bytes` = A + torsion.
    pub fn sign_with_small_order_r(
        &self,
        r_bytes: [u8; 32],
        a_bytes: &[u8; 32],
        m: &[u8],
    ) -> [u8; 64] {
        let k = challenge(&r_bytes, a_bytes, m);
        let s = k * self.scalar();
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(&r_bytes);
        sig[32..].copy_from_slice(s.as_bytes());
        sig
    }

    /// A standard-form signature (R = rB, S = r + k*a) but with k computed over arbitrary public-key
    /// bytes `a_bytes` (used for a mixed-order A = aB + T).
    pub fn sign_for_key_bytes(&self, a_bytes: &[u8; 32], m: &[u8], nonce_label: &str) -> [u8; 64] {
        let r = Scalar::from_bytes_mod_order_wide(
            &Sha512::digest([b"nonce:".as_slice(), nonce_label.as_bytes(), m].concat()).into(),
        );
        let r_point = EdwardsPoint::mul_base(&r).compress().to_bytes();
        let k = challenge(&r_point, a_bytes, m);
        let s = r + k * self.scalar();
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(&r_point);
        sig[32..].copy_from_slice(s.as_bytes());
        sig
    }
}

/// A signature with S replaced by S + L (same value mod L).
pub fn s_plus_l(sig: &[u8; 64]) -> [u8; 64] {
    let s: [u8; 32] = sig[32..].try_into().unwrap();
    let mut out = *sig;
    out[32..].copy_from_slice(&add_le(&s, &L_LE));
    out
}

/// The smallest y (as a canonical encoding with sign bit 0) that is not the y of any curve point.
pub fn first_not_on_curve() -> [u8; 32] {
    for y in 2u8..=255 {
        let mut b = [0u8; 32];
        b[0] = y;
        if decompress(&b).is_none() {
            return b;
        }
    }
    panic!("no small y off the curve");
}

/// A non-canonical encoding (y + p, with y in 2..=18) of a point of large order, if there is one.
pub fn non_canonical_large_order() -> [u8; 32] {
    for k in 2u8..=18 {
        let mut b = P_LE;
        b[0] = 0xed + k;
        assert!(!canonical_point_bytes(&b));
        if let Some(p) = decompress(&b) {
            if !p.is_small_order() {
                return b;
            }
        }
    }
    panic!("no y + p encoding of a large-order point with small y");
}

/// Canonical encodings of small-order points used below.
pub const IDENTITY: &str = "0100000000000000000000000000000000000000000000000000000000000000";
pub const ORDER_8: &str = "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05";
pub const ORDER_8_B: &str = "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a";
/// Non-canonical encodings of small-order points.
pub const ORDER_2_NEG_ZERO: &str =
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
pub const Y_EQUALS_P: &str = "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f";

pub fn arr32(b: &[u8]) -> [u8; 32] {
    b.try_into().expect("32 bytes")
}
pub fn arr64(b: &[u8]) -> [u8; 64] {
    b.try_into().expect("64 bytes")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::unhex;

    #[test]
    fn constants() {
        // L as given in RFC 8032.
        assert_eq!(Scalar::from_bytes_mod_order(L_LE), Scalar::ZERO);
        assert!(canonical_point_bytes(&arr32(&unhex(IDENTITY))));
        assert!(!canonical_point_bytes(&arr32(&unhex(ORDER_2_NEG_ZERO))));
        assert!(!canonical_point_bytes(&arr32(&unhex(Y_EQUALS_P))));
        assert!(decompress(&arr32(&unhex(ORDER_8)))
            .unwrap()
            .is_small_order());
        assert!(decompress(&arr32(&unhex(ORDER_8_B)))
            .unwrap()
            .is_small_order());
    }
}
