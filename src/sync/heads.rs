//! Per-account sync (09 §9): what a node holds of one account — per key, the last `seq`, its id and
//! how many messages — and an account digest, so that nodes replicating different accounts compare
//! account by account and ask for "account X, key K, after seq N" (SYNC-10, SYNC-11).

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::frame::{bytes, head};
use super::{SyncError, VERSION};
use crate::cbor::{self, Value};
use crate::envelope::SignedMessage;
use crate::id::{AccountId, MessageId};

/// The most key heads one heads page carries (SYNC-11); an account with more keys is sent in pages.
pub const HEADS_PAGE: usize = 512;

/// The largest `seq` (04 ENV-8).
const MAX_SEQ: u64 = (1 << 53) - 1;

/// The BLAKE3 `derive_key` context of the account digest (SYNC-10).
const DIGEST_CONTEXT: &str = "skylark 2026-12-05 account digest";

/// What a node holds of one key of an account (SYNC-10): the highest `seq`, the least id among the
/// messages at that `seq` (two of them are an equivocation, 04 §8), and how many messages.
///
/// ```
/// use skylark::id::{AccountId, MessageId};
/// use skylark::sync::AccountHeads;
///
/// let acct = AccountId::from_bytes([1; 32]);
/// let heads = AccountHeads::new(acct, [([2; 32], 1, MessageId::from_bytes([3; 32]))])?;
/// let head = &heads.keys()[0];
/// assert_eq!((head.key(), head.seq(), head.count()), (&[2; 32], 1, 1));
/// assert_eq!(head.id(), &MessageId::from_bytes([3; 32]));
/// # Ok::<(), skylark::sync::SyncError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyHead {
    key: [u8; 32],
    seq: u64,
    id: MessageId,
    count: u64,
}

impl KeyHead {
    /// The key's 32 bytes (a peer's claim: nothing is checked about the point).
    ///
    /// ```
    /// # use skylark::{id::{AccountId, MessageId}, sync::AccountHeads};
    /// let h = AccountHeads::new(AccountId::from_bytes([0; 32]), [([7; 32], 2, MessageId::from_bytes([0; 32]))])?;
    /// assert_eq!(h.keys()[0].key(), &[7; 32]);
    /// # Ok::<(), skylark::sync::SyncError>(())
    /// ```
    pub fn key(&self) -> &[u8; 32] {
        &self.key
    }

    /// The highest `seq` held of the key.
    ///
    /// ```
    /// # use skylark::{id::{AccountId, MessageId}, sync::AccountHeads};
    /// let h = AccountHeads::new(AccountId::from_bytes([0; 32]), [([7; 32], 2, MessageId::from_bytes([0; 32]))])?;
    /// assert_eq!(h.keys()[0].seq(), 2);
    /// # Ok::<(), skylark::sync::SyncError>(())
    /// ```
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// The least id among the messages held at that `seq`.
    ///
    /// ```
    /// # use skylark::{id::{AccountId, MessageId}, sync::AccountHeads};
    /// let h = AccountHeads::new(AccountId::from_bytes([0; 32]), [([7; 32], 2, MessageId::from_bytes([5; 32]))])?;
    /// assert_eq!(h.keys()[0].id().as_bytes(), &[5; 32]);
    /// # Ok::<(), skylark::sync::SyncError>(())
    /// ```
    pub fn id(&self) -> &MessageId {
        &self.id
    }

    /// How many messages of the key are held (more than `seq` if it equivocated, fewer if some are
    /// missing).
    ///
    /// ```
    /// # use skylark::{id::{AccountId, MessageId}, sync::AccountHeads};
    /// let h = AccountHeads::new(AccountId::from_bytes([0; 32]), [([7; 32], 9, MessageId::from_bytes([5; 32]))])?;
    /// assert_eq!(h.keys()[0].count(), 1);
    /// # Ok::<(), skylark::sync::SyncError>(())
    /// ```
    pub fn count(&self) -> u64 {
        self.count
    }
}

