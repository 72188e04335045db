//! `cbor.json`: the Skylark CBOR profile (CBOR-1..CBOR-14). Every expected verdict below was decided by
//! walking the design's normative decoding algorithm by hand (steps 0, 1, a..j); the description of each
//! invalid vector names the step that fires.

use crate::cbor::{diag, encode, m, t, Value};
use crate::util::{file, hex, rule_of, unhex, vector, J};

struct Out {
    vectors: Vec<J>,
}

impl Out {
    /// A valid vector: the input is the canonical encoding of `v`; if `expect_hex` is given the encoding
    /// must equal it (a hand-written cross-check of the writer).
    fn ok(
        &mut self,
        id: &str,
        description: &str,
        rules: &[&str],
        v: Value,
        expect_hex: Option<&str>,
    ) {
        let bytes = encode(&v);
        if let Some(h) = expect_hex {
            assert_eq!(
                hex(&bytes),
                hex(&unhex(h)),
                "writer disagrees with hand-written hex for {id}"
            );
        }
        assert!(bytes.len() <= 65536);
        self.vectors.push(vector(
            &format!("cbor-{id}"),
            description,
            rules,
            None,
            vec![("input", J::S(hex(&bytes))), ("diag", J::S(diag(&v)))],
        ));
    }

    /// An invalid vector with a hand-decided error. `also` lists further rules the vector exercises
    /// (e.g. the rule that loses a precedence contest).
    fn bad(&mut self, id: &str, description: &str, input: &[u8], error: &str, also: &[&str]) {
        let mut rules = vec![rule_of(error)];
        for r in also {
            if !rules.contains(r) {
                rules.push(r);
            }
        }
        if CONTESTS.contains(&id) {
            rules.push("GEN-2");
        }
        if CLAIMS.contains(&id) {
            rules.push("GEN-3");
        }
        self.vectors.push(vector(
            &format!("cbor-{id}"),
            description,
            &rules,
            Some(error),
            vec![("input", J::S(hex(input)))],
        ));
    }

    fn badh(&mut self, id: &str, description: &str, input_hex: &str, error: &str, also: &[&str]) {
        self.bad(id, description, &unhex(input_hex), error, also);
    }
}

/// Vectors whose input has two defects (or a defect that a later step would also see), so that the
/// check order of 01 §4 decides the code: they also name GEN-2 (00 §5, the first failure decides).
const CONTESTS: &[&str] = &[
    "too-large-before-anything",
    "huge-array-first-item-float",
    "trailing-garbage-not-decoded",
    "trailing-float-not-decoded",
    "malformed-head-dc-not-tag",
    "malformed-head-fc-not-simple",
    "ai31-major6",
    "indefinite-bytes-alone",
    "float64-truncated",
    "float16-alone",
    "tag-head-truncated",
    "tag-non-minimal-number",
    "tag-alone-c6",
    "simple-f8-small-arg",
    "simple-f8-alone",
    "key-float-is-not-text",
    "key-tag-is-not-text",
    "key-malformed-is-not-text",
    "keys-unordered-before-value",
    "keys-repeat-not-adjacent",
    "depth-17-arrays-truncated",
    "depth-17-non-minimal",
    "depth-17-indefinite",
];

/// Vectors that claim a length or count far beyond the input: an implementation that allocates for
/// the claim before checking the remaining input (GEN-3, 01 §4) runs out of memory on them.
const CLAIMS: &[&str] = &[
    "truncated-bytes-len-2pow64-minus-1",
    "truncated-text-len-2pow32",
    "truncated-array-count-2pow64-minus-1",
    "truncated-map-count-2pow32-minus-1",
    "truncated-array-after-items",
    "huge-array-first-item-float",
    "truncated-bytes-len-2pow32",
    "truncated-text-len-2pow64-minus-1",
];

/// n bytes 0, 1, 2, ... (mod 256).
fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| i as u8).collect()
}

