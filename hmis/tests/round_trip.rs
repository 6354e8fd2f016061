//! Import then export gives back every value of every row of every file of each HUD sample
//! export (ExportID aside), in the source's own specification: a CoC that migrates to
//! caseledger and exports again loses nothing HUD's reports read.
//!
//! Values are compared as HUD's types read them (the element catalogue's types): money by its
//! amount (`1264.6` is `1264.60`), dates and timestamps by the day and time they name (a
//! source's `17-JUN-20` is `2020-06-17`), integers by value, text exactly. Rows the import
//! refused (HUD forbids them, and the refusal names file and line) and rows the source
//! deleted are not expected back; every other row is.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use caseledger_core::SharingPolicy;
use caseledger_core::hud::elements::{ElementType, HudFile};
use caseledger_hmis::{ExportOptions, ImportOptions, Specification};
use caseledger_hmis_csv::dates::{parse_date_in, parse_timestamp_in};
use caseledger_hmis_csv::{CsvVersion, ExportDir, samples};
use caseledger_service::{Service, ServiceConfig};

async fn bootstrapped(dir: &Path) -> Service {
    let mut config = ServiceConfig::new(dir);
    config.today = Some("2026-11-23".parse().unwrap());
    let service = Service::open(&config).unwrap();
    service.start();
    service
        .bootstrap(
            SharingPolicy::clienttrack("America/Los_Angeles"),
            "CoC lead",
            "admin",
        )
        .await
        .unwrap();
    service
}

/// How a column's values compare.
fn kind(file: &str, column: &str) -> Option<ElementType> {
    match column {
        "DateCreated" | "DateUpdated" | "DateDeleted" => return Some(ElementType::Timestamp),
        "UserID" => return Some(ElementType::Text),
        _ => {}
    }
    HudFile::from_stem(file.trim_end_matches(".csv"))?
        .element(column)
        .map(|e| e.kind)
}

/// Whether `a` (the source's) and `b` (the export's) are the same value of a column of `kind`;
/// the source's numeric dates in the column are day-first when `day_first` (as the import read
/// them, from the column's values).
fn same(kind: Option<ElementType>, a: &str, b: &str, day_first: bool) -> bool {
    let (a, b) = (a.trim(), b.trim());
    if a == b {
        return true;
    }
    let date = |t: &str, day_first| parse_date_in(t, 2026, day_first);
    let at = |t: &str, day_first| {
        parse_timestamp_in(t, 2026, day_first)
            .or_else(|| date(t, day_first).map(|d| d.to_naive().and_hms_opt(0, 0, 0).unwrap()))
    };
    match kind {
        Some(ElementType::Money) => {
            let cents = |t: &str| t.parse::<f64>().ok().map(|v| (v * 100.0).round() as i64);
            cents(a).is_some() && cents(a) == cents(b)
        }
        Some(ElementType::Integer) => {
            a.parse::<i64>().ok().is_some() && a.parse::<i64>().ok() == b.parse::<i64>().ok()
        }
        Some(ElementType::Date) => {
            date(a, day_first).is_some() && date(a, day_first) == date(b, false)
        }
        Some(ElementType::Timestamp) => {
            at(a, day_first).is_some() && at(a, day_first) == at(b, false)
        }
        _ => false,
    }
}

/// One difference: file, row id, column, expected (the source's), got (the export's).
type Difference = (String, String, String, String, String);

/// Whether a refusal is of something HUD's specification forbids: a reference to a row the
/// export does not have, a code outside the column's HUD list, a required value missing.
fn forbidden_by_hud(r: &caseledger_hmis_csv::Reject) -> bool {
    r.rule.starts_with("no such ")
        || r.rule.contains("not a code of HUD list")
        || r.rule == "a flag is 0 or 1"
        || r.rule.starts_with("the id is already used")
        || r.rule.starts_with("exit before entry")
        || r.rule.starts_with("the enrollment already exited")
        || r.rule.starts_with("not a HUD ")
        || r.rule == "required"
}

