//! What decoding and verifying a Skylark message costs, next to a bare Ed25519 verification of the
//! same signature over the same signing input.
//!
//! Every benchmark is in one criterion group and runs in one process, so their numbers are
//! comparable with each other (see `benches/README.md`):
//!
//! ```text
//! cargo bench --bench envelope -- --warm-up-time 1 --measurement-time 4
//! ```

use std::error::Error;
use std::hint::black_box;

use criterion::Criterion;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use skylark::cbor::{self, Map, Value};
use skylark::envelope::{Draft, Envelope, Kind, SignedMessage, MESSAGE_SIGNATURE_CONTEXT};
use skylark::id::AccountId;
use skylark::keys::{PublicKey, SecretKey, Signature};

const SEED: [u8; 32] = [7; 32];
const TIME: u64 = 1_764_115_200_000;

/// 140 characters of ASCII text: a typical short post.
const TEXT: &str = "Spent the morning at the harbour watching the fishing boats come in. \
                    The gulls knew before anyone else did. Coffee was dismal, view was not.";

/// The size of the byte string in the large message's body: 60 KiB, which keeps the whole message
/// under the 64 KiB limit.
const LARGE_BLOB: usize = 60 * 1024;

/// Everything the benchmarks read, built once before any of them runs.
struct Fixtures {
    key: SecretKey,
    account: AccountId,
    kind: Kind,
    /// The first message of the key, which the typical message follows.
    first: SignedMessage,
    /// The typical message's body: `{"text": <140 chars>, "langs": ["en"]}`.
    body: Map,
    /// The encoded `body`.
    body_bytes: Vec<u8>,
    /// The typical message: seq 2 with `prev`, kind `post`.
    typical: Vec<u8>,
    /// A message whose body holds a 60 KiB byte string.
    large: Vec<u8>,
    /// The typical message's signing input: context, 0x00, header bytes.
    signing_input: Vec<u8>,
    signature: Signature,
    public: PublicKey,
    dalek_signing: SigningKey,
    dalek_verifying: VerifyingKey,
    dalek_signature: ed25519_dalek::Signature,
    key_bytes: [u8; 32],
}

fn fixtures() -> Result<Fixtures, Box<dyn Error>> {
    let key = SecretKey::from_seed(SEED);
    let account = AccountId::from_bytes([0xaa; 32]);
    let kind = Kind::new("post")?;

    let mut first_body = Map::new();
    first_body.insert("text", Value::from("hello"));
    let first = Draft::new(account, kind.clone(), TIME, &first_body)?.sign(&key)?;

    let mut body = Map::new();
    body.insert("text", Value::from(TEXT));
    body.insert("langs", Value::Array(vec![Value::from("en")]));
    let body_bytes = body.to_bytes();
    let typical = Draft::new(account, kind.clone(), TIME + 60_000, &body)?
        .after(&first)
        .sign(&key)?;

    // A post body (the message layer checks core kinds' bodies when drafting): the blob rides in a
    // namespaced extension field, which core bodies may carry.
    let mut large_body = Map::new();
    large_body.insert("text", Value::from("large"));
    large_body.insert("com.example.data", Value::Bytes(vec![0x5a; LARGE_BLOB]));
    let large = Draft::new(account, kind.clone(), TIME + 120_000, &large_body)?
        .after(&typical)
        .sign(&key)?;

    let mut signing_input = Vec::new();
    signing_input.extend_from_slice(MESSAGE_SIGNATURE_CONTEXT.as_bytes());
    signing_input.push(0);
    signing_input.extend_from_slice(typical.header_bytes());

    let signature = typical.signature();
    let public = key.public_key();
    let key_bytes = *public.as_bytes();
    let dalek_signing = SigningKey::from_bytes(&SEED);
    let dalek_verifying = VerifyingKey::from_bytes(&key_bytes).map_err(|e| e.to_string())?;
    let dalek_signature = ed25519_dalek::Signature::from_bytes(&signature.to_bytes());

    // Every path must accept, or the timings would measure an early rejection.
    dalek_verifying
        .verify_strict(&signing_input, &dalek_signature)
        .map_err(|e| e.to_string())?;
    public.verify(&signing_input, &signature)?;
    SignedMessage::from_bytes(typical.as_bytes())?;
    SignedMessage::from_bytes(large.as_bytes())?;
    cbor::check(&body_bytes)?;
    if dalek_signing.sign(&signing_input).to_bytes() != signature.to_bytes() {
        return Err("ed25519-dalek and skylark sign the same input differently".into());
    }

    Ok(Fixtures {
        typical: typical.as_bytes().to_vec(),
        large: large.as_bytes().to_vec(),
        key,
        account,
        kind,
        first,
        body,
        body_bytes,
        signing_input,
        signature,
        public,
        dalek_signing,
        dalek_verifying,
        dalek_signature,
        key_bytes,
    })
}

