//! Every algorithm trained on MovieLens-100K's official u1 split: accuracy against the
//! baselines, determinism, fold-in, explanations and serialization.

mod common;

use std::sync::OnceLock;

use orrery_core::{Dataset, DatasetBuilder, EventKind, EventWeights, ItemIdx};
use orrery_models::{
    Algorithm, EpochReport, Error, Filter, Fitted, ItemSet, Model, NoProgress, Params, Recommender,
};

fn u1() -> &'static (Dataset, Dataset) {
    static U1: OnceLock<(Dataset, Dataset)> = OnceLock::new();
    U1.get_or_init(common::ml100k_u1)
}

fn fit(algo: Algorithm, pairs: &[&str]) -> Model {
    let params = Params::parse(algo, pairs).unwrap();
    Model::fit(&u1().0, &params, &mut NoProgress).unwrap()
}

/// RMSE on the test ratings, predictions clipped to the training range as Surprise does.
fn rmse(model: &Model, test: &Dataset) -> f64 {
    let (lo, hi) = model.rating_range().expect("a rating model");
    let mut sse = 0f64;
    let mut n = 0usize;
    for u in 0..test.n_users() as u32 {
        let row = test.user_row(u);
        if row.is_empty() {
            continue;
        }
        let user = model.user(u).unwrap();
        let mut out = vec![0f32; row.len()];
        model.score(&user, row.indices, &mut out).unwrap();
        for (&p, &r) in out.iter().zip(row.ratings) {
            let e = (p.clamp(lo, hi) - r) as f64;
            sse += e * e;
            n += 1;
        }
    }
    (sse / n as f64).sqrt()
}

/// Mean precision@10 over users with a test rating ≥ 4, ranking the whole catalog minus
/// the user's training items.
fn precision_at_10(model: &Model, test: &Dataset) -> f64 {
    let mut total = 0f64;
    let mut users = 0usize;
    for u in 0..test.n_users() as u32 {
        let row = test.user_row(u);
        let relevant: Vec<ItemIdx> = row
            .indices
            .iter()
            .zip(row.ratings)
            .filter(|&(_, &r)| r >= 4.0)
            .map(|(&i, _)| i)
            .collect();
        if relevant.is_empty() {
            continue;
        }
        let top = model.recommend_user(u, 10, &Filter::default()).unwrap();
        let hits = top.iter().filter(|s| relevant.contains(&s.item)).count();
        total += hits as f64 / 10.0;
        users += 1;
    }
    total / users as f64
}

#[test]
fn baseline_is_as_accurate_as_surprise_baseline_only() {
    if common::without_data() {
        return;
    }
    let rmse = rmse(&fit(Algorithm::Baseline, &[]), &u1().1);
    // Surprise's BaselineOnly scores about 0.94–0.95 on ML-100K.
    assert!(rmse > 0.90 && rmse < 0.96, "baseline RMSE {rmse}");
}

#[test]
fn mf_beats_the_baseline_rmse_sequential_and_parallel() {
    if common::without_data() {
        return;
    }
    let baseline = rmse(&fit(Algorithm::Baseline, &[]), &u1().1);
    let sequential = rmse(&fit(Algorithm::Mf, &["blocks=1"]), &u1().1);
    let parallel = rmse(&fit(Algorithm::Mf, &["blocks=8"]), &u1().1);
    assert!(
        sequential < baseline - 0.005,
        "mf {sequential} vs baseline {baseline}"
    );
    assert!(
        parallel < baseline - 0.005,
        "mf {parallel} vs baseline {baseline}"
    );
    // Stratified parallel SGD keeps the sequential accuracy.
    assert!(
        (parallel - sequential).abs() < 0.005,
        "parallel {parallel} vs sequential {sequential}"
    );
}

#[test]
fn svdpp_beats_the_baseline_and_mf_rmse() {
    if common::without_data() {
        return;
    }
    let baseline = rmse(&fit(Algorithm::Baseline, &[]), &u1().1);
    let mf = rmse(&fit(Algorithm::Mf, &[]), &u1().1);
    let svdpp = rmse(&fit(Algorithm::Svdpp, &[]), &u1().1);
    // Surprise's SVDpp scores 0.932 on this split, its SVD 0.954, BaselineOnly 0.960.
    assert!(
        svdpp < baseline - 0.02,
        "svdpp {svdpp} vs baseline {baseline}"
    );
    assert!(svdpp < mf, "svdpp {svdpp} vs mf {mf}");
    assert!(svdpp < 0.94, "svdpp {svdpp}");
}

