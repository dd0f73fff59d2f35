//! PostgreSQL: connecting, and the import statements.
//!
//! Bulk writes bind one array per column and insert `SELECT … FROM UNNEST(…)`, so a batch
//! of any size is one statement with a fixed text (prepared once per connection).

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{AssertSqlSafe, ConnectOptions, Connection, Postgres, Transaction};

use crate::columns::{ItemColumns, UserColumns};
use crate::error::Context;
use crate::import::{CategoryRow, Entity, ImportStatements, InteractionRow, Write};
use crate::{Backend, Error};

/// Interactions per statement: large enough to amortise the round trip, small enough to
/// keep the arrays of one statement to a few megabytes.
const INTERACTION_ROWS: usize = 50_000;

/// What to check when PostgreSQL cannot be reached.
pub(crate) const POSTGRES_HINT: &str =
    "check that the server is running, that the database exists and that the credentials are right";

/// Connects and brings the schema up to date.
pub(crate) async fn connect(options: PgConnectOptions, url: &str) -> Result<PgPool, Error> {
    let connect_error = |source| Error::Connect {
        hint: POSTGRES_HINT,
        backend: Backend::Postgres,
        url: crate::url::mask_password(url),
        source,
    };
    // One connection first: the pool retries failed connections until its acquire
    // timeout and then reports only the timeout, while this says what is wrong at once.
    options
        .connect()
        .await
        .map_err(connect_error)?
        .close()
        .await
        .map_err(connect_error)?;
    let pool = PgPoolOptions::new()
        .max_connections(10)
        .connect_with(options)
        .await
        .map_err(connect_error)?;
    sqlx::migrate!("./migrations/postgres")
        .run(&pool)
        .await
        .map_err(|source| Error::Migrate {
            backend: Backend::Postgres,
            source,
        })?;
    Ok(pool)
}

/// An import on PostgreSQL: one transaction.
pub(crate) struct PostgresImport {
    tx: Transaction<'static, Postgres>,
    /// Whether this import dropped the foreign keys of `interactions` and must add them back.
    foreign_keys_dropped: bool,
}

/// The foreign keys of `interactions` as the migrations create them, by name, in the form
/// `pg_get_constraintdef` prints.
const INTERACTION_FOREIGN_KEYS: [(&str, &str); 2] = [
    (
        "interactions_user_id_fkey",
        "FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE",
    ),
    (
        "interactions_item_id_fkey",
        "FOREIGN KEY (item_id) REFERENCES items(id) ON DELETE CASCADE",
    ),
];

impl PostgresImport {
    /// The transaction's connection.
    pub(crate) fn connection(&mut self) -> &mut sqlx::PgConnection {
        &mut self.tx
    }

    /// Starts the import transaction.
    ///
    /// A bulk import into an empty `interactions` table is an initial load, and takes the
    /// path PostgreSQL's manual advises for populating a database: it locks the table,
    /// drops its two foreign keys and adds them back just before committing, which checks
    /// every row with one join instead of two trigger calls per inserted row (more than
    /// half the time of a large import). Until it commits, other sessions' writes of users,
    /// items and interactions wait for it. Imports into a table that holds interactions,
    /// and every [`Write::Single`]
    /// (the API's one-row writes), keep the keys and take no extra lock: an API write
    /// that locked the whole table would queue every other request behind it, and two
    /// of them could deadlock.
    pub(crate) async fn begin(pool: &PgPool, write: Write) -> Result<Self, Error> {
        // Checked before the transaction starts, so that the transaction holds no lock on
        // `interactions` when it asks for the exclusive one: upgrading a lock it already
        // holds could deadlock with another import doing the same.
        let initial_load = write == Write::Bulk && interactions_empty(pool).await?;
        let mut tx = pool
            .begin()
            .await
            .context("starting the import transaction")?;
        let foreign_keys_dropped = initial_load && drop_foreign_keys_if_empty(&mut tx).await?;
        Ok(Self {
            tx,
            foreign_keys_dropped,
        })
    }

