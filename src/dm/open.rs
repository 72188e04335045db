//! Opening (08 §6): DM-1 to DM-9 and DM-16 to DM-18, in the order of the spec.

use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{Tag, XChaCha20Poly1305, XNonce};
use ml_kem::kem::Decapsulate;
use zeroize::Zeroize;

use super::auth::{dm_grant, Grant};
use super::group::{check_message, Groups};
use super::inner::Inner;
use super::keys::DeviceKeys;
use super::seal::{slot_check, slot_mask, Derived, CHECK_AT, COMMIT_AT, C_AT, E_AT, SLOT_AT};
use super::{
    is_zero, DmError, AEAD_TAG_LEN, BUCKETS, DM_KIND, HEADER_LEN, MAX_CLOCK_SKEW, NO_ONETIME,
    REPLAY_WINDOW, SEALED_VERSION,
};
use crate::account::Accounts;
use crate::id::{AccountId, MessageId};

/// A direct message opened by one of its recipients' devices: decrypted, its inner message verified,
/// naming the opener, inside the replay window, not seen before, and sent by a key that may send
/// direct messages for its account (DM-16). Only [`open`] makes one, after every check: an app may
/// show it.
///
/// ```
/// # use skylark::account::{Accounts, Operation};
/// # use skylark::dm::{open, seal_deterministic, DeviceKeys, DmBody, EncryptionSecret, PqSecret, Prekey};
/// # use skylark::envelope::Kind;
/// # let root = skylark::keys::SecretKey::from_seed([1; 32]);
/// # let app = skylark::keys::SecretKey::from_seed([2; 32]);
/// # let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
/// # let alice = Accounts::account_id(&genesis);
/// # let scope = [Kind::new("dm")?, Kind::new("prekey")?];
/// # let delegate = Operation::delegate(alice, genesis.id(), app.public_key(), &scope, 1 << 50, None, 2)?.accepted_by(&app)?.draft()?.after(&genesis).sign(&root)?;
/// # let mut accounts = Accounts::new();
/// # accounts.apply(&genesis)?;
/// # accounts.apply(&delegate)?;
/// // Alice seals a copy to her own other device: the author may open it.
/// let mut tablet = DeviceKeys::new([2; 16], EncryptionSecret::from_bytes([4; 32]), PqSecret::from_seed([4; 64]), vec![]);
/// let bundle = Prekey::from_message(&tablet.bundle(alice, 10, 99)?.sign(&app)?)?;
/// let bob = skylark::id::AccountId::from_bytes([0xbb; 32]);
/// let inner = DmBody::new(&[bob], "hi")?.sign(alice, 50, &app)?;
/// let sealed = seal_deterministic(&inner, &bundle, None, &[5; 32], &[6; 32])?;
/// let opened = open(sealed.as_bytes(), &alice, core::slice::from_mut(&mut tablet), &accounts, 60, |_| false)?;
/// assert_eq!(opened.inner(), &inner);
/// assert_eq!((opened.device(), opened.onetime()), (&[2; 16], None));
/// assert_eq!(opened.into_inner().body().to(), &[bob]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opened {
    inner: Inner,
    device: [u8; 16],
    onetime: Option<u16>,
}

impl Opened {
    /// The inner message.
    ///
    /// See [`Opened`] for an example.
    ///
    /// ```
    /// # fn f(o: &skylark::dm::Opened) -> &str { o.inner().body().text() }
    /// ```
    pub fn inner(&self) -> &Inner {
        &self.inner
    }

    /// The device whose key set opened it.
    ///
    /// ```
    /// # fn f(o: &skylark::dm::Opened) -> [u8; 16] { *o.device() }
    /// ```
    pub fn device(&self) -> &[u8; 16] {
        &self.device
    }

    /// The one-time slot it used (now deleted from the key set), if any.
    ///
    /// ```
    /// # fn f(o: &skylark::dm::Opened) -> bool { o.onetime().is_some() }
    /// ```
    pub fn onetime(&self) -> Option<u16> {
        self.onetime
    }

    /// The inner message, owned.
    ///
    /// ```
    /// # fn f(o: skylark::dm::Opened) -> skylark::dm::Inner { o.into_inner() }
    /// ```
    pub fn into_inner(self) -> Inner {
        self.inner
    }
}

/// What one candidate key set gave (08 §6 step 3).
enum Attempt {
    /// The commitment matched and the AEAD authenticated: the padded plaintext, and the slot.
    Opened(alloc::vec::Vec<u8>, u16),
    /// The slot names a one-time prekey this set does not hold.
    Consumed,
    /// The commitment or the AEAD failed.
    Failed,
}