#[test]
fn implicit_models_beat_popularity_and_baseline_ranking() {
    if common::without_data() {
        return;
    }
    let test = &u1().1;
    let popularity = precision_at_10(&fit(Algorithm::Popularity, &[]), test);
    let baseline = precision_at_10(&fit(Algorithm::Baseline, &[]), test);
    for (algo, pairs) in [
        (Algorithm::Als, &["factors=32", "iterations=10"][..]),
        (Algorithm::ItemKnn, &[][..]),
        (Algorithm::Ease, &[][..]),
        (Algorithm::Bpr, &["epochs=30", "factors=32"][..]),
        (Algorithm::Nmf, &[][..]),
    ] {
        let p = precision_at_10(&fit(algo, pairs), test);
        assert!(
            p > popularity && p > baseline,
            "{algo} precision@10 {p} vs popularity {popularity}, baseline {baseline}"
        );
    }
}

#[test]
fn nmf_factors_stay_non_negative_and_its_loss_falls() {
    if common::without_data() {
        return;
    }
    let params = Params::parse(Algorithm::Nmf, ["reg=0", "epochs=8"]).unwrap();
    let mut losses = Vec::new();
    let mut record = |r: &EpochReport| losses.push(r.loss);
    let model = Model::fit(&u1().0, &params, &mut record).unwrap();
    // Lee and Seung's updates never increase the objective, which is the full-matrix
    // error when reg = 0.
    assert_eq!(losses.len(), 8);
    assert!(
        losses.windows(2).all(|w| w[1] <= w[0] * (1.0 + 1e-5)),
        "{losses:?}"
    );
    assert!(losses[7] < losses[0] * 0.97, "{losses:?}");
    let Some((items, _)) = model.item_factors() else {
        panic!("nmf has item factors")
    };
    let Fitted::Nmf(nmf) = model.fitted() else {
        panic!("an nmf model")
    };
    assert!(items.iter().chain(nmf.user_factors()).all(|&v| v >= 0.0));
    assert!(items.iter().any(|&v| v > 0.0));
    // Folded-in users are non-negative too, whatever the history holds.
    let repr = model.fold_in(&[(0, 5.0), (1, -1.0), (2, 2.0)]).unwrap();
    assert!(repr.factors.iter().all(|&v| v >= 0.0));
}

#[test]
fn nmf_treats_skips_as_no_interest() {
    if common::without_data() {
        return;
    }
    // Two tastes: users a* like items x1..x3, users b* like y1..y3. One user of each
    // group also skipped an item of the other group; the skip must not pull that item in.
    let mut b = DatasetBuilder::new(EventWeights::default());
    for (users, items) in [
        (["a1", "a2", "a3"], ["x1", "x2", "x3"]),
        (["b1", "b2", "b3"], ["y1", "y2", "y3"]),
    ] {
        for u in users {
            for i in items {
                b.add_event(u, i, &EventKind::Like, 0.0, 1);
            }
        }
    }
    b.add_event("a1", "y1", &EventKind::Skip, 0.0, 2);
    b.add_event("b1", "x1", &EventKind::Click, 0.0, 2);
    b.add_event("b1", "x1", &EventKind::Skip, 0.0, 3);
    let data = b.build();
    let params = Params::parse(Algorithm::Nmf, ["factors=2", "reg=0", "epochs=200"]).unwrap();
    let model = Model::fit(&data, &params, &mut NoProgress).unwrap();
    let idx = |id: &str| data.items().get(id).unwrap();
    let a1 = model.user(data.users().get("a1").unwrap()).unwrap();
    let mut out = [0f32; 2];
    model.score(&a1, &[idx("x2"), idx("y1")], &mut out).unwrap();
    assert!(
        out[0] > 1.0 && out[1] < 0.5,
        "a1 scores x2 {} and y1 {}",
        out[0],
        out[1]
    );
    // Click (2) then skip (−1) leaves a weak positive signal, not a negative one.
    let folded = model
        .fold_in(&[(idx("y2"), 5.0), (idx("x1"), 1.0)])
        .unwrap();
    model
        .score(&folded, &[idx("y3"), idx("x3")], &mut out)
        .unwrap();
    assert!(out[0] > out[1] && out[1] >= 0.0, "{out:?}");
}

