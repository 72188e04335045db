//! The tree of an account's operations and its canonical chain (rule ACCT-5, 06 §8), and the view of
//! the state at the chain's head.
//!
//! **When the chain is computed.** Rebuilding the chain after every accepted operation costs
//! `O(n log n)` per operation, `O(n² log n)` for an account of `n` operations. Instead the chain is
//! cached and recomputed lazily, on the first query after a change that can move it, with the
//! Euler-tour algorithm of 06 §10 (`O(n log n)`). The cache is kept, in `O(log n)`, across:
//!
//! - an operation that extends the chain at its head (the parent is the head and no fork is
//!   contested there): the new leaf is then the head's only child, and every chosen child above it
//!   only gains signatures, so it stays the unique best (a self-retirement in the new leaf only
//!   makes its signer stop counting under the *other* children of the fork points above it). Not
//!   when the chain ended in a tie of one key's leaves (a child of the head makes that tie a
//!   continued one or a contest, depending on its signer), nor when it can undo a tie of one key's
//!   leaves, continued, above it (audit-wm WM5, see below). The head state keeps the revocations of
//!   those ties' losing leaves (06 §8.4 case 2) with case 3's.
//! - an operation that lands off the chain, below a chain operation `F` where its branch leaves
//!   the chain (remembered per operation), when it cannot change the choice at `F`: `F`'s chosen
//!   child is final, or the new operation's signer is no root of `F`, ranks below the chosen
//!   child's strength, or counts under no child but the chosen one, or it lands below a superseded
//!   operation — and it names no sibling in `supersedes`, is named by no operation held, does not
//!   bring back a superseded operation (a signature anywhere below it by a root of its parent or of
//!   its superseder's state: the superseded range each operation lies in and the keys that bring
//!   its root back are remembered), and `F` is not the tie at the end. Chain operations above
//!   `F` only gain signatures; those below `F` do not see it; the head state is unchanged. Except
//!   at a tie of one key's leaves, continued, above `F` (audit-wm WM5): gaining a signature of a
//!   root that outranks the tie, or a self-retirement of the tie's key (or a higher root), undoes
//!   it (06 §8.1), so such an operation recomputes ([`Canon::watch`]): once per root and tied fork,
//!   since the tie is then undone or the root's retirement under the chosen child recorded.
//! - a receipt by a duplicitous witness, or one over a chain operation that keeps its witness's
//!   receipts on one path, or one over an operation off the chain that keeps them on one path and
//!   does not make its branch's first child final: the final prefix is extended, if at all, from
//!   where it ended. Unless it makes the chosen child of a tied fork final (audit-wm WM4): a final
//!   child wins outright, with no tie's revocations, so that recomputes, once per tied fork.
//!
//! So applying `n` operations in any order and then querying costs `O(n log n)`, and so does
//! querying after each of `n` operations or receipts that extend the head or land off the chain
//! without moving it (06 §10). What still costs a recomputation on the next query is a change that
//! can move the chain: an operation or receipt that can change the choice at its fork point (this
//! takes a root that outranks the chosen child there, or a witness of the set there), an operation
//! in a contested subtree or beside a tie at the end of the chain.

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::cell::{OnceCell, RefCell};
use core::fmt;

use super::authorize::Walks;
use super::body::{NextRoots, OpBody, Revocation};
use super::nodes::Store;
use super::pmap::PMap;
use super::state::{EncryptionKey, Grant, State};
use super::witness::{Finality, Receipts, WitnessSet};
use crate::envelope::Header;
use crate::id::MessageId;
use crate::keys::PublicKey;

/// The valid operations of an account's tree, by id.
type Nodes = Store<MessageId, Node>;

/// One valid operation in an account's tree.
#[derive(Clone, Debug)]
pub(super) struct Node {
    signer: PublicKey,
    parent: Option<MessageId>,
    seq: u64,
    /// The earlier sibling it names in `supersedes` (06 §8.1), if any (boxed: most operations name
    /// none; [`Node::supersedes`]).
    supersedes: Option<Box<MessageId>>,
    /// A `roots` operation: its new root list is `state.roots`.
    rotates: bool,
    /// A self-retirement: a `roots` operation whose new list omits its signer (06 §8.1).
    retires: bool,
    /// A committed act (ACCT-14): a `roots` (a committed rotation), `deactivate` or `successor`
    /// operation whose parent state is committed. At the fork points above it, it counts as signed
    /// by every root of its parent and as a self-retirement of each of them that its list does not
    /// keep (06 §8.1): a rotation's new list; a deactivation or successor keeps none.
    committed: bool,
    /// For a committed act: the roots of its parent (bit `i` for index `i`) it retires.
    drops: u8,
    /// The operation whose `next` this state's commitment is (itself for a genesis or a `roots`
    /// operation naming `next`), if the state is committed (06 §8.1, a met commitment); shared
    /// by the operations below it that keep the commitment.
    origin: Option<Arc<MessageId>>,
    /// A `successor` operation (ACCT-12).
    moves: bool,
    /// For a `revoke`: the app key and the revocation (boxed: most operations are no `revoke`).
    revokes: Option<Box<(PublicKey, Revocation)>>,
    /// In arrival order: the chain does not depend on the order of children, so they are never sorted.
    children: Vec<MessageId>,
    pub(super) state: State,
    /// The number of operations above it (the genesis: 0), and an ancestor to jump to when
    /// looking for the ancestor at a given depth in `O(log n)` steps ([`ancestor_at`]).
    depth: usize,
    jump: MessageId,
}

impl Node {
    /// The earlier sibling it names in `supersedes` (06 §8.1), if any.
    fn supersedes(&self) -> Option<MessageId> {
        self.supersedes.as_deref().copied()
    }
}

