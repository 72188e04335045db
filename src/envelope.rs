//! The signed envelope: the wire form of one Skylark message (`spec/04-envelope.md`).
//!
//! ```text
//! message = { ? "b": bstr,   ; body bytes: a Skylark CBOR map (absent in a stripped remainder)
//!             "h": bstr,     ; header bytes: a Skylark CBOR map, signed
//!             "s": bstr }    ; Ed25519 signature, 64 bytes
//! header  = { "v": 1, "key": bstr, "seq": uint, "acct": bstr, "body": bstr, "kind": text,
//!             ? "prev": bstr, "time": uint }
//! ```
//!
//! The signature covers `"skylark v1 message signature" || 0x00 || header bytes`; the message id is the
//! BLAKE3 `derive_key` hash of the header bytes; the header commits to the body by its hash. So a node can
//! drop the body of a deleted message and keep a remainder that still verifies, still has its id, and
//! still links its key's history through `seq` and `prev`.
//!
//! Types record what has been checked: [`Envelope`] is decoded (rules ENV-1 to ENV-12), and
//! [`SignedMessage`] is decoded, body-checked and signature-verified (ENV-13 and ENV-14). Only
//! [`Envelope::verify`] and [`Draft::sign`] make a [`SignedMessage`].
//!
//! ```
//! use skylark::cbor::{Map, Value};
//! use skylark::envelope::{Draft, Kind, SignedMessage};
//! use skylark::id::AccountId;
//! use skylark::keys::SecretKey;
//!
//! let key = SecretKey::from_seed([1; 32]);
//! let account = AccountId::from_bytes([0xaa; 32]);
//! let mut body = Map::new();
//! body.insert("text", Value::from("hello, world"));
//!
//! let first = Draft::new(account, Kind::new("post")?, 1_764_115_200_000, &body)?.sign(&key)?;
//! let second = Draft::new(account, Kind::new("post")?, 1_764_115_260_000, &body)?
//!     .after(&first)
//!     .sign(&key)?;
//! assert_eq!(second.header().seq(), 2);
//! assert_eq!(second.header().prev(), Some(first.id()));
//!
//! // What goes on the wire is bytes; what comes back is checked from those bytes alone.
//! let received = SignedMessage::from_bytes(second.as_bytes())?;
//! assert_eq!(received.id(), second.id());
//!
//! // The remainder without the body still verifies and keeps its id.
//! let remainder = SignedMessage::from_bytes(received.stripped().as_bytes())?;
//! assert!(remainder.body().is_none());
//! assert_eq!(remainder.id(), second.id());
//! # Ok::<(), skylark::envelope::EnvelopeError>(())
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::ops::Range;

use crate::cbor::{
    self, write_bytes, write_head, write_text, DecodeError, Item, Map, Reader, Value, MAJOR_MAP,
    MAJOR_UNSIGNED,
};
use crate::id::{body_hash, AccountId, MessageId};
use crate::keys::{
    CheckedBefore, Decompressed, KeyError, ParsedKey, Pending, PublicKey, SecretKey, Signature,
    SignatureError,
};
use crate::message::ValidationError;

/// The protocol version this crate reads and writes (rule ENV-6).
pub const VERSION: u64 = 1;

/// The largest message, in bytes (rule ENV-1).
pub const MAX_MESSAGE_SIZE: usize = 65_536;

/// The largest sequence number and the latest time in milliseconds: 2^53 − 1, the largest integer
/// every JSON and JavaScript implementation holds exactly (rules ENV-8 and ENV-10).
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// The longest kind name, in bytes (rule ENV-11).
pub const MAX_KIND_LEN: usize = 128;

/// The signature context for messages: the signing input is this, a zero byte, and the header bytes.
pub const MESSAGE_SIGNATURE_CONTEXT: &str = "skylark v1 message signature";

/// Which byte string of a message a CBOR error was found in.
///
/// ```
/// assert_eq!(skylark::envelope::Part::Header.as_str(), "header");
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    /// The message as a whole.
    Message,
    /// The header bytes.
    Header,
    /// The body bytes.
    Body,
}

impl Part {
    /// The name the test vectors use: `message`, `header` or `body`.
    ///
    /// ```
    /// assert_eq!(skylark::envelope::Part::Body.as_str(), "body");
    /// ```
    pub fn as_str(&self) -> &'static str {
        match self {
            Part::Message => "message",
            Part::Header => "header",
            Part::Body => "body",
        }
    }
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why bytes are not a valid Skylark message, or why a draft cannot be signed.
///
/// ```
/// use skylark::envelope::{EnvelopeError, SignedMessage};
///
/// let err = SignedMessage::from_bytes(&[0xa0]).unwrap_err();
/// assert_eq!(err.code(), "env.missing_field");
/// assert_eq!(err.rule(), "ENV-3");
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// The message is longer than [`MAX_MESSAGE_SIZE`] (ENV-1).
    #[error("message of {len} bytes exceeds the limit of 65536 bytes")]
    TooLarge {
        /// The message's length.
        len: usize,
    },
    /// The message, its header or its body is not Skylark CBOR (ENV-2, ENV-4, ENV-12).
    #[error("{part} is not canonical CBOR: {error}")]
    Cbor {
        /// Where the defect is.
        part: Part,
        /// The defect.
        error: DecodeError,
    },
    /// The message or header is not a map, or a field has the wrong CBOR type (ENV-3, ENV-5).
    #[error("{part}: {} has the wrong type", field.unwrap_or("the item"))]
    WrongType {
        /// Message or header.
        part: Part,
        /// The field, or `None` when the item itself is not a map.
        field: Option<&'static str>,
    },
    /// A field the schema does not know (ENV-3, ENV-5).
    #[error("{part}: unknown field {field:?}")]
    UnknownField {
        /// Message or header.
        part: Part,
        /// The unknown key.
        field: String,
    },
    /// A required field is absent (ENV-3, ENV-5).
    #[error("{part}: missing field {field:?}")]
    MissingField {
        /// Message or header.
        part: Part,
        /// The missing key.
        field: &'static str,
    },
    /// A fixed-size byte string has the wrong length (ENV-3, ENV-5).
    #[error("{part}: field {field:?} is {found} bytes, not {expected}")]
    FieldLength {
        /// Message or header.
        part: Part,
        /// The field.
        field: &'static str,
        /// The required length.
        expected: usize,
        /// The length found.
        found: usize,
    },
    /// The version is not [`VERSION`] (ENV-6, checked right after the header is known to be a map).
    #[error("unsupported protocol version {version}")]
    UnsupportedVersion {
        /// The version found.
        version: u64,
    },
    /// The signing key is not an acceptable public key (ENV-7).
    #[error("signing key: {0}")]
    Key(KeyError),
    /// The sequence number is 0 or above [`MAX_SAFE_INTEGER`] (ENV-8).
    #[error("sequence number {seq} is out of range")]
    SeqOutOfRange {
        /// The sequence number found.
        seq: u64,
    },
    /// `seq` is above 1 but `prev` is absent (ENV-9).
    #[error("sequence number above 1 without a previous message id")]
    PrevMissing,
    /// `seq` is 1 but `prev` is present (ENV-9).
    #[error("first message of a key names a previous message")]
    PrevUnexpected,
    /// The time is above [`MAX_SAFE_INTEGER`] (ENV-10).
    #[error("time {time} is out of range")]
    TimeOutOfRange {
        /// The time found, in milliseconds.
        time: u64,
    },
    /// The kind does not follow the kind grammar (ENV-11).
    #[error("invalid kind name")]
    InvalidKind,
    /// The body is not a map (ENV-12).
    #[error("body is not a map")]
    BodyNotMap,
    /// The body's hash differs from the one in the header (ENV-13).
    #[error("body does not match the header's body hash")]
    BodyHashMismatch,
    /// The signature does not verify (ENV-14).
    #[error("signature: {0}")]
    Signature(SignatureError),
    /// A draft's body breaks a body rule of its core kind (the message layer, `spec/05-messages.md`).
    /// Only [`Draft::new`] reports it: verifying received bytes never looks at what a body means.
    #[error("body rule: {0}")]
    Body(ValidationError),
}

