//! The global store: every record once, with audience indexes. Private to this crate.

use std::borrow::Cow;
use std::collections::BTreeSet;

use rustc_hash::FxHashMap as HashMap;

use caseledger_core::events::{ClientIntakeRecorded, Event};
use caseledger_core::sharing::{TransactionFacts, transaction_facts};
use caseledger_core::{
    ClientId, ClientRestriction, Date, DateWindow, MouAssignmentId, MouDirection, MouId,
    OrganizationId, RecordRequestId, ReleaseId, SharingPolicy, Timestamp, UserId,
};

use serde::{Deserialize, Serialize};

pub(crate) use crate::compact::{Compact, Keys, Records};
use crate::search::SearchIndex;

/// A dated fact whose window the first ending event may close early.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(crate) struct Windowed {
    pub window: DateWindow,
    /// The earliest ending recorded for it (an ending only ever shortens, as in the reference).
    pub ended: Option<Date>,
}

impl Windowed {
    fn new(window: DateWindow) -> Self {
        Windowed {
            window,
            ended: None,
        }
    }

    fn end(&mut self, date: Date) {
        self.ended = Some(self.ended.map_or(date, |e| e.min(date)));
    }

    /// The window with the earliest ending applied.
    pub fn effective(&self) -> DateWindow {
        self.ended
            .map_or(self.window, |end| self.window.closed_at(end))
    }

    /// Whether the fact applies on `date`.
    pub fn contains(&self, date: Date) -> bool {
        self.effective().contains(date)
    }
}

/// A merge in force, kept on the duplicate.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub(crate) struct MergeState {
    pub id: caseledger_core::MergeId,
    pub survivor: ClientId,
    /// How many of the survivor's restriction, assignment and release facts were recorded
    /// before the merge: those after count for the duplicate's records too.
    pub marks: [usize; 3],
}

/// A client release exception.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Release {
    pub id: ReleaseId,
    pub granting: OrganizationId,
    pub accessing: OrganizationId,
    pub when: Windowed,
}

/// Everything known about one client: its intake (once recorded) and its sharing facts.
#[derive(Clone, Default, Serialize, Deserialize)]
pub(crate) struct ClientState {
    /// The current intake (edits and address updates applied), once recorded.
    pub intake: Option<ClientIntakeRecorded>,
    /// Restriction facts in log order: the intake's (applies on every date) and each change
    /// (applies from its effective date).
    pub restrictions: Vec<(Option<Date>, ClientRestriction)>,
    /// MOU assignments in log order.
    pub assignments: Vec<(MouAssignmentId, MouId, Windowed)>,
    /// Release exceptions in log order.
    pub releases: Vec<Release>,
    /// The client's transactions, in log order.
    pub transactions: Vec<u128>,
    /// Client record requests submitted and neither fulfilled nor denied, in submission order.
    pub open_requests: Vec<RecordRequestId>,
    /// The (UTC) date the identifiers were last recorded or changed: intake, edit, address.
    pub identifiers_changed: Option<Date>,
    /// The identifiers were forgotten (the data key destroyed, the values erased here).
    pub forgotten: bool,
    /// When the intake was recorded and last changed (edits, address, HUD elements).
    pub times: Option<(Timestamp, Timestamp)>,
    /// The user who recorded the intake, when the log says (HUD's `UserID` of the client).
    pub recorded_by: Option<UserId>,
}

/// A transaction: its sharing facts and the events that make it up (creation first, then
/// follow-ups such as an exit or a check-out).
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct TransactionRecord {
    pub facts: TransactionFacts,
    /// Where it stands among all records, in log order (a merged client lists its members'
    /// records in this order).
    pub seq: u64,
    /// The log positions of its events (read back through [`Records`]); a boxed slice, not a
    /// `Vec`, as most records never get a follow-up.
    pub events: Box<[u64]>,
    /// When it was first recorded and last changed (a follow-up, its HUD elements), where the
    /// log said (HUD's `DateCreated` and `DateUpdated` of a record recorded here).
    pub times: Option<(Timestamp, Timestamp)>,
    /// An enrollment's exit, once recorded: boxed, as most records are not enrollments and
    /// memory grows with the number of records.
    pub exit: Option<Box<ExitStamp>>,
}

