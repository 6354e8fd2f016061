//! Shelter: bed reservations, check-ins and check-outs, and the bar list.
//!
//! A bed holds one client at a time and a client occupies one bed at a time; a room admits
//! only clients who meet its designators, except that a family room admits children of any
//! gender; a client barred from the facility, its program or its organization is refused.

use caseledger_core::commands::shelter::{BarClient, CheckIn, CheckOut, ReserveBed};
use caseledger_core::events::{
    BarScope, BedReserved, ClientBarred, ClientCheckedIn, ClientCheckedOut, ClientIntakeRecorded,
    RoomDesignator,
};
use caseledger_core::hud::{Gender, Sex};
use caseledger_core::input::{self, DateKind};
use caseledger_core::sharing::RecordRef;
use caseledger_core::{
    AccessLevel, Actor, BedId, ClientId, Date, Event, FacilityId, Pii, ProgramId, RecordKind,
    ReservationId,
};
use caseledger_projections::{BedStatus, Projections};

use crate::commands::{
    check_date, check_window, client_access, conflict, forbidden, not_found, owner,
    require_agency_staff, require_text, viewer,
};
use crate::decisions::care::{check_enrollment_of, restriction_for};
use crate::{Command, CommandError, Decision, Session};

impl Command for ReserveBed {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        let actor = session.actor();
        require_agency_staff(&actor, "reserve beds")?;
        let facility = own_bed(p, &actor, self.bed)?;
        client_access(p, &actor, self.client, "clientId")?;
        let date = self.date;
        if date < p.today() {
            return Err(CommandError::validation(
                "date",
                "a reservation is for today or later",
            ));
        }
        check_date(p, "date", date, DateKind::Planned, Some(self.client))?;
        if p.org_view(viewer(&actor))
            .bed_availability(date)
            .iter()
            .any(|n| n.bed == self.bed && n.status != BedStatus::Free)
        {
            return Err(conflict("bedId", format!("the bed is taken on {date}")));
        }
        let program = own_facility(p, &actor, facility)?;
        refuse_if_barred(p, &actor, self.client, date, Some(facility), program)?;
        Ok(Decision::events(vec![
            BedReserved {
                reservation_id: self.id,
                facility_id: facility,
                bed_id: self.bed,
                client_id: self.client,
                owner: owner(&actor),
                date,
                restriction: restriction_for(p, self.restriction, RecordKind::Reservation, None),
            }
            .into(),
        ]))
    }
}

impl Command for CheckIn {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        let actor = session.actor();
        require_agency_staff(&actor, "check clients in")?;
        let w = p.write_model();
        let facility = match (self.bed, self.facility) {
            (Some(bed), given) => {
                let f = own_bed(p, &actor, bed)?;
                if given.is_some_and(|g| g != f) {
                    return Err(CommandError::validation(
                        "bedId",
                        "the bed is in another facility",
                    ));
                }
                f
            }
            (None, Some(f)) => f,
            (None, None) => {
                return Err(CommandError::validation(
                    "facilityId",
                    "give a facility or a bed",
                ));
            }
        };
        let program = own_facility(p, &actor, facility)?;
        client_access(p, &actor, self.client, "clientId")?;
        let today = p.today();
        check_enrollment_of(p, &actor, self.client, self.enrollment, today)?;
        refuse_if_barred(p, &actor, self.client, today, Some(facility), program)?;
        if w.current_stay(self.client).is_some() {
            return Err(conflict(
                "clientId",
                "the client is already checked in (one bed at a time)",
            ));
        }
        if let Some(bed) = self.bed {
            if w.bed_occupant(bed).is_some() {
                return Err(conflict("bedId", "the bed is occupied"));
            }
            if reserved_for_other(p, bed, self.client, self.reservation, today) {
                return Err(conflict(
                    "bedId",
                    "the bed is reserved for another client tonight",
                ));
            }
            let (_, designators) = w.bed(bed).ok_or_else(|| not_found("bedId", "bed"))?;
            let intake = w
                .intake(self.client)
                .ok_or_else(|| not_found("clientId", "client"))?;
            if let Err(designator) = admits(designators, intake, today) {
                return Err(CommandError::validation(
                    "bedId",
                    format!(
                        "the room is designated {designator} and the client's intake does not meet it"
                    ),
                ));
            }
        }
        if let Some(reservation) = self.reservation {
            let (facts, _) = w
                .record(reservation.as_u128())
                .filter(|(f, _)| f.kind == RecordKind::Reservation && f.client == self.client)
                .ok_or_else(|| not_found("reservationId", "reservation of this client"))?;
            if facts.owner.organization != actor.organization {
                return Err(not_found("reservationId", "reservation of this client"));
            }
        }
        Ok(Decision::events(vec![
            ClientCheckedIn {
                check_in_id: self.id,
                facility_id: facility,
                bed_id: self.bed,
                client_id: self.client,
                owner: owner(&actor),
                enrollment_id: self.enrollment,
                reservation_id: self.reservation,
                at: self.at,
                date: today,
                restriction: restriction_for(p, self.restriction, RecordKind::CheckIn, None),
            }
            .into(),
        ]))
    }
}

