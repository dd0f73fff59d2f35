//! Which of a user's items the flow counts as seen, in evaluation as in serving: those with
//! an event of a kind in `[flow] exclude_seen` (every kind by default).

use orrery_core::{Dataset, DatasetBuilder, EventKind, EventWeights, ItemIdx, KindSet};
use orrery_engine::flow::FlowSettings;
use orrery_engine::offline::OfflineFlow;
use orrery_eval::Ranker;
use orrery_models::{Algorithm, Model, NoProgress, Params, Recommender};

/// Ten tastes of 40 items, 30 users each liking 15 of their taste's items; and a probe
/// user of the first taste who liked its items 0–9 and only clicked its items 10–19.
fn dataset() -> Dataset {
    let mut b = DatasetBuilder::new(EventWeights::default());
    for u in 0..300 {
        let taste = u % 10;
        for k in 0..15 {
            let item = taste * 40 + (u / 10 + k * 7) % 40;
            b.add_event(
                &format!("u{u}"),
                &format!("i{item}"),
                &EventKind::Like,
                0.0,
                0,
            );
        }
    }
    for item in 0..20 {
        let kind = if item < 10 {
            EventKind::Like
        } else {
            EventKind::Click
        };
        b.add_event("probe", &format!("i{item}"), &kind, 0.0, 0);
    }
    b.build()
}

/// The probe's top 10 through the flow, as item ids, with `exclude_seen`.
fn probe_list(dataset: &Dataset, exclude_seen: KindSet) -> Vec<String> {
    let mut params = Params::defaults(Algorithm::Als);
    params.set("factors", "16").unwrap();
    let model = Model::fit(dataset, &params, &mut NoProgress).unwrap();
    let settings = FlowSettings {
        exclude_seen,
        ..FlowSettings::default()
    };
    let mut flow = OfflineFlow::new(dataset, model, Vec::new(), settings, 0);
    flow.set_signals(true, false);
    let probe = dataset.users().get("probe").unwrap();
    let repr = flow.model().user(probe).unwrap();
    let list: Vec<ItemIdx> = flow.top_k(probe, &repr, &[], 10).unwrap();
    list.iter()
        .map(|&i| dataset.items().external(i).unwrap().to_owned())
        .collect()
}

#[test]
fn clicked_items_come_back_when_only_likes_count_as_seen() {
    let dataset = dataset();
    let liked: Vec<String> = (0..10).map(|i| format!("i{i}")).collect();
    let clicked: Vec<String> = (10..20).map(|i| format!("i{i}")).collect();

    let every_kind = probe_list(&dataset, KindSet::ALL);
    assert_eq!(every_kind.len(), 10);
    assert!(
        every_kind
            .iter()
            .all(|i| !liked.contains(i) && !clicked.contains(i)),
        "{every_kind:?}"
    );

    let likes_only = probe_list(&dataset, KindSet::of(&EventKind::Like));
    assert!(
        likes_only.iter().all(|i| !liked.contains(i)),
        "{likes_only:?}"
    );
    let back = likes_only.iter().filter(|i| clicked.contains(i)).count();
    assert!(
        back >= 5,
        "clicked items of the taste come back: {likes_only:?}"
    );
}
