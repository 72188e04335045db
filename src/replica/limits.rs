//! The storage limits (LIMIT-1..LIMIT-3, `spec/07-merge.md` §2.5) kept incrementally, so that the
//! replica's views show the pruned set, as `merge::State` does: each place keeps its earliest two
//! messages and each (account, class) its latest `N`, in two sorted sets whose boundary moves by at
//! most one message per insertion or removal, `O(log n)` each; the targets of pruned undos are
//! counted. In the gate class the gates in force rank before the others (LIMIT-2): the gate in
//! force of each (account, target) is kept as gates and deletes enter and leave LIMIT-1.
//!
//! Memory (issue 18): a group of LIMIT-2 is most often a sorted slice of exactly its length
//! ([`Group`], in `replica/group.rs`); the messages LIMIT-1 keeps are held per key as a small set
//! of (seq, id) (a slice of its length under 32 messages, a B-tree past it), without their time,
//! read from their entries; every entry's (account, key) is one [`Origin`] shared behind an
//! [`Arc`] ([`Limits::intern`]).

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::sync::Arc;
use alloc::vec::Vec;

use super::group::{Group, Stamp};
use super::small::SmallSet;
use super::views::{ID_MAX, ID_MIN};
use crate::id::{AccountId, MessageId};
use crate::keys::PublicKey;
use crate::merge::limits::{class_limit, PER_PLACE};
use crate::merge::{Effect, Entry, Origin, State};

/// The header facts the limits read, and the target of an edit, delete, unreact or unrepost.
#[derive(Clone, Copy, Debug)]
struct Facts {
    pub(super) account: AccountId,
    pub(super) key: PublicKey,
    pub(super) seq: u64,
    pub(super) time: u64,
    pub(super) class: usize,
    pub(super) undoes: Option<MessageId>,
    /// The target of a gate (VIEW-1 register) or of a delete (what it takes out of force).
    pub(super) gates: Option<MessageId>,
    pub(super) deletes: Option<MessageId>,
}

impl Facts {
    /// The key of its group of LIMIT-2.
    fn group(&self) -> (AccountId, u8) {
        (self.account, u8::try_from(self.class).unwrap_or(u8::MAX))
    }

    fn of(e: &Entry) -> Facts {
        Facts {
            account: *e.account(),
            key: *e.key(),
            seq: e.seq,
            time: e.time,
            class: e.class(),
            undoes: match &e.effect {
                Effect::Edit { target, .. }
                | Effect::Delete(target)
                | Effect::Unreact(target)
                | Effect::Unrepost(target) => Some(*target),
                _ => None,
            },
            gates: match &e.effect {
                Effect::Gate { target, .. } => Some(*target),
                _ => None,
            },
            deletes: match &e.effect {
                Effect::Delete(target) => Some(*target),
                _ => None,
            },
        }
    }
}

/// A message at its place of a key's history: (key's slot, seq, time, id), ordered by place, then
/// by MERGE-1. The key is its slot in [`Limits::keys`] (4 bytes instead of 32); the order of
/// places does not matter, only that one place is one range.
type Placed = (u32, u64, u64, MessageId);

/// A message LIMIT-1 keeps at its place, in the set of its key: (seq, id). A place keeps at most
/// [`PER_PLACE`] messages, so their order by MERGE-1 is read from their entries' times when one
/// comes, rather than stored with each.
type KeptAt = (u64, MessageId);

/// LIMIT-1: every place keeps its earliest [`PER_PLACE`] messages. The kept messages are held by
/// key (its slot), each key's a [`SmallSet`] (most keys sign a handful of messages: 40 bytes a
/// message in a slice of exactly its length, where one flat B-tree of (slot, seq, id) cost 44
/// bytes in nodes two thirds full); a place is a range of its key's set. The pruned messages (few)
/// are one flat set.
#[derive(Clone, Debug, Default)]
struct Places {
    kept: BTreeMap<u32, SmallSet<KeptAt>>,
    pruned: BTreeSet<Placed>,
}

/// The range of one place's pruned messages.
fn place_of(s: &Placed) -> core::ops::RangeInclusive<Placed> {
    (s.0, s.1, 0, ID_MIN)..=(s.0, s.1, u64::MAX, ID_MAX)
}

/// The range of one place's kept messages in its key's set.
fn kept_of(seq: u64) -> core::ops::RangeInclusive<KeptAt> {
    (seq, ID_MIN)..=(seq, ID_MAX)
}

