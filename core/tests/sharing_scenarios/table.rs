//! Table-driven checks of the reference evaluator: rows of (viewer, record, date) → expected
//! visibility, all evaluated, every failing row reported with its source line and a readable
//! description of who asked about what.

use std::fmt::Write as _;
use std::panic::Location;

use caseledger_core::events::Event;
use caseledger_core::sharing::{RecordRef, Visibility, transaction_facts, visibility};
use caseledger_core::testkit::{AsRecordRef, HistoryBuilder, date};
use caseledger_core::{AccessReason, Date, UserId};

/// Nothing visible.
pub const NONE: Visibility = Visibility::NONE;

/// Read access for `reason`.
pub fn read(reason: AccessReason) -> Visibility {
    Visibility::read(reason)
}

/// Edit access for `reason`.
pub fn edit(reason: AccessReason) -> Visibility {
    Visibility::edit(reason)
}

struct Row {
    at: &'static Location<'static>,
    user: UserId,
    record: RecordRef,
    date: Date,
    expected: Visibility,
}

/// One scenario's expectations over one history.
pub struct Table<'a> {
    title: &'static str,
    h: &'a HistoryBuilder,
    history: &'a [Event],
    rows: Vec<Row>,
    checked: bool,
}

impl<'a> Table<'a> {
    /// Expectations over the builder's whole history.
    pub fn new(title: &'static str, h: &'a HistoryBuilder) -> Self {
        Self::over(title, h, h.events())
    }

    /// Expectations over `history` (e.g. a prefix of the builder's), with users resolved by
    /// the builder.
    pub fn over(title: &'static str, h: &'a HistoryBuilder, history: &'a [Event]) -> Self {
        Self {
            title,
            h,
            history,
            rows: Vec::new(),
            checked: false,
        }
    }

    /// `user` asking about `record` on `on` gets `expected`.
    #[track_caller]
    pub fn row(
        &mut self,
        user: UserId,
        record: impl AsRecordRef,
        on: &str,
        expected: Visibility,
    ) -> &mut Self {
        self.rows.push(Row {
            at: Location::caller(),
            user,
            record: record.record_ref(),
            date: date(on),
            expected,
        });
        self
    }

    /// Evaluates every row; panics listing all rows that disagree.
    pub fn check(mut self) {
        self.checked = true;
        let mut failures = String::new();
        let mut failed = 0;
        for row in &self.rows {
            let viewer = self.h.viewer(row.user);
            let got = visibility(self.history, &viewer, &row.record, row.date);
            if got != row.expected {
                failed += 1;
                let _ = writeln!(
                    failures,
                    "  row at line {}: {} asks about {} on {}\n      expected {}\n      got      {}",
                    row.at.line(),
                    self.describe_user(row.user),
                    self.describe_record(row.record),
                    row.date,
                    show(row.expected),
                    show(got),
                );
            }
        }
        assert!(
            failed == 0,
            "scenario `{}`: {failed} of {} rows failed:\n{failures}",
            self.title,
            self.rows.len()
        );
    }

    fn org_name(&self, org: caseledger_core::OrganizationId) -> String {
        self.h
            .organization_name(org)
            .map_or_else(|| format!("{org:?}"), str::to_owned)
    }

    fn describe_user(&self, user: UserId) -> String {
        let viewer = self.h.viewer(user);
        format!(
            "{:?} {} of {}",
            viewer.role,
            user,
            self.org_name(viewer.organization)
        )
    }

    fn describe_record(&self, record: RecordRef) -> String {
        match record {
            RecordRef::Intake(client) => {
                let found = self.h.events().iter().find_map(|e| match e {
                    Event::ClientIntakeRecorded(i) if i.client_id == client => Some(i),
                    _ => None,
                });
                match found {
                    Some(i) => {
                        let name = i
                            .name
                            .as_clear()
                            .map(|n| format!("{} {}", n.first, n.last))
                            .unwrap_or_default();
                        format!(
                            "the intake of {name} ({:?}, created by {})",
                            i.restriction,
                            self.org_name(i.organization_id)
                        )
                    }
                    None => format!("the intake of never-created client {client}"),
                }
            }
            RecordRef::Transaction(id) => {
                match self
                    .h
                    .events()
                    .iter()
                    .filter_map(transaction_facts)
                    .find(|t| t.id == id)
                {
                    Some(t) => format!(
                        "{:?}{} ({:?}) recorded by {} of {}",
                        t.kind,
                        t.assessment_kind
                            .map(|k| format!(" {k:?}"))
                            .unwrap_or_default(),
                        t.restriction,
                        t.owner.user,
                        self.org_name(t.owner.organization)
                    ),
                    None => format!("never-recorded transaction {id:#x}"),
                }
            }
        }
    }
}

impl Drop for Table<'_> {
    fn drop(&mut self) {
        if !self.checked && !std::thread::panicking() {
            panic!("scenario `{}`: table built but never checked", self.title);
        }
    }
}

fn show(v: Visibility) -> String {
    match v.reason {
        Some(reason) => format!("{:?} because {reason:?}", v.level),
        None => format!("{:?}", v.level),
    }
}
