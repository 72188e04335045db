//! The message layer through its public API: builders → drafts → signed bytes → `validate`, with the
//! context steps (MSG-2 to MSG-4, lookups), the three outcomes and their order.

// Helpers that fail loudly are the point of a test.
#![allow(clippy::unwrap_used, clippy::panic)]

use ed25519_dalek::{Signer, SigningKey};
use skylark::cbor::{Map, Value};
use skylark::envelope::{Draft, EnvelopeError, Kind, SignedMessage, MESSAGE_SIGNATURE_CONTEXT};
use skylark::id::{body_hash, AccountId, MessageId};
use skylark::keys::SecretKey;
use skylark::message::*;

const NOW: u64 = 1_764_115_200_000;
const ALICE: AccountId = AccountId::from_bytes([0xaa; 32]);
const BOB: AccountId = AccountId::from_bytes([0xbb; 32]);
const ALICE_SEED: [u8; 32] = [1; 32];
const BOB_SEED: [u8; 32] = [2; 32];

fn key(seed: [u8; 32]) -> SecretKey {
    SecretKey::from_seed(seed)
}

fn authorized(now: u64) -> MemoryContext {
    MemoryContext::new(now, Authorization::Authorized)
}

fn sign<T: BodyKind>(body: &T, account: AccountId, time: u64, seed: [u8; 32]) -> SignedMessage {
    body.draft(account, time).unwrap().sign(&key(seed)).unwrap()
}

fn sign_after<T: BodyKind>(
    body: &T,
    account: AccountId,
    time: u64,
    seed: [u8; 32],
    previous: &SignedMessage,
) -> SignedMessage {
    body.draft(account, time)
        .unwrap()
        .after(previous)
        .sign(&key(seed))
        .unwrap()
}

fn text_post(text: &str) -> Post {
    Post::builder().text(text).build().unwrap()
}

/// A signed message with any body, bypassing `Draft::new`'s body rules (which refuse invalid core
/// bodies): the header is encoded and signed here, with ed25519-dalek.
fn raw(
    seed: [u8; 32],
    account: AccountId,
    kind: &str,
    position: (u64, Option<MessageId>),
    time: u64,
    body: &Map,
) -> SignedMessage {
    let signing = SigningKey::from_bytes(&seed);
    let body_bytes = body.to_bytes();
    let mut header = Map::new();
    header.insert("v", 1u64.into());
    header.insert(
        "key",
        Value::Bytes(signing.verifying_key().to_bytes().to_vec()),
    );
    header.insert("seq", position.0.into());
    header.insert("acct", Value::Bytes(account.as_bytes().to_vec()));
    header.insert("body", Value::Bytes(body_hash(&body_bytes).to_vec()));
    header.insert("kind", kind.into());
    if let Some(prev) = position.1 {
        header.insert("prev", Value::Bytes(prev.as_bytes().to_vec()));
    }
    header.insert("time", time.into());
    let header_bytes = header.to_bytes();
    let mut input = MESSAGE_SIGNATURE_CONTEXT.as_bytes().to_vec();
    input.push(0);
    input.extend_from_slice(&header_bytes);
    let signature = signing.sign(&input).to_bytes();
    let mut message = Map::new();
    message.insert("b", Value::Bytes(body_bytes));
    message.insert("h", Value::Bytes(header_bytes));
    message.insert("s", Value::Bytes(signature.to_vec()));
    SignedMessage::from_bytes(&message.to_bytes()).unwrap()
}

fn valid(verdict: Verdict) -> ValidMessage {
    match verdict {
        Verdict::Valid(v) => v,
        other => panic!("expected valid, got {other:?}"),
    }
}

fn invalid(verdict: Verdict) -> (&'static str, &'static str) {
    match verdict {
        Verdict::Invalid(e) => (e.code(), e.rule()),
        other => panic!("expected invalid, got {other:?}"),
    }
}

fn undecided(verdict: Verdict) -> Vec<Missing> {
    match verdict {
        Verdict::Undecided(missing) => missing,
        other => panic!("expected undecided, got {other:?}"),
    }
}

// ---- every kind, built, signed, sent as bytes and validated ----