/// The requests (09 §9.1) that fetch what a peer holds beyond `mine`, given the peer's key heads
/// `theirs` (both in key order or not): for a key `mine` lacks, after 0; for a key whose `seq` is
/// higher in `theirs`, after the `seq` in `mine`. Missing messages below a held `seq` are not seen
/// here: when the account digests still differ, reconcile the account's items (09 §9.2). Swap the
/// arguments for what the peer lacks.
///
/// ```
/// use skylark::id::{AccountId, MessageId};
/// use skylark::sync::{wants, AccountHeads};
///
/// let acct = AccountId::from_bytes([1; 32]);
/// let id = |b| MessageId::from_bytes([b; 32]);
/// let mine = AccountHeads::new(acct, [([2; 32], 3, id(1))])?;
/// let theirs = AccountHeads::new(acct, [([2; 32], 1, id(2)), ([9; 32], 1, id(3))])?;
/// let asks: Vec<_> = wants(mine.keys(), theirs.keys()).iter().map(|w| (w.key()[0], w.after())).collect();
/// assert_eq!(asks, [(9, 0)]);
/// let gives: Vec<_> = wants(theirs.keys(), mine.keys()).iter().map(|w| (w.key()[0], w.after())).collect();
/// assert_eq!(gives, [(2, 1)]);
/// # Ok::<(), skylark::sync::SyncError>(())
/// ```
pub fn wants(mine: &[KeyHead], theirs: &[KeyHead]) -> Vec<Want> {
    let mine: BTreeMap<&[u8; 32], u64> = mine.iter().map(|h| (&h.key, h.seq)).collect();
    theirs
        .iter()
        .filter_map(|h| match mine.get(&h.key) {
            None => Some(Want {
                key: h.key,
                after: 0,
            }),
            Some(&seq) if h.seq > seq => Some(Want {
                key: h.key,
                after: seq,
            }),
            Some(_) => None,
        })
        .collect()
}

/// A request "account X, key K, after seq N" (SYNC-10): the messages of the key with `seq > after`.
///
/// ```
/// use skylark::id::{AccountId, MessageId};
/// use skylark::sync::AccountHeads;
///
/// let acct = AccountId::from_bytes([1; 32]);
/// let id = |b| MessageId::from_bytes([b; 32]);
/// let mine = AccountHeads::new(acct, [([2; 32], 1, id(1))])?;
/// let theirs = AccountHeads::new(acct, [([2; 32], 1, id(1)), ([2; 32], 2, id(2))])?;
/// let wants = skylark::sync::wants(mine.keys(), theirs.keys());
/// assert_eq!((wants[0].key(), wants[0].after()), (&[2; 32], 1));
/// # Ok::<(), skylark::sync::SyncError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Want {
    key: [u8; 32],
    after: u64,
}

impl Want {
    /// The key asked for.
    ///
    /// ```
    /// # use skylark::{id::{AccountId, MessageId}, sync::AccountHeads};
    /// let acct = AccountId::from_bytes([1; 32]);
    /// let theirs = AccountHeads::new(acct, [([2; 32], 1, MessageId::from_bytes([1; 32]))])?;
    /// assert_eq!(skylark::sync::wants(AccountHeads::new(acct, [])?.keys(), theirs.keys())[0].key(), &[2; 32]);
    /// # Ok::<(), skylark::sync::SyncError>(())
    /// ```
    pub fn key(&self) -> &[u8; 32] {
        &self.key
    }

    /// The `seq` after which messages are asked for (0: all of them).
    ///
    /// ```
    /// # use skylark::{id::{AccountId, MessageId}, sync::AccountHeads};
    /// let acct = AccountId::from_bytes([1; 32]);
    /// let theirs = AccountHeads::new(acct, [([2; 32], 1, MessageId::from_bytes([1; 32]))])?;
    /// assert_eq!(skylark::sync::wants(AccountHeads::new(acct, [])?.keys(), theirs.keys())[0].after(), 0);
    /// # Ok::<(), skylark::sync::SyncError>(())
    /// ```
    pub fn after(&self) -> u64 {
        self.after
    }
}

/// What a node holds of one account (SYNC-10): its key heads in key order, how many messages, and
/// the account digest — equal on two nodes exactly when they hold the same messages of the account
/// (up to a BLAKE3 collision), whatever else they hold and whatever the time.
///
/// ```
/// use skylark::id::{AccountId, MessageId};
/// use skylark::sync::AccountHeads;
///
/// let acct = AccountId::from_bytes([1; 32]);
/// let id = |b| MessageId::from_bytes([b; 32]);
/// let a = AccountHeads::new(acct, [([2; 32], 1, id(1)), ([3; 32], 1, id(2))])?;
/// let b = AccountHeads::new(acct, [([3; 32], 1, id(2)), ([2; 32], 1, id(1))])?;
/// assert_eq!(a.digest(), b.digest()); // order of arrival does not matter
/// assert_ne!(a.digest(), AccountHeads::new(acct, [])?.digest());
/// # Ok::<(), skylark::sync::SyncError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountHeads {
    account: AccountId,
    digest: [u8; 32],
    count: u64,
    keys: Vec<KeyHead>,
}