/// Opens sealed bytes received for account `me` with its devices' key sets `keys`, the opener's
/// account state `accounts` (to authenticate the sender, DM-16), the opener's clock `now`, and
/// `seen`, which says whether an inner id was opened before (it needs to hold only the ids of the
/// last [`REPLAY_WINDOW`], DM-17).
///
/// The checks run in the order of spec 08 §6; the first failure decides. On success, the one-time
/// slot the message used is deleted from its key set (DM-18); on any failure nothing changes.
///
/// # Errors
///
/// One [`DmError`] per cause: `dm.unsupported_version`, `dm.malformed`, `dm.unknown_key`,
/// `dm.weak_key`, `dm.onetime_consumed`, `dm.tampered`, `dm.padding`, `dm.inner_signature`,
/// `dm.inner_body`, `dm.wrong_recipient`, `dm.outside_window`, `dm.replay`,
/// `dm.sender_unauthorized`, `dm.sender_unknown` (undecided: keep the bytes and open them again when
/// the account state knows the sender). They are for the local caller: a node MUST NOT send them, or
/// anything that depends on them, to the relay or the sender.
///
/// ```
/// use skylark::account::Accounts;
/// use skylark::dm::{open, DeviceKeys, EncryptionSecret, PqSecret};
/// let mut keys = [DeviceKeys::new([1; 16], EncryptionSecret::from_bytes([4; 32]), PqSecret::from_seed([4; 64]), vec![])];
/// let me = skylark::id::AccountId::from_bytes([1; 32]);
/// let err = open(&[2, 0, 0], &me, &mut keys, &Accounts::new(), 0, |_| false).unwrap_err();
/// assert_eq!(err.code(), "dm.malformed");
/// ```
///
/// A group message (one that carries a membership record) needs the opener's group state: `open`
/// refuses it with `dm.group_unknown`; use [`open_in_group`].
pub fn open(
    sealed: &[u8],
    me: &AccountId,
    keys: &mut [DeviceKeys],
    accounts: &Accounts,
    now: u64,
    seen: impl Fn(&MessageId) -> bool,
) -> Result<Opened, DmError> {
    open_with(sealed, me, keys, accounts, None, now, seen)
}

/// [`open`] for an opener that keeps group state `groups`: a group message opens only if the
/// membership record it carries is linked to the records held and made by an admin (DM-20), is or
/// becomes its group's head, and its `to` is exactly that record's members, the sender among them
/// (DM-21). On success the record is added to `groups` (with the one-time slot deleted, DM-18); on
/// any failure nothing changes. A message that is not a group message opens as with [`open`].
///
/// # Errors
///
/// Those of [`open`], and `dm.group_record` (DM-19), `dm.group_unknown` (undecided: keep the bytes
/// and open them again when the records or accounts it needs are held), `dm.group_unauthorized`
/// (DM-20), `dm.group_stale`, `dm.group_members` (DM-21).
///
/// ```
/// # use skylark::account::{Accounts, Operation};
/// # use skylark::dm::{open_in_group, seal_deterministic, DeviceKeys, DmBody, EncryptionSecret, GroupRecord, Groups, PqSecret, Prekey};
/// # use skylark::envelope::Kind;
/// # let mut accounts = Accounts::new();
/// # let mut account = |n: u8| -> Result<(skylark::id::AccountId, skylark::keys::SecretKey), Box<dyn std::error::Error>> {
/// #     let root = skylark::keys::SecretKey::from_seed([n; 32]);
/// #     let app = skylark::keys::SecretKey::from_seed([n + 100; 32]);
/// #     let genesis = Operation::genesis(&[root.public_key()], 1)?.sign(&root)?;
/// #     let id = Accounts::account_id(&genesis);
/// #     let scope = [Kind::new("dm")?, Kind::new("prekey")?];
/// #     let delegate = Operation::delegate(id, genesis.id(), app.public_key(), &scope, 1 << 50, None, 2)?.accepted_by(&app)?.draft()?.after(&genesis).sign(&root)?;
/// #     accounts.apply(&genesis)?;
/// #     accounts.apply(&delegate)?;
/// #     Ok((id, app))
/// # };
/// # let ((alice, alice_app), (bob, bob_app), (carol, _)) = (account(1)?, account(2)?, account(3)?);
/// let mut bob_phone = DeviceKeys::new([2; 16], EncryptionSecret::from_bytes([4; 32]), PqSecret::from_seed([4; 64]), vec![]);
/// let bundle = Prekey::from_message(&bob_phone.bundle(bob, 10, 99)?.sign(&bob_app)?)?;
/// // Alice creates a group of three and writes to it; Bob's copy carries the record.
/// let record = GroupRecord::create(alice, &[alice, bob, carol], &[alice], 20, &alice_app)?;
/// let inner = DmBody::for_group(&record, "welcome").sign(alice, 50, &alice_app)?;
/// let sealed = seal_deterministic(&inner, &bundle, None, &[5; 32], &[6; 32])?;
/// let mut groups = Groups::new();
/// let opened = open_in_group(sealed.as_bytes(), &bob, core::slice::from_mut(&mut bob_phone), &accounts, &mut groups, 60, |_| false)?;
/// assert_eq!(opened.inner().body().group(), Some(&record));
/// assert_eq!(groups.head(&record.group()), Some(&record));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[allow(clippy::too_many_arguments)]
pub fn open_in_group(
    sealed: &[u8],
    me: &AccountId,
    keys: &mut [DeviceKeys],
    accounts: &Accounts,
    groups: &mut Groups,
    now: u64,
    seen: impl Fn(&MessageId) -> bool,
) -> Result<Opened, DmError> {
    open_with(sealed, me, keys, accounts, Some(groups), now, seen)
}

