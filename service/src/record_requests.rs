//! Client record requests: a client asks an agency that served them for a copy of their HMIS
//! record; an agency administrator submits the request (HMIS id only), the help desk starts,
//! fulfils (freezing the dashboard at a log position) or denies it within five business days,
//! and the agency records the delivery and any revision the client asks for.

use caseledger_core::events::{
    DeliveryMethod, GuardianRelationship, Recipient, RecordRequestDelivered, RecordRequestDenied,
    RecordRequestFulfilled, RecordRequestStarted, RecordRequestSubmitted, RecordRevisionRequested,
};
use caseledger_core::input;
use caseledger_core::{
    Actor, ClientId, Date, Event, OrganizationId, Pii, RecordRequestId, RevisionId, Role, Timestamp,
};
use caseledger_projections::{Projections, RequestFacts, RequestStatus};
use chrono::Datelike;

use crate::Service;
use crate::Session;
use crate::commands::{
    CommandError, Written, conflict, forbidden, new_id, not_found, require_text,
};

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

/// The day a client born on `dob` turns 18 (a 29 February birthday turns on 1 March).
fn eighteenth_birthday(dob: Date) -> Date {
    let born = dob.to_naive();
    let adult = born
        .with_year(born.year() + 18)
        .or_else(|| born.succ_opt().and_then(|d| d.with_year(born.year() + 18)))
        .unwrap_or(born);
    Date::from_naive(adult)
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

/// What an agency administrator submits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRequestInput {
    /// The client's HMIS id (no names).
    pub client: ClientId,
    /// How the dashboard reaches the client.
    pub delivery: DeliveryMethod,
    /// Who receives it.
    pub recipient: Recipient,
    /// Set when a parent or guardian asks for a minor's record.
    pub requester_relationship: Option<GuardianRelationship>,
}

fn request(p: &Projections, id: RecordRequestId) -> Result<&RequestFacts, CommandError> {
    p.write_model()
        .record_request(id)
        .ok_or_else(|| not_found("requestId", "client record request"))
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
    request(p, id).and_then(|r| match actor.role {
        Role::HelpDesk | Role::SystemAdmin => Ok(r),
        _ if r.organization == actor.organization => Ok(r),
        _ => Err(not_found("requestId", "client record request")),
    })
}

fn require_help_desk(actor: &Actor) -> Result<(), CommandError> {
    if actor.role != Role::HelpDesk {
        return Err(forbidden(
            "only the help desk works on client record requests",
        ));
    }
    Ok(())
}

/// The requesting agency's administrators act on its requests (which one is
/// [`known_request`]'s business: another agency's request is `NOT_FOUND`).
fn require_agency_admin(actor: &Actor) -> Result<(), CommandError> {
    if actor.role != Role::AgencyAdmin {
        return Err(forbidden(
            "only agency administrators act on client record requests",
        ));
    }
    Ok(())
}

/// A delivery method as a sentence names it.
fn method_words(method: DeliveryMethod) -> &'static str {
    match method {
        DeliveryMethod::InPersonPickup => "in-person pickup",
        DeliveryMethod::EncryptedEmail => "encrypted email",
    }
}

fn email_of(recipient: &Recipient) -> &str {
    match recipient {
        Recipient::Client { email } | Recipient::TrustedContact { email, .. } => {
            email.as_clear().map_or("", String::as_str)
        }
    }
}

