use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch};
use axum::{Json, Router};
use std::sync::Arc;
use tokio::sync::RwLock;

#[derive(Clone, Default)]
pub struct Store {
    todos: Arc<RwLock<Vec<Todo>>>,
}

#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct Todo {
    id: u64,
    done: bool,
}

pub fn router(store: Store) -> Router {
    Router::new()
        .route("/todos", get(list).post(create))
        .route("/todos/:id", patch(complete))
        .with_state(store)
}

async fn list(State(store): State<Store>) -> Json<Vec<Todo>> {
    Json(store.todos.read().await.clone())
}

async fn create(State(store): State<Store>, Json(todo): Json<Todo>) -> StatusCode {
    store.todos.write().await.push(todo);
    StatusCode::CREATED
}

// PATCH /todos/:id is never requested by the tests below.
async fn complete(State(store): State<Store>, Path(id): Path<u64>) -> StatusCode { //~ untested-handler:high
    let mut todos = store.todos.write().await;
    match todos.iter_mut().find(|t| t.id == id) {
        Some(t) => {
            t.done = true;
            StatusCode::OK
        }
        None => StatusCode::NOT_FOUND,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    async fn send(app: Router, method: &str, uri: &str, body: &str) -> StatusCode {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        app.oneshot(req).await.unwrap().status()
    }

    #[tokio::test]
    async fn creates_and_lists() {
        let app = router(Store::default());
        let res = app
            .clone()
            .oneshot(Request::post("/todos").header("content-type", "application/json").body(Body::from(r#"{"id":1,"done":false}"#)).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        let res = app.oneshot(Request::get("/todos").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn rejects_bad_json() {
        let status = send(router(Store::default()), "POST", "/todos", "{").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}
