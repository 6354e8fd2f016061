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
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir =
            std::env::temp_dir().join(format!("caseledger-pg-{}-{nanos}", std::process::id()));
        let pid = std::process::id().to_string();
        script("start.sh", &[dir.as_os_str(), pid.as_ref()])
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

/// A primary of its own with a synchronous streaming-replication standby
/// (`scripts/postgres/standby.sh`), for failover tests: not the process's shared server,
/// since a failover test crashes its primary.
pub struct Replicated {
    primary: PathBuf,
    standby: PathBuf,
}

impl Replicated {
    /// Starts the primary and its standby (stopped and removed when the process exits).
    pub fn start() -> Replicated {
        let scratch = std::env::temp_dir().join(format!(
            "caseledger-pg-pair-{}-{}",
            std::process::id(),
            NEXT_PAIR.fetch_add(1, Ordering::Relaxed)
        ));
        let (primary, standby) = (scratch.join("primary"), scratch.join("standby"));
        std::fs::create_dir_all(&scratch).expect("scratch directory");
        let pid = std::process::id().to_string();
        script("start.sh", &[primary.as_os_str(), pid.as_ref()]);
        script(
            "standby.sh",
            &[primary.as_os_str(), standby.as_os_str(), pid.as_ref()],
        );
        Replicated { primary, standby }
    }

    /// Both servers, the one accepting writes first: what a node is given, so that it finds
    /// the writable one after a failover (`target_session_attrs=read-write`).
    pub fn conninfo(&self) -> String {
        format!(
            "host={},{} user=postgres dbname=postgres target_session_attrs=read-write connect_timeout=2",
            self.primary.display(),
            self.standby.display()
        )
    }

    /// Stops the primary at once, as a crash would.
    pub fn crash_primary(&self) {
        script("ctl.sh", &[self.primary.as_os_str(), "crash".as_ref()]);
    }

    /// Makes the standby the primary.
    pub fn promote_standby(&self) {
        script("ctl.sh", &[self.standby.as_os_str(), "promote".as_ref()]);
    }
}

static NEXT_PAIR: AtomicUsize = AtomicUsize::new(0);

/// Runs `scripts/postgres/NAME ARGS`, failing the test with its words when it fails.
fn script(name: &str, args: &[&std::ffi::OsStr]) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../scripts/postgres")
        .join(name);
    let out = Command::new("bash")
        .arg(&path)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", path.display()));
    assert!(
        out.status.success(),
        "scripts/postgres/{name} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
