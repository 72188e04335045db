//! `locator` and `name`: an account's current locator (05 PROFILE-2) and the check of a name it
//! claims (05 PROFILE-3, 09 §10), both read from a store's merged state; `name` fetches the
//! well-known document over HTTP (or takes the DNS TXT records given) and lets
//! `skylark::sync::verify_name` decide.

use std::time::Duration;

use serde_json::json;
use skylark::cbor::Value;
use skylark::id::{AccountId, MessageId};
use skylark::message::{validate, Authorization, Body, MemoryContext, Profile, Verdict};
use skylark::sync::{verify_name, NameRecord, WELL_KNOWN_LIMIT, WELL_KNOWN_PATH};

use super::Store;
use crate::args::Args;
use crate::{files, help, print_json, Error, Status};

const LOCATOR_HELP: &str = "\
skylark locator ACCT --db FILE [--now MS] [--json]
  The account's current locator (spec 05 PROFILE-2): the hosts of its current profile (the latest
  valid profile of the store, 07 MERGE-3), one per line, in the author's order. `skylark sync` takes
  one of them as its URL.
";

const NAME_HELP: &str = "\
skylark name verify NAME --account ACCT --db FILE (--url BASE | --txt RECORD...) [--now MS] [--json]
  Whether ACCT holds NAME (spec 09 §10): its current profile in the store must claim NAME (handle),
  and the name's domain must name the account. With --url, fetches BASE/.well-known/skylark-account
  (BASE is https://NAME in deployment; this tool speaks plain HTTP, so give a local or proxied
  http:// URL); with --txt, decides on the TXT records of _skylark.NAME given (e.g. from `dig +short
  TXT _skylark.NAME`, quotes removed), one --txt per record. Exit status 0 confirmed, 2 not.
";

/// The current profile of `account` in the store at `now`, if it has one.
fn current_profile(store: &Store, account: &AccountId, now: u64) -> Result<Option<Profile>, Error> {
    let messages = store.all()?;
    let (state, _) = crate::inspect::merged(&messages, now);
    let summary = state.summary(now);
    let Value::Map(summary) = summary else {
        return Ok(None);
    };
    let Some(Value::Map(profiles)) = summary.get("profiles") else {
        return Ok(None);
    };
    let Some(Value::Bytes(id)) = profiles.get(&account.to_string()) else {
        return Ok(None);
    };
    let Ok(id) = <[u8; 32]>::try_from(id.as_slice()) else {
        return Ok(None);
    };
    let Some(message) = store.get(&MessageId::from_bytes(id))? else {
        return Ok(None);
    };
    // The message is valid (it is the merged state's current profile); validating it again here
    // parses its body (profiles have no lookups; the context knows the key's earlier messages, for
    // the `prev` check).
    let mut context = MemoryContext::new(now, Authorization::Authorized);
    for m in messages
        .iter()
        .filter(|m| m.header().key() == message.header().key())
    {
        context.insert(m);
    }
    Ok(match validate(message, &context) {
        Verdict::Valid(v) => match v.body() {
            Body::Profile(p) => Some(p.clone()),
            _ => None,
        },
        _ => None,
    })
}

fn account_arg(s: &str) -> Result<AccountId, Error> {
    s.parse()
        .map_err(|e| Error::new(s, format!("is not an account id: {e}"), "give an acct_… id"))
}

/// `locator`.
pub fn locator(rest: &[String]) -> Result<Status, Error> {
    let args = Args::parse("locator", rest, &[("db", true), ("now", true)])?;
    if let Some(s) = help(&args, LOCATOR_HELP) {
        return Ok(s);
    }
    let account = match args.positional() {
        [a] => account_arg(a)?,
        _ => return Err(args.usage("name one account (acct_…)")),
    };
    let store = Store::open(args.req("db")?)?;
    let now = match args.number("now")? {
        Some(n) => n,
        None => files::now()?,
    };
    let hosts: Vec<String> = current_profile(&store, &account, now)?
        .map(|p| p.hosts().to_vec())
        .unwrap_or_default();
    if args.flag("json") {
        print_json(&json!({"account": account.to_string(), "hosts": hosts}));
    } else if hosts.is_empty() {
        println!("{account} has no locator (no current profile with hosts)");
    } else {
        for h in &hosts {
            println!("{h}");
        }
    }
    Ok(Status::Ok)
}

/// `name verify`.
pub fn name(rest: &[String]) -> Result<Status, Error> {
    let rest = match rest.split_first() {
        Some((sub, rest)) if sub == "verify" => rest,
        _ => {
            let args = Args::parse("name", rest, &[])?;
            if let Some(s) = help(&args, NAME_HELP) {
                return Ok(s);
            }
            return Err(args.usage("name a subcommand: verify"));
        }
    };
    let args = Args::parse(
        "name verify",
        rest,
        &[
            ("db", true),
            ("account", true),
            ("url", true),
            ("txt", true),
            ("now", true),
        ],
    )?;
    if let Some(s) = help(&args, NAME_HELP) {
        return Ok(s);
    }
    let name = match args.positional() {
        [n] => n.clone(),
        _ => return Err(args.usage("name one name, e.g. alice.example")),
    };
    let account = account_arg(args.req("account")?)?;
    let store = Store::open(args.req("db")?)?;
    let now = match args.number("now")? {
        Some(n) => n,
        None => files::now()?,
    };
    let claim = current_profile(&store, &account, now)?.and_then(|p| p.handle().map(String::from));
    let txt: Vec<Vec<u8>> = args
        .all("txt")
        .iter()
        .map(|t| t.as_bytes().to_vec())
        .collect();
    let (source, body) = match (args.opt("url"), txt.is_empty()) {
        (Some(base), true) => {
            let url = format!("{}{WELL_KNOWN_PATH}", base.trim_end_matches('/'));
            (url.clone(), Some(fetch_well_known(&url)?))
        }
        (None, false) => (format!("_skylark.{name} TXT"), None),
        _ => return Err(args.usage("give either --url or --txt")),
    };
    let refs: Vec<&[u8]> = txt.iter().map(Vec::as_slice).collect();
    let record = match &body {
        Some(b) => NameRecord::WellKnown(b),
        None => NameRecord::Dns(&refs),
    };
    let verdict = verify_name(&name, &account, claim.as_deref(), record);
    if args.flag("json") {
        print_json(&json!({
            "name": name, "account": account.to_string(), "claim": claim, "record": source,
            "confirmed": verdict.is_ok(),
            "error": verdict.err().map(|e| e.code()),
        }));
    } else {
        match verdict {
            Ok(()) => {
                println!("{name} is {account} (claimed by its profile, confirmed by {source})")
            }
            Err(e) => println!(
                "{name} is not confirmed for {account}: {e} [{} {}]",
                e.code(),
                e.rule()
            ),
        }
    }
    Ok(if verdict.is_ok() {
        Status::Ok
    } else {
        Status::Invalid
    })
}

/// The body of a `200` answer, at most [`WELL_KNOWN_LIMIT`] bytes read, redirects not followed
/// (09 SYNC-12); an empty body for any other status.
fn fetch_well_known(url: &str) -> Result<Vec<u8>, Error> {
    if !url.starts_with("http://") {
        return Err(Error::new(
            url,
            "is not an http:// URL",
            "this tool speaks plain HTTP: give a local or proxied http:// URL",
        ));
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let mut response = agent
        .get(url)
        .call()
        .map_err(|e| Error::new(url, format!("request failed: {e}"), "check the URL"))?;
    if response.status().as_u16() != 200 {
        return Ok(Vec::new());
    }
    let mut body = Vec::new();
    use std::io::Read;
    response
        .body_mut()
        .as_reader()
        .take(WELL_KNOWN_LIMIT as u64)
        .read_to_end(&mut body)
        .map_err(|e| Error::io(url, &e))?;
    Ok(body)
}
