//! The batch path gives every input exactly the verdict and error code of the single path: every
//! Ed25519 suite vector (CCTV, Wycheproof, speccheck, Skylark's own), every envelope vector and every
//! message vector, as whole files, in random sub-batches and orders with invalid items mixed among
//! valid ones, and with signatures broken at chosen places so that narrowing a failed batch down must
//! find exactly the broken ones.

// A malformed vector file is a test failure: panicking with the vector's id is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use proptest::prelude::*;
use serde_json::Value as Json;
use skylark::batch;
use skylark::envelope::SignedMessage;
use skylark::keys::{self, KeyCache, SecretKey};
use skylark::message::{validate, AuthError, Authorization, MemoryContext, Missing};

#[allow(dead_code)] // TestRng::from_seed_bytes: benches/batch.rs only
#[path = "support/test_rng.rs"]
mod test_rng;
#[path = "support/vectors.rs"]
mod vectors;

use test_rng::TestRng;
use vectors::load;

fn hex(v: &Json) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

/// A signature triple: public key, message, signature.
type Triple = (Vec<u8>, Vec<u8>, Vec<u8>);

fn triples(name: &str) -> Vec<Triple> {
    load(name)
        .iter()
        .map(|v| {
            (
                hex(&v["public_key"]),
                hex(&v["message"]),
                hex(&v["signature"]),
            )
        })
        .collect()
}

const SIGNATURE_FILES: [&str; 4] = [
    "signatures.json",
    "ed25519-cctv.json",
    "ed25519-wycheproof.json",
    "ed25519-speccheck.json",
];

fn all_triples() -> Vec<Triple> {
    SIGNATURE_FILES.iter().flat_map(|f| triples(f)).collect()
}

/// The batch verdicts of `items` equal the single verdicts, item by item; returns how many were
/// valid.
fn batch_equals_single(items: &[Triple], keys: &mut KeyCache, rng: &mut TestRng) -> usize {
    let refs: Vec<(&[u8], &[u8], &[u8])> = items
        .iter()
        .map(|(k, m, s)| (k.as_slice(), m.as_slice(), s.as_slice()))
        .collect();
    let batch = keys::verify_batch(&refs, keys, rng);
    assert_eq!(batch.len(), items.len());
    for (i, ((k, m, s), got)) in refs.iter().zip(&batch).enumerate() {
        assert_eq!(got, &keys::verify(k, m, s), "item {i} of {}", items.len());
    }
    batch.iter().filter(|r| r.is_ok()).count()
}

#[test]
fn every_ed25519_suite_file_as_one_batch() {
    let mut rng = TestRng::new(1);
    // Counts of valid vectors: spec/03-signatures.md §12 (212 of CCTV, 88 of Wycheproof, 4 of
    // speccheck), and the valid ones of Skylark's own file.
    let own_valid = load("signatures.json")
        .iter()
        .filter(|v| v["valid"] == true)
        .count();
    for (file, valid) in [
        ("signatures.json", own_valid),
        ("ed25519-cctv.json", 212),
        ("ed25519-wycheproof.json", 88),
        ("ed25519-speccheck.json", 4),
    ] {
        // A cache that holds every key, and one so small that it evicts all the time.
        for capacity in [10_000, 2] {
            let mut keys = KeyCache::new(capacity);
            assert_eq!(
                batch_equals_single(&triples(file), &mut keys, &mut rng),
                valid,
                "{file}"
            );
            assert!(keys.len() <= capacity);
        }
    }
}

#[test]
fn all_suites_together_in_one_batch_and_in_reverse() {
    let mut items = all_triples();
    let mut rng = TestRng::new(2);
    let mut keys = KeyCache::new(0);
    let valid = batch_equals_single(&items, &mut keys, &mut rng);
    assert!(keys.is_empty());
    items.reverse();
    assert_eq!(batch_equals_single(&items, &mut keys, &mut rng), valid);
}

/// The valid triples of every suite, including the mixed-order keys and small-order `R`s that only
/// a cofactored equation accepts.
fn valid_triples() -> Vec<Triple> {
    all_triples()
        .into_iter()
        .filter(|(k, m, s)| keys::verify(k, m, s).is_ok())
        .collect()
}

