//! Builders for key operations: named fields instead of positional arguments, and the operation's
//! place in its account's operation tree (its **parent**, the body's `after`) named apart from the
//! message's place in the signing key's history (`seq` and `prev`, which
//! [`crate::replica::Signer`] or [`crate::envelope::Draft::after`] set).

use alloc::string::String;
use alloc::vec::Vec;

use super::{body_error, AccountError, NextRoots, Operation, Revocation};
use crate::envelope::{Kind, SignedMessage};
use crate::id::{AccountId, MessageId};
use crate::keys::PublicKey;

impl Operation {
    /// The operation's claimed time (milliseconds since the Unix epoch).
    pub(crate) fn time(&self) -> u64 {
        self.time
    }

    /// A builder for a delegation of `app` by `account`.
    ///
    /// ```
    /// use skylark::account::Operation;
    /// use skylark::id::{AccountId, MessageId};
    /// let app = skylark::keys::SecretKey::from_seed([2; 32]).public_key();
    /// let op = Operation::delegation(AccountId::from_bytes([1; 32]), app)
    ///     .parent(MessageId::from_bytes([3; 32]))
    ///     .scope(&[skylark::envelope::Kind::new("post")?])
    ///     .expires(10_000)
    ///     .label("phone")
    ///     .build(1_000)?;
    /// assert_eq!(op.draft()?.sign(&skylark::keys::SecretKey::from_seed([1; 32]))?.header().kind().as_str(), "delegate");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn delegation(account: AccountId, app: PublicKey) -> DelegateBuilder {
        DelegateBuilder {
            account,
            app,
            parent: None,
            scope: Vec::new(),
            expires: None,
            label: None,
        }
    }

    /// A builder for the revocation of `app` by `account`.
    ///
    /// ```
    /// use skylark::account::Operation;
    /// use skylark::id::{AccountId, MessageId};
    /// let app = skylark::keys::SecretKey::from_seed([2; 32]).public_key();
    /// let op = Operation::revocation(AccountId::from_bytes([1; 32]), app)
    ///     .parent(MessageId::from_bytes([3; 32]))
    ///     .build(1_000)?;
    /// # let _ = op;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn revocation(account: AccountId, app: PublicKey) -> RevokeBuilder {
        RevokeBuilder {
            account,
            app,
            parent: None,
            cutoff: None,
        }
    }

    /// A builder for the replacement of `account`'s root keys by `roots`, highest priority first
    /// (rotation, recovery).
    ///
    /// ```
    /// use skylark::account::Operation;
    /// use skylark::id::{AccountId, MessageId};
    /// let new_root = skylark::keys::SecretKey::from_seed([2; 32]).public_key();
    /// let op = Operation::rotation(AccountId::from_bytes([1; 32]), &[new_root])
    ///     .parent(MessageId::from_bytes([3; 32]))
    ///     .build(1_000)?;
    /// # let _ = op;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn rotation(account: AccountId, roots: &[PublicKey]) -> RootsBuilder {
        RootsBuilder {
            account,
            roots: roots.to_vec(),
            parent: None,
            next: None,
        }
    }

    /// A builder for the publication of `account`'s encryption key `key` as version `version`.
    ///
    /// ```
    /// use skylark::account::Operation;
    /// use skylark::id::{AccountId, MessageId};
    /// let op = Operation::encryption_key(AccountId::from_bytes([1; 32]), [7; 32], 1)
    ///     .parent(MessageId::from_bytes([3; 32]))
    ///     .build(1_000)?;
    /// # let _ = op;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn encryption_key(account: AccountId, key: [u8; 32], version: u64) -> EncKeyBuilder {
        EncKeyBuilder {
            account,
            key,
            version,
            parent: None,
        }
    }
}

/// The parent an operation builder was given, or the error of a missing one.
fn parent(parent: Option<MessageId>) -> Result<MessageId, AccountError> {
    parent.ok_or(body_error("after", "is missing: name the parent operation"))
}

/// Builds a `delegate` operation; see [`Operation::delegation`].
///
/// ```
/// # use skylark::account::Operation;
/// # use skylark::id::AccountId;
/// let app = skylark::keys::SecretKey::from_seed([2; 32]).public_key();
/// // Without a parent there is nothing to build.
/// let err = Operation::delegation(AccountId::from_bytes([1; 32]), app).expires(9).build(1).unwrap_err();
/// assert_eq!(err.code(), "acct.body");
/// ```
#[derive(Debug, Clone)]
pub struct DelegateBuilder {
    account: AccountId,
    app: PublicKey,
    parent: Option<MessageId>,
    scope: Vec<Kind>,
    expires: Option<u64>,
    label: Option<String>,
}

impl DelegateBuilder {
    /// The operation this one follows in the account's operation tree (the body's `after`): the
    /// account's head, usually. Not the signing key's previous message.
    ///
    /// ```
    /// # use skylark::account::Operation;
    /// # use skylark::id::{AccountId, MessageId};
    /// # let app = skylark::keys::SecretKey::from_seed([2; 32]).public_key();
    /// let builder = Operation::delegation(AccountId::from_bytes([1; 32]), app).parent(MessageId::from_bytes([3; 32]));
    /// # let _ = builder;
    /// ```
    pub fn parent(mut self, operation: MessageId) -> Self {
        self.parent = Some(operation);
        self
    }

