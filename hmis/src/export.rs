//! HUD HMIS CSV export (FY2026 "2026 v1.0", or FY2024 "2024 v1.4"): the read models written as HUD's files, with the
//! specification's file names and columns in its order (`caseledger_hmis_csv::spec`).
//!
//! Who exports decides what is written: a system administrator's export covers the CoC; an
//! organization's export holds exactly what that organization may see under the sharing rules
//! today (the same `OrgView` its staff read through). Either way the export is a disclosure of
//! client data and is recorded as one (`RecordsAccessed`, operation `exportHmis`) before any
//! file is written. Records imported from another system keep that system's ids, so an export
//! imported again finds the same records.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use caseledger_core::events::{
    AnswerValue, ClientDisclosure, DisclosedRecord, ElementRow, ElementSubject,
};
use caseledger_core::hud::elements::{ElementType, HudFile};
use caseledger_core::hud::{Gender, HashStatus, RaceEthnicity};
use caseledger_core::{
    AssessmentKind, ClientId, Date, Event, OrganizationId, RecordKind, RequestId, UserId,
};
use caseledger_hmis_csv::records::AnswerFile;
use caseledger_hmis_csv::spec::Specification;
use caseledger_projections::{EnrollmentEvents, ExportView, OrgView, SourceKind};
use caseledger_service::{Disclosure, Service};

use crate::import::answer_source_id;

/// What to export.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// Export what this organization may see (acting as its first active agency
    /// administrator, else its first active user); the whole CoC when `None`.
    pub as_organization: Option<OrganizationId>,
    /// Enrollments active on or after this date (and their clients and records).
    pub from: Option<Date>,
    /// Enrollments that started on or before this date.
    pub to: Option<Date>,
    /// The specification the files follow (FY2026 unless asked).
    pub specification: Specification,
}

/// What an export wrote.
#[derive(Debug, Clone)]
pub struct ExportReport {
    /// The directory.
    pub dir: PathBuf,
    /// Data rows per file, in the specification's order.
    pub rows: Vec<(&'static str, usize)>,
    /// The log position of the disclosure record.
    pub disclosure_position: u64,
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Nobody to act as.
    #[error("{0}")]
    NoActor(String),
    /// The disclosure record could not be written (so nothing was exported).
    #[error("the export's disclosure record could not be written: {0}")]
    Disclosure(String),
    /// Writing a file failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

/// Clients per disclosure record (a whole CoC would make one event of many megabytes).
const CLIENTS_PER_DISCLOSURE: usize = 500;

/// One file's rows, by column name.
type Rows = Vec<HashMap<&'static str, String>>;

/// Writes an FY2026 export into `dir` (created if missing; files of the same names are
/// replaced).
pub async fn export(
    service: &Service,
    dir: &Path,
    options: &ExportOptions,
) -> Result<ExportReport, ExportError> {
    let export_id = ulid::Ulid::new();
    let session = service
        .exporter(options.as_organization)
        .map_err(|e| ExportError::NoActor(e.message))?;
    let zone = service.time_zone();
    let (files, disclosures) = service.read_export(&session, |view| {
        let mut out = Out::new(view, options, &export_id.to_string(), session.user(), zone);
        out.collect();
        (out.files, out.disclosures)
    });
    let request_id = RequestId::from_ulid(export_id);
    let query = format!(
        "exportHmis as={:?} from={:?} to={:?}",
        options.as_organization.map(|o| o.to_string()),
        options.from.map(|d| d.to_string()),
        options.to.map(|d| d.to_string())
    );
    let mut position = 0;
    let chunks: Vec<&[ClientDisclosure]> = if disclosures.is_empty() {
        vec![&[]]
    } else {
        disclosures.chunks(CLIENTS_PER_DISCLOSURE).collect()
    };
    for chunk in chunks {
        let access = Disclosure {
            request_id,
            date: service.today(),
            operation: "exportHmis".into(),
            query: query.clone(),
            variables: String::new(),
            view_position: service.projected_position(),
            clients: chunk.to_vec(),
            denied: Vec::new(),
            purpose: Some("HUD HMIS CSV export".into()),
        };
        position = service
            .record_access(&session, access)
            .await
            .map_err(|e| ExportError::Disclosure(e.to_string()))?;
    }
    let dir = dir.to_path_buf();
    let specification = options.specification;
    let rows = tokio::task::spawn_blocking(move || {
        write_files(&dir, &files, specification).map(|r| (dir, r))
    })
    .await
    .map_err(|e| ExportError::Io {
        path: String::new(),
        source: std::io::Error::other(e.to_string()),
    })??;
    Ok(ExportReport {
        dir: rows.0,
        rows: rows.1,
        disclosure_position: position,
    })
}

/// The export being assembled.
struct Out<'a> {
    directory: &'a ExportView<'a>,
    view: &'a OrgView<'a>,
    options: &'a ExportOptions,
    export_id: String,
    user: UserId,
    now: String,
    /// The CoC's time zone, in which timestamps are written.
    zone: String,
    files: BTreeMap<&'static str, Rows>,
    disclosures: Vec<ClientDisclosure>,
    sources: HashMap<SourceKind, HashMap<u128, String>>,
    organizations: BTreeSet<OrganizationId>,
    projects: BTreeSet<caseledger_core::ProgramId>,
    users: BTreeSet<UserId>,
    /// The `Client.csv` rows (by index) whose identifiers are hashes, by hash status.
    hashed: BTreeMap<HashStatus, Vec<usize>>,
    /// Whether any exported client's identifiers are values.
    unhashed: bool,
}

impl<'a> Out<'a> {
    fn new(
        directory: &'a ExportView<'a>,
        options: &'a ExportOptions,
        export_id: &str,
        user: UserId,
        zone: String,
    ) -> Self {
        let sources = [
            SourceKind::Organization,
            SourceKind::Project,
            SourceKind::Client,
            SourceKind::Enrollment,
            SourceKind::Exit,
            SourceKind::Service,
            SourceKind::Household,
            SourceKind::Assessment,
        ]
        .into_iter()
        .map(|k| (k, directory.source_ids(k)))
        .collect();
        Out {
            directory,
            view: directory.org(),
            options,
            export_id: export_id.to_string(),
            user,
            now: caseledger_service::local_time_in(
                &zone,
                caseledger_core::Timestamp::from_datetime(chrono::Utc::now()),
            )
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
            zone,
            files: BTreeMap::new(),
            disclosures: Vec::new(),
            sources,
            organizations: BTreeSet::new(),
            projects: BTreeSet::new(),
            users: BTreeSet::new(),
            hashed: BTreeMap::new(),
            unhashed: false,
        }
    }

