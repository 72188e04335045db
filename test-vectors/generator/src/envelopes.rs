//! `envelopes.json`: signed messages (design section 4, ENV-1..ENV-14), built with the generator's own CBOR
//! writer, BLAKE3 and ed25519-dalek. Every invalid case has exactly one defect; wherever the defect is not
//! in the signature itself the signature is recomputed over the (defective) header bytes, so only the
//! intended rule fails, and the expected error is the first failure in the design's verification order.

use crate::cbor::{encode, head, m, t, Value};
use crate::ed::{self, arr32, Key};
use crate::identifiers::{CTX_ACCOUNT, CTX_BODY, CTX_MESSAGE_ID};
use crate::util::{base32, file, hex, obj, rule_of, unhex, vector, J};

pub const SIG_PREFIX: &[u8] = b"skylark v1 message signature\0";
const T0: u64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z in milliseconds
const MAX53: u64 = (1 << 53) - 1;

/// The decoded header fields.
#[derive(Clone)]
struct Hdr {
    v: u64,
    key: Vec<u8>,
    seq: u64,
    acct: Vec<u8>,
    body: Vec<u8>,
    kind: String,
    prev: Option<Vec<u8>>,
    time: u64,
}

impl Hdr {
    fn entries(&self) -> Vec<(String, Value)> {
        let mut e = vec![
            ("v".to_string(), Value::U(self.v)),
            ("key".to_string(), Value::B(self.key.clone())),
            ("seq".to_string(), Value::U(self.seq)),
            ("acct".to_string(), Value::B(self.acct.clone())),
            ("body".to_string(), Value::B(self.body.clone())),
            ("kind".to_string(), Value::T(self.kind.clone())),
            ("time".to_string(), Value::U(self.time)),
        ];
        if let Some(p) = &self.prev {
            e.push(("prev".to_string(), Value::B(p.clone())));
        }
        e
    }

    fn bytes(&self) -> Vec<u8> {
        encode(&Value::M(self.entries()))
    }

    fn fields_json(&self) -> J {
        obj(vec![
            ("v", J::U(self.v)),
            ("key", J::S(hex(&self.key))),
            ("seq", J::U(self.seq)),
            ("acct", J::S(hex(&self.acct))),
            ("body", J::S(hex(&self.body))),
            ("kind", J::from(self.kind.as_str())),
            ("prev", self.prev.as_ref().map(|p| hex(p)).into()),
            ("time", J::U(self.time)),
        ])
    }
}

/// Entry-list editing helpers (the map is re-sorted canonically by the writer).
fn set(entries: &mut Vec<(String, Value)>, k: &str, v: Value) {
    if let Some(e) = entries.iter_mut().find(|(key, _)| key == k) {
        e.1 = v;
    } else {
        entries.push((k.to_string(), v));
    }
}
fn remove(entries: &mut Vec<(String, Value)>, k: &str) {
    let before = entries.len();
    entries.retain(|(key, _)| key != k);
    assert_eq!(before, entries.len() + 1, "no field {k}");
}
fn with(entries: &[(String, Value)], f: impl FnOnce(&mut Vec<(String, Value)>)) -> Vec<u8> {
    let mut e = entries.to_vec();
    f(&mut e);
    encode(&Value::M(e))
}

fn signing_input(header: &[u8]) -> Vec<u8> {
    [SIG_PREFIX, header].concat()
}

fn body_hash(body: &[u8]) -> Vec<u8> {
    blake3::derive_key(CTX_BODY, body).to_vec()
}

/// The canonical message map from its three parts.
fn message(b: Option<&[u8]>, h: &[u8], s: &[u8]) -> Vec<u8> {
    let mut e = vec![("h", Value::B(h.to_vec())), ("s", Value::B(s.to_vec()))];
    if let Some(b) = b {
        e.push(("b", Value::B(b.to_vec())));
    }
    encode(&m(e))
}

/// A message from header bytes, signed by `signer` over those exact bytes.
fn signed(b: Option<&[u8]>, h: &[u8], signer: &Key) -> Vec<u8> {
    message(b, h, &signer.sign(&signing_input(h)))
}

/// Raw map bytes in the given order (for message-level defects).
fn raw_map(entries: Vec<(Value, Value)>) -> Vec<u8> {
    encode(&Value::MapInOrder(entries))
}
fn bstr(b: &[u8]) -> Vec<u8> {
    encode(&Value::B(b.to_vec()))
}

struct Out {
    vectors: Vec<J>,
}

impl Out {
    fn valid(
        &mut self,
        id: &str,
        description: &str,
        key: &Key,
        hdr: &Hdr,
        body: Option<&[u8]>,
        expect_len: Option<usize>,
    ) -> Vec<u8> {
        let header = hdr.bytes();
        let si = signing_input(&header);
        let sig = key.sign(&si);
        assert_eq!(ed::verify(&hdr.key, &si, &sig), Ok(()));
        if let Some(b) = body {
            assert_eq!(body_hash(b), hdr.body, "{id}: body hash");
        }
        let input = message(body, &header, &sig);
        if let Some(n) = expect_len {
            assert_eq!(input.len(), n, "{id}: size");
        }
        assert!(input.len() <= 65536);
        let mid = blake3::derive_key(CTX_MESSAGE_ID, &header);
        let mut rules = vec![
            "ENV-1", "ENV-2", "ENV-3", "ENV-4", "ENV-5", "ENV-6", "ENV-7", "ENV-8", "ENV-9",
            "ENV-10", "ENV-11",
        ];
        if body.is_some() {
            rules.extend(["ENV-12", "ENV-13"]);
        }
        rules.extend(["ENV-14", "ID-1"]);
        if body.is_some() {
            rules.push("ID-2");
        }
        self.vectors.push(vector(
            &format!("env-{id}"),
            description,
            &rules,
            None,
            vec![
                ("secret_seed", J::S(hex(&key.seed))),
                ("input", J::S(hex(&input))),
                ("header", J::S(hex(&header))),
                ("signing_input", J::S(hex(&si))),
                ("signature", J::S(hex(&sig))),
                ("body", body.map(hex).into()),
                ("body_hash", J::S(hex(&hdr.body))),
                ("message_id", J::S(hex(&mid))),
                ("message_id_text", J::S(format!("msg_{}", base32(&mid)))),
                ("fields", hdr.fields_json()),
                ("stripped", J::Bool(body.is_none())),
            ],
        ));
        mid.to_vec()
    }

