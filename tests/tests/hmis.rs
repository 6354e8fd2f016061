//! `caseledger import-hmis` and `export-hmis` as an operator runs them: exit codes, the per-file
//! summary, refused rows on stderr, nothing written until the rows are fixed or a partial
//! import is asked for, and an export another data directory imports cleanly.

use caseledger_hmis_csv::samples;
use caseledger_tests::run;

fn head(data: &std::path::Path) -> String {
    let out = run(&[
        "log".as_ref(),
        "stats".as_ref(),
        "--data".as_ref(),
        data.as_os_str(),
    ]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    out.stdout
}

#[test]
fn a_messy_export_is_refused_whole_then_imported_partially_then_found_unchanged() {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let data = data.to_str().unwrap();
    let boot = run(&["admin", "bootstrap", "--data", data]);
    assert_eq!(boot.code, Some(0), "{}", boot.stderr);
    let export = samples::dir().join("fy2026-bad-data");
    let export = export.to_str().unwrap();

    let before = head(data.as_ref());
    let refused = run(&["import-hmis", export, "--data", data, "--quiet"]);
    assert_eq!(refused.code, Some(4), "{}", refused.stderr);
    assert!(
        refused.stderr.contains(
            "refused: Exit.csv:2 EnrollmentID=\"622377\": no such enrollment in Enrollment.csv"
        ),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("nothing was written"),
        "{}",
        refused.stderr
    );
    assert_eq!(head(data.as_ref()), before, "nothing written");
    let clients = refused
        .stdout
        .lines()
        .find(|l| l.starts_with("Client.csv"))
        .unwrap()
        .split_whitespace()
        .map(str::to_string)
        .collect::<Vec<_>>();
    assert_eq!(
        clients[1..3],
        ["134".to_string(), "134".to_string()],
        "read, imported"
    );

    let partial = run(&[
        "import-hmis",
        export,
        "--data",
        data,
        "--quiet",
        "--allow-partial",
    ]);
    assert_eq!(partial.code, Some(4), "refused rows still say so");
    assert!(
        partial.stderr.contains("imported the valid rows"),
        "{}",
        partial.stderr
    );
    assert_ne!(head(data.as_ref()), before);

    let again = run(&[
        "import-hmis",
        export,
        "--data",
        data,
        "--quiet",
        "--allow-partial",
        "--format",
        "json",
    ]);
    assert!(
        again.stderr.contains("nothing new to import;"),
        "{}",
        again.stderr
    );
    let summary: serde_json::Value = serde_json::from_str(&again.stdout).unwrap();
    let client = summary
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["file"] == "Client.csv")
        .unwrap();
    assert_eq!(client["unchanged"], "134");

    let out = work.path().join("out");
    let exported = run(&["export-hmis", out.to_str().unwrap(), "--data", data]);
    assert_eq!(exported.code, Some(0), "{}", exported.stderr);
    assert!(
        exported.stdout.contains("Client.csv"),
        "{}",
        exported.stdout
    );
    let other = work.path().join("other");
    let other = other.to_str().unwrap();
    assert_eq!(run(&["admin", "bootstrap", "--data", other]).code, Some(0));
    let clean = run(&[
        "import-hmis",
        out.to_str().unwrap(),
        "--data",
        other,
        "--quiet",
    ]);
    assert_eq!(
        clean.code,
        Some(0),
        "our own export imports cleanly: {}",
        clean.stderr
    );
}

/// A hashed export's client, as the API shows it: its hashes are never shown as names or an
/// SSN, and the answer says the identifiers are hashed.
#[test]
fn a_client_imported_from_a_hashed_export_shows_no_hash_as_a_name() {
    let (dir, token) = caseledger_tests::bootstrapped();
    let export = dir.path().join("hashed-export");
    std::fs::create_dir_all(&export).unwrap();
    for (file, text) in [
        (
            "Export.csv",
            "ExportID,SourceType,CSVVersion,HashStatus\nE1,3,2024 v1.3,4\n",
        ),
        (
            "Organization.csv",
            "OrganizationID,OrganizationName,VictimServiceProvider\nO1,Harbor House,0\n",
        ),
        (
            "Project.csv",
            "ProjectID,OrganizationID,ProjectName,OperatingStartDate,ProjectType\nP1,O1,Harbor Shelter,2020-01-01,1\n",
        ),
        (
            "Client.csv",
            "PersonalID,FirstName,LastName,NameDataQuality,SSN,SSNDataQuality,DOB,DOBDataQuality,White,VeteranStatus\n\
             C1,2cb30d5ef678412db20875ccf25c63ff,e7237c4404bb3671b76aacf5e84bec3d,1,8665fe03681cf0c07eda9cf76fa800f2,1,1990-04-02,1,1,0\n",
        ),
    ] {
        std::fs::write(export.join(file), text).unwrap();
    }
    let data = dir.path().to_str().unwrap();
    let imported = run(&[
        "import-hmis",
        export.to_str().unwrap(),
        "--data",
        data,
        "--quiet",
    ]);
    assert_eq!(imported.code, Some(0), "{}", imported.stderr);

    let server = caseledger_tests::Server::start(dir.path());
    let answer = server.graphql(
        "{ findClients(search: { dob: \"1990-04-02\" }) { edges { node { firstName lastName ssn dob identifiersHashed } } } }",
        serde_json::json!({}),
        Some(&token),
    );
    let node = &answer["data"]["findClients"]["edges"][0]["node"];
    assert_eq!(node["identifiersHashed"], true, "{answer}");
    assert!(
        node["firstName"].is_null() && node["lastName"].is_null(),
        "{answer}"
    );
    assert!(node["ssn"].is_null(), "{answer}");
    assert_eq!(node["dob"], "1990-04-02", "what is not hashed still shows");
    server.terminate(std::time::Duration::from_secs(10));
}