/// The ancestor of `x` (or `x` itself) at depth `depth`, in `O(log n)` steps: each operation's jump
/// pointer skips a run of ancestors whose lengths follow the skew-binary numbers (Myers, "An
/// applicative random-access stack", 1983).
fn ancestor_at(nodes: &Nodes, mut x: MessageId, depth: usize) -> Option<MessageId> {
    loop {
        let node = nodes.get(&x)?;
        if node.depth <= depth {
            return (node.depth == depth).then_some(x);
        }
        x = match nodes.get(&node.jump) {
            Some(j) if j.depth >= depth => node.jump,
            _ => node.parent?,
        };
    }
}

/// Whether `a` is `b` or an ancestor of `b`.
fn is_ancestor(nodes: &Nodes, a: MessageId, b: MessageId) -> bool {
    nodes
        .get(&a)
        .is_some_and(|n| ancestor_at(nodes, b, n.depth) == Some(a))
}

/// The canonical chain of an account (rule ACCT-5).
#[derive(Clone, Debug)]
pub(super) struct Canon {
    head: MessageId,
    /// The operations of the chain and their places in it (the genesis is 0).
    chain: Store<MessageId, usize>,
    /// The operations of the chain in order, from the genesis to the head.
    path: Vec<MessageId>,
    /// How the chain chose at each of its operations but the head: `forks[j]` at `path[j]`.
    forks: Vec<Fork>,
    /// The chain ended in a tie of one key's leaves (06 §8.1).
    tie: bool,
    /// The head state when revocations of 06 §8.4 apply to it beside the head's own: the head's
    /// state with them applied, boxed. None: the head state is the head's own, held by its node
    /// ([`Log::head_state`]), not copied here.
    state: Option<Box<State>>,
    /// The last operation of the chain's final prefix (06 §8.6): it and every operation of the
    /// chain before it (the genesis aside) are final. None if the genesis's chosen child is not.
    last_final: Option<MessageId>,
    /// The first place on the chain whose operation's parent names witnesses and which is not
    /// final at that parent (06 §5.6, the witness gate of ACCT-11), or none: a deactivation at the
    /// head counts only if there is none. Receipts kept in the cache only add endorsements, so it
    /// only moves towards the head ([`Canon::advance_gate`]).
    unfinal: Option<usize>,
    /// The place on the chain of its last `successor` operation (ACCT-13): the move counts only if
    /// the witness gate is open down to it (`unfinal` is none or below it).
    moved_at: Option<usize>,
    /// What most chains leave empty (branches, contests, ties, supersessions, witnesses), boxed once one
    /// is held (issue 18). Read and written through [`Canon`]'s `Deref` to [`CanonRare`] (so
    /// `self.branch` is `self.rare`'s, or an empty one's): a write allocates the box.
    rare: Option<Box<CanonRare>>,
}

/// The parts of a [`Canon`] that most chains leave empty.
#[derive(Clone, Debug, Default)]
pub(super) struct CanonRare {
    /// For every valid operation off the chain: the chain operation its branch leaves the chain
    /// at, and the child of that operation the branch starts with.
    branch: BTreeMap<MessageId, (MessageId, MessageId)>,
    contested: Vec<MessageId>,
    /// The revocations the head state keeps beside its own (06 §8.4), which every later head
    /// state keeps too (the chain grown at its head): those of the tied elements a tie of one
    /// key's leaves or a met commitment defeats, with their subtrees (case 2, audit-wm WM2), and
    /// of superseded operations whose parent is on the chain and which an operation of their
    /// parent's minimal-strength set finally supersedes (case 3). (Before audit-wm WM2 and WM5
    /// the append path dropped those of case 2.)
    carried: Vec<(PublicKey, Revocation)>,
    /// The indexes `j` of the forks marked [`Fork::tie`] (`forks[j]`, its chosen child at place
    /// `j + 1`), increasing: a receipt that makes such a child final changes the choice there
    /// (06 §8.6: a final child wins outright, no tie), so it recomputes the chain (audit-wm WM4).
    ties: Vec<usize>,
    /// For every root of a fork marked [`Fork::tie`], the first such fork `j` where an operation
    /// below its chosen child, counting as signed by the key (`[0]`), or as its self-retirement
    /// (`[1]`), can change the tie (06 §8.1): the key outranks the tie and would count under the
    /// chosen child (it becomes the unique best); or it is the tie's rank or above and has not
    /// retired itself under the chosen child yet (it stops counting under the tied siblings).
    /// Such an operation recomputes the chain (audit-wm WM5); each does so once per fork and key.
    watch: BTreeMap<PublicKey, [usize; 2]>,
    /// For every valid operation in the subtree of a superseded operation (itself included): the
    /// outermost superseded operation above it (06 §8.1). An operation arriving below one of
    /// these can bring it back into the fork choice.
    superseded_in: BTreeMap<MessageId, MessageId>,
    /// For every outermost superseded operation `Y`: the keys whose signature anywhere below `Y`
    /// may bring it back (the roots of its parent and of the states of the operations that
    /// supersede it, 06 §8.1), sorted.
    revivers: BTreeMap<MessageId, Vec<PublicKey>>,
    /// The witnesses duplicitous in this account, sorted.
    duplicitous: Vec<PublicKey>,
    /// For every other witness, its deepest receipted operation (its receipts lie on one path).
    deepest: BTreeMap<PublicKey, MessageId>,
}

/// The [`CanonRare`] parts of a chain that holds none.
static NO_CANON_RARE: CanonRare = CanonRare {
    branch: BTreeMap::new(),
    contested: Vec::new(),
    carried: Vec::new(),
    ties: Vec::new(),
    watch: BTreeMap::new(),
    superseded_in: BTreeMap::new(),
    revivers: BTreeMap::new(),
    duplicitous: Vec::new(),
    deepest: BTreeMap::new(),
};

impl core::ops::Deref for Canon {
    type Target = CanonRare;

    fn deref(&self) -> &CanonRare {
        self.rare.as_deref().unwrap_or(&NO_CANON_RARE)
    }
}

impl core::ops::DerefMut for Canon {
    fn deref_mut(&mut self) -> &mut CanonRare {
        self.rare.get_or_insert_with(Box::default)
    }
}

