//! A persistent ordered map: an AVL tree whose nodes are shared between versions.
//!
//! Every tree node of an account (06 §6) has its own state, and most of a state is its parent's:
//! inserting one key into a [`PMap`] copies only the `O(log n)` nodes on the path to that key and
//! shares every other node with the map it came from. Cloning a map is `O(1)`. So the states of `n`
//! operations take `O(n log n)` memory in the worst case instead of the `O(n²)` of one full copy per
//! state, and a lookup is `O(log n)`. There is no removal: account states only ever add keys or
//! replace a key's value.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::cmp::Ordering;

type Link<K, V> = Option<Arc<Node<K, V>>>;

#[derive(Debug)]
struct Node<K, V> {
    key: K,
    value: V,
    height: u8,
    left: Link<K, V>,
    right: Link<K, V>,
}

/// A persistent map from `K` to `V`; `V` is cloned only for the `O(log n)` nodes an insertion copies,
/// so large values should be behind an [`Arc`].
#[derive(Debug)]
pub(crate) struct PMap<K, V> {
    root: Link<K, V>,
}

impl<K, V> Clone for PMap<K, V> {
    fn clone(&self) -> Self {
        PMap {
            root: self.root.clone(),
        }
    }
}

impl<K, V> Default for PMap<K, V> {
    fn default() -> Self {
        PMap { root: None }
    }
}

fn height<K, V>(link: &Link<K, V>) -> u8 {
    link.as_ref().map_or(0, |n| n.height)
}

fn node<K, V>(key: K, value: V, left: Link<K, V>, right: Link<K, V>) -> Arc<Node<K, V>> {
    let height = 1 + height(&left).max(height(&right));
    Arc::new(Node {
        key,
        value,
        height,
        left,
        right,
    })
}

/// A node over `left` and `right`, whose heights differ by at most 2, rotated back into AVL balance.
fn balance<K: Copy, V: Clone>(
    key: K,
    value: V,
    left: Link<K, V>,
    right: Link<K, V>,
) -> Arc<Node<K, V>> {
    let (hl, hr) = (height(&left), height(&right));
    if hl > hr + 1 {
        if let Some(l) = &left {
            if height(&l.left) >= height(&l.right) {
                let top = node(key, value, l.right.clone(), right);
                return node(l.key, l.value.clone(), l.left.clone(), Some(top));
            }
            if let Some(lr) = &l.right {
                let a = node(l.key, l.value.clone(), l.left.clone(), lr.left.clone());
                let b = node(key, value, lr.right.clone(), right);
                return node(lr.key, lr.value.clone(), Some(a), Some(b));
            }
        }
    } else if hr > hl + 1 {
        if let Some(r) = &right {
            if height(&r.right) >= height(&r.left) {
                let top = node(key, value, left, r.left.clone());
                return node(r.key, r.value.clone(), Some(top), r.right.clone());
            }
            if let Some(rl) = &r.left {
                let a = node(key, value, left, rl.left.clone());
                let b = node(r.key, r.value.clone(), rl.right.clone(), r.right.clone());
                return node(rl.key, rl.value.clone(), Some(a), Some(b));
            }
        }
    }
    node(key, value, left, right)
}

/// `link` with `key` set to `value`; the flag says whether the key is new.
fn insert<K: Ord + Copy, V: Clone>(link: &Link<K, V>, key: K, value: V) -> (Arc<Node<K, V>>, bool) {
    let Some(n) = link else {
        return (node(key, value, None, None), true);
    };
    match key.cmp(&n.key) {
        Ordering::Less => {
            let (left, new) = insert(&n.left, key, value);
            let out = balance(n.key, n.value.clone(), Some(left), n.right.clone());
            (out, new)
        }
        Ordering::Greater => {
            let (right, new) = insert(&n.right, key, value);
            let out = balance(n.key, n.value.clone(), n.left.clone(), Some(right));
            (out, new)
        }
        Ordering::Equal => (
            Arc::new(Node {
                key,
                value,
                height: n.height,
                left: n.left.clone(),
                right: n.right.clone(),
            }),
            false,
        ),
    }
}

