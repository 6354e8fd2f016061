//! The export's organizations, projects, enrollments and exits, each row checked on its own and
//! against the files it points into: a project's `OrganizationID`, an enrollment's `PersonalID`
//! and `ProjectID`, an exit's `EnrollmentID` must name a row that was read (and not refused);
//! an exit may not come before its entry; a service or an assessment-like row (income, health,
//! disabilities, ...) names an enrollment of its client. Rows with `DateDeleted` are counted and
//! set aside. Files the domain has no counterpart for (Funder, Inventory, ...) are counted.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use caseledger_core::Date;
use caseledger_core::hud::elements::HudFile;
use caseledger_core::hud::{
    DataCollectionStage, Destination, HashStatus, LivingSituation, NoYesReasons, ProjectType,
    RelationshipToHoH, RentalSubsidyType,
};
use chrono::NaiveDateTime;

use crate::client::{ClientRecord, read_clients};
use crate::export::ExportError;
use crate::row::{Kept, RowReader};
use crate::{CsvVersion, ExportDir, Reject, Table};

// Here rather than with the other readers in `row.rs` because it checks a row against the
// enrollments read: the reader sits below the files' records, this check above them.
impl RowReader<'_> {
    /// The `EnrollmentID` of a row recorded for an enrollment, which must have been read, and
    /// the row's date (`date_column`), which must be given and within the enrollment; the
    /// `PersonalID` must be the enrollment's client.
    pub(crate) fn enrollment_row(
        &mut self,
        enrollments: &BTreeMap<String, EnrollmentRecord>,
        date_column: &str,
    ) -> (String, Option<Date>) {
        let id = self.reference("EnrollmentID", ("enrollment", "Enrollment.csv"), |id| {
            enrollments.contains_key(id)
        });
        let date = self.required_date(date_column);
        if let Some(e) = enrollments.get(&id) {
            if self.text("PersonalID") != e.personal_id {
                self.refuse(
                    "PersonalID",
                    format!("the enrollment is of client {}", e.personal_id),
                );
            }
            if let Some(date) = date
                && date < e.entry
            {
                self.finding(
                    date_column,
                    format!("data quality: before the entry date ({})", e.entry),
                );
            }
        }
        (id, date)
    }
}

/// An organization (`Organization.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationRecord {
    /// The line in `Organization.csv`.
    pub line: u64,
    /// `OrganizationID`.
    pub id: String,
    /// `OrganizationName`.
    pub name: String,
    /// `VictimServiceProvider` = 1.
    pub victim_service_provider: bool,
    /// The row's other elements and stamp.
    pub kept: Kept,
}

/// A project (`Project.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectRecord {
    /// The line in `Project.csv`.
    pub line: u64,
    /// `ProjectID`.
    pub id: String,
    /// `OrganizationID`: the owning organization.
    pub organization_id: String,
    /// `ProjectName`.
    pub name: String,
    /// `ProjectType` (2.02.6).
    pub project_type: ProjectType,
    /// `OperatingStartDate`: required by the specification but missing in some exports; the
    /// importer then starts the program at its earliest enrollment.
    pub operating_start: Option<Date>,
    /// `OperatingEndDate`.
    pub operating_end: Option<Date>,
    /// The row's other elements and stamp.
    pub kept: Kept,
}

/// An enrollment (`Enrollment.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollmentRecord {
    /// The line in `Enrollment.csv`.
    pub line: u64,
    /// `EnrollmentID`.
    pub id: String,
    /// `PersonalID`.
    pub personal_id: String,
    /// `ProjectID`.
    pub project_id: String,
    /// `EntryDate`.
    pub entry: Date,
    /// `HouseholdID`.
    pub household_id: String,
    /// `RelationshipToHoH`.
    pub relationship: RelationshipToHoH,
    /// `LivingSituation` (3.917).
    pub living_situation: Option<LivingSituation>,
    /// `RentalSubsidyType`.
    pub rental_subsidy_type: Option<RentalSubsidyType>,
    /// `DisablingCondition` (empty reads as 99).
    pub disabling_condition: NoYesReasons,
    /// `EnrollmentCoC`.
    pub enrollment_coc: Option<String>,
    /// `MoveInDate`.
    pub move_in: Option<Date>,
    /// `DateUpdated`.
    pub updated: Option<NaiveDateTime>,
    /// `UserID`.
    pub user_id: String,
    /// The row's other elements and stamp.
    pub kept: Kept,
}

