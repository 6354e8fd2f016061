//! Audit queries for auditors and system administrators: the accounting of disclosures, who
//! could see a client on a date, the client's history, and the log head. Every other role gets
//! `FORBIDDEN`; the auditor's own reads are recorded like any other disclosure.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use caseledger_core::{AccessReason, ClientId, RecordKind};
use caseledger_service::{AccessFilter, CommandError, ErrorCode};

use crate::accounts::{Directory, Organization, RoleName, User, api_enum, api_enum_opt};
use crate::convert::{self, AccessLevelName, AccessRule, invalid, show};
use crate::disclosure::{self, Shown, selected};
use crate::error::to_graphql;
use crate::records::record_id;
use crate::resolver_context::{service, session};
use caseledger_service::Session;

/// Kinds of client data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "caseledger_core::RecordKind")]
pub enum RecordKindName {
    /// The intake (profile).
    Intake,
    /// An enrollment.
    Enrollment,
    /// An exit.
    Exit,
    /// A service.
    Service,
    /// An assessment.
    Assessment,
    /// A case note.
    CaseNote,
    /// A document.
    Document,
    /// A shelter stay.
    CheckIn,
    /// A bed reservation.
    Reservation,
    /// A bar-list entry.
    BarListEntry,
    /// A household membership.
    HouseholdMembership,
    /// An MOU assignment.
    MouAssignment,
    /// A release exception.
    ReleaseException,
    /// The accounting of disclosures.
    AccessLog,
    /// The history of changes and of who could see them.
    History,
    /// A client record request's texts (reasons, revision descriptions).
    RecordRequest,
}

/// A record shown in a response.
#[derive(SimpleObject, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DisclosedRecord {
    /// Its kind.
    #[serde(serialize_with = "api_enum")]
    pub kind: RecordKindName,
    /// Its id.
    pub record_id: ID,
    /// The fields returned.
    pub fields: Vec<String>,
    /// The rule that allowed it.
    #[serde(serialize_with = "api_enum")]
    pub rule: AccessRule,
    /// The MOU, release or record request the rule went through.
    pub via: Option<ID>,
}

/// One client's data in one response (or one denied lookup).
#[derive(SimpleObject, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessLogEntry {
    /// Pass as `after` to continue after this entry.
    pub cursor: String,
    /// When (RFC 3339).
    pub at: String,
    /// The business date the rules were applied on.
    pub date: String,
    /// The API request.
    pub request_id: ID,
    /// Who was shown the data.
    pub user_id: ID,
    /// That user, from the users directory.
    pub user: Option<User>,
    /// Their organization.
    pub organization_id: ID,
    /// That organization.
    pub organization: Option<Organization>,
    /// Their role.
    #[serde(serialize_with = "api_enum")]
    pub role: RoleName,
    /// GraphQL operation name.
    pub operation: String,
    /// The reason the user stated for looking (help desk searches); empty otherwise.
    pub purpose: String,
    /// The client (the id asked for, when denied).
    pub client_id: ID,
    /// A lookup answered "not found".
    pub denied: bool,
    /// Opened on purpose (not a row of a list).
    pub deliberate: bool,
    /// What was shown.
    pub records: Vec<DisclosedRecord>,
}

/// A page of the access log, newest first.
#[derive(SimpleObject)]
pub struct AccessLogPage {
    /// The entries.
    pub entries: Vec<AccessLogEntry>,
    /// Whether older entries follow.
    pub has_next_page: bool,
    /// The cursor of the last entry.
    pub end_cursor: Option<String>,
}

