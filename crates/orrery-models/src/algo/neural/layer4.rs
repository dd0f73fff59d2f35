//! Layer 4 of Poppy Universe: a tanh network that predicts how strongly a user interacts
//! with a category, from who the user is, the category's type and value, and when.
//!
//! Each rated cell of the dataset is one example: the user, the item's first category
//! (`("Star", "G")`; items without one share an "uncategorized" slot), the UTC hour of day
//! and the day of the week of the cell's timestamp. The category type and value, the hour
//! and the day are looked up in embedding tables; the user enters as their *profile*: how
//! far their strengths lie from the global mean overall, for this category type, around
//! this hour and on this day (see [`Profile`]). The concatenation goes through `layers`
//! tanh layers (`hidden`, then half as wide each time) to the standardized strength
//! (regression, or five classes whose expected value is the prediction). Training is
//! mini-batch Adam on the squared error (or cross-entropy) with L2 weight decay; a
//! `validation` share of the cells, drawn with the seed, is held back, and the weights of
//! the epoch with the lowest validation RMSE are kept (epoch 0, the untrained network
//! that predicts the global mean, included), so that where the strengths carry no signal
//! the model falls back to the mean instead of learning noise.
//!
//! # Why a profile, not a free user embedding
//!
//! A Poppy user rates a few dozen categories, each once (a cell keeps the latest
//! strength). A free embedding per user, learned from so few noisy cells, memorizes them:
//! the first version of this network overfitted from its first epoch and ended at the
//! global mean, ranking the planted favourite type first for chance's share of users. The
//! profile is a shrunk mean (each mean pulled towards the user's overall one by
//! `shrinkage` pseudo-cells), which is what a user × category effect can be estimated
//! from with this little data; the network learns, for every user at once, how much to
//! trust each part and how they combine with the category and the time. While training, a
//! cell's own strength is left out of its user's profile (as a held-out cell's is), so
//! the network cannot learn to copy it.
//!
//! # Scores without a context
//!
//! [`crate::Recommender::score`] answers without an hour or a day: the prediction is
//! averaged over the hours and days of the training cells (each weighted by how often it
//! occurs, hour and day independently). [`Layer4::predict`] and
//! [`crate::Recommender::score_at`] take an explicit context.
//!
//! # The user × category matrix
//!
//! The Poppy pipeline wants a predicted strength for every user and every category:
//!
//! ```no_run
//! # use orrery_models::{Fitted, Model, NoProgress, Params, Algorithm};
//! # fn run(dataset: &orrery_core::Dataset) -> orrery_models::Result<()> {
//! let model = Model::fit(dataset, &Params::defaults(Algorithm::Layer4), &mut NoProgress)?;
//! if let Fitted::Layer4(layer4) = model.fitted() {
//!     let matrix = layer4.category_matrix();
//!     for (user, row) in matrix.rows().enumerate() {
//!         for (category, strength) in matrix.categories.iter().zip(row) {
//!             println!("user {user} {}:{} {strength:.2}", category.kind, category.value);
//!         }
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! Rows are the dataset's user indices (map them back with `dataset.users()`), columns the
//! categories in the order they first appear among the dataset's items. A user the model
//! has not seen gets a row from [`crate::Recommender::fold_in`] and
//! [`Layer4::category_scores`].

use std::borrow::Cow;
use std::time::Instant;

use candle_core::{Device, Tensor};
use candle_nn::Optimizer;
use orrery_core::{Category, Dataset, ItemIdx, Timestamp, UserIdx, rng};
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use super::weights::{self, TensorReader, TensorWriter};
use super::{Activation, Adam, Dense, Mlp, Table, TrainDense, TrainTable, backend};
use crate::algo::{Algo, check_len};
use crate::progress::ValidationReport;
use crate::{Algorithm, EpochReport, Error, Layer4Params, Progress, Result, UserRepr};

/// Hours in a day and days in a week: the sizes of the time embedding tables.
const HOURS: usize = 24;
const DAYS: usize = 7;

/// Standard deviation of the initial embeddings.
const INIT_STD: f32 = 0.1;

/// Width, in hours, of the Gaussian kernel that spreads a cell's strength over the
/// neighbouring hours of the user's hour profile: habits cover parts of a day, not single
/// hours, and a user has too few cells to fill 24 separate means.
const HOUR_KERNEL_SIGMA: f32 = 2.0;

/// The profile values the network reads per example (see [`Profile::features`]).
const PROFILE_FEATURES: usize = 5;

/// The UTC hour of day (0..24) and the day of the week (0 = Monday) of a timestamp.
pub(crate) fn hour_and_day(ts: Timestamp) -> (u8, u8) {
    let hour = ts.div_euclid(3600).rem_euclid(24) as u8;
    // 1970-01-01 was a Thursday.
    let day = (ts.div_euclid(86_400) + 3).rem_euclid(7) as u8;
    (hour, day)
}

/// Predicted strengths of every user for every category, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryMatrix {
    /// The columns.
    pub categories: Vec<Category>,
    /// Number of rows (users, by dataset index).
    pub n_users: usize,
    /// `n_users × categories.len()` predictions.
    pub scores: Vec<f32>,
}

impl CategoryMatrix {
    /// The predictions of one user, one per category.
    pub fn row(&self, user: UserIdx) -> Option<&[f32]> {
        let n = self.categories.len();
        self.scores.get(user as usize * n..(user as usize + 1) * n)
    }

