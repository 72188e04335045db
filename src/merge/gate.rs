//! Interaction gating in the merged views (rules VIEW-1 to VIEW-4, `spec/07-merge.md` §5.10).
//!
//! A post's author decides, by the latest of their `gate` messages for the post (VIEW-1), who may
//! reply to it and quote it, and which replies are hidden; an account's blocks (MERGE-8) keep the
//! blocked account's replies, quotes and mentions out of the views the blocker owns:
//!
//! - **VIEW-1** the gate in force of a post is the latest counting gate of its author for it;
//! - **VIEW-2** a reply is left out of its root's thread and its parent's replies when the root's
//!   author blocks its author (`block`), the gate's `reply` does not admit its author (`gate`), or
//!   the gate hides it (`hidden`); then likewise by its parent's author and gate (`block`, `gate`),
//!   or when its parent is live and names another root (`root`), so that a false `root` claim
//!   cannot carry a reply past the gate of the post it answers;
//! - **VIEW-3** a quote is left out of the quoted post's quotes likewise (`block`, `gate`);
//! - **VIEW-4** a post's mention of an account that blocks its author is left out.
//!
//! Everything is read from the same set: the follow graph that decides `followers` and
//! `following`, the blocks, the gates. A gate or block that arrives later changes the views in the
//! same way on every node. The author's own posts are never left out. One pass over the posts with
//! map look-ups: `O(n log n)`.
//!
//! ```
//! use skylark::merge::State;
//! use skylark::message::{validate, Audience, Authorization, BodyKind, Gate, MemoryContext, Post, Reply, Verdict};
//! use skylark::id::AccountId;
//! let (ka, kb) = (skylark::keys::SecretKey::from_seed([1; 32]), skylark::keys::SecretKey::from_seed([2; 32]));
//! let (alice, bob) = (AccountId::from_bytes([1; 32]), AccountId::from_bytes([2; 32]));
//! let root = Post::builder().text("quiet please").build()?.draft(alice, 1_000)?.sign(&ka)?;
//! let gate = Gate::builder(root.id()).reply(&[Audience::Nobody]).build()?
//!     .draft(alice, 2_000)?.after(&root).sign(&ka)?;
//! let reply = Post::builder().text("loud").reply(Reply::new(root.id(), root.id())).build()?
//!     .draft(bob, 3_000)?.sign(&kb)?;
//! let context = MemoryContext::new(10_000, Authorization::Authorized).with(&root).with(&gate);
//! let mut state = State::new();
//! for m in [root, gate, reply] {
//!     let Verdict::Valid(v) = validate(m, &context) else { panic!() };
//!     state.apply(&v);
//! }
//! let summary = state.summary(10_000);
//! // Bob's reply is not in the thread, and its post entry says why.
//! assert_eq!(summary.as_map().and_then(|m| m.get("threads")).and_then(|t| t.as_map()).map(|t| t.len()), Some(0));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;

use super::{Effect, Entry, Stamp};
use crate::cbor::{Map, Value};
use crate::id::{AccountId, MessageId};
use crate::message::Audience;

/// Why an interaction is left out of a view (VIEW-2..VIEW-4).
///
/// ```
/// use skylark::merge::Reason;
/// assert_eq!(Reason::Hidden.as_str(), "hidden");
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reason {
    /// The post's author blocks the interaction's author (VIEW-2, VIEW-3, VIEW-4).
    Block,
    /// The gate in force does not admit the interaction's author (VIEW-2, VIEW-3).
    Gate,
    /// The gate in force hides the reply (VIEW-2).
    Hidden,
    /// The reply's parent is live and its thread's root is not the root the reply claims (VIEW-2).
    Root,
}

impl Reason {
    /// The reason as the summary writes it: `"block"`, `"gate"`, `"hidden"` or `"root"`.
    ///
    /// ```
    /// assert_eq!(skylark::merge::Reason::Block.as_str(), "block");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Block => "block",
            Self::Gate => "gate",
            Self::Hidden => "hidden",
            Self::Root => "root",
        }
    }
}

