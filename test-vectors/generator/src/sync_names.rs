//! The names part of `sync.json` (spec 09 §10, SYNC-12 and SYNC-13), written from the spec: a name's
//! grammar (05 PROFILE-3) checked label by label, the claim compared byte for byte, and the DNS and
//! well-known records read as the spec defines them.

use crate::util::{base32, hex, vector, J};

fn acct_text(b: &[u8; 32]) -> String {
    format!("acct_{}", base32(b))
}

/// 05 PROFILE-3, from the ABNF and its two extra conditions.
fn is_name(s: &str) -> bool {
    let labels: Vec<&str> = s.split('.').collect();
    s.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            let b = l.as_bytes();
            let alnum = |c: &u8| matches!(c, b'a'..=b'z' | b'0'..=b'9');
            !b.is_empty()
                && b.len() <= 63
                && alnum(&b[0])
                && alnum(&b[b.len() - 1])
                && b.iter().all(|c| alnum(c) || *c == b'-')
                && b.get(2..4) != Some(b"--")
        })
        && labels
            .last()
            .is_some_and(|l| l.as_bytes()[0].is_ascii_lowercase())
}

/// SYNC-13 then SYNC-12, in the spec's order: the code, or None when the name is confirmed.
fn decide(
    name: &str,
    account: &[u8; 32],
    claim: &str,
    dns: bool,
    records: &[Vec<u8>],
) -> Option<&'static str> {
    if !is_name(name) {
        return Some("sync.name_syntax");
    }
    if claim != name {
        return Some("sync.name_unclaimed");
    }
    let named: Vec<u8> = if dns {
        let ours: Vec<&Vec<u8>> = records.iter().filter(|r| r.starts_with(b"acct=")).collect();
        match ours.len() {
            0 => return Some("sync.name_no_record"),
            1 => ours[0][5..].to_vec(),
            _ => return Some("sync.name_ambiguous"),
        }
    } else {
        let body = &records[0];
        if body.is_empty() {
            return Some("sync.name_no_record");
        }
        body.strip_suffix(b"\n").unwrap_or(body).to_vec()
    };
    // The account's text form is exact (02 ID-4): compare bytes with the one canonical spelling,
    // after checking that the record holds some account's canonical text form.
    let is_text_form = named.len() == 57
        && named.starts_with(b"acct_")
        && named[5..]
            .iter()
            .all(|c| matches!(c, b'a'..=b'z' | b'2'..=b'7'))
        && {
            // 256 bits in 52 characters: the last character's low 4 bits are zero.
            let last = named[56];
            let v = if last.is_ascii_lowercase() {
                last - b'a'
            } else {
                last - b'2' + 26
            };
            v & 0x0f == 0
        };
    if !is_text_form {
        return Some("sync.name_record");
    }
    if named != acct_text(account).as_bytes() {
        return Some("sync.name_other_account");
    }
    None
}