#[allow(clippy::too_many_arguments)]
fn open_with(
    sealed: &[u8],
    me: &AccountId,
    keys: &mut [DeviceKeys],
    accounts: &Accounts,
    groups: Option<&mut Groups>,
    now: u64,
    seen: impl Fn(&MessageId) -> bool,
) -> Result<Opened, DmError> {
    let (index, inner, slot) = decrypt(sealed, keys)?;
    // DM-6, DM-7: the inner message verifies and is a valid direct message.
    let inner = Inner::from_bytes(&inner)?;
    // DM-8: sent to the opener (or the opener's own copy).
    if inner.account() != me && !inner.body().to().contains(me) {
        return Err(DmError::WrongRecipient);
    }
    // DM-17: inside the replay window.
    if inner.time() > now.saturating_add(MAX_CLOCK_SKEW)
        || inner.time() < now.saturating_sub(REPLAY_WINDOW)
    {
        return Err(DmError::OutsideWindow);
    }
    // DM-9: not opened before.
    if seen(&inner.id()) {
        return Err(DmError::Replay);
    }
    // DM-16: the key may send direct messages for its account.
    match dm_grant(
        accounts,
        inner.account(),
        inner.key(),
        DM_KIND,
        inner.time(),
    ) {
        Grant::Yes => {}
        Grant::No(cause) => return Err(DmError::SenderUnauthorized(cause)),
        Grant::UnknownAccount => return Err(DmError::SenderUnknown),
    }
    // DM-20, DM-21: a group message's record is linked, authorized and the head; `to` is its
    // members.
    if let Some(record) = inner.body().group() {
        let plan = check_message(
            groups.as_deref(),
            record,
            inner.account(),
            inner.body().to(),
            accounts,
        )?;
        if let Some(groups) = groups {
            groups.commit(record, plan);
        }
    }
    // DM-18: the one-time prekey is used up.
    let onetime = (slot != NO_ONETIME).then_some(slot);
    if let Some(slot) = onetime {
        keys[index].forget_onetime(slot);
    }
    Ok(Opened {
        inner,
        device: *keys[index].device(),
        onetime,
    })
}

/// Steps 1 to 4 of §6 (DM-1 to DM-5, DM-18): the index of the key set that opened `sealed`, the
/// inner bytes and the slot. Shared by direct messages and reports (§14.3).
pub(super) fn decrypt(
    sealed: &[u8],
    keys: &[DeviceKeys],
) -> Result<(usize, alloc::vec::Vec<u8>, u16), DmError> {
    // DM-1: version, then one of the sealed lengths.
    match sealed.first() {
        None => return Err(DmError::Malformed),
        Some(&SEALED_VERSION) => {}
        Some(_) => return Err(DmError::UnsupportedVersion),
    }
    let Some(padded_len) = sealed
        .len()
        .checked_sub(HEADER_LEN + AEAD_TAG_LEN)
        .filter(|n| BUCKETS.contains(n))
    else {
        return Err(DmError::Malformed);
    };
    let (aad, rest) = sealed.split_at(HEADER_LEN);
    let tag = [aad[1], aad[2]];
    let mut e_pub = [0u8; 32];
    e_pub.copy_from_slice(&aad[E_AT..C_AT]);
    let c = &aad[C_AT..SLOT_AT];
    let masked = u16::from_be_bytes([aad[SLOT_AT], aad[SLOT_AT + 1]]);
    let header = Header {
        e_pub,
        c,
        masked,
        check: &aad[CHECK_AT..COMMIT_AT],
        commitment: &aad[COMMIT_AT..],
        aad,
    };
    let (ciphertext, auth) = rest.split_at(padded_len);

    // DM-2: the candidate key sets, in the order given.
    let candidates: alloc::vec::Vec<usize> = (0..keys.len())
        .filter(|&i| keys[i].signed().public_key().mailbox_tag() == tag)
        .collect();
    if candidates.is_empty() {
        return Err(DmError::UnknownKey);
    }

    // DM-3, DM-18, DM-4: the first candidate whose commitment matches and whose AEAD
    // authenticates.
    let mut consumed = false;
    let mut found = None;
    for i in candidates {
        match attempt(&keys[i], &header, ciphertext, auth)? {
            Attempt::Opened(padded, slot) => {
                found = Some((i, padded, slot));
                break;
            }
            Attempt::Consumed => consumed = true,
            Attempt::Failed => {}
        }
    }
    let Some((index, padded, slot)) = found else {
        return Err(if consumed {
            DmError::OnetimeConsumed
        } else {
            DmError::Tampered
        });
    };

    // DM-5: the length prefix, a bucket that holds it (a larger one is cover), zero padding.
    let inner = unpad(&padded).ok_or(DmError::Padding)?;
    Ok((index, inner.to_vec(), slot))
}

