//! Convergent state: the merge rules every node agrees on (`spec/07-merge.md`).
//!
//! [`State`] takes valid messages in any order, any number of times, and its [`State::summary`] and
//! [`State::digest`] depend only on the set of messages applied: applying is commutative,
//! associative and idempotent. Two nodes holding the same messages show the same profiles, the same
//! threads, the same counts and the same follow graph, and can check it by comparing one digest.
//!
//! Applying a message only records what it says (a few hundred bytes, never the text of a post);
//! the views are derived when asked for, by the rules MERGE-1 to MERGE-10:
//!
//! - **MERGE-1** the latest of several messages is the greatest by `(time, id)`;
//! - **MERGE-2** a deleted message never counts again, whatever order the delete and it arrive in;
//! - **MERGE-3** to **MERGE-9** profiles, posts and their edits, threads and quotes, reactions,
//!   reposts, follows and blocks, and labels (at the caller's `now`);
//! - **MERGE-10** messages at the same place of one key's history are kept (at most two, LIMIT-1),
//!   and the place is kept as evidence;
//! - **LIMIT-1** to **LIMIT-3** ([`limits`]): per place and per account and class of kinds, only so
//!   many messages count, chosen by MERGE-1; the state and digest are those of the pruned set;
//! - **VIEW-1** to **VIEW-4** (`merge/gate.rs`): replies, quotes and mentions that the root author's
//!   gate in force excludes or hides, or whose author the root author blocks, are left out of the
//!   threads, replies and quotes, and the post's entry says why (`left_out`).
//!
//! ```
//! use skylark::merge::State;
//! use skylark::message::{validate, Authorization, BodyKind, Follow, MemoryContext, Post, Verdict};
//! use skylark::id::AccountId;
//! # let key = skylark::keys::SecretKey::from_seed([1; 32]);
//! let alice = AccountId::from_bytes([1; 32]);
//! let post = Post::builder().text("hello").build()?.draft(alice, 1_000)?.sign(&key)?;
//! let follow = Follow::new(AccountId::from_bytes([2; 32])).draft(alice, 2_000)?.after(&post).sign(&key)?;
//! let context = MemoryContext::new(10_000, Authorization::Authorized).with(&post).with(&follow);
//! let valid: Vec<_> = [post, follow]
//!     .into_iter()
//!     .filter_map(|m| match validate(m, &context) { Verdict::Valid(v) => Some(v), _ => None })
//!     .collect();
//!
//! // Two nodes, opposite orders, one of them twice: the same digest.
//! let mut a = State::new();
//! let mut b = State::new();
//! for m in &valid { a.apply(m); }
//! for m in valid.iter().rev() { b.apply(m); b.apply(m); }
//! assert_eq!(a.digest(10_000), b.digest(10_000));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Ordering;

use crate::cbor::{Map, Value};
use crate::id::{self, AccountId, MessageId};
use crate::keys::PublicKey;
use crate::message::{Reference, ValidMessage};

mod entry;
pub(crate) mod gate;
pub mod limits;

pub(crate) use entry::{Effect, Entry, Origin};

pub use gate::{LeftOut, Reason};

/// The BLAKE3 `derive_key` context of the state digest (rule MERGE-11).
pub const STATE_DIGEST_CONTEXT: &str = "skylark v1 state digest";

/// The applied messages by id.
type Entries = BTreeMap<MessageId, Box<Entry>>;

/// The order of MERGE-1: by time, then by id.
type Stamp = (u64, MessageId);

/// What MERGE-9 keeps a latest message for: labeler, subject and value.
type LabelKey<'a> = (AccountId, Reference, &'a str);

/// The latest label message's stamp, whether it negates, and its expiry.
type LabelState = (Stamp, bool, Option<u64>);

/// The merged state of a set of valid messages.
///
/// ```
/// let state = skylark::merge::State::new();
/// assert_eq!(state.len(), 0);
/// // The digest of the empty state is fixed.
/// assert_eq!(state.digest(0), skylark::merge::State::new().digest(5));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct State {
    messages: Entries,
}

