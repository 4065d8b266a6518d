//! Typed errors of the job store. Each message says what the operator or the worker should do.

/// Everything that can go wrong talking to the job store.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// The database URL could not be understood.
    #[error(
        "FAILMODE_DATABASE_URL ({url}) is not a usable database URL: {reason}. Use \
         `sqlite://failmode.db?mode=rwc` for the embedded database or \
         `postgres://user:password@host:5432/dbname` for PostgreSQL"
    )]
    InvalidUrl {
        /// The URL with any password replaced by `***`.
        url: String,
        /// Why it was rejected.
        reason: String,
    },
    /// The database named by the URL could not be opened or reached.
    #[error(
        "could not open the database named by FAILMODE_DATABASE_URL ({url}): {source}. Check that \
         the server is running and reachable, and that the host, port, user, password and \
         database name (or the SQLite file's directory) are right"
    )]
    Unreachable {
        /// The URL with any password replaced by `***`.
        url: String,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// Applying the schema migrations failed.
    #[error(
        "could not apply the job-store migrations to the database named by FAILMODE_DATABASE_URL \
         ({url}): {source}. If a newer failmode already migrated this database, run that version; \
         otherwise fix the database and restart"
    )]
    Migrate {
        /// The URL with any password replaced by `***`.
        url: String,
        /// The migrator's error.
        #[source]
        source: sqlx::migrate::MigrateError,
    },
    /// The worker no longer holds the job's lease: it expired and another worker claimed the
    /// job, or the job was already finished. The worker must drop its results unpublished.
    #[error(
        "job {job_id} is no longer leased to this worker (the lease expired and another worker \
         took the job, or the job was already finished); drop this attempt's results without \
         publishing them"
    )]
    LeaseLost {
        /// The job whose lease was lost.
        job_id: i64,
    },
    /// The job's deadline passed: its lease is no longer extended. The worker must stop the
    /// review and end the job with `give_up_past_deadline`.
    #[error(
        "job {job_id} is past its deadline (FAILMODE_JOB_DEADLINE_SECS), so its lease is no longer \
         extended; stop the review and end the job as given up"
    )]
    DeadlineExceeded {
        /// The job whose deadline passed.
        job_id: i64,
    },
    /// A query failed.
    #[error("job-store query failed while {operation}: {source}. Check the database is up; the operation can be retried")]
    Database {
        /// What the store was doing.
        operation: &'static str,
        /// The driver's error.
        #[source]
        source: sqlx::Error,
    },
    /// A stored row holds a value this version of failmode does not understand.
    #[error(
        "job store row is not understood ({detail}); was the database written by a newer failmode?"
    )]
    CorruptRow {
        /// What was wrong.
        detail: String,
    },
}

impl QueueError {
    /// Wraps a driver error with what the store was doing.
    pub(crate) fn db(operation: &'static str) -> impl FnOnce(sqlx::Error) -> QueueError {
        move |source| QueueError::Database { operation, source }
    }
}
