//! Interaction gating (kind `gate`, rules GATE-1 and GATE-2): a post's author says who may reply to
//! it and who may quote it, and hides replies. What a gate leaves out of the merged views is decided
//! by the merge rules (07 §5.10, VIEW-1..VIEW-4).

use alloc::collections::BTreeSet;
use alloc::vec::Vec;
use core::fmt;
use core::str::FromStr;

use super::error::{Path, ValidationError};
use super::fields::{self, check_keys, opt, req, Field};
use super::BodyKind;
use crate::cbor::{Map, Value};
use crate::id::MessageId;

/// The most values a `reply` or `quote` list holds: the three audiences (GATE-1 forbids repeats, and
/// `nobody` stands alone).
pub const MAX_AUDIENCES: usize = 3;

/// The most replies one gate hides.
///
/// ```
/// assert_eq!(skylark::message::MAX_HIDDEN, 50);
/// ```
pub const MAX_HIDDEN: usize = 50;

const GATE_FIELDS: [Field; 4] = [req("target"), opt("reply"), opt("quote"), opt("hidden")];

/// Who may reply to or quote a gated post, besides its author (rule GATE-1). A list of several
/// audiences admits anyone in any of them.
///
/// ```
/// use skylark::message::Audience;
/// assert_eq!("followers".parse::<Audience>()?, Audience::Followers);
/// assert_eq!(Audience::Nobody.as_str(), "nobody");
/// assert_eq!("friends".parse::<Audience>().unwrap_err().code(), "msg.invalid_audience");
/// # Ok::<(), skylark::message::ValidationError>(())
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Audience {
    /// The accounts that follow the post's author.
    Followers,
    /// The accounts the post mentions (its mention facets as first written).
    Mentioned,
    /// The accounts the post's author follows.
    Following,
    /// No one; only allowed alone.
    Nobody,
}

const AUDIENCES: [Audience; 4] = [
    Audience::Followers,
    Audience::Mentioned,
    Audience::Following,
    Audience::Nobody,
];

impl Audience {
    /// The wire name.
    ///
    /// ```
    /// assert_eq!(skylark::message::Audience::Mentioned.as_str(), "mentioned");
    /// ```
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Followers => "followers",
            Self::Mentioned => "mentioned",
            Self::Following => "following",
            Self::Nobody => "nobody",
        }
    }
}

impl FromStr for Audience {
    type Err = ValidationError;

    /// Parses an audience; anything but the four names is [`ValidationError::InvalidAudience`].
    fn from_str(s: &str) -> Result<Self, ValidationError> {
        AUDIENCES
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or(ValidationError::InvalidAudience {
                field: Path::ROOT.child("reply"),
            })
    }
}

impl fmt::Display for Audience {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A gate (kind `gate`): who may reply to and quote one of the author's posts, and which replies are
/// hidden. The latest gate of a post (MERGE-1) is in force; a list that is absent admits everyone.
///
/// ```text
/// gate = { "target": bstr .size 32, ? "reply": [1*3 audience], ? "quote": [1*3 audience],
///          ? "hidden": [1*50 bstr .size 32] }
/// ```
///
/// ```
/// use skylark::id::MessageId;
/// use skylark::message::{Audience, Gate};
///
/// let post = MessageId::from_bytes([1; 32]);
/// let gate = Gate::builder(post)
///     .reply(&[Audience::Followers, Audience::Mentioned])
///     .quote(&[Audience::Nobody])
///     .hide(MessageId::from_bytes([2; 32]))
///     .build()?;
/// assert_eq!(gate.reply(), Some(&[Audience::Followers, Audience::Mentioned][..]));
/// assert_eq!(gate.hidden(), [MessageId::from_bytes([2; 32])]);
/// # Ok::<(), skylark::message::ValidationError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gate {
    target: MessageId,
    reply: Option<Vec<Audience>>,
    quote: Option<Vec<Audience>>,
    hidden: Vec<MessageId>,
}

impl Gate {
    /// Starts a gate of the post `target`, which admits everyone and hides nothing.
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// let gate = skylark::message::Gate::builder(MessageId::from_bytes([1; 32])).build()?;
    /// assert_eq!((gate.reply(), gate.quote()), (None, None));
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn builder(target: MessageId) -> GateBuilder {
        GateBuilder {
            gate: Gate {
                target,
                reply: None,
                quote: None,
                hidden: Vec::new(),
            },
        }
    }

    /// The post gated: one of the author's own posts (GATE-2).
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// let gate = skylark::message::Gate::builder(MessageId::from_bytes([1; 32])).build()?;
    /// assert_eq!(gate.target(), MessageId::from_bytes([1; 32]));
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn target(&self) -> MessageId {
        self.target
    }

    /// Who may reply, or `None` for everyone.
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// use skylark::message::{Audience, Gate};
    /// let gate = Gate::builder(MessageId::from_bytes([1; 32])).reply(&[Audience::Nobody]).build()?;
    /// assert_eq!(gate.reply(), Some(&[Audience::Nobody][..]));
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn reply(&self) -> Option<&[Audience]> {
        self.reply.as_deref()
    }

    /// Who may quote, or `None` for everyone.
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// use skylark::message::{Audience, Gate};
    /// let gate = Gate::builder(MessageId::from_bytes([1; 32])).quote(&[Audience::Following]).build()?;
    /// assert_eq!(gate.quote(), Some(&[Audience::Following][..]));
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn quote(&self) -> Option<&[Audience]> {
        self.quote.as_deref()
    }

    /// The replies the author hides, in the order written.
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// let gate = skylark::message::Gate::builder(MessageId::from_bytes([1; 32])).build()?;
    /// assert!(gate.hidden().is_empty());
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn hidden(&self) -> &[MessageId] {
        &self.hidden
    }

