//! Audit queries: who was shown a client's data (the accounting of disclosures), who could see
//! it on a date and why, the client's history of changes, and the log head. Auditors and system
//! administrators only.
//!
//! Answers come from the log itself: the projections index where the relevant events are, and
//! the events are read back and decoded, so an answer is exactly what was recorded.
//! `visibility_as_of` replays only what had been recorded by the end of the asked date through
//! the reference evaluator, so its answer for a past date never changes later.

use std::collections::BTreeMap;

use caseledger_core::events::{DisclosedRecord, RecordsAccessed};
use caseledger_core::sharing::{RecordRef, Viewer, merges, transaction_facts, visibility};
use caseledger_core::{
    AccessLevel, AccessReason, Actor, ClientId, Date, Envelope, Event, OrganizationId, RecordKind,
    RecordRequestId, RequestId, Role, Timestamp, TransactionRestriction, UserId,
};

use crate::Service;
use crate::Session;
use crate::commands::{CommandError, forbidden, not_found};
use crate::history::FieldChange;

/// Which disclosure records to list; every given part must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessFilter {
    /// Records naming this client id (shown or denied).
    pub client: Option<u128>,
    /// Records of data shown to this user.
    pub user: Option<UserId>,
    /// Records of data shown to users of this organization.
    pub organization: Option<OrganizationId>,
    /// From this business date (inclusive).
    pub from: Option<Date>,
    /// To this business date (inclusive).
    pub to: Option<Date>,
    /// Only clients opened on purpose (not rows of lists, not denied lookups).
    pub deliberate_only: bool,
}

/// One disclosure of one client's data (or one denied lookup) in one response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessEntry {
    /// Log position of the disclosure record (with `index`, the cursor).
    pub position: u64,
    /// Which client of the record this entry is (0 for the first).
    pub index: usize,
    /// When the response was recorded.
    pub at: Timestamp,
    /// The business date the sharing rules were applied on.
    pub date: Date,
    /// The API request.
    pub request_id: RequestId,
    /// Who was shown the data.
    pub actor: Actor,
    /// GraphQL operation name.
    pub operation: String,
    /// The reason the user stated for looking, if they had to (empty otherwise); `[erased]`
    /// once its key was destroyed (a client the record names was forgotten, or retention).
    pub purpose: String,
    /// The client id (asked for, when denied).
    pub client: u128,
    /// A lookup answered "not found".
    pub denied: bool,
    /// Opened on purpose rather than a row of a list.
    pub deliberate: bool,
    /// The records shown, with fields and the rule that allowed each.
    pub records: Vec<DisclosedRecord>,
}

/// Per user: what a privacy officer reads first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessSummaryRow {
    /// The user.
    pub user: UserId,
    /// Their organization.
    pub organization: OrganizationId,
    /// Their role when they looked.
    pub role: Role,
    /// First time they were shown the client's data (or were denied).
    pub first: Timestamp,
    /// Last time.
    pub last: Timestamp,
    /// Responses that showed the client's data.
    pub shown: u64,
    /// Of which the client was opened on purpose.
    pub deliberate: u64,
    /// Lookups of the client answered "not found".
    pub denied: u64,
}

/// Who could see one of the client's records on a date, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CouldSee {
    /// The organization (for a CoC role, the CoC lead, where those roles live).
    pub organization: OrganizationId,
    /// Set when only this user of the organization could (a record restricted to its user).
    pub user: Option<UserId>,
    /// Set when every user of this CoC role could, by their role (system administrators, help
    /// desk, auditors) rather than by their organization's sharing.
    pub role: Option<Role>,
    /// The record: the intake or a transaction.
    pub kind: RecordKind,
    /// Its id (the client id for the intake).
    pub record: u128,
    /// Read or edit.
    pub level: AccessLevel,
    /// The rule.
    pub reason: AccessReason,
}

