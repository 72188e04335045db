//! Sealing (08 §5): the hybrid KEM, the key derivation, the key commitment and the AEAD.

use alloc::vec::Vec;
use core::fmt;

use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use curve25519_dalek::montgomery::MontgomeryPoint;
use ml_kem::{EncapsulateDeterministic, B32};
use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroize;

use super::inner::Inner;
use super::keys::{EncryptionPublic, PqPublic};
use super::prekey::Prekey;
use super::{
    is_zero, DmError, AEAD_TAG_LEN, BUCKETS, COMMITMENT_CONTEXT, HEADER_LEN, KEY_CONTEXT,
    MAX_INNER, NONCE_CONTEXT, NO_ONETIME, PQ_CIPHERTEXT_LEN, SEALED_VERSION, SLOT_CHECK_CONTEXT,
    SLOT_CHECK_LEN, SLOT_CONTEXT, TAG_LEN,
};

/// Offsets of the sealed header's fields (08 §5.1).
pub(super) const E_AT: usize = 1 + TAG_LEN;
pub(super) const C_AT: usize = E_AT + 32;
pub(super) const SLOT_AT: usize = C_AT + PQ_CIPHERTEXT_LEN;
pub(super) const CHECK_AT: usize = SLOT_AT + 2;
pub(super) const COMMIT_AT: usize = CHECK_AT + SLOT_CHECK_LEN;

/// Sealed bytes: one copy of a direct message for one device.
///
/// ```
/// # use skylark::dm::{seal_deterministic, DeviceKeys, DmBody, EncryptionSecret, PqSecret, Prekey, HEADER_LEN};
/// # use skylark::id::AccountId;
/// # let app = skylark::keys::SecretKey::from_seed([3; 32]);
/// let keys = DeviceKeys::new([1; 16], EncryptionSecret::from_bytes([4; 32]), PqSecret::from_seed([4; 64]), vec![]);
/// let bundle = Prekey::from_message(&keys.bundle(AccountId::from_bytes([2; 32]), 10, 99)?.sign(&app)?)?;
/// let inner = DmBody::new(&[AccountId::from_bytes([2; 32])], "hi")?.sign(AccountId::from_bytes([1; 32]), 20, &app)?;
/// let sealed = seal_deterministic(&inner, &bundle, None, &[5; 32], &[6; 32])?;
/// assert_eq!(sealed.as_bytes()[0], 2);
/// assert_eq!(sealed.as_bytes().len(), HEADER_LEN + 512 + 16);
/// assert_eq!(sealed.mailbox_tag(), bundle.key().mailbox_tag());
/// let bytes: Vec<u8> = sealed.clone().into_bytes();
/// assert_eq!(bytes, sealed.as_bytes());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed(Vec<u8>);

impl Sealed {
    /// Parses bytes a relay received as one sealed copy (DM-1): the version byte `0x02` and one of
    /// the sealed lengths (1173 + bucket + 16). Nothing else can be checked without the
    /// recipient's secrets; a relay files the result under its [`Sealed::mailbox_tag`].
    ///
    /// # Errors
    ///
    /// [`DmError::Malformed`] (`dm.malformed`) for empty bytes or another length,
    /// [`DmError::UnsupportedVersion`] (`dm.unsupported_version`) for another first byte — in
    /// that order, as opening does (08 §6 step 1).
    ///
    /// ```
    /// use skylark::dm::{Sealed, HEADER_LEN};
    /// let mut bytes = vec![0u8; HEADER_LEN + 512 + 16];
    /// bytes[0] = 2;
    /// bytes[1..3].copy_from_slice(&[0xab, 0xcd]);
    /// assert_eq!(Sealed::from_bytes(&bytes)?.mailbox_tag(), [0xab, 0xcd]);
    /// assert_eq!(Sealed::from_bytes(&bytes[..100]).unwrap_err().code(), "dm.malformed");
    /// bytes[0] = 1;
    /// assert_eq!(Sealed::from_bytes(&bytes).unwrap_err().code(), "dm.unsupported_version");
    /// # Ok::<(), skylark::dm::DmError>(())
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DmError> {
        match bytes.first() {
            None => return Err(DmError::Malformed),
            Some(&SEALED_VERSION) => {}
            Some(_) => return Err(DmError::UnsupportedVersion),
        }
        if bytes
            .len()
            .checked_sub(HEADER_LEN + AEAD_TAG_LEN)
            .is_some_and(|n| BUCKETS.contains(&n))
        {
            Ok(Sealed(bytes.to_vec()))
        } else {
            Err(DmError::Malformed)
        }
    }

