//! Linear time on hostile shapes: decoding, checking, decoding and verifying a whole message, and
//! validating it, for inputs of size n, 2n, 4n and 8n. Linear time means the median grows by about
//! 2x per step (8x from n to 8n); the ratios are in `benches/README.md`.
//!
//! All benchmarks are in one criterion group and run in one process, so their numbers are
//! comparable with each other:
//!
//! ```text
//! cargo bench --bench hostile -- --warm-up-time 1 --measurement-time 3
//! ```
//!
//! A second group, `hostile_state` (issue 21), scales the state machines over many messages at
//! n, 2n, 4n, 8n (n = 1000) with the shapes of `tests/support/account_shapes.rs`: the account state
//! of each shape of key operations (applied, then the view asked for once), re-authorizing a revoked
//! key's whole history (AUTH-6), the digest of n posts, and (audit findings F6, W4) the view asked
//! for before and after every message of a retired root's flood of the genesis and of receipts
//! over old operations. `n log n` grows about 2.2x per step.
//!
//! ```text
//! cargo bench --bench hostile -- hostile_state --warm-up-time 1 --measurement-time 3
//! ```
//!
//! Two more, `hostile_replica` and `hostile_sync` (issues 18 and 21), scale the replica (a social
//! workload in order, one key's chain in reverse, an account whose head changes n / 2 times over
//! n / 2 messages, n messages from the future released by one advance, n notes then n head
//! operations that change no grant (audit finding F7); n = 500 to 4000) and set
//! reconciliation (building the sets and one whole session, 10 % different, interleaved, or every
//! item at one time; 25,000 to 200,000 items) with the shapes of `tests/support/replica_shapes.rs`:
//!
//! ```text
//! cargo bench --bench hostile -- 'hostile_(replica|sync)' --warm-up-time 1 --measurement-time 3
//! ```

use std::error::Error;
use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput};
use skylark::cbor::{self, Map, Value};
use skylark::envelope::{Draft, Kind, SignedMessage};
use skylark::id::AccountId;
use skylark::keys::SecretKey;
use skylark::message::{validate, Authorization, MemoryContext};

/// The smallest size: n = 7 KiB, so 8n (56 KiB) fits the 64 KiB limit with a message around it.
const N: usize = 7 * 1024;
const SIZES: [usize; 4] = [N, 2 * N, 4 * N, 8 * N];

#[path = "../tests/support/shapes.rs"]
mod shapes;

#[path = "../tests/support/account_shapes.rs"]
mod account_shapes;
#[path = "../tests/support/replica_shapes.rs"]
mod replica_shapes;
#[path = "../tests/support/replica_workload.rs"]
mod replica_workload;

use shapes::Shape;

/// One value builder per hostile shape.
fn shapes() -> Vec<Shape> {
    vec![
        ("array_of_small_integers", shapes::array_of_small_integers),
        ("map_of_small_entries", shapes::map_of_small_entries),
        (
            "nested_16_deep_wide",
            shapes::nested_to_the_depth_limit_wide,
        ),
        (
            "text_of_two_byte_characters",
            shapes::text_of_two_byte_characters,
        ),
    ]
}

/// A message of kind `com.example.blob` whose body is a map of about `n` bytes of small entries
/// (an extension kind: any map is a valid body, so validation reads all of it).
fn message(n: usize) -> Result<SignedMessage, Box<dyn Error>> {
    let mut body = Map::new();
    for i in 0..n / 8 {
        body.insert(format!("{i:04x}"), Value::Bytes(vec![1]));
    }
    Ok(Draft::new(
        AccountId::from_bytes([4; 32]),
        Kind::new("com.example.blob")?,
        1_000,
        &body,
    )?
    .sign(&SecretKey::from_seed([3; 32]))?)
}

fn bench(c: &mut Criterion) -> Result<(), Box<dyn Error>> {
    let mut group = c.benchmark_group("hostile");
    group.sample_size(20);
    for (name, shape) in shapes() {
        for n in SIZES {
            let bytes = shape(n).to_bytes();
            group.throughput(Throughput::Bytes(bytes.len() as u64));
            group.bench_with_input(
                BenchmarkId::new(format!("decode_{name}"), n),
                &bytes,
                |b, x| b.iter(|| cbor::decode(black_box(x))),
            );
            group.bench_with_input(
                BenchmarkId::new(format!("check_{name}"), n),
                &bytes,
                |b, x| b.iter(|| cbor::check(black_box(x))),
            );
        }
    }
    let context = MemoryContext::new(1_000, Authorization::Authorized);
    for n in SIZES {
        let m = message(n)?;
        let bytes = m.as_bytes().to_vec();
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_with_input(BenchmarkId::new("from_bytes_message", n), &bytes, |b, x| {
            b.iter(|| SignedMessage::from_bytes(black_box(x)))
        });
        group.bench_with_input(BenchmarkId::new("validate_message", n), &m, |b, m| {
            b.iter(|| validate(black_box(m.clone()), &context))
        });
    }
    group.finish();
    Ok(())
}

