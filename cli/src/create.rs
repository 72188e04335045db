//! Commands that make keys and signed messages.

use rand_core::{OsRng, RngCore};
use serde_json::{json, Value as Json};
use skylark::account::{
    Accounts, NextRoots, Operation, Revocation, Scope, WitnessSet, CAPABILITY_PREFIX, CAP_OTHERS,
    WILDCARD_EXCLUDED_KINDS,
};
use skylark::cbor::{Map, Value};
use skylark::envelope::{Draft, Kind, SignedMessage};
use skylark::id::AccountId;
use skylark::keys::{PublicKey, SecretKey};
use skylark::message::{
    Block, BodyKind, Delete, Edit, Follow, Label, Post, PostBuilder, React, Reference, Reply,
    Repost, Unblock, Unfollow, Unreact, Unrepost,
};
use skylark::view::MessageView;
use zeroize::Zeroize;

use crate::args::{Args, Spec};
use crate::files;
use crate::{help, print_json, Error, Status};

/// The commands that sign a message with an app key.
pub const MESSAGE_COMMANDS: [&str; 15] = [
    "post", "reply", "react", "follow", "unfollow", "block", "unblock", "delete", "repost",
    "unrepost", "unreact", "edit", "label", "sign", "quote",
];

const DAY: u64 = 24 * 60 * 60 * 1_000;

const KEYGEN_HELP: &str = "\
skylark keygen --out FILE [--force] [--print-secret] [--json]
  Makes a new Ed25519 key from the operating system's random number generator. The secret goes to
  FILE, created readable by its owner only (mode 0600); an existing FILE is kept unless --force.
  The public key (pub_…) is printed. --print-secret prints the secret seed (hex) instead of writing
  a file: only for throw-away keys. A root key and an app key are the same kind of key: the
  account's operations give it its role (`account new --root FILE`, `key delegate --app FILE`).
skylark pubkey FILE [--json]
  Prints the public key of a secret key file.
";

/// `keygen` and `pubkey`.
pub fn keys(command: &str, rest: &[String]) -> Result<Status, Error> {
    let args = Args::parse(
        command,
        rest,
        &[("out", true), ("force", false), ("print-secret", false)],
    )?;
    if let Some(s) = help(&args, KEYGEN_HELP) {
        return Ok(s);
    }
    if command == "pubkey" {
        let [file] = args.positional() else {
            return Err(args.usage("name one secret key file"));
        };
        let public = files::read_secret(file)?.public_key();
        if args.flag("json") {
            print_json(&json!({ "public_key": public.to_string() }));
        } else {
            println!("{public}");
        }
        return Ok(Status::Ok);
    }
    let mut seed = random_seed()?;
    let public = SecretKey::from_seed(seed).public_key();
    let result = match (args.opt("out"), args.flag("print-secret")) {
        (Some(out), false) => files::write_secret(out, &seed, &public, args.flag("force")),
        (None, true) => Ok(()),
        _ => Err(args.usage("give exactly one of --out FILE and --print-secret")),
    };
    let secret = args.flag("print-secret").then(|| hex::encode(seed));
    seed.zeroize();
    result?;
    if args.flag("json") {
        let mut out = json!({ "public_key": public.to_string() });
        if let Some(file) = args.opt("out") {
            out["secret_file"] = json!(file);
        }
        if let Some(s) = &secret {
            out["secret_seed"] = json!(s);
        }
        print_json(&out);
    } else {
        if let Some(s) = &secret {
            println!("secret seed {s}");
        }
        println!("{public}");
    }
    Ok(Status::Ok)
}

/// 32 bytes from the operating system's random number generator.
fn random_seed() -> Result<[u8; 32], Error> {
    let mut seed = [0u8; 32];
    OsRng.try_fill_bytes(&mut seed).map_err(|e| {
        Error::new(
            "operating system random number generator",
            e.to_string(),
            "no key was made; try again",
        )
    })?;
    Ok(seed)
}

/// The next root keys (spec 06 §5.8): one fresh key per file of `files`, written to `FILE.next`
/// (owner-only, never replacing a file), and the commitment to their list in that order. They go
/// to files of their own because they are meant to be stored offline, apart from the roots: a
/// backup that holds both gives its thief the rotation too. Every target is checked first, so that
/// nothing is written when one exists.
fn next_keys(files: &[String]) -> Result<(NextRoots, Vec<String>), Error> {
    let paths: Vec<String> = files.iter().map(|f| format!("{f}.next")).collect();
    if let Some(taken) = paths.iter().find(|p| std::path::Path::new(p).exists()) {
        return Err(Error::new(
            taken,
            "already exists",
            "move it away (it may hold next keys), or pass --no-next",
        ));
    }
    let mut publics: Vec<PublicKey> = Vec::new();
    for path in &paths {
        let mut seed = random_seed()?;
        let public = SecretKey::from_seed(seed).public_key();
        let written = files::write_secret(path, &seed, &public, false);
        seed.zeroize();
        written?;
        publics.push(public);
    }
    let commitment = NextRoots::of(&publics).map_err(|e| body_error(&e, e.code(), e.rule()))?;
    Ok((commitment, paths))
}

/// The stderr note after next keys were written.
fn next_note(paths: &[String]) {
    eprintln!(
        "skylark: committed to the next roots (spec 06 §5.8); their keys are in {}: store them \
         offline, apart from the roots, and rotate with `skylark key rotate --next FILE...`",
        paths.join(", ")
    );
}

