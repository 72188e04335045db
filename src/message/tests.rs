//! Body rules, checked on maps: every rule's positive and negative side, every limit at L and L+1.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use super::*;
use crate::cbor::Value;
use crate::id::MessageId;

const AUTHOR: AccountId = AccountId::from_bytes([0xaa; 32]);
const TIME: u64 = 1_764_115_200_000;

fn id(n: u8) -> Value {
    Value::Bytes(vec![n; 32])
}

fn map(entries: &[(&str, Value)]) -> Map {
    let mut map = Map::new();
    for (k, v) in entries {
        map.insert(*k, v.clone());
    }
    map
}

fn texts(items: &[&str]) -> Value {
    Value::Array(items.iter().map(|s| Value::from(*s)).collect())
}

fn check(kind: &str, body: &Map) -> Result<Body, ValidationError> {
    // A report body is checked inside a sealed report (spec 08 §14); a public message of kind
    // `report` is refused whatever its body (REPORT-3, `public_reports_are_refused`).
    if kind == "report" {
        return super::label::Report::parse(body).map(|_| Body::Unknown(body.clone()));
    }
    parse_body(
        kind,
        body.clone(),
        Some(Author {
            account: &AUTHOR,
            time: TIME,
        }),
    )
}

/// "ok", or the error's code.
fn code(kind: &str, body: &Map) -> &'static str {
    check(kind, body).map_or_else(|e| e.code(), |_| "ok")
}

/// (code, rule) of the error; panics if valid.
fn fails(kind: &str, body: &Map) -> (&'static str, &'static str) {
    match check(kind, body) {
        Err(e) => (e.code(), e.rule()),
        Ok(b) => panic!("{kind} {body:?} is valid: {b:?}"),
    }
}

fn post(entries: &[(&str, Value)]) -> Map {
    map(entries)
}

fn media(mime: &str) -> Map {
    map(&[
        ("hash", id(1)),
        ("mime", mime.into()),
        ("size", 10u64.into()),
        ("width", 2u64.into()),
        ("height", 2u64.into()),
    ])
}

fn media_embed() -> Value {
    Value::Map(map(&[
        ("type", "media".into()),
        ("media", Value::Map(media("image/png"))),
    ]))
}

fn card_embed() -> Value {
    Value::Map(map(&[
        ("type", "card".into()),
        ("url", "https://a.example".into()),
    ]))
}

fn tag_facet(start: u64, end: u64) -> Value {
    Value::Map(map(&[
        ("start", start.into()),
        ("end", end.into()),
        ("type", "tag".into()),
        ("tag", "t".into()),
    ]))
}

/// `n` scalars, the last one multi-byte.
fn scalars(n: usize) -> String {
    format!("{}é", "a".repeat(n - 1))
}

// ---- MSG-1: the field discipline ----

#[test]
fn unknown_undotted_keys_are_rejected_and_dotted_keys_ignored() {
    let text = ("text", Value::from("hi"));
    assert_eq!(
        fails("post", &post(&[text.clone(), ("color", "red".into())])),
        ("msg.unknown_field", "MSG-1")
    );
    assert_eq!(
        code(
            "post",
            &post(&[text.clone(), ("com.example.color", "red".into())])
        ),
        "ok"
    );
    // Nested maps follow the same discipline.
    let odd_media = {
        let mut m = media("image/png");
        m.insert("blurhash", "x".into());
        m
    };
    let embed = Value::Map(map(&[
        ("type", "media".into()),
        ("media", Value::Map(odd_media.clone())),
    ]));
    let err = check("post", &post(&[("embeds", Value::Array(vec![embed]))])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown field \"blurhash\" in embeds.media"
    );
    let mut dotted = media("image/png");
    dotted.insert("org.blurhash.hash", "x".into());
    let embed = Value::Map(map(&[
        ("type", "media".into()),
        ("media", Value::Map(dotted)),
    ]));
    assert_eq!(
        code("post", &post(&[("embeds", Value::Array(vec![embed]))])),
        "ok"
    );
    // The first unknown key in encoded order: "zz" (shorter) before "aaa".
    let err = check(
        "post",
        &post(&[text, ("aaa", 1u64.into()), ("zz", 1u64.into())]),
    )
    .unwrap_err();
    assert!(matches!(err, ValidationError::UnknownField { key, .. } if key == "zz"));
}

#[test]
fn unknown_keys_come_before_missing_keys_which_come_before_values() {
    // An edit with an unknown key and no required keys: unknown first.
    assert_eq!(code("edit", &map(&[("quote", id(1))])), "msg.unknown_field");
    // Missing keys in schema order: "service" before "reason", though "reason" sorts first.
    let err = check("report", &map(&[("account", id(1))])).unwrap_err();
    assert_eq!(err.to_string(), "missing field service");
    // A wrong type is only found once all required keys are present.
    let err = check("edit", &map(&[("text", 5u64.into()), ("target", id(1))])).unwrap_err();
    assert_eq!(err.to_string(), "missing field replaces");
}

#[test]
fn values_are_checked_in_encoded_key_order() {
    // "langs" sorts before "quote".
    let body = post(&[
        ("quote", Value::Bytes(vec![1; 31])),
        ("langs", texts(&["e"])),
    ]);
    assert_eq!(fails("post", &body), ("msg.invalid_lang", "MSG-6"));
    // "text" sorts before "langs".
    let body = post(&[("langs", texts(&["e"])), ("text", Value::from(1u64))]);
    assert_eq!(fails("post", &body), ("msg.wrong_type", "MSG-1"));
}

