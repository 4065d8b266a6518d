//! Class 12: the test reaches the webhook through helpers two levels deep
//! (`send_webhook` -> `create_request` -> `Request::post("/github")`).
use axum::routing::post;
use axum::Router;

async fn github_webhook(body: String) -> &'static str {
    if verify(&body).is_err() {
        return "rejected";
    }
    "ok"
}

async fn stripe_webhook(body: String) -> &'static str { //~ untested-handler:high
    if verify(&body).is_err() {
        return "rejected";
    }
    "ok"
}

pub fn app() -> Router {
    Router::new()
        .route("/github", post(github_webhook))
        .route("/stripe", post(stripe_webhook))
}
