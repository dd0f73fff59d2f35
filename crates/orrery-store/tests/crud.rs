//! Row-at-a-time reads and writes by external id. Each test runs on SQLite and, when
//! configured, PostgreSQL.

mod common;

use common::{databases, small_set};
use orrery_core::{Category, EventKind, InteractionRecord, ItemRecord, UserRecord};
use orrery_store::{Error, MAX_PAGE_SIZE};

fn interaction(user: &str, item: &str, kind: EventKind, value: f32, ts: i64) -> InteractionRecord {
    InteractionRecord {
        user: user.into(),
        item: item.into(),
        kind,
        value,
        ts,
    }
}

#[tokio::test]
async fn users_can_be_upserted_read_listed_and_deleted() {
    for db in databases().await {
        let name = db.name();
        let store = &db.store;
        let alice = UserRecord {
            interests: vec!["stars".into()],
            gender: Some("F".into()),
            age: Some(31),
            ..UserRecord::with_id("alice")
        };
        assert!(store.upsert_user(&alice).await.expect("upsert"), "{name}");
        assert!(
            !store.upsert_user(&alice).await.expect("upsert"),
            "{name}: unchanged"
        );
        assert_eq!(
            store.get_user("alice").await.expect("get"),
            Some(alice.clone()),
            "{name}"
        );
        assert_eq!(store.get_user("nobody").await.expect("get"), None, "{name}");

        let older = UserRecord {
            age: Some(32),
            ..UserRecord::with_id("alice")
        };
        assert!(store.upsert_user(&older).await.expect("upsert"), "{name}");
        let stored = store.get_user("alice").await.expect("get").expect("alice");
        assert_eq!(
            (stored.age, stored.gender.as_deref()),
            (Some(32), Some("F")),
            "{name}"
        );
        assert_eq!(stored.interests, ["stars"], "{name}");

        for id in ["b", "c", "d", "e"] {
            store
                .upsert_user(&UserRecord::with_id(id))
                .await
                .expect("upsert");
        }
        let ids = |page: orrery_store::Page<UserRecord>| -> Vec<String> {
            page.items.into_iter().map(|u| u.id).collect()
        };
        let first = store.list_users(1, 2).await.expect("list");
        assert_eq!((first.total, first.page, first.size), (5, 1, 2), "{name}");
        assert_eq!(ids(first), ["alice", "b"], "{name}");
        assert_eq!(
            ids(store.list_users(3, 2).await.expect("list")),
            ["e"],
            "{name}"
        );
        assert_eq!(
            ids(store.list_users(0, 2).await.expect("list")),
            ["alice", "b"],
            "{name}"
        );
        assert!(
            store.list_users(9, 2).await.expect("list").items.is_empty(),
            "{name}"
        );
        assert_eq!(
            store.list_users(1, u32::MAX).await.expect("list").size,
            MAX_PAGE_SIZE
        );

        store
            .add_interactions(&[interaction("alice", "i1", EventKind::Click, 0.0, 5)])
            .await
            .expect("add");
        assert!(store.delete_user("alice").await.expect("delete"), "{name}");
        assert!(
            !store.delete_user("alice").await.expect("delete"),
            "{name}: already gone"
        );
        assert_eq!(store.get_user("alice").await.expect("get"), None, "{name}");
        let stats = store.stats().await.expect("stats");
        assert_eq!(
            (stats.users, stats.interactions),
            (4, 0),
            "{name}: interactions cascade"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn items_can_be_upserted_read_filtered_and_deleted() {
    for db in databases().await {
        let name = db.name();
        let store = &db.store;
        let mut tx = store.begin_import().await.expect("begin");
        tx.write(&small_set()).await.expect("write");
        tx.commit().await.expect("commit");

        let i1 = store.get_item("i1").await.expect("get").expect("i1");
        assert_eq!(i1.title, "Toy Story (1995)", "{name}");
        assert_eq!(i1.categories.len(), 3, "{name}");
        assert_eq!(
            i1.categories[1],
            Category::new("genre", "Children's"),
            "{name}"
        );
        assert_eq!(
            store.get_item("nothing").await.expect("get"),
            None,
            "{name}"
        );

        let neptune = ItemRecord {
            title: "Neptune".into(),
            categories: vec![Category::new("Planet", "Ice Giant")],
            year: Some(1846),
            ..ItemRecord::with_id("neptune")
        };
        assert!(store.upsert_item(&neptune).await.expect("upsert"), "{name}");
        assert!(
            !store.upsert_item(&neptune).await.expect("upsert"),
            "{name}: unchanged"
        );
        let jupiter_again = ItemRecord {
            categories: vec![
                Category::new("Planet", "Gas Giant"),
                Category::new("Moon", "Io"),
            ],
            ..ItemRecord::with_id("i2")
        };
        assert!(
            store.upsert_item(&jupiter_again).await.expect("upsert"),
            "{name}"
        );

        let all = store.list_items(1, 10, None).await.expect("list");
        let ids: Vec<&str> = all.items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["i1", "i2", "i3", "i4", "neptune"], "{name}");
        assert_eq!(all.total, 5, "{name}");
        assert_eq!(all.items[1].title, "Jupiter", "{name}");
        assert_eq!(all.items[1].categories.len(), 2, "{name}");
        assert!(all.items[3].categories.is_empty(), "{name}");

        let planets = Category::new("Planet", "Ice Giant");
        let page = store.list_items(1, 10, Some(&planets)).await.expect("list");
        assert_eq!(page.total, 1, "{name}");
        assert_eq!(page.items, [neptune], "{name}");
        let genre = Category::new("genre", "Comedy");
        let page = store.list_items(1, 10, Some(&genre)).await.expect("list");
        assert_eq!(page.items.len(), 1, "{name}");
        assert_eq!(
            page.items[0].categories.len(),
            3,
            "{name}: all categories of a match"
        );
        let page = store
            .list_items(2, 1, Some(&Category::new("Planet", "Gas Giant")))
            .await
            .expect("list");
        assert_eq!((page.total, page.items.len()), (1, 0), "{name}");

        let before = store.stats().await.expect("stats").interactions;
        assert!(store.delete_item("i1").await.expect("delete"), "{name}");
        assert!(!store.delete_item("i1").await.expect("delete"), "{name}");
        let after = store.stats().await.expect("stats");
        assert_eq!(
            after.interactions,
            before - 3,
            "{name}: interactions cascade"
        );
        let page = store.list_items(1, 10, Some(&genre)).await.expect("list");
        assert_eq!(page.total, 0, "{name}: categories cascade");
        db.finish().await;
    }
}

#[tokio::test]
async fn interactions_are_added_in_their_own_transaction_and_read_per_user() {
    for db in databases().await {
        let name = db.name();
        let store = &db.store;
        store
            .upsert_user(&UserRecord::with_id("quiet"))
            .await
            .expect("upsert");
        let events = [
            interaction("u1", "m2", EventKind::ViewTime, 42.7, 20),
            interaction("u1", "m1", EventKind::Rating, 4.5, 10),
            interaction("u1", "m1", EventKind::Custom("share".into()), 0.0, 30),
        ];
        assert_eq!(
            store.add_interactions(&events).await.expect("add"),
            3,
            "{name}"
        );
        assert_eq!(
            store.add_interactions(&events).await.expect("add"),
            0,
            "{name}: no repeats"
        );

        let read = store
            .user_interactions("u1")
            .await
            .expect("read")
            .expect("u1 exists");
        assert_eq!(
            read,
            [events[1].clone(), events[0].clone(), events[2].clone()],
            "{name}"
        );
        assert_eq!(
            store.user_interactions("quiet").await.expect("read"),
            Some(vec![]),
            "{name}"
        );
        assert_eq!(
            store.user_interactions("ghost").await.expect("read"),
            None,
            "{name}"
        );
        // Serving reads the record and the history in one query: the same of both.
        let (record, history) = store
            .user_with_interactions("u1")
            .await
            .expect("read")
            .expect("u1 exists");
        assert_eq!(
            Some(record),
            store.get_user("u1").await.expect("read"),
            "{name}"
        );
        assert_eq!(history, read, "{name}");
        let (quiet, none) = store
            .user_with_interactions("quiet")
            .await
            .expect("read")
            .expect("quiet exists");
        assert_eq!((quiet.id.as_str(), none.len()), ("quiet", 0), "{name}");
        assert!(
            store
                .user_with_interactions("ghost")
                .await
                .expect("read")
                .is_none(),
            "{name}"
        );

        let bad = [
            interaction("u2", "m1", EventKind::Click, 0.0, 1),
            interaction("u2", "m1", EventKind::Play, f32::INFINITY, 2),
        ];
        let err = store
            .add_interactions(&bad)
            .await
            .expect_err("infinite value");
        assert!(
            matches!(err, Error::InvalidRecord { index: 1, .. }),
            "{name}: {err}"
        );
        assert_eq!(
            store.get_user("u2").await.expect("get"),
            None,
            "{name}: nothing kept"
        );

        // Several requests' lists in one transaction: each list's count of new events,
        // a repeat within the transaction counted once; one bad list stores none.
        let a = [
            interaction("u3", "m1", EventKind::Like, 0.0, 1),
            interaction("u3", "m2", EventKind::Like, 0.0, 1),
        ];
        let b = [
            interaction("u3", "m2", EventKind::Like, 0.0, 1),
            interaction("u4", "m2", EventKind::Click, 0.0, 2),
        ];
        let counts = store
            .add_interaction_lists(&[&a, &b, &[], &events])
            .await
            .expect("lists");
        assert_eq!(counts, [2, 1, 0, 0], "{name}");
        let c = [interaction("u5", "m1", EventKind::Like, 0.0, 3)];
        let err = store
            .add_interaction_lists(&[&c, &bad])
            .await
            .expect_err("one bad list");
        assert!(matches!(err, Error::InvalidRecord { .. }), "{name}: {err}");
        assert_eq!(store.get_user("u5").await.expect("get"), None, "{name}");
        assert_eq!(
            store
                .user_interactions("u3")
                .await
                .expect("read")
                .map(|e| e.len()),
            Some(2),
            "{name}"
        );
        db.finish().await;
    }
}

/// Merging attributes goes through PostgreSQL's `jsonb`, which prints a number as all
/// its decimal digits: the largest double comes back as a 309-digit integer, and
/// reading it must give the same double, not a "number out of range" error.
#[tokio::test]
async fn extreme_numbers_in_attributes_survive_a_merge() {
    for db in databases().await {
        let name = db.name();
        let store = &db.store;
        let mut first = ItemRecord::with_id("far");
        first.title = "Far away".into();
        for (key, value) in [
            ("largest", f64::MAX),
            ("smallest", f64::MIN_POSITIVE),
            ("negative", -1.7976931348623155e308),
            ("awkward", 0.1 + 0.2),
        ] {
            first.attributes.insert(key.into(), value.into());
        }
        store.upsert_item(&first).await.expect("upsert");
        let mut later = ItemRecord::with_id("far");
        later.title = "Far away".into();
        later.attributes.insert("added".into(), 1.into());
        store.upsert_item(&later).await.expect("merge");

        let stored = store.get_item("far").await.expect("get").expect("far");
        for key in ["largest", "smallest", "negative", "awkward"] {
            assert_eq!(
                stored.attributes[key].as_f64(),
                first.attributes[key].as_f64(),
                "{name}: {key}"
            );
        }
        assert_eq!(stored.attributes["added"], 1, "{name}");
        assert_eq!(store.list_items(1, 10, None).await.expect("list").total, 1);
        db.finish().await;
    }
}
