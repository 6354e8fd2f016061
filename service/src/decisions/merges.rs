//! The duplicate queue's commands: system administrators merge a duplicate into a survivor and
//! undo merges, mark pairs "not a duplicate" and clear flags they reviewed; agency staff flag a client they can see as
//! probably already in HMIS, learning nothing of any other client.
//!
//! A merge rewrites nothing: it is one event the rules read (`caseledger_core::sharing::merges`),
//! so an unmerge restores both clients exactly. Merges do not chain: a client other clients were
//! merged into is never merged away itself (merge those into its survivor instead), so an id is
//! resolved in one step everywhere.

use caseledger_core::commands::merges::{
    ClearDuplicateFlag, DismissDuplicatePair, FlagPossibleDuplicate, MergeClients, UnmergeClients,
};
use caseledger_core::events::{
    ClientsMerged, ClientsUnmerged, DuplicateFlagCleared, DuplicatePairDismissed,
    PossibleDuplicateFlagged,
};
use caseledger_core::{ClientId, Pii, input};
use caseledger_projections::{Projections, WriteModel};

use crate::commands::{
    client_access, conflict, forgotten, not_found, require_agency_staff, require_system_admin,
    require_text,
};
use crate::{Command, CommandError, Decision, Session};

impl Command for MergeClients {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        require_system_admin(&session.actor(), "merge clients")?;
        let w = p.write_model();
        existing(&w, self.survivor, "survivorId")?;
        existing(&w, self.duplicate, "duplicateId")?;
        if self.survivor == self.duplicate {
            return Err(CommandError::validation(
                "duplicateId",
                "a client cannot be merged into itself",
            ));
        }
        if let Some((_, survivor)) = w.merged_into(self.survivor) {
            return Err(conflict(
                "survivorId",
                format!("this client was merged into client {survivor}: merge into that one"),
            ));
        }
        if let Some((_, survivor)) = w.merged_into(self.duplicate) {
            return Err(conflict(
                "duplicateId",
                format!("this client is already merged into client {survivor}"),
            ));
        }
        if !w.merged_from(self.duplicate).is_empty() {
            return Err(conflict(
                "duplicateId",
                "other clients were merged into this one: merge it the other way round, or \
                 unmerge them first",
            ));
        }
        require_text("reason", &self.reason, input::STATED_REASON)?;
        // The reason is sealed under the duplicate's key, which forgetting destroyed.
        if w.forgotten(self.duplicate) {
            return Err(forgotten_field("duplicateId"));
        }
        Ok(Decision::events(vec![
            ClientsMerged {
                merge_id: self.id,
                survivor_id: self.survivor,
                duplicate_id: self.duplicate,
                reason: Pii::new(self.reason.clone()),
            }
            .into(),
        ]))
    }
}

impl Command for UnmergeClients {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        require_system_admin(&session.actor(), "unmerge clients")?;
        let w = p.write_model();
        let (survivor, duplicate, in_force) = w
            .merge(self.merge)
            .ok_or_else(|| not_found("mergeId", "merge"))?;
        if !in_force {
            return Err(conflict("mergeId", "the merge was already undone"));
        }
        require_text("reason", &self.reason, input::STATED_REASON)?;
        if w.forgotten(duplicate) {
            return Err(forgotten_field("mergeId"));
        }
        Ok(Decision::events(vec![
            ClientsUnmerged {
                merge_id: self.merge,
                survivor_id: survivor,
                duplicate_id: duplicate,
                reason: Pii::new(self.reason.clone()),
            }
            .into(),
        ]))
    }
}

impl Command for FlagPossibleDuplicate {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        let actor = session.actor();
        require_agency_staff(&actor, "flag possible duplicates")?;
        client_access(p, &actor, self.client, "clientId")?;
        require_text("note", &self.note, input::STATED_REASON)?;
        if p.write_model().forgotten(self.client) {
            return Err(forgotten());
        }
        Ok(Decision::events(vec![
            PossibleDuplicateFlagged {
                flag_id: self.id,
                client_id: self.client,
                note: Pii::new(self.note.clone()),
            }
            .into(),
        ]))
    }
}

