//! The Poppy Layer 4 network on simulated universes: it finds the planted preferences
//! when strengths carry a signal, and falls back to the mean when they are noise.

use orrery_core::{Dataset, DatasetBuilder, EventWeights, ItemIdx, Record};
use orrery_data::simulate::{UniverseConfig, simulate};
use orrery_models::{Algorithm, Fitted, Model, NoProgress, Params, Recommender};

/// The universe's users, category items and strengths, split at random into training and
/// held-out cells (a quarter held out).
struct Split {
    train: Dataset,
    test: Vec<(u32, ItemIdx, f32)>,
    preferences: Vec<(u32, Option<&'static str>)>,
}

fn universe(signal: f64, seed: u64) -> Split {
    let config = UniverseConfig {
        strength_signal: signal,
        seed,
        ..UniverseConfig::default()
    };
    let universe = simulate(&config).unwrap();
    // Held-out cells: the latest strength of a (user, category) pair counts, as in the
    // dataset, so a pair is either trained on or held out.
    let mut builder = DatasetBuilder::new(EventWeights::default());
    let mut strengths = Vec::new();
    for record in universe.records() {
        match record {
            Record::User(u) => {
                builder.add_user(u);
            }
            Record::Item(i) if i.id.contains(':') => {
                builder.add_item(i);
            }
            Record::Interaction(x) if x.kind.is_explicit() => strengths.push(x),
            _ => {}
        }
    }
    let mut latest = std::collections::BTreeMap::new();
    for x in strengths {
        let key = (x.user.clone(), x.item.clone());
        let newer = latest.get(&key).is_none_or(|(ts, _)| x.ts >= *ts);
        if newer {
            latest.insert(key, (x.ts, x));
        }
    }
    let mut test = Vec::new();
    let mut held = Vec::new();
    for (n, ((user, item), (_, x))) in latest.into_iter().enumerate() {
        // A fixed quarter of the pairs, spread over users and categories by a hash.
        let h = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 60;
        if h < 4 {
            held.push((user, item, x.value));
        } else {
            builder.add_event(&user, &item, &x.kind, x.value, x.ts);
        }
    }
    let train = builder.build();
    for (user, item, value) in held {
        let (Some(u), Some(i)) = (train.users().get(&user), train.items().get(&item)) else {
            continue;
        };
        test.push((u, i, value));
    }
    Split {
        train,
        test,
        preferences: universe.preferences,
    }
}

fn rmse(predict: impl Fn(u32, ItemIdx) -> f32, test: &[(u32, ItemIdx, f32)]) -> f64 {
    let sse: f64 = test
        .iter()
        .map(|&(u, i, r)| ((predict(u, i) - r) as f64).powi(2))
        .sum();
    (sse / test.len() as f64).sqrt()
}

fn fit(train: &Dataset, algo: Algorithm) -> Model {
    Model::fit(train, &Params::defaults(algo), &mut NoProgress).unwrap()
}

fn predictor(model: &Model) -> impl Fn(u32, ItemIdx) -> f32 + '_ {
    move |u, i| {
        let user = model.user(u).unwrap();
        let mut out = [0f32];
        model.score(&user, &[i], &mut out).unwrap();
        out[0]
    }
}

