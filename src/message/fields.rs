//! The field discipline shared by every body schema, and the checks for strings, lists and the small
//! grammars (URL, language tag, media type, label value).
//!
//! Order of checks for a map (the same as layer-1 ENV-3): (1) keys in encoded order: an unknown key
//! without a `.` fails with `msg.unknown_field`, an unknown key with a `.` is an extension and is
//! skipped; (2) required keys in schema order: `msg.missing_field`; (3) values in encoded key order:
//! CBOR type, then the field's own rules. Step (3) is done by each kind's parser, which walks the map
//! (whose iteration order is the encoded order) after [`check_keys`].

use alloc::vec::Vec;

use super::error::{Path, ValidationError};
use crate::cbor::{Map, Value};
use crate::envelope::Kind;

/// One field of a body schema.
pub(crate) struct Field {
    pub(crate) name: &'static str,
    pub(crate) required: bool,
}

/// A required field.
pub(crate) const fn req(name: &'static str) -> Field {
    Field {
        name,
        required: true,
    }
}

/// An optional field.
pub(crate) const fn opt(name: &'static str) -> Field {
    Field {
        name,
        required: false,
    }
}

/// Steps (1) and (2) of the field discipline for the map at `at`; `schema` is in schema order.
pub(crate) fn check_keys(map: &Map, at: Path, schema: &[Field]) -> Result<(), ValidationError> {
    for (key, _) in map.iter() {
        if !key.contains('.') && !schema.iter().any(|f| f.name == key) {
            return Err(ValidationError::UnknownField {
                at,
                key: key.into(),
            });
        }
    }
    for f in schema {
        if f.required && map.get(f.name).is_none() {
            return Err(ValidationError::MissingField {
                field: at.child(f.name),
            });
        }
    }
    Ok(())
}

/// `msg.wrong_type` for `field`.
pub(crate) fn wrong_type(field: Path) -> ValidationError {
    ValidationError::WrongType { field }
}

/// A text string.
pub(crate) fn text(value: &Value, field: Path) -> Result<&str, ValidationError> {
    match value {
        Value::Text(t) => Ok(t),
        _ => Err(wrong_type(field)),
    }
}

/// A non-empty text string of at most `max_scalars` Unicode scalar values and `max_bytes` UTF-8
/// bytes (`msg.too_short`, `msg.too_long`).
pub(crate) fn bounded_text(
    value: &Value,
    field: Path,
    max_scalars: usize,
    max_bytes: usize,
) -> Result<&str, ValidationError> {
    let t = text(value, field)?;
    check_length(t, field, max_scalars, max_bytes)?;
    Ok(t)
}

/// The length limits of a non-empty text. Bytes are compared first because they bound the scalar
/// count from above: a text within `max_scalars` bytes needs no scalar count.
pub(crate) fn check_length(
    t: &str,
    field: Path,
    max_scalars: usize,
    max_bytes: usize,
) -> Result<(), ValidationError> {
    if t.is_empty() {
        return Err(ValidationError::TooShort { field });
    }
    if t.len() > max_bytes || (t.len() > max_scalars && t.chars().count() > max_scalars) {
        return Err(ValidationError::TooLong { field });
    }
    Ok(())
}

/// An unsigned integer.
// DECISION: a negative integer where the schema says uint is `msg.wrong_type` (another CBOR major
// type), not `msg.out_of_range`.
pub(crate) fn uint(value: &Value, field: Path) -> Result<u64, ValidationError> {
    match value {
        Value::Unsigned(n) => Ok(*n),
        _ => Err(wrong_type(field)),
    }
}

/// A 32-byte string (an id or a hash). A byte string of another length does not have the schema's
/// type `bstr .size 32`.
// DECISION: a byte string of the wrong length is `msg.wrong_type`; the message layer has no
// `field_length` code.
pub(crate) fn bytes32(value: &Value, field: Path) -> Result<[u8; 32], ValidationError> {
    match value {
        Value::Bytes(b) => b.as_slice().try_into().map_err(|_| wrong_type(field)),
        _ => Err(wrong_type(field)),
    }
}

