//! HUD HMIS CSV import: an export's rows become commands — the same values the API builds —
//! decided by the service's own decisions, so an imported record is exactly what staff could
//! have recorded.
//!
//! The whole import is decided first, in one [`Batch`]: a private copy of the read models that
//! each decided command is folded into, so later rows see earlier ones (an enrollment its
//! client, an exit its enrollment). Only then is anything written, at the log head the copy was
//! taken at: nothing when a row was refused (unless partial imports are allowed) or on a dry
//! run. Records are keyed by the exporting system's ids: one already imported is left alone,
//! or — for a client whose values changed in a newer export — corrected with an intake edit.

mod keep;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use caseledger_core::commands::accounts::{CreateOrganization, CreateUser};
use caseledger_core::commands::care::{
    AddHouseholdMember, CreateHousehold, EnrollClient, ExitEnrollment, ImportedEnrollment,
    RecordAssessment, RecordService, SetMoveInDate,
};
use caseledger_core::commands::clients::EditClientIntake;
use caseledger_core::commands::setup::CreateProgram;
use caseledger_core::events::AssessmentAnswer;
use caseledger_core::hud::{DataQuality, ServiceTypeCode};
use caseledger_core::{
    Actor, AssessmentKind, ClientId, Date, DateWindow, EnrollmentId, HouseholdId, OrganizationId,
    ProgramId, Role, UserId,
};
use caseledger_hmis_csv::client::ClientRecord;
use caseledger_hmis_csv::records::{
    AnswerFile, AnswerRecord, Checked, EnrollmentRecord, ExitRecord, FileCounts,
};
use caseledger_hmis_csv::{CsvVersion, Reject};
use caseledger_projections::{Projections, SourceKind};
use caseledger_service::batch::{Batch, BatchError};
use caseledger_service::{
    Command, CommandError, ErrorCode, Service, check_full_ssn, new_id, ssn_digits,
};

/// How an import runs.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Check everything, write nothing.
    pub dry_run: bool,
    /// Write the valid rows even when others were refused.
    pub allow_partial: bool,
    /// Export `OrganizationID`s that are organizations already in caseledger (`--as-org-mapping`):
    /// their records are owned by the existing organization, which is not created again.
    pub organizations: BTreeMap<String, OrganizationId>,
}

/// What happened to one file's rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FileSummary {
    /// Data rows read.
    pub read: usize,
    /// Rows that became new records.
    pub imported: usize,
    /// Rows of records imported before whose values changed (written as corrections).
    pub updated: usize,
    /// Rows of records imported before, unchanged (nothing written).
    pub unchanged: usize,
    /// Rows the exporting system had deleted (`DateDeleted`), skipped.
    pub deleted: usize,
    /// Rows of files caseledger keeps nothing of (funders, inventory, ...).
    pub not_imported: usize,
    /// Rows refused (see the rejects).
    pub rejected: usize,
}

/// The outcome of an import.
#[derive(Debug, Clone)]
pub struct ImportReport {
    /// The export's `CSVVersion`.
    pub version: CsvVersion,
    /// Per file, in name order.
    pub files: BTreeMap<String, FileSummary>,
    /// Every refused row, with its place and rule.
    pub rejects: Vec<Reject>,
    /// Rows imported with a remark (a household without a single head, ...).
    pub remarks: Vec<Reject>,
    /// Events the import decided on (written when `written`).
    pub events: usize,
    /// Whether the events were written.
    pub written: bool,
}

/// Why an import could not run at all (refused rows are not errors: see the report).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The export could not be read.
    #[error(transparent)]
    Export(#[from] caseledger_hmis_csv::export::ExportError),
    /// Nobody to act as.
    #[error(
        "the data directory has no active system administrator (run `caseledger admin bootstrap` first)"
    )]
    NoAdministrator,
    /// An `--as-org-mapping` entry names no organization.
    #[error("the organization mapping names {0}, which is not an organization here")]
    UnknownOrganization(OrganizationId),
    /// Writing failed, or another writer appended while the import was written
    /// (`BatchError::Moved`: run the import again; what was written is not imported twice).
    #[error("the import could not be written: {0}")]
    Batch(#[from] BatchError),
    /// The checking task failed.
    #[error("the import could not be checked: {0}")]
    Check(String),
}

/// Stages the progress callback hears of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportStage {
    /// Rows turned into commands and checked.
    Deciding,
    /// Events written.
    Writing,
}

/// Imports the HMIS CSV export in `dir` (see the module documentation). `progress` hears
/// `(stage, done, total)`.
pub async fn import(
    service: &Service,
    dir: &Path,
    options: &ImportOptions,
    progress: &(dyn Fn(ImportStage, u64, u64) + Sync),
) -> Result<ImportReport, ImportError> {
    let reference_year = service.today().year();
    let dir = dir.to_path_buf();
    let (version, checked) = tokio::task::spawn_blocking(move || {
        caseledger_hmis_csv::records::check_export(&dir, reference_year)
    })
    .await
    .map_err(|e| ImportError::Check(e.to_string()))??;
    let batch = service.batch().await?;
    let admin = batch
        .administrator()
        .map(|s| s.actor())
        .ok_or(ImportError::NoAdministrator)?;
    for id in options.organizations.values() {
        if batch.state().write_model().organization(*id).is_none() {
            return Err(ImportError::UnknownOrganization(*id));
        }
    }
    let mut import = Import::new(batch, admin, &checked, options, version);
    import.run(progress);
    let Import {
        batch,
        files,
        mut rejects,
        mut remarks,
        ..
    } = import;
    let place = |r: &Reject| (r.file.clone(), r.line);
    rejects.sort_by_key(place);
    remarks.sort_by_key(place);
    let mut report = ImportReport {
        version,
        files,
        rejects,
        remarks,
        events: batch.len(),
        written: false,
    };
    if options.dry_run || batch.is_empty() {
        return Ok(report);
    }
    if !report.rejects.is_empty() && !options.allow_partial {
        return Ok(report);
    }
    batch
        .commit(&|done, total| progress(ImportStage::Writing, done, total))
        .await?;
    report.written = true;
    Ok(report)
}