/// When an enrollment's exit was recorded and by whom.
#[derive(Clone, Default, Serialize, Deserialize)]
pub(crate) struct ExitStamp {
    /// When the exit was recorded and last changed (what changes after the exit is taken as
    /// the exit's): `Exit.csv`'s `DateCreated` and `DateUpdated`.
    pub times: Option<(Timestamp, Timestamp)>,
    /// Who recorded the exit (`Exit.csv`'s `UserID`).
    pub by: Option<UserId>,
}

impl TransactionRecord {
    /// When the exit was recorded and last changed, where the log said.
    pub(crate) fn exit_times(&self) -> Option<(Timestamp, Timestamp)> {
        self.exit.as_ref().and_then(|x| x.times)
    }

    /// Who recorded the exit.
    pub(crate) fn exited_by(&self) -> Option<UserId> {
        self.exit.as_ref().and_then(|x| x.by)
    }

    fn exit_mut(&mut self) -> &mut ExitStamp {
        self.exit.get_or_insert_default()
    }
}

impl TransactionRecord {
    /// The record's events as it stands: creation first, then follow-ups, every correction
    /// applied ([`caseledger_core::corrections::corrected`]), identifying values opened with `keys`.
    pub(crate) fn current(&self, records: &Records, keys: &Keys) -> Vec<Event> {
        let events = self.recorded(records, keys);
        let fixed = |e: &Event| {
            matches!(
                e,
                Event::RecordCorrected(_) | Event::RecordVoided(_) | Event::RecordUnvoided(_)
            )
        };
        if events.iter().any(fixed) {
            caseledger_core::corrections::corrected(&events)
        } else {
            events
        }
    }
}

impl TransactionRecord {
    /// The record's events as they were recorded, no correction applied.
    pub(crate) fn recorded(&self, records: &Records, keys: &Keys) -> Vec<Event> {
        records.events(&self.events, keys)
    }
}

/// What an event records whose recording user HUD's CSV names (`UserID`) beyond a record's
/// owner.
#[derive(Clone, Copy)]
enum Recorded {
    /// A client's intake.
    Intake(ClientId),
    /// An enrollment's exit (by the enrollment's record id).
    Exit(u128),
}

impl Recorded {
    fn of(event: &Event) -> Option<Self> {
        match event {
            Event::ClientIntakeRecorded(i) => Some(Recorded::Intake(i.client_id)),
            Event::EnrollmentExited(x) => Some(Recorded::Exit(x.enrollment_id.as_u128())),
            _ => None,
        }
    }
}

/// Widens `times` to include `at`.
fn touch(times: &mut Option<(Timestamp, Timestamp)>, at: Option<Timestamp>) {
    if let Some(at) = at {
        *times = Some(match *times {
            Some((first, last)) => (first.min(at), last.max(at)),
            None => (at, at),
        });
    }
}

/// Whether folding an event of this type needs its identifying values in the clear: the intake
/// (views and the search index read it) and record requests (recipients; reasons and revision
/// descriptions, which the help desk queue shows). Every other event's
/// values stay sealed in the record's stored bytes until a view reads them, so replays and the
/// projector do not open them.
pub fn folds_identifiers(event_type: caseledger_core::EventType) -> bool {
    use caseledger_core::EventType as T;
    matches!(
        event_type,
        T::ClientIntakeRecorded
            | T::ClientIntakeEdited
            | T::ClientAddressUpdated
            | T::RecordRequestSubmitted
            | T::RecordRequestDelivered
            | T::RecordRequestDenied
            | T::RecordRevisionRequested
    )
}

/// An MOU as recorded: its creation and each change, in log order, each with the first date it
/// applies (`None`: every date).
#[derive(Clone, Default, Serialize, Deserialize)]
pub(crate) struct MouState {
    pub timeline: Vec<(Option<Date>, MouTerms)>,
}

/// An MOU's window and participants, as one event states them.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct MouTerms {
    pub window: DateWindow,
    pub participants: HashMap<OrganizationId, MouDirection>,
}