    /// The exporting system's id of a record imported from it, else caseledger's.
    fn id(&self, kind: SourceKind, id: u128, fallback: impl FnOnce() -> String) -> String {
        self.sources
            .get(&kind)
            .and_then(|s| s.get(&id))
            .cloned()
            .unwrap_or_else(fallback)
    }

    /// Stamps `row` with when its record was first recorded and last changed here, in the
    /// CoC's time zone (HUD's timeliness measures read them); the export's time when unknown.
    fn recorded(
        &self,
        row: &mut HashMap<&'static str, String>,
        times: Option<(caseledger_core::Timestamp, caseledger_core::Timestamp)>,
    ) {
        if let Some((first, last)) = times {
            let local = |at| {
                caseledger_service::local_time_in(&self.zone, at)
                    .format("%Y-%m-%d %H:%M:%S")
                    .to_string()
            };
            row.insert("DateCreated", local(first));
            row.insert("DateUpdated", local(last));
        }
    }

    /// A row with the columns every file but Export.csv and User.csv ends with.
    fn row(&self, user: Option<UserId>) -> HashMap<&'static str, String> {
        let mut row = HashMap::new();
        row.insert("DateCreated", self.now.clone());
        row.insert("DateUpdated", self.now.clone());
        if let Some(user) = user {
            row.insert("UserID", user.to_string());
        }
        row.insert("ExportID", self.export_id.clone());
        row
    }

    fn push(&mut self, file: &'static str, row: HashMap<&'static str, String>) {
        self.files.entry(file).or_default().push(row);
    }

    /// Writes a record's own row of `file` as recorded beyond the typed fields (`rows`: the
    /// record's element rows, as its view answered them): its HUD elements, and the source
    /// system's stamp over `DateCreated`, `DateUpdated` and `UserID`.
    fn kept(&self, rows: &[ElementRow], file: HudFile, row: &mut HashMap<&'static str, String>) {
        for e in rows {
            if e.file == file && e.row_id.is_none() {
                write_elements(self.options.specification, e, row);
            }
        }
    }

