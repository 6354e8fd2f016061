//! The client as a viewer may see it, Find Client, and the reads every client-shaped answer
//! goes through (each noting its disclosure).

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use caseledger_core::events::ClientIntakeRecorded;
use caseledger_core::hud::ProjectType;
use caseledger_core::sharing::Viewer;
use caseledger_core::{AccessReason, ClientId, RecordKind, Role};
use caseledger_projections::{ClientCard, ClientQuery, ClientSummary, TransactionSummary};
use caseledger_service::Service;

use crate::convert::{self, Access, ClientRestrictionName, Window, invalid, show};
use crate::disclosure::{self, selected};
use crate::records;
use crate::resolver_context::{actor, service};

/// Intake fields of `Client`; the lists below them note their own records.
const INTAKE_FIELDS: &[&str] = &[
    "id",
    "access",
    "restriction",
    "organizationId",
    "firstName",
    "middleName",
    "lastName",
    "nameSuffix",
    "nameDataQuality",
    "ssn",
    "ssnDataQuality",
    "dob",
    "dobDataQuality",
    "raceEthnicity",
    "raceNone",
    "additionalRaceEthnicity",
    "sex",
    "genders",
    "genderNone",
    "differentIdentityText",
    "veteranStatus",
    "address",
    "enrolledDays",
];

/// Most rows a page of a list may hold.
pub const MAX_PAGE: i32 = 100;

/// The viewer of the request.
pub fn viewer(ctx: &Context<'_>) -> async_graphql::Result<Viewer> {
    let a = actor(ctx)?;
    Ok(Viewer {
        user: a.user,
        organization: a.organization,
        role: a.role,
    })
}

/// Waits (at most 5 s) until the views reflect `min_position`, so a client reads its own
/// writes.
pub async fn wait_for_position(
    service: &Service,
    min_position: Option<i64>,
) -> async_graphql::Result<()> {
    let Some(min) = min_position else {
        return Ok(());
    };
    let min = u64::try_from(min).map_err(|_| invalid("minPosition", "must not be negative"))?;
    if min > service.head().position {
        return Err(invalid(
            "minPosition",
            format!("the log has not reached position {min}"),
        ));
    }
    service
        .wait_for(min, std::time::Duration::from_secs(5))
        .await
        .map_err(|e| {
            crate::error::to_graphql(caseledger_service::CommandError::new(
                caseledger_service::ErrorCode::Internal,
                e.to_string(),
            ))
        })
}

/// A postal address.
#[derive(SimpleObject, InputObject, Clone, Default)]
#[graphql(input_name = "AddressInput")]
pub struct Address {
    /// Street line 1: one line, at most 100 characters.
    #[graphql(default)]
    pub line1: String,
    /// Street line 2: one line, at most 100 characters.
    #[graphql(default)]
    pub line2: String,
    /// City: one line, at most 50 characters.
    #[graphql(default)]
    pub city: String,
    /// Two-letter state code.
    #[graphql(default)]
    pub state: String,
    /// ZIP code.
    #[graphql(default)]
    pub zip: String,
}

impl From<caseledger_core::events::Address> for Address {
    fn from(a: caseledger_core::events::Address) -> Self {
        Address {
            line1: a.line1,
            line2: a.line2,
            city: a.city,
            state: a.state,
            zip: a.zip,
        }
    }
}

impl From<Address> for caseledger_core::events::Address {
    fn from(a: Address) -> Self {
        caseledger_core::events::Address {
            line1: a.line1.trim().to_string(),
            line2: a.line2.trim().to_string(),
            city: a.city.trim().to_string(),
            state: a.state.trim().to_uppercase(),
            zip: a.zip.trim().to_string(),
        }
    }
}

/// A client as the viewer may see them: with the profile, or as an id only.
pub struct Client {
    id: ClientId,
    /// The profile; `None` for an id-only client (the viewer's organization recorded something
    /// for the client but may not see the intake).
    summary: Option<ClientSummary>,
    deliberate: bool,
    /// Every record of the client the viewer may see, and the position read, fetched once for
    /// all the lists a query selects.
    records: std::sync::OnceLock<(Vec<TransactionSummary>, u64)>,
}

