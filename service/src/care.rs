//! Care commands: households, enrollments and exits, services, assessments, case notes and
//! documents. Each is recorded by agency staff for a client their organization can see, owned
//! by the actor's organization and user, with the restriction the actor chose or the policy's
//! default for the kind of record.

use caseledger_core::events::{
    AssessmentAnswer, AssessmentRecorded, CaseNoteAdded, ClientEnrolled, DocumentAdded,
    EnrollmentExited, EnrollmentMoveInSet, HouseholdCreated, HouseholdMemberAdded, ServiceRecorded,
};
use caseledger_core::hud::{
    DataCollectionStage, Destination, LivingSituation, NoYesReasons, RelationshipToHoH,
    RentalSubsidyType, ServiceTypeCode,
};
use caseledger_core::{
    Actor, AssessmentId, AssessmentKind, CaseNoteId, ClientId, Date, DocumentId, EnrollmentId,
    Event, HouseholdId, Pii, ProgramId, RecordKind, ServiceId, TransactionRestriction, UserId,
};
use caseledger_projections::{EnrollmentFacts, Overlap, Projections};

use crate::Service;
use crate::Session;
use crate::commands::{
    CommandError, Written, check_date, check_text, client_access, conflict, forbidden, new_id,
    not_found, owner, require_agency_staff, require_text, viewer,
};
use caseledger_core::input::{self, DateKind};

/// A new enrollment, as the API receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollmentInput {
    /// The client.
    pub client: ClientId,
    /// The program (run by the actor's organization).
    pub program: ProgramId,
    /// Project start date.
    pub entry_date: Date,
    /// The household enrolled together, if any.
    pub household: Option<HouseholdId>,
    /// Relationship to the head of household (`SelfHeadOfHousehold` when alone).
    pub relationship: RelationshipToHoH,
    /// Prior living situation.
    pub living_situation: Option<LivingSituation>,
    /// Rental subsidy type when the living situation is 435.
    pub rental_subsidy_type: Option<RentalSubsidyType>,
    /// Disabling condition.
    pub disabling_condition: NoYesReasons,
    /// CoC code, e.g. `CA-502`, for heads of household.
    pub enrollment_coc: Option<String>,
    /// Move-in date for permanent housing.
    pub move_in_date: Option<Date>,
    /// The assigned case manager.
    pub case_manager: Option<UserId>,
    /// Who may see it beyond the owner; the policy's default when `None`.
    pub restriction: Option<TransactionRestriction>,
}

/// An exit, as the API receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExitInput {
    /// The enrollment.
    pub enrollment: EnrollmentId,
    /// Project exit date.
    pub exit_date: Date,
    /// Destination.
    pub destination: Option<Destination>,
    /// Destination subsidy type when the destination is 435.
    pub destination_subsidy_type: Option<RentalSubsidyType>,
    /// Text for destination 17 "Other".
    pub other_destination: String,
    /// Also exit every other member of the household still enrolled in the program.
    pub whole_household: bool,
}

/// What a new transaction may refer to: the client, optionally one of the actor's
/// organization's enrollments of the client.
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
        .visibility(&caseledger_core::sharing::RecordRef::Transaction(
            id.as_u128(),
        ))
        .level
        == caseledger_core::AccessLevel::None
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
impl Service {
    /// Forms a household with `head` as head of household, from `date` (today when not given).
    pub async fn create_household(
        &self,
        session: &Session,
        head: ClientId,
        date: Option<Date>,
    ) -> Result<(HouseholdId, Written), CommandError> {
        let actor = session.actor();
        let id: HouseholdId = new_id();
        let written = self
            .execute(actor, |p| decide_household(p, &actor, id, head, date, None))
            .await?;
        Ok((id, written))
    }

