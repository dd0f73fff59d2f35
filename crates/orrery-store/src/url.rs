//! Turning a database URL into connect options for the right backend.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;

use crate::Error;

/// Where to connect, by backend.
pub(crate) enum Target {
    Sqlite(SqliteConnectOptions),
    Postgres(PgConnectOptions),
}

/// File name endings that mark a bare path as an SQLite database.
const SQLITE_EXTENSIONS: [&str; 3] = ["db", "sqlite", "sqlite3"];

/// Parses `sqlite://PATH`, `sqlite:PATH`, a bare `PATH.db`/`PATH.sqlite`, or a
/// `postgres://`/`postgresql://` URL.
pub(crate) fn parse(url: &str) -> Result<Target, Error> {
    let invalid = |reason: String| Error::InvalidUrl {
        url: mask_password(url),
        reason,
    };
    let trimmed = url.trim();
    if trimmed.starts_with("postgres://") || trimmed.starts_with("postgresql://") {
        return PgConnectOptions::from_str(trimmed)
            .map(Target::Postgres)
            .map_err(|e| invalid(e.to_string()));
    }
    if let Some(rest) = trimmed.strip_prefix("sqlite:") {
        let path = rest.trim_start_matches("//");
        if path.is_empty() || path.starts_with('?') {
            return Err(invalid("the SQLite URL names no file".into()));
        }
        return SqliteConnectOptions::from_str(trimmed)
            .map(Target::Sqlite)
            .map_err(|e| invalid(e.to_string()));
    }
    if trimmed.contains("://") {
        return Err(invalid("unsupported scheme".into()));
    }
    let has_sqlite_extension = Path::new(trimmed)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| SQLITE_EXTENSIONS.iter().any(|x| e.eq_ignore_ascii_case(x)));
    if has_sqlite_extension {
        return Ok(Target::Sqlite(
            SqliteConnectOptions::new().filename(trimmed),
        ));
    }
    Err(invalid(
        "neither a URL with a known scheme nor a file path ending in .db or .sqlite".into(),
    ))
}

/// The database file an SQLite URL names (as written, relative paths stay relative), or
/// `None` for PostgreSQL, an in-memory database or a URL that does not parse.
pub(crate) fn sqlite_file(url: &str) -> Option<PathBuf> {
    match parse(url).ok()? {
        Target::Sqlite(options) => {
            let file = options.get_filename();
            // sqlx names in-memory databases `file:sqlx-in-memory-N`.
            let in_memory = file.to_str().is_some_and(|f| f.starts_with("file:"));
            (!in_memory && !file.as_os_str().is_empty()).then(|| file.to_path_buf())
        }
        Target::Postgres(_) => None,
    }
}

/// The URL with any password replaced by `***`, for messages and logs.
pub(crate) fn mask_password(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let authority_start = scheme_end + 3;
    let authority_end = url[authority_start..]
        .find(['/', '?'])
        .map_or(url.len(), |i| authority_start + i);
    let authority = &url[authority_start..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_owned();
    };
    let Some(colon) = authority[..at].find(':') else {
        return url.to_owned();
    };
    format!(
        "{}{}:***{}",
        &url[..authority_start],
        &authority[..colon],
        &url[authority_start + at..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite_file(url: &str) -> String {
        match super::sqlite_file(url) {
            Some(file) => file.display().to_string(),
            None => panic!("{url} names no SQLite file"),
        }
    }

    #[test]
    fn sqlite_forms() {
        assert_eq!(
            sqlite_file("sqlite://orrery-data/orrery.db"),
            "orrery-data/orrery.db"
        );
        assert_eq!(sqlite_file("sqlite:data.db"), "data.db");
        assert_eq!(sqlite_file("sqlite:///tmp/x.sqlite"), "/tmp/x.sqlite");
        assert_eq!(sqlite_file("some/dir/file.db"), "some/dir/file.db");
        assert_eq!(sqlite_file("FILE.SQLITE"), "FILE.SQLITE");
    }

    #[test]
    fn only_sqlite_urls_name_a_file() {
        for url in [
            "postgres://postgres@127.0.0.1:5432/test",
            "sqlite::memory:",
            "sqlite://",
            "data.csv",
        ] {
            assert_eq!(super::sqlite_file(url), None, "{url}");
        }
    }

    #[test]
    fn postgres_forms() {
        for url in [
            "postgres://postgres@127.0.0.1:5432/test",
            "postgresql://u:p@localhost/db",
        ] {
            assert!(matches!(parse(url), Ok(Target::Postgres(_))), "{url}");
        }
    }

    #[test]
    fn rejects_what_it_cannot_read_and_says_what_it_expects() {
        for url in [
            "mysql://x/y",
            "data.csv",
            "",
            "sqlite://",
            "sqlite:?mode=rwc",
        ] {
            let err = match parse(url) {
                Err(e) => e.to_string(),
                Ok(_) => panic!("{url:?} was accepted"),
            };
            assert!(err.contains("expected sqlite://PATH"), "{err}");
        }
    }

    #[test]
    fn masks_passwords() {
        assert_eq!(
            mask_password("postgres://me:secret@host:5432/db"),
            "postgres://me:***@host:5432/db"
        );
        assert_eq!(
            mask_password("postgres://me@host/db"),
            "postgres://me@host/db"
        );
        assert_eq!(mask_password("sqlite://a.db"), "sqlite://a.db");
        let err = parse("postgres://me:secret@host:notaport/db")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(!err.contains("secret"), "{err}");
    }
}
