//! The keys of sealing: X25519 keys, ML-KEM-768 keys, and the secrets of one device's bundle.

use alloc::vec::Vec;
use core::fmt;

use curve25519_dalek::montgomery::MontgomeryPoint;
use ml_kem::kem::{DecapsulationKey, EncapsulationKey};
use ml_kem::{EncodedSizeUser, KemCore, MlKem768, MlKem768Params, B32};
use rand_core::{CryptoRng, RngCore};
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::{MAILBOX_CONTEXT, MAX_ONETIME, PQ_PUBLIC_LEN, PREKEY_KIND, TAG_LEN};
use crate::cbor::{Map, Value};
use crate::envelope::{Draft, EnvelopeError, Kind};
use crate::id::AccountId;

/// An X25519 public key to which messages are sealed: a device's signed prekey or one of its
/// one-time prekeys. Any 32 bytes; a small-order key is refused when sealing (`dm.weak_key`).
///
/// ```
/// use skylark::dm::EncryptionPublic;
/// let key = EncryptionPublic::from_bytes([9; 32]);
/// assert_eq!(key.as_bytes(), &[9; 32]);
/// assert_eq!(key.mailbox_tag().len(), 2);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EncryptionPublic(pub(super) [u8; 32]);

impl EncryptionPublic {
    /// The key with these bytes.
    ///
    /// ```
    /// # use skylark::dm::EncryptionPublic;
    /// assert_ne!(EncryptionPublic::from_bytes([9; 32]), EncryptionPublic::from_bytes([8; 32]));
    /// ```
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        EncryptionPublic(bytes)
    }

    /// The 32 bytes.
    ///
    /// ```
    /// # use skylark::dm::{EncryptionPublic, EncryptionSecret};
    /// let key = EncryptionSecret::from_bytes([7; 32]).public_key();
    /// assert_eq!(EncryptionPublic::from_bytes(*key.as_bytes()), key);
    /// ```
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The mailbox tag of messages sealed to this (signed prekey) key: the first two bytes of
    /// `H("skylark v1 dm mailbox", key)`.
    ///
    /// ```
    /// # use skylark::dm::EncryptionPublic;
    /// let a = EncryptionPublic::from_bytes([1; 32]).mailbox_tag();
    /// assert_ne!(a, EncryptionPublic::from_bytes([2; 32]).mailbox_tag());
    /// ```
    pub fn mailbox_tag(&self) -> [u8; TAG_LEN] {
        let h = blake3::derive_key(MAILBOX_CONTEXT, &self.0);
        [h[0], h[1]]
    }
}

impl fmt::Debug for EncryptionPublic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EncryptionPublic(")?;
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

/// An X25519 secret key: 32 bytes, clamped when used (RFC 7748). Zeroed on drop; `Debug` does not
/// show it.
///
/// ```
/// use skylark::dm::EncryptionSecret;
/// let secret = EncryptionSecret::from_bytes([7; 32]);
/// assert_eq!(format!("{secret:?}"), "EncryptionSecret(..)");
/// assert_eq!(secret.public_key(), EncryptionSecret::from_bytes([7; 32]).public_key());
/// ```
#[derive(Clone)]
pub struct EncryptionSecret {
    pub(super) secret: [u8; 32],
    /// Computed once: opening selects keys by the tag of their public key.
    public: EncryptionPublic,
}

impl Drop for EncryptionSecret {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

impl ZeroizeOnDrop for EncryptionSecret {}

impl EncryptionSecret {
    /// The secret key with these bytes (an app stores a key this way).
    ///
    /// ```
    /// # use skylark::dm::EncryptionSecret;
    /// assert_eq!(EncryptionSecret::from_bytes([7; 32]).to_bytes(), [7; 32]);
    /// ```
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        let public = EncryptionPublic(MontgomeryPoint::mul_base_clamped(bytes).to_bytes());
        EncryptionSecret {
            secret: bytes,
            public,
        }
    }

    /// A new secret key from the caller's random number generator.
    ///
    /// ```
    /// # use skylark::dm::EncryptionSecret;
    /// # use rand_core::{RngCore, CryptoRng};
    /// # struct Fixed; impl RngCore for Fixed { fn next_u32(&mut self) -> u32 { 7 } fn next_u64(&mut self) -> u64 { 7 }
    /// #   fn fill_bytes(&mut self, d: &mut [u8]) { d.fill(7) } fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), rand_core::Error> { d.fill(7); Ok(()) } }
    /// # impl CryptoRng for Fixed {}
    /// let secret = EncryptionSecret::generate(&mut Fixed); // in an app: rand_core::OsRng
    /// assert_eq!(secret.public_key(), EncryptionSecret::from_bytes([7; 32]).public_key());
    /// ```
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        let mut bytes = [0u8; 32];
        rng.fill_bytes(&mut bytes);
        let secret = Self::from_bytes(bytes);
        bytes.zeroize();
        secret
    }

    /// The public key: X25519 of the secret and the base point 9.
    ///
    /// ```
    /// # use skylark::dm::EncryptionSecret;
    /// // RFC 7748 §6.1: Alice's key pair.
    /// let secret: [u8; 32] = hex::decode("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")?
    ///     .try_into().unwrap();
    /// let public = EncryptionSecret::from_bytes(secret).public_key();
    /// assert_eq!(hex::encode(public.as_bytes()), "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn public_key(&self) -> EncryptionPublic {
        self.public
    }

    /// The secret's 32 bytes, to store it.
    ///
    /// ```
    /// # use skylark::dm::EncryptionSecret;
    /// assert_eq!(EncryptionSecret::from_bytes([7; 32]).to_bytes(), [7; 32]);
    /// ```
    pub fn to_bytes(&self) -> [u8; 32] {
        self.secret
    }

    /// X25519 of this secret and `u`.
    pub(super) fn diffie_hellman(&self, u: &[u8; 32]) -> [u8; 32] {
        MontgomeryPoint(*u).mul_clamped(self.secret).to_bytes()
    }
}

