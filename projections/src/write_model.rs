//! The state commands are checked against, kept by the same fold as the views so a command's
//! check and what the views show can never disagree: [`WriteModel`] answers from the store,
//! whose shelter and account parts live in `shelter.rs` and `accounts.rs` (the store folds them,
//! and this module reads them, so they sit below both).
//!
//! These answers are not filtered by the sharing rules (a bed's occupant is a fact the command
//! processor needs whoever asks), so only the service's command processor uses them; interfaces
//! reach the service, never this type.

use caseledger_core::events::{ClientBarred, ClientEnrolled, Event, RoomDesignator};
use caseledger_core::{
    BedId, CheckInId, ClientId, ClientRestriction, Date, EnrollmentId, FacilityId, MouId,
    OrganizationId, ProgramId,
};

use crate::Projections;
use crate::accounts::{OrganizationFacts, TokenFacts, UserFacts};
use crate::shelter::BedUse;

/// An enrollment as commands see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollmentFacts {
    /// The enrollment.
    pub id: EnrollmentId,
    /// Its program.
    pub program: ProgramId,
    /// Its owning organization.
    pub organization: OrganizationId,
    /// Project start date.
    pub entry: Date,
    /// Exit date, once exited.
    pub exit: Option<Date>,
    /// Housing move-in date, as last set.
    pub move_in: Option<Date>,
    /// The household enrollment it belongs to, if any.
    pub household: Option<caseledger_core::HouseholdId>,
    /// Relationship to the head of household.
    pub relationship: caseledger_core::hud::RelationshipToHoH,
}

/// The write model: read-only answers for the command processor.
pub struct WriteModel<'a> {
    projections: &'a Projections,
}

impl Projections {
    /// The state commands are checked against.
    pub fn write_model(&self) -> WriteModel<'_> {
        WriteModel { projections: self }
    }
}

impl<'a> WriteModel<'a> {
    /// The organization that created the client (owns its intake), if the client exists.
    pub fn client_creator(&self, client: ClientId) -> Option<OrganizationId> {
        self.projections
            .store
            .clients
            .get(&client)?
            .intake
            .as_ref()
            .map(|i| i.organization_id)
    }

    /// The client's restriction on `date`.
    pub fn restriction(&self, client: ClientId, date: Date) -> Option<ClientRestriction> {
        let store = &self.projections.store;
        store.clients.get(&client)?.intake.as_ref()?;
        Some(store.facts(client)?.restriction_on(date))
    }

    /// The client's MOU assignment on `date` (assignment id and MOU).
    pub fn mou_assignment(
        &self,
        client: ClientId,
        date: Date,
    ) -> Option<(caseledger_core::MouAssignmentId, MouId)> {
        let store = &self.projections.store;
        store
            .facts(client)?
            .assignments()
            .rev()
            .filter(|a| !self.projections.store.voided.contains(&a.0.as_u128()))
            .find(|a| a.2.contains(date))
            .map(|a| (a.0, a.1))
    }

    /// The merge a client was merged away by, and its survivor, while it is in force.
    pub fn merged_into(&self, client: ClientId) -> Option<(caseledger_core::MergeId, ClientId)> {
        self.projections
            .store
            .merges
            .get(&client)
            .map(|m| (m.id, m.survivor))
    }

