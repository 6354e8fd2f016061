//! Mutations that record transactions: households, enrollments and exits, services,
//! assessments, case notes, documents, reservations, check-ins and check-outs, the bar list.
//! Each returns the record it wrote (read through the viewer's view) and the log position.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use caseledger_core::commands::care::{
    AddCaseNote, AddDocument, AddHouseholdMember, CreateHousehold, EnrollClient, ExitEnrollment,
    RecordAssessment, RecordService, SetMoveInDate,
};
use caseledger_core::commands::shelter::{BarClient, CheckIn, CheckOut, ReserveBed};
use caseledger_core::events::{AnswerValue, AssessmentAnswer, BarScope};
use caseledger_core::hud::{
    DataCollectionStage, Destination, LivingSituation, NoYesReasons, RelationshipToHoH,
    RentalSubsidyType, ServiceTypeCode,
};
use caseledger_core::{ClientId, Pii, RecordKind};
use caseledger_service::new_id;

use crate::client::{Client, RecordsWanted, read_client, read_records};
use crate::convert::{self, AssessmentKindName, TransactionRestrictionName, hud, invalid, opt_hud};
use crate::error::to_graphql;
use crate::records;
use crate::resolver_context::{service, session};

/// A record just written, with the log position.
pub struct RecordPayload {
    client: ClientId,
    kind: RecordKind,
    id: u128,
    position: u64,
}

impl RecordPayload {
    fn new(client: ClientId, kind: RecordKind, id: impl Into<ulid::Ulid>, position: u64) -> Self {
        RecordPayload {
            client,
            kind,
            id: id.into().0,
            position,
        }
    }

    fn one<T>(
        &self,
        ctx: &Context<'_>,
        kind: RecordKind,
        build: fn(&caseledger_projections::TransactionSummary) -> Option<T>,
    ) -> async_graphql::Result<Option<T>> {
        if kind != self.kind {
            return Ok(None);
        }
        Ok(read_records(
            ctx,
            RecordsWanted {
                client: self.client,
                kind,
                only: Some(self.id),
                deliberate: true,
            },
            build,
        )?
        .into_iter()
        .next())
    }
}

#[Object]
impl RecordPayload {
    /// The record's id.
    async fn id(&self) -> ID {
        records::record_id(self.id)
    }

    /// The log position written; pass it as `minPosition` to read your own write.
    async fn position(&self) -> u64 {
        self.position
    }

