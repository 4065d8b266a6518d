//! The tests build one URL per resource and then a URL per item from it,
//! `format!("{}/{}", url, id)`: the item's URL is the resource's with the id appended.
use axum::extract::Path;
use axum::routing::{get, put};
use axum::Router;

// Reached: the test requests `{base}/roles`, the base carrying `/iam/v2`.
async fn list_roles() -> Result<String, String> {
    std::fs::read_to_string("/var/lib/roles.json").map_err(|e| e.to_string())
}

// Reached: the test PUTs `format!("{}/{}", url, 7)` with `url` = `{base}/roles`.
async fn put_role(Path(id): Path<String>, body: String) -> Result<String, String> {
    if body.is_empty() {
        return Err(format!("role {id}: empty body"));
    }
    std::fs::write(format!("/var/lib/roles/{id}"), &body).map_err(|e| e.to_string())?;
    Ok(body)
}

// Not reached: no test sends a DELETE.
async fn delete_role(Path(id): Path<String>) -> Result<(), String> { //~ untested-handler:high
    std::fs::remove_file(format!("/var/lib/roles/{id}")).map_err(|e| e.to_string())
}

#[tokio::main]
async fn main() {
    let app = Router::new()
        .route("/iam/v2/roles", get(list_roles))
        .route("/iam/v2/roles/{id}", put(put_role).delete(delete_role));
    let listener = tokio::net::TcpListener::bind("0.0.0.0:8081").await.unwrap();
    axum::serve(listener, app).await.unwrap();
}
