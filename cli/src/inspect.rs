//! `inspect` and `verify`: messages read as a node reads them, with the verdict and its reason.

use std::collections::BTreeSet;

use serde_json::{json, Value as Json};
use skylark::cbor::{self, Value};
use skylark::envelope::{Envelope, Header, SignedMessage};
use skylark::id::MessageId;
use skylark::merge::State;
use skylark::message::{Authorization, Missing};
use skylark::replica::{Replica, Status as Verdict};
use skylark::view::{MessageView, StateView, StatusView};

use crate::args::Args;
use crate::files::{self, Input};
use crate::{help, print_json, Error, Status};

const HELP: &str = "\
skylark inspect [FILE|-]... [--accounts FILE]... [--with FILE]... [--key-authorized] [--now MS]
                [--raw] [--json]
  For each message: its header fields, its body and the whole message in CBOR diagnostic notation
  (RFC 8949 §8), its id, and the verdict, with the error code and the rule it broke.
skylark verify  [FILE|-]... (same options)
  The verdict only, one line per message; the exit status is 0 if every message is valid, 2 if one
  is invalid, 3 if none is invalid but one is undecided.
skylark state   [FILE|-]... (same options)
  The merged state of every valid message the node holds (the inputs, and the messages of
  --accounts and --with), which every node holding them reaches whatever their order; prints its
  digest (MERGE-11), --json the whole state summary. The counts are of the inputs, per message: a
  message given whole and as a stripped remainder counts once, by its whole form (07 §2.1).

  The node is a replica (skylark::replica) holding every message of the inputs, --accounts and
  --with: each message's verdict is the one it has against all of them, in any order (a message
  given whole and as a remainder is shown with the whole message's verdict).
  --accounts FILE   key operations (genesis, delegate, revoke, …) of the accounts concerned
  --with FILE       other messages the node holds (a key's previous message, an edited post, …)
  --key-authorized  take every key as authorized, with every capability (skip the accounts layer)
  --now MS          the node's clock (default: now)
  --raw             read each FILE as the raw bytes of one message, even if it looks like hex
  Messages of the inputs are known to each other. Without --accounts or --key-authorized, a message
  whose account is unknown is undecided.
";

/// The node a reading command runs: a replica at `now` holding `messages` (any order), authorizing
/// by the account state it holds, or every key with every capability (`--key-authorized`).
pub fn node<'a>(
    now: u64,
    key_authorized: bool,
    messages: impl IntoIterator<Item = &'a SignedMessage>,
) -> Replica {
    let mut replica = if key_authorized {
        Replica::with_authorizations(now, Authorization::Authorized, Authorization::Authorized)
    } else {
        Replica::new(now)
    };
    for m in messages {
        replica.insert(m.clone());
    }
    replica
}

/// The messages of every `--accounts` and `--with` file.
pub fn context_messages(args: &Args) -> Result<Vec<SignedMessage>, Error> {
    let mut out = Vec::new();
    for file in args.all("accounts").iter().chain(args.all("with")) {
        out.extend(files::read_messages(file)?);
    }
    Ok(out)
}

/// One input message as far as it could be read.
enum Read {
    /// Not even a CBOR item: the error.
    NotCbor(cbor::DecodeError),
    /// CBOR, but not an envelope.
    NotEnvelope(Value, skylark::envelope::EnvelopeError),
    /// An envelope whose signature or body fails.
    Unverified(Value, Box<Envelope>, skylark::envelope::EnvelopeError),
    /// A signed message.
    Signed(Value, Box<SignedMessage>),
}

fn read(bytes: &[u8]) -> Read {
    let value = match cbor::decode(bytes) {
        Ok(v) => v,
        Err(e) => return Read::NotCbor(e),
    };
    match Envelope::decode(bytes) {
        Err(e) => Read::NotEnvelope(value, e),
        Ok(envelope) => match envelope.clone().verify() {
            Ok(m) => Read::Signed(value, Box::new(m)),
            Err(e) => Read::Unverified(value, Box::new(envelope), e),
        },
    }
}

/// Diagnostic notation, one line if it fits in `width`, else indented.
fn diagnostic(value: &Value, indent: usize, out: &mut String) {
    let flat = value.to_string();
    let pad = "  ".repeat(indent + 1);
    if flat.len() + indent * 2 <= 96 {
        out.push_str(&flat);
        return;
    }
    match value {
        Value::Array(items) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                out.push_str(&pad);
                diagnostic(item, indent + 1, out);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            out.push_str(&"  ".repeat(indent));
            out.push(']');
        }
        Value::Map(map) => {
            out.push_str("{\n");
            for (i, (k, v)) in map.iter().enumerate() {
                out.push_str(&pad);
                out.push_str(&Value::from(k).to_string());
                out.push_str(": ");
                diagnostic(v, indent + 1, out);
                out.push_str(if i + 1 < map.len() { ",\n" } else { "\n" });
            }
            out.push_str(&"  ".repeat(indent));
            out.push('}');
        }
        _ => out.push_str(&flat),
    }
}

