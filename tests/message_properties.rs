//! Property-based tests of the message layer (`skylark::message`) through its public API:
//!
//! 1. arbitrary valid bodies of every core kind, made with the public builders, survive
//!    draft → sign → bytes → `SignedMessage::from_bytes` → `validate` as `Verdict::Valid`, with the
//!    body that was built;
//! 2. every string, list and integer limit: a valid body with one field set to a value exactly at the
//!    limit is valid, and with the same field one step past it fails with the code the design brief
//!    gives for that limit (the message is signed by hand, bypassing `Draft::new`'s body check);
//! 3. random mutations of valid bodies (a required field dropped, an un-dotted unknown key added, a
//!    dotted key added, a value's CBOR type changed) give `msg.missing_field`, `msg.unknown_field`,
//!    valid and `msg.wrong_type` respectively, wherever in the body they happen.
//!
//! Every message under test is the fifth message of one key, after four fixture messages (a post, an
//! edit of it, a reaction and a repost) that the context knows, so the history check and every kind
//! lookup (edit target and replaced version, delete, unreact and unrepost targets) pass. Signature
//! verification is slow in a debug build (about 10 ms), so each property signs at most 64 cases.

// In tests, a panic is a failure report.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::OnceLock;

use ed25519_dalek::{Signer, SigningKey};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::TestCaseError;
use skylark::cbor::{Map, Value};
use skylark::envelope::{
    Draft, EnvelopeError, SignedMessage, MAX_SAFE_INTEGER, MESSAGE_SIGNATURE_CONTEXT,
};
use skylark::id::{body_hash, AccountId, MessageId};
use skylark::keys::SecretKey;
use skylark::message::*;

const NOW: u64 = 1_764_115_200_000;
const ALICE: AccountId = AccountId::from_bytes([0xaa; 32]);
const SEED: [u8; 32] = [1; 32];

/// Bodies larger than this are left out of the valid-body strategies, so that every message stays
/// well inside the 64 KiB message limit (ENV-1) whatever else is added to it.
const MAX_BODY: usize = 60_000;

/// Limits from the design brief (sections 1 to 3).
const TEXT: (usize, usize) = (1000, 3000);
const NAME: (usize, usize) = (64, 256);
const BIO: (usize, usize) = (256, 1024);
const ALT: (usize, usize) = (2000, 8000);
const TITLE: (usize, usize) = (300, 1200);
const DESCRIPTION: (usize, usize) = (1000, 4000);
const TAG: (usize, usize) = (64, 640);
const EMOJI: (usize, usize) = (16, 64);
const MAX_URL: usize = 2048;
const MAX_LANG: usize = 35;
const MAX_MIME_PART: usize = 63;
const MAX_KIND: usize = 128;
const MAX_LANGS: usize = 3;
const MAX_EMBEDS: usize = 4;
const MAX_FACETS: usize = 64;
const MAX_LABELS: usize = 8;
const MAX_LINKS: usize = 4;
const MAX_SIZE: u64 = 104_857_600;
const MAX_DIMENSION: u64 = 65_535;

const SELF_LABELS: [&str; 6] = [
    "porn",
    "sexual",
    "nudity",
    "graphic-media",
    "gore",
    "spoiler",
];
const LABEL_VALUES: [&str; 14] = [
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

// ---------------------------------------------------------------------------------------------
// Fixtures: one key's first four messages, and a context that knows them
// ---------------------------------------------------------------------------------------------

struct Fixtures {
    key: SecretKey,
    dalek: SigningKey,
    /// seq 1: a post.
    post: SignedMessage,
    /// seq 2: an edit of `post`.
    edit: SignedMessage,
    /// seq 3: a reaction.
    react: SignedMessage,
    /// seq 4: a repost; the previous message of every message under test (seq 5).
    repost: SignedMessage,
    /// Authorizes every key and knows the four messages.
    context: MemoryContext,
}

fn fx() -> &'static Fixtures {
    static FIXTURES: OnceLock<Fixtures> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let key = SecretKey::from_seed(SEED);
        let post = Post::builder()
            .text("the original")
            .build()
            .unwrap()
            .draft(ALICE, NOW - 4_000)
            .unwrap()
            .sign(&key)
            .unwrap();
        let edit = Edit::builder(post.id(), post.id())
            .text("the original, edited")
            .build()
            .unwrap()
            .draft(ALICE, NOW - 3_000)
            .unwrap()
            .after(&post)
            .sign(&key)
            .unwrap();
        let react = React::like(MessageId::from_bytes([0x11; 32]))
            .draft(ALICE, NOW - 2_000)
            .unwrap()
            .after(&edit)
            .sign(&key)
            .unwrap();
        let repost = Repost::new(MessageId::from_bytes([0x22; 32]))
            .draft(ALICE, NOW - 1_000)
            .unwrap()
            .after(&react)
            .sign(&key)
            .unwrap();
        let context = MemoryContext::new(NOW, Authorization::Authorized)
            .with(&post)
            .with(&edit)
            .with(&react)
            .with(&repost);
        Fixtures {
            key,
            dalek: SigningKey::from_bytes(&SEED),
            post,
            edit,
            react,
            repost,
            context,
        }
    })
}

/// Bytes of a signed message with any body, bypassing `Draft::new`'s body rules: the header is
/// encoded and signed here with ed25519-dalek (as in `tests/message_api.rs`). Seq 5, after the
/// fixture repost, at `NOW`.
fn raw_bytes(kind: &str, body: &Map) -> Vec<u8> {
    let f = fx();
    let body_bytes = body.to_bytes();
    let mut header = Map::new();
    header.insert("v", 1u64.into());
    header.insert(
        "key",
        Value::Bytes(f.dalek.verifying_key().to_bytes().to_vec()),
    );
    header.insert("seq", 5u64.into());
    header.insert("acct", Value::Bytes(ALICE.as_bytes().to_vec()));
    header.insert("body", Value::Bytes(body_hash(&body_bytes).to_vec()));
    header.insert("kind", kind.into());
    header.insert("prev", Value::Bytes(f.repost.id().as_bytes().to_vec()));
    header.insert("time", NOW.into());
    let header_bytes = header.to_bytes();
    let mut input = MESSAGE_SIGNATURE_CONTEXT.as_bytes().to_vec();
    input.push(0);
    input.extend_from_slice(&header_bytes);
    let signature = f.dalek.sign(&input).to_bytes();
    let mut message = Map::new();
    message.insert("b", Value::Bytes(body_bytes));
    message.insert("h", Value::Bytes(header_bytes));
    message.insert("s", Value::Bytes(signature.to_vec()));
    message.to_bytes()
}

/// Signs `body` by hand, decodes the bytes and validates them against the fixture context.
fn raw_verdict(kind: &str, body: &Map) -> Result<Verdict, TestCaseError> {
    let bytes = raw_bytes(kind, body);
    let message = SignedMessage::from_bytes(&bytes)
        .map_err(|e| TestCaseError::fail(format!("layer 1 refused a {kind} message: {e}")))?;
    Ok(validate(message, &fx().context))
}

// ---------------------------------------------------------------------------------------------
// A small deterministic generator, for strings of an exact shape
// ---------------------------------------------------------------------------------------------

/// SplitMix64, seeded by proptest.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        assert!(lo <= hi, "{lo}..={hi}");
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.range(0, items.len() - 1)]
    }

    fn coin(&mut self) -> bool {
        self.next() & 1 == 1
    }
}

/// Characters by UTF-8 length (index 0: one byte, …, index 3: four bytes).
type Pool = [&'static [char]; 4];

/// Anything: free text has no character restrictions (controls and whitespace included).
const ANY: Pool = [
    &[
        'a', 'Z', '0', ' ', '\n', '\t', '\0', '#', '.', '~', '\u{7f}',
    ],
    &['é', 'ß', 'ж', '\u{80}', '\u{85}', '\u{a0}', '\u{7ff}'],
    &[
        '中', '\u{800}', '\u{200d}', '\u{3000}', '\u{2028}', '\u{fffd}', '\u{ffff}',
    ],
    &['😀', '🎉', '\u{10000}', '\u{10ffff}'],
];

/// No whitespace and no control characters: tags and emoji.
const VISIBLE: Pool = [
    &['a', 'Z', '0', '_', '#', '!', '-'],
    &['é', 'ß', 'ж', '\u{7ff}'],
    &['中', '\u{800}', '\u{200d}', '\u{fffd}', '\u{ffff}'],
    &['😀', '🎉', '\u{10000}', '\u{10ffff}'],
];

/// A string of exactly `scalars` Unicode scalar values and exactly `bytes` UTF-8 bytes (needs
/// `scalars <= bytes <= 4 * scalars`). The wide characters are spread at random; the last character
/// has a random width, so that at a byte limit it is the one that crosses it.
fn shaped(pool: &Pool, scalars: usize, bytes: usize, rng: &mut Rng) -> String {
    assert!(
        scalars <= bytes && bytes <= 4 * scalars,
        "{scalars} / {bytes}"
    );
    let mut widths = vec![1usize; scalars];
    let mut order: Vec<usize> = (0..scalars).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.range(0, i));
    }
    let mut extra = bytes - scalars;
    for (k, &i) in order.iter().enumerate() {
        let room_after = 3 * (scalars - k - 1);
        let add = rng.range(extra.saturating_sub(room_after), extra.min(3));
        widths[i] += add;
        extra -= add;
    }
    if scalars > 0 {
        let want = rng.range(1, 4);
        if let Some(j) = widths.iter().position(|&w| w == want) {
            widths.swap(j, scalars - 1);
        }
    }
    let text: String = widths.iter().map(|&w| rng.pick(pool[w - 1])).collect();
    assert_eq!((text.chars().count(), text.len()), (scalars, bytes));
    text
}

/// A string of exactly `scalars` scalar values and a random byte length within `max_bytes`.
fn scalars_within(pool: &Pool, scalars: usize, max_bytes: usize, rng: &mut Rng) -> String {
    let bytes = rng.range(scalars, (4 * scalars).min(max_bytes));
    shaped(pool, scalars, bytes, rng)
}

