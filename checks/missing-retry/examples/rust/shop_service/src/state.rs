use std::time::Duration;

#[derive(Clone)]
pub struct AppState {
    pub db: sqlx::PgPool,
    pub http: reqwest::Client,
    pub s3: aws_sdk_s3::Client,
    pub payments_url: String,
    pub warehouse_url: String,
}

impl AppState {
    pub async fn from_env() -> anyhow::Result<Self> {
        let aws = aws_config::load_from_env().await;
        Ok(AppState {
            db: sqlx::PgPool::connect(&std::env::var("DATABASE_URL")?).await?,
            http: reqwest::Client::builder().timeout(Duration::from_secs(10)).build()?,
            s3: aws_sdk_s3::Client::new(&aws),
            payments_url: std::env::var("PAYMENTS_URL")?,
            warehouse_url: std::env::var("WAREHOUSE_URL")?,
        })
    }
}
