//! Sealed reports (08 §14.2, §14.3, DM-26..DM-29): a report body (05 §5.9) signed by the reporter
//! under its own context, sealed to a key its moderation service declared, opened only by the
//! service.

use alloc::vec::Vec;

use rand_core::{CryptoRng, RngCore};
use zeroize::Zeroize;

use super::auth::{dm_grant, Grant};
use super::inner::{sign_pair, verify_pair};
use super::keys::DeviceKeys;
use super::open::decrypt;
use super::seal::{seal_bytes, Sealed};
use super::service::{Declaration, ServiceKey};
use super::{body_fields, DmError, MAX_CLOCK_SKEW, REPLAY_WINDOW};
use crate::account::Accounts;
use crate::cbor::{Map, Value};
use crate::envelope::MAX_SAFE_INTEGER;
use crate::id::{AccountId, MessageId};
use crate::keys::{PublicKey, SecretKey};
use crate::message::Report;

/// The signature context of an inner report (03 §7): `context ‖ 0x00 ‖ payload` is signed. Distinct
/// from a direct message's, so that neither can be shown as the other.
pub const REPORT_SIGNATURE_CONTEXT: &str = "skylark v1 report";
/// The BLAKE3 `derive_key` context of an inner report's id (its replay key, DM-9).
pub const REPORT_ID_CONTEXT: &str = "skylark v1 report id";
/// The scope name a reporter's key must list (DM-29).
pub const REPORT_SCOPE: &str = "report";

/// A signed report (08 §14.2): `[payload, signature]`, the payload naming the reporter's account
/// (`acct`), its key, the time and the report body (05 §5.9), signed under
/// [`REPORT_SIGNATURE_CONTEXT`]. It is never a public message (05 REPORT-3): it travels sealed to a
/// key its service declared.
///
/// ```
/// use skylark::dm::ReportInner;
/// use skylark::id::AccountId;
/// use skylark::message::{Reason, Reference, Report};
/// let service = AccountId::from_bytes([0x5e; 32]);
/// let body = Report::builder(Reference::Account(AccountId::from_bytes([0xbb; 32])), service, Reason::Harassment)
///     .text("He keeps writing to me.").build()?;
/// let key = skylark::keys::SecretKey::from_seed([1; 32]);
/// let inner = ReportInner::sign(&body, AccountId::from_bytes([0xaa; 32]), 5, &key)?;
/// assert_eq!(ReportInner::from_bytes(inner.as_bytes())?, inner);
/// assert_eq!(inner.report(), &body);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportInner {
    bytes: Vec<u8>,
    id: MessageId,
    account: AccountId,
    key: PublicKey,
    time: u64,
    report: Report,
}

