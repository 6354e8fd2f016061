//! Organizations, users and tokens, and the bootstrap that makes the first of each.
//!
//! Who may do what: system administrators manage every organization and user; an agency
//! administrator manages the case managers and agency administrators of their own organization
//! and their tokens; anyone may issue or revoke their own tokens. The CoC roles (system
//! administrator, help desk, auditor) exist only in the CoC lead organization.

use caseledger_core::commands::accounts::{
    Bootstrap, CreateOrganization, CreateUser, DeactivateUser, IssueToken, RevokeToken,
};
use caseledger_core::events::{
    OrganizationCreated, SharingPolicySet, TokenIssued, TokenRevoked, UserCreated, UserDeactivated,
};
use caseledger_core::input;
use caseledger_core::{OrganizationId, Role};
use caseledger_projections::Projections;

use crate::commands::{check_text, check_time_zone, require_text};

/// The name of the first system administrator's token, in the token list.
pub(crate) const BOOTSTRAP_TOKEN_NAME: &str = "bootstrap";
use crate::{Command, CommandError, Decision, ErrorCode, Session};

/// `FORBIDDEN`: "your role may not `what`".
fn forbidden(what: &str) -> CommandError {
    CommandError::new(ErrorCode::Forbidden, format!("your role may not {what}"))
}

/// `NOT_FOUND` on `field`, as the account commands word it.
fn no_such(field: &str, what: &str) -> CommandError {
    CommandError {
        code: ErrorCode::NotFound,
        field: Some(field.into()),
        message: format!("no such {what}"),
    }
}

/// Whether `session` manages the accounts of `organization`.
fn manages(session: &Session, organization: OrganizationId) -> bool {
    session.role() == Role::SystemAdmin
        || (session.role() == Role::AgencyAdmin && session.organization() == organization)
}

impl Command for Bootstrap {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        // Only the service acts for itself; no user exists yet to act as.
        if session.role() != Role::System {
            return Err(crate::commands::forbidden(
                "only the service bootstraps a data directory",
            ));
        }
        check_time_zone(&self.policy.time_zone)?;
        require_text(
            "organizationName",
            &self.lead_name,
            input::ORGANIZATION_NAME,
        )?;
        require_text("username", &self.admin_username, input::USERNAME)?;
        if p.position() > 0 {
            return Err(CommandError::new(
                ErrorCode::Conflict,
                "the data directory is already bootstrapped",
            ));
        }
        Ok(Decision::events(vec![
            SharingPolicySet {
                policy: self.policy.clone(),
                effective: self.today,
            }
            .into(),
            OrganizationCreated {
                organization_id: self.organization_id,
                name: self.lead_name.clone(),
                is_coc_lead: true,
                victim_service_provider: false,
                source_id: None,
            }
            .into(),
            UserCreated {
                user_id: self.admin_id,
                organization_id: self.organization_id,
                username: self.admin_username.clone(),
                display_name: self.admin_username.clone(),
                role: Role::SystemAdmin,
            }
            .into(),
            TokenIssued {
                token_id: self.token.token_id,
                user_id: self.admin_id,
                token_hash: self.token.token_hash,
                expires: Some(self.token.expires),
                name: BOOTSTRAP_TOKEN_NAME.into(),
            }
            .into(),
        ]))
    }
}

impl Command for CreateOrganization {
    type Output = ();

    fn decide(&self, _: &Projections, session: &Session) -> Result<Decision, CommandError> {
        if session.role() != Role::SystemAdmin {
            return Err(forbidden("create organizations"));
        }
        require_text("name", &self.name, input::ORGANIZATION_NAME)?;
        Ok(Decision::events(vec![
            OrganizationCreated {
                organization_id: self.organization_id,
                name: self.name.trim().to_string(),
                is_coc_lead: false,
                victim_service_provider: self.victim_service_provider,
                source_id: self.source_id.clone(),
            }
            .into(),
        ]))
    }
}

