//! `dm.json`: sealed direct messages (spec 08, DM-1..DM-23), written from the design.
//!
//! Independent of the library: X25519 is computed here through the Edwards form (scalar
//! multiplication of the birationally equivalent Edwards point, reduced mod the group order, then
//! mapped back to the Montgomery u-coordinate), not with the Montgomery ladder the library uses;
//! messages, inner messages and account operations are written with this crate's own CBOR writer
//! and Ed25519; XChaCha20-Poly1305 is RustCrypto's `chacha20poly1305` and ML-KEM-768 RustCrypto's
//! `ml-kem` (deterministic encapsulation with the vector's `m`). The Python checker recomputes
//! everything with libsodium and kyber-py.

use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::montgomery::MontgomeryPoint;
use curve25519_dalek::scalar::Scalar;
use ml_kem::kem::EncapsulationKey;
use ml_kem::{EncapsulateDeterministic, EncodedSizeUser, KemCore, MlKem768, MlKem768Params, B32};

use crate::cbor::{encode, m, t, Value};
use crate::ed::Key;
use crate::identifiers::CTX_ACCOUNT;
use crate::messages::{sign, Msg};
use crate::util::{file, hex, strs, vector, J};

mod gate;
mod group;
mod report;

const CTX_MAILBOX: &str = "skylark v1 dm mailbox";
const CTX_SLOT: &str = "skylark v1 dm slot";
const CTX_SLOT_CHECK: &str = "skylark v1 dm slot check";
const CTX_KEY: &str = "skylark v1 dm hybrid key";
const CTX_NONCE: &str = "skylark v1 dm hybrid nonce";
const CTX_COMMIT: &str = "skylark v1 dm commitment";
const CTX_ID: &str = "skylark v1 dm id";
const DM_SIG_PREFIX: &[u8] = b"skylark v1 direct message\0";
const BUCKETS: [usize; 5] = [512, 2048, 8192, 32768, 65536];
const NO_ONETIME: u16 = 0xffff;
const T0: u64 = 1_767_225_600_000;
const MIN: u64 = 60_000;
const DAY: u64 = 86_400_000;
/// The replay window: 37 days.
const WINDOW: u64 = 37 * DAY;

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
    assert!(
        p.is_torsion_free(),
        "X25519 via Edwards needs a prime-order point"
    );
    (p * s).to_montgomery().to_bytes()
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

fn seed64(label: &str) -> [u8; 64] {
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&secret(&format!("{label} d")));
    out[32..].copy_from_slice(&secret(&format!("{label} z")));
    out
}

fn tag(r: &[u8; 32]) -> [u8; 2] {
    let h = blake3::derive_key(CTX_MAILBOX, r);
    [h[0], h[1]]
}

fn h(context: &str, parts: &[&[u8]]) -> [u8; 32] {
    let mut hasher = blake3::Hasher::new_derive_key(context);
    for p in parts {
        hasher.update(p);
    }
    *hasher.finalize().as_bytes()
}

fn smallest_bucket(n: usize) -> usize {
    *BUCKETS.iter().find(|&&b| b >= n).expect("fits")
}

fn padded(inner: &[u8]) -> Vec<u8> {
    let mut p = (inner.len() as u32).to_be_bytes().to_vec();
    p.extend_from_slice(inner);
    p.resize(smallest_bucket(inner.len() + 4), 0);
    p
}

// ------------------------------------------------------------------------------------------------ keys

/// One device's secrets and its public bundle values.
#[derive(Clone)]
struct Device {
    id: [u8; 16],
    signed: [u8; 32],
    pq_seed: [u8; 64],
    onetime: Vec<[u8; 32]>,
}

impl Device {
    fn new(label: &str, onetime: usize) -> Device {
        let id: [u8; 16] = secret(&format!("{label} device id"))[..16]
            .try_into()
            .expect("16");
        Device {
            id,
            signed: secret(&format!("{label} signed prekey")),
            pq_seed: seed64(&format!("{label} ml-kem")),
            onetime: (0..onetime)
                .map(|i| secret(&format!("{label} one-time {i}")))
                .collect(),
        }
    }
    fn r(&self) -> [u8; 32] {
        public(self.signed)
    }
    fn pq(&self) -> Vec<u8> {
        let (d, z) = self.pq_seed.split_at(32);
        let (_, ek) =
            MlKem768::generate_deterministic(&B32::from_fn(|i| d[i]), &B32::from_fn(|i| z[i]));
        ek.as_bytes().to_vec()
    }
    fn onetime_pub(&self) -> Vec<[u8; 32]> {
        self.onetime.iter().map(|o| public(*o)).collect()
    }
    /// The key set as a vector gives it to an opener; `used` slots are null.
    fn keys_json(&self, used: &[usize]) -> J {
        J::O(vec![
            ("device".into(), hex(&self.id).into()),
            ("signed".into(), hex(&self.signed).into()),
            ("pq_seed".into(), hex(&self.pq_seed).into()),
            (
                "onetime".into(),
                J::A(
                    self.onetime
                        .iter()
                        .enumerate()
                        .map(|(i, o)| {
                            if used.contains(&i) {
                                J::Null
                            } else {
                                hex(o).into()
                            }
                        })
                        .collect(),
                ),
            ),
        ])
    }
    fn bundle_body(&self, expires: u64) -> Value {
        m(vec![
            ("device", Value::B(self.id.to_vec())),
            ("key", Value::B(self.r().to_vec())),
            ("pq", Value::B(self.pq())),
            (
                "onetime",
                Value::A(
                    self.onetime_pub()
                        .iter()
                        .map(|o| Value::B(o.to_vec()))
                        .collect(),
                ),
            ),
            ("expires", Value::U(expires)),
        ])
    }
}

// ------------------------------------------------------------------------------------------------ accounts

/// An account with a root, a DM key (scope [dm, prekey]), a wildcard app key and, for a
/// moderation service or a reporter, a key whose scope is [service] or [report] (08 §14).
struct Account {
    id: Vec<u8>,
    root: Key,
    dm: Key,
    wild: Key,
    extra: Key,
    ops: Vec<Msg>,
}

fn scope(kinds: &[&str]) -> Value {
    Value::A(kinds.iter().map(|k| t(k)).collect())
}

fn account(name: &str) -> Account {
    account_with(name, None)
}

