//! The command processor: every write is checked against the write model and appended by one
//! writer at a time, so no check can be overtaken by another command's write (no
//! check-then-act race). A rejected command writes nothing and says what was wrong with a
//! stable code, the field, and a human message.

use caseledger_core::commands::accounts::NewToken;
use caseledger_core::input::{self, DateKind, TextRule};
use caseledger_core::{Actor, ClientId, Date, OrganizationId, Role, TokenId};
use caseledger_projections::Projections;
use sha2::{Digest, Sha256};

use crate::Service;

/// Stable error codes, as the API reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// No credentials, or credentials that do not identify an active user.
    Unauthenticated,
    /// The actor may not do this.
    Forbidden,
    /// The thing named does not exist (or the actor may not see it: the two look the same).
    NotFound,
    /// A value breaks a rule.
    Validation,
    /// The state changed or does not allow this now.
    Conflict,
    /// A size or rate limit.
    LimitExceeded,
    /// The service failed (storage, timeout); details are logged, not shown.
    Internal,
}

impl ErrorCode {
    /// The code's stable name (`FORBIDDEN`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::Validation => "VALIDATION",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::LimitExceeded => "LIMIT_EXCEEDED",
            ErrorCode::Internal => "INTERNAL",
        }
    }
}

/// Why a command was rejected (nothing was written).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}: {message}", code.as_str(), field.as_ref().map(|f| format!(" ({f})")).unwrap_or_default())]
pub struct CommandError {
    /// The stable code.
    pub code: ErrorCode,
    /// The input field at fault, if one is.
    pub field: Option<String>,
    /// What was wrong, for a person.
    pub message: String,
}

impl CommandError {
    /// A rejection with a code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        CommandError {
            code,
            field: None,
            message: message.into(),
        }
    }

    /// A value that breaks a rule.
    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        CommandError {
            code: ErrorCode::Validation,
            field: Some(field.to_string()),
            message: message.into(),
        }
    }

    pub(crate) fn internal(e: impl std::fmt::Display) -> Self {
        // Not the caller's fault; the API masks the message and logs it.
        tracing::error!(error = %e, "command failed");
        CommandError::new(
            ErrorCode::Internal,
            format!("the command could not be recorded: {e}"),
        )
    }
}

/// What a successful command wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The log position of each event written.
    pub positions: Vec<u64>,
}

impl Written {
    /// The position a reader waits for to see the command's effect.
    pub fn position(&self) -> u64 {
        self.positions.last().copied().unwrap_or(0)
    }
}

/// Whether an IANA time zone name is known.
pub(crate) fn check_time_zone(zone: &str) -> Result<(), CommandError> {
    zone.parse::<chrono_tz::Tz>().map(|_| ()).map_err(|_| {
        CommandError::validation(
            "timeZone",
            format!("`{zone}` is not an IANA time zone name (like America/Los_Angeles)"),
        )
    })
}

/// A new random API token: what the log records of it, and the bearer string handed out once.
pub(crate) fn new_token(days: u32) -> Result<(NewToken, String), CommandError> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret)
        .map_err(|e| CommandError::internal(format!("no randomness: {e}")))?;
    let id = TokenId::from_ulid(ulid::Ulid::new());
    let secret_hex = hex::encode(secret);
    let hash: [u8; 32] = Sha256::digest(secret_hex.as_bytes()).into();
    let expires = chrono::Utc::now() + chrono::Duration::days(i64::from(days));
    let token = NewToken {
        token_id: id,
        token_hash: hash,
        expires: caseledger_core::Timestamp::from_datetime(expires),
    };
    Ok((token, format!("clt_{id}_{secret_hex}")))
}

/// The refusal of anything identifying for a client whose identifiers were forgotten: their
/// key is gone, so nothing could seal it (events with nothing identifying are still recorded).
pub(crate) fn forgotten() -> CommandError {
    conflict(
        "clientId",
        "the client's identifiers were forgotten: nothing identifying can be recorded for them \
         again (take a returning person in as a new client)",
    )
}

/// `NOT_FOUND` naming the input field (an invisible record is answered the same way).
pub(crate) fn not_found(field: &str, what: &str) -> CommandError {
    CommandError {
        code: ErrorCode::NotFound,
        field: Some(field.to_string()),
        message: format!("no such {what}"),
    }
}

/// `FORBIDDEN` with a message.
pub(crate) fn forbidden(message: impl Into<String>) -> CommandError {
    CommandError::new(ErrorCode::Forbidden, message)
}

/// `CONFLICT` naming the input field.
pub(crate) fn conflict(field: &str, message: impl Into<String>) -> CommandError {
    CommandError {
        code: ErrorCode::Conflict,
        field: Some(field.to_string()),
        message: message.into(),
    }
}

/// The viewer an actor reads as.
pub(crate) fn viewer(actor: &Actor) -> caseledger_core::sharing::Viewer {
    caseledger_core::sharing::Viewer {
        user: actor.user,
        organization: actor.organization,
        role: actor.role,
    }
}

/// The CoC's system administrators set up the HMIS and fix the record across agencies.
pub(crate) fn require_system_admin(actor: &Actor, what: &str) -> Result<(), CommandError> {
    if actor.role != Role::SystemAdmin {
        return Err(forbidden(format!("only a system administrator may {what}")));
    }
    Ok(())
}

