//! `messages.json`: layer-2 validation of signed messages (kinds, bodies, time, key authorization,
//! history and lookups), written from the layer-2 design brief.
//!
//! Every input is a real, layer-1-valid signed envelope built with this crate's own CBOR writer, BLAKE3
//! and Ed25519 (fixed seeds derived from labels). Every expected outcome is DECLARED here, case by case,
//! from the brief: each case is built with one intended defect (or, for the precedence cases, with the
//! defects whose order the case is about), and the declared verdict is the one the brief's order gives.
//! No validator computes them; `tests/messages_reference.rs` re-derives every verdict with a small
//! validator written separately from the brief, so a wrong declaration fails the build.
//!
//! Keys: messages that are not part of a history are signed by a key of their own (seed derived from
//! the vector id), as that key's first message (seq 1, no prev), so no two vectors share a key position.
//! Vectors that need a history build one for a key of their own as well (`Hist`): alice's nine messages
//! (post, react, repost, edit, post, delete, profile, extension, edit) followed by the message under test
//! as seq 10 with prev = seq 9. Bob's history is shared (it only ever appears in `known`).

use crate::cbor::{diag, encode, m, t, Value};
use crate::ed::Key;
use crate::identifiers::{CTX_ACCOUNT, CTX_BODY, CTX_MESSAGE_ID};
use crate::util::{file, hex, obj, strs, J};

const SIG_PREFIX: &[u8] = b"skylark v1 message signature\0";
/// 2026-01-01T00:00:00Z in milliseconds: the time of the first message of every history.
pub const T0: u64 = 1_767_225_600_000;
const MIN: u64 = 60_000;
/// The default `now` of the context: one hour after `T0`.
pub const NOW: u64 = T0 + 60 * MIN;
/// MSG-2: allowed clock skew.
pub const SKEW: u64 = 600_000;
const MAX53: u64 = (1 << 53) - 1;

/// Every rule ID of the brief (section 4).
pub const RULES: &[&str] = &[
    "MSG-1",
    "MSG-2",
    "MSG-3",
    "MSG-4",
    "MSG-5",
    "MSG-6",
    "MSG-7",
    "MEDIA-1",
    "MEDIA-2",
    "MEDIA-3",
    "MEDIA-4",
    "MEDIA-5",
    "FACET-1",
    "FACET-2",
    "FACET-3",
    "FACET-4",
    "FACET-5",
    "FACET-6",
    "FACET-7",
    "PROFILE-1",
    "PROFILE-2",
    "PROFILE-3",
    "POST-1",
    "POST-2",
    "POST-3",
    "POST-4",
    "POST-5",
    "POST-6",
    "EDIT-1",
    "EDIT-2",
    "EDIT-3",
    "DELETE-1",
    "REACT-1",
    "UNDO-1",
    "GRAPH-1",
    "LABEL-1",
    "LABEL-2",
    "LABEL-3",
    "LABEL-4",
    "REPORT-1",
    "REPORT-2",
    "REPORT-3",
    "GATE-1",
    "GATE-2",
    "EXT-1",
    "POW-1",
    "POW-2",
    "POW-3",
    "POW-4",
];

/// The rules that look something up in the context (they also have undecided vectors).
pub const LOOKUP_RULES: &[&str] = &[
    "MSG-3", "MSG-4", "MSG-7", "EDIT-2", "EDIT-3", "DELETE-1", "UNDO-1", "GATE-2",
];

/// The control kinds (MSG-7): their stripped remainder is undecided, missing its body.
pub const CONTROL_KINDS: &[&str] = &[
    "profile", "edit", "delete", "unreact", "unrepost", "follow", "unfollow", "block", "unblock",
    "label", "gate",
];

/// Every msg.* error code of the brief (section 4).
pub const CODES: &[&str] = &[
    "msg.unknown_field",
    "msg.missing_field",
    "msg.wrong_type",
    "msg.too_long",
    "msg.too_short",
    "msg.too_many",
    "msg.out_of_range",
    "msg.non_canonical_flag",
    "msg.invalid_url",
    "msg.invalid_host",
    "msg.invalid_name",
    "msg.invalid_lang",
    "msg.duplicate",
    "msg.invalid_media_type",
    "msg.dimensions",
    "msg.invalid_facet_type",
    "msg.facet_fields",
    "msg.facet_range",
    "msg.facet_boundary",
    "msg.facet_order",
    "msg.too_many_mentions",
    "msg.invalid_tag",
    "msg.invalid_label",
    "msg.empty_post",
    "msg.invalid_embed_type",
    "msg.invalid_emoji",
    "msg.self_reference",
    "msg.subject",
    "msg.invalid_reason",
    "msg.public_report",
    "msg.invalid_audience",
    "msg.time_in_future",
    "msg.time_regression",
    "msg.prev_key_mismatch",
    "msg.prev_seq_mismatch",
    "msg.not_own_target",
    "msg.target_kind",
    "msg.target_newer",
    "msg.other_key_target",
];

/// The authorization denial codes (passed through by validation).
pub const AUTH_CODES: &[&str] = &[
    "auth.before_delegation",
    "auth.not_delegated",
    "auth.out_of_scope",
    "auth.expired",
    "auth.revoked",
    "auth.root_key_message",
];

/// The core kinds (section 2).
pub const CORE_KINDS: &[&str] = &[
    "profile", "post", "edit", "delete", "react", "unreact", "repost", "unrepost", "follow",
    "unfollow", "block", "unblock", "label", "report", "gate",
];

/// The rules an error code may be reported under (the first rule of an invalid vector must be one of
/// them): unknown/missing/wrong_type are MSG-1 (missing also POST-6, a `quote_version` without its
/// `quote`); bounds written in a schema are MSG-1 unless the
/// schema names another rule (alt MEDIA-5, facet tag FACET-2, emoji REACT-1); as in spec 05 §3.5, §10.
fn rules_for(code: &str) -> &'static [&'static str] {
    match code {
        "msg.unknown_field" | "msg.wrong_type" => &["MSG-1"],
        "msg.missing_field" => &["MSG-1", "POST-6"],
        "msg.too_long" | "msg.too_short" => &["MSG-1", "MEDIA-5", "FACET-2", "REACT-1"],
        "msg.too_many" => &["MSG-1", "POST-2"],
        "msg.out_of_range" => &["MEDIA-3", "MEDIA-4", "LABEL-4"],
        "msg.non_canonical_flag" => &["LABEL-3"],
        "msg.invalid_url" => &["MSG-5"],
        "msg.invalid_lang" => &["MSG-6"],
        "msg.duplicate" => &["MSG-6", "POST-4", "PROFILE-2", "GATE-1"],
        "msg.invalid_host" => &["PROFILE-2"],
        "msg.invalid_name" => &["PROFILE-3"],
        "msg.invalid_media_type" => &["MEDIA-2", "PROFILE-1"],
        "msg.dimensions" => &["MEDIA-4"],
        "msg.invalid_facet_type" => &["FACET-1"],
        "msg.facet_fields" | "msg.invalid_tag" => &["FACET-2"],
        "msg.facet_range" => &["FACET-3", "FACET-6"],
        "msg.facet_boundary" => &["FACET-4"],
        "msg.facet_order" => &["FACET-5"],
        "msg.too_many_mentions" => &["FACET-7"],
        "msg.invalid_label" => &["LABEL-2"],
        "msg.empty_post" => &["POST-1", "EDIT-1"],
        "msg.invalid_embed_type" => &["POST-3"],
        "msg.invalid_emoji" => &["REACT-1"],
        "msg.self_reference" => &["GRAPH-1"],
        "msg.subject" => &["LABEL-1", "REPORT-2"],
        "msg.invalid_reason" => &["REPORT-1"],
        "msg.public_report" => &["REPORT-3"],
        "msg.invalid_audience" => &["GATE-1"],
        "msg.time_in_future" => &["MSG-2"],
        "msg.time_regression" | "msg.prev_key_mismatch" | "msg.prev_seq_mismatch" => &["MSG-4"],
        "msg.not_own_target" | "msg.target_kind" | "msg.target_newer" | "msg.other_key_target" => {
            &["EDIT-2", "EDIT-3", "DELETE-1", "UNDO-1", "GATE-2"]
        }
        c if AUTH_CODES.contains(&c) => &["MSG-3"],
        c => panic!("unknown code {c}"),
    }
}

// ------------------------------------------------------------------------------------------------ values

fn u(n: u64) -> Value {
    Value::U(n)
}
fn b(x: &[u8]) -> Value {
    Value::B(x.to_vec())
}
fn a(items: Vec<Value>) -> Value {
    Value::A(items)
}
/// A copy of map `v` with key `k` set to `x` (added or replaced).
pub(crate) fn set(v: &Value, k: &str, x: Value) -> Value {
    let Value::M(entries) = v else {
        panic!("set on a non-map")
    };
    let mut e = entries.clone();
    match e.iter_mut().find(|(key, _)| key == k) {
        Some(entry) => entry.1 = x,
        None => e.push((k.to_string(), x)),
    }
    Value::M(e)
}
/// A copy of map `v` without key `k` (which must be there).
pub(crate) fn del(v: &Value, k: &str) -> Value {
    let Value::M(entries) = v else {
        panic!("del on a non-map")
    };
    let mut e = entries.clone();
    let before = e.len();
    e.retain(|(key, _)| key != k);
    assert_eq!(before, e.len() + 1, "no key {k}");
    Value::M(e)
}
/// A fixed random-looking 32-byte value.
pub(crate) fn rid(label: &str) -> Vec<u8> {
    blake3::derive_key("skylark test vectors v1 random", label.as_bytes()).to_vec()
}

/// A 4-byte UTF-8 character (U+1F600), a 3-byte one (U+8A9E), a 2-byte one (U+00E9), and a combining
/// mark (U+0301, 2 bytes) that joins the previous character into one grapheme.
const E4: &str = "\u{1F600}";
const C3: &str = "\u{8A9E}";
const E2: &str = "\u{E9}";
const ACUTE: &str = "\u{301}";

fn ascii(n: usize) -> String {
    "abcdefghijklmnopqrstuvwxyz"
        .chars()
        .cycle()
        .take(n)
        .collect()
}
fn rep(s: &str, n: usize) -> String {
    s.repeat(n)
}
fn scalars(s: &str) -> usize {
    s.chars().count()
}

// ------------------------------------------------------------------------------------------------ messages

/// An author: a signing key and an account id.
pub struct Party {
    pub key: Key,
    pub acct: Vec<u8>,
}

/// A signed message: full bytes, the stripped remainder, its id and what it was made from.
#[derive(Clone)]
pub struct Msg {
    pub full: Vec<u8>,
    pub stripped: Vec<u8>,
    /// The header bytes (the content of "h").
    pub header: Vec<u8>,
    pub id: Vec<u8>,
    pub kind: String,
    pub body: Value,
    pub time: u64,
    pub seq: u64,
}

fn valid_kind_grammar(k: &str) -> bool {
    (1..=128).contains(&k.len())
        && k.split('.').all(|s| {
            !s.is_empty()
                && s.bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_' || c == b'-')
        })
}

/// Signs a layer-1-valid message (asserting the layer-1 rules a caller could get wrong).
pub(crate) fn sign(
    key: &Key,
    acct: &[u8],
    seq: u64,
    prev: Option<&[u8]>,
    kind: &str,
    time: u64,
    body: Value,
) -> Msg {
    assert!((1..=MAX53).contains(&seq) && time <= MAX53);
    assert_eq!(seq > 1, prev.is_some(), "prev iff seq > 1");
    assert!(valid_kind_grammar(kind), "kind {kind}");
    assert!(matches!(body, Value::M(_)));
    let body_bytes = encode(&body);
    let header = header_bytes(key, acct, seq, prev, kind, time, &body_bytes);
    let sig = key.sign(&[SIG_PREFIX, &header].concat());
    let full = encode(&m(vec![
        ("b", b(&body_bytes)),
        ("h", b(&header)),
        ("s", b(&sig)),
    ]));
    let stripped = encode(&m(vec![("h", b(&header)), ("s", b(&sig))]));
    assert!(full.len() <= 65536, "message too large");
    Msg {
        full,
        stripped,
        id: blake3::derive_key(CTX_MESSAGE_ID, &header).to_vec(),
        header,
        kind: kind.to_string(),
        body,
        time,
        seq,
    }
}

/// The header bytes (04 §2) of a message with this body: what the signature covers, ID-1 and POW-1
/// hash.
fn header_bytes(
    key: &Key,
    acct: &[u8],
    seq: u64,
    prev: Option<&[u8]>,
    kind: &str,
    time: u64,
    body_bytes: &[u8],
) -> Vec<u8> {
    let mut h = vec![
        ("v", u(1)),
        ("key", b(&key.pk)),
        ("seq", u(seq)),
        ("acct", b(acct)),
        ("body", b(&blake3::derive_key(CTX_BODY, body_bytes))),
        ("kind", t(kind)),
        ("time", u(time)),
    ];
    if let Some(p) = prev {
        assert_eq!(p.len(), 32);
        h.push(("prev", b(p)));
    }
    encode(&m(h))
}

fn account(name: &str) -> Vec<u8> {
    blake3::derive_key(CTX_ACCOUNT, format!("example genesis: {name}").as_bytes()).to_vec()
}

/// A key's history: `m[i]` has seq i + 1.
struct Hist {
    key: Key,
    acct: Vec<u8>,
    m: Vec<Msg>,
}

impl Hist {
    fn new(key: Key, acct: Vec<u8>) -> Hist {
        Hist {
            key,
            acct,
            m: Vec::new(),
        }
    }
    /// Appends the key's next message, `minutes` after the previous one (or at T0 + minutes for seq 1).
    fn push(&mut self, kind: &str, minutes: u64, body: Value) -> Msg {
        let msg = self.make(kind, minutes, body);
        self.m.push(msg.clone());
        msg
    }
    /// The key's next message (not appended).
    fn make(&self, kind: &str, minutes: u64, body: Value) -> Msg {
        let (seq, prev, time) = match self.m.last() {
            Some(p) => (p.seq + 1, Some(p.id.as_slice()), p.time + minutes * MIN),
            None => (1, None, T0 + minutes * MIN),
        };
        sign(&self.key, &self.acct, seq, prev, kind, time, body)
    }
    /// Seq n (1-based).
    fn at(&self, seq: u64) -> &Msg {
        &self.m[(seq - 1) as usize]
    }
}

/// The fixed parties and bob's shared history.
struct World {
    alice: Vec<u8>,
    bob: Party,
    carol: Vec<u8>,
    /// bob: 1 post, 2 react (to a post of someone else), 3 repost, 4 edit of 1, 5 delete of 2.
    bh: Hist,
}

impl World {
    fn new() -> World {
        let bob = Party {
            key: Key::from_label("messages/bob"),
            acct: account("bob"),
        };
        let mut bh = Hist::new(Key::from_label("messages/bob"), bob.acct.clone());
        let b1 = bh.push("post", 0, m(vec![("text", t("Hi, I am Bob."))]));
        let other = rid("someone else's post");
        bh.push("react", 1, m(vec![("target", b(&other))]));
        bh.push("repost", 1, m(vec![("target", b(&other))]));
        bh.push(
            "edit",
            1,
            m(vec![
                ("target", b(&b1.id)),
                ("replaces", b(&b1.id)),
                ("text", t("Hi, I am Bob (edited).")),
            ]),
        );
        let b2 = bh.at(2).id.clone();
        bh.push("delete", 1, m(vec![("target", b(&b2))]));
        World {
            alice: account("alice"),
            bob,
            carol: account("carol"),
            bh,
        }
    }

    /// alice's history for a key of its own (seed derived from `label`):
    /// 1 post (T0), 2 react to bob's post, 3 repost of bob's post, 4 edit of 1 (replaces 1), 5 post,
    /// 6 delete of 5, 7 profile, 8 com.example.poll, 9 edit of 1 (replaces 4); one minute apart.
    fn alice_hist(&self, label: &str) -> Hist {
        let mut h = Hist::new(
            Key::from_label(&format!("messages/{label}")),
            self.alice.clone(),
        );
        let b1 = self.bh.at(1).id.clone();
        let a1 = h.push("post", 0, m(vec![("text", t("Hello, Skylark!"))]));
        h.push(
            "react",
            1,
            m(vec![("target", b(&b1)), ("emoji", t("\u{1F44D}"))]),
        );
        h.push("repost", 1, m(vec![("target", b(&b1))]));
        let a4 = h.push(
            "edit",
            1,
            m(vec![
                ("target", b(&a1.id)),
                ("replaces", b(&a1.id)),
                ("text", t("Hello, Skylark! (edited)")),
            ]),
        );
        let a5 = h.push("post", 1, m(vec![("text", t("A second post."))]));
        h.push("delete", 1, m(vec![("target", b(&a5.id))]));
        h.push("profile", 1, m(vec![("name", t("Alice"))]));
        h.push(
            "com.example.poll",
            1,
            m(vec![
                ("question", t("Tea or coffee?")),
                ("options", a(vec![t("tea"), t("coffee")])),
            ]),
        );
        h.push(
            "edit",
            1,
            m(vec![
                ("target", b(&a1.id)),
                ("replaces", b(&a4.id)),
                ("text", t("Hello, Skylark! (edited twice)")),
            ]),
        );
        h
    }
}

// ------------------------------------------------------------------------------------------------ vectors

#[derive(Clone, Debug)]
enum Miss {
    Auth,
    Id(Vec<u8>),
    /// The message's own body (MSG-7).
    Body,
}

#[derive(Clone, Debug)]
enum Exp {
    Valid,
    Invalid(&'static str),
    Undecided(Vec<Miss>),
}

fn ok() -> Exp {
    Exp::Valid
}
fn err(code: &'static str) -> Exp {
    Exp::Invalid(code)
}
fn und(items: Vec<Miss>) -> Exp {
    Exp::Undecided(items)
}
fn mid(msg: &Msg) -> Miss {
    Miss::Id(msg.id.clone())
}

#[derive(Clone)]
struct Ctx {
    now: u64,
    auth: &'static str,
    /// Whether the key holds `cap:others`: "denied" (written by omitting the field), "authorized" or
    /// "unknown".
    others: &'static str,
    known: Vec<Vec<u8>>,
}

fn ctx() -> Ctx {
    Ctx {
        now: NOW,
        auth: "authorized",
        others: "denied",
        known: Vec::new(),
    }
}

impl Ctx {
    fn now(mut self, now: u64) -> Ctx {
        self.now = now;
        self
    }
    fn others(mut self, others: &'static str) -> Ctx {
        assert!(matches!(others, "authorized" | "unknown" | "denied"));
        self.others = others;
        self
    }
    fn auth(mut self, auth: &'static str) -> Ctx {
        assert!(auth == "authorized" || auth == "unknown" || AUTH_CODES.contains(&auth));
        self.auth = auth;
        self
    }
    /// Adds whole messages to `known`.
    fn with(mut self, msgs: &[&Msg]) -> Ctx {
        self.known.extend(msgs.iter().map(|x| x.full.clone()));
        self
    }
    /// Adds stripped remainders to `known`.
    fn with_stripped(mut self, msgs: &[&Msg]) -> Ctx {
        self.known.extend(msgs.iter().map(|x| x.stripped.clone()));
        self
    }
}

#[derive(Default)]
struct Out {
    vectors: Vec<J>,
}

impl Out {
    /// One vector. `stripped`: the input is the stripped remainder of `msg`.
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        id: &str,
        description: &str,
        rules: &[&str],
        msg: &Msg,
        stripped: bool,
        ctx: &Ctx,
        exp: Exp,
    ) {
        assert!(!rules.is_empty(), "{id}: no rule");
        for r in rules {
            assert!(RULES.contains(r), "{id}: unknown rule {r}");
        }
        let mut members = vec![
            ("id".to_string(), J::S(format!("msg-{id}"))),
            ("description".to_string(), J::from(description)),
            ("rules".to_string(), strs(rules)),
        ];
        match &exp {
            Exp::Valid => {
                members.push(("outcome".to_string(), J::from("valid")));
                members.push(("kind".to_string(), J::from(msg.kind.as_str())));
                members.push((
                    "body_diag".to_string(),
                    if stripped {
                        J::Null
                    } else {
                        J::S(diag(&msg.body))
                    },
                ));
            }
            Exp::Invalid(code) => {
                assert!(
                    CODES.contains(code) || AUTH_CODES.contains(code),
                    "{id}: code {code}"
                );
                assert!(
                    rules_for(code).contains(&rules[0]),
                    "{id}: {code} under {}",
                    rules[0]
                );
                members.push(("outcome".to_string(), J::from("invalid")));
                members.push(("error".to_string(), J::from(*code)));
            }
            Exp::Undecided(items) => {
                assert!(!items.is_empty(), "{id}: nothing missing");
                // Typed items (format 2): a message id is never confused with an account id.
                let list: Vec<String> = items
                    .iter()
                    .map(|i| match i {
                        Miss::Auth => "key_authorization".to_string(),
                        Miss::Id(x) => hex(x),
                        Miss::Body => "body".to_string(),
                    })
                    .collect();
                let typed: Vec<J> = items
                    .iter()
                    .map(|i| match i {
                        Miss::Auth => obj(vec![("what", "key_authorization".into())]),
                        Miss::Id(x) => obj(vec![("what", "message".into()), ("id", J::S(hex(x)))]),
                        Miss::Body => obj(vec![("what", "body".into())]),
                    })
                    .collect();
                for (i, x) in list.iter().enumerate() {
                    assert!(!list[..i].contains(x), "{id}: duplicate missing item");
                }
                assert!(rules
                    .iter()
                    .all(|r| LOOKUP_RULES.contains(r) || *r == "EXT-1"));
                members.push(("outcome".to_string(), J::from("undecided")));
                members.push(("missing".to_string(), J::A(typed)));
            }
        }
        let input = if stripped { &msg.stripped } else { &msg.full };
        members.push(("input".to_string(), J::S(hex(input))));
        let mut context = vec![("now", J::U(ctx.now)), ("authorization", J::from(ctx.auth))];
        if ctx.others != "denied" {
            context.push(("others", J::from(ctx.others)));
        }
        context.push((
            "known",
            J::A(ctx.known.iter().map(|k| J::S(hex(k))).collect()),
        ));
        members.push(("context".to_string(), obj(context)));
        self.vectors.push(J::O(members));
    }

    /// A body case: the first message (seq 1, time T0) of a key of its own, for alice's account, with
    /// the default context (now = T0 + 1 h, authorized, nothing known).
    fn body(
        &mut self,
        id: &str,
        description: &str,
        rules: &[&str],
        kind: &str,
        body: Value,
        exp: Exp,
    ) {
        let key = Key::from_label(&format!("messages/{id}"));
        let msg = sign(&key, &account("alice"), 1, None, kind, T0, body);
        self.push(id, description, rules, &msg, false, &ctx(), exp);
    }
}

// ------------------------------------------------------------------------------------------------ fixtures

/// The plain BLAKE3 hash of the example file (MEDIA-1).
fn file_hash() -> Vec<u8> {
    blake3::hash(b"example image file bytes")
        .as_bytes()
        .to_vec()
}
/// A valid image media map: image/png, 48213 bytes, 1200x800.
fn img() -> Value {
    m(vec![
        ("hash", b(&file_hash())),
        ("mime", t("image/png")),
        ("size", u(48213)),
        ("width", u(1200)),
        ("height", u(800)),
    ])
}
/// A media map without dimensions.
fn media(mime: &str) -> Value {
    m(vec![
        ("hash", b(&file_hash())),
        ("mime", t(mime)),
        ("size", u(1000)),
    ])
}
fn media_embed(media: Value) -> Value {
    m(vec![("type", t("media")), ("media", media)])
}
fn card(url: &str) -> Value {
    m(vec![("type", t("card")), ("url", t(url))])
}
/// A post whose only content is one media embed.
fn post_media(media: Value) -> Value {
    m(vec![("embeds", a(vec![media_embed(media)]))])
}
/// A post whose only content is one card embed.
fn post_card(card: Value) -> Value {
    m(vec![("embeds", a(vec![card]))])
}
fn facet(start: u64, end: u64, ty: &str, field: Option<(&str, Value)>) -> Value {
    let mut e = vec![("start", u(start)), ("end", u(end)), ("type", t(ty))];
    if let Some(f) = field {
        e.push(f);
    }
    m(e)
}
fn tag_facet(start: u64, end: u64, tag: &str) -> Value {
    facet(start, end, "tag", Some(("tag", t(tag))))
}
fn url_of_len(n: usize) -> String {
    let base = "https://example.com/";
    assert!(n >= base.len());
    format!("{base}{}", ascii(n - base.len()))
}