    /// The rows of their own that `subject` holds in `file` (a project's funders, an
    /// assessment's questions), each with `frame` (the columns naming its record) and its id.
    fn detail_rows(
        &mut self,
        rows: &[ElementRow],
        file: HudFile,
        frame: &[(&'static str, String)],
    ) {
        let spec = self.options.specification;
        let name = spec_file(file);
        let columns = spec.columns(name).unwrap_or(&[]);
        let id_column = column(columns, file.elements().next().map_or("", |e| e.column));
        for e in rows {
            let (true, Some(id)) = (e.file == file, e.row_id.as_ref()) else {
                continue;
            };
            let mut row = self.row(None);
            row.insert(id_column, id.clone());
            for (c, v) in frame {
                row.insert(c, v.clone());
            }
            write_elements(spec, e, &mut row);
            self.push(name, row);
        }
    }

    fn in_window(&self, entry: Date, exit: Option<Date>) -> bool {
        self.options.to.is_none_or(|to| entry <= to)
            && self
                .options
                .from
                .is_none_or(|from| exit.is_none_or(|x| x >= from))
    }

    fn collect(&mut self) {
        let windowed = self.options.from.is_some() || self.options.to.is_some();
        for client in self.view.visible_clients() {
            self.client(client, windowed);
        }
        if self.options.as_organization.is_none() {
            // The CoC's export lists every program; organizations come with their programs
            // (HUD's files have no place for an organization that runs none, such as the
            // CoC lead itself).
            for program in self.directory.catalog().programs() {
                self.projects.insert(program.id);
                self.organizations.insert(program.organization);
            }
        }
        if let Some(org) = self.options.as_organization {
            self.organizations.insert(org);
        }
        self.catalog();
        self.export_row();
    }

    fn client(&mut self, client: ClientId, windowed: bool) {
        let Some(summary) = self.view.client(client) else {
            return;
        };
        let transactions = self.view.transactions(client, None);
        let personal_id = self.id(SourceKind::Client, client.as_u128(), || client.to_string());
        let mut disclosed = Vec::new();
        let mut enrollments: HashMap<u128, (String, Option<Date>, Date)> = HashMap::new();
        // Enrollments first: services and assessments belong to one that is exported.
        for t in transactions
            .iter()
            .filter(|t| t.kind == RecordKind::Enrollment)
        {
            let Some(read) = EnrollmentEvents::of(&t.events) else {
                continue;
            };
            let (e, exit, move_in) = (read.enrolled, read.exit, read.move_in);
            if !self.in_window(e.entry_date, exit.map(|x| x.exit_date)) {
                continue;
            }
            let enrollment_id =
                self.id(SourceKind::Enrollment, t.id, || e.enrollment_id.to_string());
            let household = match e.household_id {
                Some(h) => self.id(SourceKind::Household, h.as_u128(), || h.to_string()),
                // HUD gives every enrollment a household; one enrolled alone has its own.
                None => format!("H-{enrollment_id}"),
            };
            let program = self.directory.catalog().program(e.program_id).cloned();
            let Some(program) = program else { continue };
            self.projects.insert(program.id);
            self.organizations.insert(program.organization);
            self.users.insert(e.owner.user);
            let mut row = self.row(Some(e.owner.user));
            self.recorded(&mut row, t.times);
            row.insert("EnrollmentID", enrollment_id.clone());
            row.insert("PersonalID", personal_id.clone());
            row.insert(
                "ProjectID",
                self.id(SourceKind::Project, program.id.as_u128(), || {
                    program.id.to_string()
                }),
            );
            row.insert("EntryDate", e.entry_date.to_string());
            row.insert("HouseholdID", household);
            row.insert(
                "RelationshipToHoH",
                e.relationship_to_hoh.code().to_string(),
            );
            row.insert(
                "EnrollmentCoC",
                e.enrollment_coc.clone().unwrap_or_default(),
            );
            row.insert(
                "LivingSituation",
                code(e.living_situation.map(|l| l.code())),
            );
            row.insert(
                "RentalSubsidyType",
                code(e.rental_subsidy_type.map(|r| r.code())),
            );
            row.insert(
                "DisablingCondition",
                e.disabling_condition.code().to_string(),
            );
            row.insert(
                "MoveInDate",
                move_in.map(|d| d.to_string()).unwrap_or_default(),
            );
            self.kept(&t.elements, HudFile::Enrollment, &mut row);
            self.push("Enrollment.csv", row);
            disclosed.push(record(
                RecordKind::Enrollment,
                t.id,
                "Enrollment.csv",
                t.access.reason,
            ));
            if let Some(x) = exit {
                let exited_by = t.exited_by.unwrap_or(e.owner.user);
                self.users.insert(exited_by);
                let mut row = self.row(Some(exited_by));
                self.recorded(&mut row, t.exit_times);
                row.insert(
                    "ExitID",
                    self.id(SourceKind::Exit, t.id, || format!("X-{enrollment_id}")),
                );
                row.insert("EnrollmentID", enrollment_id.clone());
                row.insert("PersonalID", personal_id.clone());
                row.insert("ExitDate", x.exit_date.to_string());
                row.insert("Destination", code(x.destination.map(|d| d.code())));
                row.insert(
                    "DestinationSubsidyType",
                    code(x.destination_subsidy_type.map(|d| d.code())),
                );
                row.insert(
                    "OtherDestination",
                    x.other_destination.as_clear().cloned().unwrap_or_default(),
                );
                self.kept(&t.elements, HudFile::Exit, &mut row);
                self.push("Exit.csv", row);
                disclosed.push(record(RecordKind::Exit, t.id, "Exit.csv", t.access.reason));
            }
            enrollments.insert(
                e.enrollment_id.as_u128(),
                (enrollment_id, exit.map(|x| x.exit_date), e.entry_date),
            );
        }
        if windowed && enrollments.is_empty() {
            return;
        }
        for t in &transactions {
            match t.events.first() {
                Some(Event::ServiceRecorded(s)) => {
                    let Some((enrollment, _, _)) =
                        s.enrollment_id.and_then(|e| enrollments.get(&e.as_u128()))
                    else {
                        continue;
                    };
                    self.users.insert(s.owner.user);
                    let mut row = self.row(Some(s.owner.user));
                    self.recorded(&mut row, t.times);
                    row.insert(
                        "ServicesID",
                        self.id(SourceKind::Service, t.id, || s.service_id.to_string()),
                    );
                    row.insert("EnrollmentID", enrollment.clone());
                    row.insert("PersonalID", personal_id.clone());
                    row.insert("DateProvided", s.date.to_string());
                    row.insert("RecordType", s.service_type.record_type.to_string());
                    row.insert("TypeProvided", s.service_type.type_provided.to_string());
                    row.insert(
                        "OtherTypeProvided",
                        s.description.as_clear().cloned().unwrap_or_default(),
                    );
                    self.kept(&t.elements, HudFile::Services, &mut row);
                    self.push("Services.csv", row);
                    disclosed.push(record(
                        RecordKind::Service,
                        t.id,
                        "Services.csv",
                        t.access.reason,
                    ));
                }
                Some(Event::AssessmentRecorded(a)) => {
                    let Some((enrollment, _, _)) =
                        a.enrollment_id.and_then(|e| enrollments.get(&e.as_u128()))
                    else {
                        continue;
                    };
                    let source = self.sources[&SourceKind::Assessment].get(&t.id).cloned();
                    let (file, id) = match source.as_deref().and_then(|s| s.split_once('/')) {
                        Some((stem, id)) if AnswerFile::from_stem(stem).is_some() => (
                            AnswerFile::from_stem(stem).expect("checked"),
                            id.to_string(),
                        ),
                        _ => match answer_file(a.kind, &a.answers) {
                            Some(file) => (file, a.assessment_id.to_string()),
                            None => continue,
                        },
                    };
                    debug_assert!(source.is_none_or(|s| s == answer_source_id(file, &id)));
                    let columns = self
                        .options
                        .specification
                        .columns(file.file())
                        .unwrap_or(&[]);
                    self.users.insert(a.owner.user);
                    let mut row = self.row(Some(a.owner.user));
                    self.recorded(&mut row, t.times);
                    let id_column = column(columns, file.id_column());
                    row.insert(id_column, id);
                    row.insert("EnrollmentID", enrollment.clone());
                    row.insert("PersonalID", personal_id.clone());
                    row.insert(column(columns, file.date_column()), a.date.to_string());
                    if columns.contains(&"DataCollectionStage") {
                        row.insert(
                            "DataCollectionStage",
                            code(a.data_collection_stage.map(|s| s.code())),
                        );
                    }
                    for answer in &a.answers {
                        let Some(c) = columns
                            .iter()
                            .find(|c| c.eq_ignore_ascii_case(&answer.item))
                        else {
                            continue;
                        };
                        if file.is_frame_column(c) {
                            continue;
                        }
                        row.insert(c, typed_text(file.hud_file(), c, &answer.value));
                    }
                    self.kept(&t.elements, file.hud_file(), &mut row);
                    let assessment_id = row.get(id_column).cloned().unwrap_or_default();
                    self.push(file.file(), row);
                    if file == AnswerFile::Assessment {
                        let frame = [
                            ("AssessmentID", assessment_id),
                            ("EnrollmentID", enrollment.clone()),
                            ("PersonalID", personal_id.clone()),
                        ];
                        self.detail_rows(&t.elements, HudFile::AssessmentQuestions, &frame);
                        self.detail_rows(&t.elements, HudFile::AssessmentResults, &frame);
                    }
                    disclosed.push(record(
                        RecordKind::Assessment,
                        t.id,
                        file.file(),
                        t.access.reason,
                    ));
                }
                _ => {}
            }
        }
        let intake = &summary.intake;
        if intake.hash_status == HashStatus::Unhashed {
            self.unhashed = true;
        } else {
            let at = self.files.get("Client.csv").map_or(0, Vec::len);
            self.hashed.entry(intake.hash_status).or_default().push(at);
        }
        // HUD's UserID of a client is whoever recorded the intake (the exporting user where the
        // views do not know).
        let recorded_by = summary.recorded_by.unwrap_or(self.user);
        self.users.insert(recorded_by);
        let mut row = self.row(Some(recorded_by));
        self.recorded(&mut row, summary.times);
        let name = intake.name.as_clear().cloned().unwrap_or_default();
        row.insert("PersonalID", personal_id);
        row.insert("FirstName", name.first);
        row.insert("MiddleName", name.middle);
        row.insert("LastName", name.last);
        row.insert("NameSuffix", name.suffix);
        row.insert(
            "NameDataQuality",
            intake.name_data_quality.code().to_string(),
        );
        row.insert("SSN", intake.ssn.as_clear().cloned().unwrap_or_default());
        row.insert("SSNDataQuality", intake.ssn_data_quality.code().to_string());
        row.insert(
            "DOB",
            intake
                .dob
                .as_clear()
                .copied()
                .flatten()
                .map(|d| d.to_string())
                .unwrap_or_default(),
        );
        row.insert("DOBDataQuality", intake.dob_data_quality.code().to_string());
        row.insert("Sex", code(intake.sex.map(|s| s.code())));
        for race in RaceEthnicity::ALL {
            let set = intake.race_ethnicity.contains(race);
            row.insert(race.csv_column(), u8::from(set).to_string());
        }
        // FY2024's columns; the writer takes those of the specification exported.
        row.insert(
            "HispanicLatinaeo",
            u8::from(
                intake
                    .race_ethnicity
                    .contains(&RaceEthnicity::HispanicLatinao),
            )
            .to_string(),
        );
        for gender in Gender::ALL {
            let set = intake.genders.contains(gender);
            row.insert(gender.csv_column(), u8::from(set).to_string());
        }
        row.insert("GenderNone", code(intake.gender_none.map(|g| g.code())));
        row.insert(
            "DifferentIdentityText",
            intake
                .different_identity_text
                .as_clear()
                .cloned()
                .unwrap_or_default(),
        );
        row.insert("RaceNone", code(intake.race_none.map(|r| r.code())));
        row.insert(
            "AdditionalRaceEthnicity",
            intake
                .additional_race_ethnicity
                .as_clear()
                .cloned()
                .unwrap_or_default(),
        );
        row.insert("VeteranStatus", intake.veteran_status.code().to_string());
        self.kept(&summary.elements, HudFile::Client, &mut row);
        self.push("Client.csv", row);
        disclosed.insert(
            0,
            record(
                RecordKind::Intake,
                client.as_u128(),
                "Client.csv",
                summary.access.reason,
            ),
        );
        self.disclosures.push(ClientDisclosure {
            client_id: client,
            deliberate: true,
            records: disclosed,
        });
    }

    /// Organizations, projects and users the exported records name.
    fn catalog(&mut self) {
        let w = self.directory;
        for id in self.organizations.clone() {
            let Some(org) = w.organization(id) else {
                continue;
            };
            let mut row = self.row(Some(self.user));
            row.insert(
                "OrganizationID",
                self.id(SourceKind::Organization, id.as_u128(), || id.to_string()),
            );
            row.insert("OrganizationName", org.name.clone());
            row.insert(
                "VictimServiceProvider",
                u8::from(org.victim_service_provider).to_string(),
            );
            let rows = self.view.elements(ElementSubject::Organization(id));
            self.kept(&rows, HudFile::Organization, &mut row);
            self.push("Organization.csv", row);
        }
        for id in self.projects.clone() {
            let Some(program) = w.catalog().program(id).cloned() else {
                continue;
            };
            let mut row = self.row(Some(self.user));
            row.insert(
                "ProjectID",
                self.id(SourceKind::Project, id.as_u128(), || id.to_string()),
            );
            row.insert(
                "OrganizationID",
                self.id(
                    SourceKind::Organization,
                    program.organization.as_u128(),
                    || program.organization.to_string(),
                ),
            );
            row.insert("ProjectName", program.name.clone());
            row.insert("OperatingStartDate", program.operating.start.to_string());
            row.insert(
                "OperatingEndDate",
                program
                    .operating
                    .end
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            );
            row.insert("ContinuumProject", "1".into());
            row.insert("ProjectType", program.project_type.code().to_string());
            let rows = self.view.elements(ElementSubject::Program(id));
            self.kept(&rows, HudFile::Project, &mut row);
            let project_id = row.get("ProjectID").cloned().unwrap_or_default();
            self.push("Project.csv", row);
            for file in [
                HudFile::Funder,
                HudFile::ProjectCoC,
                HudFile::Inventory,
                HudFile::Affiliation,
                HudFile::HmisParticipation,
                HudFile::CeParticipation,
            ] {
                let frame = [("ProjectID", project_id.clone())];
                self.detail_rows(&rows, file, &frame);
            }
        }
        // Every user a row names: imported ones as the source system had them, caseledger's
        // own by their names here.
        self.users.insert(self.user);
        let mut named: BTreeSet<String> = self
            .files
            .values()
            .flatten()
            .filter_map(|r| r.get("UserID").cloned())
            .collect();
        let sources: HashMap<String, caseledger_core::events::ElementRow> = self
            .view
            .elements(ElementSubject::Coc)
            .into_iter()
            .filter(|e| e.file == HudFile::User)
            .filter_map(|e| Some((e.row_id.clone()?, e)))
            .collect();
        // The CoC's export lists every user the source system listed, as it did; an
        // organization's names only those its rows name.
        if self.options.as_organization.is_none() {
            named.extend(sources.keys().cloned());
        }
        for id in named {
            let mut row = self.row(None);
            row.insert("UserID", id.clone());
            if let Some(e) = sources.get(&id) {
                write_elements(self.options.specification, e, &mut row);
            } else if let Some(user) = self.users.iter().find(|u| u.to_string() == id) {
                let display = w.user_display_name(*user).unwrap_or_default();
                let (first, last) = display.split_once(' ').unwrap_or((display.as_str(), ""));
                row.insert("UserFirstName", first.to_string());
                row.insert("UserLastName", last.to_string());
            } else {
                continue;
            }
            self.push("User.csv", row);
        }
    }

    /// The export's `HashStatus`: one file says it for every client, so clients imported
    /// hashed keep their hashes only when every exported client is hashed the same way;
    /// otherwise the export is unhashed and their identifiers are left empty (a hash is never
    /// written where a name is declared).
    fn hash_status(&mut self) -> HashStatus {
        match (self.unhashed, self.hashed.len()) {
            (false, 1) => *self.hashed.keys().next().expect("one status"),
            (_, 0) => HashStatus::Unhashed,
            _ => {
                let rows: Vec<usize> = self.hashed.values().flatten().copied().collect();
                if let Some(clients) = self.files.get_mut("Client.csv") {
                    for i in rows {
                        for column in ["FirstName", "MiddleName", "LastName", "NameSuffix", "SSN"] {
                            clients[i].insert(column, String::new());
                        }
                    }
                }
                HashStatus::Unhashed
            }
        }
    }

    fn export_row(&mut self) {
        let w = self.directory;
        let lead = w
            .organizations()
            .into_iter()
            .find(|(_, o)| o.is_coc_lead)
            .map(|(id, o)| (id, o.name));
        // HUD SourceType: 1 a CoC's HMIS (SourceID its CoC code), 2 an agency-specific
        // database, 4 other — a CoC whose code was never set cannot claim 1.
        let (source_type, source_id, source_name) =
            match (self.options.as_organization, w.coc_code(), lead) {
                (Some(org), _, _) => (
                    2,
                    org.to_string(),
                    w.organization(org)
                        .map(|o| o.name.clone())
                        .unwrap_or_default(),
                ),
                (None, Some(code), lead) => {
                    (1, code.to_string(), lead.map(|l| l.1).unwrap_or_default())
                }
                (None, None, Some((id, name))) => (4, id.to_string(), name),
                (None, None, None) => (4, String::new(), String::new()),
            };
        let dates: Vec<Date> = self
            .files
            .get("Enrollment.csv")
            .into_iter()
            .flatten()
            .filter_map(|r| r.get("EntryDate")?.parse().ok())
            .collect();
        let start = self
            .options
            .from
            .or_else(|| dates.iter().min().copied())
            .unwrap_or(self.directory.today());
        let end = self.options.to.unwrap_or(self.directory.today());
        let mut row = HashMap::new();
        row.insert("ExportID", self.export_id.clone());
        row.insert("SourceType", source_type.to_string());
        row.insert("SourceID", source_id);
        row.insert("SourceName", source_name);
        row.insert("ExportDate", self.now.clone());
        row.insert("ExportStartDate", start.to_string());
        row.insert("ExportEndDate", end.to_string());
        row.insert("SoftwareName", "caseledger".into());
        row.insert("SoftwareVersion", env!("CARGO_PKG_VERSION").into());
        row.insert(
            "CSVVersion",
            self.options.specification.csv_version().into(),
        );
        // 3: a reporting period; 2: a full refresh (every record, not changes).
        row.insert("ExportPeriodType", "3".into());
        row.insert("ExportDirective", "2".into());
        row.insert("HashStatus", self.hash_status().code().to_string());
        row.insert(
            "ImplementationID",
            format!("caseledger-{}", lead_id(self.directory)),
        );
        self.push("Export.csv", row);
    }
}

fn lead_id(directory: &ExportView<'_>) -> String {
    directory
        .organizations()
        .into_iter()
        .find(|(_, o)| o.is_coc_lead)
        .map(|(id, _)| id.to_string())
        .unwrap_or_default()
}

/// The specification's spelling of `name` among `columns`.
fn column(columns: &'static [&'static str], name: &str) -> &'static str {
    columns
        .iter()
        .find(|c| c.eq_ignore_ascii_case(name))
        .copied()
        .unwrap_or("")
}