/// The fields of a sealed header.
struct Header<'a> {
    e_pub: [u8; 32],
    c: &'a [u8],
    masked: u16,
    check: &'a [u8],
    commitment: &'a [u8],
    aad: &'a [u8],
}

/// Whether two byte strings of one length are equal, in time that depends only on the length.
fn equal(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Step 3 for one candidate key set.
fn attempt(
    keys: &DeviceKeys,
    header: &Header<'_>,
    ciphertext: &[u8],
    auth: &[u8],
) -> Result<Attempt, DmError> {
    let Header {
        e_pub,
        c,
        masked,
        check,
        commitment,
        aad,
    } = header;
    let e_pub = &e_pub;
    let r = keys.signed().public_key();
    // DM-3
    let mut dh1 = keys.signed().diffie_hellman(e_pub);
    if is_zero(&dh1) {
        return Err(DmError::WeakKey);
    }
    let mut encoded = ml_kem::Ciphertext::<ml_kem::MlKem768>::default();
    encoded.copy_from_slice(c);
    let mut ss: [u8; 32] = keys
        .pq()
        .key()
        .decapsulate(&encoded)
        .map_err(|()| DmError::Tampered)?
        .into();
    let slot = masked ^ slot_mask(&dh1, &ss, e_pub, r.as_bytes(), c);
    // DM-4: the slot check, before the slot is looked up (a tampered header fails here).
    if !equal(&slot_check(&dh1, &ss, e_pub, r.as_bytes(), c, slot), check) {
        dh1.zeroize();
        ss.zeroize();
        return Ok(Attempt::Failed);
    }
    // DM-18: the one-time prekey it names.
    let (o, mut dh2) = if slot == NO_ONETIME {
        ([0; 32], [0; 32])
    } else {
        let Some(secret) = keys.onetime(slot) else {
            dh1.zeroize();
            ss.zeroize();
            return Ok(Attempt::Consumed);
        };
        let dh2 = secret.diffie_hellman(e_pub);
        if is_zero(&dh2) {
            return Err(DmError::WeakKey);
        }
        (secret.public_key().0, dh2)
    };
    let derived = Derived::new(&dh1, &dh2, &ss, e_pub, r.as_bytes(), &o, c, slot);
    dh1.zeroize();
    dh2.zeroize();
    ss.zeroize();
    // DM-4: the key commitment, in constant time, before any decryption; then the AEAD.
    if !equal(&derived.commitment, commitment) {
        return Ok(Attempt::Failed);
    }
    let cipher = XChaCha20Poly1305::new(&derived.key.into());
    let mut buffer = ciphertext.to_vec();
    if cipher
        .decrypt_in_place_detached(
            XNonce::from_slice(&derived.nonce),
            aad,
            &mut buffer,
            Tag::from_slice(auth),
        )
        .is_ok()
    {
        Ok(Attempt::Opened(buffer, slot))
    } else {
        Ok(Attempt::Failed)
    }
}

/// The inner message of a padded plaintext (DM-5), or `None`; the padding is checked in time that
/// depends only on the plaintext's length. Any bucket that holds the message is accepted (DM-1
/// made the length a bucket): a sender may pad to a larger one as cover.
fn unpad(plaintext: &[u8]) -> Option<&[u8]> {
    let (prefix, rest) = plaintext.split_at_checked(4)?;
    let len = usize::try_from(u32::from_be_bytes(prefix.try_into().ok()?)).ok()?;
    if len > rest.len() {
        return None;
    }
    let (inner, padding) = rest.split_at(len);
    if padding.iter().fold(0u8, |acc, b| acc | b) != 0 {
        return None;
    }
    Some(inner)
}
