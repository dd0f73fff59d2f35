//! One import, one transaction: [`ImportTx`] takes batches of records and writes them
//! with bulk statements, and nothing of it is visible until [`ImportTx::commit`].
//!
//! Users and items are upserted by external id and remembered (external id → row id) for
//! the whole import, so that interactions can be written as plain integer rows.
//! An interaction is identified by (user, item, kind, ts): one that repeats a stored event
//! with the same value is skipped, which makes re-running an import a no-op, and one with
//! another value replaces the stored value (a user who changes a rating within the second
//! keeps the last one, not the first).

use std::borrow::Cow;
use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::time::{SystemTime, UNIX_EPOCH};

use orrery_core::{Category, InteractionRecord, ItemRecord, Record, UserRecord};
use serde::Serialize;

use crate::Error;
use crate::columns::{ItemColumns, UserColumns, distinct_categories, merge_item, merge_user};
use crate::postgres::PostgresImport;
use crate::sqlite::SqliteImport;

/// What an import changed, once committed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    /// Users created or changed (a user created by an interaction counts once).
    pub users: u64,
    /// Items created or changed (categories included).
    pub items: u64,
    /// Interactions written: new ones, and new values for stored ones.
    pub interactions_inserted: u64,
    /// Interactions that were already stored (same user, item, kind, time and value) or
    /// repeated later in their batch, and so were left alone.
    pub interactions_skipped: u64,
}

/// How many records a transaction is for, which decides how it locks on PostgreSQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Write {
    /// An import of a file or a dataset: may take the initial-load path.
    Bulk,
    /// A few records from the API: locks only the rows it writes.
    Single,
}

/// An import in progress: one database transaction.
///
/// Dropping it without [`commit`](Self::commit) rolls everything back, and so does a
/// process that dies half-way. After a failed [`write`](Self::write) the import can only
/// be rolled back: [`commit`](Self::commit) refuses, so a half-written batch never lands.
pub struct ImportTx {
    backend: Backend,
    state: ImportState,
    failed: bool,
}

enum Backend {
    Sqlite(SqliteImport),
    Postgres(PostgresImport),
}

/// An import's connection, by engine.
pub(crate) enum Connection<'a> {
    Sqlite(&'a mut sqlx::SqliteConnection),
    Postgres(&'a mut sqlx::PgConnection),
}

impl ImportTx {
    pub(crate) fn sqlite(import: SqliteImport) -> Self {
        Self::new(Backend::Sqlite(import))
    }

    pub(crate) fn postgres(import: PostgresImport) -> Self {
        Self::new(Backend::Postgres(import))
    }

    fn new(backend: Backend) -> Self {
        Self {
            backend,
            state: ImportState::default(),
            failed: false,
        }
    }

    /// Writes a batch of records of any kinds.
    ///
    /// - Users and items are upserted by external id. A field the new record lacks (an
    ///   empty list or string, `None`, an empty map) keeps its stored value; attribute
    ///   maps merge key by key; categories, when given, replace the stored ones. Writing
    ///   the same record again changes nothing, not even `updated_at`.
    /// - Interactions name users and items by external id; unknown ids are created by id
    ///   alone. An interaction already stored with the same (user, item, kind, ts) and
    ///   value is skipped; with another value, the new value replaces it (and within a
    ///   batch the last of such events wins). Values must be finite numbers.
    ///
    /// Records are checked before anything is written; an invalid one fails the batch with
    /// its position. Any error leaves the import only able to roll back.
    pub async fn write(&mut self, batch: &[Record]) -> Result<(), Error> {
        if self.failed {
            return Err(Error::ImportAborted);
        }
        let result = match &mut self.backend {
            Backend::Sqlite(b) => write_batch(b, &mut self.state, batch).await,
            Backend::Postgres(b) => write_batch(b, &mut self.state, batch).await,
        };
        if result.is_err() {
            self.failed = true;
        }
        result
    }

    /// Commits the import and says what it changed.
    ///
    /// Fails with [`Error::ImportAborted`] (after rolling back) if a `write` failed.
    pub async fn commit(self) -> Result<ImportSummary, Error> {
        if self.failed {
            self.rollback().await?;
            return Err(Error::ImportAborted);
        }
        match self.backend {
            Backend::Sqlite(b) => b.commit().await?,
            Backend::Postgres(b) => b.commit().await?,
        }
        Ok(self.state.summary())
    }

    /// Discards everything this import wrote.
    pub async fn rollback(self) -> Result<(), Error> {
        match self.backend {
            Backend::Sqlite(b) => b.rollback().await,
            Backend::Postgres(b) => b.rollback().await,
        }
    }

    /// The transaction's connection, for statements outside the batch writes.
    pub(crate) fn connection(&mut self) -> Connection<'_> {
        match &mut self.backend {
            Backend::Sqlite(b) => Connection::Sqlite(b.connection()),
            Backend::Postgres(b) => Connection::Postgres(b.connection()),
        }
    }

    /// What the import has changed so far (not yet committed).
    pub fn progress(&self) -> ImportSummary {
        self.state.summary()
    }
}