impl Command for CreateUser {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        let (organization, role) = (self.organization_id, self.role);
        check_text("username", &self.username, input::USERNAME)?;
        check_text("displayName", &self.display_name, input::PERSON_FULL_NAME)?;
        let username = self.username.trim().to_string();
        if username.is_empty() || username.len() > 64 || username.chars().any(char::is_whitespace) {
            return Err(CommandError::validation(
                "username",
                "1 to 64 characters without spaces",
            ));
        }
        if role == Role::System {
            return Err(CommandError::validation(
                "role",
                "SYSTEM is the service's own role",
            ));
        }
        let w = p.write_model();
        let org = w
            .organization(organization)
            .ok_or_else(|| no_such("organizationId", "organization"))?;
        if !manages(session, organization) {
            return Err(forbidden("create users in this organization"));
        }
        let coc_role = matches!(role, Role::SystemAdmin | Role::HelpDesk | Role::Auditor);
        if coc_role && (session.role() != Role::SystemAdmin || !org.is_coc_lead) {
            return Err(CommandError::validation(
                "role",
                "system administrators, help desk and auditors are created by a system administrator in the CoC lead organization",
            ));
        }
        if w.user_named(&username).is_some() {
            return Err(CommandError {
                code: ErrorCode::Conflict,
                field: Some("username".into()),
                message: format!("the username `{username}` is taken"),
            });
        }
        Ok(Decision::events(vec![
            UserCreated {
                user_id: self.user_id,
                organization_id: organization,
                username,
                display_name: self.display_name.trim().to_string(),
                role,
            }
            .into(),
        ]))
    }
}

impl Command for IssueToken {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        let target = p
            .write_model()
            .user(self.user_id)
            .ok_or_else(|| no_such("userId", "user"))?;
        if self.user_id != session.user() && !manages(session, target.organization) {
            return Err(forbidden("issue tokens for this user"));
        }
        if !target.active {
            return Err(CommandError {
                code: ErrorCode::Conflict,
                field: Some("userId".into()),
                message: "the user is deactivated".into(),
            });
        }
        require_text("name", &self.name, input::SHORT_TEXT)?;
        Ok(Decision::events(vec![
            TokenIssued {
                token_id: self.token.token_id,
                user_id: self.user_id,
                token_hash: self.token.token_hash,
                expires: Some(self.token.expires),
                name: self.name.trim().to_string(),
            }
            .into(),
        ]))
    }
}

impl Command for RevokeToken {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        let w = p.write_model();
        let facts = w
            .token(self.token_id)
            .ok_or_else(|| no_such("tokenId", "token"))?;
        let owner_org = w.user(facts.user).map(|u| u.organization);
        if facts.user != session.user() && !owner_org.is_some_and(|o| manages(session, o)) {
            return Err(forbidden("revoke this token"));
        }
        if facts.revoked {
            return Err(CommandError::new(
                ErrorCode::Conflict,
                "the token is already revoked",
            ));
        }
        Ok(Decision::events(vec![
            TokenRevoked {
                token_id: self.token_id,
                user_id: facts.user,
            }
            .into(),
        ]))
    }
}

impl Command for DeactivateUser {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        let facts = p
            .write_model()
            .user(self.user_id)
            .ok_or_else(|| no_such("userId", "user"))?;
        if !manages(session, facts.organization) {
            return Err(forbidden("deactivate this user"));
        }
        if self.user_id == session.user() {
            return Err(CommandError::validation(
                "userId",
                "you cannot deactivate yourself",
            ));
        }
        if !facts.active {
            return Err(CommandError::new(
                ErrorCode::Conflict,
                "the user is already deactivated",
            ));
        }
        Ok(Decision::events(vec![
            UserDeactivated {
                user_id: self.user_id,
            }
            .into(),
        ]))
    }
}

#[cfg(test)]
mod tests {
    use caseledger_core::commands::accounts::NewToken;
    use caseledger_core::testkit::date;
    use caseledger_core::{SharingPolicy, TokenId, UserId};

    use super::*;
    use crate::decisions::given::{Given, given};

    fn token(g: &mut Given) -> NewToken {
        NewToken {
            token_id: g.id(),
            token_hash: [7; 32],
            expires: caseledger_core::Timestamp::from_micros(1_800_000_000_000_000).unwrap(),
        }
    }

    fn bootstrap(g: &mut Given) -> Bootstrap {
        Bootstrap {
            policy: SharingPolicy::clienttrack("UTC"),
            lead_name: "CoC lead".into(),
            admin_username: "admin".into(),
            organization_id: g.id(),
            admin_id: g.id(),
            token: token(g),
            today: date("2026-12-01"),
        }
    }

    fn user(g: &mut Given, organization: OrganizationId, username: &str, role: Role) -> CreateUser {
        CreateUser {
            user_id: g.id(),
            organization_id: organization,
            username: username.into(),
            display_name: format!(" {username} "),
            role,
        }
    }

