//! all-MiniLM-L6-v2 (a 6-layer BERT with mean pooling) run in-process.
//!
//! candle reads the safetensors weights; the forward pass is written out here over packed
//! token rows instead of candle's generic tensor ops, because that is where the speed is:
//!
//! - **No padding at all.** The sequences of a batch are packed one after another into a
//!   single `tokens × 384` matrix. Every linear layer is one GEMM over real tokens only;
//!   attention runs per sequence over its own rows. Padded positions in BERT contribute
//!   nothing to real tokens (their attention weight is exactly zero), so skipping them
//!   gives the same vectors as sentence-transformers while doing none of its padding work.
//! - **Fused steps.** Q, K and V are one GEMM against a concatenated weight; bias and
//!   residual are written into the output before the GEMM accumulates onto them; layer
//!   norm and GELU run in place, vectorized, split across threads.
//! - **Length-sorted batches**, so that each batch holds sequences of similar length and
//!   the per-sequence attention work is balanced between threads.

use std::path::Path;

use faer::{Accum, MatMut, MatRef, Par};
use rayon::prelude::*;
use tokenizers::Tokenizer;

use crate::error::{Error, Result};
use crate::kernels::{self, Kernel};

/// sentence-transformers' `max_seq_length` for this model, used when the folder has no
/// `sentence_bert_config.json`.
const DEFAULT_MAX_SEQ_LEN: usize = 256;

/// Rows handed to one thread for layer norm and GELU.
const ROWS_PER_TASK: usize = 16;

#[derive(serde::Deserialize)]
struct BertConfig {
    vocab_size: usize,
    hidden_size: usize,
    num_hidden_layers: usize,
    num_attention_heads: usize,
    intermediate_size: usize,
    hidden_act: String,
    max_position_embeddings: usize,
    type_vocab_size: usize,
    layer_norm_eps: f64,
}

#[derive(serde::Deserialize)]
struct SentenceBertConfig {
    max_seq_length: Option<usize>,
}

struct Layer {
    /// Query, key and value weights stacked: `3·hidden × hidden`, row-major (PyTorch's `out × in`).
    w_qkv: Vec<f32>,
    b_qkv: Vec<f32>,
    w_attn_out: Vec<f32>,
    b_attn_out: Vec<f32>,
    ln_attn: (Vec<f32>, Vec<f32>),
    w_inter: Vec<f32>,
    b_inter: Vec<f32>,
    w_out: Vec<f32>,
    b_out: Vec<f32>,
    ln_out: (Vec<f32>, Vec<f32>),
}

/// The loaded model and tokenizer.
pub(crate) struct MiniLm {
    tokenizer: Tokenizer,
    hidden: usize,
    heads: usize,
    intermediate: usize,
    eps: f32,
    max_seq_len: usize,
    vocab_size: usize,
    word_embeddings: Vec<f32>,
    position_embeddings: Vec<f32>,
    token_type_0: Vec<f32>,
    ln_embeddings: (Vec<f32>, Vec<f32>),
    layers: Vec<Layer>,
}

