//! Accounts and keys: self-certifying accounts, root keys, delegated app keys, revocation and recovery.
//!
//! An account is whatever its own signed key operations say it is (`spec/06-accounts.md`). Key
//! operations are ordinary Skylark messages of five reserved kinds, signed by the account's root keys:
//!
//! | kind | body | effect |
//! |---|---|---|
//! | `genesis` | `{"roots": [key, …]}` | creates the account; its id is ID-3 over the genesis header bytes |
//! | `roots` | `{"after": op, "roots": [key, …]}` | replaces the root keys (rotation, recovery) |
//! | `delegate` | `{"after": op, "app": key, "scope": [kind, …], "expires": ms, ? "label": text}` | authorizes an app key |
//! | `revoke` | `{"after": op, "app": key, ? "cutoff": {"seq": n, "id": msg}}` | revokes an app key from a point in its history |
//! | `enckey` | `{"after": op, "key": bytes, "version": n}` | publishes the account's encryption key |
//!
//! Operations form a tree through `after`. [`Accounts`] is a pure state machine: operations are applied
//! one at a time in any order, those whose predecessor is missing wait, and the canonical chain of each
//! account is chosen by a rule that depends only on the set of operations held, never on the order in
//! which they arrived. [`Accounts::authorize`] answers "may this key sign this message?", which is the
//! key-authorization input of message validation.
//!
//! ```
//! use skylark::account::{Accounts, Operation};
//! use skylark::envelope::Kind;
//! use skylark::keys::SecretKey;
//!
//! let recovery = SecretKey::from_seed([1; 32]);
//! let everyday = SecretKey::from_seed([2; 32]);
//! let phone = SecretKey::from_seed([3; 32]);
//!
//! // The account: two roots, the recovery key first (highest priority).
//! let genesis = Operation::genesis(&[recovery.public_key(), everyday.public_key()], 1_000)?
//!     .sign(&recovery)?;
//! let account = Accounts::account_id(&genesis);
//! // The everyday root delegates a key to the phone app, for posts only.
//! let delegate = Operation::delegate(account, genesis.id(), phone.public_key(),
//!     &[Kind::new("post")?], 10_000_000, None, 2_000)?
//!     .sign(&everyday)?;
//!
//! let mut accounts = Accounts::new();
//! // Any order: the delegation waits for the genesis.
//! accounts.apply(&delegate)?;
//! accounts.apply(&genesis)?;
//! let view = accounts.account(&account).expect("known");
//! assert_eq!(view.head(), delegate.id());
//! assert!(view.app(&phone.public_key()).is_some());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::cbor::{Map, Value};
use crate::envelope::{Draft, EnvelopeError, Header, Kind, SignedMessage};
use crate::id::{AccountId, MessageId};
use crate::keys::{KeyError, PublicKey, SecretKey};
use crate::message::{AuthError, Authorization, Missing};

mod builder;
pub use builder::{DelegateBuilder, EncKeyBuilder, RevokeBuilder, RootsBuilder};

/// The kind of the operation that creates an account.
pub const GENESIS: &str = "genesis";
/// The kind of the operation that replaces the root keys.
pub const ROOTS: &str = "roots";
/// The kind of the operation that delegates an app key.
pub const DELEGATE: &str = "delegate";
/// The kind of the operation that revokes an app key.
pub const REVOKE: &str = "revoke";
/// The kind of the operation that publishes an encryption key.
pub const ENCKEY: &str = "enckey";
/// Every operation kind. Root keys sign only these; app keys never may.
pub const OPERATION_KINDS: [&str; 5] = [GENESIS, ROOTS, DELEGATE, REVOKE, ENCKEY];

/// The most root keys an account has at once (rule ACCT-3).
pub const MAX_ROOTS: usize = 4;
/// The most kinds one delegation's scope names (rule ACCT-7).
pub const MAX_SCOPE: usize = 32;
/// The longest app label, in Unicode scalar values (and four times that in bytes) (rule ACCT-7).
pub const MAX_LABEL_CHARS: usize = 64;

/// Whether `kind` is one of the operation kinds.
///
/// ```
/// assert!(skylark::account::is_operation_kind("roots"));
/// assert!(!skylark::account::is_operation_kind("post"));
/// ```
pub fn is_operation_kind(kind: &str) -> bool {
    OPERATION_KINDS.contains(&kind)
}

/// Why a key operation is invalid.
///
/// ```
/// use skylark::account::AccountError;
/// assert_eq!(AccountError::NotARoot.code(), "acct.not_a_root");
/// assert_eq!(AccountError::NotARoot.rule(), "ACCT-4");
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum AccountError {
    /// The message is not of an operation kind.
    #[error("not a key operation")]
    NotAnOperation,
    /// The operation has no body (a stripped remainder cannot be applied).
    #[error("operation without its body")]
    Stripped,
    /// The body does not follow the operation's schema.
    #[error("operation body: {field} {problem}")]
    Body {
        /// The field at fault.
        field: &'static str,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// A root or app key in the body is not a valid public key.
    #[error("key in operation body: {0}")]
    Key(KeyError),
    /// A genesis whose header names an account (it must name 32 zero bytes).
    #[error("genesis must name the all-zero account")]
    GenesisAccount,
    /// A genesis not signed by its first root, or not the first message of that key.
    #[error("genesis must be the first message of its first root key")]
    GenesisSigner,
    /// The header's account differs from the account of the operation it follows.
    #[error("operation names another account")]
    AccountMismatch,
    /// The signing key is not a root key of the state the operation follows.
    #[error("operation not signed by a root key of the state it follows")]
    NotARoot,
    /// The operation's time is earlier than the time of the operation it follows.
    #[error("operation time earlier than the operation it follows")]
    TimeRegression,
    /// A key given a role it cannot have: already a root or an app key of the account, or listed twice.
    #[error("key already has a role in the account")]
    KeyInUse,
    /// The scope is not 1 to 32 distinct non-operation kinds, or exactly `["*"]`.
    #[error("invalid delegation scope")]
    Scope,
    /// The delegation expires no later than it is made.
    #[error("delegation expires before it is made")]
    Expiry,
    /// The revoked key was never delegated by this account.
    #[error("revoked key is not an app key of the account")]
    NotDelegated,
    /// The key is already revoked.
    #[error("app key already revoked")]
    AlreadyRevoked,
    /// An encryption key version not above the current one.
    #[error("encryption key version must increase")]
    EncKeyVersion,
    /// The operation follows an operation that is invalid.
    #[error("operation follows an invalid operation")]
    ParentInvalid,
}

impl AccountError {
    /// The stable error code.
    ///
    /// ```
    /// assert_eq!(skylark::account::AccountError::Scope.code(), "acct.scope");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotAnOperation => "acct.not_an_operation",
            Self::Stripped => "acct.stripped",
            Self::Body { .. } => "acct.body",
            Self::Key(e) => e.code(),
            Self::GenesisAccount => "acct.genesis_account",
            Self::GenesisSigner => "acct.genesis_signer",
            Self::AccountMismatch => "acct.account_mismatch",
            Self::NotARoot => "acct.not_a_root",
            Self::TimeRegression => "acct.time_regression",
            Self::KeyInUse => "acct.key_in_use",
            Self::Scope => "acct.scope",
            Self::Expiry => "acct.expiry",
            Self::NotDelegated => "acct.not_delegated",
            Self::AlreadyRevoked => "acct.already_revoked",
            Self::EncKeyVersion => "acct.enckey_version",
            Self::ParentInvalid => "acct.parent_invalid",
        }
    }

    /// The ID of the spec rule this error enforces.
    ///
    /// ```
    /// assert_eq!(skylark::account::AccountError::Expiry.rule(), "ACCT-7");
    /// ```
    pub fn rule(&self) -> &'static str {
        match self {
            Self::NotAnOperation | Self::Stripped | Self::Body { .. } | Self::Key(_) => "ACCT-1",
            Self::GenesisAccount | Self::GenesisSigner => "ACCT-2",
            Self::KeyInUse => "ACCT-3",
            Self::AccountMismatch | Self::NotARoot | Self::TimeRegression | Self::ParentInvalid => {
                "ACCT-4"
            }
            Self::Scope | Self::Expiry => "ACCT-7",
            Self::NotDelegated | Self::AlreadyRevoked => "ACCT-8",
            Self::EncKeyVersion => "ACCT-9",
        }
    }
}

