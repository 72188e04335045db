//! Posts and edits (rules POST-1 to POST-5, EDIT-1 to EDIT-3) and what they contain: embeds, link
//! cards, replies.

use alloc::string::String;
use alloc::vec::Vec;

use super::error::{Path, ValidationError};
use super::facet::{Facet, Feature, MAX_MENTIONS};
use super::fields::{self, check_keys, opt, req, Field};
use super::media::Media;
use super::BodyKind;
use crate::cbor::{Map, Value};
use crate::id::MessageId;

const TEXT_SCALARS: usize = 1000;
const TEXT_BYTES: usize = 3000;
const MAX_LANGS: usize = 3;
const MAX_EMBEDS: usize = 4;
const MAX_FACETS: usize = 64;
const MAX_LABELS: usize = 8;
const TITLE_SCALARS: usize = 300;
const TITLE_BYTES: usize = 1200;
const DESCRIPTION_SCALARS: usize = 1000;
const DESCRIPTION_BYTES: usize = 4000;

const POST_FIELDS: [Field; 8] = [
    opt("text"),
    opt("langs"),
    opt("quote"),
    opt("reply"),
    opt("embeds"),
    opt("facets"),
    opt("labels"),
    opt("quote_version"),
];

const EDIT_FIELDS: [Field; 7] = [
    req("target"),
    req("replaces"),
    opt("text"),
    opt("langs"),
    opt("embeds"),
    opt("facets"),
    opt("labels"),
];

const REPLY_FIELDS: [Field; 2] = [req("root"), req("parent")];
const MEDIA_EMBED_FIELDS: [Field; 2] = [req("type"), req("media")];
const CARD_FIELDS: [Field; 5] = [
    req("type"),
    req("url"),
    opt("title"),
    opt("description"),
    opt("thumb"),
];

fn top(name: &'static str) -> Path {
    Path::ROOT.child(name)
}

fn message_id(value: &Value, field: Path) -> Result<MessageId, ValidationError> {
    fields::bytes32(value, field).map(MessageId::from_bytes)
}

/// Where a reply sits in a thread: the thread's first post and the post it answers (POST-5). A reply
/// to the root itself names it twice.
///
/// ```text
/// reply = { "root": bstr .size 32, "parent": bstr .size 32 }
/// ```
///
/// ```
/// use skylark::id::MessageId;
/// use skylark::message::Reply;
///
/// let root = MessageId::from_bytes([1; 32]);
/// let reply = Reply::new(root, root);
/// assert_eq!(reply.parent(), reply.root());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reply {
    root: MessageId,
    parent: MessageId,
}

impl Reply {
    /// A reply to `parent`, in the thread that starts at `root`.
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// let reply = skylark::message::Reply::new(MessageId::from_bytes([1; 32]), MessageId::from_bytes([2; 32]));
    /// assert_eq!(reply.parent(), MessageId::from_bytes([2; 32]));
    /// ```
    pub fn new(root: MessageId, parent: MessageId) -> Self {
        Reply { root, parent }
    }

    /// The first post of the thread.
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// let reply = skylark::message::Reply::new(MessageId::from_bytes([1; 32]), MessageId::from_bytes([2; 32]));
    /// assert_eq!(reply.root(), MessageId::from_bytes([1; 32]));
    /// ```
    pub fn root(&self) -> MessageId {
        self.root
    }

    /// The post this one answers.
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// let reply = skylark::message::Reply::new(MessageId::from_bytes([1; 32]), MessageId::from_bytes([2; 32]));
    /// assert_ne!(reply.parent(), reply.root());
    /// ```
    pub fn parent(&self) -> MessageId {
        self.parent
    }

    fn to_map(self) -> Map {
        let mut map = Map::new();
        map.insert("root", Value::Bytes(self.root.as_bytes().to_vec()));
        map.insert("parent", Value::Bytes(self.parent.as_bytes().to_vec()));
        map
    }

    fn parse(value: &Value) -> Result<Reply, ValidationError> {
        let at = top("reply");
        let map = fields::map(value, at)?;
        check_keys(map, at, &REPLY_FIELDS)?;
        let mut reply = Reply::new(
            MessageId::from_bytes([0; 32]),
            MessageId::from_bytes([0; 32]),
        );
        for (key, value) in map.iter() {
            match key {
                "root" => reply.root = message_id(value, at.child("root"))?,
                "parent" => reply.parent = message_id(value, at.child("parent"))?,
                _ => {}
            }
        }
        Ok(reply)
    }
}