    pub(crate) async fn commit(mut self) -> Result<(), Error> {
        if self.foreign_keys_dropped {
            let add = INTERACTION_FOREIGN_KEYS
                .iter()
                .map(|(name, definition)| format!("ADD CONSTRAINT {name} {definition}"))
                .collect::<Vec<_>>()
                .join(", ");
            sqlx::query(AssertSqlSafe(format!("ALTER TABLE interactions {add}")))
                .execute(&mut *self.tx)
                .await
                .context("restoring the foreign keys of interactions")?;
        }
        self.tx.commit().await.context("committing the import")
    }

    pub(crate) async fn rollback(self) -> Result<(), Error> {
        self.tx.rollback().await.context("rolling back the import")
    }
}

const INTERACTIONS_EMPTY: &str = "SELECT NOT EXISTS (SELECT 1 FROM interactions)";

/// Whether `interactions` holds no row, read outside any transaction.
async fn interactions_empty(pool: &PgPool) -> Result<bool, Error> {
    sqlx::query_scalar(INTERACTIONS_EMPTY)
        .fetch_one(pool)
        .await
        .context("preparing an import")
}

/// Takes every lock the initial load needs (dropping and adding the keys locks the tables
/// they reference too), without ever waiting while holding one: each attempt asks for all
/// of them with `NOWAIT` inside a savepoint, and a refusal releases what it got. A load
/// that waited for a table while holding another could deadlock with a writer that holds
/// the first and wants the second. Returns false when the tables stayed busy.
async fn lock_for_initial_load(tx: &mut Transaction<'static, Postgres>) -> Result<bool, Error> {
    const CONTEXT: &str = "locking the tables for an initial load";
    const ATTEMPTS: u32 = 40;
    for attempt in 0..ATTEMPTS {
        sqlx::query("SAVEPOINT initial_load")
            .execute(&mut **tx)
            .await
            .context(CONTEXT)?;
        let mut locked = sqlx::query("LOCK TABLE users, items IN SHARE ROW EXCLUSIVE MODE NOWAIT")
            .execute(&mut **tx)
            .await;
        if locked.is_ok() {
            locked = sqlx::query("LOCK TABLE interactions IN ACCESS EXCLUSIVE MODE NOWAIT")
                .execute(&mut **tx)
                .await;
        }
        match locked {
            Ok(_) => {
                sqlx::query("RELEASE SAVEPOINT initial_load")
                    .execute(&mut **tx)
                    .await
                    .context(CONTEXT)?;
                return Ok(true);
            }
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("55P03") => {
                sqlx::query("ROLLBACK TO SAVEPOINT initial_load")
                    .execute(&mut **tx)
                    .await
                    .context(CONTEXT)?;
                if attempt + 1 < ATTEMPTS {
                    tokio::time::sleep(std::time::Duration::from_millis(25)).await;
                }
            }
            Err(e) => return Err(e).context(CONTEXT),
        }
    }
    Ok(false)
}

/// Locks `interactions` and drops its foreign keys if the table is still empty and the
/// keys are exactly the ones the migrations made (a schema changed by hand is left
/// alone). Returns whether it dropped them.
async fn drop_foreign_keys_if_empty(
    tx: &mut Transaction<'static, Postgres>,
) -> Result<bool, Error> {
    const CONTEXT: &str = "preparing an initial load";
    if !lock_for_initial_load(tx).await? {
        // Writers kept the tables busy: an ordinary import, keys kept, is as correct.
        return Ok(false);
    }
    // Another import may have filled the table while this one waited for the lock.
    let still_empty: bool = sqlx::query_scalar(INTERACTIONS_EMPTY)
        .fetch_one(&mut **tx)
        .await
        .context(CONTEXT)?;
    let keys: Vec<(String, String)> = sqlx::query_as(
        "SELECT conname::text, pg_get_constraintdef(oid) FROM pg_constraint \
         WHERE conrelid = 'interactions'::regclass AND contype = 'f' ORDER BY conname",
    )
    .fetch_all(&mut **tx)
    .await
    .context(CONTEXT)?;
    let as_migrated = keys.len() == INTERACTION_FOREIGN_KEYS.len()
        && INTERACTION_FOREIGN_KEYS
            .iter()
            .all(|(name, def)| keys.iter().any(|(n, d)| n == name && d == def));
    if !(still_empty && as_migrated) {
        return Ok(false);
    }
    let drop = INTERACTION_FOREIGN_KEYS
        .iter()
        .map(|(name, _)| format!("DROP CONSTRAINT {name}"))
        .collect::<Vec<_>>()
        .join(", ");
    sqlx::query(AssertSqlSafe(format!("ALTER TABLE interactions {drop}")))
        .execute(&mut **tx)
        .await
        .context(CONTEXT)?;
    Ok(true)
}

