//! Programs, MOUs, shelter facilities and bed availability: what agencies look up about each
//! other (no client data, except the holders of beds the viewer may see), and the setup
//! mutations that create them.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use caseledger_core::commands::setup::{
    AddBed, AddRoom, ChangeMou, CreateFacility, CreateMou, CreateProgram, EndMou,
};
use caseledger_core::events::MouParticipant;
use caseledger_core::hud::ProjectType;
use caseledger_core::{OrganizationId, RecordKind};
use caseledger_projections::{BedStatus, FacilityFacts, MouFacts, ProgramFacts};
use caseledger_service::new_id;

use crate::convert::{self, MouDirectionName, RoomDesignatorName, Window, show};
use crate::disclosure::{self, Shown};
use crate::error::to_graphql;
use crate::resolver_context::{service, session};

/// One value of a HUD code list.
#[derive(SimpleObject)]
pub struct HudCode {
    /// The code as HUD's CSV writes it.
    pub code: String,
    /// HUD's words for it.
    pub words: String,
    /// Still a value in the FY2026 specification (a retired value is only ever shown).
    pub fy2026: bool,
}

impl From<&caseledger_core::hud::lists::ListValue> for HudCode {
    fn from(v: &caseledger_core::hud::lists::ListValue) -> Self {
        HudCode {
            code: v.code.to_string(),
            words: v.text.to_string(),
            fy2026: v.fy2026,
        }
    }
}

/// A program (HUD project).
#[derive(SimpleObject)]
pub struct Program {
    /// The program.
    pub id: ID,
    /// The organization that runs it.
    pub organization_id: ID,
    /// Its name.
    pub name: String,
    /// HUD project type code.
    pub project_type: i32,
    /// HUD's words for the project type ("PH – Rapid Re-Housing").
    pub project_type_words: String,
    /// Operating dates.
    pub operating: Window,
}

impl From<&ProgramFacts> for Program {
    fn from(p: &ProgramFacts) -> Self {
        Program {
            id: show(p.id),
            organization_id: show(p.organization),
            name: p.name.clone(),
            project_type: i32::from(p.project_type.code()),
            project_type_words: p.project_type.words().to_string(),
            operating: p.operating.into(),
        }
    }
}

/// A participant of an MOU.
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(input_name = "MouParticipantInput")]
pub struct Participant {
    /// The organization.
    pub organization_id: ID,
    /// Shares out, may see, or both.
    pub direction: MouDirectionName,
}

/// An MOU (information release agreement).
#[derive(SimpleObject)]
pub struct Mou {
    /// The MOU.
    pub id: ID,
    /// Its number, e.g. `0001`.
    pub number: String,
    /// Its title.
    pub title: String,
    /// Participants.
    pub participants: Vec<Participant>,
    /// When it is active.
    pub window: Window,
}

impl From<&MouFacts> for Mou {
    fn from(m: &MouFacts) -> Self {
        Mou {
            id: show(m.id),
            number: m.number.clone(),
            title: m.title.clone(),
            participants: m
                .participants
                .iter()
                .map(|p| Participant {
                    organization_id: show(p.organization),
                    direction: p.direction.into(),
                })
                .collect(),
            window: m.window.into(),
        }
    }
}

/// A bed.
#[derive(SimpleObject)]
pub struct Bed {
    /// The bed.
    pub id: ID,
    /// Its label.
    pub label: String,
}

/// A room and its beds.
#[derive(SimpleObject)]
pub struct Room {
    /// The room.
    pub id: ID,
    /// Its name.
    pub name: String,
    /// Who it may hold.
    pub designators: Vec<RoomDesignatorName>,
    /// Its beds.
    pub beds: Vec<Bed>,
}

/// A shelter facility.
#[derive(SimpleObject)]
pub struct Facility {
    /// The facility.
    pub id: ID,
    /// The organization that runs it.
    pub organization_id: ID,
    /// The program whose bed nights it produces.
    pub program_id: Option<ID>,
    /// Its name.
    pub name: String,
    /// Its rooms.
    pub rooms: Vec<Room>,
}

