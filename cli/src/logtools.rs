//! `caseledger log stats` and `caseledger log tail`: what an operator looks at first.

use std::collections::BTreeMap;

use caseledger_core::envelope::decode_header;
use caseledger_log_store::{EventLog, RecordedEvent, SledLog, Subscription};
use indicatif::{ProgressBar, ProgressStyle};

use crate::{DataArgs, Failure};

/// Operator subcommands over a stopped server's data directory (or a copy).
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
}

/// Runs an operator subcommand.
pub fn run(command: LogCommand) -> Result<(), Failure> {
    match command {
        LogCommand::Stats { data, json } => stats(&data, json),
        LogCommand::Tail {
            data,
            lines,
            from,
            follow,
        } => tail(&data, lines, from, follow),
    }
}

fn open(data: &DataArgs) -> Result<std::sync::Arc<SledLog>, Failure> {
    if !data.data.join("db").exists() {
        return Err(anyhow::anyhow!("{} holds no log", data.data.display()).into());
    }
    Ok(SledLog::open(&data.data)?)
}

fn stats(data: &DataArgs, json: bool) -> Result<(), Failure> {
    let log = open(data)?;
    let s = log.stats()?;
    let bar = ProgressBar::new(s.head.position);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} events ({per_sec})").expect("template"),
    );
    let mut by_type: BTreeMap<String, u64> = BTreeMap::new();
    let mut by_category: BTreeMap<String, u64> = BTreeMap::new();
    let mut from = 1;
    loop {
        let events = log.read_all(from, 8192)?;
        let Some(last) = events.last() else { break };
        from = last.position + 1;
        for e in &events {
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
    if json {
        let value = serde_json::json!({
            "headPosition": s.head.position,
            "headHash": hex::encode(s.head.hash),
            "recordBytes": s.record_bytes,
            "diskBytes": s.disk_bytes,
            "streams": s.streams,
            "eventsByType": by_type,
            "eventsByStreamCategory": by_category,
        });
        println!("{value}");
        return Ok(());
    }
    println!("head position  {}", s.head.position);
    println!("head hash      {}", hex::encode(s.head.hash));
    println!("record bytes   {}", s.record_bytes);
    println!("disk bytes     {}", s.disk_bytes);
    println!("streams        {}", s.streams);
    println!("\nevents by type");
    for (t, n) in &by_type {
        println!("  {t:<32} {n:>12}");
    }
    println!("\nevents by stream category");
    for (c, n) in &by_category {
        println!("  {c:<32} {n:>12}");
    }
    Ok(())
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

fn tail(data: &DataArgs, lines: u64, from: Option<u64>, follow: bool) -> Result<(), Failure> {
    let log = open(data)?;
    let head = log.head().position;
    // The last `lines` events: positions head-lines+1 ..= head (none for -n 0).
    let start = from.unwrap_or_else(|| (head + 1).saturating_sub(lines).max(1));
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
