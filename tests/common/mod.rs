//! Generators shared by the property and differential tests: Skylark CBOR values of every shape,
//! and bytes that matter in a CBOR head.

#![allow(dead_code)]

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use skylark::cbor::{Map, Value};

pub const INTEGER_BOUNDARIES: [u64; 13] = [
    0,
    1,
    23,
    24,
    255,
    256,
    65_535,
    65_536,
    0xffff_ffff,
    0x1_0000_0000,
    (1 << 53) - 1,
    u64::MAX - 1,
    u64::MAX,
];

/// Characters of every UTF-8 length (1 to 4 bytes), including the edges of each range.
pub const CHARS: [char; 14] = [
    'a',
    'z',
    '\0',
    '\u{7f}',
    '\u{80}',
    'é',
    '\u{7ff}',
    '\u{800}',
    '中',
    '\u{fffd}',
    '\u{ffff}',
    '\u{10000}',
    '😀',
    '\u{10ffff}',
];

pub fn arb_u64() -> impl Strategy<Value = u64> {
    prop_oneof![
        2 => any::<u64>(),
        2 => 0u64..30,
        3 => select(&INTEGER_BOUNDARIES[..]),
    ]
}

pub fn arb_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{0,6}",
        vec(select(&CHARS[..]), 0..12).prop_map(|cs| cs.into_iter().collect()),
        // Any characters but a newline, up to 30 of them (so more than 23 bytes: a one-byte length).
        ".{0,30}",
    ]
}

/// Map keys: a small alphabet (so that maps get keys of equal length and repeated keys) or any text.
pub fn arb_key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(&["", "a", "b", "z", "aa", "ab", "ba", "é", "key", "kind", "zz"][..])
            .prop_map(String::from),
        1 => arb_text(),
    ]
}

pub fn arb_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        6 => vec(any::<u8>(), 0..30),
        1 => vec(any::<u8>(), 0..300),
    ]
}

pub fn arb_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        arb_u64().prop_map(Value::Unsigned),
        arb_u64().prop_map(Value::Negative),
        arb_bytes().prop_map(Value::Bytes),
        arb_text().prop_map(Value::Text),
        any::<bool>().prop_map(Value::Bool),
    ]
}

pub fn map_of(entries: Vec<(String, Value)>) -> Map {
    let mut map = Map::new();
    for (k, v) in entries {
        map.insert(k, v);
    }
    map
}

/// Any Skylark CBOR value, at most 5 items deep; maps are built with `Map::insert`.
pub fn arb_value() -> impl Strategy<Value = Value> {
    arb_leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            4 => vec(inner.clone(), 0..6).prop_map(Value::Array),
            4 => vec((arb_key(), inner.clone()), 0..6).prop_map(|e| Value::Map(map_of(e))),
            // Now and then a container with 24 or more entries: a one-byte count.
            1 => vec(inner, 24..27).prop_map(Value::Array),
        ]
    })
}

/// Bytes that are likely to matter in a CBOR head: every boundary of additional information, the
/// indefinite and reserved forms, tags, simple values and floats.
pub fn interesting_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        1 => any::<u8>(),
        1 => select(
            &[
                0x00, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1f, 0x20, 0x38, 0x40, 0x58, 0x5f, 0x60,
                0x61, 0x78, 0x7f, 0x80, 0x81, 0x98, 0x9f, 0xa0, 0xa1, 0xb8, 0xbf, 0xc0, 0xd8, 0xf4,
                0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xff,
            ][..]
        ),
    ]
}
