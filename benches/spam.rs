//! What a spammer can make one node store per account, before and after the storage limits of
//! `spec/07-merge.md` §2.5 (printed, in bytes: a computation, not a timing), and the cost of
//! verifying a proof of work (`spec/05-messages.md` §13) against a bare Ed25519 verification, in one
//! criterion run:
//!
//! ```text
//! cargo bench --bench spam -- --warm-up-time 1 --measurement-time 3
//! ```
//!
//! The table and the ratios are in `benches/README.md`.

use std::error::Error;
use std::hint::black_box;

use criterion::Criterion;
use skylark::cbor::Map;
use skylark::envelope::{Draft, Kind, SignedMessage, MESSAGE_SIGNATURE_CONTEXT};
use skylark::id::{AccountId, MessageId};
use skylark::keys::SecretKey;
use skylark::merge::State;
use skylark::message::{
    validate, Authorization, BodyKind, MemoryContext, Post, React, ValidMessage, Verdict,
};
use skylark::pow;

/// Messages of each flood.
const FLOOD: usize = 10_000;

/// `n` messages made by `make(i)`, signed by key `seed` in its chain (each after the one before) or
/// all at seq 1 (`one_place`), validated, in order.
fn flood(
    seed: u8,
    n: usize,
    one_place: bool,
    make: impl Fn(usize) -> Result<Draft, Box<dyn Error>>,
) -> Result<Vec<ValidMessage>, Box<dyn Error>> {
    let key = SecretKey::from_seed([seed; 32]);
    let mut out = Vec::with_capacity(n);
    let mut previous: Option<SignedMessage> = None;
    for i in 0..n {
        let draft = make(i)?;
        let draft = match (&previous, one_place) {
            (Some(p), false) => draft.after(p),
            _ => draft,
        };
        let m = draft.sign(&key)?;
        let mut context = MemoryContext::new(1 << 40, Authorization::Authorized);
        if let Some(p) = &previous {
            context = context.with(p);
        }
        previous = Some(m.clone());
        match validate(m, &context) {
            Verdict::Valid(v) => out.push(v),
            other => return Err(format!("message {i}: {other:?}").into()),
        }
    }
    Ok(out)
}

/// Prints, per flood, the messages and bytes a node holds before the limits and what it keeps.
fn storage() -> Result<(), Box<dyn Error>> {
    let spammer = AccountId::from_bytes([6; 32]);
    let text = "x".repeat(280);
    let floods: Vec<(&str, Vec<ValidMessage>)> = vec![
        (
            "posts at one (key, seq)",
            flood(10, FLOOD, true, |i| {
                Ok(Post::builder()
                    .text(format!("{text}{i}"))
                    .build()?
                    .draft(spammer, 1_000 + i as u64)?)
            })?,
        ),
        (
            "posts in one chain",
            flood(11, FLOOD, false, |i| {
                Ok(Post::builder()
                    .text(format!("{text}{i}"))
                    .build()?
                    .draft(spammer, 1_000 + i as u64)?)
            })?,
        ),
        (
            "likes in one chain",
            flood(12, FLOOD, false, |i| {
                let target = MessageId::from_bytes(*blake3::hash(&i.to_le_bytes()).as_bytes());
                Ok(React::like(target).draft(spammer, 1_000 + i as u64)?)
            })?,
        ),
    ];
    eprintln!("| flood ({FLOOD} messages) | held before: messages | bytes | kept after: messages | bytes |");
    eprintln!("|---|---:|---:|---:|---:|");
    let mut all = State::new();
    let mut before = 0usize;
    for (name, messages) in &floods {
        let mut state = State::new();
        for m in messages {
            state.apply(m);
            all.apply(m);
        }
        let pruned = state.pruned();
        let bytes: usize = messages.iter().map(|m| m.message().as_bytes().len()).sum();
        let kept: Vec<&ValidMessage> = messages
            .iter()
            .filter(|m| !pruned.contains(&m.message().id()))
            .collect();
        let kept_bytes: usize = kept.iter().map(|m| m.message().as_bytes().len()).sum();
        before += bytes;
        eprintln!(
            "| {name} | {} | {bytes} | {} | {kept_bytes} |",
            messages.len(),
            kept.len()
        );
    }
    let all_pruned = all.pruned();
    let all_kept: usize = floods
        .iter()
        .flat_map(|(_, messages)| messages)
        .filter(|m| !all_pruned.contains(&m.message().id()))
        .map(|m| m.message().as_bytes().len())
        .sum();
    eprintln!(
        "| all three, one account (three keys) | {} | {before} | {} | {all_kept} |",
        4 * FLOOD,
        4 * FLOOD - all_pruned.len()
    );
    Ok(())
}

fn bench(c: &mut Criterion) -> Result<(), Box<dyn Error>> {
    let key = SecretKey::from_seed([1; 32]);
    let account = AccountId::from_bytes([2; 32]);
    let target = 16;
    let post: Map = Post::builder().text("a reply").build()?.to_map();
    let make = |nonce: u64| {
        Draft::new(
            account,
            Kind::new("post")?,
            1_000,
            &pow::with_claim(&post, target, nonce),
        )
    };
    let message = pow::solve(target, 1 << 24, &key.public_key(), make)?
        .ok_or("no nonce")?
        .sign(&key)?;
    assert_eq!(pow::work(&message), target);
    let public = key.public_key();
    let signature = message.signature();
    let mut input = MESSAGE_SIGNATURE_CONTEXT.as_bytes().to_vec();
    input.push(0);
    input.extend_from_slice(message.header_bytes());
    public.verify(&input, &signature)?;

    let mut group = c.benchmark_group("spam");
    group.bench_function("bare_ed25519_verify", |b| {
        b.iter(|| public.verify(black_box(&input), black_box(&signature)))
    });
    group.bench_function("pow_work", |b| b.iter(|| pow::work(black_box(&message))));
    group.bench_function("pow_hash_of_header", |b| {
        b.iter(|| pow::hash(black_box(message.header_bytes())))
    });
    group.finish();
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    storage()?;
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c)?;
    c.final_summary();
    Ok(())
}
