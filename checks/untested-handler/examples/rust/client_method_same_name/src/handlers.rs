use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

pub async fn update_note( //~ untested-handler:high
    State(db): State<sqlx::PgPool>,
    Path(id): Path<i64>,
    Json(body): Json<String>,
) -> StatusCode {
    match sqlx::query("UPDATE notes SET body = $1 WHERE id = $2")
        .bind(body)
        .bind(id)
        .execute(&db)
        .await
    {
        Ok(_) => StatusCode::NO_CONTENT,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}
