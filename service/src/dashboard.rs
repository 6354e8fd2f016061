//! The client record dashboard: what the client's HMIS record held at the log position the
//! request was fulfilled at — profile, releases of information, enrollment history in every
//! participating project regardless of sharing, documents, and the accounting of disclosures.
//! Never case notes. Built from the log up to that position, so it prints the same forever.

use std::collections::BTreeMap;

use caseledger_core::events::{ClientIntakeRecorded, Event, MouParticipant};
use caseledger_core::{
    AccessReason, DateWindow, Envelope, MouId, OrganizationId, RecordKind, RecordRequestId,
    ReleaseId, Role, Timestamp,
};
use caseledger_projections::{RequestFacts, RequestStatus};

use crate::Service;
use crate::Session;
use crate::commands::{CommandError, ErrorCode, conflict, forbidden};

/// An MOU assignment of the client, with the MOU as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MouLine {
    /// The assignment's id.
    pub id: u128,
    /// The MOU's number.
    pub number: String,
    /// Its title.
    pub title: String,
    /// Its participants (organization, name, direction).
    pub participants: Vec<(OrganizationId, String, caseledger_core::MouDirection)>,
    /// The assignment's window (endings applied).
    pub window: DateWindow,
}

/// A release exception of the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseLine {
    /// The release's id.
    pub id: u128,
    /// The organization sharing out.
    pub granting: String,
    /// The organization that may see.
    pub accessing: String,
    /// Its window (revocation applied).
    pub window: DateWindow,
}

/// One enrollment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollmentLine {
    /// The enrollment's id.
    pub id: u128,
    /// The program's name.
    pub program: String,
    /// Its HUD project type code.
    pub project_type: Option<u16>,
    /// The organization running it.
    pub organization: String,
    /// Project start.
    pub entry: caseledger_core::Date,
    /// Project exit.
    pub exit: Option<caseledger_core::Date>,
    /// Enrolled as part of a household.
    pub household: bool,
}

/// One document uploaded on the client's behalf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentLine {
    /// The document's id.
    pub id: u128,
    /// Its name.
    pub name: String,
    /// Its type.
    pub document_type: String,
    /// The organization that uploaded it.
    pub organization: String,
    /// Its date.
    pub date: caseledger_core::Date,
    /// When it was recorded.
    pub uploaded: Timestamp,
}

/// One response that showed the client's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisclosureLine {
    /// When.
    pub at: Timestamp,
    /// The organization shown the data.
    pub organization: String,
    /// The viewer's role.
    pub role: Role,
    /// What kinds of records.
    pub kinds: Vec<RecordKind>,
    /// Under which rules.
    pub reasons: Vec<AccessReason>,
}

/// The dashboard of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dashboard {
    /// The request.
    pub request: RequestFacts,
    /// The requesting agency's name.
    pub agency: String,
    /// The log position the dashboard reflects.
    pub position: u64,
    /// When the event at that position was recorded: the moment the record is shown as of.
    pub as_of: Option<Timestamp>,
    /// The CoC's time zone (IANA name, from its sharing policy): times are printed in it.
    pub time_zone: String,
    /// Whom a client or an agency calls about the record (the CoC's HMIS help desk).
    pub help_desk: String,
    /// The client profile.
    pub profile: Option<ClientIntakeRecorded>,
    /// MOU assignments.
    pub mous: Vec<MouLine>,
    /// Release exceptions.
    pub releases: Vec<ReleaseLine>,
    /// Enrollment history.
    pub enrollments: Vec<EnrollmentLine>,
    /// Documents.
    pub documents: Vec<DocumentLine>,
    /// The accounting of disclosures.
    pub disclosures: Vec<DisclosureLine>,
}

