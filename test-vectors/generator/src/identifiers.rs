//! `identifiers.json`: ID-1..ID-3 hashes (BLAKE3 derive_key) and ID-4 text forms.

use crate::ed::{self, Key};
use crate::util::{base32, file, hex, rule_of, vector, B32_ALPHABET, J};

pub const CTX_MESSAGE_ID: &str = "skylark v1 message id";
pub const CTX_BODY: &str = "skylark v1 message body";
pub const CTX_ACCOUNT: &str = "skylark v1 account id";

/// BLAKE3's own test-input pattern: byte i is i mod 251.
pub fn blake3_pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

/// A fixed random-looking value of n bytes.
pub fn random_looking(label: &str, n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0u32;
    while out.len() < n {
        out.extend(blake3::derive_key(
            "skylark test vectors v1 random",
            format!("{label}/{i}").as_bytes(),
        ));
        i += 1;
    }
    out.truncate(n);
    out
}

struct Name {
    name: &'static str,
    prefix: &'static str,
    len: usize,
    other_prefix: &'static str,
}

const NAMES: [Name; 4] = [
    Name {
        name: "account_id",
        prefix: "acct",
        len: 32,
        other_prefix: "msg",
    },
    Name {
        name: "message_id",
        prefix: "msg",
        len: 32,
        other_prefix: "acct",
    },
    Name {
        name: "public_key",
        prefix: "pub",
        len: 32,
        other_prefix: "sig",
    },
    Name {
        name: "signature",
        prefix: "sig",
        len: 64,
        other_prefix: "pub",
    },
];

fn text_vector(
    id: &str,
    description: &str,
    rules: &[&str],
    name: &str,
    text: &str,
    result: Result<&[u8], &str>,
) -> J {
    let mut extra = vec![
        ("type", J::from("text")),
        ("name", J::from(name)),
        ("text", J::from(text)),
    ];
    if let Ok(bytes) = result {
        extra.push(("bytes", J::S(hex(bytes))));
    }
    vector(id, description, rules, result.err(), extra)
}

fn b32_value(c: u8) -> u8 {
    B32_ALPHABET
        .iter()
        .position(|&x| x == c)
        .expect("alphabet char") as u8
}

