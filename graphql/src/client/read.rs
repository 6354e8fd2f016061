//! The reads every client-shaped answer goes through, each noting its disclosure.

use async_graphql::Context;
use caseledger_core::{AccessReason, ClientId, RecordKind};
use caseledger_projections::{ClientCard, TransactionSummary};

use crate::convert::invalid;
use crate::disclosure::{self, Shown, selected};
use crate::resolver_context::{service, session};

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
    "raceEthnicityWords",
    "raceNone",
    "additionalRaceEthnicity",
    "sex",
    "sexWords",
    "genders",
    "genderNone",
    "differentIdentityText",
    "veteranStatus",
    "veteranStatusWords",
    "address",
    "enrolledDays",
];

/// Most rows a page of a list may hold.
pub const MAX_PAGE: i32 = 100;

/// Waits (at most 5 s) until the views reflect `min_position`, so a client reads its own
/// writes.
pub async fn wait_for_position(
    ctx: &Context<'_>,
    min_position: Option<i64>,
) -> async_graphql::Result<()> {
    let service = service(ctx);
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
        .wait_visible(session(ctx)?, min, std::time::Duration::from_secs(5))
        .await
        .map_err(|e| {
            crate::error::to_graphql(caseledger_service::CommandError::new(
                caseledger_service::ErrorCode::Internal,
                e.to_string(),
            ))
        })
}

/// Notes the intake fields selected as disclosed; of an id-only client only its id is shown,
/// by the rule that lets an organization see what it recorded.
pub(crate) fn note_intake(
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
        Shown {
            kind: RecordKind::Intake,
            id: card.id.as_u128(),
            fields,
            reason: card
                .profile
                .as_ref()
                .map_or(AccessReason::OwnOrganization, |p| reason(p.access)),
        },
        position,
    );
}

pub(crate) fn reason(v: caseledger_core::sharing::Visibility) -> AccessReason {
    v.reason.unwrap_or(AccessReason::OwnOrganization)
}

/// Which of a client's records a list field shows, and whether the client was opened
/// deliberately (by id) or reached incidentally (in a list), as the disclosure records it.
#[derive(Clone, Copy)]
pub struct RecordsWanted {
    /// The client whose records are shown.
    pub client: ClientId,
    /// The kind of record the field lists.
    pub kind: RecordKind,
    /// Only this record, when the field names one.
    pub only: Option<u128>,
    /// Whether the client was opened by id rather than reached in a list.
    pub deliberate: bool,
}

/// The client's records the viewer may see, as `wanted` names them, built with `build`, each
/// noted as disclosed with the fields selected under the current field.
pub fn read_records<T>(
    ctx: &Context<'_>,
    wanted: RecordsWanted,
    build: fn(&TransactionSummary) -> Option<T>,
) -> async_graphql::Result<Vec<T>> {
    let viewer = session(ctx)?;
    let (records, position) = service(ctx).read(viewer, |v| {
        (
            v.transactions(wanted.client, Some(wanted.kind)),
            v.position(),
        )
    });
    Ok(build_records(ctx, wanted, &records, position, build))
}

/// Builds the records `wanted` names among `records` (read at log `position`), noting each as
/// disclosed with the fields selected under the current field.
pub(crate) fn build_records<T>(
    ctx: &Context<'_>,
    wanted: RecordsWanted,
    records: &[TransactionSummary],
    position: u64,
    build: fn(&TransactionSummary) -> Option<T>,
) -> Vec<T> {
    let RecordsWanted {
        client,
        kind,
        only,
        deliberate,
    } = wanted;
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
                Shown {
                    kind,
                    id: t.id,
                    fields: fields.clone(),
                    reason: reason(t.access),
                },
                position,
            );
            out.push(built);
        }
    }
    out
}