/// n lower-case ASCII letters a, b, c, ... (cycling).
fn letters(n: usize) -> String {
    (0..n).map(|i| (b'a' + (i % 26) as u8) as char).collect()
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

pub fn generate() -> String {
    let mut o = Out {
        vectors: Vec::new(),
    };
    use Value::*;

    // ---------------------------------------------------------------- unsigned integers (major 0)
    let uints: &[(&str, u64, &str)] = &[
        ("uint-0", 0, "00"),
        ("uint-23", 23, "17"),
        ("uint-24", 24, "1818"),
        ("uint-255", 255, "18ff"),
        ("uint-256", 256, "190100"),
        ("uint-65535", 65535, "19ffff"),
        ("uint-65536", 65536, "1a00010000"),
        ("uint-2pow32-minus-1", 4294967295, "1affffffff"),
        ("uint-2pow32", 4294967296, "1b0000000100000000"),
        (
            "uint-2pow53-minus-1",
            9007199254740991,
            "1b001fffffffffffff",
        ),
        ("uint-2pow64-minus-1", u64::MAX, "1bffffffffffffffff"),
    ];
    for (id, n, h) in uints {
        o.ok(
            id,
            &format!("unsigned integer {n} in its shortest head (boundary of a head width)"),
            &["CBOR-6"],
            U(*n),
            Some(h),
        );
    }
    // ---------------------------------------------------------------- negative integers (major 1)
    let nints: &[(&str, u64, &str, &str)] = &[
        ("nint-1", 0, "-1", "20"),
        ("nint-24", 23, "-24", "37"),
        ("nint-25", 24, "-25", "3818"),
        ("nint-256", 255, "-256", "38ff"),
        ("nint-257", 256, "-257", "390100"),
        ("nint-65536", 65535, "-65536", "39ffff"),
        ("nint-65537", 65536, "-65537", "3a00010000"),
        ("nint-2pow32", 4294967295, "-4294967296", "3affffffff"),
        (
            "nint-2pow32-minus-1",
            4294967296,
            "-4294967297",
            "3b0000000100000000",
        ),
        (
            "nint-2pow64",
            u64::MAX,
            "-18446744073709551616",
            "3bffffffffffffffff",
        ),
    ];
    for (id, n, shown, h) in nints {
        o.ok(
            id,
            &format!("negative integer {shown} (argument {n}) in its shortest head; the full major-1 range is in the data model"),
            &["CBOR-6"],
            N(*n),
            Some(h),
        );
    }
    // ---------------------------------------------------------------- byte strings (major 2)
    for (n, h) in [
        (0usize, "40"),
        (23, "57"),
        (24, "5818"),
        (255, "58ff"),
        (256, "590100"),
    ] {
        let mut expect = h.to_string();
        expect.push_str(&hex(&pattern(n)));
        o.ok(
            &format!("bytes-len-{n}"),
            &format!("byte string of length {n} (head-width boundary for lengths)"),
            &["CBOR-3", "CBOR-6"],
            B(pattern(n)),
            Some(&expect),
        );
    }
    // ---------------------------------------------------------------- text strings (major 3)
    for (n, h) in [
        (0usize, "60"),
        (23, "77"),
        (24, "7818"),
        (255, "78ff"),
        (256, "790100"),
    ] {
        let s = letters(n);
        let expect = format!("{h}{}", hex(s.as_bytes()));
        o.ok(
            &format!("text-len-{n}"),
            &format!("text string of length {n} (head-width boundary for lengths)"),
            &["CBOR-6", "CBOR-7"],
            T(s),
            Some(&expect),
        );
    }
    // ---------------------------------------------------------------- arrays and maps
    o.ok(
        "array-empty",
        "empty array",
        &["CBOR-6"],
        A(vec![]),
        Some("80"),
    );
    o.ok(
        "array-len-23",
        "array of 23 items (largest count in the initial byte)",
        &["CBOR-6"],
        A((0..23).map(U).collect()),
        Some(&format!("97{}", hex(&pattern(23)))),
    );
    o.ok(
        "array-len-24",
        "array of 24 items (smallest count needing a one-byte argument)",
        &["CBOR-6"],
        A((0..24).map(U).collect()),
        Some(&format!("9818{}", hex(&pattern(24)))),
    );
    o.ok(
        "map-empty",
        "empty map",
        &["CBOR-6", "CBOR-11"],
        m(vec![]),
        Some("a0"),
    );
    o.ok(
        "map-len-24",
        "map of 24 entries (count needs a one-byte argument); keys \"a\"..\"x\" in order",
        &["CBOR-6", "CBOR-11", "CBOR-14"],
        Value::M(
            (0..24u64)
                .map(|i| (letters(26)[i as usize..i as usize + 1].to_string(), U(i)))
                .collect(),
        ),
        None,
    );
    o.ok(
        "mixed-nested",
        "a map holding every kind of value of the data model",
        &["CBOR-6", "CBOR-7", "CBOR-10", "CBOR-11", "CBOR-14"],
        m(vec![
            ("a", U(1)),
            ("b", N(0)),
            ("c", B(vec![0, 255])),
            ("d", t("é")),
            ("e", A(vec![Bool(false), Bool(true), A(vec![]), m(vec![])])),
            ("f", m(vec![("x", m(vec![("y", U(24))]))])),
        ]),
        Some("a6 616101 616220 61634200ff 616462c3a9 616584f4f580a0 6166a16178a161791818"),
    );
    o.ok(
        "false",
        "false (simple value 20)",
        &["CBOR-10"],
        Bool(false),
        Some("f4"),
    );
    o.ok(
        "true",
        "true (simple value 21)",
        &["CBOR-10"],
        Bool(true),
        Some("f5"),
    );

    // ---------------------------------------------------------------- UTF-8 (valid)
    let utf8_ok: &[(&str, &str, &str)] = &[
        ("utf8-nul", "\u{0}", "U+0000 (NUL is a valid character)"),
        ("utf8-u007f", "\u{7f}", "U+007F, last one-byte sequence"),
        ("utf8-u0080", "\u{80}", "U+0080, first two-byte sequence"),
        ("utf8-u00e9", "é", "U+00E9 (two bytes)"),
        ("utf8-u07ff", "\u{7ff}", "U+07FF, last two-byte sequence"),
        ("utf8-u0800", "\u{800}", "U+0800, first three-byte sequence"),
        ("utf8-u20ac", "€", "U+20AC (three bytes)"),
        (
            "utf8-ud7ff",
            "\u{d7ff}",
            "U+D7FF, last code point before the surrogates",
        ),
        (
            "utf8-ue000",
            "\u{e000}",
            "U+E000, first code point after the surrogates",
        ),
        (
            "utf8-ufffd",
            "\u{fffd}",
            "U+FFFD replacement character (a valid character)",
        ),
        (
            "utf8-uffff",
            "\u{ffff}",
            "U+FFFF, last three-byte sequence (a noncharacter, still valid UTF-8)",
        ),
        (
            "utf8-u10000",
            "\u{10000}",
            "U+10000, first four-byte sequence",
        ),
        ("utf8-u1f600", "😀", "U+1F600 (four bytes)"),
        (
            "utf8-u10ffff",
            "\u{10ffff}",
            "U+10FFFF, the largest code point",
        ),
        (
            "utf8-nfd",
            "e\u{301}",
            "e + combining acute (not NFC): kept as given, no normalization",
        ),
        (
            "utf8-mixed",
            "Grüße, 世界! 🌍",
            "mixed scripts and an emoji",
        ),
    ];
    for (id, s, what) in utf8_ok {
        o.ok(
            id,
            &format!("valid UTF-8 text: {what}"),
            &["CBOR-7"],
            t(s),
            None,
        );
    }

    // ---------------------------------------------------------------- size (CBOR-1)
    {
        // 0x59 0xfffd + 65533 bytes = 65536 bytes.
        let content = pattern(65533);
        o.ok(
            "size-65536",
            "input of exactly 65536 bytes (MAX_SIZE): a byte string of 65533 bytes with a 3-byte head",
            &["CBOR-1"],
            B(content),
            None,
        );
        let input = cat(&[&[0x59, 0xff, 0xfe], &pattern(65534)]);
        assert_eq!(input.len(), 65537);
        o.bad(
            "too-large-65537",
            "step 0: input of 65537 bytes (a well-formed byte string of 65534 bytes with a 3-byte head) exceeds MAX_SIZE",
            &input,
            "cbor.too_large",
            &[],
        );
        let mut input = vec![0u8; 65537];
        input[0] = 0xff;
        o.bad(
            "too-large-before-anything",
            "step 0: 65537 bytes starting with 0xff; the size check comes before reading any item",
            &input,
            "cbor.too_large",
            &["CBOR-4"],
        );
    }

    // ---------------------------------------------------------------- empty / truncated (CBOR-3)
    o.badh(
        "truncated-empty",
        "step 0: empty input",
        "",
        "cbor.truncated",
        &[],
    );
    o.badh(
        "truncated-uint-arg1",
        "step g: 0x18 needs one argument byte, none left",
        "18",
        "cbor.truncated",
        &[],
    );
    o.badh(
        "truncated-uint-arg2",
        "step g: 0x19 needs two argument bytes, one left",
        "1901",
        "cbor.truncated",
        &[],
    );
    o.badh(
        "truncated-uint-arg4",
        "step g: 0x1a needs four argument bytes, three left",
        "1a010000",
        "cbor.truncated",
        &[],
    );
    o.badh(
        "truncated-nint-arg8",
        "step g: 0x3b needs eight argument bytes, seven left",
        "3b01000000000000",
        "cbor.truncated",
        &[],
    );
    o.badh(
        "truncated-bytes-len-arg",
        "step g: byte string head 0x58 without its length byte",
        "58",
        "cbor.truncated",
        &[],
    );
    o.badh(
        "truncated-bytes-content",
        "step i: byte string of length 2 with one content byte",
        "4201",
        "cbor.truncated",
        &[],
    );
    o.badh(
        "truncated-text-content",
        "step i: text string of length 3 with two content bytes",
        "636162",
        "cbor.truncated",
        &[],
    );
    o.badh(
        "truncated-array-item",
        "step a: array of 2 items with only one item",
        "8201",
        "cbor.truncated",
        &[],
    );
    o.badh(
        "truncated-array-empty",
        "step a: array of 1 item, input ends after the head",
        "81",
        "cbor.truncated",
        &[],
    );
    o.badh(
        "truncated-map-key",
        "step a: map of 1 entry, input ends before the key",
        "a1",
        "cbor.truncated",
        &[],
    );
    o.badh(
        "truncated-map-value",
        "step a: map of 1 entry, input ends after the key",
        "a16161",
        "cbor.truncated",
        &[],
    );
    o.badh(
        "truncated-nested",
        "step a: the innermost of three nested arrays misses its item",
        "818181",
        "cbor.truncated",
        &[],
    );
    o.badh(
        "truncated-bytes-len-2pow64-minus-1",
        "step i: byte string claiming 2^64-1 bytes (minimal head) with none present; must not allocate",
        "5bffffffffffffffff",
        "cbor.truncated",
        &[],
    );
    o.badh(
        "truncated-text-len-2pow32",
        "step i: text string claiming 2^32 bytes (minimal 8-byte head) with one present",
        "7b000000010000000061",
        "cbor.truncated",
        &[],
    );
    o.badh(
        "truncated-array-count-2pow64-minus-1",
        "step a: array claiming 2^64-1 items with none present; must not pre-allocate",
        "9bffffffffffffffff",
        "cbor.truncated",
        &[],
    );
    o.badh(
        "truncated-map-count-2pow32-minus-1",
        "step a: map claiming 2^32-1 entries with one complete entry present",
        "baffffffff616100",
        "cbor.truncated",
        &["CBOR-11"],
    );
    o.badh(
        "truncated-array-after-items",
        "step a: array claiming 2^32-1 items; the first item 0 decodes, then the input ends",
        "9affffffff00",
        "cbor.truncated",
        &[],
    );
    o.badh(
        "huge-array-first-item-float",
        "array claiming 2^32-1 items whose first item is 0xf9: items are decoded in order, so the first item's defect (step f, float) is met before the input runs out",
        "9affffffff f9",
        "cbor.float",
        &["CBOR-3"],
    );
    // Length boundaries that cannot be valid inside 65536 bytes: the head is minimal, the content missing.
    o.badh(
        "truncated-bytes-len-65535",
        "step i: byte string of length 65535 (minimal 0x59 head), content missing",
        "59ffff",
        "cbor.truncated",
        &["CBOR-6"],
    );
    o.badh(
        "truncated-bytes-len-65536",
        "step i: byte string of length 65536 (minimal 0x5a head), content missing",
        "5a00010000",
        "cbor.truncated",
        &["CBOR-6"],
    );
    o.badh(
        "truncated-bytes-len-2pow32-minus-1",
        "step i: byte string of length 2^32-1 (minimal 0x5a head), content missing",
        "5affffffff",
        "cbor.truncated",
        &["CBOR-6"],
    );
    o.badh(
        "truncated-bytes-len-2pow32",
        "step i: byte string of length 2^32 (minimal 0x5b head), content missing",
        "5b0000000100000000",
        "cbor.truncated",
        &["CBOR-6"],
    );
    o.badh(
        "truncated-text-len-65535",
        "step i: text string of length 65535 (minimal 0x79 head), content missing",
        "79ffff",
        "cbor.truncated",
        &["CBOR-6"],
    );
    o.badh(
        "truncated-text-len-2pow32-minus-1",
        "step i: text string of length 2^32-1 (minimal 0x7a head), content missing",
        "7affffffff",
        "cbor.truncated",
        &["CBOR-6"],
    );
    o.badh("truncated-text-len-2pow64-minus-1", "step i: text string of length 2^64-1 (minimal 0x7b head), content missing; must not allocate", "7bffffffffffffffff", "cbor.truncated", &["CBOR-6"]);
    o.badh(
        "truncated-text-len-65536",
        "step i: text string of length 65536 (minimal 0x7a head), content missing",
        "7a00010000",
        "cbor.truncated",
        &["CBOR-6"],
    );

    // ---------------------------------------------------------------- trailing bytes (CBOR-2)
    o.badh(
        "trailing-int",
        "step 1: two items (0, 0) where one is allowed",
        "0000",
        "cbor.trailing_bytes",
        &[],
    );
    o.badh(
        "trailing-after-array",
        "step 1: a complete empty array followed by 0x00",
        "8000",
        "cbor.trailing_bytes",
        &[],
    );
    o.badh(
        "trailing-garbage-not-decoded",
        "step 1: a complete empty map followed by 0xff: bytes after the item are not decoded, so it is trailing_bytes, not malformed_head",
        "a0ff",
        "cbor.trailing_bytes",
        &["CBOR-4"],
    );
    o.badh(
        "trailing-float-not-decoded",
        "step 1: 1 followed by 0xf9: the remainder is not decoded, so trailing_bytes rather than float",
        "01f9",
        "cbor.trailing_bytes",
        &["CBOR-8"],
    );

    // ---------------------------------------------------------------- malformed heads (CBOR-4)
    for (h, what) in [
        ("1c", "major 0, ai 28"),
        ("1d", "major 0, ai 29"),
        ("1e", "major 0, ai 30"),
        ("3c", "major 1, ai 28"),
        ("5d", "major 2, ai 29"),
        ("7e", "major 3, ai 30"),
        ("9c", "major 4, ai 28"),
        ("bd", "major 5, ai 29"),
    ] {
        o.badh(
            &format!("malformed-head-{h}"),
            &format!("step c: reserved additional information ({what})"),
            h,
            "cbor.malformed_head",
            &[],
        );
    }
    o.badh(
        "malformed-head-dc-not-tag",
        "step c before e: 0xdc is major 6 (tag) with reserved ai 28; the head check comes first, so malformed_head, not tag",
        "dc",
        "cbor.malformed_head",
        &["CBOR-9"],
    );
    o.badh(
        "malformed-head-fc-not-simple",
        "step c before f: 0xfc is major 7 with reserved ai 28: malformed_head",
        "fc",
        "cbor.malformed_head",
        &["CBOR-10"],
    );
    o.badh(
        "malformed-head-fe",
        "step c: 0xfe, major 7 with reserved ai 30",
        "fe",
        "cbor.malformed_head",
        &[],
    );
    o.badh(
        "ai31-major0",
        "step d: 0x1f, ai 31 on major 0 (no indefinite integers)",
        "1f",
        "cbor.malformed_head",
        &[],
    );
    o.badh(
        "ai31-major1",
        "step d: 0x3f, ai 31 on major 1",
        "3f",
        "cbor.malformed_head",
        &[],
    );
    o.badh(
        "ai31-major6",
        "step d before e: 0xdf, ai 31 on major 6 is malformed_head, not tag",
        "df00",
        "cbor.malformed_head",
        &["CBOR-9"],
    );
    o.badh(
        "ai31-major7-break",
        "step d: a lone 0xff break code (ai 31 on major 7)",
        "ff",
        "cbor.malformed_head",
        &[],
    );
    o.badh(
        "malformed-head-in-array",
        "step c inside an array: [1, 0x1c]",
        "82011c",
        "cbor.malformed_head",
        &[],
    );

    // ---------------------------------------------------------------- indefinite lengths (CBOR-5)
    o.badh(
        "indefinite-bytes",
        "step d: indefinite-length byte string (one chunk h'00', then break)",
        "5f4100ff",
        "cbor.indefinite_length",
        &[],
    );
    o.badh(
        "indefinite-text",
        "step d: indefinite-length text string (one chunk \"a\", then break)",
        "7f6161ff",
        "cbor.indefinite_length",
        &[],
    );
    o.badh(
        "indefinite-array",
        "step d: indefinite-length array [1, 2]",
        "9f0102ff",
        "cbor.indefinite_length",
        &[],
    );
    o.badh(
        "indefinite-map",
        "step d: indefinite-length map {\"a\": 0}",
        "bf616100ff",
        "cbor.indefinite_length",
        &[],
    );
    o.badh(
        "indefinite-bytes-alone",
        "step d: 0x5f with nothing after it: decided on the initial byte, before looking for chunks",
        "5f",
        "cbor.indefinite_length",
        &["CBOR-3"],
    );
    o.badh(
        "indefinite-array-nested",
        "step d inside a definite array: [[_ ]]",
        "819fff",
        "cbor.indefinite_length",
        &[],
    );

    // ---------------------------------------------------------------- non-minimal heads (CBOR-6)
    let nonmin_int: &[(&str, &str, &str)] = &[
        ("uint-23-in-1", "1817", "23 with a one-byte argument"),
        ("uint-0-in-1", "1800", "0 with a one-byte argument"),
        ("uint-255-in-2", "1900ff", "255 with a two-byte argument"),
        ("uint-0-in-2", "190000", "0 with a two-byte argument"),
        (
            "uint-65535-in-4",
            "1a0000ffff",
            "65535 with a four-byte argument",
        ),
        ("uint-0-in-4", "1a00000000", "0 with a four-byte argument"),
        (
            "uint-2pow32-minus-1-in-8",
            "1b00000000ffffffff",
            "2^32-1 with an eight-byte argument",
        ),
        (
            "uint-0-in-8",
            "1b0000000000000000",
            "0 with an eight-byte argument",
        ),
        ("nint-24-in-1", "3817", "-24 with a one-byte argument"),
        ("nint-256-in-2", "3900ff", "-256 with a two-byte argument"),
        (
            "nint-65536-in-4",
            "3a0000ffff",
            "-65536 with a four-byte argument",
        ),
        (
            "nint-2pow32-in-8",
            "3b00000000ffffffff",
            "-2^32 with an eight-byte argument",
        ),
    ];
    for (id, h, what) in nonmin_int {
        o.badh(
            &format!("non-minimal-{id}"),
            &format!("step h: {what}"),
            h,
            "cbor.non_minimal_integer",
            &[],
        );
    }
    let mut nonmin_len: Vec<(String, Vec<u8>, String)> = Vec::new();
    for (major, name) in [(2u8, "bytes"), (3u8, "text")] {
        let m5 = major << 5;
        let content = |n: usize| -> Vec<u8> {
            if major == 2 {
                pattern(n)
            } else {
                letters(n).into_bytes()
            }
        };
        nonmin_len.push((
            format!("{name}-len-23-in-1"),
            cat(&[&[m5 | 24, 23], &content(23)]),
            format!("{name} of length 23 with a one-byte length"),
        ));
        nonmin_len.push((
            format!("{name}-len-0-in-1"),
            vec![m5 | 24, 0],
            format!("empty {name} with a one-byte length"),
        ));
        nonmin_len.push((
            format!("{name}-len-255-in-2"),
            cat(&[&[m5 | 25, 0, 255], &content(255)]),
            format!("{name} of length 255 with a two-byte length"),
        ));
        nonmin_len.push((
            format!("{name}-len-255-in-4"),
            cat(&[&[m5 | 26, 0, 0, 0, 255], &content(255)]),
            format!("{name} of length 255 with a four-byte length"),
        ));
        nonmin_len.push((
            format!("{name}-len-65535-in-4-no-content"),
            vec![m5 | 26, 0, 0, 0xff, 0xff],
            format!("{name} of length 65535 with a four-byte length and no content: step h comes before the content check of step i"),
        ));
        nonmin_len.push((
            format!("{name}-len-3-in-8"),
            cat(&[&[m5 | 27, 0, 0, 0, 0, 0, 0, 0, 3], &content(3)]),
            format!("{name} of length 3 with an eight-byte length"),
        ));
        nonmin_len.push((
            format!("{name}-len-2pow32-minus-1-in-8-no-content"),
            vec![m5 | 27, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff],
            format!("{name} of length 2^32-1 with an eight-byte length and no content (step h before i)"),
        ));
    }
    nonmin_len.push((
        "array-len-0-in-1".into(),
        unhex("9800"),
        "empty array with a one-byte count".into(),
    ));
    nonmin_len.push((
        "array-len-23-in-1".into(),
        cat(&[&[0x98, 23], &pattern(23)]),
        "array of 23 items with a one-byte count".into(),
    ));
    nonmin_len.push((
        "array-len-1-in-2".into(),
        unhex("99000100"),
        "array [0] with a two-byte count".into(),
    ));
    nonmin_len.push((
        "array-len-1-in-4".into(),
        unhex("9a0000000100"),
        "array [0] with a four-byte count".into(),
    ));
    nonmin_len.push((
        "array-len-1-in-8".into(),
        unhex("9b000000000000000100"),
        "array [0] with an eight-byte count".into(),
    ));
    nonmin_len.push((
        "map-len-0-in-1".into(),
        unhex("b800"),
        "empty map with a one-byte count".into(),
    ));
    nonmin_len.push((
        "map-len-1-in-2".into(),
        unhex("b90001616100"),
        "map {\"a\": 0} with a two-byte count".into(),
    ));
    nonmin_len.push((
        "map-len-1-in-4".into(),
        unhex("ba00000001616100"),
        "map {\"a\": 0} with a four-byte count".into(),
    ));
    nonmin_len.push((
        "map-len-1-in-8".into(),
        unhex("bb0000000000000001616100"),
        "map {\"a\": 0} with an eight-byte count".into(),
    ));
    for (id, bytes, what) in &nonmin_len {
        o.bad(
            &format!("non-minimal-{id}"),
            &format!("step h: {what}"),
            bytes,
            "cbor.non_minimal_length",
            &[],
        );
    }
    o.badh(
        "non-minimal-in-map-value",
        "step h inside a map value: {\"a\": 0x1801}",
        "a161611801",
        "cbor.non_minimal_integer",
        &[],
    );
    o.badh(
        "non-minimal-map-key-length",
        "step h on a map key: the key \"a\" written with a one-byte length (0x78 0x01)",
        "a178016100",
        "cbor.non_minimal_length",
        &["CBOR-11"],
    );

    // ---------------------------------------------------------------- UTF-8 (CBOR-7)
    let bad_utf8: &[(&str, &str, &str)] = &[
        (
            "overlong-nul-2",
            "62c080",
            "overlong two-byte encoding of U+0000 (c0 80)",
        ),
        (
            "overlong-c1",
            "62c1bf",
            "overlong two-byte encoding of U+007F (c1 bf)",
        ),
        (
            "overlong-3",
            "63e080 80",
            "overlong three-byte encoding of U+0000 (e0 80 80)",
        ),
        (
            "overlong-3-u07ff",
            "63e09fbf",
            "overlong three-byte encoding of U+07FF (e0 9f bf)",
        ),
        (
            "overlong-4",
            "64f08f bfbf",
            "overlong four-byte encoding of U+FFFF (f0 8f bf bf)",
        ),
        (
            "surrogate-high",
            "63eda080",
            "UTF-8-encoded high surrogate U+D800 (ed a0 80)",
        ),
        (
            "surrogate-low",
            "63edbfbf",
            "UTF-8-encoded low surrogate U+DFFF (ed bf bf)",
        ),
        (
            "surrogate-pair-cesu",
            "66eda0bdedb880",
            "a surrogate pair encoded as two three-byte sequences (CESU-8 style)",
        ),
        (
            "above-10ffff",
            "64f4908080",
            "U+110000, above the largest code point (f4 90 80 80)",
        ),
        (
            "lead-f5",
            "64f5808080",
            "lead byte f5 (would be above U+10FFFF)",
        ),
        ("byte-ff", "61ff", "byte ff, never valid in UTF-8"),
        ("byte-fe", "61fe", "byte fe, never valid in UTF-8"),
        (
            "truncated-seq-3",
            "62e282",
            "a three-byte sequence (e2 82 ..) cut after two bytes at the end of the string",
        ),
        (
            "truncated-seq-2",
            "61c3",
            "a two-byte lead c3 with no continuation",
        ),
        (
            "truncated-seq-mid",
            "63c36161",
            "a two-byte lead followed by an ASCII byte",
        ),
        ("lone-continuation", "6180", "a lone continuation byte 80"),
        (
            "continuation-after-ascii",
            "6241bf",
            "\"A\" then a stray continuation byte bf",
        ),
        (
            "latin1",
            "6463616fe9",
            "Latin-1 text \"caoé\" (e9 is not UTF-8 on its own)",
        ),
    ];
    for (id, h, what) in bad_utf8 {
        o.badh(
            &format!("utf8-{id}"),
            &format!("step i: text string with invalid UTF-8: {what}"),
            h,
            "cbor.invalid_utf8",
            &[],
        );
    }
    o.badh(
        "utf8-in-map-key",
        "step i on a map key: the key is the overlong c0 80",
        "a162c08000",
        "cbor.invalid_utf8",
        &["CBOR-11"],
    );
    o.badh(
        "utf8-sequence-cut-by-string-end",
        "step i: [\"\\u00e9\" split across two strings]: each text string must be valid on its own",
        "8261c361a9",
        "cbor.invalid_utf8",
        &[],
    );

    // ---------------------------------------------------------------- floats (CBOR-8)
    o.badh(
        "float16",
        "step f: half-precision float 1.0 (f9 3c00)",
        "f93c00",
        "cbor.float",
        &[],
    );
    o.badh(
        "float32",
        "step f: single-precision float 1.0 (fa 3f800000)",
        "fa3f800000",
        "cbor.float",
        &[],
    );
    o.badh(
        "float64",
        "step f: double-precision float 1.0 (fb 3ff0000000000000)",
        "fb3ff0000000000000",
        "cbor.float",
        &[],
    );
    o.badh(
        "float16-zero",
        "step f: half-precision 0.0, even though it equals an integer",
        "f90000",
        "cbor.float",
        &[],
    );
    o.badh(
        "float64-truncated",
        "step f: 0xfb with only two argument bytes: decided on the initial byte, the argument is not read",
        "fb3ff0",
        "cbor.float",
        &["CBOR-3"],
    );
    o.badh(
        "float16-alone",
        "step f: a lone 0xf9",
        "f9",
        "cbor.float",
        &["CBOR-3"],
    );
    o.badh(
        "float-in-array",
        "step f inside an array: [1, 1.5]",
        "8201f93e00",
        "cbor.float",
        &[],
    );

    // ---------------------------------------------------------------- tags (CBOR-9)
    o.badh(
        "tag-0-datetime",
        "step e: tag 0 (date/time string) around \"2026-01-01T00:00:00Z\"",
        &format!("c074{}", hex(b"2026-01-01T00:00:00Z")),
        "cbor.tag",
        &[],
    );
    o.badh(
        "tag-1-epoch",
        "step e: tag 1 (epoch time) around 0",
        "c100",
        "cbor.tag",
        &[],
    );
    o.badh(
        "tag-2-bignum",
        "step e: tag 2 (bignum) around h'01'",
        "c24101",
        "cbor.tag",
        &[],
    );
    o.badh(
        "tag-42-cid",
        "step e: tag 42 (CID, one-byte tag number 0xd8 0x2a) around h'00'",
        "d82a4100",
        "cbor.tag",
        &[],
    );
    o.badh(
        "tag-55799-self-describe",
        "step e: self-described CBOR tag 55799 (d9 d9f7) around 0",
        "d9d9f700",
        "cbor.tag",
        &[],
    );
    o.badh(
        "tag-head-truncated",
        "step e: 0xd8 with no tag-number byte: decided on the initial byte, the argument is not read",
        "d8",
        "cbor.tag",
        &["CBOR-3"],
    );
    o.badh(
        "tag-non-minimal-number",
        "step e before h: tag number 1 written as 0xd8 0x01 (non-minimal): the tag is rejected on the initial byte",
        "d80100",
        "cbor.tag",
        &["CBOR-6"],
    );
    o.badh(
        "tag-alone-c6",
        "step e: a lone 0xc6 (tag 6) with no content",
        "c6",
        "cbor.tag",
        &["CBOR-3"],
    );
    o.badh(
        "tag-in-array",
        "step e inside an array: [tag 0 around \"\"]",
        "81c060",
        "cbor.tag",
        &[],
    );

    // ---------------------------------------------------------------- simple values (CBOR-10)
    o.badh("null", "step f: null (0xf6)", "f6", "cbor.null", &[]);
    o.badh(
        "undefined",
        "step f: undefined (0xf7)",
        "f7",
        "cbor.undefined",
        &[],
    );
    o.badh(
        "simple-0",
        "step f: simple value 0 (0xe0)",
        "e0",
        "cbor.simple_value",
        &[],
    );
    o.badh(
        "simple-19",
        "step f: simple value 19 (0xf3), last one in the initial byte",
        "f3",
        "cbor.simple_value",
        &[],
    );
    o.badh(
        "simple-32",
        "step f: simple value 32 (0xf8 0x20)",
        "f820",
        "cbor.simple_value",
        &[],
    );
    o.badh(
        "simple-255",
        "step f: simple value 255 (0xf8 0xff)",
        "f8ff",
        "cbor.simple_value",
        &[],
    );
    o.badh(
        "simple-f8-small-arg",
        "step f: 0xf8 0x14 (an invalid two-byte form of false in RFC 8949): decided on the initial byte, simple_value",
        "f814",
        "cbor.simple_value",
        &["CBOR-4"],
    );
    o.badh(
        "simple-f8-alone",
        "step f: a lone 0xf8: decided on the initial byte, the argument is not read",
        "f8",
        "cbor.simple_value",
        &["CBOR-3"],
    );
    o.badh(
        "null-in-map",
        "step f inside a map value: {\"a\": null}",
        "a16161f6",
        "cbor.null",
        &[],
    );
    o.badh(
        "undefined-in-array",
        "step f inside an array: [undefined]",
        "81f7",
        "cbor.undefined",
        &[],
    );

    // ---------------------------------------------------------------- map keys (CBOR-11, 13, 14)
    o.badh(
        "key-uint",
        "step b: map with key 0",
        "a10000",
        "cbor.map_key_not_text",
        &[],
    );
    o.badh(
        "key-nint",
        "step b: map with key -1",
        "a12000",
        "cbor.map_key_not_text",
        &[],
    );
    o.badh(
        "key-bytes",
        "step b: map with key h'61' (bytes, not text)",
        "a1416100",
        "cbor.map_key_not_text",
        &[],
    );
    o.badh(
        "key-array",
        "step b: map with an array key",
        "a18000",
        "cbor.map_key_not_text",
        &[],
    );
    o.badh(
        "key-map",
        "step b: map with a map key",
        "a1a000",
        "cbor.map_key_not_text",
        &[],
    );
    o.badh(
        "key-true",
        "step b: map with key true",
        "a1f500",
        "cbor.map_key_not_text",
        &[],
    );
    o.badh(
        "key-float-is-not-text",
        "step b before f: map with a float key: the key-position check fires first",
        "a1f93c0000",
        "cbor.map_key_not_text",
        &["CBOR-8"],
    );
    o.badh(
        "key-tag-is-not-text",
        "step b before e: map with a tagged key",
        "a1c0616100",
        "cbor.map_key_not_text",
        &["CBOR-9"],
    );
    o.badh(
        "key-malformed-is-not-text",
        "step b before c: map whose key byte is 0x1c (major 0, reserved ai)",
        "a11c00",
        "cbor.map_key_not_text",
        &["CBOR-4"],
    );
    o.badh(
        "key-indefinite-text",
        "step b passes (major 3), then step d: the key is an indefinite-length text string",
        "a17f6161ff00",
        "cbor.indefinite_length",
        &["CBOR-11"],
    );
    o.badh(
        "key-second-not-text",
        "step b: {\"a\": 0, 1: 0}: the second key is an integer",
        "a261610001 00",
        "cbor.map_key_not_text",
        &[],
    );
    o.badh(
        "keys-unordered",
        "step j: keys \"b\" then \"a\"",
        "a2616200616100",
        "cbor.map_keys_unordered",
        &[],
    );
    o.badh(
        "keys-unordered-length-first",
        "step j: keys \"aa\" then \"b\": \"b\" (61 62) encodes before \"aa\" (62 61 61) because the length is in the head",
        "a2626161006162 00",
        "cbor.map_keys_unordered",
        &[],
    );
    o.badh(
        "keys-unordered-empty-last",
        "step j: keys \"a\" then \"\": the empty key (0x60) sorts first",
        "a261610060 00",
        "cbor.map_keys_unordered",
        &[],
    );
    o.badh(
        "keys-unordered-before-value",
        "step j: {\"b\": 0, \"a\": 1.5}: the key order is checked when the key is read, before its value is decoded",
        "a2616200616 1f93e00",
        "cbor.map_keys_unordered",
        &["CBOR-8"],
    );
    o.badh(
        "keys-duplicate",
        "step j: key \"a\" twice",
        "a2616100616101",
        "cbor.duplicate_map_key",
        &[],
    );
    o.badh(
        "keys-duplicate-after-ordered",
        "step j: keys \"a\", \"b\", \"b\"",
        "a3616100616201616202",
        "cbor.duplicate_map_key",
        &[],
    );
    o.badh(
        "keys-repeat-not-adjacent",
        "step j: keys \"a\", \"b\", \"a\": the third key is smaller than the previous one, so unordered (not duplicate)",
        "a3616100616201616102",
        "cbor.map_keys_unordered",
        &["CBOR-13"],
    );
    o.badh(
        "keys-unordered-nested",
        "step j in a nested map: {\"a\": {\"y\": 0, \"x\": 0}}",
        "a16161a2617900617800",
        "cbor.map_keys_unordered",
        &[],
    );
    o.ok(
        "keys-ordered-mixed-lengths",
        "keys \"b\" then \"aa\": correct, because shorter keys encode first",
        &["CBOR-11", "CBOR-14"],
        m(vec![("aa", U(1)), ("b", U(0))]),
        Some("a2616200626161 01"),
    );
    o.ok(
        "keys-ordered-empty-first",
        "keys \"\", \"a\", \"z\", \"aa\": the empty key first",
        &["CBOR-11", "CBOR-14"],
        m(vec![("", U(0)), ("a", U(1)), ("z", U(2)), ("aa", U(3))]),
        Some("a4600061610161 7a02626161 03"),
    );
    o.ok(
        "keys-ordered-head-width",
        "a 23-byte key sorts before a 24-byte key (0x77.. < 0x78 0x18 ..) and after \"z\"",
        &["CBOR-11", "CBOR-14"],
        Value::M(vec![
            ("z".into(), U(0)),
            (letters(23), U(1)),
            (letters(24), U(2)),
        ]),
        None,
    );
    o.ok(
        "keys-ordered-non-ascii",
        "keys \"z\", \"ab\", \"é\": by encoded bytes 61 7a < 62 61 62 < 62 c3 a9 (length first, then bytes)",
        &["CBOR-11", "CBOR-14"],
        m(vec![("é", U(1)), ("z", U(0)), ("ab", U(2))]),
        Some("a3 617a00 62616202 62c3a901"),
    );

    // ---------------------------------------------------------------- depth (CBOR-12)
    let nest_arrays = |n: usize, inner: Value| -> Value {
        let mut v = inner;
        for _ in 0..n {
            v = A(vec![v]);
        }
        v
    };
    let nest_maps = |n: usize, inner: Value| -> Value {
        let mut v = inner;
        for _ in 0..n {
            v = m(vec![("a", v)]);
        }
        v
    };
    o.ok(
        "depth-16-arrays",
        "16 nested arrays, the innermost empty: the innermost array has depth 16 (allowed)",
        &["CBOR-12"],
        nest_arrays(15, A(vec![])),
        Some(&format!("{}80", "81".repeat(15))),
    );
    o.ok(
        "depth-16-arrays-scalar-inside",
        "16 nested arrays with the integer 0 inside the innermost: scalars inside a depth-16 container are fine",
        &["CBOR-12"],
        nest_arrays(16, U(0)),
        Some(&format!("{}00", "81".repeat(16))),
    );
    o.ok(
        "depth-16-arrays-bytes-inside",
        "16 nested arrays with a byte string inside the innermost",
        &["CBOR-12"],
        nest_arrays(16, B(vec![0xff])),
        None,
    );
    o.badh(
        "depth-17-arrays",
        "step j: 17 nested arrays: the innermost (empty) array would have depth 17",
        &format!("{}80", "81".repeat(16)),
        "cbor.depth_exceeded",
        &[],
    );
    o.badh(
        "depth-17-arrays-truncated",
        "step j before a: 17 nested one-item arrays and no item: the depth check on the 17th head comes before its item is read",
        &"81".repeat(17),
        "cbor.depth_exceeded",
        &["CBOR-3"],
    );
    o.badh(
        "depth-17-non-minimal",
        "step h before j: a 17th-level array with a non-minimal count: the shortest-form check comes first",
        &format!("{}9800", "81".repeat(16)),
        "cbor.non_minimal_length",
        &["CBOR-12"],
    );
    o.badh(
        "depth-17-indefinite",
        "step d before j: a 17th-level indefinite array",
        &format!("{}9fff", "81".repeat(16)),
        "cbor.indefinite_length",
        &["CBOR-12"],
    );
    o.ok(
        "depth-16-maps",
        "16 nested maps {\"a\": ...}, the innermost empty",
        &["CBOR-12"],
        nest_maps(15, m(vec![])),
        Some(&format!("{}a0", "a16161".repeat(15))),
    );
    o.ok(
        "depth-16-maps-scalar-inside",
        "16 nested maps with the integer 0 as the innermost value",
        &["CBOR-12"],
        nest_maps(16, U(0)),
        None,
    );
    o.badh(
        "depth-17-maps",
        "step j: 17 nested maps: the innermost (empty) map would have depth 17",
        &format!("{}a0", "a16161".repeat(16)),
        "cbor.depth_exceeded",
        &[],
    );
    o.badh(
        "depth-17-mixed",
        "step j: 8 arrays and 9 maps alternating, 17 containers deep",
        &format!("{}a0", "81a16161".repeat(8)),
        "cbor.depth_exceeded",
        &[],
    );
    o.ok(
        "depth-16-mixed",
        "8 arrays and 8 maps alternating, 16 containers deep",
        &["CBOR-12"],
        {
            let mut v = m(vec![]);
            for i in 0..15 {
                v = if i % 2 == 0 {
                    A(vec![v])
                } else {
                    m(vec![("a", v)])
                };
            }
            v
        },
        Some(&format!("{}a0", "81a16161".repeat(7).to_owned() + "81")),
    );

    file(
        "Skylark CBOR profile (design section 1, rules CBOR-1..CBOR-14). Each vector: `input` (hex) is decoded \
         by the normative algorithm; valid vectors give `diag` (RFC 8949 section 8 diagnostic notation) and must \
         re-encode to exactly `input`; invalid vectors give the `error` that the FIRST defect in the algorithm's \
         order produces. Inputs were written by hand from the design (valid ones cross-checked against the \
         generator's own canonical writer).",
        "cbor",
        o.vectors,
    )
}
