fn backend_url() -> String {
    "http://localhost:8081/auth/v1".to_string()
}

#[tokio::test]
async fn a_role_is_created() {
    let url = format!("{}/roles", backend_url());
    let res = reqwest::Client::new().post(&url).body("admin").send().await.unwrap();
    assert_eq!(res.status(), 200);
}
