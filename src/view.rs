//! A JSON-friendly view of messages, verdicts and merged state, for apps and tools (cargo feature
//! `serde`).
//!
//! **A view is not the signed form.** The signed, canonical form of a message is its bytes
//! ([`SignedMessage::as_bytes`]); they are what is hashed, signed, stored and sent. A view is a
//! read-only rendering of those bytes for display, debugging and other languages: byte strings are
//! lower-case hex, identifiers and keys are in their text forms (`msg_…`, `acct_…`, `pub_…`,
//! `sig_…`), and nothing here can be decoded back into a message. To send or check a message, use
//! its bytes.
//!
//! The views borrow what they show and implement [`serde::Serialize`]; serialize them with any serde
//! format (`serde_json::to_string(&MessageView::new(&msg))`).
//!
//! | view | shows |
//! |---|---|
//! | [`MessageView`] | header fields, id, signature, size, and the body (`null` when stripped) |
//! | [`VerdictView`] | `valid`, or `invalid` with its `code` and `rule`, or `undecided` with what is `missing` |
//! | [`StateView`] | the merge summary (MERGE-11) at a time, and its digest |
//!
//! Integers are JSON numbers, except negative integers below −2⁶³, which are decimal strings. In a
//! body, a 32-byte string in a field that names a message, an account or a key in a core
//! kind (`target`, `quote`, `reply.root`, `subject`, `app`, `roots`, …) is shown in that id's text
//! form; every other byte string, and every byte string of an extension kind, is hex.
//!
//! ```
//! use skylark::message::{BodyKind, Post, Reply};
//! use skylark::view::MessageView;
//! # let key = skylark::keys::SecretKey::from_seed([1; 32]);
//! # let alice = skylark::id::AccountId::from_bytes([0xaa; 32]);
//! # let post = Post::builder().text("first").build()?.draft(alice, 1_000)?.sign(&key)?;
//! let reply = Post::builder().text("hi").reply(Reply::new(post.id(), post.id())).build()?
//!     .draft(alice, 2_000)?.after(&post).sign(&key)?;
//!
//! let json: serde_json::Value = serde_json::to_value(MessageView::new(&reply))?;
//! assert_eq!(json["kind"], "post");
//! assert_eq!(json["seq"], 2);
//! assert_eq!(json["id"], reply.id().to_string());
//! assert_eq!(json["body"]["text"], "hi");
//! assert_eq!(json["body"]["reply"]["parent"], post.id().to_string());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use alloc::string::{String, ToString};
use core::fmt::Write as _;

use serde::ser::{SerializeMap, SerializeSeq, SerializeStruct, Serializer};
use serde::Serialize;

use crate::account::is_operation_kind;
use crate::cbor::Value;
use crate::envelope::SignedMessage;
use crate::merge::State;
use crate::message::{Missing, Verdict, CORE_KINDS};
use crate::replica::Status;

/// Lower-case hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(2 * bytes.len());
    for b in bytes {
        // Writing to a String cannot fail.
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// The text-form prefix of a body field that holds an id in a core kind, if it is one.
fn id_prefix(field: &str) -> Option<&'static str> {
    Some(match field {
        "target" | "quote" | "replaces" | "message" | "root" | "parent" | "after" | "id"
        | "version" | "quote_version" => "msg",
        "subject" | "account" | "service" => "acct",
        "app" | "roots" => "pub",
        _ => return None,
    })
}

/// A CBOR value as JSON-friendly data. `prefix` is the id text form of 32-byte strings here.
struct Json<'a> {
    value: &'a Value,
    prefix: Option<&'static str>,
    /// Whether field names decide id forms (core kinds only).
    core: bool,
}

