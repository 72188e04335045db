//! The cached canonical chain ([`Canon`]): what it can take in without a recomputation, in
//! `O(log n)` — an operation that extends the head, one off the chain that cannot change the choice
//! at its fork point, a receipt that keeps its witness on one path — and the witness gate and final
//! prefix it moves (06 §8.6, §10; the module comment of [`super`] lists the cases).

use super::*;

impl Fork {
    /// A strength as a fork keeps it: a root index (below [`crate::account::MAX_ROOTS`]), or
    /// `u8::MAX` for none (`usize::MAX` when computed). Compared only with root indexes, which it
    /// orders as before.
    pub(super) fn of(strength: usize) -> u8 {
        u8::try_from(strength).unwrap_or(u8::MAX)
    }

    /// Whether an operation signed by `key` (a self-retirement if `retires`), arriving under a
    /// child other than the chosen one, leaves the choice as it is: it cannot make that child as
    /// strong as the chosen one, nor take the chosen child's strength away.
    pub(super) fn harmless(&self, roots: &[PublicKey], key: &PublicKey, retires: bool) -> bool {
        let Some(i) = roots
            .iter()
            .position(|k| k == key)
            .filter(|_| !self.final_child)
        else {
            return true;
        };
        let bit = bit(i);
        let strength = usize::from(self.strength);
        i > strength
            || self.dead & bit != 0
            || (self.retired_in & bit != 0 && (!retires || strength != i))
    }

    /// [`Fork::harmless`] for every key operation `x` counts as signed by (a committed rotation:
    /// every root of its parent, 06 §8.1). `O(|roots|)`.
    pub(super) fn harmless_node(&self, roots: &[PublicKey], nodes: &Nodes, x: &Node) -> bool {
        attributed(nodes, x)
            .iter()
            .all(|(key, retires)| self.harmless(roots, key, *retires))
    }
}

impl Canon {
    /// The place on the chain up to which witness `key` endorses it: its deepest receipt's, or
    /// that of the operation where the receipt's branch leaves the chain.
    pub(super) fn reach(&self, nodes: &Nodes, key: &PublicKey) -> Option<usize> {
        let deepest = self.deepest.get(key)?;
        self.place(nodes, deepest).or_else(|| {
            self.branch
                .get(deepest)
                .and_then(|(f, _)| self.place(nodes, f))
        })
    }

    /// The place of `id` on the chain, if it is a chain operation: its depth, if the chain's
    /// operation at that depth is `id` (the chain goes from the genesis, depth 0, from parent to
    /// child). `O(log n)`.
    pub(super) fn place(&self, nodes: &Nodes, id: &MessageId) -> Option<usize> {
        let depth = nodes.get(id)?.depth();
        (self.at(nodes, depth) == Some(*id)).then_some(depth)
    }

    /// The chain operation at `place` (the genesis is 0): the head's ancestor at that depth.
    /// `O(log n)` steps ([`ancestor_at`]).
    pub(super) fn at(&self, nodes: &Nodes, place: usize) -> Option<MessageId> {
        ancestor_at(nodes, self.head, place)
    }

    /// The number of operations of the chain: one more than its forks (every chain operation but
    /// the head has one).
    pub(super) fn len(&self) -> usize {
        self.forks.len() + 1
    }

    /// The last operation of the chain.
    pub(super) fn head(&self) -> Option<&MessageId> {
        Some(&self.head)
    }

    /// Whether the operation at `place` on the chain is final at its parent (06 §8.6), from the
    /// witnesses' deepest receipts; `None` if the parent names no witnesses. `O(k log n)`.
    pub(super) fn final_at(&self, nodes: &Nodes, place: usize) -> Option<bool> {
        let parent = self.at(nodes, place.checked_sub(1)?)?;
        let set = nodes.get(&parent)?.state.witnesses()?;
        let endorsing = set
            .keys()
            .iter()
            .filter(|k| self.reach(nodes, k).is_some_and(|r| r >= place))
            .count();
        Some(endorsing >= set.threshold())
    }

