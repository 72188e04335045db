//! Groups with state (08 §5.6, DM-19..DM-21): a signed, hash-linked membership record, carried
//! inside the inner message of every group message, and the opener's record of each group's head.
//!
//! A group is named by the id of its creation record. Each later record names the group and the
//! record it changes (`prev`), and is signed by the DM key of an admin of that record. Where two records change the same record (a fork), the one with the
//! smaller id wins: the head is a function of the records held, not of their order. A group
//! message carries the record its sender holds as head; it opens only if that record is (or
//! becomes) the opener's head and the message's `to` is exactly that record's members, the sender
//! among them.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::auth::{dm_grant, Grant};
use super::{
    body_fields, DmError, DM_KIND, GROUP_ID_CONTEXT, GROUP_SIGNATURE_CONTEXT, MAX_INNER,
    MAX_RECIPIENTS,
};
use crate::account::Accounts;
use crate::cbor::{self, Map, Value};
use crate::envelope::MAX_SAFE_INTEGER;
use crate::id::{AccountId, MessageId};
use crate::keys::{PublicKey, SecretKey, Signature};

/// A verified membership record of a group (DM-19): the canonical CBOR pair
/// `[payload, signature]`, where `payload` names the author's account (`acct`), its DM key
/// (`key`), a time, for a change the group (`group`) and the record it changes (`prev`), the
/// members (1 to [`MAX_RECIPIENTS`] accounts, ascending) and the admins (members, ascending), and
/// the signature is the key's over `"skylark v1 dm group" ‖ 0x00 ‖ payload`.
///
/// Verified here means well formed and signed by `key`; whether the author may make the change
/// (DM-20) and whether it is the head (DM-21) is decided by [`Groups`] against the caller's
/// account state.
///
/// ```
/// use skylark::dm::GroupRecord;
/// use skylark::id::AccountId;
/// let key = skylark::keys::SecretKey::from_seed([1; 32]);
/// let [alice, bob] = [[1; 32], [2; 32]].map(AccountId::from_bytes);
/// let created = GroupRecord::create(alice, &[alice, bob], &[alice], 5, &key)?;
/// assert_eq!(created.group(), created.id()); // a group is named by its creation record
/// let again = GroupRecord::from_bytes(created.as_bytes())?;
/// assert_eq!(again, created);
/// # Ok::<(), skylark::dm::DmError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupRecord {
    bytes: Vec<u8>,
    id: MessageId,
    account: AccountId,
    key: PublicKey,
    time: u64,
    link: Option<(MessageId, MessageId)>,
    members: Vec<AccountId>,
    admins: Vec<AccountId>,
}

/// The accounts of `list`, sorted; `None` if empty, too many, or one is named twice.
fn sorted(list: &[AccountId]) -> Option<Vec<AccountId>> {
    let mut list = list.to_vec();
    list.sort();
    let ok =
        !list.is_empty() && list.len() <= MAX_RECIPIENTS && list.windows(2).all(|w| w[0] < w[1]);
    ok.then_some(list)
}

/// A CBOR array of 1 to 8 strictly ascending 32-byte strings, as accounts.
fn accounts_of(value: Option<&Value>) -> Option<Vec<AccountId>> {
    let Some(Value::Array(list)) = value else {
        return None;
    };
    if list.is_empty() || list.len() > MAX_RECIPIENTS {
        return None;
    }
    let mut out: Vec<AccountId> = Vec::with_capacity(list.len());
    for item in list {
        let Value::Bytes(b) = item else { return None };
        let account = AccountId::from_bytes(b.as_slice().try_into().ok()?);
        if out.last().is_some_and(|last| *last >= account) {
            return None;
        }
        out.push(account);
    }
    Some(out)
}

fn bytes32(value: Option<&Value>) -> Option<[u8; 32]> {
    match value {
        Some(Value::Bytes(b)) => b.as_slice().try_into().ok(),
        _ => None,
    }
}