impl Serialize for Json<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.value {
            Value::Unsigned(n) => s.serialize_u64(*n),
            // Below i64::MIN, many JSON readers (and serde_json's `Value`) have no number: a string.
            Value::Negative(n) => match i64::try_from(*n) {
                Ok(n) => s.serialize_i64(-1 - n),
                Err(_) => s.serialize_str(&(-1 - i128::from(*n)).to_string()),
            },
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Text(t) => s.serialize_str(t),
            Value::Bytes(b) => match (self.prefix, <[u8; 32]>::try_from(b.as_slice())) {
                (Some(prefix), Ok(bytes)) => {
                    s.serialize_str(&crate::id::to_text_form(prefix, &bytes))
                }
                _ => s.serialize_str(&hex(b)),
            },
            Value::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&Json {
                        value: item,
                        prefix: self.prefix,
                        core: self.core,
                    })?;
                }
                seq.end()
            }
            Value::Map(map) => {
                let mut out = s.serialize_map(Some(map.len()))?;
                for (key, value) in map.iter() {
                    let prefix = if self.core { id_prefix(key) } else { None };
                    out.serialize_entry(
                        key,
                        &Json {
                            value,
                            prefix,
                            core: self.core,
                        },
                    )?;
                }
                out.end()
            }
        }
    }
}

/// A read-only JSON-friendly view of a verified message: its header fields, id, signature and body.
/// Not the signed form, and not decodable back into a message (see the [module docs](self)).
///
/// Fields: `id`, `version`, `kind`, `account`, `key`, `seq`, `prev` (`null` for a first message),
/// `time`, `body_hash` (hex), `signature` (`sig_…`), `size` (bytes), `stripped`, and `body` (an
/// object, or `null` for a stripped remainder).
///
/// ```
/// use skylark::message::{BodyKind, Follow};
/// use skylark::view::MessageView;
/// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
/// let (alice, bob) = (skylark::id::AccountId::from_bytes([1; 32]), skylark::id::AccountId::from_bytes([2; 32]));
/// let follow = Follow::new(bob).draft(alice, 5)?.sign(&key)?;
///
/// let json = serde_json::to_value(MessageView::new(&follow))?;
/// assert_eq!(json["body"]["subject"], bob.to_string());
/// assert_eq!(json["prev"], serde_json::Value::Null);
/// let stripped = serde_json::to_value(MessageView::new(&follow.stripped()))?;
/// assert_eq!((stripped["stripped"].as_bool(), stripped["body"].is_null()), (Some(true), true));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct MessageView<'a> {
    message: &'a SignedMessage,
}

impl<'a> MessageView<'a> {
    /// The view of `message`.
    ///
    /// ```
    /// # use skylark::message::{BodyKind, Post};
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let msg = Post::builder().text("hi").build()?.draft(skylark::id::AccountId::from_bytes([1; 32]), 0)?.sign(&key)?;
    /// let json = serde_json::to_string(&skylark::view::MessageView::new(&msg))?;
    /// assert!(json.starts_with(r#"{"id":"msg_"#));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(message: &'a SignedMessage) -> Self {
        MessageView { message }
    }
}

impl Serialize for MessageView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let m = self.message;
        let h = m.header();
        let kind = h.kind().as_str();
        let mut out = s.serialize_struct("MessageView", 13)?;
        out.serialize_field("id", &m.id().to_string())?;
        out.serialize_field("version", &h.version())?;
        out.serialize_field("kind", kind)?;
        out.serialize_field("account", &h.account().to_string())?;
        out.serialize_field("key", &h.key().to_string())?;
        out.serialize_field("seq", &h.seq())?;
        out.serialize_field("prev", &h.prev().map(|p| p.to_string()))?;
        out.serialize_field("time", &h.time())?;
        out.serialize_field("body_hash", &hex(h.body_hash()))?;
        out.serialize_field("signature", &m.signature().to_string())?;
        out.serialize_field("size", &m.as_bytes().len())?;
        out.serialize_field("stripped", &m.is_stripped())?;
        let body = m.body_map().map(Value::Map);
        let core = CORE_KINDS.contains(&kind) || is_operation_kind(kind);
        out.serialize_field(
            "body",
            &body.as_ref().map(|value| Json {
                value,
                prefix: None,
                core,
            }),
        )?;
        out.end()
    }
}