    /// The kinds the app key may sign (ACCT-7); every non-operation kind if never called.
    ///
    /// ```
    /// # use skylark::account::Operation;
    /// # use skylark::id::AccountId;
    /// # let app = skylark::keys::SecretKey::from_seed([2; 32]).public_key();
    /// let builder = Operation::delegation(AccountId::from_bytes([1; 32]), app).scope(&[skylark::envelope::Kind::new("post")?]);
    /// # let _ = builder;
    /// # Ok::<(), skylark::envelope::EnvelopeError>(())
    /// ```
    pub fn scope(mut self, kinds: &[Kind]) -> Self {
        self.scope = kinds.to_vec();
        self
    }

    /// The last claimed time the app key may sign at (required).
    ///
    /// ```
    /// # use skylark::account::Operation;
    /// # use skylark::id::AccountId;
    /// # let app = skylark::keys::SecretKey::from_seed([2; 32]).public_key();
    /// let builder = Operation::delegation(AccountId::from_bytes([1; 32]), app).expires(1_000);
    /// # let _ = builder;
    /// ```
    pub fn expires(mut self, expires: u64) -> Self {
        self.expires = Some(expires);
        self
    }

    /// A label for the app, shown to the account's owner.
    ///
    /// ```
    /// # use skylark::account::Operation;
    /// # use skylark::id::AccountId;
    /// # let app = skylark::keys::SecretKey::from_seed([2; 32]).public_key();
    /// let builder = Operation::delegation(AccountId::from_bytes([1; 32]), app).label("laptop");
    /// # let _ = builder;
    /// ```
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// The operation, claimed at `time`.
    ///
    /// # Errors
    ///
    /// [`AccountError::Body`] without a parent or an expiry; otherwise as [`Operation::delegate`].
    ///
    /// ```
    /// # use skylark::account::Operation;
    /// # use skylark::id::{AccountId, MessageId};
    /// # let app = skylark::keys::SecretKey::from_seed([2; 32]).public_key();
    /// let err = Operation::delegation(AccountId::from_bytes([1; 32]), app)
    ///     .parent(MessageId::from_bytes([3; 32])).expires(5).build(5).unwrap_err();
    /// assert_eq!(err.code(), "acct.expiry");
    /// ```
    pub fn build(self, time: u64) -> Result<Operation, AccountError> {
        let expires = self
            .expires
            .ok_or(body_error("expires", "is missing: set an expiry"))?;
        Operation::delegate(
            self.account,
            parent(self.parent)?,
            self.app,
            &self.scope,
            expires,
            self.label.as_deref(),
            time,
        )
    }
}

/// Builds a `revoke` operation; see [`Operation::revocation`].
///
/// ```
/// # use skylark::account::Operation;
/// # use skylark::id::AccountId;
/// let app = skylark::keys::SecretKey::from_seed([2; 32]).public_key();
/// assert!(Operation::revocation(AccountId::from_bytes([1; 32]), app).build(1).is_err());
/// ```
#[derive(Debug, Clone)]
pub struct RevokeBuilder {
    account: AccountId,
    app: PublicKey,
    parent: Option<MessageId>,
    cutoff: Option<Revocation>,
}

impl RevokeBuilder {
    /// The operation this one follows in the account's operation tree (the body's `after`).
    ///
    /// ```
    /// # use skylark::account::Operation;
    /// # use skylark::id::{AccountId, MessageId};
    /// # let app = skylark::keys::SecretKey::from_seed([2; 32]).public_key();
    /// let builder = Operation::revocation(AccountId::from_bytes([1; 32]), app).parent(MessageId::from_bytes([3; 32]));
    /// # let _ = builder;
    /// ```
    pub fn parent(mut self, operation: MessageId) -> Self {
        self.parent = Some(operation);
        self
    }

    /// Keeps the app key's messages up to and including `last` (a message of that key: the
    /// cutoff, AUTH-6); without it, every message of the key is revoked.
    ///
    /// ```
    /// # use skylark::account::Operation;
    /// # use skylark::id::AccountId;
    /// use skylark::message::{BodyKind, Post};
    /// let app = skylark::keys::SecretKey::from_seed([2; 32]);
    /// let alice = AccountId::from_bytes([1; 32]);
    /// let good = Post::builder().text("mine").build()?.draft(alice, 1)?.sign(&app)?;
    /// let builder = Operation::revocation(alice, app.public_key()).keep_up_to(&good);
    /// # let _ = builder;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn keep_up_to(mut self, last: &SignedMessage) -> Self {
        self.cutoff = Some(Revocation::After {
            seq: last.header().seq(),
            id: last.id(),
        });
        self
    }

    /// The operation, claimed at `time`.
    ///
    /// # Errors
    ///
    /// [`AccountError::Body`] without a parent; otherwise as [`Operation::revoke`].
    ///
    /// ```
    /// # use skylark::account::Operation;
    /// # use skylark::id::{AccountId, MessageId};
    /// # let app = skylark::keys::SecretKey::from_seed([2; 32]).public_key();
    /// let op = Operation::revocation(AccountId::from_bytes([1; 32]), app).parent(MessageId::from_bytes([3; 32])).build(1)?;
    /// # let _ = op;
    /// # Ok::<(), skylark::account::AccountError>(())
    /// ```
    pub fn build(self, time: u64) -> Result<Operation, AccountError> {
        Operation::revoke(
            self.account,
            parent(self.parent)?,
            self.app,
            self.cutoff,
            time,
        )
    }
}

