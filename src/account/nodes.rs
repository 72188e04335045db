//! A compact ordered map for the small maps every account holds (issue 18): its tree of operations
//! (and, while the chain is chosen, the chain's places).
//!
//! Most accounts hold a handful of operations. A [`BTreeMap`] allocates a whole leaf of eleven
//! entries for its first entry, which for the nodes of an account's tree (a few hundred bytes each)
//! was most of what the account state held per message. Up to [`FEW`] entries a [`Store`] is a
//! boxed slice sorted by key, with no spare capacity (a lookup is a binary search, an insertion
//! copies at most [`FEW`] entries into a slice one longer); past that it is a boxed [`BTreeMap`],
//! so every operation stays `O(log n)`. Iteration is in key order either way, as a [`BTreeMap`]'s.
//! A store is two words inline.

use alloc::boxed::Box;
use alloc::collections::btree_map;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;

/// The most entries a [`Store`] holds as a sorted slice.
const FEW: usize = 8;

/// An ordered map from `K` to `V`: a sorted slice while small, a [`BTreeMap`] past [`FEW`] entries.
/// Both are boxed, so that the store is two words inline (the slice's pointer and length; the
/// map's box beside the slice pointer's niche): every account holds one inline (issue 18).
#[derive(Clone, Debug)]
pub(super) enum Store<K, V> {
    /// At most [`FEW`] entries, sorted by key, distinct keys, exactly as many as held.
    Few(Box<[(K, V)]>),
    /// More than [`FEW`] entries. Boxed on purpose: the map inline would make every store, small
    /// ones included, a word larger.
    #[allow(clippy::box_collection)]
    Many(Box<BTreeMap<K, V>>),
}

impl<K, V> Default for Store<K, V> {
    fn default() -> Self {
        Store::Few(Box::default())
    }
}

impl<K: Ord + Copy, V> Store<K, V> {
    /// A map of one entry.
    pub(super) fn one(key: K, value: V) -> Self {
        Store::Few(Box::new([(key, value)]))
    }

    /// The value of `key`, if any. `O(log n)`.
    pub(super) fn get(&self, key: &K) -> Option<&V> {
        match self {
            Store::Few(v) => v
                .binary_search_by(|(k, _)| k.cmp(key))
                .ok()
                .and_then(|i| v.get(i))
                .map(|(_, value)| value),
            Store::Many(m) => m.get(key),
        }
    }

    /// The value of `key`, mutable, if any. `O(log n)`.
    pub(super) fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        match self {
            Store::Few(v) => match v.binary_search_by(|(k, _)| k.cmp(key)) {
                Ok(i) => v.get_mut(i).map(|(_, value)| value),
                Err(_) => None,
            },
            Store::Many(m) => m.get_mut(key),
        }
    }

    /// Whether `key` has a value. `O(log n)`.
    pub(super) fn contains_key(&self, key: &K) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key` to `value`. `O(log n)` (`O(FEW)` moves while small).
    pub(super) fn insert(&mut self, key: K, value: V) {
        match self {
            Store::Few(v) => match v.binary_search_by(|(k, _)| k.cmp(&key)) {
                Ok(i) => {
                    if let Some(slot) = v.get_mut(i) {
                        slot.1 = value;
                    }
                }
                Err(i) if v.len() < FEW => {
                    // No spare capacity: a vector's doubling would hold up to twice its entries.
                    let mut grown: Vec<(K, V)> = core::mem::take(v).into_vec();
                    grown.reserve_exact(1);
                    grown.insert(i, (key, value));
                    *v = grown.into_boxed_slice();
                }
                Err(_) => {
                    let mut m: BTreeMap<K, V> = core::mem::take(v).into_vec().into_iter().collect();
                    m.insert(key, value);
                    *self = Store::Many(Box::new(m));
                }
            },
            Store::Many(m) => {
                m.insert(key, value);
            }
        }
    }

    /// The entries in key order.
    pub(super) fn iter(&self) -> Iter<'_, K, V> {
        match self {
            Store::Few(v) => Iter::Few(v.iter()),
            Store::Many(m) => Iter::Many(m.iter()),
        }
    }
}

/// The entries of a [`Store`] in key order.
pub(super) enum Iter<'a, K, V> {
    Few(core::slice::Iter<'a, (K, V)>),
    Many(btree_map::Iter<'a, K, V>),
}

impl<'a, K, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Iter::Few(i) => i.next().map(|(k, v)| (k, v)),
            Iter::Many(i) => i.next(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Store, FEW};
    use alloc::collections::BTreeMap;
    use alloc::vec::Vec;

    /// The store answers as a `BTreeMap` would, below and past [`FEW`] entries, whatever the order
    /// of insertion, replacements included.
    #[test]
    fn answers_as_a_btree_map() {
        for n in [0usize, 1, 2, FEW - 1, FEW, FEW + 1, 3 * FEW] {
            let mut store = Store::default();
            let mut map = BTreeMap::new();
            // A fixed permutation of 0..n, each key inserted twice (the second a replacement).
            let keys: Vec<usize> = (0..n).map(|i| (i * 5 + 3) % n.max(1)).collect();
            for (round, k) in keys.iter().chain(&keys).enumerate() {
                store.insert(*k, round);
                map.insert(*k, round);
                for probe in 0..=n {
                    assert_eq!(store.get(&probe), map.get(&probe));
                    assert_eq!(store.contains_key(&probe), map.contains_key(&probe));
                }
            }
            assert!(store.iter().eq(map.iter()));
            if let Some(v) = store.get_mut(&0) {
                *v = usize::MAX;
            }
            if let Some(v) = map.get_mut(&0) {
                *v = usize::MAX;
            }
            assert!(store.iter().eq(map.iter()));
            assert_eq!(matches!(store, Store::Few(_)), n <= FEW);
        }
        let one = Store::one(5u8, 'a');
        assert_eq!(one.get(&5), Some(&'a'));
        assert_eq!(one.iter().count(), 1);
    }
}
