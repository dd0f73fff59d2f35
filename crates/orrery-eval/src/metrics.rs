//! Accuracy and ranking metrics as plain functions, each the textbook definition.
//!
//! Ranking metrics take one user's ranked list (best first, already cut to K or not) and
//! the set of items relevant to that user; they are averaged over users by the caller.
//! Relevance is binary.

use std::collections::HashSet;

use orrery_core::ItemIdx;

/// Root mean squared error of `(prediction, truth)` pairs; `None` when empty.
pub fn rmse(pairs: &[(f32, f32)]) -> Option<f64> {
    (!pairs.is_empty()).then(|| {
        let sse: f64 = pairs.iter().map(|&(p, t)| ((p - t) as f64).powi(2)).sum();
        (sse / pairs.len() as f64).sqrt()
    })
}

/// Mean absolute error of `(prediction, truth)` pairs; `None` when empty.
pub fn mae(pairs: &[(f32, f32)]) -> Option<f64> {
    (!pairs.is_empty()).then(|| {
        pairs
            .iter()
            .map(|&(p, t)| ((p - t) as f64).abs())
            .sum::<f64>()
            / pairs.len() as f64
    })
}

fn top(ranked: &[ItemIdx], k: usize) -> &[ItemIdx] {
    &ranked[..k.min(ranked.len())]
}

fn hits(ranked: &[ItemIdx], relevant: &HashSet<ItemIdx>, k: usize) -> usize {
    top(ranked, k)
        .iter()
        .filter(|i| relevant.contains(i))
        .count()
}

/// Share of the top K that is relevant (divided by K even when fewer were ranked).
pub fn precision_at_k(ranked: &[ItemIdx], relevant: &HashSet<ItemIdx>, k: usize) -> f64 {
    if k == 0 {
        return 0.0;
    }
    hits(ranked, relevant, k) as f64 / k as f64
}

/// Share of the relevant items found in the top K.
pub fn recall_at_k(ranked: &[ItemIdx], relevant: &HashSet<ItemIdx>, k: usize) -> f64 {
    if relevant.is_empty() {
        return 0.0;
    }
    hits(ranked, relevant, k) as f64 / relevant.len() as f64
}

/// 1 when any relevant item is in the top K, else 0 (hit rate).
pub fn hit_at_k(ranked: &[ItemIdx], relevant: &HashSet<ItemIdx>, k: usize) -> f64 {
    if hits(ranked, relevant, k) > 0 {
        1.0
    } else {
        0.0
    }
}

/// Normalized discounted cumulative gain: `Σ_hits 1/log2(rank + 1)` over the ideal DCG of
/// `min(|relevant|, K)` hits at the top.
pub fn ndcg_at_k(ranked: &[ItemIdx], relevant: &HashSet<ItemIdx>, k: usize) -> f64 {
    let gain = |rank: usize| 1.0 / ((rank + 1) as f64).log2();
    let dcg: f64 = top(ranked, k)
        .iter()
        .enumerate()
        .filter(|(_, i)| relevant.contains(i))
        .map(|(pos, _)| gain(pos + 1))
        .sum();
    let ideal: f64 = (1..=relevant.len().min(k)).map(gain).sum();
    if ideal > 0.0 { dcg / ideal } else { 0.0 }
}

/// Average precision at K: the mean of precision@i over the ranks i of the hits, divided
/// by `min(|relevant|, K)`.
pub fn average_precision_at_k(ranked: &[ItemIdx], relevant: &HashSet<ItemIdx>, k: usize) -> f64 {
    let denom = relevant.len().min(k);
    if denom == 0 {
        return 0.0;
    }
    let mut found = 0usize;
    let mut sum = 0.0;
    for (pos, item) in top(ranked, k).iter().enumerate() {
        if relevant.contains(item) {
            found += 1;
            sum += found as f64 / (pos + 1) as f64;
        }
    }
    sum / denom as f64
}

/// `1 / rank` of the first relevant item in the list, 0 when none is.
pub fn reciprocal_rank(ranked: &[ItemIdx], relevant: &HashSet<ItemIdx>) -> f64 {
    ranked
        .iter()
        .position(|i| relevant.contains(i))
        .map_or(0.0, |pos| 1.0 / (pos + 1) as f64)
}

/// Catalog coverage: the share of the `n_items` catalog that appears in at least one list.
pub fn coverage<'a>(lists: impl IntoIterator<Item = &'a [ItemIdx]>, n_items: usize) -> f64 {
    if n_items == 0 {
        return 0.0;
    }
    let distinct: HashSet<ItemIdx> = lists.into_iter().flatten().copied().collect();
    distinct.len() as f64 / n_items as f64
}

