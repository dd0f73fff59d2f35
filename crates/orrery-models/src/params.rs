//! Hyperparameters: one struct per algorithm, parsed from `key=value` pairs (as the CLI's
//! `--param factors=64` and the HTTP API pass them) and validated field by field.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::content_params::{self, ContentParams, HybridParams};
use crate::{Error, Result};

/// The algorithms a [`crate::Model`] can be fitted with, named as on the CLI and over HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Algorithm {
    /// Items ranked by how many users interacted with them (or by summed weight).
    Popularity,
    /// Popularity with exponential time decay.
    Trending,
    /// Global mean plus regularized user and item biases.
    Baseline,
    /// Biased matrix factorization trained by SGD (Surprise's "SVD").
    Mf,
    /// Implicit-feedback ALS (Hu, Koren and Volinsky 2008).
    Als,
    /// Item-based nearest neighbours.
    ItemKnn,
    /// Embarrassingly shallow autoencoder (Steck 2019).
    Ease,
    /// Bayesian personalized ranking (Rendle et al. 2009), matrix factorization trained on
    /// pairs.
    Bpr,
    /// SVD++ (Koren 2008): biased matrix factorization with an implicit term from the
    /// items each user rated.
    Svdpp,
    /// Non-negative matrix factorization of the weighted implicit signal by
    /// multiplicative updates (the Dummi AI collaborative filter).
    Nmf,
    /// The Poppy Universe Layer 4 network: user, category type and value, hour and day
    /// embeddings through tanh layers to the interaction strength.
    Layer4,
    /// The Neural Recommendation seed's two-tower network (user and item towers over id
    /// embeddings and features, fused by an MLP), trained with sampled negatives.
    Ncf,
    /// Generalized matrix factorization (He et al. 2017) with sampled negatives.
    Gmf,
    /// Neural matrix factorization (He et al. 2017): GMF beside an MLP.
    NeuMf,
    /// Content-based: items scored by the cosine of their text embedding with the user's
    /// profile (the weighted mean of the embeddings of their history).
    Content,
    /// Collaborative filtering and content embeddings, normalized and blended, with
    /// interest- and popularity-based cold start (the Dummi AI recommender).
    Hybrid,
}

impl Algorithm {
    /// Every algorithm, in the order they are documented.
    pub const ALL: [Algorithm; 16] = [
        Algorithm::Popularity,
        Algorithm::Trending,
        Algorithm::Baseline,
        Algorithm::Mf,
        Algorithm::Svdpp,
        Algorithm::Nmf,
        Algorithm::Als,
        Algorithm::ItemKnn,
        Algorithm::Ease,
        Algorithm::Bpr,
        Algorithm::Layer4,
        Algorithm::Ncf,
        Algorithm::Gmf,
        Algorithm::NeuMf,
        Algorithm::Content,
        Algorithm::Hybrid,
    ];

    /// The name used on the CLI, over HTTP and in model files.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Popularity => "popularity",
            Algorithm::Trending => "trending",
            Algorithm::Baseline => "baseline",
            Algorithm::Mf => "mf",
            Algorithm::Als => "als",
            Algorithm::ItemKnn => "itemknn",
            Algorithm::Ease => "ease",
            Algorithm::Bpr => "bpr",
            Algorithm::Svdpp => "svdpp",
            Algorithm::Nmf => "nmf",
            Algorithm::Layer4 => "layer4",
            Algorithm::Ncf => "ncf",
            Algorithm::Gmf => "gmf",
            Algorithm::NeuMf => "neumf",
            Algorithm::Content => "content",
            Algorithm::Hybrid => "hybrid",
        }
    }

    /// Whether the algorithm predicts explicit ratings (so RMSE and MAE apply).
    pub fn predicts_ratings(self) -> bool {
        matches!(
            self,
            Algorithm::Baseline | Algorithm::Mf | Algorithm::Svdpp | Algorithm::Layer4
        )
    }

    fn known() -> String {
        Algorithm::ALL.map(Algorithm::name).join(", ")
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Algorithm {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let wanted = s.trim().to_ascii_lowercase();
        Algorithm::ALL
            .into_iter()
            .find(|a| a.name() == wanted)
            .ok_or_else(|| Error::UnknownAlgorithm {
                name: s.to_owned(),
                known: Algorithm::known(),
            })
    }
}

/// The seed every fit starts from unless told otherwise.
pub const DEFAULT_SEED: u64 = 42;

/// What popularity counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PopularityBy {
    /// Number of users who interacted with the item.
    Count,
    /// Sum of the interaction weights (likes count more than views; skips subtract).
    Weight,
}

/// Parameters of [`Algorithm::Popularity`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PopularityParams {
    /// `by`: count users or sum weights.
    pub by: PopularityBy,
    /// `seed`: accepted for uniformity; popularity is not random.
    pub seed: u64,
}

impl Default for PopularityParams {
    fn default() -> Self {
        Self {
            by: PopularityBy::Count,
            seed: DEFAULT_SEED,
        }
    }
}

/// Parameters of [`Algorithm::Trending`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendingParams {
    /// `half_life_days`: after this many days an interaction counts half (> 0).
    pub half_life_days: f64,
    /// `by`: count users or sum weights.
    pub by: PopularityBy,
    /// `seed`: accepted for uniformity; trending is not random.
    pub seed: u64,
}

impl Default for TrendingParams {
    fn default() -> Self {
        Self {
            half_life_days: 7.0,
            by: PopularityBy::Weight,
            seed: DEFAULT_SEED,
        }
    }
}

/// Parameters of [`Algorithm::Baseline`] (Surprise's `BaselineOnly` with ALS).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselineParams {
    /// `reg_u`: regularization of user biases (≥ 0).
    pub reg_u: f32,
    /// `reg_i`: regularization of item biases (≥ 0).
    pub reg_i: f32,
    /// `epochs`: alternating passes (1..=10000).
    pub epochs: usize,
    /// `seed`: accepted for uniformity; the baseline is not random.
    pub seed: u64,
}

impl Default for BaselineParams {
    fn default() -> Self {
        Self {
            reg_u: 15.0,
            reg_i: 10.0,
            epochs: 10,
            seed: DEFAULT_SEED,
        }
    }
}

/// Parameters of [`Algorithm::Mf`], biased matrix factorization by SGD.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MfParams {
    /// `factors`: latent dimensions (1..=1024).
    pub factors: usize,
    /// `lr`: SGD learning rate, in (0, 1].
    pub lr: f32,
    /// `reg`: L2 regularization of factors and biases (≥ 0).
    pub reg: f32,
    /// `epochs`: passes over the ratings (1..=10000).
    pub epochs: usize,
    /// `init_std`: standard deviation of the initial factors (> 0).
    pub init_std: f32,
    /// `blocks`: users and items are split into this many groups and the rating matrix
    /// into blocks×blocks cells; cells that share no user or item train in parallel
    /// (1 = plain sequential SGD). Results depend on it but not on the thread count (1..=256).
    pub blocks: usize,
    /// `seed`: initialization and shuffling.
    pub seed: u64,
}