    /// The sealed bytes, to hand to a relay.
    ///
    /// ```
    /// # use skylark::dm::{seal_deterministic, DeviceKeys, DmBody, EncryptionSecret, PqSecret, Prekey};
    /// # use skylark::id::AccountId;
    /// # let app = skylark::keys::SecretKey::from_seed([3; 32]);
    /// # let keys = DeviceKeys::new([1; 16], EncryptionSecret::from_bytes([4; 32]), PqSecret::from_seed([4; 64]), vec![]);
    /// # let bundle = Prekey::from_message(&keys.bundle(AccountId::from_bytes([2; 32]), 10, 99)?.sign(&app)?)?;
    /// # let inner = DmBody::new(&[AccountId::from_bytes([2; 32])], "hi")?.sign(AccountId::from_bytes([1; 32]), 20, &app)?;
    /// let sealed = seal_deterministic(&inner, &bundle, None, &[5; 32], &[6; 32])?;
    /// assert_eq!(sealed.as_bytes().len(), 1173 + 512 + 16);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The mailbox tag, by which a relay files the message.
    ///
    /// ```
    /// # use skylark::dm::{seal_deterministic, DeviceKeys, DmBody, EncryptionSecret, PqSecret, Prekey};
    /// # use skylark::id::AccountId;
    /// # let app = skylark::keys::SecretKey::from_seed([3; 32]);
    /// # let keys = DeviceKeys::new([1; 16], EncryptionSecret::from_bytes([4; 32]), PqSecret::from_seed([4; 64]), vec![]);
    /// # let bundle = Prekey::from_message(&keys.bundle(AccountId::from_bytes([2; 32]), 10, 99)?.sign(&app)?)?;
    /// # let inner = DmBody::new(&[AccountId::from_bytes([2; 32])], "hi")?.sign(AccountId::from_bytes([1; 32]), 20, &app)?;
    /// let sealed = seal_deterministic(&inner, &bundle, None, &[5; 32], &[6; 32])?;
    /// assert_eq!(sealed.mailbox_tag(), sealed.as_bytes()[1..3]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn mailbox_tag(&self) -> [u8; TAG_LEN] {
        [self.0[1], self.0[2]]
    }

    /// The sealed bytes, owned.
    ///
    /// ```
    /// # use skylark::dm::{seal_deterministic, DeviceKeys, DmBody, EncryptionSecret, PqSecret, Prekey};
    /// # use skylark::id::AccountId;
    /// # let app = skylark::keys::SecretKey::from_seed([3; 32]);
    /// # let keys = DeviceKeys::new([1; 16], EncryptionSecret::from_bytes([4; 32]), PqSecret::from_seed([4; 64]), vec![]);
    /// # let bundle = Prekey::from_message(&keys.bundle(AccountId::from_bytes([2; 32]), 10, 99)?.sign(&app)?)?;
    /// # let inner = DmBody::new(&[AccountId::from_bytes([2; 32])], "hi")?.sign(AccountId::from_bytes([1; 32]), 20, &app)?;
    /// let sealed = seal_deterministic(&inner, &bundle, None, &[5; 32], &[6; 32])?;
    /// assert_eq!(sealed.clone().into_bytes(), sealed.as_bytes());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }
}

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sealed({} bytes)", self.0.len())
    }
}

