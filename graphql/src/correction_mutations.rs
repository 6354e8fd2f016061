//! Fixing the record: `voidRecord` takes a record entered in error out of every view, count,
//! list and export (it stays in the client's history and the access log), `unvoidRecord`
//! brings it back, and a `correct…` mutation per kind corrects a record's fields, each
//! given field to its new value (a field left out keeps its value).

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use caseledger_core::Pii;
use caseledger_core::commands::voids::{
    CorrectHouseholdMembership, CorrectRecord, CorrectSharingFact, UnvoidExit, UnvoidRecord,
    VoidExit, VoidHouseholdMembership, VoidRecord, VoidSharingFact,
};
use caseledger_core::events::Correction;
use caseledger_core::hud::{
    Destination, LivingSituation, NoYesReasons, RelationshipToHoH, ServiceTypeCode,
};

use crate::accounts::WriteResult;
use crate::convert;
use crate::error::to_graphql;
use crate::record_mutations::{BarScopeName, bar_scope};
use crate::resolver_context::{service, session};
use caseledger_service::Command;

/// An enrollment's fields to correct (and its exit's, once exited).
#[derive(InputObject)]
pub struct CorrectEnrollmentInput {
    /// The enrollment.
    pub enrollment_id: ID,
    /// YYYY-MM-DD.
    pub entry_date: Option<String>,
    /// HUD 3.15.1.
    pub relationship_to_ho_h: Option<i32>,
    /// HUD 3.12.1 (3.917 prior living situation); null clears it.
    pub living_situation: MaybeUndefined<i32>,
    /// HUD 1.8.
    pub disabling_condition: Option<i32>,
    /// The exit's date, YYYY-MM-DD.
    pub exit_date: Option<String>,
    /// The exit's destination, HUD 3.12.1; null clears it.
    pub destination: MaybeUndefined<i32>,
    /// Why (required, at most 500 characters).
    pub reason: String,
}

/// A service's fields to correct.
#[derive(InputObject)]
pub struct CorrectServiceInput {
    /// The service.
    pub service_id: ID,
    /// YYYY-MM-DD.
    pub date: Option<String>,
    /// HUD record type (1.4), given with `typeProvided`.
    pub record_type: Option<i32>,
    /// HUD type provided, given with `recordType`.
    pub type_provided: Option<i32>,
    /// The description (at most 2,000 characters).
    pub description: Option<String>,
    /// Why (required).
    pub reason: String,
}

/// A case note's fields to correct.
#[derive(InputObject)]
pub struct CorrectCaseNoteInput {
    /// The note.
    pub note_id: ID,
    /// YYYY-MM-DD.
    pub date: Option<String>,
    /// The note (several lines, at most 10,000 characters).
    pub text: Option<String>,
    /// Why (required).
    pub reason: String,
}

/// An assessment's fields to correct.
#[derive(InputObject)]
pub struct CorrectAssessmentInput {
    /// The assessment.
    pub assessment_id: ID,
    /// YYYY-MM-DD.
    pub date: Option<String>,
    /// Why (required).
    pub reason: String,
}

/// A date window, each end YYYY-MM-DD (no end: open-ended).
#[derive(InputObject)]
pub struct DateWindowInput {
    /// The first date.
    pub start: String,
    /// The last date; none while open-ended.
    pub end: Option<String>,
}

impl DateWindowInput {
    /// The window, dates checked, errors naming `field.start` and `field.end`.
    pub(crate) fn window(&self, field: &str) -> async_graphql::Result<caseledger_core::DateWindow> {
        convert::window(field, &self.start, &self.end)
    }
}

/// A document's fields to correct.
#[derive(InputObject)]
pub struct CorrectDocumentInput {
    /// The document.
    pub document_id: ID,
    /// YYYY-MM-DD.
    pub date: Option<String>,
    /// Its name (trimmed; at most 200 characters).
    pub name: Option<String>,
    /// Why (required).
    pub reason: String,
}

