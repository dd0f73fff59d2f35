//! A Poppy Universe folder, as `orrery simulate --out DIR` writes it: the Layer 4
//! interactions (`NN_Semantic_Interactions.csv`), the celestial catalog (`objects.csv`)
//! and the Layer 2 object events (`object_interactions.csv`). The planted truth
//! (`planted_preferences.csv`) describes the simulation, not its users, and is not read.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use orrery_core::{EventKind, InteractionRecord, Record};

use super::error::{ImportError, Problem, shown};
use super::poppy_csv::{self, UserIds, text, timestamp, user_id};
use super::source::{CsvRows, Progress, expect_fields, open};
use super::{Format, Plan, Step, Stream, stream_of};
use crate::poppy::{CATEGORY_TYPES, all_category_items, object_item, values_of};
use crate::simulate::{
    INTERACTIONS_FILE, OBJECT_COLUMNS, OBJECT_INTERACTION_COLUMNS, OBJECT_INTERACTIONS_FILE,
    OBJECTS_FILE,
};

/// The files of a Poppy Universe folder that are present.
pub(crate) struct Files {
    pub interactions: Option<PathBuf>,
    pub objects: Option<PathBuf>,
    pub object_interactions: Option<PathBuf>,
}

/// The names whose presence makes a folder a Poppy Universe folder.
pub(crate) const MARKERS: [&str; 3] = [INTERACTIONS_FILE, OBJECTS_FILE, OBJECT_INTERACTIONS_FILE];

/// Users (of both event files), the 21 category items, the catalog's objects, the
/// strengths, then the object events.
pub(crate) fn plan(files: Files) -> Plan {
    let Files {
        interactions,
        objects,
        object_interactions,
    } = files;
    let (users_from, events_from) = (interactions.clone(), object_interactions.clone());
    // A first pass lists the users, so that they come out before the interactions; it is
    // not counted as progress, which measures the passes that produce records.
    let users: Step = Box::new(move |_| {
        let mut users = UserIds::default();
        if let Some(path) = &users_from {
            users.read(path)?;
        }
        if let Some(path) = &events_from {
            let mut rows = object_event_rows(path, None)?;
            while let Some((number, record, header)) = rows.next_record()? {
                let id = (|| {
                    expect_fields(record, header).map_err(Problem::line)?;
                    user_id(&record[1])
                })()
                .map_err(|p| p.at(path, number))?;
                users.add(id);
            }
        }
        Ok(users.into_stream())
    });
    let objects_for_items = objects.clone();
    let items: Step = Box::new(move |progress| {
        let mut items: Vec<Record> = all_category_items().into_iter().map(Record::Item).collect();
        if let Some(path) = &objects_for_items {
            let catalog = Catalog::read(path, Some(progress))?;
            items.extend(catalog.objects.into_iter().map(Record::Item));
        }
        Ok(stream_of(items))
    });
    let mut steps = vec![users, items];
    let mut files = Vec::new();
    if let Some(path) = interactions {
        files.push(path.clone());
        steps.push(Box::new(move |progress| {
            poppy_csv::strengths(&path, progress)
        }));
    }
    if let Some(path) = objects.clone() {
        files.push(path);
    }
    if let (Some(path), Some(objects)) = (object_interactions, objects) {
        files.push(path.clone());
        steps.push(Box::new(move |progress| {
            // The catalog again (it is small), to check what each event points at.
            let types = Catalog::read(&objects, None)?.types;
            let rows = object_event_rows(&path, Some(progress))?;
            Ok(Box::new(ObjectEvents { rows, types }) as Stream)
        }));
    }
    Plan {
        format: Format::PoppyUniverse,
        files,
        steps,
        rating_scale: None,
    }
}

/// The celestial catalog of `objects.csv`.
struct Catalog {
    objects: Vec<orrery_core::ItemRecord>,
    /// The `Object_Type` of every `Object_ID`.
    types: HashMap<String, &'static str>,
}

impl Catalog {
    fn read(path: &Path, progress: Option<&Progress>) -> Result<Catalog, ImportError> {
        let mut rows = checked_rows(path, progress, &OBJECT_COLUMNS)?;
        let mut catalog = Catalog {
            objects: Vec::new(),
            types: HashMap::new(),
        };
        while let Some((number, record, header)) = rows.next_record()? {
            let (item, object_type) = object_row(record, header).map_err(|p| p.at(path, number))?;
            if catalog.types.insert(item.id.clone(), object_type).is_some() {
                return Err(Problem::field(
                    "Object_ID",
                    format!(
                        "{} appears twice; each object has one row",
                        shown(item.id.as_bytes())
                    ),
                )
                .at(path, number));
            }
            catalog.objects.push(item);
        }
        Ok(catalog)
    }
}

/// One row of `objects.csv`: `Object_Type,Object_ID,Name,Category_Value`.
fn object_row(
    record: &csv::ByteRecord,
    header: &[String],
) -> Result<(orrery_core::ItemRecord, &'static str), Problem> {
    expect_fields(record, header).map_err(Problem::line)?;
    let object_type = category_type(&record[0], "Object_Type")?;
    let id = text("Object_ID", &record[1])?;
    if id.is_empty() {
        return Err(Problem::field(
            "Object_ID",
            "is empty; expected an object id",
        ));
    }
    let name = text("Name", &record[2])?;
    let value = text("Category_Value", &record[3])?;
    let values = values_of(object_type).unwrap_or(&[]);
    if !values.contains(&value) {
        return Err(Problem::field(
            "Category_Value",
            format!(
                "{} is not a {object_type} value: expected one of {}",
                shown(value.as_bytes()),
                values.join(", ")
            ),
        ));
    }
    Ok((object_item(id, name, object_type, value), object_type))
}