/// A field the new row lacks keeps the stored value; the row is rewritten only when a value
/// actually changes, so re-importing the same user is a no-op and returns no row.
const UPSERT_USERS: &str = "
INSERT INTO users AS u (ext_id, interests, skill_level, gender, age, occupation, zip, attributes,
                        created_at, updated_at)
SELECT t.ext_id, t.interests, t.skill_level, t.gender, t.age, t.occupation, t.zip, t.attributes,
       $9::int8, $9::int8
FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::int4[], $6::text[], $7::text[],
            $8::text[])
     AS t (ext_id, interests, skill_level, gender, age, occupation, zip, attributes)
ON CONFLICT (ext_id) DO UPDATE SET
    interests = COALESCE(EXCLUDED.interests, u.interests),
    skill_level = COALESCE(EXCLUDED.skill_level, u.skill_level),
    gender = COALESCE(EXCLUDED.gender, u.gender),
    age = COALESCE(EXCLUDED.age, u.age),
    occupation = COALESCE(EXCLUDED.occupation, u.occupation),
    zip = COALESCE(EXCLUDED.zip, u.zip),
    attributes = CASE WHEN EXCLUDED.attributes IS NULL THEN u.attributes
                      WHEN u.attributes IS NULL THEN EXCLUDED.attributes
                      ELSE (u.attributes::jsonb || EXCLUDED.attributes::jsonb)::text END,
    updated_at = EXCLUDED.updated_at
WHERE (EXCLUDED.interests IS NOT NULL AND EXCLUDED.interests IS DISTINCT FROM u.interests)
   OR (EXCLUDED.skill_level IS NOT NULL AND EXCLUDED.skill_level IS DISTINCT FROM u.skill_level)
   OR (EXCLUDED.gender IS NOT NULL AND EXCLUDED.gender IS DISTINCT FROM u.gender)
   OR (EXCLUDED.age IS NOT NULL AND EXCLUDED.age IS DISTINCT FROM u.age)
   OR (EXCLUDED.occupation IS NOT NULL AND EXCLUDED.occupation IS DISTINCT FROM u.occupation)
   OR (EXCLUDED.zip IS NOT NULL AND EXCLUDED.zip IS DISTINCT FROM u.zip)
   OR (EXCLUDED.attributes IS NOT NULL AND (u.attributes IS NULL
       OR (u.attributes::jsonb || EXCLUDED.attributes::jsonb) IS DISTINCT FROM u.attributes::jsonb))
RETURNING u.id, u.ext_id";

/// See [`UPSERT_USERS`].
const UPSERT_ITEMS: &str = "
INSERT INTO items AS i (ext_id, title, tags, description, year, attributes, created_at, updated_at)
SELECT t.ext_id, t.title, t.tags, t.description, t.year, t.attributes, $7::int8, $7::int8
FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::int4[], $6::text[])
     AS t (ext_id, title, tags, description, year, attributes)