    /// The client.
    async fn client(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Client>> {
        read_client(ctx, self.client, true, "client")
    }

    /// The enrollment, when one was written.
    async fn enrollment(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<records::Enrollment>> {
        self.one(ctx, RecordKind::Enrollment, records::enrollment)
    }

    /// The service, when one was written.
    async fn service(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<records::ServiceRecord>> {
        self.one(ctx, RecordKind::Service, records::service)
    }

    /// The assessment, when one was written.
    async fn assessment(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<records::Assessment>> {
        self.one(ctx, RecordKind::Assessment, records::assessment)
    }

    /// The case note, when one was written.
    async fn case_note(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<records::CaseNote>> {
        self.one(ctx, RecordKind::CaseNote, records::case_note)
    }

    /// The document, when one was written.
    async fn document(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<records::Document>> {
        self.one(ctx, RecordKind::Document, records::document)
    }

    /// The stay, when a check-in or check-out was written.
    async fn check_in(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<records::CheckIn>> {
        self.one(ctx, RecordKind::CheckIn, records::check_in)
    }

    /// The reservation, when one was written.
    async fn reservation(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<records::Reservation>> {
        self.one(ctx, RecordKind::Reservation, records::reservation)
    }

    /// The bar-list entry, when one was written.
    async fn bar_list_entry(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<records::BarListEntry>> {
        self.one(ctx, RecordKind::BarListEntry, records::bar)
    }
}

/// A household just formed or changed.
#[derive(SimpleObject)]
pub struct HouseholdPayload {
    /// The household.
    pub household_id: ID,
    /// The log position written.
    pub position: u64,
}

/// Enrollments just exited.
#[derive(SimpleObject)]
pub struct ExitPayload {
    /// Every enrollment exited (the household's too, when asked).
    pub exited_enrollment_ids: Vec<ID>,
    /// The log position written.
    pub position: u64,
}

/// A new enrollment. HUD codes as in HMIS CSV.
#[derive(InputObject)]
pub struct EnrollClientInput {
    /// The client.
    pub client_id: ID,
    /// One of your organization's programs.
    pub program_id: ID,
    /// Project start date: YYYY-MM-DD, from 1900-01-01 (and not before the client's date of
    /// birth) to today.
    pub entry_date: String,
    /// The household enrolled together.
    pub household_id: Option<ID>,
    /// HUD relationship to head of household (1 self, 2 child, 3 spouse or partner, 4 other
    /// relative, 5 unrelated, 99); self when not given.
    #[graphql(default = 1)]
    pub relationship_to_ho_h: i32,
    /// HUD prior living situation code.
    pub living_situation: Option<i32>,
    /// HUD rental subsidy type (living situation 435).
    pub rental_subsidy_type: Option<i32>,
    /// HUD disabling condition (0, 1, 8, 9, 99).
    #[graphql(default = 99)]
    pub disabling_condition: i32,
    /// CoC code, e.g. CA-502.
    pub enrollment_coc: Option<String>,
    /// Housing move-in date: YYYY-MM-DD, from 1900-01-01 (and not before the client's date of
    /// birth) to today.
    pub move_in_date: Option<String>,
    /// The assigned case manager.
    pub case_manager_id: Option<ID>,
    /// Who may see it beyond your organization; the policy's default if not given.
    pub restriction: Option<TransactionRestrictionName>,
}

/// An exit.
#[derive(InputObject)]
pub struct ExitEnrollmentInput {
    /// The enrollment.
    pub enrollment_id: ID,
    /// Project exit date (not before entry): YYYY-MM-DD, from 1900-01-01 (and not before the
    /// client's date of birth) to today.
    pub exit_date: String,
    /// HUD destination code.
    pub destination: Option<i32>,
    /// HUD destination subsidy type (destination 435).
    pub destination_subsidy_type: Option<i32>,
    /// Text for destination 17 "Other": one line, at most 100 characters.
    #[graphql(default)]
    pub other_destination: String,
    /// Also exit every other member of the household enrolled in the program.
    #[graphql(default = false)]
    pub whole_household: bool,
}

/// A service provided (HUD record type and type provided, as in HMIS CSV Services.csv).
#[derive(InputObject)]
pub struct RecordServiceInput {
    /// The client.
    pub client_id: ID,
    /// The enrollment it was provided under.
    pub enrollment_id: Option<ID>,
    /// YYYY-MM-DD, from 1900-01-01 (and not before the client's date of birth) to today.
    pub date: String,
    /// HUD RecordType.
    pub record_type: i32,
    /// HUD TypeProvided for the record type.
    pub type_provided: i32,
    /// What was provided. Several lines allowed, at most 2000 characters.
    #[graphql(default)]
    pub description: String,
    /// Who may see it beyond your organization; the policy's default if not given.
    pub restriction: Option<TransactionRestrictionName>,
}

/// An assessment and its answers.
#[derive(InputObject)]
pub struct RecordAssessmentInput {
    /// The client.
    pub client_id: ID,
    /// The enrollment it belongs to.
    pub enrollment_id: Option<ID>,
    /// YYYY-MM-DD, from 1900-01-01 (and not before the client's date of birth) to today.
    pub date: String,
    /// What kind of assessment.
    pub kind: AssessmentKindName,
    /// HUD data collection stage.
    pub data_collection_stage: Option<i32>,
    /// The answers, in the order asked.
    pub answers: Vec<AnswerInput>,
    /// Who may see it beyond your organization; the policy's default if not given.
    pub restriction: Option<TransactionRestrictionName>,
}

/// A document's metadata (the content itself is stored elsewhere).
#[derive(InputObject)]
pub struct AddDocumentInput {
    /// The client.
    pub client_id: ID,
    /// The enrollment it belongs to.
    pub enrollment_id: Option<ID>,
    /// The document's name. One line, at most 200 characters.
    pub name: String,
    /// What kind of document. One line, at most 100 characters.
    pub document_type: String,
    /// Default today: YYYY-MM-DD, from 1900-01-01 (and not before the client's date of birth)
    /// to today.
    pub date: Option<String>,
    /// Hex SHA-256 of the stored content.
    pub content_sha256: Option<String>,
    /// Who may see it beyond your organization; the policy's default if not given.
    pub restriction: Option<TransactionRestrictionName>,
}

/// A check-in for tonight: into a bed, or (without one) into a facility.
#[derive(InputObject)]
pub struct CheckInInput {
    /// The client.
    pub client_id: ID,
    /// The facility, when no bed is given.
    pub facility_id: Option<ID>,
    /// The bed.
    pub bed_id: Option<ID>,
    /// The enrollment the stay belongs to.
    pub enrollment_id: Option<ID>,
    /// The reservation this check-in fulfils.
    pub reservation_id: Option<ID>,
    /// Who may see it beyond your organization; the policy's default if not given.
    pub restriction: Option<TransactionRestrictionName>,
}

/// A bar-list entry.
#[derive(InputObject)]
pub struct BarClientInput {
    /// The client.
    pub client_id: ID,
    /// First date barred: YYYY-MM-DD, from 1900-01-01 (and not before the client's date of
    /// birth) to ten years after today.
    pub start: String,
    /// Last date barred (none: until lifted): YYYY-MM-DD, from 1900-01-01 (and not before the
    /// client's date of birth) to ten years after today.
    pub end: Option<String>,
    /// Where the bar applies.
    pub scope: BarScopeName,
    /// The facility or program, for the FACILITY and PROGRAM scopes.
    pub scope_id: Option<ID>,
    /// The organizations that enforce it, for the ALL_ENFORCING_ORGANIZATIONS scope.
    #[graphql(default)]
    pub enforcing_organization_ids: Vec<ID>,
    /// Why. Several lines allowed, at most 2000 characters.
    pub reason: String,
    /// Who may see it beyond your organization; the policy's default if not given.
    pub restriction: Option<TransactionRestrictionName>,
}

/// A bar's scope from its name and, for FACILITY and PROGRAM, the facility's or program's id
/// (`scopeId`).
pub(crate) fn bar_scope(name: BarScopeName, id: Option<&ID>) -> async_graphql::Result<BarScope> {
    let need_id =
        || id.ok_or_else(|| invalid("scopeId", "required for FACILITY and PROGRAM scopes"));
    Ok(match name {
        BarScopeName::Facility => BarScope::Facility(convert::id("scopeId", need_id()?)?),
        BarScopeName::Program => BarScope::Program(convert::id("scopeId", need_id()?)?),
        BarScopeName::Organization => BarScope::Organization,
        BarScopeName::AllEnforcingOrganizations => BarScope::AllEnforcingOrganizations,
    })
}

/// One assessment answer: give `item` and exactly one value.
#[derive(InputObject)]
pub struct AnswerInput {
    /// What was asked (a HUD CSV column name where one exists): one line, at most 100
    /// characters.
    pub item: String,
    /// A list code.
    pub code: Option<i32>,
    /// A yes/no flag.
    pub flag: Option<bool>,
    /// A number (money in cents).
    pub number: Option<i64>,
    /// A date: YYYY-MM-DD, from 1900-01-01 to ten years after today.
    pub date: Option<String>,
    /// Free text: several lines allowed, at most 2000 characters.
    pub text: Option<String>,
}

fn answer(i: usize, a: AnswerInput) -> async_graphql::Result<AssessmentAnswer> {
    let field = format!("answers[{i}]");
    let given = [
        a.code.is_some(),
        a.flag.is_some(),
        a.number.is_some(),
        a.date.is_some(),
        a.text.is_some(),
    ]
    .iter()
    .filter(|x| **x)
    .count();
    if given != 1 {
        return Err(invalid(
            &field,
            "give exactly one of code, flag, number, date, text",
        ));
    }
    let value = if let Some(c) = a.code {
        AnswerValue::Code(
            u16::try_from(c).map_err(|_| invalid(&format!("{field}.code"), "0 to 65535"))?,
        )
    } else if let Some(f) = a.flag {
        AnswerValue::Bool(f)
    } else if let Some(n) = a.number {
        AnswerValue::Number(n)
    } else if let Some(d) = &a.date {
        AnswerValue::Date(convert::date(&format!("{field}.date"), d)?)
    } else {
        AnswerValue::Text(Pii::new(a.text.unwrap_or_default()))
    };
    Ok(AssessmentAnswer {
        item: a.item.trim().to_string(),
        value,
    })
}

/// What a bar keeps the client out of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum BarScopeName {
    /// One facility (`scopeId`).
    Facility,
    /// One program (`scopeId`).
    Program,
    /// Everything your organization runs.
    Organization,
    /// Everything every enforcing organization runs.
    AllEnforcingOrganizations,
}

/// Record mutations.
#[derive(Default)]
pub struct RecordMutations;

#[Object]
impl RecordMutations {
    /// Forms a household with a head of household (from `date`, default today).
    async fn create_household(
        &self,
        ctx: &Context<'_>,
        head_client_id: ID,
        #[graphql(
            desc = "From this date (default today): YYYY-MM-DD, from 1900-01-01 (and not before the client's date of birth) to today."
        )]
        date: Option<String>,
    ) -> async_graphql::Result<HouseholdPayload> {
        let a = session(ctx)?;
        let head = convert::id("headClientId", &head_client_id)?;
        let command = CreateHousehold {
            id: new_id(),
            head,
            date: convert::opt_date("date", &date)?,
            source_id: None,
        };
        let ((), written) = service(ctx).run(a, &command).await.map_err(to_graphql)?;
        Ok(HouseholdPayload {
            household_id: convert::show(command.id),
            position: written.position(),
        })
    }

    /// Adds a member to a household (HUD relationship code, not 1). Any organization that can
    /// see the client.
    async fn add_household_member(
        &self,
        ctx: &Context<'_>,
        household_id: ID,
        client_id: ID,
        relationship_to_ho_h: i32,
        #[graphql(
            desc = "Joined on (default today): YYYY-MM-DD, from 1900-01-01 (and not before the client's date of birth) to today."
        )]
        joined: Option<String>,
    ) -> async_graphql::Result<HouseholdPayload> {
        let a = session(ctx)?;
        let command = AddHouseholdMember {
            household: convert::id("householdId", &household_id)?,
            client: convert::id("clientId", &client_id)?,
            relationship: hud(
                "relationshipToHoH",
                relationship_to_ho_h,
                RelationshipToHoH::from_code,
            )?,
            joined: convert::opt_date("joined", &joined)?,
        };
        let ((), written) = service(ctx).run(a, &command).await.map_err(to_graphql)?;
        Ok(HouseholdPayload {
            household_id,
            position: written.position(),
        })
    }

    /// Enrolls a client in one of your organization's programs.
    async fn enroll_client(
        &self,
        ctx: &Context<'_>,
        input: EnrollClientInput,
    ) -> async_graphql::Result<RecordPayload> {
        let a = session(ctx)?;
        let client: ClientId = convert::id("clientId", &input.client_id)?;
        let command = EnrollClient {
            id: new_id(),
            client,
            program: convert::id("programId", &input.program_id)?,
            entry_date: convert::date("entryDate", &input.entry_date)?,
            household: convert::opt_id("householdId", &input.household_id)?,
            relationship: hud(
                "relationshipToHoH",
                input.relationship_to_ho_h,
                RelationshipToHoH::from_code,
            )?,
            living_situation: opt_hud(
                "livingSituation",
                input.living_situation,
                LivingSituation::from_code,
            )?,
            rental_subsidy_type: opt_hud(
                "rentalSubsidyType",
                input.rental_subsidy_type,
                RentalSubsidyType::from_code,
            )?,
            disabling_condition: hud(
                "disablingCondition",
                input.disabling_condition,
                NoYesReasons::from_code,
            )?,
            enrollment_coc: input.enrollment_coc,
            move_in_date: convert::opt_date("moveInDate", &input.move_in_date)?,
            case_manager: convert::opt_id("caseManagerId", &input.case_manager_id)?,
            restriction: input.restriction.map(Into::into),
            imported: None,
        };
        let ((), written) = service(ctx).run(a, &command).await.map_err(to_graphql)?;
        Ok(RecordPayload::new(
            client,
            RecordKind::Enrollment,
            command.id,
            written.position(),
        ))
    }

    /// Exits an enrollment (optionally with the rest of the household).
    async fn exit_enrollment(
        &self,
        ctx: &Context<'_>,
        input: ExitEnrollmentInput,
    ) -> async_graphql::Result<ExitPayload> {
        let a = session(ctx)?;
        let command = ExitEnrollment {
            enrollment: convert::id("enrollmentId", &input.enrollment_id)?,
            exit_date: convert::date("exitDate", &input.exit_date)?,
            destination: opt_hud("destination", input.destination, Destination::from_code)?,
            destination_subsidy_type: opt_hud(
                "destinationSubsidyType",
                input.destination_subsidy_type,
                RentalSubsidyType::from_code,
            )?,
            other_destination: input.other_destination,
            whole_household: input.whole_household,
            source_id: None,
        };
        let (exited, written) = service(ctx).run(a, &command).await.map_err(to_graphql)?;
        Ok(ExitPayload {
            exited_enrollment_ids: exited.into_iter().map(convert::show).collect(),
            position: written.position(),
        })
    }

    /// Sets, changes or clears (no date) the housing move-in date of an enrollment your
    /// organization owns (HUD 3.20): a date from the entry to today, not after the exit.
    async fn set_move_in_date(
        &self,
        ctx: &Context<'_>,
        enrollment_id: ID,
        #[graphql(
            desc = "YYYY-MM-DD, from 1900-01-01 (and not before the client's date of birth) to today."
        )]
        move_in_date: Option<String>,
    ) -> async_graphql::Result<crate::accounts::WriteResult> {
        let a = session(ctx)?;
        let command = SetMoveInDate {
            enrollment: convert::id("enrollmentId", &enrollment_id)?,
            move_in_date: move_in_date
                .as_deref()
                .map(|d| convert::date("moveInDate", d))
                .transpose()?,
        };
        let ((), written) = service(ctx).run(a, &command).await.map_err(to_graphql)?;
        Ok(crate::accounts::WriteResult {
            position: written.position(),
        })
    }

    /// Records a service (HUD record type and type provided).
    async fn record_service(
        &self,
        ctx: &Context<'_>,
        input: RecordServiceInput,
    ) -> async_graphql::Result<RecordPayload> {
        let a = session(ctx)?;
        let client: ClientId = convert::id("clientId", &input.client_id)?;
        let code = |field: &str, v: i32| {
            u16::try_from(v).map_err(|_| invalid(field, "a HUD code (0 to 65535)"))
        };
        let service_type = ServiceTypeCode {
            record_type: code("recordType", input.record_type)?,
            type_provided: code("typeProvided", input.type_provided)?,
        };
        let command = RecordService {
            id: new_id(),
            client,
            enrollment: convert::opt_id("enrollmentId", &input.enrollment_id)?,
            date: convert::date("date", &input.date)?,
            service_type,
            description: input.description,
            restriction: input.restriction.map(Into::into),
            source_id: None,
        };
        let ((), written) = service(ctx).run(a, &command).await.map_err(to_graphql)?;
        Ok(RecordPayload::new(
            client,
            RecordKind::Service,
            command.id,
            written.position(),
        ))
    }

    /// Records an assessment.
    async fn record_assessment(
        &self,
        ctx: &Context<'_>,
        input: RecordAssessmentInput,
    ) -> async_graphql::Result<RecordPayload> {
        let a = session(ctx)?;
        let client: ClientId = convert::id("clientId", &input.client_id)?;
        let answers = input
            .answers
            .into_iter()
            .enumerate()
            .map(|(i, x)| answer(i, x))
            .collect::<async_graphql::Result<Vec<_>>>()?;
        let command = RecordAssessment {
            id: new_id(),
            client,
            enrollment: convert::opt_id("enrollmentId", &input.enrollment_id)?,
            date: convert::date("date", &input.date)?,
            kind: input.kind.into(),
            stage: opt_hud(
                "dataCollectionStage",
                input.data_collection_stage,
                DataCollectionStage::from_code,
            )?,
            answers,
            restriction: input.restriction.map(Into::into),
            source_id: None,
        };
        let ((), written) = service(ctx).run(a, &command).await.map_err(to_graphql)?;
        Ok(RecordPayload::new(
            client,
            RecordKind::Assessment,
            command.id,
            written.position(),
        ))
    }

    /// Adds a case note (restricted to your organization unless you choose otherwise).
    async fn add_case_note(
        &self,
        ctx: &Context<'_>,
        client_id: ID,
        enrollment_id: Option<ID>,
        #[graphql(
            desc = "Default today: YYYY-MM-DD, from 1900-01-01 (and not before the client's date of birth) to today."
        )]
        date: Option<String>,
        #[graphql(desc = "The note. Several lines allowed, at most 10000 characters.")]
        text: String,
        restriction: Option<TransactionRestrictionName>,
    ) -> async_graphql::Result<RecordPayload> {
        let a = session(ctx)?;
        let client: ClientId = convert::id("clientId", &client_id)?;
        let command = AddCaseNote {
            id: new_id(),
            client,
            enrollment: convert::opt_id("enrollmentId", &enrollment_id)?,
            date: convert::opt_date("date", &date)?,
            text,
            restriction: restriction.map(Into::into),
        };
        let ((), written) = service(ctx).run(a, &command).await.map_err(to_graphql)?;
        Ok(RecordPayload::new(
            client,
            RecordKind::CaseNote,
            command.id,
            written.position(),
        ))
    }

