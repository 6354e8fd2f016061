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

use crate::bars::refuse_if_barred;
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
        check_enrollment_of(p, &actor, self.client, self.enrollment, Some(today))?;
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

#[cfg(test)]
mod tests {
    use caseledger_core::commands::setup::{AddBed, AddRoom, CreateFacility};
    use caseledger_core::commands::voids::CorrectRecord;
    use caseledger_core::events::{Correction, RecordCorrected};
    use caseledger_core::hud::Sex;
    use caseledger_core::testkit::date;
    use caseledger_core::{
        BarId, CheckInId, ClientRestriction, DateWindow, OrganizationId, Role, Timestamp,
        TransactionRestriction,
    };

    use super::*;
    use crate::ErrorCode;
    use crate::decisions::care::tests::{Agency, agency, client};
    use crate::decisions::given::{Given, given};

    /// A shelter of `a`'s organization: a men's dorm (bed `men`) and a family room with a
    /// women's designation (bed `family`).
    struct Shelter {
        facility: FacilityId,
        men: BedId,
        family: BedId,
    }

    fn shelter(g: &mut Given, a: &Agency) -> Shelter {
        let admin = g.admin();
        let facility = g.id();
        g.run(
            &admin,
            &CreateFacility {
                id: facility,
                organization: a.org,
                program: Some(a.program),
                name: "Shelter".into(),
            },
        );
        let mut beds = Vec::new();
        for (name, designators) in [
            ("Men", vec![RoomDesignator::Male, RoomDesignator::Adult]),
            (
                "Family",
                vec![RoomDesignator::Family, RoomDesignator::Female],
            ),
        ] {
            let (room, bed) = (g.id(), g.id());
            g.run(
                &admin,
                &AddRoom {
                    id: room,
                    facility,
                    name: name.into(),
                    designators,
                },
            );
            g.run(
                &admin,
                &AddBed {
                    id: bed,
                    room,
                    label: format!("{name}-1"),
                },
            );
            beds.push(bed);
        }
        Shelter {
            facility,
            men: beds[0],
            family: beds[1],
        }
    }

    fn person(g: &mut Given, a: &Agency, dob: &str, sex: Sex) -> ClientId {
        client(
            g,
            &a.cm,
            Some(dob),
            Some(sex),
            ClientRestriction::ShareGlobally,
        )
    }

    fn noon() -> Timestamp {
        Timestamp::from_micros(1_796_126_400_000_000).expect("a time")
    }

    fn check_in(client: ClientId, bed: Option<BedId>) -> CheckIn {
        CheckIn {
            id: CheckInId::new(90),
            client,
            facility: None,
            bed,
            enrollment: None,
            reservation: None,
            restriction: Some(TransactionRestriction::Unrestricted),
            at: noon(),
        }
    }

    fn reserve(client: ClientId, bed: BedId, on: &str) -> ReserveBed {
        ReserveBed {
            id: ReservationId::new(91),
            bed,
            client,
            date: date(on),
            restriction: Some(TransactionRestriction::Unrestricted),
        }
    }

    fn bar(client: ClientId, scope: BarScope) -> BarClient {
        BarClient {
            id: BarId::new(92),
            client,
            window: DateWindow::open(date("2026-11-01")),
            scope,
            enforcing: Vec::new(),
            reason: "Fighting".into(),
            restriction: Some(TransactionRestriction::Unrestricted),
        }
    }

    #[test]
    fn a_bed_is_reserved_for_a_night_to_come() {
        let mut g = given();
        let a = agency(&mut g, "CHSS");
        let s = shelter(&mut g, &a);
        let james = person(&mut g, &a, "1975-11-20", Sex::Male);
        g.when(&a.cm, &reserve(james, s.men, "2026-12-03"))
            .then(vec![
                BedReserved {
                    reservation_id: ReservationId::new(91),
                    facility_id: s.facility,
                    bed_id: s.men,
                    client_id: james,
                    owner: a.cm.owner(),
                    date: date("2026-12-03"),
                    restriction: TransactionRestriction::Unrestricted,
                }
                .into(),
            ]);
    }

