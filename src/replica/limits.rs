//! The storage limits (LIMIT-1..LIMIT-3, `spec/07-merge.md` §2.5) kept incrementally, so that the
//! replica's views show the pruned set, as `merge::State` does: each place keeps its earliest two
//! messages and each (account, class) its latest `N`, in two sorted sets whose boundary moves by at
//! most one message per insertion or removal, `O(log n)` each; the targets of pruned undos are
//! counted.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;

use crate::id::{AccountId, MessageId};
use crate::keys::PublicKey;
use crate::merge::limits::{class_limit, PER_PLACE};

/// MERGE-1 order.
type Stamp = (u64, MessageId);

/// The header facts the limits read, and the target of an edit, delete, unreact or unrepost.
#[derive(Clone, Debug)]
pub(super) struct Facts {
    pub(super) account: AccountId,
    pub(super) key: PublicKey,
    pub(super) seq: u64,
    pub(super) time: u64,
    pub(super) class: usize,
    pub(super) undoes: Option<MessageId>,
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
            changed.push(s.1);
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
                changed.extend([e.1, s.1]);
            }
            _ => {
                self.pruned.insert(s);
            }
        }
    }

    /// Removes `s`; returns the stamps whose kept status changed (`s` itself included if it was).
    fn remove(&mut self, s: Stamp, earliest: bool, changed: &mut Vec<MessageId>) {
        if self.kept.remove(&s) {
            changed.push(s.1);
            let next = if earliest {
                self.pruned.first().copied()
            } else {
                self.pruned.last().copied()
            };
            if let Some(n) = next {
                self.pruned.remove(&n);
                self.kept.insert(n);
                changed.push(n.1);
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

/// The limits over the valid social-kind messages of the replica.
#[derive(Clone, Debug, Default)]
pub(super) struct Limits {
    facts: BTreeMap<MessageId, Facts>,
    places: BTreeMap<(PublicKey, u64), Group>,
    classes: BTreeMap<(AccountId, usize), Group>,
    /// LIMIT-3: target -> how many undos naming it are pruned by LIMIT-1 or LIMIT-2.
    taken: BTreeMap<MessageId, usize>,
    /// The undos counted in `taken`, with their targets.
    counted: BTreeMap<MessageId, MessageId>,
}

impl Limits {
    /// Whether `id` is held and kept by LIMIT-1..LIMIT-3.
    pub(super) fn kept(&self, id: &MessageId) -> bool {
        self.facts.contains_key(id) && self.first_two_kept(id) && !self.taken.contains_key(id)
    }

    /// Kept by LIMIT-1 and LIMIT-2.
    fn first_two_kept(&self, id: &MessageId) -> bool {
        let Some(f) = self.facts.get(id) else {
            return false;
        };
        let s = (f.time, *id);
        self.places
            .get(&(f.key, f.seq))
            .is_some_and(|g| g.keeps(&s))
            && self
                .classes
                .get(&(f.account, f.class))
                .is_some_and(|g| g.keeps(&s))
    }

    /// Adds a message; returns the ids whose kept status may have changed.
    pub(super) fn insert(&mut self, id: MessageId, facts: Facts) -> Vec<MessageId> {
        let mut out = Vec::new();
        let place = (facts.key, facts.seq);
        let s = (facts.time, id);
        self.facts.insert(id, facts);
        let mut moved = Vec::new();
        self.places
            .entry(place)
            .or_default()
            .insert(s, PER_PLACE, true, &mut moved);
        self.follow_place(&moved, &mut out);
        out.push(id);
        self.settle(&mut out);
        out
    }

    /// Removes a message; returns the ids whose kept status may have changed.
    pub(super) fn remove(&mut self, id: &MessageId) -> Vec<MessageId> {
        let mut out = Vec::new();
        let Some(facts) = self.facts.get(id).cloned() else {
            return out;
        };
        let place = (facts.key, facts.seq);
        let s = (facts.time, *id);
        let mut moved = Vec::new();
        if let Some(g) = self.places.get_mut(&place) {
            g.remove(s, true, &mut moved);
            if g.is_empty() {
                self.places.remove(&place);
            }
        }
        // `id` left its place: if it was kept there, take it out of its class first.
        if moved.first() == Some(id) {
            moved.remove(0);
            self.class_remove(*id, &facts, &mut out);
        }
        self.follow_place(&moved, &mut out);
        self.facts.remove(id);
        out.push(*id);
        self.settle(&mut out);
        out
    }

    /// The LIMIT-1 status of each moved id changed: enter or leave its class.
    fn follow_place(&mut self, moved: &[MessageId], out: &mut Vec<MessageId>) {
        for m in moved {
            let Some(f) = self.facts.get(m).cloned() else {
                continue;
            };
            let s = (f.time, *m);
            let now_kept = self
                .places
                .get(&(f.key, f.seq))
                .is_some_and(|g| g.keeps(&s));
            if now_kept {
                let limit = class_limit(f.class);
                let mut changed = Vec::new();
                self.classes
                    .entry((f.account, f.class))
                    .or_default()
                    .insert(s, limit, false, &mut changed);
                out.extend(changed);
            } else {
                self.class_remove(*m, &f, out);
            }
            out.push(*m);
        }
    }

    fn class_remove(&mut self, id: MessageId, f: &Facts, out: &mut Vec<MessageId>) {
        let key = (f.account, f.class);
        if let Some(g) = self.classes.get_mut(&key) {
            g.remove((f.time, id), false, out);
            if g.is_empty() {
                self.classes.remove(&key);
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
            let Some(target) = self.facts.get(id).and_then(|f| f.undoes) else {
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