/// Per user: first and last access, counts.
#[derive(SimpleObject, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessSummaryRow {
    /// The user.
    pub user_id: ID,
    /// That user, from the users directory.
    pub user: Option<User>,
    /// Their organization.
    pub organization_id: ID,
    /// That organization.
    pub organization: Option<Organization>,
    /// Their role.
    #[serde(serialize_with = "api_enum")]
    pub role: RoleName,
    /// First access (RFC 3339).
    pub first: String,
    /// Last access.
    pub last: String,
    /// Responses that showed the client's data.
    pub shown: u64,
    /// Of which opened on purpose.
    pub deliberate: u64,
    /// Lookups answered "not found".
    pub denied: u64,
}

/// Who could see one record on the date asked, and why.
#[derive(SimpleObject, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CouldSee {
    /// The organization (the CoC lead for a row of a CoC role).
    pub organization_id: ID,
    /// That organization.
    pub organization: Option<Organization>,
    /// Only this user of it (a record restricted to its user).
    pub user_id: Option<ID>,
    /// That user, from the users directory.
    pub user: Option<User>,
    /// Every user of this CoC role (system administrators, help desk, auditors), by their role.
    #[serde(serialize_with = "api_enum_opt")]
    pub role: Option<RoleName>,
    /// The record's kind.
    #[serde(serialize_with = "api_enum")]
    pub kind: RecordKindName,
    /// The record (the client id for the intake).
    pub record_id: ID,
    /// Read or edit.
    #[serde(serialize_with = "api_enum")]
    pub level: AccessLevelName,
    /// The rule.
    #[serde(serialize_with = "api_enum")]
    pub rule: AccessRule,
    /// The MOU, release or record request the rule went through.
    pub via: Option<ID>,
}

/// A field that changed.
#[derive(SimpleObject, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldChange {
    /// The field.
    pub field: String,
    /// Before.
    pub before: Option<String>,
    /// After.
    pub after: Option<String>,
}

/// One event about the client.
#[derive(SimpleObject, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    /// Log position.
    pub position: u64,
    /// When (RFC 3339).
    pub at: String,
    /// Who recorded it.
    pub user_id: ID,
    /// That user, from the users directory.
    pub user: Option<User>,
    /// Their organization.
    pub organization_id: ID,
    /// That organization.
    pub organization: Option<Organization>,
    /// Their role.
    #[serde(serialize_with = "api_enum")]
    pub role: RoleName,
    /// The event type.
    pub event: String,
    /// The kind of record it created or changed (`INTAKE` for intake, address and
    /// restriction events).
    #[serde(serialize_with = "api_enum_opt")]
    pub record_kind: Option<RecordKindName>,
    /// That record.
    pub record_id: Option<ID>,
    /// The client record request it is about.
    pub request_id: Option<ID>,
    /// Field-level changes of the intake (by the API's field names), address and restriction
    /// (as the API's enum), and the details of MOU assignments, release exceptions and record
    /// requests (organizations, dates).
    pub changes: Vec<FieldChange>,
}

/// A pattern privacy officers look for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "caseledger_service::AnomalyKind")]
pub enum AnomalyKindName {
    /// A user opened many clients outside their caseload in a short time.
    ManyClientsOutsideCaseload,
    /// A system administrator was shown case notes or assessments.
    AdministratorReadRestrictedKind,
    /// A user's lookups were answered "not found" again and again.
    RepeatedDeniedLookups,
}

/// One flagged pattern.
#[derive(SimpleObject, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Anomaly {
    /// Which pattern.
    #[serde(serialize_with = "api_enum")]
    pub kind: AnomalyKindName,
    /// Whose access.
    pub user_id: ID,
    /// That user, from the users directory.
    pub user: Option<User>,
    /// Their organization.
    pub organization_id: ID,
    /// That organization.
    pub organization: Option<Organization>,
    /// Their role.
    #[serde(serialize_with = "api_enum")]
    pub role: RoleName,
    /// First access of the pattern (RFC 3339).
    pub first: String,
    /// Last access.
    pub last: String,
    /// Clients, records or lookups it spans.
    pub count: u64,
    /// The clients involved.
    pub client_ids: Vec<ID>,
}