/// A link card: a URL with an optional title, description and thumbnail.
///
/// ```text
/// card = { "type": "card", "url": text, ? "title": text (1..=300 scalars, <= 1200 bytes),
///          ? "description": text (1..=1000 scalars, <= 4000 bytes), ? "thumb": media }
/// ```
///
/// ```
/// use skylark::message::Card;
/// let card = Card::builder("https://example.com/larks").title("All about larks").build()?;
/// assert_eq!(card.title(), Some("All about larks"));
/// # Ok::<(), skylark::message::ValidationError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    url: String,
    title: Option<String>,
    description: Option<String>,
    thumb: Option<Media>,
}

impl Card {
    /// Starts a card for `url`.
    ///
    /// ```
    /// let err = skylark::message::Card::builder("javascript:alert(1)").build().unwrap_err();
    /// assert_eq!(err.code(), "msg.invalid_url");
    /// ```
    pub fn builder(url: impl Into<String>) -> CardBuilder {
        CardBuilder {
            card: Card {
                url: url.into(),
                title: None,
                description: None,
                thumb: None,
            },
        }
    }

    /// The URL (MSG-5).
    ///
    /// ```
    /// let card = skylark::message::Card::builder("https://a.example").build()?;
    /// assert_eq!(card.url(), "https://a.example");
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The title, if given.
    ///
    /// ```
    /// let card = skylark::message::Card::builder("https://a.example").build()?;
    /// assert_eq!(card.title(), None);
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn title(&self) -> Option<&str> {
        self.title.as_deref()
    }

    /// The description, if given.
    ///
    /// ```
    /// let card = skylark::message::Card::builder("https://a.example").description("About A").build()?;
    /// assert_eq!(card.description(), Some("About A"));
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// The thumbnail, if given.
    ///
    /// ```
    /// use skylark::message::{Card, Media};
    /// let thumb = Media::builder([1; 32], "image/jpeg", 900).dimensions(64, 64).build()?;
    /// let card = Card::builder("https://a.example").thumb(thumb.clone()).build()?;
    /// assert_eq!(card.thumb(), Some(&thumb));
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn thumb(&self) -> Option<&Media> {
        self.thumb.as_ref()
    }
}

/// Builds a [`Card`]; [`CardBuilder::build`] checks its fields.
///
/// ```
/// let err = skylark::message::Card::builder("https://a.example").title("").build().unwrap_err();
/// assert_eq!(err.code(), "msg.too_short");
/// ```
#[derive(Debug, Clone)]
pub struct CardBuilder {
    card: Card,
}

impl CardBuilder {
    /// Sets the title (1 ..= 300 Unicode scalar values, at most 1200 bytes).
    ///
    /// ```
    /// let card = skylark::message::Card::builder("https://a.example").title("A").build()?;
    /// assert_eq!(card.title(), Some("A"));
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.card.title = Some(title.into());
        self
    }

    /// Sets the description (1 ..= 1000 Unicode scalar values, at most 4000 bytes).
    ///
    /// ```
    /// let err = skylark::message::Card::builder("https://a.example")
    ///     .description("d".repeat(1001))
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!(err.code(), "msg.too_long");
    /// ```
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.card.description = Some(description.into());
        self
    }

    /// Sets the thumbnail.
    ///
    /// ```
    /// use skylark::message::{Card, Media};
    /// let thumb = Media::builder([1; 32], "image/webp", 100).dimensions(8, 8).build()?;
    /// assert!(Card::builder("https://a.example").thumb(thumb).build()?.thumb().is_some());
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn thumb(mut self, thumb: Media) -> Self {
        self.card.thumb = Some(thumb);
        self
    }

    /// Checks the card and returns it.
    ///
    /// # Errors
    ///
    /// The first failing rule, as validation would report it for a post's embed.
    ///
    /// ```
    /// let card = skylark::message::Card::builder("http://a").build()?;
    /// assert_eq!(card.url(), "http://a");
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn build(self) -> Result<Card, ValidationError> {
        match Embed::parse(&Value::Map(Embed::Card(self.card).to_map()))? {
            Embed::Card(card) => Ok(card),
            Embed::Media(_) => Err(ValidationError::InvalidEmbedType),
        }
    }
}

