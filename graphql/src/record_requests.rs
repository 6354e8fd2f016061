//! Client record requests over GraphQL: the lifecycle, the help desk queue and the dashboard.

use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, Object, SimpleObject};
use caseledger_core::commands::requests::{
    DenyRecordRequest, FulfillRecordRequest, RecordDelivery, RequestRecordRevision,
    StartRecordRequest, SubmitRecordRequest,
};
use caseledger_core::events::Recipient;
use caseledger_core::{AccessReason, Event, Pii, RecordKind, RecordRequestId};
use caseledger_projections::RequestFacts;
use caseledger_service::{CommandError, Dashboard, ErrorCode, RequestStep, new_id};

use crate::convert::{self, invalid, show};
use crate::disclosure::{self, Disclosures, Shown};
use crate::error::to_graphql;
use crate::resolver_context::{service, session};

/// How the dashboard reaches the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "caseledger_core::events::DeliveryMethod")]
pub enum DeliveryMethodName {
    /// The client (or trusted contact) picks it up at the agency.
    InPersonPickup,
    /// Encrypted or password-protected email.
    EncryptedEmail,
}

/// A parent or guardian asking for a minor's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "caseledger_core::events::GuardianRelationship")]
pub enum GuardianRelationshipName {
    /// Parent.
    Parent,
    /// Legal guardian.
    LegalGuardian,
}

/// Where a request is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "caseledger_projections::RequestStatus")]
pub enum RequestStatusName {
    /// Submitted by the agency.
    Submitted,
    /// The help desk is producing the dashboard.
    InProgress,
    /// Produced, frozen at a log position.
    Fulfilled,
    /// Handed over.
    Delivered,
    /// Denied.
    Denied,
}

/// Who receives the dashboard: the client, or (with a name) a trusted contact they approved.
#[derive(InputObject, Default)]
pub struct RecipientInput {
    /// The trusted contact's name (one line, at most 100 characters); leave out when the
    /// client receives it.
    pub trusted_contact_name: Option<String>,
    /// Email address for encrypted delivery (one line, at most 254 characters); empty for
    /// pickup.
    #[graphql(default)]
    pub email: String,
}

/// A client record request.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct RecordRequest {
    /// The request.
    pub id: ID,
    /// The client's HMIS id.
    pub client_id: ID,
    /// The requesting agency.
    pub organization_id: ID,
    /// How the dashboard reaches the client, as agreed with them at submission.
    pub delivery_method: DeliveryMethodName,
    /// Whether a trusted contact (rather than the client) receives it.
    pub to_trusted_contact: bool,
    /// Set when a parent or guardian asked for a minor's record.
    pub requester_relationship: Option<GuardianRelationshipName>,
    /// When the client asked (RFC 3339).
    pub submitted_at: String,
    /// Five business days after.
    pub due_date: String,
    /// Where it is.
    pub status: RequestStatusName,
    /// Open and past due.
    pub overdue: bool,
    /// The log position the dashboard is frozen at.
    pub frozen_position: Option<u64>,
    /// When it was handed over (RFC 3339).
    pub delivered_at: Option<String>,
    /// The method it was handed over by: `deliveryMethod` unless the agency gave a reason
    /// (`deliveryReason`) for another.
    pub delivered_by: Option<DeliveryMethodName>,
    /// Sections the client asked to revise, in order (with their descriptions in
    /// `revisionRequests`).
    pub revisions: Vec<String>,
    #[graphql(skip)]
    facts: RequestFacts,
    /// Opened by id (a mutation's answer) rather than listed in the queue.
    #[graphql(skip)]
    opened: bool,
}

/// A revision the client asked for while reviewing the dashboard.
#[derive(SimpleObject)]
pub struct RecordRevision {
    /// The revision.
    pub id: ID,
    /// The dashboard section.
    pub section: String,
    /// What the client wants changed (`null` once the client's identifiers were forgotten).
    pub description: Option<String>,
}

