//! Harness for end-to-end tests that run the real `caseledger` binary as a child process.
//!
//! Integration tests of this package cannot use `CARGO_BIN_EXE_caseledger` (that only exists
//! inside the `caseledger` package), so [`binary`] finds the executable itself:
//!
//! 1. `CASELEDGER_BIN`, when set, names it (for testing an installed or release build; the
//!    `bench` tests want `caseledger-bench` beside it);
//! 2. otherwise it is `<target dir>/<profile>/caseledger`, derived from the running test
//!    executable, which cargo puts in `<target dir>/<profile>/deps/`;
//! 3. when that file or `caseledger-bench` beside it (which `caseledger bench` runs) is
//!    missing, or older than a source file of the workspace packages they are built from
//!    (their `src/`, `build.rs` and `Cargo.toml`, the workspace `Cargo.toml` and
//!    `Cargo.lock`), `cargo build -p caseledger -p caseledger-bench` (same target dir and
//!    profile) is run once per test process, guarded by a `OnceLock`. `cargo test -p caseledger-tests` does not build
//!    other packages' binaries, so without this check the tests would silently exercise a
//!    stale binary after a change to the CLI; `cargo test --workspace` builds the binary
//!    before the tests run, so there no second build happens.
//!
//! [`Server`] starts `caseledger serve` on a free port, learns the address from the first line
//! the binary prints (`caseledger listening on http://ADDR`), answers HTTP requests against it,
//! and kills the child when dropped. [`run`] runs a one-shot command and returns its
//! [`Output`]. Every child gets a clean environment as far as the binary's own variables go
//! ([`CLI_ENV_VARS`] are removed unless a test sets them again), so a developer's shell
//! settings cannot change what the tests see.

pub mod coc;

use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Environment variable that names the `caseledger` binary to test, overriding discovery.
pub const BIN_ENV: &str = "CASELEDGER_BIN";

/// Environment variables the binary reads as flag defaults; removed from every child's
/// environment by [`command`] so tests are hermetic (a test may set them again).
pub const CLI_ENV_VARS: &[&str] = &[
    "CASELEDGER_DATA",
    "CASELEDGER_ADDR",
    "CASELEDGER_LOG_FORMAT",
    "CASELEDGER_BENCH_DIR",
    "CASELEDGER_BENCH_PEER",
    "CASELEDGER_TODAY",
    "CASELEDGER_CHECKPOINT_EVERY",
    "CASELEDGER_CHECKPOINT_KEY_FILE",
    "CASELEDGER_HOLIDAYS",
    "CASELEDGER_DEMO",
    "CASELEDGER_MASTER_KEY_FILE",
    "CASELEDGER_RETENTION_YEARS",
    "CASELEDGER_HEADER_READ_TIMEOUT",
    "CASELEDGER_MAX_CONNECTIONS",
    "CASELEDGER_REQUEST_TIMEOUT",
    "CASELEDGER_MAX_BODY_BYTES",
    "CASELEDGER_AUTH_FAILURE_BURST",
    "CASELEDGER_AUTH_FAILURES_PER_MINUTE",
    "CASELEDGER_TOKEN_FAILURE_BURST",
    "CASELEDGER_TOKEN_FAILURES_PER_MINUTE",
    "CASELEDGER_CORS_ORIGINS",
    "CASELEDGER_DEV",
    "CASELEDGER_TOKEN_DAYS",
    "CASELEDGER_OIDC_ISSUER",
    "CASELEDGER_OIDC_AUDIENCE",
    "CASELEDGER_OIDC_USERNAME_CLAIM",
    "CASELEDGER_OIDC_CLOCK_SKEW",
];

/// How long `serve` may take to print its listening address.
pub const START_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a one-shot command run by [`run`] may take before it is killed.
pub const RUN_TIMEOUT: Duration = Duration::from_secs(60);

/// The prefix of the line `serve` prints once it listens.
pub const LISTENING_PREFIX: &str = "caseledger listening on http://";

/// The `caseledger` executable under test (see the crate docs for how it is found). Runs
/// `cargo build` at most once per process, and only when the binary is missing or stale;
/// panics with an explanation when the binary cannot be found or built.
pub fn binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(locate_binary)
}

