//! Why a message is invalid: [`ValidationError`], the field [`Path`] it names, and the authorization
//! denials of the accounts layer ([`AuthError`]).

use alloc::string::String;
use core::fmt;

use crate::envelope::Kind;
use crate::id::MessageId;

/// Where in a body a field is: the keys from the body's top level down, at most three deep (the
/// deepest field of any core kind is `embeds` → `thumb` → `alt`). List positions are not part of a
/// path.
///
/// ```
/// use skylark::message::{Post, ValidationError};
///
/// let err = Post::builder().text("").build().unwrap_err();
/// let ValidationError::TooShort { field } = err else { panic!() };
/// assert_eq!(field.segments(), ["text"]);
/// assert_eq!(field.to_string(), "text");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Path {
    segments: [&'static str; 3],
    len: usize,
}

impl Path {
    /// The body itself.
    pub(crate) const ROOT: Path = Path {
        segments: [""; 3],
        len: 0,
    };

    /// The field `name` inside this one. Paths never need more than three segments; a fourth would
    /// replace the third rather than fail.
    pub(crate) const fn child(self, name: &'static str) -> Path {
        let mut segments = self.segments;
        let len = if self.len < 3 { self.len + 1 } else { 3 };
        segments[len - 1] = name;
        Path { segments, len }
    }

    /// The keys, outermost first; empty for the body itself.
    ///
    /// ```
    /// use skylark::message::{Media, ValidationError};
    ///
    /// let err = Media::builder([0; 32], "image/png", 0).build().unwrap_err();
    /// let ValidationError::OutOfRange { field } = err else { panic!() };
    /// assert_eq!(field.segments(), ["size"]);
    /// ```
    pub fn segments(&self) -> &[&'static str] {
        &self.segments[..self.len]
    }

    /// The innermost key, or `None` for the body itself.
    ///
    /// ```
    /// use skylark::message::{Post, ValidationError};
    ///
    /// let err = Post::builder().text("hi").lang("e").build().unwrap_err();
    /// let ValidationError::InvalidLang { field } = err else { panic!() };
    /// assert_eq!(field.last(), Some("langs"));
    /// ```
    pub fn last(&self) -> Option<&'static str> {
        self.segments().last().copied()
    }
}

impl fmt::Display for Path {
    /// The keys joined by `.`, or `body` for the body itself.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.len == 0 {
            return f.write_str("body");
        }
        for (i, segment) in self.segments().iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            f.write_str(segment)?;
        }
        Ok(())
    }
}

impl fmt::Debug for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}

/// Why the accounts layer refuses a key for a message (rule MSG-3). Validation passes these through
/// unchanged as [`ValidationError::Auth`].
///
/// ```
/// use skylark::message::AuthError;
///
/// assert_eq!(AuthError::Revoked.code(), "auth.revoked");
/// assert_eq!(AuthError::from_code("auth.expired"), Some(AuthError::Expired));
/// assert_eq!(AuthError::Expired.rule(), "AUTH-5");
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum AuthError {
    /// The key was never delegated by the account (AUTH-3).
    #[error("key is not delegated by the account")]
    NotDelegated,
    /// The key's delegation does not cover this kind of message.
    #[error("message kind is outside the key's scope")]
    OutOfScope,
    /// The key's delegation had expired at the message's time.
    #[error("key delegation has expired")]
    Expired,
    /// The key was revoked before this message.
    #[error("key has been revoked")]
    Revoked,
    /// A root key signed an ordinary message; root keys sign only key operations (AUTH-2).
    #[error("root keys do not sign ordinary messages")]
    RootKeyMessage,
    /// The message claims a time before its key was delegated (AUTH-5).
    #[error("message time is before the key's delegation")]
    BeforeDelegation,
    /// The account is deactivated (06 §5.6, ACCT-11) and the message claims its effective time or
    /// a later one.
    #[error("the account is deactivated")]
    Deactivated,
    /// A key operation that is not a valid operation of its account (ACCT-1 to ACCT-9).
    #[error("invalid key operation: {0}")]
    Operation(crate::account::AccountError),
}

