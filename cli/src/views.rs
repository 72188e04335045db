//! `thread`, `profile` and `timeline`: what an app shows, read from a replica holding message files.

use serde_json::{json, Value as Json};
use skylark::id::AccountId;
use skylark::replica::{PostState, PostView, Replica};
use skylark::view::{MessageView, PageView, ThreadView};

use crate::args::{Args, Spec};
use crate::files;
use crate::inspect::{context_messages, node};
use crate::{help, print_json, Error, Status};

const COMMON: &str = "\
  FILE...           message files (hex lines or raw bytes; `-` for standard input), all held by
                    one node, a replica: every verdict is the one against all of them, in any order
  --accounts FILE   key operations of the accounts concerned (also held)
  --with FILE       other messages the node holds
  --key-authorized  take every key as authorized, with every capability (skip the accounts layer)
  --now MS          the node's clock (default: now)
  --json            the JSON view (skylark::view)
  Only valid messages count; a deleted post stays in its thread as a placeholder without text.
";

const OPTIONS: Spec = &[
    ("accounts", true),
    ("with", true),
    ("key-authorized", false),
    ("now", true),
    ("root", true),
    ("account", true),
    ("limit", true),
];

/// The replica holding the inputs and the context files of `args`.
fn load(args: &Args) -> Result<Replica, Error> {
    let now = match args.number("now")? {
        Some(n) => n,
        None => files::now()?,
    };
    let mut messages = context_messages(args)?;
    let names: Vec<String> = if args.positional().is_empty() {
        vec!["-".to_string()]
    } else {
        args.positional().to_vec()
    };
    for name in &names {
        messages.extend(files::read_messages(name)?);
    }
    Ok(node(now, args.flag("key-authorized"), &messages))
}

/// A post on one line: state or text, author, time, id.
fn post_line(post: &PostView) -> String {
    let text = match post.state {
        PostState::Live => format!("{:?}", post.text.as_deref().unwrap_or("")),
        PostState::Deleted => "(deleted)".to_string(),
        PostState::Withheld => "(withheld)".to_string(),
        _ => "(unknown)".to_string(),
    };
    format!(
        "{text}  — {} {} {}",
        post.author,
        files::utc(post.time),
        post.id
    )
}

/// `skylark thread --root MSG FILE...`.
pub fn thread(rest: &[String]) -> Result<Status, Error> {
    let args = Args::parse("thread", rest, OPTIONS)?;
    let usage = format!(
        "skylark thread --root MSG [FILE|-]... [options]\n  A post and every reply under it, as a tree (MSG: msg_… or a file holding the post).\n{COMMON}"
    );
    if let Some(s) = help(&args, &usage) {
        return Ok(s);
    }
    let root = files::message_id(args.req("root")?)?;
    let node = load(&args)?;
    let Some(thread) = node.thread(&root) else {
        return Err(Error::new(
            root.to_string(),
            "is not a valid post held by the node",
            "give the file holding it, with --accounts or --key-authorized",
        ));
    };
    if args.flag("json") {
        print_json(&serde_json::to_value(ThreadView::new(&thread)).unwrap_or_default());
        return Ok(Status::Ok);
    }
    for entry in &thread.entries {
        println!("{}{}", "  ".repeat(entry.depth), post_line(&entry.post));
        let reactions = node.reactions(&entry.post.id);
        if !reactions.is_empty() {
            let shown: Vec<String> = reactions
                .iter()
                .map(|(value, who)| {
                    let value = if value.is_empty() { "like" } else { value };
                    format!("{value} × {}", who.len())
                })
                .collect();
            println!("{}  [{}]", "  ".repeat(entry.depth), shown.join(", "));
        }
    }
    Ok(Status::Ok)
}

