//! The hybrid recommender (the Dummi AI engine): a collaborative model of any algorithm
//! and the content model side by side, their scores normalized and blended by
//! [`crate::blend`], with interest- and popularity-based cold start.
//!
//! A user's representation holds both parts: the collaborative model's factors (and bias)
//! followed by the content profile, so that one [`UserRepr`] goes through
//! [`crate::Recommender`] like any other model's. Per-request choices (`use_cf`,
//! `use_embeddings`, `cf_weight`, diversity) go through [`Hybrid::rank`]; the
//! [`crate::Recommender`] methods use the blend the model was fitted with.

use std::collections::BTreeMap;

use orrery_core::{Dataset, ItemIdx, UserIdx};
use serde::{Deserialize, Serialize};

use crate::algo::Algo;
use crate::algo::content::Content;
use crate::blend::{self, Blend, Plan, Ranked, Signals};
use crate::content_params::HybridParams;
use crate::model::{Fitted, fit_fitted};
use crate::vectors::ItemVectors;
use crate::{Contribution, Error, Explanation, Filter, Progress, Result, Scored, UserRepr};

/// The fitted hybrid model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hybrid {
    cf: Box<Fitted>,
    content: Content,
    blend: Blend,
}

/// The raw signals of one user, owned.
struct UserSignals {
    collaborative: Vec<f32>,
    content: Option<Vec<f32>>,
    category_match: Option<Vec<f32>>,
    interactions: usize,
}

impl Hybrid {
    pub(crate) fn fit(
        dataset: &Dataset,
        params: &HybridParams,
        vectors: &ItemVectors,
        progress: &mut dyn Progress,
    ) -> Result<Hybrid> {
        let content = Content::fit(dataset, &params.content(), vectors)?;
        let cf = fit_fitted(dataset, &params.cf, None, progress)?;
        Ok(Hybrid {
            cf: Box::new(cf),
            content,
            blend: Blend {
                use_cf: params.use_cf,
                use_embeddings: params.use_embeddings,
                cf_weight: params.cf_weight,
                cold_start_threshold: params.cold_start_threshold,
                popularity_weight: params.popularity_weight,
                popularity_prior: params.popularity_prior,
                mmr_lambda: params.mmr_lambda,
            },
        })
    }

    /// The blend the model was fitted with (the defaults of [`Hybrid::rank`]).
    pub fn blend(&self) -> Blend {
        self.blend
    }

    pub(crate) fn set_blend(&mut self, blend: Blend) {
        self.blend = blend;
    }

    /// The content part.
    pub fn content(&self) -> &Content {
        &self.content
    }

    /// The collaborative part.
    pub fn collaborative(&self) -> &Fitted {
        &self.cf
    }

    /// The collaborative part's score of every item for `user` into `out` (one slot per
    /// item): what a server blending with its own content signal takes from a hybrid.
    pub fn score_collaborative(&self, user: &UserRepr, out: &mut [f32]) -> Result<()> {
        self.check_user(user)?;
        if out.len() != self.n_items() {
            return Err(Error::BufferLength {
                expected: self.n_items(),
                found: out.len(),
            });
        }
        self.cf.score_all(&self.cf_user(user), out);
        Ok(())
    }

    /// `user` with stated interests blended into their content profile: interests naming
    /// a category stand for its centroid, and `encoded` is the interests' text embedded by
    /// the caller with the items' encoder (see [`Content::interest_vector`]).
    pub fn with_interests(
        &self,
        mut user: UserRepr,
        interests: &[String],
        encoded: Option<&[f32]>,
    ) -> UserRepr {
        let k = self.cf.factors();
        if user.factors.len() != k + self.content.dim() {
            return user;
        }
        if let Some(v) = self.content.interest_vector(interests, encoded) {
            let profile = self.content.with_interests(&user.factors[k..], &v);
            user.factors.truncate(k);
            user.factors.extend(profile);
        }
        user
    }

