use axum::body::Body;
use axum::http::{Request, StatusCode};
use tower::ServiceExt;

async fn app() -> axum::Router {
    projects::app(sqlx::PgPool::connect("postgres://localhost/projects_test").await.unwrap())
}

#[tokio::test]
async fn deleting_unknown_project_is_404() {
    let res = app()
        .await
        .oneshot(Request::delete("/projects/999999").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn lists_projects() {
    let res = app().await.oneshot(Request::get("/projects").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}
