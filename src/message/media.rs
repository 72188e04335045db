//! Media references (rules MEDIA-1 to MEDIA-5): a file named by its hash, with its type, size,
//! dimensions and alt text. Used by post embeds, link-card thumbnails and profile avatars and banners.

use alloc::string::String;

use super::error::{Path, ValidationError};
use super::fields::{self, check_keys, opt, req, Field};
use crate::cbor::{Map, Value};

/// The largest file a media reference may describe: 100 MiB (MEDIA-3).
const MAX_SIZE: u64 = 100 * 1024 * 1024;
/// Alt text limits (MEDIA-5).
const ALT_SCALARS: usize = 2000;
const ALT_BYTES: usize = 8000;

const FIELDS: [Field; 6] = [
    req("hash"),
    req("mime"),
    req("size"),
    opt("width"),
    opt("height"),
    opt("alt"),
];

/// A reference to a media file: its BLAKE3 hash (MEDIA-1), media type (MEDIA-2), size in bytes
/// (MEDIA-3), width and height in pixels (MEDIA-4, required for images and videos) and alt text
/// (MEDIA-5).
///
/// ```text
/// media = { "hash": bstr .size 32, "mime": text, "size": 1..=104857600,
///           ? "width": 1..=65535, ? "height": 1..=65535, ? "alt": text (1..=2000 scalars, <= 8000 bytes) }
/// ```
///
/// ```
/// use skylark::message::Media;
///
/// let file = b"\x89PNG...";
/// let media = Media::builder(Media::file_hash(file), "image/png", file.len() as u64)
///     .dimensions(640, 480)
///     .alt("a lark on a fence post")
///     .build()?;
/// assert_eq!(media.dimensions(), Some((640, 480)));
/// // Images and videos must say how large they are.
/// assert_eq!(
///     Media::builder([0; 32], "video/mp4", 1).build().unwrap_err().code(),
///     "msg.dimensions"
/// );
/// # Ok::<(), skylark::message::ValidationError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    hash: [u8; 32],
    mime: String,
    size: u64,
    dimensions: Option<(u16, u16)>,
    alt: Option<String>,
}

impl Media {
    /// Starts a media reference to a file with this hash, media type and size in bytes.
    ///
    /// ```
    /// let media = skylark::message::Media::builder([7; 32], "application/pdf", 1234).build()?;
    /// assert_eq!(media.size(), 1234);
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn builder(hash: [u8; 32], mime: impl Into<String>, size: u64) -> MediaBuilder {
        MediaBuilder {
            media: Media {
                hash,
                mime: mime.into(),
                size,
                dimensions: None,
                alt: None,
            },
        }
    }

    /// The hash that names a file (MEDIA-1): plain BLAKE3 (default mode, 32 bytes) of its bytes.
    ///
    /// ```
    /// let hash = skylark::message::Media::file_hash(b"");
    /// assert_eq!(hash[..4], [0xaf, 0x13, 0x49, 0xb9]);
    /// ```
    pub fn file_hash(file: &[u8]) -> [u8; 32] {
        *blake3::hash(file).as_bytes()
    }

    /// The file's BLAKE3 hash.
    ///
    /// ```
    /// let media = skylark::message::Media::builder([7; 32], "text/plain", 1).build()?;
    /// assert_eq!(media.hash(), &[7; 32]);
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn hash(&self) -> &[u8; 32] {
        &self.hash
    }

    /// The media type, such as `image/png`.
    ///
    /// ```
    /// let media = skylark::message::Media::builder([7; 32], "text/plain", 1).build()?;
    /// assert_eq!(media.mime(), "text/plain");
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn mime(&self) -> &str {
        &self.mime
    }

    /// The file's size in bytes.
    ///
    /// ```
    /// let media = skylark::message::Media::builder([7; 32], "text/plain", 99).build()?;
    /// assert_eq!(media.size(), 99);
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Width and height in pixels, if given.
    ///
    /// ```
    /// let media = skylark::message::Media::builder([7; 32], "text/plain", 1).build()?;
    /// assert_eq!(media.dimensions(), None);
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn dimensions(&self) -> Option<(u16, u16)> {
        self.dimensions
    }

    /// The alt text, if given.
    ///
    /// ```
    /// let media = skylark::message::Media::builder([7; 32], "image/gif", 1)
    ///     .dimensions(1, 1)
    ///     .alt("a dot")
    ///     .build()?;
    /// assert_eq!(media.alt(), Some("a dot"));
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn alt(&self) -> Option<&str> {
        self.alt.as_deref()
    }

