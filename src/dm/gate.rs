//! Gating (08 §5.7, DM-22, DM-23): who may message a device, as its bundle says, and the delivery
//! stamp — a proof of work or a recipient-issued access token — that a relay checks without
//! learning the sender.

use alloc::vec::Vec;

use super::{body_fields, DmError, POW_CONTEXT, POW_ITEM_CONTEXT, TOKEN_CONTEXT};
use crate::cbor::{Map, Value};
use crate::id::AccountId;

/// The most leading zero bits a gate may ask of a proof of work.
pub const MAX_POW_BITS: u8 = 32;
/// The most access-token commitments one gate lists.
pub const MAX_TOKENS: usize = 8;

/// Whom a device accepts direct messages from (the `accept` of a gate).
///
/// ```
/// use skylark::dm::Accept;
/// assert_eq!(Accept::Follows.as_str(), "follows");
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accept {
    /// Anyone; senders the recipient does not follow pay the gate's proof of work or hold a token.
    Everyone,
    /// Only accounts the recipient follows (and its own account); a relay admits only token holders.
    Follows,
    /// Only the recipient's own account; a relay admits only token holders.
    Nobody,
}

impl Accept {
    /// The wire form: `"all"`, `"follows"` or `"none"`.
    ///
    /// ```
    /// assert_eq!(skylark::dm::Accept::Everyone.as_str(), "all");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Accept::Everyone => "all",
            Accept::Follows => "follows",
            Accept::Nobody => "none",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "all" => Some(Accept::Everyone),
            "follows" => Some(Accept::Follows),
            "none" => Some(Accept::Nobody),
            _ => None,
        }
    }
}

/// The commitment a gate publishes for an access token: `H("skylark v1 dm token", token)`.
///
/// ```
/// let c = skylark::dm::token_commitment(&[7; 32]);
/// assert_ne!(c, [7; 32]);
/// ```
pub fn token_commitment(token: &[u8; 32]) -> [u8; 32] {
    blake3::derive_key(TOKEN_CONTEXT, token)
}

/// A device's gate (08 §5.7): whom it accepts, the proof of work it asks of senders it does not
/// follow, and the commitments of the access tokens it has handed out. A bundle without `gate` has
/// the open gate: everyone, no work, no tokens.
///
/// ```
/// use skylark::dm::{token_commitment, Accept, Gate};
/// let gate = Gate::new(Accept::Everyone, 20, &[token_commitment(&[7; 32])])?;
/// assert_eq!((gate.accept(), gate.pow()), (Accept::Everyone, 20));
/// assert_eq!(Gate::open(), Gate::new(Accept::Everyone, 0, &[])?);
/// # Ok::<(), skylark::dm::DmError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gate {
    accept: Accept,
    pow: u8,
    tokens: Vec<[u8; 32]>,
}

impl Gate {
    /// The open gate: everyone, no proof of work, no tokens.
    ///
    /// ```
    /// assert_eq!(skylark::dm::Gate::open().pow(), 0);
    /// ```
    pub fn open() -> Self {
        Gate {
            accept: Accept::Everyone,
            pow: 0,
            tokens: Vec::new(),
        }
    }

    /// A gate accepting `accept`, asking `pow` leading zero bits of unsolicited senders' work, and
    /// admitting holders of the tokens whose commitments ([`token_commitment`]) are `tokens`.
    ///
    /// # Errors
    ///
    /// [`DmError::Prekey`] for `pow` above [`MAX_POW_BITS`], more than [`MAX_TOKENS`] commitments,
    /// or one listed twice.
    ///
    /// ```
    /// # use skylark::dm::{Accept, Gate};
    /// assert_eq!(Gate::new(Accept::Everyone, 33, &[]).unwrap_err().code(), "dm.prekey");
    /// ```
    pub fn new(accept: Accept, pow: u8, tokens: &[[u8; 32]]) -> Result<Self, DmError> {
        let distinct = tokens
            .iter()
            .enumerate()
            .all(|(i, t)| !tokens[..i].contains(t));
        if pow > MAX_POW_BITS || tokens.len() > MAX_TOKENS || !distinct {
            return Err(DmError::Prekey);
        }
        Ok(Gate {
            accept,
            pow,
            tokens: tokens.to_vec(),
        })
    }

