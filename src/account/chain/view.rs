//! [`AccountView`]: what an application reads of one account's canonical state.

use super::*;

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
    head: MessageId,
    canon: &'a Canon,
    state: &'a State,
}

impl<'a> AccountView<'a> {
    /// The view of `log` at the head of its canonical chain.
    pub(in crate::account) fn of(log: &'a Log) -> Option<Self> {
        let canon = log.canon();
        let head = *canon.head()?;
        log.state(&head)?;
        Some(AccountView {
            log,
            head,
            canon,
            state: log.head_state(canon)?,
        })
    }
}

impl fmt::Debug for AccountView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccountView")
            .field("head", &self.head)
            .field("roots", &self.state.roots)
            .field("apps", &self.state.apps.len())
            .field("contested", &self.canon.contested)
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
        // The chain starts at the genesis (a view is given only of a chain of held operations).
        self.canon.at(&self.log.nodes, 0).unwrap_or(self.head)
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
        self.head
    }

    /// What key authorization reads of the head state (06 §9.2, §9.5), kept cheaply so that a
    /// change can be found: the root keys, and the grants with their revocations. A revocation that
    /// changes the head state without moving the head (06 §8.4: a tied leaf, a contested branch, a
    /// superseded operation) changes the grants. `O(1)`.
    pub(crate) fn authority(&self) -> Authority {
        Authority {
            roots: self.state.roots.clone(),
            apps: self.state.apps.clone(),
            deactivated: self.deactivated(),
        }
    }

    /// The effective time of the account's deactivation (06 §5.6, rule ACCT-11), if it is
    /// deactivated: its head is a deactivation, and every operation of the chain whose parent
    /// names witnesses is final there (the witness gate). Messages
    /// claiming this time or a later one are refused (`auth.deactivated`). A deactivation is an
    /// ordinary operation of the fork choice: a sibling signed by a higher root out-ranks it.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?;
    /// let view = accounts.account(&Accounts::account_id(&genesis)).expect("known");
    /// assert_eq!(view.deactivated(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn deactivated(&self) -> Option<u64> {
        // ACCT-11: the head is a deactivation and every operation of the chain whose parent
        // names witnesses is final there (the witness gate).
        self.log
            .rare()
            .deactivations
            .get(&self.head)
            .copied()
            .filter(|_| self.canon.unfinal.is_none())
    }

    /// The head state's commitment to the next root list (rule ACCT-14, 06 §5.8), if the account
    /// is committed: the next `roots` operation must name that list and be signed by its first new
    /// key. Not part of the compared account view (06 §6).
    ///
    /// ```
    /// # use skylark::account::*;
    /// # let (root, next) = (skylark::keys::SecretKey::from_seed([1; 32]), skylark::keys::SecretKey::from_seed([2; 32]));
    /// let commitment = next_commitment(&[next.public_key()])?;
    /// let genesis = Operation::genesis(&[root.public_key()], 1)?.with_next(commitment)?.sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?;
    /// let view = accounts.account(&Accounts::account_id(&genesis)).expect("known");
    /// assert_eq!(view.next_roots(), Some(commitment));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn next_roots(&self) -> Option<NextRoots> {
        self.state.next()
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
    /// # let d = Operation::delegate(account, genesis.id(), app.public_key(), &[], 99, Some("phone"), 2)?.accepted_by(&app)?
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
        self.state.apps.get(key).map(|grant| &**grant)
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
        self.state.apps.iter().map(|(key, grant)| (key, &**grant))
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
        self.state.encryption()
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
        &self.canon.contested
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
        self.canon.place(&self.log.nodes, id).is_some()
    }

    /// The witness set in force at the head (06 §8.6), if the account has one.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?;
    /// let view = accounts.account(&Accounts::account_id(&genesis)).expect("known");
    /// assert!(view.witnesses().is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn witnesses(&self) -> Option<&'a WitnessSet> {
        self.state.witnesses()
    }

    /// The last operation of the canonical chain's final prefix (06 §8.6): it and every operation
    /// before it on the chain (the genesis aside) are final — enough witnesses of the set in force
    /// at each one's parent receipted it or an operation below it — so no key can replace any of
    /// them. `None` if the first operation after the genesis is not final.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?;
    /// let view = accounts.account(&Accounts::account_id(&genesis)).expect("known");
    /// assert_eq!(view.last_final(), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn last_final(&self) -> Option<MessageId> {
        let place = self.canon.last_final?;
        self.canon.at(&self.log.nodes, place.get())
    }

    /// The witnesses that receipted two operations of this account neither of which is an ancestor
    /// of the other (06 §8.6), sorted: their receipts count for nothing here, and the receipts
    /// themselves are the evidence.
    ///
    /// ```
    /// # use skylark::account::*;
    /// # let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// # let mut accounts = Accounts::new();
    /// # accounts.apply(&genesis)?;
    /// let view = accounts.account(&Accounts::account_id(&genesis)).expect("known");
    /// assert!(view.duplicitous().is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn duplicitous(&self) -> &'a [PublicKey] {
        &self.canon.duplicitous
    }
}
