//! The [`Recommender`] interface and [`Model`], the fitted model of any algorithm.

use orrery_core::{Dataset, ItemIdx, Timestamp, UserIdx};
use serde::{Deserialize, Serialize};

use crate::algo::neural::layer4::Layer4;
use crate::algo::neural::ncf::{Ncf, Variant};
use crate::algo::popularity::Popularity;
use crate::algo::{
    Algo, als::Als, baseline::Baseline, bpr::Bpr, ease::Ease, itemknn::ItemKnn, mf::Mf, nmf::Nmf,
    svdpp::Svdpp,
};
use crate::algo::{content::Content, hybrid::Hybrid};
use crate::history::History;
use crate::repr::{normalize_history, normalize_ordered_history};
use crate::topk::top_k;
use crate::vectors::ItemVectors;
use crate::{
    Algorithm, Error, Explanation, Filter, LinearItems, Params, Progress, Result, Scored, UserRepr,
};

/// What every recommender answers, whatever its algorithm.
pub trait Recommender: Send + Sync {
    /// The algorithm behind the answers.
    fn algorithm(&self) -> Algorithm;

    /// Number of users known at training time.
    fn n_users(&self) -> usize;

    /// Number of items that can be scored.
    fn n_items(&self) -> usize;

    /// A trained user's representation, with their training interactions as history.
    fn user(&self, user: UserIdx) -> Result<UserRepr>;

    /// A representation computed from `(item, value)` interactions alone, without
    /// retraining: for a new user (cold start) or a known user after new interactions (pass
    /// their whole history). Values are ratings for rating models and weights otherwise.
    /// Pass the interactions in the order they happened, oldest first: when an item
    /// appears twice the last value counts, and models that weigh recent interactions
    /// more (EASE with `recency_half_life`) read their age from that order.
    fn fold_in(&self, interactions: &[(ItemIdx, f32)]) -> Result<UserRepr>;

    /// Scores `items` for `user` into `out` (one slot per item), allocating nothing per item.
    fn score(&self, user: &UserRepr, items: &[ItemIdx], out: &mut [f32]) -> Result<()>;

    /// Scores `items` each at its own moment (`times`, Unix seconds, parallel to
    /// `items`): context-aware models (`layer4` reads the hour and the day) predict for
    /// that moment, the others as [`Recommender::score`].
    fn score_at(
        &self,
        user: &UserRepr,
        items: &[ItemIdx],
        _times: &[Timestamp],
        out: &mut [f32],
    ) -> Result<()> {
        self.score(user, items, out)
    }

    /// Scores every item (`out.len() == n_items()`).
    fn score_all(&self, user: &UserRepr, out: &mut [f32]) -> Result<()>;

    /// The range of the training ratings when scores are predicted ratings (so that
    /// evaluation can clip to it), `None` for ranking-only models.
    fn rating_range(&self) -> Option<(f32, f32)>;

    /// The `k` best items for `user` that `filter` admits, best first.
    fn recommend(&self, user: &UserRepr, k: usize, filter: &Filter) -> Result<Vec<Scored>> {
        let mut scores = vec![0f32; self.n_items()];
        self.score_all(user, &mut scores)?;
        if filter.exclude_seen {
            for &(item, _) in &user.history {
                if let Some(s) = scores.get_mut(item as usize) {
                    *s = f32::NEG_INFINITY;
                }
            }
        }
        for &item in filter.exclude {
            if let Some(s) = scores.get_mut(item as usize) {
                *s = f32::NEG_INFINITY;
            }
        }
        let candidates = scores
            .iter()
            .enumerate()
            .map(|(i, &s)| (i as ItemIdx, s))
            .filter(|&(i, s)| s != f32::NEG_INFINITY && filter.admits_allowed(i));
        Ok(top_k(candidates, k))
    }

    /// The `k` items most similar to `item`, most similar first, without `item` itself.
    fn similar_items(&self, item: ItemIdx, k: usize) -> Result<Vec<Scored>>;

    /// Why `user` gets the score they get for `item`.
    fn explain(&self, user: &UserRepr, item: ItemIdx) -> Result<Explanation>;
}

/// The fitted state of one algorithm.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Fitted {
    /// Popularity or trending.
    Popularity(Popularity),
    /// User and item biases.
    Baseline(Baseline),
    /// Biased matrix factorization.
    Mf(Mf),
    /// Implicit ALS.
    Als(Als),
    /// Item-kNN.
    ItemKnn(ItemKnn),
    /// EASE.
    Ease(Ease),
    /// BPR.
    Bpr(Bpr),
    /// SVD++.
    Svdpp(Svdpp),
    /// NMF.
    Nmf(Nmf),
    /// The Poppy Layer 4 network.
    Layer4(Layer4),
    /// NCF, GMF or NeuMF.
    Ncf(Ncf),
    /// Content-based (item vectors).
    Content(Content),
    /// A collaborative model and the content model, blended.
    Hybrid(Hybrid),
}