/// The log's head.
#[derive(SimpleObject)]
pub struct LogHead {
    /// Last durable position.
    pub position: u64,
    /// Chain hash of that record (hex).
    pub hash: String,
}

fn rule(reason: AccessReason) -> (AccessRule, Option<ID>) {
    let access = convert::Access::of(caseledger_core::sharing::Visibility::read(reason));
    (access.rule, access.via)
}

fn cursor(position: u64, index: usize) -> String {
    format!("{position}.{index}")
}

fn parse_cursor(value: &str) -> async_graphql::Result<(u64, usize)> {
    let (p, i) = value
        .split_once('.')
        .ok_or_else(|| invalid("after", "not a cursor from this log"))?;
    Ok((
        p.parse()
            .map_err(|_| invalid("after", "not a cursor from this log"))?,
        i.parse()
            .map_err(|_| invalid("after", "not a cursor from this log"))?,
    ))
}

/// Notes the auditor's read of `clients` (what they were shown about each) as a disclosure.
fn note(ctx: &Context<'_>, clients: impl IntoIterator<Item = u128>, kind: RecordKind) {
    let Ok(a) = session(ctx) else { return };
    let reason = a.audit_reason();
    let fields = selected(ctx);
    let position = service(ctx).projected_position();
    let mut clients: Vec<u128> = clients.into_iter().collect();
    clients.sort_unstable();
    clients.dedup();
    for client in clients {
        disclosure::of(ctx).shown(
            ClientId::new(client),
            true,
            Shown {
                kind,
                id: client,
                fields: fields.clone(),
                reason,
            },
            position,
        );
    }
}

use crate::convert::time;

// The conversions from the service's answers to the API's, shared by the resolvers and the
// offline `caseledger audit` commands so both spell every field and value alike.

/// An access-log entry as the API shows it.
pub fn access_log_entry(e: caseledger_service::AccessEntry, d: &Directory) -> AccessLogEntry {
    AccessLogEntry {
        cursor: cursor(e.position, e.index),
        at: time(e.at),
        date: e.date.to_string(),
        request_id: show(e.request_id),
        user_id: show(e.actor.user),
        user: d.user(e.actor.user),
        organization_id: show(e.actor.organization),
        organization: d.organization(e.actor.organization),
        role: e.actor.role.into(),
        operation: e.operation,
        purpose: e.purpose,
        client_id: record_id(e.client),
        denied: e.denied,
        deliberate: e.deliberate,
        records: e
            .records
            .into_iter()
            .map(|r| {
                let (rule, via) = rule(r.reason);
                DisclosedRecord {
                    kind: r.kind.into(),
                    record_id: record_id(r.record_id),
                    fields: r.fields,
                    rule,
                    via,
                }
            })
            .collect(),
    }
}

/// An access-summary row as the API shows it.
pub fn access_summary_row(
    r: caseledger_service::AccessSummaryRow,
    d: &Directory,
) -> AccessSummaryRow {
    AccessSummaryRow {
        user_id: show(r.user),
        user: d.user(r.user),
        organization_id: show(r.organization),
        organization: d.organization(r.organization),
        role: r.role.into(),
        first: time(r.first),
        last: time(r.last),
        shown: r.shown,
        deliberate: r.deliberate,
        denied: r.denied,
    }
}

/// A `visibilityAsOf` row as the API shows it.
pub fn could_see(r: caseledger_service::CouldSee, d: &Directory) -> CouldSee {
    let (rule, via) = rule(r.reason);
    CouldSee {
        organization_id: show(r.organization),
        organization: d.organization(r.organization),
        user_id: r.user.map(show),
        user: r.user.and_then(|u| d.user(u)),
        role: r.role.map(RoleName::from),
        kind: r.kind.into(),
        record_id: record_id(r.record),
        level: if r.level == caseledger_core::AccessLevel::Edit {
            AccessLevelName::Edit
        } else {
            AccessLevelName::Read
        },
        rule,
        via,
    }
}