/// One import being decided.
struct Import<'a, 's> {
    batch: Batch<'s>,
    admin: Actor,
    checked: &'a Checked,
    options: &'a ImportOptions,
    version: CsvVersion,
    files: BTreeMap<String, FileSummary>,
    rejects: Vec<Reject>,
    remarks: Vec<Reject>,
    organizations: HashMap<String, OrganizationId>,
    users: HashMap<(OrganizationId, String), Actor>,
    created_users: std::collections::HashSet<UserId>,
    programs: HashMap<String, (ProgramId, OrganizationId)>,
    clients: HashMap<String, ClientId>,
    /// Each client's date of birth as its row has it, for the finding of a record dated
    /// before it.
    born: HashMap<ClientId, Date>,
    enrollments: HashMap<String, (EnrollmentId, ClientId, OrganizationId)>,
    /// Records of the export that existed before this import, by kind and source id: a row
    /// of one that brings no elements, only a stamp, changes nothing (an export of
    /// caseledger's own records stamps them with the export's time).
    preexisting: std::collections::HashSet<(SourceKind, String)>,
}

/// How a row ended.
enum Outcome {
    Imported,
    Updated,
    Unchanged,
}

impl<'a, 's> Import<'a, 's> {
    fn new(
        batch: Batch<'s>,
        admin: Actor,
        checked: &'a Checked,
        options: &'a ImportOptions,
        version: CsvVersion,
    ) -> Self {
        let mut files: BTreeMap<String, FileSummary> = BTreeMap::new();
        for (file, counts) in &checked.counts {
            let FileCounts {
                read,
                deleted,
                rejected,
                accepted,
            } = *counts;
            let summary = files.entry(file.clone()).or_default();
            summary.read = read;
            summary.deleted = deleted;
            summary.rejected = rejected;
            if read > 0 && accepted + deleted + rejected == 0 {
                summary.not_imported = read;
            }
        }
        Import {
            batch,
            admin,
            checked,
            options,
            version,
            files,
            rejects: checked.rejects.clone(),
            remarks: checked.findings.clone(),
            organizations: HashMap::new(),
            users: HashMap::new(),
            created_users: std::collections::HashSet::new(),
            programs: HashMap::new(),
            clients: HashMap::new(),
            born: HashMap::new(),
            enrollments: HashMap::new(),
            preexisting: std::collections::HashSet::new(),
        }
    }

    /// Decides a command for `actor` against the batch's state (exactly as the service would
    /// decide it), so later rows see its events.
    fn command<C: Command>(
        &mut self,
        actor: Actor,
        command: &C,
    ) -> Result<C::Output, CommandError> {
        let session = self.batch.session_for(actor.user).ok_or_else(|| {
            CommandError::new(
                ErrorCode::Forbidden,
                format!(
                    "the account {} the row is attributed to is deactivated",
                    actor.user
                ),
            )
        })?;
        self.batch.decide(&session, command)
    }

    /// The state as decided so far.
    fn state(&self) -> &Projections {
        self.batch.state()
    }

    /// Counts a row's outcome, or records why a command refused it.
    fn settle(&mut self, file: &str, result: Result<Outcome, Reject>) {
        let summary = self.files.entry(file.to_string()).or_default();
        match result {
            Ok(Outcome::Imported) => summary.imported += 1,
            Ok(Outcome::Updated) => summary.updated += 1,
            Ok(Outcome::Unchanged) => summary.unchanged += 1,
            Err(reject) => {
                summary.rejected += 1;
                self.rejects.push(reject);
            }
        }
    }

    /// The data-quality finding of a record's `date` before its client's date of birth (HUD's
    /// data-quality report counts these; the record is imported as it came).
    fn before_birth(
        &self,
        client: ClientId,
        file: &str,
        line: u64,
        column: &str,
        date: Date,
    ) -> Option<Reject> {
        let dob = self.born.get(&client).filter(|dob| date < **dob)?;
        Some(Reject {
            file: file.into(),
            line,
            column: column.into(),
            value: date.to_string(),
            rule: format!("data quality: before the client's date of birth ({dob})"),
        })
    }

    fn existing(&self, kind: SourceKind, source: &str) -> Option<u128> {
        self.state().write_model().by_source(kind, source)
    }

