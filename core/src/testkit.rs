//! Builders for histories in tests and fixtures; no IO.
//!
//! [`HistoryBuilder`] writes realistic event histories with little code: each method records
//! the event(s) one user action produces, with plausible payloads, and returns the new
//! record's typed id. Ids come from a counter ([`IdGenerator`]), so the same calls always give
//! the same history, byte for byte.
//!
//! ```
//! use caseledger_core::testkit::{HistoryBuilder, date, window};
//! use caseledger_core::sharing::{RecordRef, visibility};
//! use caseledger_core::{AccessLevel, ClientRestriction, MouDirection, Role, SharingPolicy};
//! use caseledger_core::hud::ProjectType;
//!
//! let mut h = HistoryBuilder::new(
//!     SharingPolicy::clienttrack("America/Los_Angeles"),
//!     date("2011-01-01"),
//! );
//! let ccc = h.organization("Children's Crisis Center");
//! let city = h.organization("City of Modesto");
//! let cm = h.user(ccc, Role::CaseManager);
//! let analyst = h.user(city, Role::CaseManager);
//! let mou = h.mou(
//!     "0001",
//!     &[(ccc, MouDirection::Both), (city, MouDirection::Receives)],
//!     window("2011-06-15", None),
//! );
//! let client = h.intake(cm, ClientRestriction::ShareWithMou);
//! h.assign_mou(cm, client, mou, window("2011-06-15", None));
//!
//! let seen = visibility(
//!     h.events(),
//!     &h.viewer(analyst),
//!     &RecordRef::Intake(client),
//!     date("2011-06-15"),
//! );
//! assert_eq!(seen.level, AccessLevel::Read);
//! ```
//!
//! The builder does not check the command rules (who may assign an MOU, grant a release, ...):
//! it records what it is told, so tests can also build histories the command layer would
//! refuse and check that the reference evaluator copes with them. It panics only when a call
//! names something it never created (an unknown user, enrollment, ...), which is a bug in the
//! test.

use std::collections::BTreeMap;

use chrono::NaiveTime;
use ulid::Ulid;

use crate::envelope::{Actor, Envelope, Header};
use crate::events::*;
use crate::hud::{DataQuality, MissingReason, NoYesReasons, ProjectType, RelationshipToHoH};
use crate::ids::*;
use crate::pii::Pii;
use crate::sharing::SharingPolicy;
use crate::sharing::reference::{RecordRef, Viewer, policy_on};
use crate::sharing::{
    AssessmentKind, ClientRestriction, MouDirection, RecordKind, RecordOwner, Role,
    TransactionRestriction,
};
use crate::time::{Date, DateWindow, Timestamp};

/// Parses a `YYYY-MM-DD` date.
///
/// # Panics
/// If `s` is not a valid date in that exact form (a bug in the test).
pub fn date(s: &str) -> Date {
    s.parse()
        .unwrap_or_else(|_| panic!("testkit::date: {s:?} is not a YYYY-MM-DD date"))
}

/// A window from `start` through `end` (inclusive), or open-ended when `end` is `None`.
///
/// # Panics
/// If a date is not a valid `YYYY-MM-DD` date.
pub fn window(start: &str, end: Option<&str>) -> DateWindow {
    DateWindow {
        start: date(start),
        end: end.map(date),
    }
}

/// The header of a builder event: the next two ids, the actor, and noon UTC on `day` plus
/// `offset` microseconds.
fn header(ids: &mut IdGenerator, actor: Actor, day: Date, offset: i64) -> Header {
    let noon = day
        .to_naive()
        .and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or(NaiveTime::MIN))
        .and_utc();
    let micros = Timestamp::from_datetime(noon)
        .as_micros()
        .saturating_add(offset);
    Header {
        event_id: ids.next_id(),
        correlation_id: ids.next_id(),
        recorded_at: Timestamp::from_micros(micros).unwrap_or(Timestamp::UNIX_EPOCH),
        actor,
    }
}

/// Deterministic ULIDs: a fixed millisecond timestamp and a counter as the "random" part, so
/// that ids are unique, reproducible, and increase in the order they were made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdGenerator {
    timestamp_ms: u64,
    counter: u128,
}

impl IdGenerator {
    /// Ids whose timestamp part is `timestamp_ms` (milliseconds since the Unix epoch).
    pub const fn new(timestamp_ms: u64) -> Self {
        Self {
            timestamp_ms,
            counter: 0,
        }
    }

    /// Ids whose timestamp part is midnight UTC at the start of `day`.
    pub fn starting(day: Date) -> Self {
        let ms = day
            .to_naive()
            .and_time(NaiveTime::MIN)
            .and_utc()
            .timestamp_millis();
        Self::new(u64::try_from(ms).unwrap_or(0))
    }

