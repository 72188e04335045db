//! Groups with state (08 §5.6, DM-19..DM-21): membership records, forks, and group messages,
//! written from the spec: the records are built with this crate's CBOR writer and Ed25519, and the
//! head of each case is computed here by the spec's rule (smallest id at every fork, from the
//! creation record), not by replaying the library.

use super::*;

const CTX_GROUP: &str = "skylark v1 dm group record";
const GROUP_SIG_PREFIX: &[u8] = b"skylark v1 dm group\0";

/// A membership record: its bytes and id.
#[derive(Clone)]
pub(super) struct Rec {
    bytes: Vec<u8>,
    id: Vec<u8>,
    /// The id of the record it changes, as signed.
    prev: Option<Vec<u8>>,
}

fn list(accounts: &[&[u8]]) -> Value {
    let mut v: Vec<Vec<u8>> = accounts.iter().map(|a| a.to_vec()).collect();
    v.sort();
    Value::A(v.into_iter().map(Value::B).collect())
}

fn rec_payload(
    acct: &[u8],
    key: &Key,
    time: u64,
    link: Option<(&Rec, &Rec)>,
    members: &[&[u8]],
    admins: &[&[u8]],
) -> Vec<(String, Value)> {
    let mut e = vec![
        ("acct".to_string(), Value::B(acct.to_vec())),
        ("key".to_string(), Value::B(key.pk.to_vec())),
        ("time".to_string(), Value::U(time)),
        ("members".to_string(), list(members)),
        ("admins".to_string(), list(admins)),
    ];
    if let Some((group, prev)) = link {
        e.push(("group".to_string(), Value::B(group.id.clone())));
        e.push(("prev".to_string(), Value::B(prev.id.clone())));
    }
    e
}

fn rec_signed(entries: Vec<(String, Value)>, key: &Key) -> Rec {
    let p = encode(&Value::M(entries.clone()));
    let sig = key.sign(&[GROUP_SIG_PREFIX, &p].concat());
    let prev = entries_prev(&entries);
    let mut r = rec_raw(&encode(&Value::A(vec![
        Value::B(p),
        Value::B(sig.to_vec()),
    ])));
    r.prev = prev;
    r
}

fn entries_prev(entries: &[(String, Value)]) -> Option<Vec<u8>> {
    entries
        .iter()
        .find(|(k, _)| k == "prev")
        .and_then(|(_, v)| match v {
            Value::B(b) => Some(b.clone()),
            _ => None,
        })
}

fn rec_raw(bytes: &[u8]) -> Rec {
    Rec {
        id: blake3::derive_key(CTX_GROUP, bytes).to_vec(),
        bytes: bytes.to_vec(),
        prev: None,
    }
}

/// The head of a group after adding `held` in order, by the spec's rule: a record is added only
/// if its `prev` is held and it beats (or has no) sibling on the chain.
fn head_of(held: &[&Rec]) -> Option<Vec<u8>> {
    // chain: ids from the creation record to the head
    let mut chain: Vec<Vec<u8>> = Vec::new();
    for r in held {
        match r.prev.clone() {
            None if chain.is_empty() => chain.push(r.id.clone()),
            None => {}
            Some(p) => {
                if let Some(i) = chain.iter().position(|c| *c == p) {
                    if i + 1 == chain.len() || r.id < chain[i + 1] {
                        chain.truncate(i + 1);
                        chain.push(r.id.clone());
                    }
                }
            }
        }
    }
    chain.last().cloned()
}

pub(super) struct Ctx<'a> {
    pub alice: &'a Account,
    pub bob: &'a Account,
    pub carol: &'a Account,
    pub mallory: &'a Key,
    pub bob_phone: &'a Device,
    pub bob_laptop: &'a Device,
    pub all: J,
    pub now: u64,
    pub at: u64,
}

