//! The recommendation flow: how one list is made for one user, the same code for the
//! server's answers and for `orrery eval`'s measurements.
//!
//! ```text
//! sources ──► merge ──► rank ──► diversify ──► page
//! (model top-N, neighbours of recent likes, content profile, popular; each searching
//!  only the items the rules admit: live, unseen, not excluded, in the category)
//! ```
//!
//! - [`sources`] propose candidates; [`sources::Candidates`] merges them and remembers
//!   which sources proposed each item, so that every list says where its items came from.
//! - [`rules::Admission`] holds the filters every source applies while it searches.
//! - The ranker blends, over the candidates only, the active model's score (a re-ranking
//!   model such as NCF scores just these), the content match and popularity, by
//!   `orrery-models`' blend ([`orrery_models::blend`]): weights that move smoothly with
//!   the length of the user's history, so that a newcomer's list follows their stated
//!   interests and each interaction moves it towards the model, with no cliff.
//! - Maximal marginal relevance spreads near duplicates apart when asked; the page is cut
//!   last.
//!
//! Each signal is scaled to [0, 1] over a fixed *basis* of candidates (each source's first
//! proposals up to its configured count), so that a deeper page, which asks the sources
//! for more, is cut from the same ranking.
//!
//! The flow reads a [`Snapshot`] and a [`ContentState`]; the engine builds them from the
//! store, evaluation from a training split ([`crate::offline`]).

pub mod rules;
pub mod sources;

use orrery_core::ItemIdx;
use orrery_models::ItemVectors;
use orrery_models::blend::{self, Blend, Plan, Ranked, Signals};
use orrery_models::{Recommender, UserRepr};
use serde::{Deserialize, Serialize};

use crate::content::ContentState;
use crate::rank::Profile;
use crate::{ServingModel, Snapshot};
use rules::Admission;
use sources::{Candidates, ModelScores, Origins};

/// How many candidates each source proposes (`[flow]` in `orrery.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FlowSettings {
    /// The active model's best items.
    pub model_candidates: usize,
    /// Items closest to the user's content profile.
    pub content_candidates: usize,
    /// The most popular items.
    pub popular_candidates: usize,
    /// The user's latest liked items whose neighbours are proposed.
    pub recent_items: usize,
    /// Neighbours proposed per recent item.
    pub neighbours_per_item: usize,
}

impl Default for FlowSettings {
    fn default() -> Self {
        FlowSettings {
            model_candidates: 200,
            content_candidates: 100,
            popular_candidates: 50,
            recent_items: 3,
            neighbours_per_item: 20,
        }
    }
}

/// Where a list's content scores came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentSource {
    /// Text embeddings of the items (and of the stated interests).
    Embeddings,
    /// The categories and tags the user likes.
    Tokens,
    /// No content signal (switched off, or nothing known about the user).
    None,
}

/// What the flow knows of one user.
pub struct FlowUser<'a> {
    /// The history in catalog slots with affinities in [-1, 1], oldest first.
    pub cells: &'a [(ItemIdx, f32)],
    /// The number of interactions (the blend's measure of the history's length).
    pub interactions: usize,
    /// The user under the snapshot's model, when the model is to be used.
    pub repr: Option<&'a UserRepr>,
    /// The user's taste over categories and tags.
    pub tokens: &'a Profile,
    /// The user's content profile in the embeddings' space, when there is one.
    pub content_profile: Option<&'a [f32]>,
    /// Popularity in [0, 1] per catalog slot, as the user's group sees it.
    pub popularity: &'a [f32],
}

/// What one list asks for.
#[derive(Debug, Clone)]
pub struct FlowRequest<'a> {
    /// Items to return.
    pub n: usize,
    /// Items to skip first (paging).
    pub offset: usize,
    /// Only items in this category.
    pub category: Option<&'a str>,
    /// Slots never to return.
    pub exclude: &'a [ItemIdx],
    /// How to blend (switches, weights, diversity).
    pub blend: Blend,
}

/// One item of a list.
#[derive(Debug, Clone, Copy)]
pub struct FlowItem {
    /// The item's catalog slot, its score and the parts of the score.
    pub ranked: Ranked,
    /// The sources that proposed it.
    pub origins: Origins,
}

/// A list and how it was made.
#[derive(Debug, Clone)]
pub struct FlowList {
    /// The items of the page, best first.
    pub items: Vec<FlowItem>,
    /// The blend's decisions.
    pub plan: Plan,
    /// Where the content scores came from.
    pub content: ContentSource,
}

