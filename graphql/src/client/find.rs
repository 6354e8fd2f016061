//! Find Client, the help desk's search and the caseload: pages of clients.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use caseledger_core::ClientId;
use caseledger_projections::{ClientCard, ClientQuery};
use caseledger_service::SearchAs;

use super::object::{Client, read_client};
use super::read::{MAX_PAGE, note_intake, wait_for_position};
use crate::convert::{self, invalid};
use crate::disclosure::{self};
use crate::resolver_context::{service, session};

/// What Find Client searches by; every given part must match.
#[derive(InputObject, Default)]
pub struct ClientSearch {
    /// Name words (first, middle, last, suffix), each a whole word, any case.
    pub name: Option<String>,
    /// Date of birth (YYYY-MM-DD).
    pub dob: Option<String>,
    /// Last four digits of the SSN.
    pub ssn_last4: Option<String>,
    /// The HMIS id.
    pub client_id: Option<ID>,
}

/// One row of a client list.
#[derive(SimpleObject)]
pub struct ClientEdge {
    /// Pass as `after` to continue after this row.
    pub cursor: String,
    /// The client.
    pub node: Client,
}

/// Where a page ends.
#[derive(SimpleObject)]
pub struct PageInfo {
    /// Whether more rows follow.
    pub has_next_page: bool,
    /// The cursor of the last row.
    pub end_cursor: Option<String>,
}

/// A page of clients (Relay-style).
#[derive(SimpleObject)]
pub struct ClientConnection {
    /// The rows.
    pub edges: Vec<ClientEdge>,
    /// Where the page ends.
    pub page_info: PageInfo,
}

