//! Runs the crate against every file in `test-vectors/`: each valid vector must be accepted with the
//! stated intermediate values, each invalid vector rejected with exactly the stated error code.
//!
//! The vectors are written by `test-vectors/generator`, which shares no code with this crate: it
//! builds the bytes from the spec with its own CBOR writer, BLAKE3 and Ed25519 signing.
//!
//! That every error code of `spec/errors.md` is produced by some vector is checked once, for all files,
//! by `tests/conformance_kit.rs`; here every vector's code must be the crate's.

// A malformed vector file is a test failure: panicking with the vector's id is the point.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::Value as Json;
use skylark::cbor::{self, Value};
use skylark::envelope::{Draft, Kind, SignedMessage};
use skylark::id::{AccountId, MessageId};
use skylark::keys::{self, PublicKey, SecretKey, Signature};

#[path = "support/account_json.rs"]
mod account_json;
#[path = "support/vectors.rs"]
mod vectors;

use vectors::load;

fn hex(v: &Json) -> Vec<u8> {
    hex::decode(v.as_str().unwrap()).unwrap()
}

fn str_of<'a>(v: &'a Json, field: &str) -> &'a str {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("{}: no {field}", v["id"]))
}

/// Compares a verdict with a vector.
fn expect(v: &Json, result: Result<(), &'static str>) {
    let id = &v["id"];
    match (v["valid"].as_bool().unwrap(), result) {
        (true, Ok(())) => {}
        (true, Err(code)) => panic!("{id}: valid vector rejected with {code}"),
        (false, Ok(())) => panic!("{id}: invalid vector accepted (expected {})", v["error"]),
        (false, Err(code)) => {
            assert_eq!(code, str_of(v, "error"), "{id}: wrong error code");
        }
    }
}

fn run_cbor_file(name: &str) -> usize {
    let vectors = load(name);
    for v in &vectors {
        let input = hex(&v["input"]);
        let decoded = cbor::decode(&input);
        // check() and decode() are the same rules.
        assert_eq!(
            cbor::check(&input).err(),
            decoded.as_ref().err().copied(),
            "{}",
            v["id"]
        );
        if let Ok(value) = &decoded {
            assert_eq!(value.to_bytes(), input, "{}: does not round-trip", v["id"]);
            if let Some(diag) = v.get("diag").and_then(Json::as_str) {
                assert_eq!(value.to_string(), diag, "{}: diagnostic notation", v["id"]);
            }
        }
        expect(v, decoded.map(|_| ()).map_err(|e| e.code()));
    }
    vectors.len()
}

#[test]
fn cbor_vectors() {
    run_cbor_file("cbor.json");
}

#[test]
fn dasl_vectors_decided_under_our_profile() {
    let n = run_cbor_file("cbor-dasl.json");
    assert_eq!(n, 105, "every DASL case is decided");
}

#[test]
fn identifier_vectors() {
    for v in &load("identifiers.json") {
        match str_of(v, "type") {
            "hash" => {
                let input = hex(&v["input"]);
                let got = match str_of(v, "context") {
                    skylark::id::MESSAGE_ID_CONTEXT => *MessageId::of_header(&input).as_bytes(),
                    skylark::id::BODY_HASH_CONTEXT => skylark::id::body_hash(&input),
                    skylark::id::ACCOUNT_ID_CONTEXT => *AccountId::of_genesis(&input).as_bytes(),
                    other => panic!("{}: unknown context {other}", v["id"]),
                };
                assert_eq!(got.to_vec(), hex(&v["output"]), "{}", v["id"]);
            }
            "text" => {
                let text = str_of(v, "text");
                let parsed: Result<(Vec<u8>, String), skylark::id::ParseIdError> =
                    match str_of(v, "name") {
                        "message_id" => text
                            .parse::<MessageId>()
                            .map(|x| (x.as_bytes().to_vec(), x.to_string())),
                        "account_id" => text
                            .parse::<AccountId>()
                            .map(|x| (x.as_bytes().to_vec(), x.to_string())),
                        "public_key" => text
                            .parse::<PublicKey>()
                            .map(|x| (x.as_bytes().to_vec(), x.to_string())),
                        "signature" => text
                            .parse::<Signature>()
                            .map(|x| (x.to_bytes().to_vec(), x.to_string())),
                        other => panic!("{}: unknown name {other}", v["id"]),
                    };
                if let Ok((bytes, shown)) = &parsed {
                    assert_eq!(bytes, &hex(&v["bytes"]), "{}", v["id"]);
                    assert_eq!(shown, text, "{}: text form does not round-trip", v["id"]);
                }
                expect(v, parsed.map(|_| ()).map_err(|e| e.code()));
            }
            other => panic!("{}: unknown type {other}", v["id"]),
        }
    }
}