/// One event about the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// Log position.
    pub position: u64,
    /// When it was recorded.
    pub at: Timestamp,
    /// Who recorded it.
    pub actor: Actor,
    /// The event type's name.
    pub event: String,
    /// The record it created or changed, if any (the intake for intake, address and
    /// restriction events).
    pub record: Option<(RecordKind, u128)>,
    /// The client record request it is about, if any.
    pub request: Option<RecordRequestId>,
    /// Field-level changes of the intake, address and restriction, and the details of releases
    /// of information and record requests.
    pub changes: Vec<FieldChange>,
}

/// Auditors and system administrators read the audit trail; anyone else is `FORBIDDEN`.
pub(crate) fn require_auditor(actor: &Actor) -> Result<(), CommandError> {
    if !matches!(actor.role, Role::Auditor | Role::SystemAdmin) {
        return Err(forbidden(
            "only auditors and system administrators may read the audit trail",
        ));
    }
    Ok(())
}

impl Service {
    /// The log's head, for the audit trail's readers only.
    pub fn audited_head(
        &self,
        session: &Session,
    ) -> Result<caseledger_log_store::Head, CommandError> {
        require_auditor(&session.actor())?;
        Ok(self.head())
    }

    /// Positions an auditor's question depends on, read from the audit view.
    fn audit_positions(
        &self,
        actor: &Actor,
        pick: impl FnOnce(&caseledger_projections::AuditView<'_>) -> Vec<u64>,
    ) -> Result<Vec<u64>, CommandError> {
        require_auditor(actor)?;
        let viewer = crate::commands::viewer(actor);
        self.with_projections(|p| {
            p.audit_view(viewer).map(|v| pick(&v)).ok_or_else(|| {
                forbidden("only auditors and system administrators may read the audit trail")
            })
        })
    }

    /// Positions of every event about `client` (`with_survivors`: and about every client it
    /// was ever merged into) and of the sharing events; `NOT_FOUND` for an id never used, so a
    /// typo never reads as "nobody could see it" (auditors may see every client that exists,
    /// so there is no invisible client to answer alike).
    fn client_positions(
        &self,
        actor: &Actor,
        client: ClientId,
        with_survivors: bool,
    ) -> Result<(Vec<u64>, Vec<u64>), CommandError> {
        let mut sharing = Vec::new();
        let own = self.audit_positions(actor, |v| {
            sharing = v.sharing_event_positions().to_vec();
            if with_survivors {
                v.client_event_positions_with_survivors(client)
            } else {
                v.client_event_positions(client)
            }
        })?;
        if own.is_empty() {
            return Err(not_found("clientId", "client"));
        }
        Ok((own, sharing))
    }

    /// Disclosure entries matching `filter`, newest first: at most `first` after the cursor
    /// `after` (an entry's `(position, index)`).
    pub fn access_log(
        &self,
        session: &Session,
        filter: &AccessFilter,
        first: usize,
        after: Option<(u64, usize)>,
    ) -> Result<Vec<AccessEntry>, CommandError> {
        let actor = &session.actor();
        let positions = self.audit_positions(actor, |v| match (filter.client, filter.user) {
            (Some(c), _) => v.disclosures_of_client(c),
            (None, Some(u)) => v.disclosures_to_user(u).to_vec(),
            (None, None) => v.disclosures().to_vec(),
        })?;
        let mut out = Vec::new();
        for position in positions.into_iter().rev() {
            if after.is_some_and(|(p, _)| position > p) {
                continue;
            }
            let (_, envelope) = self
                .read_envelopes(&[position])?
                .pop()
                .expect("one envelope per position");
            let Event::RecordsAccessed(record) = &envelope.event else {
                continue;
            };
            let mut entries = entries_of(position, &envelope, record);
            entries.retain(|e| {
                after.is_none_or(|(p, i)| e.position < p || e.index < i) && matches(filter, e)
            });
            // Newest first, also within one record.
            entries.reverse();
            for e in entries {
                out.push(e);
                if out.len() == first {
                    return Ok(out);
                }
            }
        }
        Ok(out)
    }

    /// Per user, first and last access to the client's data and counts.
    pub fn access_summary(
        &self,
        session: &Session,
        client: ClientId,
    ) -> Result<Vec<AccessSummaryRow>, CommandError> {
        let actor = &session.actor();
        let positions =
            self.audit_positions(actor, |v| v.disclosures_of_client(client.as_u128()))?;
        let mut rows: BTreeMap<UserId, AccessSummaryRow> = BTreeMap::new();
        for (position, envelope) in self.read_envelopes(&positions)? {
            let Event::RecordsAccessed(record) = &envelope.event else {
                continue;
            };
            for e in entries_of(position, &envelope, record)
                .into_iter()
                .filter(|e| e.client == client.as_u128())
            {
                let row = rows.entry(e.actor.user).or_insert(AccessSummaryRow {
                    user: e.actor.user,
                    organization: e.actor.organization,
                    role: e.actor.role,
                    first: e.at,
                    last: e.at,
                    shown: 0,
                    deliberate: 0,
                    denied: 0,
                });
                row.first = row.first.min(e.at);
                row.last = row.last.max(e.at);
                row.shown += u64::from(!e.denied);
                row.deliberate += u64::from(e.deliberate);
                row.denied += u64::from(e.denied);
            }
        }
        let mut rows: Vec<_> = rows.into_values().collect();
        rows.sort_by_key(|r| std::cmp::Reverse(r.last));
        Ok(rows)
    }

    /// Every organization (and restricted user) that could see the client's intake and each of
    /// its transactions on `date`, at what level and why, from what had been recorded by the
    /// end of that date (in the deployment's time zone) and the reference rules.
    pub fn visibility_as_of(
        &self,
        session: &Session,
        client: ClientId,
        date: Date,
    ) -> Result<Vec<CouldSee>, CommandError> {
        let actor = &session.actor();
        // A day when the client was merged into another counts that survivor's facts too,
        // though the clients have been unmerged since.
        let (own, positions) = self.client_positions(actor, client, true)?;
        self.could_see(client, own, positions, date, |_| true, |_| true)
    }

    /// For the organization that created the client: who may see the client's intake and
    /// each of the organization's own records of the client today, at what level and why —
    /// `visibility_as_of`'s answer limited to what is the organization's own (other
    /// organizations' records are not its to know about). `NOT_FOUND` for anyone else, as for
    /// an id never used.
    pub fn client_sharing(
        &self,
        session: &Session,
        client: ClientId,
    ) -> Result<Vec<CouldSee>, CommandError> {
        let actor = session.actor();
        let (own, positions, today) = self
            .with_projections(|p| {
                let found = p.creator_sharing_positions(session.viewer(), client);
                found.map(|(own, sharing)| (own, sharing, p.today()))
            })
            .ok_or_else(|| not_found("clientId", "client"))?;
        let organization = actor.organization;
        // Its own: the intakes it created and the records it recorded (a merged client's other
        // members are not its to know about).
        self.could_see(
            client,
            own,
            positions,
            today,
            |creator| creator == organization,
            |facts| facts.owner.organization == organization,
        )
    }

    /// Who could see each intake `keep_intake` keeps (by its creator) and each record `keep`
    /// keeps of the client (a merged one: of its members) on `date`, from the
    /// client's events (`own`) and the sharing events (`positions`) recorded by the end of it.
    fn could_see(
        &self,
        client: ClientId,
        own: Vec<u64>,
        mut positions: Vec<u64>,
        date: Date,
        keep_intake: impl Fn(OrganizationId) -> bool,
        keep: impl Fn(&caseledger_core::sharing::TransactionFacts) -> bool,
    ) -> Result<Vec<CouldSee>, CommandError> {
        positions.extend(own);
        positions.sort_unstable();
        positions.dedup();
        let (zone, organizations) =
            self.with_projections(|p| (p.policy_time_zone(), p.write_model().organizations()));
        let lead = organizations
            .iter()
            .find(|(_, o)| o.is_coc_lead)
            .map(|(id, _)| *id);
        let history: Vec<Event> = self
            .read_envelopes(&positions)?
            .into_iter()
            .filter(|(_, e)| crate::clock::today_in(&zone, e.recorded_at.to_datetime()) <= date)
            .map(|(_, e)| e.event)
            .collect();
        // A merged client is asked about as a whole: every member's intake and records, each
        // by its own origin's rules (the merges recorded by then say who the members are).
        let members = merges::members(&history, merges::resolved(&history, client));
        let mut records: Vec<(RecordKind, u128, RecordRef)> = history
            .iter()
            .filter_map(|e| match e {
                Event::ClientIntakeRecorded(i)
                    if members.contains(&i.client_id) && keep_intake(i.organization_id) =>
                {
                    Some((
                        RecordKind::Intake,
                        i.client_id.as_u128(),
                        RecordRef::Intake(i.client_id),
                    ))
                }
                _ => None,
            })
            .collect();
        let mut viewers: Vec<Viewer> = organizations
            .iter()
            .map(|(organization, _)| Viewer {
                // No user of the organization: records restricted to a user are asked about
                // with that user below.
                user: UserId::new(0),
                organization: *organization,
                role: Role::CaseManager,
            })
            .collect();
        for event in &history {
            if let Some(facts) = transaction_facts(event)
                && members.contains(&facts.client)
                && keep(&facts)
            {
                records.push((facts.kind, facts.id, RecordRef::Transaction(facts.id)));
                if facts.restriction == TransactionRestriction::RestrictToUser {
                    viewers.push(Viewer {
                        user: facts.owner.user,
                        organization: facts.owner.organization,
                        role: Role::CaseManager,
                    });
                }
            }
        }
        viewers.dedup();
        // The CoC roles are asked about as a user of no organization, so the rule named is the
        // role's own; the lead's organization row already says what its sharing allows.
        let roles: Vec<Viewer> = [Role::SystemAdmin, Role::HelpDesk, Role::Auditor]
            .into_iter()
            .map(|role| Viewer {
                user: UserId::new(0),
                organization: OrganizationId::new(0),
                role,
            })
            .collect();
        let mut out = Vec::new();
        for (kind, id, record) in &records {
            for viewer in &viewers {
                let v = visibility(&history, viewer, record, date);
                let Some(reason) = v.reason else { continue };
                let user = (viewer.user != UserId::new(0)).then_some(viewer.user);
                if user.is_some() && reason != AccessReason::OwnUser {
                    continue; // the organization's row already says it
                }
                out.push(CouldSee {
                    organization: viewer.organization,
                    user,
                    role: None,
                    kind: *kind,
                    record: *id,
                    level: v.level,
                    reason,
                });
            }
            for viewer in &roles {
                let v = visibility(&history, viewer, record, date);
                let Some(reason) = v.reason else { continue };
                out.push(CouldSee {
                    organization: lead.unwrap_or(OrganizationId::new(0)),
                    user: None,
                    role: Some(viewer.role),
                    kind: *kind,
                    record: *id,
                    level: v.level,
                    reason,
                });
            }
        }
        Ok(out)
    }

    /// Every event about the client in log order, with who recorded it and field-level
    /// changes of the intake, the address and the restriction.
    pub fn client_history(
        &self,
        session: &Session,
        client: ClientId,
    ) -> Result<Vec<HistoryEntry>, CommandError> {
        let actor = &session.actor();
        let (own, sharing) = self.client_positions(actor, client, false)?;
        let mine: std::collections::HashSet<u64> = own.iter().copied().collect();
        // Only the MOU events recorded before the client's last event can be referred to.
        let last = own.last().copied().unwrap_or_default();
        let mut positions: Vec<u64> = sharing.into_iter().filter(|p| *p < last).collect();
        positions.extend(own);
        positions.sort_unstable();
        positions.dedup();
        let mut fold = crate::history::Fold::default();
        let mut out = Vec::new();
        for (position, envelope) in self.read_envelopes(&positions)? {
            if !mine.contains(&position) {
                fold.context(&envelope.event);
                continue;
            }
            let changes = fold.changes(&envelope.event);
            let record = transaction_facts(&envelope.event)
                .map(|f| (f.kind, f.id))
                .or_else(|| crate::history::follow_up(&envelope.event));
            out.push(HistoryEntry {
                position,
                at: envelope.recorded_at,
                actor: envelope.actor,
                event: envelope.event.event_type().name().to_string(),
                record,
                request: crate::history::request(&envelope.event),
                changes,
            });
        }
        Ok(out)
    }
}

/// The entries of one disclosure record: one per client shown, one per denied lookup.
fn entries_of(position: u64, envelope: &Envelope, record: &RecordsAccessed) -> Vec<AccessEntry> {
    let entry = |index, client, denied, deliberate, records| AccessEntry {
        position,
        index,
        at: envelope.recorded_at,
        date: record.date,
        request_id: record.request_id,
        actor: envelope.actor,
        operation: record.operation.clone(),
        purpose: match &record.purpose {
            None => String::new(),
            Some(p) => p.as_clear().cloned().unwrap_or_else(|| "[erased]".into()),
        },
        client,
        denied,
        deliberate,
        records,
    };
    let shown = record.clients.iter().map(|c| {
        (
            c.client_id.as_u128(),
            false,
            c.deliberate,
            c.records.clone(),
        )
    });
    let denied = record
        .denied
        .iter()
        .map(|d| (d.client_id, true, false, Vec::new()));
    shown
        .chain(denied)
        .enumerate()
        .map(|(i, (client, denied, deliberate, records))| {
            entry(i, client, denied, deliberate, records)
        })
        .collect()
}

fn matches(filter: &AccessFilter, e: &AccessEntry) -> bool {
    let date = e.date;
    filter.client.is_none_or(|c| e.client == c)
        && filter.user.is_none_or(|u| e.actor.user == u)
        && filter
            .organization
            .is_none_or(|o| e.actor.organization == o)
        && filter.from.is_none_or(|d| date >= d)
        && filter.to.is_none_or(|d| date <= d)
        && (!filter.deliberate_only || e.deliberate)
}

/// Thresholds of the routine access review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnomalyThresholds {
    /// Distinct clients outside a user's caseload opened within `window` that raise a flag.
    pub clients_outside_caseload: usize,
    /// Denied lookups by one user within `window` that raise a flag.
    pub denied_lookups: usize,
    /// The sliding window.
    pub window: std::time::Duration,
}

