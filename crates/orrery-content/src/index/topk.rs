//! Keeping the k best (score, key) pairs with a min-heap, and merging partial results.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// A search result: the item's key and its cosine similarity to the query.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct Neighbor {
    pub key: u64,
    pub score: f32,
}

/// Orders by score (total order, so NaN cannot break the heap), ties by smaller key first.
#[derive(Clone, Copy, PartialEq)]
struct Entry(Neighbor);

impl Eq for Entry {}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap and the worst kept entry must sit on top.
        other
            .0
            .score
            .total_cmp(&self.0.score)
            .then(self.0.key.cmp(&other.0.key))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The k highest-scoring neighbours seen so far.
pub(crate) struct TopK {
    k: usize,
    heap: BinaryHeap<Entry>,
}

impl TopK {
    pub fn new(k: usize) -> TopK {
        TopK {
            k,
            heap: BinaryHeap::with_capacity(k + 1),
        }
    }

    /// The score a new candidate must beat to enter (−∞ while not full).
    #[inline]
    pub fn threshold(&self) -> f32 {
        if self.heap.len() < self.k {
            f32::NEG_INFINITY
        } else {
            self.heap.peek().map_or(f32::NEG_INFINITY, |e| e.0.score)
        }
    }

    #[inline]
    pub fn push(&mut self, key: u64, score: f32) {
        if self.k == 0 {
            return;
        }
        let entry = Entry(Neighbor { key, score });
        if self.heap.len() < self.k {
            self.heap.push(entry);
        } else if let Some(mut worst) = self.heap.peek_mut()
            && entry < *worst
        {
            *worst = entry;
        }
    }

    pub fn merge(mut self, other: TopK) -> TopK {
        for e in other.heap {
            self.push(e.0.key, e.0.score);
        }
        self
    }

    /// Best first.
    pub fn into_sorted(self) -> Vec<Neighbor> {
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|e| e.0)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_best_k_in_order() {
        let mut top = TopK::new(3);
        for (key, score) in [(1, 0.1), (2, 0.9), (3, 0.5), (4, 0.7), (5, -1.0), (6, 0.7)] {
            top.push(key, score);
        }
        let got: Vec<(u64, f32)> = top.into_sorted().iter().map(|n| (n.key, n.score)).collect();
        assert_eq!(got, vec![(2, 0.9), (4, 0.7), (6, 0.7)]);
        assert!(TopK::new(0).into_sorted().is_empty());
    }
}
