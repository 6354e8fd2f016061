//! Household memberships fixed after the fact: a member added to the wrong household (voided,
//! and brought back) and a membership's date or relationship corrected.
//!
//! Who may: the organization that added the member (for the head, the one that formed the
//! household) — its case managers and agency administrator — and system administrators,
//! always with a reason. Only who may see the household (its head) and the member learns that
//! the membership exists; to anyone else both are answered as never recorded.

use caseledger_core::commands::voids::{CorrectHouseholdMembership, VoidHouseholdMembership};
use caseledger_core::events::{Correction, RecordCorrected, RecordUnvoided, RecordVoided};
use caseledger_core::hud::RelationshipToHoH;
use caseledger_core::input::{self, DateKind};
use caseledger_core::{ClientId, HouseholdId, Pii, RecordKind, Role};
use caseledger_projections::{HouseholdFacts, Projections};

use crate::commands::{
    check_date, client_access, conflict, forbidden, forgotten, not_found, require_text,
};
use crate::{Command, CommandError, Decision, Session};

/// At most this many fields in one correction.
const MAX_CORRECTIONS: usize = 2;

impl Command for VoidHouseholdMembership {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        let household = visible_household(p, session, self.household, self.client)?;
        let w = p.write_model();
        let member = household
            .members
            .iter()
            .rev()
            .find(|m| m.client == self.client)
            .copied();
        let voided = w.voided_membership(self.household, self.client);
        // The membership the command is about decides who may: the one voided last for an
        // un-void, the one in force for a void.
        let subject = if self.undo {
            voided.or(member)
        } else {
            member.or(voided)
        };
        let subject = subject.ok_or_else(|| not_found("clientId", "household member"))?;
        may_change(session, subject.added_by.organization)?;
        require_text("reason", &self.reason, input::STATED_REASON)?;
        if w.forgotten(self.client) {
            return Err(forgotten());
        }
        let reason = Pii::new(self.reason.clone());
        let (record_id, client_id) = (self.household.as_u128(), self.client);
        let kind = RecordKind::HouseholdMembership;
        if self.undo {
            if voided.is_none() {
                return Err(conflict("clientId", "no voided membership to bring back"));
            }
            if member.is_some_and(|m| m.left.is_none()) {
                return Err(conflict(
                    "clientId",
                    "the client is a member of the household again since: one membership at a \
                     time",
                ));
            }
            return Ok(Decision::events(vec![
                RecordUnvoided {
                    record_id,
                    client_id,
                    kind,
                    reason,
                }
                .into(),
            ]));
        }
        if member.is_none() {
            return Err(conflict("clientId", "the membership is already voided"));
        }
        if self.client == household.head {
            return Err(conflict(
                "clientId",
                "the head's membership is the household itself: it is not voided",
            ));
        }
        let enrolled_with = w
            .enrollments(self.client)
            .into_iter()
            .any(|e| e.household == Some(self.household));
        if enrolled_with {
            return Err(conflict(
                "clientId",
                "the client is enrolled with this household: void that enrollment first",
            ));
        }
        Ok(Decision::events(vec![
            RecordVoided {
                record_id,
                client_id,
                kind,
                reason,
            }
            .into(),
        ]))
    }
}

