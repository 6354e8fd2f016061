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

use crate::commands::{
    check_date, check_text, client_access, conflict, forbidden, not_found, owner,
    require_agency_staff, require_text, viewer,
};
use crate::decisions::shelter::refuse_if_barred;
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
        if let Some(coc) = &self.enrollment_coc {
            let ok = coc.len() == 6
                && coc.as_bytes()[2] == b'-'
                && coc[..2].chars().all(|c| c.is_ascii_uppercase())
                && coc[3..].chars().all(|c| c.is_ascii_digit());
            if !ok {
                return Err(CommandError::validation(
                    "enrollmentCoc",
                    format!("`{coc}` is not a CoC code like CA-502"),
                ));
            }
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
        check_date(p, "entryDate", entry, DateKind::Happened, Some(self.client))?;
        if !program.operating.contains(entry) {
            return Err(CommandError::validation(
                "entryDate",
                format!("the program is not operating on {entry}"),
            ));
        }
        // One enrollment per program at a time holds even against enrollments the actor may
        // not see (a colleague's restrict-to-user one), but only a visible one may be quoted.
        match p
            .org_view(viewer(&actor))
            .overlapping_enrollment(self.client, self.program, entry)
        {
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
            check_date(
                p,
                "moveInDate",
                move_in,
                DateKind::Happened,
                Some(self.client),
            )?;
            if move_in < entry || move_in > p.today() {
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
        check_date(
            p,
            "exitDate",
            self.exit_date,
            DateKind::Happened,
            Some(client),
        )?;
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
        check_date(p, "date", date, DateKind::Happened, Some(client))?;
        check_enrollment_of(p, &actor, client, enrollment, date)?;
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
        if answers.is_empty() {
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
        check_date(p, "date", date, DateKind::Happened, Some(client))?;
        check_enrollment_of(p, &actor, client, enrollment, date)?;
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
        check_enrollment_of(p, &actor, self.client, self.enrollment, date)?;
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
        check_enrollment_of(p, &actor, self.client, self.enrollment, date)?;
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
/// organization's enrollments of the client that covers `date`.
pub(crate) fn check_enrollment_of(
    p: &Projections,
    actor: &Actor,
    client: ClientId,
    enrollment: Option<EnrollmentId>,
    date: Date,
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
    if date < facts.entry || facts.exit.is_some_and(|x| date > x) {
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
