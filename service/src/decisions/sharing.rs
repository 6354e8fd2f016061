//! The sharing policy, a client's MOU assignments and their releases of information.
//!
//! Only the creating organization assigns its client to an MOU it participates in; any
//! organization that can see the client grants releases of its own data, and only the
//! granting organization revokes one.

use caseledger_core::DateWindow;
use caseledger_core::commands::sharing::{
    AssignMou, GrantReleaseException, RevokeReleaseException, SetSharingPolicy,
};
use caseledger_core::events::{
    MouAssigned, MouAssignmentEnded, ReleaseExceptionGranted, ReleaseExceptionRevoked,
    SharingPolicySet,
};
use caseledger_core::input::DateKind;
use caseledger_projections::Projections;

use crate::clients::require_creator;
use crate::commands::{
    check_date, check_time_zone, check_window, client_access, conflict, forbidden, not_found,
    require_agency_staff,
};
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

impl Command for AssignMou {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        let client = self.client_id;
        require_agency_staff(&session.actor(), "assign clients to MOUs")?;
        client_access(p, &session.actor(), client, "clientId")?;
        require_creator(p, session, client, "assign the client to an MOU")?;
        let w = p.write_model();
        if w.catalog().mou(self.mou_id).is_none() {
            return Err(not_found("mouId", "MOU"));
        }
        if !w.mou_participant(self.mou_id, session.organization()) {
            return Err(CommandError::validation(
                "mouId",
                "your organization does not participate in this MOU",
            ));
        }
        let window = self.window.unwrap_or(DateWindow::open(p.today()));
        check_window(p, "window", &window, Some(client))?;
        let mut events = Vec::new();
        if let Some((previous, _)) = w.mou_assignment(client, window.start) {
            let end = window
                .start
                .add_days(-1)
                .ok_or_else(|| CommandError::validation("window.start", "out of range"))?;
            events.push(
                MouAssignmentEnded {
                    client_id: client,
                    assignment_id: previous,
                    end,
                }
                .into(),
            );
        }
        events.push(
            MouAssigned {
                client_id: client,
                assignment_id: self.assignment_id,
                mou_id: self.mou_id,
                window,
            }
            .into(),
        );
        Ok(Decision::events(events))
    }
}

impl Command for GrantReleaseException {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        let client = self.client_id;
        let accessing = self.accessing_organization_id;
        require_agency_staff(&session.actor(), "record releases of information")?;
        client_access(p, &session.actor(), client, "clientId")?;
        if p.write_model().organization(accessing).is_none() {
            return Err(not_found("accessingOrganizationId", "organization"));
        }
        if accessing == session.organization() {
            return Err(CommandError::validation(
                "accessingOrganizationId",
                "a release shares with another organization, not your own",
            ));
        }
        let window = self.window.unwrap_or(DateWindow::open(p.today()));
        check_window(p, "window", &window, Some(client))?;
        Ok(Decision::events(vec![
            ReleaseExceptionGranted {
                client_id: client,
                release_id: self.release_id,
                granting_organization: session.organization(),
                accessing_organization: accessing,
                window,
            }
            .into(),
        ]))
    }
}

impl Command for RevokeReleaseException {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        let client = self.client_id;
        require_agency_staff(&session.actor(), "revoke releases of information")?;
        client_access(p, &session.actor(), client, "clientId")?;
        let sharing = p
            .org_view(session.viewer())
            .sharing(client)
            .unwrap_or_default();
        let found = sharing
            .releases
            .iter()
            .find(|r| r.id == self.release_id)
            .ok_or_else(|| not_found("releaseId", "release exception"))?;
        if found.granting != session.organization() {
            return Err(forbidden(
                "only the granting organization may revoke a release exception",
            ));
        }
        let end = match self.last_day {
            Some(d) => {
                check_date(p, "lastDay", d, DateKind::Planned, Some(client))?;
                d
            }
            None => p
                .today()
                .add_days(-1)
                .ok_or_else(|| CommandError::validation("lastDay", "out of range"))?,
        };
        if found.window.end.is_some_and(|e| e <= end) {
            return Err(conflict("releaseId", "the release already ends by then"));
        }
        Ok(Decision::events(vec![
            ReleaseExceptionRevoked {
                client_id: client,
                release_id: self.release_id,
                end,
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