impl ReportInner {
    /// Signs `report` for `account` at `time` with `key` (the reporter's key whose scope names
    /// `report`, DM-29).
    ///
    /// # Errors
    ///
    /// [`DmError::InnerSignature`] for a time above 2^53−1; [`DmError::TooLarge`] past 65532 bytes.
    ///
    /// ```
    /// # use skylark::dm::ReportInner;
    /// # use skylark::id::AccountId;
    /// # use skylark::message::{Reason, Reference, Report};
    /// # let body = Report::builder(Reference::Account(AccountId::from_bytes([2; 32])), AccountId::from_bytes([3; 32]), Reason::Spam).build()?;
    /// let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// assert_eq!(ReportInner::sign(&body, AccountId::from_bytes([1; 32]), 7, &key)?.time(), 7);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sign(
        report: &Report,
        account: AccountId,
        time: u64,
        key: &SecretKey,
    ) -> Result<Self, DmError> {
        if time > MAX_SAFE_INTEGER {
            return Err(DmError::InnerSignature);
        }
        let public = key.public_key();
        let mut map = Map::new();
        map.insert("acct", Value::from(&account.as_bytes()[..]));
        map.insert("key", Value::from(&public.as_bytes()[..]));
        map.insert("time", Value::from(time));
        map.insert("report", Value::Map(report.to_map()));
        let bytes = sign_pair(&map, key, REPORT_SIGNATURE_CONTEXT)?;
        Ok(ReportInner {
            id: MessageId::from_bytes(blake3::derive_key(REPORT_ID_CONTEXT, &bytes)),
            bytes,
            account,
            key: public,
            time,
            report: report.clone(),
        })
    }

    /// Parses and verifies inner report bytes: DM-11, DM-6 under the report context, then DM-26.
    ///
    /// # Errors
    ///
    /// [`DmError::TooLarge`], [`DmError::InnerSignature`] as for a direct message;
    /// [`DmError::ReportBody`] if the payload has a key other than `acct`, `key`, `time`, `report`
    /// without a `"."`, or `report` is absent or not a map; [`DmError::Report`] with the rule of
    /// 05 §5.9 (MSG-1, REPORT-1, REPORT-2) that the body breaks.
    ///
    /// ```
    /// # use skylark::dm::ReportInner;
    /// assert_eq!(ReportInner::from_bytes(&[0x80]).unwrap_err().code(), "dm.inner_signature");
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DmError> {
        let (map, account, key, time) = verify_pair(bytes, REPORT_SIGNATURE_CONTEXT)?;
        let [_, _, _, report] =
            body_fields(&map, ["acct", "key", "time", "report"]).ok_or(DmError::ReportBody)?;
        let Some(Value::Map(report)) = report else {
            return Err(DmError::ReportBody);
        };
        let report = Report::parse(report).map_err(DmError::Report)?;
        Ok(ReportInner {
            id: MessageId::from_bytes(blake3::derive_key(REPORT_ID_CONTEXT, bytes)),
            bytes: bytes.to_vec(),
            account,
            key,
            time,
            report,
        })
    }

    /// The bytes, as sealed.
    ///
    /// ```
    /// # use skylark::dm::ReportInner;
    /// # use skylark::id::AccountId;
    /// # use skylark::message::{Reason, Reference, Report};
    /// # let body = Report::builder(Reference::Account(AccountId::from_bytes([2; 32])), AccountId::from_bytes([3; 32]), Reason::Spam).build()?;
    /// # let inner = ReportInner::sign(&body, AccountId::from_bytes([1; 32]), 7, &skylark::keys::SecretKey::from_seed([1; 32]))?;
    /// assert_eq!(inner.as_bytes()[0], 0x82);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The id: `H("skylark v1 report id", bytes)`, the replay key of DM-9.
    ///
    /// ```
    /// # use skylark::dm::ReportInner;
    /// # use skylark::id::AccountId;
    /// # use skylark::message::{Reason, Reference, Report};
    /// # let body = Report::builder(Reference::Account(AccountId::from_bytes([2; 32])), AccountId::from_bytes([3; 32]), Reason::Spam).build()?;
    /// # let inner = ReportInner::sign(&body, AccountId::from_bytes([1; 32]), 7, &skylark::keys::SecretKey::from_seed([1; 32]))?;
    /// assert_eq!(inner.id().as_bytes(), &blake3::derive_key("skylark v1 report id", inner.as_bytes()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn id(&self) -> MessageId {
        self.id
    }

    /// The reporter's account.
    ///
    /// ```
    /// # use skylark::dm::ReportInner;
    /// # use skylark::id::AccountId;
    /// # use skylark::message::{Reason, Reference, Report};
    /// # let body = Report::builder(Reference::Account(AccountId::from_bytes([2; 32])), AccountId::from_bytes([3; 32]), Reason::Spam).build()?;
    /// # let inner = ReportInner::sign(&body, AccountId::from_bytes([1; 32]), 7, &skylark::keys::SecretKey::from_seed([1; 32]))?;
    /// assert_eq!(inner.account(), &AccountId::from_bytes([1; 32]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn account(&self) -> &AccountId {
        &self.account
    }

    /// The reporter's signing key.
    ///
    /// ```
    /// # use skylark::dm::ReportInner;
    /// # use skylark::id::AccountId;
    /// # use skylark::message::{Reason, Reference, Report};
    /// # let body = Report::builder(Reference::Account(AccountId::from_bytes([2; 32])), AccountId::from_bytes([3; 32]), Reason::Spam).build()?;
    /// let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// # let inner = ReportInner::sign(&body, AccountId::from_bytes([1; 32]), 7, &key)?;
    /// assert_eq!(inner.key(), &key.public_key());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn key(&self) -> &PublicKey {
        &self.key
    }

    /// The time (milliseconds) the reporter gives.
    ///
    /// ```
    /// # use skylark::dm::ReportInner;
    /// # use skylark::id::AccountId;
    /// # use skylark::message::{Reason, Reference, Report};
    /// # let body = Report::builder(Reference::Account(AccountId::from_bytes([2; 32])), AccountId::from_bytes([3; 32]), Reason::Spam).build()?;
    /// # let inner = ReportInner::sign(&body, AccountId::from_bytes([1; 32]), 7, &skylark::keys::SecretKey::from_seed([1; 32]))?;
    /// assert_eq!(inner.time(), 7);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn time(&self) -> u64 {
        self.time
    }

    /// The report body: subject, service, reason, text.
    ///
    /// ```
    /// # use skylark::dm::ReportInner;
    /// # use skylark::id::AccountId;
    /// # use skylark::message::{Reason, Reference, Report};
    /// # let body = Report::builder(Reference::Account(AccountId::from_bytes([2; 32])), AccountId::from_bytes([3; 32]), Reason::Spam).build()?;
    /// # let inner = ReportInner::sign(&body, AccountId::from_bytes([1; 32]), 7, &skylark::keys::SecretKey::from_seed([1; 32]))?;
    /// assert_eq!(inner.report().reason(), Reason::Spam);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn report(&self) -> &Report {
        &self.report
    }
}

