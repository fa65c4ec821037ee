//! [`SmallMap`]: a map for the few entries of in-flight bookkeeping (requests awaiting their
//! reply, relayed operations, pending timers) and of the view's card cells (at most
//! [`MAX_CALLS`](crate::store::MAX_CALLS)).
//!
//! Why not `HashMap`: each `HashMap<K, V>` compiles its own hash table (insert, remove, resize,
//! SipHash) into the wasm, ≈ 1–2 KB per key and value type, for maps that hold a handful of
//! entries at a time, where a linear search over a `Vec` is as fast.

/// At most one entry per key; no order is kept (a removal moves the last entry into its place).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmallMap<K, V>(Vec<(K, V)>);

impl<K, V> Default for SmallMap<K, V> {
    fn default() -> Self {
        SmallMap(Vec::new())
    }
}

impl<K: PartialEq, V> SmallMap<K, V> {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` to `value`; the value it replaced, if any.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.0.iter_mut().find(|(known, _)| *known == key) {
            Some((_, old)) => Some(std::mem::replace(old, value)),
            None => {
                self.0.push((key, value));
                None
            }
        }
    }

    /// `key`'s value (`key` may be borrowed: a `&str` for a `String` key).
    pub fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: std::borrow::Borrow<Q>,
        Q: PartialEq + ?Sized,
    {
        self.0
            .iter()
            .find(|(known, _)| known.borrow() == key)
            .map(|(_, value)| value)
    }

    /// Keeps only the entries for which `keep` says so.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &V) -> bool) {
        self.0.retain(|(key, value)| keep(key, value));
    }

    /// Takes `key`'s value out.
    pub fn remove(&mut self, key: &K) -> Option<V> {
        let at = self.0.iter().position(|(known, _)| known == key)?;
        Some(self.0.swap_remove(at).1)
    }

    /// Whether `key` has a value.
    pub fn contains_key(&self, key: &K) -> bool {
        self.0.iter().any(|(known, _)| known == key)
    }

    /// How many entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.0.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::SmallMap;

    #[test]
    fn one_value_per_key_until_removed() {
        let mut map = SmallMap::new();
        assert_eq!(map.insert(1, "a"), None);
        assert_eq!(map.insert(2, "b"), None);
        assert_eq!(map.insert(1, "c"), Some("a"), "replaced, not added");
        assert_eq!(map.len(), 2);
        assert!(map.contains_key(&2));
        assert_eq!(map.remove(&1), Some("c"));
        assert_eq!(map.remove(&1), None, "gone");
        assert_eq!(map.remove(&2), Some("b"));
        assert!(map.is_empty());
        map.insert(3, "d");
        map.clear();
        assert!(!map.contains_key(&3));
    }

    #[test]
    fn looks_up_by_borrowed_key_and_retains() {
        let mut map = SmallMap::new();
        map.insert("a".to_string(), 1);
        map.insert("b".to_string(), 2);
        map.insert("c".to_string(), 3);
        assert_eq!(map.get("b"), Some(&2));
        assert_eq!(map.get("z"), None);
        map.retain(|key, value| key != "a" && *value != 3);
        assert_eq!(map.len(), 1);
        assert_eq!(map.get("a"), None);
        assert_eq!(map.get("b"), Some(&2));
        assert_eq!(map.get("c"), None);
    }
}