impl Places {
    /// The messages kept at one place, in increasing order of id.
    fn kept_at(&self, slot: u32, seq: u64) -> impl Iterator<Item = MessageId> + '_ {
        self.kept
            .get(&slot)
            .into_iter()
            .flat_map(move |set| set.range(kept_of(seq)).map(|(_, id)| *id))
    }

    /// The messages a key signed that are kept at their places.
    fn kept_by(&self, slot: u32) -> impl Iterator<Item = MessageId> + '_ {
        self.kept
            .get(&slot)
            .into_iter()
            .flat_map(|set| set.iter().map(|(_, id)| *id))
    }

    fn keep(&mut self, slot: u32, seq: u64, id: MessageId) {
        self.kept.entry(slot).or_default().insert((seq, id));
    }

    /// Whether `id` was kept at its place (and is no longer).
    fn unkeep(&mut self, slot: u32, seq: u64, id: MessageId) -> bool {
        let Some(set) = self.kept.get_mut(&slot) else {
            return false;
        };
        let removed = set.remove(&(seq, id));
        if set.is_empty() {
            self.kept.remove(&slot);
        }
        removed
    }

    /// Inserts `s`; records the ids whose kept status changed (`s`'s own included if kept), as
    /// [`Group::insert`] does, for a place that keeps its earliest. `time` is the time of a kept
    /// message.
    fn insert(
        &mut self,
        s: Placed,
        time: impl Fn(&MessageId) -> u64,
        changed: &mut Vec<MessageId>,
    ) {
        let (slot, seq, t, id) = s;
        let full = self.kept_at(slot, seq).count() >= PER_PLACE;
        if !full {
            self.keep(slot, seq, id);
            changed.push(id);
            return;
        }
        // The latest kept at the place, by MERGE-1 (of at most PER_PLACE).
        let latest = self.kept_at(slot, seq).map(|k| (time(&k), k)).max();
        match latest {
            Some(e) if (t, id) < e => {
                self.unkeep(slot, seq, e.1);
                self.pruned.insert((slot, seq, e.0, e.1));
                self.keep(slot, seq, id);
                changed.extend([e.1, id]);
            }
            _ => {
                self.pruned.insert(s);
            }
        }
    }

    /// Removes `s`; records the ids whose kept status changed, as [`Group::remove`] does.
    fn remove(&mut self, s: Placed, changed: &mut Vec<MessageId>) {
        if self.unkeep(s.0, s.1, s.3) {
            changed.push(s.3);
            if let Some(n) = self.pruned.range(place_of(&s)).next().copied() {
                self.pruned.remove(&n);
                self.keep(n.0, n.1, n.3);
                changed.push(n.3);
            }
        } else {
            self.pruned.remove(&s);
        }
    }

    /// Whether LIMIT-1 keeps the message `id` at its place.
    fn keeps(&self, slot: u32, seq: u64, id: MessageId) -> bool {
        self.kept
            .get(&slot)
            .is_some_and(|set| set.contains(&(seq, id)))
    }
}

/// The limits over the valid social-kind messages of the replica.
#[derive(Clone, Debug, Default)]
pub(super) struct Limits {
    /// The entry of every message: the replica's merged state (07), the one map by id that the
    /// limits and the views read.
    facts: State,
    /// The messages held that the views do not show (few: those the limits prune, and one being
    /// shown or hidden).
    unshown: BTreeSet<MessageId>,
    /// A message being removed ([`Limits::remove`]): gone for the limits, still readable by the
    /// views, which unindex it, until [`Limits::forget`].
    leaving: Option<MessageId>,
    places: Places,
    /// The slot of every key that signed a message held, in the order the keys came (never
    /// reused: one entry per key, however many of its messages come and go).
    keys: BTreeMap<PublicKey, u32>,
    /// LIMIT-2: the group of each (account, class) (33-byte keys: the class is below 9).
    classes: BTreeMap<(AccountId, u8), Group>,
    /// The (account, key) of every message held, one [`Arc`] shared by all the entries of a pair
    /// ([`Limits::intern`]; never dropped, like `keys`).
    origins: BTreeSet<Arc<Origin>>,
    /// LIMIT-3: target -> how many undos naming it are pruned by LIMIT-1 or LIMIT-2.
    taken: BTreeMap<MessageId, usize>,
    /// The undos counted in `taken`, with their targets.
    counted: BTreeMap<MessageId, MessageId>,
    /// The gates that rank first in their class group (in force when they entered it): a
    /// message's key in its group is (in `ranked`, time, id), so no key is stored per message.
    ranked: BTreeSet<MessageId>,
    /// Per (account, target): the gates LIMIT-1 keeps that no delete LIMIT-1 keeps names.
    registers: BTreeMap<(AccountId, MessageId), BTreeSet<(u64, MessageId)>>,
    /// Per register, its gate in force (the last of the register).
    in_force: BTreeMap<(AccountId, MessageId), MessageId>,
    /// Target -> how many deletes LIMIT-1 keeps name it.
    deleters: BTreeMap<MessageId, usize>,
}