impl From<&FacilityFacts> for Facility {
    fn from(f: &FacilityFacts) -> Self {
        Facility {
            id: show(f.id),
            organization_id: show(f.organization),
            program_id: f.program.map(show),
            name: f.name.clone(),
            rooms: f
                .rooms
                .iter()
                .map(|r| Room {
                    id: show(r.id),
                    name: r.name.clone(),
                    designators: r.designators.iter().map(|d| (*d).into()).collect(),
                    beds: r
                        .beds
                        .iter()
                        .map(|(id, label)| Bed {
                            id: show(*id),
                            label: label.clone(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// Whether a bed is free on a night.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "caseledger_projections::BedStatus")]
pub enum BedStatusName {
    /// Nobody holds it.
    Free,
    /// Reserved.
    Reserved,
    /// Someone is staying.
    Occupied,
}

/// One bed on one night.
#[derive(SimpleObject)]
pub struct BedNight {
    /// The facility.
    pub facility_id: ID,
    /// The room.
    pub room_id: ID,
    /// The bed.
    pub bed_id: ID,
    /// Free, reserved or occupied.
    pub status: BedStatusName,
    /// The client holding it, only when the viewer may see that stay or reservation.
    pub client_id: Option<ID>,
    /// The stay or reservation, under the same condition.
    pub record_id: Option<ID>,
}

/// Directory queries.
#[derive(Default)]
pub struct DirectoryQueries;

#[Object]
impl DirectoryQueries {
    /// Every program, optionally of one organization.
    async fn programs(
        &self,
        ctx: &Context<'_>,
        organization_id: Option<ID>,
    ) -> async_graphql::Result<Vec<Program>> {
        session(ctx)?;
        let org: Option<OrganizationId> = convert::opt_id("organizationId", &organization_id)?;
        Ok(service(ctx).catalog(|c| {
            c.programs()
                .filter(|p| org.is_none_or(|o| p.organization == o))
                .map(Program::from)
                .collect()
        }))
    }

    /// One of HUD's code lists (`"1.4"` record types, `"2.02.6"` project types, `"W2.2"`
    /// HOPWA financial assistance, ...): each code with HUD's words, in HUD's order, so a
    /// front end shows and offers HUD's words rather than its codes.
    async fn hud_list(
        &self,
        ctx: &Context<'_>,
        number: String,
    ) -> async_graphql::Result<Vec<HudCode>> {
        session(ctx)?;
        let values = caseledger_core::hud::lists::values(&number).ok_or_else(|| {
            convert::invalid("number", format!("`{number}` is not one of HUD's lists"))
        })?;
        Ok(values.iter().map(HudCode::from).collect())
    }

    /// The types of service HUD lists for a service record type (`recordType`, list 1.4), with
    /// HUD's words: PATH services for 141, SSVF financial assistance for 152, ...; a bed night
    /// (200) is its own only type.
    async fn hud_service_types(
        &self,
        ctx: &Context<'_>,
        record_type: i32,
    ) -> async_graphql::Result<Vec<HudCode>> {
        session(ctx)?;
        let unknown = || {
            convert::invalid(
                "recordType",
                format!("{record_type} is not a HUD record type"),
            )
        };
        let code = u16::try_from(record_type).map_err(|_| unknown())?;
        let kind = caseledger_core::hud::ServiceTypeCode {
            record_type: code,
            type_provided: code,
        };
        let words = kind.record_type_words().ok_or_else(unknown)?;
        Ok(
            match caseledger_core::hud::ServiceTypeCode::type_provided_list(code)
                .and_then(caseledger_core::hud::lists::values)
            {
                Some(values) => values.iter().map(HudCode::from).collect(),
                None => vec![HudCode {
                    code: code.to_string(),
                    words: words.to_string(),
                    fy2026: true,
                }],
            },
        )
    }

    /// Every MOU.
    async fn mous(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Mou>> {
        session(ctx)?;
        Ok(service(ctx).catalog(|c| c.mous().map(Mou::from).collect()))
    }

    /// The MOUs your organization may assign its clients to (`assignMou`): those it grants in
    /// and that have not ended, by number. An MOU where it only receives shares nothing of its
    /// clients, so it is not here.
    async fn assignable_mous(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Mou>> {
        let a = session(ctx)?;
        Ok(service(ctx)
            .assignable_mous(a)
            .iter()
            .map(Mou::from)
            .collect())
    }

    /// Every shelter facility with its rooms and beds.
    async fn facilities(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Facility>> {
        session(ctx)?;
        Ok(service(ctx).catalog(|c| c.facilities().map(Facility::from).collect()))
    }

    /// Every bed on the night of `date` (YYYY-MM-DD): free, reserved or occupied. Beds held by
    /// clients the viewer may not see show as taken without identity.
    async fn bed_availability(
        &self,
        ctx: &Context<'_>,
        date: String,
    ) -> async_graphql::Result<Vec<BedNight>> {
        session(ctx)?;
        let date = convert::date("date", &date)?;
        let (nights, position) =
            service(ctx).read(session(ctx)?, |v| (v.bed_availability(date), v.position()));
        let fields = disclosure::selected(ctx);
        Ok(nights
            .into_iter()
            .map(|n| {
                let holder = n.holder.map(|(client, record, access)| {
                    let kind = if n.status == BedStatus::Reserved {
                        RecordKind::Reservation
                    } else {
                        RecordKind::CheckIn
                    };
                    disclosure::of(ctx).shown(
                        client,
                        false,
                        Shown {
                            kind,
                            id: record,
                            fields: fields.clone(),
                            reason: access
                                .reason
                                .unwrap_or(caseledger_core::AccessReason::OwnOrganization),
                        },
                        position,
                    );
                    (show(client), crate::records::record_id(record))
                });
                BedNight {
                    facility_id: show(n.facility),
                    room_id: show(n.room),
                    bed_id: show(n.bed),
                    status: n.status.into(),
                    client_id: holder.as_ref().map(|h| h.0.clone()),
                    record_id: holder.map(|h| h.1),
                }
            })
            .collect())
    }
}

/// A created program.
#[derive(SimpleObject)]
pub struct ProgramPayload {
    /// The program.
    pub program: Program,
    /// Log position written.
    pub position: u64,
}

/// A created MOU.
#[derive(SimpleObject)]
pub struct MouPayload {
    /// The MOU.
    pub mou: Mou,
    /// Log position written.
    pub position: u64,
}

/// A created or changed facility.
#[derive(SimpleObject)]
pub struct FacilityPayload {
    /// The facility as it is now.
    pub facility: Facility,
    /// The room or bed just added, if any.
    pub added_id: Option<ID>,
    /// Log position written.
    pub position: u64,
}

fn facility_payload(
    ctx: &Context<'_>,
    id: caseledger_core::FacilityId,
    added: Option<ID>,
    position: u64,
) -> async_graphql::Result<FacilityPayload> {
    let facility = service(ctx)
        .catalog(|c| c.facility(id).map(Facility::from))
        .ok_or_else(|| crate::error::internal("the facility vanished"))?;
    Ok(FacilityPayload {
        facility,
        added_id: added,
        position,
    })
}

/// Setup mutations.
#[derive(Default)]
pub struct SetupMutations;

#[Object]
impl SetupMutations {
    /// Sets the CoC's HUD code, which the HMIS CSV export names the implementation by
    /// (`Export.csv` SourceType 1, SourceID this code). System administrators only.
    async fn set_coc_code(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Two letters, a dash and three digits, e.g. CA-502.")] code: String,
    ) -> async_graphql::Result<crate::accounts::WriteResult> {
        let a = session(ctx)?;
        let command = caseledger_core::commands::setup::SetCocCode { code };
        let ((), written) = service(ctx).run(a, &command).await.map_err(to_graphql)?;
        Ok(crate::accounts::WriteResult {
            position: written.position(),
        })
    }

    /// Creates a program of an organization (HUD project type code; operating dates default to
    /// from today). System administrators only.
    async fn create_program(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        #[graphql(desc = "The program's name. One line, at most 200 characters.")] name: String,
        project_type: i32,
        #[graphql(
            desc = "First operating date: YYYY-MM-DD, from 1900-01-01 to ten years after today."
        )]
        operating_start: Option<String>,
        #[graphql(
            desc = "Last operating date: YYYY-MM-DD, from 1900-01-01 to ten years after today."
        )]
        operating_end: Option<String>,
    ) -> async_graphql::Result<ProgramPayload> {
        let a = session(ctx)?;
        let org = convert::id("organizationId", &organization_id)?;
        let project_type = convert::hud("projectType", project_type, ProjectType::from_code)?;
        let operating = match &operating_start {
            Some(start) => Some(convert::window("operating", start, &operating_end)?),
            None => None,
        };
        let command = CreateProgram {
            id: new_id(),
            organization: org,
            name,
            project_type,
            operating,
            source_id: None,
        };
        let ((), written) = service(ctx).run(a, &command).await.map_err(to_graphql)?;
        let program = service(ctx)
            .catalog(|c| c.program(command.id).map(Program::from))
            .ok_or_else(|| crate::error::internal("the program vanished"))?;
        Ok(ProgramPayload {
            program,
            position: written.position(),
        })
    }

    /// Creates an MOU. System administrators only.
    async fn create_mou(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The MOU's number, e.g. 0001. One line, at most 20 characters.")]
        number: String,
        #[graphql(desc = "The MOU's title. One line, at most 200 characters.")] title: String,
        participants: Vec<Participant>,
        #[graphql(
            desc = "First date in force: YYYY-MM-DD, from 1900-01-01 to ten years after today."
        )]
        start: String,
        #[graphql(
            desc = "Last date in force: YYYY-MM-DD, from 1900-01-01 to ten years after today."
        )]
        end: Option<String>,
    ) -> async_graphql::Result<MouPayload> {
        let a = session(ctx)?;
        let window = convert::window("window", &start, &end)?;
        let participants = participants_of(&participants)?;
        let command = CreateMou {
            id: new_id(),
            number,
            title,
            participants,
            window,
        };
        mou_written(ctx, a, &command, command.id).await
    }

    /// Changes an MOU from `effective` on: its title, all its participants and their
    /// directions, or its window (each left out stays). Before that date the MOU is as it was,
    /// so what was shared then stays as it was. System administrators only.
    async fn change_mou(
        &self,
        ctx: &Context<'_>,
        input: ChangeMouInput,
    ) -> async_graphql::Result<MouPayload> {
        let a = session(ctx)?;
        let mou: caseledger_core::MouId = convert::id("mouId", &input.mou_id)?;
        let window = match &input.start {
            Some(start) => Some(convert::window("window", start, &input.end)?),
            None if input.end.is_some() => {
                return Err(convert::invalid("start", "a new window needs its start"));
            }
            None => None,
        };
        let command = ChangeMou {
            mou,
            title: input.title,
            participants: input
                .participants
                .as_deref()
                .map(participants_of)
                .transpose()?,
            window,
            effective: convert::date("effective", &input.effective)?,
        };
        mou_written(ctx, a, &command, mou).await
    }

    /// Ends an MOU: nothing is shared along it after `lastDay` (yesterday by default, so at
    /// once); what it shared until then, and its participants, are unchanged. System
    /// administrators only.
    async fn end_mou(
        &self,
        ctx: &Context<'_>,
        mou_id: ID,
        #[graphql(
            desc = "The last date the MOU is in force: YYYY-MM-DD, from 1900-01-01 to ten years after today."
        )]
        last_day: Option<String>,
    ) -> async_graphql::Result<MouPayload> {
        let a = session(ctx)?;
        let mou: caseledger_core::MouId = convert::id("mouId", &mou_id)?;
        let command = EndMou {
            mou,
            last_day: convert::opt_date("lastDay", &last_day)?,
        };
        mou_written(ctx, a, &command, mou).await
    }

    /// Creates a shelter facility. System administrators, or agency administrators of the
    /// organization that runs it.
    async fn create_facility(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        #[graphql(desc = "The facility's name. One line, at most 200 characters.")] name: String,
        program_id: Option<ID>,
    ) -> async_graphql::Result<FacilityPayload> {
        let a = session(ctx)?;
        let command = CreateFacility {
            id: new_id(),
            organization: convert::id("organizationId", &organization_id)?,
            program: convert::opt_id("programId", &program_id)?,
            name,
        };
        let ((), written) = service(ctx).run(a, &command).await.map_err(to_graphql)?;
        facility_payload(ctx, command.id, None, written.position())
    }

    /// Adds a room to a facility.
    async fn add_room(
        &self,
        ctx: &Context<'_>,
        facility_id: ID,
        #[graphql(desc = "The room's name. One line, at most 100 characters.")] name: String,
        #[graphql(default)] designators: Vec<RoomDesignatorName>,
    ) -> async_graphql::Result<FacilityPayload> {
        let a = session(ctx)?;
        let facility = convert::id("facilityId", &facility_id)?;
        let command = AddRoom {
            id: new_id(),
            facility,
            name,
            designators: designators.into_iter().map(Into::into).collect(),
        };
        let ((), written) = service(ctx).run(a, &command).await.map_err(to_graphql)?;
        facility_payload(ctx, facility, Some(show(command.id)), written.position())
    }

    /// Adds a bed to a room.
    async fn add_bed(
        &self,
        ctx: &Context<'_>,
        room_id: ID,
        #[graphql(desc = "The bed's label. One line, at most 50 characters.")] label: String,
    ) -> async_graphql::Result<FacilityPayload> {
        let a = session(ctx)?;
        let room = convert::id("roomId", &room_id)?;
        let command = AddBed {
            id: new_id(),
            room,
            label,
        };
        let ((), written) = service(ctx).run(a, &command).await.map_err(to_graphql)?;
        let facility = service(ctx)
            .catalog(|c| c.room(room).map(|(f, _)| f.id))
            .ok_or_else(|| crate::error::internal("the room vanished"))?;
        facility_payload(ctx, facility, Some(show(command.id)), written.position())
    }
}

/// MOU participants from their input, each id parsed (naming its position when it is not one).
fn participants_of(participants: &[Participant]) -> async_graphql::Result<Vec<MouParticipant>> {
    participants
        .iter()
        .enumerate()
        .map(|(i, p)| {
            Ok(MouParticipant {
                organization: convert::id(
                    &format!("participants[{i}].organizationId"),
                    &p.organization_id,
                )?,
                direction: p.direction.into(),
            })
        })
        .collect()
}

/// An MOU's change: each field left out stays as it is.
#[derive(async_graphql::InputObject)]
pub struct ChangeMouInput {
    /// The MOU.
    pub mou_id: ID,
    /// The new title. One line, at most 200 characters.
    pub title: Option<String>,
    /// All participants after the change.
    pub participants: Option<Vec<Participant>>,
    /// The new first date in force (alone: no end), YYYY-MM-DD.
    pub start: Option<String>,
    /// The new last date in force (given with `start`), YYYY-MM-DD.
    pub end: Option<String>,
    /// The first date the change applies: YYYY-MM-DD, not before the MOU starts, at most ten
    /// years after today.
    pub effective: String,
}

/// Runs a command that writes an MOU and answers the MOU as the directory now shows it.
async fn mou_written<C: caseledger_service::Command<Output = ()>>(
    ctx: &Context<'_>,
    session: &caseledger_service::Session,
    command: &C,
    mou: caseledger_core::MouId,
) -> async_graphql::Result<MouPayload> {
    let ((), written) = service(ctx)
        .run(session, command)
        .await
        .map_err(to_graphql)?;
    let mou = service(ctx)
        .catalog(|c| c.mou(mou).map(Mou::from))
        .ok_or_else(|| crate::error::internal("the MOU vanished"))?;
    Ok(MouPayload {
        mou,
        position: written.position(),
    })
}
