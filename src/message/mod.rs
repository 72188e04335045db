//! Social messages: the kinds of message, their bodies, and validation (`spec/05-messages.md`).
//!
//! Layer 1 ([`crate::envelope`]) says whether bytes are a signed message. This layer says whether
//! that message is a valid post, profile, follow, … — by the rules of its kind and against what the
//! node knows:
//!
//! ```text
//!  bytes ──SignedMessage::from_bytes──► SignedMessage ──validate(·, &Context)──► Verdict
//!          (layer 1: ENV-1..14)                                                   ├─ Valid(ValidMessage: message + typed Body)
//!                                                                                 ├─ Invalid(ValidationError)
//!                                                                                 └─ Undecided(Vec<Missing>)
//!  Post::builder()…build() ──BodyKind::draft──► Draft ──sign──► SignedMessage ──as_bytes──► bytes
//! ```
//!
//! [`validate`] checks, in order (the first failure wins): the body rules of the kind; the time
//! against the [`Context`]'s clock (MSG-2); the key's authorization (MSG-3); the key's previous
//! message (MSG-4); and the messages the body names (an edit's target and replaced version; the
//! target of a delete, unreact, unrepost or gate). Its outcome is exactly one of:
//!
//! - **valid** — with the typed [`Body`];
//! - **invalid** — with one [`ValidationError`], whose `code()` and `rule()` are those of the spec and
//!   the test vectors; invalid by a body rule stays invalid, but time (MSG-2) and authorization
//!   (MSG-3, which reads the account state) can turn as the clock and the accounts move (see
//!   [`Verdict`]; [`crate::replica::Replica`] keeps verdicts current);
//! - **undecided** — nothing failed, but the context lacked the key's authorization or the header
//!   of another message ([`Missing`]); validate again when they arrive.
//!
//! A stripped remainder (no body) is validated on its header alone. The key operations of the
//! accounts layer ([`crate::account::OPERATION_KINDS`]) are core kinds too, with the body rules of
//! that layer (ACCT-1). A kind that is neither one of the [`CORE_KINDS`] nor an operation kind is
//! "valid, not understood" (rule EXT-1): its body is any map, handed back as
//! [`Body::Unknown`], and the header checks still apply. Extension kinds contain a `.`
//! (`com.example.poll`); an unknown kind without one is a future core kind, treated the same way, so
//! that new apps never break old ones. In the same spirit, bodies of core kinds may carry extra keys
//! that contain a `.` (`com.example.color`): they are signed, kept and ignored.
//!
//! The typed bodies ([`Post`], [`Profile`], [`Label`], …) have private fields and builders that
//! check every rule that does not depend on other messages, so a built body always validates; and
//! [`crate::envelope::Draft::new`] checks the body of every core kind, so an invalid one cannot be
//! signed through this crate. Text limits count both UTF-8 bytes and Unicode scalar values (never
//! graphemes).
//!
//! ```
//! use skylark::envelope::SignedMessage;
//! use skylark::id::AccountId;
//! use skylark::keys::SecretKey;
//! use skylark::message::{
//!     validate, Authorization, Body, BodyKind, Edit, MemoryContext, Missing, Post, Verdict,
//! };
//!
//! let key = SecretKey::from_seed([1; 32]);
//! let alice = AccountId::from_bytes([0xaa; 32]);
//! const NOW: u64 = 1_764_115_200_000;
//!
//! // Write and sign.
//! let post = Post::builder().text("Hello, Skylark!").lang("en").build()?;
//! let sent = post.draft(alice, NOW)?.sign(&key)?;
//!
//! // Receive bytes and validate them.
//! let received = SignedMessage::from_bytes(sent.as_bytes())?;
//! let context = MemoryContext::new(NOW, Authorization::Authorized);
//! match validate(received, &context) {
//!     Verdict::Valid(valid) => match valid.body() {
//!         Body::Post(p) => assert_eq!(p.text(), Some("Hello, Skylark!")),
//!         other => panic!("{other:?}"),
//!     },
//!     other => panic!("{other:?}"),
//! }
//!
//! // An edit needs the key's previous message and the post it edits; a node that has neither
//! // cannot decide yet.
//! let edit = Edit::builder(sent.id(), sent.id()).text("Hello again, Skylark!").build()?;
//! let edited = edit.draft(alice, NOW + 60_000)?.after(&sent).sign(&key)?;
//! let verdict = validate(edited.clone(), &MemoryContext::new(NOW + 60_000, Authorization::Unknown(Missing::KeyAuthorization)));
//! assert_eq!(
//!     verdict,
//!     Verdict::Undecided(vec![Missing::KeyAuthorization, Missing::Message(sent.id())])
//! );
//! // Once they are known, it is valid.
//! let context = MemoryContext::new(NOW + 60_000, Authorization::Authorized).with(&sent);
//! assert!(matches!(validate(edited, &context), Verdict::Valid(_)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod actions;
mod error;
mod facet;
mod fields;
mod gate;
mod label;
mod media;
mod post;
mod profile;
mod validate;

