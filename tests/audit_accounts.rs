//! Audit of the account rules of issue 14 (06 §8, §9; security.md §5): reproductions of the
//! findings in `audits/2026-12-05-accounts.md`.
//!
//! Tests marked `#[ignore = "finding ..."]` assert the behaviour the spec promises (or that an
//! attacker must not get) and FAIL on the current code: they are open findings, run them with
//! `cargo test -p skylark --test audit_accounts -- --ignored`. The unmarked tests pass: regression
//! tests of fixed findings (F1, F2, F3, F4, F8, F10), outcomes the spec admits, or invariants that
//! hold.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use skylark::account::{
    next_commitment, AccountError, Accounts, Operation, Revocation, WitnessSet,
};
use skylark::envelope::{Header, SignedMessage};
use skylark::id::{AccountId, MessageId};
use skylark::keys::{PublicKey, SecretKey};
use skylark::message::{AuthError, Authorization, BodyKind, Follow};

#[allow(dead_code)]
#[path = "support/account_json.rs"]
mod account_json;
#[path = "support/vectors.rs"]
mod vectors;

fn key(n: u8) -> SecretKey {
    SecretKey::from_seed([n; 32])
}

/// Signs `op` at sequence number `seq` of `signer`'s history, following `prev`.
fn at(op: &Operation, signer: &SecretKey, seq: u64, prev: Option<&SignedMessage>) -> SignedMessage {
    op.draft()
        .unwrap()
        .at(seq, prev.map(|p| p.id()))
        .unwrap()
        .sign(signer)
        .unwrap()
}

/// Signs `op` as the message after `prev` of `signer` (or its first message).
fn next(op: &Operation, signer: &SecretKey, prev: Option<&SignedMessage>) -> SignedMessage {
    let draft = op.draft().unwrap();
    match prev {
        Some(p) => draft.after(p).sign(signer).unwrap(),
        None => draft.sign(signer).unwrap(),
    }
}

fn apply_all<'a>(ops: impl IntoIterator<Item = &'a SignedMessage>) -> Accounts {
    let mut accounts = Accounts::new();
    for op in ops {
        let _ = accounts.apply(op);
    }
    accounts
}

/// What two nodes compare (06 §6): head, roots, app keys with grants, contested list, enc key.
fn summary(accounts: &Accounts, account: &AccountId) -> String {
    let Some(view) = accounts.account(account) else {
        return "unknown".into();
    };
    let apps: Vec<String> = view
        .apps()
        .map(|(k, g)| format!("{k}:{:?}:{}:{:?}", g.scope(), g.expires(), g.revocation()))
        .collect();
    format!(
        "head={} roots={:?} apps={apps:?} contested={:?} enc={:?} final={:?} duplicitous={:?} \
         deactivated={:?}",
        view.head(),
        view.roots(),
        view.contested(),
        view.encryption_key(),
        view.last_final(),
        view.duplicitous(),
        view.deactivated()
    )
}

fn revocation_of(accounts: &Accounts, account: &AccountId, app: &PublicKey) -> Option<Revocation> {
    accounts
        .account(account)
        .and_then(|v| v.app(app))
        .and_then(|g| g.revocation())
}

/// Every permutation of `ops` (at most 7 of them) gives the same summary.
fn same_in_every_order(ops: &[&SignedMessage], account: &AccountId) -> String {
    let expected = summary(&apply_all(ops.iter().copied()), account);
    let mut idx: Vec<usize> = (0..ops.len()).collect();
    permute(&mut idx, 0, &mut |p| {
        let got = summary(&apply_all(p.iter().map(|&i| ops[i])), account);
        assert_eq!(got, expected, "order {p:?}");
    });
    expected
}

fn permute(v: &mut Vec<usize>, k: usize, f: &mut impl FnMut(&[usize])) {
    if k == v.len() {
        f(v);
        return;
    }
    for i in k..v.len() {
        v.swap(k, i);
        permute(v, k + 1, f);
        v.swap(k, i);
    }
}

/// An account `[R0, R1]` whose everyday root `R1` delegated `phone` (after the genesis).
struct TwoRoots {
    r0: SecretKey,
    r1: SecretKey,
    account: AccountId,
    g: SignedMessage,
    d: SignedMessage,
    phone: SecretKey,
}

fn two_roots() -> TwoRoots {
    let (r0, r1, phone) = (key(1), key(2), key(3));
    let g = Operation::genesis(&[r0.public_key(), r1.public_key()], 1)
        .unwrap()
        .accepted_by(&r1)
        .unwrap()
        .sign(&r0)
        .unwrap();
    let account = Accounts::account_id(&g);
    let d = next(
        &Operation::delegate(account, g.id(), phone.public_key(), &[], 1_000_000, None, 2)
            .unwrap()
            .accepted_by(&phone)
            .unwrap(),
        &r1,
        None,
    );
    TwoRoots {
        r0,
        r1,
        account,
        g,
        d,
        phone,
    }
}

// ---------------------------------------------------------------------------------------------
// F1. AUTH-6: the remembered walk denies a kept first message (seq 1) after it has walked past it.
// ---------------------------------------------------------------------------------------------

fn follow(
    account: AccountId,
    n: u8,
    time: u64,
    previous: Option<&SignedMessage>,
    signer: &SecretKey,
) -> SignedMessage {
    let draft = Follow::new(AccountId::from_bytes([n; 32]))
        .draft(account, time)
        .unwrap();
    match previous {
        Some(p) => draft.after(p).sign(signer).unwrap(),
        None => draft.sign(signer).unwrap(),
    }
}

/// The cutoff keeps m1..m3 (m1 has no `prev`). After a query for another seq-1 message of the key
/// (the thief's f1) has walked the cache down to m1, the honest m1 itself is denied: the remembered
/// walk stopped at a header without `prev` without recording it, while the walk of 06 §9.2 reaches
/// `x = m` and authorizes. A fresh state (or another order of queries) authorizes m1.
#[test]
fn f1_remembered_walk_denies_kept_first_message_after_a_seq1_fork() {
    let t = two_roots();
    let app = &t.phone;
    let m1 = follow(t.account, 10, 100, None, app);
    let m2 = follow(t.account, 11, 101, Some(&m1), app);
    let m3 = follow(t.account, 12, 102, Some(&m2), app);
    // The thief of the app key starts another history at seq 1.
    let f1 = follow(t.account, 66, 100, None, app);
    let rv = next(
        &Operation::revoke(
            t.account,
            t.d.id(),
            app.public_key(),
            Some(Revocation::After {
                seq: 3,
                id: m3.id(),
            }),
            200,
        )
        .unwrap(),
        &t.r1,
        Some(&t.d),
    );
    let accounts = apply_all([&t.g, &t.d, &rv]);
    let store: BTreeMap<MessageId, Header> = [&m1, &m2, &m3, &f1]
        .iter()
        .map(|m| (m.id(), m.header().clone()))
        .collect();
    let lookup = |id: &MessageId| store.get(id).cloned();
    let fresh = accounts.clone();
    assert_eq!(
        fresh.authorize(m1.header(), lookup),
        Authorization::Authorized,
        "06 §9.2: m1 is an ancestor of the cutoff"
    );
    // Another node answers queries in another order: m2, then the thief's f1, then m1.
    assert_eq!(
        accounts.authorize(m2.header(), lookup),
        Authorization::Authorized
    );
    assert_eq!(
        accounts.authorize(f1.header(), lookup),
        Authorization::Denied(AuthError::Revoked)
    );
    assert_eq!(
        accounts.authorize(m1.header(), lookup),
        Authorization::Authorized,
        "the same question, the same applied set and headers: the answer must not depend on the \
         order of earlier queries (GEN-4)"
    );
}

// ---------------------------------------------------------------------------------------------
// F2. 06 §8.4: a superseded revocation is dropped when its superseder is itself not on the chain.
// ---------------------------------------------------------------------------------------------

/// The owner's `R1` revokes the phone (a leaf `rv`). A thief of `R1` (or a confused client) signs
/// `x` superseding `rv` and `z` superseding `x`: `x` is superseded and off the chain, so 06 §8.4
/// case 3 ("every valid revoke that X supersedes", X on the chain) never reaches `rv`. The phone
/// is valid again — the "exception, closed" of 06 §11.6 is open through a chain of two.
#[test]
fn f2_chained_supersession_unrevokes() {
    let t = two_roots();
    let rv = next(
        &Operation::revoke(t.account, t.d.id(), t.phone.public_key(), None, 3).unwrap(),
        &t.r1,
        Some(&t.d),
    );
    let x = next(
        &Operation::enckey(t.account, t.d.id(), [1; 32], 1, 4)
            .unwrap()
            .supersedes(rv.id())
            .unwrap(),
        &t.r1,
        Some(&rv),
    );
    let z = next(
        &Operation::enckey(t.account, t.d.id(), [2; 32], 1, 5)
            .unwrap()
            .supersedes(x.id())
            .unwrap(),
        &t.r1,
        Some(&x),
    );
    let s = same_in_every_order(&[&t.g, &t.d, &rv, &x, &z], &t.account);
    let accounts = apply_all([&t.g, &t.d, &rv, &x, &z]);
    assert_eq!(accounts.account(&t.account).unwrap().head(), z.id(), "{s}");
    assert_eq!(
        revocation_of(&accounts, &t.account, &t.phone.public_key()),
        Some(Revocation::All),
        "06 §8.4: a fork never makes a revoked key valid again; no supersession undoes a revocation"
    );
}

/// Same hole, one supersession: `x` supersedes the revocation `rv`, and a plain leaf `w` of the same
/// key ties with `x`. When `w` has the smaller id it is the head; `x` is a tied leaf that is not a
/// revoke (case 2 lists only revokes among the tied leaves) and `rv` is neither tied nor superseded
/// by the head (case 3). The revocation is gone.
#[test]
fn f2_superseded_revocation_lost_through_a_leaf_tie() {
    let t = two_roots();
    let rv = next(
        &Operation::revoke(t.account, t.d.id(), t.phone.public_key(), None, 3).unwrap(),
        &t.r1,
        Some(&t.d),
    );
    // Grind the time of `w` until its id is below `x`'s (one try in two).
    let x = next(
        &Operation::enckey(t.account, t.d.id(), [1; 32], 1, 4)
            .unwrap()
            .supersedes(rv.id())
            .unwrap(),
        &t.r1,
        Some(&rv),
    );
    let w = (5..)
        .map(|time| {
            at(
                &Operation::enckey(t.account, t.d.id(), [2; 32], 1, time).unwrap(),
                &t.r1,
                9,
                Some(&x),
            )
        })
        .find(|w| w.id() < x.id())
        .unwrap();
    let s = same_in_every_order(&[&t.g, &t.d, &rv, &x, &w], &t.account);
    let accounts = apply_all([&t.g, &t.d, &rv, &x, &w]);
    let view = accounts.account(&t.account).unwrap();
    assert_eq!(view.head(), w.id(), "{s}");
    assert!(view.contested().is_empty());
    assert_eq!(
        revocation_of(&accounts, &t.account, &t.phone.public_key()),
        Some(Revocation::All),
        "06 §8.4: no tie or supersession undoes a revocation"
    );
}

/// Same hole through a contest: `x` supersedes the revocation `rv`; the thief's `w` (with a child
/// `w2`) ties `x` (with a child `x2`, so that both are continued: since F3's fix one continued leaf
/// would simply win) at `R1`'s rank, so `d` is contested. Case 1 took the revokes of the contested
/// subtrees *of the fork-choice tree*, which excluded the superseded `rv`.
#[test]
fn f2_superseded_revocation_lost_through_a_contest() {
    let t = two_roots();
    let rv = next(
        &Operation::revoke(t.account, t.d.id(), t.phone.public_key(), None, 3).unwrap(),
        &t.r1,
        Some(&t.d),
    );
    let x = next(
        &Operation::enckey(t.account, t.d.id(), [1; 32], 1, 4)
            .unwrap()
            .supersedes(rv.id())
            .unwrap(),
        &t.r1,
        Some(&rv),
    );
    let w = next(
        &Operation::enckey(t.account, t.d.id(), [2; 32], 1, 5).unwrap(),
        &t.r1,
        Some(&x),
    );
    let w2 = next(
        &Operation::enckey(t.account, w.id(), [3; 32], 2, 6).unwrap(),
        &t.r1,
        Some(&w),
    );
    let x2 = next(
        &Operation::enckey(t.account, x.id(), [4; 32], 2, 7).unwrap(),
        &t.r1,
        Some(&w2),
    );
    let s = same_in_every_order(&[&t.g, &t.d, &rv, &x, &w, &w2, &x2], &t.account);
    let accounts = apply_all([&t.g, &t.d, &rv, &x, &w, &w2, &x2]);
    let view = accounts.account(&t.account).unwrap();
    assert_eq!(view.head(), t.d.id(), "{s}");
    assert_eq!(view.contested().len(), 2);
    assert_eq!(
        revocation_of(&accounts, &t.account, &t.phone.public_key()),
        Some(Revocation::All),
        "06 §8.4: a contest never restores a key"
    );
}

// ---------------------------------------------------------------------------------------------
// F3. 06 §8.1 / §11.6: a tie of one key's leaves only postpones the freeze to the next operation.
// ---------------------------------------------------------------------------------------------

/// Two devices of the everyday root each sign one leaf after `d` (`a`, `b`): a tie of one key's
/// leaves, the smaller id is the head, no contest — as §13.1 item 8 promises. Then the device
/// that follows the head, as 06 §11.6 says it SHOULD ("operations SHOULD follow the current
/// head"), signs `c` below it: `d` is now contested (a tie of histories at `R1`'s rank) and the
/// account is frozen until the offline `R0` signs. An honest second device still freezes the
/// account, one operation later.
#[test]
fn f3_following_the_head_after_a_leaf_tie_freezes() {
    let t = two_roots();
    let a = next(
        &Operation::enckey(t.account, t.d.id(), [1; 32], 1, 3).unwrap(),
        &t.r1,
        Some(&t.d),
    );
    // The second device has the same root key, and its own idea of the key's history.
    let b = next(
        &Operation::enckey(t.account, t.d.id(), [2; 32], 1, 3).unwrap(),
        &t.r1,
        Some(&t.d),
    );
    let accounts = apply_all([&t.g, &t.d, &a, &b]);
    let head = accounts.account(&t.account).unwrap().head();
    assert_eq!(head, a.id().min(b.id()));
    assert!(accounts.account(&t.account).unwrap().contested().is_empty());
    let winner = if head == a.id() { &a } else { &b };
    let c = next(
        &Operation::enckey(t.account, head, [3; 32], 2, 4).unwrap(),
        &t.r1,
        Some(winner),
    );
    let s = same_in_every_order(&[&t.g, &t.d, &a, &b, &c], &t.account);
    let accounts = apply_all([&t.g, &t.d, &a, &b, &c]);
    let view = accounts.account(&t.account).unwrap();
    assert!(
        view.contested().is_empty(),
        "an honest operation that follows the head must not freeze the account: {s}"
    );
    assert_eq!(view.head(), c.id());
}

/// `R1`'s revocation of the phone with cutoff `(seq, id)` below `d`, superseding `R1`'s `rv`.
fn superseding_cutoff(t: &TwoRoots, rv: &SignedMessage, seq: u64, id: MessageId) -> SignedMessage {
    let op = Operation::revoke(
        t.account,
        t.d.id(),
        t.phone.public_key(),
        Some(Revocation::After { seq, id }),
        201,
    )
    .unwrap();
    next(&op.supersedes(rv.id()).unwrap(), &t.r1, Some(rv))
}

// ---------------------------------------------------------------------------------------------
// F4. 06 §8.4: the "stronger" of two cutoffs on different histories is not the one that keeps
// fewer messages: a thief's cutoff on his own fork replaces the owner's.
// ---------------------------------------------------------------------------------------------

/// The phone key and the everyday root are stolen. The owner revokes the phone with cutoff
/// `(5, m5)` (its last honest message), signed with `R1`. The thief forks the phone's history after
/// `m2` (`t3`) and signs with `R1` a revocation of the phone with cutoff `(3, t3)` that supersedes
/// the owner's. Both revocations apply (06 §8.4 case 3) and the "stronger" is the smaller
/// `(seq, id)`: the thief's. His forged `t3` is authorized; the honest `m3`..`m5` are refused.
/// The rule is said to keep "the one that keeps fewer messages of the key's history"; on two
/// different histories neither keeps fewer, and the merge should keep what *both* keep (m1, m2).
#[test]
fn f4_thief_cutoff_on_his_fork_replaces_the_owners_cutoff() {
    let t = two_roots();
    let app = &t.phone;
    let mut honest: Vec<SignedMessage> = Vec::new();
    for i in 0..5u8 {
        let m = follow(t.account, 10 + i, 100 + u64::from(i), honest.last(), app);
        honest.push(m);
    }
    let t3 = follow(t.account, 66, 102, Some(&honest[1]), app);
    let rv = next(
        &Operation::revoke(
            t.account,
            t.d.id(),
            app.public_key(),
            Some(Revocation::After {
                seq: 5,
                id: honest[4].id(),
            }),
            200,
        )
        .unwrap(),
        &t.r1,
        Some(&t.d),
    );
    let x = superseding_cutoff(&t, &rv, 3, t3.id());
    let accounts = apply_all([&t.g, &t.d, &rv, &x]);
    assert_eq!(accounts.account(&t.account).unwrap().head(), x.id());
    let store: BTreeMap<MessageId, Header> = honest
        .iter()
        .chain([&t3])
        .map(|m| (m.id(), m.header().clone()))
        .collect();
    let lookup = |id: &MessageId| store.get(id).cloned();
    assert_eq!(
        accounts.authorize(honest[1].header(), lookup),
        Authorization::Authorized
    );
    assert_eq!(
        accounts.authorize(t3.header(), lookup),
        Authorization::Denied(AuthError::Revoked),
        "the thief's forged message must not be kept by a revocation the owner never signed"
    );
}

// ---------------------------------------------------------------------------------------------
// F5. 06 §8.4 / security.md §5.7: a thief of the root that signed a revocation undoes it by a
// sibling that forges that root's self-retirement (no higher root involved).
// ---------------------------------------------------------------------------------------------

/// The owner revokes the phone with `R1` (not yet endorsed by `R0`). A thief of `R1` signs, as a
/// sibling of the revocation, a `roots` operation `[R0, X]` — a self-retirement of `R1`. `R1` then
/// counts for nothing under the revocation's branch, the thief's branch wins by strength, and the
/// phone is valid again. 06 §11.4 admits this ("if the thief's branch holds R1's self-retirement
/// and C's does not ... the thief wins"), but 06 §8.4 says a revocation is lost only "to a
/// signature of a higher-priority root, which is the owner's recovery", and security.md §5.7's
/// app-key row says "a revocation is never undone by a fork". This test pins the admitted outcome.
#[test]
fn f5_forged_self_retirement_undoes_a_same_rank_revocation() {
    let t = two_roots();
    let rv = next(
        &Operation::revoke(t.account, t.d.id(), t.phone.public_key(), None, 3).unwrap(),
        &t.r1,
        Some(&t.d),
    );
    let thief = key(66);
    let forged = next(
        &Operation::roots(
            t.account,
            t.d.id(),
            &[t.r0.public_key(), thief.public_key()],
            3,
        )
        .unwrap()
        .accepted_by(&thief)
        .unwrap(),
        &t.r1,
        Some(&rv),
    );
    let s = same_in_every_order(&[&t.g, &t.d, &rv, &forged], &t.account);
    let accounts = apply_all([&t.g, &t.d, &rv, &forged]);
    let view = accounts.account(&t.account).unwrap();
    assert_eq!(view.head(), forged.id(), "{s}");
    assert_eq!(
        revocation_of(&accounts, &t.account, &t.phone.public_key()),
        None,
        "the phone's revocation is undone by a fork without any higher root"
    );
    // The owner's remedy, R0 below the revocation, restores it.
    let fix = next(
        &Operation::roots(
            t.account,
            rv.id(),
            &[t.r0.public_key(), key(7).public_key()],
            4,
        )
        .unwrap()
        .accepted_by(&key(7))
        .unwrap(),
        &t.r0,
        Some(&t.g),
    );
    let accounts = apply_all([&t.g, &t.d, &rv, &forged, &fix]);
    assert_eq!(
        revocation_of(&accounts, &t.account, &t.phone.public_key()),
        Some(Revocation::All)
    );
}

// ---------------------------------------------------------------------------------------------
// Differential checks: the cached chain (fast path at the head, lazy recomputation) against a
// computation from scratch, and the remembered AUTH-6 walk against a fresh state.
// ---------------------------------------------------------------------------------------------

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A random tree of valid operations over four candidate roots, with self-retirements, other
/// rotations, delegations, revocations (some with cutoffs), encryption keys and supersessions.
fn random_tree(rng: &mut Rng) -> (AccountId, Vec<SignedMessage>) {
    random_tree_of(rng, &[])
}

/// As [`random_tree`], the genesis naming `witnesses` (threshold: more than half) if any; then
/// random receipts by them over random operations (ACCT-16), chained per witness.
fn random_tree_of(rng: &mut Rng, witnesses: &[SecretKey]) -> (AccountId, Vec<SignedMessage>) {
    random_tree_with(rng, witnesses, false)
}

/// As [`random_tree_of`]; with `bias`, a pool of six keys, a committed genesis, operations
/// crowded on the first three (so committed rotations of one parent, by one revealed key, meet
/// each other, the thief's siblings and supersessions), and rotations twice as likely.
fn random_tree_with(
    rng: &mut Rng,
    witnesses: &[SecretKey],
    bias: bool,
) -> (AccountId, Vec<SignedMessage>) {
    let size = if bias { 6 } else { 4 };
    let pool: Vec<SecretKey> = (1..=size as u8).map(key).collect();
    let mut genesis = Operation::genesis(&[pool[0].public_key(), pool[1].public_key()], 1)
        .unwrap()
        .accepted_by(&pool[1])
        .unwrap();
    if !witnesses.is_empty() {
        let keys: Vec<PublicKey> = witnesses.iter().map(SecretKey::public_key).collect();
        genesis = genesis
            .with_witnesses(&WitnessSet::new(&keys, keys.len() / 2 + 1).unwrap())
            .unwrap();
        for w in witnesses {
            genesis = genesis.accepted_by(w).unwrap();
        }
    }
    // Sometimes commit to the next roots (ACCT-14): a random ordered list with a key of the pool
    // that is not yet a root, so that a committed rotation can be signed.
    let commit = |rng: &mut Rng, ever: &[usize]| -> Option<Vec<usize>> {
        let fresh: Vec<usize> = (0..size).filter(|i| !ever.contains(i)).collect();
        if fresh.is_empty() || (rng.below(2) == 0 && !(bias && ever.len() == 2)) {
            return None;
        }
        let mut list: Vec<usize> = (0..size).filter(|_| rng.below(2) == 0).collect();
        if bias {
            list.truncate(3);
        }
        let pick = fresh[rng.below(fresh.len())];
        if !list.contains(&pick) {
            list.push(pick);
        }
        if rng.below(2) == 0 {
            list.reverse();
        }
        Some(list)
    };
    let committed_to = |list: &[usize]| {
        let keys: Vec<PublicKey> = list.iter().map(|&i| pool[i].public_key()).collect();
        next_commitment(&keys).unwrap()
    };
    let genesis_next = commit(rng, &[0, 1]);
    if let Some(list) = &genesis_next {
        genesis = genesis.with_next(committed_to(list)).unwrap();
    }
    let g = genesis.sign(&pool[0]).unwrap();
    let account = Accounts::account_id(&g);
    // Per operation: its id, roots (pool indices), app keys delegated on its path (and whether
    // revoked), enc version, the committed next roots and every root of its path; and the last
    // message of each signer.
    struct Node {
        id: MessageId,
        roots: Vec<usize>,
        apps: Vec<(u8, bool)>,
        enc: u64,
        next: Option<Vec<usize>>,
        ever: Vec<usize>,
        children: Vec<(MessageId, usize, bool)>, // id, signer, is-retirement
    }
    let mut nodes = vec![Node {
        id: g.id(),
        roots: vec![0, 1],
        apps: vec![],
        enc: 0,
        next: genesis_next,
        ever: vec![0, 1],
        children: vec![],
    }];
    let mut last: Vec<Option<SignedMessage>> = vec![None; size];
    last[0] = Some(g.clone());
    let mut ops = vec![g];
    let mut next_app = 100u8;
    let count = 4 + rng.below(8);
    for step in 0..count {
        let pi = rng.below(if bias {
            nodes.len().min(3)
        } else {
            nodes.len()
        });
        let mut signer = nodes[pi].roots[rng.below(nodes[pi].roots.len())];
        let (mut next_roots, mut ever) = (nodes[pi].next.clone(), nodes[pi].ever.clone());
        // In a committed state only the revealed key rotates, to the committed list (ACCT-14).
        let revealed = nodes[pi]
            .next
            .as_ref()
            .map(|list| list.iter().copied().find(|i| !nodes[pi].ever.contains(i)));
        let parent = nodes[pi].id;
        let time = 10 + step as u64;
        let (mut roots, mut apps, mut enc) = (
            nodes[pi].roots.clone(),
            nodes[pi].apps.clone(),
            nodes[pi].enc,
        );
        let mut retires = false;
        let mut pick = rng.below(5);
        if bias && matches!(revealed, Some(Some(_))) && rng.below(3) == 0 {
            pick = 0;
        }
        if pick == 0 && revealed == Some(None) {
            pick = 3; // a commitment nobody can meet: no rotation here
        }
        // Sometimes a deactivation (ACCT-11): what follows it is invalid, and it counts only as
        // the head (final, if its parent names witnesses).
        let ends = pick == 4 && rng.below(3) == 0;
        let op = match pick {
            // In a committed state a deactivation is an act of the next keys (ACCT-14): it names
            // the committed list and is signed by its revealed key.
            _ if ends => match (&nodes[pi].next, revealed) {
                (Some(committed), Some(Some(key))) => {
                    signer = key;
                    let keys: Vec<PublicKey> =
                        committed.iter().map(|&i| pool[i].public_key()).collect();
                    let mut op = Operation::deactivate(account, parent, time)
                        .revealing(&keys)
                        .unwrap();
                    for &i in committed {
                        op = op.accepted_by(&pool[i]).unwrap();
                    }
                    op
                }
                _ => Operation::deactivate(account, parent, time),
            },
            0 => {
                // A rotation: a random non-empty ordered subset of the pool, or the committed list
                // signed by its revealed key.
                let mut list: Vec<usize> = (0..size).filter(|_| rng.below(2) == 0).collect();
                if list.is_empty() {
                    list.push(rng.below(size));
                }
                list.truncate(4);
                if rng.below(2) == 0 {
                    list.reverse();
                }
                if let (Some(committed), Some(Some(key))) = (&nodes[pi].next, revealed) {
                    list = committed.clone();
                    signer = key;
                    if nodes[pi].children.iter().any(|c| c.1 == key) {
                        SIBLING_ROTATIONS.with(|c| c.set(c.get() + 1));
                    }
                }
                retires = !list.contains(&signer);
                roots = list.clone();
                for &i in &list {
                    if !ever.contains(&i) {
                        ever.push(i);
                    }
                }
                next_roots = commit(rng, &ever);
                let keys: Vec<PublicKey> = list.iter().map(|&i| pool[i].public_key()).collect();
                let mut op = Operation::roots(account, parent, &keys, time).unwrap();
                if let Some(next) = &next_roots {
                    op = op.with_next(committed_to(next)).unwrap();
                }
                // ACCT-10: the new roots accept; with a commitment, every root of the list.
                let committing = next_roots.is_some();
                for &i in list
                    .iter()
                    .filter(|i| committing || !nodes[pi].roots.contains(i))
                {
                    op = op.accepted_by(&pool[i]).unwrap();
                }
                op
            }
            1 | 2 if apps.iter().any(|a| !a.1) && rng.below(2) == 0 => {
                let live: Vec<usize> = (0..apps.len()).filter(|&i| !apps[i].1).collect();
                let i = live[rng.below(live.len())];
                apps[i].1 = true;
                let cutoff = (rng.below(2) == 0).then(|| Revocation::After {
                    seq: 1 + rng.below(3) as u64,
                    id: MessageId::from_bytes([rng.below(3) as u8; 32]),
                });
                Operation::revoke(account, parent, key(apps[i].0).public_key(), cutoff, time)
                    .unwrap()
            }
            1 | 2 => {
                next_app += 1;
                apps.push((next_app, false));
                Operation::delegate(
                    account,
                    parent,
                    key(next_app).public_key(),
                    &[],
                    1 << 40,
                    None,
                    time,
                )
                .unwrap()
                .accepted_by(&key(next_app))
                .unwrap()
            }
            _ => {
                enc += 1;
                Operation::enckey(account, parent, [enc as u8; 32], enc, time).unwrap()
            }
        };
        // Sometimes name an earlier sibling of the same signer (supersession, or a no-op).
        let siblings: Vec<(MessageId, usize, bool)> = nodes[pi]
            .children
            .iter()
            .copied()
            .filter(|c| c.1 == signer)
            .collect();
        let op = if !ends && !siblings.is_empty() && rng.below(2) == 0 {
            op.supersedes(siblings[rng.below(siblings.len())].0)
                .unwrap()
        } else {
            op
        };
        let signed = next(&op, &pool[signer], last[signer].as_ref());
        last[signer] = Some(signed.clone());
        nodes[pi].children.push((signed.id(), signer, retires));
        nodes.push(Node {
            id: signed.id(),
            roots,
            apps,
            enc,
            next: next_roots,
            ever,
            children: vec![],
        });
        ops.push(signed);
    }
    let mut witness_last: Vec<Option<SignedMessage>> = vec![None; witnesses.len()];
    for i in 0..witnesses.len() * ops.len() / 2 {
        let w = rng.below(witnesses.len());
        let over = ops[1 + rng.below(ops.len() - 1)].id();
        let receipt = Operation::receipt(account, over, 100 + i as u64);
        let signed = next(&receipt, &witnesses[w], witness_last[w].as_ref());
        witness_last[w] = Some(signed.clone());
        ops.push(signed);
    }
    (account, ops)
}

