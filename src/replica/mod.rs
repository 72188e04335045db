//! The replica: the engine an app embeds, from bytes to the views it shows.
//!
//! A [`Replica`] holds what a node holds — every message that passed layer 1, whole or as a
//! stripped remainder (a whole message beats its remainder, 05 §2.4, 07 §2.1), the key state of
//! every account ([`Accounts`]), and each message's current [`Status`] — and keeps the merged state
//! of its valid messages (07) with typed queries over it. It is pure, like the rest of the crate:
//! the time is a parameter ([`Replica::new`], [`Replica::advance`]), the random numbers of batch
//! verification too ([`Replica::ingest_batch`]).
//!
//! Messages come in any order, one at a time or in batches, any number of times, and the replica
//! keeps itself right **incrementally**:
//!
//! - key operations go to the account state first (06 §7), then every message is validated
//!   (05 §2) against the replica itself: headers of any message that passed layer 1, the account
//!   state's authorization, and the replica's `now`;
//! - an undecided message waits, indexed by what it misses, and is validated again as soon as that
//!   arrives; [`Replica::missing`] lists what to fetch;
//! - when an account's head state changes (a delegation, a revocation with a cutoff, a recovery
//!   fork, a revocation that a tie or a contest applies under an unchanged head), the messages it
//!   can affect — and only those — are validated again (06 §9.4): those of the keys whose root role
//!   or grant differs between the two head states, found by comparing the states' shared maps in
//!   time proportional to the change; every message naming the account when its genesis arrives;
//! - [`Replica::advance`] validates again the messages that were too far in the future
//!   (`msg.time_in_future`, MSG-2);
//! - a message whose status turns leaves (or enters) the merged state.
//!
//! The result is always the one a computation from scratch over the same messages gives (GEN-4):
//! the statuses are those that validating each held message against everything held gives, and
//! [`Replica::digest`] is that of [`merge::State`] over the valid ones.
//!
//! ```
//! use skylark::account::{Accounts, Operation};
//! use skylark::message::{BodyKind, Missing, Post};
//! use skylark::replica::{Replica, Signer, Status};
//! use skylark::keys::SecretKey;
//!
//! let t0 = 1_764_115_200_000;
//! let (root, app) = (SecretKey::from_seed([1; 32]), SecretKey::from_seed([2; 32]));
//! let mut root_signer = Signer::new(root, skylark::id::AccountId::from_bytes([0; 32]));
//! let genesis = root_signer.sign_operation(&Operation::genesis(&[root_signer.public_key()], t0)?)?;
//! let alice = Accounts::account_id(&genesis);
//! let delegation = Operation::delegation(alice, app.public_key())
//!     .parent(genesis.id())
//!     .expires(t0 + 86_400_000)
//!     .build(t0)?.accepted_by(&app)?;
//! let delegate = root_signer.sign_operation(&delegation)?;
//! let mut alice_app = Signer::new(app, alice);
//! let post = alice_app.sign(&Post::builder().text("hello").build()?, t0 + 1)?;
//!
//! // Any order: the post waits for the account, then is valid.
//! let mut replica = Replica::new(t0 + 2);
//! assert!(matches!(replica.ingest(post.as_bytes())?, Status::Undecided(_)));
//! replica.ingest(delegate.as_bytes())?;
//! // What to fetch: the genesis (the delegation's parent), and the account the post names.
//! assert!(replica.missing().contains(&Missing::Message(genesis.id())));
//! assert!(replica.missing().contains(&Missing::Account(alice)));
//! replica.ingest(genesis.as_bytes())?;
//! assert_eq!(replica.status(&post.id()), Some(&Status::Valid));
//! assert_eq!(replica.post(&post.id()).and_then(|p| p.text), Some("hello".into()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod group;
mod ingest;
mod interactions;
mod limits;
mod query;
mod signer;
mod small;
mod views;

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;

