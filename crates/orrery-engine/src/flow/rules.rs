//! The rules every candidate passes before it can be ranked: live in the catalog, not
//! seen by the user, not excluded by the request, in the requested category, admitted by
//! the request's and its preset's filters ([`Rules`]); and the boosts that scale the
//! scores of the items they match.
//!
//! Sources ask [`Admission::admits`] while they search, so a filter costs a check per
//! item looked at, not a pass over the catalog per request.

use std::collections::{BTreeMap, HashSet};

use orrery_core::{ItemIdx, ItemRecord};
use serde::{Deserialize, Serialize};

use crate::Snapshot;
use crate::flow::expr::{Boosts, ExprError, Filter};

/// Named rules in `orrery.toml` (`[flow.presets.NAME]`), chosen per request with
/// `preset=NAME`.
pub type Presets = BTreeMap<String, RuleText>;

/// Rules as written: a filter expression and boosts (see [`crate::flow::expr`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct RuleText {
    /// Which items a list may hold, e.g. `category in ['Star','Planet'] and year >= 1990`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// Score multipliers, e.g. `tag:new * 1.2, genre = 'Horror' * 0.5`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boost: Option<String>,
}

/// A rule that does not parse, and which field held it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {error}")]
pub struct RuleError {
    /// `filter` or `boost` (prefixed with the preset's name for presets).
    pub field: String,
    /// Where and why it failed.
    pub error: ExprError,
}

/// Compiled rules: every filter must admit an item, and the factors of every boost that
/// matches it multiply its score.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    filters: Vec<Filter>,
    boosts: Vec<Boosts>,
}

impl Rules {
    /// Compiles rules as written; `field_prefix` names where they came from in errors
    /// (`""` for a request's, `"presets.NAME."` for a preset's).
    pub fn compile(text: &RuleText, field_prefix: &str) -> Result<Rules, RuleError> {
        let located = |field: &str| {
            let field = format!("{field_prefix}{field}");
            move |error| RuleError { field, error }
        };
        let mut rules = Rules::default();
        if let Some(filter) = text.filter.as_deref().filter(|f| !f.trim().is_empty()) {
            rules
                .filters
                .push(Filter::parse(filter).map_err(located("filter"))?);
        }
        if let Some(boost) = &text.boost {
            let boosts = Boosts::parse(boost).map_err(located("boost"))?;
            if !boosts.is_empty() {
                rules.boosts.push(boosts);
            }
        }
        Ok(rules)
    }

    /// These rules and `other`'s, both applying.
    pub fn with(mut self, other: &Rules) -> Rules {
        self.filters.extend(other.filters.iter().cloned());
        self.boosts.extend(other.boosts.iter().cloned());
        self
    }

    /// Whether every filter admits `item`.
    pub fn admits(&self, item: &ItemRecord) -> bool {
        self.filters.iter().all(|f| f.admits(item))
    }

    /// The product of the boosts that match `item` (1 when none does).
    pub fn boost(&self, item: &ItemRecord) -> f32 {
        self.boosts.iter().map(|b| b.factor(item)).product()
    }

    /// Whether there is any boost.
    pub fn boosts(&self) -> bool {
        !self.boosts.is_empty()
    }

    /// Whether there is any filter.
    pub fn filters(&self) -> bool {
        !self.filters.is_empty()
    }
}

/// Which catalog slots one list may hold.
pub struct Admission<'a> {
    snapshot: &'a Snapshot,
    /// Seen and excluded slots, sorted.
    refused: Vec<ItemIdx>,
    category: Option<Category>,
    rules: &'a Rules,
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
    /// (`Comedy`, or `genre:Comedy`; an unknown category admits nothing), that `rules`'
    /// filters admit.
    pub fn new(
        snapshot: &'a Snapshot,
        seen: impl IntoIterator<Item = ItemIdx>,
        excluded: impl IntoIterator<Item = ItemIdx>,
        category: Option<&str>,
        rules: &'a Rules,
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
            rules,
        }
    }

    /// Whether `slot` may be recommended.
    pub fn admits(&self, slot: ItemIdx) -> bool {
        if !self.snapshot.is_live(slot) || self.refused.binary_search(&slot).is_ok() {
            return false;
        }
        let in_category = match &self.category {
            None => true,
            Some(Category::Token(token)) => self
                .snapshot
                .catalog
                .item(slot)
                .is_some_and(|item| item.features.binary_search(token).is_ok()),
            Some(Category::Items(items)) => items.contains(&slot),
        };
        in_category
            && (!self.rules.filters()
                || self
                    .snapshot
                    .catalog
                    .item(slot)
                    .is_some_and(|item| self.rules.admits(&item.record)))
    }

    /// Whether the item at model index `m` may be recommended (the model's indexes search
    /// by model index).
    pub fn admits_model(&self, m: ItemIdx) -> bool {
        self.snapshot
            .catalog_slot(m)
            .is_some_and(|slot| self.admits(slot))
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
        let none = Rules::default();
        let all = Admission::new(&s, [], [], None, &none);
        assert!(all.admits(slot("a")) && all.admits(slot("b")));
        assert!(!all.admits(3), "deleted");
        let rules = Admission::new(&s, [slot("a")], [slot("b")], None, &none);
        assert!(!rules.admits(slot("a")) && !rules.admits(slot("b")));
        assert!(rules.admits(slot("c")));
        for name in ["horror", "Genre:Horror"] {
            let horror = Admission::new(&s, [], [], Some(name), &none);
            assert!(horror.filters_category());
            assert!(
                horror.admits(slot("a")) && horror.admits(slot("c")),
                "{name}"
            );
            assert!(!horror.admits(slot("b")), "{name}");
        }
        let unknown = Admission::new(&s, [], [], Some("Western"), &none);
        assert!((0..4).all(|i| !unknown.admits(i)));
    }

    #[test]
    fn filters_of_a_request_and_a_preset_both_apply_and_boosts_multiply() {
        let s = snapshot();
        let slot = |id: &str| s.catalog.get(id).unwrap();
        let text = |filter: &str, boost: &str| RuleText {
            filter: Some(filter.into()),
            boost: Some(boost.into()),
        };
        let preset = Rules::compile(&text("genre != 'Comedy'", "genre:horror * 2"), "").unwrap();
        let request = Rules::compile(&text("title != 'film c'", "id = 'a' * 1.5"), "").unwrap();
        let both = preset.clone().with(&request);
        let admission = Admission::new(&s, [], [], None, &both);
        assert!(admission.admits(slot("a")));
        assert!(!admission.admits(slot("b")), "the preset's filter");
        assert!(!admission.admits(slot("c")), "the request's filter");
        let record = |id: &str| &s.catalog.item(slot(id)).unwrap().record;
        assert_eq!(both.boost(record("a")), 3.0);
        assert_eq!(both.boost(record("c")), 2.0);
        assert_eq!(preset.boost(record("b")), 1.0);
    }

    #[test]
    fn a_rule_that_does_not_parse_names_its_field_and_position() {
        let text = RuleText {
            filter: Some("year >= 1990 and".into()),
            boost: None,
        };
        let error = Rules::compile(&text, "presets.recent.").unwrap_err();
        assert_eq!(error.field, "presets.recent.filter");
        assert_eq!(error.error.position, 17);
        let text = RuleText {
            filter: None,
            boost: Some("tag:new * 0".into()),
        };
        assert_eq!(Rules::compile(&text, "").unwrap_err().field, "boost");
    }
}