macro_rules! dispatch {
    ($fitted:expr, $algo:ident => $body:expr) => {
        match $fitted {
            Fitted::Popularity($algo) => $body,
            Fitted::Baseline($algo) => $body,
            Fitted::Mf($algo) => $body,
            Fitted::Als($algo) => $body,
            Fitted::ItemKnn($algo) => $body,
            Fitted::Ease($algo) => $body,
            Fitted::Bpr($algo) => $body,
            Fitted::Svdpp($algo) => $body,
            Fitted::Nmf($algo) => $body,
            Fitted::Layer4($algo) => $body,
            Fitted::Ncf($algo) => $body,
            Fitted::Content($algo) => $body,
            Fitted::Hybrid($algo) => $body,
        }
    };
}

/// A fitted model of any algorithm, with the parameters it was trained with and the
/// training interactions (for scoring trained users and filtering what they have seen).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Model {
    params: Params,
    history: History,
    fitted: Fitted,
}

impl Model {
    /// Trains `params.algorithm()` on `dataset`, reporting each epoch to `progress`.
    ///
    /// The result depends only on the dataset and the parameters (including the seed),
    /// not on the number of threads: parallel work is split into fixed pieces whose
    /// results are combined in a fixed order. (EASE's dense Cholesky factorization, done
    /// by faer across threads, may differ in the last bits between thread counts.)
    ///
    /// The content and hybrid algorithms need item vectors: fit them with
    /// [`Model::fit_with_vectors`].
    pub fn fit(dataset: &Dataset, params: &Params, progress: &mut dyn Progress) -> Result<Model> {
        Model::fit_with_vectors(dataset, params, None, progress)
    }

    /// [`Model::fit`] with content vectors for the items, in the dataset's item order
    /// (text embeddings, for example), which the content and hybrid algorithms need and
    /// the others ignore.
    pub fn fit_with_vectors(
        dataset: &Dataset,
        params: &Params,
        vectors: Option<&ItemVectors>,
        progress: &mut dyn Progress,
    ) -> Result<Model> {
        params.validate()?;
        let fitted = fit_fitted(dataset, params, vectors, progress)?;
        Ok(Model {
            params: params.clone(),
            history: History::of(dataset),
            fitted,
        })
    }
}

/// The algorithm-specific state of `params` (validated by the caller) fitted on `dataset`.
pub(crate) fn fit_fitted(
    dataset: &Dataset,
    params: &Params,
    vectors: Option<&ItemVectors>,
    progress: &mut dyn Progress,
) -> Result<Fitted> {
    Ok(match params {
        Params::Popularity(p) => Fitted::Popularity(Popularity::fit_popularity(dataset, p)),
        Params::Trending(p) => Fitted::Popularity(Popularity::fit_trending(dataset, p)),
        Params::Baseline(p) => Fitted::Baseline(Baseline::fit(dataset, p, progress)?),
        Params::Mf(p) => Fitted::Mf(Mf::fit(dataset, p, progress)?),
        Params::Als(p) => Fitted::Als(Als::fit(dataset, p, progress)?),
        Params::ItemKnn(p) => Fitted::ItemKnn(ItemKnn::fit(dataset, p)?),
        Params::Ease(p) => Fitted::Ease(Ease::fit(dataset, p)?),
        Params::Bpr(p) => Fitted::Bpr(Bpr::fit(dataset, p, progress)?),
        Params::Svdpp(p) => Fitted::Svdpp(Svdpp::fit(dataset, p, progress)?),
        Params::Nmf(p) => Fitted::Nmf(Nmf::fit(dataset, p, progress)?),
        Params::Layer4(p) => Fitted::Layer4(Layer4::fit(dataset, p, progress)?),
        Params::Ncf(p) => Fitted::Ncf(Ncf::fit(dataset, p, Variant::TwoTower, progress)?),
        Params::Gmf(p) => Fitted::Ncf(Ncf::fit(dataset, p, Variant::Gmf, progress)?),
        Params::NeuMf(p) => Fitted::Ncf(Ncf::fit(dataset, p, Variant::NeuMf, progress)?),
        Params::Content(p) => {
            Fitted::Content(Content::fit(dataset, p, need_vectors(vectors, params)?)?)
        }
        Params::Hybrid(p) => Fitted::Hybrid(Hybrid::fit(
            dataset,
            p,
            need_vectors(vectors, params)?,
            progress,
        )?),
    })
}

