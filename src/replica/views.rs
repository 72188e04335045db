//! The indexes behind the typed queries: the merged state of the valid set (07), kept by the key of
//! each question a view answers, so that a message entering or leaving the set costs O(log n) and a
//! query reads only the entries of its answer.
//!
//! What is kept here is a function of the valid set alone, like `merge::State`: every index holds
//! the valid messages of one shape, and what depends on other messages — whether a message is
//! deleted (MERGE-2), undone (MERGE-6, MERGE-7) or the latest of its register (MERGE-1) — is read
//! at query time, except the follow and block graphs, whose current edges are kept materialized
//! and refreshed when a message of their register enters, leaves or is deleted.
//!
//! Memory (issue 18): the indexes are B-tree sets of small keys. Accounts in `profiles`,
//! `posts_by`, `mentions` and the follow and block graphs are 4-byte slots given in arrival order
//! (the order of accounts does not matter there, only that one account is one range; MERGE-1's
//! ties are still broken by the 32-byte id); the first three hold each account's stamps as a small
//! set ([`ByAccount`]); `reacts` and
//! `reposts` name their author by the entry's shared [`Origin`] (8 bytes, ordered by account,
//! then key). Each costs one map lookup per insertion or query: still `O(log n)` to insert or
//! remove a message, `O(log n + k)` to answer k results.

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use super::limits::Limits;
use super::small::SmallSet;
use crate::id::{AccountId, MessageId};
use crate::keys::PublicKey;
use crate::merge::gate::{left_out_of, Graph};
use crate::merge::{LeftOut, Origin};
use crate::message::Reference;

/// The order of MERGE-1: by time, then by id.
pub(super) type Stamp = (u64, MessageId);

pub(super) const ID_MIN: MessageId = MessageId::from_bytes([0; 32]);
pub(super) const ID_MAX: MessageId = MessageId::from_bytes([0xff; 32]);
pub(super) const ACCOUNT_MIN: AccountId = AccountId::from_bytes([0; 32]);
pub(super) const ACCOUNT_MAX: AccountId = AccountId::from_bytes([0xff; 32]);
pub(super) const STAMP_MIN: Stamp = (0, ID_MIN);
pub(super) const STAMP_MAX: Stamp = (u64::MAX, ID_MAX);

/// What one valid message of a social kind says: the effect the merge rules read (07).
pub(super) use crate::merge::Effect as Fact;

/// One valid message of a social kind: its header facts and what it says, the one entry the merged
/// state, the views and the limits share.
pub(super) use crate::merge::Entry;

/// An index by account: each account's stamps (MERGE-1), under its slot in [`Views::slots`], as a
/// [`SmallSet`] (most accounts have a handful: 40 bytes a stamp in a slice of exactly its length,
/// where one flat B-tree of 44-byte (slot, time, id) keys in nodes two thirds full cost 66).
pub(super) type ByAccount = BTreeMap<u32, SmallSet<Stamp>>;

/// Adds (`on`) or removes a stamp of an account in an index by account, dropping empty sets.
fn put_by(index: &mut ByAccount, slot: u32, stamp: Stamp, on: bool) {
    if on {
        index.entry(slot).or_default().insert(stamp);
    } else if let Some(set) = index.get_mut(&slot) {
        set.remove(&stamp);
        if set.is_empty() {
            index.remove(&slot);
        }
    }
}

/// A message of a MERGE-8 register: the account's and the subject's slots in [`Views::slots`]
/// (big-endian), the stamp (time big-endian, id) and whether it turns the edge on, as 49 bytes
/// whose order is that of the tuple, instead of 112 for a tuple with the 32-byte accounts. One
/// register, (account, subject), is one range; the order of registers does not matter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Register([u8; 49]);

impl Register {
    fn new(account: u32, subject: u32, (time, id): Stamp, on: bool) -> Register {
        let mut bytes = [0; 49];
        bytes[..4].copy_from_slice(&account.to_be_bytes());
        bytes[4..8].copy_from_slice(&subject.to_be_bytes());
        bytes[8..16].copy_from_slice(&time.to_be_bytes());
        bytes[16..48].copy_from_slice(id.as_bytes());
        bytes[48] = u8::from(on);
        Register(bytes)
    }

    fn id(&self) -> MessageId {
        let mut id = [0; 32];
        id.copy_from_slice(&self.0[16..48]);
        MessageId::from_bytes(id)
    }

    fn on(&self) -> bool {
        self.0[48] != 0
    }
}

/// A current edge of the follow or block graph: the first account's slot in [`Views::slots`], then
/// the second account (36 bytes instead of 64). The accounts of one first account are one range,
/// in the order of their bytes, as the queries list them.
pub(super) type Edge = (u32, AccountId);

