//! Candidate generation, as in the Neural Recommendation seed: the best items by
//! popularity, by collaborative filtering and by content similarity, merged into one set
//! that any model can then rank ([`rerank`]); an expensive re-ranker (NCF) scores a few
//! hundred candidates instead of the whole catalog.

use orrery_core::ItemIdx;
use serde::{Deserialize, Serialize};

use crate::blend::Signals;
use crate::{Recommender, Result, Scored, UserRepr};

/// How many candidates each source proposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidateCounts {
    /// The most popular admitted items.
    pub popularity: usize,
    /// The best admitted items by collaborative score.
    pub collaborative: usize,
    /// The best admitted items by content similarity.
    pub content: usize,
}

impl Default for CandidateCounts {
    fn default() -> Self {
        CandidateCounts {
            popularity: 50,
            collaborative: 200,
            content: 100,
        }
    }
}

/// One candidate and the sources that proposed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    /// The item.
    pub item: ItemIdx,
    /// Proposed by popularity.
    pub popular: bool,
    /// Proposed by collaborative filtering.
    pub collaborative: bool,
    /// Proposed by content similarity.
    pub content: bool,
}

/// The admitted items among the best of each available signal, each once, in the order
/// collaborative, content, popularity (best first within each), so that a truncation
/// keeps the most personal ones.
pub fn generate(signals: &Signals, admit: &[bool], counts: &CandidateCounts) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Vec::new();
    let mut position = vec![usize::MAX; admit.len()];
    let mut add = |scores: &[f32], n: usize, mark: fn(&mut Candidate)| {
        for item in best(scores, admit, n) {
            let slot = &mut position[item as usize];
            if *slot == usize::MAX {
                *slot = out.len();
                out.push(Candidate {
                    item,
                    popular: false,
                    collaborative: false,
                    content: false,
                });
            }
            mark(&mut out[*slot]);
        }
    };
    if let Some(cf) = signals.collaborative {
        add(cf, counts.collaborative, |c| c.collaborative = true);
    }
    if let Some(content) = signals.content {
        add(content, counts.content, |c| c.content = true);
    }
    add(signals.popularity, counts.popularity, |c| c.popular = true);
    out
}

/// The `n` admitted items with the highest finite scores, best first (ties: lower index).
fn best(scores: &[f32], admit: &[bool], n: usize) -> Vec<ItemIdx> {
    let mut items: Vec<usize> = (0..scores.len().min(admit.len()))
        .filter(|&i| admit[i] && scores[i].is_finite())
        .collect();
    let order = |a: &usize, b: &usize| scores[*b].total_cmp(&scores[*a]).then(a.cmp(b));
    if n < items.len() {
        items.select_nth_unstable_by(n, order);
        items.truncate(n);
    }
    items.sort_unstable_by(order);
    items.into_iter().map(|i| i as ItemIdx).collect()
}

/// The `k` best candidates by `model`'s scores for `user`, best first.
pub fn rerank(
    model: &dyn Recommender,
    user: &UserRepr,
    candidates: &[Candidate],
    k: usize,
) -> Result<Vec<Scored>> {
    let items: Vec<ItemIdx> = candidates.iter().map(|c| c.item).collect();
    let mut scores = vec![0f32; items.len()];
    model.score(user, &items, &mut scores)?;
    Ok(crate::topk::top_k(items.into_iter().zip(scores), k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_merge_without_duplicates() {
        let cf = [5.0, 4.0, 0.0, 0.0, f32::NEG_INFINITY];
        let content = [0.9, 0.0, 0.8, 0.0, 0.1];
        let pop = [0.0, 0.0, 0.0, 1.0, 0.0];
        let signals = Signals {
            collaborative: Some(&cf),
            content: Some(&content),
            popularity: &pop,
            category_match: None,
            interactions: 10,
            scale_over: None,
        };
        let counts = CandidateCounts {
            popularity: 1,
            collaborative: 2,
            content: 2,
        };
        let admit = [true, true, true, true, true];
        let c = generate(&signals, &admit, &counts);
        assert_eq!(c.iter().map(|c| c.item).collect::<Vec<_>>(), [0, 1, 2, 3]);
        assert!(c[0].collaborative && c[0].content && !c[0].popular);
        assert!(c[3].popular && !c[3].collaborative);
        let c = generate(&signals, &[false, true, true, true, true], &counts);
        assert!(c.iter().all(|c| c.item != 0));
    }
}