/// Places a draft after the signing key's last message in `log`, signs it, and writes it out. A key
/// operation is first applied to `accounts` (the log's key state): one that would be invalid there is
/// not written.
fn finish(
    args: &Args,
    draft: Draft,
    key: &SecretKey,
    accounts: Option<&mut Accounts>,
) -> Result<SignedMessage, Error> {
    let log = args.opt("log");
    // For a key operation `--after` names the operation it follows, not the signer's last message.
    let after = args.opt("after").filter(|_| accounts.is_none());
    let previous = match (after, log) {
        (Some(after), _) => Some(files::last_message(after)?),
        (None, Some(log)) => files::read_log(log)?
            .into_iter()
            .filter(|m| m.header().key() == &key.public_key())
            .max_by_key(|m| m.header().seq()),
        (None, None) => None,
    };
    let draft = match &previous {
        Some(p) => draft.after(p),
        None => draft,
    };
    let signed = draft.sign(key).map_err(|e| {
        Error::new(
            "message",
            format!("cannot be signed: {e} [{} {}]", e.code(), e.rule()),
            "fix the options named in the error",
        )
    })?;
    if let Some(accounts) = accounts {
        accounts.apply(&signed).map_err(|e| {
            Error::new(
                "key operation",
                format!("would be invalid: {e} [{} {}]", e.code(), e.rule()),
                "nothing was written; fix the options named in the error",
            )
        })?;
    }
    if let Some(log) = log {
        files::append_log(log, &signed)?;
    }
    if args.flag("json") {
        let view = serde_json::to_value(MessageView::new(&signed)).unwrap_or_default();
        let mut out = json!({ "message": view, "hex": hex::encode(signed.as_bytes()) });
        if let Some(log) = log {
            out["log"] = json!(log);
        }
        print_json(&out);
    } else if log.is_some() {
        println!("{}", signed.id());
    } else {
        println!("{}", hex::encode(signed.as_bytes()));
    }
    Ok(signed)
}

fn time(args: &Args) -> Result<u64, Error> {
    match args.number("time")? {
        Some(t) => Ok(t),
        None => files::now(),
    }
}

fn body_error(e: &dyn std::fmt::Display, code: &str, rule: &str) -> Error {
    Error::new(
        "message body",
        format!("{e} [{code} {rule}]"),
        "fix the options named in the error",
    )
}

fn draft_of(body: &impl BodyKind, account: AccountId, time: u64) -> Result<Draft, Error> {
    body.draft(account, time)
        .map_err(|e| body_error(&e, e.code(), e.rule()))
}

const OPERATION_HELP: &str = "\
skylark account new --root FILE [--root FILE]... --log OPS [--time MS] [--predecessor ACCT]
                    [--witness PUB|FILE... [--threshold T]] [--no-next]
  Creates an account: a genesis naming the roots (highest priority first), signed by the first,
  which must be a secret key file. Appends it to OPS and prints the account id.
  It also makes one next root key per root, written to FILE.next, and commits the account to them
  (spec 06 §5.8): only they can rotate the roots, so a thief of the roots — or an old backup of
  them — can neither rotate the account nor, once you rotate, roll it back. Store the .next files
  offline, apart from the roots. --no-next makes an account without the commitment.
  --witness names the account's witnesses (1 to 8 keys held by other parties; spec 06 §8.6) and
  --threshold how many must receipt an operation for it to be final (more than half; default the
  smallest majority). Final history cannot be replaced by any key, not even a stolen top root.
skylark key delegate --key ROOT --log OPS --app PUB|FILE [--scope ENTRY,ENTRY] [--expires MS | --days N]
                     [--label TEXT]
  ENTRY is a kind, `*` (every kind but the key operations and `prekey`) or a capability:
  `cap:others` lets the key edit, delete and undo messages the account's other keys signed (without
  it a key acts on its own messages only). Default `*`. What the scope grants is printed on stderr.
skylark key revoke   --key ROOT --log OPS --app PUB|FILE [--cutoff MSGFILE]
  Without --cutoff every message of the app key is invalid; with it, the key's messages up to and
  including that one stay valid.
skylark key rotate   --next FILE [--next FILE]... --log OPS [--account ACCT] [--after OP] [--no-next]
  Rotates a committed account to its next roots (spec 06 §5.8): the keys of the --next files, in
  the order of the commitment (as `account new` or the last rotation wrote them), become the
  roots; the revealed key signs (the first that is neither a root nor a former root there).
  Fresh next keys are made and committed to, one per --next FILE, written to FILE.next
  (--no-next: none, and the account is no longer committed). The rotation outranks everything the
  old roots sign beside it: the answer to stolen roots. It follows the account's head, or OP with
  --after (a msg_… id or a message file): after a theft, name the operation before the thief's
  first one, so the rotation is its sibling and the thief's operations leave the chain. Rotate
  once: it warns if the log already holds a rotation to the same keys (two at different places
  contest each other, spec 06 §5.8).
skylark key roots    --key ROOT --log OPS --root PUB|FILE [--root PUB|FILE]...
                     [--witness PUB|FILE... [--threshold T] | --no-witnesses]
  For an account that is not committed to next roots. To retire a root, sign the `key roots` that
  leaves it out with that root itself: a root that retired itself can never roll the account
  back if it leaks later (spec 06 §8.1, §11.7).
  --witness replaces the witness set from this operation on, --no-witnesses removes it; without
  either, the set in force stays. Have the old witnesses receipt this operation.
