//! Ed25519 keys and Skylark's one signature validity predicate.
//!
//! Keys and signing are RFC 8032 Ed25519. Verification is the predicate of `spec/03-signatures.md`,
//! rules SIG-1 to SIG-9: the public key `A` and the signature's `R` must be canonical encodings, `A` must
//! not have small order, `S` must be below the group order `L`, and the cofactored equation
//! `[8]([S]B − R − [k]A) = O` must hold. It is ZIP-215 with canonical encodings required and small-order
//! keys rejected, so it is strongly binding, non-malleable, and gives the same verdict single or
//! batched.
//!
//! ```
//! use skylark::keys::{SecretKey, Signature};
//!
//! let secret = SecretKey::from_seed([1; 32]);
//! let public = secret.public_key();
//! assert!(public.to_string().starts_with("pub_"));
//! // Public keys and signatures parse from bytes under the same rules on every node.
//! let again = skylark::keys::PublicKey::from_bytes(public.as_bytes())?;
//! assert_eq!(again, public);
//! # Ok::<(), skylark::keys::KeyError>(())
//! ```

use core::fmt;
use core::str::FromStr;

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
use rand_core::{CryptoRng, RngCore};
use sha2::{Digest, Sha512};
use zeroize::Zeroize;

use crate::id::{parse_text, write_text, ParseIdError};

/// Why bytes are not an acceptable public key (rules SIG-1 to SIG-4).
///
/// ```
/// use skylark::keys::{KeyError, PublicKey};
///
/// // The identity point has order 1: it would verify signatures on every message.
/// let mut identity = [0u8; 32];
/// identity[0] = 1;
/// assert_eq!(PublicKey::from_bytes(&identity), Err(KeyError::SmallOrder));
/// assert_eq!(KeyError::SmallOrder.code(), "key.small_order");
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum KeyError {
    /// The key is not 32 bytes long (SIG-1).
    #[error("public key is {len} bytes, not 32")]
    InvalidLength {
        /// The length found.
        len: usize,
    },
    /// The encoding is not the canonical encoding of its point (SIG-2).
    #[error("public key is not canonically encoded")]
    NonCanonical,
    /// The encoding is not a point on the curve (SIG-3).
    #[error("public key is not a point on the curve")]
    NotOnCurve,
    /// The point has small order (SIG-4).
    #[error("public key has small order")]
    SmallOrder,
}

impl KeyError {
    /// The stable error code.
    ///
    /// ```
    /// assert_eq!(skylark::keys::KeyError::NotOnCurve.code(), "key.not_on_curve");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidLength { .. } => "key.invalid_length",
            Self::NonCanonical => "key.non_canonical",
            Self::NotOnCurve => "key.not_on_curve",
            Self::SmallOrder => "key.small_order",
        }
    }

    /// The ID of the spec rule this error enforces.
    ///
    /// ```
    /// assert_eq!(skylark::keys::KeyError::SmallOrder.rule(), "SIG-4");
    /// ```
    pub fn rule(&self) -> &'static str {
        match self {
            Self::InvalidLength { .. } => "SIG-1",
            Self::NonCanonical => "SIG-2",
            Self::NotOnCurve => "SIG-3",
            Self::SmallOrder => "SIG-4",
        }
    }
}

/// Why a signature does not verify (rules SIG-5 to SIG-9), or why its public key is not acceptable.
///
/// ```
/// use skylark::keys::{SecretKey, SignatureError};
///
/// let secret = SecretKey::from_seed([2; 32]);
/// let public = secret.public_key();
/// let err = skylark::keys::verify(public.as_bytes(), b"message", &[0u8; 63]).unwrap_err();
/// assert_eq!(err, SignatureError::InvalidLength { len: 63 });
/// assert_eq!(err.code(), "sig.invalid_length");
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The public key is not acceptable.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The signature is not 64 bytes long (SIG-5).
    #[error("signature is {len} bytes, not 64")]
    InvalidLength {
        /// The length found.
        len: usize,
    },
    /// `S` is not below the group order `L` (SIG-6).
    #[error("signature scalar is not reduced")]
    NonCanonicalS,
    /// `R` is not a canonical point encoding (SIG-7).
    #[error("signature point R is not canonically encoded")]
    NonCanonicalR,
    /// `R` is not a point on the curve (SIG-8).
    #[error("signature point R is not on the curve")]
    RNotOnCurve,
    /// The verification equation does not hold (SIG-9).
    #[error("signature does not match the message and key")]
    Mismatch,
}

impl SignatureError {
    /// The stable error code.
    ///
    /// ```
    /// assert_eq!(skylark::keys::SignatureError::Mismatch.code(), "sig.mismatch");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Self::Key(e) => e.code(),
            Self::InvalidLength { .. } => "sig.invalid_length",
            Self::NonCanonicalS => "sig.non_canonical_s",
            Self::NonCanonicalR => "sig.non_canonical_r",
            Self::RNotOnCurve => "sig.r_not_on_curve",
            Self::Mismatch => "sig.mismatch",
        }
    }

    /// The ID of the spec rule this error enforces.
    ///
    /// ```
    /// assert_eq!(skylark::keys::SignatureError::Mismatch.rule(), "SIG-9");
    /// ```
    pub fn rule(&self) -> &'static str {
        match self {
            Self::Key(e) => e.rule(),
            Self::InvalidLength { .. } => "SIG-5",
            Self::NonCanonicalS => "SIG-6",
            Self::NonCanonicalR => "SIG-7",
            Self::RNotOnCurve => "SIG-8",
            Self::Mismatch => "SIG-9",
        }
    }
}

