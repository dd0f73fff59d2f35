//! Above the flow's exact threshold the model source searches a graph index over the
//! model's items instead of scoring the whole catalog: its lists must be the exact ones
//! (nearly), for every factor model whose scores it claims to reproduce.

use orrery_core::{DatasetBuilder, EventKind, EventWeights, ItemIdx, UserIdx};
use orrery_engine::flow::FlowSettings;
use orrery_engine::flow::retrieval::{FactorIndex, MAX_EXPANSION, TARGET_RECALL};
use orrery_engine::offline::OfflineFlow;
use orrery_eval::Ranker;
use orrery_models::{Algorithm, Model, NoProgress, Params, Recommender};

const USERS: u32 = 1_500;
const ITEMS: u32 = 4_000;
const TASTES: u32 = 25;

/// Users who each like one taste (a block of items), mostly its popular items, and a few
/// items at random: the shape of real interactions, in which factors have neighbourhoods.
fn dataset() -> orrery_core::Dataset {
    let mut b = DatasetBuilder::new(EventWeights::default());
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = |n: u32| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) % u64::from(n)) as u32
    };
    let per_taste = ITEMS / TASTES;
    for u in 0..USERS {
        let taste = u % TASTES;
        for _ in 0..30 {
            // Skewed towards the taste's first items: the popular ones.
            let rank = next(per_taste).min(next(per_taste));
            let item = taste * per_taste + rank;
            b.add_event(
                &format!("u{u}"),
                &format!("i{item}"),
                &EventKind::Like,
                0.0,
                0,
            );
        }
        for _ in 0..5 {
            let item = next(ITEMS);
            b.add_event(
                &format!("u{u}"),
                &format!("i{item}"),
                &EventKind::Click,
                0.0,
                0,
            );
        }
    }
    b.build()
}

fn fit(dataset: &orrery_core::Dataset, algorithm: Algorithm) -> Model {
    let mut params = Params::defaults(algorithm);
    params.set("factors", "32").unwrap();
    Model::fit(dataset, &params, &mut NoProgress).unwrap()
}

/// The flow's lists with the model source alone weighed (collaborative weight 1).
fn flow(dataset: &orrery_core::Dataset, model: Model, exact_items: usize) -> OfflineFlow<'_> {
    let settings = FlowSettings {
        exact_items,
        ..FlowSettings::default()
    };
    let mut flow = OfflineFlow::new(dataset, model, Vec::new(), settings, 0);
    flow.set_signals(true, false);
    flow
}

#[test]
fn indexed_lists_find_the_exact_top_ten() {
    let dataset = dataset();
    for algorithm in [Algorithm::Als, Algorithm::Bpr] {
        let model = fit(&dataset, algorithm);
        let index = FactorIndex::build(&model).expect("a factor model is indexed");
        let own = index.recall().expect("the index measures its recall");
        assert!(
            own >= TARGET_RECALL || index.search_list() == MAX_EXPANSION,
            "{algorithm:?}: the index's own recall {own} with a search list of {}",
            index.search_list()
        );

        let exact = flow(&dataset, fit(&dataset, algorithm), usize::MAX);
        let indexed = flow(&dataset, fit(&dataset, algorithm), 1_000);
        let (mut found, mut wanted) = (0, 0);
        for user in (0..dataset.n_users() as UserIdx).step_by(7) {
            let repr = exact.model().user(user).unwrap();
            let seen = dataset.user_row(user).indices.to_vec();
            let want: Vec<ItemIdx> = exact.top_k(user, &repr, &seen, 10).unwrap();
            let got: Vec<ItemIdx> = indexed.top_k(user, &repr, &seen, 10).unwrap();
            assert_eq!(got.len(), 10, "{algorithm:?}: user {user} got a short list");
            assert!(
                got.iter().all(|item| !seen.contains(item)),
                "{algorithm:?}: user {user} was offered a seen item"
            );
            wanted += want.len();
            found += want.iter().filter(|item| got.contains(item)).count();
        }
        let recall = found as f64 / wanted as f64;
        assert!(recall >= 0.95, "{algorithm:?}: flow recall@10 {recall:.3}");
    }
}

#[test]
fn models_whose_scores_are_not_linear_in_factors_are_not_indexed() {
    let dataset = dataset();
    let model = Model::fit(
        &dataset,
        &Params::defaults(Algorithm::Popularity),
        &mut NoProgress,
    )
    .unwrap();
    assert!(FactorIndex::build(&model).is_none());
}
