//! A loader that writes to PostgreSQL and keeps its progress in a local SQLite file. The crate
//! uses both, so which one a call talks to is read from the call: a connection the function
//! opens from `rusqlite` is the local file (no network to blip), and `rusqlite::Connection::open`
//! is that crate's `open`, not the workspace's own `open` below, which writes to PostgreSQL.
pub struct Archive {
    client: tokio_postgres::Client,
}

impl Archive {
    /// Opens an archive row for `name` in PostgreSQL.
    pub async fn open(&self, name: &str) -> Result<(), tokio_postgres::Error> {
        self.client
            .execute("INSERT INTO archives (name) VALUES ($1)", &[&name])
            .await?;
        Ok(())
    }
}

/// Records in the local progress file that `name` has started.
fn mark_started(path: &str, name: &str) -> rusqlite::Result<()> {
    let state = rusqlite::Connection::open(path)?;
    state.execute("INSERT INTO started (name) VALUES (?1)", [name])?;
    Ok(())
}

pub async fn load_all(
    archive: &Archive,
    names: Vec<String>,
    state_path: &str,
) -> rusqlite::Result<()> {
    let state = rusqlite::Connection::open(state_path)?;
    for name in names {
        if let Err(e) = mark_started(state_path, &name) {
            tracing::error!("progress file: {e}");
        }
        if let Err(e) = state.execute_batch("CREATE TABLE IF NOT EXISTS done (did TEXT)") {
            tracing::error!("progress file: {e}");
        }
        if let Err(e) = archive.open(&name).await { //~ missing-retry:high
            tracing::error!("archive {name}: {e}");
        }
    }
    Ok(())
}