    #[test]
    fn bootstrap_makes_the_policy_the_lead_its_administrator_and_a_token() {
        let mut g = Given::empty();
        let cmd = bootstrap(&mut g);
        let system = g.system();
        g.when(&system, &cmd).then(vec![
            SharingPolicySet {
                policy: SharingPolicy::clienttrack("UTC"),
                effective: date("2026-12-01"),
            }
            .into(),
            OrganizationCreated {
                organization_id: cmd.organization_id,
                name: "CoC lead".into(),
                is_coc_lead: true,
                victim_service_provider: false,
                source_id: None,
            }
            .into(),
            UserCreated {
                user_id: cmd.admin_id,
                organization_id: cmd.organization_id,
                username: "admin".into(),
                display_name: "admin".into(),
                role: Role::SystemAdmin,
            }
            .into(),
            TokenIssued {
                token_id: cmd.token.token_id,
                user_id: cmd.admin_id,
                token_hash: [7; 32],
                expires: Some(cmd.token.expires),
                name: "bootstrap".into(),
            }
            .into(),
        ]);
    }

    #[test]
    fn bootstrap_is_refused_twice_for_bad_input_and_for_anyone_but_the_service() {
        let mut g = given();
        let cmd = bootstrap(&mut g);
        let system = g.system();
        g.when(&system, &cmd)
            .then_refused(ErrorCode::Conflict, None);
        let admin = g.admin();
        g.when(&admin, &cmd)
            .then_refused(ErrorCode::Forbidden, None);
        let mut e = Given::empty();
        let system = e.system();
        let mut bad = bootstrap(&mut e);
        bad.policy = SharingPolicy::clienttrack("Nowhere");
        e.when(&system, &bad)
            .then_refused(ErrorCode::Validation, Some("timeZone"));
        let mut bad = bootstrap(&mut e);
        bad.lead_name = " ".into();
        e.when(&system, &bad)
            .then_refused(ErrorCode::Validation, Some("organizationName"));
        let mut bad = bootstrap(&mut e);
        bad.admin_username = String::new();
        e.when(&system, &bad)
            .then_refused(ErrorCode::Validation, Some("username"));
    }

    #[test]
    fn a_system_administrator_creates_an_organization_its_name_trimmed() {
        let mut g = given();
        let id = g.id();
        let admin = g.admin();
        let cmd = CreateOrganization {
            organization_id: id,
            name: "  Agency ".into(),
            victim_service_provider: true,
            source_id: Some("7".into()),
        };
        g.when(&admin, &cmd).then(vec![
            OrganizationCreated {
                organization_id: id,
                name: "Agency".into(),
                is_coc_lead: false,
                victim_service_provider: true,
                source_id: Some("7".into()),
            }
            .into(),
        ]);
        let blank = CreateOrganization {
            name: "  ".into(),
            ..cmd.clone()
        };
        g.when(&admin, &blank)
            .then_refused(ErrorCode::Validation, Some("name"));
        let org = g.organization("Agency");
        let agency_admin = g.user(org, Role::AgencyAdmin);
        g.when(&agency_admin, &cmd)
            .then_refused(ErrorCode::Forbidden, None);
    }

    #[test]
    fn users_are_created_by_who_manages_their_organization() {
        let mut g = given();
        let org = g.organization("Agency");
        let other = g.organization("Other");
        let agency_admin = g.user(org, Role::AgencyAdmin);
        let cmd = user(&mut g, org, " ana ", Role::CaseManager);
        g.when(&agency_admin, &cmd).then(vec![
            UserCreated {
                user_id: cmd.user_id,
                organization_id: org,
                username: "ana".into(),
                display_name: "ana".into(),
                role: Role::CaseManager,
            }
            .into(),
        ]);
        let elsewhere = user(&mut g, other, "bo", Role::CaseManager);
        g.when(&agency_admin, &elsewhere)
            .then_refused(ErrorCode::Forbidden, None);
        let cm = g.user(org, Role::CaseManager);
        g.when(&cm, &cmd).then_refused(ErrorCode::Forbidden, None);
        let unknown = g.id();
        let nowhere = user(&mut g, unknown, "cy", Role::CaseManager);
        g.when(&agency_admin, &nowhere)
            .then_refused(ErrorCode::NotFound, Some("organizationId"));
    }

