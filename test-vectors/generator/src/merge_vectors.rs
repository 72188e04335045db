//! `merge.json`: the convergent state of a set of valid messages (layer 4, rules MERGE-1..MERGE-11),
//! written from the merge design brief.
//!
//! Every message is a real, layer-1-valid signed envelope built with this crate's own CBOR writer,
//! BLAKE3 and Ed25519 (`messages::sign`), valid under spec 05 with every key authorized: each key's
//! messages form a proper `seq`/`prev` chain, and every lookup (prev, edit target and replaced version,
//! delete, unreact and unrepost targets) finds a header of the vector — in `messages`, or in `known`,
//! the messages the validation context knows but the state does not hold. Generation asserts this.
//!
//! The expected summary is computed by a small reducer of this module written from the brief (it
//! shares nothing with the library's), and each vector also states by hand the facts it is about
//! (this post's current version is that edit, this account follows those…), which are asserted
//! against the reducer's summary. At generation time every vector is also reduced in reverse order
//! and in several shuffled orders with every message applied twice, which must give the same bytes.

use std::collections::{BTreeMap, BTreeSet};

use crate::cbor::{diag, encode, m, t, Value};
use crate::ed::Key;
use crate::identifiers::CTX_ACCOUNT;
use crate::messages::{set, sign, Msg, SKEW, T0};
use crate::util::{base32, file, hex, strs, J};

const MIN: u64 = 60_000;
/// The default `now` of a vector: one day after `T0` (every message is dated before it).
pub const NOW: u64 = T0 + 24 * 60 * MIN;
/// MERGE-11: the BLAKE3 `derive_key` context of the state digest.
pub const DIGEST_CONTEXT: &str = "skylark v1 state digest";

/// The rules of the merge brief.
pub const RULES: &[&str] = &[
    "MERGE-1", "MERGE-2", "MERGE-3", "MERGE-4", "MERGE-5", "MERGE-6", "MERGE-7", "MERGE-8",
    "MERGE-9", "MERGE-10", "MERGE-11", "MERGE-12", "LIMIT-1", "LIMIT-2", "LIMIT-3", "VIEW-1",
    "VIEW-2", "VIEW-3", "VIEW-4",
];

/// The fourteen social kinds the merge rules read: every social kind but `report`, which is never a
/// public message (05 REPORT-3).
const SOCIAL: &[&str] = &[
    "profile", "post", "edit", "delete", "react", "unreact", "repost", "unrepost", "follow",
    "unfollow", "block", "unblock", "label", "gate",
];

/// The twelve top-level keys of the summary.
const SUMMARY_KEYS: &[&str] = &[
    "posts",
    "threads",
    "replies",
    "quotes",
    "profiles",
    "reactions",
    "reposts",
    "follows",
    "blocks",
    "labels",
    "tombstones",
    "equivocations",
];

// ------------------------------------------------------------------------------------------------ ids

/// The account id of a named example account.
pub fn acct(name: &str) -> Vec<u8> {
    blake3::derive_key(
        CTX_ACCOUNT,
        format!("merge example genesis: {name}").as_bytes(),
    )
    .to_vec()
}
/// The text form of a message id (02 ID-4).
fn mt(id: &[u8]) -> String {
    format!("msg_{}", base32(id))
}
/// The text form of an account id (02 ID-4).
fn at(id: &[u8]) -> String {
    format!("acct_{}", base32(id))
}
/// A 32-byte id no message of the vector has (a reference to something not held).
fn absent(label: &str) -> Vec<u8> {
    blake3::derive_key(
        "skylark test vectors v1 random",
        format!("merge/{label}").as_bytes(),
    )
    .to_vec()
}
/// Minutes after `T0`.
fn tm(minutes: u64) -> u64 {
    T0 + minutes * MIN
}
/// Ids sorted bytewise, without duplicates.
fn sorted(ids: &[&[u8]]) -> Vec<Vec<u8>> {
    let s: BTreeSet<Vec<u8>> = ids.iter().map(|x| x.to_vec()).collect();
    s.into_iter().collect()
}

// ------------------------------------------------------------------------------------------------ bodies

fn b(x: &[u8]) -> Value {
    Value::B(x.to_vec())
}
fn post(text: &str) -> Value {
    m(vec![("text", t(text))])
}
fn reply(text: &str, root: &[u8], parent: &[u8]) -> Value {
    m(vec![
        ("text", t(text)),
        ("reply", m(vec![("root", b(root)), ("parent", b(parent))])),
    ])
}
fn quote(text: &str, quoted: &[u8]) -> Value {
    m(vec![("text", t(text)), ("quote", b(quoted))])
}
fn edit(target: &[u8], replaces: &[u8], text: &str) -> Value {
    m(vec![
        ("target", b(target)),
        ("replaces", b(replaces)),
        ("text", t(text)),
    ])
}
/// The body of delete, unreact, repost, unrepost, and of a like (react without emoji).
fn target(id: &[u8]) -> Value {
    m(vec![("target", b(id))])
}
fn react(id: &[u8], emoji: &str) -> Value {
    m(vec![("target", b(id)), ("emoji", t(emoji))])
}
/// The body of follow, unfollow, block, unblock.
fn subject(account: &[u8]) -> Value {
    m(vec![("subject", b(account))])
}
fn profile(name: &str) -> Value {
    m(vec![("name", t(name))])
}

/// A label (or report) subject.
#[derive(Clone)]
enum Subj {
    Acct(Vec<u8>),
    Msg(Vec<u8>),
}

impl Subj {
    fn entry(&self) -> (&'static str, Value) {
        match self {
            Subj::Acct(a) => ("account", b(a)),
            Subj::Msg(x) => ("message", b(x)),
        }
    }
    fn text(&self) -> String {
        match self {
            Subj::Acct(a) => at(a),
            Subj::Msg(x) => mt(x),
        }
    }
}

fn label(s: &Subj, value: &str) -> Value {
    m(vec![s.entry(), ("value", t(value))])
}
fn negation(s: &Subj, value: &str) -> Value {
    m(vec![
        s.entry(),
        ("value", t(value)),
        ("negate", Value::Bool(true)),
    ])
}
fn label_until(s: &Subj, value: &str, expires: u64) -> Value {
    m(vec![
        s.entry(),
        ("value", t(value)),
        ("expires", Value::U(expires)),
    ])
}
fn report(service: &[u8], reason: &str, s: &Subj) -> Value {
    m(vec![
        s.entry(),
        ("service", b(service)),
        ("reason", t(reason)),
    ])
}

// ------------------------------------------------------------------------------------------------ builder

/// One signed message and the header facts the checks need.
#[derive(Clone)]
struct Rec {
    msg: Msg,
    key: Vec<u8>,
    acct: Vec<u8>,
    prev: Option<Vec<u8>>,
}

impl Rec {
    fn id(&self) -> &[u8] {
        &self.msg.id
    }
}

/// One key's canonical history: `msgs[i]` has seq i + 1 (equivocating forks are not appended).
struct Chain {
    key: Key,
    acct: Vec<u8>,
    msgs: Vec<Rec>,
}

/// A vector under construction.
struct Vb {
    id: String,
    description: String,
    rules: Vec<&'static str>,
    now: u64,
    chains: BTreeMap<String, Chain>,
    /// The messages of the set, in the listed order; `true` = the stripped remainder.
    listed: Vec<(Rec, bool)>,
    /// Messages the validation context knows but the state does not hold (stripped remainders).
    known: Vec<Rec>,
    /// Every key holds `cap:others` (06 §5.4): it may edit, delete and undo its account's messages
    /// signed by other keys. Written `"others": "authorized"`; absent, keys act on their own only.
    others: bool,
    /// Real key operations (06): when not empty, the vector's accounts are real, authorization is
    /// decided by these operations instead of being assumed, and `refused` lists the messages of the
    /// set that are not valid under them, with their code.
    operations: Vec<Msg>,
    refused: BTreeMap<Vec<u8>, &'static str>,
    /// Per real account: its root key, the root's last `seq`, and the last operation's id.
    root_ops: BTreeMap<String, (Key, u64, Vec<u8>)>,
}

impl Vb {
    fn new(id: &str, description: &str, rules: &[&'static str]) -> Vb {
        for r in rules {
            assert!(
                RULES.contains(r) || !r.starts_with("MERGE-"),
                "{id}: unknown rule {r}"
            );
        }
        Vb {
            // Storage-limit and threat vectors are named for what they show (`limit-…`,
            // `threat-…`); the others carry the file's prefix.
            id: if id.starts_with("limit-") || id.starts_with("threat-") {
                id.to_string()
            } else {
                format!("merge-{id}")
            },
            description: description.to_string(),
            rules: rules.to_vec(),
            now: NOW,
            chains: BTreeMap::new(),
            listed: Vec::new(),
            known: Vec::new(),
            others: false,
            operations: Vec::new(),
            refused: BTreeMap::new(),
            root_ops: BTreeMap::new(),
        }
    }

    /// Makes `account` a real account (06): a genesis with one root key, and a delegation from that
    /// root to each `(key name, scope)` of `apps` (every key of `apps` must belong to `account`, the
    /// name without trailing digits), expiring a year after `T0`. The key operations are written
    /// into the vector's `operations`, and the keys' messages name the real account id.
    fn real_account(&mut self, account: &str, apps: &[(&str, &[&str])]) {
        let root = Key::from_label(&format!("{}/{account}-root", self.id));
        let mut seq = 1;
        let genesis = sign(
            &root,
            &[0; 32],
            seq,
            None,
            "genesis",
            tm(0),
            crate::accounts::accepted(
                &m(vec![("roots", Value::A(vec![b(&root.pk)]))]),
                &[0; 32],
                "genesis",
                &[&root],
                &crate::accounts::genesis_tail(&root.pk, tm(0)),
            ),
        );
        let real = blake3::derive_key(CTX_ACCOUNT, &genesis.header).to_vec();
        let mut after = genesis.id.clone();
        self.operations.push(genesis);
        for (name, scope) in apps {
            assert_eq!(name.trim_end_matches(|c: char| c.is_ascii_digit()), account);
            let app = self.pk(name);
            self.chain(name).acct = real.clone();
            seq += 1;
            let body = m(vec![
                ("after", b(&after)),
                ("app", b(&app)),
                ("scope", Value::A(scope.iter().map(|s| t(s)).collect())),
                ("expires", Value::U(T0 + 365 * 24 * 60 * MIN)),
            ]);
            let app_key = self.chain(name).key.clone();
            let body = crate::accounts::accepted(&body, &real, "delegate", &[&app_key], &[]);
            let op = sign(&root, &real, seq, Some(&after), "delegate", tm(0), body);
            after = op.id.clone();
            self.operations.push(op);
        }
        self.root_ops
            .insert(account.to_string(), (root, seq, after));
    }

    /// A `revoke` of key `name` by its account's root (the next operation after the last one of
    /// `real_account` or of an earlier `revoke`), without a cutoff or with `cutoff` (06 §5.2).
    fn revoke(&mut self, name: &str, cutoff: Option<&Rec>, minutes: u64) {
        let account = name
            .trim_end_matches(|c: char| c.is_ascii_digit())
            .to_string();
        let app = self.pk(name);
        let real = self.chain(name).acct.clone();
        let (root, seq, after) = self.root_ops.remove(&account).expect("a real account");
        let mut body = m(vec![("after", b(&after)), ("app", b(&app))]);
        if let Some(c) = cutoff {
            body = set(
                &body,
                "cutoff",
                m(vec![("id", b(c.id())), ("seq", Value::U(c.msg.seq))]),
            );
        }
        let op = sign(
            &root,
            &real,
            seq + 1,
            Some(&after),
            "revoke",
            tm(minutes),
            body,
        );
        self.root_ops
            .insert(account, (root, seq + 1, op.id.clone()));
        self.operations.push(op);
    }

    /// Marks `r` (a message of the set) as refused by authorization with `code`.
    fn refuse(&mut self, r: &Rec, code: &'static str) {
        self.refused.insert(r.id().to_vec(), code);
    }

    /// Gives every key of the vector `cap:others`.
    fn with_others(mut self) -> Vb {
        self.others = true;
        self
    }

    /// The chain of key `name`, created on first use: its account is the name without trailing
    /// digits ("alice2" is a second key of "alice").
    fn chain(&mut self, name: &str) -> &mut Chain {
        let vid = self.id.clone();
        self.chains
            .entry(name.to_string())
            .or_insert_with(|| Chain {
                key: Key::from_label(&format!("{vid}/{name}")),
                acct: acct(name.trim_end_matches(|c: char| c.is_ascii_digit())),
                msgs: Vec::new(),
            })
    }

    /// The public key of key `name`.
    fn pk(&mut self, name: &str) -> Vec<u8> {
        self.chain(name).key.pk.to_vec()
    }

    /// A message of key `name` at `seq` (following the chain's message `seq - 1`), not recorded.
    fn make(&mut self, name: &str, seq: u64, kind: &str, minutes: u64, body: Value) -> Rec {
        let c = self.chain(name);
        let prev = (seq > 1).then(|| c.msgs[(seq - 2) as usize].clone());
        let time = tm(minutes);
        if let Some(p) = &prev {
            assert!(p.msg.time <= time, "{name}: time regression at seq {seq}");
        }
        let msg = sign(
            &c.key,
            &c.acct,
            seq,
            prev.as_ref().map(|p| p.id()),
            kind,
            time,
            body,
        );
        Rec {
            msg,
            key: c.key.pk.to_vec(),
            acct: c.acct.clone(),
            prev: prev.map(|p| p.msg.id),
        }
    }

    /// The next message of key `name`'s chain (appended to the chain, not to the set).
    fn next(&mut self, name: &str, kind: &str, minutes: u64, body: Value) -> Rec {
        self.next_where(name, kind, minutes, body, |_| true)
    }

    /// Like `next`, but the first of the candidates (the body as given, then with a namespaced
    /// `com.example.nonce` of 1, 2, …) whose id satisfies `pred`: for ties decided by the id.
    fn next_where(
        &mut self,
        name: &str,
        kind: &str,
        minutes: u64,
        body: Value,
        pred: impl Fn(&[u8]) -> bool,
    ) -> Rec {
        let seq = self.chain(name).msgs.len() as u64 + 1;
        for n in 0..1000u64 {
            let candidate = if n == 0 {
                body.clone()
            } else {
                set(&body, "com.example.nonce", Value::U(n))
            };
            let r = self.make(name, seq, kind, minutes, candidate);
            if pred(r.id()) {
                self.chain(name).msgs.push(r.clone());
                return r;
            }
        }
        panic!("{}: no candidate satisfies the id condition", self.id)
    }

    /// The next message of key `name`, held whole.
    fn add(&mut self, name: &str, kind: &str, minutes: u64, body: Value) -> Rec {
        let r = self.next(name, kind, minutes, body);
        self.hold(&r);
        r
    }

    /// The next message of key `name`, held as its stripped remainder.
    fn add_stripped(&mut self, name: &str, kind: &str, minutes: u64, body: Value) -> Rec {
        let r = self.next(name, kind, minutes, body);
        self.hold_stripped(&r);
        r
    }

    /// A second message at `seq` of key `name` (an equivocation), held whole.
    fn fork(&mut self, name: &str, seq: u64, kind: &str, minutes: u64, body: Value) -> Rec {
        let r = self.make(name, seq, kind, minutes, body);
        self.hold(&r);
        r
    }

    fn hold(&mut self, r: &Rec) {
        self.listed.push((r.clone(), false));
    }
    /// Holds `r`'s stripped remainder: in the set, unless it is of a control kind, whose remainder is
    /// undecided (05 MSG-7): the node then knows its header but the set does not hold it.
    fn hold_stripped(&mut self, r: &Rec) {
        if crate::messages::CONTROL_KINDS.contains(&r.msg.kind.as_str()) {
            self.know(r);
        } else {
            self.listed.push((r.clone(), true));
        }
    }
    /// Makes `r`'s header known to the validation context only.
    fn know(&mut self, r: &Rec) {
        self.known.push(r.clone());
    }

    /// Reorders the listed messages by the permutation `order` (indices into the current list).
    fn reorder(&mut self, order: &[usize]) {
        let mut seen = BTreeSet::new();
        assert!(order.iter().all(|i| seen.insert(*i)) && seen.len() == self.listed.len());
        self.listed = order.iter().map(|&i| self.listed[i].clone()).collect();
    }

    /// Checks the vector, computes its summary and appends it to `out`; returns the summary.
    fn finish(self, out: &mut Vec<J>) -> Summary {
        self.check_valid();
        let items: Vec<Item> = self
            .listed
            .iter()
            .filter(|(r, _)| !self.refused.contains_key(r.id()))
            .map(|(r, stripped)| Item::of(r, *stripped))
            .collect();
        let summary = reduce(&items, self.now);
        let bytes = encode(&summary);
        for (name, order) in orders(&items, &self.id) {
            assert!(
                encode(&reduce(&order, self.now)) == bytes,
                "{}: the {name} order gives another summary",
                self.id
            );
        }
        let mut first_seen = BTreeSet::new();
        for (r, stripped) in &self.listed {
            assert!(
                first_seen.insert((r.id().to_vec(), *stripped)),
                "{}: a message is listed twice in the same form",
                self.id
            );
        }
        let digest = blake3::derive_key(DIGEST_CONTEXT, &bytes);
        // Several messages, checked above in several orders: the vector also pins order independence
        // (GEN-4, 00 §7).
        let mut rules = self.rules.clone();
        if self.listed.len() >= 2 {
            rules.push("GEN-4");
        }
        let hexes = |list: Vec<&Vec<u8>>| J::A(list.into_iter().map(|x| J::S(hex(x))).collect());
        out.push(J::O(vec![
            ("id".to_string(), J::S(self.id.clone())),
            ("description".to_string(), J::S(self.description.clone())),
            ("rules".to_string(), strs(&rules)),
            ("now".to_string(), J::U(self.now)),
            (
                "messages".to_string(),
                hexes(
                    self.listed
                        .iter()
                        .map(|(r, s)| if *s { &r.msg.stripped } else { &r.msg.full })
                        .collect(),
                ),
            ),
            (
                "known".to_string(),
                hexes(self.known.iter().map(|r| &r.msg.stripped).collect()),
            ),
        ]));
        if self.others && self.operations.is_empty() {
            if let Some(J::O(members)) = out.last_mut() {
                members.push(("others".to_string(), J::from("authorized")));
            }
        }
        if !self.operations.is_empty() {
            let verdicts = self
                .listed
                .iter()
                .map(|(r, _)| J::from(self.refused.get(r.id()).copied().unwrap_or("valid")))
                .collect();
            if let Some(J::O(members)) = out.last_mut() {
                members.push((
                    "account_operations".to_string(),
                    hexes(self.operations.iter().map(|o| &o.full).collect()),
                ));
                members.push(("verdicts".to_string(), J::A(verdicts)));
            }
        }
        if let Some(J::O(members)) = out.last_mut() {
            members.extend([
                ("summary_diag".to_string(), J::S(diag(&summary))),
                ("summary".to_string(), J::S(hex(&bytes))),
                ("digest".to_string(), J::S(hex(&digest))),
            ]);
        }
        Summary(summary)
    }

    /// Asserts that every message is valid under spec 05 with every key authorized, given the
    /// headers of `messages` and `known`: `time ≤ now + 600000`; MSG-4 (prev found, same key,
    /// seq - 1, not later); and, for whole messages, the body lookups (EDIT-2, EDIT-3, DELETE-1,
    /// UNDO-1) and the header-dependent body rules (GRAPH-1, LABEL-4). The body schemas are those
    /// of the helpers above.
    fn check_valid(&self) {
        let mut pool: BTreeMap<Vec<u8>, &Rec> = BTreeMap::new();
        for r in self.listed.iter().map(|(r, _)| r).chain(&self.known) {
            pool.insert(r.id().to_vec(), r);
        }
        let id = &self.id;
        let find = |x: &[u8], what: &str| find_in(&pool, x, id, what);
        for (r, stripped) in &self.listed {
            if self.refused.contains_key(r.id()) {
                continue;
            }
            let what = format!("{} seq {} ({})", hex(&r.key), r.msg.seq, r.msg.kind);
            assert!(r.msg.time <= self.now + SKEW, "{id}: {what} in the future");
            if let Some(p) = &r.prev {
                let p = find(p, "prev");
                assert!(
                    p.key == r.key && p.msg.seq + 1 == r.msg.seq && p.msg.time <= r.msg.time,
                    "{id}: {what}: bad prev"
                );
            }
            if *stripped {
                continue;
            }
            let body = &r.msg.body;
            let reach = |found: &Rec, field: &str| {
                assert!(found.acct == r.acct, "{id}: {what}: {field} not own");
                assert!(
                    found.msg.time <= r.msg.time,
                    "{id}: {what}: {field} newer (target_newer)"
                );
                assert!(
                    found.key == r.key || self.others,
                    "{id}: {what}: {field} of another key without cap:others"
                );
            };
            let own = |field: &str, kinds: &[&str]| {
                let x = id_field(body, field).unwrap();
                let found = find(&x, field);
                reach(found, field);
                assert!(
                    kinds.contains(&found.msg.kind.as_str()),
                    "{id}: {what}: {field} kind"
                );
                found.msg.kind.clone()
            };
            match r.msg.kind.as_str() {
                "edit" => {
                    own("target", &["post"]);
                    if own("replaces", &["post", "edit"]) == "post" {
                        assert_eq!(id_field(body, "replaces"), id_field(body, "target"));
                    }
                }
                "delete" => {
                    let x = id_field(body, "target").unwrap();
                    let found = find(&x, "target");
                    reach(found, "target");
                    assert!(
                        found.msg.kind != "delete",
                        "{id}: {what}: delete of a delete"
                    );
                }
                "unreact" => {
                    own("target", &["react"]);
                }
                "unrepost" => {
                    own("target", &["repost"]);
                }
                "follow" | "unfollow" | "block" | "unblock" => {
                    assert!(
                        id_field(body, "subject").unwrap() != r.acct,
                        "{id}: GRAPH-1"
                    );
                }
                "label" => {
                    if let Some(Value::U(e)) = field(body, "expires") {
                        assert!(*e > r.msg.time, "{id}: LABEL-4");
                    }
                }
                "gate" => {
                    own("target", &["post"]);
                }
                _ => {}
            }
        }
    }
}

/// The message of `pool` with id `x` (panics if there is none).
fn find_in<'a>(pool: &BTreeMap<Vec<u8>, &'a Rec>, x: &[u8], id: &str, what: &str) -> &'a Rec {
    pool.get(x)
        .unwrap_or_else(|| panic!("{id}: {what} {} not known", hex(x)))
}