    #[test]
    fn a_reservation_is_refused_by_field() {
        let mut g = given();
        let a = agency(&mut g, "CHSS");
        let b = agency(&mut g, "Valley");
        let s = shelter(&mut g, &a);
        let james = person(&mut g, &a, "1975-11-20", Sex::Male);
        let tom = person(&mut g, &a, "1980-01-01", Sex::Male);
        g.when(&g.admin(), &reserve(james, s.men, "2026-12-03"))
            .then_refused(ErrorCode::Forbidden, None);
        g.when(&b.cm, &reserve(james, s.men, "2026-12-03"))
            .then_refused(ErrorCode::Forbidden, None);
        g.when(&a.cm, &reserve(james, BedId::new(98), "2026-12-03"))
            .then_refused(ErrorCode::NotFound, Some("bedId"));
        g.when(&a.cm, &reserve(james, s.men, "2026-11-30"))
            .then_refused(ErrorCode::Validation, Some("date"));
        g.when(&a.cm, &reserve(james, s.men, "2040-01-01"))
            .then_refused(ErrorCode::Validation, Some("date"));
        g.run(&a.cm, &reserve(james, s.men, "2026-12-03"));
        g.when(&a.cm, &reserve(tom, s.men, "2026-12-03"))
            .then_refused(ErrorCode::Conflict, Some("bedId"));
        g.run(&a.cm, &bar(tom, BarScope::Organization));
        g.when(&a.cm, &reserve(tom, s.men, "2026-12-04"))
            .then_refused(ErrorCode::Conflict, Some("clientId"));
    }

    #[test]
    fn a_client_checks_into_a_bed_for_tonight() {
        let mut g = given();
        let a = agency(&mut g, "CHSS");
        let s = shelter(&mut g, &a);
        let james = person(&mut g, &a, "1975-11-20", Sex::Male);
        g.when(&a.cm, &check_in(james, Some(s.men))).then(vec![
            ClientCheckedIn {
                check_in_id: CheckInId::new(90),
                facility_id: s.facility,
                bed_id: Some(s.men),
                client_id: james,
                owner: a.cm.owner(),
                enrollment_id: None,
                reservation_id: None,
                at: noon(),
                date: g.today(),
                restriction: TransactionRestriction::Unrestricted,
            }
            .into(),
        ]);
    }

    #[test]
    fn a_family_room_admits_a_boy_but_not_a_man() {
        let mut g = given();
        let a = agency(&mut g, "CHSS");
        let s = shelter(&mut g, &a);
        let leo = person(&mut g, &a, "2016-09-01", Sex::Male);
        let james = person(&mut g, &a, "1975-11-20", Sex::Male);
        g.when(&a.cm, &check_in(leo, Some(s.family))).decided();
        g.when(&a.cm, &check_in(james, Some(s.family)))
            .then_refused(ErrorCode::Validation, Some("bedId"));
        g.when(&a.cm, &check_in(leo, Some(s.men)))
            .then_refused(ErrorCode::Validation, Some("bedId"));
    }

