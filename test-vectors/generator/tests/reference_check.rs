//! A second, independent derivation of every expected verdict: a straightforward implementation of the
//! design's algorithms (CBOR decoding, ID-4 parsing, envelope verification; the Ed25519 predicate is the
//! generator's `ed` module) run over the checked-in JSON files, the way an implementation in any language
//! would consume them. The generator decides verdicts by hand-written tables and construction; this test
//! makes sure both derivations agree, vector by vector.

use std::path::Path;

use serde_json::Value as Json;
use skylark_test_vectors::cbor::{encode, Value};
use skylark_test_vectors::ed::{self, Key};
use skylark_test_vectors::util::{base32, hex, json_string, unhex};

// ------------------------------------------------------------------------------------------------ CBOR

#[derive(Clone, Debug, PartialEq)]
enum Item {
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

fn decode(input: &[u8]) -> Result<Item, &'static str> {
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

fn diag(i: &Item) -> String {
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

fn to_value(i: &Item) -> Value {
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

fn load(name: &str) -> Json {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(name);
    let doc: Json = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(doc["format"], 1);
    assert!(doc["_comment"]
        .as_str()
        .unwrap()
        .contains("cargo run -p skylark-test-vectors"));
    doc
}

fn vectors(doc: &Json) -> &Vec<Json> {
    doc["vectors"].as_array().unwrap()
}

fn s<'a>(v: &'a Json, k: &str) -> &'a str {
    v[k].as_str()
        .unwrap_or_else(|| panic!("{} lacks {k}", v["id"]))
}

/// Checks the common shape and returns the expected result (None = valid).
fn expected(v: &Json) -> Option<String> {
    let id = s(v, "id");
    assert!(!s(v, "description").is_empty(), "{id}");
    assert!(!v["rules"].as_array().unwrap().is_empty(), "{id}");
    match v["valid"].as_bool().unwrap() {
        true => {
            assert!(v.get("error").is_none(), "{id}: valid with error");
            None
        }
        false => Some(s(v, "error").to_string()),
    }
}

fn check_cbor_file(name: &str) -> usize {
    let doc = load(name);
    for v in vectors(&doc) {
        let id = s(v, "id");
        let input = unhex(s(v, "input"));
        match (expected(v), decode(&input)) {
            (None, Ok(item)) => {
                assert_eq!(diag(&item), s(v, "diag"), "{id}: diag");
                assert_eq!(
                    encode(&to_value(&item)),
                    input,
                    "{id}: encode(decode(x)) != x"
                );
            }
            (Some(e), Err(got)) => assert_eq!(got, e, "{id}"),
            (e, got) => panic!("{id}: expected {e:?}, reference decoder gives {got:?}"),
        }
    }
    vectors(&doc).len()
}

#[test]
fn cbor_vectors_agree_with_reference_decoder() {
    assert!(check_cbor_file("cbor.json") > 100);
}

#[test]
fn dasl_vectors_agree_with_reference_decoder() {
    assert_eq!(check_cbor_file("cbor-dasl.json"), 105);
}

// ------------------------------------------------------------------------------------------------ identifiers

fn parse_text(name: &str, text: &str) -> Result<Vec<u8>, &'static str> {
    let (prefix, n) = match name {
        "account_id" => ("acct", 32),
        "message_id" => ("msg", 32),
        "public_key" => ("pub", 32),
        "signature" => ("sig", 64),
        _ => panic!("name {name}"),
    };
    let (p, rest) = text.split_once('_').ok_or("id.wrong_prefix")?;
    if p != prefix {
        return Err("id.wrong_prefix");
    }
    let chars = (n * 8usize).div_ceil(5);
    if rest.len() != chars {
        return Err("id.invalid_length");
    }
    let alphabet = b"abcdefghijklmnopqrstuvwxyz234567";
    let vals: Vec<u8> = rest
        .bytes()
        .map(|c| alphabet.iter().position(|&a| a == c).map(|x| x as u8))
        .collect::<Option<_>>()
        .ok_or("id.invalid_character")?;
    let mut out = Vec::new();
    let (mut buf, mut bits) = (0u32, 0u32);
    for v in vals {
        buf = (buf << 5) | u32::from(v);
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
            buf &= (1 << bits) - 1;
        }
    }
    if buf != 0 {
        return Err("id.non_canonical");
    }
    assert_eq!(out.len(), n);
    if name == "public_key" {
        ed::check_key(&out)?;
    }
    Ok(out)
}

