//! An export directory: `Export.csv` (which names the `CSVVersion`) and one file per record
//! type, each a table whose columns are found by header name — never by position, so extra
//! columns and reordered ones are read the same.

use caseledger_core::hud::HashStatus;

use std::path::{Path, PathBuf};

use crate::Reject;

/// The HMIS CSV specification an export follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CsvVersion {
    /// FY2024, `2024 v1.x`.
    Fy2024 {
        /// The minor version.
        minor: u8,
    },
    /// FY2026, `2026 v1.x`.
    Fy2026 {
        /// The minor version.
        minor: u8,
    },
}

impl CsvVersion {
    /// Parses `CSVVersion` as exporting systems write it. HUD leaves the field free text that
    /// "may, but is not required to" name the year and version, so any spelling that names
    /// one is read: `2024 v1.4`, `2026 v1`, `FY2026 v1.0`, `FY24 V1.3`, `2026`. The version's
    /// minor number is 0 when not given. `None` when no specification year is named.
    pub fn parse(text: &str) -> Option<CsvVersion> {
        let t = text.trim().to_ascii_lowercase();
        let runs: Vec<(usize, &str)> = digit_runs(&t);
        let year = runs.iter().find_map(|&(at, run)| match run {
            "2024" => Some(2024),
            "2026" => Some(2026),
            "24" if t[..at].ends_with("fy") => Some(2024),
            "26" if t[..at].ends_with("fy") => Some(2026),
            _ => None,
        })?;
        // The version: the number after a `v` ("v1.4", "v 1.3"), its minor part after a dot.
        let minor = t
            .char_indices()
            .filter(|(_, c)| *c == 'v')
            .find_map(|(i, _)| {
                let rest = t[i + 1..].trim_start();
                let rest = rest.strip_prefix('1')?;
                match rest.strip_prefix('.') {
                    Some(m) => {
                        let digits: String = m.chars().take_while(char::is_ascii_digit).collect();
                        digits.parse::<u8>().ok()
                    }
                    None if !rest.starts_with(|c: char| c.is_ascii_digit()) => Some(0),
                    None => None,
                }
            })
            .unwrap_or(0);
        Some(match year {
            2024 => CsvVersion::Fy2024 { minor },
            _ => CsvVersion::Fy2026 { minor },
        })
    }
}

/// The runs of ASCII digits in `text`, each with its byte offset.
fn digit_runs(text: &str) -> Vec<(usize, &str)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_ascii_digit(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                runs.push((s, &text[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        runs.push((s, &text[s..]));
    }
    runs
}

impl std::fmt::Display for CsvVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CsvVersion::Fy2024 { minor } => write!(f, "2024 v1.{minor}"),
            CsvVersion::Fy2026 { minor } => write!(f, "2026 v1.{minor}"),
        }
    }
}

/// Why an export directory cannot be read at all (a bad value is a [`Reject`] instead).
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// A file is not CSV (or not UTF-8).
    #[error("{path}: {reason}")]
    Csv {
        /// The file.
        path: String,
        /// What the CSV reader said.
        reason: String,
    },
    /// `Export.csv` has no row or no `CSVVersion`, names a version this build cannot read, or
    /// a `HashStatus` HUD does not list.
    #[error("Export.csv: {0}")]
    Version(Reject),
}

/// One data row: the line it starts on and its fields in header order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The line the record starts on (the header is line 1).
    pub line: u64,
    /// The fields, as many as the header has (missing trailing fields read as empty).
    pub fields: Vec<String>,
}

/// A file of the export: its header and rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The file name, e.g. `Client.csv`.
    pub file: String,
    /// Column names as written (byte-order mark and surrounding spaces removed).
    pub headers: Vec<String>,
    /// The data rows.
    pub rows: Vec<Row>,
    /// Per column: its numeric dates are day-first (`13-06-19`), as some value shows that
    /// cannot be month-first while none shows the opposite. See [`crate::dates::day_first`].
    pub day_first: Vec<bool>,
}

impl Table {
    /// A table of `rows` under `headers`, each column's date order read from its values.
    pub fn new(file: String, headers: Vec<String>, rows: Vec<Row>) -> Table {
        let day_first = (0..headers.len())
            .map(|c| {
                crate::dates::day_first(
                    rows.iter()
                        .filter_map(|r| r.fields.get(c).map(String::as_str)),
                )
            })
            .collect();
        Table {
            file,
            headers,
            rows,
            day_first,
        }
    }

    /// The index of column `name` (case-insensitive, as some systems write `PersonalId`).
    pub fn column(&self, name: &str) -> Option<usize> {
        self.headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
    }

    /// The value of column `name` in `row`: `None` when the file has no such column; an empty
    /// string is returned as is (HUD's "no value").
    pub fn get<'r>(&self, row: &'r Row, name: &str) -> Option<&'r str> {
        self.column(name)
            .map(|i| row.fields.get(i).map_or("", String::as_str))
    }

    /// A [`Reject`] for `row`'s value in `column`.
    pub fn reject(&self, row: &Row, column: &str, rule: impl Into<String>) -> Reject {
        Reject {
            file: self.file.clone(),
            line: row.line,
            column: column.to_string(),
            value: self.get(row, column).unwrap_or_default().to_string(),
            rule: rule.into(),
        }
    }
}