/// The whitespace list of the brief (facet tags, reaction emoji).
const WHITESPACE: &[(u32, &str)] = &[
    (0x09, "CHARACTER TABULATION"),
    (0x0a, "LINE FEED"),
    (0x0b, "LINE TABULATION"),
    (0x0c, "FORM FEED"),
    (0x0d, "CARRIAGE RETURN"),
    (0x20, "SPACE"),
    (0x85, "NEXT LINE"),
    (0xa0, "NO-BREAK SPACE"),
    (0x1680, "OGHAM SPACE MARK"),
    (0x2000, "EN QUAD"),
    (0x2001, "EM QUAD"),
    (0x2002, "EN SPACE"),
    (0x2003, "EM SPACE"),
    (0x2004, "THREE-PER-EM SPACE"),
    (0x2005, "FOUR-PER-EM SPACE"),
    (0x2006, "SIX-PER-EM SPACE"),
    (0x2007, "FIGURE SPACE"),
    (0x2008, "PUNCTUATION SPACE"),
    (0x2009, "THIN SPACE"),
    (0x200a, "HAIR SPACE"),
    (0x2028, "LINE SEPARATOR"),
    (0x2029, "PARAGRAPH SEPARATOR"),
    (0x202f, "NARROW NO-BREAK SPACE"),
    (0x205f, "MEDIUM MATHEMATICAL SPACE"),
    (0x3000, "IDEOGRAPHIC SPACE"),
];
/// Characters that some languages call whitespace but the brief's list does not contain.
const NOT_WHITESPACE: &[(u32, &str)] = &[
    (0x200b, "ZERO WIDTH SPACE"),
    (0x180e, "MONGOLIAN VOWEL SEPARATOR"),
    (0xfeff, "ZERO WIDTH NO-BREAK SPACE"),
    (
        0x1c,
        "INFORMATION SEPARATOR FOUR (Python's str.isspace() says yes)",
    ),
];

fn ch(cp: u32) -> char {
    char::from_u32(cp).expect("scalar value")
}

// ------------------------------------------------------------------------------------------------ strings

type CaseFn<'a> = &'a dyn Fn(&mut Out, &str, &str, &[&str], String, Exp);

/// The boundary cases of one string limit: 1..=`max_s` Unicode scalar values and at most `max_b` UTF-8
/// bytes. `over` / `empty` are the codes for a string over a limit / the empty string.
#[allow(clippy::too_many_arguments)]
fn string_limits(
    o: &mut Out,
    p: &str,
    what: &str,
    rule: &str,
    max_s: usize,
    max_b: usize,
    over: &'static str,
    empty: &'static str,
    case: CaseFn,
) {
    let lim = format!("{what} is limited to {max_s} scalars and {max_b} bytes");
    let mut cases: Vec<(String, String, String, Exp)> = vec![
        (
            "empty".into(),
            format!("{what} is the empty string (must be non-empty)"),
            String::new(),
            err(empty),
        ),
        (
            "1-scalar".into(),
            format!("{what} of 1 ASCII character (the minimum)"),
            "a".into(),
            ok(),
        ),
    ];
    for (n, exp) in [(max_s - 1, ok()), (max_s, ok()), (max_s + 1, err(over))] {
        cases.push((
            format!("{n}-ascii"),
            format!("{what} of {n} ASCII characters ({lim})"),
            ascii(n),
            exp,
        ));
    }
    cases.push((
        format!("{}-scalars-last-4-byte", max_s),
        format!(
            "{what} of {} ASCII characters and one 4-byte character: {max_s} scalars, {} bytes (scalars are not bytes; {lim})",
            max_s - 1,
            max_s + 3
        ),
        format!("{}{E4}", ascii(max_s - 1)),
        ok(),
    ));
    cases.push((
        format!("{}-scalars-last-4-byte", max_s + 1),
        format!(
            "{what} of {max_s} ASCII characters and one 4-byte character: {} scalars, {} bytes (over the scalar limit; {lim})",
            max_s + 1,
            max_s + 4
        ),
        format!("{}{E4}", ascii(max_s)),
        err(over),
    ));
    cases.push((
        format!("{max_s}-scalars-1-grapheme"),
        format!(
            "{what} of \"e\" followed by {} combining acute accents (U+0301): one grapheme, {max_s} scalars ({lim}; graphemes are not counted)",
            max_s - 1
        ),
        format!("e{}", rep(ACUTE, max_s - 1)),
        ok(),
    ));
    cases.push((
        format!("{}-scalars-1-grapheme", max_s + 1),
        format!(
            "{what} of \"e\" followed by {max_s} combining acute accents: one grapheme but {} scalars ({lim})",
            max_s + 1
        ),
        format!("e{}", rep(ACUTE, max_s)),
        err(over),
    ));
    if 4 * max_s <= max_b {
        cases.push((
            format!("{max_s}-4-byte"),
            format!(
                "{what} of {max_s} 4-byte characters (U+1F600): {} bytes, {} UTF-16 code units ({lim}; the byte limit can never be exceeded by a string within the scalar limit)",
                4 * max_s,
                2 * max_s
            ),
            rep(E4, max_s),
            ok(),
        ));
        cases.push((
            format!("{}-4-byte", max_s + 1),
            format!(
                "{what} of {} 4-byte characters: {} bytes ({lim})",
                max_s + 1,
                4 * (max_s + 1)
            ),
            rep(E4, max_s + 1),
            err(over),
        ));
    } else {
        // The byte limit is reachable within the scalar limit.
        for (nb, exp) in [(max_b - 1, ok()), (max_b, ok()), (max_b + 1, err(over))] {
            let s = format!("{}{}", rep(E4, nb / 4), ascii(nb % 4));
            assert!(scalars(&s) <= max_s);
            cases.push((
                format!("{nb}-bytes"),
                format!(
                    "{what} of {} 4-byte characters and {} ASCII: {} scalars, {nb} bytes ({lim})",
                    nb / 4,
                    nb % 4,
                    scalars(&s)
                ),
                s,
                exp,
            ));
        }
        assert!(max_b >= 3 * max_s && max_b - 3 * max_s < max_s);
        let k = max_b - 3 * max_s;
        let s = format!("{}{}", rep(E4, k), rep(C3, max_s - k));
        cases.push((
            format!("{max_s}-scalars-{max_b}-bytes"),
            format!(
                "{what} of {k} 4-byte and {} 3-byte characters: exactly {max_s} scalars and {max_b} bytes (both limits reached)",
                max_s - k
            ),
            s,
            ok(),
        ));
        let s = format!("{}{}", rep(C3, max_s - k - 1), rep(E4, k + 1));
        cases.push((
            format!("{max_s}-scalars-{}-bytes", max_b + 1),
            format!(
                "{what} of {} 3-byte characters and then {} 4-byte character(s): {max_s} scalars (within the scalar limit) but {} bytes, the last character straddling the byte limit",
                max_s - k - 1,
                k + 1,
                max_b + 1
            ),
            s,
            err(over),
        ));
    }
    for (suffix, desc, s, exp) in cases {
        // The declared verdict must match the limits as stated (a consistency check of this table).
        let n = scalars(&s);
        let expect_ok = n >= 1 && n <= max_s && s.len() <= max_b;
        assert_eq!(matches!(exp, Exp::Valid), expect_ok, "{p}-{suffix}");
        case(o, &format!("{p}-{suffix}"), &desc, &[rule], s, exp);
    }
}

// ------------------------------------------------------------------------------------------------ MSG-1

fn common(o: &mut Out) {
    let r = &["MSG-1"];
    o.body(
        "post-unknown-field",
        "post with the un-dotted unknown key \"color\": MSG-1, core fields are un-dotted",
        r,
        "post",
        m(vec![("text", t("hi")), ("color", t("red"))]),
        err("msg.unknown_field"),
    );
    o.body(
        "post-namespaced-field",
        "post with the namespaced (dotted) unknown key \"com.example.color\": accepted, kept in the signed bytes and ignored",
        r,
        "post",
        m(vec![("text", t("hi")), ("com.example.color", t("red"))]),
        ok(),
    );
    o.body(
        "post-namespaced-field-any-value",
        "post with namespaced keys whose values are a map, an array, a negative integer and false: any value is accepted",
        r,
        "post",
        m(vec![
            ("text", t("hi")),
            (
                "com.example.meta",
                m(vec![("x", a(vec![Value::N(4), Value::Bool(false)]))]),
            ),
            ("org.example.flag", Value::Bool(false)),
        ]),
        ok(),
    );
    o.body(
        "post-unknown-field-upper-case",
        "post with the key \"Text\" (keys are case-sensitive: un-dotted unknown key)",
        r,
        "post",
        m(vec![("Text", t("hi"))]),
        err("msg.unknown_field"),
    );
    o.body(
        "post-unknown-field-empty-key",
        "post with the empty key \"\" (un-dotted unknown key)",
        r,
        "post",
        m(vec![("text", t("hi")), ("", u(1))]),
        err("msg.unknown_field"),
    );
    for (name, v) in [
        ("int", u(5)),
        ("bytes", b(b"hi")),
        ("array", a(vec![t("hi")])),
        ("map", m(vec![("text", t("hi"))])),
        ("bool", Value::Bool(true)),
    ] {
        o.body(
            &format!("post-text-wrong-type-{name}"),
            &format!("post \"text\" is {}, not a text string", diag(&v)),
            r,
            "post",
            m(vec![("text", v)]),
            err("msg.wrong_type"),
        );
    }
    o.body(
        "post-unknown-key-before-wrong-type",
        "post {\"text\": 5, \"mentions\": 1}: the unknown key comes after the wrong-typed value in encoded order, but all keys are checked (step 1) before any value (step 3)",
        r,
        "post",
        m(vec![("text", u(5)), ("mentions", u(1))]),
        err("msg.unknown_field"),
    );
    o.body(
        "delete-missing-target",
        "delete {} without its required \"target\"",
        r,
        "delete",
        m(vec![]),
        err("msg.missing_field"),
    );
    o.body(
        "label-missing-before-values",
        "label {\"negate\": false, \"account\": ..}: \"value\" is missing (step 2) and negate is false (step 3): missing_field comes first",
        r,
        "label",
        m(vec![("negate", Value::Bool(false)), ("account", b(&account("bob")))]),
        err("msg.missing_field"),
    );
    o.body(
        "label-unknown-before-missing",
        "label {\"reason\": \"x\", \"account\": ..} without \"value\": the unknown key (step 1) comes before the missing field (step 2)",
        r,
        "label",
        m(vec![("reason", t("x")), ("account", b(&account("bob")))]),
        err("msg.unknown_field"),
    );
    o.body(
        "post-values-in-key-order",
        "post {\"text\": 5, \"langs\": [\"english\"]}: values are checked in encoded key order and \"text\" comes before \"langs\"",
        r,
        "post",
        m(vec![("text", u(5)), ("langs", a(vec![t("english")]))]),
        err("msg.wrong_type"),
    );
    o.body(
        "post-values-in-key-order-2",
        "post {\"text\": \"hi\", \"langs\": [\"english\"], \"labels\": [\"!hide\"]}: \"langs\" (5 letters) is checked before \"labels\" (6 letters)",
        &["MSG-6", "LABEL-2"],
        "post",
        m(vec![
            ("text", t("hi")),
            ("langs", a(vec![t("english")])),
            ("labels", a(vec![t("!hide")])),
        ]),
        err("msg.invalid_lang"),
    );
}

// ------------------------------------------------------------------------------------------------ MSG-5

fn urls(o: &mut Out) {
    let r = &["MSG-5"];
    let links = |o: &mut Out, id: &str, d: &str, rules: &[&str], list: Vec<String>, exp: Exp| {
        o.body(
            id,
            d,
            rules,
            "profile",
            m(vec![(
                "links",
                a(list.iter().map(|s| t(s)).collect::<Vec<_>>()),
            )]),
            exp,
        );
    };
    let one = |o: &mut Out, id: &str, d: &str, url: String, exp: Exp| {
        links(o, id, d, r, vec![url], exp);
    };
    one(
        o,
        "url-https",
        "profile link \"https://example.com\"",
        "https://example.com".into(),
        ok(),
    );
    one(
        o,
        "url-http-minimal",
        "profile link \"http://x\": the scheme followed by one byte is enough",
        "http://x".into(),
        ok(),
    );
    let printable: String = (0x21u8..=0x7e).map(char::from).collect();
    one(
        o,
        "url-all-printable-ascii",
        "profile link \"https://\" followed by every byte 0x21..=0x7e: only the byte rule applies, no URL parsing",
        format!("https://{printable}"),
        ok(),
    );
    for (n, exp) in [(2047, ok()), (2048, ok()), (2049, err("msg.invalid_url"))] {
        one(
            o,
            &format!("url-{n}-bytes"),
            &format!("profile link of {n} bytes (limit 2048 bytes)"),
            url_of_len(n),
            exp,
        );
    }
    one(
        o,
        "url-2048-bytes-non-ascii",
        "profile link of 2048 bytes (2047 scalars) whose last character is \"é\" (2 bytes): not ASCII",
        format!("{}{E2}", url_of_len(2046)),
        err("msg.invalid_url"),
    );
    for (name, d, url) in [
        ("empty", "the empty string", ""),
        (
            "scheme-only-https",
            "\"https://\" with nothing after it",
            "https://",
        ),
        (
            "scheme-only-http",
            "\"http://\" with nothing after it",
            "http://",
        ),
        (
            "ftp",
            "\"ftp://example.com\" (only http and https)",
            "ftp://example.com",
        ),
        (
            "upper-case-scheme",
            "\"HTTPS://EXAMPLE.COM\" (the prefix is matched exactly)",
            "HTTPS://EXAMPLE.COM",
        ),
        ("no-slashes", "\"https:example.com\"", "https:example.com"),
        ("relative", "\"//example.com\"", "//example.com"),
        (
            "space",
            "\"https://example.com/a b\" (0x20 is outside 0x21..=0x7e)",
            "https://example.com/a b",
        ),
        ("tab", "a tab (0x09) inside", "https://example.com/a\tb"),
        (
            "del",
            "a DEL (0x7f) at the end",
            "https://example.com/\u{7f}",
        ),
        (
            "leading-space",
            "a space before the scheme",
            " https://example.com",
        ),
        (
            "non-ascii",
            "\"https://bücher.example\" (IRI, not ASCII)",
            "https://b\u{fc}cher.example",
        ),
    ] {
        one(
            o,
            &format!("url-{name}"),
            &format!("profile link {d}"),
            url.into(),
            err("msg.invalid_url"),
        );
    }
    let l = |i: usize| format!("https://example.com/{i}");
    for (n, exp) in [(3, ok()), (4, ok()), (5, err("msg.too_many"))] {
        links(
            o,
            &format!("profile-links-{n}"),
            &format!("profile with {n} links (limit 4)"),
            &["MSG-1"],
            (1..=n).map(l).collect(),
            exp,
        );
    }
    links(
        o,
        "profile-links-empty",
        "profile with \"links\": [] (a present list must be non-empty; absence means none)",
        &["MSG-1"],
        vec![],
        err("msg.too_short"),
    );
    o.body(
        "profile-links-wrong-type",
        "profile \"links\" is a text string, not an array",
        &["MSG-1"],
        "profile",
        m(vec![("links", t("https://example.com"))]),
        err("msg.wrong_type"),
    );
    o.body(
        "profile-links-element-wrong-type",
        "profile \"links\": [\"https://example.com\", h'00']: the second element is not text",
        &["MSG-1"],
        "profile",
        m(vec![("links", a(vec![t("https://example.com"), b(&[0])]))]),
        err("msg.wrong_type"),
    );
    links(
        o,
        "profile-links-elements-in-order",
        "profile links [valid, \"ftp://x\", \"no\"]: elements are checked in order, the first bad one decides",
        &["MSG-5"],
        vec![l(1), "ftp://x".into(), "no".into()],
        err("msg.invalid_url"),
    );
    links(
        o,
        "profile-links-count-before-elements",
        "profile with 5 links, the first of them invalid: the list's count is checked before its elements (resolution: the schema [1*4 url] lists the count first)",
        &["MSG-1", "MSG-5"],
        ["ftp://x".to_string()].into_iter().chain((2..=5).map(l)).collect(),
        err("msg.too_many"),
    );
}

// ------------------------------------------------------------------------------------------------ MSG-6

fn langs(o: &mut Out) {
    let r = &["MSG-6"];
    let post = |o: &mut Out, id: &str, d: &str, rules: &[&str], list: &[&str], exp: Exp| {
        o.body(
            id,
            d,
            rules,
            "post",
            m(vec![
                ("text", t("hi")),
                ("langs", a(list.iter().map(|s| t(s)).collect())),
            ]),
            exp,
        );
    };
    let l34 = format!("abc{}-abc", rep("-abcdefgh", 3));
    let l35 = format!("abc{}-abcd", rep("-abcdefgh", 3));
    let l36 = format!("abc{}-abcde", rep("-abcdefgh", 3));
    assert_eq!((l34.len(), l35.len(), l36.len()), (34, 35, 36));
    for (name, d, tag, exp) in [
        ("en", "\"en\"", "en", ok()),
        ("upper-case", "\"EN\" (letters in any case)", "EN", ok()),
        (
            "three-letters",
            "\"sgn-BE-FR\" (3-letter primary, two subtags)",
            "sgn-BE-FR",
            ok(),
        ),
        ("3-bytes", "\"deu\" (3 bytes)", "deu", ok()),
        ("script-region", "\"zh-Hant-TW\"", "zh-Hant-TW", ok()),
        (
            "digit-subtag",
            "\"es-419\" (digits in a subtag)",
            "es-419",
            ok(),
        ),
        (
            "subtag-8",
            "\"de-12345678\" (an 8-character subtag)",
            "de-12345678",
            ok(),
        ),
        ("34-bytes", "a 34-byte tag (limit 35)", l34.as_str(), ok()),
        ("35-bytes", "a 35-byte tag (limit 35)", l35.as_str(), ok()),
        (
            "36-bytes",
            "a 36-byte tag that matches the grammar but exceeds 35 bytes",
            l36.as_str(),
            err("msg.invalid_lang"),
        ),
        ("empty", "the empty string", "", err("msg.invalid_lang")),
        (
            "one-letter",
            "\"e\" (primary subtag of 1 letter)",
            "e",
            err("msg.invalid_lang"),
        ),
        (
            "four-letters",
            "\"engl\" (primary subtag of 4 letters)",
            "engl",
            err("msg.invalid_lang"),
        ),
        ("word", "\"english\"", "english", err("msg.invalid_lang")),
        (
            "trailing-hyphen",
            "\"en-\" (empty subtag)",
            "en-",
            err("msg.invalid_lang"),
        ),
        (
            "double-hyphen",
            "\"en--us\"",
            "en--us",
            err("msg.invalid_lang"),
        ),
        ("underscore", "\"en_US\"", "en_US", err("msg.invalid_lang")),
        ("digits-primary", "\"12\"", "12", err("msg.invalid_lang")),
        (
            "subtag-9",
            "\"de-123456789\" (a 9-character subtag)",
            "de-123456789",
            err("msg.invalid_lang"),
        ),
        ("space", "\"en US\"", "en US", err("msg.invalid_lang")),
        (
            "non-ascii",
            "\"\u{e9}n\" (non-ASCII letter)",
            "\u{e9}n",
            err("msg.invalid_lang"),
        ),
    ] {
        post(
            o,
            &format!("lang-{name}"),
            &format!("post langs [{d}]"),
            r,
            &[tag],
            exp,
        );
    }
    let s = format!("{}{E2}", &l35[..34]);
    post(
        o,
        "lang-35-scalars-36-bytes",
        "post langs [a tag of 34 ASCII bytes and \"é\"]: 35 scalars, 36 bytes, not ASCII",
        r,
        &[&s],
        err("msg.invalid_lang"),
    );
    post(
        o,
        "langs-2",
        "post with 2 langs",
        &["MSG-1"],
        &["en", "fr"],
        ok(),
    );
    post(
        o,
        "langs-3",
        "post with 3 langs (limit 3)",
        &["MSG-1"],
        &["en", "fr", "de"],
        ok(),
    );
    post(
        o,
        "langs-4",
        "post with 4 langs (limit 3)",
        &["MSG-1"],
        &["en", "fr", "de", "it"],
        err("msg.too_many"),
    );
    post(
        o,
        "langs-empty",
        "post with \"langs\": []",
        &["MSG-1"],
        &[],
        err("msg.too_short"),
    );
    post(
        o,
        "langs-duplicate",
        "post langs [\"en\", \"en\"]",
        r,
        &["en", "en"],
        err("msg.duplicate"),
    );
    post(
        o,
        "langs-duplicate-case",
        "post langs [\"en-GB\", \"en-gb\"]: equal ignoring ASCII case",
        r,
        &["en-GB", "en-gb"],
        err("msg.duplicate"),
    );
    post(
        o,
        "langs-prefix-not-duplicate",
        "post langs [\"en\", \"en-GB\"]: different tags",
        r,
        &["en", "en-GB"],
        ok(),
    );
    o.body(
        "langs-wrong-type",
        "post \"langs\": \"en\" (text, not an array)",
        &["MSG-1"],
        "post",
        m(vec![("text", t("hi")), ("langs", t("en"))]),
        err("msg.wrong_type"),
    );
    o.body(
        "langs-element-wrong-type",
        "post \"langs\": [1]",
        &["MSG-1"],
        "post",
        m(vec![("text", t("hi")), ("langs", a(vec![u(1)]))]),
        err("msg.wrong_type"),
    );
}

// ------------------------------------------------------------------------------------------------ MEDIA