    /// Every row in user order.
    pub fn rows(&self) -> impl Iterator<Item = &[f32]> {
        self.scores.chunks(self.categories.len().max(1))
    }
}

/// A fitted Layer 4 network (see the module documentation).
///
/// Reach it through `Fitted::Layer4` of a [`crate::Model`] fitted with
/// [`crate::Algorithm::Layer4`]; [`Layer4::category_matrix`] gives every trained user's
/// predicted strength for every category (rows by user index, columns in the order of
/// [`Layer4::categories`]), [`Layer4::category_scores`] one row for any user
/// representation, and [`Layer4::predict`] one prediction at a given hour and day.
/// Through [`crate::Recommender::score`] an item scores its first category's strength,
/// averaged over the training data's hours and days.
///
/// It serializes as its vocabularies and contexts, then its weights as one safetensors
/// block ([`Layer4::safetensors`]).
#[derive(Debug, Clone)]
pub struct Layer4 {
    /// Each trained user's profile ([`Profile::values`]), from all their cells.
    users: Table,
    kinds: Table,
    values: Table,
    hours: Table,
    days: Table,
    mlp: Mlp,
    classes: bool,
    /// Category `c` is row `c + 1` of `values`; row 0 stands for "no category".
    categories: Vec<Category>,
    /// The `kinds` row of each `values` row (including row 0).
    value_kind: Vec<u32>,
    /// The `values` row of each item.
    item_value: Vec<u32>,
    /// `(hour, day, weight)` with weights summing to 1, most frequent first.
    contexts: Vec<(u8, u8, f32)>,
    mean: f32,
    /// The standard deviation of the training strengths: the network predicts
    /// `(strength − mean) / spread`.
    spread: f32,
    /// Pseudo-cells that pull each of a profile's means towards the next coarser one.
    shrinkage: f32,
    rating_range: (f32, f32),
}

/// How a [`Layer4`] is encoded: everything but the tensors, then the tensors as
/// safetensors bytes.
#[derive(Serialize, Deserialize)]
struct Layer4File<'a> {
    activations: Vec<Activation>,
    classes: bool,
    categories: Cow<'a, [Category]>,
    value_kind: Cow<'a, [u32]>,
    item_value: Cow<'a, [u32]>,
    contexts: Cow<'a, [(u8, u8, f32)]>,
    mean: f32,
    spread: f32,
    shrinkage: f32,
    rating_range: (f32, f32),
    weights: Cow<'a, [u8]>,
}

