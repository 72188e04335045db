//! Property-based tests of the whole library: the canonical CBOR codec, signed envelopes, the text
//! forms of identifiers, and Ed25519 keys and verification.
//!
//! Every property is bounded (case counts and generated sizes are small) so that the whole file runs
//! in a few seconds in a debug build.

// Helpers outside `#[test]` functions unwrap too: in a test, a panic is a failure report.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use curve25519_dalek::edwards::CompressedEdwardsY;
use ed25519_dalek::{Signer, SigningKey};
mod common;
#[allow(dead_code)] // Inflate: tests/hostile.rs only
#[path = "support/mutation.rs"]
mod mutation;

use common::*;
use mutation::{mutate, Mutation};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use skylark::cbor::{self, DecodeError, Map, Value, MAX_DEPTH, MAX_SIZE};
use skylark::envelope::{
    Draft, Envelope, Kind, SignedMessage, MAX_SAFE_INTEGER, MESSAGE_SIGNATURE_CONTEXT,
};
use skylark::id::{self, AccountId, MessageId, ParseIdError};
use skylark::keys::{self, PublicKey, SecretKey, Signature};

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

/// Byte XORs, inserts and deletes, and truncation (no inflated lengths).
fn arb_mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<usize>(), 1..=255u8).prop_map(|(i, x)| Mutation::Flip(i, x)),
        2 => (any::<usize>(), interesting_byte()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        2 => any::<usize>().prop_map(Mutation::Delete),
        1 => any::<usize>().prop_map(Mutation::Truncate),
    ]
}

/// Byte strings that are mostly not Skylark CBOR: random, biased towards CBOR heads, and valid
/// encodings with a few random edits.
fn arb_cbor_input() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        2 => vec(any::<u8>(), 0..300),
        2 => vec(interesting_byte(), 0..40),
        4 => (arb_value(), vec(arb_mutation(), 1..4)).prop_map(|(v, m)| mutate(v.to_bytes(), &m)),
    ]
}

// The envelope layer does not look inside bodies, but `Draft::new` checks the bodies of core kinds
// (`post`, `follow`, ...), so these properties use kinds whose bodies may be any map.
const KINDS: [&str; 7] = [
    "x-post",
    "follow_v2",
    "a",
    "com.example.poll",
    "app.v2.note-draft_1",
    "x_y-z.0.9",
    // The longest kind: 128 bytes.
    "abcdefghijklmnopqrstuvwxyz0123456789.abcdefghijklmnopqrstuvwxyz0123456789.abcdefghijklmnopqrstuvwxyz0123456789.abcdefghijklmnopq",
];

fn arb_time() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0u64),
        Just(MAX_SAFE_INTEGER),
        0..=MAX_SAFE_INTEGER,
        1_700_000_000_000u64..1_800_000_000_000,
    ]
}

/// A message's place in its key's history: `(seq, prev)`.
fn arb_position() -> impl Strategy<Value = (u64, Option<[u8; 32]>)> {
    prop_oneof![
        Just((1u64, None)),
        (2..=MAX_SAFE_INTEGER, any::<[u8; 32]>()).prop_map(|(s, p)| (s, Some(p))),
        (2u64..30, any::<[u8; 32]>()).prop_map(|(s, p)| (s, Some(p))),
        any::<[u8; 32]>().prop_map(|p| (MAX_SAFE_INTEGER, Some(p))),
    ]
}

/// A small body map.
fn arb_body() -> impl Strategy<Value = Map> {
    let small = arb_leaf().prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..3).prop_map(Value::Array),
            vec((arb_key(), inner), 0..3).prop_map(|e| Value::Map(map_of(e))),
        ]
    });
    vec((arb_key(), small), 0..4).prop_map(map_of)
}

/// Everything needed to sign a message.
#[derive(Debug, Clone)]
struct MessageParams {
    seed: [u8; 32],
    account: [u8; 32],
    kind: &'static str,
    time: u64,
    position: (u64, Option<[u8; 32]>),
    body: Map,
}

