use poem::web::{Data, Json, Path};
use poem::{get, handler, http::StatusCode, EndpointExt, Route};

#[derive(Clone)]
pub struct Repo;

impl Repo {
    pub async fn all(&self) -> Vec<String> {
        Vec::new()
    }
    pub async fn remove(&self, _id: u32) -> bool {
        true
    }
}

#[handler]
async fn list_books(repo: Data<&Repo>) -> Json<Vec<String>> {
    Json(repo.all().await)
}

#[handler]
async fn delete_book(repo: Data<&Repo>, Path(id): Path<u32>) -> StatusCode { //~ untested-handler:high
    if repo.remove(id).await { StatusCode::NO_CONTENT } else { StatusCode::NOT_FOUND }
}

pub fn app() -> impl poem::Endpoint {
    Route::new()
        .nest("/v1", Route::new().at("/books", get(list_books)).at("/books/:id", poem::delete(delete_book)))
        .data(Repo)
}