/// Something shown with a post: a media file or a link card (POST-3). A post has at most four, of
/// which at most one is a card (POST-2).
///
/// ```text
/// embed = { "type": "media", "media": media } / { "type": "card", "url": text, ... }
/// ```
///
/// ```
/// use skylark::message::{Embed, Media, Post};
/// let photo = Media::builder([3; 32], "image/png", 2048).dimensions(100, 100).build()?;
/// let post = Post::builder().embed(Embed::Media(photo)).build()?;
/// assert!(matches!(post.embeds(), [Embed::Media(m)] if m.mime() == "image/png"));
/// # Ok::<(), skylark::message::ValidationError>(())
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Embed {
    /// A media file.
    Media(Media),
    /// A link card.
    Card(Card),
}

impl Embed {
    /// The embed map, as it appears in a body.
    ///
    /// ```
    /// use skylark::message::{Card, Embed};
    /// let map = Embed::Card(Card::builder("https://a.example").build()?).to_map();
    /// assert_eq!(map.get("type"), Some(&"card".into()));
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn to_map(&self) -> Map {
        let mut map = Map::new();
        match self {
            Embed::Media(media) => {
                map.insert("type", "media".into());
                map.insert("media", Value::Map(media.to_map()));
            }
            Embed::Card(card) => {
                map.insert("type", "card".into());
                map.insert("url", Value::from(card.url.as_str()));
                if let Some(title) = &card.title {
                    map.insert("title", Value::from(title.as_str()));
                }
                if let Some(description) = &card.description {
                    map.insert("description", Value::from(description.as_str()));
                }
                if let Some(thumb) = &card.thumb {
                    map.insert("thumb", Value::Map(thumb.to_map()));
                }
            }
        }
        map
    }

    /// Checks one element of `embeds`.
    ///
    // DECISION: the schema of an embed depends on its type, so "type" is checked first (present,
    // text, "media" or "card": `msg.missing_field`, `msg.wrong_type`, `msg.invalid_embed_type`),
    // then the field discipline of that type's schema.
    fn parse(value: &Value) -> Result<Embed, ValidationError> {
        let at = top("embeds");
        let map = fields::map(value, at)?;
        let ty = match map.get("type") {
            None => {
                return Err(ValidationError::MissingField {
                    field: at.child("type"),
                })
            }
            Some(ty) => fields::text(ty, at.child("type"))?,
        };
        match ty {
            "media" => {
                check_keys(map, at, &MEDIA_EMBED_FIELDS)?;
                let media = map.get("media").ok_or(ValidationError::MissingField {
                    field: at.child("media"),
                })?;
                let field = at.child("media");
                Ok(Embed::Media(Media::parse(
                    fields::map(media, field)?,
                    field,
                )?))
            }
            "card" => {
                check_keys(map, at, &CARD_FIELDS)?;
                let mut card = Card {
                    url: String::new(),
                    title: None,
                    description: None,
                    thumb: None,
                };
                // Values in encoded key order: url, type, thumb, title, description.
                for (key, value) in map.iter() {
                    match key {
                        "url" => card.url = fields::url(value, at.child("url"))?.into(),
                        "thumb" => {
                            let field = at.child("thumb");
                            card.thumb = Some(Media::parse(fields::map(value, field)?, field)?);
                        }
                        "title" => {
                            let field = at.child("title");
                            let title =
                                fields::bounded_text(value, field, TITLE_SCALARS, TITLE_BYTES)?;
                            card.title = Some(title.into());
                        }
                        "description" => {
                            let field = at.child("description");
                            let description = fields::bounded_text(
                                value,
                                field,
                                DESCRIPTION_SCALARS,
                                DESCRIPTION_BYTES,
                            )?;
                            card.description = Some(description.into());
                        }
                        _ => {}
                    }
                }
                Ok(Embed::Card(card))
            }
            _ => Err(ValidationError::InvalidEmbedType),
        }
    }
}

/// The fields that posts and edits share.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Content {
    text: Option<String>,
    langs: Vec<String>,
    embeds: Vec<Embed>,
    facets: Vec<Facet>,
    labels: Vec<String>,
}

