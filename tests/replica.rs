//! The replica against a computation from scratch: the merge and accounts vectors through it, and
//! generated workloads (accounts with app keys; posts, replies, edits, deletes, reactions, reposts,
//! follows, blocks, labels, profiles; late revocations with cutoffs, an equivocation, messages from
//! the future, remainders, duplicates) in random orders and batches. At checkpoints, every status
//! is the verdict of validating the message against everything held, the digest is that of
//! `merge::State` over the valid set, and the typed queries agree with its summary.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use rand_core::RngCore;
use serde_json::Value as Json;
use skylark::account::{Accounts, Operation};
use skylark::cbor::Value;
use skylark::envelope::{Header, SignedMessage};
use skylark::id::{AccountId, MessageId};
use skylark::keys::SecretKey;
use skylark::merge::State;
use skylark::message::{
    validate, Audience, Authorization, BodyKind, Context, Delete, Edit, Facet, Follow, Gate, Label,
    Post, Profile, React, Reference, Reply, Repost, Unblock, Unfollow, Unreact, Unrepost, Verdict,
};
use skylark::message::{Block, MAX_CLOCK_SKEW};
use skylark::replica::{PostState, Replica, Signer, Status};

#[path = "support/account_json.rs"]
mod account_json;
#[path = "support/test_rng.rs"]
mod test_rng;
#[path = "support/vectors.rs"]
mod vectors;

use test_rng::TestRng;

const T0: u64 = 1_764_115_200_000;

fn hex_bytes(v: &Json) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

fn message(v: &Json) -> SignedMessage {
    SignedMessage::from_bytes(&hex_bytes(v)).unwrap()
}

/// A permutation of `0..n` from the generator.
fn shuffled(n: usize, rng: &mut TestRng) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        order.swap(i, j);
    }
    order
}

/// The context of a computation from scratch: all held headers, the account state of all held
/// operations (or a fixed answer), and `now`.
struct Scratch<'a> {
    now: u64,
    fixed: Option<(Authorization, Authorization)>,
    accounts: &'a Accounts,
    headers: &'a BTreeMap<MessageId, Header>,
}

impl Context for Scratch<'_> {
    fn now(&self) -> u64 {
        self.now
    }
    fn authorize(&self, header: &Header) -> Authorization {
        self.fixed.map(|f| f.0).unwrap_or_else(|| {
            self.accounts
                .authorize(header, |id| self.headers.get(id).cloned())
        })
    }
    fn grants(&self, header: &Header, capability: &str) -> Authorization {
        self.fixed
            .map(|f| f.1)
            .unwrap_or_else(|| self.accounts.grants(header, capability))
    }
    fn header(&self, id: &MessageId) -> Option<Header> {
        self.headers.get(id).cloned()
    }
}

/// Checks the replica against a computation from scratch over the messages it holds.
fn check_from_scratch(
    replica: &Replica,
    fixed: Option<(Authorization, Authorization)>,
    held: &[SignedMessage],
) {
    // The held set: per id, the whole message if any copy was whole.
    let mut set: BTreeMap<MessageId, SignedMessage> = BTreeMap::new();
    for m in held {
        match set.get(&m.id()) {
            Some(x) if !x.is_stripped() => {}
            _ => {
                set.insert(m.id(), m.clone());
            }
        }
    }
    assert_eq!(replica.len(), set.len());
    let mut accounts = Accounts::new();
    for m in set.values() {
        let _ = accounts.apply(m);
    }
    let headers: BTreeMap<MessageId, Header> = set
        .iter()
        .map(|(id, m)| (*id, m.header().clone()))
        .collect();
    let context = Scratch {
        now: replica.now(),
        fixed,
        accounts: &accounts,
        headers: &headers,
    };
    let mut state = State::new();
    for (id, m) in &set {
        assert_eq!(replica.message(id).as_ref(), Some(m), "held form of {id}");
        let want = match validate(m.clone(), &context) {
            Verdict::Valid(v) => {
                state.apply(&v);
                Status::Valid
            }
            Verdict::Invalid(e) => Status::Invalid(e),
            Verdict::Undecided(missing) => Status::Undecided(missing),
        };
        assert_eq!(
            replica.status(id),
            Some(&want),
            "status of {id} ({})",
            m.header().kind().as_str()
        );
    }
    assert_eq!(replica.state(), &state, "merged state");
    assert_eq!(replica.digest(), state.digest(replica.now()), "digest");
    check_queries(replica, &set);
}

fn msg_key(id: &MessageId) -> String {
    id.to_string()
}

fn ids_of(v: &Value) -> Vec<MessageId> {
    match v {
        Value::Array(items) => items
            .iter()
            .map(|x| match x {
                Value::Bytes(b) => MessageId::from_bytes(b.as_slice().try_into().unwrap()),
                other => panic!("{other:?}"),
            })
            .collect(),
        other => panic!("{other:?}"),
    }
}