fn run_signature_file(name: &str) -> usize {
    let vectors = load(name);
    for v in &vectors {
        let result = keys::verify(
            &hex(&v["public_key"]),
            &hex(&v["message"]),
            &hex(&v["signature"]),
        );
        expect(v, result.map_err(|e| e.code()));
    }
    vectors.len()
}

#[test]
fn signature_vectors() {
    run_signature_file("signatures.json");
}

#[test]
fn external_ed25519_suites() {
    assert_eq!(run_signature_file("ed25519-cctv.json"), 914);
    assert_eq!(run_signature_file("ed25519-wycheproof.json"), 151);
    assert_eq!(run_signature_file("ed25519-speccheck.json"), 12);
}

#[test]
fn envelope_vectors() {
    let vectors = load("envelopes.json");
    for v in &vectors {
        let id = &v["id"];
        let input = hex(&v["input"]);
        let result = SignedMessage::from_bytes(&input);
        match &result {
            Ok(msg) => check_valid_envelope(v, msg),
            Err(e) => {
                if let Some(part) = v.get("part").and_then(Json::as_str) {
                    assert_eq!(e.part().map(|p| p.as_str()), Some(part), "{id}: part");
                }
            }
        }
        expect(v, result.map(|_| ()).map_err(|e| e.code()));
    }
}

/// A valid vector: every intermediate value matches, and signing the same fields with the same seed
/// reproduces the exact bytes (Ed25519 signing is deterministic).
fn check_valid_envelope(v: &Json, msg: &SignedMessage) {
    let id = &v["id"];
    let fields = &v["fields"];
    let header = msg.header();
    assert_eq!(msg.as_bytes(), hex(&v["input"]).as_slice(), "{id}");
    assert_eq!(msg.header_bytes(), hex(&v["header"]).as_slice(), "{id}");
    assert_eq!(msg.id().as_bytes().to_vec(), hex(&v["message_id"]), "{id}");
    assert_eq!(msg.id().to_string(), str_of(v, "message_id_text"), "{id}");
    assert_eq!(
        msg.signature().to_bytes().to_vec(),
        hex(&v["signature"]),
        "{id}"
    );
    assert_eq!(header.body_hash().to_vec(), hex(&v["body_hash"]), "{id}");
    assert_eq!(
        header.key().as_bytes().to_vec(),
        hex(&fields["key"]),
        "{id}"
    );
    assert_eq!(
        header.account().as_bytes().to_vec(),
        hex(&fields["acct"]),
        "{id}"
    );
    assert_eq!(Some(header.seq()), fields["seq"].as_u64(), "{id}");
    assert_eq!(Some(header.time()), fields["time"].as_u64(), "{id}");
    assert_eq!(header.kind().as_str(), str_of(fields, "kind"), "{id}");
    assert_eq!(
        header.prev().map(|p| p.as_bytes().to_vec()),
        fields["prev"].as_str().map(|p| hex::decode(p).unwrap()),
        "{id}"
    );
    let mut input = skylark::envelope::MESSAGE_SIGNATURE_CONTEXT
        .as_bytes()
        .to_vec();
    input.push(0);
    input.extend_from_slice(msg.header_bytes());
    assert_eq!(input, hex(&v["signing_input"]), "{id}: signing input");
    let stripped = v["stripped"].as_bool().unwrap();
    assert_eq!(msg.is_stripped(), stripped, "{id}");
    match v["body"].as_str() {
        None => assert!(stripped && msg.body().is_none(), "{id}"),
        Some(body) => assert_eq!(msg.body(), Some(hex::decode(body).unwrap().as_slice())),
    }
    // The encoding direction: the crate's own builder writes the same bytes.
    let Some(seed) = v.get("secret_seed").and_then(Json::as_str) else {
        return;
    };
    let key = SecretKey::from_seed(hex::decode(seed).unwrap().try_into().unwrap());
    if stripped {
        return;
    }
    let Ok(Value::Map(body)) = cbor::decode(&hex(&v["body"])) else {
        panic!("{id}: body of a valid message is not a map");
    };
    let prev = fields["prev"]
        .as_str()
        .map(|p| MessageId::from_bytes(hex::decode(p).unwrap().try_into().unwrap()));
    let built = Draft::new(
        AccountId::from_bytes(hex(&fields["acct"]).try_into().unwrap()),
        Kind::new(str_of(fields, "kind")).unwrap(),
        header.time(),
        &body,
    )
    .and_then(|d| d.at(header.seq(), prev))
    .and_then(|d| d.sign(&key))
    .unwrap_or_else(|e| panic!("{id}: builder refused a valid message: {e}"));
    assert_eq!(
        built.as_bytes(),
        msg.as_bytes(),
        "{id}: builder bytes differ"
    );
}

