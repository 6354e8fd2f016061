//! A scratch PostgreSQL for tests: one server per test process, started by
//! `scripts/postgres/start.sh` (Debian's packages, installed when missing) on a Unix socket,
//! stopped and removed when the process exits; each test gets a database of its own.
//!
//! A test that cannot start the server fails with the script's words: it never skips.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The connection string of the process's server (its `postgres` database).
pub fn server() -> &'static str {
    static SERVER: OnceLock<String> = OnceLock::new();
    SERVER.get_or_init(|| {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/postgres/start.sh");
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir =
            std::env::temp_dir().join(format!("caseledger-pg-{}-{nanos}", std::process::id()));
        let out = Command::new("bash")
            .arg(&script)
            .arg(&dir)
            .arg(std::process::id().to_string())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
        assert!(
            out.status.success(),
            "scripts/postgres/start.sh could not start PostgreSQL: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .expect("start.sh prints the connection string")
            .to_string()
    })
}

/// The connection string of a new, empty database on the process's server.
pub fn database() -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let name = format!(
        "test_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    admin(&format!("CREATE DATABASE {name}"));
    server().replace("dbname=postgres", &format!("dbname={name}"))
}

/// Runs `sql` on the server's `postgres` database, from a thread of its own (callers may be
/// inside a runtime).
pub fn admin(sql: &str) {
    let sql = sql.to_string();
    let conninfo = server().to_string();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async move {
            let (client, connection) = tokio_postgres::connect(&conninfo, tokio_postgres::NoTls)
                .await
                .expect("connect to the test server");
            tokio::spawn(connection);
            client
                .batch_execute(&sql)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        });
    })
    .join()
    .expect("the admin statement ran");
}
