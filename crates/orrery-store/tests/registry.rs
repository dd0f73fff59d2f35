//! The model registry, metrics history, training runs and accounts. Each test runs on
//! SQLite and, when configured, PostgreSQL.

mod common;

use common::databases;
use orrery_core::UserRecord;
use orrery_store::{
    DeleteVersion, MetricMap, ModelPurpose, NewModelVersion, ParamMap, RunEnd, RunStatus,
    SetCredentials, UserFilter,
};

fn params(factors: &str) -> ParamMap {
    [("factors".to_owned(), factors.to_owned())].into()
}

fn metrics(rmse: f64) -> MetricMap {
    [("rmse".to_owned(), rmse)].into()
}

/// Stores a one-byte version of `algorithm` with no metrics; returns its number.
async fn save_small(store: &orrery_store::Store, algorithm: &str, purpose: ModelPurpose) -> i64 {
    store
        .save_model_version(&NewModelVersion {
            algorithm,
            purpose,
            params: &params("4"),
            metrics: &MetricMap::new(),
            blob: b"x",
            n_users: 1,
            n_items: 1,
            n_interactions: 1,
            train_seconds: 0.1,
            created_at: 2_000,
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn versions_are_saved_activated_pinned_pruned_and_never_reused() {
    for db in databases().await {
        let name = db.name();
        let store = &db.store;
        let mut versions = Vec::new();
        for (i, factors) in ["8", "16", "32", "64"].iter().enumerate() {
            let p = params(factors);
            let m = metrics(1.0 - i as f64 / 10.0);
            let blob = vec![i as u8; 10 + i];
            let v = store
                .save_model_version(&NewModelVersion {
                    algorithm: "mf",
                    purpose: ModelPurpose::Rating,
                    params: &p,
                    metrics: &m,
                    blob: &blob,
                    n_users: 3,
                    n_items: 4,
                    n_interactions: 5,
                    train_seconds: 0.5,
                    created_at: 1_000 + i as i64,
                })
                .await
                .expect("save");
            versions.push(v);
        }
        assert!(
            versions.windows(2).all(|w| w[1] > w[0]),
            "{name}: {versions:?}"
        );
        let rating = ModelPurpose::Rating;
        assert!(store.active_model_version(rating).await.unwrap().is_none());
        assert!(store.activate_model_version(versions[1]).await.unwrap());
        assert!(store.activate_model_version(versions[0]).await.unwrap());
        assert!(!store.activate_model_version(9_999).await.unwrap());
        let active = store
            .active_model_version(rating)
            .await
            .unwrap()
            .expect("active");
        assert_eq!(active.purpose, rating, "{name}");
        assert_eq!(active.version, versions[0], "{name}");
        assert_eq!(active.params, params("8"), "{name}");
        assert_eq!(active.size_bytes, 10, "{name}");
        assert_eq!(
            store.model_blob(versions[3]).await.unwrap(),
            Some(vec![3u8; 13]),
            "{name}"
        );

        let listed = store.list_model_versions().await.unwrap();
        assert_eq!(listed.len(), 4, "{name}");
        assert_eq!(listed[0].version, versions[3], "{name}: newest first");
        assert_eq!(listed.iter().filter(|v| v.active).count(), 1, "{name}");

        assert_eq!(
            store.delete_model_version(versions[0]).await.unwrap(),
            DeleteVersion::Active,
            "{name}"
        );
        assert_eq!(
            store.delete_model_version(9_999).await.unwrap(),
            DeleteVersion::NotFound,
            "{name}"
        );
        // Keep 2: versions 4 and 3 are the newest; 1 is active, 2 pinned, so nothing old
        // can go but nothing is over the limit except those.
        assert!(store.set_model_pinned(versions[1], true).await.unwrap());
        let pruned = store.prune_model_versions(1).await.unwrap();
        assert_eq!(pruned, vec![versions[2]], "{name}");
        let left: Vec<i64> = store
            .list_model_versions()
            .await
            .unwrap()
            .iter()
            .map(|v| v.version)
            .collect();
        assert_eq!(left, vec![versions[3], versions[1], versions[0]], "{name}");

        // Deleting the newest does not let its number be handed out again.
        assert_eq!(
            store.delete_model_version(versions[3]).await.unwrap(),
            DeleteVersion::Deleted
        );
        let next = save_small(store, "als", ModelPurpose::Ranking).await;
        assert!(next > versions[3], "{name}: {next} reused");

        let history = store.metrics_history(100).await.unwrap();
        assert_eq!(history.len(), 5, "{name}: history outlives deletions");
        assert_eq!(history[0].version, versions[0], "{name}: oldest first");
        assert_eq!(history[4].algorithm, "als", "{name}");
        assert_eq!(store.metrics_history(2).await.unwrap().len(), 2, "{name}");
        db.finish().await;
    }
}

#[tokio::test]
async fn a_ranking_and_a_rating_version_are_active_side_by_side() {
    for db in databases().await {
        let name = db.name();
        let store = &db.store;
        let als = save_small(store, "als", ModelPurpose::Ranking).await;
        let mf = save_small(store, "mf", ModelPurpose::Rating).await;
        let ease = save_small(store, "ease", ModelPurpose::Ranking).await;
        for v in [als, mf] {
            assert!(store.activate_model_version(v).await.unwrap());
        }
        let active: Vec<(i64, ModelPurpose)> = store
            .active_model_versions()
            .await
            .unwrap()
            .iter()
            .map(|v| (v.version, v.purpose))
            .collect();
        assert_eq!(
            active,
            [(als, ModelPurpose::Ranking), (mf, ModelPurpose::Rating)],
            "{name}"
        );
        // Activating another ranking version replaces the ranking one only.
        assert!(store.activate_model_version(ease).await.unwrap());
        let ranking = store.active_model_version(ModelPurpose::Ranking).await;
        assert_eq!(ranking.unwrap().unwrap().version, ease, "{name}");
        let rating = store.active_model_version(ModelPurpose::Rating).await;
        assert_eq!(rating.unwrap().unwrap().version, mf, "{name}");
        let listed = store.list_model_versions().await.unwrap();
        let purposes: Vec<&str> = listed.iter().map(|v| v.purpose.as_str()).collect();
        assert_eq!(purposes, ["ranking", "rating", "ranking"], "{name}");
        db.finish().await;
    }
}

#[tokio::test]
async fn training_runs_record_their_outcome() {
    for db in databases().await {
        let name = db.name();
        let store = &db.store;
        let ok = store
            .start_training_run("mf", &params("8"), 10)
            .await
            .unwrap();
        let bad = store
            .start_training_run("als", &params("8"), 11)
            .await
            .unwrap();
        let stopped = store
            .start_training_run("bpr", &params("8"), 12)
            .await
            .unwrap();
        let lost = store
            .start_training_run("ease", &params("8"), 12)
            .await
            .unwrap();
        store
            .finish_training_run(ok, RunEnd::Succeeded(7), 20)
            .await
            .unwrap();
        store
            .finish_training_run(bad, RunEnd::Failed("diverged"), 21)
            .await
            .unwrap();
        store
            .finish_training_run(stopped, RunEnd::Cancelled("cancelled by the admin"), 22)
            .await
            .unwrap();
        assert_eq!(
            store
                .fail_unfinished_training_runs("interrupted", 30)
                .await
                .unwrap(),
            1,
            "{name}"
        );
        let runs = store.training_runs(10).await.unwrap();
        let by_id = |id| runs.iter().find(|r| r.id == id).expect("run");
        assert_eq!(by_id(ok).status, RunStatus::Succeeded, "{name}");
        assert_eq!(by_id(ok).version, Some(7), "{name}");
        assert_eq!(by_id(bad).error.as_deref(), Some("diverged"), "{name}");
        assert_eq!(by_id(stopped).status, RunStatus::Cancelled, "{name}");
        assert_eq!(by_id(stopped).version, None, "{name}");
        assert_eq!(by_id(lost).status, RunStatus::Failed, "{name}");
        assert_eq!(by_id(lost).finished_at, Some(30), "{name}");
        assert_eq!(runs[0].id, lost, "{name}: newest first");
        db.finish().await;
    }
}

#[tokio::test]
async fn accounts_filters_and_bulk_deletion() {
    for db in databases().await {
        let name = db.name();
        let store = &db.store;
        let users = [
            ("ann", Some("F"), Some(25), &["ml", "python"][..]),
            ("bob", Some("M"), Some(35), &["web"][..]),
            ("cid", Some("F"), Some(45), &["python_3"][..]),
        ];
        for (id, gender, age, interests) in users {
            store
                .upsert_user(&UserRecord {
                    gender: gender.map(str::to_owned),
                    age,
                    interests: interests.iter().map(|s| s.to_string()).collect(),
                    ..UserRecord::with_id(id)
                })
                .await
                .unwrap();
        }
        assert_eq!(
            store
                .set_credentials("ann", "Ann@Example.org", Some("$hash"))
                .await
                .unwrap(),
            SetCredentials::Stored,
            "{name}"
        );
        assert_eq!(
            store
                .set_credentials("bob", "ann@example.org", Some("$other"))
                .await
                .unwrap(),
            SetCredentials::EmailTaken,
            "{name}"
        );
        assert_eq!(
            store
                .set_credentials("nobody", "n@example.org", None)
                .await
                .unwrap(),
            SetCredentials::UnknownUser,
            "{name}"
        );
        let creds = store
            .credentials_by_email(" ANN@example.org")
            .await
            .unwrap()
            .expect("credentials");
        assert_eq!(creds.user_id, "ann", "{name}");
        assert_eq!(creds.password_hash.as_deref(), Some("$hash"), "{name}");
        // Changing the email alone keeps the password.
        store
            .set_credentials("ann", "ann2@example.org", None)
            .await
            .unwrap();
        let creds = store
            .credentials_by_email("ann2@example.org")
            .await
            .unwrap()
            .expect("credentials");
        assert_eq!(creds.password_hash.as_deref(), Some("$hash"), "{name}");
        assert_eq!(
            store.email_of("bob").await.unwrap(),
            Some(None),
            "{name}: no email"
        );
        assert_eq!(store.email_of("zed").await.unwrap(), None, "{name}");
        assert!(store.user_exists("bob").await.unwrap());
        assert!(!store.user_exists("zed").await.unwrap());
        assert!(!store.item_exists("i1").await.unwrap());

        let ids = |page: orrery_store::Page<UserRecord>| -> Vec<String> {
            page.items.into_iter().map(|u| u.id).collect()
        };
        let women = UserFilter {
            gender: Some("F".into()),
            ..UserFilter::default()
        };
        let page = store.list_users_where(1, 10, &women).await.unwrap();
        assert_eq!(page.total, 2, "{name}");
        assert_eq!(ids(page), ["ann", "cid"], "{name}");
        let python = UserFilter {
            interest: Some("python".into()),
            ..UserFilter::default()
        };
        assert_eq!(
            ids(store.list_users_where(1, 10, &python).await.unwrap()),
            ["ann"],
            "{name}: python_3 is another interest"
        );
        let thirties = UserFilter {
            min_age: Some(30),
            max_age: Some(40),
            ..UserFilter::default()
        };
        assert_eq!(
            ids(store.list_users_where(1, 10, &thirties).await.unwrap()),
            ["bob"],
            "{name}"
        );
        let all = store
            .list_users_where(2, 2, &UserFilter::default())
            .await
            .unwrap();
        assert_eq!((all.total, ids(all)), (3, vec!["cid".to_owned()]), "{name}");

        assert_eq!(store.delete_all_users().await.unwrap(), 3, "{name}");
        assert_eq!(store.stats().await.unwrap().users, 0, "{name}");
        db.finish().await;
    }
}

/// A database written before versions had purposes: its rating-model versions become
/// rating versions and stay active, so an upgraded server serves what it served.
#[tokio::test]
async fn versions_stored_before_purposes_keep_serving() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/old.db", dir.path().display());
    {
        let options: sqlx::sqlite::SqliteConnectOptions = url.parse().unwrap();
        let pool = sqlx::SqlitePool::connect_with(options.create_if_missing(true))
            .await
            .unwrap();
        let mut before = sqlx::migrate!("./migrations/sqlite");
        let first_purpose = before
            .migrations
            .iter()
            .position(|m| m.description.contains("model purpose"))
            .expect("the purpose migration");
        before.migrations = before.migrations[..first_purpose].to_vec().into();
        before.run(&pool).await.unwrap();
        for (algorithm, active) in [("als", false), ("mf", true)] {
            sqlx::query(
                "INSERT INTO model_versions (algorithm, params, metrics, blob, size_bytes, \
                 n_users, n_items, n_interactions, train_seconds, created_at, active) \
                 VALUES ($1, '{}', '{}', x'00', 1, 1, 1, 1, 0.1, 1000, $2)",
            )
            .bind(algorithm)
            .bind(active)
            .execute(&pool)
            .await
            .unwrap();
        }
        pool.close().await;
    }
    let store = orrery_store::Store::connect(&url).await.unwrap();
    let listed = store.list_model_versions().await.unwrap();
    let purposes: Vec<(&str, ModelPurpose, bool)> = listed
        .iter()
        .map(|v| (v.algorithm.as_str(), v.purpose, v.active))
        .collect();
    assert_eq!(
        purposes,
        [
            ("mf", ModelPurpose::Rating, true),
            ("als", ModelPurpose::Ranking, false)
        ]
    );
    assert!(store.activate_model_version(1).await.unwrap());
    assert_eq!(store.active_model_versions().await.unwrap().len(), 2);
    store.close().await;
}
