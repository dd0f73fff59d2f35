//! Layer 4, the tanh network's refined user × category predictions, in the same columns as
//! layer 3, with the RMSE on held-out cells.
//!
//! The network is `orrery-models`' `layer4` algorithm: it learns each user's interaction
//! strength (1–5) per category from the user's profile, the category's type and value,
//! and the hour and day of the interaction. A cell is one user and one category item, valued by the
//! latest strength given (as in an Orrery dataset). A share of the cells is held out,
//! the network fitted on the rest, and the held-out strengths compared with its
//! predictions and with the training mean's; the file's scores come from a second fit on
//! every cell, mapped from the strength scale to `[0, 1]`.

use std::collections::{BTreeMap, HashMap};

use orrery_core::{Category, DatasetBuilder, EventWeights, ItemRecord, rng};
use orrery_models::{Fitted, Layer4Params, Model, NoProgress, Params, Recommender};
use rand::seq::SliceRandom;

use crate::Error;
use crate::config::PipelineConfig;
use crate::data::PoppyData;
use crate::matrix::{CategoryMatrix, planted_recovery};

/// Refined scores and the figures that describe them.
pub struct Layer4Output {
    pub matrix: CategoryMatrix,
    /// Row-major like the matrix, in `[0, 1]`.
    pub scores: Vec<f64>,
    pub quality: BTreeMap<String, f64>,
}

/// One user's latest strength for one category item.
#[derive(Clone)]
struct Cell {
    user: u32,
    item: u32,
    strength: f32,
    ts: i64,
}

/// Fits the tanh network on the user × category cells and predicts every cell.
pub fn refine(data: &PoppyData, config: &PipelineConfig) -> Result<Layer4Output, Error> {
    let settings = &config.layer4;
    let cells = strength_cells(data);
    if cells.is_empty() {
        return Err(Error::NoData {
            layer: 4,
            what: "no strength interaction on a star type, planet type or moon parent".into(),
        });
    }
    let params = Params::Layer4(Layer4Params {
        seed: settings.seed,
        ..Layer4Params::default()
    });
    let mut quality = BTreeMap::new();

    if settings.holdout > 0.0 {
        let mut order: Vec<usize> = (0..cells.len()).collect();
        order.shuffle(&mut rng::seeded(settings.seed));
        let n_held = (settings.holdout * cells.len() as f64).round() as usize;
        let (held, kept) = order.split_at(n_held.min(cells.len().saturating_sub(1)));
        let train: Vec<&Cell> = kept.iter().map(|&c| &cells[c]).collect();
        let (model, dataset) = fit(data, &train, &params)?;
        let mean =
            train.iter().map(|c| f64::from(c.strength)).sum::<f64>() / train.len().max(1) as f64;
        let (mut sse, mut sse_mean, mut n) = (0.0, 0.0, 0usize);
        for cell in held.iter().map(|&c| &cells[c]) {
            let user = &data.users[cell.user as usize];
            let item = &data.items[cell.item as usize].id;
            // A held-out cell whose user or category the training cells never saw is
            // predicted from the mean user or skipped, as a new user would be.
            let Some(i) = dataset.items().get(item) else {
                continue;
            };
            let repr = match dataset.users().get(user) {
                Some(u) => model.user(u)?,
                None => model.fold_in(&[])?,
            };
            // Predicted for the hour and day the strength was given, which the network reads.
            let mut out = [0f32];
            model.score_at(&repr, &[i], &[cell.ts], &mut out)?;
            sse += (f64::from(out[0]) - f64::from(cell.strength)).powi(2);
            sse_mean += (mean - f64::from(cell.strength)).powi(2);
            n += 1;
        }
        if n > 0 {
            quality.insert("heldout_rmse".into(), (sse / n as f64).sqrt());
            quality.insert(
                "heldout_rmse_global_mean_baseline".into(),
                (sse_mean / n as f64).sqrt(),
            );
            quality.insert("heldout_cells".into(), n as f64);
        }
    }

    let all: Vec<&Cell> = cells.iter().collect();
    let (model, dataset) = fit(data, &all, &params)?;
    let Fitted::Layer4(network) = model.fitted() else {
        return Err(Error::Worker("a layer4 fit gave another model".into()));
    };
    let (lo, hi) = model.rating_range().unwrap_or((1.0, 5.0));
    let span = f64::from(hi - lo).max(f64::EPSILON);

    // Rows: every user with a celestial interaction, in the layer 3 order; a user without
    // a strength gets the mean user's predictions.
    let mut matrix = CategoryMatrix::build(data, &EventWeights::default(), Default::default());
    let n_cols = matrix.n_cols();
    let column_of: Vec<Option<usize>> = network
        .categories()
        .iter()
        .map(|c| {
            matrix
                .columns
                .iter()
                .position(|&(t, v)| t == c.kind && v == c.value)
        })
        .collect();
    let mean_user = network.category_scores(&model.fold_in(&[])?);
    let mut scores = vec![0.0f64; matrix.users.len() * n_cols];
    for (row, user) in matrix.users.iter().enumerate() {
        let predicted = match dataset.users().get(user) {
            Some(u) => network.category_scores(&model.user(u)?),
            None => mean_user.clone(),
        };
        for (category, &strength) in predicted.iter().enumerate() {
            if let Some(Some(column)) = column_of.get(category) {
                scores[row * n_cols + column] =
                    ((f64::from(strength) - f64::from(lo)) / span).clamp(0.0, 1.0);
            }
        }
    }
    matrix.values = cell_strengths(&matrix, data, &cells);

    if let Some(planted) = &data.planted
        && let Some((rate, users)) = planted_recovery(&matrix, &scores, planted)
    {
        quality.insert("planted_preference_recovery".into(), rate);
        quality.insert("planted_preference_users".into(), users as f64);
    }
    quality.insert("training_cells".into(), cells.len() as f64);
    Ok(Layer4Output {
        matrix,
        scores,
        quality,
    })
}

