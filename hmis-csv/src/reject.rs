//! Why a value or a row of an export was refused, and exactly where.

use std::fmt;

/// A refused value: the file, the line (1 is the header, so data starts at 2), the column, the
/// value as written, and the rule it broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    /// The file name, e.g. `Client.csv`.
    pub file: String,
    /// The line the record starts on (the header is line 1).
    pub line: u64,
    /// The column's header name (empty for a rule about the whole row).
    pub column: String,
    /// The value as written in the file.
    pub value: String,
    /// The rule, in words a data analyst reads: "not a date", "exit before entry", ...
    pub rule: String,
}

impl fmt::Display for Reject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)?;
        if !self.column.is_empty() {
            write!(f, " {}={:?}", self.column, self.value)?;
        }
        write!(f, ": {}", self.rule)
    }
}