impl Serialize for Layer4 {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        let weights = self.safetensors().map_err(serde::ser::Error::custom)?;
        Layer4File {
            activations: weights::activations(&self.mlp),
            classes: self.classes,
            categories: Cow::Borrowed(&self.categories),
            value_kind: Cow::Borrowed(&self.value_kind),
            item_value: Cow::Borrowed(&self.item_value),
            contexts: Cow::Borrowed(&self.contexts),
            mean: self.mean,
            spread: self.spread,
            shrinkage: self.shrinkage,
            rating_range: self.rating_range,
            weights: Cow::Owned(weights),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Layer4 {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Layer4, D::Error> {
        let file = Layer4File::deserialize(deserializer)?;
        let mut tensors = TensorReader::parse(&file.weights).map_err(serde::de::Error::custom)?;
        let mut read = || -> Result<Layer4> {
            Ok(Layer4 {
                users: tensors.table("users")?,
                kinds: tensors.table("kinds")?,
                values: tensors.table("values")?,
                hours: tensors.table("hours")?,
                days: tensors.table("days")?,
                mlp: tensors.mlp("mlp", &file.activations)?,
                classes: file.classes,
                categories: file.categories.clone().into_owned(),
                value_kind: file.value_kind.clone().into_owned(),
                item_value: file.item_value.clone().into_owned(),
                contexts: file.contexts.clone().into_owned(),
                mean: file.mean,
                spread: file.spread,
                shrinkage: file.shrinkage,
                rating_range: file.rating_range,
            })
        };
        read().map_err(serde::de::Error::custom)
    }
}

/// One rated cell: the user, the category (type and value rows), when, and the strength.
#[derive(Clone, Copy)]
struct Example {
    user: u32,
    kind: u32,
    value: u32,
    hour: u8,
    day: u8,
    strength: f32,
}

/// One cell as a profile sees it: its category type, its time when known, and how far
/// its strength lies from the global mean.
#[derive(Clone, Copy)]
struct ProfileCell {
    kind: u32,
    time: Option<(u8, u8)>,
    residual: f32,
}

/// The kernel's weight at each circular distance in hours (0..=12), computed once: a
/// profile fit asks for it 24 times per cell and round.
static HOUR_KERNEL: std::sync::LazyLock<[f32; HOURS / 2 + 1]> = std::sync::LazyLock::new(|| {
    std::array::from_fn(|d| {
        let d = d as f32;
        (-d * d / (2.0 * HOUR_KERNEL_SIGMA * HOUR_KERNEL_SIGMA)).exp()
    })
});

/// Weight of the hour `h` in the kernel around hour `center` (circular: 23 is next to 0).
fn hour_weight(h: usize, center: u8) -> f32 {
    let d = (h as i32 - i32::from(center)).rem_euclid(HOURS as i32);
    HOUR_KERNEL[d.min(HOURS as i32 - d) as usize]
}

/// Rounds of backfitting in a [`Profile`]: the type, hour and day effects are fitted in
/// turn, each on what the others leave; three rounds settle them to within a few percent.
const PROFILE_ROUNDS: usize = 3;

/// A user's strengths as additive shrunk effects: an overall offset from the global mean,
/// and on top of it one effect per category type, per hour of day (kernel-smoothed) and
/// per day of the week. Fitting them jointly (backfitting) keeps a type effect from
/// absorbing the hours its cells happened to fall in, and the other way round. The final
/// round's sums are kept so that one cell can be left out again ([`Profile::features`]).
struct Profile {
    shrinkage: f32,
    /// `(sum of residuals, count)` of the overall offset.
    overall: (f32, f32),
    /// Per type, hour and day: `(sum of partial residuals, count or kernel weight)`.
    kinds: Vec<(f32, f32)>,
    hours: [(f32, f32); HOURS],
    days: [(f32, f32); DAYS],
    /// The fitted effects: overall, per type, per hour, per day.
    offset: f32,
    kind_effects: Vec<f32>,
    hour_effects: [f32; HOURS],
    day_effects: [f32; DAYS],
}

impl Profile {
    fn fit(cells: &[ProfileCell], n_kinds: usize, shrinkage: f32) -> Profile {
        let mut p = Profile {
            shrinkage,
            overall: (0.0, 0.0),
            kinds: vec![(0.0, 0.0); n_kinds],
            hours: [(0.0, 0.0); HOURS],
            days: [(0.0, 0.0); DAYS],
            offset: 0.0,
            kind_effects: vec![0.0; n_kinds],
            hour_effects: [0.0; HOURS],
            day_effects: [0.0; DAYS],
        };
        if cells.is_empty() {
            return p;
        }
        let shrunk = |(sum, weight): (f32, f32)| sum / (weight.max(0.0) + shrinkage);
        for _ in 0..PROFILE_ROUNDS {
            p.overall = (0.0, 0.0);
            for c in cells {
                p.overall.0 += c.residual - p.kind_effect(c) - p.time_effects(c);
                p.overall.1 += 1.0;
            }
            p.offset = shrunk(p.overall);

            p.kinds.iter_mut().for_each(|k| *k = (0.0, 0.0));
            for c in cells {
                let partial = c.residual - p.offset - p.time_effects(c);
                if let Some(k) = p.kinds.get_mut(c.kind as usize) {
                    k.0 += partial;
                    k.1 += 1.0;
                }
            }
            for (e, &k) in p.kind_effects.iter_mut().zip(&p.kinds) {
                *e = shrunk(k);
            }

            p.hours = [(0.0, 0.0); HOURS];
            for c in cells {
                let Some((hour, _)) = c.time else { continue };
                let partial = c.residual - p.offset - p.kind_effect(c) - p.day_effect(c);
                for (h, slot) in p.hours.iter_mut().enumerate() {
                    let w = hour_weight(h, hour);
                    slot.0 += w * partial;
                    slot.1 += w;
                }
            }
            for (e, &h) in p.hour_effects.iter_mut().zip(&p.hours) {
                *e = shrunk(h);
            }

            p.days = [(0.0, 0.0); DAYS];
            for c in cells {
                let Some((_, day)) = c.time else { continue };
                let partial = c.residual - p.offset - p.kind_effect(c) - p.hour_effect(c);
                let d = &mut p.days[day as usize % DAYS];
                d.0 += partial;
                d.1 += 1.0;
            }
            for (e, &d) in p.day_effects.iter_mut().zip(&p.days) {
                *e = shrunk(d);
            }
        }
        p
    }

    fn kind_effect(&self, c: &ProfileCell) -> f32 {
        self.kind_effects
            .get(c.kind as usize)
            .copied()
            .unwrap_or(0.0)
    }

    fn hour_effect(&self, c: &ProfileCell) -> f32 {
        c.time
            .map_or(0.0, |(h, _)| self.hour_effects[h as usize % HOURS])
    }

    fn day_effect(&self, c: &ProfileCell) -> f32 {
        c.time
            .map_or(0.0, |(_, d)| self.day_effects[d as usize % DAYS])
    }

    fn time_effects(&self, c: &ProfileCell) -> f32 {
        self.hour_effect(c) + self.day_effect(c)
    }

    /// The flat profile a trained user is stored as: the offset, the confidence
    /// `n / (n + shrinkage)`, and the effects per category type, per hour and per day.
    fn values(&self) -> Vec<f32> {
        let mut out = Vec::with_capacity(profile_len(self.kinds.len()));
        out.push(self.offset);
        out.push(self.overall.1 / (self.overall.1 + self.shrinkage));
        out.extend_from_slice(&self.kind_effects);
        out.extend_from_slice(&self.hour_effects);
        out.extend_from_slice(&self.day_effects);
        out
    }

    /// The [`PROFILE_FEATURES`] of one example (offset, confidence, and its type's, hour's
    /// and day's effects) with `cell`, one of the cells the profile was fitted on, left out
    /// of the final round's sums, as if the profile had not seen it.
    fn features_without(&self, cell: &ProfileCell) -> [f32; PROFILE_FEATURES] {
        let (hour, day) = cell.time.unwrap_or_default();
        let k = self.shrinkage;
        let without = |(sum, weight): (f32, f32), part: f32, w: f32| {
            (sum - w * part) / ((weight - w).max(0.0) + k)
        };
        let (kind_part, hour_part, day_part) = (
            cell.residual - self.offset - self.time_effects(cell),
            cell.residual - self.offset - self.kind_effect(cell) - self.day_effect(cell),
            cell.residual - self.offset - self.kind_effect(cell) - self.hour_effect(cell),
        );
        let overall_part = cell.residual - self.kind_effect(cell) - self.time_effects(cell);
        let n = (self.overall.1 - 1.0).max(0.0);
        let kind_row = self
            .kinds
            .get(cell.kind as usize)
            .copied()
            .unwrap_or_default();
        [
            without(self.overall, overall_part, 1.0),
            n / (n + k),
            without(kind_row, kind_part, 1.0),
            without(
                self.hours[hour as usize % HOURS],
                hour_part,
                hour_weight(hour as usize, hour),
            ),
            without(self.days[day as usize % DAYS], day_part, 1.0),
        ]
    }
}

/// Length of a stored profile for `n_kinds` category type rows.
fn profile_len(n_kinds: usize) -> usize {
    2 + n_kinds + HOURS + DAYS
}

/// The [`PROFILE_FEATURES`] values of a stored profile that concern one example: overall
/// mean, confidence, and the means for its category type, hour and day.
fn profile_features(
    profile: &[f32],
    n_kinds: usize,
    kind: u32,
    hour: u8,
    day: u8,
) -> [f32; PROFILE_FEATURES] {
    let at = |i: usize| profile.get(i).copied().unwrap_or(0.0);
    [
        at(0),
        at(1),
        at(2 + kind as usize),
        at(2 + n_kinds + hour as usize % HOURS),
        at(2 + n_kinds + HOURS + day as usize % DAYS),
    ]
}

/// Category vocabulary of a dataset.
struct Vocabulary {
    categories: Vec<Category>,
    kinds: Vec<String>,
    value_kind: Vec<u32>,
    item_value: Vec<u32>,
}

impl Vocabulary {
    fn of(dataset: &Dataset) -> Vocabulary {
        let mut categories: Vec<Category> = Vec::new();
        let mut kinds: Vec<String> = Vec::new();
        let mut value_kind = vec![0u32];
        let mut index = std::collections::HashMap::new();
        let mut item_value = Vec::with_capacity(dataset.n_items());
        for i in 0..dataset.n_items() as ItemIdx {
            let category = dataset.item(i).and_then(|r| r.categories.first());
            let row = match category {
                None => 0,
                Some(c) => *index.entry(c.clone()).or_insert_with(|| {
                    let kind = match kinds.iter().position(|k| *k == c.kind) {
                        Some(k) => k,
                        None => {
                            kinds.push(c.kind.clone());
                            kinds.len() - 1
                        }
                    };
                    categories.push(c.clone());
                    value_kind.push(kind as u32 + 1);
                    categories.len() as u32
                }),
            };
            item_value.push(row);
        }
        Vocabulary {
            categories,
            kinds,
            value_kind,
            item_value,
        }
    }
}

/// The layer widths: `hidden`, then half as wide (at least 2) for each further layer.
fn widths(params: &Layer4Params) -> Vec<usize> {
    let mut widths = Vec::with_capacity(params.layers);
    let mut w = params.hidden;
    for _ in 0..params.layers {
        widths.push(w);
        w = (w / 2).max(2);
    }
    widths
}

impl Layer4 {
    /// The network's weights as a safetensors file: the user profiles `users` (per row:
    /// overall mean residual, confidence, one mean per category type row, 24 hours, 7
    /// days), the embedding tables `kinds`, `values` (row 0: no category), `hours` (24
    /// rows) and `days` (7 rows, Monday first), and the tanh layers
    /// `mlp.K.weight`/`mlp.K.bias` (the last one linear, to the standardized strength or
    /// the five class logits). The header's metadata names the algorithm.
    pub fn safetensors(&self) -> Result<Vec<u8>> {
        let mut tensors = TensorWriter::default();
        tensors.table("users", &self.users);
        tensors.table("kinds", &self.kinds);
        tensors.table("values", &self.values);
        tensors.table("hours", &self.hours);
        tensors.table("days", &self.days);
        tensors.mlp("mlp", &self.mlp);
        tensors.to_bytes("layer4")
    }

    pub(crate) fn fit(
        dataset: &Dataset,
        params: &Layer4Params,
        progress: &mut dyn Progress,
    ) -> Result<Layer4> {
        let started = Instant::now();
        let algorithm = Algorithm::Layer4;
        let err = backend(algorithm);
        let vocabulary = Vocabulary::of(dataset);
        let n_kinds = vocabulary.kinds.len() + 1;
        let shrinkage = params.shrinkage;

        let mut examples = Vec::new();
        let csr = dataset.user_items();
        for u in 0..csr.rows() as u32 {
            let row = csr.row(u);
            for ((&i, &r), &ts) in row.indices.iter().zip(row.ratings).zip(row.times) {
                if r.is_finite() {
                    let value = vocabulary.item_value[i as usize];
                    let (hour, day) = hour_and_day(ts);
                    examples.push(Example {
                        user: u,
                        kind: vocabulary.value_kind[value as usize],
                        value,
                        hour,
                        day,
                        strength: r,
                    });
                }
            }
        }
        if examples.is_empty() {
            return Err(Error::InsufficientData {
                algorithm,
                problem: "the dataset holds no strengths or ratings".to_owned(),
                hint: "layer4 learns from strength (or rating) events; import Poppy interactions or simulate some with `orrery simulate`",
            });
        }
        let (lo, hi) = examples
            .iter()
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), e| {
                (a.min(e.strength), b.max(e.strength))
            });
        let n = examples.len() as f64;
        let mean = examples.iter().map(|e| f64::from(e.strength)).sum::<f64>() / n;
        let variance = examples
            .iter()
            .map(|e| (f64::from(e.strength) - mean).powi(2))
            .sum::<f64>()
            / n;
        let (mean, spread) = (mean as f32, (variance.sqrt() as f32).max(1e-3));
        let contexts = contexts_of(&examples);
        let cell_of = |e: &Example| ProfileCell {
            kind: e.kind,
            time: Some((e.hour, e.day)),
            residual: e.strength - mean,
        };

        let mut rng = rng::seeded(params.seed);
        examples.shuffle(&mut rng);
        let n_validation = if examples.len() >= 20 {
            ((examples.len() as f64 * params.validation).round() as usize).min(examples.len() / 2)
        } else {
            0
        };
        let (validation, train) = examples.split_at(n_validation);

        // Profiles from the training cells; each training example sees its user's profile
        // without its own cell, each validation example the whole of it.
        let mut cells_by_user: Vec<Vec<ProfileCell>> = vec![Vec::new(); dataset.n_users()];
        for e in train {
            cells_by_user[e.user as usize].push(cell_of(e));
        }
        let profiles: Vec<Profile> = cells_by_user
            .iter()
            .map(|cells| Profile::fit(cells, n_kinds, shrinkage))
            .collect();
        let mut train: Vec<(Example, [f32; PROFILE_FEATURES])> = train
            .iter()
            .map(|e| {
                let profile = &profiles[e.user as usize];
                (*e, profile.features_without(&cell_of(e)))
            })
            .collect();
        let validation: Vec<(Example, [f32; PROFILE_FEATURES])> = validation
            .iter()
            .map(|e| {
                let values = profiles[e.user as usize].values();
                (
                    *e,
                    profile_features(&values, n_kinds, e.kind, e.hour, e.day),
                )
            })
            .collect();
        // The stored profiles use every cell, the held-back ones included.
        for (e, _) in &validation {
            cells_by_user[e.user as usize].push(cell_of(e));
        }
        let users = Table {
            dim: profile_len(n_kinds),
            data: cells_by_user
                .iter()
                .flat_map(|cells| Profile::fit(cells, n_kinds, shrinkage).values())
                .collect(),
        };

        let device = Device::Cpu;
        let mut kinds = TrainTable::new(Table::normal(
            n_kinds,
            params.category_dim,
            INIT_STD,
            &mut rng,
        ));
        let mut values = TrainTable::new(Table::normal(
            vocabulary.categories.len() + 1,
            params.category_dim,
            INIT_STD,
            &mut rng,
        ));
        let mut hours = TrainTable::new(Table::normal(HOURS, params.time_dim, INIT_STD, &mut rng));
        let mut days = TrainTable::new(Table::normal(DAYS, params.time_dim, INIT_STD, &mut rng));

        let outputs = if params.classes { 5 } else { 1 };
        let mut layers = Vec::new();
        let mut inputs = PROFILE_FEATURES + 2 * params.category_dim + 2 * params.time_dim;
        for width in widths(params) {
            layers.push(
                TrainDense::new(inputs, width, Activation::Tanh, 1.0, 0.0, &mut rng, &device)
                    .map_err(&err)?,
            );
            inputs = width;
        }
        // A zero output layer: the untrained network predicts the mean exactly (or, for
        // classes, equal logits whose expectation is 3), which is what validation compares
        // every epoch against. Its gradients are not zero, so training moves off it.
        layers.push(
            TrainDense::new(
                inputs,
                outputs,
                Activation::Identity,
                0.0,
                0.0,
                &mut rng,
                &device,
            )
            .map_err(&err)?,
        );
        let adam = Adam::new(params.lr as f64, params.weight_decay as f64);
        let vars = layers.iter().flat_map(TrainDense::vars).collect();
        let mut optimizer =
            candle_nn::AdamW::new(vars, adam.candle(params.weight_decay as f64)).map_err(&err)?;

        let snapshot = |kinds: &TrainTable,
                        values: &TrainTable,
                        hours: &TrainTable,
                        days: &TrainTable,
                        layers: &[TrainDense]|
         -> Result<Layer4> {
            Ok(Layer4 {
                users: users.clone(),
                kinds: kinds.table.clone(),
                values: values.table.clone(),
                hours: hours.table.clone(),
                days: days.table.clone(),
                mlp: Mlp {
                    layers: layers
                        .iter()
                        .map(TrainDense::snapshot)
                        .collect::<candle_core::Result<Vec<Dense>>>()
                        .map_err(&err)?,
                },
                classes: params.classes,
                categories: vocabulary.categories.clone(),
                value_kind: vocabulary.value_kind.clone(),
                item_value: vocabulary.item_value.clone(),
                contexts: contexts.clone(),
                mean,
                spread,
                shrinkage,
                rating_range: (lo, hi),
            })
        };

        let initial = snapshot(&kinds, &values, &hours, &days, &layers)?;
        let initial_rmse = initial.rmse(&validation);
        let (mut best, mut best_rmse) = (initial.clone(), initial_rmse);
        let mut since_best = 0;
        let mut step = 0u64;
        let batch = params.batch_size.min(train.len()).max(1);
        for epoch in 1..=params.epochs {
            train.shuffle(&mut rng::stream(params.seed, epoch as u64));
            let mut loss_sum = 0f64;
            for chunk in train.chunks(batch) {
                step += 1;
                let idx = |f: fn(&Example) -> u32| chunk.iter().map(|(e, _)| f(e)).collect();
                let (bk, bv): (Vec<u32>, Vec<u32>) = (idx(|e| e.kind), idx(|e| e.value));
                let (bh, bd): (Vec<u32>, Vec<u32>) =
                    (idx(|e| e.hour as u32), idx(|e| e.day as u32));
                let profile: Vec<f32> = chunk.iter().flat_map(|(_, f)| *f).collect();
                let leaves = [
                    kinds.leaf(&bk, &device).map_err(&err)?,
                    values.leaf(&bv, &device).map_err(&err)?,
                    hours.leaf(&bh, &device).map_err(&err)?,
                    days.leaf(&bd, &device).map_err(&err)?,
                ];
                let loss = (|| -> candle_core::Result<(f64, candle_core::backprop::GradStore)> {
                    let profile =
                        Tensor::from_vec(profile, (chunk.len(), PROFILE_FEATURES), &device)?;
                    let mut parts: Vec<&Tensor> = vec![&profile];
                    parts.extend(leaves.iter().map(|v| v.as_tensor()));
                    let mut h = Tensor::cat(&parts, 1)?;
                    for layer in &layers {
                        h = layer.forward(&h)?;
                    }
                    let loss = if params.classes {
                        let targets: Vec<u32> =
                            chunk.iter().map(|(e, _)| class_of(e.strength)).collect();
                        let targets = Tensor::from_vec(targets, chunk.len(), &device)?;
                        candle_nn::loss::cross_entropy(&h, &targets)?
                    } else {
                        let targets: Vec<f32> = chunk
                            .iter()
                            .map(|(e, _)| (e.strength - mean) / spread)
                            .collect();
                        let targets = Tensor::from_vec(targets, (chunk.len(), 1), &device)?;
                        (h - targets)?.sqr()?.mean_all()?
                    };
                    let value = loss.to_scalar::<f32>()? as f64;
                    let grads = loss.backward()?;
                    optimizer.step(&grads)?;
                    Ok((value, grads))
                })()
                .map_err(&err)?;
                let (value, grads) = loss;
                loss_sum += value * chunk.len() as f64;
                let tables: [(&mut TrainTable, &Vec<u32>); 4] = [
                    (&mut kinds, &bk),
                    (&mut values, &bv),
                    (&mut hours, &bh),
                    (&mut days, &bd),
                ];
                for ((table, indices), leaf) in tables.into_iter().zip(&leaves) {
                    if let Some(g) = grads.get(leaf.as_tensor()) {
                        let g = g
                            .flatten_all()
                            .and_then(|g| g.to_vec1::<f32>())
                            .map_err(&err)?;
                        table.step(indices, &g, &adam, step);
                    }
                }
            }
            let mean_loss = loss_sum / train.len().max(1) as f64;
            let loss = if params.classes {
                mean_loss
            } else {
                mean_loss.sqrt() * f64::from(spread)
            };
            if !loss.is_finite() {
                return Err(Error::Diverged {
                    algorithm,
                    epoch,
                    loss,
                });
            }
            progress.on_epoch(&EpochReport {
                epoch,
                epochs: params.epochs,
                loss,
                elapsed: started.elapsed(),
            });
            if validation.is_empty() {
                best = snapshot(&kinds, &values, &hours, &days, &layers)?;
            } else {
                let current = snapshot(&kinds, &values, &hours, &days, &layers)?;
                let rmse = current.rmse(&validation);
                progress.on_validation(&ValidationReport {
                    epoch,
                    metric: "rmse",
                    value: rmse,
                });
                if rmse < best_rmse {
                    best = current;
                    best_rmse = rmse;
                    since_best = 0;
                } else {
                    since_best += 1;
                }
            }
            if progress.cancelled() {
                return Err(Error::Cancelled { epoch });
            }
            if params.patience > 0 && since_best >= params.patience {
                break;
            }
        }
        // The best of many epochs on a few hundred validation cells beats the mean by a
        // little through luck alone: keep the training only when its gain on the
        // validation cells is clear of their noise (paired errors, 1.5 standard errors).
        if !clearly_better(
            &best.squared_errors(&validation),
            &initial.squared_errors(&validation),
        ) {
            return Ok(initial);
        }
        Ok(best)
    }

