//! The rules of a client's fields (name, SSN, date of birth, race, address), shared by the
//! intake, its corrections and the HMIS importer's reconciliation, and the search for
//! possible duplicates. The client commands' decisions are in `crate::decisions::clients` and
//! (MOU assignments, releases) `crate::decisions::sharing`.
//!
//! Who may do what (DESIGN.md "Sharing rules"): only the creating organization edits the intake
//! and sets the restriction and the MOU assignment; system administrators may correct intake
//! data; any organization that can see the client may update its address and grant release
//! exceptions of its own data. A client the actor may not see is `NOT_FOUND`.

use caseledger_core::commands::clients::IntakeClient;
use caseledger_core::events::{Address, PersonName};
use caseledger_core::hud::{DataQuality, MissingReason, RaceEthnicity};
use caseledger_core::input::{self, DateKind};
use caseledger_core::{ClientId, Date};
use caseledger_projections::{ClientQuery, Projections};

use crate::Session;
use crate::commands::{CommandError, check_date, check_text, forbidden};

/// Whose values an intake rule checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// Entered by staff: each value must agree with its HUD data quality.
    Entered,
    /// From an HMIS export: values and data-quality codes are kept as the source has them (a
    /// disagreement is a data-quality finding the importer reports); only what HUD's format
    /// forbids is refused.
    Imported,
}

/// The characters of an SSN as typed (dashes and spaces dropped): digits, and HUD's `x` (the
/// only non-numeric character HUD allows) for each unknown digit, kept as lower-case `x`. The
/// intake's rule, which an importer applies too when it looks for data-quality findings.
pub fn ssn_digits(ssn: &str) -> Result<String, CommandError> {
    let digits: String = ssn
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if !digits.chars().all(|c| c.is_ascii_digit() || c == 'x') {
        return Err(CommandError::validation(
            "ssn",
            "digits only, with x for each unknown digit",
        ));
    }
    if digits.len() > 9 {
        return Err(CommandError::validation("ssn", "at most nine digits"));
    }
    Ok(digits)
}

/// The SSA's rules for a full SSN: nine digits, area not 000, 666 or 9xx, group not 00,
/// serial not 0000.
pub fn check_full_ssn(digits: &str) -> Result<(), CommandError> {
    let bad = |why: &str| CommandError::validation("ssn", format!("not a valid SSN: {why}"));
    if digits.len() != 9 || digits.contains('x') {
        return Err(bad(
            "a full SSN has nine known digits (x marks an unknown one: data quality partial)",
        ));
    }
    let (area, rest) = digits.split_at(3);
    let (group, serial) = rest.split_at(2);
    if area == "000" || area == "666" || area.starts_with('9') {
        return Err(bad("the first three digits are never 000, 666 or 9xx"));
    }
    if group == "00" || serial == "0000" {
        return Err(bad("digits 4-5 are never 00 and digits 6-9 never 0000"));
    }
    Ok(())
}

pub(crate) fn check_name(
    name: &PersonName,
    quality: DataQuality,
    origin: Origin,
) -> Result<(), CommandError> {
    for (field, value) in [
        ("firstName", &name.first),
        ("middleName", &name.middle),
        ("lastName", &name.last),
        ("nameSuffix", &name.suffix),
    ] {
        check_text(field, value, input::PERSON_NAME_PART)?;
    }
    let reported = matches!(quality, DataQuality::Full | DataQuality::Partial);
    if origin == Origin::Entered
        && reported
        && name.first.trim().is_empty()
        && name.last.trim().is_empty()
    {
        return Err(CommandError::validation(
            "lastName",
            "a first or last name is required when the name data quality is full or partial",
        ));
    }
    Ok(())
}

/// A hashed export's identifiers: each name part and the SSN one printable word of at most
/// [`MAX_HASH`] characters (HUD leaves the hash's form to the exporting system).
pub(crate) fn check_hashed(name: &PersonName, ssn: &str) -> Result<(), CommandError> {
    for (field, value) in [
        ("firstName", name.first.as_str()),
        ("middleName", &name.middle),
        ("lastName", &name.last),
        ("nameSuffix", &name.suffix),
        ("ssn", ssn),
    ] {
        if value.len() > MAX_HASH || !value.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(CommandError::validation(
                field,
                format!("a hashed identifier: at most {MAX_HASH} characters, no spaces"),
            ));
        }
    }
    Ok(())
}

/// The longest hashed identifier kept.
const MAX_HASH: usize = 128;

pub(crate) fn check_ssn(
    ssn: &str,
    quality: DataQuality,
    origin: Origin,
) -> Result<String, CommandError> {
    let digits = ssn_digits(ssn)?;
    if origin == Origin::Imported {
        return Ok(digits);
    }
    match quality {
        DataQuality::Full => check_full_ssn(&digits)?,
        DataQuality::Partial if digits.len() > 9 || digits.is_empty() => {
            return Err(CommandError::validation(
                "ssn",
                "a partial SSN has one to nine digits",
            ));
        }
        DataQuality::Partial => {}
        _ if !digits.is_empty() => {
            return Err(CommandError::validation(
                "ssn",
                "leave the SSN empty when its data quality says it was not given",
            ));
        }
        _ => {}
    }
    Ok(digits)
}