fn arb_params() -> impl Strategy<Value = MessageParams> {
    (
        any::<[u8; 32]>(),
        any::<[u8; 32]>(),
        select(&KINDS[..]),
        arb_time(),
        arb_position(),
        arb_body(),
    )
        .prop_map(
            |(seed, account, kind, time, position, body)| MessageParams {
                seed,
                account,
                kind,
                time,
                position,
                body,
            },
        )
}

fn sign(p: &MessageParams) -> SignedMessage {
    let (seq, prev) = p.position;
    Draft::new(
        AccountId::from_bytes(p.account),
        Kind::new(p.kind).unwrap(),
        p.time,
        &p.body,
    )
    .unwrap()
    .at(seq, prev.map(MessageId::from_bytes))
    .unwrap()
    .sign(&SecretKey::from_seed(p.seed))
    .unwrap()
}

fn arb_message() -> impl Strategy<Value = (MessageParams, SignedMessage)> {
    arb_params().prop_map(|p| {
        let msg = sign(&p);
        (p, msg)
    })
}

/// The signing input of a message: context, a zero byte, the header bytes.
fn signing_input(header_bytes: &[u8]) -> Vec<u8> {
    let mut input = MESSAGE_SIGNATURE_CONTEXT.as_bytes().to_vec();
    input.push(0);
    input.extend_from_slice(header_bytes);
    input
}

/// Nests `v` inside `levels` one-element arrays.
fn nest(v: Value, levels: usize) -> Value {
    (0..levels).fold(v, |v, _| Value::Array(vec![v]))
}

/// How deep the containers of a value nest (a scalar has depth 0, `[]` depth 1).
fn container_depth(v: &Value) -> usize {
    match v {
        Value::Array(items) => 1 + items.iter().map(container_depth).max().unwrap_or(0),
        Value::Map(map) => {
            1 + map
                .iter()
                .map(|(_, v)| container_depth(v))
                .max()
                .unwrap_or(0)
        }
        _ => 0,
    }
}

/// Runs both envelope entry points on any input and checks what must hold whatever it is: no
/// panic, `Envelope::decode` accepts only Skylark CBOR, `SignedMessage::from_bytes` is decode then
/// verify, and an accepted message keeps its bytes and has the id of its header bytes. Returns the
/// id of the accepted message, if any.
///
/// A signature is verified (about 10 ms in a debug build) only when the input decodes.
fn envelope_verdict(bytes: &[u8]) -> Result<Option<MessageId>, TestCaseError> {
    let decoded = Envelope::decode(bytes);
    if decoded.is_ok() {
        prop_assert!(
            cbor::check(bytes).is_ok(),
            "Envelope::decode accepted bytes that are not Skylark CBOR: {}",
            hex::encode(bytes)
        );
    }
    let received = SignedMessage::from_bytes(bytes);
    match (&decoded, &received) {
        (Err(a), Err(b)) => prop_assert_eq!(a, b),
        (Ok(e), Ok(m)) => {
            prop_assert_eq!(e.id(), m.id());
            prop_assert_eq!(m.as_bytes(), bytes);
            prop_assert_eq!(m.id(), MessageId::of_header(m.header_bytes()));
            prop_assert!(cbor::check(m.header_bytes()).is_ok());
        }
        (Err(_), Ok(_)) => prop_assert!(false, "from_bytes accepted what decode rejects"),
        (Ok(_), Err(e)) => prop_assert!(
            matches!(e.rule(), "ENV-13" | "ENV-14"),
            "verify failed with {}",
            e.code()
        ),
    }
    Ok(received.ok().map(|m| m.id()))
}

