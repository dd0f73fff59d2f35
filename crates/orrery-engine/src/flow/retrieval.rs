//! Retrieval of a factor model's best items without scoring the whole catalog.
//!
//! For models whose scores are linear in the user's factors
//! ([`orrery_models::Model::linear_items`]: ALS, BPR, NMF, MF, SVD++), a user's best items
//! are a maximum-inner-product search over `a_i = [factors[i], bias[i]]` with the query
//! `q = [user factors, 1]`. The graph index ([`VectorIndex`] with normalization off) is
//! built over the inner product itself, which finds the largest ones far better than the
//! usual reduction to cosine (lifting each item onto the unit sphere with one more
//! coordinate): with the skewed norms of implicit-feedback factors, where popular items
//! are long vectors and most are short, the lifted items crowd one pole and the graph's
//! recall@10 fell to 0.26 on 27,000 items, where the inner-product graph keeps it above
//! 0.95 (Morozov & Babenko, NeurIPS 2018).
//!
//! The index is built once per served model (when its catalog is larger than
//! [`super::FlowSettings::exact_items`]) and measures its own recall against the exact
//! scan on a sample of the model's users, so that the approximation is a reported
//! figure rather than a hope; while it is below [`TARGET_RECALL`], the searches are
//! widened (a million items need a longer search list than tens of thousands).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use orrery_content::{IndexOptions, VectorIndex};
use orrery_core::{ItemIdx, UserIdx};
use orrery_models::{LinearItems, Model, Recommender};

/// How many neighbours of an item are kept once searched: the neighbours source asks for
/// the same popular items' neighbours over and over, for every user who just liked them.
const KEPT_NEIGHBOURS: usize = 50;
/// Items whose neighbours are kept at most (about 20 MB); beyond, the store starts again.
const MAX_KEPT: usize = 100_000;

/// How many of the model's users the recall estimate samples.
const RECALL_SAMPLE: usize = 100;
/// The list length the recall estimate compares.
const RECALL_K: usize = 10;
/// The recall@10 below which the graph's searches are widened.
pub const TARGET_RECALL: f32 = 0.97;
/// The widest search list (ef) the graph is given.
pub const MAX_EXPANSION: usize = 512;

/// A graph index over a factor model's items, searched by the model's own score order.
pub struct FactorIndex {
    index: VectorIndex,
    /// The width of the model's factors (the query's length before the lift).
    k: usize,
    recall: Option<f32>,
    /// Each searched item's nearest items, unfiltered, best first.
    kept_neighbours: RwLock<HashMap<ItemIdx, Arc<[ItemIdx]>>>,
}

impl std::fmt::Debug for FactorIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FactorIndex")
            .field("items", &self.index.len())
            .field("recall", &self.recall)
            .finish()
    }
}

impl FactorIndex {
    /// Indexes the items of `model`; `None` when its scores are not linear in the user's
    /// factors or indexing fails (the flow then scores every item).
    pub fn build(model: &Model) -> Option<FactorIndex> {
        let items = model.linear_items()?;
        let rows = augmented_rows(&items)?;
        let keys: Vec<u64> = (0..model.n_items() as u64).collect();
        let index = VectorIndex::build(items.k + 1, graph_options(), &keys, &rows)
            .map_err(|e| tracing::warn!("indexing the model's items failed: {e}"))
            .ok()?;
        let mut built = FactorIndex {
            index,
            k: items.k,
            recall: None,
            kept_neighbours: RwLock::default(),
        };
        // A larger catalog needs a longer search list for the same recall: widen it until
        // the measured recall reaches the target, or stop at the widest.
        let sample = recall_sample(model);
        built.recall = built.recall_on(&sample);
        while built.recall.is_some_and(|r| r < TARGET_RECALL)
            && built.index.expansion_search() < MAX_EXPANSION
        {
            let wider = (built.index.expansion_search() * 2).min(MAX_EXPANSION);
            built.index.set_expansion_search(wider);
            built.recall = built.recall_on(&sample);
        }
        Some(built)
    }