fn body_error(field: &'static str, problem: &'static str) -> AccountError {
    AccountError::Body { field, problem }
}

/// Which kinds an app key may sign.
///
/// ```
/// use skylark::account::Scope;
/// use skylark::envelope::Kind;
/// let scope = Scope::kinds(&[Kind::new("post")?, Kind::new("react")?])?;
/// assert!(scope.allows("post"));
/// assert!(!scope.allows("follow"));
/// assert!(Scope::All.allows("com.example.poll"));
/// assert!(!Scope::All.allows("roots"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every kind except the operation kinds (written `["*"]`).
    All,
    /// Exactly these kinds (in canonical order, distinct, none an operation kind).
    Kinds(Vec<Kind>),
}

impl Scope {
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
        let set: BTreeSet<&Kind> = kinds.iter().collect();
        if kinds.is_empty()
            || kinds.len() > MAX_SCOPE
            || set.len() != kinds.len()
            || kinds
                .iter()
                .any(|k| is_operation_kind(k.as_str()) || k.as_str() == "*")
        {
            return Err(AccountError::Scope);
        }
        let mut sorted: Vec<Kind> = set.into_iter().cloned().collect();
        sorted.sort_by(scope_order);
        Ok(Scope::Kinds(sorted))
    }

    /// Whether a message of `kind` is in scope. Operation kinds never are.
    ///
    /// ```
    /// assert!(skylark::account::Scope::All.allows("post"));
    /// ```
    pub fn allows(&self, kind: &str) -> bool {
        if is_operation_kind(kind) {
            return false;
        }
        match self {
            Scope::All => true,
            Scope::Kinds(kinds) => kinds.iter().any(|k| k.as_str() == kind),
        }
    }

    fn to_value(&self) -> Value {
        Value::Array(match self {
            Scope::All => alloc::vec![Value::from("*")],
            Scope::Kinds(kinds) => kinds.iter().map(|k| Value::from(k.as_str())).collect(),
        })
    }
}

/// The canonical order of two kind names: the bytewise order of their CBOR encodings.
fn scope_order(a: &Kind, b: &Kind) -> core::cmp::Ordering {
    let (a, b) = (a.as_str(), b.as_str());
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// From which point of its history an app key is revoked.
///
/// ```
/// use skylark::account::Revocation;
/// use skylark::id::MessageId;
/// let cut = Revocation::After { seq: 10, id: MessageId::from_bytes([1; 32]) };
/// assert_ne!(cut, Revocation::All);
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Revocation {
    /// Every message of the key is invalid.
    All,
    /// The key's messages up to and including message `id` at sequence number `seq` stay valid; every
    /// other message of the key is invalid.
    After {
        /// The sequence number of the last message that stays valid.
        seq: u64,
        /// The id of the last message that stays valid.
        id: MessageId,
    },
}

/// A delegation of an app key, as it stands in an account's state.
///
/// ```
/// # use skylark::account::*;
/// # use skylark::envelope::Kind;
/// # use skylark::keys::SecretKey;
/// # let root = SecretKey::from_seed([1; 32]);
/// # let app = SecretKey::from_seed([2; 32]);
/// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
/// # let account = Accounts::account_id(&genesis);
/// # let delegate = Operation::delegate(account, genesis.id(), app.public_key(), &[Kind::new("post")?], 99, Some("phone"), 2)?.sign(&root)?;
/// # let mut accounts = Accounts::new();
/// # accounts.apply(&genesis)?;
/// # accounts.apply(&delegate)?;
/// let grant = accounts.account(&account).and_then(|a| a.app(&app.public_key())).expect("delegated");
/// assert_eq!(grant.expires(), 99);
/// assert_eq!(grant.label(), Some("phone"));
/// assert_eq!(grant.revocation(), None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    scope: Scope,
    expires: u64,
    label: Option<String>,
    delegated_at: u64,
    delegation: MessageId,
    revocation: Option<Revocation>,
}

impl Grant {
    /// The kinds the key may sign.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # use skylark::keys::SecretKey;
    /// # let root = SecretKey::from_seed([1; 32]);
    /// # let app = SecretKey::from_seed([2; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// # let account = Accounts::account_id(&genesis);
    /// # let d = Operation::delegate(account, genesis.id(), app.public_key(), &[], 99, None, 2)?.sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?; accounts.apply(&d)?;
    /// # let grant = accounts.account(&account).and_then(|a| a.app(&app.public_key())).expect("delegated");
    /// // An empty list of kinds in `Operation::delegate` means every kind.
    /// assert_eq!(grant.scope(), &Scope::All);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// The latest message time the key may claim, in milliseconds.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # use skylark::keys::SecretKey;
    /// # let root = SecretKey::from_seed([1; 32]);
    /// # let app = SecretKey::from_seed([2; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// # let account = Accounts::account_id(&genesis);
    /// # let d = Operation::delegate(account, genesis.id(), app.public_key(), &[], 99, Some("phone"), 2)?
    /// #     .draft()?.after(&genesis).sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?; accounts.apply(&d)?;
    /// # let grant = accounts.account(&account).and_then(|a| a.app(&app.public_key())).expect("delegated");
    /// assert_eq!(grant.expires(), 99);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn expires(&self) -> u64 {
        self.expires
    }

    /// The app's label, if the delegation gave one.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # use skylark::keys::SecretKey;
    /// # let root = SecretKey::from_seed([1; 32]);
    /// # let app = SecretKey::from_seed([2; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// # let account = Accounts::account_id(&genesis);
    /// # let d = Operation::delegate(account, genesis.id(), app.public_key(), &[], 99, Some("phone"), 2)?
    /// #     .draft()?.after(&genesis).sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?; accounts.apply(&d)?;
    /// # let grant = accounts.account(&account).and_then(|a| a.app(&app.public_key())).expect("delegated");
    /// assert_eq!(grant.label(), Some("phone"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn label(&self) -> Option<&str> {
        self.label.as_deref()
    }

    /// The time of the delegation operation; the key's messages may not claim an earlier time.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # use skylark::keys::SecretKey;
    /// # let root = SecretKey::from_seed([1; 32]);
    /// # let app = SecretKey::from_seed([2; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// # let account = Accounts::account_id(&genesis);
    /// # let d = Operation::delegate(account, genesis.id(), app.public_key(), &[], 99, None, 2)?.sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?; accounts.apply(&d)?;
    /// # let grant = accounts.account(&account).and_then(|a| a.app(&app.public_key())).expect("delegated");
    /// assert_eq!(grant.delegated_at(), 2);
    /// assert_eq!(grant.delegation(), d.id());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn delegated_at(&self) -> u64 {
        self.delegated_at
    }

    /// The id of the delegation operation.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # use skylark::keys::SecretKey;
    /// # let root = SecretKey::from_seed([1; 32]);
    /// # let app = SecretKey::from_seed([2; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// # let account = Accounts::account_id(&genesis);
    /// # let d = Operation::delegate(account, genesis.id(), app.public_key(), &[], 99, Some("phone"), 2)?
    /// #     .draft()?.after(&genesis).sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?; accounts.apply(&d)?;
    /// # let grant = accounts.account(&account).and_then(|a| a.app(&app.public_key())).expect("delegated");
    /// assert_eq!(grant.delegation(), d.id());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn delegation(&self) -> MessageId {
        self.delegation
    }

    /// The revocation, if the key has been revoked.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # use skylark::keys::SecretKey;
    /// # let root = SecretKey::from_seed([1; 32]);
    /// # let app = SecretKey::from_seed([2; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// # let account = Accounts::account_id(&genesis);
    /// # let d = Operation::delegate(account, genesis.id(), app.public_key(), &[], 99, Some("phone"), 2)?
    /// #     .draft()?.after(&genesis).sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?; accounts.apply(&d)?;
    /// # let grant = accounts.account(&account).and_then(|a| a.app(&app.public_key())).expect("delegated");
    /// // Not revoked: no revocation.
    /// assert_eq!(grant.revocation(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn revocation(&self) -> Option<Revocation> {
        self.revocation
    }
}

