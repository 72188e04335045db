//! Profiles (rule PROFILE-1).

use alloc::string::String;
use alloc::vec::Vec;

use super::error::{Path, ValidationError};
use super::fields::{self, check_keys, opt, Field};
use super::media::Media;
use super::BodyKind;
use crate::cbor::{Map, Value};

const BIO_SCALARS: usize = 256;
const BIO_BYTES: usize = 1024;
const NAME_SCALARS: usize = 64;
const NAME_BYTES: usize = 256;
const MAX_LINKS: usize = 4;

const FIELDS: [Field; 5] = [
    opt("bio"),
    opt("name"),
    opt("links"),
    opt("avatar"),
    opt("banner"),
];

/// A profile (kind `profile`): display name, bio, links, avatar and banner. Every field is optional;
/// an empty profile clears the previous one (the latest profile wins).
///
/// ```text
/// profile = { ? "bio": text (1..=256 scalars, <= 1024 bytes), ? "name": text (1..=64 scalars,
///             <= 256 bytes), ? "links": [1*4 url], ? "avatar": media, ? "banner": media }
/// ```
///
/// Avatar and banner must be images (PROFILE-1).
///
/// ```
/// use skylark::message::{Media, Profile};
///
/// let avatar = Media::builder([9; 32], "image/png", 4096).dimensions(256, 256).build()?;
/// let profile = Profile::builder()
///     .name("Alice Lark")
///     .bio("Birdwatcher.")
///     .link("https://alice.example")
///     .avatar(avatar)
///     .build()?;
/// assert_eq!(profile.name(), Some("Alice Lark"));
/// # Ok::<(), skylark::message::ValidationError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    bio: Option<String>,
    name: Option<String>,
    links: Vec<String>,
    avatar: Option<Media>,
    banner: Option<Media>,
}

impl Profile {
    /// Starts an empty profile.
    ///
    /// ```
    /// let empty = skylark::message::Profile::builder().build()?;
    /// assert_eq!(empty.name(), None);
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn builder() -> ProfileBuilder {
        ProfileBuilder {
            profile: Profile::default(),
        }
    }

    /// The bio, if any.
    ///
    /// ```
    /// let profile = skylark::message::Profile::builder().bio("hi").build()?;
    /// assert_eq!(profile.bio(), Some("hi"));
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn bio(&self) -> Option<&str> {
        self.bio.as_deref()
    }

    /// The display name, if any.
    ///
    /// ```
    /// let profile = skylark::message::Profile::builder().name("Al").build()?;
    /// assert_eq!(profile.name(), Some("Al"));
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The links (MSG-5), in order.
    ///
    /// ```
    /// let profile = skylark::message::Profile::builder().link("https://a.example").build()?;
    /// assert_eq!(profile.links(), ["https://a.example"]);
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn links(&self) -> &[String] {
        &self.links
    }

    /// The avatar image, if any.
    ///
    /// ```
    /// let profile = skylark::message::Profile::builder().build()?;
    /// assert!(profile.avatar().is_none());
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn avatar(&self) -> Option<&Media> {
        self.avatar.as_ref()
    }

    /// The banner image, if any.
    ///
    /// ```
    /// let profile = skylark::message::Profile::builder().build()?;
    /// assert!(profile.banner().is_none());
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn banner(&self) -> Option<&Media> {
        self.banner.as_ref()
    }

    /// Checks a `profile` body.
    pub(crate) fn parse(map: &Map) -> Result<Profile, ValidationError> {
        check_keys(map, Path::ROOT, &FIELDS)?;
        let mut profile = Profile::default();
        // Values in encoded key order: bio, name, links, avatar, banner.
        for (key, value) in map.iter() {
            match key {
                "bio" => {
                    let field = Path::ROOT.child("bio");
                    profile.bio =
                        Some(fields::bounded_text(value, field, BIO_SCALARS, BIO_BYTES)?.into());
                }
                "name" => {
                    let field = Path::ROOT.child("name");
                    profile.name =
                        Some(fields::bounded_text(value, field, NAME_SCALARS, NAME_BYTES)?.into());
                }
                "links" => {
                    let field = Path::ROOT.child("links");
                    let items = fields::list(value, field, MAX_LINKS)?;
                    profile.links = items
                        .iter()
                        .map(|item| fields::url(item, field).map(String::from))
                        .collect::<Result<_, _>>()?;
                }
                "avatar" => profile.avatar = Some(image(value, Path::ROOT.child("avatar"))?),
                "banner" => profile.banner = Some(image(value, Path::ROOT.child("banner"))?),
                _ => {}
            }
        }
        Ok(profile)
    }
}

