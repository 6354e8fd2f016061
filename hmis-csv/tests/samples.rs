//! The sample exports in `../shared/hmis-csv/` (read from there, never copied): versions are
//! detected, every file reads with as many rows as a plain CSV count finds, and `Client.csv`
//! maps to intake values — including the messy FY2026 file.

use std::path::{Path, PathBuf};

use caseledger_hmis_csv::client::read_clients;
use caseledger_hmis_csv::{CsvVersion, ExportDir};

fn samples() -> PathBuf {
    caseledger_hmis_csv::samples::dir()
}

fn count_records(path: &Path) -> usize {
    caseledger_hmis_csv::samples::count_records(path)
}

#[test]
fn every_sample_names_its_version_and_every_file_reads_whole() {
    let expected = [
        ("fy2024-small", CsvVersion::Fy2024 { minor: 4 }),
        ("fy2024-bom", CsvVersion::Fy2024 { minor: 3 }),
        ("fy2026-enrollments", CsvVersion::Fy2026 { minor: 0 }),
        ("fy2026-validation", CsvVersion::Fy2026 { minor: 0 }),
        ("fy2026-bad-data", CsvVersion::Fy2026 { minor: 0 }),
    ];
    for (name, version) in expected {
        let dir = samples().join(name);
        let export = ExportDir::open(&dir).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(export.version, version, "{name}");
        for entry in std::fs::read_dir(&dir).expect("dir").flatten() {
            let file = entry.file_name().to_string_lossy().into_owned();
            let table = export.table(&file).expect("reads").expect("exists");
            assert_eq!(
                table.rows.len(),
                count_records(&entry.path()),
                "{name}/{file}"
            );
            assert!(
                table
                    .headers
                    .iter()
                    .all(|h| !h.starts_with('\u{feff}') && !h.starts_with('"')),
                "{name}/{file}: {:?}",
                table.headers
            );
        }
    }
}

#[test]
fn the_messy_fy2026_clients_all_read_with_their_last_names_and_two_digit_years() {
    let export = ExportDir::open(&samples().join("fy2026-bad-data")).expect("opens");
    let table = export.table("Client.csv").expect("reads").expect("exists");
    let read = read_clients(&table, export.version, export.hash_status, 2026);
    let (clients, rejects) = (read.clients, read.rejects);
    assert_eq!(rejects, vec![]);
    assert_eq!(clients.len(), 134);
    assert!(
        clients.iter().all(|c| !c.intake().name.last.is_empty()),
        "every client has a last name"
    );
    let dob = |text: &str| {
        clients
            .iter()
            .filter(|c| c.intake().dob.map(|d| d.to_string()).as_deref() == Some(text))
            .count()
    };
    assert_eq!(dob("2020-06-17"), 1, "17-JUN-20");
    assert_eq!(dob("1967-05-08"), 1, "08-MAY-67");
    assert!(
        clients.iter().all(|c| c.updated.is_some()),
        "US-style DateUpdated values read"
    );
}

#[test]
fn fy2024_gender_columns_and_fy2026_sex_map_to_the_domain() {
    let export = ExportDir::open(&samples().join("fy2024-small")).expect("opens");
    let table = export.table("Client.csv").expect("reads").expect("exists");
    let read = read_clients(&table, export.version, export.hash_status, 2026);
    let (clients, rejects) = (read.clients, read.rejects);
    assert_eq!(rejects, vec![]);
    assert_eq!(
        clients.len(),
        count_records(&samples().join("fy2024-small/Client.csv"))
    );
    let fake = clients
        .iter()
        .find(|c| c.personal_id == "114450")
        .expect("client 114450");
    assert_eq!(fake.intake().name.last, "Fake");
    assert_eq!(fake.intake().ssn, "123456789");
    assert_eq!(
        fake.intake().dob.map(|d| d.to_string()).as_deref(),
        Some("1975-01-01")
    );
    assert_eq!(
        fake.intake().genders,
        vec![caseledger_core::hud::Gender::Man]
    );
    assert_eq!(
        fake.intake().race_ethnicity,
        vec![caseledger_core::hud::RaceEthnicity::White]
    );
    assert_eq!(fake.intake().sex, None);

    let export = ExportDir::open(&samples().join("fy2026-validation")).expect("opens");
    let table = export.table("Client.csv").expect("reads").expect("exists");
    let clients = read_clients(&table, export.version, export.hash_status, 2026).clients;
    assert!(clients.iter().all(|c| c.intake().genders.is_empty()));
}

