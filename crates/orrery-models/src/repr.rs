//! The values models hand back: user representations, scored items and explanations.

use orrery_core::ItemIdx;
use serde::{Deserialize, Serialize};

/// What a model knows about one user: enough to score any item.
///
/// For factor models it holds the user's latent factors (and bias); for neighbourhood
/// models the history is the representation. The history also drives
/// [`crate::Filter::exclude_seen`]. Build one with [`crate::Recommender::user`] (a trained
/// user) or [`crate::Recommender::fold_in`] (interactions alone).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UserRepr {
    /// Latent factors; empty for models without them.
    pub factors: Vec<f32>,
    /// The user's bias (explicit-rating models), else 0.
    pub bias: f32,
    /// The user's interactions as `(item, value)`, sorted by item, one per item. The value
    /// is the rating where there is one, else the implicit weight.
    pub history: Vec<(ItemIdx, f32)>,
    /// How much each history entry counts for its age, in (0, 1], parallel to `history`;
    /// empty when every entry counts fully (the model ignores recency or the order is
    /// unknown). Only models with a recency parameter fill it.
    #[serde(default)]
    pub recency: Vec<f32>,
}

/// One recommended item and its score (higher is better).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Scored {
    /// The item.
    pub item: ItemIdx,
    /// Its score: a predicted rating for explicit models, a preference otherwise.
    pub score: f32,
}

/// How much one item of the user's history contributed to a score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    /// An item the user interacted with.
    pub item: ItemIdx,
    /// Its additive share of the score.
    pub weight: f32,
}

/// Why a model scores an item as it does, in numbers.
///
/// `score == baseline + Σ contributions.weight` up to rounding: the baseline is the part
/// that does not depend on the user's history (global mean and item bias, or zero) and each
/// contribution is the share of one item the user interacted with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// The item explained.
    pub item: ItemIdx,
    /// Its score for this user.
    pub score: f32,
    /// The part of the score that the history does not explain.
    pub baseline: f32,
    /// Shares of the history's items, largest magnitude first.
    pub contributions: Vec<Contribution>,
}

impl Explanation {
    /// Builds an explanation, sorting contributions by decreasing magnitude.
    pub(crate) fn new(
        item: ItemIdx,
        baseline: f32,
        mut contributions: Vec<Contribution>,
    ) -> Explanation {
        contributions.sort_by(|a, b| {
            b.weight
                .abs()
                .total_cmp(&a.weight.abs())
                .then(a.item.cmp(&b.item))
        });
        let score = baseline + contributions.iter().map(|c| c.weight).sum::<f32>();
        Explanation {
            item,
            score,
            baseline,
            contributions,
        }
    }
}

/// Sorts interactions by item and keeps the last value given for each item.
pub(crate) fn normalize_history(interactions: &[(ItemIdx, f32)]) -> Vec<(ItemIdx, f32)> {
    normalize_ordered_history(interactions).0
}

/// [`normalize_history`], and for each kept entry how many kept entries came after it in
/// `interactions` (taken as the order of arrival, oldest first).
pub(crate) fn normalize_ordered_history(
    interactions: &[(ItemIdx, f32)],
) -> (Vec<(ItemIdx, f32)>, Vec<u32>) {
    let mut history: Vec<(usize, ItemIdx, f32)> = interactions
        .iter()
        .enumerate()
        .map(|(pos, &(item, value))| (pos, item, value))
        .collect();
    history.sort_by_key(|&(pos, item, _)| (item, std::cmp::Reverse(pos)));
    history.dedup_by_key(|&mut (_, item, _)| item);
    // The rank of each kept entry's position among all kept positions, from the newest.
    let mut positions: Vec<usize> = history.iter().map(|&(pos, _, _)| pos).collect();
    positions.sort_unstable();
    let n = positions.len();
    let later = history
        .iter()
        .map(|&(pos, _, _)| (n - 1 - positions.partition_point(|&p| p < pos)) as u32)
        .collect();
    let history = history
        .into_iter()
        .map(|(_, item, value)| (item, value))
        .collect();
    (history, later)
}

/// For each of `times`, how many of `times` are strictly later: interactions in the same
/// second count as simultaneous, and data without timestamps (all equal) has no order.
pub(crate) fn later_counts(times: &[i64]) -> Vec<u32> {
    let mut sorted = times.to_vec();
    sorted.sort_unstable();
    times
        .iter()
        .map(|&t| (sorted.len() - sorted.partition_point(|&s| s <= t)) as u32)
        .collect()
}

/// The weight of an interaction followed by `later` others of the same user: `floor` for
/// the oldest, 1 for the newest, halving the part above `floor` every `half_life`.
pub(crate) fn recency_weight(later: u32, half_life: f32, floor: f32) -> f32 {
    floor + (1.0 - floor) * 0.5f32.powf(later as f32 / half_life)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_is_sorted_and_latest_wins() {
        let h = normalize_history(&[(5, 1.0), (2, 3.0), (5, 4.0), (1, 2.0)]);
        assert_eq!(h, vec![(1, 2.0), (2, 3.0), (5, 4.0)]);
    }

    #[test]
    fn ordered_history_counts_later_entries_after_dedup() {
        // Item 5 was touched first and last, so it is the newest.
        let (h, later) = normalize_ordered_history(&[(5, 1.0), (2, 3.0), (1, 2.0), (5, 4.0)]);
        assert_eq!(h, vec![(1, 2.0), (2, 3.0), (5, 4.0)]);
        assert_eq!(later, vec![1, 2, 0]);
    }

    #[test]
    fn later_counts_treat_ties_as_simultaneous() {
        assert_eq!(later_counts(&[10, 30, 20, 30]), vec![3, 0, 2, 0]);
        assert_eq!(later_counts(&[0, 0, 0]), vec![0, 0, 0]);
        assert!(later_counts(&[]).is_empty());
    }

    #[test]
    fn explanation_sorts_by_magnitude_and_sums() {
        let e = Explanation::new(
            3,
            1.0,
            vec![
                Contribution {
                    item: 1,
                    weight: 0.1,
                },
                Contribution {
                    item: 2,
                    weight: -0.5,
                },
                Contribution {
                    item: 0,
                    weight: 0.3,
                },
            ],
        );
        let items: Vec<ItemIdx> = e.contributions.iter().map(|c| c.item).collect();
        assert_eq!(items, [2, 0, 1]);
        assert!((e.score - 0.9).abs() < 1e-6);
    }
}

/// The item side of a model whose scores are linear in the user's factors:
/// `score(user, i) = c(user) + user.factors · factors[i] + bias[i]` (see
/// [`crate::Model::linear_items`]).
#[derive(Debug, Clone, Copy)]
pub struct LinearItems<'a> {
    /// Row-major `n_items × k` item factors.
    pub factors: &'a [f32],
    /// The width of a row (the length of [`UserRepr::factors`]).
    pub k: usize,
    /// Per-item additive terms, when the model has them.
    pub bias: Option<&'a [f32]>,
}
