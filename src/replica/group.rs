//! LIMIT-2's groups (`spec/07-merge.md` §2.5), as [`super::limits`] keeps them: each (account,
//! class) keeps its latest `N` members in two sorted sets whose boundary moves by at most one
//! member per insertion or removal. Memory (issue 18): a group of fewer than 32 members with
//! nothing pruned — nearly every group — is a sorted slice of exactly its length (an insertion or
//! removal moves at most 32 stamps, `O(1)`; the change to and from two B-trees is amortized
//! `O(log n)` per operation); stamps are packed in 41 bytes whose order is that of their tuple.

use alloc::boxed::Box;
use alloc::collections::BTreeSet;
use alloc::vec::Vec;

use crate::id::MessageId;

/// A message's key in its group of LIMIT-2, in LIMIT-2's order: the rank (a gate in force first),
/// then MERGE-1 (time, id). Packed as 41 bytes — the rank, the time big-endian, the id — whose
/// order is that of (rank, time, id), without the 7 bytes of padding of that tuple (48 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Stamp([u8; 41]);

impl Stamp {
    pub(super) fn new(rank: bool, time: u64, id: MessageId) -> Stamp {
        let mut bytes = [0; 41];
        bytes[0] = u8::from(rank);
        bytes[1..9].copy_from_slice(&time.to_be_bytes());
        bytes[9..].copy_from_slice(id.as_bytes());
        Stamp(bytes)
    }

    /// Whether it ranks first (a gate in force).
    pub(super) fn rank(&self) -> bool {
        self.0[0] != 0
    }

    pub(super) fn id(&self) -> MessageId {
        let mut id = [0; 32];
        id.copy_from_slice(&self.0[9..]);
        MessageId::from_bytes(id)
    }
}

/// A group of LIMIT-2 that keeps `limit` of its members, the latest. Most groups hold a handful of
/// messages, for which two B-trees (a node has 11 slots) cost several times their bytes: a group
/// of fewer than [`SMALL`] members, all kept, is a sorted slice of exactly its length; a larger
/// group, or one that prunes, is two B-trees, the kept members and the pruned ones (boxed, so that
/// a group costs 16 bytes in its map). An insertion or removal in a small group moves at most
/// [`SMALL`] stamps, so every operation stays `O(log n)` (amortized over the changes of form).
#[derive(Clone, Debug)]
pub(super) enum Group {
    /// Fewer than [`SMALL`] members, all kept, in increasing order.
    Small(Box<[Stamp]>),
    /// (kept, pruned).
    Large(Box<(BTreeSet<Stamp>, BTreeSet<Stamp>)>),
}

/// The size at which a group becomes two B-trees; it becomes a slice again below half of it, with
/// nothing pruned.
const SMALL: usize = 32;

impl Group {
    /// An empty group.
    pub(super) fn new() -> Group {
        Group::Small(Box::default())
    }

    /// Inserts `s` into a group that keeps its latest `limit`; records the stamps whose kept status
    /// changed (`s` itself included if kept).
    pub(super) fn insert(&mut self, s: Stamp, limit: usize, changed: &mut Vec<MessageId>) {
        if let Group::Small(v) = self {
            match v.binary_search(&s) {
                Ok(_) => return,
                Err(at) if v.len() + 1 < SMALL && v.len() < limit => {
                    let mut grown = Vec::with_capacity(v.len() + 1);
                    grown.extend_from_slice(&v[..at]);
                    grown.push(s);
                    grown.extend_from_slice(&v[at..]);
                    *v = grown.into_boxed_slice();
                    changed.push(s.id());
                    return;
                }
                Err(_) => {
                    let kept = v.iter().copied().collect();
                    *self = Group::Large(Box::new((kept, BTreeSet::new())));
                }
            }
        }
        let Group::Large(sets) = self else {
            return;
        };
        let (kept, pruned) = &mut **sets;
        if kept.len() < limit {
            kept.insert(s);
            changed.push(s.id());
            return;
        }
        match kept.first().copied() {
            Some(e) if s > e => {
                kept.remove(&e);
                pruned.insert(e);
                kept.insert(s);
                changed.extend([e.id(), s.id()]);
            }
            _ => {
                pruned.insert(s);
            }
        }
    }