/// Seals an inner message to one device's bundle, with one-time prekey `onetime` (a slot of the
/// bundle) or none, drawing the ephemeral X25519 secret `e` and the ML-KEM message `m` (32 bytes
/// each, in that order) from `rng`.
///
/// The caller MUST have checked the bundle's authority ([`Prekey::authorize`], DM-15) and that it is
/// current ([`Prekey::current`]). To reach every device, seal one copy per current bundle of each
/// recipient and of the sender's own other devices. A one-time slot is used at most once by any
/// sender: the recipient deletes it when the first message that used it opens (DM-18); without
/// one (`None`), the message relies on the signed prekey and ML-KEM key alone.
///
/// # Errors
///
/// [`DmError::TooLarge`] for an inner message over [`MAX_INNER`] bytes; [`DmError::OnetimeConsumed`]
/// for a slot the bundle does not have; [`DmError::WeakKey`] if the signed or one-time prekey is of
/// small order.
///
/// ```
/// # use skylark::dm::{seal, DeviceKeys, DmBody, EncryptionSecret, PqSecret, Prekey};
/// # use skylark::id::AccountId;
/// # use rand_core::{RngCore, CryptoRng};
/// # struct Fixed; impl RngCore for Fixed { fn next_u32(&mut self) -> u32 { 7 } fn next_u64(&mut self) -> u64 { 7 }
/// #   fn fill_bytes(&mut self, d: &mut [u8]) { d.fill(7) } fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), rand_core::Error> { d.fill(7); Ok(()) } }
/// # impl CryptoRng for Fixed {}
/// # let app = skylark::keys::SecretKey::from_seed([3; 32]);
/// let keys = DeviceKeys::new([1; 16], EncryptionSecret::from_bytes([4; 32]), PqSecret::from_seed([4; 64]), vec![]);
/// let bundle = Prekey::from_message(&keys.bundle(AccountId::from_bytes([2; 32]), 10, 99)?.sign(&app)?)?;
/// let inner = DmBody::new(&[AccountId::from_bytes([2; 32])], "hi")?.sign(AccountId::from_bytes([1; 32]), 20, &app)?;
/// // The bundle has no one-time prekeys: slot 0 does not exist.
/// assert_eq!(seal(&inner, &bundle, Some(0), &mut Fixed).unwrap_err().code(), "dm.onetime_consumed");
/// assert!(seal(&inner, &bundle, None, &mut Fixed).is_ok());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn seal<R: RngCore + CryptoRng>(
    inner: &Inner,
    bundle: &Prekey,
    onetime: Option<u16>,
    rng: &mut R,
) -> Result<Sealed, DmError> {
    let mut e = [0u8; 32];
    let mut m = [0u8; 32];
    rng.fill_bytes(&mut e);
    rng.fill_bytes(&mut m);
    let sealed = seal_deterministic(inner, bundle, onetime, &e, &m);
    e.zeroize();
    m.zeroize();
    sealed
}

/// Sealing with a given ephemeral secret `e` and ML-KEM message `m` instead of random ones, for test
/// vectors and other implementations' cross-checks. An application uses [`seal`]: reusing `e` and
/// `m` for two messages to the same bundle reuses the AEAD key and nonce.
///
/// # Errors
///
/// As [`seal`].
///
/// ```
/// # use skylark::dm::{seal_deterministic, DeviceKeys, DmBody, EncryptionSecret, PqSecret, Prekey};
/// # use skylark::id::AccountId;
/// # let app = skylark::keys::SecretKey::from_seed([3; 32]);
/// let keys = DeviceKeys::new([1; 16], EncryptionSecret::from_bytes([4; 32]), PqSecret::from_seed([4; 64]),
///     vec![EncryptionSecret::from_bytes([8; 32])]);
/// let bundle = Prekey::from_message(&keys.bundle(AccountId::from_bytes([2; 32]), 10, 99)?.sign(&app)?)?;
/// let inner = DmBody::new(&[AccountId::from_bytes([2; 32])], "hi")?.sign(AccountId::from_bytes([1; 32]), 20, &app)?;
/// let a = seal_deterministic(&inner, &bundle, Some(0), &[5; 32], &[6; 32])?;
/// assert_eq!(a, seal_deterministic(&inner, &bundle, Some(0), &[5; 32], &[6; 32])?);
/// assert_ne!(a, seal_deterministic(&inner, &bundle, None, &[5; 32], &[6; 32])?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn seal_deterministic(
    inner: &Inner,
    bundle: &Prekey,
    onetime: Option<u16>,
    e: &[u8; 32],
    m: &[u8; 32],
) -> Result<Sealed, DmError> {
    seal_in_bucket(inner, bundle, onetime, None, e, m)
}