/// A read-only view of a [`Verdict`]: `{"verdict": "valid"}`,
/// `{"verdict": "invalid", "code": …, "rule": …, "message": …}` or
/// `{"verdict": "undecided", "missing": [{"what": "key_authorization"}, {"what": "message", "id":
/// "msg_…"}, {"what": "account", "id": "acct_…"}, …]}`, in the order validation asked for them.
///
/// ```
/// use skylark::message::{validate, Authorization, BodyKind, MemoryContext, Missing, Post};
/// use skylark::view::VerdictView;
/// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
/// # let msg = Post::builder().text("hi").build()?.draft(skylark::id::AccountId::from_bytes([1; 32]), 0)?.sign(&key)?;
/// let verdict = validate(msg, &MemoryContext::new(0, Authorization::Unknown(Missing::KeyAuthorization)));
/// let json = serde_json::to_value(VerdictView::new(&verdict))?;
/// assert_eq!(json, serde_json::json!({"verdict": "undecided", "missing": [{"what": "key_authorization"}]}));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct VerdictView<'a> {
    verdict: &'a Verdict,
}

impl<'a> VerdictView<'a> {
    /// The view of `verdict`.
    ///
    /// ```
    /// # use skylark::message::{validate, Authorization, BodyKind, MemoryContext, Post};
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let msg = Post::builder().text("hi").build()?.draft(skylark::id::AccountId::from_bytes([1; 32]), 0)?.sign(&key)?;
    /// let verdict = validate(msg, &MemoryContext::new(0, Authorization::Authorized));
    /// let json = serde_json::to_string(&skylark::view::VerdictView::new(&verdict))?;
    /// assert_eq!(json, r#"{"verdict":"valid"}"#);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(verdict: &'a Verdict) -> Self {
        VerdictView { verdict }
    }
}

impl Serialize for VerdictView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.verdict {
            Verdict::Valid(_) => {
                let mut out = s.serialize_struct("VerdictView", 1)?;
                out.serialize_field("verdict", "valid")?;
                out.end()
            }
            Verdict::Invalid(e) => {
                let mut out = s.serialize_struct("VerdictView", 4)?;
                out.serialize_field("verdict", "invalid")?;
                out.serialize_field("code", e.code())?;
                out.serialize_field("rule", e.rule())?;
                out.serialize_field("message", &e.to_string())?;
                out.end()
            }
            Verdict::Undecided(missing) => {
                let mut out = s.serialize_struct("VerdictView", 2)?;
                out.serialize_field("verdict", "undecided")?;
                let missing: alloc::vec::Vec<MissingView<'_>> =
                    missing.iter().map(MissingView).collect();
                out.serialize_field("missing", &missing)?;
                out.end()
            }
        }
    }
}

/// One missing item: `{"what": "key_authorization"}`, `{"what": "message", "id": "msg_…"}` or
/// `{"what": "account", "id": "acct_…"}` or `{"what": "body"}` (the message's own body, MSG-7).
struct MissingView<'a>(&'a Missing);

impl Serialize for MissingView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (what, id) = match self.0 {
            Missing::KeyAuthorization => ("key_authorization", None),
            Missing::Message(id) => ("message", Some(id.to_string())),
            Missing::Account(id) => ("account", Some(id.to_string())),
            Missing::Body => ("body", None),
        };
        let mut out = s.serialize_map(Some(1 + usize::from(id.is_some())))?;
        out.serialize_entry("what", what)?;
        if let Some(id) = id {
            out.serialize_entry("id", &id)?;
        }
        out.end()
    }
}