impl Limits {
    /// Each set, for [`super::Replica::memory_parts`].
    pub(super) fn memory_parts(
        &self,
        measure: &mut dyn FnMut(&'static str, &dyn Fn() -> super::Part),
    ) {
        macro_rules! part {
            ($($field:ident $(. $sub:ident)?),*) => {$(
                measure(concat!("limits.", stringify!($field $(. $sub)?)), &|| {
                    (alloc::boxed::Box::new(self.$field $(. $sub)?.clone()), 0)
                });
            )*};
        }
        part!(
            unshown,
            places.kept,
            places.pruned,
            keys,
            classes,
            taken,
            counted,
            ranked,
            registers,
            in_force,
            deleters
        );
        measure("limits.origins (Arc<Origin>, deep)", &|| {
            let copy: BTreeSet<Arc<Origin>> = self
                .origins
                .iter()
                .map(|o| Arc::new(Origin::clone(o)))
                .collect();
            (alloc::boxed::Box::new(copy), 0)
        });
    }

    /// `entry`, sharing the [`Origin`] of the entries of its account and key held before.
    pub(super) fn intern(&mut self, mut entry: Entry) -> Box<Entry> {
        match self.origins.get(&*entry.origin) {
            Some(origin) => entry.origin = Arc::clone(origin),
            None => {
                self.origins.insert(Arc::clone(&entry.origin));
            }
        }
        Box::new(entry)
    }

    /// Whether a message is held (and not leaving).
    fn holds(&self, id: &MessageId) -> bool {
        self.leaving != Some(*id) && self.facts.get(id).is_some()
    }

    /// The facts of a held message.
    fn facts(&self, id: &MessageId) -> Option<Facts> {
        if self.leaving == Some(*id) {
            return None;
        }
        self.facts.get(id).map(Facts::of)
    }

    /// The entry of a message, held or leaving.
    pub(super) fn entry(&self, id: &MessageId) -> Option<&Entry> {
        self.facts.get(id)
    }

    /// Whether the views do not show a message that is held (or leaving).
    pub(super) fn unshown(&self, id: &MessageId) -> bool {
        self.unshown.contains(id)
    }

    /// Sets whether the views show a message.
    pub(super) fn show(&mut self, id: &MessageId, shown: bool) {
        if shown {
            self.unshown.remove(id);
        } else if self.facts.get(id).is_some() {
            self.unshown.insert(*id);
        }
    }

    /// The entries held: the merged state of the replica's valid messages.
    pub(super) fn state(&self) -> &State {
        &self.facts
    }

    /// How many messages are held, kept or not.
    pub(super) fn len(&self) -> usize {
        self.facts.len()
    }

    /// Drops the slot of the message [`Limits::remove`] removed, returning its entry.
    pub(super) fn forget(&mut self, id: &MessageId) -> Option<Box<Entry>> {
        if self.leaving != Some(*id) {
            return None;
        }
        self.unshown.remove(id);
        self.leaving = None;
        self.facts.take(id)
    }

    /// The bytes held in the entry of a message (held or leaving).
    pub(super) fn held(&self, id: &MessageId) -> Option<&[u8]> {
        self.facts.get(id).and_then(|e| e.held.as_deref())
    }

    /// The bytes held in the entry of a message, to change them.
    pub(super) fn held_mut(&mut self, id: &MessageId) -> Option<&mut Box<[u8]>> {
        self.facts.get_mut(id).and_then(|e| e.held.as_mut())
    }

    /// Whether `id` is held and kept by LIMIT-1..LIMIT-3.
    pub(super) fn kept(&self, id: &MessageId) -> bool {
        self.holds(id) && self.first_two_kept(id) && !self.taken.contains_key(id)
    }

    /// Kept by LIMIT-1 and LIMIT-2.
    fn first_two_kept(&self, id: &MessageId) -> bool {
        let Some(f) = self.facts(id) else {
            return false;
        };
        self.place_kept(id, &f)
            && self
                .classes
                .get(&f.group())
                .is_some_and(|g| g.keeps(&self.class_key(*id, &f)))
    }

    /// The key of a message in its class group (LIMIT-2's order).
    fn class_key(&self, id: MessageId, f: &Facts) -> Stamp {
        Stamp::new(self.ranked.contains(&id), f.time, id)
    }

    /// Whether a message is in its class group (kept or pruned there).
    fn in_class(&self, id: MessageId, f: &Facts) -> bool {
        let s = self.class_key(id, f);
        self.classes.get(&f.group()).is_some_and(|g| g.contains(&s))
    }

    /// The messages LIMIT-1 keeps at a place of a key's history (at most [`PER_PLACE`]).
    pub(super) fn kept_at(
        &self,
        key: &PublicKey,
        seq: u64,
    ) -> impl Iterator<Item = MessageId> + '_ {
        let slot = self.keys.get(key).copied();
        slot.into_iter()
            .flat_map(move |k| self.places.kept_at(k, seq))
    }

