//! The small kinds: reactions (REACT-1), deletes (DELETE-1), reposts and their undoing (UNDO-1), and
//! the social graph (GRAPH-1).

use alloc::string::String;

use super::error::{Path, ValidationError};
use super::fields::{self, check_keys, opt, req, Field};
use super::BodyKind;
use crate::cbor::{Map, Value};
use crate::id::{AccountId, MessageId};

const EMOJI_SCALARS: usize = 16;
const EMOJI_BYTES: usize = 64;

const TARGET_FIELDS: [Field; 1] = [req("target")];
const REPOST_FIELDS: [Field; 2] = [req("target"), opt("version")];
const SUBJECT_FIELDS: [Field; 1] = [req("subject")];
const REACT_FIELDS: [Field; 3] = [req("target"), opt("emoji"), opt("version")];

fn id_value(bytes: &[u8; 32]) -> Value {
    Value::Bytes(bytes.to_vec())
}

/// The body of a `delete`, `unreact`, `repost` or `unrepost`: `{ "target": bstr .size 32 }`, the
/// message acted on.
///
/// Use [`Delete`], [`Unreact`], [`Repost`] or [`Unrepost`] to write one; validation hands back a
/// `Target` in the matching [`crate::message::Body`] variant.
///
/// ```
/// use skylark::message::{Body, Delete, Repost};
/// # use skylark::message::{validate, Authorization, BodyKind, MemoryContext, Verdict};
/// # use skylark::id::{AccountId, MessageId};
/// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
/// # let signed = Repost::new(MessageId::from_bytes([7; 32]))
/// #     .draft(AccountId::from_bytes([1; 32]), 0)?.sign(&key)?;
/// # let Verdict::Valid(valid) = validate(signed, &MemoryContext::new(0, Authorization::Authorized))
/// #     else { panic!() };
/// // Kinds that share the shape can be handled together.
/// match valid.body() {
///     Body::Delete(t) | Body::Repost(t) => assert_eq!(t.target(), MessageId::from_bytes([7; 32])),
///     _ => unreachable!(),
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    target: MessageId,
    /// A repost's version pin (05 §5.6); always `None` for the other three kinds.
    version: Option<MessageId>,
}

impl Target {
    /// The message acted on.
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// let delete = skylark::message::Delete::new(MessageId::from_bytes([3; 32]));
    /// assert_eq!(delete.target(), MessageId::from_bytes([3; 32]));
    /// ```
    pub fn target(&self) -> MessageId {
        self.target
    }

    fn new(target: MessageId) -> Target {
        Target {
            target,
            version: None,
        }
    }

    /// The version of the target the author saw, if named: only a `repost` may name one (05 §5.6).
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// use skylark::message::{Delete, Repost};
    /// let (post, edit) = (MessageId::from_bytes([3; 32]), MessageId::from_bytes([4; 32]));
    /// assert_eq!(Repost::at_version(post, edit).version(), Some(edit));
    /// assert_eq!(Repost::new(post).version(), None);
    /// ```
    pub fn version(&self) -> Option<MessageId> {
        self.version
    }

    fn to_map(self) -> Map {
        let mut map = Map::new();
        map.insert("target", id_value(self.target.as_bytes()));
        if let Some(version) = self.version {
            map.insert("version", id_value(version.as_bytes()));
        }
        map
    }

    /// Checks a target body (`delete`, `unreact`, `unrepost`).
    pub(crate) fn parse(map: &Map) -> Result<Target, ValidationError> {
        Target::parse_with(map, &TARGET_FIELDS)
    }

    /// Checks a `repost` body: a target and an optional version.
    pub(crate) fn parse_repost(map: &Map) -> Result<Target, ValidationError> {
        Target::parse_with(map, &REPOST_FIELDS)
    }

    fn parse_with(map: &Map, schema: &[Field]) -> Result<Target, ValidationError> {
        check_keys(map, Path::ROOT, schema)?;
        let mut out = Target {
            target: MessageId::from_bytes([0; 32]),
            version: None,
        };
        // Values in encoded key order: target, version.
        for (key, value) in map.iter() {
            let id =
                |field| fields::bytes32(value, Path::ROOT.child(field)).map(MessageId::from_bytes);
            match key {
                "target" => out.target = id("target")?,
                "version" => out.version = Some(id("version")?),
                _ => {}
            }
        }
        Ok(out)
    }
}

