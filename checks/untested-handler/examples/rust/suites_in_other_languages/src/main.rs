//! Class 15: handlers exercised by end-to-end suites in other languages are tested. A Ruby
//! request spec under `tests/` is found by its place; the TypeScript suite under `e2e/` is named
//! in `[checks.untested-handler] covered_by`. The handlers neither reaches are folded into one
//! finding, on the first of them, instead of one each.
use axum::routing::{delete, get, post};
use axum::{extract::Path, extract::State, Json, Router};

async fn evaluate(State(db): State<Db>, Json(req): Json<EvalRequest>) -> Json<EvalResponse> {
    Json(db.run(req).await)
}

async fn create_gist(State(db): State<Db>, Json(req): Json<Gist>) -> Json<GistId> {
    Json(db.save_gist(req).await)
}

async fn get_gist(State(db): State<Db>, Path(id): Path<String>) -> Json<Gist> {
    Json(db.load_gist(&id).await)
}

// The suite only GETs `/meta/gist/{id}`: the verb before its path says which method it sends,
// so the DELETE on the same route is not reached.
async fn delete_gist(State(db): State<Db>, Path(id): Path<String>) -> Json<()> { //~ untested-handler:high
    Json(db.delete_gist(&id).await)
}

async fn purge_cache(State(db): State<Db>) -> Json<()> {
    Json(db.purge().await)
}

// The spec requests it after a comment with an apostrophe in it, by concatenating the id.
async fn get_report(State(db): State<Db>, Path(id): Path<u64>) -> Json<Report> {
    Json(db.report(id).await)
}

async fn reindex(State(db): State<Db>) -> Json<()> {
    Json(db.reindex().await)
}

pub fn app(db: Db) -> Router {
    Router::new()
        .route("/evaluate.json", post(evaluate))
        .route("/meta/gist", post(create_gist))
        .route("/meta/gist/{id}", get(get_gist))
        .route("/meta/gist/{id}", delete(delete_gist))
        .route("/admin/purge", post(purge_cache))
        .route("/admin/reindex", post(reindex))
        .route("/reports/{id}", get(get_report))
        .with_state(db)
}