    fn run(&mut self, progress: &(dyn Fn(ImportStage, u64, u64) + Sync)) {
        let c = self.checked;
        let total = (c.organizations.len()
            + c.projects.len()
            + c.clients.len()
            + c.enrollments.len()
            + c.exits.len()
            + c.services.len()
            + c.answers.len()) as u64;
        // About one event a row, and an element record for some: room made once, not grown.
        self.batch.reserve(total as usize + total as usize / 8);
        self.note_preexisting();
        let mut done = 0u64;
        let mut tick = |n: usize| {
            done += n as u64;
            progress(ImportStage::Deciding, done, total);
        };
        self.organizations();
        tick(c.organizations.len());
        self.projects();
        tick(c.projects.len());
        self.clients();
        tick(c.clients.len());
        self.enrollments();
        tick(c.enrollments.len() + c.exits.len());
        self.services();
        tick(c.services.len());
        self.answers();
        tick(c.answers.len());
        self.keep_elements();
        self.count_users();
    }

    /// Counts `User.csv`: a user gets an account in each organization whose records they
    /// touched (imported when one was created now, unchanged when all existed); a user none of
    /// whose records were imported gets none.
    fn count_users(&mut self) {
        let mut organizations: Vec<OrganizationId> = self.organizations.values().copied().collect();
        organizations.push(self.admin.organization);
        let mut summary = FileSummary::default();
        for source in self.checked.users.keys() {
            let accounts: Vec<bool> = organizations
                .iter()
                .filter_map(|o| {
                    let id = self
                        .state()
                        .write_model()
                        .user_named(&self.username(*o, source))?;
                    Some(self.created_users.contains(&id))
                })
                .collect();
            if accounts.is_empty() {
                summary.not_imported += 1;
            } else if accounts.contains(&true) {
                summary.imported += 1;
            } else {
                summary.unchanged += 1;
            }
        }
        let users = self.files.entry("User.csv".to_string()).or_default();
        users.imported = summary.imported;
        users.unchanged = summary.unchanged;
        users.not_imported = summary.not_imported;
    }

    fn organizations(&mut self) {
        let checked = self.checked;
        for (source, o) in &checked.organizations {
            let result = if let Some(id) = self.options.organizations.get(source) {
                self.organizations.insert(source.clone(), *id);
                Ok(Outcome::Unchanged)
            } else if let Some(id) = self.existing(SourceKind::Organization, source) {
                self.organizations
                    .insert(source.clone(), OrganizationId::new(id));
                Ok(Outcome::Unchanged)
            } else {
                let id: OrganizationId = new_id();
                let command = CreateOrganization {
                    organization_id: id,
                    name: o.name.clone(),
                    victim_service_provider: o.victim_service_provider,
                    source_id: Some(source.clone()),
                };
                self.command(self.admin, &command)
                    .map(|()| {
                        self.organizations.insert(source.clone(), id);
                        Outcome::Imported
                    })
                    .map_err(|e| {
                        command_reject("Organization.csv", o.line, "OrganizationID", source, &e)
                    })
            };
            self.settle("Organization.csv", result);
        }
    }

    /// The username of the imported account of user `source` in `organization`.
    fn username(&self, organization: OrganizationId, source: &str) -> String {
        let org_source = self
            .organizations
            .iter()
            .find(|(_, id)| **id == organization)
            .map_or_else(|| organization.to_string(), |(s, _)| s.clone());
        let mut username: String = format!("hmis.{org_source}.{source}")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        username.truncate(64);
        username
    }

