//! Which items a recommendation may contain.

use orrery_core::ItemIdx;

/// A set of items as a bitset, for allowed-item filters such as "only this category".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemSet {
    bits: Vec<u64>,
}

impl ItemSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an item.
    pub fn insert(&mut self, item: ItemIdx) {
        let (word, bit) = (item as usize / 64, item % 64);
        if word >= self.bits.len() {
            self.bits.resize(word + 1, 0);
        }
        self.bits[word] |= 1 << bit;
    }

    /// Whether the set holds `item`.
    pub fn contains(&self, item: ItemIdx) -> bool {
        self.bits
            .get(item as usize / 64)
            .is_some_and(|w| w & (1 << (item % 64)) != 0)
    }

    /// Number of items in the set.
    pub fn len(&self) -> usize {
        self.bits.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.bits.iter().all(|&w| w == 0)
    }
}

impl FromIterator<ItemIdx> for ItemSet {
    fn from_iter<T: IntoIterator<Item = ItemIdx>>(iter: T) -> Self {
        let mut set = ItemSet::new();
        for item in iter {
            set.insert(item);
        }
        set
    }
}

/// Restricts the items that [`crate::Recommender::recommend`] may return.
///
/// The default excludes the items in the user's history, as `implicit`'s
/// `filter_already_liked_items=True` does.
///
/// ```
/// use orrery_models::{Filter, ItemSet};
/// let comedies: ItemSet = [1, 4, 7].into_iter().collect();
/// let filter = Filter::default().exclude(&[4]).only(&comedies);
/// assert!(filter.admits(1) && !filter.admits(4) && !filter.admits(2));
/// ```
#[derive(Clone, Copy)]
pub struct Filter<'a> {
    pub(crate) exclude_seen: bool,
    pub(crate) exclude: &'a [ItemIdx],
    allowed: Option<&'a ItemSet>,
    predicate: Option<&'a (dyn Fn(ItemIdx) -> bool + Sync)>,
}

impl Default for Filter<'_> {
    fn default() -> Self {
        Filter {
            exclude_seen: true,
            exclude: &[],
            allowed: None,
            predicate: None,
        }
    }
}

impl std::fmt::Debug for Filter<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Filter")
            .field("exclude_seen", &self.exclude_seen)
            .field("exclude", &self.exclude)
            .field("allowed", &self.allowed.map(ItemSet::len))
            .field("predicate", &self.predicate.is_some())
            .finish()
    }
}

impl<'a> Filter<'a> {
    /// A filter that admits every item, seen or not.
    pub fn none() -> Self {
        Filter {
            exclude_seen: false,
            ..Filter::default()
        }
    }

    /// Whether items in the user's history are left out (default `true`).
    pub fn exclude_seen(mut self, yes: bool) -> Self {
        self.exclude_seen = yes;
        self
    }

    /// Leaves out these items too (e.g. a dataset row's `indices`, or items already shown).
    pub fn exclude(mut self, items: &'a [ItemIdx]) -> Self {
        self.exclude = items;
        self
    }

    /// Admits only items in `set`.
    pub fn only(mut self, set: &'a ItemSet) -> Self {
        self.allowed = Some(set);
        self
    }

    /// Admits only items for which `predicate` holds.
    pub fn only_if(mut self, predicate: &'a (dyn Fn(ItemIdx) -> bool + Sync)) -> Self {
        self.predicate = Some(predicate);
        self
    }

    /// Whether the allowed-set and predicate admit `item` (exclusions are applied
    /// separately, through the score buffer).
    pub fn admits(&self, item: ItemIdx) -> bool {
        !self.exclude.contains(&item)
            && self.allowed.is_none_or(|s| s.contains(item))
            && self.predicate.is_none_or(|p| p(item))
    }

    /// Like [`Filter::admits`] without the exclusion list (already applied).
    pub(crate) fn admits_allowed(&self, item: ItemIdx) -> bool {
        self.allowed.is_none_or(|s| s.contains(item)) && self.predicate.is_none_or(|p| p(item))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_set_membership() {
        let mut s = ItemSet::new();
        assert!(s.is_empty());
        s.insert(3);
        s.insert(200);
        s.insert(3);
        assert_eq!(s.len(), 2);
        assert!(s.contains(3) && s.contains(200));
        assert!(!s.contains(4) && !s.contains(100_000));
    }

    #[test]
    fn predicate_and_set_combine() {
        let even = |i: ItemIdx| i.is_multiple_of(2);
        let set: ItemSet = [2, 3, 4].into_iter().collect();
        let f = Filter::none().only(&set).only_if(&even);
        assert!(f.admits(2) && f.admits(4));
        assert!(!f.admits(3) && !f.admits(6));
    }
}
