//! HUD's data elements as the HMIS CSV specifications lay them out: every column of every file
//! of FY2024 and FY2026, with its type and the HUD code list it takes.
//!
//! caseledger models the elements its own rules need as typed fields of its records (an
//! enrollment's entry date, relationship to head of household, living situation, ...). Every
//! other element of a record — a veteran's years of service, an enrollment's 3.917 prior
//! living situation, an exit's aftercare, a project's funders and inventory — is kept as a
//! [`HudElement`]: the column HUD names it by and a value of the column's type, checked
//! against the catalogue here ([`ElementSpec::check`]) by the import and by the live commands
//! alike.
//!
//! The catalogue (`elements.csv` beside this file) was transcribed from HUD's machine-readable
//! FY2024 column list (`SupplementalTables/CSV_Columns.csv` of `HUD-Data-Lab/DataLab`: file,
//! column, data type, list), with the FY2026 changes of HUD's FY2024-to-FY2026 crosswalk: the
//! FY2024 gender columns and `Enrollment.csv`'s sexual orientation and translation columns are
//! FY2024 only; `Client.csv`'s `Sex` (4.21) and `Enrollment.csv`'s
//! `MentalHealthConsultation` are FY2026 only; `HispanicLatinaeo` became `HispanicLatinao`.
//! The columns every file ends with (`DateCreated`, `DateUpdated`, `UserID`, `DateDeleted`,
//! `ExportID`) are not elements: a record's [`SourceStamp`] or caseledger's own log hold them.

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use crate::events::casework::AnswerValue;
use crate::time::Date;

/// The files of an HMIS CSV export that hold records (all but `Export.csv`), stored by their
/// position in this list: never reorder; add at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum HudFile {
    /// `Organization.csv` (2.01).
    Organization,
    /// `User.csv`.
    User,
    /// `Project.csv` (2.02).
    Project,
    /// `Funder.csv` (2.06).
    Funder,
    /// `ProjectCoC.csv` (2.03).
    ProjectCoC,
    /// `Inventory.csv` (2.07).
    Inventory,
    /// `Affiliation.csv` (2.02.B).
    Affiliation,
    /// `HMISParticipation.csv` (2.08).
    HmisParticipation,
    /// `CEParticipation.csv` (2.09).
    CeParticipation,
    /// `Client.csv` (3.01–3.07, V1).
    Client,
    /// `Enrollment.csv` (3.10–3.20, program-specific elements collected at entry).
    Enrollment,
    /// `Exit.csv` (3.11, 3.12 and the program-specific exit elements).
    Exit,
    /// `IncomeBenefits.csv` (4.02–4.04, W3, 4.18).
    IncomeBenefits,
    /// `HealthAndDV.csv` (4.11, R7–R10).
    HealthAndDv,
    /// `EmploymentEducation.csv` (R4–R6).
    EmploymentEducation,
    /// `Disabilities.csv` (4.05–4.10, W4).
    Disabilities,
    /// `Services.csv` (4.14, P1, P2, R14, W1, W2, V2, V3, C2).
    Services,
    /// `CurrentLivingSituation.csv` (4.12).
    CurrentLivingSituation,
    /// `Assessment.csv` (4.19).
    Assessment,
    /// `AssessmentQuestions.csv` (4.19 questions and answers).
    AssessmentQuestions,
    /// `AssessmentResults.csv` (4.19 results).
    AssessmentResults,
    /// `Event.csv` (4.20).
    Event,
    /// `YouthEducationStatus.csv` (C3).
    YouthEducationStatus,
}

impl HudFile {
    /// Every file, in the specification's order.
    pub const ALL: [HudFile; 23] = [
        HudFile::Organization,
        HudFile::User,
        HudFile::Project,
        HudFile::Funder,
        HudFile::ProjectCoC,
        HudFile::Inventory,
        HudFile::Affiliation,
        HudFile::HmisParticipation,
        HudFile::CeParticipation,
        HudFile::Client,
        HudFile::Enrollment,
        HudFile::Exit,
        HudFile::IncomeBenefits,
        HudFile::HealthAndDv,
        HudFile::EmploymentEducation,
        HudFile::Disabilities,
        HudFile::Services,
        HudFile::CurrentLivingSituation,
        HudFile::Assessment,
        HudFile::AssessmentQuestions,
        HudFile::AssessmentResults,
        HudFile::Event,
        HudFile::YouthEducationStatus,
    ];

