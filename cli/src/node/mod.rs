//! A small node: `store` (a SQLite file of verified messages), `serve` (the HTTP binding of
//! spec/10-http-binding.md on a loopback port) and `sync` (set reconciliation with a node, then
//! fetching what this store lacks and pushing what the node lacks).

mod client;
mod dm;
mod names;
mod server;
mod store;

use serde_json::json;
use skylark::id::{AccountId, MessageId};

use crate::args::Args;
use crate::{files, help, print_json, Error, Status};

pub use dm::dm;
pub use names::{locator, name};
pub use store::{DmDevice, DmItem, Store};

/// The content type of a reconciliation frame (10 §2).
pub const FRAME_TYPE: &str = "application/vnd.skylark.sync-frame";
/// The content type of one message's bytes (10 §2).
pub const MESSAGE_TYPE: &str = "application/vnd.skylark.message";
/// The path of the reconciliation endpoint.
pub const RECONCILE: &str = "/skylark/v1/reconcile";
/// The path prefix of the message endpoints (`/skylark/v1/messages/msg_…`).
pub const MESSAGES: &str = "/skylark/v1/messages";
/// The path of the state endpoint.
pub const STATE: &str = "/skylark/v1/state";
/// The path prefix of the per-account endpoints (`/skylark/v1/accounts/acct_…/heads`,
/// `/skylark/v1/accounts/acct_…/keys/HEX`), with its trailing slash.
pub const ACCOUNTS: &str = "/skylark/v1/accounts/";
/// The content type of a heads page (09 SYNC-11).
pub const HEADS_TYPE: &str = "application/vnd.skylark.heads";
/// The most ids one "after seq N" answer lists (10 §2).
pub const AFTER_LIMIT: usize = 1024;
/// The path of the sealed-item deposit endpoint (10 §5).
pub const DM_ITEMS: &str = "/skylark/v1/dm/items";
/// The path prefix of the mailbox endpoint (`/skylark/v1/dm/mailbox/HH`), with its trailing slash.
pub const DM_MAILBOX: &str = "/skylark/v1/dm/mailbox/";
/// The content type of one deposited item: stamp length (1 byte), stamp, sealed bytes (10 §5).
pub const DM_ITEM_TYPE: &str = "application/vnd.skylark.dm-item";
/// The content type of a mailbox page (10 §5).
pub const DM_PAGE_TYPE: &str = "application/vnd.skylark.dm-items";
/// The most items one mailbox page holds (10 §5): at most 32 × 66 768 bytes.
pub const DM_PAGE: usize = 32;
/// The longest deposited item: a 33-byte token stamp, its length byte, the largest sealed copy.
pub const DM_ITEM_LIMIT: usize = 1 + 33 + 66_725;
/// The most rounds of one reconciliation session (09 §7 asks the caller to bound them).
pub const MAX_ROUNDS: u64 = 256;

const STORE_HELP: &str = "\
skylark store add --db FILE [FILE|-]...
  Verifies each message (layer 1) and adds it to the store FILE (an SQLite file, created if
  needed); prints how many were new.
skylark store state --db FILE [--now MS] [--json]
  The merged state of the store's valid messages (each validated against the whole store), and its
  digest: the same as `skylark state` given every message of the store.
";

const SERVE_HELP: &str = "\
skylark serve --db FILE --listen 127.0.0.1:PORT [--max-seconds N]
  Runs a node on a loopback address (127.0.0.1 or [::1]; port 0 picks a free one) that answers the
  HTTP binding of spec/10-http-binding.md from the store FILE: reconciliation frames, messages by
  id, new messages (verified before they are stored) and the state digest. Prints
  `listening on http://ADDRESS` once ready. Stops after N seconds if --max-seconds is given.
";

