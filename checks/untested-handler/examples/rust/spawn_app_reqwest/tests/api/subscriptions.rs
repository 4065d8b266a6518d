use crate::helpers::spawn_app;

#[tokio::test]
async fn subscribe_returns_a_200_for_valid_form_data() {
    let app = spawn_app().await;
    let body = "name=le%20guin&email=ursula_le_guin%40gmail.com";
    let response = app.post_subscriptions(body.into()).await;
    assert_eq!(200, response.status().as_u16());
}

#[tokio::test]
async fn subscribe_returns_a_400_when_data_is_missing() {
    let app = spawn_app().await;
    for (body, message) in [("name=le%20guin", "missing the email"), ("", "missing both")] {
        let response = app.post_subscriptions(body.into()).await;
        assert_eq!(400, response.status().as_u16(), "The API did not fail with 400 when the payload was {}.", message);
    }
}

#[tokio::test]
async fn confirmations_without_token_are_rejected() {
    let app = spawn_app().await;
    let url = format!("{}/subscriptions/confirm?token=abc", app.address);
    let response = reqwest::get(url).await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
}
