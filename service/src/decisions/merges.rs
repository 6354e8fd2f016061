//! The duplicate queue's commands: system administrators merge a duplicate into a survivor and
//! undo merges, and mark pairs "not a duplicate"; agency staff flag a client they can see as
//! probably already in HMIS, learning nothing of any other client.
//!
//! A merge rewrites nothing: it is one event the rules read (`caseledger_core::sharing::merges`),
//! so an unmerge restores both clients exactly. Merges do not chain: a client other clients were
//! merged into is never merged away itself (merge those into its survivor instead), so an id is
//! resolved in one step everywhere.

use caseledger_core::commands::merges::{
    DismissDuplicatePair, FlagPossibleDuplicate, MergeClients, UnmergeClients,
};
use caseledger_core::events::{
    ClientsMerged, ClientsUnmerged, DuplicatePairDismissed, PossibleDuplicateFlagged,
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