/// What a step of a request's history did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum RecordRequestChange {
    /// The agency submitted it.
    Submitted,
    /// The help desk started it.
    Started,
    /// The help desk produced the dashboard.
    Fulfilled,
    /// The agency handed it over.
    Delivered,
    /// The help desk denied it.
    Denied,
    /// The client asked for a revision.
    RevisionRequested,
}

/// One recorded step of a request: who, when, and what they wrote.
#[derive(SimpleObject)]
pub struct RecordRequestStep {
    /// Its log position.
    pub position: u64,
    /// When it was recorded (RFC 3339).
    pub at: String,
    /// Who recorded it.
    pub user_id: ID,
    /// Their organization.
    pub organization_id: ID,
    /// What it did.
    pub change: RecordRequestChange,
    /// SUBMITTED: the method agreed with the client; DELIVERED: the method used.
    pub delivery_method: Option<DeliveryMethodName>,
    /// DENIED: why; DELIVERED by another method than the one agreed: why.
    pub reason: Option<String>,
    /// FULFILLED: the log position the dashboard is frozen at.
    pub frozen_position: Option<u64>,
    /// REVISION_REQUESTED: the revision.
    pub revision_id: Option<ID>,
    /// REVISION_REQUESTED: the dashboard section.
    pub section: Option<String>,
    /// REVISION_REQUESTED: what the client wants changed.
    pub description: Option<String>,
}

/// A text as readable (`None` when absent or erased).
fn text(value: &Pii<String>) -> Option<String> {
    value.as_clear().cloned()
}

fn step(s: RequestStep) -> Option<RecordRequestStep> {
    let mut out = RecordRequestStep {
        position: s.position,
        at: s.at.to_datetime().to_rfc3339(),
        user_id: show(s.actor.user),
        organization_id: show(s.actor.organization),
        change: RecordRequestChange::Started,
        delivery_method: None,
        reason: None,
        frozen_position: None,
        revision_id: None,
        section: None,
        description: None,
    };
    match s.event {
        Event::RecordRequestSubmitted(e) => {
            out.change = RecordRequestChange::Submitted;
            out.delivery_method = Some(e.delivery.into());
        }
        Event::RecordRequestStarted(_) => {}
        Event::RecordRequestFulfilled(e) => {
            out.change = RecordRequestChange::Fulfilled;
            out.frozen_position = Some(e.frozen_position);
        }
        Event::RecordRequestDelivered(e) => {
            out.change = RecordRequestChange::Delivered;
            out.delivery_method = Some(e.method.into());
            out.reason = e.reason.as_ref().and_then(text);
        }
        Event::RecordRequestDenied(e) => {
            out.change = RecordRequestChange::Denied;
            out.reason = text(&e.reason);
        }
        Event::RecordRevisionRequested(e) => {
            out.change = RecordRequestChange::RevisionRequested;
            out.revision_id = Some(show(e.revision_id));
            out.section = Some(e.section);
            out.description = text(&e.description);
        }
        _ => return None,
    }
    Some(out)
}

impl RecordRequest {
    /// Notes that the request's texts were shown (`field`), when there was any to show: they
    /// are free text about the client, disclosed like any other client data.
    fn shown(&self, ctx: &Context<'_>, field: &str, any: bool) {
        if !any {
            return;
        }
        disclosure::of(ctx).shown(
            self.facts.client,
            self.opened,
            Shown {
                kind: RecordKind::RecordRequest,
                id: self.facts.id.as_u128(),
                fields: vec![field.to_string()],
                reason: AccessReason::ClientRecordRequest(self.facts.id),
            },
            service(ctx).projected_position(),
        );
    }
}

