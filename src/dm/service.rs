//! Moderation-service declarations (08 §14.1, DM-24, DM-25): a service publishes, in a public
//! message of kind `service`, the keys reports are sealed to, the reasons it accepts and the labels
//! it applies, with their definitions.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use super::auth::{dm_grant, Grant};
use super::gate::Gate;
use super::keys::{EncryptionPublic, PqPublic};
use super::{body_fields, DmError, MAX_PREKEY_LIFETIME, SERVICE_KIND};
use crate::account::Accounts;
use crate::cbor::{Map, Value};
use crate::envelope::{Draft, EnvelopeError, Kind, SignedMessage, MAX_SAFE_INTEGER};
use crate::id::{AccountId, MessageId};
use crate::keys::PublicKey;
use crate::message::Reason;

/// The most report keys one declaration lists (DM-24).
pub const MAX_SERVICE_KEYS: usize = 4;
/// The most relays one report key lists (DM-24).
pub const MAX_SERVICE_RELAYS: usize = 4;
/// The longest relay URL a report key lists, in bytes (DM-24).
pub const MAX_RELAY_URL: usize = 256;
/// The most label definitions one declaration lists (DM-24).
pub const MAX_LABEL_DEFINITIONS: usize = 64;
/// The most locales one label definition lists (DM-24).
pub const MAX_LOCALES: usize = 16;

/// How strongly an application presents a label (DM-24), as AT Protocol's labeler declarations.
///
/// ```
/// use skylark::dm::Severity;
/// assert_eq!(Severity::Alert.as_str(), "alert");
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// `alert`: a warning.
    Alert,
    /// `inform`: a neutral notice.
    Inform,
    /// `none`: nothing shown.
    None,
}

/// What an application hides behind a label (DM-24).
///
/// ```
/// use skylark::dm::Blur;
/// assert_eq!(Blur::Media.as_str(), "media");
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blur {
    /// `content`: the whole post or profile.
    Content,
    /// `media`: its images and videos only.
    Media,
    /// `none`: nothing.
    None,
}

/// What an application does with a label until its user chooses (DM-24).
///
/// ```
/// use skylark::dm::Setting;
/// assert_eq!(Setting::Warn.as_str(), "warn");
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setting {
    /// `hide`
    Hide,
    /// `warn`
    Warn,
    /// `ignore`
    Ignore,
}

macro_rules! names {
    ($ty:ty { $($variant:ident => $name:literal),* }) => {
        impl $ty {
            /// The value as written in a declaration.
            ///
            /// ```
            /// # use skylark::dm::{Blur, Setting, Severity};
            /// assert_eq!((Severity::None.as_str(), Blur::None.as_str(), Setting::Ignore.as_str()), ("none", "none", "ignore"));
            /// ```
            pub fn as_str(&self) -> &'static str {
                match self { $(Self::$variant => $name),* }
            }

            fn parse(value: &Value) -> Option<Self> {
                match value {
                    $(Value::Text(t) if t == $name => Some(Self::$variant),)*
                    _ => None,
                }
            }
        }
    };
}
names!(Severity { Alert => "alert", Inform => "inform", None => "none" });
names!(Blur { Content => "content", Media => "media", None => "none" });
names!(Setting { Hide => "hide", Warn => "warn", Ignore => "ignore" });

/// One language's name and description of a label (DM-24): a language tag (05 MSG-6), a name of 1
/// to 64 scalars (at most 256 bytes) and a description of 1 to 1000 scalars (at most 4000 bytes).
///
/// ```
/// use skylark::dm::Locale;
/// let en = Locale::new("en", "Spam", "Unsolicited bulk posting.")?;
/// assert_eq!(en.name(), "Spam");
/// assert_eq!(Locale::new("english", "Spam", "x").unwrap_err().code(), "dm.declaration");
/// # Ok::<(), skylark::dm::DmError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Locale {
    lang: String,
    name: String,
    description: String,
}

/// Whether `url` is a relay's base URL as DM-24 allows: `https://` or `http://` and at least one
/// more byte, at most [`MAX_RELAY_URL`] bytes.
fn is_relay_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty()) && url.len() <= MAX_RELAY_URL
}

fn bounded(s: &str, scalars: usize, bytes: usize) -> bool {
    !s.is_empty() && s.len() <= bytes && s.chars().count() <= scalars
}

impl Locale {
    /// A locale, checked.
    ///
    /// # Errors
    ///
    /// [`DmError::Declaration`] if the tag, name or description breaks DM-24.
    ///
    /// ```
    /// # use skylark::dm::Locale;
    /// assert!(Locale::new("de", "", "leer").is_err());
    /// ```
    pub fn new(lang: &str, name: &str, description: &str) -> Result<Self, DmError> {
        if !crate::message::is_lang(lang)
            || !bounded(name, 64, 256)
            || !bounded(description, 1000, 4000)
        {
            return Err(DmError::Declaration);
        }
        Ok(Locale {
            lang: lang.into(),
            name: name.into(),
            description: description.into(),
        })
    }

