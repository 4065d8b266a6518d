use lambda_http::{run, service_fn, Body, Error, Request, Response};

struct Clients {
    dynamo: aws_sdk_dynamodb::Client,
}

// The closure passed to service_fn only forwards: the finding is on the real handler.
async fn handle_request(clients: &Clients, event: Request) -> Result<Response<Body>, Error> { //~ untested-handler:medium
    let id = event.uri().path().trim_start_matches('/').to_string();
    let item = clients.dynamo.get_item().table_name("profiles").key("id", id.into()).send().await?;
    let body = serde_json::to_string(&item.item.map(|_| "found"))?;
    Ok(Response::builder().status(200).body(body.into())?)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let config = aws_config::load_from_env().await;
    let clients = Clients { dynamo: aws_sdk_dynamodb::Client::new(&config) };
    let clients = &clients;
    run(service_fn(move |event: Request| async move { handle_request(clients, event).await })).await
}