#[ComplexObject]
impl RecordRequest {
    /// Why the dashboard was handed over by another method than the one agreed (`null` when
    /// it went as agreed or is not delivered yet).
    async fn delivery_reason(&self, ctx: &Context<'_>) -> Option<String> {
        let reason = self.facts.delivery_reason.as_ref().and_then(text);
        self.shown(ctx, "deliveryReason", reason.is_some());
        reason
    }

    /// Why the help desk denied the request.
    async fn denial_reason(&self, ctx: &Context<'_>) -> Option<String> {
        let reason = self.facts.denial_reason.as_ref().and_then(text);
        self.shown(ctx, "denialReason", reason.is_some());
        reason
    }

    /// The revisions the client asked for, in order, with what they want changed.
    async fn revision_requests(&self, ctx: &Context<'_>) -> Vec<RecordRevision> {
        let out: Vec<RecordRevision> = self
            .facts
            .revisions
            .iter()
            .map(|r| RecordRevision {
                id: show(r.id),
                section: r.section.clone(),
                description: text(&r.description),
            })
            .collect();
        self.shown(
            ctx,
            "revisionRequests",
            out.iter().any(|r| r.description.is_some()),
        );
        out
    }

    /// Every step of the request as recorded, oldest first: who, when, and what they wrote.
    async fn history(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<RecordRequestStep>> {
        let steps: Vec<RecordRequestStep> = service(ctx)
            .record_request_history(session(ctx)?, self.facts.id)
            .map_err(to_graphql)?
            .into_iter()
            .filter_map(step)
            .collect();
        self.shown(
            ctx,
            "history",
            steps
                .iter()
                .any(|s| s.reason.is_some() || s.description.is_some()),
        );
        Ok(steps)
    }
}

fn request(r: RequestFacts, today: caseledger_core::Date, opened: bool) -> RecordRequest {
    RecordRequest {
        id: show(r.id),
        client_id: show(r.client),
        organization_id: show(r.organization),
        delivery_method: r.delivery.into(),
        to_trusted_contact: matches!(r.recipient, Recipient::TrustedContact { .. }),
        requester_relationship: r.requester_relationship.map(Into::into),
        submitted_at: r.submitted.to_datetime().to_rfc3339(),
        due_date: r.due.to_string(),
        overdue: r.is_overdue(today),
        status: r.status.into(),
        frozen_position: r.frozen_position,
        delivered_at: r.delivered.map(|(_, at)| at.to_datetime().to_rfc3339()),
        delivered_by: r.delivered.map(|(method, _)| method.into()),
        revisions: r.revisions.iter().map(|v| v.section.clone()).collect(),
        facts: r,
        opened,
    }
}

/// A request after a change.
#[derive(SimpleObject)]
pub struct RecordRequestPayload {
    /// The request as it is now.
    pub request: RecordRequest,
    /// Log position written.
    pub position: u64,
}

fn payload(
    ctx: &Context<'_>,
    id: RecordRequestId,
    position: u64,
) -> async_graphql::Result<RecordRequestPayload> {
    let facts = service(ctx)
        .record_requests(session(ctx)?, None, false, None)
        .map_err(to_graphql)?
        .into_iter()
        .find(|r| r.id == id);
    // The help desk and the agency see the request they changed; anyone else changed nothing.
    let facts = facts.ok_or_else(|| {
        to_graphql(CommandError::new(
            ErrorCode::Internal,
            "the request vanished",
        ))
    })?;
    Ok(RecordRequestPayload {
        request: request(facts, service(ctx).today(), true),
        position,
    })
}

/// Notes that the dashboard of `request` was shown (every section, as of its position).
pub fn note_dashboard(collector: &Disclosures, d: &Dashboard) {
    let reason = AccessReason::ClientRecordRequest(d.request.id);
    for shown in caseledger_dashboard::shown_records(d) {
        collector.shown(
            d.request.client,
            true,
            Shown {
                kind: shown.kind,
                id: shown.id,
                fields: shown.fields.iter().map(|f| f.to_string()).collect(),
                reason,
            },
            d.position,
        );
    }
}

/// Record request queries.
#[derive(Default)]
pub struct RequestQueries;

#[Object]
impl RequestQueries {
    /// The help desk queue (every request) or, for an agency administrator, the agency's own
    /// requests: overdue first, then by due date.
    async fn client_record_requests(
        &self,
        ctx: &Context<'_>,
        status: Option<RequestStatusName>,
        #[graphql(default = false)] overdue: bool,
        organization_id: Option<ID>,
    ) -> async_graphql::Result<Vec<RecordRequest>> {
        let a = session(ctx)?;
        let organization = convert::opt_id("organizationId", &organization_id)?;
        let today = service(ctx).today();
        Ok(service(ctx)
            .record_requests(a, status.map(Into::into), overdue, organization)
            .map_err(to_graphql)?
            .into_iter()
            .map(|r| request(r, today, false))
            .collect())
    }

