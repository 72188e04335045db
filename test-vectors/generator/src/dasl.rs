//! `cbor-dasl.json`: every case of the DASL CBOR fixtures (hyphacoop/dasl-testing, `fixtures/cbor/`) with
//! Skylark's own verdict. The verdicts come from the hand-written table below (decided by walking the
//! design's decoding algorithm by hand), NOT from a decoder. For valid cases the table gives the value,
//! and the generator checks that the canonical writer reproduces the DASL bytes exactly.

use std::path::Path;

use crate::cbor::{diag, encode, m, t, Value};
use crate::util::{file, hex, rule_of, strs, unhex, vector, J};

pub const FILES: [&str; 11] = [
    "cid",
    "concat",
    "floats",
    "indefinite",
    "integer_range",
    "map_keys",
    "numeric_reduction",
    "short_form",
    "simple",
    "tags",
    "utf8",
];

enum Verdict {
    Valid(Value),
    Invalid(&'static str, &'static str),
}
use Verdict::*;

/// The hand-written table: (file, index) -> our verdict, with the algorithm step that decides it.
fn verdict(file: &str, index: usize, data: &[u8]) -> Verdict {
    use Value::*;
    const TAG: (&str, &str) = (
        "cbor.tag",
        "step e: the initial byte is major 6 (a tag); tags are outside the profile",
    );
    const FLOAT: (&str, &str) = (
        "cbor.float",
        "step f: the initial byte is 0xf9/0xfa/0xfb (a float); floats are outside the profile",
    );
    const NMI: (&str, &str) = (
        "cbor.non_minimal_integer",
        "step h: the integer's argument is not in its shortest form",
    );
    const NML: (&str, &str) = (
        "cbor.non_minimal_length",
        "step h: the length/count argument is not in its shortest form",
    );
    const INDEF: (&str, &str) = (
        "cbor.indefinite_length",
        "step d: ai 31 on a string/array/map (indefinite length)",
    );
    let inv = |x: (&'static str, &'static str)| Invalid(x.0, x.1);
    match (file, index) {
        // cid.json: every case starts with 0xd8 / 0xd9: a tag.
        ("cid", 0..=11) => inv(TAG),
        ("concat", 0) => Invalid(
            "cbor.trailing_bytes",
            "step 1: the item 0 is followed by another byte",
        ),
        // floats.json: every case starts with 0xf9, 0xfa or 0xfb.
        ("floats", 0..=22) => inv(FLOAT),
        ("indefinite", 0..=3) => inv(INDEF),
        ("integer_range", 0) => Valid(U(u64::MAX)),
        ("integer_range", 1) => Valid(N(u64::MAX)),
        ("integer_range", 2) => Valid(U((1 << 53) - 1)),
        ("integer_range", 3) => Valid(U((1 << 53) + 1)),
        ("integer_range", 4) => Valid(N((1 << 53) - 2)),
        ("integer_range", 5) => Valid(N(1 << 53)),
        ("integer_range", 6..=10) => inv(TAG),
        ("map_keys", 0) => Valid(m(vec![("a", U(0))])),
        ("map_keys", 1 | 2) => Invalid(
            "cbor.map_key_not_text",
            "step b: the map key 0 is not a text string",
        ),
        ("map_keys", 3) => Valid(m(vec![("a", U(1)), ("b", U(2)), ("aa", U(3))])),
        ("map_keys", 4) => Invalid(
            "cbor.map_keys_unordered",
            "step j: key \"a\" follows the larger key \"b\"",
        ),
        ("map_keys", 5) => Invalid(
            "cbor.duplicate_map_key",
            "step j: key \"a\" equals the previous key",
        ),
        ("numeric_reduction", 0 | 1 | 3) => inv(FLOAT),
        ("numeric_reduction", 2) => Invalid(
            "cbor.map_key_not_text",
            "step b: the first map key is the integer 10 (the float key is never reached)",
        ),
        ("short_form", 0) => Valid(m(vec![("a", U(0))])),
        ("short_form", 1..=4) => inv(NML),
        ("short_form", 5) => Valid(U(1)),
        ("short_form", 6..=9) => inv(NMI),
        ("short_form", 10) => Valid(N(0)),
        ("short_form", 11..=14) => inv(NMI),
        ("short_form", 15) => Valid(B(vec![])),
        ("short_form", 16..=19) => inv(NML),
        ("short_form", 20) => Valid(t("")),
        ("short_form", 21..=24) => inv(NML),
        ("short_form", 25) => Valid(A(vec![])),
        ("short_form", 26..=29) => inv(NML),
        ("short_form", 30) => inv(TAG),
        ("simple", 0 | 1) => Invalid("cbor.undefined", "step f: 0xf7 is undefined"),
        ("simple", 2 | 3) => Invalid("cbor.simple_value", "step f: 0xe0 is simple value 0"),
        ("simple", 4) => Invalid(
            "cbor.null",
            "step f: 0xf6 is null, which the profile excludes",
        ),
        ("tags", 0..=2) => inv(TAG),
        // The long string: its 115 content bytes are the value (the string is kept as given).
        ("utf8", 0) => Valid(T(
            String::from_utf8(data[2..].to_vec()).expect("hand verdict: valid UTF-8")
        )),
        ("utf8", 1) => Valid(t("\r\n\t")),
        ("utf8", 2) => Invalid(
            "cbor.invalid_utf8",
            "step i: c3 starts a two-byte sequence but 28 is not a continuation byte",
        ),
        ("utf8", 3 | 4) => Valid(t("e\u{301}")),
        _ => panic!("no hand-written verdict for DASL {file}[{index}]"),
    }
}