impl EnvelopeError {
    /// The stable error code. CBOR, key, signature and body errors keep their own codes.
    ///
    /// ```
    /// use skylark::envelope::SignedMessage;
    /// let err = SignedMessage::from_bytes(&[0xa0, 0x00]).unwrap_err();
    /// assert_eq!(err.code(), "cbor.trailing_bytes");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "env.too_large",
            Self::Cbor { error, .. } => error.code(),
            Self::WrongType { .. } => "env.wrong_type",
            Self::UnknownField { .. } => "env.unknown_field",
            Self::MissingField { .. } => "env.missing_field",
            Self::FieldLength { .. } => "env.field_length",
            Self::UnsupportedVersion { .. } => "env.unsupported_version",
            Self::Key(e) => e.code(),
            Self::SeqOutOfRange { .. } => "env.seq_out_of_range",
            Self::PrevMissing => "env.prev_missing",
            Self::PrevUnexpected => "env.prev_unexpected",
            Self::TimeOutOfRange { .. } => "env.time_out_of_range",
            Self::InvalidKind => "env.invalid_kind",
            Self::BodyNotMap => "env.body_not_map",
            Self::BodyHashMismatch => "env.body_hash_mismatch",
            Self::Signature(e) => e.code(),
            Self::Body(e) => e.code(),
        }
    }

    /// The ID of the envelope rule that failed. For CBOR, key and signature errors the inner error's
    /// `rule()` names the rule of that layer too; for body errors this is the body rule itself.
    ///
    /// ```
    /// use skylark::envelope::SignedMessage;
    /// assert_eq!(SignedMessage::from_bytes(&[0xf6]).unwrap_err().rule(), "ENV-2");
    /// ```
    pub fn rule(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "ENV-1",
            Self::Cbor { part, .. } => match part {
                Part::Message => "ENV-2",
                Part::Header => "ENV-4",
                Part::Body => "ENV-12",
            },
            Self::WrongType {
                part: Part::Header,
                field: Some("v"),
            }
            | Self::MissingField {
                part: Part::Header,
                field: "v",
            } => "ENV-6",
            Self::WrongType { part, .. }
            | Self::UnknownField { part, .. }
            | Self::MissingField { part, .. }
            | Self::FieldLength { part, .. } => match part {
                Part::Header => "ENV-5",
                _ => "ENV-3",
            },
            Self::UnsupportedVersion { .. } => "ENV-6",
            Self::Key(_) => "ENV-7",
            Self::SeqOutOfRange { .. } => "ENV-8",
            Self::PrevMissing | Self::PrevUnexpected => "ENV-9",
            Self::TimeOutOfRange { .. } => "ENV-10",
            Self::InvalidKind => "ENV-11",
            Self::BodyNotMap => "ENV-12",
            Self::BodyHashMismatch => "ENV-13",
            Self::Signature(_) => "ENV-14",
            Self::Body(e) => e.rule(),
        }
    }

    /// Where a CBOR error was found, for errors that have one.
    ///
    /// ```
    /// use skylark::envelope::{Part, SignedMessage};
    /// assert_eq!(SignedMessage::from_bytes(&[0xf6]).unwrap_err().part(), Some(Part::Message));
    /// ```
    pub fn part(&self) -> Option<Part> {
        match self {
            Self::Cbor { part, .. } => Some(*part),
            _ => None,
        }
    }
}

/// A message kind: 1 to 128 bytes, dot-separated segments of `a-z`, `0-9`, `_` and `-` (rule ENV-11).
///
/// Which kinds are core kinds and which are extensions is the business of the message layer; the
/// envelope only fixes the grammar.
///
/// ```
/// use skylark::envelope::Kind;
/// assert_eq!(Kind::new("com.example.poll")?.as_str(), "com.example.poll");
/// assert!(Kind::new("Post").is_err());
/// assert!(Kind::new("a..b").is_err());
/// # Ok::<(), skylark::envelope::EnvelopeError>(())
/// ```
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Kind(String);

fn kind_is_valid(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_KIND_LEN
        && s.split('.').all(|segment| {
            !segment.is_empty()
                && segment
                    .bytes()
                    .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-'))
        })
}

impl Kind {
    /// Checks a kind name against the grammar.
    ///
    /// # Errors
    ///
    /// [`EnvelopeError::InvalidKind`] when it does not follow the grammar.
    ///
    /// ```
    /// use skylark::envelope::Kind;
    /// assert!(Kind::new("app.v2.note-draft_1").is_ok());
    /// assert_eq!(Kind::new("").unwrap_err().code(), "env.invalid_kind");
    /// assert!(Kind::new(&"a".repeat(129)).is_err());
    /// ```
    pub fn new(name: &str) -> Result<Self, EnvelopeError> {
        if kind_is_valid(name) {
            Ok(Kind(name.into()))
        } else {
            Err(EnvelopeError::InvalidKind)
        }
    }

    /// The kind's name.
    ///
    /// ```
    /// assert_eq!(skylark::envelope::Kind::new("post")?.as_str(), "post");
    /// # Ok::<(), skylark::envelope::EnvelopeError>(())
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// The decoded fields of a header, as signed.
///
/// ```
/// use skylark::cbor::{Map, Value};
/// use skylark::envelope::{Draft, Kind};
/// use skylark::id::AccountId;
/// use skylark::keys::SecretKey;
///
/// let key = SecretKey::from_seed([1; 32]);
/// let mut body = Map::new();
/// body.insert("subject", Value::Bytes(vec![3; 32]));
/// let msg = Draft::new(AccountId::from_bytes([2; 32]), Kind::new("follow")?, 5, &body)?
///     .sign(&key)?;
/// let header = msg.header();
/// assert_eq!(header.kind().as_str(), "follow");
/// assert_eq!((header.seq(), header.prev(), header.time()), (1, None, 5));
/// assert_eq!(header.key(), &key.public_key());
/// # Ok::<(), skylark::envelope::EnvelopeError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Header {
    key: PublicKey,
    seq: u64,
    account: AccountId,
    body_hash: [u8; 32],
    kind: Kind,
    prev: Option<MessageId>,
    time: u64,
}

