//! Growth tests (issue 21, `spec/security.md` "Bounds"): for every shape that once made a node do
//! quadratic work with valid input only, the work at n, 2n, 4n and 8n must not more than triple per
//! doubling (`n log n` gives a bit over 2; `n²` gives 4). Work is counted, never timed: allocations
//! (number and bytes, with the counting allocator of `tests/resource_bounds.rs`) for the account
//! state, the merged state, the replica and set reconciliation, header lookups for the AUTH-6 walk.
//! Wall time is in
//! `benches/hostile.rs` and `benches/README.md`; the one exception is the gate churn, whose
//! quadratic walk allocated nothing.
//!
//! The counter is global, so everything runs in one test function.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::alloc::System;

use skylark::id::AccountId;
use skylark::keys::SecretKey;
use skylark::merge::State;
use skylark::message::{validate, Authorization, BodyKind, MemoryContext, Post, Profile, Verdict};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

#[path = "support/account_shapes.rs"]
mod account_shapes;
#[path = "support/replica_shapes.rs"]
mod replica_shapes;
#[path = "support/replica_workload.rs"]
mod replica_workload;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// The smallest size; the largest is 8 times it.
const N: usize = 256;
const SIZES: [usize; 4] = [N, 2 * N, 4 * N, 8 * N];
/// The most the work may grow when n doubles.
const MAX_GROWTH: f64 = 3.0;

/// What `f` allocated: (number of allocations, bytes requested), the least of three runs (the test
/// harness's threads may allocate during one run, never during all three).
fn allocated<T>(f: impl Fn() -> T) -> (usize, usize) {
    (0..3)
        .map(|_| {
            let region = Region::new(GLOBAL);
            let out = f();
            let stats = region.change();
            drop(out);
            let grown = usize::try_from(stats.bytes_reallocated.max(0)).unwrap();
            (
                stats.allocations + stats.reallocations,
                stats.bytes_allocated + grown,
            )
        })
        .min()
        .unwrap()
}

/// The shapes whose work grew more than `MAX_GROWTH` times per doubling, with their costs.
type Failures = Vec<String>;

/// Records a failure unless each step of `costs` (at n, 2n, 4n, 8n) is at most `MAX_GROWTH` times
/// the one before.
fn check_growth(failures: &mut Failures, what: &str, costs: &[usize]) {
    let worst = costs
        .windows(2)
        .map(|pair| pair[1] as f64 / pair[0].max(1) as f64)
        .fold(0.0, f64::max);
    eprintln!("{what}: {costs:?} (worst growth {worst:.2}x per doubling)");
    if worst > MAX_GROWTH {
        failures.push(format!(
            "{what}: cost {costs:?} at n = {SIZES:?} grows {worst:.2}x per doubling (bound {MAX_GROWTH})"
        ));
    }
}

