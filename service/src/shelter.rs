//! Shelter commands: bed reservations, check-ins and check-outs, and the bar list.
//!
//! A bed holds one client at a time and a client occupies one bed at a time; a room admits
//! only clients who meet its designators, except that a family room admits children of any
//! gender; a client barred from the facility, its program or its organization is refused.

use caseledger_core::events::{
    BarScope, BedReserved, ClientBarred, ClientCheckedIn, ClientCheckedOut, ClientIntakeRecorded,
    RoomDesignator,
};
use caseledger_core::hud::{Gender, Sex};
use caseledger_core::{
    Actor, BarId, BedId, CheckInId, ClientId, Date, DateWindow, EnrollmentId, FacilityId,
    OrganizationId, Pii, ProgramId, RecordKind, ReservationId, TransactionRestriction,
};
use caseledger_projections::Projections;

use crate::Service;
use crate::Session;
use crate::bars::refuse_if_barred;
use crate::care::{check_enrollment_of, restriction_for};
use crate::commands::{
    CommandError, Written, check_date, check_window, client_access, conflict, forbidden, new_id,
    not_found, owner, require_agency_staff, require_text,
};
use caseledger_core::input::{self, DateKind};

/// Whole years from `dob` to `date`.
fn age_on(dob: Date, date: Date) -> i32 {
    let mut years = date.year() - dob.year();
    if (date.month(), date.day()) < (dob.month(), dob.day()) {
        years -= 1;
    }
    years
}

/// Whether the client meets the room's designators on `date`; the designator refused if not.
fn admits(
    designators: &[RoomDesignator],
    intake: &ClientIntakeRecorded,
    date: Date,
) -> Result<(), String> {
    let age = intake
        .dob
        .as_clear()
        .copied()
        .flatten()
        .map(|dob| age_on(dob, date));
    let male = intake.sex == Some(Sex::Male) || intake.genders.contains(&Gender::Man);
    let female = intake.sex == Some(Sex::Female) || intake.genders.contains(&Gender::Woman);
    let family = designators.contains(&RoomDesignator::Family);
    let child = age.is_some_and(|a| a < 18);
    for d in designators {
        let ok = match d {
            // A family room admits children of any gender.
            RoomDesignator::Male => male || (family && child),
            RoomDesignator::Female => female || (family && child),
            RoomDesignator::Adult => age.is_some_and(|a| a >= 18),
            // HUD counts youth as under 25.
            RoomDesignator::Youth => age.is_some_and(|a| a < 25),
            RoomDesignator::Family => true,
        };
        if !ok {
            return Err(format!("{d:?}").to_uppercase());
        }
    }
    Ok(())
}

/// The facility of a bed, which the actor's organization must run.
fn own_bed(p: &Projections, actor: &Actor, bed: BedId) -> Result<FacilityId, CommandError> {
    let (facility, _) = p
        .write_model()
        .bed(bed)
        .ok_or_else(|| not_found("bedId", "bed"))?;
    own_facility(p, actor, facility)?;
    Ok(facility)
}

fn own_facility(
    p: &Projections,
    actor: &Actor,
    facility: FacilityId,
) -> Result<Option<ProgramId>, CommandError> {
    let f = p
        .catalog()
        .facility(facility)
        .ok_or_else(|| not_found("facilityId", "facility"))?;
    if f.organization != actor.organization {
        return Err(forbidden(
            "only staff of the organization that runs the facility may do this",
        ));
    }
    Ok(f.program)
}

/// A check-in, as the API receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckInInput {
    /// The client.
    pub client: ClientId,
    /// The facility (taken from the bed when a bed is given).
    pub facility: Option<FacilityId>,
    /// The bed, if assigned now.
    pub bed: Option<BedId>,
    /// The enrollment the stay belongs to.
    pub enrollment: Option<EnrollmentId>,
    /// The reservation fulfilled.
    pub reservation: Option<ReservationId>,
    /// Who may see it beyond the owner.
    pub restriction: Option<TransactionRestriction>,
}

/// A bar-list entry, as the API receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BarInput {
    /// The client.
    pub client: ClientId,
    /// When it applies.
    pub window: DateWindow,
    /// What it keeps the client out of.
    pub scope: BarScope,
    /// Other organizations that enforce it.
    pub enforcing: Vec<OrganizationId>,
    /// Why.
    pub reason: String,
    /// Who may see it beyond the owner.
    pub restriction: Option<TransactionRestriction>,
}

