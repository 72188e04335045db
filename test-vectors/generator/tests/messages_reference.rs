//! An independent derivation of every `messages.json` verdict: a small layer-2 validator written from the
//! design brief (section 0 order, section 1 common rules, section 2 kinds), run over the checked-in JSON the
//! way an implementation in any language would consume it. The generator DECLARES each expected outcome
//! case by case; this validator computes it. Both must agree on every vector, so a mistake in a
//! declaration (or here) fails the build.
//!
//! Where the brief leaves a point open, this validator follows the resolutions listed in
//! `test-vectors/README.md` (messages.json section).

mod common;

use std::collections::BTreeSet;

use common::*;
use serde_json::Value as Json;
use skylark_test_vectors::util::{hex, unhex};

type R = Result<(), &'static str>;

// ------------------------------------------------------------------------------------------------ values

fn bstr32(v: &Item) -> Result<&[u8], &'static str> {
    match v {
        Item::B(b) if b.len() == 32 => Ok(b),
        _ => Err("msg.wrong_type"),
    }
}

fn uint(v: &Item) -> Result<u64, &'static str> {
    match v {
        Item::U(n) => Ok(*n),
        _ => Err("msg.wrong_type"),
    }
}

fn text(v: &Item) -> Result<&str, &'static str> {
    match v {
        Item::T(s) => Ok(s),
        _ => Err("msg.wrong_type"),
    }
}

/// A text field of 1..=max_s scalar values and at most max_b bytes.
fn bounded(v: &Item, max_s: usize, max_b: usize) -> R {
    let s = text(v)?;
    if s.is_empty() {
        return Err("msg.too_short");
    }
    if s.chars().count() > max_s || s.len() > max_b {
        return Err("msg.too_long");
    }
    Ok(())
}

/// A present list: non-empty, at most `max` elements; returns them.
fn list(v: &Item, max: usize) -> Result<&[Item], &'static str> {
    let Item::A(items) = v else {
        return Err("msg.wrong_type");
    };
    if items.is_empty() {
        return Err("msg.too_short");
    }
    if items.len() > max {
        return Err("msg.too_many");
    }
    Ok(items)
}

/// One field of a map schema: name, required, and the value check (type first, then its own rules).
struct F<'a>(&'static str, bool, &'a dyn Fn(&Item) -> R);

/// The field-check discipline: (1) keys in encoded order: an un-dotted unknown key is msg.unknown_field,
/// a dotted one is ignored; (2) required keys in schema order; (3) known values in encoded key order.
fn fields(item: &Item, schema: &[F]) -> R {
    let Item::M(entries) = item else {
        return Err("msg.wrong_type");
    };
    for (k, _) in entries {
        if !k.contains('.') && !schema.iter().any(|f| f.0 == k) {
            return Err("msg.unknown_field");
        }
    }
    for f in schema {
        if f.1 && !entries.iter().any(|(k, _)| k == f.0) {
            return Err("msg.missing_field");
        }
    }
    for (k, v) in entries {
        if let Some(f) = schema.iter().find(|f| f.0 == k) {
            (f.2)(v)?;
        }
    }
    Ok(())
}

fn field<'a>(item: &'a Item, k: &str) -> Option<&'a Item> {
    match item {
        Item::M(e) => get(e, k),
        _ => None,
    }
}

// ------------------------------------------------------------------------------------------------ rules

/// PROFILE-3: the `dns-name` of 05 §5.1, label by label.
fn dns_name(s: &str) -> bool {
    let labels: Vec<&str> = s.split('.').collect();
    let label_ok = |l: &&str| {
        let b = l.as_bytes();
        let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
        (1..=63).contains(&b.len())
            && alnum(b[0])
            && alnum(b[b.len() - 1])
            && b.iter().all(|&c| alnum(c) || c == b'-')
            && !(b.len() >= 4 && &b[2..4] == b"--")
    };
    s.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(label_ok)
        && labels[labels.len() - 1].as_bytes()[0].is_ascii_lowercase()
}

/// PROFILE-2: `https://` dns-name [":" port].
fn host_url(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("https://") else {
        return false;
    };
    let (name, port) = rest
        .split_once(':')
        .map_or((rest, None), |(n, p)| (n, Some(p)));
    let port_ok = |p: &str| {
        !p.is_empty()
            && p.len() <= 5
            && !p.starts_with('0')
            && p.bytes().all(|c| c.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|n| n <= 65_535)
    };
    dns_name(name) && port.is_none_or(port_ok)
}

