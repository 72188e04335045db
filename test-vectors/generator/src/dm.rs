//! `dm.json`: sealed direct messages (spec 08, DM-1..DM-11), written from the design.
//!
//! Independent of the library: X25519 is computed here through the Edwards form (scalar
//! multiplication of the birationally equivalent Edwards point, reduced mod the group order, then
//! mapped back to the Montgomery u-coordinate), not with the Montgomery ladder the library uses;
//! messages are written with this crate's own CBOR writer and Ed25519; XChaCha20-Poly1305 is
//! RustCrypto's `chacha20poly1305`. The Python checker recomputes everything with libsodium.

use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::montgomery::MontgomeryPoint;
use curve25519_dalek::scalar::Scalar;

use crate::cbor::{m, t, Value};
use crate::ed::Key;
use crate::messages::{sign, Msg};
use crate::util::{file, hex, strs, vector, J};

const CTX_MAILBOX: &str = "skylark v1 dm mailbox";
const CTX_KEY: &str = "skylark v1 dm key";
const CTX_NONCE: &str = "skylark v1 dm nonce";
const BUCKETS: [usize; 5] = [512, 2048, 8192, 32768, 65536];
const TIME: u64 = 1_767_225_600_000;
const DAY: u64 = 86_400_000;

/// RFC 7748 clamping.
fn clamp(k: [u8; 32]) -> [u8; 32] {
    let mut k = k;
    k[0] &= 248;
    k[31] &= 127;
    k[31] |= 64;
    k
}

/// X25519(k, u) for a u-coordinate of a point in the prime-order subgroup, through Edwards
/// arithmetic: the clamped scalar reduced mod l acts the same on such a point.
fn x25519(k: [u8; 32], u: [u8; 32]) -> [u8; 32] {
    let s = Scalar::from_bytes_mod_order(clamp(k));
    let p = MontgomeryPoint(u)
        .to_edwards(0)
        .expect("a u-coordinate on the curve");
    let q = p * s;
    // Only for points of the prime-order subgroup (every honest key here).
    assert!(
        p.is_torsion_free(),
        "X25519 via Edwards needs a prime-order point"
    );
    q.to_montgomery().to_bytes()
}

fn public(k: [u8; 32]) -> [u8; 32] {
    (ED25519_BASEPOINT_POINT * Scalar::from_bytes_mod_order(clamp(k)))
        .to_montgomery()
        .to_bytes()
}

/// A fixed 32-byte secret from a label.
fn secret(label: &str) -> [u8; 32] {
    blake3::derive_key("skylark test vectors v1 dm secret", label.as_bytes())
}

fn account(name: &str) -> Vec<u8> {
    blake3::derive_key("skylark test vectors v1 dm account", name.as_bytes()).to_vec()
}

fn tag(r: &[u8; 32]) -> [u8; 2] {
    let h = blake3::derive_key(CTX_MAILBOX, r);
    [h[0], h[1]]
}

fn padded(inner: &[u8], bucket: usize) -> Vec<u8> {
    let mut p = (inner.len() as u32).to_be_bytes().to_vec();
    p.extend_from_slice(inner);
    assert!(p.len() <= bucket);
    p.resize(bucket, 0);
    p
}

fn smallest_bucket(n: usize) -> usize {
    *BUCKETS.iter().find(|&&b| b >= n).expect("fits")
}

/// Every value of one sealing.
struct Sealing {
    e: [u8; 32],
    e_pub: [u8; 32],
    r: [u8; 32],
    shared: [u8; 32],
    ikm: Vec<u8>,
    key: [u8; 32],
    nonce: [u8; 24],
    tag: [u8; 2],
    aad: Vec<u8>,
    padded: Vec<u8>,
    sealed: Vec<u8>,
}