    /// Appends to `out` the messages held whose header names `account` and that `key` signed (any
    /// key that signed a message of the account held, if `None`): every message is at a place of
    /// its key, kept or pruned there.
    pub(super) fn signed_by(
        &self,
        account: &AccountId,
        key: Option<&PublicKey>,
        out: &mut Vec<MessageId>,
    ) {
        let keys: Vec<PublicKey> = match key {
            Some(key) => alloc::vec![*key],
            None => self
                .origins
                .range::<Origin, _>(
                    Origin {
                        account: *account,
                        key: PublicKey::LEAST,
                    }..,
                )
                .take_while(|o| o.account == *account)
                .map(|o| o.key)
                .collect(),
        };
        for key in keys {
            let Some(slot) = self.keys.get(&key).copied() else {
                continue;
            };
            let kept = self.places.kept_by(slot);
            let pruned = self
                .places
                .pruned
                .range((slot, 0, 0, ID_MIN)..=(slot, u64::MAX, u64::MAX, ID_MAX))
                .map(|p| p.3);
            out.extend(
                kept.chain(pruned)
                    .filter(|id| self.facts.get(id).is_some_and(|e| e.account() == account)),
            );
        }
    }

    /// Kept by LIMIT-1.
    fn place_kept(&self, id: &MessageId, f: &Facts) -> bool {
        self.keys
            .get(&f.key)
            .is_some_and(|k| self.places.keeps(*k, f.seq, *id))
    }

    /// Adds a message; returns the ids whose kept status may have changed.
    pub(super) fn insert(&mut self, id: MessageId, entry: Box<Entry>) -> Vec<MessageId> {
        let facts = Facts::of(&entry);
        let mut out = Vec::new();
        // Fewer than 2^32 keys fit in memory: each slot costs more than a byte.
        let next = u32::try_from(self.keys.len()).unwrap_or(u32::MAX);
        let slot = *self.keys.entry(facts.key).or_insert(next);
        let s = (slot, facts.seq, facts.time, id);
        self.facts.replace(id, entry);
        self.unshown.insert(id);
        let mut moved = Vec::new();
        let entries = &self.facts;
        let time = |id: &MessageId| entries.get(id).map_or(0, |e| e.time);
        self.places.insert(s, time, &mut moved);
        self.follow_place(&moved, &mut out);
        out.push(id);
        self.settle(&mut out);
        out
    }

    /// Removes a message; returns the ids whose kept status may have changed.
    pub(super) fn remove(&mut self, id: &MessageId) -> Vec<MessageId> {
        let mut out = Vec::new();
        let Some(facts) = self.facts(id) else {
            return out;
        };
        let Some(slot) = self.keys.get(&facts.key) else {
            return out;
        };
        let s = (*slot, facts.seq, facts.time, *id);
        let mut moved = Vec::new();
        self.places.remove(s, &mut moved);
        // `id` left its place (and, if it was kept there, its class) with the others that moved.
        self.follow_place(&moved, &mut out);
        self.leaving = Some(*id);
        out.push(*id);
        self.settle(&mut out);
        out
    }