impl Default for MfParams {
    fn default() -> Self {
        Self {
            factors: 50,
            lr: 0.01,
            reg: 0.05,
            epochs: 20,
            init_std: 0.1,
            blocks: 8,
            seed: DEFAULT_SEED,
        }
    }
}

/// Parameters of [`Algorithm::Svdpp`].
///
/// Surprise's `SVDpp` defaults to 20 factors, lr 0.007, reg 0.02 for every parameter and
/// 20 epochs. On the validation splits carved from the training sets (never the test
/// sets), more factors with a stronger `reg` and a much weaker `reg_implicit` did better
/// everywhere: RMSE 0.858 against 0.878 on ML-1M (users 1–2999), 0.900 against 0.918 on
/// ML-100K u1, 0.856 against 0.860 on ml-latest-small; the defaults are that setting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SvdppParams {
    /// `factors`: latent dimensions (1..=1024).
    pub factors: usize,
    /// `lr`: SGD learning rate of every parameter, in (0, 1].
    pub lr: f32,
    /// `reg`: L2 regularization of the biases and of the user and item factors (≥ 0).
    pub reg: f32,
    /// `reg_implicit`: L2 regularization of the implicit item factors `y_j` (≥ 0). Every
    /// rating of every user who rated `j` decays `y_j`, so it needs far less than `reg`.
    pub reg_implicit: f32,
    /// `epochs`: passes over the ratings (1..=10000).
    pub epochs: usize,
    /// `init_std`: standard deviation of the initial factors (> 0).
    pub init_std: f32,
    /// `seed`: initialization and shuffling.
    pub seed: u64,
}

impl Default for SvdppParams {
    fn default() -> Self {
        Self {
            factors: 100,
            lr: 0.005,
            reg: 0.07,
            reg_implicit: 0.003,
            epochs: 40,
            init_std: 0.1,
            seed: DEFAULT_SEED,
        }
    }
}

/// Parameters of [`Algorithm::Nmf`]; the defaults follow the Dummi AI seed (50 factors,
/// 20 epochs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NmfParams {
    /// `factors`: latent dimensions (1..=1024).
    pub factors: usize,
    /// `epochs`: multiplicative updates of every user row, then every item row
    /// (1..=10000).
    pub epochs: usize,
    /// `reg`: L2 regularization of both factor matrices (≥ 0). The default, 30, ranked
    /// best (precision and NDCG@10) among 3, 10, 20, 30, 50 and 100 on the validation
    /// splits carved from the training sets of ML-100K u1 and ML-1M (users 1–2999).
    pub reg: f32,
    /// `binary`: every interaction with a positive weight counts 1 (`true`), or its
    /// weight clamped at zero (`false`).
    pub binary: bool,
    /// `seed`: initialization.
    pub seed: u64,
}

impl Default for NmfParams {
    fn default() -> Self {
        Self {
            factors: 50,
            epochs: 20,
            reg: 30.0,
            binary: false,
            seed: DEFAULT_SEED,
        }
    }
}

/// How [`Algorithm::Als`] solves each user's and item's least-squares problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AlsSolver {
    /// A few conjugate-gradient steps warm-started from the previous factors (fast).
    Cg,
    /// An exact Cholesky solve (slower, exact).
    Cholesky,
}

/// Parameters of [`Algorithm::Als`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlsParams {
    /// `factors`: latent dimensions (1..=1024).
    pub factors: usize,
    /// `iterations`: alternating sweeps (1..=10000).
    pub iterations: usize,
    /// `reg`: L2 regularization (≥ 0).
    pub reg: f32,
    /// `alpha`: confidence is `1 + alpha·weight` (> 0).
    pub alpha: f32,
    /// `solver`: `cg` or `cholesky`.
    pub solver: AlsSolver,
    /// `cg_steps`: conjugate-gradient steps per solve (1..=64).
    pub cg_steps: usize,
    /// `binary`: every interaction has weight 1 (`true`) or its event weight (`false`).
    pub binary: bool,
    /// `seed`: initialization.
    pub seed: u64,
}

impl Default for AlsParams {
    fn default() -> Self {
        Self {
            factors: 64,
            iterations: 15,
            reg: 0.01,
            alpha: 1.0,
            solver: AlsSolver::Cg,
            cg_steps: 3,
            binary: false,
            seed: DEFAULT_SEED,
        }
    }
}

/// The item–item similarity of [`Algorithm::ItemKnn`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Similarity {
    /// Cosine of the items' interaction vectors.
    Cosine,
    /// Cosine after subtracting each user's mean value.
    AdjustedCosine,
}

/// Parameters of [`Algorithm::ItemKnn`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemKnnParams {
    /// `neighbors`: neighbours kept per item (1..=10000).
    pub neighbors: usize,
    /// `similarity`: `cosine` or `adjusted_cosine`.
    pub similarity: Similarity,
    /// `shrink`: similarities are multiplied by `n / (n + shrink)`, n the co-raters (≥ 0).
    pub shrink: f32,
    /// `binary`: every interaction has value 1 (`true`) or its rating/weight (`false`).
    pub binary: bool,
    /// `seed`: accepted for uniformity; item-kNN is not random.
    pub seed: u64,
}

impl Default for ItemKnnParams {
    fn default() -> Self {
        Self {
            neighbors: 50,
            similarity: Similarity::Cosine,
            shrink: 10.0,
            binary: false,
            seed: DEFAULT_SEED,
        }
    }
}

/// Parameters of [`Algorithm::Ease`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EaseParams {
    /// `lambda`: L2 regularization of the item–item weights (> 0).
    pub lambda: f32,
    /// `binary`: every interaction has value 1 (`true`) or its weight (`false`).
    pub binary: bool,
    /// `recency_half_life`: when scoring, an interaction followed by `n` later ones of the
    /// same user counts `recency_floor + (1 − recency_floor) · 0.5^(n / half_life)`; the
    /// order comes from the timestamps (same second = simultaneous) or, in `fold_in`, from
    /// the order of the interactions. 0 (the default) weighs every interaction alike.
    pub recency_half_life: f32,
    /// `recency_floor`: the weight the oldest interactions keep, in [0, 0.5].
    pub recency_floor: f32,
    /// `seed`: accepted for uniformity; EASE is not random.
    pub seed: u64,
}

impl Default for EaseParams {
    fn default() -> Self {
        Self {
            lambda: 500.0,
            binary: true,
            recency_half_life: 0.0,
            recency_floor: 0.05,
            seed: DEFAULT_SEED,
        }
    }
}