use crate::account::Accounts;
use crate::envelope::{Header, SignedMessage};
use crate::id::{AccountId, MessageId};
use crate::keys::KeyCache;
use crate::merge;
use crate::message::{AuthError, Authorization, Missing, ValidationError};

pub use query::{Cursor, Page, PostState, PostView, ProfileView, Thread, ThreadEntry};
pub use signer::{Signer, SignerError};

/// The current status of a held message: its verdict (05 §2.2) against everything the replica
/// holds, at the replica's `now`.
///
/// A status is current, not final. Exactly these changes happen, each for a stated reason:
///
/// - **Undecided → Valid or Invalid**: what it missed arrived (a header, an account's genesis, the
///   operation an operation follows).
/// - **Valid ↔ Invalid (`auth.*`)**: the head state of its account changed — a revocation with or
///   without a cutoff, a recovery or rotation fork that drops or restores the delegation it relied on
///   (06 §9.4). For an operation, the status is that of the account state, which a late invalid
///   parent can turn.
/// - **Invalid (`msg.time_in_future`) → decided**: `now` advanced past its time minus the skew.
/// - Every other Invalid (body rules, history MSG-4, targets) depends only on signed headers and
///   bodies, and never changes.
///
/// ```
/// use skylark::replica::Status;
/// assert_eq!(Status::Valid, Status::Valid);
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Valid: the message is in the merged state.
    Valid,
    /// Invalid, for this reason (the first rule that failed).
    Invalid(ValidationError),
    /// Not decidable with what is held; these items are missing, in the order validation asked for
    /// them.
    Undecided(Vec<Missing>),
}

/// Where key authorization comes from.
#[derive(Clone, Debug)]
enum Authority {
    /// The account state of the replica (06 §9).
    Accounts,
    /// One answer for every message, and one for every capability, as
    /// [`crate::message::MemoryContext`] gives.
    Fixed(Authorization, Authorization),
}

/// What an undecided message waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Need {
    /// The header (or, for an operation, the account-state status) of a message.
    Message(MessageId),
    /// The genesis of an account.
    Account(AccountId),
}

/// One held message that the merged state does not hold: 16 bytes besides its bytes (its flags
/// ride at the end of its bytes' allocation rather than in the padding of the held map's nodes,
/// and the status of the few that are not valid is in [`Replica::unsettled`]). The merged state's
/// entry of a message holds the same bytes instead ([`merge::Entry::held`]), so that a valid
/// message is in one map by id, not two.
#[derive(Clone, Debug)]
struct Held {
    /// The message's bytes, whole or its remainder, then one byte of flags ([`STRIPPED`],
    /// [`OPERATION`], [`MERGED`], [`MERGED_WHOLE`]): decoded again when read ([`HeldRef::message`]),
    /// so that a held message costs its bytes and a few more, not its decoded header (336 bytes)
    /// besides.
    bytes: Box<[u8]>,
}

/// The bytes of a held message, wherever they are held (the held map or the merged state's
/// entry): the message's bytes, then its flags byte.
#[derive(Clone, Copy)]
struct HeldRef<'a>(&'a [u8]);

/// A held message's bytes in the merged state's entry, or else in the held map (an id is in one of
/// the two at most). The merged state is asked first: most messages looked up are valid ones (the
/// previous message of a key, a reply's parent, a reaction's target), and it spares them a search
/// of the held map.
fn held_in<'a>(
    held: &'a BTreeMap<MessageId, Held>,
    views: &'a views::Views,
    id: &MessageId,
) -> Option<HeldRef<'a>> {
    match views.held(id) {
        Some(bytes) => Some(HeldRef(bytes)),
        None => held.get(id).map(|h| HeldRef(&h.bytes)),
    }
}

/// Flag of a held message: its bytes are a remainder.
const STRIPPED: u8 = 1;
/// Flag of a held message: it is a key operation.
const OPERATION: u8 = 2;
/// Flag of a held message: it is in the merged state, ...
const MERGED: u8 = 4;
/// ... in its whole form.
const MERGED_WHOLE: u8 = 8;