/// Applies `ops` in 4 random orders, asking for the view after each one (so the cache's fast paths
/// and its invalidation all run), and checks the view against `expected`.
fn agrees_in_random_orders(
    rng: &mut Rng,
    account: &AccountId,
    ops: &[SignedMessage],
    expected: &str,
    case: usize,
) {
    for _ in 0..4 {
        let mut order: Vec<usize> = (0..ops.len()).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i + 1));
        }
        let mut accounts = Accounts::new();
        for &i in &order {
            let _ = accounts.apply(&ops[i]);
            let _ = accounts.account(account).map(|v| v.head());
        }
        assert_eq!(
            summary(&accounts, account),
            expected,
            "case {case}, order {order:?}"
        );
    }
}

/// W4 and F6: with witnesses, receipts over any operation (on the chain, off it, by witnesses that
/// turn duplicitous) and operations anywhere, in random orders with the view asked for after each
/// one, give the view (final prefix and duplicitous witnesses included) of a computation from
/// scratch.
#[test]
fn cached_chain_with_receipts_agrees_with_a_computation_from_scratch() {
    let mut rng = Rng(86);
    let witnesses: Vec<SecretKey> = (40..43).map(key).collect();
    let (mut finals, mut duplicitous, mut ended) = (0, 0, 0);
    for case in 0..300 {
        let (account, ops) = random_tree_of(&mut rng, &witnesses[..1 + case % 3]);
        let reference = apply_all(&ops);
        let view = reference.account(&account).unwrap();
        finals += usize::from(view.last_final().is_some());
        duplicitous += usize::from(!view.duplicitous().is_empty());
        ended += usize::from(view.deactivated().is_some());
        agrees_in_random_orders(
            &mut rng,
            &account,
            &ops,
            &summary(&reference, &account),
            case,
        );
    }
    assert!(
        finals > 30 && duplicitous > 30 && ended > 1,
        "{finals} {duplicitous} {ended}"
    );
}

/// The view after applying every operation in a random order, asking for the view after each one
/// (so the cache's fast path and its invalidation both run), equals the view of a state that
/// applied them in generation order and asked once.
#[test]
fn cached_chain_agrees_with_a_computation_from_scratch() {
    let mut rng = Rng(14);
    let (mut contested, mut off_last, mut revoked, mut ended) = (0, 0, 0, 0);
    for case in 0..400 {
        let (account, ops) = random_tree(&mut rng);
        let reference = apply_all(&ops);
        let view = reference.account(&account).unwrap();
        contested += usize::from(!view.contested().is_empty());
        off_last += usize::from(view.head() != ops.last().unwrap().id());
        revoked += usize::from(view.apps().any(|(_, g)| g.revocation().is_some()));
        ended += usize::from(view.deactivated().is_some());
        agrees_in_random_orders(
            &mut rng,
            &account,
            &ops,
            &summary(&reference, &account),
            case,
        );
    }
    // The generator reaches the interesting shapes.
    assert!(
        contested > 40 && off_last > 100 && revoked > 20 && ended > 15,
        "{contested} {off_last} {revoked} {ended}"
    );
}

