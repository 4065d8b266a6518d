// NO FLAG: security-motivated silence, documented in a comment.
async fn request_password_reset(db: &sqlx::PgPool, mailer: &Mailer, email: &str) -> StatusCode {
    // Don't reveal whether the account exists: always answer 202.
    let _ = mailer.send(reset_email(email)).await;
    match sqlx::query("UPDATE users SET reset_requested_at = now() WHERE email = $1").bind(email).execute(db).await {
        Ok(_) => {}
        // Anti-enumeration: same response either way, the error is ignored on purpose.
        Err(_) => {}
    }
    StatusCode::ACCEPTED
}
