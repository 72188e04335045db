//! Sealed direct messages: end-to-end encrypted, across apps, to every device
//! (`spec/08-direct-messages.md`).
//!
//! A direct message is an [`Inner`] message: the sender's account, its DM key, a time, the
//! recipients and the text, signed under its own signature context (`skylark v1 direct message`),
//! with no place in any public history. It is never a public message (DM-14). It is **sealed**
//! separately to each current device of each recipient (and to the sender's other devices) with a
//! hybrid KEM — X25519 with the device's signed prekey, X25519 with a one-time prekey when one is
//! available, and ML-KEM-768 (FIPS 203) — a BLAKE3 key derivation, a key commitment and
//! XChaCha20-Poly1305 over the inner message padded to a fixed bucket. A relay sees a 2-byte
//! mailbox tag, fresh public values and one of five sizes.
//!
//! Devices publish **prekey bundles** ([`PREKEY_KIND`]), ordinary public messages signed by an app
//! key whose delegated scope names `prekey` explicitly (a wildcard scope never does, DM-15).
//! Opening authenticates the sender against the caller's account state (DM-16) and refuses replays
//! with a bounded window of seen ids (DM-17, DM-9).
//!
//! ```text
//!  DmBody ──sign──► Inner ──seal(·, device bundle, one-time slot, rng)──► Sealed ──relay──►
//!      open(bytes, me, my device keys, accounts, now, seen) ──► Opened (sender authenticated)
//! ```
//!
//! ```
//! use skylark::account::{Accounts, Operation};
//! use skylark::dm::{open, seal, DeviceKeys, DmBody, Prekey};
//! use skylark::envelope::Kind;
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
//! let now = 1_764_115_200_000;
//! // Two accounts, each with a DM key: an app key delegated with `dm` and `prekey` in its scope.
//! let mut accounts = Accounts::new();
//! let mut account = |root: u8, app: &SecretKey| -> Result<AccountId, Box<dyn std::error::Error>> {
//!     let root = SecretKey::from_seed([root; 32]);
//!     let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
//!     let id = Accounts::account_id(&genesis);
//!     let scope = [Kind::new("dm")?, Kind::new("prekey")?];
//!     let delegate = Operation::delegate(id, genesis.id(), app.public_key(), &scope, u64::MAX >> 11, None, 2)?.accepted_by(&app)?
//!         .draft()?.after(&genesis).sign(&root)?;
//!     accounts.apply(&genesis)?;
//!     accounts.apply(&delegate)?;
//!     Ok(id)
//! };
//! let (alice_app, bob_app) = (SecretKey::from_seed([1; 32]), SecretKey::from_seed([2; 32]));
//! let (alice, bob) = (account(10, &alice_app)?, account(20, &bob_app)?);
//!
//! // Bob's device publishes a bundle: a signed X25519 prekey, an ML-KEM-768 key, one-time keys.
//! let mut bob_phone = DeviceKeys::generate([1; 16], 4, &mut rng);
//! let bundle = Prekey::from_message(&bob_phone.bundle(bob, now - 1_000, now + 86_400_000)?.sign(&bob_app)?)?;
//! bundle.authorize(&accounts)?; // signed by a key that may publish prekeys
//!
//! // Alice writes to Bob and seals to his device, using one-time key 0.
//! let inner = DmBody::new(&[bob], "hi Bob")?.sign(alice, now, &alice_app)?;
//! let sealed = seal(&inner, &bundle, Some(0), &mut rng)?;
//!
//! // Bob opens it: the sender is authenticated, the one-time key is consumed.
//! let opened = open(sealed.as_bytes(), &bob, &mut [bob_phone.clone()][..], &accounts, now, |_| false)?;
//! assert_eq!(opened.inner().body().text(), "hi Bob");
//! assert_eq!(opened.onetime(), Some(0));
//! let opened = open(sealed.as_bytes(), &bob, core::slice::from_mut(&mut bob_phone), &accounts, now, |_| false)?;
//! assert_eq!(opened.inner().account(), &alice);
//! // The one-time secret is gone: the same bytes no longer open.
//! let again = open(sealed.as_bytes(), &bob, core::slice::from_mut(&mut bob_phone), &accounts, now, |_| false);
//! assert_eq!(again.unwrap_err().code(), "dm.onetime_consumed");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod auth;
mod error;
mod gate;
mod group;
mod inner;
mod keys;
mod open;
mod prekey;
mod report;
mod seal;
mod service;

