//! The duplicate queue, kept as intakes change: the fast path of
//! `caseledger_core::duplicates::queue`. Each client's identity is filed under its blocking
//! keys, and a changed intake is compared only with the clients that share one of its keys —
//! which, by the rule that a pair is proposed only when it shares a key, finds every pair the
//! reference finds by comparing all of them.

use std::collections::{BTreeMap, BTreeSet};

use caseledger_core::duplicates::{self, BlockKey, Candidate, Identity, Match};
use caseledger_core::{ClientId, DuplicateFlagId};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde::{Deserialize, Serialize};

use crate::compact::Compact;

/// Identities, their keys and the pairs proposed.
#[derive(Clone, Default, Serialize, Deserialize)]
pub(crate) struct Duplicates {
    /// Each comparable client's identity (merged-away clients included, kept for an unmerge).
    identities: HashMap<ClientId, Identity>,
    /// Clients by blocking key (merged-away clients left out).
    blocks: HashMap<BlockKey, BTreeSet<ClientId>>,
    /// The pairs proposed, (lower id, higher id).
    pairs: BTreeMap<(ClientId, ClientId), Match>,
    /// Each client's partners in `pairs`.
    partners: HashMap<ClientId, BTreeSet<ClientId>>,
    /// Pairs marked "not a duplicate".
    dismissed: HashSet<(ClientId, ClientId)>,
    /// Clients merged away: in no pair.
    merged_away: HashSet<ClientId>,
    /// Flags raised, in the order raised: the client and the flag event (its note sealed).
    pub flags: Vec<(DuplicateFlagId, ClientId, Compact)>,
}

fn pair(a: ClientId, b: ClientId) -> (ClientId, ClientId) {
    (a.min(b), a.max(b))
}

impl Duplicates {
    /// Files the client's current identity (`None`: nothing left to compare, e.g. forgotten).
    pub fn set(&mut self, client: ClientId, identity: Option<Identity>) {
        self.withdraw(client);
        match identity {
            Some(identity) => {
                self.identities.insert(client, identity);
                self.file(client);
            }
            None => {
                self.identities.remove(&client);
            }
        }
    }

    /// The client leaves the queue while merged away.
    pub fn merged(&mut self, client: ClientId) {
        self.withdraw(client);
        self.merged_away.insert(client);
    }

    /// The client is back in the queue after an unmerge.
    pub fn unmerged(&mut self, client: ClientId) {
        if self.merged_away.remove(&client) {
            self.file(client);
        }
    }

    /// A pair is marked "not a duplicate".
    pub fn dismiss(&mut self, a: ClientId, b: ClientId) {
        let key = pair(a, b);
        self.dismissed.insert(key);
        self.unpair(key);
    }

    /// Whether the pair was marked "not a duplicate".
    pub fn is_dismissed(&self, a: ClientId, b: ClientId) -> bool {
        self.dismissed.contains(&pair(a, b))
    }

    /// The clients an identity not yet filed would be proposed with (any client sharing one of
    /// its keys whose pair reaches the threshold).
    pub fn matching(&self, identity: &Identity) -> Vec<ClientId> {
        self.sharing_a_key(&identity.keys())
            .into_iter()
            .filter(|other| {
                self.identities
                    .get(other)
                    .is_some_and(|theirs| duplicates::compare(identity, theirs).is_some())
            })
            .collect()
    }

    /// The queue, in [`duplicates::queue_order`].
    pub fn queue(&self) -> Vec<Candidate> {
        let mut out: Vec<Candidate> = self
            .pairs
            .iter()
            .map(|(&(first, second), matched)| Candidate {
                first,
                second,
                matched: matched.clone(),
            })
            .collect();
        out.sort_by(duplicates::queue_order);
        out
    }

    /// The pairs a client is in.
    pub fn pairs_of(&self, client: ClientId) -> Vec<Candidate> {
        let mut out: Vec<Candidate> = self
            .partners
            .get(&client)
            .into_iter()
            .flatten()
            .filter_map(|other| {
                let (first, second) = pair(client, *other);
                self.pairs.get(&(first, second)).map(|m| Candidate {
                    first,
                    second,
                    matched: m.clone(),
                })
            })
            .collect();
        out.sort_by(duplicates::queue_order);
        out
    }

    /// Takes the client out of its blocks and pairs (its identity stays).
    fn withdraw(&mut self, client: ClientId) {
        if let Some(identity) = self.identities.get(&client) {
            for key in identity.keys() {
                if let Some(set) = self.blocks.get_mut(&key) {
                    set.remove(&client);
                    if set.is_empty() {
                        self.blocks.remove(&key);
                    }
                }
            }
        }
        for other in self.partners.remove(&client).unwrap_or_default() {
            self.pairs.remove(&pair(client, other));
            if let Some(p) = self.partners.get_mut(&other) {
                p.remove(&client);
            }
        }
    }

    /// Files the client under its keys and compares it with every client sharing one.
    fn file(&mut self, client: ClientId) {
        if self.merged_away.contains(&client) {
            return;
        }
        let Some(identity) = self.identities.get(&client) else {
            return;
        };
        let keys = identity.keys();
        let found: Vec<(ClientId, Match)> = self
            .sharing_a_key(&keys)
            .into_iter()
            .filter(|other| *other != client && !self.dismissed.contains(&pair(client, *other)))
            .filter_map(|other| {
                let theirs = self.identities.get(&other)?;
                // In id order, as the reference compares.
                let (x, y) = if client < other {
                    (identity, theirs)
                } else {
                    (theirs, identity)
                };
                duplicates::compare(x, y).map(|m| (other, m))
            })
            .collect();
        for key in keys {
            self.blocks.entry(key).or_default().insert(client);
        }
        for (other, matched) in found {
            self.pairs.insert(pair(client, other), matched);
            self.partners.entry(client).or_default().insert(other);
            self.partners.entry(other).or_default().insert(client);
        }
    }

    /// The filed clients under any of `keys`.
    fn sharing_a_key(&self, keys: &[BlockKey]) -> BTreeSet<ClientId> {
        keys.iter()
            .filter_map(|key| self.blocks.get(key))
            .flatten()
            .copied()
            .collect()
    }

    fn unpair(&mut self, (a, b): (ClientId, ClientId)) {
        if self.pairs.remove(&(a, b)).is_some() {
            if let Some(p) = self.partners.get_mut(&a) {
                p.remove(&b);
            }
            if let Some(p) = self.partners.get_mut(&b) {
                p.remove(&a);
            }
        }
    }
}

/// A flag raised by an agency: "I think this person is already in HMIS".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateFlag {
    /// The flag.
    pub id: DuplicateFlagId,
    /// The client flagged.
    pub client: ClientId,
    /// What the agency knows (empty where the client's key is gone).
    pub note: String,
}
