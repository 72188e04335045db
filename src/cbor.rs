//! Skylark CBOR: the strict, canonical profile of CBOR (RFC 8949) that every Skylark byte string uses.
//!
//! The profile is specified in `spec/01-encoding.md`. In short: definite lengths only, shortest-form
//! heads, map keys are text strings ordered by the bytewise order of their encodings with no duplicates,
//! and the only values are unsigned and negative integers, byte strings, UTF-8 text strings, arrays, maps,
//! `false` and `true`. Inputs are at most [`MAX_SIZE`] bytes and nest at most [`MAX_DEPTH`] containers
//! deep, and the top-level item must consume the whole input.
//!
//! The decoder follows the normative algorithm of the spec step by step, so the error it reports for an
//! input with several defects is the one every conforming implementation reports: the first defect met.
//! It runs in time linear in the input, allocates nothing for an input it rejects, and for an input it
//! accepts allocates only the decoded value, whose size is linear in the input's.
//!
//! ```
//! use skylark::cbor::{Map, Value};
//!
//! let mut map = Map::new();
//! map.insert("text", Value::from("hello"));
//! map.insert("n", Value::from(7u64));
//! let value = Value::Map(map);
//! let bytes = value.to_bytes();
//! // Keys come out in canonical order ("n" before "text"), whatever order they went in.
//! assert_eq!(bytes, [0xa2, 0x61, b'n', 0x07, 0x64, b't', b'e', b'x', b't', 0x65, b'h', b'e', b'l', b'l', b'o']);
//! assert_eq!(skylark::cbor::decode(&bytes)?, value);
//! assert_eq!(value.to_string(), r#"{"n": 7, "text": "hello"}"#);
//! # Ok::<(), skylark::cbor::DecodeError>(())
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Ordering;
use core::fmt;

/// The largest input, in bytes, that the decoder accepts (rule CBOR-1).
pub const MAX_SIZE: usize = 65_536;

/// The deepest nesting of arrays and maps that the decoder accepts (rule CBOR-12). The top-level item
/// has depth 1.
pub const MAX_DEPTH: usize = 16;

