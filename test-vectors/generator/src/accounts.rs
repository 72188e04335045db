//! `accounts.json`: the accounts layer (06): key operations, the status of each operation and the state
//! of the account they produce whatever the order in which they arrive, and key authorization (AUTH-1..6).
//!
//! Every operation and message is a real, layer-1-valid signed envelope built with this crate's own CBOR
//! writer, BLAKE3 and Ed25519 (seeds derived from the vector id and a key name, so no two vectors share a
//! key). Each root key numbers its operations in its own seq/prev chain, as an honest signer would.
//!
//! Every expected value is DECLARED here, case by case, from the rules (each case built with one intended
//! defect, or with the defects whose order it is about): the status of each operation, the head state
//! (head, roots, app keys with their grants, encryption key, contested list) and the authorization
//! outcome. Nothing here runs a state machine. `tests/accounts_reference.rs` re-derives every declared
//! value with a small independent implementation, applying the operations in several orders.
//!
//! Where the design brief, spec 06 and `src/account.rs` disagree, the vectors follow the implementation
//! (and spec 06 as revised to match it; see `test-vectors/README.md`), with one exception where the code
//! and the spec's walk contradict their own stated intent: a revocation cutoff whose `seq` is not its
//! message's own keeps nothing, that message included (`acct-auth-cutoff-wrong-seq-message-itself`).

use std::collections::BTreeMap;

use crate::cbor::{encode, m, t, Value};
use crate::ed::{self, Key};
use crate::identifiers::{CTX_ACCOUNT, CTX_BODY};
use crate::messages::{del, rid, set, sign, Msg, T0};
use crate::util::{file, hex, obj, strs, unhex, J};

const MIN: u64 = 60_000;
const DAY: u64 = 86_400_000;
const YEAR: u64 = 365 * DAY;
const MAX53: u64 = (1 << 53) - 1;

/// The rule IDs of spec 06.
pub const RULES: &[&str] = &[
    "ACCT-1", "ACCT-2", "ACCT-3", "ACCT-4", "ACCT-5", "ACCT-6", "ACCT-7", "ACCT-8", "ACCT-9",
    "ACCT-10", "ACCT-11", "ACCT-12", "ACCT-13", "ACCT-14", "ACCT-15", "ACCT-16", "AUTH-1",
    "AUTH-2", "AUTH-3", "AUTH-4", "AUTH-5", "AUTH-6", "AUTH-7",
];

/// Every status an operation vector may declare besides "valid" and "waiting".
pub const OP_CODES: &[&str] = &[
    "acct.body",
    "acct.genesis_account",
    "acct.genesis_signer",
    "acct.key_in_use",
    "acct.parent_invalid",
    "acct.account_mismatch",
    "acct.not_a_root",
    "acct.scope",
    "acct.expiry",
    "acct.not_delegated",
    "acct.already_revoked",
    "acct.enckey_version",
    "acct.witnesses",
    "acct.not_a_witness",
    "acct.acceptance_missing",
    "acct.acceptance_extra",
    "acct.acceptance_invalid",
    "acct.deactivated",
    "acct.successor",
    "acct.next_mismatch",
    "acct.next_signer",
    "key.invalid_length",
    "key.non_canonical",
    "key.not_on_curve",
    "key.small_order",
    // No status (06 §7.1): what verify_operation reports at step 1 / step 2.
    "acct.not_an_operation",
    "acct.stripped",
];

/// The authorization denial codes.
pub const AUTH_CODES: &[&str] = &[
    "auth.root_key_message",
    "auth.not_delegated",
    "auth.out_of_scope",
    "auth.before_delegation",
    "auth.expired",
    "auth.revoked",
    "auth.deactivated",
];

// ------------------------------------------------------------------------------------------------ values

fn u(n: u64) -> Value {
    Value::U(n)
}
fn b(x: &[u8]) -> Value {
    Value::B(x.to_vec())
}
fn a(items: Vec<Value>) -> Value {
    Value::A(items)
}
fn texts(items: &[&str]) -> Value {
    a(items.iter().map(|s| t(s)).collect())
}
fn keys_v(keys: &[Vec<u8>]) -> Value {
    a(keys.iter().map(|k| b(k)).collect())
}
/// `T0 + n` minutes.
fn at(n: u64) -> u64 {
    T0 + n * MIN
}

// ------------------------------------------------------------------------------------------------ acceptances

/// The hash context of the next-roots commitment (ACCT-14, 06 §5.8).
pub const CTX_NEXT_ROOTS: &str = "skylark v1 next roots";

/// The signature context of an acceptance (ACCT-10, 06 §5.5).
pub const CTX_ACCEPTANCE: &str = "skylark v1 key acceptance";

/// The value of key `k` in map `v`, if `v` is a map that has it.
fn get<'a>(v: &'a Value, k: &str) -> Option<&'a Value> {
    match v {
        Value::M(entries) => entries.iter().find(|(key, _)| key == k).map(|(_, x)| x),
        _ => None,
    }
}

/// The 32-byte strings of an array value (anything else: none).
fn key_list(v: Option<&Value>) -> Vec<Vec<u8>> {
    match v {
        Some(Value::A(items)) => items
            .iter()
            .filter_map(|i| match i {
                Value::B(x) if x.len() == 32 => Some(x.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// What a genesis acceptance binds after the kind (06 §5.5): the genesis header's `key` and `time`
/// (8 bytes, big-endian). Every other kind binds nothing there.
pub(crate) fn genesis_tail(signer: &[u8], time: u64) -> Vec<u8> {
    let mut tail = signer.to_vec();
    tail.extend_from_slice(&time.to_be_bytes());
    tail
}

/// `key`'s acceptance of an operation of `kind` of account `acct` whose body without acceptances is
/// `body`: Ed25519 over `CTX_ACCEPTANCE ‖ 0x00 ‖ acct ‖ key ‖ H(body) ‖ kind ‖ 0x00 ‖ tail`, `tail`
/// being [`genesis_tail`] for a genesis and empty otherwise.
pub(crate) fn acceptance(key: &Key, acct: &[u8], kind: &str, body: &Value, tail: &[u8]) -> Vec<u8> {
    let digest = blake3::derive_key(CTX_BODY, &crate::cbor::encode(body));
    let mut input = CTX_ACCEPTANCE.as_bytes().to_vec();
    input.push(0);
    input.extend_from_slice(acct);
    input.extend_from_slice(&key.pk);
    input.extend_from_slice(&digest);
    input.extend_from_slice(kind.as_bytes());
    input.push(0);
    input.extend_from_slice(tail);
    key.sign(&input).to_vec()
}

/// `body` with the acceptances of `keys` (in the bytewise order of their public keys).
pub(crate) fn accepted(body: &Value, acct: &[u8], kind: &str, keys: &[&Key], tail: &[u8]) -> Value {
    let mut keys = keys.to_vec();
    keys.sort_by_key(|k| k.pk);
    let sigs = keys
        .iter()
        .map(|k| b(&acceptance(k, acct, kind, body, tail)))
        .collect();
    set(body, "acceptances", a(sigs))
}

// ------------------------------------------------------------------------------------------------ operations

/// A delegation as it stands in a state: what a `delegate` operation grants.
#[derive(Clone, Debug)]
struct Grant {
    app: Vec<u8>,
    scope: Vec<String>,
    expires: u64,
    label: Option<String>,
    at: u64,
    id: Vec<u8>,
}

/// A signed operation (or, for authorization, any signed message), with the grant it makes if it is a
/// well-formed delegation.
#[derive(Clone)]
struct Op {
    m: Msg,
    grant: Option<Grant>,
}

impl Op {
    fn id(&self) -> &[u8] {
        &self.m.id
    }

    /// The body of the operation's message.
    fn m_body(&self) -> Value {
        self.m.body.clone()
    }
}

/// The account id a genesis names (ID-3 over its header bytes).
fn acct_of(genesis: &Op) -> Vec<u8> {
    blake3::derive_key(CTX_ACCOUNT, &genesis.m.header).to_vec()
}

/// One signing key and its history.
struct Chain {
    key: Key,
    seq: u64,
    prev: Option<Vec<u8>>,
}

/// The roots and the witness keys of a state.
type KeysAfter = (Vec<Vec<u8>>, Vec<Vec<u8>>);

/// The keys of one vector, each with its own seq/prev history.
struct W {
    vid: String,
    chains: BTreeMap<String, Chain>,
    /// A `supersedes` for the next operation built (06 §5.2).
    sup: Option<Vec<u8>>,
    /// Per operation built: the roots and witness keys of the state after it (for ACCT-10's "new").
    keys_after: BTreeMap<Vec<u8>, KeysAfter>,
    /// Build the next operation without acceptances (ACCT-10 defects).
    bare: bool,
}

impl W {
    fn new(vid: &str) -> W {
        W {
            vid: vid.to_string(),
            chains: BTreeMap::new(),
            sup: None,
            keys_after: BTreeMap::new(),
            bare: false,
        }
    }

    fn chain(&mut self, name: &str) -> &mut Chain {
        let vid = self.vid.clone();
        self.chains
            .entry(name.to_string())
            .or_insert_with(|| Chain {
                key: Key::from_label(&format!("accounts/{vid}/{name}")),
                seq: 0,
                prev: None,
            })
    }

    fn pk(&mut self, name: &str) -> Vec<u8> {
        self.chain(name).key.pk.to_vec()
    }

    fn pks(&mut self, names: &[&str]) -> Vec<Vec<u8>> {
        names.iter().map(|n| self.pk(n)).collect()
    }

    /// The next message of `signer`'s history.
    fn msg(&mut self, signer: &str, acct: &[u8], kind: &str, time: u64, body: Value) -> Msg {
        let c = self.chain(signer);
        let msg = sign(&c.key, acct, c.seq + 1, c.prev.as_deref(), kind, time, body);
        c.seq += 1;
        c.prev = Some(msg.id.clone());
        msg
    }

    /// A message of `signer` at an explicit place (a fork of its history); the history is not advanced.
    #[allow(clippy::too_many_arguments)]
    fn msg_at(
        &mut self,
        signer: &str,
        seq: u64,
        prev: Option<&[u8]>,
        acct: &[u8],
        kind: &str,
        time: u64,
        body: Value,
    ) -> Msg {
        let key = self.chain(signer).key.clone();
        sign(&key, acct, seq, prev, kind, time, body)
    }

    fn op(&mut self, signer: &str, acct: &[u8], kind: &str, time: u64, body: Value) -> Op {
        let body = match self.sup.take() {
            Some(x) => set(&body, "supersedes", b(&x)),
            None => body,
        };
        let (new, after) = self.new_keys(kind, &body);
        let body = if std::mem::take(&mut self.bare) || get(&body, "acceptances").is_some() {
            body
        } else {
            let keys: Vec<Key> = new
                .iter()
                .filter_map(|pk| self.chains.values().find(|c| c.key.pk[..] == pk[..]))
                .map(|c| c.key.clone())
                .collect();
            let tail = if kind == "genesis" {
                genesis_tail(&self.pk(signer), time)
            } else {
                Vec::new()
            };
            if keys.is_empty() {
                body
            } else {
                accepted(&body, acct, kind, &keys.iter().collect::<Vec<_>>(), &tail)
            }
        };
        let m = self.msg(signer, acct, kind, time, body);
        self.keys_after.insert(m.id.clone(), after);
        Op { m, grant: None }
    }

    /// The keys an operation of `kind` with `body` newly names (ACCT-10), and the roots and witness
    /// keys of the state after it (as far as the operations built here tell).
    fn new_keys(&self, kind: &str, body: &Value) -> (Vec<Vec<u8>>, KeysAfter) {
        let roots = key_list(get(body, "roots"));
        let named = get(body, "witnesses").map(|w| key_list(get(w, "keys")));
        let parent = match get(body, "after") {
            Some(Value::B(p)) => self.keys_after.get(p).cloned().unwrap_or_default(),
            _ => Default::default(),
        };
        match kind {
            "genesis" => {
                let wits = named.unwrap_or_default();
                let new = roots.iter().chain(&wits).cloned().collect();
                (new, (roots, wits))
            }
            "roots" => {
                // With a commitment (06 §5.8), every root of the list accepts, kept ones included.
                let committing = get(body, "next").is_some();
                let mut new: Vec<Vec<u8>> = roots
                    .iter()
                    .filter(|k| committing || !parent.0.contains(k))
                    .cloned()
                    .collect();
                if let Some(wits) = &named {
                    new.extend(wits.iter().filter(|k| !parent.1.contains(k)).cloned());
                }
                let wits = named.unwrap_or(parent.1);
                (new, (roots, wits))
            }
            "delegate" => (
                key_list(Some(&a(get(body, "app").into_iter().cloned().collect()))),
                parent,
            ),
            // ACCT-10, ACCT-14: every key of the list a committed deactivation or successor reveals.
            "deactivate" | "successor" => (roots, parent),
            _ => (Vec::new(), parent),
        }
    }

    /// The signing keys named `names`.
    fn keys(&mut self, names: &[&str]) -> Vec<Key> {
        names.iter().map(|n| self.chain(n).key.clone()).collect()
    }

    /// The next operation built carries no acceptances.
    fn bare(&mut self) -> &mut W {
        self.bare = true;
        self
    }

    /// The next operation built names `x` in `supersedes`.
    fn sup(&mut self, x: &Op) -> &mut W {
        self.sup = Some(x.id().to_vec());
        self
    }

    /// An `enckey` operation at an explicit place in `signer`'s history, naming `supersedes`.
    #[allow(clippy::too_many_arguments)]
    fn enckey_at(
        &mut self,
        signer: &str,
        seq: u64,
        acct: &[u8],
        after: &[u8],
        key: &[u8],
        version: u64,
        supersedes: &[u8],
        time: u64,
    ) -> Op {
        let body = m(vec![
            ("after", b(after)),
            ("key", b(key)),
            ("version", u(version)),
            ("supersedes", b(supersedes)),
        ]);
        let prev = rid(&format!("accounts: a fork of {signer}'s history at {seq}"));
        Op {
            m: self.msg_at(signer, seq, Some(&prev), acct, "enckey", time, body),
            grant: None,
        }
    }

    fn genesis(&mut self, signer: &str, roots: &[&str], time: u64) -> Op {
        let r = self.pks(roots);
        self.op(
            signer,
            &[0; 32],
            "genesis",
            time,
            m(vec![("roots", keys_v(&r))]),
        )
    }

    fn roots(&mut self, signer: &str, acct: &[u8], after: &[u8], roots: &[&str], time: u64) -> Op {
        let r = self.pks(roots);
        let body = m(vec![("after", b(after)), ("roots", keys_v(&r))]);
        self.op(signer, acct, "roots", time, body)
    }

    /// The `next` value committing to the root list `names` (ACCT-14, 06 §5.8):
    /// `H("skylark v1 next roots", the CBOR array of the keys)`.
    fn commit(&mut self, names: &[&str]) -> Value {
        let r = self.pks(names);
        b(&blake3::derive_key(CTX_NEXT_ROOTS, &encode(&keys_v(&r))))
    }

    /// A genesis of `roots` committed to the next roots `next` (ACCT-14).
    fn genesis_next(&mut self, roots: &[&str], next: &[&str], time: u64) -> Op {
        let r = self.pks(roots);
        let body = m(vec![("roots", keys_v(&r)), ("next", self.commit(next))]);
        self.op(roots[0], &[0; 32], "genesis", time, body)
    }

    /// A `roots` operation committed to the next roots `next` (ACCT-14).
    #[allow(clippy::too_many_arguments)]
    fn roots_next(
        &mut self,
        signer: &str,
        acct: &[u8],
        after: &[u8],
        roots: &[&str],
        next: &[&str],
        time: u64,
    ) -> Op {
        let r = self.pks(roots);
        let body = m(vec![
            ("after", b(after)),
            ("roots", keys_v(&r)),
            ("next", self.commit(next)),
        ]);
        self.op(signer, acct, "roots", time, body)
    }

    /// The `witnesses` value of keys `names` (sorted bytewise, as ACCT-15 requires) and threshold `t`.
    fn witness_value(&mut self, names: &[&str], t: u64) -> Value {
        let mut keys = self.pks(names);
        keys.sort();
        m(vec![("keys", keys_v(&keys)), ("threshold", u(t))])
    }

    /// A genesis naming witnesses `names` with threshold `t` (06 §8.6).
    fn genesis_w(&mut self, signer: &str, roots: &[&str], names: &[&str], t: u64, time: u64) -> Op {
        let r = self.pks(roots);
        let wv = self.witness_value(names, t);
        self.op(
            signer,
            &[0; 32],
            "genesis",
            time,
            m(vec![("roots", keys_v(&r)), ("witnesses", wv)]),
        )
    }

    /// A `roots` operation with an explicit `witnesses` value.
    fn roots_w(
        &mut self,
        signer: &str,
        acct: &[u8],
        after: &[u8],
        roots: &[&str],
        witnesses: Value,
        time: u64,
    ) -> Op {
        let r = self.pks(roots);
        let body = m(vec![
            ("after", b(after)),
            ("roots", keys_v(&r)),
            ("witnesses", witnesses),
        ]);
        self.op(signer, acct, "roots", time, body)
    }

    /// A receipt by witness key `witness` over operation `op` of account `acct` (06 §8.6).
    fn receipt(&mut self, witness: &str, acct: &[u8], op: &Op, time: u64) -> Op {
        let body = m(vec![("op", b(op.id()))]);
        Op {
            m: self.msg(witness, acct, "receipt", time, body),
            grant: None,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn delegate(
        &mut self,
        signer: &str,
        acct: &[u8],
        after: &[u8],
        app: &str,
        scope: &[&str],
        expires: u64,
        label: Option<&str>,
        time: u64,
    ) -> Op {
        let app_pk = self.pk(app);
        let mut body = m(vec![
            ("after", b(after)),
            ("app", b(&app_pk)),
            ("scope", texts(scope)),
            ("expires", u(expires)),
        ]);
        if let Some(l) = label {
            body = set(&body, "label", t(l));
        }
        let mut op = self.op(signer, acct, "delegate", time, body);
        op.grant = Some(Grant {
            app: app_pk,
            scope: scope.iter().map(|s| s.to_string()).collect(),
            expires,
            label: label.map(str::to_string),
            at: time,
            id: op.m.id.clone(),
        });
        op
    }

    fn revoke(
        &mut self,
        signer: &str,
        acct: &[u8],
        after: &[u8],
        app: &str,
        cutoff: Option<(u64, &[u8])>,
        time: u64,
    ) -> Op {
        let app_pk = self.pk(app);
        let mut body = m(vec![("after", b(after)), ("app", b(&app_pk))]);
        if let Some((seq, id)) = cutoff {
            body = set(&body, "cutoff", m(vec![("id", b(id)), ("seq", u(seq))]));
        }
        self.op(signer, acct, "revoke", time, body)
    }

    fn enckey(
        &mut self,
        signer: &str,
        acct: &[u8],
        after: &[u8],
        key: &[u8],
        version: u64,
        time: u64,
    ) -> Op {
        let body = m(vec![
            ("after", b(after)),
            ("key", b(key)),
            ("version", u(version)),
        ]);
        self.op(signer, acct, "enckey", time, body)
    }

    /// A `successor` operation naming account `to` (ACCT-12).
    fn successor(&mut self, signer: &str, acct: &[u8], after: &[u8], to: &[u8], time: u64) -> Op {
        let body = m(vec![("after", b(after)), ("to", b(to))]);
        self.op(signer, acct, "successor", time, body)
    }

    /// A genesis of `roots` naming `from` as its predecessor (ACCT-13).
    fn genesis_after(&mut self, roots: &[&str], from: &[u8], time: u64) -> Op {
        let r = self.pks(roots);
        let body = m(vec![("roots", keys_v(&r)), ("predecessor", b(from))]);
        self.op(roots[0], &[0; 32], "genesis", time, body)
    }

    /// A `deactivate` operation (ACCT-11).
    fn deactivate(&mut self, signer: &str, acct: &[u8], after: &[u8], time: u64) -> Op {
        self.op(
            signer,
            acct,
            "deactivate",
            time,
            m(vec![("after", b(after))]),
        )
    }

    /// A `deactivate` (or, with `to`, a `successor`) naming the list `list` it reveals
    /// (ACCT-14, 06 §5.8).
    #[allow(clippy::too_many_arguments)]
    fn revealing(
        &mut self,
        signer: &str,
        acct: &[u8],
        after: &[u8],
        to: Option<&[u8]>,
        list: &[&str],
        time: u64,
    ) -> Op {
        let r = self.pks(list);
        let mut body = m(vec![("after", b(after)), ("roots", keys_v(&r))]);
        let kind = match to {
            Some(to) => {
                body = set(&body, "to", b(to));
                "successor"
            }
            None => "deactivate",
        };
        self.op(signer, acct, kind, time, body)
    }

    /// A social message of `signer` (the next one of its history).
    fn post(&mut self, signer: &str, acct: &[u8], time: u64, text: &str) -> Msg {
        self.msg(signer, acct, "post", time, m(vec![("text", t(text))]))
    }
}

/// A delegate body with the given values (for defects).
fn delegate_body(after: &[u8], app: &[u8], scope: Value, expires: Value) -> Value {
    m(vec![
        ("after", b(after)),
        ("app", b(app)),
        ("scope", scope),
        ("expires", expires),
    ])
}

/// The genesis of a vector's account, signed by `roots[0]` at T0, and the account id.
fn base(vid: &str, roots: &[&str]) -> (W, Op, Vec<u8>) {
    let mut w = W::new(vid);
    let g = w.genesis(roots[0], roots, T0);
    let acct = acct_of(&g);
    (w, g, acct)
}

/// Of two operations, the one with the smaller id (the same-key leaf tie-break of 06 §8.1).
/// The one of `x`, `y` with the larger id.
fn larger<'a>(x: &'a Op, y: &'a Op) -> &'a Op {
    if x.id() > y.id() {
        x
    } else {
        y
    }
}

fn smaller<'a>(x: &'a Op, y: &'a Op) -> &'a Op {
    if x.id() < y.id() {
        x
    } else {
        y
    }
}

/// An X25519 public key (any 32 bytes; not checked).
fn enc_key(label: &str) -> Vec<u8> {
    rid(&format!("accounts enc key {label}"))
}

// ------------------------------------------------------------------------------------------------ states

#[derive(Clone)]
enum Rev {
    None,
    All,
    After(u64, Vec<u8>),
    /// Two cutoffs in force (06 §8.4), in (seq, id) order: each must keep a message.
    Cutoffs(Vec<(u64, Vec<u8>)>),
}

/// A declared head state.
struct St {
    account: Vec<u8>,
    head: Vec<u8>,
    roots: Vec<Vec<u8>>,
    apps: Vec<(Grant, Rev)>,
    enc: Option<(Vec<u8>, u64)>,
    contested: Vec<Vec<u8>>,
    /// The witness set in force at the head (06 §8.6): keys (any order; sorted on output) and
    /// threshold.
    witnesses: Option<(Vec<Vec<u8>>, u64)>,
    /// The last final operation of the chain.
    last_final: Option<Vec<u8>>,
    duplicitous: Vec<Vec<u8>>,
    /// The effective time of the deactivation (ACCT-11).
    deactivated: Option<u64>,
    /// The account this one moved to (ACCT-13).
    moved_to: Option<Vec<u8>>,
}

fn st(account: &[u8], head: &Op, roots: Vec<Vec<u8>>) -> St {
    St {
        account: account.to_vec(),
        head: head.id().to_vec(),
        roots,
        apps: Vec::new(),
        enc: None,
        contested: Vec::new(),
        witnesses: None,
        last_final: None,
        duplicitous: Vec::new(),
        deactivated: None,
        moved_to: None,
    }
}

impl St {
    fn app(self, delegation: &Op) -> St {
        self.app_rev(delegation, Rev::None)
    }
    fn app_rev(mut self, delegation: &Op, rev: Rev) -> St {
        let g = delegation.grant.clone().expect("a delegation");
        self.apps.push((g, rev));
        self
    }
    fn enc(mut self, key: &[u8], version: u64) -> St {
        self.enc = Some((key.to_vec(), version));
        self
    }
    fn witnessed(mut self, keys: Vec<Vec<u8>>, threshold: u64) -> St {
        self.witnesses = Some((keys, threshold));
        self
    }
    fn last_final(mut self, op: &Op) -> St {
        self.last_final = Some(op.id().to_vec());
        self
    }
    fn moved_to(mut self, account: &[u8]) -> St {
        self.moved_to = Some(account.to_vec());
        self
    }

    fn deactivated(mut self, time: u64) -> St {
        self.deactivated = Some(time);
        self
    }

    fn duplicitous(mut self, keys: Vec<Vec<u8>>) -> St {
        self.duplicitous = keys;
        self
    }
    fn contested(mut self, ops: &[&Op]) -> St {
        assert!(ops.len() >= 2);
        self.contested = ops.iter().map(|o| o.id().to_vec()).collect();
        self
    }

    fn to_json(&self) -> J {
        let mut apps = self.apps.clone();
        apps.sort_by(|x, y| x.0.app.cmp(&y.0.app));
        for w in apps.windows(2) {
            assert!(w[0].0.app != w[1].0.app, "an app key twice in a state");
        }
        let mut contested = self.contested.clone();
        contested.sort();
        obj(vec![
            ("account", J::S(hex(&self.account))),
            ("head", J::S(hex(&self.head))),
            (
                "roots",
                J::A(self.roots.iter().map(|r| J::S(hex(r))).collect()),
            ),
            (
                "apps",
                J::A(
                    apps.iter()
                        .map(|(g, rev)| {
                            obj(vec![
                                ("key", J::S(hex(&g.app))),
                                ("scope", strs(&g.scope)),
                                ("expires", J::U(g.expires)),
                                ("label", J::from(g.label.clone())),
                                ("delegated_at", J::U(g.at)),
                                ("delegation", J::S(hex(&g.id))),
                                (
                                    "revocation",
                                    match rev {
                                        Rev::None => J::Null,
                                        Rev::All => J::from("all"),
                                        Rev::After(seq, id) => {
                                            obj(vec![("seq", J::U(*seq)), ("id", J::S(hex(id)))])
                                        }
                                        Rev::Cutoffs(cuts) => J::A(
                                            cuts.iter()
                                                .map(|(seq, id)| {
                                                    obj(vec![
                                                        ("seq", J::U(*seq)),
                                                        ("id", J::S(hex(id))),
                                                    ])
                                                })
                                                .collect(),
                                        ),
                                    },
                                ),
                            ])
                        })
                        .collect(),
                ),
            ),
            (
                "encryption",
                match &self.enc {
                    None => J::Null,
                    Some((k, v)) => obj(vec![("key", J::S(hex(k))), ("version", J::U(*v))]),
                },
            ),
            (
                "contested",
                J::A(contested.iter().map(|c| J::S(hex(c))).collect()),
            ),
            (
                "witnesses",
                match &self.witnesses {
                    None => J::Null,
                    Some((keys, t)) => {
                        let mut keys = keys.clone();
                        keys.sort();
                        obj(vec![
                            ("keys", J::A(keys.iter().map(|k| J::S(hex(k))).collect())),
                            ("threshold", J::U(*t)),
                        ])
                    }
                },
            ),
            (
                "final",
                self.last_final.as_ref().map_or(J::Null, |f| J::S(hex(f))),
            ),
            ("duplicitous", {
                let mut d = self.duplicitous.clone();
                d.sort();
                J::A(d.iter().map(|k| J::S(hex(k))).collect())
            }),
            ("deactivated", self.deactivated.map_or(J::Null, J::U)),
            (
                "moved_to",
                self.moved_to.as_ref().map_or(J::Null, |a| J::S(hex(a))),
            ),
        ])
    }
}

// ------------------------------------------------------------------------------------------------ output

const VALID: &str = "valid";
const WAITING: &str = "waiting";

/// An expected authorization outcome.
#[derive(Clone)]
enum Exp {
    Authorized,
    Denied(&'static str),
    MissingAccount(Vec<u8>),
    MissingMessage(Vec<u8>),
    /// An operation message with no status (never applied, or only stripped): 06 §9.3.
    MissingKeyAuthorization,
}

#[derive(Default)]
struct Out {
    vectors: Vec<J>,
    /// For the next `auth` vector: the capability asked about (AUTH-7) instead of the message's own
    /// authorization.
    capability: Option<&'static str>,
}

impl Out {
    fn head(id: &str, description: &str, rules: &[&str], ty: &str) -> Vec<(String, J)> {
        assert!(!rules.is_empty(), "{id}: no rule");
        for r in rules {
            assert!(
                RULES.contains(r) || r.starts_with("GEN-"),
                "{id}: unknown rule {r}"
            );
        }
        vec![
            (
                "id".to_string(),
                // The threat scenarios of issue 14 keep their own prefix (`threat-…`).
                J::S(if id.starts_with("threat-") {
                    id.to_string()
                } else {
                    format!("acct-{id}")
                }),
            ),
            ("description".to_string(), J::from(description)),
            ("rules".to_string(), strs(rules)),
            ("type".to_string(), J::from(ty)),
        ]
    }

    /// An operations vector: every operation with its declared final status, and the declared head state
    /// of the account (None iff its genesis is not valid).
    fn ops(
        &mut self,
        id: &str,
        description: &str,
        rules: &[&str],
        ops: &[(&Op, &str)],
        state: Option<St>,
    ) {
        let entries: Vec<(&[u8], &[u8], &str)> = ops
            .iter()
            .map(|(op, status)| (op.id(), op.m.full.as_slice(), *status))
            .collect();
        self.ops_bytes(id, description, rules, &entries, state);
    }

    /// An operations vector from (id, message bytes, status) entries: the bytes may be a stripped
    /// remainder or a message that is not an operation, which have no status (06 §7.1) and are
    /// declared with the code `verify_operation` reports for them (`acct.stripped`,
    /// `acct.not_an_operation`).
    fn ops_bytes(
        &mut self,
        id: &str,
        description: &str,
        rules: &[&str],
        entries: &[(&[u8], &[u8], &str)],
        state: Option<St>,
    ) {
        // Several operations, whose statuses the tests check in several orders of application: the
        // vector also pins order independence (GEN-4, 00 §7).
        let mut rules = rules.to_vec();
        if entries.len() >= 2 {
            rules.push("GEN-4");
        }
        let mut members = Out::head(id, description, &rules, "operations");
        let mut seen = Vec::new();
        for (op_id, _, status) in entries {
            assert!(
                *status == VALID || *status == WAITING || OP_CODES.contains(status),
                "{id}: status {status}"
            );
            assert!(!seen.contains(op_id), "{id}: an operation twice");
            seen.push(*op_id);
        }
        members.push((
            "operations".to_string(),
            J::A(
                entries
                    .iter()
                    .map(|(_, bytes, status)| {
                        obj(vec![
                            ("message", J::S(hex(bytes))),
                            ("status", J::from(*status)),
                        ])
                    })
                    .collect(),
            ),
        ));
        if let Some(s) = state {
            members.push(("state".to_string(), s.to_json()));
        }
        self.vectors.push(J::O(members));
    }

    /// An authorization vector: `message` (whole or stripped bytes) asked about after applying `ops`, with
    /// the headers of `known` available to lookups.
    #[allow(clippy::too_many_arguments)]
    fn auth(
        &mut self,
        id: &str,
        description: &str,
        rules: &[&str],
        ops: &[&Op],
        known: &[&[u8]],
        message: &[u8],
        exp: Exp,
    ) {
        let mut members = Out::head(id, description, rules, "authorization");
        members.push((
            "account_operations".to_string(),
            J::A(ops.iter().map(|o| J::S(hex(&o.m.full))).collect()),
        ));
        members.push((
            "known".to_string(),
            J::A(known.iter().map(|k| J::S(hex(k))).collect()),
        ));
        members.push(("message".to_string(), J::S(hex(message))));
        if let Some(c) = self.capability.take() {
            members.push(("capability".to_string(), J::from(c)));
        }
        let expected = match exp {
            Exp::Authorized => J::from("authorized"),
            Exp::Denied(code) => {
                assert!(
                    AUTH_CODES.contains(&code) || OP_CODES.contains(&code),
                    "{id}: {code}"
                );
                J::from(code)
            }
            Exp::MissingAccount(x) => {
                obj(vec![("missing", "account".into()), ("id", J::S(hex(&x)))])
            }
            Exp::MissingMessage(x) => {
                obj(vec![("missing", "message".into()), ("id", J::S(hex(&x)))])
            }
            Exp::MissingKeyAuthorization => obj(vec![("missing", "key_authorization".into())]),
        };
        members.push(("expected".to_string(), expected));
        self.vectors.push(J::O(members));
    }
}

// ------------------------------------------------------------------------------------------------ genesis

/// Builds a defective body (for the tables of single-defect cases).
type BodyFn = Box<dyn Fn(&mut W) -> Value>;
/// Turns a good body into a defective one.
type DefectFn = Box<dyn Fn(&Value, &mut W) -> Value>;
/// For a cutoff case: the message asked about, the known messages, the expected outcome.
type Pick = (Msg, Vec<Vec<u8>>, Exp);
/// For a bad-cutoff case: the cutoff's seq and id, then as `Pick`.
type BadPick = (u64, Vec<u8>, Msg, Vec<Vec<u8>>, Exp);

fn genesis(o: &mut Out) {
    let r2 = &["ACCT-2"];
    {
        let id = "genesis-one-root";
        let (mut w, g, acct) = base(id, &["r0"]);
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            "a genesis with one root, signed by it as its first message: valid; the account id is ID-3 \
             of the genesis header; the state has that root, no app keys, no encryption key",
            r2,
            &[(&g, VALID)],
            Some(st(&acct, &g, roots)),
        );
    }
    {
        let id = "genesis-four-roots";
        let (mut w, g, acct) = base(id, &["r0", "r1", "r2", "r3"]);
        let roots = w.pks(&["r0", "r1", "r2", "r3"]);
        o.ops(
            id,
            "a genesis with four roots (the most), signed by roots[0]: valid, roots kept in order",
            r2,
            &[(&g, VALID)],
            Some(st(&acct, &g, roots)),
        );
    }
    {
        let id = "genesis-namespaced-field";
        let mut w = W::new(id);
        let r = w.pks(&["r0"]);
        let g = w.op(
            "r0",
            &[0; 32],
            "genesis",
            T0,
            m(vec![
                ("roots", keys_v(&r)),
                ("com.example.note", t("ignored")),
            ]),
        );
        let acct = acct_of(&g);
        o.ops(
            id,
            "a genesis body with a dotted (namespaced) extra key: accepted and ignored",
            &["ACCT-1", "ACCT-2"],
            &[(&g, VALID)],
            Some(st(&acct, &g, r)),
        );
    }
    {
        let id = "genesis-signed-by-second-root";
        let mut w = W::new(id);
        let g = w.genesis("r1", &["r0", "r1"], T0);
        o.ops(
            id,
            "a genesis naming [r0, r1] signed by r1 (seq 1): the signer must be roots[0]",
            r2,
            &[(&g, "acct.genesis_signer")],
            None,
        );
    }
    {
        let id = "genesis-signed-by-stranger";
        let mut w = W::new(id);
        let g = w.genesis("x", &["r0"], T0);
        o.ops(
            id,
            "a genesis naming [r0] signed by a key that is not in its roots",
            r2,
            &[(&g, "acct.genesis_signer")],
            None,
        );
    }
    {
        let id = "genesis-seq-2";
        let mut w = W::new(id);
        w.post(
            "r0",
            &rid("accounts: some other account"),
            T0 - MIN,
            "earlier",
        );
        let g = w.genesis("r0", &["r0"], T0);
        assert_eq!(g.m.seq, 2);
        o.ops(
            id,
            "a genesis signed by roots[0] as its second message (seq 2, prev = its earlier post): a genesis \
             must be the first message of its first root",
            r2,
            &[(&g, "acct.genesis_signer")],
            None,
        );
    }
    {
        let id = "genesis-account-not-zero";
        let mut w = W::new(id);
        let r = w.pks(&["r0"]);
        let g = w.op(
            "r0",
            &rid("accounts: claimed account"),
            "genesis",
            T0,
            m(vec![("roots", keys_v(&r))]),
        );
        o.ops(
            id,
            "a genesis whose header acct is not 32 zero bytes",
            r2,
            &[(&g, "acct.genesis_account")],
            None,
        );
    }
    {
        let id = "genesis-account-before-signer";
        let mut w = W::new(id);
        let r = w.pks(&["r0"]);
        let g = w.op(
            "x",
            &rid("accounts: claimed account"),
            "genesis",
            T0,
            m(vec![("roots", keys_v(&r))]),
        );
        o.ops(
            id,
            "a genesis with a non-zero acct AND signed by a stranger: the account check comes first",
            r2,
            &[(&g, "acct.genesis_account")],
            None,
        );
    }
    // Body defects of a genesis signed by r0 (seq 1), roots[0] = r0 where there is a roots[0].
    let cases: Vec<(&str, &str, &str, BodyFn)> = vec![
        (
            "genesis-roots-empty",
            "roots is an empty array (1 to 4 keys)",
            "acct.body",
            Box::new(|_w| m(vec![("roots", a(vec![]))])),
        ),
        (
            "genesis-roots-five",
            "roots lists five keys (at most 4)",
            "acct.body",
            Box::new(|w| m(vec![("roots", keys_v(&w.pks(&["r0", "r1", "r2", "r3", "r4"])))])),
        ),
        (
            "genesis-roots-duplicate",
            "roots [r0, r1, r1]: a key listed twice",
            "acct.key_in_use",
            Box::new(|w| m(vec![("roots", keys_v(&w.pks(&["r0", "r1", "r1"])))])),
        ),
        (
            "genesis-roots-small-order",
            "roots [r0, a point of order 8]: SIG-4",
            "key.small_order",
            Box::new(|w| {
                m(vec![(
                    "roots",
                    keys_v(&[w.pk("r0"), unhex(ed::ORDER_8)]),
                )])
            }),
        ),
        (
            "genesis-roots-not-on-curve",
            "roots [r0, bytes that decode to no curve point]: SIG-3",
            "key.not_on_curve",
            Box::new(|w| {
                m(vec![(
                    "roots",
                    keys_v(&[w.pk("r0"), ed::first_not_on_curve().to_vec()]),
                )])
            }),
        ),
        (
            "genesis-roots-non-canonical",
            "roots [r0, a non-canonical encoding (y + p) of a large-order point]: SIG-2",
            "key.non_canonical",
            Box::new(|w| {
                m(vec![(
                    "roots",
                    keys_v(&[w.pk("r0"), ed::non_canonical_large_order().to_vec()]),
                )])
            }),
        ),
        (
            "genesis-roots-short-key",
            "roots [r0, 31 bytes]: an element of roots is checked by SIG-1 (unlike a 31-byte app, \
             which is acct.body)",
            "key.invalid_length",
            Box::new(|w| m(vec![("roots", keys_v(&[w.pk("r0"), vec![7; 31]]))])),
        ),
        (
            "genesis-roots-element-not-bytes",
            "roots [r0, a text string]",
            "acct.body",
            Box::new(|w| m(vec![("roots", a(vec![b(&w.pk("r0")), t("r1")]))])),
        ),
        (
            "genesis-roots-not-array",
            "roots is a byte string (r0's key), not an array",
            "acct.body",
            Box::new(|w| m(vec![("roots", b(&w.pk("r0")))])),
        ),
        (
            "genesis-roots-missing",
            "an empty body: roots is required",
            "acct.body",
            Box::new(|_w| m(vec![])),
        ),
        (
            "genesis-unknown-field",
            "a genesis body with an un-dotted key outside its schema (\"after\")",
            "acct.body",
            Box::new(|w| {
                m(vec![
                    ("roots", keys_v(&w.pks(&["r0"]))),
                    ("after", b(&rid("accounts: after"))),
                ])
            }),
        ),
        (
            "genesis-elements-before-duplicates",
            "roots [r0, r1, r1, a small-order point]: every element passes SIG-1..4 before the roots are \
             compared, so key.small_order and not acct.key_in_use",
            "key.small_order",
            Box::new(|w| {
                m(vec![(
                    "roots",
                    keys_v(&[w.pk("r0"), w.pk("r1"), w.pk("r1"), unhex(ed::ORDER_8)]),
                )])
            }),
        ),
    ];
    for (id, what, code, body) in cases {
        let mut w = W::new(id);
        let body = body(&mut w);
        let g = w.op("r0", &[0; 32], "genesis", T0, body);
        let rule = if code == "acct.key_in_use" {
            "ACCT-3"
        } else {
            "ACCT-1"
        };
        o.ops(
            id,
            &format!("a genesis signed by r0 whose body is defective: {what}"),
            &[rule],
            &[(&g, code)],
            None,
        );
    }
    {
        let id = "genesis-body-before-signer";
        let mut w = W::new(id);
        let g = w.op("x", &[0; 32], "genesis", T0, m(vec![("roots", a(vec![]))]));
        o.ops(
            id,
            "a genesis with an empty roots list signed by a stranger: ACCT-1 (body) comes before ACCT-2",
            &["ACCT-1", "ACCT-2"],
            &[(&g, "acct.body")],
            None,
        );
    }
}

// ------------------------------------------------------------------------------------------------ acceptances

/// The tail of an acceptance of the genesis that `r0` signs at `T0` (06 §5.5).
fn r0_tail(w: &mut W) -> Vec<u8> {
    genesis_tail(&w.pk("r0"), T0)
}

/// The proof-of-possession cases (ACCT-10, 06 §5.5): the form of `acceptances` (ACCT-1), one
/// acceptance per newly named key in every kind that names keys, and the threat of an account that
/// names a key it does not hold. Every operations vector is checked in every order of arrival.
fn acceptances(o: &mut Out) {
    let r10: &[&str] = &["ACCT-10"];
    // Genesis [r0, r1] with witnesses w1..w3 (t = 2): the acceptances value as given.
    type Given = fn(&mut W, &Value) -> Value;
    let cases: [(&str, &str, &[&str], Given, &str); 9] = [
        ("genesis-all-accept", "a genesis of roots [r0, r1] and witnesses w1..w3: each of the five keys accepts, in bytewise key order", r10,
            |w, body| { let k = w.keys(&["r0", "r1", "w1", "w2", "w3"]); accepted(body, &[0; 32], "genesis", &k.iter().collect::<Vec<_>>(), &r0_tail(w)) }, VALID),
        ("genesis-root-missing", "the second root r1 did not accept: four acceptances for five new keys", r10,
            |w, body| { let k = w.keys(&["r0", "w1", "w2", "w3"]); accepted(body, &[0; 32], "genesis", &k.iter().collect::<Vec<_>>(), &r0_tail(w)) }, "acct.acceptance_missing"),
        ("genesis-none", "no acceptances at all (the body as before ACCT-10)", r10,
            |_w, body| body.clone(), "acct.acceptance_missing"),
        ("genesis-extra", "a sixth acceptance, by a key the genesis does not name", r10,
            |w, body| { let k = w.keys(&["r0", "r1", "w1", "w2", "w3", "x"]); accepted(body, &[0; 32], "genesis", &k.iter().collect::<Vec<_>>(), &r0_tail(w)) }, "acct.acceptance_extra"),
        ("genesis-forged", "the stranger x signs in r1's place: five acceptances, one of them not r1's signature", r10,
            |w, body| {
                let (keys, x) = (w.keys(&["r0", "r1", "w1", "w2", "w3"]), w.keys(&["x"]).remove(0));
                let mut sorted = keys.clone();
                sorted.sort_by_key(|k| k.pk);
                let sigs = sorted.iter().map(|k| {
                    let by = if k.pk == keys[1].pk { &x } else { k };
                    b(&acceptance(by, &[0; 32], "genesis", body, &r0_tail(w)))
                }).collect();
                set(body, "acceptances", a(sigs))
            }, "acct.acceptance_invalid"),
        ("genesis-out-of-order", "the five acceptances in the order of the body (roots, then witnesses), not in bytewise key order", r10,
            |w, body| {
                let keys = w.keys(&["r0", "r1", "w1", "w2", "w3"]);
                let mut sorted = keys.clone();
                sorted.sort_by_key(|k| k.pk);
                assert!(sorted.iter().zip(&keys).any(|(p, q)| p.pk != q.pk), "already sorted");
                let tail = r0_tail(w);
                set(body, "acceptances", a(keys.iter().map(|k| b(&acceptance(k, &[0; 32], "genesis", body, &tail))).collect()))
            }, "acct.acceptance_invalid"),
        ("body-empty", "an empty acceptances array (1 to 12 entries, or the field absent)", &["ACCT-1"],
            |_w, body| set(body, "acceptances", a(vec![])), "acct.body"),
        ("body-short-signature", "an acceptance of 63 bytes", &["ACCT-1"],
            |_w, body| set(body, "acceptances", a(vec![b(&[7; 63])])), "acct.body"),
        ("body-not-array", "acceptances as one byte string, not an array", &["ACCT-1"],
            |_w, body| set(body, "acceptances", b(&[7; 64])), "acct.body"),
    ];
    for (name, description, rules, given, status) in cases {
        let id = format!("acceptance-{name}");
        let mut w = W::new(&id);
        let wits = w.witness_value(&["w1", "w2", "w3"], 2);
        let roots = w.pks(&["r0", "r1"]);
        let body = m(vec![("roots", keys_v(&roots)), ("witnesses", wits)]);
        let body = given(&mut w, &body);
        let g = w.bare().op("r0", &[0; 32], "genesis", T0, body);
        let acct = acct_of(&g);
        let state = (status == VALID)
            .then(|| st(&acct, &g, roots).witnessed(w.pks(&["w1", "w2", "w3"]), 2));
        o.ops(&id, description, rules, &[(&g, status)], state);
    }
    {
        let id = "threat-acceptance-genesis-reused";
        let mut w = W::new(id);
        let body = m(vec![("roots", keys_v(&w.pks(&["r0", "r1"])))]);
        let first = w.op("r0", &[0; 32], "genesis", T0, body.clone());
        // r0 makes a second account with the same roots a minute later: its own acceptance anew,
        // r1's copied from the first genesis.
        let (r0, r1) = (w.keys(&["r0"]).remove(0), w.keys(&["r1"]).remove(0));
        let copied = acceptance(&r1, &[0; 32], "genesis", &body, &r0_tail(&mut w));
        let own = acceptance(
            &r0,
            &[0; 32],
            "genesis",
            &body,
            &genesis_tail(&r0.pk, at(1)),
        );
        let sigs = if r0.pk < r1.pk {
            vec![b(&own), b(&copied)]
        } else {
            vec![b(&copied), b(&own)]
        };
        let with = set(&body, "acceptances", a(sigs));
        let second = Op {
            m: w.msg_at("r0", 1, None, &[0; 32], "genesis", at(1), with),
            grant: None,
        };
        o.ops(
            id,
            "r1 accepted a genesis of roots [r0, r1] at T0; r0 reuses r1's acceptance in a genesis of the \
             same body a minute later, to make a second account naming r1 without its consent: the \
             acceptance binds the genesis header's key and time, so it is invalid there",
            r10,
            &[(&first, VALID), (&second, "acct.acceptance_invalid")],
            Some(st(&acct_of(&first), &first, w.pks(&["r0", "r1"]))),
        );
    }
    {
        let id = "acceptance-roots-only-new-keys";
        let (mut w, g, acct, _) = witnessed(id);
        // r0 stays (no acceptance), r2 is new; w1, w2 stay, w4 is new: two acceptances.
        let wits = w.witness_value(&["w1", "w2", "w4"], 2);
        let ro = w.roots_w("r0", &acct, g.id(), &["r0", "r2"], wits, at(1));
        let e = w.enckey("r2", &acct, ro.id(), &enc_key(id), 1, at(2));
        o.ops(
            id,
            "a rotation keeps r0 and names r2, and keeps witnesses w1, w2 and names w4: only r2 and w4 \
             accept, and r2 signs next",
            r10,
            &[(&g, VALID), (&ro, VALID), (&e, VALID)],
            Some(st(&acct, &e, w.pks(&["r0", "r2"])).enc(&enc_key(id), 1).witnessed(w.pks(&["w1", "w2", "w4"]), 2)),
        );
    }
    {
        let id = "acceptance-roots-new-root-missing";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let ro = w.bare().roots("r0", &acct, g.id(), &["r0", "r2"], at(1));
        let e = w.enckey("r0", &acct, ro.id(), &enc_key(id), 1, at(2));
        o.ops(
            id,
            "a rotation names r2 without r2's acceptance; what follows it is invalid too",
            &["ACCT-10", "ACCT-4"],
            &[
                (&g, VALID),
                (&ro, "acct.acceptance_missing"),
                (&e, "acct.parent_invalid"),
            ],
            Some(st(&acct, &g, w.pks(&["r0", "r1"]))),
        );
    }
    {
        let id = "acceptance-roots-kept-root-extra";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let r1 = w.keys(&["r1"]);
        let body = m(vec![
            ("after", b(g.id())),
            ("roots", keys_v(&w.pks(&["r1", "r0"]))),
        ]);
        let body = accepted(&body, &acct, "roots", &r1.iter().collect::<Vec<_>>(), &[]);
        let ro = w.op("r0", &acct, "roots", at(1), body);
        o.ops(
            id,
            "a rotation that only reorders the roots names no new key: an acceptance by r1, already a \
             root, is one too many",
            r10,
            &[(&g, VALID), (&ro, "acct.acceptance_extra")],
            Some(st(&acct, &g, w.pks(&["r0", "r1"]))),
        );
    }
    {
        let id = "acceptance-delegate-missing";
        let (mut w, g, acct) = base(id, &["r0"]);
        let d = w
            .bare()
            .delegate("r0", &acct, g.id(), "phone", &["*"], T0 + YEAR, None, at(1));
        o.ops(
            id,
            "a delegation of the phone's key without the phone's acceptance",
            r10,
            &[(&g, VALID), (&d, "acct.acceptance_missing")],
            Some(st(&acct, &g, w.pks(&["r0"]))),
        );
    }
    {
        let id = "acceptance-delegate-other-body";
        let (mut w, g, acct) = base(id, &["r0"]);
        let phone = w.keys(&["phone"]);
        // The phone accepted a delegation expiring after a day; the root widens it to ten years.
        let agreed = delegate_body(g.id(), &phone[0].pk, texts(&["*"]), u(T0 + DAY));
        let sig = acceptance(&phone[0], &acct, "delegate", &agreed, &[]);
        let body = set(
            &delegate_body(g.id(), &phone[0].pk, texts(&["*"]), u(T0 + 10 * YEAR)),
            "acceptances",
            a(vec![b(&sig)]),
        );
        let d = w.op("r0", &acct, "delegate", at(1), body);
        o.ops(
            id,
            "the acceptance signs the whole body: the phone accepted a one-day delegation, and the root \
             signs one for ten years with that acceptance",
            r10,
            &[(&g, VALID), (&d, "acct.acceptance_invalid")],
            Some(st(&acct, &g, w.pks(&["r0"]))),
        );
    }
    // The threat: an account names a key it does not hold (a victim's app key or root), to claim its
    // messages or to make the victim's key look shared. Without the key, no acceptance; a copy of the
    // acceptance the victim gave its own account names the victim's account, not the attacker's.
    {
        let id = "threat-acceptance-foreign-key";
        let (mut w, g, acct) = base(id, &["victim-root"]);
        let d = w.delegate(
            "victim-root",
            &acct,
            g.id(),
            "victim-app",
            &["*"],
            T0 + YEAR,
            None,
            at(1),
        );
        let mut m2 = W::new(&format!("{id}/mallory"));
        let mg = m2.genesis("m0", &["m0"], T0);
        let macct = acct_of(&mg);
        let app = w.pk("victim-app");
        let copied = match get(&d.m_body(), "acceptances") {
            Some(v) => v.clone(),
            None => unreachable!("the victim's delegation carries its app's acceptance"),
        };
        let bare = delegate_body(mg.id(), &app, texts(&["*"]), u(T0 + YEAR));
        let none = m2.bare().op("m0", &macct, "delegate", at(2), bare.clone());
        let replayed = m2.op(
            "m0",
            &macct,
            "delegate",
            at(3),
            set(&bare, "acceptances", copied),
        );
        let claim = m2.bare().op(
            "m0",
            &macct,
            "roots",
            at(4),
            m(vec![
                ("after", b(mg.id())),
                ("roots", keys_v(&[w.pk("victim-root")])),
            ]),
        );
        o.ops(
            id,
            "mallory's account names the victim's app key and root without holding them: with no \
             acceptance, and with the acceptance the victim's app gave the victim's own account (it signs \
             the victim's account id and body); the victim's account is untouched",
            &["ACCT-10", "ACCT-3"],
            &[(&g, VALID), (&d, VALID), (&mg, VALID), (&none, "acct.acceptance_missing"), (&replayed, "acct.acceptance_invalid"), (&claim, "acct.acceptance_missing")],
            Some(st(&acct, &d, w.pks(&["victim-root"])).app(&d)),
        );
    }
    {
        let id = "acceptance-one-key-two-accounts";
        let (mut w, g, acct) = base(id, &["r0"]);
        let d = w.delegate(
            "r0",
            &acct,
            g.id(),
            "shared",
            &["*"],
            T0 + YEAR,
            None,
            at(1),
        );
        let g2 = w.genesis("s0", &["s0"], T0);
        let acct2 = acct_of(&g2);
        let d2 = w.delegate(
            "s0",
            &acct2,
            g2.id(),
            "shared",
            &["*"],
            T0 + YEAR,
            None,
            at(2),
        );
        o.ops(
            id,
            "one key accepted by two accounts, each with its own acceptance: both delegations are valid \
             (refusing the second would depend on arrival order); each of its messages names its account \
             in the signed header",
            r10,
            &[(&g, VALID), (&d, VALID), (&g2, VALID), (&d2, VALID)],
            Some(st(&acct, &d, w.pks(&["r0"])).app(&d)),
        );
    }
}

// ------------------------------------------------------------------------------------------------ deactivation

/// The deactivation cases (ACCT-11, 06 §5.6): a deactivation is an ordinary operation of the fork
/// choice, and the account is deactivated iff its head is one (final, if its parent names
/// witnesses). What follows a deactivation, siblings, a deactivation out-ranked, superseded or signed
/// by a key that retired itself or was removed, receipts, the form, and the authorization of
/// messages before, at and after the effective time. Every operations vector is checked in every
/// order of arrival.
fn deactivation(o: &mut Out) {
    let r11: &[&str] = &["ACCT-11"];
    let r115: &[&str] = &["ACCT-11", "ACCT-5"];
    {
        let id = "deactivate";
        let mut x = acc(id);
        let acct = x.acct.clone();
        let end = x.w.deactivate("r1", &acct, x.laptop.id(), at(5));
        let after = x.w.enckey("r1", &acct, end.id(), &enc_key(id), 1, at(6));
        o.ops(
            id,
            "r1 deactivates the account after the laptop's delegation: the deactivation is the head and \
             takes effect at its own time; an operation that follows it is invalid",
            r11,
            &[(&x.g, VALID), (&x.phone, VALID), (&x.laptop, VALID), (&end, VALID), (&after, "acct.deactivated")],
            Some(st(&acct, &end, x.w.pks(&["r0", "r1"])).app(&x.phone).app(&x.laptop).deactivated(at(5))),
        );
    }
    // Two deactivations beside each other after a delegation at +1 min: siblings under the usual
    // rule. (id, description, signer and minutes of the first, of the second.)
    type Signed<'a> = (&'a str, u64);
    let siblings: [(&str, &str, Signed, Signed); 2] = [
        (
            "deactivate-siblings",
            "r1 deactivates at +9 min, r0 beside it claiming T0, before its parent: r0 out-ranks r1, so \
             r0's deactivation is the head, effective at its own time T0 (the signer picks it)",
            ("r1", 9),
            ("r0", 0),
        ),
        (
            "deactivate-siblings-one-key",
            "r1 deactivates twice beside itself (+3 and +4 min, two devices): a tie of one key's leaves, \
             the smaller id is the head and its own time counts",
            ("r1", 3),
            ("r1", 4),
        ),
    ];
    for (id, description, (s1, m1), (s2, m2)) in siblings {
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let d = w.delegate("r1", &acct, g.id(), "phone", &["*"], T0 + YEAR, None, at(1));
        let time = |minutes: u64| if minutes == 0 { T0 } else { at(minutes) };
        let first = w.deactivate(s1, &acct, d.id(), time(m1));
        let second = w.deactivate(s2, &acct, d.id(), time(m2));
        let head = if s1 != s2 {
            &second
        } else {
            smaller(&first, &second)
        };
        o.ops(
            id,
            description,
            r115,
            &[(&g, VALID), (&d, VALID), (&first, VALID), (&second, VALID)],
            Some(
                st(&acct, head, w.pks(&["r0", "r1"]))
                    .app(&d)
                    .deactivated(head.m.time),
            ),
        );
    }
    {
        let id = "deactivate-outranked";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let d = w.delegate("r1", &acct, g.id(), "phone", &["*"], T0 + YEAR, None, at(1));
        let end = w.deactivate("r1", &acct, g.id(), at(2));
        let endorse = w.enckey("r0", &acct, d.id(), &enc_key(id), 1, at(3));
        o.ops(
            id,
            "r1 deactivates beside its own delegation; r0 signs below the delegation, whose branch now \
             out-ranks the deactivation's: the head is r0's operation and the account is not \
             deactivated (how the owner's recovery root undoes a thief's deactivation)",
            r115,
            &[(&g, VALID), (&d, VALID), (&end, VALID), (&endorse, VALID)],
            Some(st(&acct, &endorse, w.pks(&["r0", "r1"])).app(&d).enc(&enc_key(id), 1)),
        );
    }
    {
        let id = "deactivate-superseded";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let end = w.deactivate("r1", &acct, g.id(), at(1));
        let retry = w
            .sup(&end)
            .enckey("r1", &acct, g.id(), &enc_key(id), 1, at(2));
        o.ops(
            id,
            "an enckey by the same key beside a deactivation names it in supersedes: like any leaf of \
             its signer, the deactivation is superseded and the account is not deactivated",
            r115,
            &[(&g, VALID), (&end, VALID), (&retry, VALID)],
            Some(st(&acct, &retry, w.pks(&["r0", "r1"])).enc(&enc_key(id), 1)),
        );
    }
    {
        let id = "threat-deactivate-retired-root";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let retire = w.roots("r0", &acct, g.id(), &["r2", "r1"], at(1));
        let end = w.deactivate("r0", &acct, g.id(), at(100));
        o.ops(
            id,
            "years after r0 retired itself, its leaked key deactivates the account beside the retirement: \
             the deactivation is valid but loses the fork choice, r0 counting only under its retirement \
             (06 §8.1)",
            r115,
            &[(&g, VALID), (&retire, VALID), (&end, VALID)],
            Some(st(&acct, &retire, w.pks(&["r2", "r1"]))),
        );
    }
    // A root that another root removed signs a deactivation as a child of an operation where it was
    // still a root, dated just after that operation. (id, description, the deactivation follows the
    // genesis rather than the phone's delegation.)
    let removed: [(&str, &str, bool); 2] = [
        (
            "threat-deactivate-removed-root-backdated",
            "r0 rotates r1 out ([r0, r2]) after the phone's delegation; a thief with the removed r1 \
             signs a deactivation as a child of the genesis, dated just after it: valid, but r0's \
             signature below the delegation out-ranks it, so it has no effect",
            true,
        ),
        (
            "threat-deactivate-removed-root-sibling",
            "r0 rotates r1 out ([r0, r2]) after the phone's delegation; a thief with the removed r1 \
             signs a deactivation beside the rotation: r0 out-ranks r1 there, no effect",
            false,
        ),
    ];
    for (id, description, at_genesis) in removed {
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let d = w.delegate("r1", &acct, g.id(), "phone", &["*"], T0 + YEAR, None, at(1));
        let rotate = w.roots("r0", &acct, d.id(), &["r0", "r2"], at(2));
        let parent = if at_genesis { &g } else { &d };
        let end = w.deactivate("r1", &acct, parent.id(), parent.m.time + 1);
        o.ops(
            id,
            description,
            &["ACCT-11", "ACCT-5", "ACCT-4"],
            &[(&g, VALID), (&d, VALID), (&rotate, VALID), (&end, VALID)],
            Some(st(&acct, &rotate, w.pks(&["r0", "r2"])).app(&d)),
        );
    }
    {
        let id = "threat-deactivate-removed-root-backdated-post";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let d = w.delegate("r1", &acct, g.id(), "phone", &["*"], T0 + YEAR, None, at(1));
        let rotate = w.roots("r0", &acct, d.id(), &["r0", "r2"], at(2));
        let end = w.deactivate("r1", &acct, g.id(), T0 + 1);
        let msg = w.post("phone", &acct, at(3), "still here");
        o.auth(
            id,
            "the removed r1's deactivation beside the genesis does not count: the phone's post at +3 min \
             is authorized",
            &["ACCT-11", "ACCT-5"],
            &[&g, &d, &rotate, &end],
            &[],
            &msg.full,
            Exp::Authorized,
        );
    }
    // The owner deactivates; a thief of r1 signs r1's self-retirement (roots [x]) beside it. (id,
    // description, signer of the deactivation, witnesses receipt it.)
    let undone: [(&str, &str, &str, bool); 3] = [
        (
            "threat-deactivate-undone-by-thief-retirement",
            "the owner deactivates with r0; a thief of r1 retires r1 beside it, handing the roots to his \
             key x: r0 out-ranks r1, the deactivation stays the head",
            "r0",
            false,
        ),
        (
            "threat-deactivate-undone-by-thief-retirement-witnessed",
            "the owner deactivates with r1 and two of three witnesses receipt it; a thief of r1 retires \
             r1 beside it: the final deactivation is the head whatever the strengths",
            "r1",
            true,
        ),
        (
            "deactivate-same-key-retirement",
            "the owner deactivates with r1 in an account without witnesses; a thief of r1 retires r1 \
             beside it: r1 now counts only under the retirement, which wins; the remedy is r0 (06 §5.6)",
            "r1",
            false,
        ),
    ];
    for (id, description, signer, receipted) in undone {
        let (mut w, g, acct) = if receipted {
            let (w, g, acct, _) = witnessed(id);
            (w, g, acct)
        } else {
            base(id, &["r0", "r1"])
        };
        let end = w.deactivate(signer, &acct, g.id(), at(5));
        let thief = w.roots("r1", &acct, g.id(), &["x"], at(6));
        let mut ops = vec![
            (g.clone(), VALID),
            (end.clone(), VALID),
            (thief.clone(), VALID),
        ];
        let state = if receipted {
            ops.push((w.receipt("w1", &acct, &end, at(7)), VALID));
            ops.push((w.receipt("w2", &acct, &end, at(7)), VALID));
            st(&acct, &end, w.pks(&["r0", "r1"]))
                .witnessed(w.pks(&["w1", "w2", "w3"]), 2)
                .last_final(&end)
                .deactivated(at(5))
        } else if signer == "r0" {
            st(&acct, &end, w.pks(&["r0", "r1"])).deactivated(at(5))
        } else {
            st(&acct, &thief, w.pks(&["x"]))
        };
        let refs: Vec<(&Op, &str)> = ops.iter().map(|(op, s)| (op, *s)).collect();
        o.ops(
            id,
            description,
            &["ACCT-11", "ACCT-5", "ACCT-16"][..if receipted { 3 } else { 2 }],
            &refs,
            Some(state),
        );
    }
    // A deactivation at the head of an account whose genesis names witnesses (2 of 3): it counts
    // only once final. (id, description, witnesses that receipt it.)
    let receipted: [(&str, &str, &[&str]); 2] = [
        (
            "deactivate-receipted",
            "two of three witnesses receipt a deactivation: it is final and counts; an operation after \
             it is invalid",
            &["w1", "w2"],
        ),
        (
            "deactivate-witnessed-not-final",
            "one of three witnesses receipts a deactivation (threshold 2): it is the head but not final, \
             so the account is not deactivated yet",
            &["w1"],
        ),
    ];
    for (id, description, witnesses) in receipted {
        let (mut w, g, acct, _) = witnessed(id);
        let end = w.deactivate("r0", &acct, g.id(), at(1));
        let after = w.enckey("r1", &acct, end.id(), &enc_key(id), 1, at(3));
        let mut ops = vec![(g.clone(), VALID), (end.clone(), VALID)];
        for name in witnesses {
            ops.push((w.receipt(name, &acct, &end, at(2)), VALID));
        }
        ops.push((after, "acct.deactivated"));
        let mut state =
            st(&acct, &end, w.pks(&["r0", "r1"])).witnessed(w.pks(&["w1", "w2", "w3"]), 2);
        if witnesses.len() >= 2 {
            state = state.last_final(&end).deactivated(at(1));
        }
        let refs: Vec<(&Op, &str)> = ops.iter().map(|(op, s)| (op, *s)).collect();
        o.ops(id, description, &["ACCT-11", "ACCT-16"], &refs, Some(state));
    }
    // The witness gate (ACCT-11): in an account whose genesis names w1, w2, w3 (threshold 2), r1
    // signs a `roots` operation P beside nothing, with the same roots and a new witness set (none:
    // the opt-out; or v1 alone, threshold 1), then a deactivation D below it. D counts only if P is
    // final at the genesis. (id, description, the new set's witnesses (empty: removed), receipts
    // (witness, over D rather than P), D counts.)
    type Gate<'a> = (&'a str, &'a str, &'a [&'a str], &'a [(&'a str, bool)], bool);
    let gate: [Gate; 4] = [
        (
            "threat-deactivate-witness-optout",
            "a thief of the everyday root r1 removes the witnesses (P, dated T0) and deactivates below \
             P: D's parent names no witnesses, but P is not final at the genesis, whose set names \
             witnesses, so the deactivation has no effect until the old witnesses receipt P",
            &[],
            &[],
            false,
        ),
        (
            "threat-deactivate-witness-optout-final",
            "r1 removes the witnesses (P) and deactivates below it; w1 and w2 receipt P after the \
             settling delay: P is final at the genesis and D's parent names no witnesses, so the \
             deactivation counts",
            &[],
            &[("w1", false), ("w2", false)],
            true,
        ),
        (
            "threat-deactivate-rotation-final-at-parent",
            "r1 rotates the witnesses to v1 (P) and deactivates below it; v1 receipts D: D is final at \
             P, but P is not final at the genesis (the old witnesses never receipted), so the \
             deactivation does not count (a sibling of P by r0 could still win at the genesis)",
            &["v1"],
            &[("v1", true)],
            false,
        ),
        (
            "deactivate-rotation-final",
            "r1 rotates the witnesses to v1 (P) and deactivates below it; v1 receipts D and the old \
             w1 and w2 receipt P: every operation of the chain is final at its parent, the \
             deactivation counts",
            &["v1"],
            &[("v1", true), ("w1", false), ("w2", false)],
            true,
        ),
    ];
    for (id, description, set, receipts, counts) in gate {
        let (mut w, g, acct, _) = witnessed(id);
        let value = match set {
            [] => wv(&[], 0),
            names => w.witness_value(names, 1),
        };
        let rotate = w.roots_w("r1", &acct, g.id(), &["r0", "r1"], value, T0);
        let end = w.deactivate("r1", &acct, rotate.id(), T0);
        let mut ops = vec![
            (g.clone(), VALID),
            (rotate.clone(), VALID),
            (end.clone(), VALID),
        ];
        for (name, over_end) in receipts {
            let target = if *over_end { &end } else { &rotate };
            ops.push((w.receipt(name, &acct, target, at(1)), VALID));
        }
        let mut state = st(&acct, &end, w.pks(&["r0", "r1"]));
        if !set.is_empty() {
            state = state.witnessed(w.pks(set), 1);
        }
        let old_final = receipts.iter().filter(|(_, over_end)| !over_end).count() >= 2;
        match (old_final, receipts.iter().any(|(_, over_end)| *over_end)) {
            (true, true) => state = state.last_final(&end),
            (true, false) => state = state.last_final(&rotate),
            _ => {}
        }
        if counts {
            state = state.deactivated(T0);
        }
        let refs: Vec<(&Op, &str)> = ops.iter().map(|(op, s)| (op, *s)).collect();
        o.ops(
            id,
            description,
            &["ACCT-11", "ACCT-15", "ACCT-16"],
            &refs,
            Some(state),
        );
    }
    {
        let id = "deactivate-body";
        let (mut w, g, acct) = base(id, &["r0"]);
        let bad = w.op(
            "r0",
            &acct,
            "deactivate",
            at(1),
            m(vec![("after", b(g.id())), ("supersedes", b(g.id()))]),
        );
        o.ops(
            id,
            "a deactivation body names only after: supersedes is an unknown field there (an operation \
             beside it may still supersede it, 06 §8.1)",
            &["ACCT-1", "ACCT-11"],
            &[(&g, VALID), (&bad, "acct.body")],
            Some(st(&acct, &g, w.pks(&["r0"]))),
        );
    }
    // (name, minutes of the post, expected, the deactivation follows an enckey dated 2^53-1.)
    for (name, minutes, exp, future) in [
        ("before", 4, Exp::Authorized, false),
        ("at", 5, Exp::Denied("auth.deactivated"), false),
        ("after", 6, Exp::Denied("auth.deactivated"), false),
        ("future-parent", 6, Exp::Denied("auth.deactivated"), true),
    ] {
        let id = format!("auth-deactivated-{name}");
        let mut x = acc(&id);
        let acct = x.acct.clone();
        let mut ops = vec![&x.g, &x.phone, &x.laptop];
        let parent = future.then(|| {
            x.w.enckey("r1", &acct, x.laptop.id(), &enc_key(&id), 1, (1 << 53) - 1)
        });
        ops.extend(parent.as_ref());
        let end = x.w.deactivate(
            "r1",
            &acct,
            parent.as_ref().unwrap_or(&x.laptop).id(),
            at(5),
        );
        ops.push(&end);
        let msg = x.w.post("phone", &acct, at(minutes), "hello");
        let parent_note = if future {
            " (its parent is dated 2^53-1: the deactivation's own time counts, 06 §5.6)"
        } else {
            ""
        };
        o.auth(
            &id,
            &format!("the account is deactivated from +5 min{parent_note}; the phone posts at +{minutes} min: a time at or after the deactivation is refused"),
            &["ACCT-11"],
            &ops,
            &[],
            &msg.full,
            exp,
        );
    }
}

// ------------------------------------------------------------------------------------------------ succession

/// The successor cases (ACCT-12, ACCT-13, 06 §5.7): only the pair of a `successor` on the old
/// account's canonical chain (the last one) and a `predecessor` in the new account's genesis counts,
/// in every order of arrival.
fn succession(o: &mut Out) {
    let r13: &[&str] = &["ACCT-12", "ACCT-13"];
    // (name, description, the old side names the new account, the new genesis names the old one,
    // moved)
    let cases: [(&str, &str, bool, Option<bool>, bool); 4] = [
        ("successor-pair", "account A names B as its successor and B's genesis names A as its predecessor: A moved to B", true, Some(true), true),
        ("successor-old-side-only", "A names B, but B's genesis names no predecessor: no move", true, None, false),
        ("successor-new-side-only", "B's genesis names A as its predecessor, but A names no successor: no move (anyone can claim to succeed any account)", false, Some(true), false),
        ("successor-mismatch", "A names B, and B's genesis names another account as its predecessor: no move", true, Some(false), false),
    ];
    for (name, description, old_side, new_side, moved) in cases {
        let (mut w, g, acct) = base(name, &["r0"]);
        let other = rid(&format!("{name} other account"));
        let bg = match new_side {
            Some(true) => w.genesis_after(&["s0"], &acct, T0),
            Some(false) => w.genesis_after(&["s0"], &other, T0),
            None => w.genesis("s0", &["s0"], T0),
        };
        let b_acct = acct_of(&bg);
        let mut ops = vec![(g.clone(), VALID), (bg, VALID)];
        let mut head = g.clone();
        if old_side {
            head = w.successor("r0", &acct, g.id(), &b_acct, at(1));
            ops.push((head.clone(), VALID));
        }
        let mut state = st(&acct, &head, w.pks(&["r0"]));
        if moved {
            state = state.moved_to(&b_acct);
        }
        let refs: Vec<(&Op, &str)> = ops.iter().map(|(op, s)| (op, *s)).collect();
        o.ops(name, description, r13, &refs, Some(state));
    }
    // In an account whose genesis names w1, w2, w3 (threshold 2), r1 names B (whose genesis names
    // the account as predecessor) as successor, directly or below its own removal of the witness
    // set. The move counts only through the witness gate (06 §5.7). (id, description, the
    // witnesses are removed first, the witnesses that receipt the first operation after the
    // genesis, moved.)
    let gated: [(&str, &str, bool, &[&str], bool); 4] = [
        (
            "threat-successor-witnessed-not-final",
            "in a witnessed account, a thief of r1 names his own account B (whose genesis names the \
             victim) as successor: not final, so no move yet; the owner has the settling delay to \
             out-rank it",
            false,
            &[],
            false,
        ),
        (
            "successor-witnessed-final",
            "in a witnessed account, r1 names B as successor and w1, w2 receipt it: final, A moved to B",
            false,
            &["w1", "w2"],
            true,
        ),
        (
            "threat-successor-witness-optout",
            "a thief of r1 removes the witness set, then names his own account B as successor below \
             that: the removal is not final at the genesis, so no move",
            true,
            &[],
            false,
        ),
        (
            "threat-successor-witness-optout-final",
            "r1 removes the witness set, then names B as successor; w1 and w2 receipt the removal: it \
             is final at the genesis and the successor's parent names no witnesses, so A moved to B",
            true,
            &["w1", "w2"],
            true,
        ),
    ];
    for (id, description, optout, receipts, moved) in gated {
        let (mut w, g, acct, ws) = witnessed(id);
        let bg = w.genesis_after(&["s0"], &acct, T0);
        let b_acct = acct_of(&bg);
        let mut ops = vec![(g.clone(), VALID), (bg, VALID)];
        let mut parent = g.clone();
        if optout {
            parent = w.roots_w("r1", &acct, g.id(), &["r0", "r1"], wv(&[], 0), at(1));
            ops.push((parent.clone(), VALID));
        }
        let first = if optout { parent.clone() } else { g.clone() };
        let head = w.successor("r1", &acct, parent.id(), &b_acct, at(2));
        ops.push((head.clone(), VALID));
        let first = if optout { first } else { head.clone() };
        for name in receipts {
            ops.push((w.receipt(name, &acct, &first, at(3)), VALID));
        }
        let mut state = st(&acct, &head, w.pks(&["r0", "r1"]));
        if !optout {
            state = state.witnessed(ws, 2);
        }
        if !receipts.is_empty() {
            state = state.last_final(&first);
        }
        if moved {
            state = state.moved_to(&b_acct);
        }
        let refs: Vec<(&Op, &str)> = ops.iter().map(|(op, s)| (op, *s)).collect();
        o.ops(
            id,
            description,
            &["ACCT-12", "ACCT-13", "ACCT-11", "ACCT-16"],
            &refs,
            Some(state),
        );
    }
    {
        let id = "successor-self";
        let (mut w, g, acct) = base(id, &["r0"]);
        let own = w.successor("r0", &acct, g.id(), &acct, at(1));
        o.ops(
            id,
            "a successor naming its own account",
            &["ACCT-12"],
            &[(&g, VALID), (&own, "acct.successor")],
            Some(st(&acct, &g, w.pks(&["r0"]))),
        );
    }
    {
        let id = "threat-successor-retired-root";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let retire = w.roots("r0", &acct, g.id(), &["r2", "r1"], at(1));
        let mg = w.genesis_after(&["m0"], &acct, T0);
        let macct = acct_of(&mg);
        let hijack = w.successor("r0", &acct, g.id(), &macct, at(100));
        o.ops(
            id,
            "years after r0 retired itself, its thief names his own account, whose genesis claims the \
             victim as predecessor, as the victim's successor beside the retirement: both sides exist, \
             but the successor loses the fork choice and is off the chain, so apps do not follow the \
             victim there",
            &["ACCT-12", "ACCT-13", "ACCT-5"],
            &[(&g, VALID), (&retire, VALID), (&mg, VALID), (&hijack, VALID)],
            Some(st(&acct, &retire, w.pks(&["r2", "r1"]))),
        );
    }
    {
        let id = "threat-successor-removed-root";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let d = w.delegate("r1", &acct, g.id(), "phone", &["*"], T0 + YEAR, None, at(1));
        let rotate = w.roots("r0", &acct, d.id(), &["r0", "r2"], at(2));
        let mg = w.genesis_after(&["m0"], &acct, T0);
        let macct = acct_of(&mg);
        let hijack = w.successor("r1", &acct, g.id(), &macct, T0 + 1);
        o.ops(
            id,
            "r0 rotates r1 out after the phone's delegation; a thief with the removed r1 names his own \
             account (whose genesis claims the victim) as successor, as a child of the genesis: r0's \
             signature below the delegation out-ranks it, the successor is off the chain and there is \
             no move",
            &["ACCT-12", "ACCT-13", "ACCT-5"],
            &[(&g, VALID), (&d, VALID), (&rotate, VALID), (&mg, VALID), (&hijack, VALID)],
            Some(st(&acct, &rotate, w.pks(&["r0", "r2"])).app(&d)),
        );
    }
    {
        let id = "successor-replaced";
        let (mut w, g, acct) = base(id, &["r0"]);
        let bg = w.genesis_after(&["s0"], &acct, T0);
        let cg = w.genesis_after(&["t0"], &acct, T0);
        let (b_acct, c_acct) = (acct_of(&bg), acct_of(&cg));
        let first = w.successor("r0", &acct, g.id(), &b_acct, at(1));
        let second = w.successor("r0", &acct, first.id(), &c_acct, at(2));
        o.ops(
            id,
            "the owner names B, then C, each of whose geneses names the account: the last successor on \
             the chain counts, the account moved to C",
            &["ACCT-12", "ACCT-13"],
            &[(&g, VALID), (&bg, VALID), (&cg, VALID), (&first, VALID), (&second, VALID)],
            Some(st(&acct, &second, w.pks(&["r0"])).moved_to(&c_acct)),
        );
    }
    {
        let id = "successor-then-deactivate";
        let (mut w, g, acct) = base(id, &["r0"]);
        let bg = w.genesis_after(&["s0"], &acct, T0);
        let b_acct = acct_of(&bg);
        let next = w.successor("r0", &acct, g.id(), &b_acct, at(1));
        let end = w.deactivate("r0", &acct, next.id(), at(2));
        o.ops(
            id,
            "the owner moves to B, then deactivates the old account: both hold",
            &["ACCT-12", "ACCT-13", "ACCT-11"],
            &[(&g, VALID), (&bg, VALID), (&next, VALID), (&end, VALID)],
            Some(
                st(&acct, &end, w.pks(&["r0"]))
                    .moved_to(&b_acct)
                    .deactivated(at(2)),
            ),
        );
    }
}

// ------------------------------------------------------------------------------------------------ delegate

fn delegation(o: &mut Out) {
    let r7 = &["ACCT-7"];
    {
        let id = "delegate-scope-all";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let d = w.delegate(
            "r1",
            &acct,
            g.id(),
            "phone",
            &["*"],
            T0 + YEAR,
            Some("phone"),
            at(1),
        );
        let roots = w.pks(&["r0", "r1"]);
        o.ops(
            id,
            "the everyday root r1 delegates the phone key with scope [\"*\"], an expiry and a label",
            r7,
            &[(&g, VALID), (&d, VALID)],
            Some(st(&acct, &d, roots).app(&d)),
        );
    }
    {
        let id = "delegate-scope-list";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let d = w.delegate(
            "r1",
            &acct,
            g.id(),
            "phone",
            &["post", "react", "follow"],
            T0 + YEAR,
            None,
            at(1),
        );
        let roots = w.pks(&["r0", "r1"]);
        o.ops(
            id,
            "scope [\"post\", \"react\", \"follow\"]: kinds in canonical order (shorter first, then \
             bytewise), no label",
            r7,
            &[(&g, VALID), (&d, VALID)],
            Some(st(&acct, &d, roots).app(&d)),
        );
    }
    {
        let id = "delegate-scope-extension-kind";
        let (mut w, g, acct) = base(id, &["r0"]);
        let d = w.delegate(
            "r0",
            &acct,
            g.id(),
            "app",
            &["post", "com.example.poll"],
            T0 + YEAR,
            Some("Example Poll App"),
            at(1),
        );
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            "scope [\"post\", \"com.example.poll\"]: an extension kind may be named",
            r7,
            &[(&g, VALID), (&d, VALID)],
            Some(st(&acct, &d, roots).app(&d)),
        );
    }
    {
        let id = "delegate-scope-32-kinds";
        let (mut w, g, acct) = base(id, &["r0"]);
        let kinds: Vec<String> = (0..32).map(|i| format!("k{i:02}")).collect();
        let kr: Vec<&str> = kinds.iter().map(String::as_str).collect();
        let d = w.delegate("r0", &acct, g.id(), "app", &kr, T0 + YEAR, None, at(1));
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            "scope of 32 kinds (the most): valid",
            r7,
            &[(&g, VALID), (&d, VALID)],
            Some(st(&acct, &d, roots).app(&d)),
        );
    }
    // Scopes with the wildcard's exclusions and capabilities (06 §5.4): (id, what, scope).
    let capability_scopes: &[(&str, &str, &[&str])] = &[
        ("delegate-scope-star-prekey", "[\"*\", \"prekey\"]: the wildcard and a kind it does not cover", &["*", "prekey"]),
        ("delegate-scope-star-capability", "[\"*\", \"cap:others\"]: the wildcard and a capability", &["*", "cap:others"]),
        ("delegate-scope-star-prekey-capability", "[\"*\", \"prekey\", \"cap:others\"]: everything an app key can hold, in canonical order", &["*", "prekey", "cap:others"]),
        ("delegate-scope-kind-capability", "[\"post\", \"cap:others\"]: a kind and a capability", &["post", "cap:others"]),
        ("delegate-scope-capability-only", "[\"cap:others\"]: a capability alone (the key may sign nothing)", &["cap:others"]),
        ("delegate-scope-unknown-capability", "[\"cap:future-thing\"]: a capability this version does not define is valid and grants nothing", &["cap:future-thing"]),
    ];
    for (id, what, scope) in capability_scopes {
        let (mut w, g, acct) = base(id, &["r0"]);
        let d = w.delegate("r0", &acct, g.id(), "app", scope, T0 + YEAR, None, at(1));
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            &format!("scope {what}: valid"),
            r7,
            &[(&g, VALID), (&d, VALID)],
            Some(st(&acct, &d, roots).app(&d)),
        );
    }
    // Scope defects: (id, what, scope value).
    let k33: Vec<String> = (0..33).map(|i| format!("k{i:02}")).collect();
    let k33r: Vec<&str> = k33.iter().map(String::as_str).collect();
    let scopes: Vec<(&str, &str, Value, &str)> = vec![
        (
            "delegate-scope-33-kinds",
            "33 kinds (at most 32)",
            texts(&k33r),
            "acct.scope",
        ),
        (
            "delegate-scope-bytewise-order",
            "[\"follow\", \"post\"]: sorted bytewise but not in canonical order (\"post\" is shorter, so it \
             comes first)",
            texts(&["follow", "post"]),
            "acct.scope",
        ),
        (
            "delegate-scope-unsorted-same-length",
            "[\"react\", \"block\"]: two kinds of one length out of bytewise order",
            texts(&["react", "block"]),
            "acct.scope",
        ),
        (
            "delegate-scope-duplicate",
            "[\"post\", \"post\"]: a kind twice",
            texts(&["post", "post"]),
            "acct.scope",
        ),
        (
            "delegate-scope-operation-kind",
            "[\"post\", \"roots\"]: an operation kind (sorted, distinct, but never in a scope)",
            texts(&["post", "roots"]),
            "acct.scope",
        ),
        (
            "delegate-scope-only-operation-kind",
            "[\"delegate\"]",
            texts(&["delegate"]),
            "acct.scope",
        ),
        (
            "delegate-scope-star-and-kind",
            "[\"*\", \"post\"]: beside \"*\" only entries it does not cover",
            texts(&["*", "post"]),
            "acct.scope",
        ),
        (
            "delegate-scope-star-not-first",
            "[\"prekey\", \"*\"]: \"*\" sorts first",
            texts(&["prekey", "*"]),
            "acct.scope",
        ),
        (
            "delegate-scope-capability-order",
            "[\"*\", \"cap:others\", \"prekey\"]: a capability (10 bytes) after a shorter kind",
            texts(&["*", "cap:others", "prekey"]),
            "acct.scope",
        ),
        (
            "delegate-scope-capability-upper-case",
            "[\"cap:Others\"]: a capability name follows the kind segment grammar",
            texts(&["cap:Others"]),
            "acct.scope",
        ),
        (
            "delegate-scope-capability-empty-name",
            "[\"cap:\"]: a capability needs a name",
            texts(&["cap:"]),
            "acct.scope",
        ),
        (
            "delegate-scope-capability-dotted",
            "[\"cap:a.b\"]: a capability name is one segment",
            texts(&["cap:a.b"]),
            "acct.scope",
        ),
        (
            "delegate-scope-other-prefix",
            "[\"perm:others\"]: neither a kind (\":\" is not in the grammar) nor a capability",
            texts(&["perm:others"]),
            "acct.scope",
        ),
        (
            "delegate-scope-empty",
            "[]: at least one kind",
            a(vec![]),
            "acct.scope",
        ),
        (
            "delegate-scope-bad-kind",
            "[\"Post\"]: not a kind name (ENV-11 grammar)",
            texts(&["Post"]),
            "acct.scope",
        ),
        (
            "delegate-scope-element-not-text",
            "[1]: an element that is not a text string",
            a(vec![u(1)]),
            "acct.scope",
        ),
        (
            "delegate-scope-not-array",
            "\"*\" as a text string, not an array",
            t("*"),
            "acct.body",
        ),
    ];
    for (id, what, scope, code) in scopes {
        let (mut w, g, acct) = base(id, &["r0"]);
        let app = w.pk("app");
        let d = w.op(
            "r0",
            &acct,
            "delegate",
            at(1),
            delegate_body(g.id(), &app, scope, u(T0 + YEAR)),
        );
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            &format!("a delegation whose scope is invalid: {what}"),
            if code == "acct.scope" {
                r7
            } else {
                &["ACCT-1"]
            },
            &[(&g, VALID), (&d, code)],
            Some(st(&acct, &g, roots)),
        );
    }
    // Expiry.
    for (id, what, expires, status) in [
        (
            "delegate-expires-at-time",
            "expires equal to the delegation's time: must be later",
            at(1),
            "acct.expiry",
        ),
        (
            "delegate-expires-before-time",
            "expires before the delegation's time",
            at(1) - 1,
            "acct.expiry",
        ),
        (
            "delegate-expires-one-after",
            "expires 1 ms after the delegation's time: valid",
            at(1) + 1,
            VALID,
        ),
        (
            "delegate-expires-max",
            "expires 2^53-1: valid",
            MAX53,
            VALID,
        ),
    ] {
        let (mut w, g, acct) = base(id, &["r0"]);
        let d = w.delegate("r0", &acct, g.id(), "app", &["*"], expires, None, at(1));
        let roots = w.pks(&["r0"]);
        let state = if status == VALID {
            st(&acct, &d, roots).app(&d)
        } else {
            st(&acct, &g, roots)
        };
        o.ops(id, what, r7, &[(&g, VALID), (&d, status)], Some(state));
    }
    // Other body defects of a delegation (ACCT-1), all signed by r0 after its genesis.
    let e4 = "\u{1F600}";
    let defects: Vec<(&str, &str, &str, DefectFn)> = vec![
        (
            "delegate-expires-over-max",
            "expires 2^53 (above 2^53-1)",
            "acct.body",
            Box::new(|v, _| set(v, "expires", u(1 << 53))),
        ),
        (
            "delegate-expires-negative",
            "expires -1 (not an unsigned integer)",
            "acct.body",
            Box::new(|v, _| set(v, "expires", Value::N(0))),
        ),
        (
            "delegate-label-65-scalars",
            "a label of 65 characters (at most 64)",
            "acct.body",
            Box::new(|v, _| set(v, "label", t(&"a".repeat(65)))),
        ),
        (
            "delegate-label-empty",
            "an empty label (at least 1 character)",
            "acct.body",
            Box::new(|v, _| set(v, "label", t(""))),
        ),
        (
            "delegate-label-not-text",
            "a label that is a byte string",
            "acct.body",
            Box::new(|v, _| set(v, "label", b(b"phone"))),
        ),
        (
            "delegate-app-small-order",
            "app is a point of order 8",
            "key.small_order",
            Box::new(|v, _| set(v, "app", b(&unhex(ed::ORDER_8)))),
        ),
        (
            "delegate-app-short",
            "app is 31 bytes: acct.body (the 32-byte check of app comes before SIG-1)",
            "acct.body",
            Box::new(|v, _| set(v, "app", b(&[7; 31]))),
        ),
        (
            "delegate-app-small-order-bad-scope",
            "app is a small-order point and scope is unsorted: app is checked before scope",
            "key.small_order",
            Box::new(|v, _| {
                set(
                    &set(v, "app", b(&unhex(ed::ORDER_8))),
                    "scope",
                    texts(&["react", "post"]),
                )
            }),
        ),
        (
            "delegate-label-before-app",
            "an empty label and a small-order app: the label is checked first",
            "acct.body",
            Box::new(|v, _| set(&set(v, "app", b(&unhex(ed::ORDER_8))), "label", t(""))),
        ),
        (
            "delegate-scope-before-expires",
            "an unsorted scope and expires 2^53: scope is checked before expires",
            "acct.scope",
            Box::new(|v, _| {
                set(
                    &set(v, "scope", texts(&["react", "post"])),
                    "expires",
                    u(1 << 53),
                )
            }),
        ),
        (
            "delegate-after-short",
            "after is 31 bytes",
            "acct.body",
            Box::new(|v, _| set(v, "after", b(&[7; 31]))),
        ),
        (
            "delegate-after-missing",
            "no after",
            "acct.body",
            Box::new(|v, _| del(v, "after")),
        ),
        (
            "delegate-scope-missing",
            "no scope",
            "acct.body",
            Box::new(|v, _| del(v, "scope")),
        ),
        (
            "delegate-unknown-field",
            "an un-dotted key outside the schema (\"cutoff\")",
            "acct.body",
            Box::new(|v, _| set(v, "cutoff", m(vec![("id", b(&[1; 32])), ("seq", u(1))]))),
        ),
        (
            "delegate-unknown-before-missing",
            "an unknown un-dotted key and no expires: unknown keys are found before missing ones (both \
             acct.body)",
            "acct.body",
            Box::new(|v, _| set(&del(v, "expires"), "zzz", u(1))),
        ),
    ];
    for (id, what, code, f) in defects {
        let (mut w, g, acct) = base(id, &["r0"]);
        let app = w.pk("app");
        let good = delegate_body(g.id(), &app, texts(&["*"]), u(T0 + YEAR));
        let body = f(&good, &mut w);
        let d = w.op("r0", &acct, "delegate", at(1), body);
        let roots = w.pks(&["r0"]);
        let rule = if code == "acct.scope" {
            "ACCT-7"
        } else {
            "ACCT-1"
        };
        o.ops(
            id,
            &format!("a delegation whose body is defective: {what}"),
            &[rule],
            &[(&g, VALID), (&d, code)],
            Some(st(&acct, &g, roots)),
        );
    }
    // Label limits and extra keys (valid).
    for (id, what, label) in [
        (
            "delegate-label-64-scalars-256-bytes",
            "a label of 64 four-byte characters (64 scalars, 256 bytes: both limits reached)",
            e4.repeat(64),
        ),
        (
            "delegate-label-one-char",
            "a label of one character",
            "a".to_string(),
        ),
    ] {
        let (mut w, g, acct) = base(id, &["r0"]);
        let d = w.delegate(
            "r0",
            &acct,
            g.id(),
            "app",
            &["*"],
            T0 + YEAR,
            Some(&label),
            at(1),
        );
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            what,
            &["ACCT-1"],
            &[(&g, VALID), (&d, VALID)],
            Some(st(&acct, &d, roots).app(&d)),
        );
    }
    {
        let id = "delegate-namespaced-field";
        let (mut w, g, acct) = base(id, &["r0"]);
        let app = w.pk("app");
        let body = set(
            &delegate_body(g.id(), &app, texts(&["*"]), u(T0 + YEAR)),
            "com.example.device",
            t("pixel"),
        );
        let mut d = w.op("r0", &acct, "delegate", at(1), body);
        d.grant = Some(Grant {
            app,
            scope: vec!["*".to_string()],
            expires: T0 + YEAR,
            label: None,
            at: at(1),
            id: d.id().to_vec(),
        });
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            "a delegation body with a dotted extra key: accepted and ignored",
            &["ACCT-1"],
            &[(&g, VALID), (&d, VALID)],
            Some(st(&acct, &d, roots).app(&d)),
        );
    }
    // Roles (ACCT-3).
    let r3 = &["ACCT-3"];
    {
        let id = "delegate-app-is-root";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let d = w.delegate("r0", &acct, g.id(), "r1", &["*"], T0 + YEAR, None, at(1));
        let roots = w.pks(&["r0", "r1"]);
        o.ops(
            id,
            "r0 delegates r1, a root of the parent state: a key has one role",
            r3,
            &[(&g, VALID), (&d, "acct.key_in_use")],
            Some(st(&acct, &g, roots)),
        );
    }
    {
        let id = "delegate-app-twice";
        let (mut w, g, acct) = base(id, &["r0"]);
        let d1 = w.delegate(
            "r0",
            &acct,
            g.id(),
            "app",
            &["post"],
            T0 + YEAR,
            None,
            at(1),
        );
        let d2 = w.delegate(
            "r0",
            &acct,
            d1.id(),
            "app",
            &["*"],
            T0 + 2 * YEAR,
            None,
            at(2),
        );
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            "the same app key delegated again below its delegation (to widen its scope): a delegation \
             never changes",
            r3,
            &[(&g, VALID), (&d1, VALID), (&d2, "acct.key_in_use")],
            Some(st(&acct, &d1, roots).app(&d1)),
        );
    }
    {
        let id = "delegate-revoked-key";
        let (mut w, g, acct) = base(id, &["r0"]);
        let d1 = w.delegate("r0", &acct, g.id(), "app", &["*"], T0 + YEAR, None, at(1));
        let rv = w.revoke("r0", &acct, d1.id(), "app", None, at(2));
        let d2 = w.delegate("r0", &acct, rv.id(), "app", &["*"], T0 + YEAR, None, at(3));
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            "a revoked app key delegated again: a revoked key is never re-delegated",
            r3,
            &[
                (&g, VALID),
                (&d1, VALID),
                (&rv, VALID),
                (&d2, "acct.key_in_use"),
            ],
            Some(st(&acct, &rv, roots).app_rev(&d1, Rev::All)),
        );
    }
    {
        let id = "delegate-former-root";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let ro = w.roots("r0", &acct, g.id(), &["r0", "r2"], at(1));
        let d = w.delegate("r0", &acct, ro.id(), "r1", &["*"], T0 + YEAR, None, at(2));
        let roots = w.pks(&["r0", "r2"]);
        o.ops(
            id,
            "r1 was a root of an ancestor state (rotated out by r0) and is delegated as an app key: a \
             key that has been a root on the way to the parent state never becomes an app key (as \
             src/account.rs implements it; spec 06 names only the parent state's roots and apps)",
            r3,
            &[(&g, VALID), (&ro, VALID), (&d, "acct.key_in_use")],
            Some(st(&acct, &ro, roots)),
        );
    }
    {
        let id = "delegate-key-in-use-before-expiry";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let d = w.delegate("r0", &acct, g.id(), "r1", &["*"], at(1), None, at(1));
        let roots = w.pks(&["r0", "r1"]);
        o.ops(
            id,
            "a delegation of a root key that also expires at its own time: ACCT-3 comes before ACCT-7",
            &["ACCT-3", "ACCT-7"],
            &[(&g, VALID), (&d, "acct.key_in_use")],
            Some(st(&acct, &g, roots)),
        );
    }
    {
        let id = "delegate-two-apps";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let d1 = w.delegate(
            "r1",
            &acct,
            g.id(),
            "phone",
            &["*"],
            T0 + YEAR,
            Some("phone"),
            at(1),
        );
        let d2 = w.delegate(
            "r1",
            &acct,
            d1.id(),
            "laptop",
            &["post", "react"],
            T0 + 30 * DAY,
            Some("laptop"),
            at(2),
        );
        let roots = w.pks(&["r0", "r1"]);
        o.ops(
            id,
            "two app keys delegated one after the other (listed in the state sorted by key bytes)",
            r7,
            &[(&g, VALID), (&d1, VALID), (&d2, VALID)],
            Some(st(&acct, &d2, roots).app(&d1).app(&d2)),
        );
    }
}

// ------------------------------------------------------------------------------------------------ roots

fn rotation(o: &mut Out) {
    {
        let id = "roots-rotate";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let d = w.delegate("r1", &acct, g.id(), "phone", &["*"], T0 + YEAR, None, at(1));
        let ro = w.roots("r0", &acct, d.id(), &["r0", "r2"], at(2));
        let e = w.enckey("r2", &acct, ro.id(), &enc_key(id), 1, at(3));
        let roots = w.pks(&["r0", "r2"]);
        o.ops(
            id,
            "r0 replaces the everyday root r1 by r2; the delegation survives the rotation; the new root r2 \
             signs the next operation",
            &["ACCT-4"],
            &[(&g, VALID), (&d, VALID), (&ro, VALID), (&e, VALID)],
            Some(st(&acct, &e, roots).app(&d).enc(&enc_key(id), 1)),
        );
    }
    {
        let id = "roots-signed-by-lower-root";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let ro = w.roots("r1", &acct, g.id(), &["r1"], at(1));
        let roots = w.pks(&["r1"]);
        o.ops(
            id,
            "r1 (rank 1) replaces the roots by [r1]: any root may sign any operation",
            &["ACCT-4"],
            &[(&g, VALID), (&ro, VALID)],
            Some(st(&acct, &ro, roots)),
        );
    }
    {
        let id = "roots-retired-root-signs";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let ro = w.roots("r0", &acct, g.id(), &["r0", "r2"], at(1));
        let x = w.enckey("r1", &acct, ro.id(), &enc_key(id), 1, at(2));
        let roots = w.pks(&["r0", "r2"]);
        o.ops(
            id,
            "r1, rotated out, signs an operation below its rotation",
            &["ACCT-4"],
            &[(&g, VALID), (&ro, VALID), (&x, "acct.not_a_root")],
            Some(st(&acct, &ro, roots)),
        );
    }
    {
        let id = "roots-readd-former-root";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let ro1 = w.roots("r0", &acct, g.id(), &["r0"], at(1));
        let ro2 = w.roots("r0", &acct, ro1.id(), &["r0", "r1"], at(2));
        let roots = w.pks(&["r0", "r1"]);
        o.ops(
            id,
            "r1 is removed and then named a root again: a former root may become a root again",
            &["ACCT-3"],
            &[(&g, VALID), (&ro1, VALID), (&ro2, VALID)],
            Some(st(&acct, &ro2, roots)),
        );
    }
    {
        let id = "roots-names-app-key";
        let (mut w, g, acct) = base(id, &["r0"]);
        let d = w.delegate("r0", &acct, g.id(), "app", &["*"], T0 + YEAR, None, at(1));
        let ro = w.roots("r0", &acct, d.id(), &["r0", "app"], at(2));
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            "a roots operation naming an app key of the parent state: an app key never becomes a root",
            &["ACCT-3"],
            &[(&g, VALID), (&d, VALID), (&ro, "acct.key_in_use")],
            Some(st(&acct, &d, roots).app(&d)),
        );
    }
    {
        let id = "roots-names-revoked-app-key";
        let (mut w, g, acct) = base(id, &["r0"]);
        let d = w.delegate("r0", &acct, g.id(), "app", &["*"], T0 + YEAR, None, at(1));
        let rv = w.revoke("r0", &acct, d.id(), "app", None, at(2));
        let ro = w.roots("r0", &acct, rv.id(), &["app"], at(3));
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            "a roots operation naming a revoked app key: revoked keys keep their role",
            &["ACCT-3"],
            &[
                (&g, VALID),
                (&d, VALID),
                (&rv, VALID),
                (&ro, "acct.key_in_use"),
            ],
            Some(st(&acct, &rv, roots).app_rev(&d, Rev::All)),
        );
    }
    {
        let id = "roots-duplicate";
        let (mut w, g, acct) = base(id, &["r0"]);
        let ro = w.roots("r0", &acct, g.id(), &["r0", "r2", "r0"], at(1));
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            "a roots operation listing r0 twice",
            &["ACCT-3"],
            &[(&g, VALID), (&ro, "acct.key_in_use")],
            Some(st(&acct, &g, roots)),
        );
    }
    {
        let id = "roots-roots-before-after";
        let (mut w, g, acct) = base(id, &["r0"]);
        let body = m(vec![("after", b(&[7; 31])), ("roots", a(vec![]))]);
        let ro = w.op("r0", &acct, "roots", at(1), body);
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            "a roots operation with an empty roots list and a 31-byte after: roots is checked before \
             after (both acct.body)",
            &["ACCT-1"],
            &[(&g, VALID), (&ro, "acct.body")],
            Some(st(&acct, &g, roots)),
        );
    }
}

// ------------------------------------------------------------------------------------------------ revoke

fn revocation(o: &mut Out) {
    let r8 = &["ACCT-8"];
    {
        let id = "revoke-all";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let d = w.delegate("r1", &acct, g.id(), "phone", &["*"], T0 + YEAR, None, at(1));
        let rv = w.revoke("r1", &acct, d.id(), "phone", None, at(2));
        let roots = w.pks(&["r0", "r1"]);
        o.ops(
            id,
            "a revocation without cutoff: the app key stays in the state, revoked entirely",
            r8,
            &[(&g, VALID), (&d, VALID), (&rv, VALID)],
            Some(st(&acct, &rv, roots).app_rev(&d, Rev::All)),
        );
    }
    {
        let id = "revoke-cutoff";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let d = w.delegate("r1", &acct, g.id(), "phone", &["*"], T0 + YEAR, None, at(1));
        let h: Vec<Msg> = (0..3)
            .map(|i| w.post("phone", &acct, at(10 + i), "honest"))
            .collect();
        let rv = w.revoke("r1", &acct, d.id(), "phone", Some((3, &h[2].id)), at(20));
        let roots = w.pks(&["r0", "r1"]);
        o.ops(
            id,
            "a revocation with cutoff {seq 3, id of the phone's third message}",
            r8,
            &[(&g, VALID), (&d, VALID), (&rv, VALID)],
            Some(st(&acct, &rv, roots).app_rev(&d, Rev::After(3, h[2].id.clone()))),
        );
    }
    {
        let id = "revoke-cutoff-namespaced";
        let (mut w, g, acct) = base(id, &["r0"]);
        let d = w.delegate("r0", &acct, g.id(), "app", &["*"], T0 + YEAR, None, at(1));
        let c = rid("accounts: cutoff message");
        let body = m(vec![
            ("after", b(d.id())),
            ("app", b(&w.pk("app"))),
            (
                "cutoff",
                m(vec![
                    ("id", b(&c)),
                    ("seq", u(MAX53)),
                    ("com.example.why", t("lost phone")),
                ]),
            ),
        ]);
        let rv = w.op("r0", &acct, "revoke", at(2), body);
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            "a cutoff map with a dotted extra key and seq 2^53-1: valid (the cutoff need not name a held \
             message)",
            &["ACCT-1", "ACCT-8"],
            &[(&g, VALID), (&d, VALID), (&rv, VALID)],
            Some(st(&acct, &rv, roots).app_rev(&d, Rev::After(MAX53, c))),
        );
    }
    {
        let id = "revoke-not-delegated";
        let (mut w, g, acct) = base(id, &["r0"]);
        let rv = w.revoke("r0", &acct, g.id(), "stranger", None, at(1));
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            "a revocation of a key that was never delegated",
            r8,
            &[(&g, VALID), (&rv, "acct.not_delegated")],
            Some(st(&acct, &g, roots)),
        );
    }
    {
        let id = "revoke-root-key";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let rv = w.revoke("r0", &acct, g.id(), "r1", None, at(1));
        let roots = w.pks(&["r0", "r1"]);
        o.ops(
            id,
            "a revocation naming a root key: roots are not app keys (a roots operation removes them)",
            r8,
            &[(&g, VALID), (&rv, "acct.not_delegated")],
            Some(st(&acct, &g, roots)),
        );
    }
    {
        let id = "revoke-delegated-on-other-branch";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let d = w.delegate("r1", &acct, g.id(), "app", &["*"], T0 + YEAR, None, at(1));
        let rv = w.revoke("r0", &acct, g.id(), "app", None, at(2));
        let roots = w.pks(&["r0", "r1"]);
        o.ops(
            id,
            "a revocation that follows the genesis, of a key delegated in a sibling operation: the key is \
             not an app key of the revocation's parent state (the delegation stays canonical: the invalid \
             revocation is no endorsement)",
            &["ACCT-8", "ACCT-5"],
            &[(&g, VALID), (&d, VALID), (&rv, "acct.not_delegated")],
            Some(st(&acct, &d, roots).app(&d)),
        );
    }
    {
        let id = "revoke-twice";
        let (mut w, g, acct) = base(id, &["r0"]);
        let d = w.delegate("r0", &acct, g.id(), "app", &["*"], T0 + YEAR, None, at(1));
        let rv1 = w.revoke("r0", &acct, d.id(), "app", None, at(2));
        let rv2 = w.revoke("r0", &acct, rv1.id(), "app", None, at(3));
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            "a second revocation of the same key",
            r8,
            &[
                (&g, VALID),
                (&d, VALID),
                (&rv1, VALID),
                (&rv2, "acct.already_revoked"),
            ],
            Some(st(&acct, &rv1, roots).app_rev(&d, Rev::All)),
        );
    }
    {
        let id = "revoke-cutoff-after-all";
        let (mut w, g, acct) = base(id, &["r0"]);
        let d = w.delegate("r0", &acct, g.id(), "app", &["*"], T0 + YEAR, None, at(1));
        let rv1 = w.revoke("r0", &acct, d.id(), "app", None, at(2));
        let c = rid("accounts: revoke-cutoff-after-all");
        let rv2 = w.revoke("r0", &acct, rv1.id(), "app", Some((1, &c)), at(3));
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            "a revocation with a cutoff after a revocation without: a revocation is never changed (not \
             even to keep more history)",
            r8,
            &[(&g, VALID), (&d, VALID), (&rv1, VALID), (&rv2, "acct.already_revoked")],
            Some(st(&acct, &rv1, roots).app_rev(&d, Rev::All)),
        );
    }
    let defects: Vec<(&str, &str, &str, Value)> = vec![
        (
            "revoke-cutoff-seq-zero",
            "cutoff.seq 0 (at least 1)",
            "acct.body",
            m(vec![("id", b(&[1; 32])), ("seq", u(0))]),
        ),
        (
            "revoke-cutoff-seq-over-max",
            "cutoff.seq 2^53",
            "acct.body",
            m(vec![("id", b(&[1; 32])), ("seq", u(1 << 53))]),
        ),
        (
            "revoke-cutoff-id-missing",
            "a cutoff without id",
            "acct.body",
            m(vec![("seq", u(1))]),
        ),
        (
            "revoke-cutoff-id-short",
            "a 31-byte cutoff.id",
            "acct.body",
            m(vec![("id", b(&[1; 31])), ("seq", u(1))]),
        ),
        (
            "revoke-cutoff-unknown-field",
            "a cutoff with an un-dotted key outside its schema",
            "acct.body",
            m(vec![("id", b(&[1; 32])), ("seq", u(1)), ("time", u(5))]),
        ),
        (
            "revoke-cutoff-not-map",
            "a cutoff that is an array",
            "acct.body",
            a(vec![u(1), b(&[1; 32])]),
        ),
    ];
    for (id, what, code, cutoff) in defects {
        let (mut w, g, acct) = base(id, &["r0"]);
        let d = w.delegate("r0", &acct, g.id(), "app", &["*"], T0 + YEAR, None, at(1));
        let body = m(vec![
            ("after", b(d.id())),
            ("app", b(&w.pk("app"))),
            ("cutoff", cutoff),
        ]);
        let rv = w.op("r0", &acct, "revoke", at(2), body);
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            &format!("a revocation whose body is defective: {what}"),
            &["ACCT-1"],
            &[(&g, VALID), (&d, VALID), (&rv, code)],
            Some(st(&acct, &d, roots).app(&d)),
        );
    }
    {
        let id = "revoke-cutoff-before-app";
        let (mut w, g, acct) = base(id, &["r0"]);
        let d = w.delegate("r0", &acct, g.id(), "app", &["*"], T0 + YEAR, None, at(1));
        let body = m(vec![
            ("after", b(d.id())),
            ("app", b(&unhex(ed::ORDER_8))),
            ("cutoff", m(vec![("id", b(&[1; 32])), ("seq", u(0))])),
        ]);
        let rv = w.op("r0", &acct, "revoke", at(2), body);
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            "cutoff.seq 0 and a small-order app: cutoff is checked before app",
            &["ACCT-1"],
            &[(&g, VALID), (&d, VALID), (&rv, "acct.body")],
            Some(st(&acct, &d, roots).app(&d)),
        );
    }
    {
        let id = "revoke-app-small-order";
        let (mut w, g, acct) = base(id, &["r0"]);
        let body = m(vec![
            ("after", b(g.id())),
            ("app", b(&unhex(ed::ORDER_8_B))),
        ]);
        let rv = w.op("r0", &acct, "revoke", at(1), body);
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            "a revocation whose app is a small-order point",
            &["ACCT-1"],
            &[(&g, VALID), (&rv, "key.small_order")],
            Some(st(&acct, &g, roots)),
        );
    }
}

// ------------------------------------------------------------------------------------------------ enckey

fn encryption(o: &mut Out) {
    let r9 = &["ACCT-9"];
    let k1 = enc_key("1");
    let k2 = enc_key("2");
    {
        let id = "enckey-first";
        let (mut w, g, acct) = base(id, &["r0"]);
        let e = w.enckey("r0", &acct, g.id(), &k1, 1, at(1));
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            "the first encryption key, version 1",
            r9,
            &[(&g, VALID), (&e, VALID)],
            Some(st(&acct, &e, roots).enc(&k1, 1)),
        );
    }
    {
        let id = "enckey-first-any-version";
        let (mut w, g, acct) = base(id, &["r0"]);
        let e = w.enckey("r0", &acct, g.id(), &k1, 7, at(1));
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            "the first encryption key may have any version >= 1 (here 7)",
            r9,
            &[(&g, VALID), (&e, VALID)],
            Some(st(&acct, &e, roots).enc(&k1, 7)),
        );
    }
    {
        let id = "enckey-any-bytes";
        let (mut w, g, acct) = base(id, &["r0"]);
        let zero = [0u8; 32];
        let e = w.enckey("r0", &acct, g.id(), &zero, 1, at(1));
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            "an encryption key of 32 zero bytes: not an Ed25519 key, not checked by SIG-2..4",
            &["ACCT-1", "ACCT-9"],
            &[(&g, VALID), (&e, VALID)],
            Some(st(&acct, &e, roots).enc(&zero, 1)),
        );
    }
    {
        let id = "enckey-increase";
        let (mut w, g, acct) = base(id, &["r0"]);
        let e1 = w.enckey("r0", &acct, g.id(), &k1, 1, at(1));
        let e2 = w.enckey("r0", &acct, e1.id(), &k2, 3, at(2));
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            "versions 1 then 3: strictly increasing (gaps allowed)",
            r9,
            &[(&g, VALID), (&e1, VALID), (&e2, VALID)],
            Some(st(&acct, &e2, roots).enc(&k2, 3)),
        );
    }
    for (id, what, v2) in [
        ("enckey-same-version", "versions 2 then 2: must increase", 2),
        ("enckey-lower-version", "versions 2 then 1", 1),
    ] {
        let (mut w, g, acct) = base(id, &["r0"]);
        let e1 = w.enckey("r0", &acct, g.id(), &k1, 2, at(1));
        let e2 = w.enckey("r0", &acct, e1.id(), &k2, v2, at(2));
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            what,
            r9,
            &[(&g, VALID), (&e1, VALID), (&e2, "acct.enckey_version")],
            Some(st(&acct, &e1, roots).enc(&k1, 2)),
        );
    }
    let defects: Vec<(&str, &str, &str, Value, Value)> = vec![
        (
            "enckey-version-zero",
            "version 0 (a context-free part of ACCT-9, checked with the body)",
            "acct.enckey_version",
            b(&k1),
            u(0),
        ),
        (
            "enckey-version-over-max",
            "version 2^53",
            "acct.body",
            b(&k1),
            u(1 << 53),
        ),
        (
            "enckey-key-short",
            "a 31-byte key",
            "acct.body",
            b(&k1[..31]),
            u(1),
        ),
        (
            "enckey-version-before-key",
            "version 0 and a 31-byte key: version is checked before key",
            "acct.enckey_version",
            b(&k1[..31]),
            u(0),
        ),
    ];
    for (id, what, code, key, version) in defects {
        let (mut w, g, acct) = base(id, &["r0"]);
        let body = m(vec![
            ("after", b(g.id())),
            ("key", key),
            ("version", version),
        ]);
        let e = w.op("r0", &acct, "enckey", at(1), body);
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            &format!("an enckey operation whose body is defective: {what}"),
            if code == "acct.body" { &["ACCT-1"] } else { r9 },
            &[(&g, VALID), (&e, code)],
            Some(st(&acct, &g, roots)),
        );
    }
}

// ------------------------------------------------------------------------------------------------ ACCT-4, ACCT-6

fn placement(o: &mut Out) {
    let r4 = &["ACCT-4"];
    {
        let id = "signed-by-app-key";
        let (mut w, g, acct) = base(id, &["r0"]);
        let d = w.delegate("r0", &acct, g.id(), "app", &["*"], T0 + YEAR, None, at(1));
        let x = w.delegate("app", &acct, d.id(), "app2", &["*"], T0 + YEAR, None, at(2));
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            "an app key signs a delegation (of another key): app keys never sign operations",
            r4,
            &[(&g, VALID), (&d, VALID), (&x, "acct.not_a_root")],
            Some(st(&acct, &d, roots).app(&d)),
        );
    }
    {
        let id = "signed-by-stranger";
        let (mut w, g, acct) = base(id, &["r0"]);
        let x = w.roots("x", &acct, g.id(), &["x"], at(1));
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            "a stranger signs a roots operation naming itself",
            r4,
            &[(&g, VALID), (&x, "acct.not_a_root")],
            Some(st(&acct, &g, roots)),
        );
    }
    {
        let id = "time-earlier-than-parent";
        let (mut w, g, acct) = base(id, &["r0"]);
        let e = w.enckey("r0", &acct, g.id(), &enc_key(id), 1, T0 - 1);
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            "an operation 1 ms earlier than its parent: valid (no rule compares an operation's time with \
             its parent's; 06 §7.2)",
            r4,
            &[(&g, VALID), (&e, VALID)],
            Some(st(&acct, &e, roots).enc(&enc_key(id), 1)),
        );
    }
    {
        let id = "time-equal";
        let (mut w, g, acct) = base(id, &["r0"]);
        let e = w.enckey("r0", &acct, g.id(), &enc_key(id), 1, T0);
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            "an operation with the same time as its parent: valid",
            r4,
            &[(&g, VALID), (&e, VALID)],
            Some(st(&acct, &e, roots).enc(&enc_key(id), 1)),
        );
    }
    {
        let id = "account-mismatch";
        let (mut w, g, acct) = base(id, &["r0"]);
        let g2 = w.genesis("r9", &["r9", "r0"], T0);
        let other = acct_of(&g2);
        let e = w.enckey("r0", &other, g.id(), &enc_key(id), 1, at(1));
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            "an operation following account A's genesis whose header names account B (where the signer \
             is a root too)",
            r4,
            &[(&g, VALID), (&g2, VALID), (&e, "acct.account_mismatch")],
            Some(st(&acct, &g, roots)),
        );
    }
    {
        let id = "account-zero";
        let (mut w, g, acct) = base(id, &["r0"]);
        let e = w.enckey("r0", &[0; 32], g.id(), &enc_key(id), 1, at(1));
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            "a non-genesis operation whose header acct is 32 zero bytes",
            r4,
            &[(&g, VALID), (&e, "acct.account_mismatch")],
            Some(st(&acct, &g, roots)),
        );
    }
    {
        let id = "mismatch-before-not-a-root";
        let (mut w, g, acct) = base(id, &["r0"]);
        let e = w.enckey(
            "x",
            &rid("accounts: another account"),
            g.id(),
            &enc_key(id),
            1,
            T0 - 1,
        );
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            "wrong account, a stranger signer and an earlier time: the account is checked first",
            r4,
            &[(&g, VALID), (&e, "acct.account_mismatch")],
            Some(st(&acct, &g, roots)),
        );
    }
    {
        let id = "not-a-root-earlier-time";
        let (mut w, g, acct) = base(id, &["r0"]);
        let e = w.enckey("x", &acct, g.id(), &enc_key(id), 1, T0 - 1);
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            "a stranger signer and a time earlier than the parent's: acct.not_a_root",
            r4,
            &[(&g, VALID), (&e, "acct.not_a_root")],
            Some(st(&acct, &g, roots)),
        );
    }
    {
        let id = "earlier-time-then-roles";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let d = w.delegate("r0", &acct, g.id(), "r1", &["*"], T0 + YEAR, None, T0 - 1);
        let roots = w.pks(&["r0", "r1"]);
        o.ops(
            id,
            "a delegation of a root key, dated before its parent: the time is not checked, ACCT-3 is",
            &["ACCT-4", "ACCT-3"],
            &[(&g, VALID), (&d, "acct.key_in_use")],
            Some(st(&acct, &g, roots)),
        );
    }
    {
        let id = "not-a-root-before-not-delegated";
        let (mut w, g, acct) = base(id, &["r0"]);
        let rv = w.revoke("x", &acct, g.id(), "y", None, at(1));
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            "a stranger revokes a key that was never delegated: ACCT-4 comes before ACCT-8",
            &["ACCT-4", "ACCT-8"],
            &[(&g, VALID), (&rv, "acct.not_a_root")],
            Some(st(&acct, &g, roots)),
        );
    }
    // ACCT-6: waiting.
    let r6 = &["ACCT-6"];
    {
        let id = "waiting-before-genesis";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let d = w.delegate("r1", &acct, g.id(), "phone", &["*"], T0 + YEAR, None, at(1));
        let e = w.enckey("r0", &acct, d.id(), &enc_key(id), 1, at(2));
        let roots = w.pks(&["r0", "r1"]);
        o.ops(
            id,
            "operations listed before their parents (the listed order applies each one before its \
             parent): each waits, and is applied when its parent arrives",
            &["ACCT-6", "ACCT-4"],
            &[(&e, VALID), (&d, VALID), (&g, VALID)],
            Some(st(&acct, &e, roots).app(&d).enc(&enc_key(id), 1)),
        );
    }
    {
        let id = "waiting-missing-parent";
        let (mut w, g, acct) = base(id, &["r0"]);
        let missing = w.enckey("r0", &acct, g.id(), &enc_key("never sent"), 1, at(1));
        let e = w.enckey("r0", &acct, missing.id(), &enc_key(id), 2, at(2));
        let f = w.enckey("r0", &acct, e.id(), &enc_key("f"), 3, at(3));
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            "an operation whose parent is never received waits for ever, and so does its child",
            r6,
            &[(&g, VALID), (&e, WAITING), (&f, WAITING)],
            Some(st(&acct, &g, roots)),
        );
    }
    {
        let id = "waiting-unchecked";
        let (mut w, g, acct) = base(id, &["r0"]);
        let e = w.enckey(
            "x",
            &rid("accounts: elsewhere"),
            &rid("accounts: missing parent"),
            &enc_key(id),
            1,
            T0 - 1,
        );
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            "an operation whose parent is not held waits, whatever is wrong with it besides (stranger \
             signer, another account, earlier time): those checks need the parent",
            r6,
            &[(&g, VALID), (&e, WAITING)],
            Some(st(&acct, &g, roots)),
        );
    }
    {
        let id = "waiting-no-genesis";
        let (mut w, g, acct) = base(id, &["r0"]);
        let d = w.delegate("r0", &acct, g.id(), "app", &["*"], T0 + YEAR, None, at(1));
        o.ops(
            id,
            "a delegation of an account whose genesis is not held: waiting (no state: the account is \
             unknown)",
            r6,
            &[(&d, WAITING)],
            None,
        );
    }
    {
        let id = "body-before-waiting";
        let (mut w, _g, acct) = base(id, &["r0"]);
        let app = w.pk("app");
        let x = w.op(
            "r0",
            &acct,
            "delegate",
            at(1),
            delegate_body(
                &rid("accounts: missing parent"),
                &app,
                texts(&["react", "post"]),
                u(T0 + YEAR),
            ),
        );
        o.ops(
            id,
            "an operation with a body defect (unsorted scope) whose parent is not held: ACCT-1 is decided \
             without the parent",
            &["ACCT-7", "ACCT-1", "ACCT-6"],
            &[(&x, "acct.scope")],
            None,
        );
    }
    {
        let id = "waiting-deep-chain";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let d = w.delegate("r1", &acct, g.id(), "phone", &["*"], T0 + YEAR, None, at(1));
        let e1 = w.enckey("r1", &acct, d.id(), &enc_key("1"), 1, at(2));
        let ro = w.roots("r0", &acct, e1.id(), &["r0", "r2"], at(3));
        let e2 = w.enckey("r2", &acct, ro.id(), &enc_key("2"), 2, at(4));
        let rv = w.revoke("r2", &acct, e2.id(), "phone", None, at(5));
        let roots = w.pks(&["r0", "r2"]);
        o.ops(
            id,
            "a chain of six operations listed in no particular order",
            &["ACCT-6", "ACCT-5"],
            &[
                (&e2, VALID),
                (&d, VALID),
                (&rv, VALID),
                (&g, VALID),
                (&ro, VALID),
                (&e1, VALID),
            ],
            Some(
                st(&acct, &rv, roots)
                    .app_rev(&d, Rev::All)
                    .enc(&enc_key("2"), 2),
            ),
        );
    }
    // Parent invalid.
    {
        let id = "parent-invalid";
        let (mut w, g, acct) = base(id, &["r0"]);
        let x = w.enckey("x", &acct, g.id(), &enc_key("x"), 1, at(1));
        let c = w.enckey("r0", &acct, x.id(), &enc_key("c"), 2, at(2));
        let c2 = w.enckey("r0", &acct, c.id(), &enc_key("c2"), 3, at(3));
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            "a child and a grandchild of an invalid operation (signed by a stranger): invalid, in any \
             order (listed children first)",
            &["ACCT-4", "ACCT-6"],
            &[
                (&c2, "acct.parent_invalid"),
                (&c, "acct.parent_invalid"),
                (&x, "acct.not_a_root"),
                (&g, VALID),
            ],
            Some(st(&acct, &g, roots)),
        );
    }
    {
        let id = "parent-invalid-beats-own-defect";
        let (mut w, g, acct) = base(id, &["r0"]);
        let x = w.enckey("z", &acct, g.id(), &enc_key("x"), 1, at(1));
        let c = w.enckey(
            "y",
            &rid("accounts: other"),
            x.id(),
            &enc_key("c"),
            1,
            T0 - 2,
        );
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            "a child of an invalid operation that is itself signed by a stranger for another account: \
             acct.parent_invalid (the parent is checked first)",
            &["ACCT-4"],
            &[(&g, VALID), (&x, "acct.not_a_root"), (&c, "acct.parent_invalid")],
            Some(st(&acct, &g, roots)),
        );
    }
    {
        let id = "parent-invalid-body";
        let (mut w, g, acct) = base(id, &["r0"]);
        let app = w.pk("app");
        let x = w.op(
            "r0",
            &acct,
            "delegate",
            at(1),
            delegate_body(g.id(), &app, texts(&["react", "post"]), u(T0 + YEAR)),
        );
        let c = w.enckey("r0", &acct, x.id(), &enc_key("c"), 1, at(2));
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            "a child of an operation that fails ACCT-1 (unsorted scope): acct.parent_invalid, as \
             src/account.rs implements it (spec 06 §7.4 says such a child waits for ever)",
            &["ACCT-4", "ACCT-1"],
            &[(&c, "acct.parent_invalid"), (&g, VALID), (&x, "acct.scope")],
            Some(st(&acct, &g, roots)),
        );
    }
    {
        let id = "parent-invalid-genesis";
        let mut w = W::new(id);
        let g = w.genesis("r1", &["r0", "r1"], T0);
        let acct = acct_of(&g);
        let d = w.delegate("r0", &acct, g.id(), "app", &["*"], T0 + YEAR, None, at(1));
        o.ops(
            id,
            "a child of an invalid genesis (signed by roots[1])",
            &["ACCT-4", "ACCT-2"],
            &[(&d, "acct.parent_invalid"), (&g, "acct.genesis_signer")],
            None,
        );
    }
    {
        let id = "parent-invalid-body-before";
        let (mut w, g, acct) = base(id, &["r0"]);
        let x = w.enckey("x", &acct, g.id(), &enc_key("x"), 1, at(1));
        let body = m(vec![
            ("after", b(x.id())),
            ("key", b(&enc_key("c"))),
            ("version", u(0)),
        ]);
        let c = w.op("r0", &acct, "enckey", at(2), body);
        let roots = w.pks(&["r0"]);
        o.ops(
            id,
            "a child of an invalid operation whose own body is defective (version 0): ACCT-1 comes first",
            &["ACCT-9", "ACCT-1", "ACCT-4"],
            &[(&g, VALID), (&x, "acct.not_a_root"), (&c, "acct.enckey_version")],
            Some(st(&acct, &g, roots)),
        );
    }
}

// ------------------------------------------------------------------------------------------------ ACCT-5

fn forks(o: &mut Out) {
    let r5 = &["ACCT-5"];
    // The worked example of spec 06 §8.2 and its variants.
    {
        let id = "fork-worked-example";
        let mut w = W::new(id);
        let g = w.genesis("r0", &["r0", "r1"], T0 + 1000);
        let acct = acct_of(&g);
        let a = w.delegate(
            "r1",
            &acct,
            g.id(),
            "phone",
            &["*"],
            T0 + YEAR,
            None,
            T0 + 2000,
        );
        let d = w.enckey("r1", &acct, g.id(), &enc_key("d"), 1, T0 + 2500);
        let bb = w.delegate(
            "r1",
            &acct,
            a.id(),
            "laptop",
            &["post"],
            T0 + YEAR,
            None,
            T0 + 3000,
        );
        let t1 = w.delegate(
            "r1",
            &acct,
            bb.id(),
            "thief-app",
            &["*"],
            T0 + YEAR,
            None,
            T0 + 4000,
        );
        let t2 = w.roots("r1", &acct, t1.id(), &["x"], T0 + 4001);
        let t3 = w.delegate(
            "x",
            &acct,
            t2.id(),
            "thief-app2",
            &["*"],
            T0 + YEAR,
            None,
            T0 + 4002,
        );
        let c = w.roots("r0", &acct, bb.id(), &["r0", "k5"], T0 + 5000);
        let roots = w.pks(&["r0", "k5"]);
        let all = [
            (&g, VALID),
            (&a, VALID),
            (&bb, VALID),
            (&c, VALID),
            (&t1, VALID),
            (&t2, VALID),
            (&t3, VALID),
            (&d, VALID),
        ];
        o.ops(
            id,
            "spec 06 §8.2: the thief of r1 forks at B (T1, T2 rotating to [x], T3 signed by x) and r1 \
             also signed D at G; r0's recovery C (roots [r0, k5]) below B makes A win at G (strength 0 \
             against 1) and C win at B. Head C; phone and laptop delegated; D and the thief's branch \
             valid but not canonical",
            &["ACCT-5", "ACCT-4"],
            &all,
            Some(st(&acct, &c, roots).app(&a).app(&bb)),
        );
        let roots = w.pks(&["x"]);
        o.ops(
            "fork-worked-example-without-recovery",
            "spec 06 §8.2 without C: T2 (roots [x], signed by r1) retires r1 by r1's own signature in \
             A's subtree, so r1's signature on D counts ∞ at G: A wins (strength 1), and the thief's \
             branch is canonical until r0 answers; head T3",
            r5,
            &[
                (&g, VALID),
                (&a, VALID),
                (&bb, VALID),
                (&t1, VALID),
                (&t2, VALID),
                (&t3, VALID),
                (&d, VALID),
            ],
            Some(
                st(&acct, &t3, roots)
                    .app(&a)
                    .app(&bb)
                    .app(&t1)
                    .app(&t3),
            ),
        );
        let f1 = w.enckey("k5", &acct, c.id(), &enc_key("f1"), 2, T0 + 6000);
        let f2 = w.enckey("k5", &acct, c.id(), &enc_key("f2"), 3, T0 + 6001);
        let r1_after = w.enckey("r1", &acct, c.id(), &enc_key("r1"), 4, T0 + 6002);
        let roots = w.pks(&["r0", "k5"]);
        let f = smaller(&f1, &f2);
        let f_key = if f.id() == f1.id() { "f1" } else { "f2" };
        let f_version = if f.id() == f1.id() { 2 } else { 3 };
        o.ops(
            "fork-worked-example-equivocation-below-recovery",
            "spec 06 §8.2 with F and F′, two leaf children of C signed by k5: a tie of one key's leaves \
             goes to the smaller id; an operation of r1 below C is acct.not_a_root",
            &["ACCT-5", "ACCT-4"],
            &[
                (&g, VALID),
                (&a, VALID),
                (&bb, VALID),
                (&c, VALID),
                (&t1, VALID),
                (&t2, VALID),
                (&t3, VALID),
                (&d, VALID),
                (&f1, VALID),
                (&f2, VALID),
                (&r1_after, "acct.not_a_root"),
            ],
            Some(
                st(&acct, f, roots)
                    .app(&a)
                    .app(&bb)
                    .enc(&enc_key(f_key), f_version),
            ),
        );
    }
    {
        let id = "fork-recovery";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let a = w.delegate(
            "r1",
            &acct,
            g.id(),
            "phone",
            &["*"],
            T0 + YEAR,
            Some("phone"),
            at(1),
        );
        let t1 = w.delegate(
            "r1",
            &acct,
            a.id(),
            "thief-app",
            &["*"],
            T0 + YEAR,
            None,
            at(5),
        );
        let t2 = w.roots("r1", &acct, t1.id(), &["x"], at(6));
        let c = w.roots("r0", &acct, a.id(), &["r0", "r2"], at(10));
        let roots = w.pks(&["r0", "r2"]);
        o.ops(
            id,
            "the thief of r1 delegates his app and rotates the roots to [x] after A; the owner's recovery \
             root r0 rotates r1 out as a child of A (later in time): r0's branch wins at A (strength 0 \
             against 1) in every order; the thief's operations stay valid",
            &["ACCT-5"],
            &[(&g, VALID), (&a, VALID), (&t1, VALID), (&t2, VALID), (&c, VALID)],
            Some(st(&acct, &c, roots).app(&a)),
        );
    }
    {
        let id = "fork-recovery-backdated-thief";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let a = w.delegate("r1", &acct, g.id(), "phone", &["*"], T0 + YEAR, None, at(1));
        let c = w.roots("r0", &acct, a.id(), &["r0", "r2"], at(10));
        let t1 = w.revoke("r1", &acct, a.id(), "phone", None, at(1));
        let roots = w.pks(&["r0", "r2"]);
        o.ops(
            id,
            "the thief of r1 revokes the phone as a child of A, claiming an earlier time than the \
             recovery: times do not matter, r0's branch wins",
            &["ACCT-5"],
            &[(&g, VALID), (&a, VALID), (&c, VALID), (&t1, VALID)],
            Some(st(&acct, &c, roots).app(&a)),
        );
    }
    {
        let id = "fork-equivocation-rank-1";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let a = w.delegate("r1", &acct, g.id(), "phone", &["*"], T0 + YEAR, None, at(1));
        let bb = w.enckey("r1", &acct, g.id(), &enc_key(id), 1, at(2));
        let a1 = w.enckey("r1", &acct, a.id(), &enc_key("a1"), 1, at(3));
        let b1 = w.enckey("r1", &acct, bb.id(), &enc_key("b1"), 2, at(4));
        let roots = w.pks(&["r0", "r1"]);
        o.ops(
            id,
            "r1 signs two children of the genesis and continues below both: equal strength 1, two \
             histories of one key, so the genesis is contested; head = genesis with the genesis state; \
             contested = both, sorted by id",
            r5,
            &[(&g, VALID), (&a, VALID), (&bb, VALID), (&a1, VALID), (&b1, VALID)],
            Some(st(&acct, &g, roots).contested(&[&a, &bb])),
        );
    }
    {
        let id = "fork-equivocation-rank-0";
        let (mut w, g, acct) = base(id, &["r0"]);
        let a = w.enckey("r0", &acct, g.id(), &enc_key("a"), 1, at(1));
        let bb = w.enckey("r0", &acct, g.id(), &enc_key("b"), 1, at(1));
        let roots = w.pks(&["r0"]);
        let win = smaller(&a, &bb);
        let key = if win.id() == a.id() { "a" } else { "b" };
        o.ops(
            id,
            "the only root signs two leaf children of the genesis: a tie of one key's leaves, the \
             smaller id wins (no freeze)",
            r5,
            &[(&g, VALID), (&a, VALID), (&bb, VALID)],
            Some(st(&acct, win, roots).enc(&enc_key(key), 1)),
        );
    }
    {
        let id = "fork-three-way-tie";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let a = w.enckey("r1", &acct, g.id(), &enc_key("a"), 1, at(1));
        let bb = w.enckey("r1", &acct, g.id(), &enc_key("b"), 1, at(2));
        let c = w.enckey("r1", &acct, g.id(), &enc_key("c"), 1, at(3));
        let c1 = w.enckey("r1", &acct, c.id(), &enc_key("c1"), 2, at(4));
        let a1 = w.enckey("r1", &acct, a.id(), &enc_key("a1"), 2, at(5));
        let roots = w.pks(&["r0", "r1"]);
        o.ops(
            id,
            "three children of the genesis signed by r1, two of them continued by r1: all three \
             contested",
            r5,
            &[
                (&g, VALID),
                (&a, VALID),
                (&bb, VALID),
                (&c, VALID),
                (&c1, VALID),
                (&a1, VALID),
            ],
            Some(st(&acct, &g, roots).contested(&[&a, &bb, &c])),
        );
    }
    {
        let id = "fork-tie-of-the-strongest";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let a = w.enckey("r0", &acct, g.id(), &enc_key("a"), 1, at(1));
        let bb = w.enckey("r0", &acct, g.id(), &enc_key("b"), 1, at(2));
        let c = w.enckey("r1", &acct, g.id(), &enc_key("c"), 1, at(3));
        let a1 = w.enckey("r1", &acct, a.id(), &enc_key("a1"), 2, at(4));
        let roots = w.pks(&["r0", "r1"]);
        o.ops(
            id,
            "two children signed by r0 (one with a child) and one by r1: the contested list holds only \
             the two strongest",
            r5,
            &[(&g, VALID), (&a, VALID), (&bb, VALID), (&c, VALID), (&a1, VALID)],
            Some(st(&acct, &g, roots).contested(&[&a, &bb])),
        );
    }
    {
        let id = "fork-higher-rank-wins";
        let (mut w, g, acct) = base(id, &["r0", "r1", "r2"]);
        let a = w.enckey("r2", &acct, g.id(), &enc_key("a"), 1, at(1));
        let bb = w.enckey("r1", &acct, g.id(), &enc_key("b"), 1, at(2));
        let roots = w.pks(&["r0", "r1", "r2"]);
        o.ops(
            id,
            "children signed by r2 (rank 2) and r1 (rank 1): r1's wins, although r2's is earlier",
            r5,
            &[(&g, VALID), (&a, VALID), (&bb, VALID)],
            Some(st(&acct, &bb, roots).enc(&enc_key("b"), 1)),
        );
    }
    {
        let id = "fork-endorsement-wins";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let a = w.delegate("r1", &acct, g.id(), "phone", &["*"], T0 + YEAR, None, at(1));
        let bb = w.enckey("r1", &acct, g.id(), &enc_key("b"), 1, at(2));
        let a2 = w.roots("r0", &acct, a.id(), &["r0", "r1"], at(3));
        let roots = w.pks(&["r0", "r1"]);
        o.ops(
            id,
            "r1 equivocates at the genesis (A, B); r0 endorses A by signing below it a roots operation \
             that repeats the list: A's subtree has strength 0, A wins; head = the endorsement",
            r5,
            &[(&g, VALID), (&a, VALID), (&bb, VALID), (&a2, VALID)],
            Some(st(&acct, &a2, roots).app(&a)),
        );
    }
    {
        let id = "fork-endorsement-deep";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let a = w.delegate("r1", &acct, g.id(), "phone", &["*"], T0 + YEAR, None, at(1));
        let a1 = w.enckey("r1", &acct, a.id(), &enc_key("a1"), 1, at(2));
        let a2 = w.enckey("r1", &acct, a1.id(), &enc_key("a2"), 2, at(3));
        let a3 = w.roots("r0", &acct, a2.id(), &["r0", "r1"], at(4));
        let bb = w.enckey("r1", &acct, g.id(), &enc_key("b"), 1, at(5));
        let roots = w.pks(&["r0", "r1"]);
        o.ops(
            id,
            "r0's endorsement three levels below A still gives A strength 0 at the genesis",
            r5,
            &[
                (&g, VALID),
                (&a, VALID),
                (&a1, VALID),
                (&a2, VALID),
                (&a3, VALID),
                (&bb, VALID),
            ],
            Some(st(&acct, &a3, roots).app(&a).enc(&enc_key("a2"), 2)),
        );
    }
    {
        let id = "fork-endorsement-ties";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let a = w.enckey("r1", &acct, g.id(), &enc_key("a"), 1, at(1));
        let bb = w.enckey("r1", &acct, g.id(), &enc_key("b"), 1, at(2));
        let a2 = w.roots("r0", &acct, a.id(), &["r0", "r1"], at(3));
        let b2 = w.roots("r0", &acct, bb.id(), &["r0", "r1"], at(4));
        let roots = w.pks(&["r0", "r1"]);
        o.ops(
            id,
            "r0 signs below both A and B: both have strength 0, the genesis stays contested (r0's \
             signature on both sides is evidence)",
            r5,
            &[
                (&g, VALID),
                (&a, VALID),
                (&bb, VALID),
                (&a2, VALID),
                (&b2, VALID),
            ],
            Some(st(&acct, &g, roots).contested(&[&a, &bb])),
        );
    }
    {
        let id = "fork-resolved-by-new-child";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let a = w.enckey("r1", &acct, g.id(), &enc_key("a"), 1, at(1));
        let bb = w.enckey("r1", &acct, g.id(), &enc_key("b"), 1, at(2));
        let c = w.enckey("r0", &acct, g.id(), &enc_key("c"), 1, at(3));
        let roots = w.pks(&["r0", "r1"]);
        o.ops(
            id,
            "r1 equivocates at the genesis; r0 signs a third child: strength 0 beats both",
            r5,
            &[(&g, VALID), (&a, VALID), (&bb, VALID), (&c, VALID)],
            Some(st(&acct, &c, roots).enc(&enc_key("c"), 1)),
        );
    }
    {
        let id = "fork-new-roots-count-infinite";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let a = w.roots("r1", &acct, g.id(), &["x", "r1"], at(1));
        let a1 = w.enckey("x", &acct, a.id(), &enc_key("a1"), 1, at(2));
        let bb = w.enckey("r1", &acct, g.id(), &enc_key("b"), 1, at(3));
        let roots = w.pks(&["r0", "r1"]);
        o.ops(
            id,
            "r1 makes x the top root in A, and x signs below A: x is rank 0 at A but not a root of the \
             genesis (∞), so at the genesis A and B both have strength 1: contested",
            r5,
            &[(&g, VALID), (&a, VALID), (&a1, VALID), (&bb, VALID)],
            Some(st(&acct, &g, roots).contested(&[&a, &bb])),
        );
    }
    {
        let id = "fork-rank-in-parent-list";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let p = w.roots("r0", &acct, g.id(), &["r1", "r0"], at(1));
        let bb = w.enckey("r0", &acct, p.id(), &enc_key("b"), 1, at(2));
        let c = w.enckey("r1", &acct, p.id(), &enc_key("c"), 1, at(3));
        let roots = w.pks(&["r1", "r0"]);
        o.ops(
            id,
            "P (signed by r0) swaps the priorities to [r1, r0]; below P, r1's child beats r0's: ranks are \
             read in the parent's root list",
            r5,
            &[(&g, VALID), (&p, VALID), (&bb, VALID), (&c, VALID)],
            Some(st(&acct, &c, roots).enc(&enc_key("c"), 1)),
        );
    }
    {
        let id = "fork-deeper";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let a = w.delegate("r1", &acct, g.id(), "phone", &["*"], T0 + YEAR, None, at(1));
        let bb = w.delegate(
            "r1",
            &acct,
            a.id(),
            "laptop",
            &["post"],
            T0 + YEAR,
            None,
            at(2),
        );
        let c = w.revoke("r1", &acct, a.id(), "phone", None, at(3));
        let b1 = w.enckey("r1", &acct, bb.id(), &enc_key("b1"), 1, at(4));
        let c1 = w.enckey("r1", &acct, c.id(), &enc_key("c1"), 1, at(5));
        let roots = w.pks(&["r0", "r1"]);
        o.ops(
            id,
            "a fork below the first operation: r1 signs two children of A, B and C, which revokes the \
             phone, and continues below each; head A, contested [B, C]; C's revocation still applies \
             to the head state (06 §8.4): the phone is revoked",
            r5,
            &[(&g, VALID), (&a, VALID), (&bb, VALID), (&c, VALID), (&b1, VALID), (&c1, VALID)],
            Some(
                st(&acct, &a, roots)
                    .app_rev(&a, Rev::All)
                    .contested(&[&bb, &c]),
            ),
        );
    }
    {
        let id = "fork-deeper-resolved";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let a = w.delegate("r1", &acct, g.id(), "phone", &["*"], T0 + YEAR, None, at(1));
        let bb = w.delegate(
            "r1",
            &acct,
            a.id(),
            "laptop",
            &["post"],
            T0 + YEAR,
            None,
            at(2),
        );
        let c = w.revoke("r1", &acct, a.id(), "phone", None, at(3));
        let c1 = w.roots("r0", &acct, c.id(), &["r0", "r2"], at(4));
        let c2 = w.enckey("r2", &acct, c1.id(), &enc_key("c2"), 1, at(5));
        let roots = w.pks(&["r0", "r2"]);
        o.ops(
            id,
            "the fork of fork-deeper, resolved by r0 below C (rotating r1 out): C wins at A; the laptop \
             delegation is not canonical",
            r5,
            &[(&g, VALID), (&a, VALID), (&bb, VALID), (&c, VALID), (&c1, VALID), (&c2, VALID)],
            Some(
                st(&acct, &c2, roots)
                    .app_rev(&a, Rev::All)
                    .enc(&enc_key("c2"), 1),
            ),
        );
    }
    {
        let id = "fork-same-key-both-branches";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let d1 = w.delegate("r1", &acct, g.id(), "phone", &["*"], T0 + YEAR, None, at(1));
        let d2 = w.delegate(
            "r1",
            &acct,
            g.id(),
            "phone",
            &["post"],
            T0 + YEAR,
            None,
            at(2),
        );
        let roots = w.pks(&["r0", "r1"]);
        o.ops(
            id,
            "one app key delegated in two sibling leaf operations of r1: both valid (each on its own \
             path); the smaller id wins the tie of one key's leaves",
            &["ACCT-5", "ACCT-3"],
            &[(&g, VALID), (&d1, VALID), (&d2, VALID)],
            Some(st(&acct, smaller(&d1, &d2), roots).app(smaller(&d1, &d2))),
        );
    }
    {
        let id = "fork-invalid-does-not-endorse";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let a = w.enckey("r1", &acct, g.id(), &enc_key("a"), 1, at(2));
        let bb = w.enckey("r1", &acct, g.id(), &enc_key("b"), 1, at(3));
        let a1 = w.enckey("r1", &acct, a.id(), &enc_key("a1"), 2, at(4));
        let x = w.enckey("r0", &acct, bb.id(), &enc_key("x"), 1, at(5));
        let b1 = w.enckey("r1", &acct, bb.id(), &enc_key("b1"), 2, at(6));
        let roots = w.pks(&["r0", "r1"]);
        o.ops(
            id,
            "r1 continues below both A and B; r0 signs below B an encryption key whose version does \
             not increase: an invalid operation is not in the tree and endorses nothing; the genesis \
             stays contested",
            r5,
            &[
                (&g, VALID),
                (&a, VALID),
                (&bb, VALID),
                (&a1, VALID),
                (&b1, VALID),
                (&x, "acct.enckey_version"),
            ],
            Some(st(&acct, &g, roots).contested(&[&a, &bb])),
        );
    }
    {
        let id = "fork-waiting-does-not-endorse";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let a = w.enckey("r1", &acct, g.id(), &enc_key("a"), 1, at(1));
        let bb = w.enckey("r1", &acct, g.id(), &enc_key("b"), 1, at(2));
        let a1 = w.enckey("r1", &acct, a.id(), &enc_key("a1"), 2, at(5));
        let missing = w.enckey("r1", &acct, bb.id(), &enc_key("missing"), 2, at(3));
        let x = w.roots("r0", &acct, missing.id(), &["r0", "r1"], at(4));
        let b1 = w.enckey("r1", &acct, bb.id(), &enc_key("b1"), 3, at(6));
        let roots = w.pks(&["r0", "r1"]);
        o.ops(
            id,
            "r0 signs below a missing child of B: the endorsement waits and counts for nothing yet; the \
             genesis stays contested (r1 continued below both A and B, so this is no tie of leaves)",
            &["ACCT-5", "ACCT-6"],
            &[(&g, VALID), (&a, VALID), (&bb, VALID), (&a1, VALID), (&x, WAITING), (&b1, VALID)],
            Some(st(&acct, &g, roots).contested(&[&a, &bb])),
        );
    }
    {
        let id = "fork-revocation-not-rolled-back";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let d = w.delegate("r1", &acct, g.id(), "phone", &["*"], T0 + YEAR, None, at(1));
        let rv = w.revoke("r1", &acct, d.id(), "phone", None, at(2));
        let t = w.enckey("r1", &acct, d.id(), &enc_key("thief"), 1, at(3));
        let roots = w.pks(&["r0", "r1"]);
        let win = smaller(&rv, &t);
        let mut state = st(&acct, win, roots).app_rev(&d, Rev::All);
        if win.id() == t.id() {
            state = state.enc(&enc_key("thief"), 1);
        }
        o.ops(
            id,
            "spec 06 §11.4: the thief of r1 signs a leaf sibling of the owner's revocation (a leaf \
             signed by r1): the smaller id wins, and whichever it is, the phone stays revoked (06 §8.4)",
            r5,
            &[(&g, VALID), (&d, VALID), (&rv, VALID), (&t, VALID)],
            Some(state),
        );
    }
    {
        let id = "fork-top-root-freeze";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let d = w.delegate("r1", &acct, g.id(), "phone", &["*"], T0 + YEAR, None, at(1));
        let t = w.roots("r0", &acct, d.id(), &["x"], at(2));
        let t2 = w.delegate(
            "x",
            &acct,
            t.id(),
            "thief-app",
            &["*"],
            T0 + YEAR,
            None,
            at(3),
        );
        let f = w.roots("r0", &acct, d.id(), &["r0", "r1"], at(4));
        let f2 = w.roots("r0", &acct, d.id(), &["r2", "r1"], at(5));
        let roots = w.pks(&["r0", "r1"]);
        o.ops(
            id,
            "spec 06 §11.5: the thief of the current top root r0 rotates the roots to [x] below D (r0 \
             retires itself in T's subtree); the owner answers with F, which keeps r0 (alone it would \
             count ∞ at D and lose), and with F2, its own retirement of r0 (roots [r2, r1]): r0 has \
             retired itself under two children of D and counts ∞ under all; no other root of D signed: \
             a tie at ∞, D contested — frozen, not taken over",
            r5,
            &[
                (&g, VALID),
                (&d, VALID),
                (&t, VALID),
                (&t2, VALID),
                (&f, VALID),
                (&f2, VALID),
            ],
            Some(st(&acct, &d, roots).app(&d).contested(&[&t, &f, &f2])),
        );
    }
}

// ------------------------------------------------------------------------------------------------ threats

/// One threat scenario (issue 14): the operations with their declared statuses, the declared head
/// state, and optionally a message to authorize against it with the expected outcome.
struct Threat {
    ops: Vec<(Op, &'static str)>,
    state: St,
    ask: Option<(Msg, Exp, &'static str)>,
}

type ThreatFn = fn(&str) -> Threat;

/// A delegation of `app` by `signer` (scope `["*"]`, one year) after `after`.
fn grant(w: &mut W, signer: &str, acct: &[u8], after: &Op, app: &str, time: u64) -> Op {
    w.delegate(signer, acct, after.id(), app, &["*"], T0 + YEAR, None, time)
}

/// The owner revokes the phone with a cutoff (`rv`, below its delegation `d`); the thief of r1 signs
/// a sibling `t` and continues below it (`t2`). If the owner also `continues` below `rv`, `d` is
/// contested; otherwise the thief's continued leaf is the chain (06 §8.1). Either way the revocation
/// applies to the head state (06 §8.4) and the thief's post after the cutoff is refused.
fn cutoff_fork(id: &str, continues: bool) -> Threat {
    let (mut w, g, acct) = base(id, &["r0", "r1"]);
    let d = grant(&mut w, "r1", &acct, &g, "phone", at(1));
    let p1 = w.post("phone", &acct, at(2), "honest");
    let rv = w.revoke("r1", &acct, d.id(), "phone", Some((1, &p1.id)), at(3));
    let t = w.enckey("r1", &acct, d.id(), &enc_key("t"), 1, at(4));
    let t2 = w.enckey("r1", &acct, t.id(), &enc_key("t2"), 2, at(5));
    let rv1 = continues.then(|| w.enckey("r1", &acct, rv.id(), &enc_key("rv1"), 1, at(5)));
    let ask = w.post("phone", &acct, at(6), "stolen phone");
    let roots = w.pks(&["r0", "r1"]);
    let kept = Rev::After(1, p1.id.clone());
    let state = if continues {
        st(&acct, &d, roots).app_rev(&d, kept).contested(&[&rv, &t])
    } else {
        st(&acct, &t2, roots)
            .app_rev(&d, kept)
            .enc(&enc_key("t2"), 2)
    };
    let mut all = vec![(g, VALID), (d, VALID), (rv, VALID), (t, VALID), (t2, VALID)];
    all.extend(rv1.map(|op| (op, VALID)));
    Threat {
        state,
        ops: all,
        ask: Some((
            ask,
            Exp::Denied("auth.revoked"),
            "a thief's post after the cutoff",
        )),
    }
}

/// What the thief of r1 does after superseding the owner's revocation (06 §8.4, audit finding F2).
#[derive(Clone, Copy, PartialEq)]
enum Then {
    /// Supersedes his own superseder (a chain of two supersessions).
    Superseded,
    /// Signs a plain leaf beside his superseder: a tie of one key's leaves.
    Tied,
    /// Signs a leaf beside it with r1 and, with r2, a child below that leaf: a contest.
    Contested,
}

/// The owner revokes the phone (`rv`, a leaf below its delegation `d`); the thief of r1 supersedes
/// it with `x` and then takes `x` off the chain as `then` says. Whatever happens to `x`, the
/// revocation applies to the head state, and the phone's messages are refused.
fn revocation_superseded(id: &str, then: Then) -> Threat {
    let names: &[&str] = match then {
        Then::Contested => &["r0", "r1", "r2"],
        _ => &["r0", "r1"],
    };
    let (mut w, g, acct) = base(id, names);
    let d = grant(&mut w, "r1", &acct, &g, "phone", at(1));
    let ask = w.post("phone", &acct, at(2), "stolen phone");
    let rv = w.revoke("r1", &acct, d.id(), "phone", None, at(3));
    w.sup(&rv);
    let x = w.enckey("r1", &acct, d.id(), &enc_key("x"), 1, at(4));
    if then == Then::Superseded {
        w.sup(&x);
    }
    let y = w.enckey("r1", &acct, d.id(), &enc_key("y"), 1, at(5));
    let roots = w.pks(names);
    let mut ops = vec![(g, VALID), (d.clone(), VALID), (rv, VALID)];
    let state = match then {
        Then::Superseded => st(&acct, &y, roots).enc(&enc_key("y"), 1),
        Then::Tied => {
            let (win, key) = match smaller(&x, &y).id() == x.id() {
                true => (&x, "x"),
                false => (&y, "y"),
            };
            st(&acct, win, roots).enc(&enc_key(key), 1)
        }
        Then::Contested => {
            let y2 = w.enckey("r2", &acct, y.id(), &enc_key("y2"), 2, at(6));
            ops.push((y2, VALID));
            st(&acct, &d, roots).contested(&[&x, &y])
        }
    };
    ops.extend([(x, VALID), (y, VALID)]);
    Threat {
        state: state.app_rev(&d, Rev::All),
        ops,
        ask: Some((ask, Exp::Denied("auth.revoked"), "the revoked phone")),
    }
}

/// Where r0 endorses the owner's two-step rotation (06 §8.1, audit-f2f8 A1(b′)).
#[derive(Clone, Copy, PartialEq)]
enum Endorsed {
    /// Below the revocation, at the head.
    AtHead,
    /// Between the removal of r1 and the revocation: the head is r3's.
    Between,
}

/// The owner's r1 adds r3 (`y`: roots [r0, r1, r3], below the phone's delegation `d`), r3 removes
/// r1 (`c1`: roots [r0, r3]) and revokes the phone (`rv`), and r0 endorses (`e`, repeating the
/// list) where `endorsed` says. The thief of the removed r1 names `y` in `supersedes` of his `x`
/// beside it: r0, a root of `d`, signed below `y`, so `y` is not superseded (06 §8.1), and at `d`
/// `y` has strength 0 against `x`'s 1. The owner's history and the revocation stay.
fn two_step_rotation(id: &str, endorsed: Endorsed) -> Threat {
    let (mut w, g, acct) = base(id, &["r0", "r1"]);
    let d = grant(&mut w, "r1", &acct, &g, "phone", at(1));
    let ask = w.post("phone", &acct, at(2), "stolen phone");
    let y = w.roots("r1", &acct, d.id(), &["r0", "r1", "r3"], at(3));
    let c1 = w.roots("r3", &acct, y.id(), &["r0", "r3"], at(4));
    let (rv, e) = match endorsed {
        Endorsed::AtHead => {
            let rv = w.revoke("r3", &acct, c1.id(), "phone", None, at(5));
            let e = w.roots("r0", &acct, rv.id(), &["r0", "r3"], at(6));
            (rv, e)
        }
        Endorsed::Between => {
            let e = w.roots("r0", &acct, c1.id(), &["r0", "r3"], at(5));
            let rv = w.revoke("r3", &acct, e.id(), "phone", None, at(6));
            (rv, e)
        }
    };
    w.sup(&y);
    let x = w.enckey("r1", &acct, d.id(), &enc_key("x"), 1, at(7));
    let head = match endorsed {
        Endorsed::AtHead => &e,
        Endorsed::Between => &rv,
    };
    let state = st(&acct, head, w.pks(&["r0", "r3"])).app_rev(&d, Rev::All);
    Threat {
        state,
        ops: vec![
            (g, VALID),
            (d, VALID),
            (y, VALID),
            (c1, VALID),
            (rv, VALID),
            (e, VALID),
            (x, VALID),
        ],
        ask: Some((ask, Exp::Denied("auth.revoked"), "the revoked phone")),
    }
}

/// What the owner's operation `o` beside the thief's revocation is (06 §8.4 case 3, audit-f2f8 A2).
#[derive(Clone, Copy, PartialEq)]
enum Beside {
    /// r0's recovery `o` (roots [r0, k5]): r1 is a removed root below it.
    Recovery,
    /// r1's own retirement `o` (roots [r0, k5], signed by r1): r1 counts ∞ beside it.
    Retirement,
}

/// The owner's `o` is a child of the phone's delegation `d`; beside it the holder of r1 signs `yr`
/// (revoke the phone, no cutoff) and supersedes it with a leaf `xr`. `o` wins at `d`, so `xr` is
/// not among `d`'s children of minimal strength, and `yr` adds no revocation (06 §8.4 case 3): the
/// phone's messages stay authorized.
fn revoke_by_supersession(id: &str, beside: Beside) -> Threat {
    let (mut w, g, acct) = base(id, &["r0", "r1"]);
    let d = grant(&mut w, "r1", &acct, &g, "phone", at(1));
    let ask = w.post("phone", &acct, at(2), "the phone's post");
    let signer = match beside {
        Beside::Recovery => "r0",
        Beside::Retirement => "r1",
    };
    let o = w.roots(signer, &acct, d.id(), &["r0", "k5"], at(3));
    let yr = w.revoke("r1", &acct, d.id(), "phone", None, at(4));
    w.sup(&yr);
    let xr = w.enckey("r1", &acct, d.id(), &enc_key("xr"), 1, at(5));
    Threat {
        state: st(&acct, &o, w.pks(&["r0", "k5"])).app(&d),
        ops: vec![(g, VALID), (d, VALID), (o, VALID), (yr, VALID), (xr, VALID)],
        ask: Some((ask, Exp::Authorized, "the phone, not revoked")),
    }
}

/// The threat scenarios of issue 14, each checked in every order of arrival (at most six operations)
/// and, where it says so, followed by an authorization question. Spec 06 §11 and `spec/security.md`
/// cite them by id.
fn threats(o: &mut Out) {
    const R5: &[&str] = &["ACCT-5"];
    let cases: Vec<(&str, &str, &[&str], ThreatFn)> = vec![
        (
            "threat-1-retired-top-root-at-genesis",
            "r0, top root of the genesis, retired itself (A: roots [n0, r1], signed by r0); its thief \
             signs T below the genesis and continues below it with r0: at the genesis r0 counts ∞ in \
             T's subtree, because r0 retired itself in A's (06 §8.1): A wins; the thief's delegation \
             is not in the head state",
            R5,
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let a = w.roots("r0", &acct, g.id(), &["n0", "r1"], at(1));
                let phone = grant(&mut w, "r1", &acct, &a, "phone", at(2));
                let t = w.enckey("r0", &acct, g.id(), &enc_key("t"), 1, at(3));
                let t2 = grant(&mut w, "r0", &acct, &t, "thief-app", at(4));
                let ask = w.post("thief-app", &acct, at(5), "thief");
                let roots = w.pks(&["n0", "r1"]);
                Threat {
                    state: st(&acct, &phone, roots).app(&phone),
                    ops: vec![(g, VALID), (a, VALID), (phone, VALID), (t, VALID), (t2, VALID)],
                    ask: Some((ask, Exp::Denied("auth.not_delegated"), "the thief's app key")),
                }
            },
        ),
        (
            "threat-1-retired-top-root-forged-retirement",
            "as threat-1-retired-top-root-at-genesis, but the thief's T also retires r0 (roots [x]): \
             r0 has retired itself under two children of the genesis and counts ∞ under both; r1 \
             signed under A: A wins with strength 1",
            R5,
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let a = w.roots("r0", &acct, g.id(), &["n0", "r1"], at(1));
                let phone = grant(&mut w, "r1", &acct, &a, "phone", at(2));
                let t = w.roots("r0", &acct, g.id(), &["x"], at(3));
                let t2 = grant(&mut w, "x", &acct, &t, "thief-app", at(4));
                let roots = w.pks(&["n0", "r1"]);
                Threat {
                    state: st(&acct, &phone, roots).app(&phone),
                    ops: vec![(g, VALID), (a, VALID), (phone, VALID), (t, VALID), (t2, VALID)],
                    ask: None,
                }
            },
        ),
        (
            "threat-1-retired-top-root-later-point",
            "r0 retired itself at E, after the phone's delegation D; its thief signs below the genesis \
             (T1) and below D (T2): at both points r0's retirement lies under the honest child, so the \
             thief's signatures count ∞ and the honest chain, continued by n0, stays",
            R5,
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let d = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let e = w.roots("r0", &acct, d.id(), &["n0", "r1"], at(2));
                let f = grant(&mut w, "n0", &acct, &e, "laptop", at(3));
                let t1 = w.enckey("r0", &acct, g.id(), &enc_key("t1"), 1, at(4));
                let t2 = w.revoke("r0", &acct, d.id(), "phone", None, at(5));
                let roots = w.pks(&["n0", "r1"]);
                Threat {
                    state: st(&acct, &f, roots).app(&d).app(&f),
                    ops: vec![
                        (g, VALID),
                        (d, VALID),
                        (e, VALID),
                        (f, VALID),
                        (t1, VALID),
                        (t2, VALID),
                    ],
                    ask: None,
                }
            },
        ),
        (
            "threat-1-retired-sole-root-freeze",
            "the limit without a second root: the sole root r0 retired itself (A: roots [n0]); its \
             thief forges a second retirement (T: roots [x]); r0 counts ∞ under both children and no \
             other root of the genesis signed: a tie at ∞, the genesis is contested — the thief \
             freezes the account, he does not take it over (06 §11.7)",
            R5,
            |id| {
                let (mut w, g, acct) = base(id, &["r0"]);
                let a = w.roots("r0", &acct, g.id(), &["n0"], at(1));
                let a1 = grant(&mut w, "n0", &acct, &a, "phone", at(2));
                let t = w.roots("r0", &acct, g.id(), &["x"], at(3));
                let roots = w.pks(&["r0"]);
                Threat {
                    state: st(&acct, &g, roots).contested(&[&a, &t]),
                    ops: vec![(g, VALID), (a, VALID), (a1, VALID), (t, VALID)],
                    ask: None,
                }
            },
        ),
        (
            "threat-1-retired-root-cannot-supersede-its-retirement",
            "r1 adds r3 (Y: roots [r0, r1, r3], below D), r3 signs C1 below Y, and r1 retires itself \
             below C1 (C2: roots [r0, r3]); the thief of the retired r1 names Y in supersedes of his \
             own X (roots [r0, r1, t]) beside it: C2, signed by r1, a root of D, is below Y, so Y is \
             not superseded (06 §8.1: no operation in Y's subtree may be signed by a root of its \
             parent); r1 retired itself under Y and counts ∞ under X: the owner keeps the account \
             (audit-f2f8 A1(a))",
            R5,
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let d = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let y = w.roots("r1", &acct, d.id(), &["r0", "r1", "r3"], at(2));
                let c1 = w.enckey("r3", &acct, y.id(), &enc_key("c1"), 1, at(3));
                let c2 = w.roots("r1", &acct, c1.id(), &["r0", "r3"], at(4));
                w.sup(&y);
                let x = w.roots("r1", &acct, d.id(), &["r0", "r1", "t"], at(5));
                let roots = w.pks(&["r0", "r3"]);
                Threat {
                    state: st(&acct, &c2, roots).app(&d).enc(&enc_key("c1"), 1),
                    ops: vec![(g, VALID), (d, VALID), (y, VALID), (c1, VALID), (c2, VALID), (x, VALID)],
                    ask: None,
                }
            },
        ),
        (
            "threat-1-two-step-rotation-cannot-be-erased",
            "r1 adds r3 (Y: roots [r0, r1, r3], below D), r3 removes r1 (C1: roots [r0, r3]) and \
             revokes the phone (RV), and r0 endorses at the head (E: roots [r0, r3]); the thief of \
             the removed r1 names Y in supersedes of his X (an enckey beside Y): E, signed by r0, a \
             root of D, is below Y, so Y is not superseded (06 §8.1); at D Y has strength 0, X 1: the \
             owner's history stays and the phone stays revoked (audit-f2f8 A1(b′))",
            R5,
            |id| two_step_rotation(id, Endorsed::AtHead),
        ),
        (
            "threat-1-two-step-rotation-endorsed-inside-cannot-be-erased",
            "as threat-1-two-step-rotation-cannot-be-erased, but r0 endorses between the removal of \
             r1 and the revocation, so the head RV is r3's: any operation below Y signed by a root of \
             D keeps Y in the fork choice, not only Y's children (06 §8.1; audit-f2f8 A1(b′))",
            R5,
            |id| two_step_rotation(id, Endorsed::Between),
        ),
        (
            "threat-1-retired-by-lower-root",
            "by design: r0 was removed by r1's signature (A: roots [n0, r1] signed by r1), not by its \
             own; the holder of r0 outranks every signature under A at the genesis and wins there — \
             the recovery power of a higher root (06 §11.7)",
            R5,
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let a = w.roots("r1", &acct, g.id(), &["n0", "r1"], at(1));
                let phone = grant(&mut w, "r1", &acct, &a, "phone", at(2));
                let t = w.enckey("r0", &acct, g.id(), &enc_key("t"), 1, at(3));
                let roots = w.pks(&["r0", "r1"]);
                Threat {
                    state: st(&acct, &t, roots).enc(&enc_key("t"), 1),
                    ops: vec![(g, VALID), (a, VALID), (phone, VALID), (t, VALID)],
                    ask: None,
                }
            },
        ),
        (
            "threat-2-current-top-root-appends",
            "the thief of the current top root r0 rotates the roots to [x] at the head and revokes the \
             phone with x: the account is his (no key outranks r0; the owner can only freeze it, \
             threat-2-current-top-root-owner-freezes)",
            R5,
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let d = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let t = w.roots("r0", &acct, d.id(), &["x"], at(2));
                let t2 = w.revoke("x", &acct, t.id(), "phone", None, at(3));
                let roots = w.pks(&["x"]);
                Threat {
                    state: st(&acct, &t2, roots).app_rev(&d, Rev::All),
                    ops: vec![(g, VALID), (d, VALID), (t, VALID), (t2, VALID)],
                    ask: None,
                }
            },
        ),
        (
            "threat-2-current-top-root-owner-freezes",
            "as threat-2-current-top-root-appends, and the owner retires r0 too, below D (F: roots \
             [n0, r1]): r0 retired itself under two children of D and counts ∞ under both: a tie at \
             ∞, D contested; the head state is D's, with the revocation from the thief's contested \
             branch applied (06 §8.4)",
            R5,
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let d = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let t = w.roots("r0", &acct, d.id(), &["x"], at(2));
                let t2 = w.revoke("x", &acct, t.id(), "phone", None, at(3));
                let f = w.roots("r0", &acct, d.id(), &["n0", "r1"], at(4));
                let roots = w.pks(&["r0", "r1"]);
                Threat {
                    state: st(&acct, &d, roots)
                        .app_rev(&d, Rev::All)
                        .contested(&[&t, &f]),
                    ops: vec![(g, VALID), (d, VALID), (t, VALID), (t2, VALID), (f, VALID)],
                    ask: None,
                }
            },
        ),
        (
            "threat-2-current-top-root-forged-retirement",
            "the thief of the current top root r0 signs, beside the owner's revocation of the phone \
             (which r0 endorsed, E), a retirement of r0 (T: roots [x]): r0 now counts ∞ under the \
             owner's branch, which keeps only r1 (strength 1) against T's 0: the thief wins and the \
             revocation, lost by strength, does not apply — the power of a current top root; the \
             owner's answer is threat-2-current-top-root-forged-retirement-answered",
            R5,
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let d = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let rv = w.revoke("r1", &acct, d.id(), "phone", None, at(2));
                let e = w.roots("r0", &acct, rv.id(), &["r0", "r1"], at(3));
                let t = w.roots("r0", &acct, d.id(), &["x"], at(4));
                let roots = w.pks(&["x"]);
                Threat {
                    state: st(&acct, &t, roots).app(&d),
                    ops: vec![(g, VALID), (d, VALID), (rv, VALID), (e, VALID), (t, VALID)],
                    ask: None,
                }
            },
        ),
        (
            "threat-2-current-top-root-forged-retirement-answered",
            "threat-2-current-top-root-forged-retirement, and the owner retires r0 with r0's own \
             signature in the honest branch (F: roots [n0, r1]): r0 retired itself under both children \
             of D and counts under neither; r1 signed under the owner's (strength 1), not under the \
             thief's (∞): the owner's branch wins and the phone stays revoked",
            R5,
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let d = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let rv = w.revoke("r1", &acct, d.id(), "phone", None, at(2));
                let e = w.roots("r0", &acct, rv.id(), &["r0", "r1"], at(3));
                let t = w.roots("r0", &acct, d.id(), &["x"], at(4));
                let f = w.roots("r0", &acct, e.id(), &["n0", "r1"], at(5));
                let roots = w.pks(&["n0", "r1"]);
                Threat {
                    state: st(&acct, &f, roots).app_rev(&d, Rev::All),
                    ops: vec![
                        (g, VALID),
                        (d, VALID),
                        (rv, VALID),
                        (e, VALID),
                        (t, VALID),
                        (f, VALID),
                    ],
                    ask: None,
                }
            },
        ),
        (
            "threat-2-current-top-root-forks-endorsed-history",
            "the limit without witnesses: the thief of the current top root r0 signs a child of the \
             genesis beside history that r0 endorsed (E below D): a tie at rank 0, contested — a \
             freeze at the genesis state (06 §11.5)",
            R5,
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let d = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let e = w.roots("r0", &acct, d.id(), &["r0", "r1"], at(2));
                let t = w.enckey("r0", &acct, g.id(), &enc_key("t"), 1, at(3));
                let roots = w.pks(&["r0", "r1"]);
                Threat {
                    state: st(&acct, &g, roots).contested(&[&d, &t]),
                    ops: vec![(g, VALID), (d, VALID), (e, VALID), (t, VALID)],
                    ask: None,
                }
            },
        ),
        (
            "threat-3-everyday-root-cannot-supersede-endorsed-history",
            "the owner's r1 adds r3 (Y: roots [r0, r1, r3], below D), r3 signs C1 below Y and r0 \
             endorses below C1 (E); the thief of the current r1 names Y in supersedes of his X (roots \
             [r0, r1, t]) beside Y: E, signed by r0, a root of D, keeps Y in the fork choice (06 \
             §8.1), and at D Y has strength 0 against X's 1: history r0 signed is final against r1 \
             (06 §8.3; audit-f2f8 A1)",
            R5,
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let d = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let y = w.roots("r1", &acct, d.id(), &["r0", "r1", "r3"], at(2));
                let c1 = w.enckey("r3", &acct, y.id(), &enc_key("c1"), 1, at(3));
                let e = w.roots("r0", &acct, c1.id(), &["r0", "r1", "r3"], at(4));
                w.sup(&y);
                let x = w.roots("r1", &acct, d.id(), &["r0", "r1", "t"], at(5));
                let roots = w.pks(&["r0", "r1", "r3"]);
                Threat {
                    state: st(&acct, &e, roots).app(&d).enc(&enc_key("c1"), 1),
                    ops: vec![(g, VALID), (d, VALID), (y, VALID), (c1, VALID), (e, VALID), (x, VALID)],
                    ask: None,
                }
            },
        ),
        (
            "threat-3-everyday-root-supersedes-added-key-history",
            "the bound of 06 §11.4 (audit-f2f8 A4): the owner's r1 adds r3 (Y: roots [r0, r1, r3], \
             below D) and only r3 signs below it (RV: revoke the phone); the thief of the current r1 \
             names Y in supersedes of his X (an enckey beside Y): no root of D or of X's state signed \
             below Y, so Y is superseded with its subtree (06 §8.1), X is the head and RV is lost — \
             as it is to a forged self-retirement of r1 beside Y (threat-3-everyday-root-before-recovery), \
             which r0 answers the same way",
            R5,
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let d = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let y = w.roots("r1", &acct, d.id(), &["r0", "r1", "r3"], at(2));
                let rv = w.revoke("r3", &acct, y.id(), "phone", None, at(3));
                w.sup(&y);
                let x = w.enckey("r1", &acct, d.id(), &enc_key("x"), 1, at(4));
                let roots = w.pks(&["r0", "r1"]);
                Threat {
                    state: st(&acct, &x, roots).app(&d).enc(&enc_key("x"), 1),
                    ops: vec![(g, VALID), (d, VALID), (y, VALID), (rv, VALID), (x, VALID)],
                    ask: None,
                }
            },
        ),
        (
            "threat-3-everyday-root-before-recovery",
            "the thief of the everyday root r1 rotates the roots to [x] below D (retiring r1 by its own \
             signature) while the owner, unaware, delegates the laptop with r1 below D: r1 counts ∞ \
             under the owner's child, the thief's branch is canonical until r0 answers",
            R5,
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let d = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let t1 = w.roots("r1", &acct, d.id(), &["x"], at(2));
                let t2 = grant(&mut w, "x", &acct, &t1, "thief-app", at(3));
                let e = grant(&mut w, "r1", &acct, &d, "laptop", at(4));
                let roots = w.pks(&["x"]);
                Threat {
                    state: st(&acct, &t2, roots).app(&d).app(&t2),
                    ops: vec![(g, VALID), (d, VALID), (t1, VALID), (t2, VALID), (e, VALID)],
                    ask: None,
                }
            },
        ),
        (
            "threat-3-everyday-root-recovered",
            "threat-3-everyday-root-before-recovery, then r0 replaces r1 below the owner's laptop \
             delegation E: E's subtree holds r0 (strength 0) and wins at D; the honest history written \
             meanwhile (the laptop) stays valid, the thief's branch is evidence",
            R5,
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let d = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let t1 = w.roots("r1", &acct, d.id(), &["x"], at(2));
                let t2 = grant(&mut w, "x", &acct, &t1, "thief-app", at(3));
                let e = grant(&mut w, "r1", &acct, &d, "laptop", at(4));
                let r = w.roots("r0", &acct, e.id(), &["r0", "r2"], at(5));
                let ask = w.post("laptop", &acct, at(6), "meanwhile");
                let roots = w.pks(&["r0", "r2"]);
                Threat {
                    state: st(&acct, &r, roots).app(&d).app(&e),
                    ops: vec![
                        (g, VALID),
                        (d, VALID),
                        (t1, VALID),
                        (t2, VALID),
                        (e, VALID),
                        (r, VALID),
                    ],
                    ask: Some((ask, Exp::Authorized, "the laptop, delegated meanwhile")),
                }
            },
        ),
        (
            "threat-4-retry-supersedes",
            "a client re-signs a delegation after a timeout, with a new time, naming the first in \
             `supersedes`: the first (a leaf) takes no part in the fork choice; the retry is the head",
            R5,
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let x1 = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                w.sup(&x1);
                let x2 = grant(&mut w, "r1", &acct, &g, "phone", at(2));
                let roots = w.pks(&["r0", "r1"]);
                Threat {
                    state: st(&acct, &x2, roots).app(&x2),
                    ops: vec![(g, VALID), (x1, VALID), (x2, VALID)],
                    ask: None,
                }
            },
        ),
        (
            "threat-4-retry-different-body",
            "the retry has a different body (another encryption key) and the client continues below \
             it: the superseded leaf takes no part; no contest",
            R5,
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let x1 = w.enckey("r1", &acct, g.id(), &enc_key("x1"), 1, at(1));
                w.sup(&x1);
                let x2 = w.enckey("r1", &acct, g.id(), &enc_key("x2"), 1, at(2));
                let x3 = grant(&mut w, "r1", &acct, &x2, "phone", at(3));
                let roots = w.pks(&["r0", "r1"]);
                Threat {
                    state: st(&acct, &x3, roots).app(&x3).enc(&enc_key("x2"), 1),
                    ops: vec![(g, VALID), (x1, VALID), (x2, VALID), (x3, VALID)],
                    ask: None,
                }
            },
        ),
        (
            "threat-4-two-devices-leaves",
            "two devices that share r1 and do not know of each other each sign a child of the genesis: \
             a tie between leaves of one key goes to the smaller id (no freeze)",
            R5,
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let x1 = w.enckey("r1", &acct, g.id(), &enc_key("x1"), 1, at(1));
                let x2 = w.enckey("r1", &acct, g.id(), &enc_key("x2"), 1, at(1));
                let win = smaller(&x1, &x2).clone();
                let key = if win.id() == x1.id() { "x1" } else { "x2" };
                let roots = w.pks(&["r0", "r1"]);
                Threat {
                    state: st(&acct, &win, roots).enc(&enc_key(key), 1),
                    ops: vec![(g, VALID), (x1, VALID), (x2, VALID)],
                    ask: None,
                }
            },
        ),
        (
            "threat-4-two-devices-continued",
            "two devices sign children of the genesis with r1 and one continues below its own with r1: \
             a tie of one key's leaves that the key continued below one of them goes to that one (no \
             freeze; 06 §8.1)",
            R5,
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let x1 = w.enckey("r1", &acct, g.id(), &enc_key("x1"), 1, at(1));
                let x2 = w.enckey("r1", &acct, g.id(), &enc_key("x2"), 1, at(1));
                let x3 = grant(&mut w, "r1", &acct, &x2, "phone", at(2));
                let roots = w.pks(&["r0", "r1"]);
                Threat {
                    state: st(&acct, &x3, roots).app(&x3).enc(&enc_key("x2"), 1),
                    ops: vec![(g, VALID), (x1, VALID), (x2, VALID), (x3, VALID)],
                    ask: None,
                }
            },
        ),
        (
            "threat-4-two-devices-follow-head",
            "two devices sign children of the genesis with r1; the owner's next operation follows the \
             head (the smaller id), as 06 §11.6 advises: the chain goes on below it, no freeze (audit \
             finding F3)",
            R5,
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let x1 = w.enckey("r1", &acct, g.id(), &enc_key("x1"), 1, at(1));
                let x2 = w.enckey("r1", &acct, g.id(), &enc_key("x2"), 1, at(1));
                let win = smaller(&x1, &x2).clone();
                let next = w.enckey("r1", &acct, win.id(), &enc_key("next"), 2, at(2));
                let roots = w.pks(&["r0", "r1"]);
                Threat {
                    state: st(&acct, &next, roots).enc(&enc_key("next"), 2),
                    ops: vec![(g, VALID), (x1, VALID), (x2, VALID), (next, VALID)],
                    ask: None,
                }
            },
        ),
        (
            "threat-4-two-devices-both-continued",
            "two devices sign children of the genesis with r1 and each continues below its own with r1: \
             two histories of one key at rank 1, a contest (equivocation evidence)",
            R5,
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let x1 = w.enckey("r1", &acct, g.id(), &enc_key("x1"), 1, at(1));
                let x2 = w.enckey("r1", &acct, g.id(), &enc_key("x2"), 1, at(1));
                let y1 = grant(&mut w, "r1", &acct, &x1, "phone", at(2));
                let y2 = grant(&mut w, "r1", &acct, &x2, "laptop", at(2));
                let roots = w.pks(&["r0", "r1"]);
                Threat {
                    state: st(&acct, &g, roots).contested(&[&x1, &x2]),
                    ops: vec![(g, VALID), (x1, VALID), (x2, VALID), (y1, VALID), (y2, VALID)],
                    ask: None,
                }
            },
        ),
        (
            "threat-4-supersedes-not-a-leaf",
            "`supersedes` names a sibling that has a child: no effect (06 §8.1); r1 continued below \
             both, a contest",
            R5,
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let x1 = w.enckey("r1", &acct, g.id(), &enc_key("x1"), 1, at(1));
                let x1c = grant(&mut w, "r1", &acct, &x1, "phone", at(2));
                w.sup(&x1);
                let x2 = w.enckey("r1", &acct, g.id(), &enc_key("x2"), 1, at(3));
                let x2c = w.enckey("r1", &acct, x2.id(), &enc_key("x2c"), 2, at(4));
                let roots = w.pks(&["r0", "r1"]);
                Threat {
                    state: st(&acct, &g, roots).contested(&[&x1, &x2]),
                    ops: vec![(g, VALID), (x1, VALID), (x1c, VALID), (x2, VALID), (x2c, VALID)],
                    ask: None,
                }
            },
        ),
        (
            "threat-4-supersedes-other-signer",
            "`supersedes` names a sibling signed by another key (r2 names r1's leaf): no effect; both \
             have strength 1 (r1 signed below r2's) and one is not a leaf: a contest",
            R5,
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1", "r2"]);
                let x1 = w.enckey("r1", &acct, g.id(), &enc_key("x1"), 1, at(1));
                w.sup(&x1);
                let x2 = w.enckey("r2", &acct, g.id(), &enc_key("x2"), 1, at(2));
                let x2c = grant(&mut w, "r1", &acct, &x2, "phone", at(3));
                let roots = w.pks(&["r0", "r1", "r2"]);
                Threat {
                    state: st(&acct, &g, roots).contested(&[&x1, &x2]),
                    ops: vec![(g, VALID), (x1, VALID), (x2, VALID), (x2c, VALID)],
                    ask: None,
                }
            },
        ),
        (
            "threat-4-supersedes-not-earlier",
            "`supersedes` names a sibling of the same key with a higher seq: no effect; r1 continued \
             below both, a contest",
            R5,
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                // r1's history: two posts, then x1 at seq 3; x2 claims seq 2.
                w.post("r1", &acct, at(1), "one");
                w.post("r1", &acct, at(1), "two");
                let x1 = w.enckey("r1", &acct, g.id(), &enc_key("x1"), 1, at(2));
                let x2 = w.enckey_at("r1", 2, &acct, g.id(), &enc_key("x2"), 1, x1.id(), at(3));
                let x2c = grant(&mut w, "r1", &acct, &x2, "phone", at(4));
                let x1c = w.enckey("r1", &acct, x1.id(), &enc_key("x1c"), 2, at(5));
                let roots = w.pks(&["r0", "r1"]);
                Threat {
                    state: st(&acct, &g, roots).contested(&[&x1, &x2]),
                    ops: vec![(g, VALID), (x1, VALID), (x2, VALID), (x2c, VALID), (x1c, VALID)],
                    ask: None,
                }
            },
        ),
        (
            "threat-4-supersedes-not-a-sibling",
            "`supersedes` names an operation with another parent: no effect; at the genesis A and X1, \
             each continued by r1, tie at rank 1: a contest",
            R5,
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let a = w.enckey("r1", &acct, g.id(), &enc_key("a"), 1, at(1));
                let x1 = w.enckey("r1", &acct, g.id(), &enc_key("x1"), 1, at(2));
                w.sup(&x1);
                let x2 = w.enckey("r1", &acct, a.id(), &enc_key("x2"), 2, at(3));
                let x1c = w.enckey("r1", &acct, x1.id(), &enc_key("x1c"), 2, at(4));
                let roots = w.pks(&["r0", "r1"]);
                Threat {
                    state: st(&acct, &g, roots).contested(&[&a, &x1]),
                    ops: vec![(g, VALID), (a, VALID), (x1, VALID), (x2, VALID), (x1c, VALID)],
                    ask: None,
                }
            },
        ),
        (
            "threat-4-supersede-retirement-other-list",
            "the thief of r0 tries to supersede the owner's retirement of r0 (X1: roots [n0, r1]) with \
             his own (X2: roots [x, r1]): a retirement is superseded only by the same list, so no \
             effect; r0 retired itself under both and counts ∞: a tie at ∞, contested — until r1 \
             signs under X1 (threat-4-supersede-retirement-resolved)",
            R5,
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let x1 = w.roots("r0", &acct, g.id(), &["n0", "r1"], at(1));
                w.sup(&x1);
                let x2 = w.roots("r0", &acct, g.id(), &["x", "r1"], at(2));
                let roots = w.pks(&["r0", "r1"]);
                Threat {
                    state: st(&acct, &g, roots).contested(&[&x1, &x2]),
                    ops: vec![(g, VALID), (x1, VALID), (x2, VALID)],
                    ask: None,
                }
            },
        ),
        (
            "threat-4-supersede-retirement-resolved",
            "threat-4-supersede-retirement-other-list, then the owner signs with r1 under X1: X1's \
             subtree has strength 1, X2's ∞: X1 wins",
            R5,
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let x1 = w.roots("r0", &acct, g.id(), &["n0", "r1"], at(1));
                w.sup(&x1);
                let x2 = w.roots("r0", &acct, g.id(), &["x", "r1"], at(2));
                let y = grant(&mut w, "r1", &acct, &x1, "phone", at(3));
                let roots = w.pks(&["n0", "r1"]);
                Threat {
                    state: st(&acct, &y, roots).app(&y),
                    ops: vec![(g, VALID), (x1, VALID), (x2, VALID), (y, VALID)],
                    ask: None,
                }
            },
        ),
        (
            "threat-4-retry-retirement-same-list",
            "a retry of a retirement with the same list supersedes it: the retry is the head",
            R5,
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let x1 = w.roots("r0", &acct, g.id(), &["n0", "r1"], at(1));
                w.sup(&x1);
                let x2 = w.roots("r0", &acct, g.id(), &["n0", "r1"], at(2));
                let roots = w.pks(&["n0", "r1"]);
                Threat {
                    state: st(&acct, &x2, roots),
                    ops: vec![(g, VALID), (x1, VALID), (x2, VALID)],
                    ask: None,
                }
            },
        ),
        (
            "threat-4-supersede-retirement-needs-new-keys-acceptance",
            "r1 retires itself for r3 (Y: roots [r0, r3], r3's acceptance in its body) and r3 signs C \
             below Y; the thief of the retired r1 re-signs the same list with supersedes: Y, copying \
             Y's acceptance: r3 accepted Y's body, not X's, so X is invalid (ACCT-10, 06 §5.5) — a \
             self-retirement's list names a key the thief does not hold, and a self-retirement with a \
             child is never superseded (audit-f2f8 A1(b), refuted)",
            &["ACCT-5", "ACCT-10"],
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let y = w.roots("r1", &acct, g.id(), &["r0", "r3"], at(1));
                let c = w.enckey("r3", &acct, y.id(), &enc_key("c"), 1, at(2));
                let copied = get(&y.m_body(), "acceptances").cloned().expect("r3 accepted Y");
                let r = w.pks(&["r0", "r3"]);
                let body = m(vec![
                    ("after", b(g.id())),
                    ("roots", keys_v(&r)),
                    ("acceptances", copied),
                ]);
                w.sup(&y);
                let x = w.op("r1", &acct, "roots", at(3), body);
                Threat {
                    state: st(&acct, &c, r).enc(&enc_key("c"), 1),
                    ops: vec![(g, VALID), (y, VALID), (c, VALID), (x, "acct.acceptance_invalid")],
                    ask: None,
                }
            },
        ),
        (
            "threat-4-corrected-stranger-revokes-nothing",
            "below C (r1, below D), r1 adds a wrong third root r3 (Y: roots [r0, r1, r3]) and corrects \
             it with a retry naming Y (X: roots [r0, r1]); r3's holder signs Z below Y, revoking the \
             phone; r1's W and W2 beside C make D contested: a contested subtree's revocations are \
             taken in the fork-choice tree and from the superseded operations whose parent is in it, \
             not from below those, so Z revokes nothing (06 §8.4 case 1; audit-f2f8 A3)",
            R5,
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let d = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let ask = w.post("phone", &acct, at(2), "the phone's post");
                let c = w.enckey("r1", &acct, d.id(), &enc_key("c"), 1, at(3));
                let y = w.roots("r1", &acct, c.id(), &["r0", "r1", "r3"], at(4));
                w.sup(&y);
                let x = w.roots("r1", &acct, c.id(), &["r0", "r1"], at(5));
                let z = w.revoke("r3", &acct, y.id(), "phone", None, at(6));
                let t = w.enckey("r1", &acct, d.id(), &enc_key("t"), 1, at(7));
                let t2 = w.enckey("r1", &acct, t.id(), &enc_key("t2"), 2, at(8));
                let roots = w.pks(&["r0", "r1"]);
                Threat {
                    state: st(&acct, &d, roots).app(&d).contested(&[&c, &t]),
                    ops: vec![
                        (g, VALID),
                        (d, VALID),
                        (c, VALID),
                        (y, VALID),
                        (x, VALID),
                        (z, VALID),
                        (t, VALID),
                        (t2, VALID),
                    ],
                    ask: Some((ask, Exp::Authorized, "the phone, not revoked")),
                }
            },
        ),
        (
            "threat-4-corrected-root-list-stays-corrected",
            "r1 adds a wrong third root r3 (Y: roots [r0, r1, r3], a pasted stranger's key) and \
             corrects it with a retry naming Y (X: roots [r0, r1]); r3's holder, a root of Y's state \
             only, signs Z below Y: Z is not signed by a root of D, so Y stays superseded and leaves \
             the fork choice with its subtree (06 §8.1); X stays the head, no contest (audit finding \
             F8)",
            R5,
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let d = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let y = w.roots("r1", &acct, d.id(), &["r0", "r1", "r3"], at(2));
                w.sup(&y);
                let x = w.roots("r1", &acct, d.id(), &["r0", "r1"], at(3));
                let z = w.enckey("r3", &acct, y.id(), &enc_key("z"), 1, at(4));
                let roots = w.pks(&["r0", "r1"]);
                Threat {
                    state: st(&acct, &x, roots).app(&d),
                    ops: vec![(g, VALID), (d, VALID), (y, VALID), (x, VALID), (z, VALID)],
                    ask: None,
                }
            },
        ),
        (
            "threat-4-retry-continued-by-added-key-is-contest",
            "r1 adds r3 (Y: roots [r0, r1, r3]) and r3's device continues below Y (C) before r1's \
             retry X, with the same list, names Y: r3 is a root of X's state, so C keeps Y in the \
             fork choice (06 §8.1); X (a leaf) and Y (not continued by r1) tie at strength 1 at D: \
             a contest until a higher root signs (06 §11.6; the price of not erasing what a root \
             of the replacement signed; audit f2f8-2 B3)",
            R5,
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let d = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let y = w.roots("r1", &acct, d.id(), &["r0", "r1", "r3"], at(2));
                let c = w.enckey("r3", &acct, y.id(), &enc_key("c"), 1, at(3));
                w.sup(&y);
                let x = w.roots("r1", &acct, d.id(), &["r0", "r1", "r3"], at(4));
                let roots = w.pks(&["r0", "r1"]);
                Threat {
                    state: st(&acct, &d, roots).app(&d).contested(&[&y, &x]),
                    ops: vec![(g, VALID), (d, VALID), (y, VALID), (c, VALID), (x, VALID)],
                    ask: None,
                }
            },
        ),
        (
            "threat-5-future-dated-operation",
            "a root operation dated in 2099 by a wrong clock, then a delegation dated today below it: \
             valid (no rule compares an operation's time with its parent's); the phone is delegated \
             at today's time and its messages are authorized",
            &["ACCT-4", "ACCT-5", "AUTH-5"],
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let a = w.enckey("r0", &acct, g.id(), &enc_key("a"), 1, T0 + 73 * YEAR);
                let d = grant(&mut w, "r1", &acct, &a, "phone", at(5));
                let ask = w.post("phone", &acct, at(6), "today");
                let roots = w.pks(&["r0", "r1"]);
                Threat {
                    state: st(&acct, &d, roots).app(&d).enc(&enc_key("a"), 1),
                    ops: vec![(g, VALID), (a, VALID), (d, VALID)],
                    ask: Some((ask, Exp::Authorized, "the phone")),
                }
            },
        ),
        (
            "threat-6-supersede-keeps-revocation",
            "the thief of r1 supersedes the owner's revocation of the phone (a leaf) with an \
             operation of his own: his is the head, and the superseded revocation still applies to \
             the head state (06 §8.4)",
            R5,
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let d = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let ask = w.post("phone", &acct, at(2), "stolen phone");
                let rv = w.revoke("r1", &acct, d.id(), "phone", None, at(3));
                w.sup(&rv);
                let t = w.enckey("r1", &acct, d.id(), &enc_key("t"), 1, at(4));
                let roots = w.pks(&["r0", "r1"]);
                Threat {
                    state: st(&acct, &t, roots)
                        .app_rev(&d, Rev::All)
                        .enc(&enc_key("t"), 1),
                    ops: vec![(g, VALID), (d, VALID), (rv, VALID), (t, VALID)],
                    ask: Some((ask, Exp::Denied("auth.revoked"), "the revoked phone")),
                }
            },
        ),
        (
            "threat-6-contest-keeps-revocation",
            "the owner revokes the phone with a cutoff and goes on below it; the thief of r1 signs a \
             sibling and continues below it: D is contested, and the revocation from the contested \
             branch applies to the head state, keeping its cutoff",
            R5,
            |id| cutoff_fork(id, true),
        ),
        (
            "threat-6-continued-leaf-keeps-revocation",
            "the owner revokes the phone with a cutoff (a leaf); the thief of r1 signs a sibling and \
             continues below it: a tie of one key's leaves that the key continued, so the thief's branch \
             is the chain (06 §8.1), and the owner's revocation from the leaf still applies to the head \
             state (06 §8.4), keeping its cutoff",
            R5,
            |id| cutoff_fork(id, false),
        ),
        (
            "threat-6-supersede-chain-keeps-revocation",
            "the thief of r1 supersedes the owner's revocation of the phone (RV, a leaf) with X, then \
             X with Z: Z is the head and supersedes only X, yet RV, superseded and below a chain \
             operation, still applies (06 §8.4 case 3; audit finding F2)",
            R5,
            |id| revocation_superseded(id, Then::Superseded),
        ),
        (
            "threat-6-superseded-then-tied-keeps-revocation",
            "the thief of r1 supersedes the owner's revocation of the phone with X, then signs a plain \
             leaf W beside X: a tie of r1's leaves, the smaller id is the head; RV, superseded below a \
             chain operation, still applies (06 §8.4 case 3; audit finding F2)",
            R5,
            |id| revocation_superseded(id, Then::Tied),
        ),
        (
            "threat-6-removed-root-cannot-revoke-by-supersession",
            "after the owner's recovery O (roots [r0, k5], signed by r0, below D), the thief of the \
             removed r1 signs YR (revoke the phone) beside O and supersedes it with his leaf XR: O \
             wins at D, XR is not among D's children of minimal strength, so YR adds no revocation \
             (06 §8.4 case 3; audit-f2f8 A2)",
            R5,
            |id| revoke_by_supersession(id, Beside::Recovery),
        ),
        (
            "threat-6-retired-root-cannot-revoke-by-supersession",
            "r1 retired itself below D (O: roots [r0, k5]); the holder of the retired r1 signs YR \
             (revoke the phone) beside O and supersedes it with his leaf XR: r1 counts ∞ beside its \
             retirement, O wins at D, and YR adds no revocation (06 §8.4 case 3; audit-f2f8 A2)",
            R5,
            |id| revoke_by_supersession(id, Beside::Retirement),
        ),
        (
            "threat-6-superseded-then-contested-keeps-revocation",
            "the thief of r1 and r2 supersedes the owner's revocation of the phone with X, then signs W \
             beside X with r1 and W2 below W with r2: X and W tie at r1's rank and W is not continued \
             by r1, so D is contested; RV, superseded below the contested operation, still applies \
             (06 §8.4 cases 1 and 3; audit finding F2)",
            R5,
            |id| revocation_superseded(id, Then::Contested),
        ),
        (
            "threat-6-met-commitment-keeps-revocation",
            "audit-wm WM2, fixed: the genesis [r0, r1] committed to [n0, n1]; r1 delegates the phone \
             (D). The owner's committed rotation Q1 (by the revealed n0) commits to [m0, m1]; the \
             thief of n0 re-signs Q1's exact body under a new header (QX). The owner revokes the \
             phone with a cutoff below QX (RV, by n1: while Q1 is a leaf QX is the chain), then \
             meets Q1's commitment (Q2 by m0 below Q1): the met commitment breaks the copy's tie \
             (06 §8.1) and Q2 is the head, and the revocation in the defeated copy's subtree applies \
             to the head state, keeping its cutoff (06 §8.4 case 2): a fork never makes a revoked \
             key valid again",
            &["ACCT-5", "ACCT-14"],
            |id| {
                let (mut w, g, acct) = committed(id, &["r0", "r1"], &["n0", "n1"]);
                let d = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let p1 = w.post("phone", &acct, at(2), "honest");
                let q1 = w.roots_next("n0", &acct, d.id(), &["n0", "n1"], &["m0", "m1"], at(3));
                let qx = w.roots_next("n0", &acct, d.id(), &["n0", "n1"], &["m0", "m1"], at(4));
                let rv = w.revoke("n1", &acct, qx.id(), "phone", Some((1, &p1.id)), at(5));
                let q2 = w.roots("m0", &acct, q1.id(), &["m0", "m1"], at(6));
                let ask = w.post("phone", &acct, at(7), "stolen phone");
                let roots = w.pks(&["m0", "m1"]);
                Threat {
                    state: st(&acct, &q2, roots).app_rev(&d, Rev::After(1, p1.id.clone())),
                    ops: vec![
                        (g, VALID),
                        (d, VALID),
                        (q1, VALID),
                        (qx, VALID),
                        (rv, VALID),
                        (q2, VALID),
                    ],
                    ask: Some((
                        ask,
                        Exp::Denied("auth.revoked"),
                        "the stolen phone after the cutoff",
                    )),
                }
            },
        ),
        (
            "threat-6-endorsed-history-stays",
            "history r0 endorsed (E below D) is final against r1: the thief of r1 forks at the genesis \
             (T1) and at D (T3, revoking the phone); both lose by strength, the phone stays delegated \
             and unrevoked, and its messages stay authorized",
            R5,
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let d = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let e = w.roots("r0", &acct, d.id(), &["r0", "r1"], at(2));
                let lap = grant(&mut w, "r1", &acct, &e, "laptop", at(3));
                let t1 = w.roots("r1", &acct, g.id(), &["x"], at(4));
                let t3 = w.revoke("r1", &acct, d.id(), "phone", None, at(5));
                let ask = w.post("phone", &acct, at(6), "honest");
                let roots = w.pks(&["r0", "r1"]);
                Threat {
                    state: st(&acct, &lap, roots).app(&d).app(&lap),
                    ops: vec![
                        (g, VALID),
                        (d, VALID),
                        (e, VALID),
                        (lap, VALID),
                        (t1, VALID),
                        (t3, VALID),
                    ],
                    ask: Some((ask, Exp::Authorized, "the phone")),
                }
            },
        ),
        (
            "threat-7-flood-strangers",
            "someone without the account's keys sends operations: signed by his own key \
             (acct.not_a_root), following those (acct.parent_invalid), and following an id nobody \
             holds (waiting); the account view is unaffected",
            &["ACCT-4", "ACCT-6", "ACCT-5"],
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let d = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let s1 = w.roots("x", &acct, d.id(), &["x"], at(2));
                let s2 = grant(&mut w, "x", &acct, &s1, "x-app", at(3));
                let s3 = w.enckey("x", &acct, &rid("accounts: flood"), &enc_key("s3"), 1, at(4));
                let s4 = w.revoke("x", &acct, d.id(), "phone", None, at(5));
                let roots = w.pks(&["r0", "r1"]);
                Threat {
                    state: st(&acct, &d, roots).app(&d),
                    ops: vec![
                        (g, VALID),
                        (d, VALID),
                        (s1, "acct.not_a_root"),
                        (s2, "acct.parent_invalid"),
                        (s3, WAITING),
                        (s4, "acct.not_a_root"),
                    ],
                    ask: None,
                }
            },
        ),
        (
            "threat-7-flood-app-key",
            "the account's own app key signs operations (a rotation to itself, a revocation, a \
             supersession of the head): each is acct.not_a_root; the view is unaffected",
            &["ACCT-4", "ACCT-5"],
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let d = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let p1 = w.roots("phone", &acct, d.id(), &["phone"], at(2));
                let p2 = w.revoke("phone", &acct, d.id(), "phone", None, at(3));
                w.sup(&d);
                let p3 = w.enckey("phone", &acct, g.id(), &enc_key("p3"), 1, at(4));
                let roots = w.pks(&["r0", "r1"]);
                Threat {
                    state: st(&acct, &d, roots).app(&d),
                    ops: vec![
                        (g, VALID),
                        (d, VALID),
                        (p1, "acct.not_a_root"),
                        (p2, "acct.not_a_root"),
                        (p3, "acct.not_a_root"),
                    ],
                    ask: None,
                }
            },
        ),
    ];
    emit_threats(o, cases);
}

/// Emits a table of threat cases: each an operations vector, and an authorization vector where the
/// case asks one.
fn emit_threats(o: &mut Out, cases: Vec<(&str, &str, &[&str], ThreatFn)>) {
    for (id, description, rules, build) in cases {
        let t = build(id);
        let ops: Vec<(&Op, &str)> = t.ops.iter().map(|(op, s)| (op, *s)).collect();
        let all: Vec<&Op> = t.ops.iter().map(|(op, _)| op).collect();
        o.ops(id, description, rules, &ops, Some(t.state));
        if let Some((msg, exp, what)) = t.ask {
            o.auth(
                &format!("{id}-auth"),
                &format!("{id}: a message of {what}"),
                &["AUTH-3", "AUTH-6", "ACCT-5"],
                &all,
                &[],
                &msg.full,
                exp,
            );
        }
    }
}

/// Audit P2 (06 §8.1): the thief of r0 delegates his app key at the genesis [r0] committed to [n0]
/// (T); n0 signs two committed rotations beside it (Q1, Q2) and, if `continued`, an `enckey` below
/// Q1 (E). Q1 and Q2 do not retire r0 against each other: they tie as n0's leaves (continued or
/// not), T counts for nothing.
fn retries_with_thief(id: &str, continued: bool) -> Threat {
    let (mut w, g, acct) = committed(id, &["r0"], &["n0"]);
    let t = grant(&mut w, "r0", &acct, &g, "thief-app", at(1));
    let q1 = w.roots("n0", &acct, g.id(), &["n0"], at(2));
    let q2 = w.roots("n0", &acct, g.id(), &["n0"], at(3));
    let ask = w.post("thief-app", &acct, at(5), "thief");
    let roots = w.pks(&["n0"]);
    let e = continued.then(|| w.enckey("n0", &acct, q1.id(), &enc_key("e"), 1, at(4)));
    let state = match &e {
        Some(e) => st(&acct, e, roots).enc(&enc_key("e"), 1),
        None => st(&acct, smaller(&q1, &q2), roots),
    };
    let mut ops = vec![(g, VALID), (t, VALID), (q1, VALID), (q2, VALID)];
    ops.extend(e.map(|e| (e, VALID)));
    Threat {
        state,
        ops,
        ask: Some((
            ask,
            Exp::Denied("auth.not_delegated"),
            "the thief's app key",
        )),
    }
}

/// Audit P3: a witnessed account (w1..w3, t = 2) of roots [r0, r1] committed to [n0, n1]; the thief
/// of the current roots deactivates it, or with `successor` names his own account B as its successor
/// (plain, and naming the revealed list), and w1, w2 receipt the plain one. Both are
/// `acct.next_signer` in a committed state, the receipts follow an invalid operation, and the
/// owner's committed rotation Q is the head.
fn witnessed_thief_act(id: &str, successor: bool) -> Threat {
    let mut w = W::new(id);
    let body = m(vec![
        ("roots", keys_v(&w.pks(&["r0", "r1"]))),
        ("witnesses", w.witness_value(&["w1", "w2", "w3"], 2)),
        ("next", w.commit(&["n0", "n1"])),
    ]);
    let g = w.op("r0", &[0; 32], "genesis", T0, body);
    let acct = acct_of(&g);
    let mut ops = vec![(g.clone(), VALID)];
    let to = successor.then(|| {
        let bg = w.genesis_after(&["m0"], &acct, T0);
        let b_acct = acct_of(&bg);
        ops.push((bg, VALID));
        b_acct
    });
    let act = match &to {
        Some(b_acct) => w.successor("r0", &acct, g.id(), b_acct, at(1)),
        None => w.deactivate("r0", &acct, g.id(), at(1)),
    };
    let copied = w.revealing("r0", &acct, g.id(), to.as_deref(), &["n0", "n1"], at(2));
    let rc1 = w.receipt("w1", &acct, &act, at(3));
    let rc2 = w.receipt("w2", &acct, &act, at(3));
    let q = w.roots("n0", &acct, g.id(), &["n0", "n1"], at(4));
    let (roots, ws) = (w.pks(&["n0", "n1"]), w.pks(&["w1", "w2", "w3"]));
    let state = st(&acct, &q, roots).witnessed(ws, 2);
    ops.extend([
        (act, "acct.next_signer"),
        (copied, "acct.next_signer"),
        (rc1, "acct.parent_invalid"),
        (rc2, "acct.parent_invalid"),
        (q, VALID),
    ]);
    Threat {
        state,
        ops,
        ask: None,
    }
}

/// Audit Q4: after the owner's committed rotation Q of the genesis [r0, r1] (committed to
/// [n0, n1], Q signed by the revealed n0), the thief of n0 alone ends (or, with `successor`, moves)
/// the account at the genesis, naming the now public list. ACCT-10: a committed deactivation or
/// successor carries the acceptance of every key of the list it reveals, and the thief lacks n1's:
/// with n0's acceptance only (X) or none (X2) it is acct.acceptance_missing. With `continued`, n1
/// delegates the phone below Q first (the owner going on with the everyday key).
fn revealed_key_act_at_parent(id: &str, successor: bool, continued: bool) -> Threat {
    let (mut w, g, acct) = committed(id, &["r0", "r1"], &["n0", "n1"]);
    let mut ops = vec![(g.clone(), VALID)];
    let to = successor.then(|| {
        let bg = w.genesis_after(&["x0"], &acct, T0);
        let b_acct = acct_of(&bg);
        ops.push((bg, VALID));
        b_acct
    });
    let q = w.roots("n0", &acct, g.id(), &["n0", "n1"], at(1));
    ops.push((q.clone(), VALID));
    let mut head = q.clone();
    if continued {
        let phone = grant(&mut w, "n1", &acct, &q, "phone", at(2));
        ops.push((phone.clone(), VALID));
        head = phone;
    }
    let list = w.pks(&["n0", "n1"]);
    let mut body = m(vec![("after", b(g.id())), ("roots", keys_v(&list))]);
    let kind = match &to {
        Some(b_acct) => {
            body = set(&body, "to", b(b_acct));
            "successor"
        }
        None => "deactivate",
    };
    let n0 = w.keys(&["n0"]);
    let partial = accepted(&body, &acct, kind, &n0.iter().collect::<Vec<_>>(), &[]);
    let x = w.op("n0", &acct, kind, at(3), partial);
    let x2 = w.bare().op("n0", &acct, kind, at(4), body);
    ops.extend([
        (x, "acct.acceptance_missing"),
        (x2, "acct.acceptance_missing"),
    ]);
    let mut state = st(&acct, &head, list);
    if continued {
        state = state.app(&head);
    }
    Threat {
        state,
        ops,
        ask: None,
    }
}

/// The account of `roots`, its genesis committed to the next roots `next` (ACCT-14).
fn committed(vid: &str, roots: &[&str], next: &[&str]) -> (W, Op, Vec<u8>) {
    let mut w = W::new(vid);
    let g = w.genesis_next(roots, next, T0);
    let acct = acct_of(&g);
    (w, g, acct)
}

/// Pre-rotation (06 §5.8, ACCT-14; audit F9): the threat cases of an old backup or stolen current
/// roots against an account committed to its next roots, and the account that never committed.
fn pre_rotation(o: &mut Out) {
    const R14: &[&str] = &["ACCT-5", "ACCT-14"];
    let cases: Vec<(&str, &str, &[&str], ThreatFn)> = vec![
        (
            "threat-9-committed-full-rotation-old-backup",
            "F9(a) closed: the genesis [r0, r1] committed to [n0, n1]; the owner rotates to them in \
             one committed rotation Q signed by n0, n1 delegates the phone. An old backup with r0 \
             and r1: its own rotation at the genesis is acct.next_mismatch; what else it signs \
             there (T by r0, T2 below by r1) counts for nothing, because Q counts as signed by, \
             and as a self-retirement of, r0 and r1 (06 §8.1): the owner's chain stays",
            R14,
            |id| {
                let (mut w, g, acct) = committed(id, &["r0", "r1"], &["n0", "n1"]);
                let q = w.roots("n0", &acct, g.id(), &["n0", "n1"], at(1));
                let phone = grant(&mut w, "n1", &acct, &q, "phone", at(2));
                let f = w.roots("r0", &acct, g.id(), &["r1", "x"], at(3));
                let t = w.enckey("r0", &acct, g.id(), &enc_key("t"), 1, at(4));
                let t2 = grant(&mut w, "r1", &acct, &t, "thief-app", at(5));
                let ask = w.post("thief-app", &acct, at(6), "thief");
                let roots = w.pks(&["n0", "n1"]);
                Threat {
                    state: st(&acct, &phone, roots).app(&phone),
                    ops: vec![
                        (g, VALID),
                        (q, VALID),
                        (phone, VALID),
                        (f, "acct.next_mismatch"),
                        (t, VALID),
                        (t2, VALID),
                    ],
                    ask: Some((ask, Exp::Denied("auth.not_delegated"), "the thief's app key")),
                }
            },
        ),
        (
            "threat-9-old-backup-cannot-supersede-above-committed-rotation",
            "the genesis [r0, r1] committed to [n0, n1]; the owner's Y (an enckey by r0) at the \
             genesis, below it the committed rotation Q signed by n0, and n1 delegates the phone. \
             An old backup with r0 names Y in supersedes of its X (a later enckey by r0 beside Y) \
             and delegates its own app below X with r1: Q counts as signed by every root of its \
             parent, r0 and r1 (06 §8.1 Attribution), so a root of the genesis signed below Y and \
             Y is not superseded; Q retires r0 and r1 below Y, so X counts for nothing: the \
             owner's chain stays (audit f2f8-2 M1)",
            R14,
            |id| {
                let (mut w, g, acct) = committed(id, &["r0", "r1"], &["n0", "n1"]);
                let y = w.enckey("r0", &acct, g.id(), &enc_key("y"), 1, at(1));
                let q = w.roots("n0", &acct, y.id(), &["n0", "n1"], at(2));
                let phone = grant(&mut w, "n1", &acct, &q, "phone", at(3));
                w.sup(&y);
                let x = w.enckey("r0", &acct, g.id(), &enc_key("x"), 1, at(4));
                let t2 = grant(&mut w, "r1", &acct, &x, "thief-app", at(5));
                let ask = w.post("thief-app", &acct, at(6), "thief");
                let roots = w.pks(&["n0", "n1"]);
                Threat {
                    state: st(&acct, &phone, roots)
                        .app(&phone)
                        .enc(&enc_key("y"), 1),
                    ops: vec![
                        (g, VALID),
                        (y, VALID),
                        (q, VALID),
                        (phone, VALID),
                        (x, VALID),
                        (t2, VALID),
                    ],
                    ask: Some((ask, Exp::Denied("auth.not_delegated"), "the thief's app key")),
                }
            },
        ),
        (
            "threat-9-committed-careful-rotation-no-freeze",
            "F9(b) closed: the genesis [r0, r1] committed to [r0, n1]; Q1 (signed by n1, its \
             first new key) rotates to it and commits to [n0, n1]; Q2 (signed by n0) rotates to \
             that. The old backup signs two children of the genesis, one by r0 and one by r1: Q1 \
             retires r1 and Q2 retires r0 below the genesis's child Q1, so neither counts under \
             the thief's children, and Q1 counts as signed by r0: no contest, the owner's chain \
             stays",
            R14,
            |id| {
                let (mut w, g, acct) = committed(id, &["r0", "r1"], &["r0", "n1"]);
                let q1 = w.roots_next("n1", &acct, g.id(), &["r0", "n1"], &["n0", "n1"], at(1));
                let q2 = w.roots("n0", &acct, q1.id(), &["n0", "n1"], at(2));
                let phone = grant(&mut w, "n1", &acct, &q2, "phone", at(3));
                let t0 = w.enckey("r0", &acct, g.id(), &enc_key("t0"), 1, at(4));
                let t1 = w.enckey("r1", &acct, g.id(), &enc_key("t1"), 1, at(5));
                let roots = w.pks(&["n0", "n1"]);
                Threat {
                    state: st(&acct, &phone, roots).app(&phone),
                    ops: vec![
                        (g, VALID),
                        (q1, VALID),
                        (q2, VALID),
                        (phone, VALID),
                        (t0, VALID),
                        (t1, VALID),
                    ],
                    ask: None,
                }
            },
        ),
        (
            "threat-9-current-roots-stolen-recovered",
            "both current roots stolen (issue 14, scenario 2) in an account committed to [n0, n1]: \
             the thief delegates his app key (T, by r0) and revokes the phone below it (T2, by r1); \
             his rotation is acct.next_mismatch. The owner signs the committed rotation Q (by n0) \
             as a sibling of T: Q counts as signed by r0 and r1 and retires both, so they count for \
             nothing under T: Q wins, the phone stays, the thief's app key is not delegated",
            R14,
            |id| {
                let (mut w, g, acct) = committed(id, &["r0", "r1"], &["n0", "n1"]);
                let phone = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let t = grant(&mut w, "r0", &acct, &phone, "thief-app", at(2));
                let t2 = w.revoke("r1", &acct, t.id(), "phone", None, at(3));
                let f = w.roots("r0", &acct, phone.id(), &["x"], at(4));
                let q = w.roots("n0", &acct, phone.id(), &["n0", "n1"], at(5));
                let ask = w.post("thief-app", &acct, at(6), "thief");
                let roots = w.pks(&["n0", "n1"]);
                Threat {
                    state: st(&acct, &q, roots).app(&phone),
                    ops: vec![
                        (g, VALID),
                        (phone, VALID),
                        (t, VALID),
                        (t2, VALID),
                        (f, "acct.next_mismatch"),
                        (q, VALID),
                    ],
                    ask: Some((ask, Exp::Denied("auth.not_delegated"), "the thief's app key")),
                }
            },
        ),
        (
            "threat-9-copied-list-old-root",
            "a committed rotation must be signed by its revealed key, the first key of its list \
             that is neither a root nor a former root of the parent: the owner's revealed list \
             [n0, n1] copied into a rotation signed by the old root r0, or by n1, is \
             acct.next_signer; a next of 31 bytes is acct.body. Q (by n0) commits to nothing, so \
             below it the current root n1 rotates as before (U)",
            R14,
            |id| {
                let (mut w, g, acct) = committed(id, &["r0", "r1"], &["n0", "n1"]);
                let q = w.roots("n0", &acct, g.id(), &["n0", "n1"], at(1));
                let c0 = w.roots("r0", &acct, g.id(), &["n0", "n1"], at(2));
                let c1 = w.roots("n1", &acct, g.id(), &["n0", "n1"], at(3));
                let bad = m(vec![
                    ("after", b(g.id())),
                    ("roots", keys_v(&w.pks(&["x"]))),
                    ("next", b(&[7; 31])),
                ]);
                let c2 = w.op("r0", &acct, "roots", at(4), bad);
                let u = w.roots("n1", &acct, q.id(), &["n0", "n2"], at(5));
                let roots = w.pks(&["n0", "n2"]);
                Threat {
                    state: st(&acct, &u, roots),
                    ops: vec![
                        (g, VALID),
                        (q, VALID),
                        (c0, "acct.next_signer"),
                        (c1, "acct.next_signer"),
                        (c2, "acct.body"),
                        (u, VALID),
                    ],
                    ask: None,
                }
            },
        ),
        (
            "threat-9-uncommitted-old-backup-takes-over",
            "what stays open (06 §11.7): the account that never committed. As \
             threat-9-committed-full-rotation-old-backup without the commitment: r0 signs the full \
             rotation Q; the old backup forges r0's retirement (F, roots [r1, x]) and signs below \
             it with r1, which only a higher root retired: F wins at the genesis with strength 1 \
             and the thief's app key is delegated",
            &["ACCT-5"],
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let q = w.roots("r0", &acct, g.id(), &["n0", "n1"], at(1));
                let phone = grant(&mut w, "n1", &acct, &q, "phone", at(2));
                let f = w.roots("r0", &acct, g.id(), &["r1", "x"], at(3));
                let t2 = grant(&mut w, "r1", &acct, &f, "thief-app", at(4));
                let ask = w.post("thief-app", &acct, at(5), "thief");
                let roots = w.pks(&["r1", "x"]);
                Threat {
                    state: st(&acct, &t2, roots).app(&t2),
                    ops: vec![(g, VALID), (q, VALID), (phone, VALID), (f, VALID), (t2, VALID)],
                    ask: Some((ask, Exp::Authorized, "the thief's app key")),
                }
            },
        ),
        (
            "threat-9-late-commitment-old-backup",
            "an account committed after its genesis (the lead's example): C (signed by r1, \
             accepted by r0 and r1, as every root of a committing list must) commits [r0, r1] to \
             [n0, n1]; Q rotates to them. The old backup forges r0's retirement at the genesis \
             (T, roots [r1, x]) and signs below it with r1: r0 retired under both children of the \
             genesis counts in neither; r1, retired by Q, counts only under C, where Q counts as \
             its signature: C wins with strength 1",
            R14,
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let c = w.roots_next("r1", &acct, g.id(), &["r0", "r1"], &["n0", "n1"], at(1));
                let q = w.roots("n0", &acct, c.id(), &["n0", "n1"], at(2));
                let phone = grant(&mut w, "n1", &acct, &q, "phone", at(3));
                let t = w.roots("r0", &acct, g.id(), &["r1", "x"], at(4));
                let t2 = grant(&mut w, "r1", &acct, &t, "thief-app", at(5));
                let roots = w.pks(&["n0", "n1"]);
                Threat {
                    state: st(&acct, &phone, roots).app(&phone),
                    ops: vec![
                        (g, VALID),
                        (c, VALID),
                        (q, VALID),
                        (phone, VALID),
                        (t, VALID),
                        (t2, VALID),
                    ],
                    ask: None,
                }
            },
        ),
        (
            "threat-9-forged-commitment-lower-root",
            "a thief of the everyday root r1 of an uncommitted account tries to commit on the \
             recovery root's behalf: C1 keeps [r0, r1] and commits to his key y, accepted by r1 \
             only: acct.acceptance_missing (every root of a committing list accepts, 06 §5.8). \
             C2 drops r0 ([r1, x], committing to [y]) and Q rotates to y: Q counts as signed by, \
             and retires, r1 and x only, never r0, so the owner's delegation signed by r0 beside \
             it wins at the genesis",
            R14,
            |id| {
                let (mut w, g, acct) = base(id, &["r0", "r1"]);
                let phone = grant(&mut w, "r0", &acct, &g, "phone", at(1));
                let body = m(vec![
                    ("after", b(g.id())),
                    ("roots", keys_v(&w.pks(&["r0", "r1"]))),
                    ("next", w.commit(&["y"])),
                ]);
                let r1 = w.keys(&["r1"]);
                let body = accepted(&body, &acct, "roots", &[&r1[0]], &[]);
                let c1 = w.op("r1", &acct, "roots", at(2), body);
                let c2 = w.roots_next("r1", &acct, g.id(), &["r1", "x"], &["y"], at(3));
                let q = w.roots("y", &acct, c2.id(), &["y"], at(4));
                let t = grant(&mut w, "y", &acct, &q, "thief-app", at(5));
                let ask = w.post("thief-app", &acct, at(6), "thief");
                let roots = w.pks(&["r0", "r1"]);
                Threat {
                    state: st(&acct, &phone, roots).app(&phone),
                    ops: vec![
                        (g, VALID),
                        (phone, VALID),
                        (c1, "acct.acceptance_missing"),
                        (c2, VALID),
                        (q, VALID),
                        (t, VALID),
                    ],
                    ask: Some((ask, Exp::Denied("auth.not_delegated"), "the thief's app key")),
                }
            },
        ),
        (
            "threat-9-kept-root-stolen-two-rotations",
            "the genesis [r0, r1] committed to [r0, n1] (keeping r0), and r0 is stolen: the \
             thief signs X beside the owner's committed rotation Q1, which keeps r0 and so does \
             not retire it (alone, a contest). Q2, the next committed rotation (by n0), drops r0 \
             and retires it at every fork point above: r0 counts only under Q1, X for nothing",
            R14,
            |id| {
                let (mut w, g, acct) = committed(id, &["r0", "r1"], &["r0", "n1"]);
                let x = w.enckey("r0", &acct, g.id(), &enc_key("x"), 1, at(1));
                let q1 = w.roots_next("n1", &acct, g.id(), &["r0", "n1"], &["n0", "n1"], at(2));
                let q2 = w.roots("n0", &acct, q1.id(), &["n0", "n1"], at(3));
                let roots = w.pks(&["n0", "n1"]);
                Threat {
                    state: st(&acct, &q2, roots),
                    ops: vec![(g, VALID), (x, VALID), (q1, VALID), (q2, VALID)],
                    ask: None,
                }
            },
        ),
        (
            "threat-9-witnessed-final-thief-then-rotation",
            "witness finality still binds (06 §5.8): in an account with witnesses w1..w3 (t = 2) \
             committed to [n0, n1], the thief of r1 delegates his app key (T) and w1, w2 receipt \
             it: T is final at the genesis, so the owner's committed rotation beside it (S) loses \
             whatever its strength. The owner rotates below T instead (Q: the state there is \
             still committed, and the thief could not rotate) and revokes the thief's app key \
             with the new root (RV)",
            &["ACCT-5", "ACCT-14", "ACCT-16"],
            |id| {
                let mut w = W::new(id);
                let body = m(vec![
                    ("roots", keys_v(&w.pks(&["r0", "r1"]))),
                    ("witnesses", w.witness_value(&["w1", "w2", "w3"], 2)),
                    ("next", w.commit(&["n0", "n1"])),
                ]);
                let g = w.op("r0", &[0; 32], "genesis", T0, body);
                let acct = acct_of(&g);
                let t = grant(&mut w, "r1", &acct, &g, "thief-app", at(1));
                let rc1 = w.receipt("w1", &acct, &t, at(2));
                let rc2 = w.receipt("w2", &acct, &t, at(2));
                let sib = w.roots("n0", &acct, g.id(), &["n0", "n1"], at(3));
                let q = w.roots("n0", &acct, t.id(), &["n0", "n1"], at(4));
                let rv = w.revoke("n1", &acct, q.id(), "thief-app", None, at(5));
                let (roots, ws) = (w.pks(&["n0", "n1"]), w.pks(&["w1", "w2", "w3"]));
                Threat {
                    state: st(&acct, &rv, roots)
                        .app_rev(&t, Rev::All)
                        .witnessed(ws, 2)
                        .last_final(&t),
                    ops: vec![
                        (g, VALID),
                        (t, VALID),
                        (rc1, VALID),
                        (rc2, VALID),
                        (sib, VALID),
                        (q, VALID),
                        (rv, VALID),
                    ],
                    ask: None,
                }
            },
        ),
        (
            "threat-9-one-key-committed-retries-tie",
            "two committed rotations of the genesis by the one revealed key n0 (a retry without \
             supersedes): both count for every root of the genesis, so neither outranks the other; \
             as leaves of one key they tie and the smaller id is the head (06 §8.1), not a contest",
            R14,
            |id| {
                let (mut w, g, acct) = committed(id, &["r0"], &["n0"]);
                let q1 = w.roots("n0", &acct, g.id(), &["n0"], at(1));
                let q2 = w.roots("n0", &acct, g.id(), &["n0"], at(2));
                let head = smaller(&q1, &q2).clone();
                let roots = w.pks(&["n0"]);
                Threat {
                    state: st(&acct, &head, roots),
                    ops: vec![(g, VALID), (q1, VALID), (q2, VALID)],
                    ask: None,
                }
            },
        ),
        (
            "threat-9-one-key-committed-retries-continued",
            "as threat-9-one-key-committed-retries-tie, and n0 continues below the later one (E): \
             a tie of one key's leaves, continued (06 §8.1): the chain continues at it",
            R14,
            |id| {
                let (mut w, g, acct) = committed(id, &["r0"], &["n0"]);
                let q1 = w.roots("n0", &acct, g.id(), &["n0"], at(1));
                let q2 = w.roots("n0", &acct, g.id(), &["n0"], at(2));
                let e = w.enckey("n0", &acct, q2.id(), &enc_key("e"), 1, at(3));
                let roots = w.pks(&["n0"]);
                Threat {
                    state: st(&acct, &e, roots).enc(&enc_key("e"), 1),
                    ops: vec![(g, VALID), (q1, VALID), (q2, VALID), (e, VALID)],
                    ask: None,
                }
            },
        ),
        (
            "threat-9-one-key-committed-retries-with-thief-sibling-tie",
            "audit P2: the thief of r0 delegates his app key at the committed genesis (T), and \
             the owner's revealed key n0 signs two committed rotations beside it (Q1, Q2: a retry \
             without supersedes). They speak for one commitment, so neither's retirement of r0 \
             counts against the other (06 §8.1): both have r0's strength, T none; Q1 and Q2 tie as \
             one key's leaves and the smaller id is the head, not a contest at the thief's root",
            R14,
            |id| retries_with_thief(id, false),
        ),
        (
            "threat-9-one-key-committed-retries-with-thief-sibling-continued",
            "as threat-9-one-key-committed-retries-with-thief-sibling-tie, and n0 continues below \
             Q1 (E): a tie of one key's leaves, continued: the chain continues at Q1 and E is the \
             head; the thief's app key is not delegated",
            R14,
            |id| retries_with_thief(id, true),
        ),
        (
            "threat-9-revealed-key-skips-former-root",
            "audit P7: the genesis [r0] committed to [n0]; Q1 (by n0) rotates to it and commits to \
             [r0, n1], bringing back the former root r0 first. Below Q1 the revealed key is n1, the \
             first key of the list that is neither a root nor a former root: the rotation signed by \
             r0 is acct.next_signer, the one signed by n1 (Q2) is valid",
            R14,
            |id| {
                let (mut w, g, acct) = committed(id, &["r0"], &["n0"]);
                let q1 = w.roots_next("n0", &acct, g.id(), &["n0"], &["r0", "n1"], at(1));
                let c = w.roots("r0", &acct, q1.id(), &["r0", "n1"], at(2));
                let q2 = w.roots("n1", &acct, q1.id(), &["r0", "n1"], at(3));
                let roots = w.pks(&["r0", "n1"]);
                Threat {
                    state: st(&acct, &q2, roots),
                    ops: vec![(g, VALID), (q1, VALID), (c, "acct.next_signer"), (q2, VALID)],
                    ask: None,
                }
            },
        ),
        (
            "threat-9-commitment-without-revealed-key",
            "audit P7: the genesis [r0, r1] committed to [r1, r0], a list with no key outside the \
             current and former roots (the producer rules forbid it): no key can be its revealed \
             key, so every rotation is acct.next_signer, whoever signs it; other operations by the \
             roots stay valid (D)",
            R14,
            |id| {
                let (mut w, g, acct) = committed(id, &["r0", "r1"], &["r1", "r0"]);
                let c0 = w.roots("r0", &acct, g.id(), &["r1", "r0"], at(1));
                let c1 = w.roots("r1", &acct, g.id(), &["r1", "r0"], at(2));
                let d = grant(&mut w, "r1", &acct, &g, "phone", at(3));
                let roots = w.pks(&["r0", "r1"]);
                Threat {
                    state: st(&acct, &d, roots).app(&d),
                    ops: vec![
                        (g, VALID),
                        (c0, "acct.next_signer"),
                        (c1, "acct.next_signer"),
                        (d, VALID),
                    ],
                    ask: None,
                }
            },
        ),
        (
            "threat-9-malformed-next",
            "audit P7: a genesis whose next is 31 bytes (B1), or text (B2), is acct.body (06 §5.3), \
             and so is a next in a kind whose schema has no such field (a delegate D and an enckey E \
             naming one); the well-formed committed genesis G is unaffected",
            &["ACCT-1", "ACCT-14"],
            |id| {
                let (mut w, g, acct) = committed(id, &["r0"], &["n0"]);
                let r = w.pks(&["r0"]);
                let b1 = w.op(
                    "r0",
                    &[0; 32],
                    "genesis",
                    T0,
                    m(vec![("roots", keys_v(&r)), ("next", b(&[7; 31]))]),
                );
                let b2 = w.op(
                    "r0",
                    &[0; 32],
                    "genesis",
                    T0,
                    m(vec![("roots", keys_v(&r)), ("next", t("n0"))]),
                );
                let app = w.pk("phone");
                let body = set(
                    &delegate_body(g.id(), &app, texts(&["*"]), u(T0 + YEAR)),
                    "next",
                    w.commit(&["n1"]),
                );
                let d = w.op("r0", &acct, "delegate", at(1), body);
                let body = m(vec![
                    ("after", b(g.id())),
                    ("key", b(&enc_key("e"))),
                    ("version", u(1)),
                    ("next", w.commit(&["n1"])),
                ]);
                let e = w.op("r0", &acct, "enckey", at(2), body);
                let roots = w.pks(&["r0"]);
                Threat {
                    state: st(&acct, &g, roots),
                    ops: vec![
                        (g, VALID),
                        (b1, "acct.body"),
                        (b2, "acct.body"),
                        (d, "acct.body"),
                        (e, "acct.body"),
                    ],
                    ask: None,
                }
            },
        ),
        (
            "threat-9-uncommitting-rotation-old-backup",
            "audit P7: the genesis [r0, r1] committed to [n0, n1]; the owner's committed rotation Q \
             names no next, so the account is not committed below it, but Q is still a committed \
             rotation of the genesis: it counts as signed by, and retires, r0 and r1 there. An old \
             backup of both: T (by r0) and T2 below it (by r1) at the genesis count for nothing, and \
             below Q the old roots are no roots (acct.not_a_root): the owner's chain stays",
            R14,
            |id| {
                let (mut w, g, acct) = committed(id, &["r0", "r1"], &["n0", "n1"]);
                let q = w.roots("n0", &acct, g.id(), &["n0", "n1"], at(1));
                let phone = grant(&mut w, "n1", &acct, &q, "phone", at(2));
                let t1 = w.enckey("r0", &acct, g.id(), &enc_key("t"), 1, at(3));
                let t2 = grant(&mut w, "r1", &acct, &t1, "thief-app", at(4));
                let f = w.roots("r0", &acct, q.id(), &["r0"], at(5));
                let ask = w.post("thief-app", &acct, at(6), "thief");
                let roots = w.pks(&["n0", "n1"]);
                Threat {
                    state: st(&acct, &phone, roots).app(&phone),
                    ops: vec![
                        (g, VALID),
                        (q, VALID),
                        (phone, VALID),
                        (t1, VALID),
                        (t2, VALID),
                        (f, "acct.not_a_root"),
                    ],
                    ask: Some((ask, Exp::Denied("auth.not_delegated"), "the thief's app key")),
                }
            },
        ),
        (
            "threat-9-witnessed-final-deactivation-by-current-root",
            "audit P3: in a committed account with witnesses w1..w3 (t = 2), the thief of the current \
             roots deactivates it (D, by r0) and w1, w2 would receipt it. In a committed state a \
             deactivation is an act of the next keys, as a rotation is (06 §5.8): D is \
             acct.next_signer, so are the same naming the revealed list (D2, by r0), the receipts \
             follow an invalid operation (acct.parent_invalid), and the owner's committed rotation Q \
             is the head",
            &["ACCT-11", "ACCT-14", "ACCT-16"],
            |id| witnessed_thief_act(id, false),
        ),
        (
            "threat-9-witnessed-final-successor-by-current-root",
            "audit P3: as threat-9-witnessed-final-deactivation-by-current-root, with a successor: \
             the thief names his own account B (whose genesis claims the victim as predecessor) as \
             the successor (S, by r0, and S2 naming the revealed list): acct.next_signer, the \
             receipts acct.parent_invalid, no move; the owner's committed rotation Q is the head",
            &["ACCT-12", "ACCT-13", "ACCT-14", "ACCT-16"],
            |id| witnessed_thief_act(id, true),
        ),
        (
            "threat-9-committed-deactivation-by-revealed-key",
            "audit P3, the owner's side: the genesis [r0, r1] committed to [n0, n1]; the thief of r0 \
             delegates his app key (T). The owner deactivates with the revealed key n0, naming the \
             list (D): like a committed rotation it counts as signed by r0 and r1 and retires both \
             (it keeps no root), so it wins at the genesis and the account is deactivated at D's \
             time. A deactivation by n0 naming another list is acct.next_mismatch; one by n1 (not \
             the revealed key) is acct.next_signer",
            &["ACCT-5", "ACCT-11", "ACCT-14"],
            |id| {
                let (mut w, g, acct) = committed(id, &["r0", "r1"], &["n0", "n1"]);
                let t = grant(&mut w, "r0", &acct, &g, "thief-app", at(1));
                let wrong = w.revealing("n0", &acct, g.id(), None, &["n0"], at(2));
                let other = w.revealing("n1", &acct, g.id(), None, &["n0", "n1"], at(3));
                let d = w.revealing("n0", &acct, g.id(), None, &["n0", "n1"], at(4));
                let roots = w.pks(&["r0", "r1"]);
                Threat {
                    state: st(&acct, &d, roots).deactivated(at(4)),
                    ops: vec![
                        (g, VALID),
                        (t, VALID),
                        (wrong, "acct.next_mismatch"),
                        (other, "acct.next_signer"),
                        (d, VALID),
                    ],
                    ask: None,
                }
            },
        ),
        (
            "threat-9-committed-deactivation-superseded",
            "audit-int L1: the genesis [r0, r1] committed to [n0, n1]; the revealed n0 deactivates, \
             naming the list with the acceptance of every key of it (D), then signs a committed \
             rotation to the same list that names D in supersedes (X, a corrected body). A committed \
             deactivation is a self-retirement of every root of its parent, and the list it names is \
             the one it reveals: X names the same list, so X supersedes D (06 §8.1) and the account \
             is not deactivated. Only whoever holds n0 and the acceptance of n1 can sign X, and only \
             while D is not final; a rotation to another list is acct.next_mismatch",
            &["ACCT-5", "ACCT-11", "ACCT-14"],
            |id| {
                let (mut w, g, acct) = committed(id, &["r0", "r1"], &["n0", "n1"]);
                let d = w.revealing("n0", &acct, g.id(), None, &["n0", "n1"], at(1));
                let other = w.sup(&d).roots("n0", &acct, g.id(), &["n0"], at(2));
                let x = w.sup(&d).roots("n0", &acct, g.id(), &["n0", "n1"], at(3));
                let roots = w.pks(&["n0", "n1"]);
                Threat {
                    state: st(&acct, &x, roots),
                    ops: vec![
                        (g, VALID),
                        (d, VALID),
                        (other, "acct.next_mismatch"),
                        (x, VALID),
                    ],
                    ask: None,
                }
            },
        ),
        (
            "threat-9-committed-successor-by-revealed-key",
            "audit P3, the owner's side: the genesis [r0] committed to [n0]; the thief of r0 \
             delegates his app key (T). The owner moves the account to B (whose genesis names it as \
             predecessor) with the revealed key n0, naming the list (S): S retires r0 at the genesis \
             and wins there, and the account has moved to B",
            &["ACCT-5", "ACCT-12", "ACCT-13", "ACCT-14"],
            |id| {
                let (mut w, g, acct) = committed(id, &["r0"], &["n0"]);
                let bg = w.genesis_after(&["m0"], &acct, T0);
                let b_acct = acct_of(&bg);
                let t = grant(&mut w, "r0", &acct, &g, "thief-app", at(1));
                let s = w.revealing("n0", &acct, g.id(), Some(&b_acct), &["n0"], at(2));
                let ask = w.post("thief-app", &acct, at(3), "thief");
                let roots = w.pks(&["r0"]);
                Threat {
                    state: st(&acct, &s, roots).moved_to(&b_acct),
                    ops: vec![(g, VALID), (bg, VALID), (t, VALID), (s, VALID)],
                    ask: Some((ask, Exp::Denied("auth.not_delegated"), "the thief's app key")),
                }
            },
        ),
        (
            "threat-9-revealed-key-deactivates-at-parent",
            "audit Q4: the genesis [r0, r1] committed to [n0, n1]; the owner's committed rotation Q \
             (by the revealed n0) is a leaf. The thief of n0 alone deactivates at the genesis, \
             naming the list [n0, n1] (public since Q): were it valid it would count as every root \
             of the genesis and tie Q as one key's leaves (the smaller id wins, which he can grind). \
             A committed deactivation carries the acceptance of every key of the list it reveals \
             (ACCT-10): with n0's acceptance only (X) or none (X2) it is acct.acceptance_missing, \
             and Q is the head",
            &["ACCT-10", "ACCT-11", "ACCT-14"],
            |id| revealed_key_act_at_parent(id, false, false),
        ),
        (
            "threat-9-revealed-key-successor-at-parent",
            "audit Q4: as threat-9-revealed-key-deactivates-at-parent, with a successor to the \
             thief's account B (whose genesis names the victim as predecessor): without n1's \
             acceptance (X: n0's only; X2: none) it is acct.acceptance_missing, nothing moves, and \
             the owner's leaf rotation Q is the head",
            &["ACCT-10", "ACCT-12", "ACCT-13", "ACCT-14"],
            |id| revealed_key_act_at_parent(id, true, false),
        ),
        (
            "threat-9-revealed-key-deactivation-beside-continued-rotation",
            "audit Q4: as threat-9-revealed-key-deactivates-at-parent, the owner going on below Q \
             with the everyday n1 only (it delegates the phone; the offline n0 signs nothing else). \
             Valid, the thief's deactivation would contest the genesis for ever (no n0 signature \
             below Q); lacking n1's acceptance it is acct.acceptance_missing and the phone's \
             delegation is the head",
            &["ACCT-10", "ACCT-11", "ACCT-14"],
            |id| revealed_key_act_at_parent(id, false, true),
        ),
        (
            "threat-9-revealed-key-refork-copied-body",
            "audit Q1, fixed: the genesis [r0, r1] committed to [n0, n1]; the owner's committed \
             rotation Q1 (by n0) commits to [m0, m1], n1 delegates the phone. After Q1 the revealed \
             n0 is a root, and its thief alone re-signs Q1's exact body under a new header (QX: \
             valid, the acceptances sign the body without the header) and delegates below it. Both \
             count for every root of the genesis and are continued: without more, a contest for \
             ever. The owner meets Q1's commitment (Q2 by m0 below the phone): of committed acts of \
             one parent continued below more than one, the one whose own commitment is met below it \
             wins when every other continued one commits to nothing or to the same next (a met \
             commitment breaks a copy's tie, 06 §8.1): Q2 is the head",
            R14,
            |id| {
                let (mut w, g, acct) = committed(id, &["r0", "r1"], &["n0", "n1"]);
                let q1 = w.roots_next("n0", &acct, g.id(), &["n0", "n1"], &["m0", "m1"], at(1));
                let phone = grant(&mut w, "n1", &acct, &q1, "phone", at(2));
                let qx = w.roots_next("n0", &acct, g.id(), &["n0", "n1"], &["m0", "m1"], at(1));
                let tx = grant(&mut w, "n0", &acct, &qx, "thief-app", at(3));
                let q2 = w.roots("m0", &acct, phone.id(), &["m0", "m1"], at(4));
                let ask = w.post("thief-app", &acct, at(5), "thief");
                let roots = w.pks(&["m0", "m1"]);
                Threat {
                    state: st(&acct, &q2, roots).app(&phone),
                    ops: vec![
                        (g, VALID),
                        (q1, VALID),
                        (phone, VALID),
                        (qx, VALID),
                        (tx, VALID),
                        (q2, VALID),
                    ],
                    ask: Some((ask, Exp::Denied("auth.not_delegated"), "the thief's app key")),
                }
            },
        ),
        (
            "threat-9-revealed-key-refork-everyday-careful",
            "audit Q1, fixed: the careful pattern, the genesis [r0, r1] committed to [r0, n1]; Q1 \
             (by n1, the revealed key, the new everyday root) commits to [r0, r1b], n1 delegates the \
             phone. The thief of n1 alone rotates at the genesis to [r0, n1] without next (QX: only \
             n1 accepts) and delegates below it; r0 counts for both, so r0 cannot answer. The owner \
             signs with r0 below the phone (E) and meets Q1's commitment (Q2 by r1b): QX commits to \
             nothing of its own, so the met commitment breaks the tie (06 §8.1) and Q2 is the head",
            R14,
            |id| {
                let (mut w, g, acct) = committed(id, &["r0", "r1"], &["r0", "n1"]);
                let q1 = w.roots_next("n1", &acct, g.id(), &["r0", "n1"], &["r0", "r1b"], at(1));
                let phone = grant(&mut w, "n1", &acct, &q1, "phone", at(2));
                let qx = w.roots("n1", &acct, g.id(), &["r0", "n1"], at(3));
                let tx = grant(&mut w, "n1", &acct, &qx, "thief-app", at(4));
                let e = w.enckey("r0", &acct, phone.id(), &enc_key("e"), 1, at(5));
                let q2 = w.roots("r1b", &acct, e.id(), &["r0", "r1b"], at(6));
                let roots = w.pks(&["r0", "r1b"]);
                Threat {
                    state: st(&acct, &q2, roots).app(&phone).enc(&enc_key("e"), 1),
                    ops: vec![
                        (g, VALID),
                        (q1, VALID),
                        (phone, VALID),
                        (qx, VALID),
                        (tx, VALID),
                        (e, VALID),
                        (q2, VALID),
                    ],
                    ask: None,
                }
            },
        ),
        (
            "threat-9-revealed-key-refork-current-root",
            "audit Q1, the limit (06 §5.8 What stays open): the genesis [r0] committed to [n0]; \
             Q1 (by n0) commits to [m0] and n0 delegates the phone. The thief of the current root \
             n0 — also the revealed key of the genesis, and every key of its list — signs at the \
             genesis a committed rotation of his own (QX, next [x0]) and continues below it. The \
             owner's recovery below Q1 (Q2 by m0, a new phone) meets Q1's commitment, but QX \
             commits on its own: the genesis is contested for ever between Q1 and QX (only \
             witnesses answer)",
            R14,
            |id| {
                let (mut w, g, acct) = committed(id, &["r0"], &["n0"]);
                let q1 = w.roots_next("n0", &acct, g.id(), &["n0"], &["m0"], at(1));
                let phone = grant(&mut w, "n0", &acct, &q1, "phone", at(2));
                let qx = w.roots_next("n0", &acct, g.id(), &["n0"], &["x0"], at(3));
                let tx = grant(&mut w, "n0", &acct, &qx, "thief-app", at(4));
                let q2 = w.roots("m0", &acct, phone.id(), &["m0"], at(5));
                let phone2 = grant(&mut w, "m0", &acct, &q2, "phone2", at(6));
                let roots = w.pks(&["r0"]);
                let (lo, hi) = (smaller(&q1, &qx).clone(), larger(&q1, &qx).clone());
                Threat {
                    state: st(&acct, &g, roots).contested(&[&lo, &hi]),
                    ops: vec![
                        (g, VALID),
                        (q1, VALID),
                        (phone, VALID),
                        (qx, VALID),
                        (tx, VALID),
                        (q2, VALID),
                        (phone2, VALID),
                    ],
                    ask: None,
                }
            },
        ),
        (
            "threat-9-revealed-key-refork-old-backup",
            "audit Q1, the limit: the genesis [r0, r1] committed to [n0, n1]; Q1 (by n0) commits \
             to [m0, m1], Q2 (by m0) rotates to them, m1 delegates the phone. An old backup of Q1's \
             era (n0 and n1, every key of the revealed list) signs at the genesis a committed \
             rotation of its own (QX, next [x0]) and delegates below it: QX commits on its own, so \
             the met commitment below Q1 does not break the tie, and the genesis is contested",
            R14,
            |id| {
                let (mut w, g, acct) = committed(id, &["r0", "r1"], &["n0", "n1"]);
                let q1 = w.roots_next("n0", &acct, g.id(), &["n0", "n1"], &["m0", "m1"], at(1));
                let q2 = w.roots("m0", &acct, q1.id(), &["m0", "m1"], at(2));
                let phone = grant(&mut w, "m1", &acct, &q2, "phone", at(3));
                let qx = w.roots_next("n0", &acct, g.id(), &["n0", "n1"], &["x0"], at(4));
                let tx = grant(&mut w, "n1", &acct, &qx, "thief-app", at(5));
                let roots = w.pks(&["r0", "r1"]);
                let (lo, hi) = (smaller(&q1, &qx).clone(), larger(&q1, &qx).clone());
                Threat {
                    state: st(&acct, &g, roots).contested(&[&lo, &hi]),
                    ops: vec![
                        (g, VALID),
                        (q1, VALID),
                        (q2, VALID),
                        (phone, VALID),
                        (qx, VALID),
                        (tx, VALID),
                    ],
                    ask: None,
                }
            },
        ),
        (
            "threat-9-revealed-key-refork-leaf-takeover",
            "audit Q1, the limit (the leaf window): the genesis [r0] committed to [n0]; the owner's \
             committed rotation Q1 (by n0, next [m0]) is a leaf. The thief of n0 signs a committed \
             rotation QX at the genesis with his own next, superseding Q1 (same signer, larger seq, \
             same list), and delegates below it: Q1 is out of the fork choice and the thief's \
             history is the account's, until the owner signs below Q1 (which un-supersedes it) — \
             producers sign once below a rotation at once",
            R14,
            |id| {
                let (mut w, g, acct) = committed(id, &["r0"], &["n0"]);
                let q1 = w.roots_next("n0", &acct, g.id(), &["n0"], &["m0"], at(1));
                let qx = w
                    .sup(&q1)
                    .roots_next("n0", &acct, g.id(), &["n0"], &["x0"], at(2));
                let tx = grant(&mut w, "n0", &acct, &qx, "thief-app", at(3));
                let roots = w.pks(&["n0"]);
                Threat {
                    state: st(&acct, &tx, roots).app(&tx),
                    ops: vec![(g, VALID), (q1, VALID), (qx, VALID), (tx, VALID)],
                    ask: None,
                }
            },
        ),
        (
            "threat-9-revealed-key-refork-witnessed",
            "audit Q1, the answer: the genesis [r0] committed to [n0] names the witness w1 (t = 1); \
             the owner's committed rotation Q1 (by n0, next [m0]) is receipted by w1, so it is \
             final. The thief of n0 signs QX at the genesis with his own next and continues: a final \
             child wins before strengths are compared (06 §8.6), so Q1 and the owner's Q2 below it \
             (by m0) stay the chain",
            &["ACCT-5", "ACCT-14", "ACCT-16"],
            |id| {
                let mut w = W::new(id);
                let body = m(vec![
                    ("roots", keys_v(&w.pks(&["r0"]))),
                    ("witnesses", w.witness_value(&["w1"], 1)),
                    ("next", w.commit(&["n0"])),
                ]);
                let g = w.op("r0", &[0; 32], "genesis", T0, body);
                let acct = acct_of(&g);
                let q1 = w.roots_next("n0", &acct, g.id(), &["n0"], &["m0"], at(1));
                let rc = w.receipt("w1", &acct, &q1, at(2));
                let qx = w.roots_next("n0", &acct, g.id(), &["n0"], &["x0"], at(3));
                let tx = grant(&mut w, "n0", &acct, &qx, "thief-app", at(4));
                let q2 = w.roots("m0", &acct, q1.id(), &["m0"], at(5));
                let (roots, ws) = (w.pks(&["m0"]), w.pks(&["w1"]));
                Threat {
                    state: st(&acct, &q2, roots).witnessed(ws, 1).last_final(&q1),
                    ops: vec![
                        (g, VALID),
                        (q1, VALID),
                        (rc, VALID),
                        (qx, VALID),
                        (tx, VALID),
                        (q2, VALID),
                    ],
                    ask: None,
                }
            },
        ),
        (
            "threat-9-committed-rotations-below-and-beside-thief",
            "audit Q2, stated (06 §5.8 producer rules): the genesis [r0, r1] committed to [n0, n1]; \
             r1 delegates the phone (D), the thief of r0 and r1 delegates his app key (T, by r0). The \
             owner rotates at the head, below T (QT, by n0): alone it wins at the genesis but keeps \
             T's delegation. He then rotates again as T's sibling (Q) and delegates a new phone: QT, \
             inside T's subtree, retires r0 and r1 against Q, and Q against T, so the genesis is \
             contested between D, T and Q. A client chooses one place: beside the thief's first \
             operation, with no rotation below it first",
            R14,
            |id| {
                let (mut w, g, acct) = committed(id, &["r0", "r1"], &["n0", "n1"]);
                let d = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let t = grant(&mut w, "r0", &acct, &g, "thief-app", at(2));
                let qt = w.roots("n0", &acct, t.id(), &["n0", "n1"], at(3));
                let q = w.roots("n0", &acct, g.id(), &["n0", "n1"], at(4));
                let d2 = grant(&mut w, "n1", &acct, &q, "phone2", at(5));
                let roots = w.pks(&["r0", "r1"]);
                let mut tied = [&d, &t, &q];
                tied.sort_by(|x, y| x.id().cmp(y.id()));
                Threat {
                    state: st(&acct, &g, roots).contested(&tied),
                    ops: vec![
                        (g.clone(), VALID),
                        (d.clone(), VALID),
                        (t.clone(), VALID),
                        (qt, VALID),
                        (q.clone(), VALID),
                        (d2, VALID),
                    ],
                    ask: None,
                }
            },
        ),
        (
            "threat-9-one-key-committed-retry-continued-by-other-root",
            "audit Q3, stated (06 §5.8 producer rules): the genesis [r0, r1] committed to [n0, n1]; \
             the revealed n0 (kept offline) signs two committed rotations of the genesis without \
             supersedes (Q1, a retry Q1B), and the owner goes on below Q1 with the everyday n1 only \
             (D). A tie of one key's leaves, continued, needs an operation below Q1 that counts as \
             n0's: there is none, so the genesis stays contested until n0 signs below Q1 (or Q1's \
             commitment is met). Retries name the earlier attempt in supersedes",
            R14,
            |id| {
                let (mut w, g, acct) = committed(id, &["r0", "r1"], &["n0", "n1"]);
                let q1 = w.roots("n0", &acct, g.id(), &["n0", "n1"], at(1));
                let q1b = w.roots("n0", &acct, g.id(), &["n0", "n1"], at(2));
                let d = grant(&mut w, "n1", &acct, &q1, "phone", at(3));
                let roots = w.pks(&["r0", "r1"]);
                let (lo, hi) = (smaller(&q1, &q1b).clone(), larger(&q1, &q1b).clone());
                Threat {
                    state: st(&acct, &g, roots).contested(&[&lo, &hi]),
                    ops: vec![(g, VALID), (q1, VALID), (q1b, VALID), (d, VALID)],
                    ask: None,
                }
            },
        ),
        (
            "threat-9-revealed-list-without-commitment",
            "audit P3: in an account that is not committed, a deactivation or successor naming a \
             list reveals nothing it could match (acct.next_mismatch, even signed by a root); the \
             plain deactivation by the root is valid, as before",
            &["ACCT-11", "ACCT-12", "ACCT-14"],
            |id| {
                let (mut w, g, acct) = base(id, &["r0"]);
                let d1 = w.revealing("r0", &acct, g.id(), None, &["r0"], at(1));
                let s1 = w.revealing("r0", &acct, g.id(), Some(&[9; 32]), &["n0"], at(2));
                let d = w.deactivate("r0", &acct, g.id(), at(3));
                let roots = w.pks(&["r0"]);
                Threat {
                    state: st(&acct, &d, roots).deactivated(at(3)),
                    ops: vec![
                        (g, VALID),
                        (d1, "acct.next_mismatch"),
                        (s1, "acct.next_mismatch"),
                        (d, VALID),
                    ],
                    ask: None,
                }
            },
        ),
        (
            "threat-9-one-key-committed-retries-partial-list",
            "audit P4: the genesis [r0, r1] committed to [r0, n0] (keeping r0); n0 signs two \
             committed rotations of the genesis (Q1, Q2). Both have strength 0 (r0, kept, is not \
             retired), so s is finite, but every tied child is a committed rotation: k is their \
             signer n0 (06 §8.1 takes that clause first), not r0, and the tie of n0's leaves goes to \
             the smaller id",
            R14,
            |id| {
                let (mut w, g, acct) = committed(id, &["r0", "r1"], &["r0", "n0"]);
                let q1 = w.roots("n0", &acct, g.id(), &["r0", "n0"], at(1));
                let q2 = w.roots("n0", &acct, g.id(), &["r0", "n0"], at(2));
                let head = smaller(&q1, &q2).clone();
                let roots = w.pks(&["r0", "n0"]);
                Threat {
                    state: st(&acct, &head, roots),
                    ops: vec![(g, VALID), (q1, VALID), (q2, VALID)],
                    ask: None,
                }
            },
        ),
    ];
    emit_threats(o, cases);
}

// ------------------------------------------------------------------------------------------------ witnesses

/// One witness case (06 §8.6): the operations and receipts with their declared statuses, and the
/// declared head state (None iff the genesis is not valid).
type WitnessCase = fn(&str) -> (Vec<(Op, &'static str)>, Option<St>);

/// The witnessed account most cases use: roots [r0, r1] and witnesses w1, w2, w3 with threshold 2.
fn witnessed(id: &str) -> (W, Op, Vec<u8>, Vec<Vec<u8>>) {
    let mut w = W::new(id);
    let g = w.genesis_w("r0", &["r0", "r1"], &["w1", "w2", "w3"], 2, T0);
    let acct = acct_of(&g);
    let ws = w.pks(&["w1", "w2", "w3"]);
    (w, g, acct, ws)
}

/// A genesis of roots [r0] with `witnesses` as given (a raw value, for the defects of ACCT-15).
fn genesis_raw(w: &mut W, witnesses: Value) -> Op {
    let r = w.pks(&["r0"]);
    w.op(
        "r0",
        &[0; 32],
        "genesis",
        T0,
        m(vec![("roots", keys_v(&r)), ("witnesses", witnesses)]),
    )
}

/// A `witnesses` value from raw keys (in the order given) and threshold.
fn wv(keys: &[Vec<u8>], t: u64) -> Value {
    m(vec![("keys", keys_v(keys)), ("threshold", u(t))])
}

/// The witness cases: the witness set (ACCT-15, ACCT-3), receipts (ACCT-16), duplicity and finality
/// in the fork choice (ACCT-5), and the threats they answer (06 §8.6, §11.5). Every operations
/// vector is checked in every order of arrival (at most six messages) or in several.
fn witnesses(o: &mut Out) {
    let w15: &[&str] = &["ACCT-15"];
    let w16: &[&str] = &["ACCT-16"];
    let w3: &[&str] = &["ACCT-3", "ACCT-15"];
    let fin: &[&str] = &["ACCT-5", "ACCT-16"];
    let cases: Vec<(&str, &str, &[&str], WitnessCase)> = vec![
        (
            "witness-set-valid",
            "a genesis naming three witnesses with threshold 2 (more than half): valid; the head \
             state shows the set, keys sorted bytewise",
            w15,
            |id| {
                let (mut w, g, acct, ws) = witnessed(id);
                let roots = w.pks(&["r0", "r1"]);
                let s = st(&acct, &g, roots).witnessed(ws, 2);
                (vec![(g, VALID)], Some(s))
            },
        ),
        (
            "witness-set-threshold-half",
            "two witnesses with threshold 1: not more than half (06 §8.6): acct.witnesses",
            w15,
            |id| {
                let mut w = W::new(id);
                let mut ks = w.pks(&["w1", "w2"]);
                ks.sort();
                (vec![(genesis_raw(&mut w, wv(&ks, 1)), "acct.witnesses")], None)
            },
        ),
        (
            "witness-set-threshold-above-n",
            "one witness with threshold 2: more than the witnesses there are: acct.witnesses",
            w15,
            |id| {
                let mut w = W::new(id);
                let ks = w.pks(&["w1"]);
                (vec![(genesis_raw(&mut w, wv(&ks, 2)), "acct.witnesses")], None)
            },
        ),
        (
            "witness-set-unsorted",
            "three witnesses not in ascending bytewise order: acct.witnesses (one encoding per set)",
            w15,
            |id| {
                let mut w = W::new(id);
                let mut ks = w.pks(&["w1", "w2", "w3"]);
                ks.sort();
                ks.reverse();
                (vec![(genesis_raw(&mut w, wv(&ks, 2)), "acct.witnesses")], None)
            },
        ),
        (
            "witness-set-repeated",
            "one witness key twice (threshold 2): not strictly ascending: acct.witnesses",
            w15,
            |id| {
                let mut w = W::new(id);
                let k = w.pk("w1");
                (
                    vec![(genesis_raw(&mut w, wv(&[k.clone(), k], 2)), "acct.witnesses")],
                    None,
                )
            },
        ),
        (
            "witness-set-nine",
            "nine witnesses (threshold 5): more than 8: acct.witnesses",
            w15,
            |id| {
                let mut w = W::new(id);
                let names = ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "w9"];
                let mut ks = w.pks(&names);
                ks.sort();
                (vec![(genesis_raw(&mut w, wv(&ks, 5)), "acct.witnesses")], None)
            },
        ),
        (
            "witness-set-empty-genesis",
            "a genesis naming no witnesses with threshold 0: the removal exists only in a roots body: \
             acct.witnesses",
            w15,
            |id| {
                let mut w = W::new(id);
                (vec![(genesis_raw(&mut w, wv(&[], 0)), "acct.witnesses")], None)
            },
        ),
        (
            "witness-set-not-a-map",
            "witnesses is an array, not a map: acct.body (ACCT-1)",
            &["ACCT-1"],
            |id| {
                let mut w = W::new(id);
                let ks = w.pks(&["w1"]);
                (vec![(genesis_raw(&mut w, keys_v(&ks)), "acct.body")], None)
            },
        ),
        (
            "witness-set-unknown-field",
            "the witness set has an un-dotted key besides keys and threshold: acct.body (ACCT-1)",
            &["ACCT-1"],
            |id| {
                let mut w = W::new(id);
                let ks = w.pks(&["w1"]);
                let v = set(&wv(&ks, 1), "quorum", u(1));
                (vec![(genesis_raw(&mut w, v), "acct.body")], None)
            },
        ),
        (
            "witness-set-small-order-key",
            "a witness key that is a small-order point (01 then 31 zero bytes): key.small_order \
             (ACCT-1, SIG-4)",
            &["ACCT-1"],
            |id| {
                let mut w = W::new(id);
                let mut z = vec![0u8; 32];
                z[0] = 1;
                (vec![(genesis_raw(&mut w, wv(&[z], 1)), "key.small_order")], None)
            },
        ),
        (
            "witness-key-is-root",
            "the genesis names its own root r0 as its witness: one key, two roles: acct.key_in_use \
             (ACCT-3)",
            w3,
            |id| {
                let mut w = W::new(id);
                let ks = w.pks(&["r0"]);
                (vec![(genesis_raw(&mut w, wv(&ks, 1)), "acct.key_in_use")], None)
            },
        ),
        (
            "witness-rotated-root-is-witness",
            "a roots operation that names a witness in force (w1) as a new root, leaving the set as it \
             is: acct.key_in_use (ACCT-3)",
            w3,
            |id| {
                let (mut w, g, acct, ws) = witnessed(id);
                let r = w.roots("r0", &acct, g.id(), &["r0", "w1"], at(1));
                let roots = w.pks(&["r0", "r1"]);
                let s = st(&acct, &g, roots).witnessed(ws, 2);
                (vec![(g, VALID), (r, "acct.key_in_use")], Some(s))
            },
        ),
        (
            "witness-is-app-key",
            "a roots operation that names the phone's app key as a witness: acct.key_in_use (ACCT-3)",
            w3,
            |id| {
                let mut w = W::new(id);
                let g = w.genesis("r0", &["r0"], T0);
                let acct = acct_of(&g);
                let d = grant(&mut w, "r0", &acct, &g, "phone", at(1));
                let v = w.witness_value(&["phone"], 1);
                let r = w.roots_w("r0", &acct, d.id(), &["r0"], v, at(2));
                let roots = w.pks(&["r0"]);
                let s = st(&acct, &d, roots).app(&d);
                (vec![(g, VALID), (d, VALID), (r, "acct.key_in_use")], Some(s))
            },
        ),
        (
            "witness-not-delegated",
            "a delegation of witness w1's key as an app key: acct.key_in_use (ACCT-3)",
            w3,
            |id| {
                let (mut w, g, acct, ws) = witnessed(id);
                let d = grant(&mut w, "r1", &acct, &g, "w1", at(1));
                let roots = w.pks(&["r0", "r1"]);
                let s = st(&acct, &g, roots).witnessed(ws, 2);
                (vec![(g, VALID), (d, "acct.key_in_use")], Some(s))
            },
        ),
        (
            "witness-set-removed",
            "a roots operation with witnesses {keys: [], threshold: 0} removes the set: valid, and the \
             head state has no witness set; receipts over it by the old witnesses are valid (they were \
             witnesses on the path) but judge nothing below it",
            w15,
            |id| {
                let (mut w, g, acct, _) = witnessed(id);
                let r = w.roots_w("r0", &acct, g.id(), &["r0", "r1"], wv(&[], 0), at(1));
                let e = w.enckey("r1", &acct, r.id(), &enc_key("e"), 1, at(2));
                let c1 = w.receipt("w1", &acct, &e, at(3));
                let c2 = w.receipt("w2", &acct, &e, at(3));
                let roots = w.pks(&["r0", "r1"]);
                // R is final at G (w1 and w2 endorse it through E); E, judged by R's empty set, is not.
                let s = st(&acct, &e, roots).enc(&enc_key("e"), 1).last_final(&r);
                (
                    vec![(g, VALID), (r, VALID), (e, VALID), (c1, VALID), (c2, VALID)],
                    Some(s),
                )
            },
        ),
        (
            "receipt-not-a-witness",
            "a receipt signed by a key that is no witness of the account: acct.not_a_witness",
            w16,
            |id| {
                let (mut w, g, acct, ws) = witnessed(id);
                let a = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let c = w.receipt("stranger", &acct, &a, at(2));
                let roots = w.pks(&["r0", "r1"]);
                let s = st(&acct, &a, roots).app(&a).witnessed(ws, 2);
                (vec![(g, VALID), (a, VALID), (c, "acct.not_a_witness")], Some(s))
            },
        ),
        (
            "receipt-of-genesis",
            "a witness receipts the genesis, which has no parent and so no witness set in force at \
             its parent: acct.not_a_witness",
            w16,
            |id| {
                let (mut w, g, acct, ws) = witnessed(id);
                let c = w.receipt("w1", &acct, &g, at(1));
                let roots = w.pks(&["r0", "r1"]);
                let s = st(&acct, &g, roots).witnessed(ws, 2);
                (vec![(g, VALID), (c, "acct.not_a_witness")], Some(s))
            },
        ),
        (
            "receipt-account-mismatch",
            "a witness's receipt whose header names another account than the receipted operation's: \
             acct.account_mismatch",
            &["ACCT-4", "ACCT-16"],
            |id| {
                let (mut w, g, acct, ws) = witnessed(id);
                let a = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let other = rid("accounts: another account");
                let c = w.receipt("w1", &other, &a, at(2));
                let roots = w.pks(&["r0", "r1"]);
                let s = st(&acct, &a, roots).app(&a).witnessed(ws, 2);
                (vec![(g, VALID), (a, VALID), (c, "acct.account_mismatch")], Some(s))
            },
        ),
        (
            "receipt-waits",
            "receipts over an operation that is not held wait for it (ACCT-6), like an operation \
             whose parent is missing",
            &["ACCT-6", "ACCT-16"],
            |id| {
                let (mut w, g, acct, ws) = witnessed(id);
                let a = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let c = w.receipt("w1", &acct, &a, at(2));
                let roots = w.pks(&["r0", "r1"]);
                let s = st(&acct, &g, roots).witnessed(ws, 2);
                (vec![(g, VALID), (c, WAITING)], Some(s))
            },
        ),
        (
            "receipt-parent-invalid",
            "a receipt over an invalid operation (signed by an app key) is acct.parent_invalid",
            &["ACCT-4", "ACCT-16"],
            |id| {
                let (mut w, g, acct, ws) = witnessed(id);
                let a = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let bad = w.enckey("phone", &acct, a.id(), &enc_key("p"), 1, at(2));
                let c = w.receipt("w1", &acct, &bad, at(3));
                let roots = w.pks(&["r0", "r1"]);
                let s = st(&acct, &a, roots).app(&a).witnessed(ws, 2);
                (
                    vec![
                        (g, VALID),
                        (a, VALID),
                        (bad, "acct.not_a_root"),
                        (c, "acct.parent_invalid"),
                    ],
                    Some(s),
                )
            },
        ),
        (
            "receipt-is-no-parent",
            "a receipt is not in the tree: a receipt of a receipt, and an operation following a \
             receipt, are acct.parent_invalid",
            &["ACCT-4", "ACCT-16"],
            |id| {
                let (mut w, g, acct, ws) = witnessed(id);
                let a = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let c = w.receipt("w1", &acct, &a, at(2));
                let cc = w.receipt("w2", &acct, &c, at(3));
                let after = w.enckey("r1", &acct, c.id(), &enc_key("x"), 1, at(4));
                let roots = w.pks(&["r0", "r1"]);
                let s = st(&acct, &a, roots).app(&a).witnessed(ws, 2);
                (
                    vec![
                        (g, VALID),
                        (a, VALID),
                        (c, VALID),
                        (cc, "acct.parent_invalid"),
                        (after, "acct.parent_invalid"),
                    ],
                    Some(s),
                )
            },
        ),
        (
            "receipt-body",
            "a receipt body with an un-dotted key besides op: acct.body (ACCT-1)",
            &["ACCT-1"],
            |id| {
                let (mut w, g, acct, ws) = witnessed(id);
                let a = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let body = m(vec![("op", b(a.id())), ("after", b(a.id()))]);
                let c = Op {
                    m: w.msg("w1", &acct, "receipt", at(2), body),
                    grant: None,
                };
                let roots = w.pks(&["r0", "r1"]);
                let s = st(&acct, &a, roots).app(&a).witnessed(ws, 2);
                (vec![(g, VALID), (a, VALID), (c, "acct.body")], Some(s))
            },
        ),
        (
            "witness-final-chain",
            "two of three witnesses receipt the head A: A is final (the last final operation of the \
             chain); a receipt endorses its operation's ancestors too, and a second receipt of one \
             witness over one operation changes nothing",
            fin,
            |id| {
                let (mut w, g, acct, ws) = witnessed(id);
                let a = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let c1 = w.receipt("w1", &acct, &a, at(2));
                let c1b = w.receipt("w1", &acct, &a, at(3));
                let c2 = w.receipt("w2", &acct, &a, at(2));
                let roots = w.pks(&["r0", "r1"]);
                let s = st(&acct, &a, roots).app(&a).witnessed(ws, 2).last_final(&a);
                (
                    vec![(g, VALID), (a, VALID), (c1, VALID), (c1b, VALID), (c2, VALID)],
                    Some(s),
                )
            },
        ),
        (
            "witness-rotation",
            "the owner rotates the witnesses at R (roots [r0, r1] with witness v1, threshold 1); R is \
             judged by the set in force at the genesis (w1 and w2 receipt it), B below R by the new \
             one (v1 receipts it): both final, B is the last final operation",
            fin,
            |id| {
                let (mut w, g, acct, _) = witnessed(id);
                let v = w.witness_value(&["v1"], 1);
                let r = w.roots_w("r0", &acct, g.id(), &["r0", "r1"], v, at(1));
                let b2 = grant(&mut w, "r1", &acct, &r, "phone", at(2));
                let cv = w.receipt("v1", &acct, &b2, at(3));
                let c1 = w.receipt("w1", &acct, &r, at(3));
                let c2 = w.receipt("w2", &acct, &r, at(3));
                let roots = w.pks(&["r0", "r1"]);
                let v1 = w.pks(&["v1"]);
                let s = st(&acct, &b2, roots)
                    .app(&b2)
                    .witnessed(v1, 1)
                    .last_final(&b2);
                (
                    vec![
                        (g, VALID),
                        (r, VALID),
                        (b2, VALID),
                        (cv, VALID),
                        (c1, VALID),
                        (c2, VALID),
                    ],
                    Some(s),
                )
            },
        ),
        (
            "witness-final-prefix",
            "the witnesses are rotated at R (to v1) and v1 receipts B below it, but the old witnesses \
             never receipt R: B is final at R, R is not final at the genesis, so the final prefix of \
             the chain is empty and the view's last final operation is null",
            fin,
            |id| {
                let (mut w, g, acct, _) = witnessed(id);
                let v = w.witness_value(&["v1"], 1);
                let r = w.roots_w("r1", &acct, g.id(), &["r0", "r1"], v, at(1));
                let b2 = grant(&mut w, "r1", &acct, &r, "phone", at(2));
                let cv = w.receipt("v1", &acct, &b2, at(3));
                let roots = w.pks(&["r0", "r1"]);
                let v1 = w.pks(&["v1"]);
                let s = st(&acct, &b2, roots).app(&b2).witnessed(v1, 1);
                (
                    vec![(g, VALID), (r, VALID), (b2, VALID), (cv, VALID)],
                    Some(s),
                )
            },
        ),
        (
            "threat-2-witnessed-rotation-not-receipted",
            "the owner (r1) rotates the witnesses to v1 at R, but the old witnesses never receipt R: \
             v1's receipt makes B final at R, yet R is not final at the genesis, so the final prefix \
             is empty and the thief of r0 (T, rank 0) replaces R and B — a rotation must be \
             receipted by the old set (06 §8.6)",
            fin,
            |id| {
                let (mut w, g, acct, ws) = witnessed(id);
                let v = w.witness_value(&["v1"], 1);
                let r = w.roots_w("r1", &acct, g.id(), &["r0", "r1"], v, at(1));
                let b2 = grant(&mut w, "r1", &acct, &r, "phone", at(2));
                let cv = w.receipt("v1", &acct, &b2, at(3));
                let t = w.enckey("r0", &acct, g.id(), &enc_key("t"), 1, at(4));
                let roots = w.pks(&["r0", "r1"]);
                let s = st(&acct, &t, roots).enc(&enc_key("t"), 1).witnessed(ws, 2);
                (
                    vec![(g, VALID), (r, VALID), (b2, VALID), (cv, VALID), (t, VALID)],
                    Some(s),
                )
            },
        ),
        (
            "threat-2-witnessed-top-root-forks-final-history",
            "the thief of the top root r0 signs T below the genesis, beside A (r1's delegation of the \
             phone), which w1 and w2 receipted: without witnesses T (rank 0) would beat A (rank 1); \
             A is final and wins outright, in every order of the operations and receipts",
            fin,
            |id| {
                let (mut w, g, acct, ws) = witnessed(id);
                let a = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let c1 = w.receipt("w1", &acct, &a, at(2));
                let c2 = w.receipt("w2", &acct, &a, at(2));
                let t = w.roots("r0", &acct, g.id(), &["r0", "x"], at(3));
                let roots = w.pks(&["r0", "r1"]);
                let s = st(&acct, &a, roots).app(&a).witnessed(ws, 2).last_final(&a);
                (
                    vec![(g, VALID), (a, VALID), (c1, VALID), (c2, VALID), (t, VALID)],
                    Some(s),
                )
            },
        ),
        (
            "threat-2-witnessed-forged-retirement-below-final",
            "the thief of r0 forges r0's self-retirement beside A, which r0 itself signed and w1, w2 \
             receipted: without witnesses r0 would count ∞ under A and T win; A is final and wins",
            fin,
            |id| {
                let (mut w, g, acct, ws) = witnessed(id);
                let a = grant(&mut w, "r0", &acct, &g, "phone", at(1));
                let c1 = w.receipt("w1", &acct, &a, at(2));
                let c2 = w.receipt("w2", &acct, &a, at(2));
                let t = w.roots("r0", &acct, g.id(), &["x"], at(3));
                let roots = w.pks(&["r0", "r1"]);
                let s = st(&acct, &a, roots).app(&a).witnessed(ws, 2).last_final(&a);
                (
                    vec![(g, VALID), (a, VALID), (c1, VALID), (c2, VALID), (t, VALID)],
                    Some(s),
                )
            },
        ),
        (
            "threat-2-witnessed-supersede-final-leaf",
            "the thief of r0 names the owner's final leaf A (r0's encryption key, receipted by w1 and \
             w2) in supersedes of his own sibling T (a later seq of r0): a final operation is never \
             superseded, and A wins outright",
            fin,
            |id| {
                let (mut w, g, acct, ws) = witnessed(id);
                let a = w.enckey("r0", &acct, g.id(), &enc_key("a"), 1, at(1));
                let c1 = w.receipt("w1", &acct, &a, at(2));
                let c2 = w.receipt("w2", &acct, &a, at(2));
                w.sup(&a);
                let t = w.enckey("r0", &acct, g.id(), &enc_key("t"), 1, at(3));
                let roots = w.pks(&["r0", "r1"]);
                let s = st(&acct, &a, roots)
                    .enc(&enc_key("a"), 1)
                    .witnessed(ws, 2)
                    .last_final(&a);
                (
                    vec![(g, VALID), (a, VALID), (c1, VALID), (c2, VALID), (t, VALID)],
                    Some(s),
                )
            },
        ),
        (
            "threat-2-witnessed-supersede-beside-final-adds-no-revocation",
            "the thief of r0 signs YR (revoke the phone) beside the owner's A, which w1 and w2 \
             receipted, and supersedes YR with his leaf XR: A is final and wins at D, so XR is not in \
             D's set (a final child alone), and YR adds no revocation to final history (06 §8.4 case \
             3, §8.6; audit-f2f8 A2)",
            fin,
            |id| {
                let (mut w, g, acct, ws) = witnessed(id);
                let d = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let a = w.enckey("r1", &acct, d.id(), &enc_key("a"), 1, at(2));
                let c1 = w.receipt("w1", &acct, &a, at(3));
                let c2 = w.receipt("w2", &acct, &a, at(3));
                let yr = w.revoke("r0", &acct, d.id(), "phone", None, at(4));
                w.sup(&yr);
                let xr = w.enckey("r0", &acct, d.id(), &enc_key("xr"), 1, at(5));
                let roots = w.pks(&["r0", "r1"]);
                let s = st(&acct, &a, roots)
                    .app(&d)
                    .enc(&enc_key("a"), 1)
                    .witnessed(ws, 2)
                    .last_final(&a);
                (
                    vec![
                        (g, VALID),
                        (d, VALID),
                        (a, VALID),
                        (c1, VALID),
                        (c2, VALID),
                        (yr, VALID),
                        (xr, VALID),
                    ],
                    Some(s),
                )
            },
        ),
        (
            "threat-2-witnessed-top-root-appends",
            "what the thief of r0 keeps: below the last final operation A he appends T (roots [x]); \
             T is the head and not final — until witnesses receipt it, which honest witnesses do only \
             after the settling delay (06 §8.6)",
            fin,
            |id| {
                let (mut w, g, acct, ws) = witnessed(id);
                let a = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let c1 = w.receipt("w1", &acct, &a, at(2));
                let c2 = w.receipt("w2", &acct, &a, at(2));
                let t = w.roots("r0", &acct, a.id(), &["x"], at(3));
                let roots = w.pks(&["x"]);
                let s = st(&acct, &t, roots).app(&a).witnessed(ws, 2).last_final(&a);
                (
                    vec![(g, VALID), (a, VALID), (c1, VALID), (c2, VALID), (t, VALID)],
                    Some(s),
                )
            },
        ),
        (
            "threat-2-witnessed-top-root-appends-answered",
            "the owner answers the thief's T within the settling delay: O, r0's own retirement \
             (roots [r1]) beside T; both children of A retire r0, so r0 counts under neither and no \
             other root signed: A is contested, nothing below it is final, and honest witnesses \
             receipt neither side",
            fin,
            |id| {
                let (mut w, g, acct, ws) = witnessed(id);
                let a = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let c1 = w.receipt("w1", &acct, &a, at(2));
                let c2 = w.receipt("w2", &acct, &a, at(2));
                let t = w.roots("r0", &acct, a.id(), &["x"], at(3));
                let own = w.roots("r0", &acct, a.id(), &["r1"], at(4));
                let roots = w.pks(&["r0", "r1"]);
                let s = st(&acct, &a, roots)
                    .app(&a)
                    .witnessed(ws, 2)
                    .last_final(&a)
                    .contested(&[&t, &own]);
                (
                    vec![
                        (g, VALID),
                        (a, VALID),
                        (c1, VALID),
                        (c2, VALID),
                        (t, VALID),
                        (own, VALID),
                    ],
                    Some(s),
                )
            },
        ),
        (
            "threat-2-witnessed-thief-witnesses",
            "the bound of the head: if two witnesses (stolen keys, or honest ones after the settling \
             delay) receipt the thief's T, T is final and the account is his; their receipts over A \
             and T lie on one path, so they are not duplicitous",
            fin,
            |id| {
                let (mut w, g, acct, ws) = witnessed(id);
                let a = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let t = w.roots("r0", &acct, a.id(), &["x"], at(3));
                let c1 = w.receipt("w1", &acct, &t, at(4));
                let c2 = w.receipt("w2", &acct, &t, at(4));
                let roots = w.pks(&["x"]);
                let s = st(&acct, &t, roots).app(&a).witnessed(ws, 2).last_final(&t);
                (
                    vec![(g, VALID), (a, VALID), (t, VALID), (c1, VALID), (c2, VALID)],
                    Some(s),
                )
            },
        ),
        (
            "threat-2-witnessed-below-threshold",
            "fewer than t receipts: only w1 receipted A, so A is not final and the old rules decide \
             at the genesis — the thief's T, signed by r0 (rank 0), beats A (rank 1)",
            fin,
            |id| {
                let (mut w, g, acct, ws) = witnessed(id);
                let a = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let c1 = w.receipt("w1", &acct, &a, at(2));
                let t = w.enckey("r0", &acct, g.id(), &enc_key("t"), 1, at(3));
                let roots = w.pks(&["r0", "r1"]);
                let s = st(&acct, &t, roots).enc(&enc_key("t"), 1).witnessed(ws, 2);
                (
                    vec![(g, VALID), (a, VALID), (c1, VALID), (t, VALID)],
                    Some(s),
                )
            },
        ),
        (
            "threat-2-witnessed-duplicitous-witness",
            "w1 and w2 receipted A; the thief, holding w2's key too, has w2 receipt his sibling T: w2 \
             is duplicitous and counts for nothing, A keeps only w1 and is no longer final, and the \
             old rules decide (r0's T wins); T is not final either — a witness cannot count on both \
             sides",
            fin,
            |id| {
                let (mut w, g, acct, ws) = witnessed(id);
                let a = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let c1 = w.receipt("w1", &acct, &a, at(2));
                let c2 = w.receipt("w2", &acct, &a, at(2));
                let t = w.enckey("r0", &acct, g.id(), &enc_key("t"), 1, at(3));
                let d2 = w.receipt("w2", &acct, &t, at(4));
                let roots = w.pks(&["r0", "r1"]);
                let w2 = w.pks(&["w2"]);
                let s = st(&acct, &t, roots)
                    .enc(&enc_key("t"), 1)
                    .witnessed(ws, 2)
                    .duplicitous(w2);
                (
                    vec![
                        (g, VALID),
                        (a, VALID),
                        (c1, VALID),
                        (c2, VALID),
                        (t, VALID),
                        (d2, VALID),
                    ],
                    Some(s),
                )
            },
        ),
        (
            "threat-2-witnessed-duplicitous-witness-slack",
            "all three witnesses receipted A; the thief makes w3 duplicitous by a receipt over his \
             sibling T: A still has w1 and w2, stays final and wins (n − t = 1 stolen witness key is \
             within the bound)",
            fin,
            |id| {
                let (mut w, g, acct, ws) = witnessed(id);
                let a = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let c1 = w.receipt("w1", &acct, &a, at(2));
                let c2 = w.receipt("w2", &acct, &a, at(2));
                let c3 = w.receipt("w3", &acct, &a, at(2));
                let t = w.enckey("r0", &acct, g.id(), &enc_key("t"), 1, at(3));
                let d3 = w.receipt("w3", &acct, &t, at(4));
                let roots = w.pks(&["r0", "r1"]);
                let w3k = w.pks(&["w3"]);
                let s = st(&acct, &a, roots)
                    .app(&a)
                    .witnessed(ws, 2)
                    .last_final(&a)
                    .duplicitous(w3k);
                (
                    vec![
                        (g, VALID),
                        (a, VALID),
                        (c1, VALID),
                        (c2, VALID),
                        (c3, VALID),
                        (t, VALID),
                        (d3, VALID),
                    ],
                    Some(s),
                )
            },
        ),
        (
            "threat-2-witnessed-thief-own-witnesses",
            "the thief of r0 forks below the genesis with T naming his own witness y (threshold 1) \
             and has y receipt T2 below it: T2 is final under T's set, but at the genesis only the \
             genesis's witnesses judge, and A (receipted by w1, w2) is final there and wins",
            fin,
            |id| {
                let (mut w, g, acct, ws) = witnessed(id);
                let a = grant(&mut w, "r1", &acct, &g, "phone", at(1));
                let c1 = w.receipt("w1", &acct, &a, at(2));
                let c2 = w.receipt("w2", &acct, &a, at(2));
                let v = w.witness_value(&["y"], 1);
                let t = w.roots_w("r0", &acct, g.id(), &["x"], v, at(3));
                let t2 = w.enckey("x", &acct, t.id(), &enc_key("t2"), 1, at(4));
                let cy = w.receipt("y", &acct, &t2, at(5));
                let roots = w.pks(&["r0", "r1"]);
                let s = st(&acct, &a, roots).app(&a).witnessed(ws, 2).last_final(&a);
                (
                    vec![
                        (g, VALID),
                        (a, VALID),
                        (c1, VALID),
                        (c2, VALID),
                        (t, VALID),
                        (t2, VALID),
                        (cy, VALID),
                    ],
                    Some(s),
                )
            },
        ),
    ];
    for (id, description, rules, build) in cases {
        let (ops, state) = build(id);
        let refs: Vec<(&Op, &str)> = ops.iter().map(|(op, s)| (op, *s)).collect();
        o.ops(id, description, rules, &refs, state);
    }
}

// ------------------------------------------------------------------------------------------------ authorization

/// The account used by most authorization vectors: roots [r0, r1]; r1 delegates the phone (scope ["*"],
/// one year) and then the laptop (scope ["post"], 30 days).
struct Acc {
    w: W,
    g: Op,
    acct: Vec<u8>,
    phone: Op,
    laptop: Op,
}

fn acc(id: &str) -> Acc {
    let (mut w, g, acct) = base(id, &["r0", "r1"]);
    let phone = w.delegate(
        "r1",
        &acct,
        g.id(),
        "phone",
        &["*"],
        T0 + YEAR,
        Some("phone"),
        at(1),
    );
    let laptop = w.delegate(
        "r1",
        &acct,
        phone.id(),
        "laptop",
        &["post"],
        T0 + 30 * DAY,
        Some("laptop"),
        at(2),
    );
    Acc {
        w,
        g,
        acct,
        phone,
        laptop,
    }
}

/// The phone's honest history h1..h5 in `x` (one minute apart from T0 + 10 min).
fn phone_history(x: &mut Acc) -> Vec<Msg> {
    let acct = x.acct.clone();
    (0..5)
        .map(|i| {
            x.w.post("phone", &acct, at(10 + i), &format!("honest {}", i + 1))
        })
        .collect()
}

/// A post of the phone's thief at `seq` after `prev` (a continuation or a fork of its history).
fn phone_fork(x: &mut Acc, seq: u64, prev: &Msg, time: u64, text: &str) -> Msg {
    let acct = x.acct.clone();
    x.w.msg_at(
        "phone",
        seq,
        Some(&prev.id),
        &acct,
        "post",
        time,
        m(vec![("text", t(text))]),
    )
}

fn follow(w: &mut W, signer: &str, acct: &[u8], time: u64) -> Msg {
    w.msg(
        signer,
        acct,
        "follow",
        time,
        m(vec![("subject", b(&rid("accounts: followed account")))]),
    )
}

fn authorization(o: &mut Out) {
    let none: &[&[u8]] = &[];
    // AUTH-1.
    {
        let id = "auth-unknown-account";
        let mut x = acc(id);
        let acct = x.acct.clone();
        let msg = x.w.post("phone", &acct, at(10), "hello");
        o.auth(
            id,
            "no operation held: the account is not known (not yet decidable, missing the account)",
            &["AUTH-1"],
            &[],
            none,
            &msg.full,
            Exp::MissingAccount(acct),
        );
    }
    {
        let id = "auth-other-account";
        let mut x = acc(id);
        let other = rid("accounts: an account not held");
        let msg = x.w.post("phone", &other, at(10), "hello");
        o.auth(
            id,
            "the operations of account A are held; the message names account B",
            &["AUTH-1"],
            &[&x.g, &x.phone],
            none,
            &msg.full,
            Exp::MissingAccount(other),
        );
    }
    {
        let id = "auth-invalid-genesis";
        let mut w = W::new(id);
        let g = w.genesis("r1", &["r0", "r1"], T0);
        let acct = acct_of(&g);
        let d = w.delegate("r0", &acct, g.id(), "phone", &["*"], T0 + YEAR, None, at(1));
        let msg = w.post("phone", &acct, at(10), "hello");
        o.auth(
            id,
            "the account's genesis is held but invalid (signed by roots[1]): the account does not exist \
             (missing the account)",
            &["AUTH-1"],
            &[&g, &d],
            none,
            &msg.full,
            Exp::MissingAccount(acct),
        );
    }
    // AUTH-2, AUTH-3.
    {
        let id = "auth-authorized";
        let mut x = acc(id);
        let acct = x.acct.clone();
        let msg = follow(&mut x.w, "phone", &acct, at(10));
        o.auth(
            id,
            "the phone (scope [\"*\"]) signs a follow in time: authorized",
            &["AUTH-2", "AUTH-3", "AUTH-4", "AUTH-5", "AUTH-6"],
            &[&x.g, &x.phone, &x.laptop],
            none,
            &msg.full,
            Exp::Authorized,
        );
    }
    {
        let id = "auth-root-key-message";
        let mut x = acc(id);
        let acct = x.acct.clone();
        let msg = x.w.post("r1", &acct, at(10), "from the root");
        o.auth(
            id,
            "a root key (r1) signs a post",
            &["AUTH-2"],
            &[&x.g, &x.phone, &x.laptop],
            none,
            &msg.full,
            Exp::Denied("auth.root_key_message"),
        );
    }
    {
        let id = "auth-top-root-message";
        let mut x = acc(id);
        let acct = x.acct.clone();
        let msg = follow(&mut x.w, "r0", &acct, T0 - 1);
        o.auth(
            id,
            "the top root signs a follow dated before the genesis: AUTH-2 is checked first",
            &["AUTH-2"],
            &[&x.g, &x.phone],
            none,
            &msg.full,
            Exp::Denied("auth.root_key_message"),
        );
    }
    {
        let id = "auth-new-root-message";
        let mut x = acc(id);
        let acct = x.acct.clone();
        let ro = x.w.roots("r0", &acct, x.laptop.id(), &["r0", "r2"], at(3));
        let msg = x.w.post("r2", &acct, at(10), "from the new root");
        o.auth(
            id,
            "after a rotation to [r0, r2], r2 signs a post",
            &["AUTH-2"],
            &[&x.g, &x.phone, &x.laptop, &ro],
            none,
            &msg.full,
            Exp::Denied("auth.root_key_message"),
        );
    }
    {
        let id = "auth-former-root";
        let mut x = acc(id);
        let acct = x.acct.clone();
        let ro = x.w.roots("r0", &acct, x.laptop.id(), &["r0", "r2"], at(3));
        let msg = x.w.post("r1", &acct, at(10), "from the old root");
        o.auth(
            id,
            "after r1 is rotated out, r1 signs a post: not a root of the head state, and not delegated",
            &["AUTH-3", "AUTH-2"],
            &[&x.g, &x.phone, &x.laptop, &ro],
            none,
            &msg.full,
            Exp::Denied("auth.not_delegated"),
        );
    }
    {
        let id = "auth-not-delegated";
        let mut x = acc(id);
        let acct = x.acct.clone();
        let msg = x.w.post("stranger", &acct, at(10), "hello");
        o.auth(
            id,
            "a key that was never delegated",
            &["AUTH-3"],
            &[&x.g, &x.phone, &x.laptop],
            none,
            &msg.full,
            Exp::Denied("auth.not_delegated"),
        );
    }
    {
        let id = "auth-delegation-waiting";
        let mut x = acc(id);
        let acct = x.acct.clone();
        let msg = x.w.post("laptop", &acct, at(10), "hello");
        o.auth(
            id,
            "the laptop's delegation is held but waits (its parent, the phone's delegation, is not \
             held): the laptop is not delegated in the head state",
            &["AUTH-3", "ACCT-6"],
            &[&x.g, &x.laptop],
            none,
            &msg.full,
            Exp::Denied("auth.not_delegated"),
        );
    }
    // AUTH-4: the wildcard does not cover prekey (06 §5.4). The phone has ["*"].
    {
        let id = "auth-star-excludes-prekey";
        let mut x = acc(id);
        let acct = x.acct.clone();
        let msg = x.w.msg(
            "phone",
            &acct,
            "prekey",
            at(10),
            m(vec![("key", b(&[7; 32]))]),
        );
        o.auth(
            id,
            "the phone (scope [\"*\"]) signs a prekey: the wildcard never covers prekey",
            &["AUTH-4"],
            &[&x.g, &x.phone, &x.laptop],
            none,
            &msg.full,
            Exp::Denied("auth.out_of_scope"),
        );
    }
    {
        let id = "auth-star-prekey-listed";
        let (mut w, g, acct) = base(id, &["r0"]);
        let d = w.delegate(
            "r0",
            &acct,
            g.id(),
            "app",
            &["*", "prekey"],
            T0 + YEAR,
            None,
            at(1),
        );
        let msg = w.msg(
            "app",
            &acct,
            "prekey",
            at(10),
            m(vec![("key", b(&[7; 32]))]),
        );
        o.auth(
            id,
            "a key with scope [\"*\", \"prekey\"] signs a prekey: authorized",
            &["AUTH-4"],
            &[&g, &d],
            none,
            &msg.full,
            Exp::Authorized,
        );
    }
    // AUTH-7: does the key hold a capability? (`capability` names it.)
    let cap_cases: &[(&str, &str, &[&str], &str, Exp)] = &[
        (
            "auth-cap-star",
            "scope [\"*\"]: the wildcard grants no capability",
            &["*"],
            "cap:others",
            Exp::Denied("auth.out_of_scope"),
        ),
        (
            "auth-cap-listed",
            "scope [\"*\", \"cap:others\"]",
            &["*", "cap:others"],
            "cap:others",
            Exp::Authorized,
        ),
        (
            "auth-cap-kinds-listed",
            "scope [\"delete\", \"cap:others\"]",
            &["delete", "cap:others"],
            "cap:others",
            Exp::Authorized,
        ),
        (
            "auth-cap-other-listed",
            "scope [\"*\", \"cap:future-thing\"] asked about cap:others",
            &["*", "cap:future-thing"],
            "cap:others",
            Exp::Denied("auth.out_of_scope"),
        ),
    ];
    for (id, what, scope, cap, exp) in cap_cases {
        let (mut w, g, acct) = base(id, &["r0"]);
        let d = w.delegate("r0", &acct, g.id(), "app", scope, T0 + YEAR, None, at(1));
        let msg = w.msg(
            "app",
            &acct,
            "delete",
            at(10),
            m(vec![("target", b(&rid("accounts: a post")))]),
        );
        o.capability = Some(cap);
        o.auth(
            id,
            &format!("does the key hold {cap}? {what}"),
            &["AUTH-7"],
            &[&g, &d],
            none,
            &msg.full,
            exp.clone(),
        );
    }
    {
        let id = "auth-cap-unknown-account";
        let (mut w, _g, acct) = base(id, &["r0"]);
        let msg = w.msg(
            "app",
            &acct,
            "delete",
            at(10),
            m(vec![("target", b(&rid("accounts: a post")))]),
        );
        o.capability = Some("cap:others");
        o.auth(
            id,
            "does the key hold cap:others? the account's genesis is not held: not yet decidable",
            &["AUTH-7"],
            &[],
            none,
            &msg.full,
            Exp::MissingAccount(acct.clone()),
        );
    }
    {
        let id = "auth-cap-root-key";
        let (mut w, g, acct) = base(id, &["r0"]);
        let msg = w.msg(
            "r0",
            &acct,
            "delete",
            at(10),
            m(vec![("target", b(&rid("accounts: a post")))]),
        );
        o.capability = Some("cap:others");
        o.auth(
            id,
            "does a root key hold cap:others? it is not an app key: denied",
            &["AUTH-7"],
            &[&g],
            none,
            &msg.full,
            Exp::Denied("auth.not_delegated"),
        );
    }
    // AUTH-4.
    {
        let id = "auth-in-scope-list";
        let mut x = acc(id);
        let acct = x.acct.clone();
        let msg = x.w.post("laptop", &acct, at(10), "hello");
        o.auth(
            id,
            "the laptop (scope [\"post\"]) signs a post",
            &["AUTH-4"],
            &[&x.g, &x.phone, &x.laptop],
            none,
            &msg.full,
            Exp::Authorized,
        );
    }
    {
        let id = "auth-out-of-scope";
        let mut x = acc(id);
        let acct = x.acct.clone();
        let msg = follow(&mut x.w, "laptop", &acct, at(10));
        o.auth(
            id,
            "the laptop (scope [\"post\"]) signs a follow",
            &["AUTH-4"],
            &[&x.g, &x.phone, &x.laptop],
            none,
            &msg.full,
            Exp::Denied("auth.out_of_scope"),
        );
    }
    {
        let id = "auth-stripped-message";
        let mut x = acc(id);
        let acct = x.acct.clone();
        let msg = follow(&mut x.w, "phone", &acct, at(10));
        o.auth(
            id,
            "the stripped remainder of the phone's follow: authorization reads the header only",
            &["AUTH-4", "AUTH-5"],
            &[&x.g, &x.phone, &x.laptop],
            none,
            &msg.stripped,
            Exp::Authorized,
        );
    }
    {
        let id = "auth-star-covers-extension";
        let mut x = acc(id);
        let acct = x.acct.clone();
        let msg = x.w.msg(
            "phone",
            &acct,
            "com.example.poll",
            at(10),
            m(vec![("question", t("Tea or coffee?"))]),
        );
        o.auth(
            id,
            "scope [\"*\"] covers an extension kind",
            &["AUTH-4"],
            &[&x.g, &x.phone, &x.laptop],
            none,
            &msg.full,
            Exp::Authorized,
        );
    }
    {
        let id = "auth-extension-out-of-scope";
        let mut x = acc(id);
        let acct = x.acct.clone();
        let msg = x.w.msg(
            "laptop",
            &acct,
            "com.example.poll",
            at(10),
            m(vec![("question", t("Tea or coffee?"))]),
        );
        o.auth(
            id,
            "scope [\"post\"] does not cover an extension kind",
            &["AUTH-4"],
            &[&x.g, &x.phone, &x.laptop],
            none,
            &msg.full,
            Exp::Denied("auth.out_of_scope"),
        );
    }
    {
        let id = "auth-scope-before-time";
        let mut x = acc(id);
        let acct = x.acct.clone();
        let msg = follow(&mut x.w, "laptop", &acct, T0 + YEAR);
        o.auth(
            id,
            "the laptop signs a follow after its expiry: AUTH-4 is checked before AUTH-5",
            &["AUTH-4", "AUTH-5"],
            &[&x.g, &x.phone, &x.laptop],
            none,
            &msg.full,
            Exp::Denied("auth.out_of_scope"),
        );
    }
    // AUTH-5.
    for (id, what, time, exp) in [
        (
            "auth-before-delegation",
            "a message of the phone dated 1 ms before its delegation",
            at(1) - 1,
            Exp::Denied("auth.before_delegation"),
        ),
        (
            "auth-at-delegation-time",
            "a message of the phone dated exactly at its delegation's time",
            at(1),
            Exp::Authorized,
        ),
        (
            "auth-at-expiry",
            "a message of the phone dated exactly at expires (inclusive)",
            T0 + YEAR,
            Exp::Authorized,
        ),
        (
            "auth-expired",
            "a message of the phone dated 1 ms after expires",
            T0 + YEAR + 1,
            Exp::Denied("auth.expired"),
        ),
    ] {
        let mut x = acc(id);
        let acct = x.acct.clone();
        let msg = x.w.post("phone", &acct, time, "hello");
        o.auth(
            id,
            what,
            &["AUTH-5"],
            &[&x.g, &x.phone, &x.laptop],
            none,
            &msg.full,
            exp,
        );
    }
    // AUTH-6 without cutoff.
    {
        let id = "auth-revoked";
        let mut x = acc(id);
        let acct = x.acct.clone();
        let msg = x.w.post("phone", &acct, at(10), "honest");
        let rv =
            x.w.revoke("r1", &acct, x.laptop.id(), "phone", None, at(20));
        o.auth(
            id,
            "the phone is revoked without cutoff: even its honest message from before the revocation is \
             refused",
            &["AUTH-6"],
            &[&x.g, &x.phone, &x.laptop, &rv],
            none,
            &msg.full,
            Exp::Denied("auth.revoked"),
        );
    }
    {
        let id = "auth-revoked-and-expired";
        let mut x = acc(id);
        let acct = x.acct.clone();
        let msg = x.w.post("phone", &acct, T0 + YEAR + 1, "late");
        let rv =
            x.w.revoke("r1", &acct, x.laptop.id(), "phone", None, at(20));
        o.auth(
            id,
            "revoked and expired: AUTH-5 is checked before AUTH-6",
            &["AUTH-5", "AUTH-6"],
            &[&x.g, &x.phone, &x.laptop, &rv],
            none,
            &msg.full,
            Exp::Denied("auth.expired"),
        );
    }
    {
        let id = "auth-revoked-before-delegation";
        let mut x = acc(id);
        let acct = x.acct.clone();
        let msg = x.w.post("phone", &acct, T0, "back-dated");
        let rv =
            x.w.revoke("r1", &acct, x.laptop.id(), "phone", None, at(20));
        o.auth(
            id,
            "revoked and dated before the delegation: AUTH-5 (before_delegation) first",
            &["AUTH-5", "AUTH-6"],
            &[&x.g, &x.phone, &x.laptop, &rv],
            none,
            &msg.full,
            Exp::Denied("auth.before_delegation"),
        );
    }
    // AUTH-6 with cutoff: the phone's honest history h1..h5 (one minute apart from T0 + 10 min); the thief
    // continues after h3 (t4, t5) and forks at h1 (f2) and at h2 (f3); the revocation keeps h1..h3.
    let cutoff_case = |o: &mut Out, id: &str, what: &str, pick: &dyn Fn(&[Msg], &[Msg]) -> Pick| {
        let mut x = acc(id);
        let acct = x.acct.clone();
        let h = phone_history(&mut x);
        let t4 = phone_fork(&mut x, 4, &h[2], at(30), "thief 4");
        let t5 = phone_fork(&mut x, 5, &t4, at(31), "thief 5");
        let f2 = phone_fork(&mut x, 2, &h[0], at(32), "thief fork 2");
        let f3 = phone_fork(&mut x, 3, &h[1], at(33), "thief fork 3");
        let thief = [t4, t5, f2, f3];
        let rv = x.w.revoke(
            "r1",
            &acct,
            x.laptop.id(),
            "phone",
            Some((3, &h[2].id)),
            at(40),
        );
        let (msg, known, exp) = pick(&h, &thief);
        let known: Vec<&[u8]> = known.iter().map(Vec::as_slice).collect();
        o.auth(
            id,
            &format!(
                "the phone's honest messages h1..h5; the thief's t4 (after h3), t5, f2 (after h1), f3 (after \
                 h2); the phone revoked with cutoff {{seq 3, id h3}}: {what}"
            ),
            &["AUTH-6"],
            &[&x.g, &x.phone, &x.laptop, &rv],
            &known,
            &msg.full,
            exp,
        );
    };
    let full = |m: &Msg| m.full.clone();
    cutoff_case(
        o,
        "auth-cutoff-message",
        "h3 itself (seq = cutoff seq, id = cutoff id), known h3: authorized",
        &|h, _| (h[2].clone(), vec![full(&h[2])], Exp::Authorized),
    );
    cutoff_case(
        o,
        "auth-cutoff-ancestor",
        "h2, known h3 and h2: h3's prev is h2, authorized",
        &|h, _| {
            (
                h[1].clone(),
                vec![full(&h[2]), full(&h[1])],
                Exp::Authorized,
            )
        },
    );
    cutoff_case(
        o,
        "auth-cutoff-first-message",
        "h1, known h3, h2, h1: authorized",
        &|h, _| {
            (
                h[0].clone(),
                vec![full(&h[2]), full(&h[1]), full(&h[0])],
                Exp::Authorized,
            )
        },
    );
    cutoff_case(
        o,
        "auth-cutoff-stripped-headers",
        "h1, known the stripped remainders of h3 and h2 (headers suffice) and h1: authorized",
        &|h, _| {
            (
                h[0].clone(),
                vec![h[2].stripped.clone(), h[1].stripped.clone(), full(&h[0])],
                Exp::Authorized,
            )
        },
    );
    cutoff_case(
        o,
        "auth-cutoff-thief-continuation",
        "the thief's t4 (seq 4 > 3), everything known: revoked",
        &|h, t| {
            (
                t[0].clone(),
                vec![full(&h[2]), full(&h[1]), full(&h[0]), full(&t[0])],
                Exp::Denied("auth.revoked"),
            )
        },
    );
    cutoff_case(
        o,
        "auth-cutoff-thief-continuation-nothing-known",
        "the thief's t5 (seq 5 > 3), nothing known: revoked without any lookup",
        &|_, t| (t[1].clone(), vec![], Exp::Denied("auth.revoked")),
    );
    cutoff_case(
        o,
        "auth-cutoff-honest-after-cutoff",
        "the honest h4 (seq 4 > 3): revoked (a cutoff earlier than needed costs the honest messages \
         after it)",
        &|h, _| (h[3].clone(), vec![], Exp::Denied("auth.revoked")),
    );
    cutoff_case(
        o,
        "auth-cutoff-thief-fork-below",
        "the thief's f2 (seq 2, forking after h1), known h3, h2 and f2: h3's prev is h2, not f2: revoked",
        &|h, t| {
            (
                t[2].clone(),
                vec![full(&h[2]), full(&h[1]), full(&t[2])],
                Exp::Denied("auth.revoked"),
            )
        },
    );
    cutoff_case(
        o,
        "auth-cutoff-thief-fork-at-cutoff-seq",
        "the thief's f3 (seq 3, id not h3), known h3 and f3: revoked",
        &|h, t| {
            (
                t[3].clone(),
                vec![full(&h[2]), full(&t[3])],
                Exp::Denied("auth.revoked"),
            )
        },
    );
    cutoff_case(
        o,
        "auth-cutoff-missing-link",
        "h1, known h3 and h1 but not h2: the walk needs h2's header (not yet decidable, missing h2)",
        &|h, _| {
            (
                h[0].clone(),
                vec![full(&h[2]), full(&h[0])],
                Exp::MissingMessage(h[1].id.clone()),
            )
        },
    );
    cutoff_case(
        o,
        "auth-cutoff-missing-cutoff",
        "h2, known h2 only: the walk starts at h3 (missing h3)",
        &|h, _| {
            (
                h[1].clone(),
                vec![full(&h[1])],
                Exp::MissingMessage(h[2].id.clone()),
            )
        },
    );
    // The walk ends at M's own id without looking it up (spec 06 §9.2 step 1), and otherwise reads the
    // headers from the cutoff message down to M's sequence number.
    cutoff_case(
        o,
        "auth-cutoff-message-itself-not-known",
        "h3 itself, nothing known: the walk starts at h3, which is the message's own id: authorized \
         without any lookup",
        &|h, _| (h[2].clone(), vec![], Exp::Authorized),
    );
    cutoff_case(
        o,
        "auth-cutoff-ancestor-itself-not-known",
        "h2, known h3 only: h3's prev is h2, the message's own id: authorized (its own header is not \
         needed)",
        &|h, _| (h[1].clone(), vec![full(&h[2])], Exp::Authorized),
    );
    cutoff_case(
        o,
        "auth-cutoff-fork-at-cutoff-seq-nothing-known",
        "the thief's f3 (seq 3, id not h3), nothing known: the walk looks up h3 (not yet decidable, \
         missing h3), although the answer is auth.revoked whatever h3's header says",
        &|h, t| (t[3].clone(), vec![], Exp::MissingMessage(h[2].id.clone())),
    );
    cutoff_case(
        o,
        "auth-cutoff-fork-below-minimal-known",
        "the thief's f2, known h3 only: h3's prev is h2, not f2; the walk looks up h2 (not yet decidable, \
         missing h2)",
        &|h, t| {
            (
                t[2].clone(),
                vec![full(&h[2])],
                Exp::MissingMessage(h[1].id.clone()),
            )
        },
    );
    // Several cutoffs of one key (06 §8.4, audit finding F4): the owner revokes the phone with cutoff
    // {5, h5} (RV); the thief of r1 and of the phone forks its history after h2 (f3) and supersedes
    // RV with his own revocation, cutoff {3, f3} (X); in the second row he supersedes X in turn,
    // cutoff {4, h4}. The cutoffs accumulate and each must keep a message; past two, the key is
    // revoked entirely. (id, description, a third revocation, questions: suffix, what, which of
    // h1..h5 and f3, expected)
    type CutoffQuestion = (&'static str, &'static str, usize, Exp);
    let several: Vec<(&str, &str, bool, Vec<CutoffQuestion>)> = vec![
        (
            "threat-6-thief-cutoff-cannot-keep-his-fork",
            "the owner revokes the phone with cutoff {seq 5, id h5} (RV); the thief of r1 and of the \
             phone forks the phone's history after h2 (f3) and supersedes RV with his own revocation, \
             cutoff {seq 3, id f3} (X, the head): both cutoffs apply to the head state (06 §8.4 case \
             3), and a message is kept only if each keeps it: h1 and h2 (audit finding F4)",
            false,
            vec![
                ("-auth", "the thief's f3, kept by his own cutoff only", 5, Exp::Denied("auth.revoked")),
                ("-honest-kept", "the honest h2, kept by both cutoffs", 1, Exp::Authorized),
                (
                    "-honest-after-fork",
                    "the honest h3, kept by the owner's cutoff only",
                    2,
                    Exp::Denied("auth.revoked"),
                ),
            ],
        ),
        (
            "revoke-cutoffs-over-bound",
            "as threat-6-thief-cutoff-cannot-keep-his-fork, and the thief supersedes X with a third \
             revocation, cutoff {seq 4, id h4} (Z, the head): three distinct cutoffs apply, more than \
             two, so the phone is revoked entirely (06 §8.4)",
            true,
            vec![("-auth", "the honest h1, kept by each of the three cutoffs", 0, Exp::Denied("auth.revoked"))],
        ),
    ];
    for (id, description, third, questions) in several {
        let mut x = acc(id);
        let acct = x.acct.clone();
        let h = phone_history(&mut x);
        let f3 = phone_fork(&mut x, 3, &h[1], at(33), "thief fork 3");
        let cut = |seq: u64, msg: &Msg| (seq, msg.id.clone());
        let revoke = |x: &mut Acc, (seq, id): (u64, Vec<u8>), time: u64| {
            let after = x.laptop.id().to_vec();
            x.w.revoke("r1", &acct, &after, "phone", Some((seq, &id)), time)
        };
        let rv = revoke(&mut x, cut(5, &h[4]), at(40));
        x.w.sup(&rv);
        let tx = revoke(&mut x, cut(3, &f3), at(41));
        let z = third.then(|| {
            x.w.sup(&tx);
            revoke(&mut x, cut(4, &h[3]), at(42))
        });
        let mut cuts = vec![cut(3, &f3), cut(5, &h[4])];
        cuts.sort();
        let rev = if third { Rev::All } else { Rev::Cutoffs(cuts) };
        let roots = x.w.pks(&["r0", "r1"]);
        let state = st(&acct, z.as_ref().unwrap_or(&tx), roots)
            .app_rev(&x.phone, rev)
            .app(&x.laptop);
        let mut ops = vec![
            (&x.g, VALID),
            (&x.phone, VALID),
            (&x.laptop, VALID),
            (&rv, VALID),
            (&tx, VALID),
        ];
        ops.extend(z.iter().map(|z| (z, VALID)));
        o.ops(id, description, &["ACCT-5", "ACCT-8"], &ops, Some(state));
        let all: Vec<&Op> = ops.iter().map(|(op, _)| *op).collect();
        let msgs: Vec<&Msg> = h.iter().chain([&f3]).collect();
        let known: Vec<&[u8]> = msgs.iter().map(|m| m.full.as_slice()).collect();
        for (suffix, what, which, exp) in questions {
            o.auth(
                &format!("{id}{suffix}"),
                &format!("{id}: {what} (every header known)"),
                &["AUTH-6", "ACCT-5"],
                &all,
                &known,
                &msgs[which].full,
                exp,
            );
        }
    }
    // Cutoffs that name no message of the key at the stated seq keep nothing (spec 06 §9.2).
    let bad_cutoff = |o: &mut Out, id: &str, what: &str, pick: &dyn Fn(&[Msg], &Msg) -> BadPick| {
        let mut x = acc(id);
        let acct = x.acct.clone();
        let h: Vec<Msg> = (0..3)
            .map(|i| {
                x.w.post("phone", &acct, at(10 + i), &format!("honest {}", i + 1))
            })
            .collect();
        let l = x.w.post("laptop", &acct, at(10), "the laptop's post");
        let (seq, cid, msg, known, exp) = pick(&h, &l);
        let rv = x.w.revoke(
            "r1",
            &acct,
            x.laptop.id(),
            "phone",
            Some((seq, &cid)),
            at(40),
        );
        let known: Vec<&[u8]> = known.iter().map(Vec::as_slice).collect();
        o.auth(
            id,
            &format!(
                "the phone's messages h1..h3 and a post of the laptop; the phone revoked with a cutoff that \
                 is not one of its messages at the stated seq, which keeps nothing: {what}"
            ),
            &["AUTH-6"],
            &[&x.g, &x.phone, &x.laptop, &rv],
            &known,
            &msg.full,
            exp,
        );
    };
    bad_cutoff(
        o,
        "auth-cutoff-wrong-seq-ancestor",
        "cutoff {seq 4, id h3} (h3 has seq 3); h2, known h3 and h2: revoked at h3",
        &|h, _| {
            (
                4,
                h[2].id.clone(),
                h[1].clone(),
                vec![full(&h[2]), full(&h[1])],
                Exp::Denied("auth.revoked"),
            )
        },
    );
    bad_cutoff(
        o,
        "auth-cutoff-wrong-seq-message-itself",
        "cutoff {seq 4, id h3} (h3 has seq 3); h3 itself, known h3: revoked like every other message of \
         the key (its own header, in hand, shows seq 3, not 4)",
        &|h, _| {
            (
                4,
                h[2].id.clone(),
                h[2].clone(),
                vec![full(&h[2])],
                Exp::Denied("auth.revoked"),
            )
        },
    );
    bad_cutoff(
        o,
        "auth-cutoff-seq-too-low",
        "cutoff {seq 2, id h3}; h3 itself (seq 3 > 2): revoked",
        &|h, _| {
            (
                2,
                h[2].id.clone(),
                h[2].clone(),
                vec![],
                Exp::Denied("auth.revoked"),
            )
        },
    );
    bad_cutoff(
        o,
        "auth-cutoff-other-key",
        "cutoff {seq 1, id: the laptop's post}; the phone's h1, known the laptop's post: revoked (a \
         header of another key)",
        &|h, l| {
            (
                1,
                l.id.clone(),
                h[0].clone(),
                vec![full(l)],
                Exp::Denied("auth.revoked"),
            )
        },
    );
    // Forks and recovery.
    {
        let id = "auth-recovery-honest-app";
        let mut x = acc(id);
        let acct = x.acct.clone();
        let t1 = x.w.delegate(
            "r1",
            &acct,
            x.laptop.id(),
            "thief-app",
            &["*"],
            T0 + YEAR,
            None,
            at(5),
        );
        let t2 = x.w.revoke("r1", &acct, t1.id(), "phone", None, at(6));
        let c = x.w.roots("r0", &acct, x.laptop.id(), &["r0", "r2"], at(10));
        let msg = x.w.post("phone", &acct, at(20), "hello");
        o.auth(
            id,
            "the thief of r1 delegates his app and revokes the phone after the laptop's delegation; r0 \
             recovers below the laptop's delegation: the phone is authorized",
            &["AUTH-6", "ACCT-5"],
            &[&x.g, &x.phone, &x.laptop, &t1, &t2, &c],
            none,
            &msg.full,
            Exp::Authorized,
        );
    }
    {
        let id = "auth-recovery-thief-app";
        let mut x = acc(id);
        let acct = x.acct.clone();
        let t1 = x.w.delegate(
            "r1",
            &acct,
            x.laptop.id(),
            "thief-app",
            &["*"],
            T0 + YEAR,
            None,
            at(5),
        );
        let c = x.w.roots("r0", &acct, x.laptop.id(), &["r0", "r2"], at(10));
        let msg = x.w.post("thief-app", &acct, at(20), "spam");
        o.auth(
            id,
            "the thief's app key, delegated on the losing branch: not delegated in the head state",
            &["AUTH-3", "ACCT-5"],
            &[&x.g, &x.phone, &x.laptop, &t1, &c],
            none,
            &msg.full,
            Exp::Denied("auth.not_delegated"),
        );
    }
    {
        let id = "auth-thief-app-before-recovery";
        let mut x = acc(id);
        let acct = x.acct.clone();
        let t1 = x.w.delegate(
            "r1",
            &acct,
            x.laptop.id(),
            "thief-app",
            &["*"],
            T0 + YEAR,
            None,
            at(5),
        );
        let msg = x.w.post("thief-app", &acct, at(20), "spam");
        o.auth(
            id,
            "the thief's app key before the owner recovers: its branch is the canonical chain, authorized",
            &["AUTH-3", "ACCT-5"],
            &[&x.g, &x.phone, &x.laptop, &t1],
            none,
            &msg.full,
            Exp::Authorized,
        );
    }
    {
        let id = "auth-contested-delegation";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let d1 = w.delegate("r1", &acct, g.id(), "phone", &["*"], T0 + YEAR, None, at(1));
        let e = w.enckey("r1", &acct, g.id(), &enc_key(id), 1, at(2));
        // A child below `e`: two branches of one key, not a tie of its leaves.
        let e2 = w.enckey("r1", &acct, e.id(), &enc_key("e2"), 2, at(3));
        let msg = w.post("phone", &acct, at(10), "hello");
        o.auth(
            id,
            "the phone's delegation is one of two contested children of the genesis: the head state is \
             the genesis state, not delegated",
            &["AUTH-3", "ACCT-5"],
            &[&g, &d1, &e, &e2],
            none,
            &msg.full,
            Exp::Denied("auth.not_delegated"),
        );
    }
    {
        let id = "auth-delegated-above-contest";
        let mut x = acc(id);
        let acct = x.acct.clone();
        let a =
            x.w.enckey("r1", &acct, x.laptop.id(), &enc_key("a"), 1, at(3));
        let bb =
            x.w.enckey("r1", &acct, x.laptop.id(), &enc_key("b"), 1, at(4));
        let msg = x.w.post("phone", &acct, at(10), "hello");
        o.auth(
            id,
            "the account is contested below the laptop's delegation: the phone, delegated above the fork, \
             is authorized",
            &["AUTH-3", "ACCT-5"],
            &[&x.g, &x.phone, &x.laptop, &a, &bb],
            none,
            &msg.full,
            Exp::Authorized,
        );
    }
    {
        let id = "auth-revocation-not-rolled-back";
        let mut x = acc(id);
        let acct = x.acct.clone();
        let msg = x.w.post("phone", &acct, at(10), "stolen phone");
        let rv =
            x.w.revoke("r1", &acct, x.laptop.id(), "phone", None, at(20));
        let t =
            x.w.enckey("r1", &acct, x.laptop.id(), &enc_key("thief"), 1, at(21));
        let t2 =
            x.w.enckey("r1", &acct, t.id(), &enc_key("thief2"), 2, at(22));
        o.auth(
            id,
            "the owner revokes the phone with r1; the thief of r1 signs a sibling of the revocation and \
             continues below it: the fork is contested, and the revocation from the contested branch \
             still applies to the head state (06 §8.4): the phone stays revoked",
            &["AUTH-6", "ACCT-5"],
            &[&x.g, &x.phone, &x.laptop, &rv, &t, &t2],
            none,
            &msg.full,
            Exp::Denied("auth.revoked"),
        );
    }
    {
        let id = "auth-revocation-endorsed";
        let mut x = acc(id);
        let acct = x.acct.clone();
        let msg = x.w.post("phone", &acct, at(10), "stolen phone");
        let rv =
            x.w.revoke("r1", &acct, x.laptop.id(), "phone", None, at(20));
        let en = x.w.roots("r0", &acct, rv.id(), &["r0", "r1"], at(21));
        let t =
            x.w.enckey("r1", &acct, x.laptop.id(), &enc_key("thief"), 1, at(22));
        o.auth(
            id,
            "as auth-revocation-rolled-back, but r0 endorsed the revocation: it stays, revoked",
            &["AUTH-6", "ACCT-5"],
            &[&x.g, &x.phone, &x.laptop, &rv, &en, &t],
            none,
            &msg.full,
            Exp::Denied("auth.revoked"),
        );
    }
    // Operation messages.
    {
        let id = "auth-op-canonical";
        let x = acc(id);
        o.auth(
            id,
            "an operation message: the laptop's delegation, valid and canonical",
            &["ACCT-4"],
            &[&x.g, &x.phone, &x.laptop],
            none,
            &x.laptop.m.full,
            Exp::Authorized,
        );
    }
    {
        let id = "auth-op-genesis";
        let x = acc(id);
        o.auth(
            id,
            "an operation message: the genesis",
            &["ACCT-2"],
            &[&x.g, &x.phone],
            none,
            &x.g.m.full,
            Exp::Authorized,
        );
    }
    {
        let id = "auth-op-losing-branch";
        let mut x = acc(id);
        let acct = x.acct.clone();
        let t1 = x.w.delegate(
            "r1",
            &acct,
            x.phone.id(),
            "thief-app",
            &["*"],
            T0 + YEAR,
            None,
            at(5),
        );
        let c = x.w.roots("r0", &acct, x.laptop.id(), &["r0", "r2"], at(10));
        o.auth(
            id,
            "an operation message on a losing branch: still a valid operation (evidence), authorized",
            &["ACCT-5"],
            &[&x.g, &x.phone, &x.laptop, &t1, &c],
            none,
            &t1.m.full,
            Exp::Authorized,
        );
    }
    {
        // An operation message with no status: never applied, whole or as its stripped remainder.
        for (id, stripped, description) in [
            (
                "auth-op-never-applied",
                false,
                "an operation message (the laptop's delegation) that was never applied: no status, so \
                 not yet decidable, missing key authorization; authorize does not apply it (06 §9.3)",
            ),
            (
                "auth-op-stripped-never-whole",
                true,
                "the stripped remainder of an operation whose whole message was never applied: no \
                 status, missing key authorization",
            ),
        ] {
            let x = acc(id);
            let m = &x.laptop.m;
            let asked = if stripped { &m.stripped } else { &m.full };
            o.auth(
                id,
                description,
                &["ACCT-1"],
                &[&x.g, &x.phone],
                none,
                asked,
                Exp::MissingKeyAuthorization,
            );
        }
    }
    {
        let id = "auth-op-stripped";
        let x = acc(id);
        o.auth(
            id,
            "the stripped remainder of a held valid operation: same id, authorized",
            &["ACCT-1"],
            &[&x.g, &x.phone, &x.laptop],
            none,
            &x.phone.m.stripped,
            Exp::Authorized,
        );
    }
    {
        let id = "auth-op-not-a-root";
        let mut x = acc(id);
        let acct = x.acct.clone();
        let bad =
            x.w.revoke("phone", &acct, x.laptop.id(), "laptop", None, at(5));
        o.auth(
            id,
            "an operation signed by an app key: denied with its acct.* code",
            &["ACCT-4"],
            &[&x.g, &x.phone, &x.laptop, &bad],
            none,
            &bad.m.full,
            Exp::Denied("acct.not_a_root"),
        );
    }
    {
        let id = "auth-op-body";
        let mut x = acc(id);
        let acct = x.acct.clone();
        let app = x.w.pk("tablet");
        let bad = x.w.op(
            "r1",
            &acct,
            "delegate",
            at(5),
            delegate_body(x.laptop.id(), &app, texts(&["delegate"]), u(T0 + YEAR)),
        );
        o.auth(
            id,
            "an operation whose scope names an operation kind: denied with acct.scope",
            &["ACCT-7"],
            &[&x.g, &x.phone, &x.laptop, &bad],
            none,
            &bad.m.full,
            Exp::Denied("acct.scope"),
        );
    }
    {
        let id = "auth-op-parent-invalid";
        let mut x = acc(id);
        let acct = x.acct.clone();
        let bad =
            x.w.enckey("x", &acct, x.laptop.id(), &enc_key("bad"), 1, at(3));
        let child =
            x.w.enckey("r1", &acct, bad.id(), &enc_key("child"), 2, at(5));
        o.auth(
            id,
            "an operation following an invalid one (signed by a stranger)",
            &["ACCT-4"],
            &[&x.g, &x.phone, &x.laptop, &bad, &child],
            none,
            &child.m.full,
            Exp::Denied("acct.parent_invalid"),
        );
    }
    {
        let id = "auth-op-waiting";
        let mut x = acc(id);
        let acct = x.acct.clone();
        let e =
            x.w.enckey("r1", &acct, x.laptop.id(), &enc_key("e"), 1, at(5));
        o.auth(
            id,
            "an operation whose parent (the laptop's delegation) is not held: not yet decidable, missing \
             the parent",
            &["ACCT-6"],
            &[&x.g, &x.phone, &e],
            none,
            &e.m.full,
            Exp::MissingMessage(x.laptop.id().to_vec()),
        );
    }
    {
        let id = "auth-op-waiting-on-waiting";
        let mut x = acc(id);
        let acct = x.acct.clone();
        let e1 =
            x.w.enckey("r1", &acct, x.laptop.id(), &enc_key("e1"), 1, at(5));
        let e2 = x.w.enckey("r1", &acct, e1.id(), &enc_key("e2"), 2, at(6));
        o.auth(
            id,
            "an operation whose parent is held but itself waiting: missing its own parent (the id in \
             after)",
            &["ACCT-6"],
            &[&x.g, &x.phone, &e1, &e2],
            none,
            &e2.m.full,
            Exp::MissingMessage(e1.id().to_vec()),
        );
    }
    {
        let id = "auth-op-after-non-operation";
        let mut x = acc(id);
        let acct = x.acct.clone();
        let post = x.w.post("phone", &acct, at(10), "not an operation");
        let e = x.w.enckey("r1", &acct, &post.id, &enc_key("e"), 1, at(11));
        let post_op = Op {
            m: post.clone(),
            grant: None,
        };
        o.auth(
            id,
            "an operation whose after names a post, which was applied too: a message that is not an \
             operation has no status in the account state, so the operation waits for it for ever",
            &["ACCT-6", "ACCT-1"],
            &[&x.g, &x.phone, &x.laptop, &post_op, &e],
            none,
            &e.m.full,
            Exp::MissingMessage(post.id.clone()),
        );
    }
    {
        let id = "auth-op-invalid-genesis";
        let mut w = W::new(id);
        let g = w.genesis("r0", &["r0", "r1", "r1"], T0);
        o.auth(
            id,
            "a genesis listing a root twice",
            &["ACCT-3"],
            &[&g],
            none,
            &g.m.full,
            Exp::Denied("acct.key_in_use"),
        );
    }
}

// ------------------------------------------------------------------------------------------------ unrecorded

/// Messages that `verify_operation` refuses at step 1 (not an operation) or step 2 (a stripped
/// operation): they have no status and change nothing (06 §7.1); applying one reports the step's code.
fn unrecorded(o: &mut Out) {
    {
        let id = "not-an-operation-is-not-recorded";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let d = w.delegate("r1", &acct, g.id(), "phone", &["*"], T0 + YEAR, None, at(1));
        let p = w.post("phone", &acct, at(2), "hello");
        let roots = w.pks(&["r0", "r1"]);
        o.ops_bytes(
            id,
            "a post by the delegated phone key applied to the accounts state with the account's \
             operations: step 1 refuses it (acct.not_an_operation), it has no status and changes \
             nothing",
            &["ACCT-1"],
            &[
                (g.id(), &g.m.full, VALID),
                (d.id(), &d.m.full, VALID),
                (&p.id, &p.full, "acct.not_an_operation"),
            ],
            Some(st(&acct, &d, roots).app(&d)),
        );
    }
    {
        let id = "stripped-operation-is-not-recorded";
        let (mut w, g, acct) = base(id, &["r0", "r1"]);
        let d = w.delegate("r1", &acct, g.id(), "phone", &["*"], T0 + YEAR, None, at(1));
        let r = w.revoke("r1", &acct, d.id(), "phone", None, at(2));
        let roots = w.pks(&["r0", "r1"]);
        o.ops_bytes(
            id,
            "a delegation held only as its stripped remainder: step 2 refuses it (acct.stripped), \
             it has no status, and the revocation that follows it waits for it (ACCT-6)",
            &["ACCT-1", "ACCT-6"],
            &[
                (g.id(), &g.m.full, VALID),
                (d.id(), &d.m.stripped, "acct.stripped"),
                (r.id(), &r.m.full, WAITING),
            ],
            Some(st(&acct, &g, roots)),
        );
    }
    {
        let id = "stripped-non-operation";
        let (mut w, g, acct) = base(id, &["r0"]);
        let p = w.post("r0", &acct, at(1), "a root key's post");
        let roots = w.pks(&["r0"]);
        o.ops_bytes(
            id,
            "the stripped remainder of a message that is not an operation: step 1 comes before step \
             2, so acct.not_an_operation",
            &["ACCT-1", "GEN-2"],
            &[
                (g.id(), &g.m.full, VALID),
                (&p.id, &p.stripped, "acct.not_an_operation"),
            ],
            Some(st(&acct, &g, roots)),
        );
    }
}

pub fn generate() -> String {
    let mut o = Out::default();
    genesis(&mut o);
    delegation(&mut o);
    rotation(&mut o);
    revocation(&mut o);
    encryption(&mut o);
    placement(&mut o);
    forks(&mut o);
    threats(&mut o);
    pre_rotation(&mut o);
    witnesses(&mut o);
    acceptances(&mut o);
    deactivation(&mut o);
    succession(&mut o);
    authorization(&mut o);
    unrecorded(&mut o);
    file(
        "The accounts layer (spec 06): key operations (ACCT-1..ACCT-9), witnesses and receipts (ACCT-15, ACCT-16) and key authorization \
         (AUTH-1..AUTH-6). Two types of vector. \"operations\": every operation (a whole signed message, \
         hex) with its final status (\"valid\", \"waiting\" or the error code) once all of them are held, \
         and the head state of the account (omitted when its genesis is not valid); statuses and state \
         must not depend on the order of application. \"authorization\": after applying \
         `account_operations`, with the headers of `known` available to lookups by message id, the \
         outcome for `message`: \"authorized\", an auth.* (or, for an operation message, acct.*/key.*) \
         code, or {\"missing\": \"account\" | \"message\", \"id\": hex} when not yet decidable.",
        "accounts",
        o.vectors,
    )
}