    /// Moves the witness gate of ACCT-11 (`unfinal`) past the chain operations that receipts have
    /// made final at their witnessed parents. Each place is passed once per computed chain, so
    /// this costs `O(k log n)` per receipt, amortized.
    pub(super) fn advance_gate(&mut self, nodes: &Nodes) {
        while let Some(j) = self.unfinal.map(Place::get) {
            if self.final_at(nodes, j) == Some(false) {
                return;
            }
            self.unfinal = Some(j + 1)
                .filter(|next| *next < self.len())
                .map(Place::new);
        }
    }

    /// Extends the final prefix (06 §8.6) as far as the endorsements now reach.
    pub(super) fn extend_final(&mut self, nodes: &Nodes) {
        let mut j = self.last_final.map_or(1, |last| last.get() + 1);
        while j < self.len() {
            if self.final_at(nodes, j) != Some(true) {
                break;
            }
            self.last_final = Some(Place::new(j));
            j += 1;
        }
    }

    /// Whether operation `x`, arriving below the chosen child of every tied fork `forks[j]` with
    /// `j < limit`, can change one of those ties ([`Canon::watch`]). `O(log n)`.
    pub(super) fn unties(&self, nodes: &Nodes, x: &Node, limit: usize) -> bool {
        attributed(nodes, x).iter().any(|(key, retires)| {
            self.watch
                .get(key)
                .is_some_and(|w| w[usize::from(*retires)] < limit)
        })
    }

    /// Takes a new valid receipt of `witness` over `op` into the cached chain, if it cannot change
    /// the chain: a duplicitous witness's; or one that keeps its witness's receipts on one path,
    /// cannot make a child off the chain final, nor the chosen child of a tied fork — also where
    /// the chain ends in a tie of one key's leaves or a contest (audit-wm2 WM2A-3). Returns false
    /// if the chain must be recomputed. `O(log n)`, amortized.
    pub(super) fn keep_receipt(
        &mut self,
        nodes: &Nodes,
        witness: PublicKey,
        op: MessageId,
        first: bool,
    ) -> bool {
        if self.duplicitous.binary_search(&witness).is_ok() {
            return true; // its receipts count for nothing, and never will
        }
        // Audit-wm2 WM2A-3: a tie of one key's leaves or a contest at the end of the chain does
        // not stop a receipt from being kept. A receipt changes only which children are final and
        // which witnesses are duplicitous (06 §8.6), and each such change below recomputes: a
        // witness turning duplicitous (once per witness: duplicity only grows with the receipts),
        // a child of a chain operation turning final off the chain (a tied or contested leaf
        // included: once per fork, it then wins outright) or chosen at a tied fork (the tie at
        // the end included: `ties` holds it, checked below), or an operation in a superseded
        // range it may make final. Any other receipt leaves every fork's choice, the contested
        // list and the tie's revocations (06 §8.4 case 2) as they are.
        let prior = self.deepest.get(&witness).copied();
        if prior.is_none() && !first {
            return false;
        }
        let prior_place = prior.and_then(|d| self.place(nodes, &d));
        let deepest = match self.place(nodes, &op) {
            // On the chain: it endorses chain operations only.
            Some(place) => match (prior, prior_place) {
                (None, _) => op,
                (Some(d), Some(q)) => {
                    if place > q {
                        op
                    } else {
                        d
                    }
                }
                (Some(d), None) => match self.reach(nodes, &witness) {
                    Some(f) if place <= f => d,
                    _ => return false, // the witness turns duplicitous
                },
            },
            // Off the chain: its branch's first child must not turn final, nor any superseded
            // operation above it (a final operation is never superseded, 06 §8.1).
            None => {
                if self.superseded_in.contains_key(&op) {
                    return false;
                }
                let Some(&(fork, child)) = self.branch.get(&op) else {
                    return false;
                };
                let Some(at) = self.place(nodes, &fork) else {
                    return false;
                };
                // The witness's receipts must stay on one path: its deepest one is on the chain
                // above the branch, or in the same branch on one path with `op`.
                let deepest = match (prior, prior_place) {
                    (None, _) => op,
                    (Some(_), Some(q)) if q <= at => op,
                    (Some(d), None) if self.branch.get(&d) == Some(&(fork, child)) => {
                        if is_ancestor(nodes, d, op) {
                            op
                        } else if is_ancestor(nodes, op, d) {
                            d
                        } else {
                            return false; // the witness turns duplicitous
                        }
                    }
                    _ => return false,
                };
                if let Some(set) = nodes.get(&fork).and_then(|n| n.state.witnesses()) {
                    let endorsing = set
                        .keys()
                        .iter()
                        .filter(|k| {
                            **k == witness
                                || self
                                    .deepest
                                    .get(*k)
                                    .is_some_and(|d| self.branch.get(d) == Some(&(fork, child)))
                        })
                        .count();
                    if endorsing >= set.threshold() {
                        return false;
                    }
                }
                deepest
            }
        };
        // Audit-wm WM4: the witness now endorses the chain down to `reach`, one more endorsement
        // for every place after `before`. A child of a fork marked tie that turns final wins
        // there outright (06 §8.6): no tie, and the losing leaves add no revocation. Finality at
        // a fork happens once, so this recomputes once per tied fork; looking at the tied forks
        // passed costs `O(k log n)` each, and the witness's reach only grows while the chain is
        // kept, so each is passed once per witness and computed chain.
        let before = self.reach(nodes, &witness).unwrap_or(0);
        self.deepest.insert(witness, deepest);
        let reach = self.reach(nodes, &witness).unwrap_or(0);
        let first_tie = self.ties.partition_point(|&j| j < before);
        for &j in self.ties[first_tie..].iter().take_while(|&&j| j < reach) {
            if self.final_at(nodes, j + 1) == Some(true) {
                return false;
            }
        }
        self.extend_final(nodes);
        true
    }

