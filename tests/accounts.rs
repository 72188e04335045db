//! The key-state machine: order independence, recovery, equivocation, finality, and the rules that
//! keep app keys away from key operations.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use skylark::account::{AccountError, Accounts, Applied, Operation, Revocation, Scope};
use skylark::envelope::{Kind, SignedMessage};
use skylark::id::{AccountId, MessageId};
use skylark::keys::SecretKey;

fn key(n: u8) -> SecretKey {
    SecretKey::from_seed([n; 32])
}

/// Signs `op` as the next message of `signer`, given the signer's previous message (if any).
fn sign_after(
    op: &Operation,
    signer: &SecretKey,
    previous: Option<&SignedMessage>,
) -> SignedMessage {
    let draft = op.draft().unwrap();
    match previous {
        Some(p) => draft.after(p).sign(signer).unwrap(),
        None => draft.sign(signer).unwrap(),
    }
}

/// A summary of an account's canonical state that two nodes can compare.
fn summary(accounts: &Accounts, account: &AccountId) -> String {
    let Some(view) = accounts.account(account) else {
        return "unknown".into();
    };
    let apps: Vec<String> = view
        .apps()
        .map(|(k, g)| format!("{k}:{:?}:{}:{:?}", g.scope(), g.expires(), g.revocation()))
        .collect();
    format!(
        "head={} roots={:?} apps={apps:?} contested={:?} enc={:?}",
        view.head(),
        view.roots(),
        view.contested(),
        view.encryption_key()
    )
}

struct Story {
    account: AccountId,
    ops: Vec<SignedMessage>,
}

/// A realistic history: genesis with a recovery root and an everyday root; the everyday root
/// delegates two apps; the everyday root is stolen and the thief delegates his own app and rotates
/// the roots; the recovery root forks before the theft and rotates the everyday root out.
fn recovery_story() -> (Story, MessageId, MessageId) {
    let (recovery, everyday, thief) = (key(1), key(2), key(66));
    let (phone, laptop, thief_app) = (key(3), key(4), key(67));
    let g = Operation::genesis(&[recovery.public_key(), everyday.public_key()], 1_000)
        .unwrap()
        .accepted_by(&everyday)
        .unwrap()
        .sign(&recovery)
        .unwrap();
    let account = Accounts::account_id(&g);
    let d1 = sign_after(
        &Operation::delegate(
            account,
            g.id(),
            phone.public_key(),
            &[],
            1_000_000,
            Some("phone"),
            2_000,
        )
        .unwrap()
        .accepted_by(&phone)
        .unwrap(),
        &everyday,
        None,
    );
    let d2 = sign_after(
        &Operation::delegate(
            account,
            d1.id(),
            laptop.public_key(),
            &[Kind::new("post").unwrap()],
            1_000_000,
            None,
            3_000,
        )
        .unwrap()
        .accepted_by(&laptop)
        .unwrap(),
        &everyday,
        Some(&d1),
    );
    // The thief, holding the everyday root, builds on d2.
    let t1 = sign_after(
        &Operation::delegate(
            account,
            d2.id(),
            thief_app.public_key(),
            &[],
            1_000_000,
            None,
            4_000,
        )
        .unwrap()
        .accepted_by(&thief_app)
        .unwrap(),
        &everyday,
        Some(&d2),
    );
    let t2 = sign_after(
        &Operation::roots(account, t1.id(), &[thief.public_key()], 4_001)
            .unwrap()
            .accepted_by(&thief)
            .unwrap(),
        &everyday,
        Some(&t1),
    );
    // The user recovers with the recovery root, forking after d2.
    let r = sign_after(
        &Operation::roots(
            account,
            d2.id(),
            &[recovery.public_key(), key(5).public_key()],
            5_000,
        )
        .unwrap()
        .accepted_by(&key(5))
        .unwrap(),
        &recovery,
        Some(&g),
    );
    let ops = vec![g, d1, d2, t1, t2, r.clone()];
    (
        Story { account, ops },
        r.id(),
        MessageId::from_bytes([0; 32]),
    )
}