/// [`seal`] padded to `bucket` (one of [`BUCKETS`], at least the smallest that holds the inner
/// message and its length prefix) instead of the smallest: cover padding, so that a short message
/// looks like a longer one (08 §5.3). Opening accepts any bucket that holds the message (DM-5).
///
/// # Errors
///
/// As [`seal`], and [`DmError::Padding`] if `bucket` is not a bucket or is too small.
///
/// ```
/// # use skylark::dm::{seal_padded, DeviceKeys, DmBody, EncryptionSecret, PqSecret, Prekey, HEADER_LEN};
/// # use skylark::id::AccountId;
/// # use rand_core::{RngCore, CryptoRng};
/// # struct Fixed; impl RngCore for Fixed { fn next_u32(&mut self) -> u32 { 7 } fn next_u64(&mut self) -> u64 { 7 }
/// #   fn fill_bytes(&mut self, d: &mut [u8]) { d.fill(7) } fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), rand_core::Error> { d.fill(7); Ok(()) } }
/// # impl CryptoRng for Fixed {}
/// # let app = skylark::keys::SecretKey::from_seed([3; 32]);
/// let keys = DeviceKeys::new([1; 16], EncryptionSecret::from_bytes([4; 32]), PqSecret::from_seed([4; 64]), vec![]);
/// let bundle = Prekey::from_message(&keys.bundle(AccountId::from_bytes([2; 32]), 10, 99)?.sign(&app)?)?;
/// let inner = DmBody::new(&[AccountId::from_bytes([2; 32])], "ok")?.sign(AccountId::from_bytes([1; 32]), 20, &app)?;
/// let sealed = seal_padded(&inner, &bundle, None, 8192, &mut Fixed)?;
/// assert_eq!(sealed.as_bytes().len(), HEADER_LEN + 8192 + 16);
/// assert_eq!(seal_padded(&inner, &bundle, None, 1000, &mut Fixed).unwrap_err().code(), "dm.padding");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn seal_padded<R: RngCore + CryptoRng>(
    inner: &Inner,
    bundle: &Prekey,
    onetime: Option<u16>,
    bucket: usize,
    rng: &mut R,
) -> Result<Sealed, DmError> {
    let mut e = [0u8; 32];
    let mut m = [0u8; 32];
    rng.fill_bytes(&mut e);
    rng.fill_bytes(&mut m);
    let sealed = seal_in_bucket(inner, bundle, onetime, Some(bucket), &e, &m);
    e.zeroize();
    m.zeroize();
    sealed
}

/// [`seal_padded`] with a given `e` and `m`, for test vectors (as [`seal_deterministic`]).
///
/// # Errors
///
/// As [`seal_padded`].
///
/// ```
/// # use skylark::dm::{seal_padded_deterministic, DeviceKeys, DmBody, EncryptionSecret, PqSecret, Prekey};
/// # use skylark::id::AccountId;
/// # let app = skylark::keys::SecretKey::from_seed([3; 32]);
/// # let keys = DeviceKeys::new([1; 16], EncryptionSecret::from_bytes([4; 32]), PqSecret::from_seed([4; 64]), vec![]);
/// # let bundle = Prekey::from_message(&keys.bundle(AccountId::from_bytes([2; 32]), 10, 99)?.sign(&app)?)?;
/// # let inner = DmBody::new(&[AccountId::from_bytes([2; 32])], "ok")?.sign(AccountId::from_bytes([1; 32]), 20, &app)?;
/// let sealed = seal_padded_deterministic(&inner, &bundle, None, 2048, &[5; 32], &[6; 32])?;
/// assert_eq!(sealed.as_bytes().len(), 1173 + 2048 + 16);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn seal_padded_deterministic(
    inner: &Inner,
    bundle: &Prekey,
    onetime: Option<u16>,
    bucket: usize,
    e: &[u8; 32],
    m: &[u8; 32],
) -> Result<Sealed, DmError> {
    seal_in_bucket(inner, bundle, onetime, Some(bucket), e, m)
}