impl AccountHeads {
    /// The heads of `account` over messages given as `(key, seq, id)` (their `acct` being
    /// `account`). The same message given twice counts once.
    ///
    /// # Errors
    ///
    /// [`SyncError::HeadsValue`] if a `seq` is 0 or above `2^53 − 1` (04 ENV-8).
    ///
    /// ```
    /// use skylark::id::{AccountId, MessageId};
    /// use skylark::sync::AccountHeads;
    /// let bad = AccountHeads::new(AccountId::from_bytes([0; 32]), [([0; 32], 0, MessageId::from_bytes([0; 32]))]);
    /// assert_eq!(bad.unwrap_err().code(), "sync.heads_value");
    /// ```
    pub fn new(
        account: AccountId,
        messages: impl IntoIterator<Item = ([u8; 32], u64, MessageId)>,
    ) -> Result<Self, SyncError> {
        let all: Vec<([u8; 32], u64, MessageId)> = messages.into_iter().collect();
        if all.iter().any(|m| m.1 == 0 || m.1 > MAX_SEQ) {
            return Err(SyncError::HeadsValue { index: 0 });
        }
        Ok(Self::build(account, all))
    }

    /// The heads over messages whose `seq` is known to be in range.
    fn build(account: AccountId, mut all: Vec<([u8; 32], u64, MessageId)>) -> Self {
        all.sort_unstable();
        all.dedup();
        let mut keys: Vec<KeyHead> = Vec::new();
        for (key, seq, id) in &all {
            match keys.last_mut() {
                Some(h) if h.key == *key => {
                    h.count += 1;
                    if *seq > h.seq {
                        // Sorted by (key, seq, id): the first id at a higher seq is its least.
                        h.seq = *seq;
                        h.id = *id;
                    }
                }
                _ => keys.push(KeyHead {
                    key: *key,
                    seq: *seq,
                    id: *id,
                    count: 1,
                }),
            }
        }
        let mut ids: Vec<&MessageId> = all.iter().map(|m| &m.2).collect();
        ids.sort_unstable();
        let mut h = blake3::Hasher::new_derive_key(DIGEST_CONTEXT);
        h.update(account.as_bytes());
        h.update(&(ids.len() as u64).to_be_bytes());
        for id in ids {
            h.update(id.as_bytes());
        }
        AccountHeads {
            account,
            digest: *h.finalize().as_bytes(),
            count: all.len() as u64,
            keys,
        }
    }