/// The status of a held message that is not valid or asked for something it did not get.
#[derive(Clone, Debug)]
struct Unsettled {
    status: Status,
    /// What its validation asked for and did not get (its entries in the waiting index).
    needs: Box<[Need]>,
}

/// The status of every valid held message.
static VALID: Status = Status::Valid;

impl Held {
    /// A message taken, undecided.
    fn new(message: &SignedMessage) -> Held {
        let operation = crate::account::is_operation_kind(message.header().kind().as_str());
        Held {
            bytes: Self::with_flags(message, if operation { OPERATION } else { 0 }),
        }
    }

    /// The bytes of `message` and the flags byte: `flags`, with [`STRIPPED`] as `message` is.
    fn with_flags(message: &SignedMessage, flags: u8) -> Box<[u8]> {
        let stripped = if message.is_stripped() { STRIPPED } else { 0 };
        let bytes = message.as_bytes();
        let mut out = Vec::with_capacity(bytes.len() + 1);
        out.extend_from_slice(bytes);
        out.push((flags & !STRIPPED) | stripped);
        out.into_boxed_slice()
    }

    /// The message's own bytes.
    fn message_bytes(&self) -> &[u8] {
        HeldRef(&self.bytes).message_bytes()
    }
}

/// Records in held bytes whether the message is in the merged state, and in which form.
fn set_merged(bytes: &mut [u8], merged: Option<bool>) {
    let bits = match merged {
        None => 0,
        Some(false) => MERGED,
        Some(true) => MERGED | MERGED_WHOLE,
    };
    if let Some(flags) = bytes.last_mut() {
        *flags = (*flags & !(MERGED | MERGED_WHOLE)) | bits;
    }
}

/// Holds `message` (the whole of a held remainder) in `bytes` instead of what was held.
fn hold(bytes: &mut Box<[u8]>, message: &SignedMessage) {
    let flags = HeldRef(bytes).flags();
    *bytes = Held::with_flags(message, flags);
}

impl<'a> HeldRef<'a> {
    /// The flags byte (the last of the bytes).
    fn flags(self) -> u8 {
        self.0.last().copied().unwrap_or(0)
    }

    /// The message's own bytes.
    fn message_bytes(self) -> &'a [u8] {
        self.0.split_last().map_or(&[], |(_, bytes)| bytes)
    }

    /// Whether the bytes held are a remainder.
    fn stripped(self) -> bool {
        self.flags() & STRIPPED != 0
    }

    /// Whether it is a key operation.
    fn operation(self) -> bool {
        self.flags() & OPERATION != 0
    }

    /// Whether the message is valid (in the merged state if the merge rules read its kind), and
    /// in which form (`true`: whole).
    fn merged(self) -> Option<bool> {
        let flags = self.flags();
        (flags & MERGED != 0).then_some(flags & MERGED_WHOLE != 0)
    }

    /// The held message, decoded again from its bytes (verified when they were taken).
    fn message(self) -> Option<SignedMessage> {
        SignedMessage::from_verified_bytes(self.message_bytes()).ok()
    }

    /// The held message's header, decoded again from its bytes (without the rest of
    /// [`HeldRef::message`]'s work).
    fn header(self) -> Option<crate::envelope::Header> {
        SignedMessage::header_of_verified_bytes(self.message_bytes()).ok()
    }
}