#[test]
fn message_vectors() {
    use skylark::message::{validate, AuthError, Authorization, MemoryContext, Missing, Verdict};
    let vectors = load("messages.json");
    let mut outcomes = [0usize; 3];
    for v in &vectors {
        let id = &v["id"];
        let message = SignedMessage::from_bytes(&hex(&v["input"]))
            .unwrap_or_else(|e| panic!("{id}: input fails layer 1: {e}"));
        if let Some(p) = v.get("pow") {
            // 05 §13: POW-1 hash and difficulty, POW-2 claim, POW-3 work.
            let hash = skylark::pow::hash(message.header_bytes());
            assert_eq!(hash.to_vec(), hex(&p["hash"]), "{id}: POW-1 hash");
            let bits = u64::from(skylark::pow::leading_zero_bits(&hash));
            assert_eq!(Some(bits), p["difficulty"].as_u64(), "{id}: difficulty");
            let target = skylark::pow::claim(&message).map(|c| u64::from(c.target()));
            assert_eq!(target, p["target"].as_u64(), "{id}: POW-2 target");
            let work = u64::from(skylark::pow::work(&message));
            assert_eq!(Some(work), p["work"].as_u64(), "{id}: POW-3 work");
        }
        let context = &v["context"];
        let authorization = match str_of(context, "authorization") {
            "authorized" => Authorization::Authorized,
            "unknown" => Authorization::Unknown(Missing::KeyAuthorization),
            code => Authorization::Denied(
                AuthError::from_code(code).unwrap_or_else(|| panic!("{id}: unknown code {code}")),
            ),
        };
        let others = match context.get("others").and_then(Json::as_str) {
            None => Authorization::Denied(AuthError::OutOfScope),
            Some("authorized") => Authorization::Authorized,
            Some("unknown") => Authorization::Unknown(Missing::KeyAuthorization),
            Some(other) => panic!("{id}: others {other}"),
        };
        let mut ctx =
            MemoryContext::new(context["now"].as_u64().unwrap(), authorization).granting(others);
        for known in context["known"].as_array().unwrap() {
            ctx.insert(&SignedMessage::from_bytes(&hex(known)).unwrap());
        }
        let verdict = validate(message, &ctx);
        match (str_of(v, "outcome"), verdict) {
            ("valid", Verdict::Valid(valid)) => {
                outcomes[0] += 1;
                assert_eq!(
                    valid.message().header().kind().as_str(),
                    str_of(v, "kind"),
                    "{id}"
                );
                let diag = valid
                    .message()
                    .body_map()
                    .map(|m| Value::Map(m).to_string());
                assert_eq!(diag.as_deref(), v["body_diag"].as_str(), "{id}: body");
            }
            ("invalid", Verdict::Invalid(e)) => {
                outcomes[1] += 1;
                assert_eq!(e.code(), str_of(v, "error"), "{id}: error code");
            }
            ("undecided", Verdict::Undecided(missing)) => {
                outcomes[2] += 1;
                let got: Vec<String> = missing
                    .iter()
                    .map(|m| match m {
                        Missing::KeyAuthorization => "key_authorization".to_string(),
                        Missing::Message(id) => hex::encode(id.as_bytes()),
                        Missing::Body => "body".to_string(),
                        Missing::Account(id) => format!("account:{}", hex::encode(id.as_bytes())),
                        other => format!("{other}"),
                    })
                    .collect();
                let want: Vec<String> = v["missing"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(missing_item)
                    .collect();
                assert_eq!(got, want, "{id}: missing");
            }
            (want, got) => panic!("{id}: expected {want}, got {got:?}"),
        }
    }
    assert!(outcomes.iter().all(|&n| n > 0), "{outcomes:?}");
}

#[test]
fn account_vectors() {
    use account_json::{authorization_json, state, status};
    use skylark::account::Accounts;
    use skylark::envelope::Header;
    use std::collections::BTreeMap;

    fn message(v: &Json) -> SignedMessage {
        SignedMessage::from_bytes(&hex(v)).unwrap_or_else(|e| panic!("{v}: not layer-1 valid: {e}"))
    }

    let vectors = load("accounts.json");
    let mut failures = Vec::new();
    let mut counts = [0usize; 2];
    for v in &vectors {
        let id = str_of(v, "id");
        match str_of(v, "type") {
            "operations" => {
                counts[0] += 1;
                let entries = v["operations"].as_array().unwrap();
                let ops: Vec<SignedMessage> =
                    entries.iter().map(|e| message(&e["message"])).collect();
                let listed: Vec<usize> = (0..ops.len()).collect();
                let reversed: Vec<usize> = listed.iter().rev().copied().collect();
                for (order_name, order) in [("listed", &listed), ("reverse", &reversed)] {
                    let mut accounts = Accounts::new();
                    for &i in order.iter() {
                        // Invalid and waiting operations are expected; their status is read below.
                        let _ = accounts.apply(&ops[i]);
                    }
                    for (op, entry) in ops.iter().zip(entries) {
                        let got = status(&accounts, op);
                        let want = str_of(entry, "status");
                        if got != want {
                            failures.push(format!(
                                "{id} ({order_name} order): operation {} is {got}, expected {want}",
                                op.id()
                            ));
                        }
                    }
                    if let Some(want) = v.get("state") {
                        let account =
                            AccountId::from_bytes(hex(&want["account"]).try_into().unwrap());
                        let got = state(&accounts, &account);
                        if &got != want {
                            failures.push(format!(
                                "{id} ({order_name} order): state {got}, expected {want}"
                            ));
                        }
                    }
                }
            }
            "authorization" => {
                counts[1] += 1;
                let ops: Vec<SignedMessage> = v["account_operations"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(message)
                    .collect();
                let known: BTreeMap<MessageId, Header> = v["known"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|k| {
                        let m = message(k);
                        (m.id(), m.header().clone())
                    })
                    .collect();
                let msg = message(&v["message"]);
                for (order_name, reverse) in [("listed", false), ("reverse", true)] {
                    let mut accounts = Accounts::new();
                    let mut order: Vec<&SignedMessage> = ops.iter().collect();
                    if reverse {
                        order.reverse();
                    }
                    for op in order {
                        let _ = accounts.apply(op);
                    }
                    let got = authorization_json(match v["capability"].as_str() {
                        Some(c) => accounts.grants(msg.header(), c),
                        None => accounts.authorize(msg.header(), |x| known.get(x).cloned()),
                    });
                    if got != v["expected"] {
                        failures.push(format!(
                            "{id} ({order_name} order): {got}, expected {}",
                            v["expected"]
                        ));
                    }
                }
            }
            other => panic!("{id}: unknown type {other}"),
        }
    }
    assert!(counts.iter().all(|&n| n > 0), "{counts:?}");
    assert!(
        failures.is_empty(),
        "{} failure(s) in accounts.json:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn merge_vectors() {
    use skylark::merge::State;
    use skylark::message::{validate, Authorization, MemoryContext, ValidMessage, Verdict};
    let vectors = load("merge.json");
    let mut failures = Vec::new();
    for v in &vectors {
        let id = &v["id"];
        let now = v["now"].as_u64().unwrap();
        let decode = |field: &str| -> Vec<SignedMessage> {
            v[field]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| {
                    SignedMessage::from_bytes(&hex(x))
                        .unwrap_or_else(|e| panic!("{id}: {field}: not layer-1 valid: {e}"))
                })
                .collect()
        };
        let messages = decode("messages");
        let known = decode("known");
        if v.get("account_operations").is_some() {
            failures.extend(merge_vector_with_operations(v, &messages, &known));
            continue;
        }
        let others = if v["others"] == "authorized" {
            Authorization::Authorized
        } else {
            Authorization::Denied(skylark::message::AuthError::OutOfScope)
        };
        let mut context = MemoryContext::new(now, Authorization::Authorized).granting(others);
        for m in messages.iter().chain(&known) {
            context.insert(m);
        }
        let valid: Vec<ValidMessage> = messages
            .iter()
            .map(|m| match validate(m.clone(), &context) {
                Verdict::Valid(x) => x,
                other => panic!("{id}: message {} is not valid: {other:?}", m.id()),
            })
            .collect();
        if let Some(applied) = v.get("applied") {
            failures.extend(applied_labels(v, applied, &messages, &known));
        }
        for (order, reversed) in [("listed", false), ("reversed", true)] {
            let mut state = State::new();
            let mut list: Vec<&ValidMessage> = valid.iter().collect();
            if reversed {
                list.reverse();
            }
            for m in list {
                state.apply(m);
            }
            let summary = state.summary(now);
            if summary.to_string() != str_of(v, "summary_diag") {
                failures.push(format!(
                    "{id} ({order} order): summary\n  got      {summary}\n  expected {}",
                    str_of(v, "summary_diag")
                ));
            }
            if hex::encode(summary.to_bytes()) != str_of(v, "summary") {
                failures.push(format!("{id} ({order} order): summary bytes"));
            }
            if hex::encode(state.digest(now)) != str_of(v, "digest") {
                failures.push(format!("{id} ({order} order): digest"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failure(s) in merge.json:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// MERGE-9 item 4: the labels a reader applies to each listed post, through the replica (every key
/// authorized, as the vector's messages are).
fn applied_labels(
    v: &Json,
    applied: &Json,
    messages: &[SignedMessage],
    known: &[SignedMessage],
) -> Vec<String> {
    use skylark::id::{AccountId, MessageId};
    use skylark::message::Authorization;
    use skylark::replica::Replica;
    let id = &v["id"];
    let mut replica =
        Replica::with_authorization(v["now"].as_u64().unwrap(), Authorization::Authorized);
    for m in known.iter().chain(messages) {
        replica.insert(m.clone());
    }
    let bytes32 = |x: &Json| -> [u8; 32] { hex(x).try_into().unwrap() };
    let mut failures = Vec::new();
    for entry in applied.as_array().unwrap() {
        let post = MessageId::from_bytes(bytes32(&entry["post"]));
        let labelers: Vec<AccountId> = entry["labelers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| AccountId::from_bytes(bytes32(l)))
            .collect();
        let want: Vec<(AccountId, String)> = entry["labels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    AccountId::from_bytes(bytes32(&p[0])),
                    p[1].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let got = replica.applied_labels(&post, &labelers);
        if got != want {
            failures.push(format!(
                "{id}: applied labels of {post:?}: got {got:?}, want {want:?}"
            ));
        }
    }
    failures
}

/// A merge vector whose accounts are real (`operations`): authorization is decided by the account
/// state (06 §9), `verdicts` gives each message's verdict, and only the valid ones count. Applied
/// through the replica in the listed order with the operations first, in the reverse order with the
/// operations last (the revocation arrives after the messages it refuses), and interleaved.
fn merge_vector_with_operations(
    v: &Json,
    messages: &[SignedMessage],
    known: &[SignedMessage],
) -> Vec<String> {
    use skylark::replica::{Replica, Status};
    let id = &v["id"];
    let now = v["now"].as_u64().unwrap();
    let operations: Vec<SignedMessage> = v["account_operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| SignedMessage::from_bytes(&hex(x)).unwrap())
        .collect();
    let verdicts: Vec<&str> = v["verdicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert_eq!(
        verdicts.len(),
        messages.len(),
        "{id}: one verdict per message"
    );
    let forward: Vec<&SignedMessage> = operations.iter().chain(known).chain(messages).collect();
    let backward: Vec<&SignedMessage> = forward.iter().rev().copied().collect();
    let mut interleaved: Vec<&SignedMessage> = Vec::new();
    let longest = operations.len().max(messages.len());
    for i in 0..longest {
        interleaved.extend(messages.get(i));
        interleaved.extend(operations.get(i));
    }
    interleaved.extend(known);
    let mut failures = Vec::new();
    for (order, list) in [
        ("listed, operations first", forward),
        ("reversed, operations last", backward),
        ("interleaved", interleaved),
    ] {
        let mut replica = Replica::new(now);
        for m in list {
            replica.insert(m.clone());
        }
        for (m, want) in messages.iter().zip(&verdicts) {
            let got = match replica.status(&m.id()) {
                Some(Status::Valid) => "valid".to_string(),
                Some(Status::Invalid(e)) => e.code().to_string(),
                other => format!("{other:?}"),
            };
            if got != *want {
                failures.push(format!(
                    "{id} ({order}): message {}: {got}, expected {want}",
                    m.id()
                ));
            }
        }
        let summary = replica.state().summary(now);
        if summary.to_string() != str_of(v, "summary_diag") {
            failures.push(format!(
                "{id} ({order}): summary\n  got      {summary}\n  expected {}",
                str_of(v, "summary_diag")
            ));
        }
        if hex::encode(replica.digest()) != str_of(v, "digest") {
            failures.push(format!("{id} ({order}): digest"));
        }
    }
    failures
}

/// The rule an error reports is one of the vector's `rules`.
fn assert_rule_listed(v: &Json, rule: &str) {
    let listed = v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r.as_str() == Some(rule));
    assert!(listed, "{}: rule {rule}", v["id"]);
}

fn sync_set(v: &Json) -> skylark::sync::Set {
    use skylark::sync::{Item, Set};
    Set::new(v.as_array().unwrap().iter().map(|pair| {
        let id: [u8; 32] = hex(&pair[1]).try_into().unwrap();
        Item::new(pair[0].as_u64().unwrap(), MessageId::from_bytes(id))
    }))
    .unwrap()
}

fn sync_ids(v: &Json) -> Vec<MessageId> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|h| MessageId::from_bytes(hex(h).try_into().unwrap()))
        .collect()
}

#[test]
fn sync_vectors() {
    use skylark::sync::{set_fingerprint, tag, Initiator, Responder};
    let vectors = load("sync.json");
    assert!(!vectors.is_empty());
    for v in &vectors {
        let id = &v["id"];
        let salt: [u8; 16] = v["salt"]
            .as_str()
            .map_or([0; 16], |_| hex(&v["salt"]).try_into().unwrap());
        match str_of(v, "type") {
            "fingerprint" => {
                let set = sync_set(&v["set"]);
                assert_eq!(
                    set_fingerprint(&set, &salt).to_vec(),
                    hex(&v["fingerprint"]),
                    "{id}"
                );
                let tags: Vec<Vec<u8>> =
                    set.items().iter().map(|i| tag(i, &salt).to_vec()).collect();
                let want: Vec<Vec<u8>> = v["tags"].as_array().unwrap().iter().map(hex).collect();
                assert_eq!(tags, want, "{id}");
            }
            "session" => {
                let (a, b) = (sync_set(&v["initiator"]), sync_set(&v["responder"]));
                let frames: Vec<Vec<u8>> =
                    v["frames"].as_array().unwrap().iter().map(hex).collect();
                let mut initiator = Initiator::new(&a, salt);
                let mut responder = Responder::new(&b);
                let mut sent = initiator.open();
                for (k, pair) in frames.chunks(2).enumerate() {
                    assert_eq!(sent, pair[0], "{id}: initiator frame {k}");
                    let reply = responder.respond(&sent).unwrap();
                    assert_eq!(reply, pair[1], "{id}: responder frame {k}");
                    match initiator.receive(&reply).unwrap() {
                        Some(next) => sent = next,
                        None => assert_eq!(2 * k + 2, frames.len(), "{id}: ended early"),
                    }
                }
                assert!(initiator.is_done(), "{id}: did not end");
                assert_eq!(initiator.have(), sync_ids(&v["have"]), "{id}: have");
                assert_eq!(initiator.need(), sync_ids(&v["need"]), "{id}: need");
            }
            "reply" => {
                let set = sync_set(&v["set"]);
                let mut responder = Responder::new(&set);
                let reply = responder.respond(&hex(&v["frame"])).unwrap();
                assert_eq!(reply, hex(&v["reply"]), "{id}: reply");
                assert_eq!(responder.have(), sync_ids(&v["have"]), "{id}: have");
            }
            "frame" => {
                let set = sync_set(&v["set"]);
                let frame = hex(&v["frame"]);
                let err = match str_of(v, "role") {
                    "responder" => Responder::new(&set).respond(&frame).unwrap_err(),
                    _ => {
                        let mut initiator = Initiator::new(&set, salt);
                        let _ = initiator.open();
                        initiator.receive(&frame).unwrap_err()
                    }
                };
                assert_eq!(err.code(), str_of(v, "error"), "{id}");
                assert_rule_listed(v, err.rule());
            }
            "set" => {
                let items = v["set"].as_array().unwrap().iter().map(|pair| {
                    let id: [u8; 32] = hex(&pair[1]).try_into().unwrap();
                    skylark::sync::Item::new(pair[0].as_u64().unwrap(), MessageId::from_bytes(id))
                });
                let err = skylark::sync::Set::new(items).unwrap_err();
                assert_eq!(err.code(), str_of(v, "error"), "{id}");
            }
            "heads" => {
                use skylark::sync::{AccountHeads, HeadsPage};
                let account = AccountId::from_bytes(hex(&v["account"]).try_into().unwrap());
                let messages = v["messages"].as_array().unwrap().iter().filter_map(|m| {
                    let acct: [u8; 32] = hex(&m[0]).try_into().unwrap();
                    (acct == *account.as_bytes()).then(|| {
                        (
                            hex(&m[1]).try_into().unwrap(),
                            m[2].as_u64().unwrap(),
                            MessageId::from_bytes(hex(&m[3]).try_into().unwrap()),
                        )
                    })
                });
                let heads = AccountHeads::new(account, messages).unwrap();
                let keys: Vec<Json> = heads
                    .keys()
                    .iter()
                    .map(|h| {
                        serde_json::json!([
                            ::hex::encode(h.key()),
                            h.seq(),
                            ::hex::encode(h.id().as_bytes()),
                            h.count()
                        ])
                    })
                    .collect();
                assert_eq!(&Json::Array(keys), &v["keys"], "{id}: keys");
                assert_eq!(heads.count(), v["count"].as_u64().unwrap(), "{id}");
                assert_eq!(heads.digest().to_vec(), hex(&v["digest"]), "{id}: digest");
                let after: Option<[u8; 32]> = match str_of(v, "after") {
                    "" => None,
                    _ => Some(hex(&v["after"]).try_into().unwrap()),
                };
                let page = hex(&v["page"]);
                assert_eq!(heads.page(after.as_ref()), page, "{id}: page");
                let parsed = HeadsPage::decode(&page, &account, after.as_ref()).unwrap();
                assert_eq!(parsed.digest(), heads.digest(), "{id}");
            }
            "name" => {
                use skylark::sync::{verify_name, NameRecord};
                let account = AccountId::from_bytes(hex(&v["account"]).try_into().unwrap());
                let records: Vec<Vec<u8>> =
                    v["records"].as_array().unwrap().iter().map(hex).collect();
                let refs: Vec<&[u8]> = records.iter().map(Vec::as_slice).collect();
                let record = match str_of(v, "record") {
                    "dns" => NameRecord::Dns(&refs),
                    _ => NameRecord::WellKnown(refs[0]),
                };
                let claim = Some(str_of(v, "claim")).filter(|c| !c.is_empty());
                let got = verify_name(str_of(v, "name"), &account, claim, record);
                match v["error"].as_str() {
                    None => assert!(got.is_ok(), "{id}: {got:?}"),
                    Some(code) => {
                        let err = got.unwrap_err();
                        assert_eq!(err.code(), code, "{id}");
                        assert_rule_listed(v, err.rule());
                    }
                }
            }
            "heads-page" => {
                let account = AccountId::from_bytes(hex(&v["account"]).try_into().unwrap());
                let after: Option<[u8; 32]> = match str_of(v, "after") {
                    "" => None,
                    _ => Some(hex(&v["after"]).try_into().unwrap()),
                };
                let err =
                    skylark::sync::HeadsPage::decode(&hex(&v["page"]), &account, after.as_ref())
                        .unwrap_err();
                assert_eq!(err.code(), str_of(v, "error"), "{id}");
                assert_rule_listed(v, err.rule());
            }
            other => panic!("{id}: unknown type {other}"),
        }
    }
}

/// One missing item of an undecided messages.json vector (format 2: `{"what": …, "id": …}`) in the
/// text form the tests compare: `key_authorization`, `body`, a message id in hex, or `account:` and
/// an account id in hex.
pub fn missing_item(item: &Json) -> String {
    let id = item["id"].as_str().unwrap_or_default();
    match item["what"].as_str() {
        Some("message") => id.to_string(),
        Some("account") => format!("account:{id}"),
        Some(what) => what.to_string(),
        None => panic!("missing item without `what`: {item}"),
    }
}
