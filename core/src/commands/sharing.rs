//! Commands about the sharing rules themselves.

use crate::{Date, SharingPolicy};

/// Puts a sharing policy in force from a date on. System administrators only; the policy's
/// time zone must be an IANA name; the date passes the rule for planned dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetSharingPolicy {
    /// The policy.
    pub policy: SharingPolicy,
    /// The first business date it applies to.
    pub effective: Date,
}
