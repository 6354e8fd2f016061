//! The client as a viewer may see it: the `Client` object and its lists.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use caseledger_core::events::ClientIntakeRecorded;
use caseledger_core::hud::HashStatus;
use caseledger_core::hud::ProjectType;
use caseledger_core::{AccessReason, ClientId, RecordKind};
use caseledger_projections::{ClientCard, ClientSummary, TransactionSummary};

use crate::convert::{self, Access, ClientRestrictionName, Window, show};
use crate::disclosure::{self, Shown, selected};
use crate::records;
use crate::resolver_context::{service, session};

use super::read::{RecordsWanted, build_records, note_intake, reason};

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
    pub(crate) fn new(card: ClientCard, deliberate: bool) -> Self {
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

    /// [`Self::with_intake`] for the names and SSN: `None` when they are hashes (a hashed
    /// HMIS export's), which are never shown as names.
    fn with_identifiers<T>(&self, f: impl FnOnce(&ClientIntakeRecorded) -> Option<T>) -> Option<T> {
        self.with_intake(|i| {
            (i.hash_status == HashStatus::Unhashed)
                .then(|| f(i))
                .flatten()
        })
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
            Shown {
                kind,
                id: record,
                fields: fields.to_vec(),
                reason: access.map_or(AccessReason::OwnOrganization, reason),
            },
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
            service(ctx).read(session(ctx)?, |v| (v.sharing(id), v.position()));
        Ok((sharing.unwrap_or_default(), position))
    }

    fn list<T>(
        &self,
        ctx: &Context<'_>,
        kind: RecordKind,
        build: fn(&TransactionSummary) -> Option<T>,
    ) -> async_graphql::Result<Vec<T>> {
        let viewer = session(ctx)?;
        let id = self.id;
        let (records, position) = self.records.get_or_init(|| {
            service(ctx).read(viewer, |v| (v.transactions(id, None), v.position()))
        });
        let wanted = RecordsWanted {
            client: id,
            kind,
            only: None,
            deliberate: self.deliberate,
        };
        Ok(build_records(ctx, wanted, records, *position, build))
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
    let viewer = session(ctx)?;
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

pub(crate) fn text(value: &caseledger_core::Pii<String>) -> Option<String> {
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

    /// The ids of clients merged into this one that the viewer could see (their intake or a
    /// record): each answers as this client. Empty for an id-only client.
    async fn merged_ids(&self) -> Vec<ID> {
        self.summary
            .as_ref()
            .map(|s| s.merged.iter().map(|id| show(*id)).collect())
            .unwrap_or_default()
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
        self.with_identifiers(|i| i.name.as_clear().map(|n| n.first.clone()))
    }

    /// Middle name.
    async fn middle_name(&self) -> Option<String> {
        self.with_identifiers(|i| i.name.as_clear().map(|n| n.middle.clone()))
    }

    /// Last name.
    async fn last_name(&self) -> Option<String> {
        self.with_identifiers(|i| i.name.as_clear().map(|n| n.last.clone()))
    }

    /// Name suffix.
    async fn name_suffix(&self) -> Option<String> {
        self.with_identifiers(|i| i.name.as_clear().map(|n| n.suffix.clone()))
    }

    /// HUD name data quality code.
    async fn name_data_quality(&self) -> Option<i32> {
        self.with_intake(|i| Some(i32::from(i.name_data_quality.code())))
    }

    /// SSN digits; the help desk reads it masked to its last four (`XXX-XX-1234`), as the
    /// client record dashboard prints it.
    async fn ssn(&self) -> Option<String> {
        self.with_identifiers(|i| text(&i.ssn))
    }

    /// Whether the names and SSN were imported as hashes (a hashed HMIS export, HUD
    /// `HashStatus` 2-4): then `firstName`, `middleName`, `lastName`, `nameSuffix` and `ssn`
    /// are null, as a hash is no name.
    async fn identifiers_hashed(&self) -> Option<bool> {
        self.with_intake(|i| Some(i.hash_status != HashStatus::Unhashed))
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

    /// HUD's words for the race and ethnicity codes.
    async fn race_ethnicity_words(&self) -> Option<Vec<String>> {
        self.with_intake(|i| {
            Some(
                i.race_ethnicity
                    .iter()
                    .map(|r| r.words().to_string())
                    .collect(),
            )
        })
    }

    /// HUD sex code (FY2026).
    async fn sex(&self) -> Option<i32> {
        self.with_intake(|i| i.sex.map(|s| i32::from(s.code())))
    }

    /// HUD's words for the sex code.
    async fn sex_words(&self) -> Option<String> {
        self.with_intake(|i| i.sex.map(|s| s.words().to_string()))
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

    /// HUD's words for the veteran status code.
    async fn veteran_status_words(&self) -> Option<String> {
        self.with_intake(|i| Some(i.veteran_status.words().to_string()))
    }

    /// HUD elements of the client beyond the profile's fields (`Client.csv`: a veteran's years
    /// of service, theaters, branch and discharge status, ...); empty without the profile.
    async fn hud_elements(&self) -> Vec<crate::records::HudElementRow> {
        self.summary
            .as_ref()
            .map(|s| crate::records::element_rows(&s.elements))
            .unwrap_or_default()
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
        let viewer = session(ctx)?;
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
            service(ctx).read(session(ctx)?, |v| (v.households(id), v.position()));
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
