//! What every route handler shares.

use std::time::Duration;

use caseledger_service::Service;

use crate::schema::ApiSchema;
use crate::throttle::AuthThrottle;

/// The router's state.
#[derive(Clone)]
pub struct AppState {
    /// The service every answer comes from.
    pub service: Service,
    /// The GraphQL schema.
    pub schema: ApiSchema,
    /// Failed sign-in budgets.
    pub throttle: std::sync::Arc<AuthThrottle>,
    /// How long one request may take.
    pub deadline: Duration,
}
