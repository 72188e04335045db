//! Names (09 §10, SYNC-12, SYNC-13): an account claims a name in its profile (05 PROFILE-3) and the
//! name's domain confirms it with a DNS TXT record or an HTTPS well-known document naming the
//! account. [`verify_name`] decides from the fetched record and the claim; it does no I/O.

use crate::id::AccountId;
use crate::message::is_name;

use super::SyncError;

/// The DNS name whose TXT records confirm `NAME`: `_skylark.NAME` (SYNC-12).
///
/// ```
/// assert_eq!(format!("{}.alice.example", skylark::sync::DNS_LABEL), "_skylark.alice.example");
/// ```
pub const DNS_LABEL: &str = "_skylark";

/// The path of the well-known document on `https://NAME` (SYNC-12).
///
/// ```
/// let url = format!("https://alice.example{}", skylark::sync::WELL_KNOWN_PATH);
/// assert_eq!(url, "https://alice.example/.well-known/skylark-account");
/// ```
pub const WELL_KNOWN_PATH: &str = "/.well-known/skylark-account";

/// The prefix of the TXT record that names an account (SYNC-12).
const TXT_PREFIX: &[u8] = b"acct=";

/// The most bytes of a well-known document a verifier reads (SYNC-12): an account's text form and a
/// line feed fit many times over.
///
/// ```
/// assert_eq!(skylark::sync::WELL_KNOWN_LIMIT, 1024);
/// ```
pub const WELL_KNOWN_LIMIT: usize = 1024;

/// What the name's domain says (SYNC-12), as fetched by the caller.
///
/// ```
/// use skylark::sync::NameRecord;
/// let txt: &[&[u8]] = &[b"v=spf1 -all", b"acct=acct_..."];
/// let _ = NameRecord::Dns(txt);
/// let _ = NameRecord::WellKnown(b"acct_...\n");
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameRecord<'a> {
    /// The TXT records of `_skylark.NAME`, each the concatenation of its character-strings, in any
    /// order (none if the name does not exist or has no TXT record).
    Dns(&'a [&'a [u8]]),
    /// The body of a `200` answer to `GET https://NAME/.well-known/skylark-account`, redirects not
    /// followed (at most [`WELL_KNOWN_LIMIT`] bytes read).
    WellKnown(&'a [u8]),
}

/// Decides whether `account` holds `name` (SYNC-13): the name is a name (05 PROFILE-3), the
/// account's current profile claims exactly it (`claim`: the `handle` of the profile that 07
/// MERGE-3 makes current, `None` without one), and the record confirms it: exactly one TXT record
/// `acct=` followed by the account's text form, or a well-known document holding exactly the
/// account's text form, optionally followed by one line feed.
///
/// # Errors
///
/// In this order: [`SyncError::NameSyntax`], [`SyncError::NameUnclaimed`] (no claim, a stale claim
/// of another name), [`SyncError::NameNoRecord`], [`SyncError::NameAmbiguous`],
/// [`SyncError::NameRecord`], [`SyncError::NameOtherAccount`].
///
/// ```
/// use skylark::id::AccountId;
/// use skylark::sync::{verify_name, NameRecord};
///
/// let acct = AccountId::from_bytes([7; 32]);
/// let txt = format!("acct={acct}");
/// let records: &[&[u8]] = &[txt.as_bytes()];
/// assert!(verify_name("alice.example", &acct, Some("alice.example"), NameRecord::Dns(records)).is_ok());
/// // A stale claim: the account's current profile claims another name (or none).
/// let err = verify_name("alice.example", &acct, Some("al.example"), NameRecord::Dns(records)).unwrap_err();
/// assert_eq!(err.code(), "sync.name_unclaimed");
/// // The domain names another account.
/// let other = AccountId::from_bytes([8; 32]);
/// let err = verify_name("alice.example", &other, Some("alice.example"), NameRecord::Dns(records)).unwrap_err();
/// assert_eq!(err.code(), "sync.name_other_account");
/// ```
pub fn verify_name(
    name: &str,
    account: &AccountId,
    claim: Option<&str>,
    record: NameRecord<'_>,
) -> Result<(), SyncError> {
    if !is_name(name) {
        return Err(SyncError::NameSyntax);
    }
    if claim != Some(name) {
        return Err(SyncError::NameUnclaimed);
    }
    let named: &[u8] = match record {
        NameRecord::Dns(records) => {
            let mut ours = records.iter().filter(|r| r.starts_with(TXT_PREFIX));
            match (ours.next(), ours.next()) {
                (None, _) => return Err(SyncError::NameNoRecord),
                (Some(_), Some(_)) => return Err(SyncError::NameAmbiguous),
                (Some(r), None) => &r[TXT_PREFIX.len()..],
            }
        }
        NameRecord::WellKnown(body) => {
            if body.is_empty() {
                return Err(SyncError::NameNoRecord);
            }
            body.strip_suffix(b"\n").unwrap_or(body)
        }
    };
    // The text form is exact (02 ID-4): `FromStr` accepts only the canonical form.
    let named: AccountId = core::str::from_utf8(named)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or(SyncError::NameRecord)?;
    if named != *account {
        return Err(SyncError::NameOtherAccount);
    }
    Ok(())
}