/// MSG-5.
fn url(v: &Item) -> R {
    let s = text(v)?;
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    let good = s.len() <= 2048
        && s.bytes().all(|c| (0x21..=0x7e).contains(&c))
        && rest.is_some_and(|r| !r.is_empty());
    if good {
        Ok(())
    } else {
        Err("msg.invalid_url")
    }
}

/// MSG-6 grammar: alpha{2,3} *("-" alnum{1,8}), 2..=35 ASCII bytes.
fn lang_ok(s: &str) -> bool {
    if !s.is_ascii() || !(2..=35).contains(&s.len()) {
        return false;
    }
    let mut parts = s.split('-');
    let first = parts.next().unwrap_or("");
    (2..=3).contains(&first.len())
        && first.bytes().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|c| c.is_ascii_alphanumeric()))
}

fn langs(v: &Item) -> R {
    let items = list(v, 3)?;
    let mut seen: Vec<String> = Vec::new();
    for i in items {
        let s = text(i)?;
        if !lang_ok(s) {
            return Err("msg.invalid_lang");
        }
        let low = s.to_ascii_lowercase();
        if seen.contains(&low) {
            return Err("msg.duplicate");
        }
        seen.push(low);
    }
    Ok(())
}

/// MEDIA-2.
fn mime_ok(s: &str) -> bool {
    let part = |p: &str| {
        (1..=63).contains(&p.len())
            && p.bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || b"!#$&^_.+-".contains(&c))
    };
    match s.split_once('/') {
        Some((ty, sub)) => s.len() <= 127 && part(ty) && part(sub),
        None => false,
    }
}

fn range(lo: u64, hi: u64) -> impl Fn(&Item) -> R {
    move |v| {
        let n = uint(v)?;
        if (lo..=hi).contains(&n) {
            Ok(())
        } else {
            Err("msg.out_of_range")
        }
    }
}

/// MEDIA-1..5.
fn media(v: &Item) -> R {
    let mime_check = |v: &Item| {
        if mime_ok(text(v)?) {
            Ok(())
        } else {
            Err("msg.invalid_media_type")
        }
    };
    fields(
        v,
        &[
            F("hash", true, &|v| bstr32(v).map(|_| ())),
            F("mime", true, &mime_check),
            F("size", true, &range(1, 104_857_600)),
            F("width", false, &range(1, 65535)),
            F("height", false, &range(1, 65535)),
            F("alt", false, &|v| bounded(v, 2000, 8000)),
        ],
    )?;
    let (w, h) = (field(v, "width").is_some(), field(v, "height").is_some());
    if w != h {
        return Err("msg.dimensions");
    }
    let mime = field(v, "mime").and_then(|m| text(m).ok()).unwrap_or("");
    if (mime.starts_with("image/") || mime.starts_with("video/")) && !w {
        return Err("msg.dimensions");
    }
    Ok(())
}

const WS: &[u32] = &[
    0x9, 0xa, 0xb, 0xc, 0xd, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004,
    0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
];

fn has_ws(s: &str) -> bool {
    s.chars().any(|c| WS.contains(&(c as u32)))
}

/// One facet: its fields, with FACET-1 and FACET-2 at the "type" value; then FACET-3, -4 against the
/// text; then FACET-5 against the previous facet's end; then FACET-7 (at most 10 mentions, counted
/// in `mentions`).
fn facet(v: &Item, txt: Option<&str>, prev_end: &mut Option<u64>, mentions: &mut u32) -> R {
    let ty_check = |t: &Item| {
        let need = match text(t)? {
            "mention" => "account",
            "link" => "url",
            "tag" => "tag",
            _ => return Err("msg.invalid_facet_type"),
        };
        for f in ["account", "url", "tag"] {
            if field(v, f).is_some() != (f == need) {
                return Err("msg.facet_fields");
            }
        }
        Ok(())
    };
    let tag_check = |v: &Item| {
        bounded(v, 64, 640)?;
        if has_ws(text(v)?) {
            Err("msg.invalid_tag")
        } else {
            Ok(())
        }
    };
    fields(
        v,
        &[
            F("start", true, &|v| uint(v).map(|_| ())),
            F("end", true, &|v| uint(v).map(|_| ())),
            F("type", true, &ty_check),
            F("account", false, &|v| bstr32(v).map(|_| ())),
            F("url", false, &url),
            F("tag", false, &tag_check),
        ],
    )?;
    let start = field(v, "start").and_then(|x| uint(x).ok()).unwrap_or(0);
    let end = field(v, "end").and_then(|x| uint(x).ok()).unwrap_or(0);
    if let Some(txt) = txt {
        if !(start < end && end <= txt.len() as u64) {
            return Err("msg.facet_range");
        }
        if !txt.is_char_boundary(start as usize) || !txt.is_char_boundary(end as usize) {
            return Err("msg.facet_boundary");
        }
    }
    if let Some(p) = *prev_end {
        if start < p {
            return Err("msg.facet_order");
        }
    }
    *prev_end = Some(end);
    if field(v, "type").and_then(|t| text(t).ok()) == Some("mention") {
        if *mentions == 10 {
            return Err("msg.too_many_mentions");
        }
        *mentions += 1;
    }
    Ok(())
}

