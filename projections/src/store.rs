//! The global store: every record once, with audience indexes. Private to this crate.

use std::collections::{BTreeSet, HashMap};

use caseledger_core::events::{ClientIntakeEdited, ClientIntakeRecorded, Event};
use caseledger_core::sharing::{TransactionFacts, transaction_facts};
use caseledger_core::{
    ClientId, ClientRestriction, Date, DateWindow, MouAssignmentId, MouDirection, MouId,
    OrganizationId, RecordRequestId, ReleaseId, SharingPolicy,
};

use serde::{Deserialize, Serialize};

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

    /// Whether the fact applies on `date`.
    pub fn contains(&self, date: Date) -> bool {
        self.ended
            .map_or(self.window, |end| self.window.closed_at(end))
            .contains(date)
    }
}

/// A client release exception.
#[derive(Serialize, Deserialize)]
pub(crate) struct Release {
    pub id: ReleaseId,
    pub granting: OrganizationId,
    pub accessing: OrganizationId,
    pub when: Windowed,
}

/// Everything known about one client: its intake (once recorded) and its sharing facts.
#[derive(Default, Serialize, Deserialize)]
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
}

/// A transaction: its sharing facts and the events that make it up (creation first, then
/// follow-ups such as an exit or a check-out).
#[derive(Serialize, Deserialize)]
pub(crate) struct TransactionRecord {
    pub facts: TransactionFacts,
    pub events: Vec<Compact>,
}

/// An event kept in its compact byte encoding (`caseledger_core::encode_event`): a record's
/// events are read rarely and one at a time, while an `Event` value is as large as the largest
/// variant, so bytes keep the store several times smaller.
#[derive(Serialize, Deserialize)]
pub(crate) struct Compact(Box<[u8]>);

impl Compact {
    pub fn new(event: &Event) -> Self {
        Compact(
            caseledger_core::encode_event(event)
                .expect("an event in memory always encodes")
                .into_boxed_slice(),
        )
    }

    /// The event. The bytes were encoded by this process from a valid event, so they decode.
    pub fn event(&self) -> Event {
        caseledger_core::decode_event(&self.0).expect("compact event bytes decode")
    }
}

/// An MOU as last recorded.
#[derive(Serialize, Deserialize)]
pub(crate) struct MouState {
    pub window: DateWindow,
    pub participants: HashMap<OrganizationId, MouDirection>,
}

/// Everything the views read. Records are stored once; the audience maps hold ids only, so
/// memory grows with records, not with records × organizations.
#[derive(Default, Serialize, Deserialize)]
pub(crate) struct Store {
    /// Policies in log order: (effective date, policy).
    pub policies: Vec<(Date, SharingPolicy)>,
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
    /// Which client a record request is about.
    pub request_clients: HashMap<RecordRequestId, ClientId>,
    /// Client search by name parts, date of birth, SSN last four and HMIS id.
    pub search: SearchIndex,
    /// Facilities, rooms, beds and their occupants (write model).
    pub shelter: crate::write_model::Shelter,
}

/// The read models, folded from the log. Never reads the wall clock: the date views are
/// evaluated on is set by the caller ([`Projections::set_today`]).
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

    /// Folds one event, which the log stored at `position`. Events must come in log order.
    pub fn apply(&mut self, position: u64, event: &Event) {
        self.store.apply(event);
        self.position = position;
    }
}

impl Store {
    fn client(&mut self, id: ClientId) -> &mut ClientState {
        self.clients.entry(id).or_default()
    }

    fn apply(&mut self, event: &Event) {
        self.shelter.apply(event);
        if let Some(record) = follow_up_of(event) {
            if let Some(r) = self.transactions.get_mut(&record) {
                r.events.push(Compact::new(event));
            }
            return;
        }
        if let Some(facts) = transaction_facts(event) {
            // The first record with an id is the record (ids are unique; a retry is no-op).
            if !self.transactions.contains_key(&facts.id) {
                self.client(facts.client).transactions.push(facts.id);
                self.transactions.insert(
                    facts.id,
                    TransactionRecord {
                        facts,
                        events: vec![Compact::new(event)],
                    },
                );
            }
            return;
        }
        match event {
            Event::SharingPolicySet(p) => self.policies.push((p.effective, p.policy.clone())),
            Event::MouCreated(m) => self.set_mou(m.mou_id, m.window, &m.participants),
            Event::MouChanged(m) => self.set_mou(m.mou_id, m.window, &m.participants),
            Event::ClientIntakeRecorded(i) => {
                let state = self.clients.entry(i.client_id).or_default();
                if state.intake.is_some() {
                    return; // the first intake of a client id is its intake
                }
                state.intake = Some(i.clone());
                state.restrictions.push((None, i.restriction));
                self.clients_by_creator
                    .entry(i.organization_id)
                    .or_default()
                    .insert(i.client_id);
                if i.restriction == ClientRestriction::ShareGlobally {
                    self.global_clients.insert(i.client_id);
                }
                self.search.index(i);
            }
            Event::ClientIntakeEdited(e) => {
                if let Some(intake) = self
                    .clients
                    .get_mut(&e.client_id)
                    .and_then(|c| c.intake.as_mut())
                {
                    self.search.remove(intake);
                    apply_edit(intake, e);
                    self.search.index(intake);
                }
            }
            Event::ClientAddressUpdated(a) => {
                if let Some(intake) = self
                    .clients
                    .get_mut(&a.client_id)
                    .and_then(|c| c.intake.as_mut())
                {
                    intake.address = a.address.clone();
                }
            }
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
                self.client(s.client_id).open_requests.push(s.request_id);
            }
            Event::RecordRequestFulfilled(f) => self.close_request(f.request_id),
            Event::RecordRequestDenied(d) => self.close_request(d.request_id),
            _ => {}
        }
    }

    fn set_mou(
        &mut self,
        id: MouId,
        window: DateWindow,
        participants: &[caseledger_core::events::MouParticipant],
    ) {
        let participants = participants
            .iter()
            .map(|p| (p.organization, p.direction))
            .collect();
        self.mous.insert(
            id,
            MouState {
                window,
                participants,
            },
        );
    }

    fn close_request(&mut self, request: RecordRequestId) {
        if let Some(client) = self.request_clients.get(&request)
            && let Some(c) = self.clients.get_mut(client)
        {
            c.open_requests.retain(|r| *r != request);
        }
    }
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
        _ => return None,
    })
}

/// Applies the fields an edit carries to the current intake.
fn apply_edit(intake: &mut ClientIntakeRecorded, e: &ClientIntakeEdited) {
    macro_rules! take {
        ($($field:ident),*) => {
            $(if let Some(v) = &e.$field { intake.$field = v.clone(); })*
        };
    }
    take!(
        name,
        name_data_quality,
        ssn,
        ssn_data_quality,
        dob,
        dob_data_quality,
        race_ethnicity,
        race_none,
        additional_race_ethnicity,
        sex,
        genders,
        gender_none,
        different_identity_text,
        veteran_status
    );
}

impl Projections {
    /// The IANA time zone of the policy in force today (dates turn over at its midnight).
    pub fn policy_time_zone(&self) -> String {
        self.store.policy_on(self.today).time_zone.clone()
    }
}
