use url::Url;

pub async fn start() -> Url {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, blog::router(blog::models::Db)).await.unwrap();
    });
    Url::parse(&format!("http://{address}/")).unwrap()
}

pub async fn register_inner(address: &Url, name: &str) -> String {
    blog::api_client::register(address, name).await.unwrap()
}
