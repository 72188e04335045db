//! Profiles (rules PROFILE-1..PROFILE-3): display fields, the account's locator (`hosts`, where its
//! messages can be fetched) and its name claim (`handle`, confirmed by the name's domain, 09 §10).

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
/// The most hosts of a locator (PROFILE-2).
///
/// ```
/// use skylark::message::{Profile, MAX_HOSTS};
/// let mut b = Profile::builder();
/// for i in 0..=MAX_HOSTS {
///     b = b.host(format!("https://n{i}.example"));
/// }
/// assert_eq!(b.build().unwrap_err().code(), "msg.too_many");
/// ```
pub const MAX_HOSTS: usize = 4;
/// The longest DNS name (RFC 1035 §2.3.4, without the root's dot), for hosts and handles.
const MAX_NAME_BYTES: usize = 253;

const FIELDS: [Field; 7] = [
    opt("bio"),
    opt("name"),
    opt("links"),
    opt("avatar"),
    opt("banner"),
    opt("hosts"),
    opt("handle"),
];

/// PROFILE-3: a name is a lower-case ASCII DNS name of at least two labels and at most 253 bytes;
/// each label 1..=63 bytes of `a-z`, `0-9` and `-`, not starting or ending with `-`, and without
/// `-` at both its third and fourth byte (no IDNA A-labels `xn--…`, no other reserved labels); the
/// last label starts with a letter (so no name is an IPv4 address).
pub(crate) fn is_name(name: &str) -> bool {
    let labels: Vec<&str> = name.split('.').collect();
    name.len() <= MAX_NAME_BYTES
        && labels.len() >= 2
        && labels.iter().all(|l| {
            let b = l.as_bytes();
            (1..=63).contains(&b.len())
                && b.iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
                && b[0] != b'-'
                && b[b.len() - 1] != b'-'
                && !(b.len() >= 4 && b[2] == b'-' && b[3] == b'-')
        })
        && labels
            .last()
            .is_some_and(|l| l.as_bytes()[0].is_ascii_lowercase())
}

/// PROFILE-2: `https://` NAME [`:` PORT], NAME as in PROFILE-3, PORT a decimal 1..=65535 without
/// leading zeros; nothing else (no path, query, user or trailing slash).
pub(crate) fn is_host_url(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://") else {
        return false;
    };
    let (name, port) = match rest.split_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (rest, None),
    };
    is_name(name)
        && port.is_none_or(|p| {
            !p.is_empty()
                && p.len() <= 5
                && p.bytes().all(|c| c.is_ascii_digit())
                && !p.starts_with('0')
                && p.parse::<u32>().is_ok_and(|n| n <= 65_535)
        })
}

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
    hosts: Vec<String>,
    handle: Option<String>,
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

    /// The account's locator (PROFILE-2): the hosts where its messages can be fetched over the HTTP
    /// binding (spec 10), in the author's order of preference. The latest profile wins (07
    /// MERGE-3), so the current profile's hosts are the account's locator.
    ///
    /// ```
    /// let profile = skylark::message::Profile::builder().host("https://node.example:8443").build()?;
    /// assert_eq!(profile.hosts(), ["https://node.example:8443"]);
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn hosts(&self) -> &[String] {
        &self.hosts
    }

    /// The name the account claims (PROFILE-3), confirmed only when the name's domain names the
    /// account too ([`crate::sync::verify_name`]).
    ///
    /// ```
    /// let profile = skylark::message::Profile::builder().handle("alice.example").build()?;
    /// assert_eq!(profile.handle(), Some("alice.example"));
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn handle(&self) -> Option<&str> {
        self.handle.as_deref()
    }

    /// Checks a `profile` body.
    pub(crate) fn parse(map: &Map) -> Result<Profile, ValidationError> {
        check_keys(map, Path::ROOT, &FIELDS)?;
        let mut profile = Profile::default();
        // Values in encoded key order: bio, name, hosts, links, avatar, banner, handle.
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
                "hosts" => {
                    let field = Path::ROOT.child("hosts");
                    let items = fields::list(value, field, MAX_HOSTS)?;
                    let mut hosts: Vec<String> = Vec::with_capacity(items.len());
                    for item in items {
                        let host = fields::text(item, field)?;
                        if !is_host_url(host) {
                            return Err(ValidationError::InvalidHost { field });
                        }
                        if hosts.iter().any(|h| h == host) {
                            return Err(ValidationError::Duplicate { field });
                        }
                        hosts.push(host.into());
                    }
                    profile.hosts = hosts;
                }
                "handle" => {
                    let field = Path::ROOT.child("handle");
                    let handle = fields::text(value, field)?;
                    if !is_name(handle) {
                        return Err(ValidationError::InvalidName { field });
                    }
                    profile.handle = Some(handle.into());
                }
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
        if !self.hosts.is_empty() {
            let hosts = self.hosts.iter().map(|h| Value::from(h.as_str())).collect();
            map.insert("hosts", Value::Array(hosts));
        }
        if let Some(handle) = &self.handle {
            map.insert("handle", Value::from(handle.as_str()));
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

    /// Adds a host to the locator (PROFILE-2: `https://` a lower-case DNS name, an optional port,
    /// nothing else; at most 4, no duplicates).
    ///
    /// ```
    /// let err = skylark::message::Profile::builder().host("https://Node.example/").build().unwrap_err();
    /// assert_eq!((err.code(), err.rule()), ("msg.invalid_host", "PROFILE-2"));
    /// ```
    pub fn host(mut self, url: impl Into<String>) -> Self {
        self.profile.hosts.push(url.into());
        self
    }

    /// Sets the claimed name (PROFILE-3: a lower-case ASCII DNS name, no IDNA A-labels).
    ///
    /// ```
    /// let err = skylark::message::Profile::builder().handle("xn--pple-43d.example").build().unwrap_err();
    /// assert_eq!((err.code(), err.rule()), ("msg.invalid_name", "PROFILE-3"));
    /// ```
    pub fn handle(mut self, name: impl Into<String>) -> Self {
        self.profile.handle = Some(name.into());
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
