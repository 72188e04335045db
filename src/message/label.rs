//! Moderation: labels (rules LABEL-1 to LABEL-4) and report bodies (REPORT-1, REPORT-2), which
//! travel only sealed to a moderation service (REPORT-3, spec 08 §14).

use alloc::string::String;
use core::fmt;
use core::str::FromStr;

use super::error::{Path, ValidationError};
use super::fields::{self, check_keys, opt, req, Field};
use super::BodyKind;
use crate::cbor::{Map, Value};
use crate::envelope::MAX_SAFE_INTEGER;
use crate::id::{AccountId, MessageId};

const REPORT_TEXT_SCALARS: usize = 1000;
const REPORT_TEXT_BYTES: usize = 4000;

const LABEL_FIELDS: [Field; 5] = [
    opt("account"),
    opt("message"),
    req("value"),
    opt("negate"),
    opt("expires"),
];

const REPORT_FIELDS: [Field; 5] = [
    opt("account"),
    opt("message"),
    req("service"),
    req("reason"),
    opt("text"),
];

/// What a label or report is about: an account or a message (exactly one of the body's `account`
/// and `message` fields, LABEL-1 and REPORT-2).
///
/// ```
/// use skylark::id::MessageId;
/// use skylark::message::{Label, Reference};
///
/// let about = Reference::Message(MessageId::from_bytes([1; 32]));
/// let label = Label::builder(about, "spam").build()?;
/// assert_eq!(label.subject(), about);
/// # Ok::<(), skylark::message::ValidationError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reference {
    /// An account (`"account"`).
    Account(AccountId),
    /// A message (`"message"`).
    Message(MessageId),
}

impl Reference {
    fn write(self, map: &mut Map) {
        match self {
            Reference::Account(a) => map.insert("account", Value::Bytes(a.as_bytes().to_vec())),
            Reference::Message(m) => map.insert("message", Value::Bytes(m.as_bytes().to_vec())),
        };
    }

    /// Exactly one of the two, or `msg.subject` for `kind`.
    fn exactly_one(
        account: Option<AccountId>,
        message: Option<MessageId>,
        kind: &'static str,
    ) -> Result<Reference, ValidationError> {
        match (account, message) {
            (Some(a), None) => Ok(Reference::Account(a)),
            (None, Some(m)) => Ok(Reference::Message(m)),
            _ => Err(ValidationError::Subject { kind }),
        }
    }
}

/// A label (kind `label`): a statement by the author (any account may label; which labelers to trust
/// is each reader's choice) that an account or message carries a value, or, with `negate`, that it
/// no longer does.
///
/// ```text
/// label = { ? "account": bstr .size 32, ? "message": bstr .size 32, "value": text,
///           ? "negate": true, ? "expires": uint }
/// ```
///
/// Values (LABEL-2) are the vocabulary `!hide`, `!warn`, `porn`, `sexual`, `nudity`,
/// `graphic-media`, `gore`, `spoiler`, `spam`, `impersonation`, `misleading`, `hate`,
/// `harassment`, `self-harm`, or a namespaced custom value such as `com.example.satire`. `expires`
/// must be after the message's time (LABEL-4), which is checked when drafting and validating.
///
/// ```
/// use skylark::id::AccountId;
/// use skylark::message::{BodyKind, Label, Reference};
///
/// let label = Label::builder(Reference::Account(AccountId::from_bytes([2; 32])), "impersonation")
///     .expires(1_800_000_000_000)
///     .build()?;
/// let labeler = AccountId::from_bytes([9; 32]);
/// // The expiry must come after the label's own time.
/// assert!(label.draft(labeler, 1_700_000_000_000).is_ok());
/// assert_eq!(label.draft(labeler, 1_800_000_000_000).unwrap_err().code(), "msg.out_of_range");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    subject: Reference,
    value: String,
    negate: bool,
    expires: Option<u64>,
}