#[test]
fn work_grows_as_n_log_n_for_every_hostile_shape() {
    let mut failures = Failures::new();
    account_state_of_every_shape(&mut failures);
    reauthorizing_a_revoked_history(&mut failures);
    merged_state_summary_and_digest(&mut failures);
    replica_of_every_shape(&mut failures);
    reconciliation_of_every_shape(&mut failures);
    merged_state_of_floods(&mut failures);
    gated_thread(&mut failures);
    gate_churn(&mut failures);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Applying every operation of each shape, then asking for the account's view once.
fn account_state_of_every_shape(failures: &mut Failures) {
    for (name, shape) in account_shapes::operation_shapes() {
        let (mut counts, mut bytes) = (Vec::new(), Vec::new());
        for n in SIZES {
            let ops = shape(n);
            let (c, b) = allocated(|| account_shapes::apply_all(&ops));
            counts.push(c);
            bytes.push(b);
        }
        check_growth(
            failures,
            &format!("account state, {name}, allocations"),
            &counts,
        );
        check_growth(failures, &format!("account state, {name}, bytes"), &bytes);
    }
}

/// Authorizing every message of a key revoked at its last message, oldest first.
fn reauthorizing_a_revoked_history(failures: &mut Failures) {
    let mut lookups = Vec::new();
    for n in SIZES {
        let (accounts, posts, headers) = account_shapes::revoked_history(n);
        lookups.push(account_shapes::reauthorize(&accounts, &posts, &headers));
    }
    check_growth(
        failures,
        "AUTH-6 re-authorization, header lookups",
        &lookups,
    );
}

/// The digest (over the summary) of n posts. The entries the summary's maps shift, which allocate
/// nothing, are counted by `summary_map_building_grows_as_n_log_n` in `src/merge.rs`.
fn merged_state_summary_and_digest(failures: &mut Failures) {
    let (mut counts, mut bytes) = (Vec::new(), Vec::new());
    for n in SIZES {
        let mut state = State::new();
        for post in account_shapes::posts(n) {
            state.apply(&post);
        }
        let (c, b) = allocated(|| state.digest(0));
        counts.push(c);
        bytes.push(b);
    }
    check_growth(
        failures,
        "merged state digest of n posts, allocations",
        &counts,
    );
    check_growth(failures, "merged state digest of n posts, bytes", &bytes);
}

/// The replica taking every message of each shape (issue 18, 21): a social workload in order, a
/// key's chain in reverse (every message waits), an account whose head changes n / 2 times over
/// n / 2 messages, and n messages from the future released by one advance of the clock.
fn replica_of_every_shape(failures: &mut Failures) {
    type Build = fn(&replica_shapes::Arrival) -> skylark::replica::Replica;
    type Shape = fn(usize) -> replica_shapes::Arrival;
    let shapes: [(&str, Shape, Build); 5] = [
        ("social", replica_shapes::social, replica_shapes::ingest),
        (
            "reversed_chain",
            replica_shapes::reversed_chain,
            replica_shapes::ingest,
        ),
        (
            "delegation_storm",
            replica_shapes::delegation_storm,
            replica_shapes::ingest,
        ),
        (
            "rotation_storm",
            replica_shapes::rotation_storm,
            replica_shapes::ingest,
        ),
        (
            "future_flood",
            replica_shapes::future_flood,
            replica_shapes::ingest_and_advance,
        ),
    ];
    for (name, shape, build) in shapes {
        let (mut counts, mut bytes) = (Vec::new(), Vec::new());
        for n in SIZES {
            let arrival = shape(n);
            let (c, b) = allocated(|| {
                let replica = build(&arrival);
                // Every message ends valid: the shape measures the work of getting there.
                assert_eq!(
                    replica.valid().count(),
                    arrival.messages.len(),
                    "{name} at {n}"
                );
                replica
            });
            counts.push(c);
            bytes.push(b);
        }
        check_growth(failures, &format!("replica, {name}, allocations"), &counts);
        check_growth(failures, &format!("replica, {name}, bytes"), &bytes);
    }
}

/// Set reconciliation (spec 09) between two sets of n items of each shape: building the sets and
/// a whole session.
fn reconciliation_of_every_shape(failures: &mut Failures) {
    for shape in replica_shapes::SYNC_SHAPES {
        let (mut counts, mut bytes) = (Vec::new(), Vec::new());
        for n in SIZES.map(|n| 32 * n as u64) {
            let (c, b) = allocated(|| {
                let (a, b) = replica_shapes::sync_sets(shape, n);
                replica_shapes::session(&a, &b)
            });
            counts.push(c);
            bytes.push(b);
        }
        check_growth(
            failures,
            &format!("reconciliation, {shape}, allocations"),
            &counts,
        );
        check_growth(failures, &format!("reconciliation, {shape}, bytes"), &bytes);
    }
}

/// `n` valid posts of one key, all at seq 1 (a flood at one place, LIMIT-1), and `n` valid profiles
/// of `n` keys of one account (a flood of one class, LIMIT-2: 50 kept).
fn floods(n: usize) -> [Vec<skylark::message::ValidMessage>; 2] {
    let account = AccountId::from_bytes([9; 32]);
    let context = MemoryContext::new(1 << 40, Authorization::Authorized);
    let valid = |key: &SecretKey, i: usize, post: bool| {
        let draft = if post {
            Post::builder()
                .text(format!("flood {i}"))
                .build()
                .unwrap()
                .draft(account, 1_000 + i as u64)
        } else {
            Profile::builder()
                .name(format!("p{i}"))
                .build()
                .unwrap()
                .draft(account, 1_000 + i as u64)
        };
        let m = draft.unwrap().sign(key).unwrap();
        match validate(m, &context) {
            Verdict::Valid(v) => v,
            other => panic!("{other:?}"),
        }
    };
    let one = SecretKey::from_seed([8; 32]);
    let place = (0..n).map(|i| valid(&one, i, true)).collect();
    let class = (0..n)
        .map(|i| {
            let key = SecretKey::from_seed(blake3::hash(&i.to_le_bytes()).into());
            valid(&key, i, false)
        })
        .collect();
    [place, class]
}

/// The digest of the floods the storage limits prune: pruning is a sort, not a rescan per message.
fn merged_state_of_floods(failures: &mut Failures) {
    for (k, name) in [
        "n posts at one seq (LIMIT-1)",
        "n profiles of one account (LIMIT-2)",
    ]
    .into_iter()
    .enumerate()
    {
        let (mut counts, mut bytes) = (Vec::new(), Vec::new());
        for n in SIZES {
            let mut state = State::new();
            for m in &floods(n)[k] {
                state.apply(m);
            }
            let kept = [2, 50][k];
            assert_eq!(state.pruned().len(), n - kept, "{name}: {kept} kept");
            let (c, b) = allocated(|| state.digest(0));
            counts.push(c);
            bytes.push(b);
        }
        check_growth(failures, &format!("digest of {name}, allocations"), &counts);
        check_growth(failures, &format!("digest of {name}, bytes"), &bytes);
    }
}

/// A thread under one gated post (VIEW-1..VIEW-4): the root, its gate (followers only, 50 hidden
/// replies), and per n: a reply by an account of its own that mentions the root's author; half of
/// them follow the author and a quarter are blocked by the author. Every message signed and valid.
fn gated_thread_of(n: usize) -> Vec<skylark::envelope::SignedMessage> {
    use skylark::message::{Audience, Block, Follow, Gate};
    let alice = AccountId::from_bytes([7; 32]);
    let ka = SecretKey::from_seed([7; 32]);
    let root = replica_shapes::root_post(alice, &ka, "members only");
    let mut out = vec![root.clone()];
    let mut last = root.clone();
    let mut replies = Vec::new();
    for i in 0..n {
        let (who, key, reply) = replica_shapes::mentioning_reply(i, &root, alice);
        replies.push(reply.id());
        out.push(reply.clone());
        if i % 2 == 0 {
            let f = Follow::new(alice).draft(who, 3_000).unwrap().after(&reply);
            out.push(f.sign(&key).unwrap());
        }
        if i % 4 == 1 {
            let b = Block::new(who)
                .draft(alice, 3_000 + i as u64)
                .unwrap()
                .after(&last);
            last = b.sign(&ka).unwrap();
            out.push(last.clone());
        }
    }
    let mut gate = Gate::builder(root.id()).reply(&[Audience::Followers]);
    for id in replies.iter().take(50) {
        gate = gate.hide(*id);
    }
    let gate = gate
        .build()
        .unwrap()
        .draft(alice, 1 << 20)
        .unwrap()
        .after(&last);
    out.push(gate.sign(&ka).unwrap());
    out
}

/// The digest and the replica's views of a gated thread: each reply is judged with a constant
/// number of look-ups, never by rescanning the graph or the gates.
fn gated_thread(failures: &mut Failures) {
    use skylark::replica::Replica;
    let (mut digest, mut views) = (Vec::new(), Vec::new());
    for n in SIZES {
        let messages = gated_thread_of(n);
        let root = messages[0].id();
        let alice = *messages[0].header().account();
        let mut state = State::new();
        let mut replica = Replica::with_authorization(1 << 40, Authorization::Authorized);
        let context = messages.iter().fold(
            MemoryContext::new(1 << 40, Authorization::Authorized),
            |c, m| c.with(m),
        );
        for m in &messages {
            replica.ingest(m.as_bytes()).unwrap();
            match validate(m.clone(), &context) {
                Verdict::Valid(v) => state.apply(&v),
                other => panic!("{other:?}"),
            }
        }
        let shown = replica.replies(&root).len();
        assert!(shown > 0 && shown < n, "{shown} of {n} shown");
        digest.push(allocated(|| state.digest(0)).0);
        views.push(
            allocated(|| {
                (
                    replica.replies(&root),
                    replica.mentions(&alice, None, usize::MAX),
                )
            })
            .0,
        );
    }
    check_growth(failures, "digest of a gated thread, allocations", &digest);
    check_growth(
        failures,
        "replica views of a gated thread, allocations",
        &views,
    );
}

/// The replica's thread and mention views over [`gate_churn_of`]: allocations, as everywhere here.
/// The walk the gate index removed (audit 17 finding 5) allocated nothing, so its time is measured
/// where times belong, in `benches/hostile.rs` (`hostile_replica/gate_churn_views`), not here.
fn gate_churn(failures: &mut Failures) {
    use skylark::replica::Replica;
    let mut views = Vec::new();
    for n in SIZES {
        let messages = replica_shapes::gate_churn_of(n);
        let root = messages[0].id();
        let alice = *messages[0].header().account();
        let mut replica = Replica::with_authorization(1 << 40, Authorization::Authorized);
        for m in &messages {
            replica.ingest(m.as_bytes()).unwrap();
        }
        // The gate in force admits followers only, and no replier follows.
        assert!(replica.replies(&root).is_empty());
        let query = || {
            (
                replica.thread(&root),
                replica.mentions(&alice, None, usize::MAX),
            )
        };
        views.push(allocated(query).0);
    }
    check_growth(
        failures,
        "replica views under a gate churned n times, allocations",
        &views,
    );
}