/// Whether 32 bytes are the canonical encoding of a field element `y` and sign bit (rule SIG-2):
/// `y < p`, and the sign bit is clear when `x` must be zero (`y = 1` or `y = p − 1`).
fn is_canonical_encoding(bytes: &[u8; 32]) -> bool {
    let top = bytes[31] & 0x7f;
    let sign = bytes[31] & 0x80 != 0;
    let middle_all = |v: u8| bytes[1..31].iter().all(|&b| b == v);
    // y >= p = 2^255 - 19: 0x7f, then thirty 0xff, then a low byte >= 0xed.
    if top == 0x7f && middle_all(0xff) && bytes[0] >= 0xed {
        return false;
    }
    if sign {
        let y_is_one = top == 0 && middle_all(0) && bytes[0] == 1;
        let y_is_minus_one = top == 0x7f && middle_all(0xff) && bytes[0] == 0xec;
        if y_is_one || y_is_minus_one {
            return false;
        }
    }
    true
}

/// An Ed25519 public key that passed rules SIG-2 to SIG-4: canonically encoded, on the curve, and not
/// of small order. These are also the rules for accepting a key anywhere else, such as in key
/// registration.
///
/// Text form `pub_…` (52 lower-case base32 characters).
///
/// ```
/// use skylark::keys::{PublicKey, SecretKey};
///
/// let public = SecretKey::from_seed([3; 32]).public_key();
/// let parsed: PublicKey = public.to_string().parse()?;
/// assert_eq!(parsed, public);
/// # Ok::<(), skylark::id::ParseIdError>(())
/// ```
///
/// A key holds its 32 bytes only: the decompressed point the signature equation needs is computed
/// where a signature is checked (and kept by [`KeyCache`] for the keys in use), so that the many
/// copies of a key that messages and states hold cost 32 bytes each.
#[derive(Clone, Copy)]
pub struct PublicKey {
    bytes: [u8; 32],
}

/// A public key that passed rules SIG-2 to SIG-4, with its decompressed point: what the signature
/// equation reads. Held only while signatures are checked, and by [`KeyCache`].
#[derive(Clone, Copy)]
pub(crate) struct Decompressed {
    key: PublicKey,
    point: EdwardsPoint,
}

impl Decompressed {
    /// Rules SIG-2 to SIG-4, as [`PublicKey::from_bytes`], keeping the point.
    pub(crate) fn parse(bytes: &[u8; 32]) -> Result<Self, KeyError> {
        if !is_canonical_encoding(bytes) {
            return Err(KeyError::NonCanonical);
        }
        let point = CompressedEdwardsY(*bytes)
            .decompress()
            .ok_or(KeyError::NotOnCurve)?;
        if point.is_small_order() {
            return Err(KeyError::SmallOrder);
        }
        Ok(Decompressed {
            key: PublicKey { bytes: *bytes },
            point,
        })
    }
}

/// What parsing a header's key gives the envelope decoder: a key, with or without its point.
pub(crate) trait ParsedKey {
    /// Whether the message being decoded passed decoding before (its bytes unchanged since), so
    /// that the checks of its encoding (ENV-1, ENV-4, ENV-12) need not run again.
    const CHECKED_BEFORE: bool = false;

    /// The key.
    fn public(&self) -> PublicKey;
}

impl ParsedKey for Decompressed {
    fn public(&self) -> PublicKey {
        self.key
    }
}

/// The key of a message decoded again from bytes that were decoded and verified before: it passed
/// rules SIG-2 to SIG-4 then, and is not decompressed again.
pub(crate) struct CheckedBefore(PublicKey);

impl CheckedBefore {
    pub(crate) fn new(bytes: &[u8; 32]) -> Self {
        CheckedBefore(PublicKey { bytes: *bytes })
    }
}

impl ParsedKey for CheckedBefore {
    const CHECKED_BEFORE: bool = true;

    fn public(&self) -> PublicKey {
        self.0
    }
}

impl Decompressed {
    /// Rules SIG-6 to SIG-8 for `signature` on the concatenation of `parts`, and the challenge `k`:
    /// everything but the equation of SIG-9, which [`Pending::check`] (one signature) or
    /// [`check_pending`] (many) decides.
    pub(crate) fn prepare(
        &self,
        parts: &[&[u8]],
        signature: &Signature,
    ) -> Result<Pending, SignatureError> {
        let (r_bytes, s_bytes) = (&signature.r, &signature.s);
        let s = Option::<Scalar>::from(Scalar::from_canonical_bytes(*s_bytes))
            .ok_or(SignatureError::NonCanonicalS)?;
        if !is_canonical_encoding(r_bytes) {
            return Err(SignatureError::NonCanonicalR);
        }
        let r = CompressedEdwardsY(*r_bytes)
            .decompress()
            .ok_or(SignatureError::RNotOnCurve)?;
        let mut hasher = Sha512::new();
        hasher.update(r_bytes);
        hasher.update(self.key.bytes);
        for part in parts {
            hasher.update(part);
        }
        let k = Scalar::from_bytes_mod_order_wide(&hasher.finalize().into());
        Ok(Pending {
            key: *self,
            r,
            s,
            k,
        })
    }
}