/// The follow graph (0) and the block graph (1).
pub(super) const FOLLOW: usize = 0;
pub(super) const BLOCK: usize = 1;

/// The indexes of the valid set, less what the storage limits prune (07 §2.5).
#[derive(Clone, Debug, Default)]
pub(super) struct Views {
    /// LIMIT-1..LIMIT-3 over the valid messages of a social kind, which it holds by id with
    /// whether the views show them (those the limits keep): every index below is of these.
    limits: Limits,
    /// MERGE-2: target -> the valid whole deletes naming it (never an empty set).
    deleted_by: BTreeMap<MessageId, BTreeSet<MessageId>>,
    /// MERGE-6, MERGE-7: react or repost -> the valid whole undos naming it (never empty).
    undone_by: BTreeMap<MessageId, BTreeSet<MessageId>>,
    /// The slot of every account that `profiles`, `posts_by`, `mentions` and the follow and block
    /// graphs name, in the order they came (never reused: one entry per account).
    slots: BTreeMap<AccountId, u32>,
    /// Whole profiles by author ([`ByAccount`]).
    profiles: ByAccount,
    /// Whole posts by author ([`ByAccount`]).
    posts_by: ByAccount,
    /// Whole replies by parent (a thread is walked from its root through these, [`Replica::thread`]:
    /// no index by thread root is kept).
    ///
    /// [`Replica::thread`]: super::Replica::thread
    pub(super) replies: BTreeSet<(MessageId, Stamp)>,
    pub(super) quotes: BTreeSet<(MessageId, Stamp)>,
    /// Whole posts by account mentioned ([`ByAccount`]).
    mentions: ByAccount,
    /// Whole edits by (target, replaces).
    pub(super) edits: BTreeSet<(MessageId, MessageId, Stamp)>,
    /// Whole reacts with a value (an emoji) by target, value and author (account, then key: the
    /// entry's shared [`Origin`], 8 bytes instead of the account's 32).
    pub(super) reacts: BTreeSet<(MessageId, Box<str>, Arc<Origin>, MessageId)>,
    /// Whole reacts with the empty value (likes, most reacts) by target and author: as `reacts`
    /// without the value's 16 bytes.
    pub(super) likes: BTreeSet<(MessageId, Arc<Origin>, MessageId)>,
    /// Whole reposts by target and author (as `reacts`).
    pub(super) reposts: BTreeSet<(MessageId, Arc<Origin>, MessageId)>,
    /// The least origin, a bound for ranges over `reacts`, `likes` and `reposts` (one allocation per
    /// replica rather than one per query).
    pub(super) least: Arc<Origin>,
    /// MERGE-8 registers: (account, subject, stamp, on) of every whole follow/unfollow
    /// (block/unblock), as a [`Register`].
    graph: [BTreeSet<Register>; 2],
    /// The current edges, (account, subject), and reversed, (subject, account), as [`Edge`]s.
    edges: [BTreeSet<Edge>; 2],
    reverse: [BTreeSet<Edge>; 2],
    /// VIEW-1 registers: (author, post, stamp) of every whole gate that counts (not deleted), kept
    /// as gates and their deletes enter and leave: the last of a register is the gate in force,
    /// found in O(log n) however many deleted gates the author piled up.
    pub(super) gates: BTreeSet<(AccountId, MessageId, Stamp)>,
    /// MERGE-9 registers: (labeler, subject, value, stamp) of every whole label.
    pub(super) labels: BTreeSet<(AccountId, Reference, String, Stamp)>,
    /// MERGE-10: the places of a key's history that two or more shown messages hold. The
    /// messages at a place are those LIMIT-1 keeps there (at most two) that the views show.
    pub(super) equivocal: BTreeSet<(PublicKey, u64)>,
}

