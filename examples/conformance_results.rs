//! Runs this crate over every vector file of `test-vectors/MANIFEST.json` and writes a conformance
//! results file (format: `test-vectors/results/README.md`) to standard output:
//!
//! ```sh
//! cargo run --example conformance_results > test-vectors/results/rust.json
//! ```
//!
//! An optional argument names another `test-vectors/` folder. The manifest's hashes are checked first:
//! a results file names the `suite_digest` of the exact files that were run. A summary goes to
//! standard error; the exit status is 1 if a vector failed, 2 if the files could not be run.
//!
//! The checks are the ones of `tests/vectors.rs`, written again here so that this program stands
//! alone and reports every vector (pass or fail, and the code it got) instead of stopping at the first
//! failure.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[path = "../tests/support/account_json.rs"]
mod account_json;
use account_json::{authorization_json, state, status};

use serde_json::Value as Json;
use sha2::{Digest, Sha256};
use skylark::account::Accounts;
use skylark::cbor::{self, Value};
use skylark::envelope::{Header, SignedMessage};
use skylark::id::{AccountId, MessageId};
use skylark::keys::{self, PublicKey, Signature};
use skylark::merge::State;
use skylark::message::{
    validate, AuthError, Authorization, MemoryContext, Missing, ValidMessage, Verdict,
};

/// The implementation's name in the results file.
const IMPLEMENTATION: &str = "skylark-rust";

/// What running one vector gave: the error code this crate reported (if any), and why the vector
/// failed (`None`: it passed).
struct Outcome {
    error: Option<String>,
    problem: Option<String>,
}

/// A vector that cannot be read (a missing field, bad hex): a failure of the vector or of this
/// harness, reported as a failed vector with the reason.
type Run = Result<Outcome, String>;

fn str_of<'a>(v: &'a Json, field: &str) -> Result<&'a str, String> {
    v[field]
        .as_str()
        .ok_or_else(|| format!("vector has no string {field}"))
}

fn hex_of(v: &Json, field: &str) -> Result<Vec<u8>, String> {
    hex::decode(str_of(v, field)?).map_err(|e| format!("{field}: {e}"))
}

fn hex_value(v: &Json) -> Result<Vec<u8>, String> {
    hex::decode(v.as_str().ok_or("expected a hex string")?).map_err(|e| e.to_string())
}

fn array<'a>(v: &'a Json, field: &str) -> Result<&'a Vec<Json>, String> {
    v[field]
        .as_array()
        .ok_or_else(|| format!("vector has no array {field}"))
}

fn message(v: &Json) -> Result<SignedMessage, String> {
    SignedMessage::from_bytes(&hex_value(v)?).map_err(|e| format!("not layer-1 valid: {e}"))
}

/// Compares a verdict with a vector that has `valid` and, when invalid, `error`. `extra` is
/// a mismatch found in the details of an accepted input.
fn verdict(v: &Json, result: Result<(), &str>, extra: Option<String>) -> Run {
    let valid = v["valid"].as_bool().ok_or("vector has no valid")?;
    Ok(match (valid, result) {
        (true, Ok(())) => Outcome {
            error: None,
            problem: extra,
        },
        (true, Err(code)) => Outcome {
            error: Some(code.to_string()),
            problem: Some(format!("valid vector rejected with {code}")),
        },
        (false, Ok(())) => Outcome {
            error: None,
            problem: Some(format!("accepted; expected {}", str_of(v, "error")?)),
        },
        (false, Err(code)) => {
            let want = str_of(v, "error")?;
            Outcome {
                error: Some(code.to_string()),
                problem: (code != want).then(|| format!("expected {want}")),
            }
        }
    })
}

fn first_problem(problems: Vec<String>) -> Option<String> {
    if problems.is_empty() {
        None
    } else {
        Some(problems.join("; "))
    }
}

// ------------------------------------------------------------------------------------------------
// Layer 1
// ------------------------------------------------------------------------------------------------

fn run_cbor(v: &Json) -> Run {
    let input = hex_of(v, "input")?;
    let decoded = cbor::decode(&input);
    let mut problems = Vec::new();
    if let Ok(value) = &decoded {
        if value.to_bytes() != input {
            problems.push("does not re-encode to the input".to_string());
        }
        if let Some(diag) = v.get("diag").and_then(Json::as_str) {
            if value.to_string() != diag {
                problems.push(format!("diagnostic notation {value}"));
            }
        }
    }
    verdict(
        v,
        decoded.map(|_| ()).map_err(|e| e.code()),
        first_problem(problems),
    )
}

fn run_identifier(v: &Json) -> Run {
    match str_of(v, "type")? {
        "hash" => {
            let input = hex_of(v, "input")?;
            let got = match str_of(v, "context")? {
                skylark::id::MESSAGE_ID_CONTEXT => *MessageId::of_header(&input).as_bytes(),
                skylark::id::BODY_HASH_CONTEXT => skylark::id::body_hash(&input),
                skylark::id::ACCOUNT_ID_CONTEXT => *AccountId::of_genesis(&input).as_bytes(),
                other => return Err(format!("unknown context {other}")),
            };
            let extra = (got.to_vec() != hex_of(v, "output")?)
                .then(|| format!("output {}", hex::encode(got)));
            verdict(v, Ok(()), extra)
        }
        "text" => {
            let text = str_of(v, "text")?;
            let parsed: Result<(Vec<u8>, String), skylark::id::ParseIdError> =
                match str_of(v, "name")? {
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
                    other => return Err(format!("unknown name {other}")),
                };
            let mut problems = Vec::new();
            if let Ok((bytes, shown)) = &parsed {
                if bytes != &hex_of(v, "bytes")? {
                    problems.push(format!("bytes {}", hex::encode(bytes)));
                }
                if shown != text {
                    problems.push(format!("prints as {shown}"));
                }
            }
            verdict(
                v,
                parsed.map(|_| ()).map_err(|e| e.code()),
                first_problem(problems),
            )
        }
        other => Err(format!("unknown type {other}")),
    }
}

