// NO FLAG: `rows.next()` is a method call; the workspace's only `next` is an associated
// function (no `self`), which a method call cannot reach. Reading it as that function's
// database write would report an iterator's read as a lost write.
pub struct Experiment {
    name: String,
}

impl Experiment {
    pub async fn next(db: &sqlx::PgPool, agent: &str) -> Result<Option<Experiment>, sqlx::Error> {
        sqlx::query("UPDATE experiments SET assigned_to = $1 WHERE status = 'queued'")
            .bind(agent)
            .execute(db)
            .await?;
        Ok(None)
    }
}

pub fn first_name(conn: &rusqlite::Connection) -> rusqlite::Result<Option<String>> {
    let mut stmt = conn.prepare("SELECT name FROM experiments")?;
    let mut rows = stmt.query([])?;
    if let Ok(Some(row)) = rows.next() {
        return Ok(Some(row.get(0)?));
    }
    Ok(None)
}

// FLAG: the associated function itself, its write skipped silently.
pub async fn assign(db: &sqlx::PgPool) {
    if let Ok(Some(_)) = Experiment::next(db, "agent-1").await { //~ swallowed-error
        tracing::info!("assigned");
    }
}
