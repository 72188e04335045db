//! Audit of issue 14 (findings F6, F7, W4): the cost of asking for the account view after every
//! operation or receipt, as `Replica::ingest` does (`src/replica/ingest.rs`: the head state before
//! and after each applied operation), and of head changes over many messages. Work is counted by
//! allocations, as in `tests/growth.rs`, never timed; the shapes are in
//! `tests/support/account_shapes.rs`, shared with `benches/hostile.rs`.
//!
//! Run with `cargo test -p skylark --test audit_growth -- --nocapture` to see the counts. The
//! allocation counter is global, so the tests take turns (`SERIAL`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::alloc::System;

use account_shapes::{
    ingest_from, ingest_like_a_replica, leaked_retired_root_floods_the_genesis,
    notes_then_head_operations, receipts_over_old_operations,
};
use skylark::account::Accounts;
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

#[path = "support/account_shapes.rs"]
mod account_shapes;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Held by each test while it counts: another test's allocations would count too.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

const SIZES: [usize; 4] = [128, 256, 512, 1024];
const MAX_GROWTH: f64 = 3.0;

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

/// Audit-wm WM4/WM5: below `m` ties of one key's leaves, continued, the tie's key extends the head
/// and one witness of two receipts the chain, the view asked for before and after each message:
/// the cache recomputes only for an arrival that can change a tie (a receipt that makes a tied
/// fork's child final, a key that outranks the tie or retires itself under its chosen child), so
/// this flood costs `O(log n)` a message, amortized.
#[test]
fn view_after_each_message_below_continued_ties_grows_as_n_log_n() {
    flood_grows_as_n_log_n(
        "below continued ties",
        MAX_GROWTH,
        account_shapes::tie_key_floods_below_continued_ties,
        |view, ops, _| {
            assert_eq!(view.head(), ops[ops.len() - 2].id(), "the last operation");
            assert!(view.contested().is_empty() && view.last_final().is_none());
        },
    );
}

/// The allocations of a flood of `shape(n)` (the setup applied first, then each message of the
/// flood with the view asked for before and after it), checked by `check` (the view, the messages
/// and the setup's length) at each size of `SIZES`;
/// fails if they grow more than `max` per doubling.
fn flood_grows_as_n_log_n(
    label: &str,
    max: f64,
    shape: impl Fn(usize) -> (Vec<skylark::envelope::SignedMessage>, usize),
    check: impl Fn(&skylark::account::AccountView<'_>, &[skylark::envelope::SignedMessage], usize),
) {
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut costs = Vec::new();
    for n in SIZES {
        let (ops, setup) = shape(n);
        let account = Accounts::account_id(&ops[0]);
        let run = || {
            let mut accounts = Accounts::new();
            for op in &ops[..setup] {
                let _ = accounts.apply(op);
            }
            ingest_from(accounts, account, &ops[setup..])
        };
        let accounts = run();
        check(&accounts.account(&account).unwrap(), &ops, setup);
        costs.push(allocations(run));
    }
    let worst = costs
        .windows(2)
        .map(|p| p[1] as f64 / p[0] as f64)
        .fold(0.0, f64::max);
    eprintln!(
        "{label}: allocations at n = {SIZES:?}: {costs:?}, worst growth {worst:.2}x per doubling"
    );
    assert!(worst <= max, "{label}: {costs:?}: {worst:.2}x per doubling");
}

/// Audit-wm2 WM2A-3: receipts over the chain, and over one child each of its last operation, while
/// the chain ends in a tie of one key's leaves or a contest (the view asked for before and after
/// each message). No receipt of the flood can change the chain, and the cached chain keeps each
/// one in `O(log n)`: before the fix every receipt recomputed it (`O(n^2 log n)` for the flood).
#[test]
fn view_after_each_receipt_beside_a_tie_or_contest_at_the_end_grows_as_n_log_n() {
    for contest in [false, true] {
        let label = if contest {
            "receipts beside a contest at the end"
        } else {
            "receipts beside a tie at the end"
        };
        flood_grows_as_n_log_n(
            label,
            2.5,
            |n| account_shapes::receipts_beside_the_end(n, contest),
            |view, ops, setup| {
                // The chain's last operation `P`, before the two children (and their children).
                let p = ops[setup - if contest { 5 } else { 3 }].id();
                assert_eq!(view.contested().is_empty(), !contest);
                assert_eq!(view.last_final(), Some(p), "every chain operation final");
                assert!(view.duplicitous().is_empty());
                if contest {
                    assert_eq!(view.head(), p, "contested at P");
                } else {
                    assert_ne!(view.head(), p, "a tied leaf below P");
                }
            },
        );
    }
}

/// Audit-wm2 WM2A-2: beside a met commitment (06 §8.1), the thief of the revealed key alone floods
/// below the copy it defeats (operations and revocations, which are not carried) and with leaf
/// copies at its parent, the view asked for before and after each message: none can change the
/// choice there, so the cache keeps each for `O(log n)` ([`account_shapes::revealed_key_floods_beside_a_met_commitment`]).
/// Before the fix each recomputed the chain (3.3 to 5.1x per doubling, timed).
#[test]
fn view_after_each_operation_beside_a_met_commitment_grows_as_n_log_n() {
    flood_grows_as_n_log_n(
        "beside a met commitment",
        MAX_GROWTH,
        account_shapes::revealed_key_floods_beside_a_met_commitment,
        |view, ops, _| {
            assert_eq!(view.head(), ops[3].id(), "the owner's met commitment");
            assert!(view.contested().is_empty());
        },
    );
}