/// The state machines over n, 2n, 4n, 8n messages (issue 21).
fn bench_state(c: &mut Criterion) {
    const STATE_SIZES: [usize; 4] = [1000, 2000, 4000, 8000];
    let mut group = c.benchmark_group("hostile_state");
    group.sample_size(10);
    for (name, shape) in account_shapes::operation_shapes() {
        for n in STATE_SIZES {
            let ops = shape(n);
            group.bench_with_input(
                BenchmarkId::new(format!("accounts_{name}"), n),
                &ops,
                |b, ops| b.iter(|| account_shapes::apply_all(black_box(ops))),
            );
        }
    }
    // Audit findings F6 and W4: the view asked for before and after every message, as a replica
    // does, over a retired root's flood of the genesis and over receipts off the head.
    for (name, shape) in account_shapes::view_per_op_shapes() {
        for n in STATE_SIZES {
            let ops = shape(n);
            group.bench_with_input(BenchmarkId::new(name, n), &ops, |b, ops| {
                b.iter(|| account_shapes::ingest_like_a_replica(black_box(ops)))
            });
        }
    }
    for n in STATE_SIZES {
        let (accounts, posts, headers) = account_shapes::revoked_history(n);
        group.bench_with_input(BenchmarkId::new("auth6_reauthorize_all", n), &n, |b, _| {
            // A fresh state each time: the walk is remembered within one state.
            b.iter(|| account_shapes::reauthorize(&accounts.clone(), &posts, &headers))
        });
    }
    for n in STATE_SIZES.map(|n| n * 10) {
        let mut state = skylark::merge::State::new();
        for post in account_shapes::posts(n) {
            state.apply(&post);
        }
        group.bench_with_input(BenchmarkId::new("merge_digest_posts", n), &state, |b, s| {
            b.iter(|| s.digest(0))
        });
    }
    group.finish();
}

/// The replica and set reconciliation over n, 2n, 4n, 8n messages (issues 18 and 21): the shapes
/// of `tests/support/replica_shapes.rs`.
fn bench_replica(c: &mut Criterion) {
    const REPLICA_SIZES: [usize; 4] = [500, 1000, 2000, 4000];
    let mut group = c.benchmark_group("hostile_replica");
    group.sample_size(10);
    for (name, shape, build) in replica_shapes::arrival_shapes() {
        for n in REPLICA_SIZES {
            let arrival = shape(n);
            group.bench_with_input(BenchmarkId::new(name, n), &arrival, |b, a| {
                b.iter(|| build(black_box(a)))
            });
        }
    }
    // Audit 17 finding 5: the thread and mention views of a post whose author piled up n gate and
    // delete pairs on it, and n replies. The index of the gate in force keeps this O(n log n); the
    // old walk over deleted gates was 61 times slower at 8n than at n (tests/growth.rs counts the
    // allocations, which the walk did not change).
    for n in REPLICA_SIZES {
        let messages = replica_shapes::gate_churn_of(n);
        let root = messages[0].id();
        let author = *messages[0].header().account();
        let mut replica =
            skylark::replica::Replica::with_authorization(1 << 40, Authorization::Authorized);
        for m in &messages {
            let _ = replica.ingest(m.as_bytes());
        }
        group.bench_with_input(
            BenchmarkId::new("gate_churn_views", n),
            &replica,
            |b, replica| {
                b.iter(|| {
                    (
                        replica.thread(black_box(&root)),
                        replica.mentions(black_box(&author), None, usize::MAX),
                    )
                })
            },
        );
    }
    // Audit finding F7: n notes, then n operations at the head that change no grant.
    for n in REPLICA_SIZES {
        let messages = account_shapes::notes_then_head_operations(n);
        group.bench_with_input(
            BenchmarkId::new("head_ops_over_notes", n),
            &messages,
            |b, messages| {
                b.iter(|| {
                    let mut replica = skylark::replica::Replica::new(1 << 41);
                    for m in black_box(messages) {
                        let _ = replica.ingest(m.as_bytes());
                    }
                    replica
                })
            },
        );
    }
    group.finish();
    let mut group = c.benchmark_group("hostile_sync");
    group.sample_size(10);
    for shape in replica_shapes::SYNC_SHAPES {
        for n in [25_000u64, 50_000, 100_000, 200_000] {
            group.bench_with_input(BenchmarkId::new(format!("set_{shape}"), n), &n, |b, &n| {
                b.iter(|| replica_shapes::sync_sets(shape, n))
            });
            let (a, other) = replica_shapes::sync_sets(shape, n);
            group.bench_with_input(
                BenchmarkId::new(format!("session_{shape}"), n),
                &(a, other),
                |b, (a, other)| b.iter(|| replica_shapes::session(a, other)),
            );
        }
    }
    group.finish();
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c)?;
    bench_state(&mut c);
    bench_replica(&mut c);
    c.final_summary();
    Ok(())
}
