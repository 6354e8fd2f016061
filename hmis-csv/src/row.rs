//! Reading one row's values, each checked, every refusal kept with its place.

use caseledger_core::Date;
use caseledger_core::Pii;
use caseledger_core::events::AnswerValue;
use caseledger_core::hud::elements::{ElementType, HudElement, HudFile, SourceStamp, SourceTime};
use chrono::{NaiveDateTime, Timelike};

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
    /// Columns the row leaves empty where the record takes a default (see [`Kept::blank`]).
    pub(crate) blank: Vec<String>,
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
            blank: Vec::new(),
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
            if empty.is_some() {
                self.leave_blank(column);
            }
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
            "" => {
                self.leave_blank(column);
                false
            }
            "0" => false,
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

    /// Notes that `column` is in the file but empty in the row while the record holds a default
    /// for it (a flag read as 0, a code as 99, a household of one, an operating start taken
    /// from the first enrollment), so the export leaves it empty as it came.
    pub(crate) fn leave_blank(&mut self, column: &str) {
        if self.table.column(column).is_some() {
            self.blank.push(column.to_string());
        }
    }

    /// The row's HUD elements beyond what caseledger's records of `file` hold in typed fields
    /// (every non-empty column of HUD's specification for the file that is not typed), each read
    /// by its column's type — a value that is not of it, or a code outside the column's HUD
    /// list, refuses the row — and the source system's stamp (`DateCreated`, `DateUpdated`,
    /// `UserID`; a stamp that does not read is a finding, and the row keeps none).
    pub(crate) fn kept(&mut self, file: HudFile) -> Kept {
        let table = self.table;
        let mut elements: Vec<HudElement> = Vec::new();
        for header in &table.headers {
            let Some(spec) = file.element(header) else {
                continue;
            };
            if file.is_typed(spec.column) || elements.iter().any(|e| e.column == spec.column) {
                continue;
            }
            let text = self.text(header);
            if text.is_empty() {
                continue;
            }
            let value = match spec.kind {
                ElementType::Text if file.is_about_no_client() => {
                    Some(AnswerValue::Plain(text.clone()))
                }
                ElementType::Text => Some(AnswerValue::Text(Pii::new(text.clone()))),
                ElementType::Integer if spec.is_code() => match text.parse::<u16>() {
                    Ok(code) => Some(AnswerValue::Code(code)),
                    Err(_) => {
                        self.refuse(
                            header,
                            format!("not a code of HUD list {}", spec.list.unwrap_or_default()),
                        );
                        None
                    }
                },
                ElementType::Integer => match text.parse::<i64>() {
                    Ok(n) => Some(AnswerValue::Number(n)),
                    Err(_) => {
                        self.refuse(header, "an integer");
                        None
                    }
                },
                ElementType::Money => match parse_cents(&text) {
                    Some(cents) => Some(AnswerValue::Number(cents)),
                    None => {
                        self.refuse(header, "an amount (dollars and at most two decimals)");
                        None
                    }
                },
                ElementType::Date => self.date(header).map(AnswerValue::Date),
                ElementType::Timestamp => None,
            };
            let Some(value) = value else { continue };
            if let Err(e) = spec.check(&value) {
                self.refuse(header, e.to_string());
                continue;
            }
            elements.push(HudElement {
                column: spec.column.to_string(),
                value,
            });
        }
        Kept {
            elements,
            stamp: self.stamp(),
            blank: std::mem::take(&mut self.blank),
        }
    }

    fn stamp(&mut self) -> Option<SourceStamp> {
        self.table.column("DateCreated")?;
        let at = |r: &mut Self, column: &str| {
            let text = r.text(column);
            if text.is_empty() {
                return None;
            }
            let at = parse_timestamp_in(&text, r.reference_year, r.day_first(column));
            if at.is_none() {
                r.finding(
                    column,
                    "data quality: not a timestamp (YYYY-MM-DD HH:MM:SS)",
                );
            }
            at.map(|at| SourceTime {
                date: Date::from_naive(at.date()),
                second: at.time().num_seconds_from_midnight(),
            })
        };
        let created = at(self, "DateCreated");
        let updated = at(self, "DateUpdated");
        Some(SourceStamp {
            created,
            updated,
            user_id: self.text("UserID"),
        })
    }
}

/// What a row holds beyond its record's typed fields: its HUD elements and its source stamp.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Kept {
    /// The elements, in the row's column order.
    pub elements: Vec<HudElement>,
    /// `DateCreated`, `DateUpdated` and `UserID` as the source wrote them (`None` when the
    /// file has no such columns).
    pub stamp: Option<SourceStamp>,
    /// Columns the row left empty although HUD requires them, for which the record holds a
    /// default (a `RelationshipToHoH` read as 99), or which the export would fill (a
    /// `HouseholdID` of a household of one): exported empty, as they came.
    pub blank: Vec<String>,
}

/// `123`, `123.4`, `-5.25` as cents.
pub(crate) fn parse_cents(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    if whole.is_empty()
        || fraction.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = format!("{fraction:0<2}").parse().ok()?;
    let cents = whole.checked_mul(100)?.checked_add(fraction)?;
    Some(if negative { -cents } else { cents })
}