/// An encryption key published by an account.
///
/// ```
/// # use skylark::account::*;
/// # use skylark::keys::SecretKey;
/// # let root = SecretKey::from_seed([1; 32]);
/// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
/// # let account = Accounts::account_id(&genesis);
/// let op = Operation::enckey(account, genesis.id(), [9; 32], 1, 5)?.sign(&root)?;
/// # let mut accounts = Accounts::new();
/// # accounts.apply(&genesis)?; accounts.apply(&op)?;
/// let key = accounts.account(&account).and_then(|a| a.encryption_key()).expect("published");
/// assert_eq!((key.key(), key.version()), (&[9; 32], 1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EncryptionKey {
    key: [u8; 32],
    version: u64,
}

impl EncryptionKey {
    /// The 32-byte public key.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// # let account = Accounts::account_id(&genesis);
    /// # let op = Operation::enckey(account, genesis.id(), [9; 32], 3, 5)?.draft()?.after(&genesis).sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?; accounts.apply(&op)?;
    /// let key = accounts.account(&account).and_then(|a| a.encryption_key()).expect("published");
    /// assert_eq!(key.key(), &[9; 32]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn key(&self) -> &[u8; 32] {
        &self.key
    }

    /// The version, increasing with every new key.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// # let account = Accounts::account_id(&genesis);
    /// # let op = Operation::enckey(account, genesis.id(), [9; 32], 3, 5)?.draft()?.after(&genesis).sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?; accounts.apply(&op)?;
    /// let key = accounts.account(&account).and_then(|a| a.encryption_key()).expect("published");
    /// assert_eq!(key.version(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn version(&self) -> u64 {
        self.version
    }
}

/// A key operation being written; [`Operation::sign`] turns it into a signed message.
///
/// Constructors check the body rules, so what they build is a valid operation body.
///
/// ```
/// use skylark::account::Operation;
/// use skylark::keys::SecretKey;
/// let root = SecretKey::from_seed([1; 32]);
/// let genesis = Operation::genesis(&[root.public_key()], 0)?.sign(&root)?;
/// assert_eq!(genesis.header().kind().as_str(), "genesis");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Operation {
    account: AccountId,
    kind: &'static str,
    body: Map,
    time: u64,
}

fn roots_value(roots: &[PublicKey]) -> Result<Value, AccountError> {
    let distinct: BTreeSet<&PublicKey> = roots.iter().collect();
    if roots.is_empty() || roots.len() > MAX_ROOTS {
        return Err(body_error("roots", "must list 1 to 4 keys"));
    }
    if distinct.len() != roots.len() {
        return Err(AccountError::KeyInUse);
    }
    Ok(Value::Array(
        roots
            .iter()
            .map(|k| Value::from(&k.as_bytes()[..]))
            .collect(),
    ))
}

impl Operation {
    /// A genesis operation naming `roots`, highest priority first. It must be signed by `roots[0]`
    /// with that key's first message.
    ///
    /// # Errors
    ///
    /// [`AccountError::Body`] unless there are 1 to 4 roots; [`AccountError::KeyInUse`] if one repeats.
    ///
    /// ```
    /// use skylark::account::Operation;
    /// assert!(Operation::genesis(&[], 0).is_err());
    /// ```
    pub fn genesis(roots: &[PublicKey], time: u64) -> Result<Self, AccountError> {
        let mut body = Map::new();
        body.insert("roots", roots_value(roots)?);
        Ok(Operation {
            account: AccountId::from_bytes([0; 32]),
            kind: GENESIS,
            body,
            time,
        })
    }

