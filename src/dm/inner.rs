//! The inner message (08 §4, DM-6, DM-7): signed under its own context, outside every public
//! history.

use alloc::string::String;
use alloc::vec::Vec;

use super::group::GroupRecord;
use super::{body_fields, DmError, DM_SIGNATURE_CONTEXT, ID_CONTEXT, MAX_INNER, MAX_RECIPIENTS};
use crate::cbor::{self, Map, Value};
use crate::envelope::MAX_SAFE_INTEGER;
use crate::id::{AccountId, MessageId};
use crate::keys::{PublicKey, SecretKey, Signature};

/// The body of a direct message: the recipients and the text (DM-7).
///
/// ```
/// use skylark::dm::DmBody;
/// use skylark::id::AccountId;
/// let body = DmBody::new(&[AccountId::from_bytes([2; 32]), AccountId::from_bytes([1; 32])], "hi")?;
/// // Recipients are kept in ascending byte order.
/// assert_eq!(body.to()[0], AccountId::from_bytes([1; 32]));
/// assert_eq!(body.text(), "hi");
/// # Ok::<(), skylark::dm::DmError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DmBody {
    to: Vec<AccountId>,
    text: String,
    group: Option<GroupRecord>,
    token: Option<[u8; 32]>,
}

impl DmBody {
    /// A body naming `to` (1 to [`MAX_RECIPIENTS`] distinct accounts, in any order) with `text`.
    ///
    /// # Errors
    ///
    /// [`DmError::InnerBody`] for no recipient, more than [`MAX_RECIPIENTS`], or one named twice.
    ///
    /// ```
    /// # use skylark::dm::DmBody;
    /// assert_eq!(DmBody::new(&[], "hi").unwrap_err().code(), "dm.inner_body");
    /// ```
    pub fn new(to: &[AccountId], text: &str) -> Result<Self, DmError> {
        let mut to = to.to_vec();
        to.sort();
        if to.is_empty() || to.len() > MAX_RECIPIENTS || to.windows(2).any(|w| w[0] == w[1]) {
            return Err(DmError::InnerBody);
        }
        Ok(DmBody {
            to,
            text: String::from(text),
            group: None,
            token: None,
        })
    }

    /// A body for a group message: `to` is the members of `record` (the group's head as the sender
    /// holds it), which the inner message carries (DM-21).
    ///
    /// ```
    /// use skylark::dm::{DmBody, GroupRecord};
    /// use skylark::id::AccountId;
    /// let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let [alice, bob] = [[1; 32], [2; 32]].map(AccountId::from_bytes);
    /// let record = GroupRecord::create(alice, &[alice, bob], &[alice], 5, &key)?;
    /// let body = DmBody::for_group(&record, "hi all");
    /// assert_eq!((body.to(), body.group()), (&[alice, bob][..], Some(&record)));
    /// # Ok::<(), skylark::dm::DmError>(())
    /// ```
    pub fn for_group(record: &GroupRecord, text: &str) -> Self {
        DmBody {
            to: record.members().to_vec(),
            text: String::from(text),
            group: Some(record.clone()),
            token: None,
        }
    }

    /// This body handing the recipients an access token (08 §5.7): 32 random bytes whose
    /// commitment the author's devices list in their gates, so that a recipient may stamp its
    /// copies to those devices with it (DM-22, DM-23). The token travels only inside the sealed
    /// copies.
    ///
    /// ```
    /// use skylark::dm::{token_commitment, Accept, DmBody, Gate};
    /// use skylark::id::AccountId;
    /// let token = [7; 32]; // in an app: drawn from the OS random number generator
    /// let body = DmBody::new(&[AccountId::from_bytes([2; 32])], "write me any time")?.with_token(token);
    /// assert_eq!(body.token(), Some(&token));
    /// // The author's device publishes a gate that lists the token's commitment.
    /// let gate = Gate::new(Accept::Follows, 0, &[token_commitment(&token)])?;
    /// assert_eq!(gate.tokens(), &[token_commitment(&token)]);
    /// # Ok::<(), skylark::dm::DmError>(())
    /// ```
    #[must_use]
    pub fn with_token(mut self, token: [u8; 32]) -> Self {
        self.token = Some(token);
        self
    }

