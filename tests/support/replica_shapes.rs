//! Shapes of many valid messages for the replica and for set reconciliation (issue 21), each at a
//! size `n`: what `tests/growth.rs` counts and `benches/hostile.rs` times at n, 2n, 4n and 8n.
//!
//! Shared through `#[path]`, with `replica_workload.rs` beside it.

#![allow(dead_code, clippy::unwrap_used)]

use skylark::account::{Accounts, Operation};
use skylark::envelope::SignedMessage;
use skylark::id::{AccountId, MessageId};
use skylark::keys::SecretKey;
use skylark::message::{BodyKind, Post, MAX_CLOCK_SKEW};
use skylark::replica::{Replica, Signer};
use skylark::sync::{Item, Set};

use super::replica_workload::{workload, T0};

/// A shape: the messages in their order of arrival, and the replica's time.
pub struct Arrival {
    pub messages: Vec<SignedMessage>,
    pub now: u64,
}

/// One account (a genesis and a delegation of one app key) with the root's and the app's signers.
fn account(seed: u8) -> (Vec<SignedMessage>, Signer, Signer, AccountId, MessageId) {
    let mut root = Signer::new(
        SecretKey::from_seed([seed; 32]),
        AccountId::from_bytes([0; 32]),
    );
    let genesis = root
        .sign_operation(&Operation::genesis(&[root.public_key()], T0).unwrap())
        .unwrap();
    let account = Accounts::account_id(&genesis);
    let app = SecretKey::from_seed([seed + 1; 32]);
    let grant = Operation::delegation(account, app.public_key())
        .parent(genesis.id())
        .expires(T0 + 365 * 86_400_000)
        .build(T0)
        .unwrap()
        .accepted_by(&app)
        .unwrap();
    let delegation = root.sign_operation(&grant).unwrap();
    let head = delegation.id();
    (
        vec![genesis, delegation],
        root,
        Signer::new(app, account),
        account,
        head,
    )
}

/// `n` posts by one app key, in its chain.
fn posts(app: &mut Signer, n: usize, from: u64) -> Vec<SignedMessage> {
    (0..n)
        .map(|i| {
            let post = Post::builder().text(format!("post {i}")).build().unwrap();
            app.sign(&post, from + i as u64).unwrap()
        })
        .collect()
}

/// The social workload of `replica_workload.rs` (n messages by n / 10 accounts), in order.
pub fn social(n: usize) -> Arrival {
    let w = workload(n, (n / 10).max(2));
    Arrival {
        now: w.now(),
        messages: w.all().cloned().collect(),
    }
}

/// One key's chain of `n` posts, newest first, its account last: every message waits for the one
/// before it, and the genesis unblocks them all.
pub fn reversed_chain(n: usize) -> Arrival {
    let (ops, _, mut app, _, _) = account(10);
    let mut messages = posts(&mut app, n, T0 + 1);
    messages.extend(ops);
    messages.reverse();
    Arrival {
        messages,
        now: T0 + 1 + n as u64,
    }
}

/// An account's app posts n / 2 messages; then its root delegates n / 2 other keys, one after the
/// other, each a change of the account's head (06 §9.4 asks for re-evaluation on each).
pub fn delegation_storm(n: usize) -> Arrival {
    let (mut messages, mut root, mut app, account, mut head) = account(20);
    messages.extend(posts(&mut app, n / 2, T0 + 1));
    let from = T0 + 1 + n as u64;
    for i in 0..n / 2 {
        let mut seed = [30u8; 32];
        seed[..8].copy_from_slice(&(i as u64).to_le_bytes());
        let secret = SecretKey::from_seed(seed);
        let grant = Operation::delegation(account, secret.public_key())
            .parent(head)
            .expires(T0 + 365 * 86_400_000)
            .build(from + i as u64)
            .unwrap()
            .accepted_by(&secret)
            .unwrap();
        let op = root.sign_operation(&grant).unwrap();
        head = op.id();
        messages.push(op);
    }
    Arrival {
        messages,
        now: from + n as u64,
    }
}

