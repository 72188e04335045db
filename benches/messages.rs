//! What validating a Skylark social message costs (layer 2, `skylark::message`), next to a bare
//! Ed25519 verification of the same signing input.
//!
//! Every benchmark is in one criterion group and runs in one process, so their numbers are
//! comparable with each other (see `benches/README.md`):
//!
//! ```text
//! cargo bench --bench messages -- --warm-up-time 1 --measurement-time 4
//! ```

use std::error::Error;
use std::hint::black_box;

use criterion::Criterion;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use skylark::envelope::{SignedMessage, MESSAGE_SIGNATURE_CONTEXT};
use skylark::id::{AccountId, MessageId};
use skylark::keys::SecretKey;
use skylark::message::{
    validate, Authorization, BodyKind, Embed, Facet, Media, MemoryContext, Post, Reply, Verdict,
};

const SEED: [u8; 32] = [7; 32];
const TIME: u64 = 1_764_115_200_000;
const ALICE: AccountId = AccountId::from_bytes([0xaa; 32]);
const BOB: AccountId = AccountId::from_bytes([0xbb; 32]);
const ROOT: MessageId = MessageId::from_bytes([0x01; 32]);
const PARENT: MessageId = MessageId::from_bytes([0x02; 32]);

/// 140 characters of ASCII text with a mention of `@bob` (bytes 8..12): a typical reply.
const TEXT: &str = "Agreed, @bob. The harbour at dawn is the best show in town: gulls first, \
                    then the boats, then the smell of coffee from the kiosk. Worth it.";
const MENTION: std::ops::Range<usize> = 8..12;

/// The typical post: 140 characters, one language, one mention, a reply.
fn typical_post() -> Result<Post, Box<dyn Error>> {
    Ok(Post::builder()
        .text(TEXT)
        .lang("en")
        .facet(Facet::mention(MENTION, BOB))
        .reply(Reply::new(ROOT, PARENT))
        .build()?)
}

/// A post at every limit at once: text of 1000 scalars and 3000 bytes, 64 facets, 4 media embeds
/// whose alt texts have 2000 scalars and 8000 bytes, 3 languages, 8 labels, a quote and a reply.
fn maximal_post() -> Result<Post, Box<dyn Error>> {
    // 1000 three-byte characters: both text limits at once.
    let text: String = (0..1000u32)
        .map(|i| char::from_u32(0x4e00 + i).unwrap_or('中'))
        .collect();
    // Facet i covers characters 15i .. 15i + 10 (three bytes each), cycling mention, link, tag.
    let mut builder = Post::builder().text(text);
    for i in 0..64usize {
        let range = 45 * i..45 * i + 30;
        let facet = match i % 3 {
            0 => Facet::mention(range, AccountId::from_bytes([i as u8; 32])),
            1 => Facet::link(range, format!("https://example.com/larks/{i}"))?,
            _ => Facet::tag(range, format!("lark{i}"))?,
        };
        builder = builder.facet(facet);
    }
    // 2000 four-byte characters: both alt-text limits at once.
    let alt = "🐦".repeat(2000);
    for i in 0..4u8 {
        let media = Media::builder([i; 32], "image/jpeg", 1_500_000)
            .dimensions(4032, 3024)
            .alt(alt.clone())
            .build()?;
        builder = builder.embed(Embed::Media(media));
    }
    for lang in ["en", "de-CH", "zh-Hant"] {
        builder = builder.lang(lang);
    }
    for label in [
        "porn",
        "sexual",
        "nudity",
        "graphic-media",
        "gore",
        "spoiler",
        "com.example.satire",
        "org.example.ai-generated",
    ] {
        builder = builder.label(label);
    }
    Ok(builder
        .quote(MessageId::from_bytes([0x03; 32]))
        .reply(Reply::new(ROOT, PARENT))
        .build()?)
}

/// Everything the benchmarks read, built once before any of them runs.
struct Fixtures {
    key: SecretKey,
    /// The key's first message, which the measured messages follow (seq 2).
    first: SignedMessage,
    /// Authorizes every key and knows `first`.
    context: MemoryContext,
    typical: SignedMessage,
    typical_bytes: Vec<u8>,
    maximal: SignedMessage,
    maximal_bytes: Vec<u8>,
    /// The typical message's signing input: context, 0x00, header bytes.
    signing_input: Vec<u8>,
    dalek_signing: SigningKey,
    dalek_verifying: VerifyingKey,
    dalek_signature: ed25519_dalek::Signature,
    key_bytes: [u8; 32],
}

