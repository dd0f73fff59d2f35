//! The rules every candidate passes before it can be ranked: live in the catalog, not
//! seen by the user, not excluded by the request, in the requested category.
//!
//! Sources ask [`Admission::admits`] while they search, so a filter costs a check per
//! item looked at, not a pass over the catalog per request.

use std::collections::HashSet;

use orrery_core::ItemIdx;

use crate::Snapshot;

/// Which catalog slots one list may hold.
pub struct Admission<'a> {
    snapshot: &'a Snapshot,
    /// Seen and excluded slots, sorted.
    refused: Vec<ItemIdx>,
    category: Option<Category>,
}

/// A category filter, in the cheapest form the catalog allows.
enum Category {
    /// The catalog token `cat:value`: items that carry it.
    Token(u32),
    /// A `type:value` name: the items found in the catalog.
    Items(HashSet<ItemIdx>),
}

impl<'a> Admission<'a> {
    /// Live items of `snapshot` minus `seen` and `excluded`, within `category` when given
    /// (`Comedy`, or `genre:Comedy`; an unknown category admits nothing).
    pub fn new(
        snapshot: &'a Snapshot,
        seen: impl IntoIterator<Item = ItemIdx>,
        excluded: impl IntoIterator<Item = ItemIdx>,
        category: Option<&str>,
    ) -> Admission<'a> {
        let mut refused: Vec<ItemIdx> = seen.into_iter().chain(excluded).collect();
        refused.sort_unstable();
        refused.dedup();
        let catalog = &snapshot.catalog;
        let category = category.map(|name| {
            let wanted = name.trim().to_lowercase();
            match catalog.token(&format!("cat:{wanted}")) {
                Some(token) => Category::Token(token),
                None => Category::Items(catalog.items_in_category(&wanted).into_iter().collect()),
            }
        });
        Admission {
            snapshot,
            refused,
            category,
        }
    }

    /// Whether `slot` may be recommended.
    pub fn admits(&self, slot: ItemIdx) -> bool {
        if !self.snapshot.is_live(slot) || self.refused.binary_search(&slot).is_ok() {
            return false;
        }
        match &self.category {
            None => true,
            Some(Category::Token(token)) => self
                .snapshot
                .catalog
                .item(slot)
                .is_some_and(|item| item.features.binary_search(token).is_ok()),
            Some(Category::Items(items)) => items.contains(&slot),
        }
    }

    /// Whether a category filter applies.
    pub fn filters_category(&self) -> bool {
        self.category.is_some()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use orrery_core::{Category as ItemCategory, DatasetBuilder, ItemRecord};

    use super::*;
    use crate::Catalog;

    /// Films a to d, d deleted (its slot is 3).
    fn snapshot() -> Snapshot {
        let mut b = DatasetBuilder::new(Default::default());
        for (id, genre) in [
            ("a", "Horror"),
            ("b", "Comedy"),
            ("c", "Horror"),
            ("d", "Drama"),
        ] {
            b.add_item(ItemRecord {
                title: format!("film {id}"),
                categories: vec![ItemCategory::new("genre", genre)],
                ..ItemRecord::with_id(id)
            });
        }
        let catalog = Catalog::from_dataset(&b.build()).without_item("d");
        Snapshot::new(Arc::new(catalog), None)
    }

    #[test]
    fn seen_excluded_deleted_and_other_categories_are_refused() {
        let s = snapshot();
        let slot = |id: &str| s.catalog.get(id).unwrap();
        let all = Admission::new(&s, [], [], None);
        assert!(all.admits(slot("a")) && all.admits(slot("b")));
        assert!(!all.admits(3), "deleted");
        let rules = Admission::new(&s, [slot("a")], [slot("b")], None);
        assert!(!rules.admits(slot("a")) && !rules.admits(slot("b")));
        assert!(rules.admits(slot("c")));
        for name in ["horror", "Genre:Horror"] {
            let horror = Admission::new(&s, [], [], Some(name));
            assert!(horror.filters_category());
            assert!(
                horror.admits(slot("a")) && horror.admits(slot("c")),
                "{name}"
            );
            assert!(!horror.admits(slot("b")), "{name}");
        }
        let unknown = Admission::new(&s, [], [], Some("Western"));
        assert!((0..4).all(|i| !unknown.admits(i)));
    }
}