/// An avatar or banner: a media map (MEDIA-*), then PROFILE-1.
// DECISION: PROFILE-1 is the avatar/banner field's own rule, checked after the media's rules
// (MEDIA-4 included), as the field discipline checks a field's type (here: media) before its rules.
fn image(value: &Value, field: Path) -> Result<Media, ValidationError> {
    let media = Media::parse(fields::map(value, field)?, field)?;
    if !media.mime().starts_with("image/") {
        return Err(ValidationError::NotAnImage { field });
    }
    Ok(media)
}

impl BodyKind for Profile {
    const KIND: &'static str = "profile";

    fn to_map(&self) -> Map {
        let mut map = Map::new();
        if let Some(bio) = &self.bio {
            map.insert("bio", Value::from(bio.as_str()));
        }
        if let Some(name) = &self.name {
            map.insert("name", Value::from(name.as_str()));
        }
        if !self.links.is_empty() {
            let links = self.links.iter().map(|l| Value::from(l.as_str())).collect();
            map.insert("links", Value::Array(links));
        }
        if let Some(avatar) = &self.avatar {
            map.insert("avatar", Value::Map(avatar.to_map()));
        }
        if let Some(banner) = &self.banner {
            map.insert("banner", Value::Map(banner.to_map()));
        }
        map
    }
}

/// Builds a [`Profile`]; [`ProfileBuilder::build`] checks every field.
///
/// ```
/// use skylark::message::{Media, Profile};
/// let video = Media::builder([1; 32], "video/mp4", 10).dimensions(16, 9).build()?;
/// let err = Profile::builder().avatar(video).build().unwrap_err();
/// assert_eq!((err.code(), err.rule()), ("msg.invalid_media_type", "PROFILE-1"));
/// # Ok::<(), skylark::message::ValidationError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ProfileBuilder {
    profile: Profile,
}

impl ProfileBuilder {
    /// Sets the bio (1 ..= 256 Unicode scalar values, at most 1024 bytes).
    ///
    /// ```
    /// let err = skylark::message::Profile::builder().bio("b".repeat(257)).build().unwrap_err();
    /// assert_eq!(err.code(), "msg.too_long");
    /// ```
    pub fn bio(mut self, bio: impl Into<String>) -> Self {
        self.profile.bio = Some(bio.into());
        self
    }

    /// Sets the display name (1 ..= 64 Unicode scalar values, at most 256 bytes).
    ///
    /// ```
    /// let err = skylark::message::Profile::builder().name("").build().unwrap_err();
    /// assert_eq!(err.code(), "msg.too_short");
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.profile.name = Some(name.into());
        self
    }

    /// Adds a link (MSG-5; at most 4).
    ///
    /// ```
    /// let err = skylark::message::Profile::builder().link("mailto:a@b").build().unwrap_err();
    /// assert_eq!(err.code(), "msg.invalid_url");
    /// ```
    pub fn link(mut self, url: impl Into<String>) -> Self {
        self.profile.links.push(url.into());
        self
    }

    /// Sets the avatar, which must be an image.
    ///
    /// ```
    /// use skylark::message::{Media, Profile};
    /// let png = Media::builder([1; 32], "image/png", 10).dimensions(1, 1).build()?;
    /// assert!(Profile::builder().avatar(png).build()?.avatar().is_some());
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn avatar(mut self, avatar: Media) -> Self {
        self.profile.avatar = Some(avatar);
        self
    }

    /// Sets the banner, which must be an image.
    ///
    /// ```
    /// use skylark::message::{Media, Profile};
    /// let png = Media::builder([1; 32], "image/png", 10).dimensions(3, 1).build()?;
    /// assert!(Profile::builder().banner(png).build()?.banner().is_some());
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn banner(mut self, banner: Media) -> Self {
        self.profile.banner = Some(banner);
        self
    }

    /// Checks the profile and returns it.
    ///
    /// # Errors
    ///
    /// The first failing rule, exactly as [`crate::message::validate`] reports it for the body.
    ///
    /// ```
    /// let profile = skylark::message::Profile::builder().name("Ål").build()?;
    /// assert_eq!(profile.name(), Some("Ål"));
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn build(self) -> Result<Profile, ValidationError> {
        Profile::parse(&self.profile.to_map())
    }
}