#[test]
fn layer4_beats_the_mean_and_the_baseline_and_recovers_preferences() {
    let split = universe(0.5, 42);
    let mean = split.train.mean_rating().unwrap() as f32;
    let mean_rmse = rmse(|_, _| mean, &split.test);
    let baseline = fit(&split.train, Algorithm::Baseline);
    let baseline_rmse = rmse(predictor(&baseline), &split.test);
    let layer4 = fit(&split.train, Algorithm::Layer4);
    let layer4_rmse = rmse(predictor(&layer4), &split.test);
    println!(
        "held-out RMSE: mean {mean_rmse:.4}, baseline {baseline_rmse:.4}, layer4 {layer4_rmse:.4}"
    );
    assert!(layer4_rmse < mean_rmse, "{layer4_rmse} vs mean {mean_rmse}");
    // About even with the baseline on this much data (see bench/README.md).
    assert!(
        layer4_rmse < baseline_rmse * 1.01,
        "{layer4_rmse} vs baseline {baseline_rmse}"
    );

    // Users who prefer a type get higher predicted strengths for that type than users
    // without a preference do.
    let Fitted::Layer4(net) = layer4.fitted() else {
        panic!("a layer4 model")
    };
    let matrix = net.category_matrix();
    assert_eq!(matrix.n_users, split.train.n_users());
    for kind in ["Star", "Planet", "Moon"] {
        let columns: Vec<usize> = (0..matrix.categories.len())
            .filter(|&c| matrix.categories[c].kind == kind)
            .collect();
        let type_mean = |user: &str| -> f32 {
            let u = split.train.users().get(user).unwrap();
            let row = matrix.row(u).unwrap();
            columns.iter().map(|&c| row[c]).sum::<f32>() / columns.len() as f32
        };
        let group = |want: Option<&str>| -> f32 {
            let users: Vec<String> = split
                .preferences
                .iter()
                .filter(|(_, p)| *p == want)
                .map(|(u, _)| u.to_string())
                .collect();
            users.iter().map(|u| type_mean(u)).sum::<f32>() / users.len() as f32
        };
        let with = group(Some(kind));
        let without = group(None);
        println!("{kind}: preferring users {with:.3}, users without a preference {without:.3}");
        assert!(with > without, "{kind}: {with} vs {without}");
    }
}

#[test]
fn layer4_does_not_overfit_pure_noise() {
    let split = universe(0.0, 7);
    let mean = split.train.mean_rating().unwrap() as f32;
    let mean_rmse = rmse(|_, _| mean, &split.test);
    let layer4 = fit(&split.train, Algorithm::Layer4);
    let layer4_rmse = rmse(predictor(&layer4), &split.test);
    println!("held-out RMSE on noise: mean {mean_rmse:.4}, layer4 {layer4_rmse:.4}");
    assert!(
        layer4_rmse <= mean_rmse * 1.02,
        "{layer4_rmse} vs {mean_rmse}"
    );
}

#[test]
fn layer4_is_deterministic_round_trips_and_folds_in() {
    let split = universe(0.5, 3);
    let params = Params::parse(Algorithm::Layer4, ["epochs=15", "seed=5"]).unwrap();
    let a = Model::fit(&split.train, &params, &mut NoProgress).unwrap();
    let b = Model::fit(&split.train, &params, &mut NoProgress).unwrap();
    assert_eq!(a.to_bytes().unwrap(), b.to_bytes().unwrap());
    let other = Model::fit(&split.train, &params.clone().with_seed(6), &mut NoProgress).unwrap();
    assert_ne!(a.to_bytes().unwrap(), other.to_bytes().unwrap());

    let loaded = Model::from_bytes(&a.to_bytes().unwrap()).unwrap();
    let user = a.user(0).unwrap();
    let mut x = vec![0f32; a.n_items()];
    let mut y = vec![0f32; a.n_items()];
    a.score_all(&user, &mut x).unwrap();
    loaded.score_all(&loaded.user(0).unwrap(), &mut y).unwrap();
    assert_eq!(x, y);

    // The weights are a safetensors file with the tables and layers under their names.
    let weights = a.safetensors().expect("a network").unwrap();
    let file = safetensors::SafeTensors::deserialize(&weights).unwrap();
    assert_eq!(file.tensor("hours").unwrap().shape()[0], 24);
    assert_eq!(file.tensor("days").unwrap().shape()[0], 7);
    assert_eq!(
        file.tensor("users").unwrap().shape()[0],
        split.train.n_users()
    );
    assert!(file.names().contains(&"mlp.0.weight"));

    // A new user who gives every category a 5 is predicted above one who gives 1s.
    let Fitted::Layer4(net) = a.fitted() else {
        panic!("a layer4 model")
    };
    let all = |value: f32| -> Vec<(ItemIdx, f32)> {
        (0..a.n_items() as u32).map(|i| (i, value)).collect()
    };
    let mean_score = |value: f32| {
        let folded = a.fold_in(&all(value)).unwrap();
        let scores = net.category_scores(&folded);
        scores.iter().sum::<f32>() / scores.len() as f32
    };
    let (high, low) = (mean_score(5.0), mean_score(1.0));
    assert!(high > low + 0.5, "{high} vs {low}");
    let folded = a.fold_in(&all(5.0)).unwrap();
    let h = net.predict(&folded, 0, 12, 2).unwrap();
    assert!((1.0..=5.5).contains(&h), "{h}");
}