fn media_rules(o: &mut Out) {
    let pm = |o: &mut Out, id: &str, d: &str, rules: &[&str], media: Value, exp: Exp| {
        o.body(id, d, rules, "post", post_media(media), exp);
    };
    pm(
        o,
        "media-image",
        "post with one image embed (hash, image/png, size, width, height)",
        &["MEDIA-1", "MEDIA-2", "MEDIA-3", "MEDIA-4"],
        img(),
        ok(),
    );
    pm(
        o,
        "media-with-alt",
        "image embed with alt text",
        &["MEDIA-5"],
        set(&img(), "alt", t("A lighthouse at dusk.")),
        ok(),
    );
    pm(
        o,
        "media-audio-no-dimensions",
        "audio/ogg without width and height (only image/ and video/ need them)",
        &["MEDIA-4"],
        media("audio/ogg"),
        ok(),
    );
    pm(
        o,
        "media-audio-with-dimensions",
        "audio/ogg with width and height (allowed: both or neither)",
        &["MEDIA-4"],
        set(&set(&media("audio/ogg"), "width", u(1)), "height", u(1)),
        ok(),
    );
    pm(
        o,
        "media-video",
        "video/mp4 with width and height",
        &["MEDIA-4"],
        set(
            &set(&media("video/mp4"), "width", u(1920)),
            "height",
            u(1080),
        ),
        ok(),
    );
    pm(o, "media-namespaced-field", "image media with the namespaced key \"com.example.blurhash\" (nested maps follow the same discipline)", &["MSG-1"], set(&img(), "com.example.blurhash", t("LEHV6nWB2yk8")), ok());
    pm(
        o,
        "media-unknown-field",
        "image media with the un-dotted unknown key \"caption\"",
        &["MSG-1"],
        set(&img(), "caption", t("x")),
        err("msg.unknown_field"),
    );
    pm(
        o,
        "media-wrong-type",
        "embed \"media\" is a byte string, not a map",
        &["MSG-1"],
        b(&file_hash()),
        err("msg.wrong_type"),
    );
    for f in ["hash", "mime", "size"] {
        let rules: &[&str] = if f == "hash" {
            &["MSG-1", "MEDIA-1"]
        } else {
            &["MSG-1"]
        };
        pm(
            o,
            &format!("media-missing-{f}"),
            &format!("image media without \"{f}\""),
            rules,
            del(&img(), f),
            err("msg.missing_field"),
        );
    }
    // MEDIA-1
    let h = file_hash();
    for (name, d, v) in [
        ("31-bytes", "a 31-byte hash", b(&h[..31])),
        (
            "33-bytes",
            "a 33-byte hash",
            b(&[h.as_slice(), &[0]].concat()),
        ),
        ("empty", "an empty byte string", b(&[])),
        ("hex-text", "the hash as a hex text string", t(&hex(&h))),
    ] {
        pm(o, &format!("media-hash-{name}"), &format!("media \"hash\" is {d}: the type is bstr .size 32 (resolution: a byte string of the wrong size is msg.wrong_type; the brief has no length code)"), &["MSG-1", "MEDIA-1"], set(&img(), "hash", v), err("msg.wrong_type"));
    }
    // MEDIA-2
    let p63 = ascii(63);
    let p62 = ascii(62);
    let p64 = ascii(64);
    for (name, d, mime, exp) in [
        (
            "svg",
            "\"image/svg+xml\"",
            "image/svg+xml".to_string(),
            ok(),
        ),
        (
            "vendor",
            "\"application/vnd.api+json\"",
            "application/vnd.api+json".into(),
            ok(),
        ),
        (
            "all-special",
            "\"x-a!#$&^_.+-/0-9.z\" (every allowed special character)",
            "x-a!#$&^_.+-/0-9.z".into(),
            ok(),
        ),
        ("type-62", "a 62-byte type part", format!("{p62}/png"), ok()),
        (
            "type-63",
            "a 63-byte type part (limit 63)",
            format!("{p63}/png"),
            ok(),
        ),
        (
            "type-64",
            "a 64-byte type part",
            format!("{p64}/png"),
            err("msg.invalid_media_type"),
        ),
        (
            "subtype-62",
            "a 62-byte subtype",
            format!("image/{p62}"),
            ok(),
        ),
        (
            "subtype-63",
            "a 63-byte subtype (limit 63)",
            format!("image/{p63}"),
            ok(),
        ),
        (
            "subtype-64",
            "a 64-byte subtype",
            format!("image/{p64}"),
            err("msg.invalid_media_type"),
        ),
        (
            "127-bytes",
            "type and subtype of 63 bytes each: 127 bytes, the total limit",
            format!("{p63}/{p63}"),
            ok(),
        ),
        (
            "upper-case-subtype",
            "\"image/PNG\"",
            "image/PNG".into(),
            err("msg.invalid_media_type"),
        ),
        (
            "upper-case-type",
            "\"Image/png\"",
            "Image/png".into(),
            err("msg.invalid_media_type"),
        ),
        (
            "no-slash",
            "\"image\"",
            "image".into(),
            err("msg.invalid_media_type"),
        ),
        (
            "empty-subtype",
            "\"image/\"",
            "image/".into(),
            err("msg.invalid_media_type"),
        ),
        (
            "empty-type",
            "\"/png\"",
            "/png".into(),
            err("msg.invalid_media_type"),
        ),
        (
            "two-slashes",
            "\"image/png/x\" (\"/\" is not a subtype character)",
            "image/png/x".into(),
            err("msg.invalid_media_type"),
        ),
        (
            "parameter",
            "\"image/png; charset=x\" (parameters are not allowed)",
            "image/png; charset=x".into(),
            err("msg.invalid_media_type"),
        ),
        (
            "trailing-space",
            "\"image/png \"",
            "image/png ".into(),
            err("msg.invalid_media_type"),
        ),
        (
            "non-ascii",
            "\"image/p\u{f1}g\"",
            "image/p\u{f1}g".into(),
            err("msg.invalid_media_type"),
        ),
        (
            "empty",
            "the empty string",
            String::new(),
            err("msg.invalid_media_type"),
        ),
    ] {
        pm(
            o,
            &format!("media-mime-{name}"),
            &format!("image-sized media (width and height present) with mime {d}"),
            &["MEDIA-2"],
            set(&img(), "mime", t(&mime)),
            exp,
        );
    }
    pm(
        o,
        "media-mime-wrong-type",
        "media \"mime\" is an integer",
        &["MSG-1"],
        set(&img(), "mime", u(1)),
        err("msg.wrong_type"),
    );
    // MEDIA-3
    for (name, n, exp) in [
        ("0", 0u64, err("msg.out_of_range")),
        ("1", 1, ok()),
        ("104857599", 104_857_599, ok()),
        ("104857600", 104_857_600, ok()),
        ("104857601", 104_857_601, err("msg.out_of_range")),
        ("2pow64-minus-1", u64::MAX, err("msg.out_of_range")),
    ] {
        pm(
            o,
            &format!("media-size-{name}"),
            &format!("media \"size\": {n} (range 1..=104857600)"),
            &["MEDIA-3"],
            set(&img(), "size", u(n)),
            exp,
        );
    }
    pm(
        o,
        "media-size-negative",
        "media \"size\": -1 (a negative integer is not a uint)",
        &["MSG-1"],
        set(&img(), "size", Value::N(0)),
        err("msg.wrong_type"),
    );
    // MEDIA-4
    for f in ["width", "height"] {
        for (n, exp) in [
            (0u64, err("msg.out_of_range")),
            (1, ok()),
            (65534, ok()),
            (65535, ok()),
            (65536, err("msg.out_of_range")),
        ] {
            pm(
                o,
                &format!("media-{f}-{n}"),
                &format!("image media with \"{f}\": {n} (range 1..=65535)"),
                &["MEDIA-4"],
                set(&img(), f, u(n)),
                exp,
            );
        }
        pm(
            o,
            &format!("media-{f}-negative"),
            &format!("image media with \"{f}\": -1"),
            &["MSG-1"],
            set(&img(), f, Value::N(0)),
            err("msg.wrong_type"),
        );
    }
    pm(
        o,
        "media-image-no-dimensions",
        "image/png without width and height",
        &["MEDIA-4"],
        media("image/png"),
        err("msg.dimensions"),
    );
    pm(
        o,
        "media-video-no-dimensions",
        "video/mp4 without width and height",
        &["MEDIA-4"],
        media("video/mp4"),
        err("msg.dimensions"),
    );
    pm(
        o,
        "media-width-only",
        "image/png with width but no height",
        &["MEDIA-4"],
        del(&img(), "height"),
        err("msg.dimensions"),
    );
    pm(
        o,
        "media-height-only",
        "image/png with height but no width",
        &["MEDIA-4"],
        del(&img(), "width"),
        err("msg.dimensions"),
    );
    pm(
        o,
        "media-audio-width-only",
        "audio/ogg with width but no height (both or neither, for every type)",
        &["MEDIA-4"],
        set(&media("audio/ogg"), "width", u(10)),
        err("msg.dimensions"),
    );
    pm(o, "media-range-before-pairing", "image/png with width 0 and no height: each field's range is checked before the both-or-neither rule", &["MEDIA-4"], set(&media("image/png"), "width", u(0)), err("msg.out_of_range"));
    pm(
        o,
        "media-mime-before-size",
        "media with mime \"image/PNG\" and size 0: mime comes before size in encoded key order",
        &["MEDIA-2", "MEDIA-3"],
        set(&set(&img(), "mime", t("image/PNG")), "size", u(0)),
        err("msg.invalid_media_type"),
    );
    pm(o, "media-alt-before-dimensions", "image/png without dimensions and with an empty alt: alt (checked with the fields) comes before the dimensions rule (checked after the fields)", &["MEDIA-5", "MEDIA-4"], set(&media("image/png"), "alt", t("")), err("msg.too_short"));
    pm(
        o,
        "media-alt-wrong-type",
        "media \"alt\" is a byte string",
        &["MSG-1"],
        set(&img(), "alt", b(b"alt")),
        err("msg.wrong_type"),
    );
    // MEDIA-5
    string_limits(
        o,
        "media-alt",
        "media alt",
        "MEDIA-5",
        2000,
        8000,
        "msg.too_long",
        "msg.too_short",
        &|o, id, d, r, s, e| {
            o.body(id, d, r, "post", post_media(set(&img(), "alt", t(&s))), e);
        },
    );
}

// ------------------------------------------------------------------------------------------------ FACET

fn facets(o: &mut Out, w: &World) {
    let text = "hi @bob see https://example.com #skylark";
    let pos = |s: &str| text.find(s).expect("in text") as u64;
    let (ms, me) = (pos("@bob"), pos("@bob") + 4);
    let (ls, le) = (pos("https"), pos("https") + 19);
    let (ts, te) = (pos("#skylark"), pos("#skylark") + 8);
    let len = text.len() as u64;
    let bob = w.bob.acct.clone();
    let mention = |s: u64, e: u64| facet(s, e, "mention", Some(("account", b(&bob))));
    let link = |s: u64, e: u64| facet(s, e, "link", Some(("url", t("https://example.com"))));
    let post =
        |o: &mut Out, id: &str, d: &str, rules: &[&str], txt: &str, fs: Vec<Value>, exp: Exp| {
            o.body(
                id,
                d,
                rules,
                "post",
                m(vec![("text", t(txt)), ("facets", a(fs))]),
                exp,
            );
        };
    let p = |o: &mut Out, id: &str, d: &str, rules: &[&str], fs: Vec<Value>, exp: Exp| {
        post(o, id, d, rules, text, fs, exp);
    };
    p(
        o,
        "facets-all-types",
        "post text \"hi @bob see https://example.com #skylark\" with a mention, a link and a tag facet, sorted and not overlapping",
        &["FACET-1", "FACET-2", "FACET-3", "FACET-4", "FACET-5", "FACET-6"],
        vec![mention(ms, me), link(ls, le), tag_facet(ts, te, "skylark")],
        ok(),
    );
    p(
        o,
        "facet-whole-text",
        "one tag facet over the whole text: start 0, end = byte length",
        &["FACET-3"],
        vec![tag_facet(0, len, "all")],
        ok(),
    );
    p(
        o,
        "facet-end-length-minus-1",
        "a facet ending one byte before the end of the text",
        &["FACET-3"],
        vec![tag_facet(0, len - 1, "x")],
        ok(),
    );
    p(
        o,
        "facet-end-length-plus-1",
        "a facet ending one byte after the end of the text",
        &["FACET-3"],
        vec![tag_facet(0, len + 1, "x")],
        err("msg.facet_range"),
    );
    p(
        o,
        "facet-start-equals-end",
        "a facet with start == end (empty range)",
        &["FACET-3"],
        vec![tag_facet(5, 5, "x")],
        err("msg.facet_range"),
    );
    p(
        o,
        "facet-start-after-end",
        "a facet with start 6 > end 5",
        &["FACET-3"],
        vec![tag_facet(6, 5, "x")],
        err("msg.facet_range"),
    );
    p(
        o,
        "facet-start-end-minus-1",
        "a one-byte facet: start = end - 1",
        &["FACET-3"],
        vec![tag_facet(0, 1, "x")],
        ok(),
    );
    p(
        o,
        "facet-huge-offsets",
        "a facet with start 2^64-2 and end 2^64-1",
        &["FACET-3"],
        vec![tag_facet(u64::MAX - 1, u64::MAX, "x")],
        err("msg.facet_range"),
    );
    p(
        o,
        "facet-start-negative",
        "a facet with start -1",
        &["MSG-1"],
        vec![m(vec![
            ("start", Value::N(0)),
            ("end", u(2)),
            ("type", t("tag")),
            ("tag", t("x")),
        ])],
        err("msg.wrong_type"),
    );
    p(
        o,
        "facet-namespaced-field",
        "a tag facet with the namespaced key \"com.example.weight\"",
        &["MSG-1"],
        vec![set(&tag_facet(0, 2, "hi"), "com.example.weight", u(3))],
        ok(),
    );
    p(
        o,
        "facet-unknown-field",
        "a tag facet with the un-dotted unknown key \"lang\"",
        &["MSG-1"],
        vec![set(&tag_facet(0, 2, "hi"), "lang", t("en"))],
        err("msg.unknown_field"),
    );
    for f in ["start", "end", "type"] {
        p(
            o,
            &format!("facet-missing-{f}"),
            &format!("a tag facet without \"{f}\""),
            &["MSG-1"],
            vec![del(&tag_facet(0, 2, "hi"), f)],
            err("msg.missing_field"),
        );
    }
    p(
        o,
        "facet-wrong-type",
        "a facet that is an array",
        &["MSG-1"],
        vec![a(vec![u(0), u(2)])],
        err("msg.wrong_type"),
    );
    p(
        o,
        "facet-account-31-bytes",
        "a mention facet whose account has 31 bytes",
        &["MSG-1"],
        vec![facet(ms, me, "mention", Some(("account", b(&bob[..31]))))],
        err("msg.wrong_type"),
    );
    p(
        o,
        "facet-url-wrong-type",
        "a link facet whose url is a byte string",
        &["MSG-1"],
        vec![facet(
            ls,
            le,
            "link",
            Some(("url", b(b"https://example.com"))),
        )],
        err("msg.wrong_type"),
    );
    p(
        o,
        "facet-link-invalid-url",
        "a link facet with url \"example.com\" (no scheme)",
        &["MSG-5"],
        vec![facet(ls, le, "link", Some(("url", t("example.com"))))],
        err("msg.invalid_url"),
    );
    // FACET-1
    for (name, ty) in [
        ("hashtag", "hashtag"),
        ("upper-case", "Mention"),
        ("empty", ""),
    ] {
        p(
            o,
            &format!("facet-type-{name}"),
            &format!("a facet of type {}", crate::util::json_string(ty)),
            &["FACET-1"],
            vec![facet(ms, me, ty, Some(("account", b(&bob))))],
            err("msg.invalid_facet_type"),
        );
    }
    p(
        o,
        "facet-type-wrong-type",
        "a facet whose type is the integer 1",
        &["MSG-1"],
        vec![m(vec![
            ("start", u(ms)),
            ("end", u(me)),
            ("type", u(1)),
            ("account", b(&bob)),
        ])],
        err("msg.wrong_type"),
    );
    // FACET-2
    for (name, d, f) in [
        (
            "mention-without-account",
            "a mention facet without account",
            del(&mention(ms, me), "account"),
        ),
        (
            "mention-with-url",
            "a mention facet with account and url",
            set(&mention(ms, me), "url", t("https://example.com")),
        ),
        (
            "link-without-url",
            "a link facet without url",
            del(&link(ls, le), "url"),
        ),
        (
            "link-with-tag",
            "a link facet with url and tag",
            set(&link(ls, le), "tag", t("x")),
        ),
        (
            "tag-without-tag",
            "a tag facet without tag",
            del(&tag_facet(ts, te, "skylark"), "tag"),
        ),
        (
            "tag-with-account",
            "a tag facet with tag and account",
            set(&tag_facet(ts, te, "skylark"), "account", b(&bob)),
        ),
        (
            "link-with-account",
            "a link facet with account instead of url",
            set(&del(&link(ls, le), "url"), "account", b(&bob)),
        ),
    ] {
        p(
            o,
            &format!("facet-{name}"),
            d,
            &["FACET-2"],
            vec![f],
            err("msg.facet_fields"),
        );
    }
    p(o, "facet-fields-at-type-value", "a link facet (url valid) that also has a 31-byte account: FACET-2 is checked at the \"type\" value, which comes before \"account\" in encoded order", &["FACET-2"], vec![set(&link(ls, le), "account", b(&bob[..31]))], err("msg.facet_fields"));
    p(o, "facet-type-before-start", "a facet of type \"bogus\" whose start is -1: \"type\" comes before \"start\" in encoded order", &["FACET-1"], vec![m(vec![("start", Value::N(0)), ("end", u(2)), ("type", t("bogus"))])], err("msg.invalid_facet_type"));
    p(o, "facet-fields-before-range", "a mention facet without account whose end is past the text: FACET-2 (at field time) comes before FACET-3", &["FACET-2", "FACET-3"], vec![facet(ms, len + 5, "mention", None)], err("msg.facet_fields"));
    // Tags.
    let tp = |o: &mut Out, id: &str, d: &str, tag: &str, exp: Exp| {
        p(o, id, d, &["FACET-2"], vec![tag_facet(ts, te, tag)], exp);
    };
    tp(
        o,
        "tag-non-ascii",
        "tag \"日本語\"",
        "\u{65e5}\u{672c}\u{8a9e}",
        ok(),
    );
    tp(o, "tag-hyphen", "tag \"rust-lang\"", "rust-lang", ok());
    tp(o, "tag-with-hash", "tag \"#skylark\": the \"#\" prefix is not needed (tags are stored without it) but it is not forbidden either: only whitespace is (resolution of the brief's wording)", "#skylark", ok());
    for (cp, name) in WHITESPACE {
        tp(
            o,
            &format!("tag-whitespace-{cp:04x}"),
            &format!(
                "tag \"a\\u{{{cp:04x}}}b\" containing U+{cp:04X} {name} (in the whitespace list)"
            ),
            &format!("a{}b", ch(*cp)),
            err("msg.invalid_tag"),
        );
    }
    for (cp, name) in NOT_WHITESPACE {
        tp(o, &format!("tag-not-whitespace-{cp:04x}"), &format!("tag \"a\\u{{{cp:04x}}}b\" containing U+{cp:04X} {name}: not in the brief's whitespace list, and tags have no control-character ban"), &format!("a{}b", ch(*cp)), ok());
    }
    tp(
        o,
        "tag-leading-space",
        "tag \" skylark\"",
        " skylark",
        err("msg.invalid_tag"),
    );
    string_limits(
        o,
        "tag",
        "facet tag",
        "FACET-2",
        64,
        640,
        "msg.too_long",
        "msg.too_short",
        &|o, id, d, r, s, e| {
            o.body(
                id,
                d,
                r,
                "post",
                m(vec![
                    ("text", t(text)),
                    ("facets", a(vec![tag_facet(ts, te, &s)])),
                ]),
                e,
            );
        },
    );
    tp(o, "tag-length-before-content", "tag of 65 scalars containing a space: the length is checked before the content (msg.invalid_tag is for content only)", &format!("{} {}", ascii(32), ascii(32)), err("msg.too_long"));
    // FACET-4
    let t2 = format!("h{E2}llo");
    post(
        o,
        "facet-boundary-2-byte",
        "text \"h\u{e9}llo\" (\"é\" is bytes 1..3): facet 0..3 covers \"hé\"",
        &["FACET-4"],
        &t2,
        vec![tag_facet(0, 3, "x")],
        ok(),
    );
    post(
        o,
        "facet-boundary-start-inside",
        "text \"h\u{e9}llo\": facet 2..4 starts inside \"é\"",
        &["FACET-4"],
        &t2,
        vec![tag_facet(2, 4, "x")],
        err("msg.facet_boundary"),
    );
    post(
        o,
        "facet-boundary-end-inside",
        "text \"h\u{e9}llo\": facet 0..2 ends inside \"é\"",
        &["FACET-4"],
        &t2,
        vec![tag_facet(0, 2, "x")],
        err("msg.facet_boundary"),
    );
    let t4 = format!("a{E4}b");
    post(
        o,
        "facet-boundary-4-byte",
        "text \"a\u{1F600}b\" (the emoji is bytes 1..5): facet 1..5 covers it",
        &["FACET-4"],
        &t4,
        vec![tag_facet(1, 5, "x")],
        ok(),
    );
    for (s, e) in [(1u64, 3u64), (2, 5), (1, 4), (4, 6)] {
        post(
            o,
            &format!("facet-boundary-4-byte-{s}-{e}"),
            &format!("text \"a\u{1F600}b\": facet {s}..{e} splits the 4-byte character"),
            &["FACET-4"],
            &t4,
            vec![tag_facet(s, e, "x")],
            err("msg.facet_boundary"),
        );
    }
    post(o, "facet-range-before-boundary", "text \"a\u{1F600}b\": facet 2..7 starts inside the emoji and ends past the text: FACET-3 comes before FACET-4", &["FACET-3", "FACET-4"], &t4, vec![tag_facet(2, 7, "x")], err("msg.facet_range"));
    // FACET-5
    p(
        o,
        "facets-adjacent",
        "two facets 0..2 and 2..4: adjacent is allowed (start >= previous end)",
        &["FACET-5"],
        vec![tag_facet(0, 2, "a"), tag_facet(2, 4, "b")],
        ok(),
    );
    p(
        o,
        "facets-overlap",
        "facets 0..5 and 4..8 overlap by one byte",
        &["FACET-5"],
        vec![tag_facet(0, 5, "a"), tag_facet(4, 8, "b")],
        err("msg.facet_order"),
    );
    p(
        o,
        "facets-unsorted",
        "facets 6..8 then 0..2 (not sorted by start)",
        &["FACET-5"],
        vec![tag_facet(6, 8, "a"), tag_facet(0, 2, "b")],
        err("msg.facet_order"),
    );
    p(
        o,
        "facets-same-start",
        "facets 0..5 and 0..3",
        &["FACET-5"],
        vec![tag_facet(0, 5, "a"), tag_facet(0, 3, "b")],
        err("msg.facet_order"),
    );
    p(
        o,
        "facets-nested",
        "facets 0..10 and 3..5 (the second inside the first)",
        &["FACET-5"],
        vec![tag_facet(0, 10, "a"), tag_facet(3, 5, "b")],
        err("msg.facet_order"),
    );
    p(o, "facets-per-facet-order", "facets 0..5, 3..8 (overlaps the first), then one of type \"bogus\": each facet is checked completely (1, 2, 3, 4, then 5 against the previous one) before the next", &["FACET-5", "FACET-1"], vec![tag_facet(0, 5, "a"), tag_facet(3, 8, "b"), facet(10, 12, "bogus", None)], err("msg.facet_order"));
    p(o, "facets-range-before-order", "facets 0..5, then 3..99: the second is both out of range and overlapping; FACET-3 comes before FACET-5", &["FACET-3", "FACET-5"], vec![tag_facet(0, 5, "a"), tag_facet(3, 99, "b")], err("msg.facet_range"));
    // Counts.
    let long = ascii(100);
    for (n, exp) in [(63usize, ok()), (64, ok()), (65, err("msg.too_many"))] {
        post(
            o,
            &format!("facets-{n}"),
            &format!("{n} one-byte tag facets over a 100-byte text (limit 64)"),
            &["MSG-1"],
            &long,
            (0..n as u64).map(|i| tag_facet(i, i + 1, "t")).collect(),
            exp,
        );
    }
    // FACET-7: at most 10 mentions among the facets; links and tags do not count. Each facet is
    // (kind of the facet i, mention?) over one byte i of a 100-byte text.
    let one = |i: u64, is_mention: bool| {
        if is_mention {
            mention(i, i + 1)
        } else {
            tag_facet(i, i + 1, "t")
        }
    };
    /// (id, description, rules, facets, expected).
    type FacetCase = (
        &'static str,
        &'static str,
        &'static [&'static str],
        Vec<Value>,
        Exp,
    );
    let mentions_cases: [FacetCase; 6] = [
        ("mentions-10", "10 one-byte mention facets (the FACET-7 cap)", &["FACET-7"], (0..10).map(|i| one(i, true)).collect(), ok()),
        ("mentions-11", "11 one-byte mention facets: the eleventh is over the cap", &["FACET-7"], (0..11).map(|i| one(i, true)).collect(), err("msg.too_many_mentions")),
        ("mentions-10-among-64-facets", "64 facets, of which 10 mentions interleaved with tags: links and tags do not count", &["FACET-7", "MSG-1"], (0..64).map(|i| one(i, i % 6 == 0 && i < 60)).collect(), ok()),
        ("mentions-11-among-tags", "tags and mentions alternating, the eleventh mention is facet 21", &["FACET-7"], (0..30).map(|i| one(i, i % 2 == 1)).collect(), err("msg.too_many_mentions")),
        ("mentions-order-before-cap", "10 mentions, then an eleventh that overlaps the tenth: FACET-5 of that facet comes before FACET-7", &["FACET-5", "FACET-7"], (0..10).map(|i| one(i, true)).chain([mention(9, 10)]).collect(), err("msg.facet_order")),
        ("threat-mention-notification-spam", "one post that would notify 64 accounts: 64 mention facets, refused at the eleventh", &["FACET-7"], (0..64).map(|i| one(i, true)).collect(), err("msg.too_many_mentions")),
    ];
    for (id, d, rules, fs, exp) in mentions_cases {
        post(o, id, d, rules, &long, fs, exp);
    }
    post(
        o,
        "facets-empty",
        "post with \"facets\": []",
        &["MSG-1"],
        text,
        vec![],
        err("msg.too_short"),
    );
    o.body(
        "facets-wrong-type",
        "post \"facets\" is a map",
        &["MSG-1"],
        "post",
        m(vec![("text", t(text)), ("facets", m(vec![]))]),
        err("msg.wrong_type"),
    );
    // FACET-6
    o.body(
        "facets-without-text",
        "post with an image embed and a facet but no text",
        &["FACET-6"],
        "post",
        m(vec![
            ("embeds", a(vec![media_embed(img())])),
            ("facets", a(vec![tag_facet(0, 1, "x")])),
        ]),
        err("msg.facet_range"),
    );
    o.body(
        "facets-without-text-before-empty-post",
        "post with only a facet (no text, embeds or quote): FACET-6 is checked before POST-1",
        &["FACET-6", "POST-1"],
        "post",
        m(vec![("facets", a(vec![tag_facet(0, 1, "x")]))]),
        err("msg.facet_range"),
    );
}

// ------------------------------------------------------------------------------------------------ PROFILE-2, PROFILE-3