impl fmt::Debug for EncryptionSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EncryptionSecret(..)")
    }
}

/// An ML-KEM-768 encapsulation key (FIPS 203), as published in a bundle: 1184 bytes whose
/// 1152-byte vector encodes coefficients below q = 3329 (the FIPS 203 §7.2 modulus check, DM-10).
///
/// ```
/// use skylark::dm::{PqPublic, PqSecret};
/// let public = PqSecret::from_seed([7; 64]).public_key();
/// assert_eq!(PqPublic::from_slice(public.as_bytes()), Some(public.clone()));
/// // A coefficient of 4095 (≥ q) fails the modulus check.
/// let mut bad = public.as_bytes().to_vec();
/// bad[0] = 0xff;
/// bad[1] |= 0x0f;
/// assert_eq!(PqPublic::from_slice(&bad), None);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct PqPublic(pub(super) Vec<u8>);

impl PqPublic {
    /// The key with these bytes, if they are 1184 bytes that pass the modulus check.
    ///
    /// ```
    /// assert_eq!(skylark::dm::PqPublic::from_slice(&[0; 10]), None);
    /// ```
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != PQ_PUBLIC_LEN {
            return None;
        }
        // ByteDecode_12 of the k = 3 polynomials: two 12-bit coefficients per 3 bytes.
        let reduced = bytes[..PQ_PUBLIC_LEN - 32].chunks_exact(3).all(|c| {
            let a = u16::from(c[0]) | (u16::from(c[1] & 0x0f) << 8);
            let b = u16::from(c[1] >> 4) | (u16::from(c[2]) << 4);
            a < 3329 && b < 3329
        });
        reduced.then(|| PqPublic(bytes.to_vec()))
    }

    /// The 1184 bytes.
    ///
    /// ```
    /// assert_eq!(skylark::dm::PqSecret::from_seed([1; 64]).public_key().as_bytes().len(), 1184);
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub(super) fn key(&self) -> EncapsulationKey<MlKem768Params> {
        let mut encoded = ml_kem::Encoded::<EncapsulationKey<MlKem768Params>>::default();
        encoded.copy_from_slice(&self.0);
        EncapsulationKey::from_bytes(&encoded)
    }
}

impl fmt::Debug for PqPublic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let h = blake3::hash(&self.0);
        write!(f, "PqPublic(blake3 {})", &h.to_hex()[..16])
    }
}

/// An ML-KEM-768 decapsulation key, stored as its 64-byte FIPS 203 seed `d ‖ z` (ML-KEM.KeyGen_internal).
/// Zeroed on drop; `Debug` does not show it.
///
/// ```
/// use skylark::dm::PqSecret;
/// let secret = PqSecret::from_seed([7; 64]);
/// assert_eq!(secret.to_seed(), [7; 64]);
/// assert_eq!(format!("{secret:?}"), "PqSecret(..)");
/// ```
#[derive(Clone)]
pub struct PqSecret {
    seed: [u8; 64],
    key: DecapsulationKey<MlKem768Params>,
    public: PqPublic,
}