const SYNC_HELP: &str = "\
skylark sync URL --db FILE [--account ACCT] [--max-rounds N] [--json]
  Reconciles the store FILE with the node at URL (http://127.0.0.1:PORT) in one session of at most
  N rounds (default 256), then fetches every message the store lacks (each verified, and checked to
  have the id asked for) and pushes every message the node lacks. Both hold the union afterwards.
  With --account, syncs one account only (spec 09 §9): compares the account digests; asks the node
  for each key it holds further than the store (\"account, key, after seq N\"), each fetched message
  checked to be of that account, key and seq range; pushes what the node lacks by key; and, if the
  digests still differ (a gap or an equivocation below a head), reconciles the account's messages.
  Prints the account digest both hold at the end.
";

/// `store add|state`.
pub fn store(rest: &[String]) -> Result<Status, Error> {
    let (sub, rest) = match rest.split_first() {
        Some((sub, rest)) if sub == "add" || sub == "state" => (sub.as_str(), rest),
        _ => {
            let args = Args::parse("store", rest, &[("db", true), ("now", true)])?;
            if let Some(s) = help(&args, STORE_HELP) {
                return Ok(s);
            }
            return Err(args.usage("name a subcommand: add or state"));
        }
    };
    let args = Args::parse(
        &format!("store {sub}"),
        rest,
        &[("db", true), ("now", true), ("raw", false)],
    )?;
    if let Some(s) = help(&args, STORE_HELP) {
        return Ok(s);
    }
    let store = Store::open(args.req("db")?)?;
    if sub == "add" {
        let names: Vec<String> = if args.positional().is_empty() {
            vec!["-".to_string()]
        } else {
            args.positional().to_vec()
        };
        let (mut new, mut held) = (0u64, 0u64);
        for name in &names {
            for m in files::read_messages(name)? {
                if store.add(&m)? {
                    new += 1;
                } else {
                    held += 1;
                }
            }
        }
        if args.flag("json") {
            print_json(&json!({"added": new, "already_held": held}));
        } else {
            println!("added {new} messages ({held} already held)");
        }
        return Ok(Status::Ok);
    }
    let now = match args.number("now")? {
        Some(n) => n,
        None => files::now()?,
    };
    let messages = store.all()?;
    let (state, [valid, invalid, undecided]) = crate::inspect::merged(&messages, now);
    let digest = hex::encode(state.digest(now));
    if args.flag("json") {
        print_json(&json!({
            "messages": messages.len(), "valid": valid, "invalid": invalid,
            "undecided": undecided, "digest": digest,
        }));
    } else {
        println!(
            "{} messages: {valid} valid (merged), {invalid} invalid, {undecided} undecided",
            messages.len()
        );
        println!("state digest {digest}");
    }
    Ok(Status::Ok)
}

/// `serve`.
pub fn serve(rest: &[String]) -> Result<Status, Error> {
    let args = Args::parse(
        "serve",
        rest,
        &[("db", true), ("listen", true), ("max-seconds", true)],
    )?;
    if let Some(s) = help(&args, SERVE_HELP) {
        return Ok(s);
    }
    let db = args.req("db")?;
    let listen = args.req("listen")?;
    let addr: std::net::SocketAddr = listen.parse().map_err(|_| {
        Error::new(
            listen,
            "is not an address with a port",
            "give 127.0.0.1:PORT",
        )
    })?;
    if !addr.ip().is_loopback() {
        return Err(Error::new(
            listen,
            "is not a loopback address",
            "this node binds 127.0.0.1 or [::1] only; put a reverse proxy in front to expose it",
        ));
    }
    let store = Store::open(db)?;
    server::run(&store, db, addr, args.number("max-seconds")?)?;
    Ok(Status::Ok)
}

/// `sync`.
pub fn sync(rest: &[String]) -> Result<Status, Error> {
    let args = Args::parse(
        "sync",
        rest,
        &[("db", true), ("max-rounds", true), ("account", true)],
    )?;
    if let Some(s) = help(&args, SYNC_HELP) {
        return Ok(s);
    }
    let url = match args.positional() {
        [url] => url.trim_end_matches('/').to_string(),
        _ => return Err(args.usage("name one node URL")),
    };
    if !url.starts_with("http://") {
        return Err(Error::new(
            &url,
            "is not an http:// URL",
            "give the URL `skylark serve` printed, e.g. http://127.0.0.1:8080",
        ));
    }
    let store = Store::open(args.req("db")?)?;
    let max_rounds = args.number("max-rounds")?.unwrap_or(MAX_ROUNDS);
    if let Some(acct) = args.opt("account") {
        let account: AccountId = acct.parse().map_err(|e| {
            Error::new(
                acct,
                format!("is not an account id: {e}"),
                "give an acct_… id",
            )
        })?;
        return sync_account(&store, &url, &account, max_rounds, args.flag("json"));
    }
    let report = client::sync(&store, &url, max_rounds)?;
    if args.flag("json") {
        print_json(&json!({
            "rounds": report.rounds, "bytes_sent": report.sent, "bytes_received": report.received,
            "fetched": report.fetched, "pushed": report.pushed, "rejected": report.rejected,
        }));
    } else {
        println!(
            "{} rounds ({} bytes sent, {} received); fetched {} messages, pushed {}, rejected {}",
            report.rounds,
            report.sent,
            report.received,
            report.fetched,
            report.pushed,
            report.rejected
        );
    }
    Ok(Status::Ok)
}

fn sync_account(
    store: &Store,
    url: &str,
    account: &AccountId,
    max_rounds: u64,
    json: bool,
) -> Result<Status, Error> {
    let r = client::sync_account(store, url, account, max_rounds)?;
    let t = &r.transfer;
    let digest = r.digest.map(hex::encode);
    if json {
        print_json(&json!({
            "account": account.to_string(), "asked": r.asked, "reconciled": r.reconciled,
            "rounds": t.rounds, "bytes_sent": t.sent, "bytes_received": t.received,
            "fetched": t.fetched, "pushed": t.pushed, "rejected": t.rejected,
            "account_digest": digest,
        }));
    } else {
        println!(
            "account {account}: {} key requests, {} rounds ({} bytes sent, {} received); fetched {} messages, pushed {}, rejected {}",
            r.asked, t.rounds, t.sent, t.received, t.fetched, t.pushed, t.rejected
        );
        match digest {
            Some(d) => println!("account digest {d}"),
            None => {
                println!("account digests still differ (the node changed, or withheld messages)")
            }
        }
    }
    Ok(if r.digest.is_some() {
        Status::Ok
    } else {
        Status::Invalid
    })
}

/// The path of one message.
pub fn message_path(id: &MessageId) -> String {
    format!("{MESSAGES}/{id}")
}
