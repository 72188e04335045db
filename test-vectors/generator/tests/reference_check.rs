//! A second, independent derivation of every expected verdict: a straightforward implementation of the
//! design's algorithms (CBOR decoding, ID-4 parsing, envelope verification; the Ed25519 predicate is the
//! generator's `ed` module) run over the checked-in JSON files, the way an implementation in any language
//! would consume them. The generator decides verdicts by hand-written tables and construction; this test
//! makes sure both derivations agree, vector by vector.

mod common;

use common::*;
use serde_json::Value as Json;
use skylark_test_vectors::cbor::encode;
use skylark_test_vectors::ed::{self, Key};
use skylark_test_vectors::util::{base32, hex, unhex};

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