/// A valid text for a field of `max.0` scalars and `max.1` bytes: mostly short, sometimes of any
/// length, sometimes exactly at the scalar limit or at the byte limit.
fn text_field(pool: &'static Pool, max: (usize, usize)) -> impl Strategy<Value = String> {
    (any::<u64>(), 0u8..10).prop_map(move |(seed, shape)| {
        let mut rng = Rng(seed);
        let (max_scalars, max_bytes) = max;
        match shape {
            0..=5 => {
                let n = rng.range(1, max_scalars.min(12));
                scalars_within(pool, n, max_bytes, &mut rng)
            }
            6 | 7 => {
                let n = rng.range(1, max_scalars);
                scalars_within(pool, n, max_bytes, &mut rng)
            }
            8 => scalars_within(pool, max_scalars, max_bytes, &mut rng),
            _ => {
                let bytes = max_bytes.min(4 * max_scalars);
                let n = rng.range(bytes.div_ceil(4), max_scalars.min(bytes));
                shaped(pool, n, bytes, &mut rng)
            }
        }
    })
}

/// Two texts for one field: one exactly at the limit, one a step past it. Past the scalar limit the
/// byte length stays within the byte limit where it can; where the byte limit is below four bytes a
/// scalar (post and edit text), half the cases cross the byte limit instead, with the scalar count
/// within its limit.
fn at_and_over(pool: &Pool, max: (usize, usize), rng: &mut Rng) -> (String, String) {
    let (s, b) = max;
    if b < 4 * s && rng.coin() {
        let at = shaped(pool, rng.range(b.div_ceil(4), s.min(b)), b, rng);
        let over = shaped(
            pool,
            rng.range((b + 1).div_ceil(4), s.min(b + 1)),
            b + 1,
            rng,
        );
        (at, over)
    } else {
        let at = if rng.coin() {
            shaped(pool, s, b.min(4 * s), rng)
        } else {
            scalars_within(pool, s, b, rng)
        };
        let over = scalars_within(pool, s + 1, b, rng);
        (at, over)
    }
}

/// `prefix` followed by printable ASCII (0x21..=0x7e) up to exactly `len` bytes.
fn url_of_len(len: usize, rng: &mut Rng) -> String {
    let prefix = if rng.coin() { "https://" } else { "http://" };
    let mut url = String::from(prefix);
    while url.len() < len {
        url.push(char::from(rng.range(0x21, 0x7e) as u8));
    }
    url
}

/// A language tag (MSG-6 grammar) of exactly `len` bytes.
fn lang_of_len(len: usize, rng: &mut Rng) -> String {
    const ALPHA: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let primary = if len == 2 || len == 4 {
        2
    } else {
        rng.range(2, 3)
    };
    let mut tag: String = (0..primary).map(|_| char::from(rng.pick(ALPHA))).collect();
    let mut left = len - primary;
    while left > 0 {
        // "-" and 1..=8 characters, leaving 0 or at least 2 bytes for the next subtag.
        let options: Vec<usize> = (1..=8usize.min(left - 1))
            .filter(|k| left - 1 - k == 0 || left - 1 - k >= 2)
            .collect();
        let k = rng.pick(&options);
        tag.push('-');
        tag.extend((0..k).map(|_| char::from(rng.pick(ALNUM))));
        left -= k + 1;
    }
    assert_eq!(tag.len(), len);
    tag
}

/// A custom label (a kind name with a dot, ENV-11 grammar) of exactly `len` bytes.
fn custom_label_of_len(len: usize, rng: &mut Rng) -> String {
    const SEGMENT: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789_-";
    let mut bytes: Vec<u8> = (0..len).map(|_| rng.pick(SEGMENT)).collect();
    // One dot for sure, more at random, never at an end or next to another.
    let first = rng.range(1, len - 2);
    bytes[first] = b'.';
    for _ in 0..rng.range(0, 4) {
        let i = rng.range(1, len - 2);
        if bytes[i - 1] != b'.' && bytes[i + 1] != b'.' {
            bytes[i] = b'.';
        }
    }
    String::from_utf8(bytes).unwrap()
}

/// A media-type part of exactly `len` bytes of `[a-z0-9!#$&^_.+-]`.
fn mime_part_of_len(len: usize, rng: &mut Rng) -> String {
    const PART: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789!#$&^_.+-";
    (0..len).map(|_| char::from(rng.pick(PART))).collect()
}

// ---------------------------------------------------------------------------------------------
// Strategies for the pieces of valid bodies
// ---------------------------------------------------------------------------------------------

fn id() -> impl Strategy<Value = MessageId> {
    any::<[u8; 32]>().prop_map(MessageId::from_bytes)
}

fn account() -> impl Strategy<Value = AccountId> {
    any::<[u8; 32]>().prop_map(AccountId::from_bytes)
}

/// Another account than the author's.
fn other_account() -> impl Strategy<Value = AccountId> {
    account().prop_filter("not the author", |a| *a != ALICE)
}

/// A URL (MSG-5) of up to `max_rest` bytes after the scheme, sometimes exactly 2048 bytes.
fn url(max_rest: usize) -> BoxedStrategy<String> {
    (any::<u64>(), 0u8..8)
        .prop_map(move |(seed, shape)| {
            let mut rng = Rng(seed);
            let len = match shape {
                0 if max_rest >= MAX_URL => MAX_URL,
                _ => rng.range(9, 9 + max_rest.min(40)),
            };
            url_of_len(len, &mut rng)
        })
        .boxed()
}

fn lang() -> impl Strategy<Value = String> {
    "[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8}){0,3}"
}

/// 0 to 3 language tags, distinct ignoring ASCII case.
fn langs() -> BoxedStrategy<Vec<String>> {
    vec(lang(), 0..=MAX_LANGS)
        .prop_map(|tags| {
            let mut out: Vec<String> = Vec::new();
            for tag in tags {
                if !out.iter().any(|t| t.eq_ignore_ascii_case(&tag)) {
                    out.push(tag);
                }
            }
            out
        })
        .boxed()
}

fn custom_label() -> impl Strategy<Value = String> {
    "[a-z0-9_-]{1,12}(\\.[a-z0-9_-]{1,12}){1,3}"
}

/// 0 to 8 distinct self-labels: content warnings and custom values.
fn self_labels() -> BoxedStrategy<Vec<String>> {
    let label = prop_oneof![
        select(SELF_LABELS.to_vec()).prop_map(String::from),
        custom_label(),
    ];
    vec(label, 0..=MAX_LABELS)
        .prop_map(|labels| {
            let mut out: Vec<String> = Vec::new();
            for label in labels {
                if !out.contains(&label) {
                    out.push(label);
                }
            }
            out
        })
        .boxed()
}

fn mime(image_only: bool) -> BoxedStrategy<String> {
    let image = prop_oneof![
        select(vec![
            "image/png",
            "image/jpeg",
            "image/webp",
            "image/svg+xml"
        ])
        .prop_map(String::from),
        "[a-z0-9.+-]{1,20}".prop_map(|s| format!("image/{s}")),
    ];
    if image_only {
        return image.boxed();
    }
    prop_oneof![
        image,
        select(vec![
            "video/mp4",
            "audio/ogg",
            "application/pdf",
            "text/plain",
            "application/vnd.api+json",
        ])
        .prop_map(String::from),
        "[a-z0-9!#$&^_.+-]{1,12}/[a-z0-9!#$&^_.+-]{1,12}",
    ]
    .boxed()
}

fn dimension() -> impl Strategy<Value = u16> {
    prop_oneof![Just(1u16), Just(u16::MAX), 1..=u16::MAX]
}

/// A media reference: images and videos always with dimensions, others sometimes (or always with
/// `dims`).
fn media(image_only: bool, dims: bool) -> BoxedStrategy<Result<Media, ValidationError>> {
    (
        any::<[u8; 32]>(),
        mime(image_only),
        prop_oneof![Just(1u64), Just(MAX_SIZE), 1..=MAX_SIZE],
        (dimension(), dimension(), any::<bool>()),
        proptest::option::of(text_field(&ANY, ALT)),
    )
        .prop_map(move |(hash, mime, size, (w, h, with_dims), alt)| {
            let visual = mime.starts_with("image/") || mime.starts_with("video/");
            let mut builder = Media::builder(hash, mime, size);
            if visual || dims || with_dims {
                builder = builder.dimensions(w, h);
            }
            if let Some(alt) = alt {
                builder = builder.alt(alt);
            }
            builder.build()
        })
        .boxed()
}

fn card() -> BoxedStrategy<Result<Card, ValidationError>> {
    (
        url(MAX_URL),
        proptest::option::of(text_field(&ANY, TITLE)),
        proptest::option::of(text_field(&ANY, DESCRIPTION)),
        proptest::option::of(media(false, false)),
    )
        .prop_map(|(url, title, description, thumb)| {
            let mut builder = Card::builder(url);
            if let Some(title) = title {
                builder = builder.title(title);
            }
            if let Some(description) = description {
                builder = builder.description(description);
            }
            if let Some(thumb) = thumb {
                builder = builder.thumb(thumb?);
            }
            builder.build()
        })
        .boxed()
}

/// 0 to 4 embeds, at most one of them a card, in any order.
fn embeds() -> BoxedStrategy<Result<Vec<Embed>, ValidationError>> {
    (
        vec(media(false, false), 0..=MAX_EMBEDS),
        proptest::option::of(card()),
        any::<prop::sample::Index>(),
    )
        .prop_map(|(media, card, at)| {
            let mut embeds = media
                .into_iter()
                .map(|m| m.map(Embed::Media))
                .collect::<Result<Vec<_>, _>>()?;
            if let Some(card) = card {
                embeds.truncate(MAX_EMBEDS - 1);
                embeds.insert(at.index(embeds.len() + 1), Embed::Card(card?));
            }
            Ok(embeds)
        })
        .boxed()
}

/// What a facet marks, before it has a range.
#[derive(Debug, Clone)]
enum FeatureSpec {
    Mention(AccountId),
    Link(String),
    Tag(String),
}

fn feature() -> BoxedStrategy<FeatureSpec> {
    prop_oneof![
        account().prop_map(FeatureSpec::Mention),
        url(60).prop_map(FeatureSpec::Link),
        text_field(&VISIBLE, TAG).prop_map(FeatureSpec::Tag),
    ]
    .boxed()
}

/// Facets as (characters skipped before, length in characters, feature), laid over a text later.
type FacetPlan = Vec<(usize, usize, FeatureSpec)>;

fn facet_plan() -> BoxedStrategy<FacetPlan> {
    vec(
        (
            0usize..3,
            prop_oneof![4 => 1usize..6, 1 => 1usize..400],
            feature(),
        ),
        0..=MAX_FACETS,
    )
    .boxed()
}

/// The byte offsets of the character boundaries of `text`, 0 and its length included.
fn boundaries(text: &str) -> Vec<usize> {
    text.char_indices()
        .map(|(i, _)| i)
        .chain([text.len()])
        .collect()
}