    /// The best `k` items for `user` under `blend` that `filter` admits, with each item's
    /// normalized signals and source, and the plan of the list.
    pub fn rank(
        &self,
        user: &UserRepr,
        k: usize,
        filter: &Filter,
        blend: &Blend,
    ) -> Result<(Vec<Ranked>, Plan)> {
        self.check_user(user)?;
        let n = self.n_items();
        let mut admit: Vec<bool> = (0..n as ItemIdx)
            .map(|i| filter.admits_allowed(i))
            .collect();
        if filter.exclude_seen {
            for &(item, _) in &user.history {
                if let Some(a) = admit.get_mut(item as usize) {
                    *a = false;
                }
            }
        }
        for &item in filter.exclude {
            if let Some(a) = admit.get_mut(item as usize) {
                *a = false;
            }
        }
        let s = self.signals(user, blend);
        let signals = Signals {
            collaborative: Some(&s.collaborative),
            content: s.content.as_deref(),
            popularity: self.content.popularity(),
            category_match: s.category_match.as_deref(),
            interactions: s.interactions,
            scale_over: None,
            category_strength: None,
        };
        Ok(blend::rank(
            &signals,
            blend,
            &admit,
            k,
            Some(self.content.vectors()),
        ))
    }

    fn check_user(&self, user: &UserRepr) -> Result<()> {
        let expected = self.factors();
        if user.factors.len() != expected {
            return Err(Error::ReprMismatch {
                expected,
                found: user.factors.len(),
            });
        }
        Ok(())
    }

    /// The collaborative part's view of `user`.
    fn cf_user(&self, user: &UserRepr) -> UserRepr {
        let mut cf = user.clone();
        cf.factors.truncate(self.cf.factors());
        cf
    }

    fn profile<'a>(&self, user: &'a UserRepr) -> &'a [f32] {
        &user.factors[self.cf.factors().min(user.factors.len())..]
    }

    fn signals(&self, user: &UserRepr, blend: &Blend) -> UserSignals {
        let n = self.n_items();
        let mut collaborative = vec![f32::NAN; n];
        let interactions = user.history.len();
        if blend.use_cf && interactions > 0 {
            self.cf.score_all(&self.cf_user(user), &mut collaborative);
        }
        let profile = self.profile(user);
        let has_profile = profile.iter().any(|&x| x != 0.0);
        let content = (blend.use_embeddings && has_profile).then(|| {
            let mut out = vec![0f32; n];
            self.content.score_profile(profile, &mut out);
            out
        });
        let category_match = has_profile.then(|| self.content.category_match(profile));
        UserSignals {
            collaborative,
            content,
            category_match,
            interactions,
        }
    }

    /// Blended scores of every item under the fitted blend (no filter).
    fn blended(&self, user: &UserRepr) -> Vec<blend::BlendedItem> {
        let s = self.signals(user, &self.blend);
        let signals = Signals {
            collaborative: Some(&s.collaborative),
            content: s.content.as_deref(),
            popularity: self.content.popularity(),
            category_match: s.category_match.as_deref(),
            interactions: s.interactions,
            scale_over: None,
            category_strength: None,
        };
        blend::blend_scores(&signals, &self.blend, &vec![true; self.n_items()]).0
    }

    /// Whether the parts agree on the items.
    pub(crate) fn check_parts(&self, n_users: usize) -> Result<()> {
        self.cf.check(n_users)?;
        self.content.check(n_users)?;
        if self.cf.n_items() != self.content.n_items() {
            return Err(Error::Corrupt(format!(
                "hybrid model: the collaborative part has {} items and the content part {}",
                self.cf.n_items(),
                self.content.n_items()
            )));
        }
        Ok(())
    }
}

/// The `(min, max)` of the finite values of `scores`.
fn span(scores: &[f32]) -> Option<(f32, f32)> {
    let (lo, hi) = scores
        .iter()
        .filter(|s| s.is_finite())
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &s| {
            (lo.min(s), hi.max(s))
        });
    (lo < hi).then_some((lo, hi))
}

