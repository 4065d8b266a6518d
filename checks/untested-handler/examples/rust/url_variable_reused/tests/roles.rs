fn backend_url() -> String {
    std::env::var("BACKEND_URL").unwrap()
}

#[tokio::test]
async fn roles_are_listed_and_updated() {
    let url = format!("{}/roles", backend_url());
    let res = reqwest::get(&url).await.unwrap();
    assert_eq!(res.status(), 200);

    let by_id = format!("{}/{}", url, 7);
    let res = reqwest::Client::new().put(&by_id).body("admin").send().await.unwrap();
    assert_eq!(res.status(), 200);
}
