//! The strength signal: at S = 0 the seed's independent strengths; with S > 0 strengths
//! rise for the preferred type and the favourite hours exactly as documented, nothing
//! else changes, and a simple model of user, type and hour can find the signal.

use std::collections::HashMap;

use orrery_data::poppy::CATEGORY_TYPES;
use orrery_data::simulate::{
    FAVOURITE_HOURS_DRAWS, HourWindow, ObjectConfig, PREFERRED_TYPE_DRAWS, PoppyInteraction,
    STRENGTH_SIGNAL_HELP, Universe, UniverseConfig, simulate,
};

const BOUND: f64 = 5.0;

fn universe(config: &UniverseConfig) -> Universe {
    match simulate(config) {
        Ok(universe) => universe,
        Err(e) => panic!("simulation failed: {e}"),
    }
}

fn with_signal(signal: f64, seed: u64) -> UniverseConfig {
    UniverseConfig {
        strength_signal: signal,
        seed,
        ..UniverseConfig::default()
    }
}

#[track_caller]
fn assert_share(what: &str, count: usize, n: usize, p: f64) {
    assert!(n > 0, "{what}: no trials");
    let observed = count as f64 / n as f64;
    let se = (p * (1.0 - p) / n as f64).sqrt();
    assert!(
        (observed - p).abs() <= BOUND * se + 1e-12,
        "{what}: observed {observed:.5} over {n} trials, expected {p:.5} ± {:.5}",
        BOUND * se
    );
}

/// Whether the interaction is of the user's preferred type and in their favourite hours.
fn boosts(universe: &Universe, row: &PoppyInteraction) -> (bool, bool) {
    let preferred = universe.preferences[(row.user - 1) as usize].1 == Some(row.category_type);
    let windows = universe
        .favourite_hours
        .as_ref()
        .expect("favourite hours with a signal");
    let favourite = windows[(row.user - 1) as usize].contains(row.hour_of_day());
    (preferred, favourite)
}

#[test]
fn the_signal_changes_nothing_but_strengths_and_only_raises_them() {
    let plain = universe(&with_signal(0.0, 11));
    let signalled = universe(&with_signal(0.5, 11));
    assert_eq!(plain.preferences, signalled.preferences);
    assert_eq!(plain.objects, signalled.objects);
    assert_eq!(plain.object_events, signalled.object_events);
    assert!(plain.favourite_hours.is_none());

    let mut raised = 0;
    for (a, b) in plain.interactions.iter().zip(&signalled.interactions) {
        let same_but_strength = PoppyInteraction {
            strength: a.strength,
            ..b.clone()
        };
        assert_eq!(*a, same_but_strength);
        assert!(b.strength >= a.strength, "interaction {} fell", a.id);
        raised += usize::from(b.strength > a.strength);
        if b.strength > a.strength {
            let (preferred, favourite) = boosts(&signalled, b);
            assert!(
                preferred || favourite,
                "interaction {} rose unboosted",
                a.id
            );
        }
    }
    assert!(raised > 1_000, "only {raised} strengths rose");
}

#[test]
fn boosted_strengths_are_the_best_of_n_ordinary_draws() {
    let signal = 0.5;
    let config = UniverseConfig {
        users: 2_000,
        interactions: 100_000,
        strength_signal: signal,
        objects: ObjectConfig {
            events: 0,
            ..ObjectConfig::default()
        },
        seed: 5,
        ..UniverseConfig::default()
    };
    let universe = universe(&config);
    // Group by (preferred type, favourite hours); count each strength.
    let mut groups: HashMap<(bool, bool), [usize; 5]> = HashMap::new();
    for row in &universe.interactions {
        groups.entry(boosts(&universe, row)).or_default()[usize::from(row.strength) - 1] += 1;
    }
    let ordinary_cdf: Vec<f64> = config
        .strength_probs
        .iter()
        .scan(0.0, |sum, p| {
            *sum += p;
            Some(*sum)
        })
        .collect();
    for ((preferred, favourite), counts) in groups {
        let draws = 1.0
            + signal
                * (PREFERRED_TYPE_DRAWS * f64::from(u8::from(preferred))
                    + FAVOURITE_HOURS_DRAWS * f64::from(u8::from(favourite)));
        let total: usize = counts.iter().sum();
        // P(strength <= k) = F(k)^n, so P(strength = k) = F(k)^n - F(k - 1)^n.
        for k in 0..5 {
            let below = if k == 0 { 0.0 } else { ordinary_cdf[k - 1] };
            let expected = ordinary_cdf[k].powf(draws) - below.powf(draws);
            assert_share(
                &format!(
                    "strength {} (preferred {preferred}, favourite {favourite})",
                    k + 1
                ),
                counts[k],
                total,
                expected,
            );
        }
    }
}

