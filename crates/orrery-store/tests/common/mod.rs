//! Shared test support: a fresh database per test on every backend that is available, and
//! small deterministic record sets.

#![allow(dead_code)]

use orrery_core::{Category, EventKind, InteractionRecord, ItemRecord, Record, UserRecord};
use orrery_store::{Store, connect_isolated_postgres, drop_postgres_schema};
use tempfile::TempDir;

/// A fresh, empty database that a test owns.
pub struct TestDb {
    pub store: Store,
    /// A URL that reconnects to the same database (and schema).
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(TempDir),
    Schema { base_url: String, schema: String },
}

impl TestDb {
    /// "sqlite" or "postgres", for assertion messages.
    pub fn name(&self) -> String {
        self.store.backend().to_string()
    }

    /// Closes the store and removes the database.
    pub async fn finish(self) {
        self.store.close().await;
        match self.cleanup {
            Cleanup::Dir(dir) => drop(dir),
            Cleanup::Schema { base_url, schema } => drop_postgres_schema(&base_url, &schema)
                .await
                .expect("dropping the test schema"),
        }
    }
}

/// A fresh SQLite database in a temporary folder, and a fresh PostgreSQL schema when
/// `ORRERY_TEST_POSTGRES_URL` is set.
pub async fn databases() -> Vec<TestDb> {
    let mut dbs = vec![sqlite().await];
    match std::env::var("ORRERY_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => {
            let (store, schema) = connect_isolated_postgres(&url)
                .await
                .expect("connecting to ORRERY_TEST_POSTGRES_URL");
            let sep = if url.contains('?') { '&' } else { '?' };
            dbs.push(TestDb {
                store,
                url: format!("{url}{sep}options[search_path]={schema}"),
                cleanup: Cleanup::Schema {
                    base_url: url,
                    schema,
                },
            });
        }
        _ => println!("skipped: ORRERY_TEST_POSTGRES_URL not set"),
    }
    dbs
}

/// A fresh SQLite database in a temporary folder, in a sub-folder that does not exist yet.
pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("creating a temporary folder");
    let url = format!("sqlite://{}/nested/test.db", dir.path().display());
    let store = Store::connect(&url)
        .await
        .expect("opening the SQLite test database");
    TestDb {
        store,
        url,
        cleanup: Cleanup::Dir(dir),
    }
}

pub fn event(user: &str, item: &str, kind: EventKind, value: f32, ts: i64) -> Record {
    Record::Interaction(InteractionRecord {
        user: user.into(),
        item: item.into(),
        kind,
        value,
        ts,
    })
}

pub fn rating(user: &str, item: &str, value: f32, ts: i64) -> Record {
    event(user, item, EventKind::Rating, value, ts)
}

/// A small catalogue: 3 described users (u3 without interactions), 1 user known only by its
/// interactions (u4), 3 described items (i3 without interactions) and 1 item known only by
/// its interactions (i4); 8 interactions of mixed kinds.
pub fn small_set() -> Vec<Record> {
    let mut u1 = UserRecord {
        interests: vec!["astronomy".into(), "jazz".into()],
        skill_level: Some("beginner".into()),
        gender: Some("F".into()),
        age: Some(25),
        occupation: Some("scientist".into()),
        zip: Some("55455".into()),
        ..UserRecord::with_id("u1")
    };
    u1.attributes.insert("plan".into(), "pro".into());
    let u2 = UserRecord {
        gender: Some("M".into()),
        age: Some(56),
        ..UserRecord::with_id("u2")
    };
    let u3 = UserRecord::with_id("u3");
    let mut i1 = ItemRecord {
        title: "Toy Story (1995)".into(),
        categories: vec![
            Category::new("genre", "Animation"),
            Category::new("genre", "Children's"),
            Category::new("genre", "Comedy"),
        ],
        tags: vec!["pixar".into()],
        description: Some("Toys come alive.".into()),
        year: Some(1995),
        ..ItemRecord::with_id("i1")
    };
    i1.attributes.insert("imdb".into(), 114709.into());
    let i2 = ItemRecord {
        title: "Jupiter".into(),
        categories: vec![Category::new("Planet", "Gas Giant")],
        ..ItemRecord::with_id("i2")
    };
    let i3 = ItemRecord {
        title: "Sirius".into(),
        categories: vec![Category::new("Star", "A")],
        ..ItemRecord::with_id("i3")
    };
    vec![
        Record::User(u1),
        Record::User(u2),
        Record::User(u3),
        Record::Item(i1),
        Record::Item(i2),
        Record::Item(i3),
        rating("u1", "i1", 4.0, 100),
        rating("u1", "i2", 2.5, 110),
        event("u1", "i2", EventKind::Click, 0.0, 105),
        rating("u2", "i1", 5.0, 200),
        event("u2", "i4", EventKind::Play, 9.0, 210),
        event("u4", "i1", EventKind::Like, 0.0, 300),
        event("u4", "i2", EventKind::Custom("share".into()), 0.0, 310),
        rating("u4", "i2", 3.0, 320),
    ]
}

/// Ratings of `users` × `per_user` on a catalogue of `items`, deterministic, as written by a
/// MovieLens-like import: users and items first, then the ratings in batches.
pub fn simulated_ratings(users: usize, items: usize, per_user: usize) -> Vec<Record> {
    let mut out = Vec::with_capacity(users + items + users * per_user);
    for u in 0..users {
        out.push(Record::User(UserRecord {
            gender: Some(if u % 2 == 0 { "F" } else { "M" }.into()),
            age: Some(18 + (u % 50) as i32),
            occupation: Some(format!("{}", u % 21)),
            zip: Some(format!("{:05}", u * 7 % 100_000)),
            ..UserRecord::with_id(format!("u{u}"))
        }));
    }
    for i in 0..items {
        out.push(Record::Item(ItemRecord {
            title: format!("Movie {i} ({})", 1950 + i % 50),
            categories: vec![
                Category::new("genre", ["Drama", "Comedy", "Action", "Horror"][i % 4]),
                Category::new("genre", ["Romance", "Thriller", "War"][i % 3]),
            ],
            year: Some(1950 + (i % 50) as i32),
            ..ItemRecord::with_id(format!("m{i}"))
        }));
    }
    for u in 0..users {
        for k in 0..per_user {
            let item = (u * 7919 + k * 104_729) % items;
            let value = 1.0 + ((u + k * 3) % 9) as f32 * 0.5;
            out.push(rating(
                &format!("u{u}"),
                &format!("m{item}"),
                value,
                978_300_000 + (u * per_user + k) as i64,
            ));
        }
    }
    out
}