/// The file an assessment recorded here goes to, by its kind (imported ones keep their file).
fn answer_file(
    kind: AssessmentKind,
    answers: &[caseledger_core::events::AssessmentAnswer],
) -> Option<AnswerFile> {
    Some(match kind {
        AssessmentKind::IncomeBenefits => AnswerFile::IncomeBenefits,
        AssessmentKind::Health | AssessmentKind::DomesticViolence => AnswerFile::HealthAndDv,
        AssessmentKind::Disabilities => AnswerFile::Disabilities,
        AssessmentKind::EmploymentEducation => AnswerFile::EmploymentEducation,
        AssessmentKind::CurrentLivingSituation => AnswerFile::CurrentLivingSituation,
        AssessmentKind::CoordinatedEntry if answers.iter().any(|a| a.item == "Event") => {
            AnswerFile::Event
        }
        AssessmentKind::CoordinatedEntry => AnswerFile::Assessment,
        AssessmentKind::YouthEducationStatus => AnswerFile::YouthEducationStatus,
        AssessmentKind::General | AssessmentKind::SubstanceUse | AssessmentKind::Legal => {
            return None;
        }
    })
}

/// The specification's name of the file (`HealthAndDV.csv`).
fn spec_file(file: HudFile) -> &'static str {
    Specification::Fy2026
        .files()
        .iter()
        .map(|f| f.name)
        .find(|n| n.trim_end_matches(".csv") == file.stem())
        .unwrap_or("")
}