/// POST-3 (dispatch on "type", then that embed's schema); returns whether it is a card.
fn embed(v: &Item) -> Result<bool, &'static str> {
    let Item::M(e) = v else {
        return Err("msg.wrong_type");
    };
    let ty = match get(e, "type") {
        None => return Err("msg.missing_field"),
        Some(t) => text(t)?,
    };
    let any_text = |v: &Item| text(v).map(|_| ());
    match ty {
        "media" => {
            fields(v, &[F("type", true, &any_text), F("media", true, &media)]).map(|_| false)
        }
        "card" => fields(
            v,
            &[
                F("type", true, &any_text),
                F("url", true, &url),
                F("title", false, &|v| bounded(v, 300, 1200)),
                F("description", false, &|v| bounded(v, 1000, 4000)),
                F("thumb", false, &media),
            ],
        )
        .map(|_| true),
        _ => Err("msg.invalid_embed_type"),
    }
}

const VOCAB: &[&str] = &[
    "!hide",
    "!warn",
    "porn",
    "sexual",
    "nudity",
    "graphic-media",
    "gore",
    "spoiler",
    "spam",
    "impersonation",
    "misleading",
    "hate",
    "harassment",
    "self-harm",
];
const SELF: &[&str] = &[
    "porn",
    "sexual",
    "nudity",
    "graphic-media",
    "gore",
    "spoiler",
];

fn custom_label(s: &str) -> bool {
    s.contains('.') && valid_kind(s)
}

fn self_labels(v: &Item) -> R {
    let items = list(v, 8)?;
    let mut seen: Vec<&str> = Vec::new();
    for i in items {
        let s = text(i)?;
        if !(SELF.contains(&s) || custom_label(s)) {
            return Err("msg.invalid_label");
        }
        if seen.contains(&s) {
            return Err("msg.duplicate");
        }
        seen.push(s);
    }
    Ok(())
}

/// post and edit share their field rules; `edit` adds target/replaces and drops quote/reply.
fn post_like(body: &Item, edit: bool) -> R {
    let txt = field(body, "text").and_then(|x| text(x).ok());
    let cards = std::cell::Cell::new(0usize);
    let embeds = |v: &Item| {
        for e in list(v, 4)? {
            if embed(e)? {
                cards.set(cards.get() + 1);
            }
        }
        Ok(())
    };
    let facets = |v: &Item| {
        let mut prev = None;
        let mut mentions = 0;
        for f in list(v, 64)? {
            facet(f, txt, &mut prev, &mut mentions)?;
        }
        Ok(())
    };
    let reply = |v: &Item| {
        let id = |v: &Item| bstr32(v).map(|_| ());
        fields(v, &[F("root", true, &id), F("parent", true, &id)])
    };
    let id = |v: &Item| bstr32(v).map(|_| ());
    let mut schema = vec![
        F("text", false, &|v| bounded(v, 1000, 3000)),
        F("langs", false, &langs),
        F("embeds", false, &embeds),
        F("facets", false, &facets),
        F("labels", false, &self_labels),
    ];
    if edit {
        schema.push(F("target", true, &id));
        schema.push(F("replaces", true, &id));
    } else {
        schema.push(F("quote", false, &id));
        schema.push(F("reply", false, &reply));
        schema.push(F("quote_version", false, &id));
    }
    fields(body, &schema)?;
    let has = |k| field(body, k).is_some();
    if has("facets") && !has("text") {
        return Err("msg.facet_range");
    }
    if !(has("text") || has("embeds") || (!edit && has("quote"))) {
        return Err("msg.empty_post");
    }
    if cards.get() > 1 {
        return Err("msg.too_many");
    }
    if !edit && has("quote_version") && !has("quote") {
        return Err("msg.missing_field"); // POST-6
    }
    Ok(())
}

