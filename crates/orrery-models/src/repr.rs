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
    let mut history: Vec<(usize, ItemIdx, f32)> = interactions
        .iter()
        .enumerate()
        .map(|(pos, &(item, value))| (pos, item, value))
        .collect();
    history.sort_by_key(|&(pos, item, _)| (item, std::cmp::Reverse(pos)));
    history.dedup_by_key(|&mut (_, item, _)| item);
    history
        .into_iter()
        .map(|(_, item, value)| (item, value))
        .collect()
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