/// Writes an element row into `row`: each element FY2026 has, as HUD writes its type, and the
/// source stamp over the trailing columns.
fn write_elements(
    spec: Specification,
    e: &caseledger_core::events::ElementRow,
    row: &mut HashMap<&'static str, String>,
) {
    let columns = spec.columns(spec_file(e.file)).unwrap_or(&[]);
    for element in &e.elements {
        let Some(spec) = e.file.element(&element.column) else {
            continue;
        };
        let c = column(columns, spec.column);
        if c.is_empty() {
            continue;
        }
        row.insert(c, typed_text(e.file, spec.column, &element.value));
    }
    for blank in &e.blank {
        let c = column(columns, blank);
        if !c.is_empty() {
            row.insert(c, String::new());
        }
    }
    if let Some(stamp) = &e.source {
        row.insert(
            "DateCreated",
            stamp.created.map(|t| t.to_string()).unwrap_or_default(),
        );
        row.insert(
            "DateUpdated",
            stamp.updated.map(|t| t.to_string()).unwrap_or_default(),
        );
        if e.file != HudFile::User {
            row.insert("UserID", stamp.user_id.clone());
        }
    }
}

/// A value as HUD writes the column's type: an integer plainly, money with cents.
fn typed_text(file: HudFile, column: &str, value: &AnswerValue) -> String {
    match (value, file.element(column).map(|s| s.kind)) {
        (AnswerValue::Number(n), Some(ElementType::Integer)) => n.to_string(),
        (value, _) => answer_text(value),
    }
}

