use alloc::vec::Vec;

use super::session::fanout_for_tests as fanout;
use super::*;
use crate::id::MessageId;

fn item(time: u64, seed: u64) -> Item {
    let mut id = [0u8; 32];
    id.copy_from_slice(&blake3::hash(&seed.to_le_bytes()).as_bytes()[..]);
    Item::new(time, MessageId::from_bytes(id))
}

struct Outcome {
    have: Vec<MessageId>,
    need: Vec<MessageId>,
    rounds: usize,
    max_frame: usize,
}

fn run(a: &Set, b: &Set, salt: [u8; 16]) -> Outcome {
    let mut initiator = Initiator::new(a, salt);
    let mut responder = Responder::new(b);
    let mut frame = initiator.open();
    let mut max_frame = frame.len();
    for _ in 0..10_000 {
        let reply = responder.respond(&frame).unwrap();
        max_frame = max_frame.max(reply.len());
        match initiator.receive(&reply).unwrap() {
            Some(next) => {
                max_frame = max_frame.max(next.len());
                frame = next;
            }
            None => {
                return Outcome {
                    have: initiator.have(),
                    need: initiator.need(),
                    rounds: initiator.rounds(),
                    max_frame,
                }
            }
        }
    }
    unreachable!("the session did not end");
}

fn difference(x: &Set, y: &Set) -> Vec<MessageId> {
    let mut ids: Vec<MessageId> = x
        .items()
        .iter()
        .filter(|i| y.items().binary_search(i).is_err())
        .map(|i| *i.id())
        .collect();
    ids.sort();
    ids
}

#[test]
fn fanout_reaches_leaves_in_the_fewest_levels() {
    assert_eq!(fanout(65), 2);
    assert_eq!(fanout(64 * 32), 32);
    assert_eq!(fanout(64 * 32 + 1), 6); // two levels: 6² · 64 = 2304 ≥ 2049
    assert_eq!(fanout(1_000_000), 25); // three levels: 25³ · 64 = 1 000 000
    assert_eq!(fanout(usize::MAX), 29); // twelve levels
}

#[test]
fn identical_sets_end_after_one_round() {
    let set = Set::new((0..5000).map(|i| item(i / 3, i))).unwrap();
    let o = run(&set, &set, [1; 16]);
    assert_eq!(o.rounds, 1);
    assert!(o.have.is_empty() && o.need.is_empty());
}

#[test]
fn one_side_empty() {
    let full = Set::new((0..3000).map(|i| item(i, i))).unwrap();
    let empty = Set::default();
    let o = run(&empty, &full, [2; 16]);
    assert_eq!(o.need, difference(&full, &empty));
    assert!(o.have.is_empty());
    let o = run(&full, &empty, [2; 16]);
    assert_eq!(o.have, difference(&full, &empty));
    assert!(o.need.is_empty());
}

#[test]
fn large_differences_respect_the_frame_limit() {
    // 20 000 items each side, 10 000 in common: many frames are cut at the limit.
    let a = Set::new((0..20_000).map(|i| item(i % 500, i))).unwrap();
    let b = Set::new((10_000..30_000).map(|i| item(i % 500, i))).unwrap();
    let o = run(&a, &b, [3; 16]);
    assert_eq!(o.have, difference(&a, &b));
    assert_eq!(o.need, difference(&b, &a));
    assert!(o.max_frame <= FRAME_LIMIT);
}

#[test]
fn rounds_grow_with_log_n() {
    // One item differs; rounds must grow by at most one per 32-fold growth of the set.
    let mut last = 0;
    for n in [100u64, 3_200, 102_400] {
        let a = Set::new((0..n).map(|i| item(i, i))).unwrap();
        let b = Set::new((0..n).filter(|i| *i != n / 2).map(|i| item(i, i))).unwrap();
        let o = run(&a, &b, [4; 16]);
        assert_eq!(o.have.len(), 1);
        assert!(
            o.rounds <= last + 1 || last == 0,
            "n = {n}: {} rounds after {last}",
            o.rounds
        );
        assert!(o.rounds <= 5);
        last = o.rounds;
    }
}

