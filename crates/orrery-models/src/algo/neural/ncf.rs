//! Neural collaborative filtering: GMF and NeuMF (He et al. 2017) and the Neural
//! Recommendation seed's two-tower network, trained on implicit positives with sampled
//! negatives and binary cross-entropy.
//!
//! - `gmf`: `σ(hᵀ(p_u ⊙ q_i) + b)`.
//! - `neumf`: GMF beside an MLP over `[m_u; m_i]` (ReLU layers halving down to
//!   `mlp_dim / 4`), fused by one output layer.
//! - `ncf` (the seed's two-tower): a user tower (`tower` → `tower / 2` ReLU units) over a
//!   user id embedding plus the user's features (gender, age bucket and occupation one-hot,
//!   and the genre profile of the items they liked), an item tower (`2·tower` → `tower` →
//!   `tower / 2`) over an item id embedding plus its genres (multi-hot) and release year,
//!   and a fusion MLP over both (`tower` → `tower / 2` → `tower / 4` → 1). During
//!   training the user id embedding is dropped (zeroed) for a share of the examples, so
//!   the user tower also learns to answer from features alone: that is the cold start of
//!   [`crate::Model::cold_start`] for a user the model has never seen.
//!
//! Positives are the cells rated at least `positive_min` (or every implicit cell with a
//! positive weight); every epoch draws `negatives` fresh negatives per positive among the
//! items the user never touched. Scoring is factored so that the item side is computed
//! once at the end of training: a trained or folded-in user is a vector, and scoring an
//! item is a dot product (GMF) plus the MLP's layers after the first, whose item half is
//! precomputed per item.

use std::borrow::Cow;
use std::time::Instant;

use candle_core::{Device, Tensor};
use candle_nn::Optimizer;
use orrery_core::{Dataset, ItemIdx, UserIdx, UserRecord, rng};
use rand::Rng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use super::weights::{self, TensorReader, TensorWriter};
use super::{
    Activation, Adam, Dense, Mlp, Table, TrainDense, TrainTable, backend, bce_with_logits,
    weighted_bce_with_logits,
};
use crate::algo::{Algo, check_len, similar_by_factors};
use crate::repr::{later_counts, recency_weight};
use crate::{
    Algorithm, EpochReport, Error, NcfParams, Progress, Result, Scored, UserRepr, ValidationReport,
};

/// Standard deviation of the initial embeddings (He et al. use 0.01).
const INIT_STD: f32 = 0.01;

/// Most distinct categories kept as item features (the most frequent ones).
const MAX_GENRES: usize = 64;
/// Most distinct occupations kept as user features.
const MAX_OCCUPATIONS: usize = 32;
/// Age bucket boundaries (MovieLens's groups: under 18, 18–24, …, 56+).
const AGE_BOUNDS: [i32; 6] = [18, 25, 35, 45, 50, 56];

/// Random streams of the initial weights of NeuMF's pre-trained parts.
const PRETRAIN_GMF_STREAM: u64 = 0x6d66_0001;
const PRETRAIN_MLP_STREAM: u64 = 0x6d66_0002;

/// Fold-in for GMF and NeuMF: gradient steps and their size, L2, negatives per positive.
const FOLD_IN_STEPS: usize = 60;
const FOLD_IN_LR: f32 = 0.5;
const FOLD_IN_REG: f32 = 0.01;
const FOLD_IN_NEGATIVES: usize = 4;

/// Which network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Variant {
    Gmf,
    NeuMf,
    TwoTower,
    /// NeuMF's MLP part alone, trained only as NeuMF's pre-training.
    Mlp,
}

impl Variant {
    fn algorithm(self) -> Algorithm {
        match self {
            Variant::Gmf => Algorithm::Gmf,
            Variant::NeuMf | Variant::Mlp => Algorithm::NeuMf,
            Variant::TwoTower => Algorithm::Ncf,
        }
    }
}

/// Feature vectors of users and items (fixed inputs of the two-tower network).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Features {
    /// Category vocabulary (`kind:value`), the item multi-hot columns.
    genres: Vec<String>,
    /// Per item, its genre columns.
    item_genres: Vec<Vec<u32>>,
    /// Per item, release year scaled, or 0 with the "missing" flag.
    item_year: Vec<Option<f32>>,
    occupations: Vec<String>,
}

impl Features {
    fn of(dataset: &Dataset) -> Features {
        let mut counts: std::collections::HashMap<String, usize> = Default::default();
        for i in 0..dataset.n_items() as ItemIdx {
            if let Some(item) = dataset.item(i) {
                for c in &item.categories {
                    *counts.entry(format!("{}:{}", c.kind, c.value)).or_default() += 1;
                }
            }
        }
        let mut genres: Vec<(String, usize)> = counts.into_iter().collect();
        genres.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        genres.truncate(MAX_GENRES);
        let mut genres: Vec<String> = genres.into_iter().map(|g| g.0).collect();
        genres.sort();
        let item_genres = (0..dataset.n_items() as ItemIdx)
            .map(|i| {
                dataset.item(i).map_or_else(Vec::new, |item| {
                    let mut cols: Vec<u32> = item
                        .categories
                        .iter()
                        .filter_map(|c| {
                            genres
                                .binary_search(&format!("{}:{}", c.kind, c.value))
                                .ok()
                                .map(|g| g as u32)
                        })
                        .collect();
                    cols.sort_unstable();
                    cols.dedup();
                    cols
                })
            })
            .collect();
        let item_year = (0..dataset.n_items() as ItemIdx)
            .map(|i| {
                dataset
                    .item(i)
                    .and_then(|item| item.year)
                    .map(|y| (y as f32 - 1990.0) / 20.0)
            })
            .collect();
        let mut occupations: Vec<(String, usize)> = Vec::new();
        for u in 0..dataset.n_users() as UserIdx {
            if let Some(o) = dataset.user(u).and_then(|r| r.occupation.as_ref()) {
                match occupations.iter_mut().find(|(name, _)| name == o) {
                    Some(entry) => entry.1 += 1,
                    None => occupations.push((o.clone(), 1)),
                }
            }
        }
        occupations.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        occupations.truncate(MAX_OCCUPATIONS);
        let mut occupations: Vec<String> = occupations.into_iter().map(|o| o.0).collect();
        occupations.sort();
        Features {
            genres,
            item_genres,
            item_year,
            occupations,
        }
    }

    /// Gender (2), age bucket (7), occupation, then the genre profile.
    fn user_width(&self) -> usize {
        2 + AGE_BOUNDS.len() + 1 + self.occupations.len() + self.genres.len()
    }

    fn item_width(&self) -> usize {
        self.genres.len() + 2
    }

