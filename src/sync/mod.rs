//! Set reconciliation: how two nodes find, in a few round trips, which messages each holds that the
//! other lacks (`spec/09-exchange.md`).
//!
//! The protocol is range-based set reconciliation (Meyer; Nostr's negentropy is one instance) over
//! items `(time, id)`, with three departures from negentropy, each argued in `spec/rationale/09-exchange.md` (09 §2 points there):
//!
//! - **Salted fingerprints.** A range's fingerprint is a sum of *keyed* hashes of its items, under a
//!   key derived from a fresh random salt the initiator picks for the session. Negentropy sums the
//!   ids themselves; whoever can grind ids (anyone who can sign messages) can then build two
//!   different sets with the same sum (a generalized-birthday search), and two honest nodes holding
//!   them would never exchange the difference, in any session. Under an unpredictable key the sums
//!   of two different sets collide with probability 2⁻²⁵⁶, and a miss never repeats across sessions.
//!   The sum stays incremental: one pass of keyed hashes per session gives prefix sums, and then every
//!   range's fingerprint costs O(1).
//! - **Short tags at the leaves.** Small ranges are sent as 8-byte salted tags, not 32-byte ids; the
//!   peer answers with a bitmap of the tags it lacks and the full ids only of what the sender lacks.
//! - **Adaptive fan-out.** A mismatched range is split into as few levels as 32-way splits would need,
//!   with the smallest fan-out that reaches leaves in that many levels.
//!
//! The implementation is sans-I/O: an [`Initiator`] and a [`Responder`] take frames (bytes) and give
//! frames; neither reads a clock or a socket, and every frame either produces is at most
//! [`FRAME_LIMIT`] bytes. Hostile frames are rejected with a [`SyncError`] that has a stable code.
//!
//! ```
//! use skylark::id::MessageId;
//! use skylark::sync::{Initiator, Item, Responder, Set};
//!
//! let item = |t: u64, b: u8| Item::new(t, MessageId::from_bytes([b; 32]));
//! let mine = Set::new((0..100).map(|i| item(1_000 + i, i as u8)))?;
//! let theirs = Set::new((1..101).map(|i| item(1_000 + i, i as u8)))?;
//!
//! let mut initiator = Initiator::new(&mine, [7; 16]);
//! let mut responder = Responder::new(&theirs);
//! let mut frame = initiator.open();
//! loop {
//!     let reply = responder.respond(&frame)?;
//!     match initiator.receive(&reply)? {
//!         Some(next) => frame = next,
//!         None => break,
//!     }
//! }
//! assert_eq!(initiator.have(), [MessageId::from_bytes([0; 32])]); // only I hold item 0
//! assert_eq!(initiator.need(), [MessageId::from_bytes([100; 32])]); // only they hold item 100
//! # Ok::<(), skylark::sync::SyncError>(())
//! ```

mod frame;
mod heads;
mod name;
mod session;

pub use heads::{wants, AccountHeads, HeadsPage, KeyHead, Want, HEADS_PAGE};
pub use name::{verify_name, NameRecord, DNS_LABEL, WELL_KNOWN_LIMIT, WELL_KNOWN_PATH};
pub use session::{Initiator, Responder};

use alloc::vec::Vec;

use crate::cbor::DecodeError;
use crate::id::MessageId;

/// The largest frame, in bytes, that either side sends or accepts (SYNC-1): the Skylark CBOR input
/// limit.
pub const FRAME_LIMIT: usize = crate::cbor::MAX_SIZE;

/// The protocol version carried by every frame (SYNC-2).
pub const VERSION: u64 = 1;

/// A range whose sender holds at most this many items is sent as tags rather than split (SYNC-7);
/// it is also the most tags or ids one range may carry (SYNC-5).
pub const LEAF: usize = 64;

/// The largest fan-out of one split (SYNC-7).
pub const MAX_FANOUT: usize = 32;

/// The length of a fingerprint in bytes (SYNC-6).
pub const FINGERPRINT_LEN: usize = 16;

/// The length of a tag in bytes (SYNC-6).
pub const TAG_LEN: usize = 8;

/// The length of the session salt in bytes (SYNC-2).
pub const SALT_LEN: usize = 16;

/// One item of a set: a message's time (milliseconds, as in its header) and its id.
///
/// Items are ordered by time, then by id bytewise (SYNC-3).
///
/// ```
/// use skylark::id::MessageId;
/// use skylark::sync::Item;
///
/// let a = Item::new(5, MessageId::from_bytes([9; 32]));
/// let b = Item::new(6, MessageId::from_bytes([0; 32]));
/// assert!(a < b);
/// assert_eq!(a.time(), 5);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Item {
    time: u64,
    id: MessageId,
}