ON CONFLICT (ext_id) DO UPDATE SET
    title = COALESCE(EXCLUDED.title, i.title),
    tags = COALESCE(EXCLUDED.tags, i.tags),
    description = COALESCE(EXCLUDED.description, i.description),
    year = COALESCE(EXCLUDED.year, i.year),
    attributes = CASE WHEN EXCLUDED.attributes IS NULL THEN i.attributes
                      WHEN i.attributes IS NULL THEN EXCLUDED.attributes
                      ELSE (i.attributes::jsonb || EXCLUDED.attributes::jsonb)::text END,
    updated_at = EXCLUDED.updated_at
WHERE (EXCLUDED.title IS NOT NULL AND EXCLUDED.title IS DISTINCT FROM i.title)
   OR (EXCLUDED.tags IS NOT NULL AND EXCLUDED.tags IS DISTINCT FROM i.tags)
   OR (EXCLUDED.description IS NOT NULL AND EXCLUDED.description IS DISTINCT FROM i.description)
   OR (EXCLUDED.year IS NOT NULL AND EXCLUDED.year IS DISTINCT FROM i.year)
   OR (EXCLUDED.attributes IS NOT NULL AND (i.attributes IS NULL
       OR (i.attributes::jsonb || EXCLUDED.attributes::jsonb) IS DISTINCT FROM i.attributes::jsonb))
RETURNING i.id, i.ext_id";