    /// A user's features from their record (if any) and the items they liked (or, with
    /// none, the genres among their stated interests).
    fn user(&self, record: Option<&UserRecord>, liked: impl Iterator<Item = ItemIdx>) -> Vec<f32> {
        let mut f = vec![0f32; self.user_width()];
        if let Some(r) = record {
            match r.gender.as_deref().map(|g| g.trim().to_ascii_uppercase()) {
                Some(g) if g.starts_with('M') => f[0] = 1.0,
                Some(g) if g.starts_with('F') => f[1] = 1.0,
                _ => {}
            }
            if let Some(age) = r.age {
                f[2 + AGE_BOUNDS.partition_point(|&b| b <= age)] = 1.0;
            }
            if let Some(o) = r.occupation.as_ref()
                && let Ok(k) = self.occupations.binary_search(o)
            {
                f[3 + AGE_BOUNDS.len() + k] = 1.0;
            }
        }
        let offset = 3 + AGE_BOUNDS.len() + self.occupations.len();
        let mut n = 0usize;
        for i in liked {
            if let Some(cols) = self.item_genres.get(i as usize) {
                for &g in cols {
                    f[offset + g as usize] += 1.0;
                }
                n += 1;
            }
        }
        if n == 0 {
            // Onboarding: the genres a newcomer says they like stand in for the genres of
            // items they liked.
            for interest in record.map_or(&[][..], |r| &r.interests[..]) {
                let interest = interest.trim();
                for (g, genre) in self.genres.iter().enumerate() {
                    let value = genre.split_once(':').map_or(genre.as_str(), |(_, v)| v);
                    if value.eq_ignore_ascii_case(interest) && f[offset + g] == 0.0 {
                        f[offset + g] = 1.0;
                        n += 1;
                    }
                }
            }
        }
        if n > 0 {
            for v in &mut f[offset..] {
                *v /= n as f32;
            }
        }
        f
    }

    fn item(&self, item: usize) -> Vec<f32> {
        let mut f = vec![0f32; self.item_width()];
        for &g in &self.item_genres[item] {
            f[g as usize] = 1.0;
        }
        match self.item_year[item] {
            Some(y) => f[self.genres.len()] = y,
            None => f[self.genres.len() + 1] = 1.0,
        }
        f
    }
}

/// A fitted GMF, NeuMF or two-tower network.
///
/// It serializes as its sizes, activations and feature vocabularies, then its weights as
/// one safetensors block ([`Ncf::safetensors`]).
#[derive(Debug, Clone)]
pub struct Ncf {
    variant: Variant,
    /// Width of the GMF part of a user vector (0 without one).
    gmf_dim: usize,
    /// Width of the MLP part of a user vector (0 without one).
    mlp_user_dim: usize,
    /// Trained users' vectors `[gmf part; mlp part]`.
    users: Table,
    /// Item GMF factors with the output weights folded in (`q_i ⊙ h`).
    gmf_items: Table,
    /// Item factors as they enter the MLP (NeuMF `m_i`, two-tower item tower output),
    /// for similar items.
    item_vectors: Table,
    /// Per item, the first MLP layer's item half applied to the item (`W₁ᵢ m_i`).
    item_proj: Table,
    /// The MLP (first layer over `[user part; item part]`, last layer to one logit
    /// including the output bias); empty for GMF.
    mlp: Mlp,
    /// The output bias of GMF (NeuMF and two-tower keep it in the MLP's last layer).
    bias: f32,
    /// The two-tower user tower, for cold start.
    user_tower: Option<Mlp>,
    user_id_dim: usize,
    features: Features,
    positive_min: f32,
}

/// How an [`Ncf`] is encoded: everything but the tensors, then the tensors as
/// safetensors bytes.
#[derive(Serialize, Deserialize)]
struct NcfFile<'a> {
    variant: Variant,
    gmf_dim: usize,
    mlp_user_dim: usize,
    user_id_dim: usize,
    mlp_activations: Vec<Activation>,
    tower_activations: Option<Vec<Activation>>,
    features: Cow<'a, Features>,
    positive_min: f32,
    weights: Cow<'a, [u8]>,
}

impl Serialize for Ncf {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        let weights = self.safetensors().map_err(serde::ser::Error::custom)?;
        NcfFile {
            variant: self.variant,
            gmf_dim: self.gmf_dim,
            mlp_user_dim: self.mlp_user_dim,
            user_id_dim: self.user_id_dim,
            mlp_activations: weights::activations(&self.mlp),
            tower_activations: self.user_tower.as_ref().map(weights::activations),
            features: Cow::Borrowed(&self.features),
            positive_min: self.positive_min,
            weights: Cow::Owned(weights),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Ncf {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Ncf, D::Error> {
        let file = NcfFile::deserialize(deserializer)?;
        let mut tensors = TensorReader::parse(&file.weights).map_err(serde::de::Error::custom)?;
        let mut read = || -> Result<Ncf> {
            Ok(Ncf {
                variant: file.variant,
                gmf_dim: file.gmf_dim,
                mlp_user_dim: file.mlp_user_dim,
                users: tensors.table("users")?,
                gmf_items: tensors.table("gmf_items")?,
                item_vectors: tensors.table("item_vectors")?,
                item_proj: tensors.table("item_proj")?,
                mlp: tensors.mlp("mlp", &file.mlp_activations)?,
                bias: tensors.scalar("bias")?,
                user_tower: file
                    .tower_activations
                    .as_deref()
                    .map(|a| tensors.mlp("user_tower", a))
                    .transpose()?,
                user_id_dim: file.user_id_dim,
                features: file.features.clone().into_owned(),
                positive_min: file.positive_min,
            })
        };
        read().map_err(serde::de::Error::custom)
    }
}

/// Per user, the recency weight of each of `positives` (parallel to them): how many of the
/// user's interactions came after it, through [`recency_weight`].
fn recency_weights(
    positives: &[Vec<u32>],
    csr: &orrery_core::Csr,
    params: &NcfParams,
) -> Vec<Vec<f32>> {
    positives
        .iter()
        .enumerate()
        .map(|(u, items)| {
            let row = csr.row(u as u32);
            let later = later_counts(row.times);
            items
                .iter()
                .map(|i| {
                    let n = row.indices.binary_search(i).map_or(0, |k| later[k]);
                    recency_weight(n, params.recency_half_life, params.recency_floor)
                })
                .collect()
        })
        .collect()
}

/// One training example.
#[derive(Clone, Copy)]
struct Sample {
    user: u32,
    item: u32,
    label: f32,
    weight: f32,
}

/// The graph pieces of one variant being trained.
struct Net {
    gmf_users: Option<TrainTable>,
    gmf_items: Option<TrainTable>,
    mlp_users: Option<TrainTable>,
    mlp_items: Option<TrainTable>,
    user_tower: Vec<TrainDense>,
    item_tower: Vec<TrainDense>,
    mlp: Vec<TrainDense>,
    /// NeuMF and GMF's output layer over `[p ⊙ q; mlp output]`.
    output: Option<TrainDense>,
}

impl Net {
    /// NeuMF from a trained GMF and a trained MLP: their embeddings and layers as they
    /// are, the output layer `[α·h_gmf; (1 − α)·h_mlp]` with bias `α·b_gmf + (1 − α)·b_mlp`,
    /// and the embedding tables' optimizer state reset.
    fn combine(gmf: Net, mlp: Net, alpha: f32) -> candle_core::Result<Net> {
        let (Some(g_out), Some(m_out)) = (&gmf.output, &mlp.output) else {
            return Err(candle_core::Error::Msg(
                "pre-training left no output layer".into(),
            ));
        };
        let g = g_out.snapshot()?;
        let m = m_out.snapshot()?;
        let weight: Vec<f32> = g
            .weight
            .iter()
            .map(|w| alpha * w)
            .chain(m.weight.iter().map(|w| (1.0 - alpha) * w))
            .collect();
        let bias = vec![alpha * g.bias[0] + (1.0 - alpha) * m.bias[0]];
        let output = TrainDense::from_values(
            weight,
            bias,
            g.inputs + m.inputs,
            Activation::Identity,
            &Device::Cpu,
        )?;
        let fresh = |t: Option<TrainTable>| t.map(|t| TrainTable::new(t.table));
        Ok(Net {
            gmf_users: fresh(gmf.gmf_users),
            gmf_items: fresh(gmf.gmf_items),
            mlp_users: fresh(mlp.mlp_users),
            mlp_items: fresh(mlp.mlp_items),
            user_tower: Vec::new(),
            item_tower: Vec::new(),
            mlp: mlp.mlp,
            output: Some(output),
        })
    }
}

/// Progress of one phase of a longer fit: epochs numbered from `offset + 1` out of
/// `total`.
struct Shifted<'a> {
    inner: &'a mut dyn Progress,
    offset: usize,
    total: usize,
}

impl<'a> Shifted<'a> {
    fn new(inner: &'a mut dyn Progress, offset: usize, total: usize) -> Shifted<'a> {
        Shifted {
            inner,
            offset,
            total,
        }
    }
}

impl Progress for Shifted<'_> {
    fn on_epoch(&mut self, report: &EpochReport) {
        self.inner.on_epoch(&EpochReport {
            epoch: self.offset + report.epoch,
            epochs: self.total,
            ..*report
        });
    }

