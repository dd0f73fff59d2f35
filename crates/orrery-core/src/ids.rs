//! External string ids ↔ dense `u32` indices.

use std::collections::HashMap;

/// Dense index of a user inside one [`crate::Dataset`].
pub type UserIdx = u32;
/// Dense index of an item inside one [`crate::Dataset`].
pub type ItemIdx = u32;

/// A bidirectional map between external string ids and dense indices `0..len`.
///
/// Indices are handed out in insertion order, so building the same map from the same
/// sequence always gives the same indices (models depend on it for determinism).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IdMap {
    ids: Vec<String>,
    index: HashMap<String, u32>,
}

impl IdMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty map with room for `n` ids.
    pub fn with_capacity(n: usize) -> Self {
        Self {
            ids: Vec::with_capacity(n),
            index: HashMap::with_capacity(n),
        }
    }

    /// The index of `id`, inserting it if it is new.
    pub fn get_or_insert(&mut self, id: &str) -> u32 {
        if let Some(&idx) = self.index.get(id) {
            return idx;
        }
        let idx = u32::try_from(self.ids.len()).expect("more than u32::MAX ids");
        self.ids.push(id.to_owned());
        self.index.insert(id.to_owned(), idx);
        idx
    }

    /// The index of `id`, if known.
    pub fn get(&self, id: &str) -> Option<u32> {
        self.index.get(id).copied()
    }

    /// The external id of `idx`, if in range.
    pub fn external(&self, idx: u32) -> Option<&str> {
        self.ids.get(idx as usize).map(String::as_str)
    }

    /// Number of ids.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether the map holds no id.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// External ids in index order.
    pub fn ids(&self) -> &[String] {
        &self.ids
    }

    /// Approximate heap bytes held by the map.
    pub fn heap_bytes(&self) -> usize {
        let strings: usize = self.ids.iter().map(|s| s.capacity()).sum();
        // Each string is stored twice (vector and hash key); the table adds a key, a value
        // and a control byte per bucket.
        2 * strings
            + self.ids.capacity() * std::mem::size_of::<String>()
            + self.index.capacity() * (std::mem::size_of::<String>() + 4 + 1)
    }
}

impl<S: AsRef<str>> FromIterator<S> for IdMap {
    fn from_iter<T: IntoIterator<Item = S>>(iter: T) -> Self {
        let mut map = IdMap::new();
        for id in iter {
            map.get_or_insert(id.as_ref());
        }
        map
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_are_dense_and_stable() {
        let mut map = IdMap::new();
        assert_eq!(map.get_or_insert("b"), 0);
        assert_eq!(map.get_or_insert("a"), 1);
        assert_eq!(map.get_or_insert("b"), 0);
        assert_eq!(map.len(), 2);
        assert_eq!(map.get("a"), Some(1));
        assert_eq!(map.get("zzz"), None);
        assert_eq!(map.external(0), Some("b"));
        assert_eq!(map.external(2), None);
    }
}
