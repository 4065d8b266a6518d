use hooks::events::dispatch;

#[tokio::test]
async fn dispatches_a_push_event() {
    let body = br#"{"action":"opened"}"#;
    dispatch(body).await.unwrap();
}