    /// The language tag.
    ///
    /// ```
    /// # use skylark::dm::Locale;
    /// assert_eq!(Locale::new("pt-BR", "Spam", "x")?.lang(), "pt-BR");
    /// # Ok::<(), skylark::dm::DmError>(())
    /// ```
    pub fn lang(&self) -> &str {
        &self.lang
    }

    /// The label's name in this language.
    ///
    /// ```
    /// # use skylark::dm::Locale;
    /// assert_eq!(Locale::new("fr", "Pourriel", "x")?.name(), "Pourriel");
    /// # Ok::<(), skylark::dm::DmError>(())
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The label's description in this language.
    ///
    /// ```
    /// # use skylark::dm::Locale;
    /// assert_eq!(Locale::new("en", "Spam", "Bulk.")?.description(), "Bulk.");
    /// # Ok::<(), skylark::dm::DmError>(())
    /// ```
    pub fn description(&self) -> &str {
        &self.description
    }

    fn from_value(value: &Value) -> Option<Self> {
        let Value::Map(map) = value else { return None };
        let [Some(Value::Text(lang)), Some(Value::Text(name)), Some(Value::Text(description))] =
            body_fields(map, ["lang", "name", "description"])?
        else {
            return None;
        };
        Locale::new(lang, name, description).ok()
    }

    fn to_value(&self) -> Value {
        let mut map = Map::new();
        map.insert("lang", Value::from(self.lang.as_str()));
        map.insert("name", Value::from(self.name.as_str()));
        map.insert("description", Value::from(self.description.as_str()));
        Value::Map(map)
    }
}

/// The definition of one label a service applies (DM-24): its value (05 LABEL-2), severity, blur,
/// default setting and 1 to 16 locales with distinct language tags.
///
/// ```
/// use skylark::dm::{Blur, LabelDefinition, Locale, Setting, Severity};
/// let spam = LabelDefinition::new("spam", Severity::Inform, Blur::None, Setting::Warn,
///     vec![Locale::new("en", "Spam", "Unsolicited bulk posting.")?])?;
/// assert_eq!(spam.value(), "spam");
/// # Ok::<(), skylark::dm::DmError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelDefinition {
    value: String,
    severity: Severity,
    blur: Blur,
    default: Setting,
    locales: Vec<Locale>,
}

impl LabelDefinition {
    /// A definition, checked.
    ///
    /// # Errors
    ///
    /// [`DmError::Declaration`] if the value is not a label value (05 LABEL-2), or the locales are
    /// none, more than 16, or two share a language tag.
    ///
    /// ```
    /// # use skylark::dm::{Blur, LabelDefinition, Setting, Severity};
    /// assert!(LabelDefinition::new("Spam", Severity::Alert, Blur::None, Setting::Hide, vec![]).is_err());
    /// ```
    pub fn new(
        value: &str,
        severity: Severity,
        blur: Blur,
        default: Setting,
        locales: Vec<Locale>,
    ) -> Result<Self, DmError> {
        let distinct = locales
            .iter()
            .enumerate()
            .all(|(i, l)| locales[..i].iter().all(|o| o.lang != l.lang));
        if !crate::message::is_label(value)
            || locales.is_empty()
            || locales.len() > MAX_LOCALES
            || !distinct
        {
            return Err(DmError::Declaration);
        }
        Ok(LabelDefinition {
            value: value.into(),
            severity,
            blur,
            default,
            locales,
        })
    }

    /// The label value.
    ///
    /// ```
    /// # use skylark::dm::{Blur, LabelDefinition, Locale, Setting, Severity};
    /// # let d = LabelDefinition::new("com.example.satire", Severity::None, Blur::None, Setting::Ignore, vec![Locale::new("en", "Satire", "x")?])?;
    /// assert_eq!(d.value(), "com.example.satire");
    /// # Ok::<(), skylark::dm::DmError>(())
    /// ```
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The severity.
    ///
    /// ```
    /// # use skylark::dm::{Blur, LabelDefinition, Locale, Setting, Severity};
    /// # let d = LabelDefinition::new("spam", Severity::Alert, Blur::None, Setting::Warn, vec![Locale::new("en", "Spam", "x")?])?;
    /// assert_eq!(d.severity(), Severity::Alert);
    /// # Ok::<(), skylark::dm::DmError>(())
    /// ```
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// What is blurred.
    ///
    /// ```
    /// # use skylark::dm::{Blur, LabelDefinition, Locale, Setting, Severity};
    /// # let d = LabelDefinition::new("gore", Severity::Alert, Blur::Media, Setting::Hide, vec![Locale::new("en", "Gore", "x")?])?;
    /// assert_eq!(d.blur(), Blur::Media);
    /// # Ok::<(), skylark::dm::DmError>(())
    /// ```
    pub fn blur(&self) -> Blur {
        self.blur
    }