/// The locator (`hosts`) and the name claim (`handle`) of a profile.
fn locator_and_name(o: &mut Out) {
    let long_label = "a".repeat(63);
    let name_253 = format!("{l}.{l}.{l}.{m}", l = long_label, m = "b".repeat(61));
    let name_254 = format!("{l}.{l}.{l}.{m}", l = long_label, m = "b".repeat(62));
    let label_64 = format!("{}.example", "a".repeat(64));
    let hosts: Vec<(&str, &str, Vec<String>, Exp)> = vec![
        (
            "host-one",
            "one host",
            vec!["https://node.example".into()],
            ok(),
        ),
        (
            "host-port",
            "a host with a port",
            vec!["https://node.example:8443".into()],
            ok(),
        ),
        (
            "host-port-max",
            "port 65535",
            vec!["https://node.example:65535".into()],
            ok(),
        ),
        (
            "host-four",
            "four hosts (the limit)",
            (1..=4).map(|i| format!("https://n{i}.example")).collect(),
            ok(),
        ),
        (
            "host-five",
            "five hosts (limit 4)",
            (1..=5).map(|i| format!("https://n{i}.example")).collect(),
            err("msg.too_many"),
        ),
        (
            "host-empty-list",
            "\"hosts\": []",
            vec![],
            err("msg.too_short"),
        ),
        (
            "threat-host-duplicate",
            "the same host twice (a locator padded with one host)",
            vec!["https://node.example".into(), "https://node.example".into()],
            err("msg.duplicate"),
        ),
        (
            "host-http",
            "http:// (hosts are https only)",
            vec!["http://node.example".into()],
            err("msg.invalid_host"),
        ),
        (
            "host-path",
            "a trailing slash (no path)",
            vec!["https://node.example/".into()],
            err("msg.invalid_host"),
        ),
        (
            "host-query",
            "a query",
            vec!["https://node.example?x=1".into()],
            err("msg.invalid_host"),
        ),
        (
            "host-userinfo",
            "user information (a look-alike of another host)",
            vec!["https://node.example@evil.example".into()],
            err("msg.invalid_host"),
        ),
        (
            "host-upper",
            "upper-case letters (one host, one spelling)",
            vec!["https://Node.example".into()],
            err("msg.invalid_host"),
        ),
        (
            "host-ipv4",
            "an IPv4 address (the last label must start with a letter)",
            vec!["https://192.0.2.1".into()],
            err("msg.invalid_host"),
        ),
        (
            "host-single-label",
            "one label",
            vec!["https://localhost".into()],
            err("msg.invalid_host"),
        ),
        (
            "host-port-zero",
            "port 0",
            vec!["https://node.example:0".into()],
            err("msg.invalid_host"),
        ),
        (
            "host-port-leading-zero",
            "port 0443",
            vec!["https://node.example:0443".into()],
            err("msg.invalid_host"),
        ),
        (
            "host-port-too-large",
            "port 65536",
            vec!["https://node.example:65536".into()],
            err("msg.invalid_host"),
        ),
        (
            "host-port-empty",
            "a colon without a port",
            vec!["https://node.example:".into()],
            err("msg.invalid_host"),
        ),
        (
            "host-trailing-dot",
            "a trailing dot",
            vec!["https://node.example.".into()],
            err("msg.invalid_host"),
        ),
        (
            "host-in-order",
            "a valid host, then an invalid one: elements are checked in order",
            vec![
                "https://node.example".into(),
                "https://node.example/x".into(),
            ],
            err("msg.invalid_host"),
        ),
    ];
    for (id, d, list, exp) in hosts {
        let rules: &[&str] = match exp {
            Exp::Invalid("msg.too_many" | "msg.too_short") => &["MSG-1"],
            _ => &["PROFILE-2"],
        };
        o.body(
            id,
            &format!("profile hosts: {d}"),
            rules,
            "profile",
            m(vec![(
                "hosts",
                a(list.iter().map(|s| t(s)).collect::<Vec<_>>()),
            )]),
            exp,
        );
    }
    o.body(
        "host-wrong-type",
        "profile hosts: a host that is not text",
        &["MSG-1"],
        "profile",
        m(vec![("hosts", a(vec![b(&[0])]))]),
        err("msg.wrong_type"),
    );
    let names: Vec<(&str, &str, String, Exp)> = vec![
        ("name-simple", "alice.example", "alice.example".into(), ok()),
        (
            "name-deep",
            "a name of four labels with digits and hyphens",
            "a-1.b2.c-d.example".into(),
            ok(),
        ),
        (
            "name-253",
            "a name of 253 bytes (the limit)",
            name_253,
            ok(),
        ),
        (
            "name-254",
            "a name of 254 bytes",
            name_254,
            err("msg.invalid_name"),
        ),
        (
            "name-label-64",
            "a label of 64 bytes",
            label_64,
            err("msg.invalid_name"),
        ),
        (
            "name-upper",
            "\"Alice.example\": names are not case-folded, upper case is rejected",
            "Alice.example".into(),
            err("msg.invalid_name"),
        ),
        (
            "threat-name-cyrillic",
            "\"аpple.example\" with a Cyrillic а (U+0430), a look-alike of apple.example",
            "\u{430}pple.example".into(),
            err("msg.invalid_name"),
        ),
        (
            "threat-name-punycode",
            "\"xn--pple-43d.example\", the A-label of the Cyrillic look-alike: no IDNA labels",
            "xn--pple-43d.example".into(),
            err("msg.invalid_name"),
        ),
        (
            "threat-name-fullwidth",
            "\"ａlice.example\" with a fullwidth ａ (U+FF41), which IDNA mapping would fold to a",
            "\u{ff41}lice.example".into(),
            err("msg.invalid_name"),
        ),
        (
            "name-unicode",
            "\"bücher.example\": Unicode names are not accepted in this draft",
            "b\u{fc}cher.example".into(),
            err("msg.invalid_name"),
        ),
        (
            "name-reserved-label",
            "\"ab--c.example\": hyphens at the third and fourth byte are reserved for IDNA",
            "ab--c.example".into(),
            err("msg.invalid_name"),
        ),
        (
            "name-hyphen-edge",
            "a label ending in a hyphen",
            "alice-.example".into(),
            err("msg.invalid_name"),
        ),
        (
            "name-single-label",
            "one label",
            "alice".into(),
            err("msg.invalid_name"),
        ),
        (
            "name-numeric-tld",
            "a last label starting with a digit",
            "alice.123".into(),
            err("msg.invalid_name"),
        ),
        (
            "name-trailing-dot",
            "a trailing dot",
            "alice.example.".into(),
            err("msg.invalid_name"),
        ),
        (
            "name-empty-label",
            "an empty label",
            "alice..example".into(),
            err("msg.invalid_name"),
        ),
        (
            "name-underscore",
            "an underscore",
            "al_ice.example".into(),
            err("msg.invalid_name"),
        ),
    ];
    for (id, d, name, exp) in names {
        o.body(
            id,
            &format!("profile handle: {d}"),
            &["PROFILE-3"],
            "profile",
            m(vec![("handle", t(&name))]),
            exp,
        );
    }
    o.body(
        "name-wrong-type",
        "profile handle: bytes, not text",
        &["MSG-1"],
        "profile",
        m(vec![("handle", b(b"alice.example"))]),
        err("msg.wrong_type"),
    );
    o.body(
        "profile-locator-and-name",
        "profile with every field: hosts and handle are checked in encoded key order (bio, name, hosts, links, avatar, banner, handle)",
        &["PROFILE-1", "PROFILE-2", "PROFILE-3"],
        "profile",
        m(vec![
            ("bio", t("Writes about lighthouses.")),
            ("name", t("Alice")),
            ("hosts", a(vec![t("https://node.example")])),
            ("links", a(vec![t("https://alice.example")])),
            ("avatar", set(&img(), "mime", t("image/webp"))),
            ("handle", t("alice.example")),
        ]),
        ok(),
    );
    o.body(
        "profile-hosts-before-links",
        "an invalid host and an invalid link: \"hosts\" is encoded (and checked) before \"links\"",
        &["PROFILE-2"],
        "profile",
        m(vec![
            ("hosts", a(vec![t("http://node.example")])),
            ("links", a(vec![t("ftp://x")])),
        ]),
        err("msg.invalid_host"),
    );
}

// ------------------------------------------------------------------------------------------------ PROFILE

fn profile(o: &mut Out) {
    o.body(
        "profile-empty",
        "profile {} (allowed: clears the profile)",
        &["MSG-1"],
        "profile",
        m(vec![]),
        ok(),
    );
    o.body(
        "profile-full",
        "profile with bio, name, links, avatar and banner",
        &["PROFILE-1", "MSG-5"],
        "profile",
        m(vec![
            ("bio", t("Writes about lighthouses.")),
            ("name", t("Alice")),
            ("links", a(vec![t("https://alice.example")])),
            ("avatar", set(&img(), "mime", t("image/webp"))),
            ("banner", set(&img(), "mime", t("image/jpeg"))),
        ]),
        ok(),
    );
    o.body(
        "profile-namespaced-field",
        "profile with \"com.example.pronouns\"",
        &["MSG-1"],
        "profile",
        m(vec![("com.example.pronouns", t("she/her"))]),
        ok(),
    );
    o.body(
        "profile-unknown-field",
        "profile with the un-dotted unknown key \"website\"",
        &["MSG-1"],
        "profile",
        m(vec![("website", t("https://alice.example"))]),
        err("msg.unknown_field"),
    );
    o.body(
        "profile-name-wrong-type",
        "profile \"name\" is an integer",
        &["MSG-1"],
        "profile",
        m(vec![("name", u(1))]),
        err("msg.wrong_type"),
    );
    for f in ["avatar", "banner"] {
        let vid = set(&set(&media("video/mp4"), "width", u(100)), "height", u(100));
        o.body(
            &format!("profile-{f}-video"),
            &format!("profile {f} with mime video/mp4 (dimensions present): must be image/*"),
            &["PROFILE-1"],
            "profile",
            m(vec![(f, vid)]),
            err("msg.invalid_media_type"),
        );
        o.body(&format!("profile-{f}-pdf"), &format!("profile {f} with mime application/pdf (no dimensions needed by MEDIA-4): must be image/*"), &["PROFILE-1"], "profile", m(vec![(f, media("application/pdf"))]), err("msg.invalid_media_type"));
        o.body(
            &format!("profile-{f}-gif"),
            &format!("profile {f} image/gif"),
            &["PROFILE-1"],
            "profile",
            m(vec![(f, set(&img(), "mime", t("image/gif")))]),
            ok(),
        );
        o.body(
            &format!("profile-{f}-wrong-type"),
            &format!("profile {f} is a text string"),
            &["MSG-1"],
            "profile",
            m(vec![(f, t("https://alice.example/a.png"))]),
            err("msg.wrong_type"),
        );
        o.body(
            &format!("profile-{f}-no-dimensions"),
            &format!("profile {f} image/png without dimensions (the media rules apply to {f})"),
            &["MEDIA-4"],
            "profile",
            m(vec![(f, media("image/png"))]),
            err("msg.dimensions"),
        );
    }
    o.body("profile-avatar-media-before-profile-1", "profile avatar video/mp4 without dimensions: the avatar passes MEDIA-1..5 first (msg.dimensions) before PROFILE-1 is checked", &["MEDIA-4", "PROFILE-1"], "profile", m(vec![("avatar", media("video/mp4"))]), err("msg.dimensions"));
    o.body(
        "profile-avatar-unknown-field",
        "profile avatar with the un-dotted unknown key \"url\"",
        &["MSG-1"],
        "profile",
        m(vec![("avatar", set(&img(), "url", t("https://x.example")))]),
        err("msg.unknown_field"),
    );
    string_limits(
        o,
        "profile-name",
        "profile name",
        "MSG-1",
        64,
        256,
        "msg.too_long",
        "msg.too_short",
        &|o, id, d, r, s, e| {
            o.body(id, d, r, "profile", m(vec![("name", t(&s))]), e);
        },
    );
    string_limits(
        o,
        "profile-bio",
        "profile bio",
        "MSG-1",
        256,
        1024,
        "msg.too_long",
        "msg.too_short",
        &|o, id, d, r, s, e| {
            o.body(id, d, r, "profile", m(vec![("bio", t(&s))]), e);
        },
    );
}

// ------------------------------------------------------------------------------------------------ POST

const SELF_LABELS: &[&str] = &[
    "porn",
    "sexual",
    "nudity",
    "graphic-media",
    "gore",
    "spoiler",
];
const OTHER_LABELS: &[&str] = &[
    "!hide",
    "!warn",
    "spam",
    "impersonation",
    "misleading",
    "hate",
    "harassment",
    "self-harm",
];

fn custom_label(n: usize) -> String {
    let s = format!("com.example.{}", ascii(n - 12));
    assert_eq!(s.len(), n);
    s
}

fn post(o: &mut Out, w: &World) {
    let id1 = rid("a post");
    let id2 = rid("another post");
    let text = |s: &str| m(vec![("text", t(s))]);
    o.body(
        "post-text",
        "post {\"text\": \"Hello!\"}",
        &["POST-1"],
        "post",
        text("Hello!"),
        ok(),
    );
    o.body(
        "post-quote-only",
        "post with only a quote (a reference: no lookup)",
        &["POST-1"],
        "post",
        m(vec![("quote", b(&id1))]),
        ok(),
    );
    o.body(
        "post-embed-only",
        "post with only an image embed",
        &["POST-1"],
        "post",
        post_media(img()),
        ok(),
    );
    o.body(
        "post-full",
        "post with every field: text, langs, quote, reply, embeds (media and card), facets and labels",
        &["POST-1", "POST-2", "POST-3", "POST-4", "POST-5"],
        "post",
        m(vec![
            ("text", t("Look @bob")),
            ("langs", a(vec![t("en")])),
            ("quote", b(&id1)),
            ("reply", m(vec![("root", b(&id1)), ("parent", b(&id2))])),
            (
                "embeds",
                a(vec![
                    media_embed(set(&img(), "alt", t("A photo"))),
                    m(vec![
                        ("type", t("card")),
                        ("url", t("https://example.com/article")),
                        ("title", t("An article")),
                        ("description", t("About lighthouses.")),
                        ("thumb", img()),
                    ]),
                ]),
            ),
            ("facets", a(vec![facet(5, 9, "mention", Some(("account", b(&w.bob.acct))))])),
            ("labels", a(vec![t("spoiler"), t("com.example.cw")])),
        ]),
        ok(),
    );
    // POST-1
    for (name, d, body) in [
        ("empty", "post {}", m(vec![])),
        (
            "langs-only",
            "post with only langs",
            m(vec![("langs", a(vec![t("en")]))]),
        ),
        (
            "reply-only",
            "post with only a reply",
            m(vec![(
                "reply",
                m(vec![("root", b(&id1)), ("parent", b(&id1))]),
            )]),
        ),
        (
            "labels-only",
            "post with only labels",
            m(vec![("labels", a(vec![t("spoiler")]))]),
        ),
        (
            "namespaced-only",
            "post with only a namespaced key",
            m(vec![("com.example.text", t("hi"))]),
        ),
    ] {
        o.body(
            &format!("post-empty-{name}"),
            &format!("{d}: none of text, embeds, quote"),
            &["POST-1"],
            "post",
            body,
            err("msg.empty_post"),
        );
    }
    string_limits(
        o,
        "post-text",
        "post text",
        "MSG-1",
        1000,
        3000,
        "msg.too_long",
        "msg.too_short",
        &|o, id, d, r, s, e| {
            o.body(id, d, r, "post", m(vec![("text", t(&s))]), e);
        },
    );
    o.body(
        "post-quote-31-bytes",
        "post quote of 31 bytes",
        &["MSG-1"],
        "post",
        m(vec![("quote", b(&id1[..31]))]),
        err("msg.wrong_type"),
    );
    o.body(
        "post-quote-text",
        "post quote given as a text string",
        &["MSG-1"],
        "post",
        m(vec![("quote", t(&hex(&id1)))]),
        err("msg.wrong_type"),
    );
    // POST-5
    let reply = |r: Value| m(vec![("text", t("re")), ("reply", r)]);
    o.body(
        "post-reply-to-root",
        "reply to the root itself: root == parent",
        &["POST-5"],
        "post",
        reply(m(vec![("root", b(&id1)), ("parent", b(&id1))])),
        ok(),
    );
    o.body(
        "post-reply-in-thread",
        "reply in a thread: root != parent (no lookup)",
        &["POST-5"],
        "post",
        reply(m(vec![("root", b(&id1)), ("parent", b(&id2))])),
        ok(),
    );
    o.body(
        "post-reply-missing-parent",
        "reply without parent",
        &["MSG-1", "POST-5"],
        "post",
        reply(m(vec![("root", b(&id1))])),
        err("msg.missing_field"),
    );
    o.body(
        "post-reply-missing-root",
        "reply without root",
        &["MSG-1", "POST-5"],
        "post",
        reply(m(vec![("parent", b(&id1))])),
        err("msg.missing_field"),
    );
    o.body(
        "post-reply-root-33-bytes",
        "reply root of 33 bytes",
        &["MSG-1"],
        "post",
        reply(m(vec![
            ("root", b(&[id1.as_slice(), &[0]].concat())),
            ("parent", b(&id1)),
        ])),
        err("msg.wrong_type"),
    );
    o.body(
        "post-reply-wrong-type",
        "reply is an array [root, parent]",
        &["MSG-1"],
        "post",
        reply(a(vec![b(&id1), b(&id1)])),
        err("msg.wrong_type"),
    );
    o.body(
        "post-reply-unknown-field",
        "reply with the un-dotted unknown key \"thread\"",
        &["MSG-1"],
        "post",
        reply(m(vec![
            ("root", b(&id1)),
            ("parent", b(&id1)),
            ("thread", u(1)),
        ])),
        err("msg.unknown_field"),
    );
    o.body(
        "post-reply-namespaced-field",
        "reply with the namespaced key \"com.example.thread\"",
        &["MSG-1"],
        "post",
        reply(m(vec![
            ("root", b(&id1)),
            ("parent", b(&id1)),
            ("com.example.thread", u(1)),
        ])),
        ok(),
    );
    // Embeds.
    let embeds = |v: Vec<Value>| m(vec![("text", t("see")), ("embeds", a(v))]);
    let c = || card("https://example.com/a");
    let mi = || media_embed(img());
    for (n, exp) in [(3usize, ok()), (4, ok()), (5, err("msg.too_many"))] {
        o.body(
            &format!("post-embeds-{n}"),
            &format!("post with {n} image embeds (limit 4)"),
            &["MSG-1"],
            "post",
            embeds(vec![mi(); n]),
            exp,
        );
    }
    o.body(
        "post-embeds-card-and-3-media",
        "post with one card and three image embeds",
        &["POST-2"],
        "post",
        embeds(vec![mi(), c(), mi(), mi()]),
        ok(),
    );
    o.body(
        "post-embeds-empty",
        "post with \"embeds\": [] (and text)",
        &["MSG-1"],
        "post",
        embeds(vec![]),
        err("msg.too_short"),
    );
    o.body(
        "post-embeds-two-cards",
        "post with two card embeds (at most one card)",
        &["POST-2"],
        "post",
        embeds(vec![c(), card("https://example.com/b")]),
        err("msg.too_many"),
    );
    o.body(
        "post-embeds-wrong-type",
        "post \"embeds\" is a map",
        &["MSG-1"],
        "post",
        m(vec![("text", t("x")), ("embeds", mi())]),
        err("msg.wrong_type"),
    );
    o.body(
        "post-embed-wrong-type",
        "an embed that is a text string",
        &["MSG-1"],
        "post",
        embeds(vec![t("https://example.com")]),
        err("msg.wrong_type"),
    );
    for (name, ty) in [("video", "video"), ("upper-case", "Media"), ("empty", "")] {
        o.body(
            &format!("post-embed-type-{name}"),
            &format!(
                "an embed of type {} (with a media field)",
                crate::util::json_string(ty)
            ),
            &["POST-3"],
            "post",
            embeds(vec![m(vec![("type", t(ty)), ("media", img())])]),
            err("msg.invalid_embed_type"),
        );
    }
    o.body(
        "post-embed-type-wrong-type",
        "an embed whose type is an integer",
        &["MSG-1", "POST-3"],
        "post",
        embeds(vec![m(vec![("type", u(0)), ("media", img())])]),
        err("msg.wrong_type"),
    );
    o.body(
        "post-embed-type-missing",
        "an embed {\"media\": ..} without type",
        &["MSG-1", "POST-3"],
        "post",
        embeds(vec![m(vec![("media", img())])]),
        err("msg.missing_field"),
    );
    o.body(
        "post-embed-media-with-url",
        "a media embed with a \"url\" (media embeds have exactly type and media)",
        &["MSG-1", "POST-3"],
        "post",
        embeds(vec![set(&mi(), "url", t("https://example.com"))]),
        err("msg.unknown_field"),
    );
    o.body(
        "post-embed-media-missing-media",
        "a media embed without media",
        &["MSG-1", "POST-3"],
        "post",
        embeds(vec![m(vec![("type", t("media"))])]),
        err("msg.missing_field"),
    );
    o.body(
        "post-embed-card-missing-url",
        "a card embed without url",
        &["MSG-1", "POST-3"],
        "post",
        embeds(vec![m(vec![("type", t("card")), ("title", t("x"))])]),
        err("msg.missing_field"),
    );
    o.body(
        "post-embed-card-with-media",
        "a card embed with a \"media\" field",
        &["MSG-1", "POST-3"],
        "post",
        embeds(vec![set(&c(), "media", img())]),
        err("msg.unknown_field"),
    );
    o.body(
        "post-embed-card-namespaced",
        "a card embed with the namespaced key \"com.example.site\"",
        &["POST-3"],
        "post",
        embeds(vec![set(&c(), "com.example.site", t("Example"))]),
        ok(),
    );
    o.body(
        "post-embed-media-namespaced",
        "a media embed with the namespaced key \"com.example.layout\"",
        &["POST-3"],
        "post",
        embeds(vec![set(&mi(), "com.example.layout", t("wide"))]),
        ok(),
    );
    o.body(
        "post-embed-card-invalid-url",
        "a card embed with url \"example.com\"",
        &["MSG-5"],
        "post",
        embeds(vec![card("example.com")]),
        err("msg.invalid_url"),
    );
    o.body(
        "post-embed-card-thumb",
        "a card embed with an image thumb",
        &["POST-3"],
        "post",
        embeds(vec![set(&c(), "thumb", img())]),
        ok(),
    );
    o.body(
        "post-embed-card-thumb-invalid",
        "a card embed whose thumb has size 0 (the media rules apply)",
        &["MEDIA-3"],
        "post",
        embeds(vec![set(&c(), "thumb", set(&img(), "size", u(0)))]),
        err("msg.out_of_range"),
    );
    o.body(
        "post-embed-card-title-wrong-type",
        "a card embed whose title is an integer",
        &["MSG-1"],
        "post",
        embeds(vec![set(&c(), "title", u(1))]),
        err("msg.wrong_type"),
    );
    string_limits(
        o,
        "card-title",
        "card title",
        "MSG-1",
        300,
        1200,
        "msg.too_long",
        "msg.too_short",
        &|o, id, d, r, s, e| {
            o.body(id, d, r, "post", post_card(set(&c(), "title", t(&s))), e);
        },
    );
    string_limits(
        o,
        "card-description",
        "card description",
        "MSG-1",
        1000,
        4000,
        "msg.too_long",
        "msg.too_short",
        &|o, id, d, r, s, e| {
            o.body(
                id,
                d,
                r,
                "post",
                post_card(set(&c(), "description", t(&s))),
                e,
            );
        },
    );
    // Labels (POST-4, LABEL-2 subset).
    let labels = |v: Vec<String>| {
        m(vec![
            ("text", t("x")),
            ("labels", a(v.iter().map(|s| t(s)).collect())),
        ])
    };
    for l in SELF_LABELS {
        o.body(
            &format!("post-self-label-{l}"),
            &format!("post self-label \"{l}\" (content-warning subset)"),
            &["LABEL-2"],
            "post",
            labels(vec![l.to_string()]),
            ok(),
        );
    }
    for l in OTHER_LABELS {
        o.body(
            &format!("post-self-label-{}", l.trim_start_matches('!')),
            &format!(
                "post self-label \"{l}\": in the label vocabulary but not in the self-label subset"
            ),
            &["LABEL-2"],
            "post",
            labels(vec![l.to_string()]),
            err("msg.invalid_label"),
        );
    }
    for (name, d, l, exp) in [
        (
            "custom",
            "a namespaced custom value \"com.example.cw\"",
            "com.example.cw".to_string(),
            ok(),
        ),
        (
            "custom-127",
            "a custom value of 127 bytes",
            custom_label(127),
            ok(),
        ),
        (
            "custom-128",
            "a custom value of 128 bytes (the kind grammar's limit)",
            custom_label(128),
            ok(),
        ),
        (
            "custom-129",
            "a custom value of 129 bytes",
            custom_label(129),
            err("msg.invalid_label"),
        ),
        (
            "custom-no-dot",
            "\"cw\" (not in the vocabulary, and a custom value needs a dot)",
            "cw".into(),
            err("msg.invalid_label"),
        ),
        (
            "custom-upper-case",
            "\"com.example.CW\"",
            "com.example.CW".into(),
            err("msg.invalid_label"),
        ),
        (
            "custom-empty-segment",
            "\"com..cw\"",
            "com..cw".into(),
            err("msg.invalid_label"),
        ),
        (
            "custom-non-ascii",
            "\"com.example.\u{e9}\"",
            "com.example.\u{e9}".into(),
            err("msg.invalid_label"),
        ),
        (
            "upper-case",
            "\"Spoiler\"",
            "Spoiler".into(),
            err("msg.invalid_label"),
        ),
        (
            "empty",
            "the empty string",
            String::new(),
            err("msg.invalid_label"),
        ),
    ] {
        o.body(
            &format!("post-self-label-{name}"),
            &format!("post self-label {d}"),
            &["LABEL-2"],
            "post",
            labels(vec![l]),
            exp,
        );
    }
    let eight: Vec<String> = SELF_LABELS
        .iter()
        .map(|s| s.to_string())
        .chain([
            "com.example.a".into(),
            "com.example.b".into(),
            "com.example.c".into(),
        ])
        .collect();
    for (n, exp) in [(7usize, ok()), (8, ok()), (9, err("msg.too_many"))] {
        o.body(
            &format!("post-labels-{n}"),
            &format!("post with {n} distinct self-labels (limit 8)"),
            &["MSG-1"],
            "post",
            labels(eight[..n].to_vec()),
            exp,
        );
    }
    o.body(
        "post-labels-empty",
        "post with \"labels\": []",
        &["MSG-1"],
        "post",
        labels(vec![]),
        err("msg.too_short"),
    );
    o.body(
        "post-labels-duplicate",
        "post labels [\"spoiler\", \"gore\", \"spoiler\"]",
        &["POST-4"],
        "post",
        labels(vec!["spoiler".into(), "gore".into(), "spoiler".into()]),
        err("msg.duplicate"),
    );
    o.body(
        "post-labels-element-wrong-type",
        "post labels [1]",
        &["MSG-1"],
        "post",
        m(vec![("text", t("x")), ("labels", a(vec![u(1)]))]),
        err("msg.wrong_type"),
    );
    o.body(
        "post-fields-before-after-checks",
        "post with two cards (POST-2, checked after all fields) and the label \"spam\" (LABEL-2, checked with the labels field)",
        &["LABEL-2", "POST-2"],
        "post",
        m(vec![("text", t("x")), ("embeds", a(vec![c(), c()])), ("labels", a(vec![t("spam")]))]),
        err("msg.invalid_label"),
    );
    o.body(
        "post-facet-6-before-post-2",
        "post with two cards and a facet but no text: FACET-6 comes before POST-2",
        &["FACET-6", "POST-2"],
        "post",
        m(vec![
            ("embeds", a(vec![c(), c()])),
            ("facets", a(vec![tag_facet(0, 1, "x")])),
        ]),
        err("msg.facet_range"),
    );
}