#[test]
fn nmf_fold_in_of_trained_users_ranks_like_training() {
    if common::without_data() {
        return;
    }
    let test = &u1().1;
    let model = fit(Algorithm::Nmf, &[]);
    let trained = precision_at_10(&model, test);
    let (mut total, mut users) = (0f64, 0usize);
    for u in 0..test.n_users() as u32 {
        let row = test.user_row(u);
        let relevant: Vec<ItemIdx> = row
            .indices
            .iter()
            .zip(row.ratings)
            .filter(|&(_, &r)| r >= 4.0)
            .map(|(&i, _)| i)
            .collect();
        if relevant.is_empty() {
            continue;
        }
        let repr = model.fold_in(&model.user(u).unwrap().history).unwrap();
        let top = model.recommend(&repr, 10, &Filter::default()).unwrap();
        total += top.iter().filter(|s| relevant.contains(&s.item)).count() as f64 / 10.0;
        users += 1;
    }
    let folded = total / users as f64;
    assert!(
        folded > trained * 0.9,
        "fold-in precision@10 {folded} vs trained {trained}"
    );
}

#[test]
fn fits_are_deterministic_for_a_seed() {
    if common::without_data() {
        return;
    }
    for (algo, pairs) in [
        (Algorithm::Mf, &["epochs=3", "factors=8"][..]),
        (Algorithm::Mf, &["epochs=3", "factors=8", "blocks=1"][..]),
        (Algorithm::Svdpp, &["epochs=3", "factors=8"][..]),
        (Algorithm::Nmf, &["epochs=3", "factors=8"][..]),
        (Algorithm::Als, &["iterations=3", "factors=8"][..]),
        (
            Algorithm::Als,
            &["iterations=2", "factors=8", "solver=cholesky"][..],
        ),
    ] {
        let with_seed = |seed: u64| {
            let mut pairs: Vec<String> = pairs.iter().map(|s| s.to_string()).collect();
            pairs.push(format!("seed={seed}"));
            fit(algo, &pairs.iter().map(String::as_str).collect::<Vec<_>>())
                .to_bytes()
                .unwrap()
        };
        assert_eq!(with_seed(1), with_seed(1), "{algo} {pairs:?}");
        assert_ne!(with_seed(1), with_seed(2), "{algo} {pairs:?}");
    }
    for algo in [
        Algorithm::Popularity,
        Algorithm::Trending,
        Algorithm::Baseline,
        Algorithm::ItemKnn,
    ] {
        assert_eq!(
            fit(algo, &[]).to_bytes().unwrap(),
            fit(algo, &[]).to_bytes().unwrap(),
            "{algo}"
        );
    }
}

#[test]
fn progress_reports_every_epoch_and_can_cancel() {
    if common::without_data() {
        return;
    }
    let params = Params::parse(Algorithm::Mf, ["epochs=4", "factors=4"]).unwrap();
    let mut reports: Vec<EpochReport> = Vec::new();
    let mut record = |r: &EpochReport| reports.push(*r);
    Model::fit(&u1().0, &params, &mut record).unwrap();
    assert_eq!(
        reports.iter().map(|r| r.epoch).collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );
    assert!(reports.iter().all(|r| r.epochs == 4 && r.loss.is_finite()));
    // Training RMSE falls epoch after epoch.
    assert!(
        reports.windows(2).all(|w| w[1].loss < w[0].loss),
        "{reports:?}"
    );
    assert!(reports.windows(2).all(|w| w[1].elapsed >= w[0].elapsed));

    struct StopAfterTwo(usize);
    impl orrery_models::Progress for StopAfterTwo {
        fn on_epoch(&mut self, r: &EpochReport) {
            self.0 = r.epoch;
        }
        fn cancelled(&self) -> bool {
            self.0 >= 2
        }
    }
    let err = Model::fit(&u1().0, &params, &mut StopAfterTwo(0)).unwrap_err();
    assert!(matches!(err, Error::Cancelled { epoch: 2 }), "{err}");
}

