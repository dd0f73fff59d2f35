//! Evaluation protocols: each cuts a dataset's interaction cells into train and test sets
//! that share the dataset's id maps and metadata, so that indices mean the same thing on
//! both sides.

use orrery_core::{Dataset, DatasetBuilder, EventWeights, ItemIdx, UserIdx, rng};
use rand::Rng;
use rand::seq::SliceRandom;

use crate::{Error, Result};

/// How to split a dataset for evaluation.
#[derive(Debug, Clone, PartialEq)]
pub enum Protocol {
    /// A random `test_ratio` of the cells is held out.
    Holdout {
        /// Share of cells in the test set, in (0, 1).
        test_ratio: f64,
        /// Seed of the shuffle.
        seed: u64,
    },
    /// The cells are shuffled into `folds` parts; each part is the test set once.
    KFold {
        /// Number of folds, 2..=100.
        folds: usize,
        /// Seed of the shuffle.
        seed: u64,
    },
    /// Each user's latest interaction is held out and ranked against `negatives` items the
    /// user never interacted with (the NCF protocol; 0 ranks the whole catalog instead).
    LeaveLastOut {
        /// Sampled negatives per user (99 in the NCF paper).
        negatives: usize,
        /// Seed of the sampling.
        seed: u64,
    },
    /// Cold start: a `test_users` share of the users with more than `keep` interactions
    /// keep only `keep` of them for training (a random sample, or their earliest); the rest
    /// of their interactions is the test set. Other users train on everything.
    ColdStart {
        /// Share of the eligible users held out, in (0, 1).
        test_users: f64,
        /// Training interactions each test user keeps (5: the Dummi AI seed's threshold
        /// between cold and warm users).
        keep: usize,
        /// Keep each test user's earliest interactions instead of a random sample. (In
        /// MovieLens the first ratings come from the sign-up page, which shows popular
        /// movies: they say little about a user.)
        earliest: bool,
        /// Seed of the choice of users.
        seed: u64,
    },
    /// The latest `test_ratio` of all cells, by time, is held out.
    Temporal {
        /// Share of cells in the test set, in (0, 1).
        test_ratio: f64,
    },
}

/// One train/test split.
#[derive(Debug, Clone)]
pub struct Fold {
    /// What the model trains on.
    pub train: Dataset,
    /// What it is measured on.
    pub test: Dataset,
    /// For sampled-negative ranking: per user, the items ranked against that user's test
    /// items (empty for users without one).
    pub negatives: Option<Vec<Vec<ItemIdx>>>,
}

impl Protocol {
    /// A protocol by its CLI name (`holdout`, `kfold`, `loo`, `temporal`) with the usual
    /// defaults: 5 folds, 99 negatives.
    pub fn from_name(name: &str, test_ratio: f64, seed: u64) -> Result<Protocol> {
        Ok(match name.trim().to_ascii_lowercase().as_str() {
            "holdout" => Protocol::Holdout { test_ratio, seed },
            "kfold" => Protocol::KFold { folds: 5, seed },
            "loo" | "leave-last-out" => Protocol::LeaveLastOut {
                negatives: 99,
                seed,
            },
            "temporal" => Protocol::Temporal { test_ratio },
            "coldstart" | "cold-start" | "cold_start" => Protocol::ColdStart {
                test_users: test_ratio,
                keep: 5,
                earliest: false,
                seed,
            },
            "coldstart-earliest" => Protocol::ColdStart {
                test_users: test_ratio,
                keep: 5,
                earliest: true,
                seed,
            },
            other => return Err(Error::UnknownProtocol(other.to_owned())),
        })
    }

    /// The protocol's CLI name.
    pub fn name(&self) -> &'static str {
        match self {
            Protocol::Holdout { .. } => "holdout",
            Protocol::KFold { .. } => "kfold",
            Protocol::LeaveLastOut { .. } => "loo",
            Protocol::Temporal { .. } => "temporal",
            Protocol::ColdStart {
                earliest: false, ..
            } => "coldstart",
            Protocol::ColdStart { earliest: true, .. } => "coldstart-earliest",
        }
    }

    /// The splits of `dataset` (one, or one per fold).
    pub fn folds(&self, dataset: &Dataset) -> Result<Vec<Fold>> {
        let folds = match *self {
            Protocol::Holdout { test_ratio, seed } => vec![holdout(dataset, test_ratio, seed)?],
            Protocol::KFold { folds, seed } => kfold(dataset, folds, seed)?,
            Protocol::LeaveLastOut { negatives, seed } => {
                vec![leave_last_out(dataset, negatives, seed)?]
            }
            Protocol::Temporal { test_ratio } => vec![temporal(dataset, test_ratio)?],
            Protocol::ColdStart {
                test_users,
                keep,
                earliest,
                seed,
            } => vec![cold_start(dataset, test_users, keep, earliest, seed)?],
        };
        for fold in &folds {
            if fold.train.nnz() == 0 {
                return Err(Error::EmptySplit {
                    protocol: self.name(),
                    what: "the training set",
                    hint: "use a smaller test ratio or more data",
                });
            }
            if fold.test.nnz() == 0 {
                return Err(Error::EmptySplit {
                    protocol: self.name(),
                    what: "the test set",
                    hint: "use a larger test ratio or more data",
                });
            }
        }
        Ok(folds)
    }
}