/// Lays the plan over `text`: in order, on character boundaries, without overlapping (adjacent
/// facets allowed); facets that do not fit are left out.
fn lay_facets(text: &str, plan: &FacetPlan) -> Result<Vec<Facet>, ValidationError> {
    let bounds = boundaries(text);
    let chars = bounds.len() - 1;
    let mut cursor = 0;
    let mut facets = Vec::new();
    let mut mentions = 0;
    for (gap, len, feature) in plan {
        let start = cursor + gap;
        let end = start + len;
        if end > chars {
            break;
        }
        // FACET-7: mentions past the cap are left out, like facets that do not fit.
        if matches!(feature, FeatureSpec::Mention(_)) {
            if mentions == MAX_MENTIONS {
                continue;
            }
            mentions += 1;
        }
        let range = bounds[start]..bounds[end];
        facets.push(match feature {
            FeatureSpec::Mention(a) => Facet::mention(range, *a),
            FeatureSpec::Link(u) => Facet::link(range, u.clone())?,
            FeatureSpec::Tag(t) => Facet::tag(range, t.clone())?,
        });
        cursor = end;
    }
    Ok(facets)
}

// ---------------------------------------------------------------------------------------------
// Valid bodies of every core kind, built with the public builders
// ---------------------------------------------------------------------------------------------

/// A typed body of any core kind.
macro_rules! built {
    ($($variant:ident),* $(,)?) => {
        #[derive(Debug, Clone)]
        enum Built {
            $($variant($variant)),*
        }

        impl Built {
            fn kind(&self) -> &'static str {
                match self {
                    $(Built::$variant(_) => $variant::KIND),*
                }
            }

            fn to_map(&self) -> Map {
                match self {
                    $(Built::$variant(b) => b.to_map()),*
                }
            }

            fn draft(&self) -> Result<Draft, EnvelopeError> {
                match self {
                    $(Built::$variant(b) => b.draft(ALICE, NOW)),*
                }
            }
        }
    };
}

built!(
    Profile, Post, Edit, Delete, React, Unreact, Repost, Unrepost, Follow, Unfollow, Block,
    Unblock, Label, Gate,
);

impl Built {
    /// Whether validation handed back the body that was built.
    fn is(&self, body: &Body) -> bool {
        match (self, body) {
            (Built::Profile(a), Body::Profile(b)) => a == b,
            (Built::Post(a), Body::Post(b)) => a == b,
            (Built::Edit(a), Body::Edit(b)) => a == b,
            (Built::React(a), Body::React(b)) => a == b,
            (Built::Label(a), Body::Label(b)) => a == b,
            (Built::Gate(a), Body::Gate(b)) => a == b,
            (Built::Delete(a), Body::Delete(t)) => a.target() == t.target(),
            (Built::Unreact(a), Body::Unreact(t)) => a.target() == t.target(),
            (Built::Repost(a), Body::Repost(t)) => a.target() == t.target(),
            (Built::Unrepost(a), Body::Unrepost(t)) => a.target() == t.target(),
            (Built::Follow(a), Body::Follow(s)) => a.subject() == s.subject(),
            (Built::Unfollow(a), Body::Unfollow(s)) => a.subject() == s.subject(),
            (Built::Block(a), Body::Block(s)) => a.subject() == s.subject(),
            (Built::Unblock(a), Body::Unblock(s)) => a.subject() == s.subject(),
            _ => false,
        }
    }
}

/// The map of a typed body handed back by validation, for the kinds whose body types have one.
fn body_map(body: &Body) -> Option<Map> {
    match body {
        Body::Profile(b) => Some(b.to_map()),
        Body::Post(b) => Some(b.to_map()),
        Body::Edit(b) => Some(b.to_map()),
        Body::React(b) => Some(b.to_map()),
        Body::Label(b) => Some(b.to_map()),
        Body::Gate(b) => Some(b.to_map()),
        _ => None,
    }
}

type Building = Result<Built, ValidationError>;

/// The content shared by posts and edits.
#[derive(Debug, Clone)]
struct ContentSpec {
    text: Option<String>,
    langs: Vec<String>,
    embeds: Result<Vec<Embed>, ValidationError>,
    facets: FacetPlan,
    labels: Vec<String>,
}

fn content() -> BoxedStrategy<ContentSpec> {
    (
        proptest::option::of(text_field(&ANY, TEXT)),
        langs(),
        prop_oneof![2 => Just(Ok(Vec::new())), 3 => embeds()],
        facet_plan(),
        self_labels(),
    )
        .prop_map(|(text, langs, embeds, facets, labels)| ContentSpec {
            text,
            langs,
            embeds,
            facets,
            labels,
        })
        .boxed()
}

/// Applies the shared content to a post or edit builder.
macro_rules! with_content {
    ($builder:expr, $spec:expr) => {{
        let spec = $spec;
        let mut builder = $builder;
        if let Some(text) = &spec.text {
            builder = builder.text(text.clone());
            for facet in lay_facets(text, &spec.facets)? {
                builder = builder.facet(facet);
            }
        }
        for lang in spec.langs {
            builder = builder.lang(lang);
        }
        for embed in spec.embeds? {
            builder = builder.embed(embed);
        }
        for label in spec.labels {
            builder = builder.label(label);
        }
        builder
    }};
}

fn post() -> BoxedStrategy<Building> {
    (
        content(),
        proptest::option::of(id()),
        proptest::option::of((id(), id(), any::<bool>())),
    )
        .prop_map(|(mut spec, quote, reply)| {
            let has_embeds = spec.embeds.as_ref().is_ok_and(|e| !e.is_empty());
            if spec.text.is_none() && !has_embeds && quote.is_none() {
                spec.text = Some("POST-1 needs text, embeds or a quote".into());
            }
            let mut builder = with_content!(Post::builder(), spec);
            if let Some(quote) = quote {
                builder = builder.quote(quote);
            }
            if let Some((root, parent, to_root)) = reply {
                builder = builder.reply(Reply::new(root, if to_root { root } else { parent }));
            }
            builder.build().map(Built::Post)
        })
        .boxed()
}

fn edit() -> BoxedStrategy<Building> {
    (content(), any::<bool>())
        .prop_map(|(mut spec, replaces_edit)| {
            let has_embeds = spec.embeds.as_ref().is_ok_and(|e| !e.is_empty());
            if spec.text.is_none() && !has_embeds {
                spec.text = Some("EDIT-1 needs text or embeds".into());
            }
            let f = fx();
            let replaces = if replaces_edit { &f.edit } else { &f.post };
            let builder = with_content!(Edit::builder(f.post.id(), replaces.id()), spec);
            builder.build().map(Built::Edit)
        })
        .boxed()
}

fn profile() -> BoxedStrategy<Building> {
    (
        proptest::option::of(text_field(&ANY, BIO)),
        proptest::option::of(text_field(&ANY, NAME)),
        vec(url(MAX_URL), 0..=MAX_LINKS),
        proptest::option::of(media(true, false)),
        proptest::option::of(media(true, false)),
    )
        .prop_map(|(bio, name, links, avatar, banner)| {
            let mut builder = Profile::builder();
            if let Some(bio) = bio {
                builder = builder.bio(bio);
            }
            if let Some(name) = name {
                builder = builder.name(name);
            }
            for link in links {
                builder = builder.link(link);
            }
            if let Some(avatar) = avatar {
                builder = builder.avatar(avatar?);
            }
            if let Some(banner) = banner {
                builder = builder.banner(banner?);
            }
            builder.build().map(Built::Profile)
        })
        .boxed()
}

fn react() -> BoxedStrategy<Building> {
    (id(), proptest::option::of(text_field(&VISIBLE, EMOJI)))
        .prop_map(|(target, emoji)| {
            Ok(Built::React(match emoji {
                None => React::like(target),
                Some(emoji) => React::with_emoji(target, emoji)?,
            }))
        })
        .boxed()
}

/// delete (0), unreact (1), repost (2), unrepost (3), with targets the lookups accept: a delete
/// any of the fixture messages but none that is a delete, an unreact the fixture reaction, an
/// unrepost the fixture repost (a repost is not looked up).
fn targeted(kind: u8) -> BoxedStrategy<Building> {
    (0usize..4, id())
        .prop_map(move |(which, any_id)| {
            let f = fx();
            Ok(match kind {
                0 => Built::Delete(Delete::new(
                    [&f.post, &f.edit, &f.react, &f.repost][which].id(),
                )),
                1 => Built::Unreact(Unreact::new(f.react.id())),
                2 => Built::Repost(Repost::new(any_id)),
                _ => Built::Unrepost(Unrepost::new(f.repost.id())),
            })
        })
        .boxed()
}

/// follow (0), unfollow (1), block (2), unblock (3) of another account than the author's.
fn graph(kind: u8) -> BoxedStrategy<Building> {
    other_account()
        .prop_map(move |subject| {
            Ok(match kind {
                0 => Built::Follow(Follow::new(subject)),
                1 => Built::Unfollow(Unfollow::new(subject)),
                2 => Built::Block(Block::new(subject)),
                _ => Built::Unblock(Unblock::new(subject)),
            })
        })
        .boxed()
}

fn reference() -> impl Strategy<Value = Reference> {
    prop_oneof![
        account().prop_map(Reference::Account),
        id().prop_map(Reference::Message),
    ]
}

fn label() -> BoxedStrategy<Building> {
    (
        reference(),
        prop_oneof![
            select(LABEL_VALUES.to_vec()).prop_map(String::from),
            custom_label()
        ],
        any::<bool>(),
        proptest::option::of(prop_oneof![
            Just(NOW + 1),
            Just(MAX_SAFE_INTEGER),
            NOW + 1..=MAX_SAFE_INTEGER
        ]),
    )
        .prop_map(|(subject, value, negate, expires)| {
            let mut builder = Label::builder(subject, value);
            if negate {
                builder = builder.negate();
            }
            if let Some(expires) = expires {
                builder = builder.expires(expires);
            }
            builder.build().map(Built::Label)
        })
        .boxed()
}

/// Who may reply or quote (GATE-1): absent, `nobody` alone, or 1 to 3 distinct audiences.
fn audiences() -> impl Strategy<Value = Option<Vec<Audience>>> {
    prop_oneof![
        Just(None),
        Just(Some(vec![Audience::Nobody])),
        proptest::sample::subsequence(
            vec![
                Audience::Followers,
                Audience::Mentioned,
                Audience::Following
            ],
            1..=3
        )
        .prop_shuffle()
        .prop_map(Some),
    ]
}