pub fn generate() -> String {
    let mut vectors = Vec::new();

    // ---------------------------------------------------------------- hashes (ID-1..ID-3)
    for (rule, ctx, short) in [
        ("ID-1", CTX_MESSAGE_ID, "message-id"),
        ("ID-2", CTX_BODY, "body"),
        ("ID-3", CTX_ACCOUNT, "account-id"),
    ] {
        for n in [0usize, 1, 63, 64, 65, 1023, 1024, 1025, 2049] {
            let input = blake3_pattern(n);
            let out = blake3::derive_key(ctx, &input);
            let why = match n {
                0 => "empty input",
                1 => "one byte",
                63 | 65 => "around the 64-byte block size",
                64 => "exactly one 64-byte block",
                1023 => "one byte short of a 1024-byte chunk",
                1024 => "exactly one 1024-byte chunk",
                1025 => "one byte past the first chunk (two chunks, the second of one byte)",
                _ => "three chunks, the last of one byte",
            };
            vectors.push(vector(
                &format!("hash-{short}-{n}"),
                &format!(
                    "{rule}: BLAKE3 derive_key(\"{ctx}\", input), input = {n} bytes of the BLAKE3 test pattern (byte i = i mod 251): {why}"
                ),
                &[rule],
                None,
                vec![
                    ("type", J::from("hash")),
                    ("context", J::from(ctx)),
                    ("input", J::S(hex(&input))),
                    ("output", J::S(hex(&out))),
                ],
            ));
        }
    }

    // ---------------------------------------------------------------- text forms (ID-4)
    let seeds_keys: Vec<Key> = ["alice", "bob", "carol"]
        .iter()
        .map(|l| Key::from_label(l))
        .collect();
    for nm in NAMES {
        let idp = nm.name.replace('_', "-");
        let pk = nm.name == "public_key";
        let valid_rules: &[&str] = if pk {
            &["ID-4", "SIG-2", "SIG-3", "SIG-4"]
        } else {
            &["ID-4"]
        };
        // Valid values.
        let mut valid: Vec<(String, String, Vec<u8>)> = Vec::new();
        if pk {
            for (k, l) in seeds_keys.iter().zip(["alice", "bob", "carol"]) {
                valid.push((
                    format!("key-{l}"),
                    format!(
                        "the Ed25519 public key of the fixed seed \"{l}\" (seed {})",
                        hex(&k.seed)
                    ),
                    k.pk.to_vec(),
                ));
            }
            valid.push((
                "rfc8032-test1".into(),
                "the RFC 8032 section 7.1 TEST 1 public key".into(),
                crate::util::unhex(
                    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
                ),
            ));
        } else {
            valid.push((
                "zero".into(),
                format!("all-zero {} bytes", nm.len),
                vec![0u8; nm.len],
            ));
            valid.push((
                "ff".into(),
                format!("all-0xff {} bytes", nm.len),
                vec![0xffu8; nm.len],
            ));
            valid.push((
                "random".into(),
                format!("random-looking {} bytes", nm.len),
                random_looking(nm.name, nm.len),
            ));
        }
        if nm.name == "signature" {
            let k = &seeds_keys[0];
            valid.push((
                "real".into(),
                "a real signature by the seed \"alice\" over the ASCII message \"hello\"".into(),
                k.sign(b"hello").to_vec(),
            ));
        }
        for (vid, what, bytes) in &valid {
            let text = format!("{}_{}", nm.prefix, base32(bytes));
            vectors.push(text_vector(
                &format!("text-{idp}-valid-{vid}"),
                &format!(
                    "{} text form of {what}: `{}_` + base32 (lower case, no padding)",
                    nm.name, nm.prefix
                ),
                valid_rules,
                nm.name,
                &text,
                Ok(bytes),
            ));
        }
        // Public keys whose text form is fine but whose bytes fail SIG-2..4.
        if pk {
            let cases: Vec<(&str, String, [u8; 32], &str)> = vec![
                (
                    "zero",
                    "all-zero bytes: y = 0, a point of order 4".into(),
                    [0u8; 32],
                    "key.small_order",
                ),
                (
                    "identity",
                    "the identity point (01 00 .. 00)".into(),
                    ed::arr32(&crate::util::unhex(ed::IDENTITY)),
                    "key.small_order",
                ),
                (
                    "order-8",
                    "a point of order 8".into(),
                    ed::arr32(&crate::util::unhex(ed::ORDER_8)),
                    "key.small_order",
                ),
                (
                    "ff",
                    "all-0xff bytes: y = 2^255 - 1 >= p".into(),
                    [0xffu8; 32],
                    "key.non_canonical",
                ),
                (
                    "not-on-curve",
                    "the smallest y that is not the y of any curve point".into(),
                    ed::first_not_on_curve(),
                    "key.not_on_curve",
                ),
            ];
            for (vid, what, bytes, err) in cases {
                assert_eq!(ed::check_key(&bytes).err(), Some(err));
                let text = format!("pub_{}", base32(&bytes));
                vectors.push(text_vector(
                    &format!("text-public-key-{vid}"),
                    &format!(
                        "public_key text form that is fine as text (ID-4) but the key is {what}: parsing a public key checks the text rules and then SIG-2..4"
                    ),
                    &["ID-4", rule_of(err)],
                    nm.name,
                    &text,
                    Err(err),
                ));
            }
        }
        // Text defects, each on an otherwise valid text form.
        let bytes = &valid[valid.len() - 1].2;
        let body = base32(bytes);
        let good = format!("{}_{}", nm.prefix, body);
        let c = body.len();
        let last = *body.as_bytes().last().unwrap();
        let zero_bits = if nm.len == 32 { 4 } else { 3 };
        assert_eq!(c, if nm.len == 32 { 52 } else { 103 });
        assert_eq!(b32_value(last) & ((1 << zero_bits) - 1), 0);
        let mut bad_last = body.clone();
        bad_last.pop();
        bad_last.push(B32_ALPHABET[(b32_value(last) | 1) as usize] as char);
        let mut bad_last_hi = body.clone();
        bad_last_hi.pop();
        bad_last_hi.push(B32_ALPHABET[(b32_value(last) | (1 << (zero_bits - 1))) as usize] as char);
        let padding = if nm.len == 32 { "====" } else { "=" };
        let mut eq_last = body.clone();
        eq_last.pop();
        eq_last.push('=');
        let replace_at = |s: &str, i: usize, ch: char| -> String {
            let mut v: Vec<char> = s.chars().collect();
            v[i] = ch;
            v.into_iter().collect()
        };
        let mut cases: Vec<(String, String, String, &str)> = vec![
            (
                "wrong-prefix".into(),
                format!(
                    "the prefix `{}` of another identifier kind",
                    nm.other_prefix
                ),
                format!("{}_{}", nm.other_prefix, body),
                "id.wrong_prefix",
            ),
            (
                "no-underscore".into(),
                "no '_' at all (prefix glued to the base32)".into(),
                format!("{}{}", nm.prefix, body),
                "id.wrong_prefix",
            ),
            (
                "uppercase-prefix".into(),
                "the prefix in upper case".into(),
                format!("{}_{}", nm.prefix.to_uppercase(), body),
                "id.wrong_prefix",
            ),
            (
                "dash-separator".into(),
                "'-' instead of '_'".into(),
                format!("{}-{}", nm.prefix, body),
                "id.wrong_prefix",
            ),
            (
                "empty".into(),
                "the empty string".into(),
                String::new(),
                "id.wrong_prefix",
            ),
            (
                "prefix-only".into(),
                "the prefix and '_' with nothing after".into(),
                format!("{}_", nm.prefix),
                "id.invalid_length",
            ),
            (
                "short-by-one".into(),
                format!("{} base32 characters, one too few", c - 1),
                format!("{}_{}", nm.prefix, &body[..c - 1]),
                "id.invalid_length",
            ),
            (
                "long-by-one".into(),
                format!("{} base32 characters, one too many", c + 1),
                format!("{good}a"),
                "id.invalid_length",
            ),
            (
                "padded".into(),
                format!(
                    "RFC 4648 '=' padding to a multiple of 8 characters ({} chars)",
                    c + padding.len()
                ),
                format!("{good}{padding}"),
                "id.invalid_length",
            ),
            (
                "trailing-newline".into(),
                "a trailing newline".into(),
                format!("{good}\n"),
                "id.invalid_length",
            ),
            (
                "uppercase".into(),
                "the base32 in upper case (RFC 4648's own alphabet)".into(),
                format!("{}_{}", nm.prefix, body.to_uppercase()),
                "id.invalid_character",
            ),
            (
                "equals-last".into(),
                "'=' in place of the last character (right length)".into(),
                format!("{}_{}", nm.prefix, eq_last),
                "id.invalid_character",
            ),
            (
                "underscore-in-body".into(),
                "a second '_' as the first base32 character".into(),
                format!("{}_{}", nm.prefix, replace_at(&body, 0, '_')),
                "id.invalid_character",
            ),
        ];
        for ch in ['0', '1', '8', '9'] {
            cases.push((
                format!("char-{ch}"),
                format!("the digit '{ch}' (not in the base32 alphabet) as the 6th character"),
                format!("{}_{}", nm.prefix, replace_at(&body, 5, ch)),
                "id.invalid_character",
            ));
        }
        cases.push((
            "trailing-bits-low".into(),
            format!("last character with its lowest unused bit set (the last character carries {} zero bits)", zero_bits),
            format!("{}_{}", nm.prefix, bad_last),
            "id.non_canonical",
        ));
        cases.push((
            "trailing-bits-high".into(),
            "last character with its highest unused bit set".into(),
            format!("{}_{}", nm.prefix, bad_last_hi),
            "id.non_canonical",
        ));
        if nm.name == "message_id" {
            cases.push((
                "long-and-uppercase".into(),
                "one character too many AND upper case: the length check (2) comes before the character check (3)".into(),
                format!("{}_{}A", nm.prefix, body.to_uppercase()),
                "id.invalid_length",
            ));
            cases.push((
                "uppercase-and-trailing-bits".into(),
                "an upper-case character elsewhere AND non-zero trailing bits: the character check (3) comes before (4)".into(),
                {
                    let i = bad_last.find(|c: char| c.is_ascii_lowercase()).expect("a letter");
                    let upper = bad_last.as_bytes()[i].to_ascii_uppercase() as char;
                    format!("{}_{}", nm.prefix, replace_at(&bad_last, i, upper))
                },
                "id.invalid_character",
            ));
        }
        for (vid, what, text, err) in cases {
            vectors.push(text_vector(
                &format!("text-{idp}-{vid}"),
                &format!("{} text form with one defect: {what}", nm.name),
                &["ID-4"],
                nm.name,
                &text,
                Err(err),
            ));
        }
    }

    file(
        "Identifiers (design section 2). type \"hash\": `output` = BLAKE3 derive_key(`context`, `input`) for the \
         ID-1 (message id), ID-2 (body hash) and ID-3 (account id) contexts; inputs are the BLAKE3 test pattern \
         (byte i = i mod 251) at block and chunk boundaries. type \"text\": parse `text` as the ID-4 text form of \
         `name` (account_id `acct_`, message_id `msg_`, public_key `pub_`, signature `sig_`): valid ones give \
         `bytes`; invalid ones give the error of the first failing check (prefix, length, characters, trailing \
         bits; then SIG-2..4 for public keys).",
        "identifiers",
        vectors,
    )
}