#[test]
fn every_core_kind_round_trips_through_bytes_and_validates() {
    let post = sign(&text_post("first"), ALICE, NOW, ALICE_SEED);
    let react = sign_after(&React::like(post.id()), ALICE, NOW, ALICE_SEED, &post);
    let repost = sign_after(&Repost::new(post.id()), ALICE, NOW, ALICE_SEED, &react);
    let mut context = authorized(NOW).with(&post).with(&react).with(&repost);
    let photo = Media::builder([9; 32], "image/jpeg", 1000)
        .dimensions(10, 10)
        .build()
        .unwrap();
    let bodies: Vec<(&str, Map)> = vec![
        (
            "profile",
            Profile::builder()
                .name("Alice")
                .avatar(photo.clone())
                .build()
                .unwrap()
                .to_map(),
        ),
        (
            "post",
            Post::builder()
                .text("hi #x")
                .facet(Facet::tag(3..5, "x").unwrap())
                .embed(Embed::Media(photo))
                .build()
                .unwrap()
                .to_map(),
        ),
        (
            "edit",
            Edit::builder(post.id(), post.id())
                .text("first!")
                .build()
                .unwrap()
                .to_map(),
        ),
        ("delete", Delete::new(post.id()).to_map()),
        (
            "react",
            React::with_emoji(post.id(), "🎉").unwrap().to_map(),
        ),
        ("unreact", Unreact::new(react.id()).to_map()),
        ("repost", Repost::new(post.id()).to_map()),
        ("unrepost", Unrepost::new(repost.id()).to_map()),
        ("follow", Follow::new(BOB).to_map()),
        ("unfollow", Unfollow::new(BOB).to_map()),
        ("block", Block::new(BOB).to_map()),
        ("unblock", Unblock::new(BOB).to_map()),
        (
            "label",
            Label::builder(Reference::Account(BOB), "spam")
                .expires(NOW + 1)
                .build()
                .unwrap()
                .to_map(),
        ),
        (
            "gate",
            Gate::builder(post.id())
                .reply(&[Audience::Followers, Audience::Mentioned])
                .quote(&[Audience::Nobody])
                .hide(react.id())
                .build()
                .unwrap()
                .to_map(),
        ),
    ];
    // REPORT-3: a report body is never signed as a public message; it travels sealed (08 §14).
    let report = Report::builder(Reference::Account(BOB), BOB, Reason::Spam)
        .build()
        .unwrap()
        .to_map();
    let refused = Draft::new(ALICE, Kind::new("report").unwrap(), NOW, &report).unwrap_err();
    assert!(matches!(refused, EnvelopeError::Body(e) if e.code() == "msg.public_report"));
    let public: Vec<&str> = CORE_KINDS.into_iter().filter(|k| *k != "report").collect();
    assert_eq!(bodies.iter().map(|(k, _)| *k).collect::<Vec<_>>(), public);
    let mut previous = repost;
    for (kind, body) in bodies {
        let signed = Draft::new(ALICE, Kind::new(kind).unwrap(), NOW, &body)
            .unwrap()
            .after(&previous)
            .sign(&key(ALICE_SEED))
            .unwrap();
        let received = SignedMessage::from_bytes(signed.as_bytes()).unwrap();
        let v = valid(validate(received, &context));
        let matches = matches!(
            (kind, v.body()),
            ("profile", Body::Profile(_))
                | ("post", Body::Post(_))
                | ("edit", Body::Edit(_))
                | ("delete", Body::Delete(_))
                | ("react", Body::React(_))
                | ("unreact", Body::Unreact(_))
                | ("repost", Body::Repost(_))
                | ("unrepost", Body::Unrepost(_))
                | ("follow", Body::Follow(_))
                | ("unfollow", Body::Unfollow(_))
                | ("block", Body::Block(_))
                | ("unblock", Body::Unblock(_))
                | ("label", Body::Label(_))
                | ("gate", Body::Gate(_))
        );
        assert!(matches, "{kind}: {:?}", v.body());
        context.insert(&signed);
        previous = signed;
    }
}

#[test]
fn extension_and_future_kinds_are_valid_not_understood() {
    let mut body = Map::new();
    body.insert("question", "Lunch?".into());
    body.insert("options", Value::Array(vec!["soup".into(), "salad".into()]));
    for kind in ["com.example.poll", "ping"] {
        let msg = Draft::new(ALICE, Kind::new(kind).unwrap(), NOW, &body)
            .unwrap()
            .sign(&key(ALICE_SEED))
            .unwrap();
        let v = valid(validate(msg.clone(), &authorized(NOW)));
        assert_eq!(v.body(), &Body::Unknown(body.clone()), "{kind}");
        // The header rules still apply.
        assert_eq!(
            invalid(validate(msg, &authorized(NOW - 600_001))),
            ("msg.time_in_future", "MSG-2")
        );
    }
}

