use poem::test::TestClient;

#[tokio::test]
async fn lists_books() {
    let cli = TestClient::new(library::app());
    let resp = cli.get("/v1/books").send().await;
    resp.assert_status_is_ok();
}
