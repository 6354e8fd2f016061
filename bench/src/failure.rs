//! A failure of a run with the exit code it maps to.

/// A failure with the exit code it maps to.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) code: u8,
    pub(crate) error: anyhow::Error,
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(e: E) -> Self {
        let error: anyhow::Error = e.into();
        let code = if is_chain_error(&error) { 1 } else { 3 };
        Failure { code, error }
    }
}

/// Whether the failure is a log that does not verify (exit 1, as `caseledger` says it).
fn is_chain_error(error: &anyhow::Error) -> bool {
    use caseledger_service::ServiceError;
    error.chain().any(|cause| {
        cause
            .downcast_ref::<caseledger_log_store::LogError>()
            .is_some_and(|e| e.is_integrity())
            || matches!(
                cause.downcast_ref::<ServiceError>(),
                Some(ServiceError::Log(e)) if e.is_integrity()
            )
    })
}