    /// The squared error on each of `examples`, each with its profile features and its
    /// own context.
    fn squared_errors(&self, examples: &[(Example, [f32; PROFILE_FEATURES])]) -> Vec<f64> {
        let mut x = Vec::new();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        examples
            .iter()
            .map(|(e, features)| {
                self.input_with(features, e.value as usize, e.hour, e.day, &mut x);
                let p = self.output(self.mlp.forward(&x, &mut a, &mut b));
                ((p - e.strength) as f64).powi(2)
            })
            .collect()
    }

    /// RMSE on `examples` (NaN when there are none).
    fn rmse(&self, examples: &[(Example, [f32; PROFILE_FEATURES])]) -> f64 {
        let errors = self.squared_errors(examples);
        (errors.iter().sum::<f64>() / errors.len() as f64).sqrt()
    }

    /// The network input for a user profile, a `values` row and a context.
    fn input(&self, profile: &[f32], value: usize, hour: u8, day: u8, x: &mut Vec<f32>) {
        let kind = self.value_kind[value];
        let features = profile_features(profile, self.kinds.rows(), kind, hour, day);
        self.input_with(&features, value, hour, day, x);
    }

    /// The network input for an example's profile features, a `values` row and a context.
    fn input_with(&self, features: &[f32], value: usize, hour: u8, day: u8, x: &mut Vec<f32>) {
        x.clear();
        x.extend_from_slice(features);
        x.extend_from_slice(self.kinds.row(self.value_kind[value] as usize));
        x.extend_from_slice(self.values.row(value));
        x.extend_from_slice(self.hours.row(hour as usize % HOURS));
        x.extend_from_slice(self.days.row(day as usize % DAYS));
    }