impl Label {
    /// Starts a label of `subject` with `value`.
    ///
    /// ```
    /// use skylark::id::AccountId;
    /// use skylark::message::{Label, Reference};
    /// let err = Label::builder(Reference::Account(AccountId::from_bytes([2; 32])), "Spam")
    ///     .build()
    ///     .unwrap_err();
    /// assert_eq!((err.code(), err.rule()), ("msg.invalid_label", "LABEL-2"));
    /// ```
    pub fn builder(subject: Reference, value: impl Into<String>) -> LabelBuilder {
        LabelBuilder {
            label: Label {
                subject,
                value: value.into(),
                negate: false,
                expires: None,
            },
        }
    }

    /// The account or message labeled.
    ///
    /// ```
    /// use skylark::id::AccountId;
    /// use skylark::message::{Label, Reference};
    /// let about = Reference::Account(AccountId::from_bytes([2; 32]));
    /// assert_eq!(Label::builder(about, "!warn").build()?.subject(), about);
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn subject(&self) -> Reference {
        self.subject
    }

    /// The label value.
    ///
    /// ```
    /// use skylark::id::AccountId;
    /// use skylark::message::{Label, Reference};
    /// let about = Reference::Account(AccountId::from_bytes([2; 32]));
    /// assert_eq!(Label::builder(about, "org.example.bot").build()?.value(), "org.example.bot");
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Whether this label withdraws the same labeler's earlier label with the same subject and
    /// value.
    ///
    /// ```
    /// use skylark::id::AccountId;
    /// use skylark::message::{Label, Reference};
    /// let about = Reference::Account(AccountId::from_bytes([2; 32]));
    /// assert!(Label::builder(about, "spam").negate().build()?.is_negation());
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn is_negation(&self) -> bool {
        self.negate
    }

    /// When the label stops applying, in milliseconds since the Unix epoch, if it does.
    ///
    /// ```
    /// use skylark::id::AccountId;
    /// use skylark::message::{Label, Reference};
    /// let about = Reference::Account(AccountId::from_bytes([2; 32]));
    /// assert_eq!(Label::builder(about, "spam").build()?.expires(), None);
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn expires(&self) -> Option<u64> {
        self.expires
    }

    /// Checks a `label` body; the `expires` > time part of LABEL-4 when the time is known.
    pub(crate) fn parse(map: &Map, time: Option<u64>) -> Result<Label, ValidationError> {
        check_keys(map, Path::ROOT, &LABEL_FIELDS)?;
        let (mut account, mut message) = (None, None);
        let mut label = Label {
            subject: Reference::Account(AccountId::from_bytes([0; 32])),
            value: String::new(),
            negate: false,
            expires: None,
        };
        // Values in encoded key order: value, negate, account, expires, message.
        for (key, value) in map.iter() {
            match key {
                "value" => {
                    let field = Path::ROOT.child("value");
                    let v = fields::text(value, field)?;
                    if !fields::is_label(v) {
                        return Err(ValidationError::InvalidLabel { field });
                    }
                    label.value = v.into();
                }
                "negate" => {
                    fields::flag(value, Path::ROOT.child("negate"))?;
                    label.negate = true;
                }
                "account" => {
                    let a = fields::bytes32(value, Path::ROOT.child("account"))?;
                    account = Some(AccountId::from_bytes(a));
                }
                "expires" => {
                    let field = Path::ROOT.child("expires");
                    let expires = fields::uint(value, field)?;
                    if expires > MAX_SAFE_INTEGER || time.is_some_and(|t| expires <= t) {
                        return Err(ValidationError::OutOfRange { field });
                    }
                    label.expires = Some(expires);
                }
                "message" => {
                    let m = fields::bytes32(value, Path::ROOT.child("message"))?;
                    message = Some(MessageId::from_bytes(m));
                }
                _ => {}
            }
        }
        label.subject = Reference::exactly_one(account, message, Label::KIND)?;
        Ok(label)
    }
}

impl BodyKind for Label {
    const KIND: &'static str = "label";

    fn to_map(&self) -> Map {
        let mut map = Map::new();
        self.subject.write(&mut map);
        map.insert("value", Value::from(self.value.as_str()));
        if self.negate {
            map.insert("negate", Value::Bool(true));
        }
        if let Some(expires) = self.expires {
            map.insert("expires", Value::Unsigned(expires));
        }
        map
    }
}