/// Parameters of [`Algorithm::Bpr`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BprParams {
    /// `factors`: latent dimensions (1..=1024).
    pub factors: usize,
    /// `lr`: SGD learning rate, in (0, 1].
    pub lr: f32,
    /// `reg`: L2 regularization (≥ 0).
    pub reg: f32,
    /// `epochs`: passes of as many sampled triples as there are interactions (1..=10000).
    pub epochs: usize,
    /// `popular_negatives`: share of the negative items drawn in proportion to their
    /// popularity (from the list of all interactions, as implicit samples them) instead of
    /// uniformly, in [0, 1]. Uniform negatives are mostly obscure items in a long-tailed
    /// catalog, which BPR learns to rank low by popularity alone: on HetRec Last.fm
    /// (17,600 artists) NDCG@10 was 0.071 with 0, 0.142 with 0.25, 0.141 with 1; on
    /// `ml-1m-users-1-2999` 0.217 with 0, 0.209 with 0.25, 0.136 with 1.
    pub popular_negatives: f32,
    /// `seed`: initialization and sampling.
    pub seed: u64,
}

impl Default for BprParams {
    fn default() -> Self {
        Self {
            factors: 64,
            lr: 0.01,
            reg: 0.01,
            epochs: 100,
            popular_negatives: 0.25,
            seed: DEFAULT_SEED,
        }
    }
}

/// Parameters of [`Algorithm::Layer4`].
///
/// The defaults were chosen on data simulated with `--strength-signal 0.5` and 0 (the
/// seed's pure-noise strengths, seed 42, a quarter of the pairs held out): with about
/// fifteen cells per user the network overfits within a few epochs unless strongly
/// decayed; weight decay 1 (with early stopping on the validation RMSE) was the best of
/// 1e-4 to 3, and smaller or larger embeddings did worse.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Layer4Params {
    /// `shrinkage`: pseudo-cells that pull each mean of a user's profile (per category
    /// type, hour and day) towards their overall mean, and that towards the global mean
    /// (> 0).
    pub shrinkage: f32,
    /// `category_dim`: width of the category type and category value embeddings
    /// (1..=1024).
    pub category_dim: usize,
    /// `time_dim`: width of the hour-of-day and day-of-week embeddings (1..=1024).
    pub time_dim: usize,
    /// `hidden`: units of the first tanh layer; each further layer has half (1..=4096).
    pub hidden: usize,
    /// `layers`: tanh layers (1..=8).
    pub layers: usize,
    /// `classes`: predict five strength classes (cross-entropy; the prediction is the
    /// expected class) instead of regressing the strength.
    pub classes: bool,
    /// `lr`: Adam's learning rate, in (0, 1].
    pub lr: f32,
    /// `weight_decay`: L2 penalty of embeddings and weights (≥ 0).
    pub weight_decay: f32,
    /// `batch_size`: examples per gradient step (1..=1048576).
    pub batch_size: usize,
    /// `epochs`: most passes over the training cells (1..=10000).
    pub epochs: usize,
    /// `patience`: stop after this many epochs without a better validation RMSE (0 =
    /// never stop early; the best epoch is kept either way).
    pub patience: usize,
    /// `validation`: share of the cells held back to pick the epoch, in [0, 0.5]
    /// (0 keeps the last epoch).
    pub validation: f64,
    /// `seed`: initialization, the validation split and shuffling.
    pub seed: u64,
}

impl Default for Layer4Params {
    fn default() -> Self {
        Self {
            shrinkage: 3.0,
            category_dim: 4,
            time_dim: 4,
            hidden: 32,
            layers: 2,
            classes: false,
            lr: 0.01,
            weight_decay: 0.3,
            batch_size: 64,
            epochs: 200,
            patience: 40,
            validation: 0.15,
            seed: DEFAULT_SEED,
        }
    }
}

/// Parameters of [`Algorithm::Ncf`], [`Algorithm::Gmf`] and [`Algorithm::NeuMf`].
///
/// On the leave-last-out split of ML-1M (users 1–2999), with every rating positive
/// (`positive_min=0`), NeuMF reaches HR@10 0.673 / NDCG@10 0.404 after the default 10
/// epochs (0.714 / 0.448 with `recency_half_life=5`) and the two-tower network
/// 0.630 / 0.353 (bench/README.md, "Neural recommenders").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NcfParams {
    /// `factors`: width of the GMF embeddings (1..=1024).
    pub factors: usize,
    /// `mlp_dim`: width of the MLP (NeuMF) or id (two-tower) embeddings (1..=1024).
    pub mlp_dim: usize,
    /// `tower`: units of the two-tower network's user tower's first layer (the item tower
    /// starts at twice that, the fusion MLP at that) (2..=4096).
    pub tower: usize,
    /// `negatives`: sampled negatives per positive, per epoch (1..=100).
    pub negatives: usize,
    /// `positive_min`: a rated cell is positive at this rating or above (the Neural
    /// Recommendation seed: 4; 0 makes every rated cell positive, as He et al.); implicit
    /// cells are positive when their weight is.
    pub positive_min: f32,
    /// `lr`: Adam's learning rate, in (0, 1].
    pub lr: f32,
    /// `reg`: L2 penalty of the embedding rows a batch touches (≥ 0).
    pub reg: f32,
    /// `batch_size`: examples per gradient step (1..=1048576).
    pub batch_size: usize,
    /// `epochs`: passes over the positives and fresh negatives (1..=10000).
    pub epochs: usize,
    /// `id_dropout`: share of two-tower examples trained without the user id, so the
    /// user tower also learns the cold start, in [0, 0.5].
    pub id_dropout: f64,
    /// `batch_norm`: batch normalization before the ReLU of every two-tower tower layer,
    /// as the Neural Recommendation seed builds its towers (`true`/`false`).
    pub batch_norm: bool,
    /// `dot`: the two-tower network adds the dot product of the two towers' outputs to
    /// the fusion MLP's logit (`true`/`false`). A concatenation MLP learns the
    /// user × item interaction poorly (Rendle et al. 2020); the dot product gives it
    /// directly, and doubles as the cheap retrieval score that draws the candidates.
    /// With it, each tower's last layer is linear (batch-normalized, no ReLU), so that the
    /// towers' outputs, and their dot product, can be negative.
    pub dot: bool,
    /// `pretrain`: NeuMF only: epochs of GMF and then of the MLP alone, trained on their
    /// own before NeuMF starts from both (He et al.'s pre-training, output weights halved
    /// between the two parts); 0 trains NeuMF from random weights (0..=10000).
    pub pretrain: usize,
    /// `validation_users`: users whose latest positive is held out of training and ranked
    /// after every epoch against 99 sampled negatives, the validation HR@10 the progress
    /// reports (0..=100000; 0 turns it off).
    pub validation_users: usize,
    /// `recency_half_life`: a positive followed by `n` later interactions of the same user
    /// weighs `recency_floor + (1 − recency_floor) · 0.5^(n / half_life)` in the loss, and
    /// its negatives with it, so that a user's vector leans towards what they did last;
    /// 0 (the default) weighs every positive alike (≥ 0).
    pub recency_half_life: f32,
    /// `recency_floor`: the weight the oldest positives keep, in [0, 0.5].
    pub recency_floor: f32,
    /// `seed`: initialization, sampling and shuffling.
    pub seed: u64,
}

