//! One response, one position: a request's reads all see the projections at one log position.
//!
//! The projections are folded in place, so a request that reads several times (a client and
//! each of its lists) could otherwise see a different position at each read while its
//! disclosure record names one. A pinned [`Session`] holds a read share of the fold gate; the
//! projector takes the gate exclusively around each fold, so while a request is pinned nothing
//! changes under it.
//!
//! Writers must not wait behind a slow reader for long: the projector waits at most
//! [`PIN_WAIT`] for pinned requests to finish, then folds anyway and marks every pin taken
//! before as broken. A request whose pin broke answers a retry instead of a response that
//! could mix positions (the same bargain as rust-analyzer's cancellation, turned around:
//! readers, not writers, give way). A command run by a pinned session releases the pin while it
//! waits for its own write to be folded, and pins again after, so the rest of the response
//! reads one position that includes the write.

use std::sync::Arc;
use std::time::Duration;

use crate::{Service, Session};

impl Service {
    /// The session pinned to the projections as they are now, for the length of one request.
    pub async fn pin(&self, session: Session) -> Session {
        let fetches = self.keys().fetch_mark();
        session.with_pin(Arc::new(self.gate().pin().await), fetches)
    }

    /// Whether every read of a pinned session saw one position (always true unpinned): false
    /// when a fold had to go ahead while the session was pinned, or when a key could not be
    /// fetched from the shared key store meanwhile (a value would have read as erased); its
    /// answer must not be sent.
    pub fn pin_held(&self, session: &Session) -> bool {
        session.pin().is_none_or(|p| self.gate().held(p))
            && session
                .fetches()
                .is_none_or(|mark| self.keys().fetch_failed_since(mark).is_none())
    }

    /// Lets go of a session's pin (the request is done reading).
    pub fn unpin(&self, session: &Session) {
        if let Some(p) = session.pin() {
            p.release();
        }
    }

    /// Runs `wait` (which waits for the projector) with the session's pin let go, and pins the
    /// session again afterwards, at the newer position.
    pub(crate) async fn unpinned<R>(
        &self,
        session: &Session,
        wait: impl std::future::Future<Output = R>,
    ) -> R {
        let Some(pin) = session.pin() else {
            return wait.await;
        };
        pin.release();
        let out = wait.await;
        self.gate().renew(pin).await;
        out
    }

    /// Waits (at most `timeout`) until the views reflect `position`, for a pinned session too.
    pub async fn wait_visible(
        &self,
        session: &Session,
        position: u64,
        timeout: Duration,
    ) -> Result<(), crate::ServiceError> {
        self.unpinned(session, self.wait_for(position, timeout))
            .await
    }

    /// Waits (at most `timeout`) until the views reflect every event acknowledged before this
    /// call, for a pinned session too: what an audit answer waits for, so a disclosure another
    /// request was answered after is never missing from the access log asked for next.
    pub async fn wait_caught_up(
        &self,
        session: &Session,
        timeout: Duration,
    ) -> Result<(), crate::ServiceError> {
        self.wait_visible(session, self.head().position, timeout)
            .await
    }
}