skylark key enckey   --key ROOT --log OPS --enc-key HEX --version N
skylark key successor (--key ROOT | --next FILE...) --log OPS --to ACCT
  Names ACCT as the account this one moved to (spec 06 §5.7). The move counts once ACCT's genesis
  names this account as its predecessor (`account new --predecessor`); apps then follow it.
skylark key deactivate (--key ROOT | --next FILE...) --log OPS
  Ends the account (spec 06 §5.6): no key operation may follow it, and while it is the head of the
  canonical chain (and, with witnesses, once they receipt it) messages dated at or after it are
  refused (`auth.deactivated`). A higher root's operation beside it undoes it. The account's
  history stays valid.
  In an account committed to its next roots (spec 06 §5.8), only the next keys deactivate it or
  name its successor, as only they rotate it: pass the .next files with --next (as for `key
  rotate`, --account and --after apply); the operation names their list and their revealed key
  signs it. A thief of the current roots can then neither end nor move the account.
  Key operations signed by root key ROOT (a secret key file) for the account in OPS whose roots
  include it (or --account ACCT), following the account's current head (or OP with --after OP).
  Appended to OPS; the id is printed. --time MS sets the operation's time (default: now).
  --supersedes MSG (msg_… or a message file) makes the operation a retry of an earlier one by ROOT
  that nothing follows yet: it follows the same operation as MSG and names MSG in `supersedes`,
  so the earlier one takes no part in the choice of the chain (spec 06 §8.1).
skylark witness receipt --key WITNESS --log OPS --op MSG [--time MS]
  A witness receipt (spec 06 §8.6), signed by witness key WITNESS (a secret key file), over the
  key operation MSG of the log, for MSG's account: it endorses MSG and everything before it. It is
  checked against the log (a key that is not a witness there is refused), appended to OPS, and its
  id is printed. A witness receipts only the account's canonical head, only once it has held it for
  the delay agreed with the owner, and never two operations of which neither follows the other.
";

const OPERATION_SPEC: Spec = &[
    ("root", true),
    ("log", true),
    ("time", true),
    ("key", true),
    ("app", true),
    ("scope", true),
    ("expires", true),
    ("days", true),
    ("label", true),
    ("cutoff", true),
    ("enc-key", true),
    ("version", true),
    ("account", true),
    ("supersedes", true),
    ("witness", true),
    ("threshold", true),
    ("no-witnesses", false),
    ("to", true),
    ("predecessor", true),
    ("op", true),
    ("next", true),
    ("no-next", false),
    ("after", true),
];

/// The witness set of `--witness` and `--threshold` (default: the smallest majority), if any.
fn witness_set(args: &Args) -> Result<Option<WitnessSet>, Error> {
    let names = args.all("witness");
    if names.is_empty() {
        if args.opt("threshold").is_some() {
            return Err(args.usage("--threshold needs --witness"));
        }
        return Ok(None);
    }
    let keys = names
        .iter()
        .map(|w| files::public_key(w))
        .collect::<Result<Vec<_>, _>>()?;
    let threshold = match args.number("threshold")? {
        Some(t) => usize::try_from(t).unwrap_or(usize::MAX),
        None => keys.len() / 2 + 1,
    };
    WitnessSet::new(&keys, threshold)
        .map(Some)
        .map_err(|e| body_error(&e, e.code(), e.rule()))
}

/// `witness receipt`: a receipt over an operation of the log, checked against the log's key state.
/// The view of `account` in `accounts` (read from `log`), or the error that says the log lacks its
/// genesis.
fn held_account<'a>(
    accounts: &'a Accounts,
    account: &AccountId,
    log: &str,
) -> Result<skylark::account::AccountView<'a>, Error> {
    accounts.account(account).ok_or_else(|| {
        Error::new(
            log,
            format!("does not hold the genesis of {account}"),
            "pass the log the account was created in",
        )
    })
}

fn receipt(args: &Args, log: &str, time: u64) -> Result<Status, Error> {
    let key = files::read_secret(args.req("key")?)?;
    let op = files::message_id(args.req("op")?)?;
    let held = files::read_log(log)?;
    let mut accounts = Accounts::new();
    for m in &held {
        if skylark::account::is_operation_kind(m.header().kind().as_str()) {
            let _ = accounts.apply(m);
        }
    }
    let target = held.iter().find(|m| m.id() == op).ok_or_else(|| {
        Error::new(
            op.to_string(),
            format!("is not in {log}"),
            "name a key operation of the account's log with --op",
        )
    })?;
    let account = match target.header().kind().as_str() {
        "genesis" => Accounts::account_id(target),
        _ => *target.header().account(),
    };
    let draft = Operation::receipt(account, op, time)
        .draft()
        .map_err(|e| body_error(&e, e.code(), e.rule()))?;
    finish(args, draft, &key, Some(&mut accounts))?;
    Ok(Status::Ok)
}