    /// The file's name without `.csv`, as the catalogue and HUD's column list name it.
    pub const fn stem(self) -> &'static str {
        match self {
            HudFile::Organization => "Organization",
            HudFile::User => "User",
            HudFile::Project => "Project",
            HudFile::Funder => "Funder",
            HudFile::ProjectCoC => "ProjectCoC",
            HudFile::Inventory => "Inventory",
            HudFile::Affiliation => "Affiliation",
            HudFile::HmisParticipation => "HMISParticipation",
            HudFile::CeParticipation => "CEParticipation",
            HudFile::Client => "Client",
            HudFile::Enrollment => "Enrollment",
            HudFile::Exit => "Exit",
            HudFile::IncomeBenefits => "IncomeBenefits",
            HudFile::HealthAndDv => "HealthAndDV",
            HudFile::EmploymentEducation => "EmploymentEducation",
            HudFile::Disabilities => "Disabilities",
            HudFile::Services => "Services",
            HudFile::CurrentLivingSituation => "CurrentLivingSituation",
            HudFile::Assessment => "Assessment",
            HudFile::AssessmentQuestions => "AssessmentQuestions",
            HudFile::AssessmentResults => "AssessmentResults",
            HudFile::Event => "Event",
            HudFile::YouthEducationStatus => "YouthEducationStatus",
        }
    }

    /// The file named `stem` (without `.csv`, any case).
    pub fn from_stem(stem: &str) -> Option<HudFile> {
        HudFile::ALL
            .into_iter()
            .find(|f| f.stem().eq_ignore_ascii_case(stem))
    }

    /// The file's elements, in the specification's column order (both versions' columns).
    pub fn elements(self) -> impl Iterator<Item = &'static ElementSpec> {
        let range = INDEX.files.get(&self).cloned().unwrap_or(0..0);
        CATALOG[range].iter()
    }

    /// Whether caseledger holds `column` of this file in a typed field of its records (or it
    /// is the row's frame: its id, the ids it points to, its date), so it is not an element
    /// [`HudElement`] may carry. `HouseholdID` is not: the source's spelling of it is kept.
    pub fn is_typed(self, column: &str) -> bool {
        let typed: &[&str] = match self {
            HudFile::Organization => &[
                "OrganizationID",
                "OrganizationName",
                "VictimServiceProvider",
            ],
            HudFile::User => &["UserID"],
            HudFile::Project => &[
                "ProjectID",
                "OrganizationID",
                "ProjectName",
                "OperatingStartDate",
                "OperatingEndDate",
                "ProjectType",
            ],
            HudFile::Client => &[
                "PersonalID",
                "FirstName",
                "MiddleName",
                "LastName",
                "NameSuffix",
                "NameDataQuality",
                "SSN",
                "SSNDataQuality",
                "DOB",
                "DOBDataQuality",
                "Sex",
                "AmIndAKNative",
                "Asian",
                "BlackAfAmerican",
                "HispanicLatinaeo",
                "HispanicLatinao",
                "MidEastNAfrican",
                "NativeHIPacific",
                "White",
                "RaceNone",
                "AdditionalRaceEthnicity",
                "Woman",
                "Man",
                "NonBinary",
                "CulturallySpecific",
                "Transgender",
                "Questioning",
                "DifferentIdentity",
                "GenderNone",
                "DifferentIdentityText",
                "VeteranStatus",
            ],
            HudFile::Enrollment => &[
                "EnrollmentID",
                "PersonalID",
                "ProjectID",
                "EntryDate",
                "RelationshipToHoH",
                "EnrollmentCoC",
                "LivingSituation",
                "RentalSubsidyType",
                "DisablingCondition",
                "MoveInDate",
            ],
            HudFile::Exit => &[
                "ExitID",
                "EnrollmentID",
                "PersonalID",
                "ExitDate",
                "Destination",
                "DestinationSubsidyType",
                "OtherDestination",
            ],
            HudFile::Services => &[
                "ServicesID",
                "EnrollmentID",
                "PersonalID",
                "DateProvided",
                "RecordType",
                "TypeProvided",
                "OtherTypeProvided",
            ],
            HudFile::Funder
            | HudFile::ProjectCoC
            | HudFile::Inventory
            | HudFile::Affiliation
            | HudFile::HmisParticipation
            | HudFile::CeParticipation => &["ProjectID"],
            // An assessment-like row's answers are its assessment's answers; only the frame
            // is typed.
            HudFile::IncomeBenefits
            | HudFile::HealthAndDv
            | HudFile::EmploymentEducation
            | HudFile::Disabilities
            | HudFile::CurrentLivingSituation
            | HudFile::Assessment
            | HudFile::Event
            | HudFile::YouthEducationStatus
            | HudFile::AssessmentQuestions
            | HudFile::AssessmentResults => &[
                "EnrollmentID",
                "PersonalID",
                "AssessmentID",
                "InformationDate",
                "AssessmentDate",
                "EventDate",
                "DataCollectionStage",
            ],
        };
        let id = self.elements().next().map(|e| e.column);
        id.is_some_and(|id| id.eq_ignore_ascii_case(column))
            || typed.iter().any(|c| c.eq_ignore_ascii_case(column))
    }

    /// Whether rows of this file describe the HMIS rather than a client (organizations, users,
    /// projects and their descriptors), so their text is plain ([`AnswerValue::Plain`]).
    pub fn is_about_no_client(self) -> bool {
        matches!(
            self,
            HudFile::Organization
                | HudFile::User
                | HudFile::Project
                | HudFile::Funder
                | HudFile::ProjectCoC
                | HudFile::Inventory
                | HudFile::Affiliation
                | HudFile::HmisParticipation
                | HudFile::CeParticipation
        )
    }

    /// Whether rows of this file have ids of their own below their record (`row_id`).
    pub fn has_own_rows(self) -> bool {
        matches!(
            self,
            HudFile::User
                | HudFile::Funder
                | HudFile::ProjectCoC
                | HudFile::Inventory
                | HudFile::Affiliation
                | HudFile::HmisParticipation
                | HudFile::CeParticipation
                | HudFile::AssessmentQuestions
                | HudFile::AssessmentResults
        )
    }

    /// The element `column` of this file (any case), if HUD's specification has it.
    pub fn element(self, column: &str) -> Option<&'static ElementSpec> {
        // Every row's every column is looked up (import, commands, export): by index, not scan.
        let at = INDEX.columns.get(&(self, column.to_ascii_lowercase()))?;
        CATALOG.get(*at)
    }
}

