//! Values crossing the API boundary: ids, dates, HUD codes and the sharing vocabulary.
//!
//! HUD code lists travel as HUD's integer codes, exactly as in HMIS CSV files (what HMIS staff
//! and every other HMIS know); a code outside the list is `VALIDATION` naming the field.

use async_graphql::{Enum, ID, SimpleObject};
use caseledger_core::{AccessReason, Date, DateWindow};
use caseledger_service::CommandError;

use crate::error::to_graphql;

/// A `VALIDATION` error naming the field.
pub fn invalid(field: &str, message: impl Into<String>) -> async_graphql::Error {
    to_graphql(CommandError::validation(field, message))
}

/// Parses an id argument.
pub fn id<T: std::str::FromStr>(field: &str, value: &ID) -> async_graphql::Result<T> {
    value
        .parse()
        .map_err(|_| invalid(field, format!("`{}` is not an id", value.as_str())))
}

/// Parses an optional id argument.
pub fn opt_id<T: std::str::FromStr>(
    field: &str,
    value: &Option<ID>,
) -> async_graphql::Result<Option<T>> {
    value.as_ref().map(|v| id(field, v)).transpose()
}

/// An id as the API shows it.
pub fn show<T: std::fmt::Display>(id: T) -> ID {
    ID(id.to_string())
}

/// Parses a `YYYY-MM-DD` business date: a year of four digits, 1900 or later (core's
/// [`EARLIEST_DATE`](caseledger_core::input::EARLIEST_DATE)). The rest of the date rule (not
/// before the client's birth, not past today's allowance) needs the write model and is the
/// command's.
pub fn date(field: &str, value: &str) -> async_graphql::Result<Date> {
    let date: Date = value
        .parse()
        .map_err(|_| invalid(field, "not a date (YYYY-MM-DD, a four-digit year)"))?;
    if date < caseledger_core::input::EARLIEST_DATE {
        return Err(invalid(
            field,
            format!("{date} is before {}", caseledger_core::input::EARLIEST_DATE),
        ));
    }
    Ok(date)
}

/// Parses an optional date.
pub fn opt_date(field: &str, value: &Option<String>) -> async_graphql::Result<Option<Date>> {
    value.as_deref().map(|v| date(field, v)).transpose()
}

/// A window from a start and an optional end date.
pub fn window(field: &str, start: &str, end: &Option<String>) -> async_graphql::Result<DateWindow> {
    Ok(DateWindow {
        start: date(&format!("{field}.start"), start)?,
        end: opt_date(&format!("{field}.end"), end)?,
    })
}

/// A HUD code of list `T`.
pub fn hud<T>(field: &str, code: i32, from_code: fn(u16) -> Option<T>) -> async_graphql::Result<T> {
    u16::try_from(code)
        .ok()
        .and_then(from_code)
        .ok_or_else(|| invalid(field, format!("{code} is not a HUD code of this list")))
}

/// An optional HUD code.
pub fn opt_hud<T>(
    field: &str,
    code: Option<i32>,
    from_code: fn(u16) -> Option<T>,
) -> async_graphql::Result<Option<T>> {
    code.map(|c| hud(field, c, from_code)).transpose()
}

/// A list of HUD codes.
pub fn hud_list<T>(
    field: &str,
    codes: &[i32],
    from_code: fn(u16) -> Option<T>,
) -> async_graphql::Result<Vec<T>> {
    codes
        .iter()
        .enumerate()
        .map(|(i, c)| hud(&format!("{field}[{i}]"), *c, from_code))
        .collect()
}

/// A date window as the API shows it.
#[derive(SimpleObject, Clone)]
pub struct Window {
    /// First date (inclusive).
    pub start: String,
    /// Last date (inclusive); null when open-ended.
    pub end: Option<String>,
}

impl From<DateWindow> for Window {
    fn from(w: DateWindow) -> Self {
        Window {
            start: w.start.to_string(),
            end: w.end.map(|d| d.to_string()),
        }
    }
}

/// What a viewer may do with a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum AccessLevelName {
    /// Read only.
    Read,
    /// Read and edit.
    Edit,
}