const AUTH_ERRORS: [AuthError; 7] = [
    AuthError::Deactivated,
    AuthError::RootKeyMessage,
    AuthError::NotDelegated,
    AuthError::OutOfScope,
    AuthError::Expired,
    AuthError::Revoked,
    AuthError::BeforeDelegation,
];

impl AuthError {
    /// The stable error code.
    ///
    /// ```
    /// assert_eq!(skylark::message::AuthError::OutOfScope.code(), "auth.out_of_scope");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotDelegated => "auth.not_delegated",
            Self::OutOfScope => "auth.out_of_scope",
            Self::Expired => "auth.expired",
            Self::Revoked => "auth.revoked",
            Self::RootKeyMessage => "auth.root_key_message",
            Self::BeforeDelegation => "auth.before_delegation",
            Self::Deactivated => "auth.deactivated",
            Self::Operation(e) => e.code(),
        }
    }

    /// The accounts-layer rule that denies the key (`spec/06-accounts.md`).
    ///
    /// ```
    /// assert_eq!(skylark::message::AuthError::NotDelegated.rule(), "AUTH-3");
    /// ```
    pub fn rule(&self) -> &'static str {
        match self {
            Self::RootKeyMessage => "AUTH-2",
            Self::NotDelegated => "AUTH-3",
            Self::OutOfScope => "AUTH-4",
            Self::BeforeDelegation | Self::Expired => "AUTH-5",
            Self::Revoked => "AUTH-6",
            Self::Deactivated => "ACCT-11",
            Self::Operation(e) => e.rule(),
        }
    }

    /// The denial with this `auth.*` code, as the test vectors spell it (operation errors have
    /// their own `acct.*` and `key.*` codes and are not looked up here).
    ///
    /// ```
    /// use skylark::message::AuthError;
    /// assert_eq!(AuthError::from_code("auth.root_key_message"), Some(AuthError::RootKeyMessage));
    /// assert_eq!(AuthError::from_code("msg.too_long"), None);
    /// ```
    pub fn from_code(code: &str) -> Option<Self> {
        AUTH_ERRORS.into_iter().find(|e| e.code() == code)
    }
}

