//! Witnesses and finality (rules ACCT-15, ACCT-16 and the finality clause of ACCT-5, 06 §8.6).
//!
//! An account may name a [`WitnessSet`] — Ed25519 keys and a threshold `t > n/2` — in its genesis or
//! in a `roots` operation. A witness signs `receipt` messages over the account's operations; a receipt
//! over `X` endorses `X` and all its ancestors. A witness that receipts two operations of one account
//! neither of which is an ancestor of the other is **duplicitous** there, and its receipts count for
//! nothing in that account. A child `C` of `P` is **final** when at least `t` non-duplicitous
//! witnesses of the set in force at `P` endorse an operation of `C`'s subtree; a final child wins its
//! fork point outright, and two siblings can never both be final (two disjoint sets of `t` out of
//! `n < 2t` witnesses do not exist, and a witness on both sides is duplicitous).
//!
//! Everything here is a function of the set of valid operations and valid receipts held (GEN-4), and
//! costs `O(r log r + c · w log r)` for `r` receipts, `c` children looked at and `w ≤ 8` witnesses.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::vec::Vec;

use super::{body_error, AccountError};
use crate::cbor::{Map, Value};
use crate::id::MessageId;
use crate::keys::PublicKey;

/// The most witnesses an account names at once (rule ACCT-15).
pub const MAX_WITNESSES: usize = 8;

/// An account's witnesses: 1 to 8 distinct Ed25519 keys, in ascending byte order, and the number of
/// them whose receipts make an operation final (rule ACCT-15: more than half, at most all).
///
/// ```
/// use skylark::account::WitnessSet;
/// use skylark::keys::SecretKey;
/// let keys: Vec<_> = (1..=3u8).map(|i| SecretKey::from_seed([i; 32]).public_key()).collect();
/// let set = WitnessSet::new(&keys, 2)?;
/// assert_eq!(set.threshold(), 2);
/// assert_eq!(set.keys().len(), 3);
/// // 2 of 4 is not more than half.
/// let four: Vec<_> = (1..=4u8).map(|i| SecretKey::from_seed([i; 32]).public_key()).collect();
/// assert_eq!(WitnessSet::new(&four, 2).unwrap_err().code(), "acct.witnesses");
/// # Ok::<(), skylark::account::AccountError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WitnessSet {
    keys: Vec<PublicKey>,
    threshold: usize,
}

impl WitnessSet {
    /// A witness set of `keys` (in any order; they are sorted) with threshold `threshold`.
    ///
    /// # Errors
    ///
    /// [`AccountError::Witnesses`] unless there are 1 to 8 distinct keys and
    /// `keys.len() < 2 * threshold <= 2 * keys.len()`.
    ///
    /// ```
    /// use skylark::account::WitnessSet;
    /// let key = skylark::keys::SecretKey::from_seed([1; 32]).public_key();
    /// assert!(WitnessSet::new(&[key], 1).is_ok());
    /// assert!(WitnessSet::new(&[key, key], 2).is_err());
    /// ```
    pub fn new(keys: &[PublicKey], threshold: usize) -> Result<Self, AccountError> {
        let mut sorted = keys.to_vec();
        sorted.sort();
        let set = WitnessSet {
            keys: sorted,
            threshold,
        };
        set.check()?;
        Ok(set)
    }

    /// ACCT-15: 1 to 8 keys, strictly ascending, `n < 2t <= 2n`.
    fn check(&self) -> Result<(), AccountError> {
        let n = self.keys.len();
        let ascending = self.keys.windows(2).all(|pair| pair[0] < pair[1]);
        if n == 0
            || n > MAX_WITNESSES
            || !ascending
            || 2 * self.threshold <= n
            || self.threshold > n
        {
            return Err(AccountError::Witnesses);
        }
        Ok(())
    }

    /// The witness keys, in ascending byte order.
    ///
    /// ```
    /// use skylark::account::WitnessSet;
    /// let key = skylark::keys::SecretKey::from_seed([1; 32]).public_key();
    /// assert_eq!(WitnessSet::new(&[key], 1)?.keys(), &[key]);
    /// # Ok::<(), skylark::account::AccountError>(())
    /// ```
    pub fn keys(&self) -> &[PublicKey] {
        &self.keys
    }

    /// How many non-duplicitous witnesses of this set must endorse an operation for it to be final.
    ///
    /// ```
    /// use skylark::account::WitnessSet;
    /// let key = skylark::keys::SecretKey::from_seed([1; 32]).public_key();
    /// assert_eq!(WitnessSet::new(&[key], 1)?.threshold(), 1);
    /// # Ok::<(), skylark::account::AccountError>(())
    /// ```
    pub fn threshold(&self) -> usize {
        self.threshold
    }

    /// Whether `key` is one of the witnesses.
    pub(super) fn contains(&self, key: &PublicKey) -> bool {
        self.keys.binary_search(key).is_ok()
    }

    /// The body value `{"keys": [...], "threshold": t}` (06 §5.2).
    pub(super) fn to_value(&self) -> Value {
        let mut map = Map::new();
        map.insert(
            "keys",
            Value::Array(
                self.keys
                    .iter()
                    .map(|k| Value::from(&k.as_bytes()[..]))
                    .collect(),
            ),
        );
        map.insert("threshold", Value::from(self.threshold as u64));
        Value::Map(map)
    }
}

