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
//!   At a fork where a met commitment broke a tie of copies (06 §8.1), the cache keeps a leaf copy
//!   beside it and an operation below a copy that is no committed act and retires no root of the
//!   fork; a revocation there adds nothing to the head state (06 §8.4 case 2; audit-wm2 WM2A-2,
//!   [`Canon::keep_beside_met`]).
//! - a receipt by a duplicitous witness, or one over a chain operation that keeps its witness's
//!   receipts on one path, or one over an operation off the chain that keeps them on one path and
//!   does not make its branch's first child final: the final prefix is extended, if at all, from
//!   where it ended. Unless it makes the chosen child of a tied fork final (audit-wm WM4): a final
//!   child wins outright, with no tie's revocations, so that recomputes, once per tied fork. Also
//!   where the chain ends in a tie of one key's leaves or a contest (audit-wm2 WM2A-3: every
//!   receipt recomputed there): a receipt that makes a tied leaf or contested child final, or the tied
//!   head, recomputes once per fork, one that makes its witness duplicitous once per witness.
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

mod canon;
mod choose;
mod view;

pub use view::AccountView;

/// The valid operations of an account's tree, by id.
type Nodes = Store<MessageId, Node>;

/// One valid operation in an account's tree.
#[derive(Clone, Debug)]
pub(super) struct Node {
    /// The signer's index in this operation's own root list (`state.roots`), where nearly every
    /// signer is (a root of the parent that the operation keeps, the genesis's first root, a
    /// committed rotation's revealed key); [`OTHER_SIGNER`] for the few others (a self-retirement,
    /// a committed deactivation or successor), whose key is in `rare` ([`Node::signer`]; one byte
    /// instead of 32, issue 18).
    signer: u8,
    parent: Option<MessageId>,
    seq: u64,
    /// What most operations do not have: a superseded sibling, a revocation, a signer outside its
    /// own root list (boxed once one is held; [`Node::supersedes`], [`Node::revokes`]).
    rare: Option<Box<NodeRare>>,
    /// [`ROTATES`], [`RETIRES`], [`COMMITTED`], [`MOVES`] (one byte: with a 4-byte depth, a
    /// node is 128 bytes, not 136, issue 18).
    flags: u8,
    /// For a committed act: the roots of its parent (bit `i` for index `i`) it retires.
    drops: u8,
    /// The operation whose `next` this state's commitment is (itself for a genesis or a `roots`
    /// operation naming `next`), if the state is committed (06 §8.1, a met commitment); shared
    /// by the operations below it that keep the commitment.
    origin: Option<Arc<MessageId>>,
    /// In arrival order: the chain does not depend on the order of children, so they are never sorted.
    children: Vec<MessageId>,
    pub(super) state: State,
    /// The number of operations above it (the genesis: 0), and an ancestor to jump to when
    /// looking for the ancestor at a given depth in `O(log n)` steps ([`ancestor_at`]): none if it
    /// is the parent (the genesis: itself), boxed otherwise ([`Node::jump`]; about half the
    /// operations of a chain jump to their parent, issue 18).
    depth: u32,
    jump: Option<Box<MessageId>>,
}

/// A `roots` operation: its new root list is `state.roots` ([`Node::rotates`]).
const ROTATES: u8 = 1;
/// A self-retirement: a `roots` operation whose new list omits its signer (06 §8.1).
const RETIRES: u8 = 2;
/// A committed act (ACCT-14): a `roots` (a committed rotation), `deactivate` or `successor`
/// operation whose parent state is committed. At the fork points above it, it counts as signed
/// by every root of its parent and as a self-retirement of each of them that its list does not
/// keep (06 §8.1): a rotation's new list; a deactivation or successor keeps none.
const COMMITTED: u8 = 4;
/// A `successor` operation (ACCT-12).
const MOVES: u8 = 8;

/// [`Node::signer`]'s value for a signer outside the operation's own root list.
const OTHER_SIGNER: u8 = u8::MAX;

/// The parts of a [`Node`] that most operations leave empty.
#[derive(Clone, Debug, Default)]
struct NodeRare {
    /// The earlier sibling it names in `supersedes` (06 §8.1), if any.
    supersedes: Option<MessageId>,
    /// For a `revoke`: the app key and the revocation.
    revokes: Option<(PublicKey, Revocation)>,
    /// The signer, if it is not in the operation's own root list.
    signer: Option<PublicKey>,
}

impl Node {
    /// A `roots` operation ([`ROTATES`]).
    fn rotates(&self) -> bool {
        self.flags & ROTATES != 0
    }

