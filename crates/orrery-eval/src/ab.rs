//! Comparing two rates online: a rate with its Wilson confidence interval, the two-sided
//! two-proportion z-test of a variant against its control, and the sample an experiment
//! needs before a difference of a given size can be told apart from chance.
//!
//! These are the textbook large-sample methods (Wilson 1927; the pooled z-test of Fleiss,
//! *Statistical Methods for Rates and Proportions*, ch. 3). The normal distribution's tail
//! comes from `libm::erfc`; no statistics crate is needed for two formulas.
//!
//! An experiment randomizes users, not the items they are shown: one user's clicks over
//! many lists rise and fall together, and a test that counted each shown item as an
//! independent trial would find differences that are not there. [`Clustered`] keeps the
//! per-user sums and takes the variance of the rate by the delta method (Deng, Knoblich
//! and Lu, "Applying the Delta Method in Metric Analytics", KDD 2018); with one trial
//! per user it is the unpooled two-proportion test.

use serde::Serialize;

/// z of a two-sided 95 % interval (the normal's 0.975 quantile).
const Z_95: f64 = 1.959_963_984_540_054;
/// z of 80 % power (the normal's 0.8 quantile).
const Z_POWER_80: f64 = 0.841_621_233_572_914_3;

/// Successes out of trials (clicks out of items shown, conversions out of lists).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Proportion {
    /// Trials that succeeded.
    pub successes: u64,
    /// Trials.
    pub trials: u64,
}

impl Proportion {
    /// `successes` of `trials` (clamped to `trials`).
    pub fn new(successes: u64, trials: u64) -> Proportion {
        Proportion {
            successes: successes.min(trials),
            trials,
        }
    }

    /// The observed rate (0 without trials).
    pub fn rate(&self) -> f64 {
        if self.trials == 0 {
            0.0
        } else {
            self.successes as f64 / self.trials as f64
        }
    }

    /// The Wilson score interval at 95 %: unlike the normal approximation it stays within
    /// [0, 1] and is honest for small counts and rates near 0. `(0, 1)` without trials.
    pub fn interval_95(&self) -> (f64, f64) {
        if self.trials == 0 {
            return (0.0, 1.0);
        }
        wilson(self.rate(), self.trials as f64)
    }

    /// Whether the normal approximation behind the z-test holds: at least 10 successes
    /// and 10 failures.
    pub fn large_enough(&self) -> bool {
        self.successes >= 10 && self.trials - self.successes >= 10
    }
}

/// A variant's rate against its control's.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comparison {
    /// Relative lift: the variant's rate over the control's, minus 1 (`None` when the
    /// control's rate is 0).
    pub lift: Option<f64>,
    /// The variant's rate minus the control's.
    pub difference: f64,
    /// The z statistic (pooled for [`compare`], from the users' variances for
    /// [`compare_clustered`]).
    pub z: f64,
    /// The two-sided p-value: how likely a difference at least this large is when both
    /// rates are in truth equal (1 when there is nothing to compare).
    pub p_value: f64,
    /// Whether both samples are large enough for the test (see
    /// [`Proportion::large_enough`]).
    pub large_enough: bool,
}

/// The two-sided pooled two-proportion z-test of `variant` against `control`.
pub fn compare(control: Proportion, variant: Proportion) -> Comparison {
    let (p1, p2) = (control.rate(), variant.rate());
    let lift = (p1 > 0.0).then(|| p2 / p1 - 1.0);
    let large_enough = control.large_enough() && variant.large_enough();
    let (n1, n2) = (control.trials as f64, variant.trials as f64);
    let pooled = (control.successes + variant.successes) as f64 / (n1 + n2).max(1.0);
    let se = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
    if control.trials == 0 || variant.trials == 0 || !se.is_finite() || se == 0.0 {
        return Comparison {
            lift,
            difference: p2 - p1,
            z: 0.0,
            p_value: 1.0,
            large_enough,
        };
    }
    let z = (p2 - p1) / se;
    Comparison {
        lift,
        difference: p2 - p1,
        z,
        p_value: two_sided_p(z),
        large_enough,
    }
}

/// A rate over units (users) that each contribute several trials: successes and trials
/// summed per unit, with the sums of squares the delta method needs.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Clustered {
    units: u64,
    successes: u64,
    trials: u64,
    /// Σ s², Σ t², Σ s·t over units.
    ss: f64,
    tt: f64,
    st: f64,
}

impl Clustered {
    /// Adds one unit's `successes` of `trials` (clamped to `trials`).
    pub fn add(&mut self, successes: u64, trials: u64) {
        let successes = successes.min(trials);
        let (s, t) = (successes as f64, trials as f64);
        self.units += 1;
        self.successes += successes;
        self.trials += trials;
        self.ss += s * s;
        self.tt += t * t;
        self.st += s * t;
    }

    /// How many units were added.
    pub fn units(&self) -> u64 {
        self.units
    }

    /// The totals over every unit.
    pub fn proportion(&self) -> Proportion {
        Proportion::new(self.successes, self.trials)
    }

