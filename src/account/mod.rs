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
//! let genesis = Operation::genesis(&[recovery.public_key(), everyday.public_key()], 1_000)?.accepted_by(&everyday)?
//!     .sign(&recovery)?;
//! let account = Accounts::account_id(&genesis);
//! // The everyday root delegates a key to the phone app, for posts only.
//! let delegate = Operation::delegate(account, genesis.id(), phone.public_key(),
//!     &[Kind::new("post")?], 10_000_000, None, 2_000)?.accepted_by(&phone)?
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
//!
//! **Cost** (06 §10). For `n` operations of any shape (chains, siblings, forks, waiting, invalid),
//! applying them all costs `O(n log n)` time and `O(n log n)` memory: each state shares all but
//! `O(log n)` nodes with its parent's (`pmap`), waiting operations are indexed by the operation they
//! wait for, and the canonical chain is recomputed in `O(n log n)` on the first query after a change
//! (`chain`). Authorizing every message of a revoked key's history costs `O(log n)` each
//! (`authorize`).
//!
//! The module is split by concern: `body` (operation bodies, [`Operation`], rule ACCT-1), `state`
//! (a state and one operation's transition, ACCT-3 to ACCT-9), `chain` (the tree and ACCT-5),
//! `authorize` (AUTH-1 to AUTH-6), and here the [`Accounts`] state machine (06 §7).

mod accept;
mod authorize;
mod body;
mod builder;
mod chain;
mod nodes;
mod pmap;
mod scope;
mod state;
mod witness;

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

#[cfg(test)]
pub(crate) use accept::tests as accept_tests;
pub(crate) use accept::Prechecked;
pub use accept::{ACCEPTANCE_CONTEXT, MAX_ACCEPTANCES};
pub(crate) use body::check_operation_body;
pub use body::{next_commitment, NextRoots, Operation, Revocation, NEXT_ROOTS_CONTEXT};
use body::{parse, OpBody};
pub use builder::{DelegateBuilder, EncKeyBuilder, RevokeBuilder, RootsBuilder};
pub use chain::AccountView;
use chain::Log;
pub use scope::{wildcard_covers, Scope, CAPABILITY_PREFIX, CAP_OTHERS, WILDCARD_EXCLUDED_KINDS};
use state::State;
pub use state::{EncryptionKey, Grant};
pub use witness::{WitnessSet, MAX_WITNESSES};

use crate::envelope::SignedMessage;
use crate::id::{AccountId, MessageId};
use crate::keys::{KeyError, PublicKey};

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
/// The kind of the operation that deactivates an account while it is the head (06 §5.6, rule ACCT-11).
pub const DEACTIVATE: &str = "deactivate";
/// The kind of the operation that names the account this one moved to (06 §5.7, rule ACCT-12).
pub const SUCCESSOR: &str = "successor";
/// The kind of a witness receipt (06 §8.6): signed by a witness key, not by a root, and not part of
/// the tree of operations.
pub const RECEIPT: &str = "receipt";
/// Every operation kind. Root keys sign only these (and witness keys only receipts); app keys never
/// may.
pub const OPERATION_KINDS: [&str; 8] = [
    GENESIS, ROOTS, DELEGATE, REVOKE, ENCKEY, RECEIPT, DEACTIVATE, SUCCESSOR,
];