/// A `clientHistory` entry as the API shows it.
pub fn history_entry(e: caseledger_service::HistoryEntry, d: &Directory) -> HistoryEntry {
    HistoryEntry {
        position: e.position,
        at: time(e.at),
        user_id: show(e.actor.user),
        user: d.user(e.actor.user),
        organization_id: show(e.actor.organization),
        organization: d.organization(e.actor.organization),
        role: e.actor.role.into(),
        event: e.event,
        record_kind: e.record.map(|r| r.0.into()),
        record_id: e.record.map(|r| record_id(r.1)),
        request_id: e.request.map(show),
        changes: e
            .changes
            .into_iter()
            .map(|c| FieldChange {
                field: c.field,
                before: c.before,
                after: c.after,
            })
            .collect(),
    }
}

/// A flagged pattern as the API shows it.
pub fn anomaly(x: caseledger_service::Anomaly, d: &Directory) -> Anomaly {
    Anomaly {
        kind: x.kind.into(),
        user_id: show(x.actor.user),
        user: d.user(x.actor.user),
        organization_id: show(x.actor.organization),
        organization: d.organization(x.actor.organization),
        role: x.actor.role.into(),
        first: time(x.first),
        last: time(x.last),
        count: x.count as u64,
        client_ids: x.clients.into_iter().map(record_id).collect(),
    }
}

/// The directory an actor's audit answers resolve users and organizations from.
fn directory(ctx: &Context<'_>, a: &Session) -> async_graphql::Result<Directory> {
    Directory::of(service(ctx), a).map_err(to_graphql)
}

/// Which disclosure entries `accessLog` lists; every field left out matches all.
#[derive(InputObject, Default)]
pub struct AccessLogFilter {
    /// Entries that showed this client.
    pub client_id: Option<ID>,
    /// Entries of this user.
    pub user_id: Option<ID>,
    /// Entries of this organization's users.
    pub organization_id: Option<ID>,
    /// From this business date: YYYY-MM-DD, inclusive.
    pub from: Option<String>,
    /// Up to this business date: YYYY-MM-DD, inclusive.
    pub to: Option<String>,
    /// Only deliberate access (a client opened by id), not clients reached in lists.
    #[graphql(default = false)]
    pub deliberate_only: bool,
}

/// Waits until the views hold every disclosure acknowledged before the question, so an answer
/// never misses a read another request was already answered after.
async fn caught_up(ctx: &Context<'_>, a: &Session) -> async_graphql::Result<()> {
    service(ctx)
        .wait_caught_up(a, std::time::Duration::from_secs(5))
        .await
        .map_err(|e| to_graphql(CommandError::new(ErrorCode::Internal, e.to_string())))
}

/// Audit queries.
#[derive(Default)]
pub struct AuditQueries;