    /// The share of the exact top 10 that the index finds, over a sample of the model's
    /// users (`None` when the model has no users).
    pub fn recall(&self) -> Option<f32> {
        self.recall
    }

    /// The graph's search list length (ef), widened while the recall was below
    /// [`TARGET_RECALL`].
    pub fn search_list(&self) -> usize {
        self.index.expansion_search()
    }

    /// How many items it holds.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether it holds no item.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The `n` items with the best scores for a user with `factors`, among those `allow`
    /// admits (model indices), best first.
    pub fn best(
        &self,
        factors: &[f32],
        n: usize,
        allow: impl Fn(ItemIdx) -> bool + Sync,
    ) -> Vec<ItemIdx> {
        if factors.len() != self.k || n == 0 {
            return Vec::new();
        }
        let mut query = Vec::with_capacity(self.k + 1);
        query.extend_from_slice(factors);
        query.push(1.0);
        self.search(&query, n, allow)
    }

    /// The `n` items whose factors have the largest inner product with `item`'s, among
    /// those `allow` admits (the item itself excluded), best first.
    pub fn neighbours(
        &self,
        item: ItemIdx,
        n: usize,
        allow: impl Fn(ItemIdx) -> bool + Sync,
    ) -> Vec<ItemIdx> {
        if n <= KEPT_NEIGHBOURS {
            let kept = self.kept_neighbours(item);
            let admitted: Vec<ItemIdx> =
                kept.iter().copied().filter(|&o| allow(o)).take(n).collect();
            // Enough admitted among the kept ones, or no more to find.
            if admitted.len() == n || kept.len() < KEPT_NEIGHBOURS {
                return admitted;
            }
        }
        match self.neighbour_query(item) {
            Some(query) => self.search(&query, n, |other| other != item && allow(other)),
            None => Vec::new(),
        }
    }

    /// Searches and keeps the neighbours of `items` (model indices, the likeliest to be
    /// asked for first) until as many items are kept as the store holds: a server warms
    /// up with them after a model starts serving, so that the first user who liked a
    /// popular item does not wait for its search.
    pub fn warm_neighbours(&self, items: impl IntoIterator<Item = ItemIdx>) {
        let room = MAX_KEPT.saturating_sub(crate::read(&self.kept_neighbours).len());
        for item in items.into_iter().take(room) {
            self.kept_neighbours(item);
        }
    }

    /// The item's nearest items, unfiltered, searched once.
    fn kept_neighbours(&self, item: ItemIdx) -> Arc<[ItemIdx]> {
        if let Some(kept) = crate::read(&self.kept_neighbours).get(&item) {
            return kept.clone();
        }
        let found: Arc<[ItemIdx]> = match self.neighbour_query(item) {
            Some(query) => self
                .search(&query, KEPT_NEIGHBOURS, |other| other != item)
                .into(),
            None => Arc::from(Vec::new()),
        };
        let mut kept = crate::write(&self.kept_neighbours);
        if kept.len() >= MAX_KEPT {
            kept.clear();
        }
        kept.insert(item, found.clone());
        found
    }

    /// The item's factors without its bias, as a query; `None` for an unknown item or
    /// one without factors.
    fn neighbour_query(&self, item: ItemIdx) -> Option<Vec<f32>> {
        let row = self.index.get(u64::from(item))?;
        let mut query = row[..self.k].to_vec();
        query.push(0.0);
        query.iter().any(|&x| x != 0.0).then_some(query)
    }

    fn search(
        &self,
        query: &[f32],
        n: usize,
        allow: impl Fn(ItemIdx) -> bool + Sync,
    ) -> Vec<ItemIdx> {
        let found = self
            .index
            .search_filtered(query, n, |key| ItemIdx::try_from(key).is_ok_and(&allow));
        match found {
            Ok(found) => found.into_iter().map(|n| n.key as ItemIdx).collect(),
            Err(e) => {
                tracing::warn!("searching the model's items failed: {e}");
                Vec::new()
            }
        }
    }