    /// The rate: total successes over total trials.
    pub fn rate(&self) -> f64 {
        self.proportion().rate()
    }

    /// The variance of [`Clustered::rate`] by the delta method, from the units' sample
    /// variances and covariance; `None` with fewer than two units or no trial.
    pub fn variance(&self) -> Option<f64> {
        if self.units < 2 || self.trials == 0 {
            return None;
        }
        let k = self.units as f64;
        let (s, t) = (self.successes as f64, self.trials as f64);
        let (mean_s, mean_t) = (s / k, t / k);
        let var_s = (self.ss - k * mean_s * mean_s) / (k - 1.0);
        let var_t = (self.tt - k * mean_t * mean_t) / (k - 1.0);
        let cov = (self.st - k * mean_s * mean_t) / (k - 1.0);
        let r = s / t;
        let variance = (var_s - 2.0 * r * cov + r * r * var_t) / (k * mean_t * mean_t);
        Some(variance.max(0.0))
    }

    /// How many independent trials the units are worth: the rate's binomial variance
    /// over its delta-method one (at most the trials; the trials when either is 0).
    pub fn effective_trials(&self) -> f64 {
        let p = self.rate();
        let trials = self.trials as f64;
        match self.variance() {
            Some(v) if v > 0.0 && p > 0.0 && p < 1.0 => (p * (1.0 - p) / v).min(trials),
            _ => trials,
        }
    }

    /// A 95 % interval of the rate: Wilson's over the effective trials, so that it stays
    /// within [0, 1] and widens as much as the units' clustering demands.
    pub fn interval_95(&self) -> (f64, f64) {
        let n = self.effective_trials();
        if n <= 0.0 {
            return (0.0, 1.0);
        }
        wilson(self.rate(), n)
    }

    /// Whether the test's normal approximation holds: at least 10 successes and 10
    /// failures, from at least 10 units.
    pub fn large_enough(&self) -> bool {
        self.units >= 10 && self.proportion().large_enough()
    }
}

/// The two-sided z-test of `variant`'s rate against `control`'s, with each rate's
/// variance taken over its units (see [`Clustered::variance`]).
pub fn compare_clustered(control: &Clustered, variant: &Clustered) -> Comparison {
    let (p1, p2) = (control.rate(), variant.rate());
    let lift = (p1 > 0.0).then(|| p2 / p1 - 1.0);
    let large_enough = control.large_enough() && variant.large_enough();
    let se = match (control.variance(), variant.variance()) {
        (Some(v1), Some(v2)) => (v1 + v2).sqrt(),
        _ => 0.0,
    };
    let z = if se.is_finite() && se > 0.0 {
        (p2 - p1) / se
    } else {
        0.0
    };
    Comparison {
        lift,
        difference: p2 - p1,
        z,
        p_value: if z == 0.0 { 1.0 } else { two_sided_p(z) },
        large_enough,
    }
}

