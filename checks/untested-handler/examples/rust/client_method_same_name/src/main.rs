//! The service's own API client has a method for each route, named like its handler. A route
//! registered by the handler's name alone (`post(update_note)`, here through `use super::*`)
//! names the free function, never `ServiceClient::update_note`: only the handler is reported, not
//! the client method as a second, misplaced finding. Likewise a module path
//! (`routes::store::delete`) never names the method `SettingsStore::delete` of a module `store`.
mod client;
mod handlers;
mod routes;
mod store;

use handlers::*;

mod app {
    use super::*;
    use axum::routing::{delete, post};
    use axum::Router;

    pub fn router(db: sqlx::PgPool) -> Router {
        Router::new()
            .route("/notes/{id}", post(update_note))
            .route("/kv/{key}", delete(crate::routes::store::delete))
            .with_state(db)
    }
}

#[tokio::main]
async fn main() {
    let db = sqlx::PgPool::connect(&std::env::var("DATABASE_URL").unwrap()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await.unwrap();
    axum::serve(listener, app::router(db)).await.unwrap();
}