impl Client {
    fn new(card: ClientCard, deliberate: bool) -> Self {
        Client {
            id: card.id,
            summary: card.profile,
            deliberate,
            records: std::sync::OnceLock::new(),
        }
    }

    /// The intake, when the viewer may see it.
    fn intake(&self) -> Option<&ClientIntakeRecorded> {
        self.summary.as_ref().map(|s| &s.intake)
    }

    /// A value of the intake, when the viewer may see it.
    fn with_intake<T>(&self, f: impl FnOnce(&ClientIntakeRecorded) -> Option<T>) -> Option<T> {
        self.intake().and_then(f)
    }

    /// Notes that the client's record `record` of `kind` was shown (under the intake's rule)
    /// with the fields selected under the current field.
    fn note(
        &self,
        ctx: &Context<'_>,
        kind: RecordKind,
        record: u128,
        fields: &[String],
        position: u64,
    ) {
        let access = self.summary.as_ref().map(|s| s.access);
        disclosure::of(ctx).shown(
            self.id,
            self.deliberate,
            kind,
            record,
            fields.to_vec(),
            access.map_or(AccessReason::OwnOrganization, reason),
            position,
        );
    }

    /// The client's releases of information as the viewer may see them, and the position read.
    fn sharing(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<(caseledger_projections::ClientSharing, u64)> {
        let id = self.id;
        let (sharing, position) =
            service(ctx).read(viewer(ctx)?, |v| (v.sharing(id), v.position()));
        Ok((sharing.unwrap_or_default(), position))
    }

    fn list<T>(
        &self,
        ctx: &Context<'_>,
        kind: RecordKind,
        build: fn(&TransactionSummary) -> Option<T>,
    ) -> async_graphql::Result<Vec<T>> {
        let viewer = viewer(ctx)?;
        let id = self.id;
        let (records, position) = self.records.get_or_init(|| {
            service(ctx).read(viewer, |v| (v.transactions(id, None), v.position()))
        });
        Ok(build_records(
            ctx,
            id,
            kind,
            records,
            *position,
            None,
            self.deliberate,
            build,
        ))
    }
}

/// Reads a client for the viewer, noting the intake fields selected under the current field
/// (`path` leads from it to the client object) as disclosed, or the lookup as denied.
pub fn read_client(
    ctx: &Context<'_>,
    id: ClientId,
    deliberate: bool,
    operation: &str,
) -> async_graphql::Result<Option<Client>> {
    let viewer = viewer(ctx)?;
    let (card, position) = service(ctx).read(viewer, |v| (v.client_card(id), v.position()));
    let collector = disclosure::of(ctx);
    match card {
        Some(card) => {
            note_intake(ctx, &card, deliberate, selected(ctx), position);
            Ok(Some(Client::new(card, deliberate)))
        }
        None => {
            collector.denied(id.as_u128(), operation, position);
            Ok(None)
        }
    }
}

/// Notes the intake fields selected as disclosed; of an id-only client only its id is shown,
/// by the rule that lets an organization see what it recorded.
fn note_intake(
    ctx: &Context<'_>,
    card: &ClientCard,
    deliberate: bool,
    fields: Vec<String>,
    position: u64,
) {
    let fields: Vec<String> = fields
        .into_iter()
        .filter(|f| match card.profile {
            Some(_) => INTAKE_FIELDS.contains(&f.as_str()),
            None => f == "id",
        })
        .collect();
    disclosure::of(ctx).shown(
        card.id,
        deliberate,
        RecordKind::Intake,
        card.id.as_u128(),
        fields,
        card.profile
            .as_ref()
            .map_or(AccessReason::OwnOrganization, |p| reason(p.access)),
        position,
    );
}

fn reason(v: caseledger_core::sharing::Visibility) -> AccessReason {
    v.reason.unwrap_or(AccessReason::OwnOrganization)
}

/// The client's records of `kind` the viewer may see (only `only` when given), built with
/// `build`, each noted as disclosed with the fields selected under the current field.
pub fn read_records<T>(
    ctx: &Context<'_>,
    client: ClientId,
    kind: RecordKind,
    only: Option<u128>,
    deliberate: bool,
    build: fn(&TransactionSummary) -> Option<T>,
) -> async_graphql::Result<Vec<T>> {
    let viewer = viewer(ctx)?;
    let (records, position) = service(ctx).read(viewer, |v| {
        (v.transactions(client, Some(kind)), v.position())
    });
    Ok(build_records(
        ctx, client, kind, &records, position, only, deliberate, build,
    ))
}

/// Builds the records of `kind` among `records` (only `only` when given), noting each as
/// disclosed with the fields selected under the current field.
#[allow(clippy::too_many_arguments)]
fn build_records<T>(
    ctx: &Context<'_>,
    client: ClientId,
    kind: RecordKind,
    records: &[TransactionSummary],
    position: u64,
    only: Option<u128>,
    deliberate: bool,
    build: fn(&TransactionSummary) -> Option<T>,
) -> Vec<T> {
    let fields = selected(ctx);
    let collector = disclosure::of(ctx);
    let mut out = Vec::new();
    for t in records
        .iter()
        .filter(|t| t.kind == kind && only.is_none_or(|id| t.id == id))
    {
        if let Some(built) = build(t) {
            collector.shown(
                client,
                deliberate,
                kind,
                t.id,
                fields.clone(),
                reason(t.access),
                position,
            );
            out.push(built);
        }
    }
    out
}

fn text(value: &caseledger_core::Pii<String>) -> Option<String> {
    value.as_clear().cloned()
}

/// An MOU assignment of the client.
#[derive(SimpleObject)]
pub struct MouAssignment {
    /// The assignment.
    pub id: ID,
    /// The MOU.
    pub mou_id: ID,
    /// When it applies.
    pub window: Window,
}

/// A release exception of the client.
#[derive(SimpleObject)]
pub struct ReleaseException {
    /// The release.
    pub id: ID,
    /// The organization sharing out.
    pub granting_organization_id: ID,
    /// The organization that may see.
    pub accessing_organization_id: ID,
    /// When it applies.
    pub window: Window,
}

/// A member of a household (members the viewer may not see are left out).
#[derive(SimpleObject)]
pub struct HouseholdMember {
    /// The client.
    pub client_id: ID,
    /// HUD relationship to head of household code.
    pub relationship_to_ho_h: i32,
    /// First date of membership.
    pub joined: String,
    /// Last date, once left.
    pub left: Option<String>,
}

/// A household the client belongs to.
#[derive(SimpleObject)]
pub struct Household {
    /// The household.
    pub id: ID,
    /// The head of household, when the viewer may see them.
    pub head_client_id: Option<ID>,
    /// Members the viewer may see.
    pub members: Vec<HouseholdMember>,
}

#[Object]
impl Client {
    /// The HMIS id.
    async fn id(&self) -> ID {
        show(self.id)
    }