/// Builds a [`Label`]; [`LabelBuilder::build`] checks every rule except the comparison of
/// `expires` with the message's time, which drafting and validation add.
///
/// ```
/// use skylark::id::MessageId;
/// use skylark::message::{Label, Reference};
/// let label = Label::builder(Reference::Message(MessageId::from_bytes([1; 32])), "gore").build()?;
/// assert_eq!(label.value(), "gore");
/// # Ok::<(), skylark::message::ValidationError>(())
/// ```
#[derive(Debug, Clone)]
pub struct LabelBuilder {
    label: Label,
}

impl LabelBuilder {
    /// Makes the label a negation (`"negate": true`).
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// use skylark::message::{Label, Reference};
    /// let about = Reference::Message(MessageId::from_bytes([1; 32]));
    /// assert!(Label::builder(about, "spam").negate().build()?.is_negation());
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn negate(mut self) -> Self {
        self.label.negate = true;
        self
    }

    /// Sets the expiry, in milliseconds since the Unix epoch (at most 2^53 − 1, and after the
    /// message's time).
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// use skylark::message::{Label, Reference};
    /// let about = Reference::Message(MessageId::from_bytes([1; 32]));
    /// let err = Label::builder(about, "spam").expires(1 << 53).build().unwrap_err();
    /// assert_eq!((err.code(), err.rule()), ("msg.out_of_range", "LABEL-4"));
    /// ```
    pub fn expires(mut self, expires: u64) -> Self {
        self.label.expires = Some(expires);
        self
    }

    /// Checks the label and returns it.
    ///
    /// # Errors
    ///
    /// The first failing rule, as [`crate::message::validate`] reports it for the body.
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// use skylark::message::{Label, Reference};
    /// let about = Reference::Message(MessageId::from_bytes([1; 32]));
    /// assert!(Label::builder(about, "com.example.satire").build().is_ok());
    /// ```
    pub fn build(self) -> Result<Label, ValidationError> {
        Label::parse(&self.label.to_map(), None)
    }
}

/// Why something is reported (REPORT-1).
///
/// ```
/// use skylark::message::Reason;
/// assert_eq!("self-harm".parse::<Reason>()?, Reason::SelfHarm);
/// assert_eq!(Reason::SelfHarm.as_str(), "self-harm");
/// assert_eq!("rude".parse::<Reason>().unwrap_err().code(), "msg.invalid_reason");
/// # Ok::<(), skylark::message::ValidationError>(())
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// `spam`
    Spam,
    /// `impersonation`
    Impersonation,
    /// `misleading`
    Misleading,
    /// `sexual`
    Sexual,
    /// `violence`
    Violence,
    /// `harassment`
    Harassment,
    /// `hate`
    Hate,
    /// `self-harm`
    SelfHarm,
    /// `illegal`
    Illegal,
    /// `other`
    Other,
}

const REASONS: [Reason; 10] = [
    Reason::Spam,
    Reason::Impersonation,
    Reason::Misleading,
    Reason::Sexual,
    Reason::Violence,
    Reason::Harassment,
    Reason::Hate,
    Reason::SelfHarm,
    Reason::Illegal,
    Reason::Other,
];

impl Reason {
    /// The reason as written in a report.
    ///
    /// ```
    /// assert_eq!(skylark::message::Reason::Illegal.as_str(), "illegal");
    /// ```
    pub fn as_str(&self) -> &'static str {
        match self {
            Reason::Spam => "spam",
            Reason::Impersonation => "impersonation",
            Reason::Misleading => "misleading",
            Reason::Sexual => "sexual",
            Reason::Violence => "violence",
            Reason::Harassment => "harassment",
            Reason::Hate => "hate",
            Reason::SelfHarm => "self-harm",
            Reason::Illegal => "illegal",
            Reason::Other => "other",
        }
    }
}

impl FromStr for Reason {
    type Err = ValidationError;

