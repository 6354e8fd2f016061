//! Client record requests: an agency administrator submits, the help desk starts, fulfils or
//! denies, the agency records the delivery and any revision the client asks for.

use caseledger_core::commands::requests::{
    DenyRecordRequest, FulfillRecordRequest, RecordDelivery, RequestRecordRevision,
    StartRecordRequest, SubmitRecordRequest,
};
use caseledger_core::events::{
    DeliveryMethod, Recipient, RecordRequestDelivered, RecordRequestDenied, RecordRequestFulfilled,
    RecordRequestStarted, RecordRequestSubmitted, RecordRevisionRequested,
};
use caseledger_core::{Date, Pii, RecordRequestId, Role, input};
use caseledger_projections::{Projections, RequestFacts, RequestStatus};
use chrono::Datelike;

use crate::commands::{check_text, client_access, conflict, forbidden, not_found, require_text};
use crate::record_requests::{SECTIONS, business_days_after, known_request};
use crate::{Command, CommandError, Decision, Session};

/// The day a client born on `dob` turns 18 (a 29 February birthday turns on 1 March).
fn eighteenth_birthday(dob: Date) -> Date {
    let born = dob.to_naive();
    let adult = born
        .with_year(born.year() + 18)
        .or_else(|| born.succ_opt().and_then(|d| d.with_year(born.year() + 18)))
        .unwrap_or(born);
    Date::from_naive(adult)
}

/// Any request by id: the help desk works on every agency's.
fn request(p: &Projections, id: RecordRequestId) -> Result<&RequestFacts, CommandError> {
    p.write_model()
        .record_request(id)
        .ok_or_else(|| not_found("requestId", "client record request"))
}

fn require_help_desk(session: &Session) -> Result<(), CommandError> {
    if session.role() != Role::HelpDesk {
        return Err(forbidden(
            "only the help desk works on client record requests",
        ));
    }
    Ok(())
}

/// The requesting agency's administrators act on its requests (which one is
/// [`known_request`]'s business: another agency's request is `NOT_FOUND`).
fn require_agency_admin(session: &Session) -> Result<(), CommandError> {
    if session.role() != Role::AgencyAdmin {
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

/// Whether the recipient fits the delivery method (an email address for encrypted email and
/// none for a pickup; a trusted contact's name).
fn check_recipient(command: &SubmitRecordRequest) -> Result<(), CommandError> {
    check_text(
        "recipient.email",
        email_of(&command.recipient),
        input::EMAIL,
    )?;
    let email = email_of(&command.recipient).trim();
    match command.delivery {
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
    if let Recipient::TrustedContact { name, .. } = &command.recipient {
        require_text(
            "recipient.name",
            name.as_clear().map_or("", String::as_str),
            input::PERSON_FULL_NAME,
        )?;
    }
    Ok(())
}

impl Command for SubmitRecordRequest {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        if session.role() != Role::AgencyAdmin {
            return Err(forbidden(
                "only agency administrators submit client record requests",
            ));
        }
        check_recipient(self)?;
        let w = p.write_model();
        if !w.served_by(self.client_id, session.organization()) {
            // Whether the client exists is told only to those who may see it.
            client_access(p, &session.actor(), self.client_id, "clientId")?;
            return Err(forbidden(
                "a client asks for their record at an agency that served them",
            ));
        }
        if let Some(relationship) = self.requester_relationship {
            let minor = w
                .intake(self.client_id)
                .and_then(|i| i.dob.as_clear().copied().flatten())
                .is_some_and(|dob| eighteenth_birthday(dob) > p.today());
            if !minor {
                return Err(CommandError::validation(
                    "requesterRelationship",
                    format!("a {relationship:?} may request only a minor child's record"),
                ));
            }
        }
        // One open request per client, whichever agency submitted it: the help desk produces
        // one dashboard at a time for a person. Which agency holds the open one is not said
        // (it may be an agency this one cannot see).
        if w.record_requests()
            .any(|r| r.client == self.client_id && r.is_open())
        {
            return Err(conflict(
                "clientId",
                "a client has at most one open record request (submitted or in progress) at a \
                 time, and this client has one: a new request can be submitted once the help \
                 desk has fulfilled or denied it",
            ));
        }
        Ok(Decision::events(vec![
            RecordRequestSubmitted {
                request_id: self.request_id,
                client_id: self.client_id,
                organization_id: session.organization(),
                delivery: self.delivery,
                recipient: self.recipient.clone(),
                requester_relationship: self.requester_relationship,
                submitted: self.submitted,
                due: business_days_after(p.today(), 5, &self.holidays),
            }
            .into(),
        ]))
    }
}

impl Command for StartRecordRequest {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        require_help_desk(session)?;
        if request(p, self.request_id)?.status != RequestStatus::Submitted {
            return Err(conflict(
                "requestId",
                "only a submitted request can be started",
            ));
        }
        Ok(Decision::events(vec![
            RecordRequestStarted {
                request_id: self.request_id,
            }
            .into(),
        ]))
    }
}

impl Command for FulfillRecordRequest {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        require_help_desk(session)?;
        if request(p, self.request_id)?.status != RequestStatus::InProgress {
            return Err(conflict(
                "requestId",
                "start the request before fulfilling it",
            ));
        }
        // The position decided on is the one the dashboard shows: the append is accepted only
        // while the log is still there.
        Ok(Decision::events(vec![
            RecordRequestFulfilled {
                request_id: self.request_id,
                frozen_position: p.position(),
            }
            .into(),
        ]))
    }
}