pub use actions::{
    Block, Delete, Follow, React, Repost, Subject, Target, Unblock, Unfollow, Unreact, Unrepost,
};
pub use error::{AuthError, Path, ValidationError};
pub use facet::{Facet, Feature, MAX_MENTIONS};
pub(crate) use fields::{is_label, is_lang};
pub use gate::{Audience, Gate, GateBuilder, MAX_AUDIENCES, MAX_HIDDEN};
pub use label::{Label, LabelBuilder, Reason, Reference, Report, ReportBuilder};
pub use media::{Media, MediaBuilder};
pub use post::{Card, CardBuilder, Edit, EditBuilder, Embed, Post, PostBuilder, Reply};
pub(crate) use profile::is_name;
pub use profile::{Profile, ProfileBuilder, MAX_HOSTS};
pub(crate) use validate::validate_with;
pub use validate::{
    validate, Authorization, Context, MemoryContext, Missing, ValidMessage, Verdict, MAX_CLOCK_SKEW,
};

use crate::cbor::Map;
use crate::envelope::{Draft, EnvelopeError, Kind};
use crate::id::AccountId;

/// The core social kinds: the kinds whose bodies this layer defines. With the operation kinds of
/// the accounts layer ([`crate::account::OPERATION_KINDS`]) they are the core kinds; every other kind
/// is an extension (or a future core kind) and is "valid, not understood" (EXT-1).
///
/// ```
/// use skylark::message::CORE_KINDS;
/// assert!(CORE_KINDS.contains(&"post"));
/// assert!(CORE_KINDS.iter().all(|k| !k.contains('.')));
/// ```
pub const CORE_KINDS: [&str; 15] = [
    "profile", "post", "edit", "delete", "react", "unreact", "repost", "unrepost", "follow",
    "unfollow", "block", "unblock", "label", "report", "gate",
];

/// The control kinds (rule MSG-7): the social kinds whose message supersedes, undoes or removes the
/// effect of other messages — the latest-wins registers (profile, edit, follow graph, block graph,
/// labels, gates) and the undoing kinds (delete, unreact, unrepost). Their stripped remainder is never
/// valid: it is undecided, missing its body ([`Missing::Body`]), so that nobody can reverse a control
/// message by relaying it without its body.
///
/// ```
/// use skylark::message::{CONTROL_KINDS, CORE_KINDS};
/// assert!(CONTROL_KINDS.contains(&"delete") && !CONTROL_KINDS.contains(&"post"));
/// assert!(CONTROL_KINDS.iter().all(|k| CORE_KINDS.contains(k)));
/// ```
pub const CONTROL_KINDS: [&str; 11] = [
    "profile", "edit", "delete", "unreact", "unrepost", "follow", "unfollow", "block", "unblock",
    "label", "gate",
];

/// A body type of one message kind: its kind name and its map. Implemented by every typed body of
/// this module; an application may implement it for its own extension kinds.
///
/// ```
/// use skylark::cbor::{Map, Value};
/// use skylark::message::BodyKind;
///
/// struct Poll { question: String }
///
/// impl BodyKind for Poll {
///     const KIND: &'static str = "com.example.poll";
///     fn to_map(&self) -> Map {
///         let mut map = Map::new();
///         map.insert("question", Value::from(self.question.as_str()));
///         map
///     }
/// }
///
/// let poll = Poll { question: "Lunch?".into() };
/// let draft = poll.draft(skylark::id::AccountId::from_bytes([1; 32]), 0)?;
/// # let _ = draft;
/// # Ok::<(), skylark::envelope::EnvelopeError>(())
/// ```
pub trait BodyKind {
    /// The kind name written in the header.
    ///
    /// ```
    /// use skylark::message::{BodyKind, Follow, Post};
    /// assert_eq!((Post::KIND, Follow::KIND), ("post", "follow"));
    /// ```
    const KIND: &'static str;

    /// The body map.
    ///
    /// ```
    /// use skylark::message::{BodyKind, Post};
    /// let map = Post::builder().text("hi").build()?.to_map();
    /// assert_eq!(map.get("text"), Some(&"hi".into()));
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    fn to_map(&self) -> Map;