/// A read-only view of a merged [`State`] at time `now`: `{"now": …, "digest": hex, "summary":
/// {…}}`, where `summary` is the canonical summary of MERGE-11 ([`State::summary`]) with byte
/// strings in hex. The digest, not this view, is what two nodes compare.
///
/// ```
/// use skylark::merge::State;
/// use skylark::view::StateView;
///
/// let state = State::new();
/// let json = serde_json::to_value(StateView::new(&state, 0))?;
/// assert_eq!(json["summary"].as_object().map(|m| m.len()), Some(12));
/// assert_eq!(json["digest"].as_str().map(str::len), Some(64));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct StateView<'a> {
    state: &'a State,
    now: u64,
}

impl<'a> StateView<'a> {
    /// The view of `state` at `now` (milliseconds since the Unix epoch; it decides which labels
    /// have expired).
    ///
    /// ```
    /// let state = skylark::merge::State::new();
    /// let json = serde_json::to_value(skylark::view::StateView::new(&state, 7))?;
    /// assert_eq!(json["now"], 7);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(state: &'a State, now: u64) -> Self {
        StateView { state, now }
    }
}

impl Serialize for StateView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let summary = self.state.summary(self.now);
        let mut out = s.serialize_struct("StateView", 3)?;
        out.serialize_field("now", &self.now)?;
        out.serialize_field("digest", &hex(&self.state.digest(self.now)))?;
        out.serialize_field(
            "summary",
            &Json {
                value: &summary,
                prefix: None,
                core: false,
            },
        )?;
        out.end()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use crate::account::Operation;
    use crate::cbor::Map;
    use crate::envelope::{Draft, Kind};
    use crate::id::AccountId;
    use crate::keys::SecretKey;
    use crate::message::{validate, Authorization, BodyKind, Follow, MemoryContext, Post, React};
    use serde_json::json;

    fn to_json(v: impl Serialize) -> serde_json::Value {
        serde_json::to_value(v).unwrap()
    }

    #[test]
    fn header_fields_and_ids_in_text_form() {
        let key = SecretKey::from_seed([3; 32]);
        let alice = AccountId::from_bytes([0xaa; 32]);
        let post = Post::builder()
            .text("a \"quoted\" line\n")
            .lang("en")
            .build()
            .unwrap()
            .draft(alice, 1_000)
            .unwrap()
            .sign(&key)
            .unwrap();
        let like = React::like(post.id())
            .draft(alice, 2_000)
            .unwrap()
            .after(&post)
            .sign(&key)
            .unwrap();
        let v = to_json(MessageView::new(&like));
        assert_eq!(v["kind"], "react");
        assert_eq!(v["account"], alice.to_string());
        assert_eq!(v["key"], key.public_key().to_string());
        assert_eq!(
            (v["seq"].as_u64(), v["time"].as_u64()),
            (Some(2), Some(2_000))
        );
        assert_eq!(v["prev"], post.id().to_string());
        assert_eq!(v["body"], json!({"target": post.id().to_string()}));
        assert_eq!(v["size"].as_u64(), Some(like.as_bytes().len() as u64));
        assert_eq!(v["signature"], like.signature().to_string());
        assert_eq!(v["body_hash"].as_str().map(str::len), Some(64));
        let p = to_json(MessageView::new(&post));
        assert_eq!(p["body"]["text"], "a \"quoted\" line\n");
        assert_eq!(p["body"]["langs"], json!(["en"]));
    }

    #[test]
    fn extension_bytes_are_hex_and_negative_integers_exact() {
        let key = SecretKey::from_seed([4; 32]);
        let mut body = Map::new();
        body.insert("target", Value::from(&[7u8; 32][..]));
        body.insert("n", Value::Negative(u64::MAX));
        body.insert("m", Value::Negative(i64::MAX as u64));
        let msg = Draft::new(
            AccountId::from_bytes([1; 32]),
            Kind::new("com.example.poll").unwrap(),
            1,
            &body,
        )
        .unwrap()
        .sign(&key)
        .unwrap();
        let v = to_json(MessageView::new(&msg));
        // Not a core kind: field names mean nothing, bytes stay hex.
        assert_eq!(v["body"]["target"], "07".repeat(32));
        assert_eq!(v["body"]["n"], "-18446744073709551616");
        assert_eq!(v["body"]["m"], i64::MIN);
    }

    #[test]
    fn operation_keys_in_pub_form() {
        let (a, b) = (SecretKey::from_seed([5; 32]), SecretKey::from_seed([6; 32]));
        let genesis = Operation::genesis(&[a.public_key(), b.public_key()], 1)
            .unwrap()
            .accepted_by(&b)
            .unwrap()
            .sign(&a)
            .unwrap();
        let v = to_json(MessageView::new(&genesis));
        assert_eq!(
            v["body"]["roots"],
            json!([a.public_key().to_string(), b.public_key().to_string()])
        );
    }

    #[test]
    fn verdicts() {
        let key = SecretKey::from_seed([8; 32]);
        let me = AccountId::from_bytes([1; 32]);
        let follow = Follow::new(AccountId::from_bytes([2; 32]))
            .draft(me, 0)
            .unwrap()
            .sign(&key)
            .unwrap();
        let late = validate(
            follow.clone(),
            &MemoryContext::new(
                0,
                Authorization::Denied(crate::message::AuthError::NotDelegated),
            ),
        );
        let v = to_json(VerdictView::new(&late));
        assert_eq!(v["verdict"], "invalid");
        assert_eq!(v["code"], "auth.not_delegated");
        assert_eq!(v["rule"], "MSG-3");
        let undecided = validate(
            follow.clone(),
            &MemoryContext::new(0, Authorization::Unknown(Missing::Account(me))),
        );
        assert_eq!(
            to_json(VerdictView::new(&undecided)),
            json!({"verdict": "undecided", "missing": [{"what": "account", "id": me.to_string()}]})
        );
        let ok = validate(follow, &MemoryContext::new(0, Authorization::Authorized));
        assert_eq!(to_json(VerdictView::new(&ok)), json!({"verdict": "valid"}));
    }

    #[test]
    fn state_digest_matches_the_state() {
        let key = SecretKey::from_seed([9; 32]);
        let post = Post::builder()
            .text("x")
            .build()
            .unwrap()
            .draft(AccountId::from_bytes([1; 32]), 0)
            .unwrap()
            .sign(&key)
            .unwrap();
        let Verdict::Valid(valid) = validate(
            post.clone(),
            &MemoryContext::new(0, Authorization::Authorized),
        ) else {
            panic!()
        };
        let mut state = State::new();
        state.apply(&valid);
        let v = to_json(StateView::new(&state, 0));
        assert_eq!(v["digest"], hex(&state.digest(0)));
        assert_eq!(
            v["summary"]["posts"][post.id().to_string()]["state"],
            "live"
        );
    }
}

