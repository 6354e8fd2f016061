//! Commands: each write a user (or an importer, the demo, the generator) can ask for, as a
//! value. Every interface builds the same value — no other copy of its fields exists — and the
//! service decides it (`caseledger_service::Command`), so what a command carries is written
//! down once, here, next to the events it becomes.
//!
//! A command carries the ids of what it creates: callers choose them (the service's
//! `new_id`), so a decision stays a pure function of its inputs and tests can name the events
//! it must produce.
//!
//! Grouped by domain area, like the events: [`accounts`], [`clients`], [`requests`] (client
//! record requests), [`sharing`] (the policy, MOU assignments, releases), [`care`]
//! (households, enrollments and what is recorded about a client), [`shelter`] (beds and the bar
//! list), [`setup`] (programs, MOUs and facilities), [`voids`] (records entered in error)
//! and [`merges`] (the duplicate queue).

pub mod accounts;
pub mod care;
pub mod clients;
pub mod elements;
pub mod merges;
pub mod requests;
pub mod setup;
pub mod sharing;
pub mod shelter;
pub mod voids;
