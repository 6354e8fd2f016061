//! The sharing policy.

use caseledger_core::commands::sharing::SetSharingPolicy;
use caseledger_core::events::SharingPolicySet;
use caseledger_core::input::DateKind;
use caseledger_projections::Projections;

use crate::commands::{check_date, check_time_zone, forbidden};
use crate::{Command, CommandError, Decision, Session};

impl Command for SetSharingPolicy {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        if session.role() != caseledger_core::Role::SystemAdmin {
            return Err(forbidden(
                "only a system administrator may change the sharing policy",
            ));
        }
        check_time_zone(&self.policy.time_zone)?;
        check_date(p, "effective", self.effective, DateKind::Planned, None)?;
        Ok(Decision::events(vec![
            SharingPolicySet {
                policy: self.policy.clone(),
                effective: self.effective,
            }
            .into(),
        ]))
    }
}

#[cfg(test)]
mod tests {
    use caseledger_core::testkit::date;
    use caseledger_core::{Role, SharingPolicy};

    use super::*;
    use crate::ErrorCode;
    use crate::decisions::given::given;

    fn policy(zone: &str, effective: &str) -> SetSharingPolicy {
        SetSharingPolicy {
            policy: SharingPolicy::clienttrack(zone),
            effective: date(effective),
        }
    }

    #[test]
    fn a_system_administrator_puts_a_policy_in_force() {
        let g = given();
        let admin = g.admin();
        g.when(&admin, &policy("America/Chicago", "2026-12-01"))
            .then(vec![
                SharingPolicySet {
                    policy: SharingPolicy::clienttrack("America/Chicago"),
                    effective: date("2026-12-01"),
                }
                .into(),
            ]);
    }

    #[test]
    fn anyone_else_is_forbidden() {
        let mut g = given();
        let org = g.organization("Agency");
        let cm = g.user(org, Role::CaseManager);
        g.when(&cm, &policy("UTC", "2026-12-01"))
            .then_refused(ErrorCode::Forbidden, None);
    }

    #[test]
    fn an_unknown_time_zone_and_a_date_too_far_ahead_are_refused_by_field() {
        let g = given();
        let admin = g.admin();
        g.when(&admin, &policy("Nowhere", "2026-12-01"))
            .then_refused(ErrorCode::Validation, Some("timeZone"));
        g.when(&admin, &policy("UTC", "2040-01-01"))
            .then_refused(ErrorCode::Validation, Some("effective"));
    }
}