/// Why a byte string is not Skylark CBOR.
///
/// Every variant carries the byte offset at which the defect was found and maps to a stable error code
/// ([`DecodeError::code`]) and the rule it enforces ([`DecodeError::rule`]).
///
/// ```
/// use skylark::cbor::{decode, DecodeError};
///
/// // 1 written with a one-byte argument instead of in the initial byte.
/// let err = decode(&[0x18, 0x01]).unwrap_err();
/// assert_eq!(err, DecodeError::NonMinimalInteger { offset: 0 });
/// assert_eq!(err.code(), "cbor.non_minimal_integer");
/// assert_eq!(err.rule(), "CBOR-6");
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The input is longer than [`MAX_SIZE`].
    #[error("input of {len} bytes exceeds the limit of 65536 bytes")]
    TooLarge {
        /// The input's length.
        len: usize,
    },
    /// The input ends inside a data item (or is empty).
    #[error("input ends inside a data item at offset {offset}")]
    Truncated {
        /// Where more bytes were needed.
        offset: usize,
    },
    /// Bytes follow the top-level data item.
    #[error("trailing bytes after the data item at offset {offset}")]
    TrailingBytes {
        /// The first trailing byte.
        offset: usize,
    },
    /// Additional information 28, 29 or 30, or 31 on a major type that has no indefinite form.
    #[error("malformed initial byte at offset {offset}")]
    MalformedHead {
        /// The initial byte.
        offset: usize,
    },
    /// An indefinite-length byte string, text string, array or map.
    #[error("indefinite-length item at offset {offset}")]
    IndefiniteLength {
        /// The initial byte.
        offset: usize,
    },
    /// An integer whose argument is not in the shortest form.
    #[error("integer not in shortest form at offset {offset}")]
    NonMinimalInteger {
        /// The initial byte.
        offset: usize,
    },
    /// A length or count whose argument is not in the shortest form.
    #[error("length not in shortest form at offset {offset}")]
    NonMinimalLength {
        /// The initial byte.
        offset: usize,
    },
    /// A text string that is not valid UTF-8.
    #[error("text string is not valid UTF-8 at offset {offset}")]
    InvalidUtf8 {
        /// The initial byte of the text string.
        offset: usize,
    },
    /// A floating-point number.
    #[error("floating-point number at offset {offset}")]
    Float {
        /// The initial byte.
        offset: usize,
    },
    /// A tag.
    #[error("tag at offset {offset}")]
    Tag {
        /// The initial byte.
        offset: usize,
    },
    /// The simple value `null`.
    #[error("null at offset {offset}")]
    Null {
        /// The initial byte.
        offset: usize,
    },
    /// The simple value `undefined`.
    #[error("undefined at offset {offset}")]
    Undefined {
        /// The initial byte.
        offset: usize,
    },
    /// A simple value other than `false`, `true`, `null` and `undefined`.
    #[error("simple value at offset {offset}")]
    SimpleValue {
        /// The initial byte.
        offset: usize,
    },
    /// A map key that is not a text string.
    #[error("map key is not a text string at offset {offset}")]
    MapKeyNotText {
        /// The key's initial byte.
        offset: usize,
    },
    /// Arrays and maps nested deeper than [`MAX_DEPTH`].
    #[error("nesting deeper than 16 at offset {offset}")]
    DepthExceeded {
        /// The initial byte of the container that is too deep.
        offset: usize,
    },
    /// A map key equal to the previous key.
    #[error("duplicate map key at offset {offset}")]
    DuplicateMapKey {
        /// The duplicate key's initial byte.
        offset: usize,
    },
    /// A map key that sorts before the previous key.
    #[error("map keys out of canonical order at offset {offset}")]
    MapKeysUnordered {
        /// The out-of-order key's initial byte.
        offset: usize,
    },
}

impl DecodeError {
    /// The stable error code, as used by the spec and the test vectors.
    ///
    /// ```
    /// assert_eq!(skylark::cbor::decode(&[0xf6]).unwrap_err().code(), "cbor.null");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "cbor.too_large",
            Self::Truncated { .. } => "cbor.truncated",
            Self::TrailingBytes { .. } => "cbor.trailing_bytes",
            Self::MalformedHead { .. } => "cbor.malformed_head",
            Self::IndefiniteLength { .. } => "cbor.indefinite_length",
            Self::NonMinimalInteger { .. } => "cbor.non_minimal_integer",
            Self::NonMinimalLength { .. } => "cbor.non_minimal_length",
            Self::InvalidUtf8 { .. } => "cbor.invalid_utf8",
            Self::Float { .. } => "cbor.float",
            Self::Tag { .. } => "cbor.tag",
            Self::Null { .. } => "cbor.null",
            Self::Undefined { .. } => "cbor.undefined",
            Self::SimpleValue { .. } => "cbor.simple_value",
            Self::MapKeyNotText { .. } => "cbor.map_key_not_text",
            Self::DepthExceeded { .. } => "cbor.depth_exceeded",
            Self::DuplicateMapKey { .. } => "cbor.duplicate_map_key",
            Self::MapKeysUnordered { .. } => "cbor.map_keys_unordered",
        }
    }

    /// The ID of the spec rule this error enforces.
    ///
    /// ```
    /// assert_eq!(skylark::cbor::decode(&[0x00, 0x00]).unwrap_err().rule(), "CBOR-2");
    /// ```
    pub fn rule(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "CBOR-1",
            Self::TrailingBytes { .. } => "CBOR-2",
            Self::Truncated { .. } => "CBOR-3",
            Self::MalformedHead { .. } => "CBOR-4",
            Self::IndefiniteLength { .. } => "CBOR-5",
            Self::NonMinimalInteger { .. } | Self::NonMinimalLength { .. } => "CBOR-6",
            Self::InvalidUtf8 { .. } => "CBOR-7",
            Self::Float { .. } => "CBOR-8",
            Self::Tag { .. } => "CBOR-9",
            Self::Null { .. } | Self::Undefined { .. } | Self::SimpleValue { .. } => "CBOR-10",
            Self::MapKeyNotText { .. } => "CBOR-11",
            Self::DepthExceeded { .. } => "CBOR-12",
            Self::DuplicateMapKey { .. } => "CBOR-13",
            Self::MapKeysUnordered { .. } => "CBOR-14",
        }
    }
}