/// An account's app posts n / 2 messages; then n / 2 rotations of the root key follow, one after the
/// other, each signed by the root it retires: n / 2 changes of the head and of the roots.
pub fn rotation_storm(n: usize) -> Arrival {
    let (mut messages, mut root, mut app, account, mut head) = account(50);
    messages.extend(posts(&mut app, n / 2, T0 + 1));
    let from = T0 + 1 + n as u64;
    for i in 0..n / 2 {
        let mut seed = [60u8; 32];
        seed[..8].copy_from_slice(&(i as u64).to_le_bytes());
        let secret = SecretKey::from_seed(seed);
        let rotation = Operation::rotation(account, &[secret.public_key()])
            .parent(head)
            .build(from + i as u64)
            .unwrap()
            .accepted_by(&secret)
            .unwrap();
        let next = Signer::new(secret, AccountId::from_bytes([0; 32]));
        let op = root.sign_operation(&rotation).unwrap();
        head = op.id();
        messages.push(op);
        root = next;
    }
    Arrival {
        messages,
        now: from + n as u64,
    }
}

/// `n` posts too far in the future at arrival (`msg.time_in_future`), all due at one advance of
/// the clock.
pub fn future_flood(n: usize) -> Arrival {
    let (mut messages, _, mut app, _, _) = account(40);
    messages.extend(posts(&mut app, n, T0 + 10 * MAX_CLOCK_SKEW));
    Arrival {
        messages,
        now: T0 + 1,
    }
}

/// How a replica takes a shape's arrival.
pub type Build = fn(&Arrival) -> Replica;

