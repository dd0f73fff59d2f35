//! Generic CSV (with a header) and JSONL files of users, items or interactions, their
//! columns found by name (see the [module documentation](super#generic-csv-and-jsonl)).

use std::path::PathBuf;

use orrery_core::{
    Category, EventKind, InteractionRecord, ItemRecord, RatingScale, Record, Timestamp, UserRecord,
};
use serde_json::{Map, Value};

use super::error::{ImportError, Problem, shown};
use super::fields::{DATETIME_FORMATS, datetime, finite_number, text_list};
use super::source::{CsvRows, Lines, expect_fields, open, utf8};
use super::{Entity, Format, Plan, Stream};

/// Column names of the user id, in order of preference.
pub(crate) const USER_COLUMNS: &[&str] = &["user", "user_id", "userid"];
/// Column names of the item id, in order of preference.
pub(crate) const ITEM_COLUMNS: &[&str] = &[
    "item",
    "item_id",
    "itemid",
    "movie_id",
    "movieid",
    "content_id",
    "artist_id",
];
const USER_ID_COLUMNS: &[&str] = &["user", "user_id", "userid", "id"];
const ITEM_ID_COLUMNS: &[&str] = &[
    "item",
    "item_id",
    "itemid",
    "movie_id",
    "movieid",
    "content_id",
    "artist_id",
    "id",
];
const KIND_COLUMNS: &[&str] = &["kind", "event", "event_type", "interaction_type", "type"];
const VALUE_COLUMNS: &[&str] = &[
    "value",
    "rating",
    "strength",
    "weight",
    "duration_seconds",
    "count",
];
const TS_COLUMNS: &[&str] = &["timestamp", "ts", "time", "created_at"];

/// The index of the column named by the first of `aliases` that the header has
/// (case-insensitively).
pub(crate) fn find_column(header: &[String], aliases: &[&str]) -> Option<usize> {
    aliases
        .iter()
        .find_map(|alias| header.iter().position(|h| h.eq_ignore_ascii_case(alias)))
}

/// What a column means for the record being built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    User,
    Item,
    Kind,
    Value,
    Ts,
    Id,
    Interests,
    SkillLevel,
    Gender,
    Age,
    Occupation,
    Zip,
    Title,
    Category,
    Categories,
    Genres,
    Tags,
    Description,
    Year,
    /// Ignored in interactions, an attribute of users and items.
    Other,
}

fn roles_of(entity: Entity) -> &'static [(Role, &'static [&'static str])] {
    match entity {
        Entity::Interactions => &[
            (Role::User, USER_COLUMNS),
            (Role::Item, ITEM_COLUMNS),
            (Role::Kind, KIND_COLUMNS),
            (Role::Value, VALUE_COLUMNS),
            (Role::Ts, TS_COLUMNS),
        ],
        Entity::Users => &[
            (Role::Id, USER_ID_COLUMNS),
            (Role::Interests, &["interests", "interest"]),
            (Role::SkillLevel, &["skill_level", "skilllevel"]),
            (Role::Gender, &["gender"]),
            (Role::Age, &["age"]),
            (Role::Occupation, &["occupation"]),
            (Role::Zip, &["zip", "zip_code", "zipcode"]),
        ],
        Entity::Items => &[
            (Role::Id, ITEM_ID_COLUMNS),
            (Role::Title, &["title", "name"]),
            (Role::Category, &["category"]),
            (Role::Categories, &["categories"]),
            (Role::Genres, &["genres", "genre"]),
            (Role::Tags, &["tags", "tag"]),
            (Role::Description, &["description"]),
            (Role::Year, &["year"]),
        ],
    }
}

