//! The `skylark` binary run on real inputs: files in a fresh temporary folder, standard input, the
//! repository's test vectors. Each test checks the output and the exit status.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::TempDir;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

const T0: u64 = 1_764_115_200_000;
const NOW: &str = "1764118800000"; // T0 + 1 h

struct Run {
    code: i32,
    out: String,
    err: String,
}

fn temp_dir() -> TempDir {
    support::temp_dir("cli-test")
}

fn run_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_skylark"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut input = child.stdin.take().unwrap();
        if let Some(bytes) = stdin {
            input.write_all(bytes).unwrap();
        }
    }
    let output = child.wait_with_output().unwrap();
    let run = Run {
        code: output.status.code().expect("exited, not killed"),
        out: String::from_utf8(output.stdout).unwrap(),
        err: String::from_utf8(output.stderr).unwrap(),
    };
    assert!(!run.err.contains("panicked"), "panic: {}", run.err);
    run
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let r = run_in(dir, args, None);
    assert_eq!(r.code, 0, "skylark {args:?}: {}{}", r.out, r.err);
    r.out.trim().to_string()
}

/// An error: exit status 1 and one readable line naming the input.
fn fails(dir: &Path, args: &[&str], stdin: Option<&[u8]>, input: &str, what: &str) {
    let r = run_in(dir, args, stdin);
    assert_eq!(r.code, 1, "skylark {args:?}: {}{}", r.out, r.err);
    let line = r.err.trim();
    assert_eq!(line.lines().count(), 1, "{line}");
    assert!(
        line.starts_with(&format!("skylark: {input}: "))
            && line.contains(what)
            && line.ends_with(')'),
        "skylark {args:?}: {line}"
    );
}

/// `<command> <file> --accounts ops.txt --now NOW --json` (Alice's operations), parsed.
fn command_json(dir: &Path, command: &str, file: &str) -> serde_json::Value {
    let args = [
        command,
        file,
        "--accounts",
        "ops.txt",
        "--now",
        NOW,
        "--json",
    ];
    serde_json::from_str(&ok(dir, &args)).unwrap()
}

/// `inspect --json` of `file`, with Alice's operations, at NOW.
fn inspect_json(dir: &Path, file: &str) -> serde_json::Value {
    command_json(dir, "inspect", file)
}

/// Alice: a root key, an account, an app key delegated to it, and a post in `msgs.txt`.
struct Alice {
    dir: TempDir,
    account: String,
    post: String,
}

fn alice() -> Alice {
    let dir = temp_dir();
    ok(&dir, &["keygen", "--out", "root.key"]);
    ok(&dir, &["keygen", "--out", "app.key"]);
    let t = |m: u64| (T0 + m * 60_000).to_string();
    let account = ok(
        &dir,
        &[
            "account",
            "new",
            "--root",
            "root.key",
            "--log",
            "ops.txt",
            "--time",
            &t(0),
            // Alice rotates with `key roots` (key_operations_rotate_roots_…): no commitment.
            "--no-next",
        ],
    );
    ok(
        &dir,
        &[
            "key",
            "delegate",
            "--key",
            "root.key",
            "--log",
            "ops.txt",
            "--app",
            "app.key",
            "--label",
            "Test app",
            "--time",
            &t(1),
        ],
    );
    let post = ok(
        &dir,
        &[
            "post",
            "--key",
            "app.key",
            "--account",
            &account,
            "--text",
            "Hello from the CLI",
            "--lang",
            "en",
            "--log",
            "msgs.txt",
            "--time",
            &t(2),
        ],
    );
    Alice { dir, account, post }
}