/// As `account`, and a fourth operation delegating `scope` to the extra key (`["service"]` for a
/// moderation service, `["report"]` for a reporter).
fn account_with(name: &str, extra_scope: Option<&[&str]>) -> Account {
    let root = Key::from_label(&format!("dm {name} root"));
    let dm = Key::from_label(&format!("dm {name} dm key"));
    let wild = Key::from_label(&format!("dm {name} wildcard app key"));
    let genesis = sign(
        &root,
        &[0; 32],
        1,
        None,
        "genesis",
        T0,
        crate::accounts::accepted(
            &m(vec![("roots", Value::A(vec![Value::B(root.pk.to_vec())]))]),
            &[0; 32],
            "genesis",
            &[&root],
            &crate::accounts::genesis_tail(&root.pk, T0),
        ),
    );
    let id = blake3::derive_key(CTX_ACCOUNT, &genesis.header).to_vec();
    let delegate = |key: &Key, kinds: &[&str], seq: u64, prev: &Msg| {
        sign(
            &root,
            &id,
            seq,
            Some(&prev.id),
            "delegate",
            T0 + seq * MIN,
            crate::accounts::accepted(
                &m(vec![
                    ("after", Value::B(prev.id.clone())),
                    ("app", Value::B(key.pk.to_vec())),
                    ("scope", scope(kinds)),
                    ("expires", Value::U(T0 + 365 * DAY)),
                ]),
                &id,
                "delegate",
                &[key],
                &[],
            ),
        )
    };
    // Canonical scope order: by CBOR encoding ("dm" before "prekey").
    let d1 = delegate(&dm, &["dm", "prekey"], 2, &genesis);
    let d2 = delegate(&wild, &["*"], 3, &d1);
    let extra = Key::from_label(&format!("dm {name} extra key"));
    let mut ops = vec![genesis, d1, d2];
    if let Some(kinds) = extra_scope {
        let d3 = delegate(&extra, kinds, 4, &ops[2]);
        ops.push(d3);
    }
    Account {
        id: id.clone(),
        root,
        dm,
        wild,
        extra,
        ops,
    }
}

// ------------------------------------------------------------------------------------------------ inner messages

/// An inner message: `[payload, signature]`.
struct Inner {
    bytes: Vec<u8>,
    id: Vec<u8>,
}

fn payload(
    acct: &[u8],
    key: &Key,
    time: u64,
    to: &[&[u8]],
    text: &str,
    extra: Vec<(&str, Value)>,
) -> Value {
    let mut to: Vec<Vec<u8>> = to.iter().map(|a| a.to_vec()).collect();
    to.sort();
    let mut entries = vec![
        ("acct", Value::B(acct.to_vec())),
        ("key", Value::B(key.pk.to_vec())),
        ("time", Value::U(time)),
        ("to", Value::A(to.into_iter().map(Value::B).collect())),
        ("text", t(text)),
    ];
    entries.extend(extra);
    m(entries)
}

fn inner_from(payload: &Value, key: &Key) -> Inner {
    let p = encode(payload);
    let sig = key.sign(&[DM_SIG_PREFIX, &p].concat());
    inner_raw(Value::A(vec![Value::B(p), Value::B(sig.to_vec())]))
}

fn inner_raw(v: Value) -> Inner {
    let bytes = encode(&v);
    Inner {
        id: blake3::derive_key(CTX_ID, &bytes).to_vec(),
        bytes,
    }
}

/// A text whose inner message (Alice to Bob at T0 + 1 day) is exactly `len` bytes.
fn text_for_len(alice: &Account, bob: &[u8], len: usize) -> String {
    let mut n = len.saturating_sub(300);
    loop {
        let i = inner_from(
            &payload(
                &alice.id,
                &alice.dm,
                T0 + DAY,
                &[bob],
                &"x".repeat(n),
                vec![],
            ),
            &alice.dm,
        );
        match i.bytes.len().cmp(&len) {
            std::cmp::Ordering::Equal => return "x".repeat(n),
            std::cmp::Ordering::Less => n += 1,
            std::cmp::Ordering::Greater => panic!("no text gives an inner message of {len} bytes"),
        }
    }
}

// ------------------------------------------------------------------------------------------------ sealing

/// Every value of one sealing.
struct Sealing {
    e_pub: [u8; 32],
    dh1: [u8; 32],
    ct: Vec<u8>,
    ss: [u8; 32],
    dh2: [u8; 32],
    mask: [u8; 2],
    check: Vec<u8>,
    ikm: Vec<u8>,
    key: [u8; 32],
    nonce: [u8; 24],
    commitment: [u8; 32],
    aad: Vec<u8>,
    padded: Vec<u8>,
    sealed: Vec<u8>,
}

/// Seals `plaintext` (already padded, or deliberately not) to a device bundle.
fn seal_plaintext(
    plaintext: &[u8],
    r: [u8; 32],
    pq: &[u8],
    o: Option<[u8; 32]>,
    slot: u16,
    e: [u8; 32],
    msg: [u8; 32],
) -> Sealing {
    let e_pub = public(e);
    let dh1 = x25519(e, r);
    assert_ne!(dh1, [0; 32]);
    let dh2 = o.map(|o| x25519(e, o)).unwrap_or([0; 32]);
    let ek = EncapsulationKey::<MlKem768Params>::from_bytes(pq.try_into().expect("1184 bytes"));
    let (ct, ss) = ek
        .encapsulate_deterministic(&B32::from(msg))
        .expect("encapsulates");
    let ct = ct.to_vec();
    let ss: [u8; 32] = ss.into();
    let mh = h(CTX_SLOT, &[&dh1, &ss, &e_pub, &r, &ct]);
    let mask = [mh[0], mh[1]];
    let ch = h(
        CTX_SLOT_CHECK,
        &[&dh1, &ss, &e_pub, &r, &ct, &slot.to_be_bytes()],
    );
    let check = &ch[..16];
    let o_bytes = o.unwrap_or([0; 32]);
    let ikm = [
        &dh1[..],
        &dh2,
        &ss,
        &e_pub,
        &r,
        &o_bytes,
        &ct,
        &slot.to_be_bytes(),
    ]
    .concat();
    let key = blake3::derive_key(CTX_KEY, &ikm);
    let n = blake3::derive_key(CTX_NONCE, &ikm);
    let commitment = blake3::derive_key(CTX_COMMIT, &ikm);
    let nonce: [u8; 24] = n[..24].try_into().expect("24");
    let masked = slot ^ u16::from_be_bytes(mask);
    let mut aad = vec![2u8];
    aad.extend_from_slice(&tag(&r));
    aad.extend_from_slice(&e_pub);
    aad.extend_from_slice(&ct);
    aad.extend_from_slice(&masked.to_be_bytes());
    aad.extend_from_slice(check);
    aad.extend_from_slice(&commitment);
    assert_eq!(aad.len(), 1173);
    let mut buf = plaintext.to_vec();
    let auth = XChaCha20Poly1305::new(&key.into())
        .encrypt_in_place_detached(XNonce::from_slice(&nonce), &aad, &mut buf)
        .expect("encrypts");
    let mut sealed = aad.clone();
    sealed.extend_from_slice(&buf);
    sealed.extend_from_slice(&auth);
    Sealing {
        e_pub,
        dh1,
        ct,
        ss,
        dh2,
        mask,
        check: check.to_vec(),
        ikm,
        key,
        nonce,
        commitment,
        aad,
        padded: plaintext.to_vec(),
        sealed,
    }
}

