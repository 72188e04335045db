//! Sealed direct messages: end-to-end encrypted, across apps (`spec/08-direct-messages.md`).
//!
//! A direct message is an ordinary signed Skylark message of kind [`DM_KIND`] (`dm`), whose body
//! names its recipients. It is **sealed** separately to each recipient's X25519 encryption key: a
//! fresh ephemeral key per sealed copy, a BLAKE3 key derivation, and XChaCha20-Poly1305 over the
//! inner message padded to a fixed bucket. The sealed bytes show a relay a 2-byte mailbox tag
//! (derived from the recipient key), the ephemeral public key and one of five sizes — no sender, no
//! recipient account, no exact length, no time.
//!
//! Recipients publish short-lived keys as **prekeys** ([`PREKEY_KIND`], `prekey`), ordinary messages
//! that a delegated app key signs, so that apps rotate them without the account's root keys; the
//! account's `enckey` operation (`crate::account`) is the long-term fallback.
//!
//! ```text
//!  SignedMessage (kind "dm") ──seal(·, recipient key, rng)──► Sealed bytes ──relay──►
//!      open(bytes, my account, my secret keys, seen) ──► Opened (the verified inner message)
//!      then: authorize its header (06 §9) like any message, and show it
//! ```
//!
//! ```
//! use skylark::dm::{open, seal, DmBody, EncryptionSecret};
//! use skylark::id::AccountId;
//! use skylark::keys::SecretKey;
//! # use rand_core::{CryptoRng, RngCore};
//! # struct Counter(u8);
//! # impl RngCore for Counter {
//! #     fn next_u32(&mut self) -> u32 { self.next_u64() as u32 }
//! #     fn next_u64(&mut self) -> u64 { let mut b = [0; 8]; self.fill_bytes(&mut b); u64::from_le_bytes(b) }
//! #     fn fill_bytes(&mut self, d: &mut [u8]) { for x in d { self.0 = self.0.wrapping_add(1); *x = self.0; } }
//! #     fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), rand_core::Error> { self.fill_bytes(d); Ok(()) }
//! # }
//! # impl CryptoRng for Counter {}
//! # let mut rng = Counter(0); // in an app: rand_core::OsRng
//! let alice = AccountId::from_bytes([0xaa; 32]);
//! let bob = AccountId::from_bytes([0xbb; 32]);
//! let alice_app = SecretKey::from_seed([1; 32]);
//! let bob_prekey = EncryptionSecret::generate(&mut rng);
//!
//! // Alice writes a signed `dm` to Bob and seals it to Bob's prekey.
//! let inner = DmBody::new(&[bob], "hi Bob")?.draft(alice, 1_764_115_200_000)?.sign(&alice_app)?;
//! let sealed = seal(&inner, &bob_prekey.public_key(), &mut rng)?;
//! assert_eq!(sealed.as_bytes().len(), 563); // the smallest bucket: 512 bytes of padded plaintext
//!
//! // Bob opens it with the secret keys he still holds, and a view of what he has already opened.
//! let opened = open(sealed.as_bytes(), &bob, &[bob_prekey], |_| false)?;
//! assert_eq!(opened.message().id(), inner.id());
//! assert_eq!(opened.body().text(), "hi Bob");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{Tag, XChaCha20Poly1305, XNonce};
use curve25519_dalek::montgomery::MontgomeryPoint;
use rand_core::{CryptoRng, RngCore};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::cbor::{Map, Value};
use crate::envelope::{Draft, EnvelopeError, Kind, SignedMessage, MAX_SAFE_INTEGER};
use crate::id::{AccountId, MessageId};

/// The kind of a direct message's inner, signed message.
pub const DM_KIND: &str = "dm";
/// The kind of a prekey message: a short-lived encryption key signed by an app key.
pub const PREKEY_KIND: &str = "prekey";
/// The version byte of the sealed layout (DM-1).
pub const SEALED_VERSION: u8 = 1;
/// Length of the mailbox tag, in bytes.
pub const TAG_LEN: usize = 2;
/// Length of the sealed header (version, tag, ephemeral public key), which is the AEAD's
/// associated data.
pub const HEADER_LEN: usize = 1 + TAG_LEN + 32;
/// Length of the Poly1305 authentication tag.
pub const AEAD_TAG_LEN: usize = 16;
/// The sizes of a padded plaintext (DM-5): the inner message and its 4-byte length prefix are
/// padded with zero bytes to the smallest of these that holds them.
pub const BUCKETS: [usize; 5] = [512, 2048, 8192, 32768, 65536];
/// The largest inner message that can be sealed, in bytes: the largest bucket less the length prefix.
pub const MAX_INNER: usize = 65536 - 4;
/// The largest number of recipients a direct message may name (DM-7).
pub const MAX_RECIPIENTS: usize = 8;
/// The longest lifetime of a prekey, `expires − time`, in milliseconds: 30 days (DM-10).
pub const MAX_PREKEY_LIFETIME: u64 = 30 * 24 * 60 * 60 * 1000;
/// The BLAKE3 `derive_key` context of the mailbox tag.
pub const MAILBOX_CONTEXT: &str = "skylark v1 dm mailbox";
/// The BLAKE3 `derive_key` context of the AEAD key.
pub const KEY_CONTEXT: &str = "skylark v1 dm key";
/// The BLAKE3 `derive_key` context of the AEAD nonce.
pub const NONCE_CONTEXT: &str = "skylark v1 dm nonce";