fn pretty(value: &Value) -> String {
    let mut out = String::new();
    diagnostic(value, 1, &mut out);
    out
}

/// The whole message in diagnostic notation, its header and body shown as embedded CBOR
/// (`<< … >>`, RFC 8949 §8.1) when they decode.
fn pretty_envelope(value: &Value) -> String {
    let Value::Map(map) = value else {
        return pretty(value);
    };
    let mut out = String::from("{\n");
    for (i, (k, v)) in map.iter().enumerate() {
        out.push_str("    ");
        out.push_str(&Value::from(k).to_string());
        out.push_str(": ");
        match (k, v) {
            ("h" | "b", Value::Bytes(b)) if cbor::decode(b).is_ok() => {
                if let Ok(inner) = cbor::decode(b) {
                    out.push_str("<< ");
                    diagnostic(&inner, 2, &mut out);
                    out.push_str(" >>");
                }
            }
            _ => diagnostic(v, 2, &mut out),
        }
        out.push_str(if i + 1 < map.len() { ",\n" } else { "\n" });
    }
    out.push_str("  }");
    out
}

fn hint(missing: &Missing) -> &'static str {
    match missing {
        Missing::KeyAuthorization | Missing::Account(_) => {
            "pass --accounts FILE with the account's key operations, or --key-authorized"
        }
        _ => "pass --with FILE holding that message",
    }
}

/// The verdict as (status, one line, JSON).
fn verdict_of(read: &Read, node: &Replica) -> (Status, String, Json) {
    let layer1 = |code: &str, rule: &str, what: String| {
        (
            Status::Invalid,
            format!("INVALID {code} ({rule}): {what}"),
            json!({"verdict": "invalid", "code": code, "rule": rule, "message": what}),
        )
    };
    match read {
        Read::NotCbor(e) => layer1(e.code(), e.rule(), e.to_string()),
        Read::NotEnvelope(_, e) | Read::Unverified(_, _, e) => {
            layer1(e.code(), e.rule(), e.to_string())
        }
        Read::Signed(_, m) => {
            let undecided = Verdict::Undecided(Vec::new());
            // Every signed input is held by the node.
            let verdict = node.status(&m.id()).unwrap_or(&undecided);
            let json = serde_json::to_value(StatusView::new(verdict)).unwrap_or_default();
            match verdict {
                Verdict::Valid => (Status::Ok, "valid".to_string(), json),
                Verdict::Invalid(e) => (
                    Status::Invalid,
                    format!("INVALID {} ({}): {e}", e.code(), e.rule()),
                    json,
                ),
                Verdict::Undecided(missing) => {
                    let list: Vec<String> = missing.iter().map(ToString::to_string).collect();
                    let fix = missing.first().map_or("", hint);
                    (
                        Status::Undecided,
                        format!("undecided: missing {} ({fix})", list.join(", ")),
                        json,
                    )
                }
                other => (Status::Undecided, format!("{other:?}"), json),
            }
        }
    }
}

fn header_lines(h: &Header, id: MessageId, out: &mut String) {
    let prev = h.prev().map_or("none".to_string(), |p| p.to_string());
    out.push_str(&format!(
        "  id         {id}\n  kind       {}\n  account    {}\n  key        {}\n  seq        {}\n  prev       {prev}\n  time       {} ({})\n  version    {}\n  body hash  {}\n",
        h.kind(),
        h.account(),
        h.key(),
        h.seq(),
        h.time(),
        files::utc(h.time()),
        h.version(),
        hex::encode(h.body_hash()),
    ));
}

fn inspect_text(input: &Input, read: &Read, verdict: &str) -> String {
    let mut out = format!("{} ({} bytes)\n", input.name, input.bytes.len());
    let value = match read {
        Read::NotCbor(_) => None,
        Read::NotEnvelope(v, _) => Some(v),
        Read::Unverified(v, env, _) => {
            header_lines(env.header(), env.id(), &mut out);
            Some(v)
        }
        Read::Signed(v, m) => {
            header_lines(m.header(), m.id(), &mut out);
            out.push_str(&format!("  signature  {}\n", m.signature()));
            if m.is_stripped() {
                out.push_str(
                    "  body       withheld: a stripped remainder (header and signature only)\n",
                );
            } else if let Ok(view) = serde_json::to_value(MessageView::new(m)) {
                // The JSON view: ids in their text forms.
                out.push_str(&format!("  body       {}\n", view["body"]));
            }
            Some(v)
        }
    };
    if let Some(v) = value {
        out.push_str(&format!("  diagnostic {}\n", pretty_envelope(v)));
    }
    out.push_str(&format!("  verdict    {verdict}\n"));
    out
}