impl Command for CorrectHouseholdMembership {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        let household = visible_household(p, session, self.household, self.client)?;
        let member = household
            .members
            .iter()
            .rev()
            .find(|m| m.client == self.client)
            .ok_or_else(|| not_found("clientId", "household member"))?;
        may_change(session, member.added_by.organization)?;
        require_text("reason", &self.reason, input::STATED_REASON)?;
        if self.corrections.is_empty() || self.corrections.len() > MAX_CORRECTIONS {
            return Err(CommandError::validation(
                "corrections",
                format!("between 1 and {MAX_CORRECTIONS} fields"),
            ));
        }
        if p.write_model().forgotten(self.client) {
            return Err(forgotten());
        }
        let head = self.client == household.head;
        for (i, c) in self.corrections.iter().enumerate() {
            let field = format!("corrections[{i}].{}", c.field());
            if self.corrections[..i].iter().any(|o| o.field() == c.field()) {
                return Err(CommandError::validation(&field, "each field once"));
            }
            match c {
                Correction::Date(d) => {
                    check_date(p, &field, *d, DateKind::Happened, Some(self.client))?;
                    if member.left.is_some_and(|left| left < *d) {
                        return Err(CommandError::validation(
                            &field,
                            "the membership began after it ended",
                        ));
                    }
                }
                Correction::RelationshipToHoH(_) if head => {
                    return Err(CommandError::validation(
                        &field,
                        "the head's relationship to the head is always self",
                    ));
                }
                Correction::RelationshipToHoH(RelationshipToHoH::SelfHeadOfHousehold) => {
                    return Err(CommandError::validation(
                        &field,
                        "a household has one head, named when it is formed",
                    ));
                }
                Correction::RelationshipToHoH(_) => {}
                _ => {
                    return Err(CommandError::validation(
                        &field,
                        "not a field of a household membership (its date and relationship)",
                    ));
                }
            }
        }
        if member.corrected(&self.corrections) == *member {
            return Err(conflict(
                "corrections",
                "the membership already has these values",
            ));
        }
        Ok(Decision::events(vec![
            RecordCorrected {
                record_id: self.household.as_u128(),
                client_id: self.client,
                kind: RecordKind::HouseholdMembership,
                corrections: self.corrections.clone(),
                reason: Pii::new(self.reason.clone()),
            }
            .into(),
        ]))
    }
}

/// The household, when the actor may see its head and the member: otherwise answered as a
/// household never formed (`householdId`) or a client never recorded (`clientId`).
fn visible_household<'a>(
    p: &'a Projections,
    session: &Session,
    household: HouseholdId,
    client: ClientId,
) -> Result<&'a HouseholdFacts, CommandError> {
    let actor = session.actor();
    let h = p
        .write_model()
        .household(household)
        .ok_or_else(|| not_found("householdId", "household"))?;
    client_access(p, &actor, h.head, "householdId")
        .map_err(|_| not_found("householdId", "household"))?;
    client_access(p, &actor, client, "clientId")?;
    Ok(h)
}

/// Refuses whoever is neither staff of the organization that added the member nor a system
/// administrator.
fn may_change(
    session: &Session,
    organization: caseledger_core::OrganizationId,
) -> Result<(), CommandError> {
    let actor = session.actor();
    let own_staff = matches!(actor.role, Role::CaseManager | Role::AgencyAdmin)
        && actor.organization == organization;
    if own_staff || actor.role == Role::SystemAdmin {
        return Ok(());
    }
    Err(forbidden(
        "only the organization that added the member (or a system administrator) voids or \
         corrects a household membership",
    ))
}

#[cfg(test)]
mod tests {
    use caseledger_core::ClientRestriction;
    use caseledger_core::hud::Sex;
    use caseledger_core::testkit::date;

    use super::*;
    use crate::ErrorCode;
    use crate::decisions::care::tests::{agency, client, enroll, household_of};
    use crate::decisions::given::{Given, given};

    fn void(household: HouseholdId, client: ClientId, undo: bool) -> VoidHouseholdMembership {
        VoidHouseholdMembership {
            household,
            client,
            undo,
            reason: "added to the wrong family".into(),
        }
    }

    fn members(g: &Given, household: HouseholdId) -> Vec<ClientId> {
        let h = g.state.write_model().household(household).expect("formed");
        h.members.iter().map(|m| m.client).collect()
    }

