//! The running server's operator channel: a Unix socket, `DATA/admin.sock` (0600, in the
//! 0700 data directory), through which `caseledger backup`, `log stats` and `log tail` reach a
//! running server whose data directory they cannot open themselves (the server holds its
//! lock).
//!
//! Who may connect is who may read the data directory: the socket is authenticated by the
//! file system, as the data directory itself is, so it needs no token. One request per
//! connection: a JSON line in, a JSON line out (`{"ok": ...}` or `{"error": "..."}`).

use std::path::{Path, PathBuf};

use caseledger_service::Service;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// The socket's path in a data directory.
pub(crate) fn path(data_dir: &Path) -> PathBuf {
    data_dir.join("admin.sock")
}

/// What an operator asks a running server.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum AdminRequest {
    /// A backup into `out` (an absolute path on the server's machine).
    Backup {
        /// The backup directory.
        out: PathBuf,
        /// Whether the master key goes in too.
        include_master_key: bool,
    },
    /// The log's statistics (`log stats`).
    Stats,
    /// Event headers from `from`, at most `limit` (`log tail`).
    Tail {
        /// The first position.
        from: u64,
        /// How many at most.
        limit: usize,
    },
}

/// Listens on the socket until `stop` resolves, then removes it. A socket that cannot be made
/// (a path too long for a Unix socket, say) is logged: the server still serves, and the
/// offline tools then need it stopped.
pub(crate) fn spawn(
    service: Service,
    data_dir: &Path,
    answer: fn(&Service, AdminRequest) -> Result<Value, String>,
) -> Option<tokio::task::JoinHandle<()>> {
    let path = path(data_dir);
    // A socket file left by a server killed before it could remove it.
    let _ = std::fs::remove_file(&path);
    let listener = match tokio::net::UnixListener::bind(&path) {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "no admin socket: backup and log tools need the server stopped");
            return None;
        }
    };
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
    }
    Some(tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let service = service.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut line = String::new();
                if BufReader::new(read).read_line(&mut line).await.is_err() {
                    return;
                }
                let reply = match serde_json::from_str::<AdminRequest>(&line) {
                    Ok(request) => {
                        tracing::info!(?request, "admin request");
                        // Backups read and write files for a long time: off the async threads.
                        tokio::task::spawn_blocking(move || answer(&service, request))
                            .await
                            .unwrap_or_else(|e| Err(e.to_string()))
                    }
                    Err(e) => Err(format!("not an admin request: {e}")),
                };
                let reply = match reply {
                    Ok(ok) => json!({ "ok": ok }),
                    Err(error) => json!({ "error": error }),
                };
                let _ = write.write_all(format!("{reply}\n").as_bytes()).await;
            });
        }
    }))
}

/// Removes the socket file (at shutdown).
pub(crate) fn remove(data_dir: &Path) {
    let _ = std::fs::remove_file(path(data_dir));
}

/// Asks the server running on `data_dir`: `None` when none listens there (no socket, or a
/// stale one), else its answer.
pub(crate) fn ask(data_dir: &Path, request: &AdminRequest) -> Option<Result<Value, String>> {
    use std::io::{BufRead, Write};
    let mut stream = std::os::unix::net::UnixStream::connect(path(data_dir)).ok()?;
    let sent = serde_json::to_string(request).expect("a request serializes");
    if let Err(e) = stream.write_all(format!("{sent}\n").as_bytes()) {
        return Some(Err(e.to_string()));
    }
    let mut line = String::new();
    if let Err(e) = std::io::BufReader::new(stream).read_line(&mut line) {
        return Some(Err(e.to_string()));
    }
    let reply: Value = match serde_json::from_str(&line) {
        Ok(v) => v,
        Err(e) => return Some(Err(format!("the server's answer is not JSON: {e}"))),
    };
    Some(match reply.get("error") {
        Some(error) => Err(error.as_str().unwrap_or_default().to_string()),
        None => Ok(reply["ok"].clone()),
    })
}