impl PublicKey {
    /// The least key in the order of keys (by bytes): a bound for ranges over sets ordered by key,
    /// not a key that passed rules SIG-2 to SIG-4.
    pub(crate) const LEAST: PublicKey = PublicKey { bytes: [0; 32] };
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}

impl Eq for PublicKey {}

impl PartialOrd for PublicKey {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for PublicKey {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        self.bytes.cmp(&other.bytes)
    }
}

impl core::hash::Hash for PublicKey {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.bytes.hash(state);
    }
}

impl PublicKey {
    /// Parses a public key (rules SIG-2 to SIG-4).
    ///
    /// # Errors
    ///
    /// [`KeyError::NonCanonical`], [`KeyError::NotOnCurve`] or [`KeyError::SmallOrder`], checked in
    /// that order.
    ///
    /// ```
    /// use skylark::keys::{KeyError, PublicKey};
    /// // y = p: a non-canonical encoding of y = 0.
    /// let mut p = [0xff; 32];
    /// p[0] = 0xed;
    /// p[31] = 0x7f;
    /// assert_eq!(PublicKey::from_bytes(&p), Err(KeyError::NonCanonical));
    /// ```
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<Self, KeyError> {
        Decompressed::parse(bytes).map(|d| d.key)
    }

    /// The key with its point, decompressed again (it decompressed when it was parsed, so this
    /// cannot fail; an error would be reported as the key's).
    pub(crate) fn decompress(&self) -> Result<Decompressed, KeyError> {
        Decompressed::parse(&self.bytes)
    }

    /// Parses a public key from a slice of any length (rules SIG-1 to SIG-4).
    ///
    /// # Errors
    ///
    /// [`KeyError::InvalidLength`] unless the slice is 32 bytes, then as [`PublicKey::from_bytes`].
    ///
    /// ```
    /// use skylark::keys::{KeyError, PublicKey};
    /// assert_eq!(PublicKey::from_slice(&[0; 31]), Err(KeyError::InvalidLength { len: 31 }));
    /// ```
    pub fn from_slice(bytes: &[u8]) -> Result<Self, KeyError> {
        let array: &[u8; 32] = bytes
            .try_into()
            .map_err(|_| KeyError::InvalidLength { len: bytes.len() })?;
        Self::from_bytes(array)
    }

    /// The 32-byte encoding.
    ///
    /// ```
    /// let public = skylark::keys::SecretKey::from_seed([4; 32]).public_key();
    /// assert_eq!(public.as_bytes().len(), 32);
    /// ```
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// Checks `signature` on `message` under this key (rules SIG-5 to SIG-9).
    ///
    /// This is the raw predicate over arbitrary bytes, with no domain separation: Skylark messages are
    /// verified through [`crate::envelope`], which builds the signing input. Verifying raw bytes is
    /// safe; only signing needs a domain, and this crate signs nothing but domain-separated inputs.
    ///
    /// # Errors
    ///
    /// The first rule that fails, as a [`SignatureError`].
    ///
    /// ```
    /// use skylark::keys::{PublicKey, Signature, SignatureError};
    ///
    /// // RFC 8032 §7.1, TEST 1.
    /// let key = PublicKey::from_bytes(&[
    ///     0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
    ///     0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a,
    /// ])?;
    /// let sig = Signature::from_bytes([
    ///     0xe5, 0x56, 0x43, 0x00, 0xc3, 0x60, 0xac, 0x72, 0x90, 0x86, 0xe2, 0xcc, 0x80, 0x6e, 0x82, 0x8a,
    ///     0x84, 0x87, 0x7f, 0x1e, 0xb8, 0xe5, 0xd9, 0x74, 0xd8, 0x73, 0xe0, 0x65, 0x22, 0x49, 0x01, 0x55,
    ///     0x5f, 0xb8, 0x82, 0x15, 0x90, 0xa3, 0x3b, 0xac, 0xc6, 0x1e, 0x39, 0x70, 0x1c, 0xf9, 0xb4, 0x6b,
    ///     0xd2, 0x5b, 0xf5, 0xf0, 0x59, 0x5b, 0xbe, 0x24, 0x65, 0x51, 0x41, 0x43, 0x8e, 0x7a, 0x10, 0x0b,
    /// ]);
    /// assert_eq!(key.verify(b"", &sig), Ok(()));
    /// assert_eq!(key.verify(b"x", &sig), Err(SignatureError::Mismatch));
    /// # Ok::<(), skylark::keys::KeyError>(())
    /// ```
    pub fn verify(&self, message: &[u8], signature: &Signature) -> Result<(), SignatureError> {
        self.verify_parts(&[message], signature)
    }

    /// [`PublicKey::verify`] over the concatenation of `parts`, without copying them.
    pub(crate) fn verify_parts(
        &self,
        parts: &[&[u8]],
        signature: &Signature,
    ) -> Result<(), SignatureError> {
        self.decompress()
            .map_err(SignatureError::Key)?
            .prepare(parts, signature)?
            .check()
    }
}

/// A signature that passed rules SIG-1 to SIG-8 under a parsed key, with its challenge
/// `k = SHA-512(R || A || M) mod L` computed: only the equation of SIG-9 is left to check.
#[derive(Clone, Copy)]
pub(crate) struct Pending {
    key: Decompressed,
    r: EdwardsPoint,
    s: Scalar,
    k: Scalar,
}

