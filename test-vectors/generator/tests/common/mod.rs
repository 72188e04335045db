//! Shared by the reference checks: a straightforward Skylark-CBOR decoder and envelope verifier written
//! from the design (independent of the generator's writer), and the JSON loading helpers.

#![allow(dead_code)]

use std::path::Path;

use serde_json::Value as Json;
use skylark_test_vectors::cbor::Value;
use skylark_test_vectors::ed;
use skylark_test_vectors::util::{hex, json_string};

// ------------------------------------------------------------------------------------------------ CBOR

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    U(u64),
    N(u64),
    B(Vec<u8>),
    T(String),
    A(Vec<Item>),
    M(Vec<(String, Item)>),
    Bool(bool),
}

struct Dec<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Dec<'_> {
    fn item(&mut self, depth: usize, key: bool) -> Result<Item, &'static str> {
        let ib = *self.b.get(self.pos).ok_or("cbor.truncated")?;
        self.pos += 1;
        let (major, ai) = (ib >> 5, ib & 0x1f);
        if key && major != 3 {
            return Err("cbor.map_key_not_text");
        }
        if (28..=30).contains(&ai) {
            return Err("cbor.malformed_head");
        }
        if ai == 31 {
            return Err(if (2..=5).contains(&major) {
                "cbor.indefinite_length"
            } else {
                "cbor.malformed_head"
            });
        }
        if major == 6 {
            return Err("cbor.tag");
        }
        if major == 7 {
            return match ai {
                20 => Ok(Item::Bool(false)),
                21 => Ok(Item::Bool(true)),
                22 => Err("cbor.null"),
                23 => Err("cbor.undefined"),
                25..=27 => Err("cbor.float"),
                _ => Err("cbor.simple_value"),
            };
        }
        let arg = if ai < 24 {
            u64::from(ai)
        } else {
            let n = 1usize << (ai - 24);
            if self.b.len() - self.pos < n {
                return Err("cbor.truncated");
            }
            let mut a = 0u64;
            for &x in &self.b[self.pos..self.pos + n] {
                a = (a << 8) | u64::from(x);
            }
            self.pos += n;
            a
        };
        let minimal = match ai {
            24 => arg >= 24,
            25 => arg >= 1 << 8,
            26 => arg >= 1 << 16,
            27 => arg >= 1 << 32,
            _ => true,
        };
        if !minimal {
            return Err(if major <= 1 {
                "cbor.non_minimal_integer"
            } else {
                "cbor.non_minimal_length"
            });
        }
        match major {
            0 => Ok(Item::U(arg)),
            1 => Ok(Item::N(arg)),
            2 | 3 => {
                if arg > (self.b.len() - self.pos) as u64 {
                    return Err("cbor.truncated");
                }
                let bytes = self.b[self.pos..self.pos + arg as usize].to_vec();
                self.pos += arg as usize;
                if major == 2 {
                    Ok(Item::B(bytes))
                } else {
                    String::from_utf8(bytes)
                        .map(Item::T)
                        .map_err(|_| "cbor.invalid_utf8")
                }
            }
            4 => {
                if depth > 16 {
                    return Err("cbor.depth_exceeded");
                }
                let mut items = Vec::new();
                for _ in 0..arg {
                    items.push(self.item(depth + 1, false)?);
                }
                Ok(Item::A(items))
            }
            5 => {
                if depth > 16 {
                    return Err("cbor.depth_exceeded");
                }
                let mut entries = Vec::new();
                let mut prev: Option<&[u8]> = None;
                for _ in 0..arg {
                    let start = self.pos;
                    let k = match self.item(depth + 1, true)? {
                        Item::T(s) => s,
                        _ => unreachable!(),
                    };
                    let enc = &self.b[start..self.pos];
                    if let Some(p) = prev {
                        if enc == p {
                            return Err("cbor.duplicate_map_key");
                        }
                        if enc < p {
                            return Err("cbor.map_keys_unordered");
                        }
                    }
                    prev = Some(enc);
                    let v = self.item(depth + 1, false)?;
                    entries.push((k, v));
                }
                Ok(Item::M(entries))
            }
            _ => unreachable!(),
        }
    }
}

pub fn decode(input: &[u8]) -> Result<Item, &'static str> {
    if input.len() > 65536 {
        return Err("cbor.too_large");
    }
    if input.is_empty() {
        return Err("cbor.truncated");
    }
    let mut d = Dec { b: input, pos: 0 };
    let item = d.item(1, false)?;
    if d.pos != input.len() {
        return Err("cbor.trailing_bytes");
    }
    Ok(item)
}

