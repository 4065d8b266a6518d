//! Webhook intake under load: latency (p50, p99, max) and throughput of `POST /webhook` for a
//! bare axum handler that answers 202, failmode's intake on SQLite, and failmode's intake on
//! PostgreSQL, in the same run on the same machine. failmode's intake verifies the signature,
//! parses the payload and stores the job before answering, so the difference is what durable
//! intake costs. The server runs on one runtime thread and the load generator on another, so
//! on a two-core machine neither starves the other.
//!
//! Two loads: a steady rate per `FAILMODE_BENCH_RATES` (default `100,400` deliveries/s, open
//! loop, the shape of real webhook traffic), then saturation with `FAILMODE_BENCH_CONCURRENCY`
//! (default 32) requests in flight for the maximum throughput. `FAILMODE_BENCH_REQUESTS`
//! (default 4000) requests each. PostgreSQL is included when
//! `FAILMODE_BENCH_POSTGRES_URL` (or `FAILMODE_TEST_POSTGRES_URL`) is set.
//! Run with `cargo bench --bench intake`.

use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use failmode::server::app::{build_state, router};
use failmode::server::settings::Settings;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

const SECRET: &str = "intake-bench-secret";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A multi-thread runtime with one worker: server and load generator each get one, so on a
/// two-core machine neither starves the other.
fn one_thread_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// Serves `app` on a loopback port from a one-thread runtime of its own.
fn serve_on_own_thread(make_app: impl FnOnce() -> Router + Send + 'static) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = one_thread_runtime();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind loopback");
            tx.send(listener.local_addr().expect("local addr"))
                .expect("report address");
            axum::serve(listener, make_app()).await.expect("serve");
        });
    });
    rx.recv().expect("server started")
}

/// A failmode router on `database_url`, built on its own runtime thread.
fn failmode_server(database_url: String) -> Result<SocketAddr, String> {
    let key_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/github/test-app-key.pem");
    let pem =
        std::fs::read_to_string(&key_path).map_err(|e| format!("{}: {e}", key_path.display()))?;
    let settings = Settings::from_lookup(|name| match name {
        "FAILMODE_APP_ID" => Some("4242".into()),
        "FAILMODE_PRIVATE_KEY" => Some(pem.clone()),
        "FAILMODE_WEBHOOK_SECRET" => Some(SECRET.into()),
        "FAILMODE_GITHUB_API_URL" => Some("http://127.0.0.1:9".into()),
        "FAILMODE_DATABASE_URL" => Some(database_url.clone()),
        _ => None,
    })
    .map_err(|e| e.to_string())?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = one_thread_runtime();
        rt.block_on(async move {
            let state = match build_state(&settings).await {
                Ok(state) => state,
                Err(e) => {
                    let _ = tx.send(Err(e.to_string()));
                    return;
                }
            };
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind loopback");
            let _ = tx.send(Ok(listener.local_addr().expect("local addr")));
            axum::serve(listener, router(state)).await.expect("serve");
        });
    });
    rx.recv().map_err(|e| e.to_string())?
}

/// Signed deliveries prepared before timing: `synchronize` events spread over 200 pull
/// requests with a new head each time, like a busy organisation's traffic.
struct Deliveries {
    prepared: Vec<(String, Vec<u8>, String)>,
}

impl Deliveries {
    fn new(template: &serde_json::Value, n: usize, run: &str) -> Deliveries {
        let prepared = (0..n)
            .map(|i| {
                let mut payload = template.clone();
                payload["action"] = "synchronize".into();
                payload["number"] = (i % 200 + 1).into();
                payload["pull_request"]["number"] = (i % 200 + 1).into();
                payload["pull_request"]["head"]["sha"] = format!("{i:040x}").into();
                let body = serde_json::to_vec(&payload).expect("serialisable");
                let signature = failmode::github::webhook::sign(SECRET.as_bytes(), &body);
                (format!("{run}-{i}"), body, signature)
            })
            .collect();
        Deliveries { prepared }
    }

    async fn send(
        &self,
        client: &reqwest::Client,
        url: &str,
        i: usize,
    ) -> reqwest::Result<reqwest::Response> {
        let (id, body, signature) = &self.prepared[i % self.prepared.len()];
        client
            .post(url)
            .header("x-github-event", "pull_request")
            .header("x-github-delivery", id.as_str())
            .header("x-hub-signature-256", signature.as_str())
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
    }
}

struct Result_ {
    latencies: Vec<Duration>,
    elapsed: Duration,
    non_2xx: usize,
}

/// Sends `requests` signed deliveries with `concurrency` in flight, from a one-thread runtime.
fn load(addr: SocketAddr, requests: usize, concurrency: usize, bodies: Arc<Deliveries>) -> Result_ {
    let rt = one_thread_runtime();
    rt.block_on(async move {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(concurrency)
            .build()
            .expect("client");
        let url = format!("http://{addr}/webhook");
        let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..concurrency {
            let (client, url, bodies, next) =
                (client.clone(), url.clone(), bodies.clone(), next.clone());
            tasks.push(tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut non_2xx = 0;
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= requests {
                        break;
                    }
                    let t = Instant::now();
                    let response = bodies.send(&client, &url, i).await;
                    latencies.push(t.elapsed());
                    match response {
                        Ok(r) if r.status().is_success() => {}
                        _ => non_2xx += 1,
                    }
                }
                (latencies, non_2xx)
            }));
        }
        let mut latencies = Vec::new();
        let mut non_2xx = 0;
        for task in tasks {
            let (l, n) = task.await.expect("load task");
            latencies.extend(l);
            non_2xx += n;
        }
        Result_ {
            latencies,
            elapsed: started.elapsed(),
            non_2xx,
        }
    })
}

