//! Sealed direct messages (spec 08): round trips for arbitrary messages and recipient sets, every
//! single-byte change fails to open, and one case per error code.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use skylark::cbor::{Map, Value};
use skylark::dm::{
    open, seal_all, seal_deterministic, DmBody, DmError, EncryptionPublic, EncryptionSecret,
    Prekey, BUCKETS, HEADER_LEN, MAX_INNER, MAX_RECIPIENTS,
};
use skylark::envelope::{Draft, Kind, SignedMessage};
use skylark::id::AccountId;
use skylark::keys::SecretKey;

/// A deterministic generator for `seal` (the vectors use `seal_deterministic`).
#[allow(dead_code)] // TestRng::from_seed_bytes: benches/batch.rs only
#[path = "support/test_rng.rs"]
mod test_rng;

use test_rng::TestRng;

const NOW: u64 = 1_764_115_200_000;

fn acct(n: u8) -> AccountId {
    AccountId::from_bytes([n; 32])
}

fn secret(n: u8) -> EncryptionSecret {
    EncryptionSecret::from_bytes([n; 32])
}

fn app() -> SecretKey {
    SecretKey::from_seed([1; 32])
}

fn dm_to(to: &[AccountId], text: &str) -> SignedMessage {
    DmBody::new(to, text)
        .unwrap()
        .draft(acct(0xaa), NOW)
        .unwrap()
        .sign(&app())
        .unwrap()
}

/// A signed message of `kind` with an arbitrary body map, by account 0xaa.
fn signed(kind: &str, body: &Map) -> SignedMessage {
    Draft::new(acct(0xaa), Kind::new(kind).unwrap(), NOW, body)
        .unwrap()
        .sign(&app())
        .unwrap()
}

/// A sealed message with arbitrary padded plaintext, made the way the spec says (for the padding
/// and inner-message cases that `seal` refuses to produce).
fn seal_raw(plaintext: &[u8], recipient: &EncryptionPublic, ephemeral: [u8; 32]) -> Vec<u8> {
    use chacha_like::seal_plaintext;
    seal_plaintext(plaintext, recipient, ephemeral)
}

/// An independent re-statement of spec 08 §5 over a given plaintext, with the same primitives.
mod chacha_like {
    use super::*;
    use curve25519_dalek::montgomery::MontgomeryPoint;

    pub fn seal_plaintext(plaintext: &[u8], r: &EncryptionPublic, e: [u8; 32]) -> Vec<u8> {
        let e_pub = MontgomeryPoint::mul_base_clamped(e).to_bytes();
        let shared = MontgomeryPoint(*r.as_bytes()).mul_clamped(e).to_bytes();
        encrypt(plaintext, r, e_pub, shared)
    }

    pub fn encrypt(
        plaintext: &[u8],
        r: &EncryptionPublic,
        e_pub: [u8; 32],
        shared: [u8; 32],
    ) -> Vec<u8> {
        use chacha20poly1305::aead::{AeadInPlace, KeyInit};
        let mut ikm = shared.to_vec();
        ikm.extend_from_slice(&e_pub);
        ikm.extend_from_slice(r.as_bytes());
        let key = blake3::derive_key("skylark v1 dm key", &ikm);
        let nonce = blake3::derive_key("skylark v1 dm nonce", &ikm);
        let mut out = vec![1u8];
        out.extend_from_slice(&r.mailbox_tag());
        out.extend_from_slice(&e_pub);
        let mut buf = plaintext.to_vec();
        let cipher = chacha20poly1305::XChaCha20Poly1305::new(&key.into());
        let tag = cipher
            .encrypt_in_place_detached(
                chacha20poly1305::XNonce::from_slice(&nonce[..24]),
                &out,
                &mut buf,
            )
            .unwrap();
        out.extend_from_slice(&buf);
        out.extend_from_slice(&tag);
        out
    }
}

