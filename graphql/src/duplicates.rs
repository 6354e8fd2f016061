//! The duplicate queue: system administrators review probable duplicate pairs with their
//! evidence (`duplicateCandidates`), mark pairs "not a duplicate", merge a duplicate into a
//! survivor and undo a merge; agency staff flag a client they can see as probably already in
//! HMIS (`flagPossibleDuplicate`), learning nothing of any other client.

use async_graphql::{Context, ID, Object, SimpleObject};
use caseledger_core::commands::merges::{
    ClearDuplicateFlag, DismissDuplicatePair, FlagPossibleDuplicate, MergeClients, UnmergeClients,
};
use caseledger_core::duplicates::{Candidate, Evidence};
use caseledger_core::{AccessReason, ClientId, DuplicateFlagId, MergeId, RecordKind};
use caseledger_service::new_id;

use crate::accounts::WriteResult;
use crate::convert;
use crate::correction_mutations::write;
use crate::disclosure::{self, Shown, selected};
use crate::error::to_graphql;
use crate::resolver_context::{service, session};

/// One piece of evidence for a pair.
#[derive(SimpleObject)]
pub struct DuplicateEvidence {
    /// A stable code (`SAME_SSN`, `SAME_BIRTH_DATE`, `LAST_NAME_SOUNDS_ALIKE`, ...).
    pub code: String,
    /// The evidence in words.
    pub description: String,
    /// What it adds to (or takes from) the score.
    pub weight: i32,
}

/// A probable duplicate pair.
#[derive(SimpleObject)]
pub struct DuplicateCandidate {
    /// One client (the lower id).
    pub first_id: ID,
    /// The other client.
    pub second_id: ID,
    /// 0–100; pairs from 50 are proposed.
    pub score: i32,
    /// Why.
    pub evidence: Vec<DuplicateEvidence>,
}

/// A flag an agency raised.
#[derive(SimpleObject)]
pub struct DuplicateFlagEntry {
    /// The flag.
    pub id: ID,
    /// The client flagged.
    pub client_id: ID,
    /// What the agency knows.
    pub note: String,
    /// The pairs the client is in.
    pub candidates: Vec<DuplicateCandidate>,
}

/// A page of the duplicate queue.
#[derive(SimpleObject)]
pub struct DuplicateQueuePage {
    /// How many pairs are proposed in all.
    pub total: i32,
    /// The page's pairs, highest score first.
    pub candidates: Vec<DuplicateCandidate>,
    /// Every open flag, in the order raised.
    pub flags: Vec<DuplicateFlagEntry>,
}

/// What a merge wrote.
#[derive(SimpleObject)]
pub struct MergeResult {
    /// The merge (an unmerge names it).
    pub merge_id: ID,
    /// The log position written.
    pub position: u64,
}

/// What a flag wrote.
#[derive(SimpleObject)]
pub struct FlagResult {
    /// The flag.
    pub flag_id: ID,
    /// The log position written.
    pub position: u64,
}

/// The stable code of a piece of evidence.
fn code(e: Evidence) -> &'static str {
    match e {
        Evidence::SameSsn => "SAME_SSN",
        Evidence::SameHashedSsn => "SAME_HASHED_SSN",
        Evidence::SsnDiffers => "SSN_DIFFERS",
        Evidence::SameSsnLastFour => "SAME_SSN_LAST_FOUR",
        Evidence::SameBirthDate => "SAME_BIRTH_DATE",
        Evidence::BirthDateSwapped => "BIRTH_DATE_SWAPPED",
        Evidence::BirthDateDiffers => "BIRTH_DATE_DIFFERS",
        Evidence::SameLastName => "SAME_LAST_NAME",
        Evidence::LastNameSoundsAlike => "LAST_NAME_SOUNDS_ALIKE",
        Evidence::SameFirstName => "SAME_FIRST_NAME",
        Evidence::FirstNameClose => "FIRST_NAME_CLOSE",
    }
}

fn candidate(c: &Candidate) -> DuplicateCandidate {
    DuplicateCandidate {
        first_id: ID(c.first.to_string()),
        second_id: ID(c.second.to_string()),
        score: i32::from(c.matched.score),
        evidence: c
            .matched
            .evidence
            .iter()
            .map(|e| DuplicateEvidence {
                code: code(*e).to_string(),
                description: e.describe().to_string(),
                weight: e.weight(),
            })
            .collect(),
    }
}

/// Queries of the duplicate queue.
#[derive(Default)]
pub struct DuplicateQueries;