/// What kind of value an element holds (the catalogue's `DataType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElementType {
    /// `S`: text (an id, a name, a HUD list whose codes are not integers such as VAMC
    /// stations). Held as [`AnswerValue::Text`].
    Text,
    /// `I`: an integer. With a list, a HUD code ([`AnswerValue::Code`]); without, a count or a
    /// year ([`AnswerValue::Number`]).
    Integer,
    /// `D`: a date ([`AnswerValue::Date`]).
    Date,
    /// `T`: a date and time (only `Export.csv`'s `ExportDate` among the elements).
    Timestamp,
    /// `M`: money, in cents ([`AnswerValue::Number`]).
    Money,
}

/// One column of HUD's specification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElementSpec {
    /// The file.
    pub file: HudFile,
    /// The column, spelled as HUD spells it.
    pub column: &'static str,
    /// Its type.
    pub kind: ElementType,
    /// The HUD code list it takes (`"1.8"`, `"3.917.2"`, `"R19.A"`), if any.
    pub list: Option<&'static str>,
    /// Whether FY2024's specification has it.
    pub fy2024: bool,
    /// Whether FY2026's specification has it.
    pub fy2026: bool,
}

/// Why a value is not valid for an element.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ElementError {
    /// The file has no such column in either version.
    #[error("{file} has no column {column}")]
    UnknownColumn {
        /// The file's stem.
        file: &'static str,
        /// The column as given.
        column: String,
    },
    /// The value is not of the column's type.
    #[error("{column} takes {expected}")]
    WrongType {
        /// The column.
        column: &'static str,
        /// What it takes, in words.
        expected: &'static str,
    },
    /// The code is not in the column's HUD list.
    #[error("{code} is not a code of HUD list {list} ({column})")]
    NotInList {
        /// The column.
        column: &'static str,
        /// The list.
        list: &'static str,
        /// The code.
        code: u16,
    },
}

