//! Opening the job store: SQLite (embedded default) or PostgreSQL, chosen by the URL scheme, with
//! the schema migrated before the store is handed out.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, PgConnection, PgPool, SqlitePool};

use super::QueueError;

/// Migrations for each dialect, embedded in the binary.
static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// How long a SQLite writer waits for another writer before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a caller waits for a pooled connection: short enough that intake answers 503 well
/// within the 10 s GitHub waits for a webhook answer when the database is unreachable.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// The pool behind a job store: one per backend, sharing SQL text wherever the dialects agree.
#[derive(Debug, Clone)]
pub(crate) enum Backend {
    /// Embedded SQLite file (single replica).
    Sqlite(SqlitePool),
    /// PostgreSQL server (any number of replicas).
    Postgres(PgPool),
}

/// Opens the database `url` names and applies pending migrations.
pub(crate) async fn open(url: &str) -> Result<Backend, QueueError> {
    let shown = redact(url);
    let lower = url.trim_start().to_ascii_lowercase();
    if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
        let options =
            PgConnectOptions::from_str(url.trim()).map_err(|e| QueueError::InvalidUrl {
                url: shown.clone(),
                reason: e.to_string(),
            })?;
        open_postgres(options, &shown).await.map(Backend::Postgres)
    } else if lower.starts_with("sqlite:") {
        let options =
            SqliteConnectOptions::from_str(url.trim()).map_err(|e| QueueError::InvalidUrl {
                url: shown.clone(),
                reason: e.to_string(),
            })?;
        open_sqlite(options, &shown).await.map(Backend::Sqlite)
    } else {
        Err(QueueError::InvalidUrl {
            url: shown,
            reason: "the scheme must be sqlite:, postgres:// or postgresql://".to_string(),
        })
    }
}

async fn open_sqlite(options: SqliteConnectOptions, shown: &str) -> Result<SqlitePool, QueueError> {
    let options = options
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // FULL: a job is on disk before `enqueue` returns and the webhook answers 202.
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(SQLITE_BUSY_TIMEOUT)
        .foreign_keys(true);
    // Two processes creating the same fresh file race on switching it to WAL, which SQLite
    // answers with SQLITE_BUSY before the busy timeout applies; a short retry settles it.
    let mut attempt = 0u32;
    let pool = loop {
        match SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options.clone())
            .await
        {
            Ok(pool) => break pool,
            Err(source) if attempt < 10 && is_sqlite_busy(&source) => {
                attempt += 1;
                tokio::time::sleep(std::time::Duration::from_millis(50 * u64::from(attempt))).await;
            }
            Err(source) => {
                return Err(QueueError::Unreachable {
                    url: shown.to_string(),
                    source,
                })
            }
        }
    };
    // SQLite has no advisory lock: when two processes open a fresh file at once, both may try
    // the same migration and the second fails ("table already exists") after the first commits
    // (each migration is one transaction, so nothing half-applied is left). Running the migrator
    // again then finds the migration applied and succeeds.
    if SQLITE_MIGRATIONS.run(&pool).await.is_err() {
        SQLITE_MIGRATIONS
            .run(&pool)
            .await
            .map_err(|source| QueueError::Migrate {
                url: shown.to_string(),
                source,
            })?;
    }
    Ok(pool)
}

fn is_sqlite_busy(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => matches!(db.code().as_deref(), Some("5") | Some("6")),
        _ => false,
    }
}

async fn open_postgres(options: PgConnectOptions, shown: &str) -> Result<PgPool, QueueError> {
    // Migrate on a dedicated connection that is closed afterwards. sqlx's migrator takes
    // `pg_advisory_lock` (keyed by the database name) before it creates or reads its table and
    // releases it when done, so replicas starting at once migrate one after another. If a
    // migration fails, sqlx does not unlock; closing this connection releases the lock, which a
    // pooled connection would keep holding.
    let mut conn = PgConnection::connect_with(&options)
        .await
        .map_err(|source| QueueError::Unreachable {
            url: shown.to_string(),
            source,
        })?;
    let migrated = POSTGRES_MIGRATIONS.run(&mut conn).await;
    // Closing can only fail on a broken socket, which the server cleans up (and unlocks) itself.
    let _closed = conn.close().await;
    migrated.map_err(|source| QueueError::Migrate {
        url: shown.to_string(),
        source,
    })?;
    PgPoolOptions::new()
        .max_connections(10)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await
        .map_err(|source| QueueError::Unreachable {
            url: shown.to_string(),
            source,
        })
}

/// `url` with the password (between `user:` and `@`) replaced by `***`, for error messages.
pub(crate) fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest_start = scheme_end + 3;
    let rest = &url[rest_start..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_string();
    };
    let userinfo = &authority[..at];
    let Some(colon) = userinfo.find(':') else {
        return url.to_string();
    };
    format!(
        "{}{}:***{}",
        &url[..rest_start],
        &userinfo[..colon],
        &url[rest_start + at..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_only_the_password() {
        assert_eq!(
            redact("postgres://bot:s3cr@t@db:5432/failmode"),
            "postgres://bot:***@db:5432/failmode"
        );
        assert_eq!(
            redact("postgres://bot@db/failmode"),
            "postgres://bot@db/failmode"
        );
        assert_eq!(
            redact("sqlite://failmode.db?mode=rwc"),
            "sqlite://failmode.db?mode=rwc"
        );
        assert_eq!(
            redact("postgresql://u:p@h/d?options=a@b"),
            "postgresql://u:***@h/d?options=a@b"
        );
        assert_eq!(redact("garbage"), "garbage");
    }

    #[tokio::test]
    async fn unknown_scheme_names_the_environment_variable() {
        let err = open("mysql://root@localhost/x")
            .await
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("FAILMODE_DATABASE_URL"), "{err}");
        assert!(
            err.contains("sqlite:, postgres:// or postgresql://"),
            "{err}"
        );
    }
}