    /// The default setting.
    ///
    /// ```
    /// # use skylark::dm::{Blur, LabelDefinition, Locale, Setting, Severity};
    /// # let d = LabelDefinition::new("gore", Severity::Alert, Blur::Media, Setting::Hide, vec![Locale::new("en", "Gore", "x")?])?;
    /// assert_eq!(d.default_setting(), Setting::Hide);
    /// # Ok::<(), skylark::dm::DmError>(())
    /// ```
    pub fn default_setting(&self) -> Setting {
        self.default
    }

    /// The locales.
    ///
    /// ```
    /// # use skylark::dm::{Blur, LabelDefinition, Locale, Setting, Severity};
    /// # let d = LabelDefinition::new("gore", Severity::Alert, Blur::Media, Setting::Hide, vec![Locale::new("en", "Gore", "x")?])?;
    /// assert_eq!(d.locales()[0].lang(), "en");
    /// # Ok::<(), skylark::dm::DmError>(())
    /// ```
    pub fn locales(&self) -> &[Locale] {
        &self.locales
    }

    fn from_value(value: &Value) -> Option<Self> {
        let Value::Map(map) = value else { return None };
        let [Some(Value::Text(v)), Some(severity), Some(blur), Some(default), Some(Value::Array(locales))] =
            body_fields(map, ["value", "severity", "blur", "default", "locales"])?
        else {
            return None;
        };
        if locales.len() > MAX_LOCALES {
            return None;
        }
        let locales = locales
            .iter()
            .map(Locale::from_value)
            .collect::<Option<Vec<_>>>()?;
        LabelDefinition::new(
            v,
            Severity::parse(severity)?,
            Blur::parse(blur)?,
            Setting::parse(default)?,
            locales,
        )
        .ok()
    }

    fn to_value(&self) -> Value {
        let mut map = Map::new();
        map.insert("value", Value::from(self.value.as_str()));
        map.insert("severity", Value::from(self.severity.as_str()));
        map.insert("blur", Value::from(self.blur.as_str()));
        map.insert("default", Value::from(self.default.as_str()));
        map.insert(
            "locales",
            Value::Array(self.locales.iter().map(Locale::to_value).collect()),
        );
        Value::Map(map)
    }
}

/// A key reports are sealed to (DM-24): an X25519 public key, an ML-KEM-768 encapsulation key and
/// the last time a reporter may seal to it. The service holds its secrets as a
/// [`super::DeviceKeys`] without one-time keys.
///
/// ```
/// use skylark::dm::{EncryptionSecret, PqSecret, ServiceKey};
/// let key = ServiceKey::new(EncryptionSecret::from_bytes([4; 32]).public_key(), PqSecret::from_seed([4; 64]).public_key(), 99);
/// assert_eq!(key.expires(), 99);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceKey {
    key: EncryptionPublic,
    pq: PqPublic,
    expires: u64,
    relays: Vec<String>,
    gate: Gate,
}

impl ServiceKey {
    /// A report key with its expiry (checked against the declaration's time by DM-24).
    ///
    /// ```
    /// # use skylark::dm::{EncryptionSecret, PqSecret, ServiceKey};
    /// let x = EncryptionSecret::from_bytes([4; 32]).public_key();
    /// assert_eq!(ServiceKey::new(x, PqSecret::from_seed([4; 64]).public_key(), 9).key(), x);
    /// ```
    pub fn new(key: EncryptionPublic, pq: PqPublic, expires: u64) -> Self {
        ServiceKey {
            key,
            pq,
            expires,
            relays: Vec::new(),
            gate: Gate::open(),
        }
    }