    /// Replaces the roots of `account`, following operation `after`.
    ///
    /// # Errors
    ///
    /// As [`Operation::genesis`].
    ///
    /// ```
    /// # use skylark::account::*;
    /// # use skylark::keys::SecretKey;
    /// # let (a, b) = (SecretKey::from_seed([1; 32]), SecretKey::from_seed([2; 32]));
    /// # let genesis = Operation::genesis(&[a.public_key()], 1)?.sign(&a)?;
    /// let account = Accounts::account_id(&genesis);
    /// let rotate = Operation::roots(account, genesis.id(), &[b.public_key()], 2)?.sign(&a)?;
    /// let mut accounts = Accounts::new();
    /// accounts.apply(&genesis)?;
    /// accounts.apply(&rotate)?;
    /// assert_eq!(accounts.account(&account).expect("known").roots(), &[b.public_key()]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn roots(
        account: AccountId,
        after: MessageId,
        roots: &[PublicKey],
        time: u64,
    ) -> Result<Self, AccountError> {
        let mut body = Map::new();
        body.insert("after", Value::from(&after.as_bytes()[..]));
        body.insert("roots", roots_value(roots)?);
        Ok(Operation {
            account,
            kind: ROOTS,
            body,
            time,
        })
    }

    /// Delegates `app` to sign messages of `kinds` (every non-operation kind when `kinds` is empty)
    /// with claimed times up to `expires`.
    ///
    /// # Errors
    ///
    /// [`AccountError::Scope`], [`AccountError::Expiry`] (expiry not after `time`), or
    /// [`AccountError::Body`] for a label over 64 characters.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # use skylark::id::{AccountId, MessageId};
    /// # let app = skylark::keys::SecretKey::from_seed([2; 32]).public_key();
    /// let err = Operation::delegate(AccountId::from_bytes([0; 32]), MessageId::from_bytes([0; 32]),
    ///     app, &[], 5, None, 5).unwrap_err();
    /// assert_eq!(err.code(), "acct.expiry");
    /// ```
    pub fn delegate(
        account: AccountId,
        after: MessageId,
        app: PublicKey,
        kinds: &[Kind],
        expires: u64,
        label: Option<&str>,
        time: u64,
    ) -> Result<Self, AccountError> {
        let scope = if kinds.is_empty() {
            Scope::All
        } else {
            Scope::kinds(kinds)?
        };
        if expires > crate::envelope::MAX_SAFE_INTEGER {
            return Err(body_error("expires", "is out of range"));
        }
        if expires <= time {
            return Err(AccountError::Expiry);
        }
        let mut body = Map::new();
        body.insert("after", Value::from(&after.as_bytes()[..]));
        body.insert("app", Value::from(&app.as_bytes()[..]));
        body.insert("scope", scope.to_value());
        body.insert("expires", Value::from(expires));
        if let Some(label) = label {
            check_label(label)?;
            body.insert("label", Value::from(label));
        }
        Ok(Operation {
            account,
            kind: DELEGATE,
            body,
            time,
        })
    }

    /// Revokes `app`. With `cutoff`, the key's messages up to and including that one stay valid.
    ///
    /// # Errors
    ///
    /// [`AccountError::Body`] for a cutoff sequence number of 0.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # use skylark::id::{AccountId, MessageId};
    /// # let app = skylark::keys::SecretKey::from_seed([2; 32]).public_key();
    /// let op = Operation::revoke(AccountId::from_bytes([0; 32]), MessageId::from_bytes([0; 32]), app,
    ///     Some(Revocation::After { seq: 0, id: MessageId::from_bytes([1; 32]) }), 5);
    /// assert_eq!(op.unwrap_err().code(), "acct.body");
    /// ```
    pub fn revoke(
        account: AccountId,
        after: MessageId,
        app: PublicKey,
        cutoff: Option<Revocation>,
        time: u64,
    ) -> Result<Self, AccountError> {
        let mut body = Map::new();
        body.insert("after", Value::from(&after.as_bytes()[..]));
        body.insert("app", Value::from(&app.as_bytes()[..]));
        if let Some(Revocation::After { seq, id }) = cutoff {
            if seq == 0 || seq > crate::envelope::MAX_SAFE_INTEGER {
                return Err(body_error("cutoff", "sequence number out of range"));
            }
            let mut c = Map::new();
            c.insert("id", Value::from(&id.as_bytes()[..]));
            c.insert("seq", Value::from(seq));
            body.insert("cutoff", Value::Map(c));
        }
        Ok(Operation {
            account,
            kind: REVOKE,
            body,
            time,
        })
    }

    /// Publishes encryption key `key` as version `version`.
    ///
    /// # Errors
    ///
    /// [`AccountError::EncKeyVersion`] for version 0.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # use skylark::id::{AccountId, MessageId};
    /// let err = Operation::enckey(AccountId::from_bytes([0; 32]), MessageId::from_bytes([0; 32]),
    ///     [1; 32], 0, 5).unwrap_err();
    /// assert_eq!(err.code(), "acct.enckey_version");
    /// ```
    pub fn enckey(
        account: AccountId,
        after: MessageId,
        key: [u8; 32],
        version: u64,
        time: u64,
    ) -> Result<Self, AccountError> {
        if version > crate::envelope::MAX_SAFE_INTEGER {
            return Err(body_error("version", "is out of range"));
        }
        if version == 0 {
            return Err(AccountError::EncKeyVersion);
        }
        let mut body = Map::new();
        body.insert("after", Value::from(&after.as_bytes()[..]));
        body.insert("key", Value::from(&key[..]));
        body.insert("version", Value::from(version));
        Ok(Operation {
            account,
            kind: ENCKEY,
            body,
            time,
        })
    }

    /// The draft of the operation's message, to place in the signer's history with [`Draft::at`] or
    /// [`Draft::after`] before signing.
    ///
    /// # Errors
    ///
    /// As [`Draft::new`].
    ///
    /// ```
    /// # use skylark::account::*;
    /// # let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let draft = Operation::genesis(&[root.public_key()], 0)?.draft()?;
    /// let genesis = draft.sign(&root)?;
    /// assert_eq!(genesis.header().seq(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn draft(&self) -> Result<Draft, EnvelopeError> {
        Draft::new(self.account, Kind::new(self.kind)?, self.time, &self.body)
    }

    /// Signs the operation as the signer's first message (sequence number 1). Use
    /// [`Operation::draft`] to place it later in the signer's history.
    ///
    /// # Errors
    ///
    /// As [`Draft::new`] and [`Draft::sign`].
    ///
    /// ```
    /// # use skylark::account::*;
    /// # let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let genesis = Operation::genesis(&[root.public_key()], 0)?.sign(&root)?;
    /// assert!(genesis.header().prev().is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sign(&self, key: &SecretKey) -> Result<SignedMessage, EnvelopeError> {
        self.draft()?.sign(key)
    }
}

fn check_label(label: &str) -> Result<(), AccountError> {
    let chars = label.chars().count();
    if chars == 0 || chars > MAX_LABEL_CHARS || label.len() > 4 * MAX_LABEL_CHARS {
        return Err(body_error("label", "must be 1 to 64 characters"));
    }
    Ok(())
}

/// A parsed operation body.
#[derive(Clone, Debug)]
enum OpBody {
    Genesis {
        roots: Vec<PublicKey>,
    },
    Roots {
        roots: Vec<PublicKey>,
    },
    Delegate {
        app: PublicKey,
        scope: Scope,
        expires: u64,
        label: Option<String>,
    },
    Revoke {
        app: PublicKey,
        cutoff: Revocation,
    },
    EncKey {
        key: [u8; 32],
        version: u64,
    },
}