impl MouState {
    /// The terms on `date`: the last recorded that applies by then.
    pub fn on(&self, date: Date) -> Option<&MouTerms> {
        self.timeline
            .iter()
            .rev()
            .find(|(effective, _)| effective.is_none_or(|e| e <= date))
            .map(|(_, terms)| terms)
    }

    /// Every organization the MOU ever named, with each direction it had.
    pub fn ever(&self) -> impl Iterator<Item = (&OrganizationId, &MouDirection)> {
        self.timeline
            .iter()
            .flat_map(|(_, t)| t.participants.iter())
    }
}

/// Everything the views read (id-keyed maps use FxHash: the ids are generated by the service,
/// not chosen by callers, so a fast non-keyed hash is safe). Records are stored once; the audience maps hold ids only, so
/// memory grows with records, not with records × organizations.
#[derive(Clone, Default, Serialize, Deserialize)]
pub(crate) struct Store {
    /// Policies in log order: (effective date, policy).
    pub policies: Vec<(Date, SharingPolicy)>,
    /// The CoC's HUD code, once set.
    pub coc_code: Option<String>,
    pub clients: HashMap<ClientId, ClientState>,
    pub transactions: HashMap<u128, TransactionRecord>,
    pub mous: HashMap<MouId, MouState>,
    /// Audience: clients by creating organization.
    pub clients_by_creator: HashMap<OrganizationId, BTreeSet<ClientId>>,
    /// Audience: clients that were ever shared globally (a superset; access decides per date).
    pub global_clients: BTreeSet<ClientId>,
    /// Audience: clients ever assigned to an MOU.
    pub clients_by_mou: HashMap<MouId, BTreeSet<ClientId>>,
    /// Audience: clients with a release exception to an accessing organization.
    pub clients_by_release_to: HashMap<OrganizationId, BTreeSet<ClientId>>,
    /// Audience: clients with an enrollment owned by an organization (the caseload's
    /// candidates; whether it is open or recent is decided when asked).
    pub enrolled_by_org: HashMap<OrganizationId, BTreeSet<ClientId>>,
    /// Audience: clients with a restrict-to-user record, by the user who recorded it.
    pub restricted_to_user: HashMap<caseledger_core::UserId, BTreeSet<ClientId>>,
    /// Which client a record request is about.
    pub request_clients: HashMap<RecordRequestId, ClientId>,
    /// Client search by name parts, date of birth, SSN last four and HMIS id.
    pub search: SearchIndex,
    /// Facilities, rooms, beds and their occupants (write model).
    pub shelter: crate::shelter::Shelter,
    /// Organizations, users and API tokens (write model, authentication).
    pub accounts: crate::accounts::Accounts,
    /// Programs, MOUs, facilities.
    pub catalog: crate::catalog::Catalog,
    /// Households and their members.
    pub households: crate::catalog::Households,
    /// Log positions for audit queries.
    pub audit: crate::audit_index::AuditIndex,
    /// Client record requests.
    pub requests: crate::record_requests::RecordRequests,
    /// Imported records by the id they had in the exporting system.
    pub sources: crate::sources::Sources,
    /// HUD elements of records, by record.
    pub elements: crate::elements::Elements,
    /// Records voided ("entered in error") and not un-voided: in no view, and answered by the
    /// write model as if absent.
    pub voided: rustc_hash::FxHashSet<u128>,
    /// The duplicate queue.
    pub duplicates: crate::duplicates::Duplicates,
    /// Merges in force, by duplicate.
    pub merges: HashMap<ClientId, MergeState>,
    /// Duplicates merged into each survivor, in merge order.
    pub absorbed: HashMap<ClientId, Vec<ClientId>>,
    /// Every merge recorded: (survivor, duplicate).
    pub merge_ids: HashMap<caseledger_core::MergeId, (ClientId, ClientId)>,
    /// Records and record requests counted in log order (see [`TransactionRecord::seq`]).
    pub seq: u64,
    /// When each client record request was submitted, in the same count.
    pub request_seq: HashMap<RecordRequestId, u64>,
    /// Records' events by log position (kept in memory only where no history holds them).
    pub records: Records,
    /// Opens identifying values kept sealed (records' events); never in a snapshot.
    #[serde(skip)]
    pub keys: Keys,
}

