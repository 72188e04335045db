//! Sealed direct messages (spec 08): every vector of `dm.json` through the library, round trips
//! to every device, every single-byte change fails to open, one-time prekeys are used once, the
//! replay window, and who may publish prekeys and send.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use skylark::account::{Accounts, Operation};
use skylark::dm::{
    admit_item, open, open_in_group, open_report, seal, seal_deterministic,
    seal_padded_deterministic, seal_report_deterministic, Accept, Declaration, DeviceKeys, DmBody,
    DmError, EncryptionPublic, EncryptionSecret, Gate, GroupRecord, Groups, Inner, PqPublic,
    PqSecret, Prekey, ReportInner, Sealed, ServiceKey, Stamp, BUCKETS, HEADER_LEN, MAX_RECIPIENTS,
    REPLAY_WINDOW,
};
use skylark::envelope::{Kind, SignedMessage};
use skylark::id::{AccountId, MessageId};
use skylark::keys::SecretKey;
use skylark::message::{validate, AuthError, Authorization, MemoryContext, Verdict};

/// A deterministic generator for `seal` (the vectors use `seal_deterministic`).
#[allow(dead_code)] // TestRng::from_seed_bytes: benches/batch.rs only
#[path = "support/test_rng.rs"]
mod test_rng;

use test_rng::TestRng;

const NOW: u64 = 1_764_115_200_000;

/// Accounts with a root (seed `n`), a DM key (seed `n + 1`, scope [dm, prekey]) and a wildcard app
/// key (seed `n + 2`).
struct World {
    accounts: Accounts,
}

impl World {
    fn new() -> Self {
        World {
            accounts: Accounts::new(),
        }
    }

    fn account(&mut self, n: u8) -> AccountId {
        let root = SecretKey::from_seed([n; 32]);
        let genesis = Operation::genesis(&[root.public_key()], 1)
            .unwrap()
            .sign(&root)
            .unwrap();
        let id = Accounts::account_id(&genesis);
        let scope = [Kind::new("dm").unwrap(), Kind::new("prekey").unwrap()];
        let dm = Operation::delegate(
            id,
            genesis.id(),
            dm_key(n).public_key(),
            &scope,
            1 << 52,
            None,
            2,
        )
        .unwrap()
        .accepted_by(&dm_key(n))
        .unwrap()
        .draft()
        .unwrap()
        .after(&genesis)
        .sign(&root)
        .unwrap();
        let wild =
            Operation::delegate(id, dm.id(), wild_key(n).public_key(), &[], 1 << 52, None, 3)
                .unwrap()
                .accepted_by(&wild_key(n))
                .unwrap()
                .draft()
                .unwrap()
                .after(&dm)
                .sign(&root)
                .unwrap();
        for op in [&genesis, &dm, &wild] {
            self.accounts.apply(op).unwrap();
        }
        id
    }
}

fn dm_key(n: u8) -> SecretKey {
    SecretKey::from_seed([n + 1; 32])
}

fn wild_key(n: u8) -> SecretKey {
    SecretKey::from_seed([n + 2; 32])
}

fn device(n: u8, onetime: usize) -> DeviceKeys {
    DeviceKeys::generate([n; 16], onetime, &mut TestRng::new(u64::from(n)))
}

fn bundle(keys: &DeviceKeys, account: AccountId, signer: &SecretKey) -> Prekey {
    Prekey::from_message(
        &keys
            .bundle(account, NOW - 1_000, NOW + 86_400_000)
            .unwrap()
            .sign(signer)
            .unwrap(),
    )
    .unwrap()
}

#[test]
fn every_device_of_both_sides_opens_its_copy() {
    let mut w = World::new();
    let (alice, bob) = (w.account(10), w.account(20));
    let mut alice_tablet = device(1, 0);
    let mut bob_phone = device(2, 3);
    let mut bob_laptop = device(3, 3);
    let bundles = [
        bundle(&alice_tablet, alice, &dm_key(10)),
        bundle(&bob_phone, bob, &dm_key(20)),
        bundle(&bob_laptop, bob, &dm_key(20)),
    ];
    for b in &bundles {
        b.authorize(&w.accounts).unwrap();
    }
    let inner = DmBody::new(&[bob], "to every device")
        .unwrap()
        .sign(alice, NOW, &dm_key(10))
        .unwrap();
    let mut rng = TestRng::new(7);
    let current = Prekey::current(&bundles, NOW);
    assert_eq!(current.len(), 3);
    let copies: Vec<_> = current
        .iter()
        .map(|b| seal(&inner, b, (!b.onetime().is_empty()).then_some(0), &mut rng).unwrap())
        .collect();
    let mut opened = 0;
    for copy in &copies {
        for (me, keys) in [
            (&bob, &mut bob_phone),
            (&bob, &mut bob_laptop),
            (&alice, &mut alice_tablet),
        ] {
            if let Ok(o) = open(
                copy.as_bytes(),
                me,
                core::slice::from_mut(keys),
                &w.accounts,
                NOW,
                |_| false,
            ) {
                assert_eq!(o.inner(), &inner);
                assert_eq!(o.device(), keys.device());
                opened += 1;
            }
        }
    }
    assert_eq!(opened, 3, "each copy opens on exactly its device");
    assert_eq!(
        (bob_phone.onetime_held(), bob_laptop.onetime_held()),
        (2, 2)
    );
}