    /// The next id.
    pub fn next_ulid(&mut self) -> Ulid {
        self.counter += 1;
        Ulid::from_parts(self.timestamp_ms, self.counter)
    }

    /// The next id as a typed id.
    pub fn next_id<T: From<Ulid>>(&mut self) -> T {
        T::from(self.next_ulid())
    }
}

/// The restriction a new transaction gets: the policy's default for its kind, or an explicit
/// choice. Every [`TransactionRestriction`] converts into it, so builder methods accept either
/// [`POLICY_DEFAULT`] or a restriction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RestrictionChoice {
    /// What the policy in force on the builder's current date assigns to the record's kind
    /// (for example `RestrictToOrganization` for case notes under both presets).
    PolicyDefault,
    /// This restriction.
    Explicit(TransactionRestriction),
}

/// Shorthand for [`RestrictionChoice::PolicyDefault`].
pub const POLICY_DEFAULT: RestrictionChoice = RestrictionChoice::PolicyDefault;

impl From<TransactionRestriction> for RestrictionChoice {
    fn from(restriction: TransactionRestriction) -> Self {
        RestrictionChoice::Explicit(restriction)
    }
}

/// Ids that name a record the sharing rules govern: a client (its intake) or a transaction.
pub trait AsRecordRef {
    /// The record this id names, for [`visibility`](crate::sharing::visibility).
    fn record_ref(self) -> RecordRef;
}

impl AsRecordRef for ClientId {
    fn record_ref(self) -> RecordRef {
        RecordRef::Intake(self)
    }
}

impl AsRecordRef for RecordRef {
    fn record_ref(self) -> RecordRef {
        self
    }
}

macro_rules! transaction_record_refs {
    ($($id:ty),+) => {
        $(
            impl AsRecordRef for $id {
                fn record_ref(self) -> RecordRef {
                    RecordRef::Transaction(self.as_u128())
                }
            }
        )+
    };
}

transaction_record_refs!(
    EnrollmentId,
    ServiceId,
    AssessmentId,
    CaseNoteId,
    DocumentId,
    ReservationId,
    CheckInId,
    BarId
);

/// Fictional client names handed out by [`HistoryBuilder::intake`], in turn.
const CLIENT_NAMES: &[(&str, &str)] = &[
    ("Maria", "Delgado"),
    ("James", "Whitfield"),
    ("Lupe", "Ramirez"),
    ("Darnell", "Hayes"),
    ("Teresa", "Nguyen"),
    ("Robert", "Castillo"),
    ("Angela", "Brooks"),
    ("Samuel", "Ortega"),
    ("Keisha", "Morgan"),
    ("Victor", "Soto"),
];

/// A user as the builder knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct UserInfo {
    organization: OrganizationId,
    role: Role,
}

/// Builds an event history in log order, one user action at a time.
///
/// Dates: facts that carry a business date (services, assessments, notes, documents, check-ins,
/// record requests) take the builder's current date, which starts at the date given to
/// [`new`](Self::new) and moves with [`on`](Self::on). Facts with windows or effective dates
/// take them as arguments.
#[derive(Debug, Clone)]
pub struct HistoryBuilder {
    ids: IdGenerator,
    today: Date,
    events: Vec<Event>,
    /// Who recorded each event, and the builder's date then.
    recorded: Vec<(Actor, Date)>,
    system: Actor,
    organizations: BTreeMap<OrganizationId, String>,
    users: BTreeMap<UserId, UserInfo>,
    programs: BTreeMap<ProgramId, OrganizationId>,
    facilities: BTreeMap<FacilityId, OrganizationId>,
    beds: BTreeMap<BedId, FacilityId>,
    enrollments: BTreeMap<EnrollmentId, ClientId>,
    assignments: BTreeMap<MouAssignmentId, ClientId>,
    releases: BTreeMap<ReleaseId, ClientId>,
    check_ins: BTreeMap<CheckInId, (ClientId, FacilityId)>,
    bars: BTreeMap<BarId, ClientId>,
    requests: BTreeMap<RecordRequestId, ClientId>,
    clients_made: usize,
    /// Envelope ids of [`drain_envelopes`](Self::drain_envelopes), distinct from entity ids.
    drained_ids: IdGenerator,
    /// Events already drained (their count offsets log positions and recorded-at times).
    drained: usize,
}

