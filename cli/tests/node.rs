//! The node commands against hostile peers: `serve` given oversized, malformed and invalid requests,
//! and `sync` against fake nodes that lie about fingerprints, never end, send oversized frames or
//! substitute messages. Memory and time stay bounded and nothing invalid is stored.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod node_support;
mod support;

use node_support::{agent, post, serve, skylark};
use support::TempDir;

use std::io::Read;
use std::path::Path;

use skylark::cbor::{Map, Value};
use skylark::envelope::{Draft, Kind, SignedMessage};
use skylark::id::AccountId;
use skylark::keys::SecretKey;
use skylark::sync::{AccountHeads, Item, Responder, Set};

const T0: u64 = 1_764_115_200_000;

fn temp_dir() -> TempDir {
    support::temp_dir("node-test")
}

fn message(n: u64) -> SignedMessage {
    let mut body = Map::new();
    body.insert("text", Value::from(format!("message {n}")));
    Draft::new(
        AccountId::from_bytes([0xaa; 32]),
        Kind::new("post").unwrap(),
        T0 + n,
        &body,
    )
    .unwrap()
    .sign(&SecretKey::from_seed([n as u8; 32]))
    .unwrap()
}

#[test]
fn serve_rejects_hostile_requests_with_codes() {
    let dir = temp_dir();
    let node = serve(&dir.0, "a.db");
    let reconcile = format!("{}/skylark/v1/reconcile", node.url);
    let messages = format!("{}/skylark/v1/messages", node.url);
    // An oversized frame is refused before it is read whole.
    assert_eq!(post(&reconcile, &vec![0u8; 70_000]).0, 413);
    // A frame that is not a frame, with its code.
    let (status, text) = post(&reconcile, &[0xa0]);
    assert_eq!((status, text.as_str()), (400, "sync.frame_shape SYNC-2"));
    let (status, text) = post(
        &reconcile,
        &[
            0x83, 0x02, 0x50, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80,
        ],
    );
    assert_eq!((status, text.as_str()), (400, "sync.version SYNC-2"));
    // A tampered message is not stored.
    let mut bad = message(1).as_bytes().to_vec();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    let (status, text) = post(&messages, &bad);
    assert_eq!(status, 422, "{text}");
    assert_eq!(post(&messages, message(2).as_bytes()).0, 204);
    let (_, out, _) = skylark(
        &dir.0,
        &[
            "store",
            "state",
            "--db",
            "a.db",
            "--now",
            &(T0 + 10).to_string(),
        ],
    );
    assert!(out.starts_with("1 messages:"), "{out}");
    // Fetches: held, not held, not an id.
    let get = |path: &str| {
        let mut r = agent().get(format!("{messages}/{path}")).call().unwrap();
        (r.status().as_u16(), r.body_mut().read_to_vec().unwrap())
    };
    assert_eq!(
        get(&message(2).id().to_string()),
        (200, message(2).as_bytes().to_vec())
    );
    assert_eq!(get(&message(3).id().to_string()).0, 404);
    assert_eq!(get("msg_nope").0, 400);
    // Per-account endpoints (10 §2): heads pages and "key K after seq N".
    let account = AccountId::from_bytes([0xaa; 32]);
    let get = |path: &str| {
        let url = format!("{}/skylark/v1/accounts/{path}", node.url);
        let mut r = agent().get(url).call().unwrap();
        (r.status().as_u16(), r.body_mut().read_to_vec().unwrap())
    };
    let (status, page) = get(&format!("{account}/heads"));
    assert_eq!(status, 200);
    let heads = AccountHeads::of(&account, [&message(2)]);
    assert_eq!(page, heads.page(None));
    let key = hex::encode(message(2).header().key().as_bytes());
    let (status, ids) = get(&format!("{account}/keys/{key}?after=0"));
    assert_eq!(
        (status, ids),
        (200, format!("{}\n", message(2).id()).into_bytes())
    );
    assert_eq!(get(&format!("{account}/keys/{key}?after=1")), (200, vec![]));
    assert_eq!(
        get(&format!("{account}/keys/{}?after=0", key.to_uppercase())).0,
        400
    );
    assert_eq!(get(&format!("{account}/heads?after=00")).0, 400);
    assert_eq!(get("acct_nope/heads").0, 400);
    assert_eq!(get(&format!("{account}/elsewhere")).0, 404);
}

