// Handlers that panic on request data, and unwraps that cannot fail on it
// (docs/checks/panic-in-handler.md).
use axum::extract::{Json, Path, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use std::sync::{Arc, Mutex};

#[derive(Deserialize)]
pub struct Order {
    pub items: Vec<String>,
    pub quantity: String,
}

pub struct AppState {
    pub orders: Mutex<Vec<String>>,
}

pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/orders", post(create_order))
        .route("/orders/{id}", get(get_order))
        .route("/healthz", get(health))
        .route("/search", post(search))
        .route("/import", post(import))
        .route("/import/checked", post(import_checked))
        .route("/import/batch", post(import_batch))
        .route("/import/strict", post(import_strict))
}

async fn create_order(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Json(order): Json<Order>,
) -> String {
    let tenant = headers.get("x-tenant").unwrap(); //~ panic-in-handler
    let first = &order.items[0]; //~ panic-in-handler
    let quantity: u32 = order.quantity.parse().expect("quantity is a number"); //~ panic-in-handler
    state.orders.lock().unwrap().push(first.clone());
    format!("{tenant:?}: {quantity} x {first}")
}

async fn get_order(Path(id): Path<String>, State(state): State<Arc<AppState>>) -> String {
    let n: usize = id.parse().unwrap(); //~ panic-in-handler
    // Must not flag: a lock only panics if another thread panicked holding it.
    let orders = state.orders.lock().unwrap();
    // Must not flag: a lookup that answers `None` for a missing order.
    match orders.get(n) {
        Some(o) => o.clone(),
        None => "not found".to_string(),
    }
}

// Must not flag: no input at all.
async fn health() -> String {
    let v = serde_json::to_string(&["ok"]).unwrap();
    v
}

// Must not flag: not a handler (a helper called at startup).
pub fn port_from(args: Vec<String>) -> u16 {
    args[1].parse().unwrap()
}

// An extractor runs on every request to the routes that take it.
pub struct Tenant(pub String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Tenant {
    type Rejection = axum::http::StatusCode;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        let raw = parts.headers.get("x-tenant").unwrap(); //~ panic-in-handler
        // Must not flag: set by our own middleware before any extractor runs.
        let id = parts.extensions.get::<RequestId>().unwrap();
        let tenant = raw.to_str().map_err(|_| axum::http::StatusCode::BAD_REQUEST)?;
        Ok(Tenant(format!("{tenant}/{}", id.0)))
    }
}

#[derive(Clone)]
pub struct RequestId(pub u64);

// Must not flag: validated just above.
async fn search(Json(order): Json<Order>) -> String {
    if order.items.is_empty() {
        return "nothing to search".to_string();
    }
    order.items.first().unwrap().clone()
}

async fn import(body: String) -> String {
    let order: Order = match serde_json::from_str(&body) {
        Ok(order) => order,
        Err(e) => panic!("bad import: {e}"), //~ panic-in-handler
    };
    order.quantity
}

async fn import_batch(body: String) -> String {
    let orders: Vec<Order> = match serde_json::from_str(&body) {
        Ok(orders) => orders,
        Err(e) => {
            eprintln!("rejected batch: {e}");
            panic!("bad batch: {e}"); //~ panic-in-handler
        }
    };
    orders.len().to_string()
}

// Must not flag: the parse error becomes a 400, and the panic is on a lock, not on the input.
async fn import_checked(
    State(state): State<Arc<AppState>>,
    body: String,
) -> Result<String, axum::http::StatusCode> {
    let order: Order = match serde_json::from_str(&body) {
        Ok(order) => order,
        Err(_) => return Err(axum::http::StatusCode::BAD_REQUEST),
    };
    let mut orders = match state.orders.lock() {
        Ok(orders) => orders,
        Err(e) => panic!("orders lock poisoned: {e}"),
    };
    orders.push(order.quantity.clone());
    Ok(order.quantity)
}

// Must not flag: the `Err` case returned just above, so the unwrap sees `Ok`.
async fn import_strict(body: String) -> Result<String, axum::http::StatusCode> {
    let parsed = serde_json::from_str::<Order>(&body);
    if let Err(e) = parsed {
        eprintln!("rejected import: {e}");
        return Err(axum::http::StatusCode::BAD_REQUEST);
    }
    let order = parsed.unwrap();
    Ok(order.quantity)
}
