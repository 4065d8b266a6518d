mod routes;
mod storage;
mod worker;

use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: sqlx::PgPool,
    pub s3: aws_sdk_s3::Client,
    pub sqs: aws_sdk_sqs::Client,
    pub http: reqwest::Client,
    pub bucket: String,
    pub queue_url: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    dotenvy::dotenv().ok();
    let _ = tracing_subscriber::fmt().try_init();
    let aws = aws_config::load_from_env().await;
    let state = Arc::new(AppState {
        db: sqlx::PgPool::connect(&std::env::var("DATABASE_URL")?).await?,
        s3: aws_sdk_s3::Client::new(&aws),
        sqs: aws_sdk_sqs::Client::new(&aws),
        http: reqwest::Client::builder().timeout(std::time::Duration::from_secs(10)).build()?,
        bucket: std::env::var("BUCKET")?,
        queue_url: std::env::var("QUEUE_URL")?,
    });
    storage::spawn_logged(worker::run(state.clone()));
    let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
    let _ = axum::serve(listener, routes::router(state)).await;
    Ok(())
}