/// `key rotate`, and `key deactivate` / `key successor` with `--next`: a committed act (spec 06
/// §5.8) — the rotation to the keys of the `--next` files, or a deactivation or move naming them —
/// following `--after OP` (default: the account's head), signed by the list's revealed key as the
/// crate computes it ([`Accounts::revealed_key`]). A rotation commits to fresh next keys unless
/// `--no-next`.
fn committed_act(args: &Args, command: &str, log: &str, time: u64) -> Result<Status, Error> {
    let names = args.all("next");
    if names.is_empty() {
        return Err(args.usage("--next FILE is required (the .next files, in their order)"));
    }
    let keys = names
        .iter()
        .map(|n| files::read_secret(n))
        .collect::<Result<Vec<_>, _>>()?;
    let publics: Vec<PublicKey> = keys.iter().map(SecretKey::public_key).collect();
    let commitment = NextRoots::of(&publics).map_err(|e| body_error(&e, e.code(), e.rule()))?;
    let held = files::read_log(log)?;
    let mut accounts = Accounts::new();
    let mut ids = Vec::new();
    for m in &held {
        if skylark::account::is_operation_kind(m.header().kind().as_str()) {
            let _ = accounts.apply(m);
            ids.push(match m.header().kind().as_str() {
                "genesis" => Accounts::account_id(m),
                _ => *m.header().account(),
            });
        }
    }
    ids.sort();
    ids.dedup();
    // The operation it follows: `--after OP`, which names the account too, or the head.
    let after = args.opt("after").map(files::message_id).transpose()?;
    let of_after = after.and_then(|id| {
        held.iter()
            .find(|m| m.id() == id)
            .map(|m| match m.header().kind().as_str() {
                "genesis" => Accounts::account_id(m),
                _ => *m.header().account(),
            })
    });
    let account = match (args.opt("account"), of_after) {
        (Some(a), _) => files::account_id(a)?,
        (None, Some(a)) => a,
        (None, None) => ids
            .into_iter()
            .find(|id| {
                accounts
                    .account(id)
                    .is_some_and(|v| v.next_roots() == Some(commitment))
            })
            .ok_or_else(|| {
                Error::new(
                    log,
                    "holds no account committed to these next roots",
                    "pass the .next files in the order they were written, and the account's log",
                )
            })?,
    };
    let view = held_account(&accounts, &account, log)?;
    let parent = after.unwrap_or_else(|| view.head());
    let current = view.roots().to_vec();
    let op_error = |e: skylark::account::AccountError| body_error(&e, e.code(), e.rule());
    // ACCT-14: the crate's rule, not a guess: the first key of the list that is neither a root nor a
    // former root of the state it follows.
    let revealed = accounts.revealed_key(&parent, &publics).ok_or_else(|| {
        Error::new(
            parent.to_string(),
            "is not a valid operation of the account committed to these next roots, or no key of \
             the list can reveal them (each is a root or a former root there)",
            "pass the .next files in the order they were written, and an operation of the \
             account below which the commitment holds (--after)",
        )
    })?;
    let signer = keys
        .iter()
        .find(|k| k.public_key() == revealed)
        .ok_or_else(|| args.usage("the revealed key is not among the --next files"))?;
    let mut next = None;
    let op = match command {
        // ACCT-10, ACCT-14: every key of the revealed list accepts a committed deactivation or
        // successor (the revealed key alone cannot end or move the account).
        "key deactivate" | "key successor" => {
            let mut op = match command {
                "key deactivate" => Operation::deactivate(account, parent, time),
                _ => {
                    Operation::successor(account, parent, files::account_id(args.req("to")?)?, time)
                }
            }
            .revealing(&publics)
            .map_err(op_error)?;
            for key in &keys {
                op = op.accepted_by(key).map_err(op_error)?;
            }
            op
        }
        _ => {
            let mut op = Operation::roots(account, parent, &publics, time).map_err(op_error)?;
            next = match args.flag("no-next") {
                true => None,
                false => Some(next_keys(names)?),
            };
            // ACCT-10: the new roots accept; with a new commitment every root of the list does.
            let roots_there = accounts
                .roots_at(&parent)
                .map_or_else(|| current.clone(), <[PublicKey]>::to_vec);
            for key in keys
                .iter()
                .filter(|k| next.is_some() || !roots_there.contains(&k.public_key()))
            {
                op = op.accepted_by(key).map_err(op_error)?;
            }
            if let Some((fresh, _)) = &next {
                op = op.with_next(*fresh).map_err(op_error)?;
            }
            op
        }
    };
    // Audit Q2 (06 §5.8 producer rules): two committed rotations of one commitment at different
    // depths (one below the thief's operation, one beside it) contest each other.
    if command == "key rotate" {
        let list = Value::Array(
            publics
                .iter()
                .map(|k| Value::Bytes(k.as_bytes().to_vec()))
                .collect(),
        );
        let earlier = held.iter().filter(|m| {
            m.header().kind().as_str() == "roots"
                && m.header().account() == &account
                && m.header().key() == &revealed
                && m.body_map().is_some_and(|b| b.get("roots") == Some(&list))
        });
        for m in earlier {
            eprintln!(
                "skylark: warning: the log already holds a rotation to these next roots ({}); two \
                 committed rotations of one commitment at different places contest each other \
                 (spec 06 §5.8): keep one, name it in --supersedes for a retry at the same place",
                m.id()
            );
        }
    }
    let draft = op.draft().map_err(|e| body_error(&e, e.code(), e.rule()))?;
    finish(args, draft, signer, Some(&mut accounts))?;
    if let Some((_, paths)) = &next {
        next_note(paths);
    }
    Ok(Status::Ok)
}

