//! Accounts and the user queries the HTTP API needs beyond plain CRUD: sign-in
//! credentials (an email and a password hash on the user's row), existence checks by
//! external id, filtered user listings and deleting every user.
//!
//! The store never sees a password, only the hash the caller computed.

use orrery_core::UserRecord;

use crate::columns::StoredUser;
use crate::crud::{MAX_PAGE_SIZE, Page};
use crate::error::Context;
use crate::store::on_pool;
use crate::{Error, Store};

/// The sign-in credentials of one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The user's external id.
    pub user_id: String,
    /// The email the user signs in with.
    pub email: String,
    /// The password hash (PHC string), when a password was set.
    pub password_hash: Option<String>,
    /// The generation of these credentials, drawn anew each time the password is set:
    /// access tokens carry it and are refused once it changes. `None` without a password.
    pub token_generation: Option<i64>,
}

/// What [`Store::set_credentials`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetCredentials {
    /// The email and hash were stored.
    Stored,
    /// No user has this id.
    UnknownUser,
    /// Another user already signs in with this email.
    EmailTaken,
}

/// Conditions on a user listing; `None` fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    /// Exact gender.
    pub gender: Option<String>,
    /// Exact occupation.
    pub occupation: Option<String>,
    /// Exact skill level.
    pub skill_level: Option<String>,
    /// Users who list this interest.
    pub interest: Option<String>,
    /// Minimum age, inclusive.
    pub min_age: Option<i32>,
    /// Maximum age, inclusive.
    pub max_age: Option<i32>,
}

type UserRow = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i32>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn user_record(row: UserRow) -> Result<UserRecord, Error> {
    let (ext_id, interests, skill_level, gender, age, occupation, zip, attributes) = row;
    StoredUser {
        ext_id,
        interests,
        skill_level,
        gender,
        age,
        occupation,
        zip,
        attributes,
    }
    .into_record()
}

/// Emails compare without regard to case or surrounding blanks.
fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A `LIKE` pattern that finds `"interest"` inside the JSON array of interests.
fn interest_pattern(interest: &str) -> Result<String, Error> {
    let quoted = serde_json::to_string(interest).map_err(|source| Error::Json {
        what: "an interest filter",
        source,
    })?;
    let escaped = quoted
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    Ok(format!("%{escaped}%"))
}