#[Object]
impl AuditQueries {
    /// Disclosure entries, newest first, filtered by client, user, organization, business
    /// dates and deliberate access (every entry without a filter).
    async fn access_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] filter: AccessLogFilter,
        #[graphql(default = 50)] first: i32,
        after: Option<String>,
    ) -> async_graphql::Result<AccessLogPage> {
        let a = session(ctx)?;
        caught_up(ctx, a).await?;
        if !(1..=crate::client::MAX_PAGE).contains(&first) {
            return Err(to_graphql(CommandError {
                code: ErrorCode::LimitExceeded,
                field: Some("first".into()),
                message: format!("a page holds 1 to {} rows", crate::client::MAX_PAGE),
            }));
        }
        let filter = AccessFilter {
            client: convert::opt_id::<ClientId>("clientId", &filter.client_id)?
                .map(ClientId::as_u128),
            user: convert::opt_id("userId", &filter.user_id)?,
            organization: convert::opt_id("organizationId", &filter.organization_id)?,
            from: convert::opt_date("from", &filter.from)?,
            to: convert::opt_date("to", &filter.to)?,
            deliberate_only: filter.deliberate_only,
        };
        let after = after.as_deref().map(parse_cursor).transpose()?;
        let limit = usize::try_from(first).unwrap_or(50);
        let mut entries = service(ctx)
            .access_log(a, &filter, limit + 1, after)
            .map_err(to_graphql)?;
        let has_next_page = entries.len() > limit;
        entries.truncate(limit);
        note(ctx, entries.iter().map(|e| e.client), RecordKind::AccessLog);
        let d = directory(ctx, a)?;
        let entries: Vec<AccessLogEntry> = entries
            .into_iter()
            .map(|e| access_log_entry(e, &d))
            .collect();
        Ok(AccessLogPage {
            end_cursor: entries.last().map(|e| e.cursor.clone()),
            has_next_page,
            entries,
        })
    }

    /// Per user and organization: first and last access to the client's data and counts.
    async fn access_summary(
        &self,
        ctx: &Context<'_>,
        client_id: ID,
    ) -> async_graphql::Result<Vec<AccessSummaryRow>> {
        let a = session(ctx)?;
        caught_up(ctx, a).await?;
        let client: ClientId = convert::id("clientId", &client_id)?;
        let rows = service(ctx).access_summary(a, client).map_err(to_graphql)?;
        note(ctx, [client.as_u128()], RecordKind::AccessLog);
        let d = directory(ctx, a)?;
        Ok(rows
            .into_iter()
            .map(|r| access_summary_row(r, &d))
            .collect())
    }

    /// Every organization (and restricted user) that could see the client's intake and each of
    /// its records on `date`, at what level and why — from what had been recorded by the end of
    /// that date, through the reference rules, so the answer never changes later — and the CoC
    /// roles (`role` set) that could by their role. `NOT_FOUND` for an id never used.
    async fn visibility_as_of(
        &self,
        ctx: &Context<'_>,
        client_id: ID,
        date: String,
    ) -> async_graphql::Result<Vec<CouldSee>> {
        let a = session(ctx)?;
        let client: ClientId = convert::id("clientId", &client_id)?;
        let date = convert::date("date", &date)?;
        let rows = service(ctx)
            .visibility_as_of(a, client, date)
            .map_err(to_graphql)?;
        note(ctx, [client.as_u128()], RecordKind::History);
        let d = directory(ctx, a)?;
        Ok(rows.into_iter().map(|r| could_see(r, &d)).collect())
    }

    /// For the organization that created the client (its case managers and agency
    /// administrators): who may see the client's intake and each of the organization's own
    /// records of the client today, at what level and why — `visibilityAsOf`'s answer for
    /// today, limited to what is the organization's own. `NOT_FOUND` for anyone else, exactly
    /// as for an id never used. Recorded as a disclosure of the client's history.
    async fn client_sharing(
        &self,
        ctx: &Context<'_>,
        client_id: ID,
    ) -> async_graphql::Result<Vec<CouldSee>> {
        let a = session(ctx)?;
        let client: ClientId = convert::id("clientId", &client_id)?;
        let rows = service(ctx).client_sharing(a, client).map_err(to_graphql)?;
        note(ctx, [client.as_u128()], RecordKind::History);
        // A case manager may name no users: the rows then name organizations only.
        let d = Directory::of(service(ctx), a)
            .unwrap_or_else(|_| Directory::organizations(service(ctx)));
        Ok(rows.into_iter().map(|r| could_see(r, &d)).collect())
    }

    /// Every event about the client in log order: what changed, by whom, when. `NOT_FOUND` for an
    /// id never used.
    async fn client_history(
        &self,
        ctx: &Context<'_>,
        client_id: ID,
    ) -> async_graphql::Result<Vec<HistoryEntry>> {
        let a = session(ctx)?;
        let client: ClientId = convert::id("clientId", &client_id)?;
        let entries = service(ctx).client_history(a, client).map_err(to_graphql)?;
        note(ctx, [client.as_u128()], RecordKind::History);
        let d = directory(ctx, a)?;
        Ok(entries.into_iter().map(|e| history_entry(e, &d)).collect())
    }

    /// The routine access review over business dates `from..=to`: users opening many clients
    /// outside their caseload within `windowMinutes` (at least `clientsThreshold`), system
    /// administrators shown case notes or assessments, and repeated denied lookups (at least
    /// `deniedThreshold` within the window).
    async fn access_anomalies(
        &self,
        ctx: &Context<'_>,
        from: String,
        to: String,
        #[graphql(default = 20)] clients_threshold: i32,
        #[graphql(default = 5)] denied_threshold: i32,
        #[graphql(default = 60)] window_minutes: i32,
    ) -> async_graphql::Result<Vec<Anomaly>> {
        let a = session(ctx)?;
        caught_up(ctx, a).await?;
        let positive = |field: &str, v: i32| {
            usize::try_from(v)
                .ok()
                .filter(|v| *v > 0)
                .ok_or_else(|| invalid(field, "a positive number"))
        };
        let thresholds = caseledger_service::AnomalyThresholds {
            clients_outside_caseload: positive("clientsThreshold", clients_threshold)?,
            denied_lookups: positive("deniedThreshold", denied_threshold)?,
            window: std::time::Duration::from_secs(
                60 * positive("windowMinutes", window_minutes)? as u64,
            ),
        };
        let anomalies = service(ctx)
            .access_anomalies(
                a,
                convert::date("from", &from)?,
                convert::date("to", &to)?,
                thresholds,
            )
            .map_err(to_graphql)?;
        note(
            ctx,
            anomalies.iter().flat_map(|x| x.clients.clone()),
            RecordKind::AccessLog,
        );
        let d = directory(ctx, a)?;
        Ok(anomalies.into_iter().map(|x| anomaly(x, &d)).collect())
    }

    /// The log's head: position and chain hash.
    async fn log_head(&self, ctx: &Context<'_>) -> async_graphql::Result<LogHead> {
        let head = service(ctx)
            .audited_head(session(ctx)?)
            .map_err(to_graphql)?;
        Ok(LogHead {
            position: head.position,
            hash: hex::encode(head.hash),
        })
    }
}