#[test]
fn bad_values_are_reported_with_file_line_column_value_and_rule() {
    let dir = tempfile_dir();
    std::fs::write(
        dir.join("Export.csv"),
        "ExportID,CSVVersion\r\n1,2026 v1.0\r\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("Client.csv"),
        "\u{feff}PersonalID,FirstName,LastName,NameDataQuality,SSN,SSNDataQuality,DOB,DOBDataQuality,Sex,VeteranStatus,DateCreated,DateUpdated,UserID,DateDeleted,ExportID,Extra\r\n\
         1,Ana,Lopez,1,123456789,1,1980-02-30,1,0,0,2020-01-01 10:00:00,2020-01-01 10:00:00,u,,1,x\r\n\
         2,Ben,\"Okafor, Jr\",7,12345,1,1990-01-01,1,3,0,2020-01-01,2020-01-01,u,,1,x\r\n\
         3,Cy,Ruiz,1,,,,99,1,1,2020-01-01,2020-01-01,u,,1,x\r\n\
         4,Di,Chen,1,,99,not a date,99,1,1,2020-01-01,2020-01-01,u,2021-01-01,1,x\r\n",
    )
    .expect("write");
    let export = ExportDir::open(&dir).expect("opens");
    let table = export.table("Client.csv").expect("reads").expect("exists");
    let caseledger_hmis_csv::client::ClientsRead {
        clients,
        rejects,
        deleted,
    } = read_clients(&table, export.version, export.hash_status, 2026);
    let shown: Vec<String> = rejects.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        vec![
            "Client.csv:2 DOB=\"1980-02-30\": not a date (YYYY-MM-DD, DD-MON-YY or M/D/YYYY)",
            "Client.csv:3 NameDataQuality=\"7\": not a HUD NameDataQuality code",
            "Client.csv:3 Sex=\"3\": not a HUD Sex code",
        ]
    );
    assert_eq!(clients.len(), 1);
    assert_eq!(
        clients[0].intake().ssn_data_quality,
        caseledger_core::hud::DataQuality::DataNotCollected,
        "an empty data quality reads as 99"
    );
    assert_eq!(
        deleted, 1,
        "a deleted row is set aside, not refused for its bad DOB"
    );
    std::fs::remove_dir_all(&dir).expect("clean up");
}

fn tempfile_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hmis-csv-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn every_sample_checks_with_counts_that_add_up_to_the_files() {
    for name in [
        "fy2024-small",
        "fy2024-bom",
        "fy2026-enrollments",
        "fy2026-validation",
        "fy2026-bad-data",
    ] {
        let dir = samples().join(name);
        let (_, checked) = caseledger_hmis_csv::records::check_export(&dir, 2026)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        for file in [
            "Organization.csv",
            "Project.csv",
            "Client.csv",
            "Enrollment.csv",
            "Exit.csv",
        ] {
            let counts = checked.counts.get(file).copied().unwrap_or_default();
            let path = dir.join(file);
            let records = if path.exists() {
                count_records(&path)
            } else {
                0
            };
            assert_eq!(counts.read, records, "{name}/{file}");
            assert_eq!(
                counts.accepted + counts.deleted + counts.rejected,
                counts.read,
                "{name}/{file}: {counts:?}"
            );
        }
        assert_eq!(
            checked.clients.len(),
            checked.counts["Client.csv"].accepted,
            "{name}"
        );
        // Whatever was refused says where and why.
        for reject in &checked.rejects {
            assert!(
                reject.line >= 2 && !reject.rule.is_empty(),
                "{name}: {reject}"
            );
        }
    }
    let (_, checked) =
        caseledger_hmis_csv::records::check_export(&samples().join("fy2026-bad-data"), 2026)
            .expect("checks");
    assert_eq!(checked.clients.len(), 134);
}

#[test]
fn broken_references_and_an_exit_before_entry_are_refused_precisely() {
    let dir = std::env::temp_dir().join(format!("hmis-csv-refs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let files = [
        ("Export.csv", "ExportID,CSVVersion\n1,2026 v1.0\n"),
        (
            "Organization.csv",
            "OrganizationID,OrganizationName,VictimServiceProvider,DateDeleted\nO1,Shelter Inc,0,\n",
        ),
        (
            "Project.csv",
            "ProjectID,OrganizationID,ProjectName,OperatingStartDate,OperatingEndDate,ProjectType,DateDeleted\nP1,O1,Shelter,2020-01-01,,0,\nP2,O9,Ghost,2020-01-01,,0,\n",
        ),
        (
            "Client.csv",
            "PersonalID,FirstName,LastName,NameDataQuality,SSNDataQuality,DOBDataQuality,VeteranStatus,DateDeleted\nC1,Ana,Lopez,1,99,99,0,\nC2,Ben,Okafor,1,99,99,0,2021-01-01 00:00:00\n",
        ),
        (
            "Enrollment.csv",
            "EnrollmentID,PersonalID,ProjectID,EntryDate,HouseholdID,RelationshipToHoH,DateDeleted\nE1,C1,P1,2021-03-01,H1,1,\nE2,C2,P1,2021-03-01,H2,1,\nE3,C1,P1,2021-13-01,H3,1,\n",
        ),
        (
            "Exit.csv",
            "ExitID,EnrollmentID,PersonalID,ExitDate,Destination,DateDeleted\nX1,E1,C1,2021-02-01,101,\nX2,E9,C1,2021-04-01,101,\n",
        ),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("write");
    }
    let (_, checked) = caseledger_hmis_csv::records::check_export(&dir, 2026).expect("checks");
    let shown: Vec<String> = checked.rejects.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        vec![
            "Project.csv:3 OrganizationID=\"O9\": no such organization in Organization.csv",
            "Enrollment.csv:3 PersonalID=\"C2\": no such client in Client.csv",
            "Enrollment.csv:4 EntryDate=\"2021-13-01\": not a date (YYYY-MM-DD, DD-MON-YY or M/D/YYYY)",
            "Exit.csv:2 ExitDate=\"2021-02-01\": exit before entry (2021-03-01)",
            "Exit.csv:3 EnrollmentID=\"E9\": no such enrollment in Enrollment.csv",
        ]
    );
    assert_eq!(
        checked.counts["Client.csv"].deleted, 1,
        "the deleted client is set aside"
    );
    assert_eq!(checked.enrollments.keys().collect::<Vec<_>>(), vec!["E1"]);
    assert!(checked.exits.is_empty());
    std::fs::remove_dir_all(&dir).expect("clean up");
}