// ------------------------------------------------------------------------------------------------ EDIT

fn edit(o: &mut Out, w: &World) {
    // Body cases: alice's seq 10, an edit of her post 1 replacing her edit 9; known: 9 (prev, replaces), 1.
    let case =
        |o: &mut Out, id: &str, d: &str, rules: &[&str], f: &dyn Fn(Value) -> Value, exp: Exp| {
            let h = w.alice_hist(id);
            let base = m(vec![
                ("target", b(&h.at(1).id)),
                ("replaces", b(&h.at(9).id)),
            ]);
            let msg = h.make("edit", 2, f(base));
            o.push(
                id,
                &format!("{d} (alice's edit of her post 1, replacing her edit 9; both known)"),
                rules,
                &msg,
                false,
                &ctx().with(&[h.at(9), h.at(1)]),
                exp,
            );
        };
    let c = || card("https://example.com/a");
    case(
        o,
        "edit-text",
        "edit with new text",
        &["EDIT-1", "EDIT-2", "EDIT-3"],
        &|x| set(&x, "text", t("new text")),
        ok(),
    );
    case(
        o,
        "edit-embeds-only",
        "edit with only embeds",
        &["EDIT-1"],
        &|x| set(&x, "embeds", a(vec![media_embed(img())])),
        ok(),
    );
    case(
        o,
        "edit-all-fields",
        "edit with text, langs, embeds, facets and labels",
        &["EDIT-1"],
        &|x| {
            let x = set(&x, "text", t("hi #tag"));
            let x = set(&x, "langs", a(vec![t("en")]));
            let x = set(&x, "embeds", a(vec![c()]));
            let x = set(&x, "facets", a(vec![tag_facet(3, 7, "tag")]));
            set(&x, "labels", a(vec![t("spoiler")]))
        },
        ok(),
    );
    case(
        o,
        "edit-namespaced-field",
        "edit with text and the namespaced key \"com.example.reason\"",
        &["MSG-1"],
        &|x| set(&set(&x, "text", t("x")), "com.example.reason", t("typo")),
        ok(),
    );
    case(
        o,
        "edit-empty",
        "edit with target and replaces only",
        &["EDIT-1"],
        &|x| x,
        err("msg.empty_post"),
    );
    case(
        o,
        "edit-langs-only",
        "edit with only langs",
        &["EDIT-1"],
        &|x| set(&x, "langs", a(vec![t("en")])),
        err("msg.empty_post"),
    );
    case(
        o,
        "edit-labels-only",
        "edit with only labels",
        &["EDIT-1"],
        &|x| set(&x, "labels", a(vec![t("spoiler")])),
        err("msg.empty_post"),
    );
    case(
        o,
        "edit-quote",
        "edit with text and \"quote\" (not a field of edit: an edit cannot move a post)",
        &["MSG-1"],
        &|x| set(&set(&x, "text", t("x")), "quote", b(&rid("q"))),
        err("msg.unknown_field"),
    );
    case(
        o,
        "edit-reply",
        "edit with text and \"reply\" (not a field of edit)",
        &["MSG-1"],
        &|x| {
            set(
                &set(&x, "text", t("x")),
                "reply",
                m(vec![("root", b(&rid("q"))), ("parent", b(&rid("q")))]),
            )
        },
        err("msg.unknown_field"),
    );
    case(
        o,
        "edit-missing-target",
        "edit without target",
        &["MSG-1"],
        &|x| set(&del(&x, "target"), "text", t("x")),
        err("msg.missing_field"),
    );
    case(
        o,
        "edit-missing-replaces",
        "edit without replaces",
        &["MSG-1"],
        &|x| set(&del(&x, "replaces"), "text", t("x")),
        err("msg.missing_field"),
    );
    case(
        o,
        "edit-target-31-bytes",
        "edit target of 31 bytes",
        &["MSG-1"],
        &|x| {
            let Value::M(e) = &x else { unreachable!() };
            let Value::B(id) = &e.iter().find(|(k, _)| k == "target").unwrap().1 else {
                unreachable!()
            };
            set(&set(&x, "target", b(&id[..31])), "text", t("x"))
        },
        err("msg.wrong_type"),
    );
    case(
        o,
        "edit-replaces-wrong-type",
        "edit replaces given as text",
        &["MSG-1"],
        &|x| set(&set(&x, "replaces", t("msg_abc")), "text", t("x")),
        err("msg.wrong_type"),
    );
    case(
        o,
        "edit-facets-without-text",
        "edit with embeds and a facet but no text",
        &["FACET-6"],
        &|x| {
            set(
                &set(&x, "embeds", a(vec![media_embed(img())])),
                "facets",
                a(vec![tag_facet(0, 1, "x")]),
            )
        },
        err("msg.facet_range"),
    );
    case(
        o,
        "edit-facet-6-before-edit-1",
        "edit with a facet only: FACET-6 comes before EDIT-1",
        &["FACET-6", "EDIT-1"],
        &|x| set(&x, "facets", a(vec![tag_facet(0, 1, "x")])),
        err("msg.facet_range"),
    );
    case(
        o,
        "edit-two-cards",
        "edit with text and two cards (resolution: \"same field rules as post\" includes POST-2)",
        &["POST-2"],
        &|x| set(&set(&x, "text", t("x")), "embeds", a(vec![c(), c()])),
        err("msg.too_many"),
    );
    case(
        o,
        "edit-embed-type",
        "edit with an embed of type \"video\"",
        &["POST-3"],
        &|x| {
            set(
                &x,
                "embeds",
                a(vec![m(vec![("type", t("video")), ("media", img())])]),
            )
        },
        err("msg.invalid_embed_type"),
    );
    case(
        o,
        "edit-self-label-spam",
        "edit with text and the self-label \"spam\"",
        &["LABEL-2"],
        &|x| set(&set(&x, "text", t("x")), "labels", a(vec![t("spam")])),
        err("msg.invalid_label"),
    );
    case(
        o,
        "edit-lang-invalid",
        "edit with text and langs [\"english\"]",
        &["MSG-6"],
        &|x| set(&set(&x, "text", t("x")), "langs", a(vec![t("english")])),
        err("msg.invalid_lang"),
    );
    for (name, s, exp) in [
        ("text-999-ascii", ascii(999), ok()),
        ("text-1000-ascii", ascii(1000), ok()),
        ("text-1001-ascii", ascii(1001), err("msg.too_long")),
        (
            "text-2999-bytes",
            format!("{}{}", rep(E4, 749), ascii(3)),
            ok(),
        ),
        ("text-3000-bytes", rep(C3, 1000), ok()),
        (
            "text-3001-bytes",
            format!("{}{E4}", rep(C3, 999)),
            err("msg.too_long"),
        ),
        ("text-empty", String::new(), err("msg.too_short")),
    ] {
        let d = format!(
            "edit text of {} scalars / {} bytes (limit 1000 / 3000)",
            scalars(&s),
            s.len()
        );
        case(
            o,
            &format!("edit-{name}"),
            &d,
            &["MSG-1"],
            &|x| set(&x, "text", t(&s)),
            exp.clone(),
        );
    }

    // Lookups (EDIT-2 target, EDIT-3 replaces): alice's seq 10 with prev = her seq 9.
    let look = |o: &mut Out,
                id: &str,
                d: &str,
                rules: &[&str],
                target: &dyn Fn(&Hist) -> Vec<u8>,
                replaces: &dyn Fn(&Hist) -> Vec<u8>,
                known: &dyn Fn(&Hist) -> Ctx,
                exp: &dyn Fn(&Hist) -> Exp| {
        let h = w.alice_hist(id);
        let body = m(vec![
            ("target", b(&target(&h))),
            ("replaces", b(&replaces(&h))),
            ("text", t("edited")),
        ]);
        let msg = h.make("edit", 2, body);
        o.push(id, d, rules, &msg, false, &known(&h), exp(&h));
    };
    let bh = &w.bh;
    let a_ = |n: u64| move |h: &Hist| h.at(n).id.clone();
    look(o, "edit-replaces-post", "edit of alice's post 5 that replaces the post itself (replaces == target, kind post); known: 9 (prev), 5", &["EDIT-2", "EDIT-3"], &a_(5), &a_(5), &|h| ctx().with(&[h.at(9), h.at(5)]), &|_| ok());
    look(
        o,
        "edit-replaces-edit",
        "edit of alice's post 1 replacing her edit 4; known: 9, 1, 4",
        &["EDIT-2", "EDIT-3"],
        &a_(1),
        &a_(4),
        &|h| ctx().with(&[h.at(9), h.at(1), h.at(4)]),
        &|_| ok(),
    );
    look(o, "edit-replaces-edit-of-other-post", "edit of alice's post 5 replacing her edit 4 (an edit of post 1): own edit, so valid; whether it chains is for the merge rules", &["EDIT-3"], &a_(5), &a_(4), &|h| ctx().with(&[h.at(9), h.at(5), h.at(4)]), &|_| ok());
    look(o, "edit-target-stripped", "edit of alice's post 1 replacing edit 9, with post 1 known only as a stripped remainder (lookups need headers only)", &["EDIT-2"], &a_(1), &a_(9), &|h| ctx().with(&[h.at(9)]).with_stripped(&[h.at(1)]), &|_| ok());
    look(
        o,
        "edit-target-not-own",
        "edit whose target is bob's post",
        &["EDIT-2"],
        &|_| bh.at(1).id.clone(),
        &a_(9),
        &|h| ctx().with(&[h.at(9), bh.at(1)]),
        &|_| err("msg.not_own_target"),
    );
    look(
        o,
        "edit-target-react",
        "edit whose target is alice's react (not a post)",
        &["EDIT-2"],
        &a_(2),
        &a_(9),
        &|h| ctx().with(&[h.at(9), h.at(2)]),
        &|_| err("msg.target_kind"),
    );
    look(
        o,
        "edit-target-edit",
        "edit whose target is alice's edit 4 (the target must be the original post)",
        &["EDIT-2"],
        &a_(4),
        &a_(4),
        &|h| ctx().with(&[h.at(9), h.at(4)]),
        &|_| err("msg.target_kind"),
    );
    look(
        o,
        "edit-target-not-own-before-kind",
        "edit whose target is bob's react: the account is checked before the kind",
        &["EDIT-2"],
        &|_| bh.at(2).id.clone(),
        &a_(9),
        &|h| ctx().with(&[h.at(9), bh.at(2)]),
        &|_| err("msg.not_own_target"),
    );
    look(
        o,
        "edit-target-missing",
        "edit of alice's post 1 (not known) replacing edit 9 (known)",
        &["EDIT-2"],
        &a_(1),
        &a_(9),
        &|h| ctx().with(&[h.at(9)]),
        &|h| und(vec![mid(h.at(1))]),
    );
    look(
        o,
        "edit-replaces-not-own",
        "edit of alice's post 1 replacing bob's edit",
        &["EDIT-3"],
        &a_(1),
        &|_| bh.at(4).id.clone(),
        &|h| ctx().with(&[h.at(9), h.at(1), bh.at(4)]),
        &|_| err("msg.not_own_target"),
    );
    look(o, "edit-replaces-other-post", "edit of alice's post 1 replacing her post 5 (a post may be replaced only when it is the target)", &["EDIT-3"], &a_(1), &a_(5), &|h| ctx().with(&[h.at(9), h.at(1), h.at(5)]), &|_| err("msg.target_kind"));
    look(
        o,
        "edit-replaces-delete",
        "edit of alice's post 1 replacing her delete 6",
        &["EDIT-3"],
        &a_(1),
        &a_(6),
        &|h| ctx().with(&[h.at(9), h.at(1), h.at(6)]),
        &|_| err("msg.target_kind"),
    );
    look(
        o,
        "edit-replaces-missing",
        "edit of alice's post 1 (known) replacing her edit 4 (not known)",
        &["EDIT-3"],
        &a_(1),
        &a_(4),
        &|h| ctx().with(&[h.at(9), h.at(1)]),
        &|h| und(vec![mid(h.at(4))]),
    );
    look(
        o,
        "edit-target-and-replaces-missing",
        "edit of post 1 replacing edit 4, neither known: both are missing, target first",
        &["EDIT-2", "EDIT-3"],
        &a_(1),
        &a_(4),
        &|h| ctx().with(&[h.at(9)]),
        &|h| und(vec![mid(h.at(1)), mid(h.at(4))]),
    );
    look(
        o,
        "edit-same-target-and-replaces-missing",
        "edit of post 5 replacing post 5, not known: listed once",
        &["EDIT-2", "EDIT-3"],
        &a_(5),
        &a_(5),
        &|h| ctx().with(&[h.at(9)]),
        &|h| und(vec![mid(h.at(5))]),
    );
    look(o, "edit-all-missing", "authorization unknown, prev (alice's 9), target (1) and replaces (4) all unknown: missing in the order of section 0", &["MSG-3", "MSG-4", "EDIT-2", "EDIT-3"], &a_(1), &a_(4), &|_| ctx().auth("unknown"), &|h| und(vec![Miss::Auth, mid(h.at(9)), mid(h.at(1)), mid(h.at(4))]));
    look(o, "edit-prev-is-replaces-missing", "edit of post 1 replacing edit 9, which is also the prev; nothing known: the id is listed once", &["MSG-4", "EDIT-2", "EDIT-3"], &a_(1), &a_(9), &|_| ctx(), &|h| und(vec![mid(h.at(9)), mid(h.at(1))]));
    look(o, "edit-target-invalid-beats-missing", "authorization unknown, prev missing, target is bob's post (known): the Invalid from the lookup wins over the earlier missing items", &["EDIT-2", "MSG-3", "MSG-4"], &|_| bh.at(1).id.clone(), &a_(4), &|_| ctx().auth("unknown").with(&[bh.at(1)]), &|_| err("msg.not_own_target"));
    look(o, "edit-replaces-invalid-beats-missing-target", "target (post 1) missing, replaces is alice's react 2 (known): the Invalid from the later lookup wins", &["EDIT-3", "EDIT-2"], &a_(1), &a_(2), &|h| ctx().with(&[h.at(9), h.at(2)]), &|_| err("msg.target_kind"));
    look(
        o,
        "edit-target-invalid-before-replaces-missing",
        "target is alice's react 2 (known), replaces unknown",
        &["EDIT-2", "EDIT-3"],
        &a_(2),
        &a_(4),
        &|h| ctx().with(&[h.at(9), h.at(2)]),
        &|_| err("msg.target_kind"),
    );
}

// ------------------------------------------------------------------------------------------------ lookups

/// alice's seq 10 of `kind` with {"target": target}; known built from her history.
#[allow(clippy::too_many_arguments)]
fn target_case(
    o: &mut Out,
    w: &World,
    id: &str,
    d: &str,
    rules: &[&str],
    kind: &str,
    target: &dyn Fn(&Hist) -> Vec<u8>,
    known: &dyn Fn(&Hist) -> Ctx,
    exp: &dyn Fn(&Hist) -> Exp,
) {
    let h = w.alice_hist(id);
    let msg = h.make(kind, 2, m(vec![("target", b(&target(&h)))]));
    o.push(id, d, rules, &msg, false, &known(&h), exp(&h));
}

fn delete(o: &mut Out, w: &World) {
    let r = &["DELETE-1"];
    let bh = &w.bh;
    let own = |n: u64| move |h: &Hist| h.at(n).id.clone();
    for (n, name, what) in [
        (1u64, "post", "post"),
        (2, "react", "react"),
        (3, "repost", "repost"),
        (4, "edit", "edit"),
        (7, "profile", "profile"),
        (8, "extension", "com.example.poll (extension kind)"),
    ] {
        target_case(
            o,
            w,
            &format!("delete-own-{name}"),
            &format!("alice deletes her own {what} (seq {n}); known: 9 (prev) and the target"),
            r,
            "delete",
            &own(n),
            &|h| ctx().with(&[h.at(9), h.at(n)]),
            &|_| ok(),
        );
    }
    target_case(
        o,
        w,
        "delete-own-stripped",
        "alice deletes her post 1, known only as a stripped remainder",
        r,
        "delete",
        &own(1),
        &|h| ctx().with(&[h.at(9)]).with_stripped(&[h.at(1)]),
        &|_| ok(),
    );
    target_case(
        o,
        w,
        "delete-prev",
        "alice deletes her edit 9, which is also her prev",
        r,
        "delete",
        &own(9),
        &|h| ctx().with(&[h.at(9)]),
        &|_| ok(),
    );
    target_case(
        o,
        w,
        "delete-delete",
        "alice deletes her own delete 6 (a delete cannot be deleted)",
        r,
        "delete",
        &own(6),
        &|h| ctx().with(&[h.at(9), h.at(6)]),
        &|_| err("msg.target_kind"),
    );
    // Key operations are never withdrawn (05 §5.4): alice's own delegation and revocation, signed by
    // her root key, cannot be deleted. Only their headers (acct alice, an operation kind) matter here.
    {
        let mut root = Hist::new(Key::from_label("messages/alice-root"), w.alice.clone());
        let app = Key::from_label("messages/alice-other-app");
        root.push(
            "delegate",
            0,
            m(vec![("key", b(&app.pk)), ("scope", Value::A(vec![t("*")]))]),
        );
        root.push("revoke", 1, m(vec![("key", b(&app.pk))]));
        for (n, what) in [(1u64, "delegate"), (2, "revoke")] {
            let op = root.at(n).clone();
            let op_id = op.id.clone();
            target_case(
                o,
                w,
                &format!("delete-own-{what}-operation"),
                &format!(
                    "alice deletes her own {what} operation (signed by her root key): key operations \
                     cannot be deleted"
                ),
                r,
                "delete",
                &move |_| op_id.clone(),
                &move |h| ctx().with(&[h.at(9), &op]),
                &|_| err("msg.target_kind"),
            );
        }
    }
    target_case(
        o,
        w,
        "delete-not-own",
        "alice deletes bob's post",
        r,
        "delete",
        &|_| bh.at(1).id.clone(),
        &|h| ctx().with(&[h.at(9), bh.at(1)]),
        &|_| err("msg.not_own_target"),
    );
    target_case(
        o,
        w,
        "delete-not-own-delete",
        "alice deletes bob's delete: the account is checked before the kind",
        r,
        "delete",
        &|_| bh.at(5).id.clone(),
        &|h| ctx().with(&[h.at(9), bh.at(5)]),
        &|_| err("msg.not_own_target"),
    );
    target_case(
        o,
        w,
        "delete-target-missing",
        "alice deletes her post 5, not known",
        r,
        "delete",
        &own(5),
        &|h| ctx().with(&[h.at(9)]),
        &|h| und(vec![mid(h.at(5))]),
    );
    target_case(
        o,
        w,
        "delete-prev-and-target-missing",
        "alice deletes her post 5; neither her prev 9 nor post 5 is known",
        &["MSG-4", "DELETE-1"],
        "delete",
        &own(5),
        &|_| ctx(),
        &|h| und(vec![mid(h.at(9)), mid(h.at(5))]),
    );
    target_case(
        o,
        w,
        "delete-prev-is-target-missing",
        "alice deletes her edit 9, her prev; nothing known: listed once",
        &["MSG-4", "DELETE-1"],
        "delete",
        &own(9),
        &|_| ctx(),
        &|h| und(vec![mid(h.at(9))]),
    );
    target_case(
        o,
        w,
        "delete-invalid-beats-missing-prev",
        "prev (9) missing, target is bob's post (known): Invalid wins",
        &["DELETE-1", "MSG-4"],
        "delete",
        &|_| bh.at(1).id.clone(),
        &|_| ctx().with(&[bh.at(1)]),
        &|_| err("msg.not_own_target"),
    );
    o.body(
        "delete-target-33-bytes",
        "delete target of 33 bytes",
        &["MSG-1"],
        "delete",
        m(vec![("target", b(&[rid("x").as_slice(), &[1]].concat()))]),
        err("msg.wrong_type"),
    );
    o.body(
        "delete-unknown-field",
        "delete with the un-dotted unknown key \"reason\"",
        &["MSG-1"],
        "delete",
        m(vec![("target", b(&rid("x"))), ("reason", t("oops"))]),
        err("msg.unknown_field"),
    );
    let h = w.alice_hist("delete-namespaced-field");
    let msg = h.make(
        "delete",
        2,
        m(vec![
            ("target", b(&h.at(1).id)),
            ("com.example.reason", t("typo")),
        ]),
    );
    o.push(
        "delete-namespaced-field",
        "alice deletes her post 1 with the namespaced key \"com.example.reason\" in the body",
        &["MSG-1", "DELETE-1"],
        &msg,
        false,
        &ctx().with(&[h.at(9), h.at(1)]),
        ok(),
    );
    o.body(
        "delete-body-before-lookup",
        "delete {\"target\": 5}: the body rule fails before any lookup",
        &["MSG-1", "DELETE-1"],
        "delete",
        m(vec![("target", u(5))]),
        err("msg.wrong_type"),
    );
}

fn react(o: &mut Out) {
    let r = &["REACT-1"];
    let target = rid("some post");
    let react = |e: Option<&str>| {
        let mut v = vec![("target", b(&target))];
        if let Some(e) = e {
            v.push(("emoji", t(e)));
        }
        m(v)
    };
    o.body(
        "react-like",
        "react without emoji (a like); the target is not looked up",
        r,
        "react",
        react(None),
        ok(),
    );
    for (name, d, e) in [
        ("thumbs-up", "\"\u{1F44D}\"", "\u{1F44D}".to_string()),
        (
            "zwj-sequence",
            "a family ZWJ sequence (7 scalars, 25 bytes)",
            "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}\u{200D}\u{1F466}".into(),
        ),
        (
            "flag",
            "a flag (two regional indicators)",
            "\u{1F1EB}\u{1F1F7}".into(),
        ),
        (
            "skin-tone",
            "thumbs up with a skin-tone modifier",
            "\u{1F44D}\u{1F3FD}".into(),
        ),
        (
            "text",
            "\"+1\" (whether it is an emoji is not checked)",
            "+1".into(),
        ),
        (
            "variation-selector",
            "\"\u{2764}\u{FE0F}\" (heart + VS16)",
            "\u{2764}\u{FE0F}".into(),
        ),
    ] {
        o.body(
            &format!("react-emoji-{name}"),
            &format!("react with emoji {d}"),
            r,
            "react",
            react(Some(&e)),
            ok(),
        );
    }
    for (cp, name) in WHITESPACE {
        o.body(
            &format!("react-emoji-whitespace-{cp:04x}"),
            &format!("emoji \"\u{1F44D}\\u{{{cp:04x}}}\" containing U+{cp:04X} {name}"),
            r,
            "react",
            react(Some(&format!("\u{1F44D}{}", ch(*cp)))),
            err("msg.invalid_emoji"),
        );
    }
    for (cp, name) in [
        (0x00, "NULL"),
        (0x1c, "INFORMATION SEPARATOR FOUR"),
        (0x1f, "INFORMATION SEPARATOR ONE"),
        (0x7f, "DELETE"),
        (0x80, "PADDING CHARACTER (C1)"),
        (0x9f, "APPLICATION PROGRAM COMMAND (C1)"),
    ] {
        o.body(
            &format!("react-emoji-control-{cp:04x}"),
            &format!("emoji containing U+{cp:04X} {name} (C0/C1 control)"),
            r,
            "react",
            react(Some(&format!("\u{1F44D}{}", ch(cp)))),
            err("msg.invalid_emoji"),
        );
    }
    for (cp, name) in [
        (0x200b, "ZERO WIDTH SPACE"),
        (0xa1, "INVERTED EXCLAMATION MARK (first after C1 and NBSP)"),
        (0x7e, "TILDE (last before DEL)"),
        (0x21, "EXCLAMATION MARK (first after SPACE)"),
    ] {
        o.body(
            &format!("react-emoji-not-banned-{cp:04x}"),
            &format!(
                "emoji containing U+{cp:04X} {name}: neither in the whitespace list nor a control"
            ),
            r,
            "react",
            react(Some(&format!("\u{1F44D}{}", ch(cp)))),
            ok(),
        );
    }
    string_limits(
        o,
        "react-emoji",
        "reaction emoji",
        "REACT-1",
        16,
        64,
        "msg.too_long",
        "msg.too_short",
        &|o, id, d, r, s, e| {
            o.body(id, d, r, "react", react(Some(&s)), e);
        },
    );
    o.body("react-emoji-length-before-content", "emoji of 17 scalars containing a space: the length is checked before the content (msg.invalid_emoji is for content only)", r, "react", react(Some(&format!("{} {}", rep("\u{1F44D}", 8), rep("\u{1F44D}", 8)))), err("msg.too_long"));
    o.body(
        "react-emoji-wrong-type",
        "react emoji is an integer",
        &["MSG-1"],
        "react",
        m(vec![("target", b(&target)), ("emoji", u(1))]),
        err("msg.wrong_type"),
    );
    o.body(
        "react-missing-target",
        "react {\"emoji\": \"\u{1F44D}\"} without target",
        &["MSG-1"],
        "react",
        m(vec![("emoji", t("\u{1F44D}"))]),
        err("msg.missing_field"),
    );
    o.body(
        "react-unknown-field",
        "react with the un-dotted unknown key \"count\"",
        &["MSG-1"],
        "react",
        m(vec![("target", b(&target)), ("count", u(2))]),
        err("msg.unknown_field"),
    );
}

