//! Facets (rules FACET-1 to FACET-7): mentions, links and tags over byte ranges of a post's text.

use alloc::string::String;
use core::ops::Range;

use super::error::{Path, ValidationError};
use super::fields::{self, check_keys, opt, req, Field};
use crate::cbor::{Map, Value};
use crate::id::AccountId;

/// The most mention facets a post or edit may carry (rule FACET-7): each mention notifies an
/// account, so the cap bounds the notifications one signed message can cause. Farcaster's cap.
///
/// ```
/// use skylark::message::{Facet, Post, MAX_MENTIONS};
/// use skylark::id::AccountId;
/// let text = "@".repeat(MAX_MENTIONS + 1);
/// let with = |n: usize| {
///     (0..n).fold(Post::builder().text(text.clone()), |b, i| {
///         b.facet(Facet::mention(i..i + 1, AccountId::from_bytes([i as u8; 32])))
///     })
/// };
/// assert!(with(MAX_MENTIONS).build().is_ok());
/// let err = with(MAX_MENTIONS + 1).build().unwrap_err();
/// assert_eq!((err.code(), err.rule()), ("msg.too_many_mentions", "FACET-7"));
/// ```
pub const MAX_MENTIONS: usize = 10;

/// Tag limits.
const TAG_SCALARS: usize = 64;
const TAG_BYTES: usize = 640;

/// Schema order: start, end, type, account, url, tag.
const FIELDS: [Field; 6] = [
    req("start"),
    req("end"),
    req("type"),
    opt("account"),
    opt("url"),
    opt("tag"),
];

/// What a facet marks.
///
/// ```
/// use skylark::message::{Facet, Feature};
/// let facet = Facet::tag(0..5, "rust")?;
/// assert_eq!(facet.feature(), &Feature::Tag("rust".into()));
/// # Ok::<(), skylark::message::ValidationError>(())
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Feature {
    /// A mention of an account (`"type": "mention"`, `"account"`).
    Mention(AccountId),
    /// A link (`"type": "link"`, `"url"`, rule MSG-5).
    Link(String),
    /// A hashtag, stored without its `#` (`"type": "tag"`, `"tag"`).
    Tag(String),
}

impl Feature {
    fn type_name(&self) -> &'static str {
        match self {
            Feature::Mention(_) => "mention",
            Feature::Link(_) => "link",
            Feature::Tag(_) => "tag",
        }
    }
}

/// A facet: a [`Feature`] over the byte range `start..end` of a post's UTF-8 text.
///
/// The constructors check the feature's own field (the URL or the tag); where the range lies in the
/// text (FACET-3, FACET-4) and its order among the other facets (FACET-5) are checked when the post
/// or edit is built.
///
/// ```text
/// facet = { "start": uint, "end": uint, "type": "mention" / "link" / "tag",
///           ? "account": bstr .size 32, ? "url": text, ? "tag": text (1..=64 scalars, <= 640 bytes) }
/// ```
///
/// ```
/// use skylark::message::{Facet, Post};
/// use skylark::id::AccountId;
///
/// let text = "hi @bob, see https://example.com #larks";
/// let post = Post::builder()
///     .text(text)
///     .facet(Facet::mention(3..7, AccountId::from_bytes([2; 32])))
///     .facet(Facet::link(13..32, "https://example.com")?)
///     .facet(Facet::tag(33..39, "larks")?)
///     .build()?;
/// assert_eq!(&text[post.facets()[2].range()], "#larks");
/// # Ok::<(), skylark::message::ValidationError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facet {
    start: u64,
    end: u64,
    feature: Feature,
}

/// The path of a facet field.
fn path(name: &'static str) -> Path {
    Path::ROOT.child("facets").child(name)
}

impl Facet {
    /// A mention of `account` over `range`.
    ///
    /// ```
    /// use skylark::message::{Facet, Feature};
    /// use skylark::id::AccountId;
    /// let facet = Facet::mention(0..4, AccountId::from_bytes([1; 32]));
    /// assert_eq!(facet.feature(), &Feature::Mention(AccountId::from_bytes([1; 32])));
    /// ```
    pub fn mention(range: Range<usize>, account: AccountId) -> Facet {
        Facet::new(range, Feature::Mention(account))
    }

