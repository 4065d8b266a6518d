// Test code is out of scope.
#[tokio::test]
async fn ships_order() {
    let db = test_db().await;
    let _ = sqlx::query("DELETE FROM orders").execute(&db).await;
    let _ = sqlx::query("INSERT INTO orders (sku, cents) VALUES ('a', 1)").execute(&db).await;
}