#[test]
fn wrong_types() {
    for (kind, body) in [
        ("post", post(&[("text", 5u64.into())])),
        (
            "post",
            post(&[("text", "a".into()), ("quote", Value::Bytes(vec![1; 31]))]),
        ),
        (
            "post",
            post(&[("text", "a".into()), ("quote", "id".into())]),
        ),
        (
            "post",
            post(&[("text", "a".into()), ("langs", "en".into())]),
        ),
        (
            "post",
            post(&[
                ("text", "a".into()),
                ("langs", Value::Array(vec![1u64.into()])),
            ]),
        ),
        ("post", post(&[("text", "a".into()), ("reply", id(1))])),
        ("post", post(&[("embeds", Value::Array(vec![id(1)]))])),
        ("profile", map(&[("avatar", "me.png".into())])),
        ("delete", map(&[("target", Value::Bytes(vec![1; 33]))])),
        ("follow", map(&[("subject", Value::from(-1i64))])),
        (
            "label",
            map(&[
                ("account", id(1)),
                ("value", "spam".into()),
                ("expires", Value::from(-5i64)),
            ]),
        ),
        (
            "label",
            map(&[("account", id(1)), ("value", Value::Bool(true))]),
        ),
        (
            "report",
            map(&[
                ("account", id(1)),
                ("service", id(2)),
                ("reason", 1u64.into()),
            ]),
        ),
    ] {
        assert_eq!(
            fails(kind, &body),
            ("msg.wrong_type", "MSG-1"),
            "{kind} {body:?}"
        );
    }
}

// ---- strings and lists ----

#[test]
fn post_text_limits_in_scalars_and_bytes() {
    let ok = |t: String| code("post", &post(&[("text", t.into())]));
    assert_eq!(ok(scalars(1000)), "ok");
    assert_eq!(ok(scalars(1001)), "msg.too_long");
    // 3000 bytes, ending in a four-byte scalar; then 3001 bytes.
    assert_eq!(ok("😀".repeat(750)), "ok");
    assert_eq!(ok(format!("a{}", "😀".repeat(750))), "msg.too_long");
    // Graphemes are not counted: 1000 scalars that form fewer graphemes are still 1000.
    assert_eq!(ok("e\u{301}".repeat(500)), "ok");
    assert_eq!(
        ok(format!("{}\u{301}", "e\u{301}".repeat(500))),
        "msg.too_long"
    );
    assert_eq!(ok(String::new()), "msg.too_short");
}

#[test]
fn other_text_limits() {
    // (kind, field, max scalars, body without the field)
    let report = map(&[
        ("account", id(1)),
        ("service", id(2)),
        ("reason", "spam".into()),
    ]);
    let cases: [(&str, &str, usize, Map); 3] = [
        ("profile", "name", 64, Map::new()),
        ("profile", "bio", 256, Map::new()),
        ("report", "text", 1000, report),
    ];
    for (kind, field, max, base) in cases {
        let with = |t: String| {
            let mut body = base.clone();
            body.insert(field, t.into());
            check(kind, &body).map_or_else(|e| (e.code(), e.rule()), |_| ("ok", ""))
        };
        assert_eq!(with(scalars(max)), ("ok", ""), "{kind}.{field}");
        assert_eq!(
            with(scalars(max + 1)),
            ("msg.too_long", "MSG-1"),
            "{kind}.{field}"
        );
        // Four bytes per scalar: exactly the byte limit.
        assert_eq!(with("😀".repeat(max)), ("ok", ""), "{kind}.{field}");
        assert_eq!(
            with(String::new()),
            ("msg.too_short", "MSG-1"),
            "{kind}.{field}"
        );
    }
    // Card title and description.
    for (field, max) in [("title", 300), ("description", 1000)] {
        let with = |t: String| {
            let mut card = map(&[("type", "card".into()), ("url", "https://a".into())]);
            card.insert(field, t.into());
            code(
                "post",
                &post(&[("embeds", Value::Array(vec![Value::Map(card)]))]),
            )
        };
        assert_eq!(with(scalars(max)), "ok", "{field}");
        assert_eq!(with("😀".repeat(max)), "ok", "{field}");
        assert_eq!(with(scalars(max + 1)), "msg.too_long", "{field}");
        assert_eq!(with(String::new()), "msg.too_short", "{field}");
    }
}

