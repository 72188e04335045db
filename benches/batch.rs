//! What ingesting many messages at once costs (`skylark::batch`), per message, next to a bare
//! Ed25519 verification and to Skylark's own one-at-a-time path; and id hashing.
//!
//! Every benchmark is in one criterion group and runs in one process, so their numbers are
//! comparable with each other (see `benches/README.md`):
//!
//! ```text
//! cargo bench --bench batch -- --warm-up-time 1 --measurement-time 4
//! ```
//!
//! The messages are typical posts (140 characters, `langs: ["en"]`, seq 2), one by each of 256
//! authors, validated against a context that authorizes every key and knows every author's first
//! message. The batch rows process 64 or 256 messages per iteration: divide by the count for the
//! cost per message (`benches/README.md` does).

use std::error::Error;
use std::hint::black_box;

use criterion::{BatchSize, Criterion};
use ed25519_dalek::{Signature as DalekSignature, VerifyingKey};
use skylark::batch;
use skylark::cbor::{Map, Value};
use skylark::envelope::{Draft, Kind, SignedMessage, MESSAGE_SIGNATURE_CONTEXT};
use skylark::id::{body_hash, AccountId, MessageId};
use skylark::keys::{self, KeyCache, SecretKey};
use skylark::message::{validate, Authorization, MemoryContext, Verdict};

const TIME: u64 = 1_764_115_200_000;
const TEXT: &str = "Spent the morning at the harbour watching the fishing boats come in. \
                    The gulls knew before anyone else did. Coffee was dismal, view was not.";

/// The generator the batch path draws its coefficients from: BLAKE3's extendable output, keyed from
/// a seed. A node would use the operating system's generator or a ChaCha20 generator seeded from it;
/// the cost is a few nanoseconds per message either way.
#[allow(dead_code)] // TestRng::new: the tests' constructor
#[path = "../tests/support/test_rng.rs"]
mod test_rng;

use test_rng::TestRng;

struct Fixtures {
    /// One typical post by each of 256 authors.
    posts: Vec<Vec<u8>>,
    /// 256 typical posts by one author (seq 2 to 257): syncing one account's history.
    one_author: Vec<Vec<u8>>,
    context: MemoryContext,
    signing_input: Vec<u8>,
    key_bytes: [u8; 32],
    signature: DalekSignature,
    header: Vec<u8>,
    body: Vec<u8>,
}

fn post_body(text: &str) -> Map {
    let mut body = Map::new();
    body.insert("text", Value::from(text));
    body.insert("langs", Value::Array(vec![Value::from("en")]));
    body
}

fn fixtures() -> Result<Fixtures, Box<dyn Error>> {
    let kind = Kind::new("post")?;
    let mut context = MemoryContext::new(TIME + 3_600_000, Authorization::Authorized);
    let mut posts = Vec::new();
    let mut one_author = Vec::new();
    for author in 0..256u32 {
        let mut seed = [0x5a; 32];
        seed[..4].copy_from_slice(&author.to_le_bytes());
        let key = SecretKey::from_seed(seed);
        let mut account = [0xaa; 32];
        account[..4].copy_from_slice(&author.to_le_bytes());
        let account = AccountId::from_bytes(account);
        let first = Draft::new(account, kind.clone(), TIME, &post_body("hello"))?.sign(&key)?;
        context.insert(&first);
        let post = Draft::new(account, kind.clone(), TIME + 60_000, &post_body(TEXT))?
            .after(&first)
            .sign(&key)?;
        posts.push(post.as_bytes().to_vec());
        if author == 0 {
            let mut previous = post;
            one_author.push(previous.as_bytes().to_vec());
            for i in 1..256u64 {
                let next = Draft::new(account, kind.clone(), TIME + 60_000 + i, &post_body(TEXT))?
                    .after(&previous)
                    .sign(&key)?;
                context.insert(&previous);
                one_author.push(next.as_bytes().to_vec());
                previous = next;
            }
        }
    }
    let first = SignedMessage::from_bytes(&posts[0])?;
    let mut signing_input = MESSAGE_SIGNATURE_CONTEXT.as_bytes().to_vec();
    signing_input.push(0);
    signing_input.extend_from_slice(first.header_bytes());
    Ok(Fixtures {
        signing_input,
        key_bytes: *first.header().key().as_bytes(),
        signature: DalekSignature::from_bytes(&first.signature().to_bytes()),
        header: first.header_bytes().to_vec(),
        body: first.body().unwrap_or_default().to_vec(),
        posts,
        one_author,
        context,
    })
}