impl MiniLm {
    /// Loads `config.json`, `tokenizer.json` and `model.safetensors` from `dir`.
    pub(crate) fn load(dir: &Path) -> Result<MiniLm> {
        if let Err(file) = crate::locate::check_dir(dir) {
            return Err(Error::MissingModelFile {
                dir: dir.to_path_buf(),
                file,
            });
        }
        let config_path = dir.join("config.json");
        let config: BertConfig = read_json(&config_path)?;
        let bad_config = |message: String| Error::BadModelFile {
            path: config_path.clone(),
            message,
        };
        if config.hidden_act != "gelu" {
            return Err(bad_config(format!(
                "hidden_act is {:?}; only BERT models with exact \"gelu\" are supported",
                config.hidden_act
            )));
        }
        if config.num_attention_heads == 0
            || !config
                .hidden_size
                .is_multiple_of(config.num_attention_heads)
        {
            return Err(bad_config(format!(
                "hidden_size {} is not a multiple of num_attention_heads {}",
                config.hidden_size, config.num_attention_heads
            )));
        }
        if config.type_vocab_size == 0 {
            return Err(bad_config("type_vocab_size is 0".into()));
        }
        let st_config = dir.join("sentence_bert_config.json");
        let max_seq_len = if st_config.is_file() {
            read_json::<SentenceBertConfig>(&st_config)?.max_seq_length
        } else {
            None
        }
        .unwrap_or(DEFAULT_MAX_SEQ_LEN)
        .min(config.max_position_embeddings);

        let tokenizer = load_tokenizer(&dir.join("tokenizer.json"), max_seq_len)?;
        let weights = Weights::load(&dir.join("model.safetensors"))?;
        let (h, i) = (config.hidden_size, config.intermediate_size);
        let emb = "embeddings";
        let token_types = weights.get(
            &format!("{emb}.token_type_embeddings.weight"),
            &[config.type_vocab_size, h],
        )?;
        let mut layers = Vec::with_capacity(config.num_hidden_layers);
        for l in 0..config.num_hidden_layers {
            let p = format!("encoder.layer.{l}");
            let mut w_qkv = Vec::with_capacity(3 * h * h);
            let mut b_qkv = Vec::with_capacity(3 * h);
            for part in ["query", "key", "value"] {
                w_qkv.extend(weights.get(&format!("{p}.attention.self.{part}.weight"), &[h, h])?);
                b_qkv.extend(weights.get(&format!("{p}.attention.self.{part}.bias"), &[h])?);
            }
            layers.push(Layer {
                w_qkv,
                b_qkv,
                w_attn_out: weights.get(&format!("{p}.attention.output.dense.weight"), &[h, h])?,
                b_attn_out: weights.get(&format!("{p}.attention.output.dense.bias"), &[h])?,
                ln_attn: weights.layer_norm(&format!("{p}.attention.output.LayerNorm"), h)?,
                w_inter: weights.get(&format!("{p}.intermediate.dense.weight"), &[i, h])?,
                b_inter: weights.get(&format!("{p}.intermediate.dense.bias"), &[i])?,
                w_out: weights.get(&format!("{p}.output.dense.weight"), &[h, i])?,
                b_out: weights.get(&format!("{p}.output.dense.bias"), &[h])?,
                ln_out: weights.layer_norm(&format!("{p}.output.LayerNorm"), h)?,
            });
        }
        Ok(MiniLm {
            tokenizer,
            hidden: h,
            heads: config.num_attention_heads,
            intermediate: i,
            eps: config.layer_norm_eps as f32,
            max_seq_len,
            vocab_size: config.vocab_size,
            word_embeddings: weights.get(
                &format!("{emb}.word_embeddings.weight"),
                &[config.vocab_size, h],
            )?,
            position_embeddings: weights.get(
                &format!("{emb}.position_embeddings.weight"),
                &[config.max_position_embeddings, h],
            )?,
            token_type_0: token_types[..h].to_vec(),
            ln_embeddings: weights.layer_norm(&format!("{emb}.LayerNorm"), h)?,
            layers,
        })
    }

    /// Output dimension (384 for all-MiniLM-L6-v2).
    pub(crate) fn dim(&self) -> usize {
        self.hidden
    }

    /// The longest input in tokens, special tokens included; longer inputs are truncated.
    pub(crate) fn max_seq_len(&self) -> usize {
        self.max_seq_len
    }

    /// Token ids of each text, truncated to [`Self::max_seq_len`], `[CLS]`/`[SEP]` included.
    pub(crate) fn tokenize(&self, texts: &[&str]) -> Result<Vec<Vec<u32>>> {
        let encodings = self
            .tokenizer
            .encode_batch(texts.to_vec(), true)
            .map_err(|e| Error::Tokenizer(e.to_string()))?;
        Ok(encodings
            .into_iter()
            .map(|e| e.get_ids().to_vec())
            .collect())
    }