/// The latest strength of each (user, category item) pair, in a fixed order.
fn strength_cells(data: &PoppyData) -> Vec<Cell> {
    let mut latest: HashMap<(u32, u32), Cell> = HashMap::new();
    for event in &data.events {
        let is_category = data
            .items
            .get(event.item as usize)
            .is_some_and(|i| i.is_category);
        if !(is_category && event.kind.is_explicit() && event.value.is_finite()) {
            continue;
        }
        let cell = Cell {
            user: event.user,
            item: event.item,
            strength: event.value,
            ts: event.ts,
        };
        latest
            .entry((event.user, event.item))
            .and_modify(|c| {
                if event.ts >= c.ts {
                    *c = cell.clone();
                }
            })
            .or_insert(cell);
    }
    let mut cells: Vec<Cell> = latest.into_values().collect();
    cells.sort_by_key(|c| (c.user, c.item));
    cells
}

/// A dataset of `cells` (category items carry their type and value) and the network fitted
/// on it.
fn fit(
    data: &PoppyData,
    cells: &[&Cell],
    params: &Params,
) -> Result<(Model, orrery_core::Dataset), Error> {
    let mut builder = DatasetBuilder::new(EventWeights::default());
    let mut items_added = vec![false; data.items.len()];
    for cell in cells {
        let user = &data.users[cell.user as usize];
        let item = &data.items[cell.item as usize];
        // The network reads the category from the item record, so add it with one.
        if !std::mem::replace(&mut items_added[cell.item as usize], true) {
            let mut record = ItemRecord::with_id(item.id.clone());
            record.categories = vec![Category::new(item.object_type, item.value)];
            builder.add_item(record);
        }
        builder.add_event(
            user,
            &item.id,
            &orrery_core::EventKind::Strength,
            cell.strength,
            cell.ts,
        );
    }
    let dataset = builder.build();
    let model = Model::fit(&dataset, params, &mut NoProgress)?;
    Ok((model, dataset))
}

/// The observed strengths in the matrix's layout (0 where none), for the report.
fn cell_strengths(matrix: &CategoryMatrix, data: &PoppyData, cells: &[Cell]) -> Vec<f64> {
    let n_cols = matrix.n_cols();
    let row_of: HashMap<&str, usize> = matrix
        .users
        .iter()
        .enumerate()
        .map(|(r, u)| (u.as_str(), r))
        .collect();
    let mut values = vec![0.0; matrix.users.len() * n_cols];
    for cell in cells {
        let item = &data.items[cell.item as usize];
        let row = row_of.get(data.users[cell.user as usize].as_str());
        let column = matrix
            .columns
            .iter()
            .position(|&(t, v)| t == item.object_type && v == item.value);
        if let (Some(&row), Some(column)) = (row, column) {
            values[row * n_cols + column] = f64::from(cell.strength);
        }
    }
    values
}