impl Views {
    /// Each index, for [`super::Replica::memory_parts`].
    pub(super) fn memory_parts(
        &self,
        measure: &mut dyn FnMut(&'static str, &dyn Fn() -> super::Part),
    ) {
        self.limits.memory_parts(measure);
        macro_rules! part {
            ($($field:ident),*) => {$(
                measure(concat!("views.", stringify!($field)), &|| {
                    (alloc::boxed::Box::new(self.$field.clone()), 0)
                });
            )*};
        }
        part!(
            deleted_by, undone_by, slots, profiles, posts_by, replies, quotes, mentions, edits,
            reacts, likes, reposts, graph, edges, reverse, gates, labels, equivocal
        );
    }

    /// The merged state of the valid set (07): the entries the limits hold.
    pub(super) fn state(&self) -> &crate::merge::State {
        self.limits.state()
    }

    /// How many valid messages of a social kind are held, shown or not.
    pub(super) fn len(&self) -> usize {
        self.limits.len()
    }

    /// Whether the merged state holds a message (shown or not).
    pub(super) fn holds(&self, id: &MessageId) -> bool {
        self.limits.entry(id).is_some()
    }

    /// Appends to `out` the messages of the merged state whose header names `account` and that
    /// `key` signed (any key of the account if `None`): `O(log n)` per key, and per message.
    pub(super) fn signed_by(
        &self,
        account: &AccountId,
        key: Option<&PublicKey>,
        out: &mut Vec<MessageId>,
    ) {
        self.limits.signed_by(account, key, out);
    }

    /// The entry of a message the views show.
    pub(super) fn entry(&self, id: &MessageId) -> Option<&Entry> {
        self.limits.entry(id).filter(|_| !self.limits.unshown(id))
    }

    /// The shown messages at one place of a key's history (MERGE-10), in increasing order: among
    /// the at most two that LIMIT-1 keeps there, since the views show no other.
    pub(super) fn place(&self, place: &(PublicKey, u64)) -> Vec<MessageId> {
        let mut ids: Vec<MessageId> = self
            .limits
            .kept_at(&place.0, place.1)
            .filter(|id| self.entry(id).is_some())
            .collect();
        ids.sort_unstable();
        ids
    }

    /// Records whether two or more shown messages hold `place`.
    fn refresh_place(&mut self, place: (PublicKey, u64)) {
        if self.place(&place).len() >= 2 {
            self.equivocal.insert(place);
        } else {
            self.equivocal.remove(&place);
        }
    }

    /// Whether a valid whole delete names `id` (MERGE-2).
    pub(super) fn deleted(&self, id: &MessageId) -> bool {
        self.deleted_by.contains_key(id)
    }

    /// Whether a counting undo names this react or repost.
    pub(super) fn undone(&self, id: &MessageId) -> bool {
        self.undone_by
            .get(id)
            .is_some_and(|undos| undos.iter().any(|u| !self.deleted(u)))
    }

    /// `entry` boxed, sharing its origin with the entries held ([`Limits::intern`]).
    pub(super) fn intern(&mut self, entry: Entry) -> Box<Entry> {
        self.limits.intern(entry)
    }

    /// Adds the entry of a valid message, not held (the replica takes what it held first,
    /// [`Views::take`]).
    pub(super) fn add(&mut self, id: MessageId, entry: Box<Entry>) {
        let changed = self.limits.insert(id, entry);
        self.show_kept(&changed);
        // A message whose delete arrived first: the registers it belongs to already skip it.
    }

    /// Removes the message with this id, if held, returning its entry.
    pub(super) fn take(&mut self, id: &MessageId) -> Option<Box<Entry>> {
        self.limits.entry(id)?;
        let changed = self.limits.remove(id);
        // `id` is among `changed`, and is hidden (unindexed) before it goes.
        self.show_kept(&changed);
        self.limits.forget(id)
    }

    /// The bytes the replica holds of a message of the merged state ([`Entry::held`]).
    pub(super) fn held(&self, id: &MessageId) -> Option<&[u8]> {
        self.limits.held(id)
    }

    /// The same, to change them.
    pub(super) fn held_mut(&mut self, id: &MessageId) -> Option<&mut Box<[u8]>> {
        self.limits.held_mut(id)
    }

    /// Shows or hides each of `ids` as the limits now keep or prune it.
    fn show_kept(&mut self, ids: &[MessageId]) {
        for id in ids {
            let keep = self.limits.kept(id);
            let shown = !self.limits.unshown(id);
            if keep == shown {
                continue;
            }
            // A copy, as indexing writes the views beside the limits that hold the entry (without
            // the message's bytes: one allocation at most, for the few effects with boxed parts,
            // on each change of shown).
            let Some(entry) = self.limits.entry(id).map(Entry::without_bytes) else {
                continue;
            };
            match (keep, shown) {
                (true, false) => {
                    self.index(*id, &entry, true);
                    self.limits.show(id, true);
                    self.refresh_place((*entry.key(), entry.seq));
                }
                (false, true) => {
                    self.limits.show(id, false);
                    self.index(*id, &entry, false);
                    self.refresh_place((*entry.key(), entry.seq));
                }
                _ => {}
            }
        }
    }

    /// Inserts (`on`) or removes the index entries of one message.
    fn index(&mut self, id: MessageId, e: &Entry, on: bool) {
        fn put<T: Ord>(set: &mut BTreeSet<T>, item: T, on: bool) {
            if on {
                set.insert(item);
            } else {
                set.remove(&item);
            }
        }
        let stamp = (e.time, id);
        match &e.effect {
            Fact::Withheld { .. } => {}
            Fact::Profile => {
                let slot = self.slot(e.account());
                put_by(&mut self.profiles, slot, stamp, on)
            }
            Fact::Post { mentions, .. } => {
                let slot = self.slot(e.account());
                put_by(&mut self.posts_by, slot, stamp, on);
                if let Some((_, parent)) = e.effect.reply() {
                    put(&mut self.replies, (parent, stamp), on);
                }
                if let Some(q) = e.effect.quote() {
                    put(&mut self.quotes, (q, stamp), on);
                }
                for m in mentions.iter() {
                    let slot = self.slot(m);
                    put_by(&mut self.mentions, slot, stamp, on);
                }
            }
            Fact::Edit { target, replaces } => {
                put(&mut self.edits, (*target, **replaces, stamp), on)
            }
            Fact::Delete(target) => {
                let was = self.deleted(target);
                link(&mut self.deleted_by, *target, id, on);
                if was != self.deleted(target) {
                    self.count_changed(target);
                }
            }
            Fact::React { target, .. } => match e.effect.value() {
                "" => put(&mut self.likes, (*target, Arc::clone(&e.origin), id), on),
                value => put(
                    &mut self.reacts,
                    (*target, value.into(), Arc::clone(&e.origin), id),
                    on,
                ),
            },
            Fact::Repost { target, .. } => {
                put(&mut self.reposts, (*target, Arc::clone(&e.origin), id), on)
            }
            Fact::Unreact(target) | Fact::Unrepost(target) => {
                link(&mut self.undone_by, *target, id, on)
            }
            Fact::Follow(subject, state) | Fact::Block(subject, state) => {
                let g = if matches!(e.effect, Fact::Follow(..)) {
                    FOLLOW
                } else {
                    BLOCK
                };
                let register =
                    Register::new(self.slot(e.account()), self.slot(subject), stamp, *state);
                put(&mut self.graph[g], register, on);
                self.refresh_edge(g, *e.account(), *subject);
            }
            Fact::Label(label) => put(
                &mut self.labels,
                (*e.account(), label.subject, label.value.clone(), stamp),
                on,
            ),
            Fact::Gate { target, .. } => {
                let counts = on && !self.deleted(&id);
                put(&mut self.gates, (*e.account(), *target, stamp), counts)
            }
        }
    }

    /// The slot of an account in the indexes by account, if it has one.
    fn slot_of(&self, account: &AccountId) -> Option<u32> {
        self.slots.get(account).copied()
    }

    /// The accounts paired with `account` in `edges` (`edges` or `reverse` of one graph), in order:
    /// `O(log n)` to find, `O(1)` each.
    pub(super) fn edges_of(&self, g: usize, reverse: bool, account: &AccountId) -> Vec<AccountId> {
        let edges = if reverse {
            &self.reverse[g]
        } else {
            &self.edges[g]
        };
        self.slot_of(account).map_or_else(Vec::new, |slot| {
            edges
                .range((slot, ACCOUNT_MIN)..=(slot, ACCOUNT_MAX))
                .map(|(_, other)| *other)
                .collect()
        })
    }

    /// The slot of an account in the indexes by account, given when first asked for.
    fn slot(&mut self, account: &AccountId) -> u32 {
        if let Some(slot) = self.slots.get(account) {
            return *slot;
        }
        // Fewer than 2^32 accounts fit in memory: each slot costs more than a byte.
        let slot = u32::try_from(self.slots.len()).unwrap_or(u32::MAX);
        self.slots.insert(*account, slot);
        slot
    }

    /// The stamps of one account in `set` (`profiles`, `posts_by` or `mentions`) from `lo` to
    /// `hi`, in increasing order: O(log n) to find, O(1) each.
    fn by_account<'a>(
        &'a self,
        set: &'a ByAccount,
        account: &AccountId,
        lo: Stamp,
        hi: Stamp,
    ) -> impl DoubleEndedIterator<Item = Stamp> + 'a {
        self.slots
            .get(account)
            .and_then(|slot| set.get(slot))
            .into_iter()
            .flat_map(move |stamps| stamps.range(lo..=hi).copied())
    }

    /// An account's profiles, by MERGE-1.
    pub(super) fn profiles_of(
        &self,
        account: &AccountId,
    ) -> impl DoubleEndedIterator<Item = Stamp> + '_ {
        self.by_account(&self.profiles, account, STAMP_MIN, STAMP_MAX)
    }

    /// An account's posts, by MERGE-1, up to `hi`.
    pub(super) fn posts_of(
        &self,
        account: &AccountId,
        hi: Stamp,
    ) -> impl DoubleEndedIterator<Item = Stamp> + '_ {
        self.by_account(&self.posts_by, account, STAMP_MIN, hi)
    }

    /// The posts mentioning an account, by MERGE-1, up to `hi`.
    pub(super) fn mentions_of(
        &self,
        account: &AccountId,
        hi: Stamp,
    ) -> impl DoubleEndedIterator<Item = Stamp> + '_ {
        self.by_account(&self.mentions, account, STAMP_MIN, hi)
    }

    /// A message was deleted or undeleted: refresh the materialized views it belongs to.
    fn count_changed(&mut self, id: &MessageId) {
        let Some(entry) = self.entry(id) else {
            return;
        };
        match entry.effect {
            Fact::Follow(subject, _) => self.refresh_edge(FOLLOW, *entry.account(), subject),
            Fact::Block(subject, _) => self.refresh_edge(BLOCK, *entry.account(), subject),
            Fact::Gate { target, .. } => {
                let register = (*entry.account(), target, (entry.time, *id));
                if self.deleted(id) {
                    self.gates.remove(&register);
                } else {
                    self.gates.insert(register);
                }
            }
            _ => {}
        }
    }

    /// MERGE-8: the edge (account, subject) is on iff the latest counting message of its register
    /// says so.
    fn refresh_edge(&mut self, g: usize, account: AccountId, subject: AccountId) {
        let (a, s) = (self.slot(&account), self.slot(&subject));
        let latest = self.graph[g]
            .range(Register::new(a, s, STAMP_MIN, false)..=Register::new(a, s, STAMP_MAX, true))
            .rev()
            .find(|r| !self.deleted(&r.id()))
            .map(|r| r.on());
        if latest == Some(true) {
            self.edges[g].insert((a, subject));
            self.reverse[g].insert((s, account));
        } else {
            self.edges[g].remove(&(a, subject));
            self.reverse[g].remove(&(s, account));
        }
    }
}