const CORE: &[&str] = &[
    "profile", "post", "edit", "delete", "react", "unreact", "repost", "unrepost", "follow",
    "unfollow", "block", "unblock", "label", "report", "gate",
];

/// The control kinds (05 MSG-7).
const CONTROL_KINDS: &[&str] = &[
    "profile", "edit", "delete", "unreact", "unrepost", "follow", "unfollow", "block", "unblock",
    "label", "gate",
];

struct Hdr {
    key: Vec<u8>,
    seq: u64,
    acct: Vec<u8>,
    kind: String,
    prev: Option<Vec<u8>>,
    time: u64,
}

fn hdr(v: &Verified) -> Hdr {
    let f = |k: &str| get(&v.fields, k);
    let bytes = |k: &str| match f(k) {
        Some(Item::B(b)) => Some(b.clone()),
        _ => None,
    };
    let num = |k: &str| match f(k) {
        Some(Item::U(n)) => *n,
        _ => unreachable!(),
    };
    let Some(Item::T(kind)) = f("kind") else {
        unreachable!()
    };
    Hdr {
        key: bytes("key").unwrap(),
        seq: num("seq"),
        acct: bytes("acct").unwrap(),
        kind: kind.clone(),
        prev: bytes("prev"),
        time: num("time"),
    }
}

/// Step 1: the body rules of a core kind.
fn body_rules(kind: &str, body: &Item, h: &Hdr) -> R {
    let id = |v: &Item| bstr32(v).map(|_| ());
    let target = [F("target", true, &id)];
    match kind {
        "profile" => {
            let pic = |v: &Item| {
                media(v)?;
                let mime = field(v, "mime").and_then(|m| text(m).ok()).unwrap_or("");
                if mime.starts_with("image/") {
                    Ok(())
                } else {
                    Err("msg.invalid_media_type")
                }
            };
            let links = |v: &Item| list(v, 4)?.iter().try_for_each(url);
            let hosts = |v: &Item| {
                let items = list(v, 4)?;
                for (i, h) in items.iter().enumerate() {
                    let t = text(h)?;
                    if !host_url(t) {
                        return Err("msg.invalid_host");
                    }
                    if items[..i].iter().any(|e| text(e).ok() == Some(t)) {
                        return Err("msg.duplicate");
                    }
                }
                Ok(())
            };
            let handle = |v: &Item| {
                if dns_name(text(v)?) {
                    Ok(())
                } else {
                    Err("msg.invalid_name")
                }
            };
            fields(
                body,
                &[
                    F("bio", false, &|v| bounded(v, 256, 1024)),
                    F("name", false, &|v| bounded(v, 64, 256)),
                    F("links", false, &links),
                    F("avatar", false, &pic),
                    F("banner", false, &pic),
                    F("hosts", false, &hosts),
                    F("handle", false, &handle),
                ],
            )
        }
        "post" => post_like(body, false),
        "edit" => post_like(body, true),
        "delete" | "unreact" | "unrepost" => fields(body, &target),
        // A repost may pin the version it saw (05 §5.6).
        "repost" => fields(body, &[F("target", true, &id), F("version", false, &id)]),
        "react" => {
            let emoji = |v: &Item| {
                bounded(v, 16, 64)?;
                let s = text(v)?;
                let control = s
                    .chars()
                    .any(|c| (c as u32) <= 0x1f || (0x7f..=0x9f).contains(&(c as u32)));
                if has_ws(s) || control {
                    Err("msg.invalid_emoji")
                } else {
                    Ok(())
                }
            };
            fields(
                body,
                &[
                    F("target", true, &id),
                    F("emoji", false, &emoji),
                    F("version", false, &id),
                ],
            )
        }
        "follow" | "unfollow" | "block" | "unblock" => {
            let subject = |v: &Item| {
                if bstr32(v)? == h.acct.as_slice() {
                    Err("msg.self_reference")
                } else {
                    Ok(())
                }
            };
            fields(body, &[F("subject", true, &subject)])
        }
        "label" => {
            let value = |v: &Item| {
                let s = text(v)?;
                if VOCAB.contains(&s) || custom_label(s) {
                    Ok(())
                } else {
                    Err("msg.invalid_label")
                }
            };
            let negate = |v: &Item| match v {
                Item::Bool(true) => Ok(()),
                Item::Bool(false) => Err("msg.non_canonical_flag"),
                _ => Err("msg.wrong_type"),
            };
            let expires = |v: &Item| {
                let n = uint(v)?;
                if n > h.time && n <= MAX53 {
                    Ok(())
                } else {
                    Err("msg.out_of_range")
                }
            };
            fields(
                body,
                &[
                    F("account", false, &id),
                    F("message", false, &id),
                    F("value", true, &value),
                    F("negate", false, &negate),
                    F("expires", false, &expires),
                ],
            )?;
            one_subject(body)
        }
        // GATE-1 (05 §5.11): audiences known and distinct, "nobody" alone; hidden ids distinct.
        "gate" => {
            let audiences = |v: &Item| {
                let mut seen: Vec<&str> = Vec::new();
                for x in list(v, 3)? {
                    let a = text(x)?;
                    if !matches!(a, "followers" | "mentioned" | "following" | "nobody") {
                        return Err("msg.invalid_audience");
                    }
                    if seen.contains(&a) {
                        return Err("msg.duplicate");
                    }
                    seen.push(a);
                }
                if seen.len() > 1 && seen.contains(&"nobody") {
                    return Err("msg.invalid_audience");
                }
                Ok(())
            };
            let hidden = |v: &Item| {
                let mut ids: Vec<&[u8]> = Vec::new();
                for x in list(v, 50)? {
                    let id = bstr32(x)?;
                    if ids.contains(&id) {
                        return Err("msg.duplicate");
                    }
                    ids.push(id);
                }
                Ok(())
            };
            fields(
                body,
                &[
                    F("target", true, &id),
                    F("reply", false, &audiences),
                    F("quote", false, &audiences),
                    F("hidden", false, &hidden),
                ],
            )
        }
        _ => unreachable!(),
    }
}