/// A gate of the fixture's post (GATE-2: the author's own post), with up to 50 distinct hidden ids.
fn gate() -> BoxedStrategy<Building> {
    (
        audiences(),
        audiences(),
        proptest::collection::btree_set(id(), 0..=MAX_HIDDEN),
    )
        .prop_map(|(reply, quote, hidden)| {
            let mut builder = Gate::builder(fx().post.id());
            if let Some(r) = reply {
                builder = builder.reply(&r);
            }
            if let Some(q) = quote {
                builder = builder.quote(&q);
            }
            for h in hidden {
                builder = builder.hide(h);
            }
            builder.build().map(Built::Gate)
        })
        .boxed()
}

/// Leaves out bodies too large to leave room in a message.
fn fits(strategy: BoxedStrategy<Building>) -> BoxedStrategy<Building> {
    strategy
        .prop_filter("fits in a message", |b| {
            b.as_ref()
                .map_or(true, |b| b.to_map().to_bytes().len() <= MAX_BODY)
        })
        .boxed()
}

/// A valid body of any core kind (or the builder's refusal, which the properties report).
fn any_built() -> BoxedStrategy<Building> {
    fits(
        prop_oneof![
            4 => post(),
            2 => edit(),
            2 => profile(),
            1 => react(),
            1 => (0u8..4).prop_flat_map(targeted),
            1 => (0u8..4).prop_flat_map(graph),
            1 => label(),
            1 => gate(),
        ]
        .boxed(),
    )
}

/// One valid body of each core kind, in the order of `CORE_KINDS`.
fn every_kind() -> Vec<BoxedStrategy<Building>> {
    vec![
        fits(profile()),
        fits(post()),
        fits(edit()),
        targeted(0),
        react(),
        targeted(1),
        targeted(2),
        targeted(3),
        graph(0),
        graph(1),
        graph(2),
        graph(3),
        label(),
        gate(),
    ]
}

fn unwrap_built(built: Building) -> Result<Built, TestCaseError> {
    built.map_err(|e| {
        TestCaseError::fail(format!(
            "a builder refused a valid body: {e} ({}, {})",
            e.code(),
            e.rule()
        ))
    })
}

fn expect_valid(verdict: Verdict, what: &str) -> Result<ValidMessage, TestCaseError> {
    match verdict {
        Verdict::Valid(valid) => Ok(valid),
        other => Err(TestCaseError::fail(format!(
            "{what}: expected valid, got {}",
            describe_verdict(&other)
        ))),
    }
}

fn describe_verdict(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Valid(v) => format!("valid {}", v.message().header().kind().as_str()),
        Verdict::Invalid(e) => format!("invalid: {} ({}, {})", e, e.code(), e.rule()),
        Verdict::Undecided(missing) => format!("undecided: {missing:?}"),
    }
}