    /// The branch entry of operation `x` (id `id`, following `parent`), arriving off the chain, if
    /// it cannot change the chain (the caller has ruled out every change of supersession, a
    /// superseded operation brought back included): where it leaves the chain there is no tie
    /// (but a met commitment's, [`Canon::keep_beside_met`]) and no contest, and either it lands below a superseded operation (outside the fork choice), or
    /// there is no chain operation it supersedes or that supersedes it, and it cannot make its
    /// branch as strong as the chosen child or weaken that child (06 §8.1). `O(log n)`.
    pub(super) fn keep_off_chain(
        &self,
        nodes: &Nodes,
        parent: MessageId,
        x: &Node,
        id: MessageId,
    ) -> Option<(MessageId, MessageId)> {
        let (fork, child) = match self.place(nodes, &parent) {
            Some(_) => (parent, id),
            None => *self.branch.get(&parent)?,
        };
        let at = self.place(nodes, &fork)?;
        let f = self.forks.get(at).filter(|f| !f.tie || f.met)?;
        if self.superseded_in.contains_key(&parent) {
            // Below a superseded operation that it does not bring back: outside the fork choice,
            // and in no contested subtree (06 §8.1, §8.4).
            return Some((fork, child));
        }
        // Audit-wm WM5: below the chosen child of a tied fork above `F`, it may undo that tie.
        if self.unties(nodes, x, at) {
            return None;
        }
        let chosen = nodes.get(&self.at(nodes, at + 1)?)?;
        let roots = &nodes.get(&fork)?.state.roots;
        if x.supersedes()
            .is_some_and(|y| self.place(nodes, &y).is_some())
        {
            return None;
        }
        if parent == fork && chosen.supersedes() == Some(id) {
            return None;
        }
        if f.met {
            return self.keep_beside_met(nodes, parent, x, (fork, child), chosen, roots, f);
        }
        // Committed acts of one parent do not count their retirements against each other (06
        // §8.1): beside a chosen committed act, a new one is not judged by the chosen child's
        // retirements, so the choice is made again.
        if chosen.committed() && x.committed() && parent == fork {
            return None;
        }
        f.harmless_node(roots, nodes, x).then_some((fork, child))
    }