// ------------------------------------------------------------------------------------------------ reducer

/// One message as the reducer sees it: header facts, and the body unless it is a stripped remainder.
#[derive(Clone)]
struct Item {
    id: Vec<u8>,
    key: Vec<u8>,
    seq: u64,
    acct: Vec<u8>,
    time: u64,
    kind: String,
    body: Option<Value>,
}

impl Item {
    fn of(r: &Rec, stripped: bool) -> Item {
        Item {
            id: r.msg.id.clone(),
            key: r.key.clone(),
            seq: r.msg.seq,
            acct: r.acct.clone(),
            time: r.msg.time,
            kind: r.msg.kind.clone(),
            body: (!stripped).then(|| r.msg.body.clone()),
        }
    }
    /// The MERGE-1 order.
    fn stamp(&self) -> (u64, &[u8]) {
        (self.time, &self.id)
    }
}

fn field<'a>(body: &'a Value, k: &str) -> Option<&'a Value> {
    match body {
        Value::M(entries) => entries.iter().find(|(key, _)| key == k).map(|(_, v)| v),
        _ => None,
    }
}
fn id_field(body: &Value, k: &str) -> Option<Vec<u8>> {
    match field(body, k) {
        Some(Value::B(x)) => Some(x.clone()),
        _ => None,
    }
}
fn text_field(body: &Value, k: &str) -> Option<String> {
    match field(body, k) {
        Some(Value::T(s)) => Some(s.clone()),
        _ => None,
    }
}

/// What a node holds: messages by id, the whole form winning over the stripped one.
#[derive(Default)]
struct Node {
    held: BTreeMap<Vec<u8>, Item>,
}

impl Node {
    fn apply(&mut self, item: &Item) {
        let whole_held = self
            .held
            .get(&item.id)
            .is_some_and(|old| old.body.is_some());
        if !whole_held {
            self.held.insert(item.id.clone(), item.clone());
        }
    }

    /// The summary of MERGE-11, rule by rule from the brief.
    fn summary(&self, now: u64) -> Value {
        // Only the fourteen social kinds are read, equivocation detection included, and of them
        // only those the storage limits keep (LIMIT-1..LIMIT-3).
        let all: Vec<&Item> = self
            .held
            .values()
            .filter(|i| SOCIAL.contains(&i.kind.as_str()))
            .collect();
        let gone = pruned(&all);
        let social: Vec<&Item> = all.into_iter().filter(|i| !gone.contains(&i.id)).collect();
        // MERGE-2: D, the targets of the (readable) deletes.
        let dead: BTreeSet<Vec<u8>> = social
            .iter()
            .filter(|i| i.kind == "delete")
            .filter_map(|i| i.body.as_ref().and_then(|x| id_field(x, "target")))
            .collect();
        // The messages every rule reads: not deleted, body held.
        let readable: Vec<(&Item, &Value)> = social
            .iter()
            .filter(|i| !dead.contains(&i.id))
            .filter_map(|i| i.body.as_ref().map(|x| (*i, x)))
            .collect();
        let of_kind = |k: &'static str| readable.iter().filter(move |(i, _)| i.kind == k);

        // MERGE-6, MERGE-7: what the (readable) undos name.
        let undone: BTreeSet<Vec<u8>> = readable
            .iter()
            .filter(|(i, _)| i.kind == "unreact" || i.kind == "unrepost")
            .filter_map(|(_, x)| id_field(x, "target"))
            .collect();
        // VIEW-1..VIEW-4: what gates and blocks leave out.
        let left_out = gated(&social, &readable);
        let left =
            |id: &[u8], what: &str| left_out.get(id).is_some_and(|e| field(e, what).is_some());
        // MERGE-4 `earlier`: the counting reacts and reposts of `p` whose `version`, and the live
        // posts quoting `p` (not left out, VIEW-3) whose `quote_version`, is not `current`; sorted
        // by id.
        let earlier = |p: &[u8], current: &[u8]| -> Vec<Vec<u8>> {
            let mut out: Vec<Vec<u8>> = readable
                .iter()
                .filter(|(i, x)| match i.kind.as_str() {
                    "react" | "repost" => {
                        !undone.contains(&i.id)
                            && id_field(x, "target").as_deref() == Some(p)
                            && id_field(x, "version").is_some_and(|v| v != current)
                    }
                    "post" => {
                        id_field(x, "quote").as_deref() == Some(p)
                            && id_field(x, "quote_version").is_some_and(|v| v != current)
                            && !left(&i.id, "quote")
                    }
                    _ => false,
                })
                .map(|(i, _)| i.id.clone())
                .collect();
            out.sort();
            out
        };

        // MERGE-4 and MERGE-5.
        let mut posts = Vec::new();
        let mut threads: BTreeMap<Vec<u8>, BTreeSet<Vec<u8>>> = BTreeMap::new();
        let mut replies: BTreeMap<Vec<u8>, BTreeSet<Vec<u8>>> = BTreeMap::new();
        let mut quotes: BTreeMap<Vec<u8>, BTreeSet<Vec<u8>>> = BTreeMap::new();
        for p in social.iter().filter(|i| i.kind == "post") {
            let state = if dead.contains(&p.id) {
                "deleted"
            } else if p.body.is_none() {
                "withheld"
            } else {
                "live"
            };
            let mut entry = vec![("state", t(state))];
            if let (Some(body), "live") = (&p.body, state) {
                let history = edit_path(&p.id, &readable);
                entry.push(("current", b(history.last().unwrap())));
                entry.push(("history", Value::A(history.iter().map(|x| b(x)).collect())));
                let before = earlier(&p.id, history.last().unwrap());
                if !before.is_empty() {
                    entry.push(("earlier", Value::A(before.iter().map(|x| b(x)).collect())));
                }
                if let Some(e) = left_out.get(&p.id) {
                    entry.push(("left_out", e.clone()));
                }
                if let Some(r) = field(body, "reply").filter(|_| !left(&p.id, "reply")) {
                    let root = id_field(r, "root").unwrap();
                    let parent = id_field(r, "parent").unwrap();
                    threads.entry(root).or_default().insert(p.id.clone());
                    replies.entry(parent).or_default().insert(p.id.clone());
                }
                if let Some(q) = id_field(body, "quote").filter(|_| !left(&p.id, "quote")) {
                    quotes.entry(q).or_default().insert(p.id.clone());
                }
            }
            posts.push((mt(&p.id), m(entry)));
        }

        // MERGE-3.
        let mut profiles: BTreeMap<Vec<u8>, &Item> = BTreeMap::new();
        for &(i, _) in of_kind("profile") {
            let best = profiles.entry(i.acct.clone()).or_insert(i);
            if i.stamp() > best.stamp() {
                *best = i;
            }
        }

        // MERGE-6.
        let unreacted: BTreeSet<Vec<u8>> = of_kind("unreact")
            .filter_map(|(_, x)| id_field(x, "target"))
            .collect();
        let mut reactions: BTreeMap<Vec<u8>, BTreeMap<String, BTreeSet<Vec<u8>>>> = BTreeMap::new();
        for &(i, x) in of_kind("react") {
            if unreacted.contains(&i.id) {
                continue;
            }
            let value = text_field(x, "emoji").unwrap_or_default();
            reactions
                .entry(id_field(x, "target").unwrap())
                .or_default()
                .entry(value)
                .or_default()
                .insert(i.acct.clone());
        }

        // MERGE-7.
        let unreposted: BTreeSet<Vec<u8>> = of_kind("unrepost")
            .filter_map(|(_, x)| id_field(x, "target"))
            .collect();
        let mut reposts: BTreeMap<Vec<u8>, BTreeSet<Vec<u8>>> = BTreeMap::new();
        for &(i, x) in of_kind("repost") {
            if !unreposted.contains(&i.id) {
                reposts
                    .entry(id_field(x, "target").unwrap())
                    .or_default()
                    .insert(i.acct.clone());
            }
        }

        // MERGE-9.
        type LabelKey = (Vec<u8>, String, String);
        let mut latest_labels: BTreeMap<LabelKey, (&Item, &Value)> = BTreeMap::new();
        for &(i, x) in of_kind("label") {
            let subject = match (id_field(x, "account"), id_field(x, "message")) {
                (Some(a), None) => at(&a),
                (None, Some(msg)) => mt(&msg),
                _ => panic!("label subject"),
            };
            let k = (i.acct.clone(), subject, text_field(x, "value").unwrap());
            let best = latest_labels.entry(k).or_insert((i, x));
            if i.stamp() > best.0.stamp() {
                *best = (i, x);
            }
        }
        let mut labels: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
        for ((labeler, subject, value), (_, x)) in latest_labels {
            let negated = field(x, "negate").is_some();
            let expired = matches!(field(x, "expires"), Some(Value::U(e)) if *e <= now);
            if !negated && !expired {
                labels
                    .entry(subject)
                    .or_default()
                    .entry(at(&labeler))
                    .or_default()
                    .push(value);
            }
        }

        // MERGE-10: every pair at one (key, seq), social kinds, whatever their form or state.
        let mut places: BTreeMap<(Vec<u8>, u64), BTreeSet<Vec<u8>>> = BTreeMap::new();
        for i in &social {
            places
                .entry((i.key.clone(), i.seq))
                .or_default()
                .insert(i.id.clone());
        }
        // One entry per place held by two or more messages: [key, seq, [ids sorted]].
        let mut equivocations = Vec::new();
        for ((key, seq), ids) in &places {
            if ids.len() >= 2 {
                equivocations.push(Value::A(vec![
                    b(key),
                    Value::U(*seq),
                    Value::A(ids.iter().map(|id| b(id)).collect()),
                ]));
            }
        }

        let id_lists = |lists: &BTreeMap<Vec<u8>, BTreeSet<Vec<u8>>>, text: fn(&[u8]) -> String| {
            Value::M(
                lists
                    .iter()
                    .map(|(k, ids)| (text(k), Value::A(ids.iter().map(|x| b(x)).collect())))
                    .collect(),
            )
        };
        let summary = vec![
            ("posts".to_string(), Value::M(posts.into_iter().collect())),
            ("threads".to_string(), id_lists(&threads, mt)),
            ("replies".to_string(), id_lists(&replies, mt)),
            ("quotes".to_string(), id_lists(&quotes, mt)),
            (
                "profiles".to_string(),
                Value::M(profiles.iter().map(|(a, i)| (at(a), b(&i.id))).collect()),
            ),
            (
                "reactions".to_string(),
                Value::M(
                    reactions
                        .iter()
                        .map(|(target, values)| {
                            let by_value = values
                                .iter()
                                .map(|(v, accts)| {
                                    (v.clone(), Value::A(accts.iter().map(|x| b(x)).collect()))
                                })
                                .collect();
                            (mt(target), Value::M(by_value))
                        })
                        .collect(),
                ),
            ),
            ("reposts".to_string(), id_lists(&reposts, mt)),
            (
                "follows".to_string(),
                graph(&readable, "follow", "unfollow"),
            ),
            ("blocks".to_string(), graph(&readable, "block", "unblock")),
            (
                "labels".to_string(),
                Value::M(
                    labels
                        .into_iter()
                        .map(|(s, by_labeler)| {
                            let inner = by_labeler
                                .into_iter()
                                .map(|(l, mut values)| {
                                    values.sort_by(|x, y| {
                                        (x.len(), x.as_bytes()).cmp(&(y.len(), y.as_bytes()))
                                    });
                                    values.dedup();
                                    (l, Value::A(values.iter().map(|v| t(v)).collect()))
                                })
                                .collect();
                            (s, Value::M(inner))
                        })
                        .collect(),
                ),
            ),
            (
                "tombstones".to_string(),
                Value::A(dead.iter().map(|x| b(x)).collect()),
            ),
            ("equivocations".to_string(), Value::A(equivocations)),
        ];
        assert!(summary
            .iter()
            .map(|(k, _)| k.as_str())
            .eq(SUMMARY_KEYS.iter().copied()));
        Value::M(summary)
    }
}

/// MERGE-4: the history of live post `p` (P, E1, …, current). An edit counts iff it targets P and
/// replaces P or an edit that counts; the walk moves to the latest counting edit of the current
/// version until none is left.
fn edit_path(p: &[u8], readable: &[(&Item, &Value)]) -> Vec<Vec<u8>> {
    let edits: Vec<(&Item, Vec<u8>)> = readable
        .iter()
        .filter(|(i, x)| i.kind == "edit" && id_field(x, "target").as_deref() == Some(p))
        .map(|(i, x)| (*i, id_field(x, "replaces").unwrap()))
        .collect();
    let mut counting: BTreeSet<&[u8]> = BTreeSet::new();
    loop {
        let before = counting.len();
        for (e, replaces) in &edits {
            if replaces.as_slice() == p || counting.contains(replaces.as_slice()) {
                counting.insert(&e.id);
            }
        }
        if counting.len() == before {
            break;
        }
    }
    let mut path = vec![p.to_vec()];
    while let Some((e, _)) = edits
        .iter()
        .filter(|(e, replaces)| {
            counting.contains(e.id.as_slice()) && replaces == path.last().unwrap()
        })
        .max_by(|x, y| x.0.stamp().cmp(&y.0.stamp()))
    {
        path.push(e.id.clone());
    }
    path
}

/// MERGE-8: per (account, subject), the latest of the account's `on`/`off` messages decides.
fn graph(readable: &[(&Item, &Value)], on: &str, off: &str) -> Value {
    let mut by_account: BTreeMap<Vec<u8>, BTreeSet<Vec<u8>>> = BTreeMap::new();
    for (a, s) in edges(readable, on, off) {
        by_account.entry(a).or_default().insert(s);
    }
    Value::M(
        by_account
            .iter()
            .map(|(a, subjects)| (at(a), Value::A(subjects.iter().map(|x| b(x)).collect())))
            .collect(),
    )
}