/// An exit (`Exit.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExitRecord {
    /// The line in `Exit.csv`.
    pub line: u64,
    /// `ExitID`.
    pub id: String,
    /// `EnrollmentID`.
    pub enrollment_id: String,
    /// `ExitDate`.
    pub exit: Date,
    /// `Destination`, if recorded.
    pub destination: Option<Destination>,
    /// `DestinationSubsidyType`.
    pub destination_subsidy_type: Option<RentalSubsidyType>,
    /// `OtherDestination`.
    pub other_destination: String,
    /// `UserID`.
    pub user_id: String,
    /// The row's other elements and stamp.
    pub kept: Kept,
}

/// A user of the exporting system (`User.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// `UserID`.
    pub id: String,
    /// `UserFirstName` and `UserLastName`, as one display name.
    pub name: String,
    /// The row's elements (names, phone, email) and stamp.
    pub kept: Kept,
}

/// A service (`Services.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRecord {
    /// The line in `Services.csv`.
    pub line: u64,
    /// `ServicesID`.
    pub id: String,
    /// `EnrollmentID`.
    pub enrollment_id: String,
    /// `DateProvided`.
    pub date: Date,
    /// `RecordType`.
    pub record_type: u16,
    /// `TypeProvided`.
    pub type_provided: u16,
    /// `OtherTypeProvided`.
    pub other: String,
    /// `UserID`.
    pub user_id: String,
    /// The row's other elements and stamp.
    pub kept: Kept,
}

/// A row that describes a project (`Funder.csv`, `ProjectCoC.csv`, `Inventory.csv`,
/// `Affiliation.csv`, `HMISParticipation.csv`, `CEParticipation.csv`) or an assessment
/// (`AssessmentQuestions.csv`, `AssessmentResults.csv`): a row of its own under its record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailRecord {
    /// The file.
    pub file: HudFile,
    /// The line in it.
    pub line: u64,
    /// The row's id (`FunderID`, `AssessmentQuestionID`, ...).
    pub id: String,
    /// The record it belongs to: its `ProjectID`, or its `AssessmentID`.
    pub parent_id: String,
    /// The row's elements and stamp.
    pub kept: Kept,
}

/// The files whose rows are answers collected on a date for an enrollment: the domain keeps
/// each row as an assessment whose answers are the row's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AnswerFile {
    /// `IncomeBenefits.csv` (4.02, 4.03).
    IncomeBenefits,
    /// `HealthAndDV.csv` (4.04, 4.11).
    HealthAndDv,
    /// `Disabilities.csv` (4.05–4.10).
    Disabilities,
    /// `EmploymentEducation.csv` (R4, R6).
    EmploymentEducation,
    /// `CurrentLivingSituation.csv` (4.12).
    CurrentLivingSituation,
    /// `Assessment.csv` (4.19).
    Assessment,
    /// `Event.csv` (4.20).
    Event,
    /// `YouthEducationStatus.csv` (C3).
    YouthEducationStatus,
}

impl AnswerFile {
    /// Every such file, in the order they are imported.
    pub const ALL: [AnswerFile; 8] = [
        AnswerFile::IncomeBenefits,
        AnswerFile::HealthAndDv,
        AnswerFile::Disabilities,
        AnswerFile::EmploymentEducation,
        AnswerFile::CurrentLivingSituation,
        AnswerFile::Assessment,
        AnswerFile::Event,
        AnswerFile::YouthEducationStatus,
    ];