fn padded(inner: &[u8], bucket: usize) -> Vec<u8> {
    let mut p = (inner.len() as u32).to_be_bytes().to_vec();
    p.extend_from_slice(inner);
    p.resize(bucket, 0);
    p
}

#[test]
fn seal_matches_the_restatement_and_opens() {
    let inner = dm_to(&[acct(0xbb)], "hello");
    let r = secret(5).public_key();
    let sealed = seal_deterministic(&inner, &r, &[9; 32]).unwrap();
    assert_eq!(
        sealed.as_bytes(),
        seal_raw(&padded(inner.as_bytes(), 512), &r, [9; 32])
    );
    let opened = open(sealed.as_bytes(), &acct(0xbb), &[secret(5)], |_| false).unwrap();
    assert_eq!(opened.message(), &inner);
    // The author opens its own copy (sent to its other devices).
    let own = seal_deterministic(&inner, &secret(6).public_key(), &[9; 32]).unwrap();
    assert!(open(own.as_bytes(), &acct(0xaa), &[secret(6)], |_| false).is_ok());
}

#[test]
fn sizes_are_the_buckets() {
    let r = secret(5).public_key();
    for (text_len, bucket) in [
        (0, 512),
        (600, 2048),
        (5000, 8192),
        (20_000, 32768),
        (40_000, 65536),
    ] {
        let inner = dm_to(&[acct(0xbb)], &"x".repeat(text_len));
        let sealed = seal_deterministic(&inner, &r, &[9; 32]).unwrap();
        assert_eq!(
            sealed.as_bytes().len(),
            HEADER_LEN + bucket + 16,
            "text {text_len}"
        );
    }
    // Exactly at the edge of a bucket: inner + 4 = 512 fits, 513 does not.
    let len_with = |n: usize| dm_to(&[acct(0xbb)], &"x".repeat(n)).as_bytes().len();
    let edge = (0..600).find(|&n| len_with(n) == 508).unwrap();
    assert_eq!(len_with(edge + 1), 509);
    for (extra, bucket) in [(edge, 512), (edge + 1, 2048)] {
        let inner = dm_to(&[acct(0xbb)], &"x".repeat(extra));
        let sealed = seal_deterministic(&inner, &r, &[9; 32]).unwrap();
        assert_eq!(sealed.as_bytes().len() - HEADER_LEN - 16, bucket);
    }
}