    /// The heads of `account` over the messages among `messages` whose `acct` is `account`.
    ///
    /// ```
    /// use skylark::envelope::{Draft, Kind};
    /// use skylark::id::AccountId;
    /// use skylark::keys::SecretKey;
    /// use skylark::sync::AccountHeads;
    ///
    /// let key = SecretKey::from_seed([7; 32]);
    /// let acct = AccountId::from_bytes([1; 32]);
    /// let body = skylark::cbor::Map::new();
    /// let m = Draft::new(acct, Kind::new("com.example.ping")?, 1_764_115_200_000, &body)?.sign(&key)?;
    /// let heads = AccountHeads::of(&acct, [&m]);
    /// assert_eq!((heads.count(), heads.keys()[0].id()), (1, &m.id()));
    /// assert_eq!(AccountHeads::of(&AccountId::from_bytes([2; 32]), [&m]).count(), 0);
    /// # Ok::<(), skylark::envelope::EnvelopeError>(())
    /// ```
    pub fn of<'a>(
        account: &AccountId,
        messages: impl IntoIterator<Item = &'a SignedMessage>,
    ) -> Self {
        // A verified message's seq is in range (04 ENV-8): no check needed.
        let entries = messages
            .into_iter()
            .filter(|m| m.header().account() == account)
            .map(|m| (*m.header().key().as_bytes(), m.header().seq(), m.id()))
            .collect();
        Self::build(*account, entries)
    }

    /// The account.
    ///
    /// ```
    /// # use skylark::{id::AccountId, sync::AccountHeads};
    /// let acct = AccountId::from_bytes([1; 32]);
    /// assert_eq!(AccountHeads::new(acct, [])?.account(), &acct);
    /// # Ok::<(), skylark::sync::SyncError>(())
    /// ```
    pub fn account(&self) -> &AccountId {
        &self.account
    }

    /// The account digest (SYNC-10).
    ///
    /// ```
    /// # use skylark::{id::AccountId, sync::AccountHeads};
    /// let a = AccountHeads::new(AccountId::from_bytes([1; 32]), [])?;
    /// let b = AccountHeads::new(AccountId::from_bytes([2; 32]), [])?;
    /// assert_ne!(a.digest(), b.digest()); // the account is part of it
    /// # Ok::<(), skylark::sync::SyncError>(())
    /// ```
    pub fn digest(&self) -> &[u8; 32] {
        &self.digest
    }

    /// How many messages of the account are held.
    ///
    /// ```
    /// # use skylark::{id::AccountId, sync::AccountHeads};
    /// assert_eq!(AccountHeads::new(AccountId::from_bytes([1; 32]), [])?.count(), 0);
    /// # Ok::<(), skylark::sync::SyncError>(())
    /// ```
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The key heads, in ascending order of key bytes.
    ///
    /// ```
    /// # use skylark::{id::{AccountId, MessageId}, sync::AccountHeads};
    /// let id = MessageId::from_bytes([0; 32]);
    /// let h = AccountHeads::new(AccountId::from_bytes([1; 32]), [([9; 32], 1, id), ([3; 32], 1, id)])?;
    /// assert_eq!(h.keys()[0].key(), &[3; 32]);
    /// # Ok::<(), skylark::sync::SyncError>(())
    /// ```
    pub fn keys(&self) -> &[KeyHead] {
        &self.keys
    }

    /// The heads page (SYNC-11) of the key heads above `after` (from the first without), at most
    /// [`HEADS_PAGE`] of them, encoded in Skylark CBOR.
    ///
    /// ```
    /// # use skylark::{id::{AccountId, MessageId}, sync::{AccountHeads, HeadsPage}};
    /// let acct = AccountId::from_bytes([1; 32]);
    /// let h = AccountHeads::new(acct, [([9; 32], 1, MessageId::from_bytes([0; 32]))])?;
    /// let page = HeadsPage::decode(&h.page(None), &acct, None)?;
    /// assert_eq!((page.digest(), page.keys()), (h.digest(), h.keys()));
    /// # Ok::<(), skylark::sync::SyncError>(())
    /// ```
    pub fn page(&self, after: Option<&[u8; 32]>) -> Vec<u8> {
        let start = after.map_or(0, |a| self.keys.partition_point(|h| &h.key <= a));
        let keys = &self.keys[start..(start + HEADS_PAGE).min(self.keys.len())];
        let mut out = Vec::with_capacity(100 + keys.len() * 90);
        head(&mut out, 4, 5);
        head(&mut out, 0, VERSION);
        bytes(&mut out, self.account.as_bytes());
        bytes(&mut out, &self.digest);
        head(&mut out, 0, self.count);
        head(&mut out, 4, keys.len() as u64);
        for h in keys {
            head(&mut out, 4, 4);
            bytes(&mut out, &h.key);
            head(&mut out, 0, h.seq);
            bytes(&mut out, h.id.as_bytes());
            head(&mut out, 0, h.count);
        }
        out
    }
}

/// A peer's heads page (SYNC-11), parsed and checked: the account digest and count, and a run of
/// key heads in key order.
///
/// ```
/// # use skylark::{id::AccountId, sync::{AccountHeads, HeadsPage}};
/// let acct = AccountId::from_bytes([1; 32]);
/// let bytes = AccountHeads::new(acct, [])?.page(None);
/// let err = HeadsPage::decode(&bytes, &AccountId::from_bytes([2; 32]), None).unwrap_err();
/// assert_eq!(err.code(), "sync.heads_account");
/// # Ok::<(), skylark::sync::SyncError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadsPage {
    digest: [u8; 32],
    count: u64,
    keys: Vec<KeyHead>,
}

