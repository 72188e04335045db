//! Differential tests of the strict Skylark CBOR decoder against two independent implementations:
//!
//! - **ciborium 0.2**, a general-purpose CBOR library. It is lenient: it accepts non-minimal heads,
//!   indefinite lengths, unordered and duplicate map keys, floats, tags and `null`, and it stops after
//!   the first data item. So (a) everything Skylark accepts, ciborium decodes to the same value using
//!   the whole input; (b) well-formed inputs that Skylark rejects as non-canonical are accepted by
//!   ciborium, which shows that the profile is enforced by our decoder and not by CBOR itself; and
//!   (c) ciborium writes our canonical values with exactly our bytes.
//! - **A model of the normative decoding algorithm** (`/tmp/brief/DESIGN.md` §1, `spec/01-encoding.md`),
//!   written here step by step from the text and sharing no code with the crate. It must report
//!   exactly the error the crate reports, for every input (offsets as documented on `DecodeError`).
//!
//! And the exact agreement the profile promises, on every generated input: **the crate accepts an
//! input if and only if ciborium decodes it, using the whole input, to a value that is within the
//! profile** (no tag, float or null; text keys; depth at most 16; at most 65,536 bytes) **and whose
//! canonical encoding — written here by a second small encoder over ciborium's value, with keys
//! required in strictly ascending order of their encodings — is the input itself; and then both
//! decoders give the same value.**
//!
//! Non-canonical inputs are generated programmatically by a lenient encoder that writes a value with
//! random deviations (wide heads, indefinite lengths, shuffled or repeated map keys) or with a foreign
//! item (float, tag, null, undefined, simple value) in place of a leaf, and that knows which defect
//! the decoder must report first.

// Helpers outside `#[test]` functions unwrap too: in a test, a panic is a failure report.
#![allow(clippy::unwrap_used)]

use ciborium::value::{CanonicalValue, Integer};
mod common;

use common::*;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use skylark::cbor::{self, DecodeError, Value, MAX_DEPTH, MAX_SIZE};

type Cbor = ciborium::Value;

// ---------------------------------------------------------------------------------------------
// Generators (the same shapes as in tests/properties.rs)
// ---------------------------------------------------------------------------------------------

/// Values that are mostly maps of several entries, for the key-order deviations.
fn arb_value_with_maps() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => arb_value(),
        2 => vec((arb_key(), arb_value()), 2..8).prop_map(|e| Value::Map(map_of(e))),
        1 => vec(vec((arb_key(), arb_leaf()), 2..6).prop_map(|e| Value::Map(map_of(e))), 1..4)
            .prop_map(Value::Array),
    ]
}

/// Which kinds of deviation to allow: any mix, and often only the key order (which otherwise tends
/// to be hidden behind an earlier wide head).
fn arb_allowed() -> impl Strategy<Value = u8> {
    prop_oneof![
        2 => 1..=ALL_DEVIATIONS,
        1 => Just(KEY_ORDER),
        1 => Just(KEY_ORDER | WIDE_INTEGERS),
    ]
}

/// A canonical encoding with one byte replaced, inserted or deleted.
fn arb_mutated() -> impl Strategy<Value = Vec<u8>> {
    (arb_value(), any::<usize>(), interesting_byte(), 0u8..3).prop_map(|(v, at, b, op)| {
        let mut bytes = v.to_bytes();
        let i = at % (bytes.len() + 1);
        match op {
            0 if i < bytes.len() => bytes[i] = b,
            1 => bytes.insert(i, b),
            _ if i < bytes.len() => {
                bytes.remove(i);
            }
            _ => bytes.push(b),
        }
        bytes
    })
}

// ---------------------------------------------------------------------------------------------
// ciborium
// ---------------------------------------------------------------------------------------------

/// The ciborium value of a Skylark value. Maps keep our (canonical) entry order.
fn to_ciborium(v: &Value) -> Cbor {
    match v {
        Value::Unsigned(n) => Cbor::Integer(Integer::from(*n)),
        Value::Negative(n) => Cbor::Integer(negative(*n)),
        Value::Bytes(b) => Cbor::Bytes(b.clone()),
        Value::Text(s) => Cbor::Text(s.clone()),
        Value::Array(items) => Cbor::Array(items.iter().map(to_ciborium).collect()),
        Value::Map(map) => Cbor::Map(
            map.iter()
                .map(|(k, v)| (Cbor::Text(k.into()), to_ciborium(v)))
                .collect(),
        ),
        Value::Bool(b) => Cbor::Bool(*b),
    }
}