/// Intra-list diversity: the mean dissimilarity `1 − similarity(a, b)` over all pairs of
/// the list; `None` for lists shorter than 2.
pub fn intra_list_diversity(
    list: &[ItemIdx],
    similarity: impl Fn(ItemIdx, ItemIdx) -> f64,
) -> Option<f64> {
    if list.len() < 2 {
        return None;
    }
    let mut sum = 0.0;
    let mut pairs = 0usize;
    for (n, &a) in list.iter().enumerate() {
        for &b in &list[n + 1..] {
            sum += 1.0 - similarity(a, b);
            pairs += 1;
        }
    }
    Some(sum / pairs as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[ItemIdx]) -> HashSet<ItemIdx> {
        items.iter().copied().collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn rmse_and_mae_by_hand() {
        // Errors 1, −2, 0: RMSE = sqrt(5/3), MAE = 1.
        let pairs = [(4.0, 3.0), (1.0, 3.0), (5.0, 5.0)];
        assert!(close(rmse(&pairs).unwrap(), (5.0f64 / 3.0).sqrt()));
        assert!(close(mae(&pairs).unwrap(), 1.0));
        assert_eq!(rmse(&[]), None);
        assert_eq!(mae(&[]), None);
    }

    #[test]
    fn precision_recall_hit_by_hand() {
        // Ranked 7 3 9 1 5; relevant {3, 5, 8}: top-3 holds one hit (3), top-5 two.
        let ranked = [7, 3, 9, 1, 5];
        let rel = set(&[3, 5, 8]);
        assert!(close(precision_at_k(&ranked, &rel, 3), 1.0 / 3.0));
        assert!(close(precision_at_k(&ranked, &rel, 5), 2.0 / 5.0));
        // Fewer ranked than K still divides by K.
        assert!(close(precision_at_k(&ranked, &rel, 10), 2.0 / 10.0));
        assert!(close(recall_at_k(&ranked, &rel, 3), 1.0 / 3.0));
        assert!(close(recall_at_k(&ranked, &rel, 5), 2.0 / 3.0));
        assert_eq!(hit_at_k(&ranked, &rel, 1), 0.0);
        assert_eq!(hit_at_k(&ranked, &rel, 2), 1.0);
        assert_eq!(recall_at_k(&ranked, &set(&[]), 5), 0.0);
    }

    #[test]
    fn ndcg_by_hand() {
        // Hits at ranks 2 and 5: DCG = 1/log2(3) + 1/log2(6); with 3 relevant items and
        // K = 5 the ideal is 1 + 1/log2(3) + 1/2.
        let ranked = [7, 3, 9, 1, 5];
        let rel = set(&[3, 5, 8]);
        let dcg = 1.0 / 3f64.log2() + 1.0 / 6f64.log2();
        let ideal = 1.0 + 1.0 / 3f64.log2() + 0.5;
        assert!(close(ndcg_at_k(&ranked, &rel, 5), dcg / ideal));
        // One relevant item at rank 1 is perfect; at rank 2 it is 1/log2(3).
        assert!(close(ndcg_at_k(&[4, 2], &set(&[4]), 10), 1.0));
        assert!(close(ndcg_at_k(&[2, 4], &set(&[4]), 10), 1.0 / 3f64.log2()));
        assert_eq!(ndcg_at_k(&[2, 4], &set(&[4]), 1), 0.0);
    }

    #[test]
    fn average_precision_and_reciprocal_rank_by_hand() {
        // Hits at ranks 2 and 5: precisions 1/2 and 2/5, over min(3, 5) = 3.
        let ranked = [7, 3, 9, 1, 5];
        let rel = set(&[3, 5, 8]);
        assert!(close(
            average_precision_at_k(&ranked, &rel, 5),
            (0.5 + 0.4) / 3.0
        ));
        // At K = 2 only the first hit counts, over min(3, 2) = 2.
        assert!(close(average_precision_at_k(&ranked, &rel, 2), 0.5 / 2.0));
        assert!(close(reciprocal_rank(&ranked, &rel), 0.5));
        assert_eq!(reciprocal_rank(&ranked, &set(&[42])), 0.0);
    }

    #[test]
    fn coverage_and_diversity_by_hand() {
        let lists: [&[ItemIdx]; 2] = [&[0, 1, 2], &[2, 3]];
        assert!(close(coverage(lists, 10), 0.4));
        assert_eq!(coverage(lists, 0), 0.0);
        // Items 0 and 1 are identical (similarity 1), every other pair unrelated: of the
        // three pairs of [0, 1, 2], two are fully dissimilar.
        let sim = |a: ItemIdx, b: ItemIdx| {
            if a.min(b) == 0 && a.max(b) == 1 {
                1.0
            } else {
                0.0
            }
        };
        assert!(close(
            intra_list_diversity(&[0, 1, 2], sim).unwrap(),
            2.0 / 3.0
        ));
        assert_eq!(intra_list_diversity(&[0], sim), None);
    }
}