impl Command for ClearDuplicateFlag {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        require_system_admin(&session.actor(), "review duplicates")?;
        let w = p.write_model();
        let client = w
            .open_duplicate_flag(self.flag)
            .ok_or_else(|| not_found("flagId", "open duplicate flag"))?;
        require_text("reason", &self.reason, input::STATED_REASON)?;
        if w.forgotten(client) {
            return Err(forgotten_field("flagId"));
        }
        Ok(Decision::events(vec![
            DuplicateFlagCleared {
                flag_id: self.flag,
                client_id: client,
                reason: Pii::new(self.reason.clone()),
            }
            .into(),
        ]))
    }
}

impl Command for DismissDuplicatePair {
    type Output = ();

    fn decide(&self, p: &Projections, session: &Session) -> Result<Decision, CommandError> {
        require_system_admin(&session.actor(), "review duplicates")?;
        let w = p.write_model();
        existing(&w, self.first, "firstId")?;
        existing(&w, self.second, "secondId")?;
        if self.first == self.second {
            return Err(CommandError::validation(
                "secondId",
                "a pair is two different clients",
            ));
        }
        for (client, field) in [(self.first, "firstId"), (self.second, "secondId")] {
            if let Some((_, survivor)) = w.merged_into(client) {
                return Err(conflict(
                    field,
                    format!("this client was merged into client {survivor}"),
                ));
            }
        }
        let (first, second) = (self.first.min(self.second), self.first.max(self.second));
        if w.dismissed(first, second) {
            return Err(conflict(
                "secondId",
                "the pair is already marked not a duplicate",
            ));
        }
        require_text("reason", &self.reason, input::STATED_REASON)?;
        if w.forgotten(first) {
            return Err(forgotten_field("firstId"));
        }
        Ok(Decision::events(vec![
            DuplicatePairDismissed {
                first,
                second,
                reason: Pii::new(self.reason.clone()),
            }
            .into(),
        ]))
    }
}

/// A client with an intake (system administrators see every client, so the id alone decides).
fn existing(w: &WriteModel<'_>, client: ClientId, field: &str) -> Result<(), CommandError> {
    w.client_creator(client)
        .map(|_| ())
        .ok_or_else(|| not_found(field, "client"))
}

/// [`forgotten`] naming the field that named the client.
fn forgotten_field(field: &str) -> CommandError {
    CommandError {
        field: Some(field.to_string()),
        ..forgotten()
    }
}

#[cfg(test)]
mod tests {
    use caseledger_core::commands::care::RecordService;
    use caseledger_core::hud::ServiceTypeCode;
    use caseledger_core::{ClientRestriction, DuplicateFlagId, MergeId, ServiceId};

    use super::*;
    use crate::ErrorCode;
    use crate::decisions::care::tests::{agency, client, shared_client};
    use crate::decisions::given::{Given, given};

    fn merge(g: &mut Given, survivor: ClientId, duplicate: ClientId) -> MergeClients {
        MergeClients {
            id: g.id(),
            survivor,
            duplicate,
            reason: "same SSN and date of birth".into(),
        }
    }

    fn service(g: &mut Given, client: ClientId) -> RecordService {
        RecordService {
            id: g.id::<ServiceId>(),
            client,
            enrollment: None,
            date: g.today(),
            service_type: ServiceTypeCode {
                record_type: 144,
                type_provided: 1,
            },
            description: String::new(),
            restriction: None,
            source_id: None,
        }
    }

