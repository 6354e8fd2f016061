//! Client record requests: a client asks an agency that served them for a copy of their HMIS
//! record; an agency administrator submits the request (HMIS id only), the help desk starts,
//! fulfils (freezing the dashboard at a log position) or denies it within five business days,
//! and the agency records the delivery and any revision the client asks for.

use caseledger_core::events::{
    DeliveryMethod, GuardianRelationship, Recipient, RecordRequestDelivered, RecordRequestDenied,
    RecordRequestFulfilled, RecordRequestStarted, RecordRequestSubmitted, RecordRevisionRequested,
};
use caseledger_core::{
    Actor, ClientId, Date, OrganizationId, Pii, RecordRequestId, RevisionId, Role, Timestamp,
    UserId,
};
use caseledger_projections::{Projections, RequestFacts, RequestStatus};
use chrono::Datelike;

use crate::Service;
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

fn require_help_desk(actor: &Actor) -> Result<(), CommandError> {
    if actor.role != Role::HelpDesk {
        return Err(forbidden(
            "only the help desk works on client record requests",
        ));
    }
    Ok(())
}

/// The requesting agency's administrators act on its requests; others do not see them.
fn require_requesting_admin(actor: &Actor, r: &RequestFacts) -> Result<(), CommandError> {
    if actor.role != Role::AgencyAdmin {
        return Err(forbidden(
            "only agency administrators act on client record requests",
        ));
    }
    if actor.organization != r.organization {
        return Err(forbidden("the request belongs to another agency"));
    }
    Ok(())
}

fn email_of(recipient: &Recipient) -> &str {
    match recipient {
        Recipient::Client { email } | Recipient::TrustedContact { email, .. } => {
            email.as_clear().map_or("", String::as_str)
        }
    }
}

impl Service {
    /// An agency administrator submits a request for a client their organization served.
    pub async fn submit_record_request(
        &self,
        user: UserId,
        input: RecordRequestInput,
    ) -> Result<(RecordRequestId, Written), CommandError> {
        let actor = self.actor(user)?;
        let now = self.now();
        if actor.role != Role::AgencyAdmin {
            return Err(forbidden(
                "only agency administrators submit client record requests",
            ));
        }
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
                100,
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
                if w.record_requests()
                    .any(|r| r.client == input.client && r.is_open())
                {
                    return Err(conflict(
                        "clientId",
                        "the client already has an open record request",
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
        user: UserId,
        id: RecordRequestId,
    ) -> Result<Written, CommandError> {
        let actor = self.actor(user)?;
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
        user: UserId,
        id: RecordRequestId,
    ) -> Result<Written, CommandError> {
        let actor = self.actor(user)?;
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
        user: UserId,
        id: RecordRequestId,
        reason: String,
    ) -> Result<Written, CommandError> {
        let actor = self.actor(user)?;
        require_help_desk(&actor)?;
        require_text("reason", &reason, 2000)?;
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

    /// The requesting agency records that the dashboard was handed over.
    pub async fn record_record_request_delivery(
        &self,
        user: UserId,
        id: RecordRequestId,
        method: DeliveryMethod,
        at: Timestamp,
    ) -> Result<Written, CommandError> {
        let actor = self.actor(user)?;
        self.execute(actor, |p| {
            let r = request(p, id)?;
            require_requesting_admin(&actor, r)?;
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
            Ok(vec![
                RecordRequestDelivered {
                    request_id: id,
                    method,
                    at,
                }
                .into(),
            ])
        })
        .await
    }

    /// The client asked, while reviewing the dashboard, for a correction of one section.
    pub async fn request_record_revision(
        &self,
        user: UserId,
        id: RecordRequestId,
        section: &str,
        description: String,
    ) -> Result<(RevisionId, Written), CommandError> {
        let actor = self.actor(user)?;
        if !SECTIONS.contains(&section) {
            return Err(CommandError::validation(
                "section",
                format!("one of {}", SECTIONS.join(", ")),
            ));
        }
        require_text("description", &description, 2000)?;
        let revision: RevisionId = new_id();
        let written = self
            .execute(actor, |p| {
                let r = request(p, id)?;
                require_requesting_admin(&actor, r)?;
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

    /// The help desk queue (help desk and system administrators: every request) or an
    /// agency's own requests (its administrators), overdue first, then by due date.
    pub fn record_requests(
        &self,
        actor: &Actor,
        status: Option<RequestStatus>,
        overdue_only: bool,
        organization: Option<OrganizationId>,
    ) -> Result<Vec<RequestFacts>, CommandError> {
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
