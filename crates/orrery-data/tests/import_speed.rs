//! Parsing throughput of the ratings readers on the real files. Ignored by default, since
//! it only means something in release:
//! `cargo test --release -p orrery-data --test import_speed -- --ignored --nocapture`.

use std::time::Instant;

use orrery_core::Record;
use orrery_data::import::{Import, ImportOptions};

#[path = "support/shared_data.rs"]
mod support;
use support::shared_data as data_dir;

#[test]
#[ignore = "a measurement; run in release with --ignored --nocapture"]
fn ratings_parse_at_least_a_million_lines_per_second_in_release() {
    if support::without_data() {
        return;
    }
    for (file, lines) in [
        ("ml-1m-users-1-2999/ratings.dat", 487_650),
        ("ml-100k/u.data", 100_000),
        ("ml-latest-small/ratings.csv", 100_836),
    ] {
        let path = data_dir().join(file);
        let mut best = f64::INFINITY;
        for _ in 0..5 {
            let started = Instant::now();
            let mut count = 0u64;
            for record in Import::open(&path, &ImportOptions::default()).unwrap() {
                if let Record::Interaction(_) = record.unwrap() {
                    count += 1;
                }
            }
            best = best.min(started.elapsed().as_secs_f64());
            assert_eq!(count, lines);
        }
        let rate = lines as f64 / best;
        println!(
            "{file}: {lines} lines in {:.1} ms, {:.2} M lines/s",
            best * 1e3,
            rate / 1e6
        );
        if !cfg!(debug_assertions) {
            assert!(rate > 1e6, "{file}: {rate:.0} lines/s");
        }
    }
}
