//! Splits that arrive as files: a training set and a test set kept apart by whoever made
//! them (`u1.base`/`u1.test`, the NCF paper's files), so that Orrery and other libraries
//! are measured on identical data.

use std::collections::HashSet;

use orrery_core::{DatasetBuilder, EventWeights, ItemIdx, Record, UserIdx};

use crate::split::{Fold, filter_cells};
use crate::{Error, Result};

/// One fold from the records of a training set and of a test set, in one id space.
///
/// `negatives` (external user id → external item ids) gives, for the NCF protocol, the
/// items each user's test items are ranked against. A (user, item) present in both sets
/// counts as a test cell.
///
/// The records are consumed as they come, so that a file need not be held in memory; the
/// first record that failed to read ends the fold with its error.
pub fn fold_from_records<E: From<Error>>(
    train: impl IntoIterator<Item = Result<Record, E>>,
    test: impl IntoIterator<Item = Result<Record, E>>,
    negatives: Option<&[(String, Vec<String>)]>,
    weights: &EventWeights,
) -> Result<Fold, E> {
    let mut builder = DatasetBuilder::new(weights.clone());
    let mut add =
        |record: Record, test_cells: Option<&mut HashSet<(UserIdx, ItemIdx)>>| match record {
            Record::User(user) => {
                builder.add_user(user);
            }
            Record::Item(item) => {
                builder.add_item(item);
            }
            Record::Interaction(e) => {
                let u = builder.user_index(&e.user);
                let i = builder.item_index(&e.item);
                builder.add_event_at(u, i, &e.kind, e.value, e.ts);
                if let Some(cells) = test_cells {
                    cells.insert((u, i));
                }
            }
        };
    for record in train {
        add(record?, None);
    }
    let mut test_cells = HashSet::new();
    for record in test {
        add(record?, Some(&mut test_cells));
    }
    if let Some(negatives) = negatives {
        for (_, items) in negatives {
            for item in items {
                builder.item_index(item);
            }
        }
    }
    let full = builder.build();

    let mut in_test = Vec::with_capacity(full.nnz());
    for u in 0..full.n_users() as UserIdx {
        in_test.extend(
            full.user_row(u)
                .indices
                .iter()
                .map(|&i| test_cells.contains(&(u, i))),
        );
    }
    if test_cells.is_empty() {
        return Err(Error::EmptySplit {
            protocol: "given",
            what: "the test set",
            hint: "the test file holds no interaction",
        }
        .into());
    }
    if in_test.iter().all(|&t| t) {
        return Err(Error::EmptySplit {
            protocol: "given",
            what: "the training set",
            hint: "every training interaction also appears in the test file",
        }
        .into());
    }

    let negatives = negatives.map(|negatives| {
        let mut per_user: Vec<Vec<ItemIdx>> = vec![Vec::new(); full.n_users()];
        for (user, items) in negatives {
            if let Some(u) = full.users().get(user) {
                per_user[u as usize] = items.iter().filter_map(|i| full.items().get(i)).collect();
            }
        }
        per_user
    });
    Ok(Fold {
        train: filter_cells(&full, |c| !in_test[c]),
        test: filter_cells(&full, |c| in_test[c]),
        negatives,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use orrery_core::{EventKind, InteractionRecord};

    fn rating(user: &str, item: &str, value: f32) -> Result<Record> {
        Ok(Record::Interaction(InteractionRecord {
            user: user.into(),
            item: item.into(),
            kind: EventKind::Rating,
            value,
            ts: 0,
        }))
    }

    #[test]
    fn train_and_test_share_one_id_space() {
        let train = vec![rating("a", "x", 4.0), rating("b", "y", 2.0)];
        let test = vec![rating("a", "y", 5.0), rating("c", "z", 3.0)];
        let negatives = vec![("a".to_owned(), vec!["x".to_owned(), "w".to_owned()])];
        let fold =
            fold_from_records(train, test, Some(&negatives), &EventWeights::default()).unwrap();
        assert_eq!(fold.train.users(), fold.test.users());
        assert_eq!(fold.train.items(), fold.test.items());
        assert_eq!(fold.train.nnz(), 2);
        assert_eq!(fold.test.nnz(), 2);
        let a = fold.test.users().get("a").unwrap();
        let y = fold.test.items().get("y").unwrap();
        assert_eq!(fold.test.user_row(a).indices, &[y]);
        assert_eq!(fold.test.user_row(a).ratings, &[5.0]);
        let negatives = fold.negatives.unwrap();
        let names: Vec<&str> = negatives[a as usize]
            .iter()
            .map(|&i| fold.train.items().external(i).unwrap())
            .collect();
        assert_eq!(names, ["x", "w"]);
    }

    #[test]
    fn an_empty_test_file_is_an_error() {
        let err = fold_from_records(
            vec![rating("a", "x", 4.0)],
            vec![],
            None,
            &EventWeights::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("test set"), "{err}");
    }

    #[test]
    fn a_record_that_failed_to_read_ends_the_fold() {
        let unreadable = Err(Error::EmptySplit {
            protocol: "given",
            what: "line 2",
            hint: "unreadable",
        });
        let err = fold_from_records(
            vec![rating("a", "x", 4.0), unreadable, rating("b", "y", 2.0)],
            vec![rating("a", "y", 5.0)],
            None,
            &EventWeights::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
    }
}