impl Content {
    /// Reads one shared field; `text` comes before `facets` in encoded order, so the facets are
    /// checked against the text already read.
    fn field(&mut self, key: &str, value: &Value) -> Result<(), ValidationError> {
        match key {
            "text" => {
                let text = fields::bounded_text(value, top("text"), TEXT_SCALARS, TEXT_BYTES)?;
                self.text = Some(text.into());
            }
            "langs" => self.langs = fields::langs(value, top("langs"), MAX_LANGS)?,
            "embeds" => {
                let items = fields::list(value, top("embeds"), MAX_EMBEDS)?;
                self.embeds = items.iter().map(Embed::parse).collect::<Result<_, _>>()?;
            }
            "facets" => {
                let at = top("facets");
                let items = fields::list(value, at, MAX_FACETS)?;
                let mut facets: Vec<Facet> = Vec::with_capacity(items.len());
                let mut mentions = 0usize;
                for (index, item) in items.iter().enumerate() {
                    let prev_end = facets.last().map(Facet::end_offset);
                    let facet = Facet::parse(
                        fields::map(item, at)?,
                        index,
                        self.text.as_deref(),
                        prev_end,
                    )?;
                    // FACET-7, after FACET-1..5 of the same facet.
                    if matches!(facet.feature(), Feature::Mention(_)) {
                        mentions += 1;
                        if mentions > MAX_MENTIONS {
                            return Err(ValidationError::TooManyMentions { index });
                        }
                    }
                    facets.push(facet);
                }
                self.facets = facets;
            }
            "labels" => {
                let at = top("labels");
                let items = fields::list(value, at, MAX_LABELS)?;
                let mut labels: Vec<String> = Vec::with_capacity(items.len());
                for item in items {
                    let label = fields::text(item, at)?;
                    if !fields::is_self_label(label) {
                        return Err(ValidationError::InvalidLabel { field: at });
                    }
                    if labels.iter().any(|l| l == label) {
                        return Err(ValidationError::Duplicate { field: at });
                    }
                    labels.push(label.into());
                }
                self.labels = labels;
            }
            _ => {}
        }
        Ok(())
    }

    /// FACET-6: facets need a text.
    fn check_facets_have_text(&self) -> Result<(), ValidationError> {
        if !self.facets.is_empty() && self.text.is_none() {
            return Err(ValidationError::FacetsWithoutText);
        }
        Ok(())
    }

    /// POST-2: at most one card.
    fn check_cards(&self) -> Result<(), ValidationError> {
        let cards = self
            .embeds
            .iter()
            .filter(|e| matches!(e, Embed::Card(_)))
            .count();
        if cards > 1 {
            return Err(ValidationError::TooManyCards);
        }
        Ok(())
    }

    fn write(&self, map: &mut Map) {
        if let Some(text) = &self.text {
            map.insert("text", Value::from(text.as_str()));
        }
        let texts = |items: &[String]| {
            Value::Array(items.iter().map(|s| Value::from(s.as_str())).collect())
        };
        if !self.langs.is_empty() {
            map.insert("langs", texts(&self.langs));
        }
        if !self.embeds.is_empty() {
            let embeds = self.embeds.iter().map(|e| Value::Map(e.to_map())).collect();
            map.insert("embeds", Value::Array(embeds));
        }
        if !self.facets.is_empty() {
            let facets = self.facets.iter().map(|f| Value::Map(f.to_map())).collect();
            map.insert("facets", Value::Array(facets));
        }
        if !self.labels.is_empty() {
            map.insert("labels", texts(&self.labels));
        }
    }
}

/// A post (kind `post`): text with languages, facets, embeds and self-labels, optionally quoting a
/// message or replying in a thread.
///
/// ```text
/// post = { ? "text": text (1..=1000 scalars, <= 3000 bytes), ? "langs": [1*3 lang],
///          ? "quote": bstr .size 32, ? "reply": reply, ? "embeds": [1*4 embed],
///          ? "facets": [1*64 facet], ? "labels": [1*8 self-label] }
/// ```
///
/// A post has at least one of text, embeds and quote (POST-1). Quoted and replied-to messages are
/// references only: validation does not look them up.
///
/// ```
/// use skylark::message::{BodyKind, Post, Reply};
/// use skylark::id::{AccountId, MessageId};
/// use skylark::keys::SecretKey;
///
/// let root = MessageId::from_bytes([1; 32]);
/// let post = Post::builder()
///     .text("Larks sing while flying.")
///     .lang("en")
///     .reply(Reply::new(root, root))
///     .label("spoiler")
///     .build()?;
/// let signed = post
///     .draft(AccountId::from_bytes([0xaa; 32]), 1_764_115_200_000)?
///     .sign(&SecretKey::from_seed([1; 32]))?;
/// assert_eq!(signed.header().kind().as_str(), "post");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    content: Content,
    quote: Option<MessageId>,
    quote_version: Option<MessageId>,
    reply: Option<Reply>,
}