#[test]
fn preferred_users_rate_their_preferred_type_higher() {
    for signal in [0.0, 0.5] {
        let universe = universe(&UniverseConfig {
            users: 2_000,
            interactions: 100_000,
            strength_signal: signal,
            seed: 3,
            ..UniverseConfig::default()
        });
        let (mut preferred, mut other) = ((0.0, 0usize), (0.0, 0usize));
        for row in &universe.interactions {
            match universe.preferences[(row.user - 1) as usize].1 {
                Some(t) if t == row.category_type => {
                    preferred.0 += f64::from(row.strength);
                    preferred.1 += 1;
                }
                Some(_) => {
                    other.0 += f64::from(row.strength);
                    other.1 += 1;
                }
                None => {}
            }
        }
        let gap = preferred.0 / preferred.1 as f64 - other.0 / other.1 as f64;
        if signal == 0.0 {
            // Independent strengths: the gap is noise (sd about 0.014 here).
            assert!(gap.abs() < 0.07, "gap {gap:.3} without a signal");
        } else {
            assert!(gap > 0.5, "gap {gap:.3} at signal {signal}");
        }
    }
}

#[test]
fn favourite_hours_are_quarters_of_the_day_written_as_planted_truth() {
    let universe = universe(&UniverseConfig {
        users: 4_000,
        interactions: 10,
        strength_signal: 0.3,
        ..UniverseConfig::default()
    });
    let windows = universe
        .favourite_hours
        .as_ref()
        .expect("drawn with a signal");
    assert_eq!(windows.len(), 4_000);
    for quarter in 0..4 {
        let count = windows
            .iter()
            .filter(|w| **w == HourWindow::quarter(quarter))
            .count();
        assert_share(&format!("quarter {quarter}"), count, 4_000, 0.25);
    }

    let dir = tempfile::tempdir().expect("temp dir");
    universe.write_csv(dir.path()).expect("written");
    let text = std::fs::read_to_string(dir.path().join("planted_preferences.csv")).expect("read");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("User_ID,Preferred_Category_Type,Favourite_Hours")
    );
    for (line, ((user, preferred), window)) in lines.zip(universe.preferences.iter().zip(windows)) {
        assert_eq!(line, format!("{user},{},{window}", preferred.unwrap_or("")));
    }
}

/// Holdout RMSE of the global mean and of an additive model of what a Layer 4 model
/// sees (user, category type, timestamp hour): mean + shrunk user×type offset + shrunk,
/// hour-smoothed user×hour offset. Every fifth interaction is held out.
fn holdout_rmse(universe: &Universe) -> (f64, f64) {
    let (train, test): (Vec<&PoppyInteraction>, Vec<&PoppyInteraction>) =
        universe.interactions.iter().partition(|r| r.id % 5 != 0);
    let strength = |r: &PoppyInteraction| f64::from(r.strength);
    let mean = train.iter().map(|r| strength(r)).sum::<f64>() / train.len() as f64;
    let type_of = |r: &PoppyInteraction| {
        CATEGORY_TYPES
            .iter()
            .position(|t| *t == r.category_type)
            .expect("known type")
    };

    let mut user_type: HashMap<(u32, usize), (f64, f64)> = HashMap::new();
    for r in &train {
        let cell = user_type.entry((r.user, type_of(r))).or_default();
        cell.0 += strength(r) - mean;
        cell.1 += 1.0;
    }
    let type_offset = |r: &PoppyInteraction| {
        user_type
            .get(&(r.user, type_of(r)))
            .map_or(0.0, |(sum, n)| sum / (n + 5.0))
    };
    let mut user_hour: HashMap<(u32, u8), (f64, f64)> = HashMap::new();
    for r in &train {
        let residual = strength(r) - mean - type_offset(r);
        for shift in 0..5u8 {
            let hour = (r.hour_of_day() + 22 + shift) % 24;
            let cell = user_hour.entry((r.user, hour)).or_default();
            cell.0 += residual;
            cell.1 += 1.0;
        }
    }
    let hour_offset = |r: &PoppyInteraction| {
        user_hour
            .get(&(r.user, r.hour_of_day()))
            .map_or(0.0, |(sum, n)| sum / (n + 15.0))
    };

    let rmse = |predict: &dyn Fn(&PoppyInteraction) -> f64| {
        let sse: f64 = test
            .iter()
            .map(|r| (strength(r) - predict(r)).powi(2))
            .sum();
        (sse / test.len() as f64).sqrt()
    };
    (
        rmse(&|_| mean),
        rmse(&|r| mean + type_offset(r) + hour_offset(r)),
    )
}

#[test]
fn a_model_of_user_type_and_hour_finds_the_signal() {
    for seed in [1, 2] {
        let (global, model) = holdout_rmse(&universe(&with_signal(0.0, seed)));
        assert!(
            model > 0.99 * global,
            "seed {seed}: without a signal the model cannot beat the mean by much ({model:.3} vs {global:.3})"
        );
        let (global, model) = holdout_rmse(&universe(&with_signal(0.5, seed)));
        assert!(
            model < 0.94 * global,
            "seed {seed}: at S = 0.5 the model must beat the mean clearly ({model:.3} vs {global:.3})"
        );
    }
}

#[test]
fn the_help_text_states_the_rule() {
    for needle in [
        "best of n",
        "1 + 8S",
        "4S",
        "0-5, 6-11, 12-17 or 18-23",
        "UTC",
    ] {
        assert!(STRENGTH_SIGNAL_HELP.contains(needle), "help lacks {needle}");
    }
    assert_eq!(PREFERRED_TYPE_DRAWS, 8.0);
    assert_eq!(FAVOURITE_HOURS_DRAWS, 4.0);
}