    fn on_validation(&mut self, report: &ValidationReport) {
        self.inner.on_validation(&ValidationReport {
            epoch: self.offset + report.epoch,
            ..*report
        });
    }

    fn cancelled(&self) -> bool {
        self.inner.cancelled()
    }

    fn wants_loss(&self) -> bool {
        self.inner.wants_loss()
    }
}

fn relu_stack(
    widths: &[usize],
    inputs: usize,
    batch_norm: bool,
    rng: &mut rng::Rng,
    device: &Device,
) -> candle_core::Result<(Vec<TrainDense>, usize)> {
    let mut layers = Vec::new();
    let mut inputs = inputs;
    for &w in widths {
        let layer = TrainDense::new(inputs, w, Activation::Relu, 1.0, 0.0, rng, device)?;
        layers.push(if batch_norm {
            layer.with_batch_norm(device)?
        } else {
            layer
        });
        inputs = w;
    }
    Ok((layers, inputs))
}

fn snapshot_all(layers: &[TrainDense]) -> candle_core::Result<Vec<Dense>> {
    layers.iter().map(TrainDense::snapshot).collect()
}

impl Ncf {
    pub(crate) fn fit(
        dataset: &Dataset,
        params: &NcfParams,
        variant: Variant,
        progress: &mut dyn Progress,
    ) -> Result<Ncf> {
        super::one_thread::fit_on_one_thread(progress, |progress| {
            if variant == Variant::NeuMf && params.pretrain > 0 {
                return Ncf::fit_pretrained(dataset, params, progress);
            }
            let init = rng::seeded(params.seed);
            Ok(Ncf::train(dataset, params, variant, init, None, progress)?.1)
        })
    }

    /// NeuMF with He et al.'s pre-training: GMF and the MLP trained on their own for
    /// `pretrain` epochs each, then NeuMF from their weights, its output layer the two
    /// output layers side by side, each halved (α = 0.5), with fresh optimizer state.
    fn fit_pretrained(
        dataset: &Dataset,
        params: &NcfParams,
        progress: &mut dyn Progress,
    ) -> Result<Ncf> {
        let total = 2 * params.pretrain + params.epochs;
        let phase = NcfParams {
            epochs: params.pretrain,
            ..params.clone()
        };
        // Each part's initial weights from a stream of its own, so that GMF and MLP
        // embeddings of the same width do not start out equal.
        let (gmf, _) = Ncf::train(
            dataset,
            &phase,
            Variant::Gmf,
            rng::stream(params.seed, PRETRAIN_GMF_STREAM),
            None,
            &mut Shifted::new(progress, 0, total),
        )?;
        let (mlp, _) = Ncf::train(
            dataset,
            &phase,
            Variant::Mlp,
            rng::stream(params.seed, PRETRAIN_MLP_STREAM),
            None,
            &mut Shifted::new(progress, params.pretrain, total),
        )?;
        let net = Net::combine(gmf, mlp, 0.5).map_err(backend(Algorithm::NeuMf))?;
        let (_, model) = Ncf::train(
            dataset,
            params,
            Variant::NeuMf,
            rng::seeded(params.seed),
            Some(net),
            &mut Shifted::new(progress, 2 * params.pretrain, total),
        )?;
        Ok(model)
    }

