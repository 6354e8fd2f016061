//! HUD HMIS CSV in and out of caseledger, as an adapter on top of the service (the way the
//! GraphQL API is one): [`import`] turns an export's rows into the service's own commands,
//! decided in one batch and written at one expected head; [`export`] writes what a session may
//! see as HUD's FY2026 (or FY2024) files, recorded as a disclosure first. The CSV format itself (reading,
//! validating, HUD's columns) is `caseledger-hmis-csv`'s.
#![forbid(unsafe_code)]

pub mod export;
pub mod import;

pub use caseledger_hmis_csv::spec::Specification;
pub use export::{ExportError, ExportOptions, ExportReport, export};
pub use import::{ImportError, ImportOptions, ImportReport, ImportStage, import};
