//! A client's transactions as the API shows them, built from the records a view returned.

use async_graphql::{ID, SimpleObject};
use caseledger_core::Pii;
use caseledger_core::events::{AnswerValue, BarScope, Event};
use caseledger_projections::TransactionSummary;

use crate::convert::{Access, TransactionRestrictionName, Window, show};

/// What every record carries: its id, owner, restriction and the viewer's access.
#[derive(SimpleObject, Clone)]
pub struct RecordMeta {
    /// The record's id.
    pub id: ID,
    /// The owning organization.
    pub organization_id: ID,
    /// The user who recorded it.
    pub recorded_by: ID,
    /// Who may see it beyond the owner.
    pub restriction: TransactionRestrictionName,
    /// What the viewer may do with it and why.
    pub access: Access,
}

/// An enrollment in a program, with its exit once exited.
#[derive(SimpleObject, Clone)]
pub struct Enrollment {
    #[graphql(flatten)]
    meta: RecordMeta,
    /// The client.
    pub client_id: ID,
    /// The program.
    pub program_id: ID,
    /// Project start date.
    pub entry_date: String,
    /// Project exit date, once exited.
    pub exit_date: Option<String>,
    /// HUD destination code, once exited.
    pub destination: Option<i32>,
    /// The household enrolled together.
    pub household_id: Option<ID>,
    /// HUD relationship to head of household code.
    pub relationship_to_ho_h: i32,
    /// HUD prior living situation code.
    pub living_situation: Option<i32>,
    /// HUD disabling condition code.
    pub disabling_condition: i32,
    /// Housing move-in date.
    pub move_in_date: Option<String>,
    /// The assigned case manager.
    pub case_manager_id: Option<ID>,
    /// HUD elements beyond these fields: the `Enrollment` row and, once exited, the `Exit`
    /// row.
    pub hud_elements: Vec<HudElementRow>,
}

/// A service provided.
#[derive(SimpleObject, Clone)]
pub struct ServiceRecord {
    #[graphql(flatten)]
    meta: RecordMeta,
    /// The enrollment it was provided under.
    pub enrollment_id: Option<ID>,
    /// Date provided.
    pub date: String,
    /// HUD record type.
    pub record_type: i32,
    /// HUD type provided.
    pub type_provided: i32,
    /// HUD's words for the record type (list 1.4).
    pub record_type_words: Option<String>,
    /// HUD's words for the type provided, in its record type's list.
    pub type_provided_words: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// HUD elements beyond these fields (`FAAmount`, `SubTypeProvided`, ...).
    pub hud_elements: Vec<HudElementRow>,
}

/// One row of HUD data elements kept with a record beyond its typed fields (an enrollment's
/// 3.917 prior living situation, an exit's aftercare, a veteran's years of service), as HUD's
/// CSV file and columns name them.
#[derive(SimpleObject, Clone)]
pub struct HudElementRow {
    /// HUD's file the row is of, without `.csv` (`Enrollment`, `Exit`, `Client`,
    /// `AssessmentQuestions`).
    pub file: String,
    /// The id of a row of its own under the record (an `AssessmentQuestionID`), if any.
    pub row_id: Option<String>,
    /// The elements: `item` is HUD's column name, one value field is set.
    pub elements: Vec<Answer>,
    /// `DateCreated` in the system the row was imported from.
    pub source_created: Option<String>,
    /// `DateUpdated` in the system the row was imported from.
    pub source_updated: Option<String>,
    /// `UserID` in the system the row was imported from.
    pub source_user_id: Option<String>,
}

/// The element rows of a record as the API shows them.
pub fn element_rows(rows: &[caseledger_core::events::ElementRow]) -> Vec<HudElementRow> {
    let time = |t: Option<caseledger_core::hud::elements::SourceTime>| t.map(|t| t.to_string());
    rows.iter()
        .map(|r| HudElementRow {
            file: r.file.stem().to_string(),
            row_id: r.row_id.clone(),
            elements: r
                .elements
                .iter()
                .map(|e| {
                    let list = r.file.element(&e.column).and_then(|spec| spec.list);
                    answer(&e.column, &e.value, list)
                })
                .collect(),
            source_created: time(r.source.as_ref().and_then(|s| s.created)),
            source_updated: time(r.source.as_ref().and_then(|s| s.updated)),
            source_user_id: r.source.as_ref().map(|s| s.user_id.clone()),
        })
        .collect()
}