/// How the chain chose at one of its operations, kept so that an operation or a receipt that
/// arrives off the chain can be shown, in `O(log n)`, not to change the choice (06 §10).
#[derive(Clone, Copy, Debug)]
struct Fork {
    /// The chosen child is final (06 §8.6): it wins whatever else arrives.
    final_child: bool,
    /// The chosen child won a tie of one key's leaves, continued or not (06 §8.1).
    tie: bool,
    /// The chosen child's strength: the index in this operation's root list of the first root that
    /// counts in its subtree (`usize::MAX`: none). Operations that arrive below the chosen child
    /// only make it stronger, so once kept this is an upper bound.
    strength: usize,
    /// The roots (bit `i` for index `i`) that retired themselves under the chosen child: they
    /// count under no other child.
    retired_in: u8,
    /// The roots that retired themselves under two children or more: they count under none.
    dead: u8,
}

/// The bit of root index `i` in a mask of [`Fork`] (none for an index beyond the mask).
fn bit(i: usize) -> u8 {
    1u8.checked_shl(i as u32).unwrap_or(0)
}

impl Fork {
    /// Whether an operation signed by `key` (a self-retirement if `retires`), arriving under a
    /// child other than the chosen one, leaves the choice as it is: it cannot make that child as
    /// strong as the chosen one, nor take the chosen child's strength away.
    fn harmless(&self, roots: &[PublicKey], key: &PublicKey, retires: bool) -> bool {
        let Some(i) = roots
            .iter()
            .position(|k| k == key)
            .filter(|_| !self.final_child)
        else {
            return true;
        };
        let bit = bit(i);
        i > self.strength
            || self.dead & bit != 0
            || (self.retired_in & bit != 0 && (!retires || self.strength != i))
    }

    /// [`Fork::harmless`] for every key operation `x` counts as signed by (a committed rotation:
    /// every root of its parent, 06 §8.1). `O(|roots|)`.
    fn harmless_node(&self, roots: &[PublicKey], nodes: &Nodes, x: &Node) -> bool {
        attributed(nodes, x)
            .iter()
            .all(|(key, retires)| self.harmless(roots, key, *retires))
    }
}

/// The roots of `parent` (bit `i` for index `i`) that the list `kept` does not keep: those a
/// committed rotation from `parent` retires (06 §8.1).
fn retired_mask(parent: &[PublicKey], kept: &[PublicKey]) -> u8 {
    parent
        .iter()
        .enumerate()
        .filter(|(_, k)| !kept.contains(k))
        .fold(0, |mask, (i, _)| mask | bit(i))
}

/// The keys operation `x` counts as signed by at the fork points above it, each with whether it
/// counts as that key's self-retirement (06 §8.1): its signer; and for a committed rotation
/// (ACCT-14) also every root of its parent, retired unless its list keeps it. At most five.
fn attributed(nodes: &Nodes, x: &Node) -> Vec<(PublicKey, bool)> {
    let mut keys = alloc::vec![(x.signer, x.retires)];
    if x.committed {
        let parent = x.parent.and_then(|p| nodes.get(&p));
        for (i, k) in parent
            .map_or(&[][..], |p| &p.state.roots[..])
            .iter()
            .enumerate()
        {
            if *k != x.signer {
                keys.push((*k, x.drops & bit(i) != 0));
            }
        }
    }
    keys
}

impl Canon {
    /// The place on the chain up to which witness `key` endorses it: its deepest receipt's, or
    /// that of the operation where the receipt's branch leaves the chain.
    fn reach(&self, key: &PublicKey) -> Option<usize> {
        let deepest = self.deepest.get(key)?;
        self.chain
            .get(deepest)
            .or_else(|| {
                self.branch
                    .get(deepest)
                    .and_then(|(f, _)| self.chain.get(f))
            })
            .copied()
    }

    /// Whether the operation at `place` on the chain is final at its parent (06 §8.6), from the
    /// witnesses' deepest receipts; `None` if the parent names no witnesses. `O(k log n)`.
    fn final_at(&self, nodes: &Nodes, place: usize) -> Option<bool> {
        let parent = place.checked_sub(1).and_then(|i| self.path.get(i))?;
        let set = nodes.get(parent)?.state.witnesses()?;
        let endorsing = set
            .keys()
            .iter()
            .filter(|k| self.reach(k).is_some_and(|r| r >= place))
            .count();
        Some(endorsing >= set.threshold())
    }

    /// Moves the witness gate of ACCT-11 (`unfinal`) past the chain operations that receipts have
    /// made final at their witnessed parents. Each place is passed once per computed chain, so
    /// this costs `O(k log n)` per receipt, amortized.
    fn advance_gate(&mut self, nodes: &Nodes) {
        while let Some(j) = self.unfinal {
            if self.final_at(nodes, j) == Some(false) {
                return;
            }
            self.unfinal = Some(j + 1).filter(|next| *next < self.path.len());
        }
    }

    /// Extends the final prefix (06 §8.6) as far as the endorsements now reach.
    fn extend_final(&mut self, nodes: &Nodes) {
        let mut j = match self.last_final {
            Some(last) => self.chain.get(&last).map_or(usize::MAX, |p| p + 1),
            None => 1,
        };
        while let Some(&child) = self.path.get(j) {
            if self.final_at(nodes, j) != Some(true) {
                break;
            }
            self.last_final = Some(child);
            j += 1;
        }
    }

    /// Whether operation `x`, arriving below the chosen child of every tied fork `forks[j]` with
    /// `j < limit`, can change one of those ties ([`Canon::watch`]). `O(log n)`.
    fn unties(&self, nodes: &Nodes, x: &Node, limit: usize) -> bool {
        attributed(nodes, x).iter().any(|(key, retires)| {
            self.watch
                .get(key)
                .is_some_and(|w| w[usize::from(*retires)] < limit)
        })
    }

