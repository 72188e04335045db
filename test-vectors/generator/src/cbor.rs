//! A tiny canonical CBOR writer for the Skylark profile (written here from the design, not taken from the
//! library): heads in shortest form, definite lengths, map keys sorted by their encoded bytes.
//! Also RFC 8949 section 8 diagnostic notation for the values it can write.
//!
//! Two escape hatches build deliberately defective bytes: `Raw` splices pre-encoded bytes verbatim, and
//! `MapInOrder` writes a map's entries in the given order with arbitrary keys (no sorting, no checks).

use crate::util::{hex, json_string};

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Major 0.
    U(u64),
    /// Major 1 with argument n, i.e. the integer -1-n.
    N(u64),
    /// Major 2.
    B(Vec<u8>),
    /// Major 3.
    T(String),
    /// Major 4.
    A(Vec<Value>),
    /// Major 5 with text keys; encoded in canonical key order (duplicates panic).
    M(Vec<(String, Value)>),
    /// false / true.
    Bool(bool),
    /// Pre-encoded bytes spliced verbatim (for defects).
    Raw(Vec<u8>),
    /// A map written in exactly this entry order, keys of any kind (for defects).
    MapInOrder(Vec<(Value, Value)>),
}

/// A head in shortest form.
pub fn head(major: u8, arg: u64) -> Vec<u8> {
    let m = major << 5;
    if arg < 24 {
        vec![m | arg as u8]
    } else if arg <= 0xff {
        vec![m | 24, arg as u8]
    } else if arg <= 0xffff {
        let mut v = vec![m | 25];
        v.extend_from_slice(&(arg as u16).to_be_bytes());
        v
    } else if arg <= 0xffff_ffff {
        let mut v = vec![m | 26];
        v.extend_from_slice(&(arg as u32).to_be_bytes());
        v
    } else {
        let mut v = vec![m | 27];
        v.extend_from_slice(&arg.to_be_bytes());
        v
    }
}

/// The entries of a canonical map, sorted by encoded key bytes, each with its encoded key.
fn sorted_entries(entries: &[(String, Value)]) -> Vec<(Vec<u8>, &String, &Value)> {
    let mut v: Vec<(Vec<u8>, &String, &Value)> = entries
        .iter()
        .map(|(k, val)| (encode(&Value::T(k.clone())), k, val))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    for w in v.windows(2) {
        assert!(
            w[0].0 != w[1].0,
            "duplicate map key {:?} in a canonical map",
            w[0].1
        );
    }
    v
}

pub fn encode_into(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::U(n) => out.extend(head(0, *n)),
        Value::N(n) => out.extend(head(1, *n)),
        Value::B(b) => {
            out.extend(head(2, b.len() as u64));
            out.extend_from_slice(b);
        }
        Value::T(s) => {
            out.extend(head(3, s.len() as u64));
            out.extend_from_slice(s.as_bytes());
        }
        Value::A(items) => {
            out.extend(head(4, items.len() as u64));
            for i in items {
                encode_into(i, out);
            }
        }
        Value::M(entries) => {
            out.extend(head(5, entries.len() as u64));
            for (k, _, val) in sorted_entries(entries) {
                out.extend(k);
                encode_into(val, out);
            }
        }
        Value::Bool(b) => out.push(if *b { 0xf5 } else { 0xf4 }),
        Value::Raw(bytes) => out.extend_from_slice(bytes),
        Value::MapInOrder(entries) => {
            out.extend(head(5, entries.len() as u64));
            for (k, val) in entries {
                encode_into(k, out);
                encode_into(val, out);
            }
        }
    }
}

pub fn encode(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    encode_into(v, &mut out);
    out
}

/// RFC 8949 section 8 diagnostic notation: integers in decimal, byte strings h'..', text as a JSON
/// string, arrays [a, b], maps {"k": v} in encoded key order, true/false. Panics on the defect helpers.
pub fn diag(v: &Value) -> String {
    match v {
        Value::U(n) => n.to_string(),
        Value::N(n) => (-1i128 - i128::from(*n)).to_string(),
        Value::B(b) => format!("h'{}'", hex(b)),
        Value::T(s) => json_string(s),
        Value::A(items) => format!(
            "[{}]",
            items.iter().map(diag).collect::<Vec<_>>().join(", ")
        ),
        Value::M(entries) => format!(
            "{{{}}}",
            sorted_entries(entries)
                .into_iter()
                .map(|(_, k, val)| format!("{}: {}", json_string(k), diag(val)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Bool(b) => b.to_string(),
        Value::Raw(_) | Value::MapInOrder(_) => panic!("no diagnostic notation for defect helpers"),
    }
}

/// Shorthands.
pub fn t(s: &str) -> Value {
    Value::T(s.to_string())
}
pub fn m(entries: Vec<(&str, Value)>) -> Value {
    Value::M(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::hex;

    #[test]
    fn heads_are_shortest() {
        assert_eq!(hex(&head(0, 23)), "17");
        assert_eq!(hex(&head(0, 24)), "1818");
        assert_eq!(hex(&head(0, 255)), "18ff");
        assert_eq!(hex(&head(0, 256)), "190100");
        assert_eq!(hex(&head(0, 65535)), "19ffff");
        assert_eq!(hex(&head(0, 65536)), "1a00010000");
        assert_eq!(hex(&head(0, u32::MAX as u64)), "1affffffff");
        assert_eq!(hex(&head(0, 1 << 32)), "1b0000000100000000");
        assert_eq!(hex(&head(1, u64::MAX)), "3bffffffffffffffff");
    }

    #[test]
    fn map_keys_sorted_by_encoded_bytes() {
        let v = m(vec![
            ("aa", Value::U(1)),
            ("b", Value::U(2)),
            ("", Value::U(0)),
        ]);
        assert_eq!(hex(&encode(&v)), "a3600061620262616101");
        assert_eq!(diag(&v), r#"{"": 0, "b": 2, "aa": 1}"#);
    }
}