impl Store {
    /// Sets the email (and, when given, the password hash) of an existing user. A new
    /// password draws a new token generation, which ends every access token issued before.
    pub async fn set_credentials(
        &self,
        user_id: &str,
        email: &str,
        password_hash: Option<&str>,
    ) -> Result<SetCredentials, Error> {
        let email = normalize_email(email);
        let owner: Option<String> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT ext_id FROM users WHERE email = $1")
                .bind(&email)
                .fetch_optional(pool)
                .await
        })
        .context("finding the owner of an email")?;
        if owner.as_deref().is_some_and(|o| o != user_id) {
            return Ok(SetCredentials::EmailTaken);
        }
        let result = on_pool!(self, pool => {
            sqlx::query(
                "UPDATE users SET email = $1, password_hash = COALESCE($2, password_hash), \
                 token_generation = CASE WHEN $2 IS NULL THEN token_generation ELSE $4 END \
                 WHERE ext_id = $3",
            )
            .bind(&email)
            .bind(password_hash)
            .bind(user_id)
            .bind(rand::random::<i64>())
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        });
        match result {
            Ok(0) => Ok(SetCredentials::UnknownUser),
            Ok(_) => Ok(SetCredentials::Stored),
            // Another request took the email between the check and the update.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Ok(SetCredentials::EmailTaken)
            }
            Err(source) => Err(Error::Database {
                context: "storing credentials",
                source,
            }),
        }
    }

    /// The credentials of the user who signs in with `email`.
    pub async fn credentials_by_email(&self, email: &str) -> Result<Option<Credentials>, Error> {
        let row: Option<(String, String, Option<String>, Option<i64>)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT ext_id, email, password_hash, token_generation FROM users \
                 WHERE email = $1",
            )
            .bind(normalize_email(email))
            .fetch_optional(pool)
            .await
        })
        .context("reading credentials")?;
        Ok(row.map(
            |(user_id, email, password_hash, token_generation)| Credentials {
                user_id,
                email,
                password_hash,
                token_generation,
            },
        ))
    }

    /// The current token generation of a user (see [`Credentials::token_generation`]):
    /// `None` when the user does not exist or has no password. One lookup by the unique
    /// external id, made for every request that presents a token.
    pub async fn token_generation(&self, user_id: &str) -> Result<Option<i64>, Error> {
        let generation: Option<Option<i64>> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT token_generation FROM users WHERE ext_id = $1")
                .bind(user_id)
                .fetch_optional(pool)
                .await
        })
        .context("checking a token's generation")?;
        Ok(generation.flatten())
    }

    /// The email of a user: `None` when the user does not exist, `Some(None)` when the user
    /// has no email.
    pub async fn email_of(&self, user_id: &str) -> Result<Option<Option<String>>, Error> {
        on_pool!(self, pool => {
            sqlx::query_scalar("SELECT email FROM users WHERE ext_id = $1")
                .bind(user_id)
                .fetch_optional(pool)
                .await
        })
        .context("reading a user's email")
    }

    /// Whether a user with this external id exists.
    pub async fn user_exists(&self, user_id: &str) -> Result<bool, Error> {
        let found: Option<i64> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT id FROM users WHERE ext_id = $1")
                .bind(user_id)
                .fetch_optional(pool)
                .await
        })
        .context("looking a user up")?;
        Ok(found.is_some())
    }

    /// Whether an item with this external id exists.
    pub async fn item_exists(&self, item_id: &str) -> Result<bool, Error> {
        let found: Option<i64> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT id FROM items WHERE ext_id = $1")
                .bind(item_id)
                .fetch_optional(pool)
                .await
        })
        .context("looking an item up")?;
        Ok(found.is_some())
    }

    /// One page of the users that match `filter`, in the order they were first stored.
    pub async fn list_users_where(
        &self,
        page: u32,
        size: u32,
        filter: &UserFilter,
    ) -> Result<Page<UserRecord>, Error> {
        let page = page.max(1);
        let size = size.min(MAX_PAGE_SIZE);
        let limit = i64::from(size);
        let offset = i64::from(page - 1) * limit;
        let interest = filter
            .interest
            .as_deref()
            .map(interest_pattern)
            .transpose()?;
        const WHERE: &str = "WHERE ($1 IS NULL OR gender = $1) \
             AND ($2 IS NULL OR occupation = $2) \
             AND ($3 IS NULL OR skill_level = $3) \
             AND ($4 IS NULL OR interests LIKE $4 ESCAPE '\\') \
             AND ($5 IS NULL OR age >= $5) \
             AND ($6 IS NULL OR age <= $6)";
        let (rows, total): (Vec<UserRow>, i64) = on_pool!(self, pool => {
            let rows = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT ext_id, interests, skill_level, gender, age, occupation, zip, attributes \
                 FROM users {WHERE} ORDER BY id LIMIT $7 OFFSET $8"
            )))
            .bind(filter.gender.as_deref())
            .bind(filter.occupation.as_deref())
            .bind(filter.skill_level.as_deref())
            .bind(interest.as_deref())
            .bind(filter.min_age)
            .bind(filter.max_age)
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await;
            let total = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM users {WHERE}"
            )))
            .bind(filter.gender.as_deref())
            .bind(filter.occupation.as_deref())
            .bind(filter.skill_level.as_deref())
            .bind(interest.as_deref())
            .bind(filter.min_age)
            .bind(filter.max_age)
            .fetch_one(pool)
            .await;
            rows.and_then(|rows| total.map(|total| (rows, total)))
        })
        .context("listing users")?;
        Ok(Page {
            items: rows
                .into_iter()
                .map(user_record)
                .collect::<Result<_, _>>()?,
            total: total.max(0) as u64,
            page,
            size,
        })
    }

    /// Deletes every user and, with them, every interaction and every list served to a
    /// user. Returns how many users there were.
    pub async fn delete_all_users(&self) -> Result<u64, Error> {
        on_pool!(self, pool => {
            async {
                let mut tx = pool.begin().await?;
                sqlx::query("DELETE FROM impressions WHERE user_id IS NOT NULL")
                    .execute(&mut *tx)
                    .await?;
                let deleted = sqlx::query("DELETE FROM users")
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                tx.commit().await.map(|()| deleted)
            }
            .await
        })
        .context("deleting every user")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interest_patterns_match_the_quoted_element_only() {
        assert_eq!(interest_pattern("ml").unwrap(), "%\"ml\"%");
        assert_eq!(interest_pattern("100%_a").unwrap(), "%\"100\\%\\_a\"%");
    }

    #[test]
    fn emails_compare_case_insensitively() {
        assert_eq!(normalize_email("  Ann@Example.ORG "), "ann@example.org");
    }
}