/// MERGE-8: the current edges (account, subject) of the graph of `on`/`off`.
fn edges(readable: &[(&Item, &Value)], on: &str, off: &str) -> BTreeSet<(Vec<u8>, Vec<u8>)> {
    let mut latest: BTreeMap<(Vec<u8>, Vec<u8>), &Item> = BTreeMap::new();
    for &(i, x) in readable
        .iter()
        .filter(|(i, _)| i.kind == on || i.kind == off)
    {
        let best = latest
            .entry((i.acct.clone(), id_field(x, "subject").unwrap()))
            .or_insert(i);
        if i.stamp() > best.stamp() {
            *best = i;
        }
    }
    latest
        .into_iter()
        .filter(|(_, i)| i.kind == on)
        .map(|(pair, _)| pair)
        .collect()
}

/// The accounts a post body mentions (its mention facets), sorted and distinct.
fn mentions_of(body: &Value) -> BTreeSet<Vec<u8>> {
    match field(body, "facets") {
        Some(Value::A(facets)) => facets
            .iter()
            .filter(|f| text_field(f, "type").as_deref() == Some("mention"))
            .filter_map(|f| id_field(f, "account"))
            .collect(),
        _ => BTreeSet::new(),
    }
}

/// VIEW-1..VIEW-4, from the rules' text: for each live post, what is left out and why — as a
/// reply (`block`, `gate`, `hidden`, by its root, then `block`, `gate` by its parent, then `root`), as a quote (`block`, `gate`), and which mentioned accounts
/// block its author. Entries only for posts with something left out.
fn gated(social: &[&Item], readable: &[(&Item, &Value)]) -> BTreeMap<Vec<u8>, Value> {
    let follows = edges(readable, "follow", "unfollow");
    let blocks = edges(readable, "block", "unblock");
    // VIEW-1: the latest readable gate per (author, post).
    type InForce<'a> = BTreeMap<(Vec<u8>, Vec<u8>), (&'a Item, &'a Value)>;
    let mut gates: InForce = BTreeMap::new();
    for &(i, x) in readable.iter().filter(|(i, _)| i.kind == "gate") {
        let best = gates
            .entry((i.acct.clone(), id_field(x, "target").unwrap()))
            .or_insert((i, x));
        if i.stamp() > best.0.stamp() {
            *best = (i, x);
        }
    }
    let audiences = |gate: Option<&Value>, list: &str| -> Option<Vec<String>> {
        match field(gate?, list)? {
            Value::A(xs) => Some(
                xs.iter()
                    .map(|x| match x {
                        Value::T(s) => s.clone(),
                        _ => panic!("audience"),
                    })
                    .collect(),
            ),
            _ => panic!("audiences"),
        }
    };
    // The post `p`'s author and, if its body is readable, the accounts it mentions.
    let owner = |p: &[u8]| -> Option<(Vec<u8>, BTreeSet<Vec<u8>>)> {
        let i = social.iter().find(|i| i.id == p && i.kind == "post")?;
        let body = readable.iter().find(|(r, _)| r.id == p).map(|(_, x)| *x);
        Some((i.acct.clone(), body.map(mentions_of).unwrap_or_default()))
    };
    let judge = |post: &[u8], author: &[u8], id: &[u8], list: &str| -> Option<&'static str> {
        let (o, mentioned) = owner(post)?;
        if o == author {
            return None;
        }
        if blocks.contains(&(o.clone(), author.to_vec())) {
            return Some("block");
        }
        let gate = gates.get(&(o.clone(), post.to_vec())).map(|(_, x)| *x);
        if let Some(allowed) = audiences(gate, list) {
            let admitted = allowed.iter().any(|a| match a.as_str() {
                "followers" => follows.contains(&(author.to_vec(), o.clone())),
                "following" => follows.contains(&(o.clone(), author.to_vec())),
                "mentioned" => mentioned.contains(author),
                _ => false,
            });
            if !admitted {
                return Some("gate");
            }
        }
        let hidden = match gate.and_then(|g| field(g, "hidden")) {
            Some(Value::A(xs)) => xs.iter().any(|x| matches!(x, Value::B(h) if h == id)),
            _ => false,
        };
        (list == "reply" && hidden).then_some("hidden")
    };
    // VIEW-2 steps 4 to 6: the parent's author and gate, then the root the live parent names.
    let by_parent = |root: &[u8], parent: &[u8], author: &[u8]| -> Option<&'static str> {
        match judge(parent, author, &[], "reply") {
            Some("hidden") | None => {}
            why => return why,
        }
        let (_, x) = readable
            .iter()
            .find(|(i, _)| i.id == parent && i.kind == "post")?;
        let own = field(x, "reply").map_or(parent.to_vec(), |r| id_field(r, "root").unwrap());
        (own != root).then_some("root")
    };
    let mut out = BTreeMap::new();
    for &(p, x) in readable.iter().filter(|(i, _)| i.kind == "post") {
        let mut entry = Vec::new();
        if let Some(q) = id_field(x, "quote") {
            if let Some(why) = judge(&q, &p.acct, &p.id, "quote") {
                entry.push(("quote", t(why)));
            }
        }
        if let Some(r) = field(x, "reply") {
            let (root, parent) = (id_field(r, "root").unwrap(), id_field(r, "parent").unwrap());
            let why = judge(&root, &p.acct, &p.id, "reply")
                .or_else(|| by_parent(&root, &parent, &p.acct));
            if let Some(why) = why {
                entry.push(("reply", t(why)));
            }
        }
        let muted: Vec<Value> = mentions_of(x)
            .into_iter()
            .filter(|m| *m != p.acct && blocks.contains(&(m.clone(), p.acct.clone())))
            .map(|m| b(&m))
            .collect();
        if !muted.is_empty() {
            entry.push(("mentions", Value::A(muted)));
        }
        if !entry.is_empty() {
            out.insert(p.id.clone(), m(entry));
        }
    }
    out
}

/// LIMIT-1: messages kept per place (key, seq), the earliest by MERGE-1.
pub const PER_PLACE: usize = 2;

/// LIMIT-2: the class of each social kind and the messages of the class one account keeps.
pub const CLASSES: &[(&str, &[&str], usize)] = &[
    ("profile", &["profile"], 50),
    ("post", &["post", "edit"], 5000),
    ("delete", &["delete"], 5000),
    ("react", &["react", "unreact"], 2500),
    ("repost", &["repost", "unrepost"], 2500),
    ("follow", &["follow", "unfollow"], 2500),
    ("block", &["block", "unblock"], 2500),
    ("label", &["label"], 50000),
    ("gate", &["gate"], 5000),
];

/// The ids LIMIT-1..LIMIT-3 prune from the held social messages, from the rules' text: per
/// place keep the earliest two; of the rest, per (account, class) keep the latest N; then the
/// targets of the pruned edits, deletes, unreacts and unreposts (one step).
fn pruned(social: &[&Item]) -> BTreeSet<Vec<u8>> {
    let mut gone = BTreeSet::new();
    let mut places: BTreeMap<(Vec<u8>, u64), Vec<&Item>> = BTreeMap::new();
    for i in social {
        places.entry((i.key.clone(), i.seq)).or_default().push(i);
    }
    for (_, mut at) in places {
        at.sort_by(|a, b| a.stamp().cmp(&b.stamp()));
        gone.extend(at.iter().skip(PER_PLACE).map(|i| i.id.clone()));
    }
    // LIMIT-2 ranks the gates in force first: of the gates LIMIT-1 keeps that no delete it keeps
    // names, the latest per (account, target).
    let kept: Vec<&&Item> = social.iter().filter(|i| !gone.contains(&i.id)).collect();
    let target = |i: &Item| i.body.as_ref().and_then(|b| id_field(b, "target"));
    let deleted: BTreeSet<Vec<u8>> = kept
        .iter()
        .filter(|i| i.kind == "delete")
        .filter_map(|i| target(i))
        .collect();
    let mut latest: BTreeMap<(Vec<u8>, Vec<u8>), &Item> = BTreeMap::new();
    for i in kept
        .iter()
        .filter(|i| i.kind == "gate" && !deleted.contains(&i.id))
    {
        let slot = latest
            .entry((i.acct.clone(), target(i).unwrap()))
            .or_insert(i);
        if i.stamp() > slot.stamp() {
            *slot = i;
        }
    }
    let in_force: BTreeSet<Vec<u8>> = latest.values().map(|i| i.id.clone()).collect();
    let mut classes: BTreeMap<(Vec<u8>, &str), Vec<&Item>> = BTreeMap::new();
    for i in social.iter().filter(|i| !gone.contains(&i.id)) {
        let (class, _, _) = CLASSES
            .iter()
            .find(|(_, kinds, _)| kinds.contains(&i.kind.as_str()))
            .unwrap();
        classes.entry((i.acct.clone(), class)).or_default().push(i);
    }
    for ((_, class), mut of) in classes {
        let n = CLASSES.iter().find(|c| c.0 == class).unwrap().2;
        of.sort_by_key(|i| std::cmp::Reverse((in_force.contains(&i.id), i.stamp())));
        gone.extend(of.iter().skip(n).map(|i| i.id.clone()));
    }
    let undone: Vec<Vec<u8>> = social
        .iter()
        .filter(|i| gone.contains(&i.id))
        .filter(|i| ["edit", "delete", "unreact", "unrepost"].contains(&i.kind.as_str()))
        .filter_map(|i| i.body.as_ref().and_then(|b| id_field(b, "target")))
        .collect();
    gone.extend(undone);
    gone
}

/// The summary of a list of messages applied in that order.
fn reduce(items: &[Item], now: u64) -> Value {
    let mut node = Node::default();
    for i in items {
        node.apply(i);
    }
    node.summary(now)
}

/// The other orders checked at generation time: reversed, and four shuffles, each message applied
/// twice (the second copies in another shuffled order, or interleaved).
fn orders(items: &[Item], id: &str) -> Vec<(String, Vec<Item>)> {
    let mut state = u64::from_le_bytes(
        blake3::derive_key("skylark test vectors v1 shuffle", id.as_bytes())[..8]
            .try_into()
            .unwrap(),
    ) | 1;
    let mut shuffle = |v: &mut Vec<Item>| {
        for i in (1..v.len()).rev() {
            // xorshift64
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            v.swap(i, (state % (i as u64 + 1)) as usize);
        }
    };
    let mut out = Vec::new();
    let rev: Vec<Item> = items.iter().rev().cloned().collect();
    out.push(("reversed".to_string(), rev.clone()));
    out.push((
        "reversed, each twice in a row".to_string(),
        rev.iter().flat_map(|i| [i.clone(), i.clone()]).collect(),
    ));
    for n in 0..4 {
        let mut a = items.to_vec();
        shuffle(&mut a);
        let mut c = items.to_vec();
        shuffle(&mut c);
        a.extend(c);
        out.push((format!("shuffled #{n}, duplicated"), a));
    }
    out
}

// ------------------------------------------------------------------------------------------------ reading

/// A computed summary, read back for the hand-written expectations of each vector.
struct Summary(Value);

impl Summary {
    fn get(&self, path: &[&str]) -> Option<&Value> {
        let mut v = &self.0;
        for k in path {
            v = field(v, k)?;
        }
        Some(v)
    }
    /// The byte strings of the array at `path` (empty if absent).
    fn ids(&self, path: &[&str]) -> Vec<Vec<u8>> {
        match self.get(path) {
            None => Vec::new(),
            Some(Value::A(items)) => items
                .iter()
                .map(|x| match x {
                    Value::B(y) => y.clone(),
                    _ => panic!("not a byte string"),
                })
                .collect(),
            Some(_) => panic!("not an array"),
        }
    }
    /// The texts of the array at `path` (empty if absent).
    fn texts(&self, path: &[&str]) -> Vec<String> {
        match self.get(path) {
            None => Vec::new(),
            Some(Value::A(items)) => items
                .iter()
                .map(|x| match x {
                    Value::T(y) => y.clone(),
                    _ => panic!("not a text"),
                })
                .collect(),
            Some(_) => panic!("not an array"),
        }
    }
    /// The keys of the map at `path` (empty if absent).
    fn keys(&self, path: &[&str]) -> Vec<String> {
        match self.get(path) {
            None => Vec::new(),
            Some(Value::M(e)) => e.iter().map(|(k, _)| k.clone()).collect(),
            Some(_) => panic!("not a map"),
        }
    }
    fn state(&self, post: &Rec) -> Option<String> {
        match self.get(&["posts", &mt(post.id()), "state"]) {
            Some(Value::T(s)) => Some(s.clone()),
            None => None,
            _ => panic!("state"),
        }
    }
    /// Asserts a live post's history (and that its current version is the history's last).
    fn history(&self, post: &Rec, path: &[&Rec]) {
        assert_eq!(self.state(post).as_deref(), Some("live"));
        let want: Vec<Vec<u8>> = path.iter().map(|r| r.id().to_vec()).collect();
        assert_eq!(self.ids(&["posts", &mt(post.id()), "history"]), want);
        assert_eq!(
            self.get(&["posts", &mt(post.id()), "current"]),
            Some(&b(want.last().unwrap()))
        );
    }
    fn profile(&self, account: &str) -> Option<Vec<u8>> {
        match self.get(&["profiles", &at(&acct(account))]) {
            Some(Value::B(x)) => Some(x.clone()),
            None => None,
            _ => panic!("profile"),
        }
    }
    fn follows(&self, top: &str, account: &str) -> Vec<Vec<u8>> {
        self.ids(&[top, &at(&acct(account))])
    }
    fn labels(&self, s: &Subj, labeler: &str) -> Vec<String> {
        self.texts(&["labels", &s.text(), &at(&acct(labeler))])
    }
    fn reactions(&self, target: &[u8], value: &str) -> Vec<Vec<u8>> {
        self.ids(&["reactions", &mt(target), value])
    }
}

fn ids_of(recs: &[&Rec]) -> Vec<Vec<u8>> {
    sorted(&recs.iter().map(|r| r.id()).collect::<Vec<_>>())
}
fn accts(names: &[&str]) -> Vec<Vec<u8>> {
    let v: Vec<Vec<u8>> = names.iter().map(|n| acct(n)).collect();
    sorted(&v.iter().map(|x| x.as_slice()).collect::<Vec<_>>())
}

// ------------------------------------------------------------------------------------------------ vectors

fn empty(out: &mut Vec<J>) {
    let v = Vb::new(
        "empty",
        "No messages: all twelve keys are present, with empty maps and arrays.",
        &["MERGE-11"],
    );
    let s = v.finish(out);
    assert_eq!(s.keys(&[]).len(), 12);
}

fn profiles(out: &mut Vec<J>) {
    let mut v = Vb::new(
        "profile-latest",
        "alice's three profiles: the latest (an empty map, which clears everything) is current. bob's \
         profile signed by his second key at minute 1 loses to the one of minute 2, whatever the key.",
        &["MERGE-3", "MERGE-1", "MERGE-11"],
    );
    v.add("alice", "profile", 1, profile("Alice"));
    v.add(
        "alice",
        "profile",
        5,
        m(vec![
            ("name", t("Alice A.")),
            ("bio", t("Writes about birds.")),
        ]),
    );
    let a3 = v.add("alice", "profile", 9, m(vec![]));
    let b2 = v.add("bob", "profile", 2, profile("Bob"));
    v.add("bob2", "profile", 1, profile("Bob (old)"));
    v.reorder(&[2, 4, 0, 3, 1]);
    let s = v.finish(out);
    assert_eq!(s.profile("alice"), Some(a3.id().to_vec()));
    assert_eq!(s.profile("bob"), Some(b2.id().to_vec()));

    let mut v = Vb::new(
        "profile-time-tie",
        "Three profiles of alice at the same time (two by one key, one by another): the greatest id \
         wins. carol's earlier profile has the greater id and still loses: time first, then id.",
        &["MERGE-3", "MERGE-1"],
    );
    let p1 = v.add("alice", "profile", 10, profile("one"));
    let p2 = v.add("alice", "profile", 10, profile("two"));
    let p3 = v.add("alice2", "profile", 10, profile("three"));
    let c1 = v.add("carol", "profile", 20, profile("Carol"));
    let c1_id = c1.id().to_vec();
    let c0 = v.next_where("carol2", "profile", 19, profile("Carol (old)"), |x| {
        x > c1_id.as_slice()
    });
    v.hold(&c0);
    let s = v.finish(out);
    let best = [&p1, &p2, &p3].into_iter().map(|r| r.id()).max().unwrap();
    assert_eq!(s.profile("alice"), Some(best.to_vec()));
    assert_eq!(s.profile("carol"), Some(c1.id().to_vec()));

    let mut v = Vb::new(
        "profile-deleted",
        "A deleted profile never counts: alice's latest profile is deleted (held whole), so her \
         previous one is current; bob's latest is deleted and held as its stripped remainder; \
         carol's only profile is deleted, so she has none.",
        &["MERGE-3", "MERGE-2"],
    );
    let a1 = v.add("alice", "profile", 1, profile("Alice"));
    let a2 = v.add("alice", "profile", 2, profile("Alice 2"));
    v.add("alice", "delete", 3, target(a2.id()));
    let b1 = v.add("bob", "profile", 1, profile("Bob"));
    let b2 = v.add_stripped("bob", "profile", 2, profile("Bob 2"));
    v.add("bob", "delete", 3, target(b2.id()));
    let c1 = v.add("carol", "profile", 1, profile("Carol"));
    v.add("carol", "delete", 2, target(c1.id()));
    let s = v.finish(out);
    assert_eq!(s.profile("alice"), Some(a1.id().to_vec()));
    assert_eq!(s.profile("bob"), Some(b1.id().to_vec()));
    assert_eq!(s.profile("carol"), None);
    assert_eq!(s.ids(&["tombstones"]), ids_of(&[&a2, &b2, &c1]));

    let mut v = Vb::new(
        "profile-withheld",
        "A stripped profile (not deleted) is never current: a profile is a control kind, so its \
         remainder is undecided (05 MSG-7) and the node holds it outside the set (`known`). alice's \
         later profile is stripped, so the earlier one is current; bob's only profile is stripped \
         (no entry); carol's earlier one is stripped and her later one current.",
        &["MERGE-3"],
    );
    let a1 = v.add("alice", "profile", 1, profile("Alice"));
    v.add_stripped("alice", "profile", 2, profile("Alice 2"));
    v.add_stripped("bob", "profile", 1, profile("Bob"));
    v.add_stripped("carol", "profile", 1, profile("Carol"));
    let c2 = v.add("carol", "profile", 2, profile("Carol 2"));
    let s = v.finish(out);
    assert_eq!(s.profile("alice"), Some(a1.id().to_vec()));
    assert_eq!(s.profile("bob"), None);
    assert_eq!(s.profile("carol"), Some(c2.id().to_vec()));
}