fn one_subject(body: &Item) -> R {
    if field(body, "account").is_some() == field(body, "message").is_some() {
        Err("msg.subject")
    } else {
        Ok(())
    }
}

/// Whether a looked-up header's kind is acceptable.
type KindOk = Box<dyn Fn(&str) -> bool>;

#[derive(Debug, PartialEq)]
enum Verdict {
    Valid,
    Invalid(String),
    Undecided(Vec<String>),
}

/// Section 0, steps 1 to 6.
fn validate(v: &Verified, now: u64, auth: &str, others: &str, known: &[(Vec<u8>, Hdr)]) -> Verdict {
    let h = hdr(v);
    let body = v.body.as_ref().map(|b| decode(b).unwrap());
    let invalid = |c: &str| Verdict::Invalid(c.to_string());
    // 0. REPORT-3: a report is never a public message, whatever its body or form.
    if h.kind == "report" {
        return invalid("msg.public_report");
    }
    // 1. body rules (core kinds, whole messages only)
    if let Some(b) = &body {
        if CORE.contains(&h.kind.as_str()) {
            if let Err(e) = body_rules(&h.kind, b, &h) {
                return invalid(e);
            }
        }
    }
    let mut missing: Vec<String> = Vec::new();
    let need = |missing: &mut Vec<String>, x: String| {
        if !missing.contains(&x) {
            missing.push(x);
        }
    };
    // MSG-7: a control kind's remainder misses its body.
    if body.is_none() && CONTROL_KINDS.contains(&h.kind.as_str()) {
        need(&mut missing, "body".into());
    }
    // 2. MSG-2
    if h.time > now.saturating_add(600_000) {
        return invalid("msg.time_in_future");
    }
    // 3. MSG-3
    match auth {
        "authorized" => {}
        "unknown" => need(&mut missing, "key_authorization".into()),
        code => return invalid(code),
    }
    let lookup = |id: &[u8]| known.iter().find(|(k, _)| k == id).map(|(_, h)| h);
    // 4. MSG-4
    if h.seq > 1 {
        let prev = h.prev.as_ref().unwrap();
        match lookup(prev) {
            Some(p) => {
                if p.time > h.time {
                    return invalid("msg.time_regression");
                }
                if p.key != h.key {
                    return invalid("msg.prev_key_mismatch");
                }
                if p.seq != h.seq - 1 {
                    return invalid("msg.prev_seq_mismatch");
                }
            }
            None => need(&mut missing, hex(prev)),
        }
    }
    // 5. kind lookups (whole messages of core kinds only)
    if let Some(b) = &body {
        let id_of = |k: &str| match field(b, k) {
            Some(Item::B(x)) => x.clone(),
            _ => unreachable!(),
        };
        // (id, accepted kinds): own account, then kind.
        let mut checks: Vec<(Vec<u8>, KindOk)> = Vec::new();
        match h.kind.as_str() {
            "edit" => {
                let (target, replaces) = (id_of("target"), id_of("replaces"));
                let same = target == replaces;
                checks.push((target, Box::new(|k| k == "post")));
                checks.push((
                    replaces,
                    Box::new(move |k| k == "edit" || (k == "post" && same)),
                ));
            }
            "delete" => checks.push((
                id_of("target"),
                // Neither a delete nor a key operation (05 §5.4, DELETE-1).
                Box::new(|k| {
                    !matches!(
                        k,
                        "delete" | "genesis" | "roots" | "delegate" | "revoke" | "enckey"
                    )
                }),
            )),
            "unreact" => checks.push((id_of("target"), Box::new(|k| k == "react"))),
            "unrepost" => checks.push((id_of("target"), Box::new(|k| k == "repost"))),
            "gate" => checks.push((id_of("target"), Box::new(|k| k == "post"))),
            _ => {}
        }
        for (id, kind_ok) in checks {
            match lookup(&id) {
                Some(t) => {
                    if t.acct != h.acct {
                        return invalid("msg.not_own_target");
                    }
                    if !kind_ok(&t.kind) {
                        return invalid("msg.target_kind");
                    }
                    if t.time > h.time {
                        return invalid("msg.target_newer");
                    }
                    if t.key != h.key {
                        match others {
                            "authorized" => {}
                            "unknown" => need(&mut missing, "key_authorization".into()),
                            _ => return invalid("msg.other_key_target"),
                        }
                    }
                }
                None => need(&mut missing, hex(&id)),
            }
        }
    }
    if missing.is_empty() {
        Verdict::Valid
    } else {
        Verdict::Undecided(missing)
    }
}