/// Builds a `roots` operation; see [`Operation::rotation`].
///
/// ```
/// # use skylark::account::Operation;
/// # use skylark::id::AccountId;
/// assert!(Operation::rotation(AccountId::from_bytes([1; 32]), &[]).build(1).is_err());
/// ```
#[derive(Debug, Clone)]
pub struct RootsBuilder {
    account: AccountId,
    roots: Vec<PublicKey>,
    parent: Option<MessageId>,
    next: Option<NextRoots>,
}

impl RootsBuilder {
    /// The operation this one follows in the account's operation tree (the body's `after`).
    ///
    /// ```
    /// # use skylark::account::Operation;
    /// # use skylark::id::{AccountId, MessageId};
    /// let builder = Operation::rotation(AccountId::from_bytes([1; 32]), &[]).parent(MessageId::from_bytes([3; 32]));
    /// # let _ = builder;
    /// ```
    pub fn parent(mut self, operation: MessageId) -> Self {
        self.parent = Some(operation);
        self
    }

    /// The operation, claimed at `time`.
    ///
    /// # Errors
    ///
    /// [`AccountError::Body`] without a parent; otherwise as [`Operation::roots`].
    ///
    /// ```
    /// # use skylark::account::Operation;
    /// # use skylark::id::{AccountId, MessageId};
    /// let err = Operation::rotation(AccountId::from_bytes([1; 32]), &[]).parent(MessageId::from_bytes([3; 32])).build(1);
    /// assert_eq!(err.unwrap_err().code(), "acct.body");
    /// ```
    pub fn build(self, time: u64) -> Result<Operation, AccountError> {
        let op = Operation::roots(self.account, parent(self.parent)?, &self.roots, time)?;
        match self.next {
            Some(next) => op.with_next(next),
            None => Ok(op),
        }
    }

    /// Commits the new root list to the next one (rule ACCT-14, 06 §5.8): see
    /// [`Operation::with_next`]. Every root of the list must then accept the operation.
    ///
    /// ```
    /// # use skylark::account::{next_commitment, Operation};
    /// # use skylark::id::{AccountId, MessageId};
    /// let next = skylark::keys::SecretKey::from_seed([5; 32]).public_key();
    /// let root = skylark::keys::SecretKey::from_seed([4; 32]).public_key();
    /// let op = Operation::rotation(AccountId::from_bytes([1; 32]), &[root])
    ///     .parent(MessageId::from_bytes([3; 32]))
    ///     .next(next_commitment(&[next])?)
    ///     .build(1)?;
    /// # let _ = op;
    /// # Ok::<(), skylark::account::AccountError>(())
    /// ```
    pub fn next(mut self, next: NextRoots) -> Self {
        self.next = Some(next);
        self
    }
}

/// Builds an `enckey` operation; see [`Operation::encryption_key`].
///
/// ```
/// # use skylark::account::Operation;
/// # use skylark::id::AccountId;
/// assert!(Operation::encryption_key(AccountId::from_bytes([1; 32]), [7; 32], 1).build(1).is_err());
/// ```
#[derive(Debug, Clone)]
pub struct EncKeyBuilder {
    account: AccountId,
    key: [u8; 32],
    version: u64,
    parent: Option<MessageId>,
}

impl EncKeyBuilder {
    /// The operation this one follows in the account's operation tree (the body's `after`).
    ///
    /// ```
    /// # use skylark::account::Operation;
    /// # use skylark::id::{AccountId, MessageId};
    /// let builder = Operation::encryption_key(AccountId::from_bytes([1; 32]), [7; 32], 1).parent(MessageId::from_bytes([3; 32]));
    /// # let _ = builder;
    /// ```
    pub fn parent(mut self, operation: MessageId) -> Self {
        self.parent = Some(operation);
        self
    }

    /// The operation, claimed at `time`.
    ///
    /// # Errors
    ///
    /// [`AccountError::Body`] without a parent; otherwise as [`Operation::enckey`].
    ///
    /// ```
    /// # use skylark::account::Operation;
    /// # use skylark::id::{AccountId, MessageId};
    /// let err = Operation::encryption_key(AccountId::from_bytes([1; 32]), [7; 32], 0)
    ///     .parent(MessageId::from_bytes([3; 32])).build(1);
    /// assert_eq!(err.unwrap_err().code(), "acct.enckey_version");
    /// ```
    pub fn build(self, time: u64) -> Result<Operation, AccountError> {
        Operation::enckey(
            self.account,
            parent(self.parent)?,
            self.key,
            self.version,
            time,
        )
    }
}
