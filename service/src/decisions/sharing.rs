//! The sharing policy, a client's MOU assignments and their releases of information.
//!
//! Only the creating organization assigns its client to an MOU it participates in; any
//! organization that can see the client grants releases of its own data, and only the
//! granting organization revokes one.

use caseledger_core::commands::sharing::{
    AssignMou, EndMouAssignment, GrantReleaseException, RevokeReleaseException, SetSharingPolicy,
};
use caseledger_core::events::{
    MouAssigned, MouAssignmentEnded, ReleaseExceptionGranted, ReleaseExceptionRevoked,
    SharingPolicySet,
};
use caseledger_core::input::DateKind;
use caseledger_core::{DateWindow, OrganizationId};
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
        let grants = w
            .catalog()
            .mou(self.mou_id)
            .is_some_and(|m| grants_in(m, session.organization()));
        if !grants {
            return Err(CommandError::validation(
                "mouId",
                "your organization only receives in this MOU: assigning your client to it \
                 would share nothing (choose an MOU in which your organization grants)",
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

/// Whether `organization` grants in the MOU: an assignment shares the creating organization's
/// data along the MOU, so where it only receives nothing would be shared.
pub(crate) fn grants_in(
    mou: &caseledger_projections::MouFacts,
    organization: OrganizationId,
) -> bool {
    mou.participants
        .iter()
        .any(|p| p.organization == organization && p.direction.grants())
}

impl crate::Service {
    /// The MOUs the session's organization may assign its clients to: those it grants in
    /// that have not ended by today, by number.
    pub fn assignable_mous(&self, session: &Session) -> Vec<caseledger_projections::MouFacts> {
        let today = self.today();
        let mut mous: Vec<_> = self.catalog(|c| {
            c.mous()
                .filter(|m| grants_in(m, session.organization()))
                .filter(|m| m.window.end.is_none_or(|end| end >= today))
                .cloned()
                .collect()
        });
        mous.sort_by(|a, b| a.number.cmp(&b.number));
        mous
    }
}

impl Command for EndMouAssignment {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        let client = self.client_id;
        require_agency_staff(&session.actor(), "end MOU assignments")?;
        client_access(p, &session.actor(), client, "clientId")?;
        require_creator(p, session, client, "end the client's MOU assignment")?;
        let sharing = p
            .org_view(session.viewer())
            .sharing(client)
            .unwrap_or_default();
        let found = sharing
            .assignments
            .iter()
            .find(|a| a.id == self.assignment_id)
            .ok_or_else(|| not_found("assignmentId", "MOU assignment"))?;
        let end = crate::commands::last_day_or_yesterday(p, self.last_day, Some(client))?;
        if found.window.end.is_some_and(|e| e <= end) {
            return Err(conflict(
                "assignmentId",
                "the assignment already ends by then",
            ));
        }
        Ok(Decision::events(vec![
            MouAssignmentEnded {
                client_id: client,
                assignment_id: self.assignment_id,
                end,
            }
            .into(),
        ]))
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
        let end = crate::commands::last_day_or_yesterday(p, self.last_day, Some(client))?;
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

    mod clients {
        use caseledger_core::events::{MouCreated, MouParticipant};
        use caseledger_core::testkit::date;
        use caseledger_core::{ClientId, MouDirection, MouId, OrganizationId, ReleaseId, Role};

        use super::super::*;
        use crate::ErrorCode;
        use crate::decisions::given::{Given, given};

        struct Story {
            g: Given,
            agency: OrganizationId,
            partner: OrganizationId,
            cm: Session,
            partner_cm: Session,
            client: ClientId,
            mou: MouId,
        }

        /// An agency's client (born 1990-04-02), a partner agency, and an MOU between them
        /// from 2020 on.
        fn story() -> Story {
            let mut g = given();
            let agency = g.organization("Agency");
            let partner = g.organization("Partner");
            let cm = g.user(agency, Role::CaseManager);
            let partner_cm = g.user(partner, Role::CaseManager);
            let client = g.client(&cm, Some(date("1990-04-02")));
            let mou = g.id();
            let admin = g.admin();
            g.apply(
                &admin,
                MouCreated {
                    mou_id: mou,
                    number: "0001".into(),
                    title: "Shared case management".into(),
                    participants: [agency, partner]
                        .map(|organization| MouParticipant {
                            organization,
                            direction: MouDirection::Both,
                        })
                        .to_vec(),
                    window: DateWindow::open(date("2020-01-01")),
                },
            );
            Story {
                g,
                agency,
                partner,
                cm,
                partner_cm,
                client,
                mou,
            }
        }

        fn assign(s: &mut Story, start: Option<&str>) -> AssignMou {
            AssignMou {
                client_id: s.client,
                assignment_id: s.g.id(),
                mou_id: s.mou,
                window: start.map(|d| DateWindow::open(date(d))),
            }
        }

        #[test]
        fn the_creator_assigns_ending_the_previous_assignment_the_day_before() {
            let mut s = story();
            let first = assign(&mut s, None);
            s.g.when(&s.cm, &first).then(vec![
                MouAssigned {
                    client_id: s.client,
                    assignment_id: first.assignment_id,
                    mou_id: s.mou,
                    window: DateWindow::open(date("2026-12-01")),
                }
                .into(),
            ]);
            let cm = s.cm.clone();
            s.g.run(&cm, &first);
            let next = assign(&mut s, Some("2026-12-10"));
            s.g.when(&s.cm, &next).then(vec![
                MouAssignmentEnded {
                    client_id: s.client,
                    assignment_id: first.assignment_id,
                    end: date("2026-12-09"),
                }
                .into(),
                MouAssigned {
                    client_id: s.client,
                    assignment_id: next.assignment_id,
                    mou_id: s.mou,
                    window: DateWindow::open(date("2026-12-10")),
                }
                .into(),
            ]);
        }

        #[test]
        fn the_creator_ends_an_assignment_without_another_and_nobody_else_does() {
            let mut s = story();
            let first = assign(&mut s, Some("2026-11-01"));
            let cm = s.cm.clone();
            s.g.run(&cm, &first);
            let end = EndMouAssignment {
                client_id: s.client,
                assignment_id: first.assignment_id,
                last_day: None,
            };
            // Yesterday by default, so sharing stops at once.
            s.g.when(&s.cm, &end).then(vec![
                MouAssignmentEnded {
                    client_id: s.client,
                    assignment_id: first.assignment_id,
                    end: date("2026-11-30"),
                }
                .into(),
            ]);
            s.g.when(&s.partner_cm, &end)
                .then_refused(ErrorCode::Forbidden, None);
            let unknown = EndMouAssignment {
                assignment_id: s.g.id(),
                ..end.clone()
            };
            s.g.when(&s.cm, &unknown)
                .then_refused(ErrorCode::NotFound, Some("assignmentId"));
            s.g.run(&cm, &end);
            assert_eq!(
                s.g.state
                    .write_model()
                    .mou_assignment(s.client, date("2026-12-01")),
                None
            );
            s.g.when(&s.cm, &end)
                .then_refused(ErrorCode::Conflict, Some("assignmentId"));
        }

        #[test]
        fn an_organization_that_only_receives_in_an_mou_cannot_share_its_client_there() {
            let mut s = story();
            let mou = s.g.id();
            let admin = s.g.admin();
            s.g.apply(
                &admin,
                MouCreated {
                    mou_id: mou,
                    number: "0002".into(),
                    title: "City receives".into(),
                    participants: vec![
                        MouParticipant {
                            organization: s.agency,
                            direction: MouDirection::Receives,
                        },
                        MouParticipant {
                            organization: s.partner,
                            direction: MouDirection::Grants,
                        },
                    ],
                    window: DateWindow::open(date("2020-01-01")),
                },
            );
            let cmd = AssignMou {
                mou_id: mou,
                ..assign(&mut s, None)
            };
            s.g.when(&s.cm, &cmd)
                .then_refused(ErrorCode::Validation, Some("mouId"));
        }

        #[test]
        fn an_assignment_is_refused_by_role_creator_mou_and_window() {
            let mut s = story();
            let cmd = assign(&mut s, None);
            s.g.when(&s.g.admin(), &cmd)
                .then_refused(ErrorCode::Forbidden, None);
            s.g.when(&s.partner_cm, &cmd)
                .then_refused(ErrorCode::Forbidden, None);
            let no_mou = AssignMou {
                mou_id: s.g.id(),
                ..cmd.clone()
            };
            s.g.when(&s.cm, &no_mou)
                .then_refused(ErrorCode::NotFound, Some("mouId"));
            let outsider = s.g.organization("Outsider");
            let outsider_cm = s.g.user(outsider, Role::CaseManager);
            let theirs = s.g.client(&outsider_cm, None);
            let not_party = AssignMou {
                client_id: theirs,
                ..cmd.clone()
            };
            s.g.when(&outsider_cm, &not_party)
                .then_refused(ErrorCode::Validation, Some("mouId"));
            let unknown = AssignMou {
                client_id: s.g.id(),
                ..cmd.clone()
            };
            s.g.when(&s.cm, &unknown)
                .then_refused(ErrorCode::NotFound, Some("clientId"));
            let before_birth = assign(&mut s, Some("1980-01-01"));
            s.g.when(&s.cm, &before_birth)
                .then_refused(ErrorCode::Validation, Some("window.start"));
            let backwards = AssignMou {
                window: Some(DateWindow {
                    start: date("2026-12-10"),
                    end: Some(date("2026-12-05")),
                }),
                ..cmd
            };
            s.g.when(&s.cm, &backwards)
                .then_refused(ErrorCode::Validation, Some("window"));
        }

        fn grant(s: &mut Story, accessing: OrganizationId) -> GrantReleaseException {
            GrantReleaseException {
                client_id: s.client,
                release_id: s.g.id(),
                accessing_organization_id: accessing,
                window: None,
            }
        }

        #[test]
        fn a_release_shares_the_granting_organizations_data_with_another() {
            let mut s = story();
            let partner = s.partner;
            let cmd = grant(&mut s, partner);
            s.g.when(&s.cm, &cmd).then(vec![
                ReleaseExceptionGranted {
                    client_id: s.client,
                    release_id: cmd.release_id,
                    granting_organization: s.agency,
                    accessing_organization: partner,
                    window: DateWindow::open(date("2026-12-01")),
                }
                .into(),
            ]);
            s.g.when(&s.g.admin(), &cmd)
                .then_refused(ErrorCode::Forbidden, None);
            let agency = s.agency;
            let own = grant(&mut s, agency);
            s.g.when(&s.cm, &own)
                .then_refused(ErrorCode::Validation, Some("accessingOrganizationId"));
            let nobody = s.g.id();
            let unknown = grant(&mut s, nobody);
            s.g.when(&s.cm, &unknown)
                .then_refused(ErrorCode::NotFound, Some("accessingOrganizationId"));
            let far = GrantReleaseException {
                window: Some(DateWindow::open(date("2040-01-01"))),
                ..cmd
            };
            s.g.when(&s.cm, &far)
                .then_refused(ErrorCode::Validation, Some("window.start"));
        }

        #[test]
        fn only_the_granting_organization_revokes_from_yesterday_by_default() {
            let mut s = story();
            let partner = s.partner;
            let granted = grant(&mut s, partner);
            let cm = s.cm.clone();
            s.g.run(&cm, &granted);
            let revoke = RevokeReleaseException {
                client_id: s.client,
                release_id: granted.release_id,
                last_day: None,
            };
            s.g.when(&s.cm, &revoke).then(vec![
                ReleaseExceptionRevoked {
                    client_id: s.client,
                    release_id: granted.release_id,
                    end: date("2026-11-30"),
                }
                .into(),
            ]);
            s.g.when(&s.partner_cm, &revoke)
                .then_refused(ErrorCode::Forbidden, None);
            let unknown = RevokeReleaseException {
                release_id: s.g.id::<ReleaseId>(),
                ..revoke.clone()
            };
            s.g.when(&s.cm, &unknown)
                .then_refused(ErrorCode::NotFound, Some("releaseId"));
            let far = RevokeReleaseException {
                last_day: Some(date("2040-01-01")),
                ..revoke.clone()
            };
            s.g.when(&s.cm, &far)
                .then_refused(ErrorCode::Validation, Some("lastDay"));
            s.g.run(&cm, &revoke);
            s.g.when(&s.cm, &revoke)
                .then_refused(ErrorCode::Conflict, Some("releaseId"));
        }
    }
}
