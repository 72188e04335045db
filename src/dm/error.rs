//! The errors of sealing and opening, and of prekey bundles (08 §11).

use crate::message::AuthError;

/// Why a direct message could not be sealed or opened, or a prekey bundle is not usable.
///
/// The codes are for the local caller only: a node MUST NOT tell the relay or the sender which
/// step failed (spec 08 §7, DM-12).
///
/// ```
/// use skylark::dm::DmError;
/// assert_eq!((DmError::Tampered.code(), DmError::Tampered.rule()), ("dm.tampered", "DM-4"));
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DmError {
    /// The sealed bytes are empty or have none of the five sealed lengths.
    #[error("sealed message has a length that is not a sealed length")]
    Malformed,
    /// The first byte is not the sealed version 2.
    #[error("sealed message of an unsupported version")]
    UnsupportedVersion,
    /// No device key set held by the opener has the message's mailbox tag.
    #[error("no held key has this mailbox tag")]
    UnknownKey,
    /// An X25519 computation gave the all-zero output (a small-order public key).
    #[error("X25519 shared secret is all zero")]
    WeakKey,
    /// The key commitment does not match, or the ciphertext does not authenticate, under any
    /// candidate key.
    #[error("ciphertext does not authenticate")]
    Tampered,
    /// The decrypted plaintext is not a length prefix, the message and zero bytes; at sealing, a
    /// chosen bucket that is not a bucket or does not hold the message.
    #[error("bad padding")]
    Padding,
    /// The inner message is not a canonical `[payload, signature]` pair whose payload names an
    /// account, a valid key and a time, with a signature that verifies under the DM context.
    #[error("inner message does not verify")]
    InnerSignature,
    /// The inner payload's recipients or text break the `dm` schema, or it has an unknown field.
    #[error("inner message is not a valid direct message")]
    InnerBody,
    /// The opener's account is neither a recipient named by the inner message nor its author.
    #[error("the opener is not a recipient of the inner message")]
    WrongRecipient,
    /// The inner message has been opened before (within the replay window).
    #[error("inner message already opened")]
    Replay,
    /// A prekey message of the wrong kind, without its body, or whose body breaks the bundle rules.
    #[error("not a valid prekey bundle")]
    Prekey,
    /// The inner message is longer than [`super::MAX_INNER`] bytes and cannot be sealed.
    #[error("inner message too large to seal")]
    TooLarge,
    /// A public message of kind `dm`: direct messages are never public (DM-14).
    #[error("a direct message is never a public message")]
    NotPublic,
    /// The bundle's signing key may not publish prekeys for its account: not an app key whose
    /// delegated scope names `prekey`, out of its delegation's time, or revoked (DM-15).
    #[error("prekey bundle not signed by a key that may publish prekeys")]
    PrekeyUnauthorized(Option<AuthError>),
    /// The inner message's key may not send direct messages for its account: not an app key whose
    /// delegated scope names `dm`, out of its delegation's time, or revoked (DM-16).
    #[error("sender key may not send direct messages for its account")]
    SenderUnauthorized(AuthError),
    /// The sender's account is not in the opener's account state: undecided; keep the sealed
    /// bytes and open them again when the account is known (DM-16).
    #[error("sender account not known yet")]
    SenderUnknown,
    /// The inner message's time is older than the replay window or in the future (DM-17).
    #[error("inner message time outside the replay window")]
    OutsideWindow,
    /// The sealed message names a one-time prekey the opener no longer holds (already used) or
    /// never held; at sealing, a slot the bundle does not have (DM-18).
    #[error("one-time prekey consumed or unknown")]
    OnetimeConsumed,
    /// A group membership record that is not well formed or whose signature does not verify under
    /// the group context (DM-19).
    #[error("not a valid group membership record")]
    GroupRecord,
    /// A membership record whose key may not send direct messages for its author's account, or
    /// whose author is not an admin of the record it changes (DM-20).
    #[error("membership change not made by an admin")]
    GroupUnauthorized,
    /// The group, the record a membership record changes, or its author's account is not known to
    /// the opener: undecided; keep the bytes and try again when more is known (DM-20).
    #[error("group record not linked to a held record")]
    GroupUnknown,
    /// The group message's record is not, and cannot become, the group's head: a later change, or
    /// a competing change with a smaller id, is held (DM-21).
    #[error("group message names a record that is not the group's head")]
    GroupStale,
    /// The group message's `to` is not exactly its record's members, or its sender is not one of
    /// them (DM-21).
    #[error("group message recipients differ from the group's members")]
    GroupMembers,
    /// A relay's check of the delivery stamp failed: malformed, a token the gate does not list, or
    /// too little work (or work where the gate admits only tokens) (DM-22).
    #[error("delivery stamp does not pass the recipient's gate")]
    Stamp,
    /// The recipient's gate does not admit the sender: not followed where the gate accepts only
    /// followed accounts, not the recipient's own account where it accepts nobody, or an
    /// unsolicited sender without a passing stamp (DM-23).
    #[error("the recipient's gate does not admit this sender")]
    Gated,
    /// A `service` message of the wrong kind, without its body, or whose body breaks the declaration
    /// rules (DM-24).
    #[error("not a valid moderation-service declaration")]
    Declaration,
    /// The declaration's signing key may not declare for its account: not an app key whose
    /// delegated scope names `service`, out of its delegation's time, or revoked (DM-25); `None`
    /// if the account is not known.
    #[error("declaration not signed by a key that may declare the service")]
    DeclarationUnauthorized(Option<AuthError>),
    /// An inner report's payload has a key other than `acct`, `key`, `time` and `report` without a
    /// `.`, or no `report` map (DM-26).
    #[error("inner report is not a report")]
    ReportBody,
    /// An inner report's body breaks a rule of 05 §5.9 (MSG-1, REPORT-1, REPORT-2): the code and
    /// rule are the body rule's (DM-26).
    #[error("report body: {0}")]
    Report(crate::message::ValidationError),
    /// A sealed report opened by a key set whose key the service's declaration does not declare
    /// (DM-27).
    #[error("report sealed to a key the service does not declare")]
    ReportUndeclaredKey,
    /// A report's reason is not one the service's declaration accepts (DM-28).
    #[error("report reason not accepted by the service")]
    ReportReason,
    /// The inner report's key may not report for its account: not an app key whose delegated scope
    /// names `report`, out of its delegation's time, or revoked; `None` if the account is not known
    /// (DM-29).
    #[error("reporter key may not report for its account")]
    ReporterUnauthorized(Option<AuthError>),
}

