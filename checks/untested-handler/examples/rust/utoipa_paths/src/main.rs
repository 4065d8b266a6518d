use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

mod db;
use db::Db;

#[derive(serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Pet {
    id: i64,
    name: String,
}

#[utoipa::path(get, path = "/pets/{id}", responses((status = 200, body = Pet), (status = 404)))]
async fn get_pet(State(db): State<Db>, Path(id): Path<i64>) -> Result<Json<Pet>, StatusCode> {
    db.pet(id).await.map(Json).ok_or(StatusCode::NOT_FOUND)
}

#[utoipa::path(
    post,
    path = "/pets",
    request_body = Pet,
    responses((status = 201))
)]
async fn add_pet(State(db): State<Db>, Json(pet): Json<Pet>) -> StatusCode { //~ untested-handler:high
    match db.insert(pet).await {
        Ok(()) => StatusCode::CREATED,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

pub fn pet_router(db: Db) -> OpenApiRouter {
    OpenApiRouter::new().routes(routes!(get_pet)).routes(routes!(add_pet)).with_state(db)
}

pub fn app(db: Db) -> axum::Router {
    let (router, _api) = OpenApiRouter::new().nest("/api", pet_router(db)).split_for_parts();
    router
}

#[tokio::main]
async fn main() {
    let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await.unwrap();
    axum::serve(listener, app(Db::default())).await.unwrap();
}
