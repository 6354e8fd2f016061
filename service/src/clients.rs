//! Client commands: intake and its corrections, the address, the client restriction, MOU
//! assignments and release exceptions.
//!
//! Who may do what (DESIGN.md "Sharing rules"): only the creating organization edits the intake
//! and sets the restriction and the MOU assignment; system administrators may correct intake
//! data; any organization that can see the client may update its address and grant release
//! exceptions of its own data. A client the actor may not see is `NOT_FOUND`.

use caseledger_core::events::{
    Address, ClientAddressUpdated, ClientIntakeEdited, ClientIntakeRecorded,
    ClientRestrictionChanged, MouAssigned, MouAssignmentEnded, PersonName, ReleaseExceptionGranted,
    ReleaseExceptionRevoked,
};
use caseledger_core::hud::{DataQuality, Gender, MissingReason, NoYesReasons, RaceEthnicity, Sex};
use caseledger_core::{
    AccessLevel, Actor, ClientId, ClientRestriction, Date, DateWindow, MouAssignmentId, MouId,
    OrganizationId, Pii, ReleaseId, Role,
};
use caseledger_projections::{ClientQuery, Projections};

use crate::Service;
use crate::Session;
use crate::commands::{
    CommandError, Written, check_date, check_text, check_window, client_access, conflict,
    forbidden, new_id, not_found, require_agency_staff, viewer,
};
use caseledger_core::input::{self, DateKind};

/// A new client's intake, as the API receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeInput {
    /// Name (HUD 3.01).
    pub name: PersonName,
    /// HUD `NameDataQuality`.
    pub name_data_quality: DataQuality,
    /// SSN: nine digits, or fewer for a partial SSN; empty if not given.
    pub ssn: String,
    /// HUD `SSNDataQuality`.
    pub ssn_data_quality: DataQuality,
    /// Date of birth.
    pub dob: Option<Date>,
    /// HUD `DOBDataQuality`.
    pub dob_data_quality: DataQuality,
    /// Race and ethnicity.
    pub race_ethnicity: Vec<RaceEthnicity>,
    /// Why race is missing, when the list is empty.
    pub race_none: Option<MissingReason>,
    /// HUD `AdditionalRaceEthnicity`.
    pub additional_race_ethnicity: String,
    /// Sex (FY2026).
    pub sex: Option<Sex>,
    /// Genders (FY2024).
    pub genders: Vec<Gender>,
    /// FY2024 `GenderNone`.
    pub gender_none: Option<MissingReason>,
    /// FY2024 `DifferentIdentityText`.
    pub different_identity_text: String,
    /// Veteran status.
    pub veteran_status: NoYesReasons,
    /// Last known address.
    pub address: Option<Address>,
    /// Who may see the intake; the policy's default when `None`.
    pub restriction: Option<ClientRestriction>,
}

/// What `intake_client` wrote and found.
#[derive(Debug, Clone)]
pub struct IntakeOutcome {
    /// The new client.
    pub client: ClientId,
    /// What was written.
    pub written: Written,
    /// Clients the actor may see that may be the same person (same SSN, or same name and date
    /// of birth, or same last name, first initial and date of birth), found before the write.
    pub possible_duplicates: Vec<ClientId>,
}

/// Digits of an SSN as typed (dashes and spaces allowed).
pub(crate) fn ssn_digits(ssn: &str) -> Result<String, CommandError> {
    let digits: String = ssn.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(CommandError::validation("ssn", "digits only"));
    }
    Ok(digits)
}

