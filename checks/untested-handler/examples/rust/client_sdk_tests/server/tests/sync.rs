use sync_client::Client;
use sync_server::db::Db;

async fn spawn_server() -> (Client, Db) {
    let pool = sqlx::PgPool::connect_lazy("postgres://localhost/test").unwrap();
    let db = Db(pool);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, sync_server::router(db.clone())).into_future());
    (Client::new(base.parse().unwrap()), db)
}

#[tokio::test]
async fn uploaded_records_belong_to_the_user() {
    let (client, _) = spawn_server().await;
    client.post_records(&["a".into()]).await.unwrap();
    assert_eq!(client.me().await.unwrap(), "alice");
}

#[tokio::test]
async fn an_import_is_accepted() {
    let (client, _) = spawn_server().await;
    client.upload_rows(b"a,b".to_vec()).await.unwrap();
}

#[tokio::test]
async fn deleting_a_store_removes_its_records() {
    let (_, db) = spawn_server().await;
    db.delete_store(1).await.unwrap();
}

#[tokio::test]
async fn a_record_is_read_back() {
    let (client, _) = spawn_server().await;
    assert_eq!(client.get_record(1).await.unwrap(), "a");
}

#[tokio::test]
async fn an_archived_record_is_reported() {
    let (client, _) = spawn_server().await;
    assert_eq!(client.archive_record(1).await.unwrap(), "archived");
}

#[tokio::test]
async fn a_record_can_be_tagged() {
    let (client, _) = spawn_server().await;
    client.tag_record(1, "urgent").await.unwrap();
    client.untag_record(1, "urgent").await.unwrap();
}