impl Post {
    /// Starts an empty post; add at least a text, an embed or a quote.
    ///
    /// ```
    /// let post = skylark::message::Post::builder().text("hello").build()?;
    /// assert_eq!(post.text(), Some("hello"));
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn builder() -> PostBuilder {
        PostBuilder {
            post: Post {
                content: Content::default(),
                quote: None,
                quote_version: None,
                reply: None,
            },
        }
    }

    /// The text, if any.
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// let post = skylark::message::Post::builder().quote(MessageId::from_bytes([1; 32])).build()?;
    /// assert_eq!(post.text(), None);
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn text(&self) -> Option<&str> {
        self.content.text.as_deref()
    }

    /// The languages of the text (MSG-6), as written.
    ///
    /// ```
    /// let post = skylark::message::Post::builder().text("hallo").lang("de").lang("nl").build()?;
    /// assert_eq!(post.langs(), ["de", "nl"]);
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn langs(&self) -> &[String] {
        &self.content.langs
    }

    /// The quoted message, if any.
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// let quoted = MessageId::from_bytes([1; 32]);
    /// let post = skylark::message::Post::builder().quote(quoted).build()?;
    /// assert_eq!(post.quote(), Some(quoted));
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn quote(&self) -> Option<MessageId> {
        self.quote
    }

    /// The version of the quoted post the author saw (the post itself or one of its edits), if the
    /// author named it (05 §5.2): the merged state marks a quote whose version is not the quoted
    /// post's current one (07 MERGE-4).
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// let (quoted, seen) = (MessageId::from_bytes([1; 32]), MessageId::from_bytes([2; 32]));
    /// let post = skylark::message::Post::builder().quote_at(quoted, seen).build()?;
    /// assert_eq!((post.quote(), post.quote_version()), (Some(quoted), Some(seen)));
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn quote_version(&self) -> Option<MessageId> {
        self.quote_version
    }

    /// The thread position, if this post is a reply.
    ///
    /// ```
    /// let post = skylark::message::Post::builder().text("top level").build()?;
    /// assert!(post.reply().is_none());
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn reply(&self) -> Option<&Reply> {
        self.reply.as_ref()
    }

    /// The embeds, in order.
    ///
    /// ```
    /// let post = skylark::message::Post::builder().text("no pictures").build()?;
    /// assert!(post.embeds().is_empty());
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn embeds(&self) -> &[Embed] {
        &self.content.embeds
    }

    /// The facets, sorted by start and not overlapping.
    ///
    /// ```
    /// use skylark::message::{Facet, Post};
    /// let post = Post::builder().text("#a #b").facet(Facet::tag(0..2, "a")?).facet(Facet::tag(3..5, "b")?).build()?;
    /// assert_eq!(post.facets().len(), 2);
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn facets(&self) -> &[Facet] {
        &self.content.facets
    }

    /// The author's own content warnings.
    ///
    /// ```
    /// let post = skylark::message::Post::builder().text("plot twist").label("spoiler").build()?;
    /// assert_eq!(post.labels(), ["spoiler"]);
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn labels(&self) -> &[String] {
        &self.content.labels
    }

    /// Checks a `post` body: its fields in encoded key order, then FACET-6, POST-1, POST-2.
    pub(crate) fn parse(map: &Map) -> Result<Post, ValidationError> {
        check_keys(map, Path::ROOT, &POST_FIELDS)?;
        let mut post = Post {
            content: Content::default(),
            quote: None,
            quote_version: None,
            reply: None,
        };
        for (key, value) in map.iter() {
            match key {
                "quote" => post.quote = Some(message_id(value, top("quote"))?),
                "quote_version" => {
                    post.quote_version = Some(message_id(value, top("quote_version"))?)
                }
                "reply" => post.reply = Some(Reply::parse(value)?),
                _ => post.content.field(key, value)?,
            }
        }
        post.content.check_facets_have_text()?;
        if post.content.text.is_none() && post.content.embeds.is_empty() && post.quote.is_none() {
            return Err(ValidationError::EmptyPost { kind: Post::KIND });
        }
        post.content.check_cards()?;
        if post.quote_version.is_some() && post.quote.is_none() {
            return Err(ValidationError::QuoteVersionWithoutQuote);
        }
        Ok(post)
    }
}

