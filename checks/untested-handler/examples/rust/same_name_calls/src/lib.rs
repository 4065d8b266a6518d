//! Handlers whose names other functions share (`create`, `delete`, `register`): a test that
//! calls `Post::create(..)` or passes a value named `create` has not called the handler
//! `routes::posts::create`. Calls are resolved by the path they are written with, as route
//! registrations are.
pub mod api_client;
pub mod cli;
pub mod models;
pub mod routes;

use axum::routing::{post, put};
use axum::Router;

pub fn router(db: models::Db) -> Router {
    Router::new()
        .route("/posts", post(routes::posts::create))
        .route(
            "/posts/{id}",
            put(routes::posts::update).delete(routes::posts::delete),
        )
        .route("/register", post(routes::users::register))
        .with_state(db)
}
