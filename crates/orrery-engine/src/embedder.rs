//! The background embedder: items created or changed are embedded in batches, off the
//! request path, and their vectors stored (`item_embeddings`) and handed to the engine.
//!
//! Nothing is embedded twice: an item's vector is kept with a fingerprint of its text, and
//! an item whose text still has the fingerprint of its stored vector (after a restart, or
//! when another server on the same database embedded it) has that vector loaded instead.
//! At start every item of the catalog is checked; afterwards the engine sends the ids it
//! sees change. Jobs that arrive close together are merged into one batch.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use orrery_content::Encoder;
use orrery_core::ItemIdx;
use orrery_store::NewItemEmbedding;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use crate::Engine;
use crate::content::{EmbedJob, item_text, text_hash};

/// How long the embedder waits for more jobs before embedding a batch.
const GATHER: Duration = Duration::from_millis(30);
/// Texts per forward pass handed to the encoder (and rows per store write).
const BATCH: usize = 64;

/// Runs the embedder of `engine` until the task is aborted: resolves the server's text
/// encoder, checks the whole catalog, then embeds what the engine reports as changed.
pub async fn run(engine: Arc<Engine>) {
    let encoder = engine.encoder().await;
    let (tx, rx) = unbounded_channel();
    engine.content().use_model(encoder.info().name);
    engine.content().connect(tx);
    engine.content().request(EmbedJob::All);
    work(engine, encoder, rx).await;
}

async fn work(engine: Arc<Engine>, encoder: Arc<Encoder>, mut jobs: UnboundedReceiver<EmbedJob>) {
    while let Some(first) = jobs.recv().await {
        let mut all = first == EmbedJob::All;
        let mut ids: HashSet<String> = HashSet::new();
        let mut add = |job: EmbedJob, all: &mut bool| match job {
            EmbedJob::All => *all = true,
            EmbedJob::Items(items) => ids.extend(items),
        };
        add(first, &mut all);
        // Gather what arrives meanwhile into the same batch.
        while let Ok(Some(job)) = tokio::time::timeout(GATHER, jobs.recv()).await {
            add(job, &mut all);
        }
        if let Err(e) = embed(&engine, &encoder, all, ids).await {
            tracing::warn!("embedding items failed: {e}");
        }
        // The content state over the new vectors, built here rather than by the next
        // request (half a second per 100,000 items).
        let building = engine.clone();
        let build = move || building.content().state(&building.snapshot().catalog);
        if let Err(e) = tokio::task::spawn_blocking(build).await {
            tracing::warn!("building the content state stopped: {e}");
        }
    }
}

/// Brings the vectors of the catalog's items (all of them, or `ids`) up to date.
async fn embed(
    engine: &Arc<Engine>,
    encoder: &Arc<Encoder>,
    all: bool,
    ids: HashSet<String>,
) -> Result<(), orrery_store::Error> {
    let model = encoder.info().name;
    let catalog = engine.snapshot().catalog.clone();
    let content = engine.content();
    // The items to look at, with their current text.
    let mut wanted: Vec<(String, String)> = Vec::new();
    let mut gone: Vec<String> = Vec::new();
    let mut consider = |id: &str| match catalog.get(id).and_then(|i| catalog.item(i)) {
        Some(item) if !item.deleted => {
            let text = item_text(&item.record);
            if text.is_empty() {
                gone.push(id.to_owned());
            } else {
                wanted.push((id.to_owned(), text));
            }
        }
        _ => gone.push(id.to_owned()),
    };
    if all {
        for idx in 0..catalog.slots() as ItemIdx {
            if let Some(item) = catalog.item(idx).filter(|i| !i.deleted) {
                consider(&item.record.id);
            }
        }
    } else {
        let mut sorted: Vec<&String> = ids.iter().collect();
        sorted.sort();
        for id in sorted {
            consider(id);
        }
    }
    content.remove(&gone);
    // Up to date in memory: nothing to do.
    wanted.retain(|(id, text)| content.hash_of(id) != Some(text_hash(text)));
    if wanted.is_empty() {
        return Ok(());
    }
    // Stored with the same text: load instead of encoding.
    let stored: HashMap<String, u64> = engine
        .store()
        .item_embedding_hashes(model)
        .await?
        .into_iter()
        .collect();
    let (reuse, fresh): (Vec<_>, Vec<_>) = wanted
        .into_iter()
        .partition(|(id, text)| stored.get(id) == Some(&text_hash(text)));
    if !reuse.is_empty() {
        let reuse: HashSet<&str> = reuse.iter().map(|(id, _)| id.as_str()).collect();
        let rows = if reuse.len() * 4 > stored.len() {
            engine.store().item_embeddings(model).await?
        } else {
            let mut rows = Vec::with_capacity(reuse.len());
            for id in &reuse {
                rows.extend(engine.store().item_embedding(id, model).await?);
            }
            rows
        };
        let rows = rows
            .into_iter()
            .filter(|e| reuse.contains(e.item.as_str()))
            .map(|e| (e.item, e.text_hash, e.vector))
            .collect();
        index(engine, rows).await;
        tracing::debug!(items = reuse.len(), "loaded stored item embeddings");
    }
    for chunk in fresh.chunks(BATCH) {
        let texts: Vec<String> = chunk.iter().map(|(_, t)| t.clone()).collect();
        let encoder = encoder.clone();
        let encoded = tokio::task::spawn_blocking(move || {
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            encoder.encode_batch(&refs)
        })
        .await;
        let rows = match encoded {
            Ok(Ok(rows)) => rows,
            Ok(Err(e)) => {
                tracing::warn!(
                    "the text encoder failed on a batch of {} items: {e}",
                    chunk.len()
                );
                continue;
            }
            Err(e) => {
                tracing::warn!("the embedding task stopped: {e}");
                continue;
            }
        };
        let dim = rows.len() / chunk.len().max(1);
        let new: Vec<NewItemEmbedding> = chunk
            .iter()
            .zip(rows.chunks_exact(dim.max(1)))
            .map(|((id, text), vector)| NewItemEmbedding {
                item: id,
                vector,
                text_hash: text_hash(text),
            })
            .collect();
        engine
            .store()
            .put_item_embeddings(model, &new, orrery_train::unix_now())
            .await?;
        let rows = new
            .iter()
            .map(|e| (e.item.to_owned(), e.text_hash, e.vector.to_vec()))
            .collect();
        index(engine, rows).await;
        tracing::debug!(items = chunk.len(), "embedded items");
    }
    Ok(())
}

/// Adds vectors to the engine's content index off the async threads (a large batch can
/// build the index's graph).
async fn index(engine: &Arc<Engine>, rows: Vec<(String, u64, Vec<f32>)>) {
    let engine = engine.clone();
    if let Err(e) = tokio::task::spawn_blocking(move || engine.content().insert(rows)).await {
        tracing::warn!("indexing item embeddings stopped: {e}");
    }
}
