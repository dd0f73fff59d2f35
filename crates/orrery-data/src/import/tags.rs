//! Tags gathered per item from a tags file before the items are emitted.

use std::collections::{HashMap, HashSet};

/// Each item's tags, trimmed, deduplicated case-insensitively, in first-seen order.
#[derive(Debug, Default)]
pub(crate) struct Tags {
    by_item: HashMap<String, ItemTags>,
}

#[derive(Debug, Default)]
struct ItemTags {
    in_order: Vec<String>,
    seen: HashSet<String>,
}

impl Tags {
    /// Adds one tag to an item; blank and repeated tags are ignored.
    pub fn add(&mut self, item: &str, tag: &str) {
        let tag = tag.trim();
        if tag.is_empty() {
            return;
        }
        let entry = match self.by_item.get_mut(item) {
            Some(entry) => entry,
            None => self.by_item.entry(item.to_owned()).or_default(),
        };
        if entry.seen.insert(tag.to_lowercase()) {
            entry.in_order.push(tag.to_owned());
        }
    }

    /// Removes and returns an item's tags.
    pub fn take(&mut self, item: &str) -> Vec<String> {
        self.by_item
            .remove(item)
            .map(|tags| tags.in_order)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deduplicates_in_first_seen_order() {
        let mut tags = Tags::default();
        for tag in ["funny", " Dark ", "FUNNY", "", "dark", "quotable"] {
            tags.add("1", tag);
        }
        tags.add("2", "other");
        assert_eq!(tags.take("1"), ["funny", "Dark", "quotable"]);
        assert!(tags.take("1").is_empty());
        assert_eq!(tags.take("2"), ["other"]);
    }
}
