use sqlx::PgPool;

pub async fn test_pool() -> PgPool {
    let url = std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://localhost/orders_test".into());
    PgPool::connect(&url).await.unwrap()
}