/// A node's messages, account state, verdicts and merged state, kept right incrementally. See the
/// [module documentation](self).
///
/// ```
/// let replica = skylark::replica::Replica::new(1_764_115_200_000);
/// assert!(replica.is_empty());
/// assert_eq!(replica.digest(), skylark::merge::State::new().digest(1_764_115_200_000));
/// ```
#[derive(Clone)]
pub struct Replica {
    now: u64,
    authority: Authority,
    accounts: Accounts,
    /// The messages held that the merged state does not hold (operations, messages not valid,
    /// kinds the merge rules do not read): the merged state's entries hold the others' bytes.
    held: BTreeMap<MessageId, Held>,
    /// The status of every held message that is not valid or whose validation asked for something
    /// it did not get (few: a status is 88 bytes); every other held message is valid.
    unsettled: BTreeMap<MessageId, Unsettled>,
    /// (need, message) for every message whose validation asked for something not held.
    waiting: BTreeSet<(Need, MessageId)>,
    /// The messages that are not operations and that the merged state does not hold, by the
    /// account their header names and the key that signed them: a change of one key's grant
    /// re-evaluates that key's messages only — these, and those of the merged state, which the
    /// views find by key ([`views::Views::signed_by`]) so that a valid message is not indexed
    /// twice.
    by_key: BTreeMap<(AccountId, [u8; 32]), small::SmallSet<MessageId>>,
    /// Messages found `msg.time_in_future`, by time.
    future: BTreeSet<(u64, MessageId)>,
    /// The indexes of the valid set; they hold its merged state.
    views: views::Views,
    keys: KeyCache,
}

impl Replica {
    /// The bytes of a held message, wherever they are held.
    fn held_ref(&self, id: &MessageId) -> Option<HeldRef<'_>> {
        held_in(&self.held, &self.views, id)
    }

    /// Holds `message` (the whole of a held remainder) instead of what was held under its id.
    fn hold(&mut self, id: &MessageId, message: &SignedMessage) {
        if let Some(held) = self.held.get_mut(id) {
            hold(&mut held.bytes, message);
        } else if let Some(bytes) = self.views.held_mut(id) {
            hold(bytes, message);
        }
    }
}

impl core::fmt::Debug for Replica {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Replica")
            .field("now", &self.now)
            .field("held", &self.len())
            .field("valid", &self.views.state().len())
            .field("waiting", &self.waiting.len())
            .field("accounts", &self.accounts.len())
            .finish()
    }
}

/// A copy made for the memory probe ([`Replica::memory_parts`]), and the bytes of it not to count.
#[doc(hidden)]
pub type Part = (Box<dyn core::any::Any>, usize);

/// Public keys cached for batch and single verification.
const KEY_CACHE: usize = 16_384;

impl Replica {
    /// An empty replica at time `now` (milliseconds since the Unix epoch), authorizing messages by
    /// the account state it holds.
    ///
    /// ```
    /// let replica = skylark::replica::Replica::new(5);
    /// assert_eq!(replica.now(), 5);
    /// ```
    pub fn new(now: u64) -> Self {
        Self::with_authority(now, Authority::Accounts)
    }