impl Drop for PqSecret {
    fn drop(&mut self) {
        self.seed.zeroize();
    }
}

impl PqSecret {
    /// The key generated from the seed `d ‖ z` (FIPS 203 Algorithm 16).
    ///
    /// ```
    /// # use skylark::dm::PqSecret;
    /// assert_eq!(PqSecret::from_seed([1; 64]).public_key(), PqSecret::from_seed([1; 64]).public_key());
    /// ```
    pub fn from_seed(seed: [u8; 64]) -> Self {
        let (d, z) = seed.split_at(32);
        let (key, public) =
            MlKem768::generate_deterministic(&B32::from_fn(|i| d[i]), &B32::from_fn(|i| z[i]));
        let public = PqPublic(public.as_bytes().to_vec());
        PqSecret { seed, key, public }
    }

    /// A new key from the caller's random number generator (64 bytes: `d`, then `z`).
    ///
    /// ```
    /// # use skylark::dm::PqSecret;
    /// # use rand_core::{RngCore, CryptoRng};
    /// # struct Fixed; impl RngCore for Fixed { fn next_u32(&mut self) -> u32 { 7 } fn next_u64(&mut self) -> u64 { 7 }
    /// #   fn fill_bytes(&mut self, d: &mut [u8]) { d.fill(7) } fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), rand_core::Error> { d.fill(7); Ok(()) } }
    /// # impl CryptoRng for Fixed {}
    /// assert_eq!(PqSecret::generate(&mut Fixed).to_seed(), [7; 64]);
    /// ```
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        let mut seed = [0u8; 64];
        rng.fill_bytes(&mut seed);
        let secret = Self::from_seed(seed);
        seed.zeroize();
        secret
    }

    /// The encapsulation key.
    ///
    /// ```
    /// # use skylark::dm::PqSecret;
    /// assert_ne!(PqSecret::from_seed([1; 64]).public_key(), PqSecret::from_seed([2; 64]).public_key());
    /// ```
    pub fn public_key(&self) -> PqPublic {
        self.public.clone()
    }

    /// The 64-byte seed, to store the key.
    ///
    /// ```
    /// # use skylark::dm::PqSecret;
    /// assert_eq!(PqSecret::from_seed([3; 64]).to_seed(), [3; 64]);
    /// ```
    pub fn to_seed(&self) -> [u8; 64] {
        self.seed
    }

    pub(super) fn key(&self) -> &DecapsulationKey<MlKem768Params> {
        &self.key
    }
}

impl fmt::Debug for PqSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PqSecret(..)")
    }
}

/// The secrets of one device's prekey bundle: the device id, the signed X25519 prekey, the ML-KEM-768
/// key and the one-time X25519 prekeys, each slot's secret deleted when a message that used it
/// opens (DM-18). A device publishes the bundle of a key set once ([`DeviceKeys::bundle`]), keeps
/// the set until the bundle's `expires` + 7 days, then deletes it; it rotates with a new set.
///
/// ```
/// use skylark::dm::DeviceKeys;
/// # use rand_core::{RngCore, CryptoRng};
/// # struct Fixed; impl RngCore for Fixed { fn next_u32(&mut self) -> u32 { 7 } fn next_u64(&mut self) -> u64 { 7 }
/// #   fn fill_bytes(&mut self, d: &mut [u8]) { d.fill(7) } fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), rand_core::Error> { d.fill(7); Ok(()) } }
/// # impl CryptoRng for Fixed {}
/// let keys = DeviceKeys::generate([1; 16], 8, &mut Fixed);
/// assert_eq!(keys.device(), &[1; 16]);
/// assert_eq!(keys.onetime_held(), 8);
/// ```
#[derive(Clone, Debug)]
pub struct DeviceKeys {
    device: [u8; 16],
    signed: EncryptionSecret,
    pq: PqSecret,
    /// Each slot's public key (published in the bundle) and its secret until used.
    onetime: Vec<(EncryptionPublic, Option<EncryptionSecret>)>,
}