    /// Removes `s`; records the stamps whose kept status changed (`s` itself included if it was).
    pub(super) fn remove(&mut self, s: Stamp, changed: &mut Vec<MessageId>) {
        let sets = match self {
            Group::Small(v) => {
                if let Ok(at) = v.binary_search(&s) {
                    let mut shrunk = Vec::with_capacity(v.len() - 1);
                    shrunk.extend_from_slice(&v[..at]);
                    shrunk.extend_from_slice(&v[at + 1..]);
                    *v = shrunk.into_boxed_slice();
                    changed.push(s.id());
                }
                return;
            }
            Group::Large(sets) => sets,
        };
        let (kept, pruned) = &mut **sets;
        if kept.remove(&s) {
            changed.push(s.id());
            if let Some(n) = pruned.last().copied() {
                pruned.remove(&n);
                kept.insert(n);
                changed.push(n.id());
            }
        } else {
            pruned.remove(&s);
        }
        if pruned.is_empty() && kept.len() < SMALL / 2 {
            *self = Group::Small(kept.iter().copied().collect());
        }
    }

    pub(super) fn keeps(&self, s: &Stamp) -> bool {
        match self {
            Group::Small(v) => v.binary_search(s).is_ok(),
            Group::Large(sets) => sets.0.contains(s),
        }
    }

    /// Whether `s` is a member, kept or pruned.
    pub(super) fn contains(&self, s: &Stamp) -> bool {
        match self {
            Group::Small(v) => v.binary_search(s).is_ok(),
            Group::Large(sets) => sets.0.contains(s) || sets.1.contains(s),
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        match self {
            Group::Small(v) => v.is_empty(),
            Group::Large(sets) => sets.0.is_empty() && sets.1.is_empty(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A group against a model (the members, the latest `limit` kept) through its changes of form:
    /// growing past [`SMALL`], pruning, and shrinking below [`SMALL`] / 2.
    #[test]
    fn a_group_keeps_its_latest_through_its_changes_of_form() {
        for limit in [3, 20, 40, 100] {
            let mut group = Group::new();
            let mut model: BTreeSet<Stamp> = BTreeSet::new();
            let stamp = |i: u64| {
                let mut id = [0; 32];
                id[..8].copy_from_slice(&(i * 7_919 % 101).to_le_bytes());
                Stamp::new(i % 5 == 0, (i * 37) % 61, MessageId::from_bytes(id))
            };
            let check = |group: &Group,
                         model: &BTreeSet<Stamp>,
                         before: &BTreeSet<Stamp>,
                         changed: &[MessageId]| {
                let kept: BTreeSet<Stamp> = model.iter().rev().take(limit).copied().collect();
                for s in model {
                    assert_eq!(group.keeps(s), kept.contains(s), "limit {limit}");
                    assert!(group.contains(s));
                    if kept.contains(s) != before.contains(s) {
                        assert!(changed.contains(&s.id()));
                    }
                }
                assert_eq!(group.is_empty(), model.is_empty());
            };
            let kept_of = |model: &BTreeSet<Stamp>| -> BTreeSet<Stamp> {
                model.iter().rev().take(limit).copied().collect()
            };
            for i in 0..80 {
                let before = kept_of(&model);
                let mut changed = Vec::new();
                group.insert(stamp(i), limit, &mut changed);
                model.insert(stamp(i));
                check(&group, &model, &before, &changed);
            }
            for i in (0..80).map(|i| (i * 13) % 80) {
                let before = kept_of(&model);
                let mut changed = Vec::new();
                group.remove(stamp(i), &mut changed);
                model.remove(&stamp(i));
                if before.contains(&stamp(i)) {
                    assert!(changed.contains(&stamp(i).id()));
                }
                check(&group, &model, &before, &changed);
            }
            assert!(matches!(group, Group::Small(_)));
        }
    }
}
