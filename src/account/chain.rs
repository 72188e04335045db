//! The tree of an account's operations and its canonical chain (rule ACCT-5, 06 §8), and the view of
//! the state at the chain's head.
//!
//! **When the chain is computed.** Rebuilding the chain after every accepted operation costs
//! `O(n log n)` per operation, `O(n² log n)` for an account of `n` operations. Instead the chain is
//! cached and recomputed lazily, on the first query after a change, with the Euler-tour algorithm of
//! 06 §10 (`O(n log n)`). One operation that extends the chain at its head (the parent is the head
//! and no fork is contested there) updates the cache in `O(log n)` without a recomputation: the new
//! leaf is then the head's only child, and every chosen child above it only gains signatures, so it
//! stays the unique best. So applying `n` operations in any order and then querying costs
//! `O(n log n)`, as does a chain that grows at its head while being queried; a caller that asks for
//! the view after each of `n` operations that land off the head pays `O(n log n)` per query.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;
use core::cell::{OnceCell, RefCell};
use core::fmt;

use super::authorize::Walks;
use super::state::{EncryptionKey, Grant, State};
use crate::id::MessageId;
use crate::keys::PublicKey;

/// One valid operation in an account's tree.
#[derive(Clone, Debug)]
pub(super) struct Node {
    signer: PublicKey,
    /// In arrival order: the chain does not depend on the order of children, so they are never sorted.
    children: Vec<MessageId>,
    pub(super) state: State,
}

/// The canonical chain of an account (rule ACCT-5).
#[derive(Clone, Debug)]
pub(super) struct Canon {
    head: MessageId,
    chain: BTreeSet<MessageId>,
    contested: Vec<MessageId>,
}

/// The operations of one account, and its canonical chain.
#[derive(Clone, Debug)]
pub(super) struct Log {
    genesis: MessageId,
    nodes: BTreeMap<MessageId, Node>,
    /// The canonical chain, computed on the first query after a change (see the module comment).
    canon: OnceCell<Canon>,
    /// The AUTH-6 walks of this account's revoked keys, remembered between authorizations.
    pub(super) walks: RefCell<Walks>,
}

impl Log {
    /// The tree of a new account: its genesis alone.
    pub(super) fn new(genesis: MessageId, signer: PublicKey, state: State) -> Log {
        let node = Node {
            signer,
            children: Vec::new(),
            state,
        };
        Log {
            genesis,
            nodes: BTreeMap::from([(genesis, node)]),
            canon: OnceCell::new(),
            walks: RefCell::default(),
        }
    }

    /// The state after operation `id`, if it is a valid operation of this account.
    pub(super) fn state(&self, id: &MessageId) -> Option<&State> {
        self.nodes.get(id).map(|n| &n.state)
    }

    /// Adds valid operation `id`, which follows `parent`, in `O(log n)`.
    pub(super) fn add(
        &mut self,
        parent: MessageId,
        id: MessageId,
        signer: PublicKey,
        state: State,
    ) {
        let Some(p) = self.nodes.get_mut(&parent) else {
            return;
        };
        p.children.push(id);
        self.nodes.insert(
            id,
            Node {
                signer,
                children: Vec::new(),
                state,
            },
        );
        match self.canon.get_mut() {
            // The new operation is the only child of an uncontested head: the chain grows by it.
            Some(canon) if canon.head == parent && canon.contested.is_empty() => {
                canon.head = id;
                canon.chain.insert(id);
            }
            _ => self.canon = OnceCell::new(),
        }
    }

    /// The canonical chain, computed if the tree changed since it was last asked for.
    pub(super) fn canon(&self) -> &Canon {
        self.canon.get_or_init(|| self.choose())
    }

    /// Chooses the canonical chain (rule ACCT-5): from the genesis, at each operation, the child whose
    /// subtree holds the signature of the highest-priority root (of the parent's root list) wins; a tie
    /// stops the chain there and the tied children are kept as evidence. `O(n log n)` (06 §10).
    fn choose(&self) -> Canon {
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
        let mut contested = Vec::new();
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
                    contested = ids;
                    break;
                }
                None => break,
            }
        }
        Canon {
            head: at,
            chain,
            contested,
        }
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
    canon: &'a Canon,
    state: &'a State,
}

impl<'a> AccountView<'a> {
    /// The view of `log` at the head of its canonical chain.
    pub(super) fn of(log: &'a Log) -> Option<Self> {
        let canon = log.canon();
        let state = log.state(&canon.head)?;
        Some(AccountView { log, canon, state })
    }
}

impl fmt::Debug for AccountView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccountView")
            .field("head", &self.canon.head)
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
        self.canon.head
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
        self.canon.chain.contains(id)
    }
}