/// A nested map.
pub(crate) fn map(value: &Value, field: Path) -> Result<&Map, ValidationError> {
    match value {
        Value::Map(m) => Ok(m),
        _ => Err(wrong_type(field)),
    }
}

/// A flag: only `true` is written (`msg.non_canonical_flag` for `false`).
pub(crate) fn flag(value: &Value, field: Path) -> Result<(), ValidationError> {
    match value {
        Value::Bool(true) => Ok(()),
        Value::Bool(false) => Err(ValidationError::NonCanonicalFlag { field }),
        _ => Err(wrong_type(field)),
    }
}

/// A present list of 1 ..= `max` elements.
// DECISION: the count (`msg.too_short`, `msg.too_many`) is checked before any element, as the schema
// `[1*N x]` states it first; it also bounds the work done on the elements.
pub(crate) fn list(value: &Value, field: Path, max: usize) -> Result<&[Value], ValidationError> {
    let items = match value {
        Value::Array(items) => items.as_slice(),
        _ => return Err(wrong_type(field)),
    };
    if items.is_empty() {
        return Err(ValidationError::TooShort { field });
    }
    if items.len() > max {
        return Err(ValidationError::TooMany { field });
    }
    Ok(items)
}

/// The longest URL, in bytes (MSG-5).
pub(crate) const MAX_URL_BYTES: usize = 2048;

/// Rule MSG-5: printable ASCII (0x21..=0x7e), `https://` or `http://` and at least one more byte,
/// at most 2048 bytes.
pub(crate) fn is_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    url.len() <= MAX_URL_BYTES
        && rest.is_some_and(|rest| !rest.is_empty())
        && url.bytes().all(|b| (0x21..=0x7e).contains(&b))
}

/// A URL field.
pub(crate) fn url(value: &Value, field: Path) -> Result<&str, ValidationError> {
    let u = text(value, field)?;
    if is_url(u) {
        Ok(u)
    } else {
        Err(ValidationError::InvalidUrl { field })
    }
}

/// Rule MSG-6: `alpha{2,3} *("-" alnum{1,8})`, ASCII letters of any case, 2 ..= 35 bytes.
pub(crate) fn is_lang(tag: &str) -> bool {
    if !(2..=35).contains(&tag.len()) {
        return false;
    }
    let mut parts = tag.split('-');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()));
    primary_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// A list of language tags: 1 ..= `max`, each MSG-6, no two equal ignoring ASCII case.
pub(crate) fn langs(
    value: &Value,
    field: Path,
    max: usize,
) -> Result<Vec<alloc::string::String>, ValidationError> {
    let items = list(value, field, max)?;
    let mut out: Vec<alloc::string::String> = Vec::with_capacity(items.len());
    for item in items {
        let tag = text(item, field)?;
        if !is_lang(tag) {
            return Err(ValidationError::InvalidLang { field });
        }
        if out.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
            return Err(ValidationError::Duplicate { field });
        }
        out.push(tag.into());
    }
    Ok(out)
}

/// Rule MEDIA-2: `type "/" subtype`, each part 1 ..= 63 bytes of `[a-z0-9!#$&^_.+-]`, at most 127
/// bytes in all.
pub(crate) fn is_media_type(mime: &str) -> bool {
    let part_ok = |p: &str| {
        (1..=63).contains(&p.len())
            && p.bytes().all(|b| {
                matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'!' | b'#' | b'$' | b'&' | b'^' | b'_' | b'.' | b'+' | b'-')
            })
    };
    mime.len() <= 127
        && mime
            .split_once('/')
            .is_some_and(|(t, s)| part_ok(t) && part_ok(s))
}

