//! The views handed to the CoC lead's roles. Each is obtained only for a viewer of that role,
//! so a handler holding an `OrgView` cannot reach what only the help desk or an auditor may ask.

use caseledger_core::sharing::{RecordRef, Viewer, Visibility};
use caseledger_core::{ClientId, RecordKind, RecordRequestId, Role};

use crate::Projections;
use crate::search::ClientQuery;
use crate::view::{ClientSummary, OrgView, TransactionSummary};

/// The system administrator's view: everything the rules give a system administrator (all
/// intakes editable, every transaction readable) through the same questions as [`OrgView`].
pub struct AdminView<'a> {
    org: OrgView<'a>,
    pub(crate) projections: &'a Projections,
}

/// The help desk's view: find any client by HMIS id, search by name for an agency that cannot
/// find a record, and the records a client record dashboard shows while its request is open
/// (enrollments and documents; the help desk reads no other record, in this view or any).
pub struct HelpDeskView<'a> {
    org: OrgView<'a>,
}

/// The auditor's view: what any viewer may see of any record today, and every record.
pub struct AuditView<'a> {
    org: OrgView<'a>,
    projections: &'a Projections,
}

impl Projections {
    /// The system administrator's view, or `None` for any other role.
    pub fn admin_view(&self, viewer: Viewer) -> Option<AdminView<'_>> {
        (viewer.role == Role::SystemAdmin).then(|| AdminView {
            org: self.org_view(viewer),
            projections: self,
        })
    }

    /// The help desk's view, or `None` for any other role.
    pub fn help_desk_view(&self, viewer: Viewer) -> Option<HelpDeskView<'_>> {
        (viewer.role == Role::HelpDesk).then(|| HelpDeskView {
            org: self.org_view(viewer),
        })
    }

    /// The auditor's view (auditors and system administrators), or `None` for any other role.
    pub fn audit_view(&self, viewer: Viewer) -> Option<AuditView<'_>> {
        matches!(viewer.role, Role::Auditor | Role::SystemAdmin).then(|| AuditView {
            org: self.org_view(viewer),
            projections: self,
        })
    }
}

impl Projections {
    /// For the organization that created `client`: the log positions of the client's events
    /// and of the policy and MOU events (what its sharing is decided from), so it can be told
    /// who may see its client and why. `None` for any other viewer, and for a client that does
    /// not exist — the two answered alike.
    pub fn creator_sharing_positions(
        &self,
        viewer: Viewer,
        client: ClientId,
    ) -> Option<(Vec<u64>, Vec<u64>)> {
        let state = self.store.clients.get(&client)?;
        let creator = state.intake.as_ref()?.organization_id;
        if creator != viewer.organization
            || !matches!(viewer.role, Role::CaseManager | Role::AgencyAdmin)
        {
            return None;
        }
        let audit = &self.store.audit;
        Some((
            self.store
                .merged_positions(client, |c| audit.client_events.get(&c)),
            audit.sharing_events.clone(),
        ))
    }
}

impl<'a> AdminView<'a> {
    /// The questions every viewer can ask, answered with a system administrator's access.
    pub fn org(&self) -> &OrgView<'a> {
        &self.org
    }
}

impl HelpDeskView<'_> {
    /// Any client by HMIS id, restricted ones included (the help desk's first tool).
    pub fn client_by_hmis_id(&self, id: ClientId) -> Option<ClientSummary> {
        self.org.client(id)
    }

    /// Clients matching a search, whatever their restriction. The caller records the stated
    /// reason as a deliberate access.
    pub fn find_clients(
        &self,
        query: &ClientQuery,
        after: Option<ClientId>,
        limit: usize,
    ) -> Vec<ClientSummary> {
        self.org.find_clients(query, after, limit)
    }

    /// What a client record dashboard lists for an open request: the client's enrollments (in
    /// every participating project, regardless of sharing) and documents; never case notes.
    /// Empty when the request is not open or not this client's.
    pub fn dashboard_records(
        &self,
        client: ClientId,
        request: RecordRequestId,
    ) -> Vec<TransactionSummary> {
        self.org
            .transactions(client, None)
            .into_iter()
            .filter(|t| matches!(t.kind, RecordKind::Enrollment | RecordKind::Document))
            .filter(|t| {
                t.access.reason == Some(caseledger_core::AccessReason::ClientRecordRequest(request))
            })
            .collect()
    }
}