impl BodyKind for Post {
    const KIND: &'static str = "post";

    fn to_map(&self) -> Map {
        let mut map = Map::new();
        self.content.write(&mut map);
        if let Some(quote) = self.quote {
            map.insert("quote", Value::Bytes(quote.as_bytes().to_vec()));
        }
        if let Some(version) = self.quote_version {
            map.insert("quote_version", Value::Bytes(version.as_bytes().to_vec()));
        }
        if let Some(reply) = self.reply {
            map.insert("reply", Value::Map(reply.to_map()));
        }
        map
    }
}

/// Builds a [`Post`]. The setters only collect; [`PostBuilder::build`] checks every rule that does
/// not depend on other messages.
///
/// ```
/// use skylark::message::{Card, Embed, Post};
/// let card = || Embed::Card(Card::builder("https://a.example").build().unwrap());
/// let err = Post::builder().embed(card()).embed(card()).build().unwrap_err();
/// assert_eq!((err.code(), err.rule()), ("msg.too_many", "POST-2"));
/// ```
#[derive(Debug, Clone)]
pub struct PostBuilder {
    post: Post,
}

/// Setters shared by the post and edit builders.
macro_rules! content_setters {
    ($builder:ident, $field:ident, $start:literal) => {
        impl $builder {
            /// Sets the text (1 ..= 1000 Unicode scalar values, at most 3000 bytes).
            ///
            /// ```
            #[doc = $start]
            ///     .text("é".repeat(1001)).build().unwrap_err();
            /// assert_eq!(err.code(), "msg.too_long");
            /// ```
            pub fn text(mut self, text: impl Into<String>) -> Self {
                self.$field.content.text = Some(text.into());
                self
            }

            /// Adds a language tag (MSG-6; at most 3, no duplicates ignoring ASCII case).
            ///
            /// ```
            #[doc = $start]
            ///     .text("hi").lang("en").lang("EN").build().unwrap_err();
            /// assert_eq!(err.code(), "msg.duplicate");
            /// ```
            pub fn lang(mut self, lang: impl Into<String>) -> Self {
                self.$field.content.langs.push(lang.into());
                self
            }

            /// Adds an embed (at most 4, at most one of them a card).
            ///
            /// ```
            /// # use skylark::message::{Embed, Media};
            /// # let m = Media::builder([0; 32], "audio/ogg", 9).build()?;
            #[doc = $start]
            ///     .embed(Embed::Media(m.clone())).embed(Embed::Media(m.clone()))
            ///     .embed(Embed::Media(m.clone())).embed(Embed::Media(m.clone()))
            ///     .embed(Embed::Media(m)).build().unwrap_err();
            /// assert_eq!(err.code(), "msg.too_many");
            /// # Ok::<(), skylark::message::ValidationError>(())
            /// ```
            pub fn embed(mut self, embed: Embed) -> Self {
                self.$field.content.embeds.push(embed);
                self
            }

            /// Adds a facet; facets must lie on character boundaries of the text, in order, without
            /// overlapping (FACET-3 to FACET-5).
            ///
            /// ```
            /// # use skylark::message::Facet;
            #[doc = $start]
            ///     .text("ab").facet(Facet::tag(1..2, "b")?).facet(Facet::tag(0..1, "a")?)
            ///     .build().unwrap_err();
            /// assert_eq!(err.code(), "msg.facet_order");
            /// # Ok::<(), skylark::message::ValidationError>(())
            /// ```
            pub fn facet(mut self, facet: Facet) -> Self {
                self.$field.content.facets.push(facet);
                self
            }

            /// Adds a self-label: a content warning (`porn`, `sexual`, `nudity`, `graphic-media`,
            /// `gore`, `spoiler`) or a namespaced custom value; at most 8, no duplicates.
            ///
            /// ```
            #[doc = $start]
            ///     .text("hi").label("spam").build().unwrap_err();
            /// assert_eq!(err.code(), "msg.invalid_label");
            /// ```
            pub fn label(mut self, label: impl Into<String>) -> Self {
                self.$field.content.labels.push(label.into());
                self
            }
        }
    };
}

content_setters!(
    PostBuilder,
    post,
    "let err = skylark::message::Post::builder()"
);
content_setters!(
    EditBuilder,
    edit,
    "# let id = skylark::id::MessageId::from_bytes([1; 32]);\nlet err = skylark::message::Edit::builder(id, id)"
);