fn posts(out: &mut Vec<J>) {
    let mut v = Vb::new(
        "post-states",
        "Post states: live (current and history = itself), withheld (stripped remainder), deleted \
         (held whole, or held stripped). bob's post is listed both whole and stripped: the node holds \
         it whole, so it is live.",
        &["MERGE-4", "MERGE-2", "MERGE-11"],
    );
    let live = v.add("alice", "post", 1, post("live"));
    let withheld = v.add_stripped("alice", "post", 2, post("withheld"));
    let del_whole = v.add("alice", "post", 3, post("deleted, held whole"));
    v.add("alice", "delete", 4, target(del_whole.id()));
    let del_stripped = v.add_stripped("alice", "post", 5, post("deleted, held stripped"));
    v.add("alice", "delete", 6, target(del_stripped.id()));
    let bob = v.add_stripped("bob", "post", 1, post("held in both forms"));
    v.hold(&bob);
    let s = v.finish(out);
    s.history(&live, &[&live]);
    s.history(&bob, &[&bob]);
    assert_eq!(s.state(&withheld).as_deref(), Some("withheld"));
    assert_eq!(s.state(&del_whole).as_deref(), Some("deleted"));
    assert_eq!(s.state(&del_stripped).as_deref(), Some("deleted"));
    assert_eq!(s.keys(&["posts", &mt(withheld.id())]), ["state"]);
    assert_eq!(s.keys(&["posts"]).len(), 5);

    let mut v = Vb::new(
        "edit-linear",
        "A linear edit chain P <- E1 <- E2 <- E3 <- E4 (E4 signed by a second key of the same \
         account, which holds cap:others): current E4, history in path order.",
        &["MERGE-4"],
    )
    .with_others();
    let p = v.add("alice", "post", 1, post("v0"));
    let e1 = v.add("alice", "edit", 2, edit(p.id(), p.id(), "v1"));
    let e2 = v.add("alice", "edit", 3, edit(p.id(), e1.id(), "v2"));
    let e3 = v.add("alice", "edit", 4, edit(p.id(), e2.id(), "v3"));
    let e4 = v.add("alice2", "edit", 5, edit(p.id(), e3.id(), "v4"));
    v.reorder(&[4, 2, 0, 3, 1]);
    let s = v.finish(out);
    s.history(&p, &[&p, &e1, &e2, &e3, &e4]);
    assert_eq!(s.keys(&["posts"]).len(), 1, "edits are not posts");

    let mut v = Vb::new(
        "edit-backdated",
        "Edits may carry the time of what they replace (never an earlier one: EDIT-2, EDIT-3, \
         msg.target_newer): E1, signed by alice's second key (with cap:others), is dated at P's time \
         and replaces it; E2 (first key, same time) replaces E1. Current E2.",
        &["MERGE-4", "MERGE-1"],
    )
    .with_others();
    let p = v.add("alice", "post", 10, post("v0"));
    let e1 = v.add(
        "alice2",
        "edit",
        10,
        edit(p.id(), p.id(), "v1, dated at v0's time"),
    );
    let e2 = v.add("alice", "edit", 10, edit(p.id(), e1.id(), "v2"));
    let s = v.finish(out);
    s.history(&p, &[&p, &e1, &e2]);

    let mut v = Vb::new(
        "edit-fork",
        "Forked edits: E1a and E1b both replace P, E1b later; E2a (the latest edit of all) replaces \
         E1a, E2b replaces E1b, E3b replaces E2b. The walk takes the latest edit at each step: P, \
         E1b, E2b, E3b; E2a is not on the path.",
        &["MERGE-4", "MERGE-1"],
    );
    let p = v.add("alice", "post", 1, post("v0"));
    let e1a = v.add("alice", "edit", 2, edit(p.id(), p.id(), "v1a"));
    let e1b = v.add("alice", "edit", 3, edit(p.id(), p.id(), "v1b"));
    let e2b = v.add("alice", "edit", 4, edit(p.id(), e1b.id(), "v2b"));
    let e3b = v.add("alice", "edit", 5, edit(p.id(), e2b.id(), "v3b"));
    v.add("alice", "edit", 10, edit(p.id(), e1a.id(), "v2a"));
    let s = v.finish(out);
    s.history(&p, &[&p, &e1b, &e2b, &e3b]);

    let mut v = Vb::new(
        "edit-fork-time-tie",
        "Two edits replace P at the same time (two keys of alice, both with cap:others): the greater \
         id wins the step. A later edit replacing the losing one is not on the path.",
        &["MERGE-4", "MERGE-1"],
    )
    .with_others();
    let p = v.add("alice", "post", 1, post("v0"));
    let x = v.add("alice", "edit", 2, edit(p.id(), p.id(), "v1 by key 1"));
    let y = v.add("alice2", "edit", 2, edit(p.id(), p.id(), "v1 by key 2"));
    let (win, lose) = if x.id() > y.id() { (&x, &y) } else { (&y, &x) };
    let lose_id = lose.id().to_vec();
    let key = if lose.key == x.key { "alice" } else { "alice2" };
    v.add(key, "edit", 3, edit(p.id(), &lose_id, "v2 after the loser"));
    let s = v.finish(out);
    s.history(&p, &[&p, win]);

    let mut v = Vb::new(
        "edit-deleted",
        "P <- E1 <- E2 <- E3 with E1 deleted: E2 and E3 dangle; E1b (same time as E1) also replaces \
         P and is current. Q <- F1 <- F2 with F2 deleted: F1 is current.",
        &["MERGE-4", "MERGE-2"],
    );
    let p = v.add("alice", "post", 1, post("P v0"));
    let e1 = v.add("alice", "edit", 2, edit(p.id(), p.id(), "P v1"));
    let e1b = v.add("alice", "edit", 2, edit(p.id(), p.id(), "P v1b"));
    let e2 = v.add("alice", "edit", 3, edit(p.id(), e1.id(), "P v2"));
    v.add("alice", "edit", 4, edit(p.id(), e2.id(), "P v3"));
    v.add("alice", "delete", 5, target(e1.id()));
    let q = v.add("alice", "post", 6, post("Q v0"));
    let f1 = v.add("alice", "edit", 7, edit(q.id(), q.id(), "Q v1"));
    let f2 = v.add("alice", "edit", 8, edit(q.id(), f1.id(), "Q v2"));
    v.add("alice", "delete", 9, target(f2.id()));
    let s = v.finish(out);
    s.history(&p, &[&p, &e1b]);
    s.history(&q, &[&q, &f1]);

    let mut v = Vb::new(
        "edit-other-post",
        "Edits that do not chain from their target are ignored: X targets P but replaces an edit of \
         Q; Z targets Q but replaces X. P stays at P; Q goes Q, EQ, Y (Z is later than Y but does not \
         count).",
        &["MERGE-4"],
    );
    let p = v.add("alice", "post", 1, post("P"));
    let q = v.add("alice", "post", 2, post("Q"));
    let eq = v.add("alice", "edit", 3, edit(q.id(), q.id(), "Q v1"));
    let x = v.add(
        "alice",
        "edit",
        4,
        edit(p.id(), eq.id(), "P v1 replacing an edit of Q"),
    );
    let y = v.add("alice", "edit", 5, edit(q.id(), eq.id(), "Q v2"));
    v.add(
        "alice",
        "edit",
        6,
        edit(q.id(), x.id(), "Q v3 replacing an edit of P"),
    );
    let s = v.finish(out);
    s.history(&p, &[&p]);
    s.history(&q, &[&q, &eq, &y]);

    let mut v = Vb::new(
        "edit-withheld",
        "A stripped edit cannot be read, so it does not count: E1 (stripped, the latest edit of P; \
         undecided under 05 MSG-7, held outside the set) and E2 replacing it are skipped; E0 is \
         current.",
        &["MERGE-4"],
    );
    let p = v.add("alice", "post", 1, post("v0"));
    let e0 = v.add("alice", "edit", 2, edit(p.id(), p.id(), "v1"));
    let e1 = v.add_stripped("alice", "edit", 3, edit(p.id(), p.id(), "v1, withheld"));
    v.add("alice", "edit", 4, edit(p.id(), e1.id(), "v2"));
    let s = v.finish(out);
    s.history(&p, &[&p, &e0]);

    let mut v = Vb::new(
        "edit-target-not-live",
        "Edits of a withheld post, of a deleted post and of a post the node does not hold (known to \
         validation only): no current version or history anywhere, and edits never appear in posts.",
        &["MERGE-4", "MERGE-2"],
    );
    let p1 = v.add_stripped("alice", "post", 1, post("withheld"));
    v.add(
        "alice",
        "edit",
        2,
        edit(p1.id(), p1.id(), "edit of a withheld post"),
    );
    let p2 = v.add("alice", "post", 3, post("deleted"));
    v.add(
        "alice",
        "edit",
        4,
        edit(p2.id(), p2.id(), "edit of a deleted post"),
    );
    v.add("alice", "delete", 5, target(p2.id()));
    let p3 = v.next("bob", "post", 1, post("not held"));
    v.know(&p3);
    v.add(
        "bob",
        "edit",
        2,
        edit(p3.id(), p3.id(), "edit of a post not held"),
    );
    let s = v.finish(out);
    assert_eq!(s.keys(&["posts", &mt(p1.id())]), ["state"]);
    assert_eq!(s.keys(&["posts", &mt(p2.id())]), ["state"]);
    assert_eq!(s.state(&p2).as_deref(), Some("deleted"));
    assert_eq!(s.keys(&["posts"]).len(), 2);
}

fn threads(out: &mut Vec<J>) {
    let mut v = Vb::new(
        "threads",
        "A thread under R: A1 (parent R), A2 and A3 (parent A1), A3 deleted (excluded), A4 withheld \
         (its reply cannot be read), A5 replying into a thread the node does not hold (root X, \
         parent Y). Quotes: Q1 of R, Q2 of R deleted, Q3 quotes A1 and replies to it, Q4 quotes X.",
        &["MERGE-5", "MERGE-2"],
    );
    let (x, y) = (absent("thread root x"), absent("thread parent y"));
    let r = v.add("alice", "post", 1, post("root"));
    let a1 = v.add("bob", "post", 2, reply("a1", r.id(), r.id()));
    let a2 = v.add("carol", "post", 3, reply("a2", r.id(), a1.id()));
    let a3 = v.add("alice", "post", 4, reply("a3", r.id(), a1.id()));
    v.add("alice", "delete", 5, target(a3.id()));
    let a4 = v.add_stripped("dave", "post", 6, reply("a4", r.id(), a2.id()));
    let a5 = v.add("erin", "post", 7, reply("a5", &x, &y));
    let q1 = v.add("bob", "post", 8, quote("q1", r.id()));
    let q2 = v.add("carol", "post", 9, quote("q2", r.id()));
    v.add("carol", "delete", 10, target(q2.id()));
    let q3 = v.add(
        "dave",
        "post",
        11,
        m(vec![
            ("text", t("q3")),
            ("quote", b(a1.id())),
            (
                "reply",
                m(vec![("root", b(r.id())), ("parent", b(a1.id()))]),
            ),
        ]),
    );
    let q4 = v.add("erin", "post", 12, quote("q4", &x));
    let s = v.finish(out);
    assert_eq!(s.ids(&["threads", &mt(r.id())]), ids_of(&[&a1, &a2, &q3]));
    assert_eq!(s.ids(&["threads", &mt(&x)]), ids_of(&[&a5]));
    assert_eq!(s.ids(&["replies", &mt(r.id())]), ids_of(&[&a1]));
    assert_eq!(s.ids(&["replies", &mt(a1.id())]), ids_of(&[&a2, &q3]));
    assert_eq!(s.ids(&["replies", &mt(&y)]), ids_of(&[&a5]));
    assert!(
        s.ids(&["replies", &mt(a2.id())]).is_empty(),
        "{}",
        hex(a4.id())
    );
    assert_eq!(s.ids(&["quotes", &mt(r.id())]), ids_of(&[&q1]));
    assert_eq!(s.ids(&["quotes", &mt(a1.id())]), ids_of(&[&q3]));
    assert_eq!(s.ids(&["quotes", &mt(&x)]), ids_of(&[&q4]));

    let mut v = Vb::new(
        "threads-deleted-members",
        "The root R is deleted: its live replies are still listed under it. Every reply to A1 is \
         deleted, so A1 has no entry in replies (and the deleted ones are not thread members); an \
         edited reply stays where it was.",
        &["MERGE-5", "MERGE-2", "MERGE-4"],
    );
    let r = v.add("alice", "post", 1, post("root"));
    let a1 = v.add("bob", "post", 2, reply("a1", r.id(), r.id()));
    let a2 = v.add("carol", "post", 3, reply("a2", r.id(), a1.id()));
    let a3 = v.add("carol", "post", 4, reply("a3", r.id(), a1.id()));
    v.add("carol", "delete", 5, target(a2.id()));
    v.add("carol", "delete", 6, target(a3.id()));
    v.add("alice", "delete", 7, target(r.id()));
    let e = v.add("bob", "edit", 8, edit(a1.id(), a1.id(), "a1, edited"));
    let s = v.finish(out);
    assert_eq!(s.state(&r).as_deref(), Some("deleted"));
    assert_eq!(s.ids(&["threads", &mt(r.id())]), ids_of(&[&a1]));
    assert_eq!(s.ids(&["replies", &mt(r.id())]), ids_of(&[&a1]));
    assert!(s.keys(&["replies"]).len() == 1);
    s.history(&a1, &[&a1, &e]);
}

fn reactions(out: &mut Vec<J>) {
    let mut v = Vb::new(
        "reactions",
        "Reactions on alice's post T. Likes (value \"\") by bob (twice, and again by his second key: \
         counted once), carol (her second like is undone, her first still counts), frank (unreact deleted: counts again), hank (his unreact is held only \
         stripped: undecided under MSG-7, outside the set, it undoes nothing until its body arrives); not by erin (undone), gina (withheld), ivan (deleted). Emoji by bob, carol, \
         dave; judy's emoji is undone, so that value has no entry. bob also likes X, not held.",
        &["MERGE-6", "MERGE-2"],
    );
    let x = absent("reaction target x");
    let tp = v.add("alice", "post", 1, post("T"));
    let tid = tp.id().to_vec();
    v.add("bob", "react", 2, target(&tid));
    v.add("bob", "react", 3, target(&tid));
    v.add("bob2", "react", 3, target(&tid));
    v.add("bob", "react", 4, react(&tid, "\u{1F44D}"));
    v.add("carol", "react", 2, target(&tid));
    v.add("carol", "react", 3, react(&tid, "\u{1F44D}"));
    let c3 = v.add("carol", "react", 4, target(&tid));
    v.add("carol", "unreact", 5, target(c3.id()));
    v.add("dave", "react", 2, react(&tid, "\u{2764}\u{FE0F}"));
    let e1 = v.add("erin", "react", 2, target(&tid));
    v.add("erin", "unreact", 3, target(e1.id()));
    let f1 = v.add("frank", "react", 2, target(&tid));
    let f2 = v.add("frank", "unreact", 3, target(f1.id()));
    v.add("frank", "delete", 4, target(f2.id()));
    v.add_stripped("gina", "react", 2, target(&tid));
    let h1 = v.add("hank", "react", 2, target(&tid));
    v.add_stripped("hank", "unreact", 3, target(h1.id()));
    let i1 = v.add("ivan", "react", 2, target(&tid));
    v.add("ivan", "delete", 3, target(i1.id()));
    let j1 = v.add("judy", "react", 2, react(&tid, "\u{1F600}"));
    v.add("judy", "unreact", 3, target(j1.id()));
    v.add("bob", "react", 5, target(&x));
    let s = v.finish(out);
    assert_eq!(
        s.reactions(&tid, ""),
        accts(&["bob", "carol", "frank", "hank"])
    );
    assert_eq!(s.reactions(&tid, "\u{1F44D}"), accts(&["bob", "carol"]));
    assert_eq!(s.reactions(&tid, "\u{2764}\u{FE0F}"), accts(&["dave"]));
    assert_eq!(s.keys(&["reactions", &mt(&tid)]).len(), 3);
    assert_eq!(s.reactions(&x, ""), accts(&["bob"]));

    let mut v = Vb::new(
        "deleted-target-references",
        "References to a deleted post T are kept, as references to a message not held are: bob's \
         like, carol's repost, dave's quote and reply, and a label on T still count; T itself is \
         \"deleted\" and in tombstones.",
        &["MERGE-2", "MERGE-5", "MERGE-6", "MERGE-7", "MERGE-9"],
    );
    let tp = v.add("alice", "post", 1, post("T"));
    v.add("bob", "react", 2, target(tp.id()));
    v.add("carol", "repost", 2, target(tp.id()));
    let q = v.add(
        "dave",
        "post",
        2,
        m(vec![
            ("text", t("q")),
            ("quote", b(tp.id())),
            (
                "reply",
                m(vec![("root", b(tp.id())), ("parent", b(tp.id()))]),
            ),
        ]),
    );
    v.add(
        "lab",
        "label",
        2,
        label(&Subj::Msg(tp.id().to_vec()), "spam"),
    );
    v.add("alice", "delete", 3, target(tp.id()));
    let s = v.finish(out);
    assert_eq!(s.state(&tp).as_deref(), Some("deleted"));
    assert_eq!(s.reactions(tp.id(), ""), accts(&["bob"]));
    assert_eq!(s.ids(&["reposts", &mt(tp.id())]), accts(&["carol"]));
    assert_eq!(s.ids(&["quotes", &mt(tp.id())]), ids_of(&[&q]));
    assert_eq!(s.ids(&["threads", &mt(tp.id())]), ids_of(&[&q]));
    assert_eq!(s.labels(&Subj::Msg(tp.id().to_vec()), "lab"), ["spam"]);

    let mut v = Vb::new(
        "reactions-all-undone",
        "Every reaction on T is undone or deleted: T has no entry in reactions.",
        &["MERGE-6", "MERGE-2"],
    );
    let tp = v.add("alice", "post", 1, post("T"));
    let r1 = v.add("bob", "react", 2, target(tp.id()));
    v.add("bob", "unreact", 3, target(r1.id()));
    let r2 = v.add("carol", "react", 2, react(tp.id(), "\u{1F44D}"));
    v.add("carol", "delete", 3, target(r2.id()));
    let s = v.finish(out);
    assert!(s.keys(&["reactions"]).is_empty());
}