impl State {
    /// The state of no messages.
    ///
    /// ```
    /// let state = skylark::merge::State::new();
    /// assert!(state.is_empty());
    /// assert_eq!(state.digest(0), skylark::merge::State::new().digest(0));
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of messages applied (by id) that the merge rules read.
    ///
    /// ```
    /// use skylark::merge::State;
    /// use skylark::message::{validate, Authorization, BodyKind, MemoryContext, Post, Verdict};
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let post = Post::builder().text("hi").build()?.draft(skylark::id::AccountId::from_bytes([1; 32]), 0)?.sign(&key)?;
    /// let Verdict::Valid(valid) = validate(post, &MemoryContext::new(0, Authorization::Authorized)) else { panic!() };
    /// let mut state = State::new();
    /// state.apply(&valid);
    /// state.apply(&valid);
    /// assert_eq!(state.len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn len(&self) -> usize {
        self.messages.len()
    }

    /// Whether no message has been applied.
    ///
    /// ```
    /// assert!(skylark::merge::State::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }

    /// Applies one valid message. Any order, any number of times: the result depends only on the set
    /// of messages applied. A whole message supersedes its stripped remainder (same id); kinds the
    /// merge rules do not read are ignored.
    ///
    /// ```
    /// use skylark::merge::State;
    /// use skylark::message::{validate, Authorization, BodyKind, MemoryContext, Post, Verdict};
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let post = Post::builder().text("hi").build()?.draft(skylark::id::AccountId::from_bytes([1; 32]), 0)?.sign(&key)?;
    /// let Verdict::Valid(valid) = validate(post, &MemoryContext::new(0, Authorization::Authorized)) else { panic!() };
    /// let mut state = State::new();
    /// let before = state.digest(0);
    /// state.apply(&valid);
    /// assert_ne!(state.digest(0), before);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn apply(&mut self, message: &ValidMessage) {
        if let Some(entry) = Entry::of(message) {
            self.insert(message.message().id(), Box::new(entry));
        }
    }

    /// The bytes a replica holds in the entries, by id ([`Entry::held`]).
    pub(crate) fn held_bytes(&self) -> impl Iterator<Item = (&MessageId, &[u8])> {
        self.messages
            .iter()
            .filter_map(|(id, e)| e.held.as_deref().map(|bytes| (id, bytes)))
    }

    /// The entries held, by id (for the replica's memory probe).
    pub(crate) fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.messages.values().map(|e| e.as_ref())
    }

    /// The entry of the message with this id.
    pub(crate) fn get(&self, id: &MessageId) -> Option<&Entry> {
        self.messages.get(id).map(|e| &**e)
    }

    /// The entry of the message with this id, to change the bytes a replica holds in it.
    pub(crate) fn get_mut(&mut self, id: &MessageId) -> Option<&mut Entry> {
        self.messages.get_mut(id).map(|e| &mut **e)
    }

    /// Removes the message with this id, returning its entry.
    pub(crate) fn take(&mut self, id: &MessageId) -> Option<Box<Entry>> {
        self.messages.remove(id)
    }

    /// Holds `entry` under `id`, replacing what was held (the replica's limits, which hold the
    /// replica's merged state, replace a message's entry only after removing it).
    pub(crate) fn replace(&mut self, id: MessageId, entry: Box<Entry>) {
        self.messages.insert(id, entry);
    }

    /// [`State::apply`] of the message with this id and entry: a whole message replaces its
    /// remainder, nothing else replaces what is held.
    pub(crate) fn insert(&mut self, id: MessageId, entry: Box<Entry>) {
        match self.messages.get(&id) {
            Some(existing) if !matches!(existing.effect, Effect::Withheld { .. }) => {}
            _ => {
                self.messages.insert(id, entry);
            }
        }
    }

    /// Removes the message with this id, whole or remainder, as if it had never been applied: the
    /// state is then that of the smaller set (07 §2.1: a message whose verdict turns leaves the
    /// set). Returns whether it was held.
    ///
    /// ```
    /// use skylark::merge::State;
    /// use skylark::message::{validate, Authorization, BodyKind, MemoryContext, Post, Verdict};
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let post = Post::builder().text("hi").build()?.draft(skylark::id::AccountId::from_bytes([1; 32]), 0)?.sign(&key)?;
    /// let Verdict::Valid(valid) = validate(post, &MemoryContext::new(0, Authorization::Authorized)) else { panic!() };
    /// let mut state = State::new();
    /// state.apply(&valid);
    /// assert!(state.remove(&valid.message().id()));
    /// assert_eq!(state, State::new());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn remove(&mut self, id: &MessageId) -> bool {
        self.messages.remove(id).is_some()
    }

    /// The ids of the messages the storage limits prune (LIMIT-1..LIMIT-3, [`limits`]): held, and
    /// absent from the state and its digest. A node may drop their bodies (07 §2.5.1).
    ///
    /// ```
    /// assert!(skylark::merge::State::new().pruned().is_empty());
    /// ```
    pub fn pruned(&self) -> BTreeSet<MessageId> {
        let mut pruned = limits::pruned(&self.messages);
        pruned.retain(|id| self.messages.contains_key(id));
        pruned
    }

    /// The messages the merge rules read: those held, less the pruned ones (07 §2.5).
    fn kept(&self) -> Option<Entries> {
        let pruned = limits::pruned(&self.messages);
        if pruned.is_empty() {
            return None;
        }
        Some(
            self.messages
                .iter()
                .filter(|(id, _)| !pruned.contains(*id))
                .map(|(id, e)| (*id, e.clone()))
                .collect(),
        )
    }

    /// The ids of every deleted message: the targets of the deletes applied (MERGE-2).
    fn tombstones(messages: &Entries) -> BTreeSet<MessageId> {
        messages
            .values()
            .filter_map(|e| match e.effect {
                Effect::Delete(target) => Some(target),
                _ => None,
            })
            .collect()
    }

    /// The merged state as the canonical summary of MERGE-11: a map of twelve views. `now` decides
    /// which labels have expired.
    ///
    /// ```
    /// let summary = skylark::merge::State::new().summary(0);
    /// assert_eq!(summary.as_map().map(|m| m.len()), Some(12));
    /// ```
    pub fn summary(&self, now: u64) -> Value {
        match self.kept() {
            Some(kept) => Self::summarize(&kept, now),
            None => Self::summarize(&self.messages, now),
        }
    }

    /// MERGE-2..MERGE-11 over the messages kept by the limits.
    fn summarize(messages: &Entries, now: u64) -> Value {
        let deleted = Self::tombstones(messages);
        // Messages whose bodies count: applied whole, not deleted.
        let live = || {
            messages.iter().filter(|(id, e)| {
                !deleted.contains(id) && !matches!(e.effect, Effect::Withheld { .. })
            })
        };

        // MERGE-3, MERGE-8: the latest message per key.
        let mut profiles: BTreeMap<AccountId, Stamp> = BTreeMap::new();
        let mut follows: BTreeMap<(AccountId, AccountId), (Stamp, bool)> = BTreeMap::new();
        let mut blocks: BTreeMap<(AccountId, AccountId), (Stamp, bool)> = BTreeMap::new();
        let mut labels: BTreeMap<LabelKey<'_>, LabelState> = BTreeMap::new();
        for (id, e) in live() {
            let stamp = (e.time, *id);
            match &e.effect {
                Effect::Profile => latest(&mut profiles, *e.account(), stamp, |s| s),
                Effect::Follow(subject, on) => latest(
                    &mut follows,
                    (*e.account(), *subject),
                    (stamp, *on),
                    |(s, _)| s,
                ),
                Effect::Block(subject, on) => latest(
                    &mut blocks,
                    (*e.account(), *subject),
                    (stamp, *on),
                    |(s, _)| s,
                ),
                Effect::Label(l) => latest(
                    &mut labels,
                    (*e.account(), l.subject, l.value.as_str()),
                    (stamp, l.negate, l.expires),
                    |(s, _, _)| s,
                ),
                _ => {}
            }
        }

        // VIEW-1..VIEW-4: what the gates in force and the blocks leave out, read against the
        // current follow and block edges of the same set.
        let edges = |graph: &BTreeMap<(AccountId, AccountId), (Stamp, bool)>| -> gate::Edges {
            graph
                .iter()
                .filter(|(_, (_, on))| *on)
                .map(|(pair, _)| *pair)
                .collect()
        };
        let is_live = |id: &MessageId, e: &Entry| {
            !deleted.contains(id) && !matches!(e.effect, Effect::Withheld { .. })
        };
        let left_out = gate::left_out(messages, &is_live, &edges(&follows), &edges(&blocks));
        let left_reply = |id: &MessageId| left_out.get(id).is_some_and(|l| l.reply.is_some());
        let left_quote = |id: &MessageId| left_out.get(id).is_some_and(|l| l.quote.is_some());

        // MERGE-4: for each post P, the latest counting edit replacing each version.
        let mut next_version: BTreeMap<(MessageId, MessageId), Stamp> = BTreeMap::new();
        for (id, e) in live() {
            if let Effect::Edit { target, replaces } = &e.effect {
                let stamp = (e.time, *id);
                next_version
                    .entry((*target, **replaces))
                    .and_modify(|best| {
                        if stamp > *best {
                            *best = stamp;
                        }
                    })
                    .or_insert(stamp);
            }
        }
        // The current version of every live post (MERGE-4), and its history.
        let mut versions: BTreeMap<MessageId, Vec<MessageId>> = BTreeMap::new();
        for (id, e) in live() {
            if let Effect::Post { .. } = e.effect {
                let mut history = alloc::vec![*id];
                let mut current = *id;
                // An edit names the version it replaces by its id, a hash of a header that
                // existed before it: the versions cannot form a cycle, so the walk ends.
                while let Some((_, next)) = next_version.get(&(*id, current)) {
                    current = *next;
                    history.push(current);
                }
                versions.insert(*id, history);
            }
        }
        let current = |post: &MessageId| versions.get(post).and_then(|h| h.last());
        // MERGE-4: the counting interactions with a live post that name a version other than its
        // current one. Undone reacts and reposts and deleted or unreadable messages do not count.
        let mut undone: BTreeSet<MessageId> = BTreeSet::new();
        for (_, e) in live() {
            if let Effect::Unreact(target) | Effect::Unrepost(target) = e.effect {
                undone.insert(target);
            }
        }
        let mut earlier: BTreeMap<MessageId, Vec<MessageId>> = BTreeMap::new();
        for (id, e) in live() {
            let (target, seen) = match &e.effect {
                Effect::React { target, .. } | Effect::Repost { target, .. }
                    if !undone.contains(id) =>
                {
                    (*target, e.effect.seen())
                }
                Effect::Post {
                    quote: Some(quote), ..
                } if !left_quote(id) => (quote.0, quote.1),
                _ => continue,
            };
            if let (Some(seen), Some(now_current)) = (seen, current(&target)) {
                if seen != *now_current {
                    earlier.entry(target).or_default().push(*id);
                }
            }
        }
        let mut posts: Vec<(String, Value)> = Vec::new();
        let mut threads: BTreeMap<MessageId, BTreeSet<MessageId>> = BTreeMap::new();
        let mut replies: BTreeMap<MessageId, BTreeSet<MessageId>> = BTreeMap::new();
        let mut quotes: BTreeMap<MessageId, BTreeSet<MessageId>> = BTreeMap::new();
        for (id, e) in messages {
            let state = if deleted.contains(id) {
                match e.effect {
                    Effect::Post { .. } | Effect::Withheld { post: true, .. } => "deleted",
                    _ => continue,
                }
            } else {
                match e.effect {
                    Effect::Withheld { post: true, .. } => "withheld",
                    Effect::Post { .. } => "live",
                    _ => continue,
                }
            };
            let mut entry = Map::new();
            entry.insert("state", Value::from(state));
            if let Effect::Post { .. } = &e.effect {
                let (reply, quote) = (e.effect.reply(), e.effect.quote());
                if state == "live" {
                    let history = &versions[id];
                    entry.insert("current", bytes(&history[history.len() - 1]));
                    entry.insert("history", Value::Array(history.iter().map(bytes).collect()));
                    // Ids in `live()` order are ascending: the list is sorted bytewise.
                    if let Some(list) = earlier.get(id) {
                        entry.insert("earlier", Value::Array(list.iter().map(bytes).collect()));
                    }
                    if let Some(left) = left_out.get(id) {
                        entry.insert("left_out", left.to_value());
                    }
                    // VIEW-2, VIEW-3: a left-out reply or quote is not listed.
                    if let Some((root, parent)) = reply.filter(|_| !left_reply(id)) {
                        threads.entry(root).or_default().insert(*id);
                        replies.entry(parent).or_default().insert(*id);
                    }
                    if let Some(q) = quote.filter(|_| !left_quote(id)) {
                        quotes.entry(q).or_default().insert(*id);
                    }
                }
            }
            posts.push((id::to_text_form("msg", id.as_bytes()), Value::Map(entry)));
        }

        let mut reactions: BTreeMap<MessageId, BTreeMap<&str, BTreeSet<AccountId>>> =
            BTreeMap::new();
        let mut reposts: BTreeMap<MessageId, BTreeSet<AccountId>> = BTreeMap::new();
        for (id, e) in live() {
            if undone.contains(id) {
                continue;
            }
            match &e.effect {
                Effect::React { target, .. } => {
                    reactions
                        .entry(*target)
                        .or_default()
                        .entry(e.effect.value())
                        .or_default()
                        .insert(*e.account());
                }
                Effect::Repost { target, .. } => {
                    reposts.entry(*target).or_default().insert(*e.account());
                }
                _ => {}
            }
        }

        let mut summary = Map::new();
        // Maps keyed by text-form ids are built from their entries in one sort: the text order of
        // ids is not their byte order, so inserting them one by one would shift the map per key.
        summary.insert("posts", Value::Map(Map::from_entries(posts)));
        summary.insert("threads", id_lists(&threads));
        summary.insert("replies", id_lists(&replies));
        summary.insert("quotes", id_lists(&quotes));
        let profile_map = profiles
            .iter()
            .map(|(account, (_, id))| (id::to_text_form("acct", account.as_bytes()), bytes(id)))
            .collect();
        summary.insert("profiles", Value::Map(Map::from_entries(profile_map)));
        let reaction_map = reactions
            .iter()
            .map(|(target, values)| {
                let by_value = values
                    .iter()
                    .map(|(value, accounts)| (String::from(*value), account_list(accounts)))
                    .collect();
                (
                    id::to_text_form("msg", target.as_bytes()),
                    Value::Map(Map::from_entries(by_value)),
                )
            })
            .collect();
        summary.insert("reactions", Value::Map(Map::from_entries(reaction_map)));
        let repost_map = reposts
            .iter()
            .map(|(target, accounts)| {
                (
                    id::to_text_form("msg", target.as_bytes()),
                    account_list(accounts),
                )
            })
            .collect();
        summary.insert("reposts", Value::Map(Map::from_entries(repost_map)));
        summary.insert("follows", graph(&follows));
        summary.insert("blocks", graph(&blocks));
        // MERGE-9: a label applies when its latest message does not negate it and has not expired.
        let mut applying: BTreeMap<String, BTreeMap<AccountId, Vec<&str>>> = BTreeMap::new();
        for ((labeler, subject, value), (_, negate, expires)) in &labels {
            if *negate || expires.is_some_and(|e| e <= now) {
                continue;
            }
            let subject = match subject {
                Reference::Account(a) => id::to_text_form("acct", a.as_bytes()),
                Reference::Message(m) => id::to_text_form("msg", m.as_bytes()),
            };
            applying
                .entry(subject)
                .or_default()
                .entry(*labeler)
                .or_default()
                .push(value);
        }
        let label_map = applying
            .into_iter()
            .map(|(subject, labelers)| {
                let by_labeler = labelers
                    .into_iter()
                    .map(|(labeler, mut values)| {
                        values.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
                        (
                            id::to_text_form("acct", labeler.as_bytes()),
                            Value::Array(values.into_iter().map(Value::from).collect()),
                        )
                    })
                    .collect();
                (subject, Value::Map(Map::from_entries(by_labeler)))
            })
            .collect();
        summary.insert("labels", Value::Map(Map::from_entries(label_map)));
        summary.insert(
            "tombstones",
            Value::Array(deleted.iter().map(bytes).collect()),
        );
        summary.insert(
            "equivocations",
            Value::Array(
                Self::places(messages)
                    .into_iter()
                    .map(|e| {
                        Value::Array(alloc::vec![
                            Value::from(&e.key.as_bytes()[..]),
                            Value::from(e.seq),
                            Value::Array(e.ids.iter().map(bytes).collect()),
                        ])
                    })
                    .collect(),
            ),
        );
        Value::Map(summary)
    }

    /// The state digest (rule MERGE-11): BLAKE3 `derive_key` with [`STATE_DIGEST_CONTEXT`] over the
    /// canonical encoding of [`State::summary`]. Two nodes compare states with one value.
    ///
    /// ```
    /// use skylark::merge::State;
    /// use skylark::message::{validate, Authorization, BodyKind, MemoryContext, Post, Verdict};
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let post = Post::builder().text("hi").build()?.draft(skylark::id::AccountId::from_bytes([1; 32]), 0)?.sign(&key)?;
    /// let Verdict::Valid(valid) = validate(post, &MemoryContext::new(0, Authorization::Authorized)) else { panic!() };
    /// let mut state = State::new();
    /// state.apply(&valid);
    /// // The digest is the hash of the summary, whatever the order messages came in.
    /// let mut again = State::new();
    /// again.apply(&valid);
    /// assert_eq!(state.digest(0), again.digest(0));
    /// assert_ne!(state.digest(0), State::new().digest(0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn digest(&self, now: u64) -> [u8; 32] {
        id::derive(STATE_DIGEST_CONTEXT, &self.summary(now).to_bytes())
    }

    /// Every place of one key's history held by two or more messages (rule MERGE-10), sorted by key
    /// and sequence number, each with its ids in order. All of those messages count; the entry is the
    /// evidence that the key signed more than one history. Its size is linear in the messages held.
    ///
    /// ```
    /// assert!(skylark::merge::State::new().equivocations().is_empty());
    /// ```
    pub fn equivocations(&self) -> Vec<Equivocation> {
        match self.kept() {
            Some(kept) => Self::places(&kept),
            None => Self::places(&self.messages),
        }
    }

    /// MERGE-10 over the messages kept by the limits.
    fn places(messages: &Entries) -> Vec<Equivocation> {
        let mut places: BTreeMap<(PublicKey, u64), Vec<MessageId>> = BTreeMap::new();
        for (id, e) in messages {
            places.entry((*e.key(), e.seq)).or_default().push(*id);
        }
        places
            .into_iter()
            .filter(|(_, ids)| ids.len() >= 2)
            .map(|((key, seq), ids)| Equivocation { key, seq, ids })
            .collect()
    }
}