    #[test]
    fn a_check_in_is_refused_by_field() {
        let mut g = given();
        let a = agency(&mut g, "CHSS");
        let s = shelter(&mut g, &a);
        let other = shelter(&mut g, &a);
        let james = person(&mut g, &a, "1975-11-20", Sex::Male);
        let tom = person(&mut g, &a, "1980-01-01", Sex::Male);
        let sam = person(&mut g, &a, "1981-01-01", Sex::Male);
        g.when(&g.admin(), &check_in(james, Some(s.men)))
            .then_refused(ErrorCode::Forbidden, None);
        g.when(&a.cm, &check_in(james, None))
            .then_refused(ErrorCode::Validation, Some("facilityId"));
        let elsewhere = CheckIn {
            facility: Some(other.facility),
            ..check_in(james, Some(s.men))
        };
        g.when(&a.cm, &elsewhere)
            .then_refused(ErrorCode::Validation, Some("bedId"));
        let unreserved = CheckIn {
            reservation: Some(ReservationId::new(97)),
            ..check_in(james, Some(s.men))
        };
        g.when(&a.cm, &unreserved)
            .then_refused(ErrorCode::NotFound, Some("reservationId"));
        let reservation = ReserveBed {
            id: g.id(),
            ..reserve(sam, other.men, "2026-12-01")
        };
        g.run(&a.cm, &reservation);
        g.when(&a.cm, &check_in(james, Some(other.men)))
            .then_refused(ErrorCode::Conflict, Some("bedId"));
        let fulfilled = CheckIn {
            reservation: Some(reservation.id),
            ..check_in(sam, Some(other.men))
        };
        g.when(&a.cm, &fulfilled).decided();
        g.run(&a.cm, &check_in(james, Some(s.men)));
        g.when(&a.cm, &check_in(tom, Some(s.men)))
            .then_refused(ErrorCode::Conflict, Some("bedId"));
        let again = CheckIn {
            facility: Some(s.facility),
            ..check_in(james, None)
        };
        g.when(&a.cm, &again)
            .then_refused(ErrorCode::Conflict, Some("clientId"));
        g.run(&a.cm, &bar(tom, BarScope::Facility(s.facility)));
        let barred = CheckIn {
            facility: Some(s.facility),
            ..check_in(tom, None)
        };
        g.when(&a.cm, &barred)
            .then_refused(ErrorCode::Conflict, Some("clientId"));
    }

    #[test]
    fn a_stay_is_checked_out_once_by_its_organization() {
        let mut g = given();
        let a = agency(&mut g, "CHSS");
        let b = agency(&mut g, "Valley");
        let s = shelter(&mut g, &a);
        let james = person(&mut g, &a, "1975-11-20", Sex::Male);
        let tom = person(&mut g, &a, "1980-01-01", Sex::Male);
        let stay = g.id();
        g.run(
            &a.cm,
            &CheckIn {
                id: stay,
                ..check_in(james, Some(s.men))
            },
        );
        let out = |client, stay| CheckOut {
            client,
            stay,
            at: noon(),
        };
        g.when(&a.cm, &out(james, stay)).then(vec![
            ClientCheckedOut {
                check_in_id: stay,
                facility_id: s.facility,
                client_id: james,
                at: noon(),
                date: g.today(),
            }
            .into(),
        ]);
        g.when(&a.cm, &out(tom, stay))
            .then_refused(ErrorCode::NotFound, Some("checkInId"));
        g.when(&a.cm, &out(james, CheckInId::new(98)))
            .then_refused(ErrorCode::NotFound, Some("checkInId"));
        g.when(&b.cm, &out(james, stay))
            .then_refused(ErrorCode::NotFound, Some("checkInId"));
        g.when(&g.admin(), &out(james, stay))
            .then_refused(ErrorCode::Forbidden, None);
        g.run(&a.cm, &out(james, stay));
        g.when(&a.cm, &out(james, stay))
            .then_refused(ErrorCode::Conflict, Some("checkInId"));
    }

    #[test]
    fn a_client_is_barred() {
        let mut g = given();
        let a = agency(&mut g, "CHSS");
        let b = agency(&mut g, "Valley");
        let tom = person(&mut g, &a, "1980-01-01", Sex::Male);
        let cmd = BarClient {
            enforcing: vec![b.org],
            ..bar(tom, BarScope::AllEnforcingOrganizations)
        };
        g.when(&a.cm, &cmd).then(vec![
            ClientBarred {
                bar_id: BarId::new(92),
                client_id: tom,
                owner: a.cm.owner(),
                window: DateWindow::open(date("2026-11-01")),
                scope: BarScope::AllEnforcingOrganizations,
                enforcing: vec![b.org],
                reason: Pii::new("Fighting".into()),
                restriction: TransactionRestriction::Unrestricted,
            }
            .into(),
        ]);
    }

