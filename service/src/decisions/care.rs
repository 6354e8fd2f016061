//! Care: households, enrollments and exits, services, assessments, case notes and documents.
//! Each is recorded by agency staff for a client their organization can see, owned by the
//! actor's organization and user, with the restriction the actor chose or the policy's default
//! for the kind of record.

use caseledger_core::commands::care::{
    AddCaseNote, AddDocument, AddHouseholdMember, CreateHousehold, EnrollClient, ExitEnrollment,
    RecordAssessment, RecordService, SetMoveInDate,
};
use caseledger_core::events::{
    AnswerValue, AssessmentRecorded, CaseNoteAdded, ClientEnrolled, DocumentAdded,
    EnrollmentExited, EnrollmentMoveInSet, HouseholdCreated, HouseholdMemberAdded, ServiceRecorded,
};
use caseledger_core::hud::RelationshipToHoH;
use caseledger_core::input::{self, DateKind};
use caseledger_core::sharing::RecordRef;
use caseledger_core::{
    AccessLevel, Actor, AssessmentKind, ClientId, Date, EnrollmentId, Event, HouseholdId, Pii,
    ProgramId, RecordKind, TransactionRestriction,
};
use caseledger_projections::{EnrollmentFacts, Overlap, Projections};

use crate::bars::refuse_if_barred;
use crate::commands::{
    check_date, check_text, client_access, conflict, forbidden, not_found, owner,
    require_agency_staff, require_text, viewer,
};
use crate::{Command, CommandError, Decision, Session};

impl Command for CreateHousehold {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        let actor = session.actor();
        require_agency_staff(&actor, "form households")?;
        client_access(p, &actor, self.head, "headClientId")?;
        let date = self.date.unwrap_or(p.today());
        check_date(p, "date", date, DateKind::Happened, Some(self.head))?;
        Ok(Decision::events(vec![
            HouseholdCreated {
                household_id: self.id,
                head: self.head,
                owner: owner(&actor),
                date,
                source_id: self.source_id.clone(),
            }
            .into(),
        ]))
    }
}

impl Command for AddHouseholdMember {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        let actor = session.actor();
        require_agency_staff(&actor, "change households")?;
        if self.relationship == RelationshipToHoH::SelfHeadOfHousehold {
            return Err(CommandError::validation(
                "relationship",
                "a household has one head, named when it is formed",
            ));
        }
        let h = p
            .write_model()
            .household(self.household)
            .ok_or_else(|| not_found("householdId", "household"))?;
        // A household whose head the actor may not see is answered as one never formed.
        client_access(p, &actor, h.head, "householdId")
            .map_err(|_| not_found("householdId", "household"))?;
        client_access(p, &actor, self.client, "clientId")?;
        let joined = self.joined.unwrap_or(p.today());
        check_date(p, "joined", joined, DateKind::Happened, Some(self.client))?;
        if h.members
            .iter()
            .any(|m| m.client == self.client && m.left.is_none())
        {
            return Err(conflict("clientId", "the client is already a member"));
        }
        Ok(Decision::events(vec![
            HouseholdMemberAdded {
                household_id: self.household,
                client_id: self.client,
                relationship: self.relationship,
                owner: owner(&actor),
                joined,
            }
            .into(),
        ]))
    }
}

impl Command for EnrollClient {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        let actor = session.actor();
        require_agency_staff(&actor, "enroll clients")?;
        if let Some(coc) = &self.enrollment_coc
            && !caseledger_core::hud::is_coc_code(coc)
        {
            return Err(CommandError::validation(
                "enrollmentCoc",
                format!("`{coc}` is not a CoC code like CA-502"),
            ));
        }
        let headless_household = self.imported.as_ref().is_some_and(|i| i.headless_household);
        let w = p.write_model();
        client_access(p, &actor, self.client, "clientId")?;
        let program = w
            .catalog()
            .program(self.program)
            .ok_or_else(|| not_found("programId", "program"))?;
        if program.organization != actor.organization {
            return Err(forbidden(
                "clients are enrolled only in your own organization's programs",
            ));
        }
        let entry = self.entry_date;
        // An export's dates before the client's recorded birth are a data-quality finding HUD's
        // reports count (the importer reports it), kept as they came.
        let born_of = self.imported.is_none().then_some(self.client);
        check_date(p, "entryDate", entry, DateKind::Happened, born_of)?;
        // An export's enrollment outside its project's operating dates is a data-quality
        // finding (the importer reports it), kept as it came.
        if self.imported.is_none() && !program.operating.contains(entry) {
            return Err(CommandError::validation(
                "entryDate",
                format!("the program is not operating on {entry}"),
            ));
        }
        // One enrollment per program at a time holds even against enrollments the actor may
        // not see (a colleague's restrict-to-user one), but only a visible one may be quoted.
        // An export's overlapping enrollments are a data-quality finding HUD's reports count
        // (the importer reports it), kept as the source has them.
        let overlap = match self.imported {
            Some(_) => None,
            None => {
                p.org_view(viewer(&actor))
                    .overlapping_enrollment(self.client, self.program, entry)
            }
        };
        match overlap {
            Some(Overlap::Seen(id, from)) => {
                return Err(conflict(
                    "entryDate",
                    format!(
                        "the client is already enrolled in this program from {from} (enrollment {id})"
                    ),
                ));
            }
            Some(Overlap::Unseen) => {
                return Err(conflict(
                    "entryDate",
                    "the client is already enrolled in this program on that date",
                ));
            }
            None => {}
        }
        if let Some(move_in) = self.move_in_date {
            // An export's move-in before entry (or before the client's recorded birth) is a
            // data-quality finding, kept as it came.
            check_date(p, "moveInDate", move_in, DateKind::Happened, born_of)?;
            let before_entry = move_in < entry && self.imported.is_none();
            if before_entry || move_in > p.today() {
                return Err(CommandError::validation(
                    "moveInDate",
                    "between the entry date and today",
                ));
            }
        }
        if let Some(manager) = self.case_manager
            && w.user(manager)
                .is_none_or(|u| u.organization != actor.organization)
        {
            return Err(not_found("caseManagerId", "user in your organization"));
        }
        let is_head = self.relationship == RelationshipToHoH::SelfHeadOfHousehold;
        match self.household {
            None if !is_head && !headless_household => {
                return Err(CommandError::validation(
                    "relationshipToHoH",
                    "a client enrolled without a household is its own head (SELF)",
                ));
            }
            None => {}
            Some(household) => {
                let h = w
                    .household(household)
                    .ok_or_else(|| not_found("householdId", "household"))?;
                if !h.has_member(self.client, entry) {
                    return Err(CommandError::validation(
                        "householdId",
                        format!("the client is not a member of the household on {entry}"),
                    ));
                }
                if is_head != (h.head == self.client) {
                    return Err(CommandError::validation(
                        "relationshipToHoH",
                        "SELF exactly for the household's head",
                    ));
                }
                let enrolled = household_enrollments(p, household, self.program);
                let head_enrolled = enrolled
                    .iter()
                    .any(|(_, e)| e.relationship == RelationshipToHoH::SelfHeadOfHousehold);
                if is_head && head_enrolled {
                    return Err(conflict(
                        "relationshipToHoH",
                        "the household already has a head of household enrolled in this program",
                    ));
                }
                if !is_head && !head_enrolled {
                    return Err(CommandError::validation(
                        "householdId",
                        "enroll the head of household in this program first",
                    ));
                }
            }
        }
        let restriction = restriction_for(p, self.restriction, RecordKind::Enrollment, None);
        Ok(Decision::events(vec![
            ClientEnrolled {
                enrollment_id: self.id,
                client_id: self.client,
                program_id: self.program,
                owner: owner(&actor),
                entry_date: entry,
                household_id: self.household,
                relationship_to_hoh: self.relationship,
                living_situation: self.living_situation,
                rental_subsidy_type: self.rental_subsidy_type,
                disabling_condition: self.disabling_condition,
                enrollment_coc: self.enrollment_coc.clone(),
                move_in_date: self.move_in_date,
                case_manager: self.case_manager,
                restriction,
                source_id: self.imported.as_ref().map(|i| i.source_id.clone()),
            }
            .into(),
        ]))
    }
}