impl Service {
    /// Reserves a bed for a client for the night of `date` (today or later).
    pub async fn reserve_bed(
        &self,
        session: &Session,
        bed: BedId,
        client: ClientId,
        date: Date,
        restriction: Option<TransactionRestriction>,
    ) -> Result<(ReservationId, Written), CommandError> {
        let actor = session.actor();
        require_agency_staff(&actor, "reserve beds")?;
        let id: ReservationId = new_id();
        let written = self
            .execute(actor, |p| {
                let facility = own_bed(p, &actor, bed)?;
                client_access(p, &actor, client, "clientId")?;
                if date < p.today() {
                    return Err(CommandError::validation(
                        "date",
                        "a reservation is for today or later",
                    ));
                }
                check_date(p, "date", date, DateKind::Planned, Some(client))?;
                if p.org_view(crate::commands::viewer(&actor))
                    .bed_availability(date)
                    .iter()
                    .any(|n| n.bed == bed && n.status != caseledger_projections::BedStatus::Free)
                {
                    return Err(conflict("bedId", format!("the bed is taken on {date}")));
                }
                let program = own_facility(p, &actor, facility)?;
                refuse_if_barred(p, &actor, client, date, Some(facility), program)?;
                Ok(vec![
                    BedReserved {
                        reservation_id: id,
                        facility_id: facility,
                        bed_id: bed,
                        client_id: client,
                        owner: owner(&actor),
                        date,
                        restriction: restriction_for(p, restriction, RecordKind::Reservation, None),
                    }
                    .into(),
                ])
            })
            .await?;
        Ok((id, written))
    }

    /// Checks a client in for tonight.
    pub async fn check_in(
        &self,
        session: &Session,
        input: CheckInInput,
    ) -> Result<(CheckInId, Written), CommandError> {
        let actor = session.actor();
        require_agency_staff(&actor, "check clients in")?;
        let now = self.now();
        let id: CheckInId = new_id();
        let written = self
            .execute(actor, |p| {
                let w = p.write_model();
                let facility = match (input.bed, input.facility) {
                    (Some(bed), given) => {
                        let f = own_bed(p, &actor, bed)?;
                        if given.is_some_and(|g| g != f) {
                            return Err(CommandError::validation("bedId", "the bed is in another facility"));
                        }
                        f
                    }
                    (None, Some(f)) => f,
                    (None, None) => {
                        return Err(CommandError::validation("facilityId", "give a facility or a bed"));
                    }
                };
                let program = own_facility(p, &actor, facility)?;
                client_access(p, &actor, input.client, "clientId")?;
                let today = p.today();
                check_enrollment_of(p, &actor, input.client, input.enrollment, today)?;
                refuse_if_barred(p, &actor, input.client, today, Some(facility), program)?;
                if w.current_stay(input.client).is_some() {
                    return Err(conflict("clientId", "the client is already checked in (one bed at a time)"));
                }
                if let Some(bed) = input.bed {
                    if w.bed_occupant(bed).is_some() {
                        return Err(conflict("bedId", "the bed is occupied"));
                    }
                    if reserved_for_other(p, bed, input.client, input.reservation, today) {
                        return Err(conflict("bedId", "the bed is reserved for another client tonight"));
                    }
                    let (_, designators) = w.bed(bed).ok_or_else(|| not_found("bedId", "bed"))?;
                    let intake = w.intake(input.client).ok_or_else(|| not_found("clientId", "client"))?;
                    if let Err(designator) = admits(designators, intake, today) {
                        return Err(CommandError::validation(
                            "bedId",
                            format!("the room is designated {designator} and the client's intake does not meet it"),
                        ));
                    }
                }
                if let Some(reservation) = input.reservation {
                    let (facts, _) = w
                        .record(reservation.as_u128())
                        .filter(|(f, _)| f.kind == RecordKind::Reservation && f.client == input.client)
                        .ok_or_else(|| not_found("reservationId", "reservation of this client"))?;
                    if facts.owner.organization != actor.organization {
                        return Err(not_found("reservationId", "reservation of this client"));
                    }
                }
                Ok(vec![
                    ClientCheckedIn {
                        check_in_id: id,
                        facility_id: facility,
                        bed_id: input.bed,
                        client_id: input.client,
                        owner: owner(&actor),
                        enrollment_id: input.enrollment,
                        reservation_id: input.reservation,
                        at: now,
                        date: today,
                        restriction: restriction_for(p, input.restriction, RecordKind::CheckIn, None),
                    }
                    .into(),
                ])
            })
            .await?;
        Ok((id, written))
    }

