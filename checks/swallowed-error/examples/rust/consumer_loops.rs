use rdkafka::consumer::StreamConsumer;

// FLAG: the consumer loop ends silently on the first error.
async fn run(consumer: StreamConsumer, db: sqlx::PgPool) {
    while let Ok(msg) = consumer.recv().await { //~ swallowed-error
        handle(&db, &msg).await;
    }
}

// NO FLAG: channel receivers end when the sender is gone; a logged exit is recorded.
async fn fan_out(mut rx: tokio::sync::broadcast::Receiver<Event>) {
    while let Ok(ev) = rx.recv().await {
        apply(ev);
    }
}

async fn run_logged(consumer: StreamConsumer) {
    while let Ok(msg) = consumer.recv().await {
        process(&msg).await;
    }
    tracing::error!("kafka consumer stopped");
}

async fn run_matched(consumer: StreamConsumer) {
    loop {
        match consumer.recv().await {
            Ok(msg) => process(&msg).await,
            Err(e) => {
                tracing::error!(error = %e, "kafka receive failed");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        }
    }
}