/// A named shape: how to build its arrival at `n`, and how a replica takes it.
pub type ArrivalShape = (&'static str, fn(usize) -> Arrival, Build);

/// The replica shapes by name, each with how the replica takes it: what `benches/hostile.rs` times
/// and `benches/probe/growth.rs` counts.
pub fn arrival_shapes() -> [ArrivalShape; 5] {
    [
        ("social", social, ingest),
        ("reversed_chain", reversed_chain, ingest),
        ("delegation_storm", delegation_storm, ingest),
        ("rotation_storm", rotation_storm, ingest),
        ("future_flood", future_flood, ingest_and_advance),
    ]
}

/// The shapes of [`sync_sets`].
pub const SYNC_SHAPES: [&str; 3] = ["differ_10pct", "interleaved", "one_time"];

/// A replica at `arrival.now` holding every message of `arrival`, taken in order.
pub fn ingest(arrival: &Arrival) -> Replica {
    let mut replica = Replica::new(arrival.now);
    for m in &arrival.messages {
        replica.insert(m.clone());
    }
    replica
}

/// `future_flood` ingested, then the clock moved past all of them.
pub fn ingest_and_advance(arrival: &Arrival) -> Replica {
    let mut replica = ingest(arrival);
    replica.advance(T0 + 20 * MAX_CLOCK_SKEW);
    replica
}

/// The item of number `i`, at time `T0 + i / per_ms`.
fn item(i: u64, per_ms: u64) -> Item {
    let id = *blake3::hash(&i.to_le_bytes()).as_bytes();
    Item::new(T0 + i / per_ms.max(1), MessageId::from_bytes(id))
}

/// Two sets of `n` items for reconciliation, by shape: `"differ_10pct"` (the same but for n / 10
/// items each), `"interleaved"` (no item in common, the two sides' items alternating in order),
/// `"one_time"` (every item at the same time, 10 % different: ties broken by id only).
pub fn sync_sets(shape: &str, n: u64) -> (Set, Set) {
    let (a, b): (Vec<Item>, Vec<Item>) = match shape {
        "interleaved" => (
            (0..n).map(|i| item(2 * i, 10)).collect(),
            (0..n).map(|i| item(2 * i + 1, 10)).collect(),
        ),
        "one_time" => (
            (0..n).map(|i| item(i, u64::MAX)).collect(),
            (0..n)
                .filter(|i| i % 10 != 0)
                .chain(n..n + n / 10)
                .map(|i| item(i, u64::MAX))
                .collect(),
        ),
        _ => (
            (0..n).map(|i| item(i, 10)).collect(),
            (0..n)
                .filter(|i| i % 10 != 0)
                .chain(n..n + n / 10)
                .map(|i| item(i, 10))
                .collect(),
        ),
    };
    (Set::new(a).unwrap(), Set::new(b).unwrap())
}

/// A whole reconciliation session between `a` (initiator) and `b`: (round trips, bytes both ways,
/// items found on each side).
pub fn session(a: &Set, b: &Set) -> (usize, usize, usize) {
    let mut initiator = skylark::sync::Initiator::new(a, [7; 16]);
    let mut responder = skylark::sync::Responder::new(b);
    let mut frame = initiator.open();
    let mut bytes = 0;
    loop {
        bytes += frame.len();
        let Ok(reply) = responder.respond(&frame) else {
            break;
        };
        bytes += reply.len();
        match initiator.receive(&reply) {
            Ok(Some(next)) => frame = next,
            _ => break,
        }
    }
    (
        initiator.rounds(),
        bytes,
        initiator.have().len() + initiator.need().len(),
    )
}

/// A root post of `alice` (signed with `ka`) at time 1000.
pub fn root_post(alice: AccountId, ka: &SecretKey, text: &str) -> SignedMessage {
    Post::builder()
        .text(text)
        .build()
        .unwrap()
        .draft(alice, 1_000)
        .unwrap()
        .sign(ka)
        .unwrap()
}

/// The `i`-th reply to `root` by an account of its own, mentioning `alice`, and its author.
pub fn mentioning_reply(
    i: usize,
    root: &SignedMessage,
    alice: AccountId,
) -> (AccountId, SecretKey, SignedMessage) {
    use skylark::message::{Facet, Reply};
    let key = SecretKey::from_seed(blake3::hash(&(i as u64).to_le_bytes()).into());
    let who = AccountId::from_bytes(blake3::hash(&(i as u64).to_be_bytes()).into());
    let reply = Post::builder()
        .text(format!("hello {i}"))
        .facet(Facet::mention(0..5, alice))
        .reply(Reply::new(root.id(), root.id()))
        .build()
        .unwrap()
        .draft(who, 2_000)
        .unwrap()
        .sign(&key)
        .unwrap();
    (who, key, reply)
}

/// A post whose author gated it once and then piled up `n` later gate+delete pairs on it (each
/// later gate deleted, so the first is in force), and `n` replies by accounts of their own that
/// mention the author: the gate in force is found once per judged reply (VIEW-1), never by walking
/// the deleted gates newer than it.
pub fn gate_churn_of(n: usize) -> Vec<SignedMessage> {
    use skylark::message::{Audience, Delete, Gate};
    let alice = AccountId::from_bytes([8; 32]);
    let ka = SecretKey::from_seed([8; 32]);
    let root = root_post(alice, &ka, "gated again and again");
    let mut out = vec![root.clone()];
    let mut last = root.clone();
    for i in 0..=n {
        let gate = Gate::builder(root.id())
            .reply(&[Audience::Followers])
            .build()
            .unwrap()
            .draft(alice, 2_000 + 2 * i as u64)
            .unwrap()
            .after(&last)
            .sign(&ka)
            .unwrap();
        last = gate.clone();
        out.push(gate.clone());
        if i > 0 {
            last = Delete::new(gate.id())
                .draft(alice, 2_001 + 2 * i as u64)
                .unwrap()
                .after(&last)
                .sign(&ka)
                .unwrap();
            out.push(last.clone());
        }
    }
    out.extend((0..n).map(|i| mentioning_reply(i, &root, alice).2));
    out
}