fn check_ratio(test_ratio: f64) -> Result<()> {
    if test_ratio > 0.0 && test_ratio < 1.0 {
        Ok(())
    } else {
        Err(Error::InvalidOption {
            name: "test ratio",
            value: test_ratio.to_string(),
            expected: "a number strictly between 0 and 1",
        })
    }
}

/// The dataset restricted to the cells (numbered in user-major order) for which `keep`
/// holds, with the same users, items, indices and metadata. Weights, ratings, times and
/// event kinds of the kept cells are reproduced exactly.
pub fn filter_cells(dataset: &Dataset, keep: impl Fn(usize) -> bool) -> Dataset {
    let mut builder = DatasetBuilder::new(EventWeights::default());
    builder.reserve(dataset.n_users(), dataset.n_items(), dataset.nnz());
    if let Some(scale) = dataset.declared_rating_scale() {
        builder.set_rating_scale(scale);
    }
    for u in 0..dataset.n_users() as UserIdx {
        if let Some(user) = dataset.user(u) {
            builder.add_user(user.clone());
        }
    }
    for i in 0..dataset.n_items() as ItemIdx {
        if let Some(item) = dataset.item(i) {
            builder.add_item(item.clone());
        }
    }
    let csr = dataset.user_items();
    for u in 0..csr.rows() {
        let start = csr.indptr()[u];
        let row = csr.row(u as UserIdx);
        for n in 0..row.len() {
            if keep(start + n) {
                builder.add_cell_at(
                    u as UserIdx,
                    row.indices[n],
                    row.weights[n],
                    row.ratings[n],
                    row.times[n],
                    row.kinds[n],
                );
            }
        }
    }
    builder.build()
}

/// Train and test sets from a per-cell test mask.
fn by_mask(dataset: &Dataset, in_test: &[bool]) -> (Dataset, Dataset) {
    (
        filter_cells(dataset, |c| !in_test[c]),
        filter_cells(dataset, |c| in_test[c]),
    )
}

/// A random `test_ratio` of the cells as test set.
pub fn holdout(dataset: &Dataset, test_ratio: f64, seed: u64) -> Result<Fold> {
    check_ratio(test_ratio)?;
    let nnz = dataset.nnz();
    let mut order: Vec<usize> = (0..nnz).collect();
    order.shuffle(&mut rng::seeded(seed));
    let n_test = (nnz as f64 * test_ratio).round() as usize;
    let mut in_test = vec![false; nnz];
    for &c in &order[..n_test] {
        in_test[c] = true;
    }
    let (train, test) = by_mask(dataset, &in_test);
    Ok(Fold {
        train,
        test,
        negatives: None,
    })
}

/// `folds` splits whose test sets partition the cells.
pub fn kfold(dataset: &Dataset, folds: usize, seed: u64) -> Result<Vec<Fold>> {
    if !(2..=100).contains(&folds) {
        return Err(Error::InvalidOption {
            name: "number of folds",
            value: folds.to_string(),
            expected: "an integer in 2..=100",
        });
    }
    let nnz = dataset.nnz();
    let mut order: Vec<usize> = (0..nnz).collect();
    order.shuffle(&mut rng::seeded(seed));
    let mut fold_of = vec![0usize; nnz];
    for (pos, &c) in order.iter().enumerate() {
        fold_of[c] = pos % folds;
    }
    Ok((0..folds)
        .map(|f| {
            let in_test: Vec<bool> = fold_of.iter().map(|&x| x == f).collect();
            let (train, test) = by_mask(dataset, &in_test);
            Fold {
                train,
                test,
                negatives: None,
            }
        })
        .collect())
}