impl fmt::Debug for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Header")
            .field("key", &self.key)
            .field("seq", &self.seq)
            .field("account", &self.account)
            .field("kind", &self.kind)
            .field("prev", &self.prev)
            .field("time", &self.time)
            .finish_non_exhaustive()
    }
}

impl Header {
    /// The protocol version, always [`VERSION`].
    ///
    /// ```
    /// # let msg = skylark::envelope::Draft::new(skylark::id::AccountId::from_bytes([0; 32]),
    /// #     skylark::envelope::Kind::new("profile")?, 0, &skylark::cbor::Map::new())?
    /// #     .sign(&skylark::keys::SecretKey::from_seed([0; 32]))?;
    /// assert_eq!(msg.header().version(), 1);
    /// # Ok::<(), skylark::envelope::EnvelopeError>(())
    /// ```
    pub fn version(&self) -> u64 {
        VERSION
    }

    /// The key that signed the message.
    ///
    /// ```
    /// # let secret = skylark::keys::SecretKey::from_seed([0; 32]);
    /// # let msg = skylark::envelope::Draft::new(skylark::id::AccountId::from_bytes([0; 32]),
    /// #     skylark::envelope::Kind::new("profile")?, 0, &skylark::cbor::Map::new())?.sign(&secret)?;
    /// assert_eq!(msg.header().key(), &secret.public_key());
    /// # Ok::<(), skylark::envelope::EnvelopeError>(())
    /// ```
    pub fn key(&self) -> &PublicKey {
        &self.key
    }

    /// The message's place in its key's history, from 1.
    ///
    /// ```
    /// # let msg = skylark::envelope::Draft::new(skylark::id::AccountId::from_bytes([0; 32]),
    /// #     skylark::envelope::Kind::new("profile")?, 0, &skylark::cbor::Map::new())?
    /// #     .sign(&skylark::keys::SecretKey::from_seed([0; 32]))?;
    /// assert_eq!(msg.header().seq(), 1);
    /// # Ok::<(), skylark::envelope::EnvelopeError>(())
    /// ```
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// The author's account.
    ///
    /// ```
    /// # let msg = skylark::envelope::Draft::new(skylark::id::AccountId::from_bytes([3; 32]),
    /// #     skylark::envelope::Kind::new("profile")?, 0, &skylark::cbor::Map::new())?
    /// #     .sign(&skylark::keys::SecretKey::from_seed([0; 32]))?;
    /// assert_eq!(msg.header().account().as_bytes(), &[3; 32]);
    /// # Ok::<(), skylark::envelope::EnvelopeError>(())
    /// ```
    pub fn account(&self) -> &AccountId {
        &self.account
    }

    /// The hash of the body (rule ID-2).
    ///
    /// ```
    /// # let msg = skylark::envelope::Draft::new(skylark::id::AccountId::from_bytes([0; 32]),
    /// #     skylark::envelope::Kind::new("profile")?, 0, &skylark::cbor::Map::new())?
    /// #     .sign(&skylark::keys::SecretKey::from_seed([0; 32]))?;
    /// assert_eq!(msg.header().body_hash().len(), 32);
    /// # Ok::<(), skylark::envelope::EnvelopeError>(())
    /// ```
    pub fn body_hash(&self) -> &[u8; 32] {
        &self.body_hash
    }

    /// The message kind.
    ///
    /// ```
    /// # let msg = skylark::envelope::Draft::new(skylark::id::AccountId::from_bytes([0; 32]),
    /// #     skylark::envelope::Kind::new("profile")?, 0, &skylark::cbor::Map::new())?
    /// #     .sign(&skylark::keys::SecretKey::from_seed([0; 32]))?;
    /// assert_eq!(msg.header().kind().as_str(), "profile");
    /// # Ok::<(), skylark::envelope::EnvelopeError>(())
    /// ```
    pub fn kind(&self) -> &Kind {
        &self.kind
    }

    /// The id of the same key's previous message; `None` exactly when `seq` is 1.
    ///
    /// ```
    /// # let msg = skylark::envelope::Draft::new(skylark::id::AccountId::from_bytes([0; 32]),
    /// #     skylark::envelope::Kind::new("profile")?, 0, &skylark::cbor::Map::new())?
    /// #     .sign(&skylark::keys::SecretKey::from_seed([0; 32]))?;
    /// assert_eq!(msg.header().prev(), None);
    /// # Ok::<(), skylark::envelope::EnvelopeError>(())
    /// ```
    pub fn prev(&self) -> Option<MessageId> {
        self.prev
    }

    /// The time the author claims, in milliseconds since the Unix epoch.
    ///
    /// ```
    /// # let msg = skylark::envelope::Draft::new(skylark::id::AccountId::from_bytes([0; 32]),
    /// #     skylark::envelope::Kind::new("profile")?, 42, &skylark::cbor::Map::new())?
    /// #     .sign(&skylark::keys::SecretKey::from_seed([0; 32]))?;
    /// assert_eq!(msg.header().time(), 42);
    /// # Ok::<(), skylark::envelope::EnvelopeError>(())
    /// ```
    pub fn time(&self) -> u64 {
        self.time
    }

    /// The id of the message with this header. Header bytes are canonical, so encoding the decoded
    /// fields gives back exactly the bytes received, and their hash is the id (rule ID-1).
    pub(crate) fn id(&self) -> MessageId {
        MessageId::of_header(&self.encode())
    }

    /// The canonical header bytes.
    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(200 + self.kind.0.len());
        let entries = if self.prev.is_some() { 8 } else { 7 };
        write_head(&mut out, MAJOR_MAP, entries);
        write_text(&mut out, "v");
        write_head(&mut out, MAJOR_UNSIGNED, VERSION);
        write_text(&mut out, "key");
        write_bytes(&mut out, self.key.as_bytes());
        write_text(&mut out, "seq");
        write_head(&mut out, MAJOR_UNSIGNED, self.seq);
        write_text(&mut out, "acct");
        write_bytes(&mut out, self.account.as_bytes());
        write_text(&mut out, "body");
        write_bytes(&mut out, &self.body_hash);
        write_text(&mut out, "kind");
        write_text(&mut out, &self.kind.0);
        if let Some(prev) = &self.prev {
            write_text(&mut out, "prev");
            write_bytes(&mut out, prev.as_bytes());
        }
        write_text(&mut out, "time");
        write_head(&mut out, MAJOR_UNSIGNED, self.time);
        out
    }
}

/// The expected CBOR type of a schema field.
#[derive(Clone, Copy)]
enum FieldType {
    Uint,
    Text,
    Bytes,
    /// A byte string of exactly this length.
    FixedBytes(usize),
}

/// A field of a map schema; schemas list fields in canonical key order.
struct Field {
    name: &'static str,
    required: bool,
    ty: FieldType,
}

const fn field(name: &'static str, required: bool, ty: FieldType) -> Field {
    Field { name, required, ty }
}

const MESSAGE_FIELDS: [Field; 3] = [
    field("b", false, FieldType::Bytes),
    field("h", true, FieldType::Bytes),
    field("s", true, FieldType::FixedBytes(64)),
];

