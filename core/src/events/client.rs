//! Client intake (HUD universal data elements 3.01–3.07) and the client restriction.

use serde::{Deserialize, Serialize};

use crate::hud::{
    DataQuality, Gender, HashStatus, MissingReason, NoYesReasons, RaceEthnicity, Sex,
};
use crate::ids::{ClientId, OrganizationId};
use crate::pii::Pii;
use crate::sharing::ClientRestriction;
use crate::time::Date;

/// A client's legal or reported name (HUD 3.01). Empty strings mean "not given".
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct PersonName {
    /// First name (HUD `FirstName`).
    pub first: String,
    /// Middle name (HUD `MiddleName`).
    pub middle: String,
    /// Last name (HUD `LastName`).
    pub last: String,
    /// Suffix such as "Jr." (HUD `NameSuffix`).
    pub suffix: String,
}

impl crate::pii::Blank for PersonName {
    /// No part given.
    fn is_blank(&self) -> bool {
        [&self.first, &self.middle, &self.last, &self.suffix]
            .iter()
            .all(|part| part.is_empty())
    }
}

/// A postal address. Empty strings mean "not given".
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Address {
    /// Street line 1.
    pub line1: String,
    /// Street line 2.
    pub line2: String,
    /// City.
    pub city: String,
    /// State or territory (two-letter code).
    pub state: String,
    /// ZIP code.
    pub zip: String,
}

/// An organization took a new client's intake. The organization owns the intake and alone
/// sets the client restriction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientIntakeRecorded {
    /// The new client (HMIS ID).
    pub client_id: ClientId,
    /// The creating organization, which owns the intake.
    pub organization_id: OrganizationId,
    /// Name (HUD 3.01).
    pub name: Pii<PersonName>,
    /// HUD `NameDataQuality`.
    pub name_data_quality: DataQuality,
    /// Social Security number, nine digits or partial (HUD 3.02); empty if not given.
    pub ssn: Pii<String>,
    /// HUD `SSNDataQuality`.
    pub ssn_data_quality: DataQuality,
    /// Date of birth (HUD 3.03).
    pub dob: Pii<Option<Date>>,
    /// HUD `DOBDataQuality`.
    pub dob_data_quality: DataQuality,
    /// Race and ethnicity (HUD 3.04), any number.
    pub race_ethnicity: Vec<RaceEthnicity>,
    /// HUD `RaceNone`, when `race_ethnicity` is empty.
    pub race_none: Option<MissingReason>,
    /// HUD `AdditionalRaceEthnicity` free text; empty if not given.
    pub additional_race_ethnicity: Pii<String>,
    /// Sex (FY2026 HUD 3.06); `None` if collected under FY2024 rules.
    pub sex: Option<Sex>,
    /// Gender (FY2024 HUD 3.06), any number; empty if collected under FY2026 rules.
    pub genders: Vec<Gender>,
    /// FY2024 HUD `GenderNone`, when `genders` is empty.
    pub gender_none: Option<MissingReason>,
    /// FY2024 HUD `DifferentIdentityText`; empty if not given.
    pub different_identity_text: Pii<String>,
    /// Veteran status (HUD 3.07).
    pub veteran_status: NoYesReasons,
    /// Last known address, if any.
    pub address: Pii<Option<Address>>,
    /// Who may see the intake beyond the creating organization.
    pub restriction: ClientRestriction,
    /// HUD `PersonalID` in the system this client was imported from.
    pub source_id: Option<String>,
    /// Whether the names and SSN are the values or, from a hashed HMIS export, hashes of them
    /// (never shown as names; still compared for duplicates). Schema 2.
    pub hash_status: HashStatus,
}

/// Intake fields changed, by the creating organization or a system administrator (a
/// correction). Each field is `None` when unchanged and `Some(new value)` when changed, so
/// the event is a field-level diff. The address changes through [`ClientAddressUpdated`]
/// and the restriction through [`ClientRestrictionChanged`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientIntakeEdited {
    /// The client.
    pub client_id: ClientId,
    /// New name.
    pub name: Option<Pii<PersonName>>,
    /// New name data quality.
    pub name_data_quality: Option<DataQuality>,
    /// New SSN.
    pub ssn: Option<Pii<String>>,
    /// New SSN data quality.
    pub ssn_data_quality: Option<DataQuality>,
    /// New date of birth.
    pub dob: Option<Pii<Option<Date>>>,
    /// New DOB data quality.
    pub dob_data_quality: Option<DataQuality>,
    /// New race and ethnicity list (replaces the old list).
    pub race_ethnicity: Option<Vec<RaceEthnicity>>,
    /// New `RaceNone` (`Some(None)` clears it).
    pub race_none: Option<Option<MissingReason>>,
    /// New additional race/ethnicity text.
    pub additional_race_ethnicity: Option<Pii<String>>,
    /// New sex (`Some(None)` clears it).
    pub sex: Option<Option<Sex>>,
    /// New gender list (replaces the old list).
    pub genders: Option<Vec<Gender>>,
    /// New `GenderNone` (`Some(None)` clears it).
    pub gender_none: Option<Option<MissingReason>>,
    /// New different-identity text.
    pub different_identity_text: Option<Pii<String>>,
    /// New veteran status.
    pub veteran_status: Option<NoYesReasons>,
}