impl DeviceKeys {
    /// The key set of device `device` from its secrets; at most [`MAX_ONETIME`] one-time secrets are
    /// kept. To restore a stored set whose slots were used, call [`DeviceKeys::forget_onetime`].
    ///
    /// ```
    /// use skylark::dm::{DeviceKeys, EncryptionSecret, PqSecret};
    /// let mut keys = DeviceKeys::new([2; 16], EncryptionSecret::from_bytes([1; 32]), PqSecret::from_seed([1; 64]),
    ///     vec![EncryptionSecret::from_bytes([3; 32]), EncryptionSecret::from_bytes([4; 32])]);
    /// keys.forget_onetime(0);
    /// assert_eq!(keys.onetime_held(), 1);
    /// ```
    pub fn new(
        device: [u8; 16],
        signed: EncryptionSecret,
        pq: PqSecret,
        onetime: Vec<EncryptionSecret>,
    ) -> Self {
        let onetime = onetime
            .into_iter()
            .take(MAX_ONETIME)
            .map(|s| (s.public_key(), Some(s)))
            .collect();
        DeviceKeys {
            device,
            signed,
            pq,
            onetime,
        }
    }

    /// A new key set for device `device` with `onetime` one-time prekeys (at most [`MAX_ONETIME`]),
    /// from the caller's random number generator.
    ///
    /// ```
    /// # use skylark::dm::DeviceKeys;
    /// # use rand_core::{RngCore, CryptoRng};
    /// # struct Fixed; impl RngCore for Fixed { fn next_u32(&mut self) -> u32 { 7 } fn next_u64(&mut self) -> u64 { 7 }
    /// #   fn fill_bytes(&mut self, d: &mut [u8]) { d.fill(7) } fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), rand_core::Error> { d.fill(7); Ok(()) } }
    /// # impl CryptoRng for Fixed {}
    /// assert_eq!(DeviceKeys::generate([1; 16], 100, &mut Fixed).onetime_held(), 32);
    /// ```
    pub fn generate<R: RngCore + CryptoRng>(device: [u8; 16], onetime: usize, rng: &mut R) -> Self {
        let signed = EncryptionSecret::generate(rng);
        let pq = PqSecret::generate(rng);
        let onetime = (0..onetime.min(MAX_ONETIME))
            .map(|_| EncryptionSecret::generate(rng))
            .collect();
        DeviceKeys::new(device, signed, pq, onetime)
    }

    /// The device id.
    ///
    /// ```
    /// # use skylark::dm::{DeviceKeys, EncryptionSecret, PqSecret};
    /// let keys = DeviceKeys::new([5; 16], EncryptionSecret::from_bytes([1; 32]), PqSecret::from_seed([1; 64]), vec![]);
    /// assert_eq!(keys.device(), &[5; 16]);
    /// ```
    pub fn device(&self) -> &[u8; 16] {
        &self.device
    }

    /// The signed X25519 prekey's secret.
    ///
    /// ```
    /// # use skylark::dm::{DeviceKeys, EncryptionSecret, PqSecret};
    /// let keys = DeviceKeys::new([5; 16], EncryptionSecret::from_bytes([1; 32]), PqSecret::from_seed([1; 64]), vec![]);
    /// assert_eq!(keys.signed().to_bytes(), [1; 32]);
    /// ```
    pub fn signed(&self) -> &EncryptionSecret {
        &self.signed
    }

    /// The ML-KEM-768 secret.
    ///
    /// ```
    /// # use skylark::dm::{DeviceKeys, EncryptionSecret, PqSecret};
    /// let keys = DeviceKeys::new([5; 16], EncryptionSecret::from_bytes([1; 32]), PqSecret::from_seed([4; 64]), vec![]);
    /// assert_eq!(keys.pq().to_seed(), [4; 64]);
    /// ```
    pub fn pq(&self) -> &PqSecret {
        &self.pq
    }

    /// The secret of one-time slot `slot`, if it is held (not used, not forgotten).
    ///
    /// ```
    /// # use skylark::dm::{DeviceKeys, EncryptionSecret, PqSecret};
    /// let keys = DeviceKeys::new([5; 16], EncryptionSecret::from_bytes([1; 32]), PqSecret::from_seed([4; 64]),
    ///     vec![EncryptionSecret::from_bytes([2; 32])]);
    /// assert!(keys.onetime(0).is_some() && keys.onetime(1).is_none());
    /// ```
    pub fn onetime(&self, slot: u16) -> Option<&EncryptionSecret> {
        self.onetime.get(usize::from(slot))?.1.as_ref()
    }

    /// How many one-time secrets are still held.
    ///
    /// ```
    /// # use skylark::dm::{DeviceKeys, EncryptionSecret, PqSecret};
    /// let keys = DeviceKeys::new([5; 16], EncryptionSecret::from_bytes([1; 32]), PqSecret::from_seed([4; 64]), vec![]);
    /// assert_eq!(keys.onetime_held(), 0);
    /// ```
    pub fn onetime_held(&self) -> usize {
        self.onetime.iter().filter(|(_, s)| s.is_some()).count()
    }