    /// True when the viewer sees the client as an id only: the viewer's organization recorded
    /// something for the client but may not see the intake (the client is restricted to its
    /// organization, or the release or MOU that showed it ended). Every intake field is then
    /// null, and the lists below carry exactly the viewer's own records.
    async fn id_only(&self) -> bool {
        self.summary.is_none()
    }

    /// What the viewer may do with the intake, and why; null for an id-only client.
    async fn access(&self) -> Option<Access> {
        self.summary.as_ref().map(|s| Access::of(s.access))
    }

    /// True once the client's identifiers were forgotten (retention or a system
    /// administrator): names, SSN, date of birth, address and free texts are null for good.
    /// Null for an id-only client.
    async fn identifiers_erased(&self) -> Option<bool> {
        self.with_intake(|i| Some(i.name.is_erased()))
    }

    /// Who may see the intake beyond the creating organization, today.
    async fn restriction(&self) -> Option<ClientRestrictionName> {
        self.summary.as_ref().map(|s| s.restriction.into())
    }

    /// The creating organization.
    async fn organization_id(&self) -> Option<ID> {
        self.with_intake(|i| Some(show(i.organization_id)))
    }

    /// First name.
    async fn first_name(&self) -> Option<String> {
        self.with_intake(|i| i.name.as_clear().map(|n| n.first.clone()))
    }

