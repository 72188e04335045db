//! `sync.json`: set reconciliation (spec 09, SYNC-1..SYNC-9), written from the design.
//!
//! A second implementation of the session, simpler than the library's on purpose: fingerprints are
//! summed item by item over each range (no prefix sums), frames are built as structured ranges and
//! encoded with this crate's CBOR writer, and each side reads the other's structured ranges (the
//! bytes are what the vector records; the checker and the library parse them).

use crate::cbor::{encode, head, Value};
use crate::util::{file, hex, strs, vector, J};

const LEAF: usize = 64;
const MAX_FANOUT: u128 = 32;
const INF: u64 = u64::MAX;
const LIMIT: usize = 65_536;
const RESERVE: usize = 200;
/// SYNC-9: the deferral room.
const DEFER_ROOM: usize = 8192;
pub const KEY_CONTEXT: &str = "skylark 2026-12-05 sync key";
const ITEM_CONTEXT: &str = "skylark test vectors v1 sync item";

type Item = (u64, [u8; 32]);

/// A bound: time and prefix (INF = infinity).
#[derive(Clone, Debug, PartialEq)]
struct Bound {
    time: u64,
    prefix: Vec<u8>,
}

impl Bound {
    fn lowest() -> Bound {
        Bound {
            time: 0,
            prefix: vec![],
        }
    }
    fn inf() -> Bound {
        Bound {
            time: INF,
            prefix: vec![],
        }
    }
    fn padded(&self) -> [u8; 32] {
        let mut p = [0u8; 32];
        p[..self.prefix.len()].copy_from_slice(&self.prefix);
        p
    }
    /// Whether the item is below this bound.
    fn above(&self, item: &Item) -> bool {
        (item.0, item.1) < (self.time, self.padded())
    }
}

#[derive(Clone, Debug)]
enum Payload {
    Skip,
    Fp([u8; 16]),
    Tags(Vec<[u8; 8]>),
    Resolve(Vec<u8>, Vec<[u8; 32]>),
    Ids(Vec<[u8; 32]>),
}

#[derive(Clone, Debug)]
struct Range {
    upper: Bound,
    payload: Payload,
}

struct Side {
    items: Vec<Item>,
    key: [u8; 32],
    have: Vec<[u8; 32]>,
    need: Vec<[u8; 32]>,
}

fn item_hash(key: &[u8; 32], item: &Item) -> [u8; 40] {
    let mut input = vec![0u8];
    input.extend_from_slice(&item.0.to_be_bytes());
    input.extend_from_slice(&item.1);
    let mut out = [0u8; 40];
    blake3::Hasher::new_keyed(key)
        .update(&input)
        .finalize_xof()
        .fill(&mut out);
    out
}

fn tag_of(key: &[u8; 32], item: &Item) -> [u8; 8] {
    item_hash(key, item)[32..].try_into().unwrap()
}

fn fingerprint(key: &[u8; 32], items: &[Item]) -> [u8; 16] {
    // Sum modulo 2^256 as 32 little-endian bytes, byte by byte.
    let mut sum = [0u8; 32];
    for item in items {
        let h = item_hash(key, item);
        let mut carry = 0u16;
        for k in 0..32 {
            let s = u16::from(sum[k]) + u16::from(h[k]) + carry;
            sum[k] = s as u8;
            carry = s >> 8;
        }
    }
    let mut input = vec![1u8];
    input.extend_from_slice(&(items.len() as u64).to_be_bytes());
    input.extend_from_slice(&sum);
    blake3::keyed_hash(key, &input).as_bytes()[..16]
        .try_into()
        .unwrap()
}

fn between(a: &Item, b: &Item) -> Bound {
    if a.0 != b.0 {
        return Bound {
            time: b.0,
            prefix: vec![],
        };
    }
    let common = (0..32).take_while(|&k| a.1[k] == b.1[k]).count();
    Bound {
        time: b.0,
        prefix: b.1[..common + 1].to_vec(),
    }
}

fn fanout(c: usize) -> usize {
    let c = c as u128;
    let mut levels = 1u32;
    while 64 * MAX_FANOUT.pow(levels) < c {
        levels += 1;
    }
    let mut b = 2u128;
    while 64 * b.pow(levels) < c {
        b += 1;
    }
    b as usize
}

