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

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedRwLockReadGuard, RwLock};

use crate::{Service, Session};

/// The longest the projector waits for pinned requests before folding anyway.
pub const PIN_WAIT: Duration = Duration::from_secs(2);

/// The fold gate: shared by pinned requests, exclusive to the fold.
#[derive(Default)]
pub(crate) struct Gate {
    lock: Arc<RwLock<()>>,
    /// Bumped each time a fold went ahead without waiting for every pin.
    broken: AtomicU64,
}

/// A request's share of the gate.
pub(crate) struct Pin {
    state: Mutex<PinState>,
}

struct PinState {
    guard: Option<OwnedRwLockReadGuard<()>>,
    /// The gate's `broken` count when the share was taken.
    epoch: u64,
}

impl Pin {
    fn state(&self) -> std::sync::MutexGuard<'_, PinState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Gate {
    /// Runs `fold` with the gate held exclusively, or without it once pinned requests held it
    /// longer than [`PIN_WAIT`] (breaking their pins).
    pub(crate) async fn exclusive<R>(&self, fold: impl FnOnce() -> R) -> R {
        match tokio::time::timeout(PIN_WAIT, self.lock.clone().write_owned()).await {
            Ok(_alone) => fold(),
            Err(_) => {
                self.broken.fetch_add(1, Ordering::SeqCst);
                tracing::warn!(
                    waited_ms = PIN_WAIT.as_millis() as u64,
                    "requests held their view longer than a fold may wait; they will be retried"
                );
                fold()
            }
        }
    }

    async fn share(&self) -> (OwnedRwLockReadGuard<()>, u64) {
        let guard = self.lock.clone().read_owned().await;
        (guard, self.broken.load(Ordering::SeqCst))
    }
}

impl Service {
    /// The session pinned to the projections as they are now, for the length of one request.
    pub async fn pin(&self, session: Session) -> Session {
        let (guard, epoch) = self.gate().share().await;
        session.with_pin(Arc::new(Pin {
            state: Mutex::new(PinState {
                guard: Some(guard),
                epoch,
            }),
        }))
    }

    /// Whether every read of a pinned session saw one position (always true unpinned): false
    /// when a fold had to go ahead while the session was pinned; its answer must not be sent.
    pub fn pin_held(&self, session: &Session) -> bool {
        session
            .pin()
            .is_none_or(|p| p.state().epoch == self.gate().broken.load(Ordering::SeqCst))
    }

    /// Lets go of a session's pin (the request is done reading).
    pub fn unpin(&self, session: &Session) {
        if let Some(p) = session.pin() {
            p.state().guard = None;
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
        pin.state().guard = None;
        let out = wait.await;
        let (guard, epoch) = self.gate().share().await;
        *pin.state() = PinState {
            guard: Some(guard),
            epoch,
        };
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
}
