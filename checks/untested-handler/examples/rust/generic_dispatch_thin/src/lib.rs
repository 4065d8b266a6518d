use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};

pub mod events;
use events::{handle_event, Event};

// A thin wrapper: it only forwards to `handle_event`, which the tests drive directly.
async fn receive_event(Json(ev): Json<Event>) -> StatusCode {
    to_status(handle_event(ev).await)
}

fn to_status(r: Result<(), events::EventError>) -> StatusCode {
    match r {
        Ok(()) => StatusCode::ACCEPTED,
        Err(_) => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

pub fn router() -> Router {
    Router::new().route("/events", post(receive_event))
}