fn need_vectors<'a>(vectors: Option<&'a ItemVectors>, params: &Params) -> Result<&'a ItemVectors> {
    vectors.ok_or(Error::InsufficientData {
        algorithm: params.algorithm(),
        problem: "no item vectors were given".to_owned(),
        hint: "embed the items' text (orrery-content) and fit with Model::fit_with_vectors",
    })
}

impl Model {
    /// A copy of a hybrid model that blends as `blend` says by default (its parameters
    /// updated to match), to compare blends on one fit; `None` for other algorithms.
    pub fn with_blend(&self, blend: crate::blend::Blend) -> Option<Model> {
        let mut model = self.clone();
        let (Fitted::Hybrid(hybrid), Params::Hybrid(p)) = (&mut model.fitted, &mut model.params)
        else {
            return None;
        };
        hybrid.set_blend(blend);
        p.use_cf = blend.use_cf;
        p.use_embeddings = blend.use_embeddings;
        p.cf_weight = blend.cf_weight;
        p.cold_start_threshold = blend.cold_start_threshold;
        p.popularity_weight = blend.popularity_weight;
        p.popularity_prior = blend.popularity_prior;
        p.mmr_lambda = blend.mmr_lambda;
        Some(model)
    }

    /// The parameters the model was trained with.
    pub fn params(&self) -> &Params {
        &self.params
    }

    /// The algorithm-specific state (factors, biases, neighbours).
    pub fn fitted(&self) -> &Fitted {
        &self.fitted
    }

    /// Cheap scores of every item for a model that is costly to run over the whole
    /// catalog (NCF, GMF, NeuMF: see [`Ncf::retrieval_scores`]), so that candidates can
    /// be drawn from them and only the candidates ranked by [`Recommender::score`];
    /// `None` for models that score the catalog directly.
    pub fn retrieval_scores(&self, user: &UserRepr, out: &mut [f32]) -> Option<()> {
        match &self.fitted {
            Fitted::Ncf(ncf) => {
                ncf.retrieval_scores(user, out);
                Some(())
            }
            _ => None,
        }
    }

    /// The network weights as a safetensors file for the neural models (NCF, GMF, NeuMF,
    /// layer 4; see [`Ncf::safetensors`] and [`Layer4::safetensors`] for the tensor
    /// names); `None` for the others, which are not networks.
    pub fn safetensors(&self) -> Option<Result<Vec<u8>>> {
        match &self.fitted {
            Fitted::Ncf(ncf) => Some(ncf.safetensors()),
            Fitted::Layer4(layer4) => Some(layer4.safetensors()),
            _ => None,
        }
    }

    /// Item factors as a row-major `n_items × factors` matrix, for factor models (to build
    /// a vector index of items, for example).
    pub fn item_factors(&self) -> Option<(&[f32], usize)> {
        dispatch!(&self.fitted, a => a.item_factors())
    }

