//! Instruction-count probe for the merge benchmark (benches/instructions.sh copies it into each checkout as an example).
//! `probe MODE K` builds the fixture of benches/merge.rs, then runs MODE (verify, apply, digest or none) K times.
use std::error::Error;
use std::hint::black_box;

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

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().collect();
    let mode = args[1].as_str();
    let k: usize = args[2].parse()?;
    let batch = messages(BATCH)?;
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
    for _ in 0..k {
        match mode {
            "verify" => {
                let _ = black_box(
                    VerifyingKey::from_bytes(black_box(&key_bytes)).and_then(|k| {
                        k.verify_strict(black_box(&signing_input), black_box(&signature))
                    }),
                );
            }
            "apply" => {
                let mut s = State::new();
                for m in &batch {
                    s.apply(black_box(m));
                }
                black_box(s);
            }
            "digest" => {
                black_box(black_box(&full).digest(NOW));
            }
            _ => {}
        }
    }
    Ok(())
}