    /// Parses a reason; anything but the ten names is [`ValidationError::InvalidReason`].
    fn from_str(s: &str) -> Result<Self, ValidationError> {
        REASONS
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or(ValidationError::InvalidReason)
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A report body: asks a moderation service to look at an account or message. It is never a public
/// message (REPORT-3: a public message of kind `report` is invalid, `msg.public_report`); it
/// travels sealed to the service's declared key, inside a signed inner report (spec 08 §14).
///
/// ```text
/// report = { ? "account": bstr .size 32, ? "message": bstr .size 32, "service": bstr .size 32,
///            "reason": text, ? "text": text (1..=1000 scalars, <= 4000 bytes) }
/// ```
///
/// ```
/// use skylark::id::{AccountId, MessageId};
/// use skylark::message::{Reason, Reference, Report};
///
/// let report = Report::builder(
///     Reference::Message(MessageId::from_bytes([1; 32])),
///     AccountId::from_bytes([5; 32]),
///     Reason::Spam,
/// )
/// .text("Same link posted 400 times.")
/// .build()?;
/// assert_eq!(report.reason(), Reason::Spam);
/// # Ok::<(), skylark::message::ValidationError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    subject: Reference,
    service: AccountId,
    reason: Reason,
    text: Option<String>,
}

impl Report {
    /// Starts a report of `subject` to the moderation service `service`.
    ///
    /// ```
    /// use skylark::id::AccountId;
    /// use skylark::message::{Reason, Reference, Report};
    /// let report = Report::builder(Reference::Account(AccountId::from_bytes([1; 32])),
    ///     AccountId::from_bytes([5; 32]), Reason::Impersonation).build()?;
    /// assert_eq!(report.text(), None);
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn builder(subject: Reference, service: AccountId, reason: Reason) -> ReportBuilder {
        ReportBuilder {
            report: Report {
                subject,
                service,
                reason,
                text: None,
            },
        }
    }

    /// The account or message reported.
    ///
    /// ```
    /// use skylark::id::AccountId;
    /// use skylark::message::{Reason, Reference, Report};
    /// let about = Reference::Account(AccountId::from_bytes([1; 32]));
    /// let report = Report::builder(about, AccountId::from_bytes([5; 32]), Reason::Other).build()?;
    /// assert_eq!(report.subject(), about);
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn subject(&self) -> Reference {
        self.subject
    }

    /// The moderation service's account.
    ///
    /// ```
    /// use skylark::id::AccountId;
    /// use skylark::message::{Reason, Reference, Report};
    /// let about = Reference::Account(AccountId::from_bytes([1; 32]));
    /// let report = Report::builder(about, AccountId::from_bytes([5; 32]), Reason::Other).build()?;
    /// assert_eq!(report.service(), AccountId::from_bytes([5; 32]));
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn service(&self) -> AccountId {
        self.service
    }

    /// The reason.
    ///
    /// ```
    /// use skylark::id::AccountId;
    /// use skylark::message::{Reason, Reference, Report};
    /// let about = Reference::Account(AccountId::from_bytes([1; 32]));
    /// let report = Report::builder(about, AccountId::from_bytes([5; 32]), Reason::Hate).build()?;
    /// assert_eq!(report.reason(), Reason::Hate);
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn reason(&self) -> Reason {
        self.reason
    }

    /// The reporter's explanation, if any.
    ///
    /// ```
    /// use skylark::id::AccountId;
    /// use skylark::message::{Reason, Reference, Report};
    /// let about = Reference::Account(AccountId::from_bytes([1; 32]));
    /// let report = Report::builder(about, AccountId::from_bytes([5; 32]), Reason::Other)
    ///     .text("see thread").build()?;
    /// assert_eq!(report.text(), Some("see thread"));
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn text(&self) -> Option<&str> {
        self.text.as_deref()
    }

