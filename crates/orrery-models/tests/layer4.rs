//! The Poppy Layer 4 network on simulated universes: it finds the planted preferred types
//! and favourite hours when strengths carry a signal, and falls back to the mean when
//! they are noise.

use orrery_core::{Dataset, DatasetBuilder, EventWeights, ItemIdx, Record, Timestamp};
use orrery_data::simulate::{HourWindow, UniverseConfig, simulate};
use orrery_models::{Algorithm, Fitted, Model, NoProgress, Params, Recommender};

/// One held-out cell: user, item, strength, and when it was given.
type Held = (u32, ItemIdx, f32, Timestamp);

/// The universe's users, category items and strengths, with a fifth of the (user,
/// category) cells held out, spread by a hash.
struct Split {
    train: Dataset,
    test: Vec<Held>,
    preferences: Vec<(u32, Option<&'static str>)>,
    favourite_hours: Option<Vec<HourWindow>>,
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
    let mut held = Vec::new();
    for (n, ((user, item), (ts, x))) in latest.into_iter().enumerate() {
        let h = (n as u64 ^ seed).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 59;
        if h < 6 {
            held.push((user, item, x.value, ts));
        } else {
            builder.add_event(&user, &item, &x.kind, x.value, x.ts);
        }
    }
    let train = builder.build();
    let test = held
        .into_iter()
        .filter_map(|(user, item, value, ts)| {
            Some((
                train.users().get(&user)?,
                train.items().get(&item)?,
                value,
                ts,
            ))
        })
        .collect();
    Split {
        train,
        test,
        preferences: universe.preferences,
        favourite_hours: universe.favourite_hours,
    }
}

/// RMSE of `model` on the held-out cells, each predicted for the moment it was given.
fn rmse(model: &Model, test: &[Held]) -> f64 {
    let sse: f64 = test
        .iter()
        .map(|&(u, i, r, ts)| {
            let user = model.user(u).unwrap();
            let mut out = [0f32];
            model.score_at(&user, &[i], &[ts], &mut out).unwrap();
            f64::from(out[0] - r).powi(2)
        })
        .sum();
    (sse / test.len() as f64).sqrt()
}

fn mean_rmse(split: &Split) -> f64 {
    let mean = split.train.mean_rating().unwrap() as f32;
    let sse: f64 = split
        .test
        .iter()
        .map(|&(_, _, r, _)| f64::from(mean - r).powi(2))
        .sum();
    (sse / split.test.len() as f64).sqrt()
}

fn fit(train: &Dataset, algo: Algorithm) -> Model {
    Model::fit(train, &Params::defaults(algo), &mut NoProgress).unwrap()
}

/// Held-out RMSE of the mean, the baseline and layer 4, and the fitted layer 4.
fn figures(split: &Split) -> (f64, f64, f64, Model) {
    let baseline = fit(&split.train, Algorithm::Baseline);
    let layer4 = fit(&split.train, Algorithm::Layer4);
    (
        mean_rmse(split),
        rmse(&baseline, &split.test),
        rmse(&layer4, &split.test),
        layer4,
    )
}

/// Of the users with a planted preferred type, how many get it ranked first (their mean
/// predicted strength over the type's categories), and how many there are.
fn preferred_type_first(split: &Split, model: &Model) -> (usize, usize) {
    let Fitted::Layer4(net) = model.fitted() else {
        panic!("a layer4 model")
    };
    let matrix = net.category_matrix();
    let (mut first, mut users) = (0, 0);
    for &(user, preferred) in &split.preferences {
        let (Some(preferred), Some(u)) = (preferred, split.train.users().get(&user.to_string()))
        else {
            continue;
        };
        let row = matrix.row(u).unwrap();
        let type_mean = |kind: &str| {
            let values: Vec<f32> = matrix
                .categories
                .iter()
                .zip(row)
                .filter(|(c, _)| c.kind == kind)
                .map(|(_, &s)| s)
                .collect();
            values.iter().sum::<f32>() / values.len() as f32
        };
        let best = ["Star", "Planet", "Moon"]
            .into_iter()
            .max_by(|a, b| type_mean(a).total_cmp(&type_mean(b)))
            .unwrap();
        users += 1;
        first += usize::from(best == preferred);
    }
    (first, users)
}

/// Of the users, how many get their best predicted hour of day (mean over categories and
/// days) inside their planted favourite hours.
fn favourite_hour_found(split: &Split, model: &Model) -> (usize, usize) {
    let Fitted::Layer4(net) = model.fitted() else {
        panic!("a layer4 model")
    };
    let windows = split.favourite_hours.as_ref().unwrap();
    let (mut found, mut users) = (0, 0);
    for (index, window) in windows.iter().enumerate() {
        let Some(u) = split.train.users().get(&(index + 1).to_string()) else {
            continue;
        };
        let repr = model.user(u).unwrap();
        let strength_at = |hour: u8| -> f32 {
            (0..net.categories().len())
                .flat_map(|c| (0..7).map(move |day| (c, day)))
                .map(|(c, day)| net.predict(&repr, c, hour, day).unwrap())
                .sum()
        };
        let best = (0..24u8)
            .max_by(|&a, &b| strength_at(a).total_cmp(&strength_at(b)))
            .unwrap();
        users += 1;
        found += usize::from(window.contains(best));
    }
    (found, users)
}

#[test]
fn layer4_learns_the_planted_types_and_hours() {
    for seed in [7, 11, 99] {
        let split = universe(1.0, seed);
        let (mean, baseline, layer4, model) = figures(&split);
        let (first, preferring) = preferred_type_first(&split, &model);
        let (found, users) = favourite_hour_found(&split, &model);
        println!(
            "seed {seed}, signal 1: held-out RMSE mean {mean:.4}, baseline {baseline:.4}, \
             layer4 {layer4:.4} ({:.3} of the mean's); preferred type first for {first} of \
             {preferring}; best hour in the favourite hours for {found} of {users}",
            layer4 / mean
        );
        assert!(
            layer4 < baseline,
            "seed {seed}: {layer4} vs baseline {baseline}"
        );
        assert!(
            layer4 < 0.975 * mean,
            "seed {seed}: {layer4} vs mean {mean}"
        );
        assert!(
            first * 10 >= preferring * 9,
            "seed {seed}: {first} of {preferring}"
        );
        // A quarter of the day would be chance.
        assert!(found * 2 >= users, "seed {seed}: {found} of {users}");
    }
}

#[test]
fn layer4_beats_the_baseline_on_a_weak_signal() {
    for seed in [7, 11, 99] {
        let split = universe(0.5, seed);
        let (mean, baseline, layer4, _) = figures(&split);
        println!(
            "seed {seed}, signal 0.5: mean {mean:.4}, baseline {baseline:.4}, layer4 {layer4:.4}"
        );
        assert!(
            layer4 < baseline,
            "seed {seed}: {layer4} vs baseline {baseline}"
        );
    }
}

#[test]
fn layer4_does_not_overfit_pure_noise() {
    for seed in [7, 11, 99] {
        let split = universe(0.0, seed);
        let mean = mean_rmse(&split);
        let layer4 = rmse(&fit(&split.train, Algorithm::Layer4), &split.test);
        println!("seed {seed}, noise: held-out RMSE mean {mean:.4}, layer4 {layer4:.4}");
        assert!(layer4 <= mean * 1.01, "seed {seed}: {layer4} vs {mean}");
    }
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