impl Algo for Hybrid {
    fn n_items(&self) -> usize {
        self.content.n_items()
    }

    fn factors(&self) -> usize {
        self.cf.factors() + self.content.dim()
    }

    fn trained_user(&self, user: UserIdx, history: Vec<(ItemIdx, f32)>) -> UserRepr {
        let profile = self.content.trained_user(user, history.clone()).factors;
        let mut repr = self.cf.trained_user(user, history);
        repr.factors.extend(profile);
        repr
    }

    fn fold_in(&self, history: Vec<(ItemIdx, f32)>) -> Result<UserRepr> {
        let profile = self.content.profile(&history, None);
        let mut repr = self.cf.fold_in(history)?;
        repr.factors.extend(profile);
        Ok(repr)
    }

    /// The collaborative part sees the order (EASE weighs recent interactions more); the
    /// content profile does not, its decay needs timestamps.
    fn fold_in_ordered(&self, history: Vec<(ItemIdx, f32)>, later: &[u32]) -> Result<UserRepr> {
        let profile = self.content.profile(&history, None);
        let mut repr = self.cf.fold_in_ordered(history, later)?;
        repr.factors.extend(profile);
        Ok(repr)
    }

    fn score(&self, user: &UserRepr, items: &[ItemIdx], out: &mut [f32]) {
        let all = self.blended(user);
        for (o, &i) in out.iter_mut().zip(items) {
            *o = all[i as usize].score;
        }
    }

    fn score_all(&self, user: &UserRepr, out: &mut [f32]) {
        for (o, b) in out.iter_mut().zip(self.blended(user)) {
            *o = b.score;
        }
    }

    fn similar_items(&self, item: ItemIdx, k: usize) -> Option<Vec<Scored>> {
        self.content
            .similar_items(item, k)
            .or_else(|| self.cf.similar_items(item, k))
    }

    /// The blended score as a baseline plus shares of the history's items: the
    /// collaborative model's shares and the content profile's, each scaled as its signal
    /// was normalized and weighted.
    fn explain(&self, user: &UserRepr, item: ItemIdx) -> Result<Option<Explanation>> {
        let s = self.signals(user, &self.blend);
        let signals = Signals {
            collaborative: Some(&s.collaborative),
            content: s.content.as_deref(),
            popularity: self.content.popularity(),
            category_match: s.category_match.as_deref(),
            interactions: s.interactions,
            scale_over: None,
            category_strength: None,
        };
        let (scores, plan) =
            blend::blend_scores(&signals, &self.blend, &vec![true; self.n_items()]);
        let score = scores[item as usize].score;
        let mut shares: BTreeMap<ItemIdx, f32> = BTreeMap::new();
        if plan.cf_share > 0.0
            && let Some((lo, hi)) = span(&s.collaborative)
            && let Some(e) = self.cf.explain(&self.cf_user(user), item)?
        {
            let scale = plan.cf_share / (hi - lo);
            for c in e.contributions {
                *shares.entry(c.item).or_default() += scale * c.weight;
            }
        }
        let content_weight = plan.content_share;
        if let Some(content) = &s.content
            && content_weight > 0.0
            && let Some((lo, hi)) = span(content)
        {
            let e = self
                .content
                .contributions(self.profile(user), &user.history, item);
            let scale = content_weight / (hi - lo);
            for c in e.contributions {
                *shares.entry(c.item).or_default() += scale * c.weight;
            }
        }
        let contributions: Vec<Contribution> = shares
            .into_iter()
            .filter(|&(_, w)| w != 0.0)
            .map(|(item, weight)| Contribution { item, weight })
            .collect();
        let explained: f32 = contributions.iter().map(|c| c.weight).sum();
        Ok(Some(Explanation::new(
            item,
            score - explained,
            contributions,
        )))
    }

    fn check(&self, n_users: usize) -> Result<()> {
        self.check_parts(n_users)
    }
}
