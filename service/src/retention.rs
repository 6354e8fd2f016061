//! Forgetting clients' identifiers (crypto-shredding) and the retention rule that does it on a
//! schedule: HUD's HMIS standards ask that identifying information be removed seven years
//! after it was created or last changed.
//!
//! Forgetting appends `ClientIdentifiersForgotten` first, then destroys the client's data key
//! and rewrites the read-model snapshot: the log records why and by whom even if the process
//! dies in between, and the next start destroys a key the log says is forgotten.

use caseledger_core::commands::clients::{ApplyRetention, ForgetClientIdentifiers};
use caseledger_core::pii::KeyOwner;
use caseledger_core::{Actor, ClientId, Date, OrganizationId, Role, UserId};

use crate::commands::{CommandError, ErrorCode, Written};
use crate::{Command, Service, Session};

/// Longest reason accepted (it is kept, unsealed, in the audit trail).
pub const MAX_REASON_LEN: usize = caseledger_core::input::STATED_REASON.max_chars;

/// What a retention run found (and forgot, unless it was a dry run).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionReport {
    /// Identifiers last recorded or changed on or before this date are due.
    pub cutoff: Date,
    /// The clients due, with the date their identifiers last changed, by id.
    pub due: Vec<(ClientId, Date)>,
    /// Where the forgetting was written (`None` for a dry run or when nothing was due).
    pub written: Option<Written>,
    /// Reasons stated in disclosure records made on or before the cutoff whose keys were
    /// destroyed (or, in a dry run, would be).
    pub reasons_retired: usize,
}

/// The service acting for itself (the retention job): user 0 of the CoC lead.
pub(crate) fn system_actor(lead: OrganizationId) -> Actor {
    Actor {
        user: UserId::new(0),
        organization: lead,
        role: Role::System,
    }
}

/// `today` minus `years` calendar years (29 February goes to 28 February).
pub fn years_before(today: Date, years: u32) -> Option<Date> {
    today
        .to_naive()
        .checked_sub_months(chrono::Months::new(years.checked_mul(12)?))
        .map(Date::from_naive)
}

impl Service {
    /// Forgets a client's identifiers (the [`ForgetClientIdentifiers`] command, then the
    /// destruction of the client's key): every identifying value ever recorded for the client
    /// reads as erased from now on, in every view, export and replay; enrollments, services
    /// and other non-identifying facts stay.
    pub async fn forget_client_identifiers(
        &self,
        session: &Session,
        command: &ForgetClientIdentifiers,
    ) -> Result<Written, CommandError> {
        self.forget(session, command).await
    }

    /// Applies the retention rule on the current business date: clients whose identifiers were
    /// last recorded or changed `years` or more years ago and who have no open enrollment.
    /// With `dry_run` only lists them.
    pub async fn run_retention(
        &self,
        years: u32,
        dry_run: bool,
    ) -> Result<RetentionReport, CommandError> {
        let cutoff = years_before(self.today(), years).ok_or_else(|| {
            CommandError::validation("years", "reaches before the calendar's first date")
        })?;
        // A stated reason is an identifier of whoever it names, recorded once and never changed:
        // it goes when the period has passed since it was recorded. Event ids are ULIDs made at
        // recording, so the key store dates them without reading the log (UTC, up to the end of
        // the cutoff day).
        let end_of_cutoff = cutoff
            .to_naive()
            .succ_opt()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map_or(0, |t| {
                u64::try_from(t.and_utc().timestamp_millis()).unwrap_or(0)
            });
        let reasons: Vec<KeyOwner> = self
            .keys()
            .disclosure_keys_made_before(end_of_cutoff)
            .map_err(|e| {
                tracing::error!(error = %e, "disclosure reasons past retention not listed");
                CommandError::new(ErrorCode::Internal, "the key store could not be read")
            })?
            .into_iter()
            .map(KeyOwner::Disclosure)
            .collect();
        let reasons_retired = reasons.len();
        if !dry_run && !reasons.is_empty() {
            self.keys().forget(&reasons).map_err(|e| {
                tracing::error!(error = %e, "disclosure reasons past retention not destroyed");
                CommandError::new(ErrorCode::Internal, "the key store could not be rewritten")
            })?;
            tracing::info!(
                reasons = reasons_retired,
                "disclosure reasons past retention destroyed"
            );
        }
        let due = self.with_projections(|p| p.write_model().retention_due(cutoff));
        if dry_run || due.is_empty() {
            return Ok(RetentionReport {
                cutoff,
                due,
                written: None,
                reasons_retired,
            });
        }
        let lead = self
            .organizations()
            .into_iter()
            .find(|(_, o)| o.is_coc_lead)
            .map(|(id, _)| id)
            .ok_or_else(|| CommandError::new(ErrorCode::Conflict, "no CoC lead organization"))?;
        let system = Session::new(system_actor(lead));
        let written = self
            .forget(&system, &ApplyRetention { cutoff, years })
            .await?;
        let due = self.with_projections(|p| {
            due.into_iter()
                .filter(|(c, _)| p.write_model().forgotten(*c))
                .collect()
        });
        Ok(RetentionReport {
            cutoff,
            due,
            written: Some(written),
            reasons_retired,
        })
    }

    /// Runs a forgetting command, then destroys the keys of the clients it forgot and
    /// rewrites the snapshot (after the append: the log says why even if this never runs, and
    /// the next start finishes it).
    async fn forget<C: Command<Output = Vec<ClientId>>>(
        &self,
        session: &Session,
        command: &C,
    ) -> Result<Written, CommandError> {
        let (clients, written) = self.run(session, command).await?;
        let unfinished = |e: &dyn std::fmt::Display| {
            tracing::error!(error = %e, "forgotten in the log, key not yet destroyed (retried at the next start)");
            CommandError::new(
                ErrorCode::Internal,
                "recorded, but the key could not be destroyed yet; it will be at the next start",
            )
        };
        // Every disclosure record naming the clients that is durable by now is folded before
        // the sweep (one appended later finds the client forgotten and destroys its own key).
        let head = self.head().position;
        self.wait_for(head, std::time::Duration::from_secs(30))
            .await
            .map_err(|e| unfinished(&e))?;
        let mut owners: Vec<KeyOwner> = clients.iter().copied().map(KeyOwner::from).collect();
        owners.extend(
            self.disclosure_keys_naming(&clients)
                .map_err(|e| unfinished(&e))?,
        );
        // One rewrite of the key file: the clients' keys and their disclosures' go together.
        self.keys().forget(&owners).map_err(|e| unfinished(&e))?;
        self.replace_snapshot();
        tracing::info!(clients = clients.len(), "client identifiers forgotten");
        Ok(written)
    }
}
