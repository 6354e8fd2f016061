//! The reference evaluator: the sharing rules of DESIGN.md, applied to a history of events.
//!
//! Every question is answered by scanning the history from the start, so the code can be read
//! line by line against the normative text. Conventions the text leaves open, decided here once
//! (the projections follow them):
//!
//! - **Dates** are business dates in the deployment's time zone; windows include both ends;
//!   an open end never closes. An ending event (`MouAssignmentEnded`, `ReleaseExceptionRevoked`)
//!   sets the last day its fact applies (the earliest of every ending and the window's own end:
//!   an ending only ever shortens); ending "today, at once" therefore means ending on yesterday.
//! - **The policy on a date** is the last `SharingPolicySet` in log order whose effective date is
//!   on or before it; before the first effective date, the first policy recorded; with none,
//!   `clienttrack` in UTC.
//! - **The client restriction on a date** is the intake's, replaced by the last
//!   `ClientRestrictionChanged` in log order whose effective date is on or before it.
//! - **One MOU assignment at a time**: on a date, the client's assignment is the last one in log
//!   order whose window contains the date; earlier ones are superseded for that date.
//! - **An MOU on a date** is as the last `MouCreated`/`MouChanged` in log order that applies on
//!   that date describes it: its creation always applies, a change from its effective date on
//!   (a change without one, on every date). Ending an MOU is a change from the day after its
//!   last day, so the days before keep what they had.
//! - **Several sharing paths**: the MOU assignment is named first, then the release exceptions
//!   in the order they were granted.
//! - **Exits, move-in dates, check-outs, cancellations and lifted bars** belong to the record they
//!   complete and are seen with it.
//! - **A corrected record** is read as corrected (`events::corrected`): an exit date corrected
//!   moves the exit the caseload counts. Corrections never touch what the rules read (owner,
//!   client, kind, restriction).
//! - **A voided record** (its last `RecordVoided`/`RecordUnvoided` in log order is a void) is
//!   visible to no one, on every date, its follow-ups with it: "entered in error" means it
//!   should never have been there. It is still in the history (which is not a view), and an
//!   un-void brings it back exactly as it was. A voided MOU assignment or release exception is
//!   no sharing path: it never applied (an earlier assignment it ended stays ended).
//! - **A corrected window** of an MOU assignment or release exception (a `RecordCorrected`
//!   with a `Window` correction, the last one counting) is the window the fact always had:
//!   like a void, a correction says what the paper signed said, so it applies on every date,
//!   past ones included, in any history that holds it. Endings recorded for the fact still
//!   clip the corrected window (an ending only ever shortens).
//! - **Merges** (DESIGN.md: a merge never widens what anyone can see). While a duplicate D is
//!   merged into a survivor S ([`merges::merge_of`]), every record keeps its origin (the client
//!   it was recorded for) and is judged by its origin's sharing facts — D's creator, D's
//!   restriction, MOU assignments and release exceptions as they stood — plus S's facts recorded
//!   after the merge, which are decisions about the merged client as a whole
//!   ([`merges::FactScope`]); S's earlier facts never reach D's records. D's intake is judged
//!   the same way, S's by S's facts. The merged client ([`client_sight`] of S) is seen with S's
//!   intake where that is visible, else with the first merged intake that is, else as an id
//!   only when a record of any member is visible; its records are all members' records, each by
//!   its own origin's rules. D's id answers as S's — but only to a viewer that could see
//!   something of D (its intake or one of its records): to anyone else it is an id never used.
//!   Open client record requests of any member cover the merged client's records. An unmerge
//!   ends all of this: both clients are as they were, S keeping what was recorded for the
//!   merged client.
//! - **Help desk** reads what a client record dashboard holds — the client's enrollments and
//!   documents, whoever recorded them and whatever their restriction (the dashboard is the
//!   client's own data), never services, assessments, case notes or shelter records — while a
//!   client record request for that client is open (submitted, not yet fulfilled or denied) in
//!   the history given; the date plays no part (to ask about a past day, pass the history up to
//!   that day). This holds for the help desk's own organization's records too: a role reads
//!   what its task needs, and the CoC lead's records are no exception.
//! - **Auditors** read every record's metadata (kind, id, owner, dates, restriction), their own
//!   organization's included, and never its content: a [`Visibility`] whose reason is
//!   [`AccessReason::Auditor`] does not [`show content`](Visibility::shows_content), and views
//!   hand such a record over as [`metadata_only`](crate::sharing::transactions::metadata_only).
//! - **An organization that cannot see the intake** sees the client as an id only
//!   ([`client_sight`]), carrying the records the transaction rules give it: its own, and —
//!   DESIGN's rule 5 as written — another organization's unrestricted record along a sharing
//!   path from that organization (a client shared with the MOU whose creator has no path to the
//!   viewer, while the recording agency granted the viewer a release). Where the client is
//!   restricted to its organization (rule 4), or the only path was revoked, that is exactly the
//!   viewer's own records.
//! - **The caseload** ([`caseload`]) of a viewer is the clients with an enrollment of the
//!   viewer's organization that the viewer may see and that is open or exited within the last
//!   [`RECENT_EXIT_DAYS`] days (the exit date on or after the date minus that many days; the last
//!   exit recorded counts), and the clients of every restrict-to-user record the viewer made.

