use axum_test::TestServer;

#[tokio::test]
async fn fetches_a_pet() {
    let server = TestServer::new(petstore::app(petstore::db::Db::default())).unwrap();
    let res = server.get("/api/pets/1").await;
    res.assert_status_ok();
}