impl Default for NcfParams {
    fn default() -> Self {
        Self {
            factors: 32,
            mlp_dim: 32,
            tower: 64,
            negatives: 4,
            positive_min: 4.0,
            lr: 0.001,
            reg: 0.0,
            batch_size: 256,
            epochs: 10,
            id_dropout: 0.1,
            batch_norm: true,
            dot: true,
            pretrain: 0,
            validation_users: 500,
            recency_half_life: 0.0,
            recency_floor: 0.05,
            seed: DEFAULT_SEED,
        }
    }
}

/// The validated hyperparameters of one fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Params {
    /// See [`PopularityParams`].
    Popularity(PopularityParams),
    /// See [`TrendingParams`].
    Trending(TrendingParams),
    /// See [`BaselineParams`].
    Baseline(BaselineParams),
    /// See [`MfParams`].
    Mf(MfParams),
    /// See [`AlsParams`].
    Als(AlsParams),
    /// See [`ItemKnnParams`].
    ItemKnn(ItemKnnParams),
    /// See [`EaseParams`].
    Ease(EaseParams),
    /// See [`BprParams`].
    Bpr(BprParams),
    /// See [`SvdppParams`].
    Svdpp(SvdppParams),
    /// See [`NmfParams`].
    Nmf(NmfParams),
    /// See [`Layer4Params`].
    Layer4(Layer4Params),
    /// See [`NcfParams`] (the two-tower network).
    Ncf(NcfParams),
    /// See [`NcfParams`].
    Gmf(NcfParams),
    /// See [`NcfParams`].
    NeuMf(NcfParams),
    /// See [`ContentParams`].
    Content(ContentParams),
    /// See [`HybridParams`].
    Hybrid(HybridParams),
}

impl Params {
    /// The defaults of `algorithm`.
    pub fn defaults(algorithm: Algorithm) -> Params {
        match algorithm {
            Algorithm::Popularity => Params::Popularity(Default::default()),
            Algorithm::Trending => Params::Trending(Default::default()),
            Algorithm::Baseline => Params::Baseline(Default::default()),
            Algorithm::Mf => Params::Mf(Default::default()),
            Algorithm::Als => Params::Als(Default::default()),
            Algorithm::ItemKnn => Params::ItemKnn(Default::default()),
            Algorithm::Ease => Params::Ease(Default::default()),
            Algorithm::Bpr => Params::Bpr(Default::default()),
            Algorithm::Svdpp => Params::Svdpp(Default::default()),
            Algorithm::Nmf => Params::Nmf(Default::default()),
            Algorithm::Layer4 => Params::Layer4(Default::default()),
            Algorithm::Ncf => Params::Ncf(Default::default()),
            Algorithm::Gmf => Params::Gmf(Default::default()),
            Algorithm::NeuMf => Params::NeuMf(Default::default()),
            Algorithm::Content => Params::Content(Default::default()),
            Algorithm::Hybrid => Params::Hybrid(Default::default()),
        }
    }

