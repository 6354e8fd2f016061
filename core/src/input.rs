//! The two rules every value a person enters passes before it becomes an event: one for human
//! text, one for business dates.
//!
//! They live here, in the pure domain, because they are domain rules with no IO: the service's
//! `decide_*` functions (run by the API's commands and by the HMIS CSV importer alike) apply
//! them, so no path into the log can skip them. Stored events are never re-checked — history
//! written before a rule existed still replays.
//!
//! **Text.** A human text field (a name, a title, free text) is refused when it holds a
//! character no person types on purpose: any control character (Unicode `Cc`: NUL, ESC of an
//! ANSI colour sequence, DEL, C1 controls), a line or paragraph separator (U+2028, U+2029),
//! or a bidirectional formatting character (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F,
//! U+061C) — those reorder how text is displayed, so a name can be made to read as another.
//! A multi-line field additionally allows line feed, a carriage return directly before a line
//! feed, and tab. Every field has a maximum length in characters (Unicode scalar values); the
//! limits are the constants below, and the GraphQL schema's descriptions quote them.
//!
//! **Dates.** A business date (a service, case note, document, assessment, enrollment,
//! window, reservation, effective date) is refused when it is before [`EARLIEST_DATE`]
//! (1900-01-01), before the client's date of birth when the client's is known, or after today
//! plus the allowance of its [`DateKind`]: none for what already happened,
//! [`PLANNED_YEARS_AHEAD`] (ten) years for what is planned. The sharing policy carries no such allowance (and cannot gain a
//! field without a new schema of `SharingPolicySet`), so the allowance is defined here.

use std::fmt;

use thiserror::Error;

use crate::time::Date;

/// How one human text field may be written: its maximum length and whether it may span lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TextRule {
    /// The most characters (Unicode scalar values) the field holds.
    pub max_chars: usize,
    /// Whether line feeds (optionally after a carriage return) and tabs are allowed.
    pub multi_line: bool,
}

impl TextRule {
    /// A field of one line, at most `max_chars` characters.
    pub const fn single_line(max_chars: usize) -> Self {
        Self {
            max_chars,
            multi_line: false,
        }
    }

    /// A field of several lines, at most `max_chars` characters.
    pub const fn multi_line(max_chars: usize) -> Self {
        Self {
            max_chars,
            multi_line: true,
        }
    }

    /// Checks a value that may be empty.
    pub fn check(&self, value: &str) -> Result<(), TextError> {
        check_text(value, *self)
    }

    /// Checks a value that must hold something besides white space.
    pub fn check_required(&self, value: &str) -> Result<(), TextError> {
        if value.trim().is_empty() {
            return Err(TextError::Empty);
        }
        check_text(value, *self)
    }
}

/// A part of a person's name (first, middle, last, suffix): HUD's 50 characters.
pub const PERSON_NAME_PART: TextRule = TextRule::single_line(50);
/// A person's whole name typed in one field (a trusted contact) or a user's display name.
pub const PERSON_FULL_NAME: TextRule = TextRule::single_line(100);
/// An organization's name.
pub const ORGANIZATION_NAME: TextRule = TextRule::single_line(200);
/// A program's (HUD project's) name.
pub const PROGRAM_NAME: TextRule = TextRule::single_line(200);
/// A shelter facility's name.
pub const FACILITY_NAME: TextRule = TextRule::single_line(200);
/// A room's name.
pub const ROOM_NAME: TextRule = TextRule::single_line(100);
/// A bed's label.
pub const BED_LABEL: TextRule = TextRule::single_line(50);
/// An MOU's number (`0001`).
pub const MOU_NUMBER: TextRule = TextRule::single_line(20);
/// An MOU's title.
pub const MOU_TITLE: TextRule = TextRule::single_line(200);
/// A username (which also has no spaces; that rule is the account command's).
pub const USERNAME: TextRule = TextRule::single_line(64);
/// A street address line.
pub const ADDRESS_LINE: TextRule = TextRule::single_line(100);
/// A city.
pub const CITY: TextRule = TextRule::single_line(50);
/// A short label typed by a person: HUD's "other" texts (additional race and ethnicity,
/// different identity, other destination), a document type, an assessment item's name.
pub const SHORT_TEXT: TextRule = TextRule::single_line(100);
/// A document's name.
pub const DOCUMENT_NAME: TextRule = TextRule::single_line(200);
/// An email address.
pub const EMAIL: TextRule = TextRule::single_line(254);
/// Free text of a record: a service's description, an assessment's text answer, a bar's
/// reason, a record request's denial reason or revision description.
pub const FREE_TEXT: TextRule = TextRule::multi_line(2_000);
/// A reason stated for the audit trail: why a client's identifiers were forgotten, why the
/// help desk searched every client.
pub const STATED_REASON: TextRule = TextRule::multi_line(500);
/// A case note's text.
pub const CASE_NOTE: TextRule = TextRule::multi_line(10_000);

