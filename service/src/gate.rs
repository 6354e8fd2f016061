//! The fold gate and a request's share of it: the mechanism under `pin.rs`, kept apart so the
//! service handle and the session can hold them without importing what uses them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedRwLockReadGuard, RwLock};

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

    /// Lets go of the share (the fold may proceed).
    pub(crate) fn release(&self) {
        self.state().guard = None;
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

    /// A new pin holding a share of the gate.
    pub(crate) async fn pin(&self) -> Pin {
        let (guard, epoch) = self.share().await;
        Pin {
            state: Mutex::new(PinState {
                guard: Some(guard),
                epoch,
            }),
        }
    }

    /// Whether no fold went ahead of `pin` since it was taken.
    pub(crate) fn held(&self, pin: &Pin) -> bool {
        pin.state().epoch == self.broken.load(Ordering::SeqCst)
    }

    /// Takes a share for `pin` again (after [`Pin::release`]), at the current state.
    pub(crate) async fn renew(&self, pin: &Pin) {
        let (guard, epoch) = self.share().await;
        *pin.state() = PinState {
            guard: Some(guard),
            epoch,
        };
    }

    async fn share(&self) -> (OwnedRwLockReadGuard<()>, u64) {
        let guard = self.lock.clone().read_owned().await;
        (guard, self.broken.load(Ordering::SeqCst))
    }
}
