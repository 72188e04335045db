//! Skylark against its peers on one social workload, in one criterion run: take the bytes of a
//! post-sized message from the network, parse them, and verify the signature.
//!
//! ```text
//! cd benches/peers && cargo bench --bench peers -- --warm-up-time 1 --measurement-time 4
//! ```
//!
//! Every row carries the same 140-character text. How each input is built (see `benches/README.md`):
//!
//! - Skylark: a `post` (text, `langs: ["en"]`), seq 2 after the author's first message, signed with
//!   the author's Ed25519 key; 423 bytes. "Bytes to verdict" is `SignedMessage::from_bytes` then
//!   `validate` against a context that authorizes the key and knows the first message.
//! - nostr: a kind-1 text note with the same content and no tags, signed with a secp256k1 key
//!   (BIP-340 Schnorr) by the `nostr` crate, serialized to its JSON wire form. The work is
//!   `Event::from_json` then `Event::verify` (recompute the id over the JSON re-serialization,
//!   compare, verify the Schnorr signature).
//! - AT Protocol: an `app.bsky.feed.post` record (`$type`, `text`, `createdAt`, `langs`) in
//!   DAG-CBOR, and a signed repository commit (v3: `did`, `version`, `data`, `rev`, `prev`, `sig`) in
//!   DAG-CBOR, signed with ECDSA over SHA-256 of the unsigned commit's DAG-CBOR (low-S), with a
//!   secp256k1 (`k256`) or P-256 (`p256`) key, as a relay receives them in a `#commit` event. The
//!   work is: decode the record into a typed struct with `serde_ipld_dagcbor`, hash it and compare
//!   with its CID, decode the commit, re-encode it without `sig`, and verify the signature. The
//!   public key is already parsed (a relay caches DID documents); the Merkle search tree proof is
//!   not checked (it would add work to this path).

use std::error::Error;
use std::hint::black_box;

use criterion::{BatchSize, Criterion};
use ed25519_dalek::{Signature as DalekSignature, VerifyingKey};
use ipld_core::cid::multihash::Multihash;
use ipld_core::cid::Cid;
use nostr::{EventBuilder, JsonUtil, Keys};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use skylark::batch;
use skylark::cbor::{Map, Value};
use skylark::envelope::{Draft, Kind, SignedMessage, MESSAGE_SIGNATURE_CONTEXT};
use skylark::id::AccountId;
use skylark::keys::{KeyCache, SecretKey};
use skylark::message::{validate, Authorization, MemoryContext, Verdict};

/// 140 characters of ASCII text: a typical short post, the same in every protocol.
const TEXT: &str = "Spent the morning at the harbour watching the fishing boats come in. \
                    The gulls knew before anyone else did. Coffee was dismal, view was not.";
const TIME: u64 = 1_764_115_200_000;
const CREATED_AT: &str = "2026-11-26T00:01:00.000Z";
const DAG_CBOR: u64 = 0x71;
const SHA2_256: u64 = 0x12;

/// An `app.bsky.feed.post` record.
#[derive(Serialize, Deserialize)]
struct PostRecord {
    #[serde(rename = "$type")]
    kind: String,
    text: String,
    #[serde(rename = "createdAt")]
    created_at: String,
    langs: Vec<String>,
}

/// A signed repository commit (atproto repository spec, version 3).
#[derive(Serialize, Deserialize)]
struct Commit {
    did: String,
    version: u64,
    data: Cid,
    rev: String,
    prev: Option<Cid>,
    #[serde(with = "serde_bytes")]
    sig: Vec<u8>,
}

/// The same commit without its signature: what is signed.
#[derive(Serialize)]
struct UnsignedCommit<'a> {
    did: &'a str,
    version: u64,
    data: Cid,
    rev: &'a str,
    prev: Option<Cid>,
}

fn cid_of(bytes: &[u8]) -> Result<Cid, Box<dyn Error>> {
    let digest = Sha256::digest(bytes);
    Ok(Cid::new_v1(
        DAG_CBOR,
        Multihash::<64>::wrap(SHA2_256, &digest)?,
    ))
}

/// What a relay receives for one post: the record, its CID, and the signed commit.
struct AtInput {
    record: Vec<u8>,
    record_cid: Cid,
    commit: Vec<u8>,
}