    /// The access token this body hands its recipients, if any (DM-7).
    ///
    /// ```
    /// # use skylark::dm::DmBody;
    /// # use skylark::id::AccountId;
    /// assert!(DmBody::new(&[AccountId::from_bytes([1; 32])], "hi")?.token().is_none());
    /// # Ok::<(), skylark::dm::DmError>(())
    /// ```
    pub fn token(&self) -> Option<&[u8; 32]> {
        self.token.as_ref()
    }

    /// The membership record a group message carries, if it is one.
    ///
    /// ```
    /// # use skylark::dm::DmBody;
    /// # use skylark::id::AccountId;
    /// assert!(DmBody::new(&[AccountId::from_bytes([1; 32])], "hi")?.group().is_none());
    /// # Ok::<(), skylark::dm::DmError>(())
    /// ```
    pub fn group(&self) -> Option<&GroupRecord> {
        self.group.as_ref()
    }

    /// The recipients, in ascending byte order.
    ///
    /// ```
    /// # use skylark::dm::DmBody;
    /// # use skylark::id::AccountId;
    /// let [a, b] = [[1; 32], [2; 32]].map(AccountId::from_bytes);
    /// assert_eq!(DmBody::new(&[b, a], "hi")?.to(), &[a, b]);
    /// # Ok::<(), skylark::dm::DmError>(())
    /// ```
    pub fn to(&self) -> &[AccountId] {
        &self.to
    }

    /// The text.
    ///
    /// ```
    /// # use skylark::dm::DmBody;
    /// # use skylark::id::AccountId;
    /// assert_eq!(DmBody::new(&[AccountId::from_bytes([1; 32])], "héllo 👋")?.text(), "héllo 👋");
    /// # Ok::<(), skylark::dm::DmError>(())
    /// ```
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The inner message of this body from `account` at `time` (milliseconds), signed by `key` (the
    /// account's DM key) under the DM signature context.
    ///
    /// # Errors
    ///
    /// [`DmError::TooLarge`] if the inner message would be longer than [`MAX_INNER`] bytes;
    /// [`DmError::InnerSignature`] for a time above 2^53−1.
    ///
    /// ```
    /// # use skylark::dm::DmBody;
    /// # use skylark::id::AccountId;
    /// let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let inner = DmBody::new(&[AccountId::from_bytes([2; 32])], "hi")?.sign(AccountId::from_bytes([1; 32]), 5, &key)?;
    /// assert_eq!(inner.time(), 5);
    /// let long = "x".repeat(70_000);
    /// assert_eq!(DmBody::new(&[AccountId::from_bytes([2; 32])], &long)?.sign(AccountId::from_bytes([1; 32]), 5, &key)
    ///     .unwrap_err().code(), "dm.too_large");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sign(&self, account: AccountId, time: u64, key: &SecretKey) -> Result<Inner, DmError> {
        if time > MAX_SAFE_INTEGER {
            return Err(DmError::InnerSignature);
        }
        let public = key.public_key();
        let mut map = Map::new();
        map.insert("acct", Value::from(&account.as_bytes()[..]));
        map.insert("key", Value::from(&public.as_bytes()[..]));
        map.insert("time", Value::from(time));
        map.insert(
            "to",
            Value::Array(
                self.to
                    .iter()
                    .map(|a| Value::from(&a.as_bytes()[..]))
                    .collect(),
            ),
        );
        map.insert("text", Value::from(self.text.as_str()));
        if let Some(record) = &self.group {
            map.insert("group", Value::from(record.as_bytes()));
        }
        if let Some(token) = &self.token {
            map.insert("token", Value::from(&token[..]));
        }
        let bytes = sign_pair(&map, key, DM_SIGNATURE_CONTEXT)?;
        Ok(Inner {
            id: MessageId::from_bytes(blake3::derive_key(ID_CONTEXT, &bytes)),
            bytes,
            account,
            key: public,
            time,
            body: self.clone(),
        })
    }
}