    /// The key with the base URLs of the relays that hold its mailbox (DM-24, 10 §5): 1 to 4
    /// distinct `https://` or `http://` URLs of at most 256 bytes. Reporters deposit there and the
    /// service fetches there.
    ///
    /// # Errors
    ///
    /// [`DmError::Declaration`] if the list breaks DM-24.
    ///
    /// ```
    /// # use skylark::dm::{EncryptionSecret, PqSecret, ServiceKey};
    /// let key = ServiceKey::new(EncryptionSecret::from_bytes([4; 32]).public_key(), PqSecret::from_seed([4; 64]).public_key(), 9);
    /// let key = key.with_relays(&["https://relay.example"])?;
    /// assert_eq!(key.relays(), ["https://relay.example"]);
    /// assert!(key.with_relays(&["ftp://relay.example"]).is_err());
    /// # Ok::<(), skylark::dm::DmError>(())
    /// ```
    pub fn with_relays(mut self, relays: &[&str]) -> Result<Self, DmError> {
        let distinct = relays
            .iter()
            .enumerate()
            .all(|(i, r)| !relays[..i].contains(r));
        if relays.is_empty()
            || relays.len() > MAX_SERVICE_RELAYS
            || !distinct
            || !relays.iter().all(|r| is_relay_url(r))
        {
            return Err(DmError::Declaration);
        }
        self.relays = relays.iter().map(|r| String::from(*r)).collect();
        Ok(self)
    }

    /// The key with a gate on deposits (08 §5.7, DM-22): the proof of work or access token a relay
    /// asks of an item before it files it in this key's mailbox.
    ///
    /// ```
    /// # use skylark::dm::{Accept, EncryptionSecret, Gate, PqSecret, ServiceKey};
    /// let key = ServiceKey::new(EncryptionSecret::from_bytes([4; 32]).public_key(), PqSecret::from_seed([4; 64]).public_key(), 9);
    /// let gate = Gate::new(Accept::Everyone, 16, &[])?;
    /// assert_eq!(key.with_gate(gate.clone()).gate(), &gate);
    /// # Ok::<(), skylark::dm::DmError>(())
    /// ```
    pub fn with_gate(mut self, gate: Gate) -> Self {
        self.gate = gate;
        self
    }

    /// The relays that hold this key's mailbox (empty: not declared).
    ///
    /// ```
    /// # use skylark::dm::{EncryptionSecret, PqSecret, ServiceKey};
    /// let key = ServiceKey::new(EncryptionSecret::from_bytes([4; 32]).public_key(), PqSecret::from_seed([4; 64]).public_key(), 9);
    /// assert!(key.relays().is_empty());
    /// ```
    pub fn relays(&self) -> &[String] {
        &self.relays
    }

    /// The gate on deposits to this key's mailbox (absent in the declaration: the open gate).
    ///
    /// ```
    /// # use skylark::dm::{EncryptionSecret, Gate, PqSecret, ServiceKey};
    /// let key = ServiceKey::new(EncryptionSecret::from_bytes([4; 32]).public_key(), PqSecret::from_seed([4; 64]).public_key(), 9);
    /// assert_eq!(key.gate(), &Gate::open());
    /// ```
    pub fn gate(&self) -> &Gate {
        &self.gate
    }

    /// The X25519 public key.
    ///
    /// ```
    /// # use skylark::dm::{EncryptionSecret, PqSecret, ServiceKey};
    /// # let x = EncryptionSecret::from_bytes([4; 32]).public_key();
    /// assert_eq!(ServiceKey::new(x, PqSecret::from_seed([4; 64]).public_key(), 9).key(), x);
    /// ```
    pub fn key(&self) -> EncryptionPublic {
        self.key
    }

    /// The ML-KEM-768 encapsulation key.
    ///
    /// ```
    /// # use skylark::dm::{EncryptionSecret, PqSecret, ServiceKey};
    /// let pq = PqSecret::from_seed([4; 64]).public_key();
    /// assert_eq!(ServiceKey::new(EncryptionSecret::from_bytes([4; 32]).public_key(), pq.clone(), 9).pq(), &pq);
    /// ```
    pub fn pq(&self) -> &PqPublic {
        &self.pq
    }

    /// The last time (milliseconds) a reporter may seal to this key.
    ///
    /// ```
    /// # use skylark::dm::{EncryptionSecret, PqSecret, ServiceKey};
    /// assert_eq!(ServiceKey::new(EncryptionSecret::from_bytes([4; 32]).public_key(), PqSecret::from_seed([4; 64]).public_key(), 9).expires(), 9);
    /// ```
    pub fn expires(&self) -> u64 {
        self.expires
    }