    /// The item side of the scores when they are linear in the user's factors (ALS, BPR,
    /// NMF, MF, SVD++): every score is `c(user) + user.factors · factors[i] + bias[i]`,
    /// so that the best items of a user are a maximum-inner-product search over the
    /// items' `[factors[i], bias[i]]` with the query `[user.factors, 1]`. `None` for other
    /// models.
    pub fn linear_items(&self) -> Option<LinearItems<'_>> {
        dispatch!(&self.fitted, a => a.linear_items())
    }

    /// Whether [`Model::cold_start`] reads the user's profile (demographics), so that a user
    /// with no interactions still gets a representation of their own: the two-tower
    /// network's user tower does; the other models know a user by interactions alone.
    pub fn reads_profile(&self) -> bool {
        matches!(self.fitted, Fitted::Ncf(_))
    }

    /// A representation of a user the model has never seen, from their profile
    /// (demographics) and onboarding interactions: the two-tower network ([`Algorithm::Ncf`])
    /// runs its user tower on both; every other model folds the interactions in
    /// ([`Recommender::fold_in`]) and ignores the profile.
    pub fn cold_start(
        &self,
        profile: &orrery_core::UserRecord,
        interactions: &[(ItemIdx, f32)],
    ) -> Result<UserRepr> {
        match &self.fitted {
            Fitted::Ncf(ncf) => {
                let n_items = self.n_items();
                for &(item, value) in interactions {
                    if item as usize >= n_items {
                        return Err(Error::UnknownItem { item, n_items });
                    }
                    if !value.is_finite() {
                        return Err(Error::InvalidValue { item, value });
                    }
                }
                Ok(ncf.cold_start(profile, normalize_history(interactions)))
            }
            Fitted::Hybrid(hybrid) => {
                let user = self.fold_in(interactions)?;
                Ok(hybrid.with_interests(user, &profile.interests, None))
            }
            Fitted::Content(content) => {
                let mut user = self.fold_in(interactions)?;
                if let Some(v) = content.interest_vector(&profile.interests, None) {
                    user.factors = content.with_interests(&user.factors, &v);
                }
                Ok(user)
            }
            _ => self.fold_in(interactions),
        }
    }

    /// Shortcut for `recommend(&user(user)?, k, filter)`.
    pub fn recommend_user(&self, user: UserIdx, k: usize, filter: &Filter) -> Result<Vec<Scored>> {
        self.recommend(&self.user(user)?, k, filter)
    }

    /// Checks that a loaded model is internally consistent, so that no lookup can go out
    /// of bounds afterwards.
    pub(crate) fn check(&self) -> Result<()> {
        let algorithm = self.params.algorithm();
        let fitted_matches = matches!(
            (&self.fitted, algorithm),
            (
                Fitted::Popularity(_),
                Algorithm::Popularity | Algorithm::Trending
            ) | (Fitted::Baseline(_), Algorithm::Baseline)
                | (Fitted::Mf(_), Algorithm::Mf)
                | (Fitted::Als(_), Algorithm::Als)
                | (Fitted::ItemKnn(_), Algorithm::ItemKnn)
                | (Fitted::Ease(_), Algorithm::Ease)
                | (Fitted::Bpr(_), Algorithm::Bpr)
                | (Fitted::Svdpp(_), Algorithm::Svdpp)
                | (Fitted::Nmf(_), Algorithm::Nmf)
                | (Fitted::Layer4(_), Algorithm::Layer4)
                | (
                    Fitted::Ncf(_),
                    Algorithm::Ncf | Algorithm::Gmf | Algorithm::NeuMf
                )
                | (Fitted::Content(_), Algorithm::Content)
                | (Fitted::Hybrid(_), Algorithm::Hybrid)
        );
        if !fitted_matches {
            return Err(Error::Corrupt(format!(
                "the parameters are for {algorithm} but the fitted state is not"
            )));
        }
        self.params
            .validate()
            .map_err(|e| Error::Corrupt(format!("stored parameters: {e}")))?;
        let n_items = self.n_items();
        self.history.check(n_items)?;
        dispatch!(&self.fitted, a => a.check(self.history.n_users()))
    }

    /// The checks before scoring `items` into a buffer of `out_len` slots.
    fn check_scoring(&self, user: &UserRepr, items: &[ItemIdx], out_len: usize) -> Result<()> {
        if out_len != items.len() {
            return Err(Error::BufferLength {
                expected: items.len(),
                found: out_len,
            });
        }
        self.check_repr(user)?;
        self.check_items(items)
    }

    fn check_items(&self, items: &[ItemIdx]) -> Result<()> {
        let n_items = self.n_items();
        match items.iter().find(|&&i| i as usize >= n_items) {
            Some(&item) => Err(Error::UnknownItem { item, n_items }),
            None => Ok(()),
        }
    }

    fn check_repr(&self, user: &UserRepr) -> Result<()> {
        let expected = dispatch!(&self.fitted, a => a.factors());
        if user.factors.len() != expected {
            return Err(Error::ReprMismatch {
                expected,
                found: user.factors.len(),
            });
        }
        let n_items = self.n_items();
        match user.history.iter().find(|&&(i, _)| i as usize >= n_items) {
            Some(&(item, _)) => Err(Error::UnknownItem { item, n_items }),
            None => Ok(()),
        }
    }
}

impl Recommender for Model {
    fn algorithm(&self) -> Algorithm {
        self.params.algorithm()
    }

    fn n_users(&self) -> usize {
        self.history.n_users()
    }

    fn n_items(&self) -> usize {
        dispatch!(&self.fitted, a => a.n_items())
    }

    fn user(&self, user: UserIdx) -> Result<UserRepr> {
        let history = self.history.user(user).ok_or(Error::UnknownUser {
            user,
            n_users: self.n_users(),
        })?;
        Ok(dispatch!(&self.fitted, a => a.trained_user(user, history)))
    }