/// Signs `payload` with `key` under `context` as the pair `[payload, signature]` (08 §4, §14.2).
pub(super) fn sign_pair(payload: &Map, key: &SecretKey, context: &str) -> Result<Vec<u8>, DmError> {
    let payload = payload.to_bytes();
    let signature = key.sign_in_context(context.as_bytes(), &payload);
    let bytes = Value::Array(alloc::vec![
        Value::Bytes(payload),
        Value::from(&signature.to_bytes()[..])
    ])
    .to_bytes();
    if bytes.len() > MAX_INNER {
        return Err(DmError::TooLarge);
    }
    Ok(bytes)
}

/// DM-11 then DM-6 under `context`: the payload map, its account, key and time.
pub(super) fn verify_pair(
    bytes: &[u8],
    context: &str,
) -> Result<(Map, AccountId, PublicKey, u64), DmError> {
    if bytes.len() > MAX_INNER {
        return Err(DmError::TooLarge);
    }
    let bad = DmError::InnerSignature;
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
    let account = match map.get("acct") {
        Some(Value::Bytes(b)) => {
            AccountId::from_bytes(b.as_slice().try_into().map_err(|_| bad.clone())?)
        }
        _ => return Err(bad),
    };
    let key = match map.get("key") {
        Some(Value::Bytes(b)) => PublicKey::from_slice(b).map_err(|_| bad.clone())?,
        _ => return Err(bad),
    };
    let time = match map.get("time") {
        Some(&Value::Unsigned(t)) if t <= MAX_SAFE_INTEGER => t,
        _ => return Err(bad),
    };
    key.verify_parts(&[context.as_bytes(), &[0], payload], &signature)
        .map_err(|_| bad)?;
    Ok((map, account, key, time))
}

/// A verified inner message (DM-6, DM-7): the canonical CBOR pair `[payload, signature]`, where
/// `payload` is a map naming the sender's account (`acct`), its DM key (`key`), the time, the
/// recipients (`to`) and the text, and the signature is the key's, over
/// `"skylark v1 direct message" ‖ 0x00 ‖ payload`. It has no sequence number and no place in any
/// public history, and is never valid as a public message (DM-14).
///
/// Verified here means signed by `key`; whether `key` may send for `acct` is DM-16, decided by
/// [`crate::dm::open`] against the opener's account state.
///
/// ```
/// use skylark::dm::{DmBody, Inner};
/// use skylark::id::AccountId;
/// let key = skylark::keys::SecretKey::from_seed([1; 32]);
/// let inner = DmBody::new(&[AccountId::from_bytes([2; 32])], "hi")?.sign(AccountId::from_bytes([1; 32]), 5, &key)?;
/// let again = Inner::from_bytes(inner.as_bytes())?;
/// assert_eq!(again, inner);
/// // A leaked inner message is not an envelope: public validation cannot even decode it.
/// assert!(skylark::envelope::SignedMessage::from_bytes(inner.as_bytes()).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inner {
    bytes: Vec<u8>,
    id: MessageId,
    account: AccountId,
    key: PublicKey,
    time: u64,
    body: DmBody,
}

impl Inner {
    /// Parses and verifies inner message bytes (DM-6, then DM-7).
    ///
    /// # Errors
    ///
    /// [`DmError::TooLarge`] for more than [`MAX_INNER`] bytes (DM-11);
    /// [`DmError::InnerSignature`] if the bytes are not the canonical pair, the payload lacks a
    /// 32-byte `acct`, a valid Ed25519 `key` or a `time` of at most 2^53−1, or the signature does not
    /// verify (03, under the DM context); [`DmError::InnerBody`] if `to` or `text` break DM-7,
    /// `group` is not a byte string, `token` is not 32 bytes, or the payload has another key
    /// without a `"."`.
    ///
    /// ```
    /// # use skylark::dm::Inner;
    /// assert_eq!(Inner::from_bytes(&[0x80]).unwrap_err().code(), "dm.inner_signature");
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DmError> {
        let (map, account, key, time) = verify_pair(bytes, DM_SIGNATURE_CONTEXT)?;
        // DM-7
        let [_, _, _, to, text, group, token] = body_fields(
            &map,
            ["acct", "key", "time", "to", "text", "group", "token"],
        )
        .ok_or(DmError::InnerBody)?;
        let (Some(Value::Array(list)), Some(Value::Text(text))) = (to, text) else {
            return Err(DmError::InnerBody);
        };
        if list.is_empty() || list.len() > MAX_RECIPIENTS {
            return Err(DmError::InnerBody);
        }
        let mut to: Vec<AccountId> = Vec::with_capacity(list.len());
        for item in list {
            let Value::Bytes(b) = item else {
                return Err(DmError::InnerBody);
            };
            let bytes: [u8; 32] = b.as_slice().try_into().map_err(|_| DmError::InnerBody)?;
            let account = AccountId::from_bytes(bytes);
            if to.last().is_some_and(|last| *last >= account) {
                return Err(DmError::InnerBody);
            }
            to.push(account);
        }
        let token = match token {
            None => None,
            Some(Value::Bytes(t)) => {
                Some(<[u8; 32]>::try_from(t.as_slice()).map_err(|_| DmError::InnerBody)?)
            }
            Some(_) => return Err(DmError::InnerBody),
        };
        // DM-19: a group message's record.
        let group = match group {
            None => None,
            Some(Value::Bytes(record)) => Some(GroupRecord::from_bytes(record)?),
            Some(_) => return Err(DmError::InnerBody),
        };
        Ok(Inner {
            id: MessageId::from_bytes(blake3::derive_key(ID_CONTEXT, bytes)),
            bytes: bytes.to_vec(),
            account,
            key,
            time,
            body: DmBody {
                to,
                text: text.clone(),
                group,
                token,
            },
        })
    }

