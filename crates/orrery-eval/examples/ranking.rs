//! Leave-last-out with 99 sampled negatives (the NCF protocol) on MovieLens: fits each
//! parameter set and prints HR@10, NDCG@10 and the fit time.
//!
//! ```text
//! cargo run --release -p orrery-eval --example ranking -- ml1m als factors=64 / popularity
//! ```
//!
//! `ml1m` reads `ml-1m-users-1-2999/ratings.dat`, `ml100k` reads `ml-100k/u.data`, from
//! `ORRERY_SHARED_DATA` (default `../shared/data` beside the repository), and splits them
//! with seed 42; `ncf:DIR/NAME` uses the NCF paper's files `NAME.train.rating`,
//! `NAME.test.rating` and `NAME.test.negative` in DIR as they are, so that Orrery is measured
//! on exactly the split and negatives a peer library sees. Parameter sets are separated by
//! `/`, each starting with the algorithm name. `holdout:DIR` instead ranks the whole
//! catalog for the users of `DIR/train.tsv` and `DIR/test.tsv` (relevant: rating ≥ 4).

use std::path::PathBuf;
use std::time::Instant;

use orrery_core::{Dataset, DatasetBuilder, EventKind, EventWeights, ItemIdx};
use orrery_eval::{EvalOptions, Protocol, evaluate};
use orrery_models::{Algorithm, Model, NoProgress, Params};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((which, specs)) = args.split_first() else {
        panic!("usage: ranking ml1m|ml100k ALGO [key=value …] [/ ALGO …]");
    };
    let dir = std::env::var_os("ORRERY_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"))
        });
    let (train, test, negatives) = match which.split_once(':') {
        Some(("ncf", prefix)) => ncf_files(prefix),
        Some(("holdout", dir)) => {
            let (train, test) = holdout_files(dir);
            (train, test, Vec::new())
        }
        _ => {
            let (file, sep) = match which.as_str() {
                "ml1m" => ("ml-1m-users-1-2999/ratings.dat", "::"),
                "ml100k" => ("ml-100k/u.data", "\t"),
                other => panic!("unknown dataset {other}"),
            };
            let text =
                std::fs::read_to_string(dir.join(file)).expect("dataset (set ORRERY_SHARED_DATA)");
            let mut b = DatasetBuilder::new(EventWeights::default());
            for line in text.lines().filter(|l| !l.is_empty()) {
                let f: Vec<&str> = line.split(sep).collect();
                b.add_event(
                    f[0],
                    f[1],
                    &EventKind::Rating,
                    f[2].parse().unwrap(),
                    f[3].parse().unwrap(),
                );
            }
            let fold = Protocol::LeaveLastOut {
                negatives: 99,
                seed: 42,
            }
            .folds(&b.build())
            .unwrap()
            .remove(0);
            (fold.train, fold.test, fold.negatives.unwrap())
        }
    };
    let opts = EvalOptions {
        negatives: (!negatives.is_empty()).then_some(negatives.as_slice()),
        ..Default::default()
    };
    for spec in specs.split(|s| s == "/") {
        let Some((algo, pairs)) = spec.split_first() else {
            continue;
        };
        let algo: Algorithm = algo.parse().unwrap();
        let params = Params::parse(algo, pairs).unwrap();
        let started = Instant::now();
        let model = Model::fit(&train, &params, &mut NoProgress).unwrap();
        let fit = started.elapsed().as_secs_f64();
        let m = evaluate(&model, &train, &test, &opts).unwrap();
        let shown: Vec<String> = m.iter().map(|(k, v)| format!("{k} {v:.4}")).collect();
        println!(
            "{which} {algo} {pairs:?}: {} fit {fit:.3}s ({} threads)",
            shown.join(" "),
            rayon::current_num_threads()
        );
    }
}

/// Train and test sets from `DIR/train.tsv` and `DIR/test.tsv` (user, item, rating,
/// timestamp), ranked over the full catalog.
fn holdout_files(dir: &str) -> (Dataset, Dataset) {
    let rows = |name: &str| -> Vec<(String, String, f32, i64)> {
        let path = format!("{dir}/{name}");
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{path}: {e}"))
            .lines()
            .filter(|l| !l.is_empty())
            .map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                (
                    f[0].to_owned(),
                    f[1].to_owned(),
                    f[2].parse().unwrap(),
                    f[3].parse().unwrap(),
                )
            })
            .collect()
    };
    let (train_rows, test_rows) = (rows("train.tsv"), rows("test.tsv"));
    let build = |part: &[(String, String, f32, i64)]| {
        let mut b = DatasetBuilder::new(EventWeights::default());
        // Only training ids: test rows of unknown users or items cannot be ranked.
        for (u, i, _, _) in &train_rows {
            b.user_index(u);
            b.item_index(i);
        }
        for (u, i, r, ts) in part {
            if b_has(&train_rows, u, i) {
                b.add_event(u, i, &EventKind::Rating, *r, *ts);
            }
        }
        b.build()
    };
    (build(&train_rows), build(&test_rows))
}

/// Whether both ids occur in the training rows (a linear scan is too slow, so a set).
fn b_has(train: &[(String, String, f32, i64)], user: &str, item: &str) -> bool {
    use std::collections::HashSet;
    use std::sync::OnceLock;
    static IDS: OnceLock<(HashSet<String>, HashSet<String>)> = OnceLock::new();
    let (users, items) = IDS.get_or_init(|| {
        (
            train.iter().map(|r| r.0.clone()).collect(),
            train.iter().map(|r| r.1.clone()).collect(),
        )
    });
    users.contains(user) && items.contains(item)
}

/// Train and test sets and per-user negatives from the NCF paper's three files.
fn ncf_files(prefix: &str) -> (Dataset, Dataset, Vec<Vec<ItemIdx>>) {
    let read = |ext: &str| {
        std::fs::read_to_string(format!("{prefix}.{ext}"))
            .unwrap_or_else(|e| panic!("{prefix}.{ext}: {e}"))
    };
    let rows = |text: &str| -> Vec<(String, String, f32, i64)> {
        text.lines()
            .filter(|l| !l.is_empty())
            .map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                (
                    f[0].to_owned(),
                    f[1].to_owned(),
                    f[2].parse().unwrap(),
                    f[3].parse().unwrap(),
                )
            })
            .collect()
    };
    let (train_rows, test_rows) = (rows(&read("train.rating")), rows(&read("test.rating")));
    let negative_rows: Vec<(String, Vec<String>)> = read("test.negative")
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut f = l.split('\t');
            let head = f.next().unwrap().trim_matches(|c| c == '(' || c == ')');
            let user = head.split(',').next().unwrap().to_owned();
            (user, f.map(str::to_owned).collect())
        })
        .collect();
    let build = |part: &[(String, String, f32, i64)]| {
        let mut b = DatasetBuilder::new(EventWeights::default());
        for (u, i, _, _) in train_rows.iter().chain(&test_rows) {
            b.user_index(u);
            b.item_index(i);
        }
        for (_, items) in &negative_rows {
            for i in items {
                b.item_index(i);
            }
        }
        for (u, i, r, ts) in part {
            b.add_event(u, i, &EventKind::Rating, *r, *ts);
        }
        b.build()
    };
    let (train, test) = (build(&train_rows), build(&test_rows));
    let mut negatives = vec![Vec::new(); train.n_users()];
    for (user, items) in &negative_rows {
        let u = train.users().get(user).unwrap() as usize;
        negatives[u] = items
            .iter()
            .map(|i| train.items().get(i).unwrap())
            .collect();
    }
    (train, test, negatives)
}