/// The group vectors: `group` vectors (a record added to held records) and group `open` vectors.
#[allow(clippy::type_complexity)]
pub(super) fn vectors(c: &Ctx, vs: &mut Vec<J>) {
    let (alice, bob, carol) = (c.alice, c.bob, c.carol);
    let (a, b, cc) = (&alice.id[..], &bob.id[..], &carol.id[..]);
    let t0 = c.at - 60 * MIN;
    // Alice creates a group of three with Alice and Bob as admins.
    let g0 = rec_signed(
        rec_payload(a, &alice.dm, t0, None, &[a, b, cc], &[a, b]),
        &alice.dm,
    );
    // Alice removes Carol.
    let g1 = rec_signed(
        rec_payload(a, &alice.dm, t0 + MIN, Some((&g0, &g0)), &[a, b], &[a, b]),
        &alice.dm,
    );
    // Concurrently, Bob makes Carol an admin: a fork at g0.
    let g1b = rec_signed(
        rec_payload(
            b,
            &bob.dm,
            t0 + MIN,
            Some((&g0, &g0)),
            &[a, b, cc],
            &[a, b, cc],
        ),
        &bob.dm,
    );
    let (win, lose) = if g1.id < g1b.id {
        (&g1, &g1b)
    } else {
        (&g1b, &g1)
    };
    // The losing branch extended by its own author.
    let lose_author = if std::ptr::eq(lose, &g1) { alice } else { bob };
    let lose2 = rec_signed(
        rec_payload(
            &lose_author.id,
            &lose_author.dm,
            t0 + 2 * MIN,
            Some((&g0, lose)),
            &[a, b],
            &[a, b],
        ),
        &lose_author.dm,
    );
    // Bad records (DM-19), each otherwise a valid change of g0 by Alice.
    let base = || rec_payload(a, &alice.dm, t0 + MIN, Some((&g0, &g0)), &[a, b], &[a, b]);
    let set = |e: &mut Vec<(String, Value)>, k: &str, v: Value| {
        e.iter_mut().find(|(n, _)| n == k).expect("key").1 = v;
    };
    let with = |f: &dyn Fn(&mut Vec<(String, Value)>)| {
        let mut e = base();
        f(&mut e);
        rec_signed(e, &alice.dm)
    };
    let bad_sig = {
        let mut bytes = g1.bytes.clone();
        let n = bytes.len();
        bytes[n - 1] ^= 1;
        rec_raw(&bytes)
    };
    let nine: Vec<Vec<u8>> = (0..9u8).map(|i| vec![i; 32]).collect();
    let bad_records: Vec<(&str, &str, Rec)> = vec![
        (
            "group-record-bad-signature",
            "the record's signature's last byte flipped",
            bad_sig,
        ),
        (
            "group-record-admin-not-member",
            "an admin that is not a member",
            with(&|e| set(e, "admins", list(&[a, cc]))),
        ),
        (
            "group-record-creator-not-admin",
            "a creation record whose author is not an admin",
            rec_signed(
                rec_payload(a, &alice.dm, t0, None, &[a, b], &[b]),
                &alice.dm,
            ),
        ),
        (
            "group-record-prev-without-group",
            "prev without group",
            with(&|e| e.retain(|(k, _)| k != "group")),
        ),
        (
            "group-record-unsorted",
            "members in descending order",
            with(&|e| {
                set(
                    e,
                    "members",
                    Value::A(vec![
                        Value::B(a.max(b).to_vec()),
                        Value::B(a.min(b).to_vec()),
                    ]),
                )
            }),
        ),
        (
            "group-record-nine-members",
            "nine members",
            with(&|e| {
                set(
                    e,
                    "members",
                    Value::A(nine.iter().map(|x| Value::B(x.clone())).collect()),
                )
            }),
        ),
        (
            "group-record-unknown-field",
            "a payload key without a dot that records do not define",
            with(&|e| e.push(("name".to_string(), t("friends")))),
        ),
    ];
    for (id, description, rec) in &bad_records {
        vs.push(group_vector(
            id,
            description,
            &[&g0],
            rec,
            c.all.clone(),
            Err("dm.group_record"),
        ));
    }
    // Records added to held records.
    let forged = rec_signed(
        rec_payload(a, c.mallory, t0 + MIN, Some((&g0, &g0)), &[a, b], &[a, b]),
        c.mallory,
    );
    let by_member = rec_signed(
        rec_payload(
            cc,
            &carol.dm,
            t0 + MIN,
            Some((&g0, &g0)),
            &[a, b, cc],
            &[cc],
        ),
        &carol.dm,
    );
    let readd = rec_signed(
        rec_payload(
            cc,
            &carol.dm,
            t0 + 2 * MIN,
            Some((&g0, &g1)),
            &[a, b, cc],
            &[a, b],
        ),
        &carol.dm,
    );
    let by_wildcard = rec_signed(
        rec_payload(a, &alice.wild, t0 + MIN, Some((&g0, &g0)), &[a, b], &[a, b]),
        &alice.wild,
    );
    // Carol, a member but not an admin, leaves: g0's members and admins without her. It forks
    // with g1 (Alice removing her): same members, another id.
    let by_carol = |prev: &Rec, time: u64, members: &[&[u8]], admins: &[&[u8]]| {
        rec_signed(
            rec_payload(cc, &carol.dm, time, Some((&g0, prev)), members, admins),
            &carol.dm,
        )
    };
    let leave = by_carol(&g0, t0 + MIN, &[a, b], &[a, b]);
    let leave_more = by_carol(&g0, t0 + MIN, &[a], &[a]);
    let outsider_leave = by_carol(&g1, t0 + 2 * MIN, &[a, b], &[a, b]);
    let (leave_win, leave_lose) = if leave.id < g1.id {
        (&leave, &g1)
    } else {
        (&g1, &leave)
    };
    let cases: Vec<(&str, &str, Vec<&Rec>, &Rec, J, Result<(), &str>)> = vec![
        ("group-create", "a creation record by an admin's DM key: a new group, the record is its head", vec![], &g0, c.all.clone(), Ok(())),
        ("group-change", "Alice (an admin) removes Carol: the change extends the head", vec![&g0], &g1, c.all.clone(), Ok(())),
        ("group-held-head", "the head, held already", vec![&g0, &g1], &g1, c.all.clone(), Ok(())),
        ("group-held-not-head", "a held record that a later change replaced", vec![&g0, &g1], &g0, c.all.clone(), Err("dm.group_stale")),
        ("group-fork-winner-first", "two admins change the creation record concurrently; the change with the smaller id arrived first: the other is stale", vec![&g0, win], lose, c.all.clone(), Err("dm.group_stale")),
        ("group-fork-loser-first", "the same fork, the change with the larger id first: the smaller id displaces it, so both orders end with the same head", vec![&g0, lose], win, c.all.clone(), Ok(())),
        ("group-fork-loser-extended", "the losing branch was extended before the winner arrived: the winner still displaces it, whatever the branch's length", vec![&g0, lose, &lose2], win, c.all.clone(), Ok(())),
        ("group-fork-below-loser", "a change of a record that lost its fork and is not held: undecided", vec![&g0, win], &lose2, c.all.clone(), Err("dm.group_unknown")),
        ("group-prev-unknown", "a change whose group is not held: undecided", vec![], &g1, c.all.clone(), Err("dm.group_unknown")),
        ("group-author-unknown", "the opener's state does not know the author's account: undecided", vec![], &g0, ops_json(&[bob]), Err("dm.group_unknown")),
        ("threat-group-forged-change", "Mallory signs a change claiming Alice's account with a key Alice never delegated", vec![&g0], &forged, c.all.clone(), Err("dm.group_unauthorized")),
        ("threat-group-member-not-admin", "Carol, a member but not an admin, makes herself the only admin", vec![&g0], &by_member, c.all.clone(), Err("dm.group_unauthorized")),
        ("threat-group-removed-readds", "Carol, removed, signs a change of the head that adds her back", vec![&g0, &g1], &readd, c.all.clone(), Err("dm.group_unauthorized")),
        ("threat-group-wildcard-app", "Alice's wildcard app key (scope [\"*\"]) signs a change: a wildcard never covers dm", vec![&g0], &by_wildcard, c.all.clone(), Err("dm.group_unauthorized")),
        ("group-leave", "Carol, a member but not an admin, leaves: the record is the creation record's members and admins without her", vec![&g0], &leave, c.all.clone(), Ok(())),
        ("group-leave-fork-winner-first", "Carol leaves while Alice removes her (a fork at the creation record); the smaller id arrived first: the other is stale", vec![&g0, leave_win], leave_lose, c.all.clone(), Err("dm.group_stale")),
        ("group-leave-fork-loser-first", "the same fork, the larger id first: the smaller id displaces it, so both orders end with the same head", vec![&g0, leave_lose], leave_win, c.all.clone(), Ok(())),
        ("threat-group-leave-removes-other", "Carol's \"leave\" also removes Bob: a member who is not an admin may take only herself out", vec![&g0], &leave_more, c.all.clone(), Err("dm.group_unauthorized")),
        ("threat-group-outsider-leave", "Carol, removed already, signs a \"leave\" of the head that removed her (no member changes): only a member leaves", vec![&g0, &g1], &outsider_leave, c.all.clone(), Err("dm.group_unauthorized")),
    ];
    for (id, description, held, rec, accounts, result) in cases {
        vs.push(group_vector(id, description, &held, rec, accounts, result));
    }

    // Group messages, opened by Bob's phone.
    let msg = |sender: &Account, rec: &Rec, to: &[&[u8]], text: &str| {
        inner_from(
            &payload(
                &sender.id,
                &sender.dm,
                c.at,
                to,
                text,
                vec![("group", Value::B(rec.bytes.clone()))],
            ),
            &sender.dm,
        )
    };
    let seal = |inner: &Inner, label: &str| {
        seal_plaintext(
            &padded(&inner.bytes),
            c.bob_phone.r(),
            &c.bob_phone.pq(),
            None,
            NO_ONETIME,
            secret(&format!("e group {label}")),
            secret(&format!("m group {label}")),
        )
        .sealed
    };
    let welcome = msg(alice, &g0, &[a, b, cc], "welcome to the group");
    let after_removal = msg(alice, &g1, &[a, b], "Carol has left");
    let sideways = msg(alice, &g0, &[a, b], "(Carol is told something else)");
    let carol_after = msg(carol, &g0, &[a, b, cc], "am I still here?");
    let carol_claims = msg(carol, &g1, &[a, b], "written as if a member");
    let goodbye = msg(carol, &leave, &[a, b], "I am leaving the group");
    let after_leaving = msg(carol, &leave, &[a, b], "still writing after leaving");
    let with_loser = msg(
        alice,
        lose,
        &lose_members(lose, &g1, a, b, cc),
        "on the losing branch",
    );
    let bad_record = {
        let mut bytes = g0.bytes.clone();
        let n = bytes.len();
        bytes[n - 1] ^= 1;
        inner_from(
            &payload(
                &alice.id,
                &alice.dm,
                c.at,
                &[a, b, cc],
                "bad record",
                vec![("group", Value::B(bytes))],
            ),
            &alice.dm,
        )
    };
    let not_bytes = inner_from(
        &payload(
            &alice.id,
            &alice.dm,
            c.at,
            &[a, b, cc],
            "group as text",
            vec![("group", t("friends"))],
        ),
        &alice.dm,
    );
    let keys = vec![c.bob_phone.keys_json(&[]), c.bob_laptop.keys_json(&[])];
    let opens: Vec<(&str, &str, &Inner, Option<Vec<&Rec>>, Result<(), &str>)> = vec![
        ("open-group-create", "Alice's first message to her new group carries the creation record: Bob holds nothing yet, the record becomes the head", &welcome, Some(vec![]), Ok(())),
        ("open-group-head-held", "a message naming the head Bob holds", &welcome, Some(vec![&g0]), Ok(())),
        ("open-group-change", "Alice's message after removing Carol carries the change: it extends Bob's head, and `to` is the new members", &after_removal, Some(vec![&g0]), Ok(())),
        ("open-group-before-removal", "Carol writes with the creation record before Bob holds her removal: it opens (a removed member reaches those who have not yet learned of the removal, 08 §9.6)", &carol_after, Some(vec![&g0]), Ok(())),
        ("threat-group-removed-member", "Carol writes with her last record after Bob holds her removal: the record is not the head", &carol_after, Some(vec![&g0, &g1]), Err("dm.group_stale")),
        ("threat-group-removed-member-claims-head", "Carol writes with the head that removed her: she is not a member", &carol_claims, Some(vec![&g0, &g1]), Err("dm.group_members")),
        ("threat-group-different-to", "Alice shows Bob a `to` without Carol while the record names all three: refused", &sideways, Some(vec![&g0]), Err("dm.group_members")),
        ("open-group-leave", "Carol announces her leave to Alice and Bob: she is not a member of the record, but its author, and Bob did not hold it", &goodbye, Some(vec![&g0]), Ok(())),
        ("threat-group-left-member-writes", "Carol writes again with her leave record once Bob holds it: she is not a member", &after_leaving, Some(vec![&g0, &leave]), Err("dm.group_members")),
        ("threat-group-fork-loser", "a message on the losing branch of a fork after the winner is held", &with_loser, Some(vec![&g0, win]), Err("dm.group_stale")),
        ("open-group-unknown-prev", "a message carrying a change whose group Bob does not hold: undecided", &after_removal, Some(vec![]), Err("dm.group_unknown")),
        ("open-group-no-state", "a group message opened without group state (`groups` absent): undecided", &welcome, None, Err("dm.group_unknown")),
        ("open-group-record-bad-signature", "the carried record's signature does not verify", &bad_record, Some(vec![]), Err("dm.group_record")),
        ("open-group-not-bytes", "`group` is a text string, not a record", &not_bytes, Some(vec![]), Err("dm.inner_body")),
    ];
    for (id, description, inner, held, result) in opens {
        let sealed = seal(inner, id);
        let mut v = open_vector(Open {
            id,
            description,
            sealed,
            opener: &bob.id,
            keys: keys.clone(),
            accounts: c.all.clone(),
            now: c.now,
            seen: vec![],
            result: result.map(|()| (inner, c.bob_phone, None)),
        });
        let J::O(fields) = &mut v else { unreachable!() };
        if result.is_ok() {
            let rules = fields
                .iter_mut()
                .find(|(k, _)| k == "rules")
                .expect("rules");
            if let J::A(r) = &mut rules.1 {
                r.extend(["DM-19", "DM-20", "DM-21"].map(J::from));
            }
        }
        if let Some(held) = held {
            fields.push((
                "groups".to_string(),
                strs(&held.iter().map(|r| hex(&r.bytes)).collect::<Vec<_>>()),
            ));
        }
        vs.push(v);
    }
}