    /// The inner message's bytes, as sealed.
    ///
    /// ```
    /// # use skylark::dm::{DmBody, Inner};
    /// # use skylark::id::AccountId;
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let inner = DmBody::new(&[AccountId::from_bytes([2; 32])], "hi")?.sign(AccountId::from_bytes([1; 32]), 5, &key)?;
    /// assert_eq!(inner.as_bytes()[0], 0x82); // a CBOR array of two items
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The inner message's id: `H("skylark v1 dm id", bytes)`, by which replays are refused (DM-9).
    ///
    /// ```
    /// # use skylark::dm::{DmBody, Inner};
    /// # use skylark::id::AccountId;
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let body = DmBody::new(&[AccountId::from_bytes([2; 32])], "hi")?;
    /// let a = body.sign(AccountId::from_bytes([1; 32]), 5, &key)?;
    /// let b = body.sign(AccountId::from_bytes([1; 32]), 6, &key)?;
    /// assert_ne!(a.id(), b.id());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn id(&self) -> MessageId {
        self.id
    }

    /// The sender's account (`acct`).
    ///
    /// ```
    /// # use skylark::dm::DmBody;
    /// # use skylark::id::AccountId;
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let inner = DmBody::new(&[AccountId::from_bytes([2; 32])], "hi")?.sign(AccountId::from_bytes([1; 32]), 5, &key)?;
    /// assert_eq!(inner.account(), &AccountId::from_bytes([1; 32]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn account(&self) -> &AccountId {
        &self.account
    }

    /// The key that signed it (`key`).
    ///
    /// ```
    /// # use skylark::dm::DmBody;
    /// # use skylark::id::AccountId;
    /// let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let inner = DmBody::new(&[AccountId::from_bytes([2; 32])], "hi")?.sign(AccountId::from_bytes([1; 32]), 5, &key)?;
    /// assert_eq!(inner.key(), &key.public_key());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn key(&self) -> &PublicKey {
        &self.key
    }

    /// The signed time, in milliseconds.
    ///
    /// ```
    /// # use skylark::dm::DmBody;
    /// # use skylark::id::AccountId;
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let inner = DmBody::new(&[AccountId::from_bytes([2; 32])], "hi")?.sign(AccountId::from_bytes([1; 32]), 5, &key)?;
    /// assert_eq!(inner.time(), 5);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn time(&self) -> u64 {
        self.time
    }

    /// The recipients and the text.
    ///
    /// ```
    /// # use skylark::dm::DmBody;
    /// # use skylark::id::AccountId;
    /// # let key = skylark::keys::SecretKey::from_seed([1; 32]);
    /// let body = DmBody::new(&[AccountId::from_bytes([2; 32])], "hi")?;
    /// assert_eq!(body.sign(AccountId::from_bytes([1; 32]), 5, &key)?.body(), &body);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn body(&self) -> &DmBody {
        &self.body
    }
}