impl Command for ExitEnrollment {
    /// The enrollments exited: the one named first, then the household's.
    type Output = Vec<EnrollmentId>;

    fn decide(
        &self,
        p: &Projections,
        session: &Session,
    ) -> Result<Decision<Vec<EnrollmentId>>, CommandError> {
        let actor = session.actor();
        require_agency_staff(&actor, "exit enrollments")?;
        check_text(
            "otherDestination",
            &self.other_destination,
            input::SHORT_TEXT,
        )?;
        let (client, facts) = owned_enrollment(p, &actor, self.enrollment)?;
        if facts.exit.is_some() {
            return Err(conflict("enrollmentId", "the enrollment is already exited"));
        }
        // An export's exit before the client's recorded birth is a data-quality finding.
        let born_of = self.source_id.is_none().then_some(client);
        check_date(p, "exitDate", self.exit_date, DateKind::Happened, born_of)?;
        let mut targets = vec![(client, facts.clone())];
        if self.whole_household
            && let Some(household) = facts.household
        {
            // Only members' enrollments the actor may edit: another user's restrict-to-user
            // enrollment is neither exited nor quoted here.
            let view = p.org_view(viewer(&actor));
            targets.extend(
                household_enrollments(p, household, facts.program)
                    .into_iter()
                    .filter(|(_, e)| e.id != facts.id)
                    .filter(|(_, e)| {
                        view.visibility(&RecordRef::Transaction(e.id.as_u128()))
                            .level
                            == AccessLevel::Edit
                    }),
            );
        }
        let mut exited = Vec::new();
        let mut events: Vec<Event> = Vec::new();
        for (client, e) in targets {
            if self.exit_date < e.entry {
                return Err(CommandError::validation(
                    "exitDate",
                    format!(
                        "{} is before the entry date {} of enrollment {}",
                        self.exit_date, e.entry, e.id
                    ),
                ));
            }
            exited.push(e.id);
            events.push(
                EnrollmentExited {
                    enrollment_id: e.id,
                    client_id: client,
                    exit_date: self.exit_date,
                    destination: self.destination,
                    destination_subsidy_type: self.destination_subsidy_type,
                    other_destination: Pii::new(self.other_destination.clone()),
                    // The source's ExitID names the exit of the enrollment it was given for.
                    source_id: (e.id == facts.id).then(|| self.source_id.clone()).flatten(),
                }
                .into(),
            );
        }
        Ok(Decision::new(events, exited))
    }
}

impl Command for SetMoveInDate {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        let actor = session.actor();
        require_agency_staff(&actor, "set move-in dates")?;
        let (client, facts) = owned_enrollment(p, &actor, self.enrollment)?;
        if facts.move_in == self.move_in_date {
            return Err(conflict(
                "moveInDate",
                "the enrollment already has this move-in date",
            ));
        }
        if let Some(date) = self.move_in_date {
            check_date(p, "moveInDate", date, DateKind::Happened, Some(client))?;
            let last = facts.exit.map_or(p.today(), |x| x.min(p.today()));
            if date < facts.entry || date > last {
                return Err(CommandError::validation(
                    "moveInDate",
                    format!(
                        "{date} is not between the entry date {} and {last}",
                        facts.entry
                    ),
                ));
            }
        }
        Ok(Decision::events(vec![
            EnrollmentMoveInSet {
                enrollment_id: self.enrollment,
                client_id: client,
                move_in_date: self.move_in_date,
            }
            .into(),
        ]))
    }
}

