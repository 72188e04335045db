//! `skylark dm` through a node's mailbox (spec 08, spec 10 §5): a device publishes its bundle, a
//! sender seals to it through `serve`, the device fetches by tag prefix and prints the plaintext;
//! replays, malformed items and gated senders without a stamp are refused.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod node_support;
mod support;

use std::path::Path;

use node_support::{agent, post, serve, skylark};
use support::TempDir;

fn ok(dir: &Path, args: &[&str]) -> String {
    let (code, out, err) = skylark(dir, args);
    assert_eq!(code, 0, "{args:?}: {err}");
    out.trim_end().to_string()
}

/// `skylark dm send URL --db relay.db` from `name`'s DM key and account `from` to `to`, with `extra`.
fn send(
    dir: &Path,
    url: &str,
    (name, from): (&str, &str),
    to: &str,
    extra: &[&str],
) -> (i32, String, String) {
    let key = format!("{name}-dm.key");
    let mut args = vec![
        "dm",
        "send",
        url,
        "--db",
        "relay.db",
        "--key",
        &key,
        "--account",
        from,
        "--to",
        to,
    ];
    args.extend_from_slice(extra);
    let (code, out, err) = skylark(dir, &args);
    (code, out.trim_end().to_string(), err)
}

/// [`send`] from A's account `a` to B's `b`, which must succeed with one copy.
fn sent_to_one_device(dir: &Path, url: &str, a: &str, b: &str, extra: &[&str]) {
    let (code, out, err) = send(dir, url, ("a", a), b, extra);
    assert_eq!(code, 0, "{err}");
    assert!(out.ends_with("to 1 devices"), "{out}");
}

/// `skylark dm device --db DB` for `name`'s account `account` at `time`, with `extra`.
fn device(
    dir: &Path,
    db: &str,
    (name, account): (&str, &str),
    time: u64,
    extra: &[&str],
) -> String {
    let key = format!("{name}-dm.key");
    let time = time.to_string();
    let mut args = vec![
        "dm",
        "device",
        "--db",
        db,
        "--key",
        &key,
        "--account",
        account,
        "--time",
        &time,
    ];
    args.extend_from_slice(extra);
    ok(dir, &args)
}

/// An hour ago, in milliseconds: the relay checks bundles against its own clock.
fn t0() -> u64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    u64::try_from(now.as_millis()).unwrap() - 3_600_000
}

/// Two accounts, `a` and `b`, each with a DM key (scope `dm,prekey` by name), their operations in
/// `a.txt` and `b.txt`; returns their ids.
fn accounts(dir: &TempDir, t0: u64) -> (String, String) {
    let mut ids = Vec::new();
    for name in ["a", "b"] {
        ok(dir, &["keygen", "--out", &format!("{name}-root.key")]);
        ok(dir, &["keygen", "--out", &format!("{name}-dm.key")]);
        let root = format!("{name}-root.key");
        let log = format!("{name}.txt");
        let id = ok(
            dir,
            &[
                "account",
                "new",
                "--root",
                &root,
                "--log",
                &log,
                "--time",
                &t0.to_string(),
            ],
        );
        ok(
            dir,
            &[
                "key",
                "delegate",
                "--key",
                &root,
                "--log",
                &log,
                "--app",
                &format!("{name}-dm.key"),
                "--scope",
                "dm,prekey",
                "--time",
                &(t0 + 1).to_string(),
            ],
        );
        ids.push(id);
    }
    (ids[0].clone(), ids[1].clone())
}

/// A folder, the time an hour ago, and the two accounts of [`accounts`], whose operations the
/// relay's store `relay.db` holds.
fn setup() -> (TempDir, u64, String, String) {
    let dir = support::temp_dir("dm-test");
    let t0 = t0();
    let (a, b) = accounts(&dir, t0);
    ok(
        &dir,
        &["store", "add", "--db", "relay.db", "a.txt", "b.txt"],
    );
    (dir, t0, a, b)
}

