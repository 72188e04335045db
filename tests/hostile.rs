//! Hostile input through every entry point: the properties the fuzz targets in `fuzz/` check, run
//! here with proptest on bounded budgets so that `cargo test` (and `.ci/run`) stays fast.
//!
//! - Arbitrary bytes, and the valid messages of the test vectors mutated (bit flips, byte inserts
//!   and deletes, truncation, inflated length fields), never make any entry point panic: the CBOR
//!   decoder and checker, envelope decode and verify, validation, the key-state machine and the
//!   reducer.
//! - Every accepted input round-trips: the CBOR value encodes to the input; a decoded envelope is
//!   rebuilt from its parts; a valid message's typed body encodes to its body (without the
//!   namespaced keys, which typed bodies do not hold: 05 §3.2).
//! - Every single-bit flip of every valid message of the vectors (messages.json, envelopes.json,
//!   the messages of accounts.json and merge.json) is rejected or is a message with another id.
//!
//! The fuzz targets run the same checks for minutes; see `fuzz/README.md`.

// A test reports a failure by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "support/mutation.rs"]
mod mutation;
#[path = "support/typed_body.rs"]
mod typed_body;

use std::collections::BTreeSet;

use common::interesting_byte;
use mutation::{mutate, Mutation};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::Value as Json;
use skylark::account::Accounts;
use skylark::cbor::{self, Map, Value};
use skylark::envelope::{Envelope, SignedMessage};
use skylark::id::MessageId;
use skylark::merge::State;
use skylark::message::{validate, Authorization, Body, Context, MemoryContext, Verdict};
use typed_body::typed_body_bytes;

// ---------------------------------------------------------------------------------------------
// The valid messages of the vectors
// ---------------------------------------------------------------------------------------------

const MESSAGES: &str = include_str!("../test-vectors/messages.json");
const ENVELOPES: &str = include_str!("../test-vectors/envelopes.json");
const ACCOUNTS: &str = include_str!("../test-vectors/accounts.json");
const MERGE: &str = include_str!("../test-vectors/merge.json");

/// Every hex string found under the keys that hold messages (`input`, `message`,
/// `account_operations`, `known`, `messages`), in the file's order.
fn message_hex(json: &Json, out: &mut Vec<String>) {
    match json {
        Json::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("input" | "message", Json::String(s)) => out.push(s.clone()),
                    ("account_operations" | "known" | "messages", Json::Array(items)) => {
                        for item in items {
                            match item {
                                Json::String(s) => out.push(s.clone()),
                                other => message_hex(other, out),
                            }
                        }
                    }
                    (_, other) => message_hex(other, out),
                }
            }
        }
        Json::Array(items) => items.iter().for_each(|i| message_hex(i, out)),
        _ => {}
    }
}

/// The distinct messages of one vector file that pass layer 1 (decode and verify).
fn valid_messages(file: &str) -> Vec<SignedMessage> {
    let json: Json = serde_json::from_str(file).unwrap();
    let mut hex_strings = Vec::new();
    message_hex(&json["vectors"], &mut hex_strings);
    let mut seen = BTreeSet::new();
    hex_strings
        .into_iter()
        .filter_map(|h| hex::decode(h).ok())
        .filter(|b| seen.insert(b.clone()))
        .filter_map(|b| SignedMessage::from_bytes(&b).ok())
        .collect()
}

fn all_valid_messages() -> &'static [SignedMessage] {
    static ALL: std::sync::OnceLock<Vec<SignedMessage>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        let mut seen = BTreeSet::new();
        [MESSAGES, ENVELOPES, ACCOUNTS, MERGE]
            .iter()
            .flat_map(|f| valid_messages(f))
            .filter(|m| seen.insert(m.as_bytes().to_vec()))
            .collect()
    })
}

// ---------------------------------------------------------------------------------------------
// Every entry point, and what must hold whatever the input
// ---------------------------------------------------------------------------------------------

/// `v` without its namespaced (dotted) keys, at every level.
fn without_namespaced(v: &Value) -> Value {
    match v {
        Value::Array(items) => Value::Array(items.iter().map(without_namespaced).collect()),
        Value::Map(map) => {
            let mut out = Map::new();
            for (k, v) in map.iter().filter(|(k, _)| !k.contains('.')) {
                out.insert(k, without_namespaced(v));
            }
            Value::Map(out)
        }
        other => other.clone(),
    }
}

