//! Users are answered from the histories the engine read at its start until they change:
//! such a view is the one a store query gives, a write through the engine or another
//! server's announcement makes the next view read the store, and reading everything again
//! (another process's import) brings in what the first read missed.

use orrery_content::{Encoder, SharedEncoder};
use orrery_core::{EventKind, EventWeights, InteractionRecord, ItemRecord, UserRecord};
use orrery_engine::cache::ListCache;
use orrery_engine::flow::FlowSettings;
use orrery_engine::{Engine, EngineError, EngineSettings, UserView};
use orrery_store::{Change, Store};

fn event(user: &str, item: &str, kind: EventKind, value: f32, ts: i64) -> InteractionRecord {
    InteractionRecord {
        user: user.into(),
        item: item.into(),
        kind,
        value,
        ts,
    }
}

/// A store with users whose histories merge in every way a history can: repeated implicit
/// events on one item, a rating changed later, several items in one second, a view time,
/// and a user with no interaction.
async fn store(dir: &tempfile::TempDir) -> Store {
    let url = format!("sqlite://{}/users.db", dir.path().display());
    let store = Store::connect(&url).await.unwrap();
    for user in ["ann", "bob", "cid"] {
        let mut record = UserRecord::with_id(user);
        record.interests = vec![format!("{user}'s interest")];
        store.upsert_user(&record).await.unwrap();
    }
    for item in ["i1", "i2", "i3", "i4"] {
        let mut record = ItemRecord::with_id(item);
        record.title = format!("Item {item}");
        store.upsert_item(&record).await.unwrap();
    }
    store
        .add_interactions(&[
            event("ann", "i1", EventKind::Click, 0.0, 100),
            event("ann", "i1", EventKind::Like, 0.0, 150),
            event("ann", "i2", EventKind::Rating, 2.0, 120),
            event("ann", "i2", EventKind::Rating, 4.5, 200),
            event("ann", "i4", EventKind::ViewTime, 90.0, 150),
            event("ann", "i3", EventKind::View, 0.0, 150),
            event("bob", "i3", EventKind::Skip, 0.0, 50),
            event("bob", "i1", EventKind::Rating, 5.0, 60),
        ])
        .await
        .unwrap();
    store
}

async fn engine(store: &Store) -> Engine {
    let settings = EngineSettings {
        cold_start_threshold: 5,
        half_life_days: 0.0,
        weights: EventWeights::default(),
        encoder: SharedEncoder::with_encoder(Encoder::feature_hashing()),
        flow: FlowSettings::default(),
        impressions: Default::default(),
    };
    Engine::start(store.clone(), settings, ListCache::disabled())
        .await
        .unwrap()
}

/// The view a store query gives.
async fn read_from_store(store: &Store, id: &str) -> UserView {
    let (record, events) = store.user_with_interactions(id).await.unwrap().unwrap();
    UserView::new(record, &events, &EventWeights::default())
}

fn assert_same(served: &UserView, read: &UserView) {
    assert_eq!(served.record, read.record);
    assert_eq!(served.interactions, read.interactions);
    assert_eq!(served.history, read.history);
}

#[tokio::test]
async fn a_view_from_memory_is_the_view_a_store_query_gives() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir).await;
    let engine = engine(&store).await;
    for id in ["ann", "bob", "cid"] {
        let served = engine.user_view(id).await.unwrap();
        assert_same(&served, &read_from_store(&store, id).await);
    }
    assert_eq!(engine.user_view("ann").await.unwrap().interactions, 6);
    assert!(matches!(
        engine.user_view("dan").await,
        Err(EngineError::UnknownUser(_))
    ));
}

#[tokio::test]
async fn a_changed_user_is_read_from_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir).await;
    let engine = engine(&store).await;

    // Through the engine: the next view holds the event.
    engine
        .record_interactions(&[event("bob", "i2", EventKind::Like, 0.0, 300)], &[])
        .await
        .unwrap();
    let bob = engine.user_view("bob").await.unwrap();
    assert_eq!(bob.interactions, 3);
    assert_same(&bob, &read_from_store(&store, "bob").await);

    // Behind the engine's back (another process): not seen from memory until announced.
    store
        .add_interactions(&[event("cid", "i4", EventKind::Like, 0.0, 400)])
        .await
        .unwrap();
    assert_eq!(engine.user_view("cid").await.unwrap().interactions, 0);
    engine
        .apply_remote(Change::Users(vec!["cid".into()]))
        .await
        .unwrap();
    let cid = engine.user_view("cid").await.unwrap();
    assert_eq!(cid.interactions, 1);
    assert_same(&cid, &read_from_store(&store, "cid").await);

    // A profile change is a change too.
    let mut ann = UserRecord::with_id("ann");
    ann.interests = vec!["astronomy".into()];
    engine.put_user(&ann).await.unwrap();
    let served = engine.user_view("ann").await.unwrap();
    assert_eq!(served.record.interests, vec!["astronomy".to_owned()]);
    assert_eq!(served.interactions, 6);

    // A deleted user is gone, not answered from memory.
    engine.delete_user("bob").await.unwrap();
    assert!(matches!(
        engine.user_view("bob").await,
        Err(EngineError::UnknownUser(_))
    ));
}

#[tokio::test]
async fn reading_everything_again_brings_in_another_process_s_writes() {
    let dir = tempfile::tempdir().unwrap();
    let store = store(&dir).await;
    let engine = engine(&store).await;
    assert_eq!(engine.user_view("ann").await.unwrap().interactions, 6);
    store
        .add_interactions(&[event("ann", "i3", EventKind::Like, 0.0, 500)])
        .await
        .unwrap();
    store
        .upsert_user(&UserRecord::with_id("eve"))
        .await
        .unwrap();
    engine.apply_remote(Change::Imported).await.unwrap();
    let ann = engine.user_view("ann").await.unwrap();
    assert_eq!(ann.interactions, 7);
    assert_same(&ann, &read_from_store(&store, "ann").await);
    assert_eq!(engine.user_view("eve").await.unwrap().interactions, 0);
}