/// The most root keys an account has at once (rule ACCT-3).
pub const MAX_ROOTS: usize = 4;
/// The most entries one delegation's scope has, `"*"` included (rule ACCT-7).
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
    /// A key given a role it cannot have: already a root or an app key of the account, or listed twice.
    #[error("key already has a role in the account")]
    KeyInUse,
    /// The scope does not follow 06 §5.4: 1 to 32 distinct entries in canonical order, each a kind
    /// that is not an operation kind or a capability, `"*"` only first and only before entries it
    /// does not cover.
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
    /// The operation follows an operation that is invalid, or a receipt.
    #[error("operation follows an invalid operation")]
    ParentInvalid,
    /// A witness set that is not 1 to 8 distinct keys in ascending order with a threshold of more
    /// than half of them and at most all (rule ACCT-15).
    #[error("invalid witness set")]
    Witnesses,
    /// A receipt signed by a key that is not a witness of the account where it receipts (rule
    /// ACCT-16).
    #[error("receipt not signed by a witness of the account")]
    NotAWitness,
    /// A key the operation newly names has no acceptance (rule ACCT-10): fewer acceptances than
    /// new keys.
    #[error("a newly named key has not accepted")]
    AcceptanceMissing,
    /// More acceptances than the operation newly names keys (rule ACCT-10).
    #[error("more acceptances than new keys")]
    AcceptanceExtra,
    /// An acceptance that is not its key's signature over this operation (rule ACCT-10).
    #[error("an acceptance does not verify")]
    AcceptanceInvalid,
    /// An operation that follows a deactivation (rule ACCT-11): a deactivated account takes no
    /// further operation (a receipt of the deactivation aside).
    #[error("the operation follows a deactivation")]
    Deactivated,
    /// A `successor` operation naming its own account (rule ACCT-12).
    #[error("a successor must name another account")]
    Successor,
    /// A `roots` operation following a state committed to its next root list whose list is not the
    /// committed one (rule ACCT-14).
    #[error("root list differs from the committed next roots")]
    NextMismatch,
    /// A `roots` operation following a committed state not signed by the first key of its list that
    /// is neither a root nor a former root of that state (rule ACCT-14).
    #[error("committed rotation not signed by its first new key")]
    NextSigner,
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
            Self::KeyInUse => "acct.key_in_use",
            Self::Scope => "acct.scope",
            Self::Expiry => "acct.expiry",
            Self::NotDelegated => "acct.not_delegated",
            Self::AlreadyRevoked => "acct.already_revoked",
            Self::EncKeyVersion => "acct.enckey_version",
            Self::ParentInvalid => "acct.parent_invalid",
            Self::Witnesses => "acct.witnesses",
            Self::NotAWitness => "acct.not_a_witness",
            Self::AcceptanceMissing => "acct.acceptance_missing",
            Self::AcceptanceExtra => "acct.acceptance_extra",
            Self::AcceptanceInvalid => "acct.acceptance_invalid",
            Self::Deactivated => "acct.deactivated",
            Self::Successor => "acct.successor",
            Self::NextMismatch => "acct.next_mismatch",
            Self::NextSigner => "acct.next_signer",
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
            Self::AccountMismatch | Self::NotARoot | Self::ParentInvalid => "ACCT-4",
            Self::Scope | Self::Expiry => "ACCT-7",
            Self::NotDelegated | Self::AlreadyRevoked => "ACCT-8",
            Self::EncKeyVersion => "ACCT-9",
            Self::Witnesses => "ACCT-15",
            Self::NotAWitness => "ACCT-16",
            Self::AcceptanceMissing | Self::AcceptanceExtra | Self::AcceptanceInvalid => "ACCT-10",
            Self::Deactivated => "ACCT-11",
            Self::Successor => "ACCT-12",
            Self::NextMismatch | Self::NextSigner => "ACCT-14",
        }
    }
}

