//! Merged clients in the store: which duplicate went into which survivor, and the sharing facts
//! that count for records of each origin — the fast path of
//! `caseledger_core::sharing::merges`, followed convention for convention.

use caseledger_core::events::{ClientsMerged, ClientsUnmerged};
use caseledger_core::{ClientId, ClientRestriction, Date, MouAssignmentId, MouId};

use crate::store::{ClientState, MergeState, Release, Store, TransactionRecord, Windowed};

/// The sharing facts that count for records of one origin, in log order: its own, then —
/// merged away — its survivor's recorded since the merge.
pub(crate) struct Facts<'a> {
    own: &'a ClientState,
    since: Option<(&'a ClientState, [usize; 3])>,
}

impl<'a> Facts<'a> {
    /// Restriction facts: (effective date, restriction); the intake's has no date.
    pub fn restrictions(
        &self,
    ) -> impl DoubleEndedIterator<Item = &'a (Option<Date>, ClientRestriction)> + use<'a> {
        let later = self.since.map_or(&[][..], |(s, m)| &s.restrictions[m[0]..]);
        self.own.restrictions.iter().chain(later)
    }

    /// MOU assignments.
    pub fn assignments(
        &self,
    ) -> impl DoubleEndedIterator<Item = &'a (MouAssignmentId, MouId, Windowed)> + use<'a> {
        let later = self.since.map_or(&[][..], |(s, m)| &s.assignments[m[1]..]);
        self.own.assignments.iter().chain(later)
    }

    /// Release exceptions.
    pub fn releases(&self) -> impl Iterator<Item = &'a Release> + use<'a> {
        let later = self.since.map_or(&[][..], |(s, m)| &s.releases[m[2]..]);
        self.own.releases.iter().chain(later)
    }

    /// The restriction on `date`: the last fact that applies by then; restricted to its
    /// organization when nothing applies (no intake yet).
    pub fn restriction_on(&self, date: Date) -> ClientRestriction {
        self.restrictions()
            .rev()
            .find(|(effective, _)| effective.is_none_or(|d| d <= date))
            .map_or(ClientRestriction::RestrictToOrganization, |(_, r)| *r)
    }
}

impl Store {
    /// The id `client` answers as: its survivor while merged away, else itself.
    pub(crate) fn resolved(&self, client: ClientId) -> ClientId {
        self.merges.get(&client).map_or(client, |m| m.survivor)
    }

