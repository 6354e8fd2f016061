//! Which events create records that the transaction rules govern, and their facts.

use super::vocabulary::{AssessmentKind, RecordKind, RecordOwner, TransactionRestriction};
use crate::events::Event;
use crate::ids::ClientId;

/// A transaction as the sharing rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct TransactionFacts {
    /// What kind of record it is.
    pub kind: RecordKind,
    /// The record's id (the id of the event's subject: enrollment, service, note, ...).
    pub id: u128,
    /// The client it is about.
    pub client: ClientId,
    /// The organization and user that recorded it.
    pub owner: RecordOwner,
    /// Its restriction, chosen when it was recorded.
    pub restriction: TransactionRestriction,
    /// For assessments, which kind.
    pub assessment_kind: Option<AssessmentKind>,
}

/// The facts of the transaction an event creates, or `None` for events that create no
/// transaction (setup, intake, sharing facts, and follow-ups such as an exit or a check-out,
/// which belong to the record they complete).
pub fn transaction_facts(event: &Event) -> Option<TransactionFacts> {
    let facts = |kind, id: u128, client, owner, restriction| TransactionFacts {
        kind,
        id,
        client,
        owner,
        restriction,
        assessment_kind: None,
    };
    Some(match event {
        Event::ClientEnrolled(e) => facts(
            RecordKind::Enrollment,
            e.enrollment_id.as_u128(),
            e.client_id,
            e.owner,
            e.restriction,
        ),
        Event::ServiceRecorded(e) => facts(
            RecordKind::Service,
            e.service_id.as_u128(),
            e.client_id,
            e.owner,
            e.restriction,
        ),
        Event::AssessmentRecorded(e) => TransactionFacts {
            assessment_kind: Some(e.kind),
            ..facts(
                RecordKind::Assessment,
                e.assessment_id.as_u128(),
                e.client_id,
                e.owner,
                e.restriction,
            )
        },
        Event::CaseNoteAdded(e) => facts(
            RecordKind::CaseNote,
            e.note_id.as_u128(),
            e.client_id,
            e.owner,
            e.restriction,
        ),
        Event::DocumentAdded(e) => facts(
            RecordKind::Document,
            e.document_id.as_u128(),
            e.client_id,
            e.owner,
            e.restriction,
        ),
        Event::BedReserved(e) => facts(
            RecordKind::Reservation,
            e.reservation_id.as_u128(),
            e.client_id,
            e.owner,
            e.restriction,
        ),
        Event::ClientCheckedIn(e) => facts(
            RecordKind::CheckIn,
            e.check_in_id.as_u128(),
            e.client_id,
            e.owner,
            e.restriction,
        ),
        Event::ClientBarred(e) => facts(
            RecordKind::BarListEntry,
            e.bar_id.as_u128(),
            e.client_id,
            e.owner,
            e.restriction,
        ),
        _ => return None,
    })
}

/// The event as a reader of metadata only sees it (an auditor): every identifying or free
/// value erased (note text, document name, service description, free answers) and an
/// assessment's answers dropped, coded ones included — an answer is content whatever its
/// type. Kind, ids, owner, dates and restriction stay.
pub fn metadata_only(event: &Event) -> Event {
    let mut event = event.erased();
    if let Event::AssessmentRecorded(a) = &mut event {
        a.answers.clear();
    }
    event
}
