//! Fits a rating model on MovieLens and prints its test RMSE and fit time.
//!
//! ```text
//! cargo run --release -p orrery-models --example rating_accuracy -- u1 mf factors=50
//! cargo run --release -p orrery-models --example rating_accuracy -- ml1m mf
//! ```
//!
//! `u1` is ML-100K's official u1.base/u1.test; `dir:PATH` reads `PATH/train.tsv` and
//! `PATH/test.tsv` (user, item, rating, timestamp, tab-separated); `ml1m` is a seeded 90/10 random split of
//! `ml-1m-users-1-2999/ratings.dat`. Data come from `ORRERY_SHARED_DATA` (default
//! `../shared/data` beside the repository). Several parameter sets separated by `/` are
//! fitted in turn on the same split. `VALID=1` evaluates on a validation tenth carved from
//! the training ratings (for tuning), `FOLD=1` scores users folded in from their training
//! ratings instead of their trained factors, `VERBOSE=1` prints every epoch.

use std::path::PathBuf;
use std::time::Instant;

use orrery_core::{Dataset, DatasetBuilder, EventKind, EventWeights, rng};
use orrery_models::{Algorithm, EpochReport, Model, Params, Recommender};
use rand::seq::SliceRandom;

type Row = (String, String, f32, i64);

fn data_dir() -> PathBuf {
    std::env::var_os("ORRERY_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"))
        })
}

fn read(name: &str, sep: &str) -> Vec<Row> {
    let path = data_dir().join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (set ORRERY_SHARED_DATA)", path.display()));
    text.lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(sep).collect();
            (
                f[0].to_owned(),
                f[1].to_owned(),
                f[2].parse().unwrap(),
                f[3].parse().unwrap(),
            )
        })
        .collect()
}

fn build(parts: &[&[Row]]) -> Vec<Dataset> {
    parts
        .iter()
        .map(|part| {
            let mut b = DatasetBuilder::new(EventWeights::default());
            for p in parts {
                for (u, i, _, _) in p.iter() {
                    b.user_index(u);
                    b.item_index(i);
                }
            }
            for (u, i, r, ts) in part.iter() {
                b.add_event(u, i, &EventKind::Rating, *r, *ts);
            }
            b.build()
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (which, algo, pairs) = match args.as_slice() {
        [which, algo, pairs @ ..] => (which.as_str(), algo.parse::<Algorithm>().unwrap(), pairs),
        _ => panic!("usage: rating_accuracy u1|ml1m ALGO [key=value …]"),
    };
    let (train, test) = match which {
        "u1" => (read("ml-100k/u1.base", "\t"), read("ml-100k/u1.test", "\t")),
        "ml1m" => {
            let mut all = read("ml-1m-users-1-2999/ratings.dat", "::");
            all.shuffle(&mut rng::seeded(42));
            let cut = all.len() / 10;
            let test = all.split_off(all.len() - cut);
            (all, test)
        }
        other => match other.strip_prefix("dir:") {
            // A folder holding train.tsv and test.tsv (user, item, rating, timestamp).
            Some(dir) => {
                let read_abs = |name: &str| {
                    let path = PathBuf::from(dir).join(name);
                    let text = std::fs::read_to_string(&path)
                        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
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
                        .collect::<Vec<Row>>()
                };
                (read_abs("train.tsv"), read_abs("test.tsv"))
            }
            None => panic!("unknown dataset {other}"),
        },
    };
    // VALID=1 tunes without touching the test split: a seeded 10% of the training ratings
    // becomes the evaluation set.
    let (train, test) = if std::env::var_os("VALID").is_some() {
        let mut train = train;
        train.shuffle(&mut rng::seeded(7));
        let cut = train.len() / 10;
        let valid = train.split_off(train.len() - cut);
        (train, valid)
    } else {
        (train, test)
    };
    let sets = build(&[&train, &test]);
    // Several parameter sets separated by "/" are fitted one after another on the same split.
    for pairs in pairs.split(|p| p == "/") {
        run(which, algo, pairs, &sets);
    }
}

fn run(which: &str, algo: Algorithm, pairs: &[String], sets: &[Dataset]) {
    let params = Params::parse(algo, pairs).unwrap();
    let started = Instant::now();
    let verbose = std::env::var_os("VERBOSE").is_some();
    let mut progress = |r: &EpochReport| {
        if verbose {
            eprintln!(
                "epoch {}/{} loss {:.4} at {:.2?}",
                r.epoch, r.epochs, r.loss, r.elapsed
            )
        }
    };
    let model = Model::fit(&sets[0], &params, &mut progress).unwrap();
    let fit_seconds = started.elapsed().as_secs_f64();
    let (lo, hi) = model.rating_range().unwrap_or((f32::MIN, f32::MAX));
    let (mut sse, mut sae, mut n) = (0f64, 0f64, 0usize);
    let test = &sets[1];
    for u in 0..test.n_users() as u32 {
        let row = test.user_row(u);
        if row.is_empty() {
            continue;
        }
        let user = if std::env::var_os("FOLD").is_some() {
            model.fold_in(&model.user(u).unwrap().history).unwrap()
        } else {
            model.user(u).unwrap()
        };
        let mut out = vec![0f32; row.len()];
        model.score(&user, row.indices, &mut out).unwrap();
        for (&p, &r) in out.iter().zip(row.ratings) {
            let e = (p.clamp(lo, hi) - r) as f64;
            sse += e * e;
            sae += e.abs();
            n += 1;
        }
    }
    println!(
        "{which} {algo} {:?}: rmse {:.4} mae {:.4} fit {:.3}s ({} threads)",
        params.pairs(),
        (sse / n as f64).sqrt(),
        sae / n as f64,
        fit_seconds,
        rayon::current_num_threads()
    );
}
