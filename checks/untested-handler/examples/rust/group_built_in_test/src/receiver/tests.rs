use super::*;
use axum::body::Body;
use axum::http::Request;
use tower::ServiceExt;

#[tokio::test]
async fn a_webhook_is_queued() {
    let app = router().with_state(State::default());
    let response = app
        .oneshot(Request::builder().uri("/hooks/github").method("POST").body(Body::from("{}")).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::ACCEPTED);
}