/// Seals a report to a key of the service's declaration (08 §14.2): the construction of §5.4
/// with the key as the signed prekey, no one-time prekey, the smallest bucket; `e` and `m` are
/// drawn from `rng`. The caller MUST have checked the declaration (DM-24, DM-25), that it is the
/// service's latest, that the key is current, and that the reason is one it accepts.
///
/// # Errors
///
/// [`DmError::TooLarge`], [`DmError::WeakKey`] as [`super::seal`].
///
/// ```
/// # use skylark::dm::{seal_report, EncryptionSecret, PqSecret, ReportInner, ServiceKey, HEADER_LEN};
/// # use skylark::id::AccountId;
/// # use skylark::message::{Reason, Reference, Report};
/// # use rand_core::{RngCore, CryptoRng};
/// # struct Fixed; impl RngCore for Fixed { fn next_u32(&mut self) -> u32 { 7 } fn next_u64(&mut self) -> u64 { 7 }
/// #   fn fill_bytes(&mut self, d: &mut [u8]) { d.fill(7) } fn try_fill_bytes(&mut self, d: &mut [u8]) -> Result<(), rand_core::Error> { d.fill(7); Ok(()) } }
/// # impl CryptoRng for Fixed {}
/// # let body = Report::builder(Reference::Account(AccountId::from_bytes([2; 32])), AccountId::from_bytes([3; 32]), Reason::Spam).build()?;
/// # let inner = ReportInner::sign(&body, AccountId::from_bytes([1; 32]), 7, &skylark::keys::SecretKey::from_seed([1; 32]))?;
/// let key = ServiceKey::new(EncryptionSecret::from_bytes([4; 32]).public_key(), PqSecret::from_seed([4; 64]).public_key(), 99);
/// assert_eq!(seal_report(&inner, &key, &mut Fixed)?.as_bytes().len(), HEADER_LEN + 512 + 16);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn seal_report<R: RngCore + CryptoRng>(
    inner: &ReportInner,
    key: &ServiceKey,
    rng: &mut R,
) -> Result<Sealed, DmError> {
    let mut e = [0u8; 32];
    let mut m = [0u8; 32];
    rng.fill_bytes(&mut e);
    rng.fill_bytes(&mut m);
    let sealed = seal_report_deterministic(inner, key, &e, &m);
    e.zeroize();
    m.zeroize();
    sealed
}

/// [`seal_report`] with a given `e` and `m`, for test vectors (as [`super::seal_deterministic`]).
///
/// # Errors
///
/// As [`seal_report`].
///
/// ```
/// # use skylark::dm::{seal_report_deterministic, EncryptionSecret, PqSecret, ReportInner, ServiceKey};
/// # use skylark::id::AccountId;
/// # use skylark::message::{Reason, Reference, Report};
/// # let body = Report::builder(Reference::Account(AccountId::from_bytes([2; 32])), AccountId::from_bytes([3; 32]), Reason::Spam).build()?;
/// # let inner = ReportInner::sign(&body, AccountId::from_bytes([1; 32]), 7, &skylark::keys::SecretKey::from_seed([1; 32]))?;
/// let key = ServiceKey::new(EncryptionSecret::from_bytes([4; 32]).public_key(), PqSecret::from_seed([4; 64]).public_key(), 99);
/// let a = seal_report_deterministic(&inner, &key, &[5; 32], &[6; 32])?;
/// assert_eq!(a, seal_report_deterministic(&inner, &key, &[5; 32], &[6; 32])?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn seal_report_deterministic(
    inner: &ReportInner,
    key: &ServiceKey,
    e: &[u8; 32],
    m: &[u8; 32],
) -> Result<Sealed, DmError> {
    seal_bytes(inner.as_bytes(), &key.key(), key.pq(), None, None, e, m)
}

