//! The decisions: one [`Command`](crate::Command) implementation per command of
//! `caseledger_core::commands`, grouped by the same domain areas. Each reads the write model
//! and the session's view (never the clock, the log or randomness) and answers events or a
//! refusal; the rules they share are in `crate::commands`.

mod accounts;
mod care;
mod clients;
mod corrections;
mod elements;
mod memberships;
mod merges;
mod requests;
mod setup;
mod sharing;
mod shelter;
mod voids;

#[cfg(test)]
pub(crate) mod given;