impl Side {
    fn new(mut items: Vec<Item>, salt: &[u8; 16]) -> Side {
        items.sort();
        items.dedup();
        Side {
            items,
            key: blake3::derive_key(KEY_CONTEXT, salt),
            have: vec![],
            need: vec![],
        }
    }

    fn slice(&self, lower: &Bound, upper: &Bound) -> (usize, usize) {
        let i = self.items.iter().filter(|it| lower.above(it)).count();
        let j = self.items.iter().filter(|it| upper.above(it)).count();
        (i, j)
    }

    fn split(&self, lower: &Bound, upper: &Bound) -> Vec<Range> {
        let (i, j) = self.slice(lower, upper);
        let mine = &self.items[i..j];
        if mine.len() <= LEAF {
            let tags = mine.iter().map(|it| tag_of(&self.key, it)).collect();
            return vec![Range {
                upper: upper.clone(),
                payload: Payload::Tags(tags),
            }];
        }
        let b = fanout(mine.len());
        let (size, extra) = (mine.len() / b, mine.len() % b);
        let mut out = vec![];
        let mut start = 0;
        for k in 0..b {
            let end = start + size + usize::from(k < extra);
            let to = if k + 1 == b {
                upper.clone()
            } else {
                between(&mine[end - 1], &mine[end])
            };
            out.push(Range {
                upper: to,
                payload: Payload::Fp(fingerprint(&self.key, &mine[start..end])),
            });
            start = end;
        }
        out
    }

    /// Answers structured ranges; returns the answer's ranges (skips coalesced, trailing skip dropped).
    fn answer(&mut self, ranges: &[Range], initiator: bool) -> Vec<Range> {
        let mut out: Vec<Range> = vec![];
        let mut lower = Bound::lowest();
        let push = |out: &mut Vec<Range>, r: Range| match (out.last_mut(), &r.payload) {
            (Some(last), Payload::Skip) if matches!(last.payload, Payload::Skip) => {
                last.upper = r.upper
            }
            _ => out.push(r),
        };
        let mut deferring = false;
        for range in ranges {
            let (i, j) = self.slice(&lower, &range.upper);
            let mine: Vec<Item> = self.items[i..j].to_vec();
            let skip = vec![Range {
                upper: range.upper.clone(),
                payload: Payload::Skip,
            }];
            let (mut have, mut need) = (vec![], vec![]);
            let unit: Vec<Range> = match &range.payload {
                Payload::Skip => skip,
                Payload::Fp(fp) => {
                    if fingerprint(&self.key, &mine) == *fp {
                        skip
                    } else {
                        self.split(&lower, &range.upper)
                    }
                }
                Payload::Tags(theirs) => {
                    if mine.len() > LEAF {
                        self.split(&lower, &range.upper)
                    } else {
                        let my_tags: Vec<[u8; 8]> =
                            mine.iter().map(|it| tag_of(&self.key, it)).collect();
                        let mut bitmap = vec![0u8; theirs.len().div_ceil(8)];
                        for (k, t) in theirs.iter().enumerate() {
                            if !my_tags.contains(t) {
                                bitmap[k / 8] |= 1 << (k % 8);
                            }
                        }
                        let ids: Vec<[u8; 32]> = mine
                            .iter()
                            .zip(&my_tags)
                            .filter(|(_, t)| !theirs.contains(t))
                            .map(|(it, _)| it.1)
                            .collect();
                        if bitmap.iter().all(|b| *b == 0) && ids.is_empty() {
                            skip
                        } else {
                            have = ids.clone();
                            vec![Range {
                                upper: range.upper.clone(),
                                payload: Payload::Resolve(bitmap, ids),
                            }]
                        }
                    }
                }
                Payload::Resolve(bitmap, ids) => {
                    need = ids.clone();
                    have = mine
                        .iter()
                        .enumerate()
                        .filter(|(k, _)| bitmap[k / 8] >> (k % 8) & 1 == 1)
                        .map(|(_, it)| it.1)
                        .collect();
                    if !initiator && !have.is_empty() {
                        vec![Range {
                            upper: range.upper.clone(),
                            payload: Payload::Ids(have.clone()),
                        }]
                    } else {
                        skip
                    }
                }
                Payload::Ids(ids) => {
                    assert!(initiator);
                    need = ids.clone();
                    skip
                }
            };
            // The ranges' bytes, without the array head (09 SYNC-9 counts ranges only).
            let size_with = |unit: &[Range]| {
                let mut trial = out.clone();
                for r in unit {
                    push(&mut trial, r.clone());
                }
                let trimmed = trim(&trial);
                encode_ranges(&trimmed).len() - head(4, trimmed.len() as u64).len()
            };
            let skipped = matches!(
                unit.as_slice(),
                [Range {
                    payload: Payload::Skip,
                    ..
                }]
            );
            // SYNC-9 step 1: answers stop short of the deferral room.
            deferring = deferring || (!skipped && size_with(&unit) + RESERVE + DEFER_ROOM > LIMIT);
            let unit = if deferring && !skipped {
                // SYNC-9 step 2: the deferral, our fingerprint over the range's own bounds.
                (have, need) = (vec![], vec![]);
                vec![Range {
                    upper: range.upper.clone(),
                    payload: Payload::Fp(fingerprint(&self.key, &mine)),
                }]
            } else {
                unit
            };
            let mut trial = out.clone();
            for r in unit {
                push(&mut trial, r);
            }
            let trimmed = trim(&trial);
            let trial_size = encode_ranges(&trimmed).len() - head(4, trimmed.len() as u64).len();
            // SYNC-9 step 3: close the frame.
            if trial_size + RESERVE > LIMIT {
                let (i, _) = self.slice(&lower, &Bound::inf());
                let fp = fingerprint(&self.key, &self.items[i..]);
                push(
                    &mut out,
                    Range {
                        upper: Bound::inf(),
                        payload: Payload::Fp(fp),
                    },
                );
                return out;
            }
            out = trial;
            self.have.extend(have);
            self.need.extend(need);
            lower = range.upper.clone();
        }
        trim(&out)
    }
}