    fn from_value(value: &Value, time: u64) -> Option<Self> {
        let Value::Map(map) = value else { return None };
        let [Some(Value::Bytes(key)), Some(Value::Bytes(pq)), Some(&Value::Unsigned(expires)), relays, gate] =
            body_fields(map, ["key", "pq", "expires", "relays", "gate"])?
        else {
            return None;
        };
        let key: [u8; 32] = key.as_slice().try_into().ok()?;
        let pq = PqPublic::from_slice(pq)?;
        if expires > MAX_SAFE_INTEGER || expires <= time || expires - time > MAX_PREKEY_LIFETIME {
            return None;
        }
        let mut out = ServiceKey::new(EncryptionPublic(key), pq, expires);
        if let Some(relays) = relays {
            let Value::Array(list) = relays else {
                return None;
            };
            if list.len() > MAX_SERVICE_RELAYS {
                return None;
            }
            let texts = list
                .iter()
                .map(|r| match r {
                    Value::Text(t) => Some(t.as_str()),
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()?;
            out = out.with_relays(&texts).ok()?;
        }
        if let Some(gate) = gate {
            out.gate = Gate::from_value(gate)?;
        }
        Some(out)
    }

    fn to_value(&self) -> Value {
        let mut map = Map::new();
        map.insert("key", Value::from(&self.key.0[..]));
        map.insert("pq", Value::from(self.pq.as_bytes()));
        map.insert("expires", Value::from(self.expires));
        if !self.relays.is_empty() {
            let relays = self.relays.iter().map(|r| Value::from(r.as_str()));
            map.insert("relays", Value::Array(relays.collect()));
        }
        if self.gate != Gate::open() {
            map.insert("gate", self.gate.to_value());
        }
        Value::Map(map)
    }
}

/// A moderation service's declaration, read from a `service` message (DM-24): the report keys, the
/// accepted reasons (a subset of 05 REPORT-1's ten) and the label definitions. Whether its signing
/// key may declare is [`Declaration::authorize`] (DM-25), which a reporter MUST check.
///
/// ```
/// use skylark::dm::{Blur, Declaration, DeviceKeys, EncryptionSecret, LabelDefinition, Locale, PqSecret, ServiceKey, Setting, Severity};
/// use skylark::id::AccountId;
/// use skylark::message::Reason;
/// let desk = DeviceKeys::new([9; 16], EncryptionSecret::from_bytes([4; 32]), PqSecret::from_seed([4; 64]), vec![]);
/// let key = ServiceKey::new(desk.signed().public_key(), desk.pq().public_key(), 1_000 + 86_400_000);
/// let spam = LabelDefinition::new("spam", Severity::Inform, Blur::None, Setting::Warn,
///     vec![Locale::new("en", "Spam", "Unsolicited bulk posting.")?])?;
/// let service = AccountId::from_bytes([0x5e; 32]);
/// let app = skylark::keys::SecretKey::from_seed([3; 32]);
/// let msg = Declaration::draft(service, 1_000, &[key], &[Reason::Spam, Reason::Harassment], &[spam])?.sign(&app)?;
/// let declaration = Declaration::from_message(&msg)?;
/// assert_eq!(declaration.reasons(), &[Reason::Spam, Reason::Harassment]);
/// assert!(declaration.current_keys(2_000).next().is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declaration {
    keys: Vec<ServiceKey>,
    reasons: Vec<Reason>,
    labels: Vec<LabelDefinition>,
    time: u64,
    account: AccountId,
    signer: PublicKey,
    id: MessageId,
}

impl Declaration {
    /// A draft `service` message declaring `keys`, `reasons` and `labels` for `account` at `time`, to
    /// be placed in the key's history and signed by a key whose scope names `service` (DM-25).
    ///
    /// # Errors
    ///
    /// What [`Draft::new`] reports.
    ///
    /// ```
    /// # use skylark::dm::{Declaration, EncryptionSecret, PqSecret, ServiceKey};
    /// # use skylark::message::Reason;
    /// let key = ServiceKey::new(EncryptionSecret::from_bytes([4; 32]).public_key(), PqSecret::from_seed([4; 64]).public_key(), 99);
    /// let draft = Declaration::draft(skylark::id::AccountId::from_bytes([1; 32]), 10, &[key], &[Reason::Spam], &[])?;
    /// # let _ = draft;
    /// # Ok::<(), skylark::envelope::EnvelopeError>(())
    /// ```
    pub fn draft(
        account: AccountId,
        time: u64,
        keys: &[ServiceKey],
        reasons: &[Reason],
        labels: &[LabelDefinition],
    ) -> Result<Draft, EnvelopeError> {
        let mut map = Map::new();
        map.insert(
            "keys",
            Value::Array(keys.iter().map(ServiceKey::to_value).collect()),
        );
        map.insert(
            "reasons",
            Value::Array(reasons.iter().map(|r| Value::from(r.as_str())).collect()),
        );
        map.insert(
            "labels",
            Value::Array(labels.iter().map(LabelDefinition::to_value).collect()),
        );
        Draft::new(account, Kind::new(SERVICE_KIND)?, time, &map)
    }