    /// A draft of a message of this kind by `account` at `time` (milliseconds since the Unix
    /// epoch), to be placed in the key's history ([`Draft::after`]) and signed.
    ///
    /// # Errors
    ///
    /// What [`Draft::new`] reports, including [`EnvelopeError::Body`] for the body rules that
    /// depend on the author or the time (GRAPH-1, LABEL-4).
    ///
    /// ```
    /// use skylark::message::{BodyKind, Post};
    /// let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let msg = Post::builder().text("hi").build()?
    ///     .draft(skylark::id::AccountId::from_bytes([1; 32]), 1_000)?
    ///     .sign(&key)?;
    /// assert_eq!(msg.header().time(), 1_000);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn draft(&self, account: AccountId, time: u64) -> Result<Draft, EnvelopeError> {
        Draft::new(account, Kind::new(Self::KIND)?, time, &self.to_map())
    }
}

/// The typed body of a valid message.
///
/// ```
/// use skylark::message::{validate, Authorization, Body, BodyKind, MemoryContext, React, Verdict};
/// use skylark::id::{AccountId, MessageId};
/// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
/// let like = React::like(MessageId::from_bytes([1; 32]))
///     .draft(AccountId::from_bytes([2; 32]), 0)?
///     .sign(&key)?;
/// let Verdict::Valid(valid) = validate(like, &MemoryContext::new(0, Authorization::Authorized))
/// else { panic!() };
/// assert!(matches!(valid.body(), Body::React(r) if r.emoji().is_none()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// `profile`
    Profile(Profile),
    /// `post`
    Post(Post),
    /// `edit`
    Edit(Edit),
    /// `delete`
    Delete(Target),
    /// `react`
    React(React),
    /// `unreact`
    Unreact(Target),
    /// `repost`
    Repost(Target),
    /// `unrepost`
    Unrepost(Target),
    /// `follow`
    Follow(Subject),
    /// `unfollow`
    Unfollow(Subject),
    /// `block`
    Block(Subject),
    /// `unblock`
    Unblock(Subject),
    /// `label`
    Label(Label),
    /// `gate`
    Gate(Gate),
    /// A key operation (`genesis`, `roots`, `delegate`, `revoke`, `enckey`): the body map, which
    /// follows the operation's schema (ACCT-1). Its effect on the account is the business of
    /// [`crate::account::Accounts`].
    Operation(Map),
    /// A kind that is not a core kind (EXT-1): the body map, untouched.
    Unknown(Map),
    /// A stripped remainder: the body has been dropped.
    Withheld,
}

/// What the body rules may know about the message beyond its body: the author (GRAPH-1) and the
/// time (LABEL-4). Builders have neither; drafting and validation have both.
#[derive(Clone, Copy)]
pub(crate) struct Author<'a> {
    pub(crate) account: &'a AccountId,
    pub(crate) time: u64,
}

/// The body rules of a core kind (step 1 of validation), or `None` for any other kind.
fn parse_core(
    kind: &str,
    map: &Map,
    author: Option<Author<'_>>,
) -> Option<Result<Body, ValidationError>> {
    let account = author.map(|a| a.account);
    Some(match kind {
        "profile" => Profile::parse(map).map(Body::Profile),
        "post" => Post::parse(map).map(Body::Post),
        "edit" => Edit::parse(map).map(Body::Edit),
        "delete" => Target::parse(map).map(Body::Delete),
        "react" => React::parse(map).map(Body::React),
        "unreact" => Target::parse(map).map(Body::Unreact),
        "repost" => Target::parse_repost(map).map(Body::Repost),
        "unrepost" => Target::parse(map).map(Body::Unrepost),
        "follow" => Subject::parse(map, account).map(Body::Follow),
        "unfollow" => Subject::parse(map, account).map(Body::Unfollow),
        "block" => Subject::parse(map, account).map(Body::Block),
        "unblock" => Subject::parse(map, account).map(Body::Unblock),
        "label" => Label::parse(map, author.map(|a| a.time)).map(Body::Label),
        "report" => Err(ValidationError::PublicReport),
        "gate" => Gate::parse(map).map(Body::Gate),
        kind if crate::account::is_operation_kind(kind) => {
            crate::account::check_operation_body(kind, map)
                .map(|()| Body::Operation(map.clone()))
                .map_err(ValidationError::Operation)
        }
        _ => return None,
    })
}

/// Step 1 of validation: the typed body of a message of `kind`.
pub(crate) fn parse_body(
    kind: &str,
    map: Map,
    author: Option<Author<'_>>,
) -> Result<Body, ValidationError> {
    parse_core(kind, &map, author).unwrap_or(Ok(Body::Unknown(map)))
}

/// The body rules that [`Draft::new`] applies: those of the kind, if it is a core kind.
pub(crate) fn check_draft_body(
    kind: &str,
    map: &Map,
    account: &AccountId,
    time: u64,
) -> Result<(), ValidationError> {
    match parse_core(kind, map, Some(Author { account, time })) {
        Some(result) => result.map(|_| ()),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests;
