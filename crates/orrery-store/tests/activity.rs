//! Interactions per day, on SQLite and, when configured, PostgreSQL.

mod common;

use common::{databases, rating};
use orrery_store::DayCount;

const DAY: i64 = 86_400;

#[tokio::test]
async fn interactions_are_counted_per_day_up_to_the_newest() {
    for db in databases().await {
        let name = db.name();
        let store = &db.store;
        assert!(
            store.interactions_per_day(30).await.unwrap().is_empty(),
            "{name}: nothing stored, no days"
        );
        // Day 10 000 twice, day 10 002 three times (one at its last second), day 9 000 once.
        let records = vec![
            rating("u1", "i1", 4.0, 10_000 * DAY),
            rating("u2", "i1", 3.0, 10_000 * DAY + 5),
            rating("u1", "i2", 5.0, 10_002 * DAY),
            rating("u2", "i2", 2.0, 10_002 * DAY + 100),
            rating("u3", "i2", 1.0, 10_003 * DAY - 1),
            rating("u3", "i1", 1.0, 9_000 * DAY),
        ];
        let mut tx = store.begin_import().await.unwrap();
        tx.write(&records).await.unwrap();
        tx.commit().await.unwrap();

        let days = store.interactions_per_day(3).await.unwrap();
        assert_eq!(
            days,
            vec![
                DayCount {
                    day: 10_000,
                    count: 2
                },
                DayCount {
                    day: 10_002,
                    count: 3
                },
            ],
            "{name}"
        );
        // A window of one day holds only the newest day; a long one reaches day 9 000.
        assert_eq!(
            store.interactions_per_day(1).await.unwrap().len(),
            1,
            "{name}"
        );
        let all = store.interactions_per_day(2_000).await.unwrap();
        assert_eq!(all.first().map(|d| d.day), Some(9_000), "{name}");
        assert_eq!(all.iter().map(|d| d.count).sum::<u64>(), 6, "{name}");
        db.finish().await;
    }
}
