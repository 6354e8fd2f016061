//! `Client.csv` (HUD universal data elements 3.01–3.07) as the domain's intake values.
//!
//! FY2024 writes gender as 0/1 columns (`Woman`, `Man`, ...) and spells `HispanicLatinaeo`;
//! FY2026 has `Sex` and `HispanicLatinao`. An empty data-quality or veteran-status field reads
//! as 99 (data not collected), HUD's value for "nothing recorded"; any other value outside its
//! HUD list refuses the row, naming the column. A row with `DateDeleted` set is set aside
//! (counted, never refused: whatever it holds was deleted at the source).

use caseledger_core::ClientId;
use caseledger_core::commands::clients::IntakeClient;
use caseledger_core::events::PersonName;
use caseledger_core::hud::{
    DataQuality, Gender, HashStatus, MissingReason, NoYesReasons, RaceEthnicity, Sex,
};
use chrono::NaiveDateTime;

use crate::row::RowReader;
use crate::{CsvVersion, Reject, Table};

/// One client of the export: its place, and its values as the intake command the importer
/// runs — the one value every intake is built as (the API, the demo, this file), so no copy of
/// the intake's fields lives here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRecord {
    /// The line in `Client.csv`.
    pub line: u64,
    /// HUD `PersonalID` in the exporting system.
    pub personal_id: String,
    /// The row's values (names, SSN, DOB, their data quality, race, sex or gender, veteran
    /// status), the source id and the export's hash status; its `client_id` is a placeholder
    /// until [`ClientRecord::intake_as`] names the client.
    intake: IntakeClient,
    /// `DateCreated`.
    pub created: Option<NaiveDateTime>,
    /// `DateUpdated`: a newer export with a later one carries an edit.
    pub updated: Option<NaiveDateTime>,
    /// `UserID` of who last touched it in the exporting system.
    pub user_id: String,
    /// The row's other elements (veteran details, ...) and stamp.
    pub kept: crate::Kept,
}

impl ClientRecord {
    /// The row's intake values (see the field's note on `client_id`).
    pub fn intake(&self) -> &IntakeClient {
        &self.intake
    }

    /// The intake command recording this row as client `client_id`.
    pub fn intake_as(&self, client_id: ClientId) -> IntakeClient {
        IntakeClient {
            client_id,
            ..self.intake.clone()
        }
    }
}

/// What [`read_clients`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientsRead {
    /// The clients accepted.
    pub clients: Vec<ClientRecord>,
    /// Why the refused rows were refused.
    pub rejects: Vec<Reject>,
    /// Rows the exporting system had deleted (`DateDeleted`), set aside.
    pub deleted: usize,
}

/// The longest hashed identifier read (a SHA-256 in hex is 64 characters; some systems add a
/// salt or the SSN's last digits).
pub const MAX_HASH: usize = 128;

/// A hashed identifier as exports write them: empty, or printable ASCII without spaces.
fn is_hash(value: &str) -> bool {
    value.len() <= MAX_HASH && value.bytes().all(|b| b.is_ascii_graphic())
}

/// Reads every row of `Client.csv`: the clients, the rejects of rows that broke a rule (such a
/// row is not returned), and how many deleted rows were set aside. Two-digit years resolve
/// against `reference_year`.
/// In a hashed export (`hash_status` other than unhashed) the names and the SSN are hashes:
/// any one-line value without spaces, at most [`MAX_HASH`] characters.
pub fn read_clients(
    table: &Table,
    version: CsvVersion,
    hash_status: HashStatus,
    reference_year: i32,
) -> ClientsRead {
    let hashed = hash_status != HashStatus::Unhashed;
    let mut read = ClientsRead::default();
    for row in &table.rows {
        let mut r = RowReader::new(table, row, reference_year);
        let not_collected = Some(DataQuality::DataNotCollected);
        let personal_id = r.text("PersonalID");
        if personal_id.is_empty() {
            r.refuse("PersonalID", "required");
        }
        let name = PersonName {
            first: r.text("FirstName"),
            middle: r.text("MiddleName"),
            last: r.text("LastName"),
            suffix: r.text("NameSuffix"),
        };
        let name_data_quality = r.code("NameDataQuality", DataQuality::from_code, not_collected);
        let ssn = if hashed {
            let hash = r.text("SSN");
            if !is_hash(&hash) {
                r.refuse(
                    "SSN",
                    format!("a hashed SSN: at most {MAX_HASH} characters, no spaces"),
                );
            }
            hash
        } else {
            let ssn = r.text("SSN").replace('-', "");
            if ssn.len() > 9
                || !ssn
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == 'x' || c == 'X')
            {
                r.refuse("SSN", "nine digits, `x` for unknown ones");
            }
            ssn
        };
        if hashed {
            for column in ["FirstName", "MiddleName", "LastName", "NameSuffix"] {
                if !is_hash(&r.text(column)) {
                    r.refuse(
                        column,
                        format!("a hashed name: at most {MAX_HASH} characters, no spaces"),
                    );
                }
            }
        }
        let ssn_data_quality = r.code("SSNDataQuality", DataQuality::from_code, not_collected);
        let dob = r.date("DOB");
        let dob_data_quality = r.code("DOBDataQuality", DataQuality::from_code, not_collected);
        let race_ethnicity = RaceEthnicity::ALL
            .iter()
            .copied()
            .filter(|race| {
                let column = match (race, version) {
                    (RaceEthnicity::HispanicLatinao, CsvVersion::Fy2024 { .. }) => {
                        "HispanicLatinaeo"
                    }
                    _ => race.csv_column(),
                };
                r.flag(column)
            })
            .collect();
        let race_none = r.code("RaceNone", MissingReason::from_code, None);
        let (sex, genders, gender_none) = match version {
            CsvVersion::Fy2026 { .. } => (r.code("Sex", Sex::from_code, None), Vec::new(), None),
            CsvVersion::Fy2024 { .. } => {
                let genders = Gender::ALL
                    .iter()
                    .copied()
                    .filter(|g| r.flag(g.csv_column()))
                    .collect();
                (
                    None,
                    genders,
                    r.code("GenderNone", MissingReason::from_code, None),
                )
            }
        };
        let veteran_status = r.code(
            "VeteranStatus",
            NoYesReasons::from_code,
            Some(NoYesReasons::DataNotCollected),
        );
        let created = r.timestamp("DateCreated");
        let updated = r.timestamp("DateUpdated");
        if r.deleted() {
            read.deleted += 1;
            continue;
        }
        let kept = r.kept(caseledger_core::hud::elements::HudFile::Client);
        let record = (|| {
            Some(ClientRecord {
                line: row.line,
                personal_id: personal_id.clone(),
                intake: IntakeClient {
                    client_id: ClientId::new(0),
                    name,
                    name_data_quality: name_data_quality?,
                    ssn,
                    ssn_data_quality: ssn_data_quality?,
                    dob,
                    dob_data_quality: dob_data_quality?,
                    race_ethnicity,
                    race_none,
                    additional_race_ethnicity: r.text("AdditionalRaceEthnicity"),
                    sex,
                    genders,
                    gender_none,
                    different_identity_text: r.text("DifferentIdentityText"),
                    veteran_status: veteran_status?,
                    // An export has no address and no restriction (the policy's default).
                    address: None,
                    restriction: None,
                    source_id: Some(personal_id.clone()),
                    hash_status,
                },
                created,
                updated,
                user_id: r.text("UserID"),
                kept,
            })
        })();
        match record {
            Some(record) if r.rejects.is_empty() => read.clients.push(record),
            _ => read.rejects.append(&mut r.rejects),
        }
    }
    read
}