impl Item {
    /// The item of a message with this time and id.
    ///
    /// ```
    /// let item = skylark::sync::Item::new(1, skylark::id::MessageId::from_bytes([1; 32]));
    /// assert_eq!(item.id().as_bytes(), &[1; 32]);
    /// ```
    pub const fn new(time: u64, id: MessageId) -> Self {
        Item { time, id }
    }

    /// The message's time.
    ///
    /// ```
    /// assert_eq!(skylark::sync::Item::new(3, skylark::id::MessageId::from_bytes([0; 32])).time(), 3);
    /// ```
    pub const fn time(&self) -> u64 {
        self.time
    }

    /// The message's id.
    ///
    /// ```
    /// let id = skylark::id::MessageId::from_bytes([4; 32]);
    /// assert_eq!(skylark::sync::Item::new(3, id).id(), &id);
    /// ```
    pub const fn id(&self) -> &MessageId {
        &self.id
    }
}

/// The items one side reconciles: sorted, without duplicates, every time below `2^64 − 1` (which
/// bounds use as infinity).
///
/// ```
/// use skylark::id::MessageId;
/// use skylark::sync::{Item, Set};
///
/// let set = Set::new([
///     Item::new(2, MessageId::from_bytes([1; 32])),
///     Item::new(1, MessageId::from_bytes([1; 32])),
///     Item::new(2, MessageId::from_bytes([1; 32])),
/// ])?;
/// assert_eq!(set.len(), 2);
/// assert_eq!(set.items()[0].time(), 1);
/// # Ok::<(), skylark::sync::SyncError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Set {
    items: Vec<Item>,
}

impl Set {
    /// Sorts and deduplicates the items.
    ///
    /// # Errors
    ///
    /// [`SyncError::ItemTime`] if an item's time is `2^64 − 1`.
    ///
    /// ```
    /// use skylark::sync::{Item, Set};
    /// let bad = Item::new(u64::MAX, skylark::id::MessageId::from_bytes([0; 32]));
    /// assert_eq!(Set::new([bad]).unwrap_err().code(), "sync.item_time");
    /// ```
    pub fn new(items: impl IntoIterator<Item = Item>) -> Result<Self, SyncError> {
        let mut items: Vec<Item> = items.into_iter().collect();
        if items.iter().any(|i| i.time == u64::MAX) {
            return Err(SyncError::ItemTime);
        }
        items.sort_unstable();
        items.dedup();
        Ok(Set { items })
    }