/// Property 1 for one body: built → draft → sign → bytes → from_bytes → validate is valid, with the
/// same body.
fn round_trip(built: &Built) -> Result<(), TestCaseError> {
    let f = fx();
    let signed = built
        .draft()
        .and_then(|d| d.after(&f.repost).sign(&f.key))
        .map_err(|e| TestCaseError::fail(format!("drafting a built {}: {e}", built.kind())))?;
    let received = SignedMessage::from_bytes(signed.as_bytes())
        .map_err(|e| TestCaseError::fail(format!("from_bytes: {e}")))?;
    prop_assert_eq!(&received, &signed);
    let valid = expect_valid(validate(received, &f.context), built.kind())?;
    prop_assert!(
        built.is(valid.body()),
        "{:?}\nbuilt {:?}",
        valid.body(),
        built
    );
    // The signed body is the builder's map, and the typed body maps back to it.
    let signed_body = valid.message().body_map();
    prop_assert_eq!(signed_body.as_ref(), Some(&built.to_map()));
    if let Some(map) = body_map(valid.body()) {
        prop_assert_eq!(Some(map), signed_body);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Property 1 over bodies of random kinds (posts, edits and profiles most often).
    #[test]
    fn built_bodies_sign_and_validate(built in any_built()) {
        round_trip(&unwrap_built(built)?)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 4,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Property 1 for every core kind in every run: one body of each (15 signed messages a case).
    #[test]
    fn a_body_of_every_core_kind_signs_and_validates(bodies in every_kind()) {
        let mut kinds = Vec::new();
        for built in bodies {
            let built = unwrap_built(built)?;
            round_trip(&built)?;
            kinds.push(built.kind());
        }
        // REPORT-3: a report is never a public message, so it has no signed body to build.
        let public: Vec<&str> = CORE_KINDS.into_iter().filter(|k| *k != "report").collect();
        prop_assert_eq!(kinds, public);
    }
}

// ---------------------------------------------------------------------------------------------
// Editing body maps by path
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Key(&'static str),
    Index(usize),
}

use Step::{Index, Key};

/// Applies `f` to the value at `path` (every step must exist).
fn edit_value(value: &mut Value, path: &[Step], f: &mut dyn FnMut(&mut Value)) {
    match path.split_first() {
        None => f(value),
        Some((Key(key), rest)) => {
            let Value::Map(map) = value else {
                panic!("{key}: not in a map: {value:?}")
            };
            let mut child = map.remove(key).unwrap_or_else(|| panic!("no {key}"));
            edit_value(&mut child, rest, f);
            map.insert(*key, child);
        }
        Some((Index(i), rest)) => {
            let Value::Array(items) = value else {
                panic!("[{i}]: not in an array: {value:?}")
            };
            edit_value(&mut items[*i], rest, f);
        }
    }
}

/// A copy of `body` with `f` applied to the value at `path`.
fn edited(body: &Map, path: &[Step], mut f: impl FnMut(&mut Value)) -> Map {
    let mut value = Value::Map(body.clone());
    edit_value(&mut value, path, &mut f);
    match value {
        Value::Map(map) => map,
        _ => unreachable!(),
    }
}

/// A copy of `body` with the value at `path` set to `new`: the last step's key is inserted if
/// absent; its index is replaced.
fn put(body: &Map, path: &[Step], new: Value) -> Map {
    let (last, parent) = path.split_last().expect("a non-empty path");
    edited(body, parent, |container| match (container, last) {
        (Value::Map(map), Key(key)) => {
            map.insert(*key, new.clone());
        }
        (Value::Array(items), Index(i)) => items[*i] = new.clone(),
        (other, step) => panic!("cannot put {step:?} in {other:?}"),
    })
}

fn text_value(s: &str) -> Value {
    Value::Text(s.into())
}

fn texts(items: &[String]) -> Value {
    Value::Array(items.iter().map(|s| text_value(s)).collect())
}

/// A short summary of a (possibly long) value, for failure messages.
fn summary(value: &Value) -> String {
    match value {
        Value::Text(t) => {
            let last = t.chars().last().map(|c| c.len_utf8());
            format!(
                "text of {} scalars, {} bytes (last char {:?} bytes): {:?}",
                t.chars().count(),
                t.len(),
                last,
                t.chars().take(40).collect::<String>()
            )
        }
        Value::Array(items) => format!("array of {} items", items.len()),
        other => format!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Property 2: every limit, exactly at it (valid) and one step past it (the stated code)
// ---------------------------------------------------------------------------------------------

/// One field of one valid body, with a value exactly at a limit and one past it.
#[derive(Debug, Clone)]
struct LimitCase {
    kind: &'static str,
    base: Map,
    path: Vec<Step>,
    at: Value,
    over: Value,
}

fn check_limit(case: &LimitCase, code: &str) -> Result<(), TestCaseError> {
    let at = put(&case.base, &case.path, case.at.clone());
    let over = put(&case.base, &case.path, case.over.clone());
    if at.to_bytes().len().max(over.to_bytes().len()) > MAX_BODY {
        return Err(TestCaseError::reject("too large for one message"));
    }
    match raw_verdict(case.kind, &at)? {
        Verdict::Valid(_) => {}
        other => {
            return Err(TestCaseError::fail(format!(
                "{} {:?} at the limit ({}): expected valid, got {}",
                case.kind,
                case.path,
                summary(&case.at),
                describe_verdict(&other)
            )))
        }
    }
    match raw_verdict(case.kind, &over)? {
        Verdict::Invalid(e) if e.code() == code => Ok(()),
        other => Err(TestCaseError::fail(format!(
            "{} {:?} past the limit ({}): expected {code}, got {}",
            case.kind,
            case.path,
            summary(&case.over),
            describe_verdict(&other)
        ))),
    }
}

/// Where a post's or edit's content goes: a post (with or without a quote and a reply) or an edit of
/// the fixture post, each sometimes with languages and labels.
#[derive(Debug, Clone)]
struct ContentHost {
    edit: bool,
    replaces_edit: bool,
    quote: Option<MessageId>,
    reply: Option<(MessageId, MessageId)>,
    langs: Vec<String>,
    labels: Vec<String>,
}

fn content_host() -> BoxedStrategy<ContentHost> {
    (
        any::<bool>(),
        any::<bool>(),
        proptest::option::of(id()),
        proptest::option::of((id(), id())),
        langs(),
        self_labels(),
    )
        .prop_map(
            |(edit, replaces_edit, quote, reply, langs, labels)| ContentHost {
                edit,
                replaces_edit,
                quote,
                reply,
                langs,
                labels,
            },
        )
        .boxed()
}

impl ContentHost {
    /// The body: `content` plus the host's fields where `content` does not set them; text if the
    /// content has neither text nor embeds.
    fn wrap(&self, mut content: Map) -> (&'static str, Map) {
        if content.get("text").is_none() && content.get("embeds").is_none() {
            content.insert("text", text_value("content"));
        }
        if content.get("langs").is_none() && !self.langs.is_empty() {
            content.insert("langs", texts(&self.langs));
        }
        if content.get("labels").is_none() && !self.labels.is_empty() {
            content.insert("labels", texts(&self.labels));
        }
        let id_value = |id: MessageId| Value::Bytes(id.as_bytes().to_vec());
        if self.edit {
            let f = fx();
            let replaces = if self.replaces_edit { &f.edit } else { &f.post };
            content.insert("target", id_value(f.post.id()));
            content.insert("replaces", id_value(replaces.id()));
            ("edit", content)
        } else {
            if let Some(quote) = self.quote {
                content.insert("quote", id_value(quote));
            }
            if let Some((root, parent)) = self.reply {
                let mut reply = Map::new();
                reply.insert("root", id_value(root));
                reply.insert("parent", id_value(parent));
                content.insert("reply", Value::Map(reply));
            }
            ("post", content)
        }
    }
}

fn one(key: &'static str, value: Value) -> Map {
    let mut map = Map::new();
    map.insert(key, value);
    map
}

fn embed_values(embeds: &[Embed]) -> Value {
    Value::Array(embeds.iter().map(|e| Value::Map(e.to_map())).collect())
}

/// Valid media embeds (no card), 0 to `max`.
fn media_embeds(max: usize) -> BoxedStrategy<Result<Vec<Embed>, ValidationError>> {
    vec(media(false, false), 0..=max)
        .prop_map(|media| media.into_iter().map(|m| m.map(Embed::Media)).collect())
        .boxed()
}

/// A body holding one media map, and the path to it: an embed of a post or edit (among other
/// embeds), a link card's thumbnail, or a profile's avatar or banner (which must be images).
#[derive(Debug, Clone)]
struct MediaHost {
    kind: &'static str,
    base: Map,
    media: Vec<Step>,
    image_only: bool,
}

/// `dims`: the media always has a width and a height.
fn media_host(dims: bool) -> BoxedStrategy<Result<MediaHost, ValidationError>> {
    (
        0u8..4,
        content_host(),
        media(false, dims),
        media(true, dims),
        media_embeds(MAX_EMBEDS - 1),
        any::<prop::sample::Index>(),
        card(),
        profile(),
    )
        .prop_map(
            move |(place, host, any_media, image, others, at, card, profile)| {
                let others = others?;
                Ok(match place {
                    0 | 1 => {
                        // An embed or a card's thumbnail, among other embeds.
                        let i = at.index(others.len() + 1);
                        let (embed, step) = if place == 0 {
                            (Embed::Media(any_media?).to_map(), Key("media"))
                        } else {
                            let mut card = Embed::Card(card?).to_map();
                            card.insert("thumb", Value::Map(any_media?.to_map()));
                            (card, Key("thumb"))
                        };
                        let mut items: Vec<Value> =
                            others.iter().map(|e| Value::Map(e.to_map())).collect();
                        items.insert(i, Value::Map(embed));
                        let (kind, base) = host.wrap(one("embeds", Value::Array(items)));
                        MediaHost {
                            kind,
                            base,
                            media: vec![Key("embeds"), Index(i), step],
                            image_only: false,
                        }
                    }
                    _ => {
                        let key = if place == 2 { "avatar" } else { "banner" };
                        let mut base = match profile? {
                            Built::Profile(p) => p.to_map(),
                            _ => unreachable!(),
                        };
                        base.insert(key, Value::Map(image?.to_map()));
                        MediaHost {
                            kind: "profile",
                            base,
                            media: vec![Key(key)],
                            image_only: true,
                        }
                    }
                })
            },
        )
        .boxed()
}

fn ok<T>(result: Result<T, ValidationError>) -> Result<T, TestCaseError> {
    result.map_err(|e| TestCaseError::fail(format!("a builder refused a valid piece: {e}")))
}

fn profile_map(built: Building) -> Result<Map, TestCaseError> {
    match ok(built)? {
        Built::Profile(p) => Ok(p.to_map()),
        other => Err(TestCaseError::fail(format!("not a profile: {other:?}"))),
    }
}

/// Maps over `text`'s boundaries: `count` facets, sorted and not overlapping, with random features.
fn facets_over(text: &str, count: usize, rng: &mut Rng) -> Vec<Value> {
    let bounds = boundaries(text);
    let chars = bounds.len() - 1;
    assert!(count <= chars);
    // Distinct start characters, sorted; each facet ends at or before the next one's start.
    let mut starts: Vec<usize> = (0..chars).collect();
    for i in (1..starts.len()).rev() {
        starts.swap(i, rng.range(0, i));
    }
    starts.truncate(count);
    starts.sort_unstable();
    let mut mentions = 0;
    (0..count)
        .map(|j| {
            let limit = starts.get(j + 1).copied().unwrap_or(chars);
            let end = rng.range(starts[j] + 1, limit);
            let range = bounds[starts[j]]..bounds[end];
            // FACET-7: once the cap is reached, a drawn mention becomes a link.
            let mut pick = rng.range(0, 2);
            if pick == 0 {
                if mentions == MAX_MENTIONS {
                    pick = 1;
                } else {
                    mentions += 1;
                }
            }
            let facet = match pick {
                0 => Facet::mention(range, AccountId::from_bytes([rng.next() as u8; 32])),
                1 => Facet::link(range, url_of_len(rng.range(9, 30), rng)).unwrap(),
                _ => {
                    Facet::tag(range, scalars_within(&VISIBLE, rng.range(1, 8), 640, rng)).unwrap()
                }
            };
            Value::Map(facet.to_map())
        })
        .collect()
}

/// The limits, each a strategy of [`LimitCase`] and the code expected one step past the limit.
mod limits {
    use super::*;

    /// A text field: at the limit, and one scalar (or, for post and edit text, one byte) past it.
    fn text_case(
        pool: &'static Pool,
        max: (usize, usize),
        seed: u64,
        kind: &'static str,
        base: Map,
        path: Vec<Step>,
    ) -> LimitCase {
        let (at, over) = at_and_over(pool, max, &mut Rng(seed));
        LimitCase {
            kind,
            base,
            path,
            at: Value::Text(at),
            over: Value::Text(over),
        }
    }

    pub fn post_text() -> impl Strategy<Value = Result<LimitCase, TestCaseError>> {
        (content_host(), media_embeds(2), any::<u64>()).prop_map(|(host, embeds, seed)| {
            let mut content = one("text", text_value("base"));
            let embeds = ok(embeds)?;
            if !embeds.is_empty() {
                content.insert("embeds", embed_values(&embeds));
            }
            let (kind, base) = host.wrap(content);
            Ok(text_case(&ANY, TEXT, seed, kind, base, vec![Key("text")]))
        })
    }

    pub fn profile_name() -> impl Strategy<Value = Result<LimitCase, TestCaseError>> {
        (profile(), any::<u64>()).prop_map(|(p, seed)| {
            let base = profile_map(p)?;
            Ok(text_case(
                &ANY,
                NAME,
                seed,
                "profile",
                base,
                vec![Key("name")],
            ))
        })
    }

    pub fn profile_bio() -> impl Strategy<Value = Result<LimitCase, TestCaseError>> {
        (profile(), any::<u64>()).prop_map(|(p, seed)| {
            let base = profile_map(p)?;
            Ok(text_case(
                &ANY,
                BIO,
                seed,
                "profile",
                base,
                vec![Key("bio")],
            ))
        })
    }

    pub fn alt() -> impl Strategy<Value = Result<LimitCase, TestCaseError>> {
        (media_host(false), any::<u64>()).prop_map(|(host, seed)| {
            let host = ok(host)?;
            let path = [host.media.clone(), vec![Key("alt")]].concat();
            Ok(text_case(&ANY, ALT, seed, host.kind, host.base, path))
        })
    }

    /// A field of a link card (`title` or `description`) in a post or edit.
    fn card_case(
        field: &'static str,
        max: (usize, usize),
    ) -> impl Strategy<Value = Result<LimitCase, TestCaseError>> {
        (
            content_host(),
            card(),
            media_embeds(MAX_EMBEDS - 1),
            any::<prop::sample::Index>(),
            any::<u64>(),
        )
            .prop_map(move |(host, card, others, at, seed)| {
                let mut items: Vec<Value> =
                    ok(others)?.iter().map(|e| Value::Map(e.to_map())).collect();
                let i = at.index(items.len() + 1);
                items.insert(i, Value::Map(Embed::Card(ok(card)?).to_map()));
                let (kind, base) = host.wrap(one("embeds", Value::Array(items)));
                let path = vec![Key("embeds"), Index(i), Key(field)];
                Ok(text_case(&ANY, max, seed, kind, base, path))
            })
    }

    pub fn card_title() -> impl Strategy<Value = Result<LimitCase, TestCaseError>> {
        card_case("title", TITLE)
    }

    pub fn card_description() -> impl Strategy<Value = Result<LimitCase, TestCaseError>> {
        card_case("description", DESCRIPTION)
    }

    /// A post or edit whose text has random facets, facet `i` being of `kind` ("tag" or "link").
    fn facet_host(facet_kind: &'static str) -> impl Strategy<Value = (&'static str, Map, usize)> {
        (content_host(), any::<u64>()).prop_map(move |(host, seed)| {
            let mut rng = Rng(seed);
            let n = rng.range(1, 200);
            let text = scalars_within(&ANY, n, TEXT.1, &mut rng);
            let count = rng.range(1, n.min(MAX_FACETS));
            let mut facets = facets_over(&text, count, &mut rng);
            let i = rng.range(0, count - 1);
            let Value::Map(facet) = &facets[i] else {
                unreachable!()
            };
            let mut facet = facet.clone();
            for key in ["account", "url", "tag"] {
                facet.remove(key);
            }
            facet.insert("type", text_value(facet_kind));
            let placeholder = if facet_kind == "tag" {
                "t"
            } else {
                "https://x"
            };
            let key = if facet_kind == "tag" { "tag" } else { "url" };
            facet.insert(key, text_value(placeholder));
            facets[i] = Value::Map(facet);
            let mut content = one("text", text_value(&text));
            content.insert("facets", Value::Array(facets));
            let (kind, base) = host.wrap(content);
            (kind, base, i)
        })
    }

    pub fn facet_tag() -> impl Strategy<Value = Result<LimitCase, TestCaseError>> {
        (facet_host("tag"), any::<u64>()).prop_map(|((kind, base, i), seed)| {
            let path = vec![Key("facets"), Index(i), Key("tag")];
            Ok(text_case(&VISIBLE, TAG, seed, kind, base, path))
        })
    }

    pub fn react_emoji() -> impl Strategy<Value = Result<LimitCase, TestCaseError>> {
        (id(), any::<u64>()).prop_map(|(target, seed)| {
            let base = React::like(target).to_map();
            Ok(text_case(
                &VISIBLE,
                EMOJI,
                seed,
                "react",
                base,
                vec![Key("emoji")],
            ))
        })
    }

    /// MSG-5: a URL of 2048 bytes, and of 2049, in a profile link, a card or a link facet.
    pub fn url_length() -> impl Strategy<Value = Result<LimitCase, TestCaseError>> {
        (
            0u8..3,
            profile(),
            vec(url(100), 1..=MAX_LINKS),
            card_title(),
            facet_host("link"),
            any::<u64>(),
        )
            .prop_map(|(place, p, links, card, (fkind, fbase, fi), seed)| {
                let mut rng = Rng(seed);
                let (at, over) = (
                    url_of_len(MAX_URL, &mut rng),
                    url_of_len(MAX_URL + 1, &mut rng),
                );
                let (kind, base, path) = match place {
                    0 => {
                        let mut base = profile_map(p)?;
                        let i = rng.range(0, links.len() - 1);
                        base.insert("links", texts(&links));
                        ("profile", base, vec![Key("links"), Index(i)])
                    }
                    1 => {
                        let card = card?;
                        let mut path = card.path;
                        path.pop();
                        path.push(Key("url"));
                        (card.kind, card.base, path)
                    }
                    _ => (fkind, fbase, vec![Key("facets"), Index(fi), Key("url")]),
                };
                Ok(LimitCase {
                    kind,
                    base,
                    path,
                    at: Value::Text(at),
                    over: Value::Text(over),
                })
            })
    }

    /// MSG-6: a language tag of 35 bytes, and of 36, among other tags.
    pub fn lang_length() -> impl Strategy<Value = Result<LimitCase, TestCaseError>> {
        (content_host(), langs(), any::<u64>()).prop_map(|(host, mut others, seed)| {
            let mut rng = Rng(seed);
            others.truncate(MAX_LANGS - 1);
            let i = rng.range(0, others.len());
            others.insert(i, "xx".into());
            let (kind, base) = host.wrap(one("langs", texts(&others)));
            Ok(LimitCase {
                kind,
                base,
                path: vec![Key("langs"), Index(i)],
                at: Value::Text(lang_of_len(MAX_LANG, &mut rng)),
                over: Value::Text(lang_of_len(MAX_LANG + 1, &mut rng)),
            })
        })
    }

    /// MEDIA-2: a type or subtype of 63 bytes, and of 64.
    pub fn mime_part_length() -> impl Strategy<Value = Result<LimitCase, TestCaseError>> {
        (media_host(true), any::<u64>()).prop_map(|(host, seed)| {
            let host = ok(host)?;
            let mut rng = Rng(seed);
            let long_type = !host.image_only && rng.coin();
            let other = if host.image_only {
                "image".to_string()
            } else {
                mime_part_of_len(rng.range(1, MAX_MIME_PART), &mut rng)
            };
            let make = |len: usize, rng: &mut Rng| {
                let part = mime_part_of_len(len, rng);
                if long_type {
                    format!("{part}/{other}")
                } else {
                    format!("{other}/{part}")
                }
            };
            let (at, over) = (
                make(MAX_MIME_PART, &mut rng),
                make(MAX_MIME_PART + 1, &mut rng),
            );
            Ok(LimitCase {
                kind: host.kind,
                base: host.base,
                path: [host.media, vec![Key("mime")]].concat(),
                at: Value::Text(at),
                over: Value::Text(over),
            })
        })
    }

    /// LABEL-2 with ENV-11: a custom label value of 128 bytes, and of 129, as a self-label or as the
    /// value of a label.
    pub fn custom_label_length() -> impl Strategy<Value = Result<LimitCase, TestCaseError>> {
        (content_host(), self_labels(), label(), any::<u64>()).prop_map(
            |(host, mut others, label, seed)| {
                let mut rng = Rng(seed);
                let at = custom_label_of_len(MAX_KIND, &mut rng);
                let over = custom_label_of_len(MAX_KIND + 1, &mut rng);
                let (kind, base, path) = if rng.coin() {
                    others.truncate(MAX_LABELS - 1);
                    let i = rng.range(0, others.len());
                    others.insert(i, "placeholder.x".into());
                    let (kind, base) = host.wrap(one("labels", texts(&others)));
                    (kind, base, vec![Key("labels"), Index(i)])
                } else {
                    ("label", ok(label)?.to_map(), vec![Key("value")])
                };
                Ok(LimitCase {
                    kind,
                    base,
                    path,
                    at: Value::Text(at),
                    over: Value::Text(over),
                })
            },
        )
    }

    /// A list field of a post or edit at `max` items and at `max + 1`, from `items` (at least
    /// `max + 1` distinct valid items); the at-limit list is the longer one without one item.
    fn list_case(
        host: &ContentHost,
        content: Map,
        key: &'static str,
        mut items: Vec<Value>,
        max: usize,
        rng: &mut Rng,
    ) -> LimitCase {
        items.truncate(max + 1);
        assert_eq!(items.len(), max + 1);
        let mut at = items.clone();
        at.remove(rng.range(0, max));
        let (kind, base) = host.wrap(content);
        LimitCase {
            kind,
            base,
            path: vec![Key(key)],
            at: Value::Array(at),
            over: Value::Array(items),
        }
    }

    pub fn langs_count() -> impl Strategy<Value = Result<LimitCase, TestCaseError>> {
        (content_host(), vec(lang(), 8), any::<u64>()).prop_map(|(host, tags, seed)| {
            let mut rng = Rng(seed);
            let mut distinct: Vec<String> = Vec::new();
            for (i, tag) in tags.into_iter().enumerate() {
                // Distinct ignoring case, whatever the generator drew.
                let tag = format!("{tag}-{i}");
                if !distinct.iter().any(|t| t.eq_ignore_ascii_case(&tag)) {
                    distinct.push(tag);
                }
            }
            let items = distinct.iter().map(|t| text_value(t)).collect();
            Ok(list_case(
                &host,
                Map::new(),
                "langs",
                items,
                MAX_LANGS,
                &mut rng,
            ))
        })
    }

    pub fn labels_count() -> impl Strategy<Value = Result<LimitCase, TestCaseError>> {
        (content_host(), vec(custom_label(), 4), any::<u64>()).prop_map(|(host, customs, seed)| {
            let mut rng = Rng(seed);
            let mut labels: Vec<String> = SELF_LABELS.iter().map(|s| s.to_string()).collect();
            for (i, c) in customs.into_iter().enumerate() {
                labels.push(format!("{c}.n{i}"));
            }
            for i in (1..labels.len()).rev() {
                labels.swap(i, rng.range(0, i));
            }
            let items = labels.iter().map(|t| text_value(t)).collect();
            Ok(list_case(
                &host,
                Map::new(),
                "labels",
                items,
                MAX_LABELS,
                &mut rng,
            ))
        })
    }

    pub fn embeds_count() -> impl Strategy<Value = Result<LimitCase, TestCaseError>> {
        (
            content_host(),
            vec(media(false, false), MAX_EMBEDS + 1),
            proptest::option::of(card()),
            any::<u64>(),
        )
            .prop_map(|(host, media, card, seed)| {
                let mut rng = Rng(seed);
                let mut items: Vec<Value> = Vec::new();
                for m in media {
                    items.push(Value::Map(Embed::Media(ok(m)?).to_map()));
                }
                if let Some(card) = card {
                    let i = rng.range(0, MAX_EMBEDS);
                    items[i] = Value::Map(Embed::Card(ok(card)?).to_map());
                }
                Ok(list_case(
                    &host,
                    Map::new(),
                    "embeds",
                    items,
                    MAX_EMBEDS,
                    &mut rng,
                ))
            })
    }

    pub fn facets_count() -> impl Strategy<Value = Result<LimitCase, TestCaseError>> {
        (content_host(), any::<u64>()).prop_map(|(host, seed)| {
            let mut rng = Rng(seed);
            let n = rng.range(MAX_FACETS + 1, TEXT.0);
            let text = scalars_within(&ANY, n, TEXT.1, &mut rng);
            let items = facets_over(&text, MAX_FACETS + 1, &mut rng);
            Ok(list_case(
                &host,
                one("text", text_value(&text)),
                "facets",
                items,
                MAX_FACETS,
                &mut rng,
            ))
        })
    }

    /// POST-2: one card (among media embeds) is fine, two are `msg.too_many`.
    pub fn cards_count() -> impl Strategy<Value = Result<LimitCase, TestCaseError>> {
        (
            content_host(),
            card(),
            card(),
            media_embeds(MAX_EMBEDS - 2),
            any::<u64>(),
        )
            .prop_map(|(host, first, second, others, seed)| {
                let mut rng = Rng(seed);
                let mut items: Vec<Value> =
                    ok(others)?.iter().map(|e| Value::Map(e.to_map())).collect();
                let first = Value::Map(Embed::Card(ok(first)?).to_map());
                let second = Value::Map(Embed::Card(ok(second)?).to_map());
                let i = rng.range(0, items.len());
                items.insert(i, first);
                let mut over = items.clone();
                over.insert(rng.range(0, over.len()), second);
                let (kind, base) = host.wrap(Map::new());
                Ok(LimitCase {
                    kind,
                    base,
                    path: vec![Key("embeds")],
                    at: Value::Array(items),
                    over: Value::Array(over),
                })
            })
    }

    pub fn profile_links_count() -> impl Strategy<Value = Result<LimitCase, TestCaseError>> {
        (profile(), vec(url(MAX_URL), MAX_LINKS + 1), any::<u64>()).prop_map(|(p, links, seed)| {
            let mut rng = Rng(seed);
            let base = profile_map(p)?;
            let over: Vec<Value> = links.iter().map(|l| text_value(l)).collect();
            let mut at = over.clone();
            at.remove(rng.range(0, MAX_LINKS));
            Ok(LimitCase {
                kind: "profile",
                base,
                path: vec![Key("links")],
                at: Value::Array(at),
                over: Value::Array(over),
            })
        })
    }

    /// Past the upper limit `max`: `max + 1` half the time, else anything above up to `u64::MAX`.
    fn above(max: u64) -> impl Strategy<Value = u64> {
        prop_oneof![Just(max + 1), Just(u64::MAX), (max + 1)..=u64::MAX]
    }

    /// A media integer field (`size`, `width`, `height`): `at` valid, `over` not.
    fn media_integer(
        fields: &'static [&'static str],
        at: u64,
        over: impl Strategy<Value = u64>,
    ) -> impl Strategy<Value = Result<LimitCase, TestCaseError>> {
        (media_host(true), select(fields), over).prop_map(move |(host, field, over)| {
            let host = ok(host)?;
            Ok(LimitCase {
                kind: host.kind,
                base: host.base,
                path: [host.media, vec![Key(field)]].concat(),
                at: Value::Unsigned(at),
                over: Value::Unsigned(over),
            })
        })
    }

    pub fn media_size_max() -> impl Strategy<Value = Result<LimitCase, TestCaseError>> {
        media_integer(&["size"], MAX_SIZE, above(MAX_SIZE))
    }

    pub fn media_size_min() -> impl Strategy<Value = Result<LimitCase, TestCaseError>> {
        media_integer(&["size"], 1, Just(0))
    }

    pub fn dimension_max() -> impl Strategy<Value = Result<LimitCase, TestCaseError>> {
        media_integer(&["width", "height"], MAX_DIMENSION, above(MAX_DIMENSION))
    }

    pub fn dimension_min() -> impl Strategy<Value = Result<LimitCase, TestCaseError>> {
        media_integer(&["width", "height"], 1, Just(0))
    }

    pub fn label_expires_max() -> impl Strategy<Value = Result<LimitCase, TestCaseError>> {
        (label(), above(MAX_SAFE_INTEGER)).prop_map(|(label, over)| {
            Ok(LimitCase {
                kind: "label",
                base: ok(label)?.to_map(),
                path: vec![Key("expires")],
                at: Value::Unsigned(MAX_SAFE_INTEGER),
                over: Value::Unsigned(over),
            })
        })
    }

    /// LABEL-4: the expiry must be after the message's time (`NOW`).
    pub fn label_expires_min() -> impl Strategy<Value = Result<LimitCase, TestCaseError>> {
        (label(), prop_oneof![Just(NOW), 0..=NOW]).prop_map(|(label, over)| {
            Ok(LimitCase {
                kind: "label",
                base: ok(label)?.to_map(),
                path: vec![Key("expires")],
                at: Value::Unsigned(NOW + 1),
                over: Value::Unsigned(over),
            })
        })
    }

    /// FACET-3: the last facet may end at the end of the text, not one byte after.
    pub fn facet_end() -> impl Strategy<Value = Result<LimitCase, TestCaseError>> {
        (content_host(), any::<u64>()).prop_map(|(host, seed)| {
            let mut rng = Rng(seed);
            let n = rng.range(1, 300);
            let text = scalars_within(&ANY, n, TEXT.1, &mut rng);
            let count = rng.range(1, n.min(MAX_FACETS));
            let facets = facets_over(&text, count, &mut rng);
            let mut content = one("text", text_value(&text));
            content.insert("facets", Value::Array(facets));
            let (kind, base) = host.wrap(content);
            Ok(LimitCase {
                kind,
                base,
                path: vec![Key("facets"), Index(count - 1), Key("end")],
                at: Value::Unsigned(text.len() as u64),
                over: Value::Unsigned(text.len() as u64 + 1),
            })
        })
    }

    /// The lower limits: one scalar or one item is fine, an empty string or list is
    /// `msg.too_short`.
    pub fn empty() -> impl Strategy<Value = Result<LimitCase, TestCaseError>> {
        (
            0u8..14,
            content_host(),
            media_host(false),
            card_title(),
            facet_host("tag"),
            profile(),
            any::<u64>(),
        )
            .prop_map(|(which, host, media, card, (fkind, fbase, fi), p, seed)| {
                let mut rng = Rng(seed);
                let mut one_char = |pool: &Pool| Value::Text(scalars_within(pool, 1, 4, &mut rng));
                let empty_text = Value::Text(String::new());
                let empty_list = Value::Array(Vec::new());
                let (kind, base, path, at, under) = match which {
                    0 | 6 => {
                        let (k, b) = host.wrap(one("text", text_value("x")));
                        (k, b, vec![Key("text")], one_char(&ANY), empty_text)
                    }
                    1 => {
                        let b = profile_map(p)?;
                        ("profile", b, vec![Key("name")], one_char(&ANY), empty_text)
                    }
                    2 => {
                        let b = profile_map(p)?;
                        ("profile", b, vec![Key("bio")], one_char(&ANY), empty_text)
                    }
                    3 => {
                        let m = ok(media)?;
                        let path = [m.media, vec![Key("alt")]].concat();
                        (m.kind, m.base, path, one_char(&ANY), empty_text)
                    }
                    4 | 5 => {
                        let c = card?;
                        let mut path = c.path;
                        path.pop();
                        path.push(Key(if which == 4 { "title" } else { "description" }));
                        (c.kind, c.base, path, one_char(&ANY), empty_text)
                    }
                    7 => {
                        let path = vec![Key("facets"), Index(fi), Key("tag")];
                        (fkind, fbase, path, one_char(&VISIBLE), empty_text)
                    }
                    8 => {
                        let b = React::like(MessageId::from_bytes([3; 32])).to_map();
                        (
                            "react",
                            b,
                            vec![Key("emoji")],
                            one_char(&VISIBLE),
                            empty_text,
                        )
                    }
                    9 => {
                        let (k, b) = host.wrap(Map::new());
                        let at = Value::Array(vec![text_value("en")]);
                        (k, b, vec![Key("langs")], at, empty_list)
                    }
                    10 => {
                        let (k, b) = host.wrap(Map::new());
                        let at = Value::Array(vec![text_value("gore")]);
                        (k, b, vec![Key("labels")], at, empty_list)
                    }
                    11 => {
                        let (k, b) = host.wrap(one("text", text_value("x")));
                        let media = Media::builder([1; 32], "text/plain", 1).build().unwrap();
                        let at = embed_values(&[Embed::Media(media)]);
                        (k, b, vec![Key("embeds")], at, empty_list)
                    }
                    12 => {
                        let (k, b) = host.wrap(one("text", text_value("#x")));
                        let at =
                            Value::Array(vec![Value::Map(Facet::tag(0..2, "x").unwrap().to_map())]);
                        (k, b, vec![Key("facets")], at, empty_list)
                    }
                    _ => {
                        let b = profile_map(p)?;
                        let at = Value::Array(vec![text_value("https://a")]);
                        ("profile", b, vec![Key("links")], at, empty_list)
                    }
                };
                Ok(LimitCase {
                    kind,
                    base,
                    path,
                    at,
                    over: under,
                })
            })
    }
}

/// One property per limit: `name => (strategy, code past the limit)`.
macro_rules! limit_properties {
    (cases: $cases:expr; $($name:ident => ($strategy:expr, $code:literal)),* $(,)?) => {
        proptest! {
            #![proptest_config(ProptestConfig {
                cases: $cases,
                failure_persistence: None,
                ..ProptestConfig::default()
            })]
            $(
                #[test]
                fn $name(case in $strategy) {
                    check_limit(&case?, $code)?;
                }
            )*
        }
    };
}