#[test]
fn a_onetime_prekey_opens_once_and_a_failure_consumes_nothing() {
    let mut w = World::new();
    let (alice, bob) = (w.account(10), w.account(20));
    let mut keys = device(2, 2);
    let b = bundle(&keys, bob, &dm_key(20));
    let inner = DmBody::new(&[bob], "once")
        .unwrap()
        .sign(alice, NOW, &dm_key(10))
        .unwrap();
    let sealed = seal(&inner, &b, Some(1), &mut TestRng::new(1)).unwrap();
    // Refused for a later rule (replay): the slot stays.
    let err = open(
        sealed.as_bytes(),
        &bob,
        core::slice::from_mut(&mut keys),
        &w.accounts,
        NOW,
        |_| true,
    )
    .unwrap_err();
    assert_eq!(err, DmError::Replay);
    assert!(keys.onetime(1).is_some());
    let o = open(
        sealed.as_bytes(),
        &bob,
        core::slice::from_mut(&mut keys),
        &w.accounts,
        NOW,
        |_| false,
    )
    .unwrap();
    assert_eq!(o.onetime(), Some(1));
    assert!(keys.onetime(1).is_none() && keys.onetime(0).is_some());
    let err = open(
        sealed.as_bytes(),
        &bob,
        core::slice::from_mut(&mut keys),
        &w.accounts,
        NOW,
        |_| false,
    )
    .unwrap_err();
    assert_eq!(err, DmError::OnetimeConsumed);
}

#[test]
fn the_replay_window_bounds_the_seen_set() {
    let mut w = World::new();
    let (alice, bob) = (w.account(10), w.account(20));
    let mut keys = device(2, 0);
    let b = bundle(&keys, bob, &dm_key(20));
    let inner = DmBody::new(&[bob], "window")
        .unwrap()
        .sign(alice, NOW, &dm_key(10))
        .unwrap();
    let sealed = seal(&inner, &b, None, &mut TestRng::new(1)).unwrap();
    let at = |now: u64, keys: &mut DeviceKeys| {
        open(
            sealed.as_bytes(),
            &bob,
            core::slice::from_mut(keys),
            &w.accounts,
            now,
            |_| false,
        )
        .map(|_| ())
    };
    assert_eq!(at(NOW + REPLAY_WINDOW, &mut keys), Ok(()));
    assert_eq!(
        at(NOW + REPLAY_WINDOW + 1, &mut keys),
        Err(DmError::OutsideWindow)
    );
    assert_eq!(at(NOW - 600_000, &mut keys), Ok(()));
    assert_eq!(at(NOW - 600_001, &mut keys), Err(DmError::OutsideWindow));
}

