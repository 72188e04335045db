//! Operation bodies: the [`Revocation`] they carry (scopes are in `scope`), building them ([`Operation`]) and
//! parsing them (rule ACCT-1, 06 §5).

use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec::Vec;

use super::accept::{self, Acceptances, Acceptor};
use super::scope::Scope;
use super::witness::{parse_witnesses, WitnessSet, Witnesses};
use super::{
    body_error, is_operation_kind, AccountError, DEACTIVATE, DELEGATE, ENCKEY, GENESIS,
    MAX_LABEL_CHARS, MAX_ROOTS, RECEIPT, REVOKE, ROOTS, SUCCESSOR,
};
use crate::cbor::{Map, Value};
use crate::envelope::{Draft, EnvelopeError, Kind, SignedMessage};
use crate::id::{AccountId, MessageId};
use crate::keys::{PublicKey, SecretKey};

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

/// The BLAKE3 `derive_key` context of the next-roots commitment (rule ACCT-14, 06 §5.8), over the
/// canonical CBOR encoding of the committed root list.
pub const NEXT_ROOTS_CONTEXT: &str = "skylark v1 next roots";

/// A commitment to an account's next root list (rule ACCT-14, 06 §5.8): the `next` field of a
/// `genesis` or `roots` body. The next `roots` operation of a committed state must name exactly
/// the committed list and be signed by its first new key, which is why the next keys can be kept
/// offline until they rotate in.
///
/// ```
/// use skylark::account::NextRoots;
/// let next = skylark::keys::SecretKey::from_seed([3; 32]).public_key();
/// let commitment = NextRoots::of(&[next])?;
/// assert_eq!(NextRoots::from_bytes(*commitment.as_bytes()), commitment);
/// assert_ne!(NextRoots::of(&[next])?, NextRoots::from_bytes([0; 32]));
/// # Ok::<(), skylark::account::AccountError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NextRoots([u8; 32]);

impl NextRoots {
    /// The commitment to the root list `roots` (highest priority first):
    /// `H("skylark v1 next roots", cbor(roots))`, the encoding being the array of 32-byte byte
    /// strings exactly as a `roots` body field encodes it.
    ///
    /// # Errors
    ///
    /// [`AccountError::Body`] unless there are 1 to 4 roots; [`AccountError::KeyInUse`] if one repeats.
    ///
    /// ```
    /// use skylark::account::NextRoots;
    /// let (a, b) = (skylark::keys::SecretKey::from_seed([1; 32]), skylark::keys::SecretKey::from_seed([2; 32]));
    /// let (a, b) = (a.public_key(), b.public_key());
    /// // The worked example of 06 §5.8.
    /// assert_eq!(NextRoots::of(&[a, b])?.as_bytes(), &[
    ///     0x68, 0x0a, 0x79, 0x6a, 0x2a, 0x51, 0xe2, 0x8f, 0x90, 0x61, 0xad, 0x14, 0x70, 0x8f, 0xa2, 0x8a, 0x6c, 0x23, 0x78, 0xc5, 0xa0, 0xf9, 0xc3, 0x7a, 0x0e, 0x93, 0xd6, 0xd4, 0xc9, 0x37, 0xe0, 0x56
    /// ]);
    /// // The order is part of the commitment.
    /// assert_ne!(NextRoots::of(&[a, b])?, NextRoots::of(&[b, a])?);
    /// assert!(NextRoots::of(&[]).is_err());
    /// # Ok::<(), skylark::account::AccountError>(())
    /// ```
    pub fn of(roots: &[PublicKey]) -> Result<NextRoots, AccountError> {
        Ok(NextRoots(crate::id::derive(
            NEXT_ROOTS_CONTEXT,
            &roots_value(roots)?.to_bytes(),
        )))
    }