impl Command for CheckOut {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        let actor = session.actor();
        require_agency_staff(&actor, "check clients out")?;
        let w = p.write_model();
        let (facts, events) = w
            .record(self.stay.as_u128())
            .filter(|(f, _)| f.kind == RecordKind::CheckIn)
            .ok_or_else(|| not_found("checkInId", "stay"))?;
        // The owner's organization, and a stay the actor may see: a colleague's
        // restrict-to-user stay is answered as one never recorded.
        let visible = p
            .org_view(viewer(&actor))
            .visibility(&RecordRef::Transaction(self.stay.as_u128()))
            .level
            != AccessLevel::None;
        if facts.owner.organization != actor.organization || !visible {
            return Err(not_found("checkInId", "stay"));
        }
        let Some(Event::ClientCheckedIn(c)) = events.first() else {
            return Err(not_found("checkInId", "stay"));
        };
        if c.client_id != self.client {
            return Err(not_found("checkInId", "stay of this client"));
        }
        if events.len() > 1 {
            return Err(conflict("checkInId", "the client already checked out"));
        }
        Ok(Decision::events(vec![
            ClientCheckedOut {
                check_in_id: self.stay,
                facility_id: c.facility_id,
                client_id: c.client_id,
                at: self.at,
                date: p.today(),
            }
            .into(),
        ]))
    }
}

impl Command for BarClient {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        let actor = session.actor();
        require_agency_staff(&actor, "bar clients")?;
        require_text("reason", &self.reason, input::FREE_TEXT)?;
        client_access(p, &actor, self.client, "clientId")?;
        check_window(p, "window", &self.window, Some(self.client))?;
        match self.scope {
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
        for (i, org) in self.enforcing.iter().enumerate() {
            if p.write_model().organization(*org).is_none() {
                return Err(not_found(
                    &format!("enforcingOrganizationIds[{i}]"),
                    "organization",
                ));
            }
        }
        Ok(Decision::events(vec![
            ClientBarred {
                bar_id: self.id,
                client_id: self.client,
                owner: owner(&actor),
                window: self.window,
                scope: self.scope,
                enforcing: self.enforcing.clone(),
                reason: Pii::new(self.reason.clone()),
                restriction: restriction_for(p, self.restriction, RecordKind::BarListEntry, None),
            }
            .into(),
        ]))
    }
}

/// Refuses a client barred, on `date`, from what the actor's organization (and optionally a
/// facility or program of it) runs. Bars are enforced by their owner and the organizations
/// they list.
pub(crate) fn refuse_if_barred(
    p: &Projections,
    actor: &Actor,
    client: ClientId,
    date: Date,
    facility: Option<FacilityId>,
    program: Option<ProgramId>,
) -> Result<(), CommandError> {
    let organization = actor.organization;
    for bar in p.write_model().active_bars(client, date) {
        let enforced =
            bar.owner.organization == organization || bar.enforcing.contains(&organization);
        let in_scope = match bar.scope {
            BarScope::Facility(f) => facility == Some(f),
            BarScope::Program(pr) => program == Some(pr),
            BarScope::Organization => bar.owner.organization == organization,
            BarScope::AllEnforcingOrganizations => true,
        };
        if enforced && in_scope {
            // An enforcing organization may be refused by a bar it may not read (restricted
            // to its owner): then the refusal says only that there is one.
            let readable = p
                .org_view(viewer(actor))
                .visibility(&RecordRef::Transaction(bar.bar_id.as_u128()))
                .level
                != AccessLevel::None;
            let message = if readable {
                format!(
                    "the client is on the bar list ({} to {})",
                    bar.window.start,
                    bar.window.end.map_or("open".to_string(), |d| d.to_string())
                )
            } else {
                "the client is on the bar list".to_string()
            };
            return Err(conflict("clientId", message));
        }
    }
    Ok(())
}

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

/// The program of a facility the actor's organization runs.
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
