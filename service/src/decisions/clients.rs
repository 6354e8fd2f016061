//! A client's intake and its corrections, the address, the client restriction, and forgetting
//! the client's identifiers (one client, or those the retention rule makes due).
//!
//! Who may do what (DESIGN.md "Sharing rules"): agency staff take intakes, owned by their
//! organization; only the creating organization edits the intake and sets the restriction;
//! system administrators may correct intake data and forget identifiers; any organization that
//! can see the client may update its address. A client the session may not see is `NOT_FOUND`.

use caseledger_core::commands::clients::{
    ApplyRetention, EditClientIntake, ForgetClientIdentifiers, IntakeClient, SetClientRestriction,
    UpdateClientAddress,
};
use caseledger_core::events::{
    ClientAddressUpdated, ClientIdentifiersForgotten, ClientIntakeEdited, ClientIntakeRecorded,
    ClientRestrictionChanged,
};
use caseledger_core::input::{self, DateKind};
use caseledger_core::{AccessLevel, ClientId, Event, Pii, Role};
use caseledger_projections::Projections;

use crate::clients::{
    check_address, check_dob, check_name, check_race, check_ssn, possible_duplicates,
    require_creator,
};
use crate::commands::{
    check_date, check_text, client_access, conflict, forbidden, forgotten, not_found,
    require_agency_staff,
};
use crate::{Command, CommandError, Decision, ErrorCode, Session};

/// Case managers, agency administrators and system administrators edit client data; the
/// help desk and auditors only read.
fn require_editor(session: &Session) -> Result<(), CommandError> {
    match session.role() {
        Role::CaseManager | Role::AgencyAdmin | Role::SystemAdmin => Ok(()),
        _ => Err(forbidden("your role may not edit client data")),
    }
}

impl Command for IntakeClient {
    /// Clients the session may see that may be the same person (same SSN, or same last name,
    /// first initial and date of birth), found on the state before the intake. None for an
    /// imported intake: an export's rows are matched by their `PersonalID` instead.
    type Output = Vec<ClientId>;

    fn decide(
        &self,
        p: &Projections,
        session: &Session,
    ) -> Result<Decision<Vec<ClientId>>, CommandError> {
        require_agency_staff(&session.actor(), "record client intakes")?;
        check_name(&self.name, self.name_data_quality)?;
        let ssn = check_ssn(&self.ssn, self.ssn_data_quality)?;
        check_race(&self.race_ethnicity, self.race_none)?;
        check_text(
            "additionalRaceEthnicity",
            &self.additional_race_ethnicity,
            input::SHORT_TEXT,
        )?;
        check_text(
            "differentIdentityText",
            &self.different_identity_text,
            input::SHORT_TEXT,
        )?;
        check_address(&self.address)?;
        check_dob(p, self.dob, self.dob_data_quality)?;
        let w = p.write_model();
        // Two writers choosing one id (or one intake decided twice on two nodes) must not make
        // two clients of it: the second is refused, whoever may see the first.
        if w.intake(self.client_id).is_some() || w.client_creator(self.client_id).is_some() {
            return Err(conflict("clientId", "a client with this id already exists"));
        }
        let restriction = self
            .restriction
            .unwrap_or_else(|| w.policy(p.today()).default_client_restriction);
        let duplicates = if self.source_id.is_none() {
            possible_duplicates(p, session, self, &ssn)
        } else {
            Vec::new()
        };
        let event = ClientIntakeRecorded {
            client_id: self.client_id,
            organization_id: session.organization(),
            name: Pii::new(self.name.clone()),
            name_data_quality: self.name_data_quality,
            ssn: Pii::new(ssn),
            ssn_data_quality: self.ssn_data_quality,
            dob: Pii::new(self.dob),
            dob_data_quality: self.dob_data_quality,
            race_ethnicity: self.race_ethnicity.clone(),
            race_none: self.race_none,
            additional_race_ethnicity: Pii::new(self.additional_race_ethnicity.clone()),
            sex: self.sex,
            genders: self.genders.clone(),
            gender_none: self.gender_none,
            different_identity_text: Pii::new(self.different_identity_text.clone()),
            veteran_status: self.veteran_status,
            address: Pii::new(self.address.clone()),
            restriction,
            source_id: self.source_id.clone(),
        };
        Ok(Decision::new(vec![event.into()], duplicates))
    }
}