    /// Whom the device accepts.
    ///
    /// ```
    /// assert_eq!(skylark::dm::Gate::open().accept(), skylark::dm::Accept::Everyone);
    /// ```
    pub fn accept(&self) -> Accept {
        self.accept
    }

    /// The leading zero bits asked of an unsolicited sender's proof of work (0: none).
    ///
    /// ```
    /// assert_eq!(skylark::dm::Gate::open().pow(), 0);
    /// ```
    pub fn pow(&self) -> u8 {
        self.pow
    }

    /// The access-token commitments.
    ///
    /// ```
    /// assert!(skylark::dm::Gate::open().tokens().is_empty());
    /// ```
    pub fn tokens(&self) -> &[[u8; 32]] {
        &self.tokens
    }

    /// The gate as the value of a bundle's `gate` key.
    pub(super) fn to_value(&self) -> Value {
        let mut map = Map::new();
        map.insert("accept", Value::from(self.accept.as_str()));
        map.insert("pow", Value::from(u64::from(self.pow)));
        map.insert(
            "tokens",
            Value::Array(self.tokens.iter().map(|t| Value::from(&t[..])).collect()),
        );
        Value::Map(map)
    }

    /// The gate of a bundle's `gate` value (DM-10), or `None`.
    pub(super) fn from_value(value: &Value) -> Option<Self> {
        let Value::Map(map) = value else { return None };
        let [accept, pow, tokens] = body_fields(map, ["accept", "pow", "tokens"])?;
        let (Some(Value::Text(accept)), Some(&Value::Unsigned(pow)), Some(Value::Array(tokens))) =
            (accept, pow, tokens)
        else {
            return None;
        };
        let pow = u8::try_from(pow).ok()?;
        let mut list = Vec::with_capacity(tokens.len().min(MAX_TOKENS));
        for t in tokens {
            let Value::Bytes(b) = t else { return None };
            list.push(<[u8; 32]>::try_from(b.as_slice()).ok()?);
            if list.len() > MAX_TOKENS {
                return None;
            }
        }
        Gate::new(Accept::parse(accept)?, pow, &list).ok()
    }

    /// DM-22, what a relay checks before it files `sealed` for this gate's device: with the open
    /// gate (everyone, no work), anything; else a token stamp whose commitment the gate lists, or,
    /// if the gate accepts everyone, a work stamp of at least the gate's bits. Costs at most one
    /// hash of `sealed` and one short hash, or one short hash and a lookup.
    ///
    /// # Errors
    ///
    /// [`DmError::Stamp`] otherwise (a relay drops the item; DM-12 still applies to the device).
    ///
    /// ```
    /// use skylark::dm::{token_commitment, Accept, Gate, Stamp};
    /// let gate = Gate::new(Accept::Follows, 0, &[token_commitment(&[7; 32])])?;
    /// assert!(gate.relay_admits(b"sealed bytes", &Stamp::Token([7; 32])).is_ok());
    /// assert_eq!(gate.relay_admits(b"sealed bytes", &Stamp::None).unwrap_err().code(), "dm.stamp");
    /// # Ok::<(), skylark::dm::DmError>(())
    /// ```
    pub fn relay_admits(&self, sealed: &[u8], stamp: &Stamp) -> Result<(), DmError> {
        if self.accept == Accept::Everyone && self.pow == 0 {
            return Ok(());
        }
        if self.stamp_passes(sealed, stamp) {
            Ok(())
        } else {
            Err(DmError::Stamp)
        }
    }

    /// Whether a stamp passes this gate: a listed token, or (accepting everyone) enough work.
    fn stamp_passes(&self, sealed: &[u8], stamp: &Stamp) -> bool {
        match stamp {
            Stamp::None => false,
            Stamp::Token(token) => {
                let c = token_commitment(token);
                self.tokens.contains(&c)
            }
            Stamp::Work { bits, nonce } => {
                self.accept == Accept::Everyone
                    && *bits >= self.pow
                    && zero_bits(&work_hash(sealed, *bits, *nonce)) >= u32::from(*bits)
            }
        }
    }

