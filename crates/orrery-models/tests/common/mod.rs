//! Test helpers: the shared data folder and a tiny reader for MovieLens-100K splits.

#![allow(dead_code)]

use orrery_core::{Dataset, DatasetBuilder, EventKind, EventWeights, ItemIdx, UserIdx};

#[path = "../../../orrery-data/tests/support/shared_data.rs"]
mod support;
#[allow(unused_imports)] // each test crate uses its own part
pub use support::{shared_data as data_dir, without_data};

/// `(user, item, rating, ts)` rows of a tab-separated MovieLens file.
pub fn read_tsv(name: &str) -> Vec<(String, String, f32, i64)> {
    let path = data_dir().join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, line)| {
            let f: Vec<&str> = line.split('\t').collect();
            assert_eq!(
                f.len(),
                4,
                "{} line {}: expected 4 tab-separated fields",
                path.display(),
                n + 1
            );
            (
                f[0].to_owned(),
                f[1].to_owned(),
                f[2].parse()
                    .unwrap_or_else(|_| panic!("{} line {}: bad rating", path.display(), n + 1)),
                f[3].parse()
                    .unwrap_or_else(|_| panic!("{} line {}: bad timestamp", path.display(), n + 1)),
            )
        })
        .collect()
}

/// Datasets from row sets that share one user and one item index (every id of every
/// set is registered in every builder, in the same order).
pub fn datasets(parts: &[&[(String, String, f32, i64)]]) -> Vec<Dataset> {
    let mut builders: Vec<DatasetBuilder> = parts
        .iter()
        .map(|_| DatasetBuilder::new(EventWeights::default()))
        .collect();
    for b in &mut builders {
        for part in parts {
            for (u, i, _, _) in part.iter() {
                b.user_index(u);
                b.item_index(i);
            }
        }
    }
    for (b, part) in builders.iter_mut().zip(parts) {
        for (u, i, r, ts) in part.iter() {
            b.add_event(u, i, &EventKind::Rating, *r, *ts);
        }
    }
    builders.into_iter().map(DatasetBuilder::build).collect()
}

/// ML-100K's official u1 split as (train, test).
pub fn ml100k_u1() -> (Dataset, Dataset) {
    let base = read_tsv("ml-100k/u1.base");
    let test = read_tsv("ml-100k/u1.test");
    let mut sets = datasets(&[&base, &test]);
    let test = sets.pop().unwrap();
    let train = sets.pop().unwrap();
    (train, test)
}

/// Every `(user, item, rating)` of a dataset.
pub fn cells(d: &Dataset) -> Vec<(UserIdx, ItemIdx, f32)> {
    (0..d.n_users() as u32)
        .flat_map(|u| {
            let row = d.user_row(u);
            row.indices
                .iter()
                .zip(row.ratings)
                .map(move |(&i, &r)| (u, i, r))
                .collect::<Vec<_>>()
        })
        .collect()
}
