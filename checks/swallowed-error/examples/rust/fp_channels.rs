use tokio::sync::{broadcast, mpsc, oneshot, watch};

// NO FLAG: the receiver may be gone by design.
async fn answer(reply: oneshot::Sender<Result<Quote, Error>>, quote: Quote) {
    let _ = reply.send(Ok(quote));
}

async fn forward(events: mpsc::Sender<Event>, ev: Event) {
    let _ = events.send(ev).await;
}

fn announce(bus: &broadcast::Sender<Change>, change: Change) {
    bus.send(change).ok();
}

fn shutdown(shutdown_tx: watch::Sender<bool>, done: oneshot::Sender<()>) {
    let _ = shutdown_tx.send(true);
    drop(done.send(()));
}

async fn progress(tx: &mpsc::UnboundedSender<u64>, n: u64) {
    tx.send(n).ok();
    _ = tx.send(n + 1);
}

// FLAG: the channel is the only path to durable work (an outbox feeding the publisher).
async fn record_payment(outbox_tx: &mpsc::Sender<OutboxEvent>, ev: OutboxEvent) {
    let _ = outbox_tx.send(ev).await; //~ swallowed-error:high
}