/// The CBOR entry points: `decode` and `check` agree, and an accepted input round-trips.
fn cbor_entry(bytes: &[u8]) -> Result<Option<Value>, TestCaseError> {
    let decoded = cbor::decode(bytes);
    prop_assert_eq!(
        decoded.as_ref().map(|_| ()).map_err(|e| *e),
        cbor::check(bytes)
    );
    if let Ok(v) = &decoded {
        prop_assert_eq!(&v.to_bytes(), bytes, "accepted but not round-tripped");
    }
    Ok(decoded.ok())
}

/// Every entry point on `bytes`. The signature is verified (the expensive step) only when the
/// envelope decodes. Returns the message if it passes layer 1.
fn every_entry_point(bytes: &[u8]) -> Result<Option<SignedMessage>, TestCaseError> {
    cbor_entry(bytes)?;
    let Ok(envelope) = Envelope::decode(bytes) else {
        prop_assert!(SignedMessage::from_bytes(bytes).is_err());
        return Ok(None);
    };
    // What decodes is a canonical map whose parts are canonical, rebuilt from them byte for byte.
    let Some(Value::Map(parts)) = cbor_entry(bytes)? else {
        return Err(TestCaseError::fail("a decoded envelope is not a map"));
    };
    let Some(Value::Bytes(header)) = parts.get("h") else {
        return Err(TestCaseError::fail("no header"));
    };
    prop_assert_eq!(MessageId::of_header(header), envelope.id());
    prop_assert!(cbor_entry(header)?.is_some());
    if let Some(body) = envelope.body() {
        prop_assert!(matches!(cbor_entry(body)?, Some(Value::Map(_))));
    }
    let mut rebuilt = Map::new();
    for (k, v) in parts.iter() {
        rebuilt.insert(k, v.clone());
    }
    prop_assert_eq!(&Value::Map(rebuilt).to_bytes(), bytes);

    let Ok(message) = envelope.verify() else {
        return Ok(None);
    };
    prop_assert_eq!(message.as_bytes(), bytes);
    // Validation with a context that authorizes the key, at the message's own time.
    let context = MemoryContext::new(message.header().time(), Authorization::Authorized);
    for m in [message.clone(), message.stripped()] {
        if let Verdict::Valid(valid) = validate(m.clone(), &context) {
            match (valid.body(), m.body()) {
                (Body::Withheld, None) => {}
                (body, Some(bytes)) => {
                    let expected = match body {
                        Body::Operation(_) | Body::Unknown(_) => cbor::decode(bytes).unwrap(),
                        _ => without_namespaced(&cbor::decode(bytes).unwrap()),
                    };
                    prop_assert_eq!(typed_body_bytes(body), Some(expected.to_bytes()));
                }
                (body, None) => prop_assert!(false, "a remainder with body {:?}", body),
            }
            let mut state = State::new();
            state.apply(&valid);
            state.apply(&valid);
            prop_assert!(cbor_entry(&state.summary(context.now()).to_bytes())?.is_some());
        }
    }
    let mut accounts = Accounts::new();
    let first = accounts.apply(&message);
    // Applying again changes nothing: the same answer, or "duplicate" once accepted.
    let second = accounts.apply(&message);
    if first.is_err() {
        prop_assert_eq!(first, second);
    }
    Ok(Some(message))
}

// ---------------------------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------------------------

/// Bit flips, byte inserts and deletes, truncation, and inflated length fields.
fn arb_mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), 0..8u8).prop_map(|(i, b)| Mutation::Flip(i, 1 << b)),
        2 => (any::<usize>(), interesting_byte()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        2 => any::<usize>().prop_map(Mutation::Delete),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        2 => (any::<usize>(), select(&[1u64 << 32, 1 << 60, u64::MAX][..]))
            .prop_map(|(i, n)| Mutation::Inflate(i, n)),
    ]
}