/// The operation that the operation `id` in `held` follows (its body's `after`).
fn parent_of(
    held: &[SignedMessage],
    id: skylark::id::MessageId,
) -> Result<skylark::id::MessageId, Error> {
    let after = held
        .iter()
        .find(|m| m.id() == id)
        .and_then(SignedMessage::body_map)
        .and_then(|body| match body.get("after") {
            Some(Value::Bytes(b)) => <[u8; 32]>::try_from(b.as_slice()).ok(),
            _ => None,
        });
    after
        .map(skylark::id::MessageId::from_bytes)
        .ok_or_else(|| {
            Error::new(
                id.to_string(),
                "is not a key operation (other than a genesis) in the log",
                "name an operation of the account's log with --supersedes",
            )
        })
}

/// `account new` and `key …`.
pub fn operation(command: &str, rest: &[String]) -> Result<Status, Error> {
    const OPERATIONS: [&str; 9] = [
        "account new",
        "key delegate",
        "key revoke",
        "key roots",
        "key rotate",
        "key enckey",
        "key deactivate",
        "key successor",
        "witness receipt",
    ];
    if command.ends_with(" --help") || command.ends_with(" -h") {
        print!("{OPERATION_HELP}");
        return Ok(Status::Ok);
    }
    if !OPERATIONS.contains(&command) {
        return Err(Error::new(
            format!("skylark {command}"),
            "unknown subcommand",
            "use `account new`, `key delegate|revoke|roots|rotate|enckey|deactivate|successor` or `witness receipt`",
        ));
    }
    let args = Args::parse(command, rest, OPERATION_SPEC)?;
    if let Some(s) = help(&args, OPERATION_HELP) {
        return Ok(s);
    }
    let log = args.req("log")?;
    let time = time(&args)?;
    if command == "witness receipt" {
        return receipt(&args, log, time);
    }
    if command == "key rotate"
        || (matches!(command, "key deactivate" | "key successor") && !args.all("next").is_empty())
    {
        return committed_act(&args, command, log, time);
    }
    if command == "account new" {
        let roots = args.all("root");
        let first = roots
            .first()
            .ok_or_else(|| args.usage("--root FILE is required"))?;
        let key = files::read_secret(first)?;
        let mut publics = vec![key.public_key()];
        for r in &roots[1..] {
            publics.push(files::public_key(r)?);
        }
        let held = files::read_log(log)?;
        if held.iter().any(|m| m.header().key() == &key.public_key()) {
            return Err(Error::new(
                first,
                format!("this key already signed messages in {log}"),
                "a genesis must be its root's first message: make a new key with `skylark keygen`",
            ));
        }
        let op =
            Operation::genesis(&publics, time).map_err(|e| body_error(&e, e.code(), e.rule()))?;
        let op = match args.opt("predecessor") {
            Some(p) => op
                .predecessor(files::account_id(p)?)
                .map_err(|e| body_error(&e, e.code(), e.rule()))?,
            None => op,
        };
        let mut op = match witness_set(&args)? {
            Some(set) => op
                .with_witnesses(&set)
                .map_err(|e| body_error(&e, e.code(), e.rule()))?,
            None => op,
        };
        // ACCT-14: commit to fresh next roots unless told not to.
        let next = match args.flag("no-next") {
            true => None,
            false => Some(next_keys(roots)?),
        };
        if let Some((commitment, _)) = &next {
            op = op
                .with_next(*commitment)
                .map_err(|e| body_error(&e, e.code(), e.rule()))?;
        }
        // ACCT-10: every other root and every witness accepts the new account.
        for named in roots[1..].iter().chain(args.all("witness").iter()) {
            let accepting = files::accepting_key(named)?;
            op = op
                .accepted_by(&accepting)
                .map_err(|e| body_error(&e, e.code(), e.rule()))?;
        }
        let draft = op
            .draft_for(&key)
            .map_err(|e| body_error(&e, e.code(), e.rule()))?;
        // A genesis is its root's first message: not chained.
        let signed = draft
            .sign(&key)
            .map_err(|e| body_error(&e, e.code(), e.rule()))?;
        files::append_log(log, &signed)?;
        let account = Accounts::account_id(&signed);
        let next_files = next.map(|(_, paths)| paths).unwrap_or_default();
        if !next_files.is_empty() {
            next_note(&next_files);
        }
        if args.flag("json") {
            let view = serde_json::to_value(MessageView::new(&signed)).unwrap_or_default();
            print_json(&json!({
                "account": account.to_string(),
                "message": view,
                "hex": hex::encode(signed.as_bytes()),
                "log": log,
                "next_keys": next_files,
            }));
        } else {
            println!("{account}");
        }
        return Ok(Status::Ok);
    }

    let key_file = args.req("key")?;
    let key = files::read_secret(key_file)?;
    let mut accounts = Accounts::new();
    let held = files::read_log(log)?;
    let mut ids = Vec::new();
    for m in &held {
        if skylark::account::is_operation_kind(m.header().kind().as_str()) {
            let _ = accounts.apply(m);
            ids.push(*m.header().account());
        }
        if m.header().kind().as_str() == "genesis" {
            ids.push(Accounts::account_id(m));
        }
    }
    let account = match args.opt("account") {
        Some(a) => files::account_id(a)?,
        None => {
            let mut candidates: Vec<AccountId> = ids
                .into_iter()
                .filter(|id| {
                    accounts
                        .account(id)
                        .is_some_and(|v| v.roots().contains(&key.public_key()))
                })
                .collect();
            candidates.sort();
            candidates.dedup();
            match candidates.as_slice() {
                [one] => *one,
                [] => {
                    return Err(Error::new(
                        key_file,
                        format!("is not a root key of any account in {log}"),
                        "pass the root key of an account created with `skylark account new --log`",
                    ))
                }
                _ => {
                    return Err(args.usage("the key is a root of several accounts: pass --account"))
                }
            }
        }
    };
    let view = held_account(&accounts, &account, log)?;
    let head = view.head();
    let (current_roots, current_witnesses) = (
        view.roots().to_vec(),
        view.witnesses()
            .map(|w| w.keys().to_vec())
            .unwrap_or_default(),
    );
    let op_error = |e: skylark::account::AccountError| body_error(&e, e.code(), e.rule());
    // A retry follows what the operation it supersedes followed.
    let supersedes = args.opt("supersedes").map(files::message_id).transpose()?;
    let head = match (supersedes, args.opt("after")) {
        (Some(id), _) => parent_of(&held, id)?,
        (None, Some(after)) => files::message_id(after)?,
        (None, None) => head,
    };
    // What a delegation grants, printed once the operation is written.
    let mut granted = None;
    let op = match command {
        "key delegate" => {
            let app = files::public_key(args.req("app")?)?;
            let scope = match args.opt("scope") {
                None => Scope::all(),
                Some(s) => {
                    let entries: Vec<&str> = s.split(',').map(str::trim).collect();
                    Scope::from_entries(&entries).map_err(op_error)?
                }
            };
            let expires = match (args.number("expires")?, args.number("days")?) {
                (Some(e), _) => e,
                (None, days) => time.saturating_add(days.unwrap_or(365).saturating_mul(DAY)),
            };
            granted = Some(describe_scope(&scope));
            let accepting = files::accepting_key(args.req("app")?)?;
            Operation::delegate(account, head, app, &[], expires, args.opt("label"), time)
                .and_then(|op| op.with_scope(&scope))
                .and_then(|op| op.accepted_by(&accepting))
                .map_err(op_error)?
        }
        "key revoke" => {
            let app = files::public_key(args.req("app")?)?;
            let cutoff = args
                .opt("cutoff")
                .map(files::last_message)
                .transpose()?
                .map(|m| Revocation::After {
                    seq: m.header().seq(),
                    id: m.id(),
                });
            Operation::revoke(account, head, app, cutoff.or(Some(Revocation::All)), time)
                .map_err(op_error)?
        }
        "key roots" if view.next_roots().is_some() => {
            return Err(Error::new(
                account.to_string(),
                "is committed to its next roots (spec 06 §5.8): only they can rotate it",
                "rotate with `skylark key rotate --next FILE...` (the .next files)",
            ));
        }
        "key roots" => {
            let roots = args
                .all("root")
                .iter()
                .map(|r| files::public_key(r))
                .collect::<Result<Vec<_>, _>>()?;
            let mut op = Operation::roots(account, head, &roots, time).map_err(op_error)?;
            // ACCT-10: the roots and witnesses that are new accept their role.
            for (named, key) in args.all("root").iter().zip(&roots) {
                if !current_roots.contains(key) {
                    op = op
                        .accepted_by(&files::accepting_key(named)?)
                        .map_err(op_error)?;
                }
            }
            for named in args.all("witness") {
                if !current_witnesses.contains(&files::public_key(named)?) {
                    op = op
                        .accepted_by(&files::accepting_key(named)?)
                        .map_err(op_error)?;
                }
            }
            match (witness_set(&args)?, args.flag("no-witnesses")) {
                (Some(_), true) => {
                    return Err(args.usage("--witness and --no-witnesses exclude each other"))
                }
                (Some(set), false) => op.with_witnesses(&set).map_err(op_error)?,
                (None, true) => op.without_witnesses().map_err(op_error)?,
                (None, false) => op,
            }
        }
        "key deactivate" | "key successor" if view.next_roots().is_some() => {
            return Err(Error::new(
                account.to_string(),
                "is committed to its next roots (spec 06 §5.8): only they can deactivate it or \
                 name its successor",
                "pass the .next files with --next FILE... (their revealed key signs)",
            ));
        }
        "key deactivate" => Operation::deactivate(account, head, time),
        "key successor" => {
            Operation::successor(account, head, files::account_id(args.req("to")?)?, time)
        }
        "key enckey" => {
            let text = args.req("enc-key")?;
            let mut enc = [0u8; 32];
            hex::decode_to_slice(text, &mut enc).map_err(|_| {
                Error::new(
                    text,
                    "not a 32-byte key",
                    "give the X25519 public key as 64 hex digits",
                )
            })?;
            let version = args.number("version")?.unwrap_or(1);
            Operation::enckey(account, head, enc, version, time).map_err(op_error)?
        }
        _ => {
            return Err(Error::new(
                format!("skylark {command}"),
                "unknown subcommand",
                "see `skylark key --help`",
            ))
        }
    };
    let op = match supersedes {
        Some(id) => op.supersedes(id).map_err(op_error)?,
        None => op,
    };
    let draft = op.draft().map_err(|e| body_error(&e, e.code(), e.rule()))?;
    finish(&args, draft, &key, Some(&mut accounts))?;
    if let Some(granted) = granted {
        eprintln!("{granted}");
    }
    Ok(Status::Ok)
}

