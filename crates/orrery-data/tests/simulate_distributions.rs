//! The simulator draws with the seed's probabilities: on 100,000 interactions of 2,000
//! users every observed share lies within 5 standard errors of the share derived from
//! the configuration (a false alarm per check has probability below 1e-6).

use std::collections::HashMap;
use std::sync::OnceLock;

use orrery_data::poppy::{self, CATEGORY_TYPES};
use orrery_data::simulate::{
    ObjectConfig, ObjectEventKind, STAR_TYPE_WEIGHTS, Universe, UniverseConfig, simulate,
};

const BOUND: f64 = 5.0;

fn config() -> UniverseConfig {
    UniverseConfig {
        users: 2_000,
        interactions: 100_000,
        objects: ObjectConfig {
            events: 100_000,
            ..ObjectConfig::default()
        },
        seed: 2026,
        ..UniverseConfig::default()
    }
}

fn universe() -> &'static Universe {
    static UNIVERSE: OnceLock<Universe> = OnceLock::new();
    UNIVERSE.get_or_init(|| match simulate(&config()) {
        Ok(universe) => universe,
        Err(e) => panic!("simulation failed: {e}"),
    })
}

/// Asserts that `count` successes out of `n` Bernoulli trials fit probability `p`.
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

/// Asserts that a sample mean fits `mean` given the variable's standard deviation.
#[track_caller]
fn assert_mean(what: &str, sum: f64, n: usize, mean: f64, sd: f64) {
    let observed = sum / n as f64;
    let se = sd / (n as f64).sqrt();
    assert!(
        (observed - mean).abs() <= BOUND * se,
        "{what}: observed mean {observed:.5} over {n}, expected {mean:.5} ± {:.5}",
        BOUND * se
    );
}

fn type_index(category_type: &str) -> usize {
    CATEGORY_TYPES
        .iter()
        .position(|t| *t == category_type)
        .expect("a known type")
}

#[test]
fn users_are_drawn_uniformly() {
    let universe = universe();
    let users = config().users as usize;
    let mut counts = vec![0usize; users];
    for row in &universe.interactions {
        counts[(row.user - 1) as usize] += 1;
    }
    // Chi-square with users - 1 degrees of freedom: mean df, sd sqrt(2 df).
    let expected = universe.interactions.len() as f64 / users as f64;
    let chi2: f64 = counts
        .iter()
        .map(|&c| (c as f64 - expected).powi(2) / expected)
        .sum();
    let df = (users - 1) as f64;
    assert!(
        (chi2 - df).abs() <= BOUND * (2.0 * df).sqrt(),
        "chi-square {chi2:.1} for {df} degrees of freedom"
    );
}

#[test]
fn forty_percent_of_users_prefer_a_type_chosen_uniformly() {
    let universe = universe();
    let n = universe.preferences.len();
    let preferred: Vec<&str> = universe.preferences.iter().filter_map(|p| p.1).collect();
    assert_share("users with a preference", preferred.len(), n, 0.40);
    for t in CATEGORY_TYPES {
        let count = preferred.iter().filter(|p| **p == t).count();
        assert_share(
            &format!("preferred type {t}"),
            count,
            preferred.len(),
            1.0 / 3.0,
        );
    }
}

#[test]
fn category_types_follow_the_weights_and_the_preference_pick() {
    let universe = universe();
    let config = config();
    let preferences: HashMap<u32, Option<&str>> = universe.preferences.iter().copied().collect();

    // Without a preference: the weighted draw, 0.4 / 0.4 / 0.2.
    let mut plain = [0usize; 3];
    // With a preference for type p: P(p) = pick + (1 - pick) w_p, P(t) = (1 - pick) w_t.
    let mut by_preference = [[0usize; 3]; 3];
    for row in &universe.interactions {
        let t = type_index(row.category_type);
        match preferences[&row.user] {
            None => plain[t] += 1,
            Some(p) => by_preference[type_index(p)][t] += 1,
        }
    }
    let plain_total: usize = plain.iter().sum();
    for (t, &count) in plain.iter().enumerate() {
        assert_share(
            &format!("{} share, users without preference", CATEGORY_TYPES[t]),
            count,
            plain_total,
            config.category_weights[t],
        );
    }
    for (p, counts) in by_preference.iter().enumerate() {
        let total: usize = counts.iter().sum();
        for (t, &count) in counts.iter().enumerate() {
            let pick = if t == p { config.preference_pick } else { 0.0 };
            let expected = pick + (1.0 - config.preference_pick) * config.category_weights[t];
            assert_share(
                &format!(
                    "{} share, users preferring {}",
                    CATEGORY_TYPES[t], CATEGORY_TYPES[p]
                ),
                count,
                total,
                expected,
            );
        }
    }
}

