use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use sqlx::PgPool;

pub fn app(db: PgPool) -> Router {
    Router::new()
        .route("/projects/{id}", delete(delete_project))
        .route("/projects", get(list_projects))
        .with_state(db)
}

// The only test asserts 404 for an unknown id: the happy path and the error mapping are untested.
async fn delete_project(State(db): State<PgPool>, Path(id): Path<i64>) -> StatusCode { //~ untested-handler:high
    match sqlx::query("DELETE FROM projects WHERE id = $1").bind(id).execute(&db).await {
        Ok(r) if r.rows_affected() == 0 => StatusCode::NOT_FOUND,
        Ok(_) => StatusCode::NO_CONTENT,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

// Tested with a 200 assertion: no finding.
async fn list_projects(State(db): State<PgPool>) -> Result<Json<Vec<String>>, StatusCode> {
    sqlx::query_scalar("SELECT name FROM projects")
        .fetch_all(&db)
        .await
        .map(Json)
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)
}