/// Reads a body map against a list of (field, required) in canonical order: unknown un-dotted keys
/// and missing required keys are errors.
fn fields(map: &Map, schema: &[(&'static str, bool)]) -> Result<(), AccountError> {
    for (key, _) in map.iter() {
        if !key.contains('.') && !schema.iter().any(|(name, _)| *name == key) {
            return Err(body_error("body", "has an unknown field"));
        }
    }
    for (name, required) in schema {
        if *required && map.get(name).is_none() {
            return Err(body_error(name, "is missing"));
        }
    }
    Ok(())
}

fn bytes32(map: &Map, field: &'static str) -> Result<Option<[u8; 32]>, AccountError> {
    match map.get(field) {
        None => Ok(None),
        Some(Value::Bytes(b)) => b
            .as_slice()
            .try_into()
            .map(Some)
            .map_err(|_| body_error(field, "must be 32 bytes")),
        Some(_) => Err(body_error(field, "must be a byte string")),
    }
}

fn key_field(map: &Map, field: &'static str) -> Result<PublicKey, AccountError> {
    let bytes = bytes32(map, field)?.ok_or(body_error(field, "is missing"))?;
    PublicKey::from_bytes(&bytes).map_err(AccountError::Key)
}

fn uint_field(map: &Map, field: &'static str) -> Result<u64, AccountError> {
    match map.get(field) {
        Some(Value::Unsigned(n)) if *n <= crate::envelope::MAX_SAFE_INTEGER => Ok(*n),
        Some(Value::Unsigned(_)) => Err(body_error(field, "is out of range")),
        Some(_) => Err(body_error(field, "must be an unsigned integer")),
        None => Err(body_error(field, "is missing")),
    }
}

fn roots_field(map: &Map) -> Result<Vec<PublicKey>, AccountError> {
    let Some(Value::Array(items)) = map.get("roots") else {
        return Err(body_error("roots", "must be an array"));
    };
    if items.is_empty() || items.len() > MAX_ROOTS {
        return Err(body_error("roots", "must list 1 to 4 keys"));
    }
    let mut roots = Vec::with_capacity(items.len());
    for item in items {
        let Value::Bytes(b) = item else {
            return Err(body_error("roots", "must hold byte strings"));
        };
        roots.push(PublicKey::from_slice(b).map_err(AccountError::Key)?);
    }
    let distinct: BTreeSet<&PublicKey> = roots.iter().collect();
    if distinct.len() != roots.len() {
        return Err(AccountError::KeyInUse);
    }
    Ok(roots)
}

fn scope_field(map: &Map) -> Result<Scope, AccountError> {
    let Some(Value::Array(items)) = map.get("scope") else {
        return Err(body_error("scope", "must be an array"));
    };
    let mut kinds = Vec::with_capacity(items.len());
    for item in items {
        let Value::Text(t) = item else {
            return Err(AccountError::Scope);
        };
        if t == "*" && items.len() == 1 {
            return Ok(Scope::All);
        }
        kinds.push(Kind::new(t).map_err(|_| AccountError::Scope)?);
    }
    // Kinds are written in the canonical order of their encodings (shorter first, then bytewise, as map
    // keys are), so a scope has exactly one encoding.
    if kinds
        .windows(2)
        .any(|w| scope_order(&w[0], &w[1]) != core::cmp::Ordering::Less)
    {
        return Err(AccountError::Scope);
    }
    Scope::kinds(&kinds)
}

/// Parses an operation message: its body, and (for all but genesis) the operation it follows.
fn parse(message: &SignedMessage) -> Result<(OpBody, Option<MessageId>), AccountError> {
    let kind = message.header().kind().as_str();
    if !is_operation_kind(kind) {
        return Err(AccountError::NotAnOperation);
    }
    let body = message.body_map().ok_or(AccountError::Stripped)?;
    parse_body(kind, &body)
}

/// Rule ACCT-1 for the body of an operation of `kind`, as message validation applies it.
pub(crate) fn check_operation_body(kind: &str, body: &Map) -> Result<(), AccountError> {
    parse_body(kind, body).map(|_| ())
}

/// Parses an operation body of `kind` (rule ACCT-1).
fn parse_body(kind: &str, body: &Map) -> Result<(OpBody, Option<MessageId>), AccountError> {
    let after = |body: &Map| -> Result<Option<MessageId>, AccountError> {
        Ok(Some(MessageId::from_bytes(
            bytes32(body, "after")?.ok_or(body_error("after", "is missing"))?,
        )))
    };
    match kind {
        GENESIS => {
            fields(body, &[("roots", true)])?;
            Ok((
                OpBody::Genesis {
                    roots: roots_field(body)?,
                },
                None,
            ))
        }
        ROOTS => {
            fields(body, &[("after", true), ("roots", true)])?;
            Ok((
                OpBody::Roots {
                    roots: roots_field(body)?,
                },
                after(body)?,
            ))
        }
        DELEGATE => {
            fields(
                body,
                &[
                    ("app", true),
                    ("after", true),
                    ("label", false),
                    ("scope", true),
                    ("expires", true),
                ],
            )?;
            let label = match body.get("label") {
                None => None,
                Some(Value::Text(t)) => {
                    check_label(t)?;
                    Some(t.clone())
                }
                Some(_) => return Err(body_error("label", "must be text")),
            };
            Ok((
                OpBody::Delegate {
                    app: key_field(body, "app")?,
                    scope: scope_field(body)?,
                    expires: uint_field(body, "expires")?,
                    label,
                },
                after(body)?,
            ))
        }
        REVOKE => {
            fields(body, &[("app", true), ("after", true), ("cutoff", false)])?;
            let cutoff = match body.get("cutoff") {
                None => Revocation::All,
                Some(Value::Map(c)) => {
                    fields(c, &[("id", true), ("seq", true)])?;
                    let seq = uint_field(c, "seq")?;
                    if seq == 0 {
                        return Err(body_error("cutoff", "sequence number out of range"));
                    }
                    let id = bytes32(c, "id")?.ok_or(body_error("id", "is missing"))?;
                    Revocation::After {
                        seq,
                        id: MessageId::from_bytes(id),
                    }
                }
                Some(_) => return Err(body_error("cutoff", "must be a map")),
            };
            Ok((
                OpBody::Revoke {
                    app: key_field(body, "app")?,
                    cutoff,
                },
                after(body)?,
            ))
        }
        _ => {
            fields(body, &[("key", true), ("after", true), ("version", true)])?;
            let version = uint_field(body, "version")?;
            if version == 0 {
                return Err(AccountError::EncKeyVersion);
            }
            Ok((
                OpBody::EncKey {
                    key: bytes32(body, "key")?.ok_or(body_error("key", "is missing"))?,
                    version,
                },
                after(body)?,
            ))
        }
    }
}

/// An account's state after one of its operations.
#[derive(Clone, Debug, PartialEq, Eq)]
struct State {
    roots: Vec<PublicKey>,
    /// Every key that has been a root on the way to this state; none may become an app key.
    former_roots: BTreeSet<PublicKey>,
    apps: BTreeMap<PublicKey, Grant>,
    encryption: Option<EncryptionKey>,
    time: u64,
}

impl State {
    fn has_role(&self, key: &PublicKey) -> bool {
        self.roots.contains(key) || self.former_roots.contains(key) || self.apps.contains_key(key)
    }

    /// Rules ACCT-3 to ACCT-9 for one operation following this state; returns the next state.
    fn apply(&self, header: &Header, id: MessageId, body: &OpBody) -> Result<State, AccountError> {
        if !self.roots.contains(header.key()) {
            return Err(AccountError::NotARoot);
        }
        if header.time() < self.time {
            return Err(AccountError::TimeRegression);
        }
        let mut next = self.clone();
        next.time = header.time();
        match body {
            OpBody::Genesis { .. } => return Err(AccountError::GenesisAccount),
            OpBody::Roots { roots } => {
                if roots.iter().any(|k| self.apps.contains_key(k)) {
                    return Err(AccountError::KeyInUse);
                }
                next.former_roots.extend(self.roots.iter().copied());
                next.roots = roots.clone();
            }
            OpBody::Delegate {
                app,
                scope,
                expires,
                label,
            } => {
                if self.has_role(app) {
                    return Err(AccountError::KeyInUse);
                }
                if *expires <= header.time() {
                    return Err(AccountError::Expiry);
                }
                next.apps.insert(
                    *app,
                    Grant {
                        scope: scope.clone(),
                        expires: *expires,
                        label: label.clone(),
                        delegated_at: header.time(),
                        delegation: id,
                        revocation: None,
                    },
                );
            }
            OpBody::Revoke { app, cutoff } => {
                let grant = next.apps.get_mut(app).ok_or(AccountError::NotDelegated)?;
                if grant.revocation.is_some() {
                    return Err(AccountError::AlreadyRevoked);
                }
                grant.revocation = Some(*cutoff);
            }
            OpBody::EncKey { key, version } => {
                if self.encryption.is_some_and(|e| e.version >= *version) {
                    return Err(AccountError::EncKeyVersion);
                }
                next.encryption = Some(EncryptionKey {
                    key: *key,
                    version: *version,
                });
            }
        }
        Ok(next)
    }
}

/// One valid operation in an account's tree.
#[derive(Clone, Debug)]
struct Node {
    signer: PublicKey,
    children: Vec<MessageId>,
    state: State,
}

/// The operations of one account, and its canonical chain.
#[derive(Clone, Debug)]
struct Log {
    genesis: MessageId,
    nodes: BTreeMap<MessageId, Node>,
    head: MessageId,
    chain: BTreeSet<MessageId>,
    contested: Vec<MessageId>,
}

impl Log {
    /// Chooses the canonical chain (rule ACCT-5): from the genesis, at each operation, the child whose
    /// subtree holds the signature of the highest-priority root (of the parent's root list) wins; a tie
    /// stops the chain there and the tied children are kept as evidence.
    fn choose(&mut self) {
        // Euler tour: entry times, exit times, and per signer the sorted entry times of its operations.
        let mut tin: BTreeMap<MessageId, usize> = BTreeMap::new();
        let mut tout: BTreeMap<MessageId, usize> = BTreeMap::new();
        let mut by_signer: BTreeMap<PublicKey, Vec<usize>> = BTreeMap::new();
        let mut clock = 0usize;
        let mut stack: Vec<(MessageId, usize)> = alloc::vec![(self.genesis, 0)];
        while let Some((id, next_child)) = stack.pop() {
            let Some(node) = self.nodes.get(&id) else {
                continue;
            };
            if next_child == 0 {
                tin.insert(id, clock);
                by_signer.entry(node.signer).or_default().push(clock);
                clock += 1;
            }
            if let Some(child) = node.children.get(next_child) {
                stack.push((id, next_child + 1));
                stack.push((*child, 0));
            } else {
                tout.insert(id, clock);
            }
        }
        let in_subtree = |key: &PublicKey, child: &MessageId| -> bool {
            let (Some(&lo), Some(&hi), Some(positions)) =
                (tin.get(child), tout.get(child), by_signer.get(key))
            else {
                return false;
            };
            let first = positions.partition_point(|&p| p < lo);
            positions.get(first).is_some_and(|&p| p < hi)
        };
        let mut chain = BTreeSet::new();
        let mut at = self.genesis;
        self.contested.clear();
        loop {
            chain.insert(at);
            let Some(node) = self.nodes.get(&at) else {
                break;
            };
            let strength = |child: &MessageId| {
                node.state
                    .roots
                    .iter()
                    .position(|root| in_subtree(root, child))
                    .unwrap_or(usize::MAX)
            };
            let mut best: Option<(usize, Vec<MessageId>)> = None;
            for child in &node.children {
                let s = strength(child);
                match &mut best {
                    Some((b, ids)) if s == *b => ids.push(*child),
                    Some((b, _)) if s > *b => {}
                    _ => best = Some((s, alloc::vec![*child])),
                }
            }
            match best {
                Some((_, ids)) if ids.len() == 1 => at = ids[0],
                Some((_, mut ids)) => {
                    ids.sort();
                    self.contested = ids;
                    break;
                }
                None => break,
            }
        }
        self.head = at;
        self.chain = chain;
    }
}

/// A view of one account's canonical state.
///
/// ```
/// # use skylark::account::*;
/// # let root = skylark::keys::SecretKey::from_seed([1; 32]);
/// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
/// # let mut accounts = Accounts::new();
/// # accounts.apply(&genesis)?;
/// let view = accounts.account(&Accounts::account_id(&genesis)).expect("known");
/// assert_eq!(view.roots(), &[root.public_key()]);
/// assert_eq!(view.genesis(), genesis.id());
/// assert!(view.contested().is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy)]
pub struct AccountView<'a> {
    log: &'a Log,
    state: &'a State,
}

impl fmt::Debug for AccountView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccountView")
            .field("head", &self.log.head)
            .field("roots", &self.state.roots)
            .field("apps", &self.state.apps.len())
            .field("contested", &self.log.contested)
            .finish()
    }
}