#[test]
fn list_limits() {
    let text = ("text", Value::from("a".repeat(70)));
    // langs: 1..=3
    let langs = |l: &[&str]| code("post", &post(&[text.clone(), ("langs", texts(l))]));
    assert_eq!(langs(&["en", "de", "fr"]), "ok");
    assert_eq!(langs(&["en", "de", "fr", "nl"]), "msg.too_many");
    assert_eq!(langs(&[]), "msg.too_short");
    // embeds: 1..=4
    let embeds = |n| {
        code(
            "post",
            &post(&[("embeds", Value::Array(vec![media_embed(); n]))]),
        )
    };
    assert_eq!(embeds(4), "ok");
    assert_eq!(embeds(5), "msg.too_many");
    assert_eq!(embeds(0), "msg.too_short");
    // facets: 1..=64
    let facets = |n: u64| {
        let list = (0..n).map(|i| tag_facet(i, i + 1)).collect();
        code(
            "post",
            &post(&[text.clone(), ("facets", Value::Array(list))]),
        )
    };
    assert_eq!(facets(64), "ok");
    assert_eq!(facets(65), "msg.too_many");
    assert_eq!(facets(0), "msg.too_short");
    // labels: 1..=8
    let eight = [
        "porn",
        "sexual",
        "nudity",
        "graphic-media",
        "gore",
        "spoiler",
        "a.b",
        "a.c",
    ];
    let labels = |l: &[&str]| code("post", &post(&[text.clone(), ("labels", texts(l))]));
    assert_eq!(labels(&eight), "ok");
    assert_eq!(labels(&[&eight[..], &["a.d"]].concat()), "msg.too_many");
    assert_eq!(labels(&[]), "msg.too_short");
    // links: 1..=4
    let links = |n| code("profile", &map(&[("links", texts(&vec!["https://a"; n]))]));
    assert_eq!(links(4), "ok");
    assert_eq!(links(5), "msg.too_many");
    assert_eq!(links(0), "msg.too_short");
}

// ---- MSG-5, MSG-6 ----

#[test]
fn urls() {
    let link = |u: &str| code("profile", &map(&[("links", texts(&[u]))]));
    assert_eq!(link("https://example.com/a?b#c"), "ok");
    assert_eq!(link("http://x"), "ok");
    for bad in ["https://", "ftp://x", "https://a b", "https://é", "//x", ""] {
        assert_eq!(link(bad), "msg.invalid_url", "{bad:?}");
    }
    let long = format!("https://{}", "a".repeat(2040));
    assert_eq!(long.len(), 2048);
    assert_eq!(link(&long), "ok");
    assert_eq!(link(&format!("{long}a")), "msg.invalid_url");
    let card = |u: &str| {
        let card = map(&[("type", "card".into()), ("url", u.into())]);
        fails(
            "post",
            &post(&[("embeds", Value::Array(vec![Value::Map(card)]))]),
        )
    };
    assert_eq!(card("mailto:a@b"), ("msg.invalid_url", "MSG-5"));
}

#[test]
fn languages() {
    let langs = |l: &[&str]| check("post", &post(&[("text", "a".into()), ("langs", texts(l))]));
    assert!(langs(&["en", "zh-Hant-TW", "DEU"]).is_ok());
    let err = langs(&["en", "e1"]).unwrap_err();
    assert_eq!((err.code(), err.rule()), ("msg.invalid_lang", "MSG-6"));
    let err = langs(&["en-US", "EN-us"]).unwrap_err();
    assert_eq!((err.code(), err.rule()), ("msg.duplicate", "MSG-6"));
    assert!(langs(&["en", "en-US"]).is_ok());
}

// ---- MEDIA ----

#[test]
fn media_rules_through_a_profile() {
    let avatar = |m: Map| check("profile", &map(&[("avatar", Value::Map(m))]));
    let rule = |m: Map| avatar(m).map_or_else(|e| (e.code(), e.rule()), |_| ("ok", ""));
    assert_eq!(rule(media("image/png")), ("ok", ""));
    let mut m = media("image/png");
    m.insert("hash", Value::Bytes(vec![1; 33]));
    assert_eq!(rule(m), ("msg.wrong_type", "MSG-1"));
    assert_eq!(
        rule(media("image/PNG")),
        ("msg.invalid_media_type", "MEDIA-2")
    );
    let mut m = media("image/png");
    m.insert("size", 104_857_600u64.into());
    assert_eq!(rule(m.clone()), ("ok", ""));
    m.insert("size", 104_857_601u64.into());
    assert_eq!(rule(m.clone()), ("msg.out_of_range", "MEDIA-3"));
    m.insert("size", 0u64.into());
    assert_eq!(rule(m), ("msg.out_of_range", "MEDIA-3"));
    let mut m = media("image/png");
    m.insert("height", 65_536u64.into());
    assert_eq!(rule(m.clone()), ("msg.out_of_range", "MEDIA-4"));
    m.remove("height");
    assert_eq!(rule(m.clone()), ("msg.dimensions", "MEDIA-4"));
    m.remove("width");
    assert_eq!(rule(m), ("msg.dimensions", "MEDIA-4"));
    let mut m = media("image/png");
    m.insert("alt", scalars(2000).into());
    assert_eq!(rule(m.clone()), ("ok", ""));
    m.insert("alt", scalars(2001).into());
    assert_eq!(rule(m.clone()), ("msg.too_long", "MEDIA-5"));
    m.insert("alt", "".into());
    assert_eq!(rule(m), ("msg.too_short", "MEDIA-5"));
    // Not images or videos: dimensions optional.
    let mut pdf = media("application/pdf");
    pdf.remove("width");
    pdf.remove("height");
    let embed = Value::Map(map(&[("type", "media".into()), ("media", Value::Map(pdf))]));
    assert_eq!(
        code("post", &post(&[("embeds", Value::Array(vec![embed]))])),
        "ok"
    );
}