/// One data item of Skylark CBOR.
///
/// Every `Value` has exactly one encoding ([`Value::to_bytes`]), and a `Value` cannot express anything
/// the profile forbids: there is no float, tag or null, and [`Map`] keeps its text keys unique and in
/// canonical order. Integers are split by CBOR major type so that the whole range of both,
/// `-2^64 ..= 2^64 - 1`, is representable exactly once.
///
/// ```
/// use skylark::cbor::Value;
///
/// let v = Value::Array(vec![Value::from(-1i64), Value::Negative(0), Value::from(&b"\x01"[..])]);
/// assert_eq!(v.to_bytes(), [0x83, 0x20, 0x20, 0x41, 0x01]);
/// assert_eq!(v.to_string(), "[-1, -1, h'01']");
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum Value {
    /// An unsigned integer (major type 0).
    Unsigned(u64),
    /// A negative integer (major type 1): `Negative(n)` is the integer `-1 - n`.
    Negative(u64),
    /// A byte string.
    Bytes(Vec<u8>),
    /// A text string.
    Text(String),
    /// An array.
    Array(Vec<Value>),
    /// A map with text keys.
    Map(Map),
    /// `false` or `true`.
    Bool(bool),
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl From<u64> for Value {
    fn from(n: u64) -> Self {
        Value::Unsigned(n)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        if n >= 0 {
            Value::Unsigned(n.unsigned_abs())
        } else {
            // -1 - m = n  =>  m = -1 - n = !n as unsigned
            Value::Negative(!n as u64)
        }
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.into())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(s)
    }
}

impl From<&[u8]> for Value {
    fn from(b: &[u8]) -> Self {
        Value::Bytes(b.into())
    }
}

impl From<Vec<u8>> for Value {
    fn from(b: Vec<u8>) -> Self {
        Value::Bytes(b)
    }
}

impl From<Map> for Value {
    fn from(m: Map) -> Self {
        Value::Map(m)
    }
}

impl Value {
    /// The canonical encoding of this value.
    ///
    /// The result is accepted by [`decode`] unless the value nests deeper than [`MAX_DEPTH`] or
    /// encodes to more than [`MAX_SIZE`] bytes: those limits belong to decoding, and a value built in
    /// memory may exceed them.
    ///
    /// ```
    /// assert_eq!(skylark::cbor::Value::from(500u64).to_bytes(), [0x19, 0x01, 0xf4]);
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    /// Appends the canonical encoding of this value to `out`.
    ///
    /// ```
    /// let mut out = vec![0xff];
    /// skylark::cbor::Value::Bool(true).encode(&mut out);
    /// assert_eq!(out, [0xff, 0xf5]);
    /// ```
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Value::Unsigned(n) => write_head(out, MAJOR_UNSIGNED, *n),
            Value::Negative(n) => write_head(out, MAJOR_NEGATIVE, *n),
            Value::Bytes(b) => write_bytes(out, b),
            Value::Text(s) => write_text(out, s),
            Value::Array(items) => {
                write_head(out, MAJOR_ARRAY, items.len() as u64);
                for item in items {
                    item.encode(out);
                }
            }
            Value::Map(map) => map.encode(out),
            Value::Bool(false) => out.push(0xf4),
            Value::Bool(true) => out.push(0xf5),
        }
    }

    /// The map, if this value is one.
    ///
    /// ```
    /// assert!(skylark::cbor::Value::Bool(true).as_map().is_none());
    /// ```
    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }
}

