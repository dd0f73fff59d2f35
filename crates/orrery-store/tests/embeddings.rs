//! Item embeddings: stored per item and encoder, read back bit for bit, replaced, listed
//! with their fingerprints, and gone with their item. Each test runs on SQLite and, when
//! configured, PostgreSQL.

mod common;

use common::{databases, small_set};
use orrery_store::{Error, NewItemEmbedding};

fn vector(seed: f32, dim: usize) -> Vec<f32> {
    (0..dim).map(|d| seed * (d as f32 + 1.0).sin()).collect()
}

#[tokio::test]
async fn embeddings_round_trip_per_item_and_encoder() {
    for db in databases().await {
        let name = db.name();
        let store = &db.store;
        let mut tx = store.begin_import().await.expect("begin");
        tx.write(&small_set()).await.expect("write");
        tx.commit().await.expect("commit");

        let (a, b) = (vector(0.5, 384), vector(-1.25, 384));
        let rows = [
            NewItemEmbedding {
                item: "i1",
                vector: &a,
                text_hash: u64::MAX - 7,
            },
            NewItemEmbedding {
                item: "i2",
                vector: &b,
                text_hash: 42,
            },
            NewItemEmbedding {
                item: "no-such-item",
                vector: &b,
                text_hash: 1,
            },
        ];
        let written = store
            .put_item_embeddings("all-MiniLM-L6-v2", &rows, 1_000)
            .await
            .expect("put");
        assert_eq!(written, 2, "{name}: the unknown item is skipped");

        let one = store
            .item_embedding("i1", "all-MiniLM-L6-v2")
            .await
            .expect("get")
            .expect("stored");
        assert_eq!(one.vector, a, "{name}: bit-exact");
        assert_eq!(one.text_hash, u64::MAX - 7, "{name}: all 64 bits kept");
        assert_eq!(one.updated_at, 1_000, "{name}");
        assert!(
            store
                .item_embedding("i1", "feature-hashing-384")
                .await
                .expect("get")
                .is_none(),
            "{name}: another encoder has no vector"
        );

        // Another encoder's vectors live beside the first's.
        let small = vector(2.0, 8);
        store
            .put_item_embeddings(
                "feature-hashing-384",
                &[NewItemEmbedding {
                    item: "i1",
                    vector: &small,
                    text_hash: 3,
                }],
                1_001,
            )
            .await
            .expect("put");

        // Replacing keeps one row per item and encoder.
        let c = vector(3.0, 384);
        store
            .put_item_embeddings(
                "all-MiniLM-L6-v2",
                &[NewItemEmbedding {
                    item: "i2",
                    vector: &c,
                    text_hash: 43,
                }],
                2_000,
            )
            .await
            .expect("replace");
        let all = store
            .item_embeddings("all-MiniLM-L6-v2")
            .await
            .expect("list");
        assert_eq!(
            all.iter().map(|e| e.item.as_str()).collect::<Vec<_>>(),
            ["i1", "i2"],
            "{name}: in item order"
        );
        assert_eq!(all[1].vector, c, "{name}");
        assert_eq!((all[1].text_hash, all[1].updated_at), (43, 2_000), "{name}");
        assert_eq!(
            store
                .item_embedding_hashes("all-MiniLM-L6-v2")
                .await
                .expect("hashes"),
            [("i1".to_owned(), u64::MAX - 7), ("i2".to_owned(), 43)],
            "{name}"
        );

        // Deleting an item deletes its vectors.
        assert!(store.delete_item("i1").await.expect("delete"), "{name}");
        assert_eq!(
            store
                .item_embedding_hashes("all-MiniLM-L6-v2")
                .await
                .expect("hashes")
                .len(),
            1,
            "{name}"
        );
        assert!(
            store
                .item_embeddings("feature-hashing-384")
                .await
                .expect("list")
                .is_empty(),
            "{name}"
        );
        assert_eq!(
            store
                .delete_item_embeddings(Some("all-MiniLM-L6-v2"))
                .await
                .expect("delete"),
            1,
            "{name}"
        );
        db.finish().await;
    }
}

#[tokio::test]
async fn bad_vectors_are_refused_naming_the_item() {
    for db in databases().await {
        let name = db.name();
        let store = &db.store;
        let mut tx = store.begin_import().await.expect("begin");
        tx.write(&small_set()).await.expect("write");
        tx.commit().await.expect("commit");
        let (a, short, nan) = (vector(1.0, 4), vector(1.0, 3), vec![f32::NAN; 4]);
        let err = store
            .put_item_embeddings(
                "m",
                &[
                    NewItemEmbedding {
                        item: "i1",
                        vector: &a,
                        text_hash: 0,
                    },
                    NewItemEmbedding {
                        item: "i2",
                        vector: &short,
                        text_hash: 0,
                    },
                ],
                0,
            )
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Invalid { .. }), "{name}: {err}");
        assert!(err.to_string().contains("\"i2\""), "{name}: {err}");
        let err = store
            .put_item_embeddings(
                "m",
                &[NewItemEmbedding {
                    item: "i3",
                    vector: &nan,
                    text_hash: 0,
                }],
                0,
            )
            .await
            .unwrap_err();
        assert!(err.to_string().contains("NaN"), "{name}: {err}");
        let err = store.put_item_embeddings(" ", &[], 0).await.unwrap_err();
        assert!(err.to_string().contains("encoder"), "{name}: {err}");
        assert!(
            store.item_embeddings("m").await.expect("list").is_empty(),
            "{name}: nothing was written"
        );
        db.finish().await;
    }
}
