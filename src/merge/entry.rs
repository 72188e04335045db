//! What the merge rules read of one message: its [`Effect`], and the [`Entry`] a
//! [`super::State`] holds per message (its header facts, its effect and, in a replica, the bytes
//! it holds).

use alloc::boxed::Box;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use super::limits;
use crate::id::{AccountId, MessageId};
use crate::keys::PublicKey;
use crate::message::{Audience, Body, Feature, Reference, ValidMessage};

/// What one message says, as far as the merge rules read it. The replica's views read the same
/// (`replica::views`).
///
/// Held once per valid message of a social kind, so kept small (40 bytes and the tag): what most
/// messages lack — a reply's or a quote's ids, a react's emoji and version, an edit's second id, a
/// label's or a gate's fields — is boxed, and absent costs a null pointer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Effect {
    /// A stripped remainder that is not known to be deleted: its body cannot be read. `class` is
    /// its kind's class of LIMIT-2 (`limits::CLASSES`), which the other variants imply.
    Withheld {
        post: bool,
        class: u8,
    },
    Profile,
    Post {
        /// A reply's parent, after its root unless the parent is the root (a direct reply, most
        /// replies: 32 bytes instead of 64); never empty.
        reply: Option<Box<[MessageId]>>,
        /// The quoted post, and the version of it the author saw (`quote_version`, which a valid
        /// post has only with a quote, 05 §5.2).
        quote: Option<Box<(MessageId, Option<MessageId>)>>,
        /// The accounts the post mentions (its mention facets), sorted and distinct.
        mentions: Box<[AccountId]>,
    },
    Edit {
        target: MessageId,
        replaces: Box<MessageId>,
    },
    Delete(MessageId),
    React {
        target: MessageId,
        /// The value (the emoji; empty for a like) and the version of the target the author saw
        /// (`version`); `None` for a like without a version.
        more: Option<Box<(String, Option<MessageId>)>>,
    },
    Unreact(MessageId),
    Repost {
        target: MessageId,
        /// The version of the target the author saw (`version`).
        seen: Option<Box<MessageId>>,
    },
    Unrepost(MessageId),
    Follow(AccountId, bool),
    Block(AccountId, bool),
    Label(Box<Label>),
    /// A gate of the author's post `target` (VIEW-1).
    Gate {
        target: MessageId,
        rules: Box<GateRules>,
    },
}

/// What a label says (MERGE-9).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Label {
    pub(crate) subject: Reference,
    pub(crate) value: String,
    pub(crate) negate: bool,
    pub(crate) expires: Option<u64>,
}

/// What a gate says besides its target (VIEW-1): who may reply, who may quote (absent: everyone)
/// and the hidden replies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct GateRules {
    pub(crate) reply: Option<Vec<Audience>>,
    pub(crate) quote: Option<Vec<Audience>>,
    pub(crate) hidden: Vec<MessageId>,
}

impl Effect {
    /// The effect of a valid message, or `None` for the kinds the merge rules do not read (07 §2.2).
    pub(crate) fn of(message: &ValidMessage) -> Option<Effect> {
        let kind = message.message().header().kind().as_str();
        Some(match message.body() {
            Body::Withheld if crate::message::CORE_KINDS.contains(&kind) => Effect::Withheld {
                post: kind == "post",
                class: u8::try_from(limits::class_of(kind)?).ok()?,
            },
            Body::Profile(_) => Effect::Profile,
            Body::Post(p) => {
                let mut mentions: Vec<AccountId> = p
                    .facets()
                    .iter()
                    .filter_map(|f| match f.feature() {
                        Feature::Mention(a) => Some(*a),
                        _ => None,
                    })
                    .collect();
                mentions.sort();
                mentions.dedup();
                Effect::Post {
                    reply: p.reply().map(|r| {
                        if r.root() == r.parent() {
                            Box::from([r.parent()])
                        } else {
                            Box::from([r.root(), r.parent()])
                        }
                    }),
                    quote: p.quote().map(|q| Box::new((q, p.quote_version()))),
                    mentions: mentions.into_boxed_slice(),
                }
            }
            Body::Edit(e) => Effect::Edit {
                target: e.target(),
                replaces: Box::new(e.replaces()),
            },
            Body::Delete(t) => Effect::Delete(t.target()),
            Body::React(r) => {
                let value = r.emoji().unwrap_or_default();
                Effect::React {
                    target: r.target(),
                    more: (!value.is_empty() || r.version().is_some())
                        .then(|| Box::new((value.into(), r.version()))),
                }
            }
            Body::Unreact(t) => Effect::Unreact(t.target()),
            Body::Repost(t) => Effect::Repost {
                target: t.target(),
                seen: t.version().map(Box::new),
            },
            Body::Unrepost(t) => Effect::Unrepost(t.target()),
            Body::Follow(s) => Effect::Follow(s.subject(), true),
            Body::Unfollow(s) => Effect::Follow(s.subject(), false),
            Body::Block(s) => Effect::Block(s.subject(), true),
            Body::Unblock(s) => Effect::Block(s.subject(), false),
            Body::Label(l) => Effect::Label(Box::new(Label {
                subject: l.subject(),
                value: l.value().into(),
                negate: l.is_negation(),
                expires: l.expires(),
            })),
            Body::Gate(g) => Effect::Gate {
                target: g.target(),
                rules: Box::new(GateRules {
                    reply: g.reply().map(<[Audience]>::to_vec),
                    quote: g.quote().map(<[Audience]>::to_vec),
                    hidden: g.hidden().to_vec(),
                }),
            },
            // Operations, extension and unknown kinds are not read by the merge rules.
            _ => return None,
        })
    }

