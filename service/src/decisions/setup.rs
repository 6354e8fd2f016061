//! Setup: programs and MOUs (system administrators), shelter facilities, rooms and beds
//! (system administrators, or the agency administrators of the organization that runs the
//! facility).

use std::collections::BTreeSet;

use caseledger_core::commands::setup::{
    AddBed, AddRoom, ChangeMou, CreateFacility, CreateMou, CreateProgram, EndMou, SetCocCode,
};
use caseledger_core::events::{
    BedAdded, CocCodeSet, FacilityCreated, MouChanged, MouCreated, MouParticipant, ProgramCreated,
    RoomAdded, RoomDesignator,
};
use caseledger_core::input;
use caseledger_core::{Actor, DateWindow, OrganizationId, Role};
use caseledger_projections::Projections;

use crate::commands::{
    check_window, conflict, forbidden, not_found, require_system_admin, require_text,
};
use crate::{Command, CommandError, Decision, Session};

impl Command for EndMou {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        require_system_admin(&session.actor(), "end MOUs")?;
        let mou = p
            .catalog()
            .mou(self.mou)
            .ok_or_else(|| not_found("mouId", "MOU"))?;
        let end = crate::commands::last_day_or_yesterday(p, self.last_day, None)?;
        if mou.window.end.is_some_and(|e| e <= end) {
            return Err(conflict("mouId", "the MOU already ends by then"));
        }
        if end < mou.window.start {
            return Err(CommandError::validation(
                "lastDay",
                format!("before the MOU starts ({})", mou.window.start),
            ));
        }
        Ok(Decision::events(vec![
            MouChanged {
                mou_id: mou.id,
                title: mou.title.clone(),
                participants: mou.participants.clone(),
                window: mou.window.closed_at(end),
                // From the day after the last: until then the MOU is as each date had it.
                effective: end.add_days(1),
            }
            .into(),
        ]))
    }
}

impl Command for SetCocCode {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        require_system_admin(&session.actor(), "set the CoC code")?;
        let code = self.code.trim().to_ascii_uppercase();
        if !caseledger_core::hud::is_coc_code(&code) {
            return Err(CommandError::validation(
                "code",
                format!("`{}` is not a CoC code like CA-502", self.code),
            ));
        }
        if p.write_model().coc_code() == Some(code.as_str()) {
            return Err(conflict("code", "the CoC code is already this one"));
        }
        Ok(Decision::events(vec![CocCodeSet { code }.into()]))
    }
}

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
        check_participants(p, participants)?;
        check_window(p, "window", &self.window, None)?;
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

/// An MOU's participants: at least two organizations, each once, one that grants and one that
/// receives.
fn check_participants(
    p: &Projections,
    participants: &[MouParticipant],
) -> Result<(), CommandError> {
    if participants.len() < 2 {
        return Err(CommandError::validation(
            "participants",
            "an MOU has at least two participating organizations",
        ));
    }
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
    Ok(())
}