/// Seals `plaintext` (already padded, or deliberately not) with the given ephemeral public key and
/// shared secret.
fn encrypt(
    plaintext: &[u8],
    r: [u8; 32],
    e: [u8; 32],
    e_pub: [u8; 32],
    shared: [u8; 32],
) -> Sealing {
    let mut ikm = shared.to_vec();
    ikm.extend_from_slice(&e_pub);
    ikm.extend_from_slice(&r);
    let key = blake3::derive_key(CTX_KEY, &ikm);
    let n = blake3::derive_key(CTX_NONCE, &ikm);
    let mut nonce = [0u8; 24];
    nonce.copy_from_slice(&n[..24]);
    let tag = tag(&r);
    let mut aad = vec![1u8];
    aad.extend_from_slice(&tag);
    aad.extend_from_slice(&e_pub);
    let mut buf = plaintext.to_vec();
    let auth = XChaCha20Poly1305::new(&key.into())
        .encrypt_in_place_detached(XNonce::from_slice(&nonce), &aad, &mut buf)
        .expect("encrypt");
    let mut sealed = aad.clone();
    sealed.extend_from_slice(&buf);
    sealed.extend_from_slice(&auth);
    Sealing {
        e,
        e_pub,
        r,
        shared,
        ikm,
        key,
        nonce,
        tag,
        aad,
        padded: plaintext.to_vec(),
        sealed,
    }
}

/// Seals an inner message honestly.
fn seal(inner: &[u8], r: [u8; 32], e: [u8; 32]) -> Sealing {
    let p = padded(inner, smallest_bucket(inner.len() + 4));
    seal_plaintext(&p, r, e)
}

fn seal_plaintext(p: &[u8], r: [u8; 32], e: [u8; 32]) -> Sealing {
    let e_pub = public(e);
    let shared = x25519(e, r);
    assert_ne!(shared, [0; 32]);
    encrypt(p, r, e, e_pub, shared)
}

fn dm_body(to: &[&[u8]], text: &str, extra: Vec<(&str, Value)>) -> Value {
    let mut to: Vec<Vec<u8>> = to.iter().map(|a| a.to_vec()).collect();
    to.sort();
    let mut entries = vec![
        ("to", Value::A(to.into_iter().map(Value::B).collect())),
        ("text", t(text)),
    ];
    entries.extend(extra);
    m(entries)
}

fn dm_raw_to(to: Vec<Vec<u8>>, text: &str) -> Value {
    m(vec![
        ("to", Value::A(to.into_iter().map(Value::B).collect())),
        ("text", t(text)),
    ])
}

struct People {
    alice_key: Key,
    alice: Vec<u8>,
    bob: Vec<u8>,
    carol: Vec<u8>,
    dave: Vec<u8>,
    bob_prekey: [u8; 32],
    bob_old: [u8; 32],
    carol_prekey: [u8; 32],
    dave_prekey: [u8; 32],
    alice_own: [u8; 32],
}

fn people() -> People {
    People {
        alice_key: Key::from_label("dm alice app key"),
        alice: account("alice"),
        bob: account("bob"),
        carol: account("carol"),
        dave: account("dave"),
        bob_prekey: secret("bob prekey 2"),
        bob_old: secret("bob prekey 1"),
        carol_prekey: secret("carol prekey"),
        dave_prekey: secret("dave prekey"),
        alice_own: secret("alice own key"),
    }
}

fn dm_msg(p: &People, seq: u64, prev: Option<&Msg>, body: Value) -> Msg {
    sign(
        &p.alice_key,
        &p.alice,
        seq,
        prev.map(|m| m.id.as_slice()),
        "dm",
        TIME + seq * 60_000,
        body,
    )
}