    /// Takes a new valid receipt of `witness` over `op` into the cached chain, if it cannot change
    /// the chain: a duplicitous witness's; or one that keeps its witness's receipts on one path
    /// and cannot make a child off the chain final. Returns false if the chain must be
    /// recomputed. `O(log n)`.
    fn keep_receipt(
        &mut self,
        nodes: &Nodes,
        witness: PublicKey,
        op: MessageId,
        first: bool,
    ) -> bool {
        if self.duplicitous.binary_search(&witness).is_ok() {
            return true; // its receipts count for nothing, and never will
        }
        if !self.contested.is_empty() || self.tie {
            return false;
        }
        let prior = self.deepest.get(&witness).copied();
        if prior.is_none() && !first {
            return false;
        }
        let prior_place = prior.and_then(|d| self.chain.get(&d).copied());
        let deepest = match self.chain.get(&op).copied() {
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
                (Some(d), None) => match self.reach(&witness) {
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
                let Some(&at) = self.chain.get(&fork) else {
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
        let before = self.reach(&witness).unwrap_or(0);
        self.deepest.insert(witness, deepest);
        let reach = self.reach(&witness).unwrap_or(0);
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
    /// superseded operation brought back included): where it leaves the chain there is no tie and
    /// no contest, and either it lands below a superseded operation (outside the fork choice), or
    /// there is no chain operation it supersedes or that supersedes it, and it cannot make its
    /// branch as strong as the chosen child or weaken that child (06 §8.1). `O(log n)`.
    fn keep_off_chain(
        &self,
        nodes: &Nodes,
        parent: MessageId,
        x: &Node,
        id: MessageId,
    ) -> Option<(MessageId, MessageId)> {
        let (fork, child) = match self.chain.get(&parent) {
            Some(_) => (parent, id),
            None => *self.branch.get(&parent)?,
        };
        let at = *self.chain.get(&fork)?;
        let f = self.forks.get(at).filter(|f| !f.tie)?;
        if self.superseded_in.contains_key(&parent) {
            // Below a superseded operation that it does not bring back: outside the fork choice,
            // and in no contested subtree (06 §8.1, §8.4).
            return Some((fork, child));
        }
        // Audit-wm WM5: below the chosen child of a tied fork above `F`, it may undo that tie.
        if self.unties(nodes, x, at) {
            return None;
        }
        let chosen = nodes.get(self.path.get(at + 1)?)?;
        let roots = &nodes.get(&fork)?.state.roots;
        if x.supersedes().is_some_and(|y| self.chain.contains_key(&y)) {
            return None;
        }
        // Committed acts of one parent do not count their retirements against each other (06
        // §8.1): beside a chosen committed act, a new one is not judged by the chosen child's
        // retirements, so the choice is made again.
        if chosen.committed && x.committed && parent == fork {
            return None;
        }
        if parent == fork && chosen.supersedes() == Some(id) {
            return None;
        }
        f.harmless_node(roots, nodes, x).then_some((fork, child))
    }
}

/// A snapshot of what authorization reads of an account's head state ([`AccountView::authority`]):
/// the root keys and the grants (06 §9.2, §9.5).
#[derive(Clone, Debug)]
pub(crate) struct Authority {
    roots: Arc<[PublicKey]>,
    apps: PMap<PublicKey, Arc<Grant>>,
    /// The effective time of the account's deactivation (06 §5.6).
    deactivated: Option<u64>,
}

impl Authority {
    /// The keys whose role differs between this head state and `other` (06 §9.4): a root in one
    /// only, or a grant present in one only or different (scope, expiry, `delegated_at`,
    /// revocation). Only the messages of these keys can change verdict. The grants of two head
    /// states share every map node an operation did not touch, so this costs `O(k log n)` for `k`
    /// changed grants.
    pub(crate) fn changed_keys(&self, other: &Authority) -> Vec<PublicKey> {
        let mut keys = self.apps.diff(&other.apps);
        keys.extend(
            self.roots
                .iter()
                .filter(|k| !other.roots.contains(k))
                .chain(other.roots.iter().filter(|k| !self.roots.contains(k))),
        );
        keys
    }

    /// Whether the deactivation differs (06 §5.6): then every message of the account can change
    /// verdict (`auth.deactivated`), whatever its key.
    pub(crate) fn deactivation_differs(&self, other: &Authority) -> bool {
        self.deactivated != other.deactivated
    }
}

/// The operations of one account, and its canonical chain.
#[derive(Clone, Debug)]
pub(super) struct Log {
    genesis: MessageId,
    /// The valid operations by id: a compact store, a sorted vector while the account is small.
    nodes: Nodes,
    /// The canonical chain, computed on the first query after a change (see the module comment),
    /// boxed: a log whose chain was never asked for holds only the pointer.
    canon: OnceCell<Box<Canon>>,
    /// The AUTH-6 walks of this account's revoked keys, remembered between authorizations.
    pub(super) walks: RefCell<Walks>,
    /// What most accounts never hold (supersessions, receipts, deactivations), boxed once one is
    /// held: an account's log is held in full by the account map (issue 18).
    rare: Option<Box<Rare>>,
}

/// The parts of a [`Log`] that most accounts leave empty.
#[derive(Clone, Debug, Default)]
struct Rare {
    /// Every id some valid operation names in `supersedes` (06 §8.1): an operation arriving with
    /// or below one of them can change which operations are superseded.
    named: BTreeSet<MessageId>,
    /// The valid receipts (06 §8.6): witness key -> the operations it receipted.
    receipts: Receipts,
    /// The valid deactivations (ACCT-11): id -> effective time (its own time).
    deactivations: BTreeMap<MessageId, u64>,
}

/// The [`Rare`] parts of a log that holds none.
static NO_RARE: Rare = Rare {
    named: BTreeSet::new(),
    receipts: BTreeMap::new(),
    deactivations: BTreeMap::new(),
};

impl Log {
    /// The tree of a new account: its genesis alone.
    pub(super) fn new(genesis: MessageId, signer: PublicKey, state: State) -> Log {
        let node = Node {
            signer,
            parent: None,
            seq: 1,
            supersedes: None,
            rotates: false,
            retires: false,
            committed: false,
            drops: 0,
            origin: state.next().is_some().then(|| Arc::new(genesis)),
            moves: false,
            revokes: None,
            children: Vec::new(),
            state,
            depth: 0,
            jump: genesis,
        };
        Log {
            genesis,
            nodes: Store::one(genesis, node),
            canon: OnceCell::new(),
            walks: RefCell::default(),
            rare: None,
        }
    }

    /// The parts most accounts leave empty.
    fn rare(&self) -> &Rare {
        self.rare.as_deref().unwrap_or(&NO_RARE)
    }

    /// The parts most accounts leave empty, to change (allocated on the first change).
    fn rare_mut(&mut self) -> &mut Rare {
        self.rare.get_or_insert_with(Box::default)
    }

    /// The account named by the last `successor` operation on the canonical chain (ACCT-13): the
    /// head state's successor.
    /// It counts only if every operation of the chain down to that `successor` whose parent names
    /// witnesses is final there (the witness gate of ACCT-11, 06 §5.7).
    pub(super) fn successor(&self) -> Option<crate::id::AccountId> {
        let canon = self.canon();
        let gated = canon
            .moved_at
            .is_none_or(|at| canon.unfinal.is_none_or(|u| u > at));
        self.head_state(canon)
            .and_then(State::successor)
            .filter(|_| gated)
    }

    /// The head state of `canon` (this log's chain): its own copy if revocations apply to it, else
    /// the head's state.
    fn head_state<'a>(&'a self, canon: &'a Canon) -> Option<&'a State> {
        canon.state.as_deref().or_else(|| self.state(&canon.head))
    }

    /// Is `id` a valid deactivation (ACCT-11)?
    pub(super) fn is_deactivation(&self, id: &MessageId) -> bool {
        self.rare().deactivations.contains_key(id)
    }

    /// Rule ACCT-16: may `key` receipt operation `op`? It must be a witness of a state on the path
    /// from the genesis to `op`'s parent (so never of the genesis, which has no parent).
    pub(super) fn may_receipt(&self, op: &MessageId, key: &PublicKey) -> bool {
        self.nodes
            .get(op)
            .and_then(|node| node.parent)
            .and_then(|parent| self.nodes.get(&parent))
            .is_some_and(|parent| parent.state.was_witness(key))
    }

    /// Records a valid receipt of `witness` over operation `op`, in `O(log n)`; the cached chain is
    /// kept unless the receipt can change it (see [`Canon::keep_receipt`]).
    pub(super) fn add_receipt(&mut self, witness: PublicKey, op: MessageId) {
        let first = !self.rare().receipts.contains_key(&witness);
        if !self
            .rare_mut()
            .receipts
            .entry(witness)
            .or_default()
            .insert(op)
        {
            return; // a second receipt of one witness over one operation changes nothing
        }
        let keep = match self.canon.get_mut() {
            None => true,
            Some(canon) => {
                let kept = canon.keep_receipt(&self.nodes, witness, op, first);
                if kept {
                    // A kept receipt only adds endorsements: it may open the witness gate of a
                    // deactivation at the head (ACCT-11), never close it.
                    canon.advance_gate(&self.nodes);
                }
                kept
            }
        };
        if !keep {
            self.canon = OnceCell::new();
        }
    }

    /// For the memory probe ([`super::Accounts::memory_parts`]): a copy of the node store (the
    /// states' maps shared), boxed.
    pub(super) fn memory_nodes(&self) -> Box<dyn core::any::Any> {
        Box::new(self.nodes.clone())
    }

    /// For the memory probe: a copy of the computed chain, if any, boxed twice (the inner box is
    /// what the log holds inline).
    pub(super) fn memory_canon(&self) -> Box<dyn core::any::Any> {
        Box::new(self.canon.get().cloned())
    }

    /// The state after operation `id`, if it is a valid operation of this account.
    pub(super) fn state(&self, id: &MessageId) -> Option<&State> {
        self.nodes.get(id).map(|n| &n.state)
    }

    /// Adds valid operation `id` (with `header` and `body`), which follows `parent`, in `O(log n)`.
    pub(super) fn add(
        &mut self,
        parent: MessageId,
        id: MessageId,
        header: &Header,
        body: &OpBody,
        supersedes: Option<MessageId>,
        state: State,
    ) {
        // Does it land below a superseded operation `Y` (06 §8.1), signed by a key whose signature
        // there brings `Y` back (a root of `Y`'s parent, or of the state of an operation that
        // supersedes `Y`)? Known only while the chain is cached; otherwise it is computed anyway.
        let revives = self.canon.get().is_some_and(|canon| {
            canon
                .superseded_in
                .get(&parent)
                .and_then(|y| canon.revivers.get(y))
                .is_some_and(|keys| {
                    keys.binary_search(header.key()).is_ok()
                        // Audit f2f8-2 M1: a committed act counts as signed by its parent's roots.
                        || (matches!(
                            body,
                            OpBody::Roots { .. } | OpBody::Deactivate { .. } | OpBody::Successor { .. }
                        ) && self.nodes.get(&parent).is_some_and(|p| {
                            p.state.next().is_some()
                                && p.state.roots.iter().any(|k| keys.binary_search(k).is_ok())
                        }))
                })
        });
        // An operation that may supersede a sibling, or be superseded by one that came first, or
        // bring a superseded operation back, can move the chain and change the revocations of 06
        // §8.4 (case 3): the chain is recomputed on the next query.
        let supersession = supersedes
            .is_some_and(|y| self.nodes.get(&y).is_some_and(|y| y.parent == Some(parent)))
            || self.rare().named.contains(&id)
            || revives;
        if let Some(y) = supersedes {
            self.rare_mut().named.insert(y);
        }
        let Some(p) = self.nodes.get_mut(&parent) else {
            return;
        };
        let origin = match (body, state.next().is_some()) {
            (_, false) => None,
            (OpBody::Roots { .. }, true) => {
                // a roots operation naming next commits (its own origin); naming none: uncommitted
                Some(Arc::new(id))
            }
            _ => p.origin.clone(),
        };
        // Most operations have one child or none: the first few children take no spare capacity
        // (a vector's first growth holds four), later ones grow by doubling (amortized `O(1)`).
        if p.children.len() < 4 {
            p.children.reserve_exact(1);
        }
        p.children.push(id);
        // ACCT-11: a deactivation that is the head counts at once if its parent names no witnesses
        // and the chain above passes the witness gate (with witnesses at its parent, only once
        // final: no receipt of it is held yet, they wait for it).
        let ends = matches!(body, OpBody::Deactivate { .. }).then(|| header.time());
        let unwitnessed = p.state.witnesses().is_none();
        // ACCT-14: a committed act; a rotation keeps its new list, a deactivation or successor
        // keeps no root of its parent (06 §8.1).
        let committed = p.state.next().is_some()
            && matches!(
                body,
                OpBody::Roots { .. } | OpBody::Deactivate { .. } | OpBody::Successor { .. }
            );
        let drops = match (committed, body) {
            (true, OpBody::Roots { roots, .. }) => retired_mask(&p.state.roots, roots),
            (true, _) => retired_mask(&p.state.roots, &[]),
            (false, _) => 0,
        };
        if let Some(end) = ends {
            self.rare
                .get_or_insert_with(Box::default)
                .deactivations
                .insert(id, end);
        }
        let (depth, p_jump) = (p.depth + 1, p.jump);
        let depth_of = |x: &MessageId| self.nodes.get(x).map_or(0, |n| n.depth);
        let jump_of = |x: &MessageId| self.nodes.get(x).map_or(*x, |n| n.jump);
        let jump = if depth_of(&parent) - depth_of(&p_jump)
            == depth_of(&p_jump) - depth_of(&jump_of(&p_jump))
        {
            jump_of(&p_jump)
        } else {
            parent
        };
        let signer = *header.key();
        let rotates = matches!(body, OpBody::Roots { .. });
        let node = Node {
            signer,
            parent: Some(parent),
            seq: header.seq(),
            supersedes: supersedes.map(Box::new),
            rotates,
            retires: rotates && !state.roots.contains(&signer),
            committed,
            drops,
            origin,
            moves: matches!(body, OpBody::Successor { .. }),
            revokes: match body {
                OpBody::Revoke { app, cutoff } => Some(Box::new((*app, *cutoff))),
                _ => None,
            },
            children: Vec::new(),
            state,
            depth,
            jump,
        };
        match self.canon.get_mut() {
            // The new operation is the only child of a head that is neither contested nor a tied
            // leaf, and it cannot undo a tie of one key's leaves, continued, above (audit-wm WM5):
            // the chain grows by it (see the module comment). One that can falls through to
            // `keep_off_chain`, which finds no fork at the head: recomputed.
            Some(canon)
                if canon.head == parent
                    && canon.contested.is_empty()
                    && !canon.tie
                    && !canon.unties(&self.nodes, &node, canon.forks.len()) =>
            {
                let parent_roots = self.nodes.get(&parent).map_or(&[][..], |p| &p.state.roots);
                let strength = match committed {
                    // Signed by every root of its parent (06 §8.1): the top one first.
                    true if !parent_roots.is_empty() => 0,
                    _ => parent_roots
                        .iter()
                        .position(|k| *k == signer)
                        .unwrap_or(usize::MAX),
                };
                let retired_in = match (node.retires, committed) {
                    (true, _) => bit(strength),
                    (false, true) => node.drops,
                    (false, false) => 0,
                };
                canon.forks.push(Fork {
                    final_child: false,
                    tie: false,
                    strength,
                    retired_in,
                    dead: 0,
                });
                canon.head = id;
                if canon.unfinal.is_none() && !unwitnessed {
                    canon.unfinal = Some(canon.path.len());
                }
                if node.moves {
                    canon.moved_at = Some(canon.path.len());
                }
                canon.chain.insert(id, canon.path.len());
                canon.path.push(id);
                canon.state = (!canon.carried.is_empty()).then(|| {
                    let mut state = node.state.clone();
                    for (app, revocation) in &canon.carried {
                        state.revoke_also(app, *revocation);
                    }
                    Box::new(state)
                });
            }
            Some(_) if supersession => self.canon = OnceCell::new(),
            // It lands off the chain where it cannot change the choice (see the module comment).
            Some(canon) => match canon.keep_off_chain(&self.nodes, parent, &node, id) {
                Some(entry) => {
                    canon.branch.insert(id, entry);
                    if let Some(y) = canon.superseded_in.get(&parent).copied() {
                        canon.superseded_in.insert(id, y);
                    }
                }
                None => self.canon = OnceCell::new(),
            },
            None => {}
        }
        self.nodes.insert(id, node);
    }

    /// Does `x` supersede `y` (06 §8.1), as far as `x` and `y` themselves tell? Siblings, one
    /// signer, `y` earlier in its signer's history, and not final; a self-retirement only by a
    /// `roots` operation with the same list. (That no operation below `y` is signed by a root of
    /// their parent or of `x`'s state is checked by [`Log::choose`] over the whole subtree.)
    fn replaces(&self, x: &Node, y: &MessageId, is_final: &dyn Fn(&MessageId) -> bool) -> bool {
        let Some(y_node) = self.nodes.get(y) else {
            return false;
        };
        let y_id = y;
        let y = y_node;
        // A committed act `y` (ACCT-14) is a self-retirement whose list is the one it names
        // (06 §8.1, audit-int L1). Its signer, the revealed key, is no root of the parent, so a
        // sibling `x` of that signer is valid only as a committed act, and it can name `supersedes`
        // only as a committed rotation: its list is the committed list, the one `y` names. So only
        // a plain self-retirement needs the lists compared here.
        !is_final(y_id)
            && x.parent.is_some()
            && x.parent == y.parent
            && x.signer == y.signer
            && y.seq < x.seq
            && (!y.retires || (x.rotates && x.state.roots == y.state.roots))
    }

    /// The canonical chain, computed if the tree changed since it was last asked for.
    pub(super) fn canon(&self) -> &Canon {
        self.canon.get_or_init(|| Box::new(self.choose()))
    }

    /// Chooses the canonical chain (rule ACCT-5, 06 §8.1) and the head state (06 §8.4): from the
    /// genesis, at each operation, the child whose subtree holds the signature of the highest-priority
    /// root (of the parent's root list) that counts there wins. A root stops counting under every
    /// child but the one under which it retired itself; superseded operations take no part, nor do
    /// their subtrees; a tie of one key's leaves goes to the smallest id; any other tie stops the
    /// chain, and the tied children are kept as evidence. `O(n log n)` (06 §10).
    fn choose(&self) -> Canon {
        // Euler tour of the whole tree of valid operations: entry and exit times, and the operations in
        // entry order. Children in arrival order: nothing below depends on their order.
        let mut tin: BTreeMap<MessageId, usize> = BTreeMap::new();
        let mut tout: BTreeMap<MessageId, usize> = BTreeMap::new();
        let mut order: Vec<MessageId> = Vec::new();
        let mut stack: Vec<(MessageId, usize)> = alloc::vec![(self.genesis, 0)];
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
            .filter(|(id, n)| n.committed && !superseded_in.contains_key(*id))
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
                if let Some(revokes) = self
                    .nodes
                    .get(&y)
                    .and_then(|n| n.revokes.as_deref().copied())
                    .filter(|_| hit)
                {
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
        let mut at = self.genesis;
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
                    let n = self.nodes.get(c).filter(|n| n.committed)?;
                    Some((*c, (n.signer, n.drops)))
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
            let next = match (final_child, best) {
                (Some(c), _) => {
                    if prefix {
                        last_final = Some(*c);
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
                        .all(|c| self.nodes.get(c).is_some_and(|n| n.committed));
                    let key = match rotations {
                        true => ids
                            .first()
                            .and_then(|c| self.nodes.get(c))
                            .map(|n| &n.signer),
                        false => roots.get(s),
                    };
                    let by_key = key.is_some_and(|key| {
                        ids.iter()
                            .all(|c| self.nodes.get(c).is_some_and(|n| n.signer == *key))
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
                        // commitment is met below it wins. The revocations in the defeated
                        // copies' subtrees apply to the head state, as a contest's do (06 §8.4,
                        // case 2; audit-wm WM2): a fork never makes a revoked key valid again.
                        // Marked as a tie so that the cache recomputes beside it: an operation
                        // arriving in a defeated copy's subtree may bring a revocation.
                        tied_here = true;
                        for x in ids.iter().filter(|x| **x != c) {
                            sticky.extend(fc_subtree(x));
                        }
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
                unfinal = Some(path.len()); // the place `next` takes
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
                strength: chosen_strength,
                retired_in,
                dead: 0,
            });
            at = next;
        }
        // Every revocation applied beside the head's own state is kept in `carried`: the cache
        // applies them again when the chain grows at its head (audit-wm WM2).
        let carried: Vec<(PublicKey, Revocation)> = sticky
            .iter()
            .filter_map(|x| {
                self.nodes
                    .get(x)
                    .and_then(|n| n.revokes.as_deref().copied())
            })
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
                .is_some_and(|n| n.committed)
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
            .rposition(|x| self.nodes.get(x).is_some_and(|n| n.moves));
        // The chain is kept until the next recomputation: no spare capacity (`O(n)`).
        path.shrink_to_fit();
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
            head: at,
            chain,
            path,
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

/// A view of one account's canonical state.
///
/// ```
/// # use skylark::account::*;
/// # let root = skylark::keys::SecretKey::from_seed([1; 32]);
/// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
/// # let mut accounts = Accounts::new();
/// # accounts.apply(&genesis)?;
/// let view = accounts.account(&Accounts::account_id(&genesis)).expect("known");
/// assert_eq!(view.roots(), &[root.public_key()]);
/// assert_eq!(view.genesis(), genesis.id());
/// assert!(view.contested().is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy)]
pub struct AccountView<'a> {
    log: &'a Log,
    canon: &'a Canon,
    state: &'a State,
}

impl<'a> AccountView<'a> {
    /// The view of `log` at the head of its canonical chain.
    pub(super) fn of(log: &'a Log) -> Option<Self> {
        let canon = log.canon();
        log.state(&canon.head)?;
        Some(AccountView {
            log,
            canon,
            state: log.head_state(canon)?,
        })
    }
}

impl fmt::Debug for AccountView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccountView")
            .field("head", &self.canon.head)
            .field("roots", &self.state.roots)
            .field("apps", &self.state.apps.len())
            .field("contested", &self.canon.contested)
            .finish()
    }
}

impl<'a> AccountView<'a> {
    /// The genesis operation's id.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?;
    /// let view = accounts.account(&Accounts::account_id(&genesis)).expect("known");
    /// assert_eq!(view.genesis(), genesis.id());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn genesis(&self) -> MessageId {
        self.log.genesis
    }

    /// The last operation of the canonical chain.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?;
    /// let view = accounts.account(&Accounts::account_id(&genesis)).expect("known");
    /// // Only the genesis so far: it is the head.
    /// assert_eq!(view.head(), genesis.id());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn head(&self) -> MessageId {
        self.canon.head
    }

    /// What key authorization reads of the head state (06 §9.2, §9.5), kept cheaply so that a
    /// change can be found: the root keys, and the grants with their revocations. A revocation that
    /// changes the head state without moving the head (06 §8.4: a tied leaf, a contested branch, a
    /// superseded operation) changes the grants. `O(1)`.
    pub(crate) fn authority(&self) -> Authority {
        Authority {
            roots: self.state.roots.clone(),
            apps: self.state.apps.clone(),
            deactivated: self.deactivated(),
        }
    }

    /// The effective time of the account's deactivation (06 §5.6, rule ACCT-11), if it is
    /// deactivated: its head is a deactivation, and every operation of the chain whose parent
    /// names witnesses is final there (the witness gate). Messages
    /// claiming this time or a later one are refused (`auth.deactivated`). A deactivation is an
    /// ordinary operation of the fork choice: a sibling signed by a higher root out-ranks it.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?;
    /// let view = accounts.account(&Accounts::account_id(&genesis)).expect("known");
    /// assert_eq!(view.deactivated(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn deactivated(&self) -> Option<u64> {
        // ACCT-11: the head is a deactivation and every operation of the chain whose parent
        // names witnesses is final there (the witness gate).
        self.log
            .rare()
            .deactivations
            .get(&self.canon.head)
            .copied()
            .filter(|_| self.canon.unfinal.is_none())
    }

    /// The head state's commitment to the next root list (rule ACCT-14, 06 §5.8), if the account
    /// is committed: the next `roots` operation must name that list and be signed by its first new
    /// key. Not part of the compared account view (06 §6).
    ///
    /// ```
    /// # use skylark::account::*;
    /// # let (root, next) = (skylark::keys::SecretKey::from_seed([1; 32]), skylark::keys::SecretKey::from_seed([2; 32]));
    /// let commitment = next_commitment(&[next.public_key()])?;
    /// let genesis = Operation::genesis(&[root.public_key()], 1)?.with_next(commitment)?.sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?;
    /// let view = accounts.account(&Accounts::account_id(&genesis)).expect("known");
    /// assert_eq!(view.next_roots(), Some(commitment));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn next_roots(&self) -> Option<NextRoots> {
        self.state.next()
    }

    /// The root keys, highest priority first.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?;
    /// let view = accounts.account(&Accounts::account_id(&genesis)).expect("known");
    /// assert_eq!(view.roots(), &[root.public_key()]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn roots(&self) -> &'a [PublicKey] {
        &self.state.roots
    }

    /// The delegation of `key`, if it is an app key of the account (revoked or not).
    ///
    /// ```
    /// # use skylark::account::*;
    /// # use skylark::keys::SecretKey;
    /// # let root = SecretKey::from_seed([1; 32]);
    /// # let app = SecretKey::from_seed([2; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// # let account = Accounts::account_id(&genesis);
    /// # let d = Operation::delegate(account, genesis.id(), app.public_key(), &[], 99, Some("phone"), 2)?.accepted_by(&app)?
    /// #     .draft()?.after(&genesis).sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?; accounts.apply(&d)?;
    /// # let grant = accounts.account(&account).and_then(|a| a.app(&app.public_key())).expect("delegated");
    /// let view = accounts.account(&account).expect("known");
    /// assert_eq!(view.app(&app.public_key()).map(|g| g.expires()), Some(99));
    /// assert!(view.app(&root.public_key()).is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn app(&self, key: &PublicKey) -> Option<&'a Grant> {
        self.state.apps.get(key).map(|grant| &**grant)
    }

