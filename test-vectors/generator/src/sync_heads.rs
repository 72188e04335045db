//! The per-account part of `sync.json` (spec 09 §9, SYNC-10 and SYNC-11), written from the spec:
//! key heads and account digests computed with a plain map over (key, seq, id), heads pages built
//! as CBOR values, and one defective page per code of SYNC-11.

use std::collections::BTreeMap;

use crate::cbor::{encode, Value};
use crate::util::{hex, vector, J};

const DIGEST_CONTEXT: &str = "skylark 2026-12-05 account digest";
const ID_CONTEXT: &str = "skylark test vectors v1 sync message";
const PAGE: usize = 512;

/// A message as the heads see it: account, key, seq, id.
type Msg = ([u8; 32], [u8; 32], u64, [u8; 32]);

fn acct(b: u8) -> [u8; 32] {
    [b; 32]
}

fn key(b: u8) -> [u8; 32] {
    let mut k = [0x40; 32];
    k[0] = b;
    k
}

fn id(seed: u64) -> [u8; 32] {
    blake3::derive_key(ID_CONTEXT, &seed.to_be_bytes())
}

/// (key, seq, id, count) per key of `account`, ascending by key; the count of messages; the digest.
#[allow(clippy::type_complexity)]
fn heads(account: &[u8; 32], msgs: &[Msg]) -> (Vec<([u8; 32], u64, [u8; 32], u64)>, u64, [u8; 32]) {
    let mut of_account: Vec<&Msg> = msgs.iter().filter(|m| &m.0 == account).collect();
    of_account.sort();
    of_account.dedup();
    let mut per_key: BTreeMap<[u8; 32], ([u8; 32], u64, [u8; 32], u64)> = BTreeMap::new();
    for m in &of_account {
        let e = per_key.entry(m.1).or_insert((m.1, m.2, m.3, 0));
        e.3 += 1;
        if m.2 > e.1 || (m.2 == e.1 && m.3 < e.2) {
            e.1 = m.2;
            e.2 = m.3;
        }
    }
    let mut ids: Vec<[u8; 32]> = of_account.iter().map(|m| m.3).collect();
    ids.sort();
    let mut input = account.to_vec();
    input.extend_from_slice(&(ids.len() as u64).to_be_bytes());
    for i in &ids {
        input.extend_from_slice(i);
    }
    let digest = *blake3::Hasher::new_derive_key(DIGEST_CONTEXT)
        .update(&input)
        .finalize()
        .as_bytes();
    (per_key.into_values().collect(), ids.len() as u64, digest)
}

fn key_head(k: &[u8; 32], seq: u64, id: &[u8; 32], count: u64) -> Value {
    Value::A(vec![
        Value::B(k.to_vec()),
        Value::U(seq),
        Value::B(id.to_vec()),
        Value::U(count),
    ])
}

fn page(
    version: u64,
    account: &[u8; 32],
    digest: &[u8; 32],
    count: u64,
    keys: Vec<Value>,
) -> Vec<u8> {
    encode(&Value::A(vec![
        Value::U(version),
        Value::B(account.to_vec()),
        Value::B(digest.to_vec()),
        Value::U(count),
        Value::A(keys),
    ]))
}

fn msgs_json(msgs: &[Msg]) -> J {
    J::A(
        msgs.iter()
            .map(|m| {
                J::A(vec![
                    J::S(hex(&m.0)),
                    J::S(hex(&m.1)),
                    J::U(m.2),
                    J::S(hex(&m.3)),
                ])
            })
            .collect(),
    )
}

fn after_json(after: Option<&[u8; 32]>) -> J {
    J::S(after.map_or_else(String::new, |a| hex(a)))
}