impl ElementSpec {
    /// Whether the column holds a HUD list code (an integer element with a list).
    pub fn is_code(&self) -> bool {
        self.kind == ElementType::Integer && self.list.is_some()
    }

    /// Checks `value` against the column's type and, for the lists caseledger enumerates, its
    /// codes. Lists it does not enumerate take any integer code.
    pub fn check(&self, value: &AnswerValue) -> Result<(), ElementError> {
        let wrong = |expected| {
            Err(ElementError::WrongType {
                column: self.column,
                expected,
            })
        };
        match (self.kind, value) {
            (ElementType::Integer, AnswerValue::Code(code)) if self.list.is_some() => {
                match list_has(self.list.unwrap_or_default(), *code) {
                    Some(false) => Err(ElementError::NotInList {
                        column: self.column,
                        list: self.list.unwrap_or_default(),
                        code: *code,
                    }),
                    _ => Ok(()),
                }
            }
            (ElementType::Integer, _) if self.list.is_some() => wrong("a HUD code"),
            (ElementType::Integer | ElementType::Money, AnswerValue::Number(_)) => Ok(()),
            (ElementType::Integer, _) => wrong("an integer"),
            (ElementType::Money, _) => wrong("an amount"),
            (ElementType::Date, AnswerValue::Date(_)) => Ok(()),
            (ElementType::Date, _) => wrong("a date"),
            (ElementType::Text, AnswerValue::Text(_) | AnswerValue::Plain(_)) => Ok(()),
            (ElementType::Text, _) => wrong("text"),
            (ElementType::Timestamp, _) => wrong("a timestamp, which no record holds"),
        }
    }
}

/// Whether HUD list `list` has `code` ([`crate::hud::lists`]); a column taking either of two
/// lists (`4.10.2|1.8`) takes the codes of both; `None` for a list chosen by another column's
/// value (a service's type provided by its record type), which is not checked here.
fn list_has(list: &str, code: u16) -> Option<bool> {
    let mut found = None;
    for part in list.split('|') {
        let has = crate::hud::lists::has(part, code)?;
        found = Some(found.unwrap_or(false) || has);
    }
    found
}

/// The catalogue, parsed once from `elements.csv`.
static CATALOG: LazyLock<Vec<ElementSpec>> = LazyLock::new(|| {
    include_str!("elements.csv")
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .filter_map(|line| {
            let mut f = line.split(',');
            let (file, column, kind, list, versions) =
                (f.next()?, f.next()?, f.next()?, f.next()?, f.next()?);
            // `Export.csv` describes the export, not a record: it has no `HudFile`.
            let file = HudFile::from_stem(file)?;
            let kind = match kind {
                "S" => ElementType::Text,
                "I" => ElementType::Integer,
                "D" => ElementType::Date,
                "T" => ElementType::Timestamp,
                "M" => ElementType::Money,
                other => panic!("elements.csv: unknown type {other}"),
            };
            Some(ElementSpec {
                file,
                column,
                kind,
                list: (!list.is_empty()).then_some(list),
                fy2024: versions != "2026",
                fy2026: versions != "2024",
            })
        })
        .collect()
});

/// Where each file's elements are in the catalogue (each file's lines are together), and
/// each element by file and lower-case column.
struct Index {
    files: std::collections::HashMap<HudFile, std::ops::Range<usize>>,
    columns: std::collections::HashMap<(HudFile, String), usize>,
}

static INDEX: LazyLock<Index> = LazyLock::new(|| {
    let mut files: std::collections::HashMap<HudFile, std::ops::Range<usize>> =
        std::collections::HashMap::new();
    let mut columns = std::collections::HashMap::new();
    for (i, e) in CATALOG.iter().enumerate() {
        let range = files.entry(e.file).or_insert(i..i);
        assert_eq!(
            range.end,
            i,
            "elements.csv: the lines of {} are not together",
            e.file.stem()
        );
        range.end = i + 1;
        columns.insert((e.file, e.column.to_ascii_lowercase()), i);
    }
    Index { files, columns }
});