    /// The items, in order.
    ///
    /// ```
    /// assert!(skylark::sync::Set::default().items().is_empty());
    /// ```
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    /// How many items the set holds.
    ///
    /// ```
    /// assert_eq!(skylark::sync::Set::default().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the set is empty.
    ///
    /// ```
    /// assert!(skylark::sync::Set::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// The session key of a salt (SYNC-6): `BLAKE3-derive_key("skylark 2026-12-05 sync key", salt)`.
fn session_key(salt: &[u8; SALT_LEN]) -> [u8; 32] {
    blake3::derive_key("skylark 2026-12-05 sync key", salt)
}

/// The 40-byte keyed hash of an item (SYNC-6): the first 32 bytes enter range sums, the last 8 are
/// the item's tag.
fn item_hash(key: &[u8; 32], item: &Item) -> [u8; 40] {
    let mut h = blake3::Hasher::new_keyed(key);
    h.update(&[0x00]);
    h.update(&item.time.to_be_bytes());
    h.update(item.id.as_bytes());
    let mut out = [0u8; 40];
    h.finalize_xof().fill(&mut out);
    out
}

/// A 256-bit little-endian integer, as four little-endian 64-bit limbs.
type U256 = [u64; 4];

fn u256_from_le(b: &[u8]) -> U256 {
    let mut out = [0u64; 4];
    for (limb, chunk) in out.iter_mut().zip(b.chunks_exact(8)) {
        let mut w = [0u8; 8];
        w.copy_from_slice(chunk);
        *limb = u64::from_le_bytes(w);
    }
    out
}

fn u256_add(a: &U256, b: &U256) -> U256 {
    let mut out = [0u64; 4];
    let mut carry = false;
    for i in 0..4 {
        let (s1, c1) = a[i].overflowing_add(b[i]);
        let (s2, c2) = s1.overflowing_add(u64::from(carry));
        out[i] = s2;
        carry = c1 || c2;
    }
    out
}

fn u256_sub(a: &U256, b: &U256) -> U256 {
    let mut out = [0u64; 4];
    let mut borrow = false;
    for i in 0..4 {
        let (d1, b1) = a[i].overflowing_sub(b[i]);
        let (d2, b2) = d1.overflowing_sub(u64::from(borrow));
        out[i] = d2;
        borrow = b1 || b2;
    }
    out
}

/// The fingerprint of a range from its count and sum (SYNC-6).
fn fingerprint(key: &[u8; 32], count: usize, sum: &U256) -> [u8; FINGERPRINT_LEN] {
    let mut h = blake3::Hasher::new_keyed(key);
    h.update(&[0x01]);
    h.update(&(count as u64).to_be_bytes());
    for limb in sum {
        h.update(&limb.to_le_bytes());
    }
    let mut out = [0u8; FINGERPRINT_LEN];
    out.copy_from_slice(&h.finalize().as_bytes()[..FINGERPRINT_LEN]);
    out
}

/// The fingerprint of a whole set under a salt (SYNC-6), as a peer would compute it for the range
/// from the lowest bound to infinity. For tests and tools: sessions compute fingerprints of ranges
/// internally.
///
/// ```
/// use skylark::sync::{set_fingerprint, Set};
/// // The empty set still has a fingerprint (of count 0 and sum 0), different for every salt.
/// assert_ne!(set_fingerprint(&Set::default(), &[0; 16]), set_fingerprint(&Set::default(), &[1; 16]));
/// ```
pub fn set_fingerprint(set: &Set, salt: &[u8; SALT_LEN]) -> [u8; FINGERPRINT_LEN] {
    let key = session_key(salt);
    let sum = set.items.iter().fold([0u64; 4], |acc, item| {
        u256_add(&acc, &u256_from_le(&item_hash(&key, item)[..32]))
    });
    fingerprint(&key, set.items.len(), &sum)
}

/// The tag of an item under a salt (SYNC-6): the last 8 bytes of its keyed hash.
///
/// ```
/// use skylark::sync::{tag, Item};
/// let item = Item::new(1, skylark::id::MessageId::from_bytes([1; 32]));
/// assert_ne!(tag(&item, &[0; 16]), tag(&item, &[1; 16]));
/// ```
pub fn tag(item: &Item, salt: &[u8; SALT_LEN]) -> [u8; TAG_LEN] {
    let h = item_hash(&session_key(salt), item);
    let mut out = [0u8; TAG_LEN];
    out.copy_from_slice(&h[32..]);
    out
}

/// Why a frame was rejected. Every variant has a stable [`code`](SyncError::code) and names the rule
/// of `spec/09-exchange.md` it enforces ([`rule`](SyncError::rule)).
///
/// ```
/// use skylark::sync::{Responder, Set};
/// let set = Set::default();
/// let err = Responder::new(&set).respond(&[0x80]).unwrap_err();
/// assert_eq!(err.code(), "sync.frame_shape");
/// assert_eq!(err.rule(), "SYNC-2");
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    /// The frame is longer than [`FRAME_LIMIT`] or not Skylark CBOR (SYNC-1).
    #[error("frame is not Skylark CBOR: {0}")]
    Cbor(DecodeError),
    /// The frame is not `[version, salt, ranges]` with a 16-byte salt and an array of ranges (SYNC-2).
    #[error("frame is not [version, salt, ranges]")]
    FrameShape,
    /// The frame's version is not [`VERSION`] (SYNC-2).
    #[error("unsupported sync version")]
    Version,
    /// A reply's salt is not the session's (SYNC-2).
    #[error("reply carries another session's salt")]
    Salt,
    /// A range is not an array of the fields its mode needs, or its mode is unknown (SYNC-4).
    #[error("range {index} is malformed")]
    RangeShape {
        /// The range's position in the frame.
        index: usize,
    },
    /// A bound's prefix is longer than 32 bytes or ends in a zero byte, or the infinite bound has a
    /// prefix (SYNC-3).
    #[error("range {index} has a non-canonical bound")]
    BoundPrefix {
        /// The range's position in the frame.
        index: usize,
    },
    /// A bound is not above the previous one, or its time overflows (SYNC-3).
    #[error("range {index} does not ascend")]
    BoundOrder {
        /// The range's position in the frame.
        index: usize,
    },
    /// A skip range ends the frame or follows another skip range (SYNC-4).
    #[error("range {index} is a redundant skip")]
    Skip {
        /// The range's position in the frame.
        index: usize,
    },
    /// A payload has the wrong length or carries more than [`LEAF`] tags or ids (SYNC-5).
    #[error("range {index} has a malformed payload")]
    Payload {
        /// The range's position in the frame.
        index: usize,
    },
    /// A resolve's bitmap is not exactly one bit per item the receiver holds in the range, with zero
    /// padding (SYNC-8).
    #[error("range {index} has a bitmap that does not match the receiver's items")]
    Bitmap {
        /// The range's position in the frame.
        index: usize,
    },
    /// A mode this side never receives: ids sent to the responder, or a resolve for a range where the
    /// receiver sent no tags (SYNC-8).
    #[error("range {index} has a mode this side does not accept here")]
    Mode {
        /// The range's position in the frame.
        index: usize,
    },
    /// An item's time is `2^64 − 1`, which bounds reserve for infinity (SYNC-3).
    #[error("an item's time is 2^64 - 1")]
    ItemTime,
    /// A heads page is not `[version, account, digest, count, [* [key, seq, id, count]]]` with
    /// 32-byte account, digest, keys and ids (SYNC-11).
    #[error("heads page is malformed")]
    HeadsShape,
    /// A heads page's version is not [`VERSION`] (SYNC-11).
    #[error("unsupported heads page version")]
    HeadsVersion,
    /// A heads page names another account than the one asked for (SYNC-11).
    #[error("heads page is for another account")]
    HeadsAccount,
    /// A heads page's keys do not ascend, or are not above the key the page was asked after
    /// (SYNC-11).
    #[error("key head {index} is out of order")]
    HeadsOrder {
        /// The key head's position in the page.
        index: usize,
    },
    /// A key head's `seq` is 0 or above `2^53 − 1`, its count is 0, the counts add up to more than
    /// the page's count, or the page holds more than [`HEADS_PAGE`] heads (SYNC-11; also for a `seq`
    /// out of range given to [`AccountHeads::new`]).
    #[error("key head {index} has an impossible value")]
    HeadsValue {
        /// The key head's position in the page.
        index: usize,
    },
    /// The name to verify is not a name of 05 PROFILE-3 (SYNC-13).
    #[error("not a name (a lower-case ASCII DNS name)")]
    NameSyntax,
    /// The account's current profile does not claim the name: no profile, no `handle`, or another
    /// name, e.g. a stale claim replaced by a newer profile (SYNC-13).
    #[error("the account's current profile does not claim the name")]
    NameUnclaimed,
    /// No TXT record `acct=…` at `_skylark.NAME`, or an empty well-known document (SYNC-12).
    #[error("the name's domain has no Skylark record")]
    NameNoRecord,
    /// More than one TXT record `acct=…` (SYNC-12).
    #[error("the name's domain has more than one Skylark record")]
    NameAmbiguous,
    /// The record does not hold exactly an account's text form (SYNC-12).
    #[error("the name's record is malformed")]
    NameRecord,
    /// The record names another account (SYNC-13).
    #[error("the name's domain names another account")]
    NameOtherAccount,
}

