//! The fork choice from scratch (rule ACCT-5, 06 §8.1, §8.4): one Euler tour of the tree of valid
//! operations and the choice at each operation of the chain, `O(n log n)` (06 §10).

use super::*;

impl Log {
    /// Chooses the canonical chain (rule ACCT-5, 06 §8.1) and the head state (06 §8.4): from the
    /// genesis, at each operation, the child whose subtree holds the signature of the highest-priority
    /// root (of the parent's root list) that counts there wins. A root stops counting under every
    /// child but the one under which it retired itself; superseded operations take no part, nor do
    /// their subtrees; a tie of one key's leaves goes to the smallest id; any other tie stops the
    /// chain, and the tied children are kept as evidence. `O(n log n)` (06 §10).
    pub(super) fn choose(&self) -> Canon {
        // A log always holds its genesis; were it empty, the chain would be an unknown id alone,
        // and no view of it is given ([`AccountView::of`]).
        let genesis = self.genesis().unwrap_or(MessageId::from_bytes([0; 32]));
        // Euler tour of the whole tree of valid operations: entry and exit times, and the operations in
        // entry order. Children in arrival order: nothing below depends on their order.
        let mut tin: BTreeMap<MessageId, usize> = BTreeMap::new();
        let mut tout: BTreeMap<MessageId, usize> = BTreeMap::new();
        let mut order: Vec<MessageId> = Vec::new();
        let mut stack: Vec<(MessageId, usize)> = alloc::vec![(genesis, 0)];
        while let Some((id, next_child)) = stack.pop() {
            let Some(node) = self.nodes.get(&id) else {
                continue;
            };
            if next_child == 0 {
                tin.insert(id, order.len());
                order.push(id);
            }
            if let Some(child) = node.children.get(next_child) {
                stack.push((id, next_child + 1));
                stack.push((*child, 0));
            } else {
                tout.insert(id, order.len());
            }
        }
        let span = |x: &MessageId| Some((*tin.get(x)?, *tout.get(x)?));
        // Witnesses (06 §8.6): duplicity, and which children are final under their parent's set.
        let finality = Finality::of(&self.rare().receipts, &tin, &tout);
        let is_final = |x: &MessageId| {
            let set = self
                .nodes
                .get(x)
                .and_then(|n| n.parent)
                .and_then(|p| self.nodes.get(&p))
                .and_then(|p| p.state.witnesses());
            span(x).is_some_and(|sp| finality.is_final(set, sp))
        };
        let count = |positions: &[usize], (lo, hi): (usize, usize)| {
            positions.partition_point(|&p| p < hi) - positions.partition_point(|&p| p < lo)
        };
        // Per signer, the sorted entry times of its operations in the whole tree of valid
        // operations (superseded ones included): has a key signed strictly below an operation?
        let mut all_by_signer: BTreeMap<PublicKey, Vec<usize>> = BTreeMap::new();
        for (clock, id) in order.iter().enumerate() {
            if let Some(node) = self.nodes.get(id) {
                // Audit f2f8-2 M1: "counts as signed by" (a committed act: every root of its parent).
                for (key, _) in attributed(&self.nodes, node) {
                    all_by_signer.entry(key).or_default().push(clock);
                }
            }
        }
        let signed_below = |key: &PublicKey, (lo, hi): (usize, usize)| {
            all_by_signer
                .get(key)
                .is_some_and(|positions| count(positions, (lo + 1, hi)) > 0)
        };
        // The superseded operations (06 §8.1), each with the operations that supersede it: `y`,
        // which a later sibling `x` of its signer names, never final, and below which no valid
        // operation is signed by a root of their parent or of `x`'s state — at most 8 binary
        // searches per `x`, over the whole tree, so nested supersessions are not circular.
        let mut superseded: BTreeMap<MessageId, Vec<MessageId>> = BTreeMap::new();
        for (x_id, x) in self.nodes.iter() {
            let Some(y) = x.supersedes().filter(|y| self.replaces(x, y, &is_final)) else {
                continue;
            };
            let (Some(y_span), Some(parent)) =
                (span(&y), x.parent.and_then(|p| self.nodes.get(&p)))
            else {
                continue;
            };
            let blocked = parent
                .state
                .roots
                .iter()
                .chain(x.state.roots.iter())
                .any(|k| signed_below(k, y_span));
            if !blocked {
                superseded.entry(y).or_default().push(*x_id);
            }
        }
        // Per signer, the sorted entry times of its operations and of its self-retirements in the
        // fork-choice tree: a superseded operation leaves it with its subtree (a contiguous range
        // of the tour, skipped; leaving it out leaves every other subtree's span as it is). Each
        // operation of a skipped range is mapped to the range's superseded root.
        let mut by_signer: BTreeMap<PublicKey, Vec<usize>> = BTreeMap::new();
        let mut retired_by: BTreeMap<PublicKey, Vec<usize>> = BTreeMap::new();
        let mut superseded_in: BTreeMap<MessageId, MessageId> = BTreeMap::new();
        let mut skip: Option<(MessageId, usize)> = None;
        for (clock, id) in order.iter().enumerate() {
            if let Some((y, _)) = skip.filter(|(_, end)| clock < *end) {
                superseded_in.insert(*id, y);
                continue;
            }
            if superseded.contains_key(id) {
                skip = Some((*id, tout.get(id).copied().unwrap_or(clock + 1)));
                superseded_in.insert(*id, *id);
                continue;
            }
            let Some(node) = self.nodes.get(id) else {
                continue;
            };
            // A committed rotation counts as signed by every root of its parent, and retires each
            // one its list does not keep (06 §8.1): `O(|roots|)` entries, in tour order per key.
            for (key, retires) in attributed(&self.nodes, node) {
                by_signer.entry(key).or_default().push(clock);
                if retires {
                    retired_by.entry(key).or_default().push(clock);
                }
            }
        }
        // 06 §8.1 (audit Q1): the operations whose own commitment a committed act of the
        // fork-choice tree (no superseded range) meets — one pass over the nodes, O(n log n) with
        // the set.
        let met: BTreeSet<MessageId> = self
            .nodes
            .iter()
            .filter(|(id, n)| n.committed() && !superseded_in.contains_key(*id))
            .filter_map(|(_, n)| {
                n.parent
                    .and_then(|p| self.nodes.get(&p))
                    .and_then(|p| p.origin.as_deref().copied())
            })
            .collect();
        // For each skipped range's root `y`: the keys whose signature below it brings it back.
        let revivers: BTreeMap<MessageId, Vec<PublicKey>> = superseded_in
            .iter()
            .filter(|(x, y)| x == y)
            .map(|(y, _)| {
                let parent = self
                    .nodes
                    .get(y)
                    .and_then(|n| n.parent)
                    .and_then(|p| self.nodes.get(&p));
                let mut keys: Vec<PublicKey> = superseded
                    .get(y)
                    .into_iter()
                    .flatten()
                    .filter_map(|x| self.nodes.get(x))
                    .chain(parent)
                    .flat_map(|n| n.state.roots.iter().copied())
                    .collect();
                keys.sort_unstable();
                keys.dedup();
                (*y, keys)
            })
            .collect();
        // Case 3 of 06 §8.4 at chain operation `node`: the revocations of its superseded children
        // that an operation of `t` (sorted: its final child, or its children of minimal strength)
        // finally supersedes — following `supersedes` links to an operation that is not itself
        // superseded. A superseder has a larger `seq` than what it supersedes, so in decreasing
        // `seq` order each child is decided after its superseders: `O(d log d)` for `d` children.
        let carry = |node: &Node, t: &[MessageId], carried: &mut Vec<(PublicKey, Revocation)>| {
            let mut ys: Vec<(u64, MessageId)> = node
                .children
                .iter()
                .filter(|c| superseded.contains_key(*c))
                .filter_map(|c| Some((self.nodes.get(c)?.seq, *c)))
                .collect();
            ys.sort_unstable_by(|a, b| b.cmp(a));
            let mut reaches: BTreeMap<MessageId, bool> = BTreeMap::new();
            for (_, y) in ys {
                let hit = superseded.get(&y).into_iter().flatten().any(|x| {
                    match superseded.contains_key(x) {
                        true => reaches.get(x).copied().unwrap_or(false),
                        false => t.binary_search(x).is_ok(),
                    }
                });
                reaches.insert(y, hit);
                if let Some(revokes) = self.nodes.get(&y).and_then(Node::revokes).filter(|_| hit) {
                    carried.push(revokes);
                }
            }
        };
        let in_subtree = |key: &PublicKey, child: (usize, usize)| {
            by_signer
                .get(key)
                .is_some_and(|positions| count(positions, child) > 0)
        };
        // Has `key` retired itself under a child of `parent` other than `child`, not counting the
        // `excused` self-retirements of `key` by siblings of `child` that speak for one commitment
        // with it (06 §8.1)?
        let retired_elsewhere =
            |key: &PublicKey, parent: (usize, usize), child: (usize, usize), excused: usize| {
                retired_by.get(key).is_some_and(|positions| {
                    count(positions, (parent.0 + 1, parent.1)).saturating_sub(excused)
                        > count(positions, child)
                })
            };
        let is_leaf = |x: &MessageId| {
            self.nodes
                .get(x)
                .is_none_or(|n| n.children.iter().all(|c| superseded.contains_key(c)))
        };
        let mut chain = Store::default();
        let mut path = Vec::new();
        let mut forks = Vec::new();
        let mut at = genesis;
        let mut contested = Vec::new();
        let mut tie = false;
        let mut last_final = None;
        // Whether every operation chosen so far is final (the final prefix, 06 §8.6).
        let mut prefix = true;
        // The first chosen operation whose parent names witnesses and that is not final there.
        let mut unfinal = None;
        // Revoke operations whose revocations also apply to the head state (06 §8.4).
        let mut sticky: Vec<MessageId> = Vec::new();
        // The operations of `c`'s subtree in the fork-choice tree, and the superseded operations
        // whose parent is in it, without what lies below those (06 §8.4, cases 1 and 2): a
        // contiguous range of the tour, each range skipped in it mapped to its root.
        let (tour, skipped) = (&order, &superseded_in);
        let fc_subtree = |c: &MessageId| {
            let (lo, hi) = span(c).unwrap_or((0, 0));
            tour.get(lo..hi)
                .unwrap_or_default()
                .iter()
                .copied()
                .filter(move |x| skipped.get(x).is_none_or(|y| y == x))
        };
        let mut carried: Vec<(PublicKey, Revocation)> = Vec::new();
        // The tied forks with what can undo them (see [`Canon::watch`]).
        let mut ties: Vec<usize> = Vec::new();
        let mut watch: BTreeMap<PublicKey, [usize; 2]> = BTreeMap::new();
        loop {
            chain.insert(at, path.len());
            path.push(at);
            let (Some(node), Some(at_span)) = (self.nodes.get(&at), span(&at)) else {
                break;
            };
            let roots = &node.state.roots;
            let children = node
                .children
                .iter()
                .filter(|c| !superseded.contains_key(*c));
            // The committed acts among the children (ACCT-14), each with its signer and the
            // roots it retires. They are signed by the one revealed key of this commitment and
            // name its one list, so they speak for one commitment: a self-retirement by one of
            // them does not count against another (06 §8.1). `O(children)` here, `O(n)` in all.
            let rotations: BTreeMap<MessageId, (PublicKey, u8)> = children
                .clone()
                .filter_map(|c| {
                    let n = self.nodes.get(c).filter(|n| n.committed())?;
                    Some((*c, (*n.signer()?, n.drops)))
                })
                .collect();
            // Per signer, how many of its committed acts here retire root `i` (at most 8 roots:
            // `drops` is a `u8`), so that each child's excused count is a lookup, not a scan
            // (audit-wm WM3: a scan per child was `O(r^2)` for `r` copies of one act).
            let mut retiring: BTreeMap<PublicKey, [usize; 8]> = BTreeMap::new();
            for (signer, mask) in rotations.values() {
                let counts = retiring.entry(*signer).or_insert([0; 8]);
                for (i, n) in counts.iter_mut().enumerate() {
                    *n += usize::from(mask & bit(i) != 0);
                }
            }
            // How many self-retirements of root `i` by the committed siblings of `child` do not
            // count against it: none unless `child` is itself a committed act; else those of the
            // other committed acts of its signer.
            let excused = |child: &MessageId, i: usize| {
                let Some((signer, mask)) = rotations.get(child) else {
                    return 0;
                };
                let all = retiring
                    .get(signer)
                    .and_then(|c| c.get(i))
                    .copied()
                    .unwrap_or(0);
                all.saturating_sub(usize::from(mask & bit(i) != 0))
            };
            let strength = |id: &MessageId, child: (usize, usize)| {
                roots
                    .iter()
                    .enumerate()
                    .position(|(i, k)| {
                        in_subtree(k, child)
                            && !retired_elsewhere(k, at_span, child, excused(id, i))
                    })
                    .unwrap_or(usize::MAX)
            };
            // A final child wins outright (06 §8.6); there is at most one when t > n/2.
            let final_child = children.clone().filter(|c| is_final(c)).min();
            let mut best: Option<(usize, Vec<MessageId>)> = None;
            for child in children {
                let Some(child_span) = span(child) else {
                    continue;
                };
                let s = strength(child, child_span);
                match &mut best {
                    Some((b, ids)) if s == *b => ids.push(*child),
                    Some((b, _)) if s > *b => {}
                    _ => best = Some((s, alloc::vec![*child])),
                }
            }
            if final_child.is_none() {
                prefix = false;
            }
            // The set the superseder of a revocation at this operation must be in (06 §8.4, case
            // 3): the final child alone, or the children of minimal strength.
            let mut t: Vec<MessageId> = match (final_child, &best) {
                (Some(c), _) => alloc::vec![*c],
                (None, Some((_, ids))) => ids.clone(),
                (None, None) => Vec::new(),
            };
            t.sort_unstable();
            carry(node, &t, &mut carried);
            let chosen_strength = best.as_ref().map_or(usize::MAX, |(s, _)| *s);
            let mut tied_here = false;
            let mut met_here = false;
            let next = match (final_child, best) {
                (Some(c), _) => {
                    if prefix {
                        // The place `c` takes (`next`, pushed on the next turn).
                        last_final = Some(Place::new(path.len()));
                    }
                    *c
                }
                (None, None) => break,
                (None, Some((_, ids))) if ids.len() == 1 => ids[0],
                (None, Some((s, mut ids))) => {
                    ids.sort();
                    // One key's leaves: all committed acts (ACCT-14) by one revealed key, which
                    // count for every root of `P` (06 §8.1, first), or signed by the root of rank `s`.
                    let rotations = ids
                        .iter()
                        .all(|c| self.nodes.get(c).is_some_and(|n| n.committed()));
                    let key = match rotations {
                        true => ids
                            .first()
                            .and_then(|c| self.nodes.get(c))
                            .and_then(Node::signer),
                        false => roots.get(s),
                    };
                    let by_key = key.is_some_and(|key| {
                        ids.iter()
                            .all(|c| self.nodes.get(c).is_some_and(|n| n.signer() == Some(key)))
                    });
                    let mut continued = ids.iter().filter(|c| !is_leaf(c));
                    let one = continued
                        .next()
                        .copied()
                        .filter(|_| continued.next().is_none());
                    // The key signed below the one continued child itself (06 §8.1).
                    let key_below = |c: &MessageId| {
                        key.zip(span(c))
                            .is_some_and(|(key, (lo, hi))| in_subtree(key, (lo + 1, hi)))
                    };
                    let mut meeting = ids.iter().filter(|c| rotations && met.contains(*c));
                    let meets = meeting.next().copied().filter(|_| meeting.next().is_none());
                    // ... and every other continued element commits to nothing of its own, or to
                    // the same next roots as `c` (a copy): never against a commitment of its own.
                    let own = |x: &MessageId| {
                        self.nodes
                            .get(x)
                            .filter(|n| n.origin.as_deref() == Some(x))
                            .and_then(|n| n.state.next())
                    };
                    let meets = meets.filter(|c| {
                        ids.iter()
                            .filter(|x| *x != c && !is_leaf(x))
                            .all(|x| own(x).is_none() || own(x) == own(c))
                    });
                    if let Some(c) =
                        meets.filter(|_| ids.iter().filter(|c| !is_leaf(c)).count() > 1)
                    {
                        // A met commitment breaks a copy's tie (06 §8.1, audit Q1): of committed
                        // acts of one parent continued below more than one, the one whose own
                        // commitment is met below it wins. The defeated copies' subtrees add no
                        // revocation to the head state (06 §8.4 case 2): a copy counts as every
                        // root of the parent, so carrying them gave anyone who ever held a key of
                        // the revealed list a revocation of every app key above for ever
                        // (audit-wm2 WM2A-1, which undid the WM2 fix); the owner re-signs his
                        // leaf-window revocations below his own chain (06 §5.8). Marked as a tie
                        // (receipts and the watch of WM4/WM5) and as met: the cache takes an
                        // arrival beside it only if it cannot change this choice
                        // (`Canon::keep_off_chain`; audit-wm2 WM2A-2).
                        tied_here = true;
                        met_here = true;
                        c
                    } else if by_key && one.is_none() && ids.iter().all(is_leaf) {
                        tie = true;
                        tied_here = true;
                        sticky.extend_from_slice(&ids[1..]);
                        ids[0]
                    } else if let Some(c) = one.filter(|c| by_key && key_below(c)) {
                        // A tie of one key's leaves that the key continued below one of them: any
                        // operation off the chain here may undo it, so the fork is marked as a tie.
                        tied_here = true;
                        sticky.extend(ids.iter().filter(|x| **x != c));
                        c
                    } else {
                        // The contested subtrees (06 §8.4, case 1).
                        for c in &ids {
                            sticky.extend(fc_subtree(c));
                        }
                        contested = ids;
                        break;
                    }
                }
            };
            if final_child.is_none() && node.state.witnesses().is_some() && unfinal.is_none() {
                unfinal = Some(Place::new(path.len())); // the place `next` takes
            }
            let retired_in = roots.iter().enumerate().fold(0u8, |mask, (i, k)| {
                let here = span(&next).is_some_and(|sp| {
                    retired_by
                        .get(k)
                        .is_some_and(|positions| count(positions, sp) > 0)
                });
                mask | if here { bit(i) } else { 0 }
            });
            if tied_here {
                // Below the chosen child, a key of rank `i` can undo the tie when it outranks it
                // and would count there (not retired under another child), or when it is of the
                // tie's rank or above and retires itself there for the first time.
                let chosen_span = span(&next);
                for (i, k) in roots
                    .iter()
                    .enumerate()
                    .take_while(|(i, _)| *i <= chosen_strength)
                {
                    let counts = chosen_span
                        .is_some_and(|sp| !retired_elsewhere(k, at_span, sp, excused(&next, i)));
                    let signs = i < chosen_strength && counts;
                    let retires = signs || retired_in & bit(i) == 0;
                    let w = watch.entry(*k).or_insert([usize::MAX; 2]);
                    if signs {
                        w[0] = w[0].min(forks.len());
                    }
                    if retires {
                        w[1] = w[1].min(forks.len());
                    }
                }
                ties.push(forks.len());
            }
            forks.push(Fork {
                final_child: final_child.is_some(),
                tie: tied_here,
                met: met_here,
                strength: Fork::of(chosen_strength),
                retired_in,
                dead: 0,
            });
            at = next;
        }
        // Every revocation applied beside the head's own state is kept in `carried`: the cache
        // applies them again when the chain grows at its head (audit-wm WM2).
        let carried: Vec<(PublicKey, Revocation)> = sticky
            .iter()
            .filter_map(|x| self.nodes.get(x).and_then(Node::revokes))
            .chain(carried)
            .collect();
        let state = match (carried.is_empty(), self.nodes.get(&at)) {
            (false, Some(node)) => {
                let mut state = node.state.clone();
                for (app, revocation) in &carried {
                    state.revoke_also(app, *revocation);
                }
                Some(Box::new(state))
            }
            _ => None,
        };
        // Where each operation off the chain leaves it (a parent comes before its children in the
        // tour), and the roots that retired themselves under two children of a chain operation.
        let mut branch: BTreeMap<MessageId, (MessageId, MessageId)> = BTreeMap::new();
        for id in &order {
            let Some(parent) = self.nodes.get(id).and_then(|n| n.parent) else {
                continue;
            };
            if chain.contains_key(id) {
                continue;
            }
            let entry = match chain.contains_key(&parent) {
                true => Some((parent, *id)),
                false => branch.get(&parent).copied(),
            };
            if let Some(entry) = entry {
                branch.insert(*id, entry);
            }
        }
        for (j, fork) in forks.iter_mut().enumerate() {
            let (Some(node), Some((lo, hi)), Some(chosen)) = (
                self.nodes.get(&path[j]),
                span(&path[j]),
                path.get(j + 1).and_then(&span),
            ) else {
                continue;
            };
            // Under a chosen committed rotation, its committed siblings' self-retirements do not
            // count against it (06 §8.1): no root is marked dead there, which only makes fewer
            // arrivals harmless (a recomputation instead).
            if path
                .get(j + 1)
                .and_then(|c| self.nodes.get(c))
                .is_some_and(|n| n.committed())
            {
                continue;
            }
            for (i, k) in node.state.roots.iter().enumerate() {
                let Some(positions) = retired_by.get(k) else {
                    continue;
                };
                let (first, last) = (
                    positions.partition_point(|&p| p < lo + 1),
                    positions.partition_point(|&p| p < hi),
                );
                if first >= last {
                    continue;
                }
                let in_chosen = count(positions, chosen);
                let two_children = if in_chosen > 0 {
                    last - first > in_chosen
                } else {
                    // All outside the chosen child: two children iff the first one's child ends
                    // before the last one.
                    order
                        .get(positions[first])
                        .and_then(|x| branch.get(x))
                        .and_then(|(_, c)| span(c))
                        .is_some_and(|(_, end)| end <= positions[last - 1])
                };
                if two_children {
                    fork.dead |= bit(i);
                }
            }
        }
        let deepest = self
            .rare()
            .receipts
            .iter()
            .filter(|(w, _)| !finality.duplicitous.contains(w))
            .filter_map(|(w, ops)| Some((*w, *ops.iter().max_by_key(|op| tin.get(*op))?)))
            .collect();
        let moved_at = path
            .iter()
            .rposition(|x| self.nodes.get(x).is_some_and(|n| n.moves()))
            .map(Place::new);
        // The chain is kept until the next recomputation: no spare capacity (`O(n)`). Its path is
        // not kept: the head's ancestors ([`Canon::at`]).
        forks.shrink_to_fit();
        let rare = CanonRare {
            branch,
            contested,
            carried,
            ties,
            watch,
            superseded_in,
            revivers,
            duplicitous: finality.duplicitous,
            deepest,
        };
        let empty = rare.branch.is_empty()
            && rare.contested.is_empty()
            && rare.carried.is_empty()
            && rare.ties.is_empty()
            && rare.watch.is_empty()
            && rare.superseded_in.is_empty()
            && rare.revivers.is_empty()
            && rare.duplicitous.is_empty()
            && rare.deepest.is_empty();
        Canon {
            head: path.last().copied().unwrap_or(genesis),
            forks,
            tie,
            rare: (!empty).then(|| Box::new(rare)),
            state,
            last_final,
            unfinal,
            moved_at,
        }
    }
}
