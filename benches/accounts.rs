//! What the key-state machine costs: applying a key operation, and answering "may this key sign this
//! message?", next to a bare Ed25519 verification of a message signature, in one run.
//!
//! ```text
//! cargo bench --bench accounts -- --warm-up-time 1 --measurement-time 4
//! ```

use std::collections::BTreeMap;
use std::error::Error;
use std::hint::black_box;

use criterion::{BatchSize, Criterion};
use ed25519_dalek::VerifyingKey;
use skylark::account::{Accounts, Operation, Revocation};
use skylark::envelope::{Header, SignedMessage, MESSAGE_SIGNATURE_CONTEXT};
use skylark::id::{AccountId, MessageId};
use skylark::keys::SecretKey;
use skylark::message::{BodyKind, Follow};

/// How many app keys the benchmark account has delegated before the measured operation.
const APPS: u8 = 16;
/// How long the revoked key's honest history is (the cutoff walk's length for its first message).
const HISTORY: u64 = 32;

struct Fixtures {
    /// An account with a recovery root, an everyday root and `APPS` delegated app keys.
    accounts: Accounts,
    /// The next delegation, not yet applied.
    next: SignedMessage,
    /// A follow by an app key in good standing.
    message: SignedMessage,
    /// The first and last messages of a key revoked after its `HISTORY`-th message.
    revoked_first: SignedMessage,
    revoked_last: SignedMessage,
    headers: BTreeMap<MessageId, Header>,
    signing_input: Vec<u8>,
    key_bytes: [u8; 32],
    dalek_signature: ed25519_dalek::Signature,
}

fn fixtures() -> Result<Fixtures, Box<dyn Error>> {
    let recovery = SecretKey::from_seed([1; 32]);
    let everyday = SecretKey::from_seed([2; 32]);
    let genesis = Operation::genesis(&[recovery.public_key(), everyday.public_key()], 1_000)?
        .accepted_by(&everyday)?
        .sign(&recovery)?;
    let account = Accounts::account_id(&genesis);
    let mut accounts = Accounts::new();
    accounts.apply(&genesis)?;
    let mut head = genesis.id();
    let mut last_by_everyday: Option<SignedMessage> = None;
    let mut delegate =
        |accounts: &mut Accounts, seed: u8, time: u64| -> Result<SignedMessage, Box<dyn Error>> {
            let app = SecretKey::from_seed([seed; 32]);
            let draft = Operation::delegate(
                account,
                head,
                app.public_key(),
                &[],
                u64::MAX >> 12,
                None,
                time,
            )?
            .accepted_by(&app)?
            .draft()?;
            let op = match &last_by_everyday {
                Some(previous) => draft.after(previous).sign(&everyday)?,
                None => draft.sign(&everyday)?,
            };
            accounts.apply(&op)?;
            head = op.id();
            last_by_everyday = Some(op.clone());
            Ok(op)
        };
    for i in 0..APPS {
        delegate(&mut accounts, 10 + i, 2_000 + u64::from(i))?;
    }
    // The next delegation, built on the current head but not applied.
    let next_app = SecretKey::from_seed([200; 32]);
    let next = Operation::delegate(
        account,
        head,
        next_app.public_key(),
        &[],
        u64::MAX >> 12,
        None,
        9_000,
    )?
    .accepted_by(&next_app)?
    .draft()?
    .after(last_by_everyday.as_ref().ok_or("no delegation")?)
    .sign(&everyday)?;

    let app = SecretKey::from_seed([10; 32]);
    let message = Follow::new(AccountId::from_bytes([9; 32]))
        .draft(account, 10_000)?
        .sign(&app)?;

    // A key with HISTORY messages, then revoked with its last one as the cutoff.
    let revoked = SecretKey::from_seed([11; 32]);
    let mut headers = BTreeMap::new();
    let mut history: Vec<SignedMessage> = Vec::new();
    for i in 0..HISTORY {
        let draft =
            Follow::new(AccountId::from_bytes([(i % 250) as u8; 32])).draft(account, 10_000 + i)?;
        let m = match history.last() {
            Some(p) => draft.after(p).sign(&revoked)?,
            None => draft.sign(&revoked)?,
        };
        headers.insert(m.id(), m.header().clone());
        history.push(m);
    }
    let revoked_last = history.last().ok_or("no history")?.clone();
    let revoke = Operation::revoke(
        account,
        head,
        revoked.public_key(),
        Some(Revocation::After {
            seq: HISTORY,
            id: revoked_last.id(),
        }),
        20_000,
    )?
    .draft()?
    .after(last_by_everyday.as_ref().ok_or("no delegation")?)
    .sign(&everyday)?;
    accounts.apply(&revoke)?;

    let mut signing_input = MESSAGE_SIGNATURE_CONTEXT.as_bytes().to_vec();
    signing_input.push(0);
    signing_input.extend_from_slice(message.header_bytes());
    Ok(Fixtures {
        accounts,
        next,
        revoked_first: history[0].clone(),
        revoked_last,
        message: message.clone(),
        headers,
        signing_input,
        key_bytes: *app.public_key().as_bytes(),
        dalek_signature: ed25519_dalek::Signature::from_bytes(&message.signature().to_bytes()),
    })
}

/// The benchmarks, in one group so that their numbers are comparable.
fn accounts(c: &mut Criterion) {
    let f = match fixtures() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("fixtures failed: {e}");
            std::process::exit(1);
        }
    };
    let lookup = |id: &MessageId| f.headers.get(id).cloned();
    let mut group = c.benchmark_group("accounts");
    group.bench_function("bare_ed25519_verify_strict_with_key_decode", |b| {
        b.iter(|| {
            VerifyingKey::from_bytes(black_box(&f.key_bytes)).and_then(|key| {
                key.verify_strict(black_box(&f.signing_input), black_box(&f.dalek_signature))
            })
        })
    });
    group.bench_function("authorize_app_message", |b| {
        b.iter(|| f.accounts.authorize(black_box(f.message.header()), lookup))
    });
    group.bench_function("authorize_revoked_key_at_cutoff", |b| {
        b.iter(|| {
            f.accounts
                .authorize(black_box(f.revoked_last.header()), lookup)
        })
    });
    group.bench_function("authorize_revoked_key_walk_32", |b| {
        b.iter(|| {
            f.accounts
                .authorize(black_box(f.revoked_first.header()), lookup)
        })
    });
    group.bench_function("state_clone", |b| b.iter(|| black_box(&f.accounts).clone()));
    group.bench_function("apply_delegation_with_clone", |b| {
        b.iter_batched(
            || f.accounts.clone(),
            |mut accounts| accounts.apply(black_box(&f.next)).map(|_| accounts),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

/// What `criterion_group!` and `criterion_main!` expand to, written out: the macros' generated
/// `pub fn` has no documentation, which the crate's `missing_docs = "deny"` rejects.
fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    accounts(&mut criterion);
    criterion.final_summary();
}