/// An answer as the API shows it; `list` is the HUD list its code is read in (a list chosen by
/// another column, `1.4.*`, or one of several, `a|b`, gives no words).
fn answer(item: &str, value: &AnswerValue, list: Option<&str>) -> Answer {
    let words = match (value, list) {
        (AnswerValue::Code(c), Some(list)) if !list.contains(['*', '|']) => {
            caseledger_core::hud::lists::text(list, &c.to_string()).map(str::to_string)
        }
        _ => None,
    };
    let mut answer = Answer {
        item: item.to_string(),
        code: None,
        words,
        flag: None,
        number: None,
        date: None,
        text: None,
    };
    match value {
        AnswerValue::Code(c) => answer.code = Some(i32::from(*c)),
        AnswerValue::Bool(b) => answer.flag = Some(*b),
        AnswerValue::Number(n) => answer.number = Some(*n),
        AnswerValue::Date(d) => answer.date = Some(d.to_string()),
        AnswerValue::Text(t) => answer.text = clear(t),
        AnswerValue::Plain(t) => answer.text = Some(t.clone()),
    }
    answer
}

/// One assessment answer; exactly one value field is set.
#[derive(SimpleObject, Clone)]
pub struct Answer {
    /// What was asked.
    pub item: String,
    /// A list code.
    pub code: Option<i32>,
    /// HUD's words for the code, when the item is a HUD element with a list of its own.
    pub words: Option<String>,
    /// A yes/no flag.
    pub flag: Option<bool>,
    /// A number (money in cents).
    pub number: Option<i64>,
    /// A date.
    pub date: Option<String>,
    /// Free text.
    pub text: Option<String>,
}

/// An assessment.
#[derive(SimpleObject, Clone)]
pub struct Assessment {
    #[graphql(flatten)]
    meta: RecordMeta,
    /// The enrollment it belongs to.
    pub enrollment_id: Option<ID>,
    /// Information date.
    pub date: String,
    /// What kind.
    pub kind: crate::convert::AssessmentKindName,
    /// HUD data collection stage code.
    pub data_collection_stage: Option<i32>,
    /// The answers.
    pub answers: Vec<Answer>,
    /// HUD rows kept with it (a coordinated-entry assessment's questions and results) and its
    /// source stamp.
    pub hud_elements: Vec<HudElementRow>,
}

/// A case note.
#[derive(SimpleObject, Clone)]
pub struct CaseNote {
    #[graphql(flatten)]
    meta: RecordMeta,
    /// The enrollment it belongs to.
    pub enrollment_id: Option<ID>,
    /// The date it is about.
    pub date: String,
    /// The note.
    pub text: Option<String>,
    /// What the note said before each correction of its text, oldest first (read where the
    /// text is: empty for anyone who may not read the note).
    pub earlier_texts: Vec<String>,
}

/// A document's metadata.
#[derive(SimpleObject, Clone)]
pub struct Document {
    #[graphql(flatten)]
    meta: RecordMeta,
    /// The enrollment it belongs to.
    pub enrollment_id: Option<ID>,
    /// File or display name.
    pub name: Option<String>,
    /// Document type.
    pub document_type: String,
    /// The document's date.
    pub date: String,
    /// SHA-256 of the content (hex), when uploaded.
    pub content_sha256: Option<String>,
    /// The names corrections replaced, oldest first: read exactly where the name is.
    pub earlier_names: Vec<String>,
}