#[test]
fn namespaced_extra_fields_are_signed_kept_and_ignored() {
    let mut body = text_post("hello").to_map();
    body.insert("com.example.mood", "cheerful".into());
    let msg = Draft::new(ALICE, Kind::new("post").unwrap(), NOW, &body)
        .unwrap()
        .sign(&key(ALICE_SEED))
        .unwrap();
    let v = valid(validate(msg, &authorized(NOW)));
    assert_eq!(v.body(), &Body::Post(text_post("hello")));
    assert_eq!(
        v.message()
            .body_map()
            .and_then(|m| m.get("com.example.mood").cloned()),
        Some("cheerful".into())
    );
}

// ---- step 1 and the Draft::new hook ----

#[test]
fn draft_refuses_invalid_core_bodies_with_the_body_rule() {
    let mut body = Map::new();
    body.insert("text", "".into());
    let err = Draft::new(ALICE, Kind::new("post").unwrap(), NOW, &body).unwrap_err();
    assert!(matches!(
        err,
        EnvelopeError::Body(ValidationError::TooShort { .. })
    ));
    assert_eq!((err.code(), err.rule()), ("msg.too_short", "MSG-1"));
    // Rules that need the author or the time apply when drafting.
    let err = Follow::new(ALICE).draft(ALICE, NOW).unwrap_err();
    assert_eq!((err.code(), err.rule()), ("msg.self_reference", "GRAPH-1"));
    let label = Label::builder(Reference::Account(BOB), "spam")
        .expires(NOW)
        .build()
        .unwrap();
    assert_eq!(
        label.draft(ALICE, NOW).unwrap_err().code(),
        "msg.out_of_range"
    );
    assert!(label.draft(ALICE, NOW - 1).is_ok());
    // Envelope rules still come first.
    let err = Draft::new(ALICE, Kind::new("post").unwrap(), u64::MAX, &body).unwrap_err();
    assert_eq!(err.code(), "env.time_out_of_range");
}

#[test]
fn invalid_bodies_are_invalid_and_body_rules_come_first() {
    let mut body = Map::new();
    body.insert("txt", "typo".into());
    let msg = raw(ALICE_SEED, ALICE, "post", (1, None), NOW, &body);
    assert_eq!(
        invalid(validate(msg.clone(), &authorized(NOW))),
        ("msg.unknown_field", "MSG-1")
    );
    // Before the time and the authorization.
    let denied = MemoryContext::new(0, Authorization::Denied(AuthError::Revoked));
    assert_eq!(
        invalid(validate(msg, &denied)),
        ("msg.unknown_field", "MSG-1")
    );
    // GRAPH-1 and LABEL-4 use the header.
    let mut own = Map::new();
    own.insert("subject", Value::Bytes(ALICE.as_bytes().to_vec()));
    let msg = raw(ALICE_SEED, ALICE, "block", (1, None), NOW, &own);
    assert_eq!(
        invalid(validate(msg, &authorized(NOW))),
        ("msg.self_reference", "GRAPH-1")
    );
    let mut label = Label::builder(Reference::Account(BOB), "spam")
        .build()
        .unwrap()
        .to_map();
    label.insert("expires", NOW.into());
    let msg = raw(ALICE_SEED, ALICE, "label", (1, None), NOW, &label);
    assert_eq!(
        invalid(validate(msg, &authorized(NOW))),
        ("msg.out_of_range", "LABEL-4")
    );
}

