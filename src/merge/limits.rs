//! Deterministic storage limits (rules LIMIT-1 to LIMIT-3, `spec/07-merge.md` §2.5).
//!
//! Every node prunes the same messages from the same set, so nodes that enforce the limits still
//! converge, and the state and its digest are those of the pruned set:
//!
//! - **LIMIT-1** at most [`PER_PLACE`] messages per place `(key, seq)`: the earliest by MERGE-1;
//! - **LIMIT-2** per account and class of kinds, the latest [`limit`] messages by MERGE-1, the
//!   gates in force before the other gates, so that pruning never lifts a post's gate while a
//!   superseded or deleted gate is kept;
//! - **LIMIT-3** the target of a pruned edit, delete, unreact or unrepost is pruned too, so
//!   pruning never brings back content its author withdrew.
//!
//! Pruning reads headers (and, for LIMIT-3, the targets of whole control messages), never the
//! arrival order or a clock. It is computed by one sort per rule: `O(n log n)` over `n` messages.
//!
//! ```
//! use skylark::merge::limits;
//! assert_eq!(limits::PER_PLACE, 2);
//! assert_eq!(limits::limit("react"), limits::limit("unreact"));
//! assert_eq!(limits::limit("post"), Some(("post", 5_000)));
//! assert_eq!(limits::limit("genesis"), None); // operations are 06's, not limited here
//! ```

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;

use super::Effect;
use crate::id::{AccountId, MessageId};

/// The most messages of the social kinds one place `(key, seq)` keeps (rule LIMIT-1): two, the
/// earliest by MERGE-1, which is enough for the evidence of MERGE-10 and no more.
///
/// ```
/// assert_eq!(skylark::merge::limits::PER_PLACE, 2);
/// ```
pub const PER_PLACE: usize = 2;

/// The classes of LIMIT-2: a name, the kinds it holds, and how many messages of those kinds one
/// account keeps. An undo is in its target's class, as Farcaster counts removes with adds.
const CLASSES: [(&str, &[&str], usize); 9] = [
    ("profile", &["profile"], 50),
    ("post", &["post", "edit"], 5_000),
    ("delete", &["delete"], 5_000),
    ("react", &["react", "unreact"], 2_500),
    ("repost", &["repost", "unrepost"], 2_500),
    ("follow", &["follow", "unfollow"], 2_500),
    ("block", &["block", "unblock"], 2_500),
    ("label", &["label"], 50_000),
    ("gate", &["gate"], 5_000),
];

/// The class of LIMIT-2 that messages of `kind` belong to, and how many messages of that class one
/// account keeps; `None` for kinds the merge rules do not read (operations, `dm`, `prekey`,
/// extension and unknown kinds).
///
/// ```
/// use skylark::merge::limits::limit;
/// assert_eq!(limit("edit"), Some(("post", 5_000)));
/// assert_eq!(limit("unfollow"), Some(("follow", 2_500)));
/// assert_eq!(limit("com.example.poll"), None);
/// ```
pub fn limit(kind: &str) -> Option<(&'static str, usize)> {
    class_of(kind).map(|c| (CLASSES[c].0, CLASSES[c].2))
}

/// How many messages of the class with this index one account keeps (LIMIT-2).
pub(crate) fn class_limit(class: usize) -> usize {
    CLASSES.get(class).map_or(0, |c| c.2)
}

/// The index in [`CLASSES`] of `kind`'s class.
pub(crate) fn class_of(kind: &str) -> Option<usize> {
    CLASSES
        .iter()
        .position(|(_, kinds, _)| kinds.contains(&kind))
}

/// MERGE-1 reversed, after the rank of LIMIT-2 (a gate in force first): sorting by it puts the
/// latest first.
type Latest<'a> = core::cmp::Reverse<(bool, u64, &'a MessageId)>;

/// LIMIT-2's gates in force: of the gates LIMIT-1 keeps (not in `pruned`) that no delete LIMIT-1
/// keeps names, the latest (MERGE-1) per account and target. `O(n log n)`.
fn gates_in_force(messages: &super::Entries, pruned: &BTreeSet<MessageId>) -> BTreeSet<MessageId> {
    let kept = || messages.iter().filter(|(id, _)| !pruned.contains(*id));
    let deleted: BTreeSet<&MessageId> = kept()
        .filter_map(|(_, e)| match &e.effect {
            Effect::Delete(target) => Some(target),
            _ => None,
        })
        .collect();
    let mut latest: BTreeMap<(&AccountId, &MessageId), (u64, &MessageId)> = BTreeMap::new();
    for (id, e) in kept().filter(|(id, _)| !deleted.contains(id)) {
        if let Effect::Gate { target, .. } = &e.effect {
            let slot = latest.entry((e.account(), target)).or_insert((e.time, id));
            if (e.time, id) > *slot {
                *slot = (e.time, id);
            }
        }
    }
    latest.into_values().map(|(_, id)| *id).collect()
}