    /// Trains `variant` for `params.epochs` from `initial` (pre-trained parts), or from
    /// random weights drawn from `rng`, and returns the network and its serving form (the
    /// one of the last validated epoch when validating).
    fn train(
        dataset: &Dataset,
        params: &NcfParams,
        variant: Variant,
        mut rng: rng::Rng,
        initial: Option<Net>,
        progress: &mut dyn Progress,
    ) -> Result<(Net, Ncf)> {
        let started = Instant::now();
        let algorithm = variant.algorithm();
        let err = backend(algorithm);
        let device = Device::Cpu;
        let (n_users, n_items) = (dataset.n_users(), dataset.n_items());

        // Positives per user, sorted by item.
        let csr = dataset.user_items();
        let mut positives: Vec<Vec<u32>> = Vec::with_capacity(n_users);
        for u in 0..n_users as u32 {
            let row = csr.row(u);
            positives.push(
                row.indices
                    .iter()
                    .zip(row.ratings.iter().zip(row.weights))
                    .filter(|(_, (r, w))| {
                        if r.is_finite() {
                            **r >= params.positive_min
                        } else {
                            **w > 0.0
                        }
                    })
                    .map(|(&i, _)| i)
                    .collect(),
            );
        }
        let validation = Validation::hold_out(&mut positives, csr, n_items, params);
        let n_positives: usize = positives.iter().map(Vec::len).sum();
        let recency = params.recency_half_life > 0.0;
        let positive_weights = if recency {
            recency_weights(&positives, csr, params)
        } else {
            Vec::new()
        };
        if n_positives == 0 || n_items < 2 {
            return Err(Error::InsufficientData {
                algorithm,
                problem: format!(
                    "no interaction counts as positive (rated at least positive_min = {})",
                    params.positive_min
                ),
                hint: "lower positive_min, or train on data with likes, views or high ratings",
            });
        }

        let features = if variant == Variant::TwoTower {
            Features::of(dataset)
        } else {
            Features::default()
        };
        let (k, d, t) = (params.factors, params.mlp_dim, params.tower);
        let pretrained = initial.is_some();
        let mut net = initial.unwrap_or(Net {
            gmf_users: None,
            gmf_items: None,
            mlp_users: None,
            mlp_items: None,
            user_tower: Vec::new(),
            item_tower: Vec::new(),
            mlp: Vec::new(),
            output: None,
        });
        let table = |rows: usize, dim: usize, rng: &mut rng::Rng| {
            TrainTable::new(Table::normal(rows, dim, INIT_STD, rng))
        };
        // The last layer of every variant: one logit, no activation.
        let logit_layer = |inputs: usize, rng: &mut rng::Rng| {
            TrainDense::new(inputs, 1, Activation::Identity, 1.0, 0.0, rng, &device)
        };
        let build = (|| -> candle_core::Result<()> {
            if pretrained {
                return Ok(());
            }
            match variant {
                Variant::Gmf => {
                    net.gmf_users = Some(table(n_users, k, &mut rng));
                    net.gmf_items = Some(table(n_items, k, &mut rng));
                    net.output = Some(logit_layer(k, &mut rng)?);
                }
                Variant::NeuMf | Variant::Mlp => {
                    // NeuMF's GMF part first, so that its draws come before the MLP's.
                    let gmf = if variant == Variant::NeuMf {
                        net.gmf_users = Some(table(n_users, k, &mut rng));
                        net.gmf_items = Some(table(n_items, k, &mut rng));
                        k
                    } else {
                        0
                    };
                    net.mlp_users = Some(table(n_users, d, &mut rng));
                    net.mlp_items = Some(table(n_items, d, &mut rng));
                    let widths = [d, (d / 2).max(1), (d / 4).max(1)];
                    let (mlp, out) = relu_stack(&widths, 2 * d, false, &mut rng, &device)?;
                    net.mlp = mlp;
                    net.output = Some(logit_layer(gmf + out, &mut rng)?);
                }
                Variant::TwoTower => {
                    // One extra user row stays zero: the "no id" input of cold start.
                    net.mlp_users = Some(table(n_users + 1, d, &mut rng));
                    net.mlp_items = Some(table(n_items, d, &mut rng));
                    let half = (t / 2).max(1);
                    let norm = params.batch_norm;
                    let (user_tower, u_out) = relu_stack(
                        &[t, half],
                        d + features.user_width(),
                        norm,
                        &mut rng,
                        &device,
                    )?;
                    let (item_tower, i_out) = relu_stack(
                        &[2 * t, t, half],
                        d + features.item_width(),
                        norm,
                        &mut rng,
                        &device,
                    )?;
                    let (mut mlp, out) = relu_stack(
                        &[t, half, (t / 4).max(1)],
                        u_out + i_out,
                        false,
                        &mut rng,
                        &device,
                    )?;
                    mlp.push(logit_layer(out, &mut rng)?);
                    net.user_tower = user_tower;
                    net.item_tower = item_tower;
                    net.mlp = mlp;
                    if params.dot {
                        // A dot product of ReLU outputs is never negative, so it cannot
                        // say "unlike": the dot head reads linear tower outputs (HR@10
                        // 0.593 -> 0.630 on the NCF split of ml-1m-users-1-2999).
                        for tower in [&mut net.user_tower, &mut net.item_tower] {
                            if let Some(last) = tower.last_mut() {
                                last.activation = Activation::Identity;
                            }
                        }
                    }
                }
            }
            Ok(())
        })();
        build.map_err(&err)?;
        if let Some(users) = net
            .mlp_users
            .as_mut()
            .filter(|_| variant == Variant::TwoTower)
        {
            let dim = users.table.dim;
            users.table.data[n_users * dim..]
                .iter_mut()
                .for_each(|v| *v = 0.0);
        }

        // Fixed feature rows of the two-tower network.
        let (user_features, item_features) = if variant == Variant::TwoTower {
            let users: Vec<f32> = (0..n_users)
                .flat_map(|u| {
                    features.user(dataset.user(u as UserIdx), positives[u].iter().copied())
                })
                .collect();
            let items: Vec<f32> = (0..n_items).flat_map(|i| features.item(i)).collect();
            (users, items)
        } else {
            (Vec::new(), Vec::new())
        };

        let adam = Adam::new(params.lr as f64, params.reg as f64);
        let vars = net
            .user_tower
            .iter()
            .chain(&net.item_tower)
            .chain(&net.mlp)
            .chain(&net.output)
            .flat_map(TrainDense::vars)
            .collect();
        let mut optimizer = candle_nn::AdamW::new(vars, adam.candle(0.0)).map_err(&err)?;

        let snapshot = |net: &Net| {
            Ncf::snapshot(
                net,
                variant,
                params,
                &features,
                &user_features,
                &item_features,
                n_users,
                n_items,
            )
        };
        let mut last_snapshot: Option<Ncf> = None;
        let mut samples: Vec<Sample> = Vec::with_capacity(n_positives * (1 + params.negatives));
        let mut step = 0u64;
        for epoch in 1..=params.epochs {
            let mut epoch_rng = rng::stream(params.seed, epoch as u64);
            samples.clear();
            for (u, items) in positives.iter().enumerate() {
                let seen = csr.row(u as u32).indices;
                for (k, &i) in items.iter().enumerate() {
                    let weight = positive_weights.get(u).map_or(1.0, |w| w[k]);
                    samples.push(Sample {
                        user: u as u32,
                        item: i,
                        label: 1.0,
                        weight,
                    });
                    for _ in 0..params.negatives {
                        let j = sample_unseen(&mut epoch_rng, n_items, seen);
                        samples.push(Sample {
                            user: u as u32,
                            item: j,
                            label: 0.0,
                            weight,
                        });
                    }
                }
            }
            samples.shuffle(&mut epoch_rng);
            let mut loss_sum = 0f64;
            for chunk in samples.chunks(params.batch_size) {
                step += 1;
                let users: Vec<u32> = chunk.iter().map(|s| s.user).collect();
                let items: Vec<u32> = chunk.iter().map(|s| s.item).collect();
                let id_users: Vec<u32> = if variant == Variant::TwoTower {
                    users
                        .iter()
                        .map(|&u| {
                            if epoch_rng.random::<f64>() < params.id_dropout {
                                n_users as u32
                            } else {
                                u
                            }
                        })
                        .collect()
                } else {
                    users.clone()
                };
                let labels: Vec<f32> = chunk.iter().map(|s| s.label).collect();
                let n = chunk.len();
                let leaf = |t: &Option<TrainTable>, idx: &[u32]| {
                    t.as_ref().map(|t| t.leaf(idx, &device)).transpose()
                };
                let outcome = (|| -> candle_core::Result<_> {
                    let gu = leaf(&net.gmf_users, &users)?;
                    let gi = leaf(&net.gmf_items, &items)?;
                    let mu = leaf(&net.mlp_users, &id_users)?;
                    let mi = leaf(&net.mlp_items, &items)?;
                    let labels = Tensor::from_vec(labels, (n, 1), &device)?;
                    let logits = match variant {
                        Variant::Gmf | Variant::NeuMf | Variant::Mlp => {
                            let Some(output) = &net.output else {
                                return Err(candle_core::Error::Msg("missing output".into()));
                            };
                            let mut parts = Vec::with_capacity(2);
                            if let (Some(gu), Some(gi)) = (&gu, &gi) {
                                parts.push((gu.as_tensor() * gi.as_tensor())?);
                            }
                            if let (Some(mu), Some(mi)) = (&mu, &mi) {
                                let mut h = Tensor::cat(&[mu.as_tensor(), mi.as_tensor()], 1)?;
                                for layer in &net.mlp {
                                    h = layer.forward(&h)?;
                                }
                                parts.push(h);
                            }
                            output.forward(&Tensor::cat(&parts, 1)?)?
                        }
                        Variant::TwoTower => {
                            let (Some(mu), Some(mi)) = (&mu, &mi) else {
                                return Err(candle_core::Error::Msg("missing towers".into()));
                            };
                            let uw = features.user_width();
                            let iw = features.item_width();
                            let uf: Vec<f32> = users
                                .iter()
                                .flat_map(|&u| {
                                    user_features[u as usize * uw..(u as usize + 1) * uw]
                                        .iter()
                                        .copied()
                                })
                                .collect();
                            let itf: Vec<f32> = items
                                .iter()
                                .flat_map(|&i| {
                                    item_features[i as usize * iw..(i as usize + 1) * iw]
                                        .iter()
                                        .copied()
                                })
                                .collect();
                            let uf = Tensor::from_vec(uf, (n, uw), &device)?;
                            let itf = Tensor::from_vec(itf, (n, iw), &device)?;
                            let mut hu = Tensor::cat(&[mu.as_tensor(), &uf], 1)?;
                            for layer in &net.user_tower {
                                hu = layer.forward(&hu)?;
                            }
                            let mut hi = Tensor::cat(&[mi.as_tensor(), &itf], 1)?;
                            for layer in &net.item_tower {
                                hi = layer.forward(&hi)?;
                            }
                            let mut h = Tensor::cat(&[&hu, &hi], 1)?;
                            for layer in &net.mlp {
                                h = layer.forward(&h)?;
                            }
                            if params.dot {
                                h = (h + (&hu * &hi)?.sum_keepdim(1)?)?;
                            }
                            h
                        }
                    };
                    let loss = if recency {
                        let weights: Vec<f32> = chunk.iter().map(|s| s.weight).collect();
                        let total = weights.iter().sum();
                        let w = Tensor::from_vec(weights, (n, 1), &device)?;
                        weighted_bce_with_logits(&logits, &labels, &w, total)?
                    } else {
                        bce_with_logits(&logits, &labels)?
                    };
                    let value = loss.to_scalar::<f32>()? as f64;
                    let grads = loss.backward()?;
                    optimizer.step(&grads)?;
                    let grad_of =
                        |leaf: &Option<candle_core::Var>| -> candle_core::Result<Option<Vec<f32>>> {
                            match leaf {
                                Some(v) => grads
                                    .get(v.as_tensor())
                                    .map(|g| g.flatten_all()?.to_vec1::<f32>())
                                    .transpose(),
                                None => Ok(None),
                            }
                        };
                    Ok((
                        value,
                        grad_of(&gu)?,
                        grad_of(&gi)?,
                        grad_of(&mu)?,
                        grad_of(&mi)?,
                    ))
                })()
                .map_err(&err)?;
                let (value, g_gu, g_gi, g_mu, g_mi) = outcome;
                loss_sum += value * n as f64;
                let updates = [
                    (&mut net.gmf_users, &users, g_gu),
                    (&mut net.gmf_items, &items, g_gi),
                    (&mut net.mlp_users, &id_users, g_mu),
                    (&mut net.mlp_items, &items, g_mi),
                ];
                for (table, idx, grad) in updates {
                    if let (Some(table), Some(grad)) = (table.as_mut(), grad) {
                        table.step(idx, &grad, &adam, step);
                    }
                }
                if variant == Variant::TwoTower
                    && let Some(users) = net.mlp_users.as_mut()
                {
                    let dim = users.table.dim;
                    users.table.data[n_users * dim..]
                        .iter_mut()
                        .for_each(|v| *v = 0.0);
                }
            }
            let loss = loss_sum / samples.len().max(1) as f64;
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
            if !validation.cases.is_empty() {
                // The serving form is what gets measured, so the figure is the one a
                // request would see had training stopped here.
                let model = snapshot(&net).map_err(&err)?;
                progress.on_validation(&ValidationReport {
                    epoch,
                    metric: "hr@10",
                    value: validation.hit_rate(&model),
                });
                last_snapshot = Some(model);
            }
            if progress.cancelled() {
                return Err(Error::Cancelled { epoch });
            }
        }

        let model = match last_snapshot {
            Some(model) => model,
            None => snapshot(&net).map_err(&err)?,
        };
        Ok((net, model))
    }