/// The body of a `follow`, `unfollow`, `block` or `unblock`: `{ "subject": bstr .size 32 }`, the
/// account followed or blocked, never the author's own (GRAPH-1).
///
/// Use [`Follow`], [`Unfollow`], [`Block`] or [`Unblock`] to write one.
///
/// ```
/// use skylark::id::AccountId;
/// use skylark::message::{BodyKind, Follow};
///
/// let me = AccountId::from_bytes([1; 32]);
/// let follow = Follow::new(AccountId::from_bytes([2; 32]));
/// assert_eq!(follow.subject(), AccountId::from_bytes([2; 32]));
/// // Following yourself is refused when the author is known: when drafting.
/// let err = Follow::new(me).draft(me, 0).unwrap_err();
/// assert_eq!((err.code(), err.rule()), ("msg.self_reference", "GRAPH-1"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject {
    subject: AccountId,
}

impl Subject {
    fn new(subject: AccountId) -> Subject {
        Subject { subject }
    }

    /// The account followed, unfollowed, blocked or unblocked.
    ///
    /// ```
    /// use skylark::id::AccountId;
    /// let block = skylark::message::Block::new(AccountId::from_bytes([4; 32]));
    /// assert_eq!(block.subject(), AccountId::from_bytes([4; 32]));
    /// ```
    pub fn subject(&self) -> AccountId {
        self.subject
    }

    fn to_map(self) -> Map {
        let mut map = Map::new();
        map.insert("subject", id_value(self.subject.as_bytes()));
        map
    }

    /// Checks a subject body; GRAPH-1 when the author is known.
    pub(crate) fn parse(map: &Map, author: Option<&AccountId>) -> Result<Subject, ValidationError> {
        check_keys(map, Path::ROOT, &SUBJECT_FIELDS)?;
        let mut subject = AccountId::from_bytes([0; 32]);
        for (key, value) in map.iter() {
            if key == "subject" {
                subject =
                    AccountId::from_bytes(fields::bytes32(value, Path::ROOT.child("subject"))?);
                if author == Some(&subject) {
                    return Err(ValidationError::SelfReference);
                }
            }
        }
        Ok(Subject { subject })
    }
}