    /// A link to `url` over `range`.
    ///
    /// # Errors
    ///
    /// [`ValidationError::InvalidUrl`] unless `url` is an `http://` or `https://` URL of printable
    /// ASCII, at most 2048 bytes (MSG-5).
    ///
    /// ```
    /// use skylark::message::Facet;
    /// assert!(Facet::link(0..4, "https://example.com").is_ok());
    /// assert_eq!(Facet::link(0..4, "example.com").unwrap_err().code(), "msg.invalid_url");
    /// ```
    pub fn link(range: Range<usize>, url: impl Into<String>) -> Result<Facet, ValidationError> {
        Facet::checked(Facet::new(range, Feature::Link(url.into())))
    }

    /// A tag over `range`; `tag` is stored without its `#`.
    ///
    /// # Errors
    ///
    /// [`ValidationError::TooShort`] or [`ValidationError::TooLong`] unless the tag has 1 ..= 64
    /// Unicode scalar values and at most 640 bytes; [`ValidationError::InvalidTag`] if it contains
    /// whitespace.
    ///
    /// ```
    /// use skylark::message::Facet;
    /// assert!(Facet::tag(0..6, "larks").is_ok());
    /// assert_eq!(Facet::tag(0..6, "two words").unwrap_err().code(), "msg.invalid_tag");
    /// ```
    pub fn tag(range: Range<usize>, tag: impl Into<String>) -> Result<Facet, ValidationError> {
        Facet::checked(Facet::new(range, Feature::Tag(tag.into())))
    }

    fn new(range: Range<usize>, feature: Feature) -> Facet {
        Facet {
            start: range.start as u64,
            end: range.end as u64,
            feature,
        }
    }

    /// The facet's own field rules, without a text to check the range against.
    fn checked(facet: Facet) -> Result<Facet, ValidationError> {
        Facet::parse(&facet.to_map(), 0, None, None)
    }

    /// The byte range of the text that the facet covers.
    ///
    /// ```
    /// let facet = skylark::message::Facet::tag(3..9, "larks")?;
    /// assert_eq!(facet.range(), 3..9);
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn range(&self) -> Range<usize> {
        // A facet of a valid post or edit lies inside its text, so both ends fit in `usize`.
        let fit = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        fit(self.start)..fit(self.end)
    }

    /// The end offset as written.
    pub(crate) fn end_offset(&self) -> u64 {
        self.end
    }

    /// What the facet marks.
    ///
    /// ```
    /// use skylark::message::{Facet, Feature};
    /// let facet = Facet::link(0..1, "http://a")?;
    /// assert!(matches!(facet.feature(), Feature::Link(url) if url == "http://a"));
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn feature(&self) -> &Feature {
        &self.feature
    }

    /// The facet map, as it appears in a body.
    ///
    /// ```
    /// let map = skylark::message::Facet::tag(0..6, "larks")?.to_map();
    /// assert_eq!(map.get("type"), Some(&"tag".into()));
    /// assert_eq!(map.get("end"), Some(&6u64.into()));
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn to_map(&self) -> Map {
        let mut map = Map::new();
        map.insert("start", Value::Unsigned(self.start));
        map.insert("end", Value::Unsigned(self.end));
        map.insert("type", Value::from(self.feature.type_name()));
        match &self.feature {
            Feature::Mention(account) => {
                map.insert("account", Value::Bytes(account.as_bytes().to_vec()))
            }
            Feature::Link(url) => map.insert("url", Value::from(url.as_str())),
            Feature::Tag(tag) => map.insert("tag", Value::from(tag.as_str())),
        };
        map
    }

