use axum::body::Body;
use axum::http::Request;
use tower::ServiceExt;

struct Tester;

impl Tester {
    async fn send_webhook(&self, body: &str) -> axum::response::Response {
        let request = self.create_request(body);
        svc::app().oneshot(request).await.unwrap()
    }

    fn create_request(&self, body: &str) -> Request<Body> {
        Request::post("/github").body(Body::from(body.to_string())).unwrap()
    }
}

#[tokio::test]
async fn signed_webhook_is_accepted() {
    let response = Tester.send_webhook("{}").await;
    assert_eq!(response.status(), 200);
}