    /// The clients merged into `survivor` and not unmerged, in merge order.
    pub fn merged_from(&self, survivor: ClientId) -> &'a [ClientId] {
        self.projections
            .store
            .absorbed
            .get(&survivor)
            .map_or(&[], |v| v.as_slice())
    }

    /// A merge ever recorded: its survivor and duplicate, and whether it is still in force.
    pub fn merge(&self, id: caseledger_core::MergeId) -> Option<(ClientId, ClientId, bool)> {
        let store = &self.projections.store;
        let (survivor, duplicate) = *store.merge_ids.get(&id)?;
        let in_force = store.merges.get(&duplicate).is_some_and(|m| m.id == id);
        Some((survivor, duplicate, in_force))
    }

    /// Whether the pair was marked "not a duplicate".
    pub fn dismissed(&self, a: ClientId, b: ClientId) -> bool {
        self.projections.store.duplicates.is_dismissed(a, b)
    }

    /// The client of an open duplicate flag (raised, not cleared); `None` for any other id.
    pub fn open_duplicate_flag(&self, flag: caseledger_core::DuplicateFlagId) -> Option<ClientId> {
        let flags = &self.projections.store.duplicates.flags;
        flags.iter().find(|(id, _, _)| *id == flag).map(|f| f.1)
    }

    /// The id `client` answers as: its survivor while merged away, else itself.
    pub fn resolved(&self, client: ClientId) -> ClientId {
        self.projections.store.resolved(client)
    }

    /// Whether an MOU exists and lists `organization` as a participant (in its terms on any
    /// date: a change from a later date on keeps the earlier ones).
    pub fn mou_participant(&self, mou: MouId, organization: OrganizationId) -> bool {
        self.projections
            .store
            .mous
            .get(&mou)
            .is_some_and(|m| m.ever().any(|(o, _)| *o == organization))
    }

    /// The client's records in force (not voided), in log order: a merged client's are its
    /// members' (the person's records, whatever client they were recorded for).
    fn in_force(
        &self,
        client: ClientId,
    ) -> impl Iterator<Item = &'a crate::store::TransactionRecord> {
        let store = &self.projections.store;
        store
            .member_records(client)
            .filter(|t| !store.voided.contains(&t.facts.id))
    }

    /// The events of each of the client's records of `kind`, in log order (creation first).
    fn records(&self, client: ClientId, kind: caseledger_core::RecordKind) -> Vec<Vec<Event>> {
        let store = &self.projections.store;
        self.in_force(client)
            .filter(|t| t.facts.kind == kind)
            .map(|t| t.current(&store.records, &store.keys))
            .collect()
    }

    /// Every record of the client in force (not voided), in log order, with its sharing facts
    /// and events — whoever recorded it: for the rules commands check across records, which
    /// decide what a refusal may say.
    pub fn client_records(
        &self,
        client: ClientId,
    ) -> Vec<(caseledger_core::sharing::TransactionFacts, Vec<Event>)> {
        let store = &self.projections.store;
        self.in_force(client)
            .map(|t| (t.facts, t.current(&store.records, &store.keys)))
            .collect()
    }

    /// The id caseledger gave the record imported as `source` of `kind` (for exits, the
    /// enrollment's id), if it was imported.
    pub fn by_source(&self, kind: crate::SourceKind, source: &str) -> Option<u128> {
        self.projections.store.sources.get(kind, source)
    }

    /// Whether the client's identifiers were forgotten.
    pub fn forgotten(&self, client: ClientId) -> bool {
        self.projections
            .store
            .clients
            .get(&client)
            .is_some_and(|c| c.forgotten)
    }

    /// Log positions of the disclosure records naming the client (shown or denied), in log
    /// order: forgetting the client destroys the keys of the reasons they were stated with.
    pub fn disclosures_naming(&self, client: ClientId) -> &[u64] {
        self.projections
            .store
            .audit
            .disclosures_by_client
            .get(&client.as_u128())
            .map_or(&[], Vec::as_slice)
    }

    /// Every client whose identifiers were forgotten, by id.
    pub fn forgotten_clients(&self) -> Vec<ClientId> {
        let mut out: Vec<ClientId> = (self.projections.store.clients.iter())
            .filter(|(_, c)| c.forgotten)
            .map(|(id, _)| *id)
            .collect();
        out.sort();
        out
    }

    /// The retention rule: clients whose identifiers were last recorded or changed on or
    /// before `cutoff`, not yet forgotten, with no open enrollment — with that date, by id.
    pub fn retention_due(&self, cutoff: Date) -> Vec<(ClientId, Date)> {
        let mut out: Vec<(ClientId, Date)> = (self.projections.store.clients.iter())
            .filter(|(_, c)| !c.forgotten && c.intake.is_some())
            .filter_map(|(id, c)| Some((*id, c.identifiers_changed?)))
            .filter(|(_, changed)| *changed <= cutoff)
            .filter(|(id, _)| self.enrollments(*id).iter().all(|e| e.exit.is_some()))
            .collect();
        out.sort();
        out
    }

    /// The client's enrollments, in log order.
    pub fn enrollments(&self, client: ClientId) -> Vec<EnrollmentFacts> {
        self.records(client, caseledger_core::RecordKind::Enrollment)
            .iter()
            .filter_map(|events| enrollment_of(events))
            .collect()
    }

    /// Bar-list entries of the client active on `date`.
    pub fn active_bars(&self, client: ClientId, date: Date) -> Vec<ClientBarred> {
        self.records(client, caseledger_core::RecordKind::BarListEntry)
            .into_iter()
            .filter_map(|events| {
                let lifted = events
                    .iter()
                    .filter_map(|x| match x {
                        Event::BarLifted(l) => Some(l.end),
                        _ => None,
                    })
                    .min();
                let Some(Event::ClientBarred(b)) = events.into_iter().next() else {
                    return None;
                };
                let window = lifted.map_or(b.window, |end| b.window.closed_at(end));
                window.contains(date).then_some(b)
            })
            .collect()
    }

    /// Who occupies a bed now.
    pub fn bed_occupant(&self, bed: BedId) -> Option<(ClientId, CheckInId)> {
        self.projections.store.shelter.occupied.get(&bed).copied()
    }

    /// Every stay and live reservation of a bed, in log order.
    pub fn bed_uses(&self, bed: BedId) -> &'a [BedUse] {
        self.projections
            .store
            .shelter
            .uses
            .get(&bed)
            .map_or(&[], Vec::as_slice)
    }

    /// The client's current stay (check-in) and its bed, if checked in.
    pub fn current_stay(&self, client: ClientId) -> Option<(CheckInId, Option<BedId>)> {
        self.projections.store.shelter.staying.get(&client).copied()
    }

    /// An organization, if it exists.
    pub fn organization(&self, id: OrganizationId) -> Option<&'a OrganizationFacts> {
        self.projections.store.accounts.organizations.get(&id)
    }

    /// Every organization, in id order.
    pub fn organizations(&self) -> Vec<(OrganizationId, OrganizationFacts)> {
        let mut all: Vec<_> = self
            .projections
            .store
            .accounts
            .organizations
            .iter()
            .map(|(id, o)| (*id, o.clone()))
            .collect();
        all.sort_by_key(|(id, _)| *id);
        all
    }

    /// A user account, if it exists.
    pub fn user(&self, id: caseledger_core::UserId) -> Option<UserFacts> {
        self.projections.store.accounts.users.get(&id).copied()
    }

    /// Every record of `kind` imported from another system: caseledger's id → the source id
    /// (what an export writes back, so a round trip keeps the exporting system's ids).
    pub fn source_ids(&self, kind: crate::SourceKind) -> std::collections::HashMap<u128, String> {
        self.projections.store.sources.reverse(kind)
    }

    /// The active system administrators, oldest account first (ids are time-ordered): who an
    /// operator tool acts as when it runs on a stopped server.
    pub fn system_administrators(&self) -> Vec<caseledger_core::UserId> {
        let mut admins: Vec<_> = self
            .projections
            .store
            .accounts
            .users
            .iter()
            .filter(|(_, u)| u.active && u.role == caseledger_core::Role::SystemAdmin)
            .map(|(id, _)| *id)
            .collect();
        admins.sort();
        admins
    }

    /// The active users of an organization, oldest account first.
    pub fn users_of(
        &self,
        organization: OrganizationId,
    ) -> Vec<(caseledger_core::UserId, UserFacts)> {
        let mut users: Vec<_> = self
            .projections
            .store
            .accounts
            .users
            .iter()
            .filter(|(_, u)| u.active && u.organization == organization)
            .map(|(id, u)| (*id, *u))
            .collect();
        users.sort_by_key(|(id, _)| *id);
        users
    }

    /// Every user account, active or not, with its username (as stored: lower case) and display
    /// name, in id order: the users directory.
    pub fn user_accounts(&self) -> Vec<(caseledger_core::UserId, String, String, UserFacts)> {
        let accounts = &self.projections.store.accounts;
        let mut all: Vec<_> = accounts
            .usernames
            .iter()
            .filter_map(|(name, id)| {
                let facts = accounts.users.get(id)?;
                let display = accounts.display_names.get(id).cloned().unwrap_or_default();
                Some((*id, name.clone(), display, *facts))
            })
            .collect();
        all.sort_by_key(|(id, ..)| *id);
        all
    }

    /// The name a user is shown by.
    pub fn user_display_name(&self, id: caseledger_core::UserId) -> Option<String> {
        self.projections
            .store
            .accounts
            .display_names
            .get(&id)
            .cloned()
    }

    /// The user with this username (case-insensitive), if any.
    pub fn user_named(&self, username: &str) -> Option<caseledger_core::UserId> {
        self.projections
            .store
            .accounts
            .usernames
            .get(&username.to_lowercase())
            .copied()
    }

    /// An API token, if it was ever issued.
    pub fn token(&self, id: caseledger_core::TokenId) -> Option<TokenFacts> {
        self.projections.store.accounts.tokens.get(&id).cloned()
    }

    /// Every token ever issued, with its id, newest first (ties by id).
    pub fn tokens(&self) -> Vec<(caseledger_core::TokenId, TokenFacts)> {
        let mut all: Vec<_> = self
            .projections
            .store
            .accounts
            .tokens
            .iter()
            .map(|(id, t)| (*id, t.clone()))
            .collect();
        all.sort_by(|a, b| b.1.issued_at.cmp(&a.1.issued_at).then(b.0.cmp(&a.0)));
        all
    }

    /// The CoC's HUD code, once set.
    pub fn coc_code(&self) -> Option<&'a str> {
        self.projections.store.coc_code.as_deref()
    }

    /// The sharing policy in force on `date`.
    pub fn policy(&self, date: Date) -> caseledger_core::SharingPolicy {
        self.projections.store.policy_on(date).into_owned()
    }

    /// The client's current intake, if recorded.
    pub fn intake(
        &self,
        client: ClientId,
    ) -> Option<&'a caseledger_core::events::ClientIntakeRecorded> {
        self.projections.store.clients.get(&client)?.intake.as_ref()
    }

    /// A household.
    pub fn household(&self, id: caseledger_core::HouseholdId) -> Option<&'a crate::HouseholdFacts> {
        self.projections.store.households.by_id.get(&id)
    }

    /// The membership of `client` in the household voided last and not brought back, if any.
    pub fn voided_membership(
        &self,
        household: caseledger_core::HouseholdId,
        client: ClientId,
    ) -> Option<crate::HouseholdMember> {
        self.projections
            .store
            .households
            .voided_membership(household, client)
    }

    /// The HUD element row of `file` and `row_id` recorded for `subject`, if any (commands
    /// check against it; views read elements through [`crate::OrgView::elements`]).
    pub fn element_row(
        &self,
        subject: caseledger_core::events::ElementSubject,
        file: caseledger_core::hud::elements::HudFile,
        row_id: Option<&str>,
    ) -> Option<caseledger_core::events::ElementRow> {
        let store = &self.projections.store;
        store
            .elements
            .row(subject, file, row_id, &store.records, &store.keys)
    }

    /// A transaction's sharing facts and its events (creation first), by record id; `None`
    /// for a voided one, as for one never recorded (see [`WriteModel::voided_record`]).
    pub fn record(
        &self,
        id: u128,
    ) -> Option<(caseledger_core::sharing::TransactionFacts, Vec<Event>)> {
        if self.projections.store.voided.contains(&id) {
            return None;
        }
        self.any_record(id)
    }

    /// A voided record's sharing facts and events (what an un-void brings back); `None` for
    /// a record that is not voided or does not exist.
    pub fn voided_record(
        &self,
        id: u128,
    ) -> Option<(caseledger_core::sharing::TransactionFacts, Vec<Event>)> {
        if !self.projections.store.voided.contains(&id) {
            return None;
        }
        self.any_record(id)
    }

    /// A client's MOU assignment or release exception by id: its kind, the organization whose
    /// fact it is (the client's creator for an assignment, the granting organization for a
    /// release) and whether it is voided; `None` when the client has no such fact.
    pub fn sharing_fact(
        &self,
        client: ClientId,
        id: u128,
    ) -> Option<(caseledger_core::RecordKind, OrganizationId, bool)> {
        use caseledger_core::RecordKind;
        let store = &self.projections.store;
        let state = store.clients.get(&client)?;
        let voided = store.voided.contains(&id);
        if state.assignments.iter().any(|a| a.0.as_u128() == id) {
            let creator = state.intake.as_ref()?.organization_id;
            return Some((RecordKind::MouAssignment, creator, voided));
        }
        state
            .releases
            .iter()
            .find(|r| r.id.as_u128() == id)
            .map(|r| (RecordKind::ReleaseException, r.granting, voided))
    }

    /// The window of a client's MOU assignment or release exception as recorded or last
    /// corrected (an ending recorded for it not applied); `None` for an unknown one.
    pub fn sharing_fact_window(
        &self,
        client: ClientId,
        id: u128,
    ) -> Option<caseledger_core::DateWindow> {
        let state = self.projections.store.clients.get(&client)?;
        let assignment = state.assignments.iter().find(|a| a.0.as_u128() == id);
        assignment.map(|a| a.2.window).or_else(|| {
            state
                .releases
                .iter()
                .find(|r| r.id.as_u128() == id)
                .map(|r| r.when.window)
        })
    }

    /// A record's events as they were recorded, follow-ups included, no correction applied
    /// (a command that reasons about the corrections and voids themselves); `None` for a
    /// voided or unknown record.
    pub fn record_as_recorded(&self, id: u128) -> Option<Vec<Event>> {
        let store = &self.projections.store;
        if store.voided.contains(&id) {
            return None;
        }
        let r = store.transactions.get(&id)?;
        Some(r.recorded(&store.records, &store.keys))
    }

    fn any_record(
        &self,
        id: u128,
    ) -> Option<(caseledger_core::sharing::TransactionFacts, Vec<Event>)> {
        let store = &self.projections.store;
        let r = store.transactions.get(&id)?;
        Some((r.facts, r.current(&store.records, &store.keys)))
    }

    /// An enrollment by id, with its client.
    pub fn enrollment(&self, id: EnrollmentId) -> Option<(ClientId, EnrollmentFacts)> {
        let (facts, events) = self.record(id.as_u128())?;
        Some((facts.client, enrollment_of(&events)?))
    }

    /// A client record request.
    pub fn record_request(
        &self,
        id: caseledger_core::RecordRequestId,
    ) -> Option<&'a crate::RequestFacts> {
        self.projections.store.requests.by_id.get(&id)
    }

    /// Every client record request, in id (submission) order.
    pub fn record_requests(&self) -> impl Iterator<Item = &'a crate::RequestFacts> {
        self.projections.store.requests.by_id.values()
    }

    /// Whether `organization` served the client: created it or recorded anything for it.
    pub fn served_by(&self, client: ClientId, organization: OrganizationId) -> bool {
        let store = &self.projections.store;
        let Some(state) = store.clients.get(&client) else {
            return false;
        };
        state
            .intake
            .as_ref()
            .is_some_and(|i| i.organization_id == organization)
            || state.transactions.iter().any(|id| {
                !store.voided.contains(id)
                    && store
                        .transactions
                        .get(id)
                        .is_some_and(|t| t.facts.owner.organization == organization)
            })
    }

    /// Programs, MOUs and facilities.
    pub fn catalog(&self) -> &'a crate::Catalog {
        &self.projections.store.catalog
    }

    /// A bed's facility and its room's designators.
    pub fn bed(&self, bed: BedId) -> Option<(FacilityId, &'a [RoomDesignator])> {
        let shelter = &self.projections.store.shelter;
        let (facility, room) = shelter.beds.get(&bed)?;
        let designators = shelter.rooms.get(room).map_or(&[][..], |r| &r.1[..]);
        Some((*facility, designators))
    }
}

