//! What merging costs: applying a valid message to the convergent state, and the state digest, next to
//! a bare Ed25519 verification in one run. Also prints the memory the state holds per message.
//!
//! ```text
//! cargo bench --bench merge -- --warm-up-time 1 --measurement-time 4
//! ```

use std::error::Error;
use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput};
use ed25519_dalek::VerifyingKey;
use skylark::envelope::{SignedMessage, MESSAGE_SIGNATURE_CONTEXT};
use skylark::id::{AccountId, MessageId};
use skylark::keys::SecretKey;
use skylark::merge::State;
use skylark::message::{
    validate, Authorization, BodyKind, Follow, MemoryContext, Post, React, Reply, ValidMessage,
    Verdict,
};

const NOW: u64 = 1_764_115_200_000;
/// Messages per batch in the apply benchmark.
const BATCH: usize = 1_000;

/// A realistic mix from 50 authors: posts and replies, likes, follows.
fn messages(count: usize) -> Result<Vec<ValidMessage>, Box<dyn Error>> {
    let authors: Vec<(AccountId, SecretKey)> = (0..50u8)
        .map(|n| {
            (
                AccountId::from_bytes([n; 32]),
                SecretKey::from_seed([n; 32]),
            )
        })
        .collect();
    let mut last: Vec<Option<SignedMessage>> = vec![None; authors.len()];
    let mut posts: Vec<MessageId> = Vec::new();
    let mut signed = Vec::with_capacity(count);
    for i in 0..count {
        let a = i % authors.len();
        let (account, key) = &authors[a];
        let time = NOW - 1_000_000 + i as u64;
        let draft = match i % 4 {
            0 | 1 if posts.is_empty() || i % 4 == 0 => Post::builder()
                .text(format!("post number {i}"))
                .build()?
                .draft(*account, time)?,
            1 => {
                let parent = posts[i % posts.len()];
                Post::builder()
                    .text(format!("reply {i}"))
                    .reply(Reply::new(posts[0], parent))
                    .build()?
                    .draft(*account, time)?
            }
            2 => React::like(posts[(i * 7) % posts.len().max(1)]).draft(*account, time)?,
            _ => Follow::new(authors[(a + 1 + i % 7) % authors.len()].0).draft(*account, time)?,
        };
        let m = match &last[a] {
            Some(p) => draft.after(p).sign(key)?,
            None => draft.sign(key)?,
        };
        if m.header().kind().as_str() == "post" {
            posts.push(m.id());
        }
        last[a] = Some(m.clone());
        signed.push(m);
    }
    let mut context = MemoryContext::new(NOW, Authorization::Authorized);
    for m in &signed {
        context.insert(m);
    }
    let mut valid = Vec::with_capacity(count);
    for m in signed {
        match validate(m, &context) {
            Verdict::Valid(v) => valid.push(v),
            other => return Err(format!("fixture message not valid: {other:?}").into()),
        }
    }
    Ok(valid)
}

/// Resident memory of this process, in bytes (Linux), to estimate what the state holds per message.
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// The benchmarks, in one group so that their numbers are comparable.
fn merge(c: &mut Criterion) {
    let batch = match messages(BATCH) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("fixtures failed: {e}");
            std::process::exit(1);
        }
    };
    let sample = batch[0].message();
    let mut signing_input = MESSAGE_SIGNATURE_CONTEXT.as_bytes().to_vec();
    signing_input.push(0);
    signing_input.extend_from_slice(sample.header_bytes());
    let key_bytes = *sample.header().key().as_bytes();
    let signature = ed25519_dalek::Signature::from_bytes(&sample.signature().to_bytes());

    let mut full = State::new();
    for m in &batch {
        full.apply(m);
    }

    let mut group = c.benchmark_group("merge");
    group.bench_function("bare_ed25519_verify_strict_with_key_decode", |b| {
        b.iter(|| {
            VerifyingKey::from_bytes(black_box(&key_bytes))
                .and_then(|k| k.verify_strict(black_box(&signing_input), black_box(&signature)))
        })
    });
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("apply_1000_messages", |b| {
        b.iter_batched(
            State::new,
            |mut state| {
                for m in &batch {
                    state.apply(black_box(m));
                }
                state
            },
            BatchSize::SmallInput,
        )
    });
    group.throughput(Throughput::Elements(1));
    group.bench_function("digest_of_1000_messages", |b| {
        b.iter(|| black_box(&full).digest(NOW))
    });
    group.finish();

    // Memory per message held, measured once on a larger state: build one state first so that the
    // memory freed while making the fixtures is reused, then measure a second, identical one.
    if let Ok(big) = messages(20_000) {
        let mut first = State::new();
        for m in &big {
            first.apply(m);
        }
        let before = resident_bytes();
        let mut second = State::new();
        for m in &big {
            second.apply(m);
        }
        if let (Some(before), Some(after)) = (before, resident_bytes()) {
            let grown = after.saturating_sub(before);
            eprintln!(
                "memory: {} messages held, resident grew by {grown} bytes, {} bytes per message",
                second.len(),
                grown / second.len() as u64
            );
        }
        black_box((first, second));
    }
}

/// What `criterion_group!` and `criterion_main!` expand to, written out: the macros' generated
/// `pub fn` has no documentation, which the crate's `missing_docs = "deny"` rejects.
fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    merge(&mut criterion);
    criterion.final_summary();
}