/// Breaks the signature equation of a valid triple and nothing else: a different message.
fn broken((k, m, s): &Triple) -> Triple {
    let mut m = m.clone();
    m.push(0x5a);
    (k.clone(), m, s.clone())
}

#[test]
fn narrowing_finds_exactly_the_broken_signatures() {
    let valid = valid_triples();
    assert!(valid.len() >= 300, "{}", valid.len());
    let mut rng = TestRng::new(3);
    let mut keys = KeyCache::new(1_000);
    // Batch sizes around the narrowing thresholds and the 256-item chunk. The expected verdicts are
    // known without the single path: every item is valid unless broken, and a broken one fails only
    // the equation.
    for n in [2, 5, 9, 40, 257] {
        let base: Vec<Triple> = valid.iter().cycle().take(n).cloned().collect();
        let patterns: Vec<Vec<usize>> = if n > 256 {
            vec![vec![], vec![n / 2], vec![255, 256]]
        } else {
            vec![
                vec![],
                vec![0],
                vec![n - 1],
                vec![n / 2],
                (0..n).collect(),
                (0..n).step_by(3).collect(),
                (n / 3..n).collect(),
            ]
        };
        for bad in patterns {
            let mut items = base.clone();
            for &i in &bad {
                items[i] = broken(&items[i]);
            }
            let refs: Vec<(&[u8], &[u8], &[u8])> = items
                .iter()
                .map(|(k, m, s)| (k.as_slice(), m.as_slice(), s.as_slice()))
                .collect();
            let got = keys::verify_batch(&refs, &mut keys, &mut rng);
            let want: Vec<_> = (0..n)
                .map(|i| {
                    if bad.contains(&i) {
                        Err(keys::SignatureError::Mismatch)
                    } else {
                        Ok(())
                    }
                })
                .collect();
            assert_eq!(got, want, "n = {n}, bad = {bad:?}");
        }
    }
    // And a few against the single path itself.
    let mut items: Vec<Triple> = valid.iter().take(12).cloned().collect();
    items[5] = broken(&items[5]);
    assert_eq!(batch_equals_single(&items, &mut keys, &mut rng), 11);
}

#[test]
fn envelope_vectors_as_one_batch() {
    let inputs: Vec<Vec<u8>> = load("envelopes.json")
        .iter()
        .map(|v| hex(&v["input"]))
        .collect();
    let mut rng = TestRng::new(4);
    for capacity in [1_000, 1, 0] {
        let mut keys = KeyCache::new(capacity);
        let results = batch::verify(&inputs, &mut keys, &mut rng);
        assert_eq!(results.len(), inputs.len());
        let mut valid = 0;
        for (input, got) in inputs.iter().zip(&results) {
            assert_eq!(got, &SignedMessage::from_bytes(input));
            assert_eq!(got, &batch::verify_one(input, &mut keys));
            valid += usize::from(got.is_ok());
        }
        assert!(valid > 0 && valid < inputs.len());
    }
}

/// A message vector's context.
fn context_of(v: &Json) -> MemoryContext {
    let context = &v["context"];
    let authorization = match context["authorization"].as_str().unwrap() {
        "authorized" => Authorization::Authorized,
        "unknown" => Authorization::Unknown(Missing::KeyAuthorization),
        code => Authorization::Denied(AuthError::from_code(code).unwrap()),
    };
    let others = match context["others"].as_str() {
        None => Authorization::Denied(AuthError::OutOfScope),
        Some("authorized") => Authorization::Authorized,
        Some(_) => Authorization::Unknown(Missing::KeyAuthorization),
    };
    let mut ctx =
        MemoryContext::new(context["now"].as_u64().unwrap(), authorization).granting(others);
    for known in context["known"].as_array().unwrap() {
        ctx.insert(&SignedMessage::from_bytes(&hex(known)).unwrap());
    }
    ctx
}