/// Why a text value was refused. Never echoes the value (it may be identifying), only where
/// and which code point.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TextError {
    /// Blank where a value is required.
    #[error("must not be empty")]
    Empty,
    /// Longer than the field holds.
    #[error("at most {max} characters")]
    TooLong {
        /// The field's maximum, in characters.
        max: usize,
    },
    /// A line break or tab in a field of one line.
    #[error("one line only: character {position} is a line break or tab")]
    LineBreak {
        /// 1-based position of the character, in characters.
        position: usize,
    },
    /// A control character (NUL, ESC, DEL, a lone carriage return, C1, U+2028/U+2029).
    #[error("character {position} is the control character {code_point}")]
    ControlCharacter {
        /// 1-based position of the character, in characters.
        position: usize,
        /// The character, as `U+XXXX`.
        code_point: CodePoint,
    },
    /// A bidirectional formatting character, which reorders how the text is displayed.
    #[error("character {position} is the bidirectional formatting character {code_point}")]
    BidiControl {
        /// 1-based position of the character, in characters.
        position: usize,
        /// The character, as `U+XXXX`.
        code_point: CodePoint,
    },
}

/// A character shown as `U+XXXX` (an error message must not carry the invisible character
/// itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CodePoint(pub char);

impl fmt::Display for CodePoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "U+{:04X}", u32::from(self.0))
    }
}

/// Whether `c` is a bidirectional formatting character: the embeddings and overrides
/// (U+202A–U+202E), the isolates (U+2066–U+2069), the marks (U+200E, U+200F) and the Arabic
/// letter mark (U+061C).
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
    )
}

/// The text rule: `value` fits `rule` (see the module documentation). Checks the characters
/// before the length, so a long value with a control character is refused for the character;
/// stops counting at the first character past the limit, so a huge value costs no more than
/// the limit.
pub fn check_text(value: &str, rule: TextRule) -> Result<(), TextError> {
    let mut chars = value.chars().peekable();
    let mut position = 0usize;
    while let Some(c) = chars.next() {
        position += 1;
        if position > rule.max_chars {
            return Err(TextError::TooLong {
                max: rule.max_chars,
            });
        }
        if is_bidi_control(c) {
            return Err(TextError::BidiControl {
                position,
                code_point: CodePoint(c),
            });
        }
        let line_break = c == '\n' || c == '\t' || (c == '\r' && chars.peek() == Some(&'\n'));
        if line_break {
            if rule.multi_line {
                continue;
            }
            return Err(TextError::LineBreak { position });
        }
        if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
            return Err(TextError::ControlCharacter {
                position,
                code_point: CodePoint(c),
            });
        }
    }
    Ok(())
}

/// The earliest business date anyone records: 1900-01-01 (no client served today was born,
/// and no program ran, before it).
pub const EARLIEST_DATE: Date = Date::from_days_from_ce_const(693_596);

/// How many calendar years after today a planned date may lie: ten — an MOU, a bar, a release
/// of information or a program's operating period may be agreed years ahead, but not for
/// centuries. (From a 29 February, ten years later is 28 February.)
pub const PLANNED_YEARS_AHEAD: u32 = 10;

/// What a business date is, which decides how far after today it may lie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateKind {
    /// Something that happened (a service, note, document, assessment, entry, exit, move-in,
    /// household change, birth): not after today.
    Happened,
    /// Something planned or agreed (a window's start or end, a reservation, an effective
    /// date): not after the same day [`PLANNED_YEARS_AHEAD`] years after today.
    Planned,
}

impl DateKind {
    /// The latest date of this kind on `today`; the calendar's last date when `today` is too
    /// near it to have room ahead.
    pub fn latest(self, today: Date) -> Date {
        match self {
            DateKind::Happened => today,
            DateKind::Planned => today
                .to_naive()
                .checked_add_months(chrono::Months::new(PLANNED_YEARS_AHEAD * 12))
                .map_or_else(Date::max, Date::from_naive),
        }
    }
}

