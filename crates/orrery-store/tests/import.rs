//! Imports: counting, idempotence, upserts that keep what they are not given, and
//! all-or-nothing transactions. Each test runs on SQLite and, when configured, PostgreSQL.

mod common;

use common::{TestDb, databases, event, rating, small_set};
use orrery_core::{Category, EventKind, EventWeights, ItemRecord, Record, UserRecord};
use orrery_store::{Error, ImportSummary, Stats, Store};

async fn import(store: &Store, records: &[Record]) -> ImportSummary {
    let mut tx = store.begin_import().await.expect("begin import");
    tx.write(records).await.expect("write");
    tx.commit().await.expect("commit")
}

async fn stats(db: &TestDb) -> Stats {
    db.store.stats().await.expect("stats")
}

#[tokio::test]
async fn import_then_stats() {
    for db in databases().await {
        let name = db.name();
        let summary = import(&db.store, &small_set()).await;
        assert_eq!(
            summary,
            ImportSummary {
                users: 4,
                items: 4,
                interactions_inserted: 8,
                interactions_skipped: 0
            },
            "{name}"
        );
        let s = stats(&db).await;
        assert_eq!(
            (
                s.users,
                s.active_users,
                s.items,
                s.rated_items,
                s.interactions
            ),
            (4, 3, 4, 3, 8),
            "{name}"
        );
        // 6 distinct (user, item) pairs among 4 × 4 cells.
        assert!(
            (s.density - 6.0 / 16.0).abs() < 1e-12,
            "{name}: {}",
            s.density
        );
        let mean = s.mean_rating.expect("mean rating");
        assert!(
            (mean - (4.0 + 2.5 + 5.0 + 3.0) / 4.0).abs() < 1e-9,
            "{name}: {mean}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn stats_of_an_empty_database() {
    for db in databases().await {
        let s = stats(&db).await;
        assert_eq!(
            (
                s.users,
                s.active_users,
                s.items,
                s.rated_items,
                s.interactions
            ),
            (0, 0, 0, 0, 0),
            "{}",
            db.name()
        );
        assert_eq!(s.density, 0.0);
        assert_eq!(s.mean_rating, None);
        let json = serde_json::to_value(&s).expect("stats serialize");
        for key in [
            "users",
            "active_users",
            "items",
            "rated_items",
            "interactions",
            "density",
            "mean_rating",
        ] {
            assert!(json.get(key).is_some(), "{key} missing from {json}");
        }
        db.finish().await;
    }
}

#[tokio::test]
async fn reimporting_adds_nothing() {
    for db in databases().await {
        let name = db.name();
        import(&db.store, &small_set()).await;
        let before = stats(&db).await;
        // The same records again, in two batches of one import.
        let records = small_set();
        let (first, second) = records.split_at(7);
        let mut tx = db.store.begin_import().await.expect("begin");
        tx.write(first).await.expect("write");
        tx.write(second).await.expect("write");
        let summary = tx.commit().await.expect("commit");
        assert_eq!(
            summary,
            ImportSummary {
                users: 0,
                items: 0,
                interactions_inserted: 0,
                interactions_skipped: 8
            },
            "{name}"
        );
        assert_eq!(stats(&db).await, before, "{name}");

        // Duplicates inside one batch count once; a new timestamp is a new interaction.
        let summary = import(
            &db.store,
            &[
                rating("u1", "i3", 1.0, 500),
                rating("u1", "i3", 1.0, 500),
                rating("u1", "i1", 4.0, 100),
                rating("u1", "i1", 4.0, 101),
            ],
        )
        .await;
        assert_eq!(
            (summary.interactions_inserted, summary.interactions_skipped),
            (2, 2),
            "{name}"
        );
        assert_eq!(
            stats(&db).await.interactions,
            before.interactions + 2,
            "{name}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn a_new_value_for_the_same_event_replaces_the_stored_one() {
    for db in databases().await {
        let name = db.name();
        import(&db.store, &small_set()).await;
        let before = stats(&db).await.interactions;
        let value_of = |events: Vec<orrery_core::InteractionRecord>| {
            events
                .iter()
                .find(|e| e.item == "i3" && e.ts == 900)
                .map(|e| e.value)
        };

        // A rating, then a change of mind within the same second, in separate writes
        // as the API makes them.
        import(&db.store, &[rating("u1", "i3", 2.0, 900)]).await;
        let summary = import(&db.store, &[rating("u1", "i3", 5.0, 900)]).await;
        assert_eq!(
            (summary.interactions_inserted, summary.interactions_skipped),
            (1, 0),
            "{name}"
        );
        let events = db.store.user_interactions("u1").await.expect("read");
        assert_eq!(value_of(events.expect("u1")), Some(5.0), "{name}");

        // Within one batch the last value wins.
        let summary = import(
            &db.store,
            &[rating("u1", "i3", 1.0, 900), rating("u1", "i3", 3.0, 900)],
        )
        .await;
        assert_eq!(
            (summary.interactions_inserted, summary.interactions_skipped),
            (1, 1),
            "{name}"
        );
        let events = db.store.user_interactions("u1").await.expect("read");
        assert_eq!(value_of(events.expect("u1")), Some(3.0), "{name}");
        assert_eq!(stats(&db).await.interactions, before + 1, "{name}");
        db.finish().await;
    }
}

#[tokio::test]
async fn upserts_keep_what_the_new_record_lacks() {
    for db in databases().await {
        let name = db.name();
        import(&db.store, &small_set()).await;

        let mut partial_user = UserRecord {
            zip: Some("10001".into()),
            age: Some(26),
            ..UserRecord::with_id("u1")
        };
        partial_user.attributes.insert("team".into(), "blue".into());
        let partial_item = ItemRecord {
            tags: vec!["classic".into(), "cgi".into()],
            ..ItemRecord::with_id("i1")
        };
        let recategorised = ItemRecord {
            categories: vec![
                Category::new("Planet", "Ice Giant"),
                Category::new("Moon", "none"),
            ],
            ..ItemRecord::with_id("i2")
        };
        let summary = import(
            &db.store,
            &[
                Record::User(partial_user.clone()),
                Record::User(UserRecord::with_id("u2")),
                Record::Item(partial_item.clone()),
                Record::Item(recategorised.clone()),
            ],
        )
        .await;
        assert_eq!(
            (summary.users, summary.items),
            (1, 2),
            "{name}: {summary:?}"
        );

        // The same partial records again change nothing.
        let summary = import(
            &db.store,
            &[
                Record::User(partial_user),
                Record::Item(partial_item),
                Record::Item(recategorised),
            ],
        )
        .await;
        assert_eq!(
            (summary.users, summary.items),
            (0, 0),
            "{name}: {summary:?}"
        );

        let d = db
            .store
            .load_dataset(&EventWeights::default())
            .await
            .expect("load");
        let u1 = d.user(d.users().get("u1").expect("u1")).expect("u1 meta");
        assert_eq!(u1.interests, ["astronomy", "jazz"], "{name}");
        assert_eq!(u1.skill_level.as_deref(), Some("beginner"), "{name}");
        assert_eq!(u1.gender.as_deref(), Some("F"), "{name}");
        assert_eq!(u1.age, Some(26), "{name}");
        assert_eq!(u1.occupation.as_deref(), Some("scientist"), "{name}");
        assert_eq!(u1.zip.as_deref(), Some("10001"), "{name}");
        assert_eq!(
            u1.attributes.get("plan").and_then(|v| v.as_str()),
            Some("pro"),
            "{name}"
        );
        assert_eq!(
            u1.attributes.get("team").and_then(|v| v.as_str()),
            Some("blue"),
            "{name}"
        );
        let u2 = d.user(d.users().get("u2").expect("u2")).expect("u2 meta");
        assert_eq!(
            (u2.gender.as_deref(), u2.age),
            (Some("M"), Some(56)),
            "{name}"
        );

        let i1 = d.item(d.items().get("i1").expect("i1")).expect("i1 meta");
        assert_eq!(i1.title, "Toy Story (1995)", "{name}");
        assert_eq!(i1.year, Some(1995), "{name}");
        assert_eq!(
            i1.description.as_deref(),
            Some("Toys come alive."),
            "{name}"
        );
        assert_eq!(i1.tags, ["classic", "cgi"], "{name}");
        assert_eq!(i1.categories.len(), 3, "{name}");
        let i2 = d.item(d.items().get("i2").expect("i2")).expect("i2 meta");
        assert_eq!(i2.title, "Jupiter", "{name}");
        assert_eq!(
            i2.categories,
            [
                Category::new("Planet", "Ice Giant"),
                Category::new("Moon", "none")
            ],
            "{name}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn dropping_or_rolling_back_an_import_leaves_the_database_as_it_was() {
    for db in databases().await {
        let name = db.name();
        import(&db.store, &small_set()).await;
        let before = stats(&db).await;
        let more = [
            Record::User(UserRecord::with_id("u9")),
            rating("u9", "i9", 3.0, 1),
            rating("u1", "i3", 5.0, 2),
            Record::User(UserRecord {
                gender: Some("X".into()),
                ..UserRecord::with_id("u1")
            }),
        ];

        let mut tx = db.store.begin_import().await.expect("begin");
        tx.write(&more).await.expect("write");
        assert_eq!(tx.progress().interactions_inserted, 2, "{name}");
        drop(tx);
        assert_eq!(stats(&db).await, before, "{name}: after drop");

        let mut tx = db.store.begin_import().await.expect("begin");
        tx.write(&more).await.expect("write");
        tx.rollback().await.expect("rollback");
        assert_eq!(stats(&db).await, before, "{name}: after rollback");

        let d = db
            .store
            .load_dataset(&EventWeights::default())
            .await
            .expect("load");
        let u1 = d.user(d.users().get("u1").expect("u1")).expect("u1 meta");
        assert_eq!(u1.gender.as_deref(), Some("F"), "{name}");
        assert!(d.users().get("u9").is_none(), "{name}");
        db.finish().await;
    }
}

#[tokio::test]
async fn a_failing_batch_fails_the_whole_import() {
    for db in databases().await {
        let name = db.name();
        import(&db.store, &small_set()).await;
        let before = stats(&db).await;

        let mut tx = db.store.begin_import().await.expect("begin");
        tx.write(&[rating("u7", "i7", 4.0, 1), rating("u1", "i3", 2.0, 1)])
            .await
            .expect("a good first batch");
        let err = tx
            .write(&[
                rating("u8", "i8", 4.0, 1),
                event("u8", "i1", EventKind::ViewTime, f32::NAN, 2),
            ])
            .await
            .expect_err("a NaN value must be rejected");
        let message = err.to_string();
        assert!(
            matches!(err, Error::InvalidRecord { index: 1, .. }),
            "{name}: {message}"
        );
        assert!(message.contains("finite"), "{name}: {message}");

        let again = tx.write(&[rating("u1", "i1", 1.0, 9)]).await;
        assert!(
            matches!(again, Err(Error::ImportAborted)),
            "{name}: {again:?}"
        );
        let committed = tx.commit().await;
        assert!(
            matches!(committed, Err(Error::ImportAborted)),
            "{name}: {committed:?}"
        );

        assert_eq!(stats(&db).await, before, "{name}");
        let d = db
            .store
            .load_dataset(&EventWeights::default())
            .await
            .expect("load");
        for id in ["u7", "u8"] {
            assert!(d.users().get(id).is_none(), "{name}: {id} was kept");
        }
        db.finish().await;
    }
}

#[tokio::test]
async fn migrations_run_once_and_data_survives_reconnecting() {
    for db in databases().await {
        let name = db.name();
        import(&db.store, &small_set()).await;
        let before = stats(&db).await;
        db.store.close().await;
        for _ in 0..2 {
            let again = Store::connect(&db.url).await.expect("reconnect");
            assert_eq!(again.stats().await.expect("stats"), before, "{name}");
            again.close().await;
        }
        db.finish().await;
    }
}

#[tokio::test]
async fn imports_can_run_on_another_task() {
    for db in databases().await {
        let store = db.store.clone();
        let handle = tokio::spawn(async move {
            let mut tx = store.begin_import().await?;
            tx.write(&small_set()).await?;
            tx.commit().await
        });
        let summary = handle.await.expect("task").expect("import");
        assert_eq!(summary.interactions_inserted, 8, "{}", db.name());
        db.finish().await;
    }
}

#[tokio::test]
async fn bad_urls_say_what_is_expected() {
    for url in ["mysql://localhost/x", "ratings.csv", "sqlite://"] {
        let err = Store::connect(url).await.expect_err(url).to_string();
        assert!(err.contains("expected sqlite://PATH"), "{url}: {err}");
        assert!(err.contains("postgres://"), "{url}: {err}");
    }
}

#[tokio::test]
async fn unreachable_databases_report_the_cause() {
    let err = Store::connect("postgres://postgres@127.0.0.1:1/none")
        .await
        .expect_err("nothing listens on port 1");
    assert!(matches!(err, Error::Connect { .. }), "{err}");
    let cause = std::error::Error::source(&err)
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(cause.to_lowercase().contains("refused"), "{err}: {cause}");

    let file = tempfile::NamedTempFile::new().expect("temporary file");
    let url = format!("sqlite://{}/inside-a-file/x.db", file.path().display());
    let err = Store::connect(&url)
        .await
        .expect_err("a file is not a folder");
    assert!(matches!(err, Error::CreateDir { .. }), "{err}");
}

/// The foreign keys of `interactions`, as the database describes them.
async fn interaction_foreign_keys(db: &TestDb) -> Vec<String> {
    use sqlx::Connection;
    match db.store.backend() {
        orrery_store::Backend::Sqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&db.url)
                .await
                .expect("connect");
            let rows: Vec<(String, String, String, String)> = sqlx::query_as(
                "SELECT \"from\", \"table\", \"to\", on_delete FROM pragma_foreign_key_list('interactions') \
                 ORDER BY \"from\"",
            )
            .fetch_all(&mut conn)
            .await
            .expect("foreign keys");
            rows.into_iter().map(|r| format!("{r:?}")).collect()
        }
        orrery_store::Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(&db.url).await.expect("connect");
            sqlx::query_scalar(
                "SELECT conname || ': ' || pg_get_constraintdef(oid) FROM pg_constraint \
                 WHERE conrelid = 'interactions'::regclass AND contype = 'f' ORDER BY conname",
            )
            .fetch_all(&mut conn)
            .await
            .expect("foreign keys")
        }
    }
}

#[tokio::test]
async fn imports_leave_the_foreign_keys_as_migrated() {
    for db in databases().await {
        let name = db.name();
        let migrated = interaction_foreign_keys(&db).await;
        assert_eq!(migrated.len(), 2, "{name}: {migrated:?}");

        // An initial load that is rolled back, one that commits, then one into a full table.
        let mut tx = db.store.begin_import().await.expect("begin");
        tx.write(&small_set()).await.expect("write");
        tx.rollback().await.expect("rollback");
        assert_eq!(
            interaction_foreign_keys(&db).await,
            migrated,
            "{name}: after rollback"
        );
        import(&db.store, &small_set()).await;
        assert_eq!(
            interaction_foreign_keys(&db).await,
            migrated,
            "{name}: after a first import"
        );
        import(&db.store, &[rating("u1", "i3", 2.0, 7)]).await;
        assert_eq!(
            interaction_foreign_keys(&db).await,
            migrated,
            "{name}: after a second import"
        );

        // The keys still cascade.
        assert!(db.store.delete_item("i2").await.expect("delete"), "{name}");
        assert_eq!(stats(&db).await.interactions, 9 - 4, "{name}");
        db.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_imports_both_land() {
    for db in databases().await {
        let name = db.name();
        let tasks: Vec<_> = (0..2)
            .map(|t| {
                let store = db.store.clone();
                tokio::spawn(async move {
                    let batch: Vec<Record> = (0..200)
                        .map(|k| {
                            rating(
                                &format!("t{t}u{}", k % 10),
                                &format!("shared{}", k % 20),
                                3.0,
                                k,
                            )
                        })
                        .collect();
                    let mut tx = store.begin_import().await?;
                    tx.write(&batch).await?;
                    tx.commit().await
                })
            })
            .collect();
        for task in tasks {
            let summary = task.await.expect("task").expect("import");
            assert_eq!(summary.interactions_inserted, 200, "{name}");
        }
        let s = stats(&db).await;
        assert_eq!((s.users, s.items, s.interactions), (20, 20, 400), "{name}");
        assert_eq!(interaction_foreign_keys(&db).await.len(), 2, "{name}");
        db.finish().await;
    }
}

#[tokio::test]
async fn an_initial_load_leaves_hand_changed_keys_alone() {
    use sqlx::Connection;
    for db in databases().await {
        if db.store.backend() != orrery_store::Backend::Postgres {
            db.finish().await;
            continue;
        }
        let mut conn = sqlx::PgConnection::connect(&db.url).await.expect("connect");
        sqlx::query("ALTER TABLE interactions DROP CONSTRAINT interactions_item_id_fkey")
            .execute(&mut conn)
            .await
            .expect("drop a key by hand");
        conn.close().await.expect("close");
        let changed = interaction_foreign_keys(&db).await;
        assert_eq!(changed.len(), 1);
        import(&db.store, &small_set()).await;
        assert_eq!(interaction_foreign_keys(&db).await, changed);
        db.finish().await;
    }
}

#[tokio::test]
async fn imports_keep_the_rating_scale_with_the_data() {
    let scale = |text: &str| text.parse::<orrery_core::RatingScale>().unwrap();
    for db in databases().await {
        let name = db.name();
        assert_eq!(db.store.rating_scale().await.unwrap(), None, "{name}");

        // Ciao-like 0–5 ratings, the scale read off the data.
        let mut tx = db.store.begin_import().await.unwrap();
        tx.write(&[rating("u1", "i1", 0.0, 1), rating("u1", "i2", 5.0, 2)])
            .await
            .unwrap();
        let kept = tx.keep_rating_scale(scale("0..5"), false).await.unwrap();
        assert_eq!(kept, scale("0..5"), "{name}");
        tx.commit().await.unwrap();

        // A later import read off other data widens the scale; it does not narrow it.
        let mut tx = db.store.begin_import().await.unwrap();
        tx.write(&[rating("u2", "i1", 1.0, 3)]).await.unwrap();
        let kept = tx.keep_rating_scale(scale("1..10"), false).await.unwrap();
        assert_eq!(kept, scale("0..10"), "{name}");
        tx.commit().await.unwrap();
        assert_eq!(db.store.rating_scale().await.unwrap(), Some(scale("0..10")));

        // A stated scale replaces the kept one, but only if the stored ratings lie on it;
        // a refused one rolls back with the import.
        let mut tx = db.store.begin_import().await.unwrap();
        let error = tx.keep_rating_scale(scale("1..5"), true).await.unwrap_err();
        assert!(
            error
                .to_string()
                .contains("the stored ratings range from 0 to 5"),
            "{name}: {error}"
        );
        tx.rollback().await.unwrap();
        let mut tx = db.store.begin_import().await.unwrap();
        tx.keep_rating_scale(scale("0..5"), true).await.unwrap();
        tx.commit().await.unwrap();

        // The snapshot carries the kept scale: what a new rating must lie on.
        let dataset = db
            .store
            .load_dataset(&EventWeights::default())
            .await
            .unwrap();
        assert_eq!(
            dataset.declared_rating_scale(),
            Some(scale("0..5")),
            "{name}"
        );
        db.finish().await;
    }
}