    /// The file's name.
    pub const fn file(self) -> &'static str {
        match self {
            AnswerFile::IncomeBenefits => "IncomeBenefits.csv",
            AnswerFile::HealthAndDv => "HealthAndDV.csv",
            AnswerFile::Disabilities => "Disabilities.csv",
            AnswerFile::EmploymentEducation => "EmploymentEducation.csv",
            AnswerFile::CurrentLivingSituation => "CurrentLivingSituation.csv",
            AnswerFile::Assessment => "Assessment.csv",
            AnswerFile::Event => "Event.csv",
            AnswerFile::YouthEducationStatus => "YouthEducationStatus.csv",
        }
    }

    /// The file in the catalogue of HUD's elements.
    pub const fn hud_file(self) -> HudFile {
        match self {
            AnswerFile::IncomeBenefits => HudFile::IncomeBenefits,
            AnswerFile::HealthAndDv => HudFile::HealthAndDv,
            AnswerFile::Disabilities => HudFile::Disabilities,
            AnswerFile::EmploymentEducation => HudFile::EmploymentEducation,
            AnswerFile::CurrentLivingSituation => HudFile::CurrentLivingSituation,
            AnswerFile::Assessment => HudFile::Assessment,
            AnswerFile::Event => HudFile::Event,
            AnswerFile::YouthEducationStatus => HudFile::YouthEducationStatus,
        }
    }

    /// The file's name without `.csv`: the prefix of its rows' source ids.
    pub fn stem(self) -> &'static str {
        self.file().trim_end_matches(".csv")
    }

    /// The file named `stem`.
    pub fn from_stem(stem: &str) -> Option<AnswerFile> {
        AnswerFile::ALL.into_iter().find(|f| f.stem() == stem)
    }

    /// The row id's column.
    pub const fn id_column(self) -> &'static str {
        match self {
            AnswerFile::IncomeBenefits => "IncomeBenefitsID",
            AnswerFile::HealthAndDv => "HealthAndDVID",
            AnswerFile::Disabilities => "DisabilitiesID",
            AnswerFile::EmploymentEducation => "EmploymentEducationID",
            AnswerFile::CurrentLivingSituation => "CurrentLivingSitID",
            AnswerFile::Assessment => "AssessmentID",
            AnswerFile::Event => "EventID",
            AnswerFile::YouthEducationStatus => "YouthEducationStatusID",
        }
    }

    /// The column holding the date the answers were collected.
    pub const fn date_column(self) -> &'static str {
        match self {
            AnswerFile::Assessment => "AssessmentDate",
            AnswerFile::Event => "EventDate",
            _ => "InformationDate",
        }
    }

    /// Columns that say where a row belongs rather than what was answered.
    pub fn is_frame_column(self, column: &str) -> bool {
        column == self.id_column()
            || column == self.date_column()
            || matches!(
                column,
                "EnrollmentID"
                    | "PersonalID"
                    | "DataCollectionStage"
                    | "DateCreated"
                    | "DateUpdated"
                    | "UserID"
                    | "DateDeleted"
                    | "ExportID"
            )
    }
}

/// One row of an [`AnswerFile`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerRecord {
    /// The file.
    pub file: AnswerFile,
    /// The line in it.
    pub line: u64,
    /// The row's id.
    pub id: String,
    /// `EnrollmentID`.
    pub enrollment_id: String,
    /// The date the answers were collected.
    pub date: Date,
    /// `DataCollectionStage`, where the file has one.
    pub stage: Option<DataCollectionStage>,
    /// The answered columns (non-empty), in file order, read by their HUD types; and the
    /// source's stamp.
    pub kept: Kept,
    /// `UserID`.
    pub user_id: String,
}

/// What happened to the rows of one file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FileCounts {
    /// Data rows in the file.
    pub read: usize,
    /// Rows accepted.
    pub accepted: usize,
    /// Rows set aside because the exporting system deleted them (`DateDeleted`).
    pub deleted: usize,
    /// Rows refused (see the rejects).
    pub rejected: usize,
}

/// An export read and checked: everything accepted, every reject, counts per file.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    /// Organizations by `OrganizationID`.
    pub organizations: BTreeMap<String, OrganizationRecord>,
    /// Projects by `ProjectID`.
    pub projects: BTreeMap<String, ProjectRecord>,
    /// Clients by `PersonalID`.
    pub clients: BTreeMap<String, ClientRecord>,
    /// Enrollments by `EnrollmentID`.
    pub enrollments: BTreeMap<String, EnrollmentRecord>,
    /// Exits by `EnrollmentID` (one per enrollment).
    pub exits: BTreeMap<String, ExitRecord>,
    /// Users by `UserID`.
    pub users: BTreeMap<String, UserRecord>,
    /// Services, in file order.
    pub services: Vec<ServiceRecord>,
    /// Rows of the assessment-like files, file by file in file order.
    pub answers: Vec<AnswerRecord>,
    /// Rows describing projects and assessments, file by file in file order.
    pub details: Vec<DetailRecord>,
    /// Whether the clients' names and SSNs are values or hashes (`Export.csv`'s
    /// `HashStatus`).
    pub hash_status: HashStatus,
    /// Every refused value or row, in file order.
    pub rejects: Vec<Reject>,
    /// Data-quality findings of accepted rows (a move-in date before entry, a contact before
    /// the enrollment began): HUD's data-quality report counts them; the rows import as they
    /// are.
    pub findings: Vec<Reject>,
    /// Per file.
    pub counts: BTreeMap<String, FileCounts>,
}

