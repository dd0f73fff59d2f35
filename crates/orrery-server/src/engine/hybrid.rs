//! The engine's hybrid ranking: the active model's collaborative scores, content scores
//! (text embeddings once every item has one, the catalog's category-and-tag tokens until
//! then) and popularity, blended by `orrery-models`' rules ([`orrery_models::blend`]): the
//! same normalization, cold start, sparse-history popularity prior and diversity
//! re-ranking as the hybrid model evaluated offline, over the live catalog (so that items
//! newer than the model are ranked on their content). A neural model (NCF) does not score
//! the catalog: it rescores the candidates that its retrieval scores, the content scores
//! and popularity propose, as the Neural Recommendation seed's two-stage design does.

use std::sync::Arc;

use orrery_core::ItemIdx;
use orrery_models::blend::{self, Blend, Plan, Ranked, Signals, Source};
use orrery_models::candidates::{self, Candidate, CandidateCounts};
use orrery_models::{Fitted, Recommender, UserRepr};

use crate::engine::content::ContentState;
use crate::engine::rank::Profile;
use crate::engine::{EngineResult, Method, ServingModel, Snapshot};

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

/// What one ranking needs.
pub struct HybridInput<'a> {
    /// The catalog and model the request runs on.
    pub snapshot: &'a Snapshot,
    /// Raw collaborative scores in catalog order (−∞ where the model cannot score); a
    /// re-ranking model's retrieval scores when `reranker` is set.
    pub collaborative: Option<Vec<f32>>,
    /// The model that rescores the candidates, if it does not score the catalog.
    pub reranker: Option<Reranker<'a>>,
    /// The content side's state for this catalog.
    pub content: &'a ContentState,
    /// The user's token profile (the content signal until embeddings are complete).
    pub tokens: &'a Profile,
    /// The user's content profile (history and interests) in the embeddings' space, when
    /// the embeddings are complete and the user has one.
    pub content_profile: Option<&'a [f32]>,
    /// Popularity in [0, 1] per catalog slot (demographic group included).
    pub popularity: &'a [f32],
    /// The user's number of interactions (cold or warm).
    pub interactions: usize,
    /// Items that may be recommended.
    pub admit: &'a [bool],
    /// How to blend.
    pub blend: Blend,
    /// Items to skip, then to return.
    pub offset: usize,
    /// Items to return.
    pub n: usize,
}

/// A ranked list and how it was made.
pub struct Ranking {
    /// The items, best first.
    pub items: Vec<Ranked>,
    /// The blend's decisions for the list.
    pub plan: Plan,
    /// Where the content scores came from.
    pub content: ContentSource,
}

/// The engine's method for a blend source.
pub fn method_of(source: Source) -> Method {
    match source {
        Source::Hybrid => Method::Hybrid,
        Source::Collaborative => Method::Collaborative,
        Source::Content => Method::Content,
        Source::ColdStart => Method::ColdStart,
        Source::Popularity => Method::Popularity,
    }
}

/// A model that ranks candidates instead of the catalog (NCF and its variants, whose
/// network costs too much per item): the ranking draws candidates from its cheap
/// retrieval scores, the content scores and popularity, and the network rescores those.
#[derive(Clone, Copy)]
pub struct Reranker<'a> {
    /// The active model.
    pub model: &'a ServingModel,
    /// The user as the model sees them.
    pub repr: &'a UserRepr,
}

/// The active model's collaborative signal for `repr` in catalog order (−∞ for items it
/// does not know): its scores of the whole catalog, or, for a model that re-ranks
/// candidates, its retrieval scores and the [`Reranker`] that [`rank`] calls.
pub fn collaborative<'a>(
    snapshot: &Snapshot,
    model: &'a ServingModel,
    repr: &'a UserRepr,
) -> EngineResult<(Vec<f32>, Option<Reranker<'a>>)> {
    let mut model_scores = vec![0f32; model.model.n_items()];
    let mut reranker = None;
    match model.model.fitted() {
        // A hybrid's own content part would count twice beside the engine's.
        Fitted::Hybrid(hybrid) => hybrid.score_collaborative(repr, &mut model_scores)?,
        _ => match model.model.retrieval_scores(repr, &mut model_scores) {
            Some(()) => reranker = Some(Reranker { model, repr }),
            None => model.model.score_all(repr, &mut model_scores)?,
        },
    }
    Ok((in_catalog_order(snapshot, &model_scores), reranker))
}

/// Model-indexed scores laid out by catalog slot, −∞ where the model has no item.
fn in_catalog_order(snapshot: &Snapshot, model_scores: &[f32]) -> Vec<f32> {
    (0..snapshot.catalog.slots() as ItemIdx)
        .map(|idx| match snapshot.model_index(idx) {
            Some(m) => model_scores[m as usize],
            None => f32::NEG_INFINITY,
        })
        .collect()
}

