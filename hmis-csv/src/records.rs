//! The export's organizations, projects, enrollments and exits, each row checked on its own and
//! against the files it points into: a project's `OrganizationID`, an enrollment's `PersonalID`
//! and `ProjectID`, an exit's `EnrollmentID` must name a row that was read (and not refused);
//! an exit may not come before its entry. Rows with `DateDeleted` are counted and set aside.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use caseledger_core::Date;
use caseledger_core::hud::{Destination, ProjectType, RelationshipToHoH};

use crate::client::{ClientRecord, read_clients};
use crate::export::ExportError;
use crate::row::RowReader;
use crate::{CsvVersion, ExportDir, Reject, Table};

/// An organization (`Organization.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationRecord {
    /// `OrganizationID`.
    pub id: String,
    /// `OrganizationName`.
    pub name: String,
    /// `VictimServiceProvider` = 1.
    pub victim_service_provider: bool,
}

/// A project (`Project.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectRecord {
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
}

/// An exit (`Exit.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExitRecord {
    /// `ExitID`.
    pub id: String,
    /// `EnrollmentID`.
    pub enrollment_id: String,
    /// `ExitDate`.
    pub exit: Date,
    /// `Destination`, if recorded.
    pub destination: Option<Destination>,
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
    /// Every refused value or row, in file order.
    pub rejects: Vec<Reject>,
    /// Per file.
    pub counts: BTreeMap<String, FileCounts>,
}

impl Checked {
    fn count(&mut self, file: &str) -> &mut FileCounts {
        self.counts.entry(file.to_string()).or_default()
    }

    /// Folds one row's outcome: accepted when it has no rejects.
    fn settle<T>(
        &mut self,
        file: &str,
        deleted: bool,
        row: Option<T>,
        mut rejects: Vec<Reject>,
    ) -> Option<T> {
        let counts = self.count(file);
        counts.read += 1;
        if deleted {
            counts.deleted += 1;
            return None;
        }
        match row {
            Some(row) if rejects.is_empty() => {
                counts.accepted += 1;
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

fn table(export: &ExportDir, name: &str) -> Result<Table, ExportError> {
    Ok(export.table(name)?.unwrap_or_else(|| Table {
        file: name.to_string(),
        headers: Vec::new(),
        rows: Vec::new(),
    }))
}

/// Reads and checks the export in `dir`. Two-digit years resolve against `reference_year`.
pub fn check_export(dir: &Path, reference_year: i32) -> Result<(CsvVersion, Checked), ExportError> {
    let export = ExportDir::open(dir)?;
    let mut checked = Checked::default();

    let t = table(&export, "Organization.csv")?;
    for row in &t.rows {
        let mut r = RowReader::new(&t, row, reference_year);
        let id = r.required("OrganizationID");
        let name = r.required("OrganizationName");
        let victim_service_provider = r.flag("VictimServiceProvider");
        let deleted = r.deleted();
        let record = OrganizationRecord {
            id: id.clone(),
            name,
            victim_service_provider,
        };
        if let Some(o) = checked.settle(&t.file, deleted, Some(record), r.rejects) {
            checked.organizations.insert(id, o);
        }
    }

    let t = table(&export, "Project.csv")?;
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
        let operating_end = r.date("OperatingEndDate");
        if let (Some(start), Some(end)) = (operating_start, operating_end)
            && end < start
        {
            r.refuse("OperatingEndDate", "before OperatingStartDate");
        }
        let deleted = r.deleted();
        let record = project_type.map(|project_type| ProjectRecord {
            id: id.clone(),
            organization_id,
            name,
            project_type,
            operating_start,
            operating_end,
        });
        if let Some(p) = checked.settle(&t.file, deleted, record, r.rejects) {
            checked.projects.insert(id, p);
        }
    }

    let t = table(&export, "Client.csv")?;
    let mut read = read_clients(&t, export.version, reference_year);
    let counts = checked.count(&t.file);
    counts.read = t.rows.len();
    counts.deleted = read.deleted;
    counts.accepted = read.clients.len();
    counts.rejected = t.rows.len() - read.clients.len() - read.deleted;
    checked.rejects.append(&mut read.rejects);
    checked.clients = read
        .clients
        .into_iter()
        .map(|c| (c.personal_id.clone(), c))
        .collect();

    let t = table(&export, "Enrollment.csv")?;
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
        let deleted = r.deleted();
        let record = entry
            .zip(relationship)
            .map(|(entry, relationship)| EnrollmentRecord {
                line: row.line,
                id: id.clone(),
                personal_id,
                project_id,
                entry,
                household_id,
                relationship,
            });
        if let Some(e) = checked.settle(&t.file, deleted, record, r.rejects) {
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
        let deleted = r.deleted();
        if !deleted && let Some(first) = exits_seen.insert(enrollment_id.clone(), row.line) {
            r.refuse(
                "EnrollmentID",
                format!("the enrollment already exited on line {first}"),
            );
        }
        let record = exit.map(|exit| ExitRecord {
            id,
            enrollment_id: enrollment_id.clone(),
            exit,
            destination,
        });
        if let Some(x) = checked.settle(&t.file, deleted, record, r.rejects) {
            checked.exits.insert(enrollment_id, x);
        }
    }
    Ok((export.version, checked))
}