// ------------------------------------------------------------------------------------------------ the test

const CODES: &[&str] = &[
    "msg.unknown_field",
    "msg.missing_field",
    "msg.wrong_type",
    "msg.too_long",
    "msg.too_short",
    "msg.too_many",
    "msg.out_of_range",
    "msg.non_canonical_flag",
    "msg.invalid_url",
    "msg.invalid_host",
    "msg.invalid_name",
    "msg.invalid_lang",
    "msg.duplicate",
    "msg.invalid_media_type",
    "msg.dimensions",
    "msg.invalid_facet_type",
    "msg.facet_fields",
    "msg.facet_range",
    "msg.facet_boundary",
    "msg.facet_order",
    "msg.too_many_mentions",
    "msg.invalid_tag",
    "msg.invalid_label",
    "msg.empty_post",
    "msg.invalid_embed_type",
    "msg.invalid_emoji",
    "msg.self_reference",
    "msg.subject",
    "msg.public_report",
    "msg.invalid_audience",
    "msg.time_in_future",
    "msg.time_regression",
    "msg.prev_key_mismatch",
    "msg.prev_seq_mismatch",
    "msg.not_own_target",
    "msg.target_kind",
    "msg.target_newer",
    "msg.other_key_target",
    "auth.before_delegation",
    "auth.not_delegated",
    "auth.out_of_scope",
    "auth.expired",
    "auth.revoked",
    "auth.root_key_message",
];

/// The proof-of-work rules (05 §13): measures of a message, never a verdict, so they have valid
/// vectors (with a `pow` member) and no invalid ones.
const POW_RULES: &[&str] = &["POW-1", "POW-2", "POW-3", "POW-4"];

/// REPORT-3 (05 §5.9): a refusal, never a valid outcome, so it has invalid vectors only. The report
/// body rules (REPORT-1, REPORT-2) apply inside a sealed report; their vectors are in dm.json.
const REFUSAL_RULES: &[&str] = &["REPORT-3"];

