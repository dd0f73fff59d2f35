//! Flow settings chosen from the data with each trained model.
//!
//! How much a short history leans on popularity ([`FlowSettings::popularity_prior`]) is a
//! property of the data, not of the code: MovieLens's held-out ratings favour popular films
//! (on ML-1M users who keep five ratings, a prior of 1 beats 0.5 by 5 %), while Last.fm's
//! listeners have narrower tastes (there the same change loses 9 %). So each training, and
//! each fold of `orrery eval`, measures it: a cold-start validation split is carved from
//! the training data (a share of the users keep [`Blend::cold_start_threshold`]
//! interactions, where the prior weighs most), the same model is fitted on the rest, and
//! the flow ranks the validation users' lists under each prior of [`PRIOR_GRID`]; the
//! best NDCG@10 wins. The choice is stored with the model version
//! ([`POPULARITY_PRIOR_PARAM`]) and served with it unless `orrery.toml` sets the prior.
//!
//! [`Blend::cold_start_threshold`]: orrery_models::blend::Blend::cold_start_threshold

use orrery_core::Dataset;
use orrery_eval::{EvalOptions, evaluate_with, split};
use orrery_models::{ItemVectors, Model, Params, Progress};

use orrery_train::{FlowTuner, TrainError, Tuned};

use crate::flow::FlowSettings;
use crate::offline::{OfflineFlow, vector_rows};

/// The key under which a version's chosen prior is stored with its parameters.
pub const POPULARITY_PRIOR_PARAM: &str = "flow.popularity_prior";

/// The priors tried, from none to the largest the blend takes
/// ([`orrery_models::blend::MAX_POPULARITY_PRIOR`]).
pub const PRIOR_GRID: [f32; 6] = [0.0, 0.25, 0.5, 1.0, 1.5, 2.0];

/// Share of the eligible users carved out for validation.
const VALIDATION_SHARE: f64 = 0.2;

/// At most this many validation users: enough to tell the priors apart (NDCG@10 over
/// 2,000 users has a standard error near 0.005), and a large store's choice stays cheap.
const MAX_VALIDATION_USERS: usize = 2_000;

/// Why a choice failed.
#[derive(Debug, thiserror::Error)]
pub enum TuneError {
    /// The validation fit failed or was cancelled.
    #[error(transparent)]
    Model(#[from] orrery_models::Error),
    /// Measuring the lists failed.
    #[error(transparent)]
    Eval(#[from] orrery_eval::Error),
}

/// The outcome of [`choose_popularity_prior`].
#[derive(Debug, Clone, PartialEq)]
pub struct PriorChoice {
    /// The prior chosen.
    pub prior: f32,
    /// NDCG@10 of the validation users' lists under each prior tried.
    pub ndcg: Vec<(f32, f64)>,
    /// Users in the validation split.
    pub users: usize,
}

impl PriorChoice {
    /// One sentence on the choice, for logs and answers.
    pub fn describe(&self) -> String {
        let figures: Vec<String> = self
            .ndcg
            .iter()
            .map(|(p, v)| format!("{p} {v:.4}"))
            .collect();
        format!(
            "popularity_prior {}, the best NDCG@10 of {} validation users who keep a few \
             interactions ({})",
            self.prior,
            self.users,
            figures.join(", ")
        )
    }
}

/// Chooses the popularity prior for a model of `params` on `dataset` (see the module
/// documentation); `vectors`: the items' text embeddings (the flow's content signal), in
/// `dataset`'s item order. `None` when the data is too small to carve a validation split.
/// `progress` follows the validation fit, and stops the choice when it asks to.
pub fn choose_popularity_prior(
    dataset: &Dataset,
    params: &Params,
    vectors: Option<&ItemVectors>,
    settings: &FlowSettings,
    cold_start_threshold: usize,
    progress: &mut dyn Progress,
) -> Result<Option<PriorChoice>, TuneError> {
    let keep = cold_start_threshold.max(1);
    let csr = dataset.user_items();
    let eligible = (0..csr.rows())
        .filter(|&u| csr.row(u as u32).len() > keep)
        .count();
    if eligible < 2 {
        return Ok(None);
    }
    let share = VALIDATION_SHARE.min(MAX_VALIDATION_USERS as f64 / eligible as f64);
    let Ok(fold) = split::cold_start(dataset, share, keep, false, params.seed()) else {
        return Ok(None);
    };
    if fold.train.nnz() == 0 || fold.test.nnz() == 0 {
        return Ok(None);
    }
    let users = {
        let test = fold.test.user_items();
        (0..test.rows())
            .filter(|&u| !test.row(u as u32).is_empty())
            .count()
    };
    let model = Model::fit_with_vectors(&fold.train, params, vectors, progress)?;
    // The carved training set keeps every item, in the same order as `dataset`.
    let rows = vectors.map_or_else(Vec::new, |v| vector_rows(&fold.train, v));
    let mut flow = OfflineFlow::new(
        &fold.train,
        model,
        rows,
        settings.clone(),
        cold_start_threshold,
    );
    let mut ndcg = Vec::with_capacity(PRIOR_GRID.len());
    for prior in PRIOR_GRID {
        if progress.cancelled() {
            return Err(TuneError::Model(orrery_models::Error::Cancelled {
                epoch: 0,
            }));
        }
        flow.set_popularity_prior(prior);
        let metrics = evaluate_with(
            flow.model(),
            &flow,
            &fold.train,
            &fold.test,
            &EvalOptions::default(),
        )?;
        ndcg.push((prior, metrics.get("ndcg@10").copied().unwrap_or(0.0)));
    }
    let prior = ndcg
        .iter()
        .fold(None::<(f32, f64)>, |best, &(p, v)| match best {
            Some((_, b)) if b >= v => best,
            _ => Some((p, v)),
        })
        .map_or(crate::flow::DEFAULT_POPULARITY_PRIOR, |(p, _)| p);
    Ok(Some(PriorChoice { prior, ndcg, users }))
}

/// The flow's [`FlowTuner`] for training runs: chooses the popularity prior, unless the
/// configuration sets it (then the choice would never be served).
#[derive(Debug, Clone)]
pub struct PriorTuner {
    /// The flow's configuration.
    pub settings: FlowSettings,
    /// The ramp's `h` ([`orrery_models::blend::Blend::cold_start_threshold`]).
    pub cold_start_threshold: usize,
}

impl FlowTuner for PriorTuner {
    fn tune(
        &self,
        dataset: &Dataset,
        params: &Params,
        vectors: Option<&ItemVectors>,
        progress: &mut dyn Progress,
    ) -> Result<Option<Tuned>, TrainError> {
        if self.settings.popularity_prior.is_some() {
            return Ok(None);
        }
        let choice = choose_popularity_prior(
            dataset,
            params,
            vectors,
            &self.settings,
            self.cold_start_threshold,
            progress,
        )
        .map_err(|e| match e {
            TuneError::Model(e) => TrainError::Model(e),
            TuneError::Eval(e) => TrainError::Eval(e),
        })?;
        Ok(choice.map(|c| Tuned {
            params: [(POPULARITY_PRIOR_PARAM.to_owned(), c.prior.to_string())].into(),
            description: c.describe(),
        }))
    }
}