/// Agency staff (case managers and agency administrators) record client data; the CoC roles
/// administer, help and audit.
pub(crate) fn require_agency_staff(actor: &Actor, what: &str) -> Result<(), CommandError> {
    match actor.role {
        Role::CaseManager | Role::AgencyAdmin => Ok(()),
        _ => Err(forbidden(format!("only agency staff may {what}"))),
    }
}

/// What the actor may do with the client's intake today; `NOT_FOUND` when they may not see it
/// (exactly as for an id never used). A merged client seen only through a merged intake is
/// read (records may be recorded for the person; the survivor's intake is not theirs to edit).
/// A merged-away id is `CONFLICT` naming its survivor — told only to an actor that could see
/// the duplicate, `NOT_FOUND` to any other — so nothing is recorded under an id that no longer
/// answers for itself.
pub(crate) fn client_access(
    p: &Projections,
    actor: &Actor,
    client: caseledger_core::ClientId,
    field: &str,
) -> Result<caseledger_core::sharing::Visibility, CommandError> {
    use caseledger_core::AccessLevel;
    let view = p.org_view(viewer(actor));
    if let Some((_, survivor)) = p.write_model().merged_into(client) {
        return Err(match view.client_card(client) {
            Some(_) => conflict(
                field,
                format!("this client was merged into client {survivor}: use that id"),
            ),
            None => not_found(field, "client"),
        });
    }
    let access = view.visibility(&caseledger_core::sharing::RecordRef::Intake(client));
    if access.level != AccessLevel::None {
        return Ok(access);
    }
    match view.client(client) {
        Some(merged) => Ok(caseledger_core::sharing::Visibility {
            level: AccessLevel::Read,
            reason: merged.access.reason,
        }),
        None => Err(not_found(field, "client")),
    }
}

/// The record owner for what an actor records.
pub(crate) fn owner(actor: &Actor) -> caseledger_core::RecordOwner {
    caseledger_core::RecordOwner {
        organization: actor.organization,
        user: actor.user,
    }
}

/// A new id of any kind, for the records a command creates (interfaces choose them when they
/// build the command; the decision stays pure).
pub fn new_id<T: From<ulid::Ulid>>() -> T {
    T::from(ulid::Ulid::new())
}

/// The text rule ([`caseledger_core::input::check_text`]) for one field of a command: a value
/// too long, or holding a control or bidirectional formatting character, is `VALIDATION`
/// naming the field. Every human text field of every command passes here.
pub(crate) fn check_text(field: &str, value: &str, rule: TextRule) -> Result<(), CommandError> {
    rule.check(value)
        .map_err(|e| CommandError::validation(field, e.to_string()))
}

/// [`check_text`] for a field that must not be blank.
pub(crate) fn require_text(field: &str, value: &str, rule: TextRule) -> Result<(), CommandError> {
    rule.check_required(value)
        .map_err(|e| CommandError::validation(field, e.to_string()))
}

/// The client's date of birth, when the write model knows it.
pub(crate) fn date_of_birth(p: &Projections, client: ClientId) -> Option<Date> {
    p.write_model()
        .intake(client)
        .and_then(|i| i.dob.as_clear().copied().flatten())
}

/// The date rule ([`caseledger_core::input::check_date`]) for one business date of a command:
/// 1900 or later, not before the client's date of birth (when the date is about a client whose
/// date of birth is known), not after today plus the allowance of its kind. `VALIDATION`
/// naming the field. Every business date of every command passes here.
pub(crate) fn check_date(
    p: &Projections,
    field: &str,
    date: Date,
    kind: DateKind,
    client: Option<ClientId>,
) -> Result<(), CommandError> {
    let born = client.and_then(|c| date_of_birth(p, c));
    input::check_date(date, kind, p.today(), born)
        .map_err(|e| CommandError::validation(field, e.to_string()))
}

/// The last day a fact applies when a command ends it: `last_day` through the date rule for
/// planned dates (`lastDay`), or yesterday, so it stops applying at once.
pub(crate) fn last_day_or_yesterday(
    p: &Projections,
    last_day: Option<Date>,
    client: Option<ClientId>,
) -> Result<Date, CommandError> {
    match last_day {
        Some(d) => {
            check_date(p, "lastDay", d, DateKind::Planned, client)?;
            Ok(d)
        }
        None => p
            .today()
            .add_days(-1)
            .ok_or_else(|| CommandError::validation("lastDay", "out of range")),
    }
}

/// A window of planned dates: both ends pass the date rule (`FIELD.start`, `FIELD.end`) and the
/// end is not before the start (`FIELD`).
pub(crate) fn check_window(
    p: &Projections,
    field: &str,
    window: &caseledger_core::DateWindow,
    client: Option<ClientId>,
) -> Result<(), CommandError> {
    check_date(
        p,
        &format!("{field}.start"),
        window.start,
        DateKind::Planned,
        client,
    )?;
    if let Some(end) = window.end {
        check_date(p, &format!("{field}.end"), end, DateKind::Planned, client)?;
    }
    if !window.is_well_formed() {
        return Err(CommandError::validation(
            field,
            format!(
                "the end date {} is before the start date {}",
                window.end.map(|d| d.to_string()).unwrap_or_default(),
                window.start
            ),
        ));
    }
    Ok(())
}

impl Service {
    /// Every organization (names are not client data: any authenticated user may list them).
    pub fn organizations(
        &self,
    ) -> Vec<(OrganizationId, caseledger_projections::OrganizationFacts)> {
        self.with_projections(|p| p.write_model().organizations())
    }
}