pub fn diag(i: &Item) -> String {
    match i {
        Item::U(n) => n.to_string(),
        Item::N(n) => (-1 - i128::from(*n)).to_string(),
        Item::B(b) => format!("h'{}'", hex(b)),
        Item::T(s) => json_string(s),
        Item::A(v) => format!("[{}]", v.iter().map(diag).collect::<Vec<_>>().join(", ")),
        Item::M(e) => format!(
            "{{{}}}",
            e.iter()
                .map(|(k, v)| format!("{}: {}", json_string(k), diag(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Item::Bool(b) => b.to_string(),
    }
}

pub fn to_value(i: &Item) -> Value {
    match i {
        Item::U(n) => Value::U(*n),
        Item::N(n) => Value::N(*n),
        Item::B(b) => Value::B(b.clone()),
        Item::T(s) => Value::T(s.clone()),
        Item::A(v) => Value::A(v.iter().map(to_value).collect()),
        Item::M(e) => Value::M(e.iter().map(|(k, v)| (k.clone(), to_value(v))).collect()),
        Item::Bool(b) => Value::Bool(*b),
    }
}

// ------------------------------------------------------------------------------------------------ helpers

pub fn load(name: &str) -> Json {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(name);
    let doc: Json = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(doc["format"], 2);
    assert!(doc["_comment"]
        .as_str()
        .unwrap()
        .contains("cargo run -p skylark-test-vectors"));
    doc
}

pub fn vectors(doc: &Json) -> &Vec<Json> {
    doc["vectors"].as_array().unwrap()
}

pub fn s<'a>(v: &'a Json, k: &str) -> &'a str {
    v[k].as_str()
        .unwrap_or_else(|| panic!("{} lacks {k}", v["id"]))
}

// ------------------------------------------------------------------------------------------------ envelopes

pub const MAX53: u64 = (1 << 53) - 1;

pub struct Verified {
    pub header: Vec<u8>,
    pub body: Option<Vec<u8>>,
    pub sig: Vec<u8>,
    pub fields: Vec<(String, Item)>,
}

pub fn schema(
    item: Item,
    known: &[&str],
    required: &[&str],
    check: impl Fn(&str, &Item) -> Result<(), &'static str>,
) -> Result<Vec<(String, Item)>, &'static str> {
    let Item::M(entries) = item else {
        return Err("env.wrong_type");
    };
    if entries.iter().any(|(k, _)| !known.contains(&k.as_str())) {
        return Err("env.unknown_field");
    }
    for r in required {
        if !entries.iter().any(|(k, _)| k == r) {
            return Err("env.missing_field");
        }
    }
    for (k, v) in &entries {
        check(k, v)?;
    }
    Ok(entries)
}

pub fn get<'a>(e: &'a [(String, Item)], k: &str) -> Option<&'a Item> {
    e.iter().find(|(key, _)| key == k).map(|(_, v)| v)
}

pub fn valid_kind(k: &str) -> bool {
    (1..=128).contains(&k.len())
        && k.split('.').all(|seg| {
            !seg.is_empty()
                && seg
                    .bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_' || c == b'-')
        })
}

pub fn verify_envelope(input: &[u8]) -> Result<Verified, (&'static str, Option<&'static str>)> {
    let plain = |e: &'static str| (e, None);
    if input.len() > 65536 {
        return Err(plain("env.too_large"));
    }
    let outer = decode(input).map_err(|e| (e, Some("message")))?;
    let outer = schema(outer, &["b", "h", "s"], &["h", "s"], |k, v| match v {
        Item::B(b) if k == "s" && b.len() != 64 => Err("env.field_length"),
        Item::B(_) => Ok(()),
        _ => Err("env.wrong_type"),
    })
    .map_err(plain)?;
    let bytes = |k: &str| match get(&outer, k) {
        Some(Item::B(b)) => Some(b.clone()),
        _ => None,
    };
    let (header, sig, body) = (bytes("h").unwrap(), bytes("s").unwrap(), bytes("b"));
    let h = decode(&header).map_err(|e| (e, Some("header")))?;
    // ENV-5 (the item is a map), then ENV-6 (version) before the rest of the header schema.
    let Item::M(entries) = &h else {
        return Err(plain("env.wrong_type"));
    };
    match get(entries, "v") {
        None => return Err(plain("env.missing_field")),
        Some(Item::U(1)) => {}
        Some(Item::U(_)) => return Err(plain("env.unsupported_version")),
        Some(_) => return Err(plain("env.wrong_type")),
    }
    let h = schema(
        h,
        &["v", "key", "seq", "acct", "body", "kind", "prev", "time"],
        &["v", "key", "seq", "acct", "body", "kind", "time"],
        |k, v| match (k, v) {
            ("v" | "seq" | "time", Item::U(_)) => Ok(()),
            ("kind", Item::T(_)) => Ok(()),
            ("key" | "acct" | "body" | "prev", Item::B(b)) => {
                if b.len() == 32 {
                    Ok(())
                } else {
                    Err("env.field_length")
                }
            }
            _ => Err("env.wrong_type"),
        },
    )
    .map_err(plain)?;
    let uint = |k: &str| match get(&h, k) {
        Some(Item::U(n)) => *n,
        _ => unreachable!(),
    };
    let bstr = |k: &str| match get(&h, k) {
        Some(Item::B(b)) => Some(b.clone()),
        _ => None,
    };
    let key = bstr("key").unwrap();
    ed::check_key(&key).map_err(plain)?;
    let seq = uint("seq");
    if !(1..=MAX53).contains(&seq) {
        return Err(plain("env.seq_out_of_range"));
    }
    match (seq > 1, bstr("prev").is_some()) {
        (true, false) => return Err(plain("env.prev_missing")),
        (false, true) => return Err(plain("env.prev_unexpected")),
        _ => {}
    }
    if uint("time") > MAX53 {
        return Err(plain("env.time_out_of_range"));
    }
    let Some(Item::T(kind)) = get(&h, "kind") else {
        unreachable!()
    };
    if !valid_kind(kind) {
        return Err(plain("env.invalid_kind"));
    }
    if let Some(b) = &body {
        match decode(b).map_err(|e| (e, Some("body")))? {
            Item::M(_) => {}
            _ => return Err(plain("env.body_not_map")),
        }
        if blake3::derive_key("skylark v1 message body", b).to_vec() != bstr("body").unwrap() {
            return Err(plain("env.body_hash_mismatch"));
        }
    }
    let si = [b"skylark v1 message signature\0".as_slice(), &header].concat();
    ed::verify(&key, &si, &sig).map_err(plain)?;
    Ok(Verified {
        header,
        body,
        sig,
        fields: h,
    })
}
