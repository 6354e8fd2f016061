//! Commands of the duplicate queue: flag a client as probably already in HMIS, mark a pair
//! "not a duplicate", merge a duplicate into a survivor, and undo a merge.

use crate::ids::{ClientId, DuplicateFlagId, MergeId};

/// Merges `duplicate` into `survivor` (system administrators): the duplicate's records move to
/// the survivor keeping their owner, restriction and the sharing they were recorded under, and
/// the duplicate's id answers as the survivor's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeClients {
    /// The merge's id (chosen by the caller; an unmerge names it).
    pub id: MergeId,
    /// The client that stays.
    pub survivor: ClientId,
    /// The client merged into it.
    pub duplicate: ClientId,
    /// Why (required; kept sealed with the duplicate's data).
    pub reason: String,
}

/// Undoes a merge (system administrators): both clients are as they were before it, and what
/// was recorded for the merged client since stays with the survivor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnmergeClients {
    /// The merge to undo.
    pub merge: MergeId,
    /// Why (required).
    pub reason: String,
}

/// "I think this person is already in HMIS": agency staff flag a client they can see for the
/// system administrators' duplicate queue, learning nothing of any other client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagPossibleDuplicate {
    /// The flag's id.
    pub id: DuplicateFlagId,
    /// The client flagged.
    pub client: ClientId,
    /// What the agency knows (required).
    pub note: String,
}

/// Marks a pair of clients "not a duplicate" (system administrators): the queue remembers it
/// and no longer proposes the pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DismissDuplicatePair {
    /// One client of the pair.
    pub first: ClientId,
    /// The other.
    pub second: ClientId,
    /// Why (required).
    pub reason: String,
}

/// Clears a flag after review (system administrators): no duplicate was found, or it was
/// dealt with another way; the queue no longer lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClearDuplicateFlag {
    /// The flag.
    pub flag: DuplicateFlagId,
    /// What the review found (required).
    pub reason: String,
}