/// Why a direct message could not be sealed or opened, or a prekey message is not one.
///
/// The codes are for the local caller only: a node MUST NOT tell the relay or the sender which
/// step failed (spec 08 §7).
///
/// ```
/// use skylark::dm::DmError;
/// assert_eq!((DmError::Tampered.code(), DmError::Tampered.rule()), ("dm.tampered", "DM-4"));
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DmError {
    /// The sealed bytes have none of the five sealed lengths.
    #[error("sealed message has a length that is not a sealed length")]
    Malformed,
    /// The first byte is not the sealed version 1.
    #[error("sealed message of an unsupported version")]
    UnsupportedVersion,
    /// No secret key held by the opener has the message's mailbox tag.
    #[error("no held key has this mailbox tag")]
    UnknownKey,
    /// An X25519 computation gave the all-zero output (a small-order public key).
    #[error("X25519 shared secret is all zero")]
    WeakKey,
    /// The ciphertext does not authenticate under any candidate key.
    #[error("ciphertext does not authenticate")]
    Tampered,
    /// The decrypted plaintext is not a length prefix, the message and zero bytes up to the
    /// smallest bucket.
    #[error("bad padding")]
    Padding,
    /// The inner message is not a valid signed message (04 §10); the envelope error says why.
    #[error("inner message: {0}")]
    InnerSignature(EnvelopeError),
    /// The inner message is not of kind `dm`, has no body, or its body breaks the `dm` schema.
    #[error("inner message is not a valid direct message")]
    InnerBody,
    /// The opener's account is neither a recipient named by the inner message nor its author.
    #[error("the opener is not a recipient of the inner message")]
    WrongRecipient,
    /// The inner message has been opened before.
    #[error("inner message already opened")]
    Replay,
    /// A prekey message of the wrong kind, without its body, or whose body breaks the prekey rules.
    #[error("not a valid prekey message")]
    Prekey,
    /// The inner message is longer than [`MAX_INNER`] bytes and cannot be sealed.
    #[error("inner message too large to seal")]
    TooLarge,
}

impl DmError {
    /// The stable error code.
    ///
    /// ```
    /// assert_eq!(skylark::dm::DmError::Replay.code(), "dm.replay");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed => "dm.malformed",
            Self::UnsupportedVersion => "dm.unsupported_version",
            Self::UnknownKey => "dm.unknown_key",
            Self::WeakKey => "dm.weak_key",
            Self::Tampered => "dm.tampered",
            Self::Padding => "dm.padding",
            Self::InnerSignature(_) => "dm.inner_signature",
            Self::InnerBody => "dm.inner_body",
            Self::WrongRecipient => "dm.wrong_recipient",
            Self::Replay => "dm.replay",
            Self::Prekey => "dm.prekey",
            Self::TooLarge => "dm.too_large",
        }
    }

    /// The ID of the spec rule this error enforces.
    ///
    /// ```
    /// assert_eq!(skylark::dm::DmError::WrongRecipient.rule(), "DM-8");
    /// ```
    pub fn rule(&self) -> &'static str {
        match self {
            Self::Malformed | Self::UnsupportedVersion => "DM-1",
            Self::UnknownKey => "DM-2",
            Self::WeakKey => "DM-3",
            Self::Tampered => "DM-4",
            Self::Padding => "DM-5",
            Self::InnerSignature(_) => "DM-6",
            Self::InnerBody => "DM-7",
            Self::WrongRecipient => "DM-8",
            Self::Replay => "DM-9",
            Self::Prekey => "DM-10",
            Self::TooLarge => "DM-11",
        }
    }
}

/// An X25519 public key to which messages are sealed: a prekey ([`Prekey::key`]) or the account's
/// encryption key (`crate::account::EncryptionKey`). Any 32 bytes; a small-order key is refused when
/// sealing ([`DmError::WeakKey`]).
///
/// ```
/// use skylark::dm::EncryptionPublic;
/// let key = EncryptionPublic::from_bytes([9; 32]);
/// assert_eq!(key.as_bytes(), &[9; 32]);
/// assert_eq!(key.mailbox_tag().len(), 2);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EncryptionPublic([u8; 32]);

impl EncryptionPublic {
    /// The key with these bytes.
    ///
    /// ```
    /// # use skylark::dm::EncryptionPublic;
    /// let key = EncryptionPublic::from_bytes([9; 32]);
    /// assert_eq!(key, EncryptionPublic::from_bytes([9; 32]));
    /// assert_ne!(key, EncryptionPublic::from_bytes([8; 32]));
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

    /// The mailbox tag of messages sealed to this key: the first two bytes of
    /// `H("skylark v1 dm mailbox", key)`.
    ///
    /// ```
    /// # use skylark::dm::EncryptionPublic;
    /// let a = EncryptionPublic::from_bytes([1; 32]).mailbox_tag();
    /// let b = EncryptionPublic::from_bytes([2; 32]).mailbox_tag();
    /// assert_ne!(a, b);
    /// ```
    pub fn mailbox_tag(&self) -> [u8; TAG_LEN] {
        let h = blake3::derive_key(MAILBOX_CONTEXT, &self.0);
        [h[0], h[1]]
    }
}

impl From<&crate::account::EncryptionKey> for EncryptionPublic {
    fn from(key: &crate::account::EncryptionKey) -> Self {
        EncryptionPublic(*key.key())
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
/// let again = EncryptionSecret::from_bytes([7; 32]);
/// assert_eq!(secret.public_key(), again.public_key());
/// ```
#[derive(Clone)]
pub struct EncryptionSecret {
    secret: [u8; 32],
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
    /// let secret = EncryptionSecret::from_bytes([7; 32]);
    /// assert_eq!(secret.to_bytes(), [7; 32]);
    /// assert_ne!(secret.public_key(), EncryptionSecret::from_bytes([8; 32]).public_key());
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
}

impl fmt::Debug for EncryptionSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EncryptionSecret(..)")
    }
}

/// The body of a direct message (kind `dm`): the recipients and the text (DM-7).
///
/// ```
/// use skylark::dm::DmBody;
/// use skylark::id::AccountId;
/// let body = DmBody::new(&[AccountId::from_bytes([2; 32]), AccountId::from_bytes([1; 32])], "hi")?;
/// // Recipients are kept in ascending byte order.
/// assert_eq!(body.to()[0], AccountId::from_bytes([1; 32]));
/// assert_eq!(body.text(), "hi");
/// # Ok::<(), skylark::dm::DmError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DmBody {
    to: Vec<AccountId>,
    text: String,
    map: Map,
}