impl Pending {
    /// The equation of SIG-9 for this one signature: `[8]([S]B − R − [k]A) = O`.
    pub(crate) fn check(&self) -> Result<(), SignatureError> {
        // [S]B - [k]A, then subtract R and clear the cofactor.
        let sb_minus_ka =
            EdwardsPoint::vartime_double_scalar_mul_basepoint(&self.k, &-self.key.point, &self.s);
        if (sb_minus_ka - self.r).mul_by_cofactor().is_identity() {
            Ok(())
        } else {
            Err(SignatureError::Mismatch)
        }
    }
}

/// The most signatures [`check_pending`] puts into one batch equation. Larger inputs are checked in
/// chunks of this size, which bounds the work of narrowing a failed batch down (see `narrow`) by a
/// constant per signature, and the scratch memory by a constant.
pub(crate) const MAX_BATCH: usize = 256;

/// A failing batch of at most this many signatures is settled by checking each on its own.
const NARROW_TO_SINGLES: usize = 4;

/// Decides SIG-9 for every pending signature, exactly as [`Pending::check`] would one at a time:
/// `out[i]` is whether `items[i]` satisfies the equation. `out` must be as long as `items`.
///
/// Batches of up to [`MAX_BATCH`] signatures are checked with one random linear combination (see
/// `combination`); a batch that fails is narrowed down to its failing signatures, each of which is
/// then confirmed on its own, so every `false` comes from the single equation. A `true` is wrong only
/// if some combination with an invalid signature in it passed, which happens with probability at
/// most 2^-128 per combination checked, over the caller's random numbers (`spec/03-signatures.md`
/// §8).
pub(crate) fn check_pending<R: RngCore + CryptoRng>(
    items: &[Pending],
    out: &mut [bool],
    rng: &mut R,
) {
    let mut z = Vec::with_capacity(items.len().min(MAX_BATCH));
    for (items, out) in items.chunks(MAX_BATCH).zip(out.chunks_mut(MAX_BATCH)) {
        if items.len() == 1 {
            // One signature: the single equation is cheaper than a combination and needs no randomness.
            out[0] = items[0].check().is_ok();
            continue;
        }
        z.clear();
        z.extend(items.iter().map(|_| {
            let mut bytes = [0u8; 32];
            rng.fill_bytes(&mut bytes[..16]);
            Scalar::from_bytes_mod_order(bytes)
        }));
        let total = combination(items, &z);
        if is_torsion(&total) {
            out.fill(true);
        } else {
            narrow(items, &z, total, out);
        }
    }
}

/// Settles a batch whose combination `total` failed, so that at least one signature in it is
/// invalid (a batch of valid signatures always passes). Halve it and compute the left half's
/// combination with the same coefficients; the right half's is `total` minus the left's, at the cost
/// of one point subtraction. Continue in the half that fails while the other passes; once both fail,
/// invalid signatures are dense, and each signature of both halves is checked on its own, as is
/// every signature of a failing batch of at most `NARROW_TO_SINGLES`. Only one half is ever
/// recursed into, so a failing batch of `n` costs at most about `n` terms of further combinations
/// and `n` single checks, whatever the adversary put in it.
fn narrow(items: &[Pending], z: &[Scalar], total: EdwardsPoint, out: &mut [bool]) {
    let singles = |items: &[Pending], out: &mut [bool]| {
        for (item, verdict) in items.iter().zip(out.iter_mut()) {
            *verdict = item.check().is_ok();
        }
    };
    if items.len() <= NARROW_TO_SINGLES {
        return singles(items, out);
    }
    let mid = items.len() / 2;
    let (left, right) = items.split_at(mid);
    let (left_out, right_out) = out.split_at_mut(mid);
    let left_total = combination(left, &z[..mid]);
    let right_total = total - left_total;
    match (is_torsion(&left_total), is_torsion(&right_total)) {
        (true, false) => {
            left_out.fill(true);
            narrow(right, &z[mid..], right_total, right_out);
        }
        (false, true) => {
            right_out.fill(true);
            narrow(left, &z[..mid], left_total, left_out);
        }
        // Both fail; or both pass, which cannot happen when `total` failed, since
        // [8]·total = [8]·left + [8]·right. Either way, decide each one alone.
        _ => {
            singles(left, left_out);
            singles(right, right_out);
        }
    }
}

/// Whether `[8]P = O`.
fn is_torsion(point: &EdwardsPoint) -> bool {
    point.mul_by_cofactor().is_identity()
}

/// The combination of `spec/03-signatures.md` §8 over `items` with the coefficients `z` (one per
/// item, independent uniformly random 128-bit scalars):
///
/// ```text
/// [Σ z_i·S_i]B − Σ [z_i]R_i − Σ [z_i·k_i]A_i
/// ```
///
/// The batch equation holds when `[8]` times this point is the identity. Terms of the same key are
/// merged into one (`Σ z_i·k_i` for that `A`), so a batch from few keys costs fewer point
/// operations.
fn combination(items: &[Pending], z: &[Scalar]) -> EdwardsPoint {
    let mut scalars: Vec<Scalar> = Vec::with_capacity(2 * items.len() + 1);
    let mut points: Vec<EdwardsPoint> = Vec::with_capacity(2 * items.len() + 1);
    let mut key_term: BTreeMap<[u8; 32], usize> = BTreeMap::new();
    let mut b_coefficient = Scalar::ZERO;
    for (item, z) in items.iter().zip(z) {
        b_coefficient += z * item.s;
        scalars.push(-z);
        points.push(item.r);
        let zk = z * item.k;
        match key_term.get(&item.key.key.bytes) {
            Some(&at) => scalars[at] -= zk,
            None => {
                key_term.insert(item.key.key.bytes, scalars.len());
                scalars.push(-zk);
                points.push(item.key.point);
            }
        }
    }
    scalars.push(b_coefficient);
    points.push(ED25519_BASEPOINT_POINT);
    EdwardsPoint::vartime_multiscalar_mul(&scalars, &points)
}

