//! The popularity prior is chosen from the data: high where what users take next is what
//! everybody takes, low where each user keeps to a taste of their own.

use orrery_core::{Dataset, DatasetBuilder, EventKind, EventWeights};
use orrery_engine::flow::FlowSettings;
use orrery_engine::tune::{PRIOR_GRID, choose_popularity_prior};
use orrery_models::{Algorithm, NoProgress, Params};

/// A small deterministic generator (splitmix64), so that the worlds need no crate.
struct Draws(u64);

impl Draws {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const USERS: usize = 600;
const ITEMS: usize = 200;
const LIKES: usize = 20;

/// Every user likes `LIKES` distinct items drawn by `draw`.
fn world(mut draw: impl FnMut(usize, &mut Draws) -> usize) -> Dataset {
    let mut draws = Draws(7);
    let mut b = DatasetBuilder::new(EventWeights::default());
    for u in 0..USERS {
        let mut liked = Vec::new();
        while liked.len() < LIKES {
            let item = draw(u, &mut draws);
            if !liked.contains(&item) {
                liked.push(item);
            }
        }
        for (t, item) in liked.into_iter().enumerate() {
            let (user, item) = (format!("u{u}"), format!("i{item}"));
            b.add_event(&user, &item, &EventKind::Like, 0.0, t as i64);
        }
    }
    b.build()
}

/// The prior chosen for ALS on `dataset`, after checking what the choice reports.
fn chosen_prior(dataset: &Dataset) -> f32 {
    let mut params = Params::defaults(Algorithm::Als).with_seed(3);
    params.set("factors", "16").unwrap();
    let choice = choose_popularity_prior(
        dataset,
        &params,
        None,
        &FlowSettings::default(),
        5,
        &mut NoProgress,
    )
    .unwrap()
    .expect("enough users to carve a validation split");
    assert_eq!(choice.ndcg.len(), PRIOR_GRID.len(), "{choice:?}");
    let best = choice.ndcg.iter().map(|&(_, v)| v).fold(f64::MIN, f64::max);
    assert!(
        choice.ndcg.contains(&(choice.prior, best)),
        "the best prior is chosen: {choice:?}"
    );
    assert_eq!(
        choice.users, 120,
        "a fifth of the users validate: {choice:?}"
    );
    assert!(
        choice.describe().contains("NDCG@10"),
        "{}",
        choice.describe()
    );
    choice.prior
}

#[test]
fn a_crowd_gets_a_high_prior_and_separate_tastes_a_low_one() {
    // Everybody draws from the same steep popularity curve: five interactions say nothing
    // about a user that popularity does not say better.
    let crowd = world(|_, draws| {
        let r = (draws.below(1 << 20) as f64 + 0.5) / f64::from(1 << 20);
        ((ITEMS as f64).powf(r) - 1.0) as usize
    });
    // Ten tastes of 20 items each, all as popular: popularity says nothing, five
    // interactions say which taste.
    let tastes = world(|u, draws| (u % 10) * 20 + draws.below(20));

    let crowd_prior = chosen_prior(&crowd);
    let tastes_prior = chosen_prior(&tastes);
    assert!(crowd_prior >= 1.0, "crowd: {crowd_prior}");
    assert!(tastes_prior <= 0.5, "tastes: {tastes_prior}");
}

#[test]
fn data_too_small_to_carve_chooses_nothing() {
    let mut b = DatasetBuilder::new(EventWeights::default());
    for i in 0..10 {
        b.add_event("only", &format!("i{i}"), &EventKind::Like, 0.0, i);
    }
    let choice = choose_popularity_prior(
        &b.build(),
        &Params::defaults(Algorithm::Als),
        None,
        &FlowSettings::default(),
        5,
        &mut NoProgress,
    )
    .unwrap();
    assert_eq!(choice, None);
}