fn seal_in_bucket(
    inner: &Inner,
    bundle: &Prekey,
    onetime: Option<u16>,
    chosen: Option<usize>,
    e: &[u8; 32],
    m: &[u8; 32],
) -> Result<Sealed, DmError> {
    let onetime = match onetime {
        None => None,
        Some(slot) => {
            let o = bundle
                .onetime()
                .get(usize::from(slot))
                .ok_or(DmError::OnetimeConsumed)?;
            Some((slot, *o))
        }
    };
    seal_bytes(
        inner.as_bytes(),
        &bundle.key(),
        bundle.pq(),
        onetime,
        chosen,
        e,
        m,
    )
}

/// §5.4 for inner bytes (a direct message's or a report's, §14.2) to the signed prekey `r` and
/// ML-KEM key `pq`, with a one-time slot and its key or none.
pub(super) fn seal_bytes(
    inner: &[u8],
    r: &EncryptionPublic,
    pq: &PqPublic,
    onetime: Option<(u16, EncryptionPublic)>,
    chosen: Option<usize>,
    e: &[u8; 32],
    m: &[u8; 32],
) -> Result<Sealed, DmError> {
    if inner.len() > MAX_INNER {
        return Err(DmError::TooLarge);
    }
    let smallest = bucket(inner.len() + 4).ok_or(DmError::TooLarge)?;
    let padded_len = match chosen {
        None => smallest,
        Some(b) if b >= smallest && BUCKETS.contains(&b) => b,
        Some(_) => return Err(DmError::Padding),
    };
    let tag = r.mailbox_tag();
    let r = r.0;
    let (slot, o) = match onetime {
        None => (NO_ONETIME, None),
        Some((slot, o)) => (slot, Some(o.0)),
    };
    let e_pub = MontgomeryPoint::mul_base_clamped(*e).to_bytes();
    let mut dh1 = MontgomeryPoint(r).mul_clamped(*e).to_bytes();
    let mut dh2 = match o {
        Some(o) => MontgomeryPoint(o).mul_clamped(*e).to_bytes(),
        None => [0; 32],
    };
    if is_zero(&dh1) || (o.is_some() && is_zero(&dh2)) {
        dh1.zeroize();
        dh2.zeroize();
        return Err(DmError::WeakKey);
    }
    let (ciphertext, ss) = pq
        .key()
        .encapsulate_deterministic(&B32::from_fn(|i| m[i]))
        .map_err(|()| DmError::WeakKey)?;
    let mut ss: [u8; 32] = ss.into();
    let mask = slot_mask(&dh1, &ss, &e_pub, &r, &ciphertext);
    let check = slot_check(&dh1, &ss, &e_pub, &r, &ciphertext, slot);
    let keys = Derived::new(
        &dh1,
        &dh2,
        &ss,
        &e_pub,
        &r,
        &o.unwrap_or([0; 32]),
        &ciphertext,
        slot,
    );
    dh1.zeroize();
    dh2.zeroize();
    ss.zeroize();

    let mut out = Vec::with_capacity(HEADER_LEN + padded_len + super::AEAD_TAG_LEN);
    out.push(SEALED_VERSION);
    out.extend_from_slice(&tag);
    out.extend_from_slice(&e_pub);
    out.extend_from_slice(&ciphertext);
    out.extend_from_slice(&(slot ^ mask).to_be_bytes());
    out.extend_from_slice(&check);
    out.extend_from_slice(&keys.commitment);
    let len = u32::try_from(inner.len()).map_err(|_| DmError::TooLarge)?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(inner);
    out.resize(HEADER_LEN + padded_len, 0);

    let cipher = XChaCha20Poly1305::new(&keys.key.into());
    let (aad, plaintext) = out.split_at_mut(HEADER_LEN);
    let tag = cipher
        .encrypt_in_place_detached(XNonce::from_slice(&keys.nonce), aad, plaintext)
        .map_err(|_| DmError::TooLarge)?;
    out.extend_from_slice(&tag);
    Ok(Sealed(out))
}

