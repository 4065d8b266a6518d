//! Class 14: pages rendered from a template and startup configuration, and constant redirects,
//! read no request input and do no I/O: a test of them would assert the template engine.
use actix_web::{get, post, web, App, HttpResponse, HttpServer};
use askama::Template;

static ARGS: once_cell::sync::Lazy<Args> = once_cell::sync::Lazy::new(Args::parse);

#[derive(Template)]
#[template(path = "guide.html")]
struct Guide<'a> {
    args: &'a Args,
}

#[get("/guide")]
pub async fn guide() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(Guide { args: &ARGS }.render().unwrap())
}

#[get("/admin")]
pub async fn admin() -> HttpResponse {
    HttpResponse::Found()
        .append_header(("Location", format!("{}/login", ARGS.public_path())))
        .finish()
}

// Not trivial: it stores what the request sends.
#[post("/feedback")]
pub async fn feedback(pool: web::Data<sqlx::PgPool>, body: String) -> HttpResponse { //~ untested-handler:high
    match sqlx::query("INSERT INTO feedback (body) VALUES ($1)").bind(body).execute(pool.get_ref()).await {
        Ok(_) => HttpResponse::Created().finish(),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    HttpServer::new(|| App::new().service(guide).service(admin).service(feedback))
        .bind(("0.0.0.0", 8080))?
        .run()
        .await
}
