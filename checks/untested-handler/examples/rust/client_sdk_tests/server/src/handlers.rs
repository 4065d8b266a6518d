//! Handlers the tests in `server/tests/sync.rs` reach through the client SDK in `client/`: the
//! SDK method builds the URL (`base.join("api/v0/record")`, `format!("{}/api/v0/me", base)`)
//! and sends the request, so the test calling it covers the route. A client method is followed
//! when no other production function shares its name; a handler of the same name does not count
//! (a test's `client.post_records(..)` cannot call the free handler `post_records`).
use crate::db::Db;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;

// Reached by `client.post_records(..)` in a test, though this handler has the same name; the
// SDK joins a relative path to its base.
pub async fn post_records(State(db): State<Db>, Json(records): Json<Vec<String>>) -> StatusCode {
    match db.insert_records(1, &records).await {
        Ok(()) => StatusCode::CREATED,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

// Reached by `client.me()` in a test.
pub async fn whoami(State(db): State<Db>) -> Result<String, StatusCode> {
    db.user_name(1).await.map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)
}

// Reached by `client.upload_rows(..)` in a test: the SDK sends it through its own builder,
// `self.authed(Method::POST, &url)`, named with the method and a full URL.
pub async fn import(State(db): State<Db>, body: String) -> StatusCode {
    let rows: Vec<String> = body.split(',').map(str::to_string).collect();
    match db.insert_records(1, &rows).await {
        Ok(()) => StatusCode::ACCEPTED,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

// The SDK has `delete_store`, but the only test calling a `delete_store` calls the database's,
// which shares the name: that says nothing about this route.
pub async fn delete_store(State(db): State<Db>) -> StatusCode { //~ untested-handler:high
    match db.delete_store(1).await {
        Ok(()) => StatusCode::NO_CONTENT,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

// Reached by `client.get_record(1)` in a test. The SDK names the URL in small functions
// (`record_url(base, id)` over `records_url(base)`, each a `format!`), and the database has a
// free function `get_record` too: a test calling `client.get_record(..)` as a method cannot
// call that one.
pub async fn get_record_handler(State(db): State<Db>, Path(id): Path<i64>) -> Result<String, StatusCode> {
    crate::db::get_record(&db.0, id).await.map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)
}

// Reached by `client.archive_record(1)` in a test: the SDK method calls its own verb wrapper,
// `self.post("/api/v0/archive", Some(id))`, which takes the path and a body.
pub async fn archive(State(db): State<Db>, Json(id): Json<i64>) -> Result<String, StatusCode> {
    db.archive(id).await.map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)
}

// Reached by `client.tag_record(1, ..)` in a test.
pub async fn tag_record(State(db): State<Db>, Path(id): Path<i64>, Json(tag): Json<String>) -> StatusCode {
    match db.insert_records(id, &[tag]).await {
        Ok(()) => StatusCode::NO_CONTENT,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

// Reached by `client.untag_record(1, ..)` in a test: the SDK's `record_tag_url` binds the tags'
// URL to a name and formats it inline (`let tags = record_tags_url(..); format!("{tags}/{tag}")`).
pub async fn untag_record(State(db): State<Db>, Path((id, tag)): Path<(i64, String)>) -> StatusCode {
    match db.delete_tag(id, &tag).await {
        Ok(()) => StatusCode::NO_CONTENT,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}