    /// The declaration a message publishes (DM-24).
    ///
    /// # Errors
    ///
    /// [`DmError::Declaration`] if the kind is not `service`, the body is absent, or it breaks
    /// DM-24: keys `keys` (1 to 4 report keys, each with `key` 32 bytes, `pq` an ML-KEM-768 key
    /// that passes the FIPS 203 modulus check, `expires` with `time < expires ≤ time + 30 days`),
    /// `reasons` (1 to 10 distinct reasons of 05 REPORT-1) and `labels` (0 to 64 definitions with
    /// distinct values), and no other key without a `.`.
    ///
    /// ```
    /// # use skylark::dm::{Declaration, EncryptionSecret, PqSecret, ServiceKey};
    /// let key = ServiceKey::new(EncryptionSecret::from_bytes([4; 32]).public_key(), PqSecret::from_seed([4; 64]).public_key(), 99);
    /// let msg = Declaration::draft(skylark::id::AccountId::from_bytes([1; 32]), 10, &[key], &[], &[])?
    ///     .sign(&skylark::keys::SecretKey::from_seed([3; 32]))?; // no reasons
    /// assert_eq!(Declaration::from_message(&msg).unwrap_err().code(), "dm.declaration");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_message(message: &SignedMessage) -> Result<Self, DmError> {
        let header = message.header();
        if header.kind().as_str() != SERVICE_KIND {
            return Err(DmError::Declaration);
        }
        let map = message.body_map().ok_or(DmError::Declaration)?;
        let [Some(Value::Array(keys)), Some(Value::Array(reasons)), Some(Value::Array(labels))] =
            body_fields(&map, ["keys", "reasons", "labels"]).ok_or(DmError::Declaration)?
        else {
            return Err(DmError::Declaration);
        };
        let time = header.time();
        if keys.is_empty()
            || keys.len() > MAX_SERVICE_KEYS
            || reasons.is_empty()
            || reasons.len() > 10
            || labels.len() > MAX_LABEL_DEFINITIONS
        {
            return Err(DmError::Declaration);
        }
        let keys = keys
            .iter()
            .map(|k| ServiceKey::from_value(k, time))
            .collect::<Option<Vec<_>>>()
            .ok_or(DmError::Declaration)?;
        let mut accepted: Vec<Reason> = Vec::with_capacity(reasons.len());
        for r in reasons {
            let Value::Text(text) = r else {
                return Err(DmError::Declaration);
            };
            let reason: Reason = text.parse().map_err(|_| DmError::Declaration)?;
            if accepted.contains(&reason) {
                return Err(DmError::Declaration);
            }
            accepted.push(reason);
        }
        let mut definitions: Vec<LabelDefinition> = Vec::with_capacity(labels.len());
        for l in labels {
            let d = LabelDefinition::from_value(l).ok_or(DmError::Declaration)?;
            if definitions.iter().any(|o| o.value == d.value) {
                return Err(DmError::Declaration);
            }
            definitions.push(d);
        }
        Ok(Declaration {
            keys,
            reasons: accepted,
            labels: definitions,
            time,
            account: *header.account(),
            signer: *header.key(),
            id: message.id(),
        })
    }