fn inspect_json(input: &Input, read: &Read, verdict: Json) -> Json {
    let mut out = json!({
        "input": input.name,
        "size": input.bytes.len(),
        "hex": hex::encode(&input.bytes),
    });
    match read {
        Read::NotCbor(_) => {}
        Read::NotEnvelope(v, _) | Read::Unverified(v, _, _) => {
            out["diagnostic"] = json!(v.to_string());
        }
        Read::Signed(v, m) => {
            out["diagnostic"] = json!(v.to_string());
            out["message"] = serde_json::to_value(MessageView::new(m)).unwrap_or_default();
        }
    }
    if let Read::Unverified(_, env, _) = read {
        out["id"] = json!(env.id().to_string());
    }
    out["verdict"] = verdict;
    out
}

/// `state`: the node's merged state; its digest (or, with `--json`, the state view), and the
/// counts of the inputs' messages by verdict.
fn state(args: &Args, reads: &[Read], node: &Replica) -> Result<Status, Error> {
    let mut ids = BTreeSet::new();
    let mut invalid = 0u64;
    for r in reads {
        match r {
            Read::Signed(_, m) => {
                ids.insert(m.id());
            }
            _ => invalid += 1,
        }
    }
    let [valid, bad, undecided] = counts(node, ids.iter());
    let invalid = invalid + bad;
    if args.flag("json") {
        let mut out =
            serde_json::to_value(StateView::new(node.state(), node.now())).unwrap_or_default();
        out["valid"] = json!(valid);
        out["invalid"] = json!(invalid);
        out["undecided"] = json!(undecided);
        print_json(&out);
    } else {
        println!(
            "{} messages: {valid} valid (merged), {invalid} invalid, {undecided} undecided",
            reads.len()
        );
        println!("state digest {}", hex::encode(node.digest()));
    }
    Ok(Status::Ok)
}

/// How many of the messages `ids` (held by `node`) are valid, invalid and undecided.
fn counts<'a>(node: &Replica, ids: impl Iterator<Item = &'a MessageId>) -> [u64; 3] {
    let mut counts = [0u64; 3];
    for id in ids {
        match node.status(id) {
            Some(Verdict::Valid) => counts[0] += 1,
            Some(Verdict::Invalid(_)) => counts[1] += 1,
            _ => counts[2] += 1,
        }
    }
    counts
}

/// `inspect`, `verify` and `state`.
pub fn run(command: &str, rest: &[String]) -> Result<Status, Error> {
    let args = Args::parse(
        command,
        rest,
        &[
            ("accounts", true),
            ("with", true),
            ("key-authorized", false),
            ("now", true),
            ("raw", false),
        ],
    )?;
    if let Some(s) = help(&args, HELP) {
        return Ok(s);
    }
    let now = match args.number("now")? {
        Some(n) => n,
        None => files::now()?,
    };
    let context = context_messages(&args)?;
    let names: Vec<String> = if args.positional().is_empty() {
        vec!["-".to_string()]
    } else {
        args.positional().to_vec()
    };
    let mut inputs = Vec::new();
    for name in &names {
        let data = files::read_input(name)?;
        let shown = if name == "-" { "standard input" } else { name };
        if data.is_empty() {
            return Err(Error::new(
                shown,
                "is empty",
                "give a message as hex or raw bytes",
            ));
        }
        inputs.extend(files::split_input(shown, data, args.flag("raw"))?);
    }
    let reads: Vec<Read> = inputs.iter().map(|i| read(&i.bytes)).collect();
    let signed = reads.iter().filter_map(|r| match r {
        Read::Signed(_, m) => Some(&**m),
        _ => None,
    });
    let node = node(
        now,
        args.flag("key-authorized"),
        context.iter().chain(signed),
    );
    if command == "state" {
        return state(&args, &reads, &node);
    }
    let (mut invalid, mut undecided) = (false, false);
    let mut results = Vec::new();
    for (input, r) in inputs.iter().zip(&reads) {
        let (status, line, json) = verdict_of(r, &node);
        invalid |= matches!(status, Status::Invalid);
        undecided |= matches!(status, Status::Undecided);
        match (command, args.flag("json")) {
            ("verify", true) => {
                let mut j = json;
                j["input"] = json!(input.name);
                if let Read::Signed(_, m) = r {
                    j["id"] = json!(m.id().to_string());
                }
                results.push(j);
            }
            ("verify", false) => println!("{}: {line}", input.name),
            (_, true) => results.push(inspect_json(input, r, json)),
            (_, false) => print!("{}", inspect_text(input, r, &line)),
        }
    }
    if args.flag("json") {
        print_json(&Json::Array(results));
    }
    if command == "inspect" {
        return Ok(Status::Ok);
    }
    Ok(if invalid {
        Status::Invalid
    } else if undecided {
        Status::Undecided
    } else {
        Status::Ok
    })
}

/// The merged state of `messages` on a replica that holds all of them and knows no other account
/// (the rule of `state` with every message as an input), and the counts of valid, invalid and
/// undecided messages, per message id. For the node commands (`cli/src/node/`).
pub fn merged(messages: &[SignedMessage], now: u64) -> (State, [u64; 3]) {
    let node = node(now, false, messages);
    let ids: BTreeSet<MessageId> = messages.iter().map(SignedMessage::id).collect();
    (node.state().clone(), counts(&node, ids.iter()))
}