#[test]
fn profile_images() {
    assert_eq!(code("profile", &Map::new()), "ok");
    assert_eq!(
        code(
            "profile",
            &map(&[("banner", Value::Map(media("image/webp")))])
        ),
        "ok"
    );
    let video = map(&[("avatar", Value::Map(media("video/mp4")))]);
    let err = check("profile", &video).unwrap_err();
    assert_eq!(
        (err.code(), err.rule()),
        ("msg.invalid_media_type", "PROFILE-1")
    );
    assert_eq!(err.to_string(), "avatar is not an image");
    // The media's own rules come first.
    let mut bad = media("video/mp4");
    bad.remove("width");
    let err = check("profile", &map(&[("banner", Value::Map(bad))])).unwrap_err();
    assert_eq!(err.rule(), "MEDIA-4");
}

// ---- FACET ----

#[test]
fn facets_through_a_post() {
    let with = |text: &str, facets: Vec<Value>| {
        check(
            "post",
            &post(&[("text", text.into()), ("facets", Value::Array(facets))]),
        )
        .map_or_else(|e| (e.code(), e.rule()), |_| ("ok", ""))
    };
    let mention = Value::Map(map(&[
        ("start", 0u64.into()),
        ("end", 4u64.into()),
        ("type", "mention".into()),
        ("account", id(2)),
    ]));
    let link = Value::Map(map(&[
        ("start", 5u64.into()),
        ("end", 8u64.into()),
        ("type", "link".into()),
        ("url", "https://x".into()),
    ]));
    assert_eq!(
        with("@bob x.y", vec![mention.clone(), link.clone()]),
        ("ok", "")
    );
    // FACET-5: sorted and not overlapping; touching is fine.
    assert_eq!(
        with("@bob x.y", vec![link.clone(), mention.clone()]),
        ("msg.facet_order", "FACET-5")
    );
    assert_eq!(
        with("abcd", vec![tag_facet(0, 2), tag_facet(2, 4)]),
        ("ok", "")
    );
    assert_eq!(
        with("abcd", vec![tag_facet(0, 3), tag_facet(2, 4)]),
        ("msg.facet_order", "FACET-5")
    );
    // FACET-7: at most 10 mentions; links and tags do not count; checked after FACET-1..5 of the
    // same facet, and it names the first mention over the cap.
    let mention_at = |i: u64| {
        Value::Map(map(&[
            ("start", i.into()),
            ("end", (i + 1).into()),
            ("type", "mention".into()),
            ("account", id(2)),
        ]))
    };
    let text = "@".repeat(20);
    let mentions = |n: u64| (0..n).map(mention_at).collect::<Vec<_>>();
    assert_eq!(with(&text, mentions(10)), ("ok", ""));
    let mut ten_and_tags = mentions(10);
    ten_and_tags.extend((10..20).map(|i| tag_facet(i, i + 1)));
    assert_eq!(with(&text, ten_and_tags), ("ok", ""));
    assert_eq!(
        with(&text, mentions(11)),
        ("msg.too_many_mentions", "FACET-7")
    );
    let err = check(
        "post",
        &post(&[
            ("text", text.as_str().into()),
            ("facets", Value::Array(mentions(12))),
        ]),
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "facet 10: more than 10 mentions");
    let mut overlapping = mentions(10);
    overlapping.push(mention_at(9));
    assert_eq!(with(&text, overlapping), ("msg.facet_order", "FACET-5"));
    // FACET-3: start < end <= byte length.
    assert_eq!(
        with("abcd", vec![tag_facet(0, 5)]),
        ("msg.facet_range", "FACET-3")
    );
    assert_eq!(
        with("abcd", vec![tag_facet(2, 2)]),
        ("msg.facet_range", "FACET-3")
    );
    // FACET-4: "é" is bytes 1..3.
    assert_eq!(with("aéb", vec![tag_facet(1, 3)]), ("ok", ""));
    assert_eq!(
        with("aéb", vec![tag_facet(2, 4)]),
        ("msg.facet_boundary", "FACET-4")
    );
    // FACET-1, FACET-2
    let mut odd = map(&[
        ("start", 0u64.into()),
        ("end", 1u64.into()),
        ("type", "bold".into()),
    ]);
    assert_eq!(
        with("a", vec![Value::Map(odd.clone())]),
        ("msg.invalid_facet_type", "FACET-1")
    );
    odd.insert("type", "mention".into());
    assert_eq!(
        with("a", vec![Value::Map(odd.clone())]),
        ("msg.facet_fields", "FACET-2")
    );
    odd.insert("account", id(1));
    odd.insert("tag", "x".into());
    assert_eq!(
        with("a", vec![Value::Map(odd)]),
        ("msg.facet_fields", "FACET-2")
    );
    // Tags: whitespace, and the limits (64 scalars).
    let tag = |t: &str| {
        let f = map(&[
            ("start", 0u64.into()),
            ("end", 1u64.into()),
            ("type", "tag".into()),
            ("tag", t.into()),
        ]);
        with("a", vec![Value::Map(f)])
    };
    assert_eq!(tag(&scalars(64)), ("ok", ""));
    assert_eq!(tag(&scalars(65)), ("msg.too_long", "FACET-2"));
    assert_eq!(tag("a\u{2003}b"), ("msg.invalid_tag", "FACET-2"));
    assert_eq!(tag(""), ("msg.too_short", "FACET-2"));
    // The index of the failing facet is reported.
    let err = check(
        "post",
        &post(&[
            ("text", "ab".into()),
            (
                "facets",
                Value::Array(vec![tag_facet(0, 1), tag_facet(1, 3)]),
            ),
        ]),
    )
    .unwrap_err();
    assert_eq!(err, ValidationError::FacetRange { index: 1 });
}