#[Object]
impl DuplicateQueries {
    /// Probable duplicate pairs across the CoC, highest score first, and the flags agencies
    /// raised. System administrators only. Recorded as a disclosure of each client named.
    async fn duplicate_candidates(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50, desc = "At most this many pairs (1–200).")] first: i32,
        #[graphql(default = 0, desc = "Skip this many pairs.")] offset: i32,
    ) -> async_graphql::Result<DuplicateQueuePage> {
        let a = session(ctx)?;
        let limit = usize::try_from(first)
            .ok()
            .filter(|n| (1..=200).contains(n))
            .ok_or_else(|| convert::invalid("first", "from 1 to 200"))?;
        let offset =
            usize::try_from(offset).map_err(|_| convert::invalid("offset", "not negative"))?;
        let queue = service(ctx)
            .duplicate_queue(a, offset, limit)
            .map_err(to_graphql)?;
        let mut named: Vec<ClientId> = queue
            .candidates
            .iter()
            .chain(queue.flags.iter().flat_map(|(_, pairs)| pairs.iter()))
            .flat_map(|c| [c.first, c.second])
            .chain(queue.flags.iter().map(|(f, _)| f.client))
            .collect();
        named.sort_unstable();
        named.dedup();
        let fields = selected(ctx);
        let position = service(ctx).projected_position();
        for client in named {
            disclosure::of(ctx).shown(
                client,
                false,
                Shown {
                    kind: RecordKind::Intake,
                    id: client.as_u128(),
                    fields: fields.clone(),
                    reason: AccessReason::SystemAdministrator,
                },
                position,
            );
        }
        Ok(DuplicateQueuePage {
            total: i32::try_from(queue.total).unwrap_or(i32::MAX),
            candidates: queue.candidates.iter().map(candidate).collect(),
            flags: queue
                .flags
                .iter()
                .map(|(f, pairs)| DuplicateFlagEntry {
                    id: ID(f.id.to_string()),
                    client_id: ID(f.client.to_string()),
                    note: f.note.clone(),
                    candidates: pairs.iter().map(candidate).collect(),
                })
                .collect(),
        })
    }
}

/// Mutations of the duplicate queue.
#[derive(Default)]
pub struct DuplicateMutations;

#[Object]
impl DuplicateMutations {
    /// Merges `duplicateId` into `survivorId` (system administrators). Every record keeps its
    /// owner, restriction and the sharing it was recorded under — a merge never widens what
    /// anyone sees — and the duplicate's id answers as the survivor's. Merges do not chain:
    /// a survivor of a merge in force is not merged away (CONFLICT).
    async fn merge_clients(
        &self,
        ctx: &Context<'_>,
        survivor_id: ID,
        duplicate_id: ID,
        #[graphql(desc = "Why (required, at most 500 characters).")] reason: String,
    ) -> async_graphql::Result<MergeResult> {
        let id: MergeId = new_id();
        let command = MergeClients {
            id,
            survivor: convert::id("survivorId", &survivor_id)?,
            duplicate: convert::id("duplicateId", &duplicate_id)?,
            reason,
        };
        let written = write(ctx, &command).await?;
        Ok(MergeResult {
            merge_id: ID(id.to_string()),
            position: written.position,
        })
    }

    /// Undoes a merge (system administrators): both clients as they were, records recorded for
    /// the merged client since staying with the survivor.
    async fn unmerge_clients(
        &self,
        ctx: &Context<'_>,
        merge_id: ID,
        #[graphql(desc = "Why (required, at most 500 characters).")] reason: String,
    ) -> async_graphql::Result<WriteResult> {
        let command = UnmergeClients {
            merge: convert::id("mergeId", &merge_id)?,
            reason,
        };
        write(ctx, &command).await
    }

    /// "I think this person is already in HMIS": flags a client you can see for the system
    /// administrators' duplicate queue. Answers NOT_FOUND for a client you cannot see, exactly
    /// as for an id never used.
    async fn flag_possible_duplicate(
        &self,
        ctx: &Context<'_>,
        client_id: ID,
        #[graphql(desc = "What you know (required, several lines, at most 500 characters).")]
        note: String,
    ) -> async_graphql::Result<FlagResult> {
        let id: DuplicateFlagId = new_id();
        let command = FlagPossibleDuplicate {
            id,
            client: convert::id("clientId", &client_id)?,
            note,
        };
        let written = write(ctx, &command).await?;
        Ok(FlagResult {
            flag_id: ID(id.to_string()),
            position: written.position,
        })
    }

    /// Clears a flag after review (system administrators): no duplicate was found, or it was
    /// dealt with another way; the queue no longer lists it. NOT_FOUND for a flag never raised
    /// or already cleared.
    async fn clear_duplicate_flag(
        &self,
        ctx: &Context<'_>,
        flag_id: ID,
        #[graphql(desc = "What the review found (required, at most 500 characters).")]
        reason: String,
    ) -> async_graphql::Result<WriteResult> {
        let command = ClearDuplicateFlag {
            flag: convert::id("flagId", &flag_id)?,
            reason,
        };
        write(ctx, &command).await
    }

    /// Marks a pair "not a duplicate" (system administrators); the queue no longer proposes it.
    async fn dismiss_duplicate_pair(
        &self,
        ctx: &Context<'_>,
        first_id: ID,
        second_id: ID,
        #[graphql(desc = "Why (required, at most 500 characters).")] reason: String,
    ) -> async_graphql::Result<WriteResult> {
        let command = DismissDuplicatePair {
            first: convert::id("firstId", &first_id)?,
            second: convert::id("secondId", &second_id)?,
            reason,
        };
        write(ctx, &command).await
    }
}