    /// Embeds `texts` into `out` (row-major, `texts.len() × dim`), `batch_size` sequences
    /// per forward pass, shortest first.
    pub(crate) fn encode_into(
        &self,
        texts: &[&str],
        batch_size: usize,
        out: &mut [f32],
    ) -> Result<()> {
        let ids = self.tokenize(texts)?;
        let mut order: Vec<usize> = (0..ids.len()).collect();
        order.sort_by_key(|&i| ids[i].len());
        let mut pooled = vec![0.0f32; batch_size.max(1) * self.hidden];
        for batch in order.chunks(batch_size.max(1)) {
            let seqs: Vec<&[u32]> = batch.iter().map(|&i| ids[i].as_slice()).collect();
            let pooled = &mut pooled[..batch.len() * self.hidden];
            self.forward(&seqs, pooled);
            for (row, &i) in pooled.chunks_exact(self.hidden).zip(batch) {
                out[i * self.hidden..(i + 1) * self.hidden].copy_from_slice(row);
            }
        }
        Ok(())
    }

    /// Runs the encoder over packed sequences and writes their mean-pooled, L2-normalized
    /// embeddings into `pooled` (`seqs.len() × hidden`).
    fn forward(&self, seqs: &[&[u32]], pooled: &mut [f32]) {
        let h = self.hidden;
        let mut offsets = Vec::with_capacity(seqs.len() + 1);
        offsets.push(0usize);
        for s in seqs {
            offsets.push(offsets[offsets.len() - 1] + s.len());
        }
        let tokens = offsets[seqs.len()];

        let mut x = vec![0.0f32; tokens * h];
        self.embed(seqs, &offsets, &mut x);
        let mut qkv = vec![0.0f32; tokens * 3 * h];
        let mut ctx = vec![0.0f32; tokens * h];
        let mut attn = vec![0.0f32; tokens * h];
        let mut inter = vec![0.0f32; tokens * self.intermediate];

        for layer in &self.layers {
            fill_rows(&mut qkv, &layer.b_qkv);
            linear(&x, &layer.w_qkv, &mut qkv, tokens, h, 3 * h);
            self.attention(&qkv, &offsets, &mut ctx);

            // attn = LayerNorm(x + b + ctx·Wᵀ)
            add_rows(&mut attn, &x, &layer.b_attn_out);
            linear(&ctx, &layer.w_attn_out, &mut attn, tokens, h, h);
            layer_norm_par(&mut attn, &layer.ln_attn, self.eps);

            fill_rows(&mut inter, &layer.b_inter);
            linear(
                &attn,
                &layer.w_inter,
                &mut inter,
                tokens,
                h,
                self.intermediate,
            );
            gelu_par(&mut inter, self.intermediate);

            // x = LayerNorm(attn + b + inter·Wᵀ)
            add_rows(&mut x, &attn, &layer.b_out);
            linear(&inter, &layer.w_out, &mut x, tokens, self.intermediate, h);
            layer_norm_par(&mut x, &layer.ln_out, self.eps);
        }

        for (s, out) in pooled.chunks_exact_mut(h).enumerate() {
            out.fill(0.0);
            let rows = &x[offsets[s] * h..offsets[s + 1] * h];
            for row in rows.chunks_exact(h) {
                out.iter_mut().zip(row).for_each(|(o, v)| *o += v);
            }
            let n = (offsets[s + 1] - offsets[s]).max(1) as f32;
            out.iter_mut().for_each(|o| *o /= n);
            kernels::normalize(out);
        }
    }

    /// Word + position + token-type embeddings, layer-normalized.
    fn embed(&self, seqs: &[&[u32]], offsets: &[usize], x: &mut [f32]) {
        let h = self.hidden;
        for (s, ids) in seqs.iter().enumerate() {
            for (pos, &id) in ids.iter().enumerate() {
                // Ids come from the model's own tokenizer; clamp anyway so a mismatched
                // tokenizer cannot index past the table.
                let id = (id as usize).min(self.vocab_size - 1);
                let row = &mut x[(offsets[s] + pos) * h..(offsets[s] + pos + 1) * h];
                let word = &self.word_embeddings[id * h..(id + 1) * h];
                let position = &self.position_embeddings[pos * h..(pos + 1) * h];
                for (((r, w), p), t) in row
                    .iter_mut()
                    .zip(word)
                    .zip(position)
                    .zip(&self.token_type_0)
                {
                    *r = w + p + t;
                }
            }
        }
        layer_norm_par(x, &self.ln_embeddings, self.eps);
    }