#[test]
fn only_the_dm_scope_sends_and_publishes_prekeys() {
    let mut w = World::new();
    let (alice, bob) = (w.account(10), w.account(20));
    let mut keys = device(2, 0);
    // A wildcard app key's bundle is refused.
    let wild = bundle(&keys, bob, &wild_key(20));
    assert_eq!(
        wild.authorize(&w.accounts),
        Err(DmError::PrekeyUnauthorized(Some(AuthError::OutOfScope)))
    );
    let good = bundle(&keys, bob, &dm_key(20));
    good.authorize(&w.accounts).unwrap();
    // A wildcard app key's direct message is refused inside opening.
    for (key, cause) in [
        (wild_key(10), AuthError::OutOfScope),
        (SecretKey::from_seed([99; 32]), AuthError::NotDelegated),
        (SecretKey::from_seed([10; 32]), AuthError::RootKeyMessage),
    ] {
        let inner = DmBody::new(&[bob], "as Alice")
            .unwrap()
            .sign(alice, NOW, &key)
            .unwrap();
        let sealed = seal(&inner, &good, None, &mut TestRng::new(3)).unwrap();
        let err = open(
            sealed.as_bytes(),
            &bob,
            core::slice::from_mut(&mut keys),
            &w.accounts,
            NOW,
            |_| false,
        )
        .unwrap_err();
        assert_eq!(err, DmError::SenderUnauthorized(cause));
    }
    // A sender the opener's state does not know: undecided.
    let stranger = AccountId::from_bytes([0x77; 32]);
    let inner = DmBody::new(&[bob], "who?")
        .unwrap()
        .sign(stranger, NOW, &dm_key(10))
        .unwrap();
    let sealed = seal(&inner, &good, None, &mut TestRng::new(3)).unwrap();
    let err = open(
        sealed.as_bytes(),
        &bob,
        core::slice::from_mut(&mut keys),
        &w.accounts,
        NOW,
        |_| false,
    )
    .unwrap_err();
    assert_eq!(err, DmError::SenderUnknown);
}

#[test]
fn a_public_dm_is_refused_and_an_inner_message_is_not_an_envelope() {
    let key = wild_key(10);
    let draft = skylark::envelope::Draft::new(
        AccountId::from_bytes([1; 32]),
        Kind::new("dm").unwrap(),
        NOW,
        &skylark::cbor::Map::new(),
    )
    .unwrap();
    let public = draft.sign(&key).unwrap();
    let verdict = validate(public, &MemoryContext::new(NOW, Authorization::Authorized));
    assert!(
        matches!(verdict, Verdict::Invalid(e) if e.code() == "dm.not_public" && e.rule() == "DM-14")
    );
    let inner = DmBody::new(&[AccountId::from_bytes([2; 32])], "x")
        .unwrap()
        .sign(AccountId::from_bytes([1; 32]), NOW, &key)
        .unwrap();
    assert!(SignedMessage::from_bytes(inner.as_bytes()).is_err());
    assert_eq!(Inner::from_bytes(inner.as_bytes()).unwrap(), inner);
}

/// A tree of membership records: a creation record by account 10 (an admin with account 20), and
/// changes by either admin, each of a random earlier record (forks and chains of any shape).
#[test]
fn a_member_leaves_and_hands_out_a_token_through_sealed_copies() {
    let mut w = World::new();
    let (alice, bob, carol) = (w.account(10), w.account(20), w.account(30));
    let mut bob_keys = [device(2, 0)];
    let b = bundle(&bob_keys[0], bob, &dm_key(20));
    let mut groups = Groups::new();
    let mut deliver = |inner: &Inner, groups: &mut Groups| {
        let sealed = seal_deterministic(inner, &b, None, &[1; 32], &[2; 32]).unwrap();
        open_in_group(
            sealed.as_bytes(),
            &bob,
            &mut bob_keys,
            &w.accounts,
            groups,
            NOW,
            |_| false,
        )
        .map(|o| o.into_inner())
        .map_err(|e| e.code())
    };
    // Alice (the only admin) creates the group; Carol, a member, leaves without her.
    let created =
        GroupRecord::create(alice, &[alice, bob, carol], &[alice], NOW - 9, &dm_key(10)).unwrap();
    let welcome = DmBody::for_group(&created, "welcome")
        .sign(alice, NOW - 8, &dm_key(10))
        .unwrap();
    assert!(deliver(&welcome, &mut groups).is_ok());
    let left = created.leave(carol, NOW - 7, &dm_key(30)).unwrap();
    assert_eq!(
        left.members(),
        &{
            let mut m = [alice, bob];
            m.sort();
            m
        }[..]
    );
    let bye = DmBody::for_group(&left, "bye")
        .sign(carol, NOW - 6, &dm_key(30))
        .unwrap();
    assert!(deliver(&bye, &mut groups).is_ok());
    assert_eq!(groups.head(&created.group()), Some(&left));
    // Once Bob holds the leave, Carol cannot write with it.
    let again = DmBody::for_group(&left, "one more")
        .sign(carol, NOW - 5, &dm_key(30))
        .unwrap();
    assert_eq!(deliver(&again, &mut groups), Err("dm.group_members"));
    // Alice hands Bob a token inside a 1:1 message; it opens with the token in the body.
    let note = DmBody::new(&[bob], "my token")
        .unwrap()
        .with_token([9; 32])
        .sign(alice, NOW - 4, &dm_key(10))
        .unwrap();
    assert_eq!(
        deliver(&note, &mut groups).unwrap().body().token(),
        Some(&[9; 32])
    );
}