/// The two tables whose rows are addressed by external id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Entity {
    User,
    Item,
}

/// An interaction with its user and item resolved to row ids.
pub(crate) struct InteractionRow<'a> {
    pub user_id: i64,
    pub item_id: i64,
    pub kind: &'a str,
    pub value: f32,
    pub ts: i64,
}

/// One category row of an item.
pub(crate) struct CategoryRow<'a> {
    pub item_id: i64,
    pub kind: &'a str,
    pub value: &'a str,
    pub position: i32,
}

/// The statements an import needs, one implementation per database.
///
/// Every method takes a whole batch; implementations split it into statements as their
/// database likes (bound-parameter limits, arrays).
pub(crate) trait ImportStatements {
    /// Upserts users; returns (row id, external id) of those inserted or changed.
    fn upsert_users(
        &mut self,
        rows: &[UserColumns<'_>],
        now: i64,
    ) -> impl Future<Output = Result<Vec<(i64, String)>, Error>> + Send;

    /// Upserts items (not their categories); returns those inserted or changed.
    fn upsert_items(
        &mut self,
        rows: &[ItemColumns<'_>],
        now: i64,
    ) -> impl Future<Output = Result<Vec<(i64, String)>, Error>> + Send;

    /// The row ids of those external ids that are stored.
    fn find_ids(
        &mut self,
        entity: Entity,
        ext_ids: &[&str],
    ) -> impl Future<Output = Result<Vec<(i64, String)>, Error>> + Send;

    /// Creates rows known by id alone; returns those it created (an id stored meanwhile by
    /// someone else is not returned).
    fn create_ids(
        &mut self,
        entity: Entity,
        ext_ids: &[&str],
        now: i64,
    ) -> impl Future<Output = Result<Vec<(i64, String)>, Error>> + Send;

    /// The stored categories of these items as (item id, type, value), by item and position.
    fn categories_of(
        &mut self,
        item_ids: &[i64],
    ) -> impl Future<Output = Result<Vec<(i64, String, String)>, Error>> + Send;

    /// Replaces the categories of these items by `rows` and touches their `updated_at`.
    fn replace_categories(
        &mut self,
        item_ids: &[i64],
        rows: &[CategoryRow<'_>],
        now: i64,
    ) -> impl Future<Output = Result<(), Error>> + Send;

    /// Inserts interactions, skipping stored duplicates; returns how many were inserted.
    fn insert_interactions(
        &mut self,
        rows: &[InteractionRow<'_>],
    ) -> impl Future<Output = Result<u64, Error>> + Send;
}

/// What an import remembers between batches.
#[derive(Default)]
struct ImportState {
    user_ids: HashMap<String, i64>,
    item_ids: HashMap<String, i64>,
    changed_users: HashSet<i64>,
    changed_items: HashSet<i64>,
    interactions_inserted: u64,
    interactions_skipped: u64,
}

impl ImportState {
    fn summary(&self) -> ImportSummary {
        ImportSummary {
            users: self.changed_users.len() as u64,
            items: self.changed_items.len() as u64,
            interactions_inserted: self.interactions_inserted,
            interactions_skipped: self.interactions_skipped,
        }
    }

    fn ids(&mut self, entity: Entity) -> (&mut HashMap<String, i64>, &mut HashSet<i64>) {
        match entity {
            Entity::User => (&mut self.user_ids, &mut self.changed_users),
            Entity::Item => (&mut self.item_ids, &mut self.changed_items),
        }
    }
}

/// A batch sorted by kind, checked, with repeated users and items folded together.
struct Batch<'a> {
    users: Vec<Cow<'a, UserRecord>>,
    items: Vec<Cow<'a, ItemRecord>>,
    interactions: Vec<&'a InteractionRecord>,
}

impl<'a> Batch<'a> {
    fn prepare(records: &'a [Record]) -> Result<Self, Error> {
        let mut users: Vec<Cow<'a, UserRecord>> = Vec::new();
        let mut items: Vec<Cow<'a, ItemRecord>> = Vec::new();
        let mut user_pos: HashMap<&'a str, usize> = HashMap::new();
        let mut item_pos: HashMap<&'a str, usize> = HashMap::new();
        let mut interactions = Vec::with_capacity(records.len());
        for (index, record) in records.iter().enumerate() {
            let invalid = |what: String, reason: &str| Error::InvalidRecord {
                index,
                what,
                reason: reason.to_owned(),
            };
            match record {
                Record::User(user) => {
                    if user.id.trim().is_empty() {
                        return Err(invalid("user".into(), "the user id is empty"));
                    }
                    match user_pos.get(user.id.as_str()) {
                        Some(&at) => merge_user(users[at].to_mut(), user),
                        None => {
                            user_pos.insert(&user.id, users.len());
                            users.push(Cow::Borrowed(user));
                        }
                    }
                }
                Record::Item(item) => {
                    if item.id.trim().is_empty() {
                        return Err(invalid("item".into(), "the item id is empty"));
                    }
                    match item_pos.get(item.id.as_str()) {
                        Some(&at) => merge_item(items[at].to_mut(), item),
                        None => {
                            item_pos.insert(&item.id, items.len());
                            items.push(Cow::Borrowed(item));
                        }
                    }
                }
                Record::Interaction(event) => {
                    let what = || {
                        format!(
                            "{} of user {:?} on item {:?} at {}",
                            event.kind, event.user, event.item, event.ts
                        )
                    };
                    if event.user.trim().is_empty() {
                        return Err(invalid(what(), "the user id is empty"));
                    }
                    if event.item.trim().is_empty() {
                        return Err(invalid(what(), "the item id is empty"));
                    }
                    if !event.value.is_finite() {
                        return Err(invalid(
                            what(),
                            &format!("the value is {}; it must be a finite number", event.value),
                        ));
                    }
                    interactions.push(event);
                }
            }
        }
        Ok(Self {
            users,
            items,
            interactions,
        })
    }
}

/// Seconds since the Unix epoch, now.
pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

async fn write_batch<S: ImportStatements>(
    db: &mut S,
    state: &mut ImportState,
    records: &[Record],
) -> Result<(), Error> {
    let batch = Batch::prepare(records)?;
    let now = unix_now();

    if !batch.users.is_empty() {
        let rows = batch
            .users
            .iter()
            .map(|u| UserColumns::new(u))
            .collect::<Result<Vec<_>, _>>()?;
        let changed = db.upsert_users(&rows, now).await?;
        remember(state, Entity::User, changed, true);
    }
    if !batch.items.is_empty() {
        let rows = batch
            .items
            .iter()
            .map(|i| ItemColumns::new(i))
            .collect::<Result<Vec<_>, _>>()?;
        let changed = db.upsert_items(&rows, now).await?;
        remember(state, Entity::Item, changed, true);
    }

    let with_categories: Vec<&ItemRecord> = batch
        .items
        .iter()
        .map(|i| i.as_ref())
        .filter(|i| !i.categories.is_empty())
        .collect();
    let users_named = batch.interactions.iter().map(|e| e.user.as_str());
    let items_named = batch
        .interactions
        .iter()
        .map(|e| e.item.as_str())
        .chain(with_categories.iter().map(|i| i.id.as_str()));
    resolve(db, state, Entity::User, users_named, now).await?;
    resolve(db, state, Entity::Item, items_named, now).await?;

    if !with_categories.is_empty() {
        replace_changed_categories(db, state, &with_categories, now).await?;
    }

    if !batch.interactions.is_empty() {
        let mut rows = Vec::with_capacity(batch.interactions.len());
        // Position of each event key in `rows`: a later event with the same key takes the
        // earlier one's place, because one statement may not write a row twice.
        let mut position: HashMap<(i64, i64, &str, i64), usize> = HashMap::new();
        for event in &batch.interactions {
            let row = InteractionRow {
                user_id: known_id(&state.user_ids, &event.user)?,
                item_id: known_id(&state.item_ids, &event.item)?,
                kind: event.kind.as_str(),
                value: event.value,
                ts: event.ts,
            };
            match position.entry((row.user_id, row.item_id, row.kind, row.ts)) {
                Entry::Occupied(at) => rows[*at.get()] = row,
                Entry::Vacant(at) => {
                    at.insert(rows.len());
                    rows.push(row);
                }
            }
        }
        let inserted = db.insert_interactions(&rows).await?;
        let events = batch.interactions.len() as u64;
        state.interactions_inserted += inserted;
        state.interactions_skipped += events - inserted.min(events);
    }
    Ok(())
}

fn remember(state: &mut ImportState, entity: Entity, rows: Vec<(i64, String)>, changed: bool) {
    let (ids, changed_set) = state.ids(entity);
    for (id, ext_id) in rows {
        if changed {
            changed_set.insert(id);
        }
        ids.insert(ext_id, id);
    }
}

fn known_id(ids: &HashMap<String, i64>, ext_id: &str) -> Result<i64, Error> {
    ids.get(ext_id).copied().ok_or_else(|| Error::Corrupt {
        what: format!("id {ext_id:?}"),
        reason: "it was neither found nor created during the import".into(),
    })
}

/// Makes sure every named external id has a row id: looks up those not yet known, creates
/// the ones that are not stored, and looks up again any that a concurrent writer created.
async fn resolve<'a, S: ImportStatements>(
    db: &mut S,
    state: &mut ImportState,
    entity: Entity,
    named: impl Iterator<Item = &'a str>,
    now: i64,
) -> Result<(), Error> {
    let mut missing: Vec<&str> = {
        let (ids, _) = state.ids(entity);
        let mut seen = HashSet::new();
        named
            .filter(|id| !ids.contains_key(*id) && seen.insert(*id))
            .collect()
    };
    if missing.is_empty() {
        return Ok(());
    }
    let found = db.find_ids(entity, &missing).await?;
    remember(state, entity, found, false);
    missing.retain(|id| !state.ids(entity).0.contains_key(*id));
    if missing.is_empty() {
        return Ok(());
    }
    let created = db.create_ids(entity, &missing, now).await?;
    remember(state, entity, created, true);
    missing.retain(|id| !state.ids(entity).0.contains_key(*id));
    if missing.is_empty() {
        return Ok(());
    }
    let found = db.find_ids(entity, &missing).await?;
    remember(state, entity, found, false);
    Ok(())
}

/// Writes the categories of those items whose stored categories differ.
async fn replace_changed_categories<S: ImportStatements>(
    db: &mut S,
    state: &mut ImportState,
    items: &[&ItemRecord],
    now: i64,
) -> Result<(), Error> {
    let mut wanted: Vec<(i64, Vec<&Category>)> = Vec::with_capacity(items.len());
    for item in items {
        wanted.push((
            known_id(&state.item_ids, &item.id)?,
            distinct_categories(&item.categories),
        ));
    }
    let ids: Vec<i64> = wanted.iter().map(|(id, _)| *id).collect();
    let mut stored: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    for (id, kind, value) in db.categories_of(&ids).await? {
        stored.entry(id).or_default().push((kind, value));
    }
    let mut changed_ids = Vec::new();
    let mut rows = Vec::new();
    for (id, categories) in &wanted {
        let same = stored.get(id).is_some_and(|old| {
            old.len() == categories.len()
                && old
                    .iter()
                    .zip(categories)
                    .all(|((k, v), c)| *k == c.kind && *v == c.value)
        });
        if same {
            continue;
        }
        changed_ids.push(*id);
        rows.extend(
            categories
                .iter()
                .enumerate()
                .map(|(position, c)| CategoryRow {
                    item_id: *id,
                    kind: &c.kind,
                    value: &c.value,
                    position: position as i32,
                }),
        );
    }
    if !changed_ids.is_empty() {
        db.replace_categories(&changed_ids, &rows, now).await?;
        state.changed_items.extend(changed_ids);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use orrery_core::EventKind;

    fn rating(user: &str, item: &str, value: f32) -> Record {
        Record::Interaction(InteractionRecord {
            user: user.into(),
            item: item.into(),
            kind: EventKind::Rating,
            value,
            ts: 1,
        })
    }

    #[test]
    fn batches_fold_repeated_users_and_items() {
        let records = vec![
            Record::User(UserRecord {
                gender: Some("M".into()),
                ..UserRecord::with_id("u1")
            }),
            rating("u1", "i1", 4.0),
            Record::User(UserRecord {
                age: Some(30),
                ..UserRecord::with_id("u1")
            }),
            Record::Item(ItemRecord::with_id("i1")),
        ];
        let batch = Batch::prepare(&records).unwrap();
        assert_eq!(batch.users.len(), 1);
        assert_eq!(batch.users[0].gender.as_deref(), Some("M"));
        assert_eq!(batch.users[0].age, Some(30));
        assert_eq!(batch.items.len(), 1);
        assert_eq!(batch.interactions.len(), 1);
    }

    #[test]
    fn invalid_records_are_named_by_position() {
        let records = vec![rating("u1", "i1", 4.0), rating("u1", "i2", f32::NAN)];
        let err = Batch::prepare(&records)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.starts_with("record 1 of the batch"), "{err}");
        assert!(err.contains("finite"), "{err}");
        let records = vec![rating("", "i1", 4.0)];
        assert!(Batch::prepare(&records).is_err());
        let records = vec![Record::Item(ItemRecord::with_id(" "))];
        assert!(Batch::prepare(&records).is_err());
    }
}