impl HistoryBuilder {
    /// A history that starts with `policy` in force from `start`, which is also the builder's
    /// current date.
    pub fn new(policy: SharingPolicy, start: Date) -> Self {
        let mut ids = IdGenerator::starting(start);
        let timestamp_ms = ids.timestamp_ms;
        let system = Actor {
            user: ids.next_id(),
            organization: ids.next_id(),
            role: Role::System,
        };
        let mut builder = Self {
            ids,
            today: start,
            events: Vec::new(),
            recorded: Vec::new(),
            system,
            organizations: BTreeMap::new(),
            users: BTreeMap::new(),
            programs: BTreeMap::new(),
            facilities: BTreeMap::new(),
            beds: BTreeMap::new(),
            enrollments: BTreeMap::new(),
            assignments: BTreeMap::new(),
            releases: BTreeMap::new(),
            check_ins: BTreeMap::new(),
            bars: BTreeMap::new(),
            requests: BTreeMap::new(),
            clients_made: 0,
            drained_ids: IdGenerator {
                timestamp_ms,
                counter: 1 << 64,
            },
            drained: 0,
        };
        builder.set_policy(policy, start);
        builder
    }

    // ----- plumbing -------------------------------------------------------------------

    /// The events so far, in log order.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The events, consuming the builder.
    pub fn into_events(self) -> Vec<Event> {
        self.events
    }

    /// The events wrapped in envelopes, meant for fixtures that append a history to a log:
    /// deterministic event and correlation ids (distinct from every entity id), the acting
    /// user (or the service's own system actor for setup and policy events), and a
    /// recorded-at time of noon UTC on the builder's date when the event was recorded, plus
    /// one microsecond per position (so it only goes back in time if [`on`](Self::on) did).
    pub fn envelopes(&self) -> Vec<Envelope> {
        let mut ids = self.ids.clone();
        ids.counter = 1 << 64;
        self.events
            .iter()
            .zip(&self.recorded)
            .enumerate()
            .map(|(i, (event, (actor, day)))| {
                Envelope::new(header(&mut ids, *actor, *day, i as i64), event.clone())
            })
            .collect()
    }

    /// The events recorded since the last drain, wrapped in envelopes like
    /// [`envelopes`](Self::envelopes), and forgotten by the builder: for histories too long to
    /// keep in memory (the scale generator appends each drained batch to a log). Do not mix
    /// with [`envelopes`](Self::envelopes), whose ids restart at the first event.
    pub fn drain_envelopes(&mut self) -> Vec<Envelope> {
        let events = std::mem::take(&mut self.events);
        let recorded = std::mem::take(&mut self.recorded);
        let first = self.drained;
        self.drained += events.len();
        let ids = &mut self.drained_ids;
        events
            .into_iter()
            .zip(recorded)
            .enumerate()
            .map(|(i, (event, (actor, day)))| {
                // Within a second of noon however long the history: times stay on their day.
                let offset = ((first + i) % 1_000_000) as i64;
                Envelope::new(header(ids, actor, day, offset), event)
            })
            .collect()
    }

    /// Appends any event, as the service's system actor (for facts no helper covers).
    pub fn push(&mut self, event: impl Into<Event>) {
        let actor = self.system;
        self.record(actor, event);
    }

    /// Appends any event as `user`.
    pub fn push_as(&mut self, user: UserId, event: impl Into<Event>) {
        let actor = self.actor(user);
        self.record(actor, event);
    }

    /// A fresh id that names nothing in the history (for "unknown id" tests).
    pub fn unused_id<T: From<Ulid>>(&mut self) -> T {
        self.ids.next_id()
    }

    /// The builder's current date.
    pub fn today(&self) -> Date {
        self.today
    }

    /// Moves the builder's current date (used by facts recorded from now on).
    pub fn on(&mut self, day: Date) -> &mut Self {
        self.today = day;
        self
    }

    /// The viewer for `user`: the user, their organization and their current role.
    ///
    /// # Panics
    /// If the builder did not create `user`.
    pub fn viewer(&self, user: UserId) -> Viewer {
        let info = self.user_info(user);
        Viewer {
            user,
            organization: info.organization,
            role: info.role,
        }
    }

    /// The organization `user` works for.
    ///
    /// # Panics
    /// If the builder did not create `user`.
    pub fn organization_of(&self, user: UserId) -> OrganizationId {
        self.user_info(user).organization
    }

    /// The name an organization was created with.
    pub fn organization_name(&self, organization: OrganizationId) -> Option<&str> {
        self.organizations.get(&organization).map(String::as_str)
    }

    fn user_info(&self, user: UserId) -> &UserInfo {
        self.users
            .get(&user)
            .unwrap_or_else(|| panic!("testkit: unknown user {user:?}"))
    }

    fn actor(&self, user: UserId) -> Actor {
        let info = self.user_info(user);
        Actor {
            user,
            organization: info.organization,
            role: info.role,
        }
    }

