use sqlx::PgPool;

pub struct TestApp {
    pub address: String,
    pub db_pool: PgPool,
}

impl TestApp {
    pub async fn post_subscriptions(&self, body: String) -> reqwest::Response {
        reqwest::Client::new()
            .post(&format!("{}/subscriptions", &self.address))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .expect("Failed to execute request.")
    }

    pub async fn delete_subscription(&self, id: uuid::Uuid) -> reqwest::Response {
        reqwest::Client::new()
            .delete(format!("{}/subscriptions/{}", self.address, id))
            .send()
            .await
            .expect("Failed to execute request.")
    }
}

pub async fn spawn_app() -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let db_pool = PgPool::connect("postgres://localhost/newsletter_test").await.unwrap();
    let server = newsletter::startup::run(listener, db_pool.clone());
    tokio::spawn(server);
    TestApp { address: format!("http://127.0.0.1:{}", port), db_pool }
}
