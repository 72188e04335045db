//! The merge rules: random sets of valid messages, applied in random orders with duplicates and
//! stripped copies, always give the same summary and digest; deleted content never comes back.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use skylark::envelope::SignedMessage;
use skylark::id::{AccountId, MessageId};
use skylark::keys::SecretKey;
use skylark::merge::State;
use skylark::message::{
    validate, Authorization, BodyKind, Delete, Edit, Follow, Label, MemoryContext, Post, Profile,
    React, Reference, Reply, Repost, Unfollow, Unreact, Unrepost, ValidMessage, Verdict,
};

const NOW: u64 = 1_764_115_200_000;

/// One author: an account and the key its messages are signed with (a chain of messages).
struct Author {
    account: AccountId,
    key: SecretKey,
    last: Option<SignedMessage>,
}

/// Builds a history of `steps` messages by three authors from a list of choices, each message
/// referring to earlier ones, so that every kind and every rule gets exercised.
fn history(choices: &[(u8, u8, u8, u16)]) -> Vec<SignedMessage> {
    let mut authors: Vec<Author> = (1..=3u8)
        .map(|n| Author {
            account: AccountId::from_bytes([n; 32]),
            key: SecretKey::from_seed([n; 32]),
            last: None,
        })
        .collect();
    let mut messages: Vec<SignedMessage> = Vec::new();
    // Per author: their posts, edits, reacts, reposts (for edits, deletes and undos of their own).
    let mut own: Vec<Vec<(MessageId, &'static str, Option<MessageId>)>> = vec![Vec::new(); 3];
    for (i, &(who, what, pick, time)) in choices.iter().enumerate() {
        let who = usize::from(who % 3);
        let time = NOW - 100_000 + u64::from(time % 50) * 1_000; // many equal times on purpose
        let account = authors[who].account;
        let other = authors[(who + 1) % 3].account;
        let any = |k: u8| {
            messages
                .get(usize::from(k) % messages.len().max(1))
                .map(|m| m.id())
        };
        let mine_of = |kind: &str| {
            let list: Vec<_> = own[who].iter().filter(|(_, k, _)| *k == kind).collect();
            (!list.is_empty()).then(|| *list[usize::from(pick) % list.len()])
        };
        let (draft, record): (_, Option<(&'static str, Option<MessageId>)>) = match what % 12 {
            0 => (
                Profile::builder()
                    .name(format!("name {i}"))
                    .build()
                    .unwrap()
                    .draft(account, time),
                None,
            ),
            1 | 2 => {
                let mut b = Post::builder().text(format!("post {i}"));
                if let (Some(root), true) = (any(pick), pick % 2 == 0) {
                    b = b.reply(Reply::new(root, any(pick / 2).unwrap_or(root)));
                }
                if let (Some(q), true) = (any(pick / 3), pick % 3 == 0) {
                    b = b.quote(q);
                }
                (
                    b.build().unwrap().draft(account, time),
                    Some(("post", None)),
                )
            }
            3 => match mine_of("post").or(mine_of("edit")) {
                Some((id, kind, target)) => {
                    let target = if kind == "post" { id } else { target.unwrap() };
                    let e = Edit::builder(target, id)
                        .text(format!("edit {i}"))
                        .build()
                        .unwrap();
                    (e.draft(account, time), Some(("edit", Some(target))))
                }
                None => continue,
            },
            4 => match own[who].get(usize::from(pick) % own[who].len().max(1)) {
                Some(&(id, _, _)) => (Delete::new(id).draft(account, time), None),
                None => continue,
            },
            5 => match any(pick) {
                Some(t) => {
                    let r = if pick % 2 == 0 {
                        React::like(t)
                    } else {
                        React::with_emoji(t, "🎉").unwrap()
                    };
                    (r.draft(account, time), Some(("react", None)))
                }
                None => continue,
            },
            6 => match mine_of("react") {
                Some((id, _, _)) => (Unreact::new(id).draft(account, time), None),
                None => continue,
            },
            7 => match any(pick) {
                Some(t) => (Repost::new(t).draft(account, time), Some(("repost", None))),
                None => continue,
            },
            8 => match mine_of("repost") {
                Some((id, _, _)) => (Unrepost::new(id).draft(account, time), None),
                None => continue,
            },
            9 => (Follow::new(other).draft(account, time), None),
            10 => (Unfollow::new(other).draft(account, time), None),
            _ => {
                let subject = match any(pick) {
                    Some(m) if pick % 2 == 0 => Reference::Message(m),
                    _ => Reference::Account(other),
                };
                let mut b = Label::builder(subject, "spam");
                if pick % 3 == 0 {
                    b = b.negate();
                }
                if pick % 5 == 0 {
                    b = b.expires(NOW + u64::from(pick % 7) * 1_000 - 3_000);
                }
                (b.build().unwrap().draft(account, time), None)
            }
        };
        let draft = draft.unwrap();
        let author = &mut authors[who];
        let signed = match &author.last {
            Some(p) => draft.after(p).sign(&author.key).unwrap(),
            None => draft.sign(&author.key).unwrap(),
        };
        author.last = Some(signed.clone());
        if let Some((kind, target)) = record {
            own[who].push((signed.id(), kind, target));
        }
        messages.push(signed);
    }
    messages
}

/// Validates a history against a context that knows all of it; keeps the valid messages (a delete
/// of a delete, say, is invalid and simply not merged).
fn valid(messages: &[SignedMessage]) -> Vec<ValidMessage> {
    let mut context = MemoryContext::new(NOW, Authorization::Authorized);
    for m in messages {
        context.insert(m);
    }
    messages
        .iter()
        .filter_map(|m| match validate(m.clone(), &context) {
            Verdict::Valid(v) => Some(v),
            _ => None,
        })
        .collect()
}

fn shuffled<T: Clone>(items: &[T], seed: u64) -> Vec<T> {
    let mut out = items.to_vec();
    let mut s = seed | 1;
    for i in (1..out.len()).rev() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        out.swap(i, (s % (i as u64 + 1)) as usize);
    }
    out
}

fn choices() -> impl Strategy<Value = Vec<(u8, u8, u8, u16)>> {
    proptest::collection::vec(any::<(u8, u8, u8, u16)>(), 1..40)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_order_with_duplicates_gives_the_same_digest(choices in choices(), seed in any::<u64>()) {
        let messages = valid(&history(&choices));
        let mut in_order = State::new();
        for m in &messages {
            in_order.apply(m);
        }
        let mut doubled = messages.clone();
        doubled.extend(messages.iter().cloned());
        let mut shuffled_state = State::new();
        for m in shuffled(&doubled, seed) {
            shuffled_state.apply(&m);
        }
        prop_assert_eq!(in_order.summary(NOW), shuffled_state.summary(NOW));
        prop_assert_eq!(in_order.digest(NOW), shuffled_state.digest(NOW));
        // Merging two halves in either order is the same as merging the whole (associativity).
        let (left, right) = messages.split_at(messages.len() / 2);
        let mut halves = State::new();
        for m in right.iter().chain(left) {
            halves.apply(m);
        }
        prop_assert_eq!(halves.digest(NOW), in_order.digest(NOW));
    }

    #[test]
    fn deleted_content_never_reappears(choices in choices(), seed in any::<u64>()) {
        let messages = valid(&history(&choices));
        let mut state = State::new();
        for m in shuffled(&messages, seed) {
            state.apply(&m);
        }
        let before = state.digest(NOW);
        let summary = state.summary(NOW);
        let tombstones: Vec<Vec<u8>> = match summary.as_map().and_then(|m| m.get("tombstones")) {
            Some(skylark::cbor::Value::Array(ids)) => ids
                .iter()
                .map(|v| match v {
                    skylark::cbor::Value::Bytes(b) => b.clone(),
                    _ => panic!("tombstone is not bytes"),
                })
                .collect(),
            _ => panic!("no tombstones"),
        };
        // Re-applying every deleted message, whole and stripped, changes nothing.
        for m in &messages {
            if tombstones.iter().any(|t| t.as_slice() == m.message().id().as_bytes()) {
                state.apply(m);
                let stripped = m.message().stripped();
                let context = MemoryContext::new(NOW, Authorization::Authorized);
                if let Verdict::Valid(v) = validate(stripped, &context) {
                    state.apply(&v);
                }
            }
        }
        prop_assert_eq!(state.digest(NOW), before);
        // And every deleted post reads as deleted.
        if let Some(skylark::cbor::Value::Map(posts)) = summary.as_map().and_then(|m| m.get("posts")) {
            for t in &tombstones {
                let key = MessageId::from_bytes(t.as_slice().try_into().unwrap()).to_string();
                if let Some(skylark::cbor::Value::Map(post)) = posts.get(&key) {
                    prop_assert_eq!(post.get("state"), Some(&skylark::cbor::Value::from("deleted")));
                    prop_assert!(post.get("current").is_none());
                }
            }
        }
    }
}

#[test]
fn equivocation_is_kept_as_evidence() {
    let key = SecretKey::from_seed([9; 32]);
    let account = AccountId::from_bytes([9; 32]);
    let a = Post::builder()
        .text("one")
        .build()
        .unwrap()
        .draft(account, NOW - 10)
        .unwrap()
        .sign(&key)
        .unwrap();
    let b = Post::builder()
        .text("two")
        .build()
        .unwrap()
        .draft(account, NOW - 10)
        .unwrap()
        .sign(&key)
        .unwrap();
    let messages = valid(&[a.clone(), b.clone()]);
    assert_eq!(messages.len(), 2);
    let mut state = State::new();
    for m in &messages {
        state.apply(m);
    }
    let evidence = state.equivocations();
    assert_eq!(evidence.len(), 1);
    assert_eq!(evidence[0].seq, 1);
    let mut ids = vec![a.id(), b.id()];
    ids.sort();
    assert_eq!(evidence[0].ids, ids);
}

#[test]
fn the_generated_histories_exercise_every_view() {
    let choices: Vec<(u8, u8, u8, u16)> = (0..200u16)
        .map(|i| {
            (
                (i % 7) as u8,
                (i * 5 % 13) as u8,
                (i * 11 % 17) as u8,
                i % 9,
            )
        })
        .collect();
    let messages = valid(&history(&choices));
    assert!(messages.len() > 100, "{}", messages.len());
    let mut state = State::new();
    for m in &messages {
        state.apply(m);
    }
    let summary = state.summary(NOW);
    let map = summary.as_map().unwrap();
    for view in [
        "posts",
        "threads",
        "replies",
        "quotes",
        "profiles",
        "reactions",
        "reposts",
        "follows",
        "labels",
        "tombstones",
    ] {
        let non_empty = match map.get(view) {
            Some(skylark::cbor::Value::Map(m)) => !m.is_empty(),
            Some(skylark::cbor::Value::Array(a)) => !a.is_empty(),
            _ => false,
        };
        assert!(non_empty, "{view} is empty");
    }
}