    /// Checks facet number `index` of a list: its map (MSG-1, FACET-1, FACET-2 at the `type` field),
    /// then, if the post has a text, FACET-3 and FACET-4, then FACET-5 against the end of the previous
    /// facet.
    ///
    // DECISION: without a text there is nothing to check FACET-3 and FACET-4 against; the post's
    // FACET-6 check, after all fields, reports it (otherwise FACET-6 could never fire).
    pub(crate) fn parse(
        map: &Map,
        index: usize,
        text: Option<&str>,
        prev_end: Option<u64>,
    ) -> Result<Facet, ValidationError> {
        let at = Path::ROOT.child("facets");
        check_keys(map, at, &FIELDS)?;
        let (mut start, mut end) = (0, 0);
        let mut feature = None;
        // Values in encoded key order: end, tag, url, type, start, account.
        for (key, value) in map.iter() {
            match key {
                "end" => end = fields::uint(value, path("end"))?,
                // DECISION: the tag's length limits are the general text limits (`msg.too_short`,
                // `msg.too_long`), checked first; `msg.invalid_tag` is for whitespace only. A leading
                // "#" is allowed: the brief says it is not needed, and forbids only whitespace.
                "tag" => {
                    let field = path("tag");
                    let tag = fields::bounded_text(value, field, TAG_SCALARS, TAG_BYTES)?;
                    if tag.chars().any(fields::is_space) {
                        return Err(ValidationError::InvalidTag { index });
                    }
                }
                "url" => {
                    fields::url(value, path("url"))?;
                }
                // DECISION: FACET-1 and FACET-2 are checked "at field time", i.e. when the "type"
                // value is reached in encoded key order (end, tag, url, type, start, account): a bad
                // url or tag is reported before them, a malformed account after them.
                "type" => {
                    let needed = match fields::text(value, path("type"))? {
                        "mention" => "account",
                        "link" => "url",
                        "tag" => "tag",
                        _ => return Err(ValidationError::InvalidFacetType { index }),
                    };
                    let exact = ["account", "url", "tag"]
                        .iter()
                        .all(|k| map.get(k).is_some() == (*k == needed));
                    if !exact {
                        return Err(ValidationError::FacetFields { index });
                    }
                }
                "start" => start = fields::uint(value, path("start"))?,
                "account" => {
                    let account = fields::bytes32(value, path("account"))?;
                    feature = Some(Feature::Mention(AccountId::from_bytes(account)));
                }
                _ => {}
            }
        }
        // The map has been checked: exactly one of the three fields is present and well-formed.
        let feature = match (feature, map.get("url"), map.get("tag")) {
            (Some(mention), _, _) => mention,
            (None, Some(Value::Text(url)), _) => Feature::Link(url.clone()),
            (None, _, Some(Value::Text(tag))) => Feature::Tag(tag.clone()),
            _ => return Err(ValidationError::FacetFields { index }),
        };
        if let Some(text) = text {
            // FACET-3, FACET-4
            if !(start < end && end <= text.len() as u64) {
                return Err(ValidationError::FacetRange { index });
            }
            let boundary = |n: u64| usize::try_from(n).is_ok_and(|n| text.is_char_boundary(n));
            if !(boundary(start) && boundary(end)) {
                return Err(ValidationError::FacetBoundary { index });
            }
        }
        // FACET-5
        if prev_end.is_some_and(|prev_end| start < prev_end) {
            return Err(ValidationError::FacetOrder { index });
        }
        Ok(Facet {
            start,
            end,
            feature,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facet(entries: &[(&str, Value)]) -> Map {
        let mut map = Map::new();
        for (k, v) in entries {
            map.insert(*k, v.clone());
        }
        map
    }

    fn code(map: &Map, text: Option<&str>, prev_end: Option<u64>) -> &'static str {
        Facet::parse(map, 0, text, prev_end).map_or_else(|e| e.code(), |_| "ok")
    }

    fn tag_facet(start: u64, end: u64, tag: &str) -> Map {
        facet(&[
            ("start", start.into()),
            ("end", end.into()),
            ("type", "tag".into()),
            ("tag", tag.into()),
        ])
    }

    #[test]
    fn type_and_fields() {
        let text = Some("#hello");
        assert_eq!(code(&tag_facet(0, 6, "hello"), text, None), "ok");
        let mut map = tag_facet(0, 6, "hello");
        map.insert("type", "hashtag".into());
        assert_eq!(code(&map, text, None), "msg.invalid_facet_type");
        map.insert("type", "link".into());
        assert_eq!(code(&map, text, None), "msg.facet_fields");
        map.insert("url", "https://a".into());
        assert_eq!(code(&map, text, None), "msg.facet_fields");
        map.remove("tag");
        assert_eq!(code(&map, text, None), "ok");
        map.insert("type", "mention".into());
        assert_eq!(code(&map, text, None), "msg.facet_fields");
        map.remove("url");
        map.insert("account", Value::Bytes([1; 32].to_vec()));
        assert_eq!(code(&map, text, None), "ok");
        // The account's type is checked after the type field (encoded order): FACET-2 passes first.
        map.insert("account", Value::Bytes([1; 31].to_vec()));
        assert_eq!(code(&map, text, None), "msg.wrong_type");
        map.insert("type", Value::Unsigned(1));
        assert_eq!(code(&map, text, None), "msg.wrong_type");
        map.remove("start");
        map.remove("end");
        assert_eq!(
            Facet::parse(&map, 0, text, None).unwrap_err(),
            ValidationError::MissingField {
                field: path("start")
            }
        );
        map.insert("bold", true.into());
        assert_eq!(code(&map, text, None), "msg.unknown_field");
    }

    #[test]
    fn range_boundary_and_order() {
        let text = Some("é#ab");
        assert_eq!(code(&tag_facet(2, 5, "ab"), text, None), "ok");
        assert_eq!(code(&tag_facet(2, 6, "ab"), text, None), "msg.facet_range");
        assert_eq!(code(&tag_facet(2, 2, "ab"), text, None), "msg.facet_range");
        assert_eq!(code(&tag_facet(3, 2, "ab"), text, None), "msg.facet_range");
        assert_eq!(
            code(&tag_facet(1, 5, "ab"), text, None),
            "msg.facet_boundary"
        );
        assert_eq!(
            code(&tag_facet(0, 1, "ab"), text, None),
            "msg.facet_boundary"
        );
        assert_eq!(
            code(&tag_facet(u64::MAX - 1, u64::MAX, "ab"), text, None),
            "msg.facet_range"
        );
        assert_eq!(code(&tag_facet(2, 5, "ab"), text, Some(2)), "ok");
        assert_eq!(
            code(&tag_facet(2, 5, "ab"), text, Some(3)),
            "msg.facet_order"
        );
        // Without text, only the order is checked here.
        assert_eq!(code(&tag_facet(9, 99, "ab"), None, None), "ok");
    }

    #[test]
    fn tag_rules() {
        let text = Some("#x");
        // 64 scalars, the last multi-byte; then 65.
        let at_limit = alloc::format!("{}é", "a".repeat(63));
        assert_eq!(code(&tag_facet(0, 2, &at_limit), text, None), "ok");
        assert_eq!(
            code(&tag_facet(0, 2, &alloc::format!("{at_limit}a")), text, None),
            "msg.too_long"
        );
        // 64 four-byte scalars are 256 bytes: the byte limit of 640 never binds first.
        assert_eq!(code(&tag_facet(0, 2, &"😀".repeat(64)), text, None), "ok");
        assert_eq!(code(&tag_facet(0, 2, ""), text, None), "msg.too_short");
        for space in ["a b", "a\u{3000}b", "\u{85}", "a\tb", "a\u{a0}"] {
            assert_eq!(
                code(&tag_facet(0, 2, space), text, None),
                "msg.invalid_tag",
                "{space:?}"
            );
        }
        // A leading '#' is not whitespace.
        assert_eq!(code(&tag_facet(0, 2, "#x"), text, None), "ok");
        // Length is checked before whitespace.
        assert_eq!(
            code(&tag_facet(0, 2, &" ".repeat(65)), text, None),
            "msg.too_long"
        );
    }
}
