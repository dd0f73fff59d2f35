//! The sources of a list: each proposes the best admitted items it knows for one user,
//! and [`Candidates`] merges their proposals, remembering which sources made each one.
//!
//! - [`model_top`]: the active model's best items for the user (from every item's score);
//!   [`model_indexed`] the same through a graph index, for large catalogs.
//! - [`neighbours`]: the model's nearest items to what the user liked last.
//! - [`content_top`]: the items whose text embedding is closest to the user's profile.
//! - [`tokens_top`]: items in the categories and tags the user likes (the content signal
//!   before the catalog is embedded).
//! - [`popular`]: the most popular items.

use std::collections::HashMap;

use orrery_core::ItemIdx;
use orrery_models::{Recommender, UserRepr};

use crate::flow::retrieval::FactorIndex;
use crate::flow::rules::Admission;
use crate::rank::Profile;
use crate::{ServingModel, Snapshot};

/// Which sources proposed an item (a set).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Origins(u8);

impl Origins {
    /// The active model's best items.
    pub const MODEL: Origins = Origins(1);
    /// Neighbours of the user's recent items.
    pub const NEIGHBOURS: Origins = Origins(2);
    /// Closest to the user's content profile (embeddings, or categories and tags).
    pub const CONTENT: Origins = Origins(4);
    /// The most popular items.
    pub const POPULAR: Origins = Origins(8);
    /// Named by the caller (an evaluation protocol's candidates).
    pub const GIVEN: Origins = Origins(16);
    /// Placed in the list's exploration slot by the bandit ([`crate::explore`]).
    pub const EXPLORATION: Origins = Origins(32);
    /// Pinned to the top by the list's rules.
    pub const PINNED: Origins = Origins(64);

    const NAMES: [(Origins, &'static str); 7] = [
        (Origins::MODEL, "model"),
        (Origins::NEIGHBOURS, "neighbours"),
        (Origins::CONTENT, "content"),
        (Origins::POPULAR, "popular"),
        (Origins::GIVEN, "given"),
        (Origins::EXPLORATION, "exploration"),
        (Origins::PINNED, "pinned"),
    ];

    /// Whether every source of `other` is in the set.
    pub fn contains(self, other: Origins) -> bool {
        self.0 & other.0 == other.0
    }

    /// The sources' names, in a fixed order.
    pub fn names(self) -> Vec<&'static str> {
        Origins::NAMES
            .iter()
            .filter(|(o, _)| self.contains(*o))
            .map(|&(_, name)| name)
            .collect()
    }
}

impl std::ops::BitOr for Origins {
    type Output = Origins;
    fn bitor(self, other: Origins) -> Origins {
        Origins(self.0 | other.0)
    }
}

/// The merged proposals of every source, each item once, in the order first proposed.
///
/// The first proposals of each source up to its configured count form the *basis*: the
/// items over which the ranker scales each signal. A deep page asks the sources for more,
/// and those extra items are ranked on the same scales, so that every page is cut from
/// one ranking.
#[derive(Debug, Clone, Default)]
pub struct Candidates {
    slots: Vec<ItemIdx>,
    origins: Vec<Origins>,
    basis: Vec<bool>,
    position: HashMap<ItemIdx, usize>,
}

impl Candidates {
    /// Where `slot` is among the candidates.
    pub fn index_of(&self, slot: ItemIdx) -> Option<usize> {
        self.position.get(&slot).copied()
    }

    /// Adds what one source proposed, best first; the first `in_basis` of them join the
    /// basis.
    pub fn add(
        &mut self,
        origin: Origins,
        slots: impl IntoIterator<Item = ItemIdx>,
        in_basis: usize,
    ) {
        for (rank, slot) in slots.into_iter().enumerate() {
            let basis = rank < in_basis;
            match self.position.get(&slot) {
                Some(&at) => {
                    self.origins[at] = self.origins[at] | origin;
                    self.basis[at] |= basis;
                }
                None => {
                    self.position.insert(slot, self.slots.len());
                    self.slots.push(slot);
                    self.origins.push(origin);
                    self.basis.push(basis);
                }
            }
        }
    }

    /// Per candidate, whether it is in the basis.
    pub fn basis(&self) -> &[bool] {
        &self.basis
    }

    /// The catalog slots, in the order first proposed.
    pub fn slots(&self) -> &[ItemIdx] {
        &self.slots
    }