fn at_input(sign: impl Fn(&[u8]) -> Vec<u8>) -> Result<AtInput, Box<dyn Error>> {
    let record = serde_ipld_dagcbor::to_vec(&PostRecord {
        kind: "app.bsky.feed.post".into(),
        text: TEXT.into(),
        created_at: CREATED_AT.into(),
        langs: vec!["en".into()],
    })?;
    let record_cid = cid_of(&record)?;
    // The data root would be the MST root that holds the record; any CID has the same cost here.
    let data = cid_of(b"mst root")?;
    let did = "did:plc:ewvi7nxzyoun6zhxrhs64oiz";
    let rev = "3lbxqvqc2n22m";
    let unsigned = serde_ipld_dagcbor::to_vec(&UnsignedCommit {
        did,
        version: 3,
        data,
        rev,
        prev: None,
    })?;
    let commit = serde_ipld_dagcbor::to_vec(&Commit {
        did: did.into(),
        version: 3,
        data,
        rev: rev.into(),
        prev: None,
        sig: sign(&unsigned),
    })?;
    Ok(AtInput {
        record,
        record_cid,
        commit,
    })
}

/// The relay's work for one post: decode and hash the record, decode the commit, re-encode it
/// unsigned, verify the signature with `verify`.
fn at_process(
    input: &AtInput,
    verify: impl Fn(&[u8], &[u8]) -> bool,
) -> Result<PostRecord, Box<dyn Error>> {
    let record: PostRecord = serde_ipld_dagcbor::from_slice(&input.record)?;
    if cid_of(&input.record)? != input.record_cid {
        return Err("record does not match its CID".into());
    }
    let commit: Commit = serde_ipld_dagcbor::from_slice(&input.commit)?;
    let unsigned = serde_ipld_dagcbor::to_vec(&UnsignedCommit {
        did: &commit.did,
        version: commit.version,
        data: commit.data,
        rev: &commit.rev,
        prev: commit.prev,
    })?;
    if !verify(&unsigned, &commit.sig) {
        return Err("commit signature does not verify".into());
    }
    Ok(record)
}

/// A cryptographically secure generator, seeded from the operating system as a node would.
fn node_rng() -> ChaCha20Rng {
    ChaCha20Rng::from_rng(rand_core::OsRng).unwrap_or_else(|_| ChaCha20Rng::from_seed([0; 32]))
}

struct Skylark {
    /// One typical post by each of 256 authors (seq 2).
    posts: Vec<Vec<u8>>,
    /// A context that authorizes every key and knows every author's first message.
    context: MemoryContext,
    /// The first post's signing input, key and signature, for the bare Ed25519 rows.
    signing_input: Vec<u8>,
    key_bytes: [u8; 32],
    signature: DalekSignature,
}

fn skylark_fixtures() -> Result<Skylark, Box<dyn Error>> {
    let mut posts = Vec::new();
    let mut context = MemoryContext::new(TIME + 3_600_000, Authorization::Authorized);
    let kind = Kind::new("post")?;
    for author in 0..256u32 {
        let mut seed = [0u8; 32];
        seed[..4].copy_from_slice(&author.to_le_bytes());
        seed[31] = 0x5a;
        let key = SecretKey::from_seed(seed);
        let mut account = [0xaa; 32];
        account[..4].copy_from_slice(&author.to_le_bytes());
        let account = AccountId::from_bytes(account);
        let mut first_body = Map::new();
        first_body.insert("text", Value::from("hello"));
        let first = Draft::new(account, kind.clone(), TIME, &first_body)?.sign(&key)?;
        let mut body = Map::new();
        body.insert("text", Value::from(TEXT));
        body.insert("langs", Value::Array(vec![Value::from("en")]));
        let post = Draft::new(account, kind.clone(), TIME + 60_000, &body)?
            .after(&first)
            .sign(&key)?;
        context.insert(&first);
        posts.push(post.as_bytes().to_vec());
    }
    let first = SignedMessage::from_bytes(&posts[0])?;
    let mut signing_input = MESSAGE_SIGNATURE_CONTEXT.as_bytes().to_vec();
    signing_input.push(0);
    signing_input.extend_from_slice(first.header_bytes());
    Ok(Skylark {
        signing_input,
        key_bytes: *first.header().key().as_bytes(),
        signature: DalekSignature::from_bytes(&first.signature().to_bytes()),
        posts,
        context,
    })
}

fn is_valid(result: &Result<Verdict, skylark::envelope::EnvelopeError>) -> bool {
    matches!(result, Ok(Verdict::Valid(_)))
}