fn valid_rules(v: &Value) -> &'static [&'static str] {
    match v {
        Value::U(_) | Value::N(_) | Value::A(_) => &["CBOR-6"],
        Value::B(_) => &["CBOR-3", "CBOR-6"],
        Value::T(_) => &["CBOR-6", "CBOR-7"],
        Value::M(_) => &["CBOR-6", "CBOR-11", "CBOR-14"],
        _ => unreachable!(),
    }
}

pub fn generate(repo_root: &Path) -> String {
    let dir = repo_root.join("test-vectors/external/dasl-cbor");
    let mut vectors = Vec::new();
    let mut total = 0;
    for f in FILES {
        let text =
            std::fs::read_to_string(dir.join(format!("{f}.json"))).expect("read DASL fixture");
        let cases: serde_json::Value = serde_json::from_str(&text).expect("parse DASL fixture");
        for (index, case) in cases.as_array().expect("array").iter().enumerate() {
            total += 1;
            let s = |k: &str| {
                case[k]
                    .as_str()
                    .unwrap_or_else(|| panic!("{f}[{index}].{k}"))
                    .to_string()
            };
            let data_hex = s("data");
            let data = unhex(&data_hex);
            let ty = s("type");
            let name = s("name");
            let tags: Vec<String> = case["tags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap().to_string())
                .collect();
            let dasl_valid = match ty.as_str() {
                "roundtrip" => Some(true),
                "invalid_in" => Some(false),
                "invalid_out" => None,
                other => panic!("unknown DASL type {other}"),
            };
            let verdict = verdict(f, index, &data);
            let ours_valid = matches!(verdict, Valid(_));
            let agreement = match dasl_valid {
                Some(d) if d == ours_valid => "agrees with DASL for those profiles".to_string(),
                Some(_) => {
                    "DIFFERS from DASL for those profiles: Skylark decides by its own, stricter or \
                            different, rules"
                        .to_string()
                }
                None => "invalid_out is about encoders; Skylark decides only how the bytes decode"
                    .to_string(),
            };
            let head = format!(
                "DASL {f}.json[{index}] \"{name}\" ({ty}; tags {}): {}.",
                tags.join(", "),
                s("desc").trim_end_matches('.')
            );
            let source = crate::util::obj(vec![
                ("file", J::S(format!("{f}.json"))),
                ("index", J::from(index)),
                ("name", J::from(name.as_str())),
                ("type", J::from(ty.as_str())),
                ("tags", strs(&tags)),
            ]);
            let id = format!("dasl-{}-{index}", f.replace('_', "-"));
            match verdict {
                Valid(v) => {
                    assert_eq!(
                        hex(&encode(&v)),
                        data_hex,
                        "hand-written value for {id} does not encode to the DASL data"
                    );
                    let description = format!("{head} Skylark: valid ({agreement}).");
                    vectors.push(vector(
                        &id,
                        &description,
                        valid_rules(&v),
                        None,
                        vec![
                            ("input", J::S(data_hex)),
                            ("diag", J::S(diag(&v))),
                            ("source", source),
                        ],
                    ));
                }
                Invalid(code, why) => {
                    let description = format!("{head} Skylark: {code}, {why} ({agreement}).");
                    vectors.push(vector(
                        &id,
                        &description,
                        &[rule_of(code)],
                        Some(code),
                        vec![("input", J::S(data_hex)), ("source", source)],
                    ));
                }
            }
        }
    }
    assert_eq!(total, 105, "expected all 105 DASL cases");
    file(
        "Every case (105) of the DASL CBOR fixtures (hyphacoop/dasl-testing @ e26bb8cf, fixtures/cbor/, copied \
         under external/dasl-cbor/) with Skylark's verdict under its own profile: `input` is the DASL `data`; \
         `source` gives the DASL file, index, name, type (roundtrip / invalid_in / invalid_out) and profile tags, \
         which concern other profiles. Verdicts come from a table written by hand in the generator (not from a \
         decoder); valid ones give `diag` and must re-encode to exactly `input`.",
        "cbor-dasl",
        vectors,
    )
}