    /// The defaults of `algorithm` overridden by `key=value` pairs, validated.
    ///
    /// ```
    /// use orrery_models::{Algorithm, Params};
    /// let p = Params::parse(Algorithm::Mf, ["factors=64", "lr=0.005"]).unwrap();
    /// assert_eq!(p.get("factors").as_deref(), Some("64"));
    /// assert!(Params::parse(Algorithm::Mf, ["factors=0"]).is_err());
    /// ```
    pub fn parse<I, S>(algorithm: Algorithm, pairs: I) -> Result<Params>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut params = Params::defaults(algorithm);
        for pair in pairs {
            let pair = pair.as_ref();
            let (key, value) = pair
                .split_once('=')
                .ok_or_else(|| Error::MalformedParam(pair.to_owned()))?;
            params.set(key.trim(), value.trim())?;
        }
        params.validate()?;
        Ok(params)
    }

    /// Sets one parameter from its textual value (the range is checked by
    /// [`Params::validate`]).
    pub fn set(&mut self, key: &str, value: &str) -> Result<()> {
        let algorithm = self.algorithm();
        let field = Field {
            algorithm,
            key,
            value,
        };
        let unknown = || Error::UnknownParam {
            algorithm,
            name: key.to_owned(),
            known: Params::defaults(algorithm)
                .pairs()
                .iter()
                .map(|(k, _)| *k)
                .collect::<Vec<_>>()
                .join(", "),
        };
        if key == "seed" {
            let seed = field.int("seed")?;
            match self {
                Params::Popularity(p) => p.seed = seed,
                Params::Trending(p) => p.seed = seed,
                Params::Baseline(p) => p.seed = seed,
                Params::Mf(p) => p.seed = seed,
                Params::Als(p) => p.seed = seed,
                Params::ItemKnn(p) => p.seed = seed,
                Params::Ease(p) => p.seed = seed,
                Params::Bpr(p) => p.seed = seed,
                Params::Svdpp(p) => p.seed = seed,
                Params::Nmf(p) => p.seed = seed,
                Params::Layer4(p) => p.seed = seed,
                Params::Ncf(p) | Params::Gmf(p) | Params::NeuMf(p) => p.seed = seed,
                Params::Content(p) => p.seed = seed,
                Params::Hybrid(p) => {
                    p.seed = seed;
                    p.cf.set("seed", &seed.to_string())?;
                }
            }
            return Ok(());
        }
        match self {
            Params::Popularity(p) => match key {
                "by" => p.by = field.popularity_by()?,
                _ => return Err(unknown()),
            },
            Params::Trending(p) => match key {
                "half_life_days" => p.half_life_days = field.float("half_life_days")?,
                "by" => p.by = field.popularity_by()?,
                _ => return Err(unknown()),
            },
            Params::Baseline(p) => match key {
                "reg_u" => p.reg_u = field.float("reg_u")? as f32,
                "reg_i" => p.reg_i = field.float("reg_i")? as f32,
                "epochs" => p.epochs = field.int("epochs")? as usize,
                _ => return Err(unknown()),
            },
            Params::Mf(p) => match key {
                "factors" => p.factors = field.int("factors")? as usize,
                "lr" | "learning_rate" => p.lr = field.float("lr")? as f32,
                "reg" | "regularization" => p.reg = field.float("reg")? as f32,
                "epochs" => p.epochs = field.int("epochs")? as usize,
                "init_std" => p.init_std = field.float("init_std")? as f32,
                "blocks" => p.blocks = field.int("blocks")? as usize,
                _ => return Err(unknown()),
            },
            Params::Als(p) => match key {
                "factors" => p.factors = field.int("factors")? as usize,
                "iterations" | "epochs" => p.iterations = field.int("iterations")? as usize,
                "reg" | "regularization" => p.reg = field.float("reg")? as f32,
                "alpha" => p.alpha = field.float("alpha")? as f32,
                "solver" => {
                    p.solver = match value.to_ascii_lowercase().as_str() {
                        "cg" => AlsSolver::Cg,
                        "cholesky" => AlsSolver::Cholesky,
                        _ => return Err(field.invalid("solver", "cg or cholesky")),
                    }
                }
                "cg_steps" => p.cg_steps = field.int("cg_steps")? as usize,
                "binary" => p.binary = field.bool("binary")?,
                _ => return Err(unknown()),
            },
            Params::ItemKnn(p) => match key {
                "neighbors" | "neighbours" => p.neighbors = field.int("neighbors")? as usize,
                "similarity" => {
                    p.similarity = match value.to_ascii_lowercase().as_str() {
                        "cosine" => Similarity::Cosine,
                        "adjusted_cosine" => Similarity::AdjustedCosine,
                        _ => {
                            return Err(field.invalid("similarity", "cosine or adjusted_cosine"));
                        }
                    }
                }
                "shrink" => p.shrink = field.float("shrink")? as f32,
                "binary" => p.binary = field.bool("binary")?,
                _ => return Err(unknown()),
            },
            Params::Bpr(p) => match key {
                "factors" => p.factors = field.int("factors")? as usize,
                "lr" | "learning_rate" => p.lr = field.float("lr")? as f32,
                "reg" | "regularization" => p.reg = field.float("reg")? as f32,
                "epochs" | "iterations" => p.epochs = field.int("epochs")? as usize,
                "popular_negatives" => {
                    p.popular_negatives = field.float("popular_negatives")? as f32
                }
                _ => return Err(unknown()),
            },
            Params::Ease(p) => match key {
                "lambda" => p.lambda = field.float("lambda")? as f32,
                "binary" => p.binary = field.bool("binary")?,
                "recency_half_life" => {
                    p.recency_half_life = field.float("recency_half_life")? as f32
                }
                "recency_floor" => p.recency_floor = field.float("recency_floor")? as f32,
                _ => return Err(unknown()),
            },
            Params::Svdpp(p) => match key {
                "factors" => p.factors = field.int("factors")? as usize,
                "lr" | "learning_rate" => p.lr = field.float("lr")? as f32,
                "reg" | "regularization" => p.reg = field.float("reg")? as f32,
                "reg_implicit" => p.reg_implicit = field.float("reg_implicit")? as f32,
                "epochs" => p.epochs = field.int("epochs")? as usize,
                "init_std" => p.init_std = field.float("init_std")? as f32,
                _ => return Err(unknown()),
            },
            Params::Nmf(p) => match key {
                "factors" => p.factors = field.int("factors")? as usize,
                "epochs" | "iterations" => p.epochs = field.int("epochs")? as usize,
                "reg" | "regularization" => p.reg = field.float("reg")? as f32,
                "binary" => p.binary = field.bool("binary")?,
                _ => return Err(unknown()),
            },
            Params::Layer4(p) => match key {
                "shrinkage" => p.shrinkage = field.float("shrinkage")? as f32,
                "category_dim" => p.category_dim = field.int("category_dim")? as usize,
                "time_dim" => p.time_dim = field.int("time_dim")? as usize,
                "hidden" => p.hidden = field.int("hidden")? as usize,
                "layers" => p.layers = field.int("layers")? as usize,
                "classes" => p.classes = field.bool("classes")?,
                "lr" | "learning_rate" => p.lr = field.float("lr")? as f32,
                "weight_decay" | "reg" => p.weight_decay = field.float("weight_decay")? as f32,
                "batch_size" => p.batch_size = field.int("batch_size")? as usize,
                "epochs" => p.epochs = field.int("epochs")? as usize,
                "patience" => p.patience = field.int("patience")? as usize,
                "validation" => p.validation = field.float("validation")?,
                _ => return Err(unknown()),
            },
            Params::Ncf(p) | Params::Gmf(p) | Params::NeuMf(p) => match key {
                "factors" => p.factors = field.int("factors")? as usize,
                "mlp_dim" => p.mlp_dim = field.int("mlp_dim")? as usize,
                "tower" => p.tower = field.int("tower")? as usize,
                "negatives" => p.negatives = field.int("negatives")? as usize,
                "positive_min" => p.positive_min = field.float("positive_min")? as f32,
                "lr" | "learning_rate" => p.lr = field.float("lr")? as f32,
                "reg" | "regularization" => p.reg = field.float("reg")? as f32,
                "batch_size" => p.batch_size = field.int("batch_size")? as usize,
                "epochs" => p.epochs = field.int("epochs")? as usize,
                "id_dropout" => p.id_dropout = field.float("id_dropout")?,
                "batch_norm" => p.batch_norm = field.bool("batch_norm")?,
                "dot" => p.dot = field.bool("dot")?,
                "validation_users" => p.validation_users = field.int("validation_users")? as usize,
                "pretrain" => p.pretrain = field.int("pretrain")? as usize,
                "recency_half_life" => {
                    p.recency_half_life = field.float("recency_half_life")? as f32
                }
                "recency_floor" => p.recency_floor = field.float("recency_floor")? as f32,
                _ => return Err(unknown()),
            },
            Params::Content(p) => {
                if !content_params::set_content(p, key, value)? {
                    return Err(unknown());
                }
            }
            Params::Hybrid(p) => {
                if !content_params::set_hybrid(p, key, value)? {
                    return Err(unknown());
                }
            }
        }
        Ok(())
    }

    /// Checks every field against its range; the error names the first bad field.
    pub fn validate(&self) -> Result<()> {
        let c = Checker(self.algorithm());
        match self {
            Params::Popularity(_) => Ok(()),
            Params::Trending(p) => c.positive("half_life_days", p.half_life_days),
            Params::Baseline(p) => {
                c.non_negative("reg_u", p.reg_u.into())?;
                c.non_negative("reg_i", p.reg_i.into())?;
                c.int_range("epochs", p.epochs, 1, MAX_EPOCHS)
            }
            Params::Mf(p) => {
                c.int_range("factors", p.factors, 1, MAX_FACTORS)?;
                c.unit("lr", p.lr.into())?;
                c.non_negative("reg", p.reg.into())?;
                c.int_range("epochs", p.epochs, 1, MAX_EPOCHS)?;
                c.positive("init_std", p.init_std.into())?;
                c.int_range("blocks", p.blocks, 1, 256)
            }
            Params::Als(p) => {
                c.int_range("factors", p.factors, 1, MAX_FACTORS)?;
                c.int_range("iterations", p.iterations, 1, MAX_EPOCHS)?;
                c.non_negative("reg", p.reg.into())?;
                c.positive("alpha", p.alpha.into())?;
                c.int_range("cg_steps", p.cg_steps, 1, 64)
            }
            Params::ItemKnn(p) => {
                c.int_range("neighbors", p.neighbors, 1, 10_000)?;
                c.non_negative("shrink", p.shrink.into())
            }
            Params::Ease(p) => {
                c.positive("lambda", p.lambda.into())?;
                c.non_negative("recency_half_life", p.recency_half_life.into())?;
                c.share("recency_floor", p.recency_floor.into())
            }
            Params::Bpr(p) => {
                c.int_range("factors", p.factors, 1, MAX_FACTORS)?;
                c.unit("lr", p.lr.into())?;
                c.non_negative("reg", p.reg.into())?;
                c.int_range("epochs", p.epochs, 1, MAX_EPOCHS)?;
                c.fraction("popular_negatives", p.popular_negatives.into())
            }
            Params::Svdpp(p) => {
                c.int_range("factors", p.factors, 1, MAX_FACTORS)?;
                c.unit("lr", p.lr.into())?;
                c.non_negative("reg", p.reg.into())?;
                c.non_negative("reg_implicit", p.reg_implicit.into())?;
                c.int_range("epochs", p.epochs, 1, MAX_EPOCHS)?;
                c.positive("init_std", p.init_std.into())
            }
            Params::Nmf(p) => {
                c.int_range("factors", p.factors, 1, MAX_FACTORS)?;
                c.int_range("epochs", p.epochs, 1, MAX_EPOCHS)?;
                c.non_negative("reg", p.reg.into())
            }
            Params::Layer4(p) => {
                c.positive("shrinkage", p.shrinkage.into())?;
                c.int_range("category_dim", p.category_dim, 1, MAX_FACTORS)?;
                c.int_range("time_dim", p.time_dim, 1, MAX_FACTORS)?;
                c.int_range("hidden", p.hidden, 1, 4096)?;
                c.int_range("layers", p.layers, 1, 8)?;
                c.unit("lr", p.lr.into())?;
                c.non_negative("weight_decay", p.weight_decay.into())?;
                c.int_range("batch_size", p.batch_size, 1, MAX_BATCH)?;
                c.int_range("epochs", p.epochs, 1, MAX_EPOCHS)?;
                c.int_range("patience", p.patience, 0, MAX_EPOCHS)?;
                c.share("validation", p.validation)
            }
            Params::Ncf(p) | Params::Gmf(p) | Params::NeuMf(p) => {
                c.int_range("factors", p.factors, 1, MAX_FACTORS)?;
                c.int_range("mlp_dim", p.mlp_dim, 1, MAX_FACTORS)?;
                c.int_range("tower", p.tower, 2, 4096)?;
                c.int_range("negatives", p.negatives, 1, 100)?;
                if !p.positive_min.is_finite() {
                    c.fail(
                        "positive_min",
                        p.positive_min.to_string(),
                        "a finite number",
                    )?;
                }
                c.unit("lr", p.lr.into())?;
                c.non_negative("reg", p.reg.into())?;
                c.int_range("batch_size", p.batch_size, 1, MAX_BATCH)?;
                c.int_range("epochs", p.epochs, 1, MAX_EPOCHS)?;
                c.int_range("validation_users", p.validation_users, 0, 100_000)?;
                c.int_range("pretrain", p.pretrain, 0, MAX_EPOCHS)?;
                c.non_negative("recency_half_life", p.recency_half_life.into())?;
                c.share("recency_floor", p.recency_floor.into())?;
                c.share("id_dropout", p.id_dropout)
            }
            Params::Content(p) => content_params::validate_content(p),
            Params::Hybrid(p) => content_params::validate_hybrid(p),
        }
    }

    /// The algorithm these parameters configure.
    pub fn algorithm(&self) -> Algorithm {
        match self {
            Params::Popularity(_) => Algorithm::Popularity,
            Params::Trending(_) => Algorithm::Trending,
            Params::Baseline(_) => Algorithm::Baseline,
            Params::Mf(_) => Algorithm::Mf,
            Params::Als(_) => Algorithm::Als,
            Params::ItemKnn(_) => Algorithm::ItemKnn,
            Params::Ease(_) => Algorithm::Ease,
            Params::Bpr(_) => Algorithm::Bpr,
            Params::Svdpp(_) => Algorithm::Svdpp,
            Params::Nmf(_) => Algorithm::Nmf,
            Params::Layer4(_) => Algorithm::Layer4,
            Params::Ncf(_) => Algorithm::Ncf,
            Params::Gmf(_) => Algorithm::Gmf,
            Params::NeuMf(_) => Algorithm::NeuMf,
            Params::Content(_) => Algorithm::Content,
            Params::Hybrid(_) => Algorithm::Hybrid,
        }
    }

    /// The seed of the fit.
    pub fn seed(&self) -> u64 {
        match self {
            Params::Popularity(p) => p.seed,
            Params::Trending(p) => p.seed,
            Params::Baseline(p) => p.seed,
            Params::Mf(p) => p.seed,
            Params::Als(p) => p.seed,
            Params::ItemKnn(p) => p.seed,
            Params::Ease(p) => p.seed,
            Params::Bpr(p) => p.seed,
            Params::Svdpp(p) => p.seed,
            Params::Nmf(p) => p.seed,
            Params::Layer4(p) => p.seed,
            Params::Ncf(p) | Params::Gmf(p) | Params::NeuMf(p) => p.seed,
            Params::Content(p) => p.seed,
            Params::Hybrid(p) => p.seed,
        }
    }

    /// The same parameters with another seed.
    pub fn with_seed(mut self, seed: u64) -> Params {
        // Any u64 is a valid seed, so setting it cannot fail.
        let _ = self.set("seed", &seed.to_string());
        self
    }

    /// Every parameter as `(key, value)` text, in documentation order; parsing these pairs
    /// gives back the same parameters.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let by = |b: PopularityBy| match b {
            PopularityBy::Count => "count".to_owned(),
            PopularityBy::Weight => "weight".to_owned(),
        };
        let mut pairs = match self {
            Params::Popularity(p) => vec![("by", by(p.by))],
            Params::Trending(p) => vec![
                ("half_life_days", p.half_life_days.to_string()),
                ("by", by(p.by)),
            ],
            Params::Baseline(p) => vec![
                ("reg_u", p.reg_u.to_string()),
                ("reg_i", p.reg_i.to_string()),
                ("epochs", p.epochs.to_string()),
            ],
            Params::Mf(p) => vec![
                ("factors", p.factors.to_string()),
                ("lr", p.lr.to_string()),
                ("reg", p.reg.to_string()),
                ("epochs", p.epochs.to_string()),
                ("init_std", p.init_std.to_string()),
                ("blocks", p.blocks.to_string()),
            ],
            Params::Als(p) => vec![
                ("factors", p.factors.to_string()),
                ("iterations", p.iterations.to_string()),
                ("reg", p.reg.to_string()),
                ("alpha", p.alpha.to_string()),
                (
                    "solver",
                    match p.solver {
                        AlsSolver::Cg => "cg".to_owned(),
                        AlsSolver::Cholesky => "cholesky".to_owned(),
                    },
                ),
                ("cg_steps", p.cg_steps.to_string()),
                ("binary", p.binary.to_string()),
            ],
            Params::ItemKnn(p) => vec![
                ("neighbors", p.neighbors.to_string()),
                (
                    "similarity",
                    match p.similarity {
                        Similarity::Cosine => "cosine".to_owned(),
                        Similarity::AdjustedCosine => "adjusted_cosine".to_owned(),
                    },
                ),
                ("shrink", p.shrink.to_string()),
                ("binary", p.binary.to_string()),
            ],
            Params::Bpr(p) => vec![
                ("factors", p.factors.to_string()),
                ("lr", p.lr.to_string()),
                ("reg", p.reg.to_string()),
                ("epochs", p.epochs.to_string()),
                ("popular_negatives", p.popular_negatives.to_string()),
            ],
            Params::Ease(p) => vec![
                ("lambda", p.lambda.to_string()),
                ("binary", p.binary.to_string()),
                ("recency_half_life", p.recency_half_life.to_string()),
                ("recency_floor", p.recency_floor.to_string()),
            ],
            Params::Svdpp(p) => vec![
                ("factors", p.factors.to_string()),
                ("lr", p.lr.to_string()),
                ("reg", p.reg.to_string()),
                ("reg_implicit", p.reg_implicit.to_string()),
                ("epochs", p.epochs.to_string()),
                ("init_std", p.init_std.to_string()),
            ],
            Params::Nmf(p) => vec![
                ("factors", p.factors.to_string()),
                ("epochs", p.epochs.to_string()),
                ("reg", p.reg.to_string()),
                ("binary", p.binary.to_string()),
            ],
            Params::Layer4(p) => vec![
                ("shrinkage", p.shrinkage.to_string()),
                ("category_dim", p.category_dim.to_string()),
                ("time_dim", p.time_dim.to_string()),
                ("hidden", p.hidden.to_string()),
                ("layers", p.layers.to_string()),
                ("classes", p.classes.to_string()),
                ("lr", p.lr.to_string()),
                ("weight_decay", p.weight_decay.to_string()),
                ("batch_size", p.batch_size.to_string()),
                ("epochs", p.epochs.to_string()),
                ("patience", p.patience.to_string()),
                ("validation", p.validation.to_string()),
            ],
            Params::Ncf(p) | Params::Gmf(p) | Params::NeuMf(p) => vec![
                ("factors", p.factors.to_string()),
                ("mlp_dim", p.mlp_dim.to_string()),
                ("tower", p.tower.to_string()),
                ("negatives", p.negatives.to_string()),
                ("positive_min", p.positive_min.to_string()),
                ("lr", p.lr.to_string()),
                ("reg", p.reg.to_string()),
                ("batch_size", p.batch_size.to_string()),
                ("epochs", p.epochs.to_string()),
                ("id_dropout", p.id_dropout.to_string()),
                ("batch_norm", p.batch_norm.to_string()),
                ("dot", p.dot.to_string()),
                ("validation_users", p.validation_users.to_string()),
                ("pretrain", p.pretrain.to_string()),
                ("recency_half_life", p.recency_half_life.to_string()),
                ("recency_floor", p.recency_floor.to_string()),
            ],
            Params::Content(p) => content_params::content_pairs(p),
            Params::Hybrid(p) => content_params::hybrid_pairs(p),
        };
        pairs.push(("seed", self.seed().to_string()));
        pairs
    }

    /// The textual value of one parameter.
    pub fn get(&self, key: &str) -> Option<String> {
        self.pairs()
            .into_iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
    }
}