#[test]
fn identifier_vectors_agree_with_reference() {
    let doc = load("identifiers.json");
    for v in vectors(&doc) {
        let id = s(v, "id");
        let exp = expected(v);
        match s(v, "type") {
            "hash" => {
                assert_eq!(exp, None);
                let out = blake3::derive_key(s(v, "context"), &unhex(s(v, "input")));
                assert_eq!(hex(&out), s(v, "output"), "{id}");
            }
            "text" => match (exp, parse_text(s(v, "name"), s(v, "text"))) {
                (None, Ok(bytes)) => {
                    assert_eq!(hex(&bytes), s(v, "bytes"), "{id}");
                    assert_eq!(
                        s(v, "text").split_once('_').unwrap().1,
                        base32(&bytes),
                        "{id}"
                    );
                }
                (Some(e), Err(got)) => assert_eq!(got, e, "{id}"),
                (e, got) => panic!("{id}: expected {e:?}, reference gives {got:?}"),
            },
            t => panic!("{id}: type {t}"),
        }
    }
}

// ------------------------------------------------------------------------------------------------ signatures

#[test]
fn signature_vectors_agree_with_reference() {
    for (name, n) in [
        ("signatures.json", None),
        ("ed25519-cctv.json", Some(914)),
        ("ed25519-wycheproof.json", Some(151)),
        ("ed25519-speccheck.json", Some(12)),
    ] {
        let doc = load(name);
        if let Some(n) = n {
            assert_eq!(vectors(&doc).len(), n, "{name}");
        }
        for v in vectors(&doc) {
            let id = s(v, "id");
            let a = unhex(s(v, "public_key"));
            let m = unhex(s(v, "message"));
            let sig = unhex(s(v, "signature"));
            assert_eq!(
                ed::verify(&a, &m, &sig).err().map(str::to_string),
                expected(v),
                "{name} {id}"
            );
            if let Some(seed) = v.get("secret_seed") {
                let k = Key::from_seed(ed::arr32(&unhex(seed.as_str().unwrap())));
                assert_eq!(k.pk.to_vec(), a, "{id}: seed");
                if v["valid"].as_bool().unwrap() {
                    assert_eq!(k.sign(&m).to_vec(), sig, "{id}: deterministic signature");
                }
            }
        }
    }
}

// ------------------------------------------------------------------------------------------------ envelopes

const MAX53: u64 = (1 << 53) - 1;

struct Verified {
    header: Vec<u8>,
    body: Option<Vec<u8>>,
    sig: Vec<u8>,
    fields: Vec<(String, Item)>,
}

fn schema(
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

fn get<'a>(e: &'a [(String, Item)], k: &str) -> Option<&'a Item> {
    e.iter().find(|(key, _)| key == k).map(|(_, v)| v)
}

fn valid_kind(k: &str) -> bool {
    (1..=128).contains(&k.len())
        && k.split('.').all(|seg| {
            !seg.is_empty()
                && seg
                    .bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_' || c == b'-')
        })
}