/// A fake node on a loopback port that answers reconcile requests with `answer` (given the request
/// frame) and message fetches with `fetch` (given the path), until the test ends.
fn fake_node(
    answer: impl Fn(&[u8]) -> Vec<u8> + Send + 'static,
    fetch: impl Fn(&str) -> Vec<u8> + Send + 'static,
) -> String {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let url = format!("http://{}", server.server_addr().to_ip().unwrap());
    std::thread::spawn(move || {
        for mut request in server.incoming_requests() {
            let mut body = Vec::new();
            let _ = request.as_reader().take(1 << 20).read_to_end(&mut body);
            let reply = if request.url().contains("/reconcile") {
                answer(&body)
            } else {
                fetch(request.url())
            };
            let _ = request.respond(tiny_http::Response::from_data(reply));
        }
    });
    url
}

/// The salt of a request frame `[1, salt, ranges]`.
fn salt_of(frame: &[u8]) -> [u8; 16] {
    frame[3..19].try_into().unwrap()
}

#[test]
fn sync_rejects_a_substituted_message() {
    let dir = temp_dir();
    // The fake node holds message 1 as far as reconciliation goes, but serves message 2's bytes.
    let held = message(1);
    let item = Item::new(held.header().time(), held.id());
    let url = fake_node(
        move |frame| {
            let set = Set::new([item]).unwrap();
            Responder::new(&set).respond(frame).unwrap()
        },
        |_| message(2).as_bytes().to_vec(),
    );
    let (code, out, err) = skylark(&dir.0, &["sync", &url, "--db", "b.db"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("fetched 0 messages, pushed 0, rejected 1"),
        "{out}"
    );
    let (_, out, _) = skylark(
        &dir.0,
        &[
            "store",
            "state",
            "--db",
            "b.db",
            "--now",
            &(T0 + 10).to_string(),
        ],
    );
    assert!(out.starts_with("0 messages:"), "{out}");
}

#[test]
fn sync_account_keeps_only_messages_of_the_key_asked_for() {
    let dir = temp_dir();
    let account = AccountId::from_bytes([0xaa; 32]);
    // The node claims key 1's message and, asked for key 1 after seq 0, lists and serves message 2,
    // signed by another key of the same account.
    let claimed = message(1);
    let url = fake_node(
        |frame| Responder::new(&Set::default()).respond(frame).unwrap(),
        move |path| {
            if path.contains("/heads") {
                AccountHeads::of(&account, [&claimed]).page(None)
            } else if path.contains("/keys/") {
                format!("{}\n", message(2).id()).into_bytes()
            } else {
                message(2).as_bytes().to_vec()
            }
        },
    );
    let acct = account.to_string();
    let (code, out, err) = skylark(&dir.0, &["sync", &url, "--db", "b.db", "--account", &acct]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.contains("1 key requests"), "{out}");
    assert!(
        out.contains("fetched 0 messages, pushed 0, rejected 1"),
        "{out}"
    );
    assert!(out.contains("account digests still differ"), "{out}");
}

#[test]
fn sync_account_refuses_heads_of_another_account() {
    let dir = temp_dir();
    let other = AccountId::from_bytes([0xbb; 32]);
    let url = fake_node(
        |frame| Responder::new(&Set::default()).respond(frame).unwrap(),
        move |_| AccountHeads::of(&other, [&message(1)]).page(None),
    );
    let acct = AccountId::from_bytes([0xaa; 32]).to_string();
    let (code, _, err) = skylark(&dir.0, &["sync", &url, "--db", "b.db", "--account", &acct]);
    assert_ne!(code, 0);
    assert!(err.contains("sync.heads_account"), "{err}");
}

#[test]
fn sync_stops_at_the_round_limit_with_a_node_that_always_disagrees() {
    let dir = temp_dir();
    // Every answer: one fingerprint over everything that matches nothing.
    let url = fake_node(
        |frame| {
            let mut reply = vec![0x83, 0x01, 0x50];
            reply.extend_from_slice(&salt_of(frame));
            reply.extend_from_slice(&[0x81, 0x84, 0x00, 0x40, 0x01, 0x50]);
            reply.extend_from_slice(&[0xab; 16]);
            reply
        },
        |_| Vec::new(),
    );
    let (code, _, err) = skylark(&dir.0, &["sync", &url, "--db", "b.db", "--max-rounds", "5"]);
    assert_eq!(code, 1);
    assert!(err.contains("did not end within 5 rounds"), "{err}");
}

#[test]
fn sync_refuses_oversized_and_malformed_frames() {
    let dir = temp_dir();
    let url = fake_node(|_| vec![0u8; 70_000], |_| Vec::new());
    let (code, _, err) = skylark(&dir.0, &["sync", &url, "--db", "b.db"]);
    assert_eq!(code, 1, "{err}");
    let url = fake_node(|_| vec![0x83, 0x01, 0x50], |_| Vec::new());
    let (code, _, err) = skylark(&dir.0, &["sync", &url, "--db", "b.db"]);
    assert_eq!(code, 1);
    assert!(err.contains("cbor.truncated"), "{err}");
    // Another session's salt.
    let url = fake_node(
        |_| {
            let mut reply = vec![0x83, 0x01, 0x50];
            reply.extend_from_slice(&[9; 16]);
            reply.push(0x80);
            reply
        },
        |_| Vec::new(),
    );
    let (code, _, err) = skylark(&dir.0, &["sync", &url, "--db", "b.db"]);
    assert_eq!(code, 1);
    assert!(err.contains("sync.salt"), "{err}");
}

/// Runs `skylark` and returns its trimmed standard output, asserting success.
fn ok(dir: &Path, args: &[&str]) -> String {
    let (code, out, err) = skylark(dir, args);
    assert_eq!(code, 0, "{args:?}: {err}");
    out.trim().to_string()
}

/// A fake domain on a loopback port that serves `body` at the well-known path (and 404 elsewhere).
fn fake_domain(body: String) -> String {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let url = format!("http://{}", server.server_addr().to_ip().unwrap());
    std::thread::spawn(move || {
        for request in server.incoming_requests() {
            let response = if request.url() == skylark::sync::WELL_KNOWN_PATH {
                tiny_http::Response::from_data(body.clone().into_bytes())
            } else {
                tiny_http::Response::from_data(Vec::new()).with_status_code(404)
            };
            let _ = request.respond(response);
        }
    });
    url
}

#[test]
fn locator_and_name_from_the_current_profile() {
    let dir = temp_dir();
    let d = &dir.0;
    let t = |m: u64| (T0 + m * 60_000).to_string();
    ok(d, &["keygen", "--out", "root.key"]);
    ok(d, &["keygen", "--out", "app.key"]);
    let acct = ok(
        d,
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
    ok(
        d,
        &[
            "key",
            "delegate",
            "--key",
            "root.key",
            "--log",
            "ops.txt",
            "--app",
            "app.key",
            "--time",
            &t(1),
        ],
    );
    let profile = |body: &str, m: u64| {
        ok(
            d,
            &[
                "sign",
                "--kind",
                "profile",
                "--body",
                body,
                "--key",
                "app.key",
                "--account",
                &acct,
                "--log",
                "msgs.txt",
                "--time",
                &t(m),
            ],
        );
    };
    profile(
        r#"{"hosts": ["https://old.example"], "handle": "alice.example"}"#,
        2,
    );
    profile(
        r#"{"hosts": ["https://node.example:8443", "https://backup.example"], "handle": "alice.example"}"#,
        3,
    );
    ok(d, &["store", "add", "--db", "a.db", "ops.txt", "msgs.txt"]);
    let now = t(10);
    // The latest profile's hosts, in order.
    let hosts = ok(d, &["locator", &acct, "--db", "a.db", "--now", &now]);
    assert_eq!(hosts, "https://node.example:8443\nhttps://backup.example");
    // The domain names the account: confirmed over the well-known document and over TXT.
    let domain = fake_domain(format!("{acct}\n"));
    let verify = |name: &str, extra: &[&str]| {
        let mut args = vec![
            "name",
            "verify",
            name,
            "--account",
            &acct,
            "--db",
            "a.db",
            "--now",
            &now,
        ];
        args.extend_from_slice(extra);
        skylark(d, &args)
    };
    let (code, out, _) = verify("alice.example", &["--url", &domain]);
    assert_eq!(code, 0, "{out}");
    let txt = format!("acct={acct}");
    assert_eq!(
        verify("alice.example", &["--txt", "v=spf1 -all", "--txt", &txt]).0,
        0
    );
    // Another name, an upper-case spelling, another account's record.
    let (code, out, _) = verify("bob.example", &["--url", &domain]);
    assert_eq!(code, 2);
    assert!(out.contains("sync.name_unclaimed"), "{out}");
    assert!(verify("Alice.example", &["--url", &domain])
        .1
        .contains("sync.name_syntax"));
    let other = fake_domain(format!("{}\n", AccountId::from_bytes([9; 32])));
    assert!(verify("alice.example", &["--url", &other])
        .1
        .contains("sync.name_other_account"));
    // A newer profile drops the handle: the old claim is stale, whatever the domain says.
    profile(r#"{"hosts": ["https://node.example:8443"]}"#, 4);
    ok(d, &["store", "add", "--db", "a.db", "msgs.txt"]);
    let (code, out, _) = verify("alice.example", &["--url", &domain]);
    assert_eq!(code, 2);
    assert!(out.contains("sync.name_unclaimed"), "{out}");
}