/// Messages signed by one key at one sequence number (rule MERGE-10).
///
/// ```
/// use skylark::merge::State;
/// use skylark::message::{validate, Authorization, BodyKind, MemoryContext, Post, Verdict};
/// let key = skylark::keys::SecretKey::from_seed([1; 32]);
/// let alice = skylark::id::AccountId::from_bytes([1; 32]);
/// let mut state = State::new();
/// // Two different first messages of one key: the key signed two histories.
/// for text in ["one", "two"] {
///     let m = Post::builder().text(text).build()?.draft(alice, 0)?.sign(&key)?;
///     let Verdict::Valid(valid) = validate(m, &MemoryContext::new(0, Authorization::Authorized)) else { panic!() };
///     state.apply(&valid);
/// }
/// let evidence = state.equivocations();
/// assert_eq!((evidence.len(), evidence[0].seq, evidence[0].ids.len()), (1, 1, 2));
/// assert_eq!(evidence[0].key, key.public_key());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Equivocation {
    /// The key that signed them.
    pub key: PublicKey,
    /// The sequence number they all claim.
    pub seq: u64,
    /// Their ids, in increasing order; at least two.
    pub ids: Vec<MessageId>,
}

/// Keeps, per key, the value whose stamp (MERGE-1) is greatest.
fn latest<K: Ord, V>(map: &mut BTreeMap<K, V>, key: K, value: V, stamp: impl Fn(&V) -> &Stamp) {
    match map.get_mut(&key) {
        Some(existing) => {
            if stamp(&value).cmp(stamp(existing)) == Ordering::Greater {
                *existing = value;
            }
        }
        None => {
            map.insert(key, value);
        }
    }
}