fn body_error(field: &'static str, problem: &'static str) -> AccountError {
    AccountError::Body { field, problem }
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
    /// Operation id -> its account's slot in `accounts`, for every valid operation (a 4-byte slot,
    /// not the 32-byte id: one entry per operation, issue 18).
    owner: BTreeMap<MessageId, u32>,
    /// Slot -> account, in the order the accounts' genesis operations were accepted.
    accounts: Vec<AccountId>,
    /// Missing operation id -> operations waiting for it.
    waiting: BTreeMap<MessageId, Vec<SignedMessage>>,
    /// Operations found invalid, so that operations following them are invalid too.
    invalid: BTreeMap<MessageId, AccountError>,
    /// Waiting operation id -> the missing operation it follows.
    waiting_on: BTreeMap<MessageId, MessageId>,
    /// Account -> the predecessor its valid genesis names (ACCT-13).
    predecessors: BTreeMap<AccountId, AccountId>,
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
        AccountView::of(self.logs.get(id)?)
    }

    /// The account `id` moved to (06 §5.7, rule ACCT-13): the account `B` named by the last
    /// `successor` operation on `id`'s canonical chain, if `B`'s valid genesis names `id` as its
    /// predecessor. Only the pair counts, and a successor off the chain (on a losing branch) counts
    /// for nothing; in a witnessed account, only once every operation of the chain down to it whose
    /// parent names witnesses is final there (the witness gate). Apps follow it from the old
    /// account to the new one.
    ///
    /// ```
    /// # use skylark::account::*;
    /// let (old_root, new_root) = (skylark::keys::SecretKey::from_seed([1; 32]), skylark::keys::SecretKey::from_seed([2; 32]));
    /// let old = Operation::genesis(&[old_root.public_key()], 1)?.sign(&old_root)?;
    /// let a = Accounts::account_id(&old);
    /// let new = Operation::genesis(&[new_root.public_key()], 2)?.predecessor(a)?.sign(&new_root)?;
    /// let b = Accounts::account_id(&new);
    /// let moved = Operation::successor(a, old.id(), b, 3).draft()?.after(&old).sign(&old_root)?;
    /// let mut accounts = Accounts::new();
    /// for m in [&old, &moved] {
    ///     accounts.apply(m)?;
    /// }
    /// assert_eq!(accounts.moved_to(&a), None); // the new side is not held yet
    /// accounts.apply(&new)?;
    /// assert_eq!(accounts.moved_to(&a), Some(b));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn moved_to(&self, id: &AccountId) -> Option<AccountId> {
        self.logs
            .get(id)?
            .successor()
            .filter(|b| self.predecessors.get(b) == Some(id))
    }

    /// The key that must sign a committed act following valid operation `after` (06 §5.8, rule
    /// ACCT-14) — the rotation to `list`, or a deactivation or successor revealing `list`: the
    /// **revealed key**, the first key of `list` that is neither a root nor a former root of the
    /// state after `after`. `None` if `after` is not a valid operation held here, that state is not
    /// committed, `list` is not the list it committed to, or no key of `list` qualifies (then no
    /// operation can rotate the account). This is the rule [`Accounts::apply`] checks; a signer
    /// such as a command-line tool asks it instead of guessing. `O(log n)`.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # use skylark::keys::SecretKey;
    /// let (root, n0, n1) = (SecretKey::from_seed([1; 32]), SecretKey::from_seed([2; 32]),
    ///     SecretKey::from_seed([3; 32]));
    /// // The genesis commits to [root, n1, n0]: the root is kept, so n1 is the revealed key.
    /// let list = [root.public_key(), n1.public_key(), n0.public_key()];
    /// let genesis = Operation::genesis(&[root.public_key()], 1)?
    ///     .with_next(next_commitment(&list)?)?
    ///     .sign(&root)?;
    /// let mut accounts = Accounts::new();
    /// accounts.apply(&genesis)?;
    /// assert_eq!(accounts.revealed_key(&genesis.id(), &list), Some(n1.public_key()));
    /// // Another list, or one in another order, is not the committed one.
    /// assert_eq!(accounts.revealed_key(&genesis.id(), &list[1..]), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn revealed_key(&self, after: &MessageId, list: &[PublicKey]) -> Option<PublicKey> {
        let state = self.logs.get(&self.owner_of(after)?.1)?.state(after)?;
        state
            .next()
            .filter(|next| next.matches(list))
            .and_then(|_| state.revealed(list).copied())
    }

    /// The root list of the state after valid operation `op` (06 §6), highest priority first, if
    /// `op` is a valid operation held here — on the canonical chain or not. `O(log n)`.
    ///
    /// ```
    /// # use skylark::account::*;
    /// let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// let mut accounts = Accounts::new();
    /// accounts.apply(&genesis)?;
    /// assert_eq!(accounts.roots_at(&genesis.id()), Some(&[root.public_key()][..]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn roots_at(&self, op: &MessageId) -> Option<&[PublicKey]> {
        Some(&self.logs.get(&self.owner_of(op)?.1)?.state(op)?.roots)
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
        self.apply_prechecked(message, None)
    }

    /// [`Accounts::apply`], with the acceptances `prechecked` verified (for this message) not
    /// verified again: the same outcome (see [`Prechecked`] for the one caveat of batches), less
    /// work on the applying thread.
    pub(crate) fn apply_prechecked(
        &mut self,
        message: &SignedMessage,
        prechecked: Option<&Prechecked>,
    ) -> Result<Applied, AccountError> {
        let id = message.id();
        if self.owner.contains_key(&id) {
            return Ok(Applied::Duplicate);
        }
        if let Some(error) = self.invalid.get(&id) {
            return Err(*error);
        }
        let parsed = parse(message).map(|(mut body, after, supersedes)| {
            if let Some(prechecked) = prechecked {
                prechecked.mark(&id, &mut body);
            }
            (body, after, supersedes)
        });
        let (body, after, supersedes) = match parsed {
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
        let Some(account) = self.owner_of(&parent) else {
            // `waiting_on` answers "already waiting?" in O(log n); scanning the parent's list
            // would make a flood of operations waiting for one parent quadratic.
            if !self.waiting_on.contains_key(&id) {
                self.waiting
                    .entry(parent)
                    .or_default()
                    .push(message.clone());
                self.waiting_on.insert(id, parent);
            }
            return Ok(Applied::Pending { missing: parent });
        };
        self.accept(account, parent, message, &body, supersedes)?;
        self.release(id);
        Ok(Applied::Accepted)
    }

    fn accept_genesis(
        &mut self,
        message: &SignedMessage,
        body: OpBody,
    ) -> Result<(), AccountError> {
        let header = message.header();
        let OpBody::Genesis {
            roots,
            witnesses,
            acceptances,
            predecessor,
            next,
        } = body
        else {
            return Err(AccountError::GenesisAccount);
        };
        if let Err(error) = accept::genesis_header(header, &roots) {
            return self.reject(message.id(), error);
        }
        let new = accept::genesis_keys(&roots, witnesses.as_ref());
        let tail = accept::genesis_tail(header.key().as_bytes(), header.time());
        if let Err(error) = acceptances.check(header.account(), GENESIS, new, &tail) {
            return self.reject(message.id(), error);
        }
        let account = Self::account_id(message);
        let id = message.id();
        if let Some(from) = predecessor {
            self.predecessors.insert(account, from);
        }
        // The same account again (a genesis of the same header, another id) keeps its slot.
        let slot = match self.logs.get(&account).and_then(Log::genesis) {
            Some(old) => self.owner.get(&old).copied(),
            None => None,
        };
        let slot = match slot {
            Some(slot) => slot,
            None => {
                // More than 2^32 accounts cannot be held in memory; this does not happen.
                let Ok(slot) = u32::try_from(self.accounts.len()) else {
                    return Err(AccountError::GenesisAccount);
                };
                self.accounts.push(account);
                slot
            }
        };
        let state = State::genesis(roots).witnessed(witnesses).committed(next);
        self.logs
            .insert(account, Log::new(id, *header.key(), state));
        self.owner.insert(id, slot);
        self.release(id);
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
        (slot, account): (u32, AccountId),
        parent: MessageId,
        message: &SignedMessage,
        body: &OpBody,
        supersedes: Option<MessageId>,
    ) -> Result<(), AccountError> {
        let id = message.id();
        let header = message.header();
        if header.account() != &account {
            return self.reject(id, AccountError::AccountMismatch);
        }
        let Some(log) = self.logs.get_mut(&account) else {
            return Err(AccountError::AccountMismatch);
        };
        let Some(parent_state) = log.state(&parent) else {
            // `parent` is held and valid but is not in the tree: it is a receipt (06 §8.6).
            return self.reject(id, AccountError::ParentInvalid);
        };
        if let OpBody::Receipt = body {
            // ACCT-16: a witness of a state on the path to the receipted operation's parent.
            if !log.may_receipt(&parent, header.key()) {
                return self.reject(id, AccountError::NotAWitness);
            }
            log.add_receipt(*header.key(), parent);
            self.owner.insert(id, slot);
            return Ok(());
        }
        // ACCT-11: nothing follows a deactivation.
        if log.is_deactivation(&parent) {
            return self.reject(id, AccountError::Deactivated);
        }
        let state = match parent_state.apply(header, id, body) {
            Ok(state) => state,
            Err(error) => return self.reject(id, error),
        };
        log.add(parent, id, header, body, supersedes, state);
        self.owner.insert(id, slot);
        Ok(())
    }

    /// For the memory probe (`tests/replica_memory.rs`), not API: calls `measure` once for each
    /// structure the account state holds, with its name and a function that builds a copy of it and
    /// says how many of the copy's bytes to leave out (the probe's own vector). The states' maps
    /// and grants are shared between a copy and the original (persistent maps), so a copy of the
    /// logs leaves them out: they are what the account state holds besides the parts.
    #[doc(hidden)]
    pub fn memory_parts(
        &self,
        measure: &mut dyn FnMut(&'static str, &dyn Fn() -> crate::replica::Part),
    ) {
        use alloc::boxed::Box;
        measure(
            "logs (the states' maps and grants shared, not counted)",
            &|| (Box::new(self.logs.clone()), 0),
        );
        measure("  of which the node stores", &|| {
            let v: Vec<_> = self.logs.values().map(Log::memory_nodes).collect();
            let own = v.capacity() * core::mem::size_of::<Box<dyn core::any::Any>>();
            let boxes: usize = v.iter().map(|b| core::mem::size_of_val(&**b)).sum();
            (Box::new(v), own + boxes)
        });
        measure("  of which the computed chains (Canon)", &|| {
            let v: Vec<_> = self.logs.values().map(Log::memory_canon).collect();
            let own = v.capacity() * core::mem::size_of::<Box<dyn core::any::Any>>();
            let boxes: usize = v.iter().map(|b| core::mem::size_of_val(&**b)).sum();
            (Box::new(v), own + boxes)
        });
        measure("owner", &|| (Box::new(self.owner.clone()), 0));
        measure("accounts (slot -> account)", &|| {
            (Box::new(self.accounts.clone()), 0)
        });
        measure("waiting", &|| (Box::new(self.waiting.clone()), 0));
        measure("invalid", &|| (Box::new(self.invalid.clone()), 0));
        measure("waiting_on", &|| (Box::new(self.waiting_on.clone()), 0));
        measure("predecessors", &|| (Box::new(self.predecessors.clone()), 0));
    }

    /// The slot and the account of valid operation `op`. `O(log n)`.
    fn owner_of(&self, op: &MessageId) -> Option<(u32, AccountId)> {
        let slot = *self.owner.get(op)?;
        Some((slot, *self.accounts.get(slot as usize)?))
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
            let Some(account) = self.owner_of(&parent) else {
                continue;
            };
            for child in children {
                let child_id = child.id();
                let outcome = match parse(&child) {
                    Ok((body, _, supersedes)) => {
                        self.accept(account, parent, &child, &body, supersedes)
                    }
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