/// The members of the losing record's message: the loser's own members.
fn lose_members<'a>(lose: &Rec, g1: &Rec, a: &'a [u8], b: &'a [u8], c: &'a [u8]) -> Vec<&'a [u8]> {
    if lose.id == g1.id {
        vec![a, b]
    } else {
        vec![a, b, c]
    }
}

fn group_vector(
    id: &str,
    description: &str,
    held: &[&Rec],
    rec: &Rec,
    accounts: J,
    result: Result<(), &str>,
) -> J {
    // The head after the case: the held records, and the record if it is added.
    let mut all = held.to_vec();
    if result.is_ok() {
        all.push(rec);
    }
    let head = head_of(&all);
    let (rules, error) = match result {
        Ok(()) => (vec!["DM-19", "DM-20", "DM-21"], None),
        Err(code) => (vec![rule(code)], Some(code)),
    };
    vector(
        id,
        description,
        &rules,
        error,
        vec![
            ("type", J::from("group")),
            (
                "held",
                strs(&held.iter().map(|r| hex(&r.bytes)).collect::<Vec<_>>()),
            ),
            ("record", hex(&rec.bytes).into()),
            ("accounts", accounts),
            ("head", head.map(|h| J::from(hex(&h))).unwrap_or(J::Null)),
        ],
    )
}
