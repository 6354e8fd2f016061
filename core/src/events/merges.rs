//! Merges and the duplicate queue: the same person entered twice, found, flagged, merged, and
//! — when the merge was a mistake — unmerged. A merge rewrites nothing: every record keeps the
//! client it was recorded for (its origin), and the merge is a fact the rules read (see
//! `crate::sharing::reference`, "merges").

use serde::{Deserialize, Serialize};

use crate::ids::{ClientId, DuplicateFlagId, MergeId};
use crate::pii::Pii;

/// A duplicate client was merged into a survivor: from this event on the duplicate's id
/// answers as the survivor's, and the two are one client whose records keep their origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientsMerged {
    /// The merge (an unmerge names it).
    pub merge_id: MergeId,
    /// The client that stays.
    pub survivor_id: ClientId,
    /// The client merged into it (names the stream and the key that seals the reason).
    pub duplicate_id: ClientId,
    /// Why, in the system administrator's words (may name the client, so sealed).
    pub reason: Pii<String>,
}

/// A merge was undone: both clients, their records and their sharing are as they were before
/// it; what was recorded for the merged client meanwhile stays with the survivor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientsUnmerged {
    /// The merge undone.
    pub merge_id: MergeId,
    /// The survivor of that merge.
    pub survivor_id: ClientId,
    /// The duplicate of that merge, a client of its own again (names the stream).
    pub duplicate_id: ClientId,
    /// Why (sealed).
    pub reason: Pii<String>,
}

/// An agency thinks a client it can see is already in HMIS under another record, which it may
/// not be able to see: the client joins the system administrators' duplicate queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PossibleDuplicateFlagged {
    /// The flag.
    pub flag_id: DuplicateFlagId,
    /// The client flagged (names the stream).
    pub client_id: ClientId,
    /// What the agency knows ("says she was at the family shelter in 2023"; sealed).
    pub note: Pii<String>,
}

/// A pair of clients was reviewed and is not the same person: the queue no longer proposes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicatePairDismissed {
    /// One client of the pair (the lower id; names the stream).
    pub first: ClientId,
    /// The other client of the pair.
    pub second: ClientId,
    /// Why (sealed).
    pub reason: Pii<String>,
}

/// A flag was reviewed and cleared ("no duplicate found", or dealt with another way): the
/// queue no longer lists it. The flag itself stays in the client's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateFlagCleared {
    /// The flag.
    pub flag_id: DuplicateFlagId,
    /// The client flagged (names the stream).
    pub client_id: ClientId,
    /// What the review found (sealed).
    pub reason: Pii<String>,
}