fn undo(o: &mut Out, w: &World) {
    let r = &["UNDO-1"];
    let bh = &w.bh;
    let own = |n: u64| move |h: &Hist| h.at(n).id.clone();
    // unreact
    target_case(
        o,
        w,
        "unreact-own",
        "alice undoes her react 2",
        r,
        "unreact",
        &own(2),
        &|h| ctx().with(&[h.at(9), h.at(2)]),
        &|_| ok(),
    );
    target_case(
        o,
        w,
        "unreact-not-own",
        "alice unreacts bob's react",
        r,
        "unreact",
        &|_| bh.at(2).id.clone(),
        &|h| ctx().with(&[h.at(9), bh.at(2)]),
        &|_| err("msg.not_own_target"),
    );
    target_case(
        o,
        w,
        "unreact-post",
        "alice unreacts her post 1 (not a react)",
        r,
        "unreact",
        &own(1),
        &|h| ctx().with(&[h.at(9), h.at(1)]),
        &|_| err("msg.target_kind"),
    );
    target_case(
        o,
        w,
        "unreact-repost",
        "alice unreacts her repost 3 (not a react)",
        r,
        "unreact",
        &own(3),
        &|h| ctx().with(&[h.at(9), h.at(3)]),
        &|_| err("msg.target_kind"),
    );
    target_case(
        o,
        w,
        "unreact-missing",
        "alice undoes her react 2, not known",
        r,
        "unreact",
        &own(2),
        &|h| ctx().with(&[h.at(9)]),
        &|h| und(vec![mid(h.at(2))]),
    );
    target_case(
        o,
        w,
        "unreact-stripped-target",
        "alice undoes her react 2, known as a stripped remainder",
        r,
        "unreact",
        &own(2),
        &|h| ctx().with(&[h.at(9)]).with_stripped(&[h.at(2)]),
        &|_| ok(),
    );
    o.body(
        "unreact-missing-target",
        "unreact {}",
        &["MSG-1"],
        "unreact",
        m(vec![]),
        err("msg.missing_field"),
    );
    o.body(
        "unreact-emoji",
        "unreact with an \"emoji\" key (not a field of unreact)",
        &["MSG-1"],
        "unreact",
        m(vec![("target", b(&rid("r"))), ("emoji", t("\u{1F44D}"))]),
        err("msg.unknown_field"),
    );
    // repost (no lookup)
    o.body(
        "repost",
        "repost of an unknown message: no lookup",
        &["MSG-1"],
        "repost",
        m(vec![("target", b(&rid("p")))]),
        ok(),
    );
    o.body(
        "repost-target-text",
        "repost target given as text",
        &["MSG-1"],
        "repost",
        m(vec![("target", t("msg_x"))]),
        err("msg.wrong_type"),
    );
    o.body(
        "repost-namespaced-field",
        "repost with \"com.example.comment\"",
        &["MSG-1"],
        "repost",
        m(vec![
            ("target", b(&rid("p"))),
            ("com.example.comment", t("!")),
        ]),
        ok(),
    );
    o.body(
        "repost-unknown-field",
        "repost with \"comment\"",
        &["MSG-1"],
        "repost",
        m(vec![("target", b(&rid("p"))), ("comment", t("!"))]),
        err("msg.unknown_field"),
    );
    // unrepost
    target_case(
        o,
        w,
        "unrepost-own",
        "alice undoes her repost 3",
        r,
        "unrepost",
        &own(3),
        &|h| ctx().with(&[h.at(9), h.at(3)]),
        &|_| ok(),
    );
    target_case(
        o,
        w,
        "unrepost-not-own",
        "alice unreposts bob's repost",
        r,
        "unrepost",
        &|_| bh.at(3).id.clone(),
        &|h| ctx().with(&[h.at(9), bh.at(3)]),
        &|_| err("msg.not_own_target"),
    );
    target_case(
        o,
        w,
        "unrepost-react",
        "alice unreposts her react 2 (not a repost)",
        r,
        "unrepost",
        &own(2),
        &|h| ctx().with(&[h.at(9), h.at(2)]),
        &|_| err("msg.target_kind"),
    );
    target_case(
        o,
        w,
        "unrepost-missing",
        "alice undoes her repost 3, not known",
        r,
        "unrepost",
        &own(3),
        &|h| ctx().with(&[h.at(9)]),
        &|h| und(vec![mid(h.at(3))]),
    );
    target_case(
        o,
        w,
        "unrepost-not-own-post",
        "alice unreposts bob's post: the account is checked before the kind",
        r,
        "unrepost",
        &|_| bh.at(1).id.clone(),
        &|h| ctx().with(&[h.at(9), bh.at(1)]),
        &|_| err("msg.not_own_target"),
    );
    o.body(
        "unrepost-target-31-bytes",
        "unrepost target of 31 bytes",
        &["MSG-1"],
        "unrepost",
        m(vec![("target", b(&rid("p")[..31]))]),
        err("msg.wrong_type"),
    );
}

fn graph(o: &mut Out, w: &World) {
    let r = &["GRAPH-1"];
    for kind in ["follow", "unfollow", "block", "unblock"] {
        o.body(
            kind,
            &format!("{kind} bob"),
            r,
            kind,
            m(vec![("subject", b(&w.bob.acct))]),
            ok(),
        );
        o.body(
            &format!("{kind}-self"),
            &format!("{kind} with subject = the author's own account"),
            r,
            kind,
            m(vec![("subject", b(&w.alice))]),
            err("msg.self_reference"),
        );
    }
    o.body(
        "follow-unknown-account",
        "follow an account nobody has heard of (no lookup)",
        r,
        "follow",
        m(vec![("subject", b(&rid("nobody")))]),
        ok(),
    );
    o.body(
        "follow-missing-subject",
        "follow {}",
        &["MSG-1"],
        "follow",
        m(vec![]),
        err("msg.missing_field"),
    );
    o.body(
        "follow-subject-31-bytes",
        "follow subject of 31 bytes",
        &["MSG-1"],
        "follow",
        m(vec![("subject", b(&w.bob.acct[..31]))]),
        err("msg.wrong_type"),
    );
    o.body(
        "follow-subjects-list",
        "follow {\"subject\": [bob, carol]} (one item per message)",
        &["MSG-1"],
        "follow",
        m(vec![("subject", a(vec![b(&w.bob.acct), b(&w.carol)]))]),
        err("msg.wrong_type"),
    );
    o.body(
        "follow-unknown-field",
        "follow with \"subjects\"",
        &["MSG-1"],
        "follow",
        m(vec![
            ("subject", b(&w.bob.acct)),
            ("subjects", a(vec![b(&w.carol)])),
        ]),
        err("msg.unknown_field"),
    );
    o.body(
        "block-namespaced-field",
        "block with \"com.example.reason\"",
        &["MSG-1"],
        "block",
        m(vec![
            ("subject", b(&w.bob.acct)),
            ("com.example.reason", t("spam")),
        ]),
        ok(),
    );
}

const LABEL_VOCAB: &[&str] = &[
    "!hide",
    "!warn",
    "porn",
    "sexual",
    "nudity",
    "graphic-media",
    "gore",
    "spoiler",
    "spam",
    "impersonation",
    "misleading",
    "hate",
    "harassment",
    "self-harm",
];

fn label(o: &mut Out, w: &World) {
    let msg_id = rid("a labelled message");
    let acct = || ("account", b(&w.bob.acct));
    let on_msg = || ("message", b(&msg_id));
    let lab = |v: &str, extra: Vec<(&'static str, Value)>| {
        let mut e = vec![("value", t(v))];
        e.extend(extra);
        m(e)
    };
    for v in LABEL_VOCAB {
        o.body(
            &format!("label-{}", v.trim_start_matches('!')),
            &format!("label bob's account \"{v}\""),
            &["LABEL-2", "LABEL-1"],
            "label",
            lab(v, vec![acct()]),
            ok(),
        );
    }
    o.body(
        "label-message",
        "label a message \"spam\" (no lookup)",
        &["LABEL-1"],
        "label",
        lab("spam", vec![on_msg()]),
        ok(),
    );
    o.body(
        "label-self",
        "label the author's own account (any account may label; no rule against it)",
        &["LABEL-1"],
        "label",
        lab("!warn", vec![("account", b(&w.alice))]),
        ok(),
    );
    o.body(
        "label-both-subjects",
        "label with both account and message",
        &["LABEL-1"],
        "label",
        lab("spam", vec![acct(), on_msg()]),
        err("msg.subject"),
    );
    o.body(
        "label-no-subject",
        "label with neither account nor message",
        &["LABEL-1"],
        "label",
        lab("spam", vec![]),
        err("msg.subject"),
    );
    o.body(
        "label-subject-after-fields",
        "label with both subjects and negate false: LABEL-1 is checked after the fields",
        &["LABEL-3", "LABEL-1"],
        "label",
        lab(
            "spam",
            vec![acct(), on_msg(), ("negate", Value::Bool(false))],
        ),
        err("msg.non_canonical_flag"),
    );
    for (name, d, v, exp) in [
        (
            "custom",
            "\"com.example.bot\"",
            "com.example.bot".to_string(),
            ok(),
        ),
        (
            "custom-127",
            "a custom value of 127 bytes",
            custom_label(127),
            ok(),
        ),
        (
            "custom-128",
            "a custom value of 128 bytes",
            custom_label(128),
            ok(),
        ),
        (
            "custom-129",
            "a custom value of 129 bytes",
            custom_label(129),
            err("msg.invalid_label"),
        ),
        (
            "custom-no-dot",
            "\"bot\" (not in the vocabulary, no dot)",
            "bot".into(),
            err("msg.invalid_label"),
        ),
        (
            "custom-trailing-dot",
            "\"com.example.\"",
            "com.example.".into(),
            err("msg.invalid_label"),
        ),
        (
            "custom-upper-case",
            "\"com.Example.bot\"",
            "com.Example.bot".into(),
            err("msg.invalid_label"),
        ),
        (
            "upper-case",
            "\"Spam\"",
            "Spam".into(),
            err("msg.invalid_label"),
        ),
        (
            "violence",
            "\"violence\" (a report reason, not a label value)",
            "violence".into(),
            err("msg.invalid_label"),
        ),
        (
            "bang-unknown",
            "\"!mute\"",
            "!mute".into(),
            err("msg.invalid_label"),
        ),
        (
            "empty",
            "the empty string",
            String::new(),
            err("msg.invalid_label"),
        ),
        (
            "trailing-space",
            "\"spam \"",
            "spam ".into(),
            err("msg.invalid_label"),
        ),
    ] {
        o.body(
            &format!("label-value-{name}"),
            &format!("label value {d}"),
            &["LABEL-2"],
            "label",
            lab(&v, vec![acct()]),
            exp,
        );
    }
    o.body(
        "label-value-wrong-type",
        "label value is a byte string",
        &["MSG-1"],
        "label",
        m(vec![("value", b(b"spam")), acct()]),
        err("msg.wrong_type"),
    );
    o.body(
        "label-negate",
        "label negation: negate true",
        &["LABEL-3"],
        "label",
        lab("spam", vec![acct(), ("negate", Value::Bool(true))]),
        ok(),
    );
    o.body(
        "label-negate-false",
        "label with negate false (only true is allowed; absent = false)",
        &["LABEL-3"],
        "label",
        lab("spam", vec![acct(), ("negate", Value::Bool(false))]),
        err("msg.non_canonical_flag"),
    );
    o.body(
        "label-negate-int",
        "label with negate 1",
        &["MSG-1", "LABEL-3"],
        "label",
        lab("spam", vec![acct(), ("negate", u(1))]),
        err("msg.wrong_type"),
    );
    for (name, d, x, exp) in [
        (
            "time-minus-1",
            "header time - 1",
            T0 - 1,
            err("msg.out_of_range"),
        ),
        ("time", "= header time", T0, err("msg.out_of_range")),
        ("time-plus-1", "header time + 1", T0 + 1, ok()),
        ("2pow53-minus-2", "2^53-2", MAX53 - 1, ok()),
        ("2pow53-minus-1", "2^53-1", MAX53, ok()),
        ("2pow53", "2^53", MAX53 + 1, err("msg.out_of_range")),
        (
            "2pow64-minus-1",
            "2^64-1",
            u64::MAX,
            err("msg.out_of_range"),
        ),
        ("0", "0", 0, err("msg.out_of_range")),
    ] {
        o.body(
            &format!("label-expires-{name}"),
            &format!("label expires {d} (must be > header time {T0} and <= 2^53-1)"),
            &["LABEL-4"],
            "label",
            lab("spam", vec![acct(), ("expires", u(x))]),
            exp,
        );
    }
    o.body(
        "label-expires-negative",
        "label expires -1",
        &["MSG-1"],
        "label",
        lab("spam", vec![acct(), ("expires", Value::N(0))]),
        err("msg.wrong_type"),
    );
    o.body(
        "label-account-33-bytes",
        "label account of 33 bytes",
        &["MSG-1"],
        "label",
        lab(
            "spam",
            vec![("account", b(&[w.bob.acct.as_slice(), &[0]].concat()))],
        ),
        err("msg.wrong_type"),
    );
    o.body(
        "label-unknown-field",
        "label with \"reason\"",
        &["MSG-1"],
        "label",
        lab("spam", vec![acct(), ("reason", t("x"))]),
        err("msg.unknown_field"),
    );
    o.body(
        "label-namespaced-field",
        "label with \"com.example.confidence\"",
        &["MSG-1"],
        "label",
        lab("spam", vec![acct(), ("com.example.confidence", u(90))]),
        ok(),
    );
    o.body(
        "label-full",
        "label of a message with value, negate and expires",
        &["LABEL-1", "LABEL-2", "LABEL-3", "LABEL-4"],
        "label",
        lab(
            "com.example.bot",
            vec![
                on_msg(),
                ("negate", Value::Bool(true)),
                ("expires", u(T0 + 86_400_000)),
            ],
        ),
        ok(),
    );
}

/// REPORT-3: a public message of kind `report` is invalid whatever its body, whole or stripped:
/// reports travel sealed to their moderation service (08 §14). The body rules of 05 §5.9
/// (REPORT-1, REPORT-2) apply to the sealed body; their vectors are in dm.json.
fn report(o: &mut Out, w: &World) {
    let service = rid("a moderation service account");
    let acct = || ("account", b(&w.bob.acct));
    let body = |reason: &str, subject: Vec<(&'static str, Value)>| {
        let mut e = vec![("service", b(&service)), ("reason", t(reason))];
        e.extend(subject);
        m(e)
    };
    let cases: [(&str, &str, Value, bool); 4] = [
        ("threat-public-report-exposes-reporter", "a public report of bob's account for harassment, with a valid body: anyone who receives it, bob included, would learn who reported him (05 §9); invalid before any body rule", body("harassment", vec![acct(), ("text", t("He keeps writing to me."))]), false),
        ("threat-public-report-index", "a public report of a message for \"illegal\": stored by every node, it would be a public index of illegal material", body("illegal", vec![("message", b(&rid("a reported message")))]), false),
        ("report-public-invalid-body", "a public report whose body also breaks REPORT-1 and REPORT-2: REPORT-3 comes first (step 0)", body("abuse", vec![]), false),
        ("report-public-remainder", "the stripped remainder of a public report: its header alone is invalid (REPORT-3 reads only the kind)", body("spam", vec![acct()]), true),
    ];
    for (id, description, body, stripped) in cases {
        let key = Key::from_label(&format!("messages/{id}"));
        let msg = sign(&key, &account("alice"), 1, None, "report", T0, body);
        o.push(
            id,
            description,
            &["REPORT-3"],
            &msg,
            stripped,
            &ctx(),
            err("msg.public_report"),
        );
    }
}

// ------------------------------------------------------------------------------------------------ EXT-1

fn extension(o: &mut Out, w: &World) {
    let r = &["EXT-1"];
    let poll = m(vec![
        ("question", t("Lunch?")),
        ("options", a(vec![t("pizza"), t("soup")])),
        ("closes", u(T0 + 86_400_000)),
        ("com.example.meta", m(vec![("weight", Value::N(4))])),
        ("multiple", Value::Bool(false)),
    ]);
    o.body("ext-poll", "extension kind \"com.example.poll\" with un-dotted and dotted body keys: valid, not understood, the body passed through", r, "com.example.poll", poll.clone(), ok());
    o.body(
        "ext-empty-body",
        "extension kind \"com.example.ping\" with the body {}",
        r,
        "com.example.ping",
        m(vec![]),
        ok(),
    );
    o.body(
        "ext-undotted-kind",
        "un-dotted unknown kind \"poll\" (a future core kind): valid, not understood",
        r,
        "poll",
        poll.clone(),
        ok(),
    );
    o.body(
        "ext-undotted-kind-2",
        "un-dotted unknown kind \"bookmark\" with an arbitrary body",
        r,
        "bookmark",
        m(vec![("x", u(1)), ("target", u(5))]),
        ok(),
    );
    o.body("ext-dotted-core-prefix", "kind \"post.reply\": contains a dot, so it is an extension kind, not \"post\"; a body that would be an invalid post is passed through", r, "post.reply", m(vec![("text", u(5)), ("color", t("red"))]), ok());
    o.body("ext-looks-like-invalid-post", "extension kind \"com.example.post\" whose body would be an invalid core post (unknown field, wrong type, empty)", r, "com.example.post", m(vec![("text", b(b"x")), ("zzz", Value::Bool(false))]), ok());
    o.body(
        "ext-undotted-kind-posts",
        "kind \"posts\" (not a core kind: core kinds are exactly the fourteen names)",
        r,
        "posts",
        m(vec![("text", u(1))]),
        ok(),
    );
    // Steps 2-4 still apply.
    let key = Key::from_label("messages/ext-time-in-future");
    let msg = sign(
        &key,
        &w.alice,
        1,
        None,
        "com.example.poll",
        NOW + SKEW + 1,
        poll.clone(),
    );
    o.push(
        "ext-time-in-future",
        "extension kind with time = now + 600001: MSG-2 applies to every kind",
        &["MSG-2", "EXT-1"],
        &msg,
        false,
        &ctx(),
        err("msg.time_in_future"),
    );
    let key = Key::from_label("messages/ext-auth-unknown");
    let msg = sign(
        &key,
        &w.alice,
        1,
        None,
        "com.example.poll",
        T0,
        poll.clone(),
    );
    o.push(
        "ext-auth-unknown",
        "extension kind, key authorization unknown",
        &["MSG-3", "EXT-1"],
        &msg,
        false,
        &ctx().auth("unknown"),
        und(vec![Miss::Auth]),
    );
    o.push(
        "ext-auth-denied",
        "extension kind, key authorization denied (auth.out_of_scope)",
        &["MSG-3", "EXT-1"],
        &msg,
        false,
        &ctx().auth("auth.out_of_scope"),
        err("auth.out_of_scope"),
    );
    let h = w.alice_hist("ext-prev-missing");
    let msg = h.make("com.example.poll", 2, poll.clone());
    o.push(
        "ext-prev-missing",
        "extension kind at seq 10, prev (alice's 9) not known: MSG-4 applies to every kind",
        &["MSG-4", "EXT-1"],
        &msg,
        false,
        &ctx(),
        und(vec![mid(h.at(9))]),
    );
    let h = w.alice_hist("ext-prev-present");
    let msg = h.make("com.example.poll", 2, poll.clone());
    o.push(
        "ext-prev-present",
        "extension kind at seq 10 with its prev known",
        &["MSG-4", "EXT-1"],
        &msg,
        false,
        &ctx().with(&[h.at(9)]),
        ok(),
    );
    let h = w.alice_hist("ext-target-not-looked-up");
    let msg = h.make(
        "com.example.delete",
        2,
        m(vec![("target", b(&w.bh.at(1).id))]),
    );
    o.push("ext-target-not-looked-up", "extension kind \"com.example.delete\" with a \"target\" naming bob's post: no kind lookups for extension kinds", &["EXT-1"], &msg, false, &ctx().with(&[h.at(9)]), ok());
}

// ------------------------------------------------------------------------------------------------ stripped

