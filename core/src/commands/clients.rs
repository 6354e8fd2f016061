//! Commands about a client: the intake and its corrections, the address, the client
//! restriction, and forgetting the client's identifiers.

use crate::events::{Address, PersonName};
use crate::hud::{
    DataQuality, Gender, HashStatus, MissingReason, NoYesReasons, RaceEthnicity, Sex,
};
use crate::{ClientId, ClientRestriction, Date};

/// Records a new client's intake, owned by the session's organization. Agency staff only;
/// the client id must not have been used before (two intakes of one id: `CONFLICT`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeClient {
    /// The new client's id (chosen by the caller).
    pub client_id: ClientId,
    /// Name (HUD 3.01).
    pub name: PersonName,
    /// HUD `NameDataQuality`.
    pub name_data_quality: DataQuality,
    /// SSN: nine digits, or fewer for a partial SSN; empty if not given (dashes and spaces
    /// allowed: the decision keeps the digits).
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
    /// The client's `PersonalID` in the system an HMIS export came from (the importer's).
    /// An imported intake keeps the export's data-quality codes as they are: a value its
    /// quality disowns (a date of birth under "data not collected") is a data-quality finding
    /// the importer reports, not a refusal.
    pub source_id: Option<String>,
    /// Whether the names and SSN are values (always, for staff) or hashes of them, as a
    /// hashed HMIS export brings them (its `HashStatus`).
    pub hash_status: HashStatus,
}

/// Corrects intake fields: a patch, each `None` field left as it is. The name changes as a
/// whole, so name parts not given keep their current values (merged when decided, on the
/// state the decision reads). The creating organization, or a system administrator
/// correcting data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditClientIntake {
    /// The client.
    pub client_id: ClientId,
    /// New first name.
    pub first_name: Option<String>,
    /// New middle name.
    pub middle_name: Option<String>,
    /// New last name.
    pub last_name: Option<String>,
    /// New suffix.
    pub name_suffix: Option<String>,
    /// New name data quality.
    pub name_data_quality: Option<DataQuality>,
    /// New SSN (dashes and spaces allowed).
    pub ssn: Option<String>,
    /// New SSN data quality.
    pub ssn_data_quality: Option<DataQuality>,
    /// New date of birth (`Some(None)` clears it).
    pub dob: Option<Option<Date>>,
    /// New DOB data quality.
    pub dob_data_quality: Option<DataQuality>,
    /// New race and ethnicity list (replaces the list).
    pub race_ethnicity: Option<Vec<RaceEthnicity>>,
    /// New `RaceNone` (`Some(None)` clears it).
    pub race_none: Option<Option<MissingReason>>,
    /// New additional race and ethnicity text.
    pub additional_race_ethnicity: Option<String>,
    /// New sex (`Some(None)` clears it).
    pub sex: Option<Option<Sex>>,
    /// New gender list (replaces the list).
    pub genders: Option<Vec<Gender>>,
    /// New `GenderNone` (`Some(None)` clears it).
    pub gender_none: Option<Option<MissingReason>>,
    /// New different identity text.
    pub different_identity_text: Option<String>,
    /// New veteran status.
    pub veteran_status: Option<NoYesReasons>,
    /// Values from a newer HMIS export of an imported client: its data-quality codes are kept
    /// as the export has them, as for an imported intake.
    pub imported: bool,
}

impl EditClientIntake {
    /// A patch of `client_id` that changes nothing yet (fill in the fields to change).
    pub fn new(client_id: ClientId) -> Self {
        EditClientIntake {
            client_id,
            first_name: None,
            middle_name: None,
            last_name: None,
            name_suffix: None,
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
            imported: false,
        }
    }

    /// The patch setting every part of the name to `name`.
    pub fn with_name(mut self, name: PersonName) -> Self {
        self.first_name = Some(name.first);
        self.middle_name = Some(name.middle);
        self.last_name = Some(name.last);
        self.name_suffix = Some(name.suffix);
        self
    }
}

/// Sets or clears the client's address. Any organization that can see the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateClientAddress {
    /// The client.
    pub client_id: ClientId,
    /// The address; `None` clears it.
    pub address: Option<Address>,
}

/// Changes who may see the client's intake. The creating organization only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetClientRestriction {
    /// The client.
    pub client_id: ClientId,
    /// The new restriction.
    pub restriction: ClientRestriction,
    /// From this date on; today when `None`.
    pub effective: Option<Date>,
}

/// Forgets a client's identifiers (crypto-shredding). System administrators only; the reason
/// stays in the audit trail unsealed, so it says why, never who.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForgetClientIdentifiers {
    /// The client.
    pub client_id: ClientId,
    /// Why.
    pub reason: String,
}

/// The retention rule's forgetting (the service acting for itself): every client whose
/// identifiers were last recorded or changed on or before `cutoff` and who has no open
/// enrollment, as the state decided on says (an edit since the list was shown takes a client
/// off it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyRetention {
    /// Identifiers unchanged since this date or earlier are due.
    pub cutoff: Date,
    /// The retention period, as the reasons recorded name it.
    pub years: u32,
}