    /// Adds a client to a household. Any organization that can see both the client and the
    /// household's head.
    pub async fn add_household_member(
        &self,
        session: &Session,
        household: HouseholdId,
        client: ClientId,
        relationship: RelationshipToHoH,
        joined: Option<Date>,
    ) -> Result<Written, CommandError> {
        let actor = session.actor();
        self.execute(actor, |p| {
            decide_household_member(p, &actor, household, client, relationship, joined)
        })
        .await
    }

    /// Enrolls a client in one of the actor's organization's programs.
    pub async fn enroll_client(
        &self,
        session: &Session,
        input: EnrollmentInput,
    ) -> Result<(EnrollmentId, Written), CommandError> {
        let actor = session.actor();
        let id: EnrollmentId = new_id();
        let written = self
            .execute(actor, |p| {
                decide_enrollment(p, &actor, &input, id, Imported::No)
            })
            .await?;
        Ok((id, written))
    }

    /// Exits an enrollment (and, when asked, every other household member still enrolled in
    /// the same program, on the same date). The owning organization only.
    pub async fn exit_enrollment(
        &self,
        session: &Session,
        input: ExitInput,
    ) -> Result<(Vec<EnrollmentId>, Written), CommandError> {
        let actor = session.actor();
        let mut exited = Vec::new();
        let written = self
            .execute(actor, |p| {
                let (ids, events) = decide_exit(p, &actor, &input, None)?;
                exited = ids;
                Ok(events)
            })
            .await?;
        Ok((exited, written))
    }

    /// Sets, changes or clears (`None`) the housing move-in date of an enrollment. The owning
    /// organization only.
    pub async fn set_move_in_date(
        &self,
        session: &Session,
        enrollment: EnrollmentId,
        move_in_date: Option<Date>,
    ) -> Result<Written, CommandError> {
        let actor = session.actor();
        self.execute(actor, |p| {
            decide_move_in(p, &actor, enrollment, move_in_date)
        })
        .await
    }

    /// Records a service provided to a client.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_service(
        &self,
        session: &Session,
        client: ClientId,
        enrollment: Option<EnrollmentId>,
        date: Date,
        service_type: ServiceTypeCode,
        description: String,
        restriction: Option<TransactionRestriction>,
    ) -> Result<(ServiceId, Written), CommandError> {
        let actor = session.actor();
        let input = ServiceInput {
            client,
            enrollment,
            date,
            service_type,
            description,
            restriction,
        };
        let id: ServiceId = new_id();
        let written = self
            .execute(actor, |p| decide_service(p, &actor, &input, id, None))
            .await?;
        Ok((id, written))
    }

    /// Records an assessment.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_assessment(
        &self,
        session: &Session,
        client: ClientId,
        enrollment: Option<EnrollmentId>,
        date: Date,
        kind: AssessmentKind,
        stage: Option<DataCollectionStage>,
        answers: Vec<AssessmentAnswer>,
        restriction: Option<TransactionRestriction>,
    ) -> Result<(AssessmentId, Written), CommandError> {
        let actor = session.actor();
        let input = AssessmentInput {
            client,
            enrollment,
            date,
            kind,
            stage,
            answers,
            restriction,
        };
        let id: AssessmentId = new_id();
        let written = self
            .execute(actor, |p| decide_assessment(p, &actor, &input, id, None))
            .await?;
        Ok((id, written))
    }
}

/// Whether an enrollment comes from another system's export, and how its household came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Imported {
    /// Recorded here.
    No,
    /// Imported with the exporting system's id.
    Yes {
        /// HUD `EnrollmentID`.
        source_id: String,
        /// The export's household had no single head of household, so the enrollment comes
        /// without a household and keeps the relationship the export recorded (legacy data
        /// often says 99, "data not collected").
        headless_household: bool,
    },
}