/// The smallest bucket that holds `n` bytes of length prefix and message.
pub(super) fn bucket(n: usize) -> Option<usize> {
    BUCKETS.iter().copied().find(|&b| b >= n)
}

/// The derived values of one sealed copy (08 §5.4). The key is zeroed on drop.
pub(super) struct Derived {
    /// The AEAD key.
    pub(super) key: [u8; 32],
    /// The AEAD nonce.
    pub(super) nonce: [u8; 24],
    /// The key commitment.
    pub(super) commitment: [u8; 32],
}

impl Drop for Derived {
    fn drop(&mut self) {
        self.key.zeroize();
    }
}

/// `dh1 ‖ ss ‖ E ‖ R ‖ C`, hashed under `context`, with `extra` appended.
fn stage_one(
    context: &str,
    dh1: &[u8; 32],
    ss: &[u8; 32],
    e_pub: &[u8; 32],
    r: &[u8; 32],
    c: &[u8],
    extra: &[u8],
) -> [u8; 32] {
    let mut h = blake3::Hasher::new_derive_key(context);
    for part in [&dh1[..], ss, e_pub, r, c, extra] {
        h.update(part);
    }
    *h.finalize().as_bytes()
}

/// The slot mask: the first two bytes of `H("skylark v1 dm slot", dh1 ‖ ss ‖ E ‖ R ‖ C)`.
pub(super) fn slot_mask(
    dh1: &[u8; 32],
    ss: &[u8; 32],
    e_pub: &[u8; 32],
    r: &[u8; 32],
    c: &[u8],
) -> u16 {
    let out = stage_one(SLOT_CONTEXT, dh1, ss, e_pub, r, c, &[]);
    u16::from_be_bytes([out[0], out[1]])
}

/// The slot check: the first 16 bytes of `H("skylark v1 dm slot check", dh1 ‖ ss ‖ E ‖ R ‖ C ‖
/// BE16(slot))`.
pub(super) fn slot_check(
    dh1: &[u8; 32],
    ss: &[u8; 32],
    e_pub: &[u8; 32],
    r: &[u8; 32],
    c: &[u8],
    slot: u16,
) -> [u8; SLOT_CHECK_LEN] {
    let out = stage_one(
        SLOT_CHECK_CONTEXT,
        dh1,
        ss,
        e_pub,
        r,
        c,
        &slot.to_be_bytes(),
    );
    let mut check = [0u8; SLOT_CHECK_LEN];
    check.copy_from_slice(&out[..SLOT_CHECK_LEN]);
    check
}

impl Derived {
    /// `ikm = dh1 ‖ dh2 ‖ ss ‖ E ‖ R ‖ O ‖ C ‖ BE16(slot)`; the key, nonce and commitment are
    /// `derive_key` of it under their three contexts.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        dh1: &[u8; 32],
        dh2: &[u8; 32],
        ss: &[u8; 32],
        e_pub: &[u8; 32],
        r: &[u8; 32],
        o: &[u8; 32],
        c: &[u8],
        slot: u16,
    ) -> Derived {
        let mut ikm = Vec::with_capacity(6 * 32 + c.len() + 2);
        for part in [&dh1[..], dh2, ss, e_pub, r, o, c, &slot.to_be_bytes()] {
            ikm.extend_from_slice(part);
        }
        let key = blake3::derive_key(KEY_CONTEXT, &ikm);
        let n = blake3::derive_key(NONCE_CONTEXT, &ikm);
        let commitment = blake3::derive_key(COMMITMENT_CONTEXT, &ikm);
        ikm.zeroize();
        let mut nonce = [0u8; 24];
        nonce.copy_from_slice(&n[..24]);
        Derived {
            key,
            nonce,
            commitment,
        }
    }
}