#[test]
fn stripped_remainders_are_validated_on_their_header_only() {
    // A body that would be invalid: the remainder does not have it any more.
    let mut body = Map::new();
    body.insert("txt", "typo".into());
    let whole = raw(ALICE_SEED, ALICE, "post", (1, None), NOW, &body);
    assert_eq!(
        invalid(validate(whole.clone(), &authorized(NOW))).0,
        "msg.unknown_field"
    );
    let remainder = SignedMessage::from_bytes(whole.stripped().as_bytes()).unwrap();
    let v = valid(validate(remainder.clone(), &authorized(NOW)));
    assert_eq!(v.body(), &Body::Withheld);
    // A remainder of an edit looks nothing up: its targets are in the dropped body.
    let post = sign(&text_post("v1"), ALICE, NOW, ALICE_SEED);
    let edit = sign(
        &Edit::builder(post.id(), post.id())
            .text("v2")
            .build()
            .unwrap(),
        ALICE,
        NOW,
        [7; 32],
    );
    assert_eq!(
        undecided(validate(edit.clone(), &authorized(NOW))),
        [Missing::Message(post.id())]
    );
    // ... and a remainder of a control kind (MSG-7) waits for its body: whoever strips an edit,
    // a delete or an unfollow cannot make it count as "nothing".
    assert_eq!(
        undecided(validate(edit.stripped(), &authorized(NOW))),
        [Missing::Body]
    );
    assert_eq!(
        invalid(validate(edit.stripped(), &authorized(NOW - 600_001))).0,
        "msg.time_in_future"
    );
    // The header checks still apply.
    assert_eq!(
        invalid(validate(remainder.clone(), &authorized(NOW - 600_001))).0,
        "msg.time_in_future"
    );
    let unknown = MemoryContext::new(NOW, Authorization::Unknown(Missing::KeyAuthorization));
    assert_eq!(
        undecided(validate(remainder, &unknown)),
        [Missing::KeyAuthorization]
    );
}

// ---- MSG-2, MSG-3 ----

#[test]
fn time_skew_is_ten_minutes() {
    let msg = sign(
        &text_post("from the future"),
        ALICE,
        NOW + MAX_CLOCK_SKEW,
        ALICE_SEED,
    );
    assert!(matches!(
        validate(msg.clone(), &authorized(NOW)),
        Verdict::Valid(_)
    ));
    assert_eq!(
        invalid(validate(msg, &authorized(NOW - 1))),
        ("msg.time_in_future", "MSG-2")
    );
    // Saturating: a clock near the end of time does not overflow.
    let msg = sign(&text_post("late"), ALICE, (1 << 53) - 1, ALICE_SEED);
    assert!(matches!(
        validate(msg, &authorized(u64::MAX)),
        Verdict::Valid(_)
    ));
}

#[test]
fn time_is_checked_before_authorization() {
    let msg = sign(&text_post("x"), ALICE, NOW + MAX_CLOCK_SKEW + 1, ALICE_SEED);
    let denied = MemoryContext::new(NOW, Authorization::Denied(AuthError::NotDelegated));
    assert_eq!(invalid(validate(msg, &denied)).0, "msg.time_in_future");
}

#[test]
fn authorization_denials_pass_through() {
    let msg = sign(&text_post("x"), ALICE, NOW, ALICE_SEED);
    for code in [
        "auth.before_delegation",
        "auth.not_delegated",
        "auth.out_of_scope",
        "auth.expired",
        "auth.revoked",
        "auth.root_key_message",
    ] {
        let error = AuthError::from_code(code).unwrap();
        let context = MemoryContext::new(NOW, Authorization::Denied(error));
        assert_eq!(invalid(validate(msg.clone(), &context)), (code, "MSG-3"));
    }
    let unknown = MemoryContext::new(NOW, Authorization::Unknown(Missing::KeyAuthorization));
    assert_eq!(
        undecided(validate(msg, &unknown)),
        [Missing::KeyAuthorization]
    );
}

// ---- MSG-4 ----

#[test]
fn history_needs_the_previous_message() {
    let first = sign(&text_post("1"), ALICE, NOW, ALICE_SEED);
    let second = sign_after(&text_post("2"), ALICE, NOW, ALICE_SEED, &first);
    // Equal times are allowed.
    assert!(matches!(
        validate(second.clone(), &authorized(NOW).with(&first)),
        Verdict::Valid(_)
    ));
    // Missing, and recorded after the key authorization.
    let unknown = MemoryContext::new(NOW, Authorization::Unknown(Missing::KeyAuthorization));
    assert_eq!(
        undecided(validate(second.clone(), &unknown)),
        [Missing::KeyAuthorization, Missing::Message(first.id())]
    );
    // A stripped previous message is enough: lookups need headers only.
    assert!(matches!(
        validate(second, &authorized(NOW).with(&first.stripped())),
        Verdict::Valid(_)
    ));
}