    /// A self-retirement ([`RETIRES`]).
    fn retires(&self) -> bool {
        self.flags & RETIRES != 0
    }

    /// A committed act ([`COMMITTED`]).
    fn committed(&self) -> bool {
        self.flags & COMMITTED != 0
    }

    /// A `successor` operation ([`MOVES`]).
    fn moves(&self) -> bool {
        self.flags & MOVES != 0
    }

    /// The number of operations above it (the genesis: 0).
    fn depth(&self) -> usize {
        self.depth as usize
    }

    /// The earlier sibling it names in `supersedes` (06 §8.1), if any.
    fn supersedes(&self) -> Option<MessageId> {
        self.rare.as_ref().and_then(|r| r.supersedes)
    }

    /// For a `revoke`: the app key and the revocation.
    fn revokes(&self) -> Option<(PublicKey, Revocation)> {
        self.rare.as_ref().and_then(|r| r.revokes)
    }

    /// The key that signed it (always known: [`Node::signed`] keeps it in `rare` when it is not
    /// in the own root list).
    fn signer(&self) -> Option<&PublicKey> {
        match self.signer {
            OTHER_SIGNER => self.rare.as_ref().and_then(|r| r.signer.as_ref()),
            i => self.state.roots.get(usize::from(i)),
        }
    }

    /// Sets the signer, the superseded sibling and the revocation (`signer` and `rare` as
    /// [`Node`] documents them).
    fn signed(
        mut self,
        signer: PublicKey,
        supersedes: Option<MessageId>,
        revokes: Option<(PublicKey, Revocation)>,
    ) -> Node {
        let own = self
            .state
            .roots
            .iter()
            .position(|k| *k == signer)
            .and_then(|i| u8::try_from(i).ok())
            .filter(|i| *i != OTHER_SIGNER);
        self.signer = own.unwrap_or(OTHER_SIGNER);
        let rare = NodeRare {
            supersedes,
            revokes,
            signer: own.is_none().then_some(signer),
        };
        self.rare = (rare.supersedes.is_some() || rare.revokes.is_some() || rare.signer.is_some())
            .then(|| Box::new(rare));
        self
    }

    /// The ancestor to jump to ([`ancestor_at`]) from this operation, whose id is `own`.
    fn jump(&self, own: &MessageId) -> MessageId {
        self.jump
            .as_deref()
            .copied()
            .or(self.parent)
            .unwrap_or(*own)
    }
}

/// The ancestor of `x` (or `x` itself) at depth `depth`, in `O(log n)` steps: each operation's jump
/// pointer skips a run of ancestors whose lengths follow the skew-binary numbers (Myers, "An
/// applicative random-access stack", 1983).
fn ancestor_at(nodes: &Nodes, mut x: MessageId, depth: usize) -> Option<MessageId> {
    loop {
        let node = nodes.get(&x)?;
        if node.depth() <= depth {
            return (node.depth() == depth).then_some(x);
        }
        let jump = node.jump(&x);
        x = match nodes.get(&jump) {
            Some(j) if j.depth() >= depth => jump,
            _ => node.parent?,
        };
    }
}

/// Whether `a` is `b` or an ancestor of `b`.
fn is_ancestor(nodes: &Nodes, a: MessageId, b: MessageId) -> bool {
    nodes
        .get(&a)
        .is_some_and(|n| ancestor_at(nodes, b, n.depth()) == Some(a))
}