limit_properties! {
    cases: 16;
    limit_post_and_edit_text => (limits::post_text(), "msg.too_long"),
    limit_profile_name => (limits::profile_name(), "msg.too_long"),
    limit_profile_bio => (limits::profile_bio(), "msg.too_long"),
    limit_media_alt => (limits::alt(), "msg.too_long"),
    limit_card_title => (limits::card_title(), "msg.too_long"),
    limit_card_description => (limits::card_description(), "msg.too_long"),
    limit_facet_tag => (limits::facet_tag(), "msg.too_long"),
    limit_react_emoji => (limits::react_emoji(), "msg.too_long"),
    limit_url_bytes => (limits::url_length(), "msg.invalid_url"),
    limit_lang_tag_bytes => (limits::lang_length(), "msg.invalid_lang"),
    limit_media_type_part_bytes => (limits::mime_part_length(), "msg.invalid_media_type"),
    limit_custom_label_bytes => (limits::custom_label_length(), "msg.invalid_label"),
    limit_langs_count => (limits::langs_count(), "msg.too_many"),
    limit_labels_count => (limits::labels_count(), "msg.too_many"),
    limit_embeds_count => (limits::embeds_count(), "msg.too_many"),
    limit_facets_count => (limits::facets_count(), "msg.too_many"),
    limit_cards_count => (limits::cards_count(), "msg.too_many"),
    limit_profile_links_count => (limits::profile_links_count(), "msg.too_many"),
    limit_media_size_max => (limits::media_size_max(), "msg.out_of_range"),
    limit_media_size_min => (limits::media_size_min(), "msg.out_of_range"),
    limit_media_dimension_max => (limits::dimension_max(), "msg.out_of_range"),
    limit_media_dimension_min => (limits::dimension_min(), "msg.out_of_range"),
    limit_label_expires_max => (limits::label_expires_max(), "msg.out_of_range"),
    limit_label_expires_after_time => (limits::label_expires_min(), "msg.out_of_range"),
    limit_facet_end => (limits::facet_end(), "msg.facet_range"),
}