fn run(c: &mut Criterion) -> Result<(), Box<dyn Error>> {
    let f = fixtures()?;
    let dalek_key = VerifyingKey::from_bytes(&f.key_bytes).map_err(|e| e.to_string())?;
    let mut rng = TestRng::from_seed_bytes(b"skylark bench batch");
    // Every path must accept, or the timings would measure an early rejection.
    dalek_key
        .verify_strict(&f.signing_input, &f.signature)
        .map_err(|e| e.to_string())?;
    for inputs in [&f.posts, &f.one_author] {
        let results = batch::ingest(inputs, &f.context, &mut KeyCache::new(0), &mut rng);
        if !results.iter().all(|r| matches!(r, Ok(Verdict::Valid(_)))) {
            return Err("a message is not valid".into());
        }
    }
    let triples: Vec<(Vec<u8>, Vec<u8>, Vec<u8>)> = f
        .posts
        .iter()
        .map(|p| {
            let m = SignedMessage::from_bytes(p)?;
            let mut input = MESSAGE_SIGNATURE_CONTEXT.as_bytes().to_vec();
            input.push(0);
            input.extend_from_slice(m.header_bytes());
            Ok((
                m.header().key().as_bytes().to_vec(),
                input,
                m.signature().to_bytes().to_vec(),
            ))
        })
        .collect::<Result<_, skylark::envelope::EnvelopeError>>()?;
    let triple_refs: Vec<(&[u8], &[u8], &[u8])> = triples
        .iter()
        .map(|(k, m, s)| (k.as_slice(), m.as_slice(), s.as_slice()))
        .collect();

    let mut group = c.benchmark_group("batch");
    let post = &f.posts[0];
    group.bench_function("bare_ed25519_verify_strict", |b| {
        b.iter(|| dalek_key.verify_strict(black_box(&f.signing_input), black_box(&f.signature)))
    });
    group.bench_function("bare_ed25519_verify_strict_with_key_decode", |b| {
        b.iter(|| {
            VerifyingKey::from_bytes(black_box(&f.key_bytes)).and_then(|key| {
                key.verify_strict(black_box(&f.signing_input), black_box(&f.signature))
            })
        })
    });
    group.bench_function("single_bytes_to_verdict", |b| {
        b.iter(|| SignedMessage::from_bytes(black_box(post)).map(|m| validate(m, &f.context)))
    });
    let mut warm = KeyCache::new(100_000);
    group.bench_function("single_cached_key_bytes_to_verdict", |b| {
        b.iter(|| batch::verify_one(black_box(post), &mut warm).map(|m| validate(m, &f.context)))
    });
    for n in [64usize, 256] {
        let inputs = &f.posts[..n];
        let mut keys = KeyCache::new(100_000);
        group.bench_function(format!("ingest_{n}_authors"), |b| {
            b.iter(|| batch::ingest(black_box(inputs), &f.context, &mut keys, &mut rng))
        });
    }
    group.bench_function("ingest_256_authors_cold_keys", |b| {
        b.iter_batched(
            || KeyCache::new(0),
            |mut keys| batch::ingest(black_box(&f.posts), &f.context, &mut keys, &mut rng),
            BatchSize::SmallInput,
        )
    });
    let mut keys = KeyCache::new(100_000);
    group.bench_function("verify_256_authors", |b| {
        b.iter(|| batch::verify(black_box(&f.posts), &mut keys, &mut rng))
    });
    // Forged signatures: one, and all 256 (each message's last signature byte flipped, so S
    // changes and only the equation fails). The cost of narrowing a failing batch down.
    for (name, forged) in [("one_forged", 1usize), ("all_forged", 256)] {
        let inputs: Vec<Vec<u8>> = f
            .posts
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let mut p = p.clone();
                if forged == 256 || i == 128 {
                    let last = p.len() - 1;
                    p[last] ^= 0x01;
                }
                p
            })
            .collect();
        let results = batch::verify(&inputs, &mut keys, &mut rng);
        let failed = results.iter().filter(|r| r.is_err()).count();
        if failed != forged {
            return Err(format!("{name}: {failed} failed, not {forged}").into());
        }
        group.bench_function(format!("verify_256_authors_{name}"), |b| {
            b.iter(|| batch::verify(black_box(&inputs), &mut keys, &mut rng))
        });
    }
    group.bench_function("ingest_256_one_author", |b| {
        b.iter(|| batch::ingest(black_box(&f.one_author), &f.context, &mut keys, &mut rng))
    });
    group.bench_function("keys_verify_batch_256", |b| {
        b.iter(|| keys::verify_batch(black_box(&triple_refs), &mut keys, &mut rng))
    });
    group.bench_function("message_id_typical_header", |b| {
        b.iter(|| MessageId::of_header(black_box(&f.header)))
    });
    group.bench_function("body_hash_typical_body", |b| {
        b.iter(|| body_hash(black_box(&f.body)))
    });
    // The baseline again, last: how much the machine's speed drifted during the run.
    group.bench_function("zz_bare_ed25519_verify_strict_again", |b| {
        b.iter(|| dalek_key.verify_strict(black_box(&f.signing_input), black_box(&f.signature)))
    });
    group.finish();
    Ok(())
}

/// What `criterion_group!` and `criterion_main!` expand to, written out: the macros' generated
/// `pub fn` has no documentation, which the crate's `missing_docs = "deny"` rejects.
fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    if let Err(e) = run(&mut criterion) {
        eprintln!("benchmark setup failed: {e}");
        std::process::exit(1);
    }
    criterion.final_summary();
}
