//! Delegation scopes (06 §5.4, rules ACCT-7 and AUTH-4): which kinds an app key may sign, and which
//! capabilities it holds over the account's messages signed by other keys.

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::{is_operation_kind, AccountError, MAX_SCOPE};
use crate::cbor::{Map, Value};
use crate::envelope::Kind;

/// The prefix of a capability entry. `:` is outside the kind grammar (04 §8), so an entry is a kind
/// name or a capability, never both.
pub const CAPABILITY_PREFIX: &str = "cap:";

/// The capability to edit, delete, undo and gate the account's messages signed by *other* keys
/// (EDIT-2, EDIT-3, DELETE-1, UNDO-1, GATE-2). Without it a key acts on its own messages only.
/// Never implied by `"*"`.
///
/// ```
/// use skylark::account::{Scope, CAP_OTHERS};
/// assert!(!Scope::all().grants(CAP_OTHERS));
/// assert!(Scope::from_entries(&["*", CAP_OTHERS])?.grants(CAP_OTHERS));
/// # Ok::<(), skylark::account::AccountError>(())
/// ```
pub const CAP_OTHERS: &str = "cap:others";

/// The kinds `"*"` does not imply: they change how the account receives direct messages (08), so
/// a scope must name them. Together with every capability, this is the whole list of what a
/// wildcard does not cover (06 §5.4); [`wildcard_covers`] is its one implementation.
///
/// ```
/// assert!(skylark::account::WILDCARD_EXCLUDED_KINDS.contains(&"prekey"));
/// ```
pub const WILDCARD_EXCLUDED_KINDS: &[&str] = &["dm", "prekey"];

/// Whether `"*"` covers the scope entry `entry` (a kind name or a capability): every kind that is
/// neither an operation kind nor one of [`WILDCARD_EXCLUDED_KINDS`], and no capability.
///
/// ```
/// use skylark::account::{wildcard_covers, CAP_OTHERS};
/// assert!(wildcard_covers("post") && wildcard_covers("com.example.poll"));
/// assert!(!wildcard_covers("prekey") && !wildcard_covers(CAP_OTHERS) && !wildcard_covers("roots"));
/// ```
pub fn wildcard_covers(entry: &str) -> bool {
    !entry.starts_with(CAPABILITY_PREFIX)
        && !is_operation_kind(entry)
        && !WILDCARD_EXCLUDED_KINDS.contains(&entry)
}

/// Whether `entry` is a capability: `"cap:"` followed by one segment of the kind grammar (04 §8).
fn is_capability(entry: &str) -> bool {
    entry.strip_prefix(CAPABILITY_PREFIX).is_some_and(|name| {
        !name.is_empty()
            && entry.len() <= 128
            && name
                .bytes()
                .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-'))
    })
}

/// Which kinds an app key may sign and which capabilities it holds (06 §5.4).
///
/// A scope is `["*"]` (every kind that [`wildcard_covers`]), optionally followed by entries the
/// wildcard does not imply, or 1 to 32 explicit entries. An entry is a kind name or a capability
/// (`"cap:"` + name, e.g. [`CAP_OTHERS`]); unknown capabilities are kept and grant nothing.
///
/// ```
/// use skylark::account::{Scope, CAP_OTHERS};
/// use skylark::envelope::Kind;
/// let scope = Scope::kinds(&[Kind::new("post")?, Kind::new("react")?])?;
/// assert!(scope.allows("post"));
/// assert!(!scope.allows("follow"));
/// assert!(Scope::all().allows("com.example.poll"));
/// assert!(!Scope::all().allows("roots") && !Scope::all().allows("prekey"));
/// let full = Scope::from_entries(&[CAP_OTHERS, "*", "prekey"])?;
/// assert_eq!(full.entries().collect::<Vec<_>>(), ["*", "prekey", "cap:others"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    wildcard: bool,
    /// Kinds and capabilities other than `"*"`, in canonical order, distinct (a boxed slice of
    /// boxed strings: a grant holds its scope inline, issue 18).
    entries: Box<[Box<str>]>,
}

impl Scope {
    /// `["*"]`: every kind the wildcard covers, no capability.
    ///
    /// ```
    /// assert!(skylark::account::Scope::all().allows("post"));
    /// ```
    pub fn all() -> Self {
        Scope {
            wildcard: true,
            entries: Box::default(),
        }
    }

    /// A scope of exactly these kinds.
    ///
    /// # Errors
    ///
    /// [`AccountError::Scope`] unless there are 1 to 32 distinct kinds, none of them an operation kind.
    ///
    /// ```
    /// use skylark::account::Scope;
    /// use skylark::envelope::Kind;
    /// assert!(Scope::kinds(&[Kind::new("delegate")?]).is_err());
    /// # Ok::<(), skylark::envelope::EnvelopeError>(())
    /// ```
    pub fn kinds(kinds: &[Kind]) -> Result<Self, AccountError> {
        let names: Vec<&str> = kinds.iter().map(Kind::as_str).collect();
        if names.is_empty() {
            return Err(AccountError::Scope);
        }
        Self::from_entries(&names)
    }