    /// The serving form of the trained network: item sides precomputed, trained users'
    /// vectors computed.
    #[allow(clippy::too_many_arguments)]
    fn snapshot(
        net: &Net,
        variant: Variant,
        params: &NcfParams,
        features: &Features,
        user_features: &[f32],
        item_features: &[f32],
        n_users: usize,
        n_items: usize,
    ) -> candle_core::Result<Ncf> {
        let empty = |dim: usize| Table {
            dim,
            data: Vec::new(),
        };
        let mut mlp = Mlp {
            layers: snapshot_all(&net.mlp)?,
        };
        let output = net.output.as_ref().map(TrainDense::snapshot).transpose()?;
        let (gmf_dim, mut bias) = (net.gmf_users.as_ref().map_or(0, |t| t.table.dim), 0.0f32);
        // Fold the output weights into the item GMF factors: hᵀ(p ⊙ q) = p · (h ⊙ q).
        let mut gmf_items = empty(gmf_dim);
        if let (Some(items), Some(out)) = (&net.gmf_items, &output) {
            let h = &out.weight[..gmf_dim];
            gmf_items.data = items
                .table
                .data
                .chunks(gmf_dim.max(1))
                .flat_map(|q| q.iter().zip(h).map(|(a, b)| a * b).collect::<Vec<_>>())
                .collect();
            bias = out.bias.first().copied().unwrap_or(0.0);
            if variant == Variant::NeuMf {
                // The rest of the output layer becomes the MLP's last layer.
                let inputs = out.inputs - gmf_dim;
                mlp.layers.push(Dense {
                    inputs,
                    outputs: 1,
                    weight: out.weight[gmf_dim..].to_vec(),
                    bias: vec![bias],
                    activation: Activation::Identity,
                });
                bias = 0.0;
            }
        }

        if let (Variant::Mlp, Some(out)) = (variant, &output) {
            mlp.layers.push(out.clone());
        }
        let user_tower = (variant == Variant::TwoTower)
            .then(|| snapshot_all(&net.user_tower).map(|layers| Mlp { layers }))
            .transpose()?;
        let item_tower = Mlp {
            layers: snapshot_all(&net.item_tower)?,
        };
        let user_id_dim = net.mlp_users.as_ref().map_or(0, |t| t.table.dim);

        // Users' and items' inputs to the MLP.
        let (mlp_user, item_vectors) = match variant {
            Variant::Gmf => (empty(0), empty(0)),
            Variant::NeuMf | Variant::Mlp => (
                net.mlp_users.as_ref().map_or(empty(0), |t| t.table.clone()),
                net.mlp_items.as_ref().map_or(empty(0), |t| t.table.clone()),
            ),
            Variant::TwoTower => {
                let (Some(ids), Some(item_ids)) = (&net.mlp_users, &net.mlp_items) else {
                    return Err(candle_core::Error::Msg("missing towers".into()));
                };
                let Some(tower) = &user_tower else {
                    return Err(candle_core::Error::Msg("missing user tower".into()));
                };
                let (uw, iw) = (features.user_width(), features.item_width());
                let mut users = Vec::new();
                let mut dim = 0;
                for u in 0..n_users {
                    let mut x = ids.table.row(u).to_vec();
                    x.extend_from_slice(&user_features[u * uw..(u + 1) * uw]);
                    let out = tower.forward_all(&x).pop().unwrap_or_default();
                    dim = out.len();
                    users.extend(out);
                }
                let mut items = Vec::new();
                let mut item_dim = 0;
                for i in 0..n_items {
                    let mut x = item_ids.table.row(i).to_vec();
                    x.extend_from_slice(&item_features[i * iw..(i + 1) * iw]);
                    let out = item_tower.forward_all(&x).pop().unwrap_or_default();
                    item_dim = out.len();
                    items.extend(out);
                }
                (
                    Table { dim, data: users },
                    Table {
                        dim: item_dim,
                        data: items,
                    },
                )
            }
        };
        let mlp_user_dim = mlp_user.dim;
        // The two-tower dot head reads the tower outputs as a GMF part of weight one.
        let (gmf_dim, gmf_users, gmf_items) = if variant == Variant::TwoTower && params.dot {
            (mlp_user_dim, Some(&mlp_user), item_vectors.clone())
        } else {
            (gmf_dim, net.gmf_users.as_ref().map(|t| &t.table), gmf_items)
        };

        // The first MLP layer's item half, applied once per item.
        let mut item_proj = empty(0);
        if let Some(first) = mlp.layers.first() {
            let mut data = Vec::with_capacity(n_items * first.outputs);
            let mut out = vec![0f32; first.outputs];
            for i in 0..n_items {
                first.project(item_vectors.row(i), mlp_user_dim..first.inputs, &mut out);
                data.extend_from_slice(&out);
            }
            item_proj = Table {
                dim: first.outputs,
                data,
            };
        }

        let mut users = Vec::with_capacity(n_users * (gmf_dim + mlp_user_dim));
        for u in 0..n_users {
            if let Some(g) = gmf_users {
                users.extend_from_slice(g.row(u));
            }
            if mlp_user_dim > 0 {
                users.extend_from_slice(mlp_user.row(u));
            }
        }
        Ok(Ncf {
            variant,
            gmf_dim,
            mlp_user_dim,
            users: Table {
                dim: gmf_dim + mlp_user_dim,
                data: users,
            },
            gmf_items,
            item_vectors,
            item_proj,
            mlp,
            bias,
            user_tower,
            user_id_dim,
            features: features.clone(),
            positive_min: params.positive_min,
        })
    }