impl fmt::Display for PublicKey {
    /// The one text form, `pub_` and 52 lower-case base32 characters.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_text(f, "pub", &self.bytes)
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for PublicKey {
    type Err = ParseIdError;

    /// Parses the text form, then applies rules SIG-2 to SIG-4.
    ///
    /// ```
    /// use skylark::keys::PublicKey;
    /// // All-zero bytes encode a point of order 4.
    /// let err = "pub_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".parse::<PublicKey>().unwrap_err();
    /// assert_eq!(err.code(), "key.small_order");
    /// ```
    fn from_str(s: &str) -> Result<Self, ParseIdError> {
        let bytes = parse_text::<32>("pub", s)?;
        Ok(PublicKey::from_bytes(&bytes)?)
    }
}

/// An Ed25519 signature: 64 bytes, `R` then `S`. Any 64 bytes can be held; validity is decided by
/// verification.
///
/// Text form `sig_…` (103 lower-case base32 characters).
///
/// ```
/// use skylark::keys::Signature;
/// let sig = Signature::from_bytes([0; 64]);
/// assert_eq!(sig.to_string().len(), 4 + 103);
/// assert_eq!(sig.to_string().parse::<Signature>()?, sig);
/// # Ok::<(), skylark::id::ParseIdError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Signature {
    r: [u8; 32],
    s: [u8; 32],
}

impl Signature {
    /// Wraps 64 bytes.
    ///
    /// ```
    /// assert_eq!(skylark::keys::Signature::from_bytes([9; 64]).to_bytes(), [9; 64]);
    /// ```
    pub fn from_bytes(bytes: [u8; 64]) -> Self {
        let mut r = [0; 32];
        let mut s = [0; 32];
        r.copy_from_slice(&bytes[..32]);
        s.copy_from_slice(&bytes[32..]);
        Signature { r, s }
    }

    /// Wraps a slice that must be 64 bytes long (rule SIG-5).
    ///
    /// # Errors
    ///
    /// [`SignatureError::InvalidLength`] for any other length.
    ///
    /// ```
    /// use skylark::keys::{Signature, SignatureError};
    /// assert_eq!(Signature::from_slice(&[0; 65]), Err(SignatureError::InvalidLength { len: 65 }));
    /// ```
    pub fn from_slice(bytes: &[u8]) -> Result<Self, SignatureError> {
        let array: [u8; 64] = bytes
            .try_into()
            .map_err(|_| SignatureError::InvalidLength { len: bytes.len() })?;
        Ok(Signature::from_bytes(array))
    }

    /// The 64 bytes, `R` then `S`.
    ///
    /// ```
    /// assert_eq!(skylark::keys::Signature::from_bytes([1; 64]).to_bytes()[63], 1);
    /// ```
    pub fn to_bytes(&self) -> [u8; 64] {
        let mut out = [0; 64];
        out[..32].copy_from_slice(&self.r);
        out[32..].copy_from_slice(&self.s);
        out
    }
}