    /// A scope of these entries, in any order: `"*"`, kind names and capabilities.
    ///
    /// # Errors
    ///
    /// [`AccountError::Scope`] unless the entries follow 06 §5.4 once sorted: 1 to 32, distinct, each
    /// `"*"`, a kind name that is not an operation kind or a capability, and, next to `"*"`, only
    /// entries the wildcard does not cover.
    ///
    /// ```
    /// use skylark::account::Scope;
    /// assert!(Scope::from_entries(&["*", "post"]).is_err()); // "*" already covers post
    /// assert!(Scope::from_entries(&["post", "cap:others"]).is_ok());
    /// assert!(Scope::from_entries(&["cap:Others"]).is_err()); // not a capability name
    /// ```
    pub fn from_entries<S: AsRef<str>>(entries: &[S]) -> Result<Self, AccountError> {
        let mut sorted: Vec<&str> = entries.iter().map(AsRef::as_ref).collect();
        sorted.sort_by(|a, b| canonical_order(a, b));
        Self::from_sorted(&sorted)
    }

    /// The entries as written: in canonical order, `"*"` first when present.
    fn from_sorted(entries: &[&str]) -> Result<Self, AccountError> {
        if entries.is_empty()
            || entries.len() > MAX_SCOPE
            || entries
                .windows(2)
                .any(|w| canonical_order(w[0], w[1]) != core::cmp::Ordering::Less)
        {
            return Err(AccountError::Scope);
        }
        let wildcard = entries[0] == "*";
        let rest = &entries[usize::from(wildcard)..];
        for entry in rest {
            let kind_ok = Kind::new(entry).is_ok() && !is_operation_kind(entry);
            if !(kind_ok || is_capability(entry)) || (wildcard && wildcard_covers(entry)) {
                return Err(AccountError::Scope);
            }
        }
        Ok(Scope {
            wildcard,
            entries: rest.iter().map(|e| Box::from(*e)).collect(),
        })
    }

    /// Whether a message of `kind` is in scope (AUTH-4). Operation kinds never are.
    ///
    /// ```
    /// assert!(skylark::account::Scope::all().allows("post"));
    /// ```
    pub fn allows(&self, kind: &str) -> bool {
        if is_operation_kind(kind) || kind.starts_with(CAPABILITY_PREFIX) {
            return false;
        }
        (self.wildcard && wildcard_covers(kind)) || self.entries.iter().any(|e| &**e == kind)
    }

    /// Whether the scope names the capability `capability` (e.g. [`CAP_OTHERS`]); `"*"` grants none.
    ///
    /// ```
    /// use skylark::account::{Scope, CAP_OTHERS};
    /// assert!(Scope::from_entries(&["post", CAP_OTHERS])?.grants(CAP_OTHERS));
    /// # Ok::<(), skylark::account::AccountError>(())
    /// ```
    pub fn grants(&self, capability: &str) -> bool {
        capability.starts_with(CAPABILITY_PREFIX) && self.entries.iter().any(|e| &**e == capability)
    }

    /// The entries as written on the wire: `"*"` first when present, then kinds and capabilities in
    /// canonical order.
    ///
    /// ```
    /// assert_eq!(skylark::account::Scope::all().entries().collect::<Vec<_>>(), ["*"]);
    /// ```
    pub fn entries(&self) -> impl Iterator<Item = &str> + '_ {
        self.wildcard
            .then_some("*")
            .into_iter()
            .chain(self.entries.iter().map(|e| &**e))
    }

    pub(super) fn to_value(&self) -> Value {
        Value::Array(self.entries().map(Value::from).collect())
    }

    /// The `scope` field of a `delegate` body (06 §5.3, §5.4).
    pub(super) fn from_body(map: &Map) -> Result<Self, AccountError> {
        let Some(Value::Array(items)) = map.get("scope") else {
            return Err(AccountError::Body {
                field: "scope",
                problem: "must be an array",
            });
        };
        let mut entries = Vec::with_capacity(items.len());
        for item in items {
            let Value::Text(t) = item else {
                return Err(AccountError::Scope);
            };
            entries.push(t.as_str());
        }
        // Written in the canonical order of their encodings (shorter first, then bytewise, as map
        // keys are), so a scope has exactly one encoding.
        Self::from_sorted(&entries)
    }
}

/// The canonical order of two scope entries: the bytewise order of their CBOR encodings.
fn canonical_order(a: &str, b: &str) -> core::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}