fn accounts_of(v: &Value) -> Vec<AccountId> {
    ids_of(v)
        .into_iter()
        .map(|m| AccountId::from_bytes(*m.as_bytes()))
        .collect()
}

/// The typed queries agree with the summary of the merged state.
fn check_queries(replica: &Replica, set: &BTreeMap<MessageId, SignedMessage>) {
    let summary = replica.state().summary(replica.now());
    let view = |name: &str| {
        summary
            .as_map()
            .unwrap()
            .get(name)
            .unwrap()
            .as_map()
            .unwrap()
            .clone()
    };
    let (posts, threads, replies, quotes) = (
        view("posts"),
        view("threads"),
        view("replies"),
        view("quotes"),
    );
    let (profiles, reactions, reposts) = (view("profiles"), view("reactions"), view("reposts"));
    let (follows, blocks, labels) = (view("follows"), view("blocks"), view("labels"));
    let mut accounts: BTreeSet<AccountId> = BTreeSet::new();
    for (id, m) in set {
        accounts.insert(*m.header().account());
        let key = msg_key(id);
        // Posts: state, current version, history.
        let post = replica.post(id);
        match posts.get(&key) {
            None => assert!(post.is_none(), "{id} is not a post of the state"),
            Some(entry) => {
                let entry = entry.as_map().unwrap();
                let post = post.expect("a post of the state");
                let state = match entry.get("state") {
                    Some(Value::Text(t)) => t.clone(),
                    other => panic!("{other:?}"),
                };
                let want = match state.as_str() {
                    "live" => PostState::Live,
                    "deleted" => PostState::Deleted,
                    _ => PostState::Withheld,
                };
                assert_eq!(post.state, want, "{id}");
                if want == PostState::Live {
                    let history = ids_of(entry.get("history").unwrap());
                    assert_eq!(replica.history(id), history);
                    assert_eq!(Some(&post.current), history.last());
                    assert!(post.text.is_some());
                    // VIEW-2..VIEW-4: the same reasons as the summary's `left_out`.
                    let left = entry.get("left_out").and_then(Value::as_map);
                    let reason = |k: &str| match left.and_then(|l| l.get(k)) {
                        Some(Value::Text(t)) => Some(t.clone()),
                        _ => None,
                    };
                    let got = post.left_out.clone().unwrap_or_default();
                    assert_eq!(got.reply.map(|r| r.as_str().to_string()), reason("reply"));
                    assert_eq!(got.quote.map(|r| r.as_str().to_string()), reason("quote"));
                    let muted = left.and_then(|l| l.get("mentions")).map(accounts_of);
                    assert_eq!(got.mentions, muted.unwrap_or_default(), "left out of {id}");
                    let earlier = entry.get("earlier").map(ids_of).unwrap_or_default();
                    assert_eq!(
                        replica.earlier(id),
                        earlier,
                        "earlier interactions with {id}"
                    );
                } else {
                    assert!(post.text.is_none() && replica.history(id).is_empty());
                    assert!(replica.reactions(id).is_empty() && replica.reposts(id).is_empty());
                    assert!(replica.earlier(id).is_empty() && entry.get("earlier").is_none());
                }
                // Reactions and reposts on live posts.
                if want == PostState::Live {
                    let got = replica.reactions(id);
                    let expected: Vec<(String, Vec<AccountId>)> = match reactions.get(&key) {
                        None => Vec::new(),
                        Some(by_value) => by_value
                            .as_map()
                            .unwrap()
                            .iter()
                            .map(|(v, a)| (v.to_string(), accounts_of(a)))
                            .collect(),
                    };
                    let mut got_sorted = got.clone();
                    got_sorted.sort_by(|a, b| a.0.len().cmp(&b.0.len()).then(a.0.cmp(&b.0)));
                    assert_eq!(got_sorted, expected, "reactions on {id}");
                    let expected = reposts.get(&key).map(accounts_of).unwrap_or_default();
                    assert_eq!(replica.reposts(id), expected, "reposts of {id}");
                }
            }
        }
        let expect_ids = |map: &skylark::cbor::Map| -> Vec<MessageId> {
            let mut ids = map.get(&key).map(ids_of).unwrap_or_default();
            ids.sort();
            ids
        };
        let sorted = |mut v: Vec<MessageId>| {
            v.sort();
            v
        };
        assert_eq!(
            sorted(replica.replies(id)),
            expect_ids(&replies),
            "replies to {id}"
        );
        assert_eq!(
            sorted(replica.quotes(id)),
            expect_ids(&quotes),
            "quotes of {id}"
        );
        // A thread from a live root holds every live member of the summary's thread that is reachable.
        let members = expect_ids(&threads);
        if let Some(thread) = replica.thread(id) {
            let live: BTreeSet<MessageId> = thread
                .entries
                .iter()
                .skip(1)
                .filter(|e| e.post.state == PostState::Live)
                .map(|e| e.post.id)
                .collect();
            assert!(live.iter().all(|m| members.contains(m)), "thread of {id}");
            for (i, e) in thread.entries.iter().enumerate().skip(1) {
                let parent = e.parent.unwrap();
                assert!(parent < i);
                assert_eq!(
                    e.post.reply.unwrap().parent(),
                    thread.entries[parent].post.id
                );
            }
        }
    }
    for account in &accounts {
        let key = account.to_string();
        assert_eq!(
            replica.profile(account).map(|p| p.id),
            profiles
                .get(&key)
                .map(|v| ids_of(&Value::Array(vec![v.clone()]))[0]),
            "profile of {account}"
        );
        let edges = |map: &skylark::cbor::Map| map.get(&key).map(accounts_of).unwrap_or_default();
        assert_eq!(
            replica.following(account),
            edges(&follows),
            "following of {account}"
        );
        assert_eq!(
            replica.blocks(account),
            edges(&blocks),
            "blocks of {account}"
        );
        let followers: Vec<AccountId> = accounts
            .iter()
            .filter(|a| edges_of(&follows, a).contains(account))
            .copied()
            .collect();
        let got: Vec<AccountId> = replica
            .followers(account)
            .into_iter()
            .filter(|a| accounts.contains(a))
            .collect();
        assert_eq!(got, followers, "followers of {account}");
        // Labels on the account, from every labeler.
        let labelers: Vec<AccountId> = accounts.iter().copied().collect();
        let mut got = replica.labels(Reference::Account(*account), &labelers);
        got.sort();
        let mut want = Vec::new();
        if let Some(by_labeler) = labels.get(&key) {
            for (labeler, values) in by_labeler.as_map().unwrap().iter() {
                let labeler: AccountId = labeler.parse().unwrap();
                if let Value::Array(values) = values {
                    for v in values {
                        if let Value::Text(t) = v {
                            want.push((labeler, t.clone()));
                        }
                    }
                }
            }
        }
        want.sort();
        assert_eq!(got, want, "labels on {account}");
    }
    assert_eq!(replica.equivocations(), replica.state().equivocations());
    // The timeline of every account is every live post, newest first, across pages.
    let all: Vec<AccountId> = accounts.iter().copied().collect();
    let mut got = Vec::new();
    let mut cursor = None;
    loop {
        let page = replica.timeline(&all, cursor, 3);
        got.extend(page.posts.iter().map(|p| (p.time, p.id)));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let mut want: Vec<(u64, MessageId)> = posts
        .iter()
        .filter(|(_, e)| e.as_map().unwrap().get("state") == Some(&Value::from("live")))
        .map(|(k, _)| {
            let id: MessageId = k.parse().unwrap();
            (replica.header(&id).unwrap().time(), id)
        })
        .collect();
    want.sort();
    want.reverse();
    assert_eq!(got, want, "timeline");
}

fn edges_of(map: &skylark::cbor::Map, account: &AccountId) -> Vec<AccountId> {
    map.get(&account.to_string())
        .map(accounts_of)
        .unwrap_or_default()
}

#[test]
fn merge_vectors_through_the_replica() {
    let mut rng = TestRng::new(18);
    for v in vectors::load("merge.json") {
        let id = v["id"].as_str().unwrap();
        let now = v["now"].as_u64().unwrap();
        let messages: Vec<SignedMessage> = v["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(message)
            .collect();
        let known: Vec<SignedMessage> =
            v["known"].as_array().unwrap().iter().map(message).collect();
        // Real accounts (`account_operations`): authorization comes from the account state, and the key
        // operations arrive shuffled among the messages like any other message.
        let operations: Vec<SignedMessage> = v
            .get("account_operations")
            .map(|x| x.as_array().unwrap().iter().map(message).collect())
            .unwrap_or_default();
        let all: Vec<SignedMessage> = messages
            .iter()
            .chain(&known)
            .chain(&operations)
            .cloned()
            .collect();
        let others = if v["others"] == "authorized" {
            Authorization::Authorized
        } else {
            Authorization::Denied(skylark::message::AuthError::OutOfScope)
        };
        let fixed = operations
            .is_empty()
            .then_some((Authorization::Authorized, others));
        for round in 0..4 {
            let mut replica = match fixed {
                Some((a, o)) => Replica::with_authorizations(now, a, o),
                None => Replica::new(now),
            };
            let order = if round == 0 {
                (0..all.len()).collect()
            } else {
                shuffled(all.len(), &mut rng)
            };
            for &i in &order {
                replica.ingest(all[i].as_bytes()).unwrap();
                if round == 3 {
                    // Duplicates change nothing.
                    replica.ingest(all[i].as_bytes()).unwrap();
                }
            }
            check_from_scratch(&replica, fixed, &all);
            if known.is_empty() {
                assert_eq!(
                    hex::encode(replica.digest()),
                    v["digest"].as_str().unwrap(),
                    "{id}: digest through the replica"
                );
            }
        }
    }
}

#[test]
fn accounts_vectors_through_the_replica() {
    // Three arrival orders each: one at a time, a batch on one thread, a batch on two.
    let mut rng = TestRng::new(6);
    for v in vectors::load("accounts.json") {
        let id = v["id"].as_str().unwrap();
        match v["type"].as_str().unwrap() {
            "operations" => {
                let entries = v["operations"].as_array().unwrap();
                let ops: Vec<SignedMessage> =
                    entries.iter().map(|e| message(&e["message"])).collect();
                for round in 0..3 {
                    let mut replica = Replica::new(T0);
                    let order = shuffled(ops.len(), &mut rng);
                    ingest_in(
                        &mut replica,
                        round,
                        order.iter().map(|&i| &ops[i]),
                        &mut rng,
                    );
                    for (op, entry) in ops.iter().zip(entries) {
                        assert_eq!(
                            account_json::status(replica.accounts(), op),
                            entry["status"].as_str().unwrap(),
                            "{id}: {}",
                            op.id()
                        );
                    }
                    if let Some(want) = v.get("state") {
                        let account =
                            AccountId::from_bytes(hex_bytes(&want["account"]).try_into().unwrap());
                        assert_eq!(
                            &account_json::state(replica.accounts(), &account),
                            want,
                            "{id}"
                        );
                    }
                    check_from_scratch(&replica, None, &ops);
                }
            }
            "authorization" => {
                let mut all: Vec<SignedMessage> = v["account_operations"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(message)
                    .collect();
                all.extend(v["known"].as_array().unwrap().iter().map(message));
                let msg = message(&v["message"]);
                for round in 0..3 {
                    let mut replica = Replica::new(u64::MAX - MAX_CLOCK_SKEW);
                    let order = shuffled(all.len(), &mut rng);
                    ingest_in(
                        &mut replica,
                        round,
                        order.iter().map(|&i| &all[i]),
                        &mut rng,
                    );
                    // The message's authorization as the replica's state and lookups give it.
                    let got = account_json::authorization_json(match v["capability"].as_str() {
                        Some(c) => replica.accounts().grants(msg.header(), c),
                        None => replica
                            .accounts()
                            .authorize(msg.header(), |x| replica.header(x)),
                    });
                    assert_eq!(got, v["expected"], "{id}");
                    let mut held = all.clone();
                    replica.ingest(msg.as_bytes()).unwrap();
                    held.push(msg.clone());
                    check_from_scratch(&replica, None, &held);
                }
            }
            other => panic!("{id}: {other}"),
        }
    }
}

/// Ingests `messages` in their order: one at a time in round 0 (each operation's acceptances
/// verified as it is applied), as one batch on one thread in round 1 and on two threads in round 2
/// — behind 300 inputs that fail layer 1, so that the batch spans two chunks and the pipeline runs.
/// In rounds 1 and 2 the key operations' acceptances are verified in batches with the signatures
/// before the operation is applied, and not again (a wrong skip changes the acceptance vectors'
/// statuses against round 0's).
fn ingest_in<'a>(
    replica: &mut Replica,
    round: usize,
    messages: impl Iterator<Item = &'a SignedMessage>,
    rng: &mut TestRng,
) {
    let bytes: Vec<&[u8]> = messages.map(SignedMessage::as_bytes).collect();
    match round {
        0 => {
            for b in bytes {
                replica.ingest(b).unwrap();
            }
        }
        1 => {
            let results = replica.ingest_batch_threads(&bytes, rng, 1);
            assert!(results.iter().all(Result::is_ok));
        }
        _ => {
            let filler: &[u8] = &[0xa0];
            let inputs: Vec<&[u8]> = std::iter::repeat_n(filler, 300).chain(bytes).collect();
            let results = replica.ingest_batch_threads(&inputs, rng, 2);
            assert!(results[..300].iter().all(Result::is_err));
            assert!(results[300..].iter().all(Result::is_ok));
        }
    }
}

/// One generated workload: the messages, in signing order.
struct Workload {
    messages: Vec<SignedMessage>,
    /// A `now` late enough for every message but the ones from the future.
    now: u64,
}

struct Member {
    account: AccountId,
    root: Signer,
    apps: Vec<(Signer, Vec<SignedMessage>)>,
    head: MessageId,
}

/// Accounts with app keys and a mix of every kind, some keys revoked late with a cutoff.
fn workload(seed: u64, steps: usize) -> Workload {
    let mut rng = TestRng::new(seed);
    let mut messages = Vec::new();
    let mut members: Vec<Member> = Vec::new();
    let mut time = T0;
    for n in 0..3u8 {
        let root_key = SecretKey::from_seed([10 + n; 32]);
        let root_public = root_key.public_key();
        let mut root = Signer::new(root_key, AccountId::from_bytes([0; 32]));
        let genesis = root
            .sign_operation(&Operation::genesis(&[root_public], time).unwrap())
            .unwrap();
        let account = Accounts::account_id(&genesis);
        messages.push(genesis.clone());
        let mut head = genesis.id();
        let mut apps = Vec::new();
        for a in 0..2u8 {
            let app_key = SecretKey::from_seed([20 + n * 2 + a; 32]);
            let op = Operation::delegation(account, app_key.public_key())
                .parent(head)
                .expires(T0 + 10_000_000)
                .build(time)
                .unwrap()
                .accepted_by(&app_key)
                .unwrap();
            let delegate = root.sign_operation(&op).unwrap();
            head = delegate.id();
            messages.push(delegate);
            apps.push((Signer::new(app_key, account), Vec::new()));
        }
        members.push(Member {
            account,
            root,
            apps,
            head,
        });
    }
    let mut posts: Vec<(usize, MessageId, Option<Reply>)> = Vec::new();
    let mut own: Vec<Vec<(MessageId, &'static str)>> = vec![Vec::new(); 3];
    for step in 0..steps {
        time += rng.next_u64() % 3 * 1_000; // equal times on purpose
        let who = (rng.next_u64() % 3) as usize;
        let app = (rng.next_u64() % 2) as usize;
        let other = members[(who + 1 + (rng.next_u64() % 2) as usize) % 3].account;
        let pick = rng.next_u64() as usize;
        let choice = rng.next_u64() % 17;
        // The posts this app key signed: a gate of them needs no capability (GATE-2, 05 §2.6).
        let app_posts: Vec<MessageId> = members[who].apps[app]
            .1
            .iter()
            .filter(|m| m.header().kind().as_str() == "post")
            .map(|m| m.id())
            .collect();
        let signer = &mut members[who].apps[app].0;
        let mine = |kind: &str| -> Option<MessageId> {
            let list: Vec<MessageId> = own[who]
                .iter()
                .filter(|(_, k)| *k == kind)
                .map(|(id, _)| *id)
                .collect();
            (!list.is_empty()).then(|| list[pick % list.len()])
        };
        let any_post = (!posts.is_empty()).then(|| posts[pick % posts.len()]);
        let (signed, kind) = match choice {
            0 => (
                signer.sign(
                    &Profile::builder().name(format!("n{step}")).build().unwrap(),
                    time,
                ),
                "profile",
            ),
            1..=3 => {
                let mut b = Post::builder().text(format!("@x post {step}"));
                if let Some((_, parent, reply)) = &any_post {
                    if choice == 2 {
                        let root = reply.map_or(*parent, |r| r.root());
                        b = b.reply(Reply::new(root, *parent));
                    } else if choice == 3 && pick % 2 == 0 {
                        // Pinned to the version first published: an edit makes it earlier.
                        b = b.quote_at(*parent, *parent);
                    } else if choice == 3 {
                        b = b.quote(*parent);
                    }
                }
                if pick % 3 == 0 {
                    b = b.facet(Facet::mention(0..2, other));
                }
                let post = b.build().unwrap();
                let reply = post.reply().copied();
                let m = signer.sign(&post, time);
                if let Ok(m) = &m {
                    posts.push((who, m.id(), reply));
                }
                (m, "post")
            }
            4 => match mine("post") {
                Some(p) => {
                    // Edit the current end of the chain or the post itself.
                    let replaces = own[who]
                        .iter()
                        .rev()
                        .find(|(_, k)| *k == "edit")
                        .map_or(p, |(id, _)| *id);
                    let replaces = if pick % 2 == 0 { p } else { replaces };
                    let edit = Edit::builder(p, replaces)
                        .text(format!("edited {step}"))
                        .build()
                        .unwrap();
                    (signer.sign(&edit, time), "edit")
                }
                None => continue,
            },
            5 => match own[who]
                .get(pick % own[who].len().max(1))
                .filter(|(_, k)| *k != "delete")
            {
                Some((target, _)) => (signer.sign(&Delete::new(*target), time), "delete"),
                None => continue,
            },
            6 | 7 => match &any_post {
                Some((_, p, _)) => {
                    let react = if choice == 6 {
                        React::like(*p)
                    } else {
                        React::with_emoji(*p, "🔥").unwrap()
                    };
                    let react = if pick % 2 == 0 {
                        react.at_version(*p)
                    } else {
                        react
                    };
                    (signer.sign(&react, time), "react")
                }
                None => continue,
            },
            8 => match mine("react") {
                Some(r) => (signer.sign(&Unreact::new(r), time), "unreact"),
                None => continue,
            },
            9 => match &any_post {
                Some((_, p, _)) => {
                    let repost = if pick % 2 == 0 {
                        Repost::at_version(*p, *p)
                    } else {
                        Repost::new(*p)
                    };
                    (signer.sign(&repost, time), "repost")
                }
                None => continue,
            },
            10 => match mine("repost") {
                Some(r) => (signer.sign(&Unrepost::new(r), time), "unrepost"),
                None => continue,
            },
            11 => (signer.sign(&Follow::new(other), time), "follow"),
            12 => (signer.sign(&Unfollow::new(other), time), "unfollow"),
            13 => {
                if pick % 2 == 0 {
                    (signer.sign(&Block::new(other), time), "block")
                } else {
                    (signer.sign(&Unblock::new(other), time), "unblock")
                }
            }
            // A gate of one of the account's posts (VIEW-1..VIEW-4): the replica's views must leave
            // out what the summary leaves out.
            16 => match (!app_posts.is_empty()).then(|| app_posts[pick % app_posts.len()]) {
                Some(p) => {
                    let audiences = [
                        &[Audience::Followers][..],
                        &[Audience::Mentioned, Audience::Following],
                        &[Audience::Nobody],
                    ];
                    let mut g = Gate::builder(p)
                        .reply(audiences[pick % 3])
                        .quote(audiences[(pick / 3) % 3]);
                    if let Some((_, hidden, _)) = &any_post {
                        g = g.hide(*hidden);
                    }
                    (signer.sign(&g.build().unwrap(), time), "gate")
                }
                None => continue,
            },
            _ => {
                let mut b = Label::builder(
                    Reference::Account(other),
                    if pick % 2 == 0 { "spam" } else { "spoiler" },
                );
                if pick % 5 == 0 {
                    b = b.negate();
                }
                if pick % 7 == 0 {
                    b = b.expires(time + 5_000);
                }
                (signer.sign(&b.build().unwrap(), time), "label")
            }
        };
        let m = signed.unwrap();
        own[who].push((m.id(), kind));
        members[who].apps[app].1.push(m.clone());
        messages.push(m);
    }
    // An equivocation: a second message at the place of one app key's first message.
    let first = members[0].apps[0].1.first().cloned();
    if let Some(first) = first {
        let twin = Profile::builder()
            .name("twin")
            .build()
            .unwrap()
            .draft(members[0].account, first.header().time())
            .unwrap();
        let key = SecretKey::from_seed([20; 32]);
        messages.push(twin.sign(&key).unwrap());
    }
    // Late revocations: app 1 of account 1 keeps its messages up to the middle one; app 1 of
    // account 2 is revoked entirely.
    time += 1_000;
    for (n, keep) in [(1usize, true), (2, false)] {
        let app_public = members[n].apps[1].0.public_key();
        let mut op = Operation::revocation(members[n].account, app_public).parent(members[n].head);
        let sent = &members[n].apps[1].1;
        if keep && !sent.is_empty() {
            op = op.keep_up_to(&sent[sent.len() / 2]);
        }
        let revoke = members[n]
            .root
            .sign_operation(&op.build(time).unwrap())
            .unwrap();
        members[n].head = revoke.id();
        messages.push(revoke);
    }
    // A message from the future.
    let future = members[2].apps[0]
        .0
        .sign(
            &Post::builder().text("later").build().unwrap(),
            time + 3_600_000,
        )
        .unwrap();
    messages.push(future);
    Workload {
        messages,
        now: time + 1_000,
    }
}

/// Ingests a workload in a random order, with duplicates, remainders and batches, checking against
/// a computation from scratch at checkpoints, then advances the clock.
fn run_workload(seed: u64, steps: usize) {
    let w = workload(seed, steps);
    let mut rng = TestRng::new(seed ^ 0x5eed);
    // Arrivals: each message once, some also as a remainder, some only as a remainder, some twice.
    let mut arrivals: Vec<SignedMessage> = Vec::new();
    for m in &w.messages {
        match rng.next_u64() % 10 {
            0 if !skylark::account::is_operation_kind(m.header().kind().as_str()) => {
                arrivals.push(m.stripped())
            }
            1 => {
                arrivals.push(m.stripped());
                arrivals.push(m.clone());
            }
            2 => {
                arrivals.push(m.clone());
                arrivals.push(m.clone());
            }
            _ => arrivals.push(m.clone()),
        }
    }
    let order = shuffled(arrivals.len(), &mut rng);
    let mut replica = Replica::new(w.now);
    let mut held: Vec<SignedMessage> = Vec::new();
    let checkpoints = [arrivals.len() / 3, 2 * arrivals.len() / 3];
    let mut i = 0;
    while i < order.len() {
        let batch = 1 + (rng.next_u64() % 8) as usize;
        let chunk: Vec<&SignedMessage> = order[i..(i + batch).min(order.len())]
            .iter()
            .map(|&k| &arrivals[k])
            .collect();
        if batch == 1 {
            replica.ingest(chunk[0].as_bytes()).unwrap();
        } else {
            let results = replica.ingest_batch(chunk.iter().map(|m| m.as_bytes()), &mut rng);
            assert!(results.iter().all(|r| r.is_ok()));
        }
        held.extend(chunk.into_iter().cloned());
        let before = i;
        i += batch;
        if checkpoints.iter().any(|&c| before <= c && c < i) {
            check_from_scratch(&replica, None, &held);
        }
    }
    check_from_scratch(&replica, None, &held);
    // Nothing is missing once everything is in (every dependency is in the workload).
    assert!(replica.missing().is_empty(), "{:?}", replica.missing());
    // The clock moves on: the message from the future is decided, labels expire.
    replica.advance(w.now + 3_600_000);
    check_from_scratch(&replica, None, &held);
}

#[test]
fn generated_workloads_equal_a_computation_from_scratch() {
    for seed in 0..6 {
        run_workload(seed, 60);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]
    #[test]
    fn random_workloads_equal_a_computation_from_scratch(seed in any::<u64>(), steps in 10usize..80) {
        run_workload(seed, steps);
    }
}

/// An app key (seed `[seed; 32]`) delegated by `root` right after `genesis` (expiring a million ms
/// after T0), and the posts it signs at `T0 + i` for each `i` of `times`: the delegation, the app's
/// signer, the posts.
fn app_with_posts(
    root: &mut Signer,
    alice: AccountId,
    genesis: MessageId,
    seed: u8,
    times: std::ops::Range<u64>,
) -> (SignedMessage, Signer, Vec<SignedMessage>) {
    let app_key = SecretKey::from_seed([seed; 32]);
    let op = Operation::delegation(alice, app_key.public_key())
        .parent(genesis)
        .expires(T0 + 1_000_000)
        .build(T0)
        .unwrap()
        .accepted_by(&app_key)
        .unwrap();
    let delegate = root.sign_operation(&op).unwrap();
    let mut app = Signer::new(app_key, alice);
    let posts = times
        .map(|i| {
            app.sign(
                &Post::builder().text(format!("{i}")).build().unwrap(),
                T0 + i,
            )
            .unwrap()
        })
        .collect();
    (delegate, app, posts)
}

#[test]
fn a_late_revocation_removes_exactly_the_messages_after_the_cutoff() {
    let root_key = SecretKey::from_seed([1; 32]);
    let public = root_key.public_key();
    let mut root = Signer::new(root_key, AccountId::from_bytes([0; 32]));
    let genesis = root
        .sign_operation(&Operation::genesis(&[public], T0).unwrap())
        .unwrap();
    let alice = Accounts::account_id(&genesis);
    let (delegate, app, posts) = app_with_posts(&mut root, alice, genesis.id(), 2, 0..4);
    let revoke = root
        .sign_operation(
            &Operation::revocation(alice, app.public_key())
                .parent(delegate.id())
                .keep_up_to(&posts[1])
                .build(T0 + 10)
                .unwrap(),
        )
        .unwrap();
    let mut replica = Replica::new(T0 + 100);
    for m in [&genesis, &delegate].into_iter().chain(&posts) {
        replica.ingest(m.as_bytes()).unwrap();
    }
    assert!(posts
        .iter()
        .all(|p| replica.status(&p.id()) == Some(&Status::Valid)));
    let before = replica.timeline(&[alice], None, 10).posts.len();
    replica.ingest(revoke.as_bytes()).unwrap();
    let statuses: Vec<bool> = posts
        .iter()
        .map(|p| replica.status(&p.id()) == Some(&Status::Valid))
        .collect();
    assert_eq!(statuses, [true, true, false, false]);
    assert!(
        matches!(replica.status(&posts[2].id()), Some(Status::Invalid(e)) if e.code() == "auth.revoked")
    );
    assert_eq!(
        (before, replica.timeline(&[alice], None, 10).posts.len()),
        (4, 2)
    );
    assert!(replica.post(&posts[3].id()).is_none());
}

#[test]
fn a_deleted_reply_stays_a_placeholder_and_reactions_on_deleted_posts_do_not_count() {
    let key = SecretKey::from_seed([1; 32]);
    let alice = AccountId::from_bytes([1; 32]);
    let bob = AccountId::from_bytes([2; 32]);
    let bob_key = SecretKey::from_seed([2; 32]);
    let mut a = Signer::new(key, alice);
    let mut b = Signer::new(bob_key, bob);
    let root = a
        .sign(&Post::builder().text("root").build().unwrap(), T0)
        .unwrap();
    let reply = b
        .sign(
            &Post::builder()
                .text("reply")
                .reply(Reply::new(root.id(), root.id()))
                .build()
                .unwrap(),
            T0 + 1,
        )
        .unwrap();
    let nested = a
        .sign(
            &Post::builder()
                .text("nested")
                .reply(Reply::new(root.id(), reply.id()))
                .build()
                .unwrap(),
            T0 + 2,
        )
        .unwrap();
    let like = a.sign(&React::like(reply.id()), T0 + 3).unwrap();
    let delete = b.sign(&Delete::new(reply.id()), T0 + 4).unwrap();
    let mut replica = Replica::with_authorization(T0 + 10, Authorization::Authorized);
    for m in [&delete, &like, &nested, &reply, &root] {
        replica.ingest(m.as_bytes()).unwrap();
    }
    let thread = replica.thread(&root.id()).unwrap();
    let shown: Vec<(MessageId, PostState, usize)> = thread
        .entries
        .iter()
        .map(|e| (e.post.id, e.post.state, e.depth))
        .collect();
    assert_eq!(
        shown,
        [
            (root.id(), PostState::Live, 0),
            (reply.id(), PostState::Deleted, 1),
            (nested.id(), PostState::Live, 2)
        ]
    );
    assert!(replica.reactions(&reply.id()).is_empty());
    assert_eq!(thread.entries[1].post.text, None);
}

#[test]
fn a_signer_never_signs_two_messages_at_one_place() {
    let mut s = Signer::new(
        SecretKey::from_seed([1; 32]),
        AccountId::from_bytes([1; 32]),
    );
    let mut replica = Replica::with_authorization(T0 + 100, Authorization::Authorized);
    for i in 0..20 {
        let m = s
            .sign(
                &Post::builder().text(format!("{i}")).build().unwrap(),
                T0 + i / 3,
            )
            .unwrap();
        assert_eq!(replica.ingest(m.as_bytes()).unwrap(), Status::Valid);
    }
    assert!(replica.equivocations().is_empty());
}

/// 06 §5.6, §9.4: a deactivation at the head refuses every message dated at or after it, whatever
/// its key, and a higher root's operation beside it makes them valid again (the replica
/// re-validates the whole account when the deactivation starts or stops counting).
#[test]
fn a_deactivation_reaches_every_key_and_a_higher_root_undoes_it() {
    let (recovery_key, everyday_key) =
        (SecretKey::from_seed([1; 32]), SecretKey::from_seed([2; 32]));
    let (recovery_public, everyday_public) = (recovery_key.public_key(), everyday_key.public_key());
    let mut recovery = Signer::new(recovery_key, AccountId::from_bytes([0; 32]));
    let genesis = recovery
        .sign_operation(
            &Operation::genesis(&[recovery_public, everyday_public], T0)
                .unwrap()
                .accepted_by(&everyday_key)
                .unwrap(),
        )
        .unwrap();
    let alice = Accounts::account_id(&genesis);
    let mut everyday = Signer::new(everyday_key, alice);
    let (delegate, _, posts) = app_with_posts(&mut everyday, alice, genesis.id(), 3, 1..5);
    let end = everyday
        .sign_operation(&Operation::deactivate(alice, delegate.id(), T0 + 3))
        .unwrap();
    let answer = recovery
        .sign_operation(&Operation::enckey(alice, delegate.id(), [9; 32], 1, T0 + 5).unwrap())
        .unwrap();
    let mut replica = Replica::new(T0 + 100);
    for m in [&genesis, &delegate].into_iter().chain(&posts) {
        replica.ingest(m.as_bytes()).unwrap();
    }
    let valid = |replica: &Replica| -> Vec<bool> {
        posts
            .iter()
            .map(|p| replica.status(&p.id()) == Some(&Status::Valid))
            .collect()
    };
    assert_eq!(valid(&replica), [true; 4]);
    replica.ingest(end.as_bytes()).unwrap();
    assert_eq!(valid(&replica), [true, true, false, false]);
    assert!(
        matches!(replica.status(&posts[2].id()), Some(Status::Invalid(e)) if e.code() == "auth.deactivated")
    );
    replica.ingest(answer.as_bytes()).unwrap();
    assert_eq!(valid(&replica), [true; 4]);
}