    /// Checks a `report` body.
    pub(crate) fn parse(map: &Map) -> Result<Report, ValidationError> {
        check_keys(map, Path::ROOT, &REPORT_FIELDS)?;
        let (mut account, mut message) = (None, None);
        let mut report = Report {
            subject: Reference::Account(AccountId::from_bytes([0; 32])),
            service: AccountId::from_bytes([0; 32]),
            reason: Reason::Other,
            text: None,
        };
        // Values in encoded key order: text, reason, account, message, service.
        for (key, value) in map.iter() {
            match key {
                "text" => {
                    let field = Path::ROOT.child("text");
                    let text =
                        fields::bounded_text(value, field, REPORT_TEXT_SCALARS, REPORT_TEXT_BYTES)?;
                    report.text = Some(text.into());
                }
                "reason" => {
                    report.reason = fields::text(value, Path::ROOT.child("reason"))?.parse()?
                }
                "account" => {
                    let a = fields::bytes32(value, Path::ROOT.child("account"))?;
                    account = Some(AccountId::from_bytes(a));
                }
                "message" => {
                    let m = fields::bytes32(value, Path::ROOT.child("message"))?;
                    message = Some(MessageId::from_bytes(m));
                }
                "service" => {
                    let s = fields::bytes32(value, Path::ROOT.child("service"))?;
                    report.service = AccountId::from_bytes(s);
                }
                _ => {}
            }
        }
        report.subject = Reference::exactly_one(account, message, "report")?;
        Ok(report)
    }
}

impl Report {
    /// The body map (05 §5.9), as it is sealed inside an inner report.
    ///
    /// ```
    /// use skylark::id::AccountId;
    /// use skylark::message::{Reason, Reference, Report};
    /// let about = Reference::Account(AccountId::from_bytes([1; 32]));
    /// let report = Report::builder(about, AccountId::from_bytes([5; 32]), Reason::Spam).build()?;
    /// assert_eq!(report.to_map().get("reason"), Some(&"spam".into()));
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn to_map(&self) -> Map {
        let mut map = Map::new();
        self.subject.write(&mut map);
        map.insert("service", Value::Bytes(self.service.as_bytes().to_vec()));
        map.insert("reason", Value::from(self.reason.as_str()));
        if let Some(text) = &self.text {
            map.insert("text", Value::from(text.as_str()));
        }
        map
    }
}

/// Builds a [`Report`]; [`ReportBuilder::build`] checks every field.
///
/// ```
/// use skylark::id::AccountId;
/// use skylark::message::{Reason, Reference, Report};
/// let about = Reference::Account(AccountId::from_bytes([1; 32]));
/// let err = Report::builder(about, AccountId::from_bytes([5; 32]), Reason::Other)
///     .text("")
///     .build()
///     .unwrap_err();
/// assert_eq!(err.code(), "msg.too_short");
/// ```
#[derive(Debug, Clone)]
pub struct ReportBuilder {
    report: Report,
}

impl ReportBuilder {
    /// Sets the explanation (1 ..= 1000 Unicode scalar values, at most 4000 bytes).
    ///
    /// ```
    /// use skylark::id::AccountId;
    /// use skylark::message::{Reason, Reference, Report};
    /// let about = Reference::Account(AccountId::from_bytes([1; 32]));
    /// let report = Report::builder(about, AccountId::from_bytes([5; 32]), Reason::Other)
    ///     .text("why").build()?;
    /// assert_eq!(report.text(), Some("why"));
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.report.text = Some(text.into());
        self
    }

    /// Checks the report and returns it.
    ///
    /// # Errors
    ///
    /// The first failing rule, as [`crate::message::validate`] reports it for the body.
    ///
    /// ```
    /// use skylark::id::AccountId;
    /// use skylark::message::{Reason, Reference, Report};
    /// let about = Reference::Account(AccountId::from_bytes([1; 32]));
    /// let err = Report::builder(about, AccountId::from_bytes([5; 32]), Reason::Other)
    ///     .text("x".repeat(1001)).build().unwrap_err();
    /// assert_eq!(err.code(), "msg.too_long");
    /// ```
    pub fn build(self) -> Result<Report, ValidationError> {
        Report::parse(&self.report.to_map())
    }
}