impl<'a> AccountView<'a> {
    /// The genesis operation's id.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?;
    /// let view = accounts.account(&Accounts::account_id(&genesis)).expect("known");
    /// assert_eq!(view.genesis(), genesis.id());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn genesis(&self) -> MessageId {
        self.log.genesis
    }

    /// The last operation of the canonical chain.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?;
    /// let view = accounts.account(&Accounts::account_id(&genesis)).expect("known");
    /// // Only the genesis so far: it is the head.
    /// assert_eq!(view.head(), genesis.id());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn head(&self) -> MessageId {
        self.log.head
    }

    /// The root keys, highest priority first.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?;
    /// let view = accounts.account(&Accounts::account_id(&genesis)).expect("known");
    /// assert_eq!(view.roots(), &[root.public_key()]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn roots(&self) -> &'a [PublicKey] {
        &self.state.roots
    }

    /// The delegation of `key`, if it is an app key of the account (revoked or not).
    ///
    /// ```
    /// # use skylark::account::*;
    /// # use skylark::keys::SecretKey;
    /// # let root = SecretKey::from_seed([1; 32]);
    /// # let app = SecretKey::from_seed([2; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// # let account = Accounts::account_id(&genesis);
    /// # let d = Operation::delegate(account, genesis.id(), app.public_key(), &[], 99, Some("phone"), 2)?
    /// #     .draft()?.after(&genesis).sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?; accounts.apply(&d)?;
    /// # let grant = accounts.account(&account).and_then(|a| a.app(&app.public_key())).expect("delegated");
    /// let view = accounts.account(&account).expect("known");
    /// assert_eq!(view.app(&app.public_key()).map(|g| g.expires()), Some(99));
    /// assert!(view.app(&root.public_key()).is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn app(&self, key: &PublicKey) -> Option<&'a Grant> {
        self.state.apps.get(key)
    }

    /// Every app key and its delegation, in key order.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?;
    /// # let view = accounts.account(&Accounts::account_id(&genesis)).expect("known");
    /// assert_eq!(view.apps().count(), 0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn apps(&self) -> impl Iterator<Item = (&'a PublicKey, &'a Grant)> {
        self.state.apps.iter()
    }

    /// The current encryption key, if one was published.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// # let account = Accounts::account_id(&genesis);
    /// # let op = Operation::enckey(account, genesis.id(), [9; 32], 3, 5)?.draft()?.after(&genesis).sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?; accounts.apply(&op)?;
    /// let key = accounts.account(&account).and_then(|a| a.encryption_key()).expect("published");
    /// assert_eq!(key.version(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn encryption_key(&self) -> Option<&'a EncryptionKey> {
        self.state.encryption.as_ref()
    }

    /// When the chain stops at a fork that no root of higher priority has resolved, the tied
    /// operations (sorted by id): evidence of equivocation by a root key. Empty otherwise.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?;
    /// let view = accounts.account(&Accounts::account_id(&genesis)).expect("known");
    /// assert!(view.contested().is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn contested(&self) -> &'a [MessageId] {
        &self.log.contested
    }

    /// Whether operation `id` is on the canonical chain.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?;
    /// # let view = accounts.account(&Accounts::account_id(&genesis)).expect("known");
    /// assert!(view.is_canonical(&genesis.id()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_canonical(&self, id: &MessageId) -> bool {
        self.log.chain.contains(id)
    }
}