    /// The imported account of the exporting system's user `source` in `organization`
    /// (created on first use, no token: nobody signs in as it until an administrator issues
    /// one). Records with no known user are attributed to the organization's `import` account.
    fn user(&mut self, organization: OrganizationId, source: &str) -> Result<Actor, CommandError> {
        let source = if self.checked.users.contains_key(source) {
            source
        } else {
            "import"
        };
        if let Some(actor) = self.users.get(&(organization, source.to_string())) {
            return Ok(*actor);
        }
        let username = self.username(organization, source);
        let id = match self.state().write_model().user_named(&username) {
            Some(id) => id,
            None => {
                let id: UserId = new_id();
                let display_name = self
                    .checked
                    .users
                    .get(source)
                    .map(|u| u.name.clone())
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| format!("HMIS CSV import ({source})"));
                let command = CreateUser {
                    user_id: id,
                    organization_id: organization,
                    username,
                    display_name,
                    role: Role::CaseManager,
                };
                self.command(self.admin, &command)?;
                self.created_users.insert(id);
                id
            }
        };
        let actor = Actor {
            user: id,
            organization,
            role: Role::CaseManager,
        };
        self.users.insert((organization, source.to_string()), actor);
        Ok(actor)
    }

    fn projects(&mut self) {
        // A program without an operating start starts with its earliest enrollment.
        let mut earliest: HashMap<&str, caseledger_core::Date> = HashMap::new();
        let checked = self.checked;
        for e in checked.enrollments.values() {
            let d = earliest.entry(e.project_id.as_str()).or_insert(e.entry);
            *d = (*d).min(e.entry);
        }
        for (source, project) in &checked.projects {
            let Some(&organization) = self.organizations.get(&project.organization_id) else {
                let reject = not_imported(
                    "Project.csv",
                    project.line,
                    "OrganizationID",
                    &project.organization_id,
                    "organization",
                );
                self.settle("Project.csv", Err(reject));
                continue;
            };
            let result = if let Some(id) = self.existing(SourceKind::Project, source) {
                self.programs
                    .insert(source.clone(), (ProgramId::new(id), organization));
                Ok(Outcome::Unchanged)
            } else {
                let start = project
                    .operating_start
                    .or_else(|| earliest.get(source.as_str()).copied());
                match start {
                    None => Err(Reject {
                        file: "Project.csv".into(),
                        line: project.line,
                        column: "OperatingStartDate".into(),
                        value: String::new(),
                        rule: "required (and no enrollment to start the program with)".into(),
                    }),
                    Some(start) => {
                        let id: ProgramId = new_id();
                        let command = CreateProgram {
                            id,
                            organization,
                            name: project.name.clone(),
                            project_type: project.project_type,
                            operating: Some(DateWindow {
                                start,
                                end: project.operating_end,
                            }),
                            source_id: Some(source.clone()),
                        };
                        self.command(self.admin, &command)
                            .map(|()| {
                                self.programs.insert(source.clone(), (id, organization));
                                Outcome::Imported
                            })
                            .map_err(|e| {
                                command_reject("Project.csv", project.line, "ProjectID", source, &e)
                            })
                    }
                }
            };
            self.settle("Project.csv", result);
        }
    }

    /// The organization that owns a client's intake: the one running the project of the
    /// client's earliest enrollment; the CoC lead for a client never enrolled.
    fn client_owners(&self) -> HashMap<&'a str, OrganizationId> {
        let mut first: HashMap<&'a str, &'a EnrollmentRecord> = HashMap::new();
        for e in self.checked.enrollments.values() {
            let slot = first.entry(e.personal_id.as_str()).or_insert(e);
            if (e.entry, e.line) < (slot.entry, slot.line) {
                *slot = e;
            }
        }
        first
            .into_iter()
            .filter_map(|(client, e)| Some((client, self.programs.get(&e.project_id)?.1)))
            .collect()
    }

    fn clients(&mut self) {
        let owners = self.client_owners();
        let checked = self.checked;
        for (source, c) in &checked.clients {
            let result = self.client(c, owners.get(source.as_str()).copied());
            self.settle("Client.csv", result);
        }
    }

    fn client(
        &mut self,
        c: &ClientRecord,
        owner: Option<OrganizationId>,
    ) -> Result<Outcome, Reject> {
        self.note_findings(c);
        let born = c.intake().dob;
        let reject = |e: &CommandError| {
            let (column, value) = client_column(e, c);
            command_reject("Client.csv", c.line, column, &value, e)
        };
        if let Some(id) = self.existing(SourceKind::Client, &c.personal_id) {
            // A client merged away since it was imported: its rows are the survivor's records,
            // and its intake is history (an export's row never overwrites the survivor's).
            let client = self.state().write_model().resolved(ClientId::new(id));
            self.clients.insert(c.personal_id.clone(), client);
            self.born.extend(born.map(|d| (client, d)));
            if client.as_u128() != id {
                return Ok(Outcome::Unchanged);
            }
            let w = self.state().write_model();
            if w.forgotten(client) {
                return Ok(Outcome::Unchanged);
            }
            let (Some(intake), Some(creator)) = (w.intake(client), w.client_creator(client)) else {
                return Ok(Outcome::Unchanged);
            };
            let edit = intake_changes(client, intake, c, self.version);
            if edit == EditClientIntake::new(client) {
                return Ok(Outcome::Unchanged);
            }
            let edit = EditClientIntake {
                imported: true,
                ..edit
            };
            let actor = self.user(creator, &c.user_id).map_err(|e| reject(&e))?;
            self.command(actor, &edit).map_err(|e| reject(&e))?;
            return Ok(Outcome::Updated);
        }
        let organization = owner.unwrap_or(self.admin.organization);
        let actor = self
            .user(organization, &c.user_id)
            .map_err(|e| reject(&e))?;
        let id: ClientId = new_id();
        self.command(actor, &c.intake_as(id))
            .map_err(|e| reject(&e))?;
        self.clients.insert(c.personal_id.clone(), id);
        self.born.extend(born.map(|d| (id, d)));
        Ok(Outcome::Imported)
    }

    /// Notes each data-quality finding of a client row as a remark, the way HUD's data
    /// quality report counts them: a value its quality code disowns (an SSN or a date of birth
    /// under "data not collected"), a quality that claims a value the row lacks, a "full" SSN
    /// the SSA never issues. The row is imported as it is: codes are never changed, since HUD's
    /// reports count exactly these.
    fn note_findings(&mut self, c: &ClientRecord) {
        let mut finding = |column: &str, value: &str, rule: String| {
            self.remarks.push(Reject {
                file: "Client.csv".into(),
                line: c.line,
                column: column.into(),
                value: value.into(),
                rule,
            });
        };
        if let Ok(digits) = ssn_digits(&c.intake().ssn)
            && !digits.is_empty()
        {
            let why = match c.intake().ssn_data_quality {
                DataQuality::Full => check_full_ssn(&digits).err().map(|e| e.message),
                q if !reported(q) => Some(format!(
                    "an SSN under SSNDataQuality {} ({})",
                    q.code(),
                    quality_words(q)
                )),
                _ => None,
            };
            if let Some(why) = why {
                finding("SSN", &c.intake().ssn, format!("data quality: {why}"));
            }
        } else if c.intake().ssn.is_empty() && reported(c.intake().ssn_data_quality) {
            finding(
                "SSNDataQuality",
                &c.intake().ssn_data_quality.code().to_string(),
                "data quality: no SSN under a full or partial SSNDataQuality".into(),
            );
        }
        match (c.intake().dob, reported(c.intake().dob_data_quality)) {
            (Some(dob), false) => finding(
                "DOB",
                &dob.to_string(),
                format!(
                    "data quality: a date of birth under DOBDataQuality {} ({})",
                    c.intake().dob_data_quality.code(),
                    quality_words(c.intake().dob_data_quality)
                ),
            ),
            (None, true) => finding(
                "DOBDataQuality",
                &c.intake().dob_data_quality.code().to_string(),
                "data quality: no date of birth under a full or approximate DOBDataQuality".into(),
            ),
            _ => {}
        }
        match (c.intake().race_ethnicity.is_empty(), c.intake().race_none) {
            (false, Some(none)) => finding(
                "RaceNone",
                &none.code().to_string(),
                "data quality: RaceNone beside a race or ethnicity".into(),
            ),
            (true, None) => finding(
                "RaceNone",
                "",
                "data quality: no race or ethnicity and no RaceNone".into(),
            ),
            _ => {}
        }
        let named =
            !c.intake().name.first.trim().is_empty() || !c.intake().name.last.trim().is_empty();
        if !named && reported(c.intake().name_data_quality) {
            finding(
                "NameDataQuality",
                &c.intake().name_data_quality.code().to_string(),
                "data quality: no name under a full or partial NameDataQuality".into(),
            );
        }
    }

    fn enrollments(&mut self) {
        let checked = self.checked;
        // HUD households group enrollments of one project; the domain's household has exactly
        // one head. A group with one head becomes a household; any other group's enrollments
        // come alone, with a remark.
        let mut groups: BTreeMap<(&str, &str), Vec<&EnrollmentRecord>> = BTreeMap::new();
        for e in checked.enrollments.values() {
            let key = if e.household_id.is_empty() {
                (e.project_id.as_str(), e.id.as_str())
            } else {
                (e.project_id.as_str(), e.household_id.as_str())
            };
            groups.entry(key).or_default().push(e);
        }
        let mut ordered: Vec<(caseledger_core::Date, Vec<&EnrollmentRecord>, bool)> = groups
            .into_values()
            .map(|mut members| {
                let heads = members.iter().filter(|e| is_head(e)).count();
                members.sort_by_key(|e| (!is_head(e), e.entry, e.line));
                let first = members
                    .iter()
                    .map(|e| e.entry)
                    .min()
                    .expect("a group has members");
                (first, members, heads == 1)
            })
            .collect();
        ordered.sort_by_key(|(first, members, _)| (*first, members[0].line));
        for (_, members, one_head) in ordered {
            let household = if one_head && members.len() > 1 {
                let formed = self.household(&members);
                if formed.is_none() {
                    self.household_remark(
                        members[0],
                        "the household could not be formed (its head's client was not imported): its members were imported without a household".into(),
                    );
                }
                formed
            } else {
                if members.len() > 1 || !is_head(members[0]) {
                    let heads = members.iter().filter(|e| is_head(e)).count();
                    self.household_remark(
                        members[0],
                        format!(
                            "the household has {} enrollment(s) and {heads} head(s) of household: each enrollment was imported without a household",
                            members.len()
                        ),
                    );
                }
                None
            };
            // Every member is enrolled before any exit is filed: HUD lets members join after
            // their head of household has left, which a head already exited would refuse.
            for e in &members {
                let result = self.enrollment(e, household);
                self.settle("Enrollment.csv", result);
            }
            let mut exits: Vec<(&EnrollmentRecord, &ExitRecord)> = members
                .iter()
                .filter_map(|e| Some((*e, checked.exits.get(&e.id)?)))
                .collect();
            exits.sort_by_key(|(_, x)| (x.exit, x.line));
            for (e, x) in exits {
                let result = self.exit(e, x);
                self.settle("Exit.csv", result);
            }
        }
    }

    /// Notes how a household of the export was imported.
    fn household_remark(&mut self, e: &EnrollmentRecord, rule: String) {
        self.remarks.push(enrollment_remark(
            e,
            "HouseholdID",
            e.household_id.clone(),
            rule,
        ));
    }

    /// Forms (or finds) the household of a group with one head; `None` when that fails (the
    /// members are then refused with the household's reason through their enrollments).
    fn household(&mut self, members: &[&EnrollmentRecord]) -> Option<HouseholdId> {
        let head = members[0];
        let source = &head.household_id;
        let (&client, &(_, organization)) = (
            self.clients.get(&head.personal_id)?,
            self.programs.get(&head.project_id)?,
        );
        let actor = self.user(organization, &head.user_id).ok()?;
        let id = match self.existing(SourceKind::Household, source) {
            Some(id) => HouseholdId::new(id),
            None => {
                let id: HouseholdId = new_id();
                let date = members.iter().map(|e| e.entry).min();
                let command = CreateHousehold {
                    id,
                    head: client,
                    date,
                    source_id: Some(source.clone()),
                };
                self.command(actor, &command).ok()?;
                id
            }
        };
        for e in &members[1..] {
            let Some(&member) = self.clients.get(&e.personal_id) else {
                continue;
            };
            let known = self
                .state()
                .write_model()
                .household(id)
                .is_some_and(|h| h.members.iter().any(|m| m.client == member));
            if !known {
                let command = AddHouseholdMember {
                    household: id,
                    client: member,
                    relationship: e.relationship,
                    joined: Some(e.entry),
                };
                // A member refused stays out of the household; their enrollment then says why.
                let _ = self.command(actor, &command);
            }
        }
        Some(id)
    }

    fn enrollment(
        &mut self,
        e: &EnrollmentRecord,
        household: Option<HouseholdId>,
    ) -> Result<Outcome, Reject> {
        let Some(&client) = self.clients.get(&e.personal_id) else {
            return Err(not_imported(
                "Enrollment.csv",
                e.line,
                "PersonalID",
                &e.personal_id,
                "client",
            ));
        };
        let Some(&(program, organization)) = self.programs.get(&e.project_id) else {
            return Err(not_imported(
                "Enrollment.csv",
                e.line,
                "ProjectID",
                &e.project_id,
                "project",
            ));
        };
        if let Some(id) = self.existing(SourceKind::Enrollment, &e.id) {
            let id = EnrollmentId::new(id);
            self.enrollments
                .insert(e.id.clone(), (id, client, organization));
            // A newer export may carry a move-in date set (or changed) since.
            let move_in = self
                .state()
                .write_model()
                .enrollment(id)
                .map(|(_, f)| f.move_in);
            if move_in.is_none_or(|m| m == e.move_in) {
                return Ok(Outcome::Unchanged);
            }
            let reject = |err: &CommandError| {
                let value = e.move_in.map(|d| d.to_string()).unwrap_or_default();
                command_reject("Enrollment.csv", e.line, "MoveInDate", &value, err)
            };
            let actor = self
                .user(organization, &e.user_id)
                .map_err(|err| reject(&err))?;
            let command = SetMoveInDate {
                enrollment: id,
                move_in_date: e.move_in,
            };
            self.command(actor, &command).map_err(|err| reject(&err))?;
            return Ok(Outcome::Updated);
        }
        let reject = |err: &CommandError| {
            let (column, value) = enrollment_column(err, e);
            command_reject("Enrollment.csv", e.line, column, &value, err)
        };
        let actor = self
            .user(organization, &e.user_id)
            .map_err(|err| reject(&err))?;
        // What HUD's data-quality report counts is imported as it came and noted, once the
        // enrollment is.
        let mut findings: Vec<Reject> = [("EntryDate", Some(e.entry)), ("MoveInDate", e.move_in)]
            .into_iter()
            .filter_map(|(column, date)| {
                self.before_birth(client, "Enrollment.csv", e.line, column, date?)
            })
            .collect();
        let operating = self
            .state()
            .write_model()
            .catalog()
            .program(program)
            .is_some_and(|p| p.operating.contains(e.entry));
        if !operating {
            findings.push(enrollment_remark(
                e,
                "EntryDate",
                e.entry.to_string(),
                "data quality: the project is not operating on the entry date",
            ));
        }
        let overlap = self
            .state()
            .org_view(actor)
            .overlapping_enrollment(client, program, e.entry);
        if overlap.is_some() {
            findings.push(enrollment_remark(
                e,
                "EntryDate",
                e.entry.to_string(),
                "data quality: the client is already enrolled in this project on that date",
            ));
        }
        let id: EnrollmentId = new_id();
        let command = EnrollClient {
            id,
            client,
            program,
            entry_date: e.entry,
            household,
            relationship: e.relationship,
            living_situation: e.living_situation,
            rental_subsidy_type: e.rental_subsidy_type,
            disabling_condition: e.disabling_condition,
            enrollment_coc: e.enrollment_coc.clone(),
            move_in_date: e.move_in,
            case_manager: None,
            restriction: None,
            imported: Some(ImportedEnrollment {
                source_id: e.id.clone(),
                headless_household: household.is_none(),
            }),
        };
        self.command(actor, &command).map_err(|err| reject(&err))?;
        self.remarks.append(&mut findings);
        self.enrollments
            .insert(e.id.clone(), (id, client, organization));
        Ok(Outcome::Imported)
    }

    fn exit(
        &mut self,
        e: &EnrollmentRecord,
        x: &caseledger_hmis_csv::records::ExitRecord,
    ) -> Result<Outcome, Reject> {
        let Some(&(enrollment, _, organization)) = self.enrollments.get(&e.id) else {
            return Err(not_imported(
                "Exit.csv",
                x.line,
                "EnrollmentID",
                &e.id,
                "enrollment",
            ));
        };
        let exited = self
            .state()
            .write_model()
            .enrollment(enrollment)
            .is_some_and(|(_, f)| f.exit.is_some());
        if exited {
            return Ok(Outcome::Unchanged);
        }
        let reject = |err: &CommandError| {
            let column = if err.field.as_deref() == Some("exitDate") {
                "ExitDate"
            } else {
                "ExitID"
            };
            let value = if column == "ExitDate" {
                x.exit.to_string()
            } else {
                x.id.clone()
            };
            command_reject("Exit.csv", x.line, column, &value, err)
        };
        let actor = self
            .user(organization, &x.user_id)
            .map_err(|err| reject(&err))?;
        let command = ExitEnrollment {
            enrollment,
            exit_date: x.exit,
            destination: x.destination,
            destination_subsidy_type: x.destination_subsidy_type,
            other_destination: x.other_destination.clone(),
            whole_household: false,
            source_id: Some(x.id.clone()),
        };
        self.command(actor, &command).map_err(|err| reject(&err))?;
        let client = self.enrollments[&e.id].1;
        let finding = self.before_birth(client, "Exit.csv", x.line, "ExitDate", x.exit);
        self.remarks.extend(finding);
        Ok(Outcome::Imported)
    }

    fn services(&mut self) {
        let checked = self.checked;
        for s in &checked.services {
            let result = (|| {
                let Some(&(enrollment, client, organization)) =
                    self.enrollments.get(&s.enrollment_id)
                else {
                    return Err(not_imported(
                        "Services.csv",
                        s.line,
                        "EnrollmentID",
                        &s.enrollment_id,
                        "enrollment",
                    ));
                };
                if self.existing(SourceKind::Service, &s.id).is_some() {
                    return Ok(Outcome::Unchanged);
                }
                let reject = |err: &CommandError| {
                    let (column, value) = match err.field.as_deref() {
                        Some("date") => ("DateProvided", s.date.to_string()),
                        Some("description") => ("OtherTypeProvided", s.other.clone()),
                        _ => ("ServicesID", s.id.clone()),
                    };
                    command_reject("Services.csv", s.line, column, &value, err)
                };
                let actor = self
                    .user(organization, &s.user_id)
                    .map_err(|e| reject(&e))?;
                let command = RecordService {
                    id: new_id(),
                    client,
                    enrollment: Some(enrollment),
                    date: s.date,
                    service_type: ServiceTypeCode {
                        record_type: s.record_type,
                        type_provided: s.type_provided,
                    },
                    description: s.other.clone(),
                    restriction: None,
                    source_id: Some(s.id.clone()),
                };
                self.command(actor, &command).map_err(|e| reject(&e))?;
                let finding =
                    self.before_birth(client, "Services.csv", s.line, "DateProvided", s.date);
                self.remarks.extend(finding);
                Ok(Outcome::Imported)
            })();
            self.settle("Services.csv", result);
        }
    }

    fn answers(&mut self) {
        let checked = self.checked;
        for a in &checked.answers {
            let result = self.answer(a);
            self.settle(a.file.file(), result);
        }
    }

    fn answer(&mut self, a: &AnswerRecord) -> Result<Outcome, Reject> {
        let file = a.file.file();
        let Some(&(enrollment, client, organization)) = self.enrollments.get(&a.enrollment_id)
        else {
            return Err(not_imported(
                file,
                a.line,
                "EnrollmentID",
                &a.enrollment_id,
                "enrollment",
            ));
        };
        let source = answer_source_id(a.file, &a.id);
        if self.existing(SourceKind::Assessment, &source).is_some() {
            return Ok(Outcome::Unchanged);
        }
        let reject = |err: &CommandError| {
            let (column, value) = match err.field.as_deref() {
                Some("date") => (a.file.date_column(), a.date.to_string()),
                _ => (a.file.id_column(), a.id.clone()),
            };
            command_reject(file, a.line, column, &value, err)
        };
        let actor = self
            .user(organization, &a.user_id)
            .map_err(|e| reject(&e))?;
        let command = RecordAssessment {
            id: new_id(),
            client,
            enrollment: Some(enrollment),
            date: a.date,
            kind: answer_kind(a.file),
            stage: a.stage,
            answers: a
                .kept
                .elements
                .iter()
                .map(|e| AssessmentAnswer {
                    item: e.column.clone(),
                    value: e.value.clone(),
                })
                .collect(),
            restriction: None,
            source_id: Some(source),
        };
        self.command(actor, &command).map_err(|e| reject(&e))?;
        let finding = self.before_birth(client, file, a.line, a.file.date_column(), a.date);
        self.remarks.extend(finding);
        Ok(Outcome::Imported)
    }
}