use super::merges::{self, FactScope};
use super::policy::{IntakeEditors, SharingPolicy, SummaryReaders};
use super::transactions::{TransactionFacts, transaction_facts};
use super::vocabulary::{
    AccessLevel, AccessReason, ClientRestriction, MouDirection, PolicyRule, RecordKind, Role,
    TransactionRestriction,
};
use crate::events::Event;
use crate::ids::{ClientId, MouId, OrganizationId};
use crate::time::{Date, DateWindow};

/// Who is asking: the same user, organization and role as who acts ([`Actor`], what an
/// envelope records), so the rules a read applies and the events a write records name one
/// concept (the service's session hands out both).
pub type Viewer = crate::Actor;

/// Which record is asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordRef {
    /// A client's intake (the profile).
    Intake(ClientId),
    /// A transaction, by the id of the record it created (see [`transaction_facts`]).
    Transaction(u128),
}

/// What a viewer may do with a record, and the rule that allowed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Visibility {
    /// None, read or edit.
    pub level: AccessLevel,
    /// Why; `None` exactly when the level is `None`.
    pub reason: Option<AccessReason>,
}

impl Visibility {
    /// Nothing: the record is invisible (indistinguishable from one that does not exist).
    pub const NONE: Visibility = Visibility {
        level: AccessLevel::None,
        reason: None,
    };

    /// Read access for `reason`.
    pub const fn read(reason: AccessReason) -> Self {
        Visibility {
            level: AccessLevel::Read,
            reason: Some(reason),
        }
    }

    /// Edit access for `reason`.
    pub const fn edit(reason: AccessReason) -> Self {
        Visibility {
            level: AccessLevel::Edit,
            reason: Some(reason),
        }
    }

    /// Whether a visible transaction is shown with its content (note text, assessment answers,
    /// document names, free texts) or as its metadata only: auditors read history and
    /// disclosure records, never content.
    pub fn shows_content(&self) -> bool {
        self.level != AccessLevel::None && self.reason != Some(AccessReason::Auditor)
    }
}

/// How many days after its exit an enrollment stays in its organization's caseload.
pub const RECENT_EXIT_DAYS: i64 = 90;

/// How a viewer sees a client as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientSight {
    /// Not at all: answered exactly as for an id never used.
    Nothing,
    /// As an id only: the viewer may not see the intake but may see records of its own
    /// organization about the client (and only those).
    IdOnly,
    /// With its intake, at this access.
    Intake(Visibility),
}

