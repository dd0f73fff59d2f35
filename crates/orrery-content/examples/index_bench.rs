//! Orrery's side of `bench/embed_index.sh`: builds a [`VectorIndex`] over N clustered
//! 384-d unit vectors (topic centres plus noise; isotropic random vectors have no
//! neighbourhoods and make every ANN look broken) and reports build time, memory,
//! median/p95 query time and recall@10 against exact search, unfiltered and with category
//! filters that admit one item in three and one in ten (the index answers the latter by
//! the exact scan, see [`IndexOptions::selective_filter`]). Prints one JSON line.
//!
//! `cargo run --release -p orrery-content --example index_bench -- [--items 100000]
//! [--queries 1000] [--ef 64] [--connectivity 16] [--precision f32|f16|i8]`

use std::collections::HashSet;
use std::time::Instant;

use orrery_content::{IndexOptions, Neighbor, Precision, VectorIndex};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

const DIM: usize = 384;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let defaults = IndexOptions::default();
    let (mut items, mut queries, mut centres) = (100_000usize, 1000usize, 2000usize);
    let (mut ef, mut connectivity, mut precision) = (
        defaults.expansion_search,
        defaults.connectivity,
        defaults.precision,
    );
    while let Some(arg) = args.next() {
        let value = args.next().ok_or(format!("{arg} needs a value"))?;
        match arg.as_str() {
            "--items" => items = value.parse()?,
            "--queries" => queries = value.parse()?,
            "--ef" => ef = value.parse()?,
            "--connectivity" => connectivity = value.parse()?,
            "--precision" => precision = value.parse::<Precision>()?,
            "--centres" => centres = value.parse()?,
            _ => return Err(format!("unknown option {arg}").into()),
        }
    }
    let (vectors, query_vecs) = clustered(items, queries, centres);
    let keys: Vec<u64> = (0..items as u64).collect();
    let options = IndexOptions {
        exact_threshold: 0,
        expansion_search: ef,
        connectivity,
        precision,
        ..defaults
    };
    let start = Instant::now();
    let index = VectorIndex::build(DIM, options, &keys, &vectors)?;
    let build_s = start.elapsed().as_secs_f64();

    let mut report = serde_json::json!({
        "items": items, "dim": DIM, "centres": centres, "queries": queries, "ef": ef,
        "connectivity": connectivity, "precision": precision,
        "threads": rayon::current_num_threads(),
        "build_s": build_s, "memory_mb": index.memory_bytes() as f64 / 1e6,
    });
    let filters = [
        ("all", None),
        ("category_1_in_3", Some(3u64)),
        ("category_1_in_10", Some(10u64)),
    ];
    for (name, filter) in filters {
        let allow = |key: u64| filter.is_none_or(|m| key % m == 1);
        let mut times = Vec::with_capacity(queries);
        let mut exact_times = Vec::with_capacity(queries);
        let mut recall = 0.0;
        for q in query_vecs.chunks_exact(DIM) {
            let t = Instant::now();
            let approx = match filter {
                None => index.search(q, 10)?,
                Some(_) => index.search_filtered(q, 10, allow)?,
            };
            times.push(t.elapsed().as_secs_f64() * 1e3);
            let t = Instant::now();
            let exact = index.search_exact(q, 10, allow)?;
            exact_times.push(t.elapsed().as_secs_f64() * 1e3);
            recall += overlap(&approx, &exact);
        }
        report[name] = serde_json::json!({
            "recall_at_10": recall / queries as f64,
            "index_median_ms": percentile(&mut times, 0.5),
            "index_p95_ms": percentile(&mut times, 0.95),
            "exact_median_ms": percentile(&mut exact_times, 0.5),
        });
    }
    println!("{report}");
    Ok(())
}

fn clustered(items: usize, queries: usize, centres: usize) -> (Vec<f32>, Vec<f32>) {
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let normal = Normal::new(0.0f32, 1.0).unwrap_or_else(|_| unreachable!());
    let centre_vecs: Vec<Vec<f32>> = (0..centres)
        .map(|_| unit((0..DIM).map(|_| normal.sample(&mut rng)).collect()))
        .collect();
    let noise = Normal::new(0.0f32, 0.6 / (DIM as f32).sqrt()).unwrap_or_else(|_| unreachable!());
    let mut draw = |n: usize| {
        let mut out = Vec::with_capacity(n * DIM);
        for _ in 0..n {
            let c = &centre_vecs[rng.random_range(0..centres)];
            out.extend(unit(c.iter().map(|x| x + noise.sample(&mut rng)).collect()));
        }
        out
    };
    let vectors = draw(items);
    let queries = draw(queries);
    (vectors, queries)
}

fn unit(mut v: Vec<f32>) -> Vec<f32> {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.iter_mut().for_each(|x| *x /= n);
    v
}

fn overlap(approx: &[Neighbor], exact: &[Neighbor]) -> f64 {
    let truth: HashSet<u64> = exact.iter().map(|n| n.key).collect();
    approx.iter().filter(|n| truth.contains(&n.key)).count() as f64 / exact.len().max(1) as f64
}

fn percentile(xs: &mut [f64], p: f64) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[((xs.len() - 1) as f64 * p).round() as usize]
}
