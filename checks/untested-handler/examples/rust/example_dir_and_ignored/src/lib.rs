use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;

#[derive(Clone)]
pub struct Mailer;

impl Mailer {
    pub async fn send_digest(&self) -> Result<(), String> {
        Ok(())
    }
}

// Its only test is #[ignore]d, so CI never runs it.
async fn send_digest(State(mailer): State<Mailer>) -> StatusCode { //~ untested-handler:high
    match mailer.send_digest().await {
        Ok(()) => StatusCode::ACCEPTED,
        Err(_) => StatusCode::BAD_GATEWAY,
    }
}

pub fn app(mailer: Mailer) -> Router {
    Router::new().route("/digests", post(send_digest)).with_state(mailer)
}
