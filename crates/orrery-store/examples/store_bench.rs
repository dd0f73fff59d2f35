//! Measures bulk import and snapshot loading on a million simulated ratings.
//!
//! ```text
//! cargo run --release -p orrery-store --example store_bench            # SQLite only
//! cargo run --release -p orrery-store --example store_bench -- postgres://postgres@127.0.0.1:5432/test
//! ```
//!
//! The data mimics MovieLens 1M: 6,040 users with demographics, 3,883 movies with two genres
//! and a year, and 165 ratings per user (996,600 in all) imported in batches of 10,000
//! records. SQLite goes to a file in a temporary folder; PostgreSQL to a fresh schema that is
//! dropped afterwards.

use std::time::Instant;

use orrery_core::{
    Category, EventKind, EventWeights, InteractionRecord, ItemRecord, Record, UserRecord,
};
use orrery_store::{Store, connect_isolated_postgres, drop_postgres_schema};

const USERS: usize = 6_040;
const ITEMS: usize = 3_883;
const RATINGS_PER_USER: usize = 165;
const BATCH: usize = 10_000;

fn records() -> Vec<Record> {
    let mut out = Vec::with_capacity(USERS + ITEMS + USERS * RATINGS_PER_USER);
    for u in 0..USERS {
        out.push(Record::User(UserRecord {
            gender: Some(if u % 3 == 0 { "F" } else { "M" }.into()),
            age: Some([1, 18, 25, 35, 45, 50, 56][u % 7]),
            occupation: Some((u % 21).to_string()),
            zip: Some(format!("{:05}", (u * 7_919) % 100_000)),
            ..UserRecord::with_id((u + 1).to_string())
        }));
    }
    let genres = [
        "Action", "Comedy", "Drama", "Horror", "Romance", "Thriller", "War",
    ];
    for i in 0..ITEMS {
        let year = 1919 + (i % 82) as i32;
        out.push(Record::Item(ItemRecord {
            title: format!("Movie {} ({year})", i + 1),
            categories: vec![
                Category::new("genre", genres[i % genres.len()]),
                Category::new("genre", genres[(i / 7 + 3) % genres.len()]),
            ],
            year: Some(year),
            ..ItemRecord::with_id((i + 1).to_string())
        }));
    }
    // A step coprime with ITEMS gives each user distinct movies.
    let step = 104_729;
    for u in 0..USERS {
        for k in 0..RATINGS_PER_USER {
            let item = (u * 7_919 + k * step) % ITEMS;
            out.push(Record::Interaction(InteractionRecord {
                user: (u + 1).to_string(),
                item: (item + 1).to_string(),
                kind: EventKind::Rating,
                value: (1 + (u * 31 + k * 17) % 5) as f32,
                ts: 956_703_932 + (u * RATINGS_PER_USER + k) as i64,
            }));
        }
    }
    out
}

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|kb| kb.parse::<f64>().ok())
            })
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

async fn measure(store: &Store, records: &[Record]) -> Result<(), orrery_store::Error> {
    let backend = store.backend();
    let ratings = records.len() - USERS - ITEMS;

    let started = Instant::now();
    let mut tx = store.begin_import().await?;
    for batch in records.chunks(BATCH) {
        tx.write(batch).await?;
    }
    let summary = tx.commit().await?;
    let import = started.elapsed();
    println!(
        "{backend}: import of {ratings} ratings + {USERS} users + {ITEMS} items: {:.2} s \
         ({:.0} ratings/s); {summary:?}",
        import.as_secs_f64(),
        ratings as f64 / import.as_secs_f64()
    );

    let started = Instant::now();
    let mut tx = store.begin_import().await?;
    for batch in records.chunks(BATCH) {
        tx.write(batch).await?;
    }
    let summary = tx.commit().await?;
    println!(
        "{backend}: re-import (everything already stored): {:.2} s; {summary:?}",
        started.elapsed().as_secs_f64()
    );

    let stats = store.stats().await?;
    println!(
        "{backend}: stats {}",
        serde_json::to_string(&stats).unwrap_or_default()
    );

    let rss_before = rss_mib();
    let started = Instant::now();
    let dataset = store.load_dataset(&EventWeights::default()).await?;
    let load = started.elapsed();
    println!(
        "{backend}: load_dataset: {:.2} s for {} cells, {} users, {} items; Dataset heap {:.1} MiB; \
         process RSS {:.0} → {:.0} MiB",
        load.as_secs_f64(),
        dataset.nnz(),
        dataset.n_users(),
        dataset.n_items(),
        dataset.heap_bytes() as f64 / (1024.0 * 1024.0),
        rss_before,
        rss_mib()
    );
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let records = records();
    let postgres_url = std::env::args().nth(1);

    // ORRERY_BENCH_DIR keeps the SQLite files for inspection; by default they are temporary.
    let temp = tempfile::tempdir()?;
    let dir =
        std::env::var_os("ORRERY_BENCH_DIR").map_or_else(|| temp.path().to_path_buf(), Into::into);
    let url = format!("sqlite://{}/bench.db", dir.display());
    let store = Store::connect(&url).await?;
    measure(&store, &records).await?;
    store.close().await;
    let size: u64 = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!(
        "sqlite: database files {:.0} MiB",
        size as f64 / (1024.0 * 1024.0)
    );

    if let Some(url) = postgres_url {
        let (store, schema) = connect_isolated_postgres(&url).await?;
        let result = measure(&store, &records).await;
        store.close().await;
        drop_postgres_schema(&url, &schema).await?;
        result?;
    }
    Ok(())
}
