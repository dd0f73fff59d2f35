//! Writes from several connections at once wait for each other instead of failing.
//!
//! Regression: activating a version read first and wrote second, so on SQLite a save
//! committed by another connection in between made the activation fail at once with
//! "database is locked" (SQLITE_BUSY_SNAPSHOT), which the server answered with a 500.
//!
//! Regression: on PostgreSQL every API write into an empty `interactions` table took the
//! initial-load path of imports (an exclusive lock on the table, after reading it), so
//! two writes at once, or a write beside an initial load, could deadlock, which the
//! server answered with a 500.

mod common;

use common::{databases, rating};
use std::time::Duration;

use orrery_core::{InteractionRecord, ItemRecord, Record};
use orrery_store::{MetricMap, NewModelVersion, ParamMap};

async fn save(store: &orrery_store::Store, i: i64) -> i64 {
    let params = ParamMap::new();
    let metrics = MetricMap::new();
    store
        .save_model_version(&NewModelVersion {
            algorithm: "popularity",
            purpose: orrery_store::ModelPurpose::Ranking,
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

fn interaction(user: &str, item: &str, ts: i64) -> InteractionRecord {
    match rating(user, item, 4.0, ts) {
        Record::Interaction(r) => r,
        _ => unreachable!(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_writes_into_an_empty_table_run_side_by_side() {
    for db in databases().await {
        let name = db.name();
        let tasks: Vec<_> = (0..16)
            .map(|t| {
                let store = db.store.clone();
                tokio::spawn(async move {
                    for k in 0..10 {
                        let item = ItemRecord {
                            title: format!("item {t}/{k}"),
                            ..ItemRecord::with_id(format!("i{}", (t + k) % 5))
                        };
                        store.upsert_item(&item).await?;
                        store
                            .add_interactions(&[interaction(&format!("u{t}"), &item.id, k)])
                            .await?;
                    }
                    Ok::<_, orrery_store::Error>(())
                })
            })
            .collect();
        for task in tasks {
            task.await
                .expect("task")
                .unwrap_or_else(|e| panic!("{name}: a concurrent write failed: {e}"));
        }
        let stats = db.store.stats().await.expect("stats");
        assert_eq!(stats.interactions, 16 * 10, "{name}");
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_writes_beside_an_initial_load_wait_and_land() {
    for db in databases().await {
        let name = db.name();
        let load = {
            let store = db.store.clone();
            tokio::spawn(async move {
                let mut tx = store.begin_import().await?;
                for batch in 0..20 {
                    let records: Vec<Record> = (0..500)
                        .map(|k| {
                            rating(
                                &format!("load{}", k % 50),
                                &format!("i{}", k % 40),
                                3.0,
                                batch,
                            )
                        })
                        .collect();
                    tx.write(&records).await?;
                }
                tx.commit().await
            })
        };
        let writers: Vec<_> = (0..8)
            .map(|t| {
                let store = db.store.clone();
                tokio::spawn(async move {
                    for k in 0..5 {
                        let item = ItemRecord {
                            title: format!("item {t}/{k}"),
                            ..ItemRecord::with_id(format!("i{}", (t * 5 + k) % 40))
                        };
                        store.upsert_item(&item).await?;
                        store
                            .add_interactions(&[interaction(&format!("api{t}"), &item.id, k)])
                            .await?;
                    }
                    Ok::<_, orrery_store::Error>(())
                })
            })
            .collect();
        let wait = Duration::from_secs(60);
        let summary = tokio::time::timeout(wait, load)
            .await
            .unwrap_or_else(|_| panic!("{name}: the load did not finish"))
            .expect("task")
            .unwrap_or_else(|e| panic!("{name}: the load failed: {e}"));
        // 200 distinct (user, item) pairs in each batch, one timestamp per batch.
        assert_eq!(summary.interactions_inserted, 200 * 20, "{name}");
        for writer in writers {
            tokio::time::timeout(wait, writer)
                .await
                .unwrap_or_else(|_| panic!("{name}: a write did not finish"))
                .expect("task")
                .unwrap_or_else(|e| panic!("{name}: a write beside the load failed: {e}"));
        }
        let stats = db.store.stats().await.expect("stats");
        assert_eq!(
            stats.interactions,
            summary.interactions_inserted + 40,
            "{name}"
        );
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_writes_into_an_empty_table_do_not_wait_for_readers() {
    use sqlx::Connection;
    for db in databases().await {
        let name = db.name();
        if db.store.backend() != orrery_store::Backend::Postgres {
            // SQLite readers never block its one writer (WAL).
            db.finish().await;
            continue;
        }
        // A long read of `interactions`, as a training snapshot makes, holds its lock
        // until it ends; the API's writes must not ask for a lock that conflicts with it.
        let mut reader = sqlx::PgConnection::connect(&db.url).await.expect("connect");
        sqlx::query("BEGIN")
            .execute(&mut reader)
            .await
            .expect("begin");
        sqlx::query("SELECT COUNT(*) FROM interactions")
            .execute(&mut reader)
            .await
            .expect("read");
        let neptune = ItemRecord {
            title: "Neptune".into(),
            ..ItemRecord::with_id("neptune")
        };
        let writes = async {
            db.store.upsert_item(&neptune).await?;
            db.store
                .add_interactions(&[interaction("u1", "neptune", 1)])
                .await
        };
        let inserted = tokio::time::timeout(Duration::from_secs(10), writes)
            .await
            .unwrap_or_else(|_| panic!("{name}: the writes waited for a reader"))
            .expect("writes");
        assert_eq!(inserted, 1, "{name}");
        sqlx::query("COMMIT")
            .execute(&mut reader)
            .await
            .expect("commit");
        reader.close().await.expect("close");
        db.finish().await;
    }
}
