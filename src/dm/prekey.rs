//! Prekey bundles (08 §3, DM-10, DM-15): one per device, published as a public `prekey` message.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::auth::{dm_grant, Grant};
use super::gate::Gate;
use super::keys::{EncryptionPublic, PqPublic};
use super::{body_fields, DmError, MAX_ONETIME, MAX_PREKEY_LIFETIME, PREKEY_KIND};
use crate::account::Accounts;
use crate::cbor::Value;
use crate::envelope::{SignedMessage, MAX_SAFE_INTEGER};
use crate::id::{AccountId, MessageId};
use crate::keys::PublicKey;

/// A device's prekey bundle, read from a `prekey` message (DM-10): the device id, a signed X25519
/// prekey, an ML-KEM-768 encapsulation key, up to [`MAX_ONETIME`] one-time X25519 prekeys, and the
/// expiry. Whether its signing key may publish prekeys is [`Prekey::authorize`] (DM-15), which a
/// sender MUST check before sealing to it.
///
/// ```
/// use skylark::dm::{DeviceKeys, EncryptionSecret, PqSecret, Prekey};
/// use skylark::id::AccountId;
/// let app = skylark::keys::SecretKey::from_seed([3; 32]);
/// let keys = DeviceKeys::new([1; 16], EncryptionSecret::from_bytes([4; 32]), PqSecret::from_seed([4; 64]), vec![]);
/// let bob = AccountId::from_bytes([0xbb; 32]);
/// let bundle = Prekey::from_message(&keys.bundle(bob, 1_000, 1_000 + 7 * 86_400_000)?.sign(&app)?)?;
/// assert_eq!(bundle.key(), keys.signed().public_key());
/// assert_eq!(bundle.account(), &bob);
/// assert!(bundle.is_current(2_000));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prekey {
    device: [u8; 16],
    key: EncryptionPublic,
    pq: PqPublic,
    onetime: Vec<EncryptionPublic>,
    expires: u64,
    gate: Gate,
    time: u64,
    account: AccountId,
    signer: PublicKey,
    id: MessageId,
}

