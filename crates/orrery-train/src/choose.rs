//! Which ranking model to train when the caller names none: each candidate is fitted with
//! its defaults on a validation split carved from the data and measured by NDCG@10 on the
//! held-out part; the best one is trained.
//!
//! Lists come from a ranking model (one trained to put what a user will like first);
//! a rating model predicts stars and ranks by them, which favours items everybody rates
//! well over what suits the user, so the default is never a rating model.

use orrery_core::Dataset;
use orrery_eval::{EvalOptions, evaluate, split};
use orrery_models::{Algorithm, Model, Params};
use serde::Serialize;

use crate::cancel::{Cancel, CancelOnly};
use crate::flow::TrainError;

/// The ranking algorithms tried, in order of preference among equals.
pub const RANKING_CANDIDATES: [Algorithm; 3] =
    [Algorithm::Als, Algorithm::Ease, Algorithm::ItemKnn];

/// EASE holds an item × item matrix: above this many items it is not tried.
const EASE_MAX_ITEMS: usize = 20_000;

/// Share held out when the caller holds out nothing.
const DEFAULT_RATIO: f64 = 0.1;

/// The outcome of [`choose_ranking_algorithm`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Choice {
    /// The algorithm chosen.
    pub algorithm: Algorithm,
    /// NDCG@10 of each candidate measured, in the order tried.
    pub ndcg: Vec<(Algorithm, f64)>,
    /// Candidates not measured, and why.
    pub skipped: Vec<(Algorithm, String)>,
}

impl Choice {
    /// One sentence on the choice, for logs and answers.
    pub fn describe(&self) -> String {
        let figures: Vec<String> = self
            .ndcg
            .iter()
            .map(|(a, v)| format!("{} {v:.4}", a.name()))
            .collect();
        if figures.is_empty() {
            return format!(
                "{}: the data is too small to hold out a validation split",
                self.algorithm.name()
            );
        }
        format!(
            "{}, the best NDCG@10 on a held-out validation split ({})",
            self.algorithm.name(),
            figures.join(", ")
        )
    }
}

/// Fits every candidate of [`RANKING_CANDIDATES`] with its defaults (and `seed`) on a
/// holdout split of `dataset` (`ratio` held out, 0.1 when 0) and returns the best by
/// NDCG@10. Data too small to split gives the first candidate. A `cancel` request stops
/// the candidate being fitted and the choice with [`TrainError::Cancelled`].
pub fn choose_ranking_algorithm(
    dataset: &Dataset,
    ratio: f64,
    seed: u64,
    cancel: &Cancel,
) -> Result<Choice, TrainError> {
    let ratio = if ratio > 0.0 { ratio } else { DEFAULT_RATIO };
    let mut choice = Choice {
        algorithm: RANKING_CANDIDATES[0],
        ndcg: Vec::new(),
        skipped: Vec::new(),
    };
    let fold = match split::holdout(dataset, ratio, seed) {
        Ok(fold) if fold.train.nnz() > 0 && fold.test.nnz() > 0 => fold,
        _ => return Ok(choice),
    };
    let mut best = f64::NEG_INFINITY;
    for algorithm in RANKING_CANDIDATES {
        if algorithm == Algorithm::Ease && dataset.n_items() > EASE_MAX_ITEMS {
            choice.skipped.push((
                algorithm,
                format!(
                    "{} items: its item × item matrix would not fit",
                    dataset.n_items()
                ),
            ));
            continue;
        }
        cancel.check()?;
        let params = Params::defaults(algorithm).with_seed(seed);
        let measured = Model::fit(&fold.train, &params, &mut CancelOnly(cancel))
            .map_err(|e| TrainError::from_model(e, cancel))
            .and_then(|model| {
                evaluate(&model, &fold.train, &fold.test, &EvalOptions::default())
                    .map_err(TrainError::from)
            });
        match measured {
            Ok(metrics) => {
                let ndcg = metrics.get("ndcg@10").copied().unwrap_or(0.0);
                choice.ndcg.push((algorithm, ndcg));
                if ndcg > best {
                    best = ndcg;
                    choice.algorithm = algorithm;
                }
            }
            Err(error @ TrainError::Cancelled { .. }) => return Err(error),
            Err(error) => choice.skipped.push((algorithm, error.to_string())),
        }
    }
    Ok(choice)
}

#[cfg(test)]
mod tests {
    use super::*;
    use orrery_core::{DatasetBuilder, EventKind, EventWeights};

    /// Two groups of users who each like their own half of the catalog.
    fn two_tastes() -> Dataset {
        let mut b = DatasetBuilder::new(EventWeights::default());
        for u in 0..60 {
            let half = u % 2;
            for i in 0..20 {
                if (i + u) % 3 != 0 {
                    let item = format!("i{}", half * 20 + i);
                    b.add_event(&format!("u{u}"), &item, &EventKind::Like, 1.0, i as i64);
                }
            }
        }
        b.build()
    }

    #[test]
    fn every_candidate_is_measured_and_the_best_chosen() {
        let choice = choose_ranking_algorithm(&two_tastes(), 0.2, 7, &Cancel::new()).unwrap();
        assert_eq!(choice.ndcg.len(), RANKING_CANDIDATES.len(), "{choice:?}");
        let best = choice
            .ndcg
            .iter()
            .map(|&(_, v)| v)
            .fold(f64::NEG_INFINITY, f64::max);
        let chosen = choice
            .ndcg
            .iter()
            .find(|(a, _)| *a == choice.algorithm)
            .unwrap();
        assert_eq!(chosen.1, best);
        assert!(best > 0.0);
        assert!(
            choice.describe().contains("NDCG@10"),
            "{}",
            choice.describe()
        );
    }

    #[test]
    fn a_cancelled_choice_stops_with_its_reason() {
        let cancel = Cancel::new();
        cancel.cancel("stop");
        match choose_ranking_algorithm(&two_tastes(), 0.2, 7, &cancel) {
            Err(TrainError::Cancelled { reason }) => assert_eq!(reason, "stop"),
            other => panic!("expected a cancellation, got {other:?}"),
        }
    }

    #[test]
    fn data_too_small_to_split_gets_the_first_candidate() {
        let mut b = DatasetBuilder::new(EventWeights::default());
        b.add_event("u", "i", &EventKind::Like, 1.0, 0);
        let choice = choose_ranking_algorithm(&b.build(), 0.1, 1, &Cancel::new()).unwrap();
        assert_eq!(choice.algorithm, RANKING_CANDIDATES[0]);
        assert!(choice.ndcg.is_empty());
    }
}
