//! What an authenticated viewer can ask. Every answer is filtered by the sharing rules; an
//! invisible client or record is answered exactly as one that does not exist.

use caseledger_core::events::{ClientIntakeRecorded, Event};
use caseledger_core::sharing::{RecordRef, Viewer, Visibility};
use caseledger_core::{AccessLevel, ClientId, ClientRestriction, RecordKind};

use crate::Projections;
use crate::search::ClientQuery;
use crate::store::Store;

/// The read models as one viewer may see them on the projections' current date.
pub struct OrgView<'a> {
    store: &'a Store,
    viewer: Viewer,
    today: caseledger_core::Date,
}

/// A client as a viewer may see it: the intake they may read and their access level.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientSummary {
    /// The client's intake (current values).
    pub intake: ClientIntakeRecorded,
    /// What the viewer may do with the intake, and why.
    pub access: Visibility,
    /// The client's restriction on the view's date.
    pub restriction: ClientRestriction,
}

/// A transaction as a viewer may see it.
#[derive(Debug, Clone, PartialEq)]
pub struct TransactionSummary {
    /// The record id.
    pub id: u128,
    /// What kind of record it is.
    pub kind: RecordKind,
    /// The events that make up the record (creation first, then follow-ups).
    pub events: Vec<Event>,
    /// What the viewer may do with it, and why.
    pub access: Visibility,
}

impl Projections {
    /// The view of one viewer. The viewer must already be authenticated; the view decides what
    /// they may see.
    pub fn org_view(&self, viewer: Viewer) -> OrgView<'_> {
        OrgView {
            store: &self.store,
            viewer,
            today: self.today(),
        }
    }
}

impl OrgView<'_> {
    /// What the viewer may do with a record today.
    pub fn visibility(&self, record: &RecordRef) -> Visibility {
        self.store.visibility(&self.viewer, record, self.today)
    }

    /// The client's profile, or `None` when the viewer may not see its intake (or it does not
    /// exist: the two are indistinguishable).
    pub fn client(&self, id: ClientId) -> Option<ClientSummary> {
        let access = self.store.intake_visibility(&self.viewer, id, self.today);
        if access.level == AccessLevel::None {
            return None;
        }
        let state = self.store.clients.get(&id)?;
        let restriction = crate::access::restriction_on(state, self.today);
        Some(ClientSummary {
            intake: state.intake.clone()?,
            access,
            restriction,
        })
    }

    /// Find Client: clients whose intake the viewer may see and that match every part of the
    /// query, in id order, at most `limit` of them after `after`.
    pub fn find_clients(
        &self,
        query: &ClientQuery,
        after: Option<ClientId>,
        limit: usize,
    ) -> Vec<ClientSummary> {
        let Some(candidates) = self.store.search.matching(query) else {
            return Vec::new();
        };
        candidates
            .into_iter()
            .filter(|id| after.is_none_or(|a| *id > a))
            .filter_map(|id| self.client(id))
            .take(limit)
            .collect()
    }

    /// The client's transactions the viewer may see, in log order, optionally of one kind.
    /// An organization always sees what it recorded, even where it cannot see the intake.
    pub fn transactions(
        &self,
        client: ClientId,
        kind: Option<RecordKind>,
    ) -> Vec<TransactionSummary> {
        let Some(state) = self.store.clients.get(&client) else {
            return Vec::new();
        };
        state
            .transactions
            .iter()
            .filter_map(|id| self.store.transactions.get(id).map(|t| (id, t)))
            .filter(|(_, t)| kind.is_none_or(|k| t.facts.kind == k))
            .filter_map(|(id, t)| {
                let access = self
                    .store
                    .transaction_visibility(&self.viewer, &t.facts, self.today);
                (access.level != AccessLevel::None).then(|| TransactionSummary {
                    id: *id,
                    kind: t.facts.kind,
                    events: t.events.iter().map(|e| e.event()).collect(),
                    access,
                })
            })
            .collect()
    }

    /// Every client whose intake the viewer may see today, in id order: the audience indexes
    /// give the candidates (own, global, MOU, release grants; every client under an open-intake
    /// policy or for the CoC roles), and the rules decide.
    pub fn visible_clients(&self) -> Vec<ClientId> {
        use std::collections::BTreeSet;
        let s = self.store;
        let everyone = matches!(
            self.viewer.role,
            caseledger_core::Role::SystemAdmin
                | caseledger_core::Role::HelpDesk
                | caseledger_core::Role::Auditor
        ) || s.policy_on(self.today).intake_editors
            == caseledger_core::policy::IntakeEditors::AllParticipating;
        let candidates: BTreeSet<ClientId> = if everyone {
            s.clients.keys().copied().collect()
        } else {
            let org = self.viewer.organization;
            let mut c: BTreeSet<ClientId> =
                s.clients_by_creator.get(&org).cloned().unwrap_or_default();
            c.extend(s.global_clients.iter().copied());
            for (mou, clients) in &s.clients_by_mou {
                if s.mous
                    .get(mou)
                    .is_some_and(|m| m.participants.get(&org).is_some_and(|d| d.receives()))
                {
                    c.extend(clients.iter().copied());
                }
            }
            if let Some(r) = s.clients_by_release_to.get(&org) {
                c.extend(r.iter().copied());
            }
            c
        };
        candidates
            .into_iter()
            .filter(|id| {
                self.store
                    .intake_visibility(&self.viewer, *id, self.today)
                    .level
                    != AccessLevel::None
            })
            .collect()
    }
}