    /// The clients a survivor is made of: itself, then those merged into it, in merge order.
    pub(crate) fn members(&self, survivor: ClientId) -> impl Iterator<Item = ClientId> + '_ {
        std::iter::once(survivor).chain(self.absorbed.get(&survivor).into_iter().flatten().copied())
    }

    /// The records of every member of `survivor` (itself alone when nothing was merged into
    /// it), in log order. Only a merged client's are collected and sorted: the common case
    /// reads the client's own list as it stands.
    pub(crate) fn member_records(
        &self,
        survivor: ClientId,
    ) -> impl Iterator<Item = &TransactionRecord> + '_ {
        let own = |client: ClientId| {
            self.clients
                .get(&client)
                .into_iter()
                .flat_map(|c| c.transactions.iter())
                .filter_map(|id| self.transactions.get(id))
        };
        let merged = self.absorbed.contains_key(&survivor);
        let alone = (!merged).then(|| own(survivor));
        let together = merged.then(|| {
            let mut records: Vec<&TransactionRecord> =
                self.members(survivor).flat_map(own).collect();
            records.sort_by_key(|t| t.seq);
            records.into_iter()
        });
        alone
            .into_iter()
            .flatten()
            .chain(together.into_iter().flatten())
    }

    /// `survivor` and every client ever merged into it (merges undone since included): whose
    /// events answer a question about the merged client on any date.
    pub(crate) fn ever_members(&self, survivor: ClientId) -> Vec<ClientId> {
        let mut all: Vec<ClientId> = self
            .merge_ids
            .values()
            .filter(|(s, _)| *s == survivor)
            .map(|(_, d)| *d)
            .collect();
        all.sort();
        all.dedup();
        all.insert(0, survivor);
        all
    }

    /// The log positions `of` lists for the merged client `client` answers as: its own and
    /// those of every client ever merged into it, in log order.
    pub(crate) fn merged_positions<'s>(
        &'s self,
        client: ClientId,
        of: impl Fn(ClientId) -> Option<&'s Vec<u64>>,
    ) -> Vec<u64> {
        let members = self.ever_members(self.resolved(client));
        let mut all: Vec<u64> = members
            .iter()
            .filter_map(|m| of(*m))
            .flatten()
            .copied()
            .collect();
        if members.len() > 1 {
            all.sort_unstable();
            all.dedup();
        }
        all
    }

    /// The sharing facts that count for records of `origin` (`None` for an unknown client).
    pub(crate) fn facts(&self, origin: ClientId) -> Option<Facts<'_>> {
        let own = self.clients.get(&origin)?;
        let since = self
            .merges
            .get(&origin)
            .and_then(|m| Some((self.clients.get(&m.survivor)?, m.marks)));
        Some(Facts { own, since })
    }

    /// Folds a merge: the duplicate answers as the survivor, and the caseload's audience
    /// entries of the duplicate's records move to the survivor.
    pub(crate) fn merge(&mut self, m: &ClientsMerged) {
        let (survivor, duplicate) = (m.survivor_id, m.duplicate_id);
        if survivor == duplicate {
            return;
        }
        if self.merges.contains_key(&duplicate) {
            self.end_merge(duplicate);
        }
        let s = self.clients.entry(survivor).or_default();
        let marks = [s.restrictions.len(), s.assignments.len(), s.releases.len()];
        self.merges.insert(
            duplicate,
            MergeState {
                id: m.merge_id,
                survivor,
                marks,
            },
        );
        self.absorbed.entry(survivor).or_default().push(duplicate);
        self.merge_ids.insert(m.merge_id, (survivor, duplicate));
        self.move_audience(duplicate, duplicate, survivor);
    }

    /// Folds an unmerge: both clients as they were; the survivor keeps its own entries.
    pub(crate) fn unmerge(&mut self, u: &ClientsUnmerged) {
        if self
            .merges
            .get(&u.duplicate_id)
            .is_some_and(|m| m.id == u.merge_id)
        {
            self.end_merge(u.duplicate_id);
        }
    }

    fn end_merge(&mut self, duplicate: ClientId) {
        let Some(m) = self.merges.remove(&duplicate) else {
            return;
        };
        if let Some(list) = self.absorbed.get_mut(&m.survivor) {
            list.retain(|d| *d != duplicate);
            if list.is_empty() {
                self.absorbed.remove(&m.survivor);
            }
        }
        self.move_audience(duplicate, m.survivor, duplicate);
        // The survivor stays where a record of its own or of another member puts it.
        let members: Vec<ClientId> = self.members(m.survivor).collect();
        for member in members {
            self.move_audience(member, m.survivor, m.survivor);
        }
    }

    /// Moves the caseload's audience entries of `origin`'s records from `from` to `to` (with
    /// `from == to`, makes sure they are there).
    fn move_audience(&mut self, origin: ClientId, from: ClientId, to: ClientId) {
        let Some(state) = self.clients.get(&origin) else {
            return;
        };
        let (mut organizations, mut users) = (Vec::new(), Vec::new());
        for t in state
            .transactions
            .iter()
            .filter_map(|id| self.transactions.get(id))
        {
            let f = &t.facts;
            if f.kind == caseledger_core::RecordKind::Enrollment {
                organizations.push(f.owner.organization);
            }
            if f.restriction == caseledger_core::TransactionRestriction::RestrictToUser {
                users.push(f.owner.user);
            }
        }
        for organization in organizations {
            let set = self.enrolled_by_org.entry(organization).or_default();
            set.remove(&from);
            set.insert(to);
        }
        for user in users {
            let set = self.restricted_to_user.entry(user).or_default();
            set.remove(&from);
            set.insert(to);
        }
    }
}