    /// Records a document's metadata (`contentSha256`: hex SHA-256 of the stored content).
    async fn add_document(
        &self,
        ctx: &Context<'_>,
        input: AddDocumentInput,
    ) -> async_graphql::Result<RecordPayload> {
        let a = session(ctx)?;
        let client: ClientId = convert::id("clientId", &input.client_id)?;
        let sha = input
            .content_sha256
            .map(|h| {
                let mut out = [0u8; 32];
                hex::decode_to_slice(h.trim(), &mut out)
                    .map_err(|_| invalid("contentSha256", "64 hex digits"))?;
                Ok::<_, async_graphql::Error>(out)
            })
            .transpose()?;
        let command = AddDocument {
            id: new_id(),
            client,
            enrollment: convert::opt_id("enrollmentId", &input.enrollment_id)?,
            name: input.name,
            document_type: input.document_type,
            date: convert::opt_date("date", &input.date)?,
            content_sha256: sha,
            restriction: input.restriction.map(Into::into),
        };
        let ((), written) = service(ctx).run(a, &command).await.map_err(to_graphql)?;
        Ok(RecordPayload::new(
            client,
            RecordKind::Document,
            command.id,
            written.position(),
        ))
    }

    /// Reserves a bed for a client for the night of `date`.
    async fn reserve_bed(
        &self,
        ctx: &Context<'_>,
        bed_id: ID,
        client_id: ID,
        #[graphql(
            desc = "The night, today or later: YYYY-MM-DD, from 1900-01-01 (and not before the client's date of birth) to ten years after today."
        )]
        date: String,
        restriction: Option<TransactionRestrictionName>,
    ) -> async_graphql::Result<RecordPayload> {
        let a = session(ctx)?;
        let client: ClientId = convert::id("clientId", &client_id)?;
        let command = ReserveBed {
            id: new_id(),
            bed: convert::id("bedId", &bed_id)?,
            client,
            date: convert::date("date", &date)?,
            restriction: restriction.map(Into::into),
        };
        let ((), written) = service(ctx).run(a, &command).await.map_err(to_graphql)?;
        Ok(RecordPayload::new(
            client,
            RecordKind::Reservation,
            command.id,
            written.position(),
        ))
    }

    /// Checks a client in for tonight, into a bed or (without one) a facility.
    async fn check_in(
        &self,
        ctx: &Context<'_>,
        input: CheckInInput,
    ) -> async_graphql::Result<RecordPayload> {
        let a = session(ctx)?;
        let client: ClientId = convert::id("clientId", &input.client_id)?;
        let command = CheckIn {
            id: new_id(),
            client,
            facility: convert::opt_id("facilityId", &input.facility_id)?,
            bed: convert::opt_id("bedId", &input.bed_id)?,
            enrollment: convert::opt_id("enrollmentId", &input.enrollment_id)?,
            reservation: convert::opt_id("reservationId", &input.reservation_id)?,
            restriction: input.restriction.map(Into::into),
            at: service(ctx).now(),
        };
        let ((), written) = service(ctx).run(a, &command).await.map_err(to_graphql)?;
        Ok(RecordPayload::new(
            client,
            RecordKind::CheckIn,
            command.id,
            written.position(),
        ))
    }

    /// Checks a client out of a stay.
    async fn check_out(
        &self,
        ctx: &Context<'_>,
        client_id: ID,
        check_in_id: ID,
    ) -> async_graphql::Result<RecordPayload> {
        let a = session(ctx)?;
        let client: ClientId = convert::id("clientId", &client_id)?;
        let stay: caseledger_core::CheckInId = convert::id("checkInId", &check_in_id)?;
        let command = CheckOut {
            client,
            stay,
            at: service(ctx).now(),
        };
        let ((), written) = service(ctx).run(a, &command).await.map_err(to_graphql)?;
        Ok(RecordPayload::new(
            client,
            RecordKind::CheckIn,
            stay,
            written.position(),
        ))
    }

    /// Puts a client on the bar list.
    async fn bar_client(
        &self,
        ctx: &Context<'_>,
        input: BarClientInput,
    ) -> async_graphql::Result<RecordPayload> {
        let a = session(ctx)?;
        let client: ClientId = convert::id("clientId", &input.client_id)?;
        let scope = bar_scope(input.scope, input.scope_id.as_ref())?;
        let enforcing = input
            .enforcing_organization_ids
            .iter()
            .enumerate()
            .map(|(i, id)| convert::id(&format!("enforcingOrganizationIds[{i}]"), id))
            .collect::<async_graphql::Result<Vec<_>>>()?;
        let command = BarClient {
            id: new_id(),
            client,
            window: convert::window("window", &input.start, &input.end)?,
            scope,
            enforcing,
            reason: input.reason,
            restriction: input.restriction.map(Into::into),
        };
        let ((), written) = service(ctx).run(a, &command).await.map_err(to_graphql)?;
        Ok(RecordPayload::new(
            client,
            RecordKind::BarListEntry,
            command.id,
            written.position(),
        ))
    }
}
