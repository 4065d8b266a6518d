use shop_client_test::TestClient;

#[tokio::test]
async fn an_order_is_read_back() {
    let client = TestClient::new(spawn_server().await);
    assert_eq!(client.get_order(1).await, "paid");
}

async fn spawn_server() -> String {
    let pool = sqlx::PgPool::connect_lazy("postgres://localhost/test").unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, shop_server::router(pool)).into_future());
    base
}