/// A shelter stay.
#[derive(SimpleObject, Clone)]
pub struct CheckIn {
    #[graphql(flatten)]
    meta: RecordMeta,
    /// The facility.
    pub facility_id: ID,
    /// The bed, if assigned.
    pub bed_id: Option<ID>,
    /// The enrollment it belongs to.
    pub enrollment_id: Option<ID>,
    /// The night of arrival.
    pub date: String,
    /// Arrival time (RFC 3339).
    pub checked_in_at: String,
    /// Departure time, once checked out (as recorded: a corrected check-out date does not
    /// change when staff recorded it).
    pub checked_out_at: Option<String>,
    /// The date the client left, once checked out (as corrected).
    pub check_out_date: Option<String>,
}

/// A bed reservation.
#[derive(SimpleObject, Clone)]
pub struct Reservation {
    #[graphql(flatten)]
    meta: RecordMeta,
    /// The facility.
    pub facility_id: ID,
    /// The bed.
    pub bed_id: ID,
    /// The night reserved.
    pub date: String,
    /// Whether it was cancelled.
    pub cancelled: bool,
}

/// A bar-list entry.
#[derive(SimpleObject, Clone)]
pub struct BarListEntry {
    #[graphql(flatten)]
    meta: RecordMeta,
    /// When it applies (a lift shortens it).
    pub window: Window,
    /// FACILITY, PROGRAM, ORGANIZATION or ALL_ENFORCING_ORGANIZATIONS.
    pub scope: String,
    /// The facility or program of the scope.
    pub scope_id: Option<ID>,
    /// Organizations that enforce it.
    pub enforcing_organization_ids: Vec<ID>,
    /// Why.
    pub reason: Option<String>,
    /// The reasons corrections replaced, oldest first: read exactly where the reason is.
    pub earlier_reasons: Vec<String>,
}

fn clear<T: Clone>(value: &Pii<T>) -> Option<T> {
    value.as_clear().cloned()
}

fn meta(
    t: &TransactionSummary,
    owner: caseledger_core::RecordOwner,
    restriction: caseledger_core::TransactionRestriction,
) -> RecordMeta {
    RecordMeta {
        id: record_id(t.id),
        organization_id: show(owner.organization),
        recorded_by: show(owner.user),
        restriction: restriction.into(),
        access: Access::of(t.access),
    }
}

/// A record id as the API shows it (every id prints as its ULID).
pub fn record_id(id: u128) -> ID {
    ID(ulid::Ulid(id).to_string())
}

/// An enrollment record.
pub fn enrollment(t: &TransactionSummary) -> Option<Enrollment> {
    let read = caseledger_projections::EnrollmentEvents::of(&t.events)?;
    let (e, exit, move_in) = (read.enrolled, read.exit, read.move_in);
    Some(Enrollment {
        meta: meta(t, e.owner, e.restriction),
        client_id: show(e.client_id),
        program_id: show(e.program_id),
        entry_date: e.entry_date.to_string(),
        exit_date: exit.map(|x| x.exit_date.to_string()),
        destination: exit
            .and_then(|x| x.destination)
            .map(|d| i32::from(d.code())),
        household_id: e.household_id.map(show),
        relationship_to_ho_h: i32::from(e.relationship_to_hoh.code()),
        living_situation: e.living_situation.map(|l| i32::from(l.code())),
        disabling_condition: i32::from(e.disabling_condition.code()),
        move_in_date: move_in.map(|d| d.to_string()),
        case_manager_id: e.case_manager.map(show),
        hud_elements: element_rows(&t.elements),
    })
}

/// A service record.
pub fn service(t: &TransactionSummary) -> Option<ServiceRecord> {
    let Some(Event::ServiceRecorded(s)) = t.events.first() else {
        return None;
    };
    Some(ServiceRecord {
        meta: meta(t, s.owner, s.restriction),
        enrollment_id: s.enrollment_id.map(show),
        date: s.date.to_string(),
        record_type: i32::from(s.service_type.record_type),
        type_provided: i32::from(s.service_type.type_provided),
        record_type_words: s.service_type.record_type_words().map(str::to_string),
        type_provided_words: s.service_type.type_provided_words().map(str::to_string),
        description: clear(&s.description),
        hud_elements: element_rows(&t.elements),
    })
}

