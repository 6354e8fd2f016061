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
use caseledger_core::hud::HashStatus;
use caseledger_core::input::{self, DateKind};
use caseledger_core::{AccessLevel, ClientId, Event, Pii, Role};
use caseledger_projections::Projections;

use crate::clients::{
    Origin, check_address, check_dob, check_hashed, check_name, check_race, check_ssn,
    possible_duplicates, require_creator,
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
        let origin = if self.source_id.is_some() {
            Origin::Imported
        } else {
            Origin::Entered
        };
        let hashed = self.hash_status != HashStatus::Unhashed;
        if hashed && origin == Origin::Entered {
            return Err(CommandError::validation(
                "hashStatus",
                "only an intake imported from a hashed HMIS export has hashed identifiers",
            ));
        }
        // A hashed export's names and SSN are hashes: kept as they came, never read as names
        // or digits.
        let ssn = if hashed {
            check_hashed(&self.name, &self.ssn)?;
            self.ssn.clone()
        } else {
            check_name(&self.name, self.name_data_quality, origin)?;
            check_ssn(&self.ssn, self.ssn_data_quality, origin)?
        };
        check_race(&self.race_ethnicity, self.race_none, origin)?;
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
        check_dob(p, self.dob, self.dob_data_quality, origin)?;
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
            hash_status: self.hash_status,
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
        let origin = if self.imported {
            Origin::Imported
        } else {
            Origin::Entered
        };
        check_name(
            &name,
            self.name_data_quality.unwrap_or(current.name_data_quality),
            origin,
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
                origin,
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
            origin,
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
        check_race(races, self.race_none.unwrap_or(current.race_none), origin)?;
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

#[cfg(test)]
mod tests {
    use caseledger_core::ClientRestriction;
    use caseledger_core::events::{Address, PersonName};
    use caseledger_core::hud::{DataQuality, NoYesReasons, RaceEthnicity};
    use caseledger_core::testkit::date;

    use super::*;
    use crate::decisions::given::{Given, given};

    fn intake(client_id: ClientId, first: &str, ssn: &str) -> IntakeClient {
        IntakeClient {
            client_id,
            name: PersonName {
                first: first.into(),
                last: "Lopez".into(),
                ..PersonName::default()
            },
            name_data_quality: DataQuality::Full,
            ssn: ssn.into(),
            ssn_data_quality: if ssn.is_empty() {
                DataQuality::DataNotCollected
            } else {
                DataQuality::Full
            },
            dob: Some(date("1990-04-02")),
            dob_data_quality: DataQuality::Full,
            race_ethnicity: vec![RaceEthnicity::White],
            race_none: None,
            additional_race_ethnicity: String::new(),
            sex: None,
            genders: Vec::new(),
            gender_none: None,
            different_identity_text: String::new(),
            veteran_status: NoYesReasons::No,
            address: None,
            restriction: None,
            source_id: None,
            hash_status: caseledger_core::hud::HashStatus::Unhashed,
        }
    }

    fn address(zip: &str) -> Address {
        Address {
            line1: "1010 Tenth St".into(),
            line2: String::new(),
            city: "Modesto".into(),
            state: "CA".into(),
            zip: zip.into(),
        }
    }

    struct Story {
        g: Given,
        cm: Session,
        other_cm: Session,
        client: ClientId,
    }

    /// An agency's case manager took Maria's intake (SSN 123-45-6789, shared globally by the
    /// policy's default); another agency's case manager sees her.
    fn story() -> Story {
        let mut g = given();
        let agency = g.organization("Agency");
        let other = g.organization("Other");
        let cm = g.user(agency, Role::CaseManager);
        let other_cm = g.user(other, Role::CaseManager);
        let client = g.id();
        g.run(&cm, &intake(client, "Maria", "123-45-6789"));
        Story {
            g,
            cm,
            other_cm,
            client,
        }
    }

    #[test]
    fn an_intake_records_the_digits_of_the_ssn_and_the_policys_restriction() {
        let mut g = given();
        let agency = g.organization("Agency");
        let cm = g.user(agency, Role::CaseManager);
        let id = g.id();
        let duplicates = g.when(&cm, &intake(id, "Maria", "123-45-6789")).then(vec![
            ClientIntakeRecorded {
                client_id: id,
                organization_id: agency,
                name: Pii::new(PersonName {
                    first: "Maria".into(),
                    last: "Lopez".into(),
                    ..PersonName::default()
                }),
                name_data_quality: DataQuality::Full,
                ssn: Pii::new("123456789".into()),
                ssn_data_quality: DataQuality::Full,
                dob: Pii::new(Some(date("1990-04-02"))),
                dob_data_quality: DataQuality::Full,
                race_ethnicity: vec![RaceEthnicity::White],
                race_none: None,
                additional_race_ethnicity: Pii::new(String::new()),
                sex: None,
                genders: Vec::new(),
                gender_none: None,
                different_identity_text: Pii::new(String::new()),
                veteran_status: NoYesReasons::No,
                address: Pii::new(None),
                restriction: ClientRestriction::ShareGlobally,
                source_id: None,
                hash_status: caseledger_core::hud::HashStatus::Unhashed,
            }
            .into(),
        ]);
        assert!(duplicates.is_empty());
    }

    #[test]
    fn an_intake_answers_the_clients_it_may_duplicate() {
        let mut s = story();
        let by_ssn = intake(s.g.id(), "Someone", "123456789");
        let found = s.g.when(&s.other_cm, &by_ssn).decided().output;
        assert_eq!(found, vec![s.client]);
        let by_name = intake(s.g.id(), "Mary", "");
        assert_eq!(s.g.when(&s.cm, &by_name).decided().output, vec![s.client]);
        let other_initial = intake(s.g.id(), "Ana", "");
        assert!(s.g.when(&s.cm, &other_initial).decided().output.is_empty());
        // A last name that sounds the same, as the duplicate queue scores it.
        let mut sounds = intake(s.g.id(), "Maria", "");
        sounds.name.last = "Lopes".into();
        assert_eq!(
            s.g.when(&s.other_cm, &sounds).decided().output,
            vec![s.client]
        );
        // Never a client the organization cannot see: restricted to its organization, Maria is
        // no one's duplicate but her own organization's.
        let restrict = caseledger_core::commands::clients::SetClientRestriction {
            client_id: s.client,
            restriction: ClientRestriction::RestrictToOrganization,
            effective: None,
        };
        s.g.run(&s.cm, &restrict);
        assert!(s.g.when(&s.other_cm, &sounds).decided().output.is_empty());
        assert_eq!(s.g.when(&s.cm, &sounds).decided().output, vec![s.client]);
    }

    #[test]
    fn a_second_intake_of_one_client_id_is_a_conflict() {
        let s = story();
        s.g.when(&s.other_cm, &intake(s.client, "Maria", ""))
            .then_refused(ErrorCode::Conflict, Some("clientId"));
    }

    #[test]
    fn an_intake_is_refused_by_role_and_field() {
        let mut g = given();
        let agency = g.organization("Agency");
        let cm = g.user(agency, Role::CaseManager);
        let id = g.id();
        g.when(&g.admin(), &intake(id, "Maria", ""))
            .then_refused(ErrorCode::Forbidden, None);
        let refused = |cmd: IntakeClient, field: &str| {
            g.when(&cm, &cmd)
                .then_refused(ErrorCode::Validation, Some(field));
        };
        let mut nameless = intake(id, "", "");
        nameless.name.last = String::new();
        refused(nameless, "lastName");
        refused(intake(id, "Ma\u{202E}ria", ""), "firstName");
        refused(intake(id, "Maria", "666-12-3456"), "ssn");
        refused(intake(id, "Maria", "12a"), "ssn");
        let mut partial = intake(id, "Maria", "");
        partial.ssn_data_quality = DataQuality::Partial;
        refused(partial, "ssn");
        let mut unborn = intake(id, "Maria", "");
        unborn.dob = Some(date("2026-12-02"));
        refused(unborn, "dob");
        let mut no_dob = intake(id, "Maria", "");
        no_dob.dob = None;
        refused(no_dob, "dob");
        let mut no_race = intake(id, "Maria", "");
        no_race.race_ethnicity.clear();
        refused(no_race, "raceNone");
        let mut long = intake(id, "Maria", "");
        long.additional_race_ethnicity = "x".repeat(1000);
        refused(long, "additionalRaceEthnicity");
        let mut zip = intake(id, "Maria", "");
        zip.address = Some(address("9535"));
        refused(zip, "address.zip");
    }

    #[test]
    fn an_edit_merges_the_name_parts_given_with_the_current_name() {
        let s = story();
        let mut edit = EditClientIntake::new(s.client);
        edit.last_name = Some("Diaz".into());
        edit.ssn = Some("234-56-7890".into());
        edit.dob = Some(None);
        edit.dob_data_quality = Some(DataQuality::ClientDoesntKnow);
        let mut expected = ClientIntakeEdited::new(s.client);
        expected.name = Some(Pii::new(PersonName {
            first: "Maria".into(),
            last: "Diaz".into(),
            ..PersonName::default()
        }));
        expected.ssn = Some(Pii::new("234567890".into()));
        expected.dob = Some(Pii::new(None));
        expected.dob_data_quality = Some(DataQuality::ClientDoesntKnow);
        s.g.when(&s.cm, &edit).then(vec![expected.into()]);
        // A system administrator corrects data of any organization.
        s.g.when(&s.g.admin(), &edit).decided();
    }

    #[test]
    fn an_edit_is_refused_by_role_owner_emptiness_and_merged_values() {
        let mut s = story();
        let mut edit = EditClientIntake::new(s.client);
        edit.veteran_status = Some(NoYesReasons::Yes);
        s.g.when(&s.other_cm, &edit)
            .then_refused(ErrorCode::Forbidden, None);
        let lead = s.g.lead();
        let help_desk = s.g.user(lead, Role::HelpDesk);
        s.g.when(&help_desk, &edit)
            .then_refused(ErrorCode::Forbidden, None);
        s.g.when(&s.cm, &EditClientIntake::new(s.client))
            .then_refused(ErrorCode::Validation, Some("intake"));
        let unknown = EditClientIntake {
            client_id: s.g.id(),
            ..edit.clone()
        };
        s.g.when(&s.cm, &unknown)
            .then_refused(ErrorCode::NotFound, Some("clientId"));
        // Checked against the merged intake: a quality saying "not given" with the current SSN.
        let mut quality = EditClientIntake::new(s.client);
        quality.ssn_data_quality = Some(DataQuality::DataNotCollected);
        s.g.when(&s.cm, &quality)
            .then_refused(ErrorCode::Validation, Some("ssn"));
        let mut blank = EditClientIntake::new(s.client);
        blank.first_name = Some(String::new());
        blank.last_name = Some(String::new());
        s.g.when(&s.cm, &blank)
            .then_refused(ErrorCode::Validation, Some("lastName"));
        let mut no_race = EditClientIntake::new(s.client);
        no_race.race_ethnicity = Some(Vec::new());
        s.g.when(&s.cm, &no_race)
            .then_refused(ErrorCode::Validation, Some("raceNone"));
        let mut long = EditClientIntake::new(s.client);
        long.different_identity_text = Some("x".repeat(1000));
        s.g.when(&s.cm, &long)
            .then_refused(ErrorCode::Validation, Some("differentIdentityText"));
        let admin = s.g.admin();
        let client = s.client;
        s.g.run(
            &admin,
            &ForgetClientIdentifiers {
                client_id: client,
                reason: "asked to be forgotten".into(),
            },
        );
        s.g.when(&s.cm, &edit)
            .then_refused(ErrorCode::Conflict, Some("clientId"));
    }

    #[test]
    fn anyone_who_sees_the_client_updates_the_address_until_it_is_forgotten() {
        let mut s = story();
        let update = UpdateClientAddress {
            client_id: s.client,
            address: Some(address("95354")),
        };
        s.g.when(&s.other_cm, &update).then(vec![
            ClientAddressUpdated {
                client_id: s.client,
                address: Pii::new(Some(address("95354"))),
            }
            .into(),
        ]);
        let bad = UpdateClientAddress {
            address: Some(Address {
                state: "Calif".into(),
                ..address("95354")
            }),
            ..update.clone()
        };
        s.g.when(&s.cm, &bad)
            .then_refused(ErrorCode::Validation, Some("address.state"));
        let lead = s.g.lead();
        let auditor = s.g.user(lead, Role::Auditor);
        s.g.when(&auditor, &update)
            .then_refused(ErrorCode::Forbidden, None);
        let unknown = UpdateClientAddress {
            client_id: s.g.id(),
            address: None,
        };
        s.g.when(&s.cm, &unknown)
            .then_refused(ErrorCode::NotFound, Some("clientId"));
        let admin = s.g.admin();
        let client = s.client;
        s.g.run(
            &admin,
            &ForgetClientIdentifiers {
                client_id: client,
                reason: "asked to be forgotten".into(),
            },
        );
        let clear = UpdateClientAddress {
            client_id: s.client,
            address: None,
        };
        s.g.when(&s.cm, &clear)
            .then_refused(ErrorCode::Conflict, Some("clientId"));
    }

    #[test]
    fn only_the_creating_organization_sets_the_restriction() {
        let s = story();
        let set = SetClientRestriction {
            client_id: s.client,
            restriction: ClientRestriction::RestrictToOrganization,
            effective: None,
        };
        s.g.when(&s.cm, &set).then(vec![
            ClientRestrictionChanged {
                client_id: s.client,
                restriction: ClientRestriction::RestrictToOrganization,
                effective: date("2026-12-01"),
            }
            .into(),
        ]);
        s.g.when(&s.other_cm, &set)
            .then_refused(ErrorCode::Forbidden, None);
        s.g.when(&s.g.admin(), &set)
            .then_refused(ErrorCode::Forbidden, None);
        let before_birth = SetClientRestriction {
            effective: Some(date("1980-01-01")),
            ..set.clone()
        };
        s.g.when(&s.cm, &before_birth)
            .then_refused(ErrorCode::Validation, Some("effective"));
    }

    #[test]
    fn a_system_administrator_forgets_once_saying_why() {
        let mut s = story();
        let admin = s.g.admin();
        let forget = ForgetClientIdentifiers {
            client_id: s.client,
            reason: "  asked to be forgotten ".into(),
        };
        let forgotten = s.g.when(&admin, &forget).then(vec![
            ClientIdentifiersForgotten {
                client_id: s.client,
                reason: "asked to be forgotten".into(),
                retention_last_changed: None,
            }
            .into(),
        ]);
        assert_eq!(forgotten, vec![s.client]);
        s.g.when(&s.cm, &forget)
            .then_refused(ErrorCode::Forbidden, None);
        let silent = ForgetClientIdentifiers {
            reason: " ".into(),
            ..forget.clone()
        };
        s.g.when(&admin, &silent)
            .then_refused(ErrorCode::Validation, Some("reason"));
        let unknown = ForgetClientIdentifiers {
            client_id: s.g.id(),
            ..forget.clone()
        };
        s.g.when(&admin, &unknown)
            .then_refused(ErrorCode::NotFound, Some("clientId"));
        s.g.run(&admin, &forget);
        s.g.when(&admin, &forget)
            .then_refused(ErrorCode::Conflict, Some("clientId"));
    }

    #[test]
    fn retention_forgets_the_clients_due_as_the_service() {
        let s = story();
        let system = s.g.system();
        let due = ApplyRetention {
            cutoff: date("2026-12-01"),
            years: 7,
        };
        let decided = s.g.when(&system, &due).decided();
        assert_eq!(decided.output, vec![s.client]);
        assert!(matches!(
            &decided.events[..],
            [Event::ClientIdentifiersForgotten(f)]
                if f.client_id == s.client
                    && f.retention_last_changed == Some(date("2026-12-01"))
                    && f.reason.starts_with("retention: identifiers unchanged for 7 years")
        ));
        s.g.when(&s.g.admin(), &due)
            .then_refused(ErrorCode::Forbidden, None);
        let none_due = ApplyRetention {
            cutoff: date("2026-11-30"),
            years: 7,
        };
        s.g.when(&system, &none_due)
            .then_refused(ErrorCode::Conflict, None);
    }
}
