use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};

mod accounts;
mod store;

use store::Store;

pub fn app(store: Store) -> Router {
    Router::new()
        .merge(accounts::routes())
        .route("/carts/{id}", get(get_cart).put(replace_cart))
        .route(
            "/carts/{id}/checkout",
            post(|State(store): State<Store>, Path(id): Path<u64>| async move { //~ untested-handler:high
                match store.checkout(id).await {
                    Ok(order_id) => Ok(Json(order_id)),
                    Err(_) => Err(StatusCode::CONFLICT),
                }
            }),
        )
        .route("/carts/{id}/items", put(add_item))
        .fallback(not_found)
        .with_state(store)
}

async fn get_cart(State(store): State<Store>, Path(id): Path<u64>) -> Result<Json<store::Cart>, StatusCode> {
    store.cart(id).await.map(Json).ok_or(StatusCode::NOT_FOUND)
}

// Tests only GET this path: PUT is a different handler.
async fn replace_cart(State(store): State<Store>, Path(id): Path<u64>, Json(cart): Json<store::Cart>) -> StatusCode { //~ untested-handler:high
    match store.replace(id, cart).await {
        Ok(()) => StatusCode::NO_CONTENT,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

// Tested through a helper defined inside the test file.
async fn add_item(State(store): State<Store>, Path(id): Path<u64>, Json(item): Json<store::Item>) -> StatusCode {
    match store.add(id, item).await {
        Ok(()) => StatusCode::OK,
        Err(_) => StatusCode::BAD_REQUEST,
    }
}

async fn not_found() -> (StatusCode, &'static str) {
    (StatusCode::NOT_FOUND, "no such page")
}