/// The sharing rule that let the viewer see a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum AccessRule {
    /// The viewer's organization owns it or created the client.
    OwnOrganization,
    /// The viewer recorded it (restricted to its user).
    OwnUser,
    /// The client is shared globally.
    GlobalShare,
    /// A sharing path through an MOU (`via` is the MOU).
    Mou,
    /// A release exception (`via` is the release).
    ReleaseException,
    /// The viewer is a system administrator.
    SystemAdministrator,
    /// The viewer is on the help desk.
    HelpDesk,
    /// The viewer is an auditor.
    Auditor,
    /// The open-intake policy's intake rule.
    OpenIntake,
    /// The open-intake policy's enrollment summary rule.
    OpenEnrollmentSummary,
    /// A client record request (`via` is the request).
    ClientRecordRequest,
}

/// Access to a record: the level and the rule that allowed it.
#[derive(SimpleObject, Clone)]
pub struct Access {
    /// Read or edit.
    pub level: AccessLevelName,
    /// The rule.
    pub rule: AccessRule,
    /// The MOU, release or record request the rule went through, if any.
    pub via: Option<ID>,
}

impl Access {
    /// Access from a visible record's visibility.
    pub fn of(v: caseledger_core::sharing::Visibility) -> Access {
        use caseledger_core::sharing::PolicyRule;
        let level = match v.level {
            caseledger_core::AccessLevel::Edit => AccessLevelName::Edit,
            _ => AccessLevelName::Read,
        };
        let (rule, via) = match v.reason {
            Some(AccessReason::OwnOrganization) | None => (AccessRule::OwnOrganization, None),
            Some(AccessReason::OwnUser) => (AccessRule::OwnUser, None),
            Some(AccessReason::GlobalShare) => (AccessRule::GlobalShare, None),
            Some(AccessReason::Mou(m)) => (AccessRule::Mou, Some(show(m))),
            Some(AccessReason::ReleaseException(r)) => {
                (AccessRule::ReleaseException, Some(show(r)))
            }
            Some(AccessReason::SystemAdministrator) => (AccessRule::SystemAdministrator, None),
            Some(AccessReason::HelpDesk) => (AccessRule::HelpDesk, None),
            Some(AccessReason::Auditor) => (AccessRule::Auditor, None),
            Some(AccessReason::PolicyRule(PolicyRule::OpenIntake)) => {
                (AccessRule::OpenIntake, None)
            }
            Some(AccessReason::PolicyRule(PolicyRule::OpenEnrollmentSummary)) => {
                (AccessRule::OpenEnrollmentSummary, None)
            }
            Some(AccessReason::ClientRecordRequest(r)) => {
                (AccessRule::ClientRecordRequest, Some(show(r)))
            }
        };
        Access { level, rule, via }
    }
}

/// Who may see a client's intake beyond the creating organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "caseledger_core::ClientRestriction")]
pub enum ClientRestrictionName {
    /// Only the creating organization.
    RestrictToOrganization,
    /// Organizations with a sharing path (MOU or release) from the creator.
    ShareWithMou,
    /// Every participating organization.
    ShareGlobally,
}

/// Who may see a transaction beyond its owning organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "caseledger_core::TransactionRestriction")]
pub enum TransactionRestrictionName {
    /// Organizations with a sharing path from the owner.
    Unrestricted,
    /// Only the owning organization.
    RestrictToOrganization,
    /// Only the user who recorded it.
    RestrictToUser,
}

/// A participant's part in an MOU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "caseledger_core::MouDirection")]
pub enum MouDirectionName {
    /// Shares out.
    Grants,
    /// May see.
    Receives,
    /// Both.
    Both,
}

/// Who a room may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "caseledger_core::events::RoomDesignator")]
pub enum RoomDesignatorName {
    /// Male clients only.
    Male,
    /// Female clients only.
    Female,
    /// Adults only.
    Adult,
    /// Youth (under 25) only.
    Youth,
    /// Families (children of any gender).
    Family,
}

/// Kinds of assessment (they drive default restrictions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "caseledger_core::AssessmentKind")]
pub enum AssessmentKindName {
    /// Anything else.
    General,
    /// Health.
    Health,
    /// Substance use.
    SubstanceUse,
    /// Legal.
    Legal,
    /// Domestic violence.
    DomesticViolence,
    /// Income and benefits.
    IncomeBenefits,
    /// Disabilities.
    Disabilities,
    /// Employment and education.
    EmploymentEducation,
    /// Current living situation.
    CurrentLivingSituation,
    /// Coordinated entry.
    CoordinatedEntry,
    /// Youth education status.
    YouthEducationStatus,
}

/// An instant as the API shows it: RFC 3339 in UTC (`2026-12-02T19:04:05.123456+00:00`).
pub fn time(t: caseledger_core::Timestamp) -> String {
    t.to_datetime().to_rfc3339()
}