pub fn vectors() -> Vec<J> {
    let a = [0xa1u8; 32];
    let b = [0xb2u8; 32];
    let ta = acct_text(&a);
    let tb = acct_text(&b);
    let txt = |s: &str| s.as_bytes().to_vec();
    let alice = "alice.example";
    // (id, description, name, claim, dns?, records)
    type Case<'a> = (&'a str, &'a str, String, String, bool, Vec<Vec<u8>>);
    let cases: Vec<Case> = vec![
        (
            "name-dns",
            "a TXT record acct=… among other TXT records: confirmed",
            alice.into(),
            alice.into(),
            true,
            vec![txt("v=spf1 -all"), txt(&format!("acct={ta}"))],
        ),
        (
            "name-well-known",
            "a well-known document of the text form and a line feed: confirmed",
            alice.into(),
            alice.into(),
            false,
            vec![txt(&format!("{ta}\n"))],
        ),
        (
            "name-well-known-no-line-feed",
            "a well-known document of the text form alone: confirmed",
            alice.into(),
            alice.into(),
            false,
            vec![txt(&ta)],
        ),
        (
            "name-deep",
            "a name of four labels with digits and hyphens",
            "a-1.b2.c-d.example".into(),
            "a-1.b2.c-d.example".into(),
            true,
            vec![txt(&format!("acct={ta}"))],
        ),
        (
            "threat-name-stale-claim",
            "the domain still names the account, but its current profile claims another name (the claim was replaced): not confirmed",
            alice.into(),
            "alice-new.example".into(),
            true,
            vec![txt(&format!("acct={ta}"))],
        ),
        (
            "name-no-claim",
            "the account's current profile claims no name (claim empty): not confirmed",
            alice.into(),
            String::new(),
            true,
            vec![txt(&format!("acct={ta}"))],
        ),
        (
            "threat-name-other-account",
            "the account claims the name, the domain names another account: not confirmed",
            alice.into(),
            alice.into(),
            true,
            vec![txt(&format!("acct={tb}"))],
        ),
        (
            "threat-name-other-account-well-known",
            "the same over the well-known document",
            alice.into(),
            alice.into(),
            false,
            vec![txt(&format!("{tb}\n"))],
        ),
        (
            "name-no-record",
            "TXT records, none of them acct=…",
            alice.into(),
            alice.into(),
            true,
            vec![txt("v=spf1 -all")],
        ),
        ("name-no-txt", "no TXT record at all", alice.into(), alice.into(), true, vec![]),
        (
            "name-txt-prefix-case",
            "ACCT=… in upper case is not a Skylark record (the prefix is exact)",
            alice.into(),
            alice.into(),
            true,
            vec![txt(&format!("ACCT={ta}"))],
        ),
        (
            "threat-name-two-records",
            "two TXT records naming two accounts: ambiguous, neither is confirmed",
            alice.into(),
            alice.into(),
            true,
            vec![txt(&format!("acct={ta}")), txt(&format!("acct={tb}"))],
        ),
        (
            "name-two-equal-records",
            "the same acct=… record twice: still ambiguous (exactly one is required)",
            alice.into(),
            alice.into(),
            true,
            vec![txt(&format!("acct={ta}")), txt(&format!("acct={ta}"))],
        ),
        (
            "name-record-upper-case",
            "acct= followed by the text form in upper case (ID-4 is lower case)",
            alice.into(),
            alice.into(),
            true,
            vec![txt(&format!("acct={}", ta.to_uppercase()))],
        ),
        (
            "name-record-space",
            "a space after acct=",
            alice.into(),
            alice.into(),
            true,
            vec![txt(&format!("acct= {ta}"))],
        ),
        (
            "name-record-message-id",
            "a msg_ text form instead of an acct_ one",
            alice.into(),
            alice.into(),
            true,
            vec![txt(&format!("acct=msg_{}", &ta[5..]))],
        ),
        (
            "name-record-non-canonical",
            "a text form whose last character has a low bit set (02 ID-4: non-canonical)",
            alice.into(),
            alice.into(),
            true,
            vec![txt(&format!("acct={}b", &ta[..56]))],
        ),
        (
            "name-well-known-crlf",
            "a well-known document ending in CR LF",
            alice.into(),
            alice.into(),
            false,
            vec![txt(&format!("{ta}\r\n"))],
        ),
        (
            "name-well-known-two-line-feeds",
            "a well-known document ending in two line feeds",
            alice.into(),
            alice.into(),
            false,
            vec![txt(&format!("{ta}\n\n"))],
        ),
        (
            "name-well-known-json",
            "a JSON document instead of the bare text form",
            alice.into(),
            alice.into(),
            false,
            vec![txt(&format!("{{\"acct\":\"{ta}\"}}"))],
        ),
        ("name-well-known-empty", "an empty well-known document", alice.into(), alice.into(), false, vec![vec![]]),
        (
            "threat-name-lookalike-cyrillic",
            "\"аpple.example\" with a Cyrillic а (U+0430): not a name, even if claimed and confirmed",
            "\u{430}pple.example".into(),
            "\u{430}pple.example".into(),
            true,
            vec![txt(&format!("acct={ta}"))],
        ),
        (
            "threat-name-lookalike-punycode",
            "\"xn--pple-43d.example\", the A-label of the Cyrillic look-alike: not a name",
            "xn--pple-43d.example".into(),
            "xn--pple-43d.example".into(),
            true,
            vec![txt(&format!("acct={ta}"))],
        ),
        (
            "name-unicode",
            "\"bücher.example\": Unicode names are not names in this draft",
            "b\u{fc}cher.example".into(),
            "b\u{fc}cher.example".into(),
            false,
            vec![txt(&ta)],
        ),
        (
            "name-upper-case",
            "\"Alice.example\" asked for a claim of alice.example: names are not case-folded",
            "Alice.example".into(),
            alice.into(),
            true,
            vec![txt(&format!("acct={ta}"))],
        ),
    ];
    cases
        .into_iter()
        .map(|(id, description, name, claim, dns, records)| {
            let code = decide(&name, &a, &claim, dns, &records);
            let rule = match code {
                Some("sync.name_no_record" | "sync.name_ambiguous" | "sync.name_record") => {
                    "SYNC-12"
                }
                _ => "SYNC-13",
            };
            let rules: &[&str] = if code.is_none() {
                &["SYNC-12", "SYNC-13"]
            } else {
                &[rule]
            };
            vector(
                id,
                description,
                rules,
                code,
                vec![
                    ("type", "name".into()),
                    ("name", J::S(name)),
                    ("account", J::S(hex(&a))),
                    ("claim", J::S(claim)),
                    (
                        "record",
                        J::S(if dns { "dns" } else { "well-known" }.into()),
                    ),
                    (
                        "records",
                        J::A(records.iter().map(|r| J::S(hex(r))).collect()),
                    ),
                ],
            )
        })
        .collect()
}