    /// The dashboard of a request (help desk; the requesting agency's administrators), frozen at
    /// its fulfilment position. Producing it is a recorded disclosure.
    async fn client_record_dashboard(
        &self,
        ctx: &Context<'_>,
        request_id: ID,
    ) -> async_graphql::Result<DashboardView> {
        let a = session(ctx)?;
        let id = convert::id("requestId", &request_id)?;
        let d = service(ctx).record_dashboard(a, id).map_err(to_graphql)?;
        note_dashboard(disclosure::of(ctx), &d);
        Ok(DashboardView::from(&d))
    }
}

/// The dashboard as HTML, for `GET /record-requests/{id}/dashboard` and the CLI.
#[derive(SimpleObject)]
pub struct DashboardView {
    /// The request.
    pub request_id: ID,
    /// The client's HMIS id.
    pub client_id: ID,
    /// The log position it is frozen at.
    pub position: u64,
    /// The printable page.
    pub html: String,
}

impl From<&Dashboard> for DashboardView {
    fn from(d: &Dashboard) -> Self {
        DashboardView {
            request_id: show(d.request.id),
            client_id: show(d.request.client),
            position: d.position,
            html: caseledger_dashboard::dashboard_html(d),
        }
    }
}

/// Record request mutations.
#[derive(Default)]
pub struct RequestMutations;

#[Object]
impl RequestMutations {
    /// An agency administrator submits a client's request for their HMIS record: HMIS id only,
    /// the delivery method agreed with the client, the recipient, and the relationship when a
    /// parent or guardian asks for a minor's record. Due in five business days.
    ///
    /// One open request per client: a client has at most one open request (SUBMITTED or
    /// IN_PROGRESS) at a time, whichever agency submitted it. While one is open another is
    /// refused with `CONFLICT` on `clientId`; once the help desk has fulfilled or denied it, a
    /// new request can be submitted.
    async fn submit_client_record_request(
        &self,
        ctx: &Context<'_>,
        client_id: ID,
        delivery_method: DeliveryMethodName,
        recipient: Option<RecipientInput>,
        requester_relationship: Option<GuardianRelationshipName>,
    ) -> async_graphql::Result<RecordRequestPayload> {
        let a = session(ctx)?;
        let recipient = recipient.unwrap_or_default();
        let email = Pii::new(recipient.email.trim().to_string());
        let recipient = match recipient.trusted_contact_name {
            Some(name) => Recipient::TrustedContact {
                name: Pii::new(name.trim().to_string()),
                email,
            },
            None => Recipient::Client { email },
        };
        let s = service(ctx);
        let command = SubmitRecordRequest {
            request_id: new_id(),
            client_id: convert::id("clientId", &client_id)?,
            delivery: delivery_method.into(),
            recipient,
            requester_relationship: requester_relationship.map(Into::into),
            submitted: s.now(),
            holidays: s.holidays().to_vec(),
        };
        let ((), written) = s.run(a, &command).await.map_err(to_graphql)?;
        payload(ctx, command.request_id, written.position())
    }