fn locate_binary() -> PathBuf {
    if let Some(path) = std::env::var_os(BIN_ENV) {
        let path = PathBuf::from(path);
        assert!(
            path.is_file(),
            "{BIN_ENV} is set to {}, which is not a file",
            path.display()
        );
        return path;
    }
    let exe = std::env::current_exe().expect("the path of the running test executable");
    // <target dir>/<profile>/deps/<test>-<hash>
    let profile_dir = exe
        .parent()
        .filter(|deps| deps.file_name().is_some_and(|n| n == "deps"))
        .and_then(Path::parent)
        .unwrap_or_else(|| {
            panic!(
                "cannot derive the target directory from the test executable {} (expected it \
                 in <target>/<profile>/deps/); set {BIN_ENV} to the caseledger binary",
                exe.display()
            )
        });
    let path = profile_dir.join(format!("caseledger{}", std::env::consts::EXE_SUFFIX));
    let bench = profile_dir.join(format!("caseledger-bench{}", std::env::consts::EXE_SUFFIX));
    if is_stale(&path) || is_stale(&bench) {
        build_binary(profile_dir);
    }
    for built in [&path, &bench] {
        assert!(
            built.is_file(),
            "`{BUILD}` succeeded but {} does not exist (cross-compiling or an unusual target \
             layout?); set {BIN_ENV} to the caseledger binary",
            built.display()
        );
    }
    path
}

/// The workspace root (this package's parent directory).
fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests package lives inside the workspace")
}

/// Whether `binary` is missing or older than a file it is built from: the workspace manifest
/// and lock file, and each workspace package's manifest, `build.rs` and `src/` (this package
/// excepted: it is not part of the binary).
fn is_stale(binary: &Path) -> bool {
    let Ok(built) = binary.metadata().and_then(|m| m.modified()) else {
        return true;
    };
    let root = workspace_root();
    let this_package = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = vec![root.join("Cargo.toml"), root.join("Cargo.lock")];
    let packages = std::fs::read_dir(root)
        .unwrap_or_else(|e| panic!("read the workspace directory {}: {e}", root.display()));
    for package in packages.flatten().map(|e| e.path()) {
        if package == this_package || !package.join("Cargo.toml").is_file() {
            continue;
        }
        sources.push(package.join("Cargo.toml"));
        sources.push(package.join("build.rs"));
        collect_files(&package.join("src"), &mut sources);
    }
    sources.iter().any(|source| {
        source
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|changed| changed > built)
    })
}