fn is_head(e: &EnrollmentRecord) -> bool {
    e.relationship == caseledger_core::hud::RelationshipToHoH::SelfHeadOfHousehold
}

/// The source id an assessment-like row is kept under: its file and its id, since ids are
/// unique only within a file.
pub fn answer_source_id(file: AnswerFile, id: &str) -> String {
    format!("{}/{id}", file.stem())
}

/// The kind of assessment a file's rows become (it decides their default restriction).
pub fn answer_kind(file: AnswerFile) -> AssessmentKind {
    match file {
        AnswerFile::IncomeBenefits => AssessmentKind::IncomeBenefits,
        // Health and domestic violence share the file; the stricter kind keeps DV answers safe.
        AnswerFile::HealthAndDv => AssessmentKind::DomesticViolence,
        AnswerFile::Disabilities => AssessmentKind::Disabilities,
        AnswerFile::EmploymentEducation => AssessmentKind::EmploymentEducation,
        AnswerFile::CurrentLivingSituation => AssessmentKind::CurrentLivingSituation,
        AnswerFile::Assessment | AnswerFile::Event => AssessmentKind::CoordinatedEntry,
        AnswerFile::YouthEducationStatus => AssessmentKind::YouthEducationStatus,
    }
}

/// A row refused because a command's rule refused it.
fn command_reject(file: &str, line: u64, column: &str, value: &str, e: &CommandError) -> Reject {
    Reject {
        file: file.to_string(),
        line,
        column: column.to_string(),
        value: value.to_string(),
        rule: format!("{}: {}", e.code.as_str(), e.message),
    }
}