impl fmt::Display for Signature {
    /// The one text form, `sig_` and 103 lower-case base32 characters.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_text(f, "sig", &self.to_bytes())
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for Signature {
    type Err = ParseIdError;

    /// Parses the text form.
    ///
    /// ```
    /// use skylark::keys::Signature;
    /// assert_eq!("sig_x".parse::<Signature>().unwrap_err().code(), "id.invalid_length");
    /// ```
    fn from_str(s: &str) -> Result<Self, ParseIdError> {
        parse_text::<64>("sig", s).map(Signature::from_bytes)
    }
}

/// Checks an Ed25519 signature given as raw bytes of any length: the whole predicate, SIG-1 to SIG-9
/// in order. This is the function the Ed25519 conformance suites are run against.
///
/// # Errors
///
/// The first rule that fails, as a [`SignatureError`] (key rules as [`SignatureError::Key`]).
///
/// ```
/// use skylark::keys::{verify, KeyError, SignatureError};
/// assert_eq!(
///     verify(&[0; 32], b"", &[0; 64]),
///     Err(SignatureError::Key(KeyError::SmallOrder))
/// );
/// ```
pub fn verify(public_key: &[u8], message: &[u8], signature: &[u8]) -> Result<(), SignatureError> {
    let key = PublicKey::from_slice(public_key)?;
    let signature = Signature::from_slice(signature)?;
    key.verify(message, &signature)
}

/// Checks many Ed25519 signatures given as raw bytes at once: for every `(public_key, message,
/// signature)` triple, the same result as [`verify`], in input order.
///
/// Rules SIG-1 to SIG-8 are checked for each triple on its own, in the order of [`verify`]; the
/// equations of SIG-9 of those that pass are checked together, in batches of up to 256, with one
/// random linear combination per batch (`spec/03-signatures.md` §8), which costs about a third of
/// checking them one by one. A batch that fails is narrowed down to exactly its failing signatures,
/// and only those get [`SignatureError::Mismatch`]. Public keys are parsed through `keys`, so a key
/// seen before is not decompressed again.
///
/// `rng` must be a cryptographically secure random number generator whose output the signers
/// cannot predict: the verdicts are those of [`verify`] except with probability at most 2^-128 per
/// batch over its output.
///
/// ```
/// use skylark::keys::{verify, verify_batch, KeyCache, SignatureError};
/// # struct Counter(u64);
/// # impl rand_core::RngCore for Counter {
/// #     fn next_u32(&mut self) -> u32 { self.next_u64() as u32 }
/// #     fn next_u64(&mut self) -> u64 { self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1); self.0 }
/// #     fn fill_bytes(&mut self, d: &mut [u8]) { for x in d { *x = (self.next_u64() >> 56) as u8; } }
/// #     fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), rand_core::Error> { self.fill_bytes(d); Ok(()) }
/// # }
/// # impl rand_core::CryptoRng for Counter {}
/// // RFC 8032 §7.1, TEST 1: the empty message.
/// let key = [
///     0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
///     0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a,
/// ];
/// let sig = [
///     0xe5, 0x56, 0x43, 0x00, 0xc3, 0x60, 0xac, 0x72, 0x90, 0x86, 0xe2, 0xcc, 0x80, 0x6e, 0x82, 0x8a,
///     0x84, 0x87, 0x7f, 0x1e, 0xb8, 0xe5, 0xd9, 0x74, 0xd8, 0x73, 0xe0, 0x65, 0x22, 0x49, 0x01, 0x55,
///     0x5f, 0xb8, 0x82, 0x15, 0x90, 0xa3, 0x3b, 0xac, 0xc6, 0x1e, 0x39, 0x70, 0x1c, 0xf9, 0xb4, 0x6b,
///     0xd2, 0x5b, 0xf5, 0xf0, 0x59, 0x5b, 0xbe, 0x24, 0x65, 0x51, 0x41, 0x43, 0x8e, 0x7a, 0x10, 0x0b,
/// ];
/// // Use a real CSPRNG, such as `rand::rngs::OsRng`; this stand-in only keeps the example pure.
/// let mut rng = Counter(1);
/// let mut keys = KeyCache::new(1_000);
/// let items: [(&[u8], &[u8], &[u8]); 3] = [(&key, b"", &sig), (&key, b"x", &sig), (&key, b"", &sig[..63])];
/// let verdicts = verify_batch(&items, &mut keys, &mut rng);
/// assert_eq!(verdicts, [Ok(()), Err(SignatureError::Mismatch), Err(SignatureError::InvalidLength { len: 63 })]);
/// // The same verdicts, one at a time.
/// for ((k, m, s), verdict) in items.iter().zip(&verdicts) {
///     assert_eq!(&verify(k, m, s), verdict);
/// }
/// ```
pub fn verify_batch<R: RngCore + CryptoRng>(
    items: &[(&[u8], &[u8], &[u8])],
    keys: &mut KeyCache,
    rng: &mut R,
) -> Vec<Result<(), SignatureError>> {
    let mut results = Vec::with_capacity(items.len());
    let mut pending = Vec::with_capacity(items.len().min(MAX_BATCH));
    let mut slots = Vec::with_capacity(items.len().min(MAX_BATCH));
    let mut verdicts = [false; MAX_BATCH];
    for chunk in items.chunks(MAX_BATCH) {
        pending.clear();
        slots.clear();
        for &(public_key, message, signature) in chunk {
            let prepared = <&[u8; 32]>::try_from(public_key)
                .map_err(|_| KeyError::InvalidLength {
                    len: public_key.len(),
                })
                .and_then(|bytes| keys.decompress(bytes))
                .map_err(SignatureError::Key)
                .and_then(|key| key.prepare(&[message], &Signature::from_slice(signature)?));
            match prepared {
                Ok(item) => {
                    slots.push(results.len());
                    pending.push(item);
                    results.push(Ok(()));
                }
                Err(e) => results.push(Err(e)),
            }
        }
        let verdicts = &mut verdicts[..pending.len()];
        check_pending(&pending, verdicts, rng);
        for (&slot, &holds) in slots.iter().zip(verdicts.iter()) {
            if !holds {
                results[slot] = Err(SignatureError::Mismatch);
            }
        }
    }
    results
}

/// Parsed public keys, so that a key seen again is not decompressed and checked again: at most
/// `capacity` keys, the least recently used one dropped first.
///
/// Parsing a key (rules SIG-2 to SIG-4) costs about 4 µs, mostly the square root of point
/// decompression; a cache hit costs a few map look-ups. Only keys that passed are kept, so a cached
/// parse gives exactly the result of [`PublicKey::from_bytes`]. Each entry holds 240 bytes (the
/// key's bytes twice, the point in extended coordinates, and a use counter twice) plus B-tree node
/// overhead, so roughly 270 to 380 bytes, and the memory is bounded by the capacity the caller
/// chooses. The order in which keys are dropped changes only speed, never a result.
///
/// ```
/// use skylark::keys::{KeyCache, KeyError, PublicKey, SecretKey};
///
/// let mut keys = KeyCache::new(2);
/// let alice = SecretKey::from_seed([1; 32]).public_key();
/// assert_eq!(keys.parse(alice.as_bytes()), Ok(alice));
/// assert_eq!(keys.parse(alice.as_bytes()), Ok(alice)); // from the cache
/// assert_eq!(keys.len(), 1);
/// // A rejected key is reported as PublicKey::from_bytes reports it, and never cached.
/// assert_eq!(keys.parse(&[0; 32]), Err(KeyError::SmallOrder));
/// assert_eq!(keys.len(), 1);
/// ```
#[derive(Clone)]
pub struct KeyCache {
    capacity: usize,
    /// Incremented on every use; the last use of each cached key.
    clock: u64,
    /// The point of each cached key (its bytes are the map's key: a [`Decompressed`] is rebuilt
    /// from the two), and its last use.
    keys: BTreeMap<[u8; 32], (EdwardsPoint, u64)>,
    /// The cached keys by last use, oldest first.
    by_use: BTreeMap<u64, [u8; 32]>,
}

impl KeyCache {
    /// An empty cache that keeps at most `capacity` keys. A capacity of 0 keeps none: every parse
    /// decompresses.
    ///
    /// ```
    /// let keys = skylark::keys::KeyCache::new(100_000);
    /// assert_eq!((keys.len(), keys.capacity()), (0, 100_000));
    /// ```
    pub fn new(capacity: usize) -> Self {
        KeyCache {
            capacity,
            clock: 0,
            keys: BTreeMap::new(),
            by_use: BTreeMap::new(),
        }
    }