fn fixtures() -> Result<Fixtures, Box<dyn Error>> {
    let key = SecretKey::from_seed(SEED);
    let first = Post::builder()
        .text("hello")
        .build()?
        .draft(ALICE, TIME)?
        .sign(&key)?;
    let context = MemoryContext::new(TIME + 120_000, Authorization::Authorized).with(&first);
    let typical = typical_post()?
        .draft(ALICE, TIME + 60_000)?
        .after(&first)
        .sign(&key)?;
    let maximal = maximal_post()?
        .draft(ALICE, TIME + 60_000)?
        .after(&first)
        .sign(&key)?;

    let mut signing_input = Vec::new();
    signing_input.extend_from_slice(MESSAGE_SIGNATURE_CONTEXT.as_bytes());
    signing_input.push(0);
    signing_input.extend_from_slice(typical.header_bytes());
    let key_bytes = *key.public_key().as_bytes();
    let dalek_signing = SigningKey::from_bytes(&SEED);
    let dalek_verifying = VerifyingKey::from_bytes(&key_bytes).map_err(|e| e.to_string())?;
    let dalek_signature = ed25519_dalek::Signature::from_bytes(&typical.signature().to_bytes());

    // Every path must accept, or the timings would measure an early rejection.
    dalek_verifying
        .verify_strict(&signing_input, &dalek_signature)
        .map_err(|e| e.to_string())?;
    for message in [&typical, &maximal] {
        let received = SignedMessage::from_bytes(message.as_bytes())?;
        match validate(received, &context) {
            Verdict::Valid(_) => {}
            other => return Err(format!("not valid: {other:?}").into()),
        }
    }
    let rebuilt = typical_post()?
        .draft(ALICE, TIME + 60_000)?
        .after(&first)
        .sign(&key)?;
    if rebuilt != typical {
        return Err("building and signing the typical post is not deterministic".into());
    }

    Ok(Fixtures {
        typical_bytes: typical.as_bytes().to_vec(),
        maximal_bytes: maximal.as_bytes().to_vec(),
        key,
        first,
        context,
        typical,
        maximal,
        signing_input,
        dalek_signing,
        dalek_verifying,
        dalek_signature,
        key_bytes,
    })
}

fn messages(c: &mut Criterion) {
    let f = fixtures().unwrap_or_else(|e| {
        eprintln!("benchmark setup failed: {e}");
        std::process::exit(1)
    });
    let body_len = |m: &SignedMessage| m.body().map_or(0, <[u8]>::len);
    println!(
        "typical message: {} bytes (header {} bytes, body {} bytes); \
         maximal message: {} bytes (body {} bytes)",
        f.typical_bytes.len(),
        f.typical.header_bytes().len(),
        body_len(&f.typical),
        f.maximal_bytes.len(),
        body_len(&f.maximal),
    );

    let mut group = c.benchmark_group("messages");

    // 1. Bare ed25519-dalek strict verification of the typical message's signing input.
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

    // 2. End to end: bytes → SignedMessage::from_bytes (layer 1) → validate (layer 2).
    let end_to_end = |bytes: &[u8]| {
        SignedMessage::from_bytes(bytes).map(|message| validate(message, &f.context))
    };
    group.bench_function("end_to_end_typical", |b| {
        b.iter(|| end_to_end(black_box(&f.typical_bytes)))
    });
    group.bench_function("end_to_end_maximal", |b| {
        b.iter(|| end_to_end(black_box(&f.maximal_bytes)))
    });

    // 3. Layer 1 alone, for the split between the layers.
    group.bench_function("from_bytes_typical", |b| {
        b.iter(|| SignedMessage::from_bytes(black_box(&f.typical_bytes)))
    });
    group.bench_function("from_bytes_maximal", |b| {
        b.iter(|| SignedMessage::from_bytes(black_box(&f.maximal_bytes)))
    });

    // 4. Layer 2 alone: validate takes the message by value, so each iteration clones the
    //    already-verified message; the clone is measured on its own just after.
    group.bench_function("clone_and_validate_typical", |b| {
        b.iter(|| validate(black_box(&f.typical).clone(), &f.context))
    });
    group.bench_function("clone_only_typical", |b| {
        b.iter(|| black_box(&f.typical).clone())
    });
    group.bench_function("clone_and_validate_maximal", |b| {
        b.iter(|| validate(black_box(&f.maximal).clone(), &f.context))
    });
    group.bench_function("clone_only_maximal", |b| {
        b.iter(|| black_box(&f.maximal).clone())
    });

    // 5. The first thing validate does: decode the body bytes into a map (already checked to be
    //    well-formed by from_bytes).
    group.bench_function("body_map_typical", |b| {
        b.iter(|| black_box(&f.typical).body_map())
    });
    group.bench_function("body_map_maximal", |b| {
        b.iter(|| black_box(&f.maximal).body_map())
    });

    // 6. Writing: the typical post through its builder, drafted after `first` and signed.
    group.bench_function("build_and_sign_typical", |b| {
        b.iter(|| {
            typical_post().and_then(|post| {
                Ok(post
                    .draft(black_box(ALICE), black_box(TIME + 60_000))?
                    .after(&f.first)
                    .sign(&f.key)?)
            })
        })
    });
    group.bench_function("bare_ed25519_sign", |b| {
        b.iter(|| f.dalek_signing.sign(black_box(&f.signing_input)))
    });

    group.finish();
}

/// What `criterion_group!` and `criterion_main!` expand to, written out: the macros' generated
/// `pub fn` has no documentation, which the crate's `missing_docs = "deny"` rejects.
fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    messages(&mut criterion);
    criterion.final_summary();
}
