use actix_web::{web, App, HttpServer};

mod users;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api")
            .service(users::create_user)
            .service(users::get_user)
            .service(users::delete_user)
            .service(web::resource("/sessions").route(web::post().to(users::login))),
    );
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let pool = users::connect().await;
    HttpServer::new(move || App::new().app_data(web::Data::new(pool.clone())).configure(config))
        .bind(("0.0.0.0", 8080))?
        .run()
        .await
}