/// One of [`CATEGORY_TYPES`], from a field.
fn category_type(bytes: &[u8], field: &str) -> Result<&'static str, Problem> {
    let kind = text(field, bytes)?;
    CATEGORY_TYPES
        .iter()
        .find(|t| **t == kind)
        .copied()
        .ok_or_else(|| {
            Problem::field(
                field,
                format!(
                    "expected one of {}, found {}",
                    CATEGORY_TYPES.join(", "),
                    shown(kind.as_bytes())
                ),
            )
        })
}

fn object_event_rows(path: &Path, progress: Option<&Progress>) -> Result<CsvRows, ImportError> {
    checked_rows(path, progress, &OBJECT_INTERACTION_COLUMNS)
}

/// The rows of a file whose header must be `columns`.
fn checked_rows(
    path: &Path,
    progress: Option<&Progress>,
    columns: &[&str],
) -> Result<CsvRows, ImportError> {
    let rows = CsvRows::new(path.to_path_buf(), open(path, progress)?)?;
    if rows.header() != columns {
        return Err(ImportError::line(
            path,
            1,
            format!(
                "expected the header {}, found {:?}",
                columns.join(","),
                rows.header().join(",")
            ),
        ));
    }
    Ok(rows)
}

/// The views, clicks and favorites of `object_interactions.csv`.
struct ObjectEvents {
    rows: CsvRows,
    types: HashMap<String, &'static str>,
}

impl Iterator for ObjectEvents {
    type Item = Result<Record, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        let (number, record, header) = match self.rows.next_record() {
            Ok(Some(next)) => next,
            Ok(None) => return None,
            Err(error) => return Some(Err(error)),
        };
        let parsed = object_event(record, header, &self.types).map(Record::Interaction);
        Some(parsed.map_err(|problem| problem.at(self.rows.path(), number)))
    }
}

/// One row of `object_interactions.csv`:
/// `Interaction_ID,User_ID,Object_Type,Object_ID,Interaction_Type,Timestamp`.
fn object_event(
    record: &csv::ByteRecord,
    header: &[String],
    types: &HashMap<String, &'static str>,
) -> Result<InteractionRecord, Problem> {
    expect_fields(record, header).map_err(Problem::line)?;
    let user = user_id(&record[1])?;
    let object_type = category_type(&record[2], "Object_Type")?;
    let id = text("Object_ID", &record[3])?;
    match types.get(id) {
        None => {
            return Err(Problem::field(
                "Object_ID",
                format!(
                    "{} is not in {OBJECTS_FILE}; every event must name an object of the catalog",
                    shown(id.as_bytes())
                ),
            ));
        }
        Some(&listed) if listed != object_type => {
            return Err(Problem::field(
                "Object_Type",
                format!(
                    "{} is a {listed} in {OBJECTS_FILE}, not a {object_type}",
                    shown(id.as_bytes())
                ),
            ));
        }
        Some(_) => {}
    }
    let kind_text = text("Interaction_Type", &record[4])?;
    let kind = match kind_text {
        "view" => EventKind::View,
        "click" => EventKind::Click,
        "favorite" => EventKind::Favorite,
        _ => {
            return Err(Problem::field(
                "Interaction_Type",
                format!(
                    "expected view, click or favorite, found {}",
                    shown(kind_text.as_bytes())
                ),
            ));
        }
    };
    let ts = timestamp(&record[5])?;
    Ok(InteractionRecord {
        user,
        item: id.to_owned(),
        kind,
        value: 0.0,
        ts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    #[test]
    fn object_rows_become_items_with_their_category() {
        let columns = header(&OBJECT_COLUMNS);
        let record = csv::ByteRecord::from(vec!["Moon", "moon-003", "Titan", "Saturn"]);
        let (item, kind) = object_row(&record, &columns).unwrap();
        assert_eq!(
            (item.id.as_str(), item.title.as_str(), kind),
            ("moon-003", "Titan", "Moon")
        );
        assert_eq!(
            item.categories,
            vec![orrery_core::Category::new("Moon", "Saturn")]
        );

        let record = csv::ByteRecord::from(vec!["Moon", "moon-003", "Titan", "G"]);
        let error = object_row(&record, &columns).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("Category_Value"));
    }

    #[test]
    fn object_events_must_name_a_listed_object_of_its_type() {
        let columns = header(&OBJECT_INTERACTION_COLUMNS);
        let types = HashMap::from([("star-001".to_owned(), "Star")]);
        let row = |object_type: &str, id: &str, kind: &str| {
            csv::ByteRecord::from(vec!["1", "7", object_type, id, kind, "2025-12-01 10:00:00"])
        };
        let event = object_event(&row("Star", "star-001", "click"), &columns, &types).unwrap();
        assert_eq!(
            (event.user.as_str(), event.item.as_str(), event.kind),
            ("7", "star-001", EventKind::Click)
        );
        let unknown = object_event(&row("Star", "star-002", "view"), &columns, &types);
        assert_eq!(unknown.unwrap_err().field.as_deref(), Some("Object_ID"));
        let wrong_type = object_event(&row("Moon", "star-001", "view"), &columns, &types);
        assert_eq!(
            wrong_type.unwrap_err().field.as_deref(),
            Some("Object_Type")
        );
        let bad_kind = object_event(&row("Star", "star-001", "like"), &columns, &types);
        assert_eq!(
            bad_kind.unwrap_err().field.as_deref(),
            Some("Interaction_Type")
        );
    }
}