/// The `witnesses` value of a body as written: a set, or (in a `roots` body only) the removal of the
/// set, `{"keys": [], "threshold": 0}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Witnesses {
    Set(WitnessSet),
    Remove,
}

impl Witnesses {
    /// The removal value.
    pub(super) fn removal_value() -> Value {
        let mut map = Map::new();
        map.insert("keys", Value::Array(Vec::new()));
        map.insert("threshold", Value::from(0u64));
        Value::Map(map)
    }
}

/// Parses the `witnesses` value of a `genesis` or `roots` body (06 §5.3): a map with exactly the
/// un-dotted keys `keys` and `threshold` (`acct.body`); `threshold` an unsigned integer and `keys` an
/// array of byte strings (`acct.body`), each a valid public key of 32 bytes (`acct.body` for another
/// length, then `key.*`); then rule ACCT-15 (`acct.witnesses`). The empty set with threshold 0 is the
/// removal, allowed only where `removal` is (a `roots` body).
pub(super) fn parse_witnesses(value: &Value, removal: bool) -> Result<Witnesses, AccountError> {
    let Value::Map(map) = value else {
        return Err(body_error("witnesses", "must be a map"));
    };
    for (key, _) in map.iter() {
        if !key.contains('.') && key != "keys" && key != "threshold" {
            return Err(body_error("witnesses", "has an unknown field"));
        }
    }
    let (Some(keys), Some(threshold)) = (map.get("keys"), map.get("threshold")) else {
        return Err(body_error("witnesses", "is missing a field"));
    };
    let threshold = match threshold {
        Value::Unsigned(n) if *n <= crate::envelope::MAX_SAFE_INTEGER => *n,
        Value::Unsigned(_) => return Err(body_error("threshold", "is out of range")),
        _ => return Err(body_error("threshold", "must be an unsigned integer")),
    };
    let Value::Array(items) = keys else {
        return Err(body_error("witnesses", "keys must be an array"));
    };
    let mut parsed = Vec::with_capacity(items.len().min(MAX_WITNESSES + 1));
    for item in items {
        let Value::Bytes(b) = item else {
            return Err(body_error("witnesses", "keys must be byte strings"));
        };
        let bytes: [u8; 32] = b
            .as_slice()
            .try_into()
            .map_err(|_| body_error("witnesses", "keys must be 32 bytes"))?;
        parsed.push(PublicKey::from_bytes(&bytes).map_err(AccountError::Key)?);
    }
    if parsed.is_empty() && threshold == 0 && removal {
        return Ok(Witnesses::Remove);
    }
    let set = WitnessSet {
        keys: parsed,
        threshold: usize::try_from(threshold).unwrap_or(usize::MAX),
    };
    set.check()?;
    Ok(Witnesses::Set(set))
}

/// The receipts of one account: witness key -> the operations it receipted.
pub(super) type Receipts = BTreeMap<PublicKey, BTreeSet<MessageId>>;

/// What the receipts of one account establish, given the Euler tour of its tree of valid operations
/// (`tin`/`tout`: `y` is in the subtree of `x` iff `tin(x) <= tin(y) < tout(x)`).
pub(super) struct Finality {
    /// Witnesses that receipted two operations neither of which is an ancestor of the other.
    pub(super) duplicitous: Vec<PublicKey>,
    /// For every other witness, the sorted entry times of the operations it receipted.
    endorsements: BTreeMap<PublicKey, Vec<usize>>,
}

impl Finality {
    /// Duplicity and endorsements from the receipts, in `O(r log r)`.
    pub(super) fn of(
        receipts: &Receipts,
        tin: &BTreeMap<MessageId, usize>,
        tout: &BTreeMap<MessageId, usize>,
    ) -> Finality {
        let mut duplicitous = Vec::new();
        let mut endorsements = BTreeMap::new();
        for (witness, ops) in receipts {
            let mut spans: Vec<(usize, usize)> = ops
                .iter()
                .filter_map(|op| Some((*tin.get(op)?, *tout.get(op)?)))
                .collect();
            spans.sort_unstable();
            // Sorted by entry time, the operations lie on one path from the genesis iff each contains
            // the next in its subtree.
            let one_path = spans
                .windows(2)
                .all(|pair| pair[1].0 >= pair[0].0 && pair[1].0 < pair[0].1);
            if one_path {
                endorsements.insert(*witness, spans.iter().map(|s| s.0).collect());
            } else {
                duplicitous.push(*witness);
            }
        }
        Finality {
            duplicitous,
            endorsements,
        }
    }

    /// Whether a child whose subtree spans `child` is final under `set`, the witness set in force at
    /// its parent: at least `t` non-duplicitous witnesses of `set` receipted an operation in it.
    pub(super) fn is_final(&self, set: Option<&WitnessSet>, child: (usize, usize)) -> bool {
        let Some(set) = set else {
            return false;
        };
        let endorsing = set
            .keys
            .iter()
            .filter(|w| {
                self.endorsements.get(*w).is_some_and(|positions| {
                    let first = positions.partition_point(|&p| p < child.0);
                    positions.get(first).is_some_and(|&p| p < child.1)
                })
            })
            .count();
        endorsing >= set.threshold
    }
}
