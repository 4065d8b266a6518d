pub async fn test_app() -> axum::Router {
    let state = billing::state::AppState::from_env().await;
    billing::app(state)
}
