use axum::body::Body;
use axum::http::{Request, StatusCode};
use orders::app;
use tower::ServiceExt;

mod common;

#[tokio::test]
async fn gets_one_order() {
    let pool = common::test_pool().await;
    let res = app(pool)
        .oneshot(Request::get("/orders/7").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

// Only a GET on a different route: does not cover POST /orders.
#[tokio::test]
async fn healthz_answers() {
    let pool = common::test_pool().await;
    let res = app(pool).oneshot(Request::get("/healthz").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}
