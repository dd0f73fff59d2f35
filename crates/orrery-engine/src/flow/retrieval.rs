//! Retrieval of a factor model's best items without scoring the whole catalog.
//!
//! For models whose scores are linear in the user's factors
//! ([`orrery_models::Model::linear_items`]: ALS, BPR, NMF, MF, SVD++), a user's best items
//! are a maximum-inner-product search over `a_i = [factors[i], bias[i]]` with the query
//! `q = [user factors, 1]`. Inner products are not a similarity a graph index searches
//! well, so each item is lifted onto the unit sphere with one more coordinate
//! (Bachrach et al., "Speeding up the Xbox recommender system", RecSys 2014):
//! `y_i = [a_i / M, √(1 − |a_i|² / M²)]` with `M` the largest `|a_i|`, and the query
//! `[q / |q|, 0]`. Then `cos(query, y_i) = q·a_i / (M |q|)`: the cosine order *is* the
//! score order, and the HNSW graph of [`VectorIndex`] answers it.
//!
//! The index is built once per served model (when its catalog is larger than
//! [`super::FlowSettings::exact_items`]) and measures its own recall against the exact
//! scan on a sample of the model's users, so that the approximation is a reported
//! figure rather than a hope.

use orrery_content::{IndexOptions, VectorIndex};
use orrery_core::{ItemIdx, UserIdx};
use orrery_models::{LinearItems, Model, Recommender};

/// How many of the model's users the recall estimate samples.
const RECALL_SAMPLE: usize = 100;
/// The list length the recall estimate compares.
const RECALL_K: usize = 10;

/// A graph index over a factor model's items, searched by the model's own score order.
pub struct FactorIndex {
    index: VectorIndex,
    /// The width of the model's factors (the query's length before the lift).
    k: usize,
    recall: Option<f32>,
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
        let rows = lifted_rows(&items)?;
        let keys: Vec<u64> = (0..model.n_items() as u64).collect();
        let index = VectorIndex::build(items.k + 2, graph_options(), &keys, &rows)
            .map_err(|e| tracing::warn!("indexing the model's items failed: {e}"))
            .ok()?;
        let mut built = FactorIndex {
            index,
            k: items.k,
            recall: None,
        };
        built.recall = built.measure_recall(model);
        Some(built)
    }

    /// The share of the exact top 10 that the index finds, over a sample of the model's
    /// users (`None` when the model has no users).
    pub fn recall(&self) -> Option<f32> {
        self.recall
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
        let mut query = Vec::with_capacity(self.k + 2);
        query.extend_from_slice(factors);
        query.extend([1.0, 0.0]);
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
        let Some(row) = self.index.get(u64::from(item)) else {
            return Vec::new();
        };
        // The lifted row's first k coordinates are the item's factors, scaled.
        let mut query = row[..self.k].to_vec();
        query.extend([0.0, 0.0]);
        if query.iter().all(|&x| x == 0.0) {
            return Vec::new();
        }
        self.search(&query, n, |other| other != item && allow(other))
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

    fn measure_recall(&self, model: &Model) -> Option<f32> {
        let users = model.n_users();
        if users == 0 || self.is_empty() {
            return None;
        }
        let step = users.div_ceil(RECALL_SAMPLE).max(1);
        let mut scores = vec![0f32; model.n_items()];
        let (mut found, mut wanted) = (0usize, 0usize);
        for u in (0..users).step_by(step) {
            let Ok(repr) = model.user(u as UserIdx) else {
                continue;
            };
            if model.score_all(&repr, &mut scores).is_err() {
                continue;
            }
            let exact = crate::rank::top(&scores, &vec![true; scores.len()], 0, RECALL_K);
            let approximate = self.best(&repr.factors, RECALL_K, |_| true);
            wanted += exact.len();
            found += exact
                .iter()
                .filter(|(item, _)| approximate.contains(item))
                .count();
        }
        (wanted > 0).then(|| found as f32 / wanted as f32)
    }
}

/// The items' `[factors, bias]` rows lifted onto the unit sphere (see the module doc);
/// `None` when a factor is not finite or every row is zero.
fn lifted_rows(items: &LinearItems) -> Option<Vec<f32>> {
    let k = items.k;
    if k == 0 {
        return None;
    }
    let n = items.factors.len() / k;
    let bias = |i: usize| items.bias.and_then(|b| b.get(i)).copied().unwrap_or(0.0);
    let norm2 = |i: usize| {
        let row = &items.factors[i * k..(i + 1) * k];
        row.iter().map(|x| x * x).sum::<f32>() + bias(i) * bias(i)
    };
    let largest = (0..n).map(norm2).fold(0f32, f32::max);
    if !largest.is_finite() || largest == 0.0 {
        return None;
    }
    let scale = largest.sqrt();
    let mut rows = Vec::with_capacity(n * (k + 2));
    for i in 0..n {
        rows.extend(items.factors[i * k..(i + 1) * k].iter().map(|x| x / scale));
        rows.push(bias(i) / scale);
        // The row that reaches M gets 0 here; a zero row gets 1, so that no row is zero.
        rows.push((1.0 - norm2(i) / largest).max(0.0).sqrt());
    }
    Some(rows)
}

/// Always a graph (the index exists only above the flow's exact threshold), with a wider
/// search list than the content index's: the model source asks for hundreds of items.
fn graph_options() -> IndexOptions {
    IndexOptions {
        exact_threshold: 0,
        expansion_search: 64,
        ..IndexOptions::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lift_keeps_the_score_order() {
        // Three items of two factors with biases; a query [u, 1].
        let factors = [1.0, 0.0, 0.0, 2.0, 0.5, 0.5];
        let bias = [0.5, -1.0, 0.0];
        let items = LinearItems {
            factors: &factors,
            k: 2,
            bias: Some(&bias),
        };
        let rows = lifted_rows(&items).unwrap();
        for row in rows.chunks_exact(4) {
            let norm: f32 = row.iter().map(|x| x * x).sum();
            assert!((norm - 1.0).abs() < 1e-5, "{row:?} is not a unit vector");
        }
        for user in [[1.0f32, 1.0], [-1.0, 3.0], [0.0, 0.0], [2.0, -0.5]] {
            let query = [user[0], user[1], 1.0, 0.0];
            let scores: Vec<f32> = (0..3)
                .map(|i| user[0] * factors[2 * i] + user[1] * factors[2 * i + 1] + bias[i])
                .collect();
            let lifted: Vec<f32> = rows
                .chunks_exact(4)
                .map(|row| row.iter().zip(query).map(|(a, b)| a * b).sum())
                .collect();
            let order = |v: &[f32]| {
                let mut o: Vec<usize> = (0..v.len()).collect();
                o.sort_by(|&a, &b| v[b].total_cmp(&v[a]));
                o
            };
            assert_eq!(order(&scores), order(&lifted), "user {user:?}");
        }
    }

    #[test]
    fn rows_that_are_all_zero_cannot_be_lifted() {
        let items = LinearItems {
            factors: &[0.0; 6],
            k: 3,
            bias: None,
        };
        assert!(lifted_rows(&items).is_none());
    }
}