/// Pushes every file under `dir` (recursively) onto `out`.
fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for path in entries.flatten().map(|e| e.path()) {
        if path.is_dir() {
            collect_files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// The build [`binary`] runs when a binary is missing or stale.
const BUILD: &str = "cargo build -p caseledger -p caseledger-bench";

/// Runs [`BUILD`] into the target directory and profile the tests run from.
fn build_binary(profile_dir: &Path) {
    let target_dir = profile_dir
        .parent()
        .expect("a profile directory has a parent (the target directory)");
    let profile = profile_dir
        .file_name()
        .and_then(|n| n.to_str())
        .expect("profile directory name is UTF-8");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(&cargo);
    cmd.current_dir(workspace_root())
        .args([
            "build",
            "-p",
            "caseledger",
            "-p",
            "caseledger-bench",
            "--target-dir",
        ])
        .arg(target_dir);
    match profile {
        "debug" => {}
        "release" => {
            cmd.arg("--release");
        }
        other => {
            cmd.args(["--profile", other]);
        }
    }
    eprintln!(
        "caseledger-tests: the caseledger binaries are missing or older than their sources; \
         running {cmd:?} (set {BIN_ENV} to test a given binary instead)"
    );
    let output = spawn_child(
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped()),
    )
    .and_then(Child::wait_with_output)
    .unwrap_or_else(|e| panic!("cannot run {cargo:?} to build caseledger: {e}"));
    assert!(
        output.status.success(),
        "`{BUILD}` failed ({}); set {BIN_ENV} to a built binary instead.\n\
         stderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A new data directory bootstrapped with a CoC lead organization ("Stanislaus CoC"), and
/// its system administrator's bearer token.
pub fn bootstrapped() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = dir.path().to_str().expect("UTF-8 temporary path");
    let out = run(&[
        "admin",
        "bootstrap",
        "--data",
        data,
        "--organization-name",
        "Stanislaus CoC",
    ]);
    assert_eq!(out.code, Some(0), "{out:?}");
    (dir, out.stdout.trim().to_string())
}

/// A [`Command`] for the binary with the binary's own environment variables removed and
/// standard input closed.
pub fn command() -> Command {
    let mut cmd = Command::new(binary());
    for var in CLI_ENV_VARS {
        cmd.env_remove(var);
    }
    cmd.stdin(Stdio::null());
    cmd
}

/// What a finished child process left behind.
#[derive(Debug, Clone)]
pub struct Output {
    /// Exit code; `None` when the process was ended by a signal.
    pub code: Option<i32>,
    /// Everything written to standard output (lossily decoded as UTF-8).
    pub stdout: String,
    /// Everything written to standard error (lossily decoded as UTF-8).
    pub stderr: String,
}

/// Runs `caseledger ARGS...` to completion (at most [`RUN_TIMEOUT`]).
pub fn run<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    let mut cmd = command();
    cmd.args(args);
    run_command(cmd, RUN_TIMEOUT)
}

/// Runs a prepared command to completion, capturing its output. Panics, after killing it,
/// when it is still running after `timeout` (a server that should have refused to start, a
/// command that hangs).
pub fn run_command(mut cmd: Command, timeout: Duration) -> Output {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = spawn_child(&mut cmd).unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let stdout = collect(child.stdout.take().expect("piped stdout"));
    let stderr = collect(child.stderr.take().expect("piped stderr"));
    let status = wait_timeout(&mut child, timeout);
    let Some(status) = status else {
        let _ = child.kill();
        let _ = child.wait();
        panic!(
            "{cmd:?} still running after {timeout:?}; killed it.\nstdout:\n{}\nstderr:\n{}",
            join(stdout),
            join(stderr)
        );
    };
    Output {
        code: status.code(),
        stdout: join(stdout),
        stderr: join(stderr),
    }
}

/// Reads a pipe to its end on a thread.
fn collect(mut pipe: impl Read + Send + 'static) -> JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

fn join(handle: JoinHandle<String>) -> String {
    handle.join().unwrap_or_else(|_| "(reader panicked)".into())
}

/// Waits for `child` to exit, at most `timeout`; `None` if it is still running.
fn wait_timeout(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().expect("waiting for a child process") {
            return Some(status);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A local address with a port that was free a moment ago (bound, then released), for tests
/// that must name the address up front. Another process could take it in between; on a test
/// machine that is rare enough.
pub fn free_local_addr() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local address")
}

/// Held for reading around every child process start; held for writing by [`with_data_dir`].
static SPAWNING: RwLock<()> = RwLock::new(());

/// Starts a child with no [`with_data_dir`] section in progress (see there for why).
fn spawn_child(cmd: &mut Command) -> std::io::Result<Child> {
    let _guard = SPAWNING.read().unwrap_or_else(PoisonError::into_inner);
    cmd.spawn()
}

/// Runs `f`, which opens the data directory `dir` inside the test process (to seed it through
/// the service, or to tamper with sled directly) and closes it again, then waits until the
/// process has no file inside `dir` open any more. Returns what `f` returns. `f` must not
/// start processes through this harness (it would wait forever).
///
/// Two things make this necessary before the binary can be run on `dir`:
///
/// - sled locks its data file with `flock`, and a lock belongs to the open file description,
///   which a child process shares from `fork` until its `exec` closes it. A child started by a
///   concurrent test in that window would hold `dir`'s lock for a moment after this process
///   closed it, and the binary started next would find the directory "in use". So no child
///   process is started by this harness while `f` runs and until its files are closed.
/// - sled releases its files asynchronously: after the last handle is dropped, its background
///   IO threads can hold the data file a little longer. This waits (up to ten seconds, read
///   from `/proc/self/fd`) until they are gone.
pub fn with_data_dir<T>(dir: &Path, f: impl FnOnce() -> T) -> T {
    let _guard = SPAWNING.write().unwrap_or_else(PoisonError::into_inner);
    let value = f();
    wait_until_files_closed(dir, Duration::from_secs(10));
    value
}

/// Waits until this process has no file open inside `dir`; panics after `timeout`.
fn wait_until_files_closed(dir: &Path, timeout: Duration) {
    let dir = std::fs::canonicalize(dir)
        .unwrap_or_else(|e| panic!("canonicalize {}: {e}", dir.display()));
    let deadline = Instant::now() + timeout;
    loop {
        let open: Vec<PathBuf> = std::fs::read_dir("/proc/self/fd")
            .expect("read /proc/self/fd (the tests need Linux)")
            .flatten()
            .filter_map(|entry| std::fs::read_link(entry.path()).ok())
            .filter(|target| target.starts_with(&dir))
            .collect();
        if open.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "files still open after {timeout:?}: {open:?}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Sends SIGTERM to a process with the system `kill` command (no `unsafe`, no libc).
pub fn send_sigterm(pid: u32) {
    let mut kill = Command::new("kill");
    kill.arg("-TERM").arg(pid.to_string()).stdin(Stdio::null());
    let status = spawn_child(&mut kill)
        .and_then(|mut child| child.wait())
        .expect("run `kill`");
    assert!(status.success(), "`kill -TERM {pid}` failed: {status}");
}

/// An HTTP response as the tests look at it.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The body as text.
    pub body: String,
    /// Every response header, names in lower case.
    pub headers: Vec<(String, String)>,
}

impl HttpResponse {
    /// The first value of header `name` (any case), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON; panics with the body when it is not JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("response body is not JSON ({e}): {:?}", self.body))
    }
}

/// Reads status, content type and body of a response.
fn read_response(response: reqwest::blocking::Response, method: &str, url: &str) -> HttpResponse {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = response
        .text()
        .unwrap_or_else(|e| panic!("{method} {url}: reading the body: {e}"));
    HttpResponse {
        status,
        content_type,
        body,
        headers,
    }
}

/// A running `caseledger serve` child process. Killed (SIGKILL) when dropped; use
/// [`Server::terminate`] to stop it the way an operator or a supervisor does.
pub struct Server {
    child: Child,
    addr: SocketAddr,
    http: reqwest::blocking::Client,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
    readers: Vec<JoinHandle<()>>,
}

impl Server {
    /// Starts `caseledger serve --data DATA_DIR --addr 127.0.0.1:0` and waits until it
    /// listens.
    pub fn start(data_dir: &Path) -> Server {
        let mut cmd = command();
        cmd.arg("serve")
            .arg("--data")
            .arg(data_dir)
            .args(["--addr", "127.0.0.1:0"]);
        Server::spawn(cmd)
    }

    /// Starts a prepared `serve` command and waits (at most [`START_TIMEOUT`]) for its first
    /// stdout line, `caseledger listening on http://ADDR`. Panics with the child's exit status
    /// and stderr when it exits or stays silent instead.
    pub fn spawn(mut cmd: Command) -> Server {
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child =
            spawn_child(&mut cmd).unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
        let stdout = Arc::new(Mutex::new(String::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let (first_tx, first_rx) = mpsc::channel::<String>();

        let out_pipe = child.stdout.take().expect("piped stdout");
        let out_buf = stdout.clone();
        let out_reader = std::thread::spawn(move || {
            let mut lines = BufReader::new(out_pipe).lines();
            if let Some(Ok(first)) = lines.next() {
                let _ = first_tx.send(first);
            }
            drop(first_tx);
            for line in lines.map_while(Result::ok) {
                let mut buf = out_buf.lock().expect("stdout buffer");
                buf.push_str(&line);
                buf.push('\n');
            }
        });
        let mut err_pipe = child.stderr.take().expect("piped stderr");
        let err_buf = stderr.clone();
        let err_reader = std::thread::spawn(move || {
            let mut chunk = [0u8; 4096];
            while let Ok(n) = err_pipe.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                err_buf
                    .lock()
                    .expect("stderr buffer")
                    .push_str(&String::from_utf8_lossy(&chunk[..n]));
            }
        });

        let first = first_rx.recv_timeout(START_TIMEOUT);
        let fail = |child: &mut Child, why: String| -> ! {
            let _ = child.kill();
            let status = child.wait();
            // The child is gone, so its stderr pipe closes and the reader finishes soon.
            let deadline = Instant::now() + Duration::from_secs(2);
            while !err_reader.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
            panic!(
                "{cmd:?}: {why} (exit: {status:?})\nstderr:\n{}",
                stderr.lock().expect("stderr buffer")
            );
        };
        let line = match first {
            Ok(line) => line,
            Err(mpsc::RecvTimeoutError::Timeout) => fail(
                &mut child,
                format!("printed no listening address within {START_TIMEOUT:?}"),
            ),
            Err(mpsc::RecvTimeoutError::Disconnected) => fail(
                &mut child,
                "exited (closed stdout) before printing its listening address".into(),
            ),
        };
        let addr = match line
            .strip_prefix(LISTENING_PREFIX)
            .map(|rest| rest.trim().parse::<SocketAddr>())
        {
            Some(Ok(addr)) => addr,
            _ => fail(
                &mut child,
                format!("first stdout line is not `{LISTENING_PREFIX}ADDR`: {line:?}"),
            ),
        };
        let http = reqwest::blocking::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("build an HTTP client");
        Server {
            child,
            addr,
            http,
            stdout,
            stderr,
            readers: vec![out_reader, err_reader],
        }
    }

    /// The address the server printed.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `http://ADDR` followed by `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// `GET path`. The client keeps connections alive between requests, like a load
    /// balancer or a browser would.
    pub fn get(&self, path: &str) -> HttpResponse {
        self.get_with(path, None)
    }

    /// `POST path` with a raw body (JSON content type) and an optional bearer token.
    pub fn post(&self, path: &str, body: impl Into<String>, bearer: Option<&str>) -> HttpResponse {
        self.post_with(&self.http, path, body, bearer)
    }

    /// `POST path` on a connection of its own, for requests the server answers by closing the
    /// connection (an oversized body is refused before it is read), which must not poison the
    /// kept-alive connection of later requests.
    pub fn post_alone(
        &self,
        path: &str,
        body: impl Into<String>,
        bearer: Option<&str>,
    ) -> HttpResponse {
        let client = reqwest::blocking::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(0)
            .build()
            .expect("HTTP client");
        self.post_with(&client, path, body, bearer)
    }

    fn post_with(
        &self,
        client: &reqwest::blocking::Client,
        path: &str,
        body: impl Into<String>,
        bearer: Option<&str>,
    ) -> HttpResponse {
        let url = self.url(path);
        let mut request = client
            .post(&url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.into());
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .unwrap_or_else(|e| panic!("POST {url}: {e}\nserver stderr:\n{}", self.stderr()));
        read_response(response, "POST", &url)
    }

    /// `GET path` with an optional bearer token.
    pub fn get_with(&self, path: &str, bearer: Option<&str>) -> HttpResponse {
        let url = self.url(path);
        let mut request = self.http.get(&url);
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .unwrap_or_else(|e| panic!("GET {url}: {e}\nserver stderr:\n{}", self.stderr()));
        read_response(response, "GET", &url)
    }

    /// `POST /graphql` with a query, variables and an optional bearer token; the JSON answer.
    pub fn graphql(
        &self,
        query: &str,
        variables: serde_json::Value,
        bearer: Option<&str>,
    ) -> serde_json::Value {
        let body = serde_json::json!({ "query": query, "variables": variables }).to_string();
        self.post("/graphql", body, bearer).json()
    }

    /// What the server has written to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().expect("stderr buffer").clone()
    }

    /// Sends SIGTERM and waits (at most `timeout`) for the server to exit. Returns its exit
    /// code and what it printed after the listening line. Panics, after killing it, when it
    /// does not stop in time.
    pub fn terminate(mut self, timeout: Duration) -> Output {
        send_sigterm(self.pid());
        let Some(status) = wait_timeout(&mut self.child, timeout) else {
            let _ = self.child.kill();
            let _ = self.child.wait();
            panic!(
                "serve did not exit within {timeout:?} of SIGTERM; killed it.\nstderr:\n{}",
                self.stderr()
            );
        };
        for reader in self.readers.drain(..) {
            let _ = reader.join();
        }
        Output {
            code: status.code(),
            stdout: self.stdout.lock().expect("stdout buffer").clone(),
            stderr: self.stderr(),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
