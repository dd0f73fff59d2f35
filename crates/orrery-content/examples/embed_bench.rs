//! Orrery's side of `bench/embed.sh`: embeds the sentences of a file (one per line) with
//! all-MiniLM-L6-v2 and prints one JSON line with items/s (best of `--repeats` passes after
//! a warm-up). Threads come from `--threads` (default: `RAYON_NUM_THREADS` or all cores).
//!
//! `cargo run --release -p orrery-content --example embed_bench -- SENTENCES [--batch 32] [--threads 2] [--repeats 3]`

use std::time::Instant;

use orrery_content::{Encoder, EncoderOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut path = None;
    let (mut batch, mut threads, mut repeats) = (32usize, None, 3usize);
    while let Some(arg) = args.next() {
        let mut value = || -> Result<usize, Box<dyn std::error::Error>> {
            Ok(args.next().ok_or(format!("{arg} needs a value"))?.parse()?)
        };
        match arg.as_str() {
            "--batch" => batch = value()?,
            "--threads" => threads = Some(value()?),
            "--repeats" => repeats = value()?.max(1),
            _ if path.is_none() => path = Some(arg),
            _ => return Err(format!("unexpected argument {arg}").into()),
        }
    }
    let path =
        path.ok_or("usage: embed_bench SENTENCES [--batch N] [--threads N] [--repeats N]")?;
    let text = std::fs::read_to_string(&path)?;
    let sentences: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();

    let options = EncoderOptions {
        batch_size: batch,
        threads,
        ..EncoderOptions::default()
    };
    let encoder = Encoder::load_model(&options)?;
    let tokens: usize = sentences
        .iter()
        .map(|s| {
            encoder
                .token_ids(s)
                .map(|ids| ids.map_or(0, |ids| ids.len()))
        })
        .sum::<Result<usize, _>>()?;
    encoder.encode_batch(&sentences[..sentences.len().min(64)])?;
    let mut times = Vec::with_capacity(repeats);
    for _ in 0..repeats {
        let start = Instant::now();
        let vectors = encoder.encode_batch(&sentences)?;
        times.push(start.elapsed().as_secs_f64());
        std::hint::black_box(vectors);
    }
    let best = times.iter().copied().fold(f64::INFINITY, f64::min);
    println!(
        "{}",
        serde_json::json!({
            "engine": format!("orrery-content {}", encoder.info().name),
            "items": sentences.len(),
            "mean_tokens": tokens as f64 / sentences.len().max(1) as f64,
            "threads": threads.unwrap_or_else(rayon::current_num_threads),
            "batch": batch,
            "seconds": times,
            "items_per_s": sentences.len() as f64 / best,
        })
    );
    Ok(())
}