impl HeadsPage {
    /// Parses a heads page that answers a request for `account`'s key heads above `after`.
    ///
    /// # Errors
    ///
    /// In the order of SYNC-11: the `cbor.*` code of a non-canonical input; [`SyncError::HeadsShape`],
    /// [`SyncError::HeadsVersion`], [`SyncError::HeadsAccount`], [`SyncError::HeadsOrder`],
    /// [`SyncError::HeadsValue`].
    ///
    /// ```
    /// # use skylark::{id::AccountId, sync::HeadsPage};
    /// let err = HeadsPage::decode(&[0x80], &AccountId::from_bytes([1; 32]), None).unwrap_err();
    /// assert_eq!(err.code(), "sync.heads_shape");
    /// ```
    pub fn decode(
        bytes: &[u8],
        account: &AccountId,
        after: Option<&[u8; 32]>,
    ) -> Result<Self, SyncError> {
        let value = cbor::decode(bytes).map_err(SyncError::Cbor)?;
        let Value::Array(top) = value else {
            return Err(SyncError::HeadsShape);
        };
        let [Value::Unsigned(version), Value::Bytes(acct), Value::Bytes(digest), Value::Unsigned(count), Value::Array(raw)] =
            top.as_slice()
        else {
            return Err(SyncError::HeadsShape);
        };
        let (Ok(acct), Ok(digest)) = (
            <[u8; 32]>::try_from(acct.as_slice()),
            <[u8; 32]>::try_from(digest.as_slice()),
        ) else {
            return Err(SyncError::HeadsShape);
        };
        let mut keys = Vec::with_capacity(raw.len().min(HEADS_PAGE));
        for r in raw {
            let Value::Array(fields) = r else {
                return Err(SyncError::HeadsShape);
            };
            let [Value::Bytes(key), Value::Unsigned(seq), Value::Bytes(id), Value::Unsigned(n)] =
                fields.as_slice()
            else {
                return Err(SyncError::HeadsShape);
            };
            let (Ok(key), Ok(id)) = (
                <[u8; 32]>::try_from(key.as_slice()),
                <[u8; 32]>::try_from(id.as_slice()),
            ) else {
                return Err(SyncError::HeadsShape);
            };
            keys.push(KeyHead {
                key,
                seq: *seq,
                id: MessageId::from_bytes(id),
                count: *n,
            });
        }
        if *version != VERSION {
            return Err(SyncError::HeadsVersion);
        }
        if acct != *account.as_bytes() {
            return Err(SyncError::HeadsAccount);
        }
        let mut previous = after;
        for (index, h) in keys.iter().enumerate() {
            if previous.is_some_and(|p| &h.key <= p) {
                return Err(SyncError::HeadsOrder { index });
            }
            previous = Some(&h.key);
        }
        let mut total = 0u64;
        for (index, h) in keys.iter().enumerate() {
            total = total.saturating_add(h.count);
            if index >= HEADS_PAGE
                || h.seq == 0
                || h.seq > MAX_SEQ
                || h.count == 0
                || total > *count
            {
                return Err(SyncError::HeadsValue { index });
            }
        }
        Ok(HeadsPage {
            digest,
            count: *count,
            keys,
        })
    }

    /// The peer's account digest (SYNC-10).
    ///
    /// ```
    /// # use skylark::{id::AccountId, sync::{AccountHeads, HeadsPage}};
    /// let h = AccountHeads::new(AccountId::from_bytes([1; 32]), [])?;
    /// assert_eq!(HeadsPage::decode(&h.page(None), h.account(), None)?.digest(), h.digest());
    /// # Ok::<(), skylark::sync::SyncError>(())
    /// ```
    pub fn digest(&self) -> &[u8; 32] {
        &self.digest
    }

    /// How many messages of the account the peer holds.
    ///
    /// ```
    /// # use skylark::{id::AccountId, sync::{AccountHeads, HeadsPage}};
    /// let h = AccountHeads::new(AccountId::from_bytes([1; 32]), [])?;
    /// assert_eq!(HeadsPage::decode(&h.page(None), h.account(), None)?.count(), 0);
    /// # Ok::<(), skylark::sync::SyncError>(())
    /// ```
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The key heads of the page, in ascending key order; a page of [`HEADS_PAGE`] heads may be
    /// followed by another (ask again after its last key).
    ///
    /// ```
    /// # use skylark::{id::AccountId, sync::{AccountHeads, HeadsPage}};
    /// let h = AccountHeads::new(AccountId::from_bytes([1; 32]), [])?;
    /// assert!(HeadsPage::decode(&h.page(None), h.account(), None)?.keys().is_empty());
    /// # Ok::<(), skylark::sync::SyncError>(())
    /// ```
    pub fn keys(&self) -> &[KeyHead] {
        &self.keys
    }
}