#[test]
fn fold_in_moves_top_10_toward_the_neighbours_of_what_was_just_rated() {
    if common::without_data() {
        return;
    }
    let train = &u1().0;
    for (algo, pairs) in [
        (Algorithm::Mf, &[][..]),
        (Algorithm::Svdpp, &[][..]),
        (Algorithm::Nmf, &[][..]),
        (Algorithm::Als, &["factors=32"][..]),
        (Algorithm::ItemKnn, &[][..]),
        (Algorithm::Ease, &[][..]),
        (Algorithm::Bpr, &["epochs=100", "factors=32"][..]),
    ] {
        let model = fit(algo, pairs);
        let (mut before, mut after) = (0, 0);
        // Thirty users with modest histories; each rates 5 an unseen popular item and its
        // 7 nearest neighbours (in the model's own item space), and the next 22 neighbours
        // are counted in the top 10 before and after.
        let users: Vec<u32> = (0..train.n_users() as u32)
            .filter(|&u| (20..=100).contains(&train.user_row(u).len()))
            .take(30)
            .collect();
        for &user in &users {
            let history = model.user(user).unwrap().history;
            let seen = |i: ItemIdx| history.iter().any(|&(h, _)| h == i);
            let seed = (0..train.n_items() as u32)
                .filter(|&i| !seen(i))
                .max_by_key(|&i| train.item_row(i).len())
                .unwrap();
            let cluster: Vec<ItemIdx> = std::iter::once(seed)
                .chain(
                    model
                        .similar_items(seed, 40)
                        .unwrap()
                        .iter()
                        .map(|s| s.item),
                )
                .filter(|&i| !seen(i))
                .take(30)
                .collect();
            let (rated_now, neighbours) = cluster.split_at(8);
            let just_rated: Vec<(ItemIdx, f32)> = rated_now.iter().map(|&i| (i, 5.0)).collect();
            let count = |interactions: &[(ItemIdx, f32)]| {
                let repr = model.fold_in(interactions).unwrap();
                model
                    .recommend(&repr, 10, &Filter::default().exclude(rated_now))
                    .unwrap()
                    .iter()
                    .filter(|s| neighbours.contains(&s.item))
                    .count()
            };
            before += count(&history);
            after += count(&[history.clone(), just_rated].concat());
        }
        // Every model moves: MF the least (explicit ratings spread over biases and
        // factors), item-kNN the most; 25 → 37, 63 → 116, 103 → 186 and 74 → 129 here.
        assert!(
            after >= before + 8 && after as f64 >= 1.3 * before as f64,
            "{algo}: cluster neighbours in {} top-10 lists went {before} → {after}",
            users.len()
        );
    }
}

#[test]
fn fold_in_of_a_trained_user_scores_close_to_training() {
    if common::without_data() {
        return;
    }
    let test = &u1().1;
    for algo in [Algorithm::Mf, Algorithm::Svdpp, Algorithm::Baseline] {
        let model = fit(algo, &[]);
        let trained = rmse(&model, test);
        // Re-derive every user from their training ratings alone and score the test set.
        let (lo, hi) = model.rating_range().unwrap();
        let (mut sse, mut n) = (0f64, 0usize);
        for u in 0..test.n_users() as u32 {
            let row = test.user_row(u);
            if row.is_empty() {
                continue;
            }
            let repr = model.fold_in(&model.user(u).unwrap().history).unwrap();
            let mut out = vec![0f32; row.len()];
            model.score(&repr, row.indices, &mut out).unwrap();
            for (&p, &r) in out.iter().zip(row.ratings) {
                sse += ((p.clamp(lo, hi) - r) as f64).powi(2);
                n += 1;
            }
        }
        let folded = (sse / n as f64).sqrt();
        assert!(
            folded < trained + 0.02,
            "{algo}: fold-in RMSE {folded} vs trained {trained}"
        );
    }
}