/// Asserts that `bytes` is rejected or is a message other than the one with id `original`.
///
/// `SignedMessage::from_bytes` is `Envelope::decode` then `verify`, and the id is fixed by decoding,
/// so the signature only needs checking when the decoded id is the original one.
fn rejected_or_other(bytes: &[u8], original: MessageId) -> Result<(), TestCaseError> {
    if let Ok(envelope) = Envelope::decode(bytes) {
        prop_assert!(cbor::check(bytes).is_ok());
        if envelope.id() == original {
            prop_assert!(
                envelope.verify().is_err(),
                "changed bytes accepted with the same id: {}",
                hex::encode(bytes)
            );
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 1. Canonical CBOR: values
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_value_round_trips(v in arb_value()) {
        let bytes = v.to_bytes();
        prop_assert_eq!(cbor::decode(&bytes), Ok(v.clone()));
        prop_assert_eq!(cbor::check(&bytes), Ok(()));
        // `encode` appends exactly the bytes of `to_bytes`.
        let mut out = vec![0xff];
        v.encode(&mut out);
        prop_assert_eq!(&out[1..], &bytes[..]);
        // Diagnostic notation is total and deterministic.
        prop_assert_eq!(v.to_string(), cbor::decode(&bytes).unwrap().to_string());
    }

    #[test]
    fn map_contents_do_not_depend_on_insertion_order(
        entries in vec((arb_key(), arb_leaf()), 0..10),
    ) {
        // Last insert wins, so compare on distinct keys.
        let distinct: BTreeMap<String, Value> = entries.into_iter().collect();
        let forward = map_of(distinct.clone().into_iter().collect());
        let backward = map_of(distinct.clone().into_iter().rev().collect());
        prop_assert_eq!(&forward, &backward);
        prop_assert_eq!(forward.to_bytes(), backward.to_bytes());
        prop_assert_eq!(forward.len(), distinct.len());
        // Iteration is in canonical order: shorter keys first, then bytewise.
        let keys: Vec<&str> = forward.iter().map(|(k, _)| k).collect();
        for pair in keys.windows(2) {
            prop_assert!((pair[0].len(), pair[0].as_bytes()) < (pair[1].len(), pair[1].as_bytes()));
        }
        for (k, v) in &distinct {
            prop_assert_eq!(forward.get(k), Some(v));
        }
    }

    #[test]
    fn depth_limit_applies_to_any_value(v in arb_value(), levels in 0usize..16) {
        let nested = nest(v, levels);
        let depth = container_depth(&nested);
        let bytes = nested.to_bytes();
        if depth <= MAX_DEPTH {
            prop_assert_eq!(cbor::decode(&bytes), Ok(nested));
        } else {
            let err = cbor::decode(&bytes).unwrap_err();
            prop_assert_eq!(err.code(), "cbor.depth_exceeded");
            prop_assert_eq!(cbor::check(&bytes), Err(err));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 2. Canonical CBOR: arbitrary and mutated bytes
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn decode_and_check_agree_and_accepted_inputs_are_canonical(input in arb_cbor_input()) {
        let decoded = cbor::decode(&input);
        let checked = cbor::check(&input);
        prop_assert_eq!(decoded.as_ref().map(|_| ()).map_err(|e| *e), checked);
        if let Ok(v) = decoded {
            prop_assert_eq!(v.to_bytes(), input);
        }
    }

    #[test]
    fn values_followed_by_anything_are_trailing_bytes(
        v in arb_value(),
        tail in vec(any::<u8>(), 1..8),
    ) {
        let bytes = v.to_bytes();
        let mut input = bytes.clone();
        input.extend_from_slice(&tail);
        prop_assert_eq!(
            cbor::decode(&input),
            Err(DecodeError::TrailingBytes { offset: bytes.len() })
        );
        prop_assert_eq!(
            cbor::check(&input),
            Err(DecodeError::TrailingBytes { offset: bytes.len() })
        );
    }

    #[test]
    fn every_proper_prefix_is_truncated(v in arb_value()) {
        let bytes = v.to_bytes();
        for len in 0..bytes.len() {
            let err = cbor::decode(&bytes[..len]).unwrap_err();
            prop_assert_eq!(err.code(), "cbor.truncated", "prefix of {} bytes", len);
            prop_assert_eq!(cbor::check(&bytes[..len]), Err(err));
        }
    }
}

#[test]
fn size_limit_is_exact() {
    // A byte string whose encoding is exactly MAX_SIZE bytes: head 0x59 + two length bytes.
    let content = MAX_SIZE - 3;
    let mut input = vec![0x59, (content >> 8) as u8, content as u8];
    input.resize(MAX_SIZE, 0xab);
    assert_eq!(cbor::check(&input), Ok(()));
    assert_eq!(cbor::decode(&input), Ok(Value::Bytes(vec![0xab; content])));
    // One more byte: too large, before anything else (even though it is also a trailing byte).
    input.push(0);
    assert_eq!(
        cbor::decode(&input),
        Err(DecodeError::TooLarge { len: MAX_SIZE + 1 })
    );
    assert_eq!(
        cbor::check(&input),
        Err(DecodeError::TooLarge { len: MAX_SIZE + 1 })
    );
}

// ---------------------------------------------------------------------------------------------
// 3. Envelopes
// ---------------------------------------------------------------------------------------------

proptest! {
    // Cases that verify signatures are fewer: a verification takes about 10 ms in a debug build.
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn signed_messages_round_trip((p, msg) in arb_message()) {
        let received = SignedMessage::from_bytes(msg.as_bytes()).unwrap();
        prop_assert_eq!(received.id(), msg.id());
        prop_assert_eq!(received.as_bytes(), msg.as_bytes());
        prop_assert_eq!(&received, &msg);
        prop_assert_eq!(received.header(), msg.header());

        // The header says what the draft said.
        let header = received.header();
        let key = SecretKey::from_seed(p.seed).public_key();
        prop_assert_eq!(header.key(), &key);
        prop_assert_eq!(header.account(), &AccountId::from_bytes(p.account));
        prop_assert_eq!(header.kind().as_str(), p.kind);
        prop_assert_eq!(header.time(), p.time);
        prop_assert_eq!(header.seq(), p.position.0);
        prop_assert_eq!(header.prev(), p.position.1.map(MessageId::from_bytes));
        let body = p.body.to_bytes();
        prop_assert_eq!(received.body(), Some(&body[..]));
        prop_assert_eq!(received.body_map(), Some(p.body.clone()));
        prop_assert_eq!(header.body_hash(), &id::body_hash(&body));

        // The id and the signature cover exactly the header bytes; an independent Ed25519 verifier
        // agrees with the signature over the documented signing input.
        prop_assert_eq!(received.id(), MessageId::of_header(received.header_bytes()));
        let input = signing_input(received.header_bytes());
        let dalek_key = SigningKey::from_bytes(&p.seed).verifying_key();
        let dalek_sig = ed25519_dalek::Signature::from_bytes(&received.signature().to_bytes());
        prop_assert!(dalek_key.verify_strict(&input, &dalek_sig).is_ok());

        // Decoding alone gives the same message.
        let envelope = Envelope::decode(msg.as_bytes()).unwrap();
        prop_assert_eq!(envelope.id(), msg.id());
        prop_assert_eq!(envelope.header(), msg.header());
        prop_assert_eq!(envelope.body(), msg.body());
    }

    #[test]
    fn stripped_messages_verify_and_keep_their_id((_p, msg) in arb_message()) {
        let stripped = msg.stripped();
        prop_assert!(stripped.is_stripped());
        prop_assert_eq!(stripped.id(), msg.id());
        prop_assert_eq!(stripped.body(), None);
        prop_assert_eq!(stripped.header_bytes(), msg.header_bytes());
        prop_assert_eq!(stripped.signature(), msg.signature());
        prop_assert!(stripped.as_bytes().len() < msg.as_bytes().len());

        let received = SignedMessage::from_bytes(stripped.as_bytes()).unwrap();
        prop_assert_eq!(received.id(), msg.id());
        prop_assert!(received.is_stripped());
        prop_assert_eq!(received.header(), msg.header());
        prop_assert_eq!(received.as_bytes(), stripped.as_bytes());
        // Stripping is idempotent.
        let again = received.stripped();
        prop_assert_eq!(again.as_bytes(), stripped.as_bytes());

        // The remainder is the message map without its "b" entry.
        let Ok(Value::Map(mut full)) = cbor::decode(msg.as_bytes()) else {
            return Err(TestCaseError::fail("message is not a map"));
        };
        prop_assert!(full.remove("b").is_some());
        prop_assert_eq!(full.to_bytes(), stripped.as_bytes());
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn one_changed_byte_is_rejected_or_another_message(
        (_p, msg) in arb_message(),
        position in any::<usize>(),
        xor in 1..=255u8,
        strip in any::<bool>(),
    ) {
        let msg = if strip { msg.stripped() } else { msg };
        let mut bytes = msg.as_bytes().to_vec();
        let i = position % bytes.len();
        bytes[i] ^= xor;
        if let Some(id) = envelope_verdict(&bytes)? {
            prop_assert_ne!(id, msg.id(), "byte {} ^= {:#04x}", i, xor);
        }
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn edited_messages_never_panic(
        (_p, msg) in arb_message(),
        mutations in vec(arb_mutation(), 1..4),
    ) {
        envelope_verdict(&mutate(msg.as_bytes().to_vec(), &mutations))?;
        envelope_verdict(&mutate(msg.stripped().as_bytes().to_vec(), &mutations))?;
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic_the_envelope_decoder(input in arb_cbor_input()) {
        envelope_verdict(&input)?;
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn chained_messages_link(p in arb_params(), time in arb_time()) {
        let p = MessageParams { position: (1, None), ..p };
        let first = sign(&p);
        let key = SecretKey::from_seed(p.seed);
        let second = Draft::new(AccountId::from_bytes(p.account), Kind::new(p.kind).unwrap(), time, &p.body)
            .unwrap()
            .after(&first)
            .sign(&key)
            .unwrap();
        let received = SignedMessage::from_bytes(second.as_bytes()).unwrap();
        prop_assert_eq!(received.header().seq(), 2);
        prop_assert_eq!(received.header().prev(), Some(first.id()));
        prop_assert_ne!(received.id(), first.id());
    }
}

proptest! {
    // Each case tries every byte position of one message and of its remainder.
    #![proptest_config(ProptestConfig::with_cases(3))]

    #[test]
    fn every_single_byte_change_is_rejected_or_another_message(
        (_p, msg) in arb_message(),
        xors in vec(1..=255u8, 64),
    ) {
        for msg in [msg.clone(), msg.stripped()] {
            let original = msg.as_bytes();
            for i in 0..original.len() {
                let mut bytes = original.to_vec();
                let xor = xors[i % xors.len()];
                bytes[i] ^= xor;
                rejected_or_other(&bytes, msg.id())?;
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Identifiers
// ---------------------------------------------------------------------------------------------

const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// Checks the text-form properties of one identifier: it round-trips, every one-character change
/// within the alphabet is rejected or names other bytes, and every upper-cased letter is rejected.
fn check_text_form<T>(
    value: &T,
    prefix: &str,
    length: usize,
    change_at: usize,
    replacement: u8,
) -> Result<(), TestCaseError>
where
    T: std::fmt::Display + std::str::FromStr<Err = ParseIdError> + PartialEq + std::fmt::Debug,
{
    let text = value.to_string();
    prop_assert_eq!(text.len(), prefix.len() + 1 + length);
    prop_assert!(text.starts_with(prefix) && text[prefix.len()..].starts_with('_'));
    prop_assert!(text[prefix.len() + 1..]
        .bytes()
        .all(|c| ALPHABET.contains(&c)));
    prop_assert_eq!(&text.parse::<T>().unwrap(), value);

    // A different character of the alphabet at one position.
    let body = prefix.len() + 1;
    let position = body + change_at % length;
    let mut changed = text.clone().into_bytes();
    let mut c = ALPHABET[usize::from(replacement) % 32];
    if c == changed[position] {
        c = ALPHABET[(usize::from(replacement) + 1) % 32];
    }
    changed[position] = c;
    let changed = String::from_utf8(changed).unwrap();
    match changed.parse::<T>() {
        Ok(other) => prop_assert_ne!(&other, value, "{}", changed),
        // Only the unused bits of the last character can make an otherwise valid form invalid.
        Err(e) => {
            prop_assert_eq!(e, ParseIdError::NonCanonical, "{}", changed);
            prop_assert_eq!(position, text.len() - 1);
        }
    }

    // Upper case is never accepted, at any letter.
    for (i, ch) in text.char_indices().skip(body) {
        if ch.is_ascii_lowercase() {
            let upper = format!(
                "{}{}{}",
                &text[..i],
                ch.to_ascii_uppercase(),
                &text[i + 1..]
            );
            prop_assert_eq!(
                upper.parse::<T>(),
                Err(ParseIdError::InvalidCharacter { position: i - body })
            );
        }
    }
    let upper_prefix = format!("{}{}", prefix.to_ascii_uppercase(), &text[prefix.len()..]);
    prop_assert_eq!(upper_prefix.parse::<T>(), Err(ParseIdError::WrongPrefix));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn message_ids_have_one_text_form(b in any::<[u8; 32]>(), at in any::<usize>(), r in any::<u8>()) {
        check_text_form(&MessageId::from_bytes(b), "msg", 52, at, r)?;
        // The same bytes with another prefix are another kind of identifier.
        let text = MessageId::from_bytes(b).to_string().replacen("msg", "acct", 1);
        prop_assert_eq!(text.parse::<AccountId>(), Ok(AccountId::from_bytes(b)));
        prop_assert_eq!(text.parse::<MessageId>(), Err(ParseIdError::WrongPrefix));
    }

    #[test]
    fn account_ids_have_one_text_form(b in any::<[u8; 32]>(), at in any::<usize>(), r in any::<u8>()) {
        check_text_form(&AccountId::from_bytes(b), "acct", 52, at, r)?;
    }

    #[test]
    fn signatures_have_one_text_form(b in vec(any::<u8>(), 64), at in any::<usize>(), r in any::<u8>()) {
        let mut array = [0u8; 64];
        array.copy_from_slice(&b);
        let sig = Signature::from_bytes(array);
        prop_assert_eq!(sig.to_bytes(), array);
        check_text_form(&sig, "sig", 103, at, r)?;
    }

    #[test]
    fn wrong_lengths_are_rejected(b in any::<[u8; 32]>(), cut in 1usize..52, extra in "[a-z2-7]{1,4}") {
        let text = MessageId::from_bytes(b).to_string();
        prop_assert_eq!(
            text[..text.len() - cut].parse::<MessageId>(),
            Err(ParseIdError::InvalidLength { expected: 52, found: 52 - cut })
        );
        prop_assert_eq!(
            format!("{text}{extra}").parse::<MessageId>(),
            Err(ParseIdError::InvalidLength { expected: 52, found: 52 + extra.len() })
        );
    }

    #[test]
    fn arbitrary_text_never_panics_the_parsers(s in "(msg_|acct_|sig_|pub_)?.{0,110}") {
        let _ = s.parse::<MessageId>();
        let _ = s.parse::<AccountId>();
        let _ = s.parse::<Signature>();
        let _ = s.parse::<PublicKey>();
    }
}

// ---------------------------------------------------------------------------------------------
// 5. Keys and the signature predicate
// ---------------------------------------------------------------------------------------------

/// The canonical encodings of the eight points of small order.
const SMALL_ORDER: [&str; 8] = [
    "0100000000000000000000000000000000000000000000000000000000000000",
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    "0000000000000000000000000000000000000000000000000000000000000000",
    "0000000000000000000000000000000000000000000000000000000000000080",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
];

fn small_order(i: usize) -> [u8; 32] {
    let mut out = [0u8; 32];
    hex::decode_to_slice(SMALL_ORDER[i % 8], &mut out).unwrap();
    out
}

/// 32-byte strings that are likely to matter as public keys: random bytes, honest keys, small-order
/// points, honest keys plus torsion (mixed order), and encodings with y >= p or a set sign bit on
/// x = 0.
fn arb_key_bytes() -> impl Strategy<Value = [u8; 32]> {
    let seed = any::<[u8; 32]>();
    prop_oneof![
        any::<[u8; 32]>(),
        seed.prop_map(|s| SigningKey::from_bytes(&s).verifying_key().to_bytes()),
        (0usize..8).prop_map(small_order),
        (any::<[u8; 32]>(), 1usize..8).prop_map(|(s, i)| {
            let a = SigningKey::from_bytes(&s).verifying_key().to_edwards();
            let t = CompressedEdwardsY(small_order(i)).decompress().unwrap();
            (a + t).compress().to_bytes()
        }),
        // y = p + k for k in 0..19 (non-canonical encodings of y = k), with either sign bit.
        (0u8..19, any::<bool>()).prop_map(|(k, sign)| {
            let mut y = [0xff; 32];
            y[0] = 0xed + k;
            y[31] = if sign { 0xff } else { 0x7f };
            y
        }),
        // Small-order encodings with the sign bit flipped.
        (0usize..8).prop_map(|i| {
            let mut y = small_order(i);
            y[31] ^= 0x80;
            y
        }),
    ]
}

/// SIG-2..4 stated independently: the encoding is the one curve25519-dalek produces for the point
/// it decodes to, and the point does not have small order.
fn model_accepts_key(bytes: &[u8; 32]) -> bool {
    match CompressedEdwardsY(*bytes).decompress() {
        Some(point) => point.compress().to_bytes() == *bytes && !point.is_small_order(),
        None => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn honest_public_keys_are_accepted(seed in any::<[u8; 32]>()) {
        let public = SecretKey::from_seed(seed).public_key();
        prop_assert_eq!(PublicKey::from_bytes(public.as_bytes()), Ok(public));
        prop_assert_eq!(PublicKey::from_slice(public.as_bytes()), Ok(public));
        prop_assert_eq!(public.as_bytes(), &SigningKey::from_bytes(&seed).verifying_key().to_bytes());
        prop_assert_eq!(public.to_string().parse::<PublicKey>(), Ok(public));
    }

    #[test]
    fn public_key_acceptance_matches_the_model(bytes in arb_key_bytes()) {
        let verdict = PublicKey::from_bytes(&bytes);
        prop_assert_eq!(verdict.is_ok(), model_accepts_key(&bytes), "{}", hex::encode(bytes));
        if let Ok(key) = verdict {
            prop_assert_eq!(key.as_bytes(), &bytes);
        }
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn verify_agrees_with_dalek_verify_strict(
        seed in any::<[u8; 32]>(),
        message in vec(any::<u8>(), 0..100),
        bit in 0usize..512,
        message_bit in any::<usize>(),
    ) {
        let signing = SigningKey::from_bytes(&seed);
        let public = signing.verifying_key();
        let sig = signing.sign(&message);
        let sig_bytes = sig.to_bytes();

        // Honest signatures: both accept.
        prop_assert_eq!(keys::verify(public.as_bytes(), &message, &sig_bytes), Ok(()));
        prop_assert!(public.verify_strict(&message, &sig).is_ok());

        // One flipped bit of the signature: both reject.
        let mut flipped = sig_bytes;
        flipped[bit / 8] ^= 1 << (bit % 8);
        let ours = keys::verify(public.as_bytes(), &message, &flipped);
        let theirs = public.verify_strict(&message, &ed25519_dalek::Signature::from_bytes(&flipped));
        prop_assert!(ours.is_err(), "bit {} accepted", bit);
        prop_assert!(theirs.is_err());

        // One flipped bit of the message: both reject.
        if !message.is_empty() {
            let mut changed = message.clone();
            let b = message_bit % (message.len() * 8);
            changed[b / 8] ^= 1 << (b % 8);
            prop_assert_eq!(
                keys::verify(public.as_bytes(), &changed, &sig_bytes).map_err(|e| e.code()),
                Err("sig.mismatch")
            );
            prop_assert!(public.verify_strict(&changed, &sig).is_err());
        }
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn verify_never_panics_on_arbitrary_inputs(
        key in arb_key_bytes(),
        key_len in prop_oneof![Just(32usize), 0usize..40],
        sig in vec(any::<u8>(), 0..70),
        message in vec(any::<u8>(), 0..20),
    ) {
        let key = &key[..key_len.min(32)];
        let verdict = keys::verify(key, &message, &sig);
        // A random signature verifies with negligible probability (and small-order keys are
        // rejected before the signature is looked at).
        prop_assert!(verdict.is_err());
    }
}
