//! A user's content profile over catalog tokens (categories and tags), and top-k
//! selection with an offset.

use orrery_core::ItemIdx;

use crate::catalog::{Catalog, interest_tokens};

/// A user's taste over content tokens (categories and tags): stated interests count 1
/// each, items in the history add their affinity (negative for skips and low ratings).
///
/// The weights are dense over the catalog's tokens: a request scores every item, and an
/// indexed load per token costs far less than a hash lookup.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    weights: Vec<f32>,
    norm: f32,
}

impl Profile {
    /// The profile of `interests` and a history placed in `catalog` ((slot, affinity)
    /// cells, see [`crate::users::place`]) over `catalog`'s tokens.
    pub fn new(catalog: &Catalog, interests: &[String], cells: &[(ItemIdx, f32)]) -> Profile {
        let mut weights = vec![0f32; catalog.n_tokens()];
        let mut add = |t: u32, w: f32| {
            if let Some(slot) = weights.get_mut(t as usize) {
                *slot += w;
            }
        };
        for interest in interests {
            for token in interest_tokens(interest) {
                if let Some(t) = catalog.token(&token) {
                    add(t, 1.0);
                }
            }
        }
        for &(slot, affinity) in cells {
            let Some(item) = catalog.item(slot) else {
                continue;
            };
            for &t in &item.features {
                add(t, affinity);
            }
        }
        let norm = weights.iter().map(|w| w * w).sum::<f32>().sqrt();
        Profile { weights, norm }
    }

    /// Whether the profile says nothing.
    pub fn is_empty(&self) -> bool {
        self.norm == 0.0
    }

    fn weight(&self, token: u32) -> f32 {
        self.weights.get(token as usize).copied().unwrap_or(0.0)
    }

    /// Cosine between the profile and an item's binary token vector, in [-1, 1].
    pub fn score(&self, features: &[u32]) -> f32 {
        if self.norm == 0.0 || features.is_empty() {
            return 0.0;
        }
        let dot: f32 = features.iter().map(|&t| self.weight(t)).sum();
        dot / (self.norm * (features.len() as f32).sqrt())
    }

    /// The best weight of any category token: the scale of
    /// [`Profile::item_category_match`].
    pub fn best_category_weight(&self, catalog: &Catalog) -> f32 {
        (0..self.weights.len() as u32)
            .filter(|&t| is_category(catalog, t))
            .map(|t| self.weight(t))
            .fold(0.0f32, f32::max)
    }

    /// How well an item with `features` falls in the liked categories, in [0, 1], given
    /// the profile's [`Profile::best_category_weight`].
    pub fn item_category_match(&self, catalog: &Catalog, features: &[u32], best: f32) -> f32 {
        if best <= 0.0 {
            return 0.0;
        }
        features
            .iter()
            .filter(|&&t| is_category(catalog, t))
            .fold(0.0f32, |m, &t| m.max(self.weight(t) / best))
    }

    /// The tokens with a positive weight, strongest first, at most `k`.
    pub fn liked_tokens(&self, k: usize) -> Vec<u32> {
        let mut liked: Vec<(u32, f32)> = self
            .weights
            .iter()
            .enumerate()
            .filter(|&(_, &w)| w > 0.0)
            .map(|(t, &w)| (t as u32, w))
            .collect();
        liked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        liked.into_iter().take(k).map(|(t, _)| t).collect()
    }

    /// The item's tokens the user likes, strongest first, at most `k`, as readable text
    /// (a category value, or `#tag`).
    pub fn matches(&self, catalog: &Catalog, features: &[u32], k: usize) -> Vec<String> {
        let mut liked: Vec<(u32, f32)> = features
            .iter()
            .map(|&t| (t, self.weight(t)))
            .filter(|&(_, w)| w > 0.0)
            .collect();
        liked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        liked
            .into_iter()
            .take(k)
            .map(|(t, _)| readable_token(catalog.token_text(t)))
            .collect()
    }
}

fn is_category(catalog: &Catalog, token: u32) -> bool {
    catalog.token_text(token).starts_with("cat:")
}

/// `cat:comedy` → `comedy`, `tag:python` → `#python`.
pub fn readable_token(token: &str) -> String {
    match token.split_once(':') {
        Some(("cat", value)) => value.to_owned(),
        Some(("tag", value)) => format!("#{value}"),
        _ => token.to_owned(),
    }
}

/// The candidates of rank `offset..offset + n` by decreasing score (ties: lower index
/// first), among the items where `mask` holds.
pub fn top(scores: &[f32], mask: &[bool], offset: usize, n: usize) -> Vec<(ItemIdx, f32)> {
    let mut candidates: Vec<(ItemIdx, f32)> = scores
        .iter()
        .zip(mask)
        .enumerate()
        .filter(|&(_, (s, &m))| m && !s.is_nan())
        .map(|(i, (&s, _))| (i as ItemIdx, s))
        .collect();
    let wanted = offset.saturating_add(n).min(candidates.len());
    if wanted == 0 {
        return Vec::new();
    }
    let order = |a: &(ItemIdx, f32), b: &(ItemIdx, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    if wanted < candidates.len() {
        candidates.select_nth_unstable_by(wanted - 1, order);
        candidates.truncate(wanted);
    }
    candidates.sort_unstable_by(order);
    candidates.into_iter().skip(offset).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_k_with_offset_and_mask() {
        let scores = [0.1, 0.9, 0.5, 0.9, f32::NAN, 0.7];
        let mask = [true, true, true, true, true, false];
        assert_eq!(top(&scores, &mask, 0, 2), vec![(1, 0.9), (3, 0.9)]);
        assert_eq!(top(&scores, &mask, 2, 5), vec![(2, 0.5), (0, 0.1)]);
        assert!(top(&scores, &mask, 10, 5).is_empty());
    }
}