    fn fold_in(&self, interactions: &[(ItemIdx, f32)]) -> Result<UserRepr> {
        let n_items = self.n_items();
        for &(item, value) in interactions {
            if item as usize >= n_items {
                return Err(Error::UnknownItem { item, n_items });
            }
            if !value.is_finite() {
                return Err(Error::InvalidValue { item, value });
            }
        }
        let (history, later) = normalize_ordered_history(interactions);
        dispatch!(&self.fitted, a => a.fold_in_ordered(history, &later))
    }

    fn score(&self, user: &UserRepr, items: &[ItemIdx], out: &mut [f32]) -> Result<()> {
        self.check_scoring(user, items, out.len())?;
        dispatch!(&self.fitted, a => a.score(user, items, out));
        Ok(())
    }

    fn score_at(
        &self,
        user: &UserRepr,
        items: &[ItemIdx],
        times: &[Timestamp],
        out: &mut [f32],
    ) -> Result<()> {
        self.check_scoring(user, items, out.len())?;
        if times.len() != items.len() {
            return Err(Error::BufferLength {
                expected: items.len(),
                found: times.len(),
            });
        }
        dispatch!(&self.fitted, a => a.score_at(user, items, times, out));
        Ok(())
    }

    fn score_all(&self, user: &UserRepr, out: &mut [f32]) -> Result<()> {
        if out.len() != self.n_items() {
            return Err(Error::BufferLength {
                expected: self.n_items(),
                found: out.len(),
            });
        }
        self.check_repr(user)?;
        dispatch!(&self.fitted, a => a.score_all(user, out));
        Ok(())
    }

    fn rating_range(&self) -> Option<(f32, f32)> {
        dispatch!(&self.fitted, a => a.rating_range())
    }

    fn similar_items(&self, item: ItemIdx, k: usize) -> Result<Vec<Scored>> {
        self.check_items(&[item])?;
        dispatch!(&self.fitted, a => a.similar_items(item, k)).ok_or(Error::Unsupported {
            algorithm: self.algorithm(),
            operation: "similar_items",
        })
    }

    fn explain(&self, user: &UserRepr, item: ItemIdx) -> Result<Explanation> {
        self.check_repr(user)?;
        self.check_items(&[item])?;
        dispatch!(&self.fitted, a => a.explain(user, item))?.ok_or(Error::Unsupported {
            algorithm: self.algorithm(),
            operation: "explain",
        })
    }
}

/// The algorithm side of every fitted state, so that a composite model (the hybrid) can
/// hold any algorithm as a part.
impl Algo for Fitted {
    fn n_items(&self) -> usize {
        dispatch!(self, a => a.n_items())
    }

    fn factors(&self) -> usize {
        dispatch!(self, a => a.factors())
    }

    fn item_factors(&self) -> Option<(&[f32], usize)> {
        dispatch!(self, a => a.item_factors())
    }

    fn linear_items(&self) -> Option<LinearItems<'_>> {
        dispatch!(self, a => a.linear_items())
    }

    fn trained_user(&self, user: UserIdx, history: Vec<(ItemIdx, f32)>) -> UserRepr {
        dispatch!(self, a => a.trained_user(user, history))
    }

    fn fold_in(&self, history: Vec<(ItemIdx, f32)>) -> Result<UserRepr> {
        dispatch!(self, a => a.fold_in(history))
    }

    fn fold_in_ordered(&self, history: Vec<(ItemIdx, f32)>, later: &[u32]) -> Result<UserRepr> {
        dispatch!(self, a => a.fold_in_ordered(history, later))
    }

    fn score(&self, user: &UserRepr, items: &[ItemIdx], out: &mut [f32]) {
        dispatch!(self, a => a.score(user, items, out))
    }

    fn score_at(&self, user: &UserRepr, items: &[ItemIdx], times: &[Timestamp], out: &mut [f32]) {
        dispatch!(self, a => a.score_at(user, items, times, out))
    }

    fn score_all(&self, user: &UserRepr, out: &mut [f32]) {
        dispatch!(self, a => a.score_all(user, out))
    }

    fn rating_range(&self) -> Option<(f32, f32)> {
        dispatch!(self, a => a.rating_range())
    }

    fn similar_items(&self, item: ItemIdx, k: usize) -> Option<Vec<Scored>> {
        dispatch!(self, a => a.similar_items(item, k))
    }

    fn explain(&self, user: &UserRepr, item: ItemIdx) -> Result<Option<Explanation>> {
        dispatch!(self, a => a.explain(user, item))
    }

    fn check(&self, n_users: usize) -> Result<()> {
        dispatch!(self, a => a.check(n_users))
    }
}
