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

// Compiled into debug builds only: a development route never serves production traffic.
#[cfg(debug_assertions)]
mod development {
    use super::Mailer;
    use axum::extract::State;
    use axum::http::StatusCode;

    pub async fn preview_digest(State(mailer): State<Mailer>) -> StatusCode {
        match mailer.send_digest().await {
            Ok(()) => StatusCode::OK,
            Err(_) => StatusCode::BAD_GATEWAY,
        }
    }
}

pub fn app(mailer: Mailer) -> Router {
    let router = Router::new().route("/digests", post(send_digest));
    #[cfg(debug_assertions)]
    let router = router.route("/dev/digest-preview", post(development::preview_digest));
    router.with_state(mailer)
}