fn peers(c: &mut Criterion) -> Result<(), Box<dyn Error>> {
    let sky = skylark_fixtures()?;
    let dalek_key = VerifyingKey::from_bytes(&sky.key_bytes)?;

    // nostr: the same text as a kind-1 note, in its JSON wire form.
    let nostr_keys =
        Keys::parse("0707070707070707070707070707070707070707070707070707070707070707")?;
    let nostr_json = EventBuilder::text_note(TEXT)
        .sign_with_keys(&nostr_keys)?
        .as_json();

    // AT Protocol, with secp256k1 and with P-256 keys.
    let k256_secret = k256::ecdsa::SigningKey::from_slice(&[7; 32])?;
    let k256_public = *k256_secret.verifying_key();
    let at_k256 = at_input(|m| {
        use k256::ecdsa::signature::Signer;
        let sig: k256::ecdsa::Signature = k256_secret.sign(m);
        sig.normalize_s().unwrap_or(sig).to_bytes().to_vec()
    })?;
    let k256_verify = |m: &[u8], s: &[u8]| {
        use k256::ecdsa::signature::Verifier;
        k256::ecdsa::Signature::from_slice(s).is_ok_and(|s| k256_public.verify(m, &s).is_ok())
    };
    let p256_secret = p256::ecdsa::SigningKey::from_slice(&[7; 32])?;
    let p256_public = *p256_secret.verifying_key();
    let at_p256 = at_input(|m| {
        use p256::ecdsa::signature::Signer;
        let sig: p256::ecdsa::Signature = p256_secret.sign(m);
        sig.normalize_s().unwrap_or(sig).to_bytes().to_vec()
    })?;
    let p256_verify = |m: &[u8], s: &[u8]| {
        use p256::ecdsa::signature::Verifier;
        p256::ecdsa::Signature::from_slice(s).is_ok_and(|s| p256_public.verify(m, &s).is_ok())
    };

    // Every path must accept, or the timings would measure an early rejection.
    dalek_key.verify_strict(&sky.signing_input, &sky.signature)?;
    nostr::Event::from_json(&nostr_json)?.verify()?;
    at_process(&at_k256, k256_verify)?;
    at_process(&at_p256, p256_verify)?;
    let mut rng = node_rng();
    let all = batch::ingest(&sky.posts, &sky.context, &mut KeyCache::new(0), &mut rng);
    if !all.iter().all(is_valid) {
        return Err("a Skylark post is not valid".into());
    }
    println!(
        "input sizes: skylark {} bytes, nostr {} bytes of JSON, atproto record {} + commit {} bytes",
        sky.posts[0].len(),
        nostr_json.len(),
        at_k256.record.len(),
        at_k256.commit.len()
    );

    let mut group = c.benchmark_group("peers");
    let post = &sky.posts[0];

    group.bench_function("bare_ed25519_verify_strict", |b| {
        b.iter(|| dalek_key.verify_strict(black_box(&sky.signing_input), black_box(&sky.signature)))
    });
    group.bench_function("bare_ed25519_verify_strict_with_key_decode", |b| {
        b.iter(|| {
            VerifyingKey::from_bytes(black_box(&sky.key_bytes)).and_then(|key| {
                key.verify_strict(black_box(&sky.signing_input), black_box(&sky.signature))
            })
        })
    });
    group.bench_function("skylark_single_bytes_to_verdict", |b| {
        b.iter(|| SignedMessage::from_bytes(black_box(post)).map(|m| validate(m, &sky.context)))
    });
    let mut warm = KeyCache::new(100_000);
    group.bench_function("skylark_single_cached_key_bytes_to_verdict", |b| {
        b.iter(|| batch::verify_one(black_box(post), &mut warm).map(|m| validate(m, &sky.context)))
    });
    for n in [64usize, 256] {
        let inputs = &sky.posts[..n];
        let mut keys = KeyCache::new(100_000);
        group.bench_function(format!("skylark_batch_{n}_bytes_to_verdict"), |b| {
            b.iter(|| batch::ingest(black_box(inputs), &sky.context, &mut keys, &mut rng))
        });
    }
    group.bench_function("skylark_batch_256_cold_keys_bytes_to_verdict", |b| {
        b.iter_batched(
            || KeyCache::new(0),
            |mut keys| batch::ingest(black_box(&sky.posts), &sky.context, &mut keys, &mut rng),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("nostr_from_json_verify", |b| {
        b.iter(|| nostr::Event::from_json(black_box(&nostr_json)).map(|e| e.verify()))
    });
    group.bench_function("atproto_dagcbor_k256", |b| {
        b.iter(|| at_process(black_box(&at_k256), k256_verify).is_ok())
    });
    group.bench_function("atproto_dagcbor_p256", |b| {
        b.iter(|| at_process(black_box(&at_p256), p256_verify).is_ok())
    });
    // The baseline again, last: how much the machine's speed drifted during the run.
    group.bench_function("zz_bare_ed25519_verify_strict_again", |b| {
        b.iter(|| dalek_key.verify_strict(black_box(&sky.signing_input), black_box(&sky.signature)))
    });
    group.finish();
    Ok(())
}

/// What `criterion_group!` and `criterion_main!` expand to, written out, with setup errors reported.
fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    if let Err(e) = peers(&mut criterion) {
        eprintln!("benchmark setup failed: {e}");
        std::process::exit(1);
    }
    criterion.final_summary();
}