/// The reranker's scores of the candidates, −∞ for every other slot; `None` (keep the
/// retrieval scores) if the model fails.
fn rerank_candidates(
    snapshot: &Snapshot,
    reranker: Reranker,
    candidates: &[Candidate],
) -> Option<Vec<f32>> {
    let (slots, items): (Vec<ItemIdx>, Vec<ItemIdx>) = candidates
        .iter()
        .filter_map(|c| snapshot.model_index(c.item).map(|m| (c.item, m)))
        .unzip();
    let mut scores = vec![0f32; items.len()];
    if let Err(error) = reranker
        .model
        .model
        .score(reranker.repr, &items, &mut scores)
    {
        tracing::warn!("re-ranking candidates failed, ranking on retrieval scores: {error}");
        return None;
    }
    let mut out = vec![f32::NEG_INFINITY; snapshot.catalog.slots()];
    for (slot, score) in slots.into_iter().zip(scores) {
        out[slot as usize] = score;
    }
    Some(out)
}

/// Ranks the catalog for one user.
pub fn rank(input: HybridInput) -> Ranking {
    let catalog = &input.snapshot.catalog;
    // Only cold-start lists weigh how well items fall in the user's categories.
    let cold = input.interactions < input.blend.cold_start_threshold;
    let embedded = input
        .content_profile
        .filter(|_| input.blend.use_embeddings)
        .and_then(|profile| input.content.signals(profile, cold));
    let (content, category_match, source) = match embedded {
        Some(s) => (Some(s.scores), s.category_match, ContentSource::Embeddings),
        None if input.blend.use_embeddings && !input.tokens.is_empty() => {
            let scores = (0..catalog.slots() as ItemIdx)
                .map(|idx| {
                    catalog
                        .item(idx)
                        .map_or(0.0, |item| input.tokens.score(&item.features))
                })
                .collect();
            (
                Some(scores),
                cold.then(|| input.tokens.category_match(catalog)),
                ContentSource::Tokens,
            )
        }
        None => (None, None, ContentSource::None),
    };
    let popularity = unmeasured_popularity(input.snapshot, input.popularity);
    let popularity = popularity.as_deref().unwrap_or(input.popularity);
    let reranked = match (input.reranker, input.collaborative.as_deref()) {
        (Some(reranker), Some(retrieval)) => {
            let sources = Signals {
                collaborative: Some(retrieval),
                content: content.as_deref(),
                popularity,
                category_match: None,
                interactions: input.interactions,
            };
            let candidates =
                candidates::generate(&sources, input.admit, &CandidateCounts::default());
            rerank_candidates(input.snapshot, reranker, &candidates)
        }
        _ => None,
    };
    let signals = Signals {
        collaborative: reranked.as_deref().or(input.collaborative.as_deref()),
        content: content.as_deref(),
        popularity,
        category_match: category_match.as_deref(),
        interactions: input.interactions,
    };
    let vectors = match source {
        ContentSource::Embeddings => input.content.vectors(),
        _ => None,
    };
    let k = input.offset.saturating_add(input.n);
    let (mut items, plan) = blend::rank(&signals, &input.blend, input.admit, k, vectors);
    items.drain(..input.offset.min(items.len()));
    Ranking {
        items,
        plan,
        content: if content.is_some() {
            source
        } else {
            ContentSource::None
        },
    }
}

/// Popularity with items newer than the active model set to the mean of the others: the
/// catalog counts their interactions only from the next training on, so a zero says "not
/// measured yet", not "unpopular", and would bury every new item under the popular ones.
/// `None` when there is no model or every item is known to it.
fn unmeasured_popularity(snapshot: &Snapshot, popularity: &[f32]) -> Option<Vec<f32>> {
    if !snapshot.has_unmeasured {
        return None;
    }
    let known = |idx: usize| snapshot.model_index(idx as ItemIdx).is_some();
    let live = |idx: usize| snapshot.live.get(idx).copied().unwrap_or(false);
    let measured: Vec<f32> = (0..popularity.len())
        .filter(|&i| live(i) && known(i))
        .map(|i| popularity[i])
        .collect();
    let mean = measured.iter().sum::<f32>() / measured.len().max(1) as f32;
    Some(
        (0..popularity.len())
            .map(|i| if known(i) { popularity[i] } else { mean })
            .collect(),
    )
}

/// An interest text as the encoder sees it.
pub fn interests_text(interests: &[String]) -> String {
    interests
        .iter()
        .map(|i| i.trim())
        .filter(|i| !i.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The embedding of `interests`, cached per text; `None` when there are none, when the
/// content side does not use embeddings yet, or when encoding fails.
pub async fn encode_interests(
    content: &crate::engine::content::ContentIndex,
    state: &ContentState,
    interests: &[String],
) -> Option<Arc<Vec<f32>>> {
    let text = interests_text(interests);
    if text.is_empty() || state.vectors().is_none() {
        return None;
    }
    if let Some(v) = content.cached_interests(&text) {
        return Some(v);
    }
    let encoder = crate::text_encoder::shared().await;
    let owned = text.clone();
    let vector = tokio::task::spawn_blocking(move || encoder.encode(&owned))
        .await
        .ok()?
        .map_err(|e| tracing::warn!("encoding interests failed: {e}"))
        .ok()?;
    let vector = Arc::new(vector);
    content.cache_interests(text, vector.clone());
    Some(vector)
}
