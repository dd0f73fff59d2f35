//! Loading a `Dataset` back: ids, weights, ratings, times and metadata must be what was
//! written. Each test runs on SQLite and, when configured, PostgreSQL.

mod common;

use common::{databases, rating, simulated_ratings, small_set};
use orrery_core::{Category, EventWeights, Record};

#[tokio::test]
async fn the_dataset_is_what_was_written() {
    for db in databases().await {
        let name = db.name();
        let mut tx = db.store.begin_import().await.expect("begin");
        tx.write(&small_set()).await.expect("write");
        tx.commit().await.expect("commit");

        let mut weights = EventWeights::default();
        weights.apply_overrides("click=3,share=2").expect("weights");
        let d = db.store.load_dataset(&weights).await.expect("load");

        // Indices follow the order in which users and items were first stored; users and
        // items without interactions are kept.
        assert_eq!(d.users().ids(), ["u1", "u2", "u3", "u4"], "{name}");
        assert_eq!(d.items().ids(), ["i1", "i2", "i3", "i4"], "{name}");
        assert_eq!(d.nnz(), 6, "{name}");
        assert!(d.user_row(2).is_empty(), "{name}: u3 has no interactions");
        assert!(d.item_row(2).is_empty(), "{name}: i3 has no interactions");

        let u1 = d.user_row(0);
        assert_eq!(u1.indices, [0, 1], "{name}");
        assert_eq!(u1.weights, [4.0, 3.0 + 2.5], "{name}");
        assert_eq!(u1.ratings, [4.0, 2.5], "{name}");
        assert_eq!(u1.times, [100, 110], "{name}");

        let u2 = d.user_row(1);
        assert_eq!(u2.indices, [0, 3], "{name}");
        assert_eq!(u2.weights[0], 5.0, "{name}");
        assert!(
            (u2.weights[1] - 10f32.ln()).abs() < 1e-6,
            "{name}: play weight"
        );
        assert!(u2.ratings[1].is_nan(), "{name}: a play is not a rating");
        assert_eq!(u2.times, [200, 210], "{name}");

        let u4 = d.user_row(3);
        assert_eq!(u4.indices, [0, 1], "{name}");
        assert_eq!(u4.weights, [5.0, 2.0 + 3.0], "{name}");
        assert!(u4.ratings[0].is_nan(), "{name}");
        assert_eq!(u4.ratings[1], 3.0, "{name}");
        assert_eq!(u4.times, [300, 320], "{name}");

        assert_eq!(d.item_row(0).indices, [0, 1, 3], "{name}");
        assert_eq!(
            d.mean_rating(),
            Some((4.0 + 2.5 + 5.0 + 3.0) / 4.0),
            "{name}"
        );

        let user = d.user(0).expect("u1");
        assert_eq!(user.interests, ["astronomy", "jazz"], "{name}");
        assert_eq!(user.skill_level.as_deref(), Some("beginner"), "{name}");
        assert_eq!(user.gender.as_deref(), Some("F"), "{name}");
        assert_eq!(user.age, Some(25), "{name}");
        assert_eq!(user.occupation.as_deref(), Some("scientist"), "{name}");
        assert_eq!(user.zip.as_deref(), Some("55455"), "{name}");
        assert_eq!(
            user.attributes.get("plan").and_then(|v| v.as_str()),
            Some("pro"),
            "{name}"
        );
        let bare = d.user(3).expect("u4");
        assert_eq!(bare.id, "u4", "{name}");
        assert!(bare.gender.is_none() && bare.interests.is_empty(), "{name}");

        let toy_story = d.item(0).expect("i1");
        assert_eq!(toy_story.title, "Toy Story (1995)", "{name}");
        assert_eq!(
            toy_story.categories,
            [
                Category::new("genre", "Animation"),
                Category::new("genre", "Children's"),
                Category::new("genre", "Comedy")
            ],
            "{name}"
        );
        assert_eq!(toy_story.tags, ["pixar"], "{name}");
        assert_eq!(toy_story.year, Some(1995), "{name}");
        assert_eq!(
            toy_story.description.as_deref(),
            Some("Toys come alive."),
            "{name}"
        );
        assert_eq!(
            toy_story.attributes.get("imdb").and_then(|v| v.as_i64()),
            Some(114_709),
            "{name}"
        );
        assert_eq!(
            d.item(1).expect("i2").categories,
            [Category::new("Planet", "Gas Giant")],
            "{name}"
        );
        assert_eq!(
            d.item(2).expect("i3").categories,
            [Category::new("Star", "A")],
            "{name}"
        );
        let bare = d.item(3).expect("i4");
        assert_eq!(
            (bare.id.as_str(), bare.title.as_str()),
            ("i4", ""),
            "{name}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn loading_is_deterministic_and_matches_a_larger_import() {
    for db in databases().await {
        let name = db.name();
        let records = simulated_ratings(60, 40, 15);
        let mut tx = db.store.begin_import().await.expect("begin");
        for batch in records.chunks(97) {
            tx.write(batch).await.expect("write");
        }
        let summary = tx.commit().await.expect("commit");
        assert_eq!(summary.interactions_inserted, 900, "{name}");

        let first = db
            .store
            .load_dataset(&EventWeights::default())
            .await
            .expect("load");
        let second = db
            .store
            .load_dataset(&EventWeights::default())
            .await
            .expect("load");
        assert_eq!(first.users().ids(), second.users().ids(), "{name}");
        assert_eq!(first.user_items(), second.user_items(), "{name}");
        assert_eq!(first.n_users(), 60, "{name}");
        assert_eq!(first.n_items(), 40, "{name}");
        assert_eq!(first.users().external(0), Some("u0"), "{name}");
        assert_eq!(first.items().external(39), Some("m39"), "{name}");

        // Every rating written is in its cell (the latest one when a cell was rated twice).
        let mut expected = std::collections::HashMap::new();
        for r in &records {
            if let Record::Interaction(e) = r {
                let cell = expected
                    .entry((e.user.clone(), e.item.clone()))
                    .or_insert((e.ts, e.value));
                if e.ts >= cell.0 {
                    *cell = (e.ts, e.value);
                }
            }
        }
        assert_eq!(first.nnz(), expected.len(), "{name}");
        for ((user, item), (ts, value)) in &expected {
            let u = first.users().get(user).expect("user");
            let i = first.items().get(item).expect("item");
            let row = first.user_row(u);
            let k = row.indices.binary_search(&i).expect("cell");
            assert_eq!(
                (row.ratings[k], row.times[k]),
                (*value, *ts),
                "{name}: {user} {item}"
            );
        }
        let stats = db.store.stats().await.expect("stats");
        assert_eq!(stats.interactions, 900, "{name}");
        assert_eq!(stats.rated_items as usize, first.active_items(), "{name}");
        let mean = first_mean(&records);
        assert!(
            (stats.mean_rating.expect("mean") - mean).abs() < 1e-9,
            "{name}"
        );
        db.finish().await;
    }
}

fn first_mean(records: &[Record]) -> f64 {
    let values: Vec<f64> = records
        .iter()
        .filter_map(|r| match r {
            Record::Interaction(e) => Some(e.value as f64),
            _ => None,
        })
        .collect();
    values.iter().sum::<f64>() / values.len() as f64
}

#[tokio::test]
async fn a_snapshot_does_not_see_an_uncommitted_import() {
    for db in databases().await {
        let name = db.name();
        let mut tx = db.store.begin_import().await.expect("begin");
        tx.write(&small_set()).await.expect("write");
        tx.commit().await.expect("commit");

        let mut tx = db.store.begin_import().await.expect("begin");
        tx.write(&[rating("u5", "i5", 1.0, 1)])
            .await
            .expect("write");
        let during = db
            .store
            .load_dataset(&EventWeights::default())
            .await
            .expect("load");
        assert_eq!((during.n_users(), during.nnz()), (4, 6), "{name}");
        assert_eq!(
            db.store.stats().await.expect("stats").interactions,
            8,
            "{name}"
        );
        tx.commit().await.expect("commit");

        let after = db
            .store
            .load_dataset(&EventWeights::default())
            .await
            .expect("load");
        assert_eq!((after.n_users(), after.nnz()), (5, 7), "{name}");
        db.finish().await;
    }
}

#[tokio::test]
async fn datasets_can_load_on_another_task() {
    for db in databases().await {
        let mut tx = db.store.begin_import().await.expect("begin");
        tx.write(&small_set()).await.expect("write");
        tx.commit().await.expect("commit");
        let store = db.store.clone();
        let handle =
            tokio::spawn(async move { store.load_dataset(&EventWeights::default()).await });
        let d = handle.await.expect("task").expect("load");
        assert_eq!(d.nnz(), 6, "{}", db.name());
        db.finish().await;
    }
}

#[tokio::test]
async fn an_empty_database_loads_an_empty_dataset() {
    for db in databases().await {
        let d = db
            .store
            .load_dataset(&EventWeights::default())
            .await
            .expect("load");
        assert_eq!(
            (d.n_users(), d.n_items(), d.nnz()),
            (0, 0, 0),
            "{}",
            db.name()
        );
        assert_eq!(d.mean_rating(), None);
        db.finish().await;
    }
}
