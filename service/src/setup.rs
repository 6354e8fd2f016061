//! Setup commands: programs and MOUs (system administrators), shelter facilities, rooms and
//! beds (system administrators, or the agency administrators of the organization that runs
//! the facility).

use caseledger_core::events::{
    BedAdded, FacilityCreated, MouCreated, MouParticipant, ProgramCreated, RoomAdded,
    RoomDesignator,
};
use caseledger_core::hud::ProjectType;
use caseledger_core::{
    Actor, BedId, DateWindow, FacilityId, MouId, OrganizationId, ProgramId, Role, RoomId,
};
use caseledger_projections::Projections;

use crate::Service;
use crate::Session;
use crate::commands::{
    CommandError, Written, check_window, conflict, forbidden, new_id, not_found, require_text,
};
use caseledger_core::input;

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

impl Service {
    /// Creates a program (HUD project) run by an organization. System administrators only.
    pub async fn create_program(
        &self,
        session: &Session,
        organization: OrganizationId,
        name: &str,
        project_type: ProjectType,
        operating: Option<DateWindow>,
    ) -> Result<(ProgramId, Written), CommandError> {
        let actor = session.actor();
        let id: ProgramId = new_id();
        let new = NewProgram {
            organization,
            name,
            project_type,
            operating,
        };
        let written = self
            .execute(actor, |p| decide_program(p, &actor, id, &new, None))
            .await?;
        Ok((id, written))
    }