/// How `viewer` sees `client` on `date`: with its intake when the intake rules allow it; else
/// as an id only when some record of the client is visible to the viewer (by the transaction
/// rules, only its own organization's then); else not at all. A merged client is seen through
/// its members, and a merged-away id as its survivor (see the module docs, "Merges").
pub fn client_sight(
    history: &[Event],
    viewer: &Viewer,
    client: ClientId,
    date: Date,
) -> ClientSight {
    let survivor = merges::resolved(history, client);
    if survivor != client && own_sight(history, viewer, client, date) == ClientSight::Nothing {
        // Only a viewer that could see the duplicate learns where it went.
        return ClientSight::Nothing;
    }
    let members = merges::members(history, survivor);
    for &member in &members {
        let intake = intake_visibility(history, viewer, member, date);
        if intake.level != AccessLevel::None {
            return ClientSight::Intake(intake);
        }
    }
    if members
        .iter()
        .any(|&m| any_record_visible(history, viewer, m, date))
    {
        ClientSight::IdOnly
    } else {
        ClientSight::Nothing
    }
}

/// How `viewer` sees `client` by itself, merges aside: its intake, else an id with a visible
/// record of its own origin, else nothing.
fn own_sight(history: &[Event], viewer: &Viewer, client: ClientId, date: Date) -> ClientSight {
    let intake = intake_visibility(history, viewer, client, date);
    if intake.level != AccessLevel::None {
        ClientSight::Intake(intake)
    } else if any_record_visible(history, viewer, client, date) {
        ClientSight::IdOnly
    } else {
        ClientSight::Nothing
    }
}

/// Whether some record of origin `client` is visible to the viewer.
fn any_record_visible(history: &[Event], viewer: &Viewer, client: ClientId, date: Date) -> bool {
    history
        .iter()
        .filter_map(transaction_facts)
        .filter(|t| t.client == client)
        .any(|t| transaction_visibility(history, viewer, &t, date).level != AccessLevel::None)
}

/// The viewer's caseload on `date` (see the module docs), in client id order, merged-away
/// clients as their survivors.
pub fn caseload(history: &[Event], viewer: &Viewer, date: Date) -> Vec<ClientId> {
    let recent_from = date.add_days(-RECENT_EXIT_DAYS);
    let mut clients: Vec<ClientId> = history
        .iter()
        .filter_map(transaction_facts)
        .filter(|t| {
            let enrollment = t.kind == RecordKind::Enrollment
                && t.owner.organization == viewer.organization
                && last_exit(history, t.id)
                    .is_none_or(|exit| recent_from.is_none_or(|from| exit >= from));
            let own_restricted = t.restriction == TransactionRestriction::RestrictToUser
                && t.owner.user == viewer.user
                && t.owner.organization == viewer.organization;
            (enrollment || own_restricted)
                && transaction_visibility(history, viewer, t, date).level != AccessLevel::None
        })
        .map(|t| merges::resolved(history, t.client))
        .collect();
    clients.sort();
    clients.dedup();
    clients
}

/// The exit date of the last exit recorded for an enrollment, as corrected.
fn last_exit(history: &[Event], enrollment: u128) -> Option<Date> {
    let events: Vec<Event> = history
        .iter()
        .filter(|e| match e {
            Event::EnrollmentExited(x) => x.enrollment_id.as_u128() == enrollment,
            Event::RecordCorrected(c) => c.record_id == enrollment,
            Event::RecordVoided(v) => v.record_id == enrollment && v.kind == RecordKind::Exit,
            Event::RecordUnvoided(u) => u.record_id == enrollment && u.kind == RecordKind::Exit,
            _ => false,
        })
        .cloned()
        .collect();
    crate::corrections::corrected(&events)
        .iter()
        .filter_map(|e| match e {
            Event::EnrollmentExited(x) => Some(x.exit_date),
            _ => None,
        })
        .next_back()
}

/// What `viewer` may do with `record` on `date`, given everything in `history` (in log order).
/// Records not in the history are invisible.
pub fn visibility(
    history: &[Event],
    viewer: &Viewer,
    record: &RecordRef,
    date: Date,
) -> Visibility {
    match *record {
        RecordRef::Intake(client) => intake_visibility(history, viewer, client, date),
        RecordRef::Transaction(id) => match find_transaction(history, id) {
            Some(t) => transaction_visibility(history, viewer, &t, date),
            None => Visibility::NONE,
        },
    }
}