fn stripped(o: &mut Out, w: &World) {
    let key = |id: &str| Key::from_label(&format!("messages/{id}"));
    let one = |o: &mut Out,
               id: &str,
               d: &str,
               rules: &[&str],
               kind: &str,
               body: Value,
               c: Ctx,
               exp: Exp| {
        let msg = sign(&key(id), &w.alice, 1, None, kind, T0, body);
        o.push(id, d, rules, &msg, true, &c, exp);
    };
    one(
        o,
        "stripped-post",
        "the stripped remainder of a valid post: validated on its header alone (body_diag null)",
        &["MSG-2", "MSG-3"],
        "post",
        m(vec![("text", t("gone"))]),
        ctx(),
        ok(),
    );
    one(o, "stripped-invalid-body", "the stripped remainder of a post whose body broke MSG-1 (unknown field): the body was checked when whole; a remainder is accepted on its header", &["MSG-1"], "post", m(vec![("colour", t("red"))]), ctx(), ok());
    one(o, "stripped-follow-self", "the stripped remainder of a follow of the author's own account: GRAPH-1 needs the body, which a control kind's remainder lacks: undecided, missing the body (MSG-7)", &["MSG-7"], "follow", m(vec![("subject", b(&w.alice))]), ctx(), und(vec![Miss::Body]));
    one(
        o,
        "stripped-ext",
        "the stripped remainder of an extension-kind message",
        &["EXT-1"],
        "com.example.poll",
        m(vec![("q", t("?"))]),
        ctx(),
        ok(),
    );
    for kind in CORE_KINDS {
        // A report's remainder is refused by REPORT-3 (`report-public-remainder`).
        if *kind == "post" || *kind == "follow" || *kind == "report" {
            continue;
        }
        if CONTROL_KINDS.contains(kind) {
            one(o, &format!("stripped-{kind}"), &format!("the stripped remainder of a {kind}, a control kind (body {{}} when whole): undecided, missing its body (MSG-7), so that relaying it without its body cannot reverse what it did"), &["MSG-7"], kind, m(vec![]), ctx(), und(vec![Miss::Body]));
        } else {
            one(o, &format!("stripped-{kind}"), &format!("the stripped remainder of a {kind} (body {{}} when whole, which may not even be valid for {kind}), not a control kind: valid on its header"), &["MSG-2", "MSG-7"], kind, m(vec![]), ctx(), ok());
        }
    }
    // MSG-7 records the body in step 1 and the other steps go on: header failures still win, and
    // other missing items follow it.
    one(o, "stripped-control-auth-unknown", "the stripped remainder of an unfollow with key authorization unknown: the body (step 1), then key authorization (step 3)", &["MSG-7", "MSG-3"], "unfollow", m(vec![("subject", b(&w.bob.acct))]), ctx().auth("unknown"), und(vec![Miss::Body, Miss::Auth]));
    one(o, "stripped-control-auth-denied", "the stripped remainder of a block whose key is revoked: invalid (auth.revoked) wins over the missing body", &["MSG-3", "MSG-7"], "block", m(vec![("subject", b(&w.bob.acct))]), ctx().auth("auth.revoked"), err("auth.revoked"));
    let msg = sign(
        &key("stripped-control-time-in-future"),
        &w.alice,
        1,
        None,
        "delete",
        NOW + SKEW + 1,
        m(vec![("target", b(&w.bh.at(1).id))]),
    );
    o.push("stripped-control-time-in-future", "the stripped remainder of a delete dated now + 600001: invalid (MSG-2) wins over the missing body", &["MSG-2", "MSG-7"], &msg, true, &ctx(), err("msg.time_in_future"));
    one(
        o,
        "stripped-auth-unknown",
        "a stripped remainder with key authorization unknown",
        &["MSG-3"],
        "post",
        m(vec![("text", t("x"))]),
        ctx().auth("unknown"),
        und(vec![Miss::Auth]),
    );
    one(
        o,
        "stripped-auth-denied",
        "a stripped remainder with key authorization denied (auth.revoked)",
        &["MSG-3"],
        "post",
        m(vec![("text", t("x"))]),
        ctx().auth("auth.revoked"),
        err("auth.revoked"),
    );
    let msg = sign(
        &key("stripped-time-in-future"),
        &w.alice,
        1,
        None,
        "post",
        NOW + SKEW + 1,
        m(vec![("text", t("x"))]),
    );
    o.push(
        "stripped-time-in-future",
        "a stripped remainder with time = now + 600001",
        &["MSG-2"],
        &msg,
        true,
        &ctx(),
        err("msg.time_in_future"),
    );
    // Stripped with history / lookups.
    let h = w.alice_hist("stripped-prev-missing");
    let msg = h.make("post", 2, m(vec![("text", t("x"))]));
    o.push(
        "stripped-prev-missing",
        "a stripped seq 10 whose prev is not known",
        &["MSG-4"],
        &msg,
        true,
        &ctx(),
        und(vec![mid(h.at(9))]),
    );
    let h = w.alice_hist("stripped-prev-stripped");
    let msg = h.make("post", 2, m(vec![("text", t("x"))]));
    o.push(
        "stripped-prev-stripped",
        "a stripped seq 10 whose prev is known as a stripped remainder",
        &["MSG-4"],
        &msg,
        true,
        &ctx().with_stripped(&[h.at(9)]),
        ok(),
    );
    let h = w.alice_hist("stripped-edit-no-lookups");
    let msg = h.make(
        "edit",
        2,
        m(vec![
            ("target", b(&h.at(1).id)),
            ("replaces", b(&h.at(4).id)),
            ("text", t("x")),
        ]),
    );
    o.push("stripped-edit-no-lookups", "the stripped remainder of an edit whose target and replaces are not known: the kind lookups need the body; an edit is a control kind, so the remainder waits for its body (MSG-7) and looks nothing up", &["MSG-7"], &msg, true, &ctx().with(&[h.at(9)]), und(vec![Miss::Body]));
    let h = w.alice_hist("stripped-delete-no-lookups");
    let msg = h.make("delete", 2, m(vec![("target", b(&w.bh.at(1).id))]));
    o.push(
        "stripped-delete-no-lookups",
        "the stripped remainder of a delete of bob's post (known): no lookup for a remainder, and a \
         delete's remainder is never valid: undecided, missing its body (MSG-7)",
        &["MSG-7"],
        &msg,
        true,
        &ctx().with(&[h.at(9), w.bh.at(1)]),
        und(vec![Miss::Body]),
    );
    let h = w.alice_hist("stripped-unreact-no-lookups");
    let msg = h.make("unreact", 2, m(vec![("target", b(&h.at(1).id))]));
    o.push("stripped-unreact-no-lookups", "the stripped remainder of an unreact of alice's post (known; whole it would be msg.target_kind): no lookup, undecided, missing its body (MSG-7)", &["MSG-7"], &msg, true, &ctx().with(&[h.at(9), h.at(1)]), und(vec![Miss::Body]));
    let h = w.alice_hist("stripped-control-prev-missing");
    let msg = h.make("unreact", 2, m(vec![("target", b(&h.at(2).id))]));
    o.push(
        "stripped-control-prev-missing",
        "the stripped remainder of an unreact whose prev is not known: the body, then the prev",
        &["MSG-7", "MSG-4"],
        &msg,
        true,
        &ctx(),
        und(vec![Miss::Body, mid(h.at(9))]),
    );
    let h = w.alice_hist("stripped-time-regression");
    let msg = sign(
        &h.key,
        &h.acct,
        10,
        Some(&h.at(9).id),
        "post",
        h.at(9).time - 1,
        m(vec![("text", t("x"))]),
    );
    o.push(
        "stripped-time-regression",
        "a stripped seq 10 one ms earlier than its (known) prev: MSG-4 applies to remainders",
        &["MSG-4"],
        &msg,
        true,
        &ctx().with(&[h.at(9)]),
        err("msg.time_regression"),
    );
}

// ------------------------------------------------------------------------------------------------ MSG-2, MSG-3

fn time(o: &mut Out, w: &World) {
    let r = &["MSG-2"];
    let body = || m(vec![("text", t("hi"))]);
    let at = |o: &mut Out, id: &str, d: &str, time: u64, c: Ctx, exp: Exp| {
        let msg = sign(
            &Key::from_label(&format!("messages/{id}")),
            &w.alice,
            1,
            None,
            "post",
            time,
            body(),
        );
        o.push(id, d, r, &msg, false, &c, exp);
    };
    at(
        o,
        "time-now-plus-600000",
        "time = now + 600000 (10 minutes of allowed skew)",
        NOW + SKEW,
        ctx(),
        ok(),
    );
    at(
        o,
        "time-now-plus-600001",
        "time = now + 600001",
        NOW + SKEW + 1,
        ctx(),
        err("msg.time_in_future"),
    );
    at(
        o,
        "time-now-plus-599999",
        "time = now + 599999",
        NOW + SKEW - 1,
        ctx(),
        ok(),
    );
    at(o, "time-now", "time = now", NOW, ctx(), ok());
    at(
        o,
        "time-zero",
        "time = 0 (long past: no lower bound)",
        0,
        ctx(),
        ok(),
    );
    at(
        o,
        "time-now-varies-valid",
        "message time T0 with now = T0 - 600000",
        T0,
        ctx().now(T0 - SKEW),
        ok(),
    );
    at(
        o,
        "time-now-varies-invalid",
        "message time T0 with now = T0 - 600001",
        T0,
        ctx().now(T0 - SKEW - 1),
        err("msg.time_in_future"),
    );
    at(
        o,
        "time-now-zero",
        "now = 0 and time = 600000",
        SKEW,
        ctx().now(0),
        ok(),
    );
    at(
        o,
        "time-now-zero-invalid",
        "now = 0 and time = 600001",
        SKEW + 1,
        ctx().now(0),
        err("msg.time_in_future"),
    );
    at(o, "time-now-2pow64-minus-1", "now = 2^64-1 (the largest context value): now + 600000 must be computed without wrap-around (this JSON number exceeds 2^53)", T0, ctx().now(u64::MAX), ok());
    at(
        o,
        "time-max",
        "time = now = 2^53-1 (the sum now + 600000 exceeds 2^53 but stays far below 2^64)",
        MAX53,
        ctx().now(MAX53),
        ok(),
    );
    at(
        o,
        "time-future-before-auth",
        "time in the future and authorization denied: MSG-2 comes before MSG-3",
        NOW + SKEW + 1,
        ctx().auth("auth.expired"),
        err("msg.time_in_future"),
    );
    at(
        o,
        "time-future-before-auth-unknown",
        "time in the future and authorization unknown: Invalid, not Undecided",
        NOW + SKEW + 1,
        ctx().auth("unknown"),
        err("msg.time_in_future"),
    );
    let h = w.alice_hist("time-future-before-prev");
    let msg = sign(
        &h.key,
        &h.acct,
        10,
        Some(&h.at(9).id),
        "post",
        NOW + SKEW + 1,
        body(),
    );
    o.push(
        "time-future-before-prev",
        "time in the future and prev unknown: MSG-2 before MSG-4",
        &["MSG-2", "MSG-4"],
        &msg,
        false,
        &ctx(),
        err("msg.time_in_future"),
    );
    let msg = sign(
        &Key::from_label("messages/time-body-first"),
        &w.alice,
        1,
        None,
        "post",
        NOW + SKEW + 1,
        m(vec![]),
    );
    o.push(
        "time-body-first",
        "an empty post in the future: the body rules (step 1) come before MSG-2",
        &["POST-1", "MSG-2"],
        &msg,
        false,
        &ctx(),
        err("msg.empty_post"),
    );
}

fn auth(o: &mut Out, w: &World) {
    let r = &["MSG-3"];
    let body = || m(vec![("text", t("hi"))]);
    let one = |o: &mut Out, id: &str, d: &str, rules: &[&str], c: Ctx, exp: Exp| {
        let msg = sign(
            &Key::from_label(&format!("messages/{id}")),
            &w.alice,
            1,
            None,
            "post",
            T0,
            body(),
        );
        o.push(id, d, rules, &msg, false, &c, exp);
    };
    one(
        o,
        "auth-authorized",
        "key authorized, seq 1 (no prev lookup)",
        r,
        ctx(),
        ok(),
    );
    one(
        o,
        "auth-unknown",
        "key authorization unknown: Undecided [key_authorization]",
        r,
        ctx().auth("unknown"),
        und(vec![Miss::Auth]),
    );
    for c in AUTH_CODES {
        one(
            o,
            &format!("auth-{}", c.trim_start_matches("auth.").replace('_', "-")),
            &format!("key authorization denied with {c}: passed through as the error"),
            r,
            ctx().auth(c),
            err(c),
        );
    }
    let msg = sign(
        &Key::from_label("messages/auth-body-first"),
        &w.alice,
        1,
        None,
        "post",
        T0,
        m(vec![("text", t(""))]),
    );
    o.push(
        "auth-body-first",
        "a post with empty text and authorization denied: body rules come first",
        &["MSG-1", "MSG-3"],
        &msg,
        false,
        &ctx().auth("auth.not_delegated"),
        err("msg.too_short"),
    );
    let h = w.alice_hist("auth-denied-before-prev");
    let msg = h.make("post", 2, body());
    o.push(
        "auth-denied-before-prev",
        "authorization denied and prev unknown: Invalid (MSG-3 before MSG-4)",
        &["MSG-3", "MSG-4"],
        &msg,
        false,
        &ctx().auth("auth.before_delegation"),
        err("auth.before_delegation"),
    );
    let h = w.alice_hist("auth-denied-before-target");
    let msg = h.make("delete", 2, m(vec![("target", b(&h.at(5).id))]));
    o.push(
        "auth-denied-before-target",
        "delete with authorization denied, prev known, target unknown: Invalid",
        &["MSG-3", "DELETE-1"],
        &msg,
        false,
        &ctx().auth("auth.root_key_message").with(&[h.at(9)]),
        err("auth.root_key_message"),
    );
    let h = w.alice_hist("auth-unknown-and-prev-missing");
    let msg = h.make("post", 2, body());
    o.push(
        "auth-unknown-and-prev-missing",
        "authorization unknown and prev unknown",
        &["MSG-3", "MSG-4"],
        &msg,
        false,
        &ctx().auth("unknown"),
        und(vec![Miss::Auth, mid(h.at(9))]),
    );
    let h = w.alice_hist("auth-unknown-prev-present");
    let msg = h.make("post", 2, body());
    o.push(
        "auth-unknown-prev-present",
        "authorization unknown, prev known and consistent",
        &["MSG-3", "MSG-4"],
        &msg,
        false,
        &ctx().auth("unknown").with(&[h.at(9)]),
        und(vec![Miss::Auth]),
    );
    let h = w.alice_hist("auth-unknown-and-target-missing");
    let msg = h.make("unrepost", 2, m(vec![("target", b(&h.at(3).id))]));
    o.push(
        "auth-unknown-and-target-missing",
        "unrepost: authorization unknown, prev known, target unknown",
        &["MSG-3", "UNDO-1"],
        &msg,
        false,
        &ctx().auth("unknown").with(&[h.at(9)]),
        und(vec![Miss::Auth, mid(h.at(3))]),
    );
    let h = w.alice_hist("auth-unknown-prev-target-missing");
    let msg = h.make("unreact", 2, m(vec![("target", b(&h.at(2).id))]));
    o.push(
        "auth-unknown-prev-target-missing",
        "unreact: authorization, prev and target all unknown",
        &["MSG-3", "MSG-4", "UNDO-1"],
        &msg,
        false,
        &ctx().auth("unknown"),
        und(vec![Miss::Auth, mid(h.at(9)), mid(h.at(2))]),
    );
}

// ------------------------------------------------------------------------------------------------ MSG-4

fn history(o: &mut Out, w: &World) {
    let r = &["MSG-4"];
    let body = || m(vec![("text", t("next"))]);
    let k2 = |id: &str| Key::from_label(&format!("messages/{id}/key-2"));
    // (id, description, signer: 1 = own key / 2 = another key of alice, seq, time offset vs prev in ms, exp)
    let cases: Vec<(&str, &str, u8, u64, i64, &str)> = vec![
        (
            "prev-present",
            "seq 10, prev = seq 9 (known), two minutes later",
            1,
            10,
            120_000,
            "",
        ),
        (
            "prev-equal-time",
            "seq 10 with the same time as its prev (equal allowed)",
            1,
            10,
            0,
            "",
        ),
        (
            "prev-time-regression",
            "seq 10 one ms earlier than its prev",
            1,
            10,
            -1,
            "msg.time_regression",
        ),
        (
            "prev-key-mismatch",
            "seq 10 signed by alice's second key with prev = seq 9 of her first key",
            2,
            10,
            60_000,
            "msg.prev_key_mismatch",
        ),
        (
            "prev-seq-mismatch",
            "seq 11 with prev = seq 9",
            1,
            11,
            60_000,
            "msg.prev_seq_mismatch",
        ),
        (
            "prev-seq-mismatch-lower",
            "seq 9 with prev = seq 9 (another message with the same seq)",
            1,
            9,
            60_000,
            "msg.prev_seq_mismatch",
        ),
        (
            "prev-time-before-key",
            "another key, one ms earlier: time is checked before the key",
            2,
            10,
            -1,
            "msg.time_regression",
        ),
        (
            "prev-key-before-seq",
            "another key and seq 11: the key is checked before the seq",
            2,
            11,
            60_000,
            "msg.prev_key_mismatch",
        ),
        (
            "prev-time-before-seq",
            "seq 11, one ms earlier: time before seq",
            1,
            11,
            -1,
            "msg.time_regression",
        ),
    ];
    for (id, d, signer, seq, dt, code) in cases {
        let h = w.alice_hist(id);
        let p = h.at(9);
        let key = if signer == 1 {
            Key::from_seed(h.key.seed)
        } else {
            k2(id)
        };
        let time = (p.time as i64 + dt) as u64;
        let msg = sign(&key, &h.acct, seq, Some(&p.id), "post", time, body());
        let exp = if code.is_empty() {
            ok()
        } else {
            err(match code {
                "msg.time_regression" => "msg.time_regression",
                "msg.prev_key_mismatch" => "msg.prev_key_mismatch",
                _ => "msg.prev_seq_mismatch",
            })
        };
        o.push(
            id,
            &format!("{d}; known: the prev"),
            r,
            &msg,
            false,
            &ctx().with(&[p]),
            exp,
        );
    }
    let h = w.alice_hist("prev-missing");
    let msg = h.make("post", 1, body());
    o.push(
        "prev-missing",
        "seq 10 whose prev (alice's 9) is not known: Undecided [prev id]",
        r,
        &msg,
        false,
        &ctx().with(&[h.at(8), h.at(1)]),
        und(vec![mid(h.at(9))]),
    );
    let h = w.alice_hist("prev-stripped");
    let msg = h.make("post", 1, body());
    o.push(
        "prev-stripped",
        "seq 10 whose prev is known only as a stripped remainder",
        r,
        &msg,
        false,
        &ctx().with_stripped(&[h.at(9)]),
        ok(),
    );
    let msg = sign(
        &Key::from_label("messages/prev-seq-1"),
        &w.alice,
        1,
        None,
        "post",
        T0,
        body(),
    );
    o.push(
        "prev-seq-1",
        "seq 1: no prev and no lookup",
        r,
        &msg,
        false,
        &ctx(),
        ok(),
    );
    let h = w.alice_hist("prev-regression-beats-auth-unknown");
    let msg = sign(
        &h.key,
        &h.acct,
        10,
        Some(&h.at(9).id),
        "post",
        h.at(9).time - 1,
        body(),
    );
    o.push("prev-regression-beats-auth-unknown", "authorization unknown (recorded) and a time regression against the known prev: the Invalid wins", &["MSG-4", "MSG-3"], &msg, false, &ctx().auth("unknown").with(&[h.at(9)]), err("msg.time_regression"));
    let h = w.alice_hist("prev-mismatch-before-target");
    let msg = sign(
        &k2("prev-mismatch-before-target"),
        &h.acct,
        10,
        Some(&h.at(9).id),
        "delete",
        h.at(9).time + MIN,
        m(vec![("target", b(&w.bh.at(1).id))]),
    );
    o.push("prev-mismatch-before-target", "delete by alice's second key with prev = seq 9 of her first key and target bob's post: MSG-4 comes before the kind lookup", &["MSG-4", "DELETE-1"], &msg, false, &ctx().with(&[h.at(9), w.bh.at(1)]), err("msg.prev_key_mismatch"));
    let h = w.alice_hist("prev-missing-target-invalid");
    let msg = h.make("unreact", 2, m(vec![("target", b(&h.at(3).id))]));
    o.push("prev-missing-target-invalid", "unreact with prev unknown and target = alice's repost (known): Invalid from the lookup beats the missing prev", &["UNDO-1", "MSG-4"], &msg, false, &ctx().with(&[h.at(3)]), err("msg.target_kind"));
    let h = w.alice_hist("prev-body-first");
    let msg = h.make("post", 2, m(vec![("text", t("x")), ("langs", a(vec![]))]));
    o.push(
        "prev-body-first",
        "an invalid body (empty langs) with prev unknown: Invalid, body rules first",
        &["MSG-1", "MSG-4"],
        &msg,
        false,
        &ctx(),
        err("msg.too_short"),
    );
}

// ------------------------------------------------------------------------------------------------ keys and time

/// What a key may act on (05 §5.3-§5.6, 06 §5.4): its own messages; another key's messages of the
/// account only with `cap:others`; never a message newer than itself. Message under test: seq 10 of
/// alice's key A (time T0 + 10 min). `p`: another key of alice's account (the phone), the same nine
/// messages, all older. Each case: (id suffix, description, rules, kind, body from A's and P's
/// histories, the targets to make known).
fn capabilities(o: &mut Out, w: &World) {
    type Body = fn(&Hist, &Hist) -> Value;
    let cases: &[(&str, &str, &str, &str, Body)] = &[
        (
            "delete",
            "a delete of the phone's post 1",
            "DELETE-1",
            "delete",
            |_, p| m(vec![("target", b(&p.at(1).id))]),
        ),
        (
            "edit-target",
            "an edit of the phone's post 1 (replaces it)",
            "EDIT-2",
            "edit",
            |_, p| {
                m(vec![
                    ("target", b(&p.at(1).id)),
                    ("replaces", b(&p.at(1).id)),
                    ("text", t("rewritten")),
                ])
            },
        ),
        (
            "edit-replaces",
            "an edit of alice's own post 1 that replaces the phone's edit 4",
            "EDIT-3",
            "edit",
            |h, p| {
                m(vec![
                    ("target", b(&h.at(1).id)),
                    ("replaces", b(&p.at(4).id)),
                    ("text", t("rewritten")),
                ])
            },
        ),
        (
            "unreact",
            "an unreact of the phone's react 2",
            "UNDO-1",
            "unreact",
            |_, p| m(vec![("target", b(&p.at(2).id))]),
        ),
        (
            "unrepost",
            "an unrepost of the phone's repost 3",
            "UNDO-1",
            "unrepost",
            |_, p| m(vec![("target", b(&p.at(3).id))]),
        ),
        (
            "gate",
            "a gate of the phone's post 1",
            "GATE-2",
            "gate",
            |_, p| {
                m(vec![
                    ("target", b(&p.at(1).id)),
                    ("reply", a(vec![t("nobody")])),
                ])
            },
        ),
    ];
    // (id prefix, what the key holds, context answer, expected)
    let answers = [
        (
            "no-cap",
            "a key without cap:others (scope [\"*\"] grants none)",
            "denied",
            err("msg.other_key_target"),
        ),
        ("cap", "a key with cap:others", "authorized", ok()),
        (
            "cap-unknown",
            "a key whose capabilities are not known yet",
            "unknown",
            und(vec![Miss::Auth]),
        ),
    ];
    for (prefix, holder, answer, exp) in &answers {
        for (suffix, what, rule, kind, body) in cases {
            let id = format!("{prefix}-other-key-{suffix}");
            let h = w.alice_hist(&id);
            let p = w.alice_hist(&format!("{id}/phone"));
            let msg = h.make(kind, 2, body(&h, &p));
            let c =
                ctx()
                    .others(answer)
                    .with(&[h.at(9), h.at(1), p.at(1), p.at(2), p.at(3), p.at(4)]);
            o.push(
                &id,
                &format!(
                    "{what}, signed by {holder} (another key of alice's account signed the target)"
                ),
                &[rule],
                &msg,
                false,
                &c,
                exp.clone(),
            );
        }
    }
    // The boundary in time: a target newer than the message is refused; as old, accepted. `later`:
    // a key of alice's whose messages are dated T0 + `minutes`; the message under test is at T0 + 10 min.
    let later = |id: &str, minutes: u64| {
        let mut l = Hist::new(
            Key::from_label(&format!("messages/{id}/later")),
            w.alice.clone(),
        );
        l.push("post", minutes, m(vec![("text", t("later"))]));
        l.push("react", 0, m(vec![("target", b(&w.bh.at(1).id))]));
        l
    };
    type Timed = fn(&Hist) -> Value;
    let timed: &[(&str, &str, &str, Timed)] = &[
        ("delete", "DELETE-1", "delete", |l| {
            m(vec![("target", b(&l.at(1).id))])
        }),
        ("edit", "EDIT-2", "edit", |l| {
            m(vec![
                ("target", b(&l.at(1).id)),
                ("replaces", b(&l.at(1).id)),
                ("text", t("x")),
            ])
        }),
        ("unreact", "UNDO-1", "unreact", |l| {
            m(vec![("target", b(&l.at(2).id))])
        }),
        ("gate", "GATE-2", "gate", |l| {
            m(vec![
                ("target", b(&l.at(1).id)),
                ("quote", a(vec![t("nobody")])),
            ])
        }),
    ];
    for (name, rule, kind, body) in timed {
        for (minutes, tag, exp) in [
            (11u64, "newer", err("msg.target_newer")),
            (10, "same-time", ok()),
        ] {
            let id = format!("target-{tag}-{name}");
            let h = w.alice_hist(&id);
            let l = later(&id, minutes);
            let msg = h.make(kind, 2, body(&l));
            o.push(
                &id,
                &format!(
                    "a {kind} (time T0 + 10 min, key with cap:others) of a message of alice's dated \
                     T0 + {minutes} min: {}",
                    if minutes > 10 { "newer than the message, refused" } else { "equal times allowed" }
                ),
                &[rule],
                &msg,
                false,
                &ctx().others("authorized").with(&[h.at(9), l.at(1), l.at(2)]),
                exp.clone(),
            );
        }
    }
    // Precedence: account, then kind, then time, then key.
    let id = "target-newer-before-other-key";
    let h = w.alice_hist(id);
    let l = later(id, 11);
    let msg = h.make("delete", 2, m(vec![("target", b(&l.at(1).id))]));
    o.push(id, "a delete of another key's newer post by a key without cap:others: the time is checked before the key", &["DELETE-1"], &msg, false, &ctx().with(&[h.at(9), l.at(1)]), err("msg.target_newer"));
    let id = "target-kind-before-other-key";
    let h = w.alice_hist(id);
    let p = w.alice_hist(&format!("{id}/phone"));
    let msg = h.make("unreact", 2, m(vec![("target", b(&p.at(3).id))]));
    o.push(id, "an unreact of the phone's repost by a key without cap:others: the kind is checked before the key", &["UNDO-1"], &msg, false, &ctx().with(&[h.at(9), p.at(3)]), err("msg.target_kind"));
    let id = "not-own-before-target-newer";
    let h = w.alice_hist(id);
    let mut bob_later = Hist::new(
        Key::from_label("messages/not-own-before-target-newer/bob"),
        w.bob.acct.clone(),
    );
    bob_later.push("post", 30, m(vec![("text", t("bob, later"))]));
    let msg = h.make("delete", 2, m(vec![("target", b(&bob_later.at(1).id))]));
    o.push(
        id,
        "a delete of bob's newer post: the account is checked before the time",
        &["DELETE-1"],
        &msg,
        false,
        &ctx().others("authorized").with(&[h.at(9), bob_later.at(1)]),
        err("msg.not_own_target"),
    );

    // Threats (spec/security.md).
    let id = "threat-app-key-deletes-other-keys-post";
    let h = w.alice_hist(id);
    let p = w.alice_hist(&format!("{id}/phone"));
    let msg = h.make("delete", 2, m(vec![("target", b(&p.at(1).id))]));
    o.push(id, "a thief holding alice's scheduler key (scope [\"*\"], authorized for deletes, no cap:others) deletes the post her phone key signed: refused", &["DELETE-1"], &msg, false, &ctx().with(&[h.at(9), p.at(1)]), err("msg.other_key_target"));
    o.push("threat-app-key-deletes-other-keys-post-target-later", "the same delete before the phone's post is known: undecided (the target), never valid; once the post arrives it is refused (previous vector), in either order", &["DELETE-1"], &msg, false, &ctx().with(&[h.at(9)]), und(vec![mid(p.at(1))]));
    let msg = h.make(
        "edit",
        2,
        m(vec![
            ("target", b(&p.at(1).id)),
            ("replaces", b(&p.at(1).id)),
            ("text", t("send coins to …")),
        ]),
    );
    o.push(
        "threat-app-key-edits-other-keys-post",
        "the thief's key (no cap:others) edits the phone's post into a scam: refused",
        &["EDIT-2"],
        &msg,
        false,
        &ctx().with(&[h.at(9), p.at(1)]),
        err("msg.other_key_target"),
    );
    let id = "threat-back-dated-delete";
    let h = w.alice_hist(id);
    let l = later(id, 40);
    let msg = h.make("delete", 2, m(vec![("target", b(&l.at(1).id))]));
    o.push(id, "a key (even one with cap:others) past its expiry back-dates a delete into its window (T0 + 10 min) to reach a post written at T0 + 40 min: refused", &["DELETE-1"], &msg, false, &ctx().others("authorized").with(&[h.at(9), l.at(1)]), err("msg.target_newer"));
    let msg = h.make(
        "edit",
        2,
        m(vec![
            ("target", b(&l.at(1).id)),
            ("replaces", b(&l.at(1).id)),
            ("text", t("x")),
        ]),
    );
    o.push(
        "threat-back-dated-edit",
        "the same key back-dates an edit of the newer post: refused",
        &["EDIT-2"],
        &msg,
        false,
        &ctx().others("authorized").with(&[h.at(9), l.at(1)]),
        err("msg.target_newer"),
    );
    // A keyless relay strips control messages: each stays undecided, missing its body.
    let negate = m(vec![
        ("negate", Value::Bool(true)),
        ("value", t("spam")),
        ("message", b(&w.bh.at(1).id)),
    ]);
    let relayed: &[(&str, &str, Value)] = &[
        (
            "delete",
            "a delete of alice's post 1",
            m(vec![("target", b(&rid("threat: deleted post")))]),
        ),
        (
            "unfollow",
            "an unfollow of bob",
            m(vec![("subject", b(&w.bob.acct))]),
        ),
        (
            "block",
            "a block of carol",
            m(vec![("subject", b(&w.carol))]),
        ),
        (
            "label",
            "a negating label (\"spam\" withdrawn from bob's post)",
            negate,
        ),
        (
            "gate",
            "a gate that lifts every limit on alice's post 1",
            m(vec![("target", b(&rid("threat: gated post")))]),
        ),
    ];
    for (kind, what, body) in relayed {
        let id = format!("threat-stripped-{kind}-relayed");
        let h = w.alice_hist(&id);
        let msg = h.make(kind, 2, body.clone());
        o.push(&id, &format!("{what}, relayed as its stripped remainder by a node without any key: undecided, missing its body (MSG-7) — not valid, so it neither counts as \"nothing\" nor stands in for the whole message"), &["MSG-7"], &msg, true, &ctx().with(&[h.at(9)]), und(vec![Miss::Body]));
    }
}