impl Service {
    /// An agency administrator submits a request for a client their organization served. A
    /// client has at most one open (submitted or in progress) request at a time, whichever
    /// agency submitted it: another is `CONFLICT` on `clientId`.
    pub async fn submit_record_request(
        &self,
        session: &Session,
        input: RecordRequestInput,
    ) -> Result<(RecordRequestId, Written), CommandError> {
        let actor = session.actor();
        let now = self.now();
        if actor.role != Role::AgencyAdmin {
            return Err(forbidden(
                "only agency administrators submit client record requests",
            ));
        }
        crate::commands::check_text("recipient.email", email_of(&input.recipient), input::EMAIL)?;
        let email = email_of(&input.recipient).trim().to_string();
        match input.delivery {
            DeliveryMethod::EncryptedEmail
                if !email.contains('@') || email.contains(char::is_whitespace) =>
            {
                return Err(CommandError::validation(
                    "recipient.email",
                    "encrypted email delivery needs the recipient's email address",
                ));
            }
            DeliveryMethod::InPersonPickup if !email.is_empty() => {
                return Err(CommandError::validation(
                    "recipient.email",
                    "in-person pickup takes no email address",
                ));
            }
            _ => {}
        }
        if let Recipient::TrustedContact { name, .. } = &input.recipient {
            require_text(
                "recipient.name",
                name.as_clear().map_or("", String::as_str),
                input::PERSON_FULL_NAME,
            )?;
        }
        let id: RecordRequestId = new_id();
        let holidays = self.holidays().to_vec();
        let written = self
            .execute(actor, |p| {
                let w = p.write_model();
                if !w.served_by(input.client, actor.organization) {
                    // Whether the client exists is told only to those who may see it.
                    crate::commands::client_access(p, &actor, input.client, "clientId")?;
                    return Err(forbidden(
                        "a client asks for their record at an agency that served them",
                    ));
                }
                if let Some(relationship) = input.requester_relationship {
                    let today = p.today();
                    let minor = w
                        .intake(input.client)
                        .and_then(|i| i.dob.as_clear().copied().flatten())
                        .is_some_and(|dob| eighteenth_birthday(dob) > today);
                    if !minor {
                        return Err(CommandError::validation(
                            "requesterRelationship",
                            format!("a {relationship:?} may request only a minor child's record"),
                        ));
                    }
                }
                // One open request per client, whichever agency submitted it: the help desk
                // produces one dashboard at a time for a person. Which agency holds the open
                // one is not said (it may be an agency this one cannot see).
                if w.record_requests()
                    .any(|r| r.client == input.client && r.is_open())
                {
                    return Err(conflict(
                        "clientId",
                        "a client has at most one open record request (submitted or in \
                         progress) at a time, and this client has one: a new request can be \
                         submitted once the help desk has fulfilled or denied it",
                    ));
                }
                let submitted = now;
                Ok(vec![
                    RecordRequestSubmitted {
                        request_id: id,
                        client_id: input.client,
                        organization_id: actor.organization,
                        delivery: input.delivery,
                        recipient: input.recipient.clone(),
                        requester_relationship: input.requester_relationship,
                        submitted,
                        due: business_days_after(p.today(), 5, &holidays),
                    }
                    .into(),
                ])
            })
            .await?;
        Ok((id, written))
    }

    /// The help desk starts producing the dashboard.
    pub async fn start_record_request(
        &self,
        session: &Session,
        id: RecordRequestId,
    ) -> Result<Written, CommandError> {
        let actor = session.actor();
        require_help_desk(&actor)?;
        self.execute(actor, |p| {
            if request(p, id)?.status != RequestStatus::Submitted {
                return Err(conflict(
                    "requestId",
                    "only a submitted request can be started",
                ));
            }
            Ok(vec![RecordRequestStarted { request_id: id }.into()])
        })
        .await
    }

    /// The help desk produces the dashboard: it is frozen at the current log position.
    pub async fn fulfill_record_request(
        &self,
        session: &Session,
        id: RecordRequestId,
    ) -> Result<Written, CommandError> {
        let actor = session.actor();
        require_help_desk(&actor)?;
        self.execute(actor, |p| {
            if request(p, id)?.status != RequestStatus::InProgress {
                return Err(conflict(
                    "requestId",
                    "start the request before fulfilling it",
                ));
            }
            Ok(vec![
                RecordRequestFulfilled {
                    request_id: id,
                    frozen_position: p.position(),
                }
                .into(),
            ])
        })
        .await
    }

