//! Reading one row's values, each checked, every refusal kept with its place.

use caseledger_core::Date;
use chrono::NaiveDateTime;

use crate::dates::{parse_date_in, parse_timestamp_in};
use crate::{Reject, Row, Table};

/// Collects the rejects of one row while its values are read.
pub(crate) struct RowReader<'a> {
    table: &'a Table,
    row: &'a Row,
    reference_year: i32,
    /// What was refused so far.
    pub(crate) rejects: Vec<Reject>,
    /// Data-quality findings so far (the row is not refused for them).
    pub(crate) findings: Vec<Reject>,
}

impl<'a> RowReader<'a> {
    /// Starts reading `row` of `table`.
    pub(crate) fn new(table: &'a Table, row: &'a Row, reference_year: i32) -> Self {
        RowReader {
            table,
            row,
            reference_year,
            rejects: Vec::new(),
            findings: Vec::new(),
        }
    }

    /// Whether `column`'s numeric dates are day-first.
    fn day_first(&self, column: &str) -> bool {
        self.table
            .column(column)
            .and_then(|c| self.table.day_first.get(c).copied())
            .unwrap_or(false)
    }

    /// A column that must have a value.
    pub(crate) fn required(&mut self, column: &str) -> String {
        let text = self.text(column);
        if text.is_empty() {
            self.refuse(column, "required");
        }
        text
    }

    /// A required id naming a `what` of another file (`file`), which `exists` looks up.
    pub(crate) fn reference(
        &mut self,
        column: &str,
        (what, file): (&str, &str),
        exists: impl FnOnce(&str) -> bool,
    ) -> String {
        let id = self.required(column);
        if !id.is_empty() && !exists(&id) {
            self.refuse(column, format!("no such {what} in {file}"));
        }
        id
    }

    /// Refuses an id already used by an earlier row of the file (`seen`: id → line), which a
    /// later row would otherwise silently replace.
    pub(crate) fn unique(
        &mut self,
        column: &str,
        id: &str,
        seen: &mut std::collections::HashMap<String, u64>,
    ) {
        if id.is_empty() {
            return;
        }
        match seen.get(id) {
            Some(first) => {
                let rule = format!("the id is already used on line {first}");
                self.refuse(column, rule);
            }
            None => {
                seen.insert(id.to_string(), self.row.line);
            }
        }
    }

    /// A positive integer code that must be given.
    pub(crate) fn positive(&mut self, column: &str) -> Option<u16> {
        let text = self.required(column);
        if text.is_empty() {
            return None;
        }
        let value = text.parse::<u16>().ok().filter(|v| *v > 0);
        if value.is_none() {
            self.refuse(column, "a positive HUD code");
        }
        value
    }

    /// A date that must be given.
    pub(crate) fn required_date(&mut self, column: &str) -> Option<Date> {
        if self.text(column).is_empty() {
            self.refuse(column, "required");
            return None;
        }
        self.date(column)
    }

    /// Whether the exporting system deleted the row (`DateDeleted` set, and a timestamp).
    pub(crate) fn deleted(&mut self) -> bool {
        let deleted = !self.text("DateDeleted").is_empty();
        if deleted {
            self.timestamp("DateDeleted");
        }
        deleted
    }

    pub(crate) fn text(&self, column: &str) -> String {
        self.table
            .get(self.row, column)
            .unwrap_or_default()
            .trim()
            .to_string()
    }

    pub(crate) fn refuse(&mut self, column: &str, rule: impl Into<String>) {
        self.rejects.push(self.table.reject(self.row, column, rule));
    }

    /// Notes a data-quality finding of `column`; the row is not refused for it.
    pub(crate) fn finding(&mut self, column: &str, rule: impl Into<String>) {
        self.findings
            .push(self.table.reject(self.row, column, rule));
    }

    /// A HUD code; `empty` when the field is empty (or the column missing).
    pub(crate) fn code<T>(
        &mut self,
        column: &str,
        from_code: fn(u16) -> Option<T>,
        empty: Option<T>,
    ) -> Option<T> {
        let text = self.text(column);
        if text.is_empty() {
            return empty;
        }
        let value = text.parse::<u16>().ok().and_then(from_code);
        if value.is_none() {
            self.refuse(column, format!("not a HUD {column} code"));
        }
        value
    }

    /// A 0/1 flag column; empty reads as 0.
    pub(crate) fn flag(&mut self, column: &str) -> bool {
        match self.text(column).as_str() {
            "" | "0" => false,
            "1" => true,
            _ => {
                self.refuse(column, "a flag is 0 or 1");
                false
            }
        }
    }

    pub(crate) fn date(&mut self, column: &str) -> Option<Date> {
        let text = self.text(column);
        if text.is_empty() {
            return None;
        }
        let date = parse_date_in(&text, self.reference_year, self.day_first(column));
        if date.is_none() {
            self.refuse(column, "not a date (YYYY-MM-DD, DD-MON-YY or M/D/YYYY)");
        }
        date
    }

    pub(crate) fn timestamp(&mut self, column: &str) -> Option<NaiveDateTime> {
        let text = self.text(column);
        if text.is_empty() {
            return None;
        }
        let at = parse_timestamp_in(&text, self.reference_year, self.day_first(column));
        if at.is_none() {
            self.refuse(column, "not a timestamp (YYYY-MM-DD HH:MM:SS)");
        }
        at
    }
}
