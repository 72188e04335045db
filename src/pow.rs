//! Proof of work (rules POW-1 to POW-4, `spec/05-messages.md` §13): an optional cost a message can
//! carry, verifiable from its bytes with one hash.
//!
//! - **POW-1** the proof hash is BLAKE3 `derive_key` with [`CONTEXT`] over the header bytes as
//!   received (the bytes the signature covers and ID-1 hashes);
//! - **POW-2** the claim is the body's top-level key [`BODY_KEY`], an array `[target, nonce]` of two
//!   unsigned integers with `1 ≤ target ≤ 256`; anything else is no claim;
//! - **POW-3** the work is the claimed target if the hash has at least that many leading zero bits,
//!   else 0: a hash luckier than the claim earns nothing more (the target is committed, NIP-13);
//! - **POW-4** where it is read: a node's minimum for an account's `genesis`, and apps' and nodes'
//!   ranking of replies, quotes and mentions towards accounts that do not follow the author. It is
//!   never a validity rule: the set, and so the merged state, does not depend on it.
//!
//! ```
//! use skylark::cbor::Map;
//! use skylark::envelope::{Draft, Kind};
//! use skylark::{id::AccountId, keys::SecretKey, pow};
//! let key = SecretKey::from_seed([1; 32]);
//! let make = |nonce: u64| {
//!     let body = pow::with_claim(&Map::new(), 8, nonce);
//!     Draft::new(AccountId::from_bytes([2; 32]), Kind::new("com.example.note")?, 1_000, &body)
//! };
//! let draft = pow::solve(8, 1 << 20, &key.public_key(), make)?.expect("found");
//! let message = draft.sign(&key)?;
//! assert_eq!(pow::work(&message), 8);
//! assert!(pow::leading_zero_bits(&pow::hash(message.header_bytes())) >= 8);
//! # Ok::<(), skylark::envelope::EnvelopeError>(())
//! ```

use alloc::vec;

use crate::cbor::{Map, Value};
use crate::envelope::{Draft, EnvelopeError, SignedMessage};
use crate::keys::PublicKey;

/// The BLAKE3 `derive_key` context of the proof hash (rule POW-1).
///
/// ```
/// assert_eq!(skylark::pow::CONTEXT, "skylark v1 proof of work");
/// ```
pub const CONTEXT: &str = "skylark v1 proof of work";

/// The body key that holds a claim (rule POW-2): a namespaced key, so validation keeps it and
/// ignores it (05 §3.1), and it is committed by the body hash in the signed header.
///
/// ```
/// assert!(skylark::pow::BODY_KEY.contains('.'));
/// ```
pub const BODY_KEY: &str = "skylark.pow";

/// The largest target: every bit of the hash zero.
///
/// ```
/// assert_eq!(skylark::pow::MAX_TARGET, 256);
/// ```
pub const MAX_TARGET: u32 = 256;

/// The proof hash of a message's header bytes (rule POW-1): one BLAKE3 call over about 150 bytes.
///
/// ```
/// let h = skylark::pow::hash(b"header bytes");
/// assert_eq!(h, blake3::derive_key(skylark::pow::CONTEXT, b"header bytes"));
/// ```
pub fn hash(header_bytes: &[u8]) -> [u8; 32] {
    crate::id::derive(CONTEXT, header_bytes)
}

/// The number of leading zero bits of `hash`, from the most significant bit of its first byte
/// (0 to 256), as NIP-13 counts them.
///
/// ```
/// use skylark::pow::leading_zero_bits;
/// let mut h = [0xff; 32];
/// assert_eq!(leading_zero_bits(&h), 0);
/// h[0] = 0x00;
/// h[1] = 0x2f;
/// assert_eq!(leading_zero_bits(&h), 10);
/// assert_eq!(leading_zero_bits(&[0; 32]), 256);
/// ```
pub fn leading_zero_bits(hash: &[u8; 32]) -> u32 {
    let mut bits = 0;
    for byte in hash {
        if *byte == 0 {
            bits += 8;
        } else {
            return bits + byte.leading_zeros();
        }
    }
    bits
}

/// A claim read from a message body (rule POW-2).
///
/// ```
/// use skylark::pow::{claim_of, with_claim};
/// let body = with_claim(&skylark::cbor::Map::new(), 20, 7);
/// let claim = claim_of(&body).unwrap();
/// assert_eq!((claim.target(), claim.nonce()), (20, 7));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Claim {
    target: u32,
    nonce: u64,
}

impl Claim {
    /// The committed target, in leading zero bits (1 to 256).
    ///
    /// ```
    /// let body = skylark::pow::with_claim(&skylark::cbor::Map::new(), 12, 0);
    /// assert_eq!(skylark::pow::claim_of(&body).unwrap().target(), 12);
    /// ```
    pub fn target(&self) -> u32 {
        self.target
    }

    /// The nonce the producer varied.
    ///
    /// ```
    /// let body = skylark::pow::with_claim(&skylark::cbor::Map::new(), 12, 99);
    /// assert_eq!(skylark::pow::claim_of(&body).unwrap().nonce(), 99);
    /// ```
    pub fn nonce(&self) -> u64 {
        self.nonce
    }
}

