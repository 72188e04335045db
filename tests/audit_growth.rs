//! Audit of issue 14 (finding F6): the cost of asking for the account view after every operation,
//! as `Replica::ingest` does (`src/replica/ingest.rs`: the head before and after each applied
//! operation). Work is counted by allocations, as in `tests/growth.rs`, never timed.
//!
//! Run with `cargo test -p skylark --test audit_growth -- --nocapture` to see the counts. The
//! allocation counter is global, so the tests take turns (`SERIAL`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::alloc::System;

use skylark::account::{Accounts, Operation};
use skylark::envelope::SignedMessage;
use skylark::keys::SecretKey;
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

#[path = "support/account_shapes.rs"]
mod account_shapes;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Held by each test while it counts: another test's allocations would count too.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

const SIZES: [usize; 4] = [128, 256, 512, 1024];
const MAX_GROWTH: f64 = 3.0;

fn key(n: u8) -> SecretKey {
    SecretKey::from_seed([n; 32])
}

/// An account `[R0, R1]` whose top root retired itself (`[R0', R1]`, signed by `R0`), and an
/// everyday branch below it; then the leaked retired `R0` signs `n` children of the genesis. By
/// 06 §8.1 they count for nothing at the genesis (the honest branch holds `R0`'s self-retirement
/// and an `R1` signature), so the view never changes — but each one lands off the chain.
fn leaked_retired_root_floods_the_genesis(n: usize) -> Vec<SignedMessage> {
    let (r0, r1, r0new) = (key(1), key(2), key(3));
    let g = Operation::genesis(&[r0.public_key(), r1.public_key()], 1)
        .unwrap()
        .accepted_by(&r1)
        .unwrap()
        .sign(&r0)
        .unwrap();
    let account = Accounts::account_id(&g);
    let retire = Operation::roots(account, g.id(), &[r0new.public_key(), r1.public_key()], 2)
        .unwrap()
        .accepted_by(&r0new)
        .unwrap()
        .draft()
        .unwrap()
        .after(&g)
        .sign(&r0)
        .unwrap();
    let everyday = Operation::enckey(account, retire.id(), [1; 32], 1, 3)
        .unwrap()
        .sign(&r1)
        .unwrap();
    let mut ops = vec![g.clone(), retire.clone(), everyday];
    let mut last = retire;
    for i in 0..n {
        let op = Operation::enckey(account, g.id(), [2; 32], i as u64 + 1, 10)
            .unwrap()
            .draft()
            .unwrap()
            .after(&last)
            .sign(&r0)
            .unwrap();
        last = op.clone();
        ops.push(op);
    }
    ops
}

/// Applies each operation and asks for the view before and after it, like `Replica::ingest`.
fn ingest_like_a_replica(ops: &[SignedMessage]) -> Accounts {
    let account = Accounts::account_id(&ops[0]);
    let mut accounts = Accounts::new();
    for op in ops {
        let before = accounts.account(&account).map(|v| v.head());
        let _ = accounts.apply(op);
        let after = accounts.account(&account).map(|v| v.head());
        std::hint::black_box((before, after));
    }
    accounts
}

fn allocations(f: impl Fn() -> Accounts) -> usize {
    (0..3)
        .map(|_| {
            let region = Region::new(GLOBAL);
            let out = f();
            let stats = region.change();
            drop(out);
            stats.allocations + stats.reallocations
        })
        .min()
        .unwrap()
}

#[test]
fn view_after_each_operation_grows_as_n_log_n() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut costs = Vec::new();
    for n in SIZES {
        let ops = leaked_retired_root_floods_the_genesis(n);
        let accounts = ingest_like_a_replica(&ops);
        let view = accounts.account(&Accounts::account_id(&ops[0])).unwrap();
        assert_eq!(view.head(), ops[2].id(), "the flood never changes the view");
        costs.push(allocations(|| ingest_like_a_replica(&ops)));
    }
    let worst = costs
        .windows(2)
        .map(|p| p[1] as f64 / p[0] as f64)
        .fold(0.0, f64::max);
    eprintln!("allocations at n = {SIZES:?}: {costs:?}, worst growth {worst:.2}x per doubling");
    assert!(worst <= MAX_GROWTH, "{costs:?}: {worst:.2}x per doubling");
}

/// An account `[R0, R1]` with one app key that wrote `n` notes, then `n` operations of `R1`, each
/// at the head (encryption keys, versions 1..=n): every one changes the head, so 06 §9.4 ("MUST
/// recompute the verdicts of an account's messages when the account's head or head state
/// changes") and `Replica::account_changed` re-validate all `n` notes each time — although no
/// grant changed.
fn notes_then_head_operations(n: usize) -> Vec<SignedMessage> {
    use skylark::envelope::{Draft, Kind};
    let (r0, r1, app) = (key(1), key(2), key(3));
    let g = Operation::genesis(&[r0.public_key(), r1.public_key()], 1_000)
        .unwrap()
        .accepted_by(&r1)
        .unwrap()
        .sign(&r0)
        .unwrap();
    let account = Accounts::account_id(&g);
    let d = Operation::delegate(account, g.id(), app.public_key(), &[], 1 << 40, None, 1_500)
        .unwrap()
        .accepted_by(&app)
        .unwrap()
        .sign(&r1)
        .unwrap();
    let mut out = vec![g, d.clone()];
    let mut last: Option<SignedMessage> = None;
    for i in 0..n {
        let draft = Draft::new(
            account,
            Kind::new("com.example.note").unwrap(),
            2_000 + i as u64,
            &skylark::cbor::Map::new(),
        )
        .unwrap();
        let note = match &last {
            Some(p) => draft.after(p),
            None => draft,
        }
        .sign(&app)
        .unwrap();
        last = Some(note.clone());
        out.push(note);
    }
    let mut head = d;
    for i in 0..n {
        let op = Operation::enckey(account, head.id(), [7; 32], i as u64 + 1, 3_000 + i as u64)
            .unwrap()
            .draft()
            .unwrap()
            .after(&head)
            .sign(&r1)
            .unwrap();
        head = op.clone();
        out.push(op);
    }
    out
}