// ------------------------------------------------------------------------------------------------ file

/// Version pins (05 §5.2, §5.5, §5.6): a react, a repost and a quote may name the version of their
/// target the author saw. References only, like the target itself: no lookup.
fn version_pins(o: &mut Out) {
    let post = rid("a post");
    let seen = rid("the version seen");
    let with = |fields: Vec<(&'static str, Value)>| m(fields);
    // (id, description, rules, kind, body, outcome)
    type Case = (
        &'static str,
        &'static str,
        &'static [&'static str],
        &'static str,
        Value,
        Exp,
    );
    let cases: Vec<Case> = vec![
        (
            "react-version",
            "a like naming the version it saw (an edit's id): a reference, not looked up",
            &["REACT-1"],
            "react",
            with(vec![("target", b(&post)), ("version", b(&seen))]),
            ok(),
        ),
        (
            "react-emoji-version",
            "a reaction with an emoji and a version: key order emoji, target, version",
            &["REACT-1"],
            "react",
            with(vec![
                ("target", b(&post)),
                ("emoji", t("\u{1F44D}")),
                ("version", b(&post)),
            ]),
            ok(),
        ),
        (
            "react-version-31-bytes",
            "a version of 31 bytes: an id has 32",
            &["MSG-1"],
            "react",
            with(vec![("target", b(&post)), ("version", b(&seen[..31]))]),
            err("msg.wrong_type"),
        ),
        (
            "repost-version",
            "a repost naming the version it saw",
            &["MSG-1"],
            "repost",
            with(vec![("target", b(&post)), ("version", b(&seen))]),
            ok(),
        ),
        (
            "repost-version-text",
            "a repost whose version is a text string",
            &["MSG-1"],
            "repost",
            with(vec![("target", b(&post)), ("version", t("v1"))]),
            err("msg.wrong_type"),
        ),
        (
            "post-quote-version",
            "a quote naming the version of the quoted post it saw",
            &["POST-1", "POST-6"],
            "post",
            with(vec![
                ("text", t("look")),
                ("quote", b(&post)),
                ("quote_version", b(&seen)),
            ]),
            ok(),
        ),
        (
            "post-quote-version-without-quote",
            "quote_version without quote (POST-6, after all fields): msg.missing_field",
            &["POST-6"],
            "post",
            with(vec![("text", t("look")), ("quote_version", b(&seen))]),
            err("msg.missing_field"),
        ),
        (
            "post-quote-version-only",
            "quote_version alone: POST-1 (no text, embeds or quote) is checked before POST-6",
            &["POST-1", "POST-6"],
            "post",
            with(vec![("quote_version", b(&seen))]),
            err("msg.empty_post"),
        ),
    ];
    for (id, description, rules, kind, body, exp) in cases {
        o.body(id, description, rules, kind, body, exp);
    }
    // Only a repost and a react may pin: the other target kinds know no `version`.
    for kind in ["unreact", "unrepost", "delete"] {
        o.body(
            &format!("{kind}-version"),
            &format!("{kind} with a version: not a field of {kind} (msg.unknown_field)"),
            &["MSG-1"],
            kind,
            with(vec![("target", b(&post)), ("version", b(&seen))]),
            err("msg.unknown_field"),
        );
    }
}

pub fn generate() -> String {
    let w = World::new();
    let mut o = Out::default();
    common(&mut o);
    urls(&mut o);
    langs(&mut o);
    media_rules(&mut o);
    facets(&mut o, &w);
    profile(&mut o);
    locator_and_name(&mut o);
    post(&mut o, &w);
    edit(&mut o, &w);
    delete(&mut o, &w);
    react(&mut o);
    version_pins(&mut o);
    undo(&mut o, &w);
    graph(&mut o, &w);
    label(&mut o, &w);
    report(&mut o, &w);
    extension(&mut o, &w);
    stripped(&mut o, &w);
    time(&mut o, &w);
    auth(&mut o, &w);
    history(&mut o, &w);
    capabilities(&mut o, &w);
    gate(&mut o, &w);
    proof_of_work(&mut o);
    file(
        "Layer-2 validation of signed messages (kinds, bodies, MSG-2 time, MSG-3 key authorization, MSG-4 \
         history, kind lookups). `input` is a whole signed message (layer-1 valid; a stripped remainder when it \
         has no \"b\"). `context` supplies `now` (ms), the key `authorization` (\"authorized\", \"unknown\" or the \
         auth.* denial code to pass through), `others` (the answer to every capability question, 06 AUTH-7: \
         does the key hold cap:others? \"authorized\" or \"unknown\"; absent: denied) and `known`: whole or stripped signed messages whose headers the \
         lookups (prev, targets) may return, found by their message id (ID-1 of their header). `outcome` is \
         \"valid\" (with `kind` and `body_diag`, the body in diagnostic notation or null for a remainder), \
         \"invalid\" (with `error`) or \"undecided\" (with `missing`: \"key_authorization\", \"body\" (MSG-7) and/or hex \
         message ids, in the order the checks asked for them, without duplicates). Valid vectors may carry `pow` \
         (05 §13): the proof hash of the header bytes (POW-1, hex), its difficulty (leading zero bits), the \
         claimed target (POW-2, null for no claim) and the work (POW-3). Messages not part of a history are \
         the first message (seq 1) of a key of their own; histories are nine messages of alice's key (post, \
         react, repost, edit, post, delete, profile, extension, edit), the message under test being seq 10.",
        "messages",
        o.vectors,
    )
}

// ------------------------------------------------------------------------------------------------ gate

/// GATE-1, GATE-2 (05 §5.11): who may reply to and quote a post, and hidden replies.
fn gate(o: &mut Out, w: &World) {
    let post = rid("a gated post");
    let texts = |xs: &[&str]| a(xs.iter().map(|x| t(x)).collect());
    let ids = |n: usize| a((0..n).map(|i| b(&rid(&format!("reply {i}")))).collect());
    let with = |fields: Vec<(&'static str, Value)>| {
        let mut v = vec![("target", b(&post))];
        v.extend(fields);
        m(v)
    };
    // Body rules: each case is the first message of a key of its own, nothing known; a body rule
    // fails before the lookup. (id, description, rules, body, outcome)
    let bodies: Vec<(&str, &str, &[&str], Value, Exp)> = vec![
        ("gate-missing-target", "a gate without target", &["MSG-1"], m(vec![("reply", texts(&["nobody"]))]), err("msg.missing_field")),
        ("gate-unknown-field", "a gate with the un-dotted unknown key \"allow\" (AT Protocol's name)", &["MSG-1"], with(vec![("allow", texts(&["followers"]))]), err("msg.unknown_field")),
        ("gate-target-wrong-type", "a gate whose target is a text", &["MSG-1"], m(vec![("target", t("post"))]), err("msg.wrong_type")),
        ("gate-target-31-bytes", "a gate whose target is 31 bytes", &["MSG-1"], m(vec![("target", b(&post[..31]))]), err("msg.wrong_type")),
        ("gate-reply-not-list", "reply is a text, not a list", &["MSG-1"], with(vec![("reply", t("followers"))]), err("msg.wrong_type")),
        ("gate-reply-empty", "reply is the empty list (nobody is written \"nobody\")", &["MSG-1"], with(vec![("reply", a(vec![]))]), err("msg.too_short")),
        ("gate-reply-four", "reply lists four audiences", &["MSG-1"], with(vec![("reply", texts(&["followers", "mentioned", "following", "nobody"]))]), err("msg.too_many")),
        ("gate-reply-element-not-text", "reply holds an integer", &["MSG-1"], with(vec![("reply", a(vec![u(1)]))]), err("msg.wrong_type")),
        ("gate-reply-unknown-audience", "reply holds \"friends\"", &["GATE-1"], with(vec![("reply", texts(&["friends"]))]), err("msg.invalid_audience")),
        ("gate-reply-audience-case", "reply holds \"Followers\": audiences are compared exactly", &["GATE-1"], with(vec![("reply", texts(&["Followers"]))]), err("msg.invalid_audience")),
        ("gate-quote-unknown-audience", "quote holds \"list\"", &["GATE-1"], with(vec![("quote", texts(&["list"]))]), err("msg.invalid_audience")),
        ("gate-reply-nobody-and-followers", "reply holds \"followers\" and \"nobody\": nobody stands alone", &["GATE-1"], with(vec![("reply", texts(&["followers", "nobody"]))]), err("msg.invalid_audience")),
        ("gate-quote-nobody-first", "quote holds \"nobody\" then \"mentioned\"", &["GATE-1"], with(vec![("quote", texts(&["nobody", "mentioned"]))]), err("msg.invalid_audience")),
        ("gate-reply-duplicate", "reply holds \"followers\" twice", &["GATE-1"], with(vec![("reply", texts(&["followers", "followers"]))]), err("msg.duplicate")),
        ("gate-reply-nobody-twice", "reply holds \"nobody\" twice: the repeat is found first", &["GATE-1"], with(vec![("reply", texts(&["nobody", "nobody"]))]), err("msg.duplicate")),
        ("gate-quote-before-reply", "quote holds \"list\" and reply a repeat: quote is checked first (encoded key order)", &["GATE-1"], with(vec![("reply", texts(&["following", "following"])), ("quote", texts(&["list"]))]), err("msg.invalid_audience")),
        ("gate-hidden-empty", "hidden is the empty list", &["MSG-1"], with(vec![("hidden", a(vec![]))]), err("msg.too_short")),
        ("gate-hidden-51", "hidden lists 51 replies", &["MSG-1"], with(vec![("hidden", ids(51))]), err("msg.too_many")),
        ("gate-hidden-not-id", "hidden holds a 33-byte string", &["MSG-1"], with(vec![("hidden", a(vec![b(&[post.as_slice(), &[0]].concat())]))]), err("msg.wrong_type")),
        ("gate-hidden-duplicate", "hidden names one reply twice, apart", &["GATE-1"], with(vec![("hidden", a(vec![b(&rid("reply 0")), b(&rid("reply 1")), b(&rid("reply 0"))]))]), err("msg.duplicate")),
        ("gate-hidden-duplicate-before-later-type", "hidden names one reply twice, then a 33-byte string: the repeat is found at the second element, before the third is read", &["GATE-1"], with(vec![("hidden", a(vec![b(&rid("reply 0")), b(&rid("reply 0")), b(&[post.as_slice(), &[0]].concat())]))]), err("msg.duplicate")),
        ("gate-body-before-lookup", "a gate of an unknown post with an invalid audience: the body rule fails before the lookup", &["GATE-1", "GATE-2"], with(vec![("reply", texts(&["everyone"]))]), err("msg.invalid_audience")),
    ];
    for (id, d, rules, body, exp) in bodies {
        o.body(id, d, rules, "gate", body, exp);
    }
    // Lookups: alice gates a message as seq 10 of her history, known: her prev 9 and the target
    // (`Own(n)`: her seq n; `Bob`: bob's post 1; `Stripped`: her post 1 as a remainder; `Unknown`: her
    // post 5, not known). (id, description, rules, target, fields besides target, outcome)
    enum On {
        Own(u64),
        Bob,
        Stripped,
        Unknown,
    }
    type Fields = Vec<(&'static str, Value)>;
    let nobody = || vec![("reply", texts(&["nobody"]))];
    type Case = (
        &'static str,
        &'static str,
        &'static [&'static str],
        On,
        Fields,
        Option<Exp>,
    );
    let lookups: Vec<Case> = vec![
        ("gate-own-post", "alice gates her post 1: replies by followers and mentioned accounts, quotes by nobody, two hidden replies", &["GATE-1", "GATE-2"], On::Own(1), vec![("reply", texts(&["followers", "mentioned"])), ("quote", texts(&["nobody"])), ("hidden", ids(2))], Some(ok())),
        ("gate-own-post-all-audiences", "alice's gate lists all three audiences for replies and for quotes", &["GATE-1", "GATE-2"], On::Own(1), vec![("reply", texts(&["following", "mentioned", "followers"])), ("quote", texts(&["followers", "following", "mentioned"]))], Some(ok())),
        ("gate-own-post-empty", "alice's gate of post 1 with no list: lifts an earlier gate", &["GATE-2"], On::Own(1), vec![], Some(ok())),
        ("gate-own-post-hidden-50", "alice's gate hides 50 replies", &["GATE-1", "GATE-2"], On::Own(1), vec![("hidden", ids(50))], Some(ok())),
        ("gate-namespaced-field", "alice's gate with the namespaced key \"com.example.note\"", &["MSG-1", "GATE-2"], On::Own(1), vec![("com.example.note", t("quiet thread"))], Some(ok())),
        ("gate-own-stripped-post", "alice gates her post 1, known only as a stripped remainder", &["GATE-2"], On::Stripped, nobody(), Some(ok())),
        ("gate-not-own", "alice gates bob's post", &["GATE-2"], On::Bob, nobody(), Some(err("msg.not_own_target"))),
        ("gate-target-react", "alice gates her own react 2", &["GATE-2"], On::Own(2), nobody(), Some(err("msg.target_kind"))),
        ("gate-target-edit", "alice gates her own edit 4 (a gate names the post, not a version)", &["GATE-2"], On::Own(4), nobody(), Some(err("msg.target_kind"))),
        ("gate-target-missing", "alice gates her post 5, not known", &["GATE-2"], On::Unknown, nobody(), None),
    ];
    for (id, d, rules, on, extra, exp) in lookups {
        let h = w.alice_hist(id);
        let mut c = ctx().with(&[h.at(9)]);
        let target = match on {
            On::Own(n) => {
                c = c.with(&[h.at(n)]);
                h.at(n).id.clone()
            }
            On::Bob => {
                c = c.with(&[w.bh.at(1)]);
                w.bh.at(1).id.clone()
            }
            On::Stripped => {
                c = c.with_stripped(&[h.at(1)]);
                h.at(1).id.clone()
            }
            On::Unknown => h.at(5).id.clone(),
        };
        let exp = exp.unwrap_or_else(|| und(vec![mid(h.at(5))]));
        let mut fields = vec![("target", b(&target))];
        fields.extend(extra);
        let msg = h.make("gate", 2, m(fields));
        o.push(id, d, rules, &msg, false, &c, exp);
    }
}

// ------------------------------------------------------------------------------------------------ proof of work

/// POW-1: the BLAKE3 `derive_key` context of the proof hash.
const CTX_POW: &str = "skylark v1 proof of work";

/// POW-1: the leading zero bits of a hash, most significant bit of the first byte first.
fn difficulty(h: &[u8]) -> u32 {
    let mut bits = 0;
    for x in h {
        if *x != 0 {
            return bits + x.leading_zeros();
        }
        bits += 8;
    }
    bits
}

/// POW-2 read from the spec's text: `"skylark.pow": [target, nonce]`, two unsigned integers,
/// 1 ≤ target ≤ 256; anything else claims nothing.
fn claimed(body: &Value) -> Option<u64> {
    let Value::M(entries) = body else { return None };
    match entries
        .iter()
        .find(|(k, _)| k == "skylark.pow")
        .map(|(_, v)| v)
    {
        Some(Value::A(items)) => match items.as_slice() {
            [Value::U(target), Value::U(_)] if (1..=256).contains(target) => Some(*target),
            _ => None,
        },
        _ => None,
    }
}

/// A proof-of-work case: the kind, its account, the body without the claim, the claim's value as
/// a function of the nonce (None: no `skylark.pow` key), and the exact difficulty wanted (None:
/// whatever the first nonce gives).
struct PowCase {
    id: &'static str,
    description: &'static str,
    rules: &'static [&'static str],
    kind: &'static str,
    body: Value,
    claim: Option<fn(u64) -> Value>,
    want: Option<u32>,
    stripped: bool,
}

fn target8(n: u64) -> Value {
    a(vec![u(8), u(n)])
}

fn proof_of_work(o: &mut Out) {
    let bob_post = blake3::derive_key(CTX_MESSAGE_ID, b"example: a post of bob").to_vec();
    let bob = account("bob");
    let reply = || {
        m(vec![
            ("text", t("hi")),
            (
                "reply",
                m(vec![("root", b(&bob_post)), ("parent", b(&bob_post))]),
            ),
        ])
    };
    let genesis_key = Key::from_label("messages/pow-genesis");
    let genesis = || m(vec![("roots", a(vec![b(&genesis_key.pk)]))]);
    let p4: &[&str] = &["POW-1", "POW-2", "POW-3", "POW-4"];
    let p3: &[&str] = &["POW-1", "POW-2", "POW-3"];
    let cases = vec![
        PowCase { id: "pow-genesis-target-8-difficulty-7", description: "A genesis claiming 8 bits whose proof hash has exactly 7 leading zero bits (target − 1): work 0. The genesis is valid whatever its work (POW-4: a node's minimum is policy).", rules: p4, kind: "genesis", body: genesis(), claim: Some(target8), want: Some(7), stripped: false },
        PowCase { id: "pow-genesis-target-8-difficulty-8", description: "A genesis claiming 8 bits with exactly 8 leading zero bits (the target): work 8.", rules: p4, kind: "genesis", body: genesis(), claim: Some(target8), want: Some(8), stripped: false },
        PowCase { id: "pow-genesis-target-8-difficulty-9", description: "A genesis claiming 8 bits with exactly 9 leading zero bits (target + 1): work 8, not 9 — the committed target is what counts.", rules: p4, kind: "genesis", body: genesis(), claim: Some(target8), want: Some(9), stripped: false },
        PowCase { id: "pow-reply-target-8-difficulty-7", description: "A reply to a post of another account (unsolicited if that account does not follow the author, POW-4) claiming 8 bits, 7 leading zero bits: work 0.", rules: p4, kind: "post", body: reply(), claim: Some(target8), want: Some(7), stripped: false },
        PowCase { id: "pow-reply-target-8-difficulty-8", description: "The reply claiming 8 bits with exactly 8 leading zero bits: work 8.", rules: p4, kind: "post", body: reply(), claim: Some(target8), want: Some(8), stripped: false },
        PowCase { id: "pow-reply-target-8-difficulty-9", description: "The reply claiming 8 bits with exactly 9 leading zero bits: work 8.", rules: p4, kind: "post", body: reply(), claim: Some(target8), want: Some(9), stripped: false },
        PowCase { id: "pow-mention-target-8", description: "A post mentioning bob (FACET-1) claiming 8 bits and reaching it: work 8.", rules: p4, kind: "post", body: m(vec![("text", t("@bob")), ("facets", a(vec![facet(0, 4, "mention", Some(("account", b(&bob))))]))]), claim: Some(target8), want: Some(8), stripped: false },
        PowCase { id: "pow-quote-target-8", description: "A post quoting bob's post claiming 8 bits and reaching it: work 8.", rules: p4, kind: "post", body: m(vec![("text", t("look")), ("quote", b(&bob_post))]), claim: Some(target8), want: Some(8), stripped: false },
        PowCase { id: "pow-no-claim", description: "A post without `skylark.pow`: no claim, work 0, whatever its proof hash.", rules: p3, kind: "post", body: reply(), claim: None, want: None, stripped: false },
        PowCase { id: "pow-stripped-remainder", description: "The stripped remainder of a post that claims 8 bits and reaches 8: its body is not held, so no claim and work 0 (the proof hash is still that of its header).", rules: p3, kind: "post", body: reply(), claim: Some(target8), want: Some(8), stripped: true },
        PowCase { id: "pow-claim-target-0", description: "`skylark.pow` = [0, nonce]: a target of 0 claims nothing (work 0).", rules: p3, kind: "post", body: reply(), claim: Some(|n| a(vec![u(0), u(n)])), want: None, stripped: false },
        PowCase { id: "pow-claim-target-257", description: "`skylark.pow` = [257, nonce]: above 256, no claim (work 0).", rules: p3, kind: "post", body: reply(), claim: Some(|n| a(vec![u(257), u(n)])), want: None, stripped: false },
        PowCase { id: "pow-claim-three-items", description: "`skylark.pow` = [1, nonce, 0]: not exactly two items, no claim — even with a proof hash of 1 or more leading zero bits.", rules: p3, kind: "post", body: reply(), claim: Some(|n| a(vec![u(1), u(n), u(0)])), want: Some(1), stripped: false },
        PowCase { id: "pow-claim-text-target", description: "`skylark.pow` = [\"1\", nonce]: a text target is no claim (work 0) even with 1 leading zero bit.", rules: p3, kind: "post", body: reply(), claim: Some(|n| a(vec![t("1"), u(n)])), want: Some(1), stripped: false },
        PowCase { id: "pow-claim-target-1", description: "`skylark.pow` = [1, nonce] and 1 leading zero bit: work 1 (the smallest claim).", rules: p3, kind: "post", body: reply(), claim: Some(|n| a(vec![u(1), u(n)])), want: Some(1), stripped: false },
    ];
    for c in cases {
        let key = if c.kind == "genesis" {
            Key::from_label("messages/pow-genesis")
        } else {
            Key::from_label(&format!("messages/{}", c.id))
        };
        let acct = if c.kind == "genesis" {
            vec![0; 32]
        } else {
            account("alice")
        };
        let body_of = |n: u64| match c.claim {
            Some(f) => set(&c.body, "skylark.pow", f(n)),
            None => c.body.clone(),
        };
        let nonce = (0..1u64 << 24)
            .find(|&n| {
                let h = header_bytes(&key, &acct, 1, None, c.kind, T0, &encode(&body_of(n)));
                c.want
                    .is_none_or(|d| difficulty(&blake3::derive_key(CTX_POW, &h)) == d)
            })
            .expect("a nonce");
        let body = body_of(nonce);
        let msg = sign(&key, &acct, 1, None, c.kind, T0, body.clone());
        let hash = blake3::derive_key(CTX_POW, &msg.header);
        let d = difficulty(&hash);
        let target = if c.stripped { None } else { claimed(&body) };
        let work = match target {
            Some(t) if u64::from(d) >= t => t,
            _ => 0,
        };
        o.push(c.id, c.description, c.rules, &msg, c.stripped, &ctx(), ok());
        if let Some(J::O(members)) = o.vectors.last_mut() {
            members.push((
                "pow".to_string(),
                obj(vec![
                    ("hash", J::S(hex(&hash))),
                    ("difficulty", J::U(u64::from(d))),
                    ("target", target.map_or(J::Null, J::U)),
                    ("work", J::U(work)),
                ]),
            ));
        }
    }
}
