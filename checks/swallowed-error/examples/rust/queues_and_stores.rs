use futures::StreamExt;
use lapin::options::{BasicAckOptions, BasicPublishOptions};

// FLAG: message-broker and store side effects dropped.
async fn relay(channel: &lapin::Channel, nats: &async_nats::Client, delivery: lapin::message::Delivery) {
    let _ = nats.publish("orders.created", delivery.data.clone().into()).await; //~ swallowed-error:high
    channel //~ swallowed-error:high
        .basic_publish("", "audit", BasicPublishOptions::default(), &delivery.data, Default::default())
        .await
        .ok();
    let _ = delivery.ack(BasicAckOptions::default()).await; //~ swallowed-error:high
}

async fn remember(redis: &mut redis::aio::ConnectionManager, mongo: &mongodb::Collection<Doc>, doc: Doc) {
    let _ = redis.del::<_, ()>(format!("session:{}", doc.id)).await; //~ swallowed-error:high
    mongo.insert_one(&doc).await.ok(); //~ swallowed-error:high
}

async fn store_object(store: &dyn object_store::ObjectStore, path: &object_store::path::Path, bytes: bytes::Bytes) {
    let _ = store.put(path, bytes.into()).await; //~ swallowed-error:high
}

async fn send_receipt(mailer: &AsyncSmtpTransport<Tokio1Executor>, email: Message) {
    let _ = mailer.send(email).await; //~ swallowed-error
}

async fn produce(producer: &rdkafka::producer::FutureProducer, rec: FutureRecord<'_, str, str>) {
    let _ = producer.send(rec, std::time::Duration::from_secs(5)).await; //~ swallowed-error:high
}

// NO FLAG: handled, logged, or not durable.
async fn relay_checked(channel: &lapin::Channel, delivery: lapin::message::Delivery) -> Result<(), lapin::Error> {
    channel
        .basic_publish("", "audit", BasicPublishOptions::default(), &delivery.data, Default::default())
        .await?;
    if let Err(e) = delivery.ack(BasicAckOptions::default()).await {
        tracing::error!(error = %e, "ack failed; message will be redelivered");
    }
    Ok(())
}

async fn local_only(jobs: &tokio::sync::mpsc::Sender<Job>, job: Job, mut results: futures::channel::mpsc::UnboundedSender<u8>) {
    let _ = jobs.send(job).await;
    let _ = results.unbounded_send(1);
    let mut stream = futures::stream::iter(vec![1, 2]);
    let _ = stream.next().await;
}