fn seal_vector(id: &str, description: &str, inner: &Msg, s: &Sealing) -> J {
    vector(
        id,
        description,
        &["DM-1", "DM-3", "DM-4", "DM-5", "DM-7", "DM-11"],
        None,
        vec![
            ("type", "seal".into()),
            ("inner", hex(&inner.full).into()),
            ("recipient_key", hex(&s.r).into()),
            ("ephemeral_secret", hex(&s.e).into()),
            ("ephemeral_key", hex(&s.e_pub).into()),
            ("shared_secret", hex(&s.shared).into()),
            ("tag", hex(&s.tag).into()),
            ("ikm", hex(&s.ikm).into()),
            ("aead_key", hex(&s.key).into()),
            ("nonce", hex(&s.nonce).into()),
            ("aad", hex(&s.aad).into()),
            ("padded", hex(&s.padded).into()),
            ("sealed", hex(&s.sealed).into()),
        ],
    )
}

fn seal_invalid(
    id: &str,
    description: &str,
    code: &str,
    inner: &[u8],
    r: [u8; 32],
    e: [u8; 32],
) -> J {
    vector(
        id,
        description,
        &[rule(code)],
        Some(code),
        vec![
            ("type", "seal".into()),
            ("inner", hex(inner).into()),
            ("recipient_key", hex(&r).into()),
            ("ephemeral_secret", hex(&e).into()),
        ],
    )
}

#[allow(clippy::too_many_arguments)]
fn open_vector(
    id: &str,
    description: &str,
    rules: &[&str],
    error: Option<&str>,
    sealed: &[u8],
    opener: &[u8],
    keys: &[[u8; 32]],
    seen: &[&[u8]],
    inner: Option<&Msg>,
) -> J {
    let mut extra = vec![
        ("type", J::from("open")),
        ("sealed", hex(sealed).into()),
        ("opener", hex(opener).into()),
        (
            "keys",
            strs(&keys.iter().map(|k| hex(k)).collect::<Vec<_>>()),
        ),
        (
            "seen",
            strs(&seen.iter().map(|k| hex(k)).collect::<Vec<_>>()),
        ),
    ];
    if let Some(inner) = inner {
        assert!(error.is_none());
        extra.push(("inner", hex(&inner.full).into()));
        extra.push(("inner_id", hex(&inner.id).into()));
    }
    vector(id, description, rules, error, extra)
}

fn rule(code: &str) -> &'static str {
    match code {
        "dm.malformed" | "dm.unsupported_version" => "DM-1",
        "dm.unknown_key" => "DM-2",
        "dm.weak_key" => "DM-3",
        "dm.tampered" => "DM-4",
        "dm.padding" => "DM-5",
        "dm.inner_signature" => "DM-6",
        "dm.inner_body" => "DM-7",
        "dm.wrong_recipient" => "DM-8",
        "dm.replay" => "DM-9",
        "dm.prekey" => "DM-10",
        "dm.too_large" => "DM-11",
        other => panic!("unknown code {other}"),
    }
}

const OPEN_RULES: &[&str] = &[
    "DM-1", "DM-2", "DM-3", "DM-4", "DM-5", "DM-6", "DM-7", "DM-8", "DM-9",
];

/// A text whose `dm` message (by Alice, seq 1, to Bob) is exactly `len` bytes.
fn text_for_len(p: &People, len: usize) -> String {
    let mut n = len.saturating_sub(300);
    loop {
        let msg = dm_msg(p, 1, None, dm_body(&[&p.bob], &"x".repeat(n), vec![]));
        match msg.full.len().cmp(&len) {
            std::cmp::Ordering::Equal => return "x".repeat(n),
            std::cmp::Ordering::Less => n += 1,
            std::cmp::Ordering::Greater => panic!("no text gives a message of {len} bytes"),
        }
    }
}

