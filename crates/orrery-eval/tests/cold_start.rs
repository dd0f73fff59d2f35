//! The cold-start protocol: test users keep their first interactions only, everyone else
//! trains on everything.

use orrery_core::{Dataset, DatasetBuilder, EventKind, EventWeights, UserIdx};
use orrery_eval::Protocol;

/// 20 users with 3 + u interactions each, at increasing times.
fn data() -> Dataset {
    let mut b = DatasetBuilder::new(EventWeights::default());
    for u in 0..20 {
        for k in 0..(3 + u) {
            b.add_event(
                &format!("u{u}"),
                &format!("i{}", (u * 7 + k * 3) % 40),
                &EventKind::Rating,
                4.0,
                1_000 + k as i64,
            );
        }
    }
    b.build()
}

#[test]
fn test_users_keep_their_first_interactions() {
    let d = data();
    let protocol = Protocol::from_name("coldstart-earliest", 0.5, 7).unwrap();
    assert_eq!(protocol.name(), "coldstart-earliest");
    let folds = protocol.folds(&d).unwrap();
    let fold = &folds[0];
    let mut test_users = 0;
    for u in 0..d.n_users() as UserIdx {
        let (all, train, test) = (d.user_row(u), fold.train.user_row(u), fold.test.user_row(u));
        assert_eq!(train.len() + test.len(), all.len());
        if test.is_empty() {
            assert_eq!(train.len(), all.len(), "user {u} trains on everything");
            continue;
        }
        test_users += 1;
        assert_eq!(train.len(), 5, "user {u}");
        // The kept ones are the earliest.
        let newest_kept = train.times.iter().max().unwrap();
        assert!(test.times.iter().all(|t| t >= newest_kept), "user {u}");
    }
    // Users 3..20 have more than 5 interactions: half of those 17, rounded.
    assert_eq!(test_users, 9);
    // The same seed gives the same split.
    let again = &protocol.folds(&d).unwrap()[0];
    assert_eq!(again.test.nnz(), fold.test.nnz());
    assert!(
        Protocol::from_name("coldstart", 1.5, 7)
            .unwrap()
            .folds(&d)
            .is_err()
    );
}

#[test]
fn by_default_test_users_keep_a_random_sample() {
    let d = data();
    let protocol = Protocol::from_name("coldstart", 0.5, 7).unwrap();
    assert_eq!(protocol.name(), "coldstart");
    let fold = &protocol.folds(&d).unwrap()[0];
    let mut not_earliest = 0;
    for u in 0..d.n_users() as UserIdx {
        let (train, test) = (fold.train.user_row(u), fold.test.user_row(u));
        if test.is_empty() {
            continue;
        }
        assert_eq!(train.len(), 5, "user {u}");
        let newest_kept = train.times.iter().max().unwrap();
        not_earliest += test.times.iter().any(|t| t < newest_kept) as usize;
    }
    assert!(
        not_earliest > 0,
        "a random sample is not always the earliest five"
    );
}
