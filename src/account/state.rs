//! An account's state after one of its operations (06 §6), and the transition one operation makes
//! (rules ACCT-3 to ACCT-9).
//!
//! States share structure: the root list is at most four keys, and the two sets that grow with the
//! account (former roots, app grants) are persistent maps ([`PMap`]), so deriving a child's state
//! from its parent's costs `O(log n)` time and memory instead of a copy of every grant.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;

use super::body::{NextRoots, OpBody, Revocation};
use super::pmap::PMap;
use super::scope::Scope;
use super::witness::{WitnessSet, Witnesses};
use super::AccountError;
use crate::envelope::Header;
use crate::id::{AccountId, MessageId};
use crate::keys::PublicKey;

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
/// # let delegate = Operation::delegate(account, genesis.id(), app.public_key(), &[Kind::new("post")?], 99, Some("phone"), 2)?.accepted_by(&app)?.sign(&root)?;
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
    delegated_at: u64,
    delegation: MessageId,
    /// The label and the revocation, boxed once either is held, none while neither is (so that
    /// two equal grants compare equal): most grants have neither, and every grant is held once
    /// per state that changed it (issue 18).
    rare: Option<Box<GrantRare>>,
}

/// The parts of a [`Grant`] that most grants leave empty.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct GrantRare {
    /// The app's label, if the delegation gave one.
    label: Option<Box<str>>,
    /// If revoked: `All` or the first cutoff in `(seq, id)` order, and the second cutoff when two
    /// distinct cutoffs apply (06 §8.4; both must keep a message).
    revoked: Option<(Revocation, Option<Revocation>)>,
}