/// Intake rules 1–5 (and the open-intake preset).
fn intake_visibility(
    history: &[Event],
    viewer: &Viewer,
    client: ClientId,
    date: Date,
) -> Visibility {
    let Some(creator) = intake_creator(history, client) else {
        return Visibility::NONE;
    };
    // 1. The creating organization edits.
    if viewer.organization == creator {
        return Visibility::edit(AccessReason::OwnOrganization);
    }
    // 2. System administrators edit; help desk and auditors read for their tasks.
    match viewer.role {
        Role::SystemAdmin => return Visibility::edit(AccessReason::SystemAdministrator),
        Role::HelpDesk => return Visibility::read(AccessReason::HelpDesk),
        Role::Auditor => return Visibility::read(AccessReason::Auditor),
        _ => {}
    }
    let restriction = client_restriction_on(history, client, date);
    // 3. Restricted to its organization: nothing, whatever the releases say.
    if restriction == ClientRestriction::RestrictToOrganization {
        return Visibility::NONE;
    }
    // Open-intake preset: every participating organization reads and edits.
    if policy_on(history, date).intake_editors == IntakeEditors::AllParticipating {
        return Visibility::edit(AccessReason::PolicyRule(PolicyRule::OpenIntake));
    }
    match restriction {
        // 4. Shared globally: read.
        ClientRestriction::ShareGlobally => Visibility::read(AccessReason::GlobalShare),
        // 5. Shared with the MOU: read iff a sharing path from the creator exists.
        ClientRestriction::ShareWithMou => {
            match sharing_path(history, client, creator, viewer.organization, date) {
                Some(reason) => Visibility::read(reason),
                None => Visibility::NONE,
            }
        }
        ClientRestriction::RestrictToOrganization => Visibility::NONE,
    }
}

/// Transaction rules 1–6 (and the open-intake enrollment summary).
fn transaction_visibility(
    history: &[Event],
    viewer: &Viewer,
    t: &TransactionFacts,
    date: Date,
) -> Visibility {
    // A record entered in error is in no view (see the module docs).
    if voided(history, t.id) {
        return Visibility::NONE;
    }
    // 6. The CoC's reading roles read what their task needs, whoever owns the record: the help
    //    desk what a client record dashboard shows for an open request (never services,
    //    assessments, case notes or shelter records); auditors every record's metadata.
    match viewer.role {
        Role::Auditor => return Visibility::read(AccessReason::Auditor),
        Role::HelpDesk => {
            if !matches!(t.kind, RecordKind::Enrollment | RecordKind::Document) {
                return Visibility::NONE;
            }
            return match open_record_request(history, t.client) {
                Some(request) => Visibility::read(AccessReason::ClientRecordRequest(request)),
                None => Visibility::NONE,
            };
        }
        _ => {}
    }
    let own_organization = viewer.organization == t.owner.organization;
    // 1. The owning organization edits, except another user's restrict-to-user record.
    if own_organization {
        if t.restriction == TransactionRestriction::RestrictToUser {
            if viewer.user == t.owner.user {
                return Visibility::edit(AccessReason::OwnUser);
            }
            if viewer.role == Role::SystemAdmin {
                return Visibility::read(AccessReason::SystemAdministrator);
            }
            return Visibility::NONE;
        }
        return Visibility::edit(AccessReason::OwnOrganization);
    }
    // 2. System administrators read (correction rights stay with the owner).
    if viewer.role == Role::SystemAdmin {
        return Visibility::read(AccessReason::SystemAdministrator);
    }
    // 3. Restricted to its organization or user: nothing outside it.
    if t.restriction != TransactionRestriction::Unrestricted {
        return Visibility::NONE;
    }
    // 4. The client is restricted to its organization (and the viewer did not create it).
    if client_restriction_on(history, t.client, date) == ClientRestriction::RestrictToOrganization
        && intake_creator(history, t.client) != Some(viewer.organization)
    {
        return Visibility::NONE;
    }
    // 5. Read iff a sharing path from the owner exists (never merely because the intake is
    //    shared globally).
    if let Some(reason) = sharing_path(
        history,
        t.client,
        t.owner.organization,
        viewer.organization,
        date,
    ) {
        return Visibility::read(reason);
    }
    // Open-intake preset: the enrollment summary is readable by every participating organization.
    let in_summary = matches!(t.kind, RecordKind::Enrollment | RecordKind::Service);
    if in_summary
        && policy_on(history, date).enrollment_summary_readers == SummaryReaders::AllParticipating
        && client_restriction_on(history, t.client, date)
            != ClientRestriction::RestrictToOrganization
    {
        return Visibility::read(AccessReason::PolicyRule(PolicyRule::OpenEnrollmentSummary));
    }
    Visibility::NONE
}