/// Sends `requests` deliveries at a fixed `rate` per second (open loop: each request starts on
/// schedule whether or not earlier ones finished), timing each from its scheduled start so a
/// stalled server cannot hide its queueing delay.
fn load_at_rate(addr: SocketAddr, requests: usize, rate: f64, bodies: Arc<Deliveries>) -> Result_ {
    let rt = one_thread_runtime();
    rt.block_on(async move {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .build()
            .expect("client");
        let url = format!("http://{addr}/webhook");
        let started = Instant::now();
        let mut tasks = Vec::with_capacity(requests);
        for i in 0..requests {
            let due = started + Duration::from_secs_f64(i as f64 / rate);
            tokio::time::sleep_until(due.into()).await;
            let (client, url, bodies) = (client.clone(), url.clone(), bodies.clone());
            tasks.push(tokio::spawn(async move {
                let response = bodies.send(&client, &url, i).await;
                let ok = matches!(&response, Ok(r) if r.status().is_success());
                (due.elapsed(), ok)
            }));
        }
        let mut latencies = Vec::with_capacity(requests);
        let mut non_2xx = 0;
        for task in tasks {
            let (latency, ok) = task.await.expect("load task");
            latencies.push(latency);
            non_2xx += usize::from(!ok);
        }
        Result_ {
            latencies,
            elapsed: started.elapsed(),
            non_2xx,
        }
    })
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn report(name: &str, mut r: Result_, baseline_p99: Option<Duration>) -> Duration {
    r.latencies.sort();
    let p50 = percentile(&r.latencies, 0.50);
    let p99 = percentile(&r.latencies, 0.99);
    let max = r.latencies.last().copied().unwrap_or_default();
    let rps = r.latencies.len() as f64 / r.elapsed.as_secs_f64();
    let ratio = baseline_p99
        .map(|b| format!("{:.2}×", p99.as_secs_f64() / b.as_secs_f64().max(1e-9)))
        .unwrap_or_else(|| "1.00×".into());
    println!(
        "| {name:<22} | {:>8.2} | {:>8.2} | {:>8.2} | {:>8.0} | {:>6} | {ratio:>9} |",
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3,
        rps,
        r.non_2xx
    );
    p99
}

fn main() {
    let requests = env_usize("FAILMODE_BENCH_REQUESTS", 4000);
    let concurrency = env_usize("FAILMODE_BENCH_CONCURRENCY", 32);
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/github/webhooks/pull_request/opened.payload.json");
    let template: serde_json::Value = match std::fs::read(&fixture)
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
    {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{}: {e}", fixture.display());
            std::process::exit(2);
        }
    };
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    // Each phase and server gets its own delivery ids, so no request is a redelivery.
    let phase = |name: &str| {
        Arc::new(Deliveries::new(
            &template,
            requests,
            &format!("{stamp}-{name}"),
        ))
    };
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("cannot make a temp dir for the SQLite file: {e}");
            std::process::exit(2);
        }
    };
    let rates: Vec<f64> = std::env::var("FAILMODE_BENCH_RATES")
        .unwrap_or_else(|_| "100,400".into())
        .split(',')
        .filter_map(|r| r.trim().parse().ok())
        .collect();
    let bare = serve_on_own_thread(|| {
        Router::new().route(
            "/webhook",
            post(|_body: axum::body::Bytes| async { StatusCode::ACCEPTED }),
        )
    });
    let mut servers = vec![("bare axum (202)".to_string(), bare)];
    let sqlite_url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("intake.db").display()
    );
    match failmode_server(sqlite_url) {
        Ok(addr) => servers.push(("failmode, SQLite".into(), addr)),
        Err(e) => eprintln!("failmode on SQLite did not start: {e}"),
    }
    match std::env::var("FAILMODE_BENCH_POSTGRES_URL")
        .or_else(|_| std::env::var("FAILMODE_TEST_POSTGRES_URL"))
    {
        Ok(url) => match failmode_server(url) {
            Ok(addr) => servers.push(("failmode, PostgreSQL".into(), addr)),
            Err(e) => eprintln!("failmode on PostgreSQL did not start: {e}"),
        },
        Err(_) => eprintln!("PostgreSQL left out: set FAILMODE_BENCH_POSTGRES_URL to include it"),
    }
    for (name, addr) in &servers {
        // Warm-up: connections, SQLite/PostgreSQL caches, lazy statics.
        let _ = load(
            *addr,
            concurrency * 4,
            concurrency,
            phase(&format!("warm-{name}")),
        );
    }
    println!(
        "webhook intake: signed pull_request deliveries ({} bytes) over loopback, keep-alive",
        serde_json::to_vec(&template).map(|b| b.len()).unwrap_or(0)
    );
    for rate in &rates {
        println!();
        println!("at a steady {rate} deliveries/s ({requests} requests, open loop, latency from each request's scheduled start):");
        println!();
        print_header();
        let mut baseline = None;
        for (name, addr) in &servers {
            let result = load_at_rate(*addr, requests, *rate, phase(&format!("{rate}-{name}")));
            let p99 = report(name, result, baseline);
            baseline.get_or_insert(p99);
        }
    }
    println!();
    println!("saturated: {requests} requests, {concurrency} in flight (closed loop; req/s is the maximum throughput):");
    println!();
    print_header();
    let mut baseline = None;
    for (name, addr) in &servers {
        let result = load(*addr, requests, concurrency, phase(&format!("sat-{name}")));
        let p99 = report(name, result, baseline);
        baseline.get_or_insert(p99);
    }
}

fn print_header() {
    println!("| server                 | p50 (ms) | p99 (ms) | max (ms) |    req/s | non-2xx | p99 / bare |");
    println!("|------------------------|---------:|---------:|---------:|---------:|--------:|-----------:|");
}
