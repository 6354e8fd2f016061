//! Merges as the rules read them (DESIGN.md, "Corrections, voids and merges"): which client a
//! duplicate was merged into, which clients make up a merged client, and which sharing facts
//! count for a record of a given origin. Written to be read against the text, by scanning the
//! history, like [`reference`](super::reference), which states the rule these serve.
//!
//! Merges do not chain: a survivor of a merge in force is never merged away itself (the merge
//! command refuses it), so one step resolves any id.

use crate::events::Event;
use crate::ids::{ClientId, MergeId};

/// A merge in force: the duplicate's survivor, and where in the history the merge stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergeInForce {
    /// The merge.
    pub id: MergeId,
    /// The client the duplicate was merged into.
    pub survivor: ClientId,
    /// The merge event's index in the history: sharing facts of the survivor after it apply
    /// to the duplicate's records too.
    pub at: usize,
}

/// The merge `client` was merged away by, if it is in force (not undone since).
pub fn merge_of(history: &[Event], client: ClientId) -> Option<MergeInForce> {
    let mut current = None;
    for (at, event) in history.iter().enumerate() {
        match event {
            Event::ClientsMerged(m) if m.duplicate_id == client => {
                current = Some(MergeInForce {
                    id: m.merge_id,
                    survivor: m.survivor_id,
                    at,
                });
            }
            Event::ClientsUnmerged(u) if current.is_some_and(|c| c.id == u.merge_id) => {
                current = None;
            }
            _ => {}
        }
    }
    current
}

/// The id `client` answers as: its survivor while merged away, else itself.
pub fn resolved(history: &[Event], client: ClientId) -> ClientId {
    merge_of(history, client).map_or(client, |m| m.survivor)
}

/// The clients that make up `survivor` as one: itself first, then every client merged into it
/// and not unmerged, in the order they were merged.
pub fn members(history: &[Event], survivor: ClientId) -> Vec<ClientId> {
    let mut merged: Vec<(usize, ClientId)> = history
        .iter()
        .filter_map(|e| match e {
            Event::ClientsMerged(m) if m.survivor_id == survivor => Some(m.duplicate_id),
            _ => None,
        })
        .filter_map(|d| {
            merge_of(history, d)
                .filter(|m| m.survivor == survivor)
                .map(|m| (m.at, d))
        })
        .collect();
    merged.sort();
    merged.dedup();
    std::iter::once(survivor)
        .chain(merged.into_iter().map(|(_, d)| d))
        .collect()
}

/// Which sharing facts (restriction changes, MOU assignments, release exceptions) count for
/// records of one origin: the origin's own, and — while it is merged away — its survivor's
/// recorded after the merge (decisions about the merged client as a whole). The survivor's
/// earlier facts never reach the duplicate's records: a merge never widens what anyone sees.
#[derive(Debug, Clone, Copy)]
pub struct FactScope {
    origin: ClientId,
    merge: Option<MergeInForce>,
}

impl FactScope {
    /// The scope for records of `origin` in `history`.
    pub fn of(history: &[Event], origin: ClientId) -> Self {
        FactScope {
            origin,
            merge: merge_of(history, origin),
        }
    }

    /// Whether a fact about `client`, at index `at` of the history, counts.
    pub fn counts(&self, at: usize, client: ClientId) -> bool {
        client == self.origin
            || self
                .merge
                .is_some_and(|m| client == m.survivor && at > m.at)
    }
}