#[test]
fn facets_need_text() {
    // FACET-6 is checked after all fields: a later field's error comes first.
    let body = post(&[
        ("embeds", Value::Array(vec![media_embed()])),
        ("facets", Value::Array(vec![tag_facet(0, 1)])),
    ]);
    assert_eq!(fails("post", &body), ("msg.facet_range", "FACET-6"));
    let mut with_bad_label = body.clone();
    with_bad_label.insert("labels", texts(&["nope"]));
    assert_eq!(
        fails("post", &with_bad_label),
        ("msg.invalid_label", "LABEL-2")
    );
    // And before POST-1.
    let body = post(&[("facets", Value::Array(vec![tag_facet(0, 1)]))]);
    assert_eq!(fails("post", &body), ("msg.facet_range", "FACET-6"));
}

// ---- POST, EDIT ----

#[test]
fn post_rules() {
    // POST-1
    assert_eq!(fails("post", &Map::new()), ("msg.empty_post", "POST-1"));
    assert_eq!(
        fails("post", &post(&[("langs", texts(&["en"]))])),
        ("msg.empty_post", "POST-1")
    );
    assert_eq!(code("post", &post(&[("quote", id(1))])), "ok");
    assert_eq!(
        code(
            "post",
            &post(&[("embeds", Value::Array(vec![media_embed()]))])
        ),
        "ok"
    );
    // POST-2, after POST-1.
    let two_cards = Value::Array(vec![card_embed(), media_embed(), card_embed()]);
    assert_eq!(
        fails("post", &post(&[("embeds", two_cards)])),
        ("msg.too_many", "POST-2")
    );
    let one_card = Value::Array(vec![
        card_embed(),
        media_embed(),
        media_embed(),
        media_embed(),
    ]);
    assert_eq!(code("post", &post(&[("embeds", one_card)])), "ok");
    // POST-3
    let embed = |e: Map| {
        code(
            "post",
            &post(&[("embeds", Value::Array(vec![Value::Map(e)]))]),
        )
    };
    assert_eq!(
        embed(map(&[("type", "video".into())])),
        "msg.invalid_embed_type"
    );
    assert_eq!(embed(map(&[("type", 1u64.into())])), "msg.wrong_type");
    assert_eq!(
        embed(map(&[("url", "https://a".into())])),
        "msg.missing_field"
    );
    assert_eq!(embed(map(&[("type", "card".into())])), "msg.missing_field");
    assert_eq!(embed(map(&[("type", "media".into())])), "msg.missing_field");
    let mut media_with_url = map(&[
        ("type", "media".into()),
        ("media", Value::Map(media("image/png"))),
    ]);
    media_with_url.insert("url", "https://a".into());
    assert_eq!(embed(media_with_url), "msg.unknown_field");
    let mut card_with_media = map(&[("type", "card".into()), ("url", "https://a".into())]);
    card_with_media.insert("media", Value::Map(media("image/png")));
    assert_eq!(embed(card_with_media), "msg.unknown_field");
    let mut card_thumb = map(&[("type", "card".into()), ("url", "https://a".into())]);
    card_thumb.insert("thumb", Value::Map(media("image/png")));
    assert_eq!(embed(card_thumb), "ok");
    let err = check(
        "post",
        &post(&[(
            "embeds",
            Value::Array(vec![Value::Map(map(&[("type", "gif".into())]))]),
        )]),
    )
    .unwrap_err();
    assert_eq!(err.rule(), "POST-3");
    // POST-4
    let labels = |l: &[&str]| check("post", &post(&[("text", "a".into()), ("labels", texts(l))]));
    let err = labels(&["spoiler", "spoiler"]).unwrap_err();
    assert_eq!((err.code(), err.rule()), ("msg.duplicate", "POST-4"));
    let err = labels(&["!hide"]).unwrap_err();
    assert_eq!((err.code(), err.rule()), ("msg.invalid_label", "LABEL-2"));
    assert!(labels(&["spoiler", "org.example.cw"]).is_ok());
    // POST-5
    let reply = |r: Map| {
        code(
            "post",
            &post(&[("text", "a".into()), ("reply", Value::Map(r))]),
        )
    };
    assert_eq!(reply(map(&[("root", id(1)), ("parent", id(1))])), "ok");
    assert_eq!(reply(map(&[("root", id(1))])), "msg.missing_field");
    assert_eq!(
        reply(map(&[
            ("root", id(1)),
            ("parent", id(2)),
            ("depth", 2u64.into())
        ])),
        "msg.unknown_field"
    );
    assert_eq!(
        reply(map(&[
            ("root", id(1)),
            ("parent", Value::Bytes(vec![2; 3]))
        ])),
        "msg.wrong_type"
    );
}