limit_properties! {
    cases: 56;
    limit_empty_strings_and_lists => (limits::empty(), "msg.too_short"),
}

// ---------------------------------------------------------------------------------------------
// Property 3: mutations anywhere in a valid body
// ---------------------------------------------------------------------------------------------

/// The CBOR type a schema gives a field.
#[derive(Debug, Clone, Copy)]
enum Ty {
    Text,
    Uint,
    Bytes,
    /// `true` only.
    Flag,
    Map(&'static Schema),
    /// An embed map, whose schema depends on its `type`.
    Embed,
    Array(&'static Ty),
}

/// A map schema: (key, type, required), in schema order.
#[derive(Debug)]
struct Schema(&'static [(&'static str, Ty, bool)]);

const MEDIA: Schema = Schema(&[
    ("alt", Ty::Text, false),
    ("hash", Ty::Bytes, true),
    ("mime", Ty::Text, true),
    ("size", Ty::Uint, true),
    ("width", Ty::Uint, false),
    ("height", Ty::Uint, false),
]);
const REPLY: Schema = Schema(&[("root", Ty::Bytes, true), ("parent", Ty::Bytes, true)]);
const MEDIA_EMBED: Schema = Schema(&[("type", Ty::Text, true), ("media", Ty::Map(&MEDIA), true)]);
const CARD: Schema = Schema(&[
    ("type", Ty::Text, true),
    ("url", Ty::Text, true),
    ("title", Ty::Text, false),
    ("description", Ty::Text, false),
    ("thumb", Ty::Map(&MEDIA), false),
]);
const FACET: Schema = Schema(&[
    ("start", Ty::Uint, true),
    ("end", Ty::Uint, true),
    ("type", Ty::Text, true),
    ("account", Ty::Bytes, false),
    ("url", Ty::Text, false),
    ("tag", Ty::Text, false),
]);
const POST: Schema = Schema(&[
    ("text", Ty::Text, false),
    ("langs", Ty::Array(&Ty::Text), false),
    ("quote", Ty::Bytes, false),
    ("reply", Ty::Map(&REPLY), false),
    ("embeds", Ty::Array(&Ty::Embed), false),
    ("facets", Ty::Array(&Ty::Map(&FACET)), false),
    ("labels", Ty::Array(&Ty::Text), false),
]);
const EDIT: Schema = Schema(&[
    ("target", Ty::Bytes, true),
    ("replaces", Ty::Bytes, true),
    ("text", Ty::Text, false),
    ("langs", Ty::Array(&Ty::Text), false),
    ("embeds", Ty::Array(&Ty::Embed), false),
    ("facets", Ty::Array(&Ty::Map(&FACET)), false),
    ("labels", Ty::Array(&Ty::Text), false),
]);
const PROFILE: Schema = Schema(&[
    ("bio", Ty::Text, false),
    ("name", Ty::Text, false),
    ("links", Ty::Array(&Ty::Text), false),
    ("avatar", Ty::Map(&MEDIA), false),
    ("banner", Ty::Map(&MEDIA), false),
]);
const TARGET: Schema = Schema(&[("target", Ty::Bytes, true)]);
const REACT: Schema = Schema(&[("target", Ty::Bytes, true), ("emoji", Ty::Text, false)]);
const SUBJECT: Schema = Schema(&[("subject", Ty::Bytes, true)]);
const LABEL: Schema = Schema(&[
    ("account", Ty::Bytes, false),
    ("message", Ty::Bytes, false),
    ("value", Ty::Text, true),
    ("negate", Ty::Flag, false),
    ("expires", Ty::Uint, false),
]);
const GATE: Schema = Schema(&[
    ("target", Ty::Bytes, true),
    ("reply", Ty::Array(&Ty::Text), false),
    ("quote", Ty::Array(&Ty::Text), false),
    ("hidden", Ty::Array(&Ty::Bytes), false),
]);