    fn owner(&self, user: UserId) -> RecordOwner {
        RecordOwner {
            organization: self.organization_of(user),
            user,
        }
    }

    fn record(&mut self, actor: Actor, event: impl Into<Event>) {
        self.events.push(event.into());
        self.recorded.push((actor, self.today));
    }

    fn restriction(
        &self,
        choice: impl Into<RestrictionChoice>,
        kind: RecordKind,
        assessment_kind: Option<AssessmentKind>,
    ) -> TransactionRestriction {
        match choice.into() {
            RestrictionChoice::Explicit(r) => r,
            RestrictionChoice::PolicyDefault => {
                policy_on(&self.events, self.today).default_restriction_for(kind, assessment_kind)
            }
        }
    }

    fn known<K: Ord + std::fmt::Debug + Copy, V: Copy>(map: &BTreeMap<K, V>, key: K) -> V {
        *map.get(&key)
            .unwrap_or_else(|| panic!("testkit: unknown {key:?}"))
    }

    // ----- setup ----------------------------------------------------------------------

    /// Records a sharing policy in force from `effective`.
    pub fn set_policy(&mut self, policy: SharingPolicy, effective: Date) {
        self.push(SharingPolicySet { policy, effective });
    }

    /// Creates a participating agency.
    pub fn organization(&mut self, name: &str) -> OrganizationId {
        self.create_organization(name, false)
    }

    /// Creates the CoC lead agency (home of system administrators, help desk and auditors).
    pub fn coc_lead(&mut self, name: &str) -> OrganizationId {
        self.create_organization(name, true)
    }

    fn create_organization(&mut self, name: &str, is_coc_lead: bool) -> OrganizationId {
        let organization_id = self.ids.next_id();
        self.organizations.insert(organization_id, name.to_owned());
        self.push(OrganizationCreated {
            organization_id,
            name: name.to_owned(),
            is_coc_lead,
            victim_service_provider: false,
            source_id: None,
        });
        organization_id
    }

    /// Creates a user of `organization` with `role`.
    pub fn user(&mut self, organization: OrganizationId, role: Role) -> UserId {
        let user_id: UserId = self.ids.next_id();
        let n = self.users.len() + 1;
        let org_name = self
            .organizations
            .get(&organization)
            .cloned()
            .unwrap_or_default();
        self.users.insert(user_id, UserInfo { organization, role });
        self.push(UserCreated {
            user_id,
            organization_id: organization,
            username: format!("user{n}"),
            display_name: format!("{role:?} {n} ({org_name})"),
            role,
        });
        user_id
    }

    /// Changes a user's role.
    pub fn change_role(&mut self, user: UserId, role: Role) {
        let info = self
            .users
            .get_mut(&user)
            .unwrap_or_else(|| panic!("testkit: unknown user {user:?}"));
        info.role = role;
        self.push(UserRoleChanged {
            user_id: user,
            role,
        });
    }

    /// Creates a program of `organization`, operating from the builder's current date on.
    pub fn program(
        &mut self,
        organization: OrganizationId,
        name: &str,
        project_type: ProjectType,
    ) -> ProgramId {
        let program_id = self.ids.next_id();
        self.programs.insert(program_id, organization);
        self.push(ProgramCreated {
            program_id,
            organization_id: organization,
            name: name.to_owned(),
            project_type,
            operating: DateWindow::open(self.today),
            source_id: None,
        });
        program_id
    }

    /// Creates an MOU numbered `number` (e.g. `"0001"`) with these participants, active in
    /// `window`.
    pub fn mou(
        &mut self,
        number: &str,
        participants: &[(OrganizationId, MouDirection)],
        window: DateWindow,
    ) -> MouId {
        let mou_id = self.ids.next_id();
        self.push(MouCreated {
            mou_id,
            number: number.to_owned(),
            title: format!("Information Release Agreement {number}"),
            participants: Self::participants(participants),
            window,
        });
        mou_id
    }

    /// Replaces an MOU's participants and window.
    pub fn change_mou(
        &mut self,
        mou: MouId,
        participants: &[(OrganizationId, MouDirection)],
        window: DateWindow,
    ) {
        self.push(MouChanged {
            mou_id: mou,
            title: "Information Release Agreement (amended)".to_owned(),
            participants: Self::participants(participants),
            window,
            effective: None,
        });
    }

    fn participants(participants: &[(OrganizationId, MouDirection)]) -> Vec<MouParticipant> {
        participants
            .iter()
            .map(|&(organization, direction)| MouParticipant {
                organization,
                direction,
            })
            .collect()
    }

    // ----- clients and sharing facts ---------------------------------------------------