/// A map with text keys, kept unique and in canonical order (shorter keys first, then bytewise).
///
/// ```
/// use skylark::cbor::{Map, Value};
///
/// let mut map = Map::new();
/// map.insert("bb", Value::from(1u64));
/// map.insert("c", Value::from(2u64));
/// map.insert("a", Value::from(3u64));
/// let keys: Vec<&str> = map.iter().map(|(k, _)| k).collect();
/// assert_eq!(keys, ["a", "c", "bb"]);
/// assert_eq!(map.insert("a", Value::from(4u64)), Some(Value::from(3u64)));
/// assert_eq!(map.get("a"), Some(&Value::from(4u64)));
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Map {
    entries: Vec<(String, Value)>,
}

impl fmt::Debug for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&Value::Map(self.clone()), f)
    }
}

/// The canonical order of two text keys: the bytewise order of their encodings, which is shorter
/// first, then bytewise.
fn key_order(a: &str, b: &str) -> Ordering {
    a.len()
        .cmp(&b.len())
        .then_with(|| a.as_bytes().cmp(b.as_bytes()))
}

impl Map {
    /// An empty map.
    ///
    /// ```
    /// assert!(skylark::cbor::Map::new().is_empty());
    /// ```
    pub fn new() -> Self {
        Map {
            entries: Vec::new(),
        }
    }

    /// The map of `entries`, in `O(n log n)`: inserting them one by one in an order other than the
    /// canonical one shifts the entries after each key, `O(n²)` in all. Of several entries with one
    /// key, the last is kept, as [`Map::insert`] one by one would.
    pub(crate) fn from_entries(mut entries: Vec<(String, Value)>) -> Self {
        // Stable: entries with equal keys keep their order, so the last one given wins below.
        entries.sort_by(|(a, _), (b, _)| {
            #[cfg(test)]
            work::add(1);
            key_order(a, b)
        });
        let mut out: Vec<(String, Value)> = Vec::with_capacity(entries.len());
        for (key, value) in entries {
            match out.last_mut() {
                Some((last, slot)) if *last == key => *slot = value,
                _ => out.push((key, value)),
            }
        }
        Map { entries: out }
    }

    /// Inserts `value` under `key`, returning the value that was there before.
    ///
    /// ```
    /// let mut map = skylark::cbor::Map::new();
    /// assert_eq!(map.insert("k", true.into()), None);
    /// ```
    pub fn insert(&mut self, key: impl Into<String>, value: Value) -> Option<Value> {
        let key = key.into();
        let found = self.entries.binary_search_by(|(k, _)| {
            #[cfg(test)]
            work::add(1);
            key_order(k, &key)
        });
        match found {
            Ok(i) => Some(core::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                #[cfg(test)]
                work::add(self.entries.len() - i);
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    /// The value under `key`.
    ///
    /// ```
    /// assert_eq!(skylark::cbor::Map::new().get("k"), None);
    /// ```
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries
            .binary_search_by(|(k, _)| key_order(k, key))
            .ok()
            .map(|i| &self.entries[i].1)
    }

    /// Removes and returns the value under `key`.
    ///
    /// ```
    /// let mut map = skylark::cbor::Map::new();
    /// map.insert("k", 1u64.into());
    /// assert_eq!(map.remove("k"), Some(1u64.into()));
    /// assert!(map.is_empty());
    /// ```
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        self.entries
            .binary_search_by(|(k, _)| key_order(k, key))
            .ok()
            .map(|i| self.entries.remove(i).1)
    }

    /// The number of entries.
    ///
    /// ```
    /// assert_eq!(skylark::cbor::Map::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the map has no entries.
    ///
    /// ```
    /// assert!(skylark::cbor::Map::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The canonical encoding of this map, as [`Value::to_bytes`] gives for `Value::Map`.
    ///
    /// ```
    /// let mut map = skylark::cbor::Map::new();
    /// map.insert("a", true.into());
    /// assert_eq!(map.to_bytes(), [0xa1, 0x61, b'a', 0xf5]);
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    /// Appends the canonical encoding of this map to `out`.
    ///
    /// ```
    /// let mut out = Vec::new();
    /// skylark::cbor::Map::new().encode(&mut out);
    /// assert_eq!(out, [0xa0]);
    /// ```
    pub fn encode(&self, out: &mut Vec<u8>) {
        write_head(out, MAJOR_MAP, self.len() as u64);
        for (k, v) in self.iter() {
            write_text(out, k);
            v.encode(out);
        }
    }

    /// The entries in canonical order.
    ///
    /// ```
    /// let mut map = skylark::cbor::Map::new();
    /// map.insert("k", 1u64.into());
    /// assert_eq!(map.iter().count(), 1);
    /// ```
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Value)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }
}