impl Service {
    /// The dashboard of a request, for the help desk and the requesting agency's
    /// administrators: frozen at the fulfilment position once fulfilled; a preview at the
    /// current position for the help desk while in progress.
    pub fn record_dashboard(
        &self,
        session: &Session,
        id: RecordRequestId,
    ) -> Result<Dashboard, CommandError> {
        let actor = &session.actor();
        // The role first, so that its refusal does not depend on the id; then the request as
        // the actor may know it (another agency's is `NOT_FOUND`, like an id never used).
        if !matches!(actor.role, Role::HelpDesk | Role::AgencyAdmin) {
            return Err(forbidden(
                "only the help desk and the requesting agency's administrators see the dashboard",
            ));
        }
        let (request, positions, names, programs, current) = self.with_projections(|p| {
            let w = p.write_model();
            let request = crate::record_requests::known_request(p, actor, id).cloned();
            let names: BTreeMap<OrganizationId, String> = w
                .organizations()
                .into_iter()
                .map(|(id, o)| (id, o.name))
                .collect();
            let programs: BTreeMap<_, _> = w
                .catalog()
                .programs()
                .map(|p| (p.id, (p.name.clone(), p.project_type.code())))
                .collect();
            (
                request,
                p.request_positions(id),
                names,
                programs,
                p.position(),
            )
        });
        let request = request?;
        let position = match (request.frozen_position, request.status) {
            (Some(p), _) => p,
            (None, RequestStatus::InProgress) if actor.role == Role::HelpDesk => current,
            _ => return Err(conflict("requestId", "the dashboard has not been produced")),
        };
        let positions = positions.unwrap_or_default();
        let name = |o: &OrganizationId| names.get(o).cloned().unwrap_or_else(|| o.to_string());
        let mut events: Vec<u64> = positions
            .client_events
            .iter()
            .chain(&positions.sharing_events)
            .copied()
            .filter(|p| *p <= position)
            .collect();
        events.sort_unstable();
        let mut profile: Option<ClientIntakeRecorded> = None;
        let mut mous: BTreeMap<MouId, (String, String, Vec<MouParticipant>)> = BTreeMap::new();
        let mut assignments: Vec<(caseledger_core::MouAssignmentId, MouId, DateWindow)> =
            Vec::new();
        let mut releases: Vec<(ReleaseId, OrganizationId, OrganizationId, DateWindow)> = Vec::new();
        let mut enrollments: Vec<(caseledger_core::EnrollmentId, EnrollmentLine)> = Vec::new();
        let mut documents = Vec::new();
        // The clients merged into the request's client as of the dashboard's position: their
        // enrollments, documents and disclosures are the client's own record too.
        let envelopes = self.read_envelopes(&events)?;
        let merges: Vec<Event> = envelopes
            .iter()
            .filter(|(_, e)| matches!(e.event, Event::ClientsMerged(_) | Event::ClientsUnmerged(_)))
            .map(|(_, e)| e.event.clone())
            .collect();
        let client = caseledger_core::sharing::merges::resolved(&merges, request.client);
        let members = caseledger_core::sharing::merges::members(&merges, client);
        for (_, envelope) in envelopes {
            if envelope
                .event
                .client()
                .is_some_and(|c| !members.contains(&c))
            {
                continue;
            }
            let own = envelope.event.client() == Some(client);
            match envelope.event {
                Event::ClientIntakeRecorded(i) if own && profile.is_none() => profile = Some(i),
                ref e @ (Event::ClientIntakeEdited(_)
                | Event::ClientAddressUpdated(_)
                | Event::ClientRestrictionChanged(_))
                    if own =>
                {
                    crate::history::intake_changes(&mut profile, e);
                }
                Event::MouCreated(m) => {
                    mous.insert(m.mou_id, (m.number, m.title, m.participants));
                }
                Event::MouChanged(m) => {
                    if let Some(entry) = mous.get_mut(&m.mou_id) {
                        entry.1 = m.title;
                        entry.2 = m.participants;
                    }
                }
                Event::MouAssigned(a) => assignments.push((a.assignment_id, a.mou_id, a.window)),
                Event::MouAssignmentEnded(x) => {
                    for a in assignments.iter_mut().filter(|a| a.0 == x.assignment_id) {
                        a.2 = a.2.closed_at(x.end);
                    }
                }
                Event::ReleaseExceptionGranted(g) => releases.push((
                    g.release_id,
                    g.granting_organization,
                    g.accessing_organization,
                    g.window,
                )),
                Event::ReleaseExceptionRevoked(r) => {
                    for x in releases.iter_mut().filter(|x| x.0 == r.release_id) {
                        x.3 = x.3.closed_at(r.end);
                    }
                }
                Event::ClientEnrolled(e) => {
                    let (program, project_type) = programs
                        .get(&e.program_id)
                        .map_or((e.program_id.to_string(), None), |(n, t)| {
                            (n.clone(), Some(*t))
                        });
                    enrollments.push((
                        e.enrollment_id,
                        EnrollmentLine {
                            id: e.enrollment_id.as_u128(),
                            program,
                            project_type,
                            organization: name(&e.owner.organization),
                            entry: e.entry_date,
                            exit: None,
                            household: e.household_id.is_some(),
                        },
                    ));
                }
                Event::EnrollmentExited(x) => {
                    for (_, e) in enrollments.iter_mut().filter(|e| e.0 == x.enrollment_id) {
                        e.exit = Some(x.exit_date);
                    }
                }
                Event::DocumentAdded(d) => documents.push(DocumentLine {
                    id: d.document_id.as_u128(),
                    name: d
                        .name
                        .as_clear()
                        .cloned()
                        .unwrap_or_else(|| "[erased]".into()),
                    document_type: d.document_type,
                    organization: name(&d.owner.organization),
                    date: d.date,
                    uploaded: envelope.recorded_at,
                }),
                _ => {}
            }
        }
        let disclosures = positions
            .disclosures
            .iter()
            .copied()
            .filter(|p| *p <= position)
            .collect::<Vec<_>>();
        let mut lines = Vec::new();
        for (_, envelope) in self.read_envelopes(&disclosures)? {
            let Event::RecordsAccessed(r) = &envelope.event else {
                continue;
            };
            for c in r.clients.iter().filter(|c| members.contains(&c.client_id)) {
                let mut kinds: Vec<RecordKind> = c.records.iter().map(|x| x.kind).collect();
                kinds.sort();
                kinds.dedup();
                let mut reasons: Vec<AccessReason> = c.records.iter().map(|x| x.reason).collect();
                reasons.sort();
                reasons.dedup();
                lines.push(DisclosureLine {
                    at: envelope.recorded_at,
                    organization: name(&envelope.actor.organization),
                    role: envelope.actor.role,
                    kinds,
                    reasons,
                });
            }
        }
        let as_of = self
            .read_envelopes(&[position])?
            .into_iter()
            .next()
            .map(|(_, e)| e.recorded_at);
        Ok(Dashboard {
            agency: name(&request.organization),
            position,
            as_of,
            time_zone: self.time_zone(),
            help_desk: self.help_desk().to_string(),
            profile,
            mous: assignments
                .into_iter()
                .map(|(id, mou, window)| {
                    let (number, title, participants) = mous.get(&mou).cloned().unwrap_or_default();
                    MouLine {
                        id: id.as_u128(),
                        number,
                        title,
                        participants: participants
                            .iter()
                            .map(|p| (p.organization, name(&p.organization), p.direction))
                            .collect(),
                        window,
                    }
                })
                .collect(),
            releases: releases
                .into_iter()
                .map(|(id, g, a, window)| ReleaseLine {
                    id: id.as_u128(),
                    granting: name(&g),
                    accessing: name(&a),
                    window,
                })
                .collect(),
            enrollments: enrollments.into_iter().map(|(_, e)| e).collect(),
            documents,
            disclosures: lines,
            request,
        })
    }

    /// The envelopes at `positions`.
    pub(crate) fn read_envelopes(
        &self,
        positions: &[u64],
    ) -> Result<Vec<(u64, Envelope)>, CommandError> {
        Ok(self
            .read_log_at(positions)
            .map_err(|e| CommandError::new(ErrorCode::Internal, e.to_string()))?
            .into_iter()
            .map(|stored| (stored.record.position, stored.envelope))
            .collect())
    }
}