impl DmBody {
    /// A body naming `to` (1 to [`MAX_RECIPIENTS`] distinct accounts, in any order) with `text`.
    ///
    /// # Errors
    ///
    /// [`DmError::InnerBody`] for no recipient, more than [`MAX_RECIPIENTS`], or one named twice.
    ///
    /// ```
    /// # use skylark::dm::DmBody;
    /// assert_eq!(DmBody::new(&[], "hi").unwrap_err().code(), "dm.inner_body");
    /// ```
    pub fn new(to: &[AccountId], text: &str) -> Result<Self, DmError> {
        let mut to = to.to_vec();
        to.sort();
        let mut map = Map::new();
        map.insert(
            "to",
            Value::Array(to.iter().map(|a| Value::from(&a.as_bytes()[..])).collect()),
        );
        map.insert("text", Value::from(text));
        Self::parse(&map)
    }

    /// The recipients, in ascending byte order.
    ///
    /// ```
    /// # use skylark::dm::DmBody;
    /// # use skylark::id::AccountId;
    /// let [a, b] = [[1; 32], [2; 32]].map(AccountId::from_bytes);
    /// assert_eq!(DmBody::new(&[b, a], "hi")?.to(), &[a, b]);
    /// # Ok::<(), skylark::dm::DmError>(())
    /// ```
    pub fn to(&self) -> &[AccountId] {
        &self.to
    }

    /// The text.
    ///
    /// ```
    /// # use skylark::dm::DmBody;
    /// # use skylark::id::AccountId;
    /// let body = DmBody::new(&[AccountId::from_bytes([1; 32])], "héllo 👋")?;
    /// assert_eq!(body.text(), "héllo 👋");
    /// # Ok::<(), skylark::dm::DmError>(())
    /// ```
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The body map, including any namespaced keys (with a `.`) the sender added.
    ///
    /// ```
    /// # use skylark::dm::DmBody;
    /// # use skylark::id::AccountId;
    /// let body = DmBody::new(&[AccountId::from_bytes([1; 32])], "hi")?;
    /// assert_eq!(body.map().len(), 2);
    /// # Ok::<(), skylark::dm::DmError>(())
    /// ```
    pub fn map(&self) -> &Map {
        &self.map
    }

    /// The draft of the `dm` message by `account` at `time`, to place in the key's history and sign.
    ///
    /// # Errors
    ///
    /// As [`Draft::new`].
    ///
    /// ```
    /// # use skylark::dm::DmBody;
    /// # use skylark::id::AccountId;
    /// let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let msg = DmBody::new(&[AccountId::from_bytes([2; 32])], "hi")?
    ///     .draft(AccountId::from_bytes([1; 32]), 5)?.sign(&key)?;
    /// assert_eq!(msg.header().kind().as_str(), "dm");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn draft(&self, account: AccountId, time: u64) -> Result<Draft, EnvelopeError> {
        Draft::new(account, Kind::new(DM_KIND)?, time, &self.map)
    }

    /// The `dm` body rules (DM-7): keys `to` and `text` required, no other key without a `.`;
    /// `to` an array of 1 to 8 byte strings of 32 bytes in strictly ascending byte order; `text` a
    /// text string.
    fn parse(map: &Map) -> Result<Self, DmError> {
        let [to, text] = body_fields(map, ["to", "text"]).ok_or(DmError::InnerBody)?;
        let (Some(Value::Array(list)), Some(Value::Text(text))) = (to, text) else {
            return Err(DmError::InnerBody);
        };
        if list.is_empty() || list.len() > MAX_RECIPIENTS {
            return Err(DmError::InnerBody);
        }
        let mut accounts: Vec<AccountId> = Vec::with_capacity(list.len());
        for item in list {
            let Value::Bytes(b) = item else {
                return Err(DmError::InnerBody);
            };
            let bytes: [u8; 32] = b.as_slice().try_into().map_err(|_| DmError::InnerBody)?;
            let account = AccountId::from_bytes(bytes);
            if accounts.last().is_some_and(|last| *last >= account) {
                return Err(DmError::InnerBody);
            }
            accounts.push(account);
        }
        Ok(DmBody {
            to: accounts,
            text: text.clone(),
            map: map.clone(),
        })
    }

    /// The body of a `dm` message (DM-7).
    fn of_message(message: &SignedMessage) -> Result<Self, DmError> {
        if message.header().kind().as_str() != DM_KIND {
            return Err(DmError::InnerBody);
        }
        let map = message.body_map().ok_or(DmError::InnerBody)?;
        Self::parse(&map)
    }
}

/// A prekey: a short-lived X25519 key published in a `prekey` message, signed by an app key of the
/// account (DM-10). Whether that key may sign for the account is authorization (06 §9), checked like
/// for any message before a sender uses the prekey.
///
/// ```
/// use skylark::dm::{EncryptionSecret, Prekey};
/// use skylark::id::AccountId;
/// let app = skylark::keys::SecretKey::from_seed([3; 32]);
/// let secret = EncryptionSecret::from_bytes([4; 32]);
/// let bob = AccountId::from_bytes([0xbb; 32]);
/// let msg = Prekey::draft(bob, &secret.public_key(), 1_000, 1_000 + 7 * 86_400_000)?.sign(&app)?;
///
/// let prekey = Prekey::from_message(&msg)?;
/// assert_eq!(prekey.key(), secret.public_key());
/// assert_eq!(prekey.account(), &bob);
/// assert!(prekey.is_current(2_000));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prekey {
    key: EncryptionPublic,
    expires: u64,
    time: u64,
    account: AccountId,
    id: MessageId,
}