const MESSAGE_HELP: &str = "\
skylark <kind> --key APPKEY --account ACCT [options] [--log FILE | --after MSGFILE] [--time MS]
  Signs a message with app key APPKEY (a secret key file) for account ACCT. With --log FILE the
  message follows the key's last message in FILE, is appended to it, and its id is printed; without,
  the message is printed in hex (follow a given message with --after). --json prints its view.

  post      --text T [--lang L]... [--label V]... [--quote MSG [--version MSG]]
  quote     --quote MSG [--version MSG] [--text T]
  reply     --parent MSG [--root MSG] --text T [--lang L]...   (root: the parent's root, if the
            parent is given as a file; else the parent itself)
  edit      --target MSG [--replaces MSG] --text T             (replaces: default the target)
  react     --target MSG [--emoji E] [--version MSG]
  repost    --target MSG [--version MSG]
  delete | unrepost | unreact   --target MSG
  follow | unfollow | block | unblock    --subject ACCT
  label     (--subject-account ACCT | --subject-message MSG) --value V [--negate] [--expires MS]
  sign      --kind KIND --body JSON|@FILE   any kind, the body from a JSON description: objects,
            arrays, strings, integers, booleans; {\"$bytes\": \"hex\"} for a byte string and
            {\"$id\": \"msg_…|acct_…|pub_…\"} for the 32 bytes of an id.
  MSG is a msg_… id or a message file. --version names the version of the target (or quoted
  post) you saw: the post itself or the edit that was current (05 §5.2); the merged state lists
  interactions pinned to a version that is no longer current as `earlier` (07 MERGE-4).
";

const MESSAGE_SPEC: Spec = &[
    ("key", true),
    ("account", true),
    ("log", true),
    ("after", true),
    ("time", true),
    ("text", true),
    ("lang", true),
    ("label", true),
    ("quote", true),
    ("version", true),
    ("parent", true),
    ("root", true),
    ("target", true),
    ("replaces", true),
    ("emoji", true),
    ("subject", true),
    ("subject-account", true),
    ("subject-message", true),
    ("value", true),
    ("negate", false),
    ("expires", true),
    ("kind", true),
    ("body", true),
];

fn post_builder(args: &Args) -> PostBuilder {
    let mut b = Post::builder();
    if let Some(t) = args.opt("text") {
        b = b.text(t);
    }
    for l in args.all("lang") {
        b = b.lang(l.as_str());
    }
    for l in args.all("label") {
        b = b.label(l.as_str());
    }
    b
}

fn built<T>(r: Result<T, skylark::message::ValidationError>) -> Result<T, Error> {
    r.map_err(|e| body_error(&e, e.code(), e.rule()))
}

/// The root of a thread that `parent` (a msg_… id or a message file) is in.
fn thread_root(args: &Args, parent: &str) -> Result<skylark::id::MessageId, Error> {
    if let Some(root) = args.opt("root") {
        return files::message_id(root);
    }
    if parent.starts_with("msg_") {
        return files::message_id(parent);
    }
    let message = files::last_message(parent)?;
    let root = message.body_map().and_then(|b| {
        let reply = b.get("reply")?.as_map()?;
        match reply.get("root")? {
            Value::Bytes(r) => <[u8; 32]>::try_from(r.as_slice())
                .ok()
                .map(skylark::id::MessageId::from_bytes),
            _ => None,
        }
    });
    Ok(root.unwrap_or(message.id()))
}

/// A JSON description of a body as a CBOR map.
fn json_to_cbor(v: &Json, at: &str) -> Result<Value, Error> {
    let bad = |what: &str| {
        Error::new(
            format!("--body {at}"),
            what.to_string(),
            "see `skylark sign --help` for the JSON description",
        )
    };
    Ok(match v {
        Json::Bool(b) => Value::Bool(*b),
        Json::String(s) => Value::Text(s.clone()),
        Json::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Value::Unsigned(u),
            (None, Some(i)) => Value::from(i),
            _ => return Err(bad("floats have no Skylark encoding (use an integer)")),
        },
        Json::Null => return Err(bad("null has no Skylark encoding (leave the field out)")),
        Json::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, x)| json_to_cbor(x, &format!("{at}[{i}]")))
                .collect::<Result<_, _>>()?,
        ),
        Json::Object(o) => {
            if let (1, Some(Json::String(h))) = (o.len(), o.get("$bytes")) {
                return hex::decode(h)
                    .map(Value::Bytes)
                    .map_err(|_| bad("$bytes is not hex"));
            }
            if let (1, Some(Json::String(id))) = (o.len(), o.get("$id")) {
                let bytes = if id.starts_with("msg_") {
                    *files::message_id(id)?.as_bytes()
                } else if id.starts_with("acct_") {
                    *files::account_id(id)?.as_bytes()
                } else {
                    *files::public_key(id)?.as_bytes()
                };
                return Ok(Value::Bytes(bytes.to_vec()));
            }
            let mut map = Map::new();
            for (k, x) in o {
                map.insert(k.clone(), json_to_cbor(x, &format!("{at}.{k}"))?);
            }
            Value::Map(map)
        }
    })
}

