//! HUD HMIS CSV exports, the format every US HMIS exchanges data in (HUD's "HMIS CSV Format
//! Specifications", FY2024 and FY2026).
//!
//! This crate reads an export directory the way real exports come — UTF-8 byte-order marks,
//! CRLF, quoted fields with doubled quotes, empty strings for "no value", extra columns, dates
//! in several spellings including two-digit years — and validates every value it maps, saying
//! exactly where a bad one is ([`Reject`]: file, line, column, value, rule). It knows no storage
//! and runs no commands: the importer in the CLI turns its rows into the service's commands.
//!
//! - [`export`]: the directory, its `CSVVersion`, and its files as tables of named columns;
//! - [`dates`]: HUD dates and timestamps in every spelling seen in exports;
//! - [`reject`]: why a value or row was refused, and where;
//! - [`client`]: `Client.csv` rows as the domain's intake values;
//! - [`records`]: organizations, projects, enrollments and exits, checked across files.
#![forbid(unsafe_code)]

pub mod client;
pub mod dates;
pub mod export;
pub mod records;
pub mod reject;
mod row;
pub mod samples;
pub mod spec;

pub use export::{CsvVersion, ExportDir, Row, Table};
pub use reject::Reject;
pub use row::Kept;