/// Why a message is invalid at the message layer: a body rule of its kind (sections 1–2 of
/// `spec/05-messages.md`), or a check against the context (time, key authorization, history,
/// targets).
///
/// Several variants may share one code (the code is what the test vectors compare); the variant says
/// which rule fired, and [`ValidationError::rule`] names it.
///
/// ```
/// use skylark::message::{Post, ValidationError};
///
/// let err = Post::builder().build().unwrap_err();
/// assert_eq!(err, ValidationError::EmptyPost { kind: "post" });
/// assert_eq!(err.code(), "msg.empty_post");
/// assert_eq!(err.rule(), "POST-1");
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    /// A key without a `.` that the kind's schema does not know (MSG-1). Keys with a `.` are
    /// extensions and are ignored.
    #[error("unknown field {key:?} in {at}")]
    UnknownField {
        /// The map that holds the key.
        at: Path,
        /// The key.
        key: String,
    },
    /// A required field is absent (MSG-1).
    #[error("missing field {field}")]
    MissingField {
        /// The field.
        field: Path,
    },
    /// A field has the wrong CBOR type, or a byte string the wrong length (MSG-1).
    #[error("{field} has the wrong type")]
    WrongType {
        /// The field.
        field: Path,
    },
    /// A text is over its limit in UTF-8 bytes or in Unicode scalar values.
    #[error("{field} is too long")]
    TooLong {
        /// The field.
        field: Path,
    },
    /// A text that must not be empty is empty, or a list is present but empty.
    #[error("{field} is empty")]
    TooShort {
        /// The field.
        field: Path,
    },
    /// A list has more elements than allowed.
    #[error("{field} has too many elements")]
    TooMany {
        /// The field.
        field: Path,
    },
    /// An integer is outside its range.
    #[error("{field} is out of range")]
    OutOfRange {
        /// The field.
        field: Path,
    },
    /// A flag is `false`: flags are `true` or absent (LABEL-3).
    #[error("{field} is false: write a flag only when it is true")]
    NonCanonicalFlag {
        /// The field.
        field: Path,
    },
    /// A URL that is not `http://` or `https://` printable ASCII of at most 2048 bytes (MSG-5).
    #[error("{field} is not a valid URL")]
    InvalidUrl {
        /// The field.
        field: Path,
    },
    /// A language tag that does not follow the grammar (MSG-6).
    #[error("{field} holds an invalid language tag")]
    InvalidLang {
        /// The field.
        field: Path,
    },
    /// A list holds the same language tag (ignoring ASCII case, MSG-6) or label (POST-4) twice.
    #[error("{field} holds a duplicate")]
    Duplicate {
        /// The list.
        field: Path,
    },
    /// A media type that does not follow the grammar (MEDIA-2).
    #[error("{field} is not a valid media type")]
    InvalidMediaType {
        /// The field.
        field: Path,
    },
    /// A locator host that is not `https://` a lower-case DNS name with an optional port and nothing
    /// else (PROFILE-2).
    #[error("{field} holds a host that is not https://NAME[:PORT]")]
    InvalidHost {
        /// The list.
        field: Path,
    },
    /// A claimed name that is not a lower-case ASCII DNS name without IDNA A-labels (PROFILE-3).
    #[error("{field} is not a valid name")]
    InvalidName {
        /// The field.
        field: Path,
    },
    /// A profile avatar or banner whose media type is not `image/…` (PROFILE-1).
    #[error("{field} is not an image")]
    NotAnImage {
        /// The avatar or banner.
        field: Path,
    },
    /// Width without height or height without width, or an image or video without both (MEDIA-4).
    #[error(
        "{field}: width and height must both be given, and are required for images and videos"
    )]
    Dimensions {
        /// The media.
        field: Path,
    },
    /// A facet type other than `mention`, `link` and `tag` (FACET-1).
    #[error("facet {index}: unknown type")]
    InvalidFacetType {
        /// The facet's position in the list.
        index: usize,
    },
    /// A facet without exactly the one field its type needs (FACET-2).
    #[error("facet {index}: needs exactly the field of its type")]
    FacetFields {
        /// The facet's position in the list.
        index: usize,
    },
    /// A facet whose range is empty, reversed or past the end of the text (FACET-3).
    #[error("facet {index}: range outside the text")]
    FacetRange {
        /// The facet's position in the list.
        index: usize,
    },
    /// Facets without a text to point into (FACET-6).
    #[error("facets without text")]
    FacetsWithoutText,
    /// A facet range that splits a UTF-8 character (FACET-4).
    #[error("facet {index}: range splits a character")]
    FacetBoundary {
        /// The facet's position in the list.
        index: usize,
    },
    /// A facet that starts before the previous one ends (FACET-5).
    #[error("facet {index}: out of order or overlapping")]
    FacetOrder {
        /// The facet's position in the list.
        index: usize,
    },
    /// The eleventh mention facet of a post or edit (FACET-7): at most
    /// [`MAX_MENTIONS`](crate::message::MAX_MENTIONS) accounts are notified per message.
    #[error("facet {index}: more than 10 mentions")]
    TooManyMentions {
        /// The position in the list of the first mention over the cap.
        index: usize,
    },
    /// A tag that contains whitespace (FACET-2).
    #[error("facet {index}: tag contains whitespace")]
    InvalidTag {
        /// The facet's position in the list.
        index: usize,
    },
    /// A label value outside the vocabulary that is not a namespaced custom value, or a self-label
    /// outside the content-warning subset (LABEL-2).
    #[error("{field} is not a valid label")]
    InvalidLabel {
        /// The field.
        field: Path,
    },
    /// A post with none of text, embeds and quote (POST-1), or an edit with neither text nor
    /// embeds (EDIT-1).
    #[error("{kind} has no content")]
    EmptyPost {
        /// `"post"` or `"edit"`.
        kind: &'static str,
    },
    /// More than one link card among the embeds (POST-2).
    #[error("more than one link card")]
    TooManyCards,
    /// A post that names the version of a quote without quoting (POST-6): `quote_version` needs
    /// `quote`.
    #[error("quote_version without quote")]
    QuoteVersionWithoutQuote,
    /// An embed type other than `media` and `card` (POST-3).
    #[error("unknown embed type")]
    InvalidEmbedType,
    /// A reaction emoji with whitespace or control characters (REACT-1).
    #[error("emoji contains whitespace or control characters")]
    InvalidEmoji,
    /// A follow, unfollow, block or unblock of the author's own account (GRAPH-1).
    #[error("the subject is the author's own account")]
    SelfReference,
    /// A label or report with both or neither of `account` and `message` (LABEL-1, REPORT-2).
    #[error("{kind} needs exactly one of account and message")]
    Subject {
        /// `"label"` or `"report"`.
        kind: &'static str,
    },
    /// A report reason outside the list (REPORT-1).
    #[error("unknown report reason")]
    InvalidReason,
    /// A gate audience outside the list, or `nobody` with another audience (GATE-1).
    #[error("{field} holds an invalid audience")]
    InvalidAudience {
        /// The list: `reply` or `quote`.
        field: Path,
    },
    /// The message claims a time more than ten minutes after now (MSG-2).
    #[error("time {time} is more than 10 minutes after now ({now})")]
    TimeInFuture {
        /// The message's time, in milliseconds.
        time: u64,
        /// The context's current time, in milliseconds.
        now: u64,
    },
    /// The previous message of the same key is later than this one (MSG-4).
    #[error("previous message {prev} is later than this one")]
    TimeRegression {
        /// The previous message.
        prev: MessageId,
    },
    /// The previous message was signed by another key (MSG-4).
    #[error("previous message {prev} was signed by another key")]
    PrevKeyMismatch {
        /// The previous message.
        prev: MessageId,
    },
    /// The previous message's sequence number is not one less than this one's (MSG-4).
    #[error("previous message {prev} does not have the preceding sequence number")]
    PrevSeqMismatch {
        /// The previous message.
        prev: MessageId,
    },
    /// An edit, delete, unreact, unrepost or gate names a message of another account (EDIT-2,
    /// EDIT-3, DELETE-1, UNDO-1, GATE-2).
    #[error("{kind}: {field} {target} belongs to another account")]
    NotOwnTarget {
        /// This message's kind.
        kind: &'static str,
        /// The body field that names the target: `"target"` or `"replaces"`.
        field: &'static str,
        /// The target.
        target: MessageId,
    },
    /// An edit, delete, unreact, unrepost or gate names a message of a kind it cannot act on
    /// (EDIT-2, EDIT-3, DELETE-1, UNDO-1, GATE-2).
    #[error("{kind}: {field} {target} is a {found} message")]
    TargetKind {
        /// This message's kind.
        kind: &'static str,
        /// The body field that names the target: `"target"` or `"replaces"`.
        field: &'static str,
        /// The target.
        target: MessageId,
        /// The target's kind.
        found: Kind,
    },
    /// An edit, delete, unreact, unrepost or gate names a message whose time is later than its own
    /// (EDIT-2, EDIT-3, DELETE-1, UNDO-1, GATE-2): no back-dating into newer content.
    #[error("{kind}: {field} {target} is newer than this message")]
    TargetNewer {
        /// This message's kind.
        kind: &'static str,
        /// The body field that names the target: `"target"` or `"replaces"`.
        field: &'static str,
        /// The target.
        target: MessageId,
    },
    /// An edit, delete, unreact, unrepost or gate names a message of the account signed by another
    /// key, and the signing key does not hold the capability `cap:others` (EDIT-2, EDIT-3,
    /// DELETE-1, UNDO-1, GATE-2).
    #[error("{kind}: {field} {target} was signed by another key, and this key may not act on it")]
    OtherKeyTarget {
        /// This message's kind.
        kind: &'static str,
        /// The body field that names the target: `"target"` or `"replaces"`.
        field: &'static str,
        /// The target.
        target: MessageId,
    },
    /// The accounts layer refuses the signing key (MSG-3).
    #[error("key authorization: {0}")]
    Auth(AuthError),
    /// The body of a key operation breaks the operation's schema (ACCT-1).
    #[error("key operation: {0}")]
    Operation(crate::account::AccountError),
    /// A public message of kind `dm`: direct messages travel only sealed and are never public
    /// messages (spec 08, DM-14).
    #[error("a direct message is never a public message")]
    PrivateKind,
    /// A public message of kind `report`: a report travels sealed to its moderation service and
    /// is never a public message (REPORT-3).
    #[error("a report is never a public message")]
    PublicReport,
}