impl Default for AnomalyThresholds {
    fn default() -> Self {
        AnomalyThresholds {
            clients_outside_caseload: 20,
            denied_lookups: 5,
            window: std::time::Duration::from_secs(3600),
        }
    }
}

/// A pattern privacy officers look for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AnomalyKind {
    /// A user opened many clients outside their caseload (not their organization's) in a short
    /// time.
    ManyClientsOutsideCaseload,
    /// A system administrator was shown case notes or assessments, which the policy keeps in
    /// the recording organization by default.
    AdministratorReadRestrictedKind,
    /// A user's lookups were answered "not found" again and again.
    RepeatedDeniedLookups,
}

/// One flagged pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anomaly {
    /// Which pattern.
    pub kind: AnomalyKind,
    /// Whose access.
    pub actor: Actor,
    /// First access of the pattern.
    pub first: Timestamp,
    /// Last access of the pattern.
    pub last: Timestamp,
    /// How many accesses (clients, records or lookups) it spans.
    pub count: usize,
    /// The clients involved (ids; denied ones may name no client).
    pub clients: Vec<u128>,
}

impl Service {
    /// The routine access review over the disclosure records of business dates `from..=to`.
    pub fn access_anomalies(
        &self,
        session: &Session,
        from: Date,
        to: Date,
        thresholds: AnomalyThresholds,
    ) -> Result<Vec<Anomaly>, CommandError> {
        let actor = &session.actor();
        let positions = self.audit_positions(actor, |v| v.disclosures().to_vec())?;
        // Disclosure records are in time order: find the first of `from` by bisection.
        let date_at = |i: usize| -> Result<Date, CommandError> {
            let (_, e) = self.read_envelopes(&positions[i..=i])?.pop().expect("one");
            Ok(match e.event {
                Event::RecordsAccessed(r) => r.date,
                _ => Date::from_ymd(1, 1, 1).expect("a date"),
            })
        };
        let (mut lo, mut hi) = (0, positions.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if date_at(mid)? < from {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let mut entries = Vec::new();
        for (position, envelope) in self.read_envelopes(&positions[lo..])? {
            let Event::RecordsAccessed(record) = &envelope.event else {
                continue;
            };
            if record.date > to {
                break;
            }
            entries.extend(entries_of(position, &envelope, record));
        }
        let window = i64::try_from(thresholds.window.as_micros()).unwrap_or(i64::MAX);
        let mut by_user: BTreeMap<UserId, Vec<&AccessEntry>> = BTreeMap::new();
        for e in &entries {
            by_user.entry(e.actor.user).or_default().push(e);
        }
        let mut out = Vec::new();
        for list in by_user.values() {
            let outside: Vec<&AccessEntry> = list
                .iter()
                .copied()
                .filter(|e| {
                    e.deliberate
                        && e.records.iter().any(|r| {
                            r.kind == RecordKind::Intake
                                && !matches!(
                                    r.reason,
                                    AccessReason::OwnOrganization | AccessReason::OwnUser
                                )
                        })
                })
                .collect();
            out.extend(windowed(
                &outside,
                window,
                thresholds.clients_outside_caseload,
                AnomalyKind::ManyClientsOutsideCaseload,
            ));
            let denied: Vec<&AccessEntry> = list.iter().copied().filter(|e| e.denied).collect();
            out.extend(windowed(
                &denied,
                window,
                thresholds.denied_lookups,
                AnomalyKind::RepeatedDeniedLookups,
            ));
            let restricted: Vec<&AccessEntry> = list
                .iter()
                .copied()
                .filter(|e| {
                    e.records.iter().any(|r| {
                        matches!(r.kind, RecordKind::CaseNote | RecordKind::Assessment)
                            && r.reason == AccessReason::SystemAdministrator
                    })
                })
                .collect();
            if let (Some(first), Some(last)) = (restricted.first(), restricted.last()) {
                out.push(Anomaly {
                    kind: AnomalyKind::AdministratorReadRestrictedKind,
                    actor: first.actor,
                    first: first.at,
                    last: last.at,
                    count: restricted.len(),
                    clients: distinct(&restricted),
                });
            }
        }
        out.sort_by_key(|a| (a.kind, a.first));
        Ok(out)
    }
}

fn distinct(entries: &[&AccessEntry]) -> Vec<u128> {
    let mut clients: Vec<u128> = entries.iter().map(|e| e.client).collect();
    clients.sort_unstable();
    clients.dedup();
    clients
}

/// The stretches where `threshold` distinct clients (or, for denied lookups, lookups) fall in
/// one sliding window; overlapping stretches are merged into one flag.
fn windowed(
    entries: &[&AccessEntry],
    window: i64,
    threshold: usize,
    kind: AnomalyKind,
) -> Vec<Anomaly> {
    let count = |slice: &[&AccessEntry]| {
        if kind == AnomalyKind::RepeatedDeniedLookups {
            slice.len()
        } else {
            distinct(slice).len()
        }
    };
    let mut flags: Vec<Anomaly> = Vec::new();
    let mut start = 0;
    for end in 0..entries.len() {
        while entries[end].at.as_micros() - entries[start].at.as_micros() > window {
            start += 1;
        }
        let slice = &entries[start..=end];
        if threshold > 0 && count(slice) >= threshold {
            match flags.last_mut() {
                Some(flag) if flag.last.as_micros() >= entries[start].at.as_micros() => {
                    flag.last = entries[end].at;
                    let mut clients = flag.clients.clone();
                    clients.extend(distinct(slice));
                    clients.sort_unstable();
                    clients.dedup();
                    flag.clients = clients;
                    flag.count = flag.count.max(count(slice));
                }
                _ => flags.push(Anomaly {
                    kind,
                    actor: entries[end].actor,
                    first: entries[start].at,
                    last: entries[end].at,
                    count: count(slice),
                    clients: distinct(slice),
                }),
            }
        }
    }
    flags
}