pub use error::DmError;
pub use gate::{admit_item, token_commitment, Accept, Gate, Stamp, MAX_POW_BITS, MAX_TOKENS};
pub use group::{GroupRecord, Groups};
pub use inner::{DmBody, Inner};
pub use keys::{DeviceKeys, EncryptionPublic, EncryptionSecret, PqPublic, PqSecret};
pub use open::{open, open_in_group, Opened};
pub use prekey::Prekey;
pub use report::{
    open_report, seal_report, seal_report_deterministic, ReportInner, REPORT_ID_CONTEXT,
    REPORT_SCOPE, REPORT_SIGNATURE_CONTEXT,
};
pub use seal::{seal, seal_deterministic, seal_padded, seal_padded_deterministic, Sealed};
pub use service::{
    Blur, Declaration, LabelDefinition, Locale, ServiceKey, Setting, Severity,
    MAX_LABEL_DEFINITIONS, MAX_LOCALES, MAX_RELAY_URL, MAX_SERVICE_KEYS, MAX_SERVICE_RELAYS,
};

/// The kind of a direct message. Never a public message (DM-14): an [`Inner`] message is not an
/// envelope, and a public message of this kind is refused by message validation.
pub const DM_KIND: &str = "dm";
/// The kind of a prekey bundle message, signed by an app key whose scope names it (DM-10, DM-15).
pub const PREKEY_KIND: &str = "prekey";
/// The kind of a moderation service's declaration (08 §14.1, DM-24), signed by an app key whose
/// scope names it (DM-25). Like `prekey`, a kind that message validation treats as valid, not
/// understood (05 EXT-1).
pub const SERVICE_KIND: &str = "service";
/// The signature context of an inner message (03 §7): `context ‖ 0x00 ‖ payload` is signed.
pub const DM_SIGNATURE_CONTEXT: &str = "skylark v1 direct message";
/// The version byte of the sealed layout (DM-1): 2, the hybrid layout of this version.
pub const SEALED_VERSION: u8 = 2;
/// Length of the mailbox tag, in bytes.
pub const TAG_LEN: usize = 2;
/// Length of an ML-KEM-768 encapsulation key (FIPS 203, k = 3).
pub const PQ_PUBLIC_LEN: usize = 1184;
/// Length of an ML-KEM-768 ciphertext.
pub const PQ_CIPHERTEXT_LEN: usize = 1088;
/// Length of the key commitment in the sealed header.
pub const COMMITMENT_LEN: usize = 32;
/// Length of the slot check in the sealed header: it authenticates the masked one-time slot before
/// the opener looks the slot up (DM-18).
pub const SLOT_CHECK_LEN: usize = 16;
/// Length of the sealed header (version, tag, ephemeral key, ML-KEM ciphertext, masked one-time
/// slot, slot check, key commitment), which is the AEAD's associated data: 1173 bytes.
pub const HEADER_LEN: usize =
    1 + TAG_LEN + 32 + PQ_CIPHERTEXT_LEN + 2 + SLOT_CHECK_LEN + COMMITMENT_LEN;