    /// The network's weights as a safetensors file: `users` (the trained users' vectors,
    /// `[gmf part; mlp part]`), `gmf_items` (item GMF factors with the output weights
    /// folded in), `item_vectors` (the items' MLP inputs: NeuMF item embeddings, two-tower
    /// item tower outputs), `item_proj` (the first MLP layer applied to each item),
    /// `mlp.K.weight`/`mlp.K.bias` (the fusion layers, the last one giving the logit),
    /// `user_tower.K.*` (two-tower only, for users it has not seen) and `bias`; batch
    /// normalization is folded into the tower layers. The header's metadata names the
    /// variant (`algorithm`).
    pub fn safetensors(&self) -> Result<Vec<u8>> {
        let mut tensors = TensorWriter::default();
        tensors.table("users", &self.users);
        tensors.table("gmf_items", &self.gmf_items);
        tensors.table("item_vectors", &self.item_vectors);
        tensors.table("item_proj", &self.item_proj);
        tensors.mlp("mlp", &self.mlp);
        if let Some(tower) = &self.user_tower {
            tensors.mlp("user_tower", tower);
        }
        tensors.scalar("bias", self.bias);
        tensors.to_bytes(self.variant.algorithm().name())
    }

    /// Cheap scores of every item for candidate generation, so that the network itself
    /// only ranks a few hundred candidates: GMF and NeuMF score the GMF part (a dot
    /// product per item); the two-tower network scores each item's tower output against
    /// the mean tower output of the items the user liked (item-to-item similarity in the
    /// space the fusion MLP reads). Items it cannot tell apart score 0.
    pub fn retrieval_scores(&self, user: &UserRepr, out: &mut [f32]) {
        let n = self.n_items().min(out.len());
        if self.gmf_dim > 0 && user.factors.len() >= self.gmf_dim {
            let u = &user.factors[..self.gmf_dim];
            for (i, o) in out.iter_mut().enumerate().take(n) {
                *o = crate::linalg::dot(u, self.gmf_items.row(i));
            }
            return;
        }
        let dim = self.item_vectors.dim;
        let mut centre = vec![0f32; dim];
        let mut count = 0usize;
        for &(i, v) in &user.history {
            if (i as usize) < self.item_vectors.rows()
                && (v >= self.positive_min || self.positive_min <= 0.0)
            {
                for (c, x) in centre.iter_mut().zip(self.item_vectors.row(i as usize)) {
                    *c += x;
                }
                count += 1;
            }
        }
        if count == 0 || dim == 0 {
            out[..n].iter_mut().for_each(|o| *o = 0.0);
            return;
        }
        for (i, o) in out.iter_mut().enumerate().take(n) {
            *o = crate::linalg::dot(&centre, self.item_vectors.row(i)) / count as f32;
        }
    }

    /// The MLP's first-layer user half for a user vector's MLP part, plus the bias.
    fn user_proj(&self, mlp_part: &[f32]) -> Vec<f32> {
        match self.mlp.layers.first() {
            Some(first) => {
                let mut out = vec![0f32; first.outputs];
                first.project(mlp_part, 0..self.mlp_user_dim, &mut out);
                for (o, b) in out.iter_mut().zip(&first.bias) {
                    *o += b;
                }
                out
            }
            None => Vec::new(),
        }
    }