fn run_signature(v: &Json) -> Run {
    let result = keys::verify(
        &hex_of(v, "public_key")?,
        &hex_of(v, "message")?,
        &hex_of(v, "signature")?,
    );
    verdict(v, result.map_err(|e| e.code()), None)
}

fn run_envelope(v: &Json) -> Run {
    let input = hex_of(v, "input")?;
    let result = SignedMessage::from_bytes(&input);
    let mut problems = Vec::new();
    match &result {
        Ok(msg) => envelope_values(v, msg, &mut problems)?,
        Err(e) => {
            if let Some(part) = v.get("part").and_then(Json::as_str) {
                let got = e.part().map(|p| p.as_str());
                if got != Some(part) {
                    problems.push(format!("part {got:?}, expected {part}"));
                }
            }
        }
    }
    verdict(
        v,
        result.map(|_| ()).map_err(|e| e.code()),
        first_problem(problems),
    )
}

/// The intermediate values of a valid envelope vector.
fn envelope_values(
    v: &Json,
    msg: &SignedMessage,
    problems: &mut Vec<String>,
) -> Result<(), String> {
    let fields = &v["fields"];
    let header = msg.header();
    let mut check = |name: &str, ok: bool| {
        if !ok {
            problems.push(format!("{name} differs"));
        }
    };
    check(
        "header",
        msg.header_bytes() == hex_of(v, "header")?.as_slice(),
    );
    check(
        "message_id",
        msg.id().as_bytes().to_vec() == hex_of(v, "message_id")?,
    );
    check(
        "message_id_text",
        msg.id().to_string() == str_of(v, "message_id_text")?,
    );
    check(
        "signature",
        msg.signature().to_bytes().to_vec() == hex_of(v, "signature")?,
    );
    check(
        "body_hash",
        header.body_hash().to_vec() == hex_of(v, "body_hash")?,
    );
    check(
        "key",
        header.key().as_bytes().to_vec() == hex_of(fields, "key")?,
    );
    check(
        "acct",
        header.account().as_bytes().to_vec() == hex_of(fields, "acct")?,
    );
    check("seq", Some(header.seq()) == fields["seq"].as_u64());
    check("time", Some(header.time()) == fields["time"].as_u64());
    check("kind", header.kind().as_str() == str_of(fields, "kind")?);
    let prev = match fields["prev"].as_str() {
        Some(p) => Some(hex::decode(p).map_err(|e| e.to_string())?),
        None => None,
    };
    check("prev", header.prev().map(|p| p.as_bytes().to_vec()) == prev);
    let mut signing_input = skylark::envelope::MESSAGE_SIGNATURE_CONTEXT
        .as_bytes()
        .to_vec();
    signing_input.push(0);
    signing_input.extend_from_slice(msg.header_bytes());
    check(
        "signing_input",
        signing_input == hex_of(v, "signing_input")?,
    );
    check(
        "stripped",
        Some(msg.is_stripped()) == v["stripped"].as_bool(),
    );
    let body = match v["body"].as_str() {
        Some(b) => Some(hex::decode(b).map_err(|e| e.to_string())?),
        None => None,
    };
    check("body", msg.body().map(<[u8]>::to_vec) == body);
    Ok(())
}

// ------------------------------------------------------------------------------------------------
// Layer 2: messages.json
// ------------------------------------------------------------------------------------------------

fn run_message(v: &Json) -> Run {
    let msg = message(&v["input"])?;
    let context = &v["context"];
    let authorization = match str_of(context, "authorization")? {
        "authorized" => Authorization::Authorized,
        "unknown" => Authorization::Unknown(Missing::KeyAuthorization),
        code => Authorization::Denied(
            AuthError::from_code(code).ok_or_else(|| format!("unknown code {code}"))?,
        ),
    };
    let now = context["now"].as_u64().ok_or("context has no now")?;
    let others = match context.get("others").and_then(Json::as_str) {
        None => Authorization::Denied(AuthError::OutOfScope),
        Some("authorized") => Authorization::Authorized,
        Some("unknown") => Authorization::Unknown(Missing::KeyAuthorization),
        Some(other) => return Err(format!("unknown others answer {other}")),
    };
    let mut ctx = MemoryContext::new(now, authorization).granting(others);
    for known in array(context, "known")? {
        ctx.insert(&message(known)?);
    }
    let want = str_of(v, "outcome")?;
    Ok(match validate(msg, &ctx) {
        Verdict::Valid(valid) => {
            let mut problems = Vec::new();
            if want != "valid" {
                problems.push(format!("valid; expected {want}"));
            } else {
                let kind = valid.message().header().kind();
                if kind.as_str() != str_of(v, "kind")? {
                    problems.push(format!("kind {}", kind.as_str()));
                }
                let diag = valid
                    .message()
                    .body_map()
                    .map(|m| Value::Map(m).to_string());
                if diag.as_deref() != v["body_diag"].as_str() {
                    problems.push("body differs".to_string());
                }
            }
            Outcome {
                error: None,
                problem: first_problem(problems),
            }
        }
        Verdict::Invalid(e) => {
            let code = e.code().to_string();
            let problem = if want != "invalid" {
                Some(format!("invalid ({code}); expected {want}"))
            } else {
                let expected = str_of(v, "error")?;
                (code != expected).then(|| format!("expected {expected}"))
            };
            Outcome {
                error: Some(code),
                problem,
            }
        }
        Verdict::Undecided(missing) => {
            let got: Vec<String> = missing.iter().map(missing_text).collect();
            let problem = if want != "undecided" {
                Some(format!("undecided ({}); expected {want}", got.join(", ")))
            } else {
                // Format 2: typed items, `{"what": "message", "id": hex}` and the like.
                let expected: Vec<String> = array(v, "missing")?
                    .iter()
                    .map(|m| match (m["what"].as_str(), m["id"].as_str()) {
                        (Some("message"), Some(id)) => id.to_string(),
                        (Some("account"), Some(id)) => format!("account:{id}"),
                        (what, _) => what.unwrap_or("?").to_string(),
                    })
                    .collect();
                (got != expected).then(|| format!("missing {}", got.join(", ")))
            };
            Outcome {
                error: None,
                problem,
            }
        }
    })
}