    /// Which sources proposed the `i`-th candidate.
    pub fn origins(&self, i: usize) -> Origins {
        self.origins[i]
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether no source proposed anything.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
}

/// The `n` best admitted slots of `(slot, score)` pairs, best first (ties: lower slot).
fn best(mut scored: Vec<(ItemIdx, f32)>, n: usize) -> Vec<ItemIdx> {
    let order = |a: &(ItemIdx, f32), b: &(ItemIdx, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    if n == 0 {
        return Vec::new();
    }
    if n < scored.len() {
        scored.select_nth_unstable_by(n - 1, order);
        scored.truncate(n);
    }
    scored.sort_unstable_by(order);
    scored.into_iter().map(|(slot, _)| slot).collect()
}

/// The `n` admitted items with the best model scores (`scores` in model index order, as
/// [`crate::flow::ModelScores`] holds them).
pub fn model_top(
    snapshot: &Snapshot,
    scores: &[f32],
    admission: &Admission,
    n: usize,
) -> Vec<ItemIdx> {
    let scored = scores
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_finite())
        .filter_map(|(m, &s)| {
            let slot = snapshot.catalog_slot(m as ItemIdx)?;
            admission.admits(slot).then_some((slot, s))
        })
        .collect();
    best(scored, n)
}

/// The `n` admitted items with the best model scores, found through the graph index over
/// the model's items (catalogs too large to score whole).
pub fn model_indexed(
    snapshot: &Snapshot,
    index: &FactorIndex,
    repr: &UserRepr,
    admission: &Admission,
    n: usize,
) -> Vec<ItemIdx> {
    index
        .best(&repr.factors, n, |m| admission.admits_model(m))
        .into_iter()
        .filter_map(|m| snapshot.catalog_slot(m))
        .collect()
}

/// The model's `per_item` nearest items to each of the user's `recent` latest liked
/// items (cells oldest first), admitted ones only: by the model's item similarity, or,
/// through its graph index when there is one, by the inner product of item factors.
pub fn neighbours(
    snapshot: &Snapshot,
    model: &ServingModel,
    index: Option<&FactorIndex>,
    cells: &[(ItemIdx, f32)],
    recent: usize,
    per_item: usize,
    admission: &Admission,
) -> Vec<ItemIdx> {
    let mut out = Vec::new();
    let liked = cells.iter().rev().filter(|&&(_, affinity)| affinity > 0.0);
    for &(slot, _) in liked.take(recent) {
        let Some(m) = snapshot.model_index(slot) else {
            continue;
        };
        if let Some(index) = index {
            out.extend(
                index
                    .neighbours(m, per_item, |other| admission.admits_model(other))
                    .into_iter()
                    .filter_map(|other| snapshot.catalog_slot(other)),
            );
            continue;
        }
        let Ok(similar) = model.model.similar_items(m, per_item) else {
            // The model has no item similarity: the source proposes nothing.
            return out;
        };
        out.extend(
            similar
                .into_iter()
                .filter_map(|s| snapshot.catalog_slot(s.item))
                .filter(|&slot| admission.admits(slot)),
        );
    }
    out
}

/// The `n` admitted items whose vectors are closest to `profile` (`dots`: the profile's
/// dot product with every slot's vector, −∞ or NaN where an item has none).
pub fn content_top(dots: &[f32], admission: &Admission, n: usize) -> Vec<ItemIdx> {
    let scored = dots
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_finite())
        .map(|(slot, &s)| (slot as ItemIdx, s))
        .filter(|&(slot, _)| admission.admits(slot))
        .collect();
    best(scored, n)
}

/// The `n` admitted items that best match the categories and tags of `tokens`, popular
/// ones first among equals: the items carrying one of the profile's strongest tokens.
pub fn tokens_top(
    snapshot: &Snapshot,
    tokens: &Profile,
    popularity: &[f32],
    admission: &Admission,
    n: usize,
) -> Vec<ItemIdx> {
    let catalog = &snapshot.catalog;
    let mut scored: HashMap<ItemIdx, f32> = HashMap::new();
    for token in tokens.liked_tokens(3) {
        for &slot in catalog.items_with(token) {
            if scored.contains_key(&slot) || !admission.admits(slot) {
                continue;
            }
            let Some(item) = catalog.item(slot) else {
                continue;
            };
            let pop = popularity.get(slot as usize).copied().unwrap_or(0.0);
            scored.insert(slot, tokens.score(&item.features) + 0.01 * pop);
        }
    }
    best(scored.into_iter().collect(), n)
}

/// The `n` most popular admitted items (by the snapshot's global popularity).
pub fn popular(snapshot: &Snapshot, admission: &Admission, n: usize) -> Vec<ItemIdx> {
    snapshot
        .by_popularity()
        .iter()
        .copied()
        .filter(|&slot| admission.admits(slot))
        .take(n)
        .collect()
}

/// The model's scores of every item it knows for one user, in model index order.
pub struct ModelScores {
    /// The scores (the cheap retrieval scores of a model that re-ranks).
    pub scores: Vec<f32>,
    /// Whether the model ranks candidates with another, costlier score
    /// ([`Recommender::score`]) than `scores`.
    pub rerank: bool,
}

impl ModelScores {
    /// Scores every item for `repr`: a re-ranking model (NCF and its kin) by its retrieval
    /// scores, a hybrid by its collaborative part alone (the flow adds content itself),
    /// any other model by its scores.
    pub fn of(model: &ServingModel, repr: &UserRepr) -> orrery_models::Result<ModelScores> {
        let mut scores = vec![0f32; model.model.n_items()];
        let mut rerank = false;
        match model.model.fitted() {
            orrery_models::Fitted::Hybrid(hybrid) => {
                hybrid.score_collaborative(repr, &mut scores)?
            }
            _ => match model.model.retrieval_scores(repr, &mut scores) {
                Some(()) => rerank = true,
                None => model.model.score_all(repr, &mut scores)?,
            },
        }
        Ok(ModelScores { scores, rerank })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_merge_each_item_once_with_all_its_sources() {
        let mut c = Candidates::default();
        c.add(Origins::MODEL, [4, 2], 2);
        c.add(Origins::POPULAR, [2, 7], 1);
        c.add(Origins::CONTENT, [7, 4, 9], 1);
        assert_eq!(c.slots(), [4, 2, 7, 9]);
        // 7 was the popular source's second and the content source's first.
        assert_eq!(c.basis(), [true, true, true, false]);
        assert_eq!(c.origins(0).names(), ["model", "content"]);
        assert_eq!(c.origins(1).names(), ["model", "popular"]);
        assert_eq!(c.origins(2).names(), ["content", "popular"]);
        assert_eq!(c.origins(3), Origins::CONTENT);
    }

    #[test]
    fn best_keeps_the_top_scores_in_order() {
        let scored = vec![(0, 0.5), (1, 2.0), (2, 1.0), (3, 2.0), (4, -1.0)];
        assert_eq!(best(scored.clone(), 3), [1, 3, 2]);
        assert_eq!(best(scored.clone(), 10), [1, 3, 2, 0, 4]);
        assert!(best(scored, 0).is_empty());
    }
}
