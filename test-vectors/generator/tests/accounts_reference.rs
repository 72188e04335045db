//! An independent derivation of every `accounts.json` expectation: a small implementation of the
//! accounts layer written from the design brief (its FINAL section) and spec 06, run over the checked-in
//! JSON the way an implementation in any language would consume it. The generator DECLARES each status,
//! state and authorization outcome; this implementation computes them, applying the operations in the
//! listed order, in reverse order and (for at most six operations) in every order. All must agree.
//!
//! It is deliberately built differently from `src/account.rs`: operations are kept in one applied set
//! and every undecided status is re-derived until nothing changes (no waiting queues); the canonical
//! chain is found by collecting the signers of each subtree (no Euler tour).
//!
//! Where the brief and `src/account.rs` differ, this follows the implementation and spec 06 as resolved
//! (listed in `test-vectors/README.md`): body defects are `acct.body` (not the msg.* codes of the brief),
//! scope kinds are in canonical CBOR order, a former root is never delegated, a child of a message that
//! failed its body check is `acct.parent_invalid`, a message that is not an operation has no status, and
//! the AUTH-6 walk is the one of spec 06 §9.2 — except that a cutoff whose `seq` is not its message's own
//! keeps nothing, that message included.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use serde_json::{json, Value as Json};
use skylark_test_vectors::ed;
use skylark_test_vectors::util::{hex, unhex};

const OP_KINDS: [&str; 8] = [
    "genesis",
    "roots",
    "delegate",
    "revoke",
    "enckey",
    "receipt",
    "deactivate",
    "successor",
];
const ZERO: [u8; 32] = [0; 32];

type Id = Vec<u8>;

// ------------------------------------------------------------------------------------------------ messages

/// A witness set: keys (ascending) and threshold (06 §8.6).
type Wit = (Vec<Id>, u64);

#[derive(Clone, Debug)]
enum Body {
    Genesis {
        roots: Vec<Id>,
        witnesses: Option<Wit>,
        /// ACCT-13: the account this one succeeds.
        predecessor: Option<Id>,
        /// ACCT-14: the commitment to the next root list.
        next: Option<Id>,
    },
    /// ACCT-12.
    Successor {
        after: Id,
        to: Id,
        /// ACCT-14: the committed list it reveals.
        reveals: Option<Vec<Id>>,
    },
    Roots {
        after: Id,
        roots: Vec<Id>,
        /// Absent: the parent's set stays; `Some(None)`: the removal.
        witnesses: Option<Option<Wit>>,
        supersedes: Option<Id>,
        next: Option<Id>,
    },
    Receipt {
        op: Id,
    },
    /// ACCT-11.
    Deactivate {
        after: Id,
        /// ACCT-14: the committed list it reveals.
        reveals: Option<Vec<Id>>,
    },
    Delegate {
        after: Id,
        app: Id,
        scope: Vec<String>,
        expires: u64,
        label: Option<String>,
        supersedes: Option<Id>,
    },
    Revoke {
        after: Id,
        app: Id,
        cutoff: Option<(u64, Id)>,
        supersedes: Option<Id>,
    },
    EncKey {
        after: Id,
        key: Id,
        version: u64,
        supersedes: Option<Id>,
    },
}

impl Body {
    fn after(&self) -> Option<&Id> {
        match self {
            Body::Genesis { .. } => None,
            Body::Roots { after, .. }
            | Body::Delegate { after, .. }
            | Body::Revoke { after, .. }
            | Body::EncKey { after, .. }
            | Body::Deactivate { after, .. }
            | Body::Successor { after, .. }
            | Body::Receipt { op: after } => Some(after),
        }
    }

    fn supersedes(&self) -> Option<&Id> {
        match self {
            Body::Genesis { .. }
            | Body::Receipt { .. }
            | Body::Deactivate { .. }
            | Body::Successor { .. } => None,
            Body::Roots { supersedes, .. }
            | Body::Delegate { supersedes, .. }
            | Body::Revoke { supersedes, .. }
            | Body::EncKey { supersedes, .. } => supersedes.as_ref(),
        }
    }
}

/// A layer-1-valid message, its header fields, and (for a whole operation message) the verdict of its
/// context-free body check.
#[derive(Clone, Debug)]
struct Msg {
    id: Id,
    header: Vec<u8>,
    key: Id,
    seq: u64,
    prev: Option<Id>,
    acct: Id,
    kind: String,
    time: u64,
    whole: bool,
    body: Option<Result<Body, &'static str>>,
    /// The body's acceptances (ACCT-10) and the hash of the body without them.
    acceptances: Vec<Vec<u8>>,
    digest: Id,
}

fn parse(hex_msg: &str) -> Msg {
    let v = verify_envelope(&unhex(hex_msg))
        .unwrap_or_else(|e| panic!("a message fails layer 1 ({e:?}): {hex_msg}"));
    let bytes = |k: &str| match get(&v.fields, k) {
        Some(Item::B(b)) => Some(b.clone()),
        _ => None,
    };
    let uint = |k: &str| match get(&v.fields, k) {
        Some(Item::U(n)) => *n,
        _ => unreachable!(),
    };
    let Some(Item::T(kind)) = get(&v.fields, "kind") else {
        unreachable!()
    };
    let (mut acceptances, mut digest) = (Vec::new(), Vec::new());
    let body = match (&v.body, OP_KINDS.contains(&kind.as_str())) {
        (Some(b), true) => match decode(b).unwrap() {
            Item::M(entries) => {
                if let Some(Item::A(items)) = get(&entries, "acceptances") {
                    acceptances = items
                        .iter()
                        .filter_map(|i| match i {
                            Item::B(x) => Some(x.clone()),
                            _ => None,
                        })
                        .collect();
                }
                let without: Vec<(String, Item)> = entries
                    .iter()
                    .filter(|(k, _)| k != "acceptances")
                    .cloned()
                    .collect();
                let bytes = skylark_test_vectors::cbor::encode(&to_value(&Item::M(without)));
                digest = blake3::derive_key("skylark v1 message body", &bytes).to_vec();
                Some(check_body(kind, &entries))
            }
            _ => unreachable!(),
        },
        _ => None,
    };
    Msg {
        id: blake3::derive_key("skylark v1 message id", &v.header).to_vec(),
        key: bytes("key").unwrap(),
        seq: uint("seq"),
        prev: bytes("prev"),
        acct: bytes("acct").unwrap(),
        kind: kind.clone(),
        time: uint("time"),
        whole: v.body.is_some(),
        header: v.header,
        body,
        acceptances,
        digest,
    }
}

// ------------------------------------------------------------------------------------------------ ACCT-1

type R<T> = Result<T, &'static str>;
const BODY: &str = "acct.body";

/// Keys (un-dotted unknown ones), then required keys, all `acct.body`.
fn keys(entries: &[(String, Item)], schema: &[&str], required: &[&str]) -> R<()> {
    if entries
        .iter()
        .any(|(k, _)| !k.contains('.') && !schema.contains(&k.as_str()))
    {
        return Err(BODY);
    }
    if required.iter().any(|r| get(entries, r).is_none()) {
        return Err(BODY);
    }
    Ok(())
}

fn field<'a>(entries: &'a [(String, Item)], k: &str) -> &'a Item {
    get(entries, k).unwrap()
}

fn b32(v: &Item) -> R<Id> {
    match v {
        Item::B(b) if b.len() == 32 => Ok(b.clone()),
        _ => Err(BODY),
    }
}

