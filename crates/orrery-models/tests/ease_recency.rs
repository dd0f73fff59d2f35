//! EASE with a recency half-life: a user's latest interactions weigh most, the order
//! comes from timestamps for trained users and from the order of interactions in
//! `fold_in`, and data without timestamps is scored as without recency.

use orrery_core::{Dataset, DatasetBuilder, EventKind, EventWeights, ItemIdx, UserIdx};
use orrery_models::{Algorithm, Model, NoProgress, Params, Recommender, UserRepr};

/// Two independent pairs of items, `a1`–`a2` and `b1`–`b2`, each liked together by 20
/// users, and one user `t` who touched `a1` first and `b1` last (at `t_a1` and `t_b1`).
fn pairs(t_a1: i64, t_b1: i64) -> Dataset {
    let mut b = DatasetBuilder::new(EventWeights::default());
    let like = EventKind::Like;
    for u in 0..20 {
        b.add_event(&format!("a{u}"), "a1", &like, 1.0, 10);
        b.add_event(&format!("a{u}"), "a2", &like, 1.0, 20);
        b.add_event(&format!("b{u}"), "b1", &like, 1.0, 10);
        b.add_event(&format!("b{u}"), "b2", &like, 1.0, 20);
    }
    b.add_event("t", "a1", &like, 1.0, t_a1);
    b.add_event("t", "b1", &like, 1.0, t_b1);
    b.build()
}

fn fit(dataset: &Dataset, pairs: &[&str]) -> Model {
    let params = Params::parse(Algorithm::Ease, pairs.iter().copied()).unwrap();
    Model::fit(dataset, &params, &mut NoProgress).unwrap()
}

fn item(dataset: &Dataset, id: &str) -> ItemIdx {
    dataset.items().get(id).unwrap()
}

fn user(dataset: &Dataset, id: &str) -> UserIdx {
    dataset.users().get(id).unwrap()
}

fn scores(model: &Model, repr: &UserRepr, items: &[ItemIdx]) -> Vec<f32> {
    let mut out = vec![0.0; items.len()];
    model.score(repr, items, &mut out).unwrap();
    out
}

const RECENCY: [&str; 3] = ["lambda=10", "recency_half_life=1", "recency_floor=0.05"];

#[test]
fn the_latest_interaction_pulls_its_neighbours_up() {
    let data = pairs(100, 200);
    let (a2, b2) = (item(&data, "a2"), item(&data, "b2"));
    let t = user(&data, "t");

    let plain = fit(&data, &["lambda=10"]);
    let s = scores(&plain, &plain.user(t).unwrap(), &[a2, b2]);
    assert!(
        (s[0] - s[1]).abs() < 1e-6,
        "without recency the pairs tie: {s:?}"
    );

    let recent = fit(&data, &RECENCY);
    let repr = recent.user(t).unwrap();
    // a1 is followed by one interaction: 0.05 + 0.95 · 0.5.
    let a1_pos = repr
        .history
        .iter()
        .position(|&(i, _)| i == item(&data, "a1"));
    assert_eq!(repr.recency.len(), repr.history.len());
    assert!((repr.recency[a1_pos.unwrap()] - 0.525).abs() < 1e-6);
    let s = scores(&recent, &repr, &[a2, b2]);
    assert!(s[1] > 1.5 * s[0], "b1 came last, so b2 leads: {s:?}");
    let top = recent
        .recommend(&repr, 1, &orrery_models::Filter::none().exclude_seen(true))
        .unwrap();
    assert_eq!(top[0].item, b2);
}

#[test]
fn fold_in_reads_the_order_of_the_interactions() {
    let data = pairs(100, 200);
    let (a1, b1, a2, b2) = (
        item(&data, "a1"),
        item(&data, "b1"),
        item(&data, "a2"),
        item(&data, "b2"),
    );
    let model = fit(&data, &RECENCY);
    let trained = scores(&model, &model.user(user(&data, "t")).unwrap(), &[a2, b2]);
    let same_order = model.fold_in(&[(a1, 1.0), (b1, 1.0)]).unwrap();
    assert_eq!(scores(&model, &same_order, &[a2, b2]), trained);

    let reversed = model.fold_in(&[(b1, 1.0), (a1, 1.0)]).unwrap();
    let s = scores(&model, &reversed, &[a2, b2]);
    assert!(s[0] > 1.5 * s[1], "a1 is now the latest: {s:?}");
    // Touching b1 again makes it the latest once more.
    let again = model.fold_in(&[(b1, 1.0), (a1, 1.0), (b1, 1.0)]).unwrap();
    assert_eq!(scores(&model, &again, &[a2, b2]), trained);
}

#[test]
fn simultaneous_or_untimed_interactions_count_alike() {
    for (t_a1, t_b1) in [(100, 100), (0, 0)] {
        let data = pairs(t_a1, t_b1);
        let t = user(&data, "t");
        let items = [item(&data, "a2"), item(&data, "b2")];
        let plain = fit(&data, &["lambda=10"]);
        let recent = fit(&data, &RECENCY);
        assert_eq!(
            scores(&recent, &recent.user(t).unwrap(), &items),
            scores(&plain, &plain.user(t).unwrap(), &items),
        );
    }
}

#[test]
fn recency_survives_a_save_and_load() {
    let data = pairs(100, 200);
    let model = fit(&data, &RECENCY);
    let loaded = Model::from_bytes(&model.to_bytes().unwrap()).unwrap();
    let t = user(&data, "t");
    assert_eq!(loaded.user(t).unwrap(), model.user(t).unwrap());
    assert_eq!(loaded.params(), model.params());
}

#[test]
fn recency_parameters_are_validated_by_name() {
    for (pair, field) in [
        ("recency_floor=1.5", "recency_floor"),
        ("recency_half_life=-1", "recency_half_life"),
    ] {
        let err = Params::parse(Algorithm::Ease, [pair])
            .unwrap_err()
            .to_string();
        assert!(err.contains(field), "{err}");
    }
}