/// A reservation's fields to correct.
#[derive(InputObject)]
pub struct CorrectReservationInput {
    /// The reservation.
    pub reservation_id: ID,
    /// The night reserved, YYYY-MM-DD.
    pub date: Option<String>,
    /// Why (required).
    pub reason: String,
}

/// A stay's fields to correct.
#[derive(InputObject)]
pub struct CorrectStayInput {
    /// The stay (its check-in).
    pub check_in_id: ID,
    /// The night the client checked in, YYYY-MM-DD.
    pub date: Option<String>,
    /// The date the client left, YYYY-MM-DD, once checked out.
    pub check_out_date: Option<String>,
    /// Why (required).
    pub reason: String,
}

/// A bar-list entry's fields to correct.
#[derive(InputObject)]
pub struct CorrectBarListEntryInput {
    /// The bar-list entry.
    pub bar_id: ID,
    /// The window the bar applies in, whole (a lifted bar stays lifted from its last day).
    pub window: Option<DateWindowInput>,
    /// What it keeps the client out of.
    pub scope: Option<BarScopeName>,
    /// The facility or program, for the FACILITY and PROGRAM scopes.
    pub scope_id: Option<ID>,
    /// The bar's reason (several lines, at most 2,000 characters).
    pub bar_reason: Option<String>,
    /// Why it is corrected (required).
    pub reason: String,
}

/// A nullable HUD code given (`Some`, its value or `None` for null) or left out (`None`).
fn maybe_hud<T>(
    field: &str,
    value: &MaybeUndefined<i32>,
    from_code: fn(u16) -> Option<T>,
) -> async_graphql::Result<Option<Option<T>>> {
    match value {
        MaybeUndefined::Undefined => Ok(None),
        MaybeUndefined::Null => Ok(Some(None)),
        MaybeUndefined::Value(code) => Ok(Some(Some(convert::hud(field, *code, from_code)?))),
    }
}

/// Runs `command` for the request's session and answers the log position it wrote.
pub(crate) async fn write<C: Command<Output = ()>>(
    ctx: &Context<'_>,
    command: &C,
) -> async_graphql::Result<WriteResult> {
    let a = session(ctx)?;
    let ((), written) = service(ctx).run(a, command).await.map_err(to_graphql)?;
    Ok(WriteResult {
        position: written.position(),
    })
}

/// Runs the correction of `record_id`'s given fields.
async fn correct(
    ctx: &Context<'_>,
    field: &str,
    record_id: &ID,
    corrections: Vec<Correction>,
    reason: String,
) -> async_graphql::Result<WriteResult> {
    let record: ulid::Ulid = convert::id(field, record_id)?;
    let command = CorrectRecord {
        record: record.0,
        corrections,
        reason,
    };
    write(ctx, &command).await
}

/// Mutations that void records, undo voids and correct records.
#[derive(Default)]
pub struct CorrectionMutations;

#[Object]
impl CorrectionMutations {
    /// Corrects an enrollment's fields and, once exited, its exit's: each given field takes
    /// the new value, through the rules it passes when recorded (dates in order, one
    /// enrollment per program at a time). Who may, as for `voidRecord`. The history shows
    /// each field before and after.
    async fn correct_enrollment(
        &self,
        ctx: &Context<'_>,
        input: CorrectEnrollmentInput,
    ) -> async_graphql::Result<WriteResult> {
        let mut c = Vec::new();
        if let Some(d) = &input.entry_date {
            c.push(Correction::EntryDate(convert::date("entryDate", d)?));
        }
        if let Some(r) = input.relationship_to_ho_h {
            let r = convert::hud("relationshipToHoH", r, RelationshipToHoH::from_code)?;
            c.push(Correction::RelationshipToHoH(r));
        }
        if let Some(l) = maybe_hud(
            "livingSituation",
            &input.living_situation,
            LivingSituation::from_code,
        )? {
            c.push(Correction::LivingSituation(l));
        }
        if let Some(d) = input.disabling_condition {
            let d = convert::hud("disablingCondition", d, NoYesReasons::from_code)?;
            c.push(Correction::DisablingCondition(d));
        }
        if let Some(d) = &input.exit_date {
            c.push(Correction::ExitDate(convert::date("exitDate", d)?));
        }
        if let Some(d) = maybe_hud("destination", &input.destination, Destination::from_code)? {
            c.push(Correction::Destination(d));
        }
        correct(ctx, "enrollmentId", &input.enrollment_id, c, input.reason).await
    }

