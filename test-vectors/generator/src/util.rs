//! Small self-written helpers: lower-case hex, RFC 4648 base32 (lower-case, no padding), an ordered JSON
//! value with a deterministic pretty printer, and the common vector/file layout.

use std::collections::BTreeSet;

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// Parses hex (either case, optional ASCII whitespace between digit pairs). Panics on bad input: only
/// used on literals written in this crate and on the external suites.
pub fn unhex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
    assert!(digits.len() % 2 == 0, "odd hex length: {s}");
    let val = |c: u8| -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => panic!("bad hex digit in {s}"),
        }
    };
    digits
        .chunks(2)
        .map(|p| (val(p[0]) << 4) | val(p[1]))
        .collect()
}

/// The ID-4 alphabet: RFC 4648 base32, lower case.
pub const B32_ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// RFC 4648 base32, lower-case alphabet, no padding. Bits are taken most significant first; the last
/// character's unused low bits are zero.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buf: u32 = 0;
    let mut bits: u32 = 0;
    for &b in bytes {
        buf = (buf << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(B32_ALPHABET[((buf >> bits) & 31) as usize] as char);
        }
        buf &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(B32_ALPHABET[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// An ordered JSON value (object members keep insertion order).
#[derive(Clone, Debug, PartialEq)]
pub enum J {
    Null,
    Bool(bool),
    U(u64),
    I(i64),
    S(String),
    A(Vec<J>),
    O(Vec<(String, J)>),
}

impl From<&str> for J {
    fn from(s: &str) -> J {
        J::S(s.to_string())
    }
}
impl From<String> for J {
    fn from(s: String) -> J {
        J::S(s)
    }
}
impl From<&String> for J {
    fn from(s: &String) -> J {
        J::S(s.clone())
    }
}
impl From<u64> for J {
    fn from(n: u64) -> J {
        J::U(n)
    }
}
impl From<usize> for J {
    fn from(n: usize) -> J {
        J::U(n as u64)
    }
}
impl From<bool> for J {
    fn from(b: bool) -> J {
        J::Bool(b)
    }
}
impl<T: Into<J>> From<Option<T>> for J {
    fn from(o: Option<T>) -> J {
        match o {
            Some(v) => v.into(),
            None => J::Null,
        }
    }
}

/// Builds an object from (key, value) pairs, keeping their order.
pub fn obj(pairs: Vec<(&str, J)>) -> J {
    J::O(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

/// An array of strings.
pub fn strs<S: AsRef<str>>(items: &[S]) -> J {
    J::A(items.iter().map(|s| J::S(s.as_ref().to_string())).collect())
}

/// A JSON string literal, escaped the way serde_json does it (", \, control characters; everything else,
/// non-ASCII included, written as is).
/// The format of every vector file and of MANIFEST.json (test-vectors/README.md, "Format history").
pub const FORMAT: u64 = 2;

pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn write_json(j: &J, indent: usize, out: &mut String) {
    match j {
        J::Null => out.push_str("null"),
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::U(n) => out.push_str(&n.to_string()),
        J::I(n) => out.push_str(&n.to_string()),
        J::S(s) => out.push_str(&json_string(s)),
        J::A(items) if items.is_empty() => out.push_str("[]"),
        J::A(items) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                out.push_str(&" ".repeat(indent + 2));
                write_json(item, indent + 2, out);
                if i + 1 < items.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&" ".repeat(indent));
            out.push(']');
        }
        J::O(members) if members.is_empty() => out.push_str("{}"),
        J::O(members) => {
            out.push_str("{\n");
            let mut seen = BTreeSet::new();
            for (i, (k, v)) in members.iter().enumerate() {
                assert!(seen.insert(k.clone()), "duplicate JSON member {k}");
                out.push_str(&" ".repeat(indent + 2));
                out.push_str(&json_string(k));
                out.push_str(": ");
                write_json(v, indent + 2, out);
                if i + 1 < members.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            out.push_str(&" ".repeat(indent));
            out.push('}');
        }
    }
}

/// Pretty-printed JSON, 2-space indent, trailing newline.
pub fn pretty(j: &J) -> String {
    let mut s = String::new();
    write_json(j, 0, &mut s);
    s.push('\n');
    s
}

/// The common head of every vector: id, description, rules, valid, and error iff invalid; then `extra`.
pub fn vector(
    id: &str,
    description: &str,
    rules: &[&str],
    error: Option<&str>,
    extra: Vec<(&str, J)>,
) -> J {
    assert!(!rules.is_empty(), "vector {id} names no rule");
    let mut members = vec![
        ("id".to_string(), J::from(id)),
        ("description".to_string(), J::from(description)),
        ("rules".to_string(), strs(rules)),
        ("valid".to_string(), J::Bool(error.is_none())),
    ];
    if let Some(e) = error {
        members.push(("error".to_string(), J::from(e)));
    }
    for (k, v) in extra {
        members.push((k.to_string(), v));
    }
    J::O(members)
}

/// The common file layout. Panics if two vectors share an id.
pub fn file(comment: &str, suite: &str, vectors: Vec<J>) -> String {
    let mut ids = BTreeSet::new();
    for v in &vectors {
        if let J::O(m) = v {
            let id = m.iter().find(|(k, _)| k == "id").map(|(_, v)| v.clone());
            match id {
                Some(J::S(id)) => assert!(
                    ids.insert(id.clone()),
                    "duplicate vector id {id} in {suite}"
                ),
                _ => panic!("vector without id in {suite}"),
            }
        }
    }
    let doc = obj(vec![
        (
            "_comment",
            J::S(format!(
                "{comment} Generated by `cargo run -p skylark-test-vectors`; do not edit."
            )),
        ),
        ("suite", suite.into()),
        ("format", J::U(FORMAT)),
        ("vectors", J::A(vectors)),
    ]);
    pretty(&doc)
}

/// The rule that an error code belongs to.
pub fn rule_of(code: &str) -> &'static str {
    match code {
        "cbor.too_large" => "CBOR-1",
        "cbor.trailing_bytes" => "CBOR-2",
        "cbor.truncated" => "CBOR-3",
        "cbor.malformed_head" => "CBOR-4",
        "cbor.indefinite_length" => "CBOR-5",
        "cbor.non_minimal_integer" | "cbor.non_minimal_length" => "CBOR-6",
        "cbor.invalid_utf8" => "CBOR-7",
        "cbor.float" => "CBOR-8",
        "cbor.tag" => "CBOR-9",
        "cbor.null" | "cbor.undefined" | "cbor.simple_value" => "CBOR-10",
        "cbor.map_key_not_text" => "CBOR-11",
        "cbor.depth_exceeded" => "CBOR-12",
        "cbor.duplicate_map_key" => "CBOR-13",
        "cbor.map_keys_unordered" => "CBOR-14",
        "id.wrong_prefix" | "id.invalid_length" | "id.invalid_character" | "id.non_canonical" => {
            "ID-4"
        }
        "key.invalid_length" => "SIG-1",
        "key.non_canonical" => "SIG-2",
        "key.not_on_curve" => "SIG-3",
        "key.small_order" => "SIG-4",
        "sig.invalid_length" => "SIG-5",
        "sig.non_canonical_s" => "SIG-6",
        "sig.non_canonical_r" => "SIG-7",
        "sig.r_not_on_curve" => "SIG-8",
        "sig.mismatch" => "SIG-9",
        "env.too_large" => "ENV-1",
        "env.unsupported_version" => "ENV-6",
        "env.seq_out_of_range" => "ENV-8",
        "env.prev_missing" | "env.prev_unexpected" => "ENV-9",
        "env.time_out_of_range" => "ENV-10",
        "env.invalid_kind" => "ENV-11",
        "env.body_not_map" => "ENV-12",
        "env.body_hash_mismatch" => "ENV-13",
        _ => panic!("unknown error code {code}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base32_rfc4648_vectors() {
        // RFC 4648 section 10, lower-cased, padding removed.
        let cases = [
            ("", ""),
            ("f", "my"),
            ("fo", "mzxq"),
            ("foo", "mzxw6"),
            ("foob", "mzxw6yq"),
            ("fooba", "mzxw6ytb"),
            ("foobar", "mzxw6ytboi"),
        ];
        for (input, expected) in cases {
            assert_eq!(base32(input.as_bytes()), expected);
        }
        assert_eq!(base32(&[0u8; 32]).len(), 52);
        assert_eq!(base32(&[0u8; 64]).len(), 103);
    }

    #[test]
    fn hex_roundtrip() {
        assert_eq!(hex(&[0x00, 0xab, 0xff]), "00abff");
        assert_eq!(unhex("00ABff"), vec![0x00, 0xab, 0xff]);
    }

    #[test]
    fn json_escapes_like_serde_json() {
        for s in ["a\"b\\c", "\r\n\t\u{8}\u{c}\u{1}\u{1f}\u{7f}", "é€😀"] {
            assert_eq!(json_string(s), serde_json::to_string(s).unwrap());
        }
    }
}