    #[test]
    fn a_merge_is_one_event_and_the_duplicate_then_answers_as_the_survivor() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let survivor = shared_client(&mut g, &a);
        let duplicate = shared_client(&mut g, &a);
        let command = merge(&mut g, survivor, duplicate);
        g.when(&g.admin(), &command).then(vec![
            ClientsMerged {
                merge_id: command.id,
                survivor_id: survivor,
                duplicate_id: duplicate,
                reason: Pii::new("same SSN and date of birth".into()),
            }
            .into(),
        ]);
        g.run(&g.admin(), &command);
        let view = g.state.org_view(a.cm.viewer());
        let card = view.client_card(duplicate).expect("the merged client");
        assert_eq!(
            card.id, survivor,
            "the duplicate's id answers as the survivor"
        );
        let profile = view.client(survivor).expect("the survivor's profile");
        assert_eq!(profile.merged, vec![duplicate]);
        // Nothing is recorded under the id that no longer answers for itself.
        let record = service(&mut g, duplicate);
        let refused = g
            .when(&a.cm, &record)
            .then_refused(ErrorCode::Conflict, Some("clientId"));
        assert!(refused.message.contains(&survivor.to_string()));
        let record = service(&mut g, survivor);
        g.when(&a.cm, &record).decided();
    }

    #[test]
    fn only_system_administrators_merge_and_each_refusal_names_its_field() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let (s, d, other) = (
            shared_client(&mut g, &a),
            shared_client(&mut g, &a),
            shared_client(&mut g, &a),
        );
        let admin = g.admin();
        let command = merge(&mut g, s, d);
        g.when(&a.cm, &command)
            .then_refused(ErrorCode::Forbidden, None);
        let itself = merge(&mut g, s, s);
        g.when(&admin, &itself)
            .then_refused(ErrorCode::Validation, Some("duplicateId"));
        let nobody = g.id();
        let unknown = merge(&mut g, nobody, d);
        g.when(&admin, &unknown)
            .then_refused(ErrorCode::NotFound, Some("survivorId"));
        let blank = MergeClients {
            reason: " ".into(),
            ..merge(&mut g, s, d)
        };
        g.when(&admin, &blank)
            .then_refused(ErrorCode::Validation, Some("reason"));
        g.run(&admin, &command);
        let again = merge(&mut g, other, d);
        g.when(&admin, &again)
            .then_refused(ErrorCode::Conflict, Some("duplicateId"));
        let into_merged = merge(&mut g, d, other);
        g.when(&admin, &into_merged)
            .then_refused(ErrorCode::Conflict, Some("survivorId"));
        // Merges do not chain: the survivor of a merge in force is not merged away.
        let chain = merge(&mut g, other, s);
        g.when(&admin, &chain)
            .then_refused(ErrorCode::Conflict, Some("duplicateId"));
        let onto = merge(&mut g, s, other);
        g.when(&admin, &onto).decided();
    }

    #[test]
    fn an_unmerge_restores_both_clients_and_is_refused_twice() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let (s, d) = (shared_client(&mut g, &a), shared_client(&mut g, &a));
        let admin = g.admin();
        let command = merge(&mut g, s, d);
        g.run(&admin, &command);
        let unmerge = UnmergeClients {
            merge: command.id,
            reason: "twins".into(),
        };
        g.when(&a.cm, &unmerge)
            .then_refused(ErrorCode::Forbidden, None);
        let unknown = UnmergeClients {
            merge: g.id::<MergeId>(),
            ..unmerge.clone()
        };
        g.when(&admin, &unknown)
            .then_refused(ErrorCode::NotFound, Some("mergeId"));
        g.when(&admin, &unmerge).then(vec![
            ClientsUnmerged {
                merge_id: command.id,
                survivor_id: s,
                duplicate_id: d,
                reason: Pii::new("twins".into()),
            }
            .into(),
        ]);
        g.run(&admin, &unmerge);
        let view = g.state.org_view(a.cm.viewer());
        assert_eq!(view.client_card(d).map(|c| c.id), Some(d));
        assert!(view.client(s).expect("the survivor").merged.is_empty());
        g.when(&admin, &unmerge)
            .then_refused(ErrorCode::Conflict, Some("mergeId"));
    }

    #[test]
    fn a_merge_never_widens_what_an_organization_sees() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let b = agency(&mut g, "Valley");
        // A's client is A's alone; B's client is shared with everyone.
        let survivor = client(
            &mut g,
            &a.cm,
            Some("1990-04-02"),
            None,
            ClientRestriction::RestrictToOrganization,
        );
        let duplicate = shared_client(&mut g, &b);
        let a_service = service(&mut g, survivor);
        g.run(&a.cm, &a_service);
        let command = merge(&mut g, survivor, duplicate);
        g.run(&g.admin(), &command);
        // B sees the merged client as it saw its own: B's intake and records, nothing of A's.
        let seen = g
            .state
            .org_view(b.cm.viewer())
            .client(duplicate)
            .expect("B's client, merged");
        assert_eq!(seen.intake.client_id, survivor);
        assert_eq!(
            seen.intake.organization_id, b.org,
            "B's own intake, not A's"
        );
        let records = g.state.org_view(b.cm.viewer()).transactions(survivor, None);
        assert!(
            records.iter().all(|r| r.id != a_service.id.as_u128()),
            "A's restricted client's records stay A's"
        );
        // A sees its own intake and records; B's client is read as a global share.
        let seen = g
            .state
            .org_view(a.cm.viewer())
            .client(survivor)
            .expect("A's client");
        assert_eq!(seen.intake.organization_id, a.org);
    }

    #[test]
    fn a_flag_is_raised_only_for_a_client_the_agency_can_see_and_says_nothing_of_others() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let b = agency(&mut g, "Valley");
        let visible = shared_client(&mut g, &a);
        let hidden = client(
            &mut g,
            &a.cm,
            None,
            None,
            ClientRestriction::RestrictToOrganization,
        );
        let flag = |client| FlagPossibleDuplicate {
            id: DuplicateFlagId::new(77),
            client,
            note: "says she stayed at the family shelter in 2023".into(),
        };
        g.when(&b.cm, &flag(visible)).then(vec![
            PossibleDuplicateFlagged {
                flag_id: DuplicateFlagId::new(77),
                client_id: visible,
                note: Pii::new("says she stayed at the family shelter in 2023".into()),
            }
            .into(),
        ]);
        let unseen = g
            .when(&b.cm, &flag(hidden))
            .then_refused(ErrorCode::NotFound, Some("clientId"));
        let nobody = g.id();
        let never = g
            .when(&b.cm, &flag(nobody))
            .then_refused(ErrorCode::NotFound, Some("clientId"));
        assert_eq!(unseen, never, "a hidden client answers as an id never used");
        g.when(&g.admin(), &flag(visible))
            .then_refused(ErrorCode::Forbidden, None);
    }

    #[test]
    fn a_reviewed_flag_is_cleared_once_by_a_system_administrator() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let c = shared_client(&mut g, &a);
        let flag = DuplicateFlagId::new(77);
        g.run(
            &a.cm,
            &FlagPossibleDuplicate {
                id: flag,
                client: c,
                note: "says she stayed at the family shelter in 2023".into(),
            },
        );
        let clear = ClearDuplicateFlag {
            flag,
            reason: "no other record of her found".into(),
        };
        g.when(&g.admin(), &clear).then(vec![
            DuplicateFlagCleared {
                flag_id: flag,
                client_id: c,
                reason: Pii::new("no other record of her found".into()),
            }
            .into(),
        ]);
        g.when(&a.cm, &clear)
            .then_refused(ErrorCode::Forbidden, None);
        g.when(
            &g.admin(),
            &ClearDuplicateFlag {
                reason: " ".into(),
                ..clear.clone()
            },
        )
        .then_refused(ErrorCode::Validation, Some("reason"));
        let admin = g.admin();
        g.run(&admin, &clear);
        let open = |g: &Given| {
            g.state
                .admin_view(g.admin().viewer())
                .map(|v| v.duplicate_flags().len())
        };
        assert_eq!(open(&g), Some(0), "the queue no longer lists it");
        g.when(&g.admin(), &clear)
            .then_refused(ErrorCode::NotFound, Some("flagId"));
    }

    #[test]
    fn a_pair_marked_not_a_duplicate_is_remembered() {
        let mut g = given();
        let a = agency(&mut g, "CCC");
        let (x, y) = (shared_client(&mut g, &a), shared_client(&mut g, &a));
        let admin = g.admin();
        let dismiss = DismissDuplicatePair {
            first: y,
            second: x,
            reason: "brothers".into(),
        };
        g.when(&a.cm, &dismiss)
            .then_refused(ErrorCode::Forbidden, None);
        g.when(&admin, &dismiss).then(vec![
            DuplicatePairDismissed {
                first: x.min(y),
                second: x.max(y),
                reason: Pii::new("brothers".into()),
            }
            .into(),
        ]);
        g.run(&admin, &dismiss);
        g.when(&admin, &dismiss)
            .then_refused(ErrorCode::Conflict, Some("secondId"));
    }
}
