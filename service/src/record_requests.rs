//! Client record requests: a client asks an agency that served them for a copy of their HMIS
//! record; an agency administrator submits the request (HMIS id only), the help desk starts,
//! fulfils (freezing the dashboard at a log position) or denies it within five business days,
//! and the agency records the delivery and any revision the client asks for. The commands'
//! rules are in `crate::decisions::requests`; here are the reads and the calendar.

use caseledger_core::{Actor, Date, Event, OrganizationId, RecordRequestId, Role, Timestamp};
use caseledger_projections::{Projections, RequestFacts, RequestStatus};
use chrono::Datelike;

use crate::Service;
use crate::Session;
use crate::commands::{CommandError, forbidden, not_found};

/// The dashboard's sections, as the help desk and agencies name them in revisions.
pub const SECTIONS: [&str; 4] = [
    "Client Profile",
    "Release of Information",
    "Enrollment History",
    "Client Documentation",
];

/// The date `days` business days after `from`, skipping Saturdays, Sundays and `holidays`.
pub fn business_days_after(from: Date, days: u32, holidays: &[Date]) -> Date {
    let mut date = from;
    let mut left = days;
    while left > 0 {
        date = date.add_days(1).expect("a date within range");
        let weekend = matches!(
            date.to_naive().weekday(),
            chrono::Weekday::Sat | chrono::Weekday::Sun
        );
        if !weekend && !holidays.contains(&date) {
            left -= 1;
        }
    }
    date
}

/// One recorded step of a client record request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestStep {
    /// Its log position.
    pub position: u64,
    /// When it was recorded.
    pub at: Timestamp,
    /// Who recorded it.
    pub actor: Actor,
    /// The record request event, its texts opened (erased once the client was forgotten).
    pub event: Event,
}

/// The request as `actor` may know it. The help desk and system administrators know every
/// request; an agency administrator only their organization's, and another agency's request
/// answers exactly as an id never used, so a request id tells nothing (not even that it
/// exists) to an agency it does not belong to. Roles are checked before this: their refusal
/// never depends on the id.
pub(crate) fn known_request<'p>(
    p: &'p Projections,
    actor: &Actor,
    id: RecordRequestId,
) -> Result<&'p RequestFacts, CommandError> {
    p.write_model()
        .record_request(id)
        .ok_or_else(|| not_found("requestId", "client record request"))
        .and_then(|r| match actor.role {
            Role::HelpDesk | Role::SystemAdmin => Ok(r),
            _ if r.organization == actor.organization => Ok(r),
            _ => Err(not_found("requestId", "client record request")),
        })
}

impl Service {
    /// What happened to a request, step by step as recorded (who, when, and what they wrote:
    /// the agreed and the used delivery method, the reason for another one, the denial reason,
    /// each revision's section and description). For the help desk, system administrators and
    /// the requesting agency's administrators; another agency's request is `NOT_FOUND`.
    pub fn record_request_history(
        &self,
        session: &Session,
        id: RecordRequestId,
    ) -> Result<Vec<RequestStep>, CommandError> {
        let actor = &session.actor();
        if !matches!(
            actor.role,
            Role::HelpDesk | Role::SystemAdmin | Role::AgencyAdmin
        ) {
            return Err(forbidden("your role does not see client record requests"));
        }
        let positions = self.with_projections(|p| {
            known_request(p, actor, id)?;
            Ok::<_, CommandError>(p.request_positions(id).unwrap_or_default().client_events)
        })?;
        let mut steps = Vec::new();
        for (position, envelope) in self.read_envelopes(&positions)? {
            let about = match &envelope.event {
                Event::RecordRequestSubmitted(e) => e.request_id,
                Event::RecordRequestStarted(e) => e.request_id,
                Event::RecordRequestFulfilled(e) => e.request_id,
                Event::RecordRequestDelivered(e) => e.request_id,
                Event::RecordRequestDenied(e) => e.request_id,
                Event::RecordRevisionRequested(e) => e.request_id,
                _ => continue,
            };
            if about == id {
                steps.push(RequestStep {
                    position,
                    at: envelope.recorded_at,
                    actor: envelope.actor,
                    event: envelope.event,
                });
            }
        }
        Ok(steps)
    }

    /// The help desk queue (help desk and system administrators: every request) or an
    /// agency's own requests (its administrators), overdue first, then by due date.
    pub fn record_requests(
        &self,
        session: &Session,
        status: Option<RequestStatus>,
        overdue_only: bool,
        organization: Option<OrganizationId>,
    ) -> Result<Vec<RequestFacts>, CommandError> {
        let actor = &session.actor();
        let own = match actor.role {
            Role::HelpDesk | Role::SystemAdmin => None,
            Role::AgencyAdmin => Some(actor.organization),
            _ => return Err(forbidden("your role does not see client record requests")),
        };
        self.with_projections(|p| {
            let today = p.today();
            let mut list: Vec<RequestFacts> = p
                .write_model()
                .record_requests()
                .filter(|r| own.is_none_or(|o| r.organization == o))
                .filter(|r| organization.is_none_or(|o| r.organization == o))
                .filter(|r| status.is_none_or(|s| r.status == s))
                .filter(|r| !overdue_only || r.is_overdue(today))
                .cloned()
                .collect();
            list.sort_by_key(|r| (!r.is_overdue(today), r.due, r.id));
            Ok(list)
        })
    }
}