    /// The help desk starts producing the dashboard.
    async fn start_client_record_request(
        &self,
        ctx: &Context<'_>,
        request_id: ID,
    ) -> async_graphql::Result<RecordRequestPayload> {
        let a = session(ctx)?;
        let id = convert::id("requestId", &request_id)?;
        let ((), written) = service(ctx)
            .run(a, &StartRecordRequest { request_id: id })
            .await
            .map_err(to_graphql)?;
        payload(ctx, id, written.position())
    }

    /// The help desk produces the dashboard, frozen at the current log position.
    async fn fulfill_client_record_request(
        &self,
        ctx: &Context<'_>,
        request_id: ID,
    ) -> async_graphql::Result<RecordRequestPayload> {
        let a = session(ctx)?;
        let id = convert::id("requestId", &request_id)?;
        let ((), written) = service(ctx)
            .run(a, &FulfillRecordRequest { request_id: id })
            .await
            .map_err(to_graphql)?;
        payload(ctx, id, written.position())
    }

    /// The help desk denies the request, saying why: the reason is shown to the requesting
    /// agency and the help desk (`denialReason`, `history`).
    async fn deny_client_record_request(
        &self,
        ctx: &Context<'_>,
        request_id: ID,
        #[graphql(desc = "Why. Several lines allowed, at most 2000 characters.")] reason: String,
    ) -> async_graphql::Result<RecordRequestPayload> {
        let a = session(ctx)?;
        let id = convert::id("requestId", &request_id)?;
        let command = DenyRecordRequest {
            request_id: id,
            reason,
        };
        let ((), written) = service(ctx).run(a, &command).await.map_err(to_graphql)?;
        payload(ctx, id, written.position())
    }

    /// The requesting agency records the hand-over (`at`: RFC 3339) by `method`. The method
    /// was agreed with the client at submission: another one is refused (`VALIDATION` on
    /// `reason`) unless `reason` says why, and a reason is taken only for another method.
    /// The request shows the method used (`deliveredBy`) and the reason (`deliveryReason`).
    async fn record_record_request_delivery(
        &self,
        ctx: &Context<'_>,
        request_id: ID,
        method: DeliveryMethodName,
        at: String,
        #[graphql(
            desc = "Why another method than the one agreed. Several lines allowed, at most 500 characters."
        )]
        reason: Option<String>,
    ) -> async_graphql::Result<RecordRequestPayload> {
        let a = session(ctx)?;
        let id = convert::id("requestId", &request_id)?;
        let at: chrono::DateTime<chrono::Utc> = at
            .parse()
            .map_err(|_| invalid("at", format!("`{at}` is not an RFC 3339 time")))?;
        let command = RecordDelivery {
            request_id: id,
            method: method.into(),
            at: caseledger_core::Timestamp::from_datetime(at),
            reason,
        };
        let ((), written) = service(ctx).run(a, &command).await.map_err(to_graphql)?;
        payload(ctx, id, written.position())
    }

    /// The client asked to revise a section of the dashboard (Client Profile, Release of
    /// Information, Enrollment History, Client Documentation). The description is shown to
    /// the help desk and the requesting agency (`revisionRequests`, `history`).
    async fn request_record_revision(
        &self,
        ctx: &Context<'_>,
        request_id: ID,
        section: String,
        #[graphql(
            desc = "What the client asks to correct. Several lines allowed, at most 2000 characters."
        )]
        description: String,
    ) -> async_graphql::Result<RecordRequestPayload> {
        let a = session(ctx)?;
        let id = convert::id("requestId", &request_id)?;
        let command = RequestRecordRevision {
            request_id: id,
            revision_id: new_id(),
            section,
            description,
        };
        let ((), written) = service(ctx).run(a, &command).await.map_err(to_graphql)?;
        payload(ctx, id, written.position())
    }
}
