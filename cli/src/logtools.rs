//! `caseledger log stats` and `caseledger log tail`: what an operator looks at first.

use std::collections::BTreeMap;

use caseledger_core::envelope::decode_header;
use caseledger_log_store::{EventLog, RecordedEvent, Subscription};
use caseledger_service::keys::KeyStore;
use indicatif::{ProgressBar, ProgressStyle};

use crate::admin_socket::AdminRequest;
use crate::{DataArgs, Failure};

/// Operator subcommands: on a running server's data directory (through its admin socket), a
/// stopped server's, or a copy.
#[derive(Debug, clap::Subcommand)]
pub enum LogCommand {
    /// Head position and hash, sizes, and event counts by type and stream category.
    Stats {
        #[command(flatten)]
        data: DataArgs,
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Print events (position, time, stream, type, actor) without their contents.
    Tail {
        #[command(flatten)]
        data: DataArgs,
        /// How many of the last events to print (ignored with --from).
        #[arg(short = 'n', long, default_value_t = 20)]
        lines: u64,
        /// Start at this position instead of the last N.
        #[arg(long)]
        from: Option<u64>,
        /// Keep printing events as they are appended.
        #[arg(long, short)]
        follow: bool,
    },
    /// Copy a stopped server's whole log and its client keys between the embedded store and
    /// PostgreSQL, verifying the chain on both sides: `--data DIR --to URL` moves a data
    /// directory's log into an empty PostgreSQL log and its key file into the shared key store
    /// (the key file is then removed: serve it with `--log URL` from now on); `--from URL
    /// --data DIR` copies a PostgreSQL log and its keys into a data directory that holds
    /// neither (a single-machine restore; put the master key there first). The data directory
    /// keeps its snapshots and checkpoints either way.
    #[command(group = clap::ArgGroup::new("direction").required(true).args(["to", "from"]))]
    Migrate {
        /// The data directory whose embedded log is copied (with --to) or written (with
        /// --from).
        #[arg(long, env = "CASELEDGER_DATA", default_value = "./data")]
        data: std::path::PathBuf,
        /// The PostgreSQL log to copy into (a `postgresql://` URL or a libpq connection
        /// string); it must hold no events.
        #[arg(long, value_name = "POSTGRESQL_URL")]
        to: Option<String>,
        /// The PostgreSQL log to copy from.
        #[arg(long, value_name = "POSTGRESQL_URL")]
        from: Option<String>,
    },
}

/// Runs an operator subcommand: through the running server's admin socket when one listens
/// on the data directory, else on the directory itself (a stopped server's, or a copy).
pub fn run(command: LogCommand) -> Result<(), Failure> {
    match command {
        LogCommand::Stats { data, json } => {
            let value = match crate::admin_socket::ask(&data.data, &AdminRequest::Stats) {
                Some(answer) => answer.map_err(remote)?,
                None => {
                    let log = open(&data)?;
                    let value = stats(&*log, true)?;
                    log.close();
                    value
                }
            };
            print_stats(&value, json);
            Ok(())
        }
        LogCommand::Tail {
            data,
            lines,
            from,
            follow,
        } => tail(&data, lines, from, follow),
        LogCommand::Migrate { data, to, from } => migrate(&data, to, from),
    }
}

/// Where `log migrate` moves the client keys once the log is copied.
enum KeysMove {
    /// Into the shared key store beside this PostgreSQL log (adopting the data directory's
    /// key file, which is then removed).
    Into(std::sync::Arc<caseledger_log_postgres::PgLog>),
    /// Out of this shared key store, into the data directory's own key file.
    OutOf(Box<KeyStore>),
}

/// `log migrate`: one direction or the other, with a progress bar.
fn migrate(
    data: &std::path::Path,
    to: Option<String>,
    from: Option<String>,
) -> Result<(), Failure> {
    use caseledger_log_postgres::PgLog;
    use caseledger_log_store::SledLog;
    use caseledger_log_store::copy::{CopyError, copy_log};
    if crate::admin_socket::ask(data, &AdminRequest::Stats).is_some() {
        return Err(Failure::usage(anyhow::anyhow!(
            "a server is running on {}: stop it before migrating its log",
            data.display()
        )));
    }
    let has_embedded = data.join("db").exists();
    let master = caseledger_service::keys::master_key_path(data);
    let (source, target, keys): (
        std::sync::Arc<dyn EventLog>,
        std::sync::Arc<dyn EventLog>,
        _,
    ) = match (to, from) {
        (Some(url), None) => {
            if !has_embedded {
                return Err(anyhow::anyhow!("{} holds no log", data.display()).into());
            }
            let target = PgLog::open(&url)?;
            let held = target.head().position;
            if held > 0 {
                return Err(Failure::usage(CopyError::TargetNotEmpty(held)));
            }
            // The key store is read before anything is copied: a wrong master key writes
            // nothing.
            KeyStore::open(data, &master)?;
            (SledLog::open(data)?, target.clone(), KeysMove::Into(target))
        }
        (None, Some(url)) => {
            if has_embedded || data.join("keys").exists() {
                return Err(Failure::usage(anyhow::anyhow!(
                    "{} already holds a log or a key store: copy into a data directory \
                     without one",
                    data.display()
                )));
            }
            let source = PgLog::open(&url)?;
            // The keys are read before anything is copied: a missing or wrong master key
            // writes nothing.
            let keys = KeyStore::open_shared(data, &master, source.key_table(), true)?;
            caseledger_log_store::private::create_dir(data)?;
            // A directory the service will open: this build's format, recorded first.
            caseledger_service::format::open(data)?;
            (
                source,
                SledLog::open(data)?,
                KeysMove::OutOf(Box::new(keys)),
            )
        }
        _ => unreachable!("clap requires exactly one of --to and --from"),
    };
    let total = source.head().position;
    let bar = ProgressBar::new(total).with_style(
        ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} events ({eta})")
            .expect("a valid template"),
    );
    bar.set_message("copying");
    let result = copy_log(&*source, &*target, &mut |p| bar.set_position(p));
    bar.finish_and_clear();
    // Then the keys: into the shared store (adopting the directory's key file, which is then
    // removed), or out of it into the directory's own key file.
    let keys = result.as_ref().ok().map(|_| match &keys {
        KeysMove::OutOf(keys) => keys.write_key_file(data).map(Some),
        KeysMove::Into(pg) => {
            KeyStore::open_shared(data, &master, pg.key_table(), true).map(|_| None)
        }
    });
    source.close();
    target.close();
    if let Some(Ok(Some(path))) = &keys {
        eprintln!("client keys written to {}", path.display());
    }
    if let Some(Err(e)) = keys {
        return Err(e.into());
    }
    match result {
        Ok(head) => {
            println!(
                "copied {} events; both logs end at position {} with chain hash {}",
                head.position,
                head.position,
                hex::encode(head.hash)
            );
            Ok(())
        }
        Err(CopyError::Log(e)) => Err(e.into()),
        Err(e @ CopyError::TargetNotEmpty(_)) => Err(Failure::usage(anyhow::anyhow!(e))),
        Err(e) => Err(Failure::chain(anyhow::anyhow!(e))),
    }
}