impl ValidationError {
    /// The stable error code, as used by the spec and the test vectors.
    ///
    /// ```
    /// use skylark::message::{AuthError, ValidationError};
    /// assert_eq!(ValidationError::TooManyCards.code(), "msg.too_many");
    /// assert_eq!(ValidationError::Auth(AuthError::Revoked).code(), "auth.revoked");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownField { .. } => "msg.unknown_field",
            Self::MissingField { .. } | Self::QuoteVersionWithoutQuote => "msg.missing_field",
            Self::WrongType { .. } => "msg.wrong_type",
            Self::TooLong { .. } => "msg.too_long",
            Self::TooShort { .. } => "msg.too_short",
            Self::TooMany { .. } | Self::TooManyCards => "msg.too_many",
            Self::OutOfRange { .. } => "msg.out_of_range",
            Self::NonCanonicalFlag { .. } => "msg.non_canonical_flag",
            Self::InvalidUrl { .. } => "msg.invalid_url",
            Self::InvalidHost { .. } => "msg.invalid_host",
            Self::InvalidName { .. } => "msg.invalid_name",
            Self::InvalidLang { .. } => "msg.invalid_lang",
            Self::Duplicate { .. } => "msg.duplicate",
            Self::InvalidMediaType { .. } | Self::NotAnImage { .. } => "msg.invalid_media_type",
            Self::Dimensions { .. } => "msg.dimensions",
            Self::InvalidFacetType { .. } => "msg.invalid_facet_type",
            Self::FacetFields { .. } => "msg.facet_fields",
            Self::FacetRange { .. } | Self::FacetsWithoutText => "msg.facet_range",
            Self::FacetBoundary { .. } => "msg.facet_boundary",
            Self::FacetOrder { .. } => "msg.facet_order",
            Self::TooManyMentions { .. } => "msg.too_many_mentions",
            Self::InvalidTag { .. } => "msg.invalid_tag",
            Self::InvalidLabel { .. } => "msg.invalid_label",
            Self::EmptyPost { .. } => "msg.empty_post",
            Self::InvalidEmbedType => "msg.invalid_embed_type",
            Self::InvalidEmoji => "msg.invalid_emoji",
            Self::SelfReference => "msg.self_reference",
            Self::Subject { .. } => "msg.subject",
            Self::InvalidReason => "msg.invalid_reason",
            Self::InvalidAudience { .. } => "msg.invalid_audience",
            Self::TimeInFuture { .. } => "msg.time_in_future",
            Self::TimeRegression { .. } => "msg.time_regression",
            Self::PrevKeyMismatch { .. } => "msg.prev_key_mismatch",
            Self::PrevSeqMismatch { .. } => "msg.prev_seq_mismatch",
            Self::NotOwnTarget { .. } => "msg.not_own_target",
            Self::TargetKind { .. } => "msg.target_kind",
            Self::TargetNewer { .. } => "msg.target_newer",
            Self::OtherKeyTarget { .. } => "msg.other_key_target",
            Self::Auth(e) => e.code(),
            Self::Operation(e) => e.code(),
            Self::PrivateKind => "dm.not_public",
            Self::PublicReport => "msg.public_report",
        }
    }

    /// The ID of the spec rule that failed.
    ///
    /// Schema constraints without a rule of their own (field types, text and list limits) are
    /// MSG-1; limits that belong to a numbered rule name it (for example MEDIA-5 for alt text).
    ///
    /// ```
    /// use skylark::message::{Post, ValidationError};
    /// let err = Post::builder().text("x".repeat(1001)).build().unwrap_err();
    /// assert_eq!((err.code(), err.rule()), ("msg.too_long", "MSG-1"));
    /// ```
    pub fn rule(&self) -> &'static str {
        match self {
            Self::UnknownField { .. } | Self::MissingField { .. } | Self::WrongType { .. } => {
                "MSG-1"
            }
            // DECISION: text limits are schema rules (MSG-1) except those a numbered rule states:
            // alt text (MEDIA-5), reaction emoji (REACT-1) and facet tags (FACET-2, "the field its
            // type needs").
            Self::TooLong { field } | Self::TooShort { field } => match field.last() {
                Some("alt") => "MEDIA-5",
                Some("emoji") => "REACT-1",
                Some("tag") => "FACET-2",
                _ => "MSG-1",
            },
            Self::TooMany { .. } => "MSG-1",
            Self::OutOfRange { field } => match field.last() {
                Some("size") => "MEDIA-3",
                Some("width" | "height") => "MEDIA-4",
                Some("expires") => "LABEL-4",
                _ => "MSG-1",
            },
            Self::NonCanonicalFlag { .. } => "LABEL-3",
            Self::InvalidUrl { .. } => "MSG-5",
            Self::InvalidLang { .. } => "MSG-6",
            Self::Duplicate { field } => match field.last() {
                Some("labels") => "POST-4",
                Some("hosts") => "PROFILE-2",
                Some("reply" | "quote" | "hidden") => "GATE-1",
                _ => "MSG-6",
            },
            Self::InvalidMediaType { .. } => "MEDIA-2",
            Self::NotAnImage { .. } => "PROFILE-1",
            Self::InvalidHost { .. } => "PROFILE-2",
            Self::InvalidName { .. } => "PROFILE-3",
            Self::Dimensions { .. } => "MEDIA-4",
            Self::InvalidFacetType { .. } => "FACET-1",
            Self::FacetFields { .. } | Self::InvalidTag { .. } => "FACET-2",
            Self::FacetRange { .. } => "FACET-3",
            Self::FacetBoundary { .. } => "FACET-4",
            Self::FacetOrder { .. } => "FACET-5",
            Self::FacetsWithoutText => "FACET-6",
            Self::TooManyMentions { .. } => "FACET-7",
            Self::InvalidLabel { .. } => "LABEL-2",
            Self::EmptyPost { kind: "edit" } => "EDIT-1",
            Self::EmptyPost { .. } => "POST-1",
            Self::QuoteVersionWithoutQuote => "POST-6",
            Self::TooManyCards => "POST-2",
            Self::InvalidEmbedType => "POST-3",
            Self::InvalidEmoji => "REACT-1",
            Self::SelfReference => "GRAPH-1",
            Self::Subject { kind: "report" } => "REPORT-2",
            Self::Subject { .. } => "LABEL-1",
            Self::InvalidReason => "REPORT-1",
            Self::InvalidAudience { .. } => "GATE-1",
            Self::TimeInFuture { .. } => "MSG-2",
            Self::TimeRegression { .. }
            | Self::PrevKeyMismatch { .. }
            | Self::PrevSeqMismatch { .. } => "MSG-4",
            Self::NotOwnTarget { kind, field, .. }
            | Self::TargetKind { kind, field, .. }
            | Self::TargetNewer { kind, field, .. }
            | Self::OtherKeyTarget { kind, field, .. } => match (*kind, *field) {
                ("edit", "replaces") => "EDIT-3",
                ("edit", _) => "EDIT-2",
                ("delete", _) => "DELETE-1",
                ("gate", _) => "GATE-2",
                _ => "UNDO-1",
            },
            // Validation fails on MSG-3; the denial's own rule (AUTH-n) is `AuthError::rule`.
            Self::Auth(_) => "MSG-3",
            Self::Operation(e) => e.rule(),
            Self::PrivateKind => "DM-14",
            Self::PublicReport => "REPORT-3",
        }
    }
}