    /// A commitment from its 32 bytes (as read from a body).
    ///
    /// ```
    /// let c = skylark::account::NextRoots::from_bytes([7; 32]);
    /// assert_eq!(c.as_bytes(), &[7; 32]);
    /// ```
    pub fn from_bytes(bytes: [u8; 32]) -> NextRoots {
        NextRoots(bytes)
    }

    /// The 32 bytes of the commitment.
    ///
    /// ```
    /// let c = skylark::account::NextRoots::from_bytes([7; 32]);
    /// assert_eq!(c.as_bytes().len(), 32);
    /// ```
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Whether this commits to the root list `roots`.
    pub(super) fn matches(&self, roots: &[PublicKey]) -> bool {
        NextRoots::of(roots).is_ok_and(|c| c == *self)
    }
}

/// The commitment to the next root list `roots` (rule ACCT-14): [`NextRoots::of`].
///
/// # Errors
///
/// As [`NextRoots::of`].
///
/// ```
/// # use skylark::account::*;
/// # use skylark::keys::SecretKey;
/// let (root, next) = (SecretKey::from_seed([1; 32]), SecretKey::from_seed([2; 32]));
/// // The genesis commits to `next`; the later rotation reveals it and is signed by it.
/// let genesis = Operation::genesis(&[root.public_key()], 1)?
///     .with_next(next_commitment(&[next.public_key()])?)?
///     .sign(&root)?;
/// let account = Accounts::account_id(&genesis);
/// let rotate = Operation::roots(account, genesis.id(), &[next.public_key()], 2)?
///     .accepted_by(&next)?
///     .sign(&next)?;
/// let mut accounts = Accounts::new();
/// accounts.apply(&genesis)?;
/// accounts.apply(&rotate)?;
/// assert_eq!(accounts.account(&account).expect("known").roots(), &[next.public_key()]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn next_commitment(roots: &[PublicKey]) -> Result<NextRoots, AccountError> {
    NextRoots::of(roots)
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
    pub(super) time: u64,
    /// The keys that accept the operation (ACCT-10); they sign when it is drafted.
    acceptances: Vec<Acceptor>,
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
            acceptances: Vec::new(),
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
    /// // The new root accepts its role (ACCT-10).
    /// let rotate = Operation::roots(account, genesis.id(), &[b.public_key()], 2)?
    ///     .accepted_by(&b)?
    ///     .draft()?
    ///     .after(&genesis)
    ///     .sign(&a)?;
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
            acceptances: Vec::new(),
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
            Scope::all()
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
            acceptances: Vec::new(),
        })
    }

    /// A `delegate` operation with `scope` in place of the one it was made with: the way to delegate
    /// capabilities and the kinds `"*"` does not cover (06 §5.4).
    ///
    /// # Errors
    ///
    /// [`AccountError::NotAnOperation`] if this is not a `delegate` operation.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # use skylark::id::{AccountId, MessageId};
    /// # let app = skylark::keys::SecretKey::from_seed([2; 32]).public_key();
    /// let op = Operation::delegate(AccountId::from_bytes([0; 32]), MessageId::from_bytes([0; 32]), app,
    ///     &[], 99, None, 5)?
    ///     .with_scope(&Scope::from_entries(&["*", CAP_OTHERS])?)?;
    /// # let _ = op;
    /// # Ok::<(), AccountError>(())
    /// ```
    pub fn with_scope(mut self, scope: &Scope) -> Result<Self, AccountError> {
        if self.kind != DELEGATE {
            return Err(AccountError::NotAnOperation);
        }
        self.body.insert("scope", scope.to_value());
        Ok(self)
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
            acceptances: Vec::new(),
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
            acceptances: Vec::new(),
        })
    }

    /// Names `witnesses` as the account's witness set (06 §8.6), in a `genesis` or a `roots`
    /// operation. Operations below it become final once enough witnesses receipt them.
    ///
    /// # Errors
    ///
    /// [`AccountError::NotAnOperation`] for any other kind; [`AccountError::KeyInUse`] if a witness
    /// is also one of the operation's roots.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # use skylark::keys::SecretKey;
    /// let root = SecretKey::from_seed([1; 32]);
    /// let witnesses: Vec<_> = (2..=4u8).map(|i| SecretKey::from_seed([i; 32])).collect();
    /// let keys: Vec<_> = witnesses.iter().map(SecretKey::public_key).collect();
    /// let mut op = Operation::genesis(&[root.public_key()], 1)?.with_witnesses(&WitnessSet::new(&keys, 2)?)?;
    /// for w in &witnesses {
    ///     op = op.accepted_by(w)?; // each witness accepts (ACCT-10)
    /// }
    /// let genesis = op.sign(&root)?;
    /// let mut accounts = Accounts::new();
    /// accounts.apply(&genesis)?;
    /// let view = accounts.account(&Accounts::account_id(&genesis)).expect("known");
    /// assert_eq!(view.witnesses().map(|w| w.threshold()), Some(2));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_witnesses(mut self, witnesses: &WitnessSet) -> Result<Self, AccountError> {
        if self.kind != GENESIS && self.kind != ROOTS {
            return Err(AccountError::NotAnOperation);
        }
        let roots = self.body.get("roots").cloned();
        let overlap = matches!(&roots, Some(Value::Array(items)) if items.iter().any(|r| {
            matches!(r, Value::Bytes(b) if witnesses.keys().iter().any(|w| &w.as_bytes()[..] == b.as_slice()))
        }));
        if overlap {
            return Err(AccountError::KeyInUse);
        }
        self.body.insert("witnesses", witnesses.to_value());
        Ok(self)
    }

    /// Removes the account's witness set, in a `roots` operation (06 §8.6): operations below it are
    /// no longer made final by receipts.
    ///
    /// # Errors
    ///
    /// [`AccountError::NotAnOperation`] for any other kind.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # use skylark::id::{AccountId, MessageId};
    /// let root = skylark::keys::SecretKey::from_seed([1; 32]).public_key();
    /// let op = Operation::roots(AccountId::from_bytes([1; 32]), MessageId::from_bytes([2; 32]), &[root], 5)?
    ///     .without_witnesses()?;
    /// # let _ = op;
    /// # Ok::<(), AccountError>(())
    /// ```
    pub fn without_witnesses(mut self) -> Result<Self, AccountError> {
        if self.kind != ROOTS {
            return Err(AccountError::NotAnOperation);
        }
        self.body.insert("witnesses", Witnesses::removal_value());
        Ok(self)
    }

    /// Deactivates `account` (06 §5.6, rule ACCT-11), following operation `after`: no operation may
    /// follow it, and while it is the head of the canonical chain (every operation of the chain
    /// whose parent names witnesses final there) messages claiming its time or a later one are refused (`auth.deactivated`). Any
    /// root of the state it follows may sign it; like any operation, a sibling signed by a higher
    /// root out-ranks it.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # use skylark::keys::SecretKey;
    /// let root = SecretKey::from_seed([1; 32]);
    /// let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// let account = Accounts::account_id(&genesis);
    /// let end = Operation::deactivate(account, genesis.id(), 5).draft()?.after(&genesis).sign(&root)?;
    /// let mut accounts = Accounts::new();
    /// accounts.apply(&genesis)?;
    /// accounts.apply(&end)?;
    /// assert_eq!(accounts.account(&account).expect("known").deactivated(), Some(5));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn deactivate(account: AccountId, after: MessageId, time: u64) -> Self {
        let mut body = Map::new();
        body.insert("after", Value::from(&after.as_bytes()[..]));
        Operation {
            account,
            kind: DEACTIVATE,
            body,
            time,
            acceptances: Vec::new(),
        }
    }

    /// Names `to` as the account `account` moved to (06 §5.7, rule ACCT-12), following operation
    /// `after`. The move counts only once `to`'s genesis names `account` as its predecessor
    /// ([`Operation::predecessor`], [`Accounts::moved_to`](super::Accounts::moved_to)).
    ///
    /// ```
    /// # use skylark::account::*;
    /// # use skylark::id::{AccountId, MessageId};
    /// let op = Operation::successor(AccountId::from_bytes([1; 32]), MessageId::from_bytes([2; 32]),
    ///     AccountId::from_bytes([3; 32]), 5);
    /// assert_eq!(op.draft()?.sign(&skylark::keys::SecretKey::from_seed([1; 32]))?.header().kind().as_str(), "successor");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn successor(account: AccountId, after: MessageId, to: AccountId, time: u64) -> Self {
        let mut body = Map::new();
        body.insert("after", Value::from(&after.as_bytes()[..]));
        body.insert("to", Value::from(&to.as_bytes()[..]));
        Operation {
            account,
            kind: SUCCESSOR,
            body,
            time,
            acceptances: Vec::new(),
        }
    }

    /// Names, in a `deactivate` or `successor` operation, the committed next root list `roots`
    /// that it reveals (rule ACCT-14, 06 §5.8). In a committed state these operations are acts of
    /// the next keys, as a rotation is: they must name the committed list and be signed by its
    /// revealed key ([`Accounts::revealed_key`](super::Accounts::revealed_key)), and carry the
    /// acceptance of every key of the list ([`Operation::accepted_by`], ACCT-10), so that the
    /// revealed key alone cannot end or move the account; the list changes no root. In a state
    /// that is not committed they must not name one.
    ///
    /// # Errors
    ///
    /// [`AccountError::NotAnOperation`] for any other kind; [`AccountError::Body`] unless there are
    /// 1 to 4 keys; [`AccountError::KeyInUse`] if one repeats.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # use skylark::keys::SecretKey;
    /// let (root, next) = (SecretKey::from_seed([1; 32]), SecretKey::from_seed([2; 32]));
    /// let genesis = Operation::genesis(&[root.public_key()], 1)?
    ///     .with_next(next_commitment(&[next.public_key()])?)?
    ///     .sign(&root)?;
    /// let account = Accounts::account_id(&genesis);
    /// // The account is committed: only the next key ends it, naming the list it reveals.
    /// let end = Operation::deactivate(account, genesis.id(), 5)
    ///     .revealing(&[next.public_key()])?
    ///     .accepted_by(&next)?
    ///     .sign(&next)?;
    /// let mut accounts = Accounts::new();
    /// accounts.apply(&genesis)?;
    /// accounts.apply(&end)?;
    /// assert_eq!(accounts.account(&account).expect("known").deactivated(), Some(5));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn revealing(mut self, roots: &[PublicKey]) -> Result<Self, AccountError> {
        if self.kind != DEACTIVATE && self.kind != SUCCESSOR {
            return Err(AccountError::NotAnOperation);
        }
        self.body.insert("roots", roots_value(roots)?);
        Ok(self)
    }

    /// Commits a `genesis` or `roots` operation to the next root list (rule ACCT-14, 06 §5.8): the
    /// next `roots` operation below it must name exactly that list and be signed by its first key
    /// that is not yet a root or former root. Without it, a `roots` operation leaves the account
    /// uncommitted.
    ///
    /// # Errors
    ///
    /// [`AccountError::NotAnOperation`] for any other kind.
    ///
    /// ```
    /// # use skylark::account::*;
    /// let root = skylark::keys::SecretKey::from_seed([1; 32]).public_key();
    /// let next = skylark::keys::SecretKey::from_seed([2; 32]).public_key();
    /// let op = Operation::genesis(&[root], 1)?.with_next(next_commitment(&[next])?)?;
    /// # let _ = op;
    /// # Ok::<(), AccountError>(())
    /// ```
    pub fn with_next(mut self, next: NextRoots) -> Result<Self, AccountError> {
        if self.kind != GENESIS && self.kind != ROOTS {
            return Err(AccountError::NotAnOperation);
        }
        self.body.insert("next", Value::from(&next.as_bytes()[..]));
        Ok(self)
    }

    /// Names `from` as the account this genesis succeeds (06 §5.7, rule ACCT-13): the new
    /// account's side of a move.
    ///
    /// # Errors
    ///
    /// [`AccountError::NotAnOperation`] for any kind but `genesis`.
    ///
    /// ```
    /// # use skylark::account::*;
    /// let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let genesis = Operation::genesis(&[root.public_key()], 1)?
    ///     .predecessor(skylark::id::AccountId::from_bytes([9; 32]))?
    ///     .sign(&root)?;
    /// # let _ = genesis;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn predecessor(mut self, from: AccountId) -> Result<Self, AccountError> {
        if self.kind != GENESIS {
            return Err(AccountError::NotAnOperation);
        }
        self.body
            .insert("predecessor", Value::from(&from.as_bytes()[..]));
        Ok(self)
    }

    /// A witness receipt (06 §8.6) over operation `op` of `account`, to be signed by a witness key:
    /// it endorses `op` and every operation before it.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # use skylark::keys::SecretKey;
    /// let root = SecretKey::from_seed([1; 32]);
    /// let witness = SecretKey::from_seed([2; 32]);
    /// let genesis = Operation::genesis(&[root.public_key()], 1)?
    ///     .with_witnesses(&WitnessSet::new(&[witness.public_key()], 1)?)?
    ///     .accepted_by(&witness)?
    ///     .sign(&root)?;
    /// let account = Accounts::account_id(&genesis);
    /// let op = Operation::enckey(account, genesis.id(), [7; 32], 1, 2)?.draft()?.after(&genesis).sign(&root)?;
    /// let receipt = Operation::receipt(account, op.id(), 3).sign(&witness)?;
    /// let mut accounts = Accounts::new();
    /// for m in [&genesis, &op, &receipt] {
    ///     accounts.apply(m)?;
    /// }
    /// assert_eq!(accounts.account(&account).expect("known").last_final(), Some(op.id()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn receipt(account: AccountId, op: MessageId, time: u64) -> Self {
        let mut body = Map::new();
        body.insert("op", Value::from(&op.as_bytes()[..]));
        Operation {
            account,
            kind: RECEIPT,
            body,
            time,
            acceptances: Vec::new(),
        }
    }

    /// Names `earlier` as the operation this one replaces (06 §5.2, §8.1): an earlier operation of
    /// the same signer, with the same `after` and a smaller `seq`, that has no children — a retry
    /// after a timeout, or a corrected body. The earlier one then takes no part in the fork choice
    /// (a retried revocation still applies, 06 §8.4). Naming anything else has no effect.
    ///
    /// # Errors
    ///
    /// [`AccountError::Body`] for a genesis, which follows nothing.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # use skylark::keys::SecretKey;
    /// # let root = SecretKey::from_seed([1; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// let account = Accounts::account_id(&genesis);
    /// let first = Operation::enckey(account, genesis.id(), [1; 32], 1, 2)?.draft()?.after(&genesis).sign(&root)?;
    /// // The first attempt timed out; the retry names it.
    /// let retry = Operation::enckey(account, genesis.id(), [1; 32], 1, 3)?
    ///     .supersedes(first.id())?
    ///     .draft()?
    ///     .after(&first)
    ///     .sign(&root)?;
    /// let mut accounts = Accounts::new();
    /// for op in [&genesis, &first, &retry] {
    ///     accounts.apply(op)?;
    /// }
    /// let view = accounts.account(&account).expect("known");
    /// assert_eq!(view.head(), retry.id());
    /// assert!(view.contested().is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn supersedes(mut self, earlier: MessageId) -> Result<Self, AccountError> {
        if self.kind == GENESIS
            || self.kind == RECEIPT
            || self.kind == DEACTIVATE
            || self.kind == SUCCESSOR
        {
            return Err(body_error(
                "supersedes",
                "a genesis, a receipt or a deactivation supersedes nothing",
            ));
        }
        self.body
            .insert("supersedes", Value::from(&earlier.as_bytes()[..]));
        Ok(self)
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
        if self.acceptances.is_empty() {
            return Draft::new(self.account, Kind::new(self.kind)?, self.time, &self.body);
        }
        // A genesis binds its header's key (its first root, ACCT-2) and time (06 §5.5).
        let first_root = match self.body.get("roots") {
            Some(Value::Array(roots)) if self.kind == GENESIS => match roots.first() {
                Some(Value::Bytes(key)) => <[u8; 32]>::try_from(key.as_slice()).ok(),
                _ => None,
            },
            _ => None,
        };
        let tail = first_root.map(|key| accept::genesis_tail(&key, self.time));
        let mut body = self.body.clone();
        body.insert(
            accept::FIELD,
            accept::value(
                &self.account,
                self.kind,
                &self.body,
                &self.acceptances,
                tail.as_ref().map_or(&[][..], |t| &t[..]),
            ),
        );
        Draft::new(self.account, Kind::new(self.kind)?, self.time, &body)
    }

    /// Adds `key`'s acceptance (rule ACCT-10, 06 §5.5): the proof that the holder of a key this
    /// operation newly names — a new root or witness of a `genesis` or `roots` operation, the app key
    /// of a `delegate`, every key of the committed list a `deactivate` or `successor` reveals
    /// (ACCT-14) — agrees to serve this account in it. Call it once per new key; the
    /// acceptances are signed when the operation is drafted, over its final body.
    /// [`Operation::sign`] adds the signer's own acceptance to a genesis.
    ///
    /// # Errors
    ///
    /// [`AccountError::NotAnOperation`] for a kind that names no keys (`revoke`, `enckey`,
    /// `receipt`).
    ///
    /// ```
    /// # use skylark::account::*;
    /// # use skylark::keys::SecretKey;
    /// let (root, phone) = (SecretKey::from_seed([1; 32]), SecretKey::from_seed([2; 32]));
    /// let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// let account = Accounts::account_id(&genesis);
    /// let delegate = Operation::delegate(account, genesis.id(), phone.public_key(), &[], 99, None, 2)?.accepted_by(&phone)?
    ///     .accepted_by(&phone)?
    ///     .draft()?.after(&genesis).sign(&root)?;
    /// let mut accounts = Accounts::new();
    /// accounts.apply(&genesis)?;
    /// accounts.apply(&delegate)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn accepted_by(mut self, key: &SecretKey) -> Result<Self, AccountError> {
        if ![GENESIS, ROOTS, DELEGATE, DEACTIVATE, SUCCESSOR].contains(&self.kind) {
            return Err(AccountError::NotAnOperation);
        }
        let public = key.public_key();
        self.acceptances.retain(|a| a.public_key() != public);
        self.acceptances.push(Acceptor::new(key));
        Ok(self)
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
        self.draft_for(key)?.sign(key)
    }

    /// The draft to be signed by `key`, as [`Operation::draft`]; for a genesis, whose signer is its
    /// first root and accepts the account it creates (ACCT-10), with the signer's acceptance added
    /// unless present.
    ///
    /// # Errors
    ///
    /// As [`Draft::new`].
    ///
    /// ```
    /// # use skylark::account::*;
    /// let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let genesis = Operation::genesis(&[root.public_key()], 0)?.draft_for(&root)?.sign(&root)?;
    /// let mut accounts = Accounts::new();
    /// accounts.apply(&genesis)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn draft_for(&self, key: &SecretKey) -> Result<Draft, EnvelopeError> {
        let public = key.public_key();
        if self.kind == GENESIS && !self.acceptances.iter().any(|a| a.public_key() == public) {
            let mut with = self.clone();
            with.acceptances.push(Acceptor::new(key));
            return with.draft();
        }
        self.draft()
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
pub(super) enum OpBody {
    Genesis {
        roots: Vec<PublicKey>,
        witnesses: Option<WitnessSet>,
        acceptances: Acceptances,
        predecessor: Option<AccountId>,
        /// The commitment to the next root list (rule ACCT-14), if any.
        next: Option<NextRoots>,
    },
    Roots {
        roots: Vec<PublicKey>,
        witnesses: Option<Witnesses>,
        acceptances: Acceptances,
        /// The commitment to the next root list (rule ACCT-14), if any.
        next: Option<NextRoots>,
    },
    Delegate {
        app: PublicKey,
        scope: Scope,
        expires: u64,
        label: Option<String>,
        acceptances: Acceptances,
    },
    Revoke {
        app: PublicKey,
        cutoff: Revocation,
    },
    EncKey {
        key: [u8; 32],
        version: u64,
    },
    /// A witness receipt; the receipted operation is the parsed `after`.
    Receipt,
    /// A deactivation (ACCT-11); in a committed state it names the committed list it reveals
    /// (ACCT-14, 06 §5.8).
    Deactivate {
        reveals: Option<Vec<PublicKey>>,
        acceptances: Acceptances,
    },
    /// The account this one moved to (ACCT-12); in a committed state it names the committed list it
    /// reveals (ACCT-14, 06 §5.8).
    Successor {
        to: AccountId,
        reveals: Option<Vec<PublicKey>>,
        acceptances: Acceptances,
    },
}