#[test]
fn history_rules() {
    let first = sign(&text_post("1"), ALICE, NOW, ALICE_SEED);
    // Time regression.
    let earlier = sign_after(&text_post("2"), ALICE, NOW - 1, ALICE_SEED, &first);
    assert_eq!(
        invalid(validate(earlier, &authorized(NOW).with(&first))),
        ("msg.time_regression", "MSG-4")
    );
    // Another key continuing this key's chain.
    let other_key = sign_after(&text_post("2"), ALICE, NOW, BOB_SEED, &first);
    assert_eq!(
        invalid(validate(other_key, &authorized(NOW).with(&first))),
        ("msg.prev_key_mismatch", "MSG-4")
    );
    // A gap in the sequence numbers.
    let gap = text_post("3")
        .draft(ALICE, NOW)
        .unwrap()
        .at(3, Some(first.id()))
        .unwrap()
        .sign(&key(ALICE_SEED))
        .unwrap();
    assert_eq!(
        invalid(validate(gap, &authorized(NOW).with(&first))),
        ("msg.prev_seq_mismatch", "MSG-4")
    );
    // The checks come in that order: time before key before seq.
    let all_wrong = text_post("4")
        .draft(ALICE, NOW - 1)
        .unwrap()
        .at(5, Some(first.id()))
        .unwrap()
        .sign(&key(BOB_SEED))
        .unwrap();
    assert_eq!(
        invalid(validate(all_wrong, &authorized(NOW).with(&first))).0,
        "msg.time_regression"
    );
}

// ---- kind lookups ----