const HEADER_FIELDS: [Field; 8] = [
    field("v", true, FieldType::Uint),
    field("key", true, FieldType::FixedBytes(32)),
    field("seq", true, FieldType::Uint),
    field("acct", true, FieldType::FixedBytes(32)),
    field("body", true, FieldType::FixedBytes(32)),
    field("kind", true, FieldType::Text),
    field("prev", false, FieldType::FixedBytes(32)),
    field("time", true, FieldType::Uint),
];

/// A field's decoded value.
#[derive(Clone, Copy)]
enum FieldValue<'a> {
    Uint(u64),
    Text(&'a str),
    Bytes(&'a [u8]),
}

/// Decodes a map against a schema, in the spec's order of checks: the item is a map; every key is
/// known (first unknown key in encoded order); every required key is present (schema order); every
/// value has its type and size (encoded key order). `input` must already be Skylark CBOR.
fn decode_fields<'a, const N: usize>(
    input: &'a [u8],
    part: Part,
    schema: &[Field; N],
) -> Result<[Option<FieldValue<'a>>; N], EnvelopeError> {
    let cbor_error = |error| EnvelopeError::Cbor { part, error };
    let mut reader = Reader::new(input);
    let entries = match reader.head(false).map_err(cbor_error)? {
        Item::Map(n) => n,
        _ => return Err(EnvelopeError::WrongType { part, field: None }),
    };
    // Pass 1: where each known field's value is.
    let mut spans: [Option<Range<usize>>; N] = core::array::from_fn(|_| None);
    for _ in 0..entries {
        let (key, _) = reader.map_key(None).map_err(cbor_error)?;
        let index = match schema.iter().position(|f| f.name == key) {
            Some(i) => i,
            None => {
                return Err(EnvelopeError::UnknownField {
                    part,
                    field: key.into(),
                })
            }
        };
        let start = reader.position();
        reader.skip(2).map_err(cbor_error)?;
        spans[index] = Some(start..reader.position());
    }
    // Pass 2: required fields.
    for (f, span) in schema.iter().zip(&spans) {
        if f.required && span.is_none() {
            return Err(EnvelopeError::MissingField {
                part,
                field: f.name,
            });
        }
    }
    // Pass 3: types, in canonical (= schema) order.
    let mut values: [Option<FieldValue<'a>>; N] = [None; N];
    for ((f, span), value) in schema.iter().zip(spans).zip(values.iter_mut()) {
        let Some(span) = span else { continue };
        let wrong_type = EnvelopeError::WrongType {
            part,
            field: Some(f.name),
        };
        let item = Reader::new(&input[span]).head(false).map_err(cbor_error)?;
        *value = Some(match (f.ty, item) {
            (FieldType::Uint, Item::Unsigned(n)) => FieldValue::Uint(n),
            (FieldType::Text, Item::Text(t)) => FieldValue::Text(t),
            (FieldType::Bytes, Item::Bytes(b)) => FieldValue::Bytes(b),
            (FieldType::FixedBytes(n), Item::Bytes(b)) if b.len() == n => FieldValue::Bytes(b),
            (FieldType::FixedBytes(n), Item::Bytes(b)) => {
                return Err(EnvelopeError::FieldLength {
                    part,
                    field: f.name,
                    expected: n,
                    found: b.len(),
                })
            }
            _ => return Err(wrong_type),
        });
    }
    Ok(values)
}

/// ENV-6 to ENV-11 on a header's bytes (which passed ENV-4 and ENV-5's CBOR checks): the decoded
/// header, and its key as `parse_key` parsed it (ENV-7).
fn decode_header<K: ParsedKey>(
    header_bytes: &[u8],
    parse_key: impl FnOnce(&[u8; 32]) -> Result<K, KeyError>,
) -> Result<(Header, K), EnvelopeError> {
    // ENV-6 comes before the rest of ENV-5, so that a header of another version is reported as
    // such rather than as a v1 header with unknown or missing fields.
    check_version(header_bytes)?;
    let [_, key, seq, acct, body_hash, kind, prev, time] =
        decode_fields(header_bytes, Part::Header, &HEADER_FIELDS)?;
    // ENV-7
    let point = parse_key(&bytes32(key).unwrap_or_default()).map_err(EnvelopeError::Key)?;
    let key = point.public();
    // ENV-8, ENV-9
    let seq = uint(seq);
    if seq == 0 || seq > MAX_SAFE_INTEGER {
        return Err(EnvelopeError::SeqOutOfRange { seq });
    }
    let prev = bytes32(prev).map(MessageId::from_bytes);
    match (seq, prev) {
        (1, Some(_)) => return Err(EnvelopeError::PrevUnexpected),
        (2.., None) => return Err(EnvelopeError::PrevMissing),
        _ => {}
    }
    // ENV-10
    let time = uint(time);
    if time > MAX_SAFE_INTEGER {
        return Err(EnvelopeError::TimeOutOfRange { time });
    }
    // ENV-11
    let kind = match kind {
        Some(FieldValue::Text(k)) if kind_is_valid(k) => Kind(k.into()),
        _ => return Err(EnvelopeError::InvalidKind),
    };
    let header = Header {
        key,
        seq,
        account: AccountId::from_bytes(bytes32(acct).unwrap_or_default()),
        body_hash: bytes32(body_hash).unwrap_or_default(),
        kind,
        prev,
        time,
    };
    Ok((header, point))
}

/// Rule ENV-6, checked as soon as the header is known to be a map: the `"v"` field is present, an
/// unsigned integer, and [`VERSION`]. `header` must already be Skylark CBOR.
fn check_version(header: &[u8]) -> Result<(), EnvelopeError> {
    let part = Part::Header;
    let cbor_error = |error| EnvelopeError::Cbor { part, error };
    let mut reader = Reader::new(header);
    let entries = match reader.head(false).map_err(cbor_error)? {
        Item::Map(n) => n,
        _ => return Err(EnvelopeError::WrongType { part, field: None }),
    };
    for _ in 0..entries {
        let (key, _) = reader.map_key(None).map_err(cbor_error)?;
        if key == "v" {
            return match reader.head(false).map_err(cbor_error)? {
                Item::Unsigned(VERSION) => Ok(()),
                Item::Unsigned(version) => Err(EnvelopeError::UnsupportedVersion { version }),
                _ => Err(EnvelopeError::WrongType {
                    part,
                    field: Some("v"),
                }),
            };
        }
        reader.skip(2).map_err(cbor_error)?;
    }
    Err(EnvelopeError::MissingField { part, field: "v" })
}

fn uint(v: Option<FieldValue<'_>>) -> u64 {
    match v {
        Some(FieldValue::Uint(n)) => n,
        _ => 0,
    }
}

fn bytes32(v: Option<FieldValue<'_>>) -> Option<[u8; 32]> {
    match v {
        Some(FieldValue::Bytes(b)) => b.try_into().ok(),
        _ => None,
    }
}

/// Where `inner` (a subslice of `outer`) lies in `outer`.
fn span_of(outer: &[u8], inner: &[u8]) -> Range<usize> {
    let start = inner.as_ptr() as usize - outer.as_ptr() as usize;
    start..start + inner.len()
}

/// A decoded message whose signature has not been checked: rules ENV-1 to ENV-12 hold.
///
/// Nothing in an `Envelope` is vouched for by anyone. Call [`Envelope::verify`] to get a
/// [`SignedMessage`].
///
/// ```
/// use skylark::envelope::{Draft, Envelope, Kind};
/// # let msg = Draft::new(skylark::id::AccountId::from_bytes([0; 32]), Kind::new("profile")?, 0,
/// #     &skylark::cbor::Map::new())?.sign(&skylark::keys::SecretKey::from_seed([0; 32]))?;
/// let envelope = Envelope::decode(msg.as_bytes())?;
/// assert_eq!(envelope.id(), msg.id());
/// let verified = envelope.verify()?;
/// assert_eq!(verified.as_bytes(), msg.as_bytes());
/// # Ok::<(), skylark::envelope::EnvelopeError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Envelope {
    bytes: Vec<u8>,
    header_span: Range<usize>,
    body_span: Option<Range<usize>>,
    signature: Signature,
    header: Header,
    id: MessageId,
}