const MAX_FACTORS: usize = 1024;
const MAX_EPOCHS: usize = 10_000;
const MAX_BATCH: usize = 1 << 20;

/// One `key=value` being parsed, for error messages that quote it.
struct Field<'a> {
    algorithm: Algorithm,
    key: &'a str,
    value: &'a str,
}

impl Field<'_> {
    fn invalid(&self, name: &'static str, expected: &str) -> Error {
        Error::InvalidParam {
            algorithm: self.algorithm,
            name,
            value: self.value.to_owned(),
            expected: expected.to_owned(),
        }
    }

    fn int(&self, name: &'static str) -> Result<u64> {
        self.value
            .parse::<u64>()
            .map_err(|_| self.invalid(name, "a non-negative integer"))
    }

    fn float(&self, name: &'static str) -> Result<f64> {
        self.value
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| self.invalid(name, "a finite number"))
    }

    fn bool(&self, name: &'static str) -> Result<bool> {
        match self.value.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(true),
            "false" | "0" | "no" => Ok(false),
            _ => Err(self.invalid(name, "true or false")),
        }
    }

    fn popularity_by(&self) -> Result<PopularityBy> {
        debug_assert_eq!(self.key, "by");
        match self.value.to_ascii_lowercase().as_str() {
            "count" => Ok(PopularityBy::Count),
            "weight" => Ok(PopularityBy::Weight),
            _ => Err(self.invalid("by", "count or weight")),
        }
    }
}