    /// The media map, as it appears in a body.
    ///
    /// ```
    /// let media = skylark::message::Media::builder([0; 32], "text/plain", 1).build()?;
    /// let map = media.to_map();
    /// assert_eq!(map.get("mime"), Some(&"text/plain".into()));
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn to_map(&self) -> Map {
        let mut map = Map::new();
        map.insert("hash", Value::Bytes(self.hash.to_vec()));
        map.insert("mime", Value::from(self.mime.as_str()));
        map.insert("size", Value::Unsigned(self.size));
        if let Some((width, height)) = self.dimensions {
            map.insert("width", Value::Unsigned(width.into()));
            map.insert("height", Value::Unsigned(height.into()));
        }
        if let Some(alt) = &self.alt {
            map.insert("alt", Value::from(alt.as_str()));
        }
        map
    }

    /// Checks the media map at `at` (MSG-1, MEDIA-1 to MEDIA-5) and reads it.
    pub(crate) fn parse(map: &Map, at: Path) -> Result<Media, ValidationError> {
        check_keys(map, at, &FIELDS)?;
        let mut media = Media {
            hash: [0; 32],
            mime: String::new(),
            size: 0,
            dimensions: None,
            alt: None,
        };
        let (mut width, mut height) = (None, None);
        // Values in encoded key order: alt, hash, mime, size, width, height.
        for (key, value) in map.iter() {
            match key {
                "alt" => {
                    let field = at.child("alt");
                    media.alt =
                        Some(fields::bounded_text(value, field, ALT_SCALARS, ALT_BYTES)?.into());
                }
                "hash" => media.hash = fields::bytes32(value, at.child("hash"))?,
                "mime" => {
                    let field = at.child("mime");
                    let mime = fields::text(value, field)?;
                    if !fields::is_media_type(mime) {
                        return Err(ValidationError::InvalidMediaType { field });
                    }
                    media.mime = mime.into();
                }
                "size" => {
                    let field = at.child("size");
                    media.size = fields::uint(value, field)?;
                    if !(1..=MAX_SIZE).contains(&media.size) {
                        return Err(ValidationError::OutOfRange { field });
                    }
                }
                "width" => width = Some(dimension(value, at.child("width"))?),
                "height" => height = Some(dimension(value, at.child("height"))?),
                _ => {}
            }
        }
        // MEDIA-4, after each field's own range.
        media.dimensions = match (width, height) {
            (Some(w), Some(h)) => Some((w, h)),
            (None, None) => None,
            _ => return Err(ValidationError::Dimensions { field: at }),
        };
        let visual = media.mime.starts_with("image/") || media.mime.starts_with("video/");
        if visual && media.dimensions.is_none() {
            return Err(ValidationError::Dimensions { field: at });
        }
        Ok(media)
    }
}

/// A width or height: 1 ..= 65535 (MEDIA-4).
fn dimension(value: &Value, field: Path) -> Result<u16, ValidationError> {
    match u16::try_from(fields::uint(value, field)?) {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(ValidationError::OutOfRange { field }),
    }
}

/// Builds a [`Media`] reference; [`MediaBuilder::build`] checks rules MEDIA-1 to MEDIA-5.
///
/// ```
/// use skylark::message::Media;
/// let err = Media::builder([0; 32], "image/png", 10).dimensions(0, 10).build().unwrap_err();
/// assert_eq!((err.code(), err.rule()), ("msg.out_of_range", "MEDIA-4"));
/// ```
#[derive(Debug, Clone)]
pub struct MediaBuilder {
    /// Not yet checked: `build` parses it (as `PostBuilder` and the others hold theirs).
    media: Media,
}

impl MediaBuilder {
    /// Sets the width and height in pixels (each 1 ..= 65535).
    ///
    /// ```
    /// let media = skylark::message::Media::builder([0; 32], "image/png", 10)
    ///     .dimensions(65535, 1)
    ///     .build()?;
    /// assert_eq!(media.dimensions(), Some((65535, 1)));
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn dimensions(mut self, width: u16, height: u16) -> Self {
        self.media.dimensions = Some((width, height));
        self
    }