    /// The index of the message's class of LIMIT-2 (`limits::CLASSES`): the kind's, which the
    /// variant says (a remainder records it).
    pub(crate) fn class(&self) -> usize {
        match self {
            Effect::Withheld { class, .. } => usize::from(*class),
            Effect::Profile => 0,
            Effect::Post { .. } | Effect::Edit { .. } => 1,
            Effect::Delete(_) => 2,
            Effect::React { .. } | Effect::Unreact(_) => 3,
            Effect::Repost { .. } | Effect::Unrepost(_) => 4,
            Effect::Follow(..) => 5,
            Effect::Block(..) => 6,
            Effect::Label(_) => 7,
            Effect::Gate { .. } => 8,
        }
    }

    /// A reply's `(root, parent)`.
    pub(crate) fn reply(&self) -> Option<(MessageId, MessageId)> {
        match self {
            Effect::Post { reply, .. } => match reply.as_deref()? {
                [parent] => Some((*parent, *parent)),
                [root, parent] => Some((*root, *parent)),
                _ => None,
            },
            _ => None,
        }
    }

    /// The post a post quotes.
    pub(crate) fn quote(&self) -> Option<MessageId> {
        match self {
            Effect::Post { quote, .. } => quote.as_deref().map(|q| q.0),
            _ => None,
        }
    }

    /// The version of its target the author saw: a quote's `quote_version`, a react's or a
    /// repost's `version`.
    pub(crate) fn seen(&self) -> Option<MessageId> {
        match self {
            Effect::Post { quote, .. } => quote.as_deref().and_then(|q| q.1),
            Effect::React { more, .. } => more.as_deref().and_then(|m| m.1),
            Effect::Repost { seen, .. } => seen.as_deref().copied(),
            _ => None,
        }
    }

    /// A react's value (empty for a like, and for anything else).
    pub(crate) fn value(&self) -> &str {
        match self {
            Effect::React { more: Some(m), .. } => m.0.as_str(),
            _ => "",
        }
    }
}

/// Who signed a message: its account and key, held once per (account, key) by the replica, which
/// shares one [`Arc`] between all the entries of that pair (a [`super::State`] of its own does
/// not).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Origin {
    pub(crate) account: AccountId,
    pub(crate) key: PublicKey,
}

/// The least origin (the least account and key bytes): a bound for ranges over sets ordered by
/// origin.
impl Default for Origin {
    fn default() -> Self {
        Origin {
            account: AccountId::from_bytes([0; 32]),
            key: PublicKey::LEAST,
        }
    }
}

/// One applied message: its header facts and its effect. Held boxed, once per message: the
/// replica's views read the entries its merged state holds rather than sharing them behind an
/// `Arc` (whose counts cost 16 bytes an entry), so a clone of a [`super::State`] copies its
/// entries. The replica shares one [`Origin`] between the entries of one account and key. An
/// entry is 88 bytes, the 16 of the bytes a replica holds in it ([`Entry::held`]) included.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub(crate) origin: Arc<Origin>,
    pub(crate) seq: u64,
    pub(crate) time: u64,
    pub(crate) effect: Effect,
    /// The bytes a replica holds of the message (`replica::Held`): a replica keeps the bytes of
    /// the messages its merged state holds here rather than in a second map by id. `None` in a
    /// [`super::State`] of its own; not part of what the entry says (`==` does not read it).
    pub(crate) held: Option<Box<[u8]>>,
}

/// What the entry says: its bytes held for a replica are not part of it.
impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.origin == other.origin
            && self.seq == other.seq
            && self.time == other.time
            && self.effect == other.effect
    }
}

impl Eq for Entry {}

impl Entry {
    /// The entry of a valid message, or `None` for the kinds the merge rules do not read.
    pub(crate) fn of(message: &ValidMessage) -> Option<Entry> {
        let effect = Effect::of(message)?;
        let header = message.message().header();
        let class = limits::class_of(header.kind().as_str())?;
        debug_assert_eq!(class, effect.class(), "{}", header.kind().as_str());
        Some(Entry {
            origin: Arc::new(Origin {
                account: *header.account(),
                key: *header.key(),
            }),
            seq: header.seq(),
            time: header.time(),
            effect,
            held: None,
        })
    }

    /// A copy of what the entry says, without the bytes held for a replica.
    pub(crate) fn without_bytes(&self) -> Entry {
        Entry {
            origin: Arc::clone(&self.origin),
            seq: self.seq,
            time: self.time,
            effect: self.effect.clone(),
            held: None,
        }
    }

    /// The account the message's header names.
    pub(crate) fn account(&self) -> &AccountId {
        &self.origin.account
    }

    /// The key that signed it.
    pub(crate) fn key(&self) -> &PublicKey {
        &self.origin.key
    }

    /// The index of its class of LIMIT-2 (`limits::CLASSES`).
    pub(crate) fn class(&self) -> usize {
        self.effect.class()
    }
}
