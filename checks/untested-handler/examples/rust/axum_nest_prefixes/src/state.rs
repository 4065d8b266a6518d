#[derive(Clone)]
pub struct AppState {
    pub db: Db,
}

impl AppState {
    pub async fn from_env() -> AppState {
        let url = std::env::var("DATABASE_URL").expect("DATABASE_URL must be set");
        AppState { db: Db::connect(&url).await }
    }
}

#[derive(Clone)]
pub struct Db;

impl Db {
    pub async fn connect(_url: &str) -> Db {
        Db
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
pub struct Invoice {
    pub total_cents: i64,
}

#[derive(serde::Serialize)]
pub struct Line {
    pub sku: String,
}