#[test]
fn message_vectors_through_batch_verify_and_ingest() {
    let vectors = load("messages.json");
    let inputs: Vec<Vec<u8>> = vectors.iter().map(|v| hex(&v["input"])).collect();
    let mut rng = TestRng::new(5);
    let mut keys = KeyCache::new(1_000);
    // The whole file as one batch of layer 1, then each message validated against its context.
    let verified = batch::verify(&inputs, &mut keys, &mut rng);
    let mut singles = Vec::new();
    for ((v, input), got) in vectors.iter().zip(&inputs).zip(verified) {
        let single = SignedMessage::from_bytes(input);
        assert_eq!(got, single, "{}", v["id"]);
        let context = context_of(v);
        let verdict = validate(single.unwrap(), &context);
        assert_eq!(validate(got.unwrap(), &context), verdict, "{}", v["id"]);
        singles.push(verdict);
    }
    // `ingest`, bytes to verdicts: one batch per distinct context.
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, v) in vectors.iter().enumerate() {
        groups.entry(v["context"].to_string()).or_default().push(i);
    }
    assert!(groups.values().any(|g| g.len() > 1));
    for members in groups.values() {
        let context = context_of(&vectors[members[0]]);
        let batch_inputs: Vec<&[u8]> = members.iter().map(|&i| inputs[i].as_slice()).collect();
        let results = batch::ingest(&batch_inputs, &context, &mut keys, &mut rng);
        for (&i, got) in members.iter().zip(results) {
            assert_eq!(got, Ok(singles[i].clone()), "{}", vectors[i]["id"]);
        }
    }
}

#[test]
fn key_cache_keeps_the_most_recently_used_keys() {
    let keys: Vec<_> = (1..=4u8)
        .map(|i| SecretKey::from_seed([i; 32]).public_key())
        .collect();
    let mut cache = KeyCache::new(2);
    cache.parse(keys[0].as_bytes()).unwrap();
    cache.parse(keys[1].as_bytes()).unwrap();
    cache.parse(keys[0].as_bytes()).unwrap(); // key 0 is now the more recent
    cache.parse(keys[2].as_bytes()).unwrap(); // drops key 1
    assert!(cache.contains(keys[0].as_bytes()));
    assert!(!cache.contains(keys[1].as_bytes()));
    assert!(cache.contains(keys[2].as_bytes()));
    assert_eq!(cache.len(), 2);
    // Every parse, cached or not, equals PublicKey::from_bytes.
    for key in &keys {
        assert_eq!(
            cache.parse(key.as_bytes()),
            keys::PublicKey::from_bytes(key.as_bytes())
        );
        assert_eq!(cache.len(), 2);
    }
    let mut none = KeyCache::new(0);
    assert_eq!(none.parse(keys[3].as_bytes()), Ok(keys[3]));
    assert!(none.is_empty());
}

fn arb_batch(pool: usize) -> impl Strategy<Value = Vec<(usize, bool)>> {
    // Indices into the pool, each maybe with its signature equation broken.
    proptest::collection::vec((0..pool, proptest::bool::weighted(0.1)), 0..24)
}

proptest! {
    // Each case verifies up to 24 signatures twice; a verification takes milliseconds in a debug
    // build.
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn random_sub_batches_of_the_suites_agree(picks in arb_batch(1_200), seed in any::<u64>()) {
        let pool = all_triples();
        let items: Vec<Triple> = picks
            .iter()
            .map(|&(i, breaks)| {
                let item = &pool[i % pool.len()];
                if breaks { broken(item) } else { item.clone() }
            })
            .collect();
        batch_equals_single(&items, &mut KeyCache::new(8), &mut TestRng::new(seed));
    }

    #[test]
    fn random_sub_batches_of_the_envelopes_agree(picks in arb_batch(136), seed in any::<u64>()) {
        let pool: Vec<Vec<u8>> = load("envelopes.json").iter().map(|v| hex(&v["input"])).collect();
        let items: Vec<Vec<u8>> = picks
            .iter()
            .map(|&(i, breaks)| {
                let mut input = pool[i % pool.len()].clone();
                // (The pool holds one empty input, the vector of an empty message: nothing to break.)
                if breaks && !input.is_empty() {
                    // The last byte is the signature's: its S changes (or stops being reduced).
                    let last = input.len() - 1;
                    input[last] ^= 0x01;
                }
                input
            })
            .collect();
        let results = batch::verify(&items, &mut KeyCache::new(4), &mut TestRng::new(seed));
        prop_assert_eq!(results.len(), items.len());
        for (input, got) in items.iter().zip(&results) {
            prop_assert_eq!(got, &SignedMessage::from_bytes(input));
        }
    }
}