fn remote(error: String) -> Failure {
    anyhow::anyhow!("the running server answered: {error}").into()
}

fn open(data: &DataArgs) -> Result<std::sync::Arc<dyn EventLog>, Failure> {
    if data.shared_log.is_none() && !data.data.join("db").exists() {
        return Err(anyhow::anyhow!("{} holds no log", data.data.display()).into());
    }
    data.open_log()
}

/// The figures of `log stats` as one JSON object (what `--json` prints); a progress bar on
/// stderr while the log is walked, when `bar`.
pub(crate) fn stats(log: &dyn EventLog, bar: bool) -> Result<serde_json::Value, Failure> {
    let s = log
        .stats()?
        .unwrap_or_else(|| caseledger_log_store::LogStats {
            head: log.head(),
            ..Default::default()
        });
    let bar = if bar {
        ProgressBar::new(s.head.position)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} events ({per_sec})").expect("template"),
    );
    let mut by_type: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_category: BTreeMap<String, u64> = BTreeMap::new();
    let mut from = 1;
    // Up to the head read with the sizes, so the counts add up to it on a running server too.
    while from <= s.head.position {
        let events = log.read_all(from, 8192)?;
        let Some(last) = events.last() else { break };
        from = last.position + 1;
        for e in events.iter().filter(|e| e.position <= s.head.position) {
            *by_type.entry(type_name(e)).or_default() += 1;
            let category = e
                .stream
                .split_once('-')
                .map_or(&*e.stream, |(c, _)| c)
                .to_string();
            *by_category.entry(category).or_default() += 1;
        }
        bar.set_position(from - 1);
    }
    bar.finish_and_clear();
    Ok(serde_json::json!({
        "headPosition": s.head.position,
        "headHash": hex::encode(s.head.hash),
        "recordBytes": s.record_bytes,
        "diskBytes": s.disk_bytes,
        "streams": s.streams,
        "eventsByType": by_type,
        "eventsByStreamCategory": by_category,
    }))
}