impl ClientIntakeEdited {
    /// An edit of `client_id` that changes nothing yet (fill in fields to change).
    pub fn new(client_id: ClientId) -> Self {
        Self {
            client_id,
            name: None,
            name_data_quality: None,
            ssn: None,
            ssn_data_quality: None,
            dob: None,
            dob_data_quality: None,
            race_ethnicity: None,
            race_none: None,
            additional_race_ethnicity: None,
            sex: None,
            genders: None,
            gender_none: None,
            different_identity_text: None,
            veteran_status: None,
        }
    }

    /// Names of the changed fields, in declaration order (for audit trails and disclosure
    /// records, which list field names, never values).
    pub fn changed_fields(&self) -> Vec<&'static str> {
        let flags = [
            ("name", self.name.is_some()),
            ("name_data_quality", self.name_data_quality.is_some()),
            ("ssn", self.ssn.is_some()),
            ("ssn_data_quality", self.ssn_data_quality.is_some()),
            ("dob", self.dob.is_some()),
            ("dob_data_quality", self.dob_data_quality.is_some()),
            ("race_ethnicity", self.race_ethnicity.is_some()),
            ("race_none", self.race_none.is_some()),
            (
                "additional_race_ethnicity",
                self.additional_race_ethnicity.is_some(),
            ),
            ("sex", self.sex.is_some()),
            ("genders", self.genders.is_some()),
            ("gender_none", self.gender_none.is_some()),
            (
                "different_identity_text",
                self.different_identity_text.is_some(),
            ),
            ("veteran_status", self.veteran_status.is_some()),
        ];
        flags
            .into_iter()
            .filter_map(|(name, changed)| changed.then_some(name))
            .collect()
    }

    /// Applies the changed fields to an intake (the current values after the edit).
    pub fn apply_to(&self, intake: &mut ClientIntakeRecorded) {
        macro_rules! take {
            ($($field:ident),*) => {
                $(if let Some(v) = &self.$field { intake.$field = v.clone(); })*
            };
        }
        take!(
            name,
            name_data_quality,
            ssn,
            ssn_data_quality,
            dob,
            dob_data_quality,
            race_ethnicity,
            race_none,
            additional_race_ethnicity,
            sex,
            genders,
            gender_none,
            different_identity_text,
            veteran_status
        );
    }

    /// Whether no field changes (such an edit is rejected, not recorded).
    pub fn is_empty(&self) -> bool {
        self.changed_fields().is_empty()
    }
}

/// A client's address changed. Any organization that can see the client may do this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientAddressUpdated {
    /// The client.
    pub client_id: ClientId,
    /// The new address (`None` clears it).
    pub address: Pii<Option<Address>>,
}

/// The creating organization changed who may see the client's intake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientRestrictionChanged {
    /// The client.
    pub client_id: ClientId,
    /// The new restriction.
    pub restriction: ClientRestriction,
    /// First date the new restriction applies to.
    pub effective: Date,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_fields_lists_only_set_fields() {
        let mut edit = ClientIntakeEdited::new(ClientId::new(1));
        assert!(edit.is_empty());
        edit.dob = Some(Pii::new(None));
        edit.sex = Some(None);
        assert_eq!(edit.changed_fields(), vec!["dob", "sex"]);
        assert!(!edit.is_empty());
    }
}

/// A system administrator (or the retention job) forgot a client's identifiers: the client's
/// data key was destroyed, so every identifying value ever recorded for them reads as erased
/// from now on and in every replay. Non-identifying facts (enrollments, services, dates,
/// demographics used in reporting) stay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientIdentifiersForgotten {
    /// The client.
    pub client_id: ClientId,
    /// Why, as stated by the administrator or the retention rule. Not sealed, so the audit
    /// trail keeps it: it must not identify the client.
    pub reason: String,
    /// For the retention job: the date the identifiers were last created or changed.
    pub retention_last_changed: Option<Date>,
}
