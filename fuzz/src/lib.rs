//! Helpers shared by the fuzz targets: the framing of multi-message inputs, the pool of signed
//! messages taken from the test vectors, and the round-trip and state checks the targets assert.
//!
//! Every check panics on failure: under libFuzzer a panic is a crash report.

use skylark::account::Accounts;
use skylark::cbor::{self, Value};
use skylark::envelope::SignedMessage;
use skylark::id::AccountId;
use skylark::message::Body;

/// Every signed message of the test vectors (accounts.json, merge.json, messages.json,
/// envelopes.json), each as a `[u16 big-endian length][bytes]` frame. Written by `fuzz/seed.py`.
static POOL: &[u8] = include_bytes!("../pool/messages.bin");

/// The most messages one input names, so that a run stays short.
pub const MAX_MESSAGES: usize = 64;

/// The pool's messages, in file order.
pub fn pool() -> Vec<&'static [u8]> {
    let mut out = Vec::new();
    let mut rest = POOL;
    while rest.len() >= 2 {
        let len = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
        let end = (2 + len).min(rest.len());
        out.push(&rest[2..end]);
        rest = &rest[end..];
    }
    out
}

/// The pool's messages that pass layer 1, verified once (by index; `None` for the others).
pub fn verified_pool() -> &'static [Option<SignedMessage>] {
    static VERIFIED: std::sync::OnceLock<Vec<Option<SignedMessage>>> = std::sync::OnceLock::new();
    VERIFIED.get_or_init(|| {
        pool()
            .into_iter()
            .map(|b| SignedMessage::from_bytes(b).ok())
            .collect()
    })
}

/// The signed messages an input names. Each item starts with one byte `b`:
/// - `b < 0x80`: a reference to a pool message, index `(b << 8 | next) mod pool size` (2 bytes),
///   resolved to the verified pool (no signature check per run);
/// - `b >= 0x80`: raw message bytes, length `(b & 0x7f) << 8 | next`, then that many bytes (fewer
///   at the end), decoded and verified.
///
/// What fails layer 1 is dropped, as a node drops it.
pub fn messages(data: &[u8]) -> Vec<SignedMessage> {
    let pool = verified_pool();
    let mut out = Vec::new();
    let mut rest = data;
    while rest.len() >= 2 && out.len() < MAX_MESSAGES {
        let (b, n) = (rest[0], rest[1]);
        if b < 0x80 {
            if !pool.is_empty() {
                let i = usize::from(u16::from_be_bytes([b, n])) % pool.len();
                out.extend(pool[i].clone());
            }
            rest = &rest[2..];
        } else {
            let len = usize::from(u16::from_be_bytes([b & 0x7f, n]));
            let end = (2 + len).min(rest.len());
            out.extend(SignedMessage::from_bytes(&rest[2..end]).ok());
            rest = &rest[end..];
        }
    }
    out
}

/// Whenever the strict decoder accepts `bytes`, encoding the value gives `bytes` back, and the
/// allocation-free checker agrees with the decoder.
pub fn check_cbor_roundtrip(bytes: &[u8]) -> Option<Value> {
    let decoded = cbor::decode(bytes);
    assert_eq!(
        decoded.as_ref().map(|_| ()).map_err(|e| *e),
        cbor::check(bytes),
        "decode and check disagree"
    );
    let value = decoded.ok()?;
    assert_eq!(
        value.to_bytes(),
        bytes,
        "accepted input does not round-trip"
    );
    Some(value)
}

/// `v` without its namespaced (dotted) keys, at every level. Typed bodies hold the core fields only;
/// namespaced keys are kept in the message bytes (05 §3.2), not in the typed value.
pub fn without_namespaced(v: &Value) -> Value {
    match v {
        Value::Array(items) => Value::Array(items.iter().map(without_namespaced).collect()),
        Value::Map(map) => {
            let mut out = skylark::cbor::Map::new();
            for (k, v) in map.iter().filter(|(k, _)| !k.contains('.')) {
                out.insert(k, without_namespaced(v));
            }
            Value::Map(out)
        }
        other => other.clone(),
    }
}

/// What a valid message's typed body must re-encode to: the body as received, without its
/// namespaced keys for a core social kind; the whole body for operations and other kinds.
pub fn expected_typed_body(body: &Body, bytes: &[u8]) -> Option<Vec<u8>> {
    let value = cbor::decode(bytes).ok()?;
    Some(match body {
        Body::Operation(_) | Body::Unknown(_) => value.to_bytes(),
        _ => without_namespaced(&value).to_bytes(),
    })
}

/// The body of a valid message, re-encoded through its typed form (shared with
/// `tests/hostile.rs`).
#[path = "../../tests/support/typed_body.rs"]
mod typed_body;
pub use typed_body::typed_body_bytes;

/// What two nodes compare about one account: its canonical head, roots, app keys with their
/// grants, contested operations and encryption key.
pub fn account_fingerprint(accounts: &Accounts, account: &AccountId) -> String {
    let Some(view) = accounts.account(account) else {
        return "unknown".into();
    };
    let apps: Vec<String> = view
        .apps()
        .map(|(k, g)| {
            format!(
                "{k}:{:?}:{}:{:?}:{}:{}:{:?}",
                g.scope(),
                g.expires(),
                g.label(),
                g.delegated_at(),
                g.delegation(),
                g.revocation()
            )
        })
        .collect();
    format!(
        "genesis={} head={} roots={:?} apps={apps:?} contested={:?} enc={:?}",
        view.genesis(),
        view.head(),
        view.roots(),
        view.contested(),
        view.encryption_key().map(|e| (e.key(), e.version()))
    )
}

/// A permutation of `0..n` drawn from `seed` (a small LCG Fisher–Yates: deterministic, no
/// dependency).
pub fn permutation(n: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut state = seed | 1;
    for i in (1..n).rev() {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let j = ((state >> 33) as usize) % (i + 1);
        order.swap(i, j);
    }
    order
}