/// What [`Accounts::apply`] did with an operation.
///
/// ```
/// use skylark::account::{Accounts, Applied, Operation};
/// let root = skylark::keys::SecretKey::from_seed([1; 32]);
/// let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
/// let mut accounts = Accounts::new();
/// assert_eq!(accounts.apply(&genesis)?, Applied::Accepted);
/// assert_eq!(accounts.apply(&genesis)?, Applied::Duplicate);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Applied {
    /// The operation is valid and now part of its account's tree (with every waiting operation it
    /// unblocked).
    Accepted,
    /// The operation was already held.
    Duplicate,
    /// The operation waits for the operation it follows, which is not held yet.
    Pending {
        /// The missing operation.
        missing: MessageId,
    },
}

/// The pure key-state machine over any number of accounts.
///
/// ```
/// use skylark::account::{Accounts, Operation};
/// let root = skylark::keys::SecretKey::from_seed([1; 32]);
/// let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
/// let mut accounts = Accounts::new();
/// accounts.apply(&genesis)?;
/// assert!(accounts.account(&Accounts::account_id(&genesis)).is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Accounts {
    logs: BTreeMap<AccountId, Log>,
    /// Operation id -> its account, for every valid operation.
    owner: BTreeMap<MessageId, AccountId>,
    /// Missing operation id -> operations waiting for it.
    waiting: BTreeMap<MessageId, Vec<SignedMessage>>,
    /// Operations found invalid, so that operations following them are invalid too.
    invalid: BTreeMap<MessageId, AccountError>,
    /// Waiting operation id -> the missing operation it follows.
    waiting_on: BTreeMap<MessageId, MessageId>,
}