fn trim(ranges: &[Range]) -> Vec<Range> {
    let mut r = ranges.to_vec();
    if matches!(r.last().map(|x| &x.payload), Some(Payload::Skip)) {
        r.pop();
    }
    r
}

fn encode_ranges(ranges: &[Range]) -> Vec<u8> {
    let mut out = head(4, ranges.len() as u64);
    let mut prev = 0u64;
    for r in ranges {
        let mut fields = vec![];
        if r.upper.time == INF {
            fields.push(Value::U(0));
        } else {
            fields.push(Value::U(r.upper.time - prev + 1));
            prev = r.upper.time;
        }
        fields.push(Value::B(r.upper.prefix.clone()));
        match &r.payload {
            Payload::Skip => fields.push(Value::U(0)),
            Payload::Fp(fp) => fields.extend([Value::U(1), Value::B(fp.to_vec())]),
            Payload::Tags(t) => fields.extend([Value::U(2), Value::B(t.concat())]),
            Payload::Resolve(b, ids) => {
                fields.extend([Value::U(3), Value::B(b.clone()), Value::B(ids.concat())])
            }
            Payload::Ids(ids) => fields.extend([Value::U(4), Value::B(ids.concat())]),
        }
        out.extend(encode(&Value::A(fields)));
    }
    out
}

fn frame(salt: &[u8; 16], ranges: &[Range]) -> Vec<u8> {
    let mut out = head(4, 3);
    out.extend(encode(&Value::U(1)));
    out.extend(encode(&Value::B(salt.to_vec())));
    out.extend(encode_ranges(ranges));
    out
}

/// An item of the vectors: its id is BLAKE3 derive_key(ITEM_CONTEXT, seed as 8 bytes big-endian).
fn item(time: u64, seed: u64) -> Item {
    (time, blake3::derive_key(ITEM_CONTEXT, &seed.to_be_bytes()))
}

fn items_json(items: &[Item]) -> J {
    let mut sorted = items.to_vec();
    sorted.sort();
    sorted.dedup();
    J::A(
        sorted
            .iter()
            .map(|(t, id)| J::A(vec![J::U(*t), J::S(hex(id))]))
            .collect(),
    )
}