/// The ids LIMIT-1..LIMIT-3 prune from `messages` (the social-kind messages of the set, whole or
/// withheld). `O(n log n)`: two sorts and one pass each.
pub(super) fn pruned(messages: &super::Entries) -> BTreeSet<MessageId> {
    let mut out = BTreeSet::new();

    // LIMIT-1: group by place, earliest first; everything after the first PER_PLACE goes.
    let mut places: Vec<(&[u8; 32], u64, u64, &MessageId)> = messages
        .iter()
        .map(|(id, e)| (e.key().as_bytes(), e.seq, e.time, id))
        .collect();
    places.sort_unstable();
    let mut run = 0;
    for (i, p) in places.iter().enumerate() {
        run = match i.checked_sub(1).map(|j| &places[j]) {
            Some(q) if (q.0, q.1) == (p.0, p.1) => run + 1,
            _ => 0,
        };
        if run >= PER_PLACE {
            out.insert(*p.3);
        }
    }

    // LIMIT-2: of what LIMIT-1 kept, group by (account, class), latest first — in the gate class,
    // the gates in force before the others.
    let in_force = gates_in_force(messages, &out);
    let mut classes: Vec<(&AccountId, usize, Latest<'_>)> = messages
        .iter()
        .filter(|(id, _)| !out.contains(*id))
        .map(|(id, e)| {
            let rank = in_force.contains(id);
            (
                e.account(),
                e.class(),
                core::cmp::Reverse((rank, e.time, id)),
            )
        })
        .collect();
    classes.sort_unstable();
    let mut run = 0;
    for (i, c) in classes.iter().enumerate() {
        run = match i.checked_sub(1).map(|j| &classes[j]) {
            Some(q) if (q.0, q.1) == (c.0, c.1) => run + 1,
            _ => 0,
        };
        if run >= CLASSES[c.1].2 {
            out.insert(*c.2 .0 .2);
        }
    }

    // LIMIT-3: one step from what LIMIT-1 and LIMIT-2 pruned, never further.
    let targets: Vec<MessageId> = out
        .iter()
        .filter_map(|id| match messages.get(id).map(|e| &e.effect) {
            Some(
                Effect::Edit { target, .. }
                | Effect::Delete(target)
                | Effect::Unreact(target)
                | Effect::Unrepost(target),
            ) => Some(*target),
            _ => None,
        })
        .collect();
    out.extend(targets);
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]

    use super::limit;
    use crate::id::{AccountId, MessageId};
    use crate::keys::SecretKey;
    use crate::merge::State;
    use crate::message::{validate, Authorization, BodyKind, MemoryContext, React, Verdict};
    use alloc::vec::Vec;

    /// LIMIT-2 on a large class: one account's 2501 likes (each the first message of a key of its
    /// own, so no place holds two) keep the latest 2500; the earliest is pruned and does not count.
    #[test]
    fn react_class_keeps_the_latest_2500() {
        let (_, n) = limit("react").unwrap();
        let alice = AccountId::from_bytes([1; 32]);
        let context = MemoryContext::new(1 << 40, Authorization::Authorized);
        let mut state = State::new();
        let mut ids = Vec::new();
        for i in 0..=n {
            let key = SecretKey::from_seed(blake3::hash(&(i as u64).to_le_bytes()).into());
            let target = MessageId::from_bytes(blake3::hash(&[i as u8, (i >> 8) as u8]).into());
            let m = React::like(target)
                .draft(alice, 1_000 + i as u64)
                .unwrap()
                .sign(&key)
                .unwrap();
            ids.push(m.id());
            let Verdict::Valid(v) = validate(m, &context) else {
                panic!("react {i}")
            };
            state.apply(&v);
        }
        let pruned = state.pruned();
        assert_eq!(pruned.len(), 1);
        assert!(pruned.contains(&ids[0]));
        let summary = state.summary(0);
        let reactions = summary.as_map().unwrap().get("reactions").unwrap();
        assert_eq!(reactions.as_map().unwrap().len(), n);
    }
}