#[test]
fn keygen_writes_an_owner_only_secret_and_never_overwrites() {
    let dir = temp_dir();
    let public = ok(&dir, &["keygen", "--out", "k.key"]);
    assert!(public.starts_with("pub_") && public.len() == 56, "{public}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("k.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let secret = std::fs::read_to_string(dir.join("k.key")).unwrap();
    assert!(!public.contains(secret.lines().last().unwrap()));
    assert_eq!(ok(&dir, &["pubkey", "k.key"]), public);

    fails(
        &dir,
        &["keygen", "--out", "k.key"],
        None,
        "k.key",
        "already exists",
    );
    assert_eq!(std::fs::read_to_string(dir.join("k.key")).unwrap(), secret);

    // --force replaces it, owner-only even if the old file was not.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.join("k.key"), std::fs::Permissions::from_mode(0o644))
            .unwrap();
        let json: serde_json::Value = serde_json::from_str(&ok(
            &dir,
            &["keygen", "--out", "k.key", "--force", "--json"],
        ))
        .unwrap();
        assert_ne!(json["public_key"].as_str(), Some(public.as_str()));
        let mode = std::fs::metadata(dir.join("k.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // A secret readable by others still works, with a warning.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.join("k.key"), std::fs::Permissions::from_mode(0o644))
            .unwrap();
        let r = run_in(&dir, &["pubkey", "k.key"], None);
        assert_eq!(r.code, 0);
        assert!(
            r.err
                .contains("k.key: warning: the secret key is readable by others"),
            "{}",
            r.err
        );
    }
    // Two keys are never the same.
    assert_ne!(ok(&dir, &["keygen", "--out", "other.key"]), public);
}

#[test]
fn create_inspect_verify_round_trip() {
    let a = alice();
    let dir = &a.dir;
    let reply = ok(
        dir,
        &[
            "reply",
            "--key",
            "app.key",
            "--account",
            &a.account,
            "--parent",
            "msgs.txt",
            "--text",
            "and a reply",
            "--log",
            "msgs.txt",
            "--time",
            &(T0 + 180_000).to_string(),
        ],
    );
    assert!(reply.starts_with("msg_"));

    let text = ok(
        dir,
        &["inspect", "msgs.txt", "--accounts", "ops.txt", "--now", NOW],
    );
    for want in [
        format!("  id         {}", a.post),
        format!("  id         {reply}"),
        format!("  account    {}", a.account),
        "  kind       post".to_string(),
        "  seq        2".to_string(),
        "(2025-11-26T00:02:00.000Z)".to_string(),
        "\"text\": \"Hello from the CLI\"".to_string(),
        "\"h\": << {".to_string(),
        format!("  body       {{\"reply\":{{\"parent\":\"{0}\",\"root\":\"{0}\"}},\"text\":\"and a reply\"}}", a.post),
        "  verdict    valid".to_string(),
    ] {
        assert!(text.contains(&want), "missing {want:?} in\n{text}");
    }
    assert!(!text.contains("INVALID"));

    let r = run_in(
        dir,
        &["verify", "msgs.txt", "--accounts", "ops.txt", "--now", NOW],
        None,
    );
    assert_eq!(
        (r.code, r.out.as_str()),
        (0, "msgs.txt:1: valid\nmsgs.txt:2: valid\n")
    );

    // --json: one object per message, with the view and the verdict.
    let json: serde_json::Value = inspect_json(dir, "msgs.txt");
    assert_eq!(json[1]["message"]["id"], reply.as_str());
    assert_eq!(
        json[1]["message"]["body"]["reply"]["parent"],
        a.post.as_str()
    );
    assert_eq!(json[1]["message"]["body"]["reply"]["root"], a.post.as_str());
    assert_eq!(json[1]["verdict"]["verdict"], "valid");
    let verified = command_json(dir, "verify", "msgs.txt");
    assert_eq!(verified[0]["id"], a.post.as_str());
    assert_eq!(verified[0]["verdict"], "valid");

    // The same bytes from standard input, raw.
    let first = std::fs::read_to_string(dir.join("msgs.txt")).unwrap();
    let raw = hex::decode(first.lines().next().unwrap()).unwrap();
    let r = run_in(
        dir,
        &["verify", "-", "--key-authorized", "--now", NOW],
        Some(&raw),
    );
    assert_eq!((r.code, r.out.as_str()), (0, "standard input: valid\n"));
}

#[test]
fn undecided_without_the_accounts_exits_3_and_says_what_to_pass() {
    let a = alice();
    let r = run_in(&a.dir, &["verify", "msgs.txt", "--now", NOW], None);
    assert_eq!(r.code, 3, "{}{}", r.out, r.err);
    assert!(r
        .out
        .contains(&format!("undecided: missing account {}", a.account)));
    assert!(r.out.contains("--accounts"));
}

#[test]
fn malformed_hex_names_the_line_and_the_fix() {
    let dir = temp_dir();
    std::fs::write(dir.join("bad.txt"), "# a comment\na36162\nxyz\n").unwrap();
    fails(
        &dir,
        &["verify", "bad.txt"],
        None,
        "bad.txt:3",
        "malformed hex: 'x' at column 1",
    );
    std::fs::write(dir.join("odd.txt"), "a36\n").unwrap();
    fails(
        &dir,
        &["verify", "odd.txt"],
        None,
        "odd.txt:1",
        "an odd number of hex digits",
    );
    fails(
        &dir,
        &["inspect", "-"],
        Some(b"abc"),
        "standard input:1",
        "malformed hex",
    );
    fails(
        &dir,
        &["verify", "-"],
        Some(b""),
        "standard input",
        "is empty",
    );
    fails(
        &dir,
        &["verify", "missing.txt"],
        None,
        "missing.txt",
        "no such file",
    );
}

#[test]
fn truncated_and_tampered_messages_are_invalid_with_code_and_rule() {
    let a = alice();
    let dir = &a.dir;
    let hex_line = std::fs::read_to_string(dir.join("msgs.txt")).unwrap();
    let bytes = hex::decode(hex_line.trim()).unwrap();

    std::fs::write(dir.join("truncated.bin"), &bytes[..bytes.len() - 10]).unwrap();
    let r = run_in(
        dir,
        &["verify", "truncated.bin", "--key-authorized", "--now", NOW],
        None,
    );
    assert_eq!(r.code, 2, "{}{}", r.out, r.err);
    assert!(
        r.out
            .starts_with("truncated.bin: INVALID cbor.truncated (CBOR-"),
        "{}",
        r.out
    );
    // inspect shows the same verdict and succeeds.
    let r = run_in(dir, &["inspect", "truncated.bin"], None);
    assert_eq!(r.code, 0);
    assert!(
        r.out.contains("verdict    INVALID cbor.truncated"),
        "{}",
        r.out
    );

    // One flipped bit in the signature: it no longer verifies.
    let mut tampered = bytes.clone();
    *tampered.last_mut().unwrap() ^= 0x01;
    std::fs::write(dir.join("tampered.bin"), &tampered).unwrap();
    let r = run_in(dir, &["verify", "tampered.bin", "--key-authorized"], None);
    assert_eq!(r.code, 2);
    assert!(r.out.contains("INVALID sig.mismatch (ENV-14)"), "{}", r.out);
    let json: serde_json::Value =
        serde_json::from_str(&run_in(dir, &["inspect", "tampered.bin", "--json"], None).out)
            .unwrap();
    assert_eq!(json[0]["verdict"]["verdict"], "invalid");
    assert_eq!(json[0]["verdict"]["code"], "sig.mismatch");
    assert_eq!(json[0]["verdict"]["rule"], "ENV-14");
}

#[test]
fn wrong_keys_are_rejected_by_the_accounts_layer() {
    let a = alice();
    let dir = &a.dir;
    // Signs a post with `key` for Alice's account at T0 + `minutes`, appended to `log`.
    let post = |key: &str, text: &str, log: &str, minutes: u64| {
        let time = (T0 + minutes * 60_000).to_string();
        let args = [
            "post",
            "--key",
            key,
            "--account",
            &a.account,
            "--text",
            text,
            "--log",
            log,
            "--time",
            &time,
        ];
        ok(dir, &args)
    };
    let verify = |file: &str| {
        run_in(
            dir,
            &["verify", file, "--accounts", "ops.txt", "--now", NOW],
            None,
        )
    };

    // A key the account never delegated.
    ok(dir, &["keygen", "--out", "stranger.key"]);
    post("stranger.key", "not mine", "stranger.txt", 5);
    let r = verify("stranger.txt");
    assert_eq!(r.code, 2);
    assert!(
        r.out
            .starts_with("stranger.txt:1: INVALID auth.not_delegated (MSG-3)"),
        "{}",
        r.out
    );

    // A root key signing an everyday message.
    post("root.key", "from the root", "root.txt", 5);
    let r = verify("root.txt");
    assert_eq!(r.code, 2);
    assert!(
        r.out
            .starts_with("root.txt:1: INVALID auth.root_key_message"),
        "{}",
        r.out
    );

    // The app key revoked after the post: the post stands, a later message does not.
    let revoke_time = (T0 + 400_000).to_string();
    ok(
        dir,
        &[
            "key",
            "revoke",
            "--key",
            "root.key",
            "--log",
            "ops.txt",
            "--app",
            "app.key",
            "--cutoff",
            "msgs.txt",
            "--time",
            &revoke_time,
        ],
    );
    post("app.key", "the thief", "msgs.txt", 8);
    let r = verify("msgs.txt");
    assert_eq!(r.code, 2);
    let lines: Vec<&str> = r.out.lines().collect();
    assert_eq!(lines[0], "msgs.txt:1: valid");
    assert!(
        lines[1].starts_with("msgs.txt:2: INVALID auth.revoked (MSG-3)"),
        "{}",
        lines[1]
    );

    // A secret key file that is not one.
    std::fs::write(dir.join("not.key"), "hello\n").unwrap();
    fails(
        dir,
        &[
            "post",
            "--key",
            "not.key",
            "--account",
            &a.account,
            "--text",
            "x",
        ],
        None,
        "not.key",
        "not a secret key file",
    );
}

#[test]
fn every_kind_from_flags_and_from_a_json_description() {
    let a = alice();
    let dir = &a.dir;
    let mut minute = 10;
    let mut sign = |args: &[&str]| {
        minute += 1;
        let time = (T0 + minute * 60_000).to_string();
        let mut all = args.to_vec();
        all.extend([
            "--key",
            "app.key",
            "--account",
            &a.account,
            "--log",
            "msgs.txt",
            "--time",
            &time,
        ]);
        ok(dir, &all)
    };
    let bob = "acct_xo53xo53xo53xo53xo53xo53xo53xo53xo53xo53xo53xo53xo5q";
    sign(&[
        "quote",
        "--quote",
        &a.post,
        "--version",
        &a.post,
        "--text",
        "look",
    ]);
    sign(&[
        "react",
        "--target",
        &a.post,
        "--emoji",
        "🐦",
        "--version",
        &a.post,
    ]);
    sign(&["follow", "--subject", bob]);
    sign(&["edit", "--target", &a.post, "--text", "Hello, edited"]);
    sign(&["label", "--subject-account", bob, "--value", "spam"]);
    sign(&[
        "sign",
        "--kind",
        "com.example.poll",
        "--body",
        r#"{"question": "Lunch?", "n": -2, "ref": {"$id": "msg_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}, "raw": {"$bytes": "00ff"}}"#,
    ]);
    let json: serde_json::Value = inspect_json(dir, "msgs.txt");
    let kinds: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["message"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "post",
            "post",
            "react",
            "follow",
            "edit",
            "label",
            "com.example.poll"
        ]
    );
    for m in json.as_array().unwrap() {
        assert_eq!(m["verdict"]["verdict"], "valid", "{m}");
    }
    let poll = &json[6]["message"]["body"];
    assert_eq!(
        (poll["question"].as_str(), poll["n"].as_i64()),
        (Some("Lunch?"), Some(-2))
    );
    assert_eq!(poll["raw"], "00ff");
    assert_eq!(json[3]["message"]["body"]["subject"], bob);
    // Version pins (05 §5.2): the quote and the reaction name the version they saw.
    let post_id = json[0]["message"]["id"].as_str().unwrap();
    assert_eq!(json[1]["message"]["body"]["quote_version"], post_id);
    assert_eq!(json[2]["message"]["body"]["version"], post_id);

    // A body rule is checked before signing, and reported with its code and rule.
    fails(
        dir,
        &[
            "follow",
            "--key",
            "app.key",
            "--account",
            &a.account,
            "--subject",
            &a.account,
        ],
        None,
        "message body",
        "[msg.self_reference GRAPH-1]",
    );
    fails(
        dir,
        &[
            "sign",
            "--key",
            "app.key",
            "--account",
            &a.account,
            "--kind",
            "post",
            "--body",
            "{\"text\": 1.5}",
        ],
        None,
        "--body .text",
        "floats have no Skylark encoding",
    );
}

#[test]
fn key_operations_rotate_roots_and_publish_an_encryption_key() {
    let a = alice();
    let dir = &a.dir;
    let new_root = ok(dir, &["keygen", "--out", "new-root.key"]);
    let t = |m: u64| (T0 + m * 60_000).to_string();
    let ops = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--key", "root.key", "--log", "ops.txt"]);
        ok(dir, &all)
    };
    ops(&[
        "key",
        "roots",
        "--root",
        "root.key",
        "--root",
        "new-root.key",
        "--time",
        &t(3),
    ]);
    let first = ops(&[
        "key",
        "enckey",
        "--enc-key",
        &"ab".repeat(32),
        "--version",
        "1",
        "--time",
        &t(4),
    ]);
    // A retry after a timeout names the first attempt: it follows what the first followed, and the
    // first takes no part in the choice of the chain (spec 06 §8.1).
    let retry = ops(&[
        "key",
        "enckey",
        "--enc-key",
        &"cd".repeat(32),
        "--version",
        "1",
        "--time",
        &t(5),
        "--supersedes",
        first.trim(),
    ]);
    let r = run_in(dir, &["verify", "ops.txt", "--now", NOW], None);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    assert_eq!(r.out.lines().count(), 5);
    let json = inspect_json(dir, "ops.txt");
    // Body byte strings are shown in hex.
    let hex_of = |id: &str| {
        hex::encode(
            id.trim()
                .parse::<skylark::id::MessageId>()
                .unwrap()
                .as_bytes(),
        )
    };
    assert_eq!(json[4]["message"]["body"]["supersedes"], hex_of(&first));
    assert_eq!(
        json[4]["message"]["body"]["after"],
        json[3]["message"]["body"]["after"]
    );
    let json = inspect_json(dir, "ops.txt");
    let kinds: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["message"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["genesis", "delegate", "roots", "enckey", "enckey"]);
    assert_eq!(json[2]["message"]["body"]["roots"][1], new_root.as_str());
    // The new root signs for the account too, after the account's head.
    let app2 = ok(dir, &["keygen", "--out", "app2.key"]);
    let delegate = |app: &str, minutes: u64| {
        let time = t(minutes);
        let args = [
            "key",
            "delegate",
            "--key",
            "new-root.key",
            "--log",
            "ops.txt",
            "--app",
            app,
            "--time",
            &time,
        ];
        run_in(dir, &args, None)
    };
    let _ = app2;
    let r = delegate("app2.key", 6);
    assert_eq!(r.code, 0);
    // It follows the retry, which is the head.
    let json = inspect_json(dir, "ops.txt");
    assert_eq!(json[5]["message"]["body"]["after"], retry.trim());
    // `key delegate` says what the scope grants: the default "*" grants no capability and no prekey.
    assert!(
        r.err
            .contains("every kind except the key operations and dm, prekey")
            && r.err.contains("only messages it signed itself"),
        "{}",
        r.err
    );
    ok(dir, &["keygen", "--out", "app3.key"]);
    let time = t(7);
    let r = run_in(
        dir,
        &[
            "key",
            "delegate",
            "--key",
            "new-root.key",
            "--log",
            "ops.txt",
            "--app",
            "app3.key",
            "--scope",
            "cap:others,*,prekey",
            "--time",
            &time,
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    assert!(
        r.err
            .contains("may edit, delete and undo messages signed by the account's other keys"),
        "{}",
        r.err
    );
    // "*" already covers post: one encoding per meaning.
    let r = run_in(
        dir,
        &[
            "key",
            "delegate",
            "--key",
            "new-root.key",
            "--log",
            "ops.txt",
            "--app",
            "app3.key",
            "--scope",
            "*,post",
            "--time",
            &time,
        ],
        None,
    );
    assert_eq!(r.code, 1);
    assert!(r.err.contains("[acct.scope ACCT-7]"), "{}", r.err);
    assert_eq!(
        run_in(dir, &["verify", "ops.txt", "--now", NOW], None).code,
        0
    );
    // An operation that would be invalid (a root key delegated as an app key) is not written.
    let before = std::fs::read_to_string(dir.join("ops.txt")).unwrap();
    let r = delegate("new-root.key", 8);
    assert_eq!(r.code, 1);
    assert!(
        r.err
            .starts_with("skylark: key operation: would be invalid: "),
        "{}",
        r.err
    );
    assert!(r.err.contains("[acct.key_in_use ACCT-"), "{}", r.err);
    assert_eq!(
        std::fs::read_to_string(dir.join("ops.txt")).unwrap(),
        before
    );
    // A key that is no root of any account in the log.
    fails(
        dir,
        &[
            "key", "revoke", "--key", "app.key", "--log", "ops.txt", "--app", "app.key",
        ],
        None,
        "app.key",
        "is not a root key of any account in ops.txt",
    );
}

#[test]
fn state_is_the_same_whatever_the_order() {
    let a = alice();
    let dir = &a.dir;
    let time = (T0 + 180_000).to_string();
    let reply = [
        "reply",
        "--key",
        "app.key",
        "--account",
        &a.account,
        "--parent",
        "msgs.txt",
        "--text",
        "second",
        "--log",
        "msgs.txt",
        "--time",
        &time,
    ];
    ok(dir, &reply);
    let log = std::fs::read_to_string(dir.join("msgs.txt")).unwrap();
    let reversed: Vec<&str> = log.lines().rev().collect();
    std::fs::write(dir.join("reversed.txt"), reversed.join("\n")).unwrap();
    let state = |file: &str| ok(dir, &["state", file, "--accounts", "ops.txt", "--now", NOW]);
    let (forward, backward) = (state("msgs.txt"), state("reversed.txt"));
    assert!(
        forward.starts_with("2 messages: 2 valid (merged), 0 invalid, 0 undecided\nstate digest "),
        "{forward}"
    );
    assert_eq!(forward, backward);
    let json = command_json(dir, "state", "msgs.txt");
    assert_eq!(
        Some(forward.rsplit(' ').next().unwrap()),
        json["digest"].as_str()
    );
    assert_eq!(json["summary"]["posts"][&a.post]["state"], "live");
    // Without the accounts nothing is decided, so nothing is merged: another digest.
    let undecided = ok(dir, &["state", "msgs.txt", "--now", NOW]);
    assert!(
        undecided.starts_with("2 messages: 0 valid (merged), 0 invalid, 2 undecided"),
        "{undecided}"
    );
    assert_ne!(undecided.lines().last(), forward.lines().last());
}

#[test]
fn usage_errors_are_one_line_with_a_fix() {
    let dir = temp_dir();
    fails(
        &dir,
        &["account", "frob"],
        None,
        "skylark account frob",
        "unknown subcommand",
    );
    fails(
        &dir,
        &["frobnicate"],
        None,
        "skylark frobnicate",
        "unknown command",
    );
    fails(
        &dir,
        &["verify", "--bogus"],
        None,
        "skylark verify",
        "unknown option --bogus",
    );
    fails(
        &dir,
        &["post", "--key"],
        None,
        "skylark post",
        "--key needs a value",
    );
    fails(
        &dir,
        &["keygen"],
        None,
        "skylark keygen",
        "exactly one of --out FILE",
    );
    fails(
        &dir,
        &[
            "post",
            "--key",
            "nope.key",
            "--account",
            "acct_x",
            "--text",
            "x",
        ],
        None,
        "nope.key",
        "no such file",
    );
    let help = ok(&dir, &["--help"]);
    assert!(help.contains("EXIT STATUS") && help.contains("3  verify"));
    assert!(ok(&dir, &["verify", "--help"]).contains("--key-authorized"));
}

#[test]
fn vectors_runs_the_repository_suite() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    // The whole suite once (signature vectors are slow in a debug build), as JSON.
    let json: serde_json::Value =
        serde_json::from_str(&ok(&repo, &["vectors", "test-vectors", "--json"])).unwrap();
    assert_eq!(json["total"]["fail"], 0);
    assert!(json["total"]["pass"].as_u64().unwrap() > 1_000, "{json}");
    assert_eq!(json["failures"].as_array().map(Vec::len), Some(0));
    let files = json["files"].as_array().unwrap();
    assert!(files.iter().any(|f| f["file"] == "messages.json"));
    let per_file: u64 = files.iter().map(|f| f["pass"].as_u64().unwrap()).sum();
    assert_eq!(Some(per_file), json["total"]["pass"].as_u64());

    // The text form on a folder holding two of the files and a manifest naming them.
    let sub = temp_dir();
    let mut manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(repo.join("test-vectors/MANIFEST.json")).unwrap())
            .unwrap();
    let keep = ["cbor.json", "identifiers.json"];
    manifest["files"]
        .as_array_mut()
        .unwrap()
        .retain(|f| keep.contains(&f["path"].as_str().unwrap()));
    std::fs::write(sub.join("MANIFEST.json"), manifest.to_string()).unwrap();
    for f in keep {
        std::fs::copy(repo.join("test-vectors").join(f), sub.join(f)).unwrap();
    }
    let text = ok(&sub, &["vectors", "."]);
    let row = |name: &str| -> Vec<String> {
        let line = text.lines().find(|l| l.starts_with(name)).unwrap();
        line.split_whitespace().map(String::from).collect()
    };
    let from_json = |name: &str| {
        files.iter().find(|f| f["file"] == name).unwrap()["pass"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(
        row("cbor.json")[1],
        from_json("cbor.json").to_string(),
        "{text}"
    );
    assert_eq!(
        row("identifiers.json")[1],
        from_json("identifiers.json").to_string()
    );
    assert_eq!(row("total")[2], "0");

    // A folder that is not a vector folder, and a vector file that differs from its manifest.
    let dir = temp_dir();
    fails(&dir, &["vectors", "."], None, ".", "has no MANIFEST.json");
    std::fs::copy(
        repo.join("test-vectors/MANIFEST.json"),
        dir.join("MANIFEST.json"),
    )
    .unwrap();
    std::fs::write(dir.join("cbor.json"), "{}").unwrap();
    let r = run_in(&dir, &["vectors", "."], None);
    assert_eq!(r.code, 1);
    assert!(r.err.starts_with("skylark: .: "), "{}", r.err);
}

/// 07 §2.1 (issue 21): an invalid whole message and its stripped remainder count once, by the
/// whole: the remainder alone is Valid (withheld), and used to enter the merged state beside its
/// invalid whole. With the vector `msg-post-unknown-field` (invalid: `msg.unknown_field`), in either
/// order, the state is the empty state.
#[test]
fn state_never_lets_in_the_remainder_of_an_invalid_message() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-vectors/messages.json");
    let vectors: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let vector = vectors["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == "msg-post-unknown-field")
        .unwrap();
    assert_eq!(vector["outcome"], "invalid");
    let now = vector["context"]["now"].as_u64().unwrap();
    let whole_hex = vector["input"].as_str().unwrap();
    let whole =
        skylark::envelope::SignedMessage::from_bytes(&hex::decode(whole_hex).unwrap()).unwrap();
    let remainder_hex = hex::encode(whole.stripped().as_bytes());
    let empty = hex::encode(skylark::merge::State::new().digest(now));
    let dir = temp_dir();
    let now = now.to_string();
    // The vector's context: the key is authorized.
    let state = |file: &str| {
        ok(
            &dir,
            &["state", file, "--key-authorized", "--now", now.as_str()],
        )
    };
    std::fs::write(dir.join("remainder.txt"), &remainder_hex).unwrap();
    let alone = state("remainder.txt");
    assert!(
        alone.starts_with("1 messages: 1 valid (merged), 0 invalid, 0 undecided"),
        "{alone}"
    );
    assert!(!alone.ends_with(&empty), "the remainder alone is merged");
    for (name, lines) in [
        ("whole-first.txt", [whole_hex, remainder_hex.as_str()]),
        ("remainder-first.txt", [remainder_hex.as_str(), whole_hex]),
    ] {
        std::fs::write(dir.join(name), lines.join("\n")).unwrap();
        let out = state(name);
        assert!(
            out.starts_with("2 messages: 0 valid (merged), 1 invalid, 0 undecided"),
            "{name}: {out}"
        );
        assert_eq!(
            out.rsplit(' ').next(),
            Some(empty.as_str()),
            "{name}: {out}"
        );
    }
}

#[test]
fn witnesses_make_history_final_and_only_witnesses_receipt() {
    let dir = temp_dir();
    let dir = &dir;
    let t = |m: u64| (T0 + m * 60_000).to_string();
    ok(dir, &["keygen", "--out", "root.key"]);
    ok(dir, &["keygen", "--out", "everyday.key"]);
    ok(dir, &["keygen", "--out", "app.key"]);
    for w in ["w1.key", "w2.key", "w3.key", "stranger.key"] {
        ok(dir, &["keygen", "--out", w]);
    }
    // Three witnesses; the threshold defaults to the smallest majority, 2.
    let account = ok(
        dir,
        &[
            "account",
            "new",
            "--root",
            "root.key",
            "--root",
            "everyday.key",
            "--log",
            "ops.txt",
            "--witness",
            "w1.key",
            "--witness",
            "w2.key",
            "--witness",
            "w3.key",
            "--time",
            &t(0),
            "--no-next",
        ],
    );
    let delegation = ok(
        dir,
        &[
            "key",
            "delegate",
            "--key",
            "everyday.key",
            "--log",
            "ops.txt",
            "--app",
            "app.key",
            "--time",
            &t(1),
        ],
    );
    for w in ["w1.key", "w2.key"] {
        ok(
            dir,
            &[
                "witness",
                "receipt",
                "--key",
                w,
                "--log",
                "ops.txt",
                "--op",
                &delegation,
                "--time",
                &t(2),
            ],
        );
    }
    // A key that is no witness of the account is refused, and nothing is written.
    fails(
        dir,
        &[
            "witness",
            "receipt",
            "--key",
            "stranger.key",
            "--log",
            "ops.txt",
            "--op",
            &delegation,
        ],
        None,
        "key operation",
        "[acct.not_a_witness ACCT-16]",
    );
    // A threshold of half is refused.
    fails(
        dir,
        &[
            "key",
            "roots",
            "--key",
            "root.key",
            "--log",
            "ops.txt",
            "--root",
            "root.key",
            "--witness",
            "w1.key",
            "--witness",
            "w2.key",
            "--threshold",
            "1",
        ],
        None,
        "message body",
        "[acct.witnesses ACCT-15]",
    );
    let r = run_in(dir, &["verify", "ops.txt", "--now", NOW], None);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    assert_eq!(
        r.out.lines().count(),
        4,
        "genesis, delegation, two receipts"
    );
    // The log's account state: the delegation is final.
    let text = std::fs::read_to_string(dir.join("ops.txt")).unwrap();
    let mut accounts = skylark::account::Accounts::new();
    for line in text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let bytes = hex::decode(line.trim()).unwrap();
        let m = skylark::envelope::SignedMessage::from_bytes(&bytes).unwrap();
        accounts.apply(&m).unwrap();
    }
    let view = accounts.account(&account.parse().unwrap()).unwrap();
    assert_eq!(view.last_final().map(|f| f.to_string()), Some(delegation));
    assert_eq!(view.witnesses().map(|w| w.threshold()), Some(2));
    // The owner removes the witness set.
    ok(
        dir,
        &[
            "key",
            "roots",
            "--key",
            "root.key",
            "--log",
            "ops.txt",
            "--root",
            "root.key",
            "--root",
            "everyday.key",
            "--no-witnesses",
            "--time",
            &t(3),
        ],
    );
}

/// `thread`, `profile` and `timeline` read a replica holding the files: an edited post with a
/// reply, a deleted reply (a placeholder), a like, and a follow of a second account.
#[test]
fn thread_profile_and_timeline_show_what_an_app_shows() {
    let a = alice();
    let dir = &a.dir;
    let t = |m: u64| (T0 + m * 60_000).to_string();
    let sign = |args: &[&str], minute: u64| {
        let mut all = vec![
            "--key",
            "app.key",
            "--account",
            &a.account,
            "--log",
            "msgs.txt",
        ];
        let time = t(minute);
        all.extend(["--time", time.as_str()]);
        let mut full: Vec<&str> = args.to_vec();
        full.extend(all);
        ok(dir, &full)
    };
    let reply = sign(&["reply", "--parent", &a.post, "--text", "first reply"], 3);
    let gone = sign(&["reply", "--parent", &a.post, "--text", "regret"], 4);
    sign(&["delete", "--target", &gone], 5);
    sign(&["react", "--target", &a.post], 6);
    sign(&["edit", "--target", &a.post, "--text", "Hello, edited"], 7);
    ok(dir, &["keygen", "--out", "bob.key"]);
    let bob = ok(
        dir,
        &[
            "account",
            "new",
            "--root",
            "bob.key",
            "--log",
            "bob.txt",
            "--time",
            &t(0),
        ],
    );
    sign(&["follow", "--subject", &bob], 8);
    // The files in reverse order: the replica decides the same whatever the order.
    let log = std::fs::read_to_string(dir.join("msgs.txt")).unwrap();
    let reversed: Vec<&str> = log.lines().rev().collect();
    std::fs::write(dir.join("reversed.txt"), reversed.join("\n")).unwrap();
    let node = [
        "--accounts",
        "ops.txt",
        "--accounts",
        "bob.txt",
        "--now",
        NOW,
    ];
    let run = |command: &[&str]| {
        let mut args = command.to_vec();
        args.push("reversed.txt");
        args.extend(node);
        ok(dir, &args)
    };

    let thread = run(&["thread", "--root", &a.post]);
    let lines: Vec<&str> = thread.lines().collect();
    assert!(lines[0].starts_with("\"Hello, edited\""), "{thread}");
    assert_eq!(lines[1].trim(), "[like × 1]", "{thread}");
    assert!(
        thread.contains("  \"first reply\"") && thread.contains("  (deleted)"),
        "{thread}"
    );
    assert!(!thread.contains("regret"), "{thread}");
    let json: serde_json::Value =
        serde_json::from_str(&run(&["thread", "--root", &a.post, "--json"])).unwrap();
    let entries = json["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3, "{json}");
    assert_eq!(json["root"], a.post.as_str());
    assert_eq!(entries[0]["text"], "Hello, edited");
    assert_eq!(entries[0]["parent"], serde_json::Value::Null);
    let states: Vec<&str> = entries
        .iter()
        .map(|e| e["state"].as_str().unwrap())
        .collect();
    assert_eq!(
        states.iter().filter(|s| **s == "deleted").count(),
        1,
        "{json}"
    );
    assert!(entries[1..]
        .iter()
        .all(|e| e["parent"] == 0 && e["depth"] == 1));
    assert!(entries
        .iter()
        .any(|e| e["id"] == reply.as_str() && e["text"] == "first reply"));

    let timeline: serde_json::Value =
        serde_json::from_str(&run(&["timeline", "--account", &a.account, "--json"])).unwrap();
    let posts = timeline["posts"].as_array().unwrap();
    // The deleted reply is not in the timeline; newest first.
    assert_eq!(posts.len(), 2, "{timeline}");
    assert_eq!(posts[0]["id"], reply.as_str());
    assert_eq!(posts[1]["text"], "Hello, edited");
    let limited = run(&["timeline", "--account", &a.account, "--limit", "1"]);
    assert!(
        limited.starts_with("\"first reply\"") && limited.ends_with("(more: raise --limit)"),
        "{limited}"
    );

    let profile: serde_json::Value =
        serde_json::from_str(&run(&["profile", "--account", &a.account, "--json"])).unwrap();
    assert_eq!(profile["following"], serde_json::json!([bob]));
    assert_eq!(profile["keys"]["apps"][0]["label"], "Test app");
    assert_eq!(profile["keys"]["roots"].as_array().unwrap().len(), 1);
    let text = run(&["profile", "--account", &bob]);
    assert!(
        text.contains(&format!("followers  1\n  {}", a.account)),
        "{text}"
    );

    // Without the accounts nothing is valid: the root is not a post the node can show.
    fails(
        dir,
        &["thread", "--root", &a.post, "msgs.txt", "--now", NOW],
        None,
        &a.post,
        "is not a valid post",
    );
    fails(
        dir,
        &["timeline", "msgs.txt"],
        None,
        "skylark timeline",
        "--account is required",
    );
}

/// `key deactivate` ends the account (spec 06 §5.6): no key operation follows it.
#[test]
fn key_deactivate_ends_the_account() {
    let a = alice();
    let dir = &a.dir;
    let t = |m: u64| (T0 + m * 60_000).to_string();
    ok(
        dir,
        &[
            "key",
            "deactivate",
            "--key",
            "root.key",
            "--log",
            "ops.txt",
            "--time",
            &t(50),
        ],
    );
    let r = run_in(
        dir,
        &[
            "key",
            "enckey",
            "--key",
            "root.key",
            "--log",
            "ops.txt",
            "--enc-key",
            &"ab".repeat(32),
            "--time",
            &t(51),
        ],
        None,
    );
    assert_eq!(r.code, 1, "{}{}", r.out, r.err);
    assert!(r.err.contains("[acct.deactivated ACCT-11]"), "{}", r.err);
}

/// `key successor` and `account new --predecessor` move an account (spec 06 §5.7): only the pair
/// counts, and `state` shows it.
#[test]
fn key_successor_and_predecessor_move_an_account() {
    let a = alice();
    let dir = &a.dir;
    let t = |m: u64| (T0 + m * 60_000).to_string();
    ok(dir, &["keygen", "--out", "new-root.key"]);
    let new = ok(
        dir,
        &[
            "account",
            "new",
            "--root",
            "new-root.key",
            "--log",
            "new.txt",
            "--predecessor",
            &a.account,
            "--time",
            &t(40),
        ],
    );
    ok(
        dir,
        &[
            "key",
            "successor",
            "--key",
            "root.key",
            "--log",
            "ops.txt",
            "--to",
            new.trim(),
            "--time",
            &t(41),
        ],
    );
    let json = inspect_json(dir, "ops.txt");
    let last = json.as_array().unwrap().last().unwrap();
    assert_eq!(last["message"]["kind"], "successor");
}

/// `account new` commits to next roots by default (spec 06 §5.8) and writes their keys to
/// `FILE.next`; `key roots` is then refused (only the next keys rotate), a thief's rotation with a
/// current root is invalid, and `key rotate --next` rotates to them, committing to fresh ones.
#[test]
fn account_new_commits_to_next_roots_and_key_rotate_uses_them() {
    let dir = temp_dir();
    let dir = &dir;
    let t = |m: u64| (T0 + m * 60_000).to_string();
    ok(dir, &["keygen", "--out", "root.key"]);
    ok(dir, &["keygen", "--out", "everyday.key"]);
    ok(dir, &["keygen", "--out", "x.key"]);
    let r = run_in(
        dir,
        &[
            "account",
            "new",
            "--root",
            "root.key",
            "--root",
            "everyday.key",
            "--log",
            "ops.txt",
            "--time",
            &t(0),
            "--json",
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    assert!(
        r.err.contains("root.key.next, everyday.key.next"),
        "{}",
        r.err
    );
    let created: serde_json::Value = serde_json::from_str(&r.out).unwrap();
    assert_eq!(created["next_keys"][1], "everyday.key.next");
    assert!(created["message"]["body"]["next"].is_string());
    // A second account over the same root files would overwrite the next keys: refused.
    fails(
        dir,
        &["account", "new", "--root", "root.key", "--log", "other.txt"],
        None,
        "root.key.next",
        "already exists",
    );
    // The current roots cannot rotate a committed account.
    fails(
        dir,
        &[
            "key", "roots", "--key", "root.key", "--log", "ops.txt", "--root", "x.key",
        ],
        None,
        created["account"].as_str().unwrap(),
        "committed to its next roots",
    );
    // The next keys do; fresh next keys are written beside them.
    ok(
        dir,
        &[
            "key",
            "rotate",
            "--next",
            "root.key.next",
            "--next",
            "everyday.key.next",
            "--log",
            "ops.txt",
            "--time",
            &t(1),
        ],
    );
    assert!(dir.join("everyday.key.next.next").exists());
    let r = run_in(dir, &["verify", "ops.txt", "--now", NOW], None);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    let json = inspect_json(dir, "ops.txt");
    let rotation = &json[1]["message"];
    assert_eq!(rotation["kind"], "roots");
    let next_root = ok(dir, &["pubkey", "root.key.next"]);
    assert_eq!(rotation["key"], next_root.as_str());
    assert_eq!(rotation["body"]["roots"][0], next_root.as_str());
    // The new roots sign the account's other operations; the rotated keys are next in line.
    ok(
        dir,
        &[
            "key",
            "enckey",
            "--key",
            "everyday.key.next",
            "--log",
            "ops.txt",
            "--enc-key",
            &"ab".repeat(32),
            "--time",
            &t(2),
        ],
    );
    ok(
        dir,
        &[
            "key",
            "rotate",
            "--next",
            "root.key.next.next",
            "--next",
            "everyday.key.next.next",
            "--log",
            "ops.txt",
            "--no-next",
            "--time",
            &t(3),
        ],
    );
    let r = run_in(dir, &["verify", "ops.txt", "--now", NOW], None);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
    assert_eq!(r.out.lines().count(), 4);
}

/// Audit P6 (spec 06 §5.8): the thief of the current root of a committed account delegates his app
/// key at the head; the owner recovers with `key rotate --after GENESIS`, a committed rotation as a
/// sibling of the thief's operation, signed by the key the crate reveals
/// (`Accounts::revealed_key`). The rotation wins: the stolen root is no root of the head any more,
/// and the new root's next operation follows the rotation, not the thief's.
#[test]
fn key_rotate_after_recovers_from_a_thiefs_operation_as_its_sibling() {
    let dir = temp_dir();
    let dir = &dir;
    let t = |m: u64| (T0 + m * 60_000).to_string();
    ok(dir, &["keygen", "--out", "root.key"]);
    ok(dir, &["keygen", "--out", "thief-app.key"]);
    ok(
        dir,
        &[
            "account",
            "new",
            "--root",
            "root.key",
            "--log",
            "ops.txt",
            "--time",
            &t(0),
        ],
    );
    let genesis = inspect_json(dir, "ops.txt")[0]["message"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // The thief holds root.key: his delegation is the head.
    let theft = ok(
        dir,
        &[
            "key",
            "delegate",
            "--key",
            "root.key",
            "--log",
            "ops.txt",
            "--app",
            "thief-app.key",
            "--time",
            &t(1),
        ],
    );
    // At the head, the rotation would land below the thief's delegation; --after puts it beside.
    let rotation = ok(
        dir,
        &[
            "key",
            "rotate",
            "--next",
            "root.key.next",
            "--after",
            &genesis,
            "--log",
            "ops.txt",
            "--time",
            &t(2),
        ],
    );
    let json = inspect_json(dir, "ops.txt");
    assert_eq!(json[2]["message"]["id"], rotation.trim());
    assert_eq!(json[2]["message"]["body"]["after"], genesis.as_str());
    assert_ne!(json[2]["message"]["body"]["after"], theft.trim());
    // The stolen root signs nothing more for the account: it is no root of the head.
    let r = run_in(
        dir,
        &[
            "key",
            "enckey",
            "--key",
            "root.key",
            "--log",
            "ops.txt",
            "--enc-key",
            &"ab".repeat(32),
            "--time",
            &t(3),
        ],
        None,
    );
    assert_eq!(r.code, 1, "{}{}", r.out, r.err);
    // The new root follows the canonical head: the rotation, not the thief's delegation.
    ok(
        dir,
        &[
            "key",
            "enckey",
            "--key",
            "root.key.next",
            "--log",
            "ops.txt",
            "--enc-key",
            &"ab".repeat(32),
            "--time",
            &t(4),
        ],
    );
    let json = inspect_json(dir, "ops.txt");
    assert_eq!(json[3]["message"]["body"]["after"], rotation.trim());
    let r = run_in(dir, &["verify", "ops.txt", "--now", NOW], None);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
}

/// Audit P3 (spec 06 §5.8): a committed account is deactivated by its next keys, not its roots:
/// `key deactivate --key ROOT` is refused with that advice, and `key deactivate --next FILE` names
/// the committed list and is signed by its revealed key.
#[test]
fn key_deactivate_of_a_committed_account_takes_the_next_keys() {
    let dir = temp_dir();
    let dir = &dir;
    let t = |m: u64| (T0 + m * 60_000).to_string();
    ok(dir, &["keygen", "--out", "root.key"]);
    let account = ok(
        dir,
        &[
            "account",
            "new",
            "--root",
            "root.key",
            "--log",
            "ops.txt",
            "--time",
            &t(0),
        ],
    );
    fails(
        dir,
        &[
            "key",
            "deactivate",
            "--key",
            "root.key",
            "--log",
            "ops.txt",
            "--time",
            &t(1),
        ],
        None,
        account.trim(),
        "only they can deactivate it",
    );
    ok(
        dir,
        &[
            "key",
            "deactivate",
            "--next",
            "root.key.next",
            "--log",
            "ops.txt",
            "--time",
            &t(2),
        ],
    );
    let json = inspect_json(dir, "ops.txt");
    let end = &json[1]["message"];
    assert_eq!(end["kind"], "deactivate");
    let next_root = ok(dir, &["pubkey", "root.key.next"]);
    assert_eq!(end["key"], next_root.as_str());
    assert_eq!(end["body"]["roots"][0], next_root.as_str());
    let r = run_in(dir, &["verify", "ops.txt", "--now", NOW], None);
    assert_eq!(r.code, 0, "{}{}", r.out, r.err);
}

/// Audit P3 (spec 06 §5.8): a committed account names its successor with its next keys too:
/// `key successor --key ROOT` is refused, `key successor --next FILE --to ACCT` names the committed
/// list and is signed by its revealed key.
#[test]
fn key_successor_of_a_committed_account_takes_the_next_keys() {
    let dir = temp_dir();
    let dir = &dir;
    let t = |m: u64| (T0 + m * 60_000).to_string();
    ok(dir, &["keygen", "--out", "root.key"]);
    ok(dir, &["keygen", "--out", "new-root.key"]);
    let account = ok(
        dir,
        &[
            "account",
            "new",
            "--root",
            "root.key",
            "--log",
            "ops.txt",
            "--time",
            &t(0),
        ],
    );
    let new = ok(
        dir,
        &[
            "account",
            "new",
            "--root",
            "new-root.key",
            "--log",
            "new.txt",
            "--predecessor",
            account.trim(),
            "--no-next",
            "--time",
            &t(1),
        ],
    );
    let (t2, t3) = (t(2), t(3));
    let by_root = [
        "key",
        "successor",
        "--key",
        "root.key",
        "--log",
        "ops.txt",
        "--to",
        new.trim(),
        "--time",
        &t2,
    ];
    fails(dir, &by_root, None, account.trim(), "name its successor");
    let by_next = [
        "key",
        "successor",
        "--next",
        "root.key.next",
        "--log",
        "ops.txt",
        "--to",
        new.trim(),
        "--time",
        &t3,
    ];
    ok(dir, &by_next);
    let json = inspect_json(dir, "ops.txt");
    let moved = &json[1]["message"];
    assert_eq!(moved["kind"], "successor");
    let next_root = ok(dir, &["pubkey", "root.key.next"]);
    assert_eq!(moved["key"], next_root.as_str());
    assert_eq!(moved["body"]["roots"][0], next_root.as_str());
}