/// POW-1..POW-3 from the text of 05 §13, against a vector's `pow` member.
fn check_pow(id: &str, p: &Json, env: &Verified) {
    let hash = blake3::derive_key("skylark v1 proof of work", &env.header);
    assert_eq!(p["hash"].as_str().unwrap(), hex(&hash), "{id}: POW-1 hash");
    let zeros = hash
        .iter()
        .position(|x| *x != 0)
        .map_or(256, |i| 8 * i as u64 + u64::from(hash[i].leading_zeros()));
    assert_eq!(p["difficulty"].as_u64().unwrap(), zeros, "{id}: difficulty");
    let target = env.body.as_ref().and_then(|b| {
        let body = decode(b).unwrap();
        match field(&body, "skylark.pow") {
            Some(Item::A(x)) => match x.as_slice() {
                [Item::U(t), Item::U(_)] if (1..=256).contains(t) => Some(*t),
                _ => None,
            },
            _ => None,
        }
    });
    assert_eq!(p["target"].as_u64(), target, "{id}: POW-2 target");
    let work = target.filter(|t| zeros >= *t).unwrap_or(0);
    assert_eq!(p["work"].as_u64().unwrap(), work, "{id}: POW-3 work");
}

fn rule_ids() -> Vec<String> {
    let mut r = Vec::new();
    for (area, n) in [
        ("MSG", 7),
        ("MEDIA", 5),
        ("FACET", 7),
        ("PROFILE", 3),
        ("POST", 6),
        ("EDIT", 3),
        ("DELETE", 1),
        ("REACT", 1),
        ("UNDO", 1),
        ("GRAPH", 1),
        ("LABEL", 4),
        ("GATE", 2),
        ("EXT", 1),
    ] {
        for i in 1..=n {
            r.push(format!("{area}-{i}"));
        }
    }
    r
}