    /// The LIMIT-1 status of each moved id changed: enter or leave its class, and, for a gate or a
    /// delete, refresh the gate in force it bears on.
    fn follow_place(&mut self, moved: &[MessageId], out: &mut Vec<MessageId>) {
        for m in moved {
            let Some(f) = self.facts(m) else {
                continue;
            };
            let now_kept = self.place_kept(m, &f);
            if now_kept {
                self.class_insert(*m, &f, out);
            } else {
                self.class_remove(*m, &f, out);
            }
            out.push(*m);
            if f.gates.is_some() {
                self.sync_gate(*m, out);
            }
            if let Some(target) = f.deletes {
                let n = self.deleters.entry(target).or_default();
                if now_kept {
                    *n += 1;
                } else {
                    *n = n.saturating_sub(1);
                    if *n == 0 {
                        self.deleters.remove(&target);
                    }
                }
                self.sync_gate(target, out);
            }
        }
    }

    fn class_insert(&mut self, id: MessageId, f: &Facts, out: &mut Vec<MessageId>) {
        let key = f.group();
        let s = Stamp::new(
            f.gates
                .is_some_and(|t| self.in_force.get(&(f.account, t)) == Some(&id)),
            f.time,
            id,
        );
        if s.rank() {
            self.ranked.insert(id);
        } else {
            self.ranked.remove(&id);
        }
        self.classes
            .entry(key)
            .or_insert_with(Group::new)
            .insert(s, class_limit(f.class), out);
    }

    fn class_remove(&mut self, id: MessageId, f: &Facts, out: &mut Vec<MessageId>) {
        let key = f.group();
        if !self.in_class(id, f) {
            return;
        }
        let s = self.class_key(id, f);
        self.ranked.remove(&id);
        if let Some(g) = self.classes.get_mut(&key) {
            g.remove(s, out);
            if g.is_empty() {
                self.classes.remove(&key);
            }
        }
    }

    /// The gate `id` (if held) is in its register iff LIMIT-1 keeps it and no delete LIMIT-1 keeps
    /// names it; if its register's gate in force changed, the old and the new one move in their
    /// class (LIMIT-2 ranks the gate in force first).
    fn sync_gate(&mut self, id: MessageId, out: &mut Vec<MessageId>) {
        let Some(f) = self.facts(&id) else {
            return;
        };
        let Some(target) = f.gates else {
            return;
        };
        let register = (f.account, target);
        let member = self.place_kept(&id, &f) && !self.deleters.contains_key(&id);
        let set = self.registers.entry(register).or_default();
        if member {
            set.insert((f.time, id));
        } else {
            set.remove(&(f.time, id));
        }
        let top = set.last().map(|(_, g)| *g);
        if set.is_empty() {
            self.registers.remove(&register);
        }
        let old = match top {
            Some(g) => self.in_force.insert(register, g),
            None => self.in_force.remove(&register),
        };
        if old == top {
            return;
        }
        for g in [old, top].into_iter().flatten() {
            if let Some(gf) = self.facts(&g) {
                if self.in_class(g, &gf) {
                    self.class_remove(g, &gf, out);
                    self.class_insert(g, &gf, out);
                    out.push(g);
                }
            }
        }
    }

    /// LIMIT-3: recount the targets of the undos among `out` (every id whose LIMIT-1/2 status may
    /// have changed), and add those targets to `out`.
    fn settle(&mut self, out: &mut Vec<MessageId>) {
        out.sort_unstable();
        out.dedup();
        let mut targets = Vec::new();
        for id in out.iter() {
            let was = self.counted.remove(id);
            let Some(target) = self.facts(id).and_then(|f| f.undoes) else {
                if let Some(t) = was {
                    Self::untake(&mut self.taken, t);
                    targets.push(t);
                }
                continue;
            };
            let pruned = !self.first_two_kept(id);
            if let Some(t) = was {
                Self::untake(&mut self.taken, t);
                targets.push(t);
            }
            if pruned {
                *self.taken.entry(target).or_default() += 1;
                self.counted.insert(*id, target);
                targets.push(target);
            }
        }
        out.extend(targets);
        out.sort_unstable();
        out.dedup();
    }

    fn untake(taken: &mut BTreeMap<MessageId, usize>, t: MessageId) {
        if let Some(n) = taken.get_mut(&t) {
            *n -= 1;
            if *n == 0 {
                taken.remove(&t);
            }
        }
    }
}
