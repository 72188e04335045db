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
/// assert_eq!(json["summary"].as_object().map(|m| m.len()), Some(13));
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