/// The Wilson score interval at 95 % of rate `p` over `n` trials.
fn wilson(p: f64, n: f64) -> (f64, f64) {
    let z2 = Z_95 * Z_95;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z_95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// P(|Z| ≥ |z|) for a standard normal Z.
pub fn two_sided_p(z: f64) -> f64 {
    libm::erfc(z.abs() / std::f64::consts::SQRT_2).clamp(0.0, 1.0)
}

/// Trials each of two arms needs for a two-sided test at 5 % to detect, with 80 % power,
/// a change of the rate `base` by the relative `lift` (`None` when the change is 0 or the
/// rates leave [0, 1]).
pub fn sample_per_arm(base: f64, lift: f64) -> Option<u64> {
    let (p1, p2) = (base, base * (1.0 + lift));
    if !(0.0..=1.0).contains(&p1) || !(0.0..=1.0).contains(&p2) || p1 == p2 {
        return None;
    }
    let mean = (p1 + p2) / 2.0;
    let root = Z_95 * (2.0 * mean * (1.0 - mean)).sqrt()
        + Z_POWER_80 * (p1 * (1.0 - p1) + p2 * (1.0 - p2)).sqrt();
    Some((root * root / ((p1 - p2) * (p1 - p2))).ceil() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_sided_p_value_matches_the_normal_table() {
        assert!((two_sided_p(1.959_964) - 0.05).abs() < 1e-6);
        assert!((two_sided_p(-2.575_829) - 0.01).abs() < 1e-6);
        assert!((two_sided_p(0.0) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn the_z_test_matches_a_worked_example() {
        // 200 of 1,000 against 250 of 1,000: pooled 0.225, se 0.018675, z 2.6774,
        // p 0.00742 (as scipy's proportions_ztest gives).
        let c = compare(Proportion::new(200, 1_000), Proportion::new(250, 1_000));
        assert!((c.z - 2.677_398).abs() < 1e-5, "{c:?}");
        assert!((c.p_value - 0.007_419).abs() < 1e-5, "{c:?}");
        assert!((c.lift.unwrap() - 0.25).abs() < 1e-12);
        assert!(c.large_enough);
        // Equal rates: no evidence at all.
        let same = compare(Proportion::new(30, 300), Proportion::new(30, 300));
        assert_eq!(same.p_value, 1.0);
        // Nothing to compare.
        let empty = compare(Proportion::default(), Proportion::new(3, 10));
        assert_eq!(empty.p_value, 1.0);
        assert!(!empty.large_enough);
        assert_eq!(empty.lift, None);
    }

    #[test]
    fn wilson_intervals_match_the_published_values_and_stay_in_range() {
        // Newcombe (1998), table I: 81 of 263 → 0.2553 to 0.3662.
        let (lo, hi) = Proportion::new(81, 263).interval_95();
        assert!(
            (lo - 0.2553).abs() < 5e-4 && (hi - 0.3662).abs() < 5e-4,
            "{lo} {hi}"
        );
        let (lo, hi) = Proportion::new(0, 20).interval_95();
        assert_eq!(lo, 0.0);
        assert!((hi - 0.1611).abs() < 5e-4, "{hi}");
        assert_eq!(Proportion::default().interval_95(), (0.0, 1.0));
    }

    #[test]
    fn with_one_trial_per_user_the_clustered_test_is_the_unpooled_two_proportion_test() {
        let (mut control, mut variant) = (Clustered::default(), Clustered::default());
        for i in 0..1_000 {
            control.add(u64::from(i < 200), 1);
            variant.add(u64::from(i < 250), 1);
        }
        // Unpooled: se = √(0.2·0.8/999 + 0.25·0.75/999) (sample variances), z ≈ 2.6843.
        let se = (0.2f64 * 0.8 / 999.0 + 0.25 * 0.75 / 999.0).sqrt();
        let c = compare_clustered(&control, &variant);
        assert!((c.z - 0.05 / se).abs() < 1e-9, "{c:?}");
        assert!(c.large_enough);
        assert!((control.effective_trials() - 999.0).abs() < 1e-6);
    }

    #[test]
    fn users_who_click_together_widen_the_interval_and_weaken_the_test() {
        // 100 users × 10 items: each user clicks all or nothing. As independent items the
        // difference of 0.20 against 0.26 would be significant; as 100 users per arm it
        // is not.
        let (mut control, mut variant) = (Clustered::default(), Clustered::default());
        for user in 0..100 {
            control.add(if user < 20 { 10 } else { 0 }, 10);
            variant.add(if user < 26 { 10 } else { 0 }, 10);
        }
        let items = compare(control.proportion(), variant.proportion());
        let users = compare_clustered(&control, &variant);
        assert!(items.p_value < 0.01, "{items:?}");
        assert!(users.p_value > 0.2, "{users:?}");
        assert!((control.effective_trials() - 99.0).abs() < 1e-6);
        let (lo, hi) = control.interval_95();
        let (plo, phi) = control.proportion().interval_95();
        assert!(lo < plo && hi > phi);
        // Too few users to say anything.
        let mut one = Clustered::default();
        one.add(5, 10);
        assert_eq!(one.variance(), None);
        assert_eq!(compare_clustered(&one, &variant).p_value, 1.0);
    }

    #[test]
    fn between_identical_arms_the_clustered_test_errs_at_its_level_and_the_per_item_test_does_not()
    {
        use rand::Rng;
        // Users differ in how much they click and in how many lists they see; both arms
        // are drawn alike, so every "significant" difference is an error.
        let mut rng = orrery_core::rng::seeded(20261207);
        let trials = 1_000;
        let (mut clustered_errors, mut per_item_errors) = (0, 0);
        for _ in 0..trials {
            let mut arms = [Clustered::default(), Clustered::default()];
            for arm in &mut arms {
                for _ in 0..200 {
                    let propensity = rng.random::<f64>() * 0.4;
                    let shown = 10 * rng.random_range(1..=8u64);
                    let clicks = (0..shown)
                        .filter(|_| rng.random::<f64>() < propensity)
                        .count();
                    arm.add(clicks as u64, shown);
                }
            }
            clustered_errors += u32::from(compare_clustered(&arms[0], &arms[1]).p_value < 0.05);
            per_item_errors +=
                u32::from(compare(arms[0].proportion(), arms[1].proportion()).p_value < 0.05);
        }
        let clustered = f64::from(clustered_errors) / f64::from(trials);
        let per_item = f64::from(per_item_errors) / f64::from(trials);
        assert!((0.03..=0.07).contains(&clustered), "{clustered}");
        assert!(per_item > 0.15, "{per_item}");
    }

    #[test]
    fn the_sample_size_grows_as_the_lift_shrinks() {
        // 10 % against 12 %: about 3,841 per arm (the usual power tables).
        let n = sample_per_arm(0.10, 0.20).unwrap();
        assert!((3_800..=3_900).contains(&n), "{n}");
        assert!(sample_per_arm(0.10, 0.10).unwrap() > 3 * n);
        assert_eq!(sample_per_arm(0.10, 0.0), None);
        assert_eq!(sample_per_arm(0.9, 0.5), None);
    }
}