    /// Creates an MOU. System administrators only; the number is unique and every participant
    /// an existing organization, listed once.
    pub async fn create_mou(
        &self,
        session: &Session,
        number: &str,
        title: &str,
        participants: Vec<MouParticipant>,
        window: DateWindow,
    ) -> Result<(MouId, Written), CommandError> {
        let actor = session.actor();
        require_system_admin(&actor, "create MOUs")?;
        require_text("number", number, input::MOU_NUMBER)?;
        require_text("title", title, input::MOU_TITLE)?;
        if participants.len() < 2 {
            return Err(CommandError::validation(
                "participants",
                "an MOU has at least two participating organizations",
            ));
        }
        let id: MouId = new_id();
        let written = self
            .execute(actor, |p| {
                check_window(p, "window", &window, None)?;
                let mut seen = std::collections::BTreeSet::new();
                for (i, participant) in participants.iter().enumerate() {
                    require_organization(
                        p,
                        participant.organization,
                        &format!("participants[{i}].organizationId"),
                    )?;
                    if !seen.insert(participant.organization) {
                        return Err(CommandError::validation(
                            &format!("participants[{i}].organizationId"),
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
                let number = number.trim();
                if p.catalog().mous().any(|m| m.number == number) {
                    return Err(conflict("number", format!("MOU {number} already exists")));
                }
                Ok(vec![
                    MouCreated {
                        mou_id: id,
                        number: number.to_string(),
                        title: title.trim().to_string(),
                        participants: participants.clone(),
                        window,
                    }
                    .into(),
                ])
            })
            .await?;
        Ok((id, written))
    }

    /// Creates a shelter facility of an organization, optionally producing bed nights for one
    /// of its programs.
    pub async fn create_facility(
        &self,
        session: &Session,
        organization: OrganizationId,
        program: Option<ProgramId>,
        name: &str,
    ) -> Result<(FacilityId, Written), CommandError> {
        let actor = session.actor();
        require_facility_manager(&actor, organization)?;
        require_text("name", name, input::FACILITY_NAME)?;
        let id: FacilityId = new_id();
        let written = self
            .execute(actor, |p| {
                require_organization(p, organization, "organizationId")?;
                if let Some(program) = program {
                    let facts = p
                        .catalog()
                        .program(program)
                        .ok_or_else(|| not_found("programId", "program"))?;
                    if facts.organization != organization {
                        return Err(CommandError::validation(
                            "programId",
                            "the program belongs to another organization",
                        ));
                    }
                }
                Ok(vec![
                    FacilityCreated {
                        facility_id: id,
                        organization_id: organization,
                        program_id: program,
                        name: name.trim().to_string(),
                    }
                    .into(),
                ])
            })
            .await?;
        Ok((id, written))
    }

    /// Adds a room, with who it may hold, to a facility.
    pub async fn add_room(
        &self,
        session: &Session,
        facility: FacilityId,
        name: &str,
        designators: Vec<RoomDesignator>,
    ) -> Result<(RoomId, Written), CommandError> {
        let actor = session.actor();
        require_text("name", name, input::ROOM_NAME)?;
        if designators.contains(&RoomDesignator::Male)
            && designators.contains(&RoomDesignator::Female)
        {
            return Err(CommandError::validation(
                "designators",
                "a room is not both MALE and FEMALE (leave both out for any gender)",
            ));
        }
        if designators.contains(&RoomDesignator::Adult)
            && designators.contains(&RoomDesignator::Youth)
        {
            return Err(CommandError::validation(
                "designators",
                "a room is not both ADULT and YOUTH",
            ));
        }
        let id: RoomId = new_id();
        let written = self
            .execute(actor, |p| {
                let f = p
                    .catalog()
                    .facility(facility)
                    .ok_or_else(|| not_found("facilityId", "facility"))?;
                require_facility_manager(&actor, f.organization)?;
                if f.rooms
                    .iter()
                    .any(|r| r.name.eq_ignore_ascii_case(name.trim()))
                {
                    return Err(conflict(
                        "name",
                        "the facility already has a room of that name",
                    ));
                }
                Ok(vec![
                    RoomAdded {
                        room_id: id,
                        facility_id: facility,
                        name: name.trim().to_string(),
                        designators: designators.clone(),
                    }
                    .into(),
                ])
            })
            .await?;
        Ok((id, written))
    }

    /// Adds a bed to a room.
    pub async fn add_bed(
        &self,
        session: &Session,
        room: RoomId,
        label: &str,
    ) -> Result<(BedId, Written), CommandError> {
        let actor = session.actor();
        require_text("label", label, input::BED_LABEL)?;
        let id: BedId = new_id();
        let written = self
            .execute(actor, |p| {
                let (f, _) = p
                    .catalog()
                    .room(room)
                    .ok_or_else(|| not_found("roomId", "room"))?;
                require_facility_manager(&actor, f.organization)?;
                let taken = f
                    .rooms
                    .iter()
                    .flat_map(|r| &r.beds)
                    .any(|(_, l)| l.eq_ignore_ascii_case(label.trim()));
                if taken {
                    return Err(conflict(
                        "label",
                        "the facility already has a bed with that label",
                    ));
                }
                Ok(vec![
                    BedAdded {
                        bed_id: id,
                        room_id: room,
                        facility_id: f.id,
                        label: label.trim().to_string(),
                    }
                    .into(),
                ])
            })
            .await?;
        Ok((id, written))
    }
}

/// A program to create.
pub(crate) struct NewProgram<'a> {
    pub organization: OrganizationId,
    pub name: &'a str,
    pub project_type: ProjectType,
    pub operating: Option<DateWindow>,
}

/// The event creating a program (the `create_program` command's rules); `source_id` is its
/// `ProjectID` when it comes from another system's export.
pub(crate) fn decide_program(
    p: &Projections,
    actor: &Actor,
    id: ProgramId,
    new: &NewProgram<'_>,
    source_id: Option<String>,
) -> Result<Vec<caseledger_core::Event>, CommandError> {
    require_system_admin(actor, "create programs")?;
    require_text("name", new.name, input::PROGRAM_NAME)?;
    require_organization(p, new.organization, "organizationId")?;
    let operating = new.operating.unwrap_or(DateWindow::open(p.today()));
    check_window(p, "operating", &operating, None)?;
    Ok(vec![
        ProgramCreated {
            program_id: id,
            organization_id: new.organization,
            name: new.name.trim().to_string(),
            project_type: new.project_type,
            operating,
            source_id,
        }
        .into(),
    ])
}
