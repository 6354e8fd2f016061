//! Bulk writes: many commands decided one after another on a private copy of the state, each
//! seeing the ones decided before it, then appended together at the head the copy was taken
//! at. The HMIS CSV importer writes this way, so an imported record passed exactly the rules a
//! write by staff passes, and nothing is written until the whole batch was decided.
//!
//! Consistency is the log's, as for [`Service::run`]: every append of the batch carries the
//! head it expects, so a write by another node between the copy and the commit (or between two
//! of the commit's appends) refuses the rest of the batch instead of interleaving with it.

use std::time::Duration;

use caseledger_core::{Actor, CorrelationId, Envelope, EventId, Header, Role, Timestamp, UserId};
use caseledger_log_store::LogError;
use caseledger_projections::Projections;
use tokio::sync::MutexGuard;

use crate::{Command, CommandError, Service, ServiceError, Session};

/// How long a batch waits for the views to reflect the log before it starts, and for them to
/// reflect its own events after it was written (a large import folds for a while).
const BATCH_CATCH_UP: Duration = Duration::from_secs(600);

/// Events per append when a batch is committed (one append is one atomic, durable write).
const APPEND_CHUNK: usize = 4096;

/// Commands decided on a private copy of the state, not yet written (see the module
/// documentation). Other commands on this node wait until the batch is committed or dropped.
pub struct Batch<'s> {
    service: &'s Service,
    _one_at_a_time: MutexGuard<'s, ()>,
    scratch: Projections,
    base: u64,
    now: Timestamp,
    correlation: CorrelationId,
    envelopes: Vec<Envelope>,
}

/// Why a batch could not start or was not (wholly) written.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// Another writer appended to the log after the batch was decided: the events from
    /// `written` on were not written, since they were decided on a state that is no longer
    /// the log's.
    #[error(
        "another writer appended to the log while the batch was being written; {written} of \
         {total} events were written and the rest refused: run it again"
    )]
    Moved {
        /// Events written before the refusal.
        written: usize,
        /// Events in the batch.
        total: usize,
    },
    /// The log or the views failed.
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl Service {
    /// Starts a batch on the state that reflects the whole log as it is now.
    pub async fn batch(&self) -> Result<Batch<'_>, BatchError> {
        let guard = self.commands().lock().await;
        self.wait_for(self.head().position, BATCH_CATCH_UP).await?;
        let scratch = self.with_projections(|p| p.scratch_copy());
        Ok(Batch {
            service: self,
            _one_at_a_time: guard,
            base: scratch.position(),
            scratch,
            now: self.now(),
            correlation: CorrelationId::from_ulid(ulid::Ulid::new()),
            envelopes: Vec::new(),
        })
    }
}

impl Batch<'_> {
    /// The state as the batch has decided it so far: the log's at the start, and every
    /// command decided since.
    pub fn state(&self) -> &Projections {
        &self.scratch
    }

    /// A session for the first active system administrator, who acts for a bulk write that no
    /// user asked for (an import run by the operator); `None` before the store is bootstrapped.
    pub fn administrator(&self) -> Option<Session> {
        let w = self.scratch.write_model();
        let admin = w.system_administrators().first().copied()?;
        let facts = w.user(admin)?;
        Some(Session::new(Actor {
            user: admin,
            organization: facts.organization,
            role: Role::SystemAdmin,
        }))
    }

    /// A session for `user` as the batch's state knows them (a user created earlier in the
    /// batch included); `None` for an unknown or deactivated user.
    pub fn session_for(&self, user: UserId) -> Option<Session> {
        let facts = self.scratch.write_model().user(user).filter(|u| u.active)?;
        Some(Session::new(Actor {
            user,
            organization: facts.organization,
            role: facts.role,
        }))
    }

    /// Decides `command` for `session` on the batch's state, exactly as [`Service::run`] would
    /// decide it, and folds its events in so the next command sees them. A refusal changes
    /// nothing.
    pub fn decide<C: Command>(
        &mut self,
        session: &Session,
        command: &C,
    ) -> Result<C::Output, CommandError> {
        let decision = command.decide(&self.scratch, session)?;
        for event in decision.events {
            let header = Header {
                event_id: EventId::from_ulid(ulid::Ulid::new()),
                correlation_id: self.correlation,
                recorded_at: self.now,
                actor: session.actor(),
            };
            let position = self.scratch.position() + 1;
            self.scratch.apply_by(position, &header, &event);
            self.envelopes.push(Envelope::new(header, event));
        }
        Ok(decision.output)
    }

    /// Makes room for about `events` more decided events, so a large batch (an import that
    /// knows its row count) does not regrow and copy its list of events as it is decided.
    pub fn reserve(&mut self, events: usize) {
        self.envelopes.reserve(events);
    }

    /// Events decided so far.
    pub fn len(&self) -> usize {
        self.envelopes.len()
    }

    /// Whether nothing was decided.
    pub fn is_empty(&self) -> bool {
        self.envelopes.is_empty()
    }

    /// Writes every decided event, in order, each append expecting the head the previous one
    /// left, and waits until the views reflect them. `progress` hears `(written, total)`.
    /// Returns the position of the last event (the log's head when nothing was decided).
    pub async fn commit(self, progress: &(dyn Fn(u64, u64) + Sync)) -> Result<u64, BatchError> {
        let total = self.envelopes.len();
        if total > 0 {
            self.service
                .with_projections_mut(|live| live.reserve_like(&self.scratch));
        }
        let mut head = self.base;
        let mut written = 0;
        // Each append is sealed and encoded while the log writes the one before it, and
        // queued only once that one is durable, expecting the head it left: a refused append
        // is never followed by a later part of the batch.
        let mut chunks = self.envelopes.chunks(APPEND_CHUNK);
        let mut queued = match chunks.next() {
            Some(chunk) => Some((
                self.service
                    .queue_append(self.service.prepare_append(chunk, Some(head))?),
                chunk.len(),
            )),
            None => None,
        };
        while let Some((pending, len)) = queued.take() {
            let after = head + len as u64;
            let next = chunks
                .next()
                .map(|chunk| {
                    self.service
                        .prepare_append(chunk, Some(after))
                        .map(|request| (request, chunk.len()))
                })
                .transpose()?;
            match pending.await {
                Ok(appended) => head = appended.positions.last().copied().unwrap_or(head),
                Err(LogError::HeadMoved { .. }) => {
                    return Err(BatchError::Moved { written, total });
                }
                Err(e) => return Err(ServiceError::from(e).into()),
            }
            written += len;
            progress(written as u64, total as u64);
            queued = next.map(|(request, len)| (self.service.queue_append(request), len));
        }
        self.service.wait_for(head, BATCH_CATCH_UP).await?;
        Ok(head)
    }
}