/// The canonical chain of an account (rule ACCT-5).
#[derive(Clone, Debug)]
pub(super) struct Canon {
    /// The last operation of the chain. The chain is the head's ancestors: the operation at
    /// place `j` is the head's ancestor at depth `j` ([`Canon::at`], `O(log n)` steps), and an
    /// operation's place is its depth ([`Canon::place`]), so neither the path nor a map of places
    /// is kept (issue 18).
    head: MessageId,
    /// How the chain chose at each of its operations but the head: `forks[j]` at the chain
    /// operation of place `j` ([`Canon::at`]).
    forks: Vec<Fork>,
    /// The chain ended in a tie of one key's leaves (06 §8.1).
    tie: bool,
    /// The head state when revocations of 06 §8.4 apply to it beside the head's own: the head's
    /// state with them applied, boxed. None: the head state is the head's own, held by its node
    /// ([`Log::head_state`]), not copied here.
    state: Option<Box<State>>,
    /// The last operation of the chain's final prefix (06 §8.6): it and every operation of the
    /// chain before it (the genesis aside) are final, by its place. None if the genesis's chosen
    /// child is not.
    last_final: Option<Place>,
    /// The first place on the chain whose operation's parent names witnesses and which is not
    /// final at that parent (06 §5.6, the witness gate of ACCT-11), or none: a deactivation at the
    /// head counts only if there is none. Receipts kept in the cache only add endorsements, so it
    /// only moves towards the head ([`Canon::advance_gate`]).
    unfinal: Option<Place>,
    /// The place on the chain of its last `successor` operation (ACCT-13): the move counts only if
    /// the witness gate is open down to it (`unfinal` is none or below it).
    moved_at: Option<Place>,
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
    /// The chosen child won a tie of one key's leaves, continued or not, or a tie that a met
    /// commitment broke (06 §8.1).
    tie: bool,
    /// The chosen child won a tie of copies that a met commitment broke (06 §8.1; then `tie` too).
    met: bool,
    /// The chosen child's strength: the index in this operation's root list of the first root that
    /// counts in its subtree (`usize::MAX`: none). Operations that arrive below the chosen child
    /// only make it stronger, so once kept this is an upper bound.
    /// A `u8` (a root index is below [`super::MAX_ROOTS`]): `u8::MAX` for none ([`Fork::of`]).
    strength: u8,
    /// The roots (bit `i` for index `i`) that retired themselves under the chosen child: they
    /// count under no other child.
    retired_in: u8,
    /// The roots that retired themselves under two children or more: they count under none.
    dead: u8,
}

/// A place on the chain as the [`Canon`] keeps it: 4 bytes with its `Option` (the place plus one,
/// never zero; a chain of more than `u32::MAX - 1` operations is never held in memory), issue 18.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Place(core::num::NonZeroU32);

impl Place {
    /// The place `place`.
    fn new(place: usize) -> Place {
        Place(core::num::NonZeroU32::MIN.saturating_add(u32::try_from(place).unwrap_or(u32::MAX)))
    }

    /// The place.
    fn get(self) -> usize {
        (self.0.get() - 1) as usize
    }
}

/// The bit of root index `i` in a mask of [`Fork`] (none for an index beyond the mask).
fn bit(i: usize) -> u8 {
    1u8.checked_shl(i as u32).unwrap_or(0)
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
    let signer = x.signer();
    let mut keys: Vec<(PublicKey, bool)> = signer.map(|s| (*s, x.retires())).into_iter().collect();
    if x.committed() {
        let parent = x.parent.and_then(|p| nodes.get(&p));
        for (i, k) in parent
            .map_or(&[][..], |p| &p.state.roots[..])
            .iter()
            .enumerate()
        {
            if Some(k) != signer {
                keys.push((*k, x.drops & bit(i) != 0));
            }
        }
    }
    keys
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
    /// The valid operations by id: a compact store, a sorted vector while the account is small.
    nodes: Nodes,
    /// The canonical chain, computed on the first query after a change (see the module comment),
    /// boxed: a log whose chain was never asked for holds only the pointer.
    canon: OnceCell<Box<Canon>>,
    /// What most accounts never hold (supersessions, receipts, deactivations, the AUTH-6 walks of
    /// revoked keys), boxed once one is held — the walks from a shared borrow, hence the
    /// `OnceCell` ([`Log::walks`], [`change_rare`]): an account's log is held in full by the
    /// account map (issue 18).
    rare: OnceCell<Box<Rare>>,
}

/// The parts of a [`Log`] that most accounts leave empty.
#[derive(Clone, Debug, Default)]
struct Rare {
    /// What the account state decides by ([`Log::rare`]).
    data: RareData,
    /// The AUTH-6 walks of this account's revoked keys, remembered between authorizations.
    walks: RefCell<Walks>,
}

/// The parts of a [`Rare`] that the account state decides by.
#[derive(Clone, Debug, Default)]
struct RareData {
    /// Every id some valid operation names in `supersedes` (06 §8.1): an operation arriving with
    /// or below one of them can change which operations are superseded.
    named: BTreeSet<MessageId>,
    /// The valid receipts (06 §8.6): witness key -> the operations it receipted.
    receipts: Receipts,
    /// The valid deactivations (ACCT-11): id -> effective time (its own time).
    deactivations: BTreeMap<MessageId, u64>,
}

/// Changes the rare parts of a log (`rare`, allocated on the first change) by `f`.
fn change_rare<R>(rare: &mut OnceCell<Box<Rare>>, f: impl FnOnce(&mut RareData) -> R) -> R {
    let mut held = rare.take().unwrap_or_default();
    let out = f(&mut held.data);
    *rare = OnceCell::from(held);
    out
}