    /// `user` takes a new client's intake (a fictional name from a fixed list); the user's
    /// organization creates and owns it.
    pub fn intake(&mut self, user: UserId, restriction: ClientRestriction) -> ClientId {
        let (first, last) = CLIENT_NAMES[self.clients_made % CLIENT_NAMES.len()];
        self.intake_named(user, first, last, restriction)
    }

    /// `user` takes a new client's intake with this name.
    pub fn intake_named(
        &mut self,
        user: UserId,
        first: &str,
        last: &str,
        restriction: ClientRestriction,
    ) -> ClientId {
        let client_id = self.ids.next_id();
        self.clients_made += 1;
        let organization_id = self.organization_of(user);
        self.push_as(
            user,
            ClientIntakeRecorded {
                client_id,
                organization_id,
                name: Pii::new(PersonName {
                    first: first.to_owned(),
                    middle: String::new(),
                    last: last.to_owned(),
                    suffix: String::new(),
                }),
                name_data_quality: DataQuality::Full,
                ssn: Pii::new(String::new()),
                ssn_data_quality: DataQuality::DataNotCollected,
                dob: Pii::new(None),
                dob_data_quality: DataQuality::DataNotCollected,
                race_ethnicity: Vec::new(),
                race_none: Some(MissingReason::DataNotCollected),
                additional_race_ethnicity: Pii::new(String::new()),
                sex: None,
                genders: Vec::new(),
                gender_none: Some(MissingReason::DataNotCollected),
                different_identity_text: Pii::new(String::new()),
                veteran_status: NoYesReasons::DataNotCollected,
                address: Pii::new(None),
                restriction,
                source_id: None,
                hash_status: crate::hud::HashStatus::Unhashed,
            },
        );
        client_id
    }

    /// `user` changes the client restriction from `effective` on.
    pub fn restrict(
        &mut self,
        user: UserId,
        client: ClientId,
        restriction: ClientRestriction,
        effective: Date,
    ) {
        self.push_as(
            user,
            ClientRestrictionChanged {
                client_id: client,
                restriction,
                effective,
            },
        );
    }

    /// `user` assigns the client to an MOU for `window`. Records only the assignment: a
    /// previous assignment is not ended (the evaluator lets the later one supersede it on the
    /// dates both cover); call [`end_mou_assignment`](Self::end_mou_assignment) as the command
    /// layer would.
    pub fn assign_mou(
        &mut self,
        user: UserId,
        client: ClientId,
        mou: MouId,
        window: DateWindow,
    ) -> MouAssignmentId {
        let assignment_id = self.ids.next_id();
        self.assignments.insert(assignment_id, client);
        self.push_as(
            user,
            MouAssigned {
                client_id: client,
                assignment_id,
                mou_id: mou,
                window,
            },
        );
        assignment_id
    }

    /// `user` ends an MOU assignment; `end` is the last date it is active.
    pub fn end_mou_assignment(&mut self, user: UserId, assignment: MouAssignmentId, end: Date) {
        let client_id = Self::known(&self.assignments, assignment);
        self.push_as(
            user,
            MouAssignmentEnded {
                client_id,
                assignment_id: assignment,
                end,
            },
        );
    }

    /// `user` records a release exception for the client from the user's organization to
    /// `to`, active in `window`.
    pub fn grant_release(
        &mut self,
        user: UserId,
        client: ClientId,
        to: OrganizationId,
        window: DateWindow,
    ) -> ReleaseId {
        let release_id = self.ids.next_id();
        self.releases.insert(release_id, client);
        let granting_organization = self.organization_of(user);
        self.push_as(
            user,
            ReleaseExceptionGranted {
                client_id: client,
                release_id,
                granting_organization,
                accessing_organization: to,
                window,
            },
        );
        release_id
    }

    /// `user` revokes a release exception; `end` is the last date it is active.
    pub fn revoke_release(&mut self, user: UserId, release: ReleaseId, end: Date) {
        let client_id = Self::known(&self.releases, release);
        self.push_as(
            user,
            ReleaseExceptionRevoked {
                client_id,
                release_id: release,
                end,
            },
        );
    }

    // ----- transactions -----------------------------------------------------------------