/// A signed checkpoint of the log head. Saved as JSON — this object, or the whole answer — it
/// is the checkpoint file `caseledger verify --checkpoint` reads (the files the service writes
/// to its `checkpoints/` directory are the same).
#[derive(SimpleObject)]
pub struct SignedCheckpoint {
    /// The log position.
    pub position: u64,
    /// The chain hash at that position (hex).
    pub chain_hash: String,
    /// When it was signed (RFC 3339).
    pub signed_at: String,
    /// The Ed25519 public key (hex).
    pub public_key: String,
    /// The signature (hex).
    pub signature: String,
}

/// Audit mutations.
#[derive(Default)]
pub struct AuditMutations;

#[Object]
impl AuditMutations {
    /// Signs the log head now with the service's checkpoint key (also saved in the data
    /// directory). Keep the answer: save it (the `signCheckpoint` object with all five fields,
    /// or the whole JSON answer) as a file, and keep the public key apart; `caseledger verify
    /// --checkpoint FILE --public-key KEY` later proves the log still extends it. Auditors and
    /// system administrators.
    async fn sign_checkpoint(&self, ctx: &Context<'_>) -> async_graphql::Result<SignedCheckpoint> {
        let c = service(ctx)
            .sign_checkpoint(session(ctx)?)
            .map_err(to_graphql)?;
        Ok(SignedCheckpoint {
            position: c.position,
            chain_hash: c.chain_hash,
            signed_at: c.signed_at,
            public_key: c.public_key,
            signature: c.signature,
        })
    }
}