    /// The predicted strength from the network's output.
    fn output(&self, out: &[f32]) -> f32 {
        if self.classes {
            expected_class(out)
        } else {
            out.first()
                .map_or(self.mean, |&z| self.mean + self.spread * z)
        }
    }

    /// The prediction for a profile, a `values` row and a context.
    fn at(&self, profile: &[f32], value: usize, hour: u8, day: u8) -> f32 {
        let mut x = Vec::new();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        self.input(profile, value, hour, day, &mut x);
        self.output(self.mlp.forward(&x, &mut a, &mut b))
    }

    /// The context-averaged prediction for a `values` row, over `contexts`.
    fn averaged(&self, profile: &[f32], value: usize, contexts: &[(u8, u8, f32)]) -> f32 {
        let mut x = Vec::new();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let total: f32 = contexts.iter().map(|c| c.2).sum();
        let sum: f32 = contexts
            .iter()
            .map(|&(hour, day, w)| {
                self.input(profile, value, hour, day, &mut x);
                w * self.output(self.mlp.forward(&x, &mut a, &mut b))
            })
            .sum();
        if total > 0.0 { sum / total } else { self.mean }
    }

    /// The categories, in the order of the columns of [`Layer4::category_matrix`].
    pub fn categories(&self) -> &[Category] {
        &self.categories
    }