/// The role of each named column; when several columns could fill a role, the one named
/// by the earliest alias wins and the others are [`Role::Other`].
fn assign_roles(entity: Entity, names: &[&str]) -> Vec<Role> {
    let mut roles = vec![Role::Other; names.len()];
    for &(role, aliases) in roles_of(entity) {
        let column = aliases.iter().find_map(|alias| {
            names
                .iter()
                .zip(&roles)
                .position(|(name, r)| *r == Role::Other && name.eq_ignore_ascii_case(alias))
        });
        if let Some(column) = column {
            roles[column] = role;
        }
    }
    roles
}

/// What a file holds, judged by its column names.
fn detect_entity(names: &[&str]) -> Option<Entity> {
    let has = |aliases: &[&str]| {
        names
            .iter()
            .any(|n| aliases.iter().any(|a| n.eq_ignore_ascii_case(a)))
    };
    match (has(USER_COLUMNS), has(ITEM_COLUMNS)) {
        (true, true) => Some(Entity::Interactions),
        (true, false) => Some(Entity::Users),
        (false, _) if has(ITEM_ID_COLUMNS) => Some(Entity::Items),
        _ => None,
    }
}

/// Chooses the entity and checks that its id columns exist.
fn entity_for(names: &[&str], forced: Option<Entity>) -> Result<Entity, String> {
    let found = if names.is_empty() {
        "no columns".to_owned()
    } else {
        format!("columns {}", names.join(", "))
    };
    let entity = match forced.or_else(|| detect_entity(names)) {
        Some(entity) => entity,
        None => {
            return Err(format!(
                "cannot tell whether this file holds users, items or interactions: found {found}; \
                 name a user column ({}) and/or an item column ({}), or set the entity \
                 (--entity users|items|interactions)",
                USER_COLUMNS.join(", "),
                ITEM_ID_COLUMNS.join(", ")
            ));
        }
    };
    let roles = assign_roles(entity, names);
    let missing = |role: Role| !roles.contains(&role);
    let needs = match entity {
        Entity::Interactions if missing(Role::User) || missing(Role::Item) => Some(format!(
            "a user column ({}) and an item column ({})",
            USER_COLUMNS.join(", "),
            ITEM_COLUMNS.join(", ")
        )),
        Entity::Users if missing(Role::Id) => {
            Some(format!("a user id column ({})", USER_ID_COLUMNS.join(", ")))
        }
        Entity::Items if missing(Role::Id) => Some(format!(
            "an item id column ({})",
            ITEM_ID_COLUMNS.join(", ")
        )),
        _ => None,
    };
    match needs {
        Some(needs) => Err(format!("a file of {entity} needs {needs}; found {found}")),
        None => Ok(entity),
    }
}

pub(crate) fn plan_csv(
    path: PathBuf,
    forced: Option<Entity>,
    rating_scale: Option<RatingScale>,
) -> Plan {
    Plan {
        format: Format::Csv,
        files: vec![path.clone()],
        steps: vec![Box::new(move |progress| {
            let rows = CsvRows::new(path.clone(), open(&path, Some(progress))?)?;
            let names: Vec<&str> = rows.header().iter().map(String::as_str).collect();
            let entity = entity_for(&names, forced).map_err(|m| ImportError::line(&path, 1, m))?;
            let roles = assign_roles(entity, &names);
            Ok(Box::new(CsvTable {
                rows,
                entity,
                roles,
                rating_scale,
            }) as Stream)
        })],
        rating_scale,
    }
}

pub(crate) fn plan_jsonl(
    path: PathBuf,
    forced: Option<Entity>,
    rating_scale: Option<RatingScale>,
) -> Plan {
    Plan {
        format: Format::Jsonl,
        files: vec![path.clone()],
        steps: vec![Box::new(move |progress| {
            let input = open(&path, Some(progress))?;
            Ok(Box::new(JsonLines {
                lines: Lines::new(path, input),
                forced,
                entity: None,
                rating_scale,
            }) as Stream)
        })],
        rating_scale,
    }
}