#[test]
fn edit_rules() {
    let base = || map(&[("target", id(1)), ("replaces", id(1))]);
    let mut edit = base();
    edit.insert("text", "new".into());
    assert_eq!(code("edit", &edit), "ok");
    // An edit cannot move a post.
    let mut moved = edit.clone();
    moved.insert(
        "reply",
        Value::Map(map(&[("root", id(1)), ("parent", id(1))])),
    );
    assert_eq!(fails("edit", &moved), ("msg.unknown_field", "MSG-1"));
    let mut quoting = edit.clone();
    quoting.insert("quote", id(2));
    assert_eq!(fails("edit", &quoting), ("msg.unknown_field", "MSG-1"));
    // EDIT-1: text or embeds.
    let mut labels_only = base();
    labels_only.insert("labels", texts(&["gore"]));
    assert_eq!(fails("edit", &labels_only), ("msg.empty_post", "EDIT-1"));
    let mut embeds_only = base();
    embeds_only.insert("embeds", Value::Array(vec![media_embed()]));
    assert_eq!(code("edit", &embeds_only), "ok");
    // FACET-6 before EDIT-1.
    let mut facets_only = base();
    facets_only.insert("facets", Value::Array(vec![tag_facet(0, 1)]));
    assert_eq!(fails("edit", &facets_only), ("msg.facet_range", "FACET-6"));
    // POST-2 applies to edits too.
    let mut cards = base();
    cards.insert("embeds", Value::Array(vec![card_embed(), card_embed()]));
    assert_eq!(fails("edit", &cards), ("msg.too_many", "POST-2"));
}

// ---- REACT, GRAPH, targets ----

#[test]
fn react_rules() {
    let react = |e: &str| {
        check("react", &map(&[("target", id(1)), ("emoji", e.into())]))
            .map_or_else(|e| (e.code(), e.rule()), |_| ("ok", ""))
    };
    assert_eq!(code("react", &map(&[("target", id(1))])), "ok");
    assert_eq!(react("👍🏽"), ("ok", ""));
    assert_eq!(react(&format!("{}😀", "a".repeat(15))), ("ok", ""));
    assert_eq!(
        react(&format!("{}😀", "a".repeat(16))),
        ("msg.too_long", "REACT-1")
    );
    assert_eq!(react(&"😀".repeat(16)), ("ok", ""));
    assert_eq!(react(""), ("msg.too_short", "REACT-1"));
    for bad in [
        " ", "a b", "\u{3000}", "\u{0}", "\u{1b}", "\u{7f}", "\u{80}", "\u{9f}",
    ] {
        assert_eq!(react(bad), ("msg.invalid_emoji", "REACT-1"), "{bad:?}");
    }
    // U+00A0 is whitespace; U+00AD (soft hyphen) and U+200D (ZWJ) are neither.
    assert_eq!(react("\u{a0}"), ("msg.invalid_emoji", "REACT-1"));
    assert_eq!(react("\u{ad}\u{200d}"), ("ok", ""));
    assert_eq!(
        code("react", &map(&[("emoji", "👍".into())])),
        "msg.missing_field"
    );
}

#[test]
fn graph_rules() {
    for kind in ["follow", "unfollow", "block", "unblock"] {
        assert_eq!(code(kind, &map(&[("subject", id(1))])), "ok", "{kind}");
        let own = map(&[("subject", Value::Bytes(AUTHOR.as_bytes().to_vec()))]);
        assert_eq!(
            fails(kind, &own),
            ("msg.self_reference", "GRAPH-1"),
            "{kind}"
        );
        assert_eq!(code(kind, &Map::new()), "msg.missing_field", "{kind}");
        assert_eq!(
            code(kind, &map(&[("subject", id(1)), ("note", "x".into())])),
            "msg.unknown_field"
        );
        // Without a known author (a builder), GRAPH-1 cannot be checked.
        assert!(parse_body(kind, own, None).is_ok());
    }
}

#[test]
fn target_kinds() {
    for kind in ["delete", "unreact", "repost", "unrepost"] {
        assert_eq!(code(kind, &map(&[("target", id(1))])), "ok", "{kind}");
        assert_eq!(
            code(
                kind,
                &map(&[("target", id(1)), ("com.example.why", "x".into())])
            ),
            "ok"
        );
        assert_eq!(
            code(kind, &map(&[("target", id(1)), ("why", "x".into())])),
            "msg.unknown_field"
        );
        assert_eq!(code(kind, &Map::new()), "msg.missing_field", "{kind}");
        assert_eq!(
            code(kind, &map(&[("target", "x".into())])),
            "msg.wrong_type",
            "{kind}"
        );
    }
}

// ---- LABEL, REPORT ----