    /// The predicted strength for `user` (from [`crate::Recommender::user`] or
    /// [`crate::Recommender::fold_in`]) of category `category` (an index into
    /// [`Layer4::categories`]) at an hour of day (0..24, UTC) and a day of the week
    /// (0 = Monday); `None` for an unknown category or a representation of the wrong size.
    pub fn predict(&self, user: &UserRepr, category: usize, hour: u8, day: u8) -> Option<f32> {
        if category >= self.categories.len() || user.factors.len() != self.users.dim {
            return None;
        }
        Some(self.at(&user.factors, category + 1, hour, day))
    }

    /// The context-averaged predicted strength of `user` for every category, in the order
    /// of [`Layer4::categories`] (empty for a representation of the wrong size).
    pub fn category_scores(&self, user: &UserRepr) -> Vec<f32> {
        if user.factors.len() != self.users.dim {
            return Vec::new();
        }
        (1..=self.categories.len())
            .map(|v| self.averaged(&user.factors, v, &self.contexts))
            .collect()
    }

    /// The context-averaged predicted strength of every trained user for every category.
    pub fn category_matrix(&self) -> CategoryMatrix {
        let n_users = self.users.rows();
        let mut scores = Vec::with_capacity(n_users * self.categories.len());
        for u in 0..n_users {
            let user = self.users.row(u);
            scores.extend(
                (1..=self.categories.len()).map(|v| self.averaged(user, v, &self.contexts)),
            );
        }
        CategoryMatrix {
            categories: self.categories.clone(),
            n_users,
            scores,
        }
    }