    /// Every app key and its delegation, in key order.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?;
    /// # let view = accounts.account(&Accounts::account_id(&genesis)).expect("known");
    /// assert_eq!(view.apps().count(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn apps(&self) -> impl Iterator<Item = (&'a PublicKey, &'a Grant)> {
        self.state.apps.iter().map(|(key, grant)| (key, &**grant))
    }

    /// The current encryption key, if one was published.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// # let account = Accounts::account_id(&genesis);
    /// # let op = Operation::enckey(account, genesis.id(), [9; 32], 3, 5)?.draft()?.after(&genesis).sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?; accounts.apply(&op)?;
    /// let key = accounts.account(&account).and_then(|a| a.encryption_key()).expect("published");
    /// assert_eq!(key.version(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn encryption_key(&self) -> Option<&'a EncryptionKey> {
        self.state.encryption()
    }

    /// When the chain stops at a fork that no root of higher priority has resolved, the tied
    /// operations (sorted by id): evidence of equivocation by a root key. Empty otherwise.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?;
    /// let view = accounts.account(&Accounts::account_id(&genesis)).expect("known");
    /// assert!(view.contested().is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn contested(&self) -> &'a [MessageId] {
        &self.canon.contested
    }

    /// Whether operation `id` is on the canonical chain.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?;
    /// # let view = accounts.account(&Accounts::account_id(&genesis)).expect("known");
    /// assert!(view.is_canonical(&genesis.id()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_canonical(&self, id: &MessageId) -> bool {
        self.canon.chain.contains_key(id)
    }

    /// The witness set in force at the head (06 §8.6), if the account has one.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?;
    /// let view = accounts.account(&Accounts::account_id(&genesis)).expect("known");
    /// assert!(view.witnesses().is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn witnesses(&self) -> Option<&'a WitnessSet> {
        self.state.witnesses()
    }

    /// The last operation of the canonical chain's final prefix (06 §8.6): it and every operation
    /// before it on the chain (the genesis aside) are final — enough witnesses of the set in force
    /// at each one's parent receipted it or an operation below it — so no key can replace any of
    /// them. `None` if the first operation after the genesis is not final.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?;
    /// let view = accounts.account(&Accounts::account_id(&genesis)).expect("known");
    /// assert_eq!(view.last_final(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn last_final(&self) -> Option<MessageId> {
        self.canon.last_final
    }

    /// The witnesses that receipted two operations of this account neither of which is an ancestor
    /// of the other (06 §8.6), sorted: their receipts count for nothing here, and the receipts
    /// themselves are the evidence.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?;
    /// let view = accounts.account(&Accounts::account_id(&genesis)).expect("known");
    /// assert!(view.duplicitous().is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn duplicitous(&self) -> &'a [PublicKey] {
        &self.canon.duplicitous
    }
}