fn record_tree(w: &mut World, parents: &[usize]) -> Vec<GroupRecord> {
    let (a, b) = (w.account(10), w.account(20));
    let created = GroupRecord::create(a, &[a, b], &[a, b], NOW, &dm_key(10)).unwrap();
    let mut records = vec![created];
    for (i, &p) in parents.iter().enumerate() {
        let parent = records[p % records.len()].clone();
        let (author, key) = if i % 2 == 0 {
            (a, dm_key(10))
        } else {
            (b, dm_key(20))
        };
        let time = NOW + 1 + i as u64;
        records.push(parent.change(author, &[a, b], &[a, b], time, &key).unwrap());
    }
    records
}

/// Adds records in `order`, retrying the undecided ones (`dm.group_unknown`) until nothing
/// changes, as an opener that keeps undecided messages does. Records below a branch that lost
/// its fork before they arrived stay undecided for ever; they never matter to the head.
fn head_after(records: &[GroupRecord], order: &[usize], accounts: &Accounts) -> MessageId {
    let mut groups = Groups::new();
    let mut waiting: Vec<usize> = order.to_vec();
    loop {
        let before = waiting.len();
        waiting.retain(|&i| match groups.add(&records[i], accounts) {
            Err(DmError::GroupUnknown) => true,
            Ok(()) | Err(DmError::GroupStale) => false,
            Err(e) => panic!("{e:?}"),
        });
        if waiting.len() == before {
            break;
        }
    }
    groups.head(&records[0].group()).unwrap().id()
}

/// The spec's head: from the creation record, the child with the smallest id at every step.
fn spec_head(records: &[GroupRecord]) -> MessageId {
    let mut head = records[0].id();
    while let Some(next) = records
        .iter()
        .filter(|r| r.prev() == Some(head))
        .map(GroupRecord::id)
        .min()
    {
        head = next;
    }
    head
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// Seal then open gives the inner message back, for every recipient of an arbitrary set.
    #[test]
    fn seal_open_round_trip(
        recipients in proptest::collection::btree_set(1u8..=12, 1..=MAX_RECIPIENTS),
        text in prop_oneof![".{0,40}", (0usize..3000).prop_map(|n| "y".repeat(n))],
        seed in any::<u64>(),
    ) {
        let mut w = World::new();
        let alice = w.account(200);
        let people: Vec<(AccountId, DeviceKeys)> = recipients.iter()
            .map(|&n| (w.account(n * 3 + 20), device(n, 1))).collect();
        let to: Vec<AccountId> = people.iter().map(|(a, _)| *a).collect();
        let inner = DmBody::new(&to, &text).unwrap().sign(alice, NOW, &dm_key(200)).unwrap();
        let mut rng = TestRng::new(seed);
        for (n, (account, keys)) in recipients.iter().zip(people) {
            let b = bundle(&keys, account, &dm_key(n * 3 + 20));
            let copy = seal(&inner, &b, Some(0), &mut rng).unwrap();
            prop_assert!(BUCKETS.contains(&(copy.as_bytes().len() - HEADER_LEN - 16)));
            let mut keys = [keys];
            let o = open(copy.as_bytes(), &account, &mut keys, &w.accounts, NOW, |_| false).unwrap();
            prop_assert_eq!(o.inner(), &inner);
            prop_assert_eq!(o.inner().body().text(), text.as_str());
        }
    }

    /// Any single-byte change to a sealed message makes it fail to open, and uses nothing up.
    /// GEN-4 for groups: whatever the order records arrive in, every opener ends with the head
    /// the spec's rule gives for the set of records.
    #[test]
    fn the_group_head_is_the_same_in_every_order(
        parents in prop::collection::vec(0usize..16, 1..12),
        shuffle in any::<u64>(),
    ) {
        let mut w = World::new();
        let records = record_tree(&mut w, &parents);
        let mut order: Vec<usize> = (0..records.len()).collect();
        let mut rng = TestRng::new(shuffle);
        for i in (1..order.len()).rev() {
            order.swap(i, (rand_core::RngCore::next_u64(&mut rng) % (i as u64 + 1)) as usize);
        }
        let forward: Vec<usize> = (0..records.len()).collect();
        let expected = spec_head(&records);
        prop_assert_eq!(head_after(&records, &forward, &w.accounts), expected);
        prop_assert_eq!(head_after(&records, &order, &w.accounts), expected);
    }

    /// A relay's parse (`Sealed::from_bytes`, DM-1) and opening's first step agree on every
    /// length and first byte: what a relay files is what a device reads past step 1, with the same
    /// code when it is not.
    #[test]
    fn a_relay_parses_as_opening_begins(
        len in prop_oneof![0usize..80, (0usize..5).prop_flat_map(|i| {
            let n = HEADER_LEN + BUCKETS[i] + 16;
            (n - 2)..(n + 2)
        })],
        first in prop_oneof![Just(2u8), any::<u8>()],
    ) {
        let mut bytes = vec![0u8; len];
        if let Some(b) = bytes.first_mut() {
            *b = first;
        }
        let keys = &mut [device(1, 0)];
        let w = World::new();
        let me = AccountId::from_bytes([1; 32]);
        let opened = open(&bytes, &me, keys, &w.accounts, NOW, |_| false).map(|_| ()).map_err(|e| e.code());
        match Sealed::from_bytes(&bytes) {
            Ok(sealed) => {
                prop_assert_eq!(sealed.as_bytes(), &bytes[..]);
                prop_assert!(!matches!(opened, Err("dm.malformed" | "dm.unsupported_version")));
            }
            Err(e) => prop_assert_eq!(opened, Err(e.code())),
        }
    }

    #[test]
    fn any_byte_change_fails(index in any::<prop::sample::Index>(), delta in 1u8..=255) {
        let mut w = World::new();
        let (alice, bob) = (w.account(10), w.account(20));
        let keys = DeviceKeys::new([1; 16], EncryptionSecret::from_bytes([5; 32]), PqSecret::from_seed([5; 64]),
            vec![EncryptionSecret::from_bytes([6; 32])]);
        let b = bundle(&keys, bob, &dm_key(20));
        let inner = DmBody::new(&[bob], "tamper with me").unwrap().sign(alice, NOW, &dm_key(10)).unwrap();
        let mut bytes = seal_deterministic(&inner, &b, Some(0), &[9; 32], &[8; 32]).unwrap().into_bytes();
        let i = index.index(bytes.len());
        bytes[i] = bytes[i].wrapping_add(delta);
        let mut keys = [keys];
        prop_assert!(open(&bytes, &bob, &mut keys, &w.accounts, NOW, |_| false).is_err());
        prop_assert_eq!(keys[0].onetime_held(), 1);
    }
}