/// A read-only view of a held message's current [`Status`] in a [`crate::replica::Replica`], in
/// the shape of [`VerdictView`]: `{"verdict": "valid"}`, `{"verdict": "invalid", "code": …, "rule":
/// …, "message": …}` or `{"verdict": "undecided", "missing": [...]}`.
///
/// ```
/// use skylark::message::{Authorization, BodyKind, Post};
/// use skylark::replica::Replica;
/// use skylark::view::StatusView;
/// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
/// let post = Post::builder().text("hi").build()?.draft(skylark::id::AccountId::from_bytes([1; 32]), 0)?.sign(&key)?;
/// let mut replica = Replica::with_authorization(0, Authorization::Authorized);
/// let status = replica.ingest(post.as_bytes())?;
/// assert_eq!(serde_json::to_string(&StatusView::new(&status))?, r#"{"verdict":"valid"}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct StatusView<'a> {
    status: &'a Status,
}

impl<'a> StatusView<'a> {
    /// The view of `status`.
    ///
    /// ```
    /// let status = skylark::replica::Status::Undecided(vec![skylark::message::Missing::KeyAuthorization]);
    /// let json = serde_json::to_value(skylark::view::StatusView::new(&status))?;
    /// assert_eq!(json["verdict"], "undecided");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(status: &'a Status) -> Self {
        StatusView { status }
    }
}