#[test]
fn label_rules() {
    let label = |extra: &[(&str, Value)]| {
        let mut body = map(&[("message", id(1)), ("value", "spam".into())]);
        for (k, v) in extra {
            body.insert(*k, v.clone());
        }
        check("label", &body).map_or_else(|e| (e.code(), e.rule()), |_| ("ok", ""))
    };
    assert_eq!(label(&[]), ("ok", ""));
    // LABEL-1
    assert_eq!(label(&[("account", id(2))]), ("msg.subject", "LABEL-1"));
    assert_eq!(
        fails("label", &map(&[("value", "spam".into())])),
        ("msg.subject", "LABEL-1")
    );
    // LABEL-2
    for ok in [
        "!hide",
        "!warn",
        "self-harm",
        "graphic-media",
        "com.example.satire",
        "a.b_c-d.0",
    ] {
        assert_eq!(label(&[("value", ok.into())]), ("ok", ""), "{ok}");
    }
    for bad in [
        "",
        "hide",
        "!nope",
        "Spam",
        "com..example",
        ".a",
        "a.",
        "com.example.Satire",
        "spam ",
    ] {
        assert_eq!(
            label(&[("value", bad.into())]),
            ("msg.invalid_label", "LABEL-2"),
            "{bad}"
        );
    }
    let long = format!("a.{}", "b".repeat(126));
    assert_eq!(label(&[("value", long.as_str().into())]), ("ok", ""));
    assert_eq!(
        label(&[("value", format!("{long}b").into())]),
        ("msg.invalid_label", "LABEL-2")
    );
    // LABEL-3
    assert_eq!(label(&[("negate", true.into())]), ("ok", ""));
    assert_eq!(
        label(&[("negate", false.into())]),
        ("msg.non_canonical_flag", "LABEL-3")
    );
    assert_eq!(
        label(&[("negate", 1u64.into())]),
        ("msg.wrong_type", "MSG-1")
    );
    // LABEL-4
    assert_eq!(label(&[("expires", (TIME + 1).into())]), ("ok", ""));
    assert_eq!(
        label(&[("expires", TIME.into())]),
        ("msg.out_of_range", "LABEL-4")
    );
    assert_eq!(label(&[("expires", ((1u64 << 53) - 1).into())]), ("ok", ""));
    assert_eq!(
        label(&[("expires", (1u64 << 53).into())]),
        ("msg.out_of_range", "LABEL-4")
    );
    // Field errors come before LABEL-1 (checked after all fields).
    assert_eq!(
        label(&[("account", id(2)), ("negate", false.into())]),
        ("msg.non_canonical_flag", "LABEL-3")
    );
}

#[test]
fn report_rules() {
    let report = |extra: &[(&str, Value)]| {
        let mut body = map(&[
            ("account", id(1)),
            ("service", id(2)),
            ("reason", "spam".into()),
        ]);
        for (k, v) in extra {
            body.insert(*k, v.clone());
        }
        check("report", &body).map_or_else(|e| (e.code(), e.rule()), |_| ("ok", ""))
    };
    assert_eq!(report(&[]), ("ok", ""));
    for reason in [
        "spam",
        "impersonation",
        "misleading",
        "sexual",
        "violence",
        "harassment",
        "hate",
        "self-harm",
        "illegal",
        "other",
    ] {
        assert_eq!(report(&[("reason", reason.into())]), ("ok", ""), "{reason}");
    }
    assert_eq!(
        report(&[("reason", "Spam".into())]),
        ("msg.invalid_reason", "REPORT-1")
    );
    assert_eq!(
        report(&[("reason", "porn".into())]),
        ("msg.invalid_reason", "REPORT-1")
    );
    assert_eq!(report(&[("message", id(3))]), ("msg.subject", "REPORT-2"));
    let neither = map(&[("service", id(2)), ("reason", "spam".into())]);
    assert_eq!(fails("report", &neither), ("msg.subject", "REPORT-2"));
}

// ---- EXT-1 ----

#[test]
fn other_kinds_are_valid_not_understood() {
    let body = map(&[("anything", Value::Array(vec![1u64.into(), "x".into()]))]);
    // "genesis" and the other key-operation kinds are core kinds of the accounts layer (ACCT-1).
    for kind in ["com.example.poll", "ping", "posts"] {
        assert_eq!(
            check(kind, &body),
            Ok(Body::Unknown(body.clone())),
            "{kind}"
        );
    }
    assert!(check_draft_body("com.example.poll", &body, &AUTHOR, TIME).is_ok());
    assert!(check_draft_body("post", &body, &AUTHOR, TIME).is_err());
    assert_eq!(
        check("genesis", &body).map_err(|e| e.code()),
        Err("acct.body")
    );
}

// ---- builders: every built body validates and round-trips ----

fn round_trip<T: BodyKind>(value: &T) -> Body {
    let map = value.to_map();
    let body = check(T::KIND, &map).unwrap_or_else(|e| panic!("{}: {e}", T::KIND));
    // The bytes of the map are canonical and decode to the same map.
    assert_eq!(crate::cbor::decode(&map.to_bytes()), Ok(Value::Map(map)));
    body
}

fn photo() -> Media {
    Media::builder(Media::file_hash(b"png"), "image/png", 3)
        .dimensions(1, 1)
        .alt("a pixel")
        .build()
        .unwrap()
}

#[test]
fn built_posts_and_edits_validate() {
    let root = MessageId::from_bytes([1; 32]);
    let text = "@bob see https://a.example #larks";
    let built = Post::builder()
        .text(text)
        .lang("en")
        .quote(MessageId::from_bytes([2; 32]))
        .reply(Reply::new(root, root))
        .embed(Embed::Media(photo()))
        .embed(Embed::Card(
            Card::builder("https://a.example")
                .title("A")
                .description("About A")
                .thumb(photo())
                .build()
                .unwrap(),
        ))
        .facet(Facet::mention(0..4, AccountId::from_bytes([2; 32])))
        .facet(Facet::link(9..26, "https://a.example").unwrap())
        .facet(Facet::tag(27..33, "larks").unwrap())
        .label("spoiler")
        .build()
        .unwrap();
    assert_eq!(round_trip(&built), Body::Post(built.clone()));
    let edit = Edit::builder(root, root)
        .text("edited")
        .lang("en")
        .embed(Embed::Media(photo()))
        .facet(Facet::tag(0..2, "ed").unwrap())
        .label("org.example.cw")
        .build()
        .unwrap();
    assert_eq!(round_trip(&edit), Body::Edit(edit.clone()));
}