/// An export directory.
#[derive(Debug, Clone)]
pub struct ExportDir {
    dir: PathBuf,
    /// The version named in `Export.csv`.
    pub version: CsvVersion,
    /// `Export.csv`'s single row.
    pub export: Table,
    /// Whether the clients' names and SSNs are values or hashes (`HashStatus`; unhashed when
    /// the column is empty or missing).
    pub hash_status: HashStatus,
}

impl ExportDir {
    /// Opens `dir`, reading `Export.csv` and its `CSVVersion`.
    pub fn open(dir: &Path) -> Result<ExportDir, ExportError> {
        let export = read_table(&dir.join("Export.csv"))?.ok_or_else(|| ExportError::Io {
            path: dir.join("Export.csv").display().to_string(),
            source: std::io::ErrorKind::NotFound.into(),
        })?;
        let row = export.rows.first().ok_or_else(|| {
            ExportError::Version(Reject {
                file: "Export.csv".into(),
                line: 2,
                column: String::new(),
                value: String::new(),
                rule: "no export row".into(),
            })
        })?;
        let text = export.get(row, "CSVVersion").ok_or_else(|| {
            ExportError::Version(export.reject(row, "CSVVersion", "no CSVVersion column"))
        })?;
        let version = CsvVersion::parse(text).ok_or_else(|| {
            ExportError::Version(export.reject(
                row,
                "CSVVersion",
                "names no specification this build reads (FY2024 or FY2026, e.g. 2024 v1.4 or 2026 v1)",
            ))
        })?;
        let hash_status = match export.get(row, "HashStatus").map(str::trim) {
            None | Some("") => HashStatus::Unhashed,
            Some(code) => code
                .parse()
                .ok()
                .and_then(HashStatus::from_code)
                .ok_or_else(|| {
                    ExportError::Version(export.reject(
                        row,
                        "HashStatus",
                        "not a HUD HashStatus (1 unhashed, 2 SHA-1 RHY, 3 hashed other, 4 SHA-256 RHY)",
                    ))
                })?,
        };
        Ok(ExportDir {
            dir: dir.to_path_buf(),
            version,
            export,
            hash_status,
        })
    }

    /// The table `name` (e.g. `Client.csv`), or `None` when the export has no such file.
    pub fn table(&self, name: &str) -> Result<Option<Table>, ExportError> {
        read_table(&self.dir.join(name))
    }
}

/// Reads one CSV file; `None` when it does not exist.
fn read_table(path: &Path) -> Result<Option<Table>, ExportError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(ExportError::Io {
                path: path.display().to_string(),
                source,
            });
        }
    };
    let csv_error = |e: csv::Error| ExportError::Csv {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(&bytes[..]);
    let headers: Vec<String> = reader
        .headers()
        .map_err(csv_error)?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    // Lines are counted from byte offsets: the CSV reader's own line count is off by one
    // after CRLF line ends, which most exports use.
    let (mut line, mut counted_to) = (1u64, 0usize);
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_error)?;
        let start = record.position().map_or(counted_to, |p| p.byte() as usize);
        let mut start = start.min(bytes.len()).max(counted_to);
        // After CR the reader may place a record's start on the LF before it.
        while bytes.get(start).is_some_and(|b| *b == b'\r' || *b == b'\n') {
            start += 1;
        }
        line += bytes[counted_to..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64;
        counted_to = start;
        let mut fields: Vec<String> = record.iter().map(str::to_string).collect();
        fields.resize(headers.len().max(fields.len()), String::new());
        rows.push(Row { line, fields });
    }
    Ok(Some(Table::new(
        path.file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default(),
        headers,
        rows,
    )))
}

#[cfg(test)]
mod tests {
    use super::CsvVersion;

    #[test]
    fn csv_version_is_read_in_the_spellings_exporting_systems_use() {
        for (text, expected) in [
            ("2024 v1.4", Some(CsvVersion::Fy2024 { minor: 4 })),
            ("2026 v1.0", Some(CsvVersion::Fy2026 { minor: 0 })),
            ("2026 v1", Some(CsvVersion::Fy2026 { minor: 0 })),
            ("FY2026 v1.0", Some(CsvVersion::Fy2026 { minor: 0 })),
            ("FY24 V1.3", Some(CsvVersion::Fy2024 { minor: 3 })),
            ("2024v1.3", Some(CsvVersion::Fy2024 { minor: 3 })),
            ("2026", Some(CsvVersion::Fy2026 { minor: 0 })),
            ("2022 v1.3", None),
            ("", None),
            ("v1.4", None),
        ] {
            assert_eq!(CsvVersion::parse(text), expected, "{text:?}");
        }
    }
}
