//! `caseledger audit`: the auditors' questions, answered offline from a stopped server's data
//! directory or a copy of it — tables for people, JSON and CSV for tools.
//!
//! Whoever holds the data directory can read everything in it, so the offline commands act as
//! an auditor without a token; they read the same answers the GraphQL audit queries give,
//! converted by the same code: `--format json` prints exactly the API's objects (`accessLog`
//! entries, `visibilityAsOf` rows, `clientHistory` entries, `accessAnomalies`), and tables and
//! CSV are columns of that JSON.

use caseledger_core::{ClientId, Date};
use caseledger_service::{AccessFilter, Service};

use crate::{DataArgs, Failure};

/// How answers are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// One JSON array of objects.
    Json,
    /// CSV with a header row.
    Csv,
}

/// Auditor commands.
#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Who was shown the client's data (and denied lookups), newest first.
    WhoSaw {
        #[command(flatten)]
        data: DataArgs,
        /// The client's HMIS id.
        #[arg(long)]
        client: ClientId,
        /// From this business date (YYYY-MM-DD, inclusive).
        #[arg(long)]
        from: Option<Date>,
        /// To this business date (inclusive).
        #[arg(long)]
        to: Option<Date>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Who could see the client's intake and records on a date, and why.
    CouldSee {
        #[command(flatten)]
        data: DataArgs,
        /// The client's HMIS id.
        #[arg(long)]
        client: ClientId,
        /// The date (YYYY-MM-DD).
        #[arg(long)]
        date: Date,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// The routine access review: many clients outside a caseload in a short time, system
    /// administrators shown case notes or assessments, repeated denied lookups.
    Anomalies {
        #[command(flatten)]
        data: DataArgs,
        /// First business date (YYYY-MM-DD).
        #[arg(long)]
        from: Date,
        /// Last business date.
        #[arg(long)]
        to: Date,
        /// Distinct clients outside the caseload within the window that raise a flag.
        #[arg(long, default_value_t = 20)]
        clients_threshold: usize,
        /// Denied lookups within the window that raise a flag.
        #[arg(long, default_value_t = 5)]
        denied_threshold: usize,
        /// The sliding window, in minutes.
        #[arg(long, default_value_t = 60)]
        window_minutes: u64,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Every event about the client in log order, with field-level intake changes.
    History {
        #[command(flatten)]
        data: DataArgs,
        /// The client's HMIS id.
        #[arg(long)]
        client: ClientId,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
}

fn open(data: &DataArgs) -> Result<Service, Failure> {
    if !data.data.join("db").exists() {
        return Err(anyhow::anyhow!("{} holds no log", data.data.display()).into());
    }
    Ok(Service::open(&data.service_config())?)
}

/// Cells of one answer row for a table or CSV, taken from the answer's JSON (the API's
/// spellings), so the three formats cannot disagree: the value at each of `columns`.
fn cells(value: &serde_json::Value, columns: &[&str]) -> Vec<String> {
    columns.iter().map(|c| cell(c, &value[*c])).collect()
}

fn scalar(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => items.iter().map(scalar).collect::<Vec<_>>().join(" "),
        // A user reads as their username, an organization as its name.
        serde_json::Value::Object(o) => o
            .get("username")
            .or_else(|| o.get("name"))
            .map(scalar)
            .unwrap_or_default(),
        other => other.to_string(),
    }
}

fn cell(column: &str, value: &serde_json::Value) -> String {
    let items = value.as_array().map(Vec::as_slice).unwrap_or_default();
    match column {
        // `INTAKE 01M…[dob firstName] RELEASE_EXCEPTION 01M…`
        "records" => items
            .iter()
            .map(|r| {
                let via = scalar(&r["via"]);
                format!(
                    "{} {}[{}] {}{}",
                    scalar(&r["kind"]),
                    scalar(&r["recordId"]),
                    scalar(&r["fields"]),
                    scalar(&r["rule"]),
                    if via.is_empty() {
                        via
                    } else {
                        format!(" {via}")
                    }
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        "changes" => items
            .iter()
            .map(|c| {
                let or_dash = |v: &serde_json::Value| match scalar(v) {
                    s if s.is_empty() => "-".to_string(),
                    s => s,
                };
                format!(
                    "{}: {} -> {}",
                    scalar(&c["field"]),
                    or_dash(&c["before"]),
                    or_dash(&c["after"])
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        _ => scalar(value),
    }
}

/// Prints answers: JSON exactly as the API's objects serialize, tables and CSV as `columns`
/// of them.
fn answer<T: serde::Serialize>(
    answers: &[T],
    columns: &[&str],
    format: Format,
) -> Result<(), Failure> {
    if format == Format::Json {
        println!("{}", serde_json::to_string_pretty(answers)?);
        return Ok(());
    }
    let rows: Vec<Vec<String>> = answers
        .iter()
        .map(|a| serde_json::to_value(a).map(|v| cells(&v, columns)))
        .collect::<Result<_, _>>()?;
    print(columns, &rows, format)
}

/// Runs an auditor command.
pub fn run(command: AuditCommand) -> Result<(), Failure> {
    use caseledger_graphql::audit_answers::{
        Directory, access_log_entry, anomaly, could_see, history_entry,
    };
    match command {
        AuditCommand::WhoSaw {
            data,
            client,
            from,
            to,
            format,
        } => {
            let service = open(&data)?;
            let filter = AccessFilter {
                client: Some(client.as_u128()),
                from,
                to,
                ..AccessFilter::default()
            };
            let entries =
                service.access_log(&service.offline_auditor(), &filter, usize::MAX, None)?;
            let directory = Directory::of(&service, &service.offline_auditor())?;
            service.close();
            let entries: Vec<_> = entries
                .into_iter()
                .map(|e| access_log_entry(e, &directory))
                .collect();
            answer(
                &entries,
                &[
                    "at",
                    "date",
                    "user",
                    "organization",
                    "role",
                    "operation",
                    "purpose",
                    "requestId",
                    "clientId",
                    "denied",
                    "deliberate",
                    "records",
                ],
                format,
            )
        }
        AuditCommand::CouldSee {
            data,
            client,
            date,
            format,
        } => {
            let service = open(&data)?;
            let rows = service.visibility_as_of(&service.offline_auditor(), client, date)?;
            let directory = Directory::of(&service, &service.offline_auditor())?;
            service.close();
            let rows: Vec<_> = rows.into_iter().map(|r| could_see(r, &directory)).collect();
            answer(
                &rows,
                &[
                    "organizationId",
                    "organization",
                    "user",
                    "role",
                    "kind",
                    "recordId",
                    "level",
                    "rule",
                    "via",
                ],
                format,
            )
        }
        AuditCommand::Anomalies {
            data,
            from,
            to,
            clients_threshold,
            denied_threshold,
            window_minutes,
            format,
        } => {
            let service = open(&data)?;
            let thresholds = caseledger_service::AnomalyThresholds {
                clients_outside_caseload: clients_threshold,
                denied_lookups: denied_threshold,
                window: std::time::Duration::from_secs(window_minutes * 60),
            };
            let found =
                service.access_anomalies(&service.offline_auditor(), from, to, thresholds)?;
            let directory = Directory::of(&service, &service.offline_auditor())?;
            service.close();
            let found: Vec<_> = found.into_iter().map(|x| anomaly(x, &directory)).collect();
            answer(
                &found,
                &[
                    "kind",
                    "user",
                    "organization",
                    "role",
                    "first",
                    "last",
                    "count",
                    "clientIds",
                ],
                format,
            )
        }
        AuditCommand::History {
            data,
            client,
            format,
        } => {
            let service = open(&data)?;
            let entries = service.client_history(&service.offline_auditor(), client)?;
            let directory = Directory::of(&service, &service.offline_auditor())?;
            service.close();
            let entries: Vec<_> = entries
                .into_iter()
                .map(|e| history_entry(e, &directory))
                .collect();
            answer(
                &entries,
                &[
                    "position",
                    "at",
                    "user",
                    "organization",
                    "role",
                    "event",
                    "recordKind",
                    "recordId",
                    "requestId",
                    "changes",
                ],
                format,
            )
        }
    }
}

pub(crate) fn print(columns: &[&str], rows: &[Vec<String>], format: Format) -> Result<(), Failure> {
    match format {
        Format::Json => {
            let array: Vec<serde_json::Value> = rows
                .iter()
                .map(|row| {
                    serde_json::Value::Object(
                        columns
                            .iter()
                            .zip(row)
                            .map(|(c, v)| (c.to_string(), serde_json::Value::String(v.clone())))
                            .collect(),
                    )
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&array)?);
        }
        Format::Csv => {
            let mut out = csv::Writer::from_writer(std::io::stdout());
            out.write_record(columns)?;
            for row in rows {
                out.write_record(row)?;
            }
            out.flush()?;
        }
        Format::Table => {
            let mut widths: Vec<usize> = columns.iter().map(|c| c.len()).collect();
            for row in rows {
                for (w, v) in widths.iter_mut().zip(row) {
                    *w = (*w).max(v.chars().count());
                }
            }
            let line = |cells: Vec<&str>| {
                cells
                    .iter()
                    .zip(&widths)
                    .map(|(c, w)| format!("{c:<w$}"))
                    .collect::<Vec<_>>()
                    .join("  ")
                    .trim_end()
                    .to_string()
            };
            println!("{}", line(columns.to_vec()));
            for row in rows {
                println!("{}", line(row.iter().map(String::as_str).collect()));
            }
            if rows.is_empty() {
                eprintln!("(nothing)");
            }
        }
    }
    Ok(())
}