    /// The logit of item `i` for a user with vector `user` and MLP projection `proj`.
    fn logit(
        &self,
        user: &[f32],
        proj: &[f32],
        i: usize,
        a: &mut Vec<f32>,
        b: &mut Vec<f32>,
    ) -> f32 {
        let mut logit = self.bias;
        if self.gmf_dim > 0 {
            logit += crate::linalg::dot(&user[..self.gmf_dim], self.gmf_items.row(i));
        }
        if let Some(first) = self.mlp.layers.first() {
            let item = self.item_proj.row(i);
            a.clear();
            a.extend(
                proj.iter()
                    .zip(item)
                    .map(|(u, v)| first.activation.apply(u + v)),
            );
            let mut x = std::mem::take(a);
            for layer in &self.mlp.layers[1..] {
                b.clear();
                b.resize(layer.outputs, 0.0);
                layer.forward(&x, b);
                std::mem::swap(&mut x, b);
            }
            logit += x.first().copied().unwrap_or(0.0);
            *a = x;
        }
        logit
    }

    /// A user's vector from demographics and liked items, through the user tower with
    /// no id (two-tower only).
    fn tower_user(&self, record: Option<&UserRecord>, liked: &[ItemIdx]) -> Option<Vec<f32>> {
        let tower = self.user_tower.as_ref()?;
        let mut x = vec![0f32; self.user_id_dim];
        x.extend(self.features.user(record, liked.iter().copied()));
        let out = tower.forward_all(&x).pop()?;
        // With the dot head the tower output is both the GMF part and the MLP part.
        Some(if self.gmf_dim > 0 {
            [out.as_slice(), out.as_slice()].concat()
        } else {
            out
        })
    }

    /// The items of `history` that count as positive.
    fn liked(&self, history: &[(ItemIdx, f32)]) -> Vec<ItemIdx> {
        history
            .iter()
            .filter(|&&(_, v)| v >= self.positive_min || self.positive_min <= 0.0)
            .map(|&(i, _)| i)
            .collect()
    }

    /// A new user's representation from their profile and onboarding interactions: the
    /// two-tower network runs its user tower on demographics and the genres of the liked
    /// items; GMF and NeuMF ignore the profile and fold the interactions in.
    pub fn cold_start(&self, record: &UserRecord, history: Vec<(ItemIdx, f32)>) -> UserRepr {
        let liked = self.liked(&history);
        let factors = match self.tower_user(Some(record), &liked) {
            Some(v) => v,
            None => self.fit_user(&liked, &history),
        };
        UserRepr {
            factors,
            bias: 0.0,
            history,
            recency: Vec::new(),
        }
    }

    /// GMF/NeuMF fold-in: gradient descent on the user vector's logistic loss over the
    /// liked items and seeded negatives, from the mean trained user.
    fn fit_user(&self, liked: &[ItemIdx], history: &[(ItemIdx, f32)]) -> Vec<f32> {
        let mut user = self.users.mean_row();
        let n_items = self.n_items();
        if liked.is_empty() || n_items < 2 {
            return user;
        }
        let mut seen: Vec<u32> = history.iter().map(|h| h.0).collect();
        seen.sort_unstable();
        let seed = liked
            .iter()
            .fold(0u64, |h, &i| h.wrapping_mul(31).wrapping_add(i as u64));
        let mut r = rng::seeded(seed);
        let mut examples: Vec<(usize, f32)> = Vec::new();
        for &i in liked {
            examples.push((i as usize, 1.0));
            for _ in 0..FOLD_IN_NEGATIVES {
                examples.push((sample_unseen(&mut r, n_items, &seen) as usize, 0.0));
            }
        }
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let dim = user.len();
        let scale = 1.0 / examples.len() as f32;
        for _ in 0..FOLD_IN_STEPS {
            let mut grad: Vec<f32> = user.iter().map(|u| FOLD_IN_REG * u).collect();
            let proj = self.user_proj(&user[self.gmf_dim..]);
            for &(i, label) in &examples {
                let p = super::sigmoid(self.logit(&user, &proj, i, &mut a, &mut b));
                let e = (p - label) * scale;
                for (g, q) in grad[..self.gmf_dim].iter_mut().zip(self.gmf_items.row(i)) {
                    *g += e * q;
                }
                if let Some(first) = self.mlp.layers.first() {
                    // d logit / d user's MLP part through the first layer's user half.
                    let z: Vec<f32> = proj
                        .iter()
                        .zip(self.item_proj.row(i))
                        .map(|(u, v)| u + v)
                        .collect();
                    let h1: Vec<f32> = z.iter().map(|&v| first.activation.apply(v)).collect();
                    let rest = Mlp {
                        layers: self.mlp.layers[1..].to_vec(),
                    };
                    let outputs = rest.forward_all(&h1);
                    let mut g1 = rest.input_gradient(&outputs, &[1.0]);
                    for (g, &y) in g1.iter_mut().zip(&h1) {
                        *g *= first.activation.derivative_at_output(y);
                    }
                    for (o, &go) in g1.iter().enumerate() {
                        let w =
                            &first.weight[o * first.inputs..o * first.inputs + self.mlp_user_dim];
                        for (g, &wv) in grad[self.gmf_dim..dim].iter_mut().zip(w) {
                            *g += e * go * wv;
                        }
                    }
                }
            }
            for (u, g) in user.iter_mut().zip(&grad) {
                *u -= FOLD_IN_LR * g;
            }
        }
        user
    }
}

/// Negatives each validation positive is ranked against (the NCF protocol's 99).
const VALIDATION_NEGATIVES: usize = 99;
/// The cut-off of the validation hit rate.
const VALIDATION_K: usize = 10;
/// The random stream of the validation sample, apart from the epochs' streams.
const VALIDATION_STREAM: u64 = u64::MAX;

/// Positives held out of training and ranked after every epoch: the leave-last-out
/// protocol of He et al. on a sample of users, each with their latest positive and 99
/// items they never touched.
struct Validation {
    cases: Vec<ValidationCase>,
}

struct ValidationCase {
    user: u32,
    positive: u32,
    negatives: Vec<u32>,
}

impl Validation {
    /// Takes the latest positive (ties: the highest item index) of up to
    /// `validation_users` seeded-random users who have at least two out of `positives`;
    /// the held-out item stays among the user's seen items, so it is never a negative.
    fn hold_out(
        positives: &mut [Vec<u32>],
        csr: &orrery_core::Csr,
        n_items: usize,
        params: &NcfParams,
    ) -> Validation {
        if params.validation_users == 0 {
            return Validation { cases: Vec::new() };
        }
        let mut rng = rng::stream(params.seed, VALIDATION_STREAM);
        let mut users: Vec<u32> = (0..positives.len() as u32)
            .filter(|&u| positives[u as usize].len() >= 2)
            .collect();
        users.shuffle(&mut rng);
        users.truncate(params.validation_users);
        users.sort_unstable();
        let cases = users
            .into_iter()
            .map(|user| {
                let row = csr.row(user);
                let items = &mut positives[user as usize];
                let time_of = |i: u32| {
                    row.indices
                        .binary_search(&i)
                        .map_or(i64::MIN, |p| row.times[p])
                };
                let latest = (0..items.len())
                    .max_by_key(|&k| (time_of(items[k]), items[k]))
                    .unwrap_or(0);
                let positive = items.remove(latest);
                let unseen = n_items.saturating_sub(row.indices.len());
                let wanted = VALIDATION_NEGATIVES.min(unseen);
                let mut negatives = Vec::with_capacity(wanted);
                let mut attempts = 0;
                while negatives.len() < wanted && attempts < 20 * VALIDATION_NEGATIVES {
                    attempts += 1;
                    let j = sample_unseen(&mut rng, n_items, row.indices);
                    if row.indices.binary_search(&j).is_err() && !negatives.contains(&j) {
                        negatives.push(j);
                    }
                }
                ValidationCase {
                    user,
                    positive,
                    negatives,
                }
            })
            .collect();
        Validation { cases }
    }