// ---------------------------------------------------------------------------------------------
// test-vectors/dm.json, written by the independent generator
// ---------------------------------------------------------------------------------------------

fn unhex(s: &serde_json::Value) -> Vec<u8> {
    hex::decode(s.as_str().unwrap()).unwrap()
}

fn arr<const N: usize>(s: &serde_json::Value) -> [u8; N] {
    unhex(s).try_into().unwrap()
}

fn state(v: &serde_json::Value) -> Accounts {
    let mut accounts = Accounts::new();
    for op in v["accounts"].as_array().unwrap() {
        accounts
            .apply(&SignedMessage::from_bytes(&unhex(op)).unwrap())
            .unwrap();
    }
    accounts
}

/// A bundle message carrying the vector's raw bundle values (seal vectors give the values, not a
/// message: sealing needs only them).
fn bundle_of(v: &serde_json::Value) -> Result<Prekey, DmError> {
    use skylark::cbor::{Map, Value};
    let mut map = Map::new();
    map.insert("device", Value::from(&[0u8; 16][..]));
    map.insert("key", Value::from(unhex(&v["recipient_key"])));
    map.insert("pq", Value::from(unhex(&v["pq_key"])));
    map.insert(
        "onetime",
        Value::Array(
            v["onetime_keys"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| Value::from(unhex(k)))
                .collect(),
        ),
    );
    map.insert("expires", Value::from(2u64));
    let msg = skylark::envelope::Draft::new(
        AccountId::from_bytes([0; 32]),
        Kind::new("prekey").unwrap(),
        1,
        &map,
    )
    .unwrap()
    .sign(&SecretKey::from_seed([0; 32]))
    .unwrap();
    Prekey::from_message(&msg)
}