impl<K: Ord + Copy, V: Clone> PMap<K, V> {
    /// The value of `key`.
    pub(crate) fn get(&self, key: &K) -> Option<&V> {
        let mut at = &self.root;
        while let Some(n) = at {
            match key.cmp(&n.key) {
                Ordering::Less => at = &n.left,
                Ordering::Greater => at = &n.right,
                Ordering::Equal => return Some(&n.value),
            }
        }
        None
    }

    /// Whether `key` is in the map.
    pub(crate) fn contains_key(&self, key: &K) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key` to `value` in this version; other versions sharing nodes with it are unchanged.
    pub(crate) fn insert(&mut self, key: K, value: V) {
        let (root, _) = insert(&self.root, key, value);
        self.root = Some(root);
    }

    /// The number of keys, counted: `O(n)` (no count is kept, so that a map is one word: every
    /// account state holds three, issue 18).
    pub(crate) fn len(&self) -> usize {
        self.iter().count()
    }

    /// The entries in key order.
    pub(crate) fn iter(&self) -> Iter<'_, K, V> {
        let mut iter = Iter { stack: Vec::new() };
        iter.descend(&self.root);
        iter
    }
}

impl<K: Ord + Copy, V: PartialEq> PMap<K, V> {
    /// The keys whose entries differ between this map and `other` (present in one only, or with
    /// unequal values), in key order. Subtrees the two versions share are skipped whole, so for a
    /// version derived from the other by `k` insertions this costs `O(k log n)`; for two unrelated
    /// maps, `O(n + m)`.
    pub(crate) fn diff(&self, other: &Self) -> Vec<K> {
        let mut out = Vec::new();
        let (mut a, mut b) = (Pending::of(&self.root), Pending::of(&other.root));
        loop {
            match (a.0.last(), b.0.last()) {
                (None, None) => break,
                (Some(Item::Tree(x)), Some(Item::Tree(y))) if Arc::ptr_eq(x, y) => {
                    a.0.pop();
                    b.0.pop();
                }
                (Some(Item::Tree(x)), Some(Item::Tree(y))) => {
                    let (hx, hy) = (x.height, y.height);
                    if hx >= hy {
                        a.expand();
                    }
                    if hy >= hx {
                        b.expand();
                    }
                }
                (Some(Item::Tree(_)), _) => a.expand(),
                (_, Some(Item::Tree(_))) => b.expand(),
                (Some(Item::Entry(x)), Some(Item::Entry(y))) => match x.key.cmp(&y.key) {
                    Ordering::Less => {
                        out.push(x.key);
                        a.0.pop();
                    }
                    Ordering::Greater => {
                        out.push(y.key);
                        b.0.pop();
                    }
                    Ordering::Equal => {
                        if x.value != y.value {
                            out.push(x.key);
                        }
                        a.0.pop();
                        b.0.pop();
                    }
                },
                (Some(Item::Entry(x)), None) => {
                    out.push(x.key);
                    a.0.pop();
                }
                (None, Some(Item::Entry(y))) => {
                    out.push(y.key);
                    b.0.pop();
                }
            }
        }
        out
    }
}

/// What is left to visit of one map in a [`PMap::diff`], next item last: whole subtrees, which
/// may be skipped if the other map holds the very same one, and single entries.
struct Pending<'a, K, V>(Vec<Item<'a, K, V>>);

enum Item<'a, K, V> {
    Tree(&'a Arc<Node<K, V>>),
    Entry(&'a Node<K, V>),
}

impl<'a, K, V> Pending<'a, K, V> {
    fn of(root: &'a Link<K, V>) -> Self {
        Pending(root.iter().map(Item::Tree).collect())
    }

    /// Replaces the next item, a subtree, by its left subtree, its own entry and its right subtree.
    fn expand(&mut self) {
        if let Some(Item::Tree(n)) = self.0.pop() {
            self.0.extend(n.right.iter().map(Item::Tree));
            self.0.push(Item::Entry(n));
            self.0.extend(n.left.iter().map(Item::Tree));
        }
    }
}

/// In-order iteration over a [`PMap`]: a stack of the left spine still to visit.
pub(crate) struct Iter<'a, K, V> {
    stack: Vec<&'a Node<K, V>>,
}

impl<'a, K, V> Iter<'a, K, V> {
    fn descend(&mut self, mut link: &'a Link<K, V>) {
        while let Some(n) = link {
            self.stack.push(n);
            link = &n.left;
        }
    }
}

impl<'a, K, V> Iterator for Iter<'a, K, V> {
    type Item = (&'a K, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        let n = self.stack.pop()?;
        self.descend(&n.right);
        Some((&n.key, &n.value))
    }
}

#[cfg(test)]
mod tests {
    use super::PMap;
    use alloc::vec::Vec;

    /// Depth of the tree: an AVL tree of n keys is at most 1.44 log2(n + 2) deep.
    fn depth<K, V>(link: &super::Link<K, V>) -> usize {
        link.as_ref()
            .map_or(0, |n| 1 + depth(&n.left).max(depth(&n.right)))
    }

    #[test]
    fn versions_are_independent_and_balanced() {
        let mut versions: Vec<PMap<u32, u32>> = Vec::new();
        let mut map = PMap::default();
        // Ascending, descending and interleaved insertions, the shapes that unbalance a plain tree.
        let keys: Vec<u32> = (0..500)
            .chain((500..1000).rev())
            .chain((1000..1500).map(|k| if k % 2 == 0 { k } else { 3499 - k }))
            .collect();
        for (i, k) in keys.iter().enumerate() {
            map.insert(*k, i as u32);
            if i % 100 == 0 {
                versions.push(map.clone());
            }
        }
        assert_eq!(map.len(), keys.len());
        assert!(depth(&map.root) <= 16, "depth {}", depth(&map.root));
        let sorted: Vec<u32> = map.iter().map(|(k, _)| *k).collect();
        let mut expected = keys.clone();
        expected.sort_unstable();
        assert_eq!(sorted, expected);
        // Old versions still hold exactly what they held.
        for (v, version) in versions.iter().enumerate() {
            let held = v * 100 + 1;
            assert_eq!(version.len(), held);
            for (i, k) in keys.iter().enumerate() {
                assert_eq!(version.get(k).copied(), (i < held).then_some(i as u32));
            }
        }
        // Replacing a value keeps the length and changes only the new version.
        let before = map.clone();
        map.insert(keys[7], 9999);
        assert_eq!(map.len(), before.len());
        assert_eq!(map.get(&keys[7]), Some(&9999));
        assert_eq!(before.get(&keys[7]), Some(&7));
        assert!(map.contains_key(&keys[3]));
        assert!(!map.contains_key(&5000));
    }

    /// The diff names exactly the keys added or changed, and skips what two versions share: a
    /// version `k` insertions away from a map of 4096 keys visits far fewer than 4096 entries.
    #[test]
    fn diff_names_exactly_the_changed_keys() {
        let mut base: PMap<u32, u32> = PMap::default();
        for k in 0..4096 {
            base.insert(k * 2, k);
        }
        assert!(base.diff(&base.clone()).is_empty());
        let mut next = base.clone();
        next.insert(7, 0); // new
        next.insert(100, 1); // changed value
        next.insert(200, 100); // same value: no change
        next.insert(9000, 5); // new, at the end
        assert_eq!(base.diff(&next), [7, 100, 9000]);
        assert_eq!(next.diff(&base), [7, 100, 9000]);
        // Two maps built apart, with equal contents: equal values, no difference.
        let mut apart: PMap<u32, u32> = PMap::default();
        for k in (0..4096).rev() {
            apart.insert(k * 2, k);
        }
        assert!(base.diff(&apart).is_empty());
        assert_eq!(PMap::default().diff(&next).len(), next.len());
    }
}
