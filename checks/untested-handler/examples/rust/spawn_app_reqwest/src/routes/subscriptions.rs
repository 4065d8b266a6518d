use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Form;
use sqlx::PgPool;
use uuid::Uuid;

#[derive(serde::Deserialize)]
pub struct FormData {
    email: String,
    name: String,
}

// Reached by tests/api/subscriptions.rs through TestApp::post_subscriptions (a test helper).
pub async fn subscribe(State(pool): State<PgPool>, Form(form): Form<FormData>) -> StatusCode {
    if form.email.is_empty() || form.name.is_empty() {
        return StatusCode::BAD_REQUEST;
    }
    match sqlx::query("INSERT INTO subscriptions (id, email, name) VALUES ($1, $2, $3)")
        .bind(Uuid::new_v4())
        .bind(&form.email)
        .bind(&form.name)
        .execute(&pool)
        .await
    {
        Ok(_) => StatusCode::OK,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

#[derive(serde::Deserialize)]
pub struct Confirm {
    token: String,
}

// Reached with reqwest::get(format!("{}/subscriptions/confirm?token=..", app.address)).
pub async fn confirm(State(pool): State<PgPool>, Query(q): Query<Confirm>) -> StatusCode {
    match sqlx::query("UPDATE subscriptions SET status = 'confirmed' WHERE token = $1")
        .bind(&q.token)
        .execute(&pool)
        .await
    {
        Ok(_) => StatusCode::OK,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

// TestApp::delete_subscription exists, but no test calls it.
pub async fn unsubscribe(State(pool): State<PgPool>, Path(id): Path<Uuid>) -> StatusCode { //~ untested-handler:high
    match sqlx::query("DELETE FROM subscriptions WHERE id = $1").bind(id).execute(&pool).await {
        Ok(_) => StatusCode::NO_CONTENT,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}