#[test]
fn a_message_goes_through_a_relay_and_opens_once() {
    let (dir, t0, a, b) = setup();
    ok(&dir, &["store", "add", "--db", "b.db", "b.txt"]);
    let made = device(&dir, "b.db", ("b", &b), t0 + 10, &[]);
    assert!(made.contains(&b), "{made}");
    // The relay learns B's bundle (a public message) as any message.
    ok(
        &dir,
        &["sync", &serve(&dir, "b.db").url, "--db", "relay.db"],
    );
    let relay = serve(&dir, "relay.db");
    // A has no bundle of its own in the relay's store: only B's device gets a copy.
    let time = (t0 + 20).to_string();
    sent_to_one_device(
        &dir,
        &relay.url,
        &a,
        &b,
        &["--text", "hello B, from A", "--time", &time],
    );
    let fetched = ok(&dir, &["dm", "fetch", &relay.url, "--db", "b.db"]);
    assert!(
        fetched.contains(&format!("from {a} at ")) && fetched.contains(": hello B, from A"),
        "{fetched}"
    );
    // The cursor moved on; from the start, the same item is a replay (DM-9) and is not shown.
    let again = ok(&dir, &["dm", "fetch", &relay.url, "--db", "b.db"]);
    assert!(again.starts_with("0 items fetched"), "{again}");
    let replay = ok(
        &dir,
        &["dm", "fetch", &relay.url, "--db", "b.db", "--from-start"],
    );
    assert!(
        replay.contains("1 items fetched: 0 opened") && replay.contains("1 refused"),
        "{replay}"
    );
    // B cannot reach an account with no bundle: nothing is sent.
    let (code, _, err) = send(&dir, &relay.url, ("b", &b), &a, &["--text", "hi"]);
    assert_eq!(code, 1);
    assert!(err.contains("no current prekey bundle"), "{err}");
}

#[test]
fn the_relay_refuses_malformed_items_and_checks_gates() {
    let (dir, t0, a, b) = setup();
    let token = "07".repeat(32);
    // B's device accepts only followed accounts and holders of its token (08 §5.7).
    device(
        &dir,
        "relay.db",
        ("b", &b),
        t0 + 10,
        &["--accept", "follows", "--token", &token],
    );
    let relay = serve(&dir, "relay.db");
    let items = format!("{}/skylark/v1/dm/items", relay.url);
    // Malformed items (10 §5): no stamp length, a stamp that is not one, bytes that are not sealed.
    assert_eq!(post(&items, &[]).0, 400);
    assert_eq!(post(&items, &[5, 1]).0, 400);
    assert_eq!(post(&items, &[1, 9]), (422, "dm.stamp DM-22".to_string()));
    assert_eq!(
        post(&items, &[0, 2, 0, 0]),
        (422, "dm.malformed DM-1".to_string())
    );
    let mut sealed = vec![0u8; 1 + 1701];
    sealed[1] = 3;
    assert_eq!(
        post(&items, &sealed),
        (422, "dm.unsupported_version DM-1".to_string())
    );
    sealed[1] = 2;
    assert_eq!(post(&items, &sealed).0, 404, "no bundle has tag 0000");
    assert_eq!(post(&items, &vec![0u8; 70_000]).0, 413);
    // A sender B does not follow, without the token: the relay would refuse (DM-22), so the tool
    // sends nothing; with the token, the relay files it.
    let (code, _, err) = send(&dir, &relay.url, ("a", &a), &b, &["--text", "let me in"]);
    assert_eq!(code, 1);
    assert!(err.contains("admits only its access tokens"), "{err}");
    sent_to_one_device(
        &dir,
        &relay.url,
        &a,
        &b,
        &["--text", "let me in", "--token", &token],
    );
    // B hands A the token inside a message (DM-7 `token`); A's device fetches it and sees it.
    ok(&dir, &["store", "add", "--db", "a.db", "a.txt", "b.txt"]);
    device(&dir, "a.db", ("a", &a), t0 + 10, &[]);
    let relay_a = serve(&dir, "a.db");
    let (code, _, err) = skylark(
        &dir,
        &[
            "dm",
            "send",
            &relay_a.url,
            "--db",
            "a.db",
            "--key",
            "b-dm.key",
            "--account",
            &b,
            "--to",
            &a,
            "--text",
            "here is my token",
            "--give-token",
            &token,
        ],
    );
    assert_eq!(code, 0, "{err}");
    let fetched = ok(&dir, &["dm", "fetch", &relay_a.url, "--db", "a.db"]);
    assert!(
        fetched.contains(&format!("access token {token}")),
        "{fetched}"
    );
    // The mailbox endpoint: bad prefixes are refused; the pages of all prefixes hold the one item.
    let get = |path: &str| {
        let mut r = agent()
            .get(format!("{}/skylark/v1/dm/mailbox/{path}", relay.url))
            .call()
            .unwrap();
        (r.status().as_u16(), r.body_mut().read_to_vec().unwrap())
    };
    assert_eq!(get("0").0, 400);
    assert_eq!(get("AB").0, 400);
    assert_eq!(get("ab?after=x").0, 400);
    let pages: usize = (0..=255u8).map(|p| get(&format!("{p:02x}")).1.len()).sum();
    assert_eq!(
        pages,
        8 + 1 + 33 + 4 + 1701,
        "one item, with its token stamp"
    );
}