impl OpBody {
    /// The root list a committed act names (ACCT-14, 06 §5.8): a `roots` body's list, or the list
    /// a `deactivate` or `successor` body reveals.
    pub(super) fn reveals(&self) -> Option<&[PublicKey]> {
        match self {
            OpBody::Roots { roots, .. } => Some(roots),
            OpBody::Deactivate { reveals, .. } | OpBody::Successor { reveals, .. } => {
                reveals.as_deref()
            }
            _ => None,
        }
    }
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

/// The optional `roots` of a `deactivate` or `successor` body: the committed list it reveals
/// (ACCT-14, 06 §5.8), checked last, as a `roots` value.
fn revealed_field(map: &Map) -> Result<Option<Vec<PublicKey>>, AccountError> {
    match map.get("roots") {
        None => Ok(None),
        Some(_) => roots_field(map).map(Some),
    }
}

/// The optional `witnesses` of a `genesis` or `roots` body (rule ACCT-15), checked after `roots`;
/// a witness that is also one of the body's roots is `acct.key_in_use` (ACCT-3).
fn witnesses_field(
    map: &Map,
    roots: &[PublicKey],
    removal: bool,
) -> Result<Option<Witnesses>, AccountError> {
    let Some(value) = map.get("witnesses") else {
        return Ok(None);
    };
    let witnesses = parse_witnesses(value, removal)?;
    if let Witnesses::Set(set) = &witnesses {
        if roots.iter().any(|r| set.contains(r)) {
            return Err(AccountError::KeyInUse);
        }
    }
    Ok(Some(witnesses))
}

/// A parsed operation: its body, the operation it follows (none for a genesis), and the earlier
/// sibling it names in `supersedes`, if any.
pub(super) type Parsed = (OpBody, Option<MessageId>, Option<MessageId>);

/// Parses an operation message: its body, and (for all but genesis) the operation it follows.
pub(super) fn parse(message: &SignedMessage) -> Result<Parsed, AccountError> {
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
fn parse_body(kind: &str, body: &Map) -> Result<Parsed, AccountError> {
    let after = |body: &Map| -> Result<Option<MessageId>, AccountError> {
        Ok(Some(MessageId::from_bytes(
            bytes32(body, "after")?.ok_or(body_error("after", "is missing"))?,
        )))
    };
    // Optional, checked after every other value (06 §5.3).
    let supersedes = |body: &Map| -> Result<Option<MessageId>, AccountError> {
        Ok(bytes32(body, "supersedes")?.map(MessageId::from_bytes))
    };
    match kind {
        GENESIS => {
            fields(
                body,
                &[
                    ("acceptances", false),
                    ("roots", true),
                    ("witnesses", false),
                    ("predecessor", false),
                    ("next", false),
                ],
            )?;
            let roots = roots_field(body)?;
            let witnesses = match witnesses_field(body, &roots, false)? {
                Some(Witnesses::Set(set)) => Some(set),
                _ => None,
            };
            let predecessor = bytes32(body, "predecessor")?.map(AccountId::from_bytes);
            let next = bytes32(body, "next")?.map(NextRoots);
            let acceptances = Acceptances::parse(body)?;
            Ok((
                OpBody::Genesis {
                    roots,
                    witnesses,
                    acceptances,
                    predecessor,
                    next,
                },
                None,
                None,
            ))
        }
        ROOTS => {
            fields(
                body,
                &[
                    ("after", true),
                    ("roots", true),
                    ("witnesses", false),
                    ("supersedes", false),
                    ("next", false),
                    ("acceptances", false),
                ],
            )?;
            let roots = roots_field(body)?;
            let witnesses = witnesses_field(body, &roots, true)?;
            let (after, supersedes) = (after(body)?, supersedes(body)?);
            let next = bytes32(body, "next")?.map(NextRoots);
            let acceptances = Acceptances::parse(body)?;
            Ok((
                OpBody::Roots {
                    roots,
                    witnesses,
                    acceptances,
                    next,
                },
                after,
                supersedes,
            ))
        }
        DEACTIVATE => {
            fields(
                body,
                &[("after", true), ("roots", false), ("acceptances", false)],
            )?;
            let after = after(body)?;
            let reveals = revealed_field(body)?;
            let acceptances = Acceptances::parse(body)?;
            Ok((
                OpBody::Deactivate {
                    reveals,
                    acceptances,
                },
                after,
                None,
            ))
        }
        SUCCESSOR => {
            fields(
                body,
                &[
                    ("to", true),
                    ("after", true),
                    ("roots", false),
                    ("acceptances", false),
                ],
            )?;
            let to = bytes32(body, "to")?.ok_or(body_error("to", "is missing"))?;
            let after = after(body)?;
            let reveals = revealed_field(body)?;
            let acceptances = Acceptances::parse(body)?;
            Ok((
                OpBody::Successor {
                    to: AccountId::from_bytes(to),
                    reveals,
                    acceptances,
                },
                after,
                None,
            ))
        }
        RECEIPT => {
            fields(body, &[("op", true)])?;
            let op = bytes32(body, "op")?.ok_or(body_error("op", "is missing"))?;
            Ok((OpBody::Receipt, Some(MessageId::from_bytes(op)), None))
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
                    ("supersedes", false),
                    ("acceptances", false),
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
            let app = key_field(body, "app")?;
            let scope = Scope::from_body(body)?;
            let expires = uint_field(body, "expires")?;
            let (after, supersedes) = (after(body)?, supersedes(body)?);
            let acceptances = Acceptances::parse(body)?;
            Ok((
                OpBody::Delegate {
                    app,
                    scope,
                    expires,
                    label,
                    acceptances,
                },
                after,
                supersedes,
            ))
        }
        REVOKE => {
            fields(
                body,
                &[
                    ("app", true),
                    ("after", true),
                    ("cutoff", false),
                    ("supersedes", false),
                ],
            )?;
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
                supersedes(body)?,
            ))
        }
        _ => {
            fields(
                body,
                &[
                    ("key", true),
                    ("after", true),
                    ("version", true),
                    ("supersedes", false),
                ],
            )?;
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
                supersedes(body)?,
            ))
        }
    }
}