impl Command for DenyRecordRequest {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        require_help_desk(session)?;
        require_text("reason", &self.reason, input::FREE_TEXT)?;
        let r = request(p, self.request_id)?;
        if !r.is_open() {
            return Err(conflict("requestId", "only an open request can be denied"));
        }
        Ok(Decision::events(vec![
            RecordRequestDenied {
                request_id: self.request_id,
                client_id: r.client,
                reason: Pii::new(self.reason.clone()),
            }
            .into(),
        ]))
    }
}

impl Command for RecordDelivery {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        require_agency_admin(session)?;
        let reason = self
            .reason
            .as_ref()
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty());
        if let Some(reason) = &reason {
            require_text("reason", reason, input::STATED_REASON)?;
        }
        let r = known_request(p, &session.actor(), self.request_id)?;
        if r.status != RequestStatus::Fulfilled {
            return Err(conflict(
                "requestId",
                "only a fulfilled request can be delivered",
            ));
        }
        // By business date, not instant: under a fixed business date (training, tests) the
        // wall clock says nothing about which deliveries have happened yet.
        if crate::clock::today_in(&p.policy_time_zone(), self.at.to_datetime()) > p.today() {
            return Err(CommandError::validation(
                "at",
                "the delivery time is in the future",
            ));
        }
        match (&reason, self.method == r.delivery) {
            (None, false) => {
                return Err(CommandError::validation(
                    "reason",
                    format!(
                        "the client agreed to {}; delivery by {} needs a reason",
                        method_words(r.delivery),
                        method_words(self.method)
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
        Ok(Decision::events(vec![
            RecordRequestDelivered {
                request_id: self.request_id,
                method: self.method,
                at: self.at,
                client_id: Some(r.client),
                reason: reason.map(Pii::new),
            }
            .into(),
        ]))
    }
}

impl Command for RequestRecordRevision {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        require_agency_admin(session)?;
        if !SECTIONS.contains(&self.section.as_str()) {
            return Err(CommandError::validation(
                "section",
                format!("one of {}", SECTIONS.join(", ")),
            ));
        }
        require_text("description", &self.description, input::FREE_TEXT)?;
        let r = known_request(p, &session.actor(), self.request_id)?;
        if !matches!(
            r.status,
            RequestStatus::Fulfilled | RequestStatus::Delivered
        ) {
            return Err(conflict(
                "requestId",
                "revisions are asked for on a produced dashboard",
            ));
        }
        Ok(Decision::events(vec![
            RecordRevisionRequested {
                request_id: self.request_id,
                client_id: r.client,
                revision_id: self.revision_id,
                section: self.section.clone(),
                description: Pii::new(self.description.clone()),
            }
            .into(),
        ]))
    }
}

#[cfg(test)]
mod tests {
    use caseledger_core::events::GuardianRelationship;
    use caseledger_core::testkit::date;
    use caseledger_core::{ClientId, OrganizationId, RevisionId, Timestamp};

    use super::*;
    use crate::ErrorCode;
    use crate::decisions::given::{Given, given};

    /// Noon UTC of a business date.
    fn noon(day: &str) -> Timestamp {
        Timestamp::from_datetime(
            date(day)
                .to_naive()
                .and_hms_opt(12, 0, 0)
                .expect("noon")
                .and_utc(),
        )
    }

    struct Story {
        g: Given,
        agency: OrganizationId,
        admin: Session,
        help_desk: Session,
        client: ClientId,
    }

    /// An agency that took a client's intake, its administrator and the CoC's help desk.
    fn story(dob: Option<&str>) -> Story {
        let mut g = given();
        let agency = g.organization("Agency");
        let admin = g.user(agency, Role::AgencyAdmin);
        let lead = g.lead();
        let help_desk = g.user(lead, Role::HelpDesk);
        let cm = g.user(agency, Role::CaseManager);
        let client = g.client(&cm, dob.map(date));
        Story {
            g,
            agency,
            admin,
            help_desk,
            client,
        }
    }

    fn pickup(s: &mut Story) -> SubmitRecordRequest {
        SubmitRecordRequest {
            request_id: s.g.id(),
            client_id: s.client,
            delivery: DeliveryMethod::InPersonPickup,
            recipient: Recipient::Client {
                email: Pii::new(String::new()),
            },
            requester_relationship: None,
            submitted: noon("2026-12-01"),
            holidays: vec![date("2026-12-03")],
        }
    }

    /// A request submitted (and moved on by the help desk to `until`, when given).
    fn submitted(s: &mut Story, until: Option<RequestStatus>) -> RecordRequestId {
        let submit = pickup(s);
        let admin = s.admin.clone();
        let help_desk = s.help_desk.clone();
        s.g.run(&admin, &submit);
        let id = submit.request_id;
        if matches!(
            until,
            Some(RequestStatus::InProgress | RequestStatus::Fulfilled)
        ) {
            s.g.run(&help_desk, &StartRecordRequest { request_id: id });
        }
        if until == Some(RequestStatus::Fulfilled) {
            s.g.run(&help_desk, &FulfillRecordRequest { request_id: id });
        }
        id
    }

    #[test]
    fn an_agency_administrator_submits_due_five_business_days_later() {
        let mut s = story(None);
        let submit = pickup(&mut s);
        s.g.when(&s.admin, &submit).then(vec![
            RecordRequestSubmitted {
                request_id: submit.request_id,
                client_id: s.client,
                organization_id: s.agency,
                delivery: DeliveryMethod::InPersonPickup,
                recipient: submit.recipient.clone(),
                requester_relationship: None,
                submitted: noon("2026-12-01"),
                // Tuesday plus five business days, the Thursday a holiday.
                due: date("2026-12-09"),
            }
            .into(),
        ]);
    }

    #[test]
    fn a_submission_is_refused_by_role_recipient_and_service() {
        let mut s = story(None);
        let mut submit = pickup(&mut s);
        s.g.when(&s.help_desk, &submit)
            .then_refused(ErrorCode::Forbidden, None);
        submit.recipient = Recipient::Client {
            email: Pii::new("ana@example.org".into()),
        };
        s.g.when(&s.admin, &submit)
            .then_refused(ErrorCode::Validation, Some("recipient.email"));
        submit.delivery = DeliveryMethod::EncryptedEmail;
        submit.recipient = Recipient::Client {
            email: Pii::new("not an address".into()),
        };
        s.g.when(&s.admin, &submit)
            .then_refused(ErrorCode::Validation, Some("recipient.email"));
        submit.recipient = Recipient::TrustedContact {
            name: Pii::new(" ".into()),
            email: Pii::new("ana@example.org".into()),
        };
        s.g.when(&s.admin, &submit)
            .then_refused(ErrorCode::Validation, Some("recipient.name"));
        // An agency that never served the client: forbidden if it may see them, not found if not.
        let other = s.g.organization("Other");
        let other_admin = s.g.user(other, Role::AgencyAdmin);
        let elsewhere = pickup(&mut s);
        s.g.when(&other_admin, &elsewhere)
            .then_refused(ErrorCode::Forbidden, None);
        let unknown = SubmitRecordRequest {
            client_id: s.g.id(),
            ..pickup(&mut s)
        };
        s.g.when(&s.admin, &unknown)
            .then_refused(ErrorCode::NotFound, Some("clientId"));
    }

    #[test]
    fn a_guardian_asks_only_for_a_minor_and_a_client_has_one_open_request() {
        let mut adult = story(Some("1990-04-02"));
        let mut parent = pickup(&mut adult);
        parent.requester_relationship = Some(GuardianRelationship::Parent);
        adult
            .g
            .when(&adult.admin, &parent)
            .then_refused(ErrorCode::Validation, Some("requesterRelationship"));
        let mut child = story(Some("2015-02-28"));
        let mut parent = pickup(&mut child);
        parent.requester_relationship = Some(GuardianRelationship::Parent);
        child.g.when(&child.admin, &parent).decided();

        let mut s = story(None);
        submitted(&mut s, Some(RequestStatus::InProgress));
        let again = pickup(&mut s);
        s.g.when(&s.admin, &again)
            .then_refused(ErrorCode::Conflict, Some("clientId"));
    }

    #[test]
    fn the_help_desk_starts_then_fulfils_at_the_position_decided_on() {
        let mut s = story(None);
        let id = submitted(&mut s, None);
        s.g.when(&s.admin, &StartRecordRequest { request_id: id })
            .then_refused(ErrorCode::Forbidden, None);
        s.g.when(&s.help_desk, &FulfillRecordRequest { request_id: id })
            .then_refused(ErrorCode::Conflict, Some("requestId"));
        s.g.when(&s.help_desk, &StartRecordRequest { request_id: id })
            .then(vec![RecordRequestStarted { request_id: id }.into()]);
        let help_desk = s.help_desk.clone();
        s.g.run(&help_desk, &StartRecordRequest { request_id: id });
        s.g.when(&s.help_desk, &StartRecordRequest { request_id: id })
            .then_refused(ErrorCode::Conflict, Some("requestId"));
        let fulfilled =
            s.g.when(&s.help_desk, &FulfillRecordRequest { request_id: id })
                .decided();
        assert!(matches!(
            &fulfilled.events[..],
            [caseledger_core::Event::RecordRequestFulfilled(f)]
                if f.request_id == id && f.frozen_position > 0
        ));
        let unknown = StartRecordRequest {
            request_id: s.g.id(),
        };
        s.g.when(&s.help_desk, &unknown)
            .then_refused(ErrorCode::NotFound, Some("requestId"));
    }

    #[test]
    fn the_help_desk_denies_an_open_request_with_a_reason() {
        let mut s = story(None);
        let id = submitted(&mut s, None);
        let deny = DenyRecordRequest {
            request_id: id,
            reason: "no such record here".into(),
        };
        s.g.when(&s.admin, &deny)
            .then_refused(ErrorCode::Forbidden, None);
        let blank = DenyRecordRequest {
            reason: " ".into(),
            ..deny.clone()
        };
        s.g.when(&s.help_desk, &blank)
            .then_refused(ErrorCode::Validation, Some("reason"));
        s.g.when(&s.help_desk, &deny).then(vec![
            RecordRequestDenied {
                request_id: id,
                client_id: s.client,
                reason: Pii::new("no such record here".into()),
            }
            .into(),
        ]);
        let help_desk = s.help_desk.clone();
        s.g.run(&help_desk, &deny);
        s.g.when(&s.help_desk, &deny)
            .then_refused(ErrorCode::Conflict, Some("requestId"));
    }

    #[test]
    fn the_agency_records_the_agreed_delivery_or_another_with_a_reason() {
        let mut s = story(None);
        let id = submitted(&mut s, Some(RequestStatus::Fulfilled));
        let agreed = RecordDelivery {
            request_id: id,
            method: DeliveryMethod::InPersonPickup,
            at: noon("2026-12-01"),
            reason: Some("  ".into()),
        };
        s.g.when(&s.admin, &agreed).then(vec![
            RecordRequestDelivered {
                request_id: id,
                method: DeliveryMethod::InPersonPickup,
                at: noon("2026-12-01"),
                client_id: Some(s.client),
                reason: None,
            }
            .into(),
        ]);
        s.g.when(&s.help_desk, &agreed)
            .then_refused(ErrorCode::Forbidden, None);
        let with_reason = RecordDelivery {
            reason: Some("asked twice".into()),
            ..agreed.clone()
        };
        s.g.when(&s.admin, &with_reason)
            .then_refused(ErrorCode::Validation, Some("reason"));
        let emailed = RecordDelivery {
            method: DeliveryMethod::EncryptedEmail,
            reason: None,
            ..agreed.clone()
        };
        s.g.when(&s.admin, &emailed)
            .then_refused(ErrorCode::Validation, Some("reason"));
        let emailed = RecordDelivery {
            reason: Some(" could not come in ".into()),
            ..emailed
        };
        let decided = s.g.when(&s.admin, &emailed).decided();
        assert!(matches!(
            &decided.events[..],
            [caseledger_core::Event::RecordRequestDelivered(d)]
                if d.reason.as_ref().and_then(|r| r.as_clear()).map(String::as_str)
                    == Some("could not come in")
        ));
        let tomorrow = RecordDelivery {
            at: noon("2026-12-02"),
            ..agreed.clone()
        };
        s.g.when(&s.admin, &tomorrow)
            .then_refused(ErrorCode::Validation, Some("at"));
        // Another agency's request is as unknown as an id never used.
        let other = s.g.organization("Other");
        let other_admin = s.g.user(other, Role::AgencyAdmin);
        s.g.when(&other_admin, &agreed)
            .then_refused(ErrorCode::NotFound, Some("requestId"));
        let mut open = story(None);
        let id = submitted(&mut open, None);
        let early = RecordDelivery {
            request_id: id,
            ..agreed
        };
        open.g
            .when(&open.admin, &early)
            .then_refused(ErrorCode::Conflict, Some("requestId"));
    }

    #[test]
    fn revisions_are_asked_for_a_section_of_a_produced_dashboard() {
        let mut s = story(None);
        let id = submitted(&mut s, Some(RequestStatus::Fulfilled));
        let revision: RevisionId = s.g.id();
        let ask = RequestRecordRevision {
            request_id: id,
            revision_id: revision,
            section: "Enrollment History".into(),
            description: "the exit date is wrong".into(),
        };
        s.g.when(&s.admin, &ask).then(vec![
            RecordRevisionRequested {
                request_id: id,
                client_id: s.client,
                revision_id: revision,
                section: "Enrollment History".into(),
                description: Pii::new("the exit date is wrong".into()),
            }
            .into(),
        ]);
        s.g.when(&s.help_desk, &ask)
            .then_refused(ErrorCode::Forbidden, None);
        let nowhere = RequestRecordRevision {
            section: "Elsewhere".into(),
            ..ask.clone()
        };
        s.g.when(&s.admin, &nowhere)
            .then_refused(ErrorCode::Validation, Some("section"));
        let blank = RequestRecordRevision {
            description: String::new(),
            ..ask.clone()
        };
        s.g.when(&s.admin, &blank)
            .then_refused(ErrorCode::Validation, Some("description"));
        let mut open = story(None);
        let id = submitted(&mut open, None);
        let early = RequestRecordRevision {
            request_id: id,
            ..ask
        };
        open.g
            .when(&open.admin, &early)
            .then_refused(ErrorCode::Conflict, Some("requestId"));
    }
}