    /// Deletes the secret of one-time slot `slot` (a message that used it opened, or a stored set
    /// is being restored). [`crate::dm::open`] does this itself when it returns a message.
    ///
    /// ```
    /// # use skylark::dm::{DeviceKeys, EncryptionSecret, PqSecret};
    /// let mut keys = DeviceKeys::new([5; 16], EncryptionSecret::from_bytes([1; 32]), PqSecret::from_seed([4; 64]),
    ///     vec![EncryptionSecret::from_bytes([2; 32])]);
    /// keys.forget_onetime(0);
    /// assert!(keys.onetime(0).is_none());
    /// ```
    pub fn forget_onetime(&mut self, slot: u16) {
        if let Some((_, s)) = self.onetime.get_mut(usize::from(slot)) {
            *s = None;
        }
    }

    /// The draft of this device's `prekey` bundle message for `account` at `time`, valid until
    /// `expires`, listing every one-time slot in order (the slot number is the index). Publish it
    /// once, when the set is new; sign it with the account's DM key (an app key whose scope names
    /// `prekey`, DM-15).
    ///
    /// # Errors
    ///
    /// As [`Draft::new`].
    ///
    /// ```
    /// use skylark::dm::{DeviceKeys, EncryptionSecret, PqSecret, Prekey};
    /// let keys = DeviceKeys::new([5; 16], EncryptionSecret::from_bytes([1; 32]), PqSecret::from_seed([4; 64]),
    ///     vec![EncryptionSecret::from_bytes([2; 32])]);
    /// let app = skylark::keys::SecretKey::from_seed([9; 32]);
    /// let msg = keys.bundle(skylark::id::AccountId::from_bytes([1; 32]), 10, 99)?.sign(&app)?;
    /// let bundle = Prekey::from_message(&msg)?;
    /// assert_eq!(bundle.key(), keys.signed().public_key());
    /// assert_eq!(bundle.onetime(), &[EncryptionSecret::from_bytes([2; 32]).public_key()]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn bundle(
        &self,
        account: AccountId,
        time: u64,
        expires: u64,
    ) -> Result<Draft, EnvelopeError> {
        self.bundle_map(account, time, expires, None)
    }

    /// [`DeviceKeys::bundle`] with a `gate` (08 §5.7): whom the device accepts, the proof of work
    /// it asks of unsolicited senders, the access tokens it admits.
    ///
    /// # Errors
    ///
    /// As [`Draft::new`].
    ///
    /// ```
    /// use skylark::dm::{Accept, DeviceKeys, EncryptionSecret, Gate, PqSecret, Prekey};
    /// let keys = DeviceKeys::new([5; 16], EncryptionSecret::from_bytes([1; 32]), PqSecret::from_seed([4; 64]), vec![]);
    /// let gate = Gate::new(Accept::Follows, 0, &[])?;
    /// let app = skylark::keys::SecretKey::from_seed([9; 32]);
    /// let msg = keys.gated_bundle(skylark::id::AccountId::from_bytes([1; 32]), 10, 99, &gate)?.sign(&app)?;
    /// assert_eq!(Prekey::from_message(&msg)?.gate(), &gate);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn gated_bundle(
        &self,
        account: AccountId,
        time: u64,
        expires: u64,
        gate: &super::Gate,
    ) -> Result<Draft, EnvelopeError> {
        self.bundle_map(account, time, expires, Some(gate))
    }

    fn bundle_map(
        &self,
        account: AccountId,
        time: u64,
        expires: u64,
        gate: Option<&super::Gate>,
    ) -> Result<Draft, EnvelopeError> {
        let mut map = Map::new();
        if let Some(gate) = gate {
            map.insert("gate", gate.to_value());
        }
        map.insert("device", Value::from(&self.device[..]));
        map.insert("key", Value::from(&self.signed.public_key().0[..]));
        map.insert("pq", Value::from(self.pq.public.as_bytes()));
        map.insert(
            "onetime",
            Value::Array(
                self.onetime
                    .iter()
                    .map(|(p, _)| Value::from(&p.0[..]))
                    .collect(),
            ),
        );
        map.insert("expires", Value::from(expires));
        Draft::new(account, Kind::new(PREKEY_KIND)?, time, &map)
    }
}