/// An enrollment as its events leave it: the enrollment, its exit, and its housing move-in
/// date as last set. The one reading of an enrollment's follow-ups (commands, views, exports).
#[derive(Debug, Clone, Copy)]
pub struct EnrollmentEvents<'a> {
    /// The enrollment as recorded.
    pub enrolled: &'a ClientEnrolled,
    /// Its exit, once exited.
    pub exit: Option<&'a caseledger_core::events::EnrollmentExited>,
    /// The move-in date: the last one set, else the one recorded at entry.
    pub move_in: Option<Date>,
}

impl<'a> EnrollmentEvents<'a> {
    /// Reads a record's events (the enrollment first, then its follow-ups); `None` when the
    /// record is not an enrollment.
    pub fn of(events: &'a [Event]) -> Option<Self> {
        let Some(Event::ClientEnrolled(enrolled)) = events.first() else {
            return None;
        };
        let exit = events.iter().rev().find_map(|x| match x {
            Event::EnrollmentExited(x) => Some(x),
            _ => None,
        });
        let move_in = events
            .iter()
            .rev()
            .find_map(|x| match x {
                Event::EnrollmentMoveInSet(m) => Some(m.move_in_date),
                _ => None,
            })
            .unwrap_or(enrolled.move_in_date);
        Some(EnrollmentEvents {
            enrolled,
            exit,
            move_in,
        })
    }
}

/// An enrollment's facts from its events (the enrollment, then its follow-ups).
fn enrollment_of(events: &[Event]) -> Option<EnrollmentFacts> {
    let e = EnrollmentEvents::of(events)?;
    Some(enrollment_facts(
        e.enrolled,
        e.exit.map(|x| x.exit_date),
        e.move_in,
    ))
}

fn enrollment_facts(
    e: &ClientEnrolled,
    exit: Option<Date>,
    move_in: Option<Date>,
) -> EnrollmentFacts {
    EnrollmentFacts {
        id: e.enrollment_id,
        program: e.program_id,
        organization: e.owner.organization,
        entry: e.entry_date,
        exit,
        move_in,
        household: e.household_id,
        relationship: e.relationship_to_hoh,
    }
}