impl DmError {
    /// The stable error code.
    ///
    /// ```
    /// assert_eq!(skylark::dm::DmError::Replay.code(), "dm.replay");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed => "dm.malformed",
            Self::UnsupportedVersion => "dm.unsupported_version",
            Self::UnknownKey => "dm.unknown_key",
            Self::WeakKey => "dm.weak_key",
            Self::Tampered => "dm.tampered",
            Self::Padding => "dm.padding",
            Self::InnerSignature => "dm.inner_signature",
            Self::InnerBody => "dm.inner_body",
            Self::WrongRecipient => "dm.wrong_recipient",
            Self::Replay => "dm.replay",
            Self::Prekey => "dm.prekey",
            Self::TooLarge => "dm.too_large",
            Self::NotPublic => "dm.not_public",
            Self::PrekeyUnauthorized(_) => "dm.prekey_unauthorized",
            Self::SenderUnauthorized(_) => "dm.sender_unauthorized",
            Self::SenderUnknown => "dm.sender_unknown",
            Self::OutsideWindow => "dm.outside_window",
            Self::OnetimeConsumed => "dm.onetime_consumed",
            Self::GroupRecord => "dm.group_record",
            Self::GroupUnauthorized => "dm.group_unauthorized",
            Self::GroupUnknown => "dm.group_unknown",
            Self::GroupStale => "dm.group_stale",
            Self::GroupMembers => "dm.group_members",
            Self::Stamp => "dm.stamp",
            Self::Gated => "dm.gated",
            Self::Declaration => "dm.declaration",
            Self::DeclarationUnauthorized(_) => "dm.declaration_unauthorized",
            Self::ReportBody => "dm.report_body",
            Self::Report(e) => e.code(),
            Self::ReportUndeclaredKey => "dm.report_undeclared_key",
            Self::ReportReason => "dm.report_reason",
            Self::ReporterUnauthorized(_) => "dm.reporter_unauthorized",
        }
    }

    /// The ID of the spec rule this error enforces.
    ///
    /// ```
    /// assert_eq!(skylark::dm::DmError::WrongRecipient.rule(), "DM-8");
    /// ```
    pub fn rule(&self) -> &'static str {
        match self {
            Self::Malformed | Self::UnsupportedVersion => "DM-1",
            Self::UnknownKey => "DM-2",
            Self::WeakKey => "DM-3",
            Self::Tampered => "DM-4",
            Self::Padding => "DM-5",
            Self::InnerSignature => "DM-6",
            Self::InnerBody => "DM-7",
            Self::WrongRecipient => "DM-8",
            Self::Replay => "DM-9",
            Self::Prekey => "DM-10",
            Self::TooLarge => "DM-11",
            Self::NotPublic => "DM-14",
            Self::PrekeyUnauthorized(_) => "DM-15",
            Self::SenderUnauthorized(_) | Self::SenderUnknown => "DM-16",
            Self::OutsideWindow => "DM-17",
            Self::OnetimeConsumed => "DM-18",
            Self::GroupRecord => "DM-19",
            Self::GroupUnauthorized | Self::GroupUnknown => "DM-20",
            Self::GroupStale | Self::GroupMembers => "DM-21",
            Self::Stamp => "DM-22",
            Self::Gated => "DM-23",
            Self::Declaration => "DM-24",
            Self::DeclarationUnauthorized(_) => "DM-25",
            Self::ReportBody => "DM-26",
            Self::Report(e) => e.rule(),
            Self::ReportUndeclaredKey => "DM-27",
            Self::ReportReason => "DM-28",
            Self::ReporterUnauthorized(_) => "DM-29",
        }
    }
}