fn uint53(v: &Item) -> R<u64> {
    match v {
        Item::U(n) if *n <= MAX53 => Ok(*n),
        _ => Err(BODY),
    }
}

fn roots_list(v: &Item) -> R<Vec<Id>> {
    let Item::A(items) = v else { return Err(BODY) };
    if !(1..=4).contains(&items.len()) {
        return Err(BODY);
    }
    let mut out = Vec::new();
    for i in items {
        let Item::B(b) = i else { return Err(BODY) };
        ed::check_key(b)?;
        out.push(b.clone());
    }
    let distinct: BTreeSet<&Id> = out.iter().collect();
    if distinct.len() != out.len() {
        return Err("acct.key_in_use");
    }
    Ok(out)
}

fn app_key(v: &Item) -> R<Id> {
    let k = b32(v)?;
    ed::check_key(&k)?;
    Ok(k)
}

/// Canonical order of two kinds: their CBOR encodings bytewise = shorter first, then bytewise.
fn canonical_less(a: &str, b: &str) -> bool {
    (a.len(), a.as_bytes()) < (b.len(), b.as_bytes())
}

/// A capability: "cap:" and one segment of the kind grammar (06 §5.4).
fn capability(e: &str) -> bool {
    e.strip_prefix("cap:")
        .is_some_and(|n| !n.contains('.') && valid_kind(n))
}

/// What "*" covers: a kind that is not an operation kind and not prekey; never a capability.
fn star_covers(e: &str) -> bool {
    !capability(e) && !OP_KINDS.contains(&e) && e != "dm" && e != "prekey"
}

fn scope(v: &Item) -> R<Vec<String>> {
    let Item::A(items) = v else { return Err(BODY) };
    let bad = "acct.scope";
    if !(1..=32).contains(&items.len()) {
        return Err(bad);
    }
    let star = items[0] == Item::T("*".to_string());
    let mut out: Vec<String> = Vec::new();
    for (n, i) in items.iter().enumerate() {
        let Item::T(k) = i else { return Err(bad) };
        if n == 0 && star {
            out.push(k.clone());
            continue;
        }
        let entry_ok = (valid_kind(k) && !OP_KINDS.contains(&k.as_str())) || capability(k);
        if !entry_ok || (star && star_covers(k)) {
            return Err(bad);
        }
        if let Some(last) = out.last() {
            if !canonical_less(last, k) {
                return Err(bad);
            }
        }
        out.push(k.clone());
    }
    Ok(out)
}

fn label(v: &Item) -> R<String> {
    match v {
        Item::T(s) if (1..=64).contains(&s.chars().count()) && s.len() <= 256 => Ok(s.clone()),
        _ => Err(BODY),
    }
}

/// The optional `witnesses` of a genesis or roots body (06 §5.3, ACCT-15), checked after `roots`.
/// `Some(None)` is the removal (allowed in a roots body only).
fn witnesses(e: &[(String, Item)], roots: &[Id], removal: bool) -> R<Option<Option<Wit>>> {
    let Some(v) = get(e, "witnesses") else {
        return Ok(None);
    };
    let Item::M(w) = v else { return Err(BODY) };
    keys(w, &["keys", "threshold"], &["keys", "threshold"])?;
    let t = uint53(field(w, "threshold"))?;
    let Item::A(items) = field(w, "keys") else {
        return Err(BODY);
    };
    let mut ks = Vec::new();
    for i in items {
        let k = b32(i)?;
        ed::check_key(&k)?;
        ks.push(k);
    }
    if ks.is_empty() && t == 0 && removal {
        return Ok(Some(None));
    }
    let n = ks.len() as u64;
    if ks.is_empty() || ks.len() > 8 || !ks.windows(2).all(|p| p[0] < p[1]) || 2 * t <= n || t > n {
        return Err("acct.witnesses");
    }
    if ks.iter().any(|k| roots.contains(k)) {
        return Err("acct.key_in_use");
    }
    Ok(Some(Some((ks, t))))
}

/// The optional `supersedes` (checked after every other value): 32 bytes.
fn sup(e: &[(String, Item)]) -> R<Option<Id>> {
    get(e, "supersedes").map(b32).transpose()
}

/// The optional `acceptances` (ACCT-1): 1 to 12 byte strings of 64 bytes; checked last.
fn acceptances_form(e: &[(String, Item)]) -> R<()> {
    match get(e, "acceptances") {
        None => Ok(()),
        Some(Item::A(items))
            if (1..=12).contains(&items.len())
                && items
                    .iter()
                    .all(|i| matches!(i, Item::B(x) if x.len() == 64)) =>
        {
            Ok(())
        }
        Some(_) => Err(BODY),
    }
}

/// ACCT-10: one acceptance per key of `new`, in bytewise key order, each the key's signature under
/// "skylark v1 key acceptance" over acct ‖ key ‖ H(body without acceptances) ‖ kind ‖ 0x00, and for
/// a genesis the header's key and time (8 bytes, big-endian) after that.
fn accepts(m: &Msg, mut new: Vec<Id>) -> R<()> {
    new.sort();
    new.dedup();
    if m.acceptances.len() < new.len() {
        return Err("acct.acceptance_missing");
    }
    if m.acceptances.len() > new.len() {
        return Err("acct.acceptance_extra");
    }
    for (k, sig) in new.iter().zip(&m.acceptances) {
        let mut input = b"skylark v1 key acceptance\0".to_vec();
        input.extend_from_slice(&m.acct);
        input.extend_from_slice(k);
        input.extend_from_slice(&m.digest);
        input.extend_from_slice(m.kind.as_bytes());
        input.push(0);
        if m.kind == "genesis" {
            input.extend_from_slice(&m.key);
            input.extend_from_slice(&m.time.to_be_bytes());
        }
        if ed::verify(k, &input, sig).is_err() {
            return Err("acct.acceptance_invalid");
        }
    }
    Ok(())
}