fn reposts(out: &mut Vec<J>) {
    let mut v = Vb::new(
        "reposts",
        "Reposts of T: bob, carol (twice: counted once), erin (unrepost deleted: counts again), hank \
         (his unrepost held only stripped: undecided, MSG-7, undoes nothing yet); not dave (undone), frank (withheld), gina (deleted). \
         bob also reposts X, not held.",
        &["MERGE-7", "MERGE-2"],
    );
    let x = absent("repost target x");
    let tp = v.add("alice", "post", 1, post("T"));
    let tid = tp.id().to_vec();
    v.add("bob", "repost", 2, target(&tid));
    v.add("carol", "repost", 2, target(&tid));
    v.add("carol", "repost", 3, target(&tid));
    let d1 = v.add("dave", "repost", 2, target(&tid));
    v.add("dave", "unrepost", 3, target(d1.id()));
    let e1 = v.add("erin", "repost", 2, target(&tid));
    let e2 = v.add("erin", "unrepost", 3, target(e1.id()));
    v.add("erin", "delete", 4, target(e2.id()));
    v.add_stripped("frank", "repost", 2, target(&tid));
    let g1 = v.add("gina", "repost", 2, target(&tid));
    v.add("gina", "delete", 3, target(g1.id()));
    let h1 = v.add("hank", "repost", 2, target(&tid));
    v.add_stripped("hank", "unrepost", 3, target(h1.id()));
    v.add("bob", "repost", 4, target(&x));
    let s = v.finish(out);
    assert_eq!(
        s.ids(&["reposts", &mt(&tid)]),
        accts(&["bob", "carol", "erin", "hank"])
    );
    assert_eq!(s.ids(&["reposts", &mt(&x)]), accts(&["bob"]));
}

fn graphs(out: &mut Vec<J>) {
    let mut v = Vb::new(
        "follow-lww",
        "The latest of alice's follow/unfollow messages per subject decides: bob (follow, unfollow, \
         follow: follows), carol (follow, then a later unfollow; her second key's follow is earlier \
         than that unfollow: not), dave (only an unfollow: not), erin (her second key unfollows \
         before the follow: follows). bob follows alice.",
        &["MERGE-8", "MERGE-1"],
    );
    let (bob, carol, dave, erin) = (acct("bob"), acct("carol"), acct("dave"), acct("erin"));
    v.add("alice", "follow", 1, subject(&bob));
    v.add("alice", "follow", 1, subject(&carol));
    v.add("alice", "unfollow", 2, subject(&bob));
    v.add("alice", "unfollow", 2, subject(&dave));
    v.add("alice", "follow", 3, subject(&bob));
    v.add("alice", "unfollow", 4, subject(&carol));
    v.add("alice", "follow", 5, subject(&erin));
    v.add("alice2", "follow", 3, subject(&carol));
    v.add("alice2", "unfollow", 4, subject(&erin));
    v.add("bob", "follow", 1, subject(&acct("alice")));
    let s = v.finish(out);
    assert_eq!(s.follows("follows", "alice"), accts(&["bob", "erin"]));
    assert_eq!(s.follows("follows", "bob"), accts(&["alice"]));
    assert_eq!(s.keys(&["follows"]).len(), 2);

    let mut v = Vb::new(
        "follow-equal-time",
        "Follow and unfollow at the same time decide by id: for bob the unfollow has the greater id \
         (not followed), for carol the follow has (followed); for dave both are by one key, seq n and \
         n + 1 at one time, and the greater id decides as well.",
        &["MERGE-8", "MERGE-1"],
    );
    let (bob, carol, dave) = (acct("bob"), acct("carol"), acct("dave"));
    let f = v.add("alice", "follow", 10, subject(&bob));
    let fid = f.id().to_vec();
    let u = v.next_where("alice2", "unfollow", 10, subject(&bob), |x| {
        x > fid.as_slice()
    });
    v.hold(&u);
    let f = v.add("alice", "follow", 11, subject(&carol));
    let fid = f.id().to_vec();
    let u = v.next_where("alice2", "unfollow", 11, subject(&carol), |x| {
        x < fid.as_slice()
    });
    v.hold(&u);
    let f = v.add("alice", "follow", 12, subject(&dave));
    let u = v.add("alice", "unfollow", 12, subject(&dave));
    let dave_followed = f.id() > u.id();
    let s = v.finish(out);
    let mut want = vec!["carol"];
    if dave_followed {
        want.push("dave");
    }
    assert_eq!(s.follows("follows", "alice"), accts(&want));

    let mut v = Vb::new(
        "follow-deleted",
        "Deleted and withheld graph messages do not count: alice's unfollow of bob is deleted \
         (follows again); her follow of carol is deleted (not); her unfollow of dave is held only \
         stripped (undecided, MSG-7: still follows); her follow of erin too (not); her re-follow of frank is deleted, so \
         the unfollow before it decides (not).",
        &["MERGE-8", "MERGE-2"],
    );
    let (bob, carol, dave, erin, frank) = (
        acct("bob"),
        acct("carol"),
        acct("dave"),
        acct("erin"),
        acct("frank"),
    );
    v.add("alice", "follow", 1, subject(&bob));
    let u = v.add("alice", "unfollow", 2, subject(&bob));
    v.add("alice", "delete", 3, target(u.id()));
    let f = v.add("alice", "follow", 4, subject(&carol));
    v.add("alice", "delete", 5, target(f.id()));
    v.add("alice", "follow", 6, subject(&dave));
    v.add_stripped("alice", "unfollow", 7, subject(&dave));
    v.add_stripped("alice", "follow", 8, subject(&erin));
    v.add("alice", "follow", 9, subject(&frank));
    v.add("alice", "unfollow", 10, subject(&frank));
    let f = v.add("alice", "follow", 11, subject(&frank));
    v.add("alice", "delete", 12, target(f.id()));
    let s = v.finish(out);
    assert_eq!(s.follows("follows", "alice"), accts(&["bob", "dave"]));

    let mut v = Vb::new(
        "blocks",
        "Blocks follow the same rule, independently of follows: bob blocked then unblocked (not); \
         carol's unblock deleted (blocked); dave blocked and followed (in both graphs); erin blocked \
         and unblocked at the same time by two keys (the greater id decides); frank blocked, then \
         unfollowed (still blocked: an unfollow is not an unblock).",
        &["MERGE-8", "MERGE-2", "MERGE-1"],
    );
    let (bob, carol, dave, erin, frank) = (
        acct("bob"),
        acct("carol"),
        acct("dave"),
        acct("erin"),
        acct("frank"),
    );
    v.add("alice", "block", 1, subject(&bob));
    v.add("alice", "unblock", 2, subject(&bob));
    v.add("alice", "block", 3, subject(&carol));
    let u = v.add("alice", "unblock", 4, subject(&carol));
    v.add("alice", "delete", 5, target(u.id()));
    v.add("alice", "block", 6, subject(&dave));
    v.add("alice", "follow", 7, subject(&dave));
    let bl = v.add("alice", "block", 8, subject(&erin));
    let ub = v.add("alice2", "unblock", 8, subject(&erin));
    v.add("alice", "block", 9, subject(&frank));
    v.add("alice", "unfollow", 10, subject(&frank));
    let s = v.finish(out);
    let mut want = vec!["carol", "dave", "frank"];
    if bl.id() > ub.id() {
        want.push("erin");
    }
    assert_eq!(s.follows("blocks", "alice"), accts(&want));
    assert_eq!(s.follows("follows", "alice"), accts(&["dave"]));
}

fn labels(out: &mut Vec<J>) {
    let mut v = Vb::new(
        "label-expiry",
        "Labels with expires: at now (\"spam\": does not apply), now - 1 (\"hate\": does not), now + 1 \
         (\"misleading\": applies), none (\"impersonation\": applies); on a message, \"!warn\" until \
         now + 1 applies. Values are listed shorter first.",
        &["MERGE-9"],
    );
    let bob = Subj::Acct(acct("bob"));
    let msg = Subj::Msg(absent("labelled message"));
    let now = v.now;
    v.add("lab", "label", 1, label_until(&bob, "spam", now));
    v.add("lab", "label", 2, label_until(&bob, "hate", now - 1));
    v.add("lab", "label", 3, label_until(&bob, "misleading", now + 1));
    v.add("lab", "label", 4, label(&bob, "impersonation"));
    v.add("lab", "label", 5, label_until(&msg, "!warn", now + 1));
    let s = v.finish(out);
    assert_eq!(s.labels(&bob, "lab"), ["misleading", "impersonation"]);
    assert_eq!(s.labels(&msg, "lab"), ["!warn"]);

    let mut v = Vb::new(
        "label-expiry-later-now",
        "The same labels read one millisecond later (now + 1): \"misleading\" (expires at the new \
         now) no longer applies.",
        &["MERGE-9"],
    );
    v.now = NOW + 1;
    let bob = Subj::Acct(acct("bob"));
    v.add("lab", "label", 1, label_until(&bob, "spam", NOW));
    v.add("lab", "label", 3, label_until(&bob, "misleading", NOW + 1));
    v.add("lab", "label", 4, label(&bob, "impersonation"));
    let s = v.finish(out);
    assert_eq!(s.labels(&bob, "lab"), ["impersonation"]);

    let mut v = Vb::new(
        "label-negation",
        "The latest label message per (labeler, subject, value) decides: spam then its negation \
         (not); hate's negation then hate (applies); harassment negated, negation deleted (applies); \
         misleading without expiry, then again with an expired one (the latest decides: not); gore \
         expired, then without expiry (applies); porn and its negation at the same time by two keys \
         (greater id); nudity deleted (not); sexual held only stripped (undecided, MSG-7: not); a lone negation of spoiler (not); \
         a custom value (applies).",
        &["MERGE-9", "MERGE-1", "MERGE-2"],
    );
    let bob = Subj::Acct(acct("bob"));
    let now = v.now;
    v.add("lab", "label", 1, label(&bob, "spam"));
    v.add("lab", "label", 2, negation(&bob, "spam"));
    v.add("lab", "label", 3, negation(&bob, "hate"));
    v.add("lab", "label", 4, label(&bob, "hate"));
    v.add("lab", "label", 5, label(&bob, "harassment"));
    let n = v.add("lab", "label", 6, negation(&bob, "harassment"));
    v.add("lab", "delete", 7, target(n.id()));
    v.add("lab", "label", 8, label(&bob, "misleading"));
    v.add("lab", "label", 9, label_until(&bob, "misleading", now - 1));
    v.add("lab", "label", 10, label_until(&bob, "gore", now - 1));
    v.add("lab", "label", 11, label(&bob, "gore"));
    let pl = v.add("lab", "label", 12, label(&bob, "porn"));
    let pn = v.add("lab2", "label", 12, negation(&bob, "porn"));
    let nu = v.add("lab", "label", 13, label(&bob, "nudity"));
    v.add("lab", "delete", 14, target(nu.id()));
    v.add_stripped("lab", "label", 15, label(&bob, "sexual"));
    v.add("lab", "label", 16, negation(&bob, "spoiler"));
    v.add(
        "lab",
        "label",
        17,
        label(&bob, "com.example.flashing-lights"),
    );
    let s = v.finish(out);
    let mut want = vec!["gore", "hate", "harassment", "com.example.flashing-lights"];
    if pl.id() > pn.id() {
        want.insert(2, "porn");
    }
    assert_eq!(s.labels(&bob, "lab"), want);

    let mut v = Vb::new(
        "label-subjects-labelers",
        "Two labelers and several subjects: lab and watch both label bob \"spam\" (each listed); lab negates its \
         \"spam\" on message M, watch does not; lab labels an account whose 32 bytes equal M's id \
         (another subject: acct_ vs msg_) and itself; watch labels a message the node does not hold.",
        &["MERGE-9"],
    );
    let bob = Subj::Acct(acct("bob"));
    let mp = v.add("alice", "post", 1, post("M"));
    let msg = Subj::Msg(mp.id().to_vec());
    let same_bytes = Subj::Acct(mp.id().to_vec());
    let own = Subj::Acct(acct("lab"));
    let other = Subj::Msg(absent("message not held"));
    v.add("lab", "label", 2, label(&bob, "spam"));
    v.add("watch", "label", 2, label(&bob, "spam"));
    v.add("watch", "label", 3, label(&bob, "!hide"));
    v.add("lab", "label", 3, label(&msg, "spam"));
    v.add("watch", "label", 3, label(&msg, "spam"));
    v.add("lab", "label", 4, negation(&msg, "spam"));
    v.add("lab", "label", 5, label(&same_bytes, "spam"));
    v.add("lab", "label", 6, label(&own, "com.example.labeler"));
    v.add("watch", "label", 7, label(&other, "graphic-media"));
    let s = v.finish(out);
    assert_eq!(s.labels(&bob, "lab"), ["spam"]);
    assert_eq!(s.labels(&bob, "watch"), ["spam", "!hide"]);
    assert!(s.labels(&msg, "lab").is_empty());
    assert_eq!(s.labels(&msg, "watch"), ["spam"]);
    assert_eq!(s.labels(&same_bytes, "lab"), ["spam"]);
    assert_eq!(s.labels(&own, "lab"), ["com.example.labeler"]);
    assert_eq!(s.labels(&other, "watch"), ["graphic-media"]);
    assert_eq!(s.keys(&["labels"]).len(), 5);

    let mut v = Vb::new(
        "label-all-negated",
        "Every label on bob is negated or expired: no entry for the subject in labels.",
        &["MERGE-9"],
    );
    let bob = Subj::Acct(acct("bob"));
    let now = v.now;
    v.add("lab", "label", 1, label(&bob, "spam"));
    v.add("lab", "label", 2, negation(&bob, "spam"));
    v.add("lab", "label", 3, label_until(&bob, "hate", now));
    let s = v.finish(out);
    assert!(s.keys(&["labels"]).is_empty());
}

/// MERGE-9 item 4: the labels a reader applies to a live post — on the post, on its current
/// version, on its author — computed from the summary alone.
fn applied(s: &Summary, post: &Rec, labelers: &[&str]) -> Vec<(String, String)> {
    let current = match s.get(&["posts", &mt(post.id()), "current"]) {
        Some(Value::B(c)) => c.clone(),
        _ => return Vec::new(),
    };
    let mut out = Vec::new();
    for l in labelers {
        let mut values: Vec<String> = [
            Subj::Msg(post.id().to_vec()),
            Subj::Msg(current.clone()),
            Subj::Acct(post.acct.clone()),
        ]
        .iter()
        .flat_map(|subject| s.labels(subject, l))
        .collect();
        values.sort();
        values.dedup();
        out.extend(values.into_iter().map(|v| (l.to_string(), v)));
    }
    out
}

fn label_reaches_posts(out: &mut Vec<J>) {
    let mut v = Vb::new(
        "label-account-reaches-posts",
        "A label on an account reaches that account's posts (MERGE-9 item 4): lab labels bob's \
         account \"spam\", his edited post's current version \"misleading\" and that post itself \
         \"spam\" again (applied once); moderator labels bob's first post \"gore\", labels bob \"hate\" \
         until now (expired: not applied) and labels carol \"!warn\", then negates it. `applied` \
         lists, per post and for the labelers lab and moderator, the labels a reader applies: bob's first \
         post spam (lab) and gore (moderator); his second misleading and spam (lab); carol's none; bob's \
         deleted post none.",
        &["MERGE-9", "MERGE-4", "MERGE-2"],
    );
    let (bob, carol) = (acct("bob"), acct("carol"));
    let now = v.now;
    let p1 = v.add("bob", "post", 1, post("one"));
    let p2 = v.add("bob", "post", 2, post("two"));
    let e2 = v.add("bob", "edit", 3, edit(p2.id(), p2.id(), "two, edited"));
    let gone = v.add("bob", "post", 4, post("gone"));
    v.add("bob", "delete", 5, target(gone.id()));
    let p3 = v.add("carol", "post", 1, post("carol's"));
    v.add("lab", "label", 6, label(&Subj::Acct(bob.clone()), "spam"));
    v.add(
        "lab",
        "label",
        7,
        label(&Subj::Msg(e2.id().to_vec()), "misleading"),
    );
    v.add(
        "lab",
        "label",
        8,
        label(&Subj::Msg(p2.id().to_vec()), "spam"),
    );
    v.add(
        "moderator",
        "label",
        9,
        label(&Subj::Msg(p1.id().to_vec()), "gore"),
    );
    v.add(
        "moderator",
        "label",
        10,
        label_until(&Subj::Acct(bob.clone()), "hate", now),
    );
    v.add(
        "moderator",
        "label",
        11,
        label(&Subj::Acct(carol.clone()), "!warn"),
    );
    v.add(
        "moderator",
        "label",
        12,
        negation(&Subj::Acct(carol), "!warn"),
    );
    let s = v.finish(out);
    let labelers = ["lab", "moderator"];
    let pair = |l: &str, x: &str| (l.to_string(), x.to_string());
    assert_eq!(
        applied(&s, &p1, &labelers),
        [pair("lab", "spam"), pair("moderator", "gore")]
    );
    assert_eq!(
        applied(&s, &p2, &labelers),
        [pair("lab", "misleading"), pair("lab", "spam")]
    );
    assert!(applied(&s, &p3, &labelers).is_empty());
    assert!(applied(&s, &gone, &labelers).is_empty());
    let entries = [&p1, &p2, &p3, &gone]
        .iter()
        .map(|p| {
            J::O(vec![
                ("post".to_string(), J::S(hex(p.id()))),
                (
                    "labelers".to_string(),
                    J::A(labelers.iter().map(|l| J::S(hex(&acct(l)))).collect()),
                ),
                (
                    "labels".to_string(),
                    J::A(
                        applied(&s, p, &labelers)
                            .into_iter()
                            .map(|(l, x)| J::A(vec![J::S(hex(&acct(&l))), J::S(x)]))
                            .collect(),
                    ),
                ),
            ])
        })
        .collect();
    if let Some(J::O(members)) = out.last_mut() {
        members.push(("applied".to_string(), J::A(entries)));
    }
}