fn verify_envelope(input: &[u8]) -> Result<Verified, (&'static str, Option<&'static str>)> {
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

#[test]
fn envelope_vectors_agree_with_reference_verifier() {
    let doc = load("envelopes.json");
    for v in vectors(&doc) {
        let id = s(v, "id");
        let input = unhex(s(v, "input"));
        match (expected(v), verify_envelope(&input)) {
            (None, Ok(r)) => {
                assert!(v.get("part").is_none());
                assert_eq!(hex(&r.header), s(v, "header"), "{id}");
                let si = [b"skylark v1 message signature\0".as_slice(), &r.header].concat();
                assert_eq!(hex(&si), s(v, "signing_input"), "{id}");
                assert_eq!(hex(&r.sig), s(v, "signature"), "{id}");
                assert_eq!(
                    r.body.as_ref().map(|b| hex(b)),
                    v["body"].as_str().map(str::to_string),
                    "{id}"
                );
                assert_eq!(v["stripped"].as_bool().unwrap(), r.body.is_none(), "{id}");
                let mid = blake3::derive_key("skylark v1 message id", &r.header);
                assert_eq!(hex(&mid), s(v, "message_id"), "{id}");
                assert_eq!(
                    format!("msg_{}", base32(&mid)),
                    s(v, "message_id_text"),
                    "{id}"
                );
                let f = &v["fields"];
                for (k, item) in &r.fields {
                    let want = &f[k.as_str()];
                    match item {
                        Item::U(n) => assert_eq!(want.as_u64(), Some(*n), "{id}.{k}"),
                        Item::B(b) => assert_eq!(want.as_str(), Some(hex(b).as_str()), "{id}.{k}"),
                        Item::T(t) => assert_eq!(want.as_str(), Some(t.as_str()), "{id}.{k}"),
                        _ => unreachable!(),
                    }
                }
                if get(&r.fields, "prev").is_none() {
                    assert!(f["prev"].is_null(), "{id}");
                }
                let Some(Item::B(bh)) = get(&r.fields, "body") else {
                    unreachable!()
                };
                assert_eq!(hex(bh), s(v, "body_hash"), "{id}");
                let k = Key::from_seed(ed::arr32(&unhex(s(v, "secret_seed"))));
                assert_eq!(hex(&k.pk), f["key"].as_str().unwrap(), "{id}");
                assert_eq!(k.sign(&si).to_vec(), r.sig, "{id}: re-signing");
            }
            (Some(e), Err((got, part))) => {
                assert_eq!(got, e, "{id}");
                assert_eq!(part, v.get("part").and_then(|p| p.as_str()), "{id}: part");
            }
            (e, got) => panic!(
                "{id}: expected {e:?}, reference verifier gives {:?}",
                got.err()
            ),
        }
    }
}

#[test]
fn every_error_code_is_covered() {
    let mut seen = std::collections::BTreeSet::new();
    for f in [
        "cbor.json",
        "identifiers.json",
        "signatures.json",
        "envelopes.json",
    ] {
        for v in vectors(&load(f)) {
            if let Some(e) = v.get("error") {
                seen.insert(format!("{f}:{}", e.as_str().unwrap()));
            }
        }
    }
    let want: &[(&str, &[&str])] = &[
        (
            "cbor.json",
            &[
                "too_large",
                "trailing_bytes",
                "truncated",
                "malformed_head",
                "indefinite_length",
                "non_minimal_integer",
                "non_minimal_length",
                "invalid_utf8",
                "float",
                "tag",
                "null",
                "undefined",
                "simple_value",
                "map_key_not_text",
                "depth_exceeded",
                "duplicate_map_key",
                "map_keys_unordered",
            ],
        ),
        (
            "identifiers.json",
            &[
                "wrong_prefix",
                "invalid_length",
                "invalid_character",
                "non_canonical",
            ],
        ),
    ];
    for (f, codes) in want {
        let area = if *f == "cbor.json" { "cbor" } else { "id" };
        for c in *codes {
            assert!(
                seen.contains(&format!("{f}:{area}.{c}")),
                "{f} lacks {area}.{c}"
            );
        }
    }
    for c in [
        "key.invalid_length",
        "key.non_canonical",
        "key.not_on_curve",
        "key.small_order",
        "sig.invalid_length",
        "sig.non_canonical_s",
        "sig.non_canonical_r",
        "sig.r_not_on_curve",
        "sig.mismatch",
    ] {
        assert!(
            seen.contains(&format!("signatures.json:{c}")),
            "signatures.json lacks {c}"
        );
    }
    for c in [
        "env.too_large",
        "env.wrong_type",
        "env.unknown_field",
        "env.missing_field",
        "env.field_length",
        "env.unsupported_version",
        "key.non_canonical",
        "key.not_on_curve",
        "key.small_order",
        "env.seq_out_of_range",
        "env.prev_missing",
        "env.prev_unexpected",
        "env.time_out_of_range",
        "env.invalid_kind",
        "env.body_not_map",
        "env.body_hash_mismatch",
        "sig.non_canonical_s",
        "sig.non_canonical_r",
        "sig.r_not_on_curve",
        "sig.mismatch",
    ] {
        assert!(
            seen.contains(&format!("envelopes.json:{c}")),
            "envelopes.json lacks {c}"
        );
    }
}