#[test]
fn edit_lookups() {
    let post = sign(&text_post("v1"), ALICE, NOW, ALICE_SEED);
    let other_post = sign_after(&text_post("other"), ALICE, NOW, ALICE_SEED, &post);
    let bobs = sign(&text_post("bob's"), BOB, NOW, BOB_SEED);
    let like = sign_after(&React::like(post.id()), ALICE, NOW, ALICE_SEED, &other_post);
    let v2 = sign_after(
        &Edit::builder(post.id(), post.id())
            .text("v2")
            .build()
            .unwrap(),
        ALICE,
        NOW,
        ALICE_SEED,
        &like,
    );
    let own_key_only = authorized(NOW)
        .with(&post)
        .with(&other_post)
        .with(&bobs)
        .with(&like)
        .with(&v2);
    // The fresh key below acts on messages of another key of the account: it needs `cap:others`.
    let known = own_key_only.clone().granting(Authorization::Authorized);
    let edit = |target: &SignedMessage, replaces: &SignedMessage| {
        let body = Edit::builder(target.id(), replaces.id())
            .text("v3")
            .build()
            .unwrap();
        // A fresh key: seq 1, no history to look up.
        validate(sign(&body, ALICE, NOW, [9; 32]), &known)
    };
    let body = Edit::builder(post.id(), post.id())
        .text("v3")
        .build()
        .unwrap();
    assert_eq!(
        invalid(validate(sign(&body, ALICE, NOW, [9; 32]), &own_key_only)),
        ("msg.other_key_target", "EDIT-2")
    );
    let body = Edit::builder(post.id(), v2.id())
        .text("v3")
        .build()
        .unwrap();
    let own_target = sign(&body, ALICE, NOW, [9; 32]);
    let unknown = own_key_only
        .clone()
        .granting(Authorization::Unknown(Missing::KeyAuthorization));
    assert_eq!(
        undecided(validate(own_target, &unknown)),
        [Missing::KeyAuthorization]
    );
    // No back-dating into newer content: an edit dated before the post it edits.
    assert_eq!(
        invalid(validate(sign(&body, ALICE, NOW - 1, [9; 32]), &known)),
        ("msg.target_newer", "EDIT-2")
    );
    assert!(matches!(edit(&post, &post), Verdict::Valid(_)));
    assert!(matches!(edit(&post, &v2), Verdict::Valid(_)));
    assert_eq!(
        invalid(edit(&bobs, &bobs)),
        ("msg.not_own_target", "EDIT-2")
    );
    assert_eq!(invalid(edit(&like, &like)), ("msg.target_kind", "EDIT-2"));
    assert_eq!(invalid(edit(&v2, &v2)), ("msg.target_kind", "EDIT-2"));
    assert_eq!(
        invalid(edit(&post, &bobs)),
        ("msg.not_own_target", "EDIT-3")
    );
    // A post may be replaced only when it is the target itself.
    assert_eq!(
        invalid(edit(&post, &other_post)),
        ("msg.target_kind", "EDIT-3")
    );
    assert_eq!(invalid(edit(&post, &like)), ("msg.target_kind", "EDIT-3"));
    match edit(&post, &like) {
        Verdict::Invalid(ValidationError::TargetKind { found, field, .. }) => {
            assert_eq!((found.as_str(), field), ("react", "replaces"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn missing_items_are_in_order_without_duplicates() {
    let post = sign(&text_post("v1"), ALICE, NOW, ALICE_SEED);
    let v2 = sign_after(
        &Edit::builder(post.id(), post.id())
            .text("v2")
            .build()
            .unwrap(),
        ALICE,
        NOW,
        ALICE_SEED,
        &post,
    );
    // The usual edit: its previous message is the post it edits; asked for once.
    let unknown = MemoryContext::new(NOW, Authorization::Unknown(Missing::KeyAuthorization));
    assert_eq!(
        undecided(validate(v2.clone(), &unknown)),
        [Missing::KeyAuthorization, Missing::Message(post.id())]
    );
    // Previous message, then target, then replaced version.
    let other = sign(&text_post("elsewhere"), ALICE, NOW, [5; 32]);
    let v3_body = Edit::builder(post.id(), v2.id())
        .text("v3")
        .build()
        .unwrap();
    let v3 = sign_after(&v3_body, ALICE, NOW, [5; 32], &other);
    assert_eq!(
        undecided(validate(v3.clone(), &authorized(NOW))),
        [
            Missing::Message(other.id()),
            Missing::Message(post.id()),
            Missing::Message(v2.id())
        ]
    );
    // Known items drop out of the list.
    let granted = || authorized(NOW).granting(Authorization::Authorized);
    assert_eq!(
        undecided(validate(v3.clone(), &granted().with(&post))),
        [Missing::Message(other.id()), Missing::Message(v2.id())]
    );
    assert!(matches!(
        validate(v3, &granted().with(&post).with(&v2).with(&other)),
        Verdict::Valid(_)
    ));
}

#[test]
fn an_invalid_lookup_wins_over_earlier_missing_items() {
    let bobs = sign(&text_post("bob's"), BOB, NOW, BOB_SEED);
    let first = sign(&text_post("1"), ALICE, NOW, ALICE_SEED);
    let delete = sign_after(&Delete::new(bobs.id()), ALICE, NOW, ALICE_SEED, &first);
    // Key authorization unknown and previous message missing, but the target is someone else's.
    let context =
        MemoryContext::new(NOW, Authorization::Unknown(Missing::KeyAuthorization)).with(&bobs);
    assert_eq!(
        invalid(validate(delete, &context)),
        ("msg.not_own_target", "DELETE-1")
    );
    // And a history error wins over an unknown authorization.
    let earlier = sign_after(&text_post("2"), ALICE, NOW - 5, ALICE_SEED, &first);
    let context =
        MemoryContext::new(NOW, Authorization::Unknown(Missing::KeyAuthorization)).with(&first);
    assert_eq!(
        invalid(validate(earlier, &context)).0,
        "msg.time_regression"
    );
}

#[test]
fn delete_and_undo_lookups() {
    let post = sign(&text_post("p"), ALICE, NOW, ALICE_SEED);
    let like = sign_after(&React::like(post.id()), ALICE, NOW, ALICE_SEED, &post);
    let share = sign_after(&Repost::new(post.id()), ALICE, NOW, ALICE_SEED, &like);
    let delete = sign_after(&Delete::new(post.id()), ALICE, NOW, ALICE_SEED, &share);
    let bobs_like = sign(&React::like(post.id()), BOB, NOW, BOB_SEED);
    let own_key_only = authorized(NOW)
        .with(&post)
        .with(&like)
        .with(&share)
        .with(&delete)
        .with(&bobs_like);
    // `fresh` is another key of alice's account: acting on ALICE_SEED's messages needs `cap:others`.
    let known = own_key_only.clone().granting(Authorization::Authorized);
    let check = |body: &dyn Fn() -> SignedMessage| validate(body(), &known);
    let fresh = [8; 32];
    for (msg, rule) in [
        (sign(&Delete::new(post.id()), ALICE, NOW, fresh), "DELETE-1"),
        (sign(&Unreact::new(like.id()), ALICE, NOW, fresh), "UNDO-1"),
        (
            sign(&Unrepost::new(share.id()), ALICE, NOW, fresh),
            "UNDO-1",
        ),
    ] {
        assert_eq!(
            invalid(validate(msg, &own_key_only)),
            ("msg.other_key_target", rule)
        );
    }
    // The key that signed them may, without the capability; but not dated before its target.
    let own = sign_after(&Delete::new(like.id()), ALICE, NOW, ALICE_SEED, &delete);
    assert!(matches!(validate(own, &own_key_only), Verdict::Valid(_)));
    let late = sign(&text_post("later"), ALICE, NOW + 5, ALICE_SEED);
    assert_eq!(
        invalid(validate(
            sign(&Delete::new(late.id()), ALICE, NOW, fresh),
            &known.clone().with(&late)
        )),
        ("msg.target_newer", "DELETE-1")
    );
    // DELETE-1: any own message but a delete.
    for target in [&post, &like, &share] {
        assert!(matches!(
            check(&|| sign(&Delete::new(target.id()), ALICE, NOW, fresh)),
            Verdict::Valid(_)
        ));
    }
    assert_eq!(
        invalid(check(&|| sign(
            &Delete::new(delete.id()),
            ALICE,
            NOW,
            fresh
        ))),
        ("msg.target_kind", "DELETE-1")
    );
    assert_eq!(
        invalid(check(&|| sign(
            &Delete::new(bobs_like.id()),
            ALICE,
            NOW,
            fresh
        ))),
        ("msg.not_own_target", "DELETE-1")
    );
    // UNDO-1
    assert!(matches!(
        check(&|| sign(&Unreact::new(like.id()), ALICE, NOW, fresh)),
        Verdict::Valid(_)
    ));
    assert_eq!(
        invalid(check(&|| sign(
            &Unreact::new(share.id()),
            ALICE,
            NOW,
            fresh
        ))),
        ("msg.target_kind", "UNDO-1")
    );
    assert_eq!(
        invalid(check(&|| sign(
            &Unreact::new(bobs_like.id()),
            ALICE,
            NOW,
            fresh
        ))),
        ("msg.not_own_target", "UNDO-1")
    );
    assert!(matches!(
        check(&|| sign(&Unrepost::new(share.id()), ALICE, NOW, fresh)),
        Verdict::Valid(_)
    ));
    assert_eq!(
        invalid(check(&|| sign(
            &Unrepost::new(like.id()),
            ALICE,
            NOW,
            fresh
        ))),
        ("msg.target_kind", "UNDO-1")
    );
    // Missing targets.
    let nowhere = MessageId::from_bytes([0xee; 32]);
    for msg in [
        sign(&Delete::new(nowhere), ALICE, NOW, fresh),
        sign(&Unreact::new(nowhere), ALICE, NOW, fresh),
        sign(&Unrepost::new(nowhere), ALICE, NOW, fresh),
    ] {
        assert_eq!(
            undecided(validate(msg, &known)),
            [Missing::Message(nowhere)]
        );
    }
    // Reacting, reposting and quoting look nothing up.
    assert!(matches!(
        validate(sign(&React::like(nowhere), ALICE, NOW, fresh), &known),
        Verdict::Valid(_)
    ));
    assert!(matches!(
        validate(sign(&Repost::new(nowhere), ALICE, NOW, fresh), &known),
        Verdict::Valid(_)
    ));
    let quote = Post::builder()
        .quote(nowhere)
        .reply(Reply::new(nowhere, nowhere))
        .build()
        .unwrap();
    assert!(matches!(
        validate(sign(&quote, ALICE, NOW, fresh), &known),
        Verdict::Valid(_)
    ));
}

#[test]
fn errors_display_and_describe_themselves() {
    let msg = sign(
        &Delete::new(MessageId::from_bytes([1; 32])),
        BOB,
        NOW,
        BOB_SEED,
    );
    let mine = sign(&text_post("mine"), ALICE, NOW, ALICE_SEED);
    let msg2 = sign(&Delete::new(mine.id()), BOB, NOW, BOB_SEED);
    let Verdict::Invalid(err) = validate(msg2, &authorized(NOW).with(&mine)) else {
        panic!()
    };
    assert!(err.to_string().starts_with("delete: target msg_"), "{err}");
    assert_eq!(
        Missing::Message(msg.id()).to_string(),
        format!("message {}", msg.id())
    );
}