impl Checked {
    fn count(&mut self, file: &str) -> &mut FileCounts {
        self.counts.entry(file.to_string()).or_default()
    }

    /// Folds one row's outcome (what `reader` refused and found): accepted when it has no
    /// rejects.
    fn settle<T>(
        &mut self,
        file: &str,
        deleted: bool,
        row: Option<T>,
        reader: RowReader<'_>,
    ) -> Option<T> {
        let RowReader {
            mut rejects,
            mut findings,
            ..
        } = reader;
        let counts = self.count(file);
        counts.read += 1;
        if deleted {
            counts.deleted += 1;
            return None;
        }
        match row {
            Some(row) if rejects.is_empty() => {
                counts.accepted += 1;
                self.findings.append(&mut findings);
                Some(row)
            }
            _ => {
                counts.rejected += 1;
                self.rejects.append(&mut rejects);
                None
            }
        }
    }
}

/// Files whose rows describe a project (funding sources, CoC geography, bed inventory,
/// residential affiliations, participation periods) or a coordinated-entry assessment (its
/// questions and results): each row is kept as HUD elements under its record.
pub const DETAIL_FILES: [HudFile; 8] = [
    HudFile::Funder,
    HudFile::ProjectCoC,
    HudFile::Inventory,
    HudFile::Affiliation,
    HudFile::HmisParticipation,
    HudFile::CeParticipation,
    HudFile::AssessmentQuestions,
    HudFile::AssessmentResults,
];

fn table(export: &ExportDir, name: &str) -> Result<Table, ExportError> {
    Ok(export
        .table(name)?
        .unwrap_or_else(|| Table::new(name.to_string(), Vec::new(), Vec::new())))
}