impl PostBuilder {
    /// Quotes a message.
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// let post = skylark::message::Post::builder().quote(MessageId::from_bytes([5; 32])).build()?;
    /// assert!(post.quote().is_some());
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn quote(mut self, quote: MessageId) -> Self {
        self.post.quote = Some(quote);
        self
    }

    /// Quotes a message and names the version of it the author saw: the quoted post itself, or the
    /// edit that was its current version (05 §5.2, `quote_version`). Producers SHOULD name it, so
    /// that an edit made after the quote shows as one (07 MERGE-4).
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// let (post, edit) = (MessageId::from_bytes([5; 32]), MessageId::from_bytes([6; 32]));
    /// let quote = skylark::message::Post::builder().text("look").quote_at(post, edit).build()?;
    /// assert_eq!(quote.quote_version(), Some(edit));
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn quote_at(mut self, quote: MessageId, version: MessageId) -> Self {
        self.post.quote = Some(quote);
        self.post.quote_version = Some(version);
        self
    }

    /// Makes the post a reply.
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// use skylark::message::{Post, Reply};
    /// let root = MessageId::from_bytes([5; 32]);
    /// let post = Post::builder().text("me too").reply(Reply::new(root, root)).build()?;
    /// assert_eq!(post.reply().map(|r| r.root()), Some(root));
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn reply(mut self, reply: Reply) -> Self {
        self.post.reply = Some(reply);
        self
    }

    /// Checks the post and returns it.
    ///
    /// # Errors
    ///
    /// The first failing rule, exactly as [`crate::message::validate`] reports it for the body.
    ///
    /// ```
    /// let err = skylark::message::Post::builder().build().unwrap_err();
    /// assert_eq!(err.code(), "msg.empty_post");
    /// ```
    pub fn build(self) -> Result<Post, ValidationError> {
        Post::parse(&self.post.to_map())
    }
}

/// An edit (kind `edit`): new content for one of the author's posts. `target` is the original post;
/// `replaces` is the exact version replaced (the post itself, or an earlier edit of it).
///
/// ```text
/// edit = { "target": bstr .size 32, "replaces": bstr .size 32, ? "text", ? "langs", ? "embeds",
///          ? "facets", ? "labels" }      ; the same field rules as post; no "quote" or "reply"
/// ```
///
/// An edit has text or embeds (EDIT-1). Validation looks up both messages: they must be the
/// author's own, `target` a post, `replaces` an edit or the target itself (EDIT-2, EDIT-3).
///
/// ```
/// use skylark::id::MessageId;
/// use skylark::message::Edit;
///
/// let original = MessageId::from_bytes([1; 32]);
/// let edit = Edit::builder(original, original).text("Larks sing while climbing.").build()?;
/// assert_eq!(edit.replaces(), original);
/// # Ok::<(), skylark::message::ValidationError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    target: MessageId,
    replaces: MessageId,
    content: Content,
}

impl Edit {
    /// Starts an edit of the post `target`, replacing the version `replaces`.
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// let id = MessageId::from_bytes([1; 32]);
    /// let err = skylark::message::Edit::builder(id, id).build().unwrap_err();
    /// assert_eq!((err.code(), err.rule()), ("msg.empty_post", "EDIT-1"));
    /// ```
    pub fn builder(target: MessageId, replaces: MessageId) -> EditBuilder {
        EditBuilder {
            edit: Edit {
                target,
                replaces,
                content: Content::default(),
            },
        }
    }

    /// The original post.
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// let (post, v2) = (MessageId::from_bytes([1; 32]), MessageId::from_bytes([2; 32]));
    /// let edit = skylark::message::Edit::builder(post, v2).text("v3").build()?;
    /// assert_eq!(edit.target(), post);
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn target(&self) -> MessageId {
        self.target
    }

    /// The version this edit replaces.
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// let (post, v2) = (MessageId::from_bytes([1; 32]), MessageId::from_bytes([2; 32]));
    /// let edit = skylark::message::Edit::builder(post, v2).text("v3").build()?;
    /// assert_eq!(edit.replaces(), v2);
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn replaces(&self) -> MessageId {
        self.replaces
    }