impl Command for ChangeMou {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        require_system_admin(&session.actor(), "change MOUs")?;
        let mou = p
            .catalog()
            .mou(self.mou)
            .ok_or_else(|| not_found("mouId", "MOU"))?;
        if let Some(title) = &self.title {
            require_text("title", title, input::MOU_TITLE)?;
        }
        let participants = self.participants.as_ref().unwrap_or(&mou.participants);
        check_participants(p, participants)?;
        let window = self.window.unwrap_or(mou.window);
        check_window(p, "window", &window, None)?;
        crate::commands::check_date(
            p,
            "effective",
            self.effective,
            caseledger_core::input::DateKind::Planned,
            None,
        )?;
        if self.effective < mou.window.start.min(window.start) {
            return Err(CommandError::validation(
                "effective",
                format!(
                    "before the MOU starts ({})",
                    mou.window.start.min(window.start)
                ),
            ));
        }
        let title = self
            .title
            .as_ref()
            .map_or(mou.title.clone(), |t| t.trim().to_string());
        let mut same = participants.clone();
        let mut was = mou.participants.clone();
        same.sort_by_key(|x| x.organization);
        was.sort_by_key(|x| x.organization);
        if title == mou.title && same == was && window == mou.window {
            return Err(conflict("mouId", "the change changes nothing"));
        }
        Ok(Decision::events(vec![
            MouChanged {
                mou_id: mou.id,
                title,
                participants: participants.clone(),
                window,
                effective: Some(self.effective),
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

#[cfg(test)]
mod tests {
    use caseledger_core::events::MouParticipant;
    use caseledger_core::hud::ProjectType;
    use caseledger_core::testkit::date;
    use caseledger_core::{FacilityId, MouDirection, MouId, ProgramId, RoomId};

    use super::*;
    use crate::ErrorCode;
    use crate::decisions::given::{Given, given};

    fn program(organization: OrganizationId, name: &str) -> CreateProgram {
        CreateProgram {
            id: ProgramId::new(99),
            organization,
            name: name.into(),
            project_type: ProjectType::EmergencyShelterEntryExit,
            operating: None,
            source_id: None,
        }
    }

    #[test]
    fn a_system_administrator_sets_the_coc_code_and_nobody_else_may() {
        let mut g = given();
        let org = g.organization("CHSS");
        let agency_admin = g.user(org, Role::AgencyAdmin);
        let admin = g.admin();
        let set = |code: &str| SetCocCode { code: code.into() };
        g.when(&admin, &set(" ca-502 ")).then(vec![
            CocCodeSet {
                code: "CA-502".into(),
            }
            .into(),
        ]);
        g.when(&agency_admin, &set("CA-502"))
            .then_refused(ErrorCode::Forbidden, None);
        for bad in ["CA502", "C1-502", "CA-5021", ""] {
            g.when(&admin, &set(bad))
                .then_refused(ErrorCode::Validation, Some("code"));
        }
        g.apply(
            &admin,
            CocCodeSet {
                code: "CA-502".into(),
            },
        );
        g.when(&admin, &set("CA-502"))
            .then_refused(ErrorCode::Conflict, Some("code"));
    }

    #[test]
    fn a_system_administrator_creates_a_program_operating_from_today() {
        let mut g = given();
        let org = g.organization("CHSS");
        let cmd = CreateProgram {
            source_id: Some("P-1".into()),
            ..program(org, " Shelter ")
        };
        g.when(&g.admin(), &cmd).then(vec![
            ProgramCreated {
                program_id: ProgramId::new(99),
                organization_id: org,
                name: "Shelter".into(),
                project_type: ProjectType::EmergencyShelterEntryExit,
                operating: DateWindow::open(g.today()),
                source_id: Some("P-1".into()),
            }
            .into(),
        ]);
    }

    #[test]
    fn a_program_is_refused_by_field() {
        let mut g = given();
        let org = g.organization("CHSS");
        let agency_admin = g.user(org, Role::AgencyAdmin);
        let admin = g.admin();
        g.when(&agency_admin, &program(org, "Shelter"))
            .then_refused(ErrorCode::Forbidden, None);
        g.when(&admin, &program(org, " "))
            .then_refused(ErrorCode::Validation, Some("name"));
        g.when(&admin, &program(OrganizationId::new(98), "Shelter"))
            .then_refused(ErrorCode::NotFound, Some("organizationId"));
        let late = CreateProgram {
            operating: Some(DateWindow::open(date("2040-01-01"))),
            ..program(org, "Shelter")
        };
        g.when(&admin, &late)
            .then_refused(ErrorCode::Validation, Some("operating.start"));
    }

    fn mou(number: &str, participants: Vec<MouParticipant>) -> CreateMou {
        CreateMou {
            id: MouId::new(99),
            number: number.into(),
            title: " HPRP sharing ".into(),
            participants,
            window: DateWindow::open(date("2026-01-01")),
        }
    }

    fn takes(organization: OrganizationId, direction: MouDirection) -> MouParticipant {
        MouParticipant {
            organization,
            direction,
        }
    }

    #[test]
    fn a_system_administrator_changes_an_mou_from_a_day_on_and_the_days_before_keep_what_they_had()
    {
        let mut g = given();
        let (a, b, c) = (
            g.organization("CCC"),
            g.organization("City"),
            g.organization("Valley"),
        );
        let admin = g.admin();
        g.run(
            &admin,
            &mou(
                "0001",
                vec![
                    takes(a, MouDirection::Grants),
                    takes(b, MouDirection::Receives),
                ],
            ),
        );
        let staff = g.user(a, Role::CaseManager);
        let client = g.client(&staff, None);
        g.apply(
            &staff,
            caseledger_core::events::ClientRestrictionChanged {
                client_id: client,
                restriction: caseledger_core::ClientRestriction::ShareWithMou,
                effective: date("2026-01-01"),
            },
        );
        let assignment_id = g.id();
        g.apply(
            &staff,
            caseledger_core::events::MouAssigned {
                client_id: client,
                assignment_id,
                mou_id: MouId::new(99),
                window: DateWindow::open(date("2026-01-01")),
            },
        );
        let change = ChangeMou {
            mou: MouId::new(99),
            title: None,
            participants: Some(vec![
                takes(a, MouDirection::Grants),
                takes(c, MouDirection::Receives),
            ]),
            window: None,
            effective: date("2026-12-10"),
        };
        g.when(&admin, &change).then(vec![
            MouChanged {
                mou_id: MouId::new(99),
                title: "HPRP sharing".into(),
                participants: vec![
                    takes(a, MouDirection::Grants),
                    takes(c, MouDirection::Receives),
                ],
                window: DateWindow::open(date("2026-01-01")),
                effective: Some(date("2026-12-10")),
            }
            .into(),
        ]);
        g.run(&admin, &change);
        let (city, valley) = (g.user(b, Role::CaseManager), g.user(c, Role::CaseManager));
        let sees =
            |g: &Given, who: &Session| g.state.org_view(who.viewer()).client(client).is_some();
        assert!(
            sees(&g, &city) && !sees(&g, &valley),
            "before the change, as it was"
        );
        g.state.set_today(date("2026-12-10"));
        assert!(
            !sees(&g, &city) && sees(&g, &valley),
            "from its date, as changed"
        );
        g.state.set_today(date(crate::decisions::given::TODAY));

        g.when(&staff, &change)
            .then_refused(ErrorCode::Forbidden, None);
        let unknown = ChangeMou {
            mou: g.id(),
            ..change.clone()
        };
        g.when(&admin, &unknown)
            .then_refused(ErrorCode::NotFound, Some("mouId"));
        g.when(&admin, &change)
            .then_refused(ErrorCode::Conflict, Some("mouId"));
        let early = ChangeMou {
            participants: None,
            title: Some("Renamed".into()),
            effective: date("2025-06-01"),
            ..change.clone()
        };
        g.when(&admin, &early)
            .then_refused(ErrorCode::Validation, Some("effective"));
        let receivers_only = ChangeMou {
            participants: Some(vec![
                takes(b, MouDirection::Receives),
                takes(c, MouDirection::Receives),
            ]),
            ..change.clone()
        };
        g.when(&admin, &receivers_only)
            .then_refused(ErrorCode::Validation, Some("participants"));
    }

    #[test]
    fn a_system_administrator_ends_an_mou_from_a_day_on() {
        let mut g = given();
        let (a, b) = (g.organization("CCC"), g.organization("City"));
        let parts = vec![
            takes(a, MouDirection::Grants),
            takes(b, MouDirection::Receives),
        ];
        let admin = g.admin();
        g.run(&admin, &mou("0001", parts.clone()));
        let end = EndMou {
            mou: MouId::new(99),
            last_day: None,
        };
        g.when(&admin, &end).then(vec![
            MouChanged {
                mou_id: MouId::new(99),
                title: "HPRP sharing".into(),
                participants: parts,
                window: DateWindow {
                    start: date("2026-01-01"),
                    end: Some(date("2026-11-30")),
                },
                effective: Some(date("2026-12-01")),
            }
            .into(),
        ]);
        let cm = g.user(a, Role::AgencyAdmin);
        g.when(&cm, &end).then_refused(ErrorCode::Forbidden, None);
        let before_start = EndMou {
            last_day: Some(date("2025-12-31")),
            ..end.clone()
        };
        g.when(&admin, &before_start)
            .then_refused(ErrorCode::Validation, Some("lastDay"));
        let unknown = EndMou {
            mou: g.id(),
            ..end.clone()
        };
        g.when(&admin, &unknown)
            .then_refused(ErrorCode::NotFound, Some("mouId"));
        g.run(&admin, &end);
        g.when(&admin, &end)
            .then_refused(ErrorCode::Conflict, Some("mouId"));
    }

    #[test]
    fn a_system_administrator_creates_an_mou() {
        let mut g = given();
        let (a, b) = (g.organization("CCC"), g.organization("City"));
        let parts = vec![
            takes(a, MouDirection::Grants),
            takes(b, MouDirection::Receives),
        ];
        g.when(&g.admin(), &mou(" 0001 ", parts.clone())).then(vec![
            MouCreated {
                mou_id: MouId::new(99),
                number: "0001".into(),
                title: "HPRP sharing".into(),
                participants: parts,
                window: DateWindow::open(date("2026-01-01")),
            }
            .into(),
        ]);
    }

    #[test]
    fn an_mou_is_refused_by_field() {
        let mut g = given();
        let (a, b) = (g.organization("CCC"), g.organization("City"));
        let cm = g.user(a, Role::CaseManager);
        let admin = g.admin();
        let both = |o| takes(o, MouDirection::Both);
        let ok = vec![both(a), both(b)];
        g.when(&cm, &mou("0001", ok.clone()))
            .then_refused(ErrorCode::Forbidden, None);
        g.when(&admin, &mou("", ok.clone()))
            .then_refused(ErrorCode::Validation, Some("number"));
        g.when(&admin, &mou("0001", vec![both(a)]))
            .then_refused(ErrorCode::Validation, Some("participants"));
        g.when(&admin, &mou("0001", vec![both(a), both(a)]))
            .then_refused(
                ErrorCode::Validation,
                Some("participants[1].organizationId"),
            );
        g.when(
            &admin,
            &mou("0001", vec![both(a), both(OrganizationId::new(98))]),
        )
        .then_refused(ErrorCode::NotFound, Some("participants[1].organizationId"));
        let grants = |o| takes(o, MouDirection::Grants);
        g.when(&admin, &mou("0001", vec![grants(a), grants(b)]))
            .then_refused(ErrorCode::Validation, Some("participants"));
        let untitled = CreateMou {
            title: String::new(),
            ..mou("0001", ok.clone())
        };
        g.when(&admin, &untitled)
            .then_refused(ErrorCode::Validation, Some("title"));
        g.run(&admin, &mou("0001", ok.clone()));
        g.when(&admin, &mou("0001", ok))
            .then_refused(ErrorCode::Conflict, Some("number"));
    }

    /// An organization with a shelter program and its agency administrator.
    fn shelter_org(g: &mut Given, name: &str) -> (OrganizationId, ProgramId, Session) {
        let org = g.organization(name);
        let program = g.id();
        let admin = g.admin();
        g.run(
            &admin,
            &CreateProgram {
                id: program,
                ..program_of(org)
            },
        );
        (org, program, g.user(org, Role::AgencyAdmin))
    }

    fn program_of(org: OrganizationId) -> CreateProgram {
        program(org, "Shelter")
    }

    fn facility(organization: OrganizationId, program: Option<ProgramId>) -> CreateFacility {
        CreateFacility {
            id: FacilityId::new(99),
            organization,
            program,
            name: " Family Shelter ".into(),
        }
    }

    #[test]
    fn an_agency_administrator_creates_a_facility_of_their_organization() {
        let mut g = given();
        let (org, program, agency_admin) = shelter_org(&mut g, "CHSS");
        g.when(&agency_admin, &facility(org, Some(program)))
            .then(vec![
                FacilityCreated {
                    facility_id: FacilityId::new(99),
                    organization_id: org,
                    program_id: Some(program),
                    name: "Family Shelter".into(),
                }
                .into(),
            ]);
    }

    #[test]
    fn a_facility_is_refused_by_field() {
        let mut g = given();
        let (org, _, agency_admin) = shelter_org(&mut g, "CHSS");
        let (other, their_program, _) = shelter_org(&mut g, "Valley");
        let admin = g.admin();
        let cm = g.user(org, Role::CaseManager);
        g.when(&agency_admin, &facility(other, None))
            .then_refused(ErrorCode::Forbidden, None);
        g.when(&cm, &facility(org, None))
            .then_refused(ErrorCode::Forbidden, None);
        let unnamed = CreateFacility {
            name: "\t".into(),
            ..facility(org, None)
        };
        g.when(&admin, &unnamed)
            .then_refused(ErrorCode::Validation, Some("name"));
        g.when(&admin, &facility(OrganizationId::new(98), None))
            .then_refused(ErrorCode::NotFound, Some("organizationId"));
        g.when(&admin, &facility(org, Some(ProgramId::new(98))))
            .then_refused(ErrorCode::NotFound, Some("programId"));
        g.when(&admin, &facility(org, Some(their_program)))
            .then_refused(ErrorCode::Validation, Some("programId"));
    }

    fn room(facility: FacilityId, name: &str, designators: Vec<RoomDesignator>) -> AddRoom {
        AddRoom {
            id: RoomId::new(97),
            facility,
            name: name.into(),
            designators,
        }
    }

    /// A facility of `org` (run by `by`).
    fn with_facility(g: &mut Given, org: OrganizationId, by: &Session) -> FacilityId {
        let id = g.id();
        g.run(
            by,
            &CreateFacility {
                id,
                ..facility(org, None)
            },
        );
        id
    }

    #[test]
    fn rooms_are_added_with_their_designators_names_unique_in_the_facility() {
        let mut g = given();
        let (org, _, agency_admin) = shelter_org(&mut g, "CHSS");
        let f = with_facility(&mut g, org, &agency_admin);
        let dorm = vec![RoomDesignator::Female, RoomDesignator::Adult];
        g.when(&agency_admin, &room(f, " Women's Dorm ", dorm.clone()))
            .then(vec![
                RoomAdded {
                    room_id: RoomId::new(97),
                    facility_id: f,
                    name: "Women's Dorm".into(),
                    designators: dorm.clone(),
                }
                .into(),
            ]);
        g.run(&agency_admin, &room(f, "Women's Dorm", dorm));
        g.when(&agency_admin, &room(f, "women's dorm", vec![]))
            .then_refused(ErrorCode::Conflict, Some("name"));
    }

    #[test]
    fn a_room_is_refused_by_field() {
        let mut g = given();
        let (org, _, agency_admin) = shelter_org(&mut g, "CHSS");
        let (_, _, other_admin) = shelter_org(&mut g, "Valley");
        let f = with_facility(&mut g, org, &agency_admin);
        use RoomDesignator::{Adult, Female, Male, Youth};
        g.when(&agency_admin, &room(f, "", vec![]))
            .then_refused(ErrorCode::Validation, Some("name"));
        g.when(&agency_admin, &room(f, "Dorm", vec![Male, Female]))
            .then_refused(ErrorCode::Validation, Some("designators"));
        g.when(&agency_admin, &room(f, "Dorm", vec![Adult, Youth]))
            .then_refused(ErrorCode::Validation, Some("designators"));
        g.when(&agency_admin, &room(FacilityId::new(98), "Dorm", vec![]))
            .then_refused(ErrorCode::NotFound, Some("facilityId"));
        g.when(&other_admin, &room(f, "Dorm", vec![]))
            .then_refused(ErrorCode::Forbidden, None);
    }

    #[test]
    fn beds_are_added_with_labels_unique_in_the_facility() {
        let mut g = given();
        let (org, _, agency_admin) = shelter_org(&mut g, "CHSS");
        let (_, _, other_admin) = shelter_org(&mut g, "Valley");
        let f = with_facility(&mut g, org, &agency_admin);
        let (r1, r2) = (g.id(), g.id());
        for (id, name) in [(r1, "A"), (r2, "B")] {
            g.run(
                &agency_admin,
                &AddRoom {
                    id,
                    ..room(f, name, vec![])
                },
            );
        }
        let bed = |room, label: &str| AddBed {
            id: caseledger_core::BedId::new(96),
            room,
            label: label.into(),
        };
        g.when(&agency_admin, &bed(r1, " A-1 ")).then(vec![
            BedAdded {
                bed_id: caseledger_core::BedId::new(96),
                room_id: r1,
                facility_id: f,
                label: "A-1".into(),
            }
            .into(),
        ]);
        g.run(&agency_admin, &bed(r1, "A-1"));
        g.when(&agency_admin, &bed(r2, "a-1"))
            .then_refused(ErrorCode::Conflict, Some("label"));
        g.when(&agency_admin, &bed(r2, ""))
            .then_refused(ErrorCode::Validation, Some("label"));
        g.when(&agency_admin, &bed(RoomId::new(98), "B-1"))
            .then_refused(ErrorCode::NotFound, Some("roomId"));
        g.when(&other_admin, &bed(r2, "B-1"))
            .then_refused(ErrorCode::Forbidden, None);
    }
}