pub(crate) fn check_dob(
    p: &Projections,
    dob: Option<Date>,
    quality: DataQuality,
    origin: Origin,
) -> Result<(), CommandError> {
    if let Some(d) = dob {
        check_date(p, "dob", d, DateKind::Happened, None)?;
    }
    if origin == Origin::Imported {
        return Ok(());
    }
    match dob {
        Some(_) if !matches!(quality, DataQuality::Full | DataQuality::Partial) => {
            Err(CommandError::validation(
                "dob",
                "leave the date of birth empty when its data quality says it was not given",
            ))
        }
        None if matches!(quality, DataQuality::Full | DataQuality::Partial) => {
            Err(CommandError::validation(
                "dob",
                "a date of birth is required when its data quality is full or approximate",
            ))
        }
        _ => Ok(()),
    }
}

pub(crate) fn check_race(
    races: &[RaceEthnicity],
    none: Option<MissingReason>,
    origin: Origin,
) -> Result<(), CommandError> {
    // An export's RaceNone beside a race, or neither, is a data-quality finding.
    if origin == Origin::Imported {
        return Ok(());
    }
    match (races.is_empty(), none.is_some()) {
        (true, false) => Err(CommandError::validation(
            "raceNone",
            "give at least one race or ethnicity, or why none was collected",
        )),
        (false, true) => Err(CommandError::validation(
            "raceNone",
            "must be empty when a race or ethnicity is given",
        )),
        _ => Ok(()),
    }
}

pub(crate) fn check_address(address: &Option<Address>) -> Result<(), CommandError> {
    let Some(a) = address else { return Ok(()) };
    for (field, value, rule) in [
        ("address.line1", &a.line1, input::ADDRESS_LINE),
        ("address.line2", &a.line2, input::ADDRESS_LINE),
        ("address.city", &a.city, input::CITY),
    ] {
        check_text(field, value, rule)?;
    }
    let state_ok = a.state.is_empty()
        || (a.state.len() == 2 && a.state.chars().all(|c| c.is_ascii_uppercase()));
    if !state_ok {
        return Err(CommandError::validation(
            "address.state",
            format!("`{}` is not a two-letter state code", a.state),
        ));
    }
    let zip_ok = a.zip.is_empty()
        || (a.zip.len() == 5 && a.zip.chars().all(|c| c.is_ascii_digit()))
        || (a.zip.len() == 10
            && a.zip
                .chars()
                .enumerate()
                .all(|(i, c)| if i == 5 { c == '-' } else { c.is_ascii_digit() }));
    if !zip_ok {
        return Err(CommandError::validation(
            "address.zip",
            format!("`{}` is not a ZIP code (12345 or 12345-6789)", a.zip),
        ));
    }
    Ok(())
}

/// Clients the session may see that may be the same person as `intake`.
pub(crate) fn possible_duplicates(
    p: &Projections,
    session: &Session,
    intake: &IntakeClient,
    ssn: &str,
) -> Vec<ClientId> {
    let view = p.org_view(session.viewer());
    let mut found = std::collections::BTreeSet::new();
    if ssn.len() == 9 && !ssn.contains('x') {
        let query = ClientQuery {
            ssn_last4: Some(ssn[5..].to_string()),
            ..ClientQuery::default()
        };
        for c in view.find_clients(&query, None, 100) {
            if c.intake
                .ssn
                .as_clear()
                .is_some_and(|s| ssn_digits(s).ok().as_deref() == Some(ssn))
            {
                found.insert(c.intake.client_id);
            }
        }
    }
    if let Some(dob) = intake.dob
        && !intake.name.last.trim().is_empty()
    {
        let query = ClientQuery {
            name: intake
                .name
                .last
                .split_whitespace()
                .map(str::to_string)
                .collect(),
            dob: Some(dob),
            ..ClientQuery::default()
        };
        let initial = intake
            .name
            .first
            .trim()
            .chars()
            .next()
            .map(|c| c.to_lowercase().to_string());
        for c in view.find_clients(&query, None, 100) {
            let first = c
                .intake
                .name
                .as_clear()
                .map(|n| n.first.trim().to_lowercase());
            let same_initial = match (&initial, first) {
                (Some(i), Some(f)) => f.starts_with(i.as_str()),
                _ => true,
            };
            if same_initial {
                found.insert(c.intake.client_id);
            }
        }
    }
    // And whatever the duplicate queue would pair it with (names that sound alike, a swapped
    // date of birth, the SSN's last four), among the clients the actor may see.
    if let Some(identity) =
        caseledger_core::duplicates::identity_of(&intake.name, intake.dob, ssn, false)
    {
        found.extend(view.probable_duplicates(&identity));
    }
    found.into_iter().take(20).collect()
}

/// Only the creating organization may `what`; others who can see the client get `FORBIDDEN`.
pub(crate) fn require_creator(
    p: &Projections,
    session: &Session,
    client: ClientId,
    what: &str,
) -> Result<(), CommandError> {
    if p.write_model().client_creator(client) != Some(session.organization()) {
        return Err(forbidden(format!(
            "only the organization that created the client may {what}"
        )));
    }
    Ok(())
}