/// The claim of a body map (rule POW-2): its [`BODY_KEY`] entry when that is an array of exactly two
/// unsigned integers `[target, nonce]` with `1 ≤ target ≤ 256`; `None` otherwise.
///
/// ```
/// use skylark::cbor::{Map, Value};
/// use skylark::pow::{claim_of, BODY_KEY};
/// let mut body = Map::new();
/// body.insert(BODY_KEY, Value::Array(vec![Value::from(0u64), Value::from(1u64)]));
/// assert_eq!(claim_of(&body), None); // target 0 claims nothing
/// body.insert(BODY_KEY, Value::Array(vec![Value::from(257u64), Value::from(1u64)]));
/// assert_eq!(claim_of(&body), None);
/// body.insert(BODY_KEY, Value::from(8u64));
/// assert_eq!(claim_of(&body), None);
/// ```
pub fn claim_of(body: &Map) -> Option<Claim> {
    let Value::Array(items) = body.get(BODY_KEY)? else {
        return None;
    };
    let [target, nonce] = items.as_slice() else {
        return None;
    };
    let (Value::Unsigned(target), Value::Unsigned(nonce)) = (target, nonce) else {
        return None;
    };
    let nonce = *nonce;
    let target = u32::try_from(*target)
        .ok()
        .filter(|t| (1..=MAX_TARGET).contains(t))?;
    Some(Claim { target, nonce })
}

/// The claim of a message (rule POW-2): `None` for a stripped remainder (its body is not held) and
/// for a body without a well-formed claim.
///
/// ```
/// use skylark::{cbor::Map, envelope::{Draft, Kind}, id::AccountId, keys::SecretKey, pow};
/// let key = SecretKey::from_seed([1; 32]);
/// let body = pow::with_claim(&Map::new(), 3, 5);
/// let m = Draft::new(AccountId::from_bytes([2; 32]), Kind::new("com.example.x")?, 0, &body)?.sign(&key)?;
/// assert_eq!(pow::claim(&m).map(|c| c.target()), Some(3));
/// assert_eq!(pow::claim(&m.stripped()), None);
/// # Ok::<(), skylark::envelope::EnvelopeError>(())
/// ```
pub fn claim(message: &SignedMessage) -> Option<Claim> {
    claim_of(&message.body_map()?)
}

/// The work a message proves (rule POW-3): its claimed target if the proof hash of its header
/// bytes has at least that many leading zero bits, else 0. Costs one hash.
///
/// ```
/// use skylark::{cbor::Map, envelope::{Draft, Kind}, id::AccountId, keys::SecretKey, pow};
/// let key = SecretKey::from_seed([1; 32]);
/// let m = Draft::new(AccountId::from_bytes([2; 32]), Kind::new("com.example.x")?, 0, &Map::new())?
///     .sign(&key)?;
/// assert_eq!(pow::work(&m), 0); // no claim, no work
/// # Ok::<(), skylark::envelope::EnvelopeError>(())
/// ```
pub fn work(message: &SignedMessage) -> u32 {
    match claim(message) {
        Some(c) if leading_zero_bits(&hash(message.header_bytes())) >= c.target => c.target,
        _ => 0,
    }
}

/// `body` with the claim `[target, nonce]` under [`BODY_KEY`] (replacing any claim it had).
///
/// ```
/// let body = skylark::pow::with_claim(&skylark::cbor::Map::new(), 16, 1);
/// assert!(body.get(skylark::pow::BODY_KEY).is_some());
/// ```
pub fn with_claim(body: &Map, target: u32, nonce: u64) -> Map {
    let mut out = body.clone();
    out.insert(
        BODY_KEY,
        Value::Array(vec![Value::from(u64::from(target)), Value::from(nonce)]),
    );
    out
}

/// Finds a nonce: calls `make(nonce)` for nonces `0, 1, …` below `tries`, and returns the first
/// draft whose header, as `key` will sign it, has a proof hash of at least `target` leading zero
/// bits. `make` must put the claim `[target, nonce]` in the body ([`with_claim`]). About `2^target`
/// calls are needed on average; `Ok(None)` if `tries` ran out.
///
/// # Errors
///
/// The first error `make` returns.
///
/// ```
/// use skylark::{cbor::Map, envelope::{Draft, Kind}, id::AccountId, keys::SecretKey, pow};
/// let key = SecretKey::from_seed([1; 32]);
/// let make = |n| Draft::new(AccountId::from_bytes([2; 32]), Kind::new("com.example.x")?, 0,
///     &pow::with_claim(&Map::new(), 4, n));
/// let draft = pow::solve(4, 10_000, &key.public_key(), make)?.unwrap();
/// assert_eq!(pow::work(&draft.sign(&key)?), 4);
/// # Ok::<(), skylark::envelope::EnvelopeError>(())
/// ```
pub fn solve(
    target: u32,
    tries: u64,
    key: &PublicKey,
    mut make: impl FnMut(u64) -> Result<Draft, EnvelopeError>,
) -> Result<Option<Draft>, EnvelopeError> {
    for nonce in 0..tries {
        let draft = make(nonce)?;
        if leading_zero_bits(&hash(&draft.header_bytes(key))) >= target {
            return Ok(Some(draft));
        }
    }
    Ok(None)
}