/// The whitespace characters that tags and emoji must not contain: U+0009..U+000D, U+0020, U+0085,
/// U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000 (the Unicode
/// `White_Space` property, written out so that it cannot change with the Unicode version).
pub(crate) fn is_space(c: char) -> bool {
    matches!(
        c,
        '\u{9}'..='\u{d}'
            | ' '
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// C0 and C1 control characters: U+0000..U+001F and U+007F..U+009F.
pub(crate) fn is_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

/// The label vocabulary (LABEL-2).
pub(crate) const LABEL_VOCABULARY: [&str; 14] = [
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

/// The labels an author may put on their own post: the content warnings.
pub(crate) const SELF_LABELS: [&str; 6] = [
    "porn",
    "sexual",
    "nudity",
    "graphic-media",
    "gore",
    "spoiler",
];

/// A custom label value: contains a `.` and follows the kind grammar of ENV-11.
fn is_custom_label(value: &str) -> bool {
    value.contains('.') && Kind::new(value).is_ok()
}

/// Rule LABEL-2 for the value of a `label` message.
pub(crate) fn is_label(value: &str) -> bool {
    LABEL_VOCABULARY.contains(&value) || is_custom_label(value)
}

/// Rule LABEL-2 for a self-label on a post or edit.
pub(crate) fn is_self_label(value: &str) -> bool {
    SELF_LABELS.contains(&value) || is_custom_label(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_list_matches_unicode_white_space() {
        for c in (0..=0x10ffffu32).filter_map(char::from_u32) {
            assert_eq!(is_space(c), c.is_whitespace(), "{:x}", c as u32);
        }
    }

    #[test]
    fn url_grammar() {
        assert!(is_url("https://a"));
        assert!(is_url("http://example.com/x?y=1#z"));
        assert!(!is_url("https://"));
        assert!(!is_url("ftp://a"));
        assert!(!is_url("HTTPS://a"));
        assert!(!is_url("https://a b"));
        assert!(!is_url("https://é"));
        let max = alloc::format!("https://{}", "a".repeat(MAX_URL_BYTES - 8));
        assert!(is_url(&max));
        assert!(!is_url(&alloc::format!("{max}a")));
    }

    #[test]
    fn lang_grammar() {
        for ok in [
            "en",
            "EN",
            "deu",
            "zh-Hant",
            "en-US",
            "sgn-BE-FR",
            "en-12345678",
        ] {
            assert!(is_lang(ok), "{ok}");
        }
        for bad in [
            "e",
            "x-a",
            "engl",
            "en-",
            "en--us",
            "en-123456789",
            "1n",
            "en_US",
            "é",
        ] {
            assert!(!is_lang(bad), "{bad}");
        }
        // 35 bytes is the limit.
        let long = alloc::format!("en{}", "-abcdefgh".repeat(3));
        assert_eq!(long.len(), 29);
        assert!(is_lang(&alloc::format!("{long}-abcde")));
        assert!(!is_lang(&alloc::format!("{long}-abcdef")));
    }

    #[test]
    fn media_type_grammar() {
        for ok in ["image/png", "application/vnd.api+json", "a/b", "x-y/z_1"] {
            assert!(is_media_type(ok), "{ok}");
        }
        for bad in [
            "image",
            "Image/png",
            "image/",
            "/png",
            "image/png/x",
            "image/p ng",
            "a/b;c=d",
        ] {
            assert!(!is_media_type(bad), "{bad}");
        }
        let part = "a".repeat(63);
        assert!(is_media_type(&alloc::format!("{part}/{part}")));
        assert!(!is_media_type(&alloc::format!("{part}a/b")));
    }

    #[test]
    fn labels() {
        assert!(is_label("!hide") && !is_self_label("!hide"));
        assert!(is_label("spam") && !is_self_label("spam"));
        assert!(is_label("spoiler") && is_self_label("spoiler"));
        assert!(is_label("com.example.x") && is_self_label("com.example.x"));
        assert!(!is_label("custom") && !is_label("Com.example") && !is_label("a..b"));
        assert!(!is_label(""));
    }
}