/// Makes one list: sources, merge, rank, diversify, page.
pub fn recommend(
    snapshot: &Snapshot,
    content: &ContentState,
    settings: &FlowSettings,
    user: &FlowUser,
    request: &FlowRequest,
) -> orrery_models::Result<FlowList> {
    let admission = Admission::new(
        snapshot,
        user.cells.iter().map(|&(slot, _)| slot),
        request.exclude.iter().copied(),
        request.category,
    );
    let wanted = request.offset.saturating_add(request.n);
    // The sources run whatever the request's switches say (they only weigh the signals),
    // so that switching a signal off reweighs one candidate set instead of ranking another.
    let scores = UserScores::of(snapshot, content, user)?;
    let mut candidates = Candidates::default();
    if let (Some((model, _)), Some(model_scores)) = (scores.model, &scores.model_scores) {
        let n = settings.model_candidates;
        candidates.add(
            Origins::MODEL,
            sources::model_top(snapshot, &model_scores.scores, &admission, n.max(wanted)),
            n,
        );
        let neighbours = sources::neighbours(
            snapshot,
            model,
            user.cells,
            settings.recent_items,
            settings.neighbours_per_item,
            &admission,
        );
        candidates.add(Origins::NEIGHBOURS, neighbours, usize::MAX);
    }
    let n = settings.content_candidates;
    if let Some(dots) = &scores.content_dots {
        candidates.add(
            Origins::CONTENT,
            sources::content_top(dots, &admission, n.max(wanted)),
            n,
        );
    } else if let Some(tokens) = scores.tokens {
        candidates.add(
            Origins::CONTENT,
            sources::tokens_top(snapshot, tokens, user.popularity, &admission, n.max(wanted)),
            n,
        );
    }
    let n = settings.popular_candidates;
    candidates.add(
        Origins::POPULAR,
        sources::popular(snapshot, &admission, n.max(wanted)),
        n,
    );
    Ok(rank_candidates(
        snapshot,
        content,
        user,
        &candidates,
        &scores,
        &request.blend,
        request.offset..wanted,
    ))
}

/// The best `k` of `candidates` (catalog slots) by the flow's ranker, without sources or
/// rules: for protocols that name the items to rank (sampled negatives). Ties keep the
/// candidates' order.
pub fn rank_given(
    snapshot: &Snapshot,
    content: &ContentState,
    user: &FlowUser,
    candidates: &[ItemIdx],
    blend: Blend,
    k: usize,
) -> orrery_models::Result<FlowList> {
    let scores = UserScores::of(snapshot, content, user)?;
    let mut merged = Candidates::default();
    merged.add(Origins::GIVEN, candidates.iter().copied(), usize::MAX);
    Ok(rank_candidates(
        snapshot,
        content,
        user,
        &merged,
        &scores,
        &blend,
        0..k,
    ))
}

/// What the sources and the ranker read of one user's scores over the whole catalog.
struct UserScores<'a> {
    /// The active model and the user under it.
    model: Option<(&'a ServingModel, &'a UserRepr)>,
    /// The model's scores of every item it knows.
    model_scores: Option<ModelScores>,
    /// The content profile's dot product with every item's vector (−∞ where an item has
    /// none); `None` without a profile or vectors.
    content_dots: Option<Vec<f32>>,
    /// The categories and tags the user likes, the content signal while there are no
    /// vectors.
    tokens: Option<&'a Profile>,
}

impl<'a> UserScores<'a> {
    fn of(
        snapshot: &'a Snapshot,
        content: &ContentState,
        user: &FlowUser<'a>,
    ) -> orrery_models::Result<UserScores<'a>> {
        let model = snapshot.model.as_deref().zip(user.repr);
        let model_scores = match model {
            Some((model, repr)) => Some(ModelScores::of(model, repr)?),
            None => None,
        };
        let content_dots = content
            .vectors()
            .zip(user.content_profile)
            .map(|(vectors, profile)| {
                let mut dots = vec![f32::NEG_INFINITY; snapshot.catalog.slots()];
                vectors.dots(profile, &mut dots);
                dots
            });
        let tokens = (content_dots.is_none() && !user.tokens.is_empty()).then_some(user.tokens);
        Ok(UserScores {
            model,
            model_scores,
            content_dots,
            tokens,
        })
    }
}

/// Ranks the merged candidates: their signals blended, diversified when asked, and the
/// `page` of ranks cut.
fn rank_candidates(
    snapshot: &Snapshot,
    content: &ContentState,
    user: &FlowUser,
    candidates: &Candidates,
    scores: &UserScores,
    blend: &Blend,
    page: std::ops::Range<usize>,
) -> FlowList {
    let content_dots = scores.content_dots.as_deref();
    let signals = CandidateSignals::gather(
        snapshot,
        content,
        user,
        candidates,
        scores.model.zip(scores.model_scores.as_ref()),
        content_dots,
        scores.tokens,
    );
    let mmr_vectors = content
        .vectors()
        .filter(|_| blend.mmr_lambda < 1.0 && content_dots.is_some())
        .map(|v| compact_vectors(v, candidates.slots()));
    let (mut ranked, plan) = blend::rank(
        &signals.as_signals(user.interactions, candidates.basis()),
        blend,
        &vec![true; candidates.len()],
        page.end,
        mmr_vectors.as_ref(),
    );
    ranked.drain(..page.start.min(ranked.len()));
    let items = ranked
        .into_iter()
        .map(|r| {
            let i = r.item as usize;
            FlowItem {
                ranked: Ranked {
                    item: candidates.slots()[i],
                    ..r
                },
                origins: candidates.origins(i),
            }
        })
        .collect();
    let content_source = if signals.content.is_none() || plan.content_share == 0.0 {
        ContentSource::None
    } else if content_dots.is_some() {
        ContentSource::Embeddings
    } else {
        ContentSource::Tokens
    };
    FlowList {
        items,
        plan,
        content: content_source,
    }
}