    #[test]
    fn a_member_added_in_error_is_voided_and_brought_back() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let b = agency(&mut g, "Valley");
        let (household, head, child) = household_of(&mut g, &a);
        let out = void(household, child, false);
        g.when(&a.cm, &out).then(vec![
            RecordVoided {
                record_id: household.as_u128(),
                client_id: child,
                kind: RecordKind::HouseholdMembership,
                reason: Pii::new("added to the wrong family".into()),
            }
            .into(),
        ]);
        g.when(&b.cm, &out).then_refused(ErrorCode::Forbidden, None);
        g.when(&a.cm, &void(household, head, false))
            .then_refused(ErrorCode::Conflict, Some("clientId"));
        g.when(&a.cm, &void(household, child, true))
            .then_refused(ErrorCode::Conflict, Some("clientId"));
        g.run(&a.cm, &out);
        assert_eq!(members(&g, household), vec![head]);
        let views = g.state.org_view(a.cm.viewer());
        assert!(
            views.households(child).is_empty(),
            "the child is in no household"
        );
        g.when(&a.cm, &out)
            .then_refused(ErrorCode::Conflict, Some("clientId"));
        g.run(&a.cm, &void(household, child, true));
        assert_eq!(members(&g, household), vec![head, child]);
        assert_eq!(g.state.org_view(a.cm.viewer()).households(child).len(), 1);
    }

    #[test]
    fn a_member_enrolled_with_the_household_is_not_voided_and_a_hidden_one_is_never_found() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let b = agency(&mut g, "Valley");
        let (household, head, child) = household_of(&mut g, &a);
        for (client, relationship) in [
            (head, RelationshipToHoH::SelfHeadOfHousehold),
            (child, RelationshipToHoH::Child),
        ] {
            let e = g.id();
            g.run(
                &a.cm,
                &caseledger_core::commands::care::EnrollClient {
                    household: Some(household),
                    relationship,
                    ..enroll(e, client, &a, "2026-06-01")
                },
            );
        }
        g.when(&a.cm, &void(household, child, false))
            .then_refused(ErrorCode::Conflict, Some("clientId"));
        // A private client of another agency: answered as a client never recorded.
        let private = client(
            &mut g,
            &b.cm,
            Some("2000-01-01"),
            Some(Sex::Female),
            ClientRestriction::RestrictToOrganization,
        );
        let hidden = g
            .when(&a.cm, &void(household, private, false))
            .then_refused(ErrorCode::NotFound, Some("clientId"));
        let never = g
            .when(&a.cm, &void(household, ClientId::new(7), false))
            .then_refused(ErrorCode::NotFound, Some("clientId"));
        assert_eq!(
            hidden, never,
            "the same answer as for a client never recorded"
        );
    }

    #[test]
    fn a_membership_is_corrected_field_by_field() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let (household, head, child) = household_of(&mut g, &a);
        let fix = |client, corrections| CorrectHouseholdMembership {
            household,
            client,
            corrections,
            reason: "the intake form says otherwise".into(),
        };
        let grandchild = fix(
            child,
            vec![
                Correction::RelationshipToHoH(RelationshipToHoH::OtherRelative),
                Correction::Date(date("2026-02-01")),
            ],
        );
        g.when(&a.cm, &grandchild).then(vec![
            RecordCorrected {
                record_id: household.as_u128(),
                client_id: child,
                kind: RecordKind::HouseholdMembership,
                corrections: grandchild.corrections.clone(),
                reason: Pii::new("the intake form says otherwise".into()),
            }
            .into(),
        ]);
        g.run(&a.cm, &grandchild);
        let h = g.state.write_model().household(household).expect("formed");
        let member = h
            .members
            .iter()
            .find(|m| m.client == child)
            .expect("member");
        assert_eq!(member.relationship, RelationshipToHoH::OtherRelative);
        assert_eq!(member.joined, date("2026-02-01"));
        g.when(&a.cm, &grandchild)
            .then_refused(ErrorCode::Conflict, Some("corrections"));
        let refused = |cmd: CorrectHouseholdMembership, field: &str| {
            g.when(&a.cm, &cmd)
                .then_refused(ErrorCode::Validation, Some(field));
        };
        refused(
            fix(
                head,
                vec![Correction::RelationshipToHoH(RelationshipToHoH::Child)],
            ),
            "corrections[0].relationshipToHoH",
        );
        refused(
            fix(
                child,
                vec![Correction::RelationshipToHoH(
                    RelationshipToHoH::SelfHeadOfHousehold,
                )],
            ),
            "corrections[0].relationshipToHoH",
        );
        refused(
            fix(child, vec![Correction::EntryDate(date("2026-02-01"))]),
            "corrections[0].entryDate",
        );
        refused(
            fix(child, vec![Correction::Date(date("2026-12-02"))]),
            "corrections[0].date",
        );
        // The head's date is the household's start.
        g.run(
            &a.cm,
            &fix(head, vec![Correction::Date(date("2025-12-15"))]),
        );
        let h = g.state.write_model().household(household).expect("formed");
        assert_eq!(h.members[0].joined, date("2025-12-15"));
    }
}
