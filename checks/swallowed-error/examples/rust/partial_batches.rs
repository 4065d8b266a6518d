use aws_sdk_dynamodb::types::WriteRequest;

// FLAG: partial-batch outputs discarded even though `?` is present.
async fn flush(ctx: &Ctx, writes: Vec<WriteRequest>, records: Vec<Record>) -> anyhow::Result<()> {
    let _ = ctx //~ swallowed-error:high
        .dynamo
        .batch_write_item()
        .request_items("events", writes)
        .send()
        .await?;
    ctx.kinesis.put_records().stream_name("clicks").set_records(Some(records)).send().await?; //~ swallowed-error:high
    let _ = ctx.firehose.put_record_batch().delivery_stream_name("logs").send().await?; //~ swallowed-error:high
    ctx.s3.delete_objects().bucket("exports").delete(ctx.batch.clone()).send().await?; //~ swallowed-error:high
    Ok(())
}

// NO FLAG: the output is inspected.
async fn flush_checked(ctx: &Ctx, writes: Vec<WriteRequest>) -> anyhow::Result<()> {
    let out = ctx.dynamo.batch_write_item().request_items("events", writes).send().await?;
    if let Some(left) = out.unprocessed_items().filter(|m| !m.is_empty()) {
        anyhow::bail!("{} tables with unprocessed items", left.len());
    }
    let _ = ctx.s3.put_object().bucket("exports").key("k").send().await?;
    Ok(())
}