fn answer_text(value: &AnswerValue) -> String {
    match value {
        AnswerValue::Code(c) => c.to_string(),
        AnswerValue::Bool(b) => u8::from(*b).to_string(),
        AnswerValue::Number(cents) => {
            let sign = if *cents < 0 { "-" } else { "" };
            format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
        }
        AnswerValue::Date(d) => d.to_string(),
        AnswerValue::Text(t) => t.as_clear().cloned().unwrap_or_default(),
        AnswerValue::Plain(t) => t.clone(),
    }
}

fn code(value: Option<u16>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn record(
    kind: RecordKind,
    id: u128,
    file: &str,
    reason: Option<caseledger_core::AccessReason>,
) -> DisclosedRecord {
    DisclosedRecord {
        kind,
        record_id: id,
        fields: vec![file.to_string()],
        reason: reason.unwrap_or(caseledger_core::AccessReason::OwnOrganization),
    }
}

/// Writes every FY2026 file (empty ones with their header), rows sorted by their first
/// column so the same state exports the same bytes apart from the export's own id and time.
fn write_files(
    dir: &Path,
    files: &BTreeMap<&'static str, Rows>,
    specification: Specification,
) -> Result<Vec<(&'static str, usize)>, ExportError> {
    let io = |path: &Path, source: std::io::Error| ExportError::Io {
        path: path.display().to_string(),
        source,
    };
    // The files hold SSNs and names in clear: the folder 0700 (also one that existed) and
    // every file 0600, whatever the umask.
    caseledger_log_store::private::create_dir(dir).map_err(|e| io(dir, e))?;
    let mut counts = Vec::new();
    for spec in specification.files() {
        let path = dir.join(spec.name);
        let mut rows: Vec<Vec<String>> = files
            .get(spec.name)
            .into_iter()
            .flatten()
            .map(|row| {
                spec.columns
                    .iter()
                    .map(|c| row.get(c).cloned().unwrap_or_default())
                    .collect()
            })
            .collect();
        rows.sort();
        let file = caseledger_log_store::private::create_file(&path).map_err(|e| io(&path, e))?;
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(file);
        writer
            .write_record(spec.columns)
            .map_err(|e| io(&path, e.into()))?;
        for row in &rows {
            writer.write_record(row).map_err(|e| io(&path, e.into()))?;
        }
        writer.flush().map_err(|e| io(&path, e))?;
        counts.push((spec.name, rows.len()));
    }
    Ok(counts)
}
