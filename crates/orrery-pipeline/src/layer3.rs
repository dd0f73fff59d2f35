//! Layer 3, category matrix factorization: the user × category matrix (star types,
//! planet types, moon parents; see [`CategoryMatrix`]) factorized by an Orrery model
//! ([`Factorization`]: biased MF by default, or NMF), whose reconstruction predicts every
//! user's affinity to every category.
//!
//! The reconstruction error is measured on held-out cells: a share of the non-zero
//! cells is hidden, the model fitted on the rest, and the hidden cells compared with
//! their predictions, beside the baseline of predicting each by its category's mean. MF
//! is given every other cell, zeros included, so a hidden cell is truly unseen; NMF reads
//! a hidden cell as zero, like any absent one, which pulls its prediction down. The file's scores come from a second fit on every cell,
//! divided by the largest cell of the matrix and clamped to `[0, 1]`.

use std::collections::BTreeMap;

use orrery_models::{MfParams, Model, NmfParams, NoProgress, Params, Recommender};

use crate::Error;
use crate::config::{Factorization, Layer3Config};
use crate::data::PoppyData;
use crate::matrix::{CategoryMatrix, cell_error, column_mean_predictions, planted_recovery};

/// Predicted scores and the figures that describe them.
pub struct Layer3Output {
    pub matrix: CategoryMatrix,
    /// Row-major like the matrix, in `[0, 1]`.
    pub scores: Vec<f64>,
    pub quality: BTreeMap<String, f64>,
}

/// Builds the matrix, measures the held-out error, and predicts every cell.
pub fn category_mf(data: &PoppyData, config: &Layer3Config) -> Result<Layer3Output, Error> {
    let matrix = CategoryMatrix::build(data, &config.weights, config.normalize);
    if matrix.users.is_empty() {
        return Err(Error::NoData {
            layer: 3,
            what: "no user has an interaction on a star type, planet type or moon parent".into(),
        });
    }
    let params = match config.model {
        Factorization::Mf => Params::Mf(MfParams {
            factors: config.factors,
            epochs: config.epochs,
            reg: config.reg,
            lr: 0.01,
            blocks: 1,
            seed: config.seed,
            ..MfParams::default()
        }),
        Factorization::Nmf => Params::Nmf(NmfParams {
            factors: config.factors,
            epochs: config.epochs,
            reg: config.reg,
            binary: false,
            seed: config.seed,
        }),
    };
    let zeros = config.model == Factorization::Mf;
    let mut quality = BTreeMap::new();

    if config.holdout > 0.0 {
        let mask = matrix.holdout_mask(config.holdout, config.seed);
        let held = |cell: usize| mask[cell];
        let predicted = predict(&matrix, Some(&mask), zeros, &params)?;
        if let Some(error) = cell_error(&matrix.values, &predicted, held) {
            let baseline = column_mean_predictions(&matrix, &mask);
            quality.insert("heldout_rmse".into(), error.rmse);
            quality.insert("heldout_mae".into(), error.mae);
            quality.insert("heldout_cells".into(), error.cells as f64);
            if let Some(b) = cell_error(&matrix.values, &baseline, held) {
                quality.insert("heldout_rmse_category_mean_baseline".into(), b.rmse);
            }
        }
    }

    let predicted = predict(&matrix, None, zeros, &params)?;
    if let Some(error) = cell_error(&matrix.values, &predicted, |_| true) {
        quality.insert("reconstruction_rmse".into(), error.rmse);
    }
    let scale = matrix.max();
    let scores: Vec<f64> = predicted
        .iter()
        .map(|&p| {
            if scale > 0.0 {
                (p / scale).clamp(0.0, 1.0)
            } else {
                0.0
            }
        })
        .collect();

    if let Some(planted) = &data.planted {
        if let Some((rate, users)) = planted_recovery(&matrix, &scores, planted) {
            quality.insert("planted_preference_recovery".into(), rate);
            quality.insert("planted_preference_users".into(), users as f64);
        }
        if let Some((rate, _)) = planted_recovery(&matrix, &matrix.values, planted) {
            quality.insert("planted_preference_recovery_observed".into(), rate);
        }
    }
    Ok(Layer3Output {
        matrix,
        scores,
        quality,
    })
}

/// Fits `params` on the matrix without the held-out cells (with its zero cells when
/// `zeros`) and predicts every cell.
fn predict(
    matrix: &CategoryMatrix,
    held_out: Option<&[bool]>,
    zeros: bool,
    params: &Params,
) -> Result<Vec<f64>, Error> {
    let dataset = matrix.dataset(held_out, zeros);
    let model = Model::fit(&dataset, params, &mut NoProgress)?;
    let n_cols = matrix.n_cols();
    let mut row = vec![0f32; model.n_items()];
    let mut predicted = Vec::with_capacity(matrix.values.len());
    for user in 0..matrix.users.len() {
        let repr = model.user(user as u32)?;
        model.score_all(&repr, &mut row)?;
        predicted.extend(row.iter().take(n_cols).map(|&s| f64::from(s)));
    }
    Ok(predicted)
}
