//! [`SharedEncoder`]: the one text encoder of a process, resolved on first use and handed
//! to everything that turns text into vectors (serving, the background embedder,
//! training), so that the vectors an item was trained on and the vectors it is served
//! with always come from the same model.

use std::sync::{Arc, OnceLock};

use crate::encoder::{Encoder, EncoderOptions};

/// A cheaply cloned handle on a lazily resolved [`Encoder`].
///
/// Resolving reads the model's weights (and may ask a Python interpreter where a package
/// lives), so it happens on the first [`SharedEncoder::get`], not when the handle is made;
/// concurrent first callers wait for the one resolution.
#[derive(Clone)]
pub struct SharedEncoder(Arc<Inner>);

struct Inner {
    options: EncoderOptions,
    encoder: OnceLock<Arc<Encoder>>,
}

impl SharedEncoder {
    /// A handle that resolves the encoder with `options` on first use.
    pub fn new(options: EncoderOptions) -> SharedEncoder {
        SharedEncoder(Arc::new(Inner {
            options,
            encoder: OnceLock::new(),
        }))
    }

    /// A handle on an encoder that is already resolved.
    pub fn with_encoder(encoder: Encoder) -> SharedEncoder {
        let cell = OnceLock::new();
        let _ = cell.set(Arc::new(encoder));
        SharedEncoder(Arc::new(Inner {
            options: EncoderOptions::default(),
            encoder: cell,
        }))
    }

    /// The encoder, resolving it (blocking) on the first call.
    pub fn get(&self) -> Arc<Encoder> {
        self.0
            .encoder
            .get_or_init(|| {
                let encoder = Encoder::resolve(&self.0.options);
                tracing::info!("text encoder: {}", encoder.describe());
                Arc::new(encoder)
            })
            .clone()
    }

    /// The encoder if it has been resolved already.
    pub fn resolved(&self) -> Option<Arc<Encoder>> {
        self.0.encoder.get().cloned()
    }
}

impl std::fmt::Debug for SharedEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.resolved() {
            Some(encoder) => write!(f, "SharedEncoder({})", encoder.describe()),
            None => f.write_str("SharedEncoder(not resolved yet)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_one_resolution() {
        let shared = SharedEncoder::with_encoder(Encoder::feature_hashing());
        let other = shared.clone();
        assert!(Arc::ptr_eq(&shared.get(), &other.get()));
        assert!(other.resolved().is_some());
    }

    #[test]
    fn resolution_waits_for_the_first_use() {
        let shared = SharedEncoder::new(EncoderOptions {
            model_dir: Some("/nonexistent-model-dir".into()),
            read_env: false,
            search_python_package: false,
            ..EncoderOptions::default()
        });
        assert!(shared.resolved().is_none());
        let first = shared.get();
        assert_eq!(first.dim(), crate::EMBEDDING_DIM);
        assert!(Arc::ptr_eq(&first, &shared.resolved().unwrap()));
    }
}