    /// Sets the alt text (1 ..= 2000 Unicode scalar values, at most 8000 bytes).
    ///
    /// ```
    /// let err = skylark::message::Media::builder([0; 32], "text/plain", 10)
    ///     .alt("")
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!((err.code(), err.rule()), ("msg.too_short", "MEDIA-5"));
    /// ```
    pub fn alt(mut self, alt: impl Into<String>) -> Self {
        self.media.alt = Some(alt.into());
        self
    }

    /// Checks every rule and returns the reference.
    ///
    /// # Errors
    ///
    /// The first failing rule, in the order validation checks them.
    ///
    /// ```
    /// let err = skylark::message::Media::builder([0; 32], "IMAGE/PNG", 10).build().unwrap_err();
    /// assert_eq!(err.code(), "msg.invalid_media_type");
    /// ```
    pub fn build(self) -> Result<Media, ValidationError> {
        Media::parse(&self.media.to_map(), Path::ROOT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    fn base() -> Map {
        Media::builder([1; 32], "image/png", 10)
            .dimensions(2, 3)
            .build()
            .unwrap()
            .to_map()
    }

    fn code(map: &Map) -> &'static str {
        Media::parse(map, Path::ROOT).map_or_else(|e| e.code(), |_| "ok")
    }

    #[test]
    fn built_media_round_trips() {
        let map = base();
        assert_eq!(Media::parse(&map, Path::ROOT).unwrap().to_map(), map);
    }

    #[test]
    fn size_limits() {
        for (size, expected) in [
            (0, "msg.out_of_range"),
            (1, "ok"),
            (MAX_SIZE, "ok"),
            (MAX_SIZE + 1, "msg.out_of_range"),
        ] {
            let mut map = base();
            map.insert("size", Value::Unsigned(size));
            assert_eq!(code(&map), expected, "{size}");
        }
        let mut map = base();
        map.insert("size", Value::from(-1i64));
        assert_eq!(code(&map), "msg.wrong_type");
    }

    #[test]
    fn dimension_limits_and_pairing() {
        for (w, expected) in [
            (0u64, "msg.out_of_range"),
            (1, "ok"),
            (65535, "ok"),
            (65536, "msg.out_of_range"),
        ] {
            let mut map = base();
            map.insert("width", Value::Unsigned(w));
            assert_eq!(code(&map), expected, "{w}");
        }
        let mut map = base();
        map.remove("height");
        assert_eq!(code(&map), "msg.dimensions");
        map.remove("width");
        assert_eq!(code(&map), "msg.dimensions");
        map.insert("mime", "application/pdf".into());
        assert_eq!(code(&map), "ok");
        // The range of a field is checked before the pairing.
        map.insert("width", Value::Unsigned(0));
        assert_eq!(code(&map), "msg.out_of_range");
    }

    #[test]
    fn alt_limits_count_scalars_and_bytes() {
        // 2000 scalars, the last one multi-byte: fine; one more: too long.
        let at_limit = alloc::format!("{}é", "a".repeat(ALT_SCALARS - 1));
        let mut map = base();
        map.insert("alt", at_limit.as_str().into());
        assert_eq!(code(&map), "ok");
        map.insert("alt", alloc::format!("{at_limit}a").into());
        assert_eq!(code(&map), "msg.too_long");
        // 2000 four-byte scalars are exactly 8000 bytes; the byte limit can never bind first.
        map.insert("alt", "😀".repeat(2000).into());
        assert_eq!(code(&map), "ok");
        map.insert("alt", alloc::format!("{}é", "😀".repeat(2000)).into());
        assert_eq!(code(&map), "msg.too_long");
        map.insert("alt", "".into());
        assert_eq!(code(&map), "msg.too_short");
    }

    #[test]
    fn field_discipline() {
        let mut map = base();
        map.insert("color", "red".into());
        assert_eq!(code(&map), "msg.unknown_field");
        let mut map = base();
        map.insert("com.example.color", "red".into());
        assert_eq!(code(&map), "ok");
        map.remove("size");
        map.remove("hash");
        let err = Media::parse(&map, Path::ROOT.child("avatar")).unwrap_err();
        assert_eq!(err.to_string(), "missing field avatar.hash");
        let mut map = base();
        map.insert("hash", Value::Bytes([0; 31].to_vec()));
        assert_eq!(code(&map), "msg.wrong_type");
        let mut map = base();
        map.insert("mime", "image/png ".into());
        assert_eq!(code(&map), "msg.invalid_media_type");
    }
}