    /// DM-25: whether the declaration's signing key may declare for its account in `accounts`: an app
    /// key whose delegated scope names `service` explicitly (never a wildcard), the declaration's
    /// time inside the delegation, the key not revoked.
    ///
    /// # Errors
    ///
    /// [`DmError::DeclarationUnauthorized`] with the cause, or with `None` if the account is not
    /// known.
    ///
    /// ```
    /// # use skylark::account::Accounts;
    /// # use skylark::dm::{Declaration, EncryptionSecret, PqSecret, ServiceKey};
    /// # use skylark::message::Reason;
    /// # let key = ServiceKey::new(EncryptionSecret::from_bytes([4; 32]).public_key(), PqSecret::from_seed([4; 64]).public_key(), 99);
    /// # let msg = Declaration::draft(skylark::id::AccountId::from_bytes([1; 32]), 10, &[key], &[Reason::Spam], &[])?
    /// #     .sign(&skylark::keys::SecretKey::from_seed([3; 32]))?;
    /// let err = Declaration::from_message(&msg)?.authorize(&Accounts::new()).unwrap_err();
    /// assert_eq!(err.code(), "dm.declaration_unauthorized");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn authorize(&self, accounts: &Accounts) -> Result<(), DmError> {
        match dm_grant(
            accounts,
            &self.account,
            &self.signer,
            SERVICE_KIND,
            self.time,
        ) {
            Grant::Yes => Ok(()),
            Grant::No(cause) => Err(DmError::DeclarationUnauthorized(Some(cause))),
            Grant::UnknownAccount => Err(DmError::DeclarationUnauthorized(None)),
        }
    }

    /// The report keys, in declared order.
    ///
    /// ```
    /// # use skylark::dm::{Declaration, EncryptionSecret, PqSecret, ServiceKey};
    /// # use skylark::message::Reason;
    /// # let key = ServiceKey::new(EncryptionSecret::from_bytes([4; 32]).public_key(), PqSecret::from_seed([4; 64]).public_key(), 99);
    /// # let msg = Declaration::draft(skylark::id::AccountId::from_bytes([1; 32]), 10, &[key.clone()], &[Reason::Spam], &[])?.sign(&skylark::keys::SecretKey::from_seed([3; 32]))?;
    /// assert_eq!(Declaration::from_message(&msg)?.keys(), &[key]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn keys(&self) -> &[ServiceKey] {
        &self.keys
    }

    /// The report keys a reporter may seal to at `now`: declared at or before `now`, not expired.
    ///
    /// ```
    /// # use skylark::dm::{Declaration, EncryptionSecret, PqSecret, ServiceKey};
    /// # use skylark::message::Reason;
    /// # let key = ServiceKey::new(EncryptionSecret::from_bytes([4; 32]).public_key(), PqSecret::from_seed([4; 64]).public_key(), 99);
    /// # let msg = Declaration::draft(skylark::id::AccountId::from_bytes([1; 32]), 10, &[key], &[Reason::Spam], &[])?.sign(&skylark::keys::SecretKey::from_seed([3; 32]))?;
    /// let d = Declaration::from_message(&msg)?; // time 10, the key expires at 99
    /// assert_eq!((d.current_keys(9).count(), d.current_keys(99).count(), d.current_keys(100).count()), (0, 1, 0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn current_keys(&self, now: u64) -> impl Iterator<Item = &ServiceKey> {
        let time = self.time;
        self.keys
            .iter()
            .filter(move |k| time <= now && now <= k.expires)
    }

    /// The accepted reasons, in declared order.
    ///
    /// ```
    /// # use skylark::dm::{Declaration, EncryptionSecret, PqSecret, ServiceKey};
    /// # use skylark::message::Reason;
    /// # let key = ServiceKey::new(EncryptionSecret::from_bytes([4; 32]).public_key(), PqSecret::from_seed([4; 64]).public_key(), 99);
    /// # let msg = Declaration::draft(skylark::id::AccountId::from_bytes([1; 32]), 10, &[key], &[Reason::Illegal], &[])?.sign(&skylark::keys::SecretKey::from_seed([3; 32]))?;
    /// assert_eq!(Declaration::from_message(&msg)?.reasons(), &[Reason::Illegal]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reasons(&self) -> &[Reason] {
        &self.reasons
    }

    /// The label definitions, in declared order.
    ///
    /// ```
    /// # use skylark::dm::{Declaration, EncryptionSecret, PqSecret, ServiceKey};
    /// # use skylark::message::Reason;
    /// # let key = ServiceKey::new(EncryptionSecret::from_bytes([4; 32]).public_key(), PqSecret::from_seed([4; 64]).public_key(), 99);
    /// # let msg = Declaration::draft(skylark::id::AccountId::from_bytes([1; 32]), 10, &[key], &[Reason::Spam], &[])?.sign(&skylark::keys::SecretKey::from_seed([3; 32]))?;
    /// assert!(Declaration::from_message(&msg)?.labels().is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn labels(&self) -> &[LabelDefinition] {
        &self.labels
    }

    /// The service's account (the header's `acct`).
    ///
    /// ```
    /// # use skylark::dm::{Declaration, EncryptionSecret, PqSecret, ServiceKey};
    /// # use skylark::message::Reason;
    /// # let key = ServiceKey::new(EncryptionSecret::from_bytes([4; 32]).public_key(), PqSecret::from_seed([4; 64]).public_key(), 99);
    /// let service = skylark::id::AccountId::from_bytes([1; 32]);
    /// # let msg = Declaration::draft(service, 10, &[key], &[Reason::Spam], &[])?.sign(&skylark::keys::SecretKey::from_seed([3; 32]))?;
    /// assert_eq!(Declaration::from_message(&msg)?.account(), &service);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn account(&self) -> &AccountId {
        &self.account
    }

    /// The id of the declaration message.
    ///
    /// ```
    /// # use skylark::dm::{Declaration, EncryptionSecret, PqSecret, ServiceKey};
    /// # use skylark::message::Reason;
    /// # let key = ServiceKey::new(EncryptionSecret::from_bytes([4; 32]).public_key(), PqSecret::from_seed([4; 64]).public_key(), 99);
    /// # let msg = Declaration::draft(skylark::id::AccountId::from_bytes([1; 32]), 10, &[key], &[Reason::Spam], &[])?.sign(&skylark::keys::SecretKey::from_seed([3; 32]))?;
    /// assert_eq!(Declaration::from_message(&msg)?.id(), msg.id());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn id(&self) -> MessageId {
        self.id
    }

    /// The declaration a reporter uses (08 §14.1): among `declarations` (already authorized,
    /// DM-25) of one service, the one with the latest header time, ties broken by the greater
    /// message id. A later declaration replaces an earlier one entirely.
    ///
    /// ```
    /// # use skylark::dm::{Declaration, EncryptionSecret, PqSecret, ServiceKey};
    /// # use skylark::message::Reason;
    /// # let key = ServiceKey::new(EncryptionSecret::from_bytes([4; 32]).public_key(), PqSecret::from_seed([4; 64]).public_key(), 99);
    /// # let at = |t: u64, r: Reason| -> Result<Declaration, Box<dyn std::error::Error>> { Ok(Declaration::from_message(&Declaration::draft(skylark::id::AccountId::from_bytes([1; 32]), t, &[key.clone()], &[r], &[])?.sign(&skylark::keys::SecretKey::from_seed([3; 32]))?)?) };
    /// let (old, new) = (at(10, Reason::Spam)?, at(20, Reason::Hate)?);
    /// assert_eq!(Declaration::latest([&old, &new]), Some(&new));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn latest<'a>(declarations: impl IntoIterator<Item = &'a Declaration>) -> Option<&'a Self> {
        declarations.into_iter().max_by_key(|d| (d.time, d.id))
    }

    /// The declaration and key a reporter seals to at `now` (08 §14.1): among `declarations`
    /// (already authorized, DM-25) of one service dated at or before `now`, the latest
    /// ([`Declaration::latest`]), and its first current key; `None` if there is no such
    /// declaration or it has no current key. A declaration dated after `now` (MSG-2 lets it be up
    /// to 10 minutes ahead) is not yet in force: the one before it still is.
    ///
    /// ```
    /// # use skylark::dm::{Declaration, EncryptionSecret, PqSecret, ServiceKey};
    /// # use skylark::message::Reason;
    /// # let key = |s: u8| ServiceKey::new(EncryptionSecret::from_bytes([s; 32]).public_key(), PqSecret::from_seed([s; 64]).public_key(), 99);
    /// # let at = |t: u64, k: ServiceKey| -> Result<Declaration, Box<dyn std::error::Error>> { Ok(Declaration::from_message(&Declaration::draft(skylark::id::AccountId::from_bytes([1; 32]), t, &[k], &[Reason::Spam], &[])?.sign(&skylark::keys::SecretKey::from_seed([3; 32]))?)?) };
    /// let (old, ahead) = (at(10, key(4))?, at(40, key(5))?);
    /// let (d, k) = Declaration::choose([&old, &ahead], 30).expect("a key");
    /// assert_eq!((d, k), (&old, &old.keys()[0])); // `ahead` is dated after now
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn choose<'a>(
        declarations: impl IntoIterator<Item = &'a Declaration>,
        now: u64,
    ) -> Option<(&'a Self, &'a ServiceKey)> {
        let d = Self::latest(declarations.into_iter().filter(|d| d.time <= now))?;
        Some((d, d.current_keys(now).next()?))
    }

    /// The report keys a relay files items for at `now` (DM-22): the current keys of each
    /// service's latest declaration dated at or before `now` among `declarations` (already
    /// authorized, DM-25).
    ///
    /// ```
    /// # use skylark::dm::{Declaration, EncryptionSecret, PqSecret, ServiceKey};
    /// # use skylark::message::Reason;
    /// # let key = |s: u8| ServiceKey::new(EncryptionSecret::from_bytes([s; 32]).public_key(), PqSecret::from_seed([s; 64]).public_key(), 99);
    /// # let at = |t: u64, k: ServiceKey| -> Result<Declaration, Box<dyn std::error::Error>> { Ok(Declaration::from_message(&Declaration::draft(skylark::id::AccountId::from_bytes([1; 32]), t, &[k], &[Reason::Spam], &[])?.sign(&skylark::keys::SecretKey::from_seed([3; 32]))?)?) };
    /// let (old, new) = (at(10, key(4))?, at(20, key(5))?);
    /// let keys = Declaration::relay_keys([&old, &new], 30);
    /// assert_eq!(keys, [&new.keys()[0]]); // the earlier declaration is replaced
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn relay_keys<'a>(
        declarations: impl IntoIterator<Item = &'a Declaration>,
        now: u64,
    ) -> Vec<&'a ServiceKey> {
        let mut latest: BTreeMap<AccountId, &'a Declaration> = BTreeMap::new();
        for d in declarations.into_iter().filter(|d| d.time <= now) {
            let slot = latest.entry(d.account).or_insert(d);
            if (d.time, d.id) > (slot.time, slot.id) {
                *slot = d;
            }
        }
        latest
            .into_values()
            .flat_map(|d| d.current_keys(now))
            .collect()
    }
}