/// The read models, folded from the log. Never reads the wall clock: the date views are
/// evaluated on is set by the caller ([`Projections::set_today`]). A clone is a scratch copy
/// a batch of commands (an HMIS CSV import) is decided against before anything is written.
#[derive(Clone)]
pub struct Projections {
    pub(crate) store: Store,
    pub(crate) position: u64,
    pub(crate) today: Date,
}

impl Projections {
    /// Empty read models, evaluated on `today`.
    pub fn new(today: Date) -> Self {
        Projections {
            store: Store::default(),
            position: 0,
            today,
        }
    }

    /// The log position of the last event applied.
    pub fn position(&self) -> u64 {
        self.position
    }

    /// The business date views are evaluated on.
    pub fn today(&self) -> Date {
        self.today
    }

    /// Moves the views to another date (the service's clock does this at midnight in the
    /// deployment's time zone). Windows are stored with their dates, so nothing is recomputed.
    pub fn set_today(&mut self, today: Date) {
        self.today = today;
    }

    /// Sets the key ring records' identifying values are opened with when read (the
    /// service's key store); without one they stay sealed.
    pub fn set_keys(&mut self, keys: std::sync::Arc<dyn caseledger_core::KeyRing>) {
        self.store.keys = Keys(Some(keys));
    }

    /// Sets where records' events are read back by position (the service's log): from now on
    /// the events folded are not kept in memory, only their positions.
    pub fn set_history(&mut self, history: std::sync::Arc<dyn crate::History>) {
        self.store.records.set_history(history);
    }

    /// Whether folding keeps events in memory, so that [`Projections::apply_owned`] wants
    /// their stored bytes (without a history, or in a scratch copy); otherwise only positions
    /// are kept and the bytes need not be cut.
    pub fn keeps_events(&self) -> bool {
        self.store.records.keeps()
    }

    /// A copy to decide a batch of commands against before anything is written: the events
    /// folded into it are kept in memory, since the log does not hold them.
    pub fn scratch_copy(&self) -> Projections {
        let mut copy = self.clone();
        copy.store.records.retain_from_now();
        copy
    }

    /// Makes room in the largest maps for what `decided` holds beyond this state: a batch was
    /// decided on a scratch copy of these projections and its events are about to be folded
    /// here, so the maps are grown once to their final size instead of doubling (and rehashing
    /// into fresh memory) many times during the fold. Changes nothing anyone can read.
    pub fn reserve_like(&mut self, decided: &Projections) {
        let more = |mine: usize, theirs: usize| theirs.saturating_sub(mine);
        let (mine, theirs) = (&mut self.store, &decided.store);
        mine.clients
            .reserve(more(mine.clients.len(), theirs.clients.len()));
        mine.transactions
            .reserve(more(mine.transactions.len(), theirs.transactions.len()));
        mine.elements.reserve_like(&theirs.elements);
    }

    /// Folds one event, which the log stored at `position`. Events must come in log order.
    pub fn apply(&mut self, position: u64, event: &Event) {
        self.store.audit.note(position, None, event);
        self.store.apply(position, event, None, None);
        self.position = position;
    }

    /// Like [`Projections::apply`], knowing the envelope's header: who recorded the event (so
    /// disclosure records are also found by user) and when (for retention).
    pub fn apply_by(&mut self, position: u64, header: &caseledger_core::Header, event: &Event) {
        self.store
            .audit
            .note(position, Some(header.actor.user), event);
        self.store
            .apply(position, event, None, Some(header.recorded_at));
        if let Some(recorded) = Recorded::of(event) {
            self.store.note_recorder(recorded, header.actor.user);
        }
        self.position = position;
    }

    /// Like [`Projections::apply`] for an event the caller gives up, with its compact encoding
    /// already at hand where [`Projections::keeps_events`] (cut from the stored bytes by
    /// `caseledger_core::decode_with_event_bytes`), so nothing is copied or encoded again (the
    /// replay path).
    pub fn apply_owned(
        &mut self,
        position: u64,
        header: &caseledger_core::Header,
        event: Event,
        compact: Option<Vec<u8>>,
    ) {
        self.store
            .audit
            .note(position, Some(header.actor.user), &event);
        let recorded = Recorded::of(&event);
        self.store
            .apply_owned(position, event, compact, Some(header.recorded_at));
        if let Some(recorded) = recorded {
            self.store.note_recorder(recorded, header.actor.user);
        }
        self.position = position;
    }
}