    /// Corrects a service's date, type or description. Who may, as for `voidRecord`.
    async fn correct_service(
        &self,
        ctx: &Context<'_>,
        input: CorrectServiceInput,
    ) -> async_graphql::Result<WriteResult> {
        let mut c = Vec::new();
        if let Some(d) = &input.date {
            c.push(Correction::Date(convert::date("date", d)?));
        }
        match (input.record_type, input.type_provided) {
            (None, None) => {}
            (Some(record_type), Some(type_provided)) => {
                let code = |field: &str, v: i32| {
                    u16::try_from(v)
                        .ok()
                        .filter(|v| *v > 0)
                        .ok_or_else(|| convert::invalid(field, "a positive HUD code"))
                };
                c.push(Correction::ServiceType(ServiceTypeCode {
                    record_type: code("recordType", record_type)?,
                    type_provided: code("typeProvided", type_provided)?,
                }));
            }
            _ => {
                return Err(convert::invalid(
                    "typeProvided",
                    "recordType and typeProvided are corrected together",
                ));
            }
        }
        if let Some(t) = input.description {
            c.push(Correction::Text(Pii::new(t)));
        }
        correct(ctx, "serviceId", &input.service_id, c, input.reason).await
    }

    /// Corrects a case note's date or text; the old text stays readable only where the
    /// note's text is (the history shows that the text changed, never what it said). Who
    /// may, as for `voidRecord`.
    async fn correct_case_note(
        &self,
        ctx: &Context<'_>,
        input: CorrectCaseNoteInput,
    ) -> async_graphql::Result<WriteResult> {
        let mut c = Vec::new();
        if let Some(d) = &input.date {
            c.push(Correction::Date(convert::date("date", d)?));
        }
        if let Some(t) = input.text {
            c.push(Correction::Text(Pii::new(t)));
        }
        correct(ctx, "noteId", &input.note_id, c, input.reason).await
    }

    /// Corrects an assessment's date. Who may, as for `voidRecord`.
    async fn correct_assessment(
        &self,
        ctx: &Context<'_>,
        input: CorrectAssessmentInput,
    ) -> async_graphql::Result<WriteResult> {
        let mut c = Vec::new();
        if let Some(d) = &input.date {
            c.push(Correction::Date(convert::date("date", d)?));
        }
        correct(ctx, "assessmentId", &input.assessment_id, c, input.reason).await
    }

    /// Corrects a document's date or name; the old name stays readable only where the
    /// document's name is. Who may, as for `voidRecord`.
    async fn correct_document(
        &self,
        ctx: &Context<'_>,
        input: CorrectDocumentInput,
    ) -> async_graphql::Result<WriteResult> {
        let mut c = Vec::new();
        if let Some(d) = &input.date {
            c.push(Correction::Date(convert::date("date", d)?));
        }
        if let Some(name) = input.name {
            c.push(Correction::Text(Pii::new(name.trim().to_string())));
        }
        correct(ctx, "documentId", &input.document_id, c, input.reason).await
    }

    /// Corrects the night a bed is reserved for, onto a night the bed is free (CONFLICT when
    /// another stay or reservation holds it). Who may, as for `voidRecord`.
    async fn correct_reservation(
        &self,
        ctx: &Context<'_>,
        input: CorrectReservationInput,
    ) -> async_graphql::Result<WriteResult> {
        let mut c = Vec::new();
        if let Some(d) = &input.date {
            c.push(Correction::Date(convert::date("date", d)?));
        }
        correct(ctx, "reservationId", &input.reservation_id, c, input.reason).await
    }