/// Every envelope and message vector, and a generated batch of many authors with broken signatures,
/// bad encodings and repeated keys spread over several chunks: the same results on 1, 2 and 3
/// threads, from `verify_threads` and from `verify_each`, and the key cache left holding the same
/// keys.
#[test]
fn threads_give_the_verdicts_of_one_thread() {
    let mut inputs: Vec<Vec<u8>> = ["envelopes.json", "messages.json"]
        .iter()
        .flat_map(|f| load(f).iter().map(|v| hex(&v["input"])).collect::<Vec<_>>())
        .collect();
    let authors: Vec<SecretKey> = (0..40u8).map(|i| SecretKey::from_seed([i; 32])).collect();
    for i in 0..900u64 {
        let key = &authors[(i * 7 % 40) as usize];
        let account = skylark::id::AccountId::from_bytes([(i % 251) as u8; 32]);
        let post = skylark::message::Post::builder()
            .text(format!("post {i}"))
            .build()
            .unwrap();
        let mut bytes = skylark::message::BodyKind::draft(&post, account, 1_000 + i)
            .unwrap()
            .sign(key)
            .unwrap()
            .as_bytes()
            .to_vec();
        match i % 13 {
            // A signature that does not verify (S changes, or stops being reduced).
            3 => *bytes.last_mut().unwrap() ^= 1,
            // A body hash that does not match, or a broken encoding.
            7 => bytes[12] ^= 0x40,
            11 => bytes.truncate(bytes.len() / 2),
            _ => {}
        }
        inputs.push(bytes);
    }
    let mut one_keys = KeyCache::new(16);
    let one = batch::verify_threads(&inputs, &mut one_keys, &mut TestRng::new(1), 1);
    let mut invalid = 0;
    for (input, got) in inputs.iter().zip(&one) {
        assert_eq!(got, &SignedMessage::from_bytes(input));
        invalid += usize::from(got.is_err());
    }
    assert!(invalid > 100 && invalid < inputs.len() - 500, "{invalid}");
    for threads in [2, 3] {
        let mut keys = KeyCache::new(16);
        let got = batch::verify_threads(
            &inputs,
            &mut keys,
            &mut TestRng::new(threads as u64),
            threads,
        );
        assert_eq!(got, one, "{threads} threads");
        same_keys(&keys, &one_keys);
    }
    // Handed on one at a time, in input order, while the other threads verify on.
    for threads in [1, 2, 3] {
        let mut keys = KeyCache::new(16);
        let mut handed = Vec::new();
        batch::verify_each(
            &inputs,
            &mut keys,
            &mut TestRng::new(threads as u64 + 10),
            threads,
            |result| handed.push(result),
        );
        assert_eq!(handed, one, "verify_each on {threads} threads");
        same_keys(&keys, &one_keys);
    }
    // And the default, on however many cores this machine has.
    assert_eq!(
        batch::verify(&inputs, &mut KeyCache::new(16), &mut TestRng::new(9)),
        one
    );
}

/// The cache holds the same of the 40 authors' keys as `expected`.
fn same_keys(keys: &KeyCache, expected: &KeyCache) {
    assert_eq!(keys.len(), expected.len());
    for i in 0..40u8 {
        let bytes = SecretKey::from_seed([i; 32]).public_key();
        assert_eq!(
            keys.contains(bytes.as_bytes()),
            expected.contains(bytes.as_bytes())
        );
    }
}

/// A panic in `take` on the calling thread reaches the caller on two threads too, after the
/// verifying thread, which had run ahead as far as it may and waits for room, has stopped: before
/// the stop was signalled, this call waited for ever.
#[test]
fn a_panic_in_take_stops_the_pipeline() {
    let inputs = vec![vec![0xa0u8]; 20 * 256];
    let mut handed = 0;
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        batch::verify_each(
            &inputs,
            &mut KeyCache::new(16),
            &mut TestRng::new(1),
            2,
            |_| {
                handed += 1;
                assert!(handed < 300, "take stops here");
            },
        )
    }));
    assert!(outcome.is_err());
    assert_eq!(handed, 300);
}