/// Whether a patch names no field at all.
fn changes_nothing(patch: &EditClientIntake) -> bool {
    EditClientIntake::new(patch.client_id) == *patch
}

impl Command for EditClientIntake {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        require_editor(session)?;
        if changes_nothing(self) {
            return Err(CommandError::validation("intake", "no field to change"));
        }
        let client = self.client_id;
        let access = client_access(p, &session.actor(), client, "clientId")?;
        if access.level != AccessLevel::Edit {
            return Err(forbidden(
                "cannot edit data created by another organization",
            ));
        }
        // The intake is the client's identifiers; once forgotten there is nothing to correct,
        // and checking the edit against erased values would blame a field the caller did not
        // send.
        if p.write_model().forgotten(client) {
            return Err(forgotten());
        }
        let current = p
            .write_model()
            .intake(client)
            .ok_or_else(|| not_found("clientId", "client"))?;
        let mut edit = ClientIntakeEdited::new(client);
        let current_name = current.name.as_clear().cloned().unwrap_or_default();
        let parts = [
            &self.first_name,
            &self.middle_name,
            &self.last_name,
            &self.name_suffix,
        ];
        // A name changes as a whole: the parts not given are the current ones.
        if parts.iter().any(|part| part.is_some()) {
            let mut name = current_name.clone();
            for (part, new) in [
                &mut name.first,
                &mut name.middle,
                &mut name.last,
                &mut name.suffix,
            ]
            .into_iter()
            .zip(parts)
            {
                if let Some(new) = new {
                    part.clone_from(new);
                }
            }
            edit.name = Some(Pii::new(name));
        }
        edit.name_data_quality = self.name_data_quality;
        edit.ssn_data_quality = self.ssn_data_quality;
        edit.dob = self.dob.map(Pii::new);
        edit.dob_data_quality = self.dob_data_quality;
        edit.race_ethnicity = self.race_ethnicity.clone();
        edit.race_none = self.race_none;
        edit.additional_race_ethnicity = self.additional_race_ethnicity.clone().map(Pii::new);
        edit.sex = self.sex;
        edit.genders = self.genders.clone();
        edit.gender_none = self.gender_none;
        edit.different_identity_text = self.different_identity_text.clone().map(Pii::new);
        edit.veteran_status = self.veteran_status;

        let name = edit
            .name
            .as_ref()
            .map_or(current_name, |n| n.as_clear().cloned().unwrap_or_default());
        check_name(
            &name,
            self.name_data_quality.unwrap_or(current.name_data_quality),
        )?;
        if self.ssn.is_some() || self.ssn_data_quality.is_some() {
            let ssn = self
                .ssn
                .clone()
                .or_else(|| current.ssn.as_clear().cloned())
                .unwrap_or_default();
            let digits = check_ssn(
                &ssn,
                self.ssn_data_quality.unwrap_or(current.ssn_data_quality),
            )?;
            if self.ssn.is_some() {
                edit.ssn = Some(Pii::new(digits));
            }
        }
        let dob = self
            .dob
            .unwrap_or_else(|| current.dob.as_clear().copied().flatten());
        check_dob(
            p,
            dob,
            self.dob_data_quality.unwrap_or(current.dob_data_quality),
        )?;
        for (field, value) in [
            ("additionalRaceEthnicity", &self.additional_race_ethnicity),
            ("differentIdentityText", &self.different_identity_text),
        ] {
            if let Some(text) = value {
                check_text(field, text, input::SHORT_TEXT)?;
            }
        }
        let races = self
            .race_ethnicity
            .as_ref()
            .unwrap_or(&current.race_ethnicity);
        check_race(races, self.race_none.unwrap_or(current.race_none))?;
        Ok(Decision::events(vec![edit.into()]))
    }
}

