//! The storage limits (LIMIT-1..LIMIT-3, `spec/07-merge.md` §2.5) kept incrementally, so that the
//! replica's views show the pruned set, as `merge::State` does: each place keeps its earliest two
//! messages and each (account, class) its latest `N`, in two sorted sets whose boundary moves by at
//! most one message per insertion or removal, `O(log n)` each; the targets of pruned undos are
//! counted. In the gate class the gates in force rank before the others (LIMIT-2): the gate in
//! force of each (account, target) is kept as gates and deletes enter and leave LIMIT-1.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::sync::Arc;
use alloc::vec::Vec;

use super::views::{ID_MAX, ID_MIN};
use crate::id::{AccountId, MessageId};
use crate::keys::PublicKey;
use crate::merge::limits::{class_limit, PER_PLACE};
use crate::merge::{Effect, Entry};

/// LIMIT-2's order: the rank (a gate in force: `true`), then MERGE-1. Places rank everything alike.
type Stamp = (bool, u64, MessageId);

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
    fn of(e: &Entry) -> Facts {
        Facts {
            account: e.account,
            key: e.key,
            seq: e.seq,
            time: e.time,
            class: e.class,
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

/// A group that keeps `limit` of its members, the earliest (`earliest`) or the latest.
#[derive(Clone, Debug, Default)]
struct Group {
    kept: BTreeSet<Stamp>,
    pruned: BTreeSet<Stamp>,
}

impl Group {
    /// Inserts `s`; returns the stamps whose kept status changed (`s` itself included if kept).
    fn insert(&mut self, s: Stamp, limit: usize, earliest: bool, changed: &mut Vec<MessageId>) {
        if self.kept.len() < limit {
            self.kept.insert(s);
            changed.push(s.2);
            return;
        }
        let edge = if earliest {
            self.kept.last().copied()
        } else {
            self.kept.first().copied()
        };
        match edge {
            Some(e) if (earliest && s < e) || (!earliest && s > e) => {
                self.kept.remove(&e);
                self.pruned.insert(e);
                self.kept.insert(s);
                changed.extend([e.2, s.2]);
            }
            _ => {
                self.pruned.insert(s);
            }
        }
    }

    /// Removes `s`; returns the stamps whose kept status changed (`s` itself included if it was).
    fn remove(&mut self, s: Stamp, earliest: bool, changed: &mut Vec<MessageId>) {
        if self.kept.remove(&s) {
            changed.push(s.2);
            let next = if earliest {
                self.pruned.first().copied()
            } else {
                self.pruned.last().copied()
            };
            if let Some(n) = next {
                self.pruned.remove(&n);
                self.kept.insert(n);
                changed.push(n.2);
            }
        } else {
            self.pruned.remove(&s);
        }
    }

    fn keeps(&self, s: &Stamp) -> bool {
        self.kept.contains(s)
    }

    fn is_empty(&self) -> bool {
        self.kept.is_empty() && self.pruned.is_empty()
    }
}

/// A message at its place of a key's history: (key, seq, time, id), ordered by place, then by
/// MERGE-1.
type Placed = (PublicKey, u64, u64, MessageId);

/// LIMIT-1: every place keeps its earliest [`PER_PLACE`] messages. The places are ranges of two
/// flat sets rather than a [`Group`] each, which would cost a B-tree node per message.
#[derive(Clone, Debug, Default)]
struct Places {
    kept: BTreeSet<Placed>,
    pruned: BTreeSet<Placed>,
}

/// The range of one place's messages.
fn place_of(s: &Placed) -> core::ops::RangeInclusive<Placed> {
    (s.0, s.1, 0, ID_MIN)..=(s.0, s.1, u64::MAX, ID_MAX)
}

impl Places {
    /// Inserts `s`; records the ids whose kept status changed (`s`'s own included if kept), as
    /// [`Group::insert`] does for a group that keeps its earliest.
    fn insert(&mut self, s: Placed, changed: &mut Vec<MessageId>) {
        let mut kept = self.kept.range(place_of(&s));
        let full = kept.by_ref().take(PER_PLACE).count() == PER_PLACE;
        if !full {
            self.kept.insert(s);
            changed.push(s.3);
            return;
        }
        match self.kept.range(place_of(&s)).next_back().copied() {
            Some(e) if s < e => {
                self.kept.remove(&e);
                self.pruned.insert(e);
                self.kept.insert(s);
                changed.extend([e.3, s.3]);
            }
            _ => {
                self.pruned.insert(s);
            }
        }
    }

    /// Removes `s`; records the ids whose kept status changed, as [`Group::remove`] does.
    fn remove(&mut self, s: Placed, changed: &mut Vec<MessageId>) {
        if self.kept.remove(&s) {
            changed.push(s.3);
            if let Some(n) = self.pruned.range(place_of(&s)).next().copied() {
                self.pruned.remove(&n);
                self.kept.insert(n);
                changed.push(n.3);
            }
        } else {
            self.pruned.remove(&s);
        }
    }
}

/// The limits over the valid social-kind messages of the replica.
#[derive(Clone, Debug, Default)]
pub(super) struct Limits {
    /// The entry of every message (shared with the merged state) and whether the views show it:
    /// the one map by id that the limits and the views read.
    facts: BTreeMap<MessageId, Slot>,
    /// A message being removed ([`Limits::remove`]): gone for the limits, still readable by the
    /// views, which unindex it, until [`Limits::forget`].
    leaving: Option<MessageId>,
    places: Places,
    classes: BTreeMap<(AccountId, usize), Group>,
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

/// A held message's entry, and whether the views show it.
#[derive(Clone, Debug)]
pub(super) struct Slot {
    pub(super) entry: Arc<Entry>,
    pub(super) shown: bool,
}

impl Limits {
    /// Whether a message is held (and not leaving).
    fn holds(&self, id: &MessageId) -> bool {
        self.leaving != Some(*id) && self.facts.contains_key(id)
    }

    /// The facts of a held message.
    fn facts(&self, id: &MessageId) -> Option<Facts> {
        if self.leaving == Some(*id) {
            return None;
        }
        self.facts.get(id).map(|slot| Facts::of(&slot.entry))
    }

    /// The slot of a message, held or leaving.
    pub(super) fn slot(&self, id: &MessageId) -> Option<&Slot> {
        self.facts.get(id)
    }

    /// Sets whether the views show a message.
    pub(super) fn show(&mut self, id: &MessageId, shown: bool) {
        if let Some(slot) = self.facts.get_mut(id) {
            slot.shown = shown;
        }
    }

    /// How many messages are held, kept or not.
    pub(super) fn len(&self) -> usize {
        self.facts.len()
    }

    /// Drops the slot of the message [`Limits::remove`] removed.
    pub(super) fn forget(&mut self, id: &MessageId) {
        if self.leaving == Some(*id) {
            self.facts.remove(id);
            self.leaving = None;
        }
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
                .get(&(f.account, f.class))
                .is_some_and(|g| g.keeps(&self.class_key(*id, &f)))
    }

    /// The key of a message in its class group (LIMIT-2's order).
    fn class_key(&self, id: MessageId, f: &Facts) -> Stamp {
        (self.ranked.contains(&id), f.time, id)
    }

    /// Whether a message is in its class group (kept or pruned there).
    fn in_class(&self, id: MessageId, f: &Facts) -> bool {
        let s = self.class_key(id, f);
        self.classes
            .get(&(f.account, f.class))
            .is_some_and(|g| g.kept.contains(&s) || g.pruned.contains(&s))
    }

    /// The messages LIMIT-1 keeps at a place of a key's history (at most [`PER_PLACE`]).
    pub(super) fn kept_at(
        &self,
        key: &PublicKey,
        seq: u64,
    ) -> impl Iterator<Item = MessageId> + '_ {
        self.places
            .kept
            .range((*key, seq, 0, ID_MIN)..=(*key, seq, u64::MAX, ID_MAX))
            .map(|s| s.3)
    }

    /// Kept by LIMIT-1.
    fn place_kept(&self, id: &MessageId, f: &Facts) -> bool {
        self.places.kept.contains(&(f.key, f.seq, f.time, *id))
    }

    /// Adds a message; returns the ids whose kept status may have changed.
    pub(super) fn insert(&mut self, id: MessageId, entry: Arc<Entry>) -> Vec<MessageId> {
        let facts = Facts::of(&entry);
        let mut out = Vec::new();
        let s = (facts.key, facts.seq, facts.time, id);
        self.facts.insert(
            id,
            Slot {
                entry,
                shown: false,
            },
        );
        let mut moved = Vec::new();
        self.places.insert(s, &mut moved);
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
        let s = (facts.key, facts.seq, facts.time, *id);
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
        let key = (f.account, f.class);
        let s = (
            f.gates
                .is_some_and(|t| self.in_force.get(&(f.account, t)) == Some(&id)),
            f.time,
            id,
        );
        if s.0 {
            self.ranked.insert(id);
        } else {
            self.ranked.remove(&id);
        }
        self.classes
            .entry(key)
            .or_default()
            .insert(s, class_limit(f.class), false, out);
    }

    fn class_remove(&mut self, id: MessageId, f: &Facts, out: &mut Vec<MessageId>) {
        let key = (f.account, f.class);
        if !self.in_class(id, f) {
            return;
        }
        let s = self.class_key(id, f);
        self.ranked.remove(&id);
        if let Some(g) = self.classes.get_mut(&key) {
            g.remove(s, false, out);
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