/// The social message commands.
pub fn message(command: &str, rest: &[String]) -> Result<Status, Error> {
    let args = Args::parse(command, rest, MESSAGE_SPEC)?;
    if let Some(s) = help(&args, MESSAGE_HELP) {
        return Ok(s);
    }
    let key = files::read_secret(args.req("key")?)?;
    let account = files::account_id(args.req("account")?)?;
    let time = time(&args)?;
    let target = || files::message_id(args.req("target")?);
    let subject = || files::account_id(args.req("subject")?);
    let draft = match command {
        "post" | "quote" => {
            let mut b = post_builder(&args);
            if let Some(q) = args.opt("quote") {
                b = match args.opt("version") {
                    Some(v) => b.quote_at(files::message_id(q)?, files::message_id(v)?),
                    None => b.quote(files::message_id(q)?),
                };
            } else if args.opt("version").is_some() {
                return Err(args.usage("--version needs --quote MSG"));
            } else if command == "quote" {
                return Err(args.usage("--quote MSG is required"));
            }
            draft_of(&built(b.build())?, account, time)?
        }
        "reply" => {
            let parent = args.req("parent")?;
            let reply = Reply::new(thread_root(&args, parent)?, files::message_id(parent)?);
            draft_of(
                &built(post_builder(&args).reply(reply).build())?,
                account,
                time,
            )?
        }
        "edit" => {
            let target = target()?;
            let replaces = match args.opt("replaces") {
                Some(r) => files::message_id(r)?,
                None => target,
            };
            let mut b = Edit::builder(target, replaces);
            if let Some(t) = args.opt("text") {
                b = b.text(t);
            }
            draft_of(&built(b.build())?, account, time)?
        }
        "react" => {
            let mut react = match args.opt("emoji") {
                Some(e) => built(React::with_emoji(target()?, e))?,
                None => React::like(target()?),
            };
            if let Some(v) = args.opt("version") {
                react = react.at_version(files::message_id(v)?);
            }
            draft_of(&react, account, time)?
        }
        "delete" => draft_of(&Delete::new(target()?), account, time)?,
        "repost" => {
            let repost = match args.opt("version") {
                Some(v) => Repost::at_version(target()?, files::message_id(v)?),
                None => Repost::new(target()?),
            };
            draft_of(&repost, account, time)?
        }
        "unrepost" => draft_of(&Unrepost::new(target()?), account, time)?,
        "unreact" => draft_of(&Unreact::new(target()?), account, time)?,
        "follow" => draft_of(&Follow::new(subject()?), account, time)?,
        "unfollow" => draft_of(&Unfollow::new(subject()?), account, time)?,
        "block" => draft_of(&Block::new(subject()?), account, time)?,
        "unblock" => draft_of(&Unblock::new(subject()?), account, time)?,
        "label" => {
            let about = match (args.opt("subject-account"), args.opt("subject-message")) {
                (Some(a), None) => Reference::Account(files::account_id(a)?),
                (None, Some(m)) => Reference::Message(files::message_id(m)?),
                _ => {
                    return Err(args.usage(
                        "give exactly one of --subject-account ACCT and --subject-message MSG",
                    ))
                }
            };
            let mut b = Label::builder(about, args.req("value")?);
            if args.flag("negate") {
                b = b.negate();
            }
            if let Some(e) = args.number("expires")? {
                b = b.expires(e);
            }
            draft_of(&built(b.build())?, account, time)?
        }
        "sign" => {
            let kind_text = args.req("kind")?;
            let kind = Kind::new(kind_text).map_err(|e| body_error(&e, e.code(), e.rule()))?;
            let body_arg = args.req("body")?;
            let text = match body_arg.strip_prefix('@') {
                Some(file) => String::from_utf8_lossy(&files::read_input(file)?).into_owned(),
                None => body_arg.to_string(),
            };
            let json: Json = serde_json::from_str(&text).map_err(|e| {
                Error::new("--body", format!("not JSON: {e}"), "give a JSON object")
            })?;
            let Value::Map(map) = json_to_cbor(&json, "")? else {
                return Err(Error::new(
                    "--body",
                    "is not a JSON object",
                    "give a JSON object",
                ));
            };
            Draft::new(account, kind, time, &map).map_err(|e| body_error(&e, e.code(), e.rule()))?
        }
        other => {
            return Err(Error::new(
                format!("skylark {other}"),
                "unknown command",
                "see `skylark --help`",
            ))
        }
    };
    finish(&args, draft, &key, None)?;
    Ok(Status::Ok)
}

/// What a delegation scope lets its key do, in one paragraph for the person delegating (06 §5.4).
fn describe_scope(scope: &Scope) -> String {
    let mut kinds = Vec::new();
    let mut unknown = Vec::new();
    for entry in scope.entries() {
        if entry == "*" {
            kinds.push(format!(
                "every kind except the key operations and {}",
                WILDCARD_EXCLUDED_KINDS.join(", ")
            ));
        } else if entry.starts_with(CAPABILITY_PREFIX) {
            if entry != CAP_OTHERS {
                unknown.push(entry);
            }
        } else {
            kinds.push(entry.to_string());
        }
    }
    let mut text = format!("scope: the key may sign {}.", kinds.join(", "));
    if kinds.is_empty() {
        text = "scope: the key may sign no kind.".to_string();
    }
    text.push_str(if scope.grants(CAP_OTHERS) {
        " It may edit, delete and undo messages signed by the account's other keys (cap:others)."
    } else {
        " It edits, deletes and undoes only messages it signed itself."
    });
    if !unknown.is_empty() {
        text.push_str(&format!(
            " Capabilities unknown to this version, granting nothing here: {}.",
            unknown.join(", ")
        ));
    }
    text
}