#[test]
fn every_error_code() {
    let bob = acct(0xbb);
    let r = secret(5).public_key();
    let keys = [secret(5)];
    let inner = dm_to(&[bob], "hi");
    let good = seal_deterministic(&inner, &r, &[9; 32])
        .unwrap()
        .into_bytes();
    let code = |bytes: &[u8]| open(bytes, &bob, &keys, |_| false).unwrap_err().code();

    assert_eq!(code(&[]), "dm.malformed");
    assert_eq!(code(&good[..good.len() - 1]), "dm.malformed");
    let mut v2 = good.clone();
    v2[0] = 2;
    assert_eq!(code(&v2), "dm.unsupported_version");
    assert_eq!(
        open(&good, &bob, &[secret(6)], |_| false)
            .unwrap_err()
            .code(),
        "dm.unknown_key"
    );
    // A small-order ephemeral key (the point 0) with a ciphertext made under the all-zero secret.
    let weak = chacha_like::encrypt(&padded(inner.as_bytes(), 512), &r, [0; 32], [0; 32]);
    assert_eq!(code(&weak), "dm.weak_key");
    let mut flipped = good.clone();
    flipped[HEADER_LEN + 10] ^= 1;
    assert_eq!(code(&flipped), "dm.tampered");
    // Padding: a length too long, a non-zero padding byte, a bucket larger than needed.
    let mut long = padded(inner.as_bytes(), 512);
    long[3] = 0xff;
    assert_eq!(code(&seal_raw(&long, &r, [9; 32])), "dm.padding");
    let mut dirty = padded(inner.as_bytes(), 512);
    dirty[511] = 1;
    assert_eq!(code(&seal_raw(&dirty, &r, [9; 32])), "dm.padding");
    assert_eq!(
        code(&seal_raw(&padded(inner.as_bytes(), 2048), &r, [9; 32])),
        "dm.padding"
    );
    // Inner message: a bad signature, then a non-dm kind, a bad body.
    let mut forged = inner.as_bytes().to_vec();
    let n = forged.len();
    forged[n - 1] ^= 1;
    assert_eq!(
        code(&seal_raw(&padded(&forged, 512), &r, [9; 32])),
        "dm.inner_signature"
    );
    let post = signed("post", &{
        let mut m = Map::new();
        m.insert("text", Value::from("hi"));
        m
    });
    assert_eq!(
        code(&seal_raw(&padded(post.as_bytes(), 512), &r, [9; 32])),
        "dm.inner_body"
    );
    // Wrong recipient and replay.
    assert_eq!(
        open(&good, &acct(0xcc), &keys, |_| false)
            .unwrap_err()
            .code(),
        "dm.wrong_recipient"
    );
    let id = inner.id();
    assert_eq!(
        open(&good, &bob, &keys, |x| *x == id).unwrap_err().code(),
        "dm.replay"
    );
    // Sealing: a small-order recipient key; a message too large.
    assert_eq!(
        seal_deterministic(&inner, &EncryptionPublic::from_bytes([0; 32]), &[9; 32]).unwrap_err(),
        DmError::WeakKey
    );
    // The largest messages (65533 to 65536 bytes) do not fit with their length prefix.
    let dm_of_len = |n: usize| {
        let mut m = Map::new();
        m.insert("to", Value::Array(vec![Value::from(&bob.as_bytes()[..])]));
        m.insert("text", Value::from("x".repeat(n)));
        Draft::new(acct(0xaa), Kind::new("dm").unwrap(), NOW, &m)
            .ok()?
            .sign(&app())
            .ok()
    };
    let near = (65_000..65_536)
        .filter_map(dm_of_len)
        .find(|m| m.as_bytes().len() == MAX_INNER + 1)
        .unwrap();
    let fits = (65_000..65_536)
        .filter_map(dm_of_len)
        .find(|m| m.as_bytes().len() == MAX_INNER)
        .unwrap();
    assert_eq!(
        seal_deterministic(&fits, &r, &[9; 32])
            .unwrap()
            .as_bytes()
            .len(),
        HEADER_LEN + 65536 + 16
    );
    assert!(near.as_bytes().len() > MAX_INNER);
    assert_eq!(
        seal_deterministic(&near, &r, &[9; 32]).unwrap_err().code(),
        "dm.too_large"
    );
}

#[test]
fn dm_body_rules() {
    let body = |to: Vec<Value>, extra: Option<(&str, Value)>| {
        let mut m = Map::new();
        m.insert("to", Value::Array(to));
        m.insert("text", Value::from("hi"));
        if let Some((k, v)) = extra {
            m.insert(k, v);
        }
        m
    };
    let a = |n: u8| Value::from(&[n; 32][..]);
    let r = secret(5).public_key();
    let sealed_code = |m: &Map| {
        let msg = signed("dm", m);
        seal_deterministic(&msg, &r, &[9; 32])
            .err()
            .map(|e| e.code())
    };
    assert_eq!(sealed_code(&body(vec![a(1), a(2)], None)), None);
    assert_eq!(
        sealed_code(&body(
            vec![a(1), a(2)],
            Some(("com.example.x", Value::from(1u64)))
        )),
        None
    );
    assert_eq!(sealed_code(&body(vec![], None)), Some("dm.inner_body"));
    assert_eq!(
        sealed_code(&body(vec![a(2), a(1)], None)),
        Some("dm.inner_body")
    );
    assert_eq!(
        sealed_code(&body(vec![a(1), a(1)], None)),
        Some("dm.inner_body")
    );
    assert_eq!(
        sealed_code(&body(vec![Value::from(&[1u8; 31][..])], None)),
        Some("dm.inner_body")
    );
    assert_eq!(
        sealed_code(&body((1..=9).map(a).collect(), None)),
        Some("dm.inner_body")
    );
    assert_eq!(sealed_code(&body((1..=8).map(a).collect(), None)), None);
    assert_eq!(
        sealed_code(&body(vec![a(1)], Some(("x", Value::from(1u64))))),
        Some("dm.inner_body")
    );
    // A stripped dm cannot be sealed.
    let full = signed("dm", &body(vec![a(1)], None));
    assert_eq!(
        seal_deterministic(&full.stripped(), &r, &[9; 32])
            .unwrap_err()
            .code(),
        "dm.inner_body"
    );
}

