//! Find Client for agency staff, and the help desk's search of every client: who may search
//! how is decided here, the matching is the view's.

use caseledger_projections::{ClientCard, ClientQuery};

use crate::commands::forbidden;
use crate::{CommandError, Service, Session};

/// Which search a session asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchAs<'a> {
    /// Find Client through the session's own view. The help desk may look a client up only
    /// by HMIS id this way (by name they search with a reason).
    Routine,
    /// The help desk's search of every client; the reason (the call it answers) is kept with
    /// the disclosure record.
    HelpDesk {
        /// At least 10 characters of human text, at most 500.
        reason: &'a str,
    },
}

/// Shortest reason the help desk may give for a search.
pub const MIN_SEARCH_REASON: usize = 10;

impl Service {
    /// One page of clients matching `query` as the session may see them (`limit` rows after
    /// the client id `after`), with the view position they were read at.
    pub fn find_clients(
        &self,
        session: &Session,
        query: &ClientQuery,
        search: SearchAs<'_>,
        after: Option<caseledger_core::ClientId>,
        limit: usize,
    ) -> Result<(Vec<ClientCard>, u64), CommandError> {
        let help_desk = session.role() == caseledger_core::Role::HelpDesk;
        match search {
            SearchAs::Routine if help_desk && query.client_id.is_none() => {
                return Err(forbidden(
                    "the help desk searches by name through helpDeskFindClients, with a reason",
                ));
            }
            SearchAs::HelpDesk { .. } if !help_desk => {
                return Err(forbidden("only the help desk searches every client"));
            }
            SearchAs::HelpDesk { reason } => check_reason(reason)?,
            SearchAs::Routine => {}
        }
        if *query == ClientQuery::default() {
            return Err(CommandError::validation(
                "search",
                "give a name, date of birth, SSN last four or HMIS id",
            ));
        }
        Ok(self.read(session, |v| {
            (v.find_client_cards(query, after, limit), v.position())
        }))
    }
}

/// The help desk's stated reason: the text rule, and long enough to say something.
fn check_reason(reason: &str) -> Result<(), CommandError> {
    caseledger_core::input::STATED_REASON
        .check(reason)
        .map_err(|e| CommandError::validation("reason", e.to_string()))?;
    if reason.chars().count() < MIN_SEARCH_REASON {
        return Err(CommandError::validation(
            "reason",
            "state why you search (10 to 500 characters), e.g. the agency and the call",
        ));
    }
    Ok(())
}
