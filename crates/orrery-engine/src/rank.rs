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
    /// How sure the history is of a taste for one category ([`category_lean`]), kept with
    /// the profile: it reads every liked item, and a list needs it on every request.
    lean: f32,
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
        Profile {
            weights,
            norm,
            lean: category_lean(catalog, cells),
        }
    }

    /// How sure the history the profile was made from is of a taste for one category
    /// (see [`category_lean`]).
    pub fn category_lean(&self) -> f32 {
        self.lean
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

/// The chance of a history's lean arising by luck below which it counts as sure: the
/// usual 5 % level of a test.
const SURE: f64 = 0.05;

/// How sure a history is that the user prefers one category, in [0, 1]: for each
/// category `c` of a liked item, the chance `p` that as many of the `n` liked items fall
/// in `c` when each does with the catalog's share of `c` (a binomial tail), multiplied by
/// the number of categories looked at (Bonferroni); `1 − p / 5 %` for the smallest,
/// floored at 0. Five liked horror films of a catalog with 10 % horror give 1.00, three
/// of five 0.49, one of five 0; three dramas of five in a catalog of 40 % dramas 0: a
/// history of a few items always touches some category, which says little of a taste.
pub fn category_lean(catalog: &Catalog, cells: &[(ItemIdx, f32)]) -> f32 {
    let live = catalog.len();
    if live == 0 {
        return 0.0;
    }
    let mut counts: Vec<(u32, u32)> = Vec::new();
    let mut liked = 0u32;
    for &(slot, affinity) in cells {
        let Some(item) = catalog.item(slot).filter(|_| affinity > 0.0) else {
            continue;
        };
        liked += 1;
        for &t in item.features.iter().filter(|&&t| is_category(catalog, t)) {
            match counts.iter_mut().find(|(c, _)| *c == t) {
                Some((_, n)) => *n += 1,
                None => counts.push((t, 1)),
            }
        }
    }
    let tested = catalog.n_categories().max(1) as f64;
    let smallest = counts
        .iter()
        .map(|&(t, hits)| {
            let base = catalog.items_with(t).len() as f64 / live as f64;
            binomial_upper_tail(liked, hits, base)
        })
        .fold(1.0f64, f64::min);
    (1.0 - (tested * smallest / SURE).min(1.0)) as f32
}

/// P(X ≥ k) for X ~ Binomial(n, p). Only tails above the mean are summed (the terms then
/// fall at least geometrically); at or below the mean the answer is taken as 1, which is
/// all [`category_lean`] needs.
fn binomial_upper_tail(n: u32, k: u32, p: f64) -> f64 {
    if k == 0 || p >= 1.0 {
        return 1.0;
    }
    if p <= 0.0 {
        return 0.0;
    }
    if f64::from(k) <= f64::from(n) * p {
        return 1.0;
    }
    // ln C(n, k) + k ln p + (n − k) ln(1 − p), then each next term by the ratio.
    let ln_choose: f64 = (0..k)
        .map(|i| (f64::from(n - i)).ln() - f64::from(i + 1).ln())
        .sum();
    let mut term = (ln_choose + f64::from(k) * p.ln() + f64::from(n - k) * (-p).ln_1p()).exp();
    let mut tail = 0.0;
    let odds = p / (1.0 - p);
    for j in k..=n {
        tail += term;
        if term < tail * 1e-12 {
            break;
        }
        term *= f64::from(n - j) / f64::from(j + 1) * odds;
    }
    tail.min(1.0)
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
    use orrery_core::{Category, DatasetBuilder, EventWeights, ItemRecord};

    /// 100 films: 10 horror, 40 dramas, 50 comedies, in that order.
    fn films() -> Catalog {
        let mut b = DatasetBuilder::new(EventWeights::default());
        for i in 0..100 {
            let genre = match i {
                0..10 => "Horror",
                10..50 => "Drama",
                _ => "Comedy",
            };
            b.add_item(ItemRecord {
                categories: vec![Category::new("genre", genre)],
                ..ItemRecord::with_id(i.to_string())
            });
        }
        Catalog::from_dataset(&b.build())
    }

    fn liked(catalog: &Catalog, ids: &[u32]) -> Vec<(ItemIdx, f32)> {
        ids.iter()
            .map(|i| (catalog.get(&i.to_string()).unwrap(), 1.0))
            .collect()
    }

    #[test]
    fn a_history_leans_to_a_category_only_beyond_the_catalogs_mix() {
        let c = films();
        assert_eq!(c.n_categories(), 3);
        // Five horror films where one in ten is horror: as sure as it gets.
        assert!(category_lean(&c, &liked(&c, &[0, 1, 2, 3, 4])) > 0.99);
        // One horror film of five is what chance gives; three dramas of five too.
        assert_eq!(category_lean(&c, &liked(&c, &[0, 10, 50, 51, 52])), 0.0);
        assert_eq!(category_lean(&c, &liked(&c, &[10, 11, 12, 50, 51])), 0.0);
        // Three horror films of five: likely a taste, not yet sure (a chance of 0.86 %,
        // three categories looked at).
        let three = category_lean(&c, &liked(&c, &[0, 1, 2, 50, 51]));
        assert!((three - 0.486).abs() < 0.01, "{three}");
        // Disliked films say nothing of a taste, and nothing leans nowhere.
        let disliked: Vec<(ItemIdx, f32)> = liked(&c, &[0, 1, 2, 3, 4])
            .into_iter()
            .map(|(s, _)| (s, -1.0))
            .collect();
        assert_eq!(category_lean(&c, &disliked), 0.0);
        assert_eq!(category_lean(&c, &[]), 0.0);
    }

    #[test]
    fn the_binomial_tail_matches_its_sum() {
        // P(X >= 2) for Binomial(5, 0.1) = 1 - 0.9^5 - 5 * 0.1 * 0.9^4.
        let exact = 1.0 - 0.9f64.powi(5) - 5.0 * 0.1 * 0.9f64.powi(4);
        assert!((binomial_upper_tail(5, 2, 0.1) - exact).abs() < 1e-12);
        assert!((binomial_upper_tail(5, 5, 0.1) - 1e-5).abs() < 1e-15);
        assert_eq!(binomial_upper_tail(5, 1, 0.5), 1.0);
    }

    #[test]
    fn top_k_with_offset_and_mask() {
        let scores = [0.1, 0.9, 0.5, 0.9, f32::NAN, 0.7];
        let mask = [true, true, true, true, true, false];
        assert_eq!(top(&scores, &mask, 0, 2), vec![(1, 0.9), (3, 0.9)]);
        assert_eq!(top(&scores, &mask, 2, 5), vec![(2, 0.5), (0, 0.1)]);
        assert!(top(&scores, &mask, 10, 5).is_empty());
    }
}
