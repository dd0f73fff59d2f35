//! The Poppy Universe Layer 4 interactions CSV
//! (`Interaction_ID,User_ID,Category_Type,Category_Value,Strength,Timestamp`): users,
//! the universe's category items, and strength interactions on those categories.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use orrery_core::{EventKind, InteractionRecord, Record, UserRecord};

use super::error::{ImportError, Problem, shown};
use super::fields::{DATETIME_FORMATS, datetime};
use super::source::{CsvRows, Progress, expect_fields, open, utf8};
use super::{Format, Plan, Step, Stream, stream_of};
use crate::poppy::{
    CATEGORY_TYPES, INTERACTION_COLUMNS, all_category_items, category_item_id, values_of,
};

/// Names pandas gives the index column that `DataFrame.to_csv` writes by default.
const INDEX_COLUMNS: [&str; 2] = ["", "Unnamed: 0"];

/// Where the seed's columns start in this header (after an optional index column), or
/// `None` when the header is not the seed's.
pub(crate) fn columns_start(header: &[String]) -> Option<usize> {
    let matches = |columns: &[String]| {
        columns.len() == INTERACTION_COLUMNS.len()
            && columns.iter().zip(INTERACTION_COLUMNS).all(|(c, e)| c == e)
    };
    if matches(header) {
        Some(0)
    } else if header
        .first()
        .is_some_and(|first| INDEX_COLUMNS.contains(&first.as_str()))
        && matches(&header[1..])
    {
        Some(1)
    } else {
        None
    }
}

pub(crate) fn plan(path: PathBuf) -> Plan {
    let users_path = path.clone();
    // A first pass lists the users, so that they come out before the interactions; it
    // is not counted as progress, which measures the second pass.
    let users: Step = Box::new(move |_| {
        let mut users = UserIds::default();
        users.read(&users_path)?;
        Ok(users.into_stream())
    });
    let items: Step = Box::new(|_| {
        Ok(stream_of(
            all_category_items().into_iter().map(Record::Item).collect(),
        ))
    });
    let interactions_path = path.clone();
    let interactions: Step = Box::new(move |progress| strengths(&interactions_path, progress));
    Plan {
        format: Format::Poppy,
        files: vec![path],
        steps: vec![users, items, interactions],
        rating_scale: None,
    }
}

/// The distinct `User_ID`s of one or more Poppy files, in first-seen order.
#[derive(Default)]
pub(crate) struct UserIds {
    seen: HashSet<String>,
    users: Vec<Record>,
}

impl UserIds {
    /// Adds the users of a Layer 4 interactions file.
    pub(crate) fn read(&mut self, path: &Path) -> Result<(), ImportError> {
        let mut rows = poppy_rows(path, None)?;
        while let Some((number, record, header)) = rows.next_record()? {
            let start = header.len() - INTERACTION_COLUMNS.len();
            let id = (|| {
                expect_fields(record, header).map_err(Problem::line)?;
                user_id(&record[start + 1])
            })()
            .map_err(|p| p.at(path, number))?;
            self.add(id);
        }
        Ok(())
    }

    /// Adds one user id, unless it was seen before.
    pub(crate) fn add(&mut self, id: String) {
        if self.seen.insert(id.clone()) {
            self.users.push(Record::User(UserRecord::with_id(id)));
        }
    }

    pub(crate) fn into_stream(self) -> Stream {
        stream_of(self.users)
    }
}

/// The strength interactions of a Layer 4 interactions file, read as they are consumed.
pub(crate) fn strengths(path: &Path, progress: &Progress) -> Result<Stream, ImportError> {
    let rows = poppy_rows(path, Some(progress))?;
    Ok(Box::new(Strengths { rows }) as Stream)
}

fn poppy_rows(path: &Path, progress: Option<&Progress>) -> Result<CsvRows, ImportError> {
    let rows = CsvRows::new(path.to_path_buf(), open(path, progress)?)?;
    if columns_start(rows.header()).is_none() {
        return Err(ImportError::line(
            path,
            1,
            format!(
                "expected the header {}, found {:?}",
                INTERACTION_COLUMNS.join(","),
                rows.header().join(",")
            ),
        ));
    }
    Ok(rows)
}

struct Strengths {
    rows: CsvRows,
}

impl Iterator for Strengths {
    type Item = Result<Record, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        let (number, record, header) = match self.rows.next_record() {
            Ok(Some(next)) => next,
            Ok(None) => return None,
            Err(error) => return Some(Err(error)),
        };
        let parsed = strength_row(record, header).map(Record::Interaction);
        Some(parsed.map_err(|problem| problem.at(self.rows.path(), number)))
    }
}