/// One named value of a row: a CSV field or a JSON value.
#[derive(Debug, Clone, Copy)]
enum Cell<'a> {
    Text(&'a str),
    Json(&'a Value),
}

/// A row as (column name, role, value) triples.
type Row<'a> = [(&'a str, Role, Cell<'a>)];

struct CsvTable {
    rows: CsvRows,
    entity: Entity,
    roles: Vec<Role>,
    rating_scale: Option<RatingScale>,
}

impl Iterator for CsvTable {
    type Item = Result<Record, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        let (number, record, header) = match self.rows.next_record() {
            Ok(Some(next)) => next,
            Ok(None) => return None,
            Err(error) => return Some(Err(error)),
        };
        let parsed = csv_record(record, header, &self.roles, self.entity, self.rating_scale);
        Some(parsed.map_err(|problem| problem.at(self.rows.path(), number)))
    }
}

fn csv_record(
    record: &csv::ByteRecord,
    header: &[String],
    roles: &[Role],
    entity: Entity,
    rating_scale: Option<RatingScale>,
) -> Result<Record, Problem> {
    expect_fields(record, header).map_err(Problem::line)?;
    let mut cells = Vec::with_capacity(header.len());
    for ((name, &role), field) in header.iter().zip(roles).zip(record) {
        if role == Role::Other && entity == Entity::Interactions {
            continue;
        }
        let text = utf8(field).map_err(|message| Problem::field(name.as_str(), message))?;
        cells.push((name.as_str(), role, Cell::Text(text)));
    }
    build(entity, &cells, rating_scale)
}

struct JsonLines {
    lines: Lines,
    forced: Option<Entity>,
    /// Chosen from the first object's keys unless forced.
    entity: Option<Entity>,
    rating_scale: Option<RatingScale>,
}

impl Iterator for JsonLines {
    type Item = Result<Record, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let (number, line) = match self.lines.next_line() {
                Ok(Some(next)) => next,
                Ok(None) => return None,
                Err(error) => return Some(Err(error)),
            };
            if line.trim_ascii().is_empty() {
                continue;
            }
            let parsed = json_record(line, self.forced, &mut self.entity, self.rating_scale);
            return Some(parsed.map_err(|problem| problem.at(self.lines.path(), number)));
        }
    }
}

fn json_record(
    line: &[u8],
    forced: Option<Entity>,
    entity: &mut Option<Entity>,
    rating_scale: Option<RatingScale>,
) -> Result<Record, Problem> {
    let text = utf8(line).map_err(Problem::line)?;
    let object: Map<String, Value> = serde_json::from_str(text)
        .map_err(|e| Problem::line(format!("expected one JSON object per line: {e}")))?;
    let names: Vec<&str> = object.keys().map(String::as_str).collect();
    let entity = match *entity {
        Some(entity) => entity,
        None => *entity.insert(entity_for(&names, forced).map_err(Problem::line)?),
    };
    let roles = assign_roles(entity, &names);
    let cells: Vec<_> = names
        .iter()
        .zip(roles)
        .zip(object.values())
        .map(|((name, role), value)| (*name, role, Cell::Json(value)))
        .collect();
    build(entity, &cells, rating_scale)
}

/// A row as the record of `entity`; ratings must lie on `rating_scale` when one is given.
fn build(
    entity: Entity,
    row: &Row<'_>,
    rating_scale: Option<RatingScale>,
) -> Result<Record, Problem> {
    match entity {
        Entity::Interactions => interaction(row, rating_scale).map(Record::Interaction),
        Entity::Users => user(row).map(Record::User),
        Entity::Items => item(row).map(Record::Item),
    }
}