impl Prekey {
    /// The draft of a `prekey` message publishing `key` for `account` at `time`, valid until
    /// `expires` (inclusive).
    ///
    /// The prekey rules (DM-10) are checked when a prekey is read, by [`Prekey::from_message`].
    ///
    /// # Errors
    ///
    /// As [`Draft::new`].
    ///
    /// ```
    /// # use skylark::dm::{EncryptionPublic, Prekey};
    /// let draft = Prekey::draft(skylark::id::AccountId::from_bytes([1; 32]),
    ///     &EncryptionPublic::from_bytes([9; 32]), 0, 10)?;
    /// # let _ = draft;
    /// # Ok::<(), skylark::envelope::EnvelopeError>(())
    /// ```
    pub fn draft(
        account: AccountId,
        key: &EncryptionPublic,
        time: u64,
        expires: u64,
    ) -> Result<Draft, EnvelopeError> {
        let mut map = Map::new();
        map.insert("key", Value::from(&key.as_bytes()[..]));
        map.insert("expires", Value::from(expires));
        Draft::new(account, Kind::new(PREKEY_KIND)?, time, &map)
    }

    /// The prekey a message publishes.
    ///
    /// # Errors
    ///
    /// [`DmError::Prekey`] if the kind is not `prekey`, the body is absent, or it breaks DM-10: keys
    /// `key` and `expires` required, no other key without a `.`; `key` 32 bytes; `expires` an
    /// unsigned integer with `time < expires ≤ time + 30 days` (and at most 2^53−1).
    ///
    /// ```
    /// # use skylark::dm::{EncryptionPublic, Prekey};
    /// # use skylark::id::AccountId;
    /// let app = skylark::keys::SecretKey::from_seed([3; 32]);
    /// let msg = Prekey::draft(AccountId::from_bytes([1; 32]), &EncryptionPublic::from_bytes([9; 32]), 10, 10)?
    ///     .sign(&app)?;
    /// assert_eq!(Prekey::from_message(&msg).unwrap_err().code(), "dm.prekey");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_message(message: &SignedMessage) -> Result<Self, DmError> {
        let header = message.header();
        if header.kind().as_str() != PREKEY_KIND {
            return Err(DmError::Prekey);
        }
        let map = message.body_map().ok_or(DmError::Prekey)?;
        let [key, expires] = body_fields(&map, ["key", "expires"]).ok_or(DmError::Prekey)?;
        let (Some(Value::Bytes(key)), Some(&Value::Unsigned(expires))) = (key, expires) else {
            return Err(DmError::Prekey);
        };
        let key: [u8; 32] = key.as_slice().try_into().map_err(|_| DmError::Prekey)?;
        let time = header.time();
        if expires > MAX_SAFE_INTEGER || expires <= time || expires - time > MAX_PREKEY_LIFETIME {
            return Err(DmError::Prekey);
        }
        Ok(Prekey {
            key: EncryptionPublic(key),
            expires,
            time,
            account: *header.account(),
            id: message.id(),
        })
    }

    /// The X25519 public key.
    ///
    /// ```
    /// # use skylark::dm::{EncryptionSecret, Prekey};
    /// # let app = skylark::keys::SecretKey::from_seed([3; 32]);
    /// let public = EncryptionSecret::from_bytes([4; 32]).public_key();
    /// let msg = Prekey::draft(skylark::id::AccountId::from_bytes([1; 32]), &public, 10, 99)?.sign(&app)?;
    /// assert_eq!(Prekey::from_message(&msg)?.key(), public);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn key(&self) -> EncryptionPublic {
        self.key
    }

    /// The last time (milliseconds) at which a sender may seal to this prekey.
    ///
    /// ```
    /// # use skylark::dm::{EncryptionPublic, Prekey};
    /// # let app = skylark::keys::SecretKey::from_seed([3; 32]);
    /// # let msg = Prekey::draft(skylark::id::AccountId::from_bytes([1; 32]), &EncryptionPublic::from_bytes([9; 32]), 10, 99)?.sign(&app)?;
    /// assert_eq!(Prekey::from_message(&msg)?.expires(), 99);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn expires(&self) -> u64 {
        self.expires
    }

    /// The account the prekey belongs to (the header's `acct`).
    ///
    /// ```
    /// # use skylark::dm::{EncryptionPublic, Prekey};
    /// # let app = skylark::keys::SecretKey::from_seed([3; 32]);
    /// let bob = skylark::id::AccountId::from_bytes([0xbb; 32]);
    /// let msg = Prekey::draft(bob, &EncryptionPublic::from_bytes([9; 32]), 10, 99)?.sign(&app)?;
    /// assert_eq!(Prekey::from_message(&msg)?.account(), &bob);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn account(&self) -> &AccountId {
        &self.account
    }

    /// The id of the prekey message.
    ///
    /// ```
    /// # use skylark::dm::{EncryptionPublic, Prekey};
    /// # let app = skylark::keys::SecretKey::from_seed([3; 32]);
    /// # let msg = Prekey::draft(skylark::id::AccountId::from_bytes([1; 32]), &EncryptionPublic::from_bytes([9; 32]), 10, 99)?.sign(&app)?;
    /// assert_eq!(Prekey::from_message(&msg)?.id(), msg.id());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn id(&self) -> MessageId {
        self.id
    }

    /// Whether a sender may seal to this prekey at `now`: `time ≤ now ≤ expires`.
    ///
    /// ```
    /// # use skylark::dm::{EncryptionPublic, Prekey};
    /// # let app = skylark::keys::SecretKey::from_seed([3; 32]);
    /// # let msg = Prekey::draft(skylark::id::AccountId::from_bytes([1; 32]), &EncryptionPublic::from_bytes([9; 32]), 10, 99)?.sign(&app)?;
    /// let prekey = Prekey::from_message(&msg)?; // time 10, expires 99
    /// assert!(!prekey.is_current(9));
    /// assert!(prekey.is_current(10) && prekey.is_current(99));
    /// assert!(!prekey.is_current(100));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_current(&self, now: u64) -> bool {
        self.time <= now && now <= self.expires
    }

    /// The prekey a sender uses among an account's authorized prekeys (spec 08 §3.3): of those current at
    /// `now`, the one with the latest header time, ties broken by the greater message id.
    ///
    /// ```
    /// # use skylark::dm::{EncryptionPublic, Prekey};
    /// # let app = skylark::keys::SecretKey::from_seed([3; 32]);
    /// # let acct = skylark::id::AccountId::from_bytes([1; 32]);
    /// let old = Prekey::from_message(&Prekey::draft(acct, &EncryptionPublic::from_bytes([1; 32]), 10, 1_000)?.sign(&app)?)?;
    /// let new = Prekey::from_message(&Prekey::draft(acct, &EncryptionPublic::from_bytes([2; 32]), 20, 1_000)?.sign(&app)?)?;
    /// assert_eq!(Prekey::choose([&old, &new], 30), Some(&new));
    /// assert_eq!(Prekey::choose([&old, &new], 2_000), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn choose<'a>(
        prekeys: impl IntoIterator<Item = &'a Prekey>,
        now: u64,
    ) -> Option<&'a Prekey> {
        prekeys
            .into_iter()
            .filter(|p| p.is_current(now))
            .max_by_key(|p| (p.time, p.id))
    }
}