    /// Corrects a stay's night of check-in and, once checked out, the date the client left:
    /// never out before in, one stay per client and per bed on any night (CONFLICT). The bed
    /// board follows. Who may, as for `voidRecord`.
    async fn correct_stay(
        &self,
        ctx: &Context<'_>,
        input: CorrectStayInput,
    ) -> async_graphql::Result<WriteResult> {
        let mut c = Vec::new();
        if let Some(d) = &input.date {
            c.push(Correction::Date(convert::date("date", d)?));
        }
        if let Some(d) = &input.check_out_date {
            c.push(Correction::CheckOutDate(convert::date("checkOutDate", d)?));
        }
        correct(ctx, "checkInId", &input.check_in_id, c, input.reason).await
    }

    /// Corrects a bar-list entry's window, scope (the recording organization's own facilities
    /// and programs) or reason; the bar list enforces it as corrected from then on. Who may,
    /// as for `voidRecord`.
    async fn correct_bar_list_entry(
        &self,
        ctx: &Context<'_>,
        input: CorrectBarListEntryInput,
    ) -> async_graphql::Result<WriteResult> {
        let mut c = Vec::new();
        if let Some(w) = &input.window {
            c.push(Correction::Window(w.window("window")?));
        }
        if let Some(scope) = input.scope {
            c.push(Correction::BarScope(bar_scope(
                scope,
                input.scope_id.as_ref(),
            )?));
        }
        if let Some(t) = input.bar_reason {
            c.push(Correction::Text(Pii::new(t)));
        }
        correct(ctx, "barId", &input.bar_id, c, input.reason).await
    }

    /// Corrects the window of a client's MOU assignment or release exception to what the
    /// signed form says: the fact always had the corrected window, so sharing on past dates
    /// follows too (an ending recorded for it still ends it). Who may, as for
    /// `voidSharingFact`; CONFLICT for a voided one (un-void it first) or the same window.
    async fn correct_sharing_fact(
        &self,
        ctx: &Context<'_>,
        client_id: ID,
        #[graphql(desc = "The MOU assignment's or release exception's id.")] fact_id: ID,
        window: DateWindowInput,
        reason: String,
    ) -> async_graphql::Result<WriteResult> {
        let fact: ulid::Ulid = convert::id("factId", &fact_id)?;
        let command = CorrectSharingFact {
            client: convert::id("clientId", &client_id)?,
            fact: fact.0,
            window: window.window("window")?,
            reason,
        };
        write(ctx, &command).await
    }

    /// Corrects a household membership: the date it began (for the head, the household's
    /// start) and a member's relationship to the head (HUD 3.15.1, never 1 = self: a household
    /// has one head). Staff of the organization that added the member, or a system
    /// administrator.
    async fn correct_household_membership(
        &self,
        ctx: &Context<'_>,
        household_id: ID,
        client_id: ID,
        #[graphql(desc = "YYYY-MM-DD.")] joined: Option<String>,
        #[graphql(desc = "HUD 3.15.1.")] relationship_to_ho_h: Option<i32>,
        reason: String,
    ) -> async_graphql::Result<WriteResult> {
        let mut corrections = Vec::new();
        if let Some(r) = relationship_to_ho_h {
            corrections.push(Correction::RelationshipToHoH(convert::hud(
                "relationshipToHoH",
                r,
                RelationshipToHoH::from_code,
            )?));
        }
        if let Some(d) = &joined {
            corrections.push(Correction::Date(convert::date("joined", d)?));
        }
        let command = CorrectHouseholdMembership {
            household: convert::id("householdId", &household_id)?,
            client: convert::id("clientId", &client_id)?,
            corrections,
            reason,
        };
        write(ctx, &command).await
    }