#[test]
fn equal_times_split_by_id_prefix() {
    // Every item at the same millisecond: bounds are id prefixes.
    let a = Set::new((0..2000).map(|i| item(7, i))).unwrap();
    let b = Set::new((5..2100).map(|i| item(7, i))).unwrap();
    let o = run(&a, &b, [5; 16]);
    assert_eq!(o.have, difference(&a, &b));
    assert_eq!(o.need, difference(&b, &a));
}

#[test]
fn the_fingerprint_depends_on_the_salt_and_the_set() {
    let a = Set::new([item(1, 1), item(2, 2)]).unwrap();
    let b = Set::new([item(1, 1), item(2, 3)]).unwrap();
    assert_ne!(set_fingerprint(&a, &[0; 16]), set_fingerprint(&b, &[0; 16]));
    assert_ne!(set_fingerprint(&a, &[0; 16]), set_fingerprint(&a, &[1; 16]));
    // Order-independent: a sum.
    let c = Set::new([item(2, 2), item(1, 1)]).unwrap();
    assert_eq!(set_fingerprint(&a, &[0; 16]), set_fingerprint(&c, &[0; 16]));
}

#[test]
fn a_sum_collision_of_raw_ids_is_no_collision_here() {
    // Four ids with x0 + x1 = x2 + x3 (mod 2^256): negentropy's fingerprint (a sum of the ids) of
    // {x0, x1} equals that of {x2, x3}. Here the ids are hashed under the session key first.
    let id = |v: u8, carry: bool| {
        let mut b = [0u8; 32];
        b[0] = v;
        b[31] = u8::from(carry);
        MessageId::from_bytes(b)
    };
    let x = [id(1, false), id(4, false), id(2, false), id(3, false)];
    let a = Set::new([Item::new(1, x[0]), Item::new(1, x[1])]).unwrap();
    let b = Set::new([Item::new(1, x[2]), Item::new(1, x[3])]).unwrap();
    assert_ne!(set_fingerprint(&a, &[0; 16]), set_fingerprint(&b, &[0; 16]));
    let o = run(&a, &b, [0; 16]);
    assert_eq!(o.have.len(), 2);
    assert_eq!(o.need.len(), 2);
}

fn salted(ranges: &[u8]) -> Vec<u8> {
    let mut f = alloc::vec![0x83, 0x01, 0x50];
    f.extend_from_slice(&[0; 16]);
    f.extend_from_slice(ranges);
    f
}

#[test]
fn hostile_frames_are_rejected_with_codes() {
    let set = Set::new((0..10).map(|i| item(i, i))).unwrap();
    let cases: &[(&[u8], &str)] = &[
        // a 3-field range with mode 1 (no payload)
        (&[0x81, 0x83, 0x00, 0x40, 0x01], "sync.range_shape"),
        // mode 5
        (&[0x81, 0x84, 0x00, 0x40, 0x05, 0x40], "sync.range_shape"),
        // infinity with a prefix
        (&[0x81, 0x83, 0x00, 0x41, 0x01, 0x00], "sync.bound_prefix"),
        // a prefix ending in zero
        (
            &[
                0x81, 0x84, 0x02, 0x41, 0x00, 0x01, 0x50, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0,
            ],
            "sync.bound_prefix",
        ),
        // the lowest bound as an upper bound
        (&[0x81, 0x84, 0x01, 0x40, 0x02, 0x40], "sync.bound_order"),
        // a trailing skip
        (&[0x81, 0x83, 0x00, 0x40, 0x00], "sync.skip"),
        // a 15-byte fingerprint
        (
            &[
                0x81, 0x84, 0x00, 0x40, 0x01, 0x4f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            ],
            "sync.payload",
        ),
        // ids sent to the responder
        (&[0x81, 0x84, 0x00, 0x40, 0x04, 0x40], "sync.mode"),
        // a resolve whose bitmap does not cover the responder's 10 items
        (
            &[0x81, 0x85, 0x00, 0x40, 0x03, 0x41, 0x00, 0x40],
            "sync.bitmap",
        ),
    ];
    for (ranges, code) in cases {
        let frame = salted(ranges);
        let err = Responder::new(&set).respond(&frame).unwrap_err();
        assert_eq!(err.code(), *code, "{ranges:02x?}");
    }
    for whole in [&[0x80][..], &[0x83, 0x02, 0x40, 0x80], &[0x83, 0x01, 0x50]] {
        let err = Responder::new(&set).respond(whole).unwrap_err();
        assert!(
            matches!(err.code(), "sync.frame_shape" | "cbor.truncated"),
            "{whole:02x?}"
        );
    }
    let mut version = salted(&[0x80]);
    version[1] = 0x02;
    assert_eq!(
        Responder::new(&set).respond(&version).unwrap_err().code(),
        "sync.version"
    );
}