/// VIEW-1..VIEW-4 read from the indexes (the same rules as the merge's summary, `merge::gate`).
impl Graph for Views {
    fn owner(&self, post: &MessageId) -> Option<(AccountId, &[AccountId])> {
        let e = self.entry(post)?;
        match &e.effect {
            Fact::Post { mentions, .. } if !self.deleted(post) => Some((*e.account(), mentions)),
            Fact::Post { .. } | Fact::Withheld { post: true, .. } => Some((*e.account(), &[])),
            _ => None,
        }
    }

    fn root(&self, post: &MessageId) -> Option<MessageId> {
        let effect = &self.entry(post)?.effect;
        match effect {
            Fact::Post { .. } if !self.deleted(post) => {
                Some(effect.reply().map_or(*post, |(root, _)| root))
            }
            _ => None,
        }
    }

    fn gate(&self, owner: &AccountId, post: &MessageId) -> Option<&Fact> {
        self.gates
            .range((*owner, *post, STAMP_MIN)..=(*owner, *post, STAMP_MAX))
            .next_back()
            .and_then(|(_, _, (_, id))| self.entry(id))
            .map(|e| &e.effect)
    }

    fn follows(&self, account: &AccountId, subject: &AccountId) -> bool {
        self.slot_of(account)
            .is_some_and(|a| self.edges[FOLLOW].contains(&(a, *subject)))
    }

    fn blocks(&self, account: &AccountId, subject: &AccountId) -> bool {
        self.slot_of(account)
            .is_some_and(|a| self.edges[BLOCK].contains(&(a, *subject)))
    }
}

impl Views {
    /// What VIEW-2..VIEW-4 leave out of the live post `id` (empty for anything else).
    pub(super) fn left_out(&self, id: &MessageId) -> LeftOut {
        match self.entry(id) {
            Some(e) if !self.deleted(id) => left_out_of(self, id, e.account(), &e.effect),
            _ => LeftOut::default(),
        }
    }
}

/// Adds or removes `id` in the set of `key`, dropping empty sets.
fn link(
    map: &mut BTreeMap<MessageId, BTreeSet<MessageId>>,
    key: MessageId,
    id: MessageId,
    on: bool,
) {
    if on {
        map.entry(key).or_default().insert(id);
    } else if let Some(set) = map.get_mut(&key) {
        set.remove(&id);
        if set.is_empty() {
            map.remove(&key);
        }
    }
}
