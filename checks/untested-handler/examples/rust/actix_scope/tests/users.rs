use actix_web::{test, web, App};
use accounts::config;

async fn pool() -> sqlx::PgPool {
    sqlx::PgPool::connect("postgres://localhost/accounts_test").await.unwrap()
}

#[actix_web::test]
async fn creates_and_reads_a_user() {
    let app = test::init_service(App::new().app_data(web::Data::new(pool().await)).configure(config)).await;
    let req = test::TestRequest::post().uri("/api/users").set_json(serde_json::json!({"email": "a@b.c"})).to_request();
    let resp = test::call_service(&app, req).await;
    assert_eq!(resp.status(), actix_web::http::StatusCode::CREATED);

    let req = test::TestRequest::get().uri("/api/users/1").to_request();
    let resp = test::call_service(&app, req).await;
    assert!(resp.status().is_success());
}

#[actix_web::test]
async fn deletes_a_user() {
    let app = test::init_service(App::new().app_data(web::Data::new(pool().await)).configure(config)).await;
    let req = test::TestRequest::delete().uri("/users/3").to_request();
    let resp = test::call_service(&app, req).await;
    assert!(resp.status().is_success());
}
