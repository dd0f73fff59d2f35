//! The server's text encoder: all-MiniLM-L6-v2 when its files can be found, else the
//! feature-hashing fallback (`orrery-content` decides, and says where the model came from
//! or why it was not found). Resolved once, on first use, on a blocking thread (loading
//! reads the model's weights and may ask a Python interpreter where a package lives), and
//! shared by everything in the process that turns item text into vectors.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use orrery_content::{Encoder, EncoderOptions};
use tokio::sync::OnceCell;

static ENCODER: OnceCell<Arc<Encoder>> = OnceCell::const_new();
/// The model folder the configuration names (`--embed-model`), tried before the others.
static MODEL_DIR: OnceLock<PathBuf> = OnceLock::new();

/// Names the model folder to try first; only the first call counts, and only before the
/// encoder is first used.
pub fn prefer_model_dir(dir: PathBuf) {
    let _ = MODEL_DIR.set(dir);
}

/// The encoder, resolving it on the first call.
pub async fn shared() -> Arc<Encoder> {
    ENCODER
        .get_or_init(|| async {
            let encoder = tokio::task::spawn_blocking(|| {
                Encoder::resolve(&EncoderOptions {
                    model_dir: MODEL_DIR.get().cloned(),
                    ..EncoderOptions::default()
                })
            })
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