    /// Parses a public key as [`PublicKey::from_bytes`] does (rules SIG-2 to SIG-4), from the cache
    /// when it holds the key.
    ///
    /// # Errors
    ///
    /// Exactly those of [`PublicKey::from_bytes`].
    ///
    /// ```
    /// use skylark::keys::{KeyCache, SecretKey};
    /// let mut keys = KeyCache::new(1);
    /// let (a, b) = (SecretKey::from_seed([1; 32]).public_key(), SecretKey::from_seed([2; 32]).public_key());
    /// keys.parse(a.as_bytes())?;
    /// keys.parse(b.as_bytes())?; // drops `a`: the capacity is 1
    /// assert_eq!(keys.len(), 1);
    /// assert_eq!(keys.parse(a.as_bytes())?, a);
    /// # Ok::<(), skylark::keys::KeyError>(())
    /// ```
    pub fn parse(&mut self, bytes: &[u8; 32]) -> Result<PublicKey, KeyError> {
        self.decompress(bytes).map(|d| d.key)
    }

    /// [`KeyCache::parse`], keeping the point for the signature equation.
    pub(crate) fn decompress(&mut self, bytes: &[u8; 32]) -> Result<Decompressed, KeyError> {
        let key = match self.peek(bytes) {
            Some(key) => key,
            None => Decompressed::parse(bytes)?,
        };
        self.record(bytes, key);
        Ok(key)
    }

    /// The cached key with these bytes, without counting as a use (for lookups that cannot take the
    /// cache mutably, such as the threads of [`crate::batch`]).
    pub(crate) fn peek(&self, bytes: &[u8; 32]) -> Option<Decompressed> {
        self.keys.get(bytes).map(|(point, _)| Decompressed {
            key: PublicKey { bytes: *bytes },
            point: *point,
        })
    }

    /// Counts a use of `key`, parsed from `bytes` elsewhere, exactly as [`KeyCache::parse`] of
    /// `bytes` would: the cache ends in the state that parse would have left it in. `key` must be
    /// `Decompressed::parse(bytes)`.
    pub(crate) fn record(&mut self, bytes: &[u8; 32], key: Decompressed) {
        self.clock += 1;
        if let Some((_, last_use)) = self.keys.get_mut(bytes) {
            self.by_use.remove(last_use);
            *last_use = self.clock;
            self.by_use.insert(self.clock, *bytes);
            return;
        }
        if self.capacity > 0 {
            if self.keys.len() >= self.capacity {
                if let Some((_, oldest)) = self.by_use.pop_first() {
                    self.keys.remove(&oldest);
                }
            }
            self.keys.insert(*bytes, (key.point, self.clock));
            self.by_use.insert(self.clock, *bytes);
        }
    }

    /// Parses a public key from a slice of any length, as [`PublicKey::from_slice`] does (rules
    /// SIG-1 to SIG-4).
    ///
    /// # Errors
    ///
    /// Exactly those of [`PublicKey::from_slice`].
    ///
    /// ```
    /// use skylark::keys::{KeyCache, KeyError};
    /// assert_eq!(KeyCache::new(8).parse_slice(&[1; 33]), Err(KeyError::InvalidLength { len: 33 }));
    /// ```
    pub fn parse_slice(&mut self, bytes: &[u8]) -> Result<PublicKey, KeyError> {
        let array: &[u8; 32] = bytes
            .try_into()
            .map_err(|_| KeyError::InvalidLength { len: bytes.len() })?;
        self.parse(array)
    }

    /// Whether the cache holds the key with these bytes. Does not count as a use.
    ///
    /// ```
    /// use skylark::keys::{KeyCache, SecretKey};
    /// let mut keys = KeyCache::new(8);
    /// let key = SecretKey::from_seed([1; 32]).public_key();
    /// assert!(!keys.contains(key.as_bytes()));
    /// keys.parse(key.as_bytes())?;
    /// assert!(keys.contains(key.as_bytes()));
    /// # Ok::<(), skylark::keys::KeyError>(())
    /// ```
    pub fn contains(&self, bytes: &[u8; 32]) -> bool {
        self.keys.contains_key(bytes)
    }