    /// An invalid message. `env_rule` is the ENV rule that fails; the error's own rule (CBOR-x / SIG-x) is
    /// added; `part` is given for cbor.* errors.
    fn invalid(&mut self, id: &str, description: &str, env_rule: &str, input: &[u8], error: &str) {
        self.invalid_contest(id, description, env_rule, input, error, &[]);
    }

    /// An invalid message with several defects: `also` are the rules of the defects that lose to
    /// `env_rule` in the check order of 04 §10 (the vector then also names GEN-2).
    fn invalid_contest(
        &mut self,
        id: &str,
        description: &str,
        env_rule: &str,
        input: &[u8],
        error: &str,
        also: &[&'static str],
    ) {
        let mut rules = vec![env_rule];
        let part = if error.starts_with("cbor.") {
            Some(match env_rule {
                "ENV-2" => "message",
                "ENV-4" => "header",
                "ENV-12" => "body",
                r => panic!("cbor error under {r}"),
            })
        } else {
            None
        };
        if error.starts_with("cbor.") || error.starts_with("key.") || error.starts_with("sig.") {
            rules.push(rule_of(error));
        } else if error.starts_with("env.")
            && !matches!(
                error,
                "env.wrong_type" | "env.unknown_field" | "env.missing_field" | "env.field_length"
            )
        {
            assert_eq!(rule_of(error), env_rule, "{id}");
        }
        // A code of another area reported under an ENV rule: what GEN-1 (00 §4) is about.
        if !error.starts_with("env.") {
            rules.push("GEN-1");
        }
        rules.extend(also);
        if !also.is_empty() && !rules.contains(&"GEN-2") {
            rules.push("GEN-2");
        }
        let mut extra = Vec::new();
        if let Some(p) = part {
            extra.push(("part", J::from(p)));
        }
        extra.push(("input", J::S(hex(input))));
        self.vectors.push(vector(
            &format!("env-{id}"),
            description,
            &rules,
            Some(error),
            extra,
        ));
    }
}

/// A body {"pad": h'..'} (plus the header built by `mk_header` from its hash) such that the whole message
/// is exactly `target` bytes.
fn padded_message(target: usize, mk_header: &dyn Fn(Vec<u8>) -> Hdr) -> (Hdr, Vec<u8>) {
    let mut n = target;
    loop {
        let body = encode(&m(vec![("pad", Value::B(vec![0x5a; n]))]));
        let hdr = mk_header(body_hash(&body));
        let len = message(Some(&body), &hdr.bytes(), &[0u8; 64]).len();
        if len == target {
            return (hdr, body);
        }
        assert!(len > target, "cannot hit {target} exactly");
        n -= 1;
    }
}

pub fn generate() -> String {
    let mut o = Out {
        vectors: Vec::new(),
    };
    let alice = Key::from_label("alice");
    let bob = Key::from_label("bob");
    let carol = Key::from_label("carol");
    let acct_alice = blake3::derive_key(CTX_ACCOUNT, b"example genesis: alice").to_vec();
    let acct_bob = blake3::derive_key(CTX_ACCOUNT, b"example genesis: bob").to_vec();
    let acct_carol = blake3::derive_key(CTX_ACCOUNT, b"example genesis: carol").to_vec();
    let hdr = |key: &Key,
               acct: &[u8],
               seq: u64,
               prev: Option<&[u8]>,
               kind: &str,
               time: u64,
               body: &[u8]| Hdr {
        v: 1,
        key: key.pk.to_vec(),
        seq,
        acct: acct.to_vec(),
        body: body_hash(body),
        kind: kind.to_string(),
        prev: prev.map(|p| p.to_vec()),
        time,
    };

    // ================================================================ valid
    let body1 = encode(&m(vec![("text", t("Hello, Skylark!"))]));
    let h1 = hdr(&alice, &acct_alice, 1, None, "post", T0, &body1);
    let id1 = o.valid(
        "first-message",
        "alice's first message: seq 1, no prev, kind \"post\", body {\"text\": \"Hello, Skylark!\"}",
        &alice,
        &h1,
        Some(&body1),
        None,
    );
    let body2 = encode(&m(vec![
        ("text", t("A second message.")),
        ("langs", Value::A(vec![t("en")])),
    ]));
    let h2 = hdr(
        &alice,
        &acct_alice,
        2,
        Some(&id1),
        "post",
        T0 + 60_000,
        &body2,
    );
    let id2 = o.valid(
        "second-message",
        "alice's second message: seq 2, prev = the message id of env-first-message",
        &alice,
        &h2,
        Some(&body2),
        None,
    );
    o.valid(
        "second-message-stripped",
        "the stripped remainder of env-second-message (no \"b\"): valid, verifies, links history; its body cannot be checked",
        &alice,
        &h2,
        None,
        None,
    );
    o.valid(
        "first-message-stripped",
        "the stripped remainder of env-first-message",
        &alice,
        &h1,
        None,
        None,
    );
    let body_poll = encode(&m(vec![
        ("question", t("Lunch?")),
        ("options", Value::A(vec![t("pizza"), t("soup"), t("salad")])),
        ("multiple", Value::Bool(false)),
        ("closes", Value::U(T0 + 86_400_000)),
        (
            "meta",
            m(vec![
                ("tags", Value::A(vec![t("food")])),
                ("weight", Value::N(4)),
            ]),
        ),
    ]));
    let h_poll = hdr(
        &alice,
        &acct_alice,
        3,
        Some(&id2),
        "com.example.poll",
        T0 + 120_000,
        &body_poll,
    );
    o.valid(
        "extension-kind-poll",
        "an extension kind \"com.example.poll\" (seq 3, prev = env-second-message) with a nested body (array, bool, map, negative integer)",
        &alice,
        &h_poll,
        Some(&body_poll),
        None,
    );
    let body_empty = encode(&m(vec![]));
    let h_empty = hdr(&bob, &acct_bob, 1, None, "ping", T0, &body_empty);
    o.valid(
        "empty-body",
        "bob's first message with the empty map {} as body (body bytes a0)",
        &bob,
        &h_empty,
        Some(&body_empty),
        None,
    );
    let prev_any = blake3::derive_key(
        "skylark test vectors v1 random",
        b"some previous message id",
    )
    .to_vec();
    let h_max = hdr(
        &bob,
        &acct_bob,
        MAX53,
        Some(&prev_any),
        "post",
        MAX53,
        &body1,
    );
    o.valid(
        "max-seq-and-time",
        "seq = 2^53-1 and time = 2^53-1, the largest allowed values (prev is an arbitrary 32-byte id)",
        &bob,
        &h_max,
        Some(&body1),
        None,
    );
    let h_time0 = hdr(&carol, &acct_carol, 1, None, "post", 0, &body1);
    o.valid(
        "time-zero",
        "time = 0, the smallest allowed value",
        &carol,
        &h_time0,
        Some(&body1),
        None,
    );
    let kind128 = format!("{}.{}", "a".repeat(63), "b".repeat(64));
    assert_eq!(kind128.len(), 128);
    let h_k128 = hdr(&carol, &acct_carol, 1, None, &kind128, T0, &body1);
    o.valid(
        "kind-128-bytes",
        "a kind of exactly 128 bytes (two segments of 63 and 64 letters)",
        &carol,
        &h_k128,
        Some(&body1),
        None,
    );
    let kind_chars = "org.example-app.v2_beta.0-9_z";
    let h_kc = hdr(&carol, &acct_carol, 1, None, kind_chars, T0, &body1);
    o.valid(
        "kind-all-classes",
        "a kind using every allowed character class: letters, digits, '_', '-', and '.' between segments",
        &carol,
        &h_kc,
        Some(&body1),
        None,
    );
    {
        let mut deep = Value::A(vec![]);
        for _ in 0..14 {
            deep = Value::A(vec![deep]);
        }
        let body_deep = encode(&m(vec![("a", deep)]));
        // An extension kind: the envelope layer takes any map, and a core kind would add its own body rules.
        let h = hdr(
            &carol,
            &acct_carol,
            1,
            None,
            "com.example.deep",
            T0,
            &body_deep,
        );
        o.valid(
            "body-depth-16",
            "a body nested exactly 16 containers deep (the map plus 15 arrays): the depth limit applies to the body on its own",
            &carol,
            &h,
            Some(&body_deep),
            None,
        );
    }
    {
        let mk = |bh: Vec<u8>| Hdr {
            body: bh,
            ..hdr(&carol, &acct_carol, 1, None, "blob", T0, b"")
        };
        let (h, body) = padded_message(65536, &mk);
        o.valid(
            "size-65536",
            "a message of exactly 65536 bytes (MAX_SIZE), the body padded with a large byte string",
            &carol,
            &h,
            Some(&body),
            Some(65536),
        );
    }

    // ================================================================ invalid
    let e1 = h1.entries();
    let hb1 = h1.bytes();
    let sig1 = alice.sign(&signing_input(&hb1));
    let e2 = h2.entries();

    // ---------------------------------------------------------------- ENV-1
    {
        let mk = |bh: Vec<u8>| Hdr {
            body: bh,
            ..hdr(&carol, &acct_carol, 1, None, "blob", T0, b"")
        };
        let (h, body) = padded_message(65537, &mk);
        let input = signed(Some(&body), &h.bytes(), &carol);
        assert_eq!(input.len(), 65537);
        o.invalid(
            "too-large",
            "a correctly signed message of 65537 bytes (one more than env-size-65536): ENV-1 is checked before CBOR",
            "ENV-1",
            &input,
            "env.too_large",
        );
    }

    // ---------------------------------------------------------------- ENV-2 (part message)
    let good1 = message(Some(&body1), &hb1, &sig1);
    let kb = Value::T("b".into());
    let kh = Value::T("h".into());
    let ks = Value::T("s".into());
    let vb = Value::B(body1.clone());
    let vh = Value::B(hb1.clone());
    let vs = Value::B(sig1.to_vec());
    o.invalid(
        "message-empty",
        "empty message bytes",
        "ENV-2",
        b"",
        "cbor.truncated",
    );
    o.invalid(
        "message-truncated",
        "env-first-message with its last byte removed",
        "ENV-2",
        &good1[..good1.len() - 1],
        "cbor.truncated",
    );
    o.invalid(
        "message-trailing-bytes",
        "env-first-message followed by 0x00",
        "ENV-2",
        &[good1.as_slice(), &[0]].concat(),
        "cbor.trailing_bytes",
    );
    {
        assert!(hb1.len() >= 24 && hb1.len() < 256);
        let mut h_nonmin = vec![0x59, 0x00, hb1.len() as u8];
        h_nonmin.extend(&hb1);
        let input = raw_map(vec![
            (kb.clone(), vb.clone()),
            (kh.clone(), Value::Raw(h_nonmin)),
            (ks.clone(), vs.clone()),
        ]);
        o.invalid(
            "message-non-minimal-length",
            "the \"h\" byte string's length written with a two-byte argument (0x59 0x00 ..)",
            "ENV-2",
            &input,
            "cbor.non_minimal_length",
        );
        let mut input = vec![0xb9, 0x00, 0x03];
        input.extend(&good1[1..]);
        o.invalid(
            "message-non-minimal-count",
            "the outer map's count 3 written as 0xb9 0x0003",
            "ENV-2",
            &input,
            "cbor.non_minimal_length",
        );
    }
    o.invalid(
        "message-keys-unordered",
        "outer keys in the order \"h\", \"s\", \"b\"",
        "ENV-2",
        &raw_map(vec![
            (kh.clone(), vh.clone()),
            (ks.clone(), vs.clone()),
            (kb.clone(), vb.clone()),
        ]),
        "cbor.map_keys_unordered",
    );
    o.invalid(
        "message-duplicate-key",
        "the \"h\" entry twice",
        "ENV-2",
        &raw_map(vec![
            (kb.clone(), vb.clone()),
            (kh.clone(), vh.clone()),
            (kh.clone(), vh.clone()),
            (ks.clone(), vs.clone()),
        ]),
        "cbor.duplicate_map_key",
    );
    o.invalid(
        "message-float",
        "\"b\" is the float 1.5 (f9 3e00) instead of a byte string",
        "ENV-2",
        &raw_map(vec![
            (kb.clone(), Value::Raw(unhex("f93e00"))),
            (kh.clone(), vh.clone()),
            (ks.clone(), vs.clone()),
        ]),
        "cbor.float",
    );
    o.invalid(
        "message-tag",
        "\"h\" wrapped in tag 24 (encoded CBOR data item)",
        "ENV-2",
        &raw_map(vec![
            (kb.clone(), vb.clone()),
            (
                kh.clone(),
                Value::Raw([&[0xd8, 0x18][..], &bstr(&hb1)].concat()),
            ),
            (ks.clone(), vs.clone()),
        ]),
        "cbor.tag",
    );
    o.invalid(
        "message-null-body",
        "\"b\": null (a stripped message must omit \"b\", not null it)",
        "ENV-2",
        &raw_map(vec![
            (kb.clone(), Value::Raw(vec![0xf6])),
            (kh.clone(), vh.clone()),
            (ks.clone(), vs.clone()),
        ]),
        "cbor.null",
    );
    o.invalid(
        "message-indefinite",
        "\"b\" as an indefinite-length byte string with one chunk",
        "ENV-2",
        &raw_map(vec![
            (
                kb.clone(),
                Value::Raw([&[0x5f][..], &bstr(&body1), &[0xff]].concat()),
            ),
            (kh.clone(), vh.clone()),
            (ks.clone(), vs.clone()),
        ]),
        "cbor.indefinite_length",
    );
    o.invalid(
        "message-int-keys",
        "integer keys 0, 1, 2 instead of \"b\", \"h\", \"s\"",
        "ENV-2",
        &raw_map(vec![
            (Value::U(0), vb.clone()),
            (Value::U(1), vh.clone()),
            (Value::U(2), vs.clone()),
        ]),
        "cbor.map_key_not_text",
    );

    // ---------------------------------------------------------------- ENV-3
    o.invalid(
        "message-array",
        "the outer item is an array [b, h, s] of the right byte strings",
        "ENV-3",
        &encode(&Value::A(vec![vb.clone(), vh.clone(), vs.clone()])),
        "env.wrong_type",
    );
    o.invalid(
        "message-bytes",
        "the outer item is the header byte string alone",
        "ENV-3",
        &bstr(&hb1),
        "env.wrong_type",
    );
    o.invalid(
        "message-unknown-field",
        "an extra outer field \"x\": h''",
        "ENV-3",
        &encode(&m(vec![
            ("b", vb.clone()),
            ("h", vh.clone()),
            ("s", vs.clone()),
            ("x", Value::B(vec![])),
        ])),
        "env.unknown_field",
    );
    o.invalid(
        "message-unknown-field-first",
        "an extra outer field \"a\": h'' (sorts before \"b\")",
        "ENV-3",
        &encode(&m(vec![
            ("a", Value::B(vec![])),
            ("b", vb.clone()),
            ("h", vh.clone()),
            ("s", vs.clone()),
        ])),
        "env.unknown_field",
    );
    o.invalid(
        "message-missing-h",
        "no \"h\" field",
        "ENV-3",
        &encode(&m(vec![("b", vb.clone()), ("s", vs.clone())])),
        "env.missing_field",
    );
    o.invalid(
        "message-missing-s",
        "no \"s\" field",
        "ENV-3",
        &encode(&m(vec![("b", vb.clone()), ("h", vh.clone())])),
        "env.missing_field",
    );
    o.invalid(
        "message-b-wrong-type",
        "\"b\" is the body map itself, not a byte string holding it",
        "ENV-3",
        &encode(&m(vec![
            ("b", m(vec![("text", t("Hello, Skylark!"))])),
            ("h", vh.clone()),
            ("s", vs.clone()),
        ])),
        "env.wrong_type",
    );
    o.invalid(
        "message-h-wrong-type",
        "\"h\" is the header map itself, not a byte string holding it",
        "ENV-3",
        &encode(&m(vec![
            ("b", vb.clone()),
            ("h", Value::M(e1.clone())),
            ("s", vs.clone()),
        ])),
        "env.wrong_type",
    );
    o.invalid(
        "message-s-wrong-type",
        "\"s\" is the signature's text form \"sig_...\"",
        "ENV-3",
        &encode(&m(vec![
            ("b", vb.clone()),
            ("h", vh.clone()),
            ("s", Value::T(format!("sig_{}", base32(&sig1)))),
        ])),
        "env.wrong_type",
    );
    o.invalid(
        "message-s-63-bytes",
        "\"s\" of 63 bytes (the valid signature with its last byte dropped)",
        "ENV-3",
        &message(Some(&body1), &hb1, &sig1[..63]),
        "env.field_length",
    );
    o.invalid(
        "message-s-65-bytes",
        "\"s\" of 65 bytes (the valid signature with 0x00 appended)",
        "ENV-3",
        &message(Some(&body1), &hb1, &[sig1.as_slice(), &[0]].concat()),
        "env.field_length",
    );

    // ---------------------------------------------------------------- ENV-4 (part header)
    let hdr_case = |o: &mut Out, id: &str, d: &str, header: Vec<u8>, err: &str| {
        let input = signed(Some(&body1), &header, &alice);
        o.invalid(id, d, "ENV-4", &input, err);
    };
    hdr_case(
        &mut o,
        "header-empty",
        "\"h\" is the empty byte string",
        vec![],
        "cbor.truncated",
    );
    hdr_case(
        &mut o,
        "header-truncated",
        "header bytes with the last byte removed",
        hb1[..hb1.len() - 1].to_vec(),
        "cbor.truncated",
    );
    hdr_case(
        &mut o,
        "header-trailing-bytes",
        "header bytes followed by 0x00",
        [hb1.as_slice(), &[0]].concat(),
        "cbor.trailing_bytes",
    );
    hdr_case(
        &mut o,
        "header-non-minimal-integer",
        "\"seq\": 1 written as 0x18 0x01",
        with(&e1, |e| set(e, "seq", Value::Raw(vec![0x18, 0x01]))),
        "cbor.non_minimal_integer",
    );
    hdr_case(
        &mut o,
        "header-non-minimal-length",
        "\"key\"'s 32-byte length written as 0x59 0x0020",
        with(&e1, |e| {
            set(
                e,
                "key",
                Value::Raw([&[0x59, 0x00, 0x20][..], &alice.pk].concat()),
            )
        }),
        "cbor.non_minimal_length",
    );
    let ordered: Vec<(Value, Value)> = {
        let mut v: Vec<(Value, Value)> = e1
            .iter()
            .map(|(k, val)| (Value::T(k.clone()), val.clone()))
            .collect();
        v.sort_by_key(|a| encode(&a.0));
        v
    };
    {
        let mut v = ordered.clone();
        v.swap(1, 2); // "seq" before "key"
        hdr_case(
            &mut o,
            "header-keys-unordered",
            "header keys \"v\", \"seq\", \"key\", ... (\"seq\" before \"key\")",
            encode(&Value::MapInOrder(v)),
            "cbor.map_keys_unordered",
        );
        let mut v = ordered.clone();
        v.sort_by(|a, b| match (&a.0, &b.0) {
            (Value::T(x), Value::T(y)) => x.cmp(y),
            _ => unreachable!(),
        });
        hdr_case(
            &mut o,
            "header-keys-alphabetical",
            "header keys in alphabetical order (acct, body, key, kind, seq, time, v) instead of encoded-bytes order",
            encode(&Value::MapInOrder(v)),
            "cbor.map_keys_unordered",
        );
        let mut v = ordered.clone();
        let kind_pos = v
            .iter()
            .position(|(k, _)| *k == Value::T("kind".into()))
            .unwrap();
        let dup = v[kind_pos].clone();
        v.insert(kind_pos + 1, dup);
        hdr_case(
            &mut o,
            "header-duplicate-key",
            "the \"kind\" entry twice",
            encode(&Value::MapInOrder(v)),
            "cbor.duplicate_map_key",
        );
        let v: Vec<(Value, Value)> = ordered
            .iter()
            .enumerate()
            .map(|(i, (_, val))| (Value::U(i as u64), val.clone()))
            .collect();
        hdr_case(
            &mut o,
            "header-int-keys",
            "header with integer keys 0..6 (COSE style) instead of text keys",
            encode(&Value::MapInOrder(v)),
            "cbor.map_key_not_text",
        );
    }
    hdr_case(
        &mut o,
        "header-float",
        "\"time\" as a double-precision float (a JavaScript number)",
        with(&e1, |e| {
            set(
                e,
                "time",
                Value::Raw([&[0xfb][..], &(T0 as f64).to_bits().to_be_bytes()].concat()),
            )
        }),
        "cbor.float",
    );
    hdr_case(
        &mut o,
        "header-tag",
        "\"time\" wrapped in tag 1 (epoch date/time)",
        with(&e1, |e| {
            set(e, "time", Value::Raw([&[0xc1][..], &head(0, T0)].concat()))
        }),
        "cbor.tag",
    );
    hdr_case(
        &mut o,
        "header-null-prev",
        "\"prev\": null on a first message (absent prev must be omitted, not null)",
        with(&e1, |e| set(e, "prev", Value::Raw(vec![0xf6]))),
        "cbor.null",
    );
    hdr_case(
        &mut o,
        "header-invalid-utf8",
        "\"kind\" holds the Latin-1 bytes \"caf\\xe9\"",
        with(&e1, |e| set(e, "kind", Value::Raw(unhex("64636166e9")))),
        "cbor.invalid_utf8",
    );
    hdr_case(
        &mut o,
        "header-indefinite",
        "\"kind\" as an indefinite-length text string",
        with(&e1, |e| set(e, "kind", Value::Raw(unhex("7f64706f7374ff")))),
        "cbor.indefinite_length",
    );

    // ---------------------------------------------------------------- ENV-5
    let h5 = |o: &mut Out, id: &str, d: &str, header: Vec<u8>, err: &str| {
        let input = signed(Some(&body1), &header, &alice);
        // A missing or mistyped "v" is decided by ENV-6, which runs before the rest of ENV-5.
        let rule = if id.ends_with("-v") || id.starts_with("header-v-") {
            "ENV-6"
        } else {
            "ENV-5"
        };
        o.invalid(id, d, rule, &input, err);
    };
    h5(
        &mut o,
        "header-array",
        "the header is an array of the field values instead of a map",
        encode(&Value::A(ordered.iter().map(|(_, v)| v.clone()).collect())),
        "env.wrong_type",
    );
    h5(
        &mut o,
        "header-double-wrapped",
        "the header bytes are a byte string holding the header map",
        bstr(&hb1),
        "env.wrong_type",
    );
    h5(
        &mut o,
        "header-unknown-field",
        "an extra header field \"x\": 0",
        with(&e1, |e| set(e, "x", Value::U(0))),
        "env.unknown_field",
    );
    h5(
        &mut o,
        "header-unknown-field-sig",
        "the signature placed inside the header as \"sig\"",
        with(&e1, |e| set(e, "sig", Value::B(sig1.to_vec()))),
        "env.unknown_field",
    );
    // The schema check of ENV-5 comes before the key check of ENV-7; within ENV-5 the values are
    // checked in encoded key order ("key" before "kind").
    o.invalid_contest(
        "header-unknown-field-before-key",
        "a header key of order 8 AND an extra field \"x\": 0: the schema check (ENV-5) comes before \
         the key (ENV-7), so env.unknown_field",
        "ENV-5",
        &signed(
            Some(&body1),
            &with(&e1, |e| {
                set(e, "key", Value::B(unhex(ed::ORDER_8)));
                set(e, "x", Value::U(0));
            }),
            &alice,
        ),
        "env.unknown_field",
        &["ENV-7", "SIG-4"],
    );
    o.invalid_contest(
        "header-key-length-before-kind-type",
        "\"key\" cut to 31 bytes AND \"kind\": 0: values are checked in encoded key order, \
         \"key\" before \"kind\", so env.field_length (04 §12.5)",
        "ENV-5",
        &signed(
            Some(&body1),
            &with(&e1, |e| {
                set(e, "key", Value::B(alice.pk[..31].to_vec()));
                set(e, "kind", Value::U(0));
            }),
            &alice,
        ),
        "env.field_length",
        &["GEN-2"],
    );
    for f in ["v", "key", "seq", "acct", "body", "kind", "time"] {
        h5(
            &mut o,
            &format!("header-missing-{f}"),
            &format!("no \"{f}\" field in the header"),
            with(&e1, |e| remove(e, f)),
            "env.missing_field",
        );
    }
    let wrong_types: Vec<(&str, &str, Value, &str)> = vec![
        ("v", "text", t("1"), "\"v\": \"1\" (text)"),
        (
            "key",
            "text",
            Value::T(format!("pub_{}", base32(&alice.pk))),
            "\"key\" as its text form \"pub_...\"",
        ),
        (
            "seq",
            "nint",
            Value::N(0),
            "\"seq\": -1 (a negative integer is not a uint)",
        ),
        ("seq", "text", t("1"), "\"seq\": \"1\" (text)"),
        (
            "acct",
            "text",
            Value::T(format!("acct_{}", base32(&acct_alice))),
            "\"acct\" as its text form \"acct_...\"",
        ),
        (
            "body",
            "map",
            m(vec![("text", t("Hello, Skylark!"))]),
            "\"body\" is the body map instead of its hash",
        ),
        (
            "kind",
            "bytes",
            Value::B(b"post".to_vec()),
            "\"kind\" as the byte string h'706f7374'",
        ),
        (
            "time",
            "text",
            t("2026-01-01T00:00:00Z"),
            "\"time\" as an RFC 3339 text string",
        ),
        ("time", "nint", Value::N(0), "\"time\": -1"),
    ];
    for (f, ty, val, d) in wrong_types {
        h5(
            &mut o,
            &format!("header-{f}-{ty}"),
            d,
            with(&e1, |e| set(e, f, val)),
            "env.wrong_type",
        );
    }
    {
        let input = signed(
            Some(&body2),
            &with(&e2, |e| {
                set(e, "prev", Value::T(format!("msg_{}", base32(&id1))))
            }),
            &alice,
        );
        o.invalid(
            "header-prev-text",
            "second message with \"prev\" as its text form \"msg_...\"",
            "ENV-5",
            &input,
            "env.wrong_type",
        );
    }
    for (f, base) in [
        ("key", alice.pk.to_vec()),
        ("acct", acct_alice.clone()),
        ("body", h1.body.clone()),
    ] {
        let short = base[..31].to_vec();
        let long = [base.as_slice(), &[0]].concat();
        h5(
            &mut o,
            &format!("header-{f}-31-bytes"),
            &format!("\"{f}\" of 31 bytes (last byte dropped)"),
            with(&e1, |e| set(e, f, Value::B(short))),
            "env.field_length",
        );
        h5(
            &mut o,
            &format!("header-{f}-33-bytes"),
            &format!("\"{f}\" of 33 bytes (0x00 appended)"),
            with(&e1, |e| set(e, f, Value::B(long))),
            "env.field_length",
        );
    }
    for (n, p) in [
        (31usize, id1[..31].to_vec()),
        (33, [id1.as_slice(), &[0]].concat()),
    ] {
        let input = signed(
            Some(&body2),
            &with(&e2, |e| set(e, "prev", Value::B(p))),
            &alice,
        );
        o.invalid(
            &format!("header-prev-{n}-bytes"),
            &format!("second message with \"prev\" of {n} bytes"),
            "ENV-5",
            &input,
            "env.field_length",
        );
    }

    // ---------------------------------------------------------------- ENV-6..ENV-11 (header values)
    let hv = |o: &mut Out, id: &str, d: &str, rule: &str, header: Vec<u8>, err: &str| {
        let input = signed(Some(&body1), &header, &alice);
        o.invalid(id, d, rule, &input, err);
    };
    hv(
        &mut o,
        "version-2-other-fields",
        "a header of a future version: \"v\": 2 with a field \"x\" that v1 does not know and \
         without \"seq\"; ENV-6 runs before the rest of ENV-5, so the verdict is the version",
        "ENV-6",
        with(&e1, |e| {
            set(e, "v", Value::U(2));
            set(e, "x", Value::U(0));
            remove(e, "seq");
        }),
        "env.unsupported_version",
    );
    for (name, v) in [("0", 0u64), ("2", 2), ("2pow64-minus-1", u64::MAX)] {
        hv(
            &mut o,
            &format!("version-{name}"),
            &format!("\"v\": {v}"),
            "ENV-6",
            with(&e1, |e| set(e, "v", Value::U(v))),
            "env.unsupported_version",
        );
    }
    {
        let a = ed::non_canonical_large_order();
        hv(
            &mut o,
            "key-non-canonical",
            &format!(
                "header key {}: a non-canonical encoding (y >= p) of a point of large order",
                hex(&a)
            ),
            "ENV-7",
            with(&e1, |e| set(e, "key", Value::B(a.to_vec()))),
            "key.non_canonical",
        );
        let a = ed::first_not_on_curve();
        hv(
            &mut o,
            "key-not-on-curve",
            "header key bytes that decode to no curve point",
            "ENV-7",
            with(&e1, |e| set(e, "key", Value::B(a.to_vec()))),
            "key.not_on_curve",
        );
        hv(
            &mut o,
            "key-small-order",
            "header key is a point of order 8",
            "ENV-7",
            with(&e1, |e| set(e, "key", Value::B(unhex(ed::ORDER_8)))),
            "key.small_order",
        );
        hv(
            &mut o,
            "key-identity",
            "header key is the identity point",
            "ENV-7",
            with(&e1, |e| set(e, "key", Value::B(unhex(ed::IDENTITY)))),
            "key.small_order",
        );
    }
    hv(
        &mut o,
        "seq-0",
        "\"seq\": 0 (no prev)",
        "ENV-8",
        with(&e1, |e| set(e, "seq", Value::U(0))),
        "env.seq_out_of_range",
    );
    for (name, s) in [("2pow53", 1u64 << 53), ("2pow64-minus-1", u64::MAX)] {
        let input = signed(
            Some(&body2),
            &with(&e2, |e| set(e, "seq", Value::U(s))),
            &alice,
        );
        o.invalid(
            &format!("seq-{name}"),
            &format!("\"seq\": {s} (with prev, as seq > 1 requires)"),
            "ENV-8",
            &input,
            "env.seq_out_of_range",
        );
    }
    {
        let input = signed(Some(&body2), &with(&e2, |e| remove(e, "prev")), &alice);
        o.invalid(
            "prev-missing",
            "seq 2 without \"prev\"",
            "ENV-9",
            &input,
            "env.prev_missing",
        );
        hv(
            &mut o,
            "prev-unexpected",
            "seq 1 with a \"prev\"",
            "ENV-9",
            with(&e1, |e| set(e, "prev", Value::B(prev_any.clone()))),
            "env.prev_unexpected",
        );
    }
    for (name, tm) in [("2pow53", 1u64 << 53), ("2pow64-minus-1", u64::MAX)] {
        hv(
            &mut o,
            &format!("time-{name}"),
            &format!("\"time\": {tm}"),
            "ENV-10",
            with(&e1, |e| set(e, "time", Value::U(tm))),
            "env.time_out_of_range",
        );
    }
    let kind129 = format!("{}.{}", "a".repeat(64), "b".repeat(64));
    assert_eq!(kind129.len(), 129);
    for (name, kind) in [
        ("empty", ""),
        ("129-bytes", kind129.as_str()),
        ("upper-case", "Post"),
        ("empty-segment", "a..b"),
        ("leading-dot", ".post"),
        ("trailing-dot", "post."),
        ("only-dot", "."),
        ("space", "my post"),
        ("non-ascii", "café"),
        ("slash", "post/reply"),
        ("colon", "app:post"),
    ] {
        hv(
            &mut o,
            &format!("kind-{name}"),
            &format!("kind {}", crate::util::json_string(kind)),
            "ENV-11",
            with(&e1, |e| set(e, "kind", Value::T(kind.to_string()))),
            "env.invalid_kind",
        );
    }

    // ---------------------------------------------------------------- ENV-12 (part body)
    let body_case = |o: &mut Out, id: &str, d: &str, body: Vec<u8>, err: &str| {
        let mut e = e1.clone();
        set(&mut e, "body", Value::B(body_hash(&body)));
        let input = signed(Some(&body), &encode(&Value::M(e)), &alice);
        o.invalid(id, d, "ENV-12", &input, err);
    };
    let hello = t("Hello, Skylark!");
    body_case(
        &mut o,
        "body-empty",
        "\"b\" is the empty byte string (hashed and signed as such)",
        vec![],
        "cbor.truncated",
    );
    body_case(
        &mut o,
        "body-truncated",
        "body bytes with the last byte removed",
        body1[..body1.len() - 1].to_vec(),
        "cbor.truncated",
    );
    body_case(
        &mut o,
        "body-trailing-bytes",
        "body bytes followed by 0x00",
        [body1.as_slice(), &[0]].concat(),
        "cbor.trailing_bytes",
    );
    body_case(
        &mut o,
        "body-non-minimal-length",
        "the body text's length 15 written as 0x78 0x0f",
        encode(&m(vec![(
            "text",
            Value::Raw([&[0x78, 15][..], b"Hello, Skylark!"].concat()),
        )])),
        "cbor.non_minimal_length",
    );
    body_case(
        &mut o,
        "body-non-minimal-integer",
        "{\"n\": 5} with 5 written as 0x18 0x05",
        encode(&m(vec![("n", Value::Raw(vec![0x18, 0x05]))])),
        "cbor.non_minimal_integer",
    );
    body_case(
        &mut o,
        "body-keys-unordered",
        "body keys \"text\" then \"lang\"",
        encode(&Value::MapInOrder(vec![
            (t("text"), hello.clone()),
            (t("lang"), t("en")),
        ])),
        "cbor.map_keys_unordered",
    );
    body_case(
        &mut o,
        "body-duplicate-key",
        "body key \"text\" twice",
        encode(&Value::MapInOrder(vec![
            (t("text"), hello.clone()),
            (t("text"), t("again")),
        ])),
        "cbor.duplicate_map_key",
    );
    body_case(
        &mut o,
        "body-float",
        "{\"score\": 1.5}",
        encode(&m(vec![("score", Value::Raw(unhex("f93e00")))])),
        "cbor.float",
    );
    body_case(
        &mut o,
        "body-tag",
        "{\"created\": 0(\"2026-01-01T00:00:00Z\")}",
        encode(&m(vec![(
            "created",
            Value::Raw([&[0xc0][..], &encode(&t("2026-01-01T00:00:00Z"))].concat()),
        )])),
        "cbor.tag",
    );
    body_case(
        &mut o,
        "body-null",
        "{\"reply_to\": null}",
        encode(&m(vec![("reply_to", Value::Raw(vec![0xf6]))])),
        "cbor.null",
    );
    body_case(
        &mut o,
        "body-undefined",
        "{\"x\": undefined}",
        encode(&m(vec![("x", Value::Raw(vec![0xf7]))])),
        "cbor.undefined",
    );
    body_case(
        &mut o,
        "body-int-key",
        "{1: \"x\"}",
        encode(&Value::MapInOrder(vec![(Value::U(1), t("x"))])),
        "cbor.map_key_not_text",
    );
    body_case(
        &mut o,
        "body-invalid-utf8",
        "{\"text\": \"caf\\xe9\"} (Latin-1)",
        encode(&m(vec![("text", Value::Raw(unhex("64636166e9")))])),
        "cbor.invalid_utf8",
    );
    {
        let mut deep = Value::A(vec![]);
        for _ in 0..15 {
            deep = Value::A(vec![deep]);
        }
        body_case(
            &mut o,
            "body-depth-17",
            "a body nested 17 containers deep (the map plus 16 arrays)",
            encode(&m(vec![("a", deep)])),
            "cbor.depth_exceeded",
        );
    }
    body_case(
        &mut o,
        "body-indefinite-map",
        "the body as an indefinite-length map",
        [
            &[0xbf][..],
            &encode(&t("text"))[..],
            &encode(&hello)[..],
            &[0xff],
        ]
        .concat(),
        "cbor.indefinite_length",
    );
    for (name, what, val) in [
        (
            "array",
            "array [\"Hello, Skylark!\"]",
            Value::A(vec![hello.clone()]),
        ),
        ("int", "integer 0", Value::U(0)),
        (
            "bytes",
            "byte string holding the body map (double-wrapped)",
            Value::B(body1.clone()),
        ),
        ("text", "text string", hello.clone()),
    ] {
        body_case(
            &mut o,
            &format!("body-not-map-{name}"),
            &format!("the body is a well-formed {what}, not a map"),
            encode(&val),
            "env.body_not_map",
        );
    }

    // ---------------------------------------------------------------- ENV-13
    o.invalid(
        "body-hash-other-body",
        "the header (correctly signed) commits to env-first-message's body, but \"b\" holds another valid body",
        "ENV-13",
        &message(Some(&body2), &hb1, &sig1),
        "env.body_hash_mismatch",
    );
    for (name, d, hsh) in [
        (
            "plain-blake3",
            "the header's body hash is plain BLAKE3 (hash mode) of the body, not derive_key",
            blake3::hash(&body1).as_bytes().to_vec(),
        ),
        (
            "message-id-context",
            "the header's body hash uses the message-id context instead of the body context",
            blake3::derive_key(CTX_MESSAGE_ID, &body1).to_vec(),
        ),
    ] {
        let header = with(&e1, |e| set(e, "body", Value::B(hsh)));
        o.invalid(
            &format!("body-hash-{name}"),
            d,
            "ENV-13",
            &signed(Some(&body1), &header, &alice),
            "env.body_hash_mismatch",
        );
    }

    // ---------------------------------------------------------------- ENV-14
    let si1 = signing_input(&hb1);
    o.invalid(
        "sig-non-canonical-s",
        "env-first-message with S replaced by S + L",
        "ENV-14",
        &message(Some(&body1), &hb1, &ed::s_plus_l(&sig1)),
        "sig.non_canonical_s",
    );
    // The key is checked before the signature (ENV-7 before ENV-14): a small-order key AND an S >= L.
    // Each defect alone is decided by bytes, so this pins the order, not a dependency between checks.
    {
        let header = with(&e1, |e| set(e, "key", Value::B(unhex(ed::ORDER_8))));
        o.invalid_contest(
            "key-before-signature",
            "header key of order 8 AND S replaced by S + L: the key (ENV-7) is checked before the \
             signature (ENV-14), so key.small_order",
            "ENV-7",
            &message(Some(&body1), &header, &ed::s_plus_l(&sig1)),
            "key.small_order",
            &["ENV-14", "SIG-6"],
        );
        o.invalid_contest(
            "body-hash-before-signature",
            "the body replaced by {} after signing AND S replaced by S + L: the body hash (ENV-13) is \
             checked before the signature (ENV-14), so env.body_hash_mismatch",
            "ENV-13",
            &message(Some(b"\xa0"), &hb1, &ed::s_plus_l(&sig1)),
            "env.body_hash_mismatch",
            &["ENV-14", "SIG-6"],
        );
    }
    {
        let s = alice.sign_with_small_order_r(arr32(&unhex(ed::ORDER_2_NEG_ZERO)), &alice.pk, &si1);
        assert_eq!(ed::verify(&alice.pk, &si1, &s), Err("sig.non_canonical_r"));
        o.invalid(
            "sig-non-canonical-r",
            "R = ecff..ff (y = p-1 with the sign bit set: a non-canonical encoding of the order-2 point), S = k*a so the cofactored equation holds",
            "ENV-14",
            &message(Some(&body1), &hb1, &s),
            "sig.non_canonical_r",
        );
        let mut s = sig1;
        s[..32].copy_from_slice(&ed::first_not_on_curve());
        o.invalid(
            "sig-r-not-on-curve",
            "env-first-message with R replaced by bytes that decode to no point",
            "ENV-14",
            &message(Some(&body1), &hb1, &s),
            "sig.r_not_on_curve",
        );
    }
    {
        let header = with(&e1, |e| set(e, "time", Value::U(T0 + 1)));
        o.invalid(
            "sig-over-other-header",
            "the header's time changed by 1 ms after signing: the signature is over another header",
            "ENV-14",
            &message(Some(&body1), &header, &sig1),
            "sig.mismatch",
        );
        o.invalid(
            "sig-by-other-key",
            "header key is alice's, signature made by bob's key",
            "ENV-14",
            &signed(Some(&body1), &hb1, &bob),
            "sig.mismatch",
        );
        o.invalid(
            "sig-no-domain-separation",
            "signed over the header bytes alone, without the \"skylark v1 message signature\\0\" prefix",
            "ENV-14",
            &message(Some(&body1), &hb1, &alice.sign(&hb1)),
            "sig.mismatch",
        );
        o.invalid(
            "sig-prefix-without-nul",
            "signed over the prefix without its 0x00 byte",
            "ENV-14",
            &message(
                Some(&body1),
                &hb1,
                &alice.sign(&[&SIG_PREFIX[..SIG_PREFIX.len() - 1], &hb1[..]].concat()),
            ),
            "sig.mismatch",
        );
        o.invalid(
            "sig-over-message-id",
            "signed over the message id instead of the signing input",
            "ENV-14",
            &message(Some(&body1), &hb1, &alice.sign(&id1)),
            "sig.mismatch",
        );
        o.invalid(
            "stripped-sig-mismatch",
            "a stripped message (no \"b\") whose signature is by another key: stripped messages are still verified",
            "ENV-14",
            &signed(None, &hb1, &bob),
            "sig.mismatch",
        );
    }

    file(
        "Signed envelopes (design section 4, ENV-1..ENV-14). Verify `input` (the message bytes) in the design's \
         order; the first failure gives `error` (and `part` = message/header/body for cbor.* errors). Valid \
         vectors give every intermediate value: `header` (bytes inside \"h\"), `signing_input` (\"skylark v1 \
         message signature\" || 0x00 || header), `signature`, `body` (bytes inside \"b\", null when stripped), \
         `body_hash` (the header's \"body\"; equals ID-2 of `body` when present), `message_id` (ID-1 of header) \
         and its text form, the decoded header `fields`, and `secret_seed` (32-byte Ed25519 seed) so an \
         implementation can reproduce the bytes by signing. Account ids are arbitrary 32-byte values (ID-3 over a \
         placeholder genesis). Each invalid vector has exactly one defect; the signature is recomputed over the \
         defective header wherever the defect is not in the signature itself.",
        "envelopes",
        o.vectors,
    )
}
