//! The accounts vectors' JSON forms of what the crate reports: an operation's final status, an
//! account's head state, and an authorization answer. Shared by `tests/vectors.rs` and
//! `examples/conformance_results.rs` through `#[path]`, so both compare the crate with the vectors
//! in exactly the same form.

use serde_json::Value as Json;
use skylark::account::{AccountError, Accounts, Revocation};
use skylark::envelope::SignedMessage;
use skylark::id::AccountId;
use skylark::message::{AuthError, Authorization, Missing};

/// The final status of an operation, as the accounts state reports it.
///
/// A message that `verify_operation` refuses at step 1 (not an operation) or step 2 (a stripped
/// operation) has no status (06 §7.1): its form is the code applying it reports, which the crate
/// gives back on every application (asked here of a copy, so the state is not touched).
pub fn status(accounts: &Accounts, op: &SignedMessage) -> String {
    if let Err(e @ (AccountError::NotAnOperation | AccountError::Stripped)) =
        accounts.clone().apply(op)
    {
        return e.code().to_string();
    }
    match accounts.authorize(op.header(), |_| None) {
        Authorization::Authorized => "valid".to_string(),
        Authorization::Denied(AuthError::Operation(e)) => e.code().to_string(),
        Authorization::Unknown(Missing::Message(_)) => "waiting".to_string(),
        other => format!("{other:?}"),
    }
}

/// The head state of `account` in the vectors' JSON form.
pub fn state(accounts: &Accounts, account: &AccountId) -> Json {
    let Some(view) = accounts.account(account) else {
        return Json::Null;
    };
    let hexs = |b: &[u8]| Json::from(hex::encode(b));
    let mut apps: Vec<(String, Json)> = view
        .apps()
        .map(|(key, grant)| {
            let scope: Vec<Json> = grant.scope().entries().map(Json::from).collect();
            let one = |r: Revocation| match r {
                Revocation::All => Json::from("all"),
                Revocation::After { seq, id } => {
                    serde_json::json!({"seq": seq, "id": hex::encode(id.as_bytes())})
                }
                other => Json::from(format!("{other:?}")),
            };
            // None, one revocation, or (06 §8.4) two cutoffs as an array in (seq, id) order.
            let mut all: Vec<Json> = grant.revocations().map(one).collect();
            let revocation = match all.len() {
                0 => Json::Null,
                1 => all.remove(0),
                _ => Json::Array(all),
            };
            let app = serde_json::json!({
                "key": hexs(key.as_bytes()),
                "scope": scope,
                "expires": grant.expires(),
                "label": grant.label(),
                "delegated_at": grant.delegated_at(),
                "delegation": hexs(grant.delegation().as_bytes()),
                "revocation": revocation,
            });
            (hex::encode(key.as_bytes()), app)
        })
        .collect();
    apps.sort_by(|a, b| a.0.cmp(&b.0));
    serde_json::json!({
        "account": hexs(account.as_bytes()),
        "head": hexs(view.head().as_bytes()),
        "roots": view.roots().iter().map(|r| hexs(r.as_bytes())).collect::<Vec<_>>(),
        "apps": apps.into_iter().map(|(_, a)| a).collect::<Vec<_>>(),
        "encryption": view.encryption_key().map_or(Json::Null, |e| {
            serde_json::json!({"key": hexs(e.key()), "version": e.version()})
        }),
        "contested": view.contested().iter().map(|c| hexs(c.as_bytes())).collect::<Vec<_>>(),
        "witnesses": view.witnesses().map_or(Json::Null, |w| {
            serde_json::json!({
                "keys": w.keys().iter().map(|k| hexs(k.as_bytes())).collect::<Vec<_>>(),
                "threshold": w.threshold(),
            })
        }),
        "final": view.last_final().map_or(Json::Null, |f| hexs(f.as_bytes())),
        "duplicitous": view.duplicitous().iter().map(|k| hexs(k.as_bytes())).collect::<Vec<_>>(),
        "deactivated": view.deactivated(),
        "moved_to": accounts.moved_to(account).map_or(Json::Null, |b| hexs(b.as_bytes())),
    })
}

pub fn authorization_json(a: Authorization) -> Json {
    match a {
        Authorization::Authorized => Json::from("authorized"),
        Authorization::Denied(e) => Json::from(e.code()),
        Authorization::Unknown(Missing::Account(id)) => {
            serde_json::json!({"missing": "account", "id": hex::encode(id.as_bytes())})
        }
        Authorization::Unknown(Missing::Message(id)) => {
            serde_json::json!({"missing": "message", "id": hex::encode(id.as_bytes())})
        }
        Authorization::Unknown(Missing::KeyAuthorization) => {
            serde_json::json!({"missing": "key_authorization"})
        }
        other => Json::from(format!("{other:?}")),
    }
}