fn ids_json(ids: &[[u8; 32]]) -> J {
    let mut v: Vec<String> = ids.iter().map(|i| hex(i)).collect();
    v.sort();
    v.dedup();
    strs(&v)
}

fn salt(n: u8) -> [u8; 16] {
    let mut s = [0u8; 16];
    for (k, b) in s.iter_mut().enumerate() {
        *b = n.wrapping_mul(17).wrapping_add(k as u8);
    }
    s
}

fn session(
    id: &str,
    description: &str,
    rules: &[&str],
    a: Vec<Item>,
    b: Vec<Item>,
    salt: [u8; 16],
) -> J {
    let mut init = Side::new(a.clone(), &salt);
    let mut resp = Side::new(b.clone(), &salt);
    let mut frames = vec![];
    let mut ranges = init.split(&Bound::lowest(), &Bound::inf());
    loop {
        frames.push(J::S(hex(&frame(&salt, &ranges))));
        let reply = resp.answer(&ranges, false);
        frames.push(J::S(hex(&frame(&salt, &reply))));
        ranges = init.answer(&reply, true);
        if ranges.is_empty() {
            break;
        }
        assert!(frames.len() < 200, "{id}: session does not end");
    }
    // The outcome is the set difference, whatever the path.
    let mut expect_have: Vec<[u8; 32]> = init
        .items
        .iter()
        .filter(|x| !resp.items.contains(x))
        .map(|x| x.1)
        .collect();
    let mut expect_need: Vec<[u8; 32]> = resp
        .items
        .iter()
        .filter(|x| !init.items.contains(x))
        .map(|x| x.1)
        .collect();
    expect_have.sort();
    expect_need.sort();
    let mut have = init.have.clone();
    let mut need = init.need.clone();
    have.sort();
    have.dedup();
    need.sort();
    need.dedup();
    assert_eq!(have, expect_have, "{id}: have");
    assert_eq!(need, expect_need, "{id}: need");
    vector(
        id,
        description,
        rules,
        None,
        vec![
            ("type", "session".into()),
            ("salt", J::S(hex(&salt))),
            ("initiator", items_json(&a)),
            ("responder", items_json(&b)),
            ("frames", J::A(frames)),
            ("have", ids_json(&have)),
            ("need", ids_json(&need)),
        ],
    )
}

/// One frame and the responder's exact reply, for rules a session between small sets does not reach.
/// `cuts` are the bounds' times, one empty-tags range ending at each.
fn reply(id: &str, description: &str, set: Vec<Item>, salt: [u8; 16], cuts: &[u64]) -> J {
    let ranges: Vec<Range> = cuts
        .iter()
        .map(|&time| Range {
            upper: Bound {
                time,
                prefix: vec![],
            },
            payload: Payload::Tags(vec![]),
        })
        .collect();
    let mut resp = Side::new(set.clone(), &salt);
    let answer = resp.answer(&ranges, false);
    let reply = frame(&salt, &answer);
    assert!(reply.len() <= LIMIT, "{id}: reply over the limit");
    resp.have.sort();
    vector(
        id,
        description,
        &["SYNC-7", "SYNC-9"],
        None,
        vec![
            ("type", "reply".into()),
            ("salt", J::S(hex(&salt))),
            ("set", items_json(&set)),
            ("frame", J::S(hex(&frame(&salt, &ranges)))),
            ("reply", J::S(hex(&reply))),
            ("have", ids_json(&resp.have)),
        ],
    )
}

fn hostile(
    id: &str,
    description: &str,
    role: &str,
    set: Vec<Item>,
    salt: [u8; 16],
    bytes: Vec<u8>,
    code: &str,
) -> J {
    let rule = match code {
        c if c.starts_with("cbor.") => "SYNC-1",
        "sync.frame_shape" | "sync.version" | "sync.salt" => "SYNC-2",
        "sync.bound_prefix" | "sync.bound_order" => "SYNC-3",
        "sync.range_shape" | "sync.skip" => "SYNC-4",
        "sync.payload" => "SYNC-5",
        "sync.mode" | "sync.bitmap" => "SYNC-8",
        _ => panic!("unknown code {code}"),
    };
    vector(
        id,
        description,
        &[rule],
        Some(code),
        vec![
            ("type", "frame".into()),
            ("role", role.into()),
            ("salt", J::S(hex(&salt))),
            ("set", items_json(&set)),
            ("frame", J::S(hex(&bytes))),
        ],
    )
}