/// Why a business date was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum DateError {
    /// Before 1900-01-01.
    #[error("{date} is before {}", EARLIEST_DATE)]
    BeforeEarliest {
        /// The date refused.
        date: Date,
    },
    /// Before the client's date of birth (which the message does not repeat: it identifies).
    #[error("{date} is before the client's date of birth")]
    BeforeBirth {
        /// The date refused.
        date: Date,
    },
    /// After the latest date its kind allows.
    #[error("{date} is after {latest}")]
    TooLate {
        /// The date refused.
        date: Date,
        /// The latest date allowed.
        latest: Date,
    },
}

/// The date rule: `date`, of `kind`, is on or after 1900-01-01, on or after `born` (the
/// client's date of birth, when there is a client and it is known) and on or before today
/// plus the kind's allowance.
pub fn check_date(
    date: Date,
    kind: DateKind,
    today: Date,
    born: Option<Date>,
) -> Result<(), DateError> {
    if date < EARLIEST_DATE {
        return Err(DateError::BeforeEarliest { date });
    }
    if born.is_some_and(|born| date < born) {
        return Err(DateError::BeforeBirth { date });
    }
    let latest = kind.latest(today);
    if date > latest {
        return Err(DateError::TooLate { date, latest });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn hostile_characters_are_refused_in_every_field() {
        for rule in [PERSON_NAME_PART, ORGANIZATION_NAME, FREE_TEXT, CASE_NOTE] {
            for hostile in [
                "a\0b",
                "\u{1b}[31mred",
                "abc\u{202E}fed",
                "x\u{7f}",
                "\u{85}",
            ] {
                assert!(rule.check(hostile).is_err(), "{hostile:?} in {rule:?}");
            }
            assert!(rule.check("Zoë O'Brien-Nguyễn 李").is_ok());
            assert!(rule.check("").is_ok());
            assert_eq!(rule.check_required("  "), Err(TextError::Empty));
        }
    }

    #[test]
    fn line_breaks_only_where_the_field_has_lines() {
        for text in ["one\ntwo", "one\r\ntwo", "col\tcol"] {
            assert_eq!(
                PERSON_NAME_PART.check(text),
                Err(TextError::LineBreak { position: 4 })
            );
            assert_eq!(CASE_NOTE.check(text), Ok(()));
        }
        // A carriage return not ending a line is a control character everywhere.
        assert!(matches!(
            CASE_NOTE.check("over\rwrite"),
            Err(TextError::ControlCharacter { position: 5, .. })
        ));
        assert!(CASE_NOTE.check("a\u{2028}b").is_err());
    }

    #[test]
    fn every_bidi_control_is_refused() {
        let all = ('\u{202A}'..='\u{202E}')
            .chain('\u{2066}'..='\u{2069}')
            .chain(['\u{200E}', '\u{200F}', '\u{061C}']);
        for c in all {
            assert_eq!(
                FREE_TEXT.check(&format!("ab{c}")),
                Err(TextError::BidiControl {
                    position: 3,
                    code_point: CodePoint(c)
                })
            );
        }
        assert_eq!(
            TextError::BidiControl {
                position: 1,
                code_point: CodePoint('\u{202E}')
            }
            .to_string(),
            "character 1 is the bidirectional formatting character U+202E"
        );
        // Right-to-left scripts themselves are welcome.
        assert!(PERSON_NAME_PART.check("مريم").is_ok());
    }

    #[test]
    fn lengths_count_characters_not_bytes() {
        assert!(PERSON_NAME_PART.check(&"é".repeat(50)).is_ok());
        assert_eq!(
            PERSON_NAME_PART.check(&"é".repeat(51)),
            Err(TextError::TooLong { max: 50 })
        );
        assert_eq!(
            ORGANIZATION_NAME.check(&"A".repeat(60 * 1024)),
            Err(TextError::TooLong { max: 200 })
        );
    }

    #[test]
    fn earliest_date_is_1900_01_01() {
        assert_eq!(Some(EARLIEST_DATE), Date::from_ymd(1900, 1, 1));
    }

    #[test]
    fn dates_from_1900_to_the_allowance() {
        let today = d("2026-03-01");
        let happened = DateKind::Happened;
        assert_eq!(check_date(d("1900-01-01"), happened, today, None), Ok(()));
        assert_eq!(check_date(today, happened, today, None), Ok(()));
        for early in ["0000-01-01", "1899-12-31", "0001-01-01"] {
            assert_eq!(
                check_date(d(early), happened, today, None),
                Err(DateError::BeforeEarliest { date: d(early) })
            );
        }
        assert_eq!(
            check_date(d("2026-03-02"), happened, today, None),
            Err(DateError::TooLate {
                date: d("2026-03-02"),
                latest: today
            })
        );
        let latest = d("2036-03-01");
        assert_eq!(DateKind::Planned.latest(today), latest);
        assert_eq!(check_date(latest, DateKind::Planned, today, None), Ok(()));
        assert_eq!(DateKind::Planned.latest(d("2028-02-29")), d("2038-02-28"));
        assert!(check_date(latest.add_days(1).unwrap(), DateKind::Planned, today, None).is_err());
        assert_eq!(
            check_date(d("1990-04-01"), happened, today, Some(d("1990-04-02"))),
            Err(DateError::BeforeBirth {
                date: d("1990-04-01")
            })
        );
        assert_eq!(
            check_date(d("1990-04-02"), happened, today, Some(d("1990-04-02"))),
            Ok(())
        );
    }

    #[test]
    fn the_calendar_end_bounds_the_allowance() {
        assert_eq!(
            check_date(Date::max(), DateKind::Planned, Date::max(), None),
            Ok(())
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        fn rule() -> impl Strategy<Value = TextRule> {
            (1usize..300, any::<bool>()).prop_map(|(max, multi)| TextRule {
                max_chars: max,
                multi_line: multi,
            })
        }

        fn is_refused_char(c: char, multi_line: bool) -> bool {
            let allowed_break = multi_line && (c == '\n' || c == '\t');
            !allowed_break
                && (c.is_control() || is_bidi_control(c) || c == '\u{2028}' || c == '\u{2029}')
        }

        proptest! {
            /// Accepted exactly when short enough and free of refused characters (a carriage
            /// return counts as allowed only right before a line feed of a multi-line field).
            #[test]
            fn accepted_iff_short_and_clean(value in any::<String>(), rule in rule()) {
                let chars: Vec<char> = value.chars().collect();
                let clean = chars.iter().enumerate().all(|(i, &c)| {
                    let crlf = rule.multi_line && c == '\r' && chars.get(i + 1) == Some(&'\n');
                    crlf || !is_refused_char(c, rule.multi_line)
                });
                let short = chars.len() <= rule.max_chars;
                prop_assert_eq!(check_text(&value, rule).is_ok(), clean && short);
            }

            /// Clean printable text is accepted up to the limit, refused past it.
            #[test]
            fn printable_text_is_bounded(value in "[\\p{L}\\p{N}\\p{P} ]{0,120}", max in 1usize..120) {
                let count = value.chars().count();
                let result = check_text(&value, TextRule::single_line(max));
                if count <= max {
                    prop_assert_eq!(result, Ok(()));
                } else {
                    prop_assert_eq!(result, Err(TextError::TooLong { max }));
                }
            }

            /// Any refused character anywhere in otherwise fine text refuses the value.
            #[test]
            fn one_hostile_character_spoils_the_value(
                before in "[a-z ]{0,20}",
                after in "[a-z ]{0,20}",
                hostile in prop::sample::select(vec![
                    '\0', '\u{1b}', '\u{7}', '\u{7f}', '\u{9b}', '\r', '\u{2028}', '\u{202A}',
                    '\u{202E}', '\u{2066}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
                ]),
            ) {
                let value = format!("{before}{hostile}{after}");
                prop_assert!(check_text(&value, CASE_NOTE).is_err());
                prop_assert!(check_text(&value, PERSON_NAME_PART).is_err());
            }

            /// The date rule is exactly: not before 1900, not before birth, not after today
            /// plus the allowance.
            #[test]
            fn date_rule_is_its_three_bounds(
                date in -1_000_000i32..4_000_000,
                today in 693_596i32..3_000_000,
                born in proptest::option::of(600_000i32..800_000),
                planned in any::<bool>(),
            ) {
                let date = Date::from_days_from_ce(date).unwrap();
                let today = Date::from_days_from_ce(today).unwrap();
                let born = born.map(|b| Date::from_days_from_ce(b).unwrap());
                let kind = if planned { DateKind::Planned } else { DateKind::Happened };
                let latest = match kind {
                    DateKind::Happened => today,
                    DateKind::Planned => Date::from_ymd(today.year() + 10, today.month(), today.day())
                        .or_else(|| Date::from_ymd(today.year() + 10, today.month(), 28))
                        .unwrap(),
                };
                let expected = date >= EARLIEST_DATE
                    && born.is_none_or(|b| date >= b)
                    && date <= latest;
                prop_assert_eq!(check_date(date, kind, today, born).is_ok(), expected);
            }
        }
    }
}