/// Sealed bytes: one copy of a direct message for one recipient key.
///
/// ```
/// # use skylark::dm::{seal, DmBody, EncryptionSecret, HEADER_LEN};
/// # use skylark::id::AccountId;
/// # use rand_core::{RngCore, CryptoRng};
/// # struct Fixed; impl RngCore for Fixed { fn next_u32(&mut self) -> u32 { 7 } fn next_u64(&mut self) -> u64 { 7 }
/// #   fn fill_bytes(&mut self, d: &mut [u8]) { d.fill(7) } fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), rand_core::Error> { d.fill(7); Ok(()) } }
/// # impl CryptoRng for Fixed {}
/// let bob = AccountId::from_bytes([0xbb; 32]);
/// let key = EncryptionSecret::from_bytes([5; 32]).public_key();
/// let inner = DmBody::new(&[bob], "hi")?.draft(AccountId::from_bytes([0xaa; 32]), 0)?
///     .sign(&skylark::keys::SecretKey::from_seed([1; 32]))?;
/// let sealed = seal(&inner, &key, &mut Fixed)?;
/// assert_eq!(sealed.mailbox_tag(), key.mailbox_tag());
/// assert_eq!(sealed.as_bytes()[0], 1);
/// assert_eq!(sealed.as_bytes().len(), HEADER_LEN + 512 + 16);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed(Vec<u8>);

impl Sealed {
    /// The sealed bytes, to hand to a relay.
    ///
    /// ```
    /// # use skylark::dm::{seal_deterministic, DmBody, EncryptionSecret, AEAD_TAG_LEN, HEADER_LEN};
    /// # use skylark::id::AccountId;
    /// # let inner = DmBody::new(&[AccountId::from_bytes([2; 32])], "hi")?.draft(AccountId::from_bytes([1; 32]), 0)?
    /// #     .sign(&skylark::keys::SecretKey::from_seed([1; 32]))?;
    /// let sealed = seal_deterministic(&inner, &EncryptionSecret::from_bytes([2; 32]).public_key(), &[3; 32])?;
    /// assert_eq!(sealed.as_bytes()[0], 1); // the version
    /// assert_eq!(sealed.as_bytes().len(), HEADER_LEN + 512 + AEAD_TAG_LEN);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The mailbox tag, by which a relay files the message.
    ///
    /// ```
    /// # use skylark::dm::{seal_deterministic, DmBody, EncryptionSecret};
    /// # use skylark::id::AccountId;
    /// # let inner = DmBody::new(&[AccountId::from_bytes([2; 32])], "hi")?.draft(AccountId::from_bytes([1; 32]), 0)?
    /// #     .sign(&skylark::keys::SecretKey::from_seed([1; 32]))?;
    /// let key = EncryptionSecret::from_bytes([2; 32]).public_key();
    /// let sealed = seal_deterministic(&inner, &key, &[3; 32])?;
    /// assert_eq!(sealed.mailbox_tag(), key.mailbox_tag());
    /// assert_eq!(sealed.mailbox_tag(), sealed.as_bytes()[1..3]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn mailbox_tag(&self) -> [u8; TAG_LEN] {
        [self.0[1], self.0[2]]
    }

    /// The sealed bytes, owned.
    ///
    /// ```
    /// # use skylark::dm::{seal_deterministic, DmBody, EncryptionSecret};
    /// # use skylark::id::AccountId;
    /// # let inner = DmBody::new(&[AccountId::from_bytes([2; 32])], "hi")?.draft(AccountId::from_bytes([1; 32]), 0)?
    /// #     .sign(&skylark::keys::SecretKey::from_seed([1; 32]))?;
    /// let sealed = seal_deterministic(&inner, &EncryptionSecret::from_bytes([2; 32]).public_key(), &[3; 32])?;
    /// let bytes: Vec<u8> = sealed.clone().into_bytes();
    /// assert_eq!(bytes, sealed.as_bytes());
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

/// The smallest bucket that holds `n` bytes of length prefix and message.
fn bucket(n: usize) -> Option<usize> {
    BUCKETS.iter().copied().find(|&b| b >= n)
}

/// The AEAD key and nonce of DM-4: BLAKE3 `derive_key` over `shared || E || R`.
fn derive(shared: &[u8; 32], ephemeral: &[u8; 32], recipient: &[u8; 32]) -> ([u8; 32], [u8; 24]) {
    let mut ikm = [0u8; 96];
    ikm[..32].copy_from_slice(shared);
    ikm[32..64].copy_from_slice(ephemeral);
    ikm[64..].copy_from_slice(recipient);
    let key = blake3::derive_key(KEY_CONTEXT, &ikm);
    let n = blake3::derive_key(NONCE_CONTEXT, &ikm);
    ikm.zeroize();
    let mut nonce = [0u8; 24];
    nonce.copy_from_slice(&n[..24]);
    (key, nonce)
}