impl GroupRecord {
    /// The creation record of a new group, by `account` at `time`, signed by `key` (the account's
    /// DM key): `members` (which must include `account`) and `admins` (members; `account` among
    /// them), each in any order.
    ///
    /// # Errors
    ///
    /// [`DmError::GroupRecord`] if a list is empty, longer than [`MAX_RECIPIENTS`], names an
    /// account twice, an admin is not a member, the author is not an admin, or `time` is above
    /// 2^53−1.
    ///
    /// ```
    /// # use skylark::dm::GroupRecord;
    /// # use skylark::id::AccountId;
    /// let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let [alice, bob] = [[1; 32], [2; 32]].map(AccountId::from_bytes);
    /// // The author must be an admin of the group it creates.
    /// assert_eq!(GroupRecord::create(alice, &[alice, bob], &[bob], 5, &key).unwrap_err().code(), "dm.group_record");
    /// ```
    pub fn create(
        account: AccountId,
        members: &[AccountId],
        admins: &[AccountId],
        time: u64,
        key: &SecretKey,
    ) -> Result<Self, DmError> {
        Self::sign(account, None, members, admins, time, key)
    }

    /// A record changing `self` (the group's head as the author holds it) to `members` and
    /// `admins`, by `account` at `time`, signed by `key`. Only an admin of `self` may change the
    /// members or admins (DM-20), which [`Groups`] checks.
    ///
    /// # Errors
    ///
    /// As [`GroupRecord::create`], except that the author need not be a member of the new record
    /// (an admin may hand over and leave).
    ///
    /// ```
    /// # use skylark::dm::GroupRecord;
    /// # use skylark::id::AccountId;
    /// let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let [alice, bob, carol] = [[1; 32], [2; 32], [3; 32]].map(AccountId::from_bytes);
    /// let created = GroupRecord::create(alice, &[alice, bob], &[alice], 5, &key)?;
    /// let added = created.change(alice, &[alice, bob, carol], &[alice], 6, &key)?;
    /// assert_eq!((added.group(), added.prev()), (created.id(), Some(created.id())));
    /// assert_eq!(added.members(), &[alice, bob, carol]);
    /// # Ok::<(), skylark::dm::DmError>(())
    /// ```
    pub fn change(
        &self,
        account: AccountId,
        members: &[AccountId],
        admins: &[AccountId],
        time: u64,
        key: &SecretKey,
    ) -> Result<Self, DmError> {
        Self::sign(
            account,
            Some((self.group(), self.id)),
            members,
            admins,
            time,
            key,
        )
    }

    /// The record by which member `account` leaves the group whose head (as it holds it) is
    /// `self`, at `time`, signed by `key` (its DM key): `self`'s members and admins without
    /// `account`. A member need not be an admin to leave (DM-20); it announces the record to the
    /// members who stay in a group message it sends itself (DM-21).
    ///
    /// # Errors
    ///
    /// [`DmError::GroupRecord`] if `account` is not a member of `self`, or is its last member or
    /// last admin (an admin hands the group over with [`GroupRecord::change`] first), or `time` is
    /// above 2^53−1.
    ///
    /// ```
    /// # use skylark::dm::GroupRecord;
    /// # use skylark::id::AccountId;
    /// let (alice_key, carol_key) = (skylark::keys::SecretKey::from_seed([1; 32]), skylark::keys::SecretKey::from_seed([3; 32]));
    /// let [alice, bob, carol] = [[1; 32], [2; 32], [3; 32]].map(AccountId::from_bytes);
    /// let created = GroupRecord::create(alice, &[alice, bob, carol], &[alice], 5, &alice_key)?;
    /// let left = created.leave(carol, 6, &carol_key)?;
    /// assert_eq!((left.members(), left.admins(), left.prev()), (&[alice, bob][..], &[alice][..], Some(created.id())));
    /// // Alice is the only admin: she cannot leave without handing the group over.
    /// assert_eq!(created.leave(alice, 6, &alice_key).unwrap_err().code(), "dm.group_record");
    /// # Ok::<(), skylark::dm::DmError>(())
    /// ```
    pub fn leave(&self, account: AccountId, time: u64, key: &SecretKey) -> Result<Self, DmError> {
        if !self.members.contains(&account) {
            return Err(DmError::GroupRecord);
        }
        let without = |l: &[AccountId]| -> Vec<AccountId> {
            l.iter().copied().filter(|a| *a != account).collect()
        };
        self.change(
            account,
            &without(&self.members),
            &without(&self.admins),
            time,
            key,
        )
    }

    /// Whether `self` is `parent`'s members and admins without its author, who is a member of
    /// `parent`: a member leaving (DM-20).
    fn leaves(&self, parent: &GroupRecord) -> bool {
        let me = self.account;
        let same_without = |parent: &[AccountId], own: &[AccountId]| {
            parent.iter().filter(|a| **a != me).eq(own.iter())
        };
        parent.members.contains(&me)
            && same_without(&parent.members, &self.members)
            && same_without(&parent.admins, &self.admins)
    }

