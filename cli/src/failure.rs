//! A command's failure and the exit code it maps to (see the exit codes in `main.rs`).
//!
//! Apart from `main.rs` because every command returns it and `main.rs` runs every command.

/// A failure with the exit code it maps to.
#[derive(Debug)]
pub struct Failure {
    pub(crate) code: u8,
    pub(crate) error: anyhow::Error,
}

impl Failure {
    /// An import refused rows of its input.
    pub fn refused(error: impl Into<anyhow::Error>) -> Self {
        Failure {
            code: 4,
            error: error.into(),
        }
    }

    /// The command cannot run as asked (exit 2, as clap's usage errors).
    pub fn usage(error: impl Into<anyhow::Error>) -> Self {
        Failure {
            code: 2,
            error: error.into(),
        }
    }

    /// The log's chain does not verify.
    pub fn chain(error: impl Into<anyhow::Error>) -> Self {
        Failure {
            code: 1,
            error: error.into(),
        }
    }
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(e: E) -> Self {
        let error: anyhow::Error = e.into();
        let code = if is_chain_error(&error) { 1 } else { 3 };
        Failure { code, error }
    }
}

fn is_chain_error(error: &anyhow::Error) -> bool {
    use caseledger_service::ServiceError;
    use caseledger_service::checkpoint::CheckpointError;
    error.chain().any(|cause| {
        cause
            .downcast_ref::<caseledger_log_store::LogError>()
            .is_some_and(|e| e.is_integrity())
            || matches!(
                cause.downcast_ref::<ServiceError>(),
                Some(ServiceError::Log(e)) if e.is_integrity()
            )
            || matches!(
                cause.downcast_ref::<CheckpointError>(),
                Some(CheckpointError::Log(e)) if e.is_integrity()
            )
    })
}