fn check_body(kind: &str, e: &[(String, Item)]) -> R<Body> {
    match kind {
        "genesis" => {
            keys(
                e,
                &["roots", "witnesses", "predecessor", "next", "acceptances"],
                &["roots"],
            )?;
            let roots = roots_list(field(e, "roots"))?;
            let witnesses = witnesses(e, &roots, false)?.flatten();
            let predecessor = get(e, "predecessor").map(b32).transpose()?;
            let next = get(e, "next").map(b32).transpose()?;
            acceptances_form(e)?;
            Ok(Body::Genesis {
                roots,
                witnesses,
                predecessor,
                next,
            })
        }
        "roots" => {
            keys(
                e,
                &[
                    "after",
                    "roots",
                    "witnesses",
                    "supersedes",
                    "next",
                    "acceptances",
                ],
                &["after", "roots"],
            )?;
            let roots = roots_list(field(e, "roots"))?;
            let witnesses = witnesses(e, &roots, true)?;
            let (after, supersedes) = (b32(field(e, "after"))?, sup(e)?);
            let next = get(e, "next").map(b32).transpose()?;
            acceptances_form(e)?;
            Ok(Body::Roots {
                after,
                roots,
                witnesses,
                supersedes,
                next,
            })
        }
        "successor" => {
            keys(
                e,
                &["to", "after", "roots", "acceptances"],
                &["to", "after"],
            )?;
            let to = b32(field(e, "to"))?;
            let after = b32(field(e, "after"))?;
            let reveals = match e.iter().any(|(k, _)| k == "roots") {
                true => Some(roots_list(field(e, "roots"))?),
                false => None,
            };
            acceptances_form(e)?;
            Ok(Body::Successor { after, to, reveals })
        }
        "deactivate" => {
            keys(e, &["after", "roots", "acceptances"], &["after"])?;
            let after = b32(field(e, "after"))?;
            let reveals = match e.iter().any(|(k, _)| k == "roots") {
                true => Some(roots_list(field(e, "roots"))?),
                false => None,
            };
            acceptances_form(e)?;
            Ok(Body::Deactivate { after, reveals })
        }
        "receipt" => {
            keys(e, &["op"], &["op"])?;
            Ok(Body::Receipt {
                op: b32(field(e, "op"))?,
            })
        }
        "delegate" => {
            keys(
                e,
                &[
                    "app",
                    "after",
                    "label",
                    "scope",
                    "expires",
                    "supersedes",
                    "acceptances",
                ],
                &["app", "after", "scope", "expires"],
            )?;
            let label = get(e, "label").map(label).transpose()?;
            let app = app_key(field(e, "app"))?;
            let scope = scope(field(e, "scope"))?;
            let expires = uint53(field(e, "expires"))?;
            let (after, supersedes) = (b32(field(e, "after"))?, sup(e)?);
            acceptances_form(e)?;
            Ok(Body::Delegate {
                after,
                app,
                scope,
                expires,
                label,
                supersedes,
            })
        }
        "revoke" => {
            keys(
                e,
                &["app", "after", "cutoff", "supersedes"],
                &["app", "after"],
            )?;
            let cutoff = match get(e, "cutoff") {
                None => None,
                Some(Item::M(c)) => {
                    keys(c, &["id", "seq"], &["id", "seq"])?;
                    let seq = uint53(field(c, "seq"))?;
                    if seq == 0 {
                        return Err(BODY);
                    }
                    Some((seq, b32(field(c, "id"))?))
                }
                Some(_) => return Err(BODY),
            };
            let app = app_key(field(e, "app"))?;
            Ok(Body::Revoke {
                after: b32(field(e, "after"))?,
                app,
                cutoff,
                supersedes: sup(e)?,
            })
        }
        "enckey" => {
            keys(
                e,
                &["key", "after", "version", "supersedes"],
                &["key", "after", "version"],
            )?;
            let version = uint53(field(e, "version"))?;
            if version == 0 {
                return Err("acct.enckey_version");
            }
            let key = b32(field(e, "key"))?;
            Ok(Body::EncKey {
                after: b32(field(e, "after"))?,
                key,
                version,
                supersedes: sup(e)?,
            })
        }
        _ => unreachable!(),
    }
}

// ------------------------------------------------------------------------------------------------ state

#[derive(Clone, Debug, PartialEq)]
enum Rev {
    All,
    /// One or two cutoffs (06 §8.4), sorted by (seq, id): each must keep a message.
    After(Vec<(u64, Id)>),
}

#[derive(Clone, Debug)]
struct Grant {
    scope: Vec<String>,
    expires: u64,
    label: Option<String>,
    at: u64,
    id: Id,
    rev: Option<Rev>,
}

#[derive(Clone, Debug)]
struct State {
    roots: Vec<Id>,
    /// Every key that was a root of a state on the path here (the current roots included).
    ever_roots: BTreeSet<Id>,
    apps: BTreeMap<Id, Grant>,
    enc: Option<(Id, u64)>,
    /// The witness set in force, and every key that was a witness on the path here (06 §8.6).
    wit: Option<Wit>,
    ever_wit: BTreeSet<Id>,
    /// The commitment of the last genesis or `roots` operation on the path here (ACCT-14).
    next: Option<Id>,
}

/// ACCT-14 (06 §5.8): `H("skylark v1 next roots", the CBOR array of the 32-byte keys)`.
fn next_roots(roots: &[Id]) -> Id {
    let mut cbor = vec![0x80 | roots.len() as u8];
    for k in roots {
        cbor.extend_from_slice(&[0x58, 0x20]);
        cbor.extend_from_slice(k);
    }
    blake3::derive_key("skylark v1 next roots", &cbor).to_vec()
}

