//! Setup: programs and MOUs (system administrators), shelter facilities, rooms and beds
//! (system administrators, or the agency administrators of the organization that runs the
//! facility).

use std::collections::BTreeSet;

use caseledger_core::commands::setup::{AddBed, AddRoom, CreateFacility, CreateMou, CreateProgram};
use caseledger_core::events::{
    BedAdded, FacilityCreated, MouCreated, ProgramCreated, RoomAdded, RoomDesignator,
};
use caseledger_core::input;
use caseledger_core::{Actor, DateWindow, OrganizationId, Role};
use caseledger_projections::Projections;

use crate::commands::{check_window, conflict, forbidden, not_found, require_text};
use crate::{Command, CommandError, Decision, Session};

impl Command for CreateProgram {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        require_system_admin(&session.actor(), "create programs")?;
        require_text("name", &self.name, input::PROGRAM_NAME)?;
        require_organization(p, self.organization, "organizationId")?;
        let operating = self.operating.unwrap_or(DateWindow::open(p.today()));
        check_window(p, "operating", &operating, None)?;
        Ok(Decision::events(vec![
            ProgramCreated {
                program_id: self.id,
                organization_id: self.organization,
                name: self.name.trim().to_string(),
                project_type: self.project_type,
                operating,
                source_id: self.source_id.clone(),
            }
            .into(),
        ]))
    }
}

impl Command for CreateMou {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        require_system_admin(&session.actor(), "create MOUs")?;
        require_text("number", &self.number, input::MOU_NUMBER)?;
        require_text("title", &self.title, input::MOU_TITLE)?;
        let participants = &self.participants;
        if participants.len() < 2 {
            return Err(CommandError::validation(
                "participants",
                "an MOU has at least two participating organizations",
            ));
        }
        check_window(p, "window", &self.window, None)?;
        let mut seen = BTreeSet::new();
        for (i, participant) in participants.iter().enumerate() {
            let field = format!("participants[{i}].organizationId");
            require_organization(p, participant.organization, &field)?;
            if !seen.insert(participant.organization) {
                return Err(CommandError::validation(
                    &field,
                    "each organization takes part once",
                ));
            }
        }
        if !participants.iter().any(|x| x.direction.grants())
            || !participants.iter().any(|x| x.direction.receives())
        {
            return Err(CommandError::validation(
                "participants",
                "an MOU needs a participant that grants and one that receives",
            ));
        }
        let number = self.number.trim();
        if p.catalog().mous().any(|m| m.number == number) {
            return Err(conflict("number", format!("MOU {number} already exists")));
        }
        Ok(Decision::events(vec![
            MouCreated {
                mou_id: self.id,
                number: number.to_string(),
                title: self.title.trim().to_string(),
                participants: participants.clone(),
                window: self.window,
            }
            .into(),
        ]))
    }
}

impl Command for CreateFacility {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        require_facility_manager(&session.actor(), self.organization)?;
        require_text("name", &self.name, input::FACILITY_NAME)?;
        require_organization(p, self.organization, "organizationId")?;
        if let Some(program) = self.program {
            let facts = p
                .catalog()
                .program(program)
                .ok_or_else(|| not_found("programId", "program"))?;
            if facts.organization != self.organization {
                return Err(CommandError::validation(
                    "programId",
                    "the program belongs to another organization",
                ));
            }
        }
        Ok(Decision::events(vec![
            FacilityCreated {
                facility_id: self.id,
                organization_id: self.organization,
                program_id: self.program,
                name: self.name.trim().to_string(),
            }
            .into(),
        ]))
    }
}

impl Command for AddRoom {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        require_text("name", &self.name, input::ROOM_NAME)?;
        let has = |d: RoomDesignator| self.designators.contains(&d);
        if has(RoomDesignator::Male) && has(RoomDesignator::Female) {
            return Err(CommandError::validation(
                "designators",
                "a room is not both MALE and FEMALE (leave both out for any gender)",
            ));
        }
        if has(RoomDesignator::Adult) && has(RoomDesignator::Youth) {
            return Err(CommandError::validation(
                "designators",
                "a room is not both ADULT and YOUTH",
            ));
        }
        let f = p
            .catalog()
            .facility(self.facility)
            .ok_or_else(|| not_found("facilityId", "facility"))?;
        require_facility_manager(&session.actor(), f.organization)?;
        let name = self.name.trim();
        if f.rooms.iter().any(|r| r.name.eq_ignore_ascii_case(name)) {
            return Err(conflict(
                "name",
                "the facility already has a room of that name",
            ));
        }
        Ok(Decision::events(vec![
            RoomAdded {
                room_id: self.id,
                facility_id: self.facility,
                name: name.to_string(),
                designators: self.designators.clone(),
            }
            .into(),
        ]))
    }
}

impl Command for AddBed {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        require_text("label", &self.label, input::BED_LABEL)?;
        let (f, _) = p
            .catalog()
            .room(self.room)
            .ok_or_else(|| not_found("roomId", "room"))?;
        require_facility_manager(&session.actor(), f.organization)?;
        let label = self.label.trim();
        let taken = f
            .rooms
            .iter()
            .flat_map(|r| &r.beds)
            .any(|(_, l)| l.eq_ignore_ascii_case(label));
        if taken {
            return Err(conflict(
                "label",
                "the facility already has a bed with that label",
            ));
        }
        Ok(Decision::events(vec![
            BedAdded {
                bed_id: self.id,
                room_id: self.room,
                facility_id: f.id,
                label: label.to_string(),
            }
            .into(),
        ]))
    }
}

fn require_system_admin(actor: &Actor, what: &str) -> Result<(), CommandError> {
    if actor.role != Role::SystemAdmin {
        return Err(forbidden(format!("only a system administrator may {what}")));
    }
    Ok(())
}

/// System administrators, and agency administrators of `organization`, set up its shelters.
fn require_facility_manager(
    actor: &Actor,
    organization: OrganizationId,
) -> Result<(), CommandError> {
    let allowed = actor.role == Role::SystemAdmin
        || (actor.role == Role::AgencyAdmin && actor.organization == organization);
    if !allowed {
        return Err(forbidden(
            "only a system administrator or an administrator of the organization that runs the facility may change it",
        ));
    }
    Ok(())
}

fn require_organization(
    p: &Projections,
    id: OrganizationId,
    field: &str,
) -> Result<(), CommandError> {
    p.write_model()
        .organization(id)
        .map(|_| ())
        .ok_or_else(|| not_found(field, "organization"))
}