/// A row refused because the record it names was itself refused.
fn not_imported(file: &str, line: u64, column: &str, value: &str, what: &str) -> Reject {
    Reject {
        file: file.to_string(),
        line,
        column: column.to_string(),
        value: value.to_string(),
        rule: format!("the {what} was not imported (see its own reject)"),
    }
}

/// The `Client.csv` column a command's field names, with the row's value there.
fn client_column(e: &CommandError, c: &ClientRecord) -> (&'static str, String) {
    let date = |d: Option<caseledger_core::Date>| d.map(|d| d.to_string()).unwrap_or_default();
    match e.field.as_deref() {
        Some("firstName") => ("FirstName", c.intake().name.first.clone()),
        Some("middleName") => ("MiddleName", c.intake().name.middle.clone()),
        Some("lastName") => ("LastName", c.intake().name.last.clone()),
        Some("nameSuffix") => ("NameSuffix", c.intake().name.suffix.clone()),
        Some("ssn") => ("SSN", c.intake().ssn.clone()),
        Some("dob") => ("DOB", date(c.intake().dob)),
        Some("raceEthnicity" | "raceNone") => (
            "RaceNone",
            c.intake()
                .race_none
                .map(|r| r.code().to_string())
                .unwrap_or_default(),
        ),
        Some("additionalRaceEthnicity") => (
            "AdditionalRaceEthnicity",
            c.intake().additional_race_ethnicity.clone(),
        ),
        Some("differentIdentityText") => (
            "DifferentIdentityText",
            c.intake().different_identity_text.clone(),
        ),
        _ => ("PersonalID", c.personal_id.clone()),
    }
}