impl fmt::Debug for Envelope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Envelope")
            .field("id", &self.id)
            .field("header", &self.header)
            .field("stripped", &self.body_span.is_none())
            .finish_non_exhaustive()
    }
}

impl Envelope {
    /// Decodes message bytes and checks rules ENV-1 to ENV-12, in the spec's order.
    ///
    /// # Errors
    ///
    /// The first rule that fails, as an [`EnvelopeError`].
    ///
    /// ```
    /// use skylark::envelope::Envelope;
    /// assert_eq!(Envelope::decode(&[0x80]).unwrap_err().code(), "env.wrong_type");
    /// ```
    pub fn decode(bytes: &[u8]) -> Result<Self, EnvelopeError> {
        Self::decode_with(bytes, Decompressed::parse).map(|(envelope, _)| envelope)
    }

    /// [`Envelope::decode`], parsing the header's key with `parse_key`, which must decide exactly as
    /// [`PublicKey::from_bytes`] does (the batch path passes a [`crate::keys::KeyCache`]), and
    /// giving the key's point as well, for [`Envelope::prepare`].
    pub(crate) fn decode_with<K: ParsedKey>(
        bytes: &[u8],
        parse_key: impl FnOnce(&[u8; 32]) -> Result<K, KeyError>,
    ) -> Result<(Self, K), EnvelopeError> {
        // ENV-1, ENV-2
        if bytes.len() > MAX_MESSAGE_SIZE {
            return Err(EnvelopeError::TooLarge { len: bytes.len() });
        }
        if !K::CHECKED_BEFORE {
            cbor::check(bytes).map_err(|error| EnvelopeError::Cbor {
                part: Part::Message,
                error,
            })?;
        }
        // ENV-3
        let [body, header, signature] = decode_fields(bytes, Part::Message, &MESSAGE_FIELDS)?;
        let (Some(FieldValue::Bytes(header_bytes)), Some(FieldValue::Bytes(signature))) =
            (header, signature)
        else {
            return Err(EnvelopeError::MissingField {
                part: Part::Message,
                field: "h",
            });
        };
        let signature = Signature::from_slice(signature).map_err(EnvelopeError::Signature)?;
        // ENV-4, ENV-5
        if !K::CHECKED_BEFORE {
            cbor::check(header_bytes).map_err(|error| EnvelopeError::Cbor {
                part: Part::Header,
                error,
            })?;
        }
        let (header, point) = decode_header(header_bytes, parse_key)?;
        // ENV-12
        let body_span = match body {
            Some(FieldValue::Bytes(body)) => {
                if !K::CHECKED_BEFORE {
                    check_body(body)?;
                }
                Some(span_of(bytes, body))
            }
            _ => None,
        };
        let envelope = Envelope {
            id: MessageId::of_header(header_bytes),
            header_span: span_of(bytes, header_bytes),
            body_span,
            signature,
            header,
            bytes: bytes.into(),
        };
        Ok((envelope, point))
    }

    /// Checks the body against the header's hash (ENV-13) and the signature (ENV-14).
    ///
    /// # Errors
    ///
    /// [`EnvelopeError::BodyHashMismatch`] or [`EnvelopeError::Signature`].
    ///
    /// ```
    /// # use skylark::envelope::{Draft, Envelope, Kind};
    /// # let msg = Draft::new(skylark::id::AccountId::from_bytes([0; 32]), Kind::new("profile")?, 0,
    /// #     &skylark::cbor::Map::new())?.sign(&skylark::keys::SecretKey::from_seed([0; 32]))?;
    /// let mut bytes = msg.as_bytes().to_vec();
    /// let last = bytes.len() - 1;
    /// bytes[last] ^= 1; // the last byte of the signature
    /// let err = Envelope::decode(&bytes)?.verify().unwrap_err();
    /// assert_eq!(err.code(), "sig.mismatch");
    /// # Ok::<(), skylark::envelope::EnvelopeError>(())
    /// ```
    pub fn verify(self) -> Result<SignedMessage, EnvelopeError> {
        // The key passed SIG-2 to SIG-4 when the envelope was decoded; its point is computed again.
        let key = self.header.key.decompress().map_err(EnvelopeError::Key)?;
        self.verify_with(&key)
    }

    /// [`Envelope::verify`] with the header key's point at hand.
    pub(crate) fn verify_with(self, key: &Decompressed) -> Result<SignedMessage, EnvelopeError> {
        self.prepare(key)?
            .check()
            .map_err(EnvelopeError::Signature)?;
        Ok(SignedMessage(self))
    }

    /// ENV-13, and ENV-14 up to the equation of SIG-9 (SIG-6 to SIG-8 and the challenge), which
    /// the caller checks, alone or in a batch, before [`Envelope::into_verified`]. `key` is the
    /// header's key with its point.
    pub(crate) fn prepare(&self, key: &Decompressed) -> Result<Pending, EnvelopeError> {
        if let Some(body) = self.body() {
            if body_hash(body) != self.header.body_hash {
                return Err(EnvelopeError::BodyHashMismatch);
            }
        }
        key.prepare(
            &[
                MESSAGE_SIGNATURE_CONTEXT.as_bytes(),
                &[0],
                &self.bytes[self.header_span.clone()],
            ],
            &self.signature,
        )
        .map_err(EnvelopeError::Signature)
    }

    /// The verified message. Only for an envelope whose [`Envelope::prepare`] passed and whose
    /// signature equation then held.
    pub(crate) fn into_verified(self) -> SignedMessage {
        SignedMessage(self)
    }

    /// The message id (rule ID-1), computed from the header bytes as received.
    ///
    /// ```
    /// # use skylark::envelope::{Draft, Envelope, Kind};
    /// # let msg = Draft::new(skylark::id::AccountId::from_bytes([0; 32]), Kind::new("profile")?, 0,
    /// #     &skylark::cbor::Map::new())?.sign(&skylark::keys::SecretKey::from_seed([0; 32]))?;
    /// assert_eq!(Envelope::decode(msg.as_bytes())?.id(), msg.id());
    /// # Ok::<(), skylark::envelope::EnvelopeError>(())
    /// ```
    pub fn id(&self) -> MessageId {
        self.id
    }

