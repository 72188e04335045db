//! Opening sealed direct messages (spec 08 §6) on hostile input: never panics, and never accepts
//! what it should not.
//!
//! Random bytes almost never pass the AEAD (DM-4), so most of `open` would stay unexplored. This
//! target therefore seals the fuzz input itself, with its own implementation of 08 §5 (X25519 from
//! curve25519-dalek, BLAKE3 `derive_key`, XChaCha20-Poly1305 from RustCrypto), so that the padding
//! (DM-5), the inner message (DM-6, DM-7), the recipient (DM-8) and replay (DM-9) steps see arbitrary
//! authenticated plaintext. Input: one mode byte, then
//! - mode 0: the rest, opened as sealed bytes as received;
//! - mode 1: a 32-byte ephemeral secret, then the *padded* plaintext (taken to the next bucket,
//!   zero-filled), sealed to the opener's key and opened;
//! - mode 2: an ephemeral secret, then an *inner message* (its bytes padded as 08 §5.3 says), sealed
//!   and opened; whenever it opens, the opened message's bytes are exactly the inner bytes.
#![no_main]

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use curve25519_dalek::montgomery::MontgomeryPoint;
use libfuzzer_sys::fuzz_target;
use skylark::dm::{open, EncryptionSecret};
use skylark::id::AccountId;

const BUCKETS: [usize; 5] = [512, 2048, 8192, 32768, 65536];
const SECRET: [u8; 32] = [0x5a; 32];

fn h(context: &str, input: &[u8]) -> [u8; 32] {
    blake3::derive_key(context, input)
}

/// 08 §5.1–§5.4, written from the spec: the sealed bytes of `padded` (a bucket's length) to `r`.
fn seal(padded: &[u8], r: &[u8; 32], e: &[u8; 32]) -> Option<Vec<u8>> {
    let big_e = MontgomeryPoint::mul_base_clamped(*e).to_bytes();
    let s = MontgomeryPoint(*r).mul_clamped(*e).to_bytes();
    if s == [0; 32] {
        return None;
    }
    let ikm = [&s[..], &big_e[..], &r[..]].concat();
    let k = h("skylark v1 dm key", &ikm);
    let n = h("skylark v1 dm nonce", &ikm);
    let t = h("skylark v1 dm mailbox", r);
    let mut out = vec![0x01, t[0], t[1]];
    out.extend_from_slice(&big_e);
    let aead = XChaCha20Poly1305::new((&k).into());
    let ct = aead
        .encrypt(XNonce::from_slice(&n[..24]), Payload { msg: padded, aad: &out })
        .ok()?;
    out.extend_from_slice(&ct);
    Some(out)
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let me_secret = EncryptionSecret::from_bytes(SECRET);
    let r = *me_secret.public_key().as_bytes();
    let me = AccountId::from_bytes([1; 32]);
    let keys = [me_secret];
    match mode % 3 {
        0 => {
            let _ = open(rest, &me, &keys, |_| false);
        }
        1 | 2 if rest.len() >= 32 => {
            let (e, body) = rest.split_at(32);
            let e: [u8; 32] = e.try_into().unwrap_or([0; 32]);
            let mut padded = if mode % 3 == 1 {
                body.to_vec()
            } else {
                let mut p = (body.len() as u32).to_be_bytes().to_vec();
                p.extend_from_slice(body);
                p
            };
            let Some(&bucket) = BUCKETS.iter().find(|&&b| b >= padded.len()) else {
                return;
            };
            padded.resize(bucket, 0);
            let Some(sealed) = seal(&padded, &r, &e) else {
                return;
            };
            match open(&sealed, &me, &keys, |_| false) {
                Ok(opened) => {
                    // DM-5: only a well-formed padding opens, and what opens is the inner bytes.
                    let len = u32::from_be_bytes([padded[0], padded[1], padded[2], padded[3]]) as usize;
                    assert_eq!(opened.message().as_bytes(), &padded[4..4 + len]);
                    if mode % 3 == 2 {
                        assert_eq!(opened.message().as_bytes(), body);
                    }
                    // DM-9: the same inner id, already seen, is a replay.
                    let id = opened.message().id();
                    let again = open(&sealed, &me, &keys, |x| *x == id);
                    assert_eq!(again.err().map(|e| e.code()), Some("dm.replay"));
                }
                // Sealed correctly to the opener's key: nothing before DM-5 can fail.
                Err(e) => assert!(
                    !matches!(
                        e.code(),
                        "dm.malformed"
                            | "dm.unsupported_version"
                            | "dm.unknown_key"
                            | "dm.weak_key"
                            | "dm.tampered"
                    ),
                    "a correctly sealed message failed with {}",
                    e.code()
                ),
            }
        }
        _ => {}
    }
});