    /// Middle name.
    async fn middle_name(&self) -> Option<String> {
        self.with_intake(|i| i.name.as_clear().map(|n| n.middle.clone()))
    }

    /// Last name.
    async fn last_name(&self) -> Option<String> {
        self.with_intake(|i| i.name.as_clear().map(|n| n.last.clone()))
    }

    /// Name suffix.
    async fn name_suffix(&self) -> Option<String> {
        self.with_intake(|i| i.name.as_clear().map(|n| n.suffix.clone()))
    }

    /// HUD name data quality code.
    async fn name_data_quality(&self) -> Option<i32> {
        self.with_intake(|i| Some(i32::from(i.name_data_quality.code())))
    }

    /// SSN digits; the help desk reads it masked to its last four (`XXX-XX-1234`), as the
    /// client record dashboard prints it.
    async fn ssn(&self) -> Option<String> {
        self.with_intake(|i| text(&i.ssn))
    }

    /// HUD SSN data quality code.
    async fn ssn_data_quality(&self) -> Option<i32> {
        self.with_intake(|i| Some(i32::from(i.ssn_data_quality.code())))
    }

    /// Date of birth.
    async fn dob(&self) -> Option<String> {
        self.with_intake(|i| i.dob.as_clear().copied().flatten().map(|d| d.to_string()))
    }

    /// HUD DOB data quality code.
    async fn dob_data_quality(&self) -> Option<i32> {
        self.with_intake(|i| Some(i32::from(i.dob_data_quality.code())))
    }

    /// HUD race and ethnicity codes.
    async fn race_ethnicity(&self) -> Option<Vec<i32>> {
        self.with_intake(|i| {
            Some(
                i.race_ethnicity
                    .iter()
                    .map(|r| i32::from(r.code()))
                    .collect(),
            )
        })
    }

    /// Why race is missing (HUD code).
    async fn race_none(&self) -> Option<i32> {
        self.with_intake(|i| i.race_none.map(|r| i32::from(r.code())))
    }

    /// Additional race and ethnicity text.
    async fn additional_race_ethnicity(&self) -> Option<String> {
        self.with_intake(|i| text(&i.additional_race_ethnicity))
    }

    /// HUD sex code (FY2026).
    async fn sex(&self) -> Option<i32> {
        self.with_intake(|i| i.sex.map(|s| i32::from(s.code())))
    }

    /// HUD gender codes (FY2024).
    async fn genders(&self) -> Option<Vec<i32>> {
        self.with_intake(|i| Some(i.genders.iter().map(|g| i32::from(g.code())).collect()))
    }

    /// Why gender is missing (FY2024 HUD code).
    async fn gender_none(&self) -> Option<i32> {
        self.with_intake(|i| i.gender_none.map(|g| i32::from(g.code())))
    }

    /// FY2024 different identity text.
    async fn different_identity_text(&self) -> Option<String> {
        self.with_intake(|i| text(&i.different_identity_text))
    }

    /// HUD veteran status code.
    async fn veteran_status(&self) -> Option<i32> {
        self.with_intake(|i| Some(i32::from(i.veteran_status.code())))
    }

    /// Last known address.
    async fn address(&self) -> Option<Address> {
        self.with_intake(|i| i.address.as_clear().cloned().flatten().map(Address::from))
    }

    /// Days enrolled in programs of a HUD project type across every organization, overlapping
    /// enrollments counted once (the HPRP 18-month check); enrollments the viewer may not see
    /// count without being shown.
    async fn enrolled_days(
        &self,
        ctx: &Context<'_>,
        project_type: i32,
    ) -> async_graphql::Result<Option<i32>> {
        let project_type = convert::hud("projectType", project_type, ProjectType::from_code)?;
        let viewer = viewer(ctx)?;
        let id = self.id;
        let days = service(ctx).read(viewer, |v| v.enrolled_days(id, project_type));
        Ok(days.map(|d| i32::try_from(d).unwrap_or(i32::MAX)))
    }