/// Seals an inner message honestly to `device`, with one-time slot `slot`.
fn seal_to(
    inner: &Inner,
    device: &Device,
    slot: Option<usize>,
    label: &str,
    bucket: Option<usize>,
) -> (Sealing, [u8; 32], [u8; 32]) {
    let e = secret(&format!("e {label}"));
    let msg = secret(&format!("m {label}"));
    let o = slot.map(|i| device.onetime_pub()[i]);
    let mut plaintext = padded(&inner.bytes);
    if let Some(b) = bucket {
        plaintext.resize(b, 0);
    }
    let s = seal_plaintext(
        &plaintext,
        device.r(),
        &device.pq(),
        o,
        slot.map(|i| i as u16).unwrap_or(NO_ONETIME),
        e,
        msg,
    );
    (s, e, msg)
}

fn bundle_json(
    r: &[u8],
    pq: &[u8],
    onetime: &[[u8; 32]],
    slot: Option<usize>,
) -> Vec<(&'static str, J)> {
    vec![
        ("recipient_key", hex(r).into()),
        ("pq_key", hex(pq).into()),
        (
            "onetime_keys",
            strs(&onetime.iter().map(|o| hex(o)).collect::<Vec<_>>()),
        ),
        ("slot", slot.map(|s| J::U(s as u64)).unwrap_or(J::Null)),
    ]
}

fn seal_vector(
    id: &str,
    description: &str,
    inner: &Inner,
    device: &Device,
    slot: Option<usize>,
) -> (J, Vec<u8>) {
    seal_vector_in(id, description, inner, device, slot, None)
}

/// A seal vector; `bucket`: cover padding to that bucket instead of the smallest (08 §5.3).
fn seal_vector_in(
    id: &str,
    description: &str,
    inner: &Inner,
    device: &Device,
    slot: Option<usize>,
    bucket: Option<usize>,
) -> (J, Vec<u8>) {
    let (s, e, msg) = seal_to(inner, device, slot, id, bucket);
    let mut extra = vec![
        ("type", J::from("seal")),
        ("inner", hex(&inner.bytes).into()),
    ];
    if let Some(b) = bucket {
        extra.push(("bucket", J::U(b as u64)));
    }
    extra.extend(bundle_json(
        &device.r(),
        &device.pq(),
        &device.onetime_pub(),
        slot,
    ));
    extra.extend([
        ("ephemeral_secret", hex(&e).into()),
        ("kem_message", hex(&msg).into()),
        ("ephemeral_key", hex(&s.e_pub).into()),
        ("dh1", hex(&s.dh1).into()),
        ("pq_ciphertext", hex(&s.ct).into()),
        ("pq_shared", hex(&s.ss).into()),
        ("dh2", hex(&s.dh2).into()),
        ("slot_mask", hex(&s.mask).into()),
        ("slot_check", hex(&s.check).into()),
        ("tag", hex(&tag(&device.r())).into()),
        ("ikm", hex(&s.ikm).into()),
        ("aead_key", hex(&s.key).into()),
        ("nonce", hex(&s.nonce).into()),
        ("commitment", hex(&s.commitment).into()),
        ("aad", hex(&s.aad).into()),
        ("padded", hex(&s.padded).into()),
        ("sealed", hex(&s.sealed).into()),
    ]);
    let mut rules = vec!["DM-1", "DM-3", "DM-4", "DM-5", "DM-11"];
    if slot.is_some() {
        rules.push("DM-18");
    }
    (vector(id, description, &rules, None, extra), s.sealed)
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
        "dm.not_public" => "DM-14",
        "dm.prekey_unauthorized" => "DM-15",
        "dm.sender_unauthorized" | "dm.sender_unknown" => "DM-16",
        "dm.outside_window" => "DM-17",
        "dm.onetime_consumed" => "DM-18",
        "dm.group_record" => "DM-19",
        "dm.group_unauthorized" | "dm.group_unknown" => "DM-20",
        "dm.group_stale" | "dm.group_members" => "DM-21",
        "dm.stamp" => "DM-22",
        "dm.gated" => "DM-23",
        "dm.declaration" => "DM-24",
        "dm.declaration_unauthorized" => "DM-25",
        "dm.report_body" => "DM-26",
        "dm.report_undeclared_key" => "DM-27",
        "dm.report_reason" => "DM-28",
        "dm.reporter_unauthorized" => "DM-29",
        "msg.invalid_reason" => "REPORT-1",
        "msg.subject" => "REPORT-2",
        "msg.too_long" | "msg.unknown_field" | "msg.missing_field" => "MSG-1",
        other => panic!("unknown code {other}"),
    }
}

/// The state every open and prekey vector applies: the operations of these accounts, in order.
fn ops_json(accounts: &[&Account]) -> J {
    strs(
        &accounts
            .iter()
            .flat_map(|a| a.ops.iter().map(|o| hex(&o.full)))
            .collect::<Vec<_>>(),
    )
}

/// One open vector: its inputs, and the inner message or the error.
struct Open<'a> {
    id: &'a str,
    description: &'a str,
    sealed: Vec<u8>,
    opener: &'a [u8],
    keys: Vec<J>,
    accounts: J,
    now: u64,
    seen: Vec<Vec<u8>>,
    result: Result<(&'a Inner, &'a Device, Option<usize>), &'a str>,
}

fn open_vector(o: Open) -> J {
    let mut rules = vec![
        "DM-1", "DM-2", "DM-3", "DM-4", "DM-5", "DM-6", "DM-7", "DM-8", "DM-9", "DM-16", "DM-17",
    ];
    let error = o.result.as_ref().err().copied();
    if let Err(code) = o.result {
        rules = vec![rule(code)];
    }
    let mut extra = vec![
        ("type", J::from("open")),
        ("sealed", hex(&o.sealed).into()),
        ("opener", hex(o.opener).into()),
        ("keys", J::A(o.keys)),
        ("accounts", o.accounts),
        ("now", J::U(o.now)),
        (
            "seen",
            strs(&o.seen.iter().map(|s| hex(s)).collect::<Vec<_>>()),
        ),
    ];
    if let Ok((inner, device, slot)) = o.result {
        if slot.is_some() {
            rules.push("DM-18");
        }
        extra.push(("inner", hex(&inner.bytes).into()));
        extra.push(("inner_id", hex(&inner.id).into()));
        extra.push(("device", hex(&device.id).into()));
        extra.push(("onetime", slot.map(|s| J::U(s as u64)).unwrap_or(J::Null)));
    }
    vector(o.id, o.description, &rules, error, extra)
}