impl Store {
    fn client(&mut self, id: ClientId) -> &mut ClientState {
        self.clients.entry(id).or_default()
    }

    /// Folds an event; `compact` is its compact encoding when the caller already has it,
    /// `recorded_at` when it was recorded, when known.
    fn apply(
        &mut self,
        position: u64,
        event: &Event,
        compact: Option<Vec<u8>>,
        recorded_at: Option<Timestamp>,
    ) {
        let recorded_on = recorded_at.map(Timestamp::utc_date);
        let compact =
            move || compact.map_or_else(|| Compact::new(event), |b| Compact(b.into_boxed_slice()));
        self.shelter.apply(event);
        self.accounts.apply(event, recorded_at);
        self.catalog.apply(event);
        self.households.apply(event);
        self.requests.apply(event);
        self.sources.apply(event);
        if let Event::HudElementsRecorded(_) = event {
            self.records.keep(position, compact);
            for record in self.elements.apply(position, event) {
                if let Some(r) = self.transactions.get_mut(&record) {
                    touch(&mut r.times, recorded_at);
                    if r.exit_times().is_some() {
                        touch(&mut r.exit_mut().times, recorded_at);
                    }
                }
                if let Some(c) = self.clients.get_mut(&ClientId::new(record)) {
                    touch(&mut c.times, recorded_at);
                }
            }
            return;
        }
        if let Event::RecordCorrected(c) = event
            && let Some(window) = corrected_window(c)
        {
            self.correct_window(c.client_id, c.record_id, window);
        }
        if let Some(record) = follow_up_of(event) {
            if let Some(r) = self.transactions.get_mut(&record) {
                self.records.keep(position, compact);
                r.events = r.events.iter().copied().chain([position]).collect();
                touch(&mut r.times, recorded_at);
                if r.exit_times().is_some() || matches!(event, Event::EnrollmentExited(_)) {
                    touch(&mut r.exit_mut().times, recorded_at);
                }
                use caseledger_core::RecordKind;
                if matches!(event, Event::RecordCorrected(_))
                    && matches!(r.facts.kind, RecordKind::CheckIn | RecordKind::Reservation)
                    && !self.voided.contains(&record)
                {
                    // A corrected date moves the stay or reservation on the bed board.
                    let events = r.current(&self.records, &self.keys);
                    self.shelter.refresh(record, &events);
                }
            }
            return;
        }
        if let Some(facts) = transaction_facts(event) {
            // The first record with an id is the record (ids are unique; a retry is no-op).
            if !self.transactions.contains_key(&facts.id) {
                self.client(facts.client).transactions.push(facts.id);
                // The caseload lists a merged client once, under its survivor.
                let listed = self.resolved(facts.client);
                if facts.kind == caseledger_core::RecordKind::Enrollment {
                    self.enrolled_by_org
                        .entry(facts.owner.organization)
                        .or_default()
                        .insert(listed);
                }
                if facts.restriction == caseledger_core::TransactionRestriction::RestrictToUser {
                    self.restricted_to_user
                        .entry(facts.owner.user)
                        .or_default()
                        .insert(listed);
                }
                self.seq += 1;
                self.records.keep(position, compact);
                self.transactions.insert(
                    facts.id,
                    TransactionRecord {
                        facts,
                        seq: self.seq,
                        events: Box::new([position]),
                        times: recorded_at.map(|at| (at, at)),
                        exit: None,
                    },
                );
            }
            return;
        }
        match event {
            Event::RecordVoided(v) => self.void(v.record_id, v.kind),
            Event::RecordUnvoided(u) => self.unvoid(u.record_id),
            Event::ClientsMerged(m) => {
                self.merge(m);
                self.duplicates.merged(m.duplicate_id);
            }
            Event::ClientsUnmerged(u) => {
                self.unmerge(u);
                if !self.merges.contains_key(&u.duplicate_id) {
                    self.duplicates.unmerged(u.duplicate_id);
                }
            }
            Event::DuplicatePairDismissed(d) => self.duplicates.dismiss(d.first, d.second),
            Event::DuplicateFlagCleared(c) => {
                self.duplicates.flags.retain(|(id, _, _)| *id != c.flag_id);
            }
            Event::PossibleDuplicateFlagged(f) => {
                self.duplicates
                    .flags
                    .push((f.flag_id, f.client_id, compact()));
            }
            Event::SharingPolicySet(p) => self.policies.push((p.effective, p.policy.clone())),
            Event::CocCodeSet(c) => self.coc_code = Some(c.code.clone()),
            Event::MouCreated(m) => self.set_mou(m.mou_id, None, m.window, &m.participants),
            Event::MouChanged(m) => self.set_mou(m.mou_id, m.effective, m.window, &m.participants),
            Event::ClientIntakeRecorded(i) => self.record_intake(Cow::Borrowed(i), recorded_at),
            Event::ClientIntakeEdited(e) => {
                if let Some(c) = self.clients.get_mut(&e.client_id)
                    && let Some(intake) = c.intake.as_mut()
                {
                    self.search.remove(intake);
                    e.apply_to(intake);
                    self.search.index(intake);
                    self.duplicates
                        .set(e.client_id, caseledger_core::duplicates::identity(intake));
                    c.identifiers_changed = recorded_on.or(c.identifiers_changed);
                    touch(&mut c.times, recorded_at);
                }
            }
            Event::ClientAddressUpdated(a) => {
                if let Some(c) = self.clients.get_mut(&a.client_id)
                    && let Some(intake) = c.intake.as_mut()
                {
                    intake.address = a.address.clone();
                    c.identifiers_changed = recorded_on.or(c.identifiers_changed);
                    touch(&mut c.times, recorded_at);
                }
            }
            Event::ClientIdentifiersForgotten(f) => self.forget(f.client_id),
            Event::ClientRestrictionChanged(r) => {
                self.client(r.client_id)
                    .restrictions
                    .push((Some(r.effective), r.restriction));
                if r.restriction == ClientRestriction::ShareGlobally {
                    self.global_clients.insert(r.client_id);
                }
            }
            Event::MouAssigned(a) => {
                self.client(a.client_id).assignments.push((
                    a.assignment_id,
                    a.mou_id,
                    Windowed::new(a.window),
                ));
                self.clients_by_mou
                    .entry(a.mou_id)
                    .or_default()
                    .insert(a.client_id);
            }
            Event::MouAssignmentEnded(x) => {
                // Endings are matched by assignment id across clients, as in the reference.
                for c in self.clients.values_mut() {
                    if let Some(a) = c.assignments.iter_mut().find(|a| a.0 == x.assignment_id) {
                        a.2.end(x.end);
                    }
                }
            }
            Event::ReleaseExceptionGranted(g) => {
                self.client(g.client_id).releases.push(Release {
                    id: g.release_id,
                    granting: g.granting_organization,
                    accessing: g.accessing_organization,
                    when: Windowed::new(g.window),
                });
                self.clients_by_release_to
                    .entry(g.accessing_organization)
                    .or_default()
                    .insert(g.client_id);
            }
            Event::ReleaseExceptionRevoked(r) => {
                for c in self.clients.values_mut() {
                    if let Some(rel) = c.releases.iter_mut().find(|rel| rel.id == r.release_id) {
                        rel.when.end(r.end);
                    }
                }
            }
            Event::RecordRequestSubmitted(s) => {
                self.request_clients.insert(s.request_id, s.client_id);
                self.seq += 1;
                self.request_seq.insert(s.request_id, self.seq);
                self.client(s.client_id).open_requests.push(s.request_id);
            }
            Event::RecordRequestFulfilled(f) => self.close_request(f.request_id),
            Event::RecordRequestDenied(d) => self.close_request(d.request_id),
            _ => {}
        }
    }

