// Best-effort words (`cache`, `metrics`, `tmp`) say a call is best effort when they name what
// it touches, not when they name a flag passed to it (docs/checks/swallowed-error.md).
pub struct Registry {
    pool: sqlx::PgPool,
}

impl Registry {
    pub async fn crate_list(&self, limit: i64, cache: bool) -> Result<Vec<String>, sqlx::Error> {
        sqlx::query_scalar("SELECT name FROM crates WHERE cached = $2 LIMIT $1")
            .bind(limit)
            .bind(cache)
            .fetch_all(&self.pool)
            .await
    }

    pub async fn lookup(&self, prefix: &str, cache: bool) -> Result<Vec<String>, sqlx::Error> {
        sqlx::query_scalar("SELECT name FROM crates WHERE cached = $2 AND name LIKE $1")
            .bind(prefix)
            .bind(cache)
            .fetch_all(&self.pool)
            .await
    }
}

pub struct LookupParams {
    pub prefix: String,
    pub cache: Option<bool>,
}

pub fn routes() -> axum::Router {
    axum::Router::new()
        .route("/crates", axum::routing::get(crates))
        .route("/lookup", axum::routing::get(lookup))
}

// A database outage answers an empty registry: `cache` only says which crates to include.
pub async fn crates(registry: &Registry, limit: i64, cache: bool) -> Vec<String> {
    registry.crate_list(limit, cache).await.unwrap_or_default() //~ swallowed-error
}

// The same with the flag read off the request: a field of the parameters, defaulted.
pub async fn lookup(registry: &Registry, params: LookupParams) -> Vec<String> {
    registry //~ swallowed-error
        .lookup(&params.prefix, params.cache.unwrap_or(false))
        .await
        .unwrap_or_default()
}

// Must not flag: removing a temporary file is best effort.
pub fn clean_up(tmp_path: &std::path::Path) {
    let _ = std::fs::remove_file(&tmp_path);
}

// Must not flag: the same, the path passed by name.
pub fn clean_up_by_name(tmp_path: std::path::PathBuf) {
    let _ = std::fs::remove_file(tmp_path);
}