/// The gate a vector gives as JSON.
fn gate_of(g: &serde_json::Value) -> Gate {
    let accept = match g["accept"].as_str().unwrap() {
        "all" => Accept::Everyone,
        "follows" => Accept::Follows,
        "none" => Accept::Nobody,
        other => panic!("accept {other}"),
    };
    let tokens: Vec<[u8; 32]> = g["tokens"].as_array().unwrap().iter().map(arr).collect();
    Gate::new(
        accept,
        u8::try_from(g["pow"].as_u64().unwrap()).unwrap(),
        &tokens,
    )
    .unwrap()
}

/// The group state of a vector: its `held` records, added in order (each must be accepted).
fn groups_of(held: &serde_json::Value, accounts: &Accounts) -> Groups {
    let mut groups = Groups::new();
    for r in held.as_array().unwrap() {
        let record = GroupRecord::from_bytes(&unhex(r)).unwrap();
        groups.add(&record, accounts).unwrap();
    }
    groups
}

/// The vector's `declarations` that pass DM-24 and DM-25 in its `accounts`.
fn declarations_of(v: &serde_json::Value) -> Vec<Declaration> {
    let accounts = state(v);
    v["declarations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| SignedMessage::from_bytes(&unhex(m)).unwrap())
        .filter_map(|m| Declaration::from_message(&m).ok())
        .filter(|d| d.authorize(&accounts).is_ok())
        .collect()
}

#[test]
fn vectors_dm_json() {
    let doc: serde_json::Value =
        serde_json::from_str(include_str!("../test-vectors/dm.json")).unwrap();
    assert_eq!(doc["suite"], "dm");
    let mut counts = [0usize; 12];
    for v in doc["vectors"].as_array().unwrap() {
        let id = v["id"].as_str().unwrap();
        let valid = v["valid"].as_bool().unwrap();
        let expected = v["error"].as_str();
        let got: Result<(), String> = match v["type"].as_str().unwrap() {
            "seal" => {
                counts[0] += 1;
                let slot = v["slot"].as_u64().map(|s| u16::try_from(s).unwrap());
                Inner::from_bytes(&unhex(&v["inner"]))
                    .and_then(|inner| {
                        let b = bundle_of(v)?;
                        let (e, m) = (arr(&v["ephemeral_secret"]), arr(&v["kem_message"]));
                        match v.get("bucket").and_then(serde_json::Value::as_u64) {
                            None => seal_deterministic(&inner, &b, slot, &e, &m),
                            Some(bucket) => seal_padded_deterministic(
                                &inner,
                                &b,
                                slot,
                                usize::try_from(bucket).unwrap(),
                                &e,
                                &m,
                            ),
                        }
                    })
                    .map(|sealed| {
                        assert_eq!(
                            sealed.as_bytes(),
                            unhex(&v["sealed"]).as_slice(),
                            "{id}: sealed bytes"
                        );
                        assert_eq!(
                            hex::encode(sealed.mailbox_tag()),
                            v["tag"].as_str().unwrap(),
                            "{id}"
                        );
                    })
                    .map_err(|e| e.code().to_string())
            }
            "open" => {
                counts[1] += 1;
                let mut keys: Vec<DeviceKeys> = v["keys"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|k| {
                        let slots = k["onetime"].as_array().unwrap();
                        let mut set = DeviceKeys::new(
                            arr(&k["device"]),
                            EncryptionSecret::from_bytes(arr(&k["signed"])),
                            PqSecret::from_seed(arr(&k["pq_seed"])),
                            slots
                                .iter()
                                .map(|s| {
                                    EncryptionSecret::from_bytes(if s.is_null() {
                                        [0; 32]
                                    } else {
                                        arr(s)
                                    })
                                })
                                .collect(),
                        );
                        for (i, s) in slots.iter().enumerate() {
                            if s.is_null() {
                                set.forget_onetime(u16::try_from(i).unwrap());
                            }
                        }
                        set
                    })
                    .collect();
                let seen: Vec<[u8; 32]> = v["seen"].as_array().unwrap().iter().map(arr).collect();
                let me = AccountId::from_bytes(arr(&v["opener"]));
                let accounts = state(v);
                let now = v["now"].as_u64().unwrap();
                let sealed = unhex(&v["sealed"]);
                let opened = match v.get("groups") {
                    None => open(&sealed, &me, &mut keys, &accounts, now, |m| {
                        seen.contains(m.as_bytes())
                    }),
                    Some(held) => {
                        let mut groups = groups_of(held, &accounts);
                        open_in_group(&sealed, &me, &mut keys, &accounts, &mut groups, now, |m| {
                            seen.contains(m.as_bytes())
                        })
                    }
                };
                match opened {
                    Ok(o) => {
                        assert_eq!(
                            hex::encode(o.inner().as_bytes()),
                            v["inner"].as_str().unwrap(),
                            "{id}"
                        );
                        assert_eq!(
                            hex::encode(o.inner().id().as_bytes()),
                            v["inner_id"].as_str().unwrap(),
                            "{id}"
                        );
                        assert_eq!(
                            hex::encode(o.device()),
                            v["device"].as_str().unwrap(),
                            "{id}"
                        );
                        assert_eq!(o.onetime().map(u64::from), v["onetime"].as_u64(), "{id}");
                        Ok(())
                    }
                    Err(e) => {
                        assert_eq!(e.rule(), v["rules"][0].as_str().unwrap(), "{id}: rule");
                        Err(e.code().to_string())
                    }
                }
            }
            "prekey" => {
                counts[2] += 1;
                let msg = SignedMessage::from_bytes(&unhex(&v["message"])).unwrap();
                Prekey::from_message(&msg)
                    .and_then(|p| p.authorize(&state(v)).map(|()| p))
                    .map(|p| {
                        assert_eq!(
                            hex::encode(p.device()),
                            v["device"].as_str().unwrap(),
                            "{id}"
                        );
                        let want = v.get("gate").map_or_else(Gate::open, gate_of);
                        assert_eq!(p.gate(), &want, "{id}: gate");
                    })
                    .map_err(|e| e.code().to_string())
            }
            "report_seal" => {
                counts[8] += 1;
                let inner = ReportInner::from_bytes(&unhex(&v["inner"])).unwrap();
                let key = ServiceKey::new(
                    EncryptionPublic::from_bytes(arr(&v["recipient_key"])),
                    PqPublic::from_slice(&unhex(&v["pq_key"])).unwrap(),
                    u64::MAX >> 11,
                );
                let (e, m) = (arr(&v["ephemeral_secret"]), arr(&v["kem_message"]));
                let sealed = seal_report_deterministic(&inner, &key, &e, &m).unwrap();
                assert_eq!(
                    hex::encode(sealed.as_bytes()),
                    v["sealed"].as_str().unwrap(),
                    "{id}"
                );
                Ok(())
            }
            "report_open" => {
                counts[9] += 1;
                let keys: Vec<DeviceKeys> = v["keys"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|k| {
                        DeviceKeys::new(
                            arr(&k["device"]),
                            EncryptionSecret::from_bytes(arr(&k["signed"])),
                            PqSecret::from_seed(arr(&k["pq_seed"])),
                            vec![],
                        )
                    })
                    .collect();
                let seen: Vec<[u8; 32]> = v["seen"].as_array().unwrap().iter().map(arr).collect();
                let me = AccountId::from_bytes(arr(&v["opener"]));
                let accounts = state(v);
                let declaration = Declaration::from_message(
                    &SignedMessage::from_bytes(&unhex(&v["declaration"])).unwrap(),
                )
                .unwrap();
                open_report(
                    &unhex(&v["sealed"]),
                    &me,
                    &keys,
                    &declaration,
                    &accounts,
                    v["now"].as_u64().unwrap(),
                    |m| seen.contains(m.as_bytes()),
                )
                .map(|inner| {
                    assert_eq!(
                        hex::encode(inner.as_bytes()),
                        v["inner"].as_str().unwrap(),
                        "{id}"
                    );
                    assert_eq!(
                        hex::encode(inner.id().as_bytes()),
                        v["report_id"].as_str().unwrap(),
                        "{id}"
                    );
                    assert_eq!(
                        hex::encode(inner.account().as_bytes()),
                        v["reporter"].as_str().unwrap(),
                        "{id}"
                    );
                })
                .map_err(|e| {
                    assert_eq!(e.rule(), v["rules"][0].as_str().unwrap(), "{id}: rule");
                    e.code().to_string()
                })
            }
            "service" => {
                counts[7] += 1;
                let msg = SignedMessage::from_bytes(&unhex(&v["message"])).unwrap();
                Declaration::from_message(&msg)
                    .and_then(|d| d.authorize(&state(v)).map(|()| d))
                    .map(|d| {
                        let texts = |field: &str| -> Vec<String> {
                            v[field]
                                .as_array()
                                .unwrap()
                                .iter()
                                .map(|x| x.as_str().unwrap().to_string())
                                .collect()
                        };
                        let reasons: Vec<String> =
                            d.reasons().iter().map(|r| r.as_str().into()).collect();
                        assert_eq!(reasons, texts("reasons"), "{id}: reasons");
                        let labels: Vec<String> =
                            d.labels().iter().map(|l| l.value().into()).collect();
                        assert_eq!(labels, texts("labels"), "{id}: labels");
                        let keys: Vec<String> = d
                            .keys()
                            .iter()
                            .map(|k| hex::encode(k.key().as_bytes()))
                            .collect();
                        assert_eq!(keys, texts("keys"), "{id}: keys");
                    })
                    .map_err(|e| {
                        assert_eq!(e.rule(), v["rules"][0].as_str().unwrap(), "{id}: rule");
                        e.code().to_string()
                    })
            }
            "choose" => {
                counts[11] += 1;
                let declarations = declarations_of(v);
                let got =
                    Declaration::choose(&declarations, v["now"].as_u64().unwrap()).map(|(d, k)| {
                        (
                            hex::encode(d.id().as_bytes()),
                            hex::encode(k.key().as_bytes()),
                        )
                    });
                let want = v["chosen"]
                    .as_str()
                    .map(|c| (c.to_string(), v["key"].as_str().unwrap().to_string()));
                assert_eq!(got, want, "{id}");
                Ok(())
            }
            "relay" => {
                counts[10] += 1;
                let declarations = declarations_of(v);
                let keys = Declaration::relay_keys(&declarations, v["now"].as_u64().unwrap());
                let sealed = Sealed::from_bytes(&unhex(&v["sealed"])).unwrap();
                Stamp::from_bytes(&unhex(&v["stamp"]))
                    .and_then(|stamp| match admit_item(&sealed, &stamp, &[], &keys) {
                        None => {
                            assert!(!v["filed"].as_bool().unwrap(), "{id}: no mailbox");
                            Ok(())
                        }
                        Some(result) => {
                            assert!(v["filed"].as_bool().unwrap() || result.is_err(), "{id}");
                            result
                        }
                    })
                    .map_err(|e| e.code().to_string())
            }
            "stamp" => {
                counts[5] += 1;
                let gate = gate_of(&v["gate"]);
                let sealed = unhex(&v["sealed"]);
                Stamp::from_bytes(&unhex(&v["stamp"]))
                    .and_then(|stamp| gate.relay_admits(&sealed, &stamp))
                    .map_err(|e| e.code().to_string())
            }
            "admit" => {
                counts[6] += 1;
                let gate = gate_of(&v["gate"]);
                let stamp = Stamp::from_bytes(&unhex(&v["stamp"])).unwrap();
                gate.admits(
                    &AccountId::from_bytes(arr(&v["me"])),
                    &AccountId::from_bytes(arr(&v["sender"])),
                    v["follows"].as_bool().unwrap(),
                    &unhex(&v["sealed"]),
                    &stamp,
                )
                .map_err(|e| e.code().to_string())
            }
            "group" => {
                counts[4] += 1;
                let accounts = state(v);
                let mut groups = groups_of(&v["held"], &accounts);
                let result = GroupRecord::from_bytes(&unhex(&v["record"]))
                    .and_then(|r| groups.add(&r, &accounts).map(|()| r));
                let group = result.as_ref().map(GroupRecord::group).ok().or_else(|| {
                    v["held"]
                        .as_array()
                        .unwrap()
                        .first()
                        .map(|r| GroupRecord::from_bytes(&unhex(r)).unwrap().group())
                });
                let head =
                    group.and_then(|g| groups.head(&g).map(|r| hex::encode(r.id().as_bytes())));
                assert_eq!(head.as_deref(), v["head"].as_str(), "{id}: head");
                result.map(|_| ()).map_err(|e| e.code().to_string())
            }
            "public" => {
                counts[3] += 1;
                match SignedMessage::from_bytes(&unhex(&v["message"])) {
                    Err(e) => Err(e.code().to_string()),
                    Ok(msg) => match validate(
                        msg,
                        &MemoryContext::new(u64::MAX >> 11, Authorization::Authorized),
                    ) {
                        Verdict::Invalid(e) => Err(e.code().to_string()),
                        other => panic!("{id}: {other:?}"),
                    },
                }
            }
            other => panic!("{id}: unknown type {other}"),
        };
        match (valid, got) {
            (true, Ok(())) => {}
            (false, Err(code)) => assert_eq!(Some(code.as_str()), expected, "{id}"),
            (want, got) => panic!("{id}: expected valid={want} {expected:?}, got {got:?}"),
        }
    }
    assert!(counts.iter().all(|&n| n > 0), "{counts:?}");
}