/// An assessment record.
pub fn assessment(t: &TransactionSummary) -> Option<Assessment> {
    let Some(Event::AssessmentRecorded(a)) = t.events.first() else {
        return None;
    };
    Some(Assessment {
        meta: meta(t, a.owner, a.restriction),
        enrollment_id: a.enrollment_id.map(show),
        date: a.date.to_string(),
        kind: a.kind.into(),
        data_collection_stage: a.data_collection_stage.map(|s| i32::from(s.code())),
        answers: a
            .answers
            .iter()
            .map(|x| answer(&x.item, &x.value, None))
            .collect(),
        hud_elements: element_rows(&t.elements),
    })
}

/// A case note record.
pub fn case_note(t: &TransactionSummary) -> Option<CaseNote> {
    let Some(Event::CaseNoteAdded(n)) = t.events.first() else {
        return None;
    };
    Some(CaseNote {
        meta: meta(t, n.owner, n.restriction),
        enrollment_id: n.enrollment_id.map(show),
        date: n.date.to_string(),
        text: clear(&n.text),
        earlier_texts: t.replaced_texts.iter().filter_map(clear).collect(),
    })
}

/// A document record.
pub fn document(t: &TransactionSummary) -> Option<Document> {
    let Some(Event::DocumentAdded(d)) = t.events.first() else {
        return None;
    };
    Some(Document {
        meta: meta(t, d.owner, d.restriction),
        enrollment_id: d.enrollment_id.map(show),
        name: clear(&d.name),
        document_type: d.document_type.clone(),
        date: d.date.to_string(),
        content_sha256: d.content_sha256.map(hex::encode),
        earlier_names: t.replaced_texts.iter().filter_map(clear).collect(),
    })
}

/// A stay record.
pub fn check_in(t: &TransactionSummary) -> Option<CheckIn> {
    let Some(Event::ClientCheckedIn(c)) = t.events.first() else {
        return None;
    };
    let out = t.events.iter().find_map(|x| match x {
        Event::ClientCheckedOut(o) => Some(o),
        _ => None,
    });
    Some(CheckIn {
        meta: meta(t, c.owner, c.restriction),
        facility_id: show(c.facility_id),
        bed_id: c.bed_id.map(show),
        enrollment_id: c.enrollment_id.map(show),
        date: c.date.to_string(),
        checked_in_at: c.at.to_datetime().to_rfc3339(),
        checked_out_at: out.map(|o| o.at.to_datetime().to_rfc3339()),
        check_out_date: out.map(|o| o.date.to_string()),
    })
}

/// A reservation record.
pub fn reservation(t: &TransactionSummary) -> Option<Reservation> {
    let Some(Event::BedReserved(r)) = t.events.first() else {
        return None;
    };
    Some(Reservation {
        meta: meta(t, r.owner, r.restriction),
        facility_id: show(r.facility_id),
        bed_id: show(r.bed_id),
        date: r.date.to_string(),
        cancelled: t
            .events
            .iter()
            .any(|x| matches!(x, Event::ReservationCancelled(_))),
    })
}

/// A bar-list record.
pub fn bar(t: &TransactionSummary) -> Option<BarListEntry> {
    let Some(Event::ClientBarred(b)) = t.events.first() else {
        return None;
    };
    let lifted = t
        .events
        .iter()
        .filter_map(|x| match x {
            Event::BarLifted(l) => Some(l.end),
            _ => None,
        })
        .min();
    let (scope, scope_id) = match b.scope {
        BarScope::Facility(f) => ("FACILITY", Some(show(f))),
        BarScope::Program(p) => ("PROGRAM", Some(show(p))),
        BarScope::Organization => ("ORGANIZATION", None),
        BarScope::AllEnforcingOrganizations => ("ALL_ENFORCING_ORGANIZATIONS", None),
    };
    Some(BarListEntry {
        meta: meta(t, b.owner, b.restriction),
        window: lifted
            .map_or(b.window, |end| b.window.closed_at(end))
            .into(),
        scope: scope.to_string(),
        scope_id,
        enforcing_organization_ids: b.enforcing.iter().copied().map(show).collect(),
        reason: clear(&b.reason),
        earlier_reasons: t.replaced_texts.iter().filter_map(clear).collect(),
    })
}
