//! The API is mounted under a prefix read from the environment at startup, which the bot cannot
//! read, so it knows the routes only as `/profile/tokens`, `/profile/keys` and `/status`. The
//! Python suite requests full URLs, `{url}/@gw/api/profile/tokens`: a route whose path ends
//! such a request, from its first (literal) segment on, counts as reached.
use axum::extract::{Path, State};
use axum::routing::{delete, get};
use axum::{Json, Router};
use sqlx::PgPool;

// Reached: the suite requests `{url}/@gw/api/profile/tokens`.
async fn list_tokens(State(db): State<PgPool>) -> Result<Json<Vec<String>>, String> {
    let names = sqlx::query_scalar("SELECT name FROM tokens")
        .fetch_all(&db)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Json(names))
}

// Not reached: the suite deletes a token, never a key.
async fn delete_key(State(db): State<PgPool>, Path(id): Path<i64>) -> Result<(), String> { //~ untested-handler:high
    sqlx::query("DELETE FROM keys WHERE id = $1")
        .bind(id)
        .execute(&db)
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}

// Reported although the suite requests `{url}/@gw/api/status`: a one-segment route ends too
// many paths for the bot to take that request as its own.
async fn status(State(db): State<PgPool>) -> Result<String, String> { //~ untested-handler:medium
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions")
        .fetch_one(&db)
        .await
        .map_err(|e| e.to_string())?;
    Ok(format!("{n} sessions"))
}

fn api() -> Router<PgPool> {
    Router::new()
        .route("/profile/tokens", get(list_tokens))
        .route("/profile/keys/{id}", delete(delete_key))
        .route("/status", get(status))
}

#[tokio::main]
async fn main() {
    let prefix = std::env::var("API_PREFIX").unwrap_or_else(|_| "/@gw/api".to_string());
    let db = PgPool::connect(&std::env::var("DATABASE_URL").unwrap()).await.unwrap();
    let app = Router::new().nest(&prefix, api()).with_state(db);
    let listener = tokio::net::TcpListener::bind("0.0.0.0:8888").await.unwrap();
    axum::serve(listener, app).await.unwrap();
}