/// At most this many distinct cutoffs of one key stay in a head state; past it the key is revoked
/// entirely (06 §8.4). Two cover the owner's cutoff and one conflicting one (a corrected retry, or
/// a thief's); AUTH-6 then walks at most two histories per message.
const MAX_CUTOFFS: usize = 2;

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
    /// # let d = Operation::delegate(account, genesis.id(), app.public_key(), &[], 99, None, 2)?.accepted_by(&app)?.sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?; accounts.apply(&d)?;
    /// # let grant = accounts.account(&account).and_then(|a| a.app(&app.public_key())).expect("delegated");
    /// // An empty list of kinds in `Operation::delegate` means every kind.
    /// assert_eq!(grant.scope(), &Scope::all());
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
    /// # let d = Operation::delegate(account, genesis.id(), app.public_key(), &[], 99, Some("phone"), 2)?.accepted_by(&app)?
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
    /// # let d = Operation::delegate(account, genesis.id(), app.public_key(), &[], 99, Some("phone"), 2)?.accepted_by(&app)?
    /// #     .draft()?.after(&genesis).sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?; accounts.apply(&d)?;
    /// # let grant = accounts.account(&account).and_then(|a| a.app(&app.public_key())).expect("delegated");
    /// assert_eq!(grant.label(), Some("phone"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn label(&self) -> Option<&str> {
        self.rare.as_ref()?.label.as_deref()
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
    /// # let d = Operation::delegate(account, genesis.id(), app.public_key(), &[], 99, None, 2)?.accepted_by(&app)?.sign(&root)?;
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
    /// # let d = Operation::delegate(account, genesis.id(), app.public_key(), &[], 99, Some("phone"), 2)?.accepted_by(&app)?
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

    /// The revocation, if the key has been revoked: `All`, or its first cutoff in `(seq, id)` order
    /// when one or two apply ([`Grant::revocations`] has both).
    ///
    /// ```
    /// # use skylark::account::*;
    /// # use skylark::keys::SecretKey;
    /// # let root = SecretKey::from_seed([1; 32]);
    /// # let app = SecretKey::from_seed([2; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// # let account = Accounts::account_id(&genesis);
    /// # let d = Operation::delegate(account, genesis.id(), app.public_key(), &[], 99, Some("phone"), 2)?.accepted_by(&app)?
    /// #     .draft()?.after(&genesis).sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?; accounts.apply(&d)?;
    /// # let grant = accounts.account(&account).and_then(|a| a.app(&app.public_key())).expect("delegated");
    /// // Not revoked: no revocation.
    /// assert_eq!(grant.revocation(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn revocation(&self) -> Option<Revocation> {
        self.revoked().map(|(first, _)| *first)
    }

    /// Every revocation in force (06 §8.4): none, `All`, or one or two cutoffs in `(seq, id)` order.
    /// A message of the key is authorized only if every one keeps it (AUTH-6).
    ///
    /// ```
    /// # use skylark::account::*;
    /// # use skylark::keys::SecretKey;
    /// # let root = SecretKey::from_seed([1; 32]);
    /// # let app = SecretKey::from_seed([2; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// # let account = Accounts::account_id(&genesis);
    /// # let d = Operation::delegate(account, genesis.id(), app.public_key(), &[], 99, None, 2)?.accepted_by(&app)?.sign(&root)?;
    /// # let r = Operation::revoke(account, d.id(), app.public_key(), None, 3)?.draft()?.after(&d).sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?; accounts.apply(&d)?; accounts.apply(&r)?;
    /// # let grant = accounts.account(&account).and_then(|a| a.app(&app.public_key())).expect("delegated");
    /// // Revoked without cutoff: one revocation, `All`.
    /// assert_eq!(grant.revocations().collect::<Vec<_>>(), [Revocation::All]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn revocations(&self) -> impl Iterator<Item = Revocation> {
        let (first, second) = self.revoked().map_or((None, None), |(a, b)| (Some(*a), *b));
        first.into_iter().chain(second)
    }

    /// The revocation in force, if revoked ([`GrantRare::revoked`]).
    fn revoked(&self) -> Option<&(Revocation, Option<Revocation>)> {
        self.rare.as_ref()?.revoked.as_ref()
    }

    /// This grant with the revocation `revoked` in force.
    fn with_revoked(&self, revoked: (Revocation, Option<Revocation>)) -> Grant {
        let mut rare = self.rare.as_deref().cloned().unwrap_or_default();
        rare.revoked = Some(revoked);
        Grant {
            rare: Some(Box::new(rare)),
            ..self.clone()
        }
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

/// An account's state after one of its operations. Cloning it is `O(1)` (a root list of at most
/// four keys, a shared map and the shared rest).
///
/// Every operation of an account holds its state (06 §6), so the state is kept small (issue 18):
/// what most operations leave as it is — the former roots, the witnesses, the encryption key, the
/// successor, the commitment — is one [`More`] behind an [`Arc`], shared by the states of every
/// operation that does not change it, and absent while all of it is empty.
#[derive(Clone, Debug)]
pub(super) struct State {
    /// The root list, shared by the states of the operations that keep it.
    pub(super) roots: Arc<[PublicKey]>,
    /// The grants, each behind an [`Arc`] so that the `O(log n)` map nodes an insertion copies do
    /// not copy grants.
    pub(super) apps: PMap<PublicKey, Arc<Grant>>,
    /// The rest, shared while unchanged; none while it is empty ([`More::default`]).
    more: Option<Arc<More>>,
}

/// The part of a [`State`] that most operations leave as it is.
#[derive(Clone, Debug, Default)]
struct More {
    /// Every key that has been a root on the way to this state; none may become an app key.
    former_roots: PMap<PublicKey, ()>,
    encryption: Option<EncryptionKey>,
    /// The witness set in force (06 §8.6), if the account has one.
    witnesses: Option<Arc<WitnessSet>>,
    /// Every key that is or was a witness on the way to this state: the keys whose receipts over a
    /// child of this state are valid (ACCT-16), and that may never become app keys (ACCT-3).
    ever_witnesses: PMap<PublicKey, ()>,
    /// The account named by the last `successor` operation on the path to this state (ACCT-13).
    successor: Option<AccountId>,
    /// The commitment to the next root list made by the last `genesis` or `roots` operation on the
    /// path to this state (ACCT-14), if it made one.
    next: Option<NextRoots>,
}

impl State {
    /// The state a genesis operation creates.
    pub(super) fn genesis(roots: Vec<PublicKey>) -> State {
        State {
            roots: roots.into(),
            apps: PMap::default(),
            more: None,
        }
    }

    /// The rest of this state, to change: copied first if another state shares it (`O(1)`: its
    /// maps are persistent).
    fn more_mut(&mut self) -> &mut More {
        Arc::make_mut(self.more.get_or_insert_with(Arc::default))
    }

    /// The commitment to the next root list made by the last `genesis` or `roots` operation on the
    /// path to this state (ACCT-14), if it made one.
    pub(super) fn next(&self) -> Option<NextRoots> {
        self.more.as_ref().and_then(|m| m.next)
    }

    /// The account named by the last `successor` operation on the path to this state (ACCT-13).
    pub(super) fn successor(&self) -> Option<AccountId> {
        self.more.as_ref().and_then(|m| m.successor)
    }

    /// The encryption key published last on the path to this state.
    pub(super) fn encryption(&self) -> Option<&EncryptionKey> {
        self.more.as_ref().and_then(|m| m.encryption.as_ref())
    }

    /// The witness set in force (06 §8.6), if the account has one.
    pub(super) fn witnesses(&self) -> Option<&WitnessSet> {
        self.more.as_ref().and_then(|m| m.witnesses.as_deref())
    }

    /// Whether `key` has been a root on the way to this state.
    fn was_root(&self, key: &PublicKey) -> bool {
        self.more
            .as_ref()
            .is_some_and(|m| m.former_roots.contains_key(key))
    }

    /// This state committed to the next root list `next` (a genesis's commitment, ACCT-14).
    pub(super) fn committed(mut self, next: Option<NextRoots>) -> State {
        if next.is_some() {
            self.more_mut().next = next;
        }
        self
    }

    /// This state with `witnesses` in force (a genesis's witness set).
    pub(super) fn witnessed(mut self, witnesses: Option<WitnessSet>) -> State {
        if let Some(set) = witnesses {
            let more = self.more_mut();
            for key in set.keys() {
                more.ever_witnesses.insert(*key, ());
            }
            more.witnesses = Some(Arc::new(set));
        }
        self
    }

    /// Whether `key` is or was a witness on the way to this state (ACCT-16).
    pub(super) fn was_witness(&self, key: &PublicKey) -> bool {
        self.more
            .as_ref()
            .is_some_and(|m| m.ever_witnesses.contains_key(key))
    }

    fn has_role(&self, key: &PublicKey) -> bool {
        self.roots.contains(key)
            || self.was_root(key)
            || self.apps.contains_key(key)
            || self.was_witness(key)
    }

    /// Adds `revocation` to those of this grant (06 §8.4): `All` over any cutoff; distinct cutoffs
    /// accumulate, each of which must keep a message (AUTH-6), and more than [`MAX_CUTOFFS`] of them
    /// revoke the key entirely.
    pub(super) fn revoke_also(&mut self, app: &PublicKey, revocation: Revocation) {
        let Some(grant) = self.apps.get(app) else {
            return;
        };
        let order = |r: &Revocation| match r {
            Revocation::All => (0, 0, [0; 32]),
            Revocation::After { seq, id } => (1, *seq, *id.as_bytes()),
        };
        let mut all: Vec<Revocation> = grant.revocations().chain([revocation]).collect();
        all.sort_by_key(order);
        all.dedup();
        let (first, second) = match all.as_slice() {
            [Revocation::All, ..] => (Revocation::All, None),
            cutoffs if cutoffs.len() > MAX_CUTOFFS => (Revocation::All, None),
            [one] => (*one, None),
            [a, b] => (*a, Some(*b)),
            _ => (Revocation::All, None),
        };
        if grant.revoked() == Some(&(first, second)) {
            return;
        }
        let revoked = grant.with_revoked((first, second));
        self.apps.insert(*app, Arc::new(revoked));
    }

    /// The revealed key of a committed act naming `list` after this state (ACCT-14, 06 §5.8): the
    /// first key of `list` that is neither a root nor a former root here.
    pub(super) fn revealed<'a>(&self, list: &'a [PublicKey]) -> Option<&'a PublicKey> {
        list.iter()
            .find(|k| !self.roots.contains(k) && !self.was_root(k))
    }

    /// Rules ACCT-3 to ACCT-9 for one operation following this state; returns the next state, which
    /// shares all but `O(log n)` map nodes with this one.
    pub(super) fn apply(
        &self,
        header: &Header,
        id: MessageId,
        body: &OpBody,
    ) -> Result<State, AccountError> {
        match (body, body.reveals(), &self.next()) {
            // ACCT-14: a committed act — a rotation, a deactivation or a successor of a committed
            // state — names the committed list and is signed by its first key that is neither a
            // root nor a former root here (the revealed next key); a root of this state cannot
            // sign it. A deactivation or successor naming no list cannot be signed by its key.
            (_, Some(roots), Some(next)) => {
                if !next.matches(roots) {
                    return Err(AccountError::NextMismatch);
                }
                if self.revealed(roots) != Some(header.key()) {
                    return Err(AccountError::NextSigner);
                }
            }
            (OpBody::Deactivate { .. } | OpBody::Successor { .. }, None, Some(_)) => {
                return Err(AccountError::NextSigner);
            }
            // A list revealed where nothing is committed matches no commitment.
            (OpBody::Deactivate { .. } | OpBody::Successor { .. }, Some(_), None) => {
                return Err(AccountError::NextMismatch);
            }
            _ => {
                if !self.roots.contains(header.key()) {
                    return Err(AccountError::NotARoot);
                }
            }
        }
        // No rule compares the time with the parent's (06 §7.2): a claimed time dates only what the
        // operation itself grants.
        let mut next = self.clone();
        match body {
            OpBody::Genesis { .. } => return Err(AccountError::GenesisAccount),
            OpBody::Receipt => return Err(AccountError::NotAWitness),
            // ACCT-11: the state is the parent's; the account view marks the deactivation.
            // ACCT-10, ACCT-14: a committed deactivation or successor carries the acceptance of
            // every key of the list it reveals (the revealed key alone cannot end or move the
            // account); one naming no list carries none.
            OpBody::Deactivate {
                reveals,
                acceptances,
            } => {
                let new = reveals.clone().unwrap_or_default();
                acceptances.check(header.account(), super::DEACTIVATE, new, &[])?;
            }
            // ACCT-12: another account.
            OpBody::Successor {
                to,
                reveals,
                acceptances,
            } => {
                let new = reveals.clone().unwrap_or_default();
                acceptances.check(header.account(), super::SUCCESSOR, new, &[])?;
                if to == header.account() {
                    return Err(AccountError::Successor);
                }
                next.more_mut().successor = Some(*to);
            }
            OpBody::Roots {
                roots,
                witnesses,
                acceptances,
                next: commitment,
            } => {
                if next.next() != *commitment {
                    next.more_mut().next = *commitment;
                }
                if roots.iter().any(|k| self.apps.contains_key(k)) {
                    return Err(AccountError::KeyInUse);
                }
                // The witness set in force below this operation: the one named, or the parent's.
                match witnesses {
                    None => {}
                    Some(Witnesses::Remove) if next.witnesses().is_none() => {}
                    Some(Witnesses::Remove) => next.more_mut().witnesses = None,
                    Some(Witnesses::Set(set)) => {
                        if set.keys().iter().any(|k| self.apps.contains_key(k)) {
                            return Err(AccountError::KeyInUse);
                        }
                        let more = next.more_mut();
                        for key in set.keys() {
                            more.ever_witnesses.insert(*key, ());
                        }
                        more.witnesses = Some(Arc::new(set.clone()));
                    }
                }
                // ACCT-3: no key is both a root and a witness of one state.
                if let Some(set) = next.witnesses() {
                    if roots.iter().any(|k| set.contains(k)) {
                        return Err(AccountError::KeyInUse);
                    }
                }
                // ACCT-10: the roots and witnesses that are not already in the parent's lists; with a
                // commitment to the next roots, every root of the list (ACCT-14: a commitment
                // binds every root it will speak for, 06 §5.8).
                let mut new: Vec<PublicKey> = roots
                    .iter()
                    .filter(|k| commitment.is_some() || !self.roots.contains(k))
                    .copied()
                    .collect();
                if let Some(Witnesses::Set(set)) = witnesses {
                    new.extend(
                        set.keys()
                            .iter()
                            .filter(|k| !self.witnesses().is_some_and(|old| old.contains(k))),
                    );
                }
                acceptances.check(header.account(), super::ROOTS, new, &[])?;
                let more = next.more_mut();
                for root in self.roots.iter() {
                    more.former_roots.insert(*root, ());
                }
                next.roots = roots.as_slice().into();
            }
            OpBody::Delegate {
                app,
                scope,
                expires,
                label,
                acceptances,
            } => {
                if self.has_role(app) {
                    return Err(AccountError::KeyInUse);
                }
                acceptances.check(header.account(), super::DELEGATE, alloc::vec![*app], &[])?;
                if *expires <= header.time() {
                    return Err(AccountError::Expiry);
                }
                next.apps.insert(
                    *app,
                    Arc::new(Grant {
                        scope: scope.clone(),
                        expires: *expires,
                        delegated_at: header.time(),
                        delegation: id,
                        rare: label.as_deref().map(|label| {
                            Box::new(GrantRare {
                                label: Some(Box::from(label)),
                                revoked: None,
                            })
                        }),
                    }),
                );
            }
            OpBody::Revoke { app, cutoff } => {
                let grant = self.apps.get(app).ok_or(AccountError::NotDelegated)?;
                if grant.revoked().is_some() {
                    return Err(AccountError::AlreadyRevoked);
                }
                let revoked = grant.with_revoked((*cutoff, None));
                next.apps.insert(*app, Arc::new(revoked));
            }
            OpBody::EncKey { key, version } => {
                if self.encryption().is_some_and(|e| e.version >= *version) {
                    return Err(AccountError::EncKeyVersion);
                }
                next.more_mut().encryption = Some(EncryptionKey {
                    key: *key,
                    version: *version,
                });
            }
        }
        Ok(next)
    }
}