/// The vector tables below are tuples, one row per case.
#[allow(clippy::type_complexity)]
pub fn generate() -> String {
    let alice = account("alice");
    let bob = account("bob");
    let carol = account("carol");
    let mallory = Key::from_label("dm mallory key");
    let bob_phone = Device::new("bob phone", 4);
    let bob_laptop = Device::new("bob laptop", 2);
    let alice_phone = Device::new("alice phone", 2);
    let alice_tablet = Device::new("alice tablet", 0);
    let carol_phone = Device::new("carol phone", 1);
    let all = ops_json(&[&alice, &bob, &carol]);
    let now = T0 + DAY + 5 * MIN;
    let at = T0 + DAY;
    let mut vs = Vec::new();

    // ----- seal: valid, byte-exact, every intermediate value -----
    let hello = inner_from(
        &payload(
            &alice.id,
            &alice.dm,
            at,
            &[&bob.id],
            "hello Bob, from another app",
            vec![],
        ),
        &alice.dm,
    );
    let (v, s_onetime) = seal_vector(
        "seal-onetime",
        "Alice seals a short message to Bob's phone with its one-time prekey 1: X25519 with the signed prekey and the one-time prekey, ML-KEM-768 with the given m, the key commitment, the 512 bucket",
        &hello,
        &bob_phone,
        Some(1),
    );
    vs.push(v);
    let (v, s_signed) = seal_vector(
        "seal-signed-prekey-only",
        "the same message without a one-time prekey (none left): the signed prekey and ML-KEM only, slot 0xffff",
        &hello,
        &bob_phone,
        None,
    );
    vs.push(v);
    // Every device: one inner message, a copy per current device of the recipient and of the
    // sender's other devices.
    let fan = inner_from(
        &payload(
            &alice.id,
            &alice.dm,
            at,
            &[&bob.id],
            "to all your devices",
            vec![],
        ),
        &alice.dm,
    );
    let mut fan_sealed = Vec::new();
    for (name, device, slot) in [
        ("bob-phone", &bob_phone, Some(0)),
        ("bob-laptop", &bob_laptop, Some(0)),
        ("alice-tablet", &alice_tablet, None),
    ] {
        let (v, s) = seal_vector(
            &format!("seal-device-{name}"),
            &format!("a message from Alice's phone to Bob, sealed to every current device: the copy for {name}"),
            &fan,
            device,
            slot,
        );
        vs.push(v);
        fan_sealed.push(s);
    }
    let long = inner_from(
        &payload(
            &alice.id,
            &alice.dm,
            at,
            &[&bob.id],
            &"long message. ".repeat(50),
            vec![],
        ),
        &alice.dm,
    );
    let (v, s_long) = seal_vector(
        "seal-bucket-2048",
        "a 700-byte text: padded to the 2048 bucket",
        &long,
        &bob_phone,
        Some(2),
    );
    vs.push(v);
    let edge = inner_from(
        &payload(
            &alice.id,
            &alice.dm,
            T0 + DAY,
            &[&bob.id],
            &text_for_len(&alice, &bob.id, 508),
            vec![],
        ),
        &alice.dm,
    );
    assert_eq!(edge.bytes.len(), 508);
    let (v, _) = seal_vector(
        "seal-edge-512",
        "an inner message of 508 bytes: with its length prefix exactly 512, no padding byte",
        &edge,
        &bob_phone,
        None,
    );
    vs.push(v);
    let largest = inner_from(
        &payload(
            &alice.id,
            &alice.dm,
            T0 + DAY,
            &[&bob.id],
            &text_for_len(&alice, &bob.id, 65532),
            vec![],
        ),
        &alice.dm,
    );
    let (v, _) = seal_vector(
        "seal-largest",
        "the largest inner message, 65532 bytes: the 65536 bucket with no padding byte",
        &largest,
        &bob_phone,
        None,
    );
    vs.push(v);
    let group = inner_from(
        &payload(
            &alice.id,
            &alice.dm,
            at,
            &[&bob.id, &carol.id],
            "dinner on friday?",
            vec![],
        ),
        &alice.dm,
    );
    let (v, s_group_carol) = seal_vector(
        "seal-group-carol",
        "a message to Bob and Carol, Carol's copy",
        &group,
        &carol_phone,
        Some(0),
    );
    vs.push(v);
    let (v, s_cover) = seal_vector_in(
        "seal-cover-8192",
        "cover padding: the short message padded to the 8192 bucket (the sender's choice), so its size class says nothing",
        &hello,
        &bob_phone,
        None,
        Some(8192),
    );
    vs.push(v);

    // ----- seal: refused -----
    let too_large = inner_from(
        &payload(
            &alice.id,
            &alice.dm,
            T0 + DAY,
            &[&bob.id],
            &text_for_len(&alice, &bob.id, 65532),
            vec![("x.pad", t("y"))],
        ),
        &alice.dm,
    );
    assert!(too_large.bytes.len() > 65532);
    let bad_seals: Vec<(
        &str,
        &str,
        &str,
        &Inner,
        [u8; 32],
        Vec<[u8; 32]>,
        Option<usize>,
    )> = vec![
        (
            "seal-too-large",
            "an inner message longer than 65532 bytes cannot be sealed",
            "dm.too_large",
            &too_large,
            bob_phone.r(),
            vec![],
            None,
        ),
        (
            "seal-weak-signed-prekey",
            "a signed prekey of small order (u = 0): every shared secret would be zero",
            "dm.weak_key",
            &hello,
            [0; 32],
            vec![],
            None,
        ),
        (
            "seal-weak-onetime",
            "a one-time prekey of small order (u = 1)",
            "dm.weak_key",
            &hello,
            bob_phone.r(),
            vec![{
                let mut one = [0; 32];
                one[0] = 1;
                one
            }],
            Some(0),
        ),
        (
            "seal-slot-missing",
            "slot 4 of a bundle with 4 one-time prekeys does not exist",
            "dm.onetime_consumed",
            &hello,
            bob_phone.r(),
            bob_phone.onetime_pub(),
            Some(4),
        ),
    ];
    for (id, description, bucket, inner) in [
        (
            "seal-bucket-too-small",
            "cover padding to 512 for a 700-byte text that needs 2048",
            512,
            &long,
        ),
        (
            "seal-bucket-not-a-bucket",
            "padding to 1000 bytes, which is not a bucket",
            1000,
            &hello,
        ),
    ] {
        let mut extra = vec![
            ("type", J::from("seal")),
            ("inner", hex(&inner.bytes).into()),
            ("bucket", J::U(bucket)),
        ];
        extra.extend(bundle_json(
            &bob_phone.r(),
            &bob_phone.pq(),
            &bob_phone.onetime_pub(),
            None,
        ));
        extra.push(("ephemeral_secret", hex(&secret(&format!("e {id}"))).into()));
        extra.push(("kem_message", hex(&secret(&format!("m {id}"))).into()));
        vs.push(vector(
            id,
            description,
            &["DM-5"],
            Some("dm.padding"),
            extra,
        ));
    }
    for (id, description, code, inner, r, onetime, slot) in bad_seals {
        let mut extra = vec![
            ("type", J::from("seal")),
            ("inner", hex(&inner.bytes).into()),
        ];
        extra.extend(bundle_json(&r, &bob_phone.pq(), &onetime, slot));
        extra.push(("ephemeral_secret", hex(&secret(&format!("e {id}"))).into()));
        extra.push(("kem_message", hex(&secret(&format!("m {id}"))).into()));
        vs.push(vector(id, description, &[rule(code)], Some(code), extra));
    }

    // ----- open: valid -----
    let bob_keys = |used: &[usize]| vec![bob_phone.keys_json(used), bob_laptop.keys_json(&[])];
    let open = |o: Open| open_vector(o);
    vs.push(open(Open {
        id: "open-onetime",
        description: "Bob's phone opens the one-time copy: the sender's DM key is authorized, slot 1 is used up",
        sealed: s_onetime.clone(),
        opener: &bob.id,
        keys: bob_keys(&[]),
        accounts: all.clone(),
        now,
        seen: vec![],
        result: Ok((&hello, &bob_phone, Some(1))),
    }));
    vs.push(open(Open {
        id: "open-signed-prekey-only",
        description:
            "the copy without a one-time prekey opens with the signed prekey and ML-KEM key",
        sealed: s_signed.clone(),
        opener: &bob.id,
        keys: bob_keys(&[1]),
        accounts: all.clone(),
        now,
        seen: vec![],
        result: Ok((&hello, &bob_phone, None)),
    }));
    for (i, (name, who, device, keys, slot)) in [
        ("bob-phone", &bob.id, &bob_phone, bob_keys(&[]), Some(0)),
        ("bob-laptop", &bob.id, &bob_laptop, bob_keys(&[]), Some(0)),
        (
            "alice-tablet",
            &alice.id,
            &alice_tablet,
            vec![alice_phone.keys_json(&[]), alice_tablet.keys_json(&[])],
            None,
        ),
    ]
    .into_iter()
    .enumerate()
    {
        vs.push(open(Open {
            id: &format!("open-device-{name}"),
            description: &format!("every device opens its own copy: {name} (the sender's own other device opens as the author)"),
            sealed: fan_sealed[i].clone(),
            opener: who,
            keys,
            accounts: all.clone(),
            now,
            seen: vec![],
            result: Ok((&fan, device, slot)),
        }));
    }
    vs.push(open(Open {
        id: "open-bucket-2048",
        description: "the 2048-bucket copy opens",
        sealed: s_long.clone(),
        opener: &bob.id,
        keys: bob_keys(&[]),
        accounts: all.clone(),
        now,
        seen: vec![],
        result: Ok((&long, &bob_phone, Some(2))),
    }));
    vs.push(open(Open {
        id: "open-group-carol",
        description: "Carol opens her copy of a message to Bob and Carol",
        sealed: s_group_carol.clone(),
        opener: &carol.id,
        keys: vec![carol_phone.keys_json(&[])],
        accounts: all.clone(),
        now,
        seen: vec![],
        result: Ok((&group, &carol_phone, Some(0))),
    }));
    vs.push(open(Open {
        id: "open-window-oldest",
        description: "opened 37 days after its time exactly: the last moment of the replay window",
        sealed: s_signed.clone(),
        opener: &bob.id,
        keys: bob_keys(&[]),
        accounts: all.clone(),
        now: at + WINDOW,
        seen: vec![],
        result: Ok((&hello, &bob_phone, None)),
    }));

    // ----- open: refused, one per code and threat -----
    let sealed_with = |f: &dyn Fn(&mut Vec<u8>)| {
        let mut s = s_signed.clone();
        f(&mut s);
        s
    };
    // Crafted plaintexts, sealed honestly to Bob's phone without a one-time prekey.
    let craft = |plaintext: &[u8], label: &str| {
        seal_plaintext(
            plaintext,
            bob_phone.r(),
            &bob_phone.pq(),
            None,
            NO_ONETIME,
            secret(&format!("e {label}")),
            secret(&format!("m {label}")),
        )
        .sealed
    };
    let seal_inner = |inner: &Inner, label: &str| craft(&padded(&inner.bytes), label);
    let mut bad_padding = padded(&hello.bytes);
    let last = bad_padding.len() - 1;
    bad_padding[last] = 1;
    let mut big_bucket = (hello.bytes.len() as u32).to_be_bytes().to_vec();
    big_bucket.extend_from_slice(&hello.bytes);
    big_bucket.resize(2048, 0);
    vs.push(open(Open {
        id: "open-cover-bucket",
        description: "a message that fits 512 bytes padded to 2048 by its sender as cover: any bucket that holds it opens (DM-5)",
        sealed: craft(&big_bucket, "big bucket"),
        opener: &bob.id,
        keys: bob_keys(&[]),
        accounts: all.clone(),
        now,
        seen: vec![],
        result: Ok((&hello, &bob_phone, None)),
    }));
    vs.push(open(Open {
        id: "open-cover-8192",
        description: "the 8192 cover copy opens",
        sealed: s_cover.clone(),
        opener: &bob.id,
        keys: bob_keys(&[]),
        accounts: all.clone(),
        now,
        seen: vec![],
        result: Ok((&hello, &bob_phone, None)),
    }));
    // Alice hands Bob an access token her devices' gates list (08 §5.7): the `token` field.
    let with_token = |token: Value, text: &str| {
        inner_from(
            &payload(
                &alice.id,
                &alice.dm,
                at,
                &[&bob.id],
                text,
                vec![("token", token)],
            ),
            &alice.dm,
        )
    };
    let handed = with_token(
        Value::B(gate::handed_token().to_vec()),
        "write me any time: this token gets you past my gate",
    );
    vs.push(open(Open {
        id: "open-token-handed",
        description: "Alice's message hands Bob an access token in the inner `token` field (32 bytes): it opens, and Bob may stamp copies to Alice's devices with it (`stamp-handed-token`)",
        sealed: seal_inner(&handed, "token handed"),
        opener: &bob.id,
        keys: bob_keys(&[]),
        accounts: all.clone(),
        now,
        seen: vec![],
        result: Ok((&handed, &bob_phone, None)),
    }));
    let token_short = with_token(Value::B(vec![7; 31]), "a token one byte short");
    let token_text = with_token(t("let me in"), "a token as text");
    let bad_sig = {
        let mut v = inner_from(
            &payload(&alice.id, &alice.dm, at, &[&bob.id], "hi", vec![]),
            &alice.dm,
        )
        .bytes;
        let n = v.len();
        v[n - 1] ^= 1;
        Inner {
            id: blake3::derive_key(CTX_ID, &v).to_vec(),
            bytes: v,
        }
    };
    let public_dm = sign(
        &alice.wild,
        &alice.id,
        1,
        None,
        "dm",
        at,
        m(vec![
            ("to", Value::A(vec![Value::B(bob.id.clone())])),
            ("text", t("hi")),
        ]),
    );
    let unknown_field = inner_from(
        &payload(
            &alice.id,
            &alice.dm,
            at,
            &[&bob.id],
            "hi",
            vec![("subject", t("x"))],
        ),
        &alice.dm,
    );
    let unsorted = {
        let mut to = vec![bob.id.clone(), carol.id.clone()];
        to.sort();
        to.reverse();
        let p = m(vec![
            ("acct", Value::B(alice.id.clone())),
            ("key", Value::B(alice.dm.pk.to_vec())),
            ("time", Value::U(at)),
            ("to", Value::A(to.into_iter().map(Value::B).collect())),
            ("text", t("hi")),
        ]);
        inner_from(&p, &alice.dm)
    };
    let to_carol_only = inner_from(
        &payload(
            &alice.id,
            &alice.dm,
            at,
            &[&carol.id],
            "for Carol only",
            vec![],
        ),
        &alice.dm,
    );
    let forged = inner_from(
        &payload(
            &alice.id,
            &mallory,
            at,
            &[&bob.id],
            "this is Alice, send money",
            vec![],
        ),
        &mallory,
    );
    let by_wildcard = inner_from(
        &payload(
            &alice.id,
            &alice.wild,
            at,
            &[&bob.id],
            "from an app without the DM scope",
            vec![],
        ),
        &alice.wild,
    );
    let by_root = inner_from(
        &payload(
            &alice.id,
            &alice.root,
            at,
            &[&bob.id],
            "from the root",
            vec![],
        ),
        &alice.root,
    );
    let future = inner_from(
        &payload(
            &alice.id,
            &alice.dm,
            now + 10 * MIN + 1,
            &[&bob.id],
            "from the future",
            vec![],
        ),
        &alice.dm,
    );

    type Bad<'a> = (
        &'a str,
        &'a str,
        &'a str,
        Vec<u8>,
        Vec<J>,
        &'a [u8],
        J,
        u64,
        Vec<Vec<u8>>,
    );
    let k = bob_keys(&[]);
    let bad: Vec<Bad> = vec![
        ("open-empty", "no bytes", "dm.malformed", vec![], k.clone(), &bob.id, all.clone(), now, vec![]),
        ("open-wrong-length", "one byte short of a sealed length", "dm.malformed", sealed_with(&|s| { s.pop(); }), k.clone(), &bob.id, all.clone(), now, vec![]),
        ("open-version-1", "version 1 (the previous, X25519-only layout) is not this version", "dm.unsupported_version", sealed_with(&|s| s[0] = 1), k.clone(), &bob.id, all.clone(), now, vec![]),
        ("open-unknown-key", "Carol holds no key with the tag", "dm.unknown_key", s_signed.clone(), vec![carol_phone.keys_json(&[])], &carol.id, all.clone(), now, vec![]),
        ("open-weak-ephemeral", "the ephemeral key replaced by u = 0: the signed-prekey shared secret is zero", "dm.weak_key", sealed_with(&|s| s[3..35].fill(0)), k.clone(), &bob.id, all.clone(), now, vec![]),
        ("open-tampered-ciphertext", "one ciphertext byte flipped: the commitment matches, the AEAD fails", "dm.tampered", sealed_with(&|s| s[1200] ^= 1), k.clone(), &bob.id, all.clone(), now, vec![]),
        ("open-tampered-slot-check", "one slot-check byte flipped: refused before the slot is looked up", "dm.tampered", sealed_with(&|s| s[1130] ^= 1), k.clone(), &bob.id, all.clone(), now, vec![]),
        ("open-tampered-slot", "the masked slot flipped: the slot check fails, so the opener never looks up a slot chosen by the attacker", "dm.tampered", sealed_with(&|s| s[1124] ^= 1), k.clone(), &bob.id, all.clone(), now, vec![]),
        ("open-tampered-commitment", "one commitment byte flipped: refused before decryption", "dm.tampered", sealed_with(&|s| s[1150] ^= 1), k.clone(), &bob.id, all.clone(), now, vec![]),
        ("open-tampered-kem-ciphertext", "one ML-KEM ciphertext byte flipped: implicit rejection gives another shared secret, so another commitment", "dm.tampered", sealed_with(&|s| s[100] ^= 1), k.clone(), &bob.id, all.clone(), now, vec![]),
        ("open-onetime-consumed", "slot 1 was used by an earlier message: a second message to it does not open", "dm.onetime_consumed", s_onetime.clone(), bob_keys(&[1]), &bob.id, all.clone(), now, vec![]),
        ("open-padding-nonzero", "a non-zero padding byte", "dm.padding", craft(&bad_padding, "bad padding"), k.clone(), &bob.id, all.clone(), now, vec![]),
        ("open-inner-bad-signature", "the inner signature's last byte flipped", "dm.inner_signature", seal_inner(&bad_sig, "bad sig"), k.clone(), &bob.id, all.clone(), now, vec![]),
        ("open-inner-public-message", "a public message (an envelope of kind dm) sealed as if it were an inner message", "dm.inner_signature", seal_inner(&Inner { bytes: public_dm.full.clone(), id: vec![] }, "public inner"), k.clone(), &bob.id, all.clone(), now, vec![]),
        ("open-inner-unknown-field", "an inner payload with an unknown key without a dot", "dm.inner_body", seal_inner(&unknown_field, "unknown field"), k.clone(), &bob.id, all.clone(), now, vec![]),
        ("open-inner-unsorted-to", "recipients in descending order", "dm.inner_body", seal_inner(&unsorted, "unsorted"), k.clone(), &bob.id, all.clone(), now, vec![]),
        ("open-inner-token-short", "an inner `token` of 31 bytes", "dm.inner_body", seal_inner(&token_short, "token short"), k.clone(), &bob.id, all.clone(), now, vec![]),
        ("open-inner-token-text", "an inner `token` that is a text string", "dm.inner_body", seal_inner(&token_text, "token text"), k.clone(), &bob.id, all.clone(), now, vec![]),
        ("threat-resealed-to-other", "Carol's message re-sealed by Carol to Bob: Bob is not in the signed list", "dm.wrong_recipient", seal_inner(&to_carol_only, "resealed"), k.clone(), &bob.id, all.clone(), now, vec![]),
        ("threat-replay-inside-window", "a relay replays a message Bob opened 5 minutes ago: its id is in the window's seen set", "dm.replay", s_signed.clone(), k.clone(), &bob.id, all.clone(), now, vec![hello.id.clone()]),
        ("threat-replay-outside-window", "the same message replayed 37 days and 1 ms after its time: refused by the window alone, with an empty seen set", "dm.outside_window", s_signed.clone(), k.clone(), &bob.id, all.clone(), at + WINDOW + 1, vec![]),
        ("open-time-in-future", "an inner time more than 10 minutes after the opener's clock", "dm.outside_window", seal_inner(&future, "future"), k.clone(), &bob.id, all.clone(), now, vec![]),
        ("threat-forged-sender", "Mallory signs an inner message claiming Alice's account with a key Alice never delegated: refused inside opening", "dm.sender_unauthorized", seal_inner(&forged, "forged"), k.clone(), &bob.id, all.clone(), now, vec![]),
        ("threat-sender-wildcard-app", "Alice's wildcard app key (scope [\"*\"]) signs a direct message: a wildcard never covers dm", "dm.sender_unauthorized", seal_inner(&by_wildcard, "wildcard"), k.clone(), &bob.id, all.clone(), now, vec![]),
        ("threat-sender-root", "Alice's root key signs a direct message: roots sign only key operations", "dm.sender_unauthorized", seal_inner(&by_root, "root"), k.clone(), &bob.id, all.clone(), now, vec![]),
        ("open-sender-unknown", "the opener's account state does not know Alice yet: undecided, keep and retry", "dm.sender_unknown", s_signed.clone(), k.clone(), &bob.id, ops_json(&[&bob]), now, vec![]),
    ];
    for (id, description, code, sealed, keys, opener, accounts, now, seen) in bad {
        vs.push(open(Open {
            id,
            description,
            sealed,
            opener,
            keys,
            accounts,
            now,
            seen,
            result: Err(code),
        }));
    }

    // ----- groups (08 §5.6) -----
    group::vectors(
        &group::Ctx {
            alice: &alice,
            bob: &bob,
            carol: &carol,
            mallory: &mallory,
            bob_phone: &bob_phone,
            bob_laptop: &bob_laptop,
            all: all.clone(),
            now,
            at,
        },
        &mut vs,
    );

    // ----- gating (08 §5.7) -----
    gate::vectors(&s_signed, &alice.id, &bob.id, &mut vs);

    // ----- moderation services and sealed reports (08 §14) -----
    report::vectors(&alice, &mut vs);
    report::sealed(&alice, &bob, &mut vs);
    report::relayed(&alice, &mut vs);
    report::chosen(&alice, &mut vs);

    // ----- prekey bundles -----
    let bundle = |key: &Key, acct: &[u8], time: u64, body: Value| {
        sign(key, acct, 1, None, "prekey", time, body)
    };
    let good = bob_phone.bundle_body(at + 14 * DAY);
    let with = |f: &dyn Fn(&mut Vec<(String, Value)>)| {
        let Value::M(mut entries) = bob_phone.bundle_body(at + 14 * DAY) else {
            unreachable!()
        };
        f(&mut entries);
        Value::M(entries)
    };
    let set = |entries: &mut Vec<(String, Value)>, k: &str, v: Value| {
        entries.iter_mut().find(|(n, _)| n == k).expect("key").1 = v;
    };
    let mut bad_pq = bob_phone.pq();
    bad_pq[0] = 0xff;
    bad_pq[1] |= 0x0f;
    let gated = gate::Gate {
        accept: "all",
        pow: 20,
        tokens: vec![gate::commitment(&secret("bob access token"))],
    };
    let prekeys: Vec<(&str, &str, Result<(), &str>, Msg, J)> = vec![
        ("prekey-valid", "Bob's phone bundle, signed by Bob's DM key (scope [dm, prekey])", Ok(()), bundle(&bob.dm, &bob.id, at, good.clone()), all.clone()),
        ("prekey-laptop", "Bob's laptop bundle: a second device of the same account", Ok(()), bundle(&bob.dm, &bob.id, at, bob_laptop.bundle_body(at + 14 * DAY)), all.clone()),
        ("threat-prekey-wildcard-app", "an app key with scope [\"*\"] publishes a bundle whose secrets it keeps: a wildcard never covers prekey, so senders do not use it", Err("dm.prekey_unauthorized"), bundle(&bob.wild, &bob.id, at, good.clone()), all.clone()),
        ("threat-prekey-undelegated", "a key Bob never delegated publishes a bundle for Bob", Err("dm.prekey_unauthorized"), bundle(&mallory, &bob.id, at, good.clone()), all.clone()),
        ("prekey-root-signed", "a root key signs a bundle: roots sign only key operations", Err("dm.prekey_unauthorized"), bundle(&bob.root, &bob.id, at, good.clone()), all.clone()),
        ("prekey-unknown-account", "the sender's state does not know the account: the bundle is not usable", Err("dm.prekey_unauthorized"), bundle(&bob.dm, &bob.id, at, good.clone()), ops_json(&[&alice])),
        ("prekey-expires-at-time", "expires equal to time", Err("dm.prekey"), bundle(&bob.dm, &bob.id, at + 14 * DAY, good.clone()), all.clone()),
        ("prekey-lifetime-too-long", "expires 30 days and 1 ms after time", Err("dm.prekey"), bundle(&bob.dm, &bob.id, at, with(&|e| set(e, "expires", Value::U(at + 30 * DAY + 1)))), all.clone()),
        ("prekey-pq-modulus", "an ML-KEM key with a coefficient of 4095: fails the FIPS 203 modulus check", Err("dm.prekey"), bundle(&bob.dm, &bob.id, at, with(&|e| set(e, "pq", Value::B(bad_pq.clone())))), all.clone()),
        ("prekey-pq-length", "an ML-KEM key of 1183 bytes", Err("dm.prekey"), bundle(&bob.dm, &bob.id, at, with(&|e| set(e, "pq", Value::B(bob_phone.pq()[..1183].to_vec())))), all.clone()),
        ("prekey-device-length", "a device id of 15 bytes", Err("dm.prekey"), bundle(&bob.dm, &bob.id, at, with(&|e| set(e, "device", Value::B(vec![1; 15])))), all.clone()),
        ("prekey-onetime-duplicate", "the same one-time prekey twice", Err("dm.prekey"), bundle(&bob.dm, &bob.id, at, with(&|e| set(e, "onetime", Value::A(vec![Value::B(vec![9; 32]), Value::B(vec![9; 32])])))), all.clone()),
        ("prekey-onetime-too-many", "33 one-time prekeys", Err("dm.prekey"), bundle(&bob.dm, &bob.id, at, with(&|e| set(e, "onetime", Value::A((0..33u8).map(|i| Value::B(vec![i; 32])).collect())))), all.clone()),
        ("prekey-unknown-field", "a key without a dot that the bundle does not define", Err("dm.prekey"), bundle(&bob.dm, &bob.id, at, with(&|e| e.push(("note".into(), t("x"))))), all.clone()),
        ("prekey-gated", "a bundle with a gate: everyone, 20 bits of work from senders Bob does not follow, one access token", Ok(()), bundle(&bob.dm, &bob.id, at, with(&|e| e.push(("gate".into(), gated.value())))), all.clone()),
        ("prekey-gate-pow-too-high", "a gate asking 33 bits of work", Err("dm.prekey"), bundle(&bob.dm, &bob.id, at, with(&|e| e.push(("gate".into(), gate::Gate { pow: 33, ..gated.clone() }.value())))), all.clone()),
        ("prekey-gate-accept-unknown", "a gate accepting \"friends\", which 08 does not define", Err("dm.prekey"), bundle(&bob.dm, &bob.id, at, with(&|e| e.push(("gate".into(), gate::Gate { accept: "friends", ..gated.clone() }.value())))), all.clone()),
        ("prekey-gate-too-many-tokens", "a gate listing 9 token commitments", Err("dm.prekey"), bundle(&bob.dm, &bob.id, at, with(&|e| e.push(("gate".into(), gate::Gate { tokens: (0..9u8).map(|i| [i; 32]).collect(), ..gated.clone() }.value())))), all.clone()),
        ("prekey-gate-duplicate-token", "a gate listing one commitment twice", Err("dm.prekey"), bundle(&bob.dm, &bob.id, at, with(&|e| e.push(("gate".into(), gate::Gate { tokens: vec![[5; 32], [5; 32]], ..gated.clone() }.value())))), all.clone()),
        ("prekey-gate-unknown-field", "a gate with a key without a dot that gates do not define", Err("dm.prekey"), bundle(&bob.dm, &bob.id, at, with(&|e| e.push(("gate".into(), { let Value::M(mut g) = gated.value() else { unreachable!() }; g.push(("limit".into(), Value::U(3))); Value::M(g) })))), all.clone()),
    ];
    for (id, description, result, msg, accounts) in prekeys {
        let mut extra = vec![
            ("type", J::from("prekey")),
            ("message", hex(&msg.full).into()),
            ("accounts", accounts),
        ];
        let (rules, error) = match result {
            Ok(()) => {
                extra.push((
                    "device",
                    hex(&bob_phone_or(&msg, &bob_phone, &bob_laptop)).into(),
                ));
                if id == "prekey-gated" {
                    extra.push(("gate", gated.json()));
                }
                (vec!["DM-10", "DM-15"], None)
            }
            Err(code) => (vec![rule(code)], Some(code)),
        };
        vs.push(vector(id, description, &rules, error, extra));
    }

    // ----- public validation -----
    vs.push(vector(
        "threat-leaked-inner-public",
        "a recipient submits a leaked inner message for public validation: it is not an envelope (a CBOR array, not a map), so no node stores it",
        &["DM-14", "ENV-3"],
        Some("env.wrong_type"),
        vec![("type", J::from("public")), ("message", hex(&hello.bytes).into())],
    ));
    vs.push(vector(
        "threat-public-dm-kind",
        "a public message of kind dm (as direct messages were signed before this version): refused by public validation",
        &["DM-14"],
        Some("dm.not_public"),
        vec![("type", J::from("public")), ("message", hex(&public_dm.full).into())],
    ));

    file(
        "Sealed direct messages (spec 08): byte-exact hybrid sealing (X25519 + one-time X25519 + ML-KEM-768, key commitment, XChaCha20-Poly1305) with fixed randomness; opening with sender authentication, a bounded replay window and one-time prekey consumption; prekey bundles and who may publish them; direct messages refused by public validation.",
        "dm",
        vs,
    )
}

