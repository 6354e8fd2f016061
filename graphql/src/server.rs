//! The HTTP server: accepts connections on a listener and serves the router over HTTP/1.1
//! with the limits a public endpoint needs — a deadline for request heads (which also closes
//! idle kept-alive connections), a cap on open connections (kept under the process's file
//! limit, so the listener never spins on "too many open files"), a bounded head buffer — and
//! stops gracefully, letting requests in flight finish.
//!
//! `axum::serve` offers none of these knobs, so connections are driven by hyper directly.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// Connection limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// How long a client may take to send a complete request head, counted from when the
    /// connection opens or its previous response was sent; a kept-alive connection idle this
    /// long is closed.
    pub header_read_timeout: Duration,
    /// Most connections open at once; more wait in the listen backlog.
    pub max_connections: usize,
    /// Largest request head hyper buffers (heads over [`crate::MAX_HEAD_BYTES`] but under
    /// this get a JSON 431 from the router; larger ones hyper's own 431).
    pub max_buffered_head: usize,
    /// How long requests in flight may take to finish at shutdown.
    pub shutdown_grace: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_read_timeout: Duration::from_secs(10),
            max_connections: 1_024,
            max_buffered_head: 64 * 1024,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// File descriptors kept back from connections for the log store, snapshots and exports.
const RESERVED_FILES: u64 = 128;

/// `max_connections`, lowered to fit under the soft limit on open files.
pub fn effective_max_connections(requested: usize) -> usize {
    let soft = rustix::process::getrlimit(rustix::process::Resource::Nofile).current;
    match soft {
        Some(soft) => requested.min(soft.saturating_sub(RESERVED_FILES).max(16) as usize),
        None => requested,
    }
}

/// Serves `app` on `listener` until `shutdown` completes, then waits (at most
/// `limits.shutdown_grace`) for connections to finish their requests.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) {
    let max = effective_max_connections(limits.max_connections);
    if max < limits.max_connections {
        tracing::warn!(
            requested = limits.max_connections,
            allowed = max,
            "fewer connections than asked for: the open-file limit is lower"
        );
    }
    let slots = Arc::new(Semaphore::new(max));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(limits.max_buffered_head.max(8192))
        .keep_alive(true);
    tokio::pin!(shutdown);
    let mut last_error_logged: Option<Instant> = None;
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of descriptors or a connection reset before accept: pause instead of
                // spinning, and say so at most once a minute.
                if last_error_logged.is_none_or(|t| t.elapsed() > Duration::from_secs(60)) {
                    tracing::error!(%error, "cannot accept connections; pausing");
                    last_error_logged = Some(Instant::now());
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone().map_request(
            move |mut request: axum::http::Request<Incoming>| {
                request
                    .extensions_mut()
                    .insert(ConnectInfo::<SocketAddr>(peer));
                request
            },
        ));
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%peer, %error, "connection closed with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still in flight at shutdown were cut off");
    }
}
