//! The server's text encoder: all-MiniLM-L6-v2 when its files can be found, else the
//! feature-hashing fallback (`orrery-content` decides, and says where the model came from
//! or why it was not found). Resolved once, on first use, on a blocking thread (loading
//! reads the model's weights and may ask a Python interpreter where a package lives), and
//! shared by everything in the process that turns item text into vectors.

use std::sync::Arc;

use orrery_content::{Encoder, EncoderOptions};
use tokio::sync::OnceCell;

static ENCODER: OnceCell<Arc<Encoder>> = OnceCell::const_new();

/// The encoder, resolving it on the first call.
pub async fn shared() -> Arc<Encoder> {
    ENCODER
        .get_or_init(|| async {
            let encoder =
                tokio::task::spawn_blocking(|| Encoder::resolve(&EncoderOptions::default()))
                    .await
                    .unwrap_or_else(|e| {
                        tracing::warn!("resolving the text encoder failed ({e}): feature hashing");
                        Encoder::feature_hashing()
                    });
            tracing::info!("text encoder: {}", encoder.describe());
            Arc::new(encoder)
        })
        .await
        .clone()
}