    fn sign(
        account: AccountId,
        link: Option<(MessageId, MessageId)>,
        members: &[AccountId],
        admins: &[AccountId],
        time: u64,
        key: &SecretKey,
    ) -> Result<Self, DmError> {
        let bad = DmError::GroupRecord;
        let (Some(members), Some(admins)) = (sorted(members), sorted(admins)) else {
            return Err(bad);
        };
        if time > MAX_SAFE_INTEGER || link.is_none() && !admins.contains(&account) {
            return Err(bad);
        }
        let list = |l: &[AccountId]| {
            Value::Array(l.iter().map(|a| Value::from(&a.as_bytes()[..])).collect())
        };
        let mut map = Map::new();
        map.insert("acct", Value::from(&account.as_bytes()[..]));
        map.insert("key", Value::from(&key.public_key().as_bytes()[..]));
        map.insert("time", Value::from(time));
        if let Some((group, prev)) = link {
            map.insert("group", Value::from(&group.as_bytes()[..]));
            map.insert("prev", Value::from(&prev.as_bytes()[..]));
        }
        map.insert("members", list(&members));
        map.insert("admins", list(&admins));
        let payload = map.to_bytes();
        let signature = key.sign_in_context(GROUP_SIGNATURE_CONTEXT.as_bytes(), &payload);
        let bytes = Value::Array(alloc::vec![
            Value::Bytes(payload),
            Value::from(&signature.to_bytes()[..])
        ])
        .to_bytes();
        Self::from_bytes(&bytes)
    }

    /// Parses and verifies membership record bytes (DM-19).
    ///
    /// # Errors
    ///
    /// [`DmError::GroupRecord`] if the bytes are longer than [`MAX_INNER`], not the canonical pair,
    /// the payload lacks a 32-byte `acct`, a valid Ed25519 `key` or a `time` of at most 2^53−1,
    /// the signature does not verify under the group context, `group` and `prev` are not both
    /// 32-byte strings or both absent, `members` or `admins` is not 1 to 8 ascending 32-byte
    /// strings, an admin is not a member, a creation record's author is not an admin, or the
    /// payload has another key without a `"."`.
    ///
    /// ```
    /// # use skylark::dm::GroupRecord;
    /// assert_eq!(GroupRecord::from_bytes(&[0x80]).unwrap_err().code(), "dm.group_record");
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DmError> {
        let bad = DmError::GroupRecord;
        if bytes.len() > MAX_INNER {
            return Err(bad);
        }
        let Ok(Value::Array(pair)) = cbor::decode(bytes) else {
            return Err(bad);
        };
        let [Value::Bytes(payload), Value::Bytes(signature)] = pair.as_slice() else {
            return Err(bad);
        };
        let signature = Signature::from_slice(signature).map_err(|_| bad.clone())?;
        let Ok(Value::Map(map)) = cbor::decode(payload) else {
            return Err(bad);
        };
        let [acct, key, time, group, prev, members, admins] = body_fields(
            &map,
            ["acct", "key", "time", "group", "prev", "members", "admins"],
        )
        .ok_or(bad.clone())?;
        let account = AccountId::from_bytes(bytes32(acct).ok_or(bad.clone())?);
        let key = match key {
            Some(Value::Bytes(b)) => PublicKey::from_slice(b).map_err(|_| bad.clone())?,
            _ => return Err(bad),
        };
        let time = match time {
            Some(&Value::Unsigned(t)) if t <= MAX_SAFE_INTEGER => t,
            _ => return Err(bad),
        };
        let link = match (group, prev) {
            (None, None) => None,
            (Some(_), Some(_)) => Some((
                MessageId::from_bytes(bytes32(group).ok_or(bad.clone())?),
                MessageId::from_bytes(bytes32(prev).ok_or(bad.clone())?),
            )),
            _ => return Err(bad),
        };
        let (Some(members), Some(admins)) = (accounts_of(members), accounts_of(admins)) else {
            return Err(bad);
        };
        if admins.iter().any(|a| !members.contains(a))
            || link.is_none() && !admins.contains(&account)
        {
            return Err(bad);
        }
        key.verify_parts(
            &[GROUP_SIGNATURE_CONTEXT.as_bytes(), &[0], payload],
            &signature,
        )
        .map_err(|_| bad)?;
        Ok(GroupRecord {
            id: MessageId::from_bytes(blake3::derive_key(GROUP_ID_CONTEXT, bytes)),
            bytes: bytes.to_vec(),
            account,
            key,
            time,
            link,
            members,
            admins,
        })
    }

