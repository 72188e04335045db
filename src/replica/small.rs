//! Sets that most often hold a handful of items: a sorted slice of exactly their length while
//! they have fewer than [`SMALL`] items, a B-tree from then on (issue 18's memory). A B-tree node
//! has 11 slots and fills to about two thirds, so a set of a few items in a node of its own, or
//! many sets' items in one large B-tree, cost about half as much again as the items themselves;
//! a slice costs exactly its items. An insertion or removal in a slice moves at most [`SMALL`]
//! items, `O(1)`; the change to and from a B-tree is amortized over the operations that led to
//! it: `O(log n)` per operation either way, and a range is `O(log n + k)` in both forms.

use alloc::boxed::Box;
use alloc::collections::btree_set;
use alloc::collections::BTreeSet;
use alloc::vec::Vec;
use core::ops::{Bound, RangeBounds};

/// The size at which a set becomes a B-tree; it becomes a slice again below half of it.
pub(super) const SMALL: usize = 32;

/// A set of ordered items, small or large. See the [module documentation](self).
#[derive(Clone, Debug)]
pub(super) enum SmallSet<T> {
    /// Fewer than [`SMALL`] items, in increasing order.
    Small(Box<[T]>),
    /// Boxed: the set is then 24 bytes wherever it is held, not 32.
    #[allow(clippy::box_collection)]
    Large(Box<BTreeSet<T>>),
}

impl<T> Default for SmallSet<T> {
    fn default() -> Self {
        SmallSet::Small(Box::default())
    }
}

/// The items of a [`SmallSet`] in a range, in increasing order.
pub(super) enum Range<'a, T> {
    Small(core::slice::Iter<'a, T>),
    Large(btree_set::Range<'a, T>),
}

impl<'a, T> Iterator for Range<'a, T> {
    type Item = &'a T;

    fn next(&mut self) -> Option<&'a T> {
        match self {
            Range::Small(it) => it.next(),
            Range::Large(it) => it.next(),
        }
    }
}

impl<T> DoubleEndedIterator for Range<'_, T> {
    fn next_back(&mut self) -> Option<Self::Item> {
        match self {
            Range::Small(it) => it.next_back(),
            Range::Large(it) => it.next_back(),
        }
    }
}

impl<T: Ord + Copy> SmallSet<T> {
    /// Inserts `item`; whether it was not there.
    pub(super) fn insert(&mut self, item: T) -> bool {
        match self {
            SmallSet::Small(items) => {
                let Err(at) = items.binary_search(&item) else {
                    return false;
                };
                if items.len() + 1 < SMALL {
                    let mut grown = Vec::with_capacity(items.len() + 1);
                    grown.extend_from_slice(&items[..at]);
                    grown.push(item);
                    grown.extend_from_slice(&items[at..]);
                    *items = grown.into_boxed_slice();
                } else {
                    let mut set: BTreeSet<T> = items.iter().copied().collect();
                    set.insert(item);
                    *self = SmallSet::Large(Box::new(set));
                }
                true
            }
            SmallSet::Large(set) => set.insert(item),
        }
    }

    /// Removes `item`; whether it was there. A B-tree of fewer than [`SMALL`] / 2 items becomes a
    /// slice again.
    pub(super) fn remove(&mut self, item: &T) -> bool {
        match self {
            SmallSet::Small(items) => {
                let Ok(at) = items.binary_search(item) else {
                    return false;
                };
                let mut shrunk = Vec::with_capacity(items.len() - 1);
                shrunk.extend_from_slice(&items[..at]);
                shrunk.extend_from_slice(&items[at + 1..]);
                *items = shrunk.into_boxed_slice();
                true
            }
            SmallSet::Large(set) => {
                let removed = set.remove(item);
                if set.len() < SMALL / 2 {
                    *self = SmallSet::Small(set.iter().copied().collect());
                }
                removed
            }
        }
    }

    pub(super) fn contains(&self, item: &T) -> bool {
        match self {
            SmallSet::Small(items) => items.binary_search(item).is_ok(),
            SmallSet::Large(set) => set.contains(item),
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        match self {
            SmallSet::Small(items) => items.is_empty(),
            SmallSet::Large(set) => set.is_empty(),
        }
    }

    /// The items in `range`, in increasing order (none if its start is past its end).
    pub(super) fn range<R: RangeBounds<T>>(&self, range: R) -> Range<'_, T> {
        match self {
            SmallSet::Small(items) => {
                let start = match range.start_bound() {
                    Bound::Included(x) => items.partition_point(|e| e < x),
                    Bound::Excluded(x) => items.partition_point(|e| e <= x),
                    Bound::Unbounded => 0,
                };
                let end = match range.end_bound() {
                    Bound::Included(x) => items.partition_point(|e| e <= x),
                    Bound::Excluded(x) => items.partition_point(|e| e < x),
                    Bound::Unbounded => items.len(),
                };
                Range::Small(items[start..end.max(start)].iter())
            }
            SmallSet::Large(set) => Range::Large(set.range(range)),
        }
    }

    /// Every item, in increasing order.
    pub(super) fn iter(&self) -> Range<'_, T> {
        self.range(..)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A set against a model through its changes of form: growing past [`SMALL`], shrinking below
    /// [`SMALL`] / 2; ranges of every kind of bound agree.
    #[test]
    fn a_set_agrees_with_a_b_tree_through_its_changes_of_form() {
        let mut set = SmallSet::default();
        let mut model = BTreeSet::new();
        let check = |set: &SmallSet<u64>, model: &BTreeSet<u64>| {
            for (lo, hi) in [(0, 100), (10, 20), (17, 17), (30, 61)] {
                let got: Vec<u64> = set.range(lo..=hi).copied().collect();
                let want: Vec<u64> = model.range(lo..=hi).copied().collect();
                assert_eq!(got, want);
                let got: Vec<u64> = set.range(lo..hi).rev().copied().collect();
                let want: Vec<u64> = model.range(lo..hi).rev().copied().collect();
                assert_eq!(got, want);
            }
            assert_eq!(
                set.iter().copied().collect::<Vec<_>>(),
                model.iter().copied().collect::<Vec<_>>()
            );
            assert_eq!(set.is_empty(), model.is_empty());
        };
        for i in 0u64..100 {
            let x = i * 37 % 61;
            assert_eq!(set.insert(x), model.insert(x));
            check(&set, &model);
            assert_eq!(matches!(set, SmallSet::Small(_)), model.len() < SMALL);
        }
        for i in 0u64..100 {
            let x = i * 13 % 61;
            assert_eq!(set.remove(&x), model.remove(&x));
            assert_eq!(set.contains(&x), model.contains(&x));
            check(&set, &model);
        }
        assert!(matches!(set, SmallSet::Small(_)));
    }
}