    #[test]
    fn a_user_is_refused_by_username_role_and_a_taken_name() {
        let mut g = given();
        let admin = g.admin();
        let lead = g.lead();
        let org = g.organization("Agency");
        let spaced = user(&mut g, org, "a b", Role::CaseManager);
        g.when(&admin, &spaced)
            .then_refused(ErrorCode::Validation, Some("username"));
        let mut long_name = user(&mut g, org, "ok", Role::CaseManager);
        long_name.display_name = "x".repeat(500);
        g.when(&admin, &long_name)
            .then_refused(ErrorCode::Validation, Some("displayName"));
        let system = user(&mut g, lead, "svc", Role::System);
        g.when(&admin, &system)
            .then_refused(ErrorCode::Validation, Some("role"));
        let help_desk_at_agency = user(&mut g, org, "hd", Role::HelpDesk);
        g.when(&admin, &help_desk_at_agency)
            .then_refused(ErrorCode::Validation, Some("role"));
        let help_desk = user(&mut g, lead, "hd", Role::HelpDesk);
        g.run(&admin, &help_desk);
        let again = user(&mut g, org, "hd", Role::CaseManager);
        g.when(&admin, &again)
            .then_refused(ErrorCode::Conflict, Some("username"));
    }

    #[test]
    fn tokens_are_issued_to_yourself_or_those_you_manage_while_active() {
        let mut g = given();
        let org = g.organization("Agency");
        let cm = g.user(org, Role::CaseManager);
        let agency_admin = g.user(org, Role::AgencyAdmin);
        let new = token(&mut g);
        let own = IssueToken {
            user_id: cm.user(),
            token: new,
            name: " Bed-board export ".into(),
        };
        g.when(&cm, &own).then(vec![
            TokenIssued {
                token_id: new.token_id,
                user_id: cm.user(),
                token_hash: [7; 32],
                expires: Some(new.expires),
                name: "Bed-board export".into(),
            }
            .into(),
        ]);
        let unnamed = IssueToken {
            name: "  ".into(),
            ..own.clone()
        };
        g.when(&cm, &unnamed)
            .then_refused(ErrorCode::Validation, Some("name"));
        g.when(&agency_admin, &own).decided();
        let for_admin = IssueToken {
            user_id: agency_admin.user(),
            ..own.clone()
        };
        g.when(&cm, &for_admin)
            .then_refused(ErrorCode::Forbidden, None);
        let nobody = IssueToken {
            user_id: g.id(),
            ..own.clone()
        };
        g.when(&cm, &nobody)
            .then_refused(ErrorCode::NotFound, Some("userId"));
        g.run(&agency_admin, &DeactivateUser { user_id: cm.user() });
        g.when(&agency_admin, &own)
            .then_refused(ErrorCode::Conflict, Some("userId"));
    }

    #[test]
    fn a_token_is_revoked_once_by_its_owner_or_their_manager() {
        let mut g = given();
        let org = g.organization("Agency");
        let cm = g.user(org, Role::CaseManager);
        let other_cm = g.user(org, Role::CaseManager);
        let new = token(&mut g);
        g.run(
            &cm,
            &IssueToken {
                user_id: cm.user(),
                token: new,
                name: "Laptop".into(),
            },
        );
        let revoke = RevokeToken {
            token_id: new.token_id,
        };
        g.when(&other_cm, &revoke)
            .then_refused(ErrorCode::Forbidden, None);
        g.when(&cm, &revoke).then(vec![
            TokenRevoked {
                token_id: new.token_id,
                user_id: cm.user(),
            }
            .into(),
        ]);
        g.run(&g.admin(), &revoke);
        g.when(&cm, &revoke).then_refused(ErrorCode::Conflict, None);
        let unknown = RevokeToken {
            token_id: g.id::<TokenId>(),
        };
        g.when(&cm, &unknown)
            .then_refused(ErrorCode::NotFound, Some("tokenId"));
    }

    #[test]
    fn a_user_is_deactivated_once_by_a_manager_never_by_themselves() {
        let mut g = given();
        let org = g.organization("Agency");
        let cm = g.user(org, Role::CaseManager);
        let agency_admin = g.user(org, Role::AgencyAdmin);
        let other = g.organization("Other");
        let other_admin = g.user(other, Role::AgencyAdmin);
        let deactivate = DeactivateUser { user_id: cm.user() };
        g.when(&other_admin, &deactivate)
            .then_refused(ErrorCode::Forbidden, None);
        g.when(
            &agency_admin,
            &DeactivateUser {
                user_id: agency_admin.user(),
            },
        )
        .then_refused(ErrorCode::Validation, Some("userId"));
        let unknown = DeactivateUser {
            user_id: g.id::<UserId>(),
        };
        g.when(&agency_admin, &unknown)
            .then_refused(ErrorCode::NotFound, Some("userId"));
        g.when(&agency_admin, &deactivate)
            .then(vec![UserDeactivated { user_id: cm.user() }.into()]);
        g.run(&agency_admin, &deactivate);
        g.when(&agency_admin, &deactivate)
            .then_refused(ErrorCode::Conflict, None);
    }
}