#[test]
fn values_repeat_from_memory_with_the_repeat_probability() {
    let universe = universe();
    let config = config();
    // Replay each user's memory: the values seen of each type before each interaction.
    let mut memory: HashMap<(u32, usize), Vec<&str>> = HashMap::new();
    let (mut eligible, mut repeated) = (0usize, 0usize);
    // Position of a repeated value in its sorted seen set: uniform over 0..k, so
    // (j - (k - 1) / 2) has mean 0 and variance (k² - 1) / 12.
    let (mut centred_sum, mut centred_var) = (0.0, 0.0);
    let mut fresh = [[0usize; 10]; 3];

    for row in &universe.interactions {
        let t = type_index(row.category_type);
        let values = poppy::values_of(row.category_type).expect("known type");
        let value = values
            .iter()
            .position(|v| *v == row.category_value)
            .expect("known value");
        let seen = memory.entry((row.user, t)).or_default();
        if seen.is_empty() {
            assert!(!row.repeated, "interaction {} repeats from nothing", row.id);
        } else {
            eligible += 1;
        }
        if row.repeated {
            repeated += 1;
            let mut sorted: Vec<usize> = seen
                .iter()
                .map(|s| values.iter().position(|v| v == s).expect("known value"))
                .collect();
            sorted.sort_unstable();
            let j = sorted
                .iter()
                .position(|&v| v == value)
                .unwrap_or_else(|| panic!("interaction {} repeats an unseen value", row.id));
            let k = sorted.len() as f64;
            centred_sum += j as f64 - (k - 1.0) / 2.0;
            centred_var += (k * k - 1.0) / 12.0;
        } else {
            fresh[t][value] += 1;
            if !seen.contains(&row.category_value) {
                seen.push(row.category_value);
            }
        }
    }
    assert_share(
        "repeats when memory is not empty",
        repeated,
        eligible,
        config.repeat_prob,
    );
    assert!(
        centred_sum.abs() <= BOUND * centred_var.sqrt(),
        "repeats lean within the seen set: {centred_sum:.1} (sd {:.1})",
        centred_var.sqrt()
    );
    for (t, counts) in fresh.iter().enumerate() {
        let n_values = poppy::values_of(CATEGORY_TYPES[t]).expect("known").len();
        let total: usize = counts.iter().sum();
        for (v, &count) in counts.iter().take(n_values).enumerate() {
            assert_share(
                &format!("fresh value {v} of {}", CATEGORY_TYPES[t]),
                count,
                total,
                1.0 / n_values as f64,
            );
        }
    }
}

#[test]
fn strengths_follow_the_seed_distribution() {
    let universe = universe();
    let n = universe.interactions.len();
    for (k, &p) in config().strength_probs.iter().enumerate() {
        let count = universe
            .interactions
            .iter()
            .filter(|r| usize::from(r.strength) == k + 1)
            .count();
        assert_share(&format!("strength {}", k + 1), count, n, p);
    }
}

#[test]
fn drawn_hours_follow_the_seed_distribution_and_minutes_are_uniform() {
    let universe = universe();
    let config = config();
    let n = universe.interactions.len();
    let mut hours = [0usize; 24];
    let mut minutes = [0usize; 60];
    for row in &universe.interactions {
        hours[usize::from(row.hour)] += 1;
        minutes[usize::from(row.minutes)] += 1;
    }
    for (hour, &count) in hours.iter().enumerate() {
        assert_share(&format!("hour {hour}"), count, n, config.hour_probs[hour]);
    }
    for (minute, &count) in minutes.iter().enumerate() {
        assert_share(&format!("minute {minute}"), count, n, 1.0 / 60.0);
    }
}