    /// [`Canon::keep_off_chain`] at a fork `F` where a met commitment broke a tie of copies (06
    /// §8.1): the tied elements `T` are committed acts of one key `k` (the revealed key; they count
    /// as signed by every root of `F`), more than one continued, and the chosen `C` the one whose
    /// own commitment is met below it. An arrival `x` below the child `X` of `F` (audit-wm2
    /// WM2A-2) leaves that choice as it is when:
    ///
    /// - `x` is a new child of `F` that is a committed act (of `k`, a leaf copy): its strength is
    ///   no better than `C`'s (it counts for the same roots, and every retirement below `C`
    ///   counts against it), a leaf takes no part in the met clause, and its own retirements of
    ///   `F`'s roots are not held against `k`'s other acts (06 §8.1);
    /// - `X` is a committed act (of `k`) and `x` is no committed act (which may meet `X`'s own
    ///   commitment) and retires no root of `F` (which may stop it counting under `C`): `X`
    ///   already counts as signed by every root of `F`, so a signature adds nothing; if `x` is
    ///   `X`'s first child, `X` names no `next` of its own or `C`'s (a copy: the met clause
    ///   holds; nothing below a defeated copy reaches the head state, 06 §8.4 case 2);
    /// - else (`X` is no committed act) as at any fork ([`Fork::harmless_node`]).
    ///
    /// What recomputes here is a committed act below a copy (signed by a key of the copy's own
    /// next list, or of a later one: never the revealed key alone), a root of `F` retiring itself
    /// below a copy (its own key, or a committed act of a next list), and the first child of a
    /// copy naming another `next` (the thief of every key of the list, who can contest `F`
    /// anyway): each changes the choice at `F` or is signed by a key the copies' author is not
    /// proven to hold, so the revealed key's flood below a defeated copy, and its leaf copies at
    /// `F`, cost `O(log n)` each (06 §10). A revocation below a defeated copy adds nothing to the
    /// head state (06 §8.4 case 2, audit-wm2 WM2A-1).
    #[allow(clippy::too_many_arguments)]
    fn keep_beside_met(
        &self,
        nodes: &Nodes,
        parent: MessageId,
        x: &Node,
        (fork, child): (MessageId, MessageId),
        chosen: &Node,
        roots: &[PublicKey],
        f: &Fork,
    ) -> Option<(MessageId, MessageId)> {
        if parent == fork {
            if x.committed() {
                return Some((fork, child));
            }
            return f.harmless_node(roots, nodes, x).then_some((fork, child));
        }
        let copy = nodes.get(&child)?;
        if !copy.committed() {
            return f.harmless_node(roots, nodes, x).then_some((fork, child));
        }
        if x.committed()
            || attributed(nodes, x)
                .iter()
                .any(|(key, retires)| *retires && roots.contains(key))
        {
            return None;
        }
        let own = |n: &Node, id: MessageId| {
            n.origin
                .as_deref()
                .filter(|o| **o == id)
                .and(n.state.next())
        };
        let chosen_id = self.at(nodes, self.place(nodes, &fork)? + 1)?;
        let first_child = parent == child && copy.children.len() <= 1;
        if first_child && own(copy, child).is_some_and(|n| Some(n) != own(chosen, chosen_id)) {
            return None;
        }
        // A leaf copy kept since the chain was computed turns continued here: one more continued
        // copy of the same `next` leaves the met clause as it is (it does not meet its own
        // commitment: only a committed act below it could, which recomputes above), and nothing
        // below a defeated copy reaches the head state (06 §8.4 case 2), so it is kept too.
        Some((fork, child))
    }
}