/// Names selected at `path` below the current field.
pub(crate) fn selected_at(ctx: &Context<'_>, path: &[&str]) -> Vec<String> {
    fn walk(field: async_graphql::SelectionField<'_>, path: &[&str], out: &mut Vec<String>) {
        match path.split_first() {
            None => out.extend(field.selection_set().map(|f| f.name().to_string())),
            Some((head, rest)) => {
                for child in field.selection_set().filter(|f| f.name() == *head) {
                    walk(child, rest, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(ctx.field(), path, &mut out);
    out.sort();
    out.dedup();
    out
}

/// Client queries.
#[derive(Default)]
pub struct ClientQueries;

#[Object]
impl ClientQueries {
    /// A client by HMIS id; null when the viewer may not see it, exactly as for an id never
    /// used; an id-only client (`idOnly`) when the viewer may not see the intake but its
    /// organization recorded something for the client. Pass `minPosition` (from a mutation)
    /// to read your own write.
    async fn client(
        &self,
        ctx: &Context<'_>,
        id: ID,
        min_position: Option<i64>,
    ) -> async_graphql::Result<Option<Client>> {
        session(ctx)?;
        let id: ClientId = convert::id("id", &id)?;
        wait_for_position(ctx, min_position).await?;
        read_client(ctx, id, true, "client")
    }

    /// Find Client: clients the viewer may see matching every part of the search, in id
    /// order (a search by HMIS id alone also finds an id-only client; names, date of birth and
    /// SSN never match one), `first` (at most 100) after the cursor `after`. Rows are recorded as incidental
    /// disclosures. The help desk searches by HMIS id here, and by name through
    /// `helpDeskFindClients`.
    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn find_clients(
        &self,
        ctx: &Context<'_>,
        search: ClientSearch,
        #[graphql(default = 20)] first: i32,
        after: Option<String>,
        min_position: Option<i64>,
    ) -> async_graphql::Result<ClientConnection> {
        find(ctx, search, first, after, min_position, SearchAs::Routine).await
    }

    /// The caseload: clients with an enrollment of the viewer's organization that is open or
    /// exited within the last 90 days (the exit date on or after today minus 90 days), and
    /// clients of the viewer's own restrict-to-user records — each as the viewer may see it
    /// (with its profile, or as an id only carrying the organization's own records), in id
    /// order, `first` (at most 100) after the cursor `after`. Rows are recorded as incidental
    /// disclosures, like Find Client's.
    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn caseload(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
        after: Option<String>,
        min_position: Option<i64>,
    ) -> async_graphql::Result<ClientConnection> {
        session(ctx)?;
        let limit = page_size(first)?;
        let after = cursor(after.as_ref())?;
        wait_for_position(ctx, min_position).await?;
        let (rows, position) = service(ctx).read(session(ctx)?, |v| {
            (v.caseload(after, limit + 1), v.position())
        });
        Ok(connection(ctx, rows, limit, position, false))
    }

    /// The help desk's search of every client (those restricted to their organization
    /// included), by name, date of birth, SSN last four or HMIS id, when an agency calls about
    /// a record it cannot find. `reason` (the call it answers) is required and kept with the
    /// disclosure record; every row counts as a deliberate access. Help desk only.
    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn help_desk_find_clients(
        &self,
        ctx: &Context<'_>,
        search: ClientSearch,
        #[graphql(
            desc = "The call this search answers: at least 10 characters. Several lines allowed, at most 500 characters."
        )]
        reason: String,
        #[graphql(default = 20)] first: i32,
        after: Option<String>,
    ) -> async_graphql::Result<ClientConnection> {
        let reason = reason.trim();
        let found = find(
            ctx,
            search,
            first,
            after,
            None,
            SearchAs::HelpDesk { reason },
        )
        .await?;
        disclosure::of(ctx).purpose(reason);
        Ok(found)
    }
}

/// A page of clients matching `search` for the viewer; rows noted as disclosed, deliberate or
/// incidental.
pub(crate) async fn find(
    ctx: &Context<'_>,
    search: ClientSearch,
    first: i32,
    after: Option<String>,
    min_position: Option<i64>,
    search_as: SearchAs<'_>,
) -> async_graphql::Result<ClientConnection> {
    // The help desk's searches are deliberate accesses; Find Client's rows are incidental.
    let deliberate = matches!(search_as, SearchAs::HelpDesk { .. });
    let limit = page_size(first)?;
    let query = ClientQuery {
        name: search
            .name
            .as_deref()
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_string)
            .collect(),
        dob: convert::opt_date("search.dob", &search.dob)?,
        ssn_last4: match &search.ssn_last4 {
            Some(s) if s.len() == 4 && s.chars().all(|c| c.is_ascii_digit()) => Some(s.clone()),
            Some(_) => return Err(invalid("search.ssnLast4", "four digits")),
            None => None,
        },
        client_id: convert::opt_id("search.clientId", &search.client_id)?,
    };
    let after = cursor(after.as_ref())?;
    wait_for_position(ctx, min_position).await?;
    let (rows, position) = service(ctx)
        .find_clients(session(ctx)?, &query, search_as, after, limit + 1)
        .map_err(crate::error::to_graphql)?;
    if rows.is_empty()
        && let Some(id) = query.client_id
    {
        // A search by HMIS id is a lookup: one that finds nothing is recorded as denied.
        disclosure::of(ctx).denied(id.as_u128(), "findClients", position);
    }
    Ok(connection(ctx, rows, limit, position, deliberate))
}

/// A page of `rows` (one more than `limit` fetched, to tell whether more follow), each noted as
/// disclosed, deliberate or incidental, with the fields selected under `edges.node`.
pub(crate) fn connection(
    ctx: &Context<'_>,
    mut rows: Vec<ClientCard>,
    limit: usize,
    position: u64,
    deliberate: bool,
) -> ClientConnection {
    let has_next_page = rows.len() > limit;
    rows.truncate(limit);
    let fields = selected_at(ctx, &["edges", "node"]);
    let edges: Vec<ClientEdge> = rows
        .into_iter()
        .map(|card| {
            note_intake(ctx, &card, deliberate, fields.clone(), position);
            ClientEdge {
                cursor: card.id.to_string(),
                node: Client::new(card, deliberate),
            }
        })
        .collect();
    ClientConnection {
        page_info: PageInfo {
            has_next_page,
            end_cursor: edges.last().map(|e| e.cursor.clone()),
        },
        edges,
    }
}

/// Checks a page size: 1 to [`MAX_PAGE`] rows.
pub(crate) fn page_size(first: i32) -> async_graphql::Result<usize> {
    if !(1..=MAX_PAGE).contains(&first) {
        return Err(crate::error::to_graphql(caseledger_service::CommandError {
            code: caseledger_service::ErrorCode::LimitExceeded,
            field: Some("first".into()),
            message: format!("a page holds 1 to {MAX_PAGE} rows"),
        }));
    }
    Ok(usize::try_from(first).unwrap_or(20))
}

/// Reads an `after` cursor of a client list.
pub(crate) fn cursor(after: Option<&String>) -> async_graphql::Result<Option<ClientId>> {
    after
        .map(|c| {
            c.parse()
                .map_err(|_| invalid("after", "not a cursor from this list"))
        })
        .transpose()
}