    /// Voids a client's membership in a household entered in error (`undo: true` brings it
    /// back): the client leaves the household as if never added. The head's membership is the
    /// household and is not voided; a member enrolled with the household answers CONFLICT
    /// (void that enrollment first). Who may, as for `correctHouseholdMembership`.
    async fn void_household_membership(
        &self,
        ctx: &Context<'_>,
        household_id: ID,
        client_id: ID,
        #[graphql(default = false)] undo: bool,
        reason: String,
    ) -> async_graphql::Result<WriteResult> {
        let command = VoidHouseholdMembership {
            household: convert::id("householdId", &household_id)?,
            client: convert::id("clientId", &client_id)?,
            undo,
            reason,
        };
        write(ctx, &command).await
    }

    /// Voids a record ("entered in error"): an enrollment, service, assessment, case note,
    /// document, reservation, stay or bar-list entry. Staff of the recording organization (a
    /// restrict-to-user record: its user or the agency administrator) or a system
    /// administrator; `reason` is required (at most 500 characters). An enrollment with
    /// records in force under it answers CONFLICT: void them first. A record the caller may
    /// not see answers NOT_FOUND, exactly as an id never used.
    async fn void_record(
        &self,
        ctx: &Context<'_>,
        record_id: ID,
        reason: String,
    ) -> async_graphql::Result<WriteResult> {
        let record: ulid::Ulid = convert::id("recordId", &record_id)?;
        let command = VoidRecord {
            record: record.0,
            reason,
        };
        write(ctx, &command).await
    }

    /// Voids an enrollment's exit ("entered in error"): the enrollment is open again and may be
    /// exited anew. Who may, as for `voidRecord`; CONFLICT when the enrollment is not exited.
    async fn void_exit(
        &self,
        ctx: &Context<'_>,
        enrollment_id: ID,
        reason: String,
    ) -> async_graphql::Result<WriteResult> {
        let command = VoidExit {
            enrollment: convert::id("enrollmentId", &enrollment_id)?,
            reason,
        };
        write(ctx, &command).await
    }

    /// Brings back the exit voided last, while the enrollment is open (CONFLICT once it was
    /// exited anew: void that exit first).
    async fn unvoid_exit(
        &self,
        ctx: &Context<'_>,
        enrollment_id: ID,
        reason: String,
    ) -> async_graphql::Result<WriteResult> {
        let command = UnvoidExit {
            enrollment: convert::id("enrollmentId", &enrollment_id)?,
            reason,
        };
        write(ctx, &command).await
    }

    /// Voids a client's MOU assignment or release exception entered in error (`undo: true`
    /// brings it back): a voided one never shared anything. The organization whose fact it is
    /// (the client's creator for an assignment, the granting organization for a release) or a
    /// system administrator, with a reason.
    async fn void_sharing_fact(
        &self,
        ctx: &Context<'_>,
        client_id: ID,
        #[graphql(desc = "The MOU assignment's or release exception's id.")] fact_id: ID,
        #[graphql(default = false)] undo: bool,
        reason: String,
    ) -> async_graphql::Result<WriteResult> {
        let fact: ulid::Ulid = convert::id("factId", &fact_id)?;
        let command = VoidSharingFact {
            client: convert::id("clientId", &client_id)?,
            fact: fact.0,
            undo,
            reason,
        };
        write(ctx, &command).await
    }

    /// Undoes a void: the record is back in every view as it was. Who may, as for
    /// `voidRecord`; CONFLICT when the record is not voided, or when bringing it back would
    /// break a rule it passed when recorded (its enrollment is voided, the client was enrolled
    /// in the program on those dates since, its bed or the client is in another stay now).
    async fn unvoid_record(
        &self,
        ctx: &Context<'_>,
        record_id: ID,
        reason: String,
    ) -> async_graphql::Result<WriteResult> {
        let record: ulid::Ulid = convert::id("recordId", &record_id)?;
        let command = UnvoidRecord {
            record: record.0,
            reason,
        };
        write(ctx, &command).await
    }
}