/// The integer -1 - n, which for n = u64::MAX is -2^64: only an `i128` holds it.
fn negative(n: u64) -> Integer {
    Integer::try_from(-1 - i128::from(n)).unwrap()
}

/// Decodes one item with ciborium and says how many bytes it read.
fn ciborium_decode(input: &[u8]) -> Result<(Cbor, usize), String> {
    let mut rest = input;
    let value: Cbor = ciborium::de::from_reader(&mut rest).map_err(|e| format!("{e:?}"))?;
    Ok((value, input.len() - rest.len()))
}

fn ciborium_encode(v: &Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::ser::into_writer(v, &mut out).unwrap();
    out
}

// ---------------------------------------------------------------------------------------------
// The profile, decided from ciborium's reading alone
// ---------------------------------------------------------------------------------------------

/// Writes the shortest head, independently of the crate's encoder.
fn independent_head(out: &mut Vec<u8>, major: u8, arg: u64) {
    let m = major << 5;
    match arg {
        0..=23 => out.push(m | arg as u8),
        24..=0xff => out.extend([m | 24, arg as u8]),
        0x100..=0xffff => {
            out.push(m | 25);
            out.extend((arg as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(m | 26);
            out.extend((arg as u32).to_be_bytes());
        }
        _ => {
            out.push(m | 27);
            out.extend(arg.to_be_bytes());
        }
    }
}

/// The canonical encoding of a ciborium value if the value is within the Skylark profile (no
/// tag, float or null; text keys in strictly ascending order of their encodings; at most
/// `MAX_DEPTH` containers deep), else `None`. Map entries are written in ciborium's (encoded)
/// order, so an input whose keys are out of order or repeated is not reproduced.
fn profile_encoding(v: &Cbor, depth: usize, out: &mut Vec<u8>) -> Option<()> {
    match v {
        Cbor::Integer(i) => {
            let n = i128::from(*i);
            if n >= 0 {
                independent_head(out, 0, u64::try_from(n).ok()?);
            } else {
                independent_head(out, 1, u64::try_from(-1 - n).ok()?);
            }
        }
        Cbor::Bytes(b) => {
            independent_head(out, 2, b.len() as u64);
            out.extend(b);
        }
        Cbor::Text(t) => {
            independent_head(out, 3, t.len() as u64);
            out.extend(t.as_bytes());
        }
        Cbor::Bool(b) => out.push(if *b { 0xf5 } else { 0xf4 }),
        Cbor::Array(items) => {
            if depth > MAX_DEPTH {
                return None;
            }
            independent_head(out, 4, items.len() as u64);
            for item in items {
                profile_encoding(item, depth + 1, out)?;
            }
        }
        Cbor::Map(entries) => {
            if depth > MAX_DEPTH {
                return None;
            }
            independent_head(out, 5, entries.len() as u64);
            let mut previous: Option<Vec<u8>> = None;
            for (k, v) in entries {
                let Cbor::Text(_) = k else { return None };
                let mut key = Vec::new();
                profile_encoding(k, depth + 1, &mut key)?;
                if previous.as_ref().is_some_and(|p| key <= *p) {
                    return None;
                }
                out.extend(&key);
                previous = Some(key);
                profile_encoding(v, depth + 1, out)?;
            }
        }
        // Tags, floats, null (and anything ciborium adds later) are outside the profile.
        _ => return None,
    }
    Some(())
}

/// ciborium's value of `input` if `input` is Skylark CBOR by the profile's definition: ciborium
/// reads the whole input, the value is within the profile, and its canonical encoding is `input`.
fn ciborium_profile_value(input: &[u8]) -> Option<Cbor> {
    if input.len() > MAX_SIZE {
        return None;
    }
    let (value, read) = ciborium_decode(input).ok()?;
    if read != input.len() {
        return None;
    }
    let mut encoded = Vec::new();
    profile_encoding(&value, 1, &mut encoded)?;
    (encoded == input).then_some(value)
}

// ---------------------------------------------------------------------------------------------
// The model of the normative decoding algorithm
// ---------------------------------------------------------------------------------------------

/// DESIGN §1, step by step. Offsets: the item's initial byte, except `Truncated` (the end of the
/// input, where more bytes were needed) and `TrailingBytes` (the first byte after the item).
fn model_check(input: &[u8]) -> Result<(), DecodeError> {
    // Step 0.
    if input.len() > MAX_SIZE {
        return Err(DecodeError::TooLarge { len: input.len() });
    }
    // Step 1.
    let mut pos = 0;
    model_item(input, &mut pos, 1, false)?;
    if pos < input.len() {
        return Err(DecodeError::TrailingBytes { offset: pos });
    }
    Ok(())
}

fn model_item(
    input: &[u8],
    pos: &mut usize,
    depth: usize,
    key_position: bool,
) -> Result<(), DecodeError> {
    let truncated = DecodeError::Truncated {
        offset: input.len(),
    };
    let start = *pos;
    // a.
    let Some(&initial) = input.get(start) else {
        return Err(truncated);
    };
    *pos += 1;
    let (major, ai) = (initial >> 5, initial & 0x1f);
    // b.
    if key_position && major != 3 {
        return Err(DecodeError::MapKeyNotText { offset: start });
    }
    // c, d.
    match ai {
        28..=30 => return Err(DecodeError::MalformedHead { offset: start }),
        31 if (2..=5).contains(&major) => {
            return Err(DecodeError::IndefiniteLength { offset: start })
        }
        31 => return Err(DecodeError::MalformedHead { offset: start }),
        _ => {}
    }
    // e.
    if major == 6 {
        return Err(DecodeError::Tag { offset: start });
    }
    // f.
    if major == 7 {
        return match ai {
            20 | 21 => Ok(()),
            22 => Err(DecodeError::Null { offset: start }),
            23 => Err(DecodeError::Undefined { offset: start }),
            25..=27 => Err(DecodeError::Float { offset: start }),
            _ => Err(DecodeError::SimpleValue { offset: start }),
        };
    }
    // g.
    let arg = if ai < 24 {
        u64::from(ai)
    } else {
        let n = 1usize << (ai - 24);
        let bytes = input.get(*pos..*pos + n).ok_or(truncated)?;
        *pos += n;
        bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
    };
    // h.
    let shortest = match ai {
        24 => arg >= 24,
        25 => arg >= 1 << 8,
        26 => arg >= 1 << 16,
        27 => arg >= 1 << 32,
        _ => true,
    };
    if !shortest {
        return Err(if major <= 1 {
            DecodeError::NonMinimalInteger { offset: start }
        } else {
            DecodeError::NonMinimalLength { offset: start }
        });
    }
    match major {
        // i.
        0 | 1 => Ok(()),
        2 | 3 => {
            let remaining = (input.len() - *pos) as u64;
            if arg > remaining {
                return Err(truncated);
            }
            let content = &input[*pos..*pos + arg as usize];
            *pos += arg as usize;
            if major == 3 && std::str::from_utf8(content).is_err() {
                return Err(DecodeError::InvalidUtf8 { offset: start });
            }
            Ok(())
        }
        // j.
        _ => {
            if depth > MAX_DEPTH {
                return Err(DecodeError::DepthExceeded { offset: start });
            }
            let mut previous: Option<&[u8]> = None;
            for _ in 0..arg {
                if major == 4 {
                    model_item(input, pos, depth + 1, false)?;
                    continue;
                }
                let key_start = *pos;
                model_item(input, pos, depth + 1, true)?;
                let key = &input[key_start..*pos];
                if let Some(previous) = previous {
                    if key == previous {
                        return Err(DecodeError::DuplicateMapKey { offset: key_start });
                    }
                    if key < previous {
                        return Err(DecodeError::MapKeysUnordered { offset: key_start });
                    }
                }
                previous = Some(key);
                model_item(input, pos, depth + 1, false)?;
            }
            Ok(())
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The lenient encoder
// ---------------------------------------------------------------------------------------------

/// A foreign item that replaces one leaf, and the error it must cause at its offset.
#[derive(Debug, Clone)]
struct Foreign {
    name: &'static str,
    bytes: Vec<u8>,
    error: fn(usize) -> DecodeError,
    /// Whether ciborium's `Value` decodes it.
    ciborium_accepts: bool,
}

fn foreign_items() -> Vec<Foreign> {
    fn f(
        name: &'static str,
        bytes: &[u8],
        error: fn(usize) -> DecodeError,
        ciborium_accepts: bool,
    ) -> Foreign {
        Foreign {
            name,
            bytes: bytes.to_vec(),
            error,
            ciborium_accepts,
        }
    }
    let float = |offset| DecodeError::Float { offset };
    let tag = |offset| DecodeError::Tag { offset };
    let simple = |offset| DecodeError::SimpleValue { offset };
    vec![
        f("half 1.0", &[0xf9, 0x3c, 0x00], float, true),
        f("half NaN", &[0xf9, 0x7e, 0x00], float, true),
        f("single 1.0", &[0xfa, 0x3f, 0x80, 0x00, 0x00], float, true),
        f(
            "double 1.1",
            &[0xfb, 0x3f, 0xf1, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a],
            float,
            true,
        ),
        f("double 0.0", &[0xfb, 0, 0, 0, 0, 0, 0, 0, 0], float, true),
        f("tag 0 text", &[0xc0, 0x61, b'x'], tag, true),
        f(
            "tag 1 int",
            &[0xc1, 0x1a, 0x51, 0x4b, 0x67, 0xb0],
            tag,
            true,
        ),
        f("tag 2 bignum", &[0xc2, 0x42, 0x01, 0x00], tag, true),
        f("tag 3 bignum", &[0xc3, 0x41, 0x01], tag, true),
        f("tag 32 text", &[0xd8, 0x20, 0x60], tag, true),
        f("tag 55799 array", &[0xd9, 0xd9, 0xf7, 0x80], tag, true),
        f("null", &[0xf6], |offset| DecodeError::Null { offset }, true),
        f(
            "undefined",
            &[0xf7],
            |offset| DecodeError::Undefined { offset },
            true,
        ),
        // ciborium's `Value` has no representation for other simple values and rejects them.
        f("simple 0", &[0xe0], simple, false),
        f("simple 19", &[0xf3], simple, false),
        f("simple 32", &[0xf8, 0x20], simple, false),
        f("simple 255", &[0xf8, 0xff], simple, false),
    ]
}

/// Kinds of deviation the lenient encoder may make (a bit set).
const WIDE_INTEGERS: u8 = 1;
const WIDE_LENGTHS: u8 = 2;
const INDEFINITE: u8 = 4;
const KEY_ORDER: u8 = 8;
const ALL_DEVIATIONS: u8 = 15;

/// Writes a value as well-formed CBOR, deviating from the canonical form where the choice bytes
/// say so (and the allowed kinds permit), and records the first defect the strict decoder must
/// report.
struct Lenient<'a> {
    out: Vec<u8>,
    choices: &'a [u8],
    next: usize,
    allowed: u8,
    /// A choice byte below this deviates (choices run out quickly; after that all is canonical).
    rate: u8,
    first: Option<DecodeError>,
    foreign: Option<(usize, &'a Foreign)>,
    leaves: usize,
}

impl<'a> Lenient<'a> {
    fn new(choices: &'a [u8], allowed: u8, foreign: Option<(usize, &'a Foreign)>) -> Self {
        Lenient {
            out: Vec::new(),
            choices,
            next: 0,
            allowed,
            rate: choices.first().map_or(0, |&c| 32 + c / 2),
            first: None,
            foreign,
            leaves: 0,
        }
    }

    fn choice(&mut self) -> u8 {
        let c = self.choices.get(self.next).copied().unwrap_or(u8::MAX);
        self.next += 1;
        c
    }

    fn deviate(&mut self, kind: u8) -> bool {
        self.choice() < self.rate && self.allowed & kind != 0
    }

    fn record(&mut self, error: DecodeError) {
        self.first.get_or_insert(error);
    }

    /// A head, in the shortest form or (when a choice says so) a wider one.
    fn head(&mut self, major: u8, arg: u64) {
        let offset = self.out.len();
        let shortest: u8 = match arg {
            0..=23 => 23,
            24..=0xff => 24,
            0x100..=0xffff => 25,
            0x1_0000..=0xffff_ffff => 26,
            _ => 27,
        };
        let kind = if major <= 1 {
            WIDE_INTEGERS
        } else {
            WIDE_LENGTHS
        };
        let ai = if shortest < 27 && self.deviate(kind) {
            let ai = shortest + 1 + self.choice() % (27 - shortest);
            self.record(if major <= 1 {
                DecodeError::NonMinimalInteger { offset }
            } else {
                DecodeError::NonMinimalLength { offset }
            });
            ai
        } else {
            shortest
        };
        if ai < 24 {
            self.out.push(major << 5 | arg as u8);
        } else {
            self.out.push(major << 5 | ai);
            let width = 1usize << (ai - 24);
            self.out.extend_from_slice(&arg.to_be_bytes()[8 - width..]);
        }
    }

    /// Starts an indefinite-length item if a choice says so.
    fn indefinite(&mut self, major: u8) -> bool {
        if !self.deviate(INDEFINITE) {
            return false;
        }
        let offset = self.out.len();
        self.record(DecodeError::IndefiniteLength { offset });
        self.out.push(major << 5 | 31);
        true
    }

    /// A byte or text string; `cuts` are the allowed chunk boundaries.
    fn string(&mut self, major: u8, content: &[u8], cuts: &[usize]) {
        if self.indefinite(major) {
            let mut start = 0;
            while start < content.len() {
                let candidates: Vec<usize> = cuts.iter().copied().filter(|&c| c > start).collect();
                let end = candidates[usize::from(self.choice()) % candidates.len()];
                self.head(major, (end - start) as u64);
                self.out.extend_from_slice(&content[start..end]);
                start = end;
            }
            self.out.push(0xff);
        } else {
            self.head(major, content.len() as u64);
            self.out.extend_from_slice(content);
        }
    }

    fn text(&mut self, s: &str) {
        let cuts: Vec<usize> = s
            .char_indices()
            .map(|(i, _)| i)
            .skip(1)
            .chain([s.len()])
            .collect();
        self.string(3, s.as_bytes(), &cuts);
    }

    /// Writes `v` and returns what ciborium must decode it to.
    fn value(&mut self, v: &Value) -> Cbor {
        if !matches!(v, Value::Array(_) | Value::Map(_)) {
            let leaf = self.leaves;
            self.leaves += 1;
            if let Some((index, foreign)) = self.foreign {
                if index == leaf {
                    let offset = self.out.len();
                    self.record((foreign.error)(offset));
                    self.out.extend_from_slice(&foreign.bytes);
                    return Cbor::Null; // Not compared.
                }
            }
        }
        match v {
            Value::Unsigned(n) => {
                self.head(0, *n);
                Cbor::Integer(Integer::from(*n))
            }
            Value::Negative(n) => {
                self.head(1, *n);
                Cbor::Integer(negative(*n))
            }
            Value::Bytes(b) => {
                let cuts: Vec<usize> = (1..=b.len()).collect();
                self.string(2, b, &cuts);
                Cbor::Bytes(b.clone())
            }
            Value::Text(s) => {
                self.text(s);
                Cbor::Text(s.clone())
            }
            Value::Bool(b) => {
                self.out.push(if *b { 0xf5 } else { 0xf4 });
                Cbor::Bool(*b)
            }
            Value::Array(items) => {
                let indefinite = self.indefinite(4);
                if !indefinite {
                    self.head(4, items.len() as u64);
                }
                let items = items.iter().map(|item| self.value(item)).collect();
                if indefinite {
                    self.out.push(0xff);
                }
                Cbor::Array(items)
            }
            Value::Map(map) => {
                let mut entries: Vec<(&str, &Value)> = map.iter().collect();
                let n = entries.len();
                if n > 0 && self.deviate(KEY_ORDER) {
                    let (a, b) = (usize::from(self.choice()), usize::from(self.choice()));
                    match self.choice() % 4 {
                        0 => entries.swap(a % n, b % n),
                        1 => {
                            let e = entries[a % n];
                            entries.insert(b % (n + 1), e);
                        }
                        2 => {
                            let e = entries[a % n];
                            entries.insert(a % n, e);
                        }
                        _ => entries.reverse(),
                    }
                }
                let indefinite = self.indefinite(5);
                if !indefinite {
                    self.head(5, entries.len() as u64);
                }
                let mut previous: Option<Vec<u8>> = None;
                let mut out = Vec::new();
                for (k, v) in entries {
                    let offset = self.out.len();
                    self.text(k);
                    let key = Value::Text(k.into()).to_bytes();
                    if let Some(previous) = &previous {
                        if key == *previous {
                            self.record(DecodeError::DuplicateMapKey { offset });
                        } else if key < *previous {
                            self.record(DecodeError::MapKeysUnordered { offset });
                        }
                    }
                    previous = Some(key);
                    out.push((Cbor::Text(k.into()), self.value(v)));
                }
                if indefinite {
                    self.out.push(0xff);
                }
                Cbor::Map(out)
            }
        }
    }
}

/// The lenient encoding of `v`, the first defect in it, and ciborium's view of it.
fn lenient(v: &Value, choices: &[u8], allowed: u8) -> (Vec<u8>, Option<DecodeError>, Cbor) {
    let mut encoder = Lenient::new(choices, allowed, None);
    let expected = encoder.value(v);
    (encoder.out, encoder.first, expected)
}

/// `v` with leaf number `index` (modulo the number of leaves) replaced by a foreign item.
fn with_foreign(v: &Value, index: usize, foreign: &Foreign) -> Option<(Vec<u8>, DecodeError)> {
    let mut counter = Lenient::new(&[], 0, None);
    counter.value(v);
    if counter.leaves == 0 {
        return None;
    }
    let mut encoder = Lenient::new(&[], 0, Some((index % counter.leaves, foreign)));
    encoder.value(v);
    Some((encoder.out, encoder.first?))
}

/// Inputs of every sort: canonical, lenient encodings, foreign items, trailing bytes, random.
fn arb_input() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        2 => arb_value().prop_map(|v| v.to_bytes()),
        3 => (arb_value_with_maps(), vec(any::<u8>(), 0..64), arb_allowed())
            .prop_map(|(v, c, allowed)| lenient(&v, &c, allowed).0),
        1 => (arb_value(), any::<usize>(), select(foreign_items()))
            .prop_map(|(v, i, f)| with_foreign(&v, i, &f).map_or_else(|| v.to_bytes(), |x| x.0)),
        1 => (arb_value(), vec(any::<u8>(), 1..4)).prop_map(|(v, t)| [v.to_bytes(), t].concat()),
        1 => vec(any::<u8>(), 0..300),
        1 => vec(interesting_byte(), 0..40),
        2 => arb_mutated(),
    ]
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// (a) Whatever Skylark accepts, ciborium decodes to the same value and reads all of it; and
    /// the model of the spec's algorithm reports exactly what the crate reports.
    #[test]
    fn accepted_inputs_mean_the_same_to_ciborium(input in arb_input()) {
        let ours = cbor::decode(&input);
        prop_assert_eq!(model_check(&input), cbor::check(&input), "{}", hex::encode(&input));
        prop_assert_eq!(ours.as_ref().map(|_| ()).map_err(|e| *e), model_check(&input));
        if let Ok(v) = ours {
            let (theirs, read) = ciborium_decode(&input).unwrap();
            prop_assert_eq!(theirs, to_ciborium(&v));
            prop_assert_eq!(read, input.len());
        }
    }

    /// Canonical encodings: both decoders agree, and (c) ciborium writes exactly our bytes.
    #[test]
    fn ciborium_reads_and_writes_our_canonical_bytes(v in arb_value()) {
        let bytes = v.to_bytes();
        let expected = to_ciborium(&v);
        prop_assert_eq!(ciborium_decode(&bytes), Ok((expected.clone(), bytes.len())));
        // ciborium writes shortest heads and definite lengths, and keeps map entries in the order
        // given, which `to_ciborium` takes from our canonical order.
        prop_assert_eq!(ciborium_encode(&expected), bytes);
    }

    /// ciborium's own canonical order (RFC 7049 §3.9 length-first, `CanonicalValue`) is our key
    /// order for text keys: entries in any order, sorted by ciborium, give our bytes.
    #[test]
    fn ciborium_canonical_order_is_our_key_order(
        entries in vec((arb_key(), arb_leaf()), 0..10),
        rotation in any::<usize>(),
    ) {
        let map = map_of(entries);
        let Cbor::Map(mut theirs) = to_ciborium(&Value::Map(map.clone())) else {
            return Err(TestCaseError::fail("not a map"));
        };
        if !theirs.is_empty() {
            let n = theirs.len();
            theirs.rotate_left(rotation % n);
            theirs.reverse();
        }
        theirs.sort_by(|a, b| CanonicalValue::from(a.0.clone()).cmp(&CanonicalValue::from(b.0.clone())));
        prop_assert_eq!(ciborium_encode(&Cbor::Map(theirs)), map.to_bytes());
    }

    /// (b) Well-formed but non-canonical encodings (wide heads, indefinite lengths, unordered and
    /// duplicate keys): the crate rejects them with exactly the first defect; ciborium accepts them
    /// and decodes the data they carry. With no deviation, the lenient encoder is an independent
    /// canonical encoder and must give our bytes.
    #[test]
    fn non_canonical_encodings_are_ours_to_reject(
        v in arb_value_with_maps(),
        choices in vec(any::<u8>(), 0..64),
        allowed in arb_allowed(),
    ) {
        let (bytes, first, expected) = lenient(&v, &choices, allowed);
        prop_assert_eq!(model_check(&bytes), cbor::check(&bytes), "{}", hex::encode(&bytes));
        match first {
            None => {
                prop_assert_eq!(&bytes, &v.to_bytes());
                prop_assert_eq!(cbor::decode(&bytes), Ok(v));
            }
            Some(error) => {
                prop_assert_eq!(cbor::decode(&bytes), Err(error), "{}", hex::encode(&bytes));
                prop_assert_eq!(cbor::check(&bytes), Err(error));
                prop_assert!(matches!(
                    error.code(),
                    "cbor.non_minimal_integer"
                        | "cbor.non_minimal_length"
                        | "cbor.indefinite_length"
                        | "cbor.map_keys_unordered"
                        | "cbor.duplicate_map_key"
                ));
                // ciborium is lenient: it reads the whole input and finds the same data, with map
                // entries in their encoded order (duplicates included).
                prop_assert_eq!(ciborium_decode(&bytes), Ok((expected, bytes.len())));
            }
        }
    }

    /// Floats, tags, null, undefined and simple values in place of any leaf: the crate reports that
    /// item, at its offset; ciborium decodes all but the simple values it has no `Value` for.
    #[test]
    fn foreign_items_are_rejected_where_they_are(
        v in arb_value(),
        index in any::<usize>(),
        foreign in select(foreign_items()),
    ) {
        let Some((bytes, error)) = with_foreign(&v, index, &foreign) else {
            return Ok(());
        };
        prop_assert_eq!(cbor::decode(&bytes), Err(error), "{}: {}", foreign.name, hex::encode(&bytes));
        prop_assert_eq!(cbor::check(&bytes), Err(error));
        prop_assert_eq!(model_check(&bytes), Err(error));
        let theirs = ciborium_decode(&bytes);
        prop_assert_eq!(theirs.is_ok(), foreign.ciborium_accepts, "{}: {:?}", foreign.name, theirs);
        if let Ok((_, read)) = theirs {
            prop_assert_eq!(read, bytes.len());
        }
    }

    /// ciborium stops after one item; the crate reports the bytes after it, at the same place.
    #[test]
    fn trailing_bytes_start_where_ciborium_stops(v in arb_value(), tail in vec(any::<u8>(), 1..8)) {
        let item = v.to_bytes();
        let input = [item.clone(), tail].concat();
        prop_assert_eq!(
            cbor::decode(&input),
            Err(DecodeError::TrailingBytes { offset: item.len() })
        );
        prop_assert_eq!(ciborium_decode(&input), Ok((to_ciborium(&v), item.len())));
    }
}

/// Truncations of inputs of every sort, and inputs around the depth limit.
fn arb_any_input() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        6 => arb_input(),
        2 => (arb_input(), any::<usize>()).prop_map(|(mut b, cut)| {
            b.truncate(cut % (b.len() + 1));
            b
        }),
        1 => (arb_value(), (MAX_DEPTH - 4)..(MAX_DEPTH + 2), any::<bool>()).prop_map(|(v, levels, map)| {
            let mut bytes = Vec::new();
            for _ in 0..levels {
                bytes.extend_from_slice(if map { &[0xa1, 0x60][..] } else { &[0x81][..] });
            }
            bytes.extend(v.to_bytes());
            bytes
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// The exact agreement: accepted by the crate if and only if ciborium reads the whole input to
    /// a value within the profile whose canonical encoding is the input; then the same value.
    #[test]
    fn the_crate_accepts_exactly_the_profile_canonical_inputs(input in arb_any_input()) {
        let ours = cbor::decode(&input);
        let theirs = ciborium_profile_value(&input);
        match (&ours, &theirs) {
            (Ok(v), Some(t)) => prop_assert_eq!(&to_ciborium(v), t),
            (Err(_), None) => {}
            _ => prop_assert!(
                false,
                "disagree on {}: ours {:?}, ciborium-in-profile {:?}",
                hex::encode(&input),
                ours,
                theirs
            ),
        }
    }
}

/// Fixed examples of ciborium's leniency, one per non-canonical rule, as documentation.
#[test]
fn ciborium_accepts_what_the_profile_forbids() {
    let int = |n: i128| Cbor::Integer(Integer::try_from(n).unwrap());
    let text = |s: &str| Cbor::Text(s.into());
    let cases: [(&[u8], DecodeError, Cbor); 8] = [
        (
            &[0x18, 0x01],
            DecodeError::NonMinimalInteger { offset: 0 },
            int(1),
        ),
        (
            &[0x3b, 0, 0, 0, 0, 0, 0, 0, 0x00],
            DecodeError::NonMinimalInteger { offset: 0 },
            int(-1),
        ),
        (
            &[0x78, 0x01, b'a'],
            DecodeError::NonMinimalLength { offset: 0 },
            text("a"),
        ),
        (
            &[0x9f, 0x01, 0xff],
            DecodeError::IndefiniteLength { offset: 0 },
            Cbor::Array(vec![int(1)]),
        ),
        (
            &[0x7f, 0x61, b'a', 0x61, b'b', 0xff],
            DecodeError::IndefiniteLength { offset: 0 },
            text("ab"),
        ),
        (
            &[0xa2, 0x61, b'b', 0x00, 0x61, b'a', 0x00],
            DecodeError::MapKeysUnordered { offset: 4 },
            Cbor::Map(vec![(text("b"), int(0)), (text("a"), int(0))]),
        ),
        (
            // Length-first order: "aa" after "b".
            &[0xa2, 0x62, b'a', b'a', 0x00, 0x61, b'b', 0x00],
            DecodeError::MapKeysUnordered { offset: 5 },
            Cbor::Map(vec![(text("aa"), int(0)), (text("b"), int(0))]),
        ),
        (
            &[0xa2, 0x61, b'a', 0x00, 0x61, b'a', 0x01],
            DecodeError::DuplicateMapKey { offset: 4 },
            Cbor::Map(vec![(text("a"), int(0)), (text("a"), int(1))]),
        ),
    ];
    for (bytes, error, value) in cases {
        assert_eq!(cbor::decode(bytes), Err(error), "{}", hex::encode(bytes));
        assert_eq!(model_check(bytes), Err(error), "{}", hex::encode(bytes));
        assert_eq!(ciborium_decode(bytes), Ok((value, bytes.len())));
    }
    // The integer extremes, both ways.
    for v in [Value::Negative(u64::MAX), Value::Unsigned(u64::MAX)] {
        let bytes = v.to_bytes();
        assert_eq!(ciborium_decode(&bytes), Ok((to_ciborium(&v), 9)));
        assert_eq!(ciborium_encode(&to_ciborium(&v)), bytes);
    }
    assert_eq!(
        ciborium_encode(&to_ciborium(&Value::Negative(u64::MAX))),
        [0x3b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
    );
}

/// The limits, which random inputs do not reach: nesting depth and input size.
#[test]
fn limits_agree_with_the_model() {
    for depth in [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1] {
        for inner in [&[0x80u8][..], &[0xa0], &[0xa1, 0x60, 0x80], &[0x00]] {
            let input = [vec![0x81; depth], inner.to_vec()].concat();
            assert_eq!(
                cbor::check(&input),
                model_check(&input),
                "{}",
                hex::encode(&input)
            );
            if let Ok(v) = cbor::decode(&input) {
                assert_eq!(ciborium_decode(&input), Ok((to_ciborium(&v), input.len())));
            }
        }
    }
    let mut input = vec![0x59, 0xff, 0xfd];
    input.resize(MAX_SIZE, 0);
    assert_eq!(cbor::check(&input), Ok(()));
    assert_eq!(model_check(&input), Ok(()));
    input.push(0);
    assert_eq!(cbor::check(&input), model_check(&input));
}