/// `skylark profile --account ACCT FILE...`.
pub fn profile(rest: &[String]) -> Result<Status, Error> {
    let args = Args::parse("profile", rest, OPTIONS)?;
    let usage = format!(
        "skylark profile --account ACCT [FILE|-]... [options]\n  An account's profile, keys, follows and blocks.\n{COMMON}"
    );
    if let Some(s) = help(&args, &usage) {
        return Ok(s);
    }
    let account = files::account_id(args.req("account")?)?;
    let node = load(&args)?;
    let texts = |ids: Vec<AccountId>| ids.iter().map(ToString::to_string).collect::<Vec<_>>();
    let profile = node.profile(&account);
    let body = profile
        .as_ref()
        .and_then(|p| node.message(&p.id))
        .and_then(|m| serde_json::to_value(MessageView::new(&m)).ok())
        .map(|v| v["body"].clone());
    let keys = node.keys(&account).map(|view| {
        let apps: Vec<Json> = view
            .apps()
            .map(|(key, grant)| {
                json!({"key": key.to_string(), "expires": grant.expires(), "label": grant.label()})
            })
            .collect();
        json!({
            "head": view.head().to_string(),
            "roots": view.roots().iter().map(ToString::to_string).collect::<Vec<_>>(),
            "apps": apps,
        })
    });
    let out = json!({
        "account": account.to_string(),
        "profile": body,
        "keys": keys,
        "following": texts(node.following(&account)),
        "followers": texts(node.followers(&account)),
        "blocks": texts(node.blocks(&account)),
    });
    if args.flag("json") {
        print_json(&out);
        return Ok(Status::Ok);
    }
    println!("account    {account}");
    match &body {
        Some(body) => println!("profile    {body}"),
        None => println!("profile    (none)"),
    }
    match node.keys(&account) {
        Some(view) => {
            println!("head       {}", view.head());
            for root in view.roots() {
                println!("root       {root}");
            }
            for (key, grant) in view.apps() {
                let label = grant.label().map(|l| format!(" {l:?}")).unwrap_or_default();
                println!(
                    "app        {key}{label} until {}",
                    files::utc(grant.expires())
                );
            }
        }
        None => println!("keys       (no genesis held)"),
    }
    for (name, list) in [
        ("following", &out["following"]),
        ("followers", &out["followers"]),
        ("blocks", &out["blocks"]),
    ] {
        let n = list.as_array().map_or(0, Vec::len);
        println!("{name:<10} {n}");
        for id in list.as_array().into_iter().flatten() {
            println!("  {}", id.as_str().unwrap_or_default());
        }
    }
    Ok(Status::Ok)
}

/// `skylark timeline --account ACCT... FILE...`.
pub fn timeline(rest: &[String]) -> Result<Status, Error> {
    let args = Args::parse("timeline", rest, OPTIONS)?;
    let usage = format!(
        "skylark timeline --account ACCT... [--limit N] [FILE|-]... [options]\n  The posts of these accounts, newest first (MERGE-1 order), at most N (default 50).\n{COMMON}"
    );
    if let Some(s) = help(&args, &usage) {
        return Ok(s);
    }
    if args.all("account").is_empty() {
        return Err(args.usage("--account is required"));
    }
    let accounts = args
        .all("account")
        .iter()
        .map(|a| files::account_id(a))
        .collect::<Result<Vec<_>, _>>()?;
    let limit = usize::try_from(args.number("limit")?.unwrap_or(50)).unwrap_or(usize::MAX);
    let node = load(&args)?;
    let page = node.timeline(&accounts, None, limit);
    if args.flag("json") {
        print_json(&serde_json::to_value(PageView::new(&page)).unwrap_or_default());
        return Ok(Status::Ok);
    }
    if page.posts.is_empty() {
        println!(
            "(no valid posts; without --accounts or --key-authorized every message is undecided)"
        );
    }
    for post in &page.posts {
        println!("{}", post_line(post));
    }
    if page.next.is_some() {
        println!("(more: raise --limit)");
    }
    Ok(Status::Ok)
}