    /// Multi-head self-attention of each sequence over its own rows of `qkv`.
    fn attention(&self, qkv: &[f32], offsets: &[usize], ctx: &mut [f32]) {
        let h = self.hidden;
        let mut chunks: Vec<(usize, &mut [f32])> = Vec::with_capacity(offsets.len() - 1);
        let mut rest = ctx;
        for s in 0..offsets.len() - 1 {
            let (mine, tail) = rest.split_at_mut((offsets[s + 1] - offsets[s]) * h);
            chunks.push((offsets[s], mine));
            rest = tail;
        }
        let head_dim = h / self.heads;
        chunks.into_par_iter().for_each(|(start, out)| {
            let len = out.len() / h;
            let rows = &qkv[start * 3 * h..(start + len) * 3 * h];
            kernels::with_simd(SequenceAttention {
                rows,
                out,
                len,
                hidden: h,
                heads: self.heads,
                head_dim,
            });
        });
    }
}

/// Attention of one sequence: for each head, softmax(Q·Kᵀ/√d)·V.
struct SequenceAttention<'a> {
    rows: &'a [f32],
    out: &'a mut [f32],
    len: usize,
    hidden: usize,
    heads: usize,
    head_dim: usize,
}

impl Kernel for SequenceAttention<'_> {
    type Output = ();

    #[inline(always)]
    fn run<S: pulp::Simd>(self, simd: S) {
        let (h, d, len) = (self.hidden, self.head_dim, self.len);
        let scale = 1.0 / (d as f32).sqrt();
        let mut scores = vec![0.0f32; len];
        for head in 0..self.heads {
            let (qo, ko, vo) = (head * d, h + head * d, 2 * h + head * d);
            for i in 0..len {
                let q = &self.rows[i * 3 * h + qo..i * 3 * h + qo + d];
                let mut max = f32::NEG_INFINITY;
                for (j, score) in scores.iter_mut().enumerate() {
                    let k = &self.rows[j * 3 * h + ko..j * 3 * h + ko + d];
                    *score = kernels::dot_simd(simd, q, k) * scale;
                    max = max.max(*score);
                }
                let mut sum = 0.0f32;
                for score in scores.iter_mut() {
                    *score = (*score - max).exp();
                    sum += *score;
                }
                let inv = 1.0 / sum;
                let out = &mut self.out[i * h + head * d..i * h + head * d + d];
                out.fill(0.0);
                for (j, &p) in scores.iter().enumerate() {
                    let v = &self.rows[j * 3 * h + vo..j * 3 * h + vo + d];
                    let w = p * inv;
                    out.iter_mut()
                        .zip(v)
                        .for_each(|(o, v)| *o = w.mul_add(*v, *o));
                }
            }
        }
    }
}

/// `y += x · Wᵀ` for row-major `x` (`rows × inputs`), `W` (`outputs × inputs`, PyTorch's
/// layout) and `y` (`rows × outputs`). Read column-major, `W`'s buffer already is `Wᵀ`.
fn linear(x: &[f32], w: &[f32], y: &mut [f32], rows: usize, inputs: usize, outputs: usize) {
    let lhs = MatRef::from_row_major_slice(x, rows, inputs);
    let rhs = MatRef::from_column_major_slice(w, inputs, outputs);
    let dst = MatMut::from_row_major_slice_mut(y, rows, outputs);
    faer::linalg::matmul::matmul(dst, Accum::Add, lhs, rhs, 1.0f32, Par::rayon(0));
}

/// Every row of `y` set to `bias`.
fn fill_rows(y: &mut [f32], bias: &[f32]) {
    for row in y.chunks_exact_mut(bias.len()) {
        row.copy_from_slice(bias);
    }
}

/// Every row of `y` set to the matching row of `x` plus `bias`.
fn add_rows(y: &mut [f32], x: &[f32], bias: &[f32]) {
    for (yr, xr) in y
        .chunks_exact_mut(bias.len())
        .zip(x.chunks_exact(bias.len()))
    {
        for ((o, a), b) in yr.iter_mut().zip(xr).zip(bias) {
            *o = a + b;
        }
    }
}

