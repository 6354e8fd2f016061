//! `caseledger audit`: the auditors' questions, answered offline from a stopped server's data
//! directory or a copy of it — tables for people, JSON and CSV for tools.
//!
//! Whoever holds the data directory can read everything in it, so the offline commands act as
//! an auditor without a token; they read the same answers the GraphQL audit queries give.

use caseledger_core::{Actor, ClientId, Date, OrganizationId, Role, UserId};
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

/// The offline auditor.
fn auditor() -> Actor {
    Actor {
        user: UserId::new(0),
        organization: OrganizationId::new(0),
        role: Role::Auditor,
    }
}

fn open(data: &DataArgs) -> Result<Service, Failure> {
    if !data.data.join("db").exists() {
        return Err(anyhow::anyhow!("{} holds no log", data.data.display()).into());
    }
    Ok(Service::open(&data.service_config())?)
}

/// Runs an auditor command.
pub fn run(command: AuditCommand) -> Result<(), Failure> {
    let (columns, rows, format): (Vec<&str>, Vec<Vec<String>>, Format) = match command {
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
            let entries = service.access_log(&auditor(), &filter, usize::MAX, None)?;
            service.close();
            let rows = entries
                .into_iter()
                .map(|e| {
                    let records = e
                        .records
                        .iter()
                        .map(|r| format!("{:?}[{}] via {:?}", r.kind, r.fields.join(" "), r.reason))
                        .collect::<Vec<_>>()
                        .join("; ");
                    vec![
                        e.at.to_datetime().to_rfc3339(),
                        e.actor.user.to_string(),
                        e.actor.organization.to_string(),
                        format!("{:?}", e.actor.role),
                        e.operation,
                        if e.denied {
                            "denied"
                        } else if e.deliberate {
                            "deliberate"
                        } else {
                            "incidental"
                        }
                        .to_string(),
                        records,
                    ]
                })
                .collect();
            (
                vec![
                    "time",
                    "user",
                    "organization",
                    "role",
                    "operation",
                    "access",
                    "records",
                ],
                rows,
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
            let names: std::collections::HashMap<_, _> = service
                .organizations()
                .into_iter()
                .map(|(id, o)| (id, o.name))
                .collect();
            let rows = service
                .visibility_as_of(&auditor(), client, date)?
                .into_iter()
                .map(|c| {
                    vec![
                        c.organization.to_string(),
                        names.get(&c.organization).cloned().unwrap_or_default(),
                        c.user.map(|u| u.to_string()).unwrap_or_default(),
                        format!("{:?}", c.kind),
                        ulid::Ulid(c.record).to_string(),
                        format!("{:?}", c.level),
                        format!("{:?}", c.reason),
                    ]
                })
                .collect();
            service.close();
            (
                vec![
                    "organization",
                    "name",
                    "user",
                    "kind",
                    "record",
                    "level",
                    "reason",
                ],
                rows,
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
            let rows = service
                .access_anomalies(&auditor(), from, to, thresholds)?
                .into_iter()
                .map(|a| {
                    vec![
                        format!("{:?}", a.kind),
                        a.actor.user.to_string(),
                        a.actor.organization.to_string(),
                        format!("{:?}", a.actor.role),
                        a.first.to_datetime().to_rfc3339(),
                        a.last.to_datetime().to_rfc3339(),
                        a.count.to_string(),
                        a.clients
                            .iter()
                            .map(|c| ulid::Ulid(*c).to_string())
                            .collect::<Vec<_>>()
                            .join(" "),
                    ]
                })
                .collect();
            service.close();
            (
                vec![
                    "pattern",
                    "user",
                    "organization",
                    "role",
                    "first",
                    "last",
                    "count",
                    "clients",
                ],
                rows,
                format,
            )
        }
        AuditCommand::History {
            data,
            client,
            format,
        } => {
            let service = open(&data)?;
            let rows = service
                .client_history(&auditor(), client)?
                .into_iter()
                .map(|h| {
                    let changes = h
                        .changes
                        .iter()
                        .map(|c| {
                            format!(
                                "{}: {} -> {}",
                                c.field,
                                c.before.as_deref().unwrap_or("-"),
                                c.after.as_deref().unwrap_or("-")
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("; ");
                    vec![
                        h.position.to_string(),
                        h.at.to_datetime().to_rfc3339(),
                        h.actor.user.to_string(),
                        h.actor.organization.to_string(),
                        h.event,
                        h.record
                            .map(|(k, id)| format!("{k:?} {}", ulid::Ulid(id)))
                            .unwrap_or_default(),
                        changes,
                    ]
                })
                .collect();
            service.close();
            (
                vec![
                    "position",
                    "time",
                    "user",
                    "organization",
                    "event",
                    "record",
                    "changes",
                ],
                rows,
                format,
            )
        }
    };
    print(&columns, &rows, format)
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