impl Serialize for StatusView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.status {
            Status::Valid => {
                let mut out = s.serialize_struct("StatusView", 1)?;
                out.serialize_field("verdict", "valid")?;
                out.end()
            }
            Status::Invalid(e) => {
                let mut out = s.serialize_struct("StatusView", 4)?;
                out.serialize_field("verdict", "invalid")?;
                out.serialize_field("code", e.code())?;
                out.serialize_field("rule", e.rule())?;
                out.serialize_field("message", &e.to_string())?;
                out.end()
            }
            Status::Undecided(missing) => {
                let mut out = s.serialize_struct("StatusView", 2)?;
                out.serialize_field("verdict", "undecided")?;
                let missing: alloc::vec::Vec<MissingView<'_>> =
                    missing.iter().map(MissingView).collect();
                out.serialize_field("missing", &missing)?;
                out.end()
            }
        }
    }
}

/// One post as a replica shows it ([`crate::replica::PostView`]): `{"id", "author", "time",
/// "state": "live" | "deleted" | "withheld", "current", "text"?, "reply": {"root", "parent"}?,
/// "quote"?}`, ids in their text forms; with `extra` entries first (a thread's `parent` index and
/// `depth`).
struct PostJson<'a> {
    post: &'a crate::replica::PostView,
    extra: Option<(Option<usize>, usize)>,
}

impl Serialize for PostJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use crate::replica::PostState;
        let post = self.post;
        let mut out = s.serialize_map(None)?;
        if let Some((parent, depth)) = self.extra {
            out.serialize_entry("parent", &parent)?;
            out.serialize_entry("depth", &depth)?;
        }
        out.serialize_entry("id", &post.id.to_string())?;
        out.serialize_entry("author", &post.author.to_string())?;
        out.serialize_entry("time", &post.time)?;
        let state = match post.state {
            PostState::Live => "live",
            PostState::Deleted => "deleted",
            PostState::Withheld => "withheld",
        };
        out.serialize_entry("state", state)?;
        out.serialize_entry("current", &post.current.to_string())?;
        if let Some(text) = &post.text {
            out.serialize_entry("text", text)?;
        }
        if let Some(reply) = &post.reply {
            let mut map = alloc::collections::BTreeMap::new();
            map.insert("root", reply.root().to_string());
            map.insert("parent", reply.parent().to_string());
            out.serialize_entry("reply", &map)?;
        }
        if let Some(quote) = &post.quote {
            out.serialize_entry("quote", &quote.to_string())?;
        }
        out.end()
    }
}

/// A read-only view of a thread ([`crate::replica::Thread`]): `{"root": "msg_…", "entries": [...]}`,
/// each entry a post (see [`PageView`]) with the index of its `parent` entry (`null` for the root)
/// and its `depth`. Deleted replies stay, as placeholders without text.
///
/// ```
/// use skylark::message::{Authorization, BodyKind, Post, Reply};
/// use skylark::replica::Replica;
/// use skylark::view::ThreadView;
/// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
/// let alice = skylark::id::AccountId::from_bytes([1; 32]);
/// let root = Post::builder().text("root").build()?.draft(alice, 0)?.sign(&key)?;
/// let reply = Post::builder().text("re").reply(Reply::new(root.id(), root.id())).build()?;
/// let reply = reply.draft(alice, 1)?.after(&root).sign(&key)?;
/// let mut replica = Replica::with_authorization(1, Authorization::Authorized);
/// replica.ingest(root.as_bytes())?;
/// replica.ingest(reply.as_bytes())?;
/// let thread = replica.thread(&root.id()).expect("held");
/// let json = serde_json::to_value(ThreadView::new(&thread))?;
/// assert_eq!(json["entries"][1]["text"], "re");
/// assert_eq!(json["entries"][1]["parent"], 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ThreadView<'a> {
    thread: &'a crate::replica::Thread,
}