fn envelope(c: &mut Criterion) {
    let f = fixtures().unwrap_or_else(|e| {
        eprintln!("benchmark setup failed: {e}");
        std::process::exit(1)
    });
    println!(
        "typical message: {} bytes (header {} bytes, body {} bytes); large message: {} bytes",
        f.typical.len(),
        f.signing_input.len() - MESSAGE_SIGNATURE_CONTEXT.len() - 1,
        f.body_bytes.len(),
        f.large.len(),
    );

    let mut group = c.benchmark_group("envelope");

    // 1. Bare ed25519-dalek strict verification, with and without decompressing the key.
    group.bench_function("bare_ed25519_verify_strict", |b| {
        b.iter(|| {
            f.dalek_verifying
                .verify_strict(black_box(&f.signing_input), black_box(&f.dalek_signature))
        })
    });
    group.bench_function("bare_ed25519_verify_strict_with_key_decode", |b| {
        b.iter(|| {
            VerifyingKey::from_bytes(black_box(&f.key_bytes)).and_then(|key| {
                key.verify_strict(black_box(&f.signing_input), black_box(&f.dalek_signature))
            })
        })
    });

    // 2. Skylark's cofactored predicate alone, key already parsed.
    group.bench_function("skylark_keys_verify", |b| {
        b.iter(|| black_box(&f.public).verify(black_box(&f.signing_input), black_box(&f.signature)))
    });

    // 3.-5. Whole messages from bytes.
    group.bench_function("skylark_decode_verify_typical", |b| {
        b.iter(|| SignedMessage::from_bytes(black_box(&f.typical)))
    });
    group.bench_function("skylark_decode_only_typical", |b| {
        b.iter(|| Envelope::decode(black_box(&f.typical)))
    });
    group.bench_function("skylark_decode_verify_large", |b| {
        b.iter(|| SignedMessage::from_bytes(black_box(&f.large)))
    });

    // 6. Signing: a whole draft (body encoding, header, signature, assembly) against a bare signature.
    group.bench_function("skylark_sign_typical", |b| {
        b.iter(|| {
            Draft::new(
                black_box(f.account),
                f.kind.clone(),
                black_box(TIME + 60_000),
                black_box(&f.body),
            )
            .map(|draft| draft.after(&f.first).sign(&f.key))
        })
    });
    group.bench_function("bare_ed25519_sign", |b| {
        b.iter(|| f.dalek_signing.sign(black_box(&f.signing_input)))
    });

    // 7. The typical body through the CBOR layer.
    group.bench_function("cbor_decode_body", |b| {
        b.iter(|| cbor::decode(black_box(&f.body_bytes)))
    });
    group.bench_function("cbor_check_body", |b| {
        b.iter(|| cbor::check(black_box(&f.body_bytes)))
    });

    group.finish();
}

/// What `criterion_group!` and `criterion_main!` expand to, written out: the macros' generated
/// `pub fn` has no documentation, which the crate's `missing_docs = "deny"` rejects.
fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    envelope(&mut criterion);
    criterion.final_summary();
}