/// The raw signals of the candidates, one entry per candidate.
struct CandidateSignals {
    collaborative: Option<Vec<f32>>,
    content: Option<Vec<f32>>,
    category_match: Option<Vec<f32>>,
    popularity: Vec<f32>,
}

impl CandidateSignals {
    fn gather(
        snapshot: &Snapshot,
        content: &ContentState,
        user: &FlowUser,
        candidates: &Candidates,
        model: Option<((&ServingModel, &UserRepr), &ModelScores)>,
        content_dots: Option<&[f32]>,
        tokens: Option<&Profile>,
    ) -> CandidateSignals {
        let slots = candidates.slots();
        let collaborative =
            model.map(|((model, repr), scores)| model_signal(snapshot, model, repr, scores, slots));
        let (content_scores, category_match) = match (content_dots, tokens) {
            (Some(dots), _) => {
                let scores = slots.iter().map(|&s| dots[s as usize]).collect();
                let matches =
                    user.content_profile
                        .zip(content.content.as_ref())
                        .map(|(profile, model)| {
                            let affinities = model.category_affinities(profile);
                            slots
                                .iter()
                                .map(|&s| model.item_category_match(&affinities, s))
                                .collect()
                        });
                (Some(scores), matches)
            }
            (None, Some(tokens)) => {
                let catalog = &snapshot.catalog;
                let best = tokens.best_category_weight(catalog);
                let features = |s: ItemIdx| catalog.item(s).map_or(&[][..], |i| &i.features[..]);
                (
                    Some(slots.iter().map(|&s| tokens.score(features(s))).collect()),
                    Some(
                        slots
                            .iter()
                            .map(|&s| tokens.item_category_match(catalog, features(s), best))
                            .collect(),
                    ),
                )
            }
            (None, None) => (None, None),
        };
        let popularity = slots
            .iter()
            .map(|&s| snapshot.measured_popularity(user.popularity, s))
            .collect();
        CandidateSignals {
            collaborative,
            content: content_scores,
            category_match,
            popularity,
        }
    }

    fn as_signals<'a>(&'a self, interactions: usize, basis: &'a [bool]) -> Signals<'a> {
        Signals {
            collaborative: self.collaborative.as_deref(),
            content: self.content.as_deref(),
            popularity: &self.popularity,
            category_match: self.category_match.as_deref(),
            interactions,
            scale_over: Some(basis),
        }
    }
}

/// The model's score of each candidate (−∞ for items it does not know): from the scores
/// of every item, or, for a re-ranking model, its full score of the candidates alone
/// (its retrieval scores if that fails).
fn model_signal(
    snapshot: &Snapshot,
    model: &ServingModel,
    repr: &UserRepr,
    scores: &ModelScores,
    slots: &[ItemIdx],
) -> Vec<f32> {
    let known: Vec<Option<ItemIdx>> = slots.iter().map(|&s| snapshot.model_index(s)).collect();
    let from_scores = || {
        known
            .iter()
            .map(|m| m.map_or(f32::NEG_INFINITY, |m| scores.scores[m as usize]))
            .collect()
    };
    if !scores.rerank {
        return from_scores();
    }
    let items: Vec<ItemIdx> = known.iter().flatten().copied().collect();
    let mut rescored = vec![0f32; items.len()];
    if let Err(error) = model.model.score(repr, &items, &mut rescored) {
        tracing::warn!("re-ranking candidates failed, ranking on retrieval scores: {error}");
        return from_scores();
    }
    let mut rescored = rescored.into_iter();
    known
        .iter()
        .map(|m| match m {
            Some(_) => rescored.next().unwrap_or(f32::NEG_INFINITY),
            None => f32::NEG_INFINITY,
        })
        .collect()
}

/// The candidates' vectors, in candidate order (for diversity re-ranking).
fn compact_vectors(vectors: &ItemVectors, slots: &[ItemIdx]) -> ItemVectors {
    let mut out = ItemVectors::new(vectors.dim(), slots.len());
    for (i, &slot) in slots.iter().enumerate() {
        if let Some(v) = vectors.get(slot) {
            // A stored vector is already a valid unit vector.
            let _ = out.set(i as ItemIdx, v);
        }
    }
    out
}