/// Range checks that name the algorithm and the field.
struct Checker(Algorithm);

impl Checker {
    fn fail(&self, name: &'static str, value: String, expected: &str) -> Result<()> {
        Err(Error::InvalidParam {
            algorithm: self.0,
            name,
            value,
            expected: expected.to_owned(),
        })
    }

    fn int_range(&self, name: &'static str, v: usize, lo: usize, hi: usize) -> Result<()> {
        if (lo..=hi).contains(&v) {
            Ok(())
        } else {
            self.fail(name, v.to_string(), &format!("an integer in {lo}..={hi}"))
        }
    }

    fn positive(&self, name: &'static str, v: f64) -> Result<()> {
        if v.is_finite() && v > 0.0 {
            Ok(())
        } else {
            self.fail(name, v.to_string(), "a number > 0")
        }
    }

    fn non_negative(&self, name: &'static str, v: f64) -> Result<()> {
        if v.is_finite() && v >= 0.0 {
            Ok(())
        } else {
            self.fail(name, v.to_string(), "a number >= 0")
        }
    }

    fn share(&self, name: &'static str, v: f64) -> Result<()> {
        if (0.0..=0.5).contains(&v) {
            Ok(())
        } else {
            self.fail(name, v.to_string(), "a number in [0, 0.5]")
        }
    }

