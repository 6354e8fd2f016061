//! The shape every write follows: a command is a value, its [`Command::decide`] is a pure
//! function of the state and the session, and [`Service::run`] appends what it decided with
//! the log position it decided on as the expected head.
//!
//! Consistency comes from the log, not from this process: when another writer (another
//! service instance on the same log) appended after the state was read, the log refuses the
//! append (`HeadMoved`, with the head it found) and the command is decided again on the state
//! that now includes that write — once this node's views reach that head, which on a shared
//! log may be a moment after the other node's commit — at most [`ATTEMPTS`] times. The process-wide command lock stays as a fast path, so on
//! one node the first attempt always holds.

use std::time::Duration;

use caseledger_core::{Actor, CorrelationId, Envelope, Event, EventId, Header};
use caseledger_log_store::LogError;
use caseledger_projections::Projections;

use crate::{CommandError, ErrorCode, Service, ServiceError, Session, Written};

/// What a command decided: the events to append, and what the caller learns besides where
/// they were written (ids the decision chose, the records it touched).
#[derive(Debug, Clone, PartialEq)]
pub struct Decision<O = ()> {
    /// The events, appended atomically in this order.
    pub events: Vec<Event>,
    /// The command's answer.
    pub output: O,
}

impl Decision<()> {
    /// A decision with nothing to answer but the events.
    pub fn events(events: Vec<Event>) -> Self {
        Decision { events, output: () }
    }
}

impl<O> Decision<O> {
    /// A decision with an answer.
    pub fn new(events: Vec<Event>, output: O) -> Self {
        Decision { events, output }
    }
}

/// One change a session asks for, with the rules that decide it.
pub trait Command {
    /// What the caller learns besides the positions written.
    type Output;

    /// The events this command becomes on `state` for `session`, or why it is refused (a
    /// refusal writes nothing). Pure: reads only its arguments, so the same state, session and
    /// command always decide the same.
    fn decide(
        &self,
        state: &Projections,
        session: &Session,
    ) -> Result<Decision<Self::Output>, CommandError>;
}

/// How many times a command is decided before the service gives up with `CONFLICT`.
pub const ATTEMPTS: usize = 5;

/// How long a command waits for the views to catch up with the log before deciding.
pub(crate) const CATCH_UP: Duration = Duration::from_secs(10);

/// Why an append of decided events did not land.
pub(crate) enum NotRecorded {
    /// Someone appended after the state the decision read (the log's head was at this
    /// position): decide again.
    Moved(u64),
    /// Refused or failed for good.
    Failed(CommandError),
}

impl Service {
    /// Runs a command for a session: decides it on state that reflects the whole log, appends
    /// the events with that state's position as the expected head, and waits until the views
    /// reflect them (read your own writes). Decided again when the log moved on meanwhile.
    pub async fn run<C: Command>(
        &self,
        session: &Session,
        command: &C,
    ) -> Result<(C::Output, Written), CommandError> {
        // A pinned request lets its view go while the write is folded, then reads after it.
        self.unpinned(session, self.run_now(session, command)).await
    }

    async fn run_now<C: Command>(
        &self,
        session: &Session,
        command: &C,
    ) -> Result<(C::Output, Written), CommandError> {
        for attempt in 1..=ATTEMPTS {
            let _fast_path = self.commands().lock().await;
            self.catch_up().await?;
            let (decided, at) =
                self.with_projections(|p| (command.decide(p, session), p.position()));
            let decision = decided?;
            match self
                .record(session.actor(), decision.events, Some(at))
                .await
            {
                Ok(written) => return Ok((decision.output, written)),
                Err(NotRecorded::Moved(actual)) => {
                    tracing::debug!(attempt, at, actual, "the log moved on; deciding again");
                    // Another node's write may not have reached this node's head yet: wait for
                    // the head the log answered, so the next decision sees what won.
                    self.wait_for(actual, CATCH_UP)
                        .await
                        .map_err(CommandError::internal)?;
                }
                Err(NotRecorded::Failed(e)) => return Err(e),
            }
        }
        Err(CommandError::new(
            ErrorCode::Conflict,
            format!(
                "the records changed while this was being decided, {ATTEMPTS} times in a row; \
                 try again"
            ),
        ))
    }

    /// Waits until the views reflect the log's head as it is now.
    pub(crate) async fn catch_up(&self) -> Result<(), CommandError> {
        self.wait_for(self.head().position, CATCH_UP)
            .await
            .map_err(CommandError::internal)
    }

    /// Appends decided events under one correlation id (accepted only while the log's head is
    /// at `at`, when given) and waits until the views reflect them.
    pub(crate) async fn record(
        &self,
        actor: Actor,
        events: Vec<Event>,
        at: Option<u64>,
    ) -> Result<Written, NotRecorded> {
        if events.is_empty() {
            return Ok(Written {
                positions: Vec::new(),
            });
        }
        let now = self.now();
        let correlation_id = CorrelationId::from_ulid(ulid::Ulid::new());
        let envelopes: Vec<Envelope> = events
            .into_iter()
            .map(|event| {
                let header = Header {
                    event_id: EventId::from_ulid(ulid::Ulid::new()),
                    correlation_id,
                    recorded_at: now,
                    actor,
                };
                Envelope::new(header, event)
            })
            .collect();
        let positions = self.append_at(&envelopes, at).await.map_err(|e| match e {
            ServiceError::Log(LogError::HeadMoved { actual, .. }) => NotRecorded::Moved(actual),
            ServiceError::Seal(caseledger_core::SealError::Forgotten(_)) => {
                NotRecorded::Failed(crate::commands::forgotten())
            }
            e => NotRecorded::Failed(CommandError::internal(e)),
        })?;
        let written = Written { positions };
        self.wait_for(written.position(), CATCH_UP)
            .await
            .map_err(|e| NotRecorded::Failed(CommandError::internal(e)))?;
        Ok(written)
    }
}