#[test]
fn prekey_rules() {
    let key = secret(4).public_key();
    let day = 86_400_000;
    let make = |time: u64, expires: u64| {
        Prekey::draft(acct(1), &key, time, expires)
            .unwrap()
            .sign(&app())
            .unwrap()
    };
    assert!(Prekey::from_message(&make(NOW, NOW + 1)).is_ok());
    assert!(Prekey::from_message(&make(NOW, NOW + 30 * day)).is_ok());
    assert_eq!(
        Prekey::from_message(&make(NOW, NOW + 30 * day + 1))
            .unwrap_err()
            .code(),
        "dm.prekey"
    );
    assert_eq!(
        Prekey::from_message(&make(NOW, NOW)).unwrap_err().code(),
        "dm.prekey"
    );
    let mut m = Map::new();
    m.insert("key", Value::from(&[1u8; 31][..]));
    m.insert("expires", Value::from(NOW + 1));
    assert_eq!(
        Prekey::from_message(&signed("prekey", &m)).unwrap_err(),
        DmError::Prekey
    );
    assert_eq!(
        Prekey::from_message(&dm_to(&[acct(2)], "x")).unwrap_err(),
        DmError::Prekey
    );
    assert_eq!(
        Prekey::from_message(&make(NOW, NOW + 5).stripped()).unwrap_err(),
        DmError::Prekey
    );
}

fn arb_text() -> impl Strategy<Value = String> {
    prop_oneof![".{0,40}", (0usize..3000).prop_map(|n| "y".repeat(n)),]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Seal then open gives the inner message back, for every recipient of an arbitrary set.
    #[test]
    fn seal_open_round_trip(
        recipients in proptest::collection::btree_set(any::<u8>(), 1..=MAX_RECIPIENTS),
        text in arb_text(),
        seed in any::<u64>(),
    ) {
        let accounts: Vec<AccountId> = recipients.iter().map(|&n| acct(n)).collect();
        let inner = dm_to(&accounts, &text);
        let secrets: Vec<EncryptionSecret> = recipients.iter().map(|&n| secret(n.wrapping_add(1))).collect();
        let publics: Vec<EncryptionPublic> = secrets.iter().map(|s| s.public_key()).collect();
        let mut rng = TestRng::new(seed);
        let sealed = seal_all(&inner, &publics, &mut rng).unwrap();
        for ((account, key), copy) in accounts.iter().zip(&secrets).zip(&sealed) {
            prop_assert!(BUCKETS.contains(&(copy.as_bytes().len() - HEADER_LEN - 16)));
            let opened = open(copy.as_bytes(), account, core::slice::from_ref(key), |_| false).unwrap();
            prop_assert_eq!(opened.message(), &inner);
            prop_assert_eq!(opened.body().text(), text.as_str());
        }
    }

    /// Any single-byte change to a sealed message makes it fail to open.
    #[test]
    fn any_byte_change_fails(index in any::<prop::sample::Index>(), delta in 1u8..=255) {
        let inner = dm_to(&[acct(0xbb)], "tamper with me");
        let sealed = seal_deterministic(&inner, &secret(5).public_key(), &[9; 32]).unwrap().into_bytes();
        let mut bytes = sealed.clone();
        let i = index.index(bytes.len());
        bytes[i] = bytes[i].wrapping_add(delta);
        prop_assert!(open(&bytes, &acct(0xbb), &[secret(5)], |_| false).is_err());
    }
}