/// The events forming a household (the `create_household` command's rules).
pub(crate) fn decide_household(
    p: &Projections,
    actor: &Actor,
    id: HouseholdId,
    head: ClientId,
    date: Option<Date>,
    source_id: Option<String>,
) -> Result<Vec<Event>, CommandError> {
    require_agency_staff(actor, "form households")?;
    client_access(p, actor, head, "headClientId")?;
    let date = date.unwrap_or(p.today());
    check_date(p, "date", date, DateKind::Happened, Some(head))?;
    Ok(vec![
        HouseholdCreated {
            household_id: id,
            head,
            owner: owner(actor),
            date,
            source_id,
        }
        .into(),
    ])
}

/// The event adding a household member (the `add_household_member` command's rules).
pub(crate) fn decide_household_member(
    p: &Projections,
    actor: &Actor,
    household: HouseholdId,
    client: ClientId,
    relationship: RelationshipToHoH,
    joined: Option<Date>,
) -> Result<Vec<Event>, CommandError> {
    require_agency_staff(actor, "change households")?;
    if relationship == RelationshipToHoH::SelfHeadOfHousehold {
        return Err(CommandError::validation(
            "relationship",
            "a household has one head, named when it is formed",
        ));
    }
    let h = p
        .write_model()
        .household(household)
        .ok_or_else(|| not_found("householdId", "household"))?;
    client_access(p, actor, h.head, "householdId")
        .map_err(|_| not_found("householdId", "household"))?;
    client_access(p, actor, client, "clientId")?;
    let joined = joined.unwrap_or(p.today());
    check_date(p, "joined", joined, DateKind::Happened, Some(client))?;
    if h.members
        .iter()
        .any(|m| m.client == client && m.left.is_none())
    {
        return Err(conflict("clientId", "the client is already a member"));
    }
    Ok(vec![
        HouseholdMemberAdded {
            household_id: household,
            client_id: client,
            relationship,
            owner: owner(actor),
            joined,
        }
        .into(),
    ])
}

