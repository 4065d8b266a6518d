use axum::extract::{Path, State};
use axum::http::StatusCode;

// Registered as `routes::store::delete`: this handler, not `SettingsStore::delete` in `store.rs`.
pub async fn delete(State(db): State<sqlx::PgPool>, Path(key): Path<String>) -> StatusCode { //~ untested-handler:high
    match sqlx::query("DELETE FROM kv WHERE key = $1").bind(key).execute(&db).await {
        Ok(_) => StatusCode::NO_CONTENT,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}
