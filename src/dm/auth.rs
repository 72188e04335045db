//! Who may publish prekeys and send direct messages for an account (DM-15, DM-16): an app key of
//! the account's head state whose delegated scope names the kind explicitly — a wildcard scope
//! (`["*"]`) never covers `prekey` or `dm` — at a time inside its delegation, not revoked.

use crate::account::Accounts;
use crate::id::AccountId;
use crate::keys::PublicKey;
use crate::message::AuthError;

/// The answer of [`dm_grant`].
pub(super) enum Grant {
    /// The key may.
    Yes,
    /// The key may not, and why.
    No(AuthError),
    /// The account is not in the state.
    UnknownAccount,
}

/// May `key` sign a message of `kind` (`dm` or `prekey`) for `account` at `time`?
///
/// Unlike public authorization (06 §9), any revocation of the key ends it here: a direct message
/// and a bundle have no place in the key's public history, so a cutoff cannot keep them.
pub(super) fn dm_grant(
    accounts: &Accounts,
    account: &AccountId,
    key: &PublicKey,
    kind: &str,
    time: u64,
) -> Grant {
    let Some(view) = accounts.account(account) else {
        return Grant::UnknownAccount;
    };
    if view.roots().contains(key) {
        return Grant::No(AuthError::RootKeyMessage);
    }
    let Some(grant) = view.app(key) else {
        return Grant::No(AuthError::NotDelegated);
    };
    let named = grant.scope().entries().any(|entry| entry == kind);
    if !named {
        return Grant::No(AuthError::OutOfScope);
    }
    if time < grant.delegated_at() {
        return Grant::No(AuthError::BeforeDelegation);
    }
    if time > grant.expires() {
        return Grant::No(AuthError::Expired);
    }
    if grant.revocation().is_some() {
        return Grant::No(AuthError::Revoked);
    }
    Grant::Yes
}
