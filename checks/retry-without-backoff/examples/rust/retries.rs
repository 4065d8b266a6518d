// Hand-written retry loops (docs/checks/retry-without-backoff.md).
use std::time::Duration;
use tokio::time::sleep;

const RETRY_DELAY: Duration = Duration::from_secs(1);

// Retries at once: a failing database is hit again immediately, ten times per write.
pub async fn save(db: &Db, event: &Event) -> Result<(), DbError> {
    let mut attempts = 0;
    loop { //~ retry-without-backoff
        match db.insert(event).await {
            Ok(()) => return Ok(()),
            Err(e) if attempts >= 10 => return Err(e),
            Err(_) => attempts += 1,
        }
    }
}

// The same fixed second every time, forever: every replica polls a down service in lockstep.
pub async fn notify(client: &Notifier, event: &Event) {
    while let Err(err) = client.send(event).await { //~ retry-without-backoff
        tracing::error!(?err, "sending the notification");
        sleep(Duration::from_secs(1)).await;
    }
}

// A fixed delay from a constant, bounded by the range.
pub async fn upload(s3: &S3, key: &str, body: Vec<u8>) -> Result<(), S3Error> {
    let mut last = None;
    for attempt in 0..3 { //~ retry-without-backoff
        match s3.put_object(key, body.clone()).await {
            Ok(_) => return Ok(()),
            Err(e) => {
                tracing::warn!(attempt, "upload failed: {e}");
                last = Some(e);
                tokio::time::sleep(RETRY_DELAY).await;
            }
        }
    }
    Err(last.expect("three attempts were made"))
}

// A growing delay but no limit, in a request handler: the request hangs for the whole outage.
pub async fn create_order(State(app): State<App>, Json(order): Json<Order>) -> StatusCode {
    let mut delay = Duration::from_millis(100);
    loop { //~ retry-without-backoff
        match app.ledger.record(&order).await {
            Ok(_) => return StatusCode::CREATED,
            Err(_) => {
                sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(30));
            }
        }
    }
}

// The success arm reads the body before leaving, and a bad body ends the loop: the attempt
// retried is still the `send()`, every 10 seconds on the same beat.
pub async fn refresh(http: &reqwest::Client, url: &str) -> Option<Tokens> {
    let mut retries = 0;
    loop { //~ retry-without-backoff
        match http.post(url).send().await {
            Ok(res) => match res.json::<Tokens>().await {
                Ok(tokens) => return Some(tokens),
                Err(e) => {
                    tracing::error!("bad token response: {e}");
                    return None;
                }
            },
            Err(e) => {
                tracing::warn!("refresh failed: {e}");
                retries += 1;
                if retries > 10 {
                    return None;
                }
                sleep(Duration::from_secs(10)).await;
            }
        }
    }
}

// `let .. else { continue }` is the failure path: a fixed pause between reconnects.
pub fn reconnect(path: &Path) -> Option<UnixStream> {
    for attempt in 0..5 { //~ retry-without-backoff
        if attempt > 0 {
            std::thread::sleep(RETRY_DELAY);
        }
        let Ok(stream) = UnixStream::connect(path) else {
            continue;
        };
        return Some(stream);
    }
    None
}

pub fn router(app: App) -> Router {
    Router::new().route("/orders", post(create_order)).with_state(app)
}

// Must not flag: exponential backoff, bounded.
pub async fn fetch(http: &reqwest::Client, url: &str) -> reqwest::Result<String> {
    let mut attempt = 0u32;
    loop {
        match http.get(url).send().await {
            Ok(r) => return r.text().await,
            Err(e) if attempt >= 4 => return Err(e),
            Err(_) => {
                sleep(Duration::from_millis(100 * 2u64.pow(attempt))).await;
                attempt += 1;
            }
        }
    }
}

// Must not flag: a fixed base with random jitter.
pub async fn connect_jittered(addr: &str) -> std::io::Result<TcpStream> {
    for _ in 0..5 {
        if let Ok(s) = TcpStream::connect(addr).await {
            return Ok(s);
        }
        sleep(RETRY_DELAY + Duration::from_millis(rand::random::<u64>() % 500)).await;
    }
    TcpStream::connect(addr).await
}

