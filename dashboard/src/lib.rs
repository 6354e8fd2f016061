//! The printable client record dashboard: the page a fulfilled client record request produces
//! ([`dashboard_html`]), the content security policy it carries and is served with
//! ([`style_policy`]), and the disclosure record of producing it outside a GraphQL request
//! ([`dashboard_disclosure`]).
//!
//! An interface of its own beside the HTTP API, not inside it: the API serves the page and
//! answers it over GraphQL, and the command line renders it offline (`caseledger
//! record-request render`), without depending on the HTTP layer. It reads only what the
//! service hands out (`caseledger_service::Dashboard`).
#![forbid(unsafe_code)]

mod disclosure;
mod render;
mod words;

pub use disclosure::{ShownRecord, dashboard_disclosure, shown_records};
pub use render::{dashboard_html, style_policy};