fn strs(v: &Json) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn message_vectors_agree_with_reference_validator() {
    let doc = load("messages.json");
    assert_eq!(doc["suite"], "messages");
    let rules = rule_ids();
    let mut ids = BTreeSet::new();
    // (rule, outcome) pairs seen; codes seen; kinds valid (whole / stripped).
    let mut seen = BTreeSet::new();
    let mut codes = BTreeSet::new();
    let mut valid_kinds = BTreeSet::new();
    let mut disagreements = Vec::new();
    for v in vectors(&doc) {
        let id = s(v, "id");
        assert!(ids.insert(id.to_string()), "duplicate id {id}");
        assert!(!s(v, "description").is_empty(), "{id}");
        let vr = strs(&v["rules"]);
        assert!(!vr.is_empty(), "{id}");
        for r in &vr {
            assert!(
                rules.contains(r)
                    || POW_RULES.contains(&r.as_str())
                    || REFUSAL_RULES.contains(&r.as_str()),
                "{id}: unknown rule {r}"
            );
        }
        let outcome = s(v, "outcome");
        assert_eq!(
            v.get("error").is_some(),
            outcome == "invalid",
            "{id}: error iff invalid"
        );
        assert_eq!(
            v.get("missing").is_some(),
            outcome == "undecided",
            "{id}: missing iff undecided"
        );
        assert_eq!(
            v.get("kind").is_some(),
            outcome == "valid",
            "{id}: kind iff valid"
        );
        assert_eq!(
            v.get("body_diag").is_some(),
            outcome == "valid",
            "{id}: body_diag iff valid"
        );
        let c = &v["context"];
        let now = c["now"].as_u64().unwrap();
        let auth = c["authorization"].as_str().unwrap();
        assert!(
            auth == "authorized"
                || auth == "unknown"
                || (auth.starts_with("auth.") && CODES.contains(&auth)),
            "{id}: authorization {auth}"
        );
        let others = match c.get("others") {
            None => "denied",
            Some(x) => {
                let x = x.as_str().unwrap();
                assert!(x == "authorized" || x == "unknown", "{id}: others {x}");
                x
            }
        };
        let known: Vec<(Vec<u8>, Hdr)> = c["known"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| {
                let m = verify_envelope(&unhex(k.as_str().unwrap()))
                    .unwrap_or_else(|e| panic!("{id}: known message not layer-1 valid: {e:?}"));
                let mid = blake3::derive_key("skylark v1 message id", &m.header).to_vec();
                (mid, hdr(&m))
            })
            .collect();
        let input = unhex(s(v, "input"));
        let want = match outcome {
            "valid" => Verdict::Valid,
            "invalid" => Verdict::Invalid(s(v, "error").to_string()),
            "undecided" => Verdict::Undecided(
                v["missing"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|m| match m["what"].as_str().unwrap() {
                        "message" => m["id"].as_str().unwrap().to_string(),
                        what => what.to_string(),
                    })
                    .collect(),
            ),
            o => panic!("{id}: outcome {o}"),
        };
        let env = verify_envelope(&input)
            .unwrap_or_else(|e| panic!("{id}: input not layer-1 valid: {e:?}"));
        let got = validate(&env, now, auth, others, &known);
        if got != want {
            disagreements.push(format!(
                "{id}: declared {want:?}, reference validator gives {got:?}"
            ));
        }
        if let Some(p) = v.get("pow") {
            check_pow(id, p, &env);
        }
        let h = hdr(&env);
        match &want {
            Verdict::Valid => {
                assert_eq!(s(v, "kind"), h.kind, "{id}: kind");
                match &env.body {
                    Some(b) => {
                        assert_eq!(
                            s(v, "body_diag"),
                            diag(&decode(b).unwrap()),
                            "{id}: body_diag"
                        )
                    }
                    None => assert!(v["body_diag"].is_null(), "{id}: body_diag of a remainder"),
                }
                valid_kinds.insert((h.kind.clone(), env.body.is_none()));
                for r in &vr {
                    seen.insert((r.clone(), "valid"));
                }
            }
            Verdict::Invalid(e) => {
                assert!(CODES.contains(&e.as_str()), "{id}: code {e}");
                codes.insert(e.clone());
                seen.insert((vr[0].clone(), "invalid"));
                // Three rules never fail on their own: EXT-1 (any map is a valid extension body; its
                // invalid vectors show that steps 2-4 still apply), MEDIA-1 (the hash cannot be checked
                // without the file; a hash that is not an id is MSG-1) and POST-5 (root/parent are
                // references; their absence is MSG-1). For them an invalid vector that names them counts.
                // MSG-7 only ever makes a remainder undecided: its invalid vectors show that the header
                // checks still win over the missing body.
                for r in ["EXT-1", "MEDIA-1", "POST-5", "MSG-7"] {
                    if vr.iter().any(|x| x == r) {
                        seen.insert((r.to_string(), "invalid"));
                    }
                }
            }
            Verdict::Undecided(m) => {
                for x in m {
                    assert!(
                        x == "key_authorization"
                            || x == "body"
                            || (x.len() == 64 && unhex(x).len() == 32),
                        "{id}: {x}"
                    );
                }
                for r in &vr {
                    seen.insert((r.clone(), "undecided"));
                }
            }
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} vector(s) disagree:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
    // Coverage: every code, every rule valid and invalid (as the failing rule), lookups undecided.
    for c in CODES {
        assert!(codes.contains(*c), "no vector with error {c}");
    }
    for r in &rules {
        assert!(
            seen.contains(&(r.clone(), "valid")),
            "no valid vector for {r}"
        );
        assert!(
            seen.contains(&(r.clone(), "invalid")),
            "no invalid vector failing {r}"
        );
    }
    for r in [
        "MSG-3", "MSG-4", "MSG-7", "EDIT-2", "EDIT-3", "DELETE-1", "UNDO-1", "GATE-2",
    ] {
        assert!(
            seen.contains(&(r.to_string(), "undecided")),
            "no undecided vector for {r}"
        );
    }
    // REPORT-3: a report is never valid, whole or stripped.
    assert!(!valid_kinds.iter().any(|(k, _)| k == "report"));
    for k in CORE.iter().filter(|k| **k != "report") {
        assert!(
            valid_kinds.contains(&(k.to_string(), false)),
            "no valid whole {k}"
        );
        // A control kind's remainder is never valid (MSG-7).
        assert_eq!(
            valid_kinds.contains(&(k.to_string(), true)),
            !CONTROL_KINDS.contains(k),
            "valid stripped {k}"
        );
    }
    for k in ["com.example.poll", "poll"] {
        assert!(
            valid_kinds.contains(&(k.to_string(), false)),
            "no valid {k}"
        );
    }
}