    /// Folds an event the caller gives up, keeping an intake without copying it.
    fn apply_owned(
        &mut self,
        position: u64,
        event: Event,
        compact: Option<Vec<u8>>,
        recorded_at: Option<Timestamp>,
    ) {
        match event {
            Event::ClientIntakeRecorded(i) => {
                // `apply` is bypassed to keep the intake without a copy: note its source here.
                let source = i.source_id.as_deref();
                self.sources
                    .note(crate::SourceKind::Client, source, i.client_id.as_u128());
                self.record_intake(Cow::Owned(i), recorded_at)
            }
            other => self.apply(position, &other, compact, recorded_at),
        }
    }

    /// Erases every identifying value kept for `client`: the intake (and its search entries),
    /// the events of the client's records, record request recipients. What is not identifying
    /// stays, so reports still count the client's enrollments and services.
    fn forget(&mut self, client: ClientId) {
        let Some(state) = self.clients.get_mut(&client) else {
            return;
        };
        state.forgotten = true;
        self.duplicates.set(client, None);
        if let Some(intake) = state.intake.as_mut() {
            self.search.remove(intake);
            *intake = caseledger_core::pii::erased_copy(&*intake);
        }
        self.elements.erase(client.as_u128(), &mut self.records);
        for id in &state.transactions {
            if let Some(record) = self.transactions.get(id) {
                for position in &record.events {
                    self.records.erase(*position);
                }
            }
            self.elements.erase(*id, &mut self.records);
        }
        self.requests.forget(client);
    }