    /// Checks a client out of a stay.
    pub async fn check_out(
        &self,
        session: &Session,
        client: ClientId,
        stay: CheckInId,
    ) -> Result<Written, CommandError> {
        let actor = session.actor();
        require_agency_staff(&actor, "check clients out")?;
        let now = self.now();
        self.execute(actor, |p| {
            let w = p.write_model();
            let (facts, events) = w
                .record(stay.as_u128())
                .filter(|(f, _)| f.kind == RecordKind::CheckIn)
                .ok_or_else(|| not_found("checkInId", "stay"))?;
            // The owner's organization, and a stay the actor may see: a colleague's
            // restrict-to-user stay is answered as one never recorded.
            let visible = p
                .org_view(crate::commands::viewer(&actor))
                .visibility(&caseledger_core::sharing::RecordRef::Transaction(
                    stay.as_u128(),
                ))
                .level
                != caseledger_core::AccessLevel::None;
            if facts.owner.organization != actor.organization || !visible {
                return Err(not_found("checkInId", "stay"));
            }
            let Some(caseledger_core::Event::ClientCheckedIn(c)) = events.first() else {
                return Err(not_found("checkInId", "stay"));
            };
            if c.client_id != client {
                return Err(not_found("checkInId", "stay of this client"));
            }
            if events.len() > 1 {
                return Err(conflict("checkInId", "the client already checked out"));
            }
            Ok(vec![
                ClientCheckedOut {
                    check_in_id: stay,
                    facility_id: c.facility_id,
                    client_id: c.client_id,
                    at: now,
                    date: p.today(),
                }
                .into(),
            ])
        })
        .await
    }

    /// Puts a client on the bar list.
    pub async fn bar_client(
        &self,
        session: &Session,
        input: BarInput,
    ) -> Result<(BarId, Written), CommandError> {
        let actor = session.actor();
        require_agency_staff(&actor, "bar clients")?;
        require_text("reason", &input.reason, input::FREE_TEXT)?;
        let id: BarId = new_id();
        let written = self
            .execute(actor, |p| {
                client_access(p, &actor, input.client, "clientId")?;
                check_window(p, "window", &input.window, Some(input.client))?;
                match input.scope {
                    BarScope::Facility(f) => {
                        own_facility(p, &actor, f)?;
                    }
                    BarScope::Program(pr) => {
                        let program = p
                            .catalog()
                            .program(pr)
                            .ok_or_else(|| not_found("scope.programId", "program"))?;
                        if program.organization != actor.organization {
                            return Err(forbidden("a bar covers your own organization's programs"));
                        }
                    }
                    BarScope::Organization | BarScope::AllEnforcingOrganizations => {}
                }
                for (i, org) in input.enforcing.iter().enumerate() {
                    if p.write_model().organization(*org).is_none() {
                        return Err(not_found(
                            &format!("enforcingOrganizationIds[{i}]"),
                            "organization",
                        ));
                    }
                }
                Ok(vec![
                    ClientBarred {
                        bar_id: id,
                        client_id: input.client,
                        owner: owner(&actor),
                        window: input.window,
                        scope: input.scope,
                        enforcing: input.enforcing.clone(),
                        reason: Pii::new(input.reason.clone()),
                        restriction: restriction_for(
                            p,
                            input.restriction,
                            RecordKind::BarListEntry,
                            None,
                        ),
                    }
                    .into(),
                ])
            })
            .await?;
        Ok((id, written))
    }
}

/// Whether the bed is reserved tonight for someone other than this client's own reservation.
fn reserved_for_other(
    p: &Projections,
    bed: BedId,
    client: ClientId,
    reservation: Option<ReservationId>,
    today: Date,
) -> bool {
    p.write_model().bed_uses(bed).iter().any(|u| {
        u.reservation
            && u.covers(today)
            && u.client != client
            && Some(u.record) != reservation.map(|r| r.as_u128())
    })
}
