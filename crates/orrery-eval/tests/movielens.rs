//! The protocols and `evaluate` on MovieLens-100K with real models.

// The MovieLens-100K test reader is shared with orrery-models' tests.
#[path = "../../orrery-models/tests/common/mod.rs"]
mod common;

use orrery_core::{Dataset, DatasetBuilder, EventKind, EventWeights};
use orrery_eval::{EvalOptions, Protocol, evaluate, run};
use orrery_models::{Algorithm, Model, NoProgress, Params};

fn fit(train: &Dataset, algo: Algorithm, pairs: &[&str]) -> Model {
    Model::fit(train, &Params::parse(algo, pairs).unwrap(), &mut NoProgress).unwrap()
}

fn ml100k() -> Dataset {
    let rows = common::read_tsv("ml-100k/u.data");
    let mut b = DatasetBuilder::new(EventWeights::default());
    for (u, i, r, ts) in &rows {
        b.add_event(u, i, &EventKind::Rating, *r, *ts);
    }
    b.build()
}

#[test]
fn u1_rating_and_full_catalog_metrics() {
    if common::without_data() {
        return;
    }
    let (train, test) = common::ml100k_u1();
    let opts = EvalOptions::default();
    let baseline = evaluate(&fit(&train, Algorithm::Baseline, &[]), &train, &test, &opts).unwrap();
    let mf = evaluate(&fit(&train, Algorithm::Mf, &[]), &train, &test, &opts).unwrap();
    let popularity = evaluate(
        &fit(&train, Algorithm::Popularity, &[]),
        &train,
        &test,
        &opts,
    )
    .unwrap();
    let names = |m: &orrery_eval::Metrics| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        names(&mf),
        [
            "coverage@10",
            "hr@10",
            "mae",
            "map@10",
            "mrr",
            "ndcg@10",
            "precision@10",
            "recall@10",
            "rmse"
        ]
    );
    // Popularity predicts no ratings, so RMSE and MAE do not apply.
    assert!(!popularity.contains_key("rmse") && !popularity.contains_key("mae"));
    assert!(mf["rmse"] < baseline["rmse"], "{mf:?} vs {baseline:?}");
    // Popularity recommends the same few items to everyone.
    assert!(popularity["coverage@10"] < 0.1, "{popularity:?}");
    assert!(popularity["precision@10"] > 0.05, "{popularity:?}");
    for m in [&baseline, &mf, &popularity] {
        for (name, v) in m.iter() {
            assert!(v.is_finite() && *v >= 0.0, "{name} = {v}");
        }
    }
}

#[test]
fn leave_last_out_with_99_negatives_ranks_als_above_popularity() {
    if common::without_data() {
        return;
    }
    let data = ml100k();
    let fold = Protocol::LeaveLastOut {
        negatives: 99,
        seed: 1,
    }
    .folds(&data)
    .unwrap()
    .remove(0);
    assert_eq!(fold.test.nnz(), 943, "one held-out item per user");
    let negatives = fold.negatives.as_deref().unwrap();
    assert!(negatives.iter().all(|n| n.len() == 99));
    let opts = EvalOptions {
        negatives: Some(negatives),
        ..Default::default()
    };
    let popularity = evaluate(
        &fit(&fold.train, Algorithm::Popularity, &[]),
        &fold.train,
        &fold.test,
        &opts,
    )
    .unwrap();
    let als = evaluate(
        &fit(&fold.train, Algorithm::Als, &["factors=32"]),
        &fold.train,
        &fold.test,
        &opts,
    )
    .unwrap();
    assert!(!als.contains_key("coverage@10") && !als.contains_key("rmse"));
    // With 100 candidates a random ranking has HR@10 = 0.1; popularity is far better and
    // ALS better still.
    assert!(popularity["hr@10"] > 0.3, "{popularity:?}");
    assert!(
        als["hr@10"] > popularity["hr@10"] && als["ndcg@10"] > popularity["ndcg@10"],
        "{als:?} vs {popularity:?}"
    );
    // One relevant item per user: recall equals the hit rate, precision is a tenth of it.
    assert!((als["recall@10"] - als["hr@10"]).abs() < 1e-12);
    assert!((als["precision@10"] * 10.0 - als["hr@10"]).abs() < 1e-12);
}

#[test]
fn kfold_averages_five_folds_and_temporal_tests_the_future() {
    if common::without_data() {
        return;
    }
    let data = ml100k();
    let params = Params::defaults(Algorithm::Baseline);
    let report = run(
        &data,
        &params,
        &Protocol::KFold { folds: 5, seed: 3 },
        &EvalOptions::default(),
        &mut NoProgress,
    )
    .unwrap();
    assert_eq!((report.protocol, report.folds), ("kfold", 5));
    // Surprise's BaselineOnly: 0.944 RMSE by 5-fold cross-validation on ML-100K.
    let rmse = report.metrics["rmse"];
    assert!(rmse > 0.93 && rmse < 0.955, "{rmse}");

    let fold = Protocol::Temporal { test_ratio: 0.1 }
        .folds(&data)
        .unwrap()
        .remove(0);
    let latest_train = fold.train.user_items().times().iter().max().unwrap();
    let earliest_test = fold.test.user_items().times().iter().min().unwrap();
    assert!(latest_train <= earliest_test);
    let report = run(
        &data,
        &params,
        &Protocol::Temporal { test_ratio: 0.1 },
        &EvalOptions::default(),
        &mut NoProgress,
    )
    .unwrap();
    assert!(report.metrics.contains_key("rmse") && report.metrics.contains_key("ndcg@10"));
}