impl Accounts {
    /// An empty state.
    ///
    /// ```
    /// assert_eq!(skylark::account::Accounts::new().len(), 0);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of accounts whose genesis is held.
    ///
    /// ```
    /// assert_eq!(skylark::account::Accounts::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.logs.len()
    }

    /// Whether no account is known.
    ///
    /// ```
    /// assert!(skylark::account::Accounts::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.logs.is_empty()
    }

    /// The id of the account a genesis operation creates (rule ID-3): BLAKE3 `derive_key` over its
    /// header bytes.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// assert_eq!(Accounts::account_id(&genesis),
    ///     skylark::id::AccountId::of_genesis(genesis.header_bytes()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn account_id(genesis: &SignedMessage) -> AccountId {
        AccountId::of_genesis(genesis.header_bytes())
    }

    /// The canonical state of an account, if its genesis is held.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?;
    /// assert!(accounts.account(&Accounts::account_id(&genesis)).is_some());
    /// assert!(accounts.account(&skylark::id::AccountId::from_bytes([0; 32])).is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn account(&self, id: &AccountId) -> Option<AccountView<'_>> {
        let log = self.logs.get(id)?;
        let state = &log.nodes.get(&log.head)?.state;
        Some(AccountView { log, state })
    }

    /// Applies one key operation. Operations may come in any order and any number of times; the
    /// resulting state depends only on the set applied.
    ///
    /// # Errors
    ///
    /// The [`AccountError`] that makes the operation invalid. An invalid operation changes nothing,
    /// except that operations following it are invalid too.
    ///
    /// ```
    /// # use skylark::account::*;
    /// let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let stranger = skylark::keys::SecretKey::from_seed([2; 32]);
    /// let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// let account = Accounts::account_id(&genesis);
    /// let forged = Operation::roots(account, genesis.id(), &[stranger.public_key()], 2)?.sign(&stranger)?;
    /// let mut accounts = Accounts::new();
    /// accounts.apply(&genesis)?;
    /// assert_eq!(accounts.apply(&forged).unwrap_err(), AccountError::NotARoot);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn apply(&mut self, message: &SignedMessage) -> Result<Applied, AccountError> {
        let id = message.id();
        if self.owner.contains_key(&id) {
            return Ok(Applied::Duplicate);
        }
        if let Some(error) = self.invalid.get(&id) {
            return Err(*error);
        }
        let (body, after) = match parse(message) {
            Ok(parsed) => parsed,
            // The same operation may still arrive whole: a stripped copy decides nothing. And a
            // message that is not an operation is not this state's to judge: recording it would make
            // an operation following it invalid on nodes that applied it and waiting elsewhere.
            Err(error @ (AccountError::Stripped | AccountError::NotAnOperation)) => {
                return Err(error)
            }
            Err(error) => {
                self.reject(id, error)?;
                return Err(error);
            }
        };
        let Some(parent) = after else {
            self.accept_genesis(message, body)?;
            return Ok(Applied::Accepted);
        };
        if self.invalid.contains_key(&parent) {
            self.reject(id, AccountError::ParentInvalid)?;
        }
        let Some(account) = self.owner.get(&parent).copied() else {
            let waiting = self.waiting.entry(parent).or_default();
            if !waiting.iter().any(|m| m.id() == id) {
                waiting.push(message.clone());
                self.waiting_on.insert(id, parent);
            }
            return Ok(Applied::Pending { missing: parent });
        };
        self.accept(account, parent, message, &body)?;
        self.release(id);
        if let Some(log) = self.logs.get_mut(&account) {
            log.choose();
        }
        Ok(Applied::Accepted)
    }

    /// May the key in `header` sign this message (rules AUTH-1 to AUTH-6)? This is the key
    /// authorization input of message validation ([`crate::message::Context::authorize`]).
    ///
    /// `headers` looks up the header of a held message by id; it is used only to walk a revoked key's
    /// history back from its cutoff. For a key operation the answer is whether it is a valid operation
    /// held by this state (on the canonical chain or not).
    ///
    /// ```
    /// use skylark::account::{Accounts, Operation, Revocation};
    /// use skylark::message::{AuthError, Authorization, BodyKind, Follow};
    /// use skylark::id::AccountId;
    /// # let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let app = skylark::keys::SecretKey::from_seed([2; 32]);
    /// let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// let account = Accounts::account_id(&genesis);
    /// let delegate = Operation::delegate(account, genesis.id(), app.public_key(), &[], 1_000, None, 2)?
    ///     .draft()?.after(&genesis).sign(&root)?;
    /// let mut accounts = Accounts::new();
    /// accounts.apply(&genesis)?;
    /// accounts.apply(&delegate)?;
    ///
    /// let follow = Follow::new(AccountId::from_bytes([7; 32])).draft(account, 10)?.sign(&app)?;
    /// let no_lookups = |_: &skylark::id::MessageId| None;
    /// assert_eq!(accounts.authorize(follow.header(), no_lookups), Authorization::Authorized);
    ///
    /// // The same key past its expiry.
    /// let late = Follow::new(AccountId::from_bytes([7; 32])).draft(account, 2_000)?.sign(&app)?;
    /// assert_eq!(accounts.authorize(late.header(), no_lookups), Authorization::Denied(AuthError::Expired));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn authorize(
        &self,
        header: &Header,
        headers: impl Fn(&MessageId) -> Option<Header>,
    ) -> Authorization {
        if is_operation_kind(header.kind().as_str()) {
            return self.authorize_operation(header);
        }
        // AUTH-1
        let Some(view) = self.account(header.account()) else {
            return Authorization::Unknown(Missing::Account(*header.account()));
        };
        let key = header.key();
        // AUTH-2, AUTH-3
        if view.roots().contains(key) {
            return Authorization::Denied(AuthError::RootKeyMessage);
        }
        let Some(grant) = view.app(key) else {
            return Authorization::Denied(AuthError::NotDelegated);
        };
        // AUTH-4
        if !grant.scope.allows(header.kind().as_str()) {
            return Authorization::Denied(AuthError::OutOfScope);
        }
        // AUTH-5
        if header.time() < grant.delegated_at {
            return Authorization::Denied(AuthError::BeforeDelegation);
        }
        if header.time() > grant.expires {
            return Authorization::Denied(AuthError::Expired);
        }
        // AUTH-6
        match grant.revocation {
            None => Authorization::Authorized,
            Some(Revocation::All) => Authorization::Denied(AuthError::Revoked),
            Some(Revocation::After { seq, id }) => {
                if header.seq() > seq {
                    return Authorization::Denied(AuthError::Revoked);
                }
                // The message itself is the cutoff, or an ancestor of it: walk the key's
                // hash-linked history back from the cutoff to this message's place. The message's
                // own id ends the walk without a lookup, so it never waits for its own header.
                let own = header.id();
                let mut at = id;
                loop {
                    if at == own {
                        // The cutoff's stated sequence number must be its message's own.
                        return if at == id && header.seq() != seq {
                            Authorization::Denied(AuthError::Revoked)
                        } else {
                            Authorization::Authorized
                        };
                    }
                    let Some(found) = headers(&at) else {
                        return Authorization::Unknown(Missing::Message(at));
                    };
                    // A cutoff that is not a message of this key at the stated sequence number
                    // keeps nothing: the revocation then covers every message of the key.
                    if found.key() != key
                        || found.seq() < header.seq()
                        || (at == id && found.seq() != seq)
                    {
                        return Authorization::Denied(AuthError::Revoked);
                    }
                    if found.seq() == header.seq() {
                        // Equal headers are equal bytes (canonical encoding), so the same message.
                        return if &found == header {
                            Authorization::Authorized
                        } else {
                            Authorization::Denied(AuthError::Revoked)
                        };
                    }
                    match found.prev() {
                        Some(prev) => at = prev,
                        None => return Authorization::Denied(AuthError::Revoked),
                    }
                }
            }
        }
    }

    fn authorize_operation(&self, header: &Header) -> Authorization {
        let id = header.id();
        if self.owner.contains_key(&id) {
            Authorization::Authorized
        } else if let Some(error) = self.invalid.get(&id) {
            Authorization::Denied(AuthError::Operation(*error))
        } else if let Some(parent) = self.waiting_on.get(&id) {
            Authorization::Unknown(Missing::Message(*parent))
        } else {
            // Not applied to this state yet: the caller applies it with `apply` and asks again.
            Authorization::Unknown(Missing::KeyAuthorization)
        }
    }

    fn accept_genesis(
        &mut self,
        message: &SignedMessage,
        body: OpBody,
    ) -> Result<(), AccountError> {
        let header = message.header();
        let OpBody::Genesis { roots } = body else {
            return Err(AccountError::GenesisAccount);
        };
        if header.account().as_bytes() != &[0; 32] {
            return self.reject(message.id(), AccountError::GenesisAccount);
        }
        if header.seq() != 1 || roots.first() != Some(header.key()) {
            return self.reject(message.id(), AccountError::GenesisSigner);
        }
        let account = Self::account_id(message);
        let id = message.id();
        let state = State {
            roots,
            former_roots: BTreeSet::new(),
            apps: BTreeMap::new(),
            encryption: None,
            time: header.time(),
        };
        self.logs.insert(
            account,
            Log {
                genesis: id,
                nodes: BTreeMap::from([(
                    id,
                    Node {
                        signer: *header.key(),
                        children: Vec::new(),
                        state,
                    },
                )]),
                head: id,
                chain: BTreeSet::from([id]),
                contested: Vec::new(),
            },
        );
        self.owner.insert(id, account);
        self.release(id);
        if let Some(log) = self.logs.get_mut(&account) {
            log.choose();
        }
        Ok(())
    }

    /// Records `id` as invalid, and with it everything waiting on it.
    fn reject(&mut self, id: MessageId, error: AccountError) -> Result<(), AccountError> {
        self.invalid.insert(id, error);
        self.invalidate_waiting(id);
        Err(error)
    }

    /// Checks one operation against its parent's state and adds it to the tree.
    fn accept(
        &mut self,
        account: AccountId,
        parent: MessageId,
        message: &SignedMessage,
        body: &OpBody,
    ) -> Result<(), AccountError> {
        let id = message.id();
        let header = message.header();
        if header.account() != &account {
            return self.reject(id, AccountError::AccountMismatch);
        }
        let Some(log) = self.logs.get_mut(&account) else {
            return Err(AccountError::AccountMismatch);
        };
        let Some(parent_node) = log.nodes.get(&parent) else {
            return Err(AccountError::ParentInvalid);
        };
        let state = match parent_node.state.apply(header, id, body) {
            Ok(state) => state,
            Err(error) => return self.reject(id, error),
        };
        log.nodes.insert(
            id,
            Node {
                signer: *header.key(),
                children: Vec::new(),
                state,
            },
        );
        if let Some(p) = log.nodes.get_mut(&parent) {
            p.children.push(id);
            p.children.sort();
        }
        self.owner.insert(id, account);
        Ok(())
    }

    /// Applies every operation that was waiting for `id`, transitively.
    fn release(&mut self, id: MessageId) {
        let mut ready = alloc::vec![id];
        while let Some(parent) = ready.pop() {
            let Some(children) = self.waiting.remove(&parent) else {
                continue;
            };
            for child in &children {
                self.waiting_on.remove(&child.id());
            }
            let Some(account) = self.owner.get(&parent).copied() else {
                continue;
            };
            for child in children {
                let child_id = child.id();
                let outcome = match parse(&child) {
                    Ok((body, _)) => self.accept(account, parent, &child, &body),
                    Err(AccountError::Stripped) => Err(AccountError::Stripped),
                    Err(error) => self.reject(child_id, error),
                };
                // `accept` and `reject` record an invalid child and everything waiting on it.
                if outcome.is_ok() {
                    ready.push(child_id);
                }
            }
        }
    }

    /// Marks everything waiting (transitively) on an invalid operation as invalid.
    fn invalidate_waiting(&mut self, id: MessageId) {
        let mut stack = alloc::vec![id];
        while let Some(parent) = stack.pop() {
            if let Some(children) = self.waiting.remove(&parent) {
                for child in children {
                    self.waiting_on.remove(&child.id());
                    self.invalid.insert(child.id(), AccountError::ParentInvalid);
                    stack.push(child.id());
                }
            }
        }
    }
}