fn interaction(
    row: &Row<'_>,
    rating_scale: Option<RatingScale>,
) -> Result<InteractionRecord, Problem> {
    let mut user = None;
    let mut item = None;
    let mut kind = None;
    let mut value = None;
    let mut ts = 0;
    for &(name, role, cell) in row {
        match role {
            Role::User => user = Some(cell.id(name, "a user id")?),
            Role::Item => item = Some(cell.id(name, "an item id")?),
            Role::Kind => {
                kind = match cell.text(name)? {
                    Some(text) => Some(
                        text.parse::<EventKind>()
                            .map_err(|e| Problem::field(name, e.to_string()))?,
                    ),
                    None => None,
                }
            }
            Role::Value => value = Some((name, cell.number(name)?)),
            Role::Ts => ts = cell.timestamp(name)?,
            _ => {}
        }
    }
    let missing = |what: &str, aliases: &[&str]| {
        Problem::line(format!("no {what}: expected one of {}", aliases.join(", ")))
    };
    let user = user.ok_or_else(|| missing("user id", USER_COLUMNS))?;
    let item = item.ok_or_else(|| missing("item id", ITEM_COLUMNS))?;
    let kind = kind.unwrap_or_else(|| default_kind(value.map(|(name, _)| name)));
    let value = checked_value(&kind, value, rating_scale)?;
    Ok(InteractionRecord {
        user,
        item,
        kind,
        value,
        ts,
    })
}

/// The kind of an interaction without a kind column, from its value column's name.
fn default_kind(value_column: Option<&str>) -> EventKind {
    match value_column.map(str::to_ascii_lowercase).as_deref() {
        Some("rating") => EventKind::Rating,
        Some("strength") => EventKind::Strength,
        Some("duration_seconds") => EventKind::ViewTime,
        Some("weight" | "count") => EventKind::Play,
        _ => EventKind::View,
    }
}

/// The value an interaction of `kind` may have, from its value column (name and value).
/// A rating must lie on `rating_scale` when one was given; without, any finite number is
/// a rating, and the scale is the range the file's ratings span.
fn checked_value(
    kind: &EventKind,
    value: Option<(&str, Option<f64>)>,
    rating_scale: Option<RatingScale>,
) -> Result<f32, Problem> {
    let field = value.map_or("value", |(name, _)| name);
    let on_scale;
    let (low, high, meaning) = match kind {
        EventKind::Rating => match rating_scale {
            Some(scale) => {
                on_scale = format!("a rating from {} to {}", scale.low(), scale.high());
                (
                    f64::from(scale.low()),
                    f64::from(scale.high()),
                    on_scale.as_str(),
                )
            }
            None => (
                -f64::from(f32::MAX),
                f64::from(f32::MAX),
                "a rating (a number within the range of f32)",
            ),
        },
        EventKind::Strength => (1.0, 5.0, "a strength from 1 to 5"),
        EventKind::ViewTime => (0.0, f64::from(f32::MAX), "a number of seconds, 0 or more"),
        EventKind::Play => (0.0, f64::from(f32::MAX), "a play count, 0 or more"),
        _ => (
            -f64::from(f32::MAX),
            f64::from(f32::MAX),
            "a number within the range of f32",
        ),
    };
    match value.and_then(|(_, v)| v) {
        Some(v) if (low..=high).contains(&v) => Ok(v as f32),
        Some(v) => Err(Problem::field(
            field,
            format!("expected {meaning}, found {v}"),
        )),
        None => match kind {
            EventKind::Rating | EventKind::Strength | EventKind::ViewTime => Err(Problem::field(
                field,
                format!("is missing; a {kind} needs {meaning}"),
            )),
            EventKind::Play => Ok(1.0),
            _ => Ok(0.0),
        },
    }
}

fn user(row: &Row<'_>) -> Result<UserRecord, Problem> {
    let mut user = UserRecord::default();
    let mut id = None;
    for &(name, role, cell) in row {
        match role {
            Role::Id => id = Some(cell.id(name, "a user id")?),
            Role::Interests => user.interests = cell.list(name)?,
            Role::SkillLevel => user.skill_level = cell.text(name)?,
            Role::Gender => user.gender = cell.text(name)?,
            Role::Age => user.age = cell.whole(name, "an age in whole years")?,
            Role::Occupation => user.occupation = cell.text(name)?,
            Role::Zip => user.zip = cell.text(name)?,
            _ => {
                if let Some(value) = cell.attribute() {
                    user.attributes.insert(name.to_owned(), value);
                }
            }
        }
    }
    user.id = id.ok_or_else(|| {
        Problem::line(format!(
            "no user id: expected one of {}",
            USER_ID_COLUMNS.join(", ")
        ))
    })?;
    Ok(user)
}