    /// The share of cases whose positive ranks in the top [`VALIDATION_K`] of its list
    /// (ties count in the positive's favour, as in He et al.'s evaluation).
    fn hit_rate(&self, model: &Ncf) -> f64 {
        let mut hits = 0usize;
        let mut items = Vec::with_capacity(VALIDATION_NEGATIVES + 1);
        let mut scores = Vec::with_capacity(VALIDATION_NEGATIVES + 1);
        for case in &self.cases {
            let user = model.trained_user(case.user, Vec::new());
            items.clear();
            items.push(case.positive);
            items.extend_from_slice(&case.negatives);
            scores.clear();
            scores.resize(items.len(), 0.0);
            model.score(&user, &items, &mut scores);
            let above = scores[1..].iter().filter(|&&s| s > scores[0]).count();
            if above < VALIDATION_K {
                hits += 1;
            }
        }
        hits as f64 / self.cases.len().max(1) as f64
    }
}

/// An item the user has not interacted with (`seen` sorted), by rejection sampling;
/// after many misses (a user who saw nearly everything) any item.
fn sample_unseen(rng: &mut rng::Rng, n_items: usize, seen: &[u32]) -> u32 {
    let mut j = 0;
    for _ in 0..64 {
        j = rng.random_range(0..n_items as u32);
        if seen.binary_search(&j).is_err() {
            break;
        }
    }
    j
}

impl Algo for Ncf {
    fn n_items(&self) -> usize {
        self.gmf_items.rows().max(self.item_proj.rows())
    }

    fn factors(&self) -> usize {
        self.users.dim
    }

    fn item_factors(&self) -> Option<(&[f32], usize)> {
        if self.gmf_dim > 0 {
            Some((&self.gmf_items.data, self.gmf_dim))
        } else {
            Some((&self.item_vectors.data, self.item_vectors.dim))
        }
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
        let liked = self.liked(&history);
        let factors = match self.tower_user(None, &liked) {
            Some(v) => v,
            None => self.fit_user(&liked, &history),
        };
        Ok(UserRepr {
            factors,
            bias: 0.0,
            history,
            recency: Vec::new(),
        })
    }

    fn score(&self, user: &UserRepr, items: &[ItemIdx], out: &mut [f32]) {
        let proj = self.user_proj(&user.factors[self.gmf_dim..]);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for (o, &i) in out.iter_mut().zip(items) {
            *o = self.logit(&user.factors, &proj, i as usize, &mut a, &mut b);
        }
    }

    fn score_all(&self, user: &UserRepr, out: &mut [f32]) {
        let proj = self.user_proj(&user.factors[self.gmf_dim..]);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for (i, o) in out.iter_mut().enumerate() {
            *o = self.logit(&user.factors, &proj, i, &mut a, &mut b);
        }
    }

    fn similar_items(&self, item: ItemIdx, k: usize) -> Option<Vec<Scored>> {
        let (factors, dim) = self.item_factors()?;
        (dim > 0).then(|| similar_by_factors(factors, dim, item, k))
    }

    fn check(&self, n_users: usize) -> Result<()> {
        let n_items = self.n_items();
        check_len(
            "user vectors",
            self.users.data.len(),
            n_users * self.users.dim,
        )?;
        check_len(
            "user vector width",
            self.users.dim,
            self.gmf_dim + self.mlp_user_dim,
        )?;
        self.gmf_items.check(
            "item GMF factors",
            if self.gmf_dim > 0 { n_items } else { 0 },
        )?;
        self.mlp.check("the NCF network")?;
        match self.mlp.layers.first() {
            Some(first) => {
                self.item_proj.check("item projections", n_items)?;
                check_len("item projection width", self.item_proj.dim, first.outputs)?;
                if first.inputs < self.mlp_user_dim
                    || self.mlp.layers.last().map(|l| l.outputs) != Some(1)
                {
                    return Err(Error::Corrupt(
                        "the NCF network's sizes do not fit".to_owned(),
                    ));
                }
            }
            None => check_len("item projections", self.item_proj.data.len(), 0)?,
        }
        if let Some(tower) = &self.user_tower {
            tower.check("the user tower")?;
            let inputs = self.user_id_dim + self.features.user_width();
            if tower.layers.first().map(|l| l.inputs) != Some(inputs)
                || tower.layers.last().map(|l| l.outputs) != Some(self.mlp_user_dim)
            {
                return Err(Error::Corrupt(
                    "the user tower's sizes do not fit".to_owned(),
                ));
            }
        }
        if self
            .features
            .item_genres
            .iter()
            .flatten()
            .any(|&g| g as usize >= self.features.genres.len())
        {
            return Err(Error::Corrupt("an item genre is out of range".to_owned()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use orrery_core::{DatasetBuilder, EventKind, EventWeights};

    #[test]
    fn recency_weights_follow_each_positive_by_time_not_by_item_order() {
        let mut b = DatasetBuilder::new(EventWeights::default());
        // Items "a" < "b" < "c" by index; watched c, then a, then b.
        for (item, ts) in [("a", 20), ("b", 30), ("c", 10)] {
            b.add_event("u", item, &EventKind::Rating, 5.0, ts);
        }
        let data = b.build();
        let csr = data.user_items();
        let row = csr.row(0);
        let positives = vec![row.indices.to_vec()];
        let params = NcfParams {
            recency_half_life: 1.0,
            recency_floor: 0.2,
            ..NcfParams::default()
        };
        let weights = recency_weights(&positives, csr, &params);
        let by_item = |name: &str| {
            let i = data.items().get(name).unwrap();
            weights[0][positives[0].iter().position(|&p| p == i).unwrap()]
        };
        // b is the latest (weight 1), a one step older, c two.
        assert_eq!(by_item("b"), 1.0);
        assert!((by_item("a") - (0.2 + 0.8 * 0.5)).abs() < 1e-6);
        assert!((by_item("c") - (0.2 + 0.8 * 0.25)).abs() < 1e-6);
    }
}