impl Command for UpdateClientAddress {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        require_editor(session)?;
        check_address(&self.address)?;
        client_access(p, &session.actor(), self.client_id, "clientId")?;
        // Even clearing it: an address is an identifier, and there is none left to clear.
        if p.write_model().forgotten(self.client_id) {
            return Err(forgotten());
        }
        Ok(Decision::events(vec![
            ClientAddressUpdated {
                client_id: self.client_id,
                address: Pii::new(self.address.clone()),
            }
            .into(),
        ]))
    }
}

impl Command for SetClientRestriction {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        let client = self.client_id;
        require_agency_staff(&session.actor(), "change client restrictions")?;
        client_access(p, &session.actor(), client, "clientId")?;
        require_creator(p, session, client, "change the client's restriction")?;
        let effective = self.effective.unwrap_or(p.today());
        check_date(p, "effective", effective, DateKind::Planned, Some(client))?;
        Ok(Decision::events(vec![
            ClientRestrictionChanged {
                client_id: client,
                restriction: self.restriction,
                effective,
            }
            .into(),
        ]))
    }
}

/// The forgetting of each client, as the log records it.
fn forgetting(
    items: impl IntoIterator<Item = ClientIdentifiersForgotten>,
) -> Decision<Vec<ClientId>> {
    let (events, clients): (Vec<Event>, Vec<ClientId>) = items
        .into_iter()
        .map(|f| {
            let client = f.client_id;
            (f.into(), client)
        })
        .unzip();
    Decision::new(events, clients)
}

impl Command for ForgetClientIdentifiers {
    /// The clients forgotten (this one), whose keys the service then destroys.
    type Output = Vec<ClientId>;

    fn decide(
        &self,
        p: &Projections,
        session: &Session,
    ) -> Result<Decision<Vec<ClientId>>, CommandError> {
        if session.role() != Role::SystemAdmin {
            return Err(forbidden(
                "only a system administrator may forget a client's identifiers",
            ));
        }
        let reason = self.reason.trim();
        if reason.is_empty() {
            return Err(CommandError::validation(
                "reason",
                "must say why (it stays in the audit trail; do not name the client)",
            ));
        }
        check_text("reason", reason, input::STATED_REASON)?;
        let w = p.write_model();
        if w.intake(self.client_id).is_none() {
            return Err(not_found("clientId", "client"));
        }
        if w.forgotten(self.client_id) {
            return Err(conflict(
                "clientId",
                "the client's identifiers were already forgotten",
            ));
        }
        Ok(forgetting([ClientIdentifiersForgotten {
            client_id: self.client_id,
            reason: reason.to_string(),
            retention_last_changed: None,
        }]))
    }
}

impl Command for ApplyRetention {
    /// The clients forgotten, whose keys the service then destroys.
    type Output = Vec<ClientId>;

    fn decide(
        &self,
        p: &Projections,
        session: &Session,
    ) -> Result<Decision<Vec<ClientId>>, CommandError> {
        if session.role() != Role::System {
            return Err(forbidden(
                "only the retention job applies the retention rule",
            ));
        }
        // Decided on the state the append is checked against: an edit or an enrollment since
        // the list was shown takes a client off it.
        let due = p.write_model().retention_due(self.cutoff);
        if due.is_empty() {
            return Err(CommandError::new(
                ErrorCode::Conflict,
                "no client is due any more (changed while the list was made)",
            ));
        }
        let years = self.years;
        Ok(forgetting(due.into_iter().map(|(client_id, changed)| {
            ClientIdentifiersForgotten {
                client_id,
                reason: format!(
                    "retention: identifiers unchanged for {years} years (since {changed}), no \
                     open enrollment"
                ),
                retention_last_changed: Some(changed),
            }
        })))
    }
}