/// REPORT-3: a public report is invalid, so it is in no node's state (in every order of arrival).
fn public_report_absent(out: &mut Vec<J>) {
    let mut v = Vb::new(
        "threat-public-report-absent",
        "A public report would show every node, the reported account included, who reported whom \
         and for what (05 §9). alice (a real account whose app key's scope is [\"*\"]) signs a \
         message of kind `report` about bob's post, to a moderation service: it is invalid \
         (REPORT-3, msg.public_report) whatever its body, so the state holds bob's post and \
         nothing of the report, in every order of arrival. Reports travel sealed (08 §14).",
        &["REPORT-3", "MERGE-11"],
    );
    v.real_account("alice", &[("alice", &["*"])]);
    v.real_account("bob", &[("bob", &["*"])]);
    let p = v.add("bob", "post", 1, post("M"));
    let about = Subj::Msg(p.id().to_vec());
    let r = v.add(
        "alice",
        "report",
        2,
        report(&acct("service"), "harassment", &about),
    );
    v.refuse(&r, "msg.public_report");
    let s = v.finish(out);
    s.history(&p, &[&p]);
    assert!(s.keys(&["labels"]).is_empty());
}

fn tombstones(out: &mut Vec<J>) {
    let mut v = Vb::new(
        "tombstones",
        "Tombstones are every target of a delete, held or not: alice deletes a post, a follow and a \
         react the node does not hold (`known` only), and a post it holds; a delete held only \
         stripped (of a post that stays live) is undecided (MSG-7) and outside the set until its body arrives.",
        &["MERGE-2", "MERGE-11"],
    );
    let p1 = v.next("alice", "post", 1, post("not held"));
    let f = v.next("alice", "follow", 2, subject(&acct("bob")));
    let r = v.next("alice", "react", 3, target(&absent("something")));
    v.know(&p1);
    v.know(&f);
    v.know(&r);
    let p2 = v.add("alice", "post", 4, post("held, deleted"));
    let p3 = v.add("alice", "post", 5, post("stays live"));
    v.add("alice", "delete", 6, target(p1.id()));
    v.add("alice", "delete", 7, target(f.id()));
    v.add("alice", "delete", 8, target(r.id()));
    v.add("alice", "delete", 9, target(p2.id()));
    v.add_stripped("alice", "delete", 10, target(p3.id()));
    let s = v.finish(out);
    assert_eq!(s.ids(&["tombstones"]), ids_of(&[&p1, &f, &r, &p2]));
    assert_eq!(s.state(&p2).as_deref(), Some("deleted"));
    s.history(&p3, &[&p3]);
    assert_eq!(s.state(&p1), None);
    assert!(s.keys(&["follows"]).is_empty());

    let mut v = Vb::new(
        "withheld-no-effect",
        "Stripped (not deleted) messages of every social kind but post have no effect: the withheld \
         react and repost are in the set and count for nothing; the remainders of the control \
         kinds (profile, edit, delete, unreact, unrepost, follow, unfollow, block, unblock, label) are \
         undecided (05 MSG-7) and held outside the set. Only the posts appear (the withheld one as \
         \"withheld\").",
        &["MERGE-11", "MERGE-3", "MERGE-4", "MERGE-6", "MERGE-7", "MERGE-8", "MERGE-9"],
    );
    let bob = acct("bob");
    let p = v.add("alice", "post", 1, post("P"));
    let w = v.add_stripped("alice", "post", 2, post("W"));
    v.add_stripped("alice", "profile", 3, profile("Alice"));
    v.add_stripped("alice", "edit", 4, edit(p.id(), p.id(), "P v1"));
    let r = v.add("alice", "react", 5, target(p.id()));
    v.add_stripped("alice", "unreact", 6, target(r.id()));
    v.add_stripped("alice", "react", 7, react(p.id(), "\u{1F44D}"));
    let rp = v.add_stripped("alice", "repost", 8, target(p.id()));
    v.add_stripped("alice", "unrepost", 9, target(rp.id()));
    v.add_stripped("alice", "follow", 10, subject(&bob));
    v.add_stripped("alice", "unfollow", 11, subject(&bob));
    v.add_stripped("alice", "block", 12, subject(&bob));
    v.add_stripped("alice", "unblock", 13, subject(&bob));
    v.add_stripped(
        "alice",
        "label",
        14,
        label(&Subj::Acct(bob.clone()), "spam"),
    );
    v.add_stripped("alice", "delete", 16, target(p.id()));
    let s = v.finish(out);
    s.history(&p, &[&p]);
    assert_eq!(s.state(&w).as_deref(), Some("withheld"));
    assert_eq!(s.reactions(p.id(), ""), accts(&["alice"]));
    for k in [
        "threads", "replies", "quotes", "profiles", "reposts", "follows", "blocks", "labels",
    ] {
        assert!(s.keys(&[k]).is_empty(), "{k}");
    }
    assert!(s.ids(&["tombstones"]).is_empty());
}

/// Version pins (MERGE-4 `earlier`): a post gathers reactions, a repost and a quote that name the
/// version they saw, then its author edits it into something else.
fn version_pins(out: &mut Vec<J>) {
    let pinned = |id: &[u8], version: &[u8]| m(vec![("target", b(id)), ("version", b(version))]);
    let mut v = Vec::new();
    for (edited, name, description) in [
        (
            true,
            "threat-bait-and-switch-edit-after-reactions",
            "Bait and switch: alice's post gathers a like, a reaction, a repost and a quote that name \
             the post as the version they saw (and one like that names no version, and one that is \
             undone); alice then edits the post. The post's entry lists the four pinned interactions \
             under `earlier` (sorted by id): they predate the current version. A like pinned to the \
             edit, the unpinned like and the undone one are not listed.",
        ),
        (
            false,
            "version-pins-current",
            "The same interactions without the edit: every pin names the current version, and the \
             entry has no `earlier`.",
        ),
    ] {
        let mut x = Vb::new(name, description, &["MERGE-4", "MERGE-6", "MERGE-7", "MERGE-5"]);
        let p = x.add("alice", "post", 1, post("a fine offer"));
        let like = x.add("bob", "react", 2, pinned(p.id(), p.id()));
        let mut fire = pinned(p.id(), p.id());
        fire = set(&fire, "emoji", t("\u{1F525}"));
        let fire = x.add("carol", "react", 3, fire);
        let repost = x.add("dave", "repost", 4, pinned(p.id(), p.id()));
        let quote = x.add(
            "erin",
            "post",
            5,
            m(vec![
                ("text", t("see this")),
                ("quote", b(p.id())),
                ("quote_version", b(p.id())),
            ]),
        );
        x.add("frank", "react", 6, target(p.id()));
        let undone = x.add("hank", "react", 7, pinned(p.id(), p.id()));
        x.add("hank", "unreact", 8, target(undone.id()));
        let mut listed: Vec<&Rec> = vec![&like, &fire, &repost, &quote];
        let e = edited.then(|| x.add("alice", "edit", 10, edit(p.id(), p.id(), "a scam")));
        if let Some(e) = &e {
            x.add("gina", "react", 11, pinned(p.id(), e.id()));
        } else {
            listed.clear();
        }
        let s = x.finish(&mut v);
        let history: Vec<&Rec> = [Some(&p), e.as_ref()].into_iter().flatten().collect();
        s.history(&p, &history);
        assert_eq!(s.ids(&["posts", &mt(p.id()), "earlier"]), ids_of(&listed));
        assert_eq!(s.ids(&["quotes", &mt(p.id())]), ids_of(&[&quote]));
    }
    out.extend(v);
}

/// A thief's deletes, undone by a later revocation (MERGE-2 item 4, MERGE-12): alice's phone
/// (`alice`, scope `["*"]`) posts P1 and P2; an app she tried (`alice2`, scope
/// `["*", "cap:others"]`) posts h1, and then — stolen — deletes P1, P2 and h1. What the owner's
/// revocation of `alice2` (none, with a cutoff, without one) leaves, whatever arrives first.
fn thief_deletes(out: &mut Vec<J>) {
    // (id, description, revocation of alice2: None = none; Some(0) = without a cutoff; Some(1) =
    // cutoff h1; Some(2) = cutoff the delete of P1).
    let cases: &[(&str, &str, Option<usize>)] = &[
        (
            "threat-thief-deletes-not-revoked",
            "Not revoked (yet): the thief's three deletes are valid and P1, P2 and h1 are deleted.",
            None,
        ),
        (
            "threat-thief-deletes-revoked-cutoff",
            "The owner revokes alice2 with cutoff h1 (its last honest message): the three deletes \
             are auth.revoked and leave the set, and P1, P2 and h1 are live again: the node kept \
             their bodies (MERGE-12). The revocation may arrive before or after the deletes.",
            Some(1),
        ),
        (
            "threat-thief-deletes-revoked-all",
            "The owner revokes alice2 without a cutoff: h1 and the three deletes are auth.revoked \
             (h1 leaves the set); P1 and P2 are live again.",
            Some(0),
        ),
        (
            "threat-thief-deletes-revoked-after-first",
            "The owner keeps the first delete (cutoff = the delete of P1): P1 stays deleted, the \
             deletes of P2 and h1 are auth.revoked, and P2 and h1 are live again.",
            Some(2),
        ),
    ];
    for &(id, description, revocation) in cases {
        let mut v = Vb::new(
            id,
            description,
            &["MERGE-2", "MERGE-12", "AUTH-6", "AUTH-7"],
        );
        v.others = true;
        v.real_account(
            "alice",
            &[("alice", &["*"]), ("alice2", &["*", "cap:others"])],
        );
        let p1 = v.add("alice", "post", 1, post("P1"));
        let p2 = v.add("alice", "post", 2, post("P2"));
        let h1 = v.add("alice2", "post", 3, post("h1 (honest)"));
        let d1 = v.add("alice2", "delete", 10, target(p1.id()));
        let d2 = v.add("alice2", "delete", 11, target(p2.id()));
        let d3 = v.add("alice2", "delete", 12, target(h1.id()));
        let (refused, deleted): (Vec<&Rec>, Vec<&Rec>) = match revocation {
            None => (vec![], vec![&p1, &p2, &h1]),
            Some(0) => (vec![&h1, &d1, &d2, &d3], vec![]),
            Some(1) => (vec![&d1, &d2, &d3], vec![]),
            _ => (vec![&d2, &d3], vec![&p1]),
        };
        match revocation {
            None => {}
            Some(0) => v.revoke("alice2", None, 20),
            Some(1) => v.revoke("alice2", Some(&h1), 20),
            _ => v.revoke("alice2", Some(&d1), 20),
        }
        for r in &refused {
            v.refuse(r, "auth.revoked");
        }
        // The thief's messages first, then alice's: the reverse order has the posts after their
        // deletes.
        v.reorder(&[3, 4, 5, 2, 0, 1]);
        let s = v.finish(out);
        assert_eq!(s.ids(&["tombstones"]), ids_of(&deleted), "{id}");
        let is = |x: &Rec, list: &[&Rec]| list.iter().any(|r| r.id() == x.id());
        for p in [&p1, &p2, &h1] {
            let want = if is(p, &refused) {
                None
            } else if is(p, &deleted) {
                Some("deleted")
            } else {
                Some("live")
            };
            assert_eq!(s.state(p).as_deref(), want, "{id}");
        }
    }
}

fn equivocations(out: &mut Vec<J>) {
    let mut v = Vb::new(
        "equivocation-two",
        "alice's key signs two posts at seq 2 (both following seq 1); the chain continues from the \
         first, and signs two profiles at seq 3. Both posts are kept and live; each place is recorded once, \
         sorted by seq.",
        &["MERGE-10", "MERGE-4"],
    );
    let p1 = v.add("alice", "post", 1, post("seq 1"));
    let x = v.add("alice", "post", 2, post("seq 2"));
    let y = v.fork("alice", 2, "post", 2, post("seq 2, again"));
    let z1 = v.add("alice", "profile", 3, profile("Alice"));
    let z2 = v.fork("alice", 3, "profile", 3, profile("Alice!"));
    let pk = v.pk("alice");
    let s = v.finish(out);
    s.history(&x, &[&x]);
    s.history(&y, &[&y]);
    s.history(&p1, &[&p1]);
    let entry = |seq: u64, m1: &Rec, m2: &Rec| {
        let (lo, hi) = if m1.id() < m2.id() {
            (m1, m2)
        } else {
            (m2, m1)
        };
        Value::A(vec![
            b(&pk),
            Value::U(seq),
            Value::A(vec![b(lo.id()), b(hi.id())]),
        ])
    };
    assert_eq!(
        s.get(&["equivocations"]),
        Some(&Value::A(vec![entry(2, &x, &y), entry(3, &z1, &z2)]))
    );

    let mut v = Vb::new(
        "equivocation-three",
        "alice's key signs three messages at seq 1 (two profiles, one post held stripped, the latest \
         of the three): LIMIT-1 keeps the earliest two, so the post is pruned (absent from the posts \
         view) and the entry for the place lists the two profiles' ids sorted bytewise; both profiles \
         count (the later is current). bob's key \
         signs a follow and an unfollow of carol at seq 1 and one time (the greater id decides). \
         dave's key signs a post at seq 1, and an extension-kind message and a stripped operation \
         (`delegate`) also at seq 1: those kinds are not read, so no pair. Entries are sorted by key.",
        &["MERGE-10", "MERGE-3", "MERGE-8", "MERGE-11", "LIMIT-1"],
    );
    v.add("alice", "profile", 1, profile("Alice 1"));
    let a2 = v.fork("alice", 1, "profile", 2, profile("Alice 2"));
    let a3 = v.make("alice", 1, "post", 3, post("withheld"));
    v.hold_stripped(&a3);
    let carol = acct("carol");
    let f = v.add("bob", "follow", 5, subject(&carol));
    let u = v.fork("bob", 1, "unfollow", 5, subject(&carol));
    v.add("dave", "post", 1, post("dave"));
    v.fork(
        "dave",
        1,
        "com.example.poll",
        1,
        m(vec![("question", t("Tea or coffee?"))]),
    );
    let op = v.make(
        "dave",
        1,
        "delegate",
        1,
        m(vec![
            ("app", b(&[7; 32])),
            ("scope", Value::A(vec![t("*")])),
        ]),
    );
    v.hold_stripped(&op);
    let (apk, bpk) = (v.pk("alice"), v.pk("bob"));
    let s = v.finish(out);
    assert_eq!(s.profile("alice"), Some(a2.id().to_vec()));
    let want_bob: Vec<&str> = if f.id() > u.id() {
        vec!["carol"]
    } else {
        vec![]
    };
    assert_eq!(s.follows("follows", "bob"), accts(&want_bob));
    let Some(Value::A(entries)) = s.get(&["equivocations"]) else {
        panic!()
    };
    // One entry per place: alice's two kept messages at seq 1 in one entry, bob's pair in another.
    assert_eq!(s.state(&a3), None);
    assert_eq!(entries.len(), 2);
    let sizes: Vec<(&Value, usize)> = entries
        .iter()
        .map(|e| match e {
            Value::A(x) => match &x[2] {
                Value::A(ids) => (&x[0], ids.len()),
                _ => panic!(),
            },
            _ => panic!(),
        })
        .collect();
    assert!(sizes.contains(&(&b(&apk), 2)));
    assert!(sizes.contains(&(&b(&bpk), 2)));

    let mut v = Vb::new(
        "equivocation-deleted",
        "One of two posts at seq 1 is deleted (by seq 2, which follows the other): the deleted post \
         is still in the set, so the pair is still recorded as evidence.",
        &["MERGE-10", "MERGE-2"],
    );
    let p = v.add("alice", "post", 1, post("kept"));
    let q = v.fork("alice", 1, "post", 1, post("deleted"));
    v.add("alice", "delete", 2, target(q.id()));
    let s = v.finish(out);
    assert_eq!(s.state(&q).as_deref(), Some("deleted"));
    s.history(&p, &[&p]);
    assert_eq!(s.get(&["equivocations"]).map(|_| ()), Some(()));
    let Some(Value::A(entries)) = s.get(&["equivocations"]) else {
        panic!()
    };
    assert_eq!(entries.len(), 1);
}

fn ignored_and_forms(out: &mut Vec<J>) {
    let mut v = Vb::new(
        "ignored-kinds",
        "Kinds the merge rules do not read change nothing: an extension kind (com.example.poll), an \
         un-dotted unknown kind (bookmark) and an operation (a stripped `roots` message) between \
         alice's posts.",
        &["MERGE-11"],
    );
    let p = v.add("alice", "post", 1, post("P"));
    v.add(
        "alice",
        "com.example.poll",
        2,
        m(vec![("question", t("Tea or coffee?"))]),
    );
    v.add("alice", "bookmark", 3, m(vec![("target", b(p.id()))]));
    v.add_stripped(
        "alice",
        "roots",
        4,
        m(vec![("roots", Value::A(vec![b(&[9; 32])]))]),
    );
    let q = v.add("alice", "post", 5, post("Q"));
    let s = v.finish(out);
    s.history(&p, &[&p]);
    s.history(&q, &[&q]);
    assert_eq!(s.keys(&["posts"]).len(), 2);

    let mut v = Vb::new(
        "whole-and-stripped",
        "Messages held in both forms count as whole: a post (stripped listed first); a profile, a \
         follow, an edit and a delete, whose remainders (control kinds, 05 MSG-7) are undecided and \
         known only, so the whole forms alone are in the set (the delete's target Q, held whole, is \
         deleted).",
        &["MERGE-11", "MERGE-3", "MERGE-4", "MERGE-8"],
    );
    let p = v.next("alice", "post", 1, post("P"));
    let pr = v.next("alice", "profile", 2, profile("Alice"));
    let f = v.next("alice", "follow", 3, subject(&acct("bob")));
    let e = v.next("alice", "edit", 4, edit(p.id(), p.id(), "P v1"));
    let q = v.next("alice", "post", 5, post("Q"));
    let d = v.next("alice", "delete", 6, target(q.id()));
    v.hold_stripped(&p);
    v.hold(&pr);
    v.hold(&f);
    v.hold_stripped(&e);
    v.hold_stripped(&d);
    v.hold(&q);
    v.hold(&p);
    v.hold_stripped(&pr);
    v.hold_stripped(&f);
    v.hold(&e);
    v.hold(&d);
    let s = v.finish(out);
    s.history(&p, &[&p, &e]);
    assert_eq!(s.state(&q).as_deref(), Some("deleted"));
    assert_eq!(s.ids(&["tombstones"]), ids_of(&[&q]));
    assert_eq!(s.profile("alice"), Some(pr.id().to_vec()));
    assert_eq!(s.follows("follows", "alice"), accts(&["bob"]));
    assert!(s.get(&["equivocations"]) == Some(&Value::A(vec![])));
}

