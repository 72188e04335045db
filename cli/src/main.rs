//! `skylark`: the Skylark command-line tool. Keys, accounts, signed messages, `inspect`, `verify`
//! and the test vectors; all I/O lives here, the `skylark` library stays pure. `skylark --help`
//! lists the commands and the exit statuses.

mod args;
mod create;
mod files;
mod inspect;
mod node;
mod vectors;
mod views;

use std::fmt;
use std::process::ExitCode;

use args::Args;

const HELP: &str = "\
skylark — the Skylark protocol on the command line

USAGE
  skylark <command> [options]        skylark <command> --help for its options

KEYS AND ACCOUNTS
  keygen --out FILE                  a new key; the secret goes to FILE (owner-only), the public
                                     key to the terminal
  pubkey FILE                        the public key of a secret key file
  account new --root FILE --log OPS  create an account (its genesis) with root key FILE
  key delegate|revoke|roots|rotate|enckey|deactivate|successor   key operations, appended to OPS
  witness receipt --op MSG           a witness's receipt over a key operation (spec 06 §8.6)

MESSAGES (signed by an app key; see `skylark post --help`)
  post, reply, react, follow, unfollow, block, unblock, delete, repost, unrepost, unreact, edit,
  label, sign (any kind, body from a JSON description)

READING
  inspect [FILE|-]...                fields, CBOR diagnostic notation, id and verdict
  verify [FILE|-]...                 the verdict only; the exit status says it
  state [FILE|-]...                  the merged state of the valid messages: its digest
  thread --root MSG [FILE|-]...      a post and its replies as a tree, with reactions
  profile --account ACCT [FILE|-]... an account's profile, keys, follows and blocks
  timeline --account ACCT... [FILE|-]...  the posts of these accounts, newest first
  vectors [DIR]                      run this implementation against a test-vectors/ folder

NODE (spec 09 and 10)
  store add|state --db FILE          add messages to a store (SQLite), or print its state digest
  serve --db FILE --listen ADDR      answer reconciliation and fetches on a loopback port
  sync URL --db FILE [--account A]   reconcile a store with a node, both ways (or one account)
  locator ACCT --db FILE             the account's current locator: the hosts of its profile
  name verify NAME --account ACCT    whether the account holds the name: its profile claims it and
                                     the domain's record names it (--url or --txt)
  dm device|send|fetch               direct messages (spec 08) through a node's mailbox
                                     (spec 10 §5): a device's keys and bundle, sealing, fetching

  --json                             machine-readable output, on every command that prints
  --version                          the tool's version

INPUT
  A message file is raw message bytes, or text with one message in hex per line (`#` starts a
  comment). `-` reads standard input. Ids are in their text forms: msg_…, acct_…, pub_….

EXIT STATUS
  0  success; for verify: every message valid
  1  usage or I/O error (the message names the input and the fix)
  2  verify: a message is invalid (or not a message at all); vectors: a vector failed
  3  verify: no message invalid, but one is undecided (pass --accounts or --key-authorized)
";

/// A readable error: `skylark: <input>: <what> (<fix>)`.
#[derive(Debug)]
pub struct Error {
    input: String,
    what: String,
    fix: String,
}

impl Error {
    /// An error about `input`, what is wrong, and how to fix it.
    pub fn new(input: impl Into<String>, what: impl Into<String>, fix: impl Into<String>) -> Self {
        Error {
            input: input.into(),
            what: what.into(),
            fix: fix.into(),
        }
    }

    /// An I/O error on `input`.
    pub fn io(input: &str, e: &std::io::Error) -> Self {
        let fix = match e.kind() {
            std::io::ErrorKind::NotFound => "check the path",
            std::io::ErrorKind::PermissionDenied => "check the file's permissions",
            _ => "check the path and the disk",
        };
        let what = e.to_string();
        // "No such file or directory (os error 2)" -> "no such file or directory"
        let what = what
            .split(" (os error")
            .next()
            .unwrap_or(&what)
            .to_lowercase();
        Error::new(
            if input == "-" {
                "standard input"
            } else {
                input
            },
            what,
            fix,
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "skylark: {}: {}", self.input, self.what)?;
        if !self.fix.is_empty() {
            write!(f, " ({})", self.fix)?;
        }
        Ok(())
    }
}

/// What a command reports to the shell.
pub enum Status {
    /// Exit status 0.
    Ok,
    /// Exit status 2: a message is invalid, or a vector failed.
    Invalid,
    /// Exit status 3: undecided.
    Undecided,
}

/// Prints a JSON value on standard output.
pub fn print_json(value: &serde_json::Value) {
    // Pretty-printing a Value cannot fail.
    println!(
        "{}",
        serde_json::to_string_pretty(value).unwrap_or_default()
    );
}

fn run(argv: &[String]) -> Result<Status, Error> {
    let Some((command, rest)) = argv.split_first() else {
        print!("{HELP}");
        return Ok(Status::Ok);
    };
    match command.as_str() {
        "--help" | "-h" | "help" => {
            print!("{HELP}");
            Ok(Status::Ok)
        }
        "--version" | "-V" => {
            println!("skylark {}", env!("CARGO_PKG_VERSION"));
            Ok(Status::Ok)
        }
        "keygen" | "pubkey" => create::keys(command, rest),
        "account" | "key" | "witness" => {
            let Some((sub, rest)) = rest.split_first() else {
                return Err(Error::new(
                    format!("skylark {command}"),
                    "needs a subcommand",
                    if command == "account" {
                        "try `skylark account new --help`"
                    } else if command == "witness" {
                        "try `skylark witness receipt --help`"
                    } else {
                        "one of delegate, revoke, roots, enckey, deactivate, successor"
                    },
                ));
            };
            create::operation(&format!("{command} {sub}"), rest)
        }
        "inspect" | "verify" | "state" => inspect::run(command, rest),
        "thread" => views::thread(rest),
        "profile" => views::profile(rest),
        "timeline" => views::timeline(rest),
        "vectors" => vectors::run(rest),
        "store" => node::store(rest),
        "serve" => node::serve(rest),
        "sync" => node::sync(rest),
        "locator" => node::locator(rest),
        "name" => node::name(rest),
        "dm" => node::dm(rest),
        kind if create::MESSAGE_COMMANDS.contains(&kind) => create::message(kind, rest),
        other => Err(Error::new(
            format!("skylark {other}"),
            "unknown command",
            "see `skylark --help` for the commands",
        )),
    }
}

/// Prints `help` and succeeds if `--help` was given.
pub fn help(args: &Args, help: &str) -> Option<Status> {
    args.flag("help").then(|| {
        print!("{help}");
        Status::Ok
    })
}

fn main() -> ExitCode {
    let argv: Result<Vec<String>, _> = std::env::args_os()
        .skip(1)
        .map(|a| a.into_string())
        .collect();
    let result = match argv {
        Ok(argv) => run(&argv),
        Err(bad) => Err(Error::new(
            bad.to_string_lossy(),
            "argument is not valid UTF-8",
            "pass text arguments",
        )),
    };
    match result {
        Ok(Status::Ok) => ExitCode::SUCCESS,
        Ok(Status::Invalid) => ExitCode::from(2),
        Ok(Status::Undecided) => ExitCode::from(3),
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
    }
}
