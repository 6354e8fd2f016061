//! HUD data elements of a record beyond its typed fields (see [`crate::hud::elements`]).

use crate::events::ElementRow;

/// Records the complete set of HUD elements of rows of HUD files for records (each replacing
/// the set recorded before for the same row): a veteran's service history, an enrollment's
/// prior living situation, an exit's aftercare, a project's funders. Every row's record must be
/// about the same client (or all about none). Staff of the organization that may edit each
/// record, or system administrators; only system administrators (importing) give a source
/// stamp or blank columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordHudElements {
    /// The rows, at least one.
    pub rows: Vec<ElementRow>,
}