impl Prekey {
    /// The bundle a message publishes.
    ///
    /// # Errors
    ///
    /// [`DmError::Prekey`] if the kind is not `prekey`, the body is absent, or it breaks DM-10: keys
    /// `device`, `key`, `pq`, `onetime` and `expires` required, no other key without a `.`;
    /// `device` 16 bytes; `key` 32 bytes; `pq` an ML-KEM-768 encapsulation key that passes the
    /// FIPS 203 modulus check; `onetime` an array of at most 32 distinct 32-byte strings; `expires`
    /// an unsigned integer with `time < expires ≤ time + 30 days` (and at most 2^53−1).
    ///
    /// ```
    /// # use skylark::dm::{DeviceKeys, EncryptionSecret, PqSecret, Prekey};
    /// # use skylark::id::AccountId;
    /// let app = skylark::keys::SecretKey::from_seed([3; 32]);
    /// let keys = DeviceKeys::new([1; 16], EncryptionSecret::from_bytes([4; 32]), PqSecret::from_seed([4; 64]), vec![]);
    /// let msg = keys.bundle(AccountId::from_bytes([1; 32]), 10, 10)?.sign(&app)?; // expires = time
    /// assert_eq!(Prekey::from_message(&msg).unwrap_err().code(), "dm.prekey");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_message(message: &SignedMessage) -> Result<Self, DmError> {
        let header = message.header();
        if header.kind().as_str() != PREKEY_KIND {
            return Err(DmError::Prekey);
        }
        let map = message.body_map().ok_or(DmError::Prekey)?;
        let [device, key, pq, onetime, expires, gate] =
            body_fields(&map, ["device", "key", "pq", "onetime", "expires", "gate"])
                .ok_or(DmError::Prekey)?;
        let gate = match gate {
            None => Gate::open(),
            Some(value) => Gate::from_value(value).ok_or(DmError::Prekey)?,
        };
        let (
            Some(Value::Bytes(device)),
            Some(Value::Bytes(key)),
            Some(Value::Bytes(pq)),
            Some(Value::Array(onetime)),
            Some(&Value::Unsigned(expires)),
        ) = (device, key, pq, onetime, expires)
        else {
            return Err(DmError::Prekey);
        };
        let device: [u8; 16] = device.as_slice().try_into().map_err(|_| DmError::Prekey)?;
        let key: [u8; 32] = key.as_slice().try_into().map_err(|_| DmError::Prekey)?;
        let pq = PqPublic::from_slice(pq).ok_or(DmError::Prekey)?;
        if onetime.len() > MAX_ONETIME {
            return Err(DmError::Prekey);
        }
        let mut keys: Vec<EncryptionPublic> = Vec::with_capacity(onetime.len());
        for item in onetime {
            let Value::Bytes(b) = item else {
                return Err(DmError::Prekey);
            };
            let k = EncryptionPublic(b.as_slice().try_into().map_err(|_| DmError::Prekey)?);
            if keys.contains(&k) {
                return Err(DmError::Prekey);
            }
            keys.push(k);
        }
        let time = header.time();
        if expires > MAX_SAFE_INTEGER || expires <= time || expires - time > MAX_PREKEY_LIFETIME {
            return Err(DmError::Prekey);
        }
        Ok(Prekey {
            device,
            key: EncryptionPublic(key),
            pq,
            onetime: keys,
            expires,
            gate,
            time,
            account: *header.account(),
            signer: *header.key(),
            id: message.id(),
        })
    }

    /// DM-15: whether the bundle's signing key may publish prekeys for its account in `accounts` (the
    /// sender's account state): an app key whose delegated scope names `prekey` explicitly (never a
    /// wildcard), the bundle's time inside the delegation, the key not revoked.
    ///
    /// # Errors
    ///
    /// [`DmError::PrekeyUnauthorized`] with the cause, or with `None` if the account is not known.
    ///
    /// ```
    /// use skylark::account::{Accounts, Operation};
    /// use skylark::dm::{DeviceKeys, EncryptionSecret, PqSecret, Prekey};
    /// let root = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let app = skylark::keys::SecretKey::from_seed([2; 32]);
    /// let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
    /// let bob = Accounts::account_id(&genesis);
    /// // A wildcard delegation (`&[]` is `["*"]`): not the account's DM identity.
    /// let delegate = Operation::delegate(bob, genesis.id(), app.public_key(), &[], 1_000_000, None, 2)?.accepted_by(&app)?
    ///     .draft()?.after(&genesis).sign(&root)?;
    /// let mut accounts = Accounts::new();
    /// accounts.apply(&genesis)?;
    /// accounts.apply(&delegate)?;
    /// let keys = DeviceKeys::new([1; 16], EncryptionSecret::from_bytes([4; 32]), PqSecret::from_seed([4; 64]), vec![]);
    /// let bundle = Prekey::from_message(&keys.bundle(bob, 10, 99)?.sign(&app)?)?;
    /// assert_eq!(bundle.authorize(&accounts).unwrap_err().code(), "dm.prekey_unauthorized");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn authorize(&self, accounts: &Accounts) -> Result<(), DmError> {
        match dm_grant(
            accounts,
            &self.account,
            &self.signer,
            PREKEY_KIND,
            self.time,
        ) {
            Grant::Yes => Ok(()),
            Grant::No(cause) => Err(DmError::PrekeyUnauthorized(Some(cause))),
            Grant::UnknownAccount => Err(DmError::PrekeyUnauthorized(None)),
        }
    }

    /// The device's gate (08 §5.7): the open gate if the bundle has no `gate`.
    ///
    /// ```
    /// # use skylark::dm::{DeviceKeys, EncryptionSecret, Gate, PqSecret, Prekey};
    /// # let keys = DeviceKeys::new([7; 16], EncryptionSecret::from_bytes([4; 32]), PqSecret::from_seed([4; 64]), vec![]);
    /// # let msg = keys.bundle(skylark::id::AccountId::from_bytes([1; 32]), 10, 99)?.sign(&skylark::keys::SecretKey::from_seed([3; 32]))?;
    /// assert_eq!(Prekey::from_message(&msg)?.gate(), &Gate::open());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn gate(&self) -> &Gate {
        &self.gate
    }

    /// The device id.
    ///
    /// ```
    /// # use skylark::dm::{DeviceKeys, EncryptionSecret, PqSecret, Prekey};
    /// # let keys = DeviceKeys::new([7; 16], EncryptionSecret::from_bytes([4; 32]), PqSecret::from_seed([4; 64]), vec![]);
    /// # let msg = keys.bundle(skylark::id::AccountId::from_bytes([1; 32]), 10, 99)?.sign(&skylark::keys::SecretKey::from_seed([3; 32]))?;
    /// assert_eq!(Prekey::from_message(&msg)?.device(), &[7; 16]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn device(&self) -> &[u8; 16] {
        &self.device
    }

    /// The signed X25519 prekey.
    ///
    /// ```
    /// # use skylark::dm::{DeviceKeys, EncryptionSecret, PqSecret, Prekey};
    /// # let keys = DeviceKeys::new([7; 16], EncryptionSecret::from_bytes([4; 32]), PqSecret::from_seed([4; 64]), vec![]);
    /// # let msg = keys.bundle(skylark::id::AccountId::from_bytes([1; 32]), 10, 99)?.sign(&skylark::keys::SecretKey::from_seed([3; 32]))?;
    /// assert_eq!(Prekey::from_message(&msg)?.key(), EncryptionSecret::from_bytes([4; 32]).public_key());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn key(&self) -> EncryptionPublic {
        self.key
    }

    /// The ML-KEM-768 encapsulation key.
    ///
    /// ```
    /// # use skylark::dm::{DeviceKeys, EncryptionSecret, PqSecret, Prekey};
    /// # let keys = DeviceKeys::new([7; 16], EncryptionSecret::from_bytes([4; 32]), PqSecret::from_seed([4; 64]), vec![]);
    /// # let msg = keys.bundle(skylark::id::AccountId::from_bytes([1; 32]), 10, 99)?.sign(&skylark::keys::SecretKey::from_seed([3; 32]))?;
    /// assert_eq!(Prekey::from_message(&msg)?.pq(), &PqSecret::from_seed([4; 64]).public_key());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn pq(&self) -> &PqPublic {
        &self.pq
    }

    /// The one-time prekeys; a slot number is an index into this list.
    ///
    /// ```
    /// # use skylark::dm::{DeviceKeys, EncryptionSecret, PqSecret, Prekey};
    /// # let keys = DeviceKeys::new([7; 16], EncryptionSecret::from_bytes([4; 32]), PqSecret::from_seed([4; 64]), vec![]);
    /// # let msg = keys.bundle(skylark::id::AccountId::from_bytes([1; 32]), 10, 99)?.sign(&skylark::keys::SecretKey::from_seed([3; 32]))?;
    /// assert!(Prekey::from_message(&msg)?.onetime().is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn onetime(&self) -> &[EncryptionPublic] {
        &self.onetime
    }

    /// The last time (milliseconds) at which a sender may seal to this bundle.
    ///
    /// ```
    /// # use skylark::dm::{DeviceKeys, EncryptionSecret, PqSecret, Prekey};
    /// # let keys = DeviceKeys::new([7; 16], EncryptionSecret::from_bytes([4; 32]), PqSecret::from_seed([4; 64]), vec![]);
    /// # let msg = keys.bundle(skylark::id::AccountId::from_bytes([1; 32]), 10, 99)?.sign(&skylark::keys::SecretKey::from_seed([3; 32]))?;
    /// assert_eq!(Prekey::from_message(&msg)?.expires(), 99);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn expires(&self) -> u64 {
        self.expires
    }

    /// The account the bundle belongs to (the header's `acct`).
    ///
    /// ```
    /// # use skylark::dm::{DeviceKeys, EncryptionSecret, PqSecret, Prekey};
    /// # let keys = DeviceKeys::new([7; 16], EncryptionSecret::from_bytes([4; 32]), PqSecret::from_seed([4; 64]), vec![]);
    /// let bob = skylark::id::AccountId::from_bytes([0xbb; 32]);
    /// # let msg = keys.bundle(bob, 10, 99)?.sign(&skylark::keys::SecretKey::from_seed([3; 32]))?;
    /// assert_eq!(Prekey::from_message(&msg)?.account(), &bob);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn account(&self) -> &AccountId {
        &self.account
    }

    /// The id of the bundle message.
    ///
    /// ```
    /// # use skylark::dm::{DeviceKeys, EncryptionSecret, PqSecret, Prekey};
    /// # let keys = DeviceKeys::new([7; 16], EncryptionSecret::from_bytes([4; 32]), PqSecret::from_seed([4; 64]), vec![]);
    /// # let msg = keys.bundle(skylark::id::AccountId::from_bytes([1; 32]), 10, 99)?.sign(&skylark::keys::SecretKey::from_seed([3; 32]))?;
    /// assert_eq!(Prekey::from_message(&msg)?.id(), msg.id());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn id(&self) -> MessageId {
        self.id
    }

    /// Whether a sender may seal to this bundle at `now`: `time ≤ now ≤ expires`.
    ///
    /// ```
    /// # use skylark::dm::{DeviceKeys, EncryptionSecret, PqSecret, Prekey};
    /// # let keys = DeviceKeys::new([7; 16], EncryptionSecret::from_bytes([4; 32]), PqSecret::from_seed([4; 64]), vec![]);
    /// # let msg = keys.bundle(skylark::id::AccountId::from_bytes([1; 32]), 10, 99)?.sign(&skylark::keys::SecretKey::from_seed([3; 32]))?;
    /// let bundle = Prekey::from_message(&msg)?; // time 10, expires 99
    /// assert!(!bundle.is_current(9) && bundle.is_current(10) && bundle.is_current(99) && !bundle.is_current(100));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_current(&self, now: u64) -> bool {
        self.time <= now && now <= self.expires
    }

    /// The bundles a sender seals to (spec 08 §3.3): among `bundles` (already authorized, DM-15),
    /// those current at `now`, and of those, per account and device, the one with the latest header
    /// time, ties broken by the greater message id. One sealed copy goes to each. An empty result
    /// means the account cannot be reached now: there is no fallback key.
    ///
    /// ```
    /// # use skylark::dm::{DeviceKeys, EncryptionSecret, PqSecret, Prekey};
    /// # let app = skylark::keys::SecretKey::from_seed([3; 32]);
    /// # let acct = skylark::id::AccountId::from_bytes([1; 32]);
    /// let device = |d: u8, x: u8| DeviceKeys::new([d; 16], EncryptionSecret::from_bytes([x; 32]), PqSecret::from_seed([x; 64]), vec![]);
    /// let old = Prekey::from_message(&device(1, 1).bundle(acct, 10, 1_000)?.sign(&app)?)?;
    /// let new = Prekey::from_message(&device(1, 2).bundle(acct, 20, 1_000)?.sign(&app)?)?;
    /// let tablet = Prekey::from_message(&device(2, 3).bundle(acct, 15, 1_000)?.sign(&app)?)?;
    /// assert_eq!(Prekey::current([&old, &new, &tablet], 30), vec![&new, &tablet]);
    /// assert!(Prekey::current([&old, &new, &tablet], 2_000).is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn current<'a>(bundles: impl IntoIterator<Item = &'a Prekey>, now: u64) -> Vec<&'a Prekey> {
        let mut latest: BTreeMap<(AccountId, [u8; 16]), &'a Prekey> = BTreeMap::new();
        for p in bundles.into_iter().filter(|p| p.is_current(now)) {
            let slot = latest.entry((p.account, p.device)).or_insert(p);
            if (p.time, p.id) > (slot.time, slot.id) {
                *slot = p;
            }
        }
        latest.into_values().collect()
    }
}