    /// The record's bytes.
    ///
    /// ```
    /// # use skylark::dm::GroupRecord;
    /// # use skylark::id::AccountId;
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let alice = AccountId::from_bytes([1; 32]);
    /// let created = GroupRecord::create(alice, &[alice], &[alice], 5, &key)?;
    /// assert_eq!(created.as_bytes()[0], 0x82); // a CBOR array of two items
    /// # Ok::<(), skylark::dm::DmError>(())
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The record's id: `H("skylark v1 dm group record", bytes)`.
    ///
    /// ```
    /// # use skylark::dm::GroupRecord;
    /// # use skylark::id::AccountId;
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let alice = AccountId::from_bytes([1; 32]);
    /// let a = GroupRecord::create(alice, &[alice], &[alice], 5, &key)?;
    /// let b = GroupRecord::create(alice, &[alice], &[alice], 6, &key)?;
    /// assert_ne!(a.id(), b.id());
    /// # Ok::<(), skylark::dm::DmError>(())
    /// ```
    pub fn id(&self) -> MessageId {
        self.id
    }

    /// The group: the id of its creation record (this record's own id if it is one).
    ///
    /// See [`GroupRecord::change`] for an example.
    ///
    /// ```
    /// # fn f(r: &skylark::dm::GroupRecord) -> skylark::id::MessageId { r.group() }
    /// ```
    pub fn group(&self) -> MessageId {
        self.link.map_or(self.id, |(group, _)| group)
    }

    /// The record this one changes; `None` for a creation record.
    ///
    /// ```
    /// # use skylark::dm::GroupRecord;
    /// # use skylark::id::AccountId;
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let alice = AccountId::from_bytes([1; 32]);
    /// assert_eq!(GroupRecord::create(alice, &[alice], &[alice], 5, &key)?.prev(), None);
    /// # Ok::<(), skylark::dm::DmError>(())
    /// ```
    pub fn prev(&self) -> Option<MessageId> {
        self.link.map(|(_, prev)| prev)
    }

    /// The author's account.
    ///
    /// ```
    /// # use skylark::dm::GroupRecord;
    /// # use skylark::id::AccountId;
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let alice = AccountId::from_bytes([1; 32]);
    /// assert_eq!(GroupRecord::create(alice, &[alice], &[alice], 5, &key)?.account(), &alice);
    /// # Ok::<(), skylark::dm::DmError>(())
    /// ```
    pub fn account(&self) -> &AccountId {
        &self.account
    }

    /// The key that signed it.
    ///
    /// ```
    /// # use skylark::dm::GroupRecord;
    /// # use skylark::id::AccountId;
    /// let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let alice = AccountId::from_bytes([1; 32]);
    /// assert_eq!(GroupRecord::create(alice, &[alice], &[alice], 5, &key)?.key(), &key.public_key());
    /// # Ok::<(), skylark::dm::DmError>(())
    /// ```
    pub fn key(&self) -> &PublicKey {
        &self.key
    }

    /// The signed time, in milliseconds.
    ///
    /// ```
    /// # use skylark::dm::GroupRecord;
    /// # use skylark::id::AccountId;
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let alice = AccountId::from_bytes([1; 32]);
    /// assert_eq!(GroupRecord::create(alice, &[alice], &[alice], 5, &key)?.time(), 5);
    /// # Ok::<(), skylark::dm::DmError>(())
    /// ```
    pub fn time(&self) -> u64 {
        self.time
    }

    /// The members, in ascending byte order.
    ///
    /// ```
    /// # use skylark::dm::GroupRecord;
    /// # use skylark::id::AccountId;
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let [alice, bob] = [[1; 32], [2; 32]].map(AccountId::from_bytes);
    /// assert_eq!(GroupRecord::create(alice, &[bob, alice], &[alice], 5, &key)?.members(), &[alice, bob]);
    /// # Ok::<(), skylark::dm::DmError>(())
    /// ```
    pub fn members(&self) -> &[AccountId] {
        &self.members
    }