/// A sharing path for `client` from `from` to `to` on `date`: (a) the client's MOU assignment
/// on that date, to an MOU active on that date in which `from` grants and `to` receives; or
/// (b) a release exception `from` → `to` active on that date — facts of the client's
/// [`FactScope`].
fn sharing_path(
    history: &[Event],
    client: ClientId,
    from: OrganizationId,
    to: OrganizationId,
    date: Date,
) -> Option<AccessReason> {
    if let Some(mou) = mou_assignment_on(history, client, date)
        && let Some((window, participants)) = mou_state(history, mou, date)
    {
        let grants = participants
            .iter()
            .any(|(org, dir)| *org == from && dir.grants());
        let receives = participants
            .iter()
            .any(|(org, dir)| *org == to && dir.receives());
        if window.contains(date) && grants && receives {
            return Some(AccessReason::Mou(mou));
        }
    }
    let scope = FactScope::of(history, client);
    for (at, event) in history.iter().enumerate() {
        if let Event::ReleaseExceptionGranted(g) = event
            && scope.counts(at, g.client_id)
            && g.granting_organization == from
            && g.accessing_organization == to
            && !voided(history, g.release_id.as_u128())
        {
            let end = earliest_end(history, |e| match e {
                Event::ReleaseExceptionRevoked(r) if r.release_id == g.release_id => Some(r.end),
                _ => None,
            });
            if clipped(
                corrected_window(history, g.release_id.as_u128(), g.window),
                end,
            )
            .contains(date)
            {
                return Some(AccessReason::ReleaseException(g.release_id));
            }
        }
    }
    None
}

/// The MOU of the client's assignment on `date`: the last assignment in log order whose window
/// (clipped by its ending) contains the date, among the facts of the client's [`FactScope`].
fn mou_assignment_on(history: &[Event], client: ClientId, date: Date) -> Option<MouId> {
    let scope = FactScope::of(history, client);
    let mut current = None;
    for (at, event) in history.iter().enumerate() {
        if let Event::MouAssigned(a) = event
            && scope.counts(at, a.client_id)
            && !voided(history, a.assignment_id.as_u128())
        {
            let end = earliest_end(history, |e| match e {
                Event::MouAssignmentEnded(x) if x.assignment_id == a.assignment_id => Some(x.end),
                _ => None,
            });
            if clipped(
                corrected_window(history, a.assignment_id.as_u128(), a.window),
                end,
            )
            .contains(date)
            {
                current = Some(a.mou_id);
            }
        }
    }
    current
}

/// An MOU's participants and their directions.
type Participants = Vec<(OrganizationId, MouDirection)>;

/// An MOU's window and participants on `date` (see the module docs).
fn mou_state(history: &[Event], mou: MouId, date: Date) -> Option<(DateWindow, Participants)> {
    let mut state = None;
    for event in history {
        let (id, window, participants) = match event {
            Event::MouCreated(m) => (m.mou_id, m.window, &m.participants),
            Event::MouChanged(m) if m.effective.is_none_or(|e| e <= date) => {
                (m.mou_id, m.window, &m.participants)
            }
            _ => continue,
        };
        if id == mou {
            let participants = participants
                .iter()
                .map(|p| (p.organization, p.direction))
                .collect();
            state = Some((window, participants));
        }
    }
    state
}