    /// DM-23, what the recipient checks after opening (08 §6) and before showing: the sender is
    /// the recipient's own account (`me`), or, if the gate accepts followed accounts, one the
    /// recipient follows (`follows`, the recipient's own view), or, if it accepts everyone, the
    /// gate asks no work or the delivered stamp passes it. A relay's check is not trusted.
    ///
    /// # Errors
    ///
    /// [`DmError::Gated`] otherwise: the message is not shown (and, DM-12, nothing is said).
    ///
    /// ```
    /// use skylark::dm::{Accept, Gate, Stamp};
    /// use skylark::id::AccountId;
    /// let [me, friend, stranger] = [[1; 32], [2; 32], [3; 32]].map(AccountId::from_bytes);
    /// let gate = Gate::new(Accept::Follows, 0, &[])?;
    /// assert!(gate.admits(&me, &friend, true, b"", &Stamp::None).is_ok());
    /// assert_eq!(gate.admits(&me, &stranger, false, b"", &Stamp::None).unwrap_err().code(), "dm.gated");
    /// # Ok::<(), skylark::dm::DmError>(())
    /// ```
    pub fn admits(
        &self,
        me: &AccountId,
        sender: &AccountId,
        follows: bool,
        sealed: &[u8],
        stamp: &Stamp,
    ) -> Result<(), DmError> {
        let ok = sender == me
            || match self.accept {
                Accept::Nobody => false,
                Accept::Follows => follows,
                Accept::Everyone => follows || self.pow == 0 || self.stamp_passes(sealed, stamp),
            };
        if ok {
            Ok(())
        } else {
            Err(DmError::Gated)
        }
    }
}

/// A delivery stamp, sent to the relay beside the sealed bytes (08 §5.7).
///
/// Bytes: empty for none; `0x01 ‖ bits ‖ nonce` (10 bytes, `nonce` 8 bytes big-endian) for proof of
/// work; `0x02 ‖ token` (33 bytes) for an access token.
///
/// ```
/// use skylark::dm::Stamp;
/// let s = Stamp::Work { bits: 8, nonce: 5 };
/// assert_eq!(Stamp::from_bytes(&s.to_bytes())?, s);
/// assert_eq!(Stamp::from_bytes(&[3]).unwrap_err().code(), "dm.stamp");
/// # Ok::<(), skylark::dm::DmError>(())
/// ```
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stamp {
    /// No stamp.
    None,
    /// A proof of work: `H("skylark v1 dm pow", H("skylark v1 dm pow item", sealed) ‖ bits ‖
    /// BE64(nonce))` begins with at least `bits` zero bits.
    Work {
        /// The leading zero bits claimed (and hashed).
        bits: u8,
        /// The nonce.
        nonce: u64,
    },
    /// An access token the recipient handed out; the gate lists its commitment.
    Token([u8; 32]),
}

impl Stamp {
    /// Parses stamp bytes.
    ///
    /// # Errors
    ///
    /// [`DmError::Stamp`] for any other length or first byte.
    ///
    /// ```
    /// assert_eq!(skylark::dm::Stamp::from_bytes(&[])?, skylark::dm::Stamp::None);
    /// # Ok::<(), skylark::dm::DmError>(())
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DmError> {
        match bytes {
            [] => Ok(Stamp::None),
            [1, bits, nonce @ ..] if nonce.len() == 8 => Ok(Stamp::Work {
                bits: *bits,
                nonce: u64::from_be_bytes(nonce.try_into().map_err(|_| DmError::Stamp)?),
            }),
            [2, token @ ..] if token.len() == 32 => {
                Ok(Stamp::Token(token.try_into().map_err(|_| DmError::Stamp)?))
            }
            _ => Err(DmError::Stamp),
        }
    }