    #[test]
    fn a_bar_is_refused_by_field() {
        let mut g = given();
        let a = agency(&mut g, "CHSS");
        let b = agency(&mut g, "Valley");
        let tom = person(&mut g, &a, "1980-01-01", Sex::Male);
        let refused = |cmd: BarClient, code, field| {
            g.when(&a.cm, &cmd).then_refused(code, field);
        };
        refused(
            BarClient {
                reason: " ".into(),
                ..bar(tom, BarScope::Organization)
            },
            ErrorCode::Validation,
            Some("reason"),
        );
        refused(
            BarClient {
                window: DateWindow::closed(date("2026-11-01"), date("2026-10-01")),
                ..bar(tom, BarScope::Organization)
            },
            ErrorCode::Validation,
            Some("window"),
        );
        refused(
            bar(tom, BarScope::Program(ProgramId::new(98))),
            ErrorCode::NotFound,
            Some("scope.programId"),
        );
        refused(
            bar(tom, BarScope::Program(b.program)),
            ErrorCode::Forbidden,
            None,
        );
        refused(
            bar(tom, BarScope::Facility(FacilityId::new(98))),
            ErrorCode::NotFound,
            Some("facilityId"),
        );
        refused(
            BarClient {
                enforcing: vec![b.org, OrganizationId::new(98)],
                ..bar(tom, BarScope::Organization)
            },
            ErrorCode::NotFound,
            Some("enforcingOrganizationIds[1]"),
        );
        let cm_b = g.user(b.org, Role::CaseManager);
        let private = client(
            &mut g,
            &cm_b,
            None,
            None,
            ClientRestriction::RestrictToOrganization,
        );
        g.when(&a.cm, &bar(private, BarScope::Organization))
            .then_refused(ErrorCode::NotFound, Some("clientId"));
    }

    fn fix(record: u128, corrections: Vec<Correction>) -> CorrectRecord {
        CorrectRecord {
            record,
            corrections,
            reason: "typed the wrong night".into(),
        }
    }

    #[test]
    fn a_stays_nights_are_corrected_and_the_bed_board_follows() {
        let mut g = given();
        let a = agency(&mut g, "CHSS");
        let b = agency(&mut g, "Valley");
        let s = shelter(&mut g, &a);
        let james = person(&mut g, &a, "1975-11-20", Sex::Male);
        let stay: CheckInId = g.id();
        g.run(
            &a.cm,
            &CheckIn {
                id: stay,
                ..check_in(james, Some(s.men))
            },
        );
        g.run(
            &a.cm,
            &CheckOut {
                client: james,
                stay,
                at: noon(),
            },
        );
        let nights = |g: &Given| {
            let uses = g.state.write_model().bed_uses(s.men);
            uses.iter().map(|u| (u.from, u.until)).collect::<Vec<_>>()
        };
        assert_eq!(nights(&g), vec![(g.today(), Some(g.today()))]);
        // The client came the night before last; the check-out was typed a day late.
        let id = stay.as_u128();
        let came = fix(id, vec![Correction::Date(date("2026-11-29"))]);
        g.when(&a.cm, &came).then(vec![
            RecordCorrected {
                record_id: id,
                client_id: james,
                kind: RecordKind::CheckIn,
                corrections: came.corrections.clone(),
                reason: Pii::new("typed the wrong night".into()),
            }
            .into(),
        ]);
        g.run(&a.cm, &came);
        g.run(
            &a.cm,
            &fix(id, vec![Correction::CheckOutDate(date("2026-11-30"))]),
        );
        assert_eq!(
            nights(&g),
            vec![(date("2026-11-29"), Some(date("2026-11-30")))]
        );
        // Never out before in; the same values change nothing; to another agency, which may not
        // see the stay, it is a record never made.
        g.when(
            &a.cm,
            &fix(id, vec![Correction::CheckOutDate(date("2026-11-28"))]),
        )
        .then_refused(ErrorCode::Validation, Some("corrections"));
        g.when(&a.cm, &came)
            .then_refused(ErrorCode::Conflict, Some("corrections"));
        g.when(&b.cm, &came)
            .then_refused(ErrorCode::NotFound, Some("recordId"));
        // A stay's bar-list fields are not its fields.
        g.when(
            &a.cm,
            &fix(id, vec![Correction::BarScope(BarScope::Organization)]),
        )
        .then_refused(ErrorCode::Validation, Some("corrections[0].scope"));
    }