    /// An empty replica that answers `authorization` for every message instead of asking its
    /// account state — the context shape of the merge test vectors and of tools that look at
    /// messages without their accounts. Key operations still go to the account state.
    ///
    /// ```
    /// use skylark::message::{Authorization, BodyKind, Post};
    /// use skylark::replica::{Replica, Status};
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let post = Post::builder().text("hi").build()?.draft(skylark::id::AccountId::from_bytes([1; 32]), 0)?.sign(&key)?;
    /// let mut replica = Replica::with_authorization(0, Authorization::Authorized);
    /// assert_eq!(replica.ingest(post.as_bytes())?, Status::Valid);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_authorization(now: u64, authorization: Authorization) -> Self {
        Self::with_authority(
            now,
            Authority::Fixed(authorization, Authorization::Denied(AuthError::OutOfScope)),
        )
    }

    /// Like [`Replica::with_authorization`], with one answer for every capability question as well
    /// (rule AUTH-7; [`crate::message::Context::grants`]), as the test vectors' `others` gives.
    ///
    /// ```
    /// use skylark::message::Authorization;
    /// let replica = skylark::replica::Replica::with_authorizations(
    ///     5, Authorization::Authorized, Authorization::Authorized);
    /// assert_eq!(replica.now(), 5);
    /// ```
    pub fn with_authorizations(
        now: u64,
        authorization: Authorization,
        grants: Authorization,
    ) -> Self {
        Self::with_authority(now, Authority::Fixed(authorization, grants))
    }

    fn with_authority(now: u64, authority: Authority) -> Self {
        Replica {
            now,
            authority,
            accounts: Accounts::new(),
            held: BTreeMap::new(),
            unsettled: BTreeMap::new(),
            waiting: BTreeSet::new(),
            by_key: BTreeMap::new(),
            future: BTreeSet::new(),
            views: views::Views::default(),
            keys: KeyCache::new(KEY_CACHE),
        }
    }

    /// The replica's current time.
    ///
    /// ```
    /// let mut replica = skylark::replica::Replica::new(5);
    /// replica.advance(9);
    /// assert_eq!(replica.now(), 9);
    /// ```
    pub fn now(&self) -> u64 {
        self.now
    }

    /// The number of messages held (by id, whole or remainder), whatever their status.
    ///
    /// ```
    /// assert_eq!(skylark::replica::Replica::new(0).len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.held.len() + self.views.state().len()
    }

    /// Whether no message is held.
    ///
    /// ```
    /// assert!(skylark::replica::Replica::new(0).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.held.is_empty() && self.views.state().is_empty()
    }

    /// The current status of a held message.
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// assert!(skylark::replica::Replica::new(0).status(&MessageId::from_bytes([1; 32])).is_none());
    /// ```
    pub fn status(&self, id: &MessageId) -> Option<&Status> {
        self.held_ref(id).map(|_| self.status_of(id))
    }

    /// A held message, whole if its whole form is held, else its remainder.
    ///
    /// ```
    /// use skylark::message::{Authorization, BodyKind, Post};
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let post = Post::builder().text("hi").build()?.draft(skylark::id::AccountId::from_bytes([1; 32]), 0)?.sign(&key)?;
    /// let mut replica = skylark::replica::Replica::with_authorization(0, Authorization::Authorized);
    /// replica.ingest(post.stripped().as_bytes())?;
    /// replica.ingest(post.as_bytes())?;
    /// assert!(!replica.message(&post.id()).expect("held").is_stripped()); // the whole beats its remainder
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn message(&self, id: &MessageId) -> Option<SignedMessage> {
        self.held_ref(id).and_then(HeldRef::message)
    }

    /// The header of any held message (valid or not: lookups answer every message that passed
    /// layer 1, 05 §2.1).
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// assert!(skylark::replica::Replica::new(0).header(&MessageId::from_bytes([1; 32])).is_none());
    /// ```
    pub fn header(&self, id: &MessageId) -> Option<Header> {
        self.message(id).map(|m| m.header().clone())
    }

    /// The held messages whose status is [`Status::Valid`], by id: the set the merged state is of.
    ///
    /// ```
    /// assert_eq!(skylark::replica::Replica::new(0).valid().count(), 0);
    /// ```
    pub fn valid(&self) -> impl Iterator<Item = SignedMessage> + '_ {
        // The held map and the merged state's entries, merged by id.
        let mut held = self.held.iter().map(|(id, h)| (id, &*h.bytes)).peekable();
        let mut merged = self.views.state().held_bytes().peekable();
        core::iter::from_fn(move || match (held.peek(), merged.peek()) {
            (Some(h), Some(m)) if h.0 > m.0 => merged.next(),
            (Some(_), _) => held.next(),
            (None, _) => merged.next(),
        })
        .filter(|(id, _)| *self.status_of(id) == Status::Valid)
        .filter_map(|(_, bytes)| HeldRef(bytes).message())
    }

    /// The account state: every account's keys and operations (06).
    ///
    /// ```
    /// assert!(skylark::replica::Replica::new(0).accounts().is_empty());
    /// ```
    pub fn accounts(&self) -> &Accounts {
        &self.accounts
    }

    /// The merged state of the valid messages (07).
    ///
    /// ```
    /// assert!(skylark::replica::Replica::new(0).state().is_empty());
    /// ```
    pub fn state(&self) -> &merge::State {
        self.views.state()
    }

    /// The state digest at the replica's `now` (MERGE-11): two replicas holding the same messages
    /// have the same digest.
    ///
    /// ```
    /// use skylark::replica::Replica;
    /// assert_eq!(Replica::new(7).digest(), Replica::new(7).digest());
    /// ```
    pub fn digest(&self) -> [u8; 32] {
        self.views.state().digest(self.now)
    }

    /// For the memory probe (`tests/replica_memory.rs`), not API: calls `measure` once for each
    /// structure the replica holds, with its name and a function that builds a copy of it (the
    /// entries shared behind `Arc`s copied deeply) and says how many of the copy's bytes to leave
    /// out (the messages' own bytes, the probe's own vector). A clone of a B-tree allocates the
    /// nodes of the original, so what the copy allocates is what the structure holds. A part whose
    /// name begins with "of which" is within the part before it, not besides it.
    #[doc(hidden)]
    pub fn memory_parts(&self, measure: &mut dyn FnMut(&'static str, &dyn Fn() -> Part)) {
        measure("held map (besides the messages' bytes)", &|| {
            let own = self.held.values().map(|h| h.message_bytes().len()).sum();
            (Box::new(self.held.clone()), own)
        });
        measure("unsettled", &|| (Box::new(self.unsettled.clone()), 0));
        measure("waiting", &|| (Box::new(self.waiting.clone()), 0));
        measure("by_key", &|| (Box::new(self.by_key.clone()), 0));
        measure("future", &|| (Box::new(self.future.clone()), 0));
        measure("key cache", &|| (Box::new(self.keys.clone()), 0));
        // The messages' own bytes in the entries (their flags byte is counted).
        let own = || -> usize {
            self.views
                .state()
                .held_bytes()
                .map(|(_, b)| HeldRef(b).message_bytes().len())
                .sum()
        };
        measure(
            "merged state (its map and its entries, with the held flags), held by the limits",
            &|| (Box::new(self.views.state().clone()), own()),
        );
        measure("of which the entries (Box<merge::Entry>, deep)", &|| {
            let v: Vec<Box<crate::merge::Entry>> = self
                .views
                .state()
                .entries()
                .map(|e| Box::new(e.clone()))
                .collect();
            let vec = v.capacity() * core::mem::size_of::<Box<crate::merge::Entry>>();
            (Box::new(v), vec + own())
        });
        self.views.memory_parts(measure);
    }

    /// The status of a held message (of any id: a message not held has none, [`Replica::status`]).
    fn status_of(&self, id: &MessageId) -> &Status {
        self.unsettled.get(id).map_or(&VALID, |u| &u.status)
    }

    /// Sets the status of a held message and what validation asked for, returning those they
    /// replace.
    fn settle(
        &mut self,
        id: MessageId,
        status: Status,
        needs: Box<[Need]>,
    ) -> (Status, Box<[Need]>) {
        let old = match (status, needs.is_empty()) {
            (Status::Valid, true) => self.unsettled.remove(&id),
            (status, _) => self.unsettled.insert(id, Unsettled { status, needs }),
        };
        match old {
            None => (Status::Valid, Box::default()),
            Some(old) => (old.status, old.needs),
        }
    }

    /// What to fetch: every message id and account that an undecided message waits for and that is
    /// not held, in order, without duplicates. A held message that is waited for (an operation
    /// whose own parent is missing) is not listed: what it waits for is.
    ///
    /// ```
    /// assert!(skylark::replica::Replica::new(0).missing().is_empty());
    /// ```
    pub fn missing(&self) -> Vec<Missing> {
        let mut out = Vec::new();
        let mut last = None;
        for (need, _) in &self.waiting {
            if last == Some(*need) {
                continue;
            }
            last = Some(*need);
            match need {
                Need::Message(id) if self.held_ref(id).is_none() => out.push(Missing::Message(*id)),
                Need::Account(a) if self.accounts.account(a).is_none() => {
                    out.push(Missing::Account(*a))
                }
                _ => {}
            }
        }
        out
    }
}