/// Whether 32 bytes are all zero, in time independent of their value.
/// The values of `names` in a body map (each absent or present), or `None` if the map has another
/// key without a `"."`: namespaced keys are kept and ignored, as in every body (05 §3.2).
fn body_fields<'m, const N: usize>(
    map: &'m Map,
    names: [&str; N],
) -> Option<[Option<&'m Value>; N]> {
    let mut found = [None; N];
    for (key, value) in map.iter() {
        match names.iter().position(|name| *name == key) {
            Some(i) => found[i] = Some(value),
            None if key.contains('.') => {}
            None => return None,
        }
    }
    Some(found)
}

fn is_zero(bytes: &[u8; 32]) -> bool {
    bytes.iter().fold(0u8, |acc, b| acc | b) == 0
}

/// Seals a signed `dm` message to one recipient key, with a fresh ephemeral key from `rng`.
///
/// To send to a group, seal the same inner message to each recipient's key (and, for the sender's
/// other devices, to the sender's own key): [`seal_all`].
///
/// # Errors
///
/// [`DmError::InnerBody`] if `inner` is not a `dm` message with a valid body (a sealed message
/// must open); [`DmError::TooLarge`] if it is longer than [`MAX_INNER`] bytes;
/// [`DmError::WeakKey`] if the recipient key is of small order (the shared secret is all zero).
///
/// ```
/// # use skylark::dm::{seal, EncryptionPublic};
/// # use skylark::message::BodyKind;
/// # use rand_core::{RngCore, CryptoRng};
/// # struct Fixed; impl RngCore for Fixed { fn next_u32(&mut self) -> u32 { 7 } fn next_u64(&mut self) -> u64 { 7 }
/// #   fn fill_bytes(&mut self, d: &mut [u8]) { d.fill(7) } fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), rand_core::Error> { d.fill(7); Ok(()) } }
/// # impl CryptoRng for Fixed {}
/// let key = skylark::keys::SecretKey::from_seed([1; 32]);
/// let post = skylark::message::Post::builder().text("public").build()?
///     .draft(skylark::id::AccountId::from_bytes([1; 32]), 0)?.sign(&key)?;
/// // Only direct messages are sealed.
/// assert_eq!(seal(&post, &EncryptionPublic::from_bytes([9; 32]), &mut Fixed).unwrap_err().code(), "dm.inner_body");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn seal<R: RngCore + CryptoRng>(
    inner: &SignedMessage,
    recipient: &EncryptionPublic,
    rng: &mut R,
) -> Result<Sealed, DmError> {
    DmBody::of_message(inner)?;
    let mut ephemeral = [0u8; 32];
    rng.fill_bytes(&mut ephemeral);
    let sealed = seal_with(inner.as_bytes(), recipient, &ephemeral);
    ephemeral.zeroize();
    sealed
}

/// [`seal`] to each key in `recipients`, one sealed copy each, in the same order.
///
/// # Errors
///
/// As [`seal`], for the first key that fails.
///
/// ```
/// # use skylark::dm::{seal_all, DmBody, EncryptionSecret};
/// # use skylark::id::AccountId;
/// # use rand_core::{RngCore, CryptoRng};
/// # struct Fixed(u8); impl RngCore for Fixed { fn next_u32(&mut self) -> u32 { 7 } fn next_u64(&mut self) -> u64 { 7 }
/// #   fn fill_bytes(&mut self, d: &mut [u8]) { self.0 += 1; d.fill(self.0) } fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), rand_core::Error> { self.fill_bytes(d); Ok(()) } }
/// # impl CryptoRng for Fixed {}
/// let (b, c) = (AccountId::from_bytes([2; 32]), AccountId::from_bytes([3; 32]));
/// let keys = [EncryptionSecret::from_bytes([2; 32]).public_key(), EncryptionSecret::from_bytes([3; 32]).public_key()];
/// let inner = DmBody::new(&[b, c], "to both")?.draft(AccountId::from_bytes([1; 32]), 0)?
///     .sign(&skylark::keys::SecretKey::from_seed([1; 32]))?;
/// let copies = seal_all(&inner, &keys, &mut Fixed(0))?;
/// assert_eq!(copies.len(), 2);
/// assert_ne!(copies[0], copies[1]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn seal_all<R: RngCore + CryptoRng>(
    inner: &SignedMessage,
    recipients: &[EncryptionPublic],
    rng: &mut R,
) -> Result<Vec<Sealed>, DmError> {
    recipients.iter().map(|r| seal(inner, r, rng)).collect()
}

/// The deterministic core of sealing: `inner` bytes to `recipient` with ephemeral secret
/// `ephemeral`.
fn seal_with(
    inner: &[u8],
    recipient: &EncryptionPublic,
    ephemeral: &[u8; 32],
) -> Result<Sealed, DmError> {
    if inner.len() > MAX_INNER {
        return Err(DmError::TooLarge);
    }
    let padded_len = bucket(inner.len() + 4).ok_or(DmError::TooLarge)?;
    let e_pub = MontgomeryPoint::mul_base_clamped(*ephemeral).to_bytes();
    let mut shared = MontgomeryPoint(recipient.0)
        .mul_clamped(*ephemeral)
        .to_bytes();
    if is_zero(&shared) {
        return Err(DmError::WeakKey);
    }
    let (mut key, nonce) = derive(&shared, &e_pub, &recipient.0);
    shared.zeroize();

    let mut out = Vec::with_capacity(HEADER_LEN + padded_len + AEAD_TAG_LEN);
    out.push(SEALED_VERSION);
    out.extend_from_slice(&recipient.mailbox_tag());
    out.extend_from_slice(&e_pub);
    let len = u32::try_from(inner.len()).map_err(|_| DmError::TooLarge)?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(inner);
    out.resize(HEADER_LEN + padded_len, 0);

    let cipher = XChaCha20Poly1305::new(&key.into());
    key.zeroize();
    let (aad, plaintext) = out.split_at_mut(HEADER_LEN);
    let tag = cipher
        .encrypt_in_place_detached(XNonce::from_slice(&nonce), aad, plaintext)
        .map_err(|_| DmError::TooLarge)?;
    out.extend_from_slice(&tag);
    Ok(Sealed(out))
}

