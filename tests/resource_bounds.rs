//! Resource bounds, measured with a counting global allocator (`stats_alloc`, a dev-dependency: the
//! package forbids `unsafe`, which a hand-written allocator would need).
//!
//! - Inputs that claim huge lengths (byte strings of 2^32 bytes, arrays and maps of 2^60 items,
//!   such claims nested to the depth limit) and inputs nested past the depth limit allocate at most
//!   [`BYTES_PER_INPUT_BYTE`] bytes per input byte, in every entry point: `cbor::decode` (nothing
//!   at all for an input it rejects), `cbor::check` (nothing at all), `Envelope::decode`,
//!   `SignedMessage::from_bytes`. (Before `cbor::decode` checked the whole input first, it reserved
//!   room by claimed counts at every level: 58 MB for one 64 KiB input of nested maps.)
//! - For inputs of growing size n, 2n, 4n, 8n of every shape (long strings, long arrays, wide maps,
//!   deep nesting, whole signed messages with validation), the bytes allocated, and the number of
//!   allocations (a deterministic proxy for work), stay under the same linear bound: allocation per
//!   input byte does not grow with n. (Wall time is measured in `benches/hostile.rs`; timed tests
//!   would be flaky on a shared machine.)
//!
//! The bytes counted are all bytes requested during the call (`bytes_allocated` plus growth by
//! `realloc`), which bounds the peak from above.
//!
//! The counter is global, so everything here runs in one `#[test]` (the test harness starts a
//! thread, and allocates, for each test it runs; a lock between tests would not stop that).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::alloc::System;

use skylark::cbor::{self, Map, Value, MAX_DEPTH, MAX_SIZE};
use skylark::envelope::{Draft, Envelope, Kind, SignedMessage};
use skylark::id::AccountId;
use skylark::keys::SecretKey;
use skylark::message::{validate, Authorization, MemoryContext, Verdict};
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

#[path = "support/shapes.rs"]
mod shapes;

use shapes::Shape;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// The bound on the memory any entry point requests while reading an input, per input byte. A
/// decoded value takes more room than its encoding: a one-byte integer is a 32-byte `Value`, a map
/// entry with a one-byte key a 56-byte pair plus the key's own allocation.
const BYTES_PER_INPUT_BYTE: usize = 64;
/// A constant part of the bound, for small fixed-size allocations (error paths, ids).
const SLACK: usize = 1024;

/// What `f` allocated: (bytes requested, number of allocations), the least of three runs. The
/// counter is global: the test harness's own threads may allocate during one run (rarely, a few
/// hundred bytes), never during all three; what `f` allocates, it allocates every time.
fn allocated<T>(f: impl Fn() -> T) -> (usize, usize) {
    (0..3)
        .map(|_| {
            let region = Region::new(GLOBAL);
            let out = f();
            let stats = region.change();
            drop(out);
            let grown = usize::try_from(stats.bytes_reallocated.max(0)).unwrap();
            (
                stats.bytes_allocated + grown,
                stats.allocations + stats.reallocations,
            )
        })
        .min()
        .unwrap()
}

fn head(major: u8, arg: u64) -> Vec<u8> {
    let mut out = Vec::new();
    // The widest head: a huge claim needs the 8-byte argument anyway.
    out.push(major << 5 | 27);
    out.extend_from_slice(&arg.to_be_bytes());
    out
}

/// Every layer-1 entry point on `input`; each must stay within the bound. Returns the bytes the
/// most expensive one allocated.
fn every_entry_point_within_bound(name: &str, input: &[u8]) -> usize {
    let bound = BYTES_PER_INPUT_BYTE * input.len() + SLACK;
    let (checked, _) = allocated(|| cbor::check(input));
    assert_eq!(checked, 0, "{name}: cbor::check allocated");
    // The decoder checks the whole input before it allocates: a rejected input costs nothing.
    if cbor::check(input).is_err() {
        let (decoded, _) = allocated(|| cbor::decode(input));
        assert_eq!(
            decoded, 0,
            "{name}: cbor::decode allocated for a rejected input"
        );
    }
    let mut worst = 0;
    for (entry, bytes) in [
        ("cbor::decode", allocated(|| cbor::decode(input)).0),
        ("Envelope::decode", allocated(|| Envelope::decode(input)).0),
        (
            "SignedMessage::from_bytes",
            allocated(|| SignedMessage::from_bytes(input)).0,
        ),
    ] {
        assert!(
            bytes <= bound,
            "{name}: {entry} allocated {bytes} bytes for an input of {} bytes (bound {bound})",
            input.len()
        );
        worst = worst.max(bytes);
    }
    worst
}

#[test]
fn allocation_is_bounded_by_the_input_and_grows_linearly() {
    huge_claimed_lengths_allocate_no_more_than_the_input();
    decoding_allocation_grows_linearly_with_the_input();
    message_validation_allocation_grows_linearly_with_the_message();
}

