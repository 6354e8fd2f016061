//! HUD's code lists (Appendix B of the HMIS CSV specifications): every list's codes and the
//! words HUD gives each, so a code is checked against its list and shown to people as HUD's
//! words.
//!
//! `lists.csv` beside this file was transcribed from the FY2026 specification's Appendix B
//! (`List,Code,Text,Versions`); the FY2024-only lists (3.06.1 gender, R3.1 sexual orientation,
//! C4.A preferred language) come from FY2024's. 3.06.1 is gender in FY2024 and sex in FY2026:
//! its rows say which version each is of, and [`text`] answers the first, FY2024's (FY2026's
//! sex words are `Sex::words`). 3.04.1 lists race and ethnicity, which the CSV writes as one
//! 0/1 column per value, by the codes `RaceEthnicity` gives them. Retired values stay listed: records keep
//! them. `Versions` says `both`, `2024` or `2026`; a code of either version is accepted, since
//! an FY2024 export is imported as it came.

use std::collections::HashMap;
use std::sync::LazyLock;

/// One value of a HUD list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListValue {
    /// The data exchange value (text for the one list whose codes are not integers, V6.1).
    pub code: &'static str,
    /// HUD's words for it.
    pub text: &'static str,
    /// In the FY2024 specification.
    pub fy2024: bool,
    /// In the FY2026 specification.
    pub fy2026: bool,
}

/// Every list by its number, values in HUD's order.
static LISTS: LazyLock<HashMap<&'static str, Vec<ListValue>>> = LazyLock::new(|| {
    let mut lists: HashMap<&'static str, Vec<ListValue>> = HashMap::new();
    for line in include_str!("lists.csv").lines().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let [list, code, text, versions] = fields(line);
        lists.entry(list).or_default().push(ListValue {
            code,
            text,
            fy2024: versions != "2026",
            fy2026: versions != "2024",
        });
    }
    lists
});

/// The four fields of a line; the text may be quoted (it holds commas). HUD's words hold no
/// doubled quotes, so a quoted field ends at the next quote.
fn fields(line: &'static str) -> [&'static str; 4] {
    let (list, rest) = line.split_once(',').expect("lists.csv: list");
    let (code, rest) = rest.split_once(',').expect("lists.csv: code");
    let (text, versions) = match rest.strip_prefix('"') {
        Some(quoted) => {
            let (text, after) = quoted.split_once('"').expect("lists.csv: closing quote");
            (text, after.trim_start_matches(','))
        }
        None => rest.rsplit_once(',').expect("lists.csv: versions"),
    };
    [list, code, text, versions]
}

/// The values of HUD list `list` (`"1.8"`, `"3.12.1"`, `"R7.1"`), in HUD's order; `None` for
/// a number that is no list.
pub fn values(list: &str) -> Option<&'static [ListValue]> {
    LISTS.get(list).map(Vec::as_slice)
}

/// Whether `code` is a value of `list` — or 99 ("data not collected"), which HUD's notes
/// allow in every list a record can exist without; `None` for a number that is no list.
pub fn has(list: &str, code: u16) -> Option<bool> {
    let values = values(list)?;
    let code = code.to_string();
    Some(code == "99" || values.iter().any(|v| v.code == code))
}

/// HUD's words for `code` of `list`, if it is one of its values.
pub fn text(list: &str, code: &str) -> Option<&'static str> {
    values(list)?
        .iter()
        .find(|v| v.code == code)
        .map(|v| v.text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_with_their_words_in_hud_order() {
        let yes_no: Vec<&str> = values("1.8").unwrap().iter().map(|v| v.code).collect();
        assert_eq!(yes_no, ["0", "1", "8", "9", "99"]);
        assert_eq!(text("1.8", "8"), Some("Client doesn’t know"));
        // A quoted text with commas.
        assert_eq!(text("3.06.1", "0"), Some("Woman (Girl, if child)"));
        let sex: Vec<&str> = values("3.06.1")
            .unwrap()
            .iter()
            .filter(|v| v.fy2026)
            .map(|v| v.text)
            .collect();
        assert_eq!(sex[..2], ["Female", "Male"]);
        assert!(
            values("4.21")
                .unwrap()
                .iter()
                .all(|v| v.fy2026 && !v.fy2024)
        );
        assert_eq!(has("R7.1", 6), Some(false));
        assert_eq!(has("R7.1", 1), Some(true));
        assert_eq!(has("9.99", 1), None);
        // Text codes: VA medical centers.
        assert!(
            values("V6.1")
                .unwrap()
                .iter()
                .any(|v| v.code.parse::<u16>().is_err())
        );
    }
}
