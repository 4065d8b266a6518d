// Unbounded channels, and whether whoever drains them can fall behind
// (docs/checks/unbounded-queue.md).
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

// A per-connection outbound queue: every broadcast is pushed without waiting, and the writer
// task waits on the client's socket between two messages. A client that stops reading holds
// every message sent to it from then on.
pub async fn serve_viewer(socket: WebSocket, hub: Hub) {
    let (tx, mut rx) = mpsc::unbounded_channel(); //~ unbounded-queue
    hub.register(tx);
    let (mut sink, _stream) = socket.split();
    tokio::spawn(async move {
        while let Some(msg) = rx.recv().await {
            if sink.send(msg).await.is_err() {
                break;
            }
        }
    });
}

// The same queue drained by forwarding it into the socket: each item waits for the sink.
pub async fn serve_viewer_forwarded(socket: WebSocket, hub: Hub) {
    let (tx, rx) = futures::channel::mpsc::unbounded(); //~ unbounded-queue
    hub.register(tx);
    let (sink, _stream) = socket.split();
    let _ = rx.map(Ok).forward(sink).await;
}

// A webhook queue handed to a worker thread that downloads logs and calls an API per item.
pub fn start_webhook_worker(state: &mut AppState) {
    let (queue_tx, queue_rx) = crossbeam_channel::unbounded(); //~ unbounded-queue
    state.queue = Some(queue_tx);
    std::thread::spawn(move || process_queue(queue_rx));
}

fn process_queue(queue: crossbeam_channel::Receiver<Delivery>) {
    for item in queue.iter() {
        if let Err(e) = report_failure(&item) {
            tracing::error!("processing {} failed: {e}", item.id);
        }
    }
}

// Stored in a struct whose run loop writes each event to the database.
pub struct EventSink {
    events: mpsc::UnboundedReceiver<Event>,
    db: PgPool,
}

impl EventSink {
    pub fn start(db: PgPool) -> mpsc::UnboundedSender<Event> {
        let (tx, events) = mpsc::unbounded_channel(); //~ unbounded-queue
        tokio::spawn(Self { events, db }.run());
        tx
    }

    async fn run(mut self) {
        loop {
            tokio::select! {
                Some(event) = self.events.recv() => {
                    if let Err(e) = insert_event(&self.db, &event).await {
                        tracing::warn!("event lost: {e}");
                    }
                }
                _ = tokio::time::sleep(Duration::from_secs(60)) => {}
            }
        }
    }
}

// Passed through a wrapper to the function that drains it.
pub fn start_listener(redis: RedisClient) -> mpsc::UnboundedSender<Topic> {
    let (tx, rx) = mpsc::unbounded_channel(); //~ unbounded-queue
    tokio::spawn(listen_with_restart(redis, rx));
    tx
}

async fn listen_with_restart(redis: RedisClient, topics: mpsc::UnboundedReceiver<Topic>) {
    listen(redis, topics).await;
}

async fn listen(redis: RedisClient, mut topics: mpsc::UnboundedReceiver<Topic>) {
    while let Some(topic) = topics.recv().await {
        let _ = redis.subscribe(&topic).await;
    }
}

// Not flagged: a stop signal. Its arm always leaves the loop, so it holds at most one item.
pub async fn run_session(mut conn: Connection) {
    let (abort_tx, mut abort_rx) = mpsc::unbounded_channel::<()>();
    conn.on_close(abort_tx);
    loop {
        tokio::select! {
            _ = abort_rx.recv() => break,
            frame = conn.read_frame() => {
                if conn.write_frame(frame).await.is_err() {
                    break;
                }
            }
        }
    }
}

// Not flagged: the consumer only spawns a task per job, so the channel itself never backs up
// (the work in the spawned task runs in another task).
pub fn start_dispatcher() -> mpsc::UnboundedSender<Job> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Job>();
    tokio::spawn(async move {
        while let Some(job) = rx.recv().await {
            tokio::spawn(async move {
                let _ = job.run().await;
            });
        }
    });
    tx
}

// Not flagged: request-reply. Every sender waits for its answer on the channel the item
// carries, so the queue holds at most one item per waiting caller.
pub fn start_hasher() -> mpsc::UnboundedSender<HashRequest> {
    let (tx, mut rx) = mpsc::unbounded_channel::<HashRequest>();
    tokio::spawn(async move {
        while let Some(HashRequest { password, reply_tx }) = rx.recv().await {
            let hash = hash_slowly(password).await;
            let _ = reply_tx.send(hash);
        }
    });
    tx
}

pub struct HashRequest {
    password: String,
    reply_tx: oneshot::Sender<String>,
}

// Not flagged: one end dropped as it is made, so nothing can ever fill it.
pub async fn idle_listener() {
    let (_, mut rx) = mpsc::unbounded_channel::<Event>();
    while let Some(event) = rx.recv().await {
        insert_event(&POOL, &event).await.ok();
    }
}

// Not flagged: a bounded channel; a full queue makes the sender wait.
pub fn start_bounded_writer(db: PgPool) -> mpsc::Sender<Event> {
    let (tx, mut rx) = mpsc::channel::<Event>(1024);
    tokio::spawn(async move {
        while let Some(event) = rx.recv().await {
            let _ = insert_event(&db, &event).await;
        }
    });
    tx
}

// Not flagged: drained in batches. Each round empties the channel without waiting, then
// sleeps: what waits is one batch, not a backlog.
pub fn start_dropper() -> std::sync::mpsc::Sender<Tree> {
    let (tx, rx) = std::sync::mpsc::channel::<Tree>();
    std::thread::spawn(move || loop {
        let _ = rx.recv();
        while rx.try_recv().is_ok() {}
        std::thread::sleep(Duration::from_millis(100));
    });
    tx
}

// Not flagged: a one-shot answer read once, not a queue drained in a loop.
pub async fn compare_in_pool(pool: &ThreadPool, a: String, b: String) -> bool {
    let (tx, rx) = flume::unbounded();
    pool.execute(move || {
        let _ = tx.send(a == b);
    });
    rx.recv_async().await.unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Not flagged: test code.
    #[tokio::test]
    async fn drains_slowly() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        tx.send(1).unwrap();
        while let Some(n) = rx.recv().await {
            tokio::time::sleep(Duration::from_millis(n)).await;
        }
    }
}
