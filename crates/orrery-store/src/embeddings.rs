//! Item embeddings: one vector per item and encoder, with a fingerprint of the text it was
//! computed from.
//!
//! The store does not compute vectors and does not know what the encoder is: it keeps
//! whatever `f32` rows a caller hands it under an encoder name (`all-MiniLM-L6-v2`,
//! `feature-hashing-384`), so that vectors of different encoders never mix and a server
//! that restarts with the same encoder finds its vectors still valid. The fingerprint
//! ([`ItemEmbedding::text_hash`]) lets the caller skip items whose text did not change.
//!
//! Vectors are stored as little-endian `f32` bytes with their length in `dim`; a row whose
//! bytes do not match its `dim` is reported as corrupt rather than misread.

use crate::error::Context;
use crate::store::on_pool;
use crate::{Error, Store};

/// One item's vector under one encoder, as written by [`Store::put_item_embeddings`].
#[derive(Debug, Clone, PartialEq)]
pub struct ItemEmbedding {
    /// External id of the item.
    pub item: String,
    /// The encoder's name.
    pub model: String,
    /// The vector (`dim` values).
    pub vector: Vec<f32>,
    /// Fingerprint of the text the vector was computed from (the caller's hash).
    pub text_hash: u64,
    /// Unix seconds of the last write.
    pub updated_at: i64,
}

/// A vector to store for one item.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NewItemEmbedding<'a> {
    /// External id of the item; rows for items that do not exist are skipped.
    pub item: &'a str,
    /// The vector.
    pub vector: &'a [f32],
    /// Fingerprint of the text it was computed from.
    pub text_hash: u64,
}

type EmbeddingRow = (String, String, i32, Vec<u8>, i64, i64);

fn to_bytes(vector: &[f32]) -> Vec<u8> {
    vector.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn from_row(row: EmbeddingRow) -> Result<ItemEmbedding, Error> {
    let (item, model, dim, bytes, text_hash, updated_at) = row;
    if dim <= 0 || bytes.len() != dim as usize * 4 {
        return Err(Error::Corrupt {
            what: format!("item_embeddings row of item {item:?} ({model})"),
            reason: format!(
                "{} bytes for a {dim}-dimensional vector of f32 values",
                bytes.len()
            ),
        });
    }
    let vector = bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    Ok(ItemEmbedding {
        item,
        model,
        vector,
        // The hash is a u64 kept in a signed 64-bit column: the bits round-trip.
        text_hash: text_hash as u64,
        updated_at,
    })
}

const SELECT: &str = "SELECT i.ext_id, e.model, e.dim, e.vector, e.text_hash, e.updated_at \
     FROM item_embeddings e JOIN items i ON i.id = e.item_id";

impl Store {
    /// Stores (or replaces) the vectors of `rows` under encoder `model`, in one
    /// transaction. Rows naming an item that does not exist are skipped. Returns how many
    /// rows were written.
    ///
    /// Every vector must be non-empty and finite, and all of one call the same length.
    pub async fn put_item_embeddings(
        &self,
        model: &str,
        rows: &[NewItemEmbedding<'_>],
        updated_at: i64,
    ) -> Result<u64, Error> {
        if model.trim().is_empty() {
            return Err(Error::Invalid {
                what: "item embeddings".into(),
                reason: "the encoder name (model) is empty".into(),
            });
        }
        let dim = rows.first().map_or(0, |r| r.vector.len());
        for row in rows {
            if row.vector.is_empty() || row.vector.len() != dim {
                return Err(Error::Invalid {
                    what: format!("the embedding of item {:?}", row.item),
                    reason: format!(
                        "it has {} values where the batch has {dim}",
                        row.vector.len()
                    ),
                });
            }
            if row.vector.iter().any(|x| !x.is_finite()) {
                return Err(Error::Invalid {
                    what: format!("the embedding of item {:?}", row.item),
                    reason: "it contains NaN or infinity".into(),
                });
            }
        }
        if rows.is_empty() {
            return Ok(0);
        }
        let dim = i32::try_from(dim).map_err(|_| Error::Invalid {
            what: "item embeddings".into(),
            reason: format!("{dim} dimensions are too many"),
        })?;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await.context("starting to store item embeddings")?;
            let mut written = 0;
            for row in rows {
                written += sqlx::query(
                    "INSERT INTO item_embeddings \
                     (item_id, model, dim, vector, text_hash, updated_at) \
                     SELECT id, $2, $3, $4, $5, $6 FROM items WHERE ext_id = $1 \
                     ON CONFLICT (item_id, model) DO UPDATE SET dim = excluded.dim, \
                     vector = excluded.vector, text_hash = excluded.text_hash, \
                     updated_at = excluded.updated_at",
                )
                .bind(row.item)
                .bind(model)
                .bind(dim)
                .bind(to_bytes(row.vector))
                .bind(row.text_hash as i64)
                .bind(updated_at)
                .execute(&mut *tx)
                .await
                .context("storing an item embedding")?
                .rows_affected();
            }
            tx.commit().await.context("committing item embeddings")?;
            Ok(written)
        })
    }

    /// The vector of one item under encoder `model`, if stored.
    pub async fn item_embedding(
        &self,
        item: &str,
        model: &str,
    ) -> Result<Option<ItemEmbedding>, Error> {
        let row: Option<EmbeddingRow> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{SELECT} WHERE i.ext_id = $1 AND e.model = $2"
            )))
            .bind(item)
            .bind(model)
            .fetch_optional(pool)
            .await
        })
        .context("reading an item embedding")?;
        row.map(from_row).transpose()
    }

    /// Every stored vector of encoder `model`, in the order the items were first stored.
    pub async fn item_embeddings(&self, model: &str) -> Result<Vec<ItemEmbedding>, Error> {
        let rows: Vec<EmbeddingRow> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{SELECT} WHERE e.model = $1 ORDER BY i.id"
            )))
            .bind(model)
            .fetch_all(pool)
            .await
        })
        .context("listing item embeddings")?;
        rows.into_iter().map(from_row).collect()
    }

    /// `(item, text_hash)` of every vector stored under `model`: what a caller compares
    /// with the current texts to find the items to embed again, without reading vectors.
    pub async fn item_embedding_hashes(&self, model: &str) -> Result<Vec<(String, u64)>, Error> {
        let rows: Vec<(String, i64)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT i.ext_id, e.text_hash FROM item_embeddings e \
                 JOIN items i ON i.id = e.item_id WHERE e.model = $1 ORDER BY i.id",
            )
            .bind(model)
            .fetch_all(pool)
            .await
        })
        .context("listing item embedding fingerprints")?;
        Ok(rows.into_iter().map(|(i, h)| (i, h as u64)).collect())
    }

    /// Deletes the vectors of `model`, or of every encoder when `None`. Returns how many
    /// rows were deleted.
    pub async fn delete_item_embeddings(&self, model: Option<&str>) -> Result<u64, Error> {
        on_pool!(self, pool => {
            match model {
                Some(model) => sqlx::query("DELETE FROM item_embeddings WHERE model = $1")
                    .bind(model)
                    .execute(pool)
                    .await,
                None => sqlx::query("DELETE FROM item_embeddings").execute(pool).await,
            }
            .map(|r| r.rows_affected())
        })
        .context("deleting item embeddings")
    }
}
