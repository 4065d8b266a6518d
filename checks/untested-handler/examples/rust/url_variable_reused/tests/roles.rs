fn service_url() -> String {
    std::env::var("SERVICE_URL").unwrap()
}

#[tokio::test]
async fn roles_are_listed_and_updated() {
    let url = format!("{}/roles", service_url());
    let res = reqwest::get(&url).await.unwrap();
    assert_eq!(res.status(), 200);

    let by_id = format!("{}/{}", url, 7);
    let res = reqwest::Client::new().put(&by_id).body("admin").send().await.unwrap();
    assert_eq!(res.status(), 200);
}