/// The earliest of the ending dates `ending` finds in the history (an ending only shortens).
fn earliest_end(history: &[Event], ending: impl Fn(&Event) -> Option<Date>) -> Option<Date> {
    history.iter().filter_map(ending).min()
}

/// A sharing fact's window as corrected: the last `Window` correction of the fact in the
/// history, else the window it was recorded with.
fn corrected_window(history: &[Event], fact: u128, recorded: DateWindow) -> DateWindow {
    let mut window = recorded;
    for event in history {
        if let Event::RecordCorrected(c) = event
            && c.record_id == fact
        {
            for correction in &c.corrections {
                if let crate::events::Correction::Window(w) = correction {
                    window = *w;
                }
            }
        }
    }
    window
}

/// A window whose end is moved earlier by an ending event, if any.
fn clipped(window: DateWindow, ended: Option<Date>) -> DateWindow {
    ended.map_or(window, |end| window.closed_at(end))
}

/// The organization that created the client.
fn intake_creator(history: &[Event], client: ClientId) -> Option<OrganizationId> {
    history.iter().find_map(|e| match e {
        Event::ClientIntakeRecorded(i) if i.client_id == client => Some(i.organization_id),
        _ => None,
    })
}

/// The client's restriction on `date` (see the module docs), among the facts of its
/// [`FactScope`]. Unknown clients count as
/// restricted to their (nonexistent) organization.
fn client_restriction_on(history: &[Event], client: ClientId, date: Date) -> ClientRestriction {
    let scope = FactScope::of(history, client);
    let mut restriction = ClientRestriction::RestrictToOrganization;
    for (at, event) in history.iter().enumerate() {
        match event {
            Event::ClientIntakeRecorded(i) if i.client_id == client => restriction = i.restriction,
            Event::ClientRestrictionChanged(c)
                if scope.counts(at, c.client_id) && c.effective <= date =>
            {
                restriction = c.restriction;
            }
            _ => {}
        }
    }
    restriction
}

/// The sharing policy in force on `date` (see the module docs).
pub fn policy_on(history: &[Event], date: Date) -> SharingPolicy {
    let mut first = None;
    let mut current = None;
    for event in history {
        if let Event::SharingPolicySet(p) = event {
            first.get_or_insert(&p.policy);
            if p.effective <= date {
                current = Some(&p.policy);
            }
        }
    }
    current
        .or(first)
        .cloned()
        .unwrap_or_else(|| SharingPolicy::clienttrack("UTC"))
}

/// Whether the record is voided: its last void or un-void in log order is a void.
pub fn voided(history: &[Event], record: u128) -> bool {
    history
        .iter()
        .filter_map(|e| match e {
            // An exit's void is a follow-up of its enrollment, not a void of it.
            Event::RecordVoided(v) if v.record_id == record && v.kind != RecordKind::Exit => {
                Some(true)
            }
            Event::RecordUnvoided(u) if u.record_id == record && u.kind != RecordKind::Exit => {
                Some(false)
            }
            _ => None,
        })
        .next_back()
        .unwrap_or(false)
}

/// The facts of the transaction with this record id.
fn find_transaction(history: &[Event], id: u128) -> Option<TransactionFacts> {
    history
        .iter()
        .filter_map(transaction_facts)
        .find(|t| t.id == id)
}

/// The first open client record request for the client: submitted, not fulfilled or denied;
/// one for any member of the merged client the client belongs to counts.
fn open_record_request(history: &[Event], client: ClientId) -> Option<crate::ids::RecordRequestId> {
    let members = merges::members(history, merges::resolved(history, client));
    history.iter().find_map(|e| match e {
        Event::RecordRequestSubmitted(s) if members.contains(&s.client_id) => {
            let closed = history.iter().any(|x| match x {
                Event::RecordRequestFulfilled(f) => f.request_id == s.request_id,
                Event::RecordRequestDenied(d) => d.request_id == s.request_id,
                _ => false,
            });
            (!closed).then_some(s.request_id)
        }
        _ => None,
    })
}