#[test]
fn the_initiator_rejects_another_salt_and_frames_after_the_end() {
    let set = Set::default();
    let mut initiator = Initiator::new(&set, [1; 16]);
    assert_eq!(
        initiator.receive(&salted(&[0x80])).unwrap_err(),
        SyncError::Salt
    );
    let mut good = salted(&[0x80]);
    good[3..19].copy_from_slice(&[1; 16]);
    assert_eq!(initiator.receive(&good).unwrap(), None);
    // After the end, nothing is read any more.
    assert_eq!(initiator.receive(&[0xff]).unwrap(), None);
}

#[test]
fn a_lying_responder_cannot_stall_the_session_beyond_its_own_frames() {
    // A responder that answers every frame with one mismatched fingerprint over everything: the
    // initiator answers with a split, never with a frame over the limit, and the caller's round
    // limit ends it.
    let set = Set::new((0..5000).map(|i| item(i, i))).unwrap();
    let mut initiator = Initiator::new(&set, [0; 16]);
    let _ = initiator.open();
    let lie = salted(&[
        0x81, 0x84, 0x00, 0x40, 0x01, 0x50, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
    ]);
    for _ in 0..100 {
        let next = initiator.receive(&lie).unwrap().unwrap();
        assert!(next.len() <= FRAME_LIMIT);
    }
    assert!(initiator.have().is_empty() && initiator.need().is_empty());
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn any_two_sets_reach_the_union(
            common in 0u64..600,
            only_a in 0u64..300,
            only_b in 0u64..300,
            spread in 1u64..50,
            salt in any::<[u8; 16]>(),
        ) {
            let a = Set::new((0..common + only_a).map(|i| item(i / spread, i))).unwrap();
            let b = Set::new(
                (0..common).chain(10_000..10_000 + only_b).map(|i| item(i / spread, i)),
            ).unwrap();
            let o = run(&a, &b, salt);
            prop_assert_eq!(o.have, difference(&a, &b));
            prop_assert_eq!(o.need, difference(&b, &a));
        }

        #[test]
        fn hostile_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let set = Set::new((0..100).map(|i| item(i, i))).unwrap();
            let _ = Responder::new(&set).respond(&bytes);
            let _ = Initiator::new(&set, [0; 16]).receive(&bytes);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Per-account heads (SYNC-10, SYNC-11)

fn mid(seed: u64) -> MessageId {
    item(0, seed).id
}

fn key(b: u16) -> [u8; 32] {
    let mut k = [0u8; 32];
    k[..2].copy_from_slice(&b.to_be_bytes());
    k
}

#[test]
fn heads_follow_the_highest_seq_and_least_id_per_key() {
    let acct = crate::id::AccountId::from_bytes([1; 32]);
    let (a, b) = (mid(1), mid(2));
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    // Key 5 equivocated at seq 2 (two messages); key 3 holds seq 1 and 4, missing 2 and 3.
    let h = AccountHeads::new(
        acct,
        [
            (key(5), 2, hi),
            (key(5), 1, mid(3)),
            (key(5), 2, lo),
            (key(3), 4, mid(4)),
            (key(3), 1, mid(5)),
            (key(3), 1, mid(5)),
        ],
    )
    .unwrap();
    assert_eq!(h.count(), 5);
    let got: Vec<_> = h
        .keys()
        .iter()
        .map(|k| (k.key()[1], k.seq(), *k.id(), k.count()))
        .collect();
    assert_eq!(got, [(3, 4, mid(4), 2), (5, 2, lo, 3)]);
}

#[test]
fn account_digest_is_the_set_of_ids_whatever_the_order() {
    let acct = crate::id::AccountId::from_bytes([1; 32]);
    let entries: Vec<_> = (1..40u64)
        .map(|i| (key((i % 3) as u16), i, mid(i)))
        .collect();
    let a = AccountHeads::new(acct, entries.iter().copied()).unwrap();
    let b = AccountHeads::new(acct, entries.iter().rev().copied()).unwrap();
    assert_eq!(a.digest(), b.digest());
    // Same heads and counts, a different message missing: the heads agree, the digests do not.
    let c = AccountHeads::new(acct, entries.iter().copied().filter(|e| e.1 != 4)).unwrap();
    let d = AccountHeads::new(acct, entries.iter().copied().filter(|e| e.1 != 7)).unwrap();
    assert_eq!(c.keys(), d.keys());
    assert_ne!(c.digest(), d.digest());
    assert_ne!(a.digest(), c.digest());
}

#[test]
fn wants_ask_after_the_local_seq() {
    let acct = crate::id::AccountId::from_bytes([1; 32]);
    let mine = AccountHeads::new(acct, [(key(1), 3, mid(1)), (key(2), 5, mid(2))]).unwrap();
    let theirs = AccountHeads::new(
        acct,
        [
            (key(1), 7, mid(3)),
            (key(2), 4, mid(4)),
            (key(9), 1, mid(5)),
        ],
    )
    .unwrap();
    let asks: Vec<_> = wants(mine.keys(), theirs.keys())
        .iter()
        .map(|w| (w.key()[1], w.after()))
        .collect();
    assert_eq!(asks, [(1, 3), (9, 0)]);
    let back: Vec<_> = wants(theirs.keys(), mine.keys())
        .iter()
        .map(|w| (w.key()[1], w.after()))
        .collect();
    assert_eq!(back, [(2, 4)]);
}

#[test]
fn heads_pages_round_trip_and_cover_every_key() {
    let acct = crate::id::AccountId::from_bytes([1; 32]);
    let n = 2 * HEADS_PAGE as u16 + 7;
    let h = AccountHeads::new(
        acct,
        (0..n).map(|i| (key(i), 1 + u64::from(i), mid(u64::from(i)))),
    )
    .unwrap();
    let mut after: Option<[u8; 32]> = None;
    let mut seen = Vec::new();
    loop {
        let bytes = h.page(after.as_ref());
        assert!(bytes.len() <= FRAME_LIMIT);
        let page = HeadsPage::decode(&bytes, &acct, after.as_ref()).unwrap();
        assert_eq!((page.digest(), page.count()), (h.digest(), h.count()));
        seen.extend_from_slice(page.keys());
        match page.keys().last() {
            Some(last) if page.keys().len() == HEADS_PAGE => after = Some(*last.key()),
            _ => break,
        }
    }
    assert_eq!(seen, h.keys());
    // A page that does not start above `after` is refused.
    let first = h.page(None);
    let err = HeadsPage::decode(&first, &acct, Some(&key(0))).unwrap_err();
    assert_eq!(err, SyncError::HeadsOrder { index: 0 });
}

#[test]
fn heads_pages_reject_each_defect() {
    use crate::cbor::Value as V;
    let acct = crate::id::AccountId::from_bytes([1; 32]);
    let kh = |k: u8, seq: u64, n: u64| {
        V::Array(alloc::vec![
            V::Bytes(alloc::vec![k; 32]),
            V::Unsigned(seq),
            V::Bytes(alloc::vec![0; 32]),
            V::Unsigned(n)
        ])
    };
    let page = |v: u64, a: u8, count: u64, keys: Vec<V>| {
        V::Array(alloc::vec![
            V::Unsigned(v),
            V::Bytes(alloc::vec![a; 32]),
            V::Bytes(alloc::vec![0; 32]),
            V::Unsigned(count),
            V::Array(keys),
        ])
        .to_bytes()
    };
    let code = |b: &[u8]| {
        HeadsPage::decode(b, &acct, None)
            .map(|_| ())
            .unwrap_err()
            .code()
    };
    assert!(HeadsPage::decode(
        &page(1, 1, 2, alloc::vec![kh(1, 1, 1), kh(2, 1, 1)]),
        &acct,
        None
    )
    .is_ok());
    assert_eq!(code(&page(2, 1, 0, alloc::vec![])), "sync.heads_version");
    assert_eq!(code(&page(1, 2, 0, alloc::vec![])), "sync.heads_account");
    assert_eq!(
        code(&page(1, 1, 2, alloc::vec![kh(2, 1, 1), kh(1, 1, 1)])),
        "sync.heads_order"
    );
    assert_eq!(
        code(&page(1, 1, 2, alloc::vec![kh(1, 1, 1), kh(1, 1, 1)])),
        "sync.heads_order"
    );
    assert_eq!(
        code(&page(1, 1, 1, alloc::vec![kh(1, 0, 1)])),
        "sync.heads_value"
    );
    assert_eq!(
        code(&page(1, 1, 1, alloc::vec![kh(1, 1 << 53, 1)])),
        "sync.heads_value"
    );
    assert_eq!(
        code(&page(1, 1, 1, alloc::vec![kh(1, 1, 0)])),
        "sync.heads_value"
    );
    assert_eq!(
        code(&page(1, 1, 1, alloc::vec![kh(1, 1, 1), kh(2, 1, 1)])),
        "sync.heads_value"
    );
    assert_eq!(
        code(&page(1, 1, 1, alloc::vec![V::Unsigned(1)])),
        "sync.heads_shape"
    );
    let many: Vec<V> = (0..=HEADS_PAGE)
        .map(|i| {
            let mut k = alloc::vec![0u8; 32];
            k[..2].copy_from_slice(&(i as u16).to_be_bytes());
            V::Array(alloc::vec![
                V::Bytes(k),
                V::Unsigned(1),
                V::Bytes(alloc::vec![0; 32]),
                V::Unsigned(1)
            ])
        })
        .collect();
    assert_eq!(code(&page(1, 1, 10_000, many)), "sync.heads_value");
}

#[test]
fn a_full_frame_defers_the_ranges_it_cannot_answer_then_closes() {
    // SYNC-9: 28 empty tags ranges over 64 items each, then 500 over one item each. The answers
    // (resolves of 64 ids, 2 057 bytes each) pass 57 144 bytes at the 28th range; from there each
    // range is deferred as the responder's fingerprint over its bounds (about 21 bytes), until
    // 65 336 bytes: the rest is closed with one fingerprint to infinity.
    let set = Set::new((1..=28 * 64 + 500).map(|t| item(t, t))).unwrap();
    let mut ranges = alloc::vec![0x99, 0x02, 0x10]; // 528 ranges
    for k in 0..528u16 {
        // [t, h'', 2, h'']: bound times 65, 129, …, 1 793, then one further per range.
        match k {
            0 => ranges.extend_from_slice(&[0x84, 0x18, 66, 0x40, 0x02, 0x40]),
            1..=27 => ranges.extend_from_slice(&[0x84, 0x18, 65, 0x40, 0x02, 0x40]),
            _ => ranges.extend_from_slice(&[0x84, 0x02, 0x40, 0x02, 0x40]),
        }
    }
    let mut responder = Responder::new(&set);
    let reply = responder.respond(&salted(&ranges)).unwrap();
    assert!(reply.len() <= FRAME_LIMIT);
    let parsed = frame::parse(&reply).unwrap();
    let modes: Vec<u64> = parsed
        .ranges
        .iter()
        .map(|r| r.payload.mode_for_tests())
        .collect();
    assert!(modes[..27].iter().all(|m| *m == 3), "27 answers");
    assert!(modes[27..].iter().all(|m| *m == 1), "then deferrals");
    let deferred = modes.len() - 27 - 1;
    assert!(deferred > 300 && deferred < 500, "{deferred} deferrals");
    assert!(parsed.ranges.last().unwrap().upper == frame::Bound::INFINITY);
    assert!(parsed.ranges[modes.len() - 2].upper != frame::Bound::INFINITY);
    // Only the answered ranges taught it anything.
    assert_eq!(responder.have().len(), 27 * 64);
}