    /// Takes a record out of every view; a stay or reservation also leaves the bed board.
    fn void(&mut self, record: u128, kind: caseledger_core::RecordKind) {
        use caseledger_core::RecordKind;
        // Sharing facts are voided by id (ids are unique across kinds); a transaction only
        // once recorded.
        let sharing_fact = matches!(
            kind,
            RecordKind::MouAssignment | RecordKind::ReleaseException
        );
        if !(sharing_fact || self.transactions.contains_key(&record)) || !self.voided.insert(record)
        {
            return;
        }
        self.shelter.forget_record(record);
    }

    /// Brings a voided record back as it was: the bed board folds its stay or reservation
    /// (its follow-ups and corrections with it) again.
    fn unvoid(&mut self, record: u128) {
        if !self.voided.remove(&record) {
            return;
        }
        let Some(r) = self.transactions.get(&record) else {
            return;
        };
        use caseledger_core::RecordKind;
        if matches!(r.facts.kind, RecordKind::CheckIn | RecordKind::Reservation) {
            let events = r.current(&self.records, &self.keys);
            self.shelter.refresh(record, &events);
        }
    }

    /// Gives an MOU assignment or release exception of `client` its corrected window (an
    /// ending recorded for it still clips it, as in the reference).
    fn correct_window(&mut self, client: ClientId, fact: u128, window: DateWindow) {
        let Some(state) = self.clients.get_mut(&client) else {
            return;
        };
        for a in state
            .assignments
            .iter_mut()
            .filter(|a| a.0.as_u128() == fact)
        {
            a.2.window = window;
        }
        for r in state.releases.iter_mut().filter(|r| r.id.as_u128() == fact) {
            r.when.window = window;
        }
    }

    /// Notes who recorded what HUD's `UserID` names: the first recorder of each (a retry's
    /// is not).
    fn note_recorder(&mut self, recorded: Recorded, user: UserId) {
        match recorded {
            Recorded::Intake(client) => {
                if let Some(state) = self.clients.get_mut(&client) {
                    state.recorded_by.get_or_insert(user);
                }
            }
            Recorded::Exit(enrollment) => {
                if let Some(r) = self.transactions.get_mut(&enrollment) {
                    r.exit_mut().by.get_or_insert(user);
                }
            }
        }
    }

    fn record_intake(&mut self, i: Cow<'_, ClientIntakeRecorded>, recorded_at: Option<Timestamp>) {
        let recorded_on = recorded_at.map(Timestamp::utc_date);
        let state = self.clients.entry(i.client_id).or_default();
        if state.intake.is_some() {
            return; // the first intake of a client id is its intake
        }
        state.identifiers_changed = recorded_on;
        state.times = recorded_at.map(|at| (at, at));
        let (client, organization, restriction) = (i.client_id, i.organization_id, i.restriction);
        self.search.index(&i);
        self.duplicates
            .set(client, caseledger_core::duplicates::identity(&i));
        state.intake = Some(i.into_owned());
        state.restrictions.push((None, restriction));
        self.clients_by_creator
            .entry(organization)
            .or_default()
            .insert(client);
        if restriction == ClientRestriction::ShareGlobally {
            self.global_clients.insert(client);
        }
    }