    /// The admins, in ascending byte order: the members who may change the group.
    ///
    /// ```
    /// # use skylark::dm::GroupRecord;
    /// # use skylark::id::AccountId;
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let [alice, bob] = [[1; 32], [2; 32]].map(AccountId::from_bytes);
    /// assert_eq!(GroupRecord::create(alice, &[bob, alice], &[alice], 5, &key)?.admins(), &[alice]);
    /// # Ok::<(), skylark::dm::DmError>(())
    /// ```
    pub fn admins(&self) -> &[AccountId] {
        &self.admins
    }
}

/// The records held of one group: every record that was its head when it was added, and the
/// current winning chain from the creation record to the head.
#[derive(Clone, Debug)]
struct Group {
    /// Every record held, by id.
    records: BTreeMap<MessageId, GroupRecord>,
    /// For each record on the winning chain but the head, its winning (smallest) child.
    next: BTreeMap<MessageId, MessageId>,
    /// The head.
    head: MessageId,
}

/// What adding a record would do (DM-20, DM-21), decided before anything changes.
pub(super) enum Plan {
    /// The record is held and is the head already.
    Held,
    /// A new creation record: a new group.
    Create,
    /// A new record that becomes the head; `displaces` is the winning child of its `prev` it
    /// beats (the chain from there is cut), if any.
    Extend { displaces: Option<MessageId> },
}

/// The membership records an opener holds, per group, and each group's head (08 §5.6).
///
/// A record is added only when it is (or becomes) the head: it is well formed (DM-19), its group
/// and `prev` are held (else `dm.group_unknown`, undecided), its author may make it (DM-20), and
/// where another record already changes the same `prev`, it has the smaller id (else
/// `dm.group_stale`). The head is thus the end of the chain that, from the creation record, takes
/// the child with the smallest id at every fork — a function of the records held, whatever their
/// order. Adding a record costs O(log n) plus, at a fork it wins, the length of the chain it cuts.
///
/// ```
/// use skylark::account::{Accounts, Operation};
/// use skylark::dm::{GroupRecord, Groups};
/// use skylark::envelope::Kind;
/// let root = skylark::keys::SecretKey::from_seed([1; 32]);
/// let app = skylark::keys::SecretKey::from_seed([2; 32]);
/// let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
/// let alice = Accounts::account_id(&genesis);
/// let delegate = Operation::delegate(alice, genesis.id(), app.public_key(), &[Kind::new("dm")?], 1 << 50, None, 2)?.accepted_by(&app)?
///     .draft()?.after(&genesis).sign(&root)?;
/// let mut accounts = Accounts::new();
/// accounts.apply(&genesis)?;
/// accounts.apply(&delegate)?;
/// let bob = skylark::id::AccountId::from_bytes([0xbb; 32]);
///
/// let created = GroupRecord::create(alice, &[alice, bob], &[alice], 10, &app)?;
/// let mut groups = Groups::new();
/// groups.add(&created, &accounts)?;
/// assert_eq!(groups.head(&created.group()), Some(&created));
/// // Bob is not an admin: his change adding himself as one is refused.
/// let bob_key = skylark::keys::SecretKey::from_seed([3; 32]);
/// let forged = created.change(bob, &[alice, bob], &[alice, bob], 11, &bob_key)?;
/// assert_eq!(groups.add(&forged, &accounts).unwrap_err().code(), "dm.group_unknown"); // Bob's account is unknown here
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct Groups {
    groups: BTreeMap<MessageId, Group>,
}

impl Groups {
    /// No group.
    ///
    /// ```
    /// assert!(skylark::dm::Groups::new().head(&skylark::id::MessageId::from_bytes([0; 32])).is_none());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// The head record of `group`, if any record of it is held.
    ///
    /// See [`Groups`] for an example.
    ///
    /// ```
    /// # fn f(g: &skylark::dm::Groups, id: &skylark::id::MessageId) -> usize { g.head(id).map_or(0, |r| r.members().len()) }
    /// ```
    pub fn head(&self, group: &MessageId) -> Option<&GroupRecord> {
        let g = self.groups.get(group)?;
        g.records.get(&g.head)
    }