fn strength_row(record: &csv::ByteRecord, header: &[String]) -> Result<InteractionRecord, Problem> {
    expect_fields(record, header).map_err(Problem::line)?;
    let start = header.len() - INTERACTION_COLUMNS.len();
    let field = |i: usize| &record[start + i];
    let user = user_id(field(1))?;
    let kind = text("Category_Type", field(2))?;
    let category_type = CATEGORY_TYPES.iter().find(|t| **t == kind).ok_or_else(|| {
        Problem::field(
            "Category_Type",
            format!(
                "expected one of {}, found {}",
                CATEGORY_TYPES.join(", "),
                shown(kind.as_bytes())
            ),
        )
    })?;
    let value = text("Category_Value", field(3))?;
    let values = values_of(category_type).unwrap_or(&[]);
    if !values.contains(&value) {
        return Err(Problem::field(
            "Category_Value",
            format!(
                "{} is not a {category_type} value: expected one of {}",
                shown(value.as_bytes()),
                values.join(", ")
            ),
        ));
    }
    let strength = strength(field(4))?;
    let ts = timestamp(field(5))?;
    Ok(InteractionRecord {
        user,
        item: category_item_id(category_type, value),
        kind: EventKind::Strength,
        value: strength,
        ts,
    })
}

/// The `Timestamp` column (a date and time in one of the Poppy formats) as Unix seconds.
pub(crate) fn timestamp(bytes: &[u8]) -> Result<i64, Problem> {
    let ts_text = text("Timestamp", bytes)?;
    datetime(ts_text).ok_or_else(|| {
        Problem::field(
            "Timestamp",
            format!(
                "expected {DATETIME_FORMATS}, found {}",
                shown(ts_text.as_bytes())
            ),
        )
    })
}

pub(crate) fn text<'r>(name: &str, bytes: &'r [u8]) -> Result<&'r str, Problem> {
    utf8(bytes)
        .map(str::trim)
        .map_err(|message| Problem::field(name, message))
}

pub(crate) fn user_id(bytes: &[u8]) -> Result<String, Problem> {
    let id = text("User_ID", bytes)?;
    if id.is_empty() {
        Err(Problem::field("User_ID", "is empty; expected a user id"))
    } else {
        Ok(id.to_owned())
    }
}

/// A strength 1–5; pandas may write whole numbers as `3.0`.
fn strength(bytes: &[u8]) -> Result<f32, Problem> {
    let text = text("Strength", bytes)?;
    match text.parse::<f32>() {
        Ok(v) if (1.0..=5.0).contains(&v) && v.fract() == 0.0 => Ok(v),
        _ => Err(Problem::field(
            "Strength",
            format!(
                "expected a whole number from 1 to 5, found {}",
                shown(bytes)
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    #[test]
    fn the_header_may_start_with_an_index_column() {
        assert_eq!(columns_start(&header(&INTERACTION_COLUMNS)), Some(0));
        let mut indexed = vec!["Unnamed: 0"];
        indexed.extend(INTERACTION_COLUMNS);
        assert_eq!(columns_start(&header(&indexed)), Some(1));
        assert_eq!(columns_start(&header(&["User_ID", "Strength"])), None);
    }

    #[test]
    fn rows_become_strengths_on_category_items() {
        let columns = header(&INTERACTION_COLUMNS);
        let record = csv::ByteRecord::from(vec![
            "4",
            "101",
            "Planet",
            "Dwarf Planet",
            "3",
            "2025-11-10 03:54:02.183020",
        ]);
        let event = strength_row(&record, &columns).unwrap();
        assert_eq!(event.user, "101");
        assert_eq!(event.item, "Planet:Dwarf Planet");
        assert_eq!(
            (event.kind, event.value, event.ts),
            (EventKind::Strength, 3.0, 1762746842)
        );

        let record =
            csv::ByteRecord::from(vec!["1", "50", "Star", "Z", "1", "2025-11-30 02:02:11"]);
        let error = strength_row(&record, &columns).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("Category_Value"));
        assert_eq!(
            error.message,
            "\"Z\" is not a Star value: expected one of O, B, A, F, G, K, M"
        );

        let record =
            csv::ByteRecord::from(vec!["1", "50", "Star", "M", "6", "2025-11-30 02:02:11"]);
        assert_eq!(
            strength_row(&record, &columns)
                .unwrap_err()
                .field
                .as_deref(),
            Some("Strength")
        );
    }
}