/// About sixty messages of six accounts mixing every rule.
fn large(out: &mut Vec<J>) {
    let mut v = Vb::new(
        "large-mixed",
        "Sixty-odd messages of six accounts mixing every rule: profiles (one deleted, one withheld), \
         a thread with replies, quotes, a deleted reply and a withheld one, forked and deleted edits, \
         likes and emoji with undos (one undo deleted), reposts with an undo, follows and blocks with \
         equal times and deleted undos, labels by a labeler (negated, expiring, on accounts and \
         messages), a delete of a message not held, and an equivocation.",
        RULES,
    );
    let (alice, bob, carol, dave) = (acct("alice"), acct("bob"), acct("carol"), acct("dave"));
    let now = v.now;
    // Profiles (the later ones come at the end).
    v.add("alice", "profile", 1, profile("Alice"));
    let bp1 = v.add("bob", "profile", 1, profile("Bob"));
    let cp1 = v.add("carol", "profile", 1, profile("Carol"));
    // A thread.
    let root = v.add("alice", "post", 2, post("What is your favourite bird?"));
    let r1 = v.add("bob", "post", 3, reply("The wren.", root.id(), root.id()));
    let r2 = v.add("carol", "post", 4, reply("Robins!", root.id(), root.id()));
    let r3 = v.add("dave", "post", 5, reply("Agreed.", root.id(), r1.id()));
    let r4 = v.add(
        "carol",
        "post",
        6,
        reply("Actually no.", root.id(), r1.id()),
    );
    v.add("carol", "delete", 7, target(r4.id()));
    let r5 = v.add_stripped("erin", "post", 8, reply("(withheld)", root.id(), r2.id()));
    let q1 = v.add("dave", "post", 9, quote("Good question.", root.id()));
    // Edits of the root: a fork and a deleted branch.
    let e1 = v.add(
        "alice",
        "edit",
        10,
        edit(root.id(), root.id(), "Favourite bird?"),
    );
    let e2 = v.add(
        "alice",
        "edit",
        11,
        edit(root.id(), root.id(), "Your favourite bird?"),
    );
    let e3 = v.add(
        "alice",
        "edit",
        12,
        edit(root.id(), e2.id(), "Your favourite bird!"),
    );
    v.add(
        "alice",
        "edit",
        13,
        edit(root.id(), e1.id(), "on the wrong branch"),
    );
    let e4 = v.add(
        "alice",
        "edit",
        14,
        edit(root.id(), e3.id(), "deleted version"),
    );
    v.add("alice", "delete", 15, target(e4.id()));
    // An equivocation of dave's key at his seq 3 (his seq 2 is q1).
    let dq = v.fork("dave", 3, "post", 9, quote("Great question.", root.id()));
    // Reactions.
    v.add("bob", "react", 16, target(root.id()));
    v.add("carol", "react", 16, target(root.id()));
    let dl = v.add("dave", "react", 16, target(root.id()));
    v.add("dave", "unreact", 17, target(dl.id()));
    let el = v.add("erin", "react", 16, react(root.id(), "\u{1F426}"));
    let eu = v.add("erin", "unreact", 17, target(el.id()));
    v.add("erin", "delete", 18, target(eu.id()));
    v.add("bob", "react", 19, react(r2.id(), "\u{1F426}"));
    v.add("alice", "react", 19, target(r1.id()));
    // Reposts.
    v.add("bob", "repost", 20, target(root.id()));
    let cr = v.add("carol", "repost", 20, target(root.id()));
    v.add("carol", "unrepost", 21, target(cr.id()));
    v.add("dave", "repost", 20, target(r1.id()));
    // Follows and blocks.
    v.add("alice", "follow", 22, subject(&bob));
    v.add("alice", "follow", 22, subject(&carol));
    v.add("alice", "unfollow", 23, subject(&carol));
    v.add("bob", "follow", 22, subject(&alice));
    let bu = v.add("bob", "unfollow", 23, subject(&alice));
    v.add("bob", "delete", 24, target(bu.id()));
    v.add("carol", "follow", 22, subject(&alice));
    v.add("carol", "follow", 22, subject(&dave));
    let cf = v.add("carol", "follow", 25, subject(&bob));
    let cf_id = cf.id().to_vec();
    let cu = v.next_where("carol2", "unfollow", 25, subject(&bob), |x| {
        x > cf_id.as_slice()
    });
    v.hold(&cu);
    v.add("dave", "block", 22, subject(&acct("erin")));
    v.add("dave", "unblock", 23, subject(&acct("erin")));
    v.add("dave", "block", 24, subject(&carol));
    // Labels.
    let spam = Subj::Acct(acct("erin"));
    let rootm = Subj::Msg(root.id().to_vec());
    v.add("lab", "label", 26, label(&spam, "spam"));
    v.add("lab", "label", 26, label_until(&rootm, "spoiler", now));
    v.add("lab", "label", 26, label_until(&rootm, "!warn", now + 1));
    v.add(
        "lab",
        "label",
        27,
        label(&Subj::Msg(r4.id().to_vec()), "harassment"),
    );
    v.add("lab", "label", 27, label(&spam, "impersonation"));
    v.add("lab", "label", 28, negation(&spam, "impersonation"));
    // A few more.
    v.add("erin", "follow", 29, subject(&alice));
    v.add("bob", "react", 29, react(q1.id(), "\u{1F44D}"));
    v.add("alice", "repost", 29, target(r2.id()));
    v.add("alice", "follow", 29, subject(&dave));
    // Later profiles: alice's new one, bob's deleted, carol's withheld.
    let ap2 = v.add("alice", "profile", 30, profile("Alice, again"));
    let bp2 = v.add("bob", "profile", 31, profile("Bob 2"));
    v.add("bob", "delete", 32, target(bp2.id()));
    v.add_stripped("carol", "profile", 33, profile("Carol 2"));
    // A delete of a message not held.
    let gone = v.next("dave", "post", 30, post("gone"));
    v.know(&gone);
    v.add("dave", "delete", 31, target(gone.id()));
    // The listed order: a fixed interleaving (every third message first, then the rest reversed).
    let n = v.listed.len();
    let mut order: Vec<usize> = (0..n).step_by(3).collect();
    order.extend((0..n).filter(|i| i % 3 != 0).rev());
    v.reorder(&order);
    assert!((55..=70).contains(&n), "{n} messages");
    let s = v.finish(out);
    assert_eq!(s.profile("alice"), Some(ap2.id().to_vec()));
    assert_eq!(s.profile("bob"), Some(bp1.id().to_vec()));
    assert_eq!(s.profile("carol"), Some(cp1.id().to_vec()));
    s.history(&root, &[&root, &e2, &e3]);
    assert_eq!(
        s.ids(&["threads", &mt(root.id())]),
        ids_of(&[&r1, &r2, &r3])
    );
    assert_eq!(s.ids(&["replies", &mt(r1.id())]), ids_of(&[&r3]));
    assert_eq!(s.state(&r5).as_deref(), Some("withheld"));
    assert_eq!(s.ids(&["quotes", &mt(root.id())]), ids_of(&[&q1, &dq]));
    assert_eq!(s.reactions(root.id(), ""), accts(&["bob", "carol"]));
    assert_eq!(s.reactions(root.id(), "\u{1F426}"), accts(&["erin"]));
    assert_eq!(s.ids(&["reposts", &mt(root.id())]), accts(&["bob"]));
    assert_eq!(s.follows("follows", "alice"), accts(&["bob", "dave"]));
    assert_eq!(s.follows("follows", "bob"), accts(&["alice"]));
    assert_eq!(s.follows("follows", "carol"), accts(&["alice", "dave"]));
    assert_eq!(s.follows("follows", "erin"), accts(&["alice"]));
    assert_eq!(s.ids(&["reposts", &mt(r2.id())]), accts(&["alice"]));
    assert_eq!(s.follows("blocks", "dave"), accts(&["carol"]));
    assert_eq!(s.labels(&spam, "lab"), ["spam"]);
    assert_eq!(s.labels(&rootm, "lab"), ["!warn"]);
    assert!(s.ids(&["tombstones"]).contains(&gone.id().to_vec()));
    assert_eq!(s.ids(&["tombstones"]).len(), 6);
    let Some(Value::A(eq)) = s.get(&["equivocations"]) else {
        panic!()
    };
    assert_eq!(eq.len(), 1);
}

/// Every vector, in file order.
pub fn vectors() -> Vec<J> {
    let mut out = Vec::new();
    empty(&mut out);
    profiles(&mut out);
    posts(&mut out);
    threads(&mut out);
    reactions(&mut out);
    reposts(&mut out);
    graphs(&mut out);
    labels(&mut out);
    label_reaches_posts(&mut out);
    public_report_absent(&mut out);
    tombstones(&mut out);
    version_pins(&mut out);
    thief_deletes(&mut out);
    equivocations(&mut out);
    ignored_and_forms(&mut out);
    large(&mut out);
    limits(&mut out);
    gating(&mut out);
    out
}

/// A gate of `post` (05 §5.11): who may reply and quote (absent: everyone), hidden replies.
fn gate(post: &[u8], reply: Option<&[&str]>, quote: Option<&[&str]>, hidden: &[&[u8]]) -> Value {
    let list = |xs: &[&str]| Value::A(xs.iter().map(|x| t(x)).collect());
    let mut v = vec![("target", b(post))];
    if let Some(r) = reply {
        v.push(("reply", list(r)));
    }
    if let Some(q) = quote {
        v.push(("quote", list(q)));
    }
    if !hidden.is_empty() {
        v.push(("hidden", Value::A(hidden.iter().map(|h| b(h)).collect())));
    }
    m(v)
}

/// A post whose text starts with a mention of `account`; replying to `to` (root, parent) if given.
fn mentioning(text: &str, account: &[u8], to: Option<(&[u8], &[u8])>) -> Value {
    let facet = m(vec![
        ("start", Value::U(0)),
        ("end", Value::U(5)),
        ("type", t("mention")),
        ("account", b(account)),
    ]);
    let mut v = vec![("text", t(text)), ("facets", Value::A(vec![facet]))];
    if let Some((root, parent)) = to {
        v.push(("reply", m(vec![("root", b(root)), ("parent", b(parent))])));
    }
    m(v)
}

/// Interaction gating and enforced blocks (VIEW-1..VIEW-4, 07 §5.10): the threats of security.md
/// §3 (reply spam, quote dunking, harassment by a blocked account), each in several orders of
/// arrival. Every vector is also reduced in reverse and shuffled orders at generation time.
fn gating(out: &mut Vec<J>) {
    // The orders in which each threat's set is listed: as written, the gate or block first, and
    // reversed. (suffix, permutation builder over n messages)
    type Order = fn(usize) -> Vec<usize>;
    let orders: [(&str, &str, Order); 3] = [
        ("", "as written", |n| (0..n).collect()),
        (
            "-control-first",
            "the gates and blocks (written last) first",
            |n| {
                let mut v: Vec<usize> = (0..n).collect();
                v.rotate_right(2);
                v
            },
        ),
        ("-reversed", "in reverse", |n| (0..n).rev().collect()),
    ];
    for (suffix, how, order) in orders {
        let rules = &["VIEW-1", "VIEW-2", "MERGE-5", "MERGE-8"];
        let mut v = Vb::new(
            &format!("threat-reply-spam-gated{suffix}"),
            &format!(
                "Reply spam: alice lets only her followers and the accounts her post mentions reply. \
                 bob follows alice and dave is mentioned: listed; carol and erin (whom alice follows; \
                 `following` is not admitted) are left out with reason gate; alice's own reply is \
                 listed. Listed {how}."
            ),
            rules,
        );
        let (alice, dave) = (acct("alice"), acct("dave"));
        let r = v.add(
            "alice",
            "post",
            1,
            mentioning("@dave what do you think?", &dave, None),
        );
        let bob = v.add("bob", "post", 3, reply("bob", r.id(), r.id()));
        let carol = v.add("carol", "post", 3, reply("carol spam", r.id(), r.id()));
        let d = v.add("dave", "post", 3, reply("dave", r.id(), r.id()));
        let e = v.add("erin", "post", 3, reply("erin", r.id(), r.id()));
        let own = v.add("alice", "post", 4, reply("alice", r.id(), bob.id()));
        v.add("bob", "follow", 5, subject(&alice));
        v.add("alice", "follow", 5, subject(&acct("erin")));
        v.add(
            "alice",
            "gate",
            6,
            gate(r.id(), Some(&["followers", "mentioned"]), None, &[]),
        );
        let n = v.listed.len();
        v.reorder(&order(n));
        let s = v.finish(out);
        assert_eq!(s.ids(&["threads", &mt(r.id())]), ids_of(&[&bob, &d, &own]));
        assert_eq!(s.ids(&["replies", &mt(r.id())]), ids_of(&[&bob, &d]));
        for x in [&carol, &e] {
            assert_eq!(
                s.get(&["posts", &mt(x.id()), "left_out", "reply"]),
                Some(&t("gate"))
            );
        }

        let mut v = Vb::new(
            &format!("threat-quote-dunking-gated{suffix}"),
            &format!(
                "Quote dunking: alice lets only the accounts she follows quote her post. bob (followed) \
                 quotes it: listed; carol's quote, pinned to the first version, is left out with \
                 reason gate, and so is not an earlier interaction either; alice quotes herself: \
                 listed. Then a second post of alice's gated to nobody: bob's quote of it is left \
                 out. Listed {how}."
            ),
            &["VIEW-1", "VIEW-3", "MERGE-5", "MERGE-4"],
        );
        let p = v.add("alice", "post", 1, post("hot take"));
        let p2 = v.add("alice", "post", 1, post("another"));
        let ed = v.add("alice", "edit", 2, edit(p.id(), p.id(), "hot take, edited"));
        let _ = ed;
        let qb = v.add("bob", "post", 3, quote("agree", p.id()));
        let qc = v.add(
            "carol",
            "post",
            3,
            m(vec![
                ("text", t("look at this")),
                ("quote", b(p.id())),
                ("quote_version", b(p.id())),
            ]),
        );
        let qa = v.add("alice", "post", 4, quote("me again", p.id()));
        let qb2 = v.add("bob", "post", 4, quote("and this", p2.id()));
        v.add("alice", "follow", 5, subject(&acct("bob")));
        v.add(
            "alice",
            "gate",
            6,
            gate(p.id(), None, Some(&["following"]), &[]),
        );
        v.add(
            "alice",
            "gate",
            6,
            gate(p2.id(), Some(&["nobody"]), Some(&["nobody"]), &[]),
        );
        let n = v.listed.len();
        v.reorder(&order(n));
        let s = v.finish(out);
        assert_eq!(s.ids(&["quotes", &mt(p.id())]), ids_of(&[&qb, &qa]));
        assert!(s.ids(&["quotes", &mt(p2.id())]).is_empty());
        assert!(s.ids(&["posts", &mt(p.id()), "earlier"]).is_empty());
        for x in [&qc, &qb2] {
            assert_eq!(
                s.get(&["posts", &mt(x.id()), "left_out", "quote"]),
                Some(&t("gate"))
            );
        }

        let mut v = Vb::new(
            &format!("threat-blocked-harasser{suffix}"),
            &format!(
                "Harassment by a blocked account: alice blocks mallory. mallory's reply in alice's \
                 thread, quote of alice's post and mention of alice are left out (reason block, and \
                 alice among the post's left-out mentions); the reply to bob's post and the mention \
                 of bob are listed; a block of mallory by carol, later undone, leaves nothing out. \
                 The block is dated after mallory's posts: it is the set, not the time, that counts. \
                 Listed {how}."
            ),
            &["VIEW-2", "VIEW-3", "VIEW-4", "MERGE-8"],
        );
        let (alice, bob, mallory) = (acct("alice"), acct("bob"), acct("mallory"));
        let r = v.add("alice", "post", 1, post("my thread"));
        let rb = v.add("bob", "post", 1, post("bob's thread"));
        let rc = v.add("carol", "post", 1, post("carol's thread"));
        let m1 = v.add(
            "mallory",
            "post",
            2,
            mentioning("@alice you again", &alice, Some((r.id(), r.id()))),
        );
        let m2 = v.add("mallory", "post", 3, quote("lol", r.id()));
        let m3 = v.add(
            "mallory",
            "post",
            4,
            mentioning("@bob hi", &bob, Some((rb.id(), rb.id()))),
        );
        let m4 = v.add("mallory", "post", 5, reply("hi carol", rc.id(), rc.id()));
        v.add("carol", "block", 6, subject(&mallory));
        v.add("carol", "unblock", 7, subject(&mallory));
        v.add("alice", "block", 8, subject(&mallory));
        let n = v.listed.len();
        let mut o = order(n);
        if suffix == "-control-first" {
            o.rotate_right(1);
        }
        v.reorder(&o);
        let s = v.finish(out);
        assert!(s.ids(&["threads", &mt(r.id())]).is_empty());
        assert!(s.ids(&["quotes", &mt(r.id())]).is_empty());
        let lo = |x: &Rec, k: &str| s.get(&["posts", &mt(x.id()), "left_out", k]).cloned();
        assert_eq!(lo(&m1, "reply"), Some(t("block")));
        assert_eq!(
            s.ids(&["posts", &mt(m1.id()), "left_out", "mentions"]),
            vec![alice.clone()]
        );
        assert_eq!(lo(&m2, "quote"), Some(t("block")));
        assert_eq!(s.ids(&["threads", &mt(rb.id())]), ids_of(&[&m3]));
        assert_eq!(s.ids(&["threads", &mt(rc.id())]), ids_of(&[&m4]));
        assert!(s.get(&["posts", &mt(m3.id()), "left_out"]).is_none());

        let mut v = Vb::new(
            &format!("threat-hidden-reply{suffix}"),
            &format!(
                "alice hides bob's reply to her post: it is left out with reason hidden; carol's reply \
                 to bob's hidden reply is judged on its own and listed (under the root and under its \
                 parent). Listed {how}."
            ),
            &["VIEW-1", "VIEW-2", "MERGE-5"],
        );
        let r = v.add("alice", "post", 1, post("ask me anything"));
        let hb = v.add("bob", "post", 2, reply("something awful", r.id(), r.id()));
        let cr = v.add("carol", "post", 3, reply("@bob no", r.id(), hb.id()));
        v.add("dave", "post", 3, reply("a question", r.id(), r.id()));
        v.add("alice", "gate", 4, gate(r.id(), None, None, &[hb.id()]));
        let n = v.listed.len();
        v.reorder(&order(n));
        let s = v.finish(out);
        assert_eq!(
            s.get(&["posts", &mt(hb.id()), "left_out", "reply"]),
            Some(&t("hidden"))
        );
        assert_eq!(s.ids(&["replies", &mt(hb.id())]), ids_of(&[&cr]));
        assert_eq!(s.ids(&["threads", &mt(r.id())]).len(), 2);

        let mut v = Vb::new(
            &format!("threat-gate-changed-later{suffix}"),
            &format!(
                "alice gates her post to nobody, then writes a later gate that admits her followers; \
                 bob, who follows her, replied before either gate: listed (the later gate is in force, \
                 whatever the order of arrival); carol does not follow: left out. bob's follow is \
                 later undone by an unfollow whose delete is also in the set, so he still follows. \
                 Listed {how}."
            ),
            &["VIEW-1", "VIEW-2", "MERGE-1", "MERGE-2", "MERGE-8"],
        );
        let alice = acct("alice");
        let r = v.add("alice", "post", 1, post("members only"));
        let rb = v.add("bob", "post", 2, reply("me", r.id(), r.id()));
        let rc = v.add("carol", "post", 2, reply("me too", r.id(), r.id()));
        v.add("bob", "follow", 3, subject(&alice));
        let u = v.add("bob", "unfollow", 4, subject(&alice));
        v.add("bob", "delete", 5, target(u.id()));
        v.add(
            "alice",
            "gate",
            6,
            gate(r.id(), Some(&["nobody"]), None, &[]),
        );
        v.add(
            "alice",
            "gate",
            7,
            gate(r.id(), Some(&["followers"]), None, &[]),
        );
        let n = v.listed.len();
        v.reorder(&order(n));
        let s = v.finish(out);
        assert_eq!(s.ids(&["threads", &mt(r.id())]), ids_of(&[&rb]));
        assert_eq!(
            s.get(&["posts", &mt(rc.id()), "left_out", "reply"]),
            Some(&t("gate"))
        );

        for (name, what, build) in FAKE_ROOTS {
            let mut v = Vb::new(
                &format!("threat-fake-root-{name}{suffix}"),
                &format!("{what} Listed {how}."),
                &["VIEW-2", "MERGE-5", "MERGE-8"],
            );
            let expected = build(&mut v);
            let n = v.listed.len();
            v.reorder(&order(n));
            let s = v.finish(out);
            for (x, parent, why) in &expected {
                let listed = s.ids(&["replies", &mt(parent)]).contains(&x.id().to_vec());
                let reason = s.get(&["posts", &mt(x.id()), "left_out", "reply"]);
                assert_eq!(
                    (listed, reason),
                    (why.is_none(), why.map(t).as_ref()),
                    "{name}"
                );
            }
        }
    }

    let mut v = Vb::new(
        "threat-gate-deleted",
        "alice's later gate (followers only) is deleted: the earlier gate (nobody) is in force again \
         and bob's reply is left out; her other post has no gate (its reply is listed). A gate names \
         the post, never its replies' parents: a reply to bob's reply in alice's thread is judged by \
         alice's gate.",
        &["VIEW-1", "VIEW-2", "MERGE-2"],
    );
    let alice = acct("alice");
    let r = v.add("alice", "post", 1, post("closed"));
    let r2 = v.add("alice", "post", 1, post("open"));
    let rb = v.add("bob", "post", 2, reply("me", r.id(), r.id()));
    let rb2 = v.add("bob", "post", 2, reply("me", r2.id(), r2.id()));
    let rd = v.add("dave", "post", 3, reply("me", r.id(), rb.id()));
    v.add("bob", "follow", 3, subject(&alice));
    v.add(
        "alice",
        "gate",
        4,
        gate(r.id(), Some(&["nobody"]), None, &[]),
    );
    let g2 = v.add(
        "alice",
        "gate",
        5,
        gate(r.id(), Some(&["followers"]), None, &[]),
    );
    v.add("alice", "delete", 6, target(g2.id()));
    let s = v.finish(out);
    assert!(s.ids(&["threads", &mt(r.id())]).is_empty());
    assert_eq!(
        s.get(&["posts", &mt(rb.id()), "left_out", "reply"]),
        Some(&t("gate"))
    );
    assert_eq!(
        s.get(&["posts", &mt(rd.id()), "left_out", "reply"]),
        Some(&t("gate"))
    );
    assert_eq!(s.ids(&["threads", &mt(r2.id())]), ids_of(&[&rb2]));
}