    /// The help desk denies the request, with a reason.
    pub async fn deny_record_request(
        &self,
        session: &Session,
        id: RecordRequestId,
        reason: String,
    ) -> Result<Written, CommandError> {
        let actor = session.actor();
        require_help_desk(&actor)?;
        require_text("reason", &reason, input::FREE_TEXT)?;
        self.execute(actor, |p| {
            let r = request(p, id)?;
            if !r.is_open() {
                return Err(conflict("requestId", "only an open request can be denied"));
            }
            Ok(vec![
                RecordRequestDenied {
                    request_id: id,
                    client_id: r.client,
                    reason: Pii::new(reason.clone()),
                }
                .into(),
            ])
        })
        .await
    }

    /// The requesting agency records that the dashboard was handed over, by `method`. The
    /// method was agreed with the client at submission (so that the dashboard reaches them in
    /// a way that keeps it private): another one is refused unless `reason` says why, and a
    /// reason is taken only then.
    pub async fn record_record_request_delivery(
        &self,
        session: &Session,
        id: RecordRequestId,
        method: DeliveryMethod,
        at: Timestamp,
        reason: Option<String>,
    ) -> Result<Written, CommandError> {
        let actor = session.actor();
        require_agency_admin(&actor)?;
        let reason = reason
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty());
        if let Some(reason) = &reason {
            require_text("reason", reason, input::STATED_REASON)?;
        }
        self.execute(actor, |p| {
            let r = known_request(p, &actor, id)?;
            if r.status != RequestStatus::Fulfilled {
                return Err(conflict(
                    "requestId",
                    "only a fulfilled request can be delivered",
                ));
            }
            // By business date, not instant: under a fixed business date (training, tests) the
            // wall clock says nothing about which deliveries have happened yet.
            if crate::clock::today_in(&p.policy_time_zone(), at.to_datetime()) > p.today() {
                return Err(CommandError::validation(
                    "at",
                    "the delivery time is in the future",
                ));
            }
            match (&reason, method == r.delivery) {
                (None, false) => {
                    return Err(CommandError::validation(
                        "reason",
                        format!(
                            "the client agreed to {}; delivery by {} needs a reason",
                            method_words(r.delivery),
                            method_words(method)
                        ),
                    ));
                }
                (Some(_), true) => {
                    return Err(CommandError::validation(
                        "reason",
                        "a reason is given only for another method than the one agreed",
                    ));
                }
                _ => {}
            }
            Ok(vec![
                RecordRequestDelivered {
                    request_id: id,
                    method,
                    at,
                    client_id: Some(r.client),
                    reason: reason.clone().map(Pii::new),
                }
                .into(),
            ])
        })
        .await
    }

    /// The client asked, while reviewing the dashboard, for a correction of one section.
    pub async fn request_record_revision(
        &self,
        session: &Session,
        id: RecordRequestId,
        section: &str,
        description: String,
    ) -> Result<(RevisionId, Written), CommandError> {
        let actor = session.actor();
        require_agency_admin(&actor)?;
        if !SECTIONS.contains(&section) {
            return Err(CommandError::validation(
                "section",
                format!("one of {}", SECTIONS.join(", ")),
            ));
        }
        require_text("description", &description, input::FREE_TEXT)?;
        let revision: RevisionId = new_id();
        let written = self
            .execute(actor, |p| {
                let r = known_request(p, &actor, id)?;
                if !matches!(
                    r.status,
                    RequestStatus::Fulfilled | RequestStatus::Delivered
                ) {
                    return Err(conflict(
                        "requestId",
                        "revisions are asked for on a produced dashboard",
                    ));
                }
                Ok(vec![
                    RecordRevisionRequested {
                        request_id: id,
                        client_id: r.client,
                        revision_id: revision,
                        section: section.to_string(),
                        description: Pii::new(description.clone()),
                    }
                    .into(),
                ])
            })
            .await?;
        Ok((revision, written))
    }

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
