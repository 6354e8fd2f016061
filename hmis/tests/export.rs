//! HUD HMIS CSV export: FY2026 headers exactly as the specification (and as HUD's sample
//! exports write them), a round trip that keeps the domain state, and an organization's export
//! that holds only what it may see — recorded as a disclosure.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use caseledger_core::events::ElementSubject;
use caseledger_core::{ClientRestriction, Event, SharingPolicy};
use caseledger_hmis::{ExportOptions, ImportOptions};
use caseledger_hmis_csv::samples;
use caseledger_hmis_csv::spec::FY2026_FILES;
use caseledger_service::{Service, ServiceConfig};

async fn bootstrapped(dir: &Path, policy: SharingPolicy) -> Service {
    let mut config = ServiceConfig::new(dir);
    config.today = Some("2026-11-23".parse().unwrap());
    let service = Service::open(&config).unwrap();
    service.start();
    service
        .bootstrap(policy, "CoC lead", "admin")
        .await
        .unwrap();
    service
}

fn policy() -> SharingPolicy {
    SharingPolicy::clienttrack("America/Los_Angeles")
}

async fn import(service: &Service, dir: &Path) -> caseledger_hmis::ImportReport {
    let options = ImportOptions {
        allow_partial: true,
        ..ImportOptions::default()
    };
    caseledger_hmis::import(service, dir, &options, &|_, _, _| {})
        .await
        .unwrap()
}

fn header(path: &Path) -> Vec<String> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    reader
        .headers()
        .unwrap()
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_string())
        .collect()
}

