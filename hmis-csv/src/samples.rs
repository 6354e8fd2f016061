//! The project's sample HUD exports (`../shared/hmis-csv/`, synthetic), which tests and
//! benchmarks read in place — they are never copied into the repository.

use std::path::{Path, PathBuf};

/// The shared samples: `CASELEDGER_HMIS_SAMPLES`, else `../shared/hmis-csv` beside the
/// repository (where the project keeps them; a clone elsewhere, as CI makes, names them in the
/// variable — `.ci/run` does).
pub fn dir() -> PathBuf {
    let candidates = [
        std::env::var_os("CASELEDGER_HMIS_SAMPLES").map(PathBuf::from),
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/hmis-csv")),
    ];
    candidates
        .into_iter()
        .flatten()
        .find(|p| p.join("fy2026-bad-data").is_dir())
        .expect("the HMIS CSV samples: set CASELEDGER_HMIS_SAMPLES to ../shared/hmis-csv")
}

/// Data records in a file, counted independently of this crate: every record after the header
/// (quoted fields may hold line breaks, so lines are not records).
pub fn count_records(path: &Path) -> usize {
    let text = std::fs::read_to_string(path).expect("read");
    let mut records = 0;
    let mut in_quotes = false;
    let mut has_content = false;
    for c in text.chars() {
        match c {
            '"' => {
                in_quotes = !in_quotes;
                has_content = true;
            }
            '\n' if !in_quotes => {
                records += usize::from(has_content);
                has_content = false;
            }
            '\r' => {}
            _ => has_content = true,
        }
    }
    records += usize::from(has_content);
    records.saturating_sub(1)
}