/// The device id of a valid bundle message.
fn bob_phone_or(msg: &Msg, phone: &Device, laptop: &Device) -> [u8; 16] {
    let Value::M(entries) = &msg.body else {
        unreachable!()
    };
    let device = entries
        .iter()
        .find(|(k, _)| k == "device")
        .map(|(_, v)| v.clone());
    if device == Some(Value::B(phone.id.to_vec())) {
        phone.id
    } else {
        laptop.id
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ml_kem::kem::Decapsulate;

    /// The ML-KEM half decapsulates what it encapsulated, and the Edwards-form X25519 agrees with
    /// RFC 7748 §6.1.
    #[test]
    fn primitives_agree() {
        let d = Device::new("test", 0);
        let (dk, _) = {
            let (a, b) = d.pq_seed.split_at(32);
            MlKem768::generate_deterministic(&B32::from_fn(|i| a[i]), &B32::from_fn(|i| b[i]))
        };
        let ek =
            EncapsulationKey::<MlKem768Params>::from_bytes(d.pq().as_slice().try_into().unwrap());
        let (ct, ss) = ek.encapsulate_deterministic(&B32::from([7; 32])).unwrap();
        assert_eq!(dk.decapsulate(&ct).unwrap(), ss);
        let a: [u8; 32] =
            crate::util::unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
                .try_into()
                .unwrap();
        assert_eq!(
            hex(&public(a)),
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"
        );
    }
}
