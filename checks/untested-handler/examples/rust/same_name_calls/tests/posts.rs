mod common;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use blog::models::{inbox, Db, Post};

#[test]
fn a_post_is_created_and_deleted() {
    let db = Db;
    let post = Post::create(&db, "hello").unwrap();
    Post::delete(&db, post.id).unwrap();
}

#[test]
fn a_create_activity_is_applied() {
    let db = Db;
    let create = serde_json::json!({"type": "Create", "object": {"title": "hello"}});
    inbox(&db, serde_json::to_value(create).unwrap()).unwrap();
}

#[tokio::test]
async fn a_post_is_renamed() {
    let status =
        blog::routes::posts::update(State(Db), Path(1), "renamed".to_string()).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_user_registers() {
    let address = common::start().await;
    let id = common::register_inner(&address, "ann").await;
    assert_eq!(id, "7");
}
