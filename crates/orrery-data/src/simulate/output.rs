//! Where a simulated universe goes: the seed's CSV files plus the planted truth, or
//! [`Record`]s for the store.

use std::fs;
use std::path::{Path, PathBuf};

use orrery_core::{EventKind, InteractionRecord, Record, UserRecord};

use super::{CelestialObject, ObjectEvent, SimulateError, Universe};
use crate::poppy::{INTERACTION_COLUMNS, all_category_items, category_item_id};

/// The Layer 4 interactions, named as the seed names them.
pub const INTERACTIONS_FILE: &str = "NN_Semantic_Interactions.csv";
/// Each user's preferred category type (and favourite hours with a strength signal).
pub const PLANTED_FILE: &str = "planted_preferences.csv";
/// The celestial catalog.
pub const OBJECTS_FILE: &str = "objects.csv";
/// The Layer 2 object events.
pub const OBJECT_INTERACTIONS_FILE: &str = "object_interactions.csv";

/// Columns of [`OBJECTS_FILE`].
pub const OBJECT_COLUMNS: [&str; 4] = ["Object_Type", "Object_ID", "Name", "Category_Value"];

/// Columns of [`OBJECT_INTERACTIONS_FILE`].
pub const OBJECT_INTERACTION_COLUMNS: [&str; 6] = [
    "Interaction_ID",
    "User_ID",
    "Object_Type",
    "Object_ID",
    "Interaction_Type",
    "Timestamp",
];

/// A CSV file being written, which names itself in every error.
struct CsvFile {
    path: PathBuf,
    writer: csv::Writer<fs::File>,
}

impl CsvFile {
    fn create(path: PathBuf) -> Result<Self, SimulateError> {
        let file = fs::File::create(&path).map_err(|source| SimulateError::Io {
            path: path.clone(),
            source,
        })?;
        // pandas writes "\n" line ends and quotes only where needed.
        let writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(file);
        Ok(Self { path, writer })
    }

    fn row<I, T>(&mut self, fields: I) -> Result<(), SimulateError>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.writer
            .write_record(fields)
            .map_err(|source| SimulateError::Csv {
                path: self.path.clone(),
                source,
            })
    }

    fn finish(mut self) -> Result<PathBuf, SimulateError> {
        self.writer.flush().map_err(|source| SimulateError::Io {
            path: self.path.clone(),
            source,
        })?;
        Ok(self.path)
    }
}

impl Universe {
    /// Writes [`INTERACTIONS_FILE`], [`PLANTED_FILE`], [`OBJECTS_FILE`] and
    /// [`OBJECT_INTERACTIONS_FILE`] into `dir` (created if missing) and returns their
    /// paths in that order.
    pub fn write_csv(&self, dir: &Path) -> Result<Vec<PathBuf>, SimulateError> {
        fs::create_dir_all(dir).map_err(|source| SimulateError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        Ok(vec![
            self.write_interactions(dir.join(INTERACTIONS_FILE))?,
            self.write_planted(dir.join(PLANTED_FILE))?,
            self.write_objects(dir.join(OBJECTS_FILE))?,
            self.write_object_interactions(dir.join(OBJECT_INTERACTIONS_FILE))?,
        ])
    }

    fn write_interactions(&self, path: PathBuf) -> Result<PathBuf, SimulateError> {
        let mut csv = CsvFile::create(path)?;
        csv.row(INTERACTION_COLUMNS)?;
        for row in &self.interactions {
            csv.row([
                row.id.to_string().as_str(),
                row.user.to_string().as_str(),
                row.category_type,
                row.category_value,
                row.strength.to_string().as_str(),
                row.timestamp_text()?.as_str(),
            ])?;
        }
        csv.finish()
    }

    fn write_planted(&self, path: PathBuf) -> Result<PathBuf, SimulateError> {
        let mut csv = CsvFile::create(path)?;
        match &self.favourite_hours {
            None => {
                csv.row(["User_ID", "Preferred_Category_Type"])?;
                for (user, preferred) in &self.preferences {
                    csv.row([user.to_string().as_str(), preferred.unwrap_or("")])?;
                }
            }
            Some(hours) => {
                csv.row(["User_ID", "Preferred_Category_Type", "Favourite_Hours"])?;
                for ((user, preferred), window) in self.preferences.iter().zip(hours) {
                    csv.row([
                        user.to_string().as_str(),
                        preferred.unwrap_or(""),
                        window.to_string().as_str(),
                    ])?;
                }
            }
        }
        csv.finish()
    }

    fn write_objects(&self, path: PathBuf) -> Result<PathBuf, SimulateError> {
        let mut csv = CsvFile::create(path)?;
        csv.row(OBJECT_COLUMNS)?;
        for object in &self.objects {
            csv.row([
                object.object_type,
                object.id.as_str(),
                object.name.as_str(),
                object.category_value,
            ])?;
        }
        csv.finish()
    }

    fn write_object_interactions(&self, path: PathBuf) -> Result<PathBuf, SimulateError> {
        let mut csv = CsvFile::create(path)?;
        csv.row(OBJECT_INTERACTION_COLUMNS)?;
        for (event, id) in self.object_events.iter().zip(1u64..) {
            let object = self.object_of(event)?;
            csv.row([
                id.to_string().as_str(),
                event.user.to_string().as_str(),
                object.object_type,
                object.id.as_str(),
                event.kind.as_str(),
                event.timestamp_text()?.as_str(),
            ])?;
        }
        csv.finish()
    }

    fn object_of(&self, event: &ObjectEvent) -> Result<&CelestialObject, SimulateError> {
        self.objects
            .get(event.object as usize)
            .ok_or(SimulateError::UnknownObject {
                object: event.object,
                objects: self.objects.len(),
            })
    }

    /// The universe as store records: the users (`"1"`, `"2"`, …), the category items
    /// ([`all_category_items`]) and the object items, then the category interactions
    /// ([`EventKind::Strength`] on [`category_item_id`], value = strength) and the object
    /// events ([`EventKind::View`], [`EventKind::Click`], [`EventKind::Favorite`], value
    /// 0). Timestamps are rounded down to whole seconds.
    pub fn records(&self) -> impl Iterator<Item = Record> + '_ {
        let users = self
            .preferences
            .iter()
            .map(|(user, _)| Record::User(UserRecord::with_id(user.to_string())));
        let category_items = all_category_items().into_iter().map(Record::Item);
        let object_items = self.objects.iter().map(|o| Record::Item(o.item()));
        let strengths = self.interactions.iter().map(|row| {
            Record::Interaction(InteractionRecord {
                user: row.user.to_string(),
                item: category_item_id(row.category_type, row.category_value),
                kind: EventKind::Strength,
                value: f32::from(row.strength),
                ts: row.ts(),
            })
        });
        // `simulate` only makes events on catalog objects; one edited to point past the
        // catalog has no item to name and is left out.
        let object_events = self.object_events.iter().filter_map(|event| {
            let object = self.objects.get(event.object as usize)?;
            Some(Record::Interaction(InteractionRecord {
                user: event.user.to_string(),
                item: object.id.clone(),
                kind: event.kind.event_kind(),
                value: 0.0,
                ts: event.ts(),
            }))
        });
        users
            .chain(category_items)
            .chain(object_items)
            .chain(strengths)
            .chain(object_events)
    }
}
