//! Item vectors for the content and hybrid algorithms: the text embedding of every item of
//! a snapshot, read from the store where it holds a vector of the same text and encoder,
//! computed (and stored) otherwise.
//!
//! The text of an item and its fingerprint are defined here once, for every writer and
//! reader of `item_embeddings` (the server's background embedder, `orrery train`,
//! `orrery eval`), so that a vector written by one is recognised as current by the others.

use std::collections::HashMap;

use orrery_content::Encoder;
use orrery_core::{Dataset, ItemIdx, ItemRecord};
use orrery_models::ItemVectors;
use orrery_store::{NewItemEmbedding, Store};

use crate::flow::{TrainError, unix_now};

/// Rows per forward pass and per store write.
const BATCH: usize = 256;

/// The text an item is embedded from: title, category values, tags and description.
pub fn item_text(record: &ItemRecord) -> String {
    let categories: Vec<&str> = record.categories.iter().map(|c| c.value.as_str()).collect();
    orrery_content::item_text(
        &record.title,
        &categories,
        &record.tags,
        record.description.as_deref().unwrap_or(""),
    )
}

/// Whether any item of `dataset` has text to embed.
pub fn has_text(dataset: &Dataset) -> bool {
    (0..dataset.n_items() as u32).any(|i| dataset.item(i).is_some_and(|r| !item_text(r).is_empty()))
}

/// A stable 64-bit fingerprint of a text (FNV-1a): equal texts, equal fingerprints, on
/// every machine and release, so that stored vectors stay valid across restarts.
pub fn text_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The texts of a dataset's items, in item order (empty for items without any).
fn texts(dataset: &Dataset) -> Vec<String> {
    (0..dataset.n_items() as ItemIdx)
        .map(|i| dataset.item(i).map(item_text).unwrap_or_default())
        .collect()
}

/// Embeds every item of `dataset` that has text with `encoder`, in item order.
pub fn embed_dataset(dataset: &Dataset, encoder: &Encoder) -> Result<ItemVectors, TrainError> {
    let texts = texts(dataset);
    let mut vectors = ItemVectors::new(encoder.dim(), texts.len());
    let with_text: Vec<usize> = (0..texts.len()).filter(|&i| !texts[i].is_empty()).collect();
    for chunk in with_text.chunks(BATCH) {
        let refs: Vec<&str> = chunk.iter().map(|&i| texts[i].as_str()).collect();
        let rows = encoder.encode_batch(&refs).map_err(embedding_error)?;
        for (&i, row) in chunk.iter().zip(rows.chunks_exact(encoder.dim())) {
            vectors.set(i as ItemIdx, row)?;
        }
    }
    Ok(vectors)
}

/// The vectors of `dataset`'s items under `encoder`: the stored ones whose text has not
/// changed, and freshly computed (and stored) ones for the rest.
pub async fn dataset_vectors(
    store: &Store,
    dataset: &Dataset,
    encoder: std::sync::Arc<Encoder>,
) -> Result<ItemVectors, TrainError> {
    let model = encoder.info().name;
    let texts = texts(dataset);
    let mut vectors = ItemVectors::new(encoder.dim(), texts.len());
    let stored: HashMap<String, (u64, Vec<f32>)> = store
        .item_embeddings(model)
        .await?
        .into_iter()
        .map(|e| (e.item, (e.text_hash, e.vector)))
        .collect();
    let mut missing = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        if text.is_empty() {
            continue;
        }
        let id = dataset.items().external(i as u32).unwrap_or_default();
        match stored.get(id) {
            Some((hash, vector)) if *hash == text_hash(text) && vector.len() == encoder.dim() => {
                vectors.set(i as ItemIdx, vector)?;
            }
            _ => missing.push(i),
        }
    }
    for chunk in missing.chunks(BATCH) {
        let batch: Vec<String> = chunk.iter().map(|&i| texts[i].clone()).collect();
        let enc = encoder.clone();
        let rows = tokio::task::spawn_blocking(move || {
            let refs: Vec<&str> = batch.iter().map(String::as_str).collect();
            enc.encode_batch(&refs)
        })
        .await
        .map_err(|e| TrainError::Task(e.to_string()))?
        .map_err(embedding_error)?;
        let dim = encoder.dim();
        let new: Vec<NewItemEmbedding> = chunk
            .iter()
            .zip(rows.chunks_exact(dim))
            .map(|(&i, vector)| NewItemEmbedding {
                item: dataset.items().external(i as u32).unwrap_or_default(),
                vector,
                text_hash: text_hash(&texts[i]),
            })
            .collect();
        store.put_item_embeddings(model, &new, unix_now()).await?;
        for (&i, row) in chunk.iter().zip(rows.chunks_exact(dim)) {
            vectors.set(i as ItemIdx, row)?;
        }
    }
    if vectors.count() == 0 {
        return Err(TrainError::Model(orrery_models::Error::InsufficientData {
            algorithm: orrery_models::Algorithm::Content,
            problem: "no item has a title, categories, tags or a description to embed".into(),
            hint: "content and hybrid need item metadata: import the items (e.g. movies.dat) or post content with titles",
        }));
    }
    Ok(vectors)
}

fn embedding_error(e: orrery_content::Error) -> TrainError {
    TrainError::Task(format!("the text encoder failed: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_stable_and_tell_texts_apart() {
        assert_eq!(text_hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(text_hash("a"), 0xaf63_dc4c_8601_ec8c);
        assert_ne!(text_hash("ML for Beginners"), text_hash("ML for beginners"));
        let item = ItemRecord {
            title: "Toy Story (1995)".into(),
            categories: vec![orrery_core::Category::new("genre", "Comedy")],
            ..ItemRecord::with_id("1")
        };
        assert_eq!(item_text(&item), "Toy Story (1995). Comedy");
    }

    #[test]
    fn a_dataset_is_embedded_in_item_order() {
        let mut b = orrery_core::DatasetBuilder::new(Default::default());
        b.add_item(ItemRecord {
            title: "Black holes".into(),
            ..ItemRecord::with_id("a")
        });
        b.add_item(ItemRecord::with_id("no-text"));
        let d = b.build();
        let v = embed_dataset(&d, &Encoder::feature_hashing()).unwrap();
        assert_eq!((v.n_items(), v.count()), (2, 1));
        assert!(v.has(0) && !v.has(1));
    }
}