#[test]
fn explanations_add_up_to_the_score() {
    if common::without_data() {
        return;
    }
    let train = &u1().0;
    for (algo, pairs) in [
        (Algorithm::Baseline, &[][..]),
        (Algorithm::Mf, &["epochs=5"][..]),
        (Algorithm::Svdpp, &["epochs=5"][..]),
        (Algorithm::Nmf, &["epochs=5"][..]),
        (Algorithm::Als, &["factors=16", "iterations=5"][..]),
        (Algorithm::ItemKnn, &[][..]),
        (Algorithm::Ease, &[][..]),
    ] {
        let model = fit(algo, pairs);
        let history = model.user(3).unwrap().history;
        let repr = model.fold_in(&history).unwrap();
        let top = model.recommend(&repr, 3, &Filter::default()).unwrap();
        for s in top {
            let e = model.explain(&repr, s.item).unwrap();
            assert!(
                (e.score - s.score).abs() < 1e-3 * s.score.abs().max(1.0),
                "{algo}: {} vs {}",
                e.score,
                s.score
            );
            assert!(!e.contributions.is_empty(), "{algo}");
            assert!(
                e.contributions
                    .iter()
                    .all(|c| history.iter().any(|&(h, _)| h == c.item))
            );
        }
        assert_eq!(train.n_items(), model.n_items());
    }
    let err = fit(Algorithm::Popularity, &[])
        .explain(&Default::default(), 0)
        .unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err}");
}

#[test]
fn similar_items_exclude_the_item_and_are_sorted() {
    if common::without_data() {
        return;
    }
    for (algo, pairs) in [
        (Algorithm::Mf, &["seed=3"][..]),
        (Algorithm::Svdpp, &["seed=3"][..]),
        (Algorithm::Nmf, &["seed=3"][..]),
        (Algorithm::Als, &["seed=3"][..]),
        (Algorithm::ItemKnn, &[][..]),
        (Algorithm::Ease, &[][..]),
        (Algorithm::Bpr, &["epochs=5"][..]),
    ] {
        let model = fit(algo, pairs);
        let similar = model.similar_items(0, 5).unwrap();
        assert_eq!(similar.len(), 5, "{algo}");
        assert!(similar.iter().all(|s| s.item != 0));
        assert!(similar.windows(2).all(|w| w[0].score >= w[1].score));
    }
}

#[test]
fn recommend_filters_seen_excluded_and_disallowed_items() {
    if common::without_data() {
        return;
    }
    let model = fit(Algorithm::Popularity, &[]);
    let user = model.user(0).unwrap();
    let seen: Vec<ItemIdx> = user.history.iter().map(|&(i, _)| i).collect();
    let unfiltered = model.recommend(&user, 20, &Filter::none()).unwrap();
    assert!(
        unfiltered.iter().any(|s| seen.contains(&s.item)),
        "user 0 has seen popular items"
    );
    let top = model.recommend(&user, 20, &Filter::default()).unwrap();
    assert_eq!(top.len(), 20);
    assert!(top.iter().all(|s| !seen.contains(&s.item)));
    assert!(top.windows(2).all(|w| w[0].score >= w[1].score));
    let first = top[0].item;
    let allowed: ItemSet = (0..100).collect();
    let filtered = model
        .recommend(
            &user,
            5,
            &Filter::default().exclude(&[first]).only(&allowed),
        )
        .unwrap();
    assert!(
        filtered
            .iter()
            .all(|s| s.item != first && s.item < 100 && !seen.contains(&s.item))
    );
}

#[test]
fn scoring_rejects_bad_input() {
    if common::without_data() {
        return;
    }
    let model = fit(Algorithm::Mf, &["epochs=1", "factors=4"]);
    let user = model.user(0).unwrap();
    let mut out = [0f32; 2];
    assert!(matches!(
        model.score(&user, &[0], &mut out),
        Err(Error::BufferLength { .. })
    ));
    assert!(matches!(
        model.score(&user, &[0, 99_999], &mut out),
        Err(Error::UnknownItem { .. })
    ));
    let other = fit(Algorithm::Als, &["iterations=1", "factors=3"])
        .user(0)
        .unwrap();
    assert!(matches!(
        model.score(&other, &[0, 1], &mut out),
        Err(Error::ReprMismatch { .. })
    ));
    assert!(matches!(model.user(99_999), Err(Error::UnknownUser { .. })));
    assert!(matches!(
        model.fold_in(&[(0, f32::NAN)]),
        Err(Error::InvalidValue { .. })
    ));
    assert!(matches!(
        model.fold_in(&[(99_999, 4.0)]),
        Err(Error::UnknownItem { .. })
    ));
    // Scores of a batch equal scores of the whole catalog.
    let mut all = vec![0f32; model.n_items()];
    model.score_all(&user, &mut all).unwrap();
    model.score(&user, &[5, 7], &mut out).unwrap();
    assert_eq!(out, [all[5], all[7]]);
}