#[test]
fn recovery_root_beats_a_stolen_everyday_root_in_every_order() {
    let (story, recovery_op, _) = recovery_story();
    let mut reference = None;
    // All 720 orders of the six operations.
    let n = story.ops.len();
    let mut order: Vec<usize> = (0..n).collect();
    let mut count = 0;
    permute(&mut order, 0, &mut |order| {
        let mut accounts = Accounts::new();
        for &i in order {
            accounts.apply(&story.ops[i]).unwrap();
        }
        let s = summary(&accounts, &story.account);
        let view = accounts.account(&story.account).unwrap();
        assert_eq!(view.head(), recovery_op);
        assert_eq!(view.roots()[1], key(5).public_key());
        assert!(
            view.app(&key(67).public_key()).is_none(),
            "the thief's app is not delegated"
        );
        assert!(
            view.app(&key(3).public_key()).is_some(),
            "honest delegations survive"
        );
        match &reference {
            None => reference = Some(s),
            Some(r) => assert_eq!(r, &s),
        }
        count += 1;
    });
    assert_eq!(count, 720);
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

#[test]
fn equivocation_by_one_root_stops_the_chain_until_a_higher_root_resolves_it() {
    let (recovery, everyday) = (key(1), key(2));
    let g = Operation::genesis(&[recovery.public_key(), everyday.public_key()], 1)
        .unwrap()
        .accepted_by(&everyday)
        .unwrap()
        .sign(&recovery)
        .unwrap();
    let account = Accounts::account_id(&g);
    let a = sign_after(
        &Operation::delegate(account, g.id(), key(3).public_key(), &[], 100, None, 2)
            .unwrap()
            .accepted_by(&key(3))
            .unwrap(),
        &everyday,
        None,
    );
    let b = sign_after(
        &Operation::delegate(account, g.id(), key(4).public_key(), &[], 100, None, 2)
            .unwrap()
            .accepted_by(&key(4))
            .unwrap(),
        &everyday,
        None,
    );
    // Two leaves of one key would be a tie of one key's leaves (the smaller id wins, 06 §8.1), and
    // one of them continued by the key would be chosen; the holder of `everyday` continues below
    // both, so this is equivocation between histories.
    let a2 = sign_after(
        &Operation::enckey(account, a.id(), [7; 32], 1, 3).unwrap(),
        &everyday,
        Some(&a),
    );
    let b2 = sign_after(
        &Operation::enckey(account, b.id(), [8; 32], 1, 3).unwrap(),
        &everyday,
        Some(&a2),
    );
    let mut accounts = Accounts::new();
    for op in [&g, &a, &b, &a2, &b2] {
        accounts.apply(op).unwrap();
    }
    let view = accounts.account(&account).unwrap();
    assert_eq!(view.head(), g.id());
    let mut tied = vec![a.id(), b.id()];
    tied.sort();
    assert_eq!(view.contested(), tied.as_slice());
    assert_eq!(view.apps().count(), 0);

    // The recovery root resolves it by signing a child of the genesis.
    let r = sign_after(
        &Operation::delegate(account, g.id(), key(5).public_key(), &[], 100, None, 3)
            .unwrap()
            .accepted_by(&key(5))
            .unwrap(),
        &recovery,
        Some(&g),
    );
    accounts.apply(&r).unwrap();
    let view = accounts.account(&account).unwrap();
    assert_eq!(view.head(), r.id());
    assert!(view.contested().is_empty());
}

#[test]
fn an_endorsed_branch_is_final_against_the_endorsing_root() {
    // g -> d (everyday) -> e (recovery endorses d). A later override at g by the recovery root ties
    // with d's branch (both hold a recovery signature) and cannot take it over.
    let (recovery, everyday) = (key(1), key(2));
    let g = Operation::genesis(&[recovery.public_key(), everyday.public_key()], 1)
        .unwrap()
        .accepted_by(&everyday)
        .unwrap()
        .sign(&recovery)
        .unwrap();
    let account = Accounts::account_id(&g);
    let d = sign_after(
        &Operation::delegate(account, g.id(), key(3).public_key(), &[], 100, None, 2)
            .unwrap()
            .accepted_by(&key(3))
            .unwrap(),
        &everyday,
        None,
    );
    let e = sign_after(
        &Operation::enckey(account, d.id(), [7; 32], 1, 3).unwrap(),
        &recovery,
        Some(&g),
    );
    let late = sign_after(
        &Operation::roots(account, g.id(), &[recovery.public_key()], 4).unwrap(),
        &recovery,
        Some(&e),
    );
    let mut accounts = Accounts::new();
    for op in [&g, &d, &e, &late] {
        accounts.apply(op).unwrap();
    }
    let view = accounts.account(&account).unwrap();
    // The override does not win: the two branches tie, and the chain stops at the fork with both
    // kept as evidence. (An attacker holding the top root can freeze history, not rewrite it.)
    assert!(!view.is_canonical(&late.id()));
    assert_eq!(view.head(), g.id());
    let mut tied = vec![d.id(), late.id()];
    tied.sort();
    assert_eq!(view.contested(), tied.as_slice());
    // Without the endorsement, the same override wins: d alone is signed by a lower-priority root.
    let mut unendorsed = Accounts::new();
    for op in [&g, &d, &late] {
        unendorsed.apply(op).unwrap();
    }
    assert_eq!(unendorsed.account(&account).unwrap().head(), late.id());
}

#[test]
fn app_keys_cannot_sign_operations_and_revoked_keys_stay_revoked() {
    let root = key(1);
    let app = key(2);
    let g = Operation::genesis(&[root.public_key()], 1)
        .unwrap()
        .sign(&root)
        .unwrap();
    let account = Accounts::account_id(&g);
    let d = sign_after(
        &Operation::delegate(account, g.id(), app.public_key(), &[], 100, None, 2)
            .unwrap()
            .accepted_by(&app)
            .unwrap(),
        &root,
        Some(&g),
    );
    let mut accounts = Accounts::new();
    accounts.apply(&g).unwrap();
    accounts.apply(&d).unwrap();
    // The app key tries to delegate another key and to rotate the roots.
    let by_app = Operation::delegate(account, d.id(), key(9).public_key(), &[], 100, None, 3)
        .unwrap()
        .accepted_by(&key(9))
        .unwrap()
        .sign(&app)
        .unwrap();
    assert_eq!(accounts.apply(&by_app), Err(AccountError::NotARoot));
    let rotate = Operation::roots(account, d.id(), &[app.public_key()], 3)
        .unwrap()
        .sign(&app)
        .unwrap();
    assert_eq!(accounts.apply(&rotate), Err(AccountError::NotARoot));
    // The root cannot make an app key a root.
    let promote = sign_after(
        &Operation::roots(account, d.id(), &[root.public_key(), app.public_key()], 3).unwrap(),
        &root,
        Some(&d),
    );
    assert_eq!(accounts.apply(&promote), Err(AccountError::KeyInUse));
    // Revoke, then re-delegation of the same key is refused.
    let r = sign_after(
        &Operation::revoke(account, d.id(), app.public_key(), Some(Revocation::All), 4).unwrap(),
        &root,
        Some(&d),
    );
    accounts.apply(&r).unwrap();
    let again = sign_after(
        &Operation::delegate(account, r.id(), app.public_key(), &[], 100, None, 5)
            .unwrap()
            .accepted_by(&app)
            .unwrap(),
        &root,
        Some(&r),
    );
    assert_eq!(accounts.apply(&again), Err(AccountError::KeyInUse));
    let view = accounts.account(&account).unwrap();
    assert_eq!(
        view.app(&app.public_key()).unwrap().revocation(),
        Some(Revocation::All)
    );
    assert_eq!(view.app(&app.public_key()).unwrap().scope(), &Scope::all());
}

#[test]
fn operations_waiting_on_an_invalid_operation_are_invalid() {
    let root = key(1);
    let stranger = key(2);
    let g = Operation::genesis(&[root.public_key()], 1)
        .unwrap()
        .sign(&root)
        .unwrap();
    let account = Accounts::account_id(&g);
    let bad = Operation::enckey(account, g.id(), [1; 32], 1, 2)
        .unwrap()
        .sign(&stranger)
        .unwrap();
    let child = Operation::enckey(account, bad.id(), [2; 32], 2, 3)
        .unwrap()
        .sign(&stranger)
        .unwrap();
    let mut accounts = Accounts::new();
    assert_eq!(
        accounts.apply(&child),
        Ok(Applied::Pending { missing: bad.id() })
    );
    assert_eq!(
        accounts.apply(&bad),
        Ok(Applied::Pending { missing: g.id() })
    );
    assert_eq!(accounts.apply(&g), Ok(Applied::Accepted));
    // Releasing the genesis found `bad` invalid, and with it `child`.
    assert_eq!(accounts.apply(&bad), Err(AccountError::NotARoot));
    assert_eq!(accounts.apply(&child), Err(AccountError::ParentInvalid));
    assert_eq!(accounts.account(&account).unwrap().head(), g.id());
}

#[test]
fn genesis_rules() {
    let (a, b) = (key(1), key(2));
    // Signed by the second root instead of the first.
    let wrong_signer = Operation::genesis(&[a.public_key(), b.public_key()], 1)
        .unwrap()
        .accepted_by(&b)
        .unwrap()
        .sign(&b)
        .unwrap();
    assert_eq!(
        Accounts::new().apply(&wrong_signer),
        Err(AccountError::GenesisSigner)
    );
    // Not the first message of its key.
    let first = Operation::genesis(&[a.public_key()], 1)
        .unwrap()
        .sign(&a)
        .unwrap();
    let second = Operation::genesis(&[a.public_key()], 2)
        .unwrap()
        .draft()
        .unwrap()
        .after(&first)
        .sign(&a)
        .unwrap();
    assert_eq!(
        Accounts::new().apply(&second),
        Err(AccountError::GenesisSigner)
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Any order of the same operations, with duplicates, gives the same state.
    #[test]
    fn state_is_independent_of_order_and_duplicates(
        seed in any::<u64>(),
        duplicates in proptest::collection::vec(0usize..6, 0..6),
    ) {
        let (story, _, _) = recovery_story();
        let mut ops: Vec<&SignedMessage> = story.ops.iter().collect();
        for &d in &duplicates {
            ops.push(&story.ops[d]);
        }
        // A deterministic shuffle from the seed.
        let mut state = seed | 1;
        for i in (1..ops.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            ops.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let mut shuffled = Accounts::new();
        for op in &ops {
            shuffled.apply(op).unwrap();
        }
        let mut in_order = Accounts::new();
        for op in &story.ops {
            in_order.apply(op).unwrap();
        }
        prop_assert_eq!(summary(&shuffled, &story.account), summary(&in_order, &story.account));
    }
}

#[test]
fn a_child_of_an_invalid_genesis_is_invalid_in_either_order() {
    let (a, b) = (key(1), key(2));
    // Signed by the second root: an invalid genesis.
    let bad = Operation::genesis(&[a.public_key(), b.public_key()], 1)
        .unwrap()
        .accepted_by(&b)
        .unwrap()
        .sign(&b)
        .unwrap();
    let account = Accounts::account_id(&bad);
    let child = Operation::enckey(account, bad.id(), [1; 32], 1, 2)
        .unwrap()
        .sign(&a)
        .unwrap();

    let mut first = Accounts::new();
    assert_eq!(first.apply(&bad), Err(AccountError::GenesisSigner));
    assert_eq!(first.apply(&child), Err(AccountError::ParentInvalid));

    let mut second = Accounts::new();
    assert_eq!(
        second.apply(&child),
        Ok(Applied::Pending { missing: bad.id() })
    );
    assert_eq!(second.apply(&bad), Err(AccountError::GenesisSigner));
    assert_eq!(second.apply(&child), Err(AccountError::ParentInvalid));
}

#[test]
fn a_former_root_never_becomes_an_app_key() {
    let (a, b) = (key(1), key(2));
    let g = Operation::genesis(&[a.public_key(), b.public_key()], 1)
        .unwrap()
        .accepted_by(&b)
        .unwrap()
        .sign(&a)
        .unwrap();
    let account = Accounts::account_id(&g);
    let rotate = sign_after(
        &Operation::roots(account, g.id(), &[a.public_key()], 2).unwrap(),
        &a,
        Some(&g),
    );
    let delegate_old_root = sign_after(
        &Operation::delegate(account, rotate.id(), b.public_key(), &[], 100, None, 3)
            .unwrap()
            .accepted_by(&b)
            .unwrap(),
        &a,
        Some(&rotate),
    );
    let mut accounts = Accounts::new();
    accounts.apply(&g).unwrap();
    accounts.apply(&rotate).unwrap();
    assert_eq!(
        accounts.apply(&delegate_old_root),
        Err(AccountError::KeyInUse)
    );
}

mod authorization {
    use super::*;
    use skylark::cbor::Map;
    use skylark::envelope::{Draft, Header};
    use skylark::message::{AuthError, Authorization, BodyKind, Follow, Missing};
    use std::collections::BTreeMap;

    /// An account with one root and one app key that may sign follows, the root's genesis at t=1.
    fn setup() -> (
        Accounts,
        AccountId,
        SecretKey,
        SecretKey,
        SignedMessage,
        SignedMessage,
    ) {
        let (root, app) = (key(1), key(2));
        let g = Operation::genesis(&[root.public_key()], 1)
            .unwrap()
            .sign(&root)
            .unwrap();
        let account = Accounts::account_id(&g);
        let d = sign_after(
            &Operation::delegate(
                account,
                g.id(),
                app.public_key(),
                &[Kind::new("follow").unwrap()],
                1_000_000,
                None,
                100,
            )
            .unwrap()
            .accepted_by(&app)
            .unwrap(),
            &root,
            Some(&g),
        );
        let mut accounts = Accounts::new();
        accounts.apply(&g).unwrap();
        accounts.apply(&d).unwrap();
        (accounts, account, root, app, g, d)
    }

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

    fn lookup(store: &BTreeMap<MessageId, Header>) -> impl Fn(&MessageId) -> Option<Header> + '_ {
        move |id| store.get(id).cloned()
    }

    #[test]
    fn scope_time_and_roles() {
        let (accounts, account, root, app, _, _) = setup();
        let none = BTreeMap::new();
        let ok = follow(account, 9, 200, None, &app);
        assert_eq!(
            accounts.authorize(ok.header(), lookup(&none)),
            Authorization::Authorized
        );
        let before = follow(account, 9, 99, None, &app);
        assert_eq!(
            accounts.authorize(before.header(), lookup(&none)),
            Authorization::Denied(AuthError::BeforeDelegation)
        );
        let expired = follow(account, 9, 1_000_001, None, &app);
        assert_eq!(
            accounts.authorize(expired.header(), lookup(&none)),
            Authorization::Denied(AuthError::Expired)
        );
        let post = Draft::new(
            account,
            Kind::new("com.example.note").unwrap(),
            200,
            &Map::new(),
        )
        .unwrap()
        .sign(&app)
        .unwrap();
        assert_eq!(
            accounts.authorize(post.header(), lookup(&none)),
            Authorization::Denied(AuthError::OutOfScope)
        );
        let by_root = follow(account, 9, 200, None, &root);
        assert_eq!(
            accounts.authorize(by_root.header(), lookup(&none)),
            Authorization::Denied(AuthError::RootKeyMessage)
        );
        let stranger = follow(account, 9, 200, None, &key(50));
        assert_eq!(
            accounts.authorize(stranger.header(), lookup(&none)),
            Authorization::Denied(AuthError::NotDelegated)
        );
        let unknown = AccountId::from_bytes([3; 32]);
        let elsewhere = follow(unknown, 9, 200, None, &app);
        assert_eq!(
            accounts.authorize(elsewhere.header(), lookup(&none)),
            Authorization::Unknown(Missing::Account(unknown))
        );
    }

    #[test]
    fn revocation_cutoff_keeps_exactly_the_honest_history() {
        let (mut accounts, account, root, app, _, d) = setup();
        // Honest history m1..m5.
        let mut honest = Vec::new();
        for i in 0..5u8 {
            let m = follow(account, 10 + i, 200 + u64::from(i), honest.last(), &app);
            honest.push(m);
        }
        // The thief continues after m5, and also forks after m2 with a back-dated message.
        let t6 = follow(account, 60, 300, honest.last(), &app);
        let t3 = follow(account, 61, 202, Some(&honest[1]), &app);
        let mut store = BTreeMap::new();
        for m in honest.iter().chain([&t6, &t3]) {
            store.insert(m.id(), m.header().clone());
        }
        // Before the revocation, all of them are authorized: a stolen key signs like the app.
        for m in honest.iter().chain([&t6, &t3]) {
            assert_eq!(
                accounts.authorize(m.header(), lookup(&store)),
                Authorization::Authorized
            );
        }
        let cut = honest.last().unwrap();
        let revoke = sign_after(
            &Operation::revoke(
                account,
                d.id(),
                app.public_key(),
                Some(Revocation::After {
                    seq: 5,
                    id: cut.id(),
                }),
                400,
            )
            .unwrap(),
            &root,
            Some(&d),
        );
        accounts.apply(&revoke).unwrap();
        // A node that has not read the cutoff's history yet (the state remembers headers it has
        // read, as a node's held set only grows: 06 §10).
        let fresh = accounts.clone();
        for m in &honest {
            assert_eq!(
                accounts.authorize(m.header(), lookup(&store)),
                Authorization::Authorized
            );
        }
        for m in [&t6, &t3] {
            assert_eq!(
                accounts.authorize(m.header(), lookup(&store)),
                Authorization::Denied(AuthError::Revoked)
            );
        }
        // A node missing part of the chain cannot decide yet, and says what it needs.
        let mut partial = store.clone();
        partial.remove(&honest[3].id());
        assert_eq!(
            fresh.authorize(honest[0].header(), lookup(&partial)),
            Authorization::Unknown(Missing::Message(honest[3].id()))
        );
    }

    #[test]
    fn operations_are_authorized_by_the_tree() {
        let (mut accounts, account, root, app, g, d) = setup();
        let none = BTreeMap::new();
        assert_eq!(
            accounts.authorize(d.header(), lookup(&none)),
            Authorization::Authorized
        );
        let by_app = Operation::enckey(account, d.id(), [1; 32], 1, 200)
            .unwrap()
            .sign(&app)
            .unwrap();
        assert_eq!(accounts.apply(&by_app), Err(AccountError::NotARoot));
        assert_eq!(
            accounts.authorize(by_app.header(), lookup(&none)),
            Authorization::Denied(AuthError::Operation(AccountError::NotARoot))
        );
        let orphan_parent = MessageId::from_bytes([9; 32]);
        let orphan = sign_after(
            &Operation::enckey(account, orphan_parent, [1; 32], 1, 200).unwrap(),
            &root,
            Some(&g),
        );
        accounts.apply(&orphan).unwrap();
        assert_eq!(
            accounts.authorize(orphan.header(), lookup(&none)),
            Authorization::Unknown(Missing::Message(orphan_parent))
        );
    }
}

mod cutoff_edges {
    use super::*;
    use skylark::envelope::Header;
    use skylark::message::{AuthError, Authorization, BodyKind, Follow};
    use std::collections::BTreeMap;

    #[test]
    fn a_message_never_waits_for_its_own_header_and_a_bogus_cutoff_keeps_nothing() {
        let (root, app) = (key(1), key(2));
        let g = Operation::genesis(&[root.public_key()], 1)
            .unwrap()
            .sign(&root)
            .unwrap();
        let account = Accounts::account_id(&g);
        let d = sign_after(
            &Operation::delegate(account, g.id(), app.public_key(), &[], 1_000, None, 2)
                .unwrap()
                .accepted_by(&app)
                .unwrap(),
            &root,
            Some(&g),
        );
        let m1 = Follow::new(AccountId::from_bytes([5; 32]))
            .draft(account, 10)
            .unwrap()
            .sign(&app)
            .unwrap();
        let m2 = Follow::new(AccountId::from_bytes([6; 32]))
            .draft(account, 11)
            .unwrap()
            .after(&m1)
            .sign(&app)
            .unwrap();
        let empty: BTreeMap<MessageId, Header> = BTreeMap::new();
        let lookup = |id: &MessageId| empty.get(id).cloned();

        // The cutoff is m2 itself: decided without any lookup.
        let mut accounts = Accounts::new();
        accounts.apply(&g).unwrap();
        accounts.apply(&d).unwrap();
        let revoke = sign_after(
            &Operation::revoke(
                account,
                d.id(),
                app.public_key(),
                Some(Revocation::After {
                    seq: 2,
                    id: m2.id(),
                }),
                20,
            )
            .unwrap(),
            &root,
            Some(&d),
        );
        accounts.apply(&revoke).unwrap();
        assert_eq!(
            accounts.authorize(m2.header(), lookup),
            Authorization::Authorized
        );

        // A cutoff whose sequence number is not the cutoff message's: it keeps nothing.
        let mut bogus = Accounts::new();
        bogus.apply(&g).unwrap();
        bogus.apply(&d).unwrap();
        let wrong_seq = sign_after(
            &Operation::revoke(
                account,
                d.id(),
                app.public_key(),
                Some(Revocation::After {
                    seq: 3,
                    id: m2.id(),
                }),
                20,
            )
            .unwrap(),
            &root,
            Some(&d),
        );
        bogus.apply(&wrong_seq).unwrap();
        let store = BTreeMap::from([
            (m2.id(), m2.header().clone()),
            (m1.id(), m1.header().clone()),
        ]);
        let lookup = |id: &MessageId| store.get(id).cloned();
        assert_eq!(
            bogus.authorize(m1.header(), lookup),
            Authorization::Denied(AuthError::Revoked)
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// No operation signed by an app key (or any key that is not a root of the state it follows)
    /// ever changes the key state, whatever it says and wherever it attaches.
    #[test]
    fn operations_signed_by_app_keys_never_change_the_state(
        which in 0usize..4,
        attach in 0usize..6,
        app_index in 0usize..2,
        time in 0u64..10_000,
        version in 1u64..5,
    ) {
        let (story, _, _) = recovery_story();
        let mut accounts = Accounts::new();
        for op in &story.ops {
            accounts.apply(op).unwrap();
        }
        let before = summary(&accounts, &story.account);
        // The phone and laptop app keys of the story, and every operation as a place to attach to.
        let app = if app_index == 0 { key(3) } else { key(4) };
        let after = story.ops[attach].id();
        let op = match which {
            0 => Operation::roots(story.account, after, &[app.public_key()], time),
            1 => Operation::delegate(story.account, after, key(90).public_key(), &[], time + 1, None, time),
            2 => Operation::revoke(story.account, after, key(3).public_key(), Some(Revocation::All), time),
            _ => Operation::enckey(story.account, after, [9; 32], version, time),
        }
        .unwrap()
        .sign(&app)
        .unwrap();
        prop_assert!(accounts.apply(&op).is_err());
        prop_assert_eq!(summary(&accounts, &story.account), before);
    }
}

#[test]
fn key_operations_cannot_be_deleted() {
    use skylark::message::{validate, Authorization, BodyKind, Delete, MemoryContext, Verdict};
    let (root, app) = (key(1), key(2));
    let g = Operation::genesis(&[root.public_key()], 1)
        .unwrap()
        .sign(&root)
        .unwrap();
    let account = Accounts::account_id(&g);
    let d = sign_after(
        &Operation::delegate(account, g.id(), app.public_key(), &[], 10_000, None, 2)
            .unwrap()
            .accepted_by(&app)
            .unwrap(),
        &root,
        Some(&g),
    );
    let delete = Delete::new(d.id())
        .draft(account, 10)
        .unwrap()
        .sign(&app)
        .unwrap();
    let context = MemoryContext::new(100, Authorization::Authorized)
        .with(&g)
        .with(&d);
    match validate(delete, &context) {
        Verdict::Invalid(e) => assert_eq!((e.code(), e.rule()), ("msg.target_kind", "DELETE-1")),
        other => panic!("a delete of a key operation must be invalid, got {other:?}"),
    }
}

/// 06 §8.1: two leaves of one key (two devices, or a retry without `supersedes`) do not freeze the
/// account: the smaller id is the head. A retry that names the first in `supersedes` wins whatever
/// the ids, and a superseded revocation still applies (06 §8.4).
#[test]
fn one_keys_leaves_and_retries_do_not_freeze() {
    let (recovery, everyday) = (key(1), key(2));
    let g = Operation::genesis(&[recovery.public_key(), everyday.public_key()], 1)
        .unwrap()
        .accepted_by(&everyday)
        .unwrap()
        .sign(&recovery)
        .unwrap();
    let account = Accounts::account_id(&g);
    let x1 = sign_after(
        &Operation::enckey(account, g.id(), [1; 32], 1, 2).unwrap(),
        &everyday,
        None,
    );
    let x2 = sign_after(
        &Operation::enckey(account, g.id(), [2; 32], 1, 2).unwrap(),
        &everyday,
        Some(&x1),
    );
    let mut accounts = Accounts::new();
    for op in [&g, &x2, &x1] {
        accounts.apply(op).unwrap();
    }
    let view = accounts.account(&account).unwrap();
    assert_eq!(view.head(), x1.id().min(x2.id()));
    assert!(view.contested().is_empty());

    // A delegation, then its revocation, then the revocation superseded by another operation of the
    // same key: that operation is the head, and the phone stays revoked.
    let phone = key(3).public_key();
    let d = sign_after(
        &Operation::delegate(account, g.id(), phone, &[], 100, None, 2)
            .unwrap()
            .accepted_by(&key(3))
            .unwrap(),
        &everyday,
        None,
    );
    let rv = sign_after(
        &Operation::revoke(account, d.id(), phone, None, 3).unwrap(),
        &everyday,
        Some(&d),
    );
    let t = sign_after(
        &Operation::enckey(account, d.id(), [3; 32], 1, 4)
            .unwrap()
            .supersedes(rv.id())
            .unwrap(),
        &everyday,
        Some(&rv),
    );
    let mut accounts = Accounts::new();
    for op in [&t, &rv, &d, &g] {
        let _ = accounts.apply(op);
    }
    let view = accounts.account(&account).unwrap();
    assert_eq!(view.head(), t.id());
    assert_eq!(
        view.app(&phone).and_then(|g| g.revocation()),
        Some(Revocation::All)
    );
}

/// 06 §8.1: a top root that retired itself cannot roll the account back when it leaks: at the
/// genesis its signatures beside the retirement count for nothing.
#[test]
fn a_leaked_self_retired_root_cannot_roll_back() {
    let (old, everyday, new) = (key(1), key(2), key(3));
    let g = Operation::genesis(&[old.public_key(), everyday.public_key()], 1)
        .unwrap()
        .accepted_by(&everyday)
        .unwrap()
        .sign(&old)
        .unwrap();
    let account = Accounts::account_id(&g);
    let retire = sign_after(
        &Operation::roots(
            account,
            g.id(),
            &[new.public_key(), everyday.public_key()],
            2,
        )
        .unwrap()
        .accepted_by(&new)
        .unwrap(),
        &old,
        Some(&g),
    );
    let phone = key(4).public_key();
    let d = sign_after(
        &Operation::delegate(account, retire.id(), phone, &[], 100, None, 3)
            .unwrap()
            .accepted_by(&key(4))
            .unwrap(),
        &new,
        None,
    );
    // Years later the old key leaks; its thief signs a child of the genesis, claiming any time.
    let thief = sign_after(
        &Operation::delegate(account, g.id(), key(5).public_key(), &[], 100, None, 0)
            .unwrap()
            .accepted_by(&key(5))
            .unwrap(),
        &old,
        Some(&retire),
    );
    let mut accounts = Accounts::new();
    for op in [&thief, &d, &retire, &g] {
        let _ = accounts.apply(op);
    }
    let view = accounts.account(&account).unwrap();
    assert_eq!(view.head(), d.id());
    assert!(view.app(&phone).is_some());
    assert!(view.app(&key(5).public_key()).is_none());
}

/// Witnesses (06 §8.6): a view asked for after every message — which takes the cached fast paths
/// for operations and receipts at the head — equals the view of a fresh state that applied the same
/// messages last first; and a thief of the top root cannot replace final history.
#[test]
fn witness_finality_is_the_same_queried_incrementally_or_at_once() {
    use skylark::account::WitnessSet;
    let (r0, r1) = (key(1), key(2));
    let witnesses = [key(41), key(42), key(43)];
    let set = WitnessSet::new(
        &witnesses.iter().map(|w| w.public_key()).collect::<Vec<_>>(),
        2,
    )
    .unwrap();
    let g = Operation::genesis(&[r0.public_key(), r1.public_key()], 1)
        .unwrap()
        .accepted_by(&r1)
        .unwrap()
        .with_witnesses(&set)
        .unwrap()
        .accepted_by(&witnesses[0])
        .unwrap()
        .accepted_by(&witnesses[1])
        .unwrap()
        .accepted_by(&witnesses[2])
        .unwrap()
        .sign(&r0)
        .unwrap();
    let account = Accounts::account_id(&g);
    let mut last_of: std::collections::BTreeMap<u8, SignedMessage> = Default::default();
    let mut next = |signer: &SecretKey, op: Operation| {
        let id = signer.public_key().as_bytes()[0];
        let signed = sign_after(&op, signer, last_of.get(&id));
        last_of.insert(id, signed.clone());
        signed
    };
    let mut messages = vec![g.clone()];
    let mut head = g.clone();
    // An honest chain of three operations by r1, each receipted at the head by two witnesses.
    for i in 0..3u64 {
        let op = Operation::enckey(account, head.id(), [7; 32], i + 1, 10 + i).unwrap();
        let signed = next(&r1, op);
        messages.push(signed.clone());
        for w in &witnesses[..2] {
            messages.push(next(w, Operation::receipt(account, signed.id(), 20 + i)));
        }
        head = signed;
    }
    let final_head = head.id();
    // The thief of r0 forks below the genesis and appends at the head; the third witness receipts
    // the thief's fork (duplicity once it also receipts the honest head).
    let fork = next(
        &r0,
        Operation::enckey(account, g.id(), [8; 32], 1, 50).unwrap(),
    );
    let append = next(
        &r0,
        Operation::roots(account, final_head, &[key(9).public_key()], 51)
            .unwrap()
            .accepted_by(&key(9))
            .unwrap(),
    );
    messages.push(fork.clone());
    messages.push(append.clone());
    messages.push(next(
        &witnesses[2],
        Operation::receipt(account, fork.id(), 52),
    ));
    messages.push(next(
        &witnesses[2],
        Operation::receipt(account, final_head, 53),
    ));

    let view_of = |accounts: &Accounts| {
        let v = accounts.account(&account).unwrap();
        (
            v.head(),
            v.last_final(),
            v.duplicitous().to_vec(),
            v.contested().to_vec(),
        )
    };
    let mut incremental = Accounts::new();
    for (n, m) in messages.iter().enumerate() {
        let _ = incremental.apply(m);
        let mut fresh = Accounts::new();
        for earlier in messages[..=n].iter().rev() {
            let _ = fresh.apply(earlier);
        }
        assert_eq!(view_of(&incremental), view_of(&fresh), "after message {n}");
    }
    let (head, last_final, duplicitous, contested) = view_of(&incremental);
    assert_eq!(head, append.id(), "the thief appends at the head");
    assert_eq!(
        last_final,
        Some(final_head),
        "the honest history stays final"
    );
    assert_eq!(duplicitous, vec![witnesses[2].public_key()]);
    assert!(contested.is_empty());
    assert!(!incremental
        .account(&account)
        .unwrap()
        .is_canonical(&fork.id()));
}