#[test]
fn days_ago_is_a_capped_exponential() {
    let universe = universe();
    let config = config();
    let (scale, cap) = (config.days_scale, config.days_cap);
    let n = universe.interactions.len();
    let c = cap / scale;
    // E[min(X, a)] = θ(1 - e^-a/θ); E[min(X, a)²] = 2θ²(1 - e^-a/θ (1 + a/θ)).
    let mean = scale * (1.0 - (-c).exp());
    let second = 2.0 * scale * scale * (1.0 - (-c).exp() * (1.0 + c));
    let sd = (second - mean * mean).sqrt();
    let sum: f64 = universe.interactions.iter().map(|r| r.days_ago).sum();
    assert_mean("days ago", sum, n, mean, sd);

    assert!(
        universe
            .interactions
            .iter()
            .all(|r| (0.0..=cap).contains(&r.days_ago))
    );
    let capped = universe
        .interactions
        .iter()
        .filter(|r| r.days_ago == cap)
        .count();
    assert_share("capped at 60 days", capped, n, (-c).exp());
}

#[test]
fn timestamps_subtract_days_hours_and_minutes_from_now() {
    let universe = universe();
    let config = config();
    let now_us = config.now * 1_000_000;
    let mut hour_of_day = [0usize; 24];
    for row in &universe.interactions {
        let expected = now_us
            - (row.days_ago * 86_400e6).round() as i64
            - i64::from(row.hour) * 3_600_000_000
            - i64::from(row.minutes) * 60_000_000;
        assert_eq!(row.ts_micros, expected, "interaction {}", row.id);
        hour_of_day[usize::from(row.hour_of_day())] += 1;
    }
    // The seed's rule leaves the timestamp's hour of day near uniform (the fractional
    // days scramble it), unlike the drawn hours: 1.3 % each for hours 0-5.
    let n = universe.interactions.len() as f64;
    for (hour, &count) in hour_of_day.iter().enumerate() {
        let share = count as f64 / n;
        assert!(
            (share - 1.0 / 24.0).abs() < 0.005,
            "hour of day {hour}: share {share:.4}"
        );
    }
}

#[test]
fn object_events_funnel_views_to_clicks_to_favorites() {
    let universe = universe();
    let objects = config().objects;
    let count = |kind| {
        universe
            .object_events
            .iter()
            .filter(|e| e.kind == kind)
            .count()
    };
    let (views, clicks, favorites) = (
        count(ObjectEventKind::View),
        count(ObjectEventKind::Click),
        count(ObjectEventKind::Favorite),
    );
    assert_eq!(views + clicks + favorites, 100_000);
    assert_share("clicks per view", clicks, views, objects.click_given_view);
    assert_share(
        "favorites per click",
        favorites,
        clicks,
        objects.favorite_given_click,
    );

    // Each click follows a view of the same user and object, each favorite a click.
    let now_us = config().now * 1_000_000;
    for pair in universe.object_events.windows(2) {
        let (before, after) = (&pair[0], &pair[1]);
        if after.kind != ObjectEventKind::View {
            let expected_before = match after.kind {
                ObjectEventKind::Click => ObjectEventKind::View,
                _ => ObjectEventKind::Click,
            };
            assert_eq!(before.kind, expected_before);
            assert_eq!((before.user, before.object), (after.user, after.object));
            let delay = after.ts_micros - before.ts_micros;
            assert!(
                (1_000_000..=120_000_000).contains(&delay) || after.ts_micros == now_us,
                "delay {delay} µs"
            );
        }
        assert!(after.ts_micros <= now_us);
    }
}