fn huge_claimed_lengths_allocate_no_more_than_the_input() {
    let filler = |n: usize| vec![0x01u8; n];
    let mut cases: Vec<(String, Vec<u8>)> = Vec::new();
    for claim in [1u64 << 32, 1 << 60, u64::MAX] {
        for (major, what) in [(2u8, "bytes"), (3, "text"), (4, "array"), (5, "map")] {
            for n in [0usize, 100, 10_000, MAX_SIZE - 9] {
                cases.push((
                    format!("{what} claiming {claim} with {n} bytes following"),
                    [head(major, claim), filler(n)].concat(),
                ));
            }
        }
        // The claim nested to the depth limit, each level an array or a map claiming `claim`
        // items, the innermost followed by as many real items as fit.
        for n in [100usize, 10_000, MAX_SIZE - 16 * 11] {
            let mut arrays = Vec::new();
            let mut maps = Vec::new();
            for _ in 0..MAX_DEPTH {
                arrays.extend(head(4, claim));
                maps.extend(head(5, claim));
                maps.extend([0x61, b'k']);
            }
            cases.push((
                format!("arrays nested {MAX_DEPTH} deep, each claiming {claim}, {n} items"),
                [arrays, filler(n)].concat(),
            ));
            // Innermost map: entries "k": 1 repeat (keys out of order after the first, which the
            // decoder only finds after reading them).
            let entries: Vec<u8> = [0x01u8, 0x61, b'k'].repeat(n / 3);
            cases.push((
                format!("maps nested {MAX_DEPTH} deep, each claiming {claim}, {n} bytes"),
                [maps, entries].concat(),
            ));
        }
        // A message whose header is a byte string claiming `claim` bytes.
        let mut message = vec![0xa2, 0x61, b'h'];
        message.extend(head(2, claim));
        message.extend(filler(1000));
        cases.push((format!("message with a header claiming {claim}"), message));
    }
    // Nesting past the depth limit, with and without huge claims.
    for n in [MAX_DEPTH + 1, 1000, MAX_SIZE] {
        cases.push((format!("{n} nested arrays"), vec![0x81; n]));
        cases.push((format!("{n} nested maps"), [0xa1, 0x60].repeat(n / 2)));
    }
    for (name, input) in &cases {
        every_entry_point_within_bound(name, input);
    }
}

/// The cost per input byte (bytes and allocations) at 8n is at most 5/4 of that at n, plus a
/// constant: linear growth passes (the per-byte cost is flat), quadratic growth (8x per byte)
/// fails. `per_byte`: (input length, bytes allocated, allocations) at n, 2n, 4n, 8n.
fn assert_linear(name: &str, per_byte: &[(usize, usize, usize)]) {
    let (len0, bytes0, count0) = per_byte[0];
    let (len3, bytes3, count3) = per_byte[3];
    assert!(
        4 * bytes3 * len0 <= 5 * (bytes0 + SLACK) * len3,
        "{name}: {per_byte:?}"
    );
    assert!(
        4 * count3 * len0 <= 5 * (count0 + 8) * len3,
        "{name}: {per_byte:?}"
    );
}

/// The shapes of inputs measured at sizes n, 2n, 4n and 8n (by input length).
fn shapes() -> Vec<Shape> {
    vec![
        ("byte string", |n| Value::Bytes(vec![0xab; n])),
        ("text string", shapes::text_of_two_byte_characters),
        ("array of small integers", shapes::array_of_small_integers),
        ("array of empty maps", |n| {
            Value::Array(vec![Value::Map(Map::new()); n])
        }),
        ("map of small entries", shapes::map_of_small_entries),
        (
            "nested to the depth limit, wide at every level",
            shapes::nested_to_the_depth_limit_wide,
        ),
    ]
}

fn decoding_allocation_grows_linearly_with_the_input() {
    for (name, shape) in shapes() {
        let mut per_byte = Vec::new();
        for n in [1000, 2000, 4000, 8000] {
            let input = shape(n).to_bytes();
            assert!(cbor::check(&input).is_ok(), "{name}");
            let bytes = every_entry_point_within_bound(name, &input);
            let (_, count) = allocated(|| cbor::decode(&input));
            // At most one allocation per input byte (each string, array and map allocates once).
            assert!(count <= input.len() + 1, "{name}: {count} allocations");
            per_byte.push((input.len(), bytes, count));
        }
        assert_linear(name, &per_byte);
    }
}

/// Whole messages of growing size: an extension-kind message whose body is a map of n entries
/// (any map is a valid body for an extension kind, EXT-1), decoded, verified and validated.
fn message_validation_allocation_grows_linearly_with_the_message() {
    let key = SecretKey::from_seed([3; 32]);
    let account = AccountId::from_bytes([4; 32]);
    let kind = Kind::new("com.example.blob").unwrap();
    let messages: Vec<SignedMessage> = [1000usize, 2000, 4000, 8000]
        .iter()
        .map(|&n| {
            let mut body = Map::new();
            for i in 0..n / 8 {
                body.insert(format!("{i:04x}"), Value::Bytes(vec![1]));
            }
            Draft::new(account, kind.clone(), 1_000, &body)
                .unwrap()
                .sign(&key)
                .unwrap()
        })
        .collect();
    let context = MemoryContext::new(1_000, Authorization::Authorized);
    let mut per_byte = Vec::new();
    for m in &messages {
        let input = m.as_bytes();
        every_entry_point_within_bound("message", input);
        let (bytes, count) = allocated(|| {
            let message = SignedMessage::from_bytes(input).unwrap();
            let verdict = validate(message, &context);
            assert!(matches!(verdict, Verdict::Valid(_)));
            verdict
        });
        let bound = BYTES_PER_INPUT_BYTE * input.len() + SLACK;
        assert!(
            bytes <= bound,
            "validation: {bytes} bytes for {}",
            input.len()
        );
        per_byte.push((input.len(), bytes, count));
    }
    assert_linear("message", &per_byte);
}
