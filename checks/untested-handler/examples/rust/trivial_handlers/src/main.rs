use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

async fn healthz() -> &'static str { "ok" }

async fn livez() -> StatusCode {
    StatusCode::OK
}

async fn robots() -> &'static str {
    include_str!("../static/robots.txt")
}

async fn landing() -> Html<&'static str> {
    Html(include_str!("../static/index.html"))
}

async fn docs() -> Redirect {
    Redirect::permanent("https://docs.example.com/api")
}

async fn version() -> impl IntoResponse {
    Json(json!({ "version": env!("CARGO_PKG_VERSION") }))
}

// A stub: nothing to test until it is written.
async fn export_report() -> StatusCode {
    unimplemented!()
}

// A fixed error whatever the request: constructors only.
async fn shared_views(_id: axum::extract::Path<u32>) -> Result<Json<Vec<u32>>, AppError> {
    Err(AppError::NotAvailable("this server does not share views".to_string()))
}

// Reads no input and calls only a helper with no service behind it.
async fn about() -> Html<String> {
    render_page("about")
}

// Not trivial: the helper it calls reads from another service.
async fn banner() -> Html<String> { //~ untested-handler:low
    Html(fetch_banner().unwrap_or_default())
}

// Not trivial: it hands the request's input to the helper.
async fn greet(axum::extract::Path(name): axum::extract::Path<String>) -> Html<String> { //~ untested-handler:low
    render_page(&name)
}

// A template rendered by the project's `render!` macro from the page context and an empty
// form: a static page.
async fn signup_form(axum::extract::State(ctx): axum::extract::State<PageContext>) -> Html<String> {
    render!(templates::signup(&ctx.to_context(), &SignupForm::default()))
}

// Not trivial: the macro's arguments wait on the database and can fail.
async fn stats(axum::extract::State(pool): axum::extract::State<sqlx::PgPool>) -> impl IntoResponse { //~ untested-handler:low
    Json(json!({ "users": count_users(&pool).await? }))
}

static TRACKED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

// An in-memory listing: a static lock and an iterator, nothing that waits or fails.
async fn tracked() -> String {
    let names = TRACKED.lock().unwrap_or_else(|e| e.into_inner()).clone();
    names.iter().fold(String::new(), |page, n| page + n + "\n")
}

// Startup configuration through a type's own getter, which reads no service.
async fn client_config() -> Json<serde_json::Value> {
    let base = &Settings::get().public_url;
    Json(json!({ "redirect_uri": format!("{base}/callback"), "contact": Settings::get().admin.clone().map(|a| vec![a]) }))
}

// Not trivial: the iterator's closure calls out to another service for each name.
async fn tracked_status() -> String { //~ untested-handler:low
    let names = TRACKED.lock().unwrap_or_else(|e| e.into_inner()).clone();
    names.iter().map(|n| fetch_status(n).unwrap_or_default()).collect()
}

struct Settings {
    public_url: String,
    admin: Option<String>,
}

impl Settings {
    fn get() -> &'static Settings {
        static SETTINGS: std::sync::OnceLock<Settings> = std::sync::OnceLock::new();
        SETTINGS.get_or_init(|| Settings { public_url: "https://example.com".into(), admin: None })
    }
}

fn fetch_status(name: &str) -> Result<String, reqwest::Error> {
    reqwest::blocking::get(format!("http://registry.internal/status/{name}"))?.text()
}

// Another type's `get` that does call a service: the bare name `get` stands for both, so only
// `Settings::get` says what `client_config` calls.
struct Registry {
    http: reqwest::blocking::Client,
}

impl Registry {
    fn get(&self, name: &str) -> Result<String, reqwest::Error> {
        self.http.get(format!("http://registry.internal/packages/{name}")).send()?.text()
    }
}

#[derive(Debug)]
enum AppError {
    NotAvailable(String),
}

impl IntoResponse for AppError {
    fn into_response(self) -> axum::response::Response {
        StatusCode::NOT_IMPLEMENTED.into_response()
    }
}

fn render_page(title: &str) -> Html<String> {
    Html(format!("<h1>{title}</h1>"))
}

fn fetch_banner() -> Result<String, reqwest::Error> {
    reqwest::blocking::get("http://cms.internal/banner")?
        .error_for_status()?
        .text()
}

// Not trivial: it reads the database pool's state.
async fn readyz(axum::extract::State(pool): axum::extract::State<sqlx::PgPool>) -> StatusCode { //~ untested-handler:medium
    match sqlx::query("SELECT 1").execute(&pool).await {
        Ok(_) => StatusCode::OK,
        Err(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

#[tokio::main]
async fn main() {
    let pool = sqlx::PgPool::connect(&std::env::var("DATABASE_URL").unwrap()).await.unwrap();
    let app = Router::new()
        .route("/healthz", get(healthz))
        .route("/livez", get(livez))
        .route("/readyz", get(readyz))
        .route("/robots.txt", get(robots))
        .route("/", get(landing))
        .route("/docs", get(docs))
        .route("/version", get(version))
        .route("/ping", get(|| async { "pong" }))
        .route("/reports/export", get(export_report))
        .route("/views/{id}", get(shared_views))
        .route("/about", get(about))
        .route("/banner", get(banner))
        .route("/hello/{name}", get(greet))
        .route("/signup", get(signup_form))
        .route("/stats", get(stats))
        .route("/internal/tracked", get(tracked))
        .route("/internal/tracked/status", get(tracked_status))
        .route("/client-config", get(client_config))
        .with_state(pool);
    let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await.unwrap();
    axum::serve(listener, app).await.unwrap();
}