fn item(row: &Row<'_>) -> Result<ItemRecord, Problem> {
    let mut item = ItemRecord::default();
    let mut id = None;
    for &(name, role, cell) in row {
        match role {
            Role::Id => id = Some(cell.id(name, "an item id")?),
            Role::Title => item.title = cell.text(name)?.unwrap_or_default(),
            Role::Category => {
                if let Some(text) = cell.text(name)? {
                    item.categories.push(category(&text));
                }
            }
            Role::Categories => item.categories.extend(cell.categories(name)?),
            Role::Genres => item.categories.extend(
                cell.list(name)?
                    .into_iter()
                    .filter(|g| g != "(no genres listed)")
                    .map(|g| Category::new("genre", g)),
            ),
            Role::Tags => item.tags = cell.list(name)?,
            Role::Description => item.description = cell.text(name)?,
            Role::Year => item.year = cell.whole(name, "a year")?,
            _ => {
                if let Some(value) = cell.attribute() {
                    item.attributes.insert(name.to_owned(), value);
                }
            }
        }
    }
    item.id = id.ok_or_else(|| {
        Problem::line(format!(
            "no item id: expected one of {}",
            ITEM_ID_COLUMNS.join(", ")
        ))
    })?;
    Ok(item)
}

/// `type:value`, or a plain value of type `category`.
fn category(text: &str) -> Category {
    match text.split_once(':') {
        Some((kind, value)) if !kind.trim().is_empty() && !value.trim().is_empty() => {
            Category::new(kind.trim(), value.trim())
        }
        _ => Category::new("category", text.trim()),
    }
}