    /// GATE-1 for one audience list: audiences known, none twice, `nobody` alone.
    fn audiences(value: &Value, name: &'static str) -> Result<Vec<Audience>, ValidationError> {
        let field = Path::ROOT.child(name);
        let items = fields::list(value, field, MAX_AUDIENCES)?;
        let mut out: Vec<Audience> = Vec::with_capacity(items.len());
        for item in items {
            let audience = fields::text(item, field)?
                .parse::<Audience>()
                .map_err(|_| ValidationError::InvalidAudience { field })?;
            if out.contains(&audience) {
                return Err(ValidationError::Duplicate { field });
            }
            out.push(audience);
        }
        if out.len() > 1 && out.contains(&Audience::Nobody) {
            return Err(ValidationError::InvalidAudience { field });
        }
        Ok(out)
    }

    /// Checks a `gate` body.
    pub(crate) fn parse(map: &Map) -> Result<Gate, ValidationError> {
        check_keys(map, Path::ROOT, &GATE_FIELDS)?;
        let mut gate = Gate {
            target: MessageId::from_bytes([0; 32]),
            reply: None,
            quote: None,
            hidden: Vec::new(),
        };
        // Values in encoded key order: quote, reply, hidden, target.
        for (key, value) in map.iter() {
            match key {
                "quote" => gate.quote = Some(Gate::audiences(value, "quote")?),
                "reply" => gate.reply = Some(Gate::audiences(value, "reply")?),
                "hidden" => {
                    let field = Path::ROOT.child("hidden");
                    let items = fields::list(value, field, MAX_HIDDEN)?;
                    // Each element completely, its repeat included, before the next (05 §3.3).
                    let mut hidden: Vec<MessageId> = Vec::with_capacity(items.len());
                    let mut seen = BTreeSet::new();
                    for item in items {
                        let id = MessageId::from_bytes(fields::bytes32(item, field)?);
                        if !seen.insert(id) {
                            return Err(ValidationError::Duplicate { field });
                        }
                        hidden.push(id);
                    }
                    gate.hidden = hidden;
                }
                "target" => {
                    let t = fields::bytes32(value, Path::ROOT.child("target"))?;
                    gate.target = MessageId::from_bytes(t);
                }
                _ => {}
            }
        }
        Ok(gate)
    }
}

fn audience_list(audiences: &[Audience]) -> Value {
    Value::Array(audiences.iter().map(|a| Value::from(a.as_str())).collect())
}

impl BodyKind for Gate {
    const KIND: &'static str = "gate";

    fn to_map(&self) -> Map {
        let mut map = Map::new();
        map.insert("target", Value::Bytes(self.target.as_bytes().to_vec()));
        if let Some(reply) = &self.reply {
            map.insert("reply", audience_list(reply));
        }
        if let Some(quote) = &self.quote {
            map.insert("quote", audience_list(quote));
        }
        if !self.hidden.is_empty() {
            let ids = self
                .hidden
                .iter()
                .map(|id| Value::Bytes(id.as_bytes().to_vec()))
                .collect();
            map.insert("hidden", Value::Array(ids));
        }
        map
    }
}

/// Builds a [`Gate`]; [`GateBuilder::build`] checks every field.
///
/// ```
/// use skylark::id::MessageId;
/// use skylark::message::{Audience, Gate};
/// let err = Gate::builder(MessageId::from_bytes([1; 32]))
///     .reply(&[Audience::Nobody, Audience::Followers])
///     .build()
///     .unwrap_err();
/// assert_eq!((err.code(), err.rule()), ("msg.invalid_audience", "GATE-1"));
/// ```
#[derive(Debug, Clone)]
pub struct GateBuilder {
    gate: Gate,
}

impl GateBuilder {
    /// Sets who may reply (an empty list is refused by `build`: write [`Audience::Nobody`]).
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// use skylark::message::{Audience, Gate};
    /// let gate = Gate::builder(MessageId::from_bytes([1; 32])).reply(&[Audience::Followers]).build()?;
    /// assert_eq!(gate.reply(), Some(&[Audience::Followers][..]));
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn reply(mut self, audiences: &[Audience]) -> Self {
        self.gate.reply = Some(audiences.to_vec());
        self
    }

    /// Sets who may quote.
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// use skylark::message::{Audience, Gate};
    /// let gate = Gate::builder(MessageId::from_bytes([1; 32])).quote(&[Audience::Nobody]).build()?;
    /// assert_eq!(gate.quote(), Some(&[Audience::Nobody][..]));
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn quote(mut self, audiences: &[Audience]) -> Self {
        self.gate.quote = Some(audiences.to_vec());
        self
    }

    /// Hides one reply.
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// use skylark::message::Gate;
    /// let gate = Gate::builder(MessageId::from_bytes([1; 32]))
    ///     .hide(MessageId::from_bytes([2; 32])).build()?;
    /// assert_eq!(gate.hidden().len(), 1);
    /// # Ok::<(), skylark::message::ValidationError>(())
    /// ```
    pub fn hide(mut self, reply: MessageId) -> Self {
        self.gate.hidden.push(reply);
        self
    }

    /// Checks the gate and returns it.
    ///
    /// # Errors
    ///
    /// The first failing rule, as [`crate::message::validate`] reports it for the body.
    ///
    /// ```
    /// use skylark::id::MessageId;
    /// use skylark::message::{Audience, Gate};
    /// let err = Gate::builder(MessageId::from_bytes([1; 32])).reply(&[]).build().unwrap_err();
    /// assert_eq!(err.code(), "msg.too_short");
    /// ```
    pub fn build(self) -> Result<Gate, ValidationError> {
        Gate::parse(&self.gate.to_map())
    }
}