    fn fraction(&self, name: &'static str, v: f64) -> Result<()> {
        if (0.0..=1.0).contains(&v) {
            Ok(())
        } else {
            self.fail(name, v.to_string(), "a number in [0, 1]")
        }
    }

    fn unit(&self, name: &'static str, v: f64) -> Result<()> {
        if v > 0.0 && v <= 1.0 {
            Ok(())
        } else {
            self.fail(name, v.to_string(), "a number in (0, 1]")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invalid_field(err: Error) -> (&'static str, String) {
        match err {
            Error::InvalidParam { name, expected, .. } => (name, expected),
            other => panic!("expected InvalidParam, got {other}"),
        }
    }

    #[test]
    fn names_parse_and_print() {
        for a in Algorithm::ALL {
            assert_eq!(a.name().parse::<Algorithm>().unwrap(), a);
        }
        assert_eq!("MF".parse::<Algorithm>().unwrap(), Algorithm::Mf);
        let err = "svd".parse::<Algorithm>().unwrap_err().to_string();
        assert!(
            err.contains("popularity, trending, baseline, mf, svdpp, nmf, als, itemknn, ease, bpr"),
            "{err}"
        );
    }

    #[test]
    fn each_field_is_checked() {
        let cases: [(Algorithm, &str, &str, &str); 24] = [
            (Algorithm::Mf, "factors", "0", "1..=1024"),
            (Algorithm::Mf, "factors", "1025", "1..=1024"),
            (Algorithm::Mf, "lr", "0", "(0, 1]"),
            (Algorithm::Mf, "lr", "1.5", "(0, 1]"),
            (Algorithm::Mf, "reg", "-0.1", ">= 0"),
            (Algorithm::Mf, "epochs", "0", "1..=10000"),
            (Algorithm::Mf, "epochs", "10001", "1..=10000"),
            (Algorithm::Mf, "blocks", "0", "1..=256"),
            (Algorithm::Als, "alpha", "0", "> 0"),
            (Algorithm::Als, "factors", "2000", "1..=1024"),
            (Algorithm::Als, "iterations", "0", "1..=10000"),
            (Algorithm::Trending, "half_life_days", "-1", "> 0"),
            (Algorithm::Baseline, "reg_u", "-1", ">= 0"),
            (Algorithm::Ease, "lambda", "0", "> 0"),
            (Algorithm::Bpr, "lr", "0", "(0, 1]"),
            (Algorithm::Bpr, "popular_negatives", "1.5", "[0, 1]"),
            (Algorithm::Svdpp, "factors", "0", "1..=1024"),
            (Algorithm::Svdpp, "lr", "2", "(0, 1]"),
            (Algorithm::Svdpp, "reg", "-1", ">= 0"),
            (Algorithm::Svdpp, "reg_implicit", "-1", ">= 0"),
            (Algorithm::Svdpp, "init_std", "0", "> 0"),
            (Algorithm::Nmf, "factors", "0", "1..=1024"),
            (Algorithm::Nmf, "epochs", "0", "1..=10000"),
            (Algorithm::Nmf, "reg", "-0.5", ">= 0"),
        ];
        for (algo, key, value, expected) in cases {
            let err = Params::parse(algo, [format!("{key}={value}")]).unwrap_err();
            let message = err.to_string();
            let (name, exp) = invalid_field(err);
            assert_eq!(name, key, "{message}");
            assert!(exp.contains(expected), "{message}");
            assert!(message.contains(algo.name()), "{message}");
        }
    }

    #[test]
    fn type_errors_and_unknown_keys_are_reported() {
        let err = Params::parse(Algorithm::Mf, ["factors=many"]).unwrap_err();
        assert_eq!(invalid_field(err).0, "factors");
        let err = Params::parse(Algorithm::Mf, ["lr=NaN"]).unwrap_err();
        assert_eq!(invalid_field(err).0, "lr");
        let err = Params::parse(Algorithm::Als, ["binary=maybe"]).unwrap_err();
        assert_eq!(invalid_field(err).0, "binary");
        let err = Params::parse(Algorithm::Mf, ["alpha=1"]).unwrap_err();
        assert!(matches!(err, Error::UnknownParam { .. }));
        assert!(err.to_string().contains("factors, lr, reg"), "{err}");
        let err = Params::parse(Algorithm::Mf, ["factors"]).unwrap_err();
        assert!(matches!(err, Error::MalformedParam(_)));
    }

    #[test]
    fn defaults_follow_the_seeds_and_pairs_round_trip() {
        let Params::Mf(mf) = Params::defaults(Algorithm::Mf) else {
            unreachable!()
        };
        assert_eq!((mf.factors, mf.lr, mf.reg, mf.epochs), (50, 0.01, 0.05, 20));
        let Params::Baseline(b) = Params::defaults(Algorithm::Baseline) else {
            unreachable!()
        };
        assert_eq!((b.reg_u, b.reg_i, b.epochs), (15.0, 10.0, 10));
        let Params::Svdpp(svdpp) = Params::defaults(Algorithm::Svdpp) else {
            unreachable!()
        };
        assert_eq!(
            (svdpp.factors, svdpp.lr, svdpp.reg, svdpp.reg_implicit),
            (100, 0.005, 0.07, 0.003)
        );
        let Params::Nmf(nmf) = Params::defaults(Algorithm::Nmf) else {
            unreachable!()
        };
        assert_eq!((nmf.factors, nmf.epochs), (50, 20));
        for algo in Algorithm::ALL {
            let p = Params::defaults(algo).with_seed(7);
            p.validate().unwrap();
            let text: Vec<String> = p.pairs().iter().map(|(k, v)| format!("{k}={v}")).collect();
            assert_eq!(Params::parse(algo, &text).unwrap(), p, "{algo}");
        }
        let p = Params::parse(Algorithm::Als, ["factors=32", "solver=cholesky", "seed=9"]).unwrap();
        assert_eq!(p.get("factors").as_deref(), Some("32"));
        assert_eq!(p.get("solver").as_deref(), Some("cholesky"));
        assert_eq!(p.seed(), 9);
    }
}