#[derive(Clone, Debug)]
enum Status {
    Valid {
        acct: Id,
        parent: Option<Id>,
        state: Box<State>,
    },
    /// A valid receipt of `op` by `witness` (06 §8.6): not in the tree.
    Receipt {
        acct: Id,
        witness: Id,
        op: Id,
    },
    Invalid(&'static str),
    Waiting(Id),
}

impl Status {
    fn text(s: Option<&Status>) -> String {
        match s {
            Some(Status::Valid { .. } | Status::Receipt { .. }) => "valid".into(),
            Some(Status::Invalid(c)) => (*c).into(),
            Some(Status::Waiting(_)) => "waiting".into(),
            None => "no status".into(),
        }
    }
}

/// Steps 7..13 of the check order, against the parent's account and state.
fn check(acct: &Id, parent: &State, m: &Msg, body: &Body) -> R<State> {
    if &m.acct != acct {
        return Err("acct.account_mismatch");
    }
    let listed = match body {
        Body::Roots { roots, .. } => Some(roots),
        Body::Deactivate { reveals, .. } | Body::Successor { reveals, .. } => reveals.as_ref(),
        _ => None,
    };
    let act = matches!(
        body,
        Body::Roots { .. } | Body::Deactivate { .. } | Body::Successor { .. }
    );
    match (act, listed, &parent.next) {
        // ACCT-14: a committed act names the committed list and is signed by its first key that
        // never was a root here; a deactivation or successor without the list cannot be.
        (true, None, Some(_)) => return Err("acct.next_signer"),
        (true, Some(roots), Some(n)) => {
            if &next_roots(roots) != n {
                return Err("acct.next_mismatch");
            }
            if roots.iter().find(|k| !parent.ever_roots.contains(*k)) != Some(&m.key) {
                return Err("acct.next_signer");
            }
        }
        // A list revealed where nothing is committed.
        (true, Some(_), None) if !matches!(body, Body::Roots { .. }) => {
            return Err("acct.next_mismatch")
        }
        _ => {
            if !parent.roots.contains(&m.key) {
                return Err("acct.not_a_root");
            }
        }
    }
    // No rule compares the time with the parent's (06 §7.2): a claimed time only dates what the
    // operation itself grants.
    let mut next = parent.clone();
    match body {
        Body::Genesis { .. } | Body::Receipt { .. } => unreachable!(),
        // ACCT-10, ACCT-14: every key of the revealed list accepts (none without a list).
        Body::Deactivate { reveals, .. } => accepts(m, reveals.clone().unwrap_or_default())?,
        Body::Successor { to, reveals, .. } => {
            accepts(m, reveals.clone().unwrap_or_default())?;
            if to == &m.acct {
                return Err("acct.successor");
            }
        }
        Body::Roots {
            roots, witnesses, ..
        } => {
            if roots.iter().any(|k| parent.apps.contains_key(k)) {
                return Err("acct.key_in_use");
            }
            if let Some(w) = witnesses {
                if let Some((ks, _)) = w {
                    if ks.iter().any(|k| parent.apps.contains_key(k)) {
                        return Err("acct.key_in_use");
                    }
                    next.ever_wit.extend(ks.iter().cloned());
                }
                next.wit = w.clone();
            }
            if let Some((ks, _)) = &next.wit {
                if roots.iter().any(|k| ks.contains(k)) {
                    return Err("acct.key_in_use");
                }
            }
            let old_wit: Vec<Id> = parent.wit.iter().flat_map(|w| w.0.clone()).collect();
            // With a commitment (06 §5.8), every root of the list accepts, kept ones included.
            let committing = matches!(body, Body::Roots { next: Some(_), .. });
            let mut new: Vec<Id> = roots
                .iter()
                .filter(|k| committing || !parent.roots.contains(k))
                .cloned()
                .collect();
            if let Some(Some((ks, _))) = witnesses {
                new.extend(ks.iter().filter(|k| !old_wit.contains(k)).cloned());
            }
            accepts(m, new)?;
            next.next = match body {
                Body::Roots { next, .. } => next.clone(),
                _ => None,
            };
            next.roots = roots.clone();
            next.ever_roots.extend(roots.iter().cloned());
        }
        Body::Delegate {
            app,
            scope,
            expires,
            label,
            ..
        } => {
            if parent.ever_roots.contains(app)
                || parent.apps.contains_key(app)
                || parent.ever_wit.contains(app)
            {
                return Err("acct.key_in_use");
            }
            accepts(m, vec![app.clone()])?;
            if *expires <= m.time {
                return Err("acct.expiry");
            }
            next.apps.insert(
                app.clone(),
                Grant {
                    scope: scope.clone(),
                    expires: *expires,
                    label: label.clone(),
                    at: m.time,
                    id: m.id.clone(),
                    rev: None,
                },
            );
        }
        Body::Revoke { app, cutoff, .. } => {
            let Some(g) = next.apps.get_mut(app) else {
                return Err("acct.not_delegated");
            };
            if g.rev.is_some() {
                return Err("acct.already_revoked");
            }
            g.rev = Some(match cutoff {
                None => Rev::All,
                Some((s, c)) => Rev::After(vec![(*s, c.clone())]),
            });
        }
        Body::EncKey { key, version, .. } => {
            if matches!(&parent.enc, Some((_, v)) if v >= version) {
                return Err("acct.enckey_version");
            }
            next.enc = Some((key.clone(), *version));
        }
    }
    Ok(next)
}

/// The applied set and the status of every id in it.
#[derive(Default)]
struct Ref {
    applied: BTreeMap<Id, Msg>,
    status: BTreeMap<Id, Status>,
}

impl Ref {
    fn apply(&mut self, m: &Msg) {
        let keep = self.applied.get(&m.id).is_none_or(|old| !old.whole);
        if keep {
            self.applied.insert(m.id.clone(), m.clone());
        }
        // Re-derive every undecided status until nothing changes.
        loop {
            let mut changed = false;
            let ids: Vec<Id> = self.applied.keys().cloned().collect();
            for id in ids {
                if matches!(
                    self.status.get(&id),
                    Some(Status::Valid { .. } | Status::Receipt { .. } | Status::Invalid(_))
                ) {
                    continue;
                }
                let new = self.decide(&self.applied[&id]);
                let old = self.status.get(&id).map(|s| Status::text(Some(s)));
                if new.as_ref().map(|s| Status::text(Some(s))) != old {
                    match new {
                        Some(s) => self.status.insert(id, s),
                        None => self.status.remove(&id),
                    };
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }

    fn decide(&self, m: &Msg) -> Option<Status> {
        let body = match m.body.as_ref()? {
            Err(code) => return Some(Status::Invalid(code)),
            Ok(b) => b,
        };
        match body {
            Body::Genesis {
                roots,
                witnesses,
                next,
                ..
            } => Some(if m.acct != ZERO {
                Status::Invalid("acct.genesis_account")
            } else if m.seq != 1 || m.key != roots[0] {
                Status::Invalid("acct.genesis_signer")
            } else if let Err(code) = accepts(
                m,
                roots
                    .iter()
                    .chain(witnesses.iter().flat_map(|w| w.0.iter()))
                    .cloned()
                    .collect(),
            ) {
                Status::Invalid(code)
            } else {
                Status::Valid {
                    acct: blake3::derive_key("skylark v1 account id", &m.header).to_vec(),
                    parent: None,
                    state: Box::new(State {
                        roots: roots.clone(),
                        ever_roots: roots.iter().cloned().collect(),
                        apps: BTreeMap::new(),
                        enc: None,
                        wit: witnesses.clone(),
                        ever_wit: witnesses
                            .iter()
                            .flat_map(|(ks, _)| ks.iter().cloned())
                            .collect(),
                        next: next.clone(),
                    }),
                }
            }),
            _ => {
                let p = body.after().unwrap();
                if let Body::Receipt { op } = body {
                    // 06 §8.6: the receipted operation, its account, then ACCT-16.
                    return Some(match self.status.get(op) {
                        Some(Status::Invalid(_) | Status::Receipt { .. }) => {
                            Status::Invalid("acct.parent_invalid")
                        }
                        Some(Status::Valid { acct, parent, .. }) => {
                            let witness_there = parent
                                .as_ref()
                                .is_some_and(|q| self.state_of(q).ever_wit.contains(&m.key));
                            if &m.acct != acct {
                                Status::Invalid("acct.account_mismatch")
                            } else if !witness_there {
                                Status::Invalid("acct.not_a_witness")
                            } else {
                                Status::Receipt {
                                    acct: acct.clone(),
                                    witness: m.key.clone(),
                                    op: op.clone(),
                                }
                            }
                        }
                        _ => Status::Waiting(op.clone()),
                    });
                }
                Some(match self.status.get(p) {
                    Some(Status::Invalid(_) | Status::Receipt { .. }) => {
                        Status::Invalid("acct.parent_invalid")
                    }
                    // ACCT-11: after the account check, nothing follows a deactivation.
                    Some(Status::Valid { acct, .. })
                        if &m.acct == acct
                            && matches!(
                                self.applied[p].body,
                                Some(Ok(Body::Deactivate { .. }))
                            ) =>
                    {
                        Status::Invalid("acct.deactivated")
                    }
                    Some(Status::Valid { acct, state, .. }) => match check(acct, state, m, body) {
                        Ok(state) => Status::Valid {
                            acct: acct.clone(),
                            parent: Some(p.clone()),
                            state: Box::new(state),
                        },
                        Err(code) => Status::Invalid(code),
                    },
                    _ => Status::Waiting(p.clone()),
                })
            }
        }
    }

    /// Every valid child of `p`, sorted by id.
    fn children(&self, p: &Id) -> Vec<Id> {
        let mut out: Vec<Id> = self
            .status
            .iter()
            .filter(|(_, s)| matches!(s, Status::Valid { parent: Some(q), .. } if q == p))
            .map(|(id, _)| id.clone())
            .collect();
        out.sort();
        out
    }

    fn body(&self, id: &Id) -> &Body {
        match &self.applied[id].body {
            Some(Ok(b)) => b,
            _ => unreachable!(),
        }
    }

    fn signer(&self, id: &Id) -> &Id {
        &self.applied[id].key
    }

    /// ACCT-11: the effective time (its own time) of the deactivation that is
    /// the head of `acct`'s canonical chain, if the head is one and the chain passes the witness
    /// gate.
    fn deactivated(&self, acct: &Id) -> Option<u64> {
        let (head, ..) = self.view(acct)?;
        if !matches!(self.body(&head), Body::Deactivate { .. }) {
            return None;
        }
        if !self.gated(&head) {
            return None;
        }
        Some(self.applied[&head].time)
    }

    /// The witness gate of ACCT-11: every operation from the genesis to `x` whose parent names
    /// witnesses is final at that parent (06 §8.6).
    fn gated(&self, x: &Id) -> bool {
        let mut at = x;
        while let Some(parent) = self.parent_of(at) {
            if self.state_of(parent).wit.is_some() && !self.is_final(at) {
                return false;
            }
            at = parent;
        }
        true
    }

    /// ACCT-13: the account `b` named by the last successor on `acct`'s canonical chain (nearest
    /// the head), if the valid genesis of `b` names `acct` as its predecessor.
    fn moved_to(&self, acct: &Id) -> Option<Id> {
        let (head, ..) = self.view(acct)?;
        let mut at = Some(&head);
        while let Some(x) = at {
            if let Body::Successor { to, .. } = self.body(x) {
                if !self.gated(x) {
                    return None; // the witness gate (06 §5.7)
                }
                let accepted = self.status.iter().any(|(id, st)| {
                    matches!(st, Status::Valid { acct: a, parent: None, .. } if a == to)
                        && matches!(self.body(id), Body::Genesis { predecessor: Some(p), .. } if p == acct)
                });
                return accepted.then(|| to.clone());
            }
            at = self.parent_of(x);
        }
        None
    }

    /// The commitment `x` makes of its own: the `next` of a `roots` operation naming one.
    fn own_next(&self, x: &Id) -> Option<&Vec<u8>> {
        match self.body(x) {
            Body::Roots { next, .. } => next.as_ref(),
            _ => None,
        }
    }

    /// The `genesis` or `roots` operation whose `next` `state(x).next` is (06 §8.1): the nearest
    /// of the two kinds from `x` up, if its state is committed.
    fn origin(&self, x: &Id) -> Option<Id> {
        let mut at = Some(x.clone());
        while let Some(y) = at {
            if matches!(self.body(&y), Body::Genesis { .. } | Body::Roots { .. }) {
                return self.state_of(&y).next.is_some().then_some(y);
            }
            at = self.parent_of(&y).cloned();
        }
        None
    }

    /// 06 §8.4 case 1 (and case 2 for a met commitment's defeated copies): the operations of the
    /// fork-choice subtree of `x`, and the superseded operations whose parent is in it (not what
    /// lies below them), pushed to `out`.
    fn contested_subtree(&self, x: &Id, out: &mut Vec<Id>) {
        let mut sub = Vec::new();
        self.subtree(x, &mut sub);
        for y in &sub {
            out.extend(self.children(y).into_iter().filter(|c| self.superseded(c)));
        }
        out.extend(sub);
    }

    /// 06 §8.1 "a met commitment breaks a copy's tie" (audit Q1): every tied child a committed
    /// act, more than one continued, exactly one (`C`) a `roots` operation naming `next` with a
    /// committed act in its subtree whose parent's commitment is `C`'s, and every other continued
    /// one naming no `next` of its own or `C`'s. Returns `C`'s index.
    fn met_commitment(
        &self,
        kids: &[Id],
        tied: &[usize],
        continued: &[usize],
        subtrees: &[Vec<Id>],
    ) -> Option<usize> {
        if continued.len() < 2 || !tied.iter().all(|&i| self.committed(&kids[i])) {
            return None;
        }
        let meets = |i: usize| {
            self.own_next(&kids[i]).is_some()
                && subtrees[i][1..].iter().any(|y| {
                    self.committed(y)
                        && self
                            .parent_of(y)
                            .and_then(|p| self.origin(p))
                            .is_some_and(|o| o == kids[i])
                })
        };
        let meeting: Vec<usize> = tied.iter().copied().filter(|&i| meets(i)).collect();
        let [c] = meeting[..] else {
            return None;
        };
        let own = self.own_next(&kids[c]);
        continued
            .iter()
            .filter(|&&i| i != c)
            .all(|&i| self.own_next(&kids[i]).is_none() || self.own_next(&kids[i]) == own)
            .then_some(c)
    }

    /// A `roots` operation whose new list omits its own signer (06 §8.1).
    fn self_retires(&self, id: &Id) -> bool {
        matches!(self.body(id), Body::Roots { roots, .. } if !roots.contains(self.signer(id)))
    }

    /// A committed act (ACCT-14): a `roots`, `deactivate` or `successor` operation whose parent
    /// state has a commitment.
    fn committed(&self, id: &Id) -> bool {
        matches!(
            self.body(id),
            Body::Roots { .. } | Body::Deactivate { .. } | Body::Successor { .. }
        ) && self
            .parent_of(id)
            .is_some_and(|p| self.state_of(p).next.is_some())
    }

    /// Does `x` count as signed by `k` at the fork points above it (06 §8.1)? Its signer, and
    /// for a committed rotation every root of its parent.
    fn signs_as(&self, x: &Id, k: &Id) -> bool {
        self.signer(x) == k
            || (self.committed(x)
                && self
                    .parent_of(x)
                    .is_some_and(|p| self.state_of(p).roots.contains(k)))
    }

    /// Is `x` a self-retirement of `k` (06 §8.1)? Signed by `k` and omitting it, or a committed
    /// rotation whose list omits `k`, a root of its parent.
    fn retires_as(&self, x: &Id, k: &Id) -> bool {
        // A committed deactivation or successor keeps no root (06 §8.1).
        let omits = match self.body(x) {
            Body::Roots { roots, .. } => !roots.contains(k),
            _ => self.committed(x),
        };
        omits && self.signs_as(x, k)
    }

    /// The list a committed act names (ACCT-14).
    fn listed(&self, x: &Id) -> Option<&Vec<Id>> {
        match self.body(x) {
            Body::Roots { roots, .. } => Some(roots),
            Body::Deactivate { reveals, .. } | Body::Successor { reveals, .. } => reveals.as_ref(),
            _ => None,
        }
    }

    fn parent_of(&self, id: &Id) -> Option<&Id> {
        match self.status.get(id) {
            Some(Status::Valid { parent, .. }) => parent.as_ref(),
            _ => None,
        }
    }

    /// Is `a` an ancestor of `d`, or `d` itself (following parents)?
    fn ancestor_or_self(&self, a: &Id, d: &Id) -> bool {
        let mut x = Some(d);
        while let Some(y) = x {
            if y == a {
                return true;
            }
            x = self.parent_of(y);
        }
        false
    }

    /// The valid receipts of account `acct`: witness -> receipted operations.
    fn receipts(&self, acct: &Id) -> BTreeMap<Id, BTreeSet<Id>> {
        let mut out: BTreeMap<Id, BTreeSet<Id>> = BTreeMap::new();
        for s in self.status.values() {
            if let Status::Receipt {
                acct: a,
                witness,
                op,
            } = s
            {
                if a == acct {
                    out.entry(witness.clone()).or_default().insert(op.clone());
                }
            }
        }
        out
    }

    /// 06 §8.6: witnesses with two receipted operations neither an ancestor of the other.
    fn duplicitous(&self, acct: &Id) -> BTreeSet<Id> {
        self.receipts(acct)
            .into_iter()
            .filter(|(_, ops)| {
                ops.iter().any(|a| {
                    ops.iter()
                        .any(|b| !self.ancestor_or_self(a, b) && !self.ancestor_or_self(b, a))
                })
            })
            .map(|(w, _)| w)
            .collect()
    }

    /// 06 §8.6: is `c` final — do `t` non-duplicitous witnesses of its parent's set endorse an
    /// operation of its subtree (the whole tree of valid operations)?
    fn is_final(&self, c: &Id) -> bool {
        let Some(Status::Valid {
            acct,
            parent: Some(p),
            ..
        }) = self.status.get(c)
        else {
            return false;
        };
        let Some((ks, t)) = &self.state_of(p).wit else {
            return false;
        };
        let dup = self.duplicitous(acct);
        let receipts = self.receipts(acct);
        let endorsing = ks
            .iter()
            .filter(|w| !dup.contains(*w))
            .filter(|w| {
                receipts
                    .get(*w)
                    .is_some_and(|ops| ops.iter().any(|x| self.ancestor_or_self(c, x)))
            })
            .count() as u64;
        endorsing >= *t
    }

    /// Does `x` supersede `y` (06 §8.1)? `y` a sibling of `x` signed by the same key with a smaller
    /// seq, not final, with no valid operation below it that counts as signed by a root of their
    /// parent or of `x`'s state; a self-retirement only by a `roots` operation with the same list.
    fn supersedes(&self, x: &Id, y: &Id) -> bool {
        if self.body(x).supersedes() != Some(y) || x == y || self.is_final(y) {
            return false;
        }
        let (Some(Status::Valid { parent: px, .. }), Some(Status::Valid { parent: py, .. })) =
            (self.status.get(x), self.status.get(y))
        else {
            return false;
        };
        if px != py || px.is_none() || self.signer(x) != self.signer(y) {
            return false;
        }
        if self.applied[y].seq >= self.applied[x].seq {
            return false;
        }
        let parent_roots = &self.state_of(px.as_ref().unwrap_or(y)).roots;
        let x_roots = &self.state_of(x).roots;
        let mut below = Vec::new();
        self.valid_subtree(y, &mut below);
        // Audit f2f8-2 M1: "counts as signed by" (a committed act: every root of its parent).
        if below[1..].iter().any(|c| {
            parent_roots
                .iter()
                .chain(x_roots.iter())
                .any(|k| self.signs_as(c, k))
        }) {
            return false;
        }
        if self.self_retires(y) || self.committed(y) {
            return match (self.body(x), self.listed(y)) {
                (Body::Roots { roots: a, .. }, Some(b)) => a == b,
                _ => false,
            };
        }
        true
    }

    fn superseded(&self, y: &Id) -> bool {
        let Some(Status::Valid {
            parent: Some(p), ..
        }) = self.status.get(y)
        else {
            return false;
        };
        self.children(p).iter().any(|x| self.supersedes(x, y))
    }

    /// The operations that finally supersede `y` (06 §8.4 case 3): following `supersedes` links
    /// from `y` to operations that are not themselves superseded.
    fn final_superseders(&self, y: &Id) -> Vec<Id> {
        let Some(Status::Valid {
            parent: Some(p), ..
        }) = self.status.get(y)
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for x in self.children(p) {
            if self.supersedes(&x, y) {
                if self.superseded(&x) {
                    out.extend(self.final_superseders(&x));
                } else {
                    out.push(x);
                }
            }
        }
        out
    }

    /// 06 §8.4 case 3 at chain operation `p`: its superseded children that an operation of `t` (its
    /// final child, or its children of minimal strength) finally supersedes.
    fn carried(&self, p: &Id, t: &[Id]) -> Vec<Id> {
        self.children(p)
            .into_iter()
            .filter(|y| {
                self.superseded(y) && self.final_superseders(y).iter().any(|x| t.contains(x))
            })
            .collect()
    }

    /// The children that take part in the fork choice: every valid child that is not superseded.
    fn fc_children(&self, p: &Id) -> Vec<Id> {
        self.children(p)
            .into_iter()
            .filter(|c| !self.superseded(c))
            .collect()
    }

    /// Every operation of the subtree of `c` in the tree of valid operations (superseded included).
    fn valid_subtree(&self, c: &Id, out: &mut Vec<Id>) {
        out.push(c.clone());
        for k in self.children(c) {
            self.valid_subtree(&k, out);
        }
    }

    /// Every operation of the fork-choice subtree of `c` (a superseded operation leaves it with its
    /// subtree).
    fn subtree(&self, c: &Id, out: &mut Vec<Id>) {
        out.push(c.clone());
        for k in self.fc_children(c) {
            self.subtree(&k, out);
        }
    }

    fn state_of(&self, id: &Id) -> &State {
        match self.status.get(id) {
            Some(Status::Valid { state, .. }) => state,
            _ => unreachable!(),
        }
    }

    /// ACCT-5: the head, the head state (with the revocations of §8.4), the contested list and the
    /// last final operation of the chain (06 §8.6).
    fn view(&self, acct: &Id) -> Option<(Id, State, Vec<Id>, Option<Id>)> {
        let genesis = self.status.iter().find_map(|(id, s)| match s {
            Status::Valid {
                acct: a,
                parent: None,
                ..
            } if a == acct => Some(id.clone()),
            _ => None,
        })?;
        // Revocations that also apply to the head state (§8.4).
        let mut sticky: Vec<Id> = Vec::new();
        let mut at = genesis;
        let mut last_final = None;
        let mut prefix = true;
        let contested = loop {
            let kids = self.fc_children(&at);
            if kids.is_empty() {
                break Vec::new();
            }
            // 06 §8.6: a final child wins outright; the final prefix grows while every chosen child
            // is final.
            if let Some(f) = kids.iter().find(|c| self.is_final(c)) {
                let f = f.clone();
                sticky.extend(self.carried(&at, std::slice::from_ref(&f)));
                if prefix {
                    last_final = Some(f.clone());
                }
                at = f;
                continue;
            }
            prefix = false;
            let roots = &self.state_of(&at).roots;
            let subtrees: Vec<Vec<Id>> = kids
                .iter()
                .map(|c| {
                    let mut v = Vec::new();
                    self.subtree(c, &mut v);
                    v
                })
                .collect();
            let strength = |i: usize| {
                roots
                    .iter()
                    .position(|k| {
                        let signed = subtrees[i].iter().any(|x| self.signs_as(x, k));
                        // Committed acts of one parent by one key speak for one commitment:
                        // their own retirements do not count against each other (P2).
                        let excused = |j: usize, x: &Id| {
                            x == &kids[j]
                                && self.committed(&kids[i])
                                && self.committed(&kids[j])
                                && self.signer(&kids[i]) == self.signer(&kids[j])
                        };
                        let retired_elsewhere = subtrees.iter().enumerate().any(|(j, t)| {
                            j != i && t.iter().any(|x| !excused(j, x) && self.retires_as(x, k))
                        });
                        signed && !retired_elsewhere
                    })
                    .unwrap_or(usize::MAX)
            };
            let strengths: Vec<usize> = (0..kids.len()).map(strength).collect();
            let best = *strengths.iter().min().unwrap();
            let tied: Vec<usize> = (0..kids.len()).filter(|&i| strengths[i] == best).collect();
            let t: Vec<Id> = tied.iter().map(|&i| kids[i].clone()).collect();
            sticky.extend(self.carried(&at, &t));
            // One key's leaves: the root of rank `best`, or one revealed key's committed rotations.
            let key = match tied.iter().all(|&i| self.committed(&kids[i])) {
                true => Some(self.signer(&kids[tied[0]]).clone()),
                false => roots.get(best).cloned(),
            };
            let by_key = key
                .as_ref()
                .is_some_and(|key| tied.iter().all(|&i| self.signer(&kids[i]) == key));
            let continued: Vec<usize> = tied
                .iter()
                .copied()
                .filter(|&i| !self.fc_children(&kids[i]).is_empty())
                .collect();
            // 06 §8.1: the key signed below the one continued child itself.
            let key_below = |i: usize| {
                subtrees[i][1..]
                    .iter()
                    .any(|x| key.as_ref().is_some_and(|k| self.signs_as(x, k)))
            };
            let next = if tied.len() == 1 {
                kids[tied[0]].clone()
            } else if by_key && continued.is_empty() {
                // Same-key leaves: the smallest id (kids are sorted); the others' revocations stay.
                for &i in &tied[1..] {
                    sticky.push(kids[i].clone());
                }
                kids[tied[0]].clone()
            } else if by_key && continued.len() == 1 && key_below(continued[0]) {
                // Same-key leaves, one of them continued by the key: it; the others' revocations stay.
                for &i in tied.iter().filter(|&&i| i != continued[0]) {
                    sticky.push(kids[i].clone());
                }
                kids[continued[0]].clone()
            } else if let Some(c) = self.met_commitment(&kids, &tied, &continued, &subtrees) {
                // A met commitment breaks a copy's tie (06 §8.1, audit Q1); the defeated copies'
                // revocations stay, as a contest's do (06 §8.4 case 2, audit-wm WM2).
                for &i in tied.iter().filter(|&&i| i != c) {
                    self.contested_subtree(&kids[i], &mut sticky);
                }
                kids[c].clone()
            } else {
                // Contested: every revocation in a contested subtree of the fork-choice tree, and
                // of the superseded operations whose parent is in it (not below them), stays.
                for &i in &tied {
                    self.contested_subtree(&kids[i], &mut sticky);
                }
                break tied.iter().map(|&i| kids[i].clone()).collect();
            };
            at = next;
        };
        let mut st = self.state_of(&at).clone();
        for v in &sticky {
            if let Body::Revoke { app, cutoff, .. } = self.body(v) {
                if let Some(g) = st.apps.get_mut(app) {
                    let new = match cutoff {
                        None => Rev::All,
                        Some((s, c)) => Rev::After(vec![(*s, c.clone())]),
                    };
                    g.rev = Some(match g.rev.take() {
                        None => new,
                        Some(old) => merge(old, new),
                    });
                }
            }
        }
        Some((at, st, contested, last_final))
    }
    fn state_json(&self, acct: &Id) -> Option<Json> {
        let (head, st, contested, last_final) = self.view(acct)?;
        let apps: Vec<Json> = st
            .apps
            .iter()
            .map(|(k, g)| {
                json!({
                    "key": hex(k),
                    "scope": g.scope,
                    "expires": g.expires,
                    "label": g.label,
                    "delegated_at": g.at,
                    "delegation": hex(&g.id),
                    "revocation": match &g.rev {
                        None => Json::Null,
                        Some(Rev::All) => json!("all"),
                        Some(Rev::After(cuts)) => {
                            let all: Vec<Json> = cuts
                                .iter()
                                .map(|(s, c)| json!({"seq": s, "id": hex(c)}))
                                .collect();
                            match all.as_slice() {
                                [one] => one.clone(),
                                _ => Json::Array(all),
                            }
                        }
                    },
                })
            })
            .collect();
        Some(json!({
            "account": hex(acct),
            "head": hex(&head),
            "roots": st.roots.iter().map(|r| hex(r)).collect::<Vec<_>>(),
            "apps": apps,
            "encryption": st.enc.as_ref().map_or(Json::Null, |(k, v)| json!({"key": hex(k), "version": v})),
            "contested": contested.iter().map(|c| hex(c)).collect::<Vec<_>>(),
            "witnesses": st.wit.as_ref().map_or(Json::Null, |(ks, t)| json!({
                "keys": ks.iter().map(|k| hex(k)).collect::<Vec<_>>(),
                "threshold": t,
            })),
            "final": last_final.as_ref().map_or(Json::Null, |f| json!(hex(f))),
            "duplicitous": self.duplicitous(acct).iter().map(|k| hex(k)).collect::<Vec<_>>(),
            "deactivated": self.deactivated(acct),
            "moved_to": self.moved_to(acct).map_or(Json::Null, |b| json!(hex(&b))),
        }))
    }

    // -------------------------------------------------------------------------------------------- AUTH

    /// AUTH-7: does the key of `m` hold capability `c`?
    fn grants(&self, m: &Msg, c: &str) -> Json {
        let Some((_, st, _, _)) = self.view(&m.acct) else {
            return json!({"missing": "account", "id": hex(&m.acct)});
        };
        match st.apps.get(&m.key) {
            None => json!("auth.not_delegated"),
            Some(g) if g.scope.iter().any(|x| x == c) => json!("authorized"),
            Some(_) => json!("auth.out_of_scope"),
        }
    }

    fn authorize(&self, m: &Msg, known: &BTreeMap<Id, Msg>) -> Json {
        let denied = |c: &str| json!(c);
        let missing = |what: &str, id: &Id| json!({"missing": what, "id": hex(id)});
        if OP_KINDS.contains(&m.kind.as_str()) {
            return match self.status.get(&m.id) {
                Some(Status::Valid { .. } | Status::Receipt { .. }) => json!("authorized"),
                Some(Status::Invalid(c)) => denied(c),
                Some(Status::Waiting(p)) => missing("message", p),
                None => json!({"missing": "key_authorization"}),
            };
        }
        // AUTH-1
        let Some((_, st, _, _)) = self.view(&m.acct) else {
            return missing("account", &m.acct);
        };
        // ACCT-11
        if self.deactivated(&m.acct).is_some_and(|end| m.time >= end) {
            return denied("auth.deactivated");
        }
        // AUTH-2, AUTH-3
        if st.roots.contains(&m.key) {
            return denied("auth.root_key_message");
        }
        let Some(g) = st.apps.get(&m.key) else {
            return denied("auth.not_delegated");
        };
        // AUTH-4
        let star = g.scope.first().is_some_and(|x| x == "*");
        if !((star && star_covers(&m.kind)) || g.scope.contains(&m.kind)) || capability(&m.kind) {
            return denied("auth.out_of_scope");
        }
        // AUTH-5
        if m.time < g.at {
            return denied("auth.before_delegation");
        }
        if m.time > g.expires {
            return denied("auth.expired");
        }
        // AUTH-6: every cutoff must keep M; a denial by any decides, else the first missing header.
        let cuts = match &g.rev {
            None => return json!("authorized"),
            Some(Rev::All) => return denied("auth.revoked"),
            Some(Rev::After(cuts)) => cuts,
        };
        let outcomes: Vec<Json> = cuts.iter().map(|(s, c)| kept(m, *s, c, known)).collect();
        let refused = outcomes
            .iter()
            .find(|o| o.as_str().is_some_and(|o| o != "authorized"));
        let unknown = outcomes.iter().find(|o| o.get("missing").is_some());
        refused
            .or(unknown)
            .cloned()
            .unwrap_or_else(|| json!("authorized"))
    }
}

/// AUTH-6 for one cutoff `(s, c)`: the walk of 06 §9.2 step 6.
fn kept(m: &Msg, s: u64, c: &Id, known: &BTreeMap<Id, Msg>) -> Json {
    let denied = |c: &str| json!(c);
    let missing = |what: &str, id: &Id| json!({"missing": what, "id": hex(id)});
    if m.seq > s {
        return denied("auth.revoked");
    }
    let mut x = c.clone();
    loop {
        if x == m.id {
            // M is the cutoff message itself: kept only if the cutoff names its real seq.
            return if &x == c && m.seq != s {
                denied("auth.revoked")
            } else {
                json!("authorized")
            };
        }
        let Some(h) = known.get(&x) else {
            return missing("message", &x);
        };
        if h.key != m.key || h.seq < m.seq || (&x == c && h.seq != s) || h.seq == m.seq {
            return denied("auth.revoked");
        }
        match &h.prev {
            Some(p) => x = p.clone(),
            None => return denied("auth.revoked"),
        }
    }
}

/// Two revocations together (06 §8.4): `all` over any cutoff; distinct cutoffs accumulate, and more
/// than two of them revoke the key entirely.
fn merge(a: Rev, b: Rev) -> Rev {
    match (a, b) {
        (Rev::After(mut x), Rev::After(y)) => {
            x.extend(y);
            x.sort();
            x.dedup();
            if x.len() > 2 {
                Rev::All
            } else {
                Rev::After(x)
            }
        }
        _ => Rev::All,
    }
}

// ------------------------------------------------------------------------------------------------ orders

fn permutations(n: usize) -> Vec<Vec<usize>> {
    fn go(prefix: &mut Vec<usize>, left: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if left.is_empty() {
            out.push(prefix.clone());
            return;
        }
        for i in 0..left.len() {
            let x = left.remove(i);
            prefix.push(x);
            go(prefix, left, out);
            prefix.pop();
            left.insert(i, x);
        }
    }
    let mut out = Vec::new();
    go(&mut Vec::new(), &mut (0..n).collect(), &mut out);
    out
}

/// The listed order, the reverse order, and every order when there are at most six messages.
fn orders(n: usize) -> Vec<Vec<usize>> {
    let listed: Vec<usize> = (0..n).collect();
    let reverse: Vec<usize> = (0..n).rev().collect();
    let mut out = vec![listed, reverse];
    if n <= 6 {
        out.extend(permutations(n));
    } else {
        // A few rotations as well.
        for k in 1..n {
            out.push((0..n).map(|i| (i + k) % n).collect());
        }
    }
    out
}

// ------------------------------------------------------------------------------------------------ the test

const RULES: &[&str] = &[
    "ACCT-1", "ACCT-2", "ACCT-3", "ACCT-4", "ACCT-5", "ACCT-6", "ACCT-7", "ACCT-8", "ACCT-9",
    "ACCT-10", "ACCT-11", "ACCT-12", "ACCT-13", "ACCT-14", "ACCT-15", "ACCT-16", "AUTH-1",
    "AUTH-2", "AUTH-3", "AUTH-4", "AUTH-5", "AUTH-6", "AUTH-7",
];

#[test]
fn account_vectors_agree_with_reference() {
    let doc = load("accounts.json");
    assert_eq!(doc["suite"], "accounts");
    let mut statuses_seen = BTreeSet::new();
    let mut outcomes_seen = BTreeSet::new();
    let mut rules_seen = BTreeSet::new();
    let mut contested = 0;
    let mut orders_run = 0;
    for v in vectors(&doc) {
        let id = s(v, "id");
        assert!(id.starts_with("acct-") || id.starts_with("threat-"), "{id}");
        assert!(!s(v, "description").is_empty(), "{id}");
        let rules = v["rules"].as_array().unwrap();
        assert!(!rules.is_empty(), "{id}");
        for r in rules {
            let r = r.as_str().unwrap();
            assert!(
                RULES.contains(&r) || r.starts_with("GEN-"),
                "{id}: rule {r}"
            );
            rules_seen.insert(r.to_string());
        }
        match s(v, "type") {
            "operations" => {
                let entries = v["operations"].as_array().unwrap();
                let ops: Vec<Msg> = entries.iter().map(|e| parse(s(e, "message"))).collect();
                let want: Vec<&str> = entries.iter().map(|e| s(e, "status")).collect();
                let state = v.get("state");
                if let Some(st) = state {
                    if !st["contested"].as_array().unwrap().is_empty() {
                        contested += 1;
                    }
                }
                for order in orders(ops.len()) {
                    orders_run += 1;
                    let mut r = Ref::default();
                    for &i in &order {
                        r.apply(&ops[i]);
                    }
                    for (op, w) in ops.iter().zip(&want) {
                        // No status (06 §7.1): the code verify_operation reports at step 1 or 2.
                        let got = match r.status.get(&op.id) {
                            None if !OP_KINDS.contains(&op.kind.as_str()) => {
                                "acct.not_an_operation".to_string()
                            }
                            None if !op.whole => "acct.stripped".to_string(),
                            s => Status::text(s),
                        };
                        assert_eq!(
                            got,
                            *w,
                            "{id}: status of {} in order {order:?}",
                            hex(&op.id)
                        );
                    }
                    match state {
                        Some(st) => {
                            let acct = unhex(s(st, "account"));
                            assert_eq!(
                                r.state_json(&acct).as_ref(),
                                Some(st),
                                "{id}: state in order {order:?}"
                            );
                        }
                        None => assert!(
                            !r.status
                                .values()
                                .any(|x| matches!(x, Status::Valid { parent: None, .. })),
                            "{id}: a valid genesis but no state"
                        ),
                    }
                }
                statuses_seen.extend(want.iter().map(|w| w.to_string()));
            }
            "authorization" => {
                let ops: Vec<Msg> = v["account_operations"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| parse(m.as_str().unwrap()))
                    .collect();
                let known: BTreeMap<Id, Msg> = v["known"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|k| {
                        let m = parse(k.as_str().unwrap());
                        (m.id.clone(), m)
                    })
                    .collect();
                let msg = parse(s(v, "message"));
                let expected = &v["expected"];
                for order in orders(ops.len()) {
                    orders_run += 1;
                    let mut r = Ref::default();
                    for &i in &order {
                        r.apply(&ops[i]);
                    }
                    let got = match v.get("capability") {
                        Some(c) => r.grants(&msg, c.as_str().unwrap()),
                        None => r.authorize(&msg, &known),
                    };
                    assert_eq!(&got, expected, "{id}: order {order:?}");
                }
                outcomes_seen.insert(match expected {
                    Json::String(x) => x.clone(),
                    Json::Object(o) => format!("missing {}", o["missing"].as_str().unwrap()),
                    other => panic!("{id}: expected {other}"),
                });
            }
            other => panic!("{id}: type {other}"),
        }
    }
    // Coverage.
    for code in [
        "valid",
        "waiting",
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
        "acct.not_an_operation",
        "acct.stripped",
    ] {
        assert!(
            statuses_seen.contains(code),
            "no operation has status {code}"
        );
    }
    for out in [
        "authorized",
        "auth.root_key_message",
        "auth.not_delegated",
        "auth.out_of_scope",
        "auth.before_delegation",
        "auth.expired",
        "auth.revoked",
        "auth.deactivated",
        "missing account",
        "missing message",
        "acct.not_a_root",
        "acct.parent_invalid",
    ] {
        assert!(
            outcomes_seen.contains(out),
            "no authorization vector expects {out}"
        );
    }
    for r in RULES {
        assert!(rules_seen.contains(*r), "no vector for {r}");
    }
    assert!(contested >= 5, "{contested} contested states");
    assert!(orders_run > 5_000, "{orders_run} orders");
}