impl<'a> ThreadView<'a> {
    /// The view of `thread`.
    ///
    /// ```
    /// # use skylark::message::{Authorization, BodyKind, Post};
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let root = Post::builder().text("root").build()?.draft(skylark::id::AccountId::from_bytes([1; 32]), 0)?.sign(&key)?;
    /// # let mut replica = skylark::replica::Replica::with_authorization(1, Authorization::Authorized);
    /// # replica.ingest(root.as_bytes())?;
    /// let thread = replica.thread(&root.id()).expect("held");
    /// let json = serde_json::to_value(skylark::view::ThreadView::new(&thread))?;
    /// assert_eq!(json["root"], root.id().to_string());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(thread: &'a crate::replica::Thread) -> Self {
        ThreadView { thread }
    }
}

impl Serialize for ThreadView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Entries<'a>(&'a [crate::replica::ThreadEntry]);
        impl Serialize for Entries<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut out = s.serialize_seq(Some(self.0.len()))?;
                for entry in self.0 {
                    out.serialize_element(&PostJson {
                        post: &entry.post,
                        extra: Some((entry.parent, entry.depth)),
                    })?;
                }
                out.end()
            }
        }
        let mut out = s.serialize_struct("ThreadView", 2)?;
        let root = self.thread.entries.first().map(|e| e.post.id.to_string());
        out.serialize_field("root", &root)?;
        out.serialize_field("entries", &Entries(&self.thread.entries))?;
        out.end()
    }
}

/// A read-only view of a page of posts ([`crate::replica::Page`], a timeline or mentions):
/// `{"posts": [{"id", "author", "time", "state", "current", "text"?, "reply"?, "quote"?}, ...],
/// "next": {"time", "id"} | null}`.
///
/// ```
/// use skylark::message::{Authorization, BodyKind, Post};
/// use skylark::replica::Replica;
/// use skylark::view::PageView;
/// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
/// let alice = skylark::id::AccountId::from_bytes([1; 32]);
/// let post = Post::builder().text("hello").build()?.draft(alice, 0)?.sign(&key)?;
/// let mut replica = Replica::with_authorization(0, Authorization::Authorized);
/// replica.ingest(post.as_bytes())?;
/// let page = replica.timeline(&[alice], None, 10);
/// let json = serde_json::to_value(PageView::new(&page))?;
/// assert_eq!(json["posts"][0]["text"], "hello");
/// assert_eq!(json["posts"][0]["state"], "live");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct PageView<'a> {
    page: &'a crate::replica::Page,
}

impl<'a> PageView<'a> {
    /// The view of `page`.
    ///
    /// ```
    /// let page = skylark::replica::Replica::new(0).timeline(&[], None, 10);
    /// let json = serde_json::to_value(skylark::view::PageView::new(&page))?;
    /// assert_eq!(json, serde_json::json!({"posts": [], "next": null}));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(page: &'a crate::replica::Page) -> Self {
        PageView { page }
    }
}

impl Serialize for PageView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Posts<'a>(&'a [crate::replica::PostView]);
        impl Serialize for Posts<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut out = s.serialize_seq(Some(self.0.len()))?;
                for post in self.0 {
                    out.serialize_element(&PostJson { post, extra: None })?;
                }
                out.end()
            }
        }
        let mut out = s.serialize_struct("PageView", 2)?;
        out.serialize_field("posts", &Posts(&self.page.posts))?;
        struct Next(crate::replica::Cursor);
        impl Serialize for Next {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut out = s.serialize_map(Some(2))?;
                out.serialize_entry("time", &self.0.time())?;
                out.serialize_entry("id", &self.0.id().to_string())?;
                out.end()
            }
        }
        out.serialize_field("next", &self.page.next.map(Next))?;
        out.end()
    }
}