impl Command for RecordService {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        let actor = session.actor();
        require_agency_staff(&actor, "record services")?;
        check_text("description", &self.description, input::FREE_TEXT)?;
        if self.service_type.record_type == 0 || self.service_type.type_provided == 0 {
            return Err(CommandError::validation(
                "serviceType",
                "HUD record type and type provided are positive codes",
            ));
        }
        let (client, enrollment, date) = (self.client, self.enrollment, self.date);
        client_access(p, &actor, client, "clientId")?;
        // An export's service before the client's recorded birth is a data-quality finding.
        let born_of = self.source_id.is_none().then_some(client);
        check_date(p, "date", date, DateKind::Happened, born_of)?;
        // An export's service outside its enrollment's dates is a data-quality finding.
        let within = self.source_id.is_none().then_some(date);
        check_enrollment_of(p, &actor, client, enrollment, within)?;
        let program = enrollment
            .and_then(|e| p.write_model().enrollment(e))
            .map(|(_, e)| e.program);
        refuse_if_barred(p, &actor, client, date, None, program)?;
        Ok(Decision::events(vec![
            ServiceRecorded {
                service_id: self.id,
                client_id: client,
                enrollment_id: enrollment,
                owner: owner(&actor),
                date,
                service_type: self.service_type,
                description: Pii::new(self.description.clone()),
                restriction: restriction_for(p, self.restriction, RecordKind::Service, None),
                source_id: self.source_id.clone(),
            }
            .into(),
        ]))
    }
}

impl Command for RecordAssessment {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        let actor = session.actor();
        require_agency_staff(&actor, "record assessments")?;
        let answers = &self.answers;
        // An export's row for a collection stage at which nothing was collected is kept as
        // it came; staff record at least one answer.
        if answers.is_empty() && self.source_id.is_none() {
            return Err(CommandError::validation("answers", "at least one answer"));
        }
        if answers.len() > 500 {
            return Err(CommandError::validation("answers", "at most 500 answers"));
        }
        for (i, a) in answers.iter().enumerate() {
            require_text(&format!("answers[{i}].item"), &a.item, input::SHORT_TEXT)?;
            match &a.value {
                AnswerValue::Text(t) => check_text(
                    &format!("answers[{i}].text"),
                    t.as_clear().map_or("", |s| s),
                    input::FREE_TEXT,
                )?,
                // A date answered may be planned (a follow-up) and may precede the client's
                // birth only in a parent's history, so it gets the rule without the date of
                // birth.
                AnswerValue::Date(d) => check_date(
                    p,
                    &format!("answers[{i}].date"),
                    *d,
                    DateKind::Planned,
                    None,
                )?,
                _ => {}
            }
        }
        let (client, enrollment, date) = (self.client, self.enrollment, self.date);
        client_access(p, &actor, client, "clientId")?;
        // An export's answers dated before the client's recorded birth are a finding.
        let born_of = self.source_id.is_none().then_some(client);
        check_date(p, "date", date, DateKind::Happened, born_of)?;
        // An export's answers collected outside the enrollment's dates (a contact the day
        // before entry) are a data-quality finding, kept as they came.
        let within = self.source_id.is_none().then_some(date);
        check_enrollment_of(p, &actor, client, enrollment, within)?;
        Ok(Decision::events(vec![
            AssessmentRecorded {
                assessment_id: self.id,
                client_id: client,
                enrollment_id: enrollment,
                owner: owner(&actor),
                date,
                kind: self.kind,
                data_collection_stage: self.stage,
                answers: answers.clone(),
                restriction: restriction_for(
                    p,
                    self.restriction,
                    RecordKind::Assessment,
                    Some(self.kind),
                ),
                source_id: self.source_id.clone(),
            }
            .into(),
        ]))
    }
}

impl Command for AddCaseNote {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        let actor = session.actor();
        require_agency_staff(&actor, "write case notes")?;
        require_text("text", &self.text, input::CASE_NOTE)?;
        client_access(p, &actor, self.client, "clientId")?;
        let date = self.date.unwrap_or(p.today());
        check_date(p, "date", date, DateKind::Happened, Some(self.client))?;
        check_enrollment_of(p, &actor, self.client, self.enrollment, Some(date))?;
        Ok(Decision::events(vec![
            CaseNoteAdded {
                note_id: self.id,
                client_id: self.client,
                enrollment_id: self.enrollment,
                owner: owner(&actor),
                date,
                text: Pii::new(self.text.clone()),
                restriction: restriction_for(p, self.restriction, RecordKind::CaseNote, None),
            }
            .into(),
        ]))
    }
}

impl Command for AddDocument {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        let actor = session.actor();
        require_agency_staff(&actor, "add documents")?;
        require_text("name", &self.name, input::DOCUMENT_NAME)?;
        require_text("documentType", &self.document_type, input::SHORT_TEXT)?;
        client_access(p, &actor, self.client, "clientId")?;
        let date = self.date.unwrap_or(p.today());
        check_date(p, "date", date, DateKind::Happened, Some(self.client))?;
        check_enrollment_of(p, &actor, self.client, self.enrollment, Some(date))?;
        Ok(Decision::events(vec![
            DocumentAdded {
                document_id: self.id,
                client_id: self.client,
                enrollment_id: self.enrollment,
                owner: owner(&actor),
                name: Pii::new(self.name.trim().to_string()),
                document_type: self.document_type.trim().to_string(),
                date,
                content_sha256: self.content_sha256,
                restriction: restriction_for(p, self.restriction, RecordKind::Document, None),
            }
            .into(),
        ]))
    }
}

/// What a new transaction may refer to: the client, optionally one of the actor's
/// organization's enrollments of the client — one that covers `within`, when given (an
/// imported record's date is not held to its enrollment's).
pub(crate) fn check_enrollment_of(
    p: &Projections,
    actor: &Actor,
    client: ClientId,
    enrollment: Option<EnrollmentId>,
    within: Option<Date>,
) -> Result<(), CommandError> {
    let Some(id) = enrollment else { return Ok(()) };
    let Some((of, facts)) = p.write_model().enrollment(id) else {
        return Err(not_found("enrollmentId", "enrollment"));
    };
    // An enrollment the actor may not see (a colleague's restrict-to-user one) is answered as
    // one never recorded: its dates must not reach the message below.
    if p.org_view(viewer(actor))
        .visibility(&RecordRef::Transaction(id.as_u128()))
        .level
        == AccessLevel::None
    {
        return Err(not_found("enrollmentId", "enrollment"));
    }
    if of != client || facts.organization != actor.organization {
        return Err(CommandError::validation(
            "enrollmentId",
            "not an enrollment of this client in your organization",
        ));
    }
    if let Some(date) = within
        && (date < facts.entry || facts.exit.is_some_and(|x| date > x))
    {
        return Err(CommandError::validation(
            "date",
            format!(
                "{date} is outside the enrollment ({} to {})",
                facts.entry,
                facts.exit.map_or("now".to_string(), |x| x.to_string())
            ),
        ));
    }
    Ok(())
}