#[test]
fn built_profiles_validate() {
    let profile = Profile::builder()
        .name("Alice")
        .bio("Birds.")
        .link("https://alice.example")
        .avatar(photo())
        .banner(photo())
        .build()
        .unwrap();
    assert_eq!(round_trip(&profile), Body::Profile(profile.clone()));
    let empty = Profile::builder().build().unwrap();
    assert_eq!(round_trip(&empty), Body::Profile(empty));
}

#[test]
fn built_small_kinds_validate() {
    let m = MessageId::from_bytes([3; 32]);
    let a = AccountId::from_bytes([4; 32]);
    assert_eq!(round_trip(&React::like(m)), Body::React(React::like(m)));
    let wave = React::with_emoji(m, "👋").unwrap();
    assert_eq!(round_trip(&wave), Body::React(wave.clone()));
    assert!(matches!(round_trip(&Delete::new(m)), Body::Delete(t) if t.target() == m));
    assert!(matches!(round_trip(&Unreact::new(m)), Body::Unreact(t) if t.target() == m));
    assert!(matches!(round_trip(&Repost::new(m)), Body::Repost(t) if t.target() == m));
    assert!(matches!(round_trip(&Unrepost::new(m)), Body::Unrepost(t) if t.target() == m));
    assert!(matches!(round_trip(&Follow::new(a)), Body::Follow(s) if s.subject() == a));
    assert!(matches!(round_trip(&Unfollow::new(a)), Body::Unfollow(s) if s.subject() == a));
    assert!(matches!(round_trip(&Block::new(a)), Body::Block(s) if s.subject() == a));
    assert!(matches!(round_trip(&Unblock::new(a)), Body::Unblock(s) if s.subject() == a));
}

#[test]
fn built_labels_and_reports_validate() {
    let label = Label::builder(Reference::Message(MessageId::from_bytes([1; 32])), "!warn")
        .negate()
        .expires(TIME + 1)
        .build()
        .unwrap();
    assert_eq!(round_trip(&label), Body::Label(label.clone()));
    let report = Report::builder(
        Reference::Account(AccountId::from_bytes([1; 32])),
        AccountId::from_bytes([2; 32]),
        Reason::SelfHarm,
    )
    .text("please look")
    .build()
    .unwrap();
    assert_eq!(super::label::Report::parse(&report.to_map()), Ok(report));
}

#[test]
fn public_reports_are_refused() {
    let body = map(&[
        ("account", id(1)),
        ("service", id(2)),
        ("reason", "spam".into()),
    ]);
    let author = Some(Author {
        account: &AUTHOR,
        time: TIME,
    });
    let err = parse_body("report", body, author).unwrap_err();
    assert_eq!((err.code(), err.rule()), ("msg.public_report", "REPORT-3"));
}

#[test]
fn builders_refuse_what_validation_refuses() {
    let long = "x".repeat(1001);
    let errors: Vec<ValidationError> = vec![
        Post::builder().text(long.as_str()).build().unwrap_err(),
        Post::builder()
            .text("a")
            .lang("en")
            .lang("de")
            .lang("fr")
            .lang("nl")
            .build()
            .unwrap_err(),
        Post::builder()
            .text("ab")
            .facet(Facet::tag(1..3, "b").unwrap())
            .build()
            .unwrap_err(),
        Media::builder([0; 32], "image/png", 1).build().unwrap_err(),
        Card::builder("https://a").title("").build().unwrap_err(),
        Profile::builder().link("x").build().unwrap_err(),
        React::with_emoji(MessageId::from_bytes([0; 32]), "🙂 ").unwrap_err(),
        Label::builder(Reference::Account(AccountId::from_bytes([0; 32])), "nope")
            .build()
            .unwrap_err(),
        Report::builder(
            Reference::Account(AccountId::from_bytes([0; 32])),
            AccountId::from_bytes([0; 32]),
            Reason::Spam,
        )
        .text("")
        .build()
        .unwrap_err(),
    ];
    let codes: Vec<&str> = errors.iter().map(ValidationError::code).collect();
    assert_eq!(
        codes,
        [
            "msg.too_long",
            "msg.too_many",
            "msg.facet_range",
            "msg.dimensions",
            "msg.too_short",
            "msg.invalid_url",
            "msg.invalid_emoji",
            "msg.invalid_label",
            "msg.too_short",
        ]
    );
    // The path of a nested field.
    let bad_thumb = Media::builder([0; 32], "image/png", 1)
        .dimensions(1, 1)
        .build()
        .unwrap();
    let card = Card::builder("https://a").thumb(bad_thumb).build().unwrap();
    let mut map = Embed::Card(card).to_map();
    if let Some(Value::Map(thumb)) = map.get("thumb").cloned() {
        let mut thumb = thumb;
        thumb.insert("alt", "".into());
        map.insert("thumb", Value::Map(thumb));
    }
    let err = check(
        "post",
        &post(&[("embeds", Value::Array(vec![Value::Map(map)]))]),
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "embeds.thumb.alt is empty");
}