// Must not flag: a background reconnect loop that backs off forever is doing its job.
pub async fn keep_subscribed(url: String) {
    let mut delay = Duration::from_secs(1);
    loop {
        match subscribe(&url).await {
            Ok(()) => break,
            Err(_) => {
                sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(60));
            }
        }
    }
}

// Must not flag: a consumer loop is not a retry.
pub async fn consume(mut rx: Receiver<Job>) {
    loop {
        match rx.recv().await {
            Some(job) => handle(job).await,
            None => break,
        }
    }
}

// Must not flag: tries once; both outcomes leave the loop.
pub fn first_line(reader: &mut impl BufRead) -> std::io::Result<String> {
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(_) => return Ok(line),
            Err(e) => return Err(e),
        }
    }
}

// Must not flag: tries each address once, in order.
pub async fn connect_any(addrs: &[SocketAddr]) -> Option<TcpStream> {
    for addr in addrs {
        if let Ok(s) = TcpStream::connect(addr).await {
            return Some(s);
        }
    }
    None
}

// Must not flag: the body read's failure leaves, and so does the send's: tries once.
pub async fn refresh_once(http: &reqwest::Client, url: &str) -> Option<Tokens> {
    loop {
        match http.post(url).send().await {
            Ok(res) => match res.json::<Tokens>().await {
                Ok(tokens) => return Some(tokens),
                Err(_) => return None,
            },
            Err(_) => return None,
        }
    }
}

// Must not flag: the `else` leaves, so each address is tried once.
pub fn connect_first(paths: &[PathBuf]) -> Option<UnixStream> {
    for path in paths {
        let Ok(stream) = UnixStream::connect(path) else {
            return None;
        };
        return Some(stream);
    }
    None
}

// Polls every five minutes until the search index exists: a beat this slow cannot keep a
// recovering dependency down, in step with other replicas or not. No finding.
pub async fn wait_for_index(store: &IndexStore) -> Index {
    loop {
        if let Ok(index) = store.open().await {
            return index;
        }
        sleep(Duration::from_secs(300)).await;
    }
}

// The same poll every 30 seconds against a remote registry: still a fixed beat shared by every
// replica that started together.
pub async fn wait_for_registry(registry: &Registry) -> Manifest {
    loop { //~ retry-without-backoff
        if let Ok(manifest) = registry.fetch_manifest().await {
            return manifest;
        }
        sleep(Duration::from_secs(30)).await;
    }
}

// Retries only while another writer holds the embedded database's lock: the loop waits for a
// local lock, and no shared service is hit however fast it goes.
pub fn cursor_of(store: &LocalStore, host: &str) -> Result<Option<u64>, StoreError> {
    loop {
        match store.cursor(host) {
            Ok(cursor) => return Ok(cursor),
            Err(StoreError::Sqlite(e)) if e.code() == Some(ErrorCode::DatabaseLocked) => {}
            Err(e) => return Err(e),
        }
    }
}

// Waits for this machine's disk cleanup: other failures return at once.
pub fn fetch_sources(krate: &Crate, log: &Log) -> Result<(), FetchError> {
    for attempt in 1..=15 {
        match krate.fetch() {
            Ok(()) => return Ok(()),
            Err(e) => {
                if !log.text().contains("No space left on device") || attempt == 15 {
                    return Err(e);
                }
                std::thread::sleep(Duration::from_secs(3));
            }
        }
    }
    Ok(())
}

/// Tries the operation for up to a minute: on some systems another process (a virus scanner, an
/// indexer) holds a file lock on the directory for a while.
pub async fn retry_while_locked<F, Fut>(op: F) -> std::io::Result<()>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = std::io::Result<()>>,
{
    let mut tries = 0;
    loop {
        tries += 1;
        match op().await {
            Ok(()) => return Ok(()),
            Err(e) if tries > 60 => return Err(e),
            Err(_) => sleep(Duration::from_secs(1)).await,
        }
    }
}

// Any failure of the database is retried at once, a full disk or an I/O error among them: the
// arm names the whole error type, not a lock.
pub fn persist(conn: &mut Conn, event: &Event) -> Result<(), SqlError> {
    let mut attempts = 0;
    loop { //~ retry-without-backoff
        attempts += 1;
        match conn.insert(event) {
            Err(SqlError::SqliteFailure(e, _)) if attempts < 10 => {
                tracing::info!(code = e.extended_code, "write failed, trying again");
            }
            other => return other,
        }
    }
}
