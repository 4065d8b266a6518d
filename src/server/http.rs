//! Serving a router on a TCP listener with the limits a public address needs: a connection cap
//! with load shedding, a header read timeout that also closes idle keep-alive connections, and a
//! bounded read buffer. `axum::serve` has no knobs for any of these, so connections are served
//! with hyper-util directly, with the same graceful shutdown (stop accepting, let requests in
//! progress finish, close idle connections, return once every connection is closed).

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};

/// Largest read buffer of one connection. Request heads from GitHub are about 1 KB; a head
/// larger than this is answered 431. Also bounds what a connection buffers ahead of its handler.
const MAX_READ_BUFFER: usize = 64 * 1024;

/// How long a refused connection gets to receive its 503 before it is closed.
const SHED_DEADLINE: Duration = Duration::from_secs(1);

/// What one listener allows its clients.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Connections open at once; one more is answered 503 and closed without being read.
    pub max_connections: usize,
    /// How long a client may take to send a request head, and how long a connection may sit
    /// idle between requests, before it is closed.
    pub header_read_timeout: Duration,
}

/// Serves `router` on `listener` (HTTP/1.1) within `limits` until `shutdown` turns `true` (or
/// its sender is dropped); then stops accepting, lets requests in progress finish, and returns
/// once every connection is closed. `listener` is owned or borrowed (`&TcpListener`).
pub async fn serve<L: std::borrow::Borrow<TcpListener>>(
    listener: L,
    router: Router,
    limits: ConnectionLimits,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(MAX_READ_BUFFER);
    let builder = Arc::new(builder);
    let open = Arc::new(Semaphore::new(limits.max_connections));
    // Every connection task holds a receiver; `closed()` returns once they are all gone.
    let (all_closed, connection_alive) = watch::channel(());
    loop {
        let stream = tokio::select! {
            accepted = listener.borrow().accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(e) => {
                    // Out of file descriptors and the like: pause instead of spinning.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = shutdown.wait_for(|stop| *stop) => break,
        };
        let Ok(permit) = open.clone().try_acquire_owned() else {
            metrics::counter!("failmode_connections_refused_total").increment(1);
            tracing::warn!(
                max_connections = limits.max_connections,
                "connection limit reached; answering 503"
            );
            tokio::spawn(refuse(stream));
            continue;
        };
        let service = TowerToHyperService::new(router.clone());
        let builder = builder.clone();
        let mut shutdown = shutdown.clone();
        let alive = connection_alive.clone();
        tokio::spawn(async move {
            let connection = builder.serve_connection(TokioIo::new(stream), service);
            tokio::pin!(connection);
            let mut stopping = false;
            loop {
                tokio::select! {
                    served = connection.as_mut() => {
                        if let Err(e) = served {
                            tracing::debug!(error = %e, "connection ended with an error");
                        }
                        break;
                    }
                    _ = shutdown.wait_for(|stop| *stop), if !stopping => {
                        stopping = true;
                        connection.as_mut().graceful_shutdown();
                    }
                }
            }
            drop(permit);
            drop(alive);
        });
    }
    // An owned listener is closed now, so new connections are refused while the open ones
    // finish; a borrowed one stays open for its owner (setup mode hands it on to the App).
    drop(listener);
    drop(connection_alive);
    all_closed.closed().await;
}

/// Answers a connection over the limit with a 503 (`Retry-After: 1`) without reading its
/// request, then closes it. Reading what the client already sent, briefly, lets the 503 reach
/// it instead of a reset.
async fn refuse(mut stream: TcpStream) {
    const BODY: &str = r#"{"message":"too many connections; retry later"}"#;
    let answer = format!(
        "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{BODY}",
        BODY.len()
    );
    let _closed_or_timed_out = tokio::time::timeout(SHED_DEADLINE, async {
        stream.write_all(answer.as_bytes()).await?;
        stream.shutdown().await?;
        let mut sink = [0u8; 4096];
        let mut drained = 0;
        while drained < MAX_READ_BUFFER {
            match stream.read(&mut sink).await? {
                0 => break,
                n => drained += n,
            }
        }
        Ok::<(), std::io::Error>(())
    })
    .await;
}
