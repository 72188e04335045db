//! Proof of possession (rule ACCT-10, 06 §5.5): every key an operation newly names — a root or a
//! witness of a `genesis` or a `roots` operation, the app key of a `delegate` — signs an
//! **acceptance** under its own signature context, over the account id, the accepted key, the hash of
//! the body without its acceptances and the kind, terminated by a zero byte; a genesis, which cannot
//! name its own account id, binds its header's key and time after the terminator instead. The
//! acceptances travel in the body, one per new key, in the bytewise order of the keys.

use alloc::vec::Vec;

use super::{body_error, AccountError};
use crate::cbor::{Map, Value};
use crate::id::{body_hash, AccountId};
use crate::keys::{PublicKey, SecretKey, Signature};

/// The signature context of an acceptance (06 §5.5, registries §4.2).
///
/// ```
/// assert!(skylark::account::ACCEPTANCE_CONTEXT.starts_with("skylark v1 "));
/// ```
pub const ACCEPTANCE_CONTEXT: &str = "skylark v1 key acceptance";

/// The most acceptances one body carries: 4 roots and 8 witnesses, all new (rule ACCT-10).
///
/// ```
/// assert_eq!(skylark::account::MAX_ACCEPTANCES, 12);
/// ```
pub const MAX_ACCEPTANCES: usize = 12;

/// A key that accepts an operation being written: its acceptance is signed when the operation is
/// drafted, over the body as it then stands.
pub(super) struct Acceptor(SecretKey);

impl Acceptor {
    pub(super) fn new(key: &SecretKey) -> Acceptor {
        Acceptor(key.duplicate())
    }

    pub(super) fn public_key(&self) -> PublicKey {
        self.0.public_key()
    }
}

impl Clone for Acceptor {
    fn clone(&self) -> Acceptor {
        Acceptor(self.0.duplicate())
    }
}

impl core::fmt::Debug for Acceptor {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("Acceptor")
            .field(&self.0.public_key())
            .finish()
    }
}

/// What a genesis acceptance binds after the kind's terminator (06 §5.5): the genesis header's
/// `key` and `time` (8 bytes, big-endian), known before the body is hashed.
pub(super) fn genesis_tail(key: &[u8; 32], time: u64) -> [u8; 40] {
    let mut tail = [0; 40];
    tail[..32].copy_from_slice(key);
    tail[32..].copy_from_slice(&time.to_be_bytes());
    tail
}

/// The `acceptances` value of `body` accepted by `acceptors`: their signatures in the bytewise
/// order of their keys. `tail` is [`genesis_tail`] for a genesis, empty otherwise.
pub(super) fn value(
    account: &AccountId,
    kind: &str,
    body: &Map,
    acceptors: &[Acceptor],
    tail: &[u8],
) -> Value {
    let digest = digest(body);
    let mut sorted: Vec<&Acceptor> = acceptors.iter().collect();
    sorted.sort_by_key(|a| a.public_key());
    Value::Array(
        sorted
            .iter()
            .map(|a| {
                let data = data(account, &a.public_key(), &digest, kind, tail);
                let signature = a.0.sign_in_context(ACCEPTANCE_CONTEXT.as_bytes(), &data);
                Value::from(&signature.to_bytes()[..])
            })
            .collect(),
    )
}

/// The body field that carries the acceptances.
pub(super) const FIELD: &str = "acceptances";

/// The acceptances of a parsed body, and what they sign besides the account and the key.
#[derive(Clone, Debug)]
pub(super) struct Acceptances {
    signatures: Vec<Signature>,
    /// ID-2 hash of the body without its `acceptances`.
    digest: [u8; 32],
}

/// The signed data of an acceptance: `account ‖ key ‖ H(body without acceptances) ‖ kind ‖ 0x00 ‖
/// tail`, the tail being a genesis's header key and time ([`genesis_tail`]) or empty.
fn data(
    account: &AccountId,
    key: &PublicKey,
    digest: &[u8; 32],
    kind: &str,
    tail: &[u8],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(97 + kind.len() + tail.len());
    out.extend_from_slice(account.as_bytes());
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(digest);
    out.extend_from_slice(kind.as_bytes());
    out.push(0);
    out.extend_from_slice(tail);
    out
}

/// The hash of `body` without its `acceptances` (the body as the acceptances sign it).
fn digest(body: &Map) -> [u8; 32] {
    if body.get(FIELD).is_some() {
        let mut without = body.clone();
        without.remove(FIELD);
        body_hash(&without.to_bytes())
    } else {
        body_hash(&body.to_bytes())
    }
}

impl Acceptances {
    /// The optional `acceptances` of a body (ACCT-1): 1 to 12 byte strings of 64 bytes.
    pub(super) fn parse(body: &Map) -> Result<Acceptances, AccountError> {
        let signatures = match body.get(FIELD) {
            None => Vec::new(),
            Some(Value::Array(items)) => {
                if items.is_empty() || items.len() > MAX_ACCEPTANCES {
                    return Err(body_error(FIELD, "must hold 1 to 12 signatures"));
                }
                items
                    .iter()
                    .map(|item| match item {
                        Value::Bytes(b) => Signature::from_slice(b)
                            .map_err(|_| body_error(FIELD, "must hold 64-byte signatures")),
                        _ => Err(body_error(FIELD, "must hold byte strings")),
                    })
                    .collect::<Result<Vec<_>, _>>()?
            }
            Some(_) => return Err(body_error(FIELD, "must be an array")),
        };
        Ok(Acceptances {
            signatures,
            digest: digest(body),
        })
    }

    /// Rule ACCT-10: one acceptance per key of `new` (in bytewise key order), each valid. `tail` is
    /// [`genesis_tail`] for a genesis, empty otherwise.
    pub(super) fn check(
        &self,
        account: &AccountId,
        kind: &str,
        mut new: Vec<PublicKey>,
        tail: &[u8],
    ) -> Result<(), AccountError> {
        new.sort();
        new.dedup();
        if self.signatures.len() < new.len() {
            return Err(AccountError::AcceptanceMissing);
        }
        if self.signatures.len() > new.len() {
            return Err(AccountError::AcceptanceExtra);
        }
        for (key, signature) in new.iter().zip(&self.signatures) {
            let data = data(account, key, &self.digest, kind, tail);
            key.verify_parts(&[ACCEPTANCE_CONTEXT.as_bytes(), &[0], &data], signature)
                .map_err(|_| AccountError::AcceptanceInvalid)?;
        }
        Ok(())
    }
}