impl fmt::Display for Value {
    /// RFC 8949 §8 diagnostic notation: integers in decimal, byte strings as `h'…'`, text strings
    /// quoted with JSON escapes, `[a, b]`, `{"k": v}`, `false`, `true`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Unsigned(n) => write!(f, "{n}"),
            Value::Negative(n) => write!(f, "{}", -1 - i128::from(*n)),
            Value::Bytes(b) => {
                f.write_str("h'")?;
                for byte in b {
                    write!(f, "{byte:02x}")?;
                }
                f.write_str("'")
            }
            Value::Text(s) => write_quoted(f, s),
            Value::Array(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    fmt::Display::fmt(item, f)?;
                }
                f.write_str("]")
            }
            Value::Map(map) => {
                f.write_str("{")?;
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write_quoted(f, k)?;
                    f.write_str(": ")?;
                    fmt::Display::fmt(v, f)?;
                }
                f.write_str("}")
            }
            Value::Bool(b) => write!(f, "{b}"),
        }
    }
}

fn write_quoted(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_str("\"")?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if (c as u32) < 0x20 => write!(f, "\\u{:04x}", c as u32)?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("\"")
}

pub(crate) const MAJOR_UNSIGNED: u8 = 0;
pub(crate) const MAJOR_NEGATIVE: u8 = 1;
pub(crate) const MAJOR_BYTES: u8 = 2;
pub(crate) const MAJOR_TEXT: u8 = 3;
pub(crate) const MAJOR_ARRAY: u8 = 4;
pub(crate) const MAJOR_MAP: u8 = 5;

/// Appends a head in the shortest form.
pub(crate) fn write_head(out: &mut Vec<u8>, major: u8, arg: u64) {
    let m = major << 5;
    if arg < 24 {
        out.push(m | arg as u8);
    } else if arg <= 0xff {
        out.extend_from_slice(&[m | 24, arg as u8]);
    } else if arg <= 0xffff {
        out.push(m | 25);
        out.extend_from_slice(&(arg as u16).to_be_bytes());
    } else if arg <= 0xffff_ffff {
        out.push(m | 26);
        out.extend_from_slice(&(arg as u32).to_be_bytes());
    } else {
        out.push(m | 27);
        out.extend_from_slice(&arg.to_be_bytes());
    }
}

pub(crate) fn write_bytes(out: &mut Vec<u8>, b: &[u8]) {
    write_head(out, MAJOR_BYTES, b.len() as u64);
    out.extend_from_slice(b);
}

