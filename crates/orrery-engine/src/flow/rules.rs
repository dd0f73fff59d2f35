//! The rules every candidate passes before it can be ranked: live in the catalog, not
//! seen by the user, in the requested category, admitted by the request's and its
//! preset's filters ([`Rules`]); the boosts that scale the scores of the items they
//! match; and the items pinned to the top of the list. (A request's exclusions are left
//! out after ranking, see [`super::recommend`].)
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
    /// Item ids placed at the top of the list in this order (a promotion, an editor's
    /// pick), each only when the other rules admit it: live, not seen by the user, not
    /// excluded, passing the filters.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pin: Vec<String>,
}

/// A rule that cannot be used, and which field held it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct RuleError {
    /// `filter`, `boost` or `pin` (prefixed with the preset's name for presets).
    pub field: String,
    /// Why: for an expression, where it failed to parse and what was expected.
    pub reason: String,
}

/// Compiled rules: every filter must admit an item, and the factors of every boost that
/// matches it multiply its score.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    filters: Vec<Filter>,
    boosts: Vec<Boosts>,
    pins: Vec<String>,
}

/// The most items one list may pin: pins are hand-picked, and a page is at most 500.
pub const MAX_PINS: usize = 100;

impl Rules {
    /// Compiles rules as written; `field_prefix` names where they came from in errors
    /// (`""` for a request's, `"presets.NAME."` for a preset's).
    pub fn compile(text: &RuleText, field_prefix: &str) -> Result<Rules, RuleError> {
        let located = |field: &str| {
            let field = format!("{field_prefix}{field}");
            move |error: ExprError| RuleError {
                field,
                reason: error.to_string(),
            }
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
        let pin_error = |reason: String| RuleError {
            field: format!("{field_prefix}pin"),
            reason,
        };
        if text.pin.len() > MAX_PINS {
            return Err(pin_error(format!(
                "{} items pinned; at most {MAX_PINS}",
                text.pin.len()
            )));
        }
        if let Some(at) = text.pin.iter().position(|id| id.trim().is_empty()) {
            return Err(pin_error(format!("pin {} is an empty id", at + 1)));
        }
        rules.pins = text.pin.iter().map(|id| id.trim().to_owned()).collect();
        Ok(rules)
    }

    /// These rules and `other`'s, both applying; this one's pins come first.
    pub fn with(mut self, other: &Rules) -> Rules {
        self.filters.extend(other.filters.iter().cloned());
        self.boosts.extend(other.boosts.iter().cloned());
        for pin in &other.pins {
            if !self.pins.contains(pin) {
                self.pins.push(pin.clone());
            }
        }
        self
    }

    /// The ids pinned to the top of the list, in order.
    pub fn pins(&self) -> &[String] {
        &self.pins
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
    /// Seen slots, sorted.
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
    /// Live items of `snapshot` minus `seen`, within `category` when given
    /// (`Comedy`, or `genre:Comedy`; an unknown category admits nothing), that `rules`'
    /// filters admit.
    pub fn new(
        snapshot: &'a Snapshot,
        seen: impl IntoIterator<Item = ItemIdx>,
        category: Option<&str>,
        rules: &'a Rules,
    ) -> Admission<'a> {
        let mut refused: Vec<ItemIdx> = seen.into_iter().collect();
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
        Snapshot::new(Arc::new(catalog), Default::default())
    }

    #[test]
    fn seen_deleted_and_other_categories_are_refused() {
        let s = snapshot();
        let slot = |id: &str| s.catalog.get(id).unwrap();
        let none = Rules::default();
        let all = Admission::new(&s, [], None, &none);
        assert!(all.admits(slot("a")) && all.admits(slot("b")));
        assert!(!all.admits(3), "deleted");
        let rules = Admission::new(&s, [slot("a"), slot("b")], None, &none);
        assert!(!rules.admits(slot("a")) && !rules.admits(slot("b")));
        assert!(rules.admits(slot("c")));
        for name in ["horror", "Genre:Horror"] {
            let horror = Admission::new(&s, [], Some(name), &none);
            assert!(horror.filters_category());
            assert!(
                horror.admits(slot("a")) && horror.admits(slot("c")),
                "{name}"
            );
            assert!(!horror.admits(slot("b")), "{name}");
        }
        let unknown = Admission::new(&s, [], Some("Western"), &none);
        assert!((0..4).all(|i| !unknown.admits(i)));
    }

    #[test]
    fn filters_of_a_request_and_a_preset_both_apply_and_boosts_multiply() {
        let s = snapshot();
        let slot = |id: &str| s.catalog.get(id).unwrap();
        let text = |filter: &str, boost: &str| RuleText {
            filter: Some(filter.into()),
            boost: Some(boost.into()),
            pin: Vec::new(),
        };
        let preset = Rules::compile(&text("genre != 'Comedy'", "genre:horror * 2"), "").unwrap();
        let request = Rules::compile(&text("title != 'film c'", "id = 'a' * 1.5"), "").unwrap();
        let both = preset.clone().with(&request);
        let admission = Admission::new(&s, [], None, &both);
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
            pin: Vec::new(),
        };
        let error = Rules::compile(&text, "presets.recent.").unwrap_err();
        assert_eq!(error.field, "presets.recent.filter");
        assert!(error.reason.starts_with("at character 17:"), "{error}");
        let text = RuleText {
            filter: None,
            boost: Some("tag:new * 0".into()),
            pin: Vec::new(),
        };
        assert_eq!(Rules::compile(&text, "").unwrap_err().field, "boost");
    }
}
