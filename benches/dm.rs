//! What sealing and opening a direct message costs, next to a bare Ed25519 verification (the cost
//! every received message pays anyway).
//!
//! All benchmarks are in one criterion group and run in one process, so their numbers are comparable
//! with each other (see `benches/README.md`):
//!
//! ```text
//! cargo bench --bench dm -- --warm-up-time 1 --measurement-time 4
//! ```

use std::error::Error;
use std::hint::black_box;

use criterion::Criterion;
use ed25519_dalek::{Signer, SigningKey};
use skylark::dm::{open, seal, seal_deterministic, DmBody, EncryptionSecret};
use skylark::envelope::{SignedMessage, MESSAGE_SIGNATURE_CONTEXT};
use skylark::id::AccountId;
use skylark::keys::SecretKey;

/// A deterministic generator for the benchmark (an application passes `OsRng`); its output only
/// has to differ from call to call.
#[allow(dead_code)] // TestRng::from_seed_bytes: benches/batch.rs only
#[path = "../tests/support/test_rng.rs"]
mod test_rng;

use test_rng::TestRng;

/// 140 characters of ASCII text: a typical short message.
const TEXT: &str = "Spent the morning at the harbour watching the fishing boats come in. \
                    The gulls knew before anyone else did. Coffee was dismal, view was not.";

fn dm(c: &mut Criterion) -> Result<(), Box<dyn Error>> {
    let alice = AccountId::from_bytes([0xaa; 32]);
    let bob = AccountId::from_bytes([0xbb; 32]);
    let app = SecretKey::from_seed([7; 32]);
    let bob_key = EncryptionSecret::from_bytes([8; 32]);
    let bob_public = bob_key.public_key();
    let inner = DmBody::new(&[bob], TEXT)?
        .draft(alice, 1_764_115_200_000)?
        .sign(&app)?;
    let sealed = seal_deterministic(&inner, &bob_public, &[9; 32])?;
    if sealed.as_bytes().len() != 563 {
        return Err("the typical dm should seal to the 512 bucket (563 bytes)".into());
    }
    let keys = [bob_key];
    // The bare Ed25519 verification of the inner message's signature over its signing input.
    let dalek = SigningKey::from_bytes(&[7; 32]);
    let mut signing_input = MESSAGE_SIGNATURE_CONTEXT.as_bytes().to_vec();
    signing_input.push(0);
    signing_input.extend_from_slice(inner.header_bytes());
    let signature = dalek.sign(&signing_input);
    let verifying = dalek.verifying_key();
    let mut rng = TestRng::new(1);

    let mut group = c.benchmark_group("dm");
    group.bench_function("bare_ed25519_verify_strict", |b| {
        b.iter(|| verifying.verify_strict(black_box(&signing_input), black_box(&signature)))
    });
    group.bench_function("skylark_verify_inner", |b| {
        b.iter(|| SignedMessage::from_bytes(black_box(inner.as_bytes())))
    });
    group.bench_function("seal_typical", |b| {
        b.iter(|| seal(black_box(&inner), black_box(&bob_public), &mut rng))
    });
    group.bench_function("open_typical", |b| {
        b.iter(|| open(black_box(sealed.as_bytes()), &bob, &keys, |_| false))
    });
    group.finish();
    Ok(())
}

/// What `criterion_group!` and `criterion_main!` expand to, written out: the macros' generated
/// `pub fn` has no documentation, which the crate's `missing_docs = "deny"` rejects.
fn main() -> Result<(), Box<dyn Error>> {
    let mut criterion = Criterion::default().configure_from_args();
    dm(&mut criterion)?;
    criterion.final_summary();
    Ok(())
}