#[test]
fn models_round_trip_and_refuse_other_versions() {
    if common::without_data() {
        return;
    }
    for (algo, pairs) in [
        (Algorithm::Popularity, &[][..]),
        (Algorithm::Trending, &["half_life_days=30"][..]),
        (Algorithm::Baseline, &[][..]),
        (Algorithm::Mf, &["epochs=2"][..]),
        (Algorithm::Svdpp, &["epochs=2"][..]),
        (Algorithm::Nmf, &["epochs=2", "factors=8"][..]),
        (Algorithm::Als, &["iterations=2", "factors=8"][..]),
        (Algorithm::ItemKnn, &[][..]),
        (Algorithm::Ease, &[][..]),
        (Algorithm::Bpr, &["epochs=2", "factors=8"][..]),
    ] {
        let model = fit(algo, pairs);
        let mut bytes = Vec::new();
        model.save(&mut bytes).unwrap();
        assert_eq!(
            Model::peek(&bytes).unwrap(),
            (orrery_models::FORMAT_VERSION, algo.name().to_owned())
        );
        let loaded = Model::load(bytes.as_slice()).unwrap();
        assert_eq!(loaded.params(), model.params());
        let (a, b) = (model.user(5).unwrap(), loaded.user(5).unwrap());
        assert_eq!(a, b);
        assert_eq!(
            model.recommend(&a, 10, &Filter::default()).unwrap(),
            loaded.recommend(&b, 10, &Filter::default()).unwrap(),
            "{algo}"
        );
        // What a model keeps between fold-ins (ALS's item Gram matrix) is not saved: the
        // loaded model recomputes it, and a second fold-in reuses it.
        let history = [(3, 5.0), (17, 4.0), (40, 1.0)];
        let first = model.fold_in(&history).unwrap();
        assert_eq!(model.fold_in(&history).unwrap(), first, "{algo}");
        assert_eq!(loaded.fold_in(&history).unwrap(), first, "{algo}");

        let mut other_version = bytes.clone();
        other_version[8..12].copy_from_slice(&(orrery_models::FORMAT_VERSION + 1).to_le_bytes());
        let err = Model::from_bytes(&other_version).unwrap_err();
        assert!(matches!(err, Error::FormatVersion { .. }), "{err}");
        assert!(err.to_string().contains("retrain"), "{err}");

        let truncated = &bytes[..bytes.len() / 2];
        assert!(
            matches!(Model::from_bytes(truncated), Err(Error::Corrupt(_))),
            "{algo}"
        );
    }
    assert!(matches!(
        Model::from_bytes(b"PK\x03\x04 a zip file"),
        Err(Error::NotAModel)
    ));
}

#[test]
fn rating_models_refuse_implicit_only_data() {
    if common::without_data() {
        return;
    }
    let mut b = orrery_core::DatasetBuilder::new(Default::default());
    b.add_event("u", "i", &orrery_core::EventKind::Click, 0.0, 1);
    let implicit = b.build();
    for algo in [Algorithm::Baseline, Algorithm::Mf, Algorithm::Svdpp] {
        let err = Model::fit(&implicit, &Params::defaults(algo), &mut NoProgress).unwrap_err();
        assert!(matches!(err, Error::InsufficientData { .. }), "{err}");
        assert!(err.to_string().contains("als"), "{err}");
    }
    // Implicit models train on it.
    for algo in [
        Algorithm::Popularity,
        Algorithm::Nmf,
        Algorithm::Als,
        Algorithm::ItemKnn,
        Algorithm::Ease,
    ] {
        Model::fit(&implicit, &Params::defaults(algo), &mut NoProgress).unwrap();
    }
}

#[test]
fn invalid_params_are_refused_by_fit() {
    if common::without_data() {
        return;
    }
    let params = Params::Mf(orrery_models::MfParams {
        factors: 0,
        ..Default::default()
    });
    let err = Model::fit(&u1().0, &params, &mut NoProgress).unwrap_err();
    assert!(err.to_string().contains("factors"), "{err}");
}