/// Reads and checks the export in `dir`. Two-digit years resolve against `reference_year`.
pub fn check_export(dir: &Path, reference_year: i32) -> Result<(CsvVersion, Checked), ExportError> {
    let export = ExportDir::open(dir)?;
    let mut checked = Checked::default();

    let t = table(&export, "Organization.csv")?;
    let mut seen = HashMap::new();
    for row in &t.rows {
        let mut r = RowReader::new(&t, row, reference_year);
        let id = r.required("OrganizationID");
        let name = r.required("OrganizationName");
        let victim_service_provider = r.flag("VictimServiceProvider");
        let deleted = r.deleted();
        let kept = r.kept(HudFile::Organization);
        let record = OrganizationRecord {
            line: row.line,
            id: id.clone(),
            name,
            victim_service_provider,
            kept,
        };
        if !deleted {
            r.unique("OrganizationID", &id, &mut seen);
        }
        if let Some(o) = checked.settle(&t.file, deleted, Some(record), r) {
            checked.organizations.insert(id, o);
        }
    }

    let t = table(&export, "Project.csv")?;
    let mut seen = HashMap::new();
    for row in &t.rows {
        let mut r = RowReader::new(&t, row, reference_year);
        let id = r.required("ProjectID");
        let organization_id = r.reference(
            "OrganizationID",
            ("organization", "Organization.csv"),
            |id| checked.organizations.contains_key(id),
        );
        let name = r.required("ProjectName");
        let project_type = r.code("ProjectType", ProjectType::from_code, None);
        if project_type.is_none() && r.text("ProjectType").is_empty() {
            r.refuse("ProjectType", "required");
        }
        let operating_start = r.date("OperatingStartDate");
        for column in ["OperatingStartDate", "ContinuumProject"] {
            if r.text(column).is_empty() {
                r.leave_blank(column);
            }
        }
        let operating_end = r.date("OperatingEndDate");
        if let (Some(start), Some(end)) = (operating_start, operating_end)
            && end < start
        {
            r.refuse("OperatingEndDate", "before OperatingStartDate");
        }
        let deleted = r.deleted();
        let kept = r.kept(HudFile::Project);
        let record = project_type.map(|project_type| ProjectRecord {
            line: row.line,
            id: id.clone(),
            organization_id,
            name,
            project_type,
            operating_start,
            operating_end,
            kept,
        });
        if !deleted {
            r.unique("ProjectID", &id, &mut seen);
        }
        if let Some(p) = checked.settle(&t.file, deleted, record, r) {
            checked.projects.insert(id, p);
        }
    }

    let t = table(&export, "Client.csv")?;
    checked.hash_status = export.hash_status;
    let mut read = read_clients(&t, export.version, export.hash_status, reference_year);
    let counts = checked.count(&t.file);
    counts.read = t.rows.len();
    counts.deleted = read.deleted;
    counts.accepted = read.clients.len();
    counts.rejected = t.rows.len() - read.clients.len() - read.deleted;
    checked.rejects.append(&mut read.rejects);
    for c in read.clients {
        if let Some(first) = checked.clients.get(&c.personal_id) {
            let reject = Reject {
                file: t.file.clone(),
                line: c.line,
                column: "PersonalID".into(),
                value: c.personal_id.clone(),
                rule: format!("the id is already used on line {}", first.line),
            };
            checked.rejects.push(reject);
            let counts = checked.count(&t.file);
            counts.accepted -= 1;
            counts.rejected += 1;
            continue;
        }
        checked.clients.insert(c.personal_id.clone(), c);
    }

    let t = table(&export, "Enrollment.csv")?;
    let mut seen = HashMap::new();
    for row in &t.rows {
        let mut r = RowReader::new(&t, row, reference_year);
        let id = r.required("EnrollmentID");
        let personal_id = r.reference("PersonalID", ("client", "Client.csv"), |id| {
            checked.clients.contains_key(id)
        });
        let project_id = r.reference("ProjectID", ("project", "Project.csv"), |id| {
            checked.projects.contains_key(id)
        });
        let entry = r.required_date("EntryDate");
        let relationship = r.code(
            "RelationshipToHoH",
            RelationshipToHoH::from_code,
            Some(RelationshipToHoH::DataNotCollected),
        );
        let household_id = r.text("HouseholdID");
        if household_id.is_empty() {
            r.leave_blank("HouseholdID");
        }
        let living_situation = r.code("LivingSituation", LivingSituation::from_code, None);
        let rental_subsidy_type = r.code("RentalSubsidyType", RentalSubsidyType::from_code, None);
        let disabling_condition = r.code(
            "DisablingCondition",
            NoYesReasons::from_code,
            Some(NoYesReasons::DataNotCollected),
        );
        let coc = r.text("EnrollmentCoC");
        let move_in = r.date("MoveInDate");
        if let (Some(entry), Some(move_in)) = (entry, move_in)
            && move_in < entry
        {
            r.finding(
                "MoveInDate",
                format!("data quality: the move-in date is before the entry date ({entry})"),
            );
        }
        let updated = r.timestamp("DateUpdated");
        let deleted = r.deleted();
        let kept = r.kept(HudFile::Enrollment);
        let record = (|| {
            Some(EnrollmentRecord {
                line: row.line,
                id: id.clone(),
                personal_id,
                project_id,
                entry: entry?,
                household_id,
                relationship: relationship?,
                living_situation,
                rental_subsidy_type,
                disabling_condition: disabling_condition?,
                enrollment_coc: (!coc.is_empty()).then_some(coc),
                move_in,
                updated,
                user_id: r.text("UserID"),
                kept,
            })
        })();
        if !deleted {
            r.unique("EnrollmentID", &id, &mut seen);
        }
        if let Some(e) = checked.settle(&t.file, deleted, record, r) {
            checked.enrollments.insert(id, e);
        }
    }

    let t = table(&export, "Exit.csv")?;
    let mut exits_seen: HashMap<String, u64> = HashMap::new();
    for row in &t.rows {
        let mut r = RowReader::new(&t, row, reference_year);
        let id = r.required("ExitID");
        let enrollment_id = r.reference("EnrollmentID", ("enrollment", "Enrollment.csv"), |id| {
            checked.enrollments.contains_key(id)
        });
        let enrollment = checked.enrollments.get(&enrollment_id);
        if let Some(e) = enrollment
            && r.text("PersonalID") != e.personal_id
        {
            r.refuse(
                "PersonalID",
                format!("the enrollment is of client {}", e.personal_id),
            );
        }
        let exit = r.required_date("ExitDate");
        if let (Some(exit), Some(e)) = (exit, enrollment)
            && exit < e.entry
        {
            r.refuse("ExitDate", format!("exit before entry ({})", e.entry));
        }
        let destination = r.code("Destination", Destination::from_code, None);
        let destination_subsidy_type =
            r.code("DestinationSubsidyType", RentalSubsidyType::from_code, None);
        let other_destination = r.text("OtherDestination");
        let user_id = r.text("UserID");
        let deleted = r.deleted();
        let kept = r.kept(HudFile::Exit);
        if !deleted && let Some(first) = exits_seen.insert(enrollment_id.clone(), row.line) {
            r.refuse(
                "EnrollmentID",
                format!("the enrollment already exited on line {first}"),
            );
        }
        let record = exit.map(|exit| ExitRecord {
            line: row.line,
            id,
            enrollment_id: enrollment_id.clone(),
            exit,
            destination,
            destination_subsidy_type,
            other_destination,
            user_id,
            kept,
        });
        if let Some(x) = checked.settle(&t.file, deleted, record, r) {
            checked.exits.insert(enrollment_id, x);
        }
    }

    let t = table(&export, "User.csv")?;
    let mut seen = HashMap::new();
    for row in &t.rows {
        let mut r = RowReader::new(&t, row, reference_year);
        let id = r.required("UserID");
        let name = format!("{} {}", r.text("UserFirstName"), r.text("UserLastName"));
        let deleted = r.deleted();
        let kept = r.kept(HudFile::User);
        let record = UserRecord {
            id: id.clone(),
            name: name.trim().to_string(),
            kept,
        };
        if !deleted {
            r.unique("UserID", &id, &mut seen);
        }
        if let Some(u) = checked.settle(&t.file, deleted, Some(record), r) {
            checked.users.insert(id, u);
        }
    }

    let t = table(&export, "Services.csv")?;
    for row in &t.rows {
        let mut r = RowReader::new(&t, row, reference_year);
        let id = r.required("ServicesID");
        let (enrollment_id, date) = r.enrollment_row(&checked.enrollments, "DateProvided");
        let record_type = r.positive("RecordType");
        let type_provided = r.positive("TypeProvided");
        let deleted = r.deleted();
        let kept = r.kept(HudFile::Services);
        let record = (|| {
            Some(ServiceRecord {
                line: row.line,
                id,
                enrollment_id,
                date: date?,
                record_type: record_type?,
                type_provided: type_provided?,
                other: r.text("OtherTypeProvided"),
                user_id: r.text("UserID"),
                kept,
            })
        })();
        if let Some(s) = checked.settle(&t.file, deleted, record, r) {
            checked.services.push(s);
        }
    }

    for file in AnswerFile::ALL {
        let t = table(&export, file.file())?;
        for row in &t.rows {
            let mut r = RowReader::new(&t, row, reference_year);
            let id = r.required(file.id_column());
            let (enrollment_id, date) = r.enrollment_row(&checked.enrollments, file.date_column());
            let stage = r.code("DataCollectionStage", DataCollectionStage::from_code, None);
            let kept = r.kept(file.hud_file());
            // A row with nothing answered is kept too: exports write one per collection stage
            // even when nothing was collected, and HUD's data-quality and timeliness measures
            // count those rows.
            let deleted = r.deleted();
            let record = date.map(|date| AnswerRecord {
                file,
                line: row.line,
                id,
                enrollment_id,
                date,
                stage,
                kept,
                user_id: r.text("UserID"),
            });
            if let Some(a) = checked.settle(&t.file, deleted, record, r) {
                checked.answers.push(a);
            }
        }
    }

    for file in DETAIL_FILES {
        let t = table(&export, &format!("{}.csv", file.stem()))?;
        let assessment_ids: std::collections::HashSet<String> = checked
            .answers
            .iter()
            .filter(|a| a.file == AnswerFile::Assessment)
            .map(|a| a.id.clone())
            .collect();
        let mut seen = HashMap::new();
        let mut details = Vec::new();
        for row in &t.rows {
            let mut r = RowReader::new(&t, row, reference_year);
            let id_column = file.elements().next().map_or("", |e| e.column);
            let id = r.required(id_column);
            let parent_id = if matches!(
                file,
                HudFile::AssessmentQuestions | HudFile::AssessmentResults
            ) {
                r.reference("AssessmentID", ("assessment", "Assessment.csv"), |id| {
                    assessment_ids.contains(id)
                })
            } else {
                r.reference("ProjectID", ("project", "Project.csv"), |id| {
                    checked.projects.contains_key(id)
                })
            };
            let deleted = r.deleted();
            if !deleted {
                r.unique(id_column, &id, &mut seen);
            }
            let kept = r.kept(file);
            let record = DetailRecord {
                file,
                line: row.line,
                id,
                parent_id,
                kept,
            };
            if let Some(d) = checked.settle(&t.file, deleted, Some(record), r) {
                details.push(d);
            }
        }
        checked.details.append(&mut details);
    }
    Ok((export.version, checked))
}
