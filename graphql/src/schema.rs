//! The GraphQL schema: queries and mutations, each checking the actor first.

use async_graphql::{EmptySubscription, MergedObject, Schema};
use caseledger_service::Service;

use crate::accounts::{AccountMutations, AccountQueries};
use crate::audit::{AuditMutations, AuditQueries};
use crate::client::ClientQueries;
use crate::client_mutations::ClientMutations;
use crate::correction_mutations::CorrectionMutations;
use crate::directory::{DirectoryQueries, SetupMutations};
use crate::duplicates::{DuplicateMutations, DuplicateQueries};
use crate::element_mutations::ElementMutations;
use crate::record_mutations::RecordMutations;
use crate::record_requests::{RequestMutations, RequestQueries};

/// The schema type served at `/graphql`.
pub type ApiSchema = Schema<Query, Mutation, EmptySubscription>;

/// Builds the schema; `service` is `None` only to print the SDL.
pub fn build(service: Option<Service>, dev: bool) -> ApiSchema {
    let mut builder = Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        // Depth and complexity are enforced by `RequestPhase` from the validator's measures, so
        // their refusals carry a code set by type, not guessed from a message.
        .extension(crate::phase::RequestPhase)
        .limit_recursive_depth(32);
    if !dev {
        builder = builder.disable_introspection().disable_suggestions();
    }
    if let Some(service) = service {
        builder = builder.data(service);
    }
    builder.finish()
}

/// The schema in SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    build(None, true).sdl()
}

/// Queries.
#[derive(MergedObject, Default)]
pub struct Query(
    AccountQueries,
    ClientQueries,
    DirectoryQueries,
    AuditQueries,
    RequestQueries,
    DuplicateQueries,
);

/// Mutations. Every text argument and input field is human text: no control characters (line
/// breaks and tabs only where its description allows several lines), no bidirectional
/// formatting characters (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C), and at most
/// the characters its description states. Every date is YYYY-MM-DD with a four-digit year, from
/// 1900-01-01; a date of something that happened is not after today, a planned one not more
/// than ten years after today, and neither before the client's date of birth. A value that
/// breaks these answers VALIDATION naming the field, and nothing is written.
#[derive(MergedObject, Default)]
pub struct Mutation(
    AccountMutations,
    SetupMutations,
    ClientMutations,
    RecordMutations,
    ElementMutations,
    CorrectionMutations,
    DuplicateMutations,
    AuditMutations,
    RequestMutations,
);
