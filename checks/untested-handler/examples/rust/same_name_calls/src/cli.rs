/// The `blog register NAME` subcommand: registers against a running server.
pub async fn register(address: &url::Url, name: &str) -> Result<(), crate::api_client::Error> {
    let id = crate::api_client::register(address, name).await?;
    println!("registered as {id}");
    Ok(())
}