    /// The share of the exact top 10 of each sampled user (factors, exact best items)
    /// that the index finds (`None` without a sample).
    fn recall_on(&self, sample: &[(Vec<f32>, Vec<ItemIdx>)]) -> Option<f32> {
        let (mut found, mut wanted) = (0usize, 0usize);
        for (factors, exact) in sample {
            let approximate = self.best(factors, RECALL_K, |_| true);
            wanted += exact.len();
            found += exact
                .iter()
                .filter(|item| approximate.contains(item))
                .count();
        }
        (wanted > 0).then(|| found as f32 / wanted as f32)
    }
}

/// A sample of the model's users (every n-th) with their exact top 10, the reference
/// the index's recall is measured against.
fn recall_sample(model: &Model) -> Vec<(Vec<f32>, Vec<ItemIdx>)> {
    let users = model.n_users();
    let step = users.div_ceil(RECALL_SAMPLE).max(1);
    let mut scores = vec![0f32; model.n_items()];
    let everything = vec![true; model.n_items()];
    let mut sample = Vec::new();
    for u in (0..users).step_by(step) {
        let Ok(repr) = model.user(u as UserIdx) else {
            continue;
        };
        if model.score_all(&repr, &mut scores).is_err() {
            continue;
        }
        let exact = crate::rank::top(&scores, &everything, 0, RECALL_K);
        sample.push((
            repr.factors,
            exact.into_iter().map(|(item, _)| item).collect(),
        ));
    }
    sample
}

/// The items' `[factors, bias]` rows; `None` when a factor is not finite or every row
/// is zero (nothing to search).
fn augmented_rows(items: &LinearItems) -> Option<Vec<f32>> {
    let k = items.k;
    if k == 0 {
        return None;
    }
    let n = items.factors.len() / k;
    let mut rows = Vec::with_capacity(n * (k + 1));
    for (i, row) in items.factors.chunks_exact(k).enumerate() {
        rows.extend_from_slice(row);
        rows.push(items.bias.and_then(|b| b.get(i)).copied().unwrap_or(0.0));
    }
    let usable = rows.iter().all(|x| x.is_finite()) && rows.iter().any(|&x| x != 0.0);
    usable.then_some(rows)
}

/// Always a graph (the index exists only above the flow's exact threshold) over the raw
/// inner product, with a wider search list than the content index's: the model source
/// asks for hundreds of items. The graph keeps its vectors in half floats: a search's
/// time goes to fetching the vectors of the nodes it visits, and the flat `f32` rows
/// still give neighbour queries their exact factors.
fn graph_options() -> IndexOptions {
    IndexOptions {
        exact_threshold: 0,
        expansion_search: 64,
        normalize: false,
        precision: orrery_content::Precision::F16,
        ..IndexOptions::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_carry_the_bias_so_the_query_scores_exactly() {
        let factors = [1.0, 0.0, 0.0, 2.0, 0.5, 0.5];
        let bias = [0.5, -1.0, 0.0];
        let items = LinearItems {
            factors: &factors,
            k: 2,
            bias: Some(&bias),
        };
        let rows = augmented_rows(&items).unwrap();
        for user in [[1.0f32, 1.0], [-1.0, 3.0], [0.0, 0.0]] {
            for (i, row) in rows.chunks_exact(3).enumerate() {
                let by_row: f32 = row
                    .iter()
                    .zip([user[0], user[1], 1.0])
                    .map(|(a, b)| a * b)
                    .sum();
                let score = user[0] * factors[2 * i] + user[1] * factors[2 * i + 1] + bias[i];
                assert_eq!(by_row, score, "user {user:?}, item {i}");
            }
        }
    }

    #[test]
    fn rows_that_are_all_zero_are_not_indexed() {
        let items = LinearItems {
            factors: &[0.0; 6],
            k: 3,
            bias: None,
        };
        assert!(augmented_rows(&items).is_none());
    }
}