/// The [`RareData`] parts of a log that holds none.
static NO_RARE: RareData = RareData {
    named: BTreeSet::new(),
    receipts: BTreeMap::new(),
    deactivations: BTreeMap::new(),
};

impl Log {
    /// The tree of a new account: its genesis alone.
    pub(super) fn new(genesis: MessageId, signer: PublicKey, state: State) -> Log {
        let node = Node {
            signer: OTHER_SIGNER,
            parent: None,
            seq: 1,
            rare: None,
            flags: 0,
            drops: 0,
            origin: state.next().is_some().then(|| Arc::new(genesis)),
            children: Vec::new(),
            state,
            depth: 0,
            jump: None,
        }
        .signed(signer, None, None);
        Log {
            nodes: Store::one(genesis, node),
            canon: OnceCell::new(),
            rare: OnceCell::new(),
        }
    }

    /// The genesis: the ancestor at depth 0 of any operation (its id is not kept beside the
    /// nodes, issue 18). `O(log n)`.
    pub(super) fn genesis(&self) -> Option<MessageId> {
        let (any, _) = self.nodes.iter().next()?;
        ancestor_at(&self.nodes, *any, 0)
    }

    /// The AUTH-6 walks of this account's revoked keys (allocated on the first call).
    pub(super) fn walks(&self) -> &RefCell<Walks> {
        &self.rare.get_or_init(Box::default).walks
    }

    /// The parts most accounts leave empty.
    fn rare(&self) -> &RareData {
        self.rare.get().map_or(&NO_RARE, |rare| &rare.data)
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
        canon.state.as_deref().or_else(|| self.state(canon.head()?))
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
        if !change_rare(&mut self.rare, |rare| {
            rare.receipts.entry(witness).or_default().insert(op)
        }) {
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
            change_rare(&mut self.rare, |rare| rare.named.insert(y));
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
            change_rare(&mut self.rare, |rare| rare.deactivations.insert(id, end));
        }
        let (depth, p_jump) = (p.depth() + 1, p.jump(&parent));
        let depth_of = |x: &MessageId| self.nodes.get(x).map_or(0, |n| n.depth());
        let jump_of = |x: &MessageId| self.nodes.get(x).map_or(*x, |n| n.jump(x));
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
            signer: OTHER_SIGNER,
            parent: Some(parent),
            seq: header.seq(),
            rare: None,
            flags: [
                (rotates, ROTATES),
                (rotates && !state.roots.contains(&signer), RETIRES),
                (committed, COMMITTED),
                (matches!(body, OpBody::Successor { .. }), MOVES),
            ]
            .iter()
            .filter(|(on, _)| *on)
            .fold(0, |flags, (_, flag)| flags | flag),
            drops,
            origin,
            children: Vec::new(),
            state,
            // A tree deeper than `u32::MAX` operations is never held in memory.
            depth: u32::try_from(depth).unwrap_or(u32::MAX),
            jump: (jump != parent).then(|| Box::new(jump)),
        }
        .signed(
            signer,
            supersedes,
            match body {
                OpBody::Revoke { app, cutoff } => Some((*app, *cutoff)),
                _ => None,
            },
        );
        match self.canon.get_mut() {
            // The new operation is the only child of a head that is neither contested nor a tied
            // leaf, and it cannot undo a tie of one key's leaves, continued, above (audit-wm WM5):
            // the chain grows by it (see the module comment). One that can falls through to
            // `keep_off_chain`, which finds no fork at the head: recomputed.
            Some(canon)
                if canon.head() == Some(&parent)
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
                let retired_in = match (node.retires(), committed) {
                    (true, _) => bit(strength),
                    (false, true) => node.drops,
                    (false, false) => 0,
                };
                // The new head's place: the chain's length before it.
                let place = canon.len();
                canon.forks.push(Fork {
                    final_child: false,
                    tie: false,
                    met: false,
                    strength: Fork::of(strength),
                    retired_in,
                    dead: 0,
                });
                if canon.unfinal.is_none() && !unwitnessed {
                    canon.unfinal = Some(Place::new(place));
                }
                if node.moves() {
                    canon.moved_at = Some(Place::new(place));
                }
                canon.head = id;
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
            && x.signer() == y.signer()
            && y.seq < x.seq
            && (!y.retires() || (x.rotates() && x.state.roots == y.state.roots))
    }

    /// The canonical chain, computed if the tree changed since it was last asked for.
    pub(super) fn canon(&self) -> &Canon {
        self.canon.get_or_init(|| Box::new(self.choose()))
    }
}