impl Cell<'_> {
    fn json_kind(value: &Value) -> &'static str {
        match value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }

    /// A required id: text or a whole number.
    fn id(self, name: &str, what: &str) -> Result<String, Problem> {
        let id = match self {
            Cell::Text(text) => text.trim().to_owned(),
            Cell::Json(Value::String(text)) => text.trim().to_owned(),
            Cell::Json(Value::Number(n)) if n.is_i64() || n.is_u64() => n.to_string(),
            Cell::Json(Value::Null) => String::new(),
            Cell::Json(other) => {
                return Err(Problem::field(
                    name,
                    format!(
                        "expected {what} (text or a whole number), found {}",
                        Self::json_kind(other)
                    ),
                ));
            }
        };
        if id.is_empty() {
            Err(Problem::field(name, format!("is empty; expected {what}")))
        } else {
            Ok(id)
        }
    }

    /// Optional text, trimmed; `None` when blank.
    fn text(self, name: &str) -> Result<Option<String>, Problem> {
        let text = match self {
            Cell::Text(text) => text.trim().to_owned(),
            Cell::Json(Value::String(text)) => text.trim().to_owned(),
            Cell::Json(Value::Null) => String::new(),
            Cell::Json(value @ (Value::Number(_) | Value::Bool(_))) => value.to_string(),
            Cell::Json(other) => {
                return Err(Problem::field(
                    name,
                    format!("expected text, found {}", Self::json_kind(other)),
                ));
            }
        };
        Ok(Some(text).filter(|t| !t.is_empty()))
    }

    /// An optional finite number.
    fn number(self, name: &str) -> Result<Option<f64>, Problem> {
        match self {
            Cell::Json(Value::Number(n)) => Ok(n.as_f64()),
            Cell::Json(Value::Null) => Ok(None),
            Cell::Json(Value::String(text)) => Cell::Text(text).number(name),
            Cell::Text(text) if text.trim().is_empty() => Ok(None),
            Cell::Text(text) => finite_number(name, text).map(Some),
            Cell::Json(other) => Err(Problem::field(
                name,
                format!("expected a number, found {}", Self::json_kind(other)),
            )),
        }
    }

    /// An optional whole number that fits an `i32`.
    fn whole(self, name: &str, what: &str) -> Result<Option<i32>, Problem> {
        let Some(number) = self.number(name)? else {
            return Ok(None);
        };
        if number.fract() == 0.0 && (f64::from(i32::MIN)..=f64::from(i32::MAX)).contains(&number) {
            Ok(Some(number as i32))
        } else {
            Err(Problem::field(
                name,
                format!("expected {what}, found {number}"),
            ))
        }
    }

    /// A point in time; 0 when blank.
    fn timestamp(self, name: &str) -> Result<Timestamp, Problem> {
        let text = match self {
            Cell::Json(Value::Null) => return Ok(0),
            Cell::Json(Value::Number(n)) => {
                return match (n.as_i64(), n.as_f64()) {
                    (Some(seconds), _) => Ok(seconds),
                    (None, Some(v)) if v.is_finite() && v.abs() < 1e15 => Ok(v.floor() as i64),
                    _ => Err(Problem::field(
                        name,
                        format!("expected {DATETIME_FORMATS}, found {n}"),
                    )),
                };
            }
            Cell::Json(Value::String(text)) => return Cell::Text(text).timestamp(name),
            Cell::Text(text) => text,
            Cell::Json(other) => {
                return Err(Problem::field(
                    name,
                    format!(
                        "expected {DATETIME_FORMATS}, found {}",
                        Self::json_kind(other)
                    ),
                ));
            }
        };
        if text.trim().is_empty() {
            return Ok(0);
        }
        datetime(text).ok_or_else(|| {
            Problem::field(
                name,
                format!(
                    "expected {DATETIME_FORMATS}, found {}",
                    shown(text.as_bytes())
                ),
            )
        })
    }

    /// A list of strings: a JSON array, or text in the forms [`text_list`] reads.
    fn list(self, name: &str) -> Result<Vec<String>, Problem> {
        match self {
            Cell::Text(text) => text_list(text).map_err(|m| Problem::field(name, m)),
            Cell::Json(Value::String(text)) => Cell::Text(text).list(name),
            Cell::Json(Value::Null) => Ok(Vec::new()),
            Cell::Json(Value::Array(values)) => values
                .iter()
                .filter_map(|value| match value {
                    Value::String(s) if s.trim().is_empty() => None,
                    Value::String(s) => Some(Ok(s.trim().to_owned())),
                    Value::Number(n) => Some(Ok(n.to_string())),
                    Value::Null => None,
                    other => Some(Err(Problem::field(
                        name,
                        format!(
                            "expected a list of strings, found {} in it",
                            Self::json_kind(other)
                        ),
                    ))),
                })
                .collect(),
            Cell::Json(other) => Err(Problem::field(
                name,
                format!("expected a list, found {}", Self::json_kind(other)),
            )),
        }
    }

    /// Categories: a list of `type:value` strings, or JSON `{"type": …, "value": …}` objects.
    fn categories(self, name: &str) -> Result<Vec<Category>, Problem> {
        let Cell::Json(Value::Array(values)) = self else {
            return Ok(self.list(name)?.iter().map(|c| category(c)).collect());
        };
        let mut categories = Vec::with_capacity(values.len());
        for value in values {
            match value {
                Value::String(text) if !text.trim().is_empty() => categories.push(category(text)),
                Value::String(_) | Value::Null => {}
                Value::Object(object) => {
                    let field = |key: &str| object.get(key).and_then(Value::as_str);
                    match (field("type"), field("value")) {
                        (Some(kind), Some(value)) => categories.push(Category::new(kind, value)),
                        _ => {
                            return Err(Problem::field(
                                name,
                                "expected category objects with \"type\" and \"value\" strings",
                            ));
                        }
                    }
                }
                other => {
                    return Err(Problem::field(
                        name,
                        format!(
                            "expected categories as strings or objects, found {}",
                            Self::json_kind(other)
                        ),
                    ));
                }
            }
        }
        Ok(categories)
    }

    /// The value as a free-form attribute; `None` when blank.
    fn attribute(self) -> Option<Value> {
        match self {
            Cell::Text(text) if text.trim().is_empty() => None,
            Cell::Text(text) => Some(Value::String(text.trim().to_owned())),
            Cell::Json(Value::Null) => None,
            Cell::Json(value) => Some(value.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_row<'a>(
        entity: Entity,
        names: &'a [&'a str],
        values: &'a [&'a str],
    ) -> Vec<(&'a str, Role, Cell<'a>)> {
        let roles = assign_roles(entity, names);
        names
            .iter()
            .zip(roles)
            .zip(values)
            .map(|((name, role), value)| (*name, role, Cell::Text(value)))
            .collect()
    }

    #[test]
    fn detects_the_entity_from_column_names() {
        assert_eq!(
            detect_entity(&["userId", "movieId", "rating"]),
            Some(Entity::Interactions)
        );
        assert_eq!(
            detect_entity(&["User_ID", "interests"]),
            Some(Entity::Users)
        );
        assert_eq!(detect_entity(&["id", "title"]), Some(Entity::Items));
        assert_eq!(detect_entity(&["content_id", "title"]), Some(Entity::Items));
        assert_eq!(detect_entity(&["name", "title"]), None);
        let error = entity_for(&["user_id", "name"], Some(Entity::Items)).unwrap_err();
        assert!(
            error.starts_with("a file of items needs an item id column"),
            "{error}"
        );
        assert_eq!(
            entity_for(&["id", "age"], Some(Entity::Users)),
            Ok(Entity::Users)
        );
    }

    #[test]
    fn the_earliest_alias_wins_a_role() {
        let roles = assign_roles(Entity::Interactions, &["rating", "value", "user", "item"]);
        assert_eq!(roles, [Role::Other, Role::Value, Role::User, Role::Item]);
    }

    #[test]
    fn interactions_take_their_kind_from_the_value_column() {
        let names = ["user_id", "item_id", "rating", "created_at"];
        let row = text_row(
            Entity::Interactions,
            &names,
            &["u1", "i1", "4.5", "2024-01-02 03:04:05"],
        );
        let record = interaction(&row, None).unwrap();
        assert_eq!(record.kind, EventKind::Rating);
        assert_eq!(record.value, 4.5);
        assert_eq!(record.ts, 1704164645);

        let names = ["user", "item", "weight"];
        let row = text_row(Entity::Interactions, &names, &["u1", "i1", "12"]);
        assert_eq!(interaction(&row, None).unwrap().kind, EventKind::Play);

        let names = ["user", "item"];
        let row = text_row(Entity::Interactions, &names, &["u1", "i1"]);
        let record = interaction(&row, None).unwrap();
        assert_eq!(
            (record.kind, record.value, record.ts),
            (EventKind::View, 0.0, 0)
        );

        let names = ["user", "item", "event", "value"];
        let row = text_row(Entity::Interactions, &names, &["u1", "i1", "share", ""]);
        assert_eq!(
            interaction(&row, None).unwrap().kind,
            EventKind::Custom("share".into())
        );
    }

    #[test]
    fn interaction_values_are_checked_by_kind() {
        let names = ["user", "item", "rating"];
        let stars = Some(RatingScale::STARS);
        let row = text_row(Entity::Interactions, &names, &["u1", "i1", "7"]);
        let error = interaction(&row, stars).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("rating"));
        assert_eq!(error.message, "expected a rating from 0.5 to 5, found 7");
        // Without a given scale, any number is a rating (the scale is read off the file).
        assert_eq!(interaction(&row, None).unwrap().value, 7.0);
        let row = text_row(Entity::Interactions, &names, &["u1", "i1", "-9.5"]);
        assert_eq!(interaction(&row, None).unwrap().value, -9.5);

        let row = text_row(Entity::Interactions, &names, &["u1", "i1", ""]);
        let error = interaction(&row, stars).unwrap_err();
        assert_eq!(
            error.message,
            "is missing; a rating needs a rating from 0.5 to 5"
        );

        let row = text_row(Entity::Interactions, &names, &["u1", "i1", "NaN"]);
        assert!(interaction(&row, None).is_err());

        let names = ["user", "item", "kind", "value"];
        let row = text_row(Entity::Interactions, &names, &["u1", "i1", "play", "-3"]);
        assert!(interaction(&row, None).is_err());
        let row = text_row(Entity::Interactions, &names, &["u1", "", "view", ""]);
        let error = interaction(&row, None).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("item"));
    }

    #[test]
    fn users_and_items_from_text_rows() {
        let names = ["user_id", "interests", "skill_level", "age", "city"];
        let row = text_row(
            Entity::Users,
            &names,
            &["7", "ai; robotics", "beginner", "34", "Oslo"],
        );
        let user = user(&row).unwrap();
        assert_eq!(user.id, "7");
        assert_eq!(user.interests, ["ai", "robotics"]);
        assert_eq!(user.skill_level.as_deref(), Some("beginner"));
        assert_eq!(user.age, Some(34));
        assert_eq!(user.attributes["city"], "Oslo");

        let names = [
            "content_id",
            "title",
            "category",
            "categories",
            "tags",
            "year",
            "url",
        ];
        let values = [
            "c1",
            "Intro to ML",
            "ML",
            "Planet:Gas Giant|level:intro",
            "[\"a\",\"b\"]",
            "2020",
            "http://x",
        ];
        let row = text_row(Entity::Items, &names, &values);
        let item = item(&row).unwrap();
        assert_eq!(item.id, "c1");
        assert_eq!(
            item.categories,
            [
                Category::new("category", "ML"),
                Category::new("Planet", "Gas Giant"),
                Category::new("level", "intro"),
            ]
        );
        assert_eq!(item.tags, ["a", "b"]);
        assert_eq!(item.year, Some(2020));
        assert_eq!(item.attributes["url"], "http://x");
    }

    #[test]
    fn json_lines_take_numbers_arrays_and_objects() {
        let mut entity = None;
        let line = br#"{"id": 12, "title": "Io", "categories": [{"type": "Moon", "value": "Jupiter"}], "mass": 8.9}"#;
        let Record::Item(item) = json_record(line, None, &mut entity, None).unwrap() else {
            panic!("expected an item");
        };
        assert_eq!(entity, Some(Entity::Items));
        assert_eq!(item.id, "12");
        assert_eq!(item.categories, [Category::new("Moon", "Jupiter")]);
        assert_eq!(item.attributes["mass"], 8.9);

        let mut entity = None;
        let line = br#"{"user": "a", "item": 3, "event_type": "view_time", "duration_seconds": 42, "ts": 1700000000}"#;
        let Record::Interaction(event) = json_record(line, None, &mut entity, None).unwrap() else {
            panic!("expected an interaction");
        };
        assert_eq!(
            (event.item.as_str(), event.kind, event.value, event.ts),
            ("3", EventKind::ViewTime, 42.0, 1700000000)
        );

        let error = json_record(b"[1, 2]", None, &mut None, None).unwrap_err();
        assert!(
            error
                .message
                .starts_with("expected one JSON object per line"),
            "{}",
            error.message
        );
        let error =
            json_record(br#"{"user": "a", "item": 1.5}"#, None, &mut None, None).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("item"));
    }
}
