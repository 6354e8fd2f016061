//! Records entered in error: `voidRecord` takes one out of every view, count, list and export
//! (it stays in the client's history and the access log), `unvoidRecord` brings it back.

use async_graphql::{Context, ID, Object};
use caseledger_core::commands::voids::{UnvoidRecord, VoidRecord};

use crate::accounts::WriteResult;
use crate::convert;
use crate::error::to_graphql;
use crate::resolver_context::{service, session};

/// Mutations that void records and undo voids.
#[derive(Default)]
pub struct VoidMutations;

#[Object]
impl VoidMutations {
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
        let a = session(ctx)?;
        let record: ulid::Ulid = convert::id("recordId", &record_id)?;
        let command = VoidRecord {
            record: record.0,
            reason,
        };
        let ((), written) = service(ctx).run(a, &command).await.map_err(to_graphql)?;
        Ok(WriteResult {
            position: written.position(),
        })
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
        let a = session(ctx)?;
        let record: ulid::Ulid = convert::id("recordId", &record_id)?;
        let command = UnvoidRecord {
            record: record.0,
            reason,
        };
        let ((), written) = service(ctx).run(a, &command).await.map_err(to_graphql)?;
        Ok(WriteResult {
            position: written.position(),
        })
    }
}