#[test]
fn head_changes_revalidate_only_what_changed() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    use skylark::replica::{Replica, Status};
    const SIZES: [usize; 4] = [32, 64, 128, 256];
    let mut costs = Vec::new();
    for n in SIZES {
        let msgs = notes_then_head_operations(n);
        let run = || {
            let mut replica = Replica::new(1 << 41);
            for m in &msgs {
                let _ = replica.ingest(m.as_bytes()).unwrap();
            }
            replica
        };
        let replica = run();
        assert!(msgs
            .iter()
            .all(|m| replica.status(&m.id()) == Some(&Status::Valid)));
        costs.push(
            (0..3)
                .map(|_| {
                    let region = Region::new(GLOBAL);
                    let out = run();
                    let stats = region.change();
                    drop(out);
                    stats.allocations + stats.reallocations
                })
                .min()
                .unwrap(),
        );
    }
    let worst = costs
        .windows(2)
        .map(|p| p[1] as f64 / p[0] as f64)
        .fold(0.0, f64::max);
    eprintln!("allocations at n = {SIZES:?} notes and n head operations: {costs:?}, worst growth {worst:.2}x per doubling");
    assert!(worst <= MAX_GROWTH, "{costs:?}: {worst:.2}x per doubling");
}

/// Signs `op` as `key`'s next message after `last`, and remembers it as the last.
fn sign_after(op: &Operation, key: &SecretKey, last: &mut Option<SignedMessage>) -> SignedMessage {
    let draft = op.draft().unwrap();
    let signed = match last.as_ref() {
        Some(p) => draft.after(p),
        None => draft,
    }
    .sign(key)
    .unwrap();
    *last = Some(signed.clone());
    signed
}

/// Finding W4: a witnessed account (witnesses 0, 1, 2, threshold 2) whose root signs a chain of
/// `n` operations, and whose lower root signs `n / 4` children of the genesis (off the chain);
/// then witness 0 receipts every chain operation oldest first, witness 1 newest first, and
/// witness 2 every operation off the chain (duplicitous from its second). Almost no receipt is
/// over the head, and the view is asked for before and after each message.
fn receipts_over_old_operations(n: usize) -> Vec<SignedMessage> {
    use account_shapes::{root, second_root, witness, witnessed_genesis};
    let g = witnessed_genesis();
    let account = Accounts::account_id(&g);
    let mut ops = vec![g.clone()];
    let (mut root_last, mut second_last) = (Some(g.clone()), None);
    let mut chain = Vec::new();
    for i in 0..n {
        let parent = chain.last().map_or(g.id(), |op: &SignedMessage| op.id());
        let op =
            Operation::enckey(account, parent, [3; 32], i as u64 + 1, 2_000 + i as u64).unwrap();
        chain.push(sign_after(&op, &root(), &mut root_last));
    }
    let mut off = Vec::new();
    for i in 0..n / 4 {
        let op =
            Operation::enckey(account, g.id(), [4; 32], i as u64 + 1, 2_000 + i as u64).unwrap();
        off.push(sign_after(&op, &second_root(), &mut second_last));
    }
    ops.extend(chain.iter().cloned());
    ops.extend(off.iter().cloned());
    let mut receipts = |w: u8, over: &mut dyn Iterator<Item = &SignedMessage>| {
        let mut last = None;
        for (i, op) in over.enumerate() {
            let receipt = Operation::receipt(account, op.id(), 5_000 + i as u64);
            ops.push(sign_after(&receipt, &witness(w), &mut last));
        }
    };
    receipts(0, &mut chain.iter());
    receipts(1, &mut chain.iter().rev());
    receipts(2, &mut off.iter());
    ops
}

#[test]
fn view_after_each_receipt_grows_as_n_log_n() {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut costs = Vec::new();
    for n in SIZES {
        let ops = receipts_over_old_operations(n);
        let accounts = ingest_like_a_replica(&ops);
        let view = accounts.account(&Accounts::account_id(&ops[0])).unwrap();
        assert_eq!(view.head(), ops[n].id(), "the chain's last operation");
        assert_eq!(view.last_final(), Some(ops[n].id()), "all final");
        assert_eq!(view.duplicitous(), &[witness_key(2)]);
        costs.push(allocations(|| ingest_like_a_replica(&ops)));
    }
    let worst = costs
        .windows(2)
        .map(|p| p[1] as f64 / p[0] as f64)
        .fold(0.0, f64::max);
    eprintln!(
        "receipts: allocations at n = {SIZES:?}: {costs:?}, worst growth {worst:.2}x per doubling"
    );
    assert!(worst <= MAX_GROWTH, "{costs:?}: {worst:.2}x per doubling");
}

fn witness_key(i: u8) -> skylark::keys::PublicKey {
    account_shapes::witness(i).public_key()
}
