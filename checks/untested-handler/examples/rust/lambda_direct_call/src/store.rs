pub async fn save(body: &str) -> Result<(), lambda_runtime::Error> {
    let client = aws_sdk_dynamodb::Client::new(&aws_config::load_from_env().await);
    client
        .put_item()
        .table_name("events")
        .item("body", aws_sdk_dynamodb::types::AttributeValue::S(body.to_string()))
        .send()
        .await?;
    Ok(())
}