// ---------------------------------------------------------------------------------------------
// test-vectors/dm.json, written by the independent generator
// ---------------------------------------------------------------------------------------------

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

fn arr(s: &str) -> [u8; 32] {
    unhex(s).try_into().unwrap()
}

#[test]
fn vectors_dm_json() {
    let doc: serde_json::Value =
        serde_json::from_str(include_str!("../test-vectors/dm.json")).unwrap();
    assert_eq!(doc["suite"], "dm");
    let mut counts = [0usize; 3];
    for v in doc["vectors"].as_array().unwrap() {
        let id = v["id"].as_str().unwrap();
        let valid = v["valid"].as_bool().unwrap();
        let expected = v["error"].as_str();
        let got: Result<(), String> = match v["type"].as_str().unwrap() {
            "seal" => {
                counts[0] += 1;
                let inner =
                    SignedMessage::from_bytes(&unhex(v["inner"].as_str().unwrap())).unwrap();
                let r = EncryptionPublic::from_bytes(arr(v["recipient_key"].as_str().unwrap()));
                let e = arr(v["ephemeral_secret"].as_str().unwrap());
                match seal_deterministic(&inner, &r, &e) {
                    Ok(sealed) => {
                        let want = unhex(v["sealed"].as_str().unwrap());
                        assert_eq!(sealed.as_bytes(), want.as_slice(), "{id}: sealed bytes");
                        assert_eq!(
                            hex::encode(sealed.mailbox_tag()),
                            v["tag"].as_str().unwrap(),
                            "{id}"
                        );
                        assert_eq!(
                            hex::encode(EncryptionSecret::from_bytes(e).public_key().as_bytes()),
                            v["ephemeral_key"].as_str().unwrap(),
                            "{id}"
                        );
                        Ok(())
                    }
                    Err(e) => Err(e.code().to_string()),
                }
            }
            "open" => {
                counts[1] += 1;
                let sealed = unhex(v["sealed"].as_str().unwrap());
                let me = AccountId::from_bytes(arr(v["opener"].as_str().unwrap()));
                let keys: Vec<EncryptionSecret> = v["keys"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|k| EncryptionSecret::from_bytes(arr(k.as_str().unwrap())))
                    .collect();
                let seen: Vec<[u8; 32]> = v["seen"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|k| arr(k.as_str().unwrap()))
                    .collect();
                match open(&sealed, &me, &keys, |m| seen.contains(m.as_bytes())) {
                    Ok(opened) => {
                        assert_eq!(
                            hex::encode(opened.message().as_bytes()),
                            v["inner"].as_str().unwrap(),
                            "{id}"
                        );
                        assert_eq!(
                            hex::encode(opened.message().id().as_bytes()),
                            v["inner_id"].as_str().unwrap(),
                            "{id}"
                        );
                        Ok(())
                    }
                    Err(e) => {
                        assert_eq!(e.rule(), v["rules"][0].as_str().unwrap(), "{id}: rule");
                        Err(e.code().to_string())
                    }
                }
            }
            "prekey" => {
                counts[2] += 1;
                let msg =
                    SignedMessage::from_bytes(&unhex(v["message"].as_str().unwrap())).unwrap();
                match Prekey::from_message(&msg) {
                    Ok(p) => {
                        assert_eq!(
                            hex::encode(p.key().as_bytes()),
                            v["key"].as_str().unwrap(),
                            "{id}"
                        );
                        assert_eq!(p.expires(), v["expires"].as_u64().unwrap(), "{id}");
                        Ok(())
                    }
                    Err(e) => Err(e.code().to_string()),
                }
            }
            other => panic!("{id}: unknown type {other}"),
        };
        match (valid, got) {
            (true, Ok(())) => {}
            (false, Err(code)) => assert_eq!(Some(code.as_str()), expected, "{id}"),
            (want, got) => panic!("{id}: expected valid={want} {expected:?}, got {got:?}"),
        }
    }
    assert!(counts.iter().all(|&n| n > 0), "{counts:?}");
}

