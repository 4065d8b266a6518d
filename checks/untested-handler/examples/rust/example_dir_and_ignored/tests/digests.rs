use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

#[tokio::test]
#[ignore = "needs an SMTP server"]
async fn sends_digest() {
    let res = digest::app(digest::Mailer).oneshot(Request::post("/digests").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(res.status(), StatusCode::ACCEPTED);
}