    /// Adds a record that the caller made or received (DM-20, DM-21), checking its author against
    /// `accounts`; it must become (or already be) its group's head. On failure nothing changes.
    ///
    /// # Errors
    ///
    /// [`DmError::GroupUnknown`] (undecided: keep it and add it again when more is known) if its
    /// group or `prev` is not held or its author's account is not in `accounts`;
    /// [`DmError::GroupUnauthorized`] if its key may not send `dm` for its account at its time, or
    /// the author is not an admin of `prev`;
    /// [`DmError::GroupStale`] if it is held but not the head, or another record held changes the
    /// same `prev` and has a smaller id.
    ///
    /// See [`Groups`] for an example.
    ///
    /// ```
    /// # fn f(g: &mut skylark::dm::Groups, r: &skylark::dm::GroupRecord, a: &skylark::account::Accounts) -> bool { g.add(r, a).is_ok() }
    /// ```
    pub fn add(&mut self, record: &GroupRecord, accounts: &Accounts) -> Result<(), DmError> {
        let plan = self.plan(record, accounts)?;
        self.commit(record, plan);
        Ok(())
    }

    /// DM-20 and DM-21 for `record`, without changing anything.
    pub(super) fn plan(&self, record: &GroupRecord, accounts: &Accounts) -> Result<Plan, DmError> {
        let group = self.groups.get(&record.group());
        if let Some(g) = group {
            if g.records.contains_key(&record.id) {
                return if g.head == record.id {
                    Ok(Plan::Held)
                } else {
                    Err(DmError::GroupStale)
                };
            }
        }
        // The parent state, for a change.
        let parent = match (record.prev(), group) {
            (None, _) => None,
            (Some(prev), Some(g)) => Some((g, g.records.get(&prev).ok_or(DmError::GroupUnknown)?)),
            (Some(_), None) => return Err(DmError::GroupUnknown),
        };
        // DM-20: the author's key may send direct messages for its account, at the record's time.
        match dm_grant(accounts, &record.account, &record.key, DM_KIND, record.time) {
            Grant::Yes => {}
            Grant::No(_) => return Err(DmError::GroupUnauthorized),
            Grant::UnknownAccount => return Err(DmError::GroupUnknown),
        }
        let Some((g, parent)) = parent else {
            return Ok(Plan::Create);
        };
        // DM-20: an admin changes anything; any member may leave.
        if !parent.admins.contains(&record.account) && !record.leaves(parent) {
            return Err(DmError::GroupUnauthorized);
        }
        // DM-21: at the fork at `prev`, the smallest id wins; only the chain's records have one.
        if parent.id == g.head {
            return Ok(Plan::Extend { displaces: None });
        }
        match g.next.get(&parent.id) {
            Some(&child) if record.id < child => Ok(Plan::Extend {
                displaces: Some(child),
            }),
            _ => Err(DmError::GroupStale),
        }
    }

    /// Applies a plan made for `record` by [`Groups::plan`].
    pub(super) fn commit(&mut self, record: &GroupRecord, plan: Plan) {
        match plan {
            Plan::Held => {}
            Plan::Create => {
                let mut records = BTreeMap::new();
                records.insert(record.id, record.clone());
                self.groups.insert(
                    record.id,
                    Group {
                        records,
                        next: BTreeMap::new(),
                        head: record.id,
                    },
                );
            }
            Plan::Extend { displaces } => {
                let Some(g) = self.groups.get_mut(&record.group()) else {
                    return;
                };
                // Cut the chain from the displaced child down.
                let mut cut = displaces;
                while let Some(id) = cut {
                    cut = g.next.remove(&id);
                }
                if let Some(prev) = record.prev() {
                    g.next.insert(prev, record.id);
                }
                g.records.insert(record.id, record.clone());
                g.head = record.id;
            }
        }
    }
}

/// DM-21 for a group message: its record is (or becomes) the head, and `to` is exactly the
/// record's members, the sender among them — or the sender is the author of a record new to the
/// opener that left it out (a leave, announced once).
pub(super) fn check_message(
    groups: Option<&Groups>,
    record: &GroupRecord,
    sender: &AccountId,
    to: &[AccountId],
    accounts: &Accounts,
) -> Result<Plan, DmError> {
    let plan = match groups {
        Some(groups) => groups.plan(record, accounts)?,
        None => return Err(DmError::GroupUnknown),
    };
    // The sender is a member, or the author of a record new to the opener by which it left: the
    // one message that announces a leave (or an admin's hand-over) to those who stay.
    let announces = sender == record.account() && !matches!(plan, Plan::Held);
    if to != record.members() || !(record.members().contains(sender) || announces) {
        return Err(DmError::GroupMembers);
    }
    Ok(plan)
}