    /// How many keys the cache holds.
    ///
    /// ```
    /// assert_eq!(skylark::keys::KeyCache::new(8).len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the cache holds no key.
    ///
    /// ```
    /// assert!(skylark::keys::KeyCache::new(8).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The most keys the cache holds.
    ///
    /// ```
    /// assert_eq!(skylark::keys::KeyCache::new(8).capacity(), 8);
    /// ```
    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

impl fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyCache")
            .field("len", &self.keys.len())
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

/// An Ed25519 secret key: the 32-byte RFC 8032 seed. It zeroizes its memory on drop and never
/// appears in `Debug` output.
///
/// The crate signs only domain-separated Skylark inputs with it; there is no raw `sign` in the public
/// API, so a secret key can never be tricked into signing bytes that mean something else elsewhere.
///
/// ```
/// use skylark::keys::SecretKey;
///
/// let secret = SecretKey::from_seed([5; 32]);
/// let shown = format!("{secret:?}");
/// assert!(shown.starts_with("SecretKey { public: pub_"));
/// assert!(!shown.contains("0505"));
/// ```
pub struct SecretKey {
    signing: ed25519_dalek::SigningKey,
    public: PublicKey,
}

impl SecretKey {
    /// The key whose RFC 8032 seed is `seed`. The caller's copy of `seed` is the caller's to wipe.
    ///
    /// ```
    /// let a = skylark::keys::SecretKey::from_seed([6; 32]);
    /// let b = skylark::keys::SecretKey::from_seed([6; 32]);
    /// assert_eq!(a.public_key(), b.public_key());
    /// ```
    pub fn from_seed(seed: [u8; 32]) -> Self {
        let signing = ed25519_dalek::SigningKey::from_bytes(&seed);
        let bytes = signing.verifying_key().to_bytes();
        // An RFC 8032 public key is [s]B with s a non-zero multiple of 8 below 2^255: a canonical
        // encoding of a point of order L, so it always passes SIG-2 to SIG-4.
        SecretKey {
            signing,
            public: PublicKey { bytes },
        }
    }

    /// A new key from the caller's cryptographically secure random number generator.
    ///
    /// ```
    /// # struct Counter(u8);
    /// # impl rand_core::RngCore for Counter {
    /// #     fn next_u32(&mut self) -> u32 { self.next_u64() as u32 }
    /// #     fn next_u64(&mut self) -> u64 { let mut b = [0; 8]; self.fill_bytes(&mut b); u64::from_le_bytes(b) }
    /// #     fn fill_bytes(&mut self, d: &mut [u8]) { for x in d { self.0 = self.0.wrapping_add(1); *x = self.0; } }
    /// #     fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), rand_core::Error> { self.fill_bytes(d); Ok(()) }
    /// # }
    /// # impl rand_core::CryptoRng for Counter {}
    /// // Use a real CSPRNG, such as `rand::rngs::OsRng`; this stand-in only keeps the example pure.
    /// let mut rng = Counter(0);
    /// let a = skylark::keys::SecretKey::generate(&mut rng);
    /// let b = skylark::keys::SecretKey::generate(&mut rng);
    /// assert_ne!(a.public_key(), b.public_key());
    /// ```
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        let mut seed = [0u8; 32];
        rng.fill_bytes(&mut seed);
        let key = Self::from_seed(seed);
        seed.zeroize();
        key
    }

    /// The public key.
    ///
    /// ```
    /// let secret = skylark::keys::SecretKey::from_seed([7; 32]);
    /// assert_eq!(secret.public_key(), secret.public_key());
    /// ```
    pub fn public_key(&self) -> PublicKey {
        self.public
    }

    /// A second handle on the same key, for the crate's own deferred signatures (an operation's
    /// acceptances, signed when it is drafted).
    pub(crate) fn duplicate(&self) -> SecretKey {
        SecretKey {
            signing: self.signing.clone(),
            public: self.public,
        }
    }

    /// Signs `context || 0x00 || data`; `context` is one of the crate's signature contexts.
    pub(crate) fn sign_in_context(&self, context: &[u8], data: &[u8]) -> Signature {
        use ed25519_dalek::Signer;
        let mut input = alloc::vec::Vec::with_capacity(context.len() + 1 + data.len());
        input.extend_from_slice(context);
        input.push(0);
        input.extend_from_slice(data);
        Signature::from_bytes(self.signing.sign(&input).to_bytes())
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretKey")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_encoding_boundaries() {
        // p - 1 is canonical, p and p + 18 are not.
        let mut y = [0xff; 32];
        y[31] = 0x7f;
        y[0] = 0xec;
        assert!(is_canonical_encoding(&y));
        y[0] = 0xed;
        assert!(!is_canonical_encoding(&y));
        y[0] = 0xff;
        assert!(!is_canonical_encoding(&y));
        // x = -0: y = p - 1 and y = 1 with the sign bit.
        let mut minus_one = [0xff; 32];
        minus_one[0] = 0xec;
        assert!(!is_canonical_encoding(&minus_one));
        let mut one = [0; 32];
        one[0] = 1;
        assert!(is_canonical_encoding(&one));
        one[31] = 0x80;
        assert!(!is_canonical_encoding(&one));
    }

    #[test]
    fn signs_and_verifies_in_context() {
        let secret = SecretKey::from_seed([9; 32]);
        let sig = secret.sign_in_context(b"ctx", b"data");
        let public = secret.public_key();
        assert_eq!(public.verify(b"ctx\0data", &sig), Ok(()));
        assert_eq!(public.verify_parts(&[b"ctx\0", b"data"], &sig), Ok(()));
        assert_eq!(
            public.verify(b"ctx\0datb", &sig),
            Err(SignatureError::Mismatch)
        );
    }
}
