//! Signing in order: a key and its last message, so that every new message is placed after it.

use crate::account::Operation;
use crate::envelope::{Draft, EnvelopeError, SignedMessage};
use crate::id::{AccountId, MessageId};
use crate::keys::{PublicKey, SecretKey};
use crate::message::BodyKind;

/// Why a [`Signer`] refused to sign.
///
/// ```
/// use skylark::replica::SignerError;
/// let e = SignerError::TimeRegression { time: 1, previous: 2 };
/// assert_eq!(e.to_string(), "time 1 is before the key's previous message (2)");
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignerError {
    /// The time is before that of the key's previous message (MSG-4 would reject the message).
    #[error("time {time} is before the key's previous message ({previous})")]
    TimeRegression {
        /// The time asked for.
        time: u64,
        /// The time of the key's previous message.
        previous: u64,
    },
    /// [`Signer::resume`] was given a message that this key did not sign.
    #[error("the message was not signed by this key")]
    NotThisKey,
    /// Drafting or signing failed.
    #[error(transparent)]
    Envelope(#[from] EnvelopeError),
}

/// A key and its last message: every message it signs is the next one of the key's history
/// (`seq` one more, `prev` the last message, 04 §8), so that two messages can never claim the same
/// place by mistake — which other nodes would see as an equivocation (MERGE-10), the mark of a
/// stolen key. It refuses a time before the previous message's.
///
/// An app keeps the last message it signed (or finds it in its replica) and resumes from it after a
/// restart with [`Signer::resume`].
///
/// ```
/// use skylark::message::{BodyKind, Post};
/// use skylark::replica::{Signer, SignerError};
/// let key = skylark::keys::SecretKey::from_seed([1; 32]);
/// let alice = skylark::id::AccountId::from_bytes([1; 32]);
/// let mut signer = Signer::new(key, alice);
/// let one = signer.sign(&Post::builder().text("one").build()?, 1_000)?;
/// let two = signer.sign(&Post::builder().text("two").build()?, 2_000)?;
/// assert_eq!((two.header().seq(), two.header().prev()), (2, Some(one.id())));
/// assert_eq!(
///     signer.sign(&Post::builder().text("late").build()?, 1_500).unwrap_err(),
///     SignerError::TimeRegression { time: 1_500, previous: 2_000 }
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Signer {
    key: SecretKey,
    account: AccountId,
    /// The last message signed: its sequence number, id and time.
    last: Option<(u64, MessageId, u64)>,
}

impl Signer {
    /// A signer for a key that has signed nothing yet, speaking for `account` (for a root key that
    /// signs only operations, any account: operations name their own).
    ///
    /// ```
    /// let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let signer = skylark::replica::Signer::new(key, skylark::id::AccountId::from_bytes([1; 32]));
    /// assert!(signer.last().is_none());
    /// ```
    pub fn new(key: SecretKey, account: AccountId) -> Self {
        Signer {
            key,
            account,
            last: None,
        }
    }

    /// A signer resuming after `last`, the last message this key signed.
    ///
    /// # Errors
    ///
    /// [`SignerError::NotThisKey`] if `last` was signed by another key.
    ///
    /// ```
    /// use skylark::message::{BodyKind, Post};
    /// use skylark::replica::Signer;
    /// let alice = skylark::id::AccountId::from_bytes([1; 32]);
    /// let mut before = Signer::new(skylark::keys::SecretKey::from_seed([1; 32]), alice);
    /// let last = before.sign(&Post::builder().text("one").build()?, 1_000)?;
    /// // After a restart:
    /// let mut signer = Signer::resume(skylark::keys::SecretKey::from_seed([1; 32]), alice, &last)?;
    /// let next = signer.sign(&Post::builder().text("two").build()?, 2_000)?;
    /// assert_eq!(next.header().prev(), Some(last.id()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn resume(
        key: SecretKey,
        account: AccountId,
        last: &SignedMessage,
    ) -> Result<Self, SignerError> {
        if last.header().key() != &key.public_key() {
            return Err(SignerError::NotThisKey);
        }
        let header = last.header();
        Ok(Signer {
            key,
            account,
            last: Some((header.seq(), last.id(), header.time())),
        })
    }

    /// The signing key's public key.
    ///
    /// ```
    /// let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let public = key.public_key();
    /// let signer = skylark::replica::Signer::new(key, skylark::id::AccountId::from_bytes([1; 32]));
    /// assert_eq!(signer.public_key(), public);
    /// ```
    pub fn public_key(&self) -> PublicKey {
        self.key.public_key()
    }

    /// The id of the last message signed (or resumed from).
    ///
    /// ```
    /// let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// assert!(skylark::replica::Signer::new(key, skylark::id::AccountId::from_bytes([1; 32])).last().is_none());
    /// ```
    pub fn last(&self) -> Option<MessageId> {
        self.last.map(|(_, id, _)| id)
    }

    /// Signs a message of `body`'s kind by the signer's account at `time`, as the key's next
    /// message.
    ///
    /// # Errors
    ///
    /// [`SignerError::TimeRegression`] for a time before the previous message's; what drafting and
    /// signing report.
    ///
    /// ```
    /// use skylark::message::{BodyKind, Follow};
    /// use skylark::replica::Signer;
    /// let mut signer = Signer::new(skylark::keys::SecretKey::from_seed([1; 32]), skylark::id::AccountId::from_bytes([1; 32]));
    /// let follow = signer.sign(&Follow::new(skylark::id::AccountId::from_bytes([2; 32])), 5)?;
    /// assert_eq!(follow.header().seq(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sign<B: BodyKind>(&mut self, body: &B, time: u64) -> Result<SignedMessage, SignerError> {
        self.check(time)?;
        let draft = body.draft(self.account, time)?;
        self.place_and_sign(draft, time)
    }

    /// Signs a key operation as the key's next message. The operation's place in its account's
    /// operation tree (its parent, the body's `after`) is the operation's; its place in the
    /// signing key's history (`seq`, `prev`) is the signer's.
    ///
    /// # Errors
    ///
    /// As [`Signer::sign`].
    ///
    /// ```
    /// use skylark::account::Operation;
    /// use skylark::replica::Signer;
    /// let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let public = root.public_key();
    /// let mut signer = Signer::new(root, skylark::id::AccountId::from_bytes([0; 32]));
    /// let genesis = signer.sign_operation(&Operation::genesis(&[public], 1)?)?;
    /// let account = skylark::account::Accounts::account_id(&genesis);
    /// let app = skylark::keys::SecretKey::from_seed([2; 32]);
    /// let delegation = Operation::delegation(account, app.public_key()).parent(genesis.id()).expires(100).build(2)?;
    /// let delegate = signer.sign_operation(&delegation.accepted_by(&app)?)?;
    /// assert_eq!((delegate.header().seq(), delegate.header().prev()), (2, Some(genesis.id())));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sign_operation(&mut self, operation: &Operation) -> Result<SignedMessage, SignerError> {
        let draft = operation.draft_for(&self.key)?;
        let time = operation.time();
        self.check(time)?;
        self.place_and_sign(draft, time)
    }

    fn check(&self, time: u64) -> Result<(), SignerError> {
        match self.last {
            Some((_, _, previous)) if time < previous => {
                Err(SignerError::TimeRegression { time, previous })
            }
            _ => Ok(()),
        }
    }

    fn place_and_sign(&mut self, draft: Draft, time: u64) -> Result<SignedMessage, SignerError> {
        let draft = match self.last {
            Some((seq, id, _)) => draft.at(seq + 1, Some(id))?,
            None => draft,
        };
        let message = draft.sign(&self.key)?;
        self.last = Some((message.header().seq(), message.id(), time));
        Ok(message)
    }
}