/// A direct message opened by one of its recipients: the inner message verified as a signed message
/// (04 §10) with a valid `dm` body that names the opener, not seen before.
///
/// The opener still checks, as for any message, that the inner message's key may sign for its
/// account (06 §9, e.g. [`crate::account::Accounts::authorize`]) and that its time is not in the
/// future (05 MSG-2), before showing it (spec 08 §6 step 10).
///
/// ```
/// use skylark::dm::{open, seal_deterministic, DmBody, EncryptionSecret, Opened};
/// use skylark::id::AccountId;
/// let [alice, bob] = [[1; 32], [2; 32]].map(AccountId::from_bytes);
/// let inner = DmBody::new(&[bob], "hi")?.draft(alice, 0)?
///     .sign(&skylark::keys::SecretKey::from_seed([1; 32]))?;
/// // Alice also seals a copy to her own key, for her other devices: the author may open it.
/// let alice_key = EncryptionSecret::from_bytes([1; 32]);
/// let sealed = seal_deterministic(&inner, &alice_key.public_key(), &[3; 32])?;
/// let opened: Opened = open(sealed.as_bytes(), &alice, &[alice_key], |_| false)?;
/// assert_eq!(opened.body().to(), &[bob]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// See [`open`] for the errors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opened {
    message: SignedMessage,
    body: DmBody,
}

impl Opened {
    /// The inner signed message.
    ///
    /// ```
    /// # use skylark::dm::{open, seal_deterministic, DmBody, EncryptionSecret};
    /// # use skylark::id::AccountId;
    /// # let [alice, bob] = [[1; 32], [2; 32]].map(AccountId::from_bytes);
    /// # let inner = DmBody::new(&[bob], "hi")?.draft(alice, 0)?.sign(&skylark::keys::SecretKey::from_seed([1; 32]))?;
    /// # let key = EncryptionSecret::from_bytes([2; 32]);
    /// # let sealed = seal_deterministic(&inner, &key.public_key(), &[3; 32])?;
    /// let opened = open(sealed.as_bytes(), &bob, &[key], |_| false)?;
    /// assert_eq!(opened.message(), &inner);
    /// assert_eq!(opened.message().header().account(), &alice);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn message(&self) -> &SignedMessage {
        &self.message
    }

    /// The inner message's body.
    ///
    /// ```
    /// # use skylark::dm::{open, seal_deterministic, DmBody, EncryptionSecret};
    /// # use skylark::id::AccountId;
    /// # let [alice, bob] = [[1; 32], [2; 32]].map(AccountId::from_bytes);
    /// # let inner = DmBody::new(&[bob], "hi")?.draft(alice, 0)?.sign(&skylark::keys::SecretKey::from_seed([1; 32]))?;
    /// # let key = EncryptionSecret::from_bytes([2; 32]);
    /// # let sealed = seal_deterministic(&inner, &key.public_key(), &[3; 32])?;
    /// let opened = open(sealed.as_bytes(), &bob, &[key], |_| false)?;
    /// assert_eq!(opened.body(), &DmBody::new(&[bob], "hi")?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn body(&self) -> &DmBody {
        &self.body
    }

    /// The inner message and its body.
    ///
    /// ```
    /// # use skylark::dm::{open, seal_deterministic, DmBody, EncryptionSecret};
    /// # use skylark::id::AccountId;
    /// let bob = AccountId::from_bytes([2; 32]);
    /// let inner = DmBody::new(&[bob], "hi")?.draft(AccountId::from_bytes([1; 32]), 0)?
    ///     .sign(&skylark::keys::SecretKey::from_seed([1; 32]))?;
    /// let key = EncryptionSecret::from_bytes([2; 32]);
    /// let sealed = seal_deterministic(&inner, &key.public_key(), &[3; 32])?;
    /// let (message, body) = open(sealed.as_bytes(), &bob, &[key], |_| false)?.into_parts();
    /// assert_eq!((message.id(), body.text()), (inner.id(), "hi"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn into_parts(self) -> (SignedMessage, DmBody) {
        (self.message, self.body)
    }
}