/// A valid case: the account's key heads, count, digest and the page above `after`.
fn heads_vector(
    id: &str,
    description: &str,
    account: &[u8; 32],
    msgs: &[Msg],
    after: Option<&[u8; 32]>,
) -> J {
    let (keys, count, digest) = heads(account, msgs);
    let above: Vec<_> = keys
        .iter()
        .filter(|k| after.is_none_or(|a| &k.0 > a))
        .take(PAGE)
        .map(|k| key_head(&k.0, k.1, &k.2, k.3))
        .collect();
    vector(
        id,
        description,
        &["SYNC-10", "SYNC-11"],
        None,
        vec![
            ("type", "heads".into()),
            ("account", J::S(hex(account))),
            ("messages", msgs_json(msgs)),
            (
                "keys",
                J::A(
                    keys.iter()
                        .map(|k| J::A(vec![J::S(hex(&k.0)), J::U(k.1), J::S(hex(&k.2)), J::U(k.3)]))
                        .collect(),
                ),
            ),
            ("count", J::U(count)),
            ("digest", J::S(hex(&digest))),
            ("after", after_json(after)),
            ("page", J::S(hex(&page(1, account, &digest, count, above)))),
        ],
    )
}

pub fn vectors() -> Vec<J> {
    let a = acct(0xa1);
    let b = acct(0xb2);
    let (k1, k2, k3) = (key(1), key(2), key(3));
    let mut out = vec![];

    let two_keys: Vec<Msg> = vec![
        (a, k2, 1, id(1)),
        (a, k1, 1, id(2)),
        (a, k1, 2, id(3)),
        (a, k2, 2, id(4)),
        (a, k2, 3, id(5)),
        (b, k3, 1, id(6)),
        (a, k1, 1, id(2)),
    ];
    // An equivocation at the highest seq: the head names the lesser id.
    let (e1, e2) = (id(11), id(12));
    let equivocation: Vec<Msg> = vec![(a, k1, 1, id(10)), (a, k1, 2, e1), (a, k1, 2, e2)];
    // Two holders with the same heads and counts, missing a different message below the head.
    let full: Vec<Msg> = (1..=4).map(|s| (a, k1, s, id(20 + s))).collect();
    let gap_a: Vec<Msg> = full.iter().copied().filter(|m| m.2 != 2).collect();
    let gap_b: Vec<Msg> = full.iter().copied().filter(|m| m.2 != 3).collect();
    for (vid, desc, msgs, after) in [
        ("heads-empty", "an account of which nothing is held: no key heads, count 0", vec![], None),
        (
            "heads-two-keys",
            "two keys of the account (one message given twice counts once) and a message of another account, which is left out",
            two_keys.clone(),
            None,
        ),
        ("heads-after", "the page above the first key holds the second key's head only", two_keys, Some(&k1)),
        (
            "heads-equivocation",
            "two messages of one key at its highest seq: the head names the lesser id, the count is 3",
            equivocation,
            None,
        ),
        (
            "threat-heads-gap-a",
            "a holder missing seq 2 of 4: its key head equals threat-heads-gap-b's, its digest does not",
            gap_a,
            None,
        ),
        (
            "threat-heads-gap-b",
            "a holder missing seq 3 of 4: its key head equals threat-heads-gap-a's, its digest does not",
            gap_b,
            None,
        ),
    ] {
        out.push(heads_vector(vid, desc, &a, &msgs, after));
    }

    // Defective pages, each received in answer to a request for account `a` (above `after`).
    let d = [7u8; 32];
    let ok = |k: u8| key_head(&key(k), 1, &id(1), 1);
    let shape = |v: Value| encode(&v);
    let many: Vec<Value> = (0..=PAGE as u32)
        .map(|i| {
            let mut k = [0u8; 32];
            k[..4].copy_from_slice(&i.to_be_bytes());
            k[31] = 1;
            key_head(&k, 1, &id(1), 1)
        })
        .collect();
    type Bad<'a> = (&'a str, &'a str, Option<[u8; 32]>, Vec<u8>, &'a str);
    let bad: Vec<Bad> = vec![
        (
            "heads-page-non-canonical",
            "a count in a non-minimal head (0x18 0x01): not Skylark CBOR",
            None,
            {
                let mut p = vec![0x85, 0x01, 0x58, 0x20];
                p.extend_from_slice(&a);
                p.extend_from_slice(&[0x58, 0x20]);
                p.extend_from_slice(&d);
                p.extend_from_slice(&[0x18, 0x01, 0x80]);
                p
            },
            "cbor.non_minimal_integer",
        ),
        (
            "heads-page-not-array",
            "a map, not an array",
            None,
            shape(Value::M(vec![])),
            "sync.heads_shape",
        ),
        (
            "heads-page-four-items",
            "the key heads missing",
            None,
            shape(Value::A(vec![
                Value::U(1),
                Value::B(a.to_vec()),
                Value::B(d.to_vec()),
                Value::U(0),
            ])),
            "sync.heads_shape",
        ),
        (
            "heads-page-short-digest",
            "a 31-byte digest",
            None,
            shape(Value::A(vec![
                Value::U(1),
                Value::B(a.to_vec()),
                Value::B(vec![7; 31]),
                Value::U(0),
                Value::A(vec![]),
            ])),
            "sync.heads_shape",
        ),
        (
            "heads-page-key-head-shape",
            "a key head of three items",
            None,
            page(
                1,
                &a,
                &d,
                1,
                vec![Value::A(vec![
                    Value::B(key(1).to_vec()),
                    Value::U(1),
                    Value::B(id(1).to_vec()),
                ])],
            ),
            "sync.heads_shape",
        ),
        (
            "heads-page-shape-before-version",
            "version 2 and a short key: the shape is checked first",
            None,
            page(
                2,
                &a,
                &d,
                1,
                vec![Value::A(vec![
                    Value::B(vec![1; 31]),
                    Value::U(1),
                    Value::B(id(1).to_vec()),
                    Value::U(1),
                ])],
            ),
            "sync.heads_shape",
        ),
        (
            "heads-page-version",
            "version 2",
            None,
            page(2, &a, &d, 0, vec![]),
            "sync.heads_version",
        ),
        (
            "threat-heads-other-account",
            "a page for another account than the one asked for: nothing of it is used",
            None,
            page(1, &b, &d, 1, vec![ok(1)]),
            "sync.heads_account",
        ),
        (
            "threat-heads-descending",
            "keys out of order",
            None,
            page(1, &a, &d, 2, vec![ok(2), ok(1)]),
            "sync.heads_order",
        ),
        (
            "threat-heads-repeated-key",
            "a key twice (a peer that repeats keys could make a pager ask forever)",
            None,
            page(1, &a, &d, 2, vec![ok(1), ok(1)]),
            "sync.heads_order",
        ),
        (
            "threat-heads-not-above-after",
            "a page asked above key 2 that starts at key 2 again: paging always advances",
            Some(key(2)),
            page(1, &a, &d, 2, vec![ok(2), ok(3)]),
            "sync.heads_order",
        ),
        (
            "heads-page-seq-zero",
            "a key head at seq 0",
            None,
            page(1, &a, &d, 1, vec![key_head(&key(1), 0, &id(1), 1)]),
            "sync.heads_value",
        ),
        (
            "heads-page-seq-too-large",
            "a key head at seq 2^53",
            None,
            page(1, &a, &d, 1, vec![key_head(&key(1), 1 << 53, &id(1), 1)]),
            "sync.heads_value",
        ),
        (
            "heads-page-count-zero",
            "a key head with count 0",
            None,
            page(1, &a, &d, 1, vec![key_head(&key(1), 1, &id(1), 0)]),
            "sync.heads_value",
        ),
        (
            "heads-page-counts-exceed",
            "key head counts adding up to 2 on a page whose count is 1",
            None,
            page(1, &a, &d, 1, vec![ok(1), ok(2)]),
            "sync.heads_value",
        ),
        (
            "threat-heads-over-page",
            "513 key heads in one page (over the 512 a page may hold)",
            None,
            page(1, &a, &d, 10_000, many),
            "sync.heads_value",
        ),
    ];
    for (vid, desc, after, bytes, code) in bad {
        let rule = if code.starts_with("cbor.") {
            "SYNC-1"
        } else {
            "SYNC-11"
        };
        out.push(vector(
            vid,
            desc,
            &[rule],
            Some(code),
            vec![
                ("type", "heads-page".into()),
                ("account", J::S(hex(&a))),
                ("after", after_json(after.as_ref())),
                ("page", J::S(hex(&bytes))),
            ],
        ));
    }
    out
}
