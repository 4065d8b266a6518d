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
    let shown = crate::redact::redact_url(url);
    let lower = url.trim_start().to_ascii_lowercase();
    if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
        refuse_unknown_secret_parameters(url, &shown)?;
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

/// Query parameters the PostgreSQL driver understands. It logs any other parameter with its
/// value, so a credential it does not know (`sslpassword`) would reach the log.
const POSTGRES_PARAMETERS: &[&str] = &[
    "sslmode",
    "ssl-mode",
    "sslrootcert",
    "ssl-root-cert",
    "ssl-ca",
    "sslcert",
    "ssl-cert",
    "sslkey",
    "ssl-key",
    "statement-cache-capacity",
    "host",
    "hostaddr",
    "port",
    "dbname",
    "user",
    "password",
    "application_name",
    "options",
];

/// Refuses a PostgreSQL URL carrying a credential parameter the driver would not use but log.
fn refuse_unknown_secret_parameters(url: &str, shown: &str) -> Result<(), QueueError> {
    let Some((_, query)) = url.split_once('?') else {
        return Ok(());
    };
    let query = query.split('#').next().unwrap_or_default();
    for name in query.split('&').filter_map(|pair| pair.split('=').next()) {
        let known = POSTGRES_PARAMETERS.contains(&name) || name.starts_with("options[");
        if !known && crate::redact::is_secret_parameter(name) {
            return Err(QueueError::InvalidUrl {
                url: shown.to_string(),
                reason: format!(
                    "the parameter `{name}` is not supported; remove it (a client key for TLS must be unencrypted, given with sslkey)"
                ),
            });
        }
    }
    Ok(())
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
    migrate_sqlite(&pool, shown).await?;
    Ok(pool)
}

/// Applies pending SQLite migrations when other processes may be applying them too.
///
/// SQLite has no advisory lock: when replicas open a fresh file at once, each reads the list of
/// applied migrations, and all but one then fail on a migration another one committed meanwhile
/// ("table already exists", "duplicate column name"). Each migration is one transaction, so a
/// failure leaves nothing half-applied, and it means some other process applied that migration:
/// every failed attempt sees at least one more migration applied than the one before. So
/// `migrations + 1` attempts always reach the end unless a migration itself is broken, whose
/// error is then returned.
async fn migrate_sqlite(pool: &SqlitePool, shown: &str) -> Result<(), QueueError> {
    let attempts = SQLITE_MIGRATIONS.iter().count() + 1;
    let mut attempt = 1;
    loop {
        match SQLITE_MIGRATIONS.run(pool).await {
            Ok(()) => return Ok(()),
            Err(
                sqlx::migrate::MigrateError::ExecuteMigration(..)
                | sqlx::migrate::MigrateError::Execute(..),
            ) if attempt < attempts => {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(20 * attempt as u64)).await;
            }
            Err(source) => {
                return Err(QueueError::Migrate {
                    url: shown.to_string(),
                    source,
                })
            }
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn errors_never_show_the_password() {
        // Malformed (bad port), unreachable (nothing listens on port 1), and a credential
        // parameter the driver would log: none of the messages shows a secret.
        for url in [
            "postgres://bot:hunter2@127.0.0.1:notaport/x?password=hunter3",
            "postgres://bot:hunter2@127.0.0.1:1/x?password=hunter3&sslmode=disable",
            "postgres://bot@127.0.0.1:1/x?sslpassword=hunter4",
        ] {
            let err = open(url)
                .await
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.contains("FAILMODE_DATABASE_URL"), "{err}");
            for secret in ["hunter2", "hunter3", "hunter4"] {
                assert!(!err.contains(secret), "{url}: {err}");
            }
        }
        let err = open("postgres://bot@127.0.0.1:1/x?sslpassword=hunter4")
            .await
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("`sslpassword` is not supported"), "{err}");
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