pub(crate) fn write_text(out: &mut Vec<u8>, s: &str) {
    write_head(out, MAJOR_TEXT, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// One decoded head, with the content of byte and text strings.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Item<'a> {
    Unsigned(u64),
    Negative(u64),
    Bytes(&'a [u8]),
    Text(&'a str),
    /// An array head with its item count; the items follow.
    Array(u64),
    /// A map head with its entry count; the entries follow.
    Map(u64),
    Bool(bool),
}

/// A cursor over an input, implementing the spec's decoding algorithm one head at a time.
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    pub(crate) fn position(&self) -> usize {
        self.pos
    }

    fn take(&mut self, n: u64) -> Result<&'a [u8], DecodeError> {
        let remaining = self.buf.len() - self.pos;
        if n > remaining as u64 {
            return Err(DecodeError::Truncated {
                offset: self.buf.len(),
            });
        }
        let start = self.pos;
        self.pos += n as usize;
        Ok(&self.buf[start..self.pos])
    }

    /// Reads one head (steps a–i of the spec's algorithm), with string content.
    /// `key` is true where a map key is expected.
    pub(crate) fn head(&mut self, key: bool) -> Result<Item<'a>, DecodeError> {
        let offset = self.pos;
        let initial = match self.buf.get(offset) {
            Some(&b) => b,
            None => return Err(DecodeError::Truncated { offset }),
        };
        let major = initial >> 5;
        let ai = initial & 0x1f;
        if key && major != MAJOR_TEXT {
            return Err(DecodeError::MapKeyNotText { offset });
        }
        match ai {
            28..=30 => return Err(DecodeError::MalformedHead { offset }),
            31 if (MAJOR_BYTES..=MAJOR_MAP).contains(&major) => {
                return Err(DecodeError::IndefiniteLength { offset })
            }
            31 => return Err(DecodeError::MalformedHead { offset }),
            _ => {}
        }
        match major {
            6 => return Err(DecodeError::Tag { offset }),
            7 => {
                self.pos += 1;
                return match ai {
                    20 => Ok(Item::Bool(false)),
                    21 => Ok(Item::Bool(true)),
                    22 => Err(DecodeError::Null { offset }),
                    23 => Err(DecodeError::Undefined { offset }),
                    25..=27 => Err(DecodeError::Float { offset }),
                    _ => Err(DecodeError::SimpleValue { offset }),
                };
            }
            _ => {}
        }
        self.pos += 1;
        let arg = match ai {
            0..=23 => u64::from(ai),
            24 => u64::from(self.take(1)?[0]),
            25 => u64::from(u16::from_be_bytes(to_array(self.take(2)?))),
            26 => u64::from(u32::from_be_bytes(to_array(self.take(4)?))),
            _ => u64::from_be_bytes(to_array(self.take(8)?)),
        };
        let minimal = match ai {
            24 => arg >= 24,
            25 => arg > 0xff,
            26 => arg > 0xffff,
            27 => arg > 0xffff_ffff,
            _ => true,
        };
        if !minimal {
            return Err(if major <= MAJOR_NEGATIVE {
                DecodeError::NonMinimalInteger { offset }
            } else {
                DecodeError::NonMinimalLength { offset }
            });
        }
        Ok(match major {
            MAJOR_UNSIGNED => Item::Unsigned(arg),
            MAJOR_NEGATIVE => Item::Negative(arg),
            MAJOR_BYTES => Item::Bytes(self.take(arg)?),
            MAJOR_TEXT => {
                let bytes = self.take(arg)?;
                Item::Text(
                    core::str::from_utf8(bytes).map_err(|_| DecodeError::InvalidUtf8 { offset })?,
                )
            }
            MAJOR_ARRAY => Item::Array(arg),
            _ => Item::Map(arg),
        })
    }

    /// Reads one map key and checks it against the previous key's encoding (steps b and j).
    /// Returns the key and its complete encoding.
    pub(crate) fn map_key(
        &mut self,
        previous: Option<&[u8]>,
    ) -> Result<(&'a str, &'a [u8]), DecodeError> {
        let offset = self.pos;
        let key = match self.head(true)? {
            Item::Text(t) => t,
            // `head(true)` only returns text or an error.
            _ => return Err(DecodeError::MapKeyNotText { offset }),
        };
        let encoded = &self.buf[offset..self.pos];
        if let Some(previous) = previous {
            match encoded.cmp(previous) {
                Ordering::Greater => {}
                Ordering::Equal => return Err(DecodeError::DuplicateMapKey { offset }),
                Ordering::Less => return Err(DecodeError::MapKeysUnordered { offset }),
            }
        }
        Ok((key, encoded))
    }

    /// Checks one complete data item at `depth` without building it.
    pub(crate) fn skip(&mut self, depth: usize) -> Result<(), DecodeError> {
        let offset = self.pos;
        match self.head(false)? {
            Item::Array(n) => {
                check_depth(depth, offset)?;
                for _ in 0..n {
                    self.skip(depth + 1)?;
                }
            }
            Item::Map(n) => {
                check_depth(depth, offset)?;
                let mut previous = None;
                for _ in 0..n {
                    let (_, encoded) = self.map_key(previous)?;
                    previous = Some(encoded);
                    self.skip(depth + 1)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Decodes one complete data item at `depth`.
    fn value(&mut self, depth: usize) -> Result<Value, DecodeError> {
        let offset = self.pos;
        Ok(match self.head(false)? {
            Item::Unsigned(n) => Value::Unsigned(n),
            Item::Negative(n) => Value::Negative(n),
            Item::Bytes(b) => Value::Bytes(b.into()),
            Item::Text(t) => Value::Text(t.into()),
            Item::Bool(b) => Value::Bool(b),
            Item::Array(n) => {
                check_depth(depth, offset)?;
                // Never reserve more than the remaining input could hold (each item is >= 1 byte).
                let mut items = Vec::with_capacity(self.bounded(n));
                for _ in 0..n {
                    items.push(self.value(depth + 1)?);
                }
                Value::Array(items)
            }
            Item::Map(n) => {
                check_depth(depth, offset)?;
                let mut entries = Vec::with_capacity(self.bounded(n));
                let mut previous = None;
                for _ in 0..n {
                    let (key, encoded) = self.map_key(previous)?;
                    previous = Some(encoded);
                    entries.push((String::from(key), self.value(depth + 1)?));
                }
                Value::Map(Map { entries })
            }
        })
    }

    fn bounded(&self, n: u64) -> usize {
        let remaining = self.buf.len() - self.pos;
        if n < remaining as u64 {
            n as usize
        } else {
            remaining
        }
    }

    /// Fails with `TrailingBytes` unless the whole input has been consumed.
    pub(crate) fn finish(&self) -> Result<(), DecodeError> {
        if self.pos == self.buf.len() {
            Ok(())
        } else {
            Err(DecodeError::TrailingBytes { offset: self.pos })
        }
    }
}

fn check_depth(depth: usize, offset: usize) -> Result<(), DecodeError> {
    if depth > MAX_DEPTH {
        Err(DecodeError::DepthExceeded { offset })
    } else {
        Ok(())
    }
}

fn to_array<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(bytes);
    out
}

fn check_size(input: &[u8]) -> Result<(), DecodeError> {
    if input.len() > MAX_SIZE {
        Err(DecodeError::TooLarge { len: input.len() })
    } else {
        Ok(())
    }
}

/// Decodes one Skylark CBOR data item that spans the whole input.
///
/// # Errors
///
/// The first defect the spec's decoding algorithm meets, as a [`DecodeError`].
///
/// ```
/// use skylark::cbor::{decode, Value, DecodeError};
///
/// assert_eq!(decode(&[0x82, 0xf4, 0xf5])?, Value::Array(vec![false.into(), true.into()]));
/// // Keys out of order: "b" before "a".
/// assert_eq!(
///     decode(&[0xa2, 0x61, b'b', 0x00, 0x61, b'a', 0x00]),
///     Err(DecodeError::MapKeysUnordered { offset: 4 })
/// );
/// # Ok::<(), DecodeError>(())
/// ```
pub fn decode(input: &[u8]) -> Result<Value, DecodeError> {
    // The whole input is checked before anything is allocated: a rejected input allocates nothing,
    // and while building, every count read is the true number of items that follow, so every
    // reservation is exact. Reserving by counts that were not yet checked let inputs that claim
    // huge counts at every level of nesting reserve up to MAX_DEPTH times the remaining input per
    // level (58 MB for one 64 KiB input).
    check(input)?;
    let mut reader = Reader::new(input);
    let value = reader.value(1)?;
    reader.finish()?;
    Ok(value)
}

/// Checks that the input is one Skylark CBOR data item, without building it or allocating.
///
/// Accepts exactly the inputs that [`decode`] accepts, with the same errors.
///
/// # Errors
///
/// The first defect the spec's decoding algorithm meets, as a [`DecodeError`].
///
/// ```
/// assert!(skylark::cbor::check(&[0xa1, 0x61, b'a', 0x01]).is_ok());
/// assert_eq!(skylark::cbor::check(&[0xfb]).unwrap_err().code(), "cbor.float");
/// ```
pub fn check(input: &[u8]) -> Result<(), DecodeError> {
    check_size(input)?;
    let mut reader = Reader::new(input);
    reader.skip(1)?;
    reader.finish()
}

/// A count of the work done building maps (key comparisons and entries shifted), per thread, for
/// the growth tests of the modules that build large maps (`merge`).
#[cfg(test)]
pub(crate) mod work {
    extern crate std;

    use core::cell::Cell;

    std::thread_local! {
        static WORK: Cell<usize> = const { Cell::new(0) };
    }

    /// Counts `n` units of work.
    pub(crate) fn add(n: usize) {
        WORK.with(|w| w.set(w.get() + n));
    }

    /// The work counted on this thread since the last call.
    pub(crate) fn take() -> usize {
        WORK.with(|w| w.replace(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;

    #[test]
    fn heads_are_shortest_at_every_boundary() {
        for (n, len) in [
            (0u64, 1usize),
            (23, 1),
            (24, 2),
            (255, 2),
            (256, 3),
            (65535, 3),
            (65536, 5),
            (u32::MAX as u64, 5),
            (u32::MAX as u64 + 1, 9),
            (u64::MAX, 9),
        ] {
            let bytes = Value::Unsigned(n).to_bytes();
            assert_eq!(bytes.len(), len, "{n}");
            assert_eq!(decode(&bytes), Ok(Value::Unsigned(n)));
        }
    }

    #[test]
    fn i64_conversion_covers_the_extremes() {
        assert_eq!(Value::from(i64::MIN), Value::Negative(i64::MAX as u64));
        assert_eq!(Value::from(-1i64), Value::Negative(0));
        assert_eq!(
            Value::Negative(u64::MAX).to_string(),
            "-18446744073709551616"
        );
    }

    #[test]
    fn huge_claimed_counts_allocate_nothing_and_fail_cleanly() {
        assert_eq!(
            decode(&[0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            Err(DecodeError::Truncated { offset: 9 })
        );
        assert_eq!(
            decode(&[0x5b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            Err(DecodeError::Truncated { offset: 9 })
        );
    }

    #[test]
    fn depth_limit_is_exact() {
        let ok = [vec![0x81u8; MAX_DEPTH - 1], vec![0x80]].concat();
        assert!(decode(&ok).is_ok());
        let too_deep = [vec![0x81u8; MAX_DEPTH], vec![0x80]].concat();
        assert_eq!(
            decode(&too_deep),
            Err(DecodeError::DepthExceeded { offset: MAX_DEPTH })
        );
    }

    #[test]
    fn map_key_order_is_length_first() {
        let mut map = Map::new();
        map.insert("aa", Value::from(1u64));
        map.insert("b", Value::from(2u64));
        let bytes = Value::Map(map).to_bytes();
        assert_eq!(bytes, [0xa2, 0x61, b'b', 0x02, 0x62, b'a', b'a', 0x01]);
        assert!(check(&bytes).is_ok());
    }
}