pub fn generate() -> String {
    let p = people();
    let bob_r = public(p.bob_prekey);
    let mut vs = Vec::new();

    // ----- seal: valid, with every intermediate value -----
    let hello = dm_msg(
        &p,
        1,
        None,
        dm_body(&[&p.bob], "hello Bob, from another app", vec![]),
    );
    let s_hello = seal(&hello.full, bob_r, secret("e hello"));
    vs.push(seal_vector(
        "seal-one-recipient",
        "Alice's app seals a short dm to Bob's prekey: smallest bucket (512), every intermediate value",
        &hello,
        &s_hello,
    ));
    let long = dm_msg(
        &p,
        2,
        Some(&hello),
        dm_body(&[&p.bob], &"long message. ".repeat(50), vec![]),
    );
    let s_long = seal(&long.full, bob_r, secret("e long"));
    vs.push(seal_vector(
        "seal-bucket-2048",
        "a 700-byte text: padded to the 2048 bucket",
        &long,
        &s_long,
    ));
    let edge_text = text_for_len(&p, 508);
    let edge = dm_msg(&p, 1, None, dm_body(&[&p.bob], &edge_text, vec![]));
    vs.push(seal_vector(
        "seal-edge-512",
        "an inner message of 508 bytes: with its 4-byte length prefix exactly 512, the smallest bucket, no padding byte",
        &edge,
        &seal(&edge.full, bob_r, secret("e edge 512")),
    ));
    let edge_text = text_for_len(&p, 509);
    let edge2 = dm_msg(&p, 1, None, dm_body(&[&p.bob], &edge_text, vec![]));
    vs.push(seal_vector(
        "seal-edge-2048",
        "an inner message of 509 bytes: one byte too many for 512, so the 2048 bucket",
        &edge2,
        &seal(&edge2.full, bob_r, secret("e edge 2048")),
    ));
    let largest_text = text_for_len(&p, 65532);
    let largest = dm_msg(&p, 1, None, dm_body(&[&p.bob], &largest_text, vec![]));
    vs.push(seal_vector(
        "seal-largest",
        "the largest inner message, 65532 bytes: the 65536 bucket with no padding byte",
        &largest,
        &seal(&largest.full, bob_r, secret("e largest")),
    ));
    let group = dm_msg(
        &p,
        3,
        Some(&long),
        dm_body(&[&p.bob, &p.carol, &p.dave], "dinner on friday?", vec![]),
    );
    let group_keys = [
        ("bob", p.bob_prekey),
        ("carol", p.carol_prekey),
        ("dave", p.dave_prekey),
        ("alice-own", p.alice_own),
    ];
    let mut group_sealed = Vec::new();
    for (name, k) in group_keys {
        let s = seal(&group.full, public(k), secret(&format!("e group {name}")));
        vs.push(seal_vector(
            &format!("seal-group-{name}"),
            &format!(
                "a group dm to Bob, Carol and Dave, sealed separately to {name}'s key with its own ephemeral key"
            ),
            &group,
            &s,
        ));
        group_sealed.push(s);
    }
    let namespaced = dm_msg(
        &p,
        1,
        None,
        dm_body(
            &[&p.bob],
            "see attachment",
            vec![("com.example.attachment", Value::B(vec![7; 40]))],
        ),
    );
    let s_ns = seal(&namespaced.full, bob_r, secret("e namespaced"));
    vs.push(seal_vector(
        "seal-namespaced-key",
        "a dm body with a namespaced key (kept, ignored)",
        &namespaced,
        &s_ns,
    ));

    // ----- seal: invalid -----
    vs.push(seal_invalid(
        "seal-weak-key-zero",
        "the recipient key u = 0 (a point of small order): the shared secret is all zero, so the sender must not seal",
        "dm.weak_key",
        &hello.full,
        [0; 32],
        secret("e weak"),
    ));
    let mut order8 = [0u8; 32];
    order8.copy_from_slice(&crate::util::unhex(
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    ));
    vs.push(seal_invalid(
        "seal-weak-key-order-8",
        "the recipient key is a point of order 8 (u = e0eb7a7c…): all-zero shared secret",
        "dm.weak_key",
        &hello.full,
        order8,
        secret("e weak"),
    ));
    let too_large_text = text_for_len(&p, 65533);
    let too_large = dm_msg(&p, 1, None, dm_body(&[&p.bob], &too_large_text, vec![]));
    vs.push(seal_invalid(
        "seal-too-large",
        "an inner message of 65533 bytes: with the length prefix it exceeds the largest bucket",
        "dm.too_large",
        &too_large.full,
        bob_r,
        secret("e too large"),
    ));
    let post = sign(
        &p.alice_key,
        &p.alice,
        1,
        None,
        "post",
        TIME,
        m(vec![("text", t("public"))]),
    );
    vs.push(seal_invalid(
        "seal-not-a-dm",
        "the inner message is a post, not a dm: a sender seals only what opens",
        "dm.inner_body",
        &post.full,
        bob_r,
        secret("e post"),
    ));

    // ----- open: valid -----
    vs.push(open_vector(
        "open-one-recipient",
        "Bob opens the message of seal-one-recipient with his prekey",
        OPEN_RULES,
        None,
        &s_hello.sealed,
        &p.bob,
        &[p.bob_prekey],
        &[],
        Some(&hello),
    ));
    vs.push(open_vector(
        "open-second-key",
        "Bob holds his previous prekey (another tag) and the current one: the tag picks the current one",
        OPEN_RULES,
        None,
        &s_hello.sealed,
        &p.bob,
        &[p.bob_old, p.bob_prekey],
        &[long.id.as_slice()],
        Some(&hello),
    ));
    for (i, (name, k)) in group_keys.iter().enumerate() {
        let opener = match *name {
            "bob" => &p.bob,
            "carol" => &p.carol,
            "dave" => &p.dave,
            _ => &p.alice,
        };
        vs.push(open_vector(
            &format!("open-group-{name}"),
            &if *name == "alice-own" {
                "Alice opens her own copy: she is not in \"to\" but is the author (DM-8)"
                    .to_string()
            } else {
                format!("{name} opens the group dm sealed to their key")
            },
            OPEN_RULES,
            None,
            &group_sealed[i].sealed,
            opener,
            &[*k],
            &[],
            Some(&group),
        ));
    }
    vs.push(open_vector(
        "open-largest",
        "the largest sealed message (65587 bytes) opens",
        OPEN_RULES,
        None,
        &seal(&largest.full, bob_r, secret("e largest")).sealed,
        &p.bob,
        &[p.bob_prekey],
        &[],
        Some(&largest),
    ));
    vs.push(open_vector(
        "open-namespaced-key",
        "a body with a namespaced key opens",
        OPEN_RULES,
        None,
        &s_ns.sealed,
        &p.bob,
        &[p.bob_prekey],
        &[],
        Some(&namespaced),
    ));

    // ----- open: invalid, one defect each -----
    let bad = |id: &str, description: &str, code: &str, sealed: &[u8]| {
        open_vector(
            id,
            description,
            &[rule(code)],
            Some(code),
            sealed,
            &p.bob,
            &[p.bob_prekey],
            &[],
            None,
        )
    };
    let good = &s_hello.sealed;
    vs.push(bad("open-empty", "empty input", "dm.malformed", &[]));
    vs.push(bad(
        "open-short",
        "the sealed message less its last byte: 562 bytes is not a sealed length",
        "dm.malformed",
        &good[..good.len() - 1],
    ));
    let mut longer = good.clone();
    longer.push(0);
    vs.push(bad(
        "open-long",
        "one byte appended: 564 is not a sealed length",
        "dm.malformed",
        &longer,
    ));
    let mut v2 = good.clone();
    v2[0] = 2;
    vs.push(bad(
        "open-version-2",
        "version byte 2",
        "dm.unsupported_version",
        &v2,
    ));
    let mut v0short = vec![0u8; 10];
    v0short[0] = 0;
    vs.push(bad(
        "open-version-0-short",
        "version byte 0 and a wrong length: the version is checked first",
        "dm.unsupported_version",
        &v0short,
    ));
    vs.push(open_vector(
        "open-unknown-key",
        "Bob holds only his previous prekey, whose tag differs: no candidate key",
        &["DM-2"],
        Some("dm.unknown_key"),
        good,
        &p.bob,
        &[p.bob_old],
        &[],
        None,
    ));
    vs.push(open_vector(
        "open-no-keys",
        "an opener with no keys",
        &["DM-2"],
        Some("dm.unknown_key"),
        good,
        &p.bob,
        &[],
        &[],
        None,
    ));
    let mut other_tag = good.clone();
    other_tag[1] ^= 0x01;
    vs.push(bad(
        "open-changed-tag",
        "the mailbox tag's first byte changed: it no longer matches Bob's key",
        "dm.unknown_key",
        &other_tag,
    ));
    let weak = encrypt(&padded(&hello.full, 512), bob_r, [0; 32], [0; 32], [0; 32]);
    vs.push(bad(
        "open-weak-ephemeral",
        "ephemeral key u = 0 and a ciphertext made under the all-zero shared secret (which authenticates): the opener refuses the all-zero secret",
        "dm.weak_key",
        &weak.sealed,
    ));
    for (id, at, what) in [
        ("open-tampered-ciphertext", 35 + 100, "a ciphertext byte"),
        (
            "open-tampered-auth-tag",
            good.len() - 1,
            "the last byte of the Poly1305 tag",
        ),
        (
            "open-tampered-ephemeral",
            3 + 5,
            "a byte of the ephemeral key",
        ),
    ] {
        let mut x = good.clone();
        x[at] ^= 0x40;
        vs.push(bad(
            id,
            &format!("{what} flipped: the AEAD fails"),
            "dm.tampered",
            &x,
        ));
    }
    let mut top = good.clone();
    top[3 + 31] ^= 0x80;
    vs.push(bad(
        "open-tampered-ephemeral-top-bit",
        "the ephemeral key's top bit flipped: X25519 masks it and gives the same shared secret, but E is in the KDF input and the AAD, so the AEAD fails",
        "dm.tampered",
        &top,
    ));
    let hello_p = padded(&hello.full, 512);
    let mut long_len = hello_p.clone();
    long_len[0..4].copy_from_slice(&509u32.to_be_bytes());
    vs.push(bad(
        "open-padding-length-too-long",
        "length prefix 509 in a 512-byte plaintext (more than 508 bytes follow the prefix); authenticated, so only the padding is wrong",
        "dm.padding",
        &seal_plaintext(&long_len, bob_r, secret("e pad 1")).sealed,
    ));
    let mut dirty = hello_p.clone();
    dirty[511] = 1;
    vs.push(bad(
        "open-padding-not-zero",
        "the last padding byte is 1",
        "dm.padding",
        &seal_plaintext(&dirty, bob_r, secret("e pad 2")).sealed,
    ));
    vs.push(bad(
        "open-padding-bucket-too-large",
        "a short message padded to 2048 instead of 512: not the smallest bucket",
        "dm.padding",
        &seal_plaintext(&padded(&hello.full, 2048), bob_r, secret("e pad 3")).sealed,
    ));
    let mut short_len = hello_p.clone();
    short_len[0..4].copy_from_slice(&((hello.full.len() - 1) as u32).to_be_bytes());
    vs.push(bad(
        "open-padding-length-short",
        "length prefix one less than the message: the last message byte counts as padding and is not zero",
        "dm.padding",
        &seal_plaintext(&short_len, bob_r, secret("e pad 4")).sealed,
    ));
    let mut forged = hello.full.clone();
    let n = forged.len();
    forged[n - 1] ^= 1;
    vs.push(bad(
        "open-inner-bad-signature",
        "the inner message's signature altered (sig.mismatch in 04 §10)",
        "dm.inner_signature",
        &seal(&forged, bob_r, secret("e inner 1")).sealed,
    ));
    vs.push(bad(
        "open-inner-not-a-message",
        "the inner bytes are the CBOR text \"hi\", not a message",
        "dm.inner_signature",
        &seal(&[0x62, b'h', b'i'], bob_r, secret("e inner 2")).sealed,
    ));
    vs.push(bad(
        "open-inner-post",
        "the inner message is a valid post, not a dm",
        "dm.inner_body",
        &seal(&post.full, bob_r, secret("e inner 3")).sealed,
    ));
    vs.push(bad(
        "open-inner-stripped",
        "the inner message is a stripped dm (no body)",
        "dm.inner_body",
        &seal(&hello.stripped, bob_r, secret("e inner 4")).sealed,
    ));
    let mut unsorted = vec![p.bob.clone(), p.carol.clone()];
    unsorted.sort();
    unsorted.reverse();
    let m_unsorted = dm_msg(&p, 1, None, dm_raw_to(unsorted, "x"));
    vs.push(bad(
        "open-inner-to-unsorted",
        "\"to\" lists two recipients in descending order",
        "dm.inner_body",
        &seal(&m_unsorted.full, bob_r, secret("e inner 5")).sealed,
    ));
    let mut nine: Vec<Vec<u8>> = (0..8).map(|i| account(&format!("member {i}"))).collect();
    nine.push(p.bob.clone());
    nine.sort();
    assert_eq!(nine.len(), 9);
    let m_nine = dm_msg(&p, 1, None, dm_raw_to(nine, "x"));
    vs.push(bad(
        "open-inner-nine-recipients",
        "\"to\" names nine accounts (Bob among them); at most eight",
        "dm.inner_body",
        &seal(&m_nine.full, bob_r, secret("e inner 6")).sealed,
    ));
    let m_extra = dm_msg(
        &p,
        1,
        None,
        dm_body(&[&p.bob], "x", vec![("subject", t("hi"))]),
    );
    vs.push(bad(
        "open-inner-unknown-field",
        "the dm body has an un-dotted key outside the schema",
        "dm.inner_body",
        &seal(&m_extra.full, bob_r, secret("e inner 7")).sealed,
    ));
    let m_notext = dm_msg(
        &p,
        1,
        None,
        m(vec![("to", Value::A(vec![Value::B(p.bob.clone())]))]),
    );
    vs.push(bad(
        "open-inner-no-text",
        "the dm body has no \"text\"",
        "dm.inner_body",
        &seal(&m_notext.full, bob_r, secret("e inner 8")).sealed,
    ));
    let carol_r = public(p.carol_prekey);
    vs.push(open_vector(
        "open-wrong-recipient",
        "Bob re-seals Alice's dm (sent to Bob only) to Carol's prekey: Carol is not in the signed \"to\"",
        &["DM-8"],
        Some("dm.wrong_recipient"),
        &seal(&hello.full, carol_r, secret("e reseal")).sealed,
        &p.carol,
        &[p.carol_prekey],
        &[],
        None,
    ));
    vs.push(open_vector(
        "open-replay",
        "Bob has already opened this inner message (its id is in seen)",
        &["DM-9"],
        Some("dm.replay"),
        good,
        &p.bob,
        &[p.bob_prekey],
        &[hello.id.as_slice()],
        None,
    ));
    vs.push(open_vector(
        "open-replay-other-copy",
        "the same inner message sealed again with another ephemeral key: still a replay",
        &["DM-9"],
        Some("dm.replay"),
        &seal(&hello.full, bob_r, secret("e again")).sealed,
        &p.bob,
        &[p.bob_prekey],
        &[hello.id.as_slice()],
        None,
    ));

    // ----- prekey messages -----
    let bob_app = Key::from_label("dm bob app key");
    let prekey = |body: Value| sign(&bob_app, &p.bob, 1, None, "prekey", TIME, body);
    let pk_body = |exp: u64| {
        m(vec![
            ("key", Value::B(bob_r.to_vec())),
            ("expires", Value::U(exp)),
        ])
    };
    let prekey_valid = |id: &str, description: &str, msg: &Msg, exp: u64| {
        vector(
            id,
            description,
            &["DM-10"],
            None,
            vec![
                ("type", "prekey".into()),
                ("message", hex(&msg.full).into()),
                ("key", hex(&bob_r).into()),
                ("expires", exp.into()),
            ],
        )
    };
    let prekey_bad = |id: &str, description: &str, msg: &[u8]| {
        vector(
            id,
            description,
            &["DM-10"],
            Some("dm.prekey"),
            vec![("type", "prekey".into()), ("message", hex(msg).into())],
        )
    };
    let pk14 = prekey(pk_body(TIME + 14 * DAY));
    vs.push(prekey_valid(
        "prekey-14-days",
        "Bob's app publishes a prekey valid for 14 days",
        &pk14,
        TIME + 14 * DAY,
    ));
    vs.push(prekey_valid(
        "prekey-30-days",
        "expires exactly 30 days after the time: the longest lifetime",
        &prekey(pk_body(TIME + 30 * DAY)),
        TIME + 30 * DAY,
    ));
    vs.push(prekey_valid(
        "prekey-1-ms",
        "expires 1 ms after the time",
        &prekey(pk_body(TIME + 1)),
        TIME + 1,
    ));
    vs.push(prekey_valid(
        "prekey-namespaced",
        "a namespaced key beside key and expires",
        &prekey(m(vec![
            ("key", Value::B(bob_r.to_vec())),
            ("expires", Value::U(TIME + DAY)),
            ("com.example.device", t("phone")),
        ])),
        TIME + DAY,
    ));
    vs.push(prekey_bad(
        "prekey-too-long",
        "expires 30 days and 1 ms after the time",
        &prekey(pk_body(TIME + 30 * DAY + 1)).full,
    ));
    vs.push(prekey_bad(
        "prekey-expires-at-time",
        "expires equal to the header time",
        &prekey(pk_body(TIME)).full,
    ));
    vs.push(prekey_bad(
        "prekey-key-31-bytes",
        "a key of 31 bytes",
        &prekey(m(vec![
            ("key", Value::B(vec![9; 31])),
            ("expires", Value::U(TIME + DAY)),
        ]))
        .full,
    ));
    vs.push(prekey_bad(
        "prekey-no-expires",
        "no expires",
        &prekey(m(vec![("key", Value::B(bob_r.to_vec()))])).full,
    ));
    vs.push(prekey_bad(
        "prekey-expires-negative",
        "expires is a negative integer",
        &prekey(m(vec![
            ("key", Value::B(bob_r.to_vec())),
            ("expires", Value::N(5)),
        ]))
        .full,
    ));
    vs.push(prekey_bad(
        "prekey-unknown-field",
        "an un-dotted key outside the schema",
        &prekey(m(vec![
            ("key", Value::B(bob_r.to_vec())),
            ("expires", Value::U(TIME + DAY)),
            ("device", t("phone")),
        ]))
        .full,
    ));
    vs.push(prekey_bad(
        "prekey-stripped",
        "a stripped prekey message (no body)",
        &pk14.stripped,
    ));
    vs.push(prekey_bad(
        "prekey-wrong-kind",
        "a message of kind dm is not a prekey",
        &hello.full,
    ));

    file(
        "Sealed direct messages (spec 08, DM-1..DM-11). Vectors of type \"seal\" give the inner message, the recipient's X25519 key and the ephemeral secret; valid ones every intermediate value (ephemeral public key, shared secret, mailbox tag, KDF input, AEAD key and nonce, associated data, padded plaintext) and the exact sealed bytes, invalid ones the code a sender must report. Vectors of type \"open\" give the sealed bytes, the opener's account, its secret keys in order and the ids already opened; valid ones the inner message and its id. Vectors of type \"prekey\" give a signed message and, if it publishes a prekey, its key and expiry. Keys and ephemeral secrets are BLAKE3 derive_key(\"skylark test vectors v1 dm secret\", label); accounts derive_key(\"skylark test vectors v1 dm account\", name).",
        "dm",
        vs,
    )
}
