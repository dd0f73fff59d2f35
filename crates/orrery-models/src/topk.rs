//! Top-k selection over a score buffer with a bounded heap.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use orrery_core::ItemIdx;

use crate::Scored;

/// A heap entry ordered so that the heap's top is the worst of the kept items: lower
/// score first, and on equal scores the higher index (lower indices win ties, so results
/// are deterministic).
#[derive(Clone, Copy)]
struct Worst(Scored);

impl PartialEq for Worst {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Worst {}

impl PartialOrd for Worst {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Worst {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed score order turns the max-heap into a min-heap on score.
        other
            .0
            .score
            .total_cmp(&self.0.score)
            .then(self.0.item.cmp(&other.0.item))
    }
}

/// The `k` best `(item, score)` pairs among `candidates`, best first; NaN and −∞ scores
/// are never returned.
pub(crate) fn top_k(candidates: impl Iterator<Item = (ItemIdx, f32)>, k: usize) -> Vec<Scored> {
    if k == 0 {
        return Vec::new();
    }
    let mut heap: BinaryHeap<Worst> = BinaryHeap::with_capacity(k + 1);
    for (item, score) in candidates {
        if score.is_nan() || score == f32::NEG_INFINITY {
            continue;
        }
        let entry = Worst(Scored { item, score });
        if heap.len() < k {
            heap.push(entry);
        } else if let Some(worst) = heap.peek() {
            // `entry < worst` in heap order means entry is better than the worst kept.
            if entry < *worst {
                heap.pop();
                heap.push(entry);
            }
        }
    }
    // Ascending heap order is best first.
    heap.into_sorted_vec().into_iter().map(|w| w.0).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_best_in_order_with_ties_to_lower_index() {
        let scores = [0.5, 2.0, f32::NAN, 2.0, -1.0, 3.0, f32::NEG_INFINITY];
        let top = top_k(scores.iter().enumerate().map(|(i, &s)| (i as u32, s)), 3);
        let got: Vec<(u32, f32)> = top.iter().map(|s| (s.item, s.score)).collect();
        assert_eq!(got, [(5, 3.0), (1, 2.0), (3, 2.0)]);
        let all = top_k(scores.iter().enumerate().map(|(i, &s)| (i as u32, s)), 100);
        assert_eq!(all.len(), 5);
        assert!(top_k([(0, 1.0)].into_iter(), 0).is_empty());
    }
}