fn bytes(id: &MessageId) -> Value {
    Value::from(&id.as_bytes()[..])
}

fn id_lists(lists: &BTreeMap<MessageId, BTreeSet<MessageId>>) -> Value {
    let entries = lists
        .iter()
        .map(|(key, ids)| {
            (
                id::to_text_form("msg", key.as_bytes()),
                Value::Array(ids.iter().map(bytes).collect()),
            )
        })
        .collect();
    Value::Map(Map::from_entries(entries))
}

fn account_list(accounts: &BTreeSet<AccountId>) -> Value {
    Value::Array(
        accounts
            .iter()
            .map(|a| Value::from(&a.as_bytes()[..]))
            .collect(),
    )
}

fn graph(edges: &BTreeMap<(AccountId, AccountId), (Stamp, bool)>) -> Value {
    let mut by_account: BTreeMap<AccountId, BTreeSet<AccountId>> = BTreeMap::new();
    for ((account, subject), (_, on)) in edges {
        if *on {
            by_account.entry(*account).or_default().insert(*subject);
        }
    }
    let entries = by_account
        .iter()
        .map(|(account, subjects)| {
            (
                id::to_text_form("acct", account.as_bytes()),
                account_list(subjects),
            )
        })
        .collect();
    Value::Map(Map::from_entries(entries))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use super::State;
    use crate::cbor::work;
    use crate::id::AccountId;
    use crate::keys::SecretKey;
    use crate::message::{validate, Authorization, BodyKind, MemoryContext, Post, Verdict};
    use alloc::vec::Vec;

    /// An entry is held per valid message (issue 18's memory): what most messages lack stays
    /// boxed, so that the effect is 40 bytes and its tag, and the entry 88 (with the 16 of the
    /// bytes a replica holds in it, which spare the replica a second map by id).
    #[test]
    fn entries_stay_small() {
        assert_eq!(core::mem::size_of::<super::Effect>(), 48);
        assert_eq!(core::mem::size_of::<super::Entry>(), 88);
    }

    /// The summary of `n` posts builds its maps in `O(n log n)` key comparisons and shifts; one
    /// insertion per key in id order (the text order of ids differs) shifted `O(n²)` entries. Counts
    /// at n, 2n, 4n, 8n must not more than triple per doubling.
    #[test]
    fn summary_map_building_grows_as_n_log_n() {
        let key = SecretKey::from_seed([3; 32]);
        let sizes = [256usize, 512, 1024, 2048];
        let mut costs = Vec::new();
        for n in sizes {
            let mut state = State::new();
            let mut previous = None;
            for i in 0..n {
                let draft = Post::builder()
                    .text("hi")
                    .build()
                    .unwrap()
                    .draft(AccountId::from_bytes([4; 32]), 1_000 + i as u64)
                    .unwrap();
                let signed = match &previous {
                    Some(p) => draft.after(p),
                    None => draft,
                }
                .sign(&key)
                .unwrap();
                let mut context = MemoryContext::new(1 << 40, Authorization::Authorized);
                if let Some(p) = &previous {
                    context = context.with(p);
                }
                previous = Some(signed.clone());
                let Verdict::Valid(valid) = validate(signed, &context) else {
                    panic!("post {i} not valid");
                };
                state.apply(&valid);
            }
            work::take();
            let summary = state.summary(0);
            costs.push(work::take());
            assert_eq!(
                summary
                    .as_map()
                    .and_then(|m| m.get("posts"))
                    .and_then(|p| p.as_map())
                    .map(|p| p.len()),
                Some(n)
            );
        }
        for pair in costs.windows(2) {
            let growth = pair[1] as f64 / pair[0] as f64;
            assert!(
                growth <= 3.0,
                "map work {costs:?} at n = {sizes:?}: {growth:.2}x per doubling"
            );
        }
    }
}