impl SyncError {
    /// The stable error code.
    ///
    /// ```
    /// assert_eq!(skylark::sync::SyncError::Version.code(), "sync.version");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Self::Cbor(e) => e.code(),
            Self::FrameShape => "sync.frame_shape",
            Self::Version => "sync.version",
            Self::Salt => "sync.salt",
            Self::RangeShape { .. } => "sync.range_shape",
            Self::BoundPrefix { .. } => "sync.bound_prefix",
            Self::BoundOrder { .. } => "sync.bound_order",
            Self::Skip { .. } => "sync.skip",
            Self::Payload { .. } => "sync.payload",
            Self::Bitmap { .. } => "sync.bitmap",
            Self::Mode { .. } => "sync.mode",
            Self::ItemTime => "sync.item_time",
            Self::HeadsShape => "sync.heads_shape",
            Self::HeadsVersion => "sync.heads_version",
            Self::HeadsAccount => "sync.heads_account",
            Self::HeadsOrder { .. } => "sync.heads_order",
            Self::HeadsValue { .. } => "sync.heads_value",
            Self::NameSyntax => "sync.name_syntax",
            Self::NameUnclaimed => "sync.name_unclaimed",
            Self::NameNoRecord => "sync.name_no_record",
            Self::NameAmbiguous => "sync.name_ambiguous",
            Self::NameRecord => "sync.name_record",
            Self::NameOtherAccount => "sync.name_other_account",
        }
    }

    /// The rule of `spec/09-exchange.md` the error enforces.
    ///
    /// ```
    /// assert_eq!(skylark::sync::SyncError::Version.rule(), "SYNC-2");
    /// ```
    pub fn rule(&self) -> &'static str {
        match self {
            Self::Cbor(_) => "SYNC-1",
            Self::FrameShape | Self::Version | Self::Salt => "SYNC-2",
            Self::BoundPrefix { .. } | Self::BoundOrder { .. } | Self::ItemTime => "SYNC-3",
            Self::RangeShape { .. } | Self::Skip { .. } => "SYNC-4",
            Self::Payload { .. } => "SYNC-5",
            Self::Bitmap { .. } | Self::Mode { .. } => "SYNC-8",
            Self::HeadsShape
            | Self::HeadsVersion
            | Self::HeadsAccount
            | Self::HeadsOrder { .. }
            | Self::HeadsValue { .. } => "SYNC-11",
            Self::NameNoRecord | Self::NameAmbiguous | Self::NameRecord => "SYNC-12",
            Self::NameSyntax | Self::NameUnclaimed | Self::NameOtherAccount => "SYNC-13",
        }
    }
}

#[cfg(test)]
mod tests;
