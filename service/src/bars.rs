//! Whether the bar list turns a client away: the check that enrolling (care) and checking in or
//! reserving a bed (shelter) share.
//!
//! Its own module because both kinds of command use it, and the shelter's commands also use the
//! care module's enrollment check: kept in either, it would make the two import each other.

use caseledger_core::events::BarScope;
use caseledger_core::{Actor, ClientId, Date, FacilityId, ProgramId};
use caseledger_projections::Projections;

use crate::commands::{CommandError, conflict};

/// Refuses a client barred, on `date`, from what `organization` (and optionally a facility or
/// program of it) runs. Bars are enforced by their owner and the organizations they list.
pub(crate) fn refuse_if_barred(
    p: &Projections,
    actor: &Actor,
    client: ClientId,
    date: Date,
    facility: Option<FacilityId>,
    program: Option<ProgramId>,
) -> Result<(), CommandError> {
    let organization = actor.organization;
    for bar in p.write_model().active_bars(client, date) {
        let enforced =
            bar.owner.organization == organization || bar.enforcing.contains(&organization);
        let in_scope = match bar.scope {
            BarScope::Facility(f) => facility == Some(f),
            BarScope::Program(pr) => program == Some(pr),
            BarScope::Organization => bar.owner.organization == organization,
            BarScope::AllEnforcingOrganizations => true,
        };
        if enforced && in_scope {
            // An enforcing organization may be refused by a bar it may not read (restricted
            // to its owner): then the refusal says only that there is one.
            let readable = p
                .org_view(crate::commands::viewer(actor))
                .visibility(&caseledger_core::sharing::RecordRef::Transaction(
                    bar.bar_id.as_u128(),
                ))
                .level
                != caseledger_core::AccessLevel::None;
            let message = if readable {
                format!(
                    "the client is on the bar list ({} to {})",
                    bar.window.start,
                    bar.window.end.map_or("open".to_string(), |d| d.to_string())
                )
            } else {
                "the client is on the bar list".to_string()
            };
            return Err(conflict("clientId", message));
        }
    }
    Ok(())
}
