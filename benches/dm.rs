//! What sealing and opening a direct message costs, per recipient device, next to a bare Ed25519
//! verification (the cost every received message pays anyway).
//!
//! Sealing is the hybrid KEM of spec 08 §5.4 (X25519 with the signed prekey, X25519 with a
//! one-time prekey or not, ML-KEM-768 encapsulation) plus the key derivation, the commitment and
//! the AEAD; a message to an account with `d` current devices costs `d` seals. Opening adds
//! ML-KEM-768 decapsulation, the inner signature and the sender's authorization (DM-16).
//!
//! A group message (08 §5.6) to a group of 8 accounts carries its membership record, which takes
//! a short text from the 512 to the 2048 bucket, and costs one seal per device of every member; opening it adds the record's signature and the head check (DM-19..DM-21). A relay's
//! check of a delivery stamp (DM-22) is one hash of the sealed bytes and one short hash.
//!
//! All benchmarks are in one criterion group and run in one process, so their numbers are comparable
//! with each other (see `benches/README.md`):
//!
//! ```text
//! cargo bench --bench dm -- --warm-up-time 1 --measurement-time 3
//! ```

use std::error::Error;
use std::hint::black_box;

use criterion::{BatchSize, Criterion};
use ed25519_dalek::{Signer, SigningKey};
use skylark::account::{Accounts, Operation};
use skylark::dm::{
    open, open_in_group, seal, seal_deterministic, token_commitment, Accept, DeviceKeys, DmBody,
    Gate, GroupRecord, Groups, Inner, Prekey, Sealed, Stamp,
};
use skylark::envelope::Kind;
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

const NOW: u64 = 1_764_115_200_000;

fn dm(c: &mut Criterion) -> Result<(), Box<dyn Error>> {
    // Two accounts with a DM key each (scope [dm, prekey]).
    let mut accounts = Accounts::new();
    let mut account = |n: u8| -> Result<_, Box<dyn Error>> {
        let root = SecretKey::from_seed([n; 32]);
        let app = SecretKey::from_seed([n + 1; 32]);
        let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
        let id = Accounts::account_id(&genesis);
        let scope = [Kind::new("dm")?, Kind::new("prekey")?];
        let delegate =
            Operation::delegate(id, genesis.id(), app.public_key(), &scope, 1 << 52, None, 2)?
                .accepted_by(&app)?
                .draft()?
                .after(&genesis)
                .sign(&root)?;
        accounts.apply(&genesis)?;
        accounts.apply(&delegate)?;
        Ok((id, app))
    };
    let (alice, alice_app) = account(10)?;
    let (bob, bob_app) = account(20)?;
    let mut rng = TestRng::new(1);
    let keys = DeviceKeys::generate([1; 16], 32, &mut rng);
    let bundle = Prekey::from_message(
        &keys
            .bundle(bob, NOW - 1, NOW + 86_400_000)?
            .sign(&bob_app)?,
    )?;
    let inner = DmBody::new(&[bob], TEXT)?.sign(alice, NOW, &alice_app)?;
    let signed_only = seal_deterministic(&inner, &bundle, None, &[9; 32], &[8; 32])?;
    let onetime = seal_deterministic(&inner, &bundle, Some(0), &[9; 32], &[8; 32])?;
    if signed_only.as_bytes().len() != 1173 + 512 + 16 {
        return Err("the typical dm should seal to the 512 bucket".into());
    }
    // The bare Ed25519 verification of a signature over an input of the inner payload's size.
    let dalek = SigningKey::from_bytes(&[7; 32]);
    let input = inner.as_bytes().to_vec();
    let signature = dalek.sign(&input);
    let verifying = dalek.verifying_key();

    // A group of 8: Alice (admin), Bob and six more accounts.
    let mut members: Vec<AccountId> = (0..6u8).map(|i| AccountId::from_bytes([i; 32])).collect();
    members.extend([alice, bob]);
    let record = GroupRecord::create(alice, &members, &[alice], NOW - 10, &alice_app)?;
    let group_inner = DmBody::for_group(&record, TEXT).sign(alice, NOW, &alice_app)?;
    let group_sealed = seal_deterministic(&group_inner, &bundle, None, &[9; 32], &[8; 32])?;
    if group_sealed.as_bytes().len() != 1173 + 2048 + 16 {
        return Err("a short group message to 8 members should seal to the 2048 bucket".into());
    }
    let mut held = Groups::new();
    held.add(&record, &accounts)?;
    // A relay's stamp check for a gate asking 8 bits of work.
    let gate = Gate::new(Accept::Everyone, 8, &[])?;
    let stamp = Stamp::work(signed_only.as_bytes(), 8, 0).ok_or("no stamp")?;

    let mut group = c.benchmark_group("dm");
    group.bench_function("bare_ed25519_verify_strict", |b| {
        b.iter(|| verifying.verify_strict(black_box(&input), black_box(&signature)))
    });
    group.bench_function("verify_inner", |b| {
        b.iter(|| Inner::from_bytes(black_box(inner.as_bytes())))
    });
    group.bench_function("seal_per_device_signed_prekey", |b| {
        b.iter(|| seal(black_box(&inner), black_box(&bundle), None, &mut rng))
    });
    group.bench_function("seal_per_device_onetime", |b| {
        b.iter(|| seal(black_box(&inner), black_box(&bundle), Some(3), &mut rng))
    });
    group.bench_function("open_signed_prekey", |b| {
        b.iter_batched_ref(
            || [keys.clone()],
            |k| {
                open(
                    black_box(signed_only.as_bytes()),
                    &bob,
                    k,
                    &accounts,
                    NOW,
                    |_| false,
                )
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("open_onetime", |b| {
        b.iter_batched_ref(
            || [keys.clone()],
            |k| {
                open(
                    black_box(onetime.as_bytes()),
                    &bob,
                    k,
                    &accounts,
                    NOW,
                    |_| false,
                )
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("seal_group_per_member_device", |b| {
        b.iter(|| seal(black_box(&group_inner), black_box(&bundle), None, &mut rng))
    });
    group.bench_function("open_group_per_member_device", |b| {
        b.iter_batched_ref(
            || ([keys.clone()], held.clone()),
            |(k, g)| {
                open_in_group(
                    black_box(group_sealed.as_bytes()),
                    &bob,
                    k,
                    &accounts,
                    g,
                    NOW,
                    |_| false,
                )
            },
            BatchSize::SmallInput,
        )
    });
    group.bench_function("relay_stamp_check_work", |b| {
        b.iter(|| gate.relay_admits(black_box(signed_only.as_bytes()), black_box(&stamp)))
    });
    // What a relay does per deposited item (10 §5): DM-1 on the bytes, then a token stamp
    // against a gate of eight tokens (a token handed inside a message, DM-7).
    let tokens: Vec<[u8; 32]> = (0..8u8).map(|i| token_commitment(&[i; 32])).collect();
    let token_gate = Gate::new(Accept::Follows, 0, &tokens)?;
    let token_stamp = Stamp::Token([7; 32]);
    group.bench_function("relay_admit_item_token", |b| {
        b.iter(|| {
            let item = Sealed::from_bytes(black_box(signed_only.as_bytes()))?;
            token_gate.relay_admits(item.as_bytes(), black_box(&token_stamp))
        })
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