// DECISION: `Body::Delete(Target)` etc. are as the brief gives them, but one `Target` type cannot
// have one `BodyKind::KIND`; so each of the eight kinds that share the two shapes has its own small
// type for writing (`Delete`, `Follow`, …), a newtype over `Target` or `Subject`.
macro_rules! shaped_kind {
    (
        $(#[$doc:meta])*
        $name:ident, $shape:ident, $field:ident, $id:ident, $kind:literal, $example:literal
    ) => {
        $(#[$doc])*
        ///
        /// ```
        /// use skylark::message::BodyKind;
        #[doc = concat!("use skylark::message::", stringify!($name), ";")]
        #[doc = concat!("let body = ", stringify!($name), "::new(skylark::id::", stringify!($id), "::from_bytes([7; 32]));")]
        #[doc = concat!("assert_eq!(", stringify!($name), "::KIND, \"", $kind, "\");")]
        #[doc = concat!("assert_eq!(skylark::cbor::Value::Map(body.to_map()).to_string(), r#\"", $example, "\"#);")]
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $name($shape);

        impl $name {
            #[doc = concat!("A `", $kind, "` of `", stringify!($field), "`.")]
            ///
            /// ```
            #[doc = concat!("let id = skylark::id::", stringify!($id), "::from_bytes([7; 32]);")]
            #[doc = concat!("let body = skylark::message::", stringify!($name), "::new(id);")]
            #[doc = concat!("assert_eq!(body.", stringify!($field), "(), id);")]
            /// ```
            pub fn new($field: $id) -> Self {
                $name($shape::new($field))
            }

            #[doc = concat!("The `", stringify!($field), "` of this `", $kind, "`.")]
            ///
            /// ```
            #[doc = concat!("let id = skylark::id::", stringify!($id), "::from_bytes([8; 32]);")]
            #[doc = concat!("assert_eq!(skylark::message::", stringify!($name), "::new(id).", stringify!($field), "(), id);")]
            /// ```
            pub fn $field(&self) -> $id {
                self.0.$field
            }
        }

        impl BodyKind for $name {
            const KIND: &'static str = $kind;

            fn to_map(&self) -> Map {
                self.0.to_map()
            }
        }
    };
}

shaped_kind!(
    /// A delete (kind `delete`): withdraws one of the author's own messages, which must be neither a
    /// delete nor a key operation (DELETE-1). Nodes then keep only the target's stripped remainder.
    Delete, Target, target, MessageId, "delete",
    "{\"target\": h'0707070707070707070707070707070707070707070707070707070707070707'}"
);
shaped_kind!(
    /// An unreact (kind `unreact`): undoes one of the author's own reactions (UNDO-1).
    Unreact, Target, target, MessageId, "unreact",
    "{\"target\": h'0707070707070707070707070707070707070707070707070707070707070707'}"
);
shaped_kind!(
    /// A repost (kind `repost`): shares a message with the author's followers. The target is a
    /// reference only; validation does not look it up.
    Repost, Target, target, MessageId, "repost",
    "{\"target\": h'0707070707070707070707070707070707070707070707070707070707070707'}"
);
impl Repost {
    /// A repost of `target` that names the version of it the author saw: the post itself or the
    /// edit that was its current version (05 §5.6). Producers SHOULD name it, so that an edit made
    /// after the repost shows as one (07 MERGE-4).
    ///
    /// ```
    /// use skylark::cbor::Value;
    /// use skylark::id::MessageId;
    /// use skylark::message::{BodyKind, Repost};
    /// let repost = Repost::at_version(MessageId::from_bytes([1; 32]), MessageId::from_bytes([2; 32]));
    /// assert_eq!(repost.to_map().len(), 2);
    /// ```
    pub fn at_version(target: MessageId, version: MessageId) -> Self {
        Repost(Target {
            target,
            version: Some(version),
        })
    }

    /// The version of the target the author saw, if named.
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// let repost = skylark::message::Repost::new(MessageId::from_bytes([1; 32]));
    /// assert_eq!(repost.version(), None);
    /// ```
    pub fn version(&self) -> Option<MessageId> {
        self.0.version
    }
}

shaped_kind!(
    /// An unrepost (kind `unrepost`): undoes one of the author's own reposts (UNDO-1).
    Unrepost, Target, target, MessageId, "unrepost",
    "{\"target\": h'0707070707070707070707070707070707070707070707070707070707070707'}"
);
shaped_kind!(
    /// A follow (kind `follow`) of another account (GRAPH-1).
    Follow, Subject, subject, AccountId, "follow",
    "{\"subject\": h'0707070707070707070707070707070707070707070707070707070707070707'}"
);
shaped_kind!(
    /// An unfollow (kind `unfollow`) of another account (GRAPH-1).
    Unfollow, Subject, subject, AccountId, "unfollow",
    "{\"subject\": h'0707070707070707070707070707070707070707070707070707070707070707'}"
);
shaped_kind!(
    /// A block (kind `block`) of another account (GRAPH-1).
    Block, Subject, subject, AccountId, "block",
    "{\"subject\": h'0707070707070707070707070707070707070707070707070707070707070707'}"
);
shaped_kind!(
    /// An unblock (kind `unblock`) of another account (GRAPH-1).
    Unblock, Subject, subject, AccountId, "unblock",
    "{\"subject\": h'0707070707070707070707070707070707070707070707070707070707070707'}"
);

/// A reaction (kind `react`) to a message: a like, or an emoji.
///
/// ```text
/// react = { "target": bstr .size 32, ? "emoji": text (1..=16 scalars, <= 64 bytes) }
/// ```
///
/// The emoji must not contain whitespace or control characters (REACT-1); whether it is an emoji is
/// not checked, because that depends on the Unicode version. The target is a reference only.
///
/// ```
/// use skylark::id::MessageId;
/// use skylark::message::React;
///
/// let post = MessageId::from_bytes([1; 32]);
/// assert_eq!(React::like(post).emoji(), None);
/// assert_eq!(React::with_emoji(post, "🐦")?.emoji(), Some("🐦"));
/// assert_eq!(React::with_emoji(post, "🐦 🐦").unwrap_err().code(), "msg.invalid_emoji");
/// # Ok::<(), skylark::message::ValidationError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct React {
    target: MessageId,
    emoji: Option<String>,
    version: Option<MessageId>,
}

impl React {
    /// A like of `target` (a reaction without an emoji).
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// let like = skylark::message::React::like(MessageId::from_bytes([1; 32]));
    /// assert_eq!(like.target(), MessageId::from_bytes([1; 32]));
    /// ```
    pub fn like(target: MessageId) -> React {
        React {
            target,
            emoji: None,
            version: None,
        }
    }

    /// A reaction to `target` with `emoji`.
    ///
    /// # Errors
    ///
    /// [`ValidationError::TooShort`] or [`ValidationError::TooLong`] unless the emoji has 1 ..= 16
    /// Unicode scalar values and at most 64 bytes; [`ValidationError::InvalidEmoji`] if it contains
    /// whitespace or a C0 or C1 control character.
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// use skylark::message::React;
    /// let target = MessageId::from_bytes([1; 32]);
    /// // A family emoji: 7 scalars joined by zero-width joiners, one grapheme.
    /// assert!(React::with_emoji(target, "👨‍👩‍👧‍👦").is_ok());
    /// assert_eq!(React::with_emoji(target, "\u{7}").unwrap_err().code(), "msg.invalid_emoji");
    /// ```
    pub fn with_emoji(
        target: MessageId,
        emoji: impl Into<String>,
    ) -> Result<React, ValidationError> {
        let react = React {
            target,
            emoji: Some(emoji.into()),
            version: None,
        };
        React::parse(&react.to_map())
    }

    /// The message reacted to.
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// let like = skylark::message::React::like(MessageId::from_bytes([2; 32]));
    /// assert_eq!(like.target(), MessageId::from_bytes([2; 32]));
    /// ```
    pub fn target(&self) -> MessageId {
        self.target
    }

    /// The emoji, or `None` for a like.
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// let like = skylark::message::React::like(MessageId::from_bytes([2; 32]));
    /// assert_eq!(like.emoji(), None);
    /// ```
    pub fn emoji(&self) -> Option<&str> {
        self.emoji.as_deref()
    }

    /// The same reaction, naming the version of the target the author saw: the post itself or the
    /// edit that was its current version (05 §5.5). Producers SHOULD name it, so that an edit made
    /// after the reaction shows as one (07 MERGE-4).
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// let (post, edit) = (MessageId::from_bytes([1; 32]), MessageId::from_bytes([2; 32]));
    /// let like = skylark::message::React::like(post).at_version(edit);
    /// assert_eq!(like.version(), Some(edit));
    /// ```
    pub fn at_version(mut self, version: MessageId) -> React {
        self.version = Some(version);
        self
    }

    /// The version of the target the author saw, if named.
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// assert_eq!(skylark::message::React::like(MessageId::from_bytes([1; 32])).version(), None);
    /// ```
    pub fn version(&self) -> Option<MessageId> {
        self.version
    }

    /// Checks a `react` body.
    pub(crate) fn parse(map: &Map) -> Result<React, ValidationError> {
        check_keys(map, Path::ROOT, &REACT_FIELDS)?;
        let mut react = React::like(MessageId::from_bytes([0; 32]));
        // Values in encoded key order: emoji, target, version.
        for (key, value) in map.iter() {
            match key {
                // DECISION: as for facet tags, the length limits give `msg.too_short` and
                // `msg.too_long` (checked first); `msg.invalid_emoji` is for the characters.
                "emoji" => {
                    let field = Path::ROOT.child("emoji");
                    let emoji = fields::bounded_text(value, field, EMOJI_SCALARS, EMOJI_BYTES)?;
                    if emoji
                        .chars()
                        .any(|c| fields::is_space(c) || fields::is_control(c))
                    {
                        return Err(ValidationError::InvalidEmoji);
                    }
                    react.emoji = Some(emoji.into());
                }
                "target" => {
                    let target = fields::bytes32(value, Path::ROOT.child("target"))?;
                    react.target = MessageId::from_bytes(target);
                }
                "version" => {
                    let version = fields::bytes32(value, Path::ROOT.child("version"))?;
                    react.version = Some(MessageId::from_bytes(version));
                }
                _ => {}
            }
        }
        Ok(react)
    }
}

impl BodyKind for React {
    const KIND: &'static str = "react";

    fn to_map(&self) -> Map {
        let mut map = Map::new();
        map.insert("target", id_value(self.target.as_bytes()));
        if let Some(emoji) = &self.emoji {
            map.insert("emoji", Value::from(emoji.as_str()));
        }
        if let Some(version) = self.version {
            map.insert("version", id_value(version.as_bytes()));
        }
        map
    }
}