/// Every key of every schema, for unknown keys that are known somewhere else.
const ALL_KEYS: [&str; 38] = [
    "alt",
    "hash",
    "mime",
    "size",
    "width",
    "height",
    "root",
    "parent",
    "type",
    "media",
    "url",
    "title",
    "description",
    "thumb",
    "start",
    "end",
    "account",
    "tag",
    "text",
    "langs",
    "quote",
    "reply",
    "embeds",
    "facets",
    "labels",
    "target",
    "replaces",
    "bio",
    "name",
    "links",
    "avatar",
    "banner",
    "emoji",
    "subject",
    "message",
    "value",
    "expires",
    "hidden",
];

fn root_schema(kind: &str) -> &'static Schema {
    match kind {
        "profile" => &PROFILE,
        "post" => &POST,
        "edit" => &EDIT,
        "delete" | "unreact" | "repost" | "unrepost" => &TARGET,
        "react" => &REACT,
        "follow" | "unfollow" | "block" | "unblock" => &SUBJECT,
        "label" => &LABEL,
        "gate" => &GATE,
        _ => panic!("not a core kind: {kind}"),
    }
}

/// A place in a body: a map (with its schema) or a value (with its schema type).
#[derive(Debug, Clone)]
struct Sites {
    maps: Vec<(Vec<Step>, &'static Schema)>,
    values: Vec<(Vec<Step>, Ty)>,
}

fn sites(kind: &str, body: &Map) -> Sites {
    let mut sites = Sites {
        maps: Vec::new(),
        values: Vec::new(),
    };
    walk_map(body, root_schema(kind), Vec::new(), &mut sites);
    sites
}

fn walk_map(map: &Map, schema: &'static Schema, path: Vec<Step>, sites: &mut Sites) {
    sites.maps.push((path.clone(), schema));
    for (key, ty, _) in schema.0 {
        if let Some(value) = map.get(key) {
            walk_value(value, *ty, [path.clone(), vec![Key(key)]].concat(), sites);
        }
    }
}

fn walk_value(value: &Value, ty: Ty, path: Vec<Step>, sites: &mut Sites) {
    sites.values.push((path.clone(), ty));
    match (ty, value) {
        (Ty::Map(schema), Value::Map(map)) => walk_map(map, schema, path, sites),
        (Ty::Embed, Value::Map(map)) => {
            let schema = match map.get("type") {
                Some(Value::Text(t)) if t == "card" => &CARD,
                _ => &MEDIA_EMBED,
            };
            walk_map(map, schema, path, sites)
        }
        (Ty::Array(element), Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                walk_value(
                    item,
                    *element,
                    [path.clone(), vec![Index(i)]].concat(),
                    sites,
                );
            }
        }
        _ => {}
    }
}

/// Whether `value` has the CBOR type `ty` asks for.
fn has_type(value: &Value, ty: Ty) -> bool {
    matches!(
        (ty, value),
        (Ty::Text, Value::Text(_))
            | (Ty::Uint, Value::Unsigned(_))
            | (Ty::Bytes, Value::Bytes(_))
            | (Ty::Flag, Value::Bool(_))
            | (Ty::Map(_) | Ty::Embed, Value::Map(_))
            | (Ty::Array(_), Value::Array(_))
    )
}

/// Small values of every CBOR type.
fn any_value() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        any::<u64>().prop_map(Value::Unsigned),
        any::<u64>().prop_map(Value::Negative),
        vec(any::<u8>(), 0..40).prop_map(Value::Bytes),
        ".{0,12}".prop_map(Value::Text),
        any::<bool>().prop_map(Value::Bool),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::Array),
            vec(("[a-z.]{1,6}", inner), 0..4).prop_map(|entries| {
                let mut map = Map::new();
                for (k, v) in entries {
                    map.insert(k, v);
                }
                Value::Map(map)
            }),
        ]
    })
    .boxed()
}

/// A valid body of any kind, with the places it can be mutated.
fn mutable_body() -> BoxedStrategy<Result<(Built, Sites), TestCaseError>> {
    any_built()
        .prop_map(|built| {
            let built = unwrap_built(built)?;
            let sites = sites(built.kind(), &built.to_map());
            Ok((built, sites))
        })
        .boxed()
}

fn expect_code(verdict: Verdict, code: &str, what: &str) -> Result<(), TestCaseError> {
    match verdict {
        Verdict::Invalid(e) if e.code() == code => Ok(()),
        other => Err(TestCaseError::fail(format!(
            "{what}: expected {code}, got {}",
            describe_verdict(&other)
        ))),
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Dropping a required field, at any depth, is `msg.missing_field`.
    #[test]
    fn dropping_a_required_field_is_missing_field(
        body in mutable_body(),
        pick in any::<prop::sample::Index>(),
    ) {
        let (built, sites) = body?;
        let body = built.to_map();
        let mut required = Vec::new();
        for (path, schema) in &sites.maps {
            let map = match edited_get(&body, path) {
                Value::Map(m) => m,
                _ => unreachable!(),
            };
            for (key, _, req) in schema.0 {
                if *req && map.get(key).is_some() {
                    required.push((path.clone(), *key));
                }
            }
        }
        prop_assume!(!required.is_empty());
        let (path, key) = pick.get(&required).clone();
        let mutated = edited(&body, &path, |v| {
            if let Value::Map(m) = v {
                m.remove(key);
            }
        });
        let what = format!("{} without {path:?}.{key}", built.kind());
        expect_code(raw_verdict(built.kind(), &mutated)?, "msg.missing_field", &what)?;
    }

    /// An un-dotted key that the map's schema does not have (possibly a key of another schema, such
    /// as a card's "url" in a media embed or a post's "reply" in an edit) is `msg.unknown_field`.
    #[test]
    fn an_undotted_unknown_key_is_unknown_field(
        body in mutable_body(),
        pick in any::<prop::sample::Index>(),
        key in prop_oneof![select(ALL_KEYS.to_vec()).prop_map(String::from), "[a-zA-Z0-9_é-]{1,12}"],
        value in any_value(),
    ) {
        let (built, sites) = body?;
        let (path, schema) = pick.get(&sites.maps).clone();
        prop_assume!(!schema.0.iter().any(|(k, _, _)| *k == key));
        let body = built.to_map();
        let mutated = edited(&body, &path, |v| {
            if let Value::Map(m) = v {
                m.insert(key.clone(), value.clone());
            }
        });
        let what = format!("{} with {path:?}.{key:?}", built.kind());
        expect_code(raw_verdict(built.kind(), &mutated)?, "msg.unknown_field", &what)?;
    }

    /// A dotted key anywhere is accepted, kept in the signed body and ignored (MSG-1).
    #[test]
    fn a_dotted_key_is_kept_and_ignored(
        body in mutable_body(),
        pick in any::<prop::sample::Index>(),
        key in prop_oneof!["[a-z]{1,8}\\.[a-z]{1,8}", "[a-zA-Z0-9_é-]{0,6}\\.[a-zA-Z0-9_.é-]{0,6}"],
        value in any_value(),
    ) {
        let (built, sites) = body?;
        let (path, _) = pick.get(&sites.maps).clone();
        let body = built.to_map();
        let mutated = edited(&body, &path, |v| {
            if let Value::Map(m) = v {
                m.insert(key.clone(), value.clone());
            }
        });
        let valid = expect_valid(
            raw_verdict(built.kind(), &mutated)?,
            &format!("{} with {path:?}.{key:?}", built.kind()),
        )?;
        prop_assert!(built.is(valid.body()), "{:?}\nbuilt {:?}", valid.body(), built);
        prop_assert_eq!(valid.message().body_map(), Some(mutated));
    }

    /// A value of another CBOR type than its schema's, at any depth (array elements included), is
    /// `msg.wrong_type`.
    #[test]
    fn a_value_of_another_type_is_wrong_type(
        body in mutable_body(),
        pick in any::<prop::sample::Index>(),
        value in any_value(),
    ) {
        let (built, sites) = body?;
        prop_assume!(!sites.values.is_empty());
        let (path, ty) = pick.get(&sites.values).clone();
        prop_assume!(!has_type(&value, ty));
        let mutated = put(&built.to_map(), &path, value.clone());
        let what = format!("{} with {path:?} = {}", built.kind(), summary(&value));
        expect_code(raw_verdict(built.kind(), &mutated)?, "msg.wrong_type", &what)?;
    }
}

/// The value at `path` in `body`.
fn edited_get(body: &Map, path: &[Step]) -> Value {
    let mut found = None;
    let mut value = Value::Map(body.clone());
    edit_value(&mut value, path, &mut |v| found = Some(v.clone()));
    found.unwrap()
}
