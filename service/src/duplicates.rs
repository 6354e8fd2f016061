//! The duplicate queue as system administrators read it: the pairs proposed across the CoC with
//! their evidence, and the flags agencies raised. No one else may ask (`FORBIDDEN`): an agency
//! learns of no client it cannot see, and its way into the queue is a flag
//! ([`FlagPossibleDuplicate`](caseledger_core::commands::merges::FlagPossibleDuplicate)).

use caseledger_core::duplicates::Candidate;
use caseledger_projections::DuplicateFlag;

use crate::commands::{CommandError, forbidden};
use crate::{Service, Session};

/// One page of the duplicate queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateQueue {
    /// How many pairs are proposed in all.
    pub total: usize,
    /// The page's pairs, highest score first.
    pub candidates: Vec<Candidate>,
    /// Every open flag (its client not merged away), in the order raised, with the pairs its
    /// client is in.
    pub flags: Vec<(DuplicateFlag, Vec<Candidate>)>,
}

impl Service {
    /// The duplicate queue from `offset`, at most `limit` pairs (system administrators only).
    pub fn duplicate_queue(
        &self,
        session: &Session,
        offset: usize,
        limit: usize,
    ) -> Result<DuplicateQueue, CommandError> {
        self.with_projections(|p| {
            let admin = p
                .admin_view(session.viewer())
                .ok_or_else(|| forbidden("only a system administrator may review duplicates"))?;
            let all = admin.duplicate_queue();
            let flags = admin
                .duplicate_flags()
                .into_iter()
                .map(|f| {
                    let pairs = admin.duplicate_pairs_of(f.client);
                    (f, pairs)
                })
                .collect();
            Ok(DuplicateQueue {
                total: all.len(),
                candidates: all.into_iter().skip(offset).take(limit).collect(),
                flags,
            })
        })
    }
}