    /// The decoded header: claims not yet backed by a verified signature.
    ///
    /// ```
    /// # use skylark::envelope::{Draft, Envelope, Kind};
    /// # let msg = Draft::new(skylark::id::AccountId::from_bytes([0; 32]), Kind::new("profile")?, 0,
    /// #     &skylark::cbor::Map::new())?.sign(&skylark::keys::SecretKey::from_seed([0; 32]))?;
    /// assert_eq!(Envelope::decode(msg.as_bytes())?.header().seq(), 1);
    /// # Ok::<(), skylark::envelope::EnvelopeError>(())
    /// ```
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The body bytes, or `None` for a stripped remainder.
    ///
    /// ```
    /// # use skylark::envelope::{Draft, Envelope, Kind};
    /// # let msg = Draft::new(skylark::id::AccountId::from_bytes([0; 32]), Kind::new("profile")?, 0,
    /// #     &skylark::cbor::Map::new())?.sign(&skylark::keys::SecretKey::from_seed([0; 32]))?;
    /// assert_eq!(Envelope::decode(msg.as_bytes())?.body(), Some(&[0xa0][..]));
    /// # Ok::<(), skylark::envelope::EnvelopeError>(())
    /// ```
    pub fn body(&self) -> Option<&[u8]> {
        self.body_span.clone().map(|span| &self.bytes[span])
    }
}

fn check_body(body: &[u8]) -> Result<(), EnvelopeError> {
    cbor::check(body).map_err(|error| EnvelopeError::Cbor {
        part: Part::Body,
        error,
    })?;
    // A checked, non-empty item: its major type is in the first byte.
    if body.first().map(|b| b >> 5) != Some(MAJOR_MAP) {
        return Err(EnvelopeError::BodyNotMap);
    }
    Ok(())
}

/// A message whose bytes are canonical, whose body (if present) matches its header, and whose
/// signature verifies under the key named in its header: rules ENV-1 to ENV-14.
///
/// Whether that key may sign for the account, and whether the body is valid for its kind, are
/// decided by later layers.
///
/// ```
/// use skylark::envelope::SignedMessage;
/// # let msg = skylark::envelope::Draft::new(skylark::id::AccountId::from_bytes([0; 32]),
/// #     skylark::envelope::Kind::new("profile")?, 0, &skylark::cbor::Map::new())?
/// #     .sign(&skylark::keys::SecretKey::from_seed([0; 32]))?;
/// let received = SignedMessage::from_bytes(msg.as_bytes())?;
/// assert_eq!(received, msg);
/// # Ok::<(), skylark::envelope::EnvelopeError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct SignedMessage(Envelope);

impl fmt::Debug for SignedMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedMessage")
            .field("id", &self.0.id)
            .field("header", &self.0.header)
            .field("stripped", &self.0.body_span.is_none())
            .finish_non_exhaustive()
    }
}

impl SignedMessage {
    /// Decodes and verifies message bytes: rules ENV-1 to ENV-14 in order.
    ///
    /// # Errors
    ///
    /// The first rule that fails, as an [`EnvelopeError`].
    ///
    /// ```
    /// use skylark::envelope::SignedMessage;
    /// assert_eq!(SignedMessage::from_bytes(&[]).unwrap_err().code(), "cbor.truncated");
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, EnvelopeError> {
        let (envelope, key) = Envelope::decode_with(bytes, Decompressed::parse)?;
        envelope.verify_with(&key)
    }

    /// The message these bytes are, taken from [`SignedMessage::as_bytes`] of a message verified
    /// before: decoded again, without checking again what was checked then (the canonical
    /// encoding, the key's decompression, the body hash and the signature). For holding many
    /// messages as their bytes only.
    pub(crate) fn from_verified_bytes(bytes: &[u8]) -> Result<Self, EnvelopeError> {
        let (envelope, _) = Envelope::decode_with(bytes, |key| Ok(CheckedBefore::new(key)))?;
        Ok(envelope.into_verified())
    }

    /// The header of a message's bytes that [`SignedMessage::from_verified_bytes`] would accept,
    /// without what else it computes (the id, a copy of the bytes): the replica reads the headers
    /// of the messages it holds this way.
    pub(crate) fn header_of_verified_bytes(bytes: &[u8]) -> Result<Header, EnvelopeError> {
        let [_, header, _] = decode_fields(bytes, Part::Message, &MESSAGE_FIELDS)?;
        let Some(FieldValue::Bytes(header_bytes)) = header else {
            return Err(EnvelopeError::MissingField {
                part: Part::Message,
                field: "h",
            });
        };
        decode_header(header_bytes, |key| Ok(CheckedBefore::new(key))).map(|(header, _)| header)
    }