/// Every element of every file, in the specification's order.
pub fn catalog() -> &'static [ElementSpec] {
    &CATALOG
}

/// One element of a record that caseledger's typed fields do not hold, as HUD names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HudElement {
    /// The column, spelled as HUD's specification spells it (`YearEnteredService`).
    pub column: String,
    /// The value, of the column's type ([`ElementSpec::check`]).
    pub value: AnswerValue,
}

/// A date and time as the exporting system wrote it, without a time zone (HUD's `T` columns
/// are local times of the source system).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SourceTime {
    /// The date.
    pub date: Date,
    /// Seconds since midnight.
    pub second: u32,
}

impl std::fmt::Display for SourceTime {
    /// As HUD's CSV writes a timestamp: `YYYY-MM-DD HH:MM:SS`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (h, m, s) = (self.second / 3600, self.second / 60 % 60, self.second % 60);
        write!(f, "{} {h:02}:{m:02}:{s:02}", self.date)
    }
}

/// When and by whom the system a record was imported from created and last changed it (HUD's
/// `DateCreated`, `DateUpdated` and `UserID`, which HUD's timeliness measures read), kept so an
/// export writes them as they came.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceStamp {
    /// `DateCreated` (`None` where the source left it empty).
    pub created: Option<SourceTime>,
    /// `DateUpdated` (`None` where the source left it empty).
    pub updated: Option<SourceTime>,
    /// `UserID`, the source system's id of the user (empty for `User.csv`, which has none).
    pub user_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_has_its_id_column_first() {
        for file in HudFile::ALL {
            let first = file.elements().next().expect("a file with columns");
            assert!(
                first.column.ends_with("ID"),
                "{}: {}",
                file.stem(),
                first.column
            );
            assert_eq!(first.kind, ElementType::Text);
        }
    }

    #[test]
    fn the_fy2026_changes_are_marked_by_version() {
        let client = |c| HudFile::Client.element(c).unwrap();
        assert!(client("Sex").fy2026 && !client("Sex").fy2024);
        assert!(client("Woman").fy2024 && !client("Woman").fy2026);
        assert!(client("HispanicLatinaeo").fy2024 && client("HispanicLatinao").fy2026);
        let enrollment = |c| HudFile::Enrollment.element(c).unwrap();
        assert!(!enrollment("TranslationNeeded").fy2026);
        assert!(!enrollment("MentalHealthConsultation").fy2024);
        assert!(enrollment("LengthOfStay").fy2024 && enrollment("LengthOfStay").fy2026);
    }

    #[test]
    fn values_are_checked_by_type_and_list() {
        let los = HudFile::Enrollment.element("LengthOfStay").unwrap();
        assert_eq!(los.list, Some("3.917.2"));
        assert_eq!(los.check(&AnswerValue::Code(11)), Ok(()));
        assert!(matches!(
            los.check(&AnswerValue::Date(Date::from_ymd(2024, 1, 1).unwrap())),
            Err(ElementError::WrongType {
                column: "LengthOfStay",
                ..
            })
        ));
        let theater = HudFile::Client.element("IraqOIF").unwrap();
        assert_eq!(
            theater.check(&AnswerValue::Code(7)),
            Err(ElementError::NotInList {
                column: "IraqOIF",
                list: "1.8",
                code: 7
            })
        );
        let year = HudFile::Client.element("YearEnteredService").unwrap();
        assert_eq!(year.check(&AnswerValue::Number(1986)), Ok(()));
        let amount = HudFile::Services.element("faamount").unwrap();
        assert_eq!(amount.kind, ElementType::Money);
    }

    #[test]
    fn every_list_the_catalogue_names_is_transcribed() {
        for spec in HudFile::ALL.iter().flat_map(|f| f.elements()) {
            let Some(list) = spec.list else { continue };
            // Lists chosen by another column's value (a service's type by its record type).
            if list.ends_with(".*") {
                continue;
            }
            for part in list.split('|') {
                assert!(
                    crate::hud::lists::values(part).is_some(),
                    "{}.{}: list {part}",
                    spec.file.stem(),
                    spec.column
                );
            }
        }
    }
}
