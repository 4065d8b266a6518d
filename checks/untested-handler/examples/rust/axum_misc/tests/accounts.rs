use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

fn app() -> axum::Router {
    shop::app(shop::store::Store::default())
}

async fn put_item(cart: u64, body: &'static str) -> StatusCode {
    let req = Request::put(format!("/carts/{cart}/items"))
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap();
    app().oneshot(req).await.unwrap().status()
}

#[tokio::test]
async fn signs_up() {
    let req = Request::post("/signup").header("content-type", "application/json").body(Body::from(r#"{"email":"a@b"}"#)).unwrap();
    let res = app().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn reads_a_cart() {
    let res = app().oneshot(Request::get("/carts/12").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn adds_an_item() {
    assert_eq!(put_item(12, r#"{"sku":"x"}"#).await, StatusCode::OK);
    assert_eq!(put_item(12, "not json").await, StatusCode::BAD_REQUEST);
}