/// A reply of a fake-root case, the id of its parent, and why VIEW-2 leaves it out (`None`: listed
/// under the parent).
type Judged = (Rec, Vec<u8>, Option<&'static str>);

/// VIEW-2 steps 4 to 6: replies that claim a false `root` to slip past the gate or block of the post
/// they answer. Each case writes its set, the block or gate that decides last, and says what each
/// reply must give. (name, description, builder)
#[allow(clippy::type_complexity)]
const FAKE_ROOTS: &[(&str, &str, fn(&mut Vb) -> Vec<Judged>)] = &[
    (
        "own",
        "alice blocks mallory and lets only her followers reply to her post P; carol follows her. \
         mallory, bob and carol each answer P (parent P) naming their own post as root: mallory's \
         is left out with reason block, bob's with gate (P's author and gate judge a reply to P, \
         whatever root it names), carol's with root (P is live and is its own root); carol's \
         honest reply (root P) is listed.",
        |v| {
            let (alice, mallory) = (acct("alice"), acct("mallory"));
            let p = v.add("alice", "post", 1, post("my thread"));
            let who = ["mallory", "bob", "carol"];
            let own: Vec<Rec> = who.iter().map(|w| v.add(w, "post", 1, post("mine"))).collect();
            v.add("carol", "follow", 2, subject(&alice));
            let mut out: Vec<Judged> = own
                .iter()
                .zip(who)
                .zip(["block", "gate", "root"])
                .map(|((o, w), why)| {
                    let r = v.add(w, "post", 3, reply("in P", o.id(), p.id()));
                    (r, p.id().to_vec(), Some(why))
                })
                .collect();
            let honest = v.add("carol", "post", 3, reply("honest", p.id(), p.id()));
            out.push((honest, p.id().to_vec(), None));
            v.add("alice", "block", 5, subject(&mallory));
            v.add("alice", "gate", 6, gate(p.id(), Some(&["followers"]), None, &[]));
            out
        },
    ),
    (
        "random",
        "alice's post P is live and her post W is held as a withheld remainder; she blocks \
         mallory and lets only her followers (carol) reply to W. Replies naming a random id as \
         root: mallory's to P and to W are left out with reason block; carol's to P with root; \
         carol's to W is listed (a parent that is not live has no known root: only its author and \
         gate judge); bob's to W is left out with gate.",
        |v| {
            let (mallory, random) = (acct("mallory"), [0x5a; 32]);
            let p = v.add("alice", "post", 1, post("open"));
            let w = v.add_stripped("alice", "post", 1, post("withheld here"));
            v.add("carol", "follow", 2, subject(&acct("alice")));
            let cases = [
                ("mallory", &p, Some("block")),
                ("mallory", &w, Some("block")),
                ("carol", &p, Some("root")),
                ("carol", &w, None),
                ("bob", &w, Some("gate")),
            ];
            let out = cases
                .iter()
                .map(|(who, parent, why)| {
                    let r = v.add(who, "post", 3, reply("hi", &random, parent.id()));
                    (r, parent.id().to_vec(), *why)
                })
                .collect();
            v.add("alice", "block", 5, subject(&mallory));
            v.add("alice", "gate", 6, gate(w.id(), Some(&["followers"]), None, &[]));
            out
        },
    ),
    (
        "deep",
        "Deep in alice's thread: dave replies to her post P (listed). alice blocks mallory, dave \
         blocks erin. Replies to dave's reply D: mallory's naming a random root, and naming D as \
         root, are left out with reason root (D is live and its root is P); mallory's naming P with \
         block (P's author); erin's naming P with block (D's author); carol's naming P is listed.",
        |v| {
            let (mallory, erin) = (acct("mallory"), acct("erin"));
            let p = v.add("alice", "post", 1, post("root"));
            let d = v.add("dave", "post", 2, reply("first", p.id(), p.id()));
            let cases: [(&str, &[u8], Option<&'static str>); 5] = [
                ("mallory", &[0x5a; 32], Some("root")),
                ("mallory", d.id(), Some("root")),
                ("mallory", p.id(), Some("block")),
                ("erin", p.id(), Some("block")),
                ("carol", p.id(), None),
            ];
            let mut out: Vec<Judged> = cases
                .iter()
                .map(|(who, root, why)| {
                    let r = v.add(who, "post", 3, reply("deep", root, d.id()));
                    (r, d.id().to_vec(), *why)
                })
                .collect();
            out.push((d.clone(), p.id().to_vec(), None));
            v.add("dave", "block", 5, subject(&erin));
            v.add("alice", "block", 6, subject(&mallory));
            out
        },
    ),
];

/// The storage limits (LIMIT-1..LIMIT-3, 07 §2.5), each crossed, and the flood they stop.
fn limits(out: &mut Vec<J>) {
    // LIMIT-1 at the limit and one past it.
    let mut v = Vb::new(
        "limit-place-2-and-3",
        "alice's key signs two posts at seq 1 (the limit: both kept, one equivocation entry of two \
         ids); bob's key signs three posts at seq 1 at minutes 1, 2, 3: LIMIT-1 keeps the earliest \
         two by MERGE-1, the third is absent from every view, and the entry lists two ids.",
        &["LIMIT-1", "MERGE-10", "MERGE-4"],
    );
    let a1 = v.add("alice", "post", 1, post("a"));
    let a2 = v.fork("alice", 1, "post", 1, post("a, again"));
    let b1 = v.add("bob", "post", 1, post("b 1"));
    let b2 = v.fork("bob", 1, "post", 2, post("b 2"));
    let b3 = v.fork("bob", 1, "post", 3, post("b 3"));
    let s = v.finish(out);
    for p in [&a1, &a2, &b1, &b2] {
        s.history(p, &[p]);
    }
    assert_eq!(s.state(&b3), None);
    let Some(Value::A(entries)) = s.get(&["equivocations"]) else {
        panic!()
    };
    assert_eq!(entries.len(), 2);

    // The flood at one seq: what MERGE-10 alone would keep without bound.
    let mut v = Vb::new(
        "threat-flood-one-seq",
        "A key signs 64 posts at seq 2, all following its seq 1, at minutes 2..65 (a key holder \
         flooding one place: MERGE-10 alone kept them all). LIMIT-1 keeps the earliest two: the \
         state holds three posts whatever the order of arrival, and one equivocation entry of two \
         ids.",
        &["LIMIT-1", "MERGE-10"],
    );
    let first = v.add("mallory", "post", 1, post("seq 1"));
    let mut flood = Vec::new();
    for i in 0..64u64 {
        flood.push(v.fork("mallory", 2, "post", 2 + i, post(&format!("flood {i}"))));
    }
    let s = v.finish(out);
    s.history(&first, &[&first]);
    s.history(&flood[0], &[&flood[0]]);
    s.history(&flood[1], &[&flood[1]]);
    assert_eq!(s.keys(&["posts"]).len(), 3);
    assert!(flood[2..].iter().all(|p| s.state(p).is_none()));
    let Some(Value::A(entries)) = s.get(&["equivocations"]) else {
        panic!()
    };
    assert_eq!(entries.len(), 1);

    // LIMIT-3: a pruned undo takes its target with it.
    let mut v = Vb::new(
        "limit-pruned-undo-takes-target",
        "alice posts P1, P2, P3 and likes P1 (seq 1..4). At seq 5 her key signs two posts at minute \
         5 and an unreact of the like at minute 6; at seq 6, two posts at minute 7 and a delete of \
         P2 at minute 8; at seq 7, two posts at minute 9 and an edit of P3 at minute 10. LIMIT-1 \
         prunes the unreact, the delete and the edit (third at each place), and LIMIT-3 their \
         targets: the like does not count (it does not come back), P2 is absent (not live again), \
         P3 is absent (its old text does not come back).",
        &["LIMIT-1", "LIMIT-3", "MERGE-2", "MERGE-4", "MERGE-6", "MERGE-10"],
    );
    let p1 = v.add("alice", "post", 1, post("P1"));
    let p2 = v.add("alice", "post", 2, post("P2"));
    let p3 = v.add("alice", "post", 3, post("P3"));
    let like = v.add("alice", "react", 4, target(p1.id()));
    let x5 = v.add("alice", "post", 5, post("x5"));
    v.fork("alice", 5, "post", 5, post("y5"));
    let un = v.fork("alice", 5, "unreact", 6, target(like.id()));
    v.add("alice", "post", 7, post("x6"));
    v.fork("alice", 6, "post", 7, post("y6"));
    let del = v.fork("alice", 6, "delete", 8, target(p2.id()));
    v.add("alice", "post", 9, post("x7"));
    v.fork("alice", 7, "post", 9, post("y7"));
    let ed = v.fork("alice", 7, "edit", 10, edit(p3.id(), p3.id(), "P3 edited"));
    let s = v.finish(out);
    s.history(&p1, &[&p1]);
    s.history(&x5, &[&x5]);
    assert!(s.reactions(p1.id(), "").is_empty());
    assert_eq!(s.state(&p2), None);
    assert_eq!(s.state(&p3), None);
    assert!(s.ids(&["tombstones"]).is_empty());
    for gone in [&un, &del, &ed] {
        assert!(s.ids(&["tombstones"]).iter().all(|x| x != gone.id()));
    }

    // LIMIT-2, profile class (50): 51 profiles, the newest 50 deleted.
    let mut v = Vb::new(
        "limit-profile-class-51",
        "alice signs 51 profiles (minutes 1..51) and deletes the 50 newest; bob signs 50 profiles \
         and deletes the 49 newest. Deletes are their own class. alice's oldest profile is the 51st \
         of her profile class and is pruned (LIMIT-2), so she has no current profile; bob's oldest \
         is the 50th, kept, and is his current profile.",
        &["LIMIT-2", "MERGE-2", "MERGE-3"],
    );
    for (who, n) in [("alice", 51u64), ("bob", 50)] {
        let ps: Vec<Rec> = (0..n)
            .map(|i| v.add(who, "profile", 1 + i, profile(&format!("{who} {i}"))))
            .collect();
        for (i, p) in ps[1..].iter().enumerate() {
            v.add(who, "delete", 100 + i as u64, target(p.id()));
        }
    }
    let bob_first = v.chains["bob"].msgs[0].id().to_vec();
    let s = v.finish(out);
    assert_eq!(s.profile("alice"), None);
    assert_eq!(s.profile("bob"), Some(bob_first));

    // LIMIT-2, gate class (5000) crossed by superseded gates: the gate in force stays.
    let mut v = Vb::new(
        "limit-gate-class-in-force",
        "alice gates her posts P and R to nobody (minute 2), gates R again for followers (minute \
         3) and deletes that gate (so R's first gate is in force again), then writes 4998 gates of \
         her post Q (minute 3, seq after seq; the greatest id is in force): 5001 gates, one over \
         the gate class's 5000. LIMIT-2 ranks the gates in force (P's, R's first, Q's latest) \
         before the deleted and superseded ones, so it prunes one of those, never P's or R's gate \
         in force: bob's reply to P and carol's reply to R stay left out with reason gate (pruning \
         by age alone would have lifted the gate of P or R).",
        &["LIMIT-2", "VIEW-1", "VIEW-2", "MERGE-2"],
    );
    let p = v.add("alice", "post", 1, post("P"));
    let q = v.add("alice", "post", 1, post("Q"));
    let r = v.add("alice", "post", 1, post("R"));
    let rb = v.add("bob", "post", 1, reply("let me in", p.id(), p.id()));
    let rc = v.add("carol", "post", 1, reply("me too", r.id(), r.id()));
    v.add(
        "alice",
        "gate",
        2,
        gate(p.id(), Some(&["nobody"]), None, &[]),
    );
    v.add(
        "alice",
        "gate",
        2,
        gate(r.id(), Some(&["nobody"]), None, &[]),
    );
    let later = v.add(
        "alice",
        "gate",
        3,
        gate(r.id(), Some(&["followers"]), None, &[]),
    );
    v.add("alice", "delete", 3, target(later.id()));
    for _ in 0..4998 {
        v.add(
            "alice",
            "gate",
            3,
            gate(q.id(), Some(&["followers"]), None, &[]),
        );
    }
    let s = v.finish(out);
    for x in [&rb, &rc] {
        assert_eq!(
            s.get(&["posts", &mt(x.id()), "left_out", "reply"]),
            Some(&t("gate"))
        );
    }
}

pub fn generate() -> String {
    file(
        "Skylark merge vectors (layer 4: the convergent state of a set of valid messages, rules \
         MERGE-1..MERGE-11). Apply `messages` to an empty state (in the listed order, and in any other \
         order, each any number of times) and compare the state summary (`summary_diag`, `summary`) \
         and digest at `now`. Every message is valid under spec 05 with every key authorized, given \
         the headers of `messages` and `known`; `known` messages are not part of the set.",
        "merge",
        vectors(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_match_the_spec_examples() {
        assert_eq!(
            mt(&[0; 32]),
            "msg_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        );
        assert_eq!(
            at(&[0xaa; 32]),
            "acct_vkvkvkvkvkvkvkvkvkvkvkvkvkvkvkvkvkvkvkvkvkvkvkvkvkva"
        );
    }

    #[test]
    fn every_rule_is_covered() {
        let doc: serde_json::Value = serde_json::from_str(&generate()).unwrap();
        let mut seen = BTreeSet::new();
        for v in doc["vectors"].as_array().unwrap() {
            for r in v["rules"].as_array().unwrap() {
                seen.insert(r.as_str().unwrap().to_string());
            }
        }
        for r in RULES {
            assert!(seen.contains(*r), "{r} not covered");
        }
    }
}