/// The restriction chosen, or the policy's default for the kind of record.
pub(crate) fn restriction_for(
    p: &Projections,
    chosen: Option<TransactionRestriction>,
    kind: RecordKind,
    assessment: Option<AssessmentKind>,
) -> TransactionRestriction {
    chosen.unwrap_or_else(|| {
        p.write_model()
            .policy(p.today())
            .default_restriction_for(kind, assessment)
    })
}

/// Open enrollments of a household's members in a program.
fn household_enrollments(
    p: &Projections,
    household: HouseholdId,
    program: ProgramId,
) -> Vec<(ClientId, EnrollmentFacts)> {
    let w = p.write_model();
    let Some(h) = w.household(household) else {
        return Vec::new();
    };
    let mut members: Vec<ClientId> = h.members.iter().map(|m| m.client).collect();
    members.dedup();
    members
        .into_iter()
        .flat_map(|c| {
            w.enrollments(c)
                .into_iter()
                .filter(|e| {
                    e.household == Some(household) && e.program == program && e.exit.is_none()
                })
                .map(move |e| (c, e))
        })
        .collect()
}

/// An enrollment the actor's organization owns: `NOT_FOUND` when the actor cannot see it,
/// `FORBIDDEN` when they can but another organization owns it.
fn owned_enrollment(
    p: &Projections,
    actor: &Actor,
    id: EnrollmentId,
) -> Result<(ClientId, EnrollmentFacts), CommandError> {
    let (client, facts) = p
        .write_model()
        .enrollment(id)
        .ok_or_else(|| not_found("enrollmentId", "enrollment"))?;
    let access = p
        .org_view(viewer(actor))
        .visibility(&RecordRef::Transaction(id.as_u128()));
    match access.level {
        AccessLevel::None => Err(not_found("enrollmentId", "enrollment")),
        AccessLevel::Read => Err(forbidden(
            "cannot edit data created by another organization",
        )),
        AccessLevel::Edit => Ok((client, facts)),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use caseledger_core::commands::care::ImportedEnrollment;
    use caseledger_core::commands::setup::CreateProgram;
    use caseledger_core::events::{AssessmentAnswer, ClientIntakeRecorded, PersonName};
    use caseledger_core::hud::{
        DataQuality, Destination, NoYesReasons, ProjectType, ServiceTypeCode, Sex,
    };
    use caseledger_core::testkit::date;
    use caseledger_core::{
        CaseNoteId, ClientRestriction, DateWindow, DocumentId, OrganizationId, RecordOwner, Role,
        SharingPolicy,
    };

    use super::*;
    use crate::ErrorCode;
    use crate::decisions::given::{Given, given};

    /// An agency of the given CoC: its case manager and a rapid re-housing program operating
    /// since 2020.
    pub(crate) struct Agency {
        pub(crate) org: OrganizationId,
        pub(crate) cm: Session,
        pub(crate) program: ProgramId,
    }

    pub(crate) fn agency(g: &mut Given, name: &str) -> Agency {
        let org = g.organization(name);
        let cm = g.user(org, Role::CaseManager);
        let program = g.id();
        let admin = g.admin();
        g.run(
            &admin,
            &CreateProgram {
                id: program,
                organization: org,
                name: format!("{name} RRH"),
                project_type: ProjectType::RapidReHousing,
                operating: Some(DateWindow::open(date("2020-01-01"))),
                source_id: None,
            },
        );
        Agency { org, cm, program }
    }

    /// A client whose intake `staff`'s organization took (the intake command is not this
    /// area's, so its event is given as recorded).
    pub(crate) fn client(
        g: &mut Given,
        staff: &Session,
        dob: Option<&str>,
        sex: Option<Sex>,
        restriction: ClientRestriction,
    ) -> ClientId {
        let id = g.id();
        g.apply(
            staff,
            ClientIntakeRecorded {
                client_id: id,
                organization_id: staff.organization(),
                name: Pii::new(PersonName {
                    first: "Ana".into(),
                    middle: String::new(),
                    last: "Diaz".into(),
                    suffix: String::new(),
                }),
                name_data_quality: DataQuality::Full,
                ssn: Pii::new(String::new()),
                ssn_data_quality: DataQuality::DataNotCollected,
                dob: Pii::new(dob.map(date)),
                dob_data_quality: DataQuality::Full,
                race_ethnicity: Vec::new(),
                race_none: None,
                additional_race_ethnicity: Pii::new(String::new()),
                sex,
                genders: Vec::new(),
                gender_none: None,
                different_identity_text: Pii::new(String::new()),
                veteran_status: NoYesReasons::No,
                address: Pii::new(None),
                restriction,
                source_id: None,
                hash_status: caseledger_core::hud::HashStatus::Unhashed,
            },
        );
        id
    }

    /// A client of `a` shared with everyone, born in 1990.
    pub(crate) fn shared_client(g: &mut Given, a: &Agency) -> ClientId {
        client(
            g,
            &a.cm,
            Some("1990-04-02"),
            Some(Sex::Female),
            ClientRestriction::ShareGlobally,
        )
    }

    pub(crate) fn enroll(
        id: EnrollmentId,
        client: ClientId,
        a: &Agency,
        entry: &str,
    ) -> EnrollClient {
        EnrollClient {
            id,
            client,
            program: a.program,
            entry_date: date(entry),
            household: None,
            relationship: RelationshipToHoH::SelfHeadOfHousehold,
            living_situation: None,
            rental_subsidy_type: None,
            disabling_condition: NoYesReasons::No,
            enrollment_coc: None,
            move_in_date: None,
            case_manager: None,
            restriction: Some(TransactionRestriction::Unrestricted),
            imported: None,
        }
    }

    /// `a`'s client enrolled in its program from 2026-06-01.
    fn enrolled(g: &mut Given, a: &Agency) -> (ClientId, EnrollmentId) {
        let c = shared_client(g, a);
        let e = g.id();
        g.run(&a.cm, &enroll(e, c, a, "2026-06-01"));
        (c, e)
    }

    fn exit(enrollment: EnrollmentId, on: &str) -> ExitEnrollment {
        ExitEnrollment {
            enrollment,
            exit_date: date(on),
            destination: Some(Destination::RentalNoSubsidy),
            destination_subsidy_type: None,
            other_destination: String::new(),
            whole_household: false,
            source_id: None,
        }
    }

    fn by(s: &Session) -> RecordOwner {
        s.owner()
    }

    // Households.

    #[test]
    fn staff_form_a_household_from_today_by_default() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let head = shared_client(&mut g, &a);
        let id = g.id();
        let cmd = CreateHousehold {
            id,
            head,
            date: None,
            source_id: None,
        };
        g.when(&a.cm, &cmd).then(vec![
            HouseholdCreated {
                household_id: id,
                head,
                owner: by(&a.cm),
                date: g.today(),
                source_id: None,
            }
            .into(),
        ]);
    }

    #[test]
    fn a_household_is_refused_to_non_staff_an_unseen_head_and_a_future_date() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let b = agency(&mut g, "SCAP");
        let head = shared_client(&mut g, &a);
        let private = client(
            &mut g,
            &b.cm,
            None,
            None,
            ClientRestriction::RestrictToOrganization,
        );
        let cmd = |head, date: Option<&str>| CreateHousehold {
            id: HouseholdId::new(99),
            head,
            date: date.map(caseledger_core::testkit::date),
            source_id: None,
        };
        g.when(&g.admin(), &cmd(head, None))
            .then_refused(ErrorCode::Forbidden, None);
        g.when(&a.cm, &cmd(private, None))
            .then_refused(ErrorCode::NotFound, Some("headClientId"));
        g.when(&a.cm, &cmd(head, Some("2026-12-02")))
            .then_refused(ErrorCode::Validation, Some("date"));
    }

    pub(crate) fn household_of(g: &mut Given, a: &Agency) -> (HouseholdId, ClientId, ClientId) {
        let head = shared_client(g, a);
        let child = client(
            g,
            &a.cm,
            Some("2016-09-01"),
            Some(Sex::Male),
            ClientRestriction::ShareGlobally,
        );
        let household = g.id();
        g.run(
            &a.cm,
            &CreateHousehold {
                id: household,
                head,
                date: Some(date("2026-01-01")),
                source_id: None,
            },
        );
        g.run(
            &a.cm,
            &AddHouseholdMember {
                household,
                client: child,
                relationship: RelationshipToHoH::Child,
                joined: Some(date("2026-01-01")),
            },
        );
        (household, head, child)
    }

    #[test]
    fn a_member_joins_a_household() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let (household, _, _) = household_of(&mut g, &a);
        let partner = shared_client(&mut g, &a);
        let cmd = AddHouseholdMember {
            household,
            client: partner,
            relationship: RelationshipToHoH::SpouseOrPartner,
            joined: Some(date("2026-02-01")),
        };
        g.when(&a.cm, &cmd).then(vec![
            HouseholdMemberAdded {
                household_id: household,
                client_id: partner,
                relationship: RelationshipToHoH::SpouseOrPartner,
                owner: by(&a.cm),
                joined: date("2026-02-01"),
            }
            .into(),
        ]);
    }

    #[test]
    fn a_member_is_refused_as_a_second_head_twice_or_in_an_unknown_household() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let (household, _, child) = household_of(&mut g, &a);
        let other = shared_client(&mut g, &a);
        let cmd = |household, client, relationship, joined: Option<&str>| AddHouseholdMember {
            household,
            client,
            relationship,
            joined: joined.map(date),
        };
        let partner = RelationshipToHoH::SpouseOrPartner;
        g.when(&g.admin(), &cmd(household, other, partner, None))
            .then_refused(ErrorCode::Forbidden, None);
        g.when(
            &a.cm,
            &cmd(
                household,
                other,
                RelationshipToHoH::SelfHeadOfHousehold,
                None,
            ),
        )
        .then_refused(ErrorCode::Validation, Some("relationship"));
        g.when(&a.cm, &cmd(HouseholdId::new(99), other, partner, None))
            .then_refused(ErrorCode::NotFound, Some("householdId"));
        g.when(&a.cm, &cmd(household, other, partner, Some("2027-01-01")))
            .then_refused(ErrorCode::Validation, Some("joined"));
        g.when(&a.cm, &cmd(household, child, partner, None))
            .then_refused(ErrorCode::Conflict, Some("clientId"));
    }

    // Enrollments.

    #[test]
    fn staff_enroll_a_client_with_the_policy_default_restriction() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let c = shared_client(&mut g, &a);
        let id = g.id();
        let cmd = EnrollClient {
            restriction: None,
            enrollment_coc: Some("CA-502".into()),
            case_manager: Some(a.cm.user()),
            ..enroll(id, c, &a, "2026-06-01")
        };
        g.when(&a.cm, &cmd).then(vec![
            ClientEnrolled {
                enrollment_id: id,
                client_id: c,
                program_id: a.program,
                owner: by(&a.cm),
                entry_date: date("2026-06-01"),
                household_id: None,
                relationship_to_hoh: RelationshipToHoH::SelfHeadOfHousehold,
                living_situation: None,
                rental_subsidy_type: None,
                disabling_condition: NoYesReasons::No,
                enrollment_coc: Some("CA-502".into()),
                move_in_date: None,
                case_manager: Some(a.cm.user()),
                restriction: SharingPolicy::clienttrack("UTC")
                    .default_restriction_for(RecordKind::Enrollment, None),
                source_id: None,
            }
            .into(),
        ]);
    }

    #[test]
    fn an_enrollment_is_refused_by_field() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let b = agency(&mut g, "SCAP");
        let (c, _) = enrolled(&mut g, &a);
        let fresh = shared_client(&mut g, &a);
        let base = enroll(EnrollmentId::new(99), fresh, &a, "2026-06-01");
        let refused = |cmd: EnrollClient, code, field| {
            g.when(&a.cm, &cmd).then_refused(code, field);
        };
        refused(
            EnrollClient {
                enrollment_coc: Some("ca-502".into()),
                ..base.clone()
            },
            ErrorCode::Validation,
            Some("enrollmentCoc"),
        );
        refused(
            EnrollClient {
                program: ProgramId::new(99),
                ..base.clone()
            },
            ErrorCode::NotFound,
            Some("programId"),
        );
        refused(
            EnrollClient {
                program: b.program,
                ..base.clone()
            },
            ErrorCode::Forbidden,
            None,
        );
        refused(
            EnrollClient {
                entry_date: date("2019-12-31"),
                ..base.clone()
            },
            ErrorCode::Validation,
            Some("entryDate"),
        );
        refused(
            EnrollClient {
                client: c,
                entry_date: date("2026-07-01"),
                ..base.clone()
            },
            ErrorCode::Conflict,
            Some("entryDate"),
        );
        refused(
            EnrollClient {
                move_in_date: Some(date("2026-05-31")),
                ..base.clone()
            },
            ErrorCode::Validation,
            Some("moveInDate"),
        );
        refused(
            EnrollClient {
                case_manager: Some(b.cm.user()),
                ..base.clone()
            },
            ErrorCode::NotFound,
            Some("caseManagerId"),
        );
        refused(
            EnrollClient {
                relationship: RelationshipToHoH::Child,
                ..base.clone()
            },
            ErrorCode::Validation,
            Some("relationshipToHoH"),
        );
        g.when(&g.admin(), &base)
            .then_refused(ErrorCode::Forbidden, None);
    }

    #[test]
    fn an_imported_enrollment_of_a_headless_household_keeps_its_relationship() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let c = shared_client(&mut g, &a);
        let cmd = EnrollClient {
            relationship: RelationshipToHoH::DataNotCollected,
            imported: Some(ImportedEnrollment {
                source_id: "E-1".into(),
                headless_household: true,
            }),
            ..enroll(EnrollmentId::new(99), c, &a, "2026-06-01")
        };
        let decided = g.when(&a.cm, &cmd).decided();
        let [Event::ClientEnrolled(e)] = decided.events.as_slice() else {
            panic!("one enrollment: {:?}", decided.events);
        };
        assert_eq!(e.source_id.as_deref(), Some("E-1"));
        assert_eq!(e.relationship_to_hoh, RelationshipToHoH::DataNotCollected);
    }

    #[test]
    fn an_export_s_dates_before_the_client_s_birth_import_but_staff_s_do_not() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        // Born 1990-04-02.
        let c = shared_client(&mut g, &a);
        let staff = enroll(EnrollmentId::new(98), c, &a, "1989-01-10");
        g.when(&a.cm, &staff)
            .then_refused(ErrorCode::Validation, Some("entryDate"));
        let imported = EnrollClient {
            imported: Some(ImportedEnrollment {
                source_id: "E-1".into(),
                headless_household: false,
            }),
            ..enroll(g.id(), c, &a, "1989-01-10")
        };
        g.run(&a.cm, &imported);
        let service = |source_id: Option<&str>| RecordService {
            id: caseledger_core::ServiceId::new(97),
            client: c,
            enrollment: Some(imported.id),
            date: date("1989-02-01"),
            service_type: ServiceTypeCode {
                record_type: 144,
                type_provided: 1,
            },
            description: String::new(),
            restriction: None,
            source_id: source_id.map(String::from),
        };
        g.when(&a.cm, &service(None))
            .then_refused(ErrorCode::Validation, Some("date"));
        g.when(&a.cm, &service(Some("S-1"))).decided();
        g.when(&a.cm, &exit(imported.id, "1989-03-01"))
            .then_refused(ErrorCode::Validation, Some("exitDate"));
        let exit_imported = ExitEnrollment {
            source_id: Some("X-1".into()),
            ..exit(imported.id, "1989-03-01")
        };
        g.when(&a.cm, &exit_imported).decided();
    }

    #[test]
    fn a_household_enrolls_head_first_each_member_as_what_they_are() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let (household, head, child) = household_of(&mut g, &a);
        let stranger = shared_client(&mut g, &a);
        let member = |client, relationship| EnrollClient {
            household: Some(household),
            relationship,
            ..enroll(EnrollmentId::new(99), client, &a, "2026-06-01")
        };
        g.when(&a.cm, &member(child, RelationshipToHoH::Child))
            .then_refused(ErrorCode::Validation, Some("householdId"));
        g.when(&a.cm, &member(stranger, RelationshipToHoH::Child))
            .then_refused(ErrorCode::Validation, Some("householdId"));
        g.when(
            &a.cm,
            &member(child, RelationshipToHoH::SelfHeadOfHousehold),
        )
        .then_refused(ErrorCode::Validation, Some("relationshipToHoH"));
        g.when(&a.cm, &member(head, RelationshipToHoH::Child))
            .then_refused(ErrorCode::Validation, Some("relationshipToHoH"));
        let head_enrollment = EnrollClient {
            id: g.id(),
            ..member(head, RelationshipToHoH::SelfHeadOfHousehold)
        };
        g.run(&a.cm, &head_enrollment);
        g.when(&a.cm, &member(child, RelationshipToHoH::Child))
            .decided();
    }

    // Exits.

    #[test]
    fn an_exit_names_the_enrollment_exited() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let (c, e) = enrolled(&mut g, &a);
        let cmd = ExitEnrollment {
            source_id: Some("X-1".into()),
            ..exit(e, "2026-11-01")
        };
        let exited = g.when(&a.cm, &cmd).then(vec![
            EnrollmentExited {
                enrollment_id: e,
                client_id: c,
                exit_date: date("2026-11-01"),
                destination: Some(Destination::RentalNoSubsidy),
                destination_subsidy_type: None,
                other_destination: Pii::new(String::new()),
                source_id: Some("X-1".into()),
            }
            .into(),
        ]);
        assert_eq!(exited, vec![e]);
    }

    #[test]
    fn a_whole_household_exits_together_the_source_id_on_the_named_exit_only() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let (household, head, child) = household_of(&mut g, &a);
        let (he, ce) = (g.id(), g.id());
        for (id, client, relationship) in [
            (he, head, RelationshipToHoH::SelfHeadOfHousehold),
            (ce, child, RelationshipToHoH::Child),
        ] {
            let cmd = EnrollClient {
                household: Some(household),
                relationship,
                ..enroll(id, client, &a, "2026-06-01")
            };
            g.run(&a.cm, &cmd);
        }
        let cmd = ExitEnrollment {
            whole_household: true,
            source_id: Some("X-1".into()),
            ..exit(he, "2026-11-01")
        };
        let decided = g.when(&a.cm, &cmd).decided();
        assert_eq!(decided.output, vec![he, ce]);
        let sources: Vec<_> = decided
            .events
            .iter()
            .map(|e| match e {
                Event::EnrollmentExited(x) => x.source_id.clone(),
                other => panic!("an exit: {other:?}"),
            })
            .collect();
        assert_eq!(sources, vec![Some("X-1".to_string()), None]);
    }

    #[test]
    fn an_exit_is_refused_by_field() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let b = agency(&mut g, "SCAP");
        let (_, e) = enrolled(&mut g, &a);
        g.when(&g.admin(), &exit(e, "2026-11-01"))
            .then_refused(ErrorCode::Forbidden, None);
        // Another agency, sharing no MOU, cannot see it: as never recorded.
        g.when(&b.cm, &exit(e, "2026-11-01"))
            .then_refused(ErrorCode::NotFound, Some("enrollmentId"));
        g.when(&a.cm, &exit(EnrollmentId::new(99), "2026-11-01"))
            .then_refused(ErrorCode::NotFound, Some("enrollmentId"));
        g.when(&a.cm, &exit(e, "2026-05-31"))
            .then_refused(ErrorCode::Validation, Some("exitDate"));
        g.when(&a.cm, &exit(e, "2026-12-02"))
            .then_refused(ErrorCode::Validation, Some("exitDate"));
        let other = ExitEnrollment {
            other_destination: "Left\0".into(),
            ..exit(e, "2026-11-01")
        };
        g.when(&a.cm, &other)
            .then_refused(ErrorCode::Validation, Some("otherDestination"));
        g.run(&a.cm, &exit(e, "2026-11-01"));
        g.when(&a.cm, &exit(e, "2026-11-02"))
            .then_refused(ErrorCode::Conflict, Some("enrollmentId"));
    }

    // Move-in dates.

    #[test]
    fn a_move_in_date_is_set_within_the_enrollment_once() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let (c, e) = enrolled(&mut g, &a);
        let cmd = |d: Option<&str>| SetMoveInDate {
            enrollment: e,
            move_in_date: d.map(date),
        };
        g.when(&a.cm, &cmd(Some("2026-07-01"))).then(vec![
            EnrollmentMoveInSet {
                enrollment_id: e,
                client_id: c,
                move_in_date: Some(date("2026-07-01")),
            }
            .into(),
        ]);
        g.when(&a.cm, &cmd(None))
            .then_refused(ErrorCode::Conflict, Some("moveInDate"));
        g.when(&a.cm, &cmd(Some("2026-05-31")))
            .then_refused(ErrorCode::Validation, Some("moveInDate"));
        g.when(&g.admin(), &cmd(Some("2026-07-01")))
            .then_refused(ErrorCode::Forbidden, None);
        g.when(
            &a.cm,
            &SetMoveInDate {
                enrollment: EnrollmentId::new(99),
                move_in_date: None,
            },
        )
        .then_refused(ErrorCode::NotFound, Some("enrollmentId"));
    }

    // Services, assessments, notes, documents.

    fn service(id: caseledger_core::ServiceId, client: ClientId, on: &str) -> RecordService {
        RecordService {
            id,
            client,
            enrollment: None,
            date: date(on),
            service_type: ServiceTypeCode {
                record_type: 151,
                type_provided: 2,
            },
            description: "Rent".into(),
            restriction: Some(TransactionRestriction::Unrestricted),
            source_id: None,
        }
    }

    #[test]
    fn a_service_is_recorded() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let (c, e) = enrolled(&mut g, &a);
        let id = g.id();
        let cmd = RecordService {
            enrollment: Some(e),
            source_id: Some("S-1".into()),
            ..service(id, c, "2026-07-01")
        };
        g.when(&a.cm, &cmd).then(vec![
            ServiceRecorded {
                service_id: id,
                client_id: c,
                enrollment_id: Some(e),
                owner: by(&a.cm),
                date: date("2026-07-01"),
                service_type: cmd.service_type,
                description: Pii::new("Rent".into()),
                restriction: TransactionRestriction::Unrestricted,
                source_id: Some("S-1".into()),
            }
            .into(),
        ]);
    }

    #[test]
    fn a_service_is_refused_by_field() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let b = agency(&mut g, "SCAP");
        let (c, e) = enrolled(&mut g, &a);
        let (other_client, _) = enrolled(&mut g, &a);
        let (_, theirs) = enrolled(&mut g, &b);
        let base = service(caseledger_core::ServiceId::new(99), c, "2026-07-01");
        let refused = |cmd: RecordService, code, field| {
            g.when(&a.cm, &cmd).then_refused(code, field);
        };
        refused(
            RecordService {
                description: "\u{1b}[31m".into(),
                ..base.clone()
            },
            ErrorCode::Validation,
            Some("description"),
        );
        refused(
            RecordService {
                service_type: ServiceTypeCode {
                    record_type: 0,
                    type_provided: 2,
                },
                ..base.clone()
            },
            ErrorCode::Validation,
            Some("serviceType"),
        );
        refused(
            RecordService {
                date: date("1990-04-01"),
                ..base.clone()
            },
            ErrorCode::Validation,
            Some("date"),
        );
        refused(
            RecordService {
                enrollment: Some(EnrollmentId::new(98)),
                ..base.clone()
            },
            ErrorCode::NotFound,
            Some("enrollmentId"),
        );
        refused(
            RecordService {
                client: other_client,
                enrollment: Some(e),
                ..base.clone()
            },
            ErrorCode::Validation,
            Some("enrollmentId"),
        );
        refused(
            RecordService {
                enrollment: Some(theirs),
                ..base.clone()
            },
            ErrorCode::NotFound,
            Some("enrollmentId"),
        );
        refused(
            RecordService {
                enrollment: Some(e),
                date: date("2026-05-31"),
                ..base.clone()
            },
            ErrorCode::Validation,
            Some("date"),
        );
        g.when(&g.admin(), &base)
            .then_refused(ErrorCode::Forbidden, None);
    }

    fn assessment(client: ClientId, answers: Vec<AssessmentAnswer>) -> RecordAssessment {
        RecordAssessment {
            id: caseledger_core::AssessmentId::new(99),
            client,
            enrollment: None,
            date: date("2026-07-01"),
            kind: AssessmentKind::IncomeBenefits,
            stage: None,
            answers,
            restriction: None,
            source_id: None,
        }
    }

    fn answer(item: &str, value: AnswerValue) -> AssessmentAnswer {
        AssessmentAnswer {
            item: item.into(),
            value,
        }
    }

    #[test]
    fn an_assessment_is_recorded_with_the_default_for_its_kind() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let c = shared_client(&mut g, &a);
        let answers = vec![answer("IncomeFromAnySource", AnswerValue::Code(1))];
        let cmd = assessment(c, answers.clone());
        g.when(&a.cm, &cmd).then(vec![
            AssessmentRecorded {
                assessment_id: cmd.id,
                client_id: c,
                enrollment_id: None,
                owner: by(&a.cm),
                date: date("2026-07-01"),
                kind: AssessmentKind::IncomeBenefits,
                data_collection_stage: None,
                answers,
                restriction: SharingPolicy::clienttrack("UTC").default_restriction_for(
                    RecordKind::Assessment,
                    Some(AssessmentKind::IncomeBenefits),
                ),
                source_id: None,
            }
            .into(),
        ]);
    }

    #[test]
    fn an_assessment_is_refused_by_field() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let c = shared_client(&mut g, &a);
        let code = || answer("Item", AnswerValue::Code(1));
        let cases = [
            (vec![], "answers"),
            (vec![code(); 501], "answers"),
            (vec![answer(" ", AnswerValue::Code(1))], "answers[0].item"),
            (
                vec![
                    code(),
                    answer("Note", AnswerValue::Text(Pii::new("a\0".into()))),
                ],
                "answers[1].text",
            ),
            (
                vec![answer("FollowUp", AnswerValue::Date(date("2040-01-01")))],
                "answers[0].date",
            ),
        ];
        for (answers, field) in cases {
            g.when(&a.cm, &assessment(c, answers))
                .then_refused(ErrorCode::Validation, Some(field));
        }
        let future = RecordAssessment {
            date: date("2026-12-02"),
            ..assessment(c, vec![code()])
        };
        g.when(&a.cm, &future)
            .then_refused(ErrorCode::Validation, Some("date"));
        g.when(&g.admin(), &assessment(c, vec![code()]))
            .then_refused(ErrorCode::Forbidden, None);
    }

    fn note(client: ClientId, text: &str) -> AddCaseNote {
        AddCaseNote {
            id: CaseNoteId::new(99),
            client,
            enrollment: None,
            date: None,
            text: text.into(),
            restriction: Some(TransactionRestriction::RestrictToUser),
        }
    }

    #[test]
    fn a_case_note_is_dated_today_by_default() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let c = shared_client(&mut g, &a);
        g.when(&a.cm, &note(c, "Called.\r\n\tFollow up."))
            .then(vec![
                CaseNoteAdded {
                    note_id: CaseNoteId::new(99),
                    client_id: c,
                    enrollment_id: None,
                    owner: by(&a.cm),
                    date: g.today(),
                    text: Pii::new("Called.\r\n\tFollow up.".into()),
                    restriction: TransactionRestriction::RestrictToUser,
                }
                .into(),
            ]);
    }

    #[test]
    fn a_case_note_is_refused_by_field() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let b = agency(&mut g, "SCAP");
        let c = shared_client(&mut g, &a);
        let private = client(
            &mut g,
            &b.cm,
            None,
            None,
            ClientRestriction::RestrictToOrganization,
        );
        g.when(&a.cm, &note(c, "  "))
            .then_refused(ErrorCode::Validation, Some("text"));
        g.when(&a.cm, &note(private, "Called."))
            .then_refused(ErrorCode::NotFound, Some("clientId"));
        let dated = AddCaseNote {
            date: Some(date("2026-12-02")),
            ..note(c, "Called.")
        };
        g.when(&a.cm, &dated)
            .then_refused(ErrorCode::Validation, Some("date"));
        g.when(&g.admin(), &note(c, "Called."))
            .then_refused(ErrorCode::Forbidden, None);
    }

    fn document(client: ClientId, name: &str, kind: &str) -> AddDocument {
        AddDocument {
            id: DocumentId::new(99),
            client,
            enrollment: None,
            name: name.into(),
            document_type: kind.into(),
            date: Some(date("2026-11-01")),
            content_sha256: Some([7; 32]),
            restriction: Some(TransactionRestriction::Unrestricted),
        }
    }

    #[test]
    fn a_document_is_recorded_with_its_names_trimmed() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let c = shared_client(&mut g, &a);
        g.when(&a.cm, &document(c, " lease.pdf ", " Lease "))
            .then(vec![
                DocumentAdded {
                    document_id: DocumentId::new(99),
                    client_id: c,
                    enrollment_id: None,
                    owner: by(&a.cm),
                    name: Pii::new("lease.pdf".into()),
                    document_type: "Lease".into(),
                    date: date("2026-11-01"),
                    content_sha256: Some([7; 32]),
                    restriction: TransactionRestriction::Unrestricted,
                }
                .into(),
            ]);
    }

    #[test]
    fn a_document_is_refused_by_field() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let c = shared_client(&mut g, &a);
        g.when(&a.cm, &document(c, "lease\n.pdf", "Lease"))
            .then_refused(ErrorCode::Validation, Some("name"));
        g.when(&a.cm, &document(c, "lease.pdf", ""))
            .then_refused(ErrorCode::Validation, Some("documentType"));
        let dated = AddDocument {
            date: Some(date("1990-04-01")),
            ..document(c, "lease.pdf", "Lease")
        };
        g.when(&a.cm, &dated)
            .then_refused(ErrorCode::Validation, Some("date"));
        g.when(&g.admin(), &document(c, "lease.pdf", "Lease"))
            .then_refused(ErrorCode::Forbidden, None);
    }
}