/// A file's rows as sorted lists of (column, value), leaving out what differs between any two
/// exports of the same state: the export's id and time, and users' ids.
fn rows(path: &Path) -> Vec<Vec<(String, String)>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    let mut rows: Vec<Vec<(String, String)>> = reader
        .records()
        .map(|r| {
            headers
                .iter()
                .zip(r.unwrap().iter())
                .filter(|(h, _)| {
                    !matches!(*h, "ExportID" | "DateCreated" | "DateUpdated" | "UserID")
                })
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect();
    rows.sort();
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_file_has_the_fy2026_columns_in_order_as_hud_samples_write_them() {
    let work = tempfile::tempdir().unwrap();
    let service = bootstrapped(&work.path().join("data"), policy()).await;
    import(&service, &samples::dir().join("fy2024-small")).await;
    let out = work.path().join("export");
    caseledger_hmis::export(&service, &out, &ExportOptions::default())
        .await
        .unwrap();
    let hud = samples::dir().join("fy2026-validation");
    let mut files = BTreeSet::new();
    for entry in std::fs::read_dir(&out).unwrap() {
        files.insert(entry.unwrap().file_name().to_string_lossy().to_string());
    }
    let expected: BTreeSet<String> = FY2026_FILES.iter().map(|f| f.name.to_string()).collect();
    assert_eq!(
        files, expected,
        "one file per specification file, nothing else"
    );
    for spec in FY2026_FILES {
        let written = header(&out.join(spec.name));
        assert_eq!(written, spec.columns, "{}", spec.name);
        // HUD's own sample export: same columns in the same order (two differ in case only:
        // the sample writes `Zip` and `WorkPlaceViolenceThreats`).
        let sample = header(&hud.join(spec.name));
        assert_eq!(written.len(), sample.len(), "{}", spec.name);
        for (w, s) in written.iter().zip(&sample) {
            assert!(w.eq_ignore_ascii_case(s), "{}: {w} vs {s}", spec.name);
        }
    }
    let export = rows(&out.join("Export.csv"));
    assert!(export[0].contains(&("CSVVersion".into(), "2026 v1.0".into())));
    service.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_export_import_gives_the_same_state_and_the_export_re_imports_as_nothing_new() {
    let work = tempfile::tempdir().unwrap();
    let first = bootstrapped(&work.path().join("a"), policy()).await;
    import(&first, &samples::dir().join("fy2024-small")).await;
    let e1 = work.path().join("e1");
    caseledger_hmis::export(&first, &e1, &ExportOptions::default())
        .await
        .unwrap();

    // The export names the records by the ids they were imported with: nothing new.
    let head = first.head().position;
    let again = import(&first, &e1).await;
    assert!(again.rejects.is_empty(), "{:#?}", again.rejects);
    let written: Vec<_> = first
        .read_log(head + 1, 100)
        .unwrap()
        .into_iter()
        .map(|s| match s.envelope.event {
            caseledger_core::Event::HudElementsRecorded(e) => {
                format!("{:?}", e.rows.iter().map(|r| r.file).collect::<Vec<_>>())
            }
            other => format!("{:?}", other.event_type()),
        })
        .collect();
    assert!(!again.written, "{written:?}");
    assert_eq!(first.head().position, head);
    first.shutdown().await;

    let second = bootstrapped(&work.path().join("b"), policy()).await;
    let report = import(&second, &e1).await;
    assert!(report.rejects.is_empty(), "{:#?}", report.rejects);
    let e2 = work.path().join("e2");
    caseledger_hmis::export(&second, &e2, &ExportOptions::default())
        .await
        .unwrap();
    for spec in FY2026_FILES {
        if matches!(spec.name, "Export.csv" | "User.csv") {
            continue;
        }
        assert_eq!(
            rows(&e1.join(spec.name)),
            rows(&e2.join(spec.name)),
            "{}",
            spec.name
        );
    }
    let users = |dir: &Path| -> Vec<String> {
        let mut names: Vec<String> = rows(&dir.join("User.csv"))
            .into_iter()
            .map(|r| format!("{r:?}"))
            .collect();
        names.sort();
        names
    };
    assert_eq!(users(&e1).len(), users(&e2).len());
    second.shutdown().await;
}

/// An export of two agencies, each with a program and one client enrolled in it; Harbor
/// House's client exited on 2024-02-20.
fn two_agencies(work: &Path) -> std::path::PathBuf {
    let export = work.join("in");
    std::fs::create_dir_all(&export).unwrap();
    for (name, text) in [
        ("Export.csv", "ExportID,CSVVersion\n1,2026 v1.0\n"),
        (
            "Organization.csv",
            "OrganizationID,OrganizationName,VictimServiceProvider\nO1,Harbor House,0\nO2,Valley Aid,0\n",
        ),
        (
            "Project.csv",
            "ProjectID,OrganizationID,ProjectName,OperatingStartDate,ProjectType\nP1,O1,Harbor Shelter,2020-01-01,1\nP2,O2,Valley RRH,2020-01-01,13\n",
        ),
        (
            "Client.csv",
            "PersonalID,FirstName,LastName,NameDataQuality,SSNDataQuality,DOB,DOBDataQuality,White,VeteranStatus\nC1,Ana,Rivera,1,99,1990-04-02,1,1,0\nC2,Ben,Okafor,1,99,1985-09-30,1,1,0\n",
        ),
        (
            "Enrollment.csv",
            "EnrollmentID,PersonalID,ProjectID,EntryDate,HouseholdID,RelationshipToHoH\nE1,C1,P1,2024-02-01,H1,1\nE2,C2,P2,2024-03-01,H2,1\n",
        ),
    ] {
        std::fs::write(export.join(name), text).unwrap();
    }
    std::fs::write(
        export.join("Exit.csv"),
        "ExitID,EnrollmentID,PersonalID,ExitDate,Destination\nX1,E1,C1,2024-02-20,410\n",
    )
    .unwrap();
    export
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organizations_export_holds_only_what_it_may_see_and_is_recorded_as_a_disclosure() {
    let work = tempfile::tempdir().unwrap();
    let mut restricted = policy();
    restricted.default_client_restriction = ClientRestriction::RestrictToOrganization;
    let service = bootstrapped(&work.path().join("data"), restricted).await;
    let export = two_agencies(work.path());
    let report = import(&service, &export).await;
    assert!(report.rejects.is_empty(), "{:#?}", report.rejects);
    let harbor = service
        .organizations()
        .into_iter()
        .find(|(_, o)| o.name == "Harbor House")
        .unwrap()
        .0;
    let head = service.head().position;
    let out = work.path().join("out");
    let written = caseledger_hmis::export(
        &service,
        &out,
        &ExportOptions {
            as_organization: Some(harbor),
            ..ExportOptions::default()
        },
    )
    .await
    .unwrap();
    let column = |file: &str, name: &str| -> Vec<String> {
        rows(&out.join(file))
            .into_iter()
            .filter_map(|r| r.into_iter().find(|(c, _)| c == name).map(|(_, v)| v))
            .collect()
    };
    assert_eq!(
        column("Client.csv", "PersonalID"),
        ["C1"],
        "its own client only"
    );
    assert_eq!(column("Client.csv", "LastName"), ["Rivera"]);
    assert_eq!(column("Enrollment.csv", "EnrollmentID"), ["E1"]);
    assert_eq!(
        column("Project.csv", "ProjectName"),
        ["Harbor Shelter"],
        "only programs of exported enrollments"
    );
    assert_eq!(written.disclosure_position, head + 1);
    let recorded = service.read_log(head + 1, 10).unwrap();
    assert_eq!(recorded.len(), 1);
    let Event::RecordsAccessed(access) = &recorded[0].envelope.event else {
        panic!("a disclosure record")
    };
    assert_eq!(access.operation, "exportHmis");
    assert_eq!(recorded[0].envelope.actor.organization, harbor);
    assert_eq!(access.clients.len(), 1, "one client disclosed");
    let kinds: Vec<_> = access.clients[0].records.iter().map(|r| r.kind).collect();
    assert_eq!(
        kinds,
        vec![
            caseledger_core::RecordKind::Intake,
            caseledger_core::RecordKind::Enrollment,
            caseledger_core::RecordKind::Exit
        ]
    );
    service.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_date_window_keeps_the_enrollments_active_in_it_with_their_clients() {
    let work = tempfile::tempdir().unwrap();
    let service = bootstrapped(&work.path().join("data"), policy()).await;
    let export = two_agencies(work.path());
    assert!(import(&service, &export).await.rejects.is_empty());
    let window = |from: &str, to: &str| ExportOptions {
        from: Some(from.parse().unwrap()),
        to: Some(to.parse().unwrap()),
        ..ExportOptions::default()
    };
    let personal_ids = |dir: &Path| -> Vec<String> {
        rows(&dir.join("Client.csv"))
            .into_iter()
            .filter_map(|r| {
                r.into_iter()
                    .find(|(c, _)| c == "PersonalID")
                    .map(|(_, v)| v)
            })
            .collect()
    };
    for (from, to, expected) in [
        ("2024-02-25", "2024-12-31", vec!["C2"]),
        ("2024-01-01", "2024-02-15", vec!["C1"]),
        ("2024-02-20", "2024-03-01", vec!["C1", "C2"]),
        ("2023-01-01", "2023-12-31", vec![]),
    ] {
        let out = work.path().join(format!("out-{from}-{to}"));
        caseledger_hmis::export(&service, &out, &window(from, to))
            .await
            .unwrap();
        assert_eq!(personal_ids(&out), expected, "{from}..{to}");
        let exits = rows(&out.join("Exit.csv")).len();
        assert_eq!(exits, usize::from(expected.contains(&"C1")), "{from}..{to}");
        let export = rows(&out.join("Export.csv"));
        assert!(export[0].contains(&("ExportStartDate".into(), from.into())));
        assert!(export[0].contains(&("ExportEndDate".into(), to.into())));
    }
    service.shutdown().await;
}

/// `Export.csv` says who exported, as HUD's specification has it: a CoC's HMIS (SourceType 1)
/// names itself by its CoC code, so a CoC whose code was never set exports as "other" (4).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_export_row_names_the_coc_by_its_hud_code_once_set() {
    let work = tempfile::tempdir().unwrap();
    let service = bootstrapped(&work.path().join("data"), policy()).await;
    let source = |out: &Path| {
        let row = rows(&out.join("Export.csv")).remove(0);
        let get = |c: &str| row.iter().find(|(k, _)| k == c).unwrap().1.clone();
        (get("SourceType"), get("SourceID"))
    };
    let before = work.path().join("before");
    caseledger_hmis::export(&service, &before, &ExportOptions::default())
        .await
        .unwrap();
    assert_eq!(source(&before).0, "4");

    let admin = admin_session(&service);
    let set = caseledger_core::commands::setup::SetCocCode {
        code: "CA-502".into(),
    };
    service.run(&admin, &set).await.unwrap();
    let after = work.path().join("after");
    caseledger_hmis::export(&service, &after, &ExportOptions::default())
        .await
        .unwrap();
    assert_eq!(source(&after), ("1".to_string(), "CA-502".to_string()));
    service.shutdown().await;
}

/// A file's rows as maps of column to value, keyed by the value of `key`.
fn keyed(path: &Path, key: &str) -> HashMap<String, HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let row: HashMap<String, String> = headers
                .iter()
                .zip(r.unwrap().iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect();
            (row[key].clone(), row)
        })
        .collect()
}

/// A record recorded here exports who recorded it and when it was first recorded and last
/// changed, in the CoC's time zone, as the log has them: HUD's timeliness measures read
/// `DateCreated` and `DateUpdated`, and `UserID` names the recording user — not the export's
/// time or the exporting administrator.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_recorded_here_export_who_recorded_them_and_when() {
    let work = tempfile::tempdir().unwrap();
    let mut config = ServiceConfig::new(work.path().join("data"));
    config.today = Some("2026-11-23".parse().unwrap());
    let service = Service::open(&config).unwrap();
    service.start();
    caseledger_fixtures::demo::load(&service).await.unwrap();
    let zone = service.time_zone();
    let local = |at| {
        caseledger_service::local_time_in(&zone, at)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    };
    // The log's account: (who, first recorded, last changed) per client, enrollment and exit.
    type Stamp = (String, String, String);
    let (mut clients, mut enrollments, mut exits) = (
        HashMap::<String, Stamp>::new(),
        HashMap::new(),
        HashMap::new(),
    );
    let stamp = |seen: &mut HashMap<String, Stamp>, id: String, user: String, at: String| {
        seen.entry(id)
            .and_modify(|s| s.2 = at.clone())
            .or_insert((user, at.clone(), at));
    };
    let changed = |seen: &mut HashMap<String, Stamp>, id: String, at: String| {
        if let Some(s) = seen.get_mut(&id) {
            s.2 = at;
        }
    };
    for stored in service.read_log(1, 1_000_000).unwrap() {
        let header = stored.envelope.header();
        let (user, at) = (header.actor.user.to_string(), local(header.recorded_at));
        match &stored.envelope.event {
            Event::ClientIntakeRecorded(i) => {
                stamp(&mut clients, i.client_id.to_string(), user, at)
            }
            Event::ClientEnrolled(e) => {
                stamp(&mut enrollments, e.enrollment_id.to_string(), user, at)
            }
            Event::EnrollmentExited(x) => {
                let id = x.enrollment_id.to_string();
                stamp(&mut enrollments, id.clone(), String::new(), at.clone());
                stamp(&mut exits, id, user, at);
            }
            // Later changes to a record move its DateUpdated too (the demo's events straddle
            // a second now and then, so leaving these out made the test depend on timing).
            Event::ClientIntakeEdited(e) => changed(&mut clients, e.client_id.to_string(), at),
            Event::ClientAddressUpdated(a) => changed(&mut clients, a.client_id.to_string(), at),
            Event::HudElementsRecorded(h) => {
                for row in &h.rows {
                    match row.subject {
                        ElementSubject::Client(c) => {
                            changed(&mut clients, c.to_string(), at.clone())
                        }
                        ElementSubject::Enrollment(e) => {
                            changed(&mut enrollments, e.to_string(), at.clone());
                            changed(&mut exits, e.to_string(), at.clone());
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    let admin = admin_user(&service);
    let out = work.path().join("out");
    caseledger_hmis::export(&service, &out, &ExportOptions::default())
        .await
        .unwrap();

    let expect = |row: &HashMap<String, String>, stamp: &Stamp, what: &str| {
        let got = (
            row["UserID"].clone(),
            row["DateCreated"].clone(),
            row["DateUpdated"].clone(),
        );
        assert_eq!(&got, stamp, "{what}: UserID, DateCreated, DateUpdated");
    };
    let client_rows = keyed(&out.join("Client.csv"), "PersonalID");
    assert_eq!(
        client_rows.len(),
        clients.len(),
        "every demo client exported"
    );
    for (id, row) in &client_rows {
        expect(row, &clients[id], &format!("client {id}"));
    }
    assert!(
        clients
            .values()
            .any(|(user, ..)| *user != admin.to_string()),
        "some intake was recorded by staff, not the exporting administrator"
    );
    let enrollment_rows = keyed(&out.join("Enrollment.csv"), "EnrollmentID");
    assert!(!enrollment_rows.is_empty());
    for (id, row) in &enrollment_rows {
        let (owner, created, updated) = &enrollments[id];
        expect(row, &(owner.clone(), created.clone(), updated.clone()), id);
    }
    let exit_rows = keyed(&out.join("Exit.csv"), "EnrollmentID");
    assert!(!exit_rows.is_empty(), "the demo exits an enrollment");
    for (id, row) in &exit_rows {
        expect(row, &exits[id], &format!("exit of {id}"));
    }
    service.shutdown().await;
}

/// The bootstrapped system administrator (the first user the log created).
fn admin_user(service: &Service) -> caseledger_core::UserId {
    service
        .read_log(1, 100)
        .unwrap()
        .iter()
        .find_map(|s| match &s.envelope.event {
            Event::UserCreated(u) => Some(u.user_id),
            _ => None,
        })
        .unwrap()
}

/// The bootstrapped system administrator's session.
fn admin_session(service: &Service) -> caseledger_service::Session {
    service.session_for(admin_user(service)).unwrap()
}

/// The client imported as `personal_id`, by its intake in the log.
fn imported_client(service: &Service, personal_id: &str) -> caseledger_core::ClientId {
    service
        .read_log(1, 1_000)
        .unwrap()
        .iter()
        .find_map(|s| match &s.envelope.event {
            Event::ClientIntakeRecorded(i) if i.source_id.as_deref() == Some(personal_id) => {
                Some(i.client_id)
            }
            _ => None,
        })
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_merge_the_export_has_one_client_and_after_the_unmerge_both_again() {
    let work = tempfile::tempdir().unwrap();
    let service = bootstrapped(&work.path().join("data"), policy()).await;
    let export = two_agencies(work.path());
    assert!(import(&service, &export).await.rejects.is_empty());
    let before = work.path().join("before");
    caseledger_hmis::export(&service, &before, &ExportOptions::default())
        .await
        .unwrap();
    let (c1, c2) = (
        imported_client(&service, "C1"),
        imported_client(&service, "C2"),
    );
    let admin = admin_session(&service);
    let merge = caseledger_core::commands::merges::MergeClients {
        id: caseledger_service::new_id(),
        survivor: c1,
        duplicate: c2,
        reason: "the same person".into(),
    };
    service.run(&admin, &merge).await.unwrap();

    let merged = work.path().join("merged");
    caseledger_hmis::export(&service, &merged, &ExportOptions::default())
        .await
        .unwrap();
    let column = |dir: &Path, file: &str, name: &str| -> Vec<String> {
        let mut v: Vec<String> = rows(&dir.join(file))
            .into_iter()
            .filter_map(|r| r.into_iter().find(|(c, _)| c == name).map(|(_, v)| v))
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        column(&merged, "Client.csv", "PersonalID"),
        ["C1"],
        "one client, under the survivor's PersonalID"
    );
    assert_eq!(column(&merged, "Client.csv", "LastName"), ["Rivera"]);
    assert_eq!(
        column(&merged, "Enrollment.csv", "EnrollmentID"),
        ["E1", "E2"],
        "both clients' enrollments, each with its own id"
    );
    assert_eq!(
        column(&merged, "Enrollment.csv", "PersonalID"),
        ["C1", "C1"]
    );
    // Importing the old export again writes nothing: C2 answers as C1 and its rows are known.
    let again = import(&service, &export).await;
    assert!(again.rejects.is_empty(), "{:#?}", again.rejects);
    assert!(!again.written, "nothing new");

    let unmerge = caseledger_core::commands::merges::UnmergeClients {
        merge: merge.id,
        reason: "two people after all".into(),
    };
    service.run(&admin, &unmerge).await.unwrap();
    let after = work.path().join("after");
    caseledger_hmis::export(&service, &after, &ExportOptions::default())
        .await
        .unwrap();
    for file in ["Client.csv", "Enrollment.csv", "Exit.csv"] {
        assert_eq!(
            rows(&after.join(file)),
            rows(&before.join(file)),
            "{file} as before the merge"
        );
    }
    service.shutdown().await;
}