async fn round_trip(sample: &str) -> (usize, Vec<Difference>, usize) {
    let source = samples::dir().join(sample);
    let work = tempfile::tempdir().unwrap();
    let service = bootstrapped(&work.path().join("data")).await;
    let options = ImportOptions {
        allow_partial: true,
        ..ImportOptions::default()
    };
    let report = caseledger_hmis::import(&service, &source, &options, &|_, _, _| {})
        .await
        .unwrap();
    let allowed: Vec<String> = report
        .rejects
        .iter()
        .filter(|r| !forbidden_by_hud(r))
        .map(|r| r.to_string())
        .collect();
    assert!(
        allowed.is_empty(),
        "{sample}: refused although HUD allows it: {allowed:#?}"
    );
    let refused: HashSet<(String, u64)> = report
        .rejects
        .iter()
        .map(|r| (r.file.clone(), r.line))
        .collect();
    let dir = ExportDir::open(&source).unwrap();
    let specification = match dir.version {
        CsvVersion::Fy2024 { .. } => Specification::Fy2024,
        CsvVersion::Fy2026 { .. } => Specification::Fy2026,
    };
    let out = work.path().join("out");
    caseledger_hmis::export(
        &service,
        &out,
        &ExportOptions {
            specification,
            ..ExportOptions::default()
        },
    )
    .await
    .unwrap();
    service.shutdown().await;

    let exported = ExportDir::open(&out).unwrap();
    let mut differences = Vec::new();
    let mut compared = 0;
    for spec in specification.files() {
        if spec.name == "Export.csv" {
            continue;
        }
        let Some(table) = dir.table(spec.name).unwrap() else {
            continue;
        };
        if table.headers.is_empty() {
            continue; // an empty file (the demo's Disabilities.csv)
        }
        let ours = exported
            .table(spec.name)
            .unwrap()
            .expect("every file is written");
        let id_of = |headers: &[String]| {
            headers
                .iter()
                .position(|h| h.eq_ignore_ascii_case(spec.columns[0]))
                .expect("the id column")
        };
        let our_id = id_of(&ours.headers);
        let by_id: HashMap<&str, &caseledger_hmis_csv::Row> = ours
            .rows
            .iter()
            .map(|r| (r.fields[our_id].as_str(), r))
            .collect();
        let their_id = id_of(&table.headers);
        let deleted = table
            .headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case("DateDeleted"));
        for row in &table.rows {
            if deleted.is_some_and(|d| !row.fields[d].trim().is_empty())
                || refused.contains(&(spec.name.to_string(), row.line))
            {
                continue;
            }
            let id = row.fields[their_id].trim();
            let Some(got) = by_id.get(id) else {
                differences.push((
                    spec.name.into(),
                    id.into(),
                    "(row)".into(),
                    "the row".into(),
                    "no row".into(),
                ));
                continue;
            };
            for (c, header) in table.headers.iter().enumerate() {
                if header.eq_ignore_ascii_case("ExportID") {
                    continue;
                }
                compared += 1;
                let expected = &row.fields[c];
                let value = ours
                    .headers
                    .iter()
                    .position(|h| h.eq_ignore_ascii_case(header))
                    .map(|i| got.fields[i].as_str());
                let kind = kind(spec.name, header);
                let day_first = table.day_first.get(c).copied().unwrap_or(false);
                if !value.is_some_and(|v| same(kind, expected, v, day_first)) {
                    differences.push((
                        spec.name.into(),
                        id.into(),
                        header.clone(),
                        expected.clone(),
                        value.unwrap_or("(no column)").into(),
                    ));
                }
            }
        }
    }
    (compared, differences, report.rejects.len())
}

fn summary(differences: &[Difference]) -> String {
    let mut by_column: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for d in differences {
        *by_column.entry((&d.0, &d.2)).or_default() += 1;
    }
    let first: Vec<String> = differences
        .iter()
        .take(40)
        .map(|(f, id, c, e, g)| format!("{f} id {id} {c}: expected {e:?}, got {g:?}"))
        .collect();
    format!(
        "{} differences; per column {by_column:?}\nfirst:\n{}",
        differences.len(),
        first.join("\n")
    )
}

/// Round-trips `sample`, which holds `refusals` values HUD forbids.
async fn assert_round_trip(sample: &str, refusals: usize) {
    let (compared, differences, rejects) = round_trip(sample).await;
    assert!(compared > 0, "{sample}: nothing compared");
    assert!(
        differences.is_empty(),
        "{sample}: {}",
        summary(&differences)
    );
    assert_eq!(rejects, refusals, "{sample}: refusals");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fy2024_small_round_trips_value_for_value() {
    // Two Assessment.csv rows whose quoted AssessmentLocation swallows the rest of the row
    // (leaving AssessmentLevel 8251, outside HUD list 4.19.4), and their 94 questions and
    // results.
    assert_round_trip("fy2024-small", 96).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fy2024_bom_round_trips_value_for_value() {
    // Rows pointing at enrollments and assessments the export does not have, and a code
    // outside its list.
    assert_round_trip("fy2024-bom", 16).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fy2026_enrollments_round_trips_value_for_value() {
    assert_round_trip("fy2026-enrollments", 16).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fy2026_validation_round_trips_value_for_value_where_hud_allows_its_rows() {
    // HUD's validation fixtures: every refused row breaks a rule of the specification.
    let (compared, differences, _) = round_trip("fy2026-validation").await;
    assert!(compared > 0);
    assert!(differences.is_empty(), "{}", summary(&differences));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_eva_demo_round_trips_value_for_value_where_hud_allows_its_rows() {
    // The 28 values HUD forbids (see the import tests), each refusing its row.
    assert_round_trip("eva-demo-fy2024", 28).await;
}