    /// The message bytes, exactly as received or signed.
    ///
    /// ```
    /// # let msg = skylark::envelope::Draft::new(skylark::id::AccountId::from_bytes([0; 32]),
    /// #     skylark::envelope::Kind::new("profile")?, 0, &skylark::cbor::Map::new())?
    /// #     .sign(&skylark::keys::SecretKey::from_seed([0; 32]))?;
    /// assert_eq!(msg.as_bytes()[0], 0xa3); // a map of three entries: "b", "h", "s"
    /// # Ok::<(), skylark::envelope::EnvelopeError>(())
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        &self.0.bytes
    }

    /// The message id (rule ID-1).
    ///
    /// ```
    /// # let msg = skylark::envelope::Draft::new(skylark::id::AccountId::from_bytes([0; 32]),
    /// #     skylark::envelope::Kind::new("profile")?, 0, &skylark::cbor::Map::new())?
    /// #     .sign(&skylark::keys::SecretKey::from_seed([0; 32]))?;
    /// assert_eq!(msg.id(), skylark::id::MessageId::of_header(msg.header_bytes()));
    /// # Ok::<(), skylark::envelope::EnvelopeError>(())
    /// ```
    pub fn id(&self) -> MessageId {
        self.0.id
    }

    /// The verified header.
    ///
    /// ```
    /// # let msg = skylark::envelope::Draft::new(skylark::id::AccountId::from_bytes([0; 32]),
    /// #     skylark::envelope::Kind::new("profile")?, 0, &skylark::cbor::Map::new())?
    /// #     .sign(&skylark::keys::SecretKey::from_seed([0; 32]))?;
    /// assert_eq!(msg.header().kind().as_str(), "profile");
    /// # Ok::<(), skylark::envelope::EnvelopeError>(())
    /// ```
    pub fn header(&self) -> &Header {
        &self.0.header
    }

    /// The header bytes: what the signature and the id cover.
    ///
    /// ```
    /// # let msg = skylark::envelope::Draft::new(skylark::id::AccountId::from_bytes([0; 32]),
    /// #     skylark::envelope::Kind::new("profile")?, 0, &skylark::cbor::Map::new())?
    /// #     .sign(&skylark::keys::SecretKey::from_seed([0; 32]))?;
    /// assert_eq!(msg.header_bytes()[0], 0xa7); // seven fields: no "prev" in a first message
    /// # Ok::<(), skylark::envelope::EnvelopeError>(())
    /// ```
    pub fn header_bytes(&self) -> &[u8] {
        &self.0.bytes[self.0.header_span.clone()]
    }

    /// The body bytes (a Skylark CBOR map matching the header's hash), or `None` for a stripped
    /// remainder.
    ///
    /// ```
    /// # let msg = skylark::envelope::Draft::new(skylark::id::AccountId::from_bytes([0; 32]),
    /// #     skylark::envelope::Kind::new("profile")?, 0, &skylark::cbor::Map::new())?
    /// #     .sign(&skylark::keys::SecretKey::from_seed([0; 32]))?;
    /// assert_eq!(msg.body(), Some(&[0xa0][..]));
    /// assert_eq!(msg.stripped().body(), None);
    /// # Ok::<(), skylark::envelope::EnvelopeError>(())
    /// ```
    pub fn body(&self) -> Option<&[u8]> {
        self.0.body()
    }

    /// The body decoded as a map, or `None` for a stripped remainder.
    ///
    /// ```
    /// # let msg = skylark::envelope::Draft::new(skylark::id::AccountId::from_bytes([0; 32]),
    /// #     skylark::envelope::Kind::new("profile")?, 0, &skylark::cbor::Map::new())?
    /// #     .sign(&skylark::keys::SecretKey::from_seed([0; 32]))?;
    /// assert_eq!(msg.body_map(), Some(skylark::cbor::Map::new()));
    /// # Ok::<(), skylark::envelope::EnvelopeError>(())
    /// ```
    pub fn body_map(&self) -> Option<Map> {
        // The body passed ENV-12 when this message was made, so it decodes to a map.
        match cbor::decode(self.body()?) {
            Ok(Value::Map(map)) => Some(map),
            _ => None,
        }
    }

    /// The signature.
    ///
    /// ```
    /// # let secret = skylark::keys::SecretKey::from_seed([0; 32]);
    /// # let msg = skylark::envelope::Draft::new(skylark::id::AccountId::from_bytes([0; 32]),
    /// #     skylark::envelope::Kind::new("profile")?, 0, &skylark::cbor::Map::new())?.sign(&secret)?;
    /// let mut input = skylark::envelope::MESSAGE_SIGNATURE_CONTEXT.as_bytes().to_vec();
    /// input.push(0);
    /// input.extend_from_slice(msg.header_bytes());
    /// assert_eq!(secret.public_key().verify(&input, &msg.signature()), Ok(()));
    /// # Ok::<(), skylark::envelope::EnvelopeError>(())
    /// ```
    pub fn signature(&self) -> Signature {
        self.0.signature
    }

    /// Whether the body has been dropped.
    ///
    /// ```
    /// # let msg = skylark::envelope::Draft::new(skylark::id::AccountId::from_bytes([0; 32]),
    /// #     skylark::envelope::Kind::new("profile")?, 0, &skylark::cbor::Map::new())?
    /// #     .sign(&skylark::keys::SecretKey::from_seed([0; 32]))?;
    /// assert!(!msg.is_stripped());
    /// assert!(msg.stripped().is_stripped());
    /// # Ok::<(), skylark::envelope::EnvelopeError>(())
    /// ```
    pub fn is_stripped(&self) -> bool {
        self.0.body_span.is_none()
    }

    /// The remainder of this message without its body: the same header bytes and signature, so the
    /// same id, still verifiable and still linking the key's history. This is what a node keeps of a
    /// deleted message.
    ///
    /// ```
    /// # let msg = skylark::envelope::Draft::new(skylark::id::AccountId::from_bytes([0; 32]),
    /// #     skylark::envelope::Kind::new("profile")?, 0, &skylark::cbor::Map::new())?
    /// #     .sign(&skylark::keys::SecretKey::from_seed([0; 32]))?;
    /// let remainder = msg.stripped();
    /// assert_eq!(remainder.id(), msg.id());
    /// assert!(remainder.as_bytes().len() < msg.as_bytes().len());
    /// # Ok::<(), skylark::envelope::EnvelopeError>(())
    /// ```
    pub fn stripped(&self) -> SignedMessage {
        assemble(
            self.header_bytes(),
            None,
            self.0.signature,
            self.0.header.clone(),
            self.0.id,
        )
    }
}

/// Lays out `{ ? "b": body, "h": header, "s": signature }` and records where each part is.
fn assemble(
    header_bytes: &[u8],
    body: Option<&[u8]>,
    signature: Signature,
    header: Header,
    id: MessageId,
) -> SignedMessage {
    let mut bytes = Vec::with_capacity(header_bytes.len() + body.map_or(0, <[u8]>::len) + 80);
    write_head(&mut bytes, MAJOR_MAP, if body.is_some() { 3 } else { 2 });
    let body_span = body.map(|body| {
        write_text(&mut bytes, "b");
        write_bytes(&mut bytes, body);
        bytes.len() - body.len()..bytes.len()
    });
    write_text(&mut bytes, "h");
    write_bytes(&mut bytes, header_bytes);
    let header_span = bytes.len() - header_bytes.len()..bytes.len();
    write_text(&mut bytes, "s");
    write_bytes(&mut bytes, &signature.to_bytes());
    SignedMessage(Envelope {
        bytes,
        header_span,
        body_span,
        signature,
        header,
        id,
    })
}

/// A message being written: everything but the key, which [`Draft::sign`] supplies.
///
/// The constructor and setters check every rule that a signer controls, so a draft that signs is a
/// message that every node accepts at the envelope layer.
///
/// ```
/// use skylark::cbor::{Map, Value};
/// use skylark::envelope::{Draft, EnvelopeError, Kind};
/// use skylark::id::{AccountId, MessageId};
/// use skylark::keys::SecretKey;
///
/// let account = AccountId::from_bytes([1; 32]);
/// let draft = Draft::new(account, Kind::new("profile")?, 1_000, &Map::new())?;
/// // A sequence number above 1 needs the previous message's id.
/// assert_eq!(draft.clone().at(2, None).unwrap_err(), EnvelopeError::PrevMissing);
/// let msg = draft.at(2, Some(MessageId::from_bytes([9; 32])))?.sign(&SecretKey::from_seed([1; 32]))?;
/// assert_eq!(msg.header().seq(), 2);
/// # Ok::<(), EnvelopeError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Draft {
    account: AccountId,
    kind: Kind,
    time: u64,
    seq: u64,
    prev: Option<MessageId>,
    body: Vec<u8>,
}