    /// The new text, if any.
    ///
    /// ```
    /// # let id = skylark::id::MessageId::from_bytes([1; 32]);
    /// let edit = skylark::message::Edit::builder(id, id).text("fixed").build()?;
    /// assert_eq!(edit.text(), Some("fixed"));
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn text(&self) -> Option<&str> {
        self.content.text.as_deref()
    }

    /// The languages of the new text.
    ///
    /// ```
    /// # let id = skylark::id::MessageId::from_bytes([1; 32]);
    /// let edit = skylark::message::Edit::builder(id, id).text("fixed").lang("en").build()?;
    /// assert_eq!(edit.langs(), ["en"]);
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn langs(&self) -> &[String] {
        &self.content.langs
    }

    /// The new embeds.
    ///
    /// ```
    /// # let id = skylark::id::MessageId::from_bytes([1; 32]);
    /// let edit = skylark::message::Edit::builder(id, id).text("fixed").build()?;
    /// assert!(edit.embeds().is_empty());
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn embeds(&self) -> &[Embed] {
        &self.content.embeds
    }

    /// The new facets.
    ///
    /// ```
    /// # let id = skylark::id::MessageId::from_bytes([1; 32]);
    /// let edit = skylark::message::Edit::builder(id, id).text("fixed").build()?;
    /// assert!(edit.facets().is_empty());
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn facets(&self) -> &[Facet] {
        &self.content.facets
    }

    /// The new self-labels.
    ///
    /// ```
    /// # let id = skylark::id::MessageId::from_bytes([1; 32]);
    /// let edit = skylark::message::Edit::builder(id, id).text("fixed").label("gore").build()?;
    /// assert_eq!(edit.labels(), ["gore"]);
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn labels(&self) -> &[String] {
        &self.content.labels
    }

    /// Checks an `edit` body: its fields in encoded key order, then FACET-6, EDIT-1, POST-2.
    // DECISION: "the same field rules as post" includes POST-2 (at most one card), checked after
    // EDIT-1 as it is after POST-1 in a post.
    pub(crate) fn parse(map: &Map) -> Result<Edit, ValidationError> {
        check_keys(map, Path::ROOT, &EDIT_FIELDS)?;
        let zero = MessageId::from_bytes([0; 32]);
        let mut edit = Edit {
            target: zero,
            replaces: zero,
            content: Content::default(),
        };
        for (key, value) in map.iter() {
            match key {
                "target" => edit.target = message_id(value, top("target"))?,
                "replaces" => edit.replaces = message_id(value, top("replaces"))?,
                _ => edit.content.field(key, value)?,
            }
        }
        edit.content.check_facets_have_text()?;
        if edit.content.text.is_none() && edit.content.embeds.is_empty() {
            return Err(ValidationError::EmptyPost { kind: Edit::KIND });
        }
        edit.content.check_cards()?;
        Ok(edit)
    }
}

impl BodyKind for Edit {
    const KIND: &'static str = "edit";

    fn to_map(&self) -> Map {
        let mut map = Map::new();
        self.content.write(&mut map);
        map.insert("target", Value::Bytes(self.target.as_bytes().to_vec()));
        map.insert("replaces", Value::Bytes(self.replaces.as_bytes().to_vec()));
        map
    }
}

/// Builds an [`Edit`]. The setters only collect; [`EditBuilder::build`] checks every rule that does
/// not depend on other messages.
///
/// ```
/// # let id = skylark::id::MessageId::from_bytes([1; 32]);
/// let edit = skylark::message::Edit::builder(id, id).text("typo fixed").build()?;
/// assert_eq!(edit.text(), Some("typo fixed"));
/// # Ok::<(), skylark::message::ValidationError>(())
/// ```
#[derive(Debug, Clone)]
pub struct EditBuilder {
    edit: Edit,
}

impl EditBuilder {
    /// Checks the edit and returns it.
    ///
    /// # Errors
    ///
    /// The first failing rule, exactly as [`crate::message::validate`] reports it for the body.
    ///
    /// ```
    /// # let id = skylark::id::MessageId::from_bytes([1; 32]);
    /// use skylark::message::Facet;
    /// let err = skylark::message::Edit::builder(id, id)
    ///     .embed(skylark::message::Embed::Card(skylark::message::Card::builder("https://a").build()?))
    ///     .facet(Facet::tag(0..1, "a")?)
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!((err.code(), err.rule()), ("msg.facet_range", "FACET-6"));
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn build(self) -> Result<Edit, ValidationError> {
        Edit::parse(&self.edit.to_map())
    }
}