/// Whether a data quality says the value was given.
fn reported(quality: DataQuality) -> bool {
    matches!(quality, DataQuality::Full | DataQuality::Partial)
}

/// The `Enrollment.csv` column a command's field names, with the row's value there.
fn enrollment_column(e: &CommandError, r: &EnrollmentRecord) -> (&'static str, String) {
    match e.field.as_deref() {
        Some("entryDate") => ("EntryDate", r.entry.to_string()),
        Some("moveInDate") => (
            "MoveInDate",
            r.move_in.map(|d| d.to_string()).unwrap_or_default(),
        ),
        Some("enrollmentCoc") => (
            "EnrollmentCoC",
            r.enrollment_coc.clone().unwrap_or_default(),
        ),
        Some("relationshipToHoH") => ("RelationshipToHoH", r.relationship.code().to_string()),
        Some("householdId") => ("HouseholdID", r.household_id.clone()),
        Some("clientId") => ("PersonalID", r.personal_id.clone()),
        Some("programId") => ("ProjectID", r.project_id.clone()),
        _ => ("EnrollmentID", r.id.clone()),
    }
}

/// The intake edit that makes `current` say what the export's row says (empty when equal).
/// Fields the export's version has no column for are left as they are: an FY2026 export
/// carries no FY2024 gender, an FY2024 export no sex.
fn intake_changes(
    client: ClientId,
    current: &caseledger_core::events::ClientIntakeRecorded,
    c: &ClientRecord,
    version: CsvVersion,
) -> EditClientIntake {
    let fy2026 = matches!(version, CsvVersion::Fy2026 { .. });
    let mut edit = EditClientIntake::new(client);
    if current.name.as_clear() != Some(&c.intake().name) {
        edit = edit.with_name(c.intake().name.clone());
    }
    if current.name_data_quality != c.intake().name_data_quality {
        edit.name_data_quality = Some(c.intake().name_data_quality);
    }
    if current.ssn.as_clear().map(String::as_str) != Some(c.intake().ssn.as_str()) {
        edit.ssn = Some(c.intake().ssn.clone());
    }
    if current.ssn_data_quality != c.intake().ssn_data_quality {
        edit.ssn_data_quality = Some(c.intake().ssn_data_quality);
    }
    if current.dob.as_clear() != Some(&c.intake().dob) {
        edit.dob = Some(c.intake().dob);
    }
    if current.dob_data_quality != c.intake().dob_data_quality {
        edit.dob_data_quality = Some(c.intake().dob_data_quality);
    }
    if current.race_ethnicity != c.intake().race_ethnicity {
        edit.race_ethnicity = Some(c.intake().race_ethnicity.clone());
    }
    if current.race_none != c.intake().race_none {
        edit.race_none = Some(c.intake().race_none);
    }
    if current.additional_race_ethnicity.as_clear() != Some(&c.intake().additional_race_ethnicity) {
        edit.additional_race_ethnicity = Some(c.intake().additional_race_ethnicity.clone());
    }
    if fy2026 && current.sex != c.intake().sex {
        edit.sex = Some(c.intake().sex);
    }
    if !fy2026 && current.genders != c.intake().genders {
        edit.genders = Some(c.intake().genders.clone());
    }
    if !fy2026 && current.gender_none != c.intake().gender_none {
        edit.gender_none = Some(c.intake().gender_none);
    }
    if !fy2026
        && current.different_identity_text.as_clear() != Some(&c.intake().different_identity_text)
    {
        edit.different_identity_text = Some(c.intake().different_identity_text.clone());
    }
    if current.veteran_status != c.intake().veteran_status {
        edit.veteran_status = Some(c.intake().veteran_status);
    }
    edit
}

/// HUD's words for a data-quality code, as a finding names it.
fn quality_words(q: DataQuality) -> &'static str {
    match q {
        DataQuality::Full => "full",
        DataQuality::Partial => "partial or approximate",
        DataQuality::ClientDoesntKnow => "client doesn't know",
        DataQuality::ClientPrefersNotToAnswer => "client prefers not to answer",
        DataQuality::DataNotCollected => "data not collected",
    }
}

/// A remark on `column` of an `Enrollment.csv` row.
fn enrollment_remark(
    e: &EnrollmentRecord,
    column: &str,
    value: String,
    rule: impl Into<String>,
) -> Reject {
    Reject {
        file: "Enrollment.csv".into(),
        line: e.line,
        column: column.into(),
        value,
        rule: rule.into(),
    }
}