fn arb_valid_message() -> impl Strategy<Value = SignedMessage> {
    select(all_valid_messages())
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// Arbitrary bytes, and bytes made of head-relevant values.
    #[test]
    fn arbitrary_bytes_never_panic_and_accepted_inputs_round_trip(
        input in prop_oneof![vec(any::<u8>(), 0..600), vec(interesting_byte(), 0..80)],
    ) {
        every_entry_point(&input)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The valid messages of the vectors (and their remainders) with one to four mutations: never a
    /// panic; whatever is accepted round-trips; what is accepted with the original id is the
    /// original (only a message's own bytes carry its id and verify).
    #[test]
    fn mutated_vectors_never_panic_and_accepted_inputs_round_trip(
        message in arb_valid_message(),
        stripped in any::<bool>(),
        mutations in vec(arb_mutation(), 1..5),
    ) {
        let message = if stripped { message.stripped() } else { message };
        let input = mutate(message.as_bytes().to_vec(), &mutations);
        if let Some(accepted) = every_entry_point(&input)? {
            if accepted.id() == message.id() {
                prop_assert_eq!(accepted.header_bytes(), message.header_bytes());
                prop_assert_eq!(accepted.signature(), message.signature());
                prop_assert!(accepted.body().is_none() || accepted.body() == message.body());
            }
        }
    }

    /// Every accepted mutation of a valid message, fed to the key-state machine and the reducer
    /// together with the original messages, gives the same state in two orders.
    #[test]
    fn mutated_histories_merge_to_the_same_state_in_any_order(
        picks in vec((arb_valid_message(), vec(arb_mutation(), 0..2)), 1..12),
    ) {
        let messages: Vec<SignedMessage> = picks
            .iter()
            .filter_map(|(m, mutations)| SignedMessage::from_bytes(&mutate(m.as_bytes().to_vec(), mutations)).ok())
            .collect();
        let now = messages.iter().map(|m| m.header().time()).max().unwrap_or(0);
        let mut context = MemoryContext::new(now, Authorization::Authorized);
        for m in &messages {
            context.insert(m);
        }
        let valid: Vec<_> = messages
            .iter()
            .filter_map(|m| match validate(m.clone(), &context) {
                Verdict::Valid(v) => Some(v),
                _ => None,
            })
            .collect();
        let (mut forward, mut backward) = (State::new(), State::new());
        valid.iter().for_each(|v| forward.apply(v));
        valid.iter().rev().for_each(|v| backward.apply(v));
        prop_assert_eq!(forward.digest(now), backward.digest(now));
        let (mut forward, mut backward) = (Accounts::new(), Accounts::new());
        for m in &messages {
            let _ = forward.apply(m);
        }
        for m in messages.iter().rev() {
            let _ = backward.apply(m);
        }
        for m in &messages {
            let account = m.header().account();
            let fingerprint = |a: &Accounts| a.account(account).map(|v| format!(
                "{} {:?} {:?} {:?}", v.head(), v.roots(), v.contested(), v.apps().map(|(k, g)| (*k, g.revocation())).collect::<Vec<_>>()
            ));
            prop_assert_eq!(fingerprint(&forward), fingerprint(&backward));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Every single-bit flip of every valid message
// ---------------------------------------------------------------------------------------------

/// Which bits of each byte to flip.
#[derive(Clone, Copy)]
enum Bits {
    /// All eight.
    All,
    /// One, rotating with the byte's position and a per-message offset: every bit position of
    /// every byte is met across eight messages.
    One(usize),
}

/// Flips bits of `message` in turn and checks that the result is rejected or has another id. The
/// id is fixed by decoding (the hash of the header bytes as received), so the signature is
/// verified only for flips that decode with the original id: flips in the body (rejected by the
/// body hash, cheaply) and in the signature (rejected by verification, about 35 µs each). Returns
/// (flips, verifications).
fn bit_flips(message: &SignedMessage, bits: Bits) -> (usize, usize) {
    let (mut flips, mut verified) = (0, 0);
    let mut bytes = message.as_bytes().to_vec();
    for i in 0..bytes.len() {
        let chosen = match bits {
            Bits::All => 0..8,
            Bits::One(offset) => {
                let b = (i + offset) % 8;
                b..b + 1
            }
        };
        for bit in chosen {
            bytes[i] ^= 1 << bit;
            flips += 1;
            if let Ok(envelope) = Envelope::decode(&bytes) {
                if envelope.id() == message.id() {
                    let had_body = envelope.body().is_some();
                    match envelope.verify() {
                        Err(e) if e.code() == "env.body_hash_mismatch" => {}
                        Err(_) => verified += 1,
                        Ok(_) => panic!(
                            "bit {bit} of byte {i} flipped, accepted with the same id (body: {had_body}): {}",
                            hex::encode(&bytes)
                        ),
                    }
                }
            }
            bytes[i] ^= 1 << bit;
        }
    }
    (flips, verified)
}

/// Checks the flips of every valid message of a vector file and that exactly the signature flips
/// needed a verification (every other flip is rejected by decoding or the body hash, or changes
/// the id). Returns (messages, flips).
fn flips_of(file: &str, bits: impl Fn(usize) -> Bits) -> (usize, usize) {
    let messages = valid_messages(file);
    let mut total = 0;
    for (index, m) in messages.iter().enumerate() {
        let mode = bits(index);
        let (flips, verified) = bit_flips(m, mode);
        let signature_flips = match mode {
            Bits::All => 512,
            Bits::One(_) => 64,
        };
        assert_eq!(verified, signature_flips, "{}", hex::encode(m.as_bytes()));
        total += flips;
    }
    (messages.len(), total)
}

/// The envelope vectors, whole and stripped: every bit of every byte, except in the 64 KiB
/// message, where one bit of every byte is flipped (all of them would hash its 64 KiB body half a
/// million times).
#[test]
fn every_bit_flip_of_every_envelope_vector_is_rejected_or_another_message() {
    let messages = valid_messages(ENVELOPES);
    assert!(messages.len() >= 10);
    for (index, m) in messages.iter().enumerate() {
        for m in [m.clone(), m.stripped()] {
            let len = m.as_bytes().len();
            if len <= 4096 {
                assert_eq!(bit_flips(&m, Bits::All), (8 * len, 512));
            } else {
                assert_eq!(bit_flips(&m, Bits::One(index)), (len, 64));
            }
        }
    }
}

// The other vector files hold about 1,500 distinct messages of about 300 bytes: flipping all
// 2,400 bits of each takes minutes in a debug build (a decode costs about 14 µs, a verification
// 35 µs). The bounded tests below flip one bit of every byte of every message, the bit rotating
// from message to message, so every bit position of every byte is covered across messages;
// `every_bit_flip_of_every_vector_message_exhaustively` (ignored; run it with `--release
// --ignored`) flips all of them.

#[test]
fn a_bit_of_every_byte_of_every_message_vector_is_rejected_or_another_message() {
    let (messages, _) = flips_of(MESSAGES, Bits::One);
    assert!(messages >= 700);
}

#[test]
fn a_bit_of_every_byte_of_every_accounts_vector_message_is_rejected_or_another_message() {
    let (messages, _) = flips_of(ACCOUNTS, Bits::One);
    assert!(messages >= 500);
}

#[test]
fn a_bit_of_every_byte_of_every_merge_vector_message_is_rejected_or_another_message() {
    let (messages, _) = flips_of(MERGE, Bits::One);
    assert!(messages >= 300);
}

/// Every bit of every byte of every valid message of messages.json, accounts.json and merge.json,
/// whole and stripped. About a minute in a release build.
#[test]
#[ignore = "minutes in a debug build; run with cargo test --release --test hostile -- --ignored"]
fn every_bit_flip_of_every_vector_message_exhaustively() {
    let mut seen = BTreeSet::new();
    let (mut messages, mut flips) = (0, 0);
    for file in [MESSAGES, ACCOUNTS, MERGE] {
        for m in valid_messages(file) {
            for m in [m.clone(), m.stripped()] {
                if seen.insert(m.as_bytes().to_vec()) {
                    let (f, verified) = bit_flips(&m, Bits::All);
                    assert_eq!(verified, 512);
                    messages += 1;
                    flips += f;
                }
            }
        }
    }
    println!("{messages} messages, {flips} single-bit flips, each rejected or another message");
}