/// Random histories of one app key (forks anywhere, at seq 1 too), a random cutoff (a message of
/// the key, with its own or another `seq`, or an id of nothing), random query orders while the
/// node's held headers grow: the state that remembers its walks answers every query like a fresh
/// state. In half the cases a second revocation with another random cutoff supersedes the first
/// part-way through the queries, so that two cutoffs are in force (06 §8.4, F4) and the remembered
/// walks must follow the change. (Failed before F1's fix: every mismatch was a kept message without
/// `prev`.)
#[test]
fn remembered_walk_agrees_with_a_fresh_state() {
    let mut rng = Rng(21);
    let mut mismatches: Vec<String> = Vec::new();
    for case in 0..300 {
        let t = two_roots();
        let app = &t.phone;
        let mut msgs: Vec<SignedMessage> = Vec::new();
        for i in 0..(3 + rng.below(10)) {
            let prev = (!msgs.is_empty() && rng.below(5) != 0)
                .then(|| msgs[rng.below(msgs.len())].clone());
            msgs.push(follow(
                t.account,
                i as u8,
                100 + i as u64,
                prev.as_ref(),
                app,
            ));
        }
        let c = &msgs[rng.below(msgs.len())];
        let seq = match rng.below(6) {
            0 => c.header().seq() + 1,
            _ => c.header().seq(),
        };
        let id = if rng.below(8) == 0 {
            MessageId::from_bytes([7; 32])
        } else {
            c.id()
        };
        let rv = next(
            &Operation::revoke(
                t.account,
                t.d.id(),
                app.public_key(),
                Some(Revocation::After { seq, id }),
                200,
            )
            .unwrap(),
            &t.r1,
            Some(&t.d),
        );
        let c2 = &msgs[rng.below(msgs.len())];
        let rv2 = superseding_cutoff(&t, &rv, c2.header().seq(), c2.id());
        let second_at = (rng.below(2) == 0).then(|| rng.below(msgs.len() * 3));
        let mut accounts = apply_all([&t.g, &t.d, &rv]);
        let mut fresh = accounts.clone();
        let mut store: BTreeMap<MessageId, Header> = BTreeMap::new();
        for q in 0..(msgs.len() * 3) {
            if second_at == Some(q) {
                accounts.apply(&rv2).unwrap();
                fresh = apply_all([&t.g, &t.d, &rv, &rv2]);
                let cutoffs = accounts
                    .account(&t.account)
                    .and_then(|v| v.app(&app.public_key()))
                    .map_or(0, |g| g.revocations().count());
                assert!(cutoffs >= 1 && (cutoffs == 2 || c2.id() == c.id()));
            }
            if rng.below(2) == 0 {
                let m = &msgs[rng.below(msgs.len())];
                store.insert(m.id(), m.header().clone());
            }
            let m = &msgs[rng.below(msgs.len())];
            let lookup = |id: &MessageId| store.get(id).cloned();
            let got = accounts.authorize(m.header(), lookup);
            let expected = fresh.clone().authorize(m.header(), lookup);
            if got != expected {
                mismatches.push(format!(
                    "case {case} query {q}: seq {} prev {:?}: {got:?} vs fresh {expected:?}",
                    m.header().seq(),
                    m.header().prev().is_some()
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{}\n{} mismatches",
        mismatches.join("\n"),
        mismatches.len()
    );
}

/// The Rust view of 300 random trees (as `cached_chain_agrees_with_a_computation_from_scratch`)
/// and 200 trees below a superseded operation ([`superseded_tree`], audit-f2f8 A1) against the independent Python checker's (`tests/audit/cross_check.py`): two implementations of
/// 06 §8 must agree on the head, the contested list, the roots, the encryption key and every
/// revocation. Ignored because it runs `python3` (with PyNaCl, as the checker does).
#[test]
#[ignore = "cross-implementation check: needs python3 with the checker's dependencies"]
fn python_checker_agrees_on_random_trees() {
    let mut rng = Rng(1414);
    let mut cases = Vec::new();
    for i in 0..500 {
        // 300 random trees, then 200 trees below a superseded operation (A1 of audit-f2f8).
        let (account, ops) = match i < 300 {
            true => random_tree(&mut rng),
            false => {
                let (account, ops, _) = superseded_tree(&mut rng);
                (account, ops)
            }
        };
        cases.push((account, ops));
    }
    // The same cases file and script as every cross-check here ([`python_cross_check`]).
    let text = python_cross_check(&cases);
    assert!(text.contains("500 cases, 0 disagreements"), "{text}");
}

// ---------------------------------------------------------------------------------------------
// F8. 06 §8.1 / §8.3 (b): a key that a superseded `roots` operation added can bring it back and
// freeze the account — the "corrected body" retry is undone by the very key it corrected away.
// ---------------------------------------------------------------------------------------------

/// The owner's `R1` adds a third root `R3` by mistake (`y`: `[R0, R1, R3]` — a pasted key that is
/// not the owner's), and corrects it with a retry (`x`: `[R0, R1]`, `supersedes: y`), exactly the
/// "corrected body" 06 §5.2 names. `R3`'s holder is a root of `state(y)`, so he can sign a child
/// of `y`: `y` is no longer a leaf, no longer superseded (§8.3 (b)), and ties `x` at `R1`'s rank:
/// `d` is contested, the account frozen until `R0` signs. `R3` counts ∞ at `d` (it is not a root
/// there), yet it decides the outcome there.
#[test]
fn f8_key_removed_by_a_correction_resurrects_the_superseded_operation() {
    let t = two_roots();
    let r3 = key(33);
    let y = next(
        &Operation::roots(
            t.account,
            t.d.id(),
            &[t.r0.public_key(), t.r1.public_key(), r3.public_key()],
            3,
        )
        .unwrap()
        .accepted_by(&r3)
        .unwrap(),
        &t.r1,
        Some(&t.d),
    );
    let x = next(
        &Operation::roots(
            t.account,
            t.d.id(),
            &[t.r0.public_key(), t.r1.public_key()],
            4,
        )
        .unwrap()
        .supersedes(y.id())
        .unwrap(),
        &t.r1,
        Some(&y),
    );
    let accounts = apply_all([&t.g, &t.d, &y, &x]);
    assert_eq!(accounts.account(&t.account).unwrap().head(), x.id());
    // The stranger whose key was pasted by mistake signs below the superseded operation.
    let z = next(
        &Operation::enckey(t.account, y.id(), [9; 32], 1, 5).unwrap(),
        &r3,
        None,
    );
    let s = same_in_every_order(&[&t.g, &t.d, &y, &x, &z], &t.account);
    let accounts = apply_all([&t.g, &t.d, &y, &x, &z]);
    let view = accounts.account(&t.account).unwrap();
    assert!(
        view.contested().is_empty() && view.head() == x.id(),
        "a key that is not a root of the fork point must not undo the correction: {s}"
    );
}

/// Every `operations` vector of `accounts.json`, applied to the crate in **every** order (at most
/// six operations; 300 shuffled orders above that), each operation twice, with a view query after
/// every application so that the cached chain's fast path and invalidation run: every status and
/// the state match the vector. (`tests/vectors.rs` applies the crate in the listed and the reverse
/// order only; the generator's reference checks every order of its own implementation.)
#[test]
fn crate_matches_every_accounts_vector_in_every_order() {
    let all = vectors::load("accounts.json");
    let mut rng = Rng(7);
    let mut checked = 0usize;
    for v in all.iter().filter(|v| v["type"] == "operations") {
        let id = v["id"].as_str().unwrap();
        let entries = v["operations"].as_array().unwrap();
        let ops: Vec<SignedMessage> = entries
            .iter()
            .map(|e| {
                SignedMessage::from_bytes(&hex::decode(e["message"].as_str().unwrap()).unwrap())
                    .unwrap()
            })
            .collect();
        let account = v.get("state").map(|want| {
            AccountId::from_bytes(
                hex::decode(want["account"].as_str().unwrap())
                    .unwrap()
                    .try_into()
                    .unwrap(),
            )
        });
        let mut orders: Vec<Vec<usize>> = Vec::new();
        if ops.len() <= 6 {
            let mut idx: Vec<usize> = (0..ops.len()).collect();
            permute(&mut idx, 0, &mut |p| orders.push(p.to_vec()));
        } else {
            for _ in 0..300 {
                let mut o: Vec<usize> = (0..ops.len()).collect();
                for i in (1..o.len()).rev() {
                    o.swap(i, rng.below(i + 1));
                }
                orders.push(o);
            }
        }
        for order in orders {
            let mut accounts = Accounts::new();
            for &i in order.iter().chain(order.iter()) {
                let _ = accounts.apply(&ops[i]);
                if let Some(a) = &account {
                    let _ = accounts.account(a).map(|view| view.head());
                }
            }
            for (op, entry) in ops.iter().zip(entries) {
                let got = account_json::status(&accounts, op);
                assert_eq!(
                    got,
                    entry["status"].as_str().unwrap(),
                    "{id}, order {order:?}"
                );
            }
            if let (Some(want), Some(a)) = (v.get("state"), &account) {
                assert_eq!(
                    &account_json::state(&accounts, a),
                    want,
                    "{id}, order {order:?}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 10_000, "{checked}");
}

// ---------------------------------------------------------------------------------------------
// F9. 06 §11.7: retired keys that leak *together* (one old backup holds them all).
// ---------------------------------------------------------------------------------------------

/// A full rotation in one operation: `R0` signs `q` = `[R0', R1']` (a self-retirement of `R0`,
/// and `R1` retired by a higher root); the new roots carry on (`R1'` delegates the phone).
/// Years later an old backup with **both** old keys leaks. The thief forges `R0`'s
/// retirement (`t` = `[R1, X]`, signed by `R0`) and signs below it with `R1`: at the genesis `R0`
/// counts in neither branch, `R1` (never retired by itself) counts in the thief's, and no root of
/// the genesis counts in the owner's: the thief **takes the account over at its genesis**.
///
/// Pinned: this is the account that never committed to its next roots (06 §5.8, §11.7: "what
/// stays open"). The committed account is `f9_committed_full_rotation_survives_an_old_backup`.
#[test]
fn f9_old_backup_with_both_roots_takes_over_after_a_full_rotation() {
    let (r0, r1, r0n, r1n, phone, x) = (key(1), key(2), key(11), key(12), key(3), key(66));
    let g = Operation::genesis(&[r0.public_key(), r1.public_key()], 1)
        .unwrap()
        .accepted_by(&r1)
        .unwrap()
        .sign(&r0)
        .unwrap();
    let account = Accounts::account_id(&g);
    let q = next(
        &Operation::roots(account, g.id(), &[r0n.public_key(), r1n.public_key()], 2)
            .unwrap()
            .accepted_by(&r0n)
            .unwrap()
            .accepted_by(&r1n)
            .unwrap(),
        &r0,
        Some(&g),
    );
    let d = next(
        &Operation::delegate(account, q.id(), phone.public_key(), &[], 1_000_000, None, 3)
            .unwrap()
            .accepted_by(&phone)
            .unwrap(),
        &r1n,
        None,
    );
    let honest = apply_all([&g, &q, &d]);
    assert_eq!(honest.account(&account).unwrap().head(), d.id());
    // The leaked backup: old R0 and old R1.
    let t = next(
        &Operation::roots(account, g.id(), &[r1.public_key(), x.public_key()], 0)
            .unwrap()
            .accepted_by(&x)
            .unwrap(),
        &r0,
        Some(&q),
    );
    let t2 = thief_app(account, &t, &r1);
    let s = same_in_every_order(&[&g, &q, &d, &t, &t2], &account);
    let accounts = apply_all([&g, &q, &d, &t, &t2]);
    let view = accounts.account(&account).unwrap();
    assert_eq!(
        view.head(),
        t2.id(),
        "uncommitted: the old backup takes over: {s}"
    );
    assert!(view.app(&phone.public_key()).is_none());
}

/// The thief's delegation of his own app key (`key(67)`) below `after`, signed by `signer`.
fn thief_app(account: AccountId, after: &SignedMessage, signer: &SecretKey) -> SignedMessage {
    let app = key(67);
    let op = Operation::delegate(
        account,
        after.id(),
        app.public_key(),
        &[],
        1_000_000,
        None,
        0,
    );
    next(&op.unwrap().accepted_by(&app).unwrap(), signer, None)
}

/// In every order of `ops`: the head is `head`, uncontested, and `phone` is delegated.
fn owner_keeps(
    ops: &[&SignedMessage],
    account: AccountId,
    head: &SignedMessage,
    phone: &SecretKey,
) {
    let s = same_in_every_order(ops, &account);
    let accounts = apply_all(ops.iter().copied());
    let view = accounts.account(&account).unwrap();
    assert_eq!(view.head(), head.id(), "{s}");
    assert!(view.contested().is_empty());
    assert!(view.app(&phone.public_key()).is_some());
}

/// A genesis of `[R0, R1]` committed to the next roots `next` (ACCT-14), accepted by `R1`.
fn committed_genesis(r0: &SecretKey, r1: &SecretKey, next: &[PublicKey]) -> SignedMessage {
    Operation::genesis(&[r0.public_key(), r1.public_key()], 1)
        .unwrap()
        .with_next(next_commitment(next).unwrap())
        .unwrap()
        .accepted_by(r1)
        .unwrap()
        .sign(r0)
        .unwrap()
}

/// F9(a) closed by pre-rotation (06 §5.8, §8.1): the genesis committed to `[R0', R1']`, the owner
/// rotates to them in one committed rotation signed by `R0'`. The old backup (`R0`, `R1`) cannot
/// rotate at the genesis (`acct.next_mismatch`, or `acct.next_signer` when it copies the revealed
/// list), and what else it signs there counts for nothing: the committed rotation counts as signed
/// by, and as a self-retirement of, both old roots. In every order.
#[test]
fn f9_committed_full_rotation_survives_an_old_backup() {
    let (r0, r1, r0n, r1n, phone, x) = (key(1), key(2), key(11), key(12), key(3), key(66));
    let g = committed_genesis(&r0, &r1, &[r0n.public_key(), r1n.public_key()]);
    let account = Accounts::account_id(&g);
    let rotate = Operation::roots(account, g.id(), &[r0n.public_key(), r1n.public_key()], 2)
        .unwrap()
        .accepted_by(&r0n)
        .unwrap()
        .accepted_by(&r1n)
        .unwrap();
    let q = next(&rotate, &r0n, None);
    let d = next(
        &Operation::delegate(account, q.id(), phone.public_key(), &[], 1_000_000, None, 3)
            .unwrap()
            .accepted_by(&phone)
            .unwrap(),
        &r1n,
        None,
    );
    // The thief's forgeries: a rotation of his own, and the owner's revealed list signed by R0.
    let forged = next(
        &Operation::roots(account, g.id(), &[r1.public_key(), x.public_key()], 0)
            .unwrap()
            .accepted_by(&x)
            .unwrap(),
        &r0,
        Some(&g),
    );
    let copied = at(&rotate, &r0, 3, Some(&g));
    let mut accounts = apply_all([&g]);
    assert_eq!(accounts.apply(&forged), Err(AccountError::NextMismatch));
    assert_eq!(accounts.apply(&copied), Err(AccountError::NextSigner));
    // What the backup can still sign at the genesis: anything but a rotation.
    let t = next(
        &Operation::enckey(account, g.id(), [6; 32], 1, 0).unwrap(),
        &r0,
        Some(&g),
    );
    let t2 = thief_app(account, &t, &r1);
    owner_keeps(&[&g, &q, &d, &t, &t2, &forged], account, &d, &phone);
}

/// F9(b) closed by pre-rotation: the careful owner of a committed account rotates one root at a
/// time (each rotation committed by the one before and signed by its revealed key). The old backup
/// with both genesis keys signs two children of the genesis: both count for nothing there (the
/// owner's first committed rotation retires `R1` and counts as signed by `R0`; the second retires
/// `R0` at every fork point above it), so the account is neither frozen nor taken. In every order.
#[test]
fn f9_committed_careful_rotation_does_not_freeze_on_an_old_backup() {
    let (r0, r1, r0n, r1n, phone) = (key(1), key(2), key(11), key(12), key(3));
    let g = committed_genesis(&r0, &r1, &[r0.public_key(), r1n.public_key()]);
    let account = Accounts::account_id(&g);
    let q1 = next(
        &Operation::roots(account, g.id(), &[r0.public_key(), r1n.public_key()], 2)
            .unwrap()
            .with_next(next_commitment(&[r0n.public_key(), r1n.public_key()]).unwrap())
            .unwrap()
            // A commitment binds every root of its list: the kept R0 accepts too (06 §5.8).
            .accepted_by(&r0)
            .unwrap()
            .accepted_by(&r1n)
            .unwrap(),
        &r1n,
        None,
    );
    let q2 = next(
        &Operation::roots(account, q1.id(), &[r0n.public_key(), r1n.public_key()], 3)
            .unwrap()
            .accepted_by(&r0n)
            .unwrap(),
        &r0n,
        None,
    );
    let d = next(
        &Operation::delegate(
            account,
            q2.id(),
            phone.public_key(),
            &[],
            1_000_000,
            None,
            4,
        )
        .unwrap()
        .accepted_by(&phone)
        .unwrap(),
        &r1n,
        Some(&q1),
    );
    let t0 = next(
        &Operation::enckey(account, g.id(), [6; 32], 1, 0).unwrap(),
        &r0,
        Some(&g),
    );
    let t1 = next(
        &Operation::enckey(account, g.id(), [7; 32], 1, 0).unwrap(),
        &r1,
        None,
    );
    owner_keeps(&[&g, &q1, &q2, &d, &t0, &t1], account, &d, &phone);
}

/// The careful owner: each old root retires itself, one at a time, and the new roots sign below.
/// An old backup with both genesis keys still **freezes the account at its genesis, for ever**:
/// the thief forges both retirements in two children of the genesis, no root of the genesis counts
/// anywhere, the genesis is contested at ∞, and no key can ever resolve it (every root of the
/// genesis is either retired under two children or the thief's). The head state is the genesis
/// state: no app key, so every message the account ever wrote is `auth.not_delegated`. This test
/// pins the outcome for the account that never committed to its next roots (06 §11.7, security.md
/// §5.7 "uncommitted" row); the committed account is
/// `f9_committed_careful_rotation_does_not_freeze_on_an_old_backup`.
#[test]
fn f9_old_backup_with_all_genesis_roots_freezes_at_the_genesis_for_ever() {
    let (r0, r1, r0n, r1n, phone) = (key(1), key(2), key(11), key(12), key(3));
    let g = Operation::genesis(&[r0.public_key(), r1.public_key()], 1)
        .unwrap()
        .accepted_by(&r1)
        .unwrap()
        .sign(&r0)
        .unwrap();
    let account = Accounts::account_id(&g);
    let q1 = next(
        &Operation::roots(account, g.id(), &[r0.public_key(), r1n.public_key()], 2)
            .unwrap()
            .accepted_by(&r1n)
            .unwrap(),
        &r1,
        None,
    );
    let q2 = next(
        &Operation::roots(account, q1.id(), &[r0n.public_key(), r1n.public_key()], 3)
            .unwrap()
            .accepted_by(&r0n)
            .unwrap(),
        &r0,
        Some(&g),
    );
    let d = next(
        &Operation::delegate(
            account,
            q2.id(),
            phone.public_key(),
            &[],
            1_000_000,
            None,
            4,
        )
        .unwrap()
        .accepted_by(&phone)
        .unwrap(),
        &r1n,
        None,
    );
    let e = next(
        &Operation::enckey(account, d.id(), [1; 32], 1, 5).unwrap(),
        &r0n,
        None,
    );
    // The leaked backup: both genesis keys. Two forged self-retirements beside the owner's history.
    let t0 = next(
        &Operation::roots(account, g.id(), &[key(66).public_key()], 0)
            .unwrap()
            .accepted_by(&key(66))
            .unwrap(),
        &r0,
        Some(&q2),
    );
    let t1 = next(
        &Operation::roots(account, g.id(), &[key(67).public_key()], 0)
            .unwrap()
            .accepted_by(&key(67))
            .unwrap(),
        &r1,
        Some(&q1),
    );
    let s = same_in_every_order(&[&g, &q1, &q2, &d, &e, &t0, &t1], &account);
    let accounts = apply_all([&g, &q1, &q2, &d, &e, &t0, &t1]);
    let view = accounts.account(&account).unwrap();
    assert_eq!(view.head(), g.id(), "{s}");
    assert_eq!(view.contested().len(), 3);
    assert!(view.app(&phone.public_key()).is_none());
    // Nothing the owner can sign resolves it: the new roots are not roots of the genesis, and the
    // old ones count nowhere. (An owner who still holds an old root can only tie at ∞ again.)
    let answer = next(
        &Operation::enckey(account, e.id(), [2; 32], 2, 6).unwrap(),
        &r0n,
        Some(&e),
    );
    let accounts = apply_all([&g, &q1, &q2, &d, &e, &t0, &t1, &answer]);
    assert_eq!(accounts.account(&account).unwrap().head(), g.id());
}

// ---------------------------------------------------------------------------------------------
// F10. The replica re-validates an account's messages only when the head *id* changes; the head
// *state* also changes without it (06 §8.4: a superseded, tied or contested revocation arriving).
// ---------------------------------------------------------------------------------------------

/// `R1` delegates the phone (`d`); the phone follows someone (`m`); `R1` revokes the phone (`rv`,
/// a leaf after `d`) and signs `x` after `d` superseding it (a retry that is not itself a
/// revocation, or a thief's supersession: 06 §8.4 case 3 keeps the revocation either way). A
/// replica that receives `rv` last has head `x` before and after it, so it never re-validates `m`:
/// `m` stays Valid there, while a replica that received the same messages in another order has
/// `m` Invalid (`auth.revoked`). Same messages, different verdicts (GEN-4; 06 §9.4 says "when the
/// account's head **or head state** changes").
#[test]
fn f10_replica_misses_a_revocation_that_does_not_move_the_head() {
    use skylark::replica::{Replica, Status};
    let t = two_roots();
    let m = follow(t.account, 9, 100, None, &t.phone);
    let rv = next(
        &Operation::revoke(t.account, t.d.id(), t.phone.public_key(), None, 3).unwrap(),
        &t.r1,
        Some(&t.d),
    );
    let x = next(
        &Operation::enckey(t.account, t.d.id(), [1; 32], 1, 4)
            .unwrap()
            .supersedes(rv.id())
            .unwrap(),
        &t.r1,
        Some(&rv),
    );
    let now = 1_000;
    let run = |order: &[&SignedMessage]| {
        let mut replica = Replica::new(now);
        for msg in order {
            let _ = replica.ingest(msg.as_bytes()).unwrap();
        }
        replica.status(&m.id()).cloned()
    };
    let early = run(&[&t.g, &t.d, &rv, &x, &m]);
    assert!(
        matches!(&early, Some(Status::Invalid(e)) if e.code() == "auth.revoked"),
        "{early:?}"
    );
    let late = run(&[&t.g, &t.d, &m, &x, &rv]);
    assert_eq!(
        late, early,
        "the verdict of m must not depend on the order of arrival"
    );
}

// ---------------------------------------------------------------------------------------------
// A deactivation changes no key's role or grant, yet decides every message dated after it: the
// replica must look at every message of the account again when it starts or stops counting
// (06 §9.4, ACCT-11), whatever the order of arrival.
// ---------------------------------------------------------------------------------------------

#[test]
fn replica_revalidates_the_account_when_a_deactivation_starts_or_stops_counting() {
    use skylark::replica::{Replica, Status};
    let t = two_roots();
    // The phone's message, dated after the deactivation below.
    let m = follow(t.account, 9, 100, None, &t.phone);
    // r1 (rank 1) deactivates after the delegation; r0 (rank 0) answers with a sibling.
    let end = next(
        &Operation::deactivate(t.account, t.d.id(), 50),
        &t.r1,
        Some(&t.d),
    );
    let answer = next(
        &Operation::enckey(t.account, t.d.id(), [7; 32], 1, 60).unwrap(),
        &t.r0,
        Some(&t.g),
    );
    let run = |order: &[&SignedMessage]| {
        let mut replica = Replica::new(1_000);
        for msg in order {
            let _ = replica.ingest(msg.as_bytes()).unwrap();
        }
        replica.status(&m.id()).cloned()
    };
    // Deactivated: m is refused, whether it arrived before or after the deactivation.
    for order in [
        [&t.g, &t.d, &m, &end],
        [&t.g, &t.d, &end, &m],
        [&m, &end, &t.d, &t.g],
    ] {
        let got = run(&order);
        assert!(
            matches!(&got, Some(Status::Invalid(e)) if e.code() == "auth.deactivated"),
            "{got:?}"
        );
    }
    // The higher root's sibling out-ranks the deactivation: m is valid again, in every order.
    for order in [
        [&t.g, &t.d, &m, &end, &answer],
        [&t.g, &t.d, &end, &answer, &m],
        [&answer, &end, &m, &t.d, &t.g],
    ] {
        assert_eq!(run(&order), Some(Status::Valid), "{order:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// audit-f2f8 (audits/2026-12-06-f2f8-supersession.md): the auditor's proofs of A1 and A2 at 803fb36,
// inverted to assert the fixed outcome (they asserted the hole, and passed there).
// ---------------------------------------------------------------------------------------------

/// A1(a): Y (R1, adds R3) -> c1 (R3) -> c2 (R1 retires itself). A thief of the retired R1
/// supersedes Y with his own roots op: c2, signed by a root of Y's parent, keeps Y in the fork
/// choice (06 §8.1), R1 counts ∞ under X, and the owner keeps the account, in every order.
#[test]
fn a1a_retired_key_cannot_take_over_by_subtree_supersession() {
    let t = two_roots();
    let (r3, thief) = (key(33), key(44));
    let y = next(
        &Operation::roots(
            t.account,
            t.d.id(),
            &[t.r0.public_key(), t.r1.public_key(), r3.public_key()],
            3,
        )
        .unwrap()
        .accepted_by(&r3)
        .unwrap(),
        &t.r1,
        Some(&t.d),
    );
    let c1 = next(
        &Operation::enckey(t.account, y.id(), [7; 32], 1, 4).unwrap(),
        &r3,
        None,
    );
    let c2 = next(
        &Operation::roots(t.account, c1.id(), &[t.r0.public_key(), r3.public_key()], 5).unwrap(),
        &t.r1,
        Some(&y),
    );
    let before = apply_all([&t.g, &t.d, &y, &c1, &c2]);
    assert_eq!(before.account(&t.account).unwrap().head(), c2.id());
    let x = next(
        &Operation::roots(
            t.account,
            t.d.id(),
            &[t.r0.public_key(), t.r1.public_key(), thief.public_key()],
            6,
        )
        .unwrap()
        .supersedes(y.id())
        .unwrap()
        .accepted_by(&thief)
        .unwrap(),
        &t.r1,
        Some(&c2),
    );
    let s = same_in_every_order(&[&t.g, &t.d, &y, &c1, &c2, &x], &t.account);
    let after = apply_all([&t.g, &t.d, &y, &c1, &c2, &x]);
    assert_eq!(
        after.account(&t.account).unwrap().head(),
        c2.id(),
        "A1a: {s}"
    );
}

/// A1(b'): Y (R1, adds R3) -> c1 (R3 removes R1) -> rv (R3 revokes phone) -> e (R0 endorses).
/// A thief of the removed R1 supersedes Y: e, signed by R0 (a root of Y's parent), keeps Y in the
/// fork choice; the R0-endorsed history and the revocation stay, in every order.
#[test]
fn a1b_two_step_rotation_cannot_be_erased() {
    let t = two_roots();
    let r3 = key(33);
    let y = next(
        &Operation::roots(
            t.account,
            t.d.id(),
            &[t.r0.public_key(), t.r1.public_key(), r3.public_key()],
            3,
        )
        .unwrap()
        .accepted_by(&r3)
        .unwrap(),
        &t.r1,
        Some(&t.d),
    );
    let c1 = next(
        &Operation::roots(t.account, y.id(), &[t.r0.public_key(), r3.public_key()], 4).unwrap(),
        &r3,
        None,
    );
    let rv = next(
        &Operation::revoke(t.account, c1.id(), t.phone.public_key(), None, 5).unwrap(),
        &r3,
        Some(&c1),
    );
    let e = next(
        &Operation::roots(t.account, rv.id(), &[t.r0.public_key(), r3.public_key()], 6).unwrap(),
        &t.r0,
        Some(&t.g),
    );
    let before = apply_all([&t.g, &t.d, &y, &c1, &rv, &e]);
    assert_eq!(before.account(&t.account).unwrap().head(), e.id());
    assert_eq!(
        revocation_of(&before, &t.account, &t.phone.public_key()),
        Some(Revocation::All)
    );
    let x = next(
        &Operation::enckey(t.account, t.d.id(), [1; 32], 1, 7)
            .unwrap()
            .supersedes(y.id())
            .unwrap(),
        &t.r1,
        Some(&y),
    );
    let s = same_in_every_order(&[&t.g, &t.d, &y, &c1, &rv, &e, &x], &t.account);
    let after = apply_all([&t.g, &t.d, &y, &c1, &rv, &e, &x]);
    assert_eq!(
        after.account(&t.account).unwrap().head(),
        e.id(),
        "A1b: {s}"
    );
    assert_eq!(
        revocation_of(&after, &t.account, &t.phone.public_key()),
        Some(Revocation::All),
        "{s}"
    );
}

/// A2: after the owner's recovery (R0 replaces R1 at d), a thief of the removed R1 signs a revoke
/// of phone beside the recovery and supersedes it with a losing leaf: his superseder is not among
/// d's children of minimal strength, so the revocation does not apply (06 §8.4 case 3).
#[test]
fn a2_removed_root_cannot_revoke_by_supersession() {
    let t = two_roots();
    let k5 = key(55);
    let rec = next(
        &Operation::roots(
            t.account,
            t.d.id(),
            &[t.r0.public_key(), k5.public_key()],
            3,
        )
        .unwrap()
        .accepted_by(&k5)
        .unwrap(),
        &t.r0,
        Some(&t.g),
    );
    let yr = next(
        &Operation::revoke(t.account, t.d.id(), t.phone.public_key(), None, 4).unwrap(),
        &t.r1,
        Some(&t.d),
    );
    let plain = apply_all([&t.g, &t.d, &rec, &yr]);
    assert_eq!(plain.account(&t.account).unwrap().head(), rec.id());
    assert_eq!(
        revocation_of(&plain, &t.account, &t.phone.public_key()),
        None,
        "a losing leaf revoke applies nothing"
    );
    let xr = next(
        &Operation::enckey(t.account, t.d.id(), [1; 32], 1, 5)
            .unwrap()
            .supersedes(yr.id())
            .unwrap(),
        &t.r1,
        Some(&yr),
    );
    let s = same_in_every_order(&[&t.g, &t.d, &rec, &yr, &xr], &t.account);
    let after = apply_all([&t.g, &t.d, &rec, &yr, &xr]);
    assert_eq!(after.account(&t.account).unwrap().head(), rec.id(), "{s}");
    assert_eq!(
        revocation_of(&after, &t.account, &t.phone.public_key()),
        None,
        "A2: {s}"
    );
}

/// A random tree for A1 (06 §8.1): `Y` (R1 adds R3, below the phone's delegation `d`) is named in
/// `supersedes` by R1's `X` beside it, and a random tree grows below `Y`, mostly signed by R3;
/// sometimes R0 or R1 (roots of `Y`'s parent) signs deep below `Y` — not as its child — which
/// keeps `Y` in the fork choice; sometimes a second leaf of R1 beside `X`. Returns the account, the
/// operations (`X` at index 3) and whether a root of `d` signed at depth two or more below `Y`.
fn superseded_tree(rng: &mut Rng) -> (AccountId, Vec<SignedMessage>, bool) {
    let t = two_roots();
    let r3 = key(33);
    let pool = [&t.r0, &t.r1, &r3];
    let y = next(
        &Operation::roots(
            t.account,
            t.d.id(),
            &[t.r0.public_key(), t.r1.public_key(), r3.public_key()],
            3,
        )
        .unwrap()
        .accepted_by(&r3)
        .unwrap(),
        &t.r1,
        Some(&t.d),
    );
    let x_op = match rng.below(2) {
        0 => Operation::enckey(t.account, t.d.id(), [1; 32], 1, 4).unwrap(),
        _ => Operation::roots(
            t.account,
            t.d.id(),
            &[t.r0.public_key(), t.r1.public_key()],
            4,
        )
        .unwrap(),
    };
    let x = next(&x_op.supersedes(y.id()).unwrap(), &t.r1, Some(&y));
    let mut last: Vec<Option<SignedMessage>> = vec![Some(t.g.clone()), Some(x.clone()), None];
    let mut ops = vec![t.g.clone(), t.d.clone(), y.clone(), x];
    // The tree below y: id, roots (indices in pool), depth below y, phone revoked.
    let mut below: Vec<(MessageId, Vec<usize>, usize, bool)> =
        vec![(y.id(), vec![0, 1, 2], 0, false)];
    let mut deep = false;
    for step in 0..(2 + rng.below(5)) {
        let (parent, roots, depth, revoked) = below[rng.below(below.len())].clone();
        let signer = match rng.below(6) {
            0 if roots.contains(&0) => 0,
            1 if roots.contains(&1) => 1,
            _ if roots.contains(&2) => 2,
            _ => roots[0],
        };
        let time = 10 + step as u64;
        let (op, next_roots, revoked) = match rng.below(4) {
            0 if signer == 2 => (
                Operation::roots(
                    t.account,
                    parent,
                    &[t.r0.public_key(), r3.public_key()],
                    time,
                )
                .unwrap(),
                vec![0, 2],
                revoked,
            ),
            1 if !revoked => (
                Operation::revoke(t.account, parent, t.phone.public_key(), None, time).unwrap(),
                roots.clone(),
                true,
            ),
            _ => (
                Operation::enckey(t.account, parent, [step as u8; 32], 2 + step as u64, time)
                    .unwrap(),
                roots.clone(),
                revoked,
            ),
        };
        deep |= depth >= 1 && signer < 2;
        let signed = next(&op, pool[signer], last[signer].as_ref());
        last[signer] = Some(signed.clone());
        below.push((signed.id(), next_roots, depth + 1, revoked));
        ops.push(signed);
    }
    if rng.below(3) == 0 {
        let w = Operation::enckey(t.account, t.d.id(), [9; 32], 9, 30).unwrap();
        ops.push(next(&w, &t.r1, last[1].as_ref()));
    }
    (t.account, ops, deep)
}

/// A1, the incremental path (06 §8.1, §10): on [`superseded_tree`]s, applied in random orders with
/// the view asked for after each operation — so that the cached chain meets an arrival deep below
/// `Y` while `Y` is superseded — the view equals a computation from scratch. (Fails if the cached
/// chain does not recompute on such an arrival.)
#[test]
fn cached_chain_sees_a_supersession_undone_deep_below() {
    let mut rng = Rng(1486);
    let (mut deep, mut revived) = (0, 0);
    for case in 0..200 {
        let (account, ops, deep_here) = superseded_tree(&mut rng);
        let reference = apply_all(&ops);
        deep += usize::from(deep_here);
        revived +=
            usize::from(deep_here && reference.account(&account).unwrap().head() != ops[3].id());
        agrees_in_random_orders(
            &mut rng,
            &account,
            &ops,
            &summary(&reference, &account),
            case,
        );
    }
    assert!(deep > 50 && revived > 30, "{deep} {revived}");
}

/// The cached chain and receipts below a superseded operation (06 §8.1, §8.6, §10): `C` (r1, child
/// of the genesis) rotates to roots [r1, r3] and its own witnesses w4..w6; below it r1 re-adds r0 in
/// `Y`, corrects that by `X` (`supersedes: Y`), and r0 signs `Z` below `Y`. r0 is a root neither of
/// `C` nor of `X`'s state, so `Y` is superseded and `A` (r0, beside `C`) wins at the genesis. Two of
/// `C`'s witnesses receipt `Z`: `Y` is final at `C`, so no longer superseded, `Z`'s r0 counts in `C`
/// at the genesis, and the genesis is contested. The receipts make neither `C` nor `A` final (they
/// are not witnesses of the genesis), so only a check of the superseded range sees the change.
#[test]
fn receipt_below_a_superseded_operation_brings_it_back() {
    let (r0, r1, r3) = (key(1), key(2), key(33));
    let (w1, w2, w3) = (key(41), key(42), key(43));
    let (w4, w5, w6) = (key(44), key(45), key(46));
    let set = |ks: [&SecretKey; 3]| {
        let keys: Vec<PublicKey> = ks.iter().map(|k| k.public_key()).collect();
        WitnessSet::new(&keys, 2).unwrap()
    };
    let g = Operation::genesis(&[r0.public_key(), r1.public_key()], 1)
        .unwrap()
        .with_witnesses(&set([&w1, &w2, &w3]))
        .unwrap()
        .accepted_by(&r1)
        .unwrap()
        .accepted_by(&w1)
        .unwrap()
        .accepted_by(&w2)
        .unwrap()
        .accepted_by(&w3)
        .unwrap()
        .sign(&r0)
        .unwrap();
    let account = Accounts::account_id(&g);
    let a = next(
        &Operation::enckey(account, g.id(), [1; 32], 1, 2).unwrap(),
        &r0,
        Some(&g),
    );
    let c = next(
        &Operation::roots(account, g.id(), &[r1.public_key(), r3.public_key()], 3)
            .unwrap()
            .with_witnesses(&set([&w4, &w5, &w6]))
            .unwrap()
            .accepted_by(&r3)
            .unwrap()
            .accepted_by(&w4)
            .unwrap()
            .accepted_by(&w5)
            .unwrap()
            .accepted_by(&w6)
            .unwrap(),
        &r1,
        None,
    );
    let y = next(
        &Operation::roots(
            account,
            c.id(),
            &[r1.public_key(), r3.public_key(), r0.public_key()],
            4,
        )
        .unwrap()
        .accepted_by(&r0)
        .unwrap(),
        &r1,
        Some(&c),
    );
    let x = next(
        &Operation::roots(account, c.id(), &[r1.public_key(), r3.public_key()], 5)
            .unwrap()
            .supersedes(y.id())
            .unwrap(),
        &r1,
        Some(&y),
    );
    let z = next(
        &Operation::enckey(account, y.id(), [2; 32], 1, 6).unwrap(),
        &r0,
        Some(&a),
    );
    let before = apply_all([&g, &a, &c, &y, &x, &z]);
    assert_eq!(before.account(&account).unwrap().head(), a.id());
    let q4 = next(&Operation::receipt(account, z.id(), 7), &w4, None);
    let q5 = next(&Operation::receipt(account, z.id(), 8), &w5, None);
    let all = [&g, &a, &c, &y, &x, &z, &q4, &q5];
    let after = apply_all(all);
    let view = after.account(&account).unwrap();
    assert_eq!(view.head(), g.id());
    assert_eq!(view.contested().len(), 2);
    // Asked after each operation, receipts last: the cached chain must see it.
    let mut accounts = Accounts::new();
    for op in all {
        accounts.apply(op).unwrap();
        let _ = accounts.account(&account).map(|v| v.head());
    }
    assert_eq!(summary(&accounts, &account), summary(&after, &account));
    let mut rng = Rng(808);
    let ops: Vec<SignedMessage> = all.iter().map(|m| (*m).clone()).collect();
    for case in 0..20 {
        agrees_in_random_orders(&mut rng, &account, &ops, &summary(&after, &account), case);
    }
}

// ---------------------------------------------------------------------------------------------
// Second audit of pre-rotation (ACCT-14) after 67bb908 (P2, P4) and fbcde0d (P5): report
// /work/brief/audit-pre2-report.md. Findings are `Q<n>`.
// ---------------------------------------------------------------------------------------------

thread_local! {
    static SIBLING_ROTATIONS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    static RECORDED: std::cell::RefCell<Vec<(AccountId, Vec<SignedMessage>)>> = const { std::cell::RefCell::new(Vec::new()) };
    static Q1A: std::cell::RefCell<Option<(AccountId, Vec<SignedMessage>)>> = const { std::cell::RefCell::new(None) };
}

fn pks(keys: &[&SecretKey]) -> Vec<PublicKey> {
    keys.iter().map(|k| k.public_key()).collect()
}

/// A `roots` operation at `parent` to `list`, committing to `next` if given. ACCT-10: every key of
/// `list` that is not in `current` accepts; with a commitment, every key of `list`.
fn rotation(
    account: AccountId,
    parent: &SignedMessage,
    list: &[&SecretKey],
    next_list: Option<&[&SecretKey]>,
    current: &[&SecretKey],
    time: u64,
) -> Operation {
    let mut op = Operation::roots(account, parent.id(), &pks(list), time).unwrap();
    if let Some(n) = next_list {
        op = op.with_next(next_commitment(&pks(n)).unwrap()).unwrap();
    }
    let current = pks(current);
    for k in list {
        if next_list.is_some() || !current.contains(&k.public_key()) {
            op = op.accepted_by(k).unwrap();
        }
    }
    op
}

/// A delegation of `app` at `parent`.
fn delegation(account: AccountId, parent: &SignedMessage, app: &SecretKey, time: u64) -> Operation {
    Operation::delegate(
        account,
        parent.id(),
        app.public_key(),
        &[],
        1_000_000,
        None,
        time,
    )
    .unwrap()
    .accepted_by(app)
    .unwrap()
}

/// A genesis of `roots` (signed by the first, accepted by the others) committed to `next`.
fn genesis_committed(roots: &[&SecretKey], next_list: &[&SecretKey]) -> SignedMessage {
    let mut op = Operation::genesis(&pks(roots), 1)
        .unwrap()
        .with_next(next_commitment(&pks(next_list)).unwrap())
        .unwrap();
    for k in &roots[1..] {
        op = op.accepted_by(k).unwrap();
    }
    op.sign(roots[0]).unwrap()
}

fn outcome(ops: &[&SignedMessage], account: AccountId) -> (String, MessageId, Vec<MessageId>) {
    let s = same_in_every_order(ops, &account);
    let accounts = apply_all(ops.iter().copied());
    let view = accounts.account(&account).unwrap();
    (s, view.head(), view.contested().to_vec())
}

/// Q1 (a): a single-root committed account after its first committed rotation. `G` = `[R0]`,
/// `next([N0])`; the owner rotates (`q1` = `[N0]`, `next([M0])`, signed by the revealed `N0`) and
/// delegates the phone. The thief steals the CURRENT root `N0` (06 §5.8 "stolen current roots").
/// `N0` is still the revealed key of `G`'s commitment, so the thief signs a second committed rotation
/// AT `G` with the same list and his own `next` (`qx`), and continues below it. The owner's answer of
/// §5.8 (a committed rotation `q2` by `M0`, and a new phone) wins at `q1` but not at `G`: at `G`,
/// `q1` and `qx` are committed rotations of one parent by one key (the P2 exemption makes both
/// strength 0), both continued: contested at `G` for ever. Promise (§5.8, §11.5, security.md):
/// the owner's rotation "wins there and at every fork point above".
#[test]
#[ignore = "limit Q1 (06 §5.8 What stays open: thief of every key of a one-key list); pinned by vector threat-9-revealed-key-refork-current-root"]
fn q1_current_root_thief_reforks_at_the_parent_of_the_last_committed_rotation() {
    let (r0, n0, m0, x0, phone, phone2) = (key(1), key(11), key(21), key(66), key(3), key(4));
    let g = genesis_committed(&[&r0], &[&n0]);
    let account = Accounts::account_id(&g);
    let q1 = next(
        &rotation(account, &g, &[&n0], Some(&[&m0]), &[&r0], 2),
        &n0,
        None,
    );
    let d = next(&delegation(account, &q1, &phone, 3), &n0, Some(&q1));
    // The thief, with N0: a committed rotation at the genesis (valid: N0 is G's revealed key).
    let qx = next(
        &rotation(account, &g, &[&n0], Some(&[&x0]), &[&r0], 4),
        &n0,
        Some(&d),
    );
    let tx = next(&delegation(account, &qx, &key(67), 5), &n0, Some(&qx));
    // The owner's recovery of §5.8: the committed rotation to M0 (below q1) and a new phone.
    let q2 = next(&rotation(account, &q1, &[&m0], None, &[&n0], 6), &m0, None);
    let d2 = next(&delegation(account, &q2, &phone2, 7), &m0, Some(&q2));
    Q1A.with(|c| {
        *c.borrow_mut() = Some((
            account,
            vec![
                g.clone(),
                q1.clone(),
                d.clone(),
                qx.clone(),
                tx.clone(),
                q2.clone(),
                d2.clone(),
            ],
        ))
    });
    let mut accounts = apply_all([&g, &q1, &d]);
    assert_eq!(
        accounts.apply(&qx).map(|_| ()),
        Ok(()),
        "the thief's rotation at G is valid"
    );
    let (s, head, contested) = outcome(&[&g, &q1, &d, &qx, &tx, &q2, &d2], account);
    assert!(
        head == d2.id() && contested.is_empty(),
        "owner's recovery must win: head={head} contested={contested:?} g={} q1={} qx={}\n{s}",
        g.id(),
        q1.id(),
        qx.id()
    );
}

/// Q1 (b): the same with supersession — while the owner's rotation `q1` is a leaf, the thief of `N0`
/// names it in `supersedes` (same signer N0, larger seq, same list: a valid supersession of a
/// self-retirement, 06 §8.1), and continues: the thief's history is the account's.
#[test]
#[ignore = "limit Q1 (06 §5.8 What stays open: the leaf window); pinned by vector threat-9-revealed-key-refork-leaf-takeover"]
fn q1_current_root_thief_supersedes_the_owners_leaf_rotation() {
    let (r0, n0, m0, x0) = (key(1), key(11), key(21), key(66));
    let g = genesis_committed(&[&r0], &[&n0]);
    let account = Accounts::account_id(&g);
    let q1 = next(
        &rotation(account, &g, &[&n0], Some(&[&m0]), &[&r0], 2),
        &n0,
        None,
    );
    let qx = next(
        &rotation(account, &g, &[&n0], Some(&[&x0]), &[&r0], 4)
            .supersedes(q1.id())
            .unwrap(),
        &n0,
        Some(&q1),
    );
    let tx = next(&delegation(account, &qx, &key(67), 5), &n0, Some(&qx));
    let (s, head, contested) = outcome(&[&g, &q1, &qx, &tx], account);
    assert!(
        head != tx.id(),
        "the thief took the account: head={head} contested={contested:?}\n{s}"
    );
}

/// Q1 (c): an OLD backup after two committed rotations. `G` = `[R0, R1]` → `next([N0, N1])`;
/// `q1` = `[N0, N1]` → `next([M0, M1])` (signed by N0); `q2` = `[M0, M1]` (signed by M0). Years
/// later a backup of the era of `q1` (N0 and N1: every root of `q1`, no longer a root anywhere on
/// the chain) leaks. The thief cannot act at `q1` (the revealed key there is M0) but at `G` N0 is
/// the revealed key: he signs `[N0, N1]` with his own `next` (both accept) and continues. §5.8
/// promises an old backup neither takes nor freezes a committed account; it freezes it at `G`.
#[test]
#[ignore = "limit Q1 (06 §5.8 What stays open: every key of the list); pinned by vector threat-9-revealed-key-refork-old-backup"]
fn q1_old_backup_of_a_revealed_list_freezes_at_the_parent() {
    let (r0, r1, n0, n1, m0, m1, x0) =
        (key(1), key(2), key(11), key(12), key(21), key(22), key(66));
    let phone = key(3);
    let g = genesis_committed(&[&r0, &r1], &[&n0, &n1]);
    let account = Accounts::account_id(&g);
    let q1 = next(
        &rotation(account, &g, &[&n0, &n1], Some(&[&m0, &m1]), &[&r0, &r1], 2),
        &n0,
        None,
    );
    let q2 = next(
        &rotation(account, &q1, &[&m0, &m1], None, &[&n0, &n1], 3),
        &m0,
        None,
    );
    let d = next(&delegation(account, &q2, &phone, 4), &m1, None);
    let qx = next(
        &rotation(account, &g, &[&n0, &n1], Some(&[&x0]), &[&r0, &r1], 5),
        &n0,
        Some(&q1),
    );
    let tx = next(&delegation(account, &qx, &key(67), 6), &n1, None);
    let (s, head, contested) = outcome(&[&g, &q1, &q2, &d, &qx, &tx], account);
    assert!(
        head == d.id() && contested.is_empty(),
        "head={head} contested={contested:?} g={}\n{s}",
        g.id()
    );
}

/// Q2: the owner rotates twice under one commitment, once below the thief's operation (the CLI's
/// default parent is the head) and once as its sibling (the recovery 06 §5.8 prescribes). `G` =
/// `[R0, R1]` → `next([N0, N1])`; the owner's phone `d` by R1; the thief (R0 and R1) delegates his
/// app key at `G` by R0 (`t`, rank 0: the head). The owner runs `key rotate` (at the head, `qt`
/// below `t`), sees the thief's key still in the head state, and rotates again as a sibling of `t`
/// (`q`, and a new phone below it). `qt` counts as signed by R0 and retires R0, R1 in `t`'s subtree,
/// `q` retires them beside it: neither counts for the other (the P2 exemption covers committed
/// rotations that are siblings, not the same commitment met one level lower): contested at `G`
/// for ever, by the owner's own two rotations.
#[test]
#[ignore = "limit Q2 (06 §5.8 producer rules); pinned by vector threat-9-committed-rotations-below-and-beside-thief"]
fn q2_rotation_below_the_thief_then_as_sibling_freezes() {
    let (r0, r1, n0, n1, phone, phone2) = (key(1), key(2), key(11), key(12), key(3), key(4));
    let g = genesis_committed(&[&r0, &r1], &[&n0, &n1]);
    let account = Accounts::account_id(&g);
    let d = next(&delegation(account, &g, &phone, 2), &r1, None);
    let t = next(&delegation(account, &g, &key(67), 3), &r0, Some(&g));
    let qt = next(
        &rotation(account, &t, &[&n0, &n1], None, &[&r0, &r1], 4),
        &n0,
        None,
    );
    let q = next(
        &rotation(account, &g, &[&n0, &n1], None, &[&r0, &r1], 5),
        &n0,
        Some(&qt),
    );
    let d2 = next(&delegation(account, &q, &phone2, 6), &n1, None);
    RECORDED.with(|c| {
        c.borrow_mut().push((
            account,
            vec![
                g.clone(),
                d.clone(),
                t.clone(),
                qt.clone(),
                q.clone(),
                d2.clone(),
            ],
        ))
    });
    // Without `q`: the rotation below the thief wins at G, his delegation stays (then revocable).
    let (_, head, contested) = outcome(&[&g, &d, &t, &qt], account);
    assert!(head == qt.id() && contested.is_empty());
    let (s, head, contested) = outcome(&[&g, &d, &t, &qt, &q, &d2], account);
    assert!(
        head == d2.id() && contested.is_empty(),
        "head={head} contested={contested:?} g={}\n{s}",
        g.id()
    );
}

/// Q-random: biased random trees (committed genesis, operations crowded on the first three, so
/// committed rotations of one parent meet each other, supersessions and other siblings): the
/// cached chain in random orders, the view asked after each operation, equals the computation from
/// scratch. Covers the P2 exemption's fast path (`dead` not marked under a committed rotation).
#[test]
fn q_cached_chain_agrees_on_crowded_committed_trees() {
    let mut rng = Rng(2026);
    let (mut contested, mut sibling_rotations) = (0, 0);
    for case in 0..600 {
        let witnesses: Vec<SecretKey> = (40..43).map(key).collect();
        let w = if case % 4 == 3 {
            &witnesses[..1 + case % 3]
        } else {
            &witnesses[..0]
        };
        let (account, ops) = random_tree_with(&mut rng, w, true);
        let reference = apply_all(&ops);
        let view = reference.account(&account).unwrap();
        contested += usize::from(!view.contested().is_empty());
        sibling_rotations += usize::from(view.next_roots().is_some());
        agrees_in_random_orders(
            &mut rng,
            &account,
            &ops,
            &summary(&reference, &account),
            case,
        );
    }
    let siblings = SIBLING_ROTATIONS.with(|c| c.get());
    assert!(
        contested > 30 && siblings > 100,
        "{contested} {sibling_rotations} {siblings}"
    );
    eprintln!(
        "contested {contested}, committed at end {sibling_rotations}, sibling rotations {siblings}"
    );
}

/// Runs `tests/audit/<script>` (a cross-check against the Python checker) on the cases `json`,
/// written to a temporary file; its output, or a failure with what it printed.
fn run_cross_check(script: &str, tag: &str, json: &[serde_json::Value]) -> String {
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("audit-{tag}-{}-{run}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("cases.json");
    std::fs::write(&path, serde_json::to_vec(json).unwrap()).unwrap();
    let out = std::process::Command::new("python3")
        .arg(format!(
            "{}/tests/audit/{script}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .arg(&path)
        .output()
        .expect("python3");
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

/// Runs `tests/audit/cross_check.py` over `cases` (account, operations): the crate's head,
/// contested list, roots, encryption key and revocations against the Python checker's. Returns the
/// script's output; panics on a disagreement.
fn python_cross_check(cases: &[(AccountId, Vec<SignedMessage>)]) -> String {
    let mut json = Vec::new();
    for (account, ops) in cases {
        let accounts = apply_all(ops);
        let view = accounts.account(account).unwrap();
        let revocations: serde_json::Map<String, serde_json::Value> = view
            .apps()
            .map(|(k, g)| {
                let r = match g.revocation() {
                    None => serde_json::Value::Null,
                    Some(Revocation::All) => "all".into(),
                    Some(Revocation::After { seq, id }) => {
                        serde_json::json!({"seq": seq, "id": hex::encode(id.as_bytes())})
                    }
                    Some(_) => panic!("a revocation this test does not know"),
                };
                (hex::encode(k.as_bytes()), r)
            })
            .collect();
        json.push(serde_json::json!({
            "account": hex::encode(account.as_bytes()),
            "ops": ops.iter().map(|m| hex::encode(m.as_bytes())).collect::<Vec<_>>(),
            "rust": {
                "head": hex::encode(view.head().as_bytes()),
                "contested": view.contested().iter().map(|c| hex::encode(c.as_bytes())).collect::<Vec<_>>(),
                "roots": view.roots().iter().map(|r| hex::encode(r.as_bytes())).collect::<Vec<_>>(),
                "enc": view.encryption_key().map(|e| e.version()),
                "revocations": revocations,
            }
        }));
    }
    run_cross_check("cross_check.py", "pre2", &json)
}

/// The Python checker agrees with the crate on 400 crowded committed trees (P2 exemption, P4
/// clause order, supersession of committed rotations).
#[test]
#[ignore = "cross-implementation check: needs python3 with the checker's dependencies"]
fn q_python_checker_agrees_on_crowded_committed_trees() {
    let mut rng = Rng(4242);
    let cases: Vec<_> = (0..400)
        .map(|_| random_tree_with(&mut rng, &[], true))
        .collect();
    let text = python_cross_check(&cases);
    assert!(text.contains("400 cases, 0 disagreements"), "{text}");
}

/// Q1 (d): as (a) without `supersedes` — the thief's continued sibling beats the owner's leaf
/// rotation by the "tie of one key's leaves, continued" clause; and the owner's answer (any
/// operation below his rotation) turns it into a contest, never back into his history.
#[test]
#[ignore = "limit Q1 (06 §5.8 What stays open: the leaf window, continued); stated in 06 §11.9"]
fn q1_continued_refork_beats_a_leaf_rotation() {
    let (r0, n0, m0, x0) = (key(1), key(11), key(21), key(66));
    let g = genesis_committed(&[&r0], &[&n0]);
    let account = Accounts::account_id(&g);
    let q1 = next(
        &rotation(account, &g, &[&n0], Some(&[&m0]), &[&r0], 2),
        &n0,
        None,
    );
    let qx = next(
        &rotation(account, &g, &[&n0], Some(&[&x0]), &[&r0], 4),
        &n0,
        Some(&q1),
    );
    let tx = next(&delegation(account, &qx, &key(67), 5), &n0, Some(&qx));
    let (s1, head1, _) = outcome(&[&g, &q1, &qx, &tx], account);
    assert_eq!(head1, tx.id(), "{s1}");
    let q2 = next(&rotation(account, &q1, &[&m0], None, &[&n0], 6), &m0, None);
    let (s, head, contested) = outcome(&[&g, &q1, &qx, &tx, &q2], account);
    assert!(
        head == q2.id() && contested.is_empty(),
        "head={head} contested={contested:?} g={}\n{s}",
        g.id()
    );
}

/// Q1 (e): witnesses are the answer — with a witness set at the genesis and the owner's `q1`
/// final there, the thief's re-fork at `G` counts for nothing (06 §8.6).
#[test]
fn q1_witnessed_final_rotation_survives_the_refork() {
    let (r0, n0, m0, x0, w) = (key(1), key(11), key(21), key(66), key(40));
    let g = Operation::genesis(&[r0.public_key()], 1)
        .unwrap()
        .with_next(next_commitment(&[n0.public_key()]).unwrap())
        .unwrap()
        .with_witnesses(&WitnessSet::new(&[w.public_key()], 1).unwrap())
        .unwrap()
        .accepted_by(&w)
        .unwrap()
        .sign(&r0)
        .unwrap();
    let account = Accounts::account_id(&g);
    let q1 = next(
        &rotation(account, &g, &[&n0], Some(&[&m0]), &[&r0], 2),
        &n0,
        None,
    );
    let rc = next(&Operation::receipt(account, q1.id(), 3), &w, None);
    let qx = next(
        &rotation(account, &g, &[&n0], Some(&[&x0]), &[&r0], 4),
        &n0,
        Some(&q1),
    );
    let tx = next(&delegation(account, &qx, &key(67), 5), &n0, Some(&qx));
    let q2 = next(&rotation(account, &q1, &[&m0], None, &[&n0], 6), &m0, None);
    let (s, head, contested) = outcome(&[&g, &q1, &rc, &qx, &tx, &q2], account);
    assert!(head == q2.id() && contested.is_empty(), "{s}");
}

/// The Python checker shares Q1 (a): same contested head (so spec, crate and checker agree; only
/// the prose promise of §5.8 / §11.5 / security.md differs).
#[test]
#[ignore = "cross-implementation check: needs python3 with the checker's dependencies"]
fn q_python_checker_agrees_on_q1() {
    let _ = std::panic::catch_unwind(
        q1_current_root_thief_reforks_at_the_parent_of_the_last_committed_rotation,
    );
    let case = Q1A.with(|c| c.borrow().clone()).unwrap();
    let text = python_cross_check(&[case]);
    assert!(text.contains("1 cases, 0 disagreements"), "{text}");
}

/// Q1 (f): what the re-fork's contest costs the owner (06 §8.4 case 1). The owner's phone was
/// delegated at the fork point's parent side (`d0` at `G`, by R0) and re-delegated after the
/// rotation; the thief revokes `d0`'s phone inside his contested branch: the head state is `d0`'s,
/// with the thief's revocation applied (a revocation in a contested branch always applies).
#[test]
fn q1_refork_contest_revokes_what_was_delegated_above() {
    let (r0, n0, m0, x0, phone) = (key(1), key(11), key(21), key(66), key(3));
    let g = genesis_committed(&[&r0], &[&n0]);
    let account = Accounts::account_id(&g);
    let d0 = next(&delegation(account, &g, &phone, 2), &r0, Some(&g));
    let q1 = next(
        &rotation(account, &d0, &[&n0], Some(&[&m0]), &[&r0], 3),
        &n0,
        None,
    );
    let q2 = next(&rotation(account, &q1, &[&m0], None, &[&n0], 4), &m0, None);
    let qx = next(
        &rotation(account, &d0, &[&n0], Some(&[&x0]), &[&r0], 5),
        &n0,
        Some(&q1),
    );
    let rx = next(
        &Operation::revoke(account, qx.id(), phone.public_key(), None, 6).unwrap(),
        &n0,
        Some(&qx),
    );
    let (s, head, contested) = outcome(&[&g, &d0, &q1, &q2, &qx, &rx], account);
    assert_eq!(head, d0.id(), "{s}");
    assert_eq!(contested.len(), 2, "{s}");
    let accounts = apply_all([&g, &d0, &q1, &q2, &qx, &rx]);
    assert_eq!(
        revocation_of(&accounts, &account, &phone.public_key()),
        Some(Revocation::All),
        "{s}"
    );
}

/// Q1 (g): the careful pattern (`[R0, R1]` → `next([R0, N1])`, the pattern of
/// `threat-9-committed-careful-rotation-no-freeze`): the revealed key is the new EVERYDAY root N1,
/// the only key of the list that is new at `G`. A thief of N1 alone (no R0) signs `[R0, N1]` at
/// `G` (no `next`, so only N1 accepts) and continues: `G` is contested for ever, and the owner's
/// top root R0 cannot answer (both rotations already count as signed by R0). Without pre-rotation
/// the everyday root of `q1` could not sign at `G` at all (06 §11.9: "the everyday root … cannot
/// beat an R0 signature").
#[test]
fn q1_everyday_revealed_key_alone_freezes_the_parent() {
    let (r0, r1, n1, r1b, phone) = (key(1), key(2), key(12), key(13), key(3));
    let g = genesis_committed(&[&r0, &r1], &[&r0, &n1]);
    let account = Accounts::account_id(&g);
    let q1 = next(
        &rotation(account, &g, &[&r0, &n1], Some(&[&r0, &r1b]), &[&r0, &r1], 2),
        &n1,
        None,
    );
    let d = next(&delegation(account, &q1, &phone, 3), &n1, Some(&q1));
    // The thief of N1 only.
    let qx = next(
        &rotation(account, &g, &[&r0, &n1], None, &[&r0, &r1], 4),
        &n1,
        Some(&d),
    );
    let tx = next(&delegation(account, &qx, &key(67), 5), &n1, Some(&qx));
    // The owner's answers: R0 signs below q1; the committed rotation to [R0, R1'] below q1.
    let e = next(
        &Operation::enckey(account, d.id(), [9; 32], 1, 6).unwrap(),
        &r0,
        Some(&g),
    );
    let q2 = next(
        &rotation(account, &e, &[&r0, &r1b], None, &[&r0, &n1], 7),
        &r1b,
        None,
    );
    RECORDED.with(|c| {
        c.borrow_mut().push((
            account,
            vec![
                g.clone(),
                q1.clone(),
                d.clone(),
                qx.clone(),
                tx.clone(),
                e.clone(),
                q2.clone(),
            ],
        ))
    });
    let (s, head, contested) = outcome(&[&g, &q1, &d, &qx, &tx, &e, &q2], account);
    assert!(
        head == q2.id() && contested.is_empty(),
        "head={head} contested={contested:?} g={}\n{s}",
        g.id()
    );
}

/// Q1 (h): the thief needs the revealed key ONLY. `G` = `[R0, R1]` → `next([N0, N1])`; the owner
/// rotates (`q1`, signed by N0, accepted by N0 and N1) and goes on with the everyday N1. The thief
/// of N0 alone copies `q1`'s body — its acceptances sign the body without the header, so they stay
/// valid — under a header of his own (another `seq`), and continues with N0 below it.
#[test]
fn q1_revealed_key_alone_copies_its_rotation_and_freezes() {
    let (r0, r1, n0, n1, m0, m1, phone) =
        (key(1), key(2), key(11), key(12), key(21), key(22), key(3));
    let g = genesis_committed(&[&r0, &r1], &[&n0, &n1]);
    let account = Accounts::account_id(&g);
    let rot = rotation(account, &g, &[&n0, &n1], Some(&[&m0, &m1]), &[&r0, &r1], 2);
    let q1 = next(&rot, &n0, None);
    let d = next(&delegation(account, &q1, &phone, 3), &n1, None);
    let qx = at(&rot, &n0, 7, Some(&q1));
    assert_ne!(qx.id(), q1.id());
    let tx = next(&delegation(account, &qx, &key(67), 5), &n0, Some(&qx));
    // The owner's committed rotation to the M keys below q1, dropping N0.
    let q2 = next(
        &rotation(account, &d, &[&m0, &m1], None, &[&n0, &n1], 6),
        &m0,
        None,
    );
    RECORDED.with(|c| {
        c.borrow_mut().push((
            account,
            vec![
                g.clone(),
                q1.clone(),
                d.clone(),
                qx.clone(),
                tx.clone(),
                q2.clone(),
            ],
        ))
    });
    let mut accounts = apply_all([&g, &q1, &d]);
    assert_eq!(accounts.apply(&qx).map(|_| ()), Ok(()), "the copy is valid");
    let (s, head, contested) = outcome(&[&g, &q1, &d, &qx, &tx, &q2], account);
    assert!(
        head == q2.id() && contested.is_empty(),
        "head={head} contested={contested:?} g={}\n{s}",
        g.id()
    );
}

/// Q3: the recommended order (the revealed key is the new top root, kept offline): a retry leaf
/// `q1b` (no `supersedes`) beside the owner's rotation `q1`, which the owner continues with the
/// everyday N1 only: not a "tie of one key's leaves, continued" (nothing below `q1` counts as N0),
/// so `G` stays contested until N0 signs below `q1`.
#[test]
#[ignore = "limit Q3 (06 §5.8 producer rules); pinned by vector threat-9-one-key-committed-retry-continued-by-other-root"]
fn q3_retry_leaf_beside_a_rotation_continued_by_the_everyday_key() {
    let (r0, r1, n0, n1, phone) = (key(1), key(2), key(11), key(12), key(3));
    let g = genesis_committed(&[&r0, &r1], &[&n0, &n1]);
    let account = Accounts::account_id(&g);
    let q1 = next(
        &rotation(account, &g, &[&n0, &n1], None, &[&r0, &r1], 2),
        &n0,
        None,
    );
    let q1b = next(
        &rotation(account, &g, &[&n0, &n1], None, &[&r0, &r1], 3),
        &n0,
        Some(&q1),
    );
    let d = next(&delegation(account, &q1, &phone, 4), &n1, None);
    let (s, head, contested) = outcome(&[&g, &q1, &q1b, &d], account);
    assert!(
        head == d.id() && contested.is_empty(),
        "head={head} contested={contested:?}\n{s}"
    );
}

/// The Python checker shares Q1 (g), Q1 (h) and Q2.
#[test]
#[ignore = "cross-implementation check: needs python3 with the checker's dependencies"]
fn q_python_checker_agrees_on_q1g_q1h_q2() {
    let _ = std::panic::catch_unwind(q1_everyday_revealed_key_alone_freezes_the_parent);
    let _ = std::panic::catch_unwind(q1_revealed_key_alone_copies_its_rotation_and_freezes);
    let _ = std::panic::catch_unwind(q2_rotation_below_the_thief_then_as_sibling_freezes);
    let cases = RECORDED.with(|c| c.borrow().clone());
    assert_eq!(cases.len(), 3);
    let text = python_cross_check(&cases);
    assert!(text.contains("3 cases, 0 disagreements"), "{text}");
}

// P3 (2a7f251) re-attacked: committed deactivations and successors are acts of the revealed key.

/// Q4 (a): after the owner's rotation `q1` of `G` (signed by N0, the new top root), the thief of
/// N0 ALONE signs a committed deactivation at `G` naming the (now public) list — no acceptance
/// needed. While `q1` is a leaf the two are "one key's leaves" and the smaller id wins: the thief
/// grinds `time` until his id is smaller, and the (unwitnessed) account is deactivated. Before P3
/// a deactivation at `G` needed a root of `G`, which N0 is not.
#[test]
fn q4_revealed_key_deactivates_at_the_parent_while_the_rotation_is_a_leaf() {
    let (r0, r1, n0, n1) = (key(1), key(2), key(11), key(12));
    let g = genesis_committed(&[&r0, &r1], &[&n0, &n1]);
    let account = Accounts::account_id(&g);
    let q1 = next(
        &rotation(account, &g, &[&n0, &n1], None, &[&r0, &r1], 2),
        &n0,
        None,
    );
    let dx = (10..200)
        .map(|time| {
            let op = Operation::deactivate(account, g.id(), time)
                .revealing(&pks(&[&n0, &n1]))
                .unwrap();
            next(&op, &n0, Some(&q1))
        })
        .find(|dx| dx.id() < q1.id())
        .unwrap();
    RECORDED.with(|c| {
        c.borrow_mut()
            .push((account, vec![g.clone(), q1.clone(), dx.clone()]))
    });
    let mut accounts = apply_all([&g, &q1]);
    // Fixed (ACCT-10, ACCT-14): every key of the revealed list accepts a committed deactivation;
    // the thief holds N0 alone.
    assert_eq!(
        accounts.apply(&dx).map(|_| ()),
        Err(AccountError::AcceptanceMissing),
        "refused: N1 did not accept"
    );
    let (s, head, _) = outcome(&[&g, &q1, &dx], account);
    let accounts = apply_all([&g, &q1, &dx]);
    let view = accounts.account(&account).unwrap();
    assert!(
        head == q1.id() && view.deactivated().is_none(),
        "the thief of the revealed key ended the account: head={head} dx={}\n{s}",
        dx.id()
    );
}

/// Q4 (b): as (a), the owner going on below `q1` with the everyday N1 (the offline N0 signs
/// nothing else, as recommended): `G` is contested for ever (06 §8.1 "continued" needs an N0
/// signature below `q1`).
#[test]
fn q4_revealed_key_deactivation_freezes_the_parent() {
    let (r0, r1, n0, n1, phone) = (key(1), key(2), key(11), key(12), key(3));
    let g = genesis_committed(&[&r0, &r1], &[&n0, &n1]);
    let account = Accounts::account_id(&g);
    let q1 = next(
        &rotation(account, &g, &[&n0, &n1], None, &[&r0, &r1], 2),
        &n0,
        None,
    );
    let d = next(&delegation(account, &q1, &phone, 3), &n1, None);
    let dx = next(
        &Operation::deactivate(account, g.id(), 4)
            .revealing(&pks(&[&n0, &n1]))
            .unwrap(),
        &n0,
        Some(&q1),
    );
    RECORDED.with(|c| {
        c.borrow_mut()
            .push((account, vec![g.clone(), q1.clone(), d.clone(), dx.clone()]))
    });
    let (s, head, contested) = outcome(&[&g, &q1, &d, &dx], account);
    assert!(
        head == d.id() && contested.is_empty(),
        "head={head} contested={contested:?}\n{s}"
    );
}

/// Q4 (c): the same with a `successor` to the thief's account `B` (whose genesis names `A`): while
/// `q1` is a leaf and the thief's id is smaller, `A` has moved to `B`.
#[test]
fn q4_revealed_key_moves_the_account_at_the_parent() {
    let (r0, r1, n0, n1, x) = (key(1), key(2), key(11), key(12), key(66));
    let g = genesis_committed(&[&r0, &r1], &[&n0, &n1]);
    let account = Accounts::account_id(&g);
    let b = Operation::genesis(&[x.public_key()], 1)
        .unwrap()
        .predecessor(account)
        .unwrap()
        .sign(&x)
        .unwrap();
    let to = Accounts::account_id(&b);
    let q1 = next(
        &rotation(account, &g, &[&n0, &n1], None, &[&r0, &r1], 2),
        &n0,
        None,
    );
    let sx = (10..200)
        .map(|time| {
            let op = Operation::successor(account, g.id(), to, time)
                .revealing(&pks(&[&n0, &n1]))
                .unwrap();
            next(&op, &n0, Some(&q1))
        })
        .find(|sx| sx.id() < q1.id())
        .unwrap();
    let (s, head, _) = outcome(&[&g, &b, &q1, &sx], account);
    let accounts = apply_all([&g, &b, &q1, &sx]);
    assert!(
        accounts.moved_to(&account).is_none(),
        "the thief of the revealed key moved the account: head={head}\n{s}"
    );
}

/// Q4 (d) (passes: the owner's answer): the owner signs once with N0 below `q1`; the thief's
/// deactivation is then a leaf beside a continued rotation and loses.
#[test]
fn q4_owner_signing_with_the_revealed_key_below_the_rotation_answers() {
    let (r0, r1, n0, n1) = (key(1), key(2), key(11), key(12));
    let g = genesis_committed(&[&r0, &r1], &[&n0, &n1]);
    let account = Accounts::account_id(&g);
    let q1 = next(
        &rotation(account, &g, &[&n0, &n1], None, &[&r0, &r1], 2),
        &n0,
        None,
    );
    let e = next(
        &Operation::enckey(account, q1.id(), [5; 32], 1, 3).unwrap(),
        &n0,
        Some(&q1),
    );
    let dx = next(
        &Operation::deactivate(account, g.id(), 4)
            .revealing(&pks(&[&n0, &n1]))
            .unwrap(),
        &n0,
        Some(&e),
    );
    let (s, head, contested) = outcome(&[&g, &q1, &e, &dx], account);
    assert!(head == e.id() && contested.is_empty(), "{s}");
}

/// The Python checker shares Q4 (a) and (b).
#[test]
#[ignore = "cross-implementation check: needs python3 with the checker's dependencies"]
fn q_python_checker_agrees_on_q4() {
    let _ = std::panic::catch_unwind(
        q4_revealed_key_deactivates_at_the_parent_while_the_rotation_is_a_leaf,
    );
    let _ = std::panic::catch_unwind(q4_revealed_key_deactivation_freezes_the_parent);
    let cases = RECORDED.with(|c| c.borrow().clone());
    assert_eq!(cases.len(), 2);
    let text = python_cross_check(&cases);
    assert!(text.contains("2 cases, 0 disagreements"), "{text}");
}

/// Trade-off of the "met commitment" prototype (`/work/brief/audit-pre2-prototype-met-commitment.patch`):
/// a thief of EVERY key of the revealed list meets his own commitment while the owner has not met his:
/// `report` prints the outcome without and with the owner's second rotation.
#[test]
#[ignore = "informative: prints the outcome of the all-keys thief (used with the prototype)"]
fn q_all_keys_thief_meeting_his_own_commitment() {
    let (r0, n0, m0, x0, phone) = (key(1), key(11), key(21), key(66), key(3));
    let g = genesis_committed(&[&r0], &[&n0]);
    let account = Accounts::account_id(&g);
    let q1 = next(
        &rotation(account, &g, &[&n0], Some(&[&m0]), &[&r0], 2),
        &n0,
        None,
    );
    let d = next(&delegation(account, &q1, &phone, 3), &n0, Some(&q1));
    let qx = next(
        &rotation(account, &g, &[&n0], Some(&[&x0]), &[&r0], 4),
        &n0,
        Some(&d),
    );
    let q2x = next(&rotation(account, &qx, &[&x0], None, &[&n0], 5), &x0, None);
    let (_, head, contested) = outcome(&[&g, &q1, &d, &qx, &q2x], account);
    println!(
        "owner unmet: head is thief's q2x: {} ; contested {:?}",
        head == q2x.id(),
        contested
    );
    let q2 = next(&rotation(account, &d, &[&m0], None, &[&n0], 6), &m0, None);
    let (_, head, contested) = outcome(&[&g, &q1, &d, &qx, &q2x, &q2], account);
    println!(
        "owner met too: head is G: {} ; contested {}",
        head == g.id(),
        contested.len()
    );
}

/// Audit f2f8-2, merge of b14-pre into b14-f2f8 (06 §5.8 x §8.1 A1): the owner's `Y` (enckey by
/// R0) at the committed genesis, then below it the committed rotation `Q` to `[R0n, R1n]`, signed
/// by the revealed `R0n`, and `d` by `R1n`. A thief of the old backup (`R0`) supersedes `Y` with a
/// later-`seq` sibling `X`. `Q` counts as signed by every root of `parent(Q)` = `[R0, R1]` (06
/// §8.1 b14-pre "Attribution"), so `Y` must not be superseded: the head stays `d`. With the
/// subtree test reading the literal signer (the auto-merge), `Q`'s subtree is erased and the thief
/// takes the account over.
#[test]
fn m1_committed_rotation_below_y_blocks_its_supersession() {
    let (r0, r1, r0n, r1n, phone) = (key(1), key(2), key(11), key(12), key(3));
    let g = committed_genesis(&r0, &r1, &[r0n.public_key(), r1n.public_key()]);
    let account = Accounts::account_id(&g);
    let y = next(
        &Operation::enckey(account, g.id(), [5; 32], 1, 2).unwrap(),
        &r0,
        Some(&g),
    );
    let q = next(
        &Operation::roots(account, y.id(), &[r0n.public_key(), r1n.public_key()], 3)
            .unwrap()
            .accepted_by(&r0n)
            .unwrap()
            .accepted_by(&r1n)
            .unwrap(),
        &r0n,
        None,
    );
    let d = next(
        &Operation::delegate(account, q.id(), phone.public_key(), &[], 1_000_000, None, 4)
            .unwrap()
            .accepted_by(&phone)
            .unwrap(),
        &r1n,
        None,
    );
    let before = apply_all([&g, &y, &q, &d]);
    assert_eq!(before.account(&account).unwrap().head(), d.id());
    // The thief: X by R0 beside Y, later seq, supersedes Y; then his own app below X.
    let x = at(
        &Operation::enckey(account, g.id(), [6; 32], 2, 5)
            .unwrap()
            .supersedes(y.id())
            .unwrap(),
        &r0,
        3,
        Some(&y),
    );
    let after = apply_all([&g, &y, &q, &d, &x]);
    let view = after.account(&account).unwrap();
    assert_eq!(
        view.head(),
        d.id(),
        "M1 (from scratch): the thief's X supersedes Y and erases the committed rotation: head {} roots {:?}",
        view.head(),
        view.roots()
    );
    let (expected, bad) = orders_that_disagree(&[&g], &[&y, &q, &d, &x], &account);
    assert!(
        bad.is_empty(),
        "M1 (incremental): {} of 24 orders disagree with {expected}; first: {:?}",
        bad.len(),
        bad.first()
    );
}

// ---------------------------------------------------------------------------------------------
// Audit f2f8-2 (re-attack of e3035a1 / 5c62494): reproductions.
// ---------------------------------------------------------------------------------------------

/// Every order of `rest` (after `first`, applied in order), querying the head after every
/// operation so that the cached chain's fast paths run; returns the orders whose final summary
/// differs from a from-scratch computation.
fn orders_that_disagree(
    first: &[&SignedMessage],
    rest: &[&SignedMessage],
    account: &AccountId,
) -> (String, Vec<(Vec<usize>, String)>) {
    let all: Vec<&SignedMessage> = first.iter().chain(rest.iter()).copied().collect();
    let expected = summary(&apply_all(all.iter().copied()), account);
    let mut bad = Vec::new();
    let mut idx: Vec<usize> = (0..rest.len()).collect();
    permute(&mut idx, 0, &mut |p| {
        let mut accounts = Accounts::new();
        for op in first {
            let _ = accounts.apply(op);
            let _ = accounts.account(account).map(|v| v.head());
        }
        for &i in p {
            let _ = accounts.apply(rest[i]);
            let _ = accounts.account(account).map(|v| v.head());
        }
        let got = summary(&accounts, account);
        if got != expected {
            bad.push((p.to_vec(), got));
        }
    });
    (expected, bad)
}

/// B1: a receipt that makes a superseded operation `Y` final (06 §8.6) brings it back (§8.1:
/// "`Y` is not final"), here below a branch `C` off the chain whose fork point `d` names no
/// witnesses. `Y`'s subtree holds an R0 signature (R0 is a root of `d`, not of `C` nor of `X`), so
/// bringing it back gives `C` strength 0 at `d`: a contest with `A` (strength 0). From scratch:
/// contested at `d`. The cached chain keeps the receipt (Canon::keep_receipt counts only the
/// witnesses of the fork point `d`, which has none) and stays on `A2`.
#[test]
fn b1_receipt_that_makes_a_superseded_operation_final_is_seen_by_the_cached_chain() {
    let t = two_roots();
    let (k, w) = (key(61), key(62));
    // A (R1) -> A2 (R0): the chosen branch at d, strength 0.
    let a = next(
        &Operation::enckey(t.account, t.d.id(), [1; 32], 1, 3).unwrap(),
        &t.r1,
        Some(&t.d),
    );
    let a2 = next(
        &Operation::enckey(t.account, a.id(), [2; 32], 2, 4).unwrap(),
        &t.r0,
        Some(&t.g),
    );
    // C (R1): roots [R1, k] with witnesses {w}: strength 1 at d.
    let c = next(
        &Operation::roots(t.account, t.d.id(), &[t.r1.public_key(), k.public_key()], 5)
            .unwrap()
            .with_witnesses(&WitnessSet::new(&[w.public_key()], 1).unwrap())
            .unwrap()
            .accepted_by(&k)
            .unwrap()
            .accepted_by(&w)
            .unwrap(),
        &t.r1,
        Some(&a),
    );
    // Y (k) re-adds R0; Z (R0) below Y; X (k) supersedes Y.
    let y = next(
        &Operation::roots(
            t.account,
            c.id(),
            &[t.r1.public_key(), k.public_key(), t.r0.public_key()],
            6,
        )
        .unwrap()
        .accepted_by(&t.r0)
        .unwrap(),
        &k,
        None,
    );
    let z = next(
        &Operation::enckey(t.account, y.id(), [3; 32], 3, 7).unwrap(),
        &t.r0,
        Some(&a2),
    );
    let x = next(
        &Operation::enckey(t.account, c.id(), [4; 32], 4, 8)
            .unwrap()
            .supersedes(y.id())
            .unwrap(),
        &k,
        Some(&y),
    );
    let rc = next(&Operation::receipt(t.account, z.id(), 9), &w, None);
    // Without the receipt: Y is superseded, C has strength 1, A wins: head A2.
    let without = apply_all([&t.g, &t.d, &a, &a2, &c, &y, &z, &x]);
    assert_eq!(without.account(&t.account).unwrap().head(), a2.id());
    // With it (from scratch): Y is final at C, so not superseded; R0's Z counts under C at d.
    let with = apply_all([&t.g, &t.d, &a, &a2, &c, &y, &z, &x, &rc]);
    let view = with.account(&t.account).unwrap();
    assert_eq!(view.head(), t.d.id(), "from scratch: contested at d");
    assert_eq!(view.contested().len(), 2);
    // The same set, receipt last, with the view asked for before it: the cache must agree.
    let (expected, bad) =
        orders_that_disagree(&[&t.g, &t.d], &[&a, &a2, &c, &y, &z, &x, &rc], &t.account);
    assert!(
        bad.is_empty(),
        "B1: {} of 5040 orders disagree with {expected}; first: {:?}",
        bad.len(),
        bad.first()
    );
}

/// Sound (checked): an R0 signature arriving below a *nested* superseded operation `Y'` (inside
/// the subtree of the superseded `Y`) brings `Y` back, in every order with the view asked for
/// after each operation: `Y` (R1 adds R3) / `X` (R1, supersedes `Y`); below `Y`: `c1` (R3) ->
/// `Y'` (R3) / `X'` (R3, supersedes `Y'`) -> `z` (R0, below `Y'`).
#[test]
fn b2_deep_revival_through_a_nested_supersession_in_every_order() {
    let t = two_roots();
    let r3 = key(33);
    let y = next(
        &Operation::roots(
            t.account,
            t.d.id(),
            &[t.r0.public_key(), t.r1.public_key(), r3.public_key()],
            3,
        )
        .unwrap()
        .accepted_by(&r3)
        .unwrap(),
        &t.r1,
        Some(&t.d),
    );
    let x = next(
        &Operation::enckey(t.account, t.d.id(), [1; 32], 1, 4)
            .unwrap()
            .supersedes(y.id())
            .unwrap(),
        &t.r1,
        Some(&y),
    );
    let c1 = next(
        &Operation::enckey(t.account, y.id(), [2; 32], 2, 5).unwrap(),
        &r3,
        None,
    );
    let y2 = next(
        &Operation::enckey(t.account, c1.id(), [3; 32], 3, 6).unwrap(),
        &r3,
        Some(&c1),
    );
    let x2 = next(
        &Operation::enckey(t.account, c1.id(), [4; 32], 4, 7)
            .unwrap()
            .supersedes(y2.id())
            .unwrap(),
        &r3,
        Some(&y2),
    );
    let z = next(
        &Operation::enckey(t.account, y2.id(), [5; 32], 5, 8).unwrap(),
        &t.r0,
        Some(&t.g),
    );
    let without = apply_all([&t.g, &t.d, &y, &x, &c1, &y2, &x2]);
    assert_eq!(without.account(&t.account).unwrap().head(), x.id());
    let with = apply_all([&t.g, &t.d, &y, &x, &c1, &y2, &x2, &z]);
    assert_ne!(with.account(&t.account).unwrap().head(), x.id());
    let (expected, bad) =
        orders_that_disagree(&[&t.g, &t.d], &[&y, &x, &c1, &y2, &x2, &z], &t.account);
    assert!(
        bad.is_empty(),
        "B2: {} orders disagree with {expected}: {:?}",
        bad.len(),
        bad.first()
    );
}

/// B3 (Low, availability; the price of A1's refinement (c)): an honest retry `X` of a rotation
/// `Y` = roots `[R0, R1, R3]` (R1), re-signed with the *same* list after `R3`'s device already
/// continued below `Y`: `R3` is a root of `X`'s state, so `Y` is not superseded; `X` (a leaf) and
/// `Y` (not continued by R1) tie at strength 1: a contest at `d`, in every order. §11.6 says only
/// that "the retry is the head".
#[test]
fn b3_retry_of_a_rotation_continued_by_its_added_key_is_a_contest() {
    let t = two_roots();
    let r3 = key(33);
    let list = [t.r0.public_key(), t.r1.public_key(), r3.public_key()];
    let y = next(
        &Operation::roots(t.account, t.d.id(), &list, 3)
            .unwrap()
            .accepted_by(&r3)
            .unwrap(),
        &t.r1,
        Some(&t.d),
    );
    let c = next(
        &Operation::enckey(t.account, y.id(), [2; 32], 1, 4).unwrap(),
        &r3,
        None,
    );
    let x = next(
        &Operation::roots(t.account, t.d.id(), &list, 5)
            .unwrap()
            .supersedes(y.id())
            .unwrap()
            .accepted_by(&r3)
            .unwrap(),
        &t.r1,
        Some(&y),
    );
    let s = same_in_every_order(&[&t.g, &t.d, &y, &c, &x], &t.account);
    let view = apply_all([&t.g, &t.d, &y, &c, &x]);
    let view = view.account(&t.account).unwrap();
    assert_eq!(view.head(), t.d.id(), "B3: {s}");
    assert_eq!(view.contested().len(), 2, "B3: {s}");
}

// ---------------------------------------------------------------------------------------------
// audit-wm (audits/2026-12-06-witness-met.md): witnesses x the met-commitment rule x committed
// acts, and met commitments two generations deep. Findings are `WM<n>`; `wm_` tests.
// ---------------------------------------------------------------------------------------------

/// A genesis of `roots` (signed by the first, accepted by the others), committed to `next_list`
/// if given, naming `witnesses` with threshold `t` if any (each accepts, ACCT-10).
fn wm_genesis(
    roots: &[&SecretKey],
    next_list: Option<&[&SecretKey]>,
    witnesses: &[&SecretKey],
    t: usize,
) -> SignedMessage {
    let mut op = Operation::genesis(&pks(roots), 1).unwrap();
    if let Some(n) = next_list {
        op = op.with_next(next_commitment(&pks(n)).unwrap()).unwrap();
    }
    if !witnesses.is_empty() {
        op = op
            .with_witnesses(&WitnessSet::new(&pks(witnesses), t).unwrap())
            .unwrap();
        for w in witnesses {
            op = op.accepted_by(w).unwrap();
        }
    }
    for k in &roots[1..] {
        op = op.accepted_by(k).unwrap();
    }
    op.sign(roots[0]).unwrap()
}

/// A committed deactivation at `parent` revealing `list` (every key of it accepts, ACCT-10).
fn wm_deactivation(
    account: AccountId,
    parent: &SignedMessage,
    list: &[&SecretKey],
    time: u64,
) -> Operation {
    let mut op = Operation::deactivate(account, parent.id(), time)
        .revealing(&pks(list))
        .unwrap();
    for k in list {
        op = op.accepted_by(k).unwrap();
    }
    op
}

/// A receipt of `witness` over `op`, following the witness's `prev` receipt.
fn wm_receipt(
    account: AccountId,
    op: &SignedMessage,
    witness: &SecretKey,
    prev: Option<&SignedMessage>,
    time: u64,
) -> SignedMessage {
    next(&Operation::receipt(account, op.id(), time), witness, prev)
}

/// WM1 (witnesses x the witness gate x committed acts). `G` = `[R0, R1]` committed to
/// `[N0, N1]`, witnesses `{w1, w2}` with `t = 2` (all of them; as `n/2 + 1` for `n = 2`). The
/// thief of the current top root `R0` appends his app key at `G` (`t1`); witness `w1`, honest,
/// receipts it after its settling delay (it was the canonical head). The owner answers in time for
/// `w2`: his committed rotation `q` beside `t1` wins at `G` (it counts as `R0` and retires it), and
/// `w2` receipts it. Then the owner deactivates the account with the next keys (`D`, a committed
/// act of `q`'s commitment) and `w2` receipts `D`. `w1` can never receipt `q`'s branch without
/// becoming duplicitous (its receipt over `t1` is not an ancestor), so `q` is never final at `G`:
/// the witness gate of ACCT-11 is closed for good, and the deactivation (or a successor) never
/// counts, whatever any witness signs later — here `w1` receipts `D` too and only turns
/// duplicitous. Promise (06 §5.8 "Witness finality still binds": "The owner ends or moves a
/// committed account with the revealed key, and that act wins beside the thief's operations"):
/// the account is deactivated.
#[test]
#[ignore = "finding WM1 (Medium): a witness split by a strength switch closes the witness gate for ever; 06 §8.6 states no such limit"]
fn wm1_witness_split_closes_the_gate_for_ever() {
    let (r0, r1, n0, n1, m0, m1) = (key(1), key(2), key(11), key(12), key(21), key(22));
    let (w1, w2) = (key(40), key(41));
    let g = wm_genesis(&[&r0, &r1], Some(&[&n0, &n1]), &[&w1, &w2], 2);
    let account = Accounts::account_id(&g);
    let t1 = next(&delegation(account, &g, &key(67), 2), &r0, Some(&g));
    let rc1 = wm_receipt(account, &t1, &w1, None, 3);
    let q = next(
        &rotation(account, &g, &[&n0, &n1], Some(&[&m0, &m1]), &[&r0, &r1], 4),
        &n0,
        None,
    );
    let rc2 = wm_receipt(account, &q, &w2, None, 5);
    let d = next(&wm_deactivation(account, &q, &[&m0, &m1], 6), &m0, None);
    let rc3 = wm_receipt(account, &d, &w2, Some(&rc2), 7);
    let rc4 = wm_receipt(account, &d, &w1, Some(&rc1), 8);
    // Sound part, in every order: the owner's rotation wins at G and D is the head; w1's receipt
    // over D makes it duplicitous (evidence), it never helps.
    let (expected, bad) =
        orders_that_disagree(&[&g], &[&t1, &rc1, &q, &rc2, &d, &rc3, &rc4], &account);
    assert!(
        bad.is_empty(),
        "{} orders disagree: {:?}",
        bad.len(),
        bad.first()
    );
    let all = apply_all([&g, &t1, &rc1, &q, &rc2, &d, &rc3, &rc4]);
    let view = all.account(&account).unwrap();
    assert_eq!(view.head(), d.id(), "{expected}");
    assert_eq!(view.duplicitous(), &[w1.public_key()], "{expected}");
    let honest = apply_all([&g, &t1, &rc1, &q, &rc2, &d, &rc3]);
    assert_eq!(honest.account(&account).unwrap().head(), d.id());
    assert_eq!(
        honest.account(&account).unwrap().deactivated(),
        Some(6),
        "the owner's deactivation never counts (gate closed at G for ever): {}",
        summary(&honest, &account)
    );
}

/// WM1, the bound it needs: with three witnesses and `t = 2` (odd `n`, `t = (n + 1) / 2`) the
/// same split leaves two honest witnesses for the owner's branch: `q` becomes final at `G` and the
/// deactivation counts, in every order.
#[test]
fn wm1_odd_witness_set_survives_the_split() {
    let (r0, r1, n0, n1, m0, m1) = (key(1), key(2), key(11), key(12), key(21), key(22));
    let (w1, w2, w3) = (key(40), key(41), key(42));
    let g = wm_genesis(&[&r0, &r1], Some(&[&n0, &n1]), &[&w1, &w2, &w3], 2);
    let account = Accounts::account_id(&g);
    let t1 = next(&delegation(account, &g, &key(67), 2), &r0, Some(&g));
    let rc1 = wm_receipt(account, &t1, &w1, None, 3);
    let q = next(
        &rotation(account, &g, &[&n0, &n1], Some(&[&m0, &m1]), &[&r0, &r1], 4),
        &n0,
        None,
    );
    let d = next(&wm_deactivation(account, &q, &[&m0, &m1], 6), &m0, None);
    let rc2 = wm_receipt(account, &d, &w2, None, 7);
    let rc3 = wm_receipt(account, &d, &w3, None, 8);
    let (expected, bad) = orders_that_disagree(&[&g], &[&t1, &rc1, &q, &d, &rc2, &rc3], &account);
    assert!(
        bad.is_empty(),
        "{} orders disagree: {:?}",
        bad.len(),
        bad.first()
    );
    let all = apply_all([&g, &t1, &rc1, &q, &d, &rc2, &rc3]);
    let view = all.account(&account).unwrap();
    assert_eq!(view.head(), d.id(), "{expected}");
    assert_eq!(view.deactivated(), Some(6), "{expected}");
    assert_eq!(view.last_final(), Some(d.id()), "{expected}");
}

/// WM1 (b), the met-commitment variant: the genesis is committed but names no witnesses; the
/// owner's rotation `q1` names witnesses `{w1, w2, w3}`, `t = 2` (odd: the bound of the test above
/// holds). The thief of the revealed key `N0` copies `q1` (`qx`, same body) and continues it
/// (`tx`): in the leaf window it is the chain, and every witness, honest, receipts `tx` after its
/// settling delay (`tx` is final at `qx`). The owner meets `q1`'s commitment (`q2` by `M0`), which
/// breaks the copy's tie at `G` (06 §8.1): his chain wins. But every witness of the set that judges
/// the fork points below `q1` has receipted inside `qx`'s subtree: none can ever endorse the
/// owner's history (account-wide duplicity), so `q2` is never final at `q1`, nothing below `q1`
/// ever will be, and the owner's deactivation below `q2` never counts. Promise: as above.
#[test]
#[ignore = "finding WM1 (Medium): after a met-commitment switch the witnesses of the set below are all spent on the losing copy; the gate is closed for ever"]
fn wm1_met_switch_spends_every_witness_below() {
    let (r0, r1, n0, n1, m0, m1, l0) =
        (key(1), key(2), key(11), key(12), key(21), key(22), key(31));
    let ws = [key(40), key(41), key(42)];
    let g = wm_genesis(&[&r0, &r1], Some(&[&n0, &n1]), &[], 0);
    let account = Accounts::account_id(&g);
    let wset = WitnessSet::new(&pks(&[&ws[0], &ws[1], &ws[2]]), 2).unwrap();
    let body = |time| {
        let mut op = rotation(
            account,
            &g,
            &[&n0, &n1],
            Some(&[&m0, &m1]),
            &[&r0, &r1],
            time,
        )
        .with_witnesses(&wset)
        .unwrap();
        for w in &ws {
            op = op.accepted_by(w).unwrap();
        }
        op
    };
    let q1 = next(&body(2), &n0, None);
    let qx = next(&body(3), &n0, Some(&q1));
    let tx = next(
        &Operation::enckey(account, qx.id(), [7; 32], 1, 4).unwrap(),
        &n0,
        Some(&qx),
    );
    let rcs: Vec<SignedMessage> = ws
        .iter()
        .enumerate()
        .map(|(i, w)| wm_receipt(account, &tx, w, None, 5 + i as u64))
        .collect();
    let q2 = next(
        &rotation(account, &q1, &[&m0, &m1], Some(&[&l0]), &[&n0, &n1], 9),
        &m0,
        None,
    );
    let d = next(&wm_deactivation(account, &q2, &[&l0], 10), &l0, None);
    let all_ops: Vec<&SignedMessage> = [&g, &q1, &qx, &tx, &q2, &d]
        .into_iter()
        .chain(rcs.iter())
        .collect();
    let all = apply_all(all_ops.iter().copied());
    let view = all.account(&account).unwrap();
    assert_eq!(view.head(), d.id(), "{}", summary(&all, &account));
    let (expected, bad) = orders_that_disagree(&[&g], &all_ops[1..], &account);
    assert!(
        bad.is_empty(),
        "{} orders disagree: {:?}",
        bad.len(),
        bad.first()
    );
    assert_eq!(
        view.deactivated(),
        Some(10),
        "the owner's deactivation never counts: q2 can never be final at q1: {expected}"
    );
}

/// The scene of the WM2 tests below (see the first): `G` = `[R0, R1]` committed to `[N0, N1]`, the
/// phone delegated at `G` (`d`), the owner's committed rotation `q1`, the thief's copy `qx`
/// continued by `tx` (both by the revealed key `N0`), the owner's revocation `r` of the phone below
/// `tx` (by `N1`). `M0`, `M1` are the keys `q1` commits to.
struct Wm2Scene {
    account: AccountId,
    n0: SecretKey,
    n1: SecretKey,
    m0: SecretKey,
    m1: SecretKey,
    phone: SecretKey,
    g: SignedMessage,
    d: SignedMessage,
    q1: SignedMessage,
    qx: SignedMessage,
    tx: SignedMessage,
    r: SignedMessage,
}

fn wm2_scene() -> Wm2Scene {
    let (r0, r1, n0, n1, m0, m1, phone) =
        (key(1), key(2), key(11), key(12), key(21), key(22), key(3));
    let g = committed_genesis(&r0, &r1, &[n0.public_key(), n1.public_key()]);
    let account = Accounts::account_id(&g);
    let d = next(&delegation(account, &g, &phone, 2), &r1, None);
    let copy = |time| {
        rotation(
            account,
            &d,
            &[&n0, &n1],
            Some(&[&m0, &m1]),
            &[&r0, &r1],
            time,
        )
    };
    let q1 = next(&copy(3), &n0, None);
    let qx = next(&copy(4), &n0, Some(&q1));
    let tx = next(
        &Operation::enckey(account, qx.id(), [7; 32], 1, 5).unwrap(),
        &n0,
        Some(&qx),
    );
    let r = next(
        &Operation::revoke(account, tx.id(), phone.public_key(), None, 6).unwrap(),
        &n1,
        None,
    );
    Wm2Scene {
        account,
        n0,
        n1,
        m0,
        m1,
        phone,
        g,
        d,
        q1,
        qx,
        tx,
        r,
    }
}

/// WM2 (the met-commitment rule x revocations, 06 §8.1 / §8.4). `G` = `[R0, R1]` committed to
/// `[N0, N1]`; the phone `K` is delegated at `G` (`d`). The owner rotates (`q1` = `[N0, N1]`
/// committed to `[M0, M1]`, signed by `N0`). The thief, who holds `N0` (the revealed key, a current
/// root) and the phone, copies `q1` (`qx`, same body) and continues it (`tx`, by `N0`): while
/// `q1` is a leaf, `qx` is the chain (06 §5.8 What stays open: the leaf window). The owner's client
/// follows the head and revokes the stolen phone there (`r`, by `N1`, below `tx`); the revocation
/// is in the head state. Then the owner meets `q1`'s commitment (`q2` by `M0`, below `q1`): the met
/// commitment breaks the copy's tie and the chain is `q1`, `q2`; the defeated copy adds no
/// revocation (06 §8.4 case 2; carrying it, the WM2 fix, gave any retired key of the list a
/// permanent revocation: audit-wm2 WM2A-1), so `r` lapses. The owner's answer (06 §5.8 producer
/// rules): in the batch that meets the commitment he signs `r` again below `q2` (`r2`), and the
/// phone is revoked. Vectors `threat-6-met-commitment-drops-copy-revocation`,
/// `threat-6-met-commitment-owner-re-signs-revocation`.
#[test]
fn wm2_met_commitment_drops_the_copy_revocation_until_the_owner_re_signs_it() {
    let Wm2Scene {
        account,
        n0,
        n1,
        m0,
        m1,
        phone,
        g,
        d,
        q1,
        qx,
        tx,
        r,
    } = wm2_scene();
    let before = outcome(&[&g, &d, &q1, &qx, &tx, &r], account);
    assert_eq!(
        before.1,
        r.id(),
        "the copy is the chain in the leaf window: {}",
        before.0
    );
    let revoked = apply_all([&g, &d, &q1, &qx, &tx, &r]);
    assert_eq!(
        revocation_of(&revoked, &account, &phone.public_key()),
        Some(Revocation::All)
    );
    let q2 = next(
        &rotation(account, &q1, &[&m0, &m1], None, &[&n0, &n1], 7),
        &m0,
        None,
    );
    let (s, head, contested) = outcome(&[&g, &d, &q1, &qx, &tx, &r, &q2], account);
    assert!(head == q2.id() && contested.is_empty(), "{s}");
    let after = apply_all([&g, &d, &q1, &qx, &tx, &r, &q2]);
    assert_eq!(
        revocation_of(&after, &account, &phone.public_key()),
        None,
        "the defeated copy adds no revocation: {s}"
    );
    let r2 = next(
        &Operation::revoke(account, q2.id(), phone.public_key(), None, 8).unwrap(),
        &m0,
        Some(&q2),
    );
    let answered = apply_all([&g, &d, &q1, &qx, &tx, &r, &q2, &r2]);
    assert_eq!(
        revocation_of(&answered, &account, &phone.public_key()),
        Some(Revocation::All),
        "the owner's revocation signed again below his chain"
    );
}

/// WM2 with the cached chain: the scene of
/// [`wm2_met_commitment_drops_the_copy_revocation_until_the_owner_re_signs_it`] and an operation
/// `e` of the owner below `q2` (the chain grows at its head), in every order of arrival after `G`
/// and `d`, the head asked for after each operation — the revocation `r` in the defeated copy's
/// subtree arriving before the commitment is met or after it, before or after the chain grows
/// past `q2` — agrees with the computation from scratch (GEN-4): head `e`, `r` not applied.
#[test]
fn wm2_revocation_on_the_defeated_copy_lapses_in_every_order_with_the_cache() {
    let Wm2Scene {
        account,
        n0,
        n1,
        m0,
        m1,
        phone,
        g,
        d,
        q1,
        qx,
        tx,
        r,
    } = wm2_scene();
    let q2 = next(
        &rotation(account, &q1, &[&m0, &m1], None, &[&n0, &n1], 7),
        &m0,
        None,
    );
    let e = next(
        &Operation::enckey(account, q2.id(), [8; 32], 2, 8).unwrap(),
        &m0,
        Some(&q2),
    );
    let all = apply_all([&g, &d, &q1, &qx, &tx, &r, &q2, &e]);
    let view = all.account(&account).unwrap();
    assert_eq!(view.head(), e.id(), "{}", summary(&all, &account));
    assert_eq!(revocation_of(&all, &account, &phone.public_key()), None);
    let (expected, bad) = orders_that_disagree(&[&g, &d], &[&q1, &qx, &tx, &r, &q2, &e], &account);
    assert!(
        bad.is_empty(),
        "WM2: {} of 720 orders disagree with {expected}; first: {:?}",
        bad.len(),
        bad.first()
    );
}

/// Found with WM2: the cached chain grown at its head kept only the revocations of 06 §8.4 case 3.
/// A tie of one key's leaves, continued (case 2): the owner's revocation `rv` of the phone (a leaf
/// below `d`) and the thief's `t` beside it, continued by `t2` of the same key: the chain goes on
/// at `t` and `rv` applies. `t3` then extends the chain at its head: the phone stays revoked, in
/// every order with the head asked for after each operation.
#[test]
fn continued_tie_revocation_kept_when_the_chain_grows_at_its_head() {
    let t = two_roots();
    let rv = next(
        &Operation::revoke(t.account, t.d.id(), t.phone.public_key(), None, 3).unwrap(),
        &t.r1,
        Some(&t.d),
    );
    let x = next(
        &Operation::enckey(t.account, t.d.id(), [1; 32], 1, 4).unwrap(),
        &t.r1,
        Some(&rv),
    );
    let x2 = next(
        &Operation::enckey(t.account, x.id(), [2; 32], 2, 5).unwrap(),
        &t.r1,
        Some(&x),
    );
    let x3 = next(
        &Operation::enckey(t.account, x2.id(), [3; 32], 3, 6).unwrap(),
        &t.r1,
        Some(&x2),
    );
    let all = apply_all([&t.g, &t.d, &rv, &x, &x2, &x3]);
    assert_eq!(all.account(&t.account).unwrap().head(), x3.id());
    assert_eq!(
        revocation_of(&all, &t.account, &t.phone.public_key()),
        Some(Revocation::All)
    );
    let (expected, bad) = orders_that_disagree(&[&t.g, &t.d], &[&rv, &x, &x2, &x3], &t.account);
    assert!(
        bad.is_empty(),
        "{} of 24 orders disagree with {expected}; first: {:?}",
        bad.len(),
        bad.first()
    );
}

/// WM2, the answer that keeps the revocation (06 §11.4 Practice: recover below your own
/// revocations): the owner meets the commitment below `r`, inside the copy's subtree (the state
/// there is the copy's, committed to the same `[M0, M1]`). The copy then meets its own commitment
/// and is continued by `N0`'s attribution: it wins, the phone stays revoked, the thief's `tx` stays
/// on the chain as history. In every order.
#[test]
fn wm2_meeting_the_commitment_below_the_revocation_keeps_it() {
    let Wm2Scene {
        account,
        n0,
        n1,
        m0,
        m1,
        phone,
        g,
        d,
        q1,
        qx,
        tx,
        r,
    } = wm2_scene();
    let q2 = next(
        &rotation(account, &r, &[&m0, &m1], None, &[&n0, &n1], 7),
        &m0,
        None,
    );
    let (s, head, contested) = outcome(&[&g, &d, &q1, &qx, &tx, &r, &q2], account);
    assert!(head == q2.id() && contested.is_empty(), "{s}");
    let after = apply_all([&g, &d, &q1, &qx, &tx, &r, &q2]);
    assert_eq!(
        revocation_of(&after, &account, &phone.public_key()),
        Some(Revocation::All),
        "{s}"
    );
}

/// `r` copies of one committed rotation at the genesis, signed by its revealed key `N0` (what the
/// thief of the revealed key alone can sign, 06 §5.8 What stays open), each continued by one
/// operation of `N0` (so that no tie of leaves ends the choice early), plus the genesis.
fn wm_copies(r: usize) -> (AccountId, Vec<SignedMessage>) {
    let (r0, r1, n0, n1, m0, m1) = (key(1), key(2), key(11), key(12), key(21), key(22));
    let g = committed_genesis(&r0, &r1, &[n0.public_key(), n1.public_key()]);
    let account = Accounts::account_id(&g);
    let body = rotation(account, &g, &[&n0, &n1], Some(&[&m0, &m1]), &[&r0, &r1], 0);
    let mut ops = vec![g];
    let mut last: Option<SignedMessage> = None;
    for i in 0..r {
        let q = next(&body, &n0, last.as_ref());
        let c = next(
            &Operation::enckey(account, q.id(), [1; 32], 1 + i as u64, 2).unwrap(),
            &n0,
            Some(&q),
        );
        last = Some(c.clone());
        ops.push(q);
        ops.push(c);
    }
    (account, ops)
}

/// The time of one computation of the chain from scratch over `ops` (best of 3).
fn wm_choose_time(account: &AccountId, ops: &[SignedMessage]) -> std::time::Duration {
    let accounts = apply_all(ops);
    (0..3)
        .map(|_| {
            let fresh = accounts.clone();
            let start = std::time::Instant::now();
            let _ = fresh.account(account).map(|v| v.head());
            start.elapsed()
        })
        .min()
        .unwrap()
}

/// WM3 (06 §10: the chain in `O(n log n)`). At a fork point with `r` committed acts of one
/// revealed key — copies of one committed rotation, which its thief alone can sign — the
/// crate's strength of each child counts its committed siblings' excused self-retirements by a
/// scan over all of them (`excused` in `Log::choose`): `O(r²)` per computation of the chain. The
/// time of one computation from scratch should grow about 2x per doubling of `r`; it grows 4x.
#[test]
#[ignore = "a timed check, run by hand with --ignored: finding WM3 (Low) fixed, the P2 exemption counted per signer (2.04-2.25 per doubling)"]
fn wm3_committed_copies_cost_grows_quadratically() {
    let sizes = [500usize, 1000, 2000, 4000];
    let mut times = Vec::new();
    for r in sizes {
        let (account, ops) = wm_copies(r);
        let view = apply_all(&ops);
        assert_eq!(view.account(&account).unwrap().contested().len(), r);
        times.push(wm_choose_time(&account, &ops));
    }
    let growth: Vec<f64> = times
        .windows(2)
        .map(|p| p[1].as_secs_f64() / p[0].as_secs_f64())
        .collect();
    eprintln!("r = {sizes:?}: {times:?}, growth per doubling {growth:?}");
    let worst = growth.iter().copied().fold(0.0, f64::max);
    assert!(worst < 3.0, "{times:?}: {growth:?} per doubling");
}

thread_local! {
    /// [`wm_random_tree`]'s counts: copies of a committed rotation, committed rotations two or more
    /// generations deep.
    static WM_STATS: std::cell::RefCell<[usize; 2]> = const { std::cell::RefCell::new([0; 2]) };
}

/// How a generated rotation changes the witness set.
#[derive(Clone, Copy)]
enum WmWit {
    Keep,
    Remove,
    Set(u8, usize), // mask over the witness pool, threshold
}

/// What a generated `roots` operation names, so that a copy (same body, another header) can be
/// signed again later.
#[derive(Clone)]
struct WmRot {
    list: Vec<usize>,
    next: Option<Vec<usize>>,
    wit: WmWit,
    supersedes: Option<MessageId>,
}

/// Random trees for the combinations of audit-wm: a committed genesis, witnesses in three cases
/// of four (1 to 4 keys, any valid threshold), operations on the last few operations as often as
/// anywhere (so commitments are met two and three generations deep), committed rotations that
/// commit again (or not) and change the witness set, exact copies of committed rotations under a
/// new header (what the thief of a revealed key alone signs), committed and plain deactivations,
/// delegations, revocations, encryption keys, supersessions, and receipts, honest (on one path)
/// or duplicitous, by witnesses of any set on the path.
fn wm_random_tree(rng: &mut Rng) -> (AccountId, Vec<SignedMessage>) {
    const POOL: usize = 8;
    let pool: Vec<SecretKey> = (1..=POOL as u8).map(key).collect();
    let wpool: Vec<SecretKey> = (40..45u8).map(key).collect();
    let wkeys = |mask: u8| -> Vec<usize> { (0..5).filter(|i| mask & (1 << i) != 0).collect() };
    struct N {
        id: MessageId,
        parent: Option<usize>,
        roots: Vec<usize>,
        next: Option<Vec<usize>>,
        ever: Vec<usize>,
        apps: Vec<(u8, bool)>,
        enc: u64,
        wit: Option<(u8, usize)>,
        witnessed: u8,
        ends: bool,
        rot: Option<WmRot>,
        children: Vec<(MessageId, usize, bool)>, // id, signer, committed rotation
        generation: usize,                       // committed rotations on its path
    }
    let commit = |rng: &mut Rng, ever: &[usize]| -> Option<Vec<usize>> {
        let fresh: Vec<usize> = (0..POOL).filter(|i| !ever.contains(i)).collect();
        if fresh.is_empty() {
            return None;
        }
        let mut list = vec![fresh[rng.below(fresh.len())]];
        if rng.below(2) == 0 {
            let other = rng.below(POOL);
            if !list.contains(&other) {
                list.push(other);
            }
        }
        if rng.below(3) == 0 {
            list.reverse();
        }
        Some(list)
    };
    let commitment = |list: &[usize]| {
        next_commitment(
            &list
                .iter()
                .map(|&i| pool[i].public_key())
                .collect::<Vec<_>>(),
        )
        .unwrap()
    };
    let random_set = |rng: &mut Rng| -> (u8, usize) {
        let mut mask = 0u8;
        while mask == 0 {
            mask = (rng.next() % 32) as u8;
            if mask.count_ones() > 4 {
                mask = 0;
            }
        }
        let n = mask.count_ones() as usize;
        let t = n / 2 + 1 + rng.below(n - n / 2);
        (mask, t)
    };
    let set_of = |(mask, t): (u8, usize)| {
        let keys: Vec<PublicKey> = wkeys(mask).iter().map(|&i| wpool[i].public_key()).collect();
        WitnessSet::new(&keys, t).unwrap()
    };
    // The genesis.
    let g_next = commit(rng, &[0, 1]).unwrap();
    let g_wit = (rng.below(4) != 0).then(|| random_set(rng));
    let mut genesis = Operation::genesis(&[pool[0].public_key(), pool[1].public_key()], 1)
        .unwrap()
        .with_next(commitment(&g_next))
        .unwrap()
        .accepted_by(&pool[1])
        .unwrap();
    if let Some(w) = g_wit {
        genesis = genesis.with_witnesses(&set_of(w)).unwrap();
        for i in wkeys(w.0) {
            genesis = genesis.accepted_by(&wpool[i]).unwrap();
        }
    }
    let g = genesis.sign(&pool[0]).unwrap();
    let account = Accounts::account_id(&g);
    let mut nodes = vec![N {
        id: g.id(),
        parent: None,
        roots: vec![0, 1],
        next: Some(g_next),
        ever: vec![0, 1],
        apps: vec![],
        enc: 0,
        wit: g_wit,
        witnessed: g_wit.map_or(0, |w| w.0),
        ends: false,
        rot: None,
        children: vec![],
        generation: 0,
    }];
    let mut last: Vec<Option<SignedMessage>> = vec![None; POOL];
    last[0] = Some(g.clone());
    let mut ops = vec![g];
    let mut next_app = 100u8;
    // Builds a `roots` operation of `spec` at node `pi`, at `time`.
    let build = |nodes: &[N], pi: usize, spec: &WmRot, time: u64| -> Operation {
        let p = &nodes[pi];
        let keys: Vec<PublicKey> = spec.list.iter().map(|&i| pool[i].public_key()).collect();
        let mut op = Operation::roots(account, p.id, &keys, time).unwrap();
        if let Some(n) = &spec.next {
            op = op.with_next(commitment(n)).unwrap();
        }
        match spec.wit {
            WmWit::Keep => {}
            WmWit::Remove => op = op.without_witnesses().unwrap(),
            WmWit::Set(mask, t) => {
                op = op.with_witnesses(&set_of((mask, t))).unwrap();
                let old = p.wit.map_or(0, |w| w.0);
                for i in wkeys(mask & !old) {
                    op = op.accepted_by(&wpool[i]).unwrap();
                }
            }
        }
        for &i in &spec.list {
            if spec.next.is_some() || !p.roots.contains(&i) {
                op = op.accepted_by(&pool[i]).unwrap();
            }
        }
        if let Some(y) = spec.supersedes {
            op = op.supersedes(y).unwrap();
        }
        op
    };
    let count = 6 + rng.below(9);
    for step in 0..count {
        let live: Vec<usize> = (0..nodes.len()).filter(|&i| !nodes[i].ends).collect();
        let pi = if rng.below(2) == 0 {
            live[live.len().saturating_sub(1 + rng.below(3.min(live.len())))]
        } else {
            live[rng.below(live.len())]
        };
        let time = 10 + step as u64;
        let p = &nodes[pi];
        let revealed = p
            .next
            .as_ref()
            .and_then(|list| list.iter().copied().find(|i| !p.ever.contains(i)));
        let copyable: Vec<usize> = (0..nodes.len())
            .filter(|&c| nodes[c].parent == Some(pi) && nodes[c].rot.is_some())
            .filter(|_| p.next.is_some())
            .collect();
        let mut signer = p.roots[rng.below(p.roots.len())];
        let (mut roots, mut next_list, mut ever) =
            (p.roots.clone(), p.next.clone(), p.ever.clone());
        let (mut apps, mut enc, mut wit, mut witnessed) =
            (p.apps.clone(), p.enc, p.wit, p.witnessed);
        let (mut ends, mut rot) = (false, None);
        let pick = rng.below(10);
        let same_signer: Vec<MessageId> = p
            .children
            .iter()
            .filter(|c| c.1 == signer)
            .map(|c| c.0)
            .collect();
        let op = match (pick, revealed) {
            // An exact copy of a committed rotation at this parent (a new header).
            (0 | 1, _) if !copyable.is_empty() => {
                let c = copyable[rng.below(copyable.len())];
                WM_STATS.with(|s| s.borrow_mut()[0] += 1);
                let mut spec = nodes[c].rot.clone().unwrap();
                spec.supersedes = None;
                signer = revealed.unwrap();
                roots = spec.list.clone();
                next_list = spec.next.clone();
                for &i in &roots {
                    if !ever.contains(&i) {
                        ever.push(i);
                    }
                }
                match spec.wit {
                    WmWit::Keep => {}
                    WmWit::Remove => wit = None,
                    WmWit::Set(m, t) => {
                        wit = Some((m, t));
                        witnessed |= m;
                    }
                }
                let op = build(&nodes, pi, &spec, time);
                rot = Some(spec);
                op
            }
            // A committed rotation (maybe a retry naming an earlier one), or a deactivation.
            (0..=3, Some(k)) => {
                signer = k;
                let committed = p.next.clone().unwrap();
                if rng.below(5) == 0 {
                    ends = true;
                    let keys: Vec<PublicKey> =
                        committed.iter().map(|&i| pool[i].public_key()).collect();
                    let mut op = Operation::deactivate(account, p.id, time)
                        .revealing(&keys)
                        .unwrap();
                    for &i in &committed {
                        op = op.accepted_by(&pool[i]).unwrap();
                    }
                    op
                } else {
                    roots = committed.clone();
                    for &i in &roots {
                        if !ever.contains(&i) {
                            ever.push(i);
                        }
                    }
                    next_list = if rng.below(4) == 0 {
                        None
                    } else {
                        commit(rng, &ever)
                    };
                    let change = match rng.below(6) {
                        0 => {
                            let (m, t) = random_set(rng);
                            wit = Some((m, t));
                            witnessed |= m;
                            WmWit::Set(m, t)
                        }
                        1 if wit.is_some() => {
                            wit = None;
                            WmWit::Remove
                        }
                        _ => WmWit::Keep,
                    };
                    let earlier: Vec<MessageId> = p
                        .children
                        .iter()
                        .filter(|c| c.1 == k && c.2)
                        .map(|c| c.0)
                        .collect();
                    let spec = WmRot {
                        list: roots.clone(),
                        next: next_list.clone(),
                        wit: change,
                        supersedes: (!earlier.is_empty() && rng.below(3) == 0)
                            .then(|| earlier[rng.below(earlier.len())]),
                    };
                    let op = build(&nodes, pi, &spec, time);
                    rot = Some(spec);
                    op
                }
            }
            // In a state that is not committed: a rotation by a root, committing again sometimes.
            (0..=2, None) if p.next.is_none() => {
                let mut list: Vec<usize> = (0..POOL).filter(|_| rng.below(3) == 0).collect();
                list.truncate(3);
                if list.is_empty() {
                    list.push(signer);
                }
                roots = list.clone();
                for &i in &roots {
                    if !ever.contains(&i) {
                        ever.push(i);
                    }
                }
                next_list = if rng.below(2) == 0 {
                    commit(rng, &ever)
                } else {
                    None
                };
                let spec = WmRot {
                    list,
                    next: next_list.clone(),
                    wit: WmWit::Keep,
                    supersedes: None,
                };
                build(&nodes, pi, &spec, time)
            }
            (4, _) if p.next.is_none() => {
                ends = true;
                Operation::deactivate(account, p.id, time)
            }
            (5 | 6, _) if apps.iter().any(|a| !a.1) => {
                let livea: Vec<usize> = (0..apps.len()).filter(|&i| !apps[i].1).collect();
                let i = livea[rng.below(livea.len())];
                apps[i].1 = true;
                let op = Operation::revoke(account, p.id, key(apps[i].0).public_key(), None, time)
                    .unwrap();
                match (!same_signer.is_empty() && rng.below(3) == 0)
                    .then(|| same_signer[rng.below(same_signer.len())])
                {
                    Some(y) => op.supersedes(y).unwrap(),
                    None => op,
                }
            }
            (5..=7, _) => {
                next_app += 1;
                apps.push((next_app, false));
                let op = Operation::delegate(
                    account,
                    p.id,
                    key(next_app).public_key(),
                    &[],
                    1 << 40,
                    None,
                    time,
                )
                .unwrap()
                .accepted_by(&key(next_app))
                .unwrap();
                match (!same_signer.is_empty() && rng.below(3) == 0)
                    .then(|| same_signer[rng.below(same_signer.len())])
                {
                    Some(y) => op.supersedes(y).unwrap(),
                    None => op,
                }
            }
            _ => {
                enc += 1;
                let op = Operation::enckey(account, p.id, [enc as u8; 32], enc, time).unwrap();
                match (!same_signer.is_empty() && rng.below(3) == 0)
                    .then(|| same_signer[rng.below(same_signer.len())])
                {
                    Some(y) => op.supersedes(y).unwrap(),
                    None => op,
                }
            }
        };
        let signed = next(&op, &pool[signer], last[signer].as_ref());
        last[signer] = Some(signed.clone());
        let is_rot = rot.is_some() && nodes[pi].next.is_some();
        let generation = nodes[pi].generation + usize::from(is_rot);
        if is_rot && generation >= 2 {
            WM_STATS.with(|s| s.borrow_mut()[1] += 1);
        }
        nodes[pi].children.push((signed.id(), signer, is_rot));
        nodes.push(N {
            id: signed.id(),
            parent: Some(pi),
            roots,
            next: next_list,
            ever,
            apps,
            enc,
            wit,
            witnessed,
            ends,
            rot: rot.filter(|_| is_rot),
            children: vec![],
            generation,
        });
        ops.push(signed);
    }
    // Receipts: per witness of any set, honest (a path: an operation and then ancestors of it
    // or descendants) or not (anywhere); only where the witness may receipt (ACCT-16).
    let mut wlast: Vec<Option<SignedMessage>> = vec![None; 5];
    let mut time = 100;
    for w in 0..5usize {
        let may: Vec<usize> = (1..nodes.len())
            .filter(|&x| nodes[nodes[x].parent.unwrap()].witnessed & (1 << w) != 0)
            .collect();
        if may.is_empty() {
            continue;
        }
        let honest = rng.below(5) < 3;
        let mut targets = vec![may[rng.below(may.len())]];
        for _ in 0..rng.below(3) {
            let x = if honest {
                // an ancestor of the first target that the witness may receipt
                let mut a = targets[0];
                for _ in 0..rng.below(3) {
                    a = nodes[a].parent.filter(|&p| p != 0).unwrap_or(a);
                }
                a
            } else {
                may[rng.below(may.len())]
            };
            if may.contains(&x) {
                targets.push(x);
            }
        }
        for x in targets {
            time += 1;
            let r = next(
                &Operation::receipt(account, nodes[x].id, time),
                &wpool[w],
                wlast[w].as_ref(),
            );
            wlast[w] = Some(r.clone());
            ops.push(r);
        }
    }
    (account, ops)
}

/// The view of 06 §6 that two implementations compare, as JSON: head, contested list, roots,
/// encryption key version, revocations, last final operation, duplicitous witnesses and the
/// deactivation time.
fn wm_python_cross_check(cases: &[(AccountId, Vec<SignedMessage>)]) -> String {
    let hexs = |ids: &[MessageId]| {
        ids.iter()
            .map(|c| hex::encode(c.as_bytes()))
            .collect::<Vec<_>>()
    };
    let mut json = Vec::new();
    for (account, ops) in cases {
        let accounts = apply_all(ops);
        let view = accounts.account(account).unwrap();
        let revocations: serde_json::Map<String, serde_json::Value> = view
            .apps()
            .map(|(k, g)| {
                let r = match g.revocation() {
                    None => serde_json::Value::Null,
                    Some(Revocation::All) => "all".into(),
                    Some(Revocation::After { seq, id }) => {
                        serde_json::json!({"seq": seq, "id": hex::encode(id.as_bytes())})
                    }
                    Some(_) => panic!("a revocation this test does not know"),
                };
                (hex::encode(k.as_bytes()), r)
            })
            .collect();
        json.push(serde_json::json!({
            "account": hex::encode(account.as_bytes()),
            "ops": ops.iter().map(|m| hex::encode(m.as_bytes())).collect::<Vec<_>>(),
            "rust": {
                "head": hex::encode(view.head().as_bytes()),
                "contested": hexs(view.contested()),
                "roots": view.roots().iter().map(|r| hex::encode(r.as_bytes())).collect::<Vec<_>>(),
                "enc": view.encryption_key().map(|e| e.version()),
                "revocations": revocations,
                "final": view.last_final().map(|f| hex::encode(f.as_bytes())),
                "duplicitous": view.duplicitous().iter().map(|k| hex::encode(k.as_bytes())).collect::<Vec<_>>(),
                "deactivated": view.deactivated(),
            }
        }));
    }
    run_cross_check("cross_check_view.py", "wm", &json)
}

/// Random deep, witnessed, committed trees ([`wm_random_tree`]): the cached chain, in random
/// orders with the view asked for after each operation or receipt, equals the computation from
/// scratch (head, roots, apps, contested list, encryption key, last final, duplicitous witnesses,
/// deactivation).
#[test]
fn wm_cached_chain_agrees_on_deep_witnessed_committed_trees() {
    // WM_SEED / WM_CASES re-run it wider (the audit ran seeds 1..=8 with 5,000 cases each).
    let seed = std::env::var("WM_SEED").map_or(1206, |s| s.parse().unwrap());
    let cases = std::env::var("WM_CASES").map_or(500, |s| s.parse().unwrap());
    let mut rng = Rng(seed);
    let (mut contested, mut finals, mut duplicitous, mut ended, mut deep) = (0, 0, 0, 0, 0);
    for case in 0..cases {
        let (account, ops) = wm_random_tree(&mut rng);
        let reference = apply_all(&ops);
        let view = reference.account(&account).unwrap();
        contested += usize::from(!view.contested().is_empty());
        finals += usize::from(view.last_final().is_some());
        duplicitous += usize::from(!view.duplicitous().is_empty());
        ended += usize::from(view.deactivated().is_some());
        // the head's roots are a list two commitments away from the genesis's
        deep += usize::from(
            view.roots()
                .iter()
                .all(|r| !(1..=2).map(|i| key(i).public_key()).any(|k| k == *r)),
        );
        agrees_in_random_orders(
            &mut rng,
            &account,
            &ops,
            &summary(&reference, &account),
            case,
        );
    }
    let [copies, gen2] = WM_STATS.with(|s| *s.borrow());
    eprintln!(
        "contested {contested}, final {finals}, duplicitous {duplicitous}, deactivated {ended}, \
         rotated {deep}, copies {copies}, rotations two generations deep or more {gen2}"
    );
    assert!(copies > 100 && gen2 > 100, "{copies} {gen2}");
    assert!(
        contested > 20 && finals > 20 && duplicitous > 20 && ended > 5,
        "{contested} {finals} {duplicitous} {ended}"
    );
}

/// The Python checker agrees with the crate on 400 of [`wm_random_tree`]'s trees, on the whole
/// compared view (06 §6) with the last final operation, the duplicitous witnesses and the
/// deactivation time.
#[test]
#[ignore = "cross-implementation check: needs python3 with the checker's dependencies"]
fn wm_python_checker_agrees_on_deep_witnessed_committed_trees() {
    let seed = std::env::var("WM_SEED").map_or(612, |s| s.parse().unwrap());
    let mut rng = Rng(seed);
    let cases: Vec<_> = (0..400).map(|_| wm_random_tree(&mut rng)).collect();
    let text = wm_python_cross_check(&cases);
    eprintln!("{text}");
    assert!(text.contains("400 cases, 0 disagreements"), "{text}");
}

/// WM4 and WM5: an account `[R0, R1]` naming witnesses `{w1, w2}` (`t = 2`); `R1` delegated the
/// phone (`d`), then revoked it in a leaf `rv` at `d` and signed `a` beside it, which it continued
/// below (`a2`): at `d` a tie of `R1`'s leaves, continued below `a` — `a` wins and the revocation
/// of the losing leaf `rv` applies to the head state (06 §8.1, §8.4 case 2), as long as the tie
/// stands.
struct WmTie {
    r0: SecretKey,
    r1: SecretKey,
    w1: SecretKey,
    w2: SecretKey,
    phone: SecretKey,
    account: AccountId,
    g: SignedMessage,
    d: SignedMessage,
    rv: SignedMessage,
    a: SignedMessage,
    a2: SignedMessage,
}

fn wm_tie() -> WmTie {
    wm_tie_committed(None)
}

/// [`wm_tie`] with the genesis committed to `next_list`.
fn wm_tie_committed(next_list: Option<&[&SecretKey]>) -> WmTie {
    let (r0, r1, phone, w1, w2) = (key(1), key(2), key(3), key(40), key(41));
    let g = wm_genesis(&[&r0, &r1], next_list, &[&w1, &w2], 2);
    let account = Accounts::account_id(&g);
    let d = next(&delegation(account, &g, &phone, 2), &r1, None);
    let rv = next(
        &Operation::revoke(account, d.id(), phone.public_key(), None, 3).unwrap(),
        &r1,
        Some(&d),
    );
    let a = next(
        &Operation::enckey(account, d.id(), [1; 32], 1, 4).unwrap(),
        &r1,
        Some(&rv),
    );
    let a2 = next(
        &Operation::enckey(account, a.id(), [2; 32], 2, 5).unwrap(),
        &r1,
        Some(&a),
    );
    WmTie {
        r0,
        r1,
        w1,
        w2,
        phone,
        account,
        g,
        d,
        rv,
        a,
        a2,
    }
}

/// Every order of `ops` (all of them, the genesis included: what waits for its parent is released
/// when it arrives), asking for the view after each message so that the cached chain's fast paths
/// run, must all agree with the computation from scratch (GEN-4; `finding` names the check): that
/// outcome, and the accounts holding `ops`.
fn wm_every_order(
    finding: &str,
    ops: &[&SignedMessage],
    account: &AccountId,
) -> (String, Accounts) {
    let orders: usize = (1..=ops.len()).product();
    let (expected, bad) = orders_that_disagree(&[], ops, account);
    assert!(
        bad.is_empty(),
        "{finding}: {} of {orders} orders disagree with {expected}; first: {:?}",
        bad.len(),
        bad.first()
    );
    (expected, apply_all(ops.iter().copied()))
}

/// [`wm_every_order`] for WM5's scenes of [`wm_tie`]: then the head is `head` and the phone's
/// revocation `phone`.
fn wm5_every_order(ops: &[&SignedMessage], t: &WmTie, head: MessageId, phone: Option<Revocation>) {
    let (expected, accounts) = wm_every_order("WM5", ops, &t.account);
    assert_eq!(accounts.account(&t.account).unwrap().head(), head);
    assert_eq!(
        revocation_of(&accounts, &t.account, &t.phone.public_key()),
        phone,
        "{expected}"
    );
}

/// WM4 (Medium): a receipt that makes a chain child final at a fork decided by a tie of one key's
/// leaves, continued. [`wm_tie`]; `w1` receipts `a2` and `w2` receipts `a`: both endorse `a`, so
/// `a` is final at `d` (06 §8.6) and wins outright — no tie there any more, and the losing leaf
/// `rv` adds no revocation (06 §8.4: a revocation that loses beside a final child applies no more
/// than a plain leaf). `Canon::keep_receipt` took the second receipt into the cached chain (it
/// only extended the final prefix) and kept the tie's revocation: 1,440 of the 5,040 orders
/// revoked the phone. Fixed: a receipt whose witness's reach passes a tied fork whose chosen child
/// it makes final recomputes the chain (once per fork: finality happens once).
#[test]
fn wm4_receipt_that_makes_a_continued_ties_child_final_in_every_order() {
    let t = wm_tie();
    let rc1 = wm_receipt(t.account, &t.a2, &t.w1, None, 6);
    let rc2 = wm_receipt(t.account, &t.a, &t.w2, None, 7);
    let all = [&t.g, &t.d, &t.rv, &t.a, &t.a2, &rc1, &rc2];
    let (expected, accounts) = wm_every_order("WM4", &all, &t.account);
    let view = accounts.account(&t.account).unwrap();
    assert_eq!(view.head(), t.a2.id(), "{expected}");
    assert_eq!(view.last_final(), Some(t.a.id()), "{expected}");
    assert_eq!(
        revocation_of(&accounts, &t.account, &t.phone.public_key()),
        None,
        "the losing leaf beside a final child revokes nothing: {expected}"
    );
    // Without the second receipt `a` is not final: the tie stands and `rv` applies.
    let tied = apply_all([&t.g, &t.d, &t.rv, &t.a, &t.a2, &rc1]);
    assert_eq!(
        revocation_of(&tied, &t.account, &t.phone.public_key()),
        Some(Revocation::All)
    );
}

/// WM5 (Medium), the plain case (found while reproducing WM5): an operation of the tie's key that
/// extends the head below a continued tie leaves the tie as it is, so the losing leaf's revocation
/// still applies (06 §8.4 case 2). The append path of the cache set the head state to the new
/// head's state with the revocations of case 3 only, and dropped those of the continued tie: 120
/// of the 720 orders. Fixed: the cache keeps those revocations with case 3's.
#[test]
fn wm5_append_below_a_continued_tie_keeps_the_losing_leafs_revocation() {
    let t = wm_tie();
    let a3 = next(
        &Operation::enckey(t.account, t.a2.id(), [3; 32], 3, 6).unwrap(),
        &t.r1,
        Some(&t.a2),
    );
    let all = [&t.g, &t.d, &t.rv, &t.a, &t.a2, &a3];
    wm5_every_order(&all, &t, a3.id(), Some(Revocation::All));
}

/// WM5 (Medium), a self-retirement at the head: `R1` retires itself below `a3`, under `a`, so it
/// counts no more under the leaf `rv` (06 §8.1): `a` wins at `d` by strength alone, no tie, and
/// `rv` revokes nothing (06 §8.4: a revocation that loses to a branch in which its signer retired
/// itself). In every order (before the fix, only because the append path dropped the tie's
/// revocation whatever arrived).
#[test]
fn wm5_self_retirement_appended_below_a_continued_tie_undoes_it() {
    let t = wm_tie();
    let a3 = next(
        &Operation::enckey(t.account, t.a2.id(), [3; 32], 3, 6).unwrap(),
        &t.r1,
        Some(&t.a2),
    );
    let y = next(
        &Operation::roots(t.account, a3.id(), &[t.r0.public_key()], 7).unwrap(),
        &t.r1,
        Some(&a3),
    );
    let all = [&t.g, &t.d, &t.rv, &t.a, &t.a2, &a3, &y];
    wm5_every_order(&all, &t, y.id(), None);
}

/// WM5 (Medium), a self-retirement off the chain below the tie. At `d` (`[R0, R1]`) `R1` revokes
/// the phone in a leaf `rv` and rotates to `[N, R1]` beside it (`a`); `N` signs `b` below `a` and
/// `R1` continues below it (`b2`): a tie of `R1`'s leaves at `d`, continued below `a`, and `rv`
/// applies. Then `R1` retires itself at `a` (`x`, `[N]`): at `a` it ranks below `N`'s `b`, so
/// `Canon::keep_off_chain` judged it harmless there, but it is under `a` and so, at `d`, `R1`
/// counts no more under `rv` (06 §8.1): `a` wins by strength, no tie, `rv` revokes nothing. The
/// cache kept the tie's revocation: 720 of the 5,040 orders. Fixed: an operation below the chosen
/// child of a tied fork that counts as a root outranking the tie, or as the first self-retirement
/// there of a root of the tie's rank or above, recomputes the chain (`Canon::watch`).
#[test]
fn wm5_self_retirement_off_the_chain_below_a_continued_tie_undoes_it() {
    let t = wm_tie();
    let n = key(13);
    let a = next(
        &rotation(t.account, &t.d, &[&n, &t.r1], None, &[&t.r0, &t.r1], 4),
        &t.r1,
        Some(&t.rv),
    );
    let b = next(
        &Operation::enckey(t.account, a.id(), [1; 32], 1, 5).unwrap(),
        &n,
        None,
    );
    let b2 = next(
        &Operation::enckey(t.account, b.id(), [2; 32], 2, 6).unwrap(),
        &t.r1,
        Some(&a),
    );
    let x = next(
        &Operation::roots(t.account, a.id(), &[n.public_key()], 7).unwrap(),
        &t.r1,
        Some(&b2),
    );
    let tied = apply_all([&t.g, &t.d, &t.rv, &a, &b, &b2]);
    assert_eq!(tied.account(&t.account).unwrap().head(), b2.id());
    assert_eq!(
        revocation_of(&tied, &t.account, &t.phone.public_key()),
        Some(Revocation::All),
        "the tie applies rv: {}",
        summary(&tied, &t.account)
    );
    let all = [&t.g, &t.d, &t.rv, &a, &b, &b2, &x];
    wm5_every_order(&all, &t, b2.id(), None);
}

/// WM5 (Medium), a committed act (ACCT-14) at the head: [`wm_tie`] with the genesis committed to
/// `[N0, N1]`; the owner rotates to them at `a2` (`q`, signed by the revealed `N0`), and `N1`
/// signs below (`q2`). `q` counts as signed by every root of `a2`, `R0` included, and as the
/// self-retirement of both (06 §8.1): under `a`, `R0` outranks the tie, so `a` wins at `d` by
/// strength and `rv` revokes nothing. In every order.
#[test]
fn wm5_committed_rotation_appended_below_a_continued_tie_undoes_it() {
    let (n0, n1) = (key(11), key(12));
    let t = wm_tie_committed(Some(&[&n0, &n1]));
    let q = next(
        &rotation(t.account, &t.a2, &[&n0, &n1], None, &[&t.r0, &t.r1], 6),
        &n0,
        None,
    );
    let q2 = next(
        &Operation::enckey(t.account, q.id(), [4; 32], 3, 7).unwrap(),
        &n1,
        None,
    );
    let all = [&t.g, &t.d, &t.rv, &t.a, &t.a2, &q, &q2];
    wm5_every_order(&all, &t, q2.id(), None);
    let tied = apply_all([&t.g, &t.d, &t.rv, &t.a, &t.a2]);
    assert_eq!(
        revocation_of(&tied, &t.account, &t.phone.public_key()),
        Some(Revocation::All)
    );
}

// ---------------------------------------------------------------------------------------------
// audit-wm2 (audits/2026-12-06-witness-met-2.md): the WM2 fix (a met commitment's defeated
// copies' revocations apply, 06 §8.1 / §8.4 case 2), `Canon::carried`, and the WM4/WM5 cache
// fixes (`Canon::ties`, `Canon::watch`, `Canon::unties`), attacked for what a stolen key can do
// and for order dependence. Findings are `WM2A-<n>`; `wm2a_` tests.
// ---------------------------------------------------------------------------------------------

/// The owner's history of audit-wm2. `G` = `[R0, R1]` committed to `[N0, N1]` (naming
/// `witnesses`, all of them needed, if any); `R1` delegates the phone at `G` (`d`). The owner
/// rotates as 06 §5.8 recommends (`q1` = `[N0, N1]` committed to `[M0, M1]`, signed by the revealed
/// `N0`) and meets that commitment at once (`q2` = `[M0, M1]`, signed by `M0`): `N0` and `N1` are
/// former roots below `q2`, and `q2`, a committed act, retired both at every fork point above.
struct Wm2a {
    r0: SecretKey,
    r1: SecretKey,
    n0: SecretKey,
    n1: SecretKey,
    m0: SecretKey,
    m1: SecretKey,
    phone: SecretKey,
    account: AccountId,
    g: SignedMessage,
    d: SignedMessage,
    q1: SignedMessage,
    q2: SignedMessage,
}

fn wm2a_scene(witnesses: &[&SecretKey]) -> Wm2a {
    let (r0, r1, n0, n1, m0, m1, phone) =
        (key(1), key(2), key(11), key(12), key(21), key(22), key(3));
    let g = wm_genesis(&[&r0, &r1], Some(&[&n0, &n1]), witnesses, witnesses.len());
    let account = Accounts::account_id(&g);
    let d = next(&delegation(account, &g, &phone, 2), &r1, None);
    let q1 = next(
        &wm2a_q1_body(account, &d, [&n0, &n1], [&m0, &m1], [&r0, &r1]),
        &n0,
        None,
    );
    let q2 = next(
        &rotation(account, &q1, &[&m0, &m1], None, &[&n0, &n1], 4),
        &m0,
        None,
    );
    Wm2a {
        r0,
        r1,
        n0,
        n1,
        m0,
        m1,
        phone,
        account,
        g,
        d,
        q1,
        q2,
    }
}

/// The body of the owner's committed rotation `q1` (also what a copy re-signs).
fn wm2a_q1_body(
    account: AccountId,
    d: &SignedMessage,
    list: [&SecretKey; 2],
    next_list: [&SecretKey; 2],
    current: [&SecretKey; 2],
) -> Operation {
    rotation(account, d, &list, Some(&next_list), &current, 3)
}

/// The thief's part: a copy `qx` of `q1` (same body, a new header, by the revealed key) and, below
/// it, a revocation of the phone without cutoff (`rx`, by the revealed key, a root of `qx`'s state).
fn wm2a_copy_and_revoke(t: &Wm2a) -> (SignedMessage, SignedMessage) {
    let qx = next(
        &wm2a_q1_body(
            t.account,
            &t.d,
            [&t.n0, &t.n1],
            [&t.m0, &t.m1],
            [&t.r0, &t.r1],
        ),
        &t.n0,
        Some(&t.q1),
    );
    let rx = next(
        &Operation::revoke(t.account, qx.id(), t.phone.public_key(), None, 9).unwrap(),
        &t.n0,
        Some(&qx),
    );
    (qx, rx)
}

/// WM2A-1 (Medium): the WM2 fix hands the thief of the revealed key alone — even as a former root,
/// long after the owner met the commitment, e.g. an old backup of the retired `N0` — a permanent
/// revocation of every app key delegated at or above the rotation's parent. [`wm2a_scene`]: the
/// owner's history is complete (`q2` met `q1`'s commitment, `N0` is retired). The thief obtains
/// `N0` later, copies `q1` at `d` (`qx`) and revokes the phone below it (`rx`). At `d`, `q1` and `qx`
/// are committed acts of one key, both continued: the met commitment breaks the tie for `q1`, and
/// since WM2 "the revocations in the subtrees of the tied elements other than `C` apply to the head
/// state" (06 §8.1, §8.4 case 2): the phone is revoked without cutoff — every message it ever
/// signed is refused (AUTH-6), at every node, for ever (the thief's subtree cannot be superseded:
/// `N0` signed below it, §8.1). No operation of the owner can undo it: at `d` the copies count as
/// every root of `d`, so no signature beats `qx` by strength, and the phone can never be delegated
/// again on that path (ACCT-3). Before WM2 the defeated copy's subtree added nothing. Promise:
/// 06 §11.9 (the revealed key alone cannot "beat the owner's met commitment"), §11.7 (below `q2`
/// "the key counts for nothing"), §8.4 (audit-f2f8 A2: "anyone who ever held a root of a chain
/// operation — a root the owner's recovery removed, a root that retired itself — could add
/// revocations there" is what the rule must not allow). Fixed: a defeated copy's revocations
/// signed by the tie's key (the revealed key that signed the copies) do not apply (06 §8.4 case
/// 2, vector `threat-9-revealed-key-copy-revokes-nothing`).
#[test]
fn wm2a1_leaked_revealed_key_revokes_pre_rotation_apps_for_ever() {
    let t = wm2a_scene(&[]);
    let (qx, rx) = wm2a_copy_and_revoke(&t);
    let honest = apply_all([&t.g, &t.d, &t.q1, &t.q2]);
    assert_eq!(honest.account(&t.account).unwrap().head(), t.q2.id());
    assert_eq!(
        revocation_of(&honest, &t.account, &t.phone.public_key()),
        None
    );
    let (s, head, contested) = outcome(&[&t.g, &t.d, &t.q1, &t.q2, &qx, &rx], t.account);
    assert!(head == t.q2.id() && contested.is_empty(), "{s}");
    let after = apply_all([&t.g, &t.d, &t.q1, &t.q2, &qx, &rx]);
    // The phone's honest message, signed long before any theft, is what the owner loses.
    let m1 = follow(t.account, 10, 100, None, &t.phone);
    let lookup = |_: &MessageId| None;
    assert_eq!(
        honest.authorize(m1.header(), lookup),
        Authorization::Authorized
    );
    assert_eq!(
        after.authorize(m1.header(), lookup),
        Authorization::Authorized,
        "the phone's honest history is refused for ever: {s}"
    );
    assert_eq!(
        revocation_of(&after, &t.account, &t.phone.public_key()),
        None,
        "a retired revealed key revokes the owner's phone for ever: {s}"
    );
}

/// WM2A-1, wider: after an honest retry, any retired key of the list. The owner's two devices both
/// signed `q1` (`q1` and its retry `q1b`, by `N0`, neither naming the other), and the second device
/// went on below its copy with the everyday `N1` (`e1`) before it saw `q1` meet its commitment
/// (`q2`). Later `N1`, retired by `q2`, leaks: its thief revokes the phone below `e1` (`rx`, `N1`
/// is a root of `e1`'s state). The met commitment defeats `q1b` and its subtree's revocations
/// applied under WM2's carry: the thief needed neither the revealed key nor a copy of his own, so
/// "skip the revocations signed by the copies' signer" would not close WM2A-1. Fixed by reverting
/// the carry (06 §8.4 case 2): a defeated copy adds no revocation.
#[test]
fn wm2a1_retired_everyday_key_revokes_below_an_honest_retry() {
    let t = wm2a_scene(&[]);
    let q1b = next(
        &wm2a_q1_body(
            t.account,
            &t.d,
            [&t.n0, &t.n1],
            [&t.m0, &t.m1],
            [&t.r0, &t.r1],
        ),
        &t.n0,
        Some(&t.q1),
    );
    let e1 = next(
        &Operation::enckey(t.account, q1b.id(), [5; 32], 1, 6).unwrap(),
        &t.n1,
        None,
    );
    let honest = [&t.g, &t.d, &t.q1, &q1b, &e1, &t.q2];
    let (s, head, _) = outcome(&honest, t.account);
    assert_eq!(head, t.q2.id(), "{s}");
    let rx = next(
        &Operation::revoke(t.account, e1.id(), t.phone.public_key(), None, 9).unwrap(),
        &t.n1,
        Some(&e1),
    );
    let all = [&t.g, &t.d, &t.q1, &q1b, &e1, &t.q2, &rx];
    let (s, head, contested) = outcome(&all, t.account);
    assert!(head == t.q2.id() && contested.is_empty(), "{s}");
    let after = apply_all(all);
    assert_eq!(
        revocation_of(&after, &t.account, &t.phone.public_key()),
        None,
        "a retired everyday key revokes the owner's phone for ever below an honest retry: {s}"
    );
}

/// The careful pattern (06 §5.8: SHOULD NOT be used, but valid): the genesis commits to `[R0, N1]`,
/// whose revealed key is the new everyday root `N1`, exposed every day. The owner rotates (`q1`,
/// committed to `[next_head, M1]`) and meets that commitment (`q2` by `M1` when the list keeps
/// `R0`, else by its first key); the thief of `N1` copies `q1` and revokes the phone below the
/// copy (`rx`), and the owner goes on below `q2` (`e`). Returns the account, the phone, the
/// messages and the ids of `e` and `rx`.
fn wm2a_careful(keep_r0: bool) -> (AccountId, PublicKey, Vec<SignedMessage>, MessageId) {
    let (r0, r1, n1, m0, m1, phone) = (key(1), key(2), key(12), key(21), key(22), key(3));
    let g = committed_genesis(&r0, &r1, &[r0.public_key(), n1.public_key()]);
    let account = Accounts::account_id(&g);
    let d = next(&delegation(account, &g, &phone, 2), &r1, None);
    let head = if keep_r0 { &r0 } else { &m0 };
    let body = rotation(account, &d, &[&r0, &n1], Some(&[head, &m1]), &[&r0, &r1], 3);
    let q1 = next(&body, &n1, None);
    let q2 = next(
        &rotation(account, &q1, &[head, &m1], None, &[&r0, &n1], 4),
        if keep_r0 { &m1 } else { &m0 },
        None,
    );
    let qx = next(&body, &n1, Some(&q1));
    let rx = next(
        &Operation::revoke(account, qx.id(), phone.public_key(), None, 9).unwrap(),
        &n1,
        Some(&qx),
    );
    let e = next(
        &Operation::enckey(account, q2.id(), [4; 32], 1, 10).unwrap(),
        &m1,
        Some(&q2),
    );
    let e_id = e.id();
    (
        account,
        phone.public_key(),
        vec![g, d, q1, q2, qx, rx, e],
        e_id,
    )
}

/// WM2A-1, the careful pattern continued (each list keeps `R0`): the thief of the everyday revealed
/// key `N1` revokes every pre-rotation app key for ever. `R0`, kept and never retired, counts in
/// `q1` and `qx` alike (both committed acts of `d`, which count as `R0`): a tie at 0, which the met
/// commitment breaks, so `rx` applied; no signature of `R0` anywhere can beat `qx` by strength.
/// Fixed: `rx` is signed by the tie's key `N1`, so it does not apply (06 §8.4 case 2).
#[test]
fn wm2a1_careful_pattern_everyday_key_revokes_for_ever() {
    let (account, phone, ops, e) = wm2a_careful(true);
    let refs: Vec<&SignedMessage> = ops.iter().collect();
    let (s, head, contested) = outcome(&refs, account);
    assert!(head == e && contested.is_empty(), "{s}");
    let after = apply_all(&ops);
    assert_eq!(
        revocation_of(&after, &account, &phone),
        None,
        "the everyday key's thief revokes the owner's phone for ever: {s}"
    );
}

/// WM2A-1, the owner's answer in the careful pattern continued: `R0` retires itself below `q2`
/// (`x` = `[M1]`, signed by `R0`), under `q1`: at `d`, `R0` then counts under `q1` only, and `q1`
/// wins by strength — the copy's revocation no longer applies. (In the recommended pattern, a full
/// list, there is no such answer: no root of `d` can sign below `q1`.) In every order.
#[test]
fn wm2a_careful_pattern_answer_r0_retires_itself_below() {
    let (account, phone, mut ops, e) = wm2a_careful(true);
    let (r0, m1) = (key(1), key(22));
    let x = next(
        &Operation::roots(account, e, &[m1.public_key()], 11).unwrap(),
        &r0,
        None,
    );
    ops.push(x.clone());
    let refs: Vec<&SignedMessage> = ops.iter().collect();
    let (s, head, contested) = outcome(&refs, account);
    assert!(head == x.id() && contested.is_empty(), "{s}");
    let after = apply_all(&ops);
    assert_eq!(revocation_of(&after, &account, &phone), None, "{s}");
}

/// WM2A-1, what holds in the careful pattern: when the act that meets the commitment drops `R0`,
/// it retires `R0` under `q1` (06 §8.1), so `q1` wins at `d` by strength (the copy keeps `R1`
/// only, rank 1): no tie, and the copy's revocation does not apply. In every order.
#[test]
fn wm2a_careful_pattern_meeting_that_retires_r0_wins_by_strength() {
    let (account, phone, ops, e) = wm2a_careful(false);
    let refs: Vec<&SignedMessage> = ops.iter().collect();
    let (s, head, contested) = outcome(&refs, account);
    assert!(head == e && contested.is_empty(), "{s}");
    let after = apply_all(&ops);
    assert_eq!(revocation_of(&after, &account, &phone), None, "{s}");
}

/// WM2A-1's scene in every order of arrival (the genesis first), with an operation `e` of the owner
/// below `q2`, the view asked for after each message: the cached chain agrees with the computation
/// from scratch (GEN-4) — the revocation in the defeated copy reaches the head state whether it
/// arrives before or after the chain grows at its head, before or after `q2` meets the commitment.
#[test]
fn wm2a_copy_revocation_after_the_met_commitment_in_every_order() {
    let t = wm2a_scene(&[]);
    let (qx, rx) = wm2a_copy_and_revoke(&t);
    let e = next(
        &Operation::enckey(t.account, t.q2.id(), [4; 32], 1, 10).unwrap(),
        &t.m1,
        None,
    );
    let (expected, bad) =
        orders_that_disagree(&[&t.g], &[&t.d, &t.q1, &t.q2, &qx, &rx, &e], &t.account);
    assert!(
        bad.is_empty(),
        "{} of 720 orders disagree with {expected}; first: {:?}",
        bad.len(),
        bad.first()
    );
    let all = apply_all([&t.g, &t.d, &t.q1, &t.q2, &qx, &rx, &e]);
    assert_eq!(
        all.account(&t.account).unwrap().head(),
        e.id(),
        "{expected}"
    );
}

/// WM2A-1, what holds: the thief of the retired revealed key cannot reach an app key the owner
/// delegates below his rotation — a revocation at the copy must name a key of the copy's state
/// (ACCT-8, `acct.not_delegated`) — nor can the old roots (`R0`, `R1`, retired by `q2`, a committed
/// act) add a revocation beside `q1` at `d` (they count ∞ there). So the owner's answer to WM2A-1
/// today is fresh app keys below the rotation (and witnesses, below).
#[test]
fn wm2a_new_app_keys_and_old_roots_are_out_of_reach() {
    let t = wm2a_scene(&[]);
    let phone2 = key(4);
    let d2 = next(&delegation(t.account, &t.q2, &phone2, 5), &t.m1, None);
    let (qx, _) = wm2a_copy_and_revoke(&t);
    let rx2 = next(
        &Operation::revoke(t.account, qx.id(), phone2.public_key(), None, 9).unwrap(),
        &t.n0,
        Some(&qx),
    );
    let mut accounts = apply_all([&t.g, &t.d, &t.q1, &t.q2, &d2, &qx]);
    let refused = accounts.apply(&rx2).map(|_| ()).unwrap_err();
    assert_eq!(refused.code(), "acct.not_delegated");
    assert_eq!(
        revocation_of(&accounts, &t.account, &phone2.public_key()),
        None
    );
    // The old backup of R0 and R1 revokes the phone beside q1, at d: it loses by strength.
    let old = next(
        &Operation::revoke(t.account, t.d.id(), t.phone.public_key(), None, 11).unwrap(),
        &t.r1,
        Some(&t.d),
    );
    let (s, head, _) = outcome(&[&t.g, &t.d, &t.q1, &t.q2, &old], t.account);
    assert_eq!(head, t.q2.id(), "{s}");
    let all = apply_all([&t.g, &t.d, &t.q1, &t.q2, &old]);
    assert_eq!(
        revocation_of(&all, &t.account, &t.phone.public_key()),
        None,
        "{s}"
    );
}

/// WM2A-1, the answer that holds today: witnesses at `d`. With `q1` final at `d` (06 §8.6) the
/// final child wins outright, there is no tie and the copy's subtree adds nothing — in every
/// order (5,040), the view asked for after each message.
#[test]
fn wm2a_final_rotation_keeps_the_copy_inert_in_every_order() {
    let (w1, w2) = (key(40), key(41));
    let t = wm2a_scene(&[&w1, &w2]);
    let (qx, rx) = wm2a_copy_and_revoke(&t);
    let rc1 = wm_receipt(t.account, &t.q2, &w1, None, 20);
    let rc2 = wm_receipt(t.account, &t.q2, &w2, None, 21);
    let all = [&t.d, &t.q1, &t.q2, &qx, &rx, &rc1, &rc2];
    let (expected, bad) = orders_that_disagree(&[&t.g], &all, &t.account);
    assert!(
        bad.is_empty(),
        "{} of 5,040 orders disagree with {expected}; first: {:?}",
        bad.len(),
        bad.first()
    );
    let accounts = apply_all([&t.g, &t.d, &t.q1, &t.q2, &qx, &rx, &rc1, &rc2]);
    let view = accounts.account(&t.account).unwrap();
    assert_eq!(view.head(), t.q2.id(), "{expected}");
    assert_eq!(view.last_final(), Some(t.q2.id()), "{expected}");
    assert_eq!(
        revocation_of(&accounts, &t.account, &t.phone.public_key()),
        None,
        "{expected}"
    );
}

/// The time (best of 2) of applying `flood` after `setup`, the view asked for before and after each
/// message of the flood, as a replica does (`tests/audit_growth.rs`, `ingest_from`).
fn wm2a_flood_time(
    account: &AccountId,
    setup: &[SignedMessage],
    flood: &[SignedMessage],
) -> std::time::Duration {
    let mut base = Accounts::new();
    for op in setup {
        let _ = base.apply(op);
    }
    let _ = base.account(account).map(|v| v.head());
    (0..2)
        .map(|_| {
            let mut accounts = base.clone();
            let start = std::time::Instant::now();
            for op in flood {
                let before = accounts.account(account).map(|v| v.head());
                let _ = accounts.apply(op);
                let after = accounts.account(account).map(|v| v.head());
                std::hint::black_box((before, after));
            }
            start.elapsed()
        })
        .min()
        .unwrap()
}

/// The growth per doubling of [`wm2a_flood_time`] over `sizes`, for the shape `shape(n)` = (account,
/// setup, flood).
fn wm2a_growth(
    name: &str,
    sizes: &[usize],
    shape: impl Fn(usize) -> (AccountId, Vec<SignedMessage>, Vec<SignedMessage>),
) -> f64 {
    let times: Vec<std::time::Duration> = sizes
        .iter()
        .map(|&n| {
            let (account, setup, flood) = shape(n);
            wm2a_flood_time(&account, &setup, &flood)
        })
        .collect();
    let growth: Vec<f64> = times
        .windows(2)
        .map(|p| p[1].as_secs_f64() / p[0].as_secs_f64())
        .collect();
    eprintln!("{name}: n = {sizes:?}: {times:?}, growth per doubling {growth:.2?}");
    growth.iter().copied().fold(0.0, f64::max)
}

/// A chain of `n` encryption-key operations of `signer` below `parent` (the first follows `prev`).
fn wm2a_chain_below(
    account: AccountId,
    parent: &SignedMessage,
    signer: &SecretKey,
    prev: Option<&SignedMessage>,
    n: usize,
) -> Vec<SignedMessage> {
    let mut out: Vec<SignedMessage> = Vec::new();
    for i in 0..n {
        let at = out.last().unwrap_or(parent).id();
        let op = Operation::enckey(account, at, [9; 32], 100 + i as u64, 12).unwrap();
        let signed = next(&op, signer, out.last().or(prev));
        out.push(signed);
    }
    out
}

/// WM2A-2 (Low): a flood by the retired revealed key below a copy that a met commitment defeats
/// costs a recomputation of the chain per message. [`wm2a_scene`] (the owner's history complete),
/// the thief's copy `qx` of `q1` at `d`, then `n` operations of `N0` chained below `qx`, the view
/// asked for before and after each. `N0` is no root of `d` and signs nothing that meets a
/// commitment, so none of them can change the choice at `d` — but `Log::choose` marks the
/// met-commitment fork as a tie and `Canon::keep_off_chain` refuses every operation off the chain
/// at a tied fork, so each one recomputes the chain (`O(n log n)`): `O(n^2 log n)` for the flood,
/// ~4x per doubling. Promise: security.md §10 ("asking for the view after each of `n` operations of
/// a flood by a retired root ... costs `O(log n)` per operation"), principle 5. The control, the
/// same flood by the owner at the head, grows ~2x. Fixed (`Canon::keep_beside_met`): the cache
/// keeps such an operation; `view_after_each_operation_beside_a_met_commitment_grows_as_n_log_n`
/// in `tests/audit_growth.rs` counts it (1.98x per doubling, 2.9-3.5x before).
#[test]
#[ignore = "WM2A-2 fixed: a timed check, run by hand (measured after the fix: 2.04, 2.23, 2.21 per doubling below the copy; 3.3-5.1 before); CI counts allocations in tests/audit_growth.rs"]
fn wm2a2_flood_below_a_defeated_copy_grows_quadratically() {
    let sizes = [200usize, 400, 800, 1600];
    // The control is cheap: larger sizes, so that timer noise does not dominate.
    let control = wm2a_growth("owner at the head", &[2000, 4000, 8000, 16000], |n| {
        let t = wm2a_scene(&[]);
        let flood = wm2a_chain_below(t.account, &t.q2, &t.m0, Some(&t.q2), n);
        (t.account, vec![t.g, t.d, t.q1, t.q2], flood)
    });
    let worst = wm2a_growth("retired N0 below the defeated copy", &sizes, |n| {
        let t = wm2a_scene(&[]);
        let (qx, _) = wm2a_copy_and_revoke(&t);
        let flood = wm2a_chain_below(t.account, &qx, &t.n0, Some(&qx), n);
        (t.account, vec![t.g, t.d, t.q1, t.q2, qx], flood)
    });
    assert!(control < 3.0, "control {control:.2}");
    assert!(worst < 3.0, "{worst:.2}x per doubling");
}

/// WM2A-2, the same through leaf copies: the thief of the revealed key signs `n` copies of `q1` at
/// `d` (leaves, beside the owner's met `q1` and one continued copy), the view asked for after each.
/// Each is a new child of a fork marked tie: a recomputation each, though a leaf copy beside a met
/// commitment changes nothing (06 §8.1: only continued copies take part). Fixed with the flood
/// above (`Canon::keep_beside_met`).
#[test]
#[ignore = "WM2A-2 fixed: a timed check, run by hand (measured after the fix: 2.49, 1.64, 2.10 per doubling; 3.6-4.1 before); CI counts allocations in tests/audit_growth.rs"]
fn wm2a2_leaf_copies_beside_a_met_commitment_grow_quadratically() {
    let sizes = [200usize, 400, 800, 1600];
    let worst = wm2a_growth("leaf copies at d", &sizes, |n| {
        let t = wm2a_scene(&[]);
        let (qx, rx) = wm2a_copy_and_revoke(&t);
        let body = wm2a_q1_body(
            t.account,
            &t.d,
            [&t.n0, &t.n1],
            [&t.m0, &t.m1],
            [&t.r0, &t.r1],
        );
        let mut flood: Vec<SignedMessage> = Vec::new();
        for _ in 0..n {
            let signed = next(&body, &t.n0, Some(flood.last().unwrap_or(&rx)));
            flood.push(signed);
        }
        (t.account, vec![t.g, t.d, t.q1, t.q2, qx, rx], flood)
    });
    assert!(worst < 3.0, "{worst:.2}x per doubling");
}

/// WM2A-3 (Low, before audit-wm: `Canon::keep_receipt` since F6/W4): with a tie of one key's
/// leaves at the end of the chain, every receipt recomputes the chain (`if ... || self.tie`), even
/// one over an old chain operation that keeps its witness on one path — which 06 §10's table
/// prices at `O(log n)` ("receipts ... over chain operations"). A witnessed account
/// ([`wm_genesis`], witnesses `{w1, w2}`, `t = 2`): `R1` signs `n` operations and two leaves below
/// the last (a tie at the end: two devices, or the thief of `R1`); then `w1` receipts the chain,
/// oldest first (one witness of two: nothing turns final), the view asked for after each. The
/// control without the tie grows ~2x. Before the fix, at n = 200..1600: 4.3-6.7x per doubling.
/// Fixed (audit-wm2 WM2A-3): the cached chain keeps a receipt beside a tie or a contest at the end
/// unless it makes a child there final or its witness duplicitous; at the control's sizes
/// (1,000..8,000; at 200..1,600 the smallest size runs anomalously fast, ~5x then ~2x) it grows
/// like the control: 1.3-2.7x per doubling, the control 1.6-3.3x, on a shared machine (timer
/// noise: the control alone sometimes passes 3x). The CI guard is `tests/audit_growth.rs`, by
/// allocations (1.98x per doubling, 3.89x before the fix).
#[test]
#[ignore = "a timed check, run by hand: receipts beside a tie at the end, 1.3-2.7x per doubling at n = 1,000..8,000 since the fix, like the control (1.6-3.3x; quadratic before: 4.3-6.7x)"]
fn wm2a3_receipts_beside_a_tie_at_the_end_grow_quadratically() {
    let sizes = [1000usize, 2000, 4000, 8000];
    let shape = |tied: bool| {
        move |n: usize| {
            let (r0, r1, w1, w2) = (key(1), key(2), key(40), key(41));
            let g = wm_genesis(&[&r0, &r1], None, &[&w1, &w2], 2);
            let account = Accounts::account_id(&g);
            let chain = wm2a_chain_below(account, &g, &r1, None, n);
            let mut setup = vec![g];
            setup.extend(chain.iter().cloned());
            if tied {
                let head = chain.last().unwrap();
                for v in 0..2u64 {
                    let op =
                        Operation::enckey(account, head.id(), [8; 32], 10_000 + v, 13).unwrap();
                    let signed = next(&op, &r1, setup.last());
                    setup.push(signed);
                }
            }
            let mut flood: Vec<SignedMessage> = Vec::new();
            for op in &chain {
                flood.push(wm_receipt(account, op, &w1, flood.last(), 20));
            }
            (account, setup, flood)
        }
    };
    let control = wm2a_growth("receipts, no tie", &[1000, 2000, 4000, 8000], shape(false));
    let worst = wm2a_growth("receipts, a tie at the end", &sizes, shape(true));
    assert!(control < 3.0, "control {control:.2}");
    assert!(worst < 3.0, "{worst:.2}x per doubling");
}

/// WM2A-3, every order of arrival: [`wm_tie`]'s `g` and `d` first, then the leaves `rv` (it
/// revokes the phone) and `a` of `R1` at `d` — a tie of one key's leaves at the end of the chain —
/// and receipts of `w1` and `w2` (`t = 2`) over `d`, the tied leaves, or both (a witness turning
/// duplicitous). The view is asked for after every message, so receipts that arrive while the tie
/// stands at the end are kept by the cached chain; every order must agree with the computation
/// from scratch (GEN-4), and the final verdict is checked against 06 §8.6.
#[test]
fn wm2a3_receipts_beside_a_tie_at_the_end_in_every_order() {
    let t = wm_tie();
    let rc = |op: &SignedMessage, w: &SecretKey, prev: Option<&SignedMessage>, time: u64| {
        wm_receipt(t.account, op, w, prev, time)
    };
    let w1d = rc(&t.d, &t.w1, None, 10);
    let w2d = rc(&t.d, &t.w2, None, 11);
    // (name, receipts, the head, the phone revoked)
    let w1a = rc(&t.a, &t.w1, Some(&w1d), 12);
    let w2a = rc(&t.a, &t.w2, Some(&w2d), 13);
    let w2rv = rc(&t.rv, &t.w2, Some(&w2a), 14);
    let w1rv = rc(&t.rv, &t.w1, Some(&w1d), 15);
    let w2rv_only = rc(&t.rv, &t.w2, Some(&w2d), 16);
    let tied_head = t.a.id().min(t.rv.id());
    let scenes: [(&str, Vec<&SignedMessage>, MessageId, bool); 4] = [
        // `w2` receipts both leaves: duplicitous, so `a` is not final and the tie stands.
        (
            "w2 duplicitous",
            vec![&w1d, &w1a, &w2d, &w2a, &w2rv],
            tied_head,
            true,
        ),
        // Both witnesses endorse `a`: final at `d`, it wins outright and `rv` revokes nothing.
        ("a final", vec![&w1d, &w1a, &w2d, &w2a], t.a.id(), false),
        // Both endorse `rv`: final, it wins outright and its revocation is the head's own.
        (
            "rv final",
            vec![&w1d, &w1rv, &w2d, &w2rv_only],
            t.rv.id(),
            true,
        ),
        // One endorsement each: nothing final, the tie stands.
        ("split", vec![&w1d, &w1a, &w2d, &w2rv_only], tied_head, true),
    ];
    for (name, receipts, head, revoked) in scenes {
        let mut rest = vec![&t.rv, &t.a];
        rest.extend(receipts);
        let (expected, bad) = orders_that_disagree(&[&t.g, &t.d], &rest, &t.account);
        assert!(
            bad.is_empty(),
            "WM2A-3 ({name}): {} orders disagree with {expected}; first: {:?}",
            bad.len(),
            bad.first()
        );
        let mut all = vec![&t.g, &t.d];
        all.extend(rest);
        let accounts = apply_all(all);
        let view = accounts.account(&t.account).unwrap();
        assert_eq!(view.head(), head, "{name}: {expected}");
        assert!(view.contested().is_empty(), "{name}: {expected}");
        assert_eq!(
            revocation_of(&accounts, &t.account, &t.phone.public_key()).is_some(),
            revoked,
            "{name}: {expected}"
        );
    }
}

/// WM2A-3, the contest at the end in every order of arrival: `R1` continues both `rv` and `a`
/// (`rv2`, `a2`), so `d` is contested (06 §8.1), and receipts of `w1` and `w2` arrive beside the
/// contest. Kept while they make no contested child final and no witness duplicitous; every order
/// agrees with the computation from scratch.
#[test]
fn wm2a3_receipts_beside_a_contest_at_the_end_in_every_order() {
    let t = wm_tie();
    let rv2 = next(
        &Operation::enckey(t.account, t.rv.id(), [4; 32], 4, 6).unwrap(),
        &t.r1,
        Some(&t.a2),
    );
    let rc = |op: &SignedMessage, w: &SecretKey, prev: Option<&SignedMessage>, time: u64| {
        wm_receipt(t.account, op, w, prev, time)
    };
    let w1a2 = rc(&t.a2, &t.w1, None, 11);
    let w2a = rc(&t.a, &t.w2, None, 12);
    let w2rv2 = rc(&rv2, &t.w2, Some(&w2a), 13);
    let w2d = rc(&t.d, &t.w2, None, 14);
    let scenes: [(&str, Vec<&SignedMessage>, bool); 3] = [
        // `w2` receipts both sides: duplicitous; only `w1` endorses `a`: the contest stands.
        ("w2 duplicitous", vec![&w1a2, &w2a, &w2rv2], true),
        // Both endorse `a`: final at `d`, it wins outright; the contest's revocation goes.
        ("a final", vec![&w1a2, &w2a], false),
        // `w2` endorses only `d`, above the contest: nothing final below it.
        ("above", vec![&w1a2, &w2d], true),
    ];
    for (name, receipts, contested) in scenes {
        let mut rest = vec![&t.rv, &rv2, &t.a, &t.a2];
        rest.extend(receipts);
        let (expected, bad) = orders_that_disagree(&[&t.g, &t.d], &rest, &t.account);
        assert!(
            bad.is_empty(),
            "WM2A-3 contest ({name}): {} orders disagree with {expected}; first: {:?}",
            bad.len(),
            bad.first()
        );
        let mut all = vec![&t.g, &t.d];
        all.extend(rest);
        let accounts = apply_all(all);
        let view = accounts.account(&t.account).unwrap();
        assert_eq!(
            !view.contested().is_empty(),
            contested,
            "{name}: {expected}"
        );
        let want = if contested { t.d.id() } else { t.a2.id() };
        assert_eq!(view.head(), want, "{name}: {expected}");
        assert_eq!(
            revocation_of(&accounts, &t.account, &t.phone.public_key()).is_some(),
            contested,
            "{name}: {expected}"
        );
    }
}

/// WM2A-2 fixed: the cache keeps what arrives beside a met commitment without a recomputation
/// (`Canon::keep_beside_met`). [`wm2a_scene`] with the thief's copy `qx`, his revocation `rx` below
/// it (by `N0`), a revocation `rv` beside it (by `N1`), a leaf copy `qy` at `d` and an operation
/// `f` of `N0` below `rv`, in every order of arrival (5,040) after `G` and `d`, the view asked for
/// after each: the cached chain agrees with the computation from scratch (GEN-4) — head `q2`, and
/// no revocation from the defeated copy (06 §8.4 case 2, audit-wm2 WM2A-1).
#[test]
fn wm2a2_cache_beside_a_met_commitment_agrees_in_every_order() {
    let t = wm2a_scene(&[]);
    let (qx, rx) = wm2a_copy_and_revoke(&t);
    let rv = next(
        &Operation::revoke(t.account, qx.id(), t.phone.public_key(), None, 10).unwrap(),
        &t.n1,
        None,
    );
    let qy = next(
        &wm2a_q1_body(
            t.account,
            &t.d,
            [&t.n0, &t.n1],
            [&t.m0, &t.m1],
            [&t.r0, &t.r1],
        ),
        &t.n0,
        Some(&rx),
    );
    let f = next(
        &Operation::enckey(t.account, rv.id(), [7; 32], 1, 11).unwrap(),
        &t.n0,
        Some(&qy),
    );
    let all = apply_all([&t.g, &t.d, &t.q1, &t.q2, &qx, &rx, &rv, &qy, &f]);
    assert_eq!(all.account(&t.account).unwrap().head(), t.q2.id());
    assert_eq!(revocation_of(&all, &t.account, &t.phone.public_key()), None);
    let (expected, bad) = orders_that_disagree(
        &[&t.g, &t.d],
        &[&t.q1, &t.q2, &qx, &rx, &rv, &qy, &f],
        &t.account,
    );
    assert!(
        bad.is_empty(),
        "{} of 5,040 orders disagree with {expected}; first: {:?}",
        bad.len(),
        bad.first()
    );
}

/// Random small trees for WM2's rule: a committed genesis `[R0, R1]` (committed to `[N0, N1]`,
/// naming witnesses `{w1, w2, w3}`, `t = 2`, in one case of three); two app keys delegated above
/// the fork point `P`; at `P` the owner's committed rotation `q1` (to `[N0, N1]`, committed to
/// `[M0, M1]`, by `N0`) and one to three copies of it by `N0` (some naming `q1` or an earlier copy
/// in `supersedes`); then operations below any of them — revocations (with or without a cutoff,
/// some superseding an earlier sibling of their signer), encryption keys, delegations, and acts
/// that meet the commitment (by `M0`, below `q1` usually, below a copy sometimes) followed by
/// operations of `M0`/`M1`; and receipts (honest or not) when witnessed. Revocations below
/// defeated copies, met commitments, supersessions, receipts that make things final and continued
/// ties all occur.
fn wm2a_random_copies(rng: &mut Rng) -> (AccountId, Vec<SignedMessage>) {
    let ks: Vec<SecretKey> = [1u8, 2, 11, 12, 21, 22].into_iter().map(key).collect();
    let ws: Vec<SecretKey> = (40..43u8).map(key).collect();
    let witnessed = rng.below(3) == 0;
    let wrefs: Vec<&SecretKey> = if witnessed {
        ws.iter().collect()
    } else {
        vec![]
    };
    let g = wm_genesis(
        &[&ks[0], &ks[1]],
        Some(&[&ks[2], &ks[3]]),
        &wrefs,
        if witnessed { 2 } else { 0 },
    );
    let account = Accounts::account_id(&g);
    let mut last: Vec<Option<SignedMessage>> = vec![None; 6];
    last[0] = Some(g.clone());
    let sign = |op: &Operation, k: usize, last: &mut Vec<Option<SignedMessage>>| {
        let s = next(op, &ks[k], last[k].as_ref());
        last[k] = Some(s.clone());
        s
    };
    let a1 = sign(&delegation(account, &g, &key(101), 2), 1, &mut last);
    let p = sign(&delegation(account, &a1, &key(102), 3), 1, &mut last);
    struct N {
        msg: SignedMessage,
        parent: Option<usize>,
        kind: u8, // 0: roots [N0, N1] committed to [M0, M1]; 1: roots [M0, M1]
        apps: Vec<(u8, bool)>,
        children: Vec<(MessageId, usize)>,
    }
    let body = |time| {
        rotation(
            account,
            &p,
            &[&ks[2], &ks[3]],
            Some(&[&ks[4], &ks[5]]),
            &[&ks[0], &ks[1]],
            time,
        )
    };
    let mut ops = vec![g.clone(), a1, p.clone()];
    let mut nodes: Vec<N> = Vec::new();
    let copies = 2 + rng.below(3);
    for c in 0..copies {
        let mut op = body(if rng.below(2) == 0 { 4 } else { 5 + c as u64 });
        if c > 0 && rng.below(4) == 0 {
            op = op
                .supersedes(nodes[rng.below(nodes.len())].msg.id())
                .unwrap();
        }
        let s = sign(&op, 2, &mut last);
        ops.push(s.clone());
        nodes.push(N {
            msg: s,
            parent: None,
            kind: 0,
            apps: vec![(101, false), (102, false)],
            children: vec![],
        });
    }
    let steps = 3 + rng.below(8);
    for step in 0..steps {
        // q1 (node 0) and its subtree as often as the copies'.
        let pi = if rng.below(3) == 0 {
            0
        } else {
            rng.below(nodes.len())
        };
        let time = 20 + step as u64;
        let (kind, apps) = (nodes[pi].kind, nodes[pi].apps.clone());
        let parent = nodes[pi].msg.clone();
        let roots = if kind == 0 { [2usize, 3] } else { [4, 5] };
        let mut signer = roots[rng.below(2)];
        let (mut new_kind, mut new_apps) = (kind, apps.clone());
        let earlier: Vec<MessageId> = nodes[pi]
            .children
            .iter()
            .filter(|c| c.1 == signer)
            .map(|c| c.0)
            .collect();
        let maybe_supersede = |op: Operation, rng: &mut Rng| match (!earlier.is_empty()
            && rng.below(3) == 0)
            .then(|| earlier[rng.below(earlier.len())])
        {
            Some(y) => op.supersedes(y).unwrap(),
            None => op,
        };
        let live: Vec<usize> = (0..apps.len()).filter(|&i| !apps[i].1).collect();
        let pick = rng.below(10);
        let op = if kind == 0 && pick < 3 && (pi == 0 || rng.below(3) == 0) {
            signer = 4;
            new_kind = 1;
            rotation(
                account,
                &parent,
                &[&ks[4], &ks[5]],
                None,
                &[&ks[2], &ks[3]],
                time,
            )
        } else if pick < 7 && !live.is_empty() {
            let i = live[rng.below(live.len())];
            new_apps[i].1 = true;
            let cutoff = (rng.below(3) == 0).then(|| Revocation::After {
                seq: 1 + rng.below(2) as u64,
                id: g.id(),
            });
            let op = Operation::revoke(
                account,
                parent.id(),
                key(apps[i].0).public_key(),
                cutoff,
                time,
            )
            .unwrap();
            maybe_supersede(op, rng)
        } else if pick < 8 {
            let app = 110 + (nodes.len() % 100) as u8;
            new_apps.push((app, false));
            maybe_supersede(delegation(account, &parent, &key(app), time), rng)
        } else {
            let op = Operation::enckey(
                account,
                parent.id(),
                [step as u8; 32],
                1 + step as u64,
                time,
            )
            .unwrap();
            maybe_supersede(op, rng)
        };
        let s = sign(&op, signer, &mut last);
        nodes[pi].children.push((s.id(), signer));
        ops.push(s.clone());
        nodes.push(N {
            msg: s,
            parent: Some(pi),
            kind: new_kind,
            apps: new_apps,
            children: vec![],
        });
    }
    if witnessed {
        for (w, wk) in ws.iter().enumerate() {
            if rng.below(4) == 0 {
                continue;
            }
            let mut x = rng.below(nodes.len());
            let mut prev: Option<SignedMessage> = None;
            for _ in 0..1 + rng.below(2) {
                let r = wm_receipt(account, &nodes[x].msg, wk, prev.as_ref(), 90 + w as u64);
                prev = Some(r.clone());
                ops.push(r);
                x = match (rng.below(3), nodes[x].parent) {
                    (0, _) => rng.below(nodes.len()), // anywhere: maybe duplicitous
                    (_, Some(up)) => up,
                    (_, None) => x,
                };
            }
        }
    }
    (account, ops)
}

/// [`summary`] with every cutoff of each grant (06 §8.4 keeps up to two; [`summary`] shows the
/// first only).
fn wm2a_summary(accounts: &Accounts, account: &AccountId) -> String {
    let all: Vec<String> = accounts.account(account).map_or_else(Vec::new, |v| {
        v.apps()
            .map(|(k, g)| format!("{k}:{:?}", g.revocations().collect::<Vec<_>>()))
            .collect()
    });
    format!("{} revocations={all:?}", summary(accounts, account))
}

/// [`wm2a_random_copies`]: the cached chain, in random orders with the view asked for after each
/// message, equals the computation from scratch (GEN-4). `WM2A_SEED` / `WM2A_CASES` re-run it
/// wider.
#[test]
fn wm2a_cached_chain_agrees_on_random_copies_with_revocations() {
    let seed = std::env::var("WM2A_SEED").map_or(2612, |s| s.parse().unwrap());
    let cases = std::env::var("WM2A_CASES").map_or(300, |s| s.parse().unwrap());
    let mut rng = Rng(seed);
    let (mut met, mut revoked, mut contested, mut finals) = (0, 0, 0, 0);
    for case in 0..cases {
        let (account, ops) = wm2a_random_copies(&mut rng);
        let reference = apply_all(&ops);
        let view = reference.account(&account).unwrap();
        met += usize::from(view.roots().contains(&key(21).public_key()));
        revoked += usize::from(view.apps().any(|(_, g)| g.revocation().is_some()));
        contested += usize::from(!view.contested().is_empty());
        finals += usize::from(view.last_final().is_some());
        let expected = wm2a_summary(&reference, &account);
        for _ in 0..4 {
            let mut order: Vec<usize> = (0..ops.len()).collect();
            for i in (1..order.len()).rev() {
                order.swap(i, rng.below(i + 1));
            }
            let mut accounts = Accounts::new();
            for &i in &order {
                let _ = accounts.apply(&ops[i]);
                let _ = accounts.account(&account).map(|v| v.head());
            }
            let got = wm2a_summary(&accounts, &account);
            assert_eq!(got, expected, "case {case}, order {order:?}");
        }
    }
    eprintln!("met {met}, revoked {revoked}, contested {contested}, final {finals} of {cases}");
    assert!(
        met > cases / 5 && revoked > cases / 5 && contested > cases / 20,
        "{met} {revoked} {contested}"
    );
}

/// The Python checker agrees with the crate on 300 of [`wm2a_random_copies`]'s trees (the view of
/// 06 §6 with revocations, last final operation, duplicitous witnesses).
#[test]
#[ignore = "cross-implementation check: needs python3 with the checker's dependencies"]
fn wm2a_python_checker_agrees_on_random_copies_with_revocations() {
    let seed = std::env::var("WM2A_SEED").map_or(1812, |s| s.parse().unwrap());
    let mut rng = Rng(seed);
    let cases: Vec<_> = (0..300).map(|_| wm2a_random_copies(&mut rng)).collect();
    let text = wm2a_python_cross_check(&cases);
    eprintln!("{text}");
    assert!(text.contains("300 cases, 0 disagreements"), "{text}");
}

/// [`wm_python_cross_check`] with both cutoffs of a grant (06 §8.4: up to two), which
/// [`wm2a_random_copies`] produces and the `wm_` trees never do.
fn wm2a_python_cross_check(cases: &[(AccountId, Vec<SignedMessage>)]) -> String {
    let hexs = |ids: &[MessageId]| {
        ids.iter()
            .map(|c| hex::encode(c.as_bytes()))
            .collect::<Vec<_>>()
    };
    let mut json = Vec::new();
    for (account, ops) in cases {
        let accounts = apply_all(ops);
        let view = accounts.account(account).unwrap();
        let revocations: serde_json::Map<String, serde_json::Value> = view
            .apps()
            .map(|(k, g)| {
                // Two cutoffs (06 §8.4) as the checker gives them: a list, sorted.
                let one = |r: Revocation| match r {
                    Revocation::All => serde_json::Value::from("all"),
                    Revocation::After { seq, id } => {
                        serde_json::json!({"seq": seq, "id": hex::encode(id.as_bytes())})
                    }
                    _ => panic!("a revocation this test does not know"),
                };
                let all: Vec<serde_json::Value> = g.revocations().map(one).collect();
                let r = match all.len() {
                    0 => serde_json::Value::Null,
                    1 => all[0].clone(),
                    _ => serde_json::Value::Array(all),
                };
                (hex::encode(k.as_bytes()), r)
            })
            .collect();
        json.push(serde_json::json!({
            "account": hex::encode(account.as_bytes()),
            "ops": ops.iter().map(|m| hex::encode(m.as_bytes())).collect::<Vec<_>>(),
            "rust": {
                "head": hex::encode(view.head().as_bytes()),
                "contested": hexs(view.contested()),
                "roots": view.roots().iter().map(|r| hex::encode(r.as_bytes())).collect::<Vec<_>>(),
                "enc": view.encryption_key().map(|e| e.version()),
                "revocations": revocations,
                "final": view.last_final().map(|f| hex::encode(f.as_bytes())),
                "duplicitous": view.duplicitous().iter().map(|k| hex::encode(k.as_bytes())).collect::<Vec<_>>(),
                "deactivated": view.deactivated(),
            }
        }));
    }
    let dir =
        std::env::temp_dir().join(format!("audit-wm2a-{}-{}", std::process::id(), cases.len()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("cases.json");
    std::fs::write(&path, serde_json::to_vec(&json).unwrap()).unwrap();
    let out = std::process::Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/audit/cross_check_view.py"
        ))
        .arg(&path)
        .output()
        .expect("python3");
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

/// The careful-pattern scenes with the cached chain: every order after the genesis, the view asked
/// for after each message ([`orders_that_disagree`]; `outcome` applies without asking, so it does
/// not exercise the cache). The kept `R0`'s self-retirement below `q2` is watched at the
/// met-commitment fork (`Canon::watch`): arriving at the head or off the chain, it recomputes.
#[test]
fn wm2a_careful_pattern_scenes_with_the_cache_in_every_order() {
    for keep_r0 in [false, true] {
        let (account, _, ops, _) = wm2a_careful(keep_r0);
        let rest: Vec<&SignedMessage> = ops[1..].iter().collect();
        let (expected, bad) = orders_that_disagree(&[&ops[0]], &rest, &account);
        assert!(
            bad.is_empty(),
            "{} orders disagree with {expected}: {:?}",
            bad.len(),
            bad.first()
        );
    }
    let (account, _, mut ops, e) = wm2a_careful(true);
    let x = next(
        &Operation::roots(account, e, &[key(22).public_key()], 11).unwrap(),
        &key(1),
        None,
    );
    ops.push(x);
    // Without `d` (applied first with the genesis): 5,040 orders of the rest.
    let rest: Vec<&SignedMessage> = ops[2..].iter().collect();
    let (expected, bad) = orders_that_disagree(&[&ops[0], &ops[1]], &rest, &account);
    assert!(
        bad.is_empty(),
        "{} of 5,040 orders disagree with {expected}: {:?}",
        bad.len(),
        bad.first()
    );
}