// ---------------------------------------------------------------------------------------------
// End to end with accounts: prekeys and inner messages are authorized like any message (08 §3.2,
// §6 step 10)
// ---------------------------------------------------------------------------------------------

#[test]
fn end_to_end_with_accounts() {
    use skylark::account::{Accounts, Operation};
    use skylark::message::{validate, AuthError, Authorization, Body, MemoryContext, Verdict};

    let mut accounts = Accounts::new();
    // Each person: a root, and an app key that may sign only `dm` and `prekey`.
    let person = |seed: u8, accounts: &mut Accounts| {
        let root = SecretKey::from_seed([seed; 32]);
        let app = SecretKey::from_seed([seed + 1; 32]);
        let genesis = Operation::genesis(&[root.public_key()], NOW)
            .unwrap()
            .sign(&root)
            .unwrap();
        let account = Accounts::account_id(&genesis);
        let scope = [Kind::new("dm").unwrap(), Kind::new("prekey").unwrap()];
        let delegate = Operation::delegate(
            account,
            genesis.id(),
            app.public_key(),
            &scope,
            NOW + 90 * 86_400_000,
            None,
            NOW + 1,
        )
        .unwrap()
        .draft()
        .unwrap()
        .after(&genesis)
        .sign(&root)
        .unwrap();
        accounts.apply(&genesis).unwrap();
        accounts.apply(&delegate).unwrap();
        (account, app)
    };
    let (alice, alice_app) = person(10, &mut accounts);
    let (bob, bob_app) = person(20, &mut accounts);
    let lookups = |_: &skylark::id::MessageId| None;

    // Bob's app publishes a prekey; a node validates it like any message.
    let bob_secret = secret(42);
    let published = Prekey::draft(
        bob,
        &bob_secret.public_key(),
        NOW + 2,
        NOW + 14 * 86_400_000,
    )
    .unwrap()
    .sign(&bob_app)
    .unwrap();
    let auth = accounts.authorize(published.header(), lookups);
    assert_eq!(auth, Authorization::Authorized);
    let verdict = validate(published.clone(), &MemoryContext::new(NOW + 3, auth));
    assert!(matches!(verdict, Verdict::Valid(ref v) if matches!(v.body(), Body::Unknown(_))));

    // Alice's app picks Bob's current prekey and seals to it.
    let prekey = Prekey::from_message(&published).unwrap();
    let chosen = Prekey::choose([&prekey], NOW + 10).unwrap();
    assert_eq!(chosen.account(), &bob);
    let inner = DmBody::new(&[bob], "lunch?")
        .unwrap()
        .draft(alice, NOW + 10)
        .unwrap()
        .sign(&alice_app)
        .unwrap();
    let sealed = skylark::dm::seal(&inner, &chosen.key(), &mut TestRng::new(7)).unwrap();

    // Bob opens it, then authorizes the inner header (step 10).
    let opened = open(sealed.as_bytes(), &bob, &[bob_secret], |_| false).unwrap();
    assert_eq!(
        accounts.authorize(opened.message().header(), lookups),
        Authorization::Authorized
    );

    // A key that Alice never delegated, signing as Alice, opens fine but is refused at step 10.
    let forged = DmBody::new(&[bob], "lunch?")
        .unwrap()
        .draft(alice, NOW + 10)
        .unwrap()
        .sign(&SecretKey::from_seed([99; 32]))
        .unwrap();
    let sealed = skylark::dm::seal(&forged, &chosen.key(), &mut TestRng::new(8)).unwrap();
    let opened = open(sealed.as_bytes(), &bob, &[secret(42)], |_| false).unwrap();
    assert_eq!(
        accounts.authorize(opened.message().header(), lookups),
        Authorization::Denied(AuthError::NotDelegated)
    );
}