/// Opens sealed bytes received for account `me`, with the secret keys it holds (current and
/// not-yet-deleted prekeys, and the account's encryption key), and `seen`, which says whether an
/// inner message id has been opened before.
///
/// The checks run in the order of spec 08 §6 (DM-1 to DM-9); the first failure decides.
///
/// # Errors
///
/// One [`DmError`] per cause: `dm.unsupported_version`, `dm.malformed`, `dm.unknown_key`,
/// `dm.weak_key`, `dm.tampered`, `dm.padding`, `dm.inner_signature`, `dm.inner_body`,
/// `dm.wrong_recipient`, `dm.replay`. They are for the local caller: a node MUST NOT send them, or
/// anything that depends on them, to the relay or the sender.
///
/// ```
/// use skylark::dm::{open, seal, DmBody, EncryptionSecret};
/// use skylark::id::AccountId;
/// # use rand_core::{RngCore, CryptoRng};
/// # struct Fixed; impl RngCore for Fixed { fn next_u32(&mut self) -> u32 { 7 } fn next_u64(&mut self) -> u64 { 7 }
/// #   fn fill_bytes(&mut self, d: &mut [u8]) { d.fill(7) } fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), rand_core::Error> { d.fill(7); Ok(()) } }
/// # impl CryptoRng for Fixed {}
/// let [alice, bob, carol] = [[0xaa; 32], [0xbb; 32], [0xcc; 32]].map(AccountId::from_bytes);
/// let bob_key = EncryptionSecret::from_bytes([5; 32]);
/// let carol_key = EncryptionSecret::from_bytes([6; 32]);
/// let inner = DmBody::new(&[bob], "for Bob only")?.draft(alice, 0)?
///     .sign(&skylark::keys::SecretKey::from_seed([1; 32]))?;
///
/// let sealed = seal(&inner, &bob_key.public_key(), &mut Fixed)?;
/// let opened = open(sealed.as_bytes(), &bob, &[bob_key.clone()], |_| false)?;
/// assert_eq!(opened.body().text(), "for Bob only");
/// // Opened again: a replay.
/// let seen = |id: &skylark::id::MessageId| *id == inner.id();
/// assert_eq!(open(sealed.as_bytes(), &bob, &[bob_key], seen).unwrap_err().code(), "dm.replay");
/// // Bob re-seals Alice's message to Carol: she sees that it was not sent to her.
/// let resealed = seal(&inner, &carol_key.public_key(), &mut Fixed)?;
/// let err = open(resealed.as_bytes(), &carol, &[carol_key], |_| false).unwrap_err();
/// assert_eq!(err.code(), "dm.wrong_recipient");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn open(
    sealed: &[u8],
    me: &AccountId,
    keys: &[EncryptionSecret],
    seen: impl Fn(&MessageId) -> bool,
) -> Result<Opened, DmError> {
    // DM-1: version, then one of the sealed lengths.
    match sealed.first() {
        None => return Err(DmError::Malformed),
        Some(&SEALED_VERSION) => {}
        Some(_) => return Err(DmError::UnsupportedVersion),
    }
    let Some(padded_len) = sealed
        .len()
        .checked_sub(HEADER_LEN + AEAD_TAG_LEN)
        .filter(|n| BUCKETS.contains(n))
    else {
        return Err(DmError::Malformed);
    };
    let (aad, rest) = sealed.split_at(HEADER_LEN);
    let tag = [aad[1], aad[2]];
    let mut e_pub = [0u8; 32];
    e_pub.copy_from_slice(&aad[3..]);
    let (ciphertext, auth) = rest.split_at(padded_len);

    // DM-2: the candidate keys, in the order given.
    let mut candidates = keys
        .iter()
        .map(|k| (k, k.public_key()))
        .filter(|(_, p)| p.mailbox_tag() == tag)
        .peekable();
    if candidates.peek().is_none() {
        return Err(DmError::UnknownKey);
    }

    // DM-3, DM-4: the first candidate under which the ciphertext authenticates.
    let mut plaintext = None;
    for (secret, public) in candidates {
        let mut shared = MontgomeryPoint(e_pub).mul_clamped(secret.secret).to_bytes();
        if is_zero(&shared) {
            return Err(DmError::WeakKey);
        }
        let (mut key, nonce) = derive(&shared, &e_pub, &public.0);
        shared.zeroize();
        let cipher = XChaCha20Poly1305::new(&key.into());
        key.zeroize();
        let mut buffer = ciphertext.to_vec();
        if cipher
            .decrypt_in_place_detached(
                XNonce::from_slice(&nonce),
                aad,
                &mut buffer,
                Tag::from_slice(auth),
            )
            .is_ok()
        {
            plaintext = Some(buffer);
            break;
        }
    }
    let Some(plaintext) = plaintext else {
        return Err(DmError::Tampered);
    };

    // DM-5: the length prefix, the smallest bucket, zero padding.
    let inner = unpad(&plaintext).ok_or(DmError::Padding)?;

    // DM-6: the inner message verifies.
    let message = SignedMessage::from_bytes(inner).map_err(DmError::InnerSignature)?;
    // DM-7: a `dm` with a valid body.
    let body = DmBody::of_message(&message)?;
    // DM-8: sent to the opener (or the opener's own copy).
    if message.header().account() != me && !body.to.contains(me) {
        return Err(DmError::WrongRecipient);
    }
    // DM-9: not opened before.
    if seen(&message.id()) {
        return Err(DmError::Replay);
    }
    Ok(Opened { message, body })
}

/// The inner message of a padded plaintext (DM-5), or `None`; the padding is checked in time that
/// depends only on the plaintext's length.
fn unpad(plaintext: &[u8]) -> Option<&[u8]> {
    let (prefix, rest) = plaintext.split_at_checked(4)?;
    let len = usize::try_from(u32::from_be_bytes(prefix.try_into().ok()?)).ok()?;
    if len > rest.len() || bucket(len + 4) != Some(plaintext.len()) {
        return None;
    }
    let (inner, padding) = rest.split_at(len);
    if padding.iter().fold(0u8, |acc, b| acc | b) != 0 {
        return None;
    }
    Some(inner)
}

/// Sealing with a given ephemeral secret instead of a random one, for test vectors and other
/// implementations' cross-checks. An application uses [`seal`]: reusing an ephemeral secret for two
/// messages to the same key reuses the AEAD key and nonce.
///
/// # Errors
///
/// As [`seal`].
///
/// ```
/// # use skylark::dm::{seal_deterministic, DmBody, EncryptionSecret};
/// # use skylark::id::AccountId;
/// let inner = DmBody::new(&[AccountId::from_bytes([2; 32])], "hi")?.draft(AccountId::from_bytes([1; 32]), 0)?
///     .sign(&skylark::keys::SecretKey::from_seed([1; 32]))?;
/// let key = EncryptionSecret::from_bytes([2; 32]).public_key();
/// assert_eq!(seal_deterministic(&inner, &key, &[3; 32])?, seal_deterministic(&inner, &key, &[3; 32])?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn seal_deterministic(
    inner: &SignedMessage,
    recipient: &EncryptionPublic,
    ephemeral: &[u8; 32],
) -> Result<Sealed, DmError> {
    DmBody::of_message(inner)?;
    seal_with(inner.as_bytes(), recipient, ephemeral)
}