impl Draft {
    /// A draft of a key's first message (sequence number 1) with the given body. Use
    /// [`Draft::after`] or [`Draft::at`] to place it later in the key's history.
    ///
    /// # Errors
    ///
    /// [`EnvelopeError::TimeOutOfRange`] for a time above [`MAX_SAFE_INTEGER`];
    /// [`EnvelopeError::Cbor`] with [`Part::Body`] if the body nests deeper than
    /// [`crate::cbor::MAX_DEPTH`]; [`EnvelopeError::TooLarge`] if it could never fit in a message;
    /// [`EnvelopeError::Body`] if `kind` is one of the [`crate::message::CORE_KINDS`] and the body
    /// breaks one of its rules (those that do not depend on other messages), so that an invalid
    /// core body cannot be signed. Other kinds' bodies are any map.
    ///
    /// ```
    /// use skylark::envelope::{Draft, Kind};
    /// let err = Draft::new(skylark::id::AccountId::from_bytes([0; 32]), Kind::new("post")?,
    ///     u64::MAX, &skylark::cbor::Map::new()).unwrap_err();
    /// assert_eq!(err.code(), "env.time_out_of_range");
    /// // A post needs content: the message layer's body rules apply to core kinds.
    /// let err = Draft::new(skylark::id::AccountId::from_bytes([0; 32]), Kind::new("post")?,
    ///     0, &skylark::cbor::Map::new()).unwrap_err();
    /// assert_eq!((err.code(), err.rule()), ("msg.empty_post", "POST-1"));
    /// // Other kinds' bodies are any map.
    /// assert!(Draft::new(skylark::id::AccountId::from_bytes([0; 32]), Kind::new("com.example.ping")?,
    ///     0, &skylark::cbor::Map::new()).is_ok());
    /// # Ok::<(), skylark::envelope::EnvelopeError>(())
    /// ```
    pub fn new(
        account: AccountId,
        kind: Kind,
        time: u64,
        body: &Map,
    ) -> Result<Self, EnvelopeError> {
        if time > MAX_SAFE_INTEGER {
            return Err(EnvelopeError::TimeOutOfRange { time });
        }
        let map = body;
        let body = map.to_bytes();
        if body.len() > MAX_MESSAGE_SIZE {
            return Err(EnvelopeError::TooLarge { len: body.len() });
        }
        check_body(&body)?;
        // The message layer's rules for core kinds. The map's iteration order is the encoded
        // order, so the checks meet the fields exactly as a receiver decoding `body` would.
        crate::message::check_draft_body(kind.as_str(), map, &account, time)
            .map_err(EnvelopeError::Body)?;
        Ok(Draft {
            account,
            kind,
            time,
            seq: 1,
            prev: None,
            body,
        })
    }

    /// Places the draft right after `previous`: sequence number one higher, `prev` its id. The draft
    /// must then be signed with the key that signed `previous`.
    ///
    /// ```
    /// # use skylark::envelope::{Draft, Kind};
    /// # let key = skylark::keys::SecretKey::from_seed([0; 32]);
    /// # let account = skylark::id::AccountId::from_bytes([0; 32]);
    /// # let body = skylark::cbor::Map::new();
    /// let first = Draft::new(account, Kind::new("profile")?, 1, &body)?.sign(&key)?;
    /// let second = Draft::new(account, Kind::new("profile")?, 2, &body)?.after(&first).sign(&key)?;
    /// assert_eq!(second.header().prev(), Some(first.id()));
    /// # Ok::<(), skylark::envelope::EnvelopeError>(())
    /// ```
    pub fn after(mut self, previous: &SignedMessage) -> Self {
        // `previous` passed ENV-8, so its successor's number is at most 2^53; `sign` rejects 2^53.
        self.seq = previous.header().seq() + 1;
        self.prev = Some(previous.id());
        self
    }

    /// Places the draft at sequence number `seq`, after the message `prev` (which must be `None`
    /// exactly when `seq` is 1).
    ///
    /// # Errors
    ///
    /// [`EnvelopeError::SeqOutOfRange`], [`EnvelopeError::PrevMissing`] or
    /// [`EnvelopeError::PrevUnexpected`].
    ///
    /// ```
    /// # use skylark::envelope::{Draft, Kind, EnvelopeError};
    /// # let draft = Draft::new(skylark::id::AccountId::from_bytes([0; 32]), Kind::new("profile")?, 1,
    /// #     &skylark::cbor::Map::new())?;
    /// assert_eq!(draft.at(0, None).unwrap_err().code(), "env.seq_out_of_range");
    /// # Ok::<(), EnvelopeError>(())
    /// ```
    pub fn at(mut self, seq: u64, prev: Option<MessageId>) -> Result<Self, EnvelopeError> {
        check_position(seq, prev)?;
        self.seq = seq;
        self.prev = prev;
        Ok(self)
    }

    /// The header bytes this draft will have when `key` signs it: the bytes the signature covers,
    /// the message id hashes (ID-1) and a proof of work is computed over ([`crate::pow`]).
    ///
    /// ```
    /// # use skylark::envelope::{Draft, Kind};
    /// let key = skylark::keys::SecretKey::from_seed([0; 32]);
    /// let draft = Draft::new(skylark::id::AccountId::from_bytes([0; 32]), Kind::new("profile")?, 1,
    ///     &skylark::cbor::Map::new())?;
    /// let header = draft.header_bytes(&key.public_key());
    /// assert_eq!(draft.sign(&key)?.header_bytes(), &header[..]);
    /// # Ok::<(), skylark::envelope::EnvelopeError>(())
    /// ```
    pub fn header_bytes(&self, key: &PublicKey) -> Vec<u8> {
        Header {
            key: *key,
            seq: self.seq,
            account: self.account,
            body_hash: body_hash(&self.body),
            kind: self.kind.clone(),
            prev: self.prev,
            time: self.time,
        }
        .encode()
    }

    /// Signs the draft with `key`, which becomes the header's `key`.
    ///
    /// # Errors
    ///
    /// [`EnvelopeError::TooLarge`] when the message would exceed [`MAX_MESSAGE_SIZE`];
    /// [`EnvelopeError::SeqOutOfRange`] when [`Draft::after`] went past the last sequence number.
    ///
    /// ```
    /// use skylark::cbor::{Map, Value};
    /// use skylark::envelope::{Draft, Kind};
    /// let mut body = Map::new();
    /// body.insert("blob", Value::Bytes(vec![0; 70_000]));
    /// let err = Draft::new(skylark::id::AccountId::from_bytes([0; 32]), Kind::new("post")?, 1, &body)
    ///     .unwrap_err();
    /// assert_eq!(err.code(), "env.too_large");
    /// # Ok::<(), skylark::envelope::EnvelopeError>(())
    /// ```
    pub fn sign(self, key: &SecretKey) -> Result<SignedMessage, EnvelopeError> {
        check_position(self.seq, self.prev)?;
        let header = Header {
            key: key.public_key(),
            seq: self.seq,
            account: self.account,
            body_hash: body_hash(&self.body),
            kind: self.kind,
            prev: self.prev,
            time: self.time,
        };
        let header_bytes = header.encode();
        let signature = key.sign_in_context(MESSAGE_SIGNATURE_CONTEXT.as_bytes(), &header_bytes);
        let id = MessageId::of_header(&header_bytes);
        let message = assemble(&header_bytes, Some(&self.body), signature, header, id);
        if message.as_bytes().len() > MAX_MESSAGE_SIZE {
            return Err(EnvelopeError::TooLarge {
                len: message.as_bytes().len(),
            });
        }
        Ok(message)
    }
}

fn check_position(seq: u64, prev: Option<MessageId>) -> Result<(), EnvelopeError> {
    if seq == 0 || seq > MAX_SAFE_INTEGER {
        return Err(EnvelopeError::SeqOutOfRange { seq });
    }
    match (seq, prev) {
        (1, Some(_)) => Err(EnvelopeError::PrevUnexpected),
        (2.., None) => Err(EnvelopeError::PrevMissing),
        _ => Ok(()),
    }
}
