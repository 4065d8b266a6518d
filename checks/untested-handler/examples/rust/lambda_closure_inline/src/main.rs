use lambda_runtime::{run, service_fn, Error, LambdaEvent};
use serde_json::{json, Value};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let table = std::env::var("TABLE").expect("TABLE is set by the stack");
    let config = aws_config::load_from_env().await;
    let db = aws_sdk_dynamodb::Client::new(&config);
    run(service_fn(|event: LambdaEvent<Value>| async { //~ untested-handler:medium
        let id = event.payload["id"].as_str().unwrap_or_default().to_string();
        let out = db.get_item().table_name(&table).key("id", aws_sdk_dynamodb::types::AttributeValue::S(id)).send().await?;
        Ok::<Value, Error>(json!({ "found": out.item.is_some() }))
    }))
    .await
}