impl AuditView<'_> {
    /// What `other` may do with `record` on the views' date, and why.
    pub fn visibility_of(&self, other: Viewer, record: &RecordRef) -> Visibility {
        self.projections.org_view(other).visibility(record)
    }

    /// Every client with an intake, in id order.
    pub fn all_clients(&self) -> Vec<ClientId> {
        self.org.visible_clients()
    }

    /// Log positions of every event about the client (a merged-away id: its survivor) and the
    /// clients ever merged into it, in log order.
    pub fn client_event_positions(&self, client: ClientId) -> Vec<u64> {
        let store = &self.projections.store;
        store.merged_positions(client, |c| store.audit.client_events.get(&c))
    }

    /// [`Self::client_event_positions`] and those of every client the client was ever merged
    /// into: what an answer about a past day needs, when the client was merged then and has
    /// been unmerged since (the survivor's facts of those days counted for its records).
    pub fn client_event_positions_with_survivors(&self, client: ClientId) -> Vec<u64> {
        let store = &self.projections.store;
        let mut all = self.client_event_positions(client);
        let survivors = store.merge_ids.values().filter(|(_, d)| *d == client);
        let mut extra = false;
        for (survivor, _) in survivors {
            if let Some(events) = store.audit.client_events.get(survivor) {
                all.extend_from_slice(events);
                extra = true;
            }
        }
        if extra {
            all.sort_unstable();
            all.dedup();
        }
        all
    }

    /// Log positions of the policy and MOU events, in log order.
    pub fn sharing_event_positions(&self) -> &[u64] {
        &self.projections.store.audit.sharing_events
    }

    /// Log positions of disclosure records naming the client (shown or denied; any id, used or
    /// not), in log order.
    pub fn disclosures_of_client(&self, client: u128) -> Vec<u64> {
        let store = &self.projections.store;
        store.merged_positions(ClientId::new(client), |c| {
            store.audit.disclosures_by_client.get(&c.as_u128())
        })
    }

    /// Log positions of disclosure records of data shown to `user`, in log order.
    pub fn disclosures_to_user(&self, user: caseledger_core::UserId) -> &[u64] {
        self.projections
            .store
            .audit
            .disclosures_by_user
            .get(&user)
            .map_or(&[], Vec::as_slice)
    }

    /// Log positions of every disclosure record, in log order.
    pub fn disclosures(&self) -> &[u64] {
        &self.projections.store.audit.disclosures
    }

    /// The client's transactions an auditor reads: every record, as its metadata only (kind,
    /// id, owner, dates, restriction; no note text, answers or names), in log order. A system
    /// administrator holding this view reads them whole.
    pub fn transactions(&self, client: ClientId) -> Vec<TransactionSummary> {
        self.org.transactions(client, None)
    }
}

impl AdminView<'_> {
    /// The duplicate queue across the CoC, highest score first.
    pub fn duplicate_queue(&self) -> Vec<caseledger_core::duplicates::Candidate> {
        self.projections.store.duplicates.queue()
    }

    /// The proposed pairs a client is in.
    pub fn duplicate_pairs_of(
        &self,
        client: ClientId,
    ) -> Vec<caseledger_core::duplicates::Candidate> {
        self.projections.store.duplicates.pairs_of(client)
    }

    /// Flags raised for clients not merged away, in the order raised.
    pub fn duplicate_flags(&self) -> Vec<crate::DuplicateFlag> {
        let store = &self.projections.store;
        store
            .duplicates
            .flags
            .iter()
            .filter(|(_, client, _)| !store.merges.contains_key(client))
            .map(|(id, client, event)| crate::DuplicateFlag {
                id: *id,
                client: *client,
                note: match event.event(&store.keys) {
                    caseledger_core::Event::PossibleDuplicateFlagged(f) => {
                        f.note.as_clear().cloned().unwrap_or_default()
                    }
                    _ => String::new(),
                },
            })
            .collect()
    }
}