    fn set_mou(
        &mut self,
        id: MouId,
        effective: Option<Date>,
        window: DateWindow,
        participants: &[caseledger_core::events::MouParticipant],
    ) {
        let participants = participants
            .iter()
            .map(|p| (p.organization, p.direction))
            .collect();
        self.mous.entry(id).or_default().timeline.push((
            effective,
            MouTerms {
                window,
                participants,
            },
        ));
    }

    fn close_request(&mut self, request: RecordRequestId) {
        if let Some(client) = self.request_clients.get(&request)
            && let Some(c) = self.clients.get_mut(client)
        {
            c.open_requests.retain(|r| *r != request);
        }
    }
}

/// The window a correction of a sharing fact (an MOU assignment or release exception) gives
/// it, the last one counting.
fn corrected_window(c: &caseledger_core::events::RecordCorrected) -> Option<DateWindow> {
    use caseledger_core::RecordKind;
    if !matches!(
        c.kind,
        RecordKind::MouAssignment | RecordKind::ReleaseException
    ) {
        return None;
    }
    c.corrections.iter().rev().find_map(|x| match x {
        caseledger_core::events::Correction::Window(w) => Some(*w),
        _ => None,
    })
}

/// The record an event completes (an exit, a move-in date, a check-out, a cancellation, a
/// lifted bar), if it is such a follow-up.
fn follow_up_of(event: &Event) -> Option<u128> {
    Some(match event {
        Event::EnrollmentExited(x) => x.enrollment_id.as_u128(),
        Event::EnrollmentMoveInSet(x) => x.enrollment_id.as_u128(),
        Event::ReservationCancelled(x) => x.reservation_id.as_u128(),
        Event::ClientCheckedOut(x) => x.check_in_id.as_u128(),
        Event::BarLifted(x) => x.bar_id.as_u128(),
        Event::RecordCorrected(x) => x.record_id,
        // An exit's void is its enrollment's follow-up: the enrollment is read without it.
        Event::RecordVoided(x) if x.kind == caseledger_core::RecordKind::Exit => x.record_id,
        Event::RecordUnvoided(x) if x.kind == caseledger_core::RecordKind::Exit => x.record_id,
        _ => return None,
    })
}

/// Where the events a client record dashboard is built from are in the log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestPositions {
    /// Every event about the client (and the clients merged into it).
    pub client_events: Vec<u64>,
    /// Policy and MOU events.
    pub sharing_events: Vec<u64>,
    /// Disclosure records naming the client.
    pub disclosures: Vec<u64>,
}

impl Projections {
    /// The log positions a client record request's dashboard is built from; `None` for an
    /// unknown request. The caller decides who may see the dashboard.
    pub fn request_positions(
        &self,
        request: caseledger_core::RecordRequestId,
    ) -> Option<RequestPositions> {
        let client = self.store.requests.by_id.get(&request)?.client;
        let audit = &self.store.audit;
        // A merged client's record is its members' (the dashboard reads who was a member at
        // its position from the merge events among them).
        let store = &self.store;
        Some(RequestPositions {
            client_events: store.merged_positions(client, |c| audit.client_events.get(&c)),
            sharing_events: audit.sharing_events.clone(),
            disclosures: store
                .merged_positions(client, |c| audit.disclosures_by_client.get(&c.as_u128())),
        })
    }

    /// Programs, MOUs and facilities (not client data: any authenticated user may read them).
    pub fn catalog(&self) -> &crate::catalog::Catalog {
        &self.store.catalog
    }

    /// The IANA time zone of the policy in force today (dates turn over at its midnight).
    pub fn policy_time_zone(&self) -> String {
        self.store.policy_on(self.today).time_zone.clone()
    }
}
