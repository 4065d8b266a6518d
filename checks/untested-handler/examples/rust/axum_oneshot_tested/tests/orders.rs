use axum::body::Body;
use axum::http::{Request, StatusCode};
use shop::app;
use tower::ServiceExt;

async fn test_pool() -> sqlx::PgPool {
    sqlx::PgPool::connect("postgres://localhost/shop_test").await.unwrap()
}

#[tokio::test]
async fn creates_order() {
    let res = app(test_pool().await)
        .oneshot(Request::post("/orders").header("content-type", "application/json")
            .body(Body::from(r#"{"sku":"a","qty":1}"#)).unwrap())
        .await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
}