pub fn generate() -> String {
    let mut vectors = vec![];

    // Fingerprints and tags.
    for (id, desc, items, s) in [
        (
            "fingerprint-empty",
            "the empty set: count 0, sum 0",
            vec![],
            salt(1),
        ),
        (
            "fingerprint-one",
            "one item",
            vec![item(1_764_115_200_000, 1)],
            salt(1),
        ),
        (
            "fingerprint-three",
            "three items, two at the same time; the sum carries across bytes",
            vec![item(5, 2), item(5, 3), item(9, 4)],
            salt(2),
        ),
        (
            "fingerprint-other-salt",
            "the same three items under another salt",
            vec![item(5, 2), item(5, 3), item(9, 4)],
            salt(3),
        ),
    ] {
        let side = Side::new(items.clone(), &s);
        let tags: Vec<J> = side
            .items
            .iter()
            .map(|it| J::S(hex(&tag_of(&side.key, it))))
            .collect();
        vectors.push(vector(
            id,
            desc,
            &["SYNC-6"],
            None,
            vec![
                ("type", "fingerprint".into()),
                ("salt", J::S(hex(&s))),
                ("key", J::S(hex(&side.key))),
                ("set", items_json(&items)),
                ("tags", J::A(tags)),
                (
                    "fingerprint",
                    J::S(hex(&fingerprint(&side.key, &side.items))),
                ),
            ],
        ));
    }

    // Whole sessions.
    let t0 = 1_764_115_200_000u64;
    let spread = |range: std::ops::Range<u64>, step: u64| -> Vec<Item> {
        range.map(|i| item(t0 + i * step, i)).collect()
    };
    let all = &["SYNC-2", "SYNC-3", "SYNC-6", "SYNC-7"];
    vectors.push(session(
        "session-both-empty",
        "two empty sets: one round, nothing to do",
        all,
        vec![],
        vec![],
        salt(10),
    ));
    vectors.push(session(
        "session-identical",
        "the same 200 items: the opening fingerprints all match",
        all,
        spread(0..200, 1000),
        spread(0..200, 1000),
        salt(11),
    ));
    vectors.push(session(
        "session-initiator-empty",
        "the initiator holds nothing, the responder 150 items",
        all,
        vec![],
        spread(0..150, 1000),
        salt(12),
    ));
    vectors.push(session(
        "session-responder-empty",
        "the responder holds nothing, the initiator 150 items",
        all,
        spread(0..150, 1000),
        vec![],
        salt(13),
    ));
    vectors.push(session(
        "session-small-leaf",
        "10 and 12 items, 7 in common: tags, resolve, done",
        all,
        spread(0..10, 1000),
        spread(3..15, 1000),
        salt(14),
    ));
    vectors.push(session(
        "session-overlap",
        "300 and 320 items, 280 in common, with differences spread over the range: splits, tags, resolve and ids",
        all,
        spread(0..300, 500),
        [spread(20..300, 500), spread(1000..1040, 7)].concat(),
        salt(15),
    ));
    vectors.push(session(
        "session-same-time",
        "400 and 400 items all at one millisecond: every bound is an id prefix",
        all,
        (0..400).map(|i| item(t0, i)).collect(),
        (5..405).map(|i| item(t0, i)).collect(),
        salt(16),
    ));
    vectors.push(session(
        "session-deep",
        "2100 items against the same less one: two levels of splits",
        all,
        spread(0..2100, 10),
        spread(0..2100, 10)
            .into_iter()
            .filter(|x| x.0 != t0 + 1234 * 10)
            .collect(),
        salt(17),
    ));
    vectors.push(session(
        "session-frame-limit",
        "the initiator holds nothing, the responder 2500 items: the responder's third answer holds 29 resolves of about 60 ids; the 30th would pass 57 144 bytes, so it and the 12 after it are deferred as the responder's fingerprints over their bounds, which the initiator answers with tags (SYNC-9)",
        &["SYNC-6", "SYNC-7", "SYNC-9"],
        vec![],
        spread(0..2500, 3),
        salt(19),
    ));
    // 28 ranges of 64 items, then 500 of one: 27 resolves of 64 ids fill 57 144 bytes, the next
    // ranges are deferred, and the deferrals pass 65 336 bytes: the rest is one range to infinity.
    let cuts: Vec<u64> = (1..=28u64)
        .map(|k| t0 + 64 * k)
        .chain((1..=500).map(|k| t0 + 64 * 28 + k))
        .collect();
    vectors.push(reply(
        "reply-defer-then-close",
        "the responder holds 2292 items, one per millisecond; the frame asks about 28 ranges of 64 and 500 of one with no tags: it answers 27 with resolves of 64 ids, defers the next ranges as its fingerprints over their bounds, and closes with one fingerprint to infinity at 65 336 bytes (SYNC-9 steps 1 to 3)",
        (0..28 * 64 + 500).map(|i| item(t0 + i, i)).collect(),
        salt(21),
        &cuts,
    ));
    // Four ids with x0 + x1 = x2 + x3 modulo 2^256 (as little-endian integers), all at one time:
    // negentropy's fingerprint (a sum of ids, with the count) cannot tell {x0, x1} from {x2, x3}.
    let raw = |v: u8| {
        let mut b = [0u8; 32];
        b[0] = v;
        (t0, b)
    };
    vectors.push(session(
        "threat-sum-collision",
        "two sets whose ids have equal sums and counts (a negentropy fingerprint collision an id-grinding attacker can build at scale): the salted fingerprint differs and the session exchanges all four",
        &["SYNC-6", "SYNC-7"],
        vec![raw(1), raw(4)],
        vec![raw(2), raw(3)],
        salt(18),
    ));

    // Hostile frames (one defect each), answered by a responder holding ten items.
    let ten: Vec<Item> = spread(0..10, 1000);
    let s = salt(20);
    let f = |ranges: &[u8]| {
        let mut v = head(4, 3);
        v.push(0x01);
        v.push(0x50);
        v.extend_from_slice(&s);
        v.extend_from_slice(ranges);
        v
    };
    let fp16 = |v: &mut Vec<u8>| {
        v.push(0x50);
        v.extend_from_slice(&[0xab; 16]);
    };
    let mut too_large = f(&[0x81, 0x84, 0x00, 0x40, 0x02]);
    too_large.extend(head(2, 65_536));
    too_large.extend(vec![0u8; 65_536]);
    let mut over_leaf = f(&[0x81, 0x84, 0x00, 0x40, 0x02]);
    over_leaf.extend(head(2, 65 * 8));
    over_leaf.extend(vec![7u8; 65 * 8]);
    let mut bad_fp = f(&[0x81, 0x84, 0x00, 0x40, 0x01, 0x4f]);
    bad_fp.extend([0u8; 15]);
    let mut prefix33 = f(&[0x81, 0x84, 0x02, 0x58, 33]);
    prefix33.extend([1u8; 33]);
    prefix33.push(0x01);
    fp16(&mut prefix33);
    let mut zero_end = f(&[0x81, 0x84, 0x02, 0x42, 0x05, 0x00, 0x01]);
    fp16(&mut zero_end);
    let mut overflow = f(&[
        0x82, 0x84, 0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0, 0x40, 0x01,
    ]);
    fp16(&mut overflow);
    overflow.extend([0x84, 0x18, 0x20, 0x40, 0x01]);
    fp16(&mut overflow);
    let mut descending = f(&[0x82, 0x84, 0x05, 0x41, 0x09, 0x01]);
    fp16(&mut descending);
    descending.extend([0x84, 0x01, 0x41, 0x08, 0x01]);
    fp16(&mut descending);
    let mut after_inf = f(&[0x82, 0x84, 0x00, 0x40, 0x01]);
    fp16(&mut after_inf);
    after_inf.extend([0x84, 0x05, 0x40, 0x01]);
    fp16(&mut after_inf);
    let mut two_skips = f(&[
        0x83, 0x83, 0x05, 0x40, 0x00, 0x83, 0x05, 0x40, 0x00, 0x84, 0x00, 0x40, 0x01,
    ]);
    fp16(&mut two_skips);
    let mut many_ids = f(&[0x81, 0x85, 0x00, 0x40, 0x03, 0x42, 0xff, 0x03]);
    many_ids.extend(head(2, 65 * 32));
    many_ids.extend(vec![1u8; 65 * 32]);
    let mut version = f(&[0x80]);
    version[1] = 0x02;
    let mut wrong_salt = f(&[0x80]);
    wrong_salt[3] ^= 1;
    let cases: Vec<(&str, &str, &str, Vec<u8>, &str)> = vec![
        (
            "frame-not-cbor",
            "a frame that is not canonical CBOR (a non-minimal head)",
            "responder",
            vec![0x98, 0x03, 0x01, 0x50],
            "cbor.non_minimal_length",
        ),
        (
            "frame-too-large",
            "a frame of 65 556 bytes",
            "responder",
            too_large,
            "cbor.too_large",
        ),
        (
            "frame-not-array",
            "a map, not an array",
            "responder",
            vec![0xa0],
            "sync.frame_shape",
        ),
        (
            "frame-short-salt",
            "a 15-byte salt",
            "responder",
            {
                let mut v = vec![0x83, 0x01, 0x4f];
                v.extend([0u8; 15]);
                v.push(0x80);
                v
            },
            "sync.frame_shape",
        ),
        (
            "frame-version-2",
            "version 2",
            "responder",
            version,
            "sync.version",
        ),
        (
            "frame-reply-wrong-salt",
            "a reply that carries another salt than the initiator's",
            "initiator",
            wrong_salt,
            "sync.salt",
        ),
        (
            "range-not-array",
            "a range that is an integer",
            "responder",
            f(&[0x81, 0x00]),
            "sync.range_shape",
        ),
        (
            "range-unknown-mode",
            "mode 5",
            "responder",
            f(&[0x81, 0x84, 0x00, 0x40, 0x05, 0x40]),
            "sync.range_shape",
        ),
        (
            "range-fingerprint-missing",
            "mode 1 with no fingerprint",
            "responder",
            f(&[0x81, 0x83, 0x00, 0x40, 0x01]),
            "sync.range_shape",
        ),
        (
            "range-payload-not-bytes",
            "a tags payload that is an array",
            "responder",
            f(&[0x81, 0x84, 0x00, 0x40, 0x02, 0x80]),
            "sync.range_shape",
        ),
        (
            "bound-infinity-with-prefix",
            "infinity (t = 0) with a prefix",
            "responder",
            {
                let mut v = f(&[0x81, 0x84, 0x00, 0x41, 0x01, 0x01]);
                fp16(&mut v);
                v
            },
            "sync.bound_prefix",
        ),
        (
            "bound-prefix-33",
            "a 33-byte prefix",
            "responder",
            prefix33,
            "sync.bound_prefix",
        ),
        (
            "bound-prefix-zero-end",
            "a prefix ending in a zero byte (names the same point as a shorter one)",
            "responder",
            zero_end,
            "sync.bound_prefix",
        ),
        (
            "bound-lowest",
            "an upper bound equal to the lowest bound",
            "responder",
            {
                let mut v = f(&[0x81, 0x84, 0x01, 0x40, 0x01]);
                fp16(&mut v);
                v
            },
            "sync.bound_order",
        ),
        (
            "bound-descending",
            "a bound below the previous one (same time, smaller prefix)",
            "responder",
            descending,
            "sync.bound_order",
        ),
        (
            "bound-time-overflow",
            "bound times whose sum reaches 2^64 - 1",
            "responder",
            overflow,
            "sync.bound_order",
        ),
        (
            "bound-after-infinity",
            "a range after the infinite bound",
            "responder",
            after_inf,
            "sync.bound_order",
        ),
        (
            "skip-trailing",
            "a frame ending in a skip",
            "responder",
            f(&[0x81, 0x83, 0x00, 0x40, 0x00]),
            "sync.skip",
        ),
        (
            "skip-adjacent",
            "two skips in a row",
            "responder",
            two_skips,
            "sync.skip",
        ),
        (
            "payload-fingerprint-15",
            "a 15-byte fingerprint",
            "responder",
            bad_fp,
            "sync.payload",
        ),
        (
            "payload-tags-ragged",
            "tags of 9 bytes",
            "responder",
            {
                let mut v = f(&[0x81, 0x84, 0x00, 0x40, 0x02, 0x49]);
                v.extend([1u8; 9]);
                v
            },
            "sync.payload",
        ),
        (
            "payload-tags-65",
            "65 tags in one range (LEAF is 64)",
            "responder",
            over_leaf,
            "sync.payload",
        ),
        (
            "payload-ids-65",
            "a resolve with 65 ids",
            "responder",
            many_ids,
            "sync.payload",
        ),
        (
            "mode-ids-to-responder",
            "ids (mode 4) sent to a responder",
            "responder",
            f(&[0x81, 0x84, 0x00, 0x40, 0x04, 0x40]),
            "sync.mode",
        ),
        (
            "resolve-bitmap-short",
            "a resolve whose bitmap is 1 byte for the responder's 10 items",
            "responder",
            f(&[0x81, 0x85, 0x00, 0x40, 0x03, 0x41, 0x00, 0x40]),
            "sync.bitmap",
        ),
        (
            "resolve-bitmap-padding",
            "a resolve whose bitmap sets bit 10 of 10 items",
            "responder",
            f(&[0x81, 0x85, 0x00, 0x40, 0x03, 0x42, 0x00, 0x04, 0x40]),
            "sync.bitmap",
        ),
    ];
    for (id, desc, role, bytes, code) in cases {
        vectors.push(hostile(id, desc, role, ten.clone(), s, bytes, code));
    }
    vectors.push(vector(
        "set-infinite-time",
        "an item whose time is 2^64 - 1 (reserved for the infinite bound): the set is rejected",
        &["SYNC-3"],
        Some("sync.item_time"),
        vec![
            ("type", "set".into()),
            (
                "set",
                J::A(vec![J::A(vec![J::U(u64::MAX), J::S(hex(&item(0, 1).1))])]),
            ),
        ],
    ));
    // A resolve for a range where the responder holds more than LEAF items.
    let many: Vec<Item> = spread(0..100, 10);
    vectors.push(hostile(
        "mode-resolve-over-leaf",
        "a resolve for a range in which the responder holds 100 items (it never sent tags there)",
        "responder",
        many,
        s,
        f(&[0x81, 0x85, 0x00, 0x40, 0x03, 0x40, 0x40]),
        "sync.mode",
    ));

    vectors.extend(crate::sync_heads::vectors());
    vectors.extend(crate::sync_names::vectors());

    file(
        "Set reconciliation and per-account sync (spec 09, SYNC-1..SYNC-13). Items are [time, id hex]; vector item ids are BLAKE3 derive_key(\"skylark test vectors v1 sync item\", seed as 8 bytes big-endian). Vectors of type \"fingerprint\" give a set and a salt, the session key, each item's tag in item order and the set's fingerprint (the range from the lowest bound to infinity). Vectors of type \"session\" give the initiator's and the responder's sets and the salt; frames alternate initiator, responder, initiator, …, starting with the initiator's opening frame and ending with the responder's frame after which the initiator's answer is empty; have and need are the initiator's, sorted. Vectors of type \"frame\" give one frame received by the named role holding set (an initiator with that salt, after its opening frame), and the error it must report. Vectors of type \"heads\" give an account and messages as [account, key, seq, id] (hex, seq an integer; message ids are BLAKE3 derive_key(\"skylark test vectors v1 sync message\", seed as 8 bytes big-endian)): the account's key heads [key, seq, id, count] in key order, its message count and account digest (SYNC-10), and the heads page (SYNC-11) holding the key heads above after (a key in hex, or empty: from the first). Vectors of type \"heads-page\" give a page received in answer to a request for account's key heads above after, and the error it must report. Vectors of type \"name\" give a name to verify for account, the name the account's current profile claims (claim; empty: none), the kind of record fetched (\"dns\": the TXT records of _skylark.NAME, each in hex; \"well-known\": one element, the document's body in hex), and whether the name is confirmed (SYNC-12, SYNC-13).",
        "sync",
        vectors,
    )
}