    /// The profile of a history whose times are unknown: no hour or day effects.
    fn profile_of(&self, history: &[(ItemIdx, f32)]) -> Vec<f32> {
        let cells: Vec<ProfileCell> = history
            .iter()
            .filter(|(_, strength)| strength.is_finite())
            .filter_map(|&(item, strength)| {
                let value = *self.item_value.get(item as usize)?;
                Some(ProfileCell {
                    kind: self.value_kind[value as usize],
                    time: None,
                    residual: strength - self.mean,
                })
            })
            .collect();
        Profile::fit(&cells, self.kinds.rows(), self.shrinkage).values()
    }
}

/// Whether the squared errors `candidate` are lower than `reference` (on the same
/// examples) by more than one and a half standard errors of their paired differences.
fn clearly_better(candidate: &[f64], reference: &[f64]) -> bool {
    let n = candidate.len().min(reference.len());
    if n < 2 {
        return false;
    }
    let gains: Vec<f64> = reference
        .iter()
        .zip(candidate)
        .map(|(r, c)| r - c)
        .collect();
    let mean = gains.iter().sum::<f64>() / n as f64;
    let variance = gains.iter().map(|g| (g - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    mean > 1.5 * (variance / n as f64).sqrt()
}

/// The class (0..5) of a strength on the 1–5 scale.
fn class_of(strength: f32) -> u32 {
    (strength.round().clamp(1.0, 5.0) as u32) - 1
}

fn softmax(logits: &[f32]) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exp: Vec<f32> = logits.iter().map(|&l| (l - max).exp()).collect();
    let sum: f32 = exp.iter().sum();
    exp.into_iter().map(|e| e / sum).collect()
}

/// The expected strength (1..=5) under the softmax of five logits.
fn expected_class(logits: &[f32]) -> f32 {
    softmax(logits)
        .iter()
        .enumerate()
        .map(|(k, p)| (k + 1) as f32 * p)
        .sum()
}

/// The product of the hour and day distributions of `examples`, most frequent first.
fn contexts_of(examples: &[Example]) -> Vec<(u8, u8, f32)> {
    let mut hours = [0f32; HOURS];
    let mut days = [0f32; DAYS];
    for e in examples {
        hours[e.hour as usize % HOURS] += 1.0;
        days[e.day as usize % DAYS] += 1.0;
    }
    let n = examples.len().max(1) as f32;
    let mut contexts = Vec::with_capacity(HOURS * DAYS);
    for (h, &hc) in hours.iter().enumerate() {
        for (d, &dc) in days.iter().enumerate() {
            if hc > 0.0 && dc > 0.0 {
                contexts.push((h as u8, d as u8, (hc / n) * (dc / n)));
            }
        }
    }
    contexts.sort_by(|a, b| b.2.total_cmp(&a.2).then((a.0, a.1).cmp(&(b.0, b.1))));
    contexts
}

impl Algo for Layer4 {
    fn n_items(&self) -> usize {
        self.item_value.len()
    }

    fn factors(&self) -> usize {
        self.users.dim
    }

    fn trained_user(&self, user: UserIdx, history: Vec<(ItemIdx, f32)>) -> UserRepr {
        UserRepr {
            factors: self.users.row(user as usize).to_vec(),
            bias: 0.0,
            history,
            recency: Vec::new(),
        }
    }

    fn fold_in(&self, history: Vec<(ItemIdx, f32)>) -> Result<UserRepr> {
        Ok(UserRepr {
            factors: self.profile_of(&history),
            bias: 0.0,
            history,
            recency: Vec::new(),
        })
    }

    fn score(&self, user: &UserRepr, items: &[ItemIdx], out: &mut [f32]) {
        // Items share their category's score: compute each category once.
        let mut by_value: Vec<Option<f32>> = vec![None; self.value_kind.len()];
        for (o, &i) in out.iter_mut().zip(items) {
            let v = self.item_value[i as usize] as usize;
            *o =
                *by_value[v].get_or_insert_with(|| self.averaged(&user.factors, v, &self.contexts));
        }
    }

    fn score_at(&self, user: &UserRepr, items: &[ItemIdx], times: &[Timestamp], out: &mut [f32]) {
        for ((o, &i), &ts) in out.iter_mut().zip(items).zip(times) {
            let (hour, day) = hour_and_day(ts);
            *o = self.at(
                &user.factors,
                self.item_value[i as usize] as usize,
                hour,
                day,
            );
        }
    }

    fn score_all(&self, user: &UserRepr, out: &mut [f32]) {
        let by_value: Vec<f32> = (0..self.value_kind.len())
            .map(|v| self.averaged(&user.factors, v, &self.contexts))
            .collect();
        for (o, &v) in out.iter_mut().zip(&self.item_value) {
            *o = by_value[v as usize];
        }
    }

    fn rating_range(&self) -> Option<(f32, f32)> {
        Some(self.rating_range)
    }

    fn check(&self, n_users: usize) -> Result<()> {
        let n_values = self.value_kind.len();
        check_len("category rows", n_values, self.categories.len() + 1)?;
        self.users.check("user profiles", n_users)?;
        check_len(
            "user profile width",
            self.users.dim,
            profile_len(self.kinds.rows()),
        )?;
        self.kinds
            .check("category type embeddings", self.kinds.rows())?;
        self.values.check("category embeddings", n_values)?;
        self.hours.check("hour embeddings", HOURS)?;
        self.days.check("day embeddings", DAYS)?;
        if self
            .value_kind
            .iter()
            .any(|&k| k as usize >= self.kinds.rows())
            || self.item_value.iter().any(|&v| v as usize >= n_values)
        {
            return Err(Error::Corrupt(
                "a category index is out of range".to_owned(),
            ));
        }
        self.mlp.check("layer4 network")?;
        let expected_inputs =
            PROFILE_FEATURES + self.kinds.dim + self.values.dim + self.hours.dim + self.days.dim;
        let (first_in, last_out) = (
            self.mlp.layers.first().map(|l| l.inputs),
            self.mlp.layers.last().map(|l| l.outputs),
        );
        if first_in != Some(expected_inputs) || last_out != Some(if self.classes { 5 } else { 1 }) {
            return Err(Error::Corrupt(
                "the layer4 network does not fit its embeddings".to_owned(),
            ));
        }
        Ok(())
    }
}