/// Length of the Poly1305 authentication tag.
pub const AEAD_TAG_LEN: usize = 16;
/// The sizes of a padded plaintext (DM-5): the inner message and its 4-byte length prefix are
/// padded with zero bytes to one of these that holds them — the smallest, or a larger one as cover
/// ([`seal_padded`]).
pub const BUCKETS: [usize; 5] = [512, 2048, 8192, 32768, 65536];
/// The largest inner message that can be sealed, in bytes: the largest bucket less the length prefix.
pub const MAX_INNER: usize = 65536 - 4;
/// The largest number of recipients a direct message may name (DM-7).
pub const MAX_RECIPIENTS: usize = 8;
/// The largest number of one-time prekeys in one bundle (DM-10).
pub const MAX_ONETIME: usize = 32;
/// The slot value that says "no one-time prekey" (DM-18).
pub const NO_ONETIME: u16 = 0xffff;
/// The longest lifetime of a prekey bundle, `expires − time`, in milliseconds: 30 days (DM-10).
pub const MAX_PREKEY_LIFETIME: u64 = 30 * 24 * 60 * 60 * 1000;
/// How long after `expires` a device keeps a bundle's secrets: 7 days (§3.2).
pub const PREKEY_GRACE: u64 = 7 * 24 * 60 * 60 * 1000;
/// The replay window (DM-17): an inner message opens only if its time is at most this long before
/// the opener's `now` — the longest a secret that opens it is kept (30 + 7 days). Older ones are
/// refused, so a `seen` set needs only the ids of this window.
pub const REPLAY_WINDOW: u64 = MAX_PREKEY_LIFETIME + PREKEY_GRACE;
/// How far after the opener's `now` an inner message's time may be (DM-17): 10 minutes, as MSG-2.
pub const MAX_CLOCK_SKEW: u64 = 600_000;
/// The BLAKE3 `derive_key` context of the mailbox tag.
pub const MAILBOX_CONTEXT: &str = "skylark v1 dm mailbox";
/// The BLAKE3 `derive_key` context of the one-time slot's mask.
pub const SLOT_CONTEXT: &str = "skylark v1 dm slot";
/// The BLAKE3 `derive_key` context of the one-time slot's check.
pub const SLOT_CHECK_CONTEXT: &str = "skylark v1 dm slot check";
/// The BLAKE3 `derive_key` context of the AEAD key.
pub const KEY_CONTEXT: &str = "skylark v1 dm hybrid key";
/// The BLAKE3 `derive_key` context of the AEAD nonce.
pub const NONCE_CONTEXT: &str = "skylark v1 dm hybrid nonce";
/// The BLAKE3 `derive_key` context of the key commitment.
pub const COMMITMENT_CONTEXT: &str = "skylark v1 dm commitment";
/// The BLAKE3 `derive_key` context of an inner message's id (DM-9).
pub const ID_CONTEXT: &str = "skylark v1 dm id";
/// The signature context of a group membership record (03 §7, DM-19): `context ‖ 0x00 ‖ payload`
/// is signed.
pub const GROUP_SIGNATURE_CONTEXT: &str = "skylark v1 dm group";
/// The BLAKE3 `derive_key` context of a membership record's id; a group's id is its creation
/// record's (DM-19).
pub const GROUP_ID_CONTEXT: &str = "skylark v1 dm group record";
/// The BLAKE3 `derive_key` context of the sealed item's digest in a proof of work (DM-22).
pub const POW_ITEM_CONTEXT: &str = "skylark v1 dm pow item";
/// The BLAKE3 `derive_key` context of a proof of work's hash (DM-22).
pub const POW_CONTEXT: &str = "skylark v1 dm pow";
/// The BLAKE3 `derive_key` context of an access token's commitment (DM-22).
pub const TOKEN_CONTEXT: &str = "skylark v1 dm token";

/// The values of `names` in a body map (each absent or present), or `None` if the map has another
/// key without a `"."`: namespaced keys are kept and ignored, as in every body (05 §3.2).
fn body_fields<'m, const N: usize>(
    map: &'m crate::cbor::Map,
    names: [&str; N],
) -> Option<[Option<&'m crate::cbor::Value>; N]> {
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

/// Whether 32 bytes are all zero, in time independent of their value.
fn is_zero(bytes: &[u8; 32]) -> bool {
    bytes.iter().fold(0u8, |acc, b| acc | b) == 0
}
