use std::time::Duration;

// NO FLAG: optional config, best-effort UX / metrics / telemetry, bounded waits.
fn config() -> Config {
    dotenvy::dotenv().ok();
    let region = std::env::var("AWS_REGION").ok();
    let _ = tracing_subscriber::fmt().try_init();
    Config { region }
}

async fn login_page(http: &reqwest::Client, url: &str) {
    let _ = open::that(url);
    let _ = webbrowser::open(url);
    let _ = metrics_client.post("https://metrics.example.com/v1/push").send().await;
    let _ = http.post("https://telemetry.example.com/event").send().await;
}

async fn serve(listener: tokio::net::TcpListener, app: axum::Router) {
    let _ = axum::serve(listener, app).await;
}

async fn wait_for_work(notify: &tokio::sync::Notify) {
    let _ = tokio::time::timeout(Duration::from_secs(30), notify.notified()).await;
}

fn update_progress(pb: &indicatif::ProgressBar) {
    let _ = pb.println("still working");
}

async fn warm_cache(redis: &mut redis::aio::ConnectionManager, key: &str, v: &str) {
    let _ = redis.set_ex::<_, _, ()>(format!("cache:{key}"), v, 60).await;
}