/// What the views leave out of one live post, and why (VIEW-2..VIEW-4): the post as a reply, as a
/// quote, and its mentions of the accounts that block its author.
///
/// ```
/// use skylark::merge::LeftOut;
/// let nothing = LeftOut::default();
/// assert!(nothing.is_empty() && nothing.reply.is_none() && nothing.mentions.is_empty());
/// ```
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LeftOut {
    /// Why the post is not listed in its root's thread and its parent's replies (VIEW-2).
    pub reply: Option<Reason>,
    /// Why the post is not listed among the quotes of the post it quotes (VIEW-3).
    pub quote: Option<Reason>,
    /// The mentioned accounts that block the post's author, sorted (VIEW-4).
    pub mentions: Vec<AccountId>,
}

impl LeftOut {
    /// Whether nothing is left out.
    ///
    /// ```
    /// assert!(skylark::merge::LeftOut::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.reply.is_none() && self.quote.is_none() && self.mentions.is_empty()
    }

    /// The `left_out` entry of the post in the summary (MERGE-11): `{? "quote": reason, ? "reply":
    /// reason, ? "mentions": [+ account id]}`.
    pub(crate) fn to_value(&self) -> Value {
        let mut map = Map::new();
        if let Some(r) = self.reply {
            map.insert("reply", Value::from(r.as_str()));
        }
        if let Some(r) = self.quote {
            map.insert("quote", Value::from(r.as_str()));
        }
        if !self.mentions.is_empty() {
            let accounts = self
                .mentions
                .iter()
                .map(|a| Value::from(&a.as_bytes()[..]))
                .collect();
            map.insert("mentions", Value::Array(accounts));
        }
        Value::Map(map)
    }
}

/// What VIEW-1..VIEW-4 read from a state: the merge's summary and the replica's indexes answer the
/// same questions, each from its own structures.
pub(crate) trait Graph {
    /// The author of the post `post` held in any state, and the accounts it mentions if its body
    /// counts (sorted; empty otherwise); `None` if no post has this id.
    fn owner(&self, post: &MessageId) -> Option<(AccountId, &[AccountId])>;
    /// The root of the thread of the live post `post`: the `root` its `reply` claims, or `post`
    /// itself if it is not a reply; `None` if no live post has this id.
    fn root(&self, post: &MessageId) -> Option<MessageId>;
    /// The gate in force of `owner`'s post `post` (VIEW-1): an [`Effect::Gate`].
    fn gate(&self, owner: &AccountId, post: &MessageId) -> Option<&Effect>;
    /// Whether `account` follows `subject` (MERGE-8).
    fn follows(&self, account: &AccountId, subject: &AccountId) -> bool;
    /// Whether `account` blocks `subject` (MERGE-8).
    fn blocks(&self, account: &AccountId, subject: &AccountId) -> bool;
}

/// Whether `list` (absent: everyone) admits `author` to interact with a post of `owner` that
/// mentions `mentioned` (sorted).
fn admits(
    g: &impl Graph,
    list: Option<&[Audience]>,
    owner: &AccountId,
    author: &AccountId,
    mentioned: &[AccountId],
) -> bool {
    let Some(list) = list else {
        return true;
    };
    list.iter().any(|a| match a {
        Audience::Followers => g.follows(author, owner),
        Audience::Following => g.follows(owner, author),
        Audience::Mentioned => mentioned.binary_search(author).is_ok(),
        Audience::Nobody => false,
    })
}

/// VIEW-2 (`reply`) or VIEW-3: why `author`'s post `id`, replying in the thread of or quoting
/// `post`, is left out, if it is.
fn judge(
    g: &impl Graph,
    post: &MessageId,
    author: &AccountId,
    id: &MessageId,
    reply: bool,
) -> Option<Reason> {
    let (owner, mentioned) = g.owner(post)?;
    if owner == *author {
        return None;
    }
    if g.blocks(&owner, author) {
        return Some(Reason::Block);
    }
    let (list, hidden) = match g.gate(&owner, post) {
        Some(Effect::Gate { rules, .. }) => (
            if reply {
                rules.reply.as_deref()
            } else {
                rules.quote.as_deref()
            },
            &rules.hidden[..],
        ),
        _ => (None, &[][..]),
    };
    if !admits(g, list, &owner, author, mentioned) {
        return Some(Reason::Gate);
    }
    (reply && hidden.contains(id)).then_some(Reason::Hidden)
}