#[test]
fn object_views_follow_zipf_popularity_and_preferences() {
    let universe = universe();
    let config = config();
    let pick = config.preference_pick;
    let exponent = config.objects.popularity_exponent;
    let objects = &universe.objects;

    // Zipf weight by popularity rank, and each type's total weight.
    let weight: Vec<f64> = objects
        .iter()
        .map(|o| f64::from(o.popularity_rank).powf(-exponent))
        .collect();
    let total: f64 = weight.iter().sum();
    let mut type_total = [0.0; 3];
    for (o, w) in objects.iter().zip(&weight) {
        type_total[type_index(o.object_type)] += w;
    }
    // Users are uniform, so a view comes from a user preferring t with probability π_t.
    let users = universe.preferences.len() as f64;
    let mut share_preferring = [0.0; 3];
    for (_, preferred) in &universe.preferences {
        if let Some(t) = preferred {
            share_preferring[type_index(t)] += 1.0 / users;
        }
    }
    let all_preferring: f64 = share_preferring.iter().sum();

    let views: Vec<_> = universe
        .object_events
        .iter()
        .filter(|e| e.kind == ObjectEventKind::View)
        .collect();
    let mut counts = vec![0usize; objects.len()];
    for view in &views {
        counts[view.object as usize] += 1;
    }
    for (index, object) in objects.iter().enumerate() {
        let t = type_index(object.object_type);
        let expected = (1.0 - pick * all_preferring) * weight[index] / total
            + pick * share_preferring[t] * weight[index] / type_total[t];
        assert_share(
            &format!("views of {} (rank {})", object.id, object.popularity_rank),
            counts[index],
            views.len(),
            expected,
        );
    }
    // The most popular object is viewed far more than the median one.
    let top = objects
        .iter()
        .position(|o| o.popularity_rank == 1)
        .expect("rank 1");
    let median = objects
        .iter()
        .position(|o| o.popularity_rank == 80)
        .expect("rank 80");
    assert!(counts[top] > 20 * counts[median]);
}

#[test]
fn object_view_times_follow_the_interaction_time_rule() {
    let universe = universe();
    let config = config();
    let now_us = config.now * 1_000_000;
    let c = config.days_cap / config.days_scale;
    let mean_days = config.days_scale * (1.0 - (-c).exp());
    let mean_hour: f64 = config
        .hour_probs
        .iter()
        .enumerate()
        .map(|(h, p)| h as f64 * p)
        .sum();
    // Age in days = days ago + hour / 24 + minutes / 1440.
    let expected = mean_days + mean_hour / 24.0 + 29.5 / 1440.0;
    let ages: Vec<f64> = universe
        .object_events
        .iter()
        .filter(|e| e.kind == ObjectEventKind::View)
        .map(|e| (now_us - e.ts_micros) as f64 / 86_400e6)
        .collect();
    let n = ages.len();
    let mean = ages.iter().sum::<f64>() / n as f64;
    let sd = (ages.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
    assert_mean(
        "object view age in days",
        ages.iter().sum(),
        n,
        expected,
        sd,
    );
    assert!(ages.iter().all(|&a| a > 0.0 && a < config.days_cap + 1.0));
}

#[test]
fn star_types_lean_toward_k_and_m() {
    let config = UniverseConfig {
        interactions: 1,
        objects: ObjectConfig {
            stars: 20_000,
            planets: 0,
            moons: 0,
            events: 0,
            ..ObjectConfig::default()
        },
        ..UniverseConfig::default()
    };
    let universe = match simulate(&config) {
        Ok(universe) => universe,
        Err(e) => panic!("simulation failed: {e}"),
    };
    // Each type once, then 19,993 weighted draws.
    let drawn = 20_000 - 7;
    for (t, value) in poppy::STAR_TYPES.iter().enumerate() {
        let count = universe
            .objects
            .iter()
            .filter(|o| o.category_value == *value)
            .count();
        assert_share(
            &format!("drawn {value} stars"),
            count - 1,
            drawn,
            STAR_TYPE_WEIGHTS[t],
        );
    }
    let names: std::collections::HashSet<&str> =
        universe.objects.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names.len(), 20_000, "every star has its own name");
}