/// The event enrolling a client (the `enroll_client` command's rules).
pub(crate) fn decide_enrollment(
    p: &Projections,
    actor: &Actor,
    input: &EnrollmentInput,
    id: EnrollmentId,
    imported: Imported,
) -> Result<Vec<Event>, CommandError> {
    require_agency_staff(actor, "enroll clients")?;
    if let Some(coc) = &input.enrollment_coc {
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
    let (source_id, headless_household) = match imported {
        Imported::No => (None, false),
        Imported::Yes {
            source_id,
            headless_household,
        } => (Some(source_id), headless_household),
    };
    let w = p.write_model();
    client_access(p, actor, input.client, "clientId")?;
    let program = w
        .catalog()
        .program(input.program)
        .ok_or_else(|| not_found("programId", "program"))?;
    if program.organization != actor.organization {
        return Err(forbidden(
            "clients are enrolled only in your own organization's programs",
        ));
    }
    let entry = input.entry_date;
    check_date(
        p,
        "entryDate",
        entry,
        DateKind::Happened,
        Some(input.client),
    )?;
    if !program.operating.contains(entry) {
        return Err(CommandError::validation(
            "entryDate",
            format!("the program is not operating on {entry}"),
        ));
    }
    // One enrollment per program at a time holds even against enrollments the actor may not
    // see (a colleague's restrict-to-user one), but only a visible one may be quoted.
    match p
        .org_view(viewer(actor))
        .overlapping_enrollment(input.client, input.program, entry)
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
    if let Some(move_in) = input.move_in_date {
        check_date(
            p,
            "moveInDate",
            move_in,
            DateKind::Happened,
            Some(input.client),
        )?;
    }
    if let Some(move_in) = input.move_in_date
        && (move_in < entry || move_in > p.today())
    {
        return Err(CommandError::validation(
            "moveInDate",
            "between the entry date and today",
        ));
    }
    if let Some(manager) = input.case_manager
        && w.user(manager)
            .is_none_or(|u| u.organization != actor.organization)
    {
        return Err(not_found("caseManagerId", "user in your organization"));
    }
    let is_head = input.relationship == RelationshipToHoH::SelfHeadOfHousehold;
    match input.household {
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
            if !h.has_member(input.client, entry) {
                return Err(CommandError::validation(
                    "householdId",
                    format!("the client is not a member of the household on {entry}"),
                ));
            }
            if is_head != (h.head == input.client) {
                return Err(CommandError::validation(
                    "relationshipToHoH",
                    "SELF exactly for the household's head",
                ));
            }
            let enrolled = household_enrollments(p, household, input.program);
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
    let restriction = restriction_for(p, input.restriction, RecordKind::Enrollment, None);
    Ok(vec![
        ClientEnrolled {
            enrollment_id: id,
            client_id: input.client,
            program_id: input.program,
            owner: owner(actor),
            entry_date: entry,
            household_id: input.household,
            relationship_to_hoh: input.relationship,
            living_situation: input.living_situation,
            rental_subsidy_type: input.rental_subsidy_type,
            disabling_condition: input.disabling_condition,
            enrollment_coc: input.enrollment_coc.clone(),
            move_in_date: input.move_in_date,
            case_manager: input.case_manager,
            restriction,
            source_id,
        }
        .into(),
    ])
}

/// The events exiting an enrollment (the `exit_enrollment` command's rules), with the
/// enrollments exited.
pub(crate) fn decide_exit(
    p: &Projections,
    actor: &Actor,
    input: &ExitInput,
    source_id: Option<String>,
) -> Result<(Vec<EnrollmentId>, Vec<Event>), CommandError> {
    require_agency_staff(actor, "exit enrollments")?;
    check_text(
        "otherDestination",
        &input.other_destination,
        input::SHORT_TEXT,
    )?;
    let (client, facts) = owned_enrollment(p, actor, input.enrollment)?;
    if facts.exit.is_some() {
        return Err(conflict("enrollmentId", "the enrollment is already exited"));
    }
    check_date(
        p,
        "exitDate",
        input.exit_date,
        DateKind::Happened,
        Some(client),
    )?;
    let mut targets = vec![(client, facts.clone())];
    if input.whole_household
        && let Some(household) = facts.household
    {
        // Only members' enrollments the actor may edit: another user's restrict-to-user
        // enrollment is neither exited nor quoted here.
        let view = p.org_view(viewer(actor));
        targets.extend(
            household_enrollments(p, household, facts.program)
                .into_iter()
                .filter(|(_, e)| e.id != facts.id)
                .filter(|(_, e)| {
                    view.visibility(&caseledger_core::sharing::RecordRef::Transaction(
                        e.id.as_u128(),
                    ))
                    .level
                        == caseledger_core::AccessLevel::Edit
                }),
        );
    }
    let mut exited = Vec::new();
    let mut events: Vec<Event> = Vec::new();
    for (client, e) in targets {
        if input.exit_date < e.entry {
            return Err(CommandError::validation(
                "exitDate",
                format!(
                    "{} is before the entry date {} of enrollment {}",
                    input.exit_date, e.entry, e.id
                ),
            ));
        }
        exited.push(e.id);
        events.push(
            EnrollmentExited {
                enrollment_id: e.id,
                client_id: client,
                exit_date: input.exit_date,
                destination: input.destination,
                destination_subsidy_type: input.destination_subsidy_type,
                other_destination: Pii::new(input.other_destination.clone()),
                // The source's ExitID names the exit of the enrollment it was given for.
                source_id: (e.id == facts.id).then(|| source_id.clone()).flatten(),
            }
            .into(),
        );
    }
    Ok((exited, events))
}

/// The event setting an enrollment's move-in date (the `set_move_in_date` command's rules): a
/// date from the entry to today, and not after the exit.
pub(crate) fn decide_move_in(
    p: &Projections,
    actor: &Actor,
    enrollment: EnrollmentId,
    move_in_date: Option<Date>,
) -> Result<Vec<Event>, CommandError> {
    require_agency_staff(actor, "set move-in dates")?;
    let (client, facts) = owned_enrollment(p, actor, enrollment)?;
    if facts.move_in == move_in_date {
        return Err(conflict(
            "moveInDate",
            "the enrollment already has this move-in date",
        ));
    }
    if let Some(date) = move_in_date {
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
    Ok(vec![
        EnrollmentMoveInSet {
            enrollment_id: enrollment,
            client_id: client,
            move_in_date,
        }
        .into(),
    ])
}

/// A service, as a command receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServiceInput {
    pub client: ClientId,
    pub enrollment: Option<EnrollmentId>,
    pub date: Date,
    pub service_type: ServiceTypeCode,
    pub description: String,
    pub restriction: Option<TransactionRestriction>,
}

/// The event recording a service (the `record_service` command's rules).
pub(crate) fn decide_service(
    p: &Projections,
    actor: &Actor,
    input: &ServiceInput,
    id: ServiceId,
    source_id: Option<String>,
) -> Result<Vec<Event>, CommandError> {
    require_agency_staff(actor, "record services")?;
    check_text("description", &input.description, input::FREE_TEXT)?;
    if input.service_type.record_type == 0 || input.service_type.type_provided == 0 {
        return Err(CommandError::validation(
            "serviceType",
            "HUD record type and type provided are positive codes",
        ));
    }
    let (client, enrollment, date) = (input.client, input.enrollment, input.date);
    client_access(p, actor, client, "clientId")?;
    check_date(p, "date", date, DateKind::Happened, Some(client))?;
    check_enrollment_of(p, actor, client, enrollment, date)?;
    let program = enrollment
        .and_then(|e| p.write_model().enrollment(e))
        .map(|(_, e)| e.program);
    crate::bars::refuse_if_barred(p, actor, client, date, None, program)?;
    Ok(vec![
        ServiceRecorded {
            service_id: id,
            client_id: client,
            enrollment_id: enrollment,
            owner: owner(actor),
            date,
            service_type: input.service_type,
            description: Pii::new(input.description.clone()),
            restriction: restriction_for(p, input.restriction, RecordKind::Service, None),
            source_id,
        }
        .into(),
    ])
}

/// An assessment, as a command receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AssessmentInput {
    pub client: ClientId,
    pub enrollment: Option<EnrollmentId>,
    pub date: Date,
    pub kind: AssessmentKind,
    pub stage: Option<DataCollectionStage>,
    pub answers: Vec<AssessmentAnswer>,
    pub restriction: Option<TransactionRestriction>,
}

/// The event recording an assessment (the `record_assessment` command's rules).
pub(crate) fn decide_assessment(
    p: &Projections,
    actor: &Actor,
    input: &AssessmentInput,
    id: AssessmentId,
    source_id: Option<String>,
) -> Result<Vec<Event>, CommandError> {
    require_agency_staff(actor, "record assessments")?;
    let answers = &input.answers;
    if answers.is_empty() {
        return Err(CommandError::validation("answers", "at least one answer"));
    }
    if answers.len() > 500 {
        return Err(CommandError::validation("answers", "at most 500 answers"));
    }
    for (i, a) in answers.iter().enumerate() {
        require_text(&format!("answers[{i}].item"), &a.item, input::SHORT_TEXT)?;
        match &a.value {
            caseledger_core::events::AnswerValue::Text(t) => check_text(
                &format!("answers[{i}].text"),
                t.as_clear().map_or("", |s| s),
                input::FREE_TEXT,
            )?,
            // A date answered may be planned (a follow-up) and may precede the client's birth
            // only in a parent's history, so it gets the rule without the date of birth.
            caseledger_core::events::AnswerValue::Date(d) => check_date(
                p,
                &format!("answers[{i}].date"),
                *d,
                DateKind::Planned,
                None,
            )?,
            _ => {}
        }
    }
    let (client, enrollment, date) = (input.client, input.enrollment, input.date);
    client_access(p, actor, client, "clientId")?;
    check_date(p, "date", date, DateKind::Happened, Some(client))?;
    check_enrollment_of(p, actor, client, enrollment, date)?;
    Ok(vec![
        AssessmentRecorded {
            assessment_id: id,
            client_id: client,
            enrollment_id: enrollment,
            owner: owner(actor),
            date,
            kind: input.kind,
            data_collection_stage: input.stage,
            answers: answers.clone(),
            restriction: restriction_for(
                p,
                input.restriction,
                RecordKind::Assessment,
                Some(input.kind),
            ),
            source_id,
        }
        .into(),
    ])
}

impl Service {
    /// otherwise).
    pub async fn add_case_note(
        &self,
        session: &Session,
        client: ClientId,
        enrollment: Option<EnrollmentId>,
        date: Option<Date>,
        text: String,
        restriction: Option<TransactionRestriction>,
    ) -> Result<(CaseNoteId, Written), CommandError> {
        let actor = session.actor();
        require_agency_staff(&actor, "write case notes")?;
        require_text("text", &text, input::CASE_NOTE)?;
        let id: CaseNoteId = new_id();
        let written = self
            .execute(actor, |p| {
                client_access(p, &actor, client, "clientId")?;
                let date = date.unwrap_or(p.today());
                check_date(p, "date", date, DateKind::Happened, Some(client))?;
                check_enrollment_of(p, &actor, client, enrollment, date)?;
                Ok(vec![
                    CaseNoteAdded {
                        note_id: id,
                        client_id: client,
                        enrollment_id: enrollment,
                        owner: owner(&actor),
                        date,
                        text: Pii::new(text.clone()),
                        restriction: restriction_for(p, restriction, RecordKind::CaseNote, None),
                    }
                    .into(),
                ])
            })
            .await?;
        Ok((id, written))
    }

    /// Records a document's metadata (the content is stored elsewhere; its SHA-256 lets the
    /// stored copy be verified).
    #[allow(clippy::too_many_arguments)]
    pub async fn add_document(
        &self,
        session: &Session,
        client: ClientId,
        enrollment: Option<EnrollmentId>,
        name: String,
        document_type: String,
        date: Option<Date>,
        content_sha256: Option<[u8; 32]>,
        restriction: Option<TransactionRestriction>,
    ) -> Result<(DocumentId, Written), CommandError> {
        let actor = session.actor();
        require_agency_staff(&actor, "add documents")?;
        require_text("name", &name, input::DOCUMENT_NAME)?;
        require_text("documentType", &document_type, input::SHORT_TEXT)?;
        let id: DocumentId = new_id();
        let written = self
            .execute(actor, |p| {
                client_access(p, &actor, client, "clientId")?;
                let date = date.unwrap_or(p.today());
                check_date(p, "date", date, DateKind::Happened, Some(client))?;
                check_enrollment_of(p, &actor, client, enrollment, date)?;
                Ok(vec![
                    DocumentAdded {
                        document_id: id,
                        client_id: client,
                        enrollment_id: enrollment,
                        owner: owner(&actor),
                        name: Pii::new(name.trim().to_string()),
                        document_type: document_type.trim().to_string(),
                        date,
                        content_sha256,
                        restriction: restriction_for(p, restriction, RecordKind::Document, None),
                    }
                    .into(),
                ])
            })
            .await?;
        Ok((id, written))
    }
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
    let access =
        p.org_view(viewer(actor))
            .visibility(&caseledger_core::sharing::RecordRef::Transaction(
                id.as_u128(),
            ));
    match access.level {
        caseledger_core::AccessLevel::None => Err(not_found("enrollmentId", "enrollment")),
        caseledger_core::AccessLevel::Read => Err(forbidden(
            "cannot edit data created by another organization",
        )),
        caseledger_core::AccessLevel::Edit => Ok((client, facts)),
    }
}