/// VIEW-2 by the parent: why `author`'s reply `{root, parent}` is left out although its root's
/// author admits it — the parent's author blocks `author` or the parent's gate does not admit them,
/// or the parent is live and its own thread's root is not `root`.
fn judge_parent(
    g: &impl Graph,
    root: &MessageId,
    parent: &MessageId,
    author: &AccountId,
) -> Option<Reason> {
    if let Some((owner, mentioned)) = g.owner(parent).filter(|(o, _)| o != author) {
        if g.blocks(&owner, author) {
            return Some(Reason::Block);
        }
        let list = match g.gate(&owner, parent) {
            Some(Effect::Gate { rules, .. }) => rules.reply.as_deref(),
            _ => None,
        };
        if !admits(g, list, &owner, author, mentioned) {
            return Some(Reason::Gate);
        }
    }
    g.root(parent).filter(|r| r != root).map(|_| Reason::Root)
}

/// VIEW-2..VIEW-4 for one live post `id` by `author` with effect `effect`: what is left out.
pub(crate) fn left_out_of(
    g: &impl Graph,
    id: &MessageId,
    author: &AccountId,
    effect: &Effect,
) -> LeftOut {
    let Effect::Post { mentions, .. } = effect else {
        return LeftOut::default();
    };
    LeftOut {
        reply: effect.reply().and_then(|(root, parent)| {
            judge(g, &root, author, id, true).or_else(|| judge_parent(g, &root, &parent, author))
        }),
        quote: effect.quote().and_then(|q| judge(g, &q, author, id, false)),
        mentions: mentions
            .iter()
            .filter(|m| *m != author && g.blocks(m, author))
            .copied()
            .collect(),
    }
}

/// The current edges of a graph of MERGE-8: `(account, subject)`.
pub(crate) type Edges = BTreeSet<(AccountId, AccountId)>;

/// The state's side of [`Graph`]: the kept messages, which of them count, the gates in force and the
/// current edges.
struct Summarized<'a> {
    messages: &'a super::Entries,
    live: &'a dyn Fn(&MessageId, &Entry) -> bool,
    gates: BTreeMap<(AccountId, MessageId), (Stamp, &'a Effect)>,
    follows: &'a Edges,
    blocks: &'a Edges,
}

impl Graph for Summarized<'_> {
    fn owner(&self, post: &MessageId) -> Option<(AccountId, &[AccountId])> {
        let e = self.messages.get(post)?;
        let mentioned: &[AccountId] = match &e.effect {
            Effect::Post { mentions, .. } if (self.live)(post, e) => mentions,
            Effect::Post { .. } | Effect::Withheld { post: true, .. } => &[],
            _ => return None,
        };
        Some((*e.account(), mentioned))
    }
    fn root(&self, post: &MessageId) -> Option<MessageId> {
        let e = self.messages.get(post)?;
        match &e.effect {
            Effect::Post { .. } if (self.live)(post, e) => {
                Some(e.effect.reply().map_or(*post, |(root, _)| root))
            }
            _ => None,
        }
    }
    fn gate(&self, owner: &AccountId, post: &MessageId) -> Option<&Effect> {
        self.gates.get(&(*owner, *post)).map(|(_, g)| *g)
    }
    fn follows(&self, account: &AccountId, subject: &AccountId) -> bool {
        self.follows.contains(&(*account, *subject))
    }
    fn blocks(&self, account: &AccountId, subject: &AccountId) -> bool {
        self.blocks.contains(&(*account, *subject))
    }
}

/// VIEW-1..VIEW-4 over `messages`: for each live post with something left out, what and why.
/// `live` says whether a message's body counts (held whole, not deleted).
pub(super) fn left_out(
    messages: &super::Entries,
    live: &dyn Fn(&MessageId, &Entry) -> bool,
    follows: &Edges,
    blocks: &Edges,
) -> BTreeMap<MessageId, LeftOut> {
    let mut g = Summarized {
        messages,
        live,
        gates: BTreeMap::new(),
        follows,
        blocks,
    };
    // VIEW-1: the latest counting gate per (author, post).
    for (id, e) in messages.iter().filter(|(id, e)| live(id, e)) {
        if let Effect::Gate { target, .. } = &e.effect {
            let stamp = (e.time, *id);
            let slot = g
                .gates
                .entry((*e.account(), *target))
                .or_insert((stamp, &e.effect));
            if stamp > slot.0 {
                *slot = (stamp, &e.effect);
            }
        }
    }
    messages
        .iter()
        .filter(|(id, e)| live(id, e))
        .map(|(id, e)| (*id, left_out_of(&g, id, e.account(), &e.effect)))
        .filter(|(_, left)| !left.is_empty())
        .collect()
}