fn missing_text(m: &Missing) -> String {
    match m {
        Missing::KeyAuthorization => "key_authorization".to_string(),
        Missing::Message(id) => hex::encode(id.as_bytes()),
        Missing::Body => "body".to_string(),
        Missing::Account(id) => format!("account:{}", hex::encode(id.as_bytes())),
        other => other.to_string(),
    }
}

// ------------------------------------------------------------------------------------------------
// Layer 3: accounts.json
// ------------------------------------------------------------------------------------------------

fn run_account(v: &Json) -> Run {
    let mut problems = Vec::new();
    let mut error = None;
    match str_of(v, "type")? {
        "operations" => {
            let entries = array(v, "operations")?;
            let ops = entries
                .iter()
                .map(|e| message(&e["message"]))
                .collect::<Result<Vec<_>, _>>()?;
            for reverse in [false, true] {
                let order = if reverse { "reverse" } else { "listed" };
                let mut accounts = Accounts::new();
                let mut list: Vec<&SignedMessage> = ops.iter().collect();
                if reverse {
                    list.reverse();
                }
                for op in list {
                    // Invalid and waiting operations are expected; their status is read below.
                    let _ = accounts.apply(op);
                }
                for (i, (op, entry)) in ops.iter().zip(entries).enumerate() {
                    let got = status(&accounts, op);
                    let want = str_of(entry, "status")?;
                    if got != want {
                        problems.push(format!(
                            "{order} order: operation {i} is {got}, expected {want}"
                        ));
                    }
                }
                if let Some(want) = v.get("state") {
                    let account: [u8; 32] = hex_of(want, "account")?
                        .try_into()
                        .map_err(|_| "state.account is not 32 bytes")?;
                    if &state(&accounts, &AccountId::from_bytes(account)) != want {
                        problems.push(format!("{order} order: state differs"));
                    }
                }
            }
        }
        "authorization" => {
            let ops = array(v, "account_operations")?
                .iter()
                .map(message)
                .collect::<Result<Vec<_>, _>>()?;
            let mut known: BTreeMap<MessageId, Header> = BTreeMap::new();
            for k in array(v, "known")? {
                let m = message(k)?;
                known.insert(m.id(), m.header().clone());
            }
            let msg = message(&v["message"])?;
            for reverse in [false, true] {
                let order = if reverse { "reverse" } else { "listed" };
                let mut accounts = Accounts::new();
                let mut list: Vec<&SignedMessage> = ops.iter().collect();
                if reverse {
                    list.reverse();
                }
                for op in list {
                    let _ = accounts.apply(op);
                }
                let answer = match v["capability"].as_str() {
                    Some(c) => accounts.grants(msg.header(), c),
                    None => accounts.authorize(msg.header(), |x| known.get(x).cloned()),
                };
                if let Authorization::Denied(e) = &answer {
                    error = Some(e.code().to_string());
                }
                let got = authorization_json(answer);
                if got != v["expected"] {
                    problems.push(format!("{order} order: {got}, expected {}", v["expected"]));
                }
            }
        }
        other => return Err(format!("unknown type {other}")),
    }
    Ok(Outcome {
        error,
        problem: first_problem(problems),
    })
}

// ------------------------------------------------------------------------------------------------
// Layer 4: merge.json
// ------------------------------------------------------------------------------------------------