/// Each user's latest cell (ties broken towards the higher item index) as test set, for
/// users with at least two cells; with `negatives > 0`, that many items the user never
/// touched, sampled per user from the seed.
pub fn leave_last_out(dataset: &Dataset, negatives: usize, seed: u64) -> Result<Fold> {
    let csr = dataset.user_items();
    let n_items = dataset.n_items();
    let mut in_test = vec![false; dataset.nnz()];
    let mut sampled = vec![Vec::new(); dataset.n_users()];
    for u in 0..csr.rows() {
        let row = csr.row(u as UserIdx);
        if row.len() < 2 {
            continue;
        }
        let last = (0..row.len())
            .max_by_key(|&n| (row.times[n], row.indices[n]))
            .unwrap_or(0);
        in_test[csr.indptr()[u] + last] = true;
        if negatives > 0 {
            let available = n_items - row.len();
            let mut rng = rng::stream(seed, u as u64);
            let user_negatives = &mut sampled[u];
            if available <= negatives {
                user_negatives.extend((0..n_items as ItemIdx).filter(|&i| !row.contains(i)));
                user_negatives.shuffle(&mut rng);
            } else {
                while user_negatives.len() < negatives {
                    let i = rng.random_range(0..n_items as ItemIdx);
                    if !row.contains(i) && !user_negatives.contains(&i) {
                        user_negatives.push(i);
                    }
                }
            }
        }
    }
    let (train, test) = by_mask(dataset, &in_test);
    Ok(Fold {
        train,
        test,
        negatives: (negatives > 0).then_some(sampled),
    })
}

/// A `test_users` share of the users with more than `keep` cells, chosen from the seed,
/// keep `keep` cells for training (a sample drawn from the seed, or with `earliest` their
/// earliest, ties by cell order) and have the rest as test set: users with a few
/// interactions, recommended for by a model trained on everyone else.
pub fn cold_start(
    dataset: &Dataset,
    test_users: f64,
    keep: usize,
    earliest: bool,
    seed: u64,
) -> Result<Fold> {
    check_ratio(test_users)?;
    let csr = dataset.user_items();
    let mut eligible: Vec<usize> = (0..csr.rows())
        .filter(|&u| csr.row(u as UserIdx).len() > keep)
        .collect();
    eligible.shuffle(&mut rng::seeded(seed));
    let n_test = (eligible.len() as f64 * test_users).round() as usize;
    let mut in_test = vec![false; dataset.nnz()];
    for &u in &eligible[..n_test] {
        let row = csr.row(u as UserIdx);
        let mut order: Vec<usize> = (0..row.len()).collect();
        if earliest {
            order.sort_by_key(|&n| (row.times[n], n));
        } else {
            order.shuffle(&mut rng::stream(seed, u as u64));
        }
        for &n in &order[keep..] {
            in_test[csr.indptr()[u] + n] = true;
        }
    }
    let (train, test) = by_mask(dataset, &in_test);
    Ok(Fold {
        train,
        test,
        negatives: None,
    })
}