    #[test]
    fn a_reservation_moves_only_to_a_night_its_bed_is_free() {
        let mut g = given();
        let a = agency(&mut g, "CHSS");
        let s = shelter(&mut g, &a);
        let james = person(&mut g, &a, "1975-11-20", Sex::Male);
        let tom = person(&mut g, &a, "1980-01-01", Sex::Male);
        let (first, second): (ReservationId, ReservationId) = (g.id(), g.id());
        g.run(
            &a.cm,
            &ReserveBed {
                id: first,
                ..reserve(james, s.men, "2026-12-03")
            },
        );
        g.run(
            &a.cm,
            &ReserveBed {
                id: second,
                ..reserve(tom, s.men, "2026-12-04")
            },
        );
        let onto_taken = fix(first.as_u128(), vec![Correction::Date(date("2026-12-04"))]);
        g.when(&a.cm, &onto_taken)
            .then_refused(ErrorCode::Conflict, Some("corrections"));
        g.run(
            &a.cm,
            &fix(first.as_u128(), vec![Correction::Date(date("2026-12-05"))]),
        );
        let reserved = |g: &Given, night| {
            g.state
                .write_model()
                .bed_uses(s.men)
                .iter()
                .any(|u| u.record == first.as_u128() && u.covers(date(night)))
        };
        assert!(reserved(&g, "2026-12-05") && !reserved(&g, "2026-12-03"));
    }

    #[test]
    fn a_bars_window_and_scope_are_corrected_and_the_bar_list_follows() {
        let mut g = given();
        let a = agency(&mut g, "CHSS");
        let b = agency(&mut g, "Valley");
        let b_shelter = shelter(&mut g, &b);
        let tom = person(&mut g, &a, "1980-01-01", Sex::Male);
        let id: BarId = g.id();
        g.run(
            &a.cm,
            &BarClient {
                id,
                ..bar(tom, BarScope::Organization)
            },
        );
        let barred = |g: &Given| !g.state.write_model().active_bars(tom, g.today()).is_empty();
        assert!(barred(&g));
        // The bar was for two weeks, not open-ended.
        let two_weeks = DateWindow::closed(date("2026-11-01"), date("2026-11-14"));
        g.run(
            &a.cm,
            &fix(id.as_u128(), vec![Correction::Window(two_weeks)]),
        );
        assert!(!barred(&g), "the corrected window ended before today");
        let backwards = DateWindow::closed(date("2026-11-14"), date("2026-11-01"));
        g.when(
            &a.cm,
            &fix(id.as_u128(), vec![Correction::Window(backwards)]),
        )
        .then_refused(ErrorCode::Validation, Some("corrections[0].window"));
        // A bar covers only what its own organization runs.
        g.when(
            &a.cm,
            &fix(
                id.as_u128(),
                vec![Correction::BarScope(BarScope::Facility(b_shelter.facility))],
            ),
        )
        .then_refused(ErrorCode::Forbidden, None);
        g.when(
            &a.cm,
            &fix(
                id.as_u128(),
                vec![Correction::BarScope(BarScope::Facility(FacilityId::new(
                    98,
                )))],
            ),
        )
        .then_refused(ErrorCode::NotFound, Some("corrections[0].scope"));
    }
}
