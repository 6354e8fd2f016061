//! The fast path of the sharing rules: the same decisions as
//! `caseledger_core::sharing::reference`, taken from the indexed store instead of by scanning
//! the history. Every convention documented there is followed here; the differential property
//! test holds the two equal.

use caseledger_core::sharing::PolicyRule;
use caseledger_core::sharing::{IntakeEditors, SummaryReaders};
use caseledger_core::sharing::{RecordRef, TransactionFacts, Viewer, Visibility};
use caseledger_core::{
    AccessReason, ClientId, ClientRestriction, Date, OrganizationId, RecordKind, Role,
    SharingPolicy, TransactionRestriction,
};

use crate::merges::Facts;
use crate::store::Store;

impl Store {
    /// What `viewer` may do with `record` on `date`.
    pub(crate) fn visibility(&self, viewer: &Viewer, record: &RecordRef, date: Date) -> Visibility {
        match *record {
            RecordRef::Intake(client) => self.intake_visibility(viewer, client, date),
            RecordRef::Transaction(id) => match self.transactions.get(&id) {
                Some(t) => self.transaction_visibility(viewer, &t.facts, date),
                None => Visibility::NONE,
            },
        }
    }

    pub(crate) fn intake_visibility(
        &self,
        viewer: &Viewer,
        client: ClientId,
        date: Date,
    ) -> Visibility {
        let Some(state) = self.clients.get(&client) else {
            return Visibility::NONE;
        };
        let Some(intake) = &state.intake else {
            return Visibility::NONE;
        };
        if viewer.organization == intake.organization_id {
            return Visibility::edit(AccessReason::OwnOrganization);
        }
        match viewer.role {
            Role::SystemAdmin => return Visibility::edit(AccessReason::SystemAdministrator),
            Role::HelpDesk => return Visibility::read(AccessReason::HelpDesk),
            Role::Auditor => return Visibility::read(AccessReason::Auditor),
            _ => {}
        }
        let Some(facts) = self.facts(client) else {
            return Visibility::NONE;
        };
        let restriction = facts.restriction_on(date);
        if restriction == ClientRestriction::RestrictToOrganization {
            return Visibility::NONE;
        }
        if self.policy_on(date).intake_editors == IntakeEditors::AllParticipating {
            return Visibility::edit(AccessReason::PolicyRule(PolicyRule::OpenIntake));
        }
        match restriction {
            ClientRestriction::ShareGlobally => Visibility::read(AccessReason::GlobalShare),
            ClientRestriction::ShareWithMou => {
                match self.sharing_path(&facts, intake.organization_id, viewer.organization, date) {
                    Some(reason) => Visibility::read(reason),
                    None => Visibility::NONE,
                }
            }
            ClientRestriction::RestrictToOrganization => Visibility::NONE,
        }
    }

    pub(crate) fn transaction_visibility(
        &self,
        viewer: &Viewer,
        t: &TransactionFacts,
        date: Date,
    ) -> Visibility {
        // A record entered in error is in no view.
        if self.voided.contains(&t.id) {
            return Visibility::NONE;
        }
        // The CoC's reading roles first: a role reads what its task needs, whoever owns it.
        match viewer.role {
            Role::Auditor => return Visibility::read(AccessReason::Auditor),
            Role::HelpDesk => {
                if !matches!(t.kind, RecordKind::Enrollment | RecordKind::Document) {
                    return Visibility::NONE;
                }
                return match self.open_request(t.client) {
                    Some(request) => Visibility::read(AccessReason::ClientRecordRequest(request)),
                    None => Visibility::NONE,
                };
            }
            _ => {}
        }
        if viewer.organization == t.owner.organization {
            if t.restriction == TransactionRestriction::RestrictToUser {
                if viewer.user == t.owner.user {
                    return Visibility::edit(AccessReason::OwnUser);
                }
                if viewer.role == Role::SystemAdmin {
                    return Visibility::read(AccessReason::SystemAdministrator);
                }
                return Visibility::NONE;
            }
            return Visibility::edit(AccessReason::OwnOrganization);
        }
        if viewer.role == Role::SystemAdmin {
            return Visibility::read(AccessReason::SystemAdministrator);
        }
        if t.restriction != TransactionRestriction::Unrestricted {
            return Visibility::NONE;
        }
        let (Some(state), Some(facts)) = (self.clients.get(&t.client), self.facts(t.client)) else {
            return Visibility::NONE;
        };
        let restricted = facts.restriction_on(date) == ClientRestriction::RestrictToOrganization;
        let creator = state.intake.as_ref().map(|i| i.organization_id);
        if restricted && creator != Some(viewer.organization) {
            return Visibility::NONE;
        }
        if let Some(reason) =
            self.sharing_path(&facts, t.owner.organization, viewer.organization, date)
        {
            return Visibility::read(reason);
        }
        if matches!(t.kind, RecordKind::Enrollment | RecordKind::Service)
            && !restricted
            && self.policy_on(date).enrollment_summary_readers == SummaryReaders::AllParticipating
        {
            return Visibility::read(AccessReason::PolicyRule(PolicyRule::OpenEnrollmentSummary));
        }
        Visibility::NONE
    }

    /// The first open client record request (in submission order) of any member of the merged
    /// client `client` belongs to.
    fn open_request(&self, client: ClientId) -> Option<caseledger_core::RecordRequestId> {
        self.members(self.resolved(client))
            .filter_map(|m| self.clients.get(&m))
            .filter_map(|c| c.open_requests.first())
            .min_by_key(|r| self.request_seq.get(r).copied().unwrap_or(0))
            .copied()
    }

    /// The sharing path from `from` to `to` for records judged by `facts` on `date`: the MOU
    /// assignment first, then release exceptions in grant order.
    fn sharing_path(
        &self,
        facts: &Facts<'_>,
        from: OrganizationId,
        to: OrganizationId,
        date: Date,
    ) -> Option<AccessReason> {
        let assigned = facts
            .assignments()
            .rev()
            .filter(|a| !self.voided.contains(&a.0.as_u128()))
            .find(|a| a.2.contains(date))
            .map(|a| a.1);
        if let Some(mou) = assigned
            && let Some(m) = self.mous.get(&mou).and_then(|m| m.on(date))
            && m.window.contains(date)
            && m.participants.get(&from).is_some_and(|d| d.grants())
            && m.participants.get(&to).is_some_and(|d| d.receives())
        {
            return Some(AccessReason::Mou(mou));
        }
        facts
            .releases()
            .filter(|r| !self.voided.contains(&r.id.as_u128()))
            .find(|r| r.granting == from && r.accessing == to && r.when.contains(date))
            .map(|r| AccessReason::ReleaseException(r.id))
    }

    /// The policy in force on `date`: the last one effective by then, else the first recorded,
    /// else `clienttrack` in UTC.
    pub(crate) fn policy_on(&self, date: Date) -> std::borrow::Cow<'_, SharingPolicy> {
        let current = self
            .policies
            .iter()
            .rev()
            .find(|(effective, _)| *effective <= date);
        match current.or(self.policies.first()) {
            Some((_, p)) => std::borrow::Cow::Borrowed(p),
            None => std::borrow::Cow::Owned(SharingPolicy::clienttrack("UTC")),
        }
    }
}