/// The latest `test_ratio` of the cells by time (ties by cell order) as test set.
pub fn temporal(dataset: &Dataset, test_ratio: f64) -> Result<Fold> {
    check_ratio(test_ratio)?;
    let times = dataset.user_items().times();
    let mut order: Vec<usize> = (0..times.len()).collect();
    order.sort_by_key(|&c| (times[c], c));
    let n_test = (times.len() as f64 * test_ratio).round() as usize;
    let mut in_test = vec![false; times.len()];
    for &c in &order[times.len() - n_test..] {
        in_test[c] = true;
    }
    let (train, test) = by_mask(dataset, &in_test);
    Ok(Fold {
        train,
        test,
        negatives: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use orrery_core::{EventKind, ItemRecord, UserRecord};

    /// Four users, five items: ratings with times, plus one implicit cell.
    fn sample() -> Dataset {
        let mut b = DatasetBuilder::new(EventWeights::default());
        b.add_user(UserRecord::with_id("nobody"));
        b.add_item(ItemRecord {
            id: "i4".into(),
            title: "Never rated".into(),
            ..Default::default()
        });
        for (u, i, r, ts) in [
            ("a", "i0", 5.0, 10),
            ("a", "i1", 3.0, 20),
            ("a", "i2", 4.0, 30),
            ("b", "i0", 2.0, 15),
            ("b", "i3", 4.5, 5),
            ("c", "i1", 1.0, 40),
        ] {
            b.add_event(u, i, &EventKind::Rating, r, ts);
        }
        b.add_event("c", "i2", &EventKind::Click, 0.0, 50);
        b.add_event("c", "i2", &EventKind::Like, 0.0, 60);
        b.build()
    }

    fn cells(d: &Dataset) -> Vec<(String, String, f32, String, i64)> {
        let mut out = Vec::new();
        for u in 0..d.n_users() as u32 {
            let row = d.user_row(u);
            for n in 0..row.len() {
                out.push((
                    d.users().external(u).unwrap().to_owned(),
                    d.items().external(row.indices[n]).unwrap().to_owned(),
                    row.weights[n],
                    format!("{:?}", row.ratings[n]),
                    row.times[n],
                ));
            }
        }
        out
    }

    #[test]
    fn filter_keeps_ids_metadata_and_cells_exactly() {
        let d = sample();
        let all = filter_cells(&d, |_| true);
        assert_eq!(cells(&all), cells(&d));
        assert_eq!(all.users(), d.users());
        assert_eq!(all.items(), d.items());
        assert_eq!(all.item(0).unwrap().title, "Never rated");
        // The implicit cell keeps its summed weight (click 2 + like 5) and no rating.
        let c = all.users().get("c").unwrap();
        let i2 = all.items().get("i2").unwrap();
        let row = all.user_row(c);
        let n = row.indices.iter().position(|&i| i == i2).unwrap();
        assert_eq!(row.weights[n], 7.0);
        assert!(row.ratings[n].is_nan());
        // And the kinds of its events, which decide whether the item counts as seen.
        assert_eq!(row.kinds[n].to_string(), "click,like");
        assert_eq!(all.user_items().kinds(), d.user_items().kinds());
        let none = filter_cells(&d, |_| false);
        assert_eq!(
            (none.nnz(), none.n_users(), none.n_items()),
            (0, d.n_users(), d.n_items())
        );
    }

    #[test]
    fn holdout_and_kfold_partition_the_cells() {
        let d = sample();
        let fold = holdout(&d, 0.3, 1).unwrap();
        assert_eq!(fold.train.nnz() + fold.test.nnz(), d.nnz());
        assert_eq!(fold.test.nnz(), 2); // round(7 × 0.3)
        let again = holdout(&d, 0.3, 1).unwrap();
        assert_eq!(cells(&again.test), cells(&fold.test));
        let folds = kfold(&d, 3, 9).unwrap();
        let mut tested: Vec<_> = folds.iter().flat_map(|f| cells(&f.test)).collect();
        tested.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let mut all = cells(&d);
        all.sort_by(|a, b| a.partial_cmp(b).unwrap());
        assert_eq!(tested, all);
        for f in &folds {
            assert_eq!(f.train.nnz() + f.test.nnz(), d.nnz());
        }
        assert!(holdout(&d, 1.0, 1).is_err());
        assert!(kfold(&d, 1, 1).is_err());
    }

    #[test]
    fn leave_last_out_holds_out_each_users_latest_and_samples_unseen_negatives() {
        let d = sample();
        let fold = leave_last_out(&d, 2, 5).unwrap();
        let test = cells(&fold.test);
        // a's latest is i2 (t=30), b's is i0 (t=15), c's is i2 (t=60); "nobody" has none.
        let held: Vec<(&str, &str)> = test.iter().map(|c| (c.0.as_str(), c.1.as_str())).collect();
        assert_eq!(held, [("a", "i2"), ("b", "i0"), ("c", "i2")]);
        assert_eq!(fold.train.nnz(), d.nnz() - 3);
        let negatives = fold.negatives.unwrap();
        for u in 0..d.n_users() as u32 {
            let row = d.user_row(u);
            if row.len() >= 2 {
                assert_eq!(negatives[u as usize].len(), 2);
                assert!(negatives[u as usize].iter().all(|&i| !row.contains(i)));
            } else {
                assert!(negatives[u as usize].is_empty());
            }
        }
        // 5 items, a touched 3: exactly the two others.
        let a = d.users().get("a").unwrap() as usize;
        let mut a_neg = negatives[a].clone();
        a_neg.sort();
        let expected: Vec<ItemIdx> = ["i4", "i3"]
            .iter()
            .map(|id| d.items().get(id).unwrap())
            .collect::<Vec<_>>();
        let mut expected = expected;
        expected.sort();
        assert_eq!(a_neg, expected);
    }

    #[test]
    fn temporal_holds_out_the_latest_cells() {
        let d = sample();
        let fold = temporal(&d, 0.3).unwrap();
        let times: Vec<i64> = cells(&fold.test).iter().map(|c| c.4).collect();
        assert_eq!(times, [40, 60]);
        assert!(cells(&fold.train).iter().all(|c| c.4 <= 30));
    }

    #[test]
    fn protocols_by_name() {
        assert_eq!(
            Protocol::from_name("loo", 0.1, 3).unwrap(),
            Protocol::LeaveLastOut {
                negatives: 99,
                seed: 3
            }
        );
        assert!(matches!(
            Protocol::from_name("bogus", 0.1, 3),
            Err(Error::UnknownProtocol(_))
        ));
        let d = sample();
        assert_eq!(
            Protocol::from_name("kfold", 0.1, 3)
                .unwrap()
                .folds(&d)
                .unwrap()
                .len(),
            5
        );
    }
}