    /// `user` enrolls the client in `program` on `entry_date`, as head of household, with
    /// the user as case manager.
    pub fn enroll(
        &mut self,
        user: UserId,
        client: ClientId,
        program: ProgramId,
        entry_date: Date,
        restriction: impl Into<RestrictionChoice>,
    ) -> EnrollmentId {
        let enrollment_id = self.ids.next_id();
        self.enrollments.insert(enrollment_id, client);
        let restriction = self.restriction(restriction, RecordKind::Enrollment, None);
        let owner = self.owner(user);
        self.push_as(
            user,
            ClientEnrolled {
                enrollment_id,
                client_id: client,
                program_id: program,
                owner,
                entry_date,
                household_id: None,
                relationship_to_hoh: RelationshipToHoH::SelfHeadOfHousehold,
                living_situation: None,
                rental_subsidy_type: None,
                disabling_condition: NoYesReasons::DataNotCollected,
                enrollment_coc: None,
                move_in_date: None,
                case_manager: Some(user),
                restriction,
                source_id: None,
            },
        );
        enrollment_id
    }

    /// `user` exits an enrollment on `exit_date`.
    pub fn exit(&mut self, user: UserId, enrollment: EnrollmentId, exit_date: Date) {
        let client_id = Self::known(&self.enrollments, enrollment);
        self.push_as(
            user,
            EnrollmentExited {
                enrollment_id: enrollment,
                client_id,
                exit_date,
                destination: None,
                destination_subsidy_type: None,
                other_destination: Pii::new(String::new()),
                source_id: None,
            },
        );
    }

    /// `user` records a service (a bed night) for the client on the current date, under
    /// `enrollment` if given.
    pub fn service(
        &mut self,
        user: UserId,
        client: ClientId,
        enrollment: Option<EnrollmentId>,
        restriction: impl Into<RestrictionChoice>,
    ) -> ServiceId {
        let service_id = self.ids.next_id();
        let restriction = self.restriction(restriction, RecordKind::Service, None);
        let owner = self.owner(user);
        self.push_as(
            user,
            ServiceRecorded {
                service_id,
                client_id: client,
                enrollment_id: enrollment,
                owner,
                date: self.today,
                service_type: crate::hud::ServiceTypeCode::BED_NIGHT,
                description: Pii::new(String::new()),
                restriction,
                source_id: None,
            },
        );
        service_id
    }

    /// `user` records an assessment of `kind` for the client on the current date.
    pub fn assessment(
        &mut self,
        user: UserId,
        client: ClientId,
        kind: AssessmentKind,
        restriction: impl Into<RestrictionChoice>,
    ) -> AssessmentId {
        let assessment_id = self.ids.next_id();
        let restriction = self.restriction(restriction, RecordKind::Assessment, Some(kind));
        let owner = self.owner(user);
        self.push_as(
            user,
            AssessmentRecorded {
                assessment_id,
                client_id: client,
                enrollment_id: None,
                owner,
                date: self.today,
                kind,
                data_collection_stage: None,
                answers: Vec::new(),
                restriction,
                source_id: None,
            },
        );
        assessment_id
    }

    /// `user` writes a case note about the client on the current date.
    pub fn case_note(
        &mut self,
        user: UserId,
        client: ClientId,
        text: &str,
        restriction: impl Into<RestrictionChoice>,
    ) -> CaseNoteId {
        let note_id = self.ids.next_id();
        let restriction = self.restriction(restriction, RecordKind::CaseNote, None);
        let owner = self.owner(user);
        self.push_as(
            user,
            CaseNoteAdded {
                note_id,
                client_id: client,
                enrollment_id: None,
                owner,
                date: self.today,
                text: Pii::new(text.to_owned()),
                restriction,
            },
        );
        note_id
    }

    /// `user` uploads a document of `document_type` (e.g. `"Photo ID"`) for the client.
    pub fn document(
        &mut self,
        user: UserId,
        client: ClientId,
        document_type: &str,
        restriction: impl Into<RestrictionChoice>,
    ) -> DocumentId {
        let document_id = self.ids.next_id();
        let restriction = self.restriction(restriction, RecordKind::Document, None);
        let owner = self.owner(user);
        self.push_as(
            user,
            DocumentAdded {
                document_id,
                client_id: client,
                enrollment_id: None,
                owner,
                name: Pii::new(format!("{document_type}.pdf")),
                document_type: document_type.to_owned(),
                date: self.today,
                content_sha256: None,
                restriction,
            },
        );
        document_id
    }

    /// Creates a shelter facility of `organization`.
    pub fn facility(&mut self, organization: OrganizationId, name: &str) -> FacilityId {
        let facility_id = self.ids.next_id();
        self.facilities.insert(facility_id, organization);
        self.push(FacilityCreated {
            facility_id,
            organization_id: organization,
            program_id: None,
            name: name.to_owned(),
        });
        facility_id
    }

