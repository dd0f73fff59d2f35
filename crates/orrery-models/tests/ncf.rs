//! GMF, NeuMF and the two-tower network on a small synthetic catalog with two taste
//! groups: determinism, save/load, fold-in and the cold start from demographics.

use orrery_core::{
    Category, Dataset, DatasetBuilder, EventKind, EventWeights, ItemIdx, ItemRecord, UserRecord,
};
use orrery_models::{Algorithm, Filter, Model, NoProgress, Params, Recommender};

/// 60 users and 200 items: women rate a seventh of the "drama" items (0..100) 5 and men
/// a seventh of the "action" items (100..200); every user also rates two items of the
/// other kind 2.
fn two_groups() -> Dataset {
    let mut b = DatasetBuilder::new(EventWeights::default());
    for i in 0..200 {
        let genre = if i < 100 { "Drama" } else { "Action" };
        b.add_item(ItemRecord {
            id: format!("m{i}"),
            categories: vec![Category::new("genre", genre)],
            year: Some(1990 + i),
            ..ItemRecord::default()
        });
    }
    for u in 0..60u32 {
        let woman = u % 2 == 0;
        b.add_user(UserRecord {
            id: format!("u{u}"),
            gender: Some(if woman { "F" } else { "M" }.to_owned()),
            age: Some(18 + (u as i32 % 5) * 10),
            occupation: Some(format!("{}", u % 3)),
            ..UserRecord::default()
        });
        let liked = if woman { 0..100 } else { 100..200 };
        for i in liked {
            if (i + u * 3) % 7 == 0 {
                b.add_event(
                    &format!("u{u}"),
                    &format!("m{i}"),
                    &EventKind::Rating,
                    5.0,
                    i as i64,
                );
            }
        }
        let other = if woman { 100 } else { 0 };
        for i in [other + (u % 100), other + (u * 3 + 1) % 100] {
            b.add_event(
                &format!("u{u}"),
                &format!("m{i}"),
                &EventKind::Rating,
                2.0,
                100,
            );
        }
    }
    b.build()
}

fn params(algo: Algorithm) -> Params {
    Params::parse(
        algo,
        [
            "epochs=10",
            "factors=8",
            "mlp_dim=8",
            "tower=16",
            "batch_size=32",
            "lr=0.01",
            "reg=0.01",
        ],
    )
    .unwrap()
}

#[test]
fn every_variant_is_deterministic_round_trips_and_ranks_by_taste() {
    let data = two_groups();
    for algo in [Algorithm::Gmf, Algorithm::NeuMf, Algorithm::Ncf] {
        let p = params(algo);
        let a = Model::fit(&data, &p, &mut NoProgress).unwrap();
        let b = Model::fit(&data, &p, &mut NoProgress).unwrap();
        let bytes = a.to_bytes().unwrap();
        assert_eq!(bytes, b.to_bytes().unwrap(), "{algo}");
        let loaded = Model::from_bytes(&bytes).unwrap();
        let mut x = vec![0f32; a.n_items()];
        let mut y = vec![0f32; a.n_items()];
        a.score_all(&a.user(0).unwrap(), &mut x).unwrap();
        loaded.score_all(&loaded.user(0).unwrap(), &mut y).unwrap();
        assert_eq!(x, y, "{algo}");

        // Batch scores agree with whole-catalog scores.
        let items: Vec<ItemIdx> = vec![3, 27, 11];
        let mut some = vec![0f32; 3];
        a.score(&a.user(0).unwrap(), &items, &mut some).unwrap();
        for (s, &i) in some.iter().zip(&items) {
            assert_eq!(*s, x[i as usize], "{algo}");
        }

        // Folding in a user's own history scores like a vector of the model's width.
        let history = a.user(0).unwrap().history;
        let folded = a.fold_in(&history).unwrap();
        assert_eq!(
            folded.factors.len(),
            a.user(0).unwrap().factors.len(),
            "{algo}"
        );
        assert!(folded.factors.iter().all(|v| v.is_finite()), "{algo}");
    }
}

#[test]
fn the_two_tower_cold_start_answers_from_demographics_alone() {
    let data = two_groups();
    let model = Model::fit(&data, &params(Algorithm::Ncf), &mut NoProgress).unwrap();
    let person = |gender: &str| UserRecord {
        id: "new".to_owned(),
        gender: Some(gender.to_owned()),
        age: Some(28),
        occupation: Some("1".to_owned()),
        ..UserRecord::default()
    };
    // The user tower answers from the profile alone, and the profile matters.
    let woman = model.cold_start(&person("F"), &[]).unwrap();
    let man = model.cold_start(&person("M"), &[]).unwrap();
    assert_eq!(woman.factors.len(), model.user(0).unwrap().factors.len());
    assert_ne!(woman.factors, man.factors);
    // Onboarding items count too.
    let onboarded = model
        .cold_start(&person("M"), &[(2, 5.0), (5, 5.0), (8, 5.0)])
        .unwrap();
    assert_ne!(onboarded.factors, man.factors);
    assert_eq!(onboarded.history.len(), 3);
    let top = model.recommend(&onboarded, 5, &Filter::default()).unwrap();
    assert!(top.iter().all(|s| ![2, 5, 8].contains(&s.item)));
    // Other models ignore the profile and fold the interactions in.
    let gmf = Model::fit(&data, &params(Algorithm::Gmf), &mut NoProgress).unwrap();
    let cold = gmf.cold_start(&person("M"), &[(2, 5.0)]).unwrap();
    assert_eq!(cold, gmf.fold_in(&[(2, 5.0)]).unwrap());
    assert!(model.cold_start(&person("F"), &[(4000, 5.0)]).is_err());
}