fn run_merge(v: &Json) -> Run {
    let now = v["now"].as_u64().ok_or("vector has no now")?;
    let messages = array(v, "messages")?
        .iter()
        .map(message)
        .collect::<Result<Vec<_>, _>>()?;
    let known = array(v, "known")?
        .iter()
        .map(message)
        .collect::<Result<Vec<_>, _>>()?;
    if v.get("account_operations").is_some() {
        return run_merge_with_accounts(v, now, &messages, &known);
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
    let mut valid: Vec<ValidMessage> = Vec::new();
    for m in &messages {
        match validate(m.clone(), &context) {
            Verdict::Valid(x) => valid.push(x),
            Verdict::Invalid(e) => {
                return Ok(Outcome {
                    error: Some(e.code().to_string()),
                    problem: Some(format!("message {} is invalid", m.id())),
                })
            }
            other => {
                return Ok(Outcome {
                    error: None,
                    problem: Some(format!("message {} is not valid: {other:?}", m.id())),
                })
            }
        }
    }
    let mut problems = Vec::new();
    for reverse in [false, true] {
        let order = if reverse { "reverse" } else { "listed" };
        let mut state = State::new();
        let mut list: Vec<&ValidMessage> = valid.iter().collect();
        if reverse {
            list.reverse();
        }
        for m in list {
            state.apply(m);
        }
        let summary = state.summary(now);
        if summary.to_string() != str_of(v, "summary_diag")? {
            problems.push(format!("{order} order: summary differs"));
        } else if hex::encode(summary.to_bytes()) != str_of(v, "summary")? {
            problems.push(format!("{order} order: summary bytes differ"));
        }
        if hex::encode(state.digest(now)) != str_of(v, "digest")? {
            problems.push(format!("{order} order: digest differs"));
        }
    }
    Ok(Outcome {
        error: None,
        problem: first_problem(problems),
    })
}

/// A merge vector with real accounts: authorization by the account state of `account_operations`
/// (06 §9), each message's verdict against `verdicts`, the valid ones merged; through the replica,
/// with the operations first and, reversed, last.
fn run_merge_with_accounts(
    v: &Json,
    now: u64,
    messages: &[SignedMessage],
    known: &[SignedMessage],
) -> Run {
    use skylark::replica::{Replica, Status};
    let operations = array(v, "account_operations")?
        .iter()
        .map(message)
        .collect::<Result<Vec<_>, _>>()?;
    let verdicts = array(v, "verdicts")?;
    if verdicts.len() != messages.len() {
        return Err("verdicts: one per message".into());
    }
    let mut problems = Vec::new();
    let forward: Vec<&SignedMessage> = operations.iter().chain(known).chain(messages).collect();
    for reverse in [false, true] {
        let order = if reverse { "reverse" } else { "listed" };
        let mut replica = Replica::new(now);
        let list: Vec<&SignedMessage> = if reverse {
            forward.iter().rev().copied().collect()
        } else {
            forward.clone()
        };
        for m in list {
            replica.insert(m.clone());
        }
        for (m, want) in messages.iter().zip(verdicts) {
            let got = match replica.status(&m.id()) {
                Some(Status::Valid) => "valid".to_string(),
                Some(Status::Invalid(e)) => e.code().to_string(),
                other => format!("{other:?}"),
            };
            if want.as_str() != Some(got.as_str()) {
                return Ok(Outcome {
                    error: Some(got),
                    problem: Some(format!(
                        "message {}: verdict differs ({order} order)",
                        m.id()
                    )),
                });
            }
        }
        let summary = replica.state().summary(now);
        if summary.to_string() != str_of(v, "summary_diag")? {
            problems.push(format!("{order} order: summary differs"));
        } else if hex::encode(summary.to_bytes()) != str_of(v, "summary")? {
            problems.push(format!("{order} order: summary bytes differ"));
        }
        if hex::encode(replica.digest()) != str_of(v, "digest")? {
            problems.push(format!("{order} order: digest differs"));
        }
    }
    Ok(Outcome {
        error: None,
        problem: first_problem(problems),
    })
}

// ------------------------------------------------------------------------------------------------
// Layer 5: direct messages
// ------------------------------------------------------------------------------------------------

fn arr<const N: usize>(bytes: Vec<u8>) -> Result<[u8; N], String> {
    bytes.try_into().map_err(|_| format!("expected {N} bytes"))
}

/// The declarations of a `relay` or `choose` dm vector that parse and are authorized (DM-24,
/// DM-25) against the vector's accounts: what a relay or a reporter holds.
fn declarations_of(v: &Json) -> Result<Vec<skylark::dm::Declaration>, String> {
    let accounts = dm_state(v)?;
    let mut declarations = Vec::new();
    for m in array(v, "declarations")? {
        if let Ok(d) = skylark::dm::Declaration::from_message(&message(m)?) {
            if d.authorize(&accounts).is_ok() {
                declarations.push(d);
            }
        }
    }
    Ok(declarations)
}

/// The account state of a dm vector: its `accounts` operations, applied in order.
fn dm_state(v: &Json) -> Result<skylark::account::Accounts, String> {
    let mut accounts = skylark::account::Accounts::new();
    for op in array(v, "accounts")? {
        accounts
            .apply(&message(op)?)
            .map_err(|e| format!("operation refused: {e}"))?;
    }
    Ok(accounts)
}

/// A prekey bundle carrying a seal vector's raw bundle values (sealing needs only them).
fn dm_bundle(v: &Json) -> Result<Result<skylark::dm::Prekey, skylark::dm::DmError>, String> {
    use skylark::cbor::{Map, Value};
    let mut map = Map::new();
    map.insert("device", Value::from(&[0u8; 16][..]));
    map.insert("key", Value::from(hex_of(v, "recipient_key")?));
    map.insert("pq", Value::from(hex_of(v, "pq_key")?));
    let onetime = array(v, "onetime_keys")?
        .iter()
        .map(|k| Ok(Value::from(hex_value(k)?)))
        .collect::<Result<Vec<_>, String>>()?;
    map.insert("onetime", Value::Array(onetime));
    map.insert("expires", Value::from(2u64));
    let kind = skylark::envelope::Kind::new("prekey").map_err(|e| e.to_string())?;
    let msg = skylark::envelope::Draft::new(AccountId::from_bytes([0; 32]), kind, 1, &map)
        .and_then(|d| d.sign(&skylark::keys::SecretKey::from_seed([0; 32])))
        .map_err(|e| e.to_string())?;
    Ok(skylark::dm::Prekey::from_message(&msg))
}

fn run_dm(v: &Json) -> Run {
    use skylark::dm::{
        open, open_in_group, seal_deterministic, seal_padded_deterministic, Accept, DeviceKeys,
        EncryptionSecret, Gate, GroupRecord, Groups, Inner, PqSecret, Prekey, Stamp,
    };
    // The gate a stamp or admit vector gives.
    let gate_of = |g: &Json| {
        let accept = match g["accept"].as_str() {
            Some("all") => Accept::Everyone,
            Some("follows") => Accept::Follows,
            Some("none") => Accept::Nobody,
            other => return Err(format!("unknown accept {other:?}")),
        };
        let tokens = array(g, "tokens")?
            .iter()
            .map(|t| arr::<32>(hex_value(t)?))
            .collect::<Result<Vec<_>, String>>()?;
        let pow = g["pow"].as_u64().and_then(|p| u8::try_from(p).ok());
        Gate::new(accept, pow.ok_or("gate has no pow")?, &tokens).map_err(|e| e.to_string())
    };
    // The group state of a vector: its held records, added in order.
    let groups_of = |held: &[Json], accounts: &skylark::account::Accounts| {
        let mut groups = Groups::new();
        for r in held {
            let record = GroupRecord::from_bytes(&hex_value(r)?).map_err(|e| e.to_string())?;
            groups.add(&record, accounts).map_err(|e| e.to_string())?;
        }
        Ok::<Groups, String>(groups)
    };
    let mut problems = Vec::new();
    let result: Result<(), String> = match str_of(v, "type")? {
        "seal" => {
            let slot = match v["slot"].as_u64() {
                Some(s) => Some(u16::try_from(s).map_err(|e| e.to_string())?),
                None => None,
            };
            let e: [u8; 32] = arr(hex_of(v, "ephemeral_secret")?)?;
            let m: [u8; 32] = arr(hex_of(v, "kem_message")?)?;
            let bucket = match v["bucket"].as_u64() {
                Some(n) => Some(usize::try_from(n).map_err(|e| e.to_string())?),
                None => None,
            };
            let sealed = Inner::from_bytes(&hex_of(v, "inner")?).and_then(|inner| {
                dm_bundle(v)
                    .map_err(|_| skylark::dm::DmError::Prekey)?
                    .and_then(|b| match bucket {
                        None => seal_deterministic(&inner, &b, slot, &e, &m),
                        Some(n) => seal_padded_deterministic(&inner, &b, slot, n, &e, &m),
                    })
            });
            match sealed {
                Ok(sealed) => {
                    if v["valid"].as_bool() == Some(true)
                        && hex::encode(sealed.as_bytes()) != str_of(v, "sealed")?
                    {
                        problems.push("sealed bytes differ".to_string());
                    }
                    Ok(())
                }
                Err(e) => Err(e.code().to_string()),
            }
        }
        "open" => {
            let me = AccountId::from_bytes(arr(hex_of(v, "opener")?)?);
            let mut keys = Vec::new();
            for k in array(v, "keys")? {
                let slots = array(k, "onetime")?;
                let mut secrets = Vec::new();
                for s in slots {
                    secrets.push(EncryptionSecret::from_bytes(if s.is_null() {
                        [0; 32]
                    } else {
                        arr(hex_value(s)?)?
                    }));
                }
                let mut set = DeviceKeys::new(
                    arr(hex_of(k, "device")?)?,
                    EncryptionSecret::from_bytes(arr(hex_of(k, "signed")?)?),
                    PqSecret::from_seed(arr(hex_of(k, "pq_seed")?)?),
                    secrets,
                );
                for (i, s) in slots.iter().enumerate() {
                    if s.is_null() {
                        set.forget_onetime(u16::try_from(i).map_err(|e| e.to_string())?);
                    }
                }
                keys.push(set);
            }
            let seen = array(v, "seen")?
                .iter()
                .map(|k| arr::<32>(hex_value(k)?))
                .collect::<Result<Vec<_>, String>>()?;
            let now = v["now"].as_u64().ok_or("vector has no now")?;
            let accounts = dm_state(v)?;
            let sealed = hex_of(v, "sealed")?;
            let opened = match v.get("groups") {
                None => open(&sealed, &me, &mut keys, &accounts, now, |id| {
                    seen.contains(id.as_bytes())
                }),
                Some(_) => {
                    let mut groups = groups_of(array(v, "groups")?, &accounts)?;
                    open_in_group(&sealed, &me, &mut keys, &accounts, &mut groups, now, |id| {
                        seen.contains(id.as_bytes())
                    })
                }
            };
            match opened {
                Ok(opened) => {
                    if v["valid"].as_bool() == Some(true)
                        && hex::encode(opened.inner().as_bytes()) != str_of(v, "inner")?
                    {
                        problems.push("inner message differs".to_string());
                    }
                    Ok(())
                }
                Err(e) => Err(e.code().to_string()),
            }
        }
        "stamp" => {
            let gate = gate_of(&v["gate"])?;
            let sealed = hex_of(v, "sealed")?;
            Stamp::from_bytes(&hex_of(v, "stamp")?)
                .and_then(|stamp| gate.relay_admits(&sealed, &stamp))
                .map_err(|e| e.code().to_string())
        }
        "admit" => {
            let gate = gate_of(&v["gate"])?;
            let me = AccountId::from_bytes(arr(hex_of(v, "me")?)?);
            let sender = AccountId::from_bytes(arr(hex_of(v, "sender")?)?);
            let follows = v["follows"].as_bool().ok_or("vector has no follows")?;
            let sealed = hex_of(v, "sealed")?;
            Stamp::from_bytes(&hex_of(v, "stamp")?)
                .and_then(|stamp| gate.admits(&me, &sender, follows, &sealed, &stamp))
                .map_err(|e| e.code().to_string())
        }
        "group" => {
            let accounts = dm_state(v)?;
            let mut groups = groups_of(array(v, "held")?, &accounts)?;
            match GroupRecord::from_bytes(&hex_of(v, "record")?)
                .and_then(|r| groups.add(&r, &accounts).map(|()| r))
            {
                Ok(r) => {
                    let head = groups
                        .head(&r.group())
                        .map(|h| hex::encode(h.id().as_bytes()));
                    if head.as_deref() != v["head"].as_str() {
                        problems.push("head differs".to_string());
                    }
                    Ok(())
                }
                Err(e) => Err(e.code().to_string()),
            }
        }
        "prekey" => {
            let accounts = dm_state(v)?;
            match Prekey::from_message(&message(&v["message"])?)
                .and_then(|p| p.authorize(&accounts).map(|()| p))
            {
                Ok(p) => {
                    if v["valid"].as_bool() == Some(true)
                        && hex::encode(p.device()) != str_of(v, "device")?
                    {
                        problems.push("device differs".to_string());
                    }
                    Ok(())
                }
                Err(e) => Err(e.code().to_string()),
            }
        }
        "report_seal" => {
            use skylark::dm::{EncryptionPublic, PqPublic, ReportInner, ServiceKey};
            let e: [u8; 32] = arr(hex_of(v, "ephemeral_secret")?)?;
            let m: [u8; 32] = arr(hex_of(v, "kem_message")?)?;
            let pq = PqPublic::from_slice(&hex_of(v, "pq_key")?).ok_or("bad pq_key")?;
            let key = ServiceKey::new(
                EncryptionPublic::from_bytes(arr(hex_of(v, "recipient_key")?)?),
                pq,
                u64::MAX >> 11,
            );
            match ReportInner::from_bytes(&hex_of(v, "inner")?)
                .and_then(|inner| skylark::dm::seal_report_deterministic(&inner, &key, &e, &m))
            {
                Ok(sealed) => {
                    if hex::encode(sealed.as_bytes()) != str_of(v, "sealed")? {
                        problems.push("sealed bytes differ".to_string());
                    }
                    Ok(())
                }
                Err(e) => Err(e.code().to_string()),
            }
        }
        "report_open" => {
            let me = AccountId::from_bytes(arr(hex_of(v, "opener")?)?);
            let mut keys = Vec::new();
            for k in array(v, "keys")? {
                keys.push(DeviceKeys::new(
                    arr(hex_of(k, "device")?)?,
                    EncryptionSecret::from_bytes(arr(hex_of(k, "signed")?)?),
                    PqSecret::from_seed(arr(hex_of(k, "pq_seed")?)?),
                    Vec::new(),
                ));
            }
            let seen = array(v, "seen")?
                .iter()
                .map(|k| arr::<32>(hex_value(k)?))
                .collect::<Result<Vec<_>, String>>()?;
            let now = v["now"].as_u64().ok_or("vector has no now")?;
            let accounts = dm_state(v)?;
            let declaration = skylark::dm::Declaration::from_message(&message(&v["declaration"])?)
                .map_err(|e| e.to_string())?;
            match skylark::dm::open_report(
                &hex_of(v, "sealed")?,
                &me,
                &keys,
                &declaration,
                &accounts,
                now,
                |id| seen.contains(id.as_bytes()),
            ) {
                Ok(inner) => {
                    if hex::encode(inner.id().as_bytes()) != str_of(v, "report_id")? {
                        problems.push("report id differs".to_string());
                    }
                    Ok(())
                }
                Err(e) => Err(e.code().to_string()),
            }
        }
        "relay" => {
            // 08 §14.2 with DM-22: a relay files a sealed report under a declared service key's gate.
            use skylark::dm::{admit_item, Declaration, Sealed};
            let declarations = declarations_of(v)?;
            let now = v["now"].as_u64().ok_or("vector has no now")?;
            let keys = Declaration::relay_keys(&declarations, now);
            let sealed = Sealed::from_bytes(&hex_of(v, "sealed")?).map_err(|e| e.to_string())?;
            let filed = v["filed"].as_bool().ok_or("vector has no filed")?;
            match Stamp::from_bytes(&hex_of(v, "stamp")?) {
                Err(e) => Err(e.code().to_string()),
                Ok(stamp) => match admit_item(&sealed, &stamp, &[], &keys) {
                    None => {
                        if filed {
                            problems.push("no mailbox for the item's tag".to_string());
                        }
                        Ok(())
                    }
                    Some(result) => {
                        if !filed && result.is_ok() {
                            problems.push("filed, expected no mailbox".to_string());
                        }
                        result.map_err(|e| e.code().to_string())
                    }
                },
            }
        }
        "service" => {
            let accounts = dm_state(v)?;
            match skylark::dm::Declaration::from_message(&message(&v["message"])?)
                .and_then(|d| d.authorize(&accounts).map(|()| d))
            {
                Ok(d) => {
                    let reasons: Vec<&str> = d.reasons().iter().map(|r| r.as_str()).collect();
                    let want: Vec<&str> = array(v, "reasons")?
                        .iter()
                        .filter_map(Json::as_str)
                        .collect();
                    if v["valid"].as_bool() == Some(true) && reasons != want {
                        problems.push("reasons differ".to_string());
                    }
                    Ok(())
                }
                Err(e) => Err(e.code().to_string()),
            }
        }
        "choose" => {
            // 08 §14.1: the declaration and key a reporter seals to at `now`.
            use skylark::dm::Declaration;
            let declarations = declarations_of(v)?;
            let now = v["now"].as_u64().ok_or("vector has no now")?;
            let got = Declaration::choose(&declarations, now).map(|(d, k)| {
                (
                    hex::encode(d.id().as_bytes()),
                    hex::encode(k.key().as_bytes()),
                )
            });
            let want = v["chosen"]
                .as_str()
                .map(|c| (c.to_string(), v["key"].as_str().unwrap_or("").to_string()));
            if got != want {
                problems.push("chosen declaration or key differs".to_string());
            }
            Ok(())
        }
        "public" => match SignedMessage::from_bytes(&hex_of(v, "message")?) {
            Err(e) => Err(e.code().to_string()),
            Ok(msg) => {
                use skylark::message::{validate, Authorization, MemoryContext, Verdict};
                match validate(
                    msg,
                    &MemoryContext::new(u64::MAX >> 11, Authorization::Authorized),
                ) {
                    Verdict::Invalid(e) => Err(e.code().to_string()),
                    _ => Ok(()),
                }
            }
        },
        other => return Err(format!("unknown type {other}")),
    };
    verdict(
        v,
        result.as_ref().map(|_| ()).map_err(String::as_str),
        first_problem(problems),
    )
}

fn sync_set(v: &Json, field: &str) -> Result<Result<skylark::sync::Set, String>, String> {
    use skylark::sync::{Item, Set};
    let items = array(v, field)?
        .iter()
        .map(|pair| {
            let time = pair[0].as_u64().ok_or("item time")?;
            Ok(Item::new(
                time,
                MessageId::from_bytes(arr::<32>(hex_value(&pair[1])?)?),
            ))
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Set::new(items).map_err(|e| e.code().to_string()))
}

fn sync_ids(ids: &[skylark::id::MessageId]) -> Vec<String> {
    ids.iter().map(|i| hex::encode(i.as_bytes())).collect()
}

/// A heads vector's `after`: a key in hex, or empty.
fn heads_after(v: &Json) -> Result<Option<[u8; 32]>, String> {
    match str_of(v, "after")? {
        "" => Ok(None),
        _ => arr::<32>(hex_of(v, "after")?).map(Some),
    }
}

fn run_sync(v: &Json) -> Run {
    use skylark::sync::{set_fingerprint, tag, Initiator, Responder};
    let mut problems = Vec::new();
    let salt = || -> Result<[u8; 16], String> {
        hex_of(v, "salt")?
            .try_into()
            .map_err(|_| "salt: expected 16 bytes".to_string())
    };
    let result: Result<(), String> = match str_of(v, "type")? {
        "set" => sync_set(v, "set")?.map(|_| ()),
        "fingerprint" => {
            let set = sync_set(v, "set")?.map_err(|e| format!("set: {e}"))?;
            let salt = salt()?;
            if hex::encode(set_fingerprint(&set, &salt)) != str_of(v, "fingerprint")? {
                problems.push("fingerprint differs".to_string());
            }
            let tags: Vec<String> = set
                .items()
                .iter()
                .map(|i| hex::encode(tag(i, &salt)))
                .collect();
            let want: Vec<String> = array(v, "tags")?
                .iter()
                .map(|t| t.as_str().unwrap_or_default().to_string())
                .collect();
            if tags != want {
                problems.push("tags differ".to_string());
            }
            Ok(())
        }
        "session" => {
            let a = sync_set(v, "initiator")?.map_err(|e| format!("initiator: {e}"))?;
            let b = sync_set(v, "responder")?.map_err(|e| format!("responder: {e}"))?;
            let mut initiator = Initiator::new(&a, salt()?);
            let mut responder = Responder::new(&b);
            let mut frames = Vec::new();
            let mut next = Some(initiator.open());
            while let Some(frame) = next.take() {
                if frames.len() > 1000 {
                    return Err("the session does not end".to_string());
                }
                let reply = responder.respond(&frame).map_err(|e| e.code().to_string());
                frames.push(hex::encode(&frame));
                let reply = reply?;
                frames.push(hex::encode(&reply));
                next = initiator
                    .receive(&reply)
                    .map_err(|e| e.code().to_string())?;
            }
            let want: Vec<String> = array(v, "frames")?
                .iter()
                .map(|t| t.as_str().unwrap_or_default().to_string())
                .collect();
            if frames != want {
                problems.push("frames differ".to_string());
            }
            let list = |field: &str| -> Result<Vec<String>, String> {
                Ok(array(v, field)?
                    .iter()
                    .map(|t| t.as_str().unwrap_or_default().to_string())
                    .collect())
            };
            if sync_ids(&initiator.have()) != list("have")?
                || sync_ids(&initiator.need()) != list("need")?
            {
                problems.push("have or need differs".to_string());
            }
            Ok(())
        }
        "reply" => {
            let set = sync_set(v, "set")?.map_err(|e| format!("set: {e}"))?;
            let mut responder = Responder::new(&set);
            let reply = responder
                .respond(&hex_of(v, "frame")?)
                .map_err(|e| e.code().to_string())?;
            if hex::encode(&reply) != str_of(v, "reply")? {
                problems.push("reply differs".to_string());
            }
            let want: Vec<String> = array(v, "have")?
                .iter()
                .map(|t| t.as_str().unwrap_or_default().to_string())
                .collect();
            if sync_ids(&responder.have()) != want {
                problems.push("have differs".to_string());
            }
            Ok(())
        }
        "frame" => {
            let set = sync_set(v, "set")?.map_err(|e| format!("set: {e}"))?;
            let frame = hex_of(v, "frame")?;
            let outcome = if str_of(v, "role")? == "initiator" {
                let mut initiator = Initiator::new(&set, salt()?);
                let _ = initiator.open();
                initiator.receive(&frame).map(|_| ())
            } else {
                Responder::new(&set).respond(&frame).map(|_| ())
            };
            outcome.map_err(|e| e.code().to_string())
        }
        "heads" => {
            use skylark::sync::{AccountHeads, HeadsPage};
            let account = AccountId::from_bytes(arr::<32>(hex_of(v, "account")?)?);
            let mut messages = Vec::new();
            for m in array(v, "messages")? {
                if arr::<32>(hex_value(&m[0])?)? != *account.as_bytes() {
                    continue;
                }
                messages.push((
                    arr::<32>(hex_value(&m[1])?)?,
                    m[2].as_u64().ok_or("message seq")?,
                    MessageId::from_bytes(arr::<32>(hex_value(&m[3])?)?),
                ));
            }
            let heads = AccountHeads::new(account, messages).map_err(|e| e.code().to_string())?;
            let keys: Vec<Json> = heads
                .keys()
                .iter()
                .map(|h| {
                    serde_json::json!([
                        hex::encode(h.key()),
                        h.seq(),
                        hex::encode(h.id().as_bytes()),
                        h.count()
                    ])
                })
                .collect();
            if Some(&keys) != v["keys"].as_array() {
                problems.push("key heads differ".to_string());
            }
            if Some(heads.count()) != v["count"].as_u64()
                || hex::encode(heads.digest()) != str_of(v, "digest")?
            {
                problems.push("count or account digest differs".to_string());
            }
            let after = heads_after(v)?;
            let page = heads.page(after.as_ref());
            if hex::encode(&page) != str_of(v, "page")? {
                problems.push("heads page differs".to_string());
            }
            HeadsPage::decode(&page, &account, after.as_ref())
                .map(|_| ())
                .map_err(|e| e.code().to_string())
        }
        "name" => {
            use skylark::sync::{verify_name, NameRecord};
            let account = AccountId::from_bytes(arr::<32>(hex_of(v, "account")?)?);
            let records = array(v, "records")?
                .iter()
                .map(hex_value)
                .collect::<Result<Vec<_>, _>>()?;
            let refs: Vec<&[u8]> = records.iter().map(Vec::as_slice).collect();
            let record = match str_of(v, "record")? {
                "dns" => NameRecord::Dns(&refs),
                _ => NameRecord::WellKnown(refs.first().ok_or("no well-known body")?),
            };
            let claim = Some(str_of(v, "claim")?).filter(|c| !c.is_empty());
            verify_name(str_of(v, "name")?, &account, claim, record)
                .map_err(|e| e.code().to_string())
        }
        "heads-page" => {
            let account = AccountId::from_bytes(arr::<32>(hex_of(v, "account")?)?);
            skylark::sync::HeadsPage::decode(
                &hex_of(v, "page")?,
                &account,
                heads_after(v)?.as_ref(),
            )
            .map(|_| ())
            .map_err(|e| e.code().to_string())
        }
        other => return Err(format!("unknown type {other}")),
    };
    verdict(
        v,
        result.as_ref().map(|_| ()).map_err(String::as_str),
        first_problem(problems),
    )
}

// ------------------------------------------------------------------------------------------------
// The driver
// ------------------------------------------------------------------------------------------------

fn runner(suite: &str) -> Option<fn(&Json) -> Run> {
    Some(match suite {
        "cbor" | "cbor-dasl" => run_cbor,
        "identifiers" => run_identifier,
        "signatures" | "ed25519-cctv" | "ed25519-wycheproof" | "ed25519-speccheck" => run_signature,
        "envelopes" => run_envelope,
        "messages" => run_message,
        "accounts" => run_account,
        "merge" => run_merge,
        "dm" => run_dm,
        "sync" => run_sync,
        _ => return None,
    })
}

fn json_string(s: &str) -> String {
    Json::from(s).to_string()
}

/// Runs every vector file of `dir`'s manifest: the results file (JSON text) and the pass, fail and
/// skip counts. Also the engine of the `skylark vectors` command (`cli/src/vectors.rs`).
pub fn run(dir: &Path) -> Result<(String, [usize; 3]), String> {
    let read = |name: &str| -> Result<Vec<u8>, String> {
        std::fs::read(dir.join(name)).map_err(|e| format!("{}: {e}", dir.join(name).display()))
    };
    let manifest: Json = serde_json::from_slice(&read("MANIFEST.json")?)
        .map_err(|e| format!("MANIFEST.json: {e}"))?;
    let digest = str_of(&manifest, "suite_digest")?;
    let mut lines = Vec::new();
    let mut counts = [0usize; 3];
    for entry in array(&manifest, "files")? {
        let path = str_of(entry, "path")?;
        let bytes = read(path)?;
        if hex::encode(Sha256::digest(&bytes)) != str_of(entry, "sha256")? {
            return Err(format!(
                "{path} differs from MANIFEST.json: regenerate with `cargo run -p skylark-test-vectors`"
            ));
        }
        let doc: Json = serde_json::from_slice(&bytes).map_err(|e| format!("{path}: {e}"))?;
        let suite = str_of(&doc, "suite")?;
        let run_one = runner(suite);
        for v in array(&doc, "vectors")? {
            let id = str_of(v, "id")?;
            let (status, error, note) = match run_one {
                None => (
                    "skip",
                    None,
                    Some(format!("suite {suite} is not supported")),
                ),
                Some(f) => match f(v) {
                    Ok(Outcome {
                        error,
                        problem: None,
                    }) => ("pass", error, None),
                    Ok(Outcome {
                        error,
                        problem: Some(p),
                    }) => ("fail", error, Some(p)),
                    Err(e) => ("fail", None, Some(format!("could not run the vector: {e}"))),
                },
            };
            counts[match status {
                "pass" => 0,
                "fail" => 1,
                _ => 2,
            }] += 1;
            let mut line = format!(
                "    {{\"file\": {}, \"id\": {}, \"status\": \"{status}\", \"error\": {}",
                json_string(path),
                json_string(id),
                error.as_deref().map_or("null".to_string(), json_string)
            );
            if let Some(note) = note {
                line.push_str(&format!(", \"note\": {}", json_string(&note)));
            }
            line.push('}');
            lines.push(line);
        }
    }
    let out = format!(
        "{{\n  \"implementation\": {},\n  \"version\": {},\n  \"suite_digest\": {},\n  \"results\": [\n{}\n  ]\n}}\n",
        json_string(IMPLEMENTATION),
        json_string(env!("CARGO_PKG_VERSION")),
        json_string(digest),
        lines.join(",\n")
    );
    Ok((out, counts))
}

fn main() -> ExitCode {
    let dir = std::env::args_os().nth(1).map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test-vectors"),
        PathBuf::from,
    );
    match run(&dir) {
        Ok((out, [pass, fail, skip])) => {
            print!("{out}");
            eprintln!(
                "{IMPLEMENTATION} {}: {} vectors: {pass} pass, {fail} fail, {skip} skip",
                env!("CARGO_PKG_VERSION"),
                pass + fail + skip
            );
            if fail > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("conformance_results: {e}");
            ExitCode::from(2)
        }
    }
}