    /// Adds a room with one bed labelled `label` to a facility.
    pub fn bed(&mut self, facility: FacilityId, label: &str) -> BedId {
        Self::known(&self.facilities, facility);
        let room_id: RoomId = self.ids.next_id();
        let bed_id = self.ids.next_id();
        self.beds.insert(bed_id, facility);
        self.push(RoomAdded {
            room_id,
            facility_id: facility,
            name: format!("Room {label}"),
            designators: Vec::new(),
        });
        self.push(BedAdded {
            bed_id,
            room_id,
            facility_id: facility,
            label: label.to_owned(),
        });
        bed_id
    }

    /// `user` reserves `bed` for the client for the current night.
    pub fn reserve(
        &mut self,
        user: UserId,
        client: ClientId,
        bed: BedId,
        restriction: impl Into<RestrictionChoice>,
    ) -> ReservationId {
        let facility_id = Self::known(&self.beds, bed);
        let reservation_id = self.ids.next_id();
        let restriction = self.restriction(restriction, RecordKind::Reservation, None);
        let owner = self.owner(user);
        self.push_as(
            user,
            BedReserved {
                reservation_id,
                facility_id,
                bed_id: bed,
                client_id: client,
                owner,
                date: self.today,
                restriction,
            },
        );
        reservation_id
    }

    /// `user` checks the client into a facility (no bed assigned) for the current night.
    pub fn check_in(
        &mut self,
        user: UserId,
        client: ClientId,
        facility: FacilityId,
        restriction: impl Into<RestrictionChoice>,
    ) -> CheckInId {
        Self::known(&self.facilities, facility);
        let check_in_id = self.ids.next_id();
        self.check_ins.insert(check_in_id, (client, facility));
        let restriction = self.restriction(restriction, RecordKind::CheckIn, None);
        let owner = self.owner(user);
        let at = self.evening();
        self.push_as(
            user,
            ClientCheckedIn {
                check_in_id,
                facility_id: facility,
                bed_id: None,
                client_id: client,
                owner,
                enrollment_id: None,
                reservation_id: None,
                at,
                date: self.today,
                restriction,
            },
        );
        check_in_id
    }

    /// `user` checks a client out on the current date.
    pub fn check_out(&mut self, user: UserId, check_in: CheckInId) {
        let (client_id, facility_id) = Self::known(&self.check_ins, check_in);
        let at = self.evening();
        self.push_as(
            user,
            ClientCheckedOut {
                check_in_id: check_in,
                facility_id,
                client_id,
                at,
                date: self.today,
            },
        );
    }

    /// `user` bars the client from everything the user's organization runs during `window`.
    pub fn bar(
        &mut self,
        user: UserId,
        client: ClientId,
        window: DateWindow,
        restriction: impl Into<RestrictionChoice>,
    ) -> BarId {
        let bar_id = self.ids.next_id();
        self.bars.insert(bar_id, client);
        let restriction = self.restriction(restriction, RecordKind::BarListEntry, None);
        let owner = self.owner(user);
        self.push_as(
            user,
            ClientBarred {
                bar_id,
                client_id: client,
                owner,
                window,
                scope: BarScope::Organization,
                enforcing: vec![owner.organization],
                reason: Pii::new("Violation of shelter rules".to_owned()),
                restriction,
            },
        );
        bar_id
    }

    /// `user` lifts a bar; `end` is the last date it applies.
    pub fn lift_bar(&mut self, user: UserId, bar: BarId, end: Date) {
        let client_id = Self::known(&self.bars, bar);
        self.push_as(
            user,
            BarLifted {
                bar_id: bar,
                client_id,
                end,
            },
        );
    }

    // ----- client record requests --------------------------------------------------------

    /// `user` (an agency administrator) submits a client record request for in-person
    /// pickup, on the current date, due five business days later.
    pub fn submit_record_request(&mut self, user: UserId, client: ClientId) -> RecordRequestId {
        let request_id = self.ids.next_id();
        self.requests.insert(request_id, client);
        let organization_id = self.organization_of(user);
        let submitted = self.evening();
        let due = business_days_after(self.today, 5);
        self.push_as(
            user,
            RecordRequestSubmitted {
                request_id,
                client_id: client,
                organization_id,
                delivery: DeliveryMethod::InPersonPickup,
                recipient: Recipient::Client {
                    email: Pii::new(String::new()),
                },
                requester_relationship: None,
                submitted,
                due,
            },
        );
        request_id
    }

    /// `user` (help desk) starts producing the dashboard.
    pub fn start_record_request(&mut self, user: UserId, request: RecordRequestId) {
        Self::known(&self.requests, request);
        self.push_as(
            user,
            RecordRequestStarted {
                request_id: request,
            },
        );
    }