    /// The stamp's bytes.
    ///
    /// ```
    /// assert_eq!(skylark::dm::Stamp::Token([0; 32]).to_bytes().len(), 33);
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Stamp::None => Vec::new(),
            Stamp::Work { bits, nonce } => {
                let mut v = alloc::vec![1, *bits];
                v.extend_from_slice(&nonce.to_be_bytes());
                v
            }
            Stamp::Token(token) => {
                let mut v = alloc::vec![2];
                v.extend_from_slice(token);
                v
            }
        }
    }

    /// Finds a proof of work of `bits` (at most [`MAX_POW_BITS`]) for `sealed`, trying nonces from
    /// `start` up: about 2^bits short hashes after one hash of `sealed`. `None` if `bits` is too
    /// large or every nonce from `start` fails.
    ///
    /// ```
    /// use skylark::dm::{Accept, Gate, Stamp};
    /// let stamp = Stamp::work(b"sealed bytes", 8, 0).unwrap();
    /// assert!(Gate::new(Accept::Everyone, 8, &[])?.relay_admits(b"sealed bytes", &stamp).is_ok());
    /// # Ok::<(), skylark::dm::DmError>(())
    /// ```
    pub fn work(sealed: &[u8], bits: u8, start: u64) -> Option<Self> {
        if bits > MAX_POW_BITS {
            return None;
        }
        let item = blake3::derive_key(POW_ITEM_CONTEXT, sealed);
        (start..=u64::MAX)
            .find(|&nonce| zero_bits(&work_of(&item, bits, nonce)) >= u32::from(bits))
            .map(|nonce| Stamp::Work { bits, nonce })
    }
}

/// `H("skylark v1 dm pow", item ‖ bits ‖ BE64(nonce))`.
fn work_of(item: &[u8; 32], bits: u8, nonce: u64) -> [u8; 32] {
    let mut h = blake3::Hasher::new_derive_key(POW_CONTEXT);
    h.update(item);
    h.update(&[bits]);
    h.update(&nonce.to_be_bytes());
    *h.finalize().as_bytes()
}

/// The work hash of a stamp over `sealed`.
fn work_hash(sealed: &[u8], bits: u8, nonce: u64) -> [u8; 32] {
    work_of(&blake3::derive_key(POW_ITEM_CONTEXT, sealed), bits, nonce)
}

/// The number of leading zero bits, from the first byte's most significant bit.
fn zero_bits(hash: &[u8; 32]) -> u32 {
    let mut n = 0;
    for b in hash {
        n += b.leading_zeros();
        if *b != 0 {
            break;
        }
    }
    n
}

/// DM-22, a relay's whole decision on one item: the mailboxes with the item's tag are the current
/// bundles `bundles` ([`super::Prekey::current`] of the authorized ones) and the report keys
/// `keys` ([`super::Declaration::relay_keys`] of the authorized declarations) whose key has that
/// tag. `None` if there is none (the relay holds no such mailbox); else `Ok` if one of their gates
/// admits the stamp, or the first refusal.
///
/// ```
/// use skylark::dm::{admit_item, Accept, DeviceKeys, EncryptionSecret, Gate, PqSecret, ServiceKey, Stamp};
/// let desk = DeviceKeys::new([9; 16], EncryptionSecret::from_bytes([4; 32]), PqSecret::from_seed([4; 64]), vec![]);
/// let key = ServiceKey::new(desk.signed().public_key(), desk.pq().public_key(), 99)
///     .with_gate(Gate::new(Accept::Everyone, 8, &[])?);
/// // Any sealed bytes whose tag is the key's: here the tag alone matters until the stamp.
/// let tag = key.key().mailbox_tag();
/// let mut bytes = vec![2, tag[0], tag[1]];
/// bytes.resize(1173 + 512 + 16, 0);
/// let sealed = skylark::dm::Sealed::from_bytes(&bytes)?;
/// assert_eq!(admit_item(&sealed, &Stamp::None, &[], &[&key]).map(|r| r.is_ok()), Some(false));
/// let work = Stamp::work(sealed.as_bytes(), 8, 0).expect("found");
/// assert_eq!(admit_item(&sealed, &work, &[], &[&key]).map(|r| r.is_ok()), Some(true));
/// assert!(admit_item(&sealed, &work, &[], &[]).is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn admit_item(
    sealed: &super::Sealed,
    stamp: &Stamp,
    bundles: &[&super::Prekey],
    keys: &[&super::ServiceKey],
) -> Option<Result<(), DmError>> {
    let tag = sealed.mailbox_tag();
    let gates = bundles
        .iter()
        .filter(|b| b.key().mailbox_tag() == tag)
        .map(|b| b.gate())
        .chain(
            keys.iter()
                .filter(|k| k.key().mailbox_tag() == tag)
                .map(|k| k.gate()),
        );
    let mut first = None;
    for gate in gates {
        match gate.relay_admits(sealed.as_bytes(), stamp) {
            Ok(()) => return Some(Ok(())),
            Err(e) => {
                first.get_or_insert(e);
            }
        }
    }
    first.map(Err)
}