impl ImportStatements for PostgresImport {
    async fn upsert_users(
        &mut self,
        rows: &[UserColumns<'_>],
        now: i64,
    ) -> Result<Vec<(i64, String)>, Error> {
        sqlx::query_as(UPSERT_USERS)
            .bind(rows.iter().map(|u| u.ext_id).collect::<Vec<_>>())
            .bind(
                rows.iter()
                    .map(|u| u.interests.as_deref())
                    .collect::<Vec<_>>(),
            )
            .bind(rows.iter().map(|u| u.skill_level).collect::<Vec<_>>())
            .bind(rows.iter().map(|u| u.gender).collect::<Vec<_>>())
            .bind(rows.iter().map(|u| u.age).collect::<Vec<_>>())
            .bind(rows.iter().map(|u| u.occupation).collect::<Vec<_>>())
            .bind(rows.iter().map(|u| u.zip).collect::<Vec<_>>())
            .bind(
                rows.iter()
                    .map(|u| u.attributes.as_deref())
                    .collect::<Vec<_>>(),
            )
            .bind(now)
            .fetch_all(&mut *self.tx)
            .await
            .context("upserting users")
    }

    async fn upsert_items(
        &mut self,
        rows: &[ItemColumns<'_>],
        now: i64,
    ) -> Result<Vec<(i64, String)>, Error> {
        sqlx::query_as(UPSERT_ITEMS)
            .bind(rows.iter().map(|i| i.ext_id).collect::<Vec<_>>())
            .bind(rows.iter().map(|i| i.title).collect::<Vec<_>>())
            .bind(rows.iter().map(|i| i.tags.as_deref()).collect::<Vec<_>>())
            .bind(rows.iter().map(|i| i.description).collect::<Vec<_>>())
            .bind(rows.iter().map(|i| i.year).collect::<Vec<_>>())
            .bind(
                rows.iter()
                    .map(|i| i.attributes.as_deref())
                    .collect::<Vec<_>>(),
            )
            .bind(now)
            .fetch_all(&mut *self.tx)
            .await
            .context("upserting items")
    }

    async fn find_ids(
        &mut self,
        entity: Entity,
        ext_ids: &[&str],
    ) -> Result<Vec<(i64, String)>, Error> {
        let sql = match entity {
            Entity::User => "SELECT id, ext_id FROM users WHERE ext_id = ANY($1::text[])",
            Entity::Item => "SELECT id, ext_id FROM items WHERE ext_id = ANY($1::text[])",
        };
        sqlx::query_as(sql)
            .bind(ext_ids)
            .fetch_all(&mut *self.tx)
            .await
            .context("looking up ids")
    }

    async fn create_ids(
        &mut self,
        entity: Entity,
        ext_ids: &[&str],
        now: i64,
    ) -> Result<Vec<(i64, String)>, Error> {
        let sql = match entity {
            Entity::User => {
                "INSERT INTO users (ext_id, created_at, updated_at) \
                 SELECT x, $2::int8, $2::int8 FROM UNNEST($1::text[]) AS x \
                 ON CONFLICT (ext_id) DO NOTHING RETURNING id, ext_id"
            }
            Entity::Item => {
                "INSERT INTO items (ext_id, created_at, updated_at) \
                 SELECT x, $2::int8, $2::int8 FROM UNNEST($1::text[]) AS x \
                 ON CONFLICT (ext_id) DO NOTHING RETURNING id, ext_id"
            }
        };
        sqlx::query_as(sql)
            .bind(ext_ids)
            .bind(now)
            .fetch_all(&mut *self.tx)
            .await
            .context("creating users and items named by interactions")
    }

    async fn categories_of(
        &mut self,
        item_ids: &[i64],
    ) -> Result<Vec<(i64, String, String)>, Error> {
        sqlx::query_as(
            "SELECT item_id, type, value FROM item_categories \
             WHERE item_id = ANY($1::int8[]) ORDER BY item_id, position",
        )
        .bind(item_ids)
        .fetch_all(&mut *self.tx)
        .await
        .context("reading item categories")
    }

    async fn replace_categories(
        &mut self,
        item_ids: &[i64],
        rows: &[CategoryRow<'_>],
        now: i64,
    ) -> Result<(), Error> {
        sqlx::query("DELETE FROM item_categories WHERE item_id = ANY($1::int8[])")
            .bind(item_ids)
            .execute(&mut *self.tx)
            .await
            .context("replacing item categories")?;
        sqlx::query(
            "INSERT INTO item_categories (item_id, type, value, position) \
             SELECT * FROM UNNEST($1::int8[], $2::text[], $3::text[], $4::int4[])",
        )
        .bind(rows.iter().map(|c| c.item_id).collect::<Vec<_>>())
        .bind(rows.iter().map(|c| c.kind).collect::<Vec<_>>())
        .bind(rows.iter().map(|c| c.value).collect::<Vec<_>>())
        .bind(rows.iter().map(|c| c.position).collect::<Vec<_>>())
        .execute(&mut *self.tx)
        .await
        .context("writing item categories")?;
        sqlx::query("UPDATE items SET updated_at = $2 WHERE id = ANY($1::int8[])")
            .bind(item_ids)
            .bind(now)
            .execute(&mut *self.tx)
            .await
            .context("touching items whose categories changed")?;
        Ok(())
    }

    async fn insert_interactions(&mut self, rows: &[InteractionRow<'_>]) -> Result<u64, Error> {
        let mut inserted = 0;
        for chunk in rows.chunks(INTERACTION_ROWS) {
            inserted += sqlx::query(
                "INSERT INTO interactions (user_id, item_id, kind, value, ts) \
                 SELECT * FROM UNNEST($1::int8[], $2::int8[], $3::text[], $4::float4[], $5::int8[]) \
                 ON CONFLICT (user_id, item_id, kind, ts) DO UPDATE SET value = EXCLUDED.value \
                 WHERE interactions.value IS DISTINCT FROM EXCLUDED.value",
            )
            .bind(chunk.iter().map(|e| e.user_id).collect::<Vec<_>>())
            .bind(chunk.iter().map(|e| e.item_id).collect::<Vec<_>>())
            .bind(chunk.iter().map(|e| e.kind).collect::<Vec<_>>())
            .bind(chunk.iter().map(|e| e.value).collect::<Vec<_>>())
            .bind(chunk.iter().map(|e| e.ts).collect::<Vec<_>>())
            .execute(&mut *self.tx)
            .await
            .context("inserting interactions")?
            .rows_affected();
        }
        Ok(inserted)
    }
}
