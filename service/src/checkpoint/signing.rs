//! [`Service::checkpoint`](crate::Service::checkpoint): the service signing its own head.
//!
//! A child of the file format rather than part of it because it needs the service, and the
//! service's start reads checkpoint files (through `integrity`) as evidence: the format sits
//! below the service, this method above it.

use std::path::PathBuf;

use super::{Checkpoint, CheckpointError, key_path, load_or_create_key, save, sign};

impl crate::Service {
    /// Signs the current head for a session (auditors and system administrators only;
    /// `FORBIDDEN` for anyone else) and saves it in `checkpoints/`.
    pub fn sign_checkpoint(
        &self,
        session: &crate::Session,
    ) -> Result<Checkpoint, crate::CommandError> {
        crate::audit::require_auditor(&session.actor())?;
        self.checkpoint()
            .map(|(c, _)| c)
            .map_err(crate::CommandError::internal)
    }

    /// Signs the current head with the data directory's checkpoint key and saves it in
    /// `checkpoints/`; returns the checkpoint and where it was written. For the schedule and
    /// the operator's CLI on the data directory; an interface signs through
    /// [`Service::sign_checkpoint`](crate::Service::sign_checkpoint).
    pub fn checkpoint(&self) -> Result<(Checkpoint, PathBuf), CheckpointError> {
        let key = load_or_create_key(&key_path(self.data_dir()))?;
        let checkpoint = sign(&key, self.head());
        let path = save(&self.data_dir().join("checkpoints"), &checkpoint)?;
        tracing::info!(position = checkpoint.position, path = %path.display(), "checkpoint signed");
        Ok((checkpoint, path))
    }
}