    /// `user` (help desk) produces the dashboard, frozen at the current end of the history.
    pub fn fulfill(&mut self, user: UserId, request: RecordRequestId) {
        Self::known(&self.requests, request);
        let frozen_position = u64::try_from(self.drained + self.events.len()).unwrap_or(u64::MAX);
        self.push_as(
            user,
            RecordRequestFulfilled {
                request_id: request,
                frozen_position,
            },
        );
    }

    /// `user` denies a request with `reason`.
    pub fn deny(&mut self, user: UserId, request: RecordRequestId, reason: &str) {
        let client_id = Self::known(&self.requests, request);
        self.push_as(
            user,
            RecordRequestDenied {
                request_id: request,
                client_id,
                reason: Pii::new(reason.to_owned()),
            },
        );
    }

    /// An instant on the current date (19:00 UTC, i.e. late morning on the US west coast).
    fn evening(&self) -> Timestamp {
        let at = self
            .today
            .to_naive()
            .and_time(NaiveTime::from_hms_opt(19, 0, 0).unwrap_or(NaiveTime::MIN))
            .and_utc();
        Timestamp::from_datetime(at)
    }
}

/// The date `n` business days (Monday to Friday, holidays ignored) after `day`.
fn business_days_after(day: Date, n: u32) -> Date {
    use chrono::{Datelike, Weekday};
    let mut current = day.to_naive();
    let mut left = n;
    while left > 0 {
        current = current.succ_opt().unwrap_or(current);
        if !matches!(current.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    Date::from_naive(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_deterministic_and_distinct() {
        let build = || {
            let mut h = HistoryBuilder::new(SharingPolicy::clienttrack("UTC"), date("2011-01-01"));
            let org = h.organization("We Care");
            let cm = h.user(org, Role::CaseManager);
            let c = h.intake(cm, ClientRestriction::ShareGlobally);
            (h.into_events(), org, cm, c)
        };
        let (a, org, cm, c) = build();
        let (b, ..) = build();
        assert_eq!(a, b);
        assert_ne!(org.as_u128(), cm.as_u128());
        assert_ne!(cm.as_u128(), c.as_u128());
    }

    #[test]
    fn policy_default_follows_the_policy() {
        let mut h = HistoryBuilder::new(SharingPolicy::clienttrack("UTC"), date("2011-01-01"));
        let org = h.organization("We Care");
        let cm = h.user(org, Role::CaseManager);
        let c = h.intake(cm, ClientRestriction::ShareGlobally);
        h.case_note(cm, c, "Called landlord.", POLICY_DEFAULT);
        h.assessment(cm, c, AssessmentKind::General, POLICY_DEFAULT);
        let restrictions: Vec<_> = h
            .events()
            .iter()
            .filter_map(crate::sharing::transaction_facts)
            .map(|t| t.restriction)
            .collect();
        assert_eq!(
            restrictions,
            [
                TransactionRestriction::RestrictToOrganization,
                TransactionRestriction::Unrestricted
            ]
        );
    }

    #[test]
    fn envelopes_name_the_actor() {
        let mut h = HistoryBuilder::new(SharingPolicy::clienttrack("UTC"), date("2011-01-01"));
        let org = h.organization("We Care");
        let cm = h.user(org, Role::CaseManager);
        h.on(date("2011-03-01"));
        let client = h.intake(cm, ClientRestriction::ShareGlobally);
        let envelopes = h.envelopes();
        assert_eq!(envelopes, h.envelopes());
        assert_eq!(envelopes[0].recorded_at.utc_date(), date("2011-01-01"));
        let last_at = envelopes.last().map(|e| e.recorded_at.utc_date());
        assert_eq!(last_at, Some(date("2011-03-01")));
        let mut ids: Vec<u128> = envelopes
            .iter()
            .flat_map(|e| [e.event_id.as_u128(), e.correlation_id.as_u128()])
            .chain([org.as_u128(), cm.as_u128(), client.as_u128()])
            .collect();
        let all = ids.len();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), all, "ids are distinct");
        assert_eq!(envelopes.len(), h.events().len());
        assert_eq!(envelopes[0].actor.role, Role::System);
        let last = envelopes.last().map(|e| e.actor);
        assert_eq!(last.map(|a| (a.user, a.organization)), Some((cm, org)));
        for e in &envelopes {
            let bytes = crate::encode(e).expect("encodes");
            assert_eq!(&crate::decode(&bytes).expect("decodes"), e);
        }
    }

    #[test]
    fn business_days_skip_weekends() {
        // 2011-06-15 was a Wednesday.
        assert_eq!(
            business_days_after(date("2011-06-15"), 5),
            date("2011-06-22")
        );
        assert_eq!(
            business_days_after(date("2011-06-17"), 1),
            date("2011-06-20")
        );
    }
}