    /// The client's MOU assignments.
    async fn mou_assignments(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<MouAssignment>> {
        let (sharing, position) = self.sharing(ctx)?;
        let fields = selected(ctx);
        Ok(sharing
            .assignments
            .into_iter()
            .map(|a| {
                self.note(
                    ctx,
                    RecordKind::MouAssignment,
                    a.id.as_u128(),
                    &fields,
                    position,
                );
                MouAssignment {
                    id: show(a.id),
                    mou_id: show(a.mou),
                    window: a.window.into(),
                }
            })
            .collect())
    }

    /// The client's release exceptions.
    async fn release_exceptions(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<ReleaseException>> {
        let (sharing, position) = self.sharing(ctx)?;
        let fields = selected(ctx);
        Ok(sharing
            .releases
            .into_iter()
            .map(|r| {
                self.note(
                    ctx,
                    RecordKind::ReleaseException,
                    r.id.as_u128(),
                    &fields,
                    position,
                );
                ReleaseException {
                    id: show(r.id),
                    granting_organization_id: show(r.granting),
                    accessing_organization_id: show(r.accessing),
                    window: r.window.into(),
                }
            })
            .collect())
    }

    /// The households the client belongs to.
    async fn households(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Household>> {
        let id = self.id;
        let (households, position) =
            service(ctx).read(viewer(ctx)?, |v| (v.households(id), v.position()));
        let fields = selected(ctx);
        Ok(households
            .into_iter()
            .map(|h| {
                self.note(
                    ctx,
                    RecordKind::HouseholdMembership,
                    h.id.as_u128(),
                    &fields,
                    position,
                );
                Household {
                    id: show(h.id),
                    head_client_id: h
                        .members
                        .iter()
                        .any(|m| m.client == h.head)
                        .then(|| show(h.head)),
                    members: h
                        .members
                        .iter()
                        .map(|m| HouseholdMember {
                            client_id: show(m.client),
                            relationship_to_ho_h: i32::from(m.relationship.code()),
                            joined: m.joined.to_string(),
                            left: m.left.map(|d| d.to_string()),
                        })
                        .collect(),
                }
            })
            .collect())
    }

    /// Enrollments the viewer may see.
    async fn enrollments(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<records::Enrollment>> {
        self.list(ctx, RecordKind::Enrollment, records::enrollment)
    }

    /// Services the viewer may see.
    async fn services(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<records::ServiceRecord>> {
        self.list(ctx, RecordKind::Service, records::service)
    }

    /// Assessments the viewer may see.
    async fn assessments(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<records::Assessment>> {
        self.list(ctx, RecordKind::Assessment, records::assessment)
    }

    /// Case notes the viewer may see.
    async fn case_notes(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<records::CaseNote>> {
        self.list(ctx, RecordKind::CaseNote, records::case_note)
    }

    /// Documents the viewer may see.
    async fn documents(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<records::Document>> {
        self.list(ctx, RecordKind::Document, records::document)
    }

    /// Shelter stays the viewer may see.
    async fn check_ins(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<records::CheckIn>> {
        self.list(ctx, RecordKind::CheckIn, records::check_in)
    }

    /// Bed reservations the viewer may see.
    async fn reservations(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<records::Reservation>> {
        self.list(ctx, RecordKind::Reservation, records::reservation)
    }

    /// Bar-list entries the viewer may see.
    async fn bar_list(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<records::BarListEntry>> {
        self.list(ctx, RecordKind::BarListEntry, records::bar)
    }
}

/// What Find Client searches by; every given part must match.
#[derive(InputObject, Default)]
pub struct ClientSearch {
    /// Name words (first, middle, last, suffix), each a whole word, any case.
    pub name: Option<String>,
    /// Date of birth (YYYY-MM-DD).
    pub dob: Option<String>,
    /// Last four digits of the SSN.
    pub ssn_last4: Option<String>,
    /// The HMIS id.
    pub client_id: Option<ID>,
}

/// One row of a client list.
#[derive(SimpleObject)]
pub struct ClientEdge {
    /// Pass as `after` to continue after this row.
    pub cursor: String,
    /// The client.
    pub node: Client,
}

/// Where a page ends.
#[derive(SimpleObject)]
pub struct PageInfo {
    /// Whether more rows follow.
    pub has_next_page: bool,
    /// The cursor of the last row.
    pub end_cursor: Option<String>,
}

/// A page of clients (Relay-style).
#[derive(SimpleObject)]
pub struct ClientConnection {
    /// The rows.
    pub edges: Vec<ClientEdge>,
    /// Where the page ends.
    pub page_info: PageInfo,
}

/// Names selected at `path` below the current field.
fn selected_at(ctx: &Context<'_>, path: &[&str]) -> Vec<String> {
    fn walk(field: async_graphql::SelectionField<'_>, path: &[&str], out: &mut Vec<String>) {
        match path.split_first() {
            None => out.extend(field.selection_set().map(|f| f.name().to_string())),
            Some((head, rest)) => {
                for child in field.selection_set().filter(|f| f.name() == *head) {
                    walk(child, rest, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(ctx.field(), path, &mut out);
    out.sort();
    out.dedup();
    out
}

/// Client queries.
#[derive(Default)]
pub struct ClientQueries;

#[Object]
impl ClientQueries {
    /// A client by HMIS id; null when the viewer may not see it, exactly as for an id never
    /// used; an id-only client (`idOnly`) when the viewer may not see the intake but its
    /// organization recorded something for the client. Pass `minPosition` (from a mutation)
    /// to read your own write.
    async fn client(
        &self,
        ctx: &Context<'_>,
        id: ID,
        min_position: Option<i64>,
    ) -> async_graphql::Result<Option<Client>> {
        actor(ctx)?;
        let id: ClientId = convert::id("id", &id)?;
        wait_for_position(service(ctx), min_position).await?;
        read_client(ctx, id, true, "client")
    }

    /// Find Client: clients the viewer may see matching every part of the search, in id
    /// order (a search by HMIS id alone also finds an id-only client; names, date of birth and
    /// SSN never match one), `first` (at most 100) after the cursor `after`. Rows are recorded as incidental
    /// disclosures. The help desk searches by HMIS id here, and by name through
    /// `helpDeskFindClients`.
    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn find_clients(
        &self,
        ctx: &Context<'_>,
        search: ClientSearch,
        #[graphql(default = 20)] first: i32,
        after: Option<String>,
        min_position: Option<i64>,
    ) -> async_graphql::Result<ClientConnection> {
        let a = actor(ctx)?;
        if a.role == Role::HelpDesk && search.client_id.is_none() {
            return Err(crate::error::to_graphql(
                caseledger_service::CommandError::new(
                    caseledger_service::ErrorCode::Forbidden,
                    "the help desk searches by name through helpDeskFindClients, with a reason",
                ),
            ));
        }
        find(ctx, search, first, after, min_position, false).await
    }

    /// The caseload: clients with an enrollment of the viewer's organization that is open or
    /// exited within the last 90 days (the exit date on or after today minus 90 days), and
    /// clients of the viewer's own restrict-to-user records — each as the viewer may see it
    /// (with its profile, or as an id only carrying the organization's own records), in id
    /// order, `first` (at most 100) after the cursor `after`. Rows are recorded as incidental
    /// disclosures, like Find Client's.
    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn caseload(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
        after: Option<String>,
        min_position: Option<i64>,
    ) -> async_graphql::Result<ClientConnection> {
        actor(ctx)?;
        let limit = page_size(first)?;
        let after = cursor(after.as_ref())?;
        wait_for_position(service(ctx), min_position).await?;
        let (rows, position) = service(ctx).read(viewer(ctx)?, |v| {
            (v.caseload(after, limit + 1), v.position())
        });
        Ok(connection(ctx, rows, limit, position, false))
    }

    /// The help desk's search of every client (those restricted to their organization
    /// included), by name, date of birth, SSN last four or HMIS id, when an agency calls about
    /// a record it cannot find. `reason` (the call it answers) is required and kept with the
    /// disclosure record; every row counts as a deliberate access. Help desk only.
    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn help_desk_find_clients(
        &self,
        ctx: &Context<'_>,
        search: ClientSearch,
        #[graphql(
            desc = "The call this search answers: at least 10 characters. Several lines allowed, at most 500 characters."
        )]
        reason: String,
        #[graphql(default = 20)] first: i32,
        after: Option<String>,
    ) -> async_graphql::Result<ClientConnection> {
        let a = actor(ctx)?;
        if a.role != Role::HelpDesk {
            return Err(crate::error::to_graphql(
                caseledger_service::CommandError::new(
                    caseledger_service::ErrorCode::Forbidden,
                    "only the help desk searches every client",
                ),
            ));
        }
        let reason = reason.trim();
        caseledger_core::input::STATED_REASON
            .check(reason)
            .map_err(|e| invalid("reason", e.to_string()))?;
        if reason.chars().count() < 10 {
            return Err(invalid(
                "reason",
                "state why you search (10 to 500 characters), e.g. the agency and the call",
            ));
        }
        disclosure::of(ctx).purpose(reason);
        find(ctx, search, first, after, None, true).await
    }
}

/// A page of clients matching `search` for the viewer; rows noted as disclosed, deliberate or
/// incidental.
async fn find(
    ctx: &Context<'_>,
    search: ClientSearch,
    first: i32,
    after: Option<String>,
    min_position: Option<i64>,
    deliberate: bool,
) -> async_graphql::Result<ClientConnection> {
    let limit = page_size(first)?;
    let query = ClientQuery {
        name: search
            .name
            .as_deref()
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_string)
            .collect(),
        dob: convert::opt_date("search.dob", &search.dob)?,
        ssn_last4: match &search.ssn_last4 {
            Some(s) if s.len() == 4 && s.chars().all(|c| c.is_ascii_digit()) => Some(s.clone()),
            Some(_) => return Err(invalid("search.ssnLast4", "four digits")),
            None => None,
        },
        client_id: convert::opt_id("search.clientId", &search.client_id)?,
    };
    if query == ClientQuery::default() {
        return Err(invalid(
            "search",
            "give a name, date of birth, SSN last four or HMIS id",
        ));
    }
    let after = cursor(after.as_ref())?;
    wait_for_position(service(ctx), min_position).await?;
    let (rows, position) = service(ctx).read(viewer(ctx)?, |v| {
        (v.find_client_cards(&query, after, limit + 1), v.position())
    });
    if rows.is_empty()
        && let Some(id) = query.client_id
    {
        // A search by HMIS id is a lookup: one that finds nothing is recorded as denied.
        disclosure::of(ctx).denied(id.as_u128(), "findClients", position);
    }
    Ok(connection(ctx, rows, limit, position, deliberate))
}

/// A page of `rows` (one more than `limit` fetched, to tell whether more follow), each noted as
/// disclosed, deliberate or incidental, with the fields selected under `edges.node`.
fn connection(
    ctx: &Context<'_>,
    mut rows: Vec<ClientCard>,
    limit: usize,
    position: u64,
    deliberate: bool,
) -> ClientConnection {
    let has_next_page = rows.len() > limit;
    rows.truncate(limit);
    let fields = selected_at(ctx, &["edges", "node"]);
    let edges: Vec<ClientEdge> = rows
        .into_iter()
        .map(|card| {
            note_intake(ctx, &card, deliberate, fields.clone(), position);
            ClientEdge {
                cursor: card.id.to_string(),
                node: Client::new(card, deliberate),
            }
        })
        .collect();
    ClientConnection {
        page_info: PageInfo {
            has_next_page,
            end_cursor: edges.last().map(|e| e.cursor.clone()),
        },
        edges,
    }
}

/// Checks a page size: 1 to [`MAX_PAGE`] rows.
fn page_size(first: i32) -> async_graphql::Result<usize> {
    if !(1..=MAX_PAGE).contains(&first) {
        return Err(crate::error::to_graphql(caseledger_service::CommandError {
            code: caseledger_service::ErrorCode::LimitExceeded,
            field: Some("first".into()),
            message: format!("a page holds 1 to {MAX_PAGE} rows"),
        }));
    }
    Ok(usize::try_from(first).unwrap_or(20))
}

/// Reads an `after` cursor of a client list.
fn cursor(after: Option<&String>) -> async_graphql::Result<Option<ClientId>> {
    after
        .map(|c| {
            c.parse()
                .map_err(|_| invalid("after", "not a cursor from this list"))
        })
        .transpose()
}