/// Opens a sealed report received by the service `me` (08 §14.3) with its desk's key sets `keys`,
/// its own current declaration `declaration`, its account state `accounts`, its clock `now` and
/// `seen` (the report ids opened within the replay window). The steps run in the order of §14.3;
/// the first failure decides; nothing changes on any outcome.
///
/// # Errors
///
/// Those of steps 1 to 4 of §6 (`dm.malformed`, `dm.unsupported_version`, `dm.unknown_key`,
/// `dm.weak_key`, `dm.onetime_consumed`, `dm.tampered`, `dm.padding`); `dm.report_undeclared_key`
/// (DM-27); `dm.too_large`, `dm.inner_signature`, `dm.report_body` and the body's `msg.*` code
/// (DM-26); `dm.wrong_recipient` (DM-8); `dm.report_reason` (DM-28); `dm.outside_window`
/// (DM-17); `dm.replay` (DM-9); `dm.reporter_unauthorized` (DM-29). They are for the service
/// alone: it MUST NOT send them, or anything that depends on them, to the relay or the reporter
/// (DM-12).
///
/// ```
/// use skylark::account::Accounts;
/// use skylark::dm::{open_report, Declaration, DeviceKeys, EncryptionSecret, PqSecret, ServiceKey};
/// use skylark::message::Reason;
/// let desk = DeviceKeys::new([9; 16], EncryptionSecret::from_bytes([4; 32]), PqSecret::from_seed([4; 64]), vec![]);
/// let key = ServiceKey::new(desk.signed().public_key(), desk.pq().public_key(), 99);
/// let me = skylark::id::AccountId::from_bytes([1; 32]);
/// let msg = Declaration::draft(me, 10, &[key], &[Reason::Spam], &[])?.sign(&skylark::keys::SecretKey::from_seed([3; 32]))?;
/// let declaration = Declaration::from_message(&msg)?;
/// let err = open_report(&[2, 0, 0], &me, &[desk], &declaration, &Accounts::new(), 0, |_| false).unwrap_err();
/// assert_eq!(err.code(), "dm.malformed");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn open_report(
    sealed: &[u8],
    me: &AccountId,
    keys: &[DeviceKeys],
    declaration: &Declaration,
    accounts: &Accounts,
    now: u64,
    seen: impl Fn(&MessageId) -> bool,
) -> Result<ReportInner, DmError> {
    // §6 steps 1 to 4: DM-1..DM-5 (and DM-18: a report uses no one-time prekey).
    let (index, bytes, _slot) = decrypt(sealed, keys)?;
    // DM-27: opened by a key the declaration declares.
    let opened_by = keys[index].signed().public_key();
    if !declaration.keys().iter().any(|k| k.key() == opened_by) {
        return Err(DmError::ReportUndeclaredKey);
    }
    // DM-11, DM-6, DM-26.
    let inner = ReportInner::from_bytes(&bytes)?;
    // DM-8: the report is for this service.
    if inner.report.service() != *me {
        return Err(DmError::WrongRecipient);
    }
    // DM-28: a reason the service accepts.
    if !declaration.reasons().contains(&inner.report.reason()) {
        return Err(DmError::ReportReason);
    }
    // DM-17, DM-9.
    if inner.time > now.saturating_add(MAX_CLOCK_SKEW)
        || inner.time < now.saturating_sub(REPLAY_WINDOW)
    {
        return Err(DmError::OutsideWindow);
    }
    if seen(&inner.id) {
        return Err(DmError::Replay);
    }
    // DM-29: the reporter's key may report for its account.
    match dm_grant(
        accounts,
        &inner.account,
        &inner.key,
        REPORT_SCOPE,
        inner.time,
    ) {
        Grant::Yes => Ok(inner),
        Grant::No(cause) => Err(DmError::ReporterUnauthorized(Some(cause))),
        Grant::UnknownAccount => Err(DmError::ReporterUnauthorized(None)),
    }
}