/// The SSA's rules for a full SSN: nine digits, area not 000, 666 or 9xx, group not 00,
/// serial not 0000.
pub(crate) fn check_full_ssn(digits: &str) -> Result<(), CommandError> {
    let bad = |why: &str| CommandError::validation("ssn", format!("not a valid SSN: {why}"));
    if digits.len() != 9 {
        return Err(bad("a full SSN has nine digits"));
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

fn check_name(name: &PersonName, quality: DataQuality) -> Result<(), CommandError> {
    for (field, value) in [
        ("firstName", &name.first),
        ("middleName", &name.middle),
        ("lastName", &name.last),
        ("nameSuffix", &name.suffix),
    ] {
        check_text(field, value, input::PERSON_NAME_PART)?;
    }
    let reported = matches!(quality, DataQuality::Full | DataQuality::Partial);
    if reported && name.first.trim().is_empty() && name.last.trim().is_empty() {
        return Err(CommandError::validation(
            "lastName",
            "a first or last name is required when the name data quality is full or partial",
        ));
    }
    Ok(())
}

fn check_ssn(ssn: &str, quality: DataQuality) -> Result<String, CommandError> {
    let digits = ssn_digits(ssn)?;
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

fn check_dob(p: &Projections, dob: Option<Date>, quality: DataQuality) -> Result<(), CommandError> {
    if let Some(d) = dob {
        check_date(p, "dob", d, DateKind::Happened, None)?;
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

fn check_race(races: &[RaceEthnicity], none: Option<MissingReason>) -> Result<(), CommandError> {
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

fn check_address(address: &Option<Address>) -> Result<(), CommandError> {
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

/// Clients the actor may see that may be the same person as `input`.
fn possible_duplicates(
    p: &Projections,
    actor: &Actor,
    input: &IntakeInput,
    ssn: &str,
) -> Vec<ClientId> {
    let view = p.org_view(viewer(actor));
    let mut found = std::collections::BTreeSet::new();
    if ssn.len() == 9 {
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
    if let Some(dob) = input.dob
        && !input.name.last.trim().is_empty()
    {
        let query = ClientQuery {
            name: input
                .name
                .last
                .split_whitespace()
                .map(str::to_string)
                .collect(),
            dob: Some(dob),
            ..ClientQuery::default()
        };
        let initial = input
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
    found.into_iter().take(20).collect()
}

impl Service {
    /// Records a new client's intake, owned by the actor's organization. Agency staff only.
    pub async fn intake_client(
        &self,
        session: &Session,
        input: IntakeInput,
    ) -> Result<IntakeOutcome, CommandError> {
        let actor = session.actor();
        let client: ClientId = new_id();
        let mut duplicates = Vec::new();
        let written = self
            .execute(actor, |p| {
                let events = decide_intake(p, &actor, &input, client, None)?;
                let ssn = events_ssn(&events);
                duplicates = possible_duplicates(p, &actor, &input, &ssn);
                Ok(events)
            })
            .await?;
        Ok(IntakeOutcome {
            client,
            written,
            possible_duplicates: duplicates,
        })
    }

    /// Changes intake fields (the edit's `Some` fields). The creating organization, or a
    /// system administrator correcting data; anyone else who can see the client is refused
    /// with `FORBIDDEN`.
    pub async fn update_client_intake(
        &self,
        session: &Session,
        edit: ClientIntakeEdited,
    ) -> Result<Written, CommandError> {
        let actor = session.actor();
        self.execute(actor, |p| decide_intake_edit(p, &actor, edit))
            .await
    }

    /// Sets or clears the client's address. Any organization that can see the client.
    pub async fn update_client_address(
        &self,
        session: &Session,
        client: ClientId,
        address: Option<Address>,
    ) -> Result<Written, CommandError> {
        let actor = session.actor();
        if !matches!(
            actor.role,
            Role::CaseManager | Role::AgencyAdmin | Role::SystemAdmin
        ) {
            return Err(forbidden("your role may not edit client data"));
        }
        check_address(&address)?;
        self.execute(actor, |p| {
            client_access(p, &actor, client, "clientId")?;
            // Even clearing it: an address is an identifier, and there is none left to clear.
            if p.write_model().forgotten(client) {
                return Err(crate::commands::forgotten());
            }
            Ok(vec![
                ClientAddressUpdated {
                    client_id: client,
                    address: Pii::new(address),
                }
                .into(),
            ])
        })
        .await
    }

    /// Changes who may see the client's intake from `effective` on. The creating organization
    /// only.
    pub async fn set_client_restriction(
        &self,
        session: &Session,
        client: ClientId,
        restriction: ClientRestriction,
        effective: Option<Date>,
    ) -> Result<Written, CommandError> {
        let actor = session.actor();
        require_agency_staff(&actor, "change client restrictions")?;
        self.execute(actor, |p| {
            client_access(p, &actor, client, "clientId")?;
            require_creator(p, &actor, client, "change the client's restriction")?;
            let effective = effective.unwrap_or(p.today());
            check_date(p, "effective", effective, DateKind::Planned, Some(client))?;
            Ok(vec![
                ClientRestrictionChanged {
                    client_id: client,
                    restriction,
                    effective,
                }
                .into(),
            ])
        })
        .await
    }

    /// Assigns the client to an MOU the creating organization participates in, ending the
    /// previous assignment the day before the new one starts. The creating organization only.
    pub async fn assign_mou(
        &self,
        session: &Session,
        client: ClientId,
        mou: MouId,
        window: Option<DateWindow>,
    ) -> Result<(MouAssignmentId, Written), CommandError> {
        let actor = session.actor();
        require_agency_staff(&actor, "assign clients to MOUs")?;
        let assignment: MouAssignmentId = new_id();
        let written = self
            .execute(actor, |p| {
                client_access(p, &actor, client, "clientId")?;
                require_creator(p, &actor, client, "assign the client to an MOU")?;
                let w = p.write_model();
                if w.catalog().mou(mou).is_none() {
                    return Err(not_found("mouId", "MOU"));
                }
                if !w.mou_participant(mou, actor.organization) {
                    return Err(CommandError::validation(
                        "mouId",
                        "your organization does not participate in this MOU",
                    ));
                }
                let window = window.unwrap_or(DateWindow::open(p.today()));
                check_window(p, "window", &window, Some(client))?;
                let mut events = Vec::new();
                if let Some((previous, _)) = w.mou_assignment(client, window.start) {
                    let end = window
                        .start
                        .add_days(-1)
                        .ok_or_else(|| CommandError::validation("window.start", "out of range"))?;
                    events.push(
                        MouAssignmentEnded {
                            client_id: client,
                            assignment_id: previous,
                            end,
                        }
                        .into(),
                    );
                }
                events.push(
                    MouAssigned {
                        client_id: client,
                        assignment_id: assignment,
                        mou_id: mou,
                        window,
                    }
                    .into(),
                );
                Ok(events)
            })
            .await?;
        Ok((assignment, written))
    }

    /// The client signed a release letting `accessing` see what the actor's organization
    /// recorded about them. Any organization that can see the client.
    pub async fn grant_release_exception(
        &self,
        session: &Session,
        client: ClientId,
        accessing: OrganizationId,
        window: Option<DateWindow>,
    ) -> Result<(ReleaseId, Written), CommandError> {
        let actor = session.actor();
        require_agency_staff(&actor, "record releases of information")?;
        let release: ReleaseId = new_id();
        let written = self
            .execute(actor, |p| {
                client_access(p, &actor, client, "clientId")?;
                if p.write_model().organization(accessing).is_none() {
                    return Err(not_found("accessingOrganizationId", "organization"));
                }
                if accessing == actor.organization {
                    return Err(CommandError::validation(
                        "accessingOrganizationId",
                        "a release shares with another organization, not your own",
                    ));
                }
                let window = window.unwrap_or(DateWindow::open(p.today()));
                check_window(p, "window", &window, Some(client))?;
                Ok(vec![
                    ReleaseExceptionGranted {
                        client_id: client,
                        release_id: release,
                        granting_organization: actor.organization,
                        accessing_organization: accessing,
                        window,
                    }
                    .into(),
                ])
            })
            .await?;
        Ok((release, written))
    }

    /// Ends a release exception: `last_day` is the last date it applies (yesterday when not
    /// given, so access stops at once). The granting organization only.
    pub async fn revoke_release_exception(
        &self,
        session: &Session,
        client: ClientId,
        release: ReleaseId,
        last_day: Option<Date>,
    ) -> Result<Written, CommandError> {
        let actor = session.actor();
        require_agency_staff(&actor, "revoke releases of information")?;
        self.execute(actor, |p| {
            client_access(p, &actor, client, "clientId")?;
            let sharing = p
                .org_view(viewer(&actor))
                .sharing(client)
                .unwrap_or_default();
            let found = sharing
                .releases
                .iter()
                .find(|r| r.id == release)
                .ok_or_else(|| not_found("releaseId", "release exception"))?;
            if found.granting != actor.organization {
                return Err(forbidden(
                    "only the granting organization may revoke a release exception",
                ));
            }
            let end = match last_day {
                Some(d) => {
                    check_date(p, "lastDay", d, DateKind::Planned, Some(client))?;
                    d
                }
                None => p
                    .today()
                    .add_days(-1)
                    .ok_or_else(|| CommandError::validation("lastDay", "out of range"))?,
            };
            if found.window.end.is_some_and(|e| e <= end) {
                return Err(conflict("releaseId", "the release already ends by then"));
            }
            Ok(vec![
                ReleaseExceptionRevoked {
                    client_id: client,
                    release_id: release,
                    end,
                }
                .into(),
            ])
        })
        .await
    }
}

/// Only the creating organization may `what`; others who can see the client get `FORBIDDEN`.
fn require_creator(
    p: &Projections,
    actor: &Actor,
    client: ClientId,
    what: &str,
) -> Result<(), CommandError> {
    if p.write_model().client_creator(client) != Some(actor.organization) {
        return Err(forbidden(format!(
            "only the organization that created the client may {what}"
        )));
    }
    Ok(())
}

/// The SSN an intake event records (its digits, as the command normalised them).
fn events_ssn(events: &[caseledger_core::Event]) -> String {
    match events.first() {
        Some(caseledger_core::Event::ClientIntakeRecorded(i)) => {
            i.ssn.as_clear().cloned().unwrap_or_default()
        }
        _ => String::new(),
    }
}

/// The event recording an intake (the `intake_client` command's rules); `source_id` is the
/// client's `PersonalID` when it comes from another system's export.
pub(crate) fn decide_intake(
    p: &Projections,
    actor: &Actor,
    input: &IntakeInput,
    client: ClientId,
    source_id: Option<String>,
) -> Result<Vec<caseledger_core::Event>, CommandError> {
    require_agency_staff(actor, "record client intakes")?;
    check_name(&input.name, input.name_data_quality)?;
    let ssn = check_ssn(&input.ssn, input.ssn_data_quality)?;
    check_race(&input.race_ethnicity, input.race_none)?;
    check_text(
        "additionalRaceEthnicity",
        &input.additional_race_ethnicity,
        input::SHORT_TEXT,
    )?;
    check_text(
        "differentIdentityText",
        &input.different_identity_text,
        input::SHORT_TEXT,
    )?;
    check_address(&input.address)?;
    check_dob(p, input.dob, input.dob_data_quality)?;
    let restriction = input
        .restriction
        .unwrap_or_else(|| p.write_model().policy(p.today()).default_client_restriction);
    Ok(vec![
        ClientIntakeRecorded {
            client_id: client,
            organization_id: actor.organization,
            name: Pii::new(input.name.clone()),
            name_data_quality: input.name_data_quality,
            ssn: Pii::new(ssn),
            ssn_data_quality: input.ssn_data_quality,
            dob: Pii::new(input.dob),
            dob_data_quality: input.dob_data_quality,
            race_ethnicity: input.race_ethnicity.clone(),
            race_none: input.race_none,
            additional_race_ethnicity: Pii::new(input.additional_race_ethnicity.clone()),
            sex: input.sex,
            genders: input.genders.clone(),
            gender_none: input.gender_none,
            different_identity_text: Pii::new(input.different_identity_text.clone()),
            veteran_status: input.veteran_status,
            address: Pii::new(input.address.clone()),
            restriction,
            source_id,
        }
        .into(),
    ])
}

/// The event correcting an intake (the `update_client_intake` command's rules).
pub(crate) fn decide_intake_edit(
    p: &Projections,
    actor: &Actor,
    mut edit: ClientIntakeEdited,
) -> Result<Vec<caseledger_core::Event>, CommandError> {
    if !matches!(
        actor.role,
        Role::CaseManager | Role::AgencyAdmin | Role::SystemAdmin
    ) {
        return Err(forbidden("your role may not edit client data"));
    }
    if edit.is_empty() {
        return Err(CommandError::validation("intake", "no field to change"));
    }
    let access = client_access(p, actor, edit.client_id, "clientId")?;
    if access.level != AccessLevel::Edit {
        return Err(forbidden(
            "cannot edit data created by another organization",
        ));
    }
    // The intake is the client's identifiers; once forgotten there is nothing to correct, and
    // checking the edit against erased values would blame a field the caller did not send.
    if p.write_model().forgotten(edit.client_id) {
        return Err(crate::commands::forgotten());
    }
    let current = p
        .write_model()
        .intake(edit.client_id)
        .ok_or_else(|| not_found("clientId", "client"))?;
    let name = edit
        .name
        .as_ref()
        .map_or(current.name.as_clear().cloned().unwrap_or_default(), |n| {
            n.as_clear().cloned().unwrap_or_default()
        });
    check_name(
        &name,
        edit.name_data_quality.unwrap_or(current.name_data_quality),
    )?;
    if edit.ssn.is_some() || edit.ssn_data_quality.is_some() {
        let ssn = edit
            .ssn
            .as_ref()
            .or(Some(&current.ssn))
            .and_then(|s| s.as_clear())
            .cloned()
            .unwrap_or_default();
        let digits = check_ssn(
            &ssn,
            edit.ssn_data_quality.unwrap_or(current.ssn_data_quality),
        )?;
        if edit.ssn.is_some() {
            edit.ssn = Some(Pii::new(digits));
        }
    }
    let dob = edit
        .dob
        .as_ref()
        .or(Some(&current.dob))
        .and_then(|d| d.as_clear())
        .copied()
        .flatten();
    check_dob(
        p,
        dob,
        edit.dob_data_quality.unwrap_or(current.dob_data_quality),
    )?;
    for (field, value) in [
        ("additionalRaceEthnicity", &edit.additional_race_ethnicity),
        ("differentIdentityText", &edit.different_identity_text),
    ] {
        if let Some(text) = value.as_ref().and_then(|t| t.as_clear()) {
            check_text(field, text, input::SHORT_TEXT)?;
        }
    }
    let races = edit
        .race_ethnicity
        .as_ref()
        .unwrap_or(&current.race_ethnicity);
    check_race(races, edit.race_none.unwrap_or(current.race_none))?;
    Ok(vec![edit.into()])
}