fn print_stats(value: &serde_json::Value, json: bool) {
    if json {
        println!("{value}");
        return;
    }
    println!("head position  {}", value["headPosition"]);
    println!(
        "head hash      {}",
        value["headHash"].as_str().unwrap_or_default()
    );
    println!("record bytes   {}", value["recordBytes"]);
    println!("disk bytes     {}", value["diskBytes"]);
    println!("streams        {}", value["streams"]);
    for (title, key) in [
        ("events by type", "eventsByType"),
        ("events by stream category", "eventsByStreamCategory"),
    ] {
        println!("\n{title}");
        for (name, n) in value[key].as_object().into_iter().flatten() {
            println!("  {name:<32} {:>12}", n.as_u64().unwrap_or_default());
        }
    }
}

fn type_name(e: &RecordedEvent) -> String {
    match decode_header(&e.payload) {
        Ok((t, _)) => t.name().to_string(),
        Err(_) => "(undecodable)".to_string(),
    }
}

fn line(e: &RecordedEvent) -> String {
    match decode_header(&e.payload) {
        Ok((t, h)) => format!(
            "{:>10}  {}  {:<40} v{:<6} {:<28} {:?} {} @ {}",
            e.position,
            h.recorded_at,
            e.stream,
            e.version,
            t.name(),
            h.actor.role,
            h.actor.user,
            h.actor.organization
        ),
        Err(err) => format!(
            "{:>10}  {:<40} v{:<6} (cannot decode: {err})",
            e.position, e.stream, e.version
        ),
    }
}

/// `log tail`'s lines for positions `from..` (at most `limit`), and the head they were read
/// against: what the admin socket answers a running server's `log tail` with.
pub(crate) fn tail_lines(
    log: &dyn EventLog,
    from: u64,
    limit: usize,
) -> Result<serde_json::Value, Failure> {
    let head = log.head().position;
    let mut lines = Vec::new();
    let mut position = from.max(1);
    while position <= head && lines.len() < limit {
        let events = log.read_all(position, 4096.min(limit - lines.len()))?;
        let Some(last) = events.last() else { break };
        position = last.position + 1;
        lines.extend(events.iter().map(line));
    }
    Ok(serde_json::json!({ "head": head, "next": position, "lines": lines }))
}

/// The first position of the last `lines` events of a log whose head is `head`.
fn last_n(head: u64, lines: u64) -> u64 {
    (head + 1).saturating_sub(lines).max(1)
}

fn tail(data: &DataArgs, lines: u64, from: Option<u64>, follow: bool) -> Result<(), Failure> {
    if let Some(head) =
        crate::admin_socket::ask(&data.data, &AdminRequest::Tail { from: 1, limit: 0 })
    {
        let head = head.map_err(remote)?["head"].as_u64().unwrap_or_default();
        let mut position = from.unwrap_or_else(|| last_n(head, lines));
        loop {
            let request = AdminRequest::Tail {
                from: position,
                limit: 4096,
            };
            let answer = crate::admin_socket::ask(&data.data, &request)
                .ok_or_else(|| remote("the server stopped".into()))?
                .map_err(remote)?;
            for line in answer["lines"].as_array().into_iter().flatten() {
                println!("{}", line.as_str().unwrap_or_default());
            }
            let next = answer["next"].as_u64().unwrap_or(position);
            let caught_up = next > answer["head"].as_u64().unwrap_or_default();
            if caught_up && !follow {
                return Ok(());
            }
            if caught_up {
                std::thread::sleep(std::time::Duration::from_millis(500));
            }
            position = next;
        }
    }
    let log = open(data)?;
    let head = log.head().position;
    let start = from.unwrap_or_else(|| last_n(head, lines));
    let mut position = start;
    while position <= head {
        let events = log.read_all(position, 4096)?;
        let Some(last) = events.last() else { break };
        position = last.position + 1;
        for e in &events {
            println!("{}", line(e));
        }
    }
    if !follow {
        return Ok(());
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let mut sub = Subscription::new(log, position);
        loop {
            tokio::select! {
                event = sub.next() => println!("{}", line(&event?)),
                _ = tokio::signal::ctrl_c() => return Ok(()),
            }
        }
    })
}
