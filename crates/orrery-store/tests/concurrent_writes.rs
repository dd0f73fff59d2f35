//! Writes from several connections at once wait for each other instead of failing.
//!
//! Regression: activating a version read first and wrote second, so on SQLite a save
//! committed by another connection in between made the activation fail at once with
//! "database is locked" (SQLITE_BUSY_SNAPSHOT), which the server answered with a 500.

mod common;

use common::{databases, rating};
use orrery_store::{MetricMap, NewModelVersion, ParamMap};

async fn save(store: &orrery_store::Store, i: i64) -> i64 {
    let params = ParamMap::new();
    let metrics = MetricMap::new();
    store
        .save_model_version(&NewModelVersion {
            algorithm: "popularity",
            params: &params,
            metrics: &metrics,
            blob: &[1, 2, 3],
            n_users: 1,
            n_items: 1,
            n_interactions: 1,
            train_seconds: 0.0,
            created_at: i,
        })
        .await
        .expect("saving a version")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn activations_wait_for_concurrent_writers() {
    for db in databases().await {
        let name = db.name();
        let first = save(&db.store, 0).await;
        let writer = {
            let store = db.store.clone();
            tokio::spawn(async move {
                for i in 1..=60 {
                    save(&store, i).await;
                    store
                        .add_interactions(&[match rating("u", &format!("i{i}"), 3.0, i) {
                            orrery_core::Record::Interaction(r) => r,
                            _ => unreachable!(),
                        }])
                        .await
                        .expect("adding an interaction");
                }
            })
        };
        let mut activations = 0;
        while !writer.is_finished() {
            let ok = db
                .store
                .activate_model_version(first)
                .await
                .unwrap_or_else(|e| panic!("{name}: activation failed beside a writer: {e}"));
            assert!(ok, "{name}");
            activations += 1;
        }
        writer.await.expect("the writer");
        assert!(activations > 0, "{name}");
        println!("{name}: {activations} activations beside 120 writes");
        db.finish().await;
    }
}