fn layer_norm_par(x: &mut [f32], (gamma, beta): &(Vec<f32>, Vec<f32>), eps: f32) {
    struct Ln<'a>(&'a mut [f32], &'a [f32], &'a [f32], f32);
    impl Kernel for Ln<'_> {
        type Output = ();
        #[inline(always)]
        fn run<S: pulp::Simd>(self, _simd: S) {
            kernels::layer_norm_rows(self.0, self.1, self.2, self.3);
        }
    }
    x.par_chunks_mut(ROWS_PER_TASK * gamma.len())
        .for_each(|rows| kernels::with_simd(Ln(rows, gamma, beta, eps)));
}

fn gelu_par(x: &mut [f32], width: usize) {
    struct Gelu<'a>(&'a mut [f32]);
    impl Kernel for Gelu<'_> {
        type Output = ();
        #[inline(always)]
        fn run<S: pulp::Simd>(self, _simd: S) {
            kernels::gelu_erf_in_place(self.0);
        }
    }
    x.par_chunks_mut(ROWS_PER_TASK * width)
        .for_each(|rows| kernels::with_simd(Gelu(rows)));
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let bad = |message: String| Error::BadModelFile {
        path: path.to_path_buf(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    serde_json::from_str(&text).map_err(|e| bad(e.to_string()))
}

/// The tokenizer with the file's baked-in fixed padding removed (packing needs none) and
/// truncation at sentence-transformers' limit.
fn load_tokenizer(path: &Path, max_len: usize) -> Result<Tokenizer> {
    let bad = |message: String| Error::BadModelFile {
        path: path.to_path_buf(),
        message,
    };
    let mut tokenizer = Tokenizer::from_file(path).map_err(|e| bad(e.to_string()))?;
    tokenizer.with_padding(None);
    tokenizer
        .with_truncation(Some(tokenizers::TruncationParams {
            max_length: max_len,
            ..Default::default()
        }))
        .map_err(|e| bad(e.to_string()))?;
    Ok(tokenizer)
}

/// Tensors of a safetensors file, as f32 vectors checked against the expected shapes.
struct Weights {
    path: std::path::PathBuf,
    tensors: std::collections::HashMap<String, candle_core::Tensor>,
    prefix: &'static str,
}

impl Weights {
    fn load(path: &Path) -> Result<Weights> {
        let tensors =
            candle_core::safetensors::load(path, &candle_core::Device::Cpu).map_err(|e| {
                Error::BadModelFile {
                    path: path.to_path_buf(),
                    message: e.to_string(),
                }
            })?;
        // Checkpoints saved from BertForXxx carry a "bert." prefix; sentence-transformers' do not.
        let prefix = if tensors.contains_key("embeddings.word_embeddings.weight") {
            ""
        } else {
            "bert."
        };
        Ok(Weights {
            path: path.to_path_buf(),
            tensors,
            prefix,
        })
    }

    fn get(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>> {
        let bad = |message: String| Error::BadModelFile {
            path: self.path.clone(),
            message,
        };
        let full = format!("{}{name}", self.prefix);
        let tensor = self
            .tensors
            .get(&full)
            .ok_or_else(|| bad(format!("tensor {full} is missing; is this a BERT model?")))?;
        if tensor.dims() != shape {
            return Err(bad(format!(
                "tensor {full} has shape {:?}, expected {shape:?}",
                tensor.dims()
            )));
        }
        tensor
            .to_dtype(candle_core::DType::F32)
            .and_then(|t| t.flatten_all())
            .and_then(|t| t.to_vec1::<f32>())
            .map_err(|e| bad(format!("tensor {full}: {e}")))
    }

    fn layer_norm(&self, name: &str, width: usize) -> Result<(Vec<f32>, Vec<f32>)> {
        Ok((
            self.get(&format!("{name}.weight"), &[width])?,
            self.get(&format!("{name}.bias"), &[width])?,
        ))
    }
}
