//! Probable duplicates: the same person entered twice (by two agencies, or once as "Maria Lopez"
//! and once as "Maria Lopes"). A pair of clients is scored from what their intakes say —
//! names (exact, and sounding alike by Double Metaphone or close by Jaro–Winkler), date of
//! birth (exact, or day and month swapped), SSN (all nine digits, the last four, or the hashes
//! of a hashed HMIS export) — and the evidence is kept for the reviewer.
//!
//! A pair is proposed when its score reaches [`THRESHOLD`] **and** it shares a blocking key
//! ([`Identity::keys`]): the same SSN, the same date of birth, or a last name that sounds the
//! same with the same SSN last four. Requiring the key makes the fast path (which compares only
//! clients that share a key) give exactly the answer of [`queue`], which compares every pair.
//! The weights are chosen so that no pair can reach the threshold without one: without the
//! whole SSN or the date of birth, the most a pair scores is its names (35) and a swapped date
//! (10), unless it also shares the SSN's last four (15) and a last name that sounds the same.

use std::collections::{BTreeMap, BTreeSet};

use rphonetic::{DoubleMetaphone, Encoder};
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::events::{ClientIntakeRecorded, Event};
use crate::hud::HashStatus;
use crate::ids::ClientId;
use crate::time::Date;

/// The score from which a pair is proposed (out of 100).
pub const THRESHOLD: u8 = 50;

/// How similar two first names must be (Jaro–Winkler) to count as close.
const CLOSE_NAME: f64 = 0.88;

/// One piece of evidence about a pair, with its weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Evidence {
    /// The same nine-digit SSN.
    SameSsn,
    /// The same SSN hash (both from hashed exports).
    SameHashedSsn,
    /// Two different nine-digit SSNs.
    SsnDiffers,
    /// The same last four digits of the SSN, one or both partial.
    SameSsnLastFour,
    /// The same date of birth.
    SameBirthDate,
    /// Dates of birth with day and month swapped.
    BirthDateSwapped,
    /// Two different dates of birth.
    BirthDateDiffers,
    /// The same last name.
    SameLastName,
    /// Last names that sound the same (Double Metaphone).
    LastNameSoundsAlike,
    /// The same first name.
    SameFirstName,
    /// First names that sound the same or are close in spelling.
    FirstNameClose,
}

impl Evidence {
    /// What the evidence adds to (or takes from) a pair's score.
    pub const fn weight(self) -> i32 {
        match self {
            Evidence::SameSsn | Evidence::SameHashedSsn => 45,
            Evidence::SsnDiffers => -30,
            Evidence::SameSsnLastFour => 15,
            Evidence::SameBirthDate => 25,
            Evidence::BirthDateSwapped => 10,
            Evidence::BirthDateDiffers => -10,
            Evidence::SameLastName => 20,
            Evidence::LastNameSoundsAlike => 12,
            Evidence::SameFirstName => 15,
            Evidence::FirstNameClose => 9,
        }
    }

    /// The evidence in a reviewer's words.
    pub const fn describe(self) -> &'static str {
        match self {
            Evidence::SameSsn => "same SSN",
            Evidence::SameHashedSsn => "same hashed SSN",
            Evidence::SsnDiffers => "different SSNs",
            Evidence::SameSsnLastFour => "same last four digits of the SSN",
            Evidence::SameBirthDate => "same date of birth",
            Evidence::BirthDateSwapped => "date of birth with day and month swapped",
            Evidence::BirthDateDiffers => "different dates of birth",
            Evidence::SameLastName => "same last name",
            Evidence::LastNameSoundsAlike => "last names sound alike",
            Evidence::SameFirstName => "same first name",
            Evidence::FirstNameClose => "first names close in sound or spelling",
        }
    }
}

/// What a pair's intakes have in common, scored.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Match {
    /// The sum of the evidence's weights, clamped to 0–100.
    pub score: u8,
    /// The evidence, in [`Evidence`] order.
    pub evidence: Vec<Evidence>,
}

/// A proposed pair (`first` < `second`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Candidate {
    /// The lower client id.
    pub first: ClientId,
    /// The higher client id.
    pub second: ClientId,
    /// Why.
    pub matched: Match,
}

/// A blocking key: clients that share one are compared.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum BlockKey {
    /// A nine-digit SSN, or an SSN hash.
    Ssn(String),
    /// A date of birth.
    BirthDate(Date),
    /// A last name's sound with the SSN's last four.
    SoundAndLastFour(String, String),
}

/// An SSN as far as it can be compared.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
enum Ssn {
    Unknown,
    /// Nine plausible digits.
    Full(String),
    /// Only the last four are known.
    LastFour(String),
    /// A hash from a hashed export.
    Hashed(String),
}

impl Ssn {
    fn last_four(&self) -> Option<&str> {
        match self {
            Ssn::Full(d) => Some(&d[5..]),
            Ssn::LastFour(d) => Some(d),
            Ssn::Unknown | Ssn::Hashed(_) => None,
        }
    }
}

/// What an intake says about who the client is, normalized for comparing.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Identity {
    first: String,
    last: String,
    first_sound: String,
    last_sound: String,
    dob: Option<Date>,
    ssn: Ssn,
    hashed: bool,
}

/// A name part for comparing: letters only, upper case.
fn normalized(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_uppercase)
        .collect()
}

/// The SSN as far as it tells who the client is: placeholders HUD's rules reject (area 000,
/// 666 or 9xx, group 00, serial 0000, all one digit) tell nothing.
fn ssn_of(raw: &str, hashed: bool) -> Ssn {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ssn::Unknown;
    }
    if hashed {
        return Ssn::Hashed(raw.to_ascii_lowercase());
    }
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let serial_ok = |d: &str| d != "0000";
    if digits.len() == 9 && raw.chars().all(|c| c.is_ascii_digit() || c == '-') {
        let (area, group, serial) = (&digits[..3], &digits[3..5], &digits[5..]);
        let one_digit = digits.chars().all(|c| digits.starts_with(c));
        let plausible = area != "000"
            && area != "666"
            && !area.starts_with('9')
            && group != "00"
            && serial_ok(serial)
            && !one_digit
            && digits != "123456789";
        return if plausible {
            Ssn::Full(digits)
        } else {
            Ssn::Unknown
        };
    }
    // A partial SSN (HUD allows `x` for unknown digits): its last four, when all are known.
    let tail: Vec<char> = raw.chars().filter(|c| *c != '-').collect();
    if tail.len() >= 4 {
        let last: String = tail[tail.len() - 4..].iter().collect();
        if last.chars().all(|c| c.is_ascii_digit()) && serial_ok(&last) {
            return Ssn::LastFour(last);
        }
    }
    Ssn::Unknown
}

/// The identity of an intake whose identifying values are in the clear; `None` when nothing is
/// known to compare (forgotten or sealed values, no name, date of birth or SSN).
pub fn identity(intake: &ClientIntakeRecorded) -> Option<Identity> {
    identity_of(
        intake.name.as_clear()?,
        intake.dob.as_clear().copied().flatten(),
        intake.ssn.as_clear().map_or("", String::as_str),
        intake.hash_status != HashStatus::Unhashed,
    )
}

/// The identity of a name, date of birth and SSN (hashes of a hashed export when `hashed`), as
/// an intake about to be recorded states them; `None` when nothing is known to compare.
pub fn identity_of(
    name: &crate::events::PersonName,
    dob: Option<Date>,
    ssn: &str,
    hashed: bool,
) -> Option<Identity> {
    let (first, last) = if hashed {
        (
            name.first.trim().to_ascii_lowercase(),
            name.last.trim().to_ascii_lowercase(),
        )
    } else {
        (normalized(&name.first), normalized(&name.last))
    };
    let sound = |s: &str| {
        // Double Metaphone reads English letters (and slices its input by byte: anything else
        // would split a character), so a name is folded to them first: Zoë sounds as Zoe.
        let folded: String = s.nfd().filter(char::is_ascii_alphabetic).collect();
        if hashed || folded.is_empty() {
            String::new()
        } else {
            DoubleMetaphone::default().encode(&folded)
        }
    };
    let identity = Identity {
        first_sound: sound(&first),
        last_sound: sound(&last),
        first,
        last,
        dob,
        ssn: ssn_of(ssn, hashed),
        hashed,
    };
    let known = !identity.first.is_empty()
        || !identity.last.is_empty()
        || identity.dob.is_some()
        || identity.ssn != Ssn::Unknown;
    known.then_some(identity)
}

impl Identity {
    /// The blocking keys of this identity (see the module docs).
    pub fn keys(&self) -> Vec<BlockKey> {
        let mut keys = Vec::new();
        match &self.ssn {
            Ssn::Full(d) | Ssn::Hashed(d) => keys.push(BlockKey::Ssn(d.clone())),
            Ssn::LastFour(_) | Ssn::Unknown => {}
        }
        if let Some(dob) = self.dob {
            keys.push(BlockKey::BirthDate(dob));
        }
        if let Some(four) = self.ssn.last_four()
            && !self.last_sound.is_empty()
        {
            keys.push(BlockKey::SoundAndLastFour(
                self.last_sound.clone(),
                four.to_string(),
            ));
        }
        keys
    }
}

/// Day and month swapped (and both dates possible).
fn swapped(a: Date, b: Date) -> bool {
    use chrono::Datelike;
    let (a, b) = (a.to_naive(), b.to_naive());
    a != b && a.year() == b.year() && a.month() == b.day() && a.day() == b.month()
}

/// The pair's match, when it is proposed: a score of at least [`THRESHOLD`] and a shared key.
pub fn compare(a: &Identity, b: &Identity) -> Option<Match> {
    let keys: BTreeSet<BlockKey> = a.keys().into_iter().collect();
    if !b.keys().iter().any(|k| keys.contains(k)) {
        return None;
    }
    let mut evidence = Vec::new();
    match (&a.ssn, &b.ssn) {
        (Ssn::Full(x), Ssn::Full(y)) => evidence.push(if x == y {
            Evidence::SameSsn
        } else {
            Evidence::SsnDiffers
        }),
        (Ssn::Hashed(x), Ssn::Hashed(y)) if x == y => evidence.push(Evidence::SameHashedSsn),
        (x, y) => {
            if x.last_four().is_some() && x.last_four() == y.last_four() {
                evidence.push(Evidence::SameSsnLastFour);
            }
        }
    }
    if let (Some(x), Some(y)) = (a.dob, b.dob) {
        evidence.push(if x == y {
            Evidence::SameBirthDate
        } else if swapped(x, y) {
            Evidence::BirthDateSwapped
        } else {
            Evidence::BirthDateDiffers
        });
    }
    // Hashed names compare only as equal or not; clear and hashed names not at all.
    if a.hashed == b.hashed {
        if !a.last.is_empty() && a.last == b.last {
            evidence.push(Evidence::SameLastName);
        } else if !a.last_sound.is_empty() && a.last_sound == b.last_sound {
            evidence.push(Evidence::LastNameSoundsAlike);
        }
        if !a.first.is_empty() && a.first == b.first {
            evidence.push(Evidence::SameFirstName);
        } else if !a.first.is_empty()
            && !b.first.is_empty()
            && !a.hashed
            && ((!a.first_sound.is_empty() && a.first_sound == b.first_sound)
                || strsim::jaro_winkler(&a.first, &b.first) >= CLOSE_NAME)
        {
            evidence.push(Evidence::FirstNameClose);
        }
    }
    evidence.sort();
    let score = evidence
        .iter()
        .map(|e| e.weight())
        .sum::<i32>()
        .clamp(0, 100) as u8;
    (score >= THRESHOLD).then_some(Match { score, evidence })
}

/// The order of the queue: highest score first, then by the pair's ids.
pub fn queue_order(a: &Candidate, b: &Candidate) -> std::cmp::Ordering {
    b.matched
        .score
        .cmp(&a.matched.score)
        .then((a.first, a.second).cmp(&(b.first, b.second)))
}

/// The duplicate queue of a history, by comparing every pair (the reference the projections
/// are tested against): every pair of clients proposed by [`compare`] on their current intakes
/// — clients merged away, and pairs marked "not a duplicate", left out — in [`queue_order`].
pub fn queue(history: &[Event]) -> Vec<Candidate> {
    let mut intakes: BTreeMap<ClientId, ClientIntakeRecorded> = BTreeMap::new();
    let mut dismissed = BTreeSet::new();
    for event in history {
        match event {
            Event::ClientIntakeRecorded(i) => {
                intakes.entry(i.client_id).or_insert_with(|| i.clone());
            }
            Event::ClientIntakeEdited(e) => {
                if let Some(i) = intakes.get_mut(&e.client_id) {
                    e.apply_to(i);
                }
            }
            Event::ClientIdentifiersForgotten(f) => {
                intakes.remove(&f.client_id);
            }
            Event::DuplicatePairDismissed(d) => {
                dismissed.insert((d.first, d.second));
            }
            _ => {}
        }
    }
    let identities: Vec<(ClientId, Identity)> = intakes
        .iter()
        .filter(|(c, _)| crate::sharing::merges::merge_of(history, **c).is_none())
        .filter_map(|(c, i)| identity(i).map(|id| (*c, id)))
        .collect();
    let mut out = Vec::new();
    for (i, (a, x)) in identities.iter().enumerate() {
        for (b, y) in &identities[i + 1..] {
            if dismissed.contains(&(*a, *b)) {
                continue;
            }
            if let Some(matched) = compare(x, y) {
                out.push(Candidate {
                    first: *a,
                    second: *b,
                    matched,
                });
            }
        }
    }
    out.sort_by(queue_order);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ssn(s: &str) -> Ssn {
        ssn_of(s, false)
    }

    #[test]
    fn placeholder_ssns_tell_nothing_and_partial_ones_their_last_four() {
        assert_eq!(ssn("123-45-6789"), Ssn::Unknown);
        assert_eq!(ssn("000123456"), Ssn::Unknown);
        assert_eq!(ssn("999999999"), Ssn::Unknown);
        assert_eq!(ssn("666123456"), Ssn::Unknown);
        assert_eq!(ssn("234560000"), Ssn::Unknown);
        assert_eq!(ssn("234-56-7891"), Ssn::Full("234567891".into()));
        assert_eq!(ssn("xxxxx7891"), Ssn::LastFour("7891".into()));
        assert_eq!(ssn("xxx-xx-78x1"), Ssn::Unknown);
        assert_eq!(ssn(""), Ssn::Unknown);
    }

    fn intake(first: &str, last: &str) -> ClientIntakeRecorded {
        use crate::Pii;
        use crate::hud::{DataQuality, NoYesReasons};
        ClientIntakeRecorded {
            client_id: ClientId::new(1),
            organization_id: crate::OrganizationId::new(2),
            name: Pii::new(crate::events::PersonName {
                first: first.into(),
                last: last.into(),
                ..crate::events::PersonName::default()
            }),
            name_data_quality: DataQuality::Full,
            ssn: Pii::new(String::new()),
            ssn_data_quality: DataQuality::DataNotCollected,
            dob: Pii::new(None),
            dob_data_quality: DataQuality::DataNotCollected,
            race_ethnicity: Vec::new(),
            race_none: None,
            additional_race_ethnicity: Pii::new(String::new()),
            sex: None,
            genders: Vec::new(),
            gender_none: None,
            different_identity_text: Pii::new(String::new()),
            veteran_status: NoYesReasons::DataNotCollected,
            address: Pii::new(None),
            restriction: crate::ClientRestriction::ShareGlobally,
            source_id: None,
            hash_status: HashStatus::Unhashed,
        }
    }

    #[test]
    fn names_beyond_english_letters_sound_as_their_letters_do() {
        let a = identity(&intake("Zoë", "Núñez")).expect("an identity");
        let b = identity(&intake("Zoe", "Nunez")).expect("an identity");
        assert_eq!(a.last_sound, b.last_sound);
        assert_eq!(a.first_sound, b.first_sound);
        let c = identity(&intake("Анна", "Иванова")).expect("an identity");
        assert!(c.last_sound.is_empty(), "no English letters, no sound");
        assert_eq!(c.last, "ИВАНОВА", "still compared as written");
    }

    proptest::proptest! {
        /// Whatever a name holds, comparing it never fails (a panic here would stop the fold).
        #[test]
        fn any_name_is_compared(first in "\\PC*", last in "\\PC*", other in "\\PC*") {
            let a = identity(&intake(&first, &last));
            let b = identity(&intake(&other, &last));
            if let (Some(a), Some(b)) = (a, b) {
                let _ = compare(&a, &b);
            }
        }
    }

    #[test]
    fn swapped_day_and_month() {
        let d = |s: &str| s.parse::<Date>().expect("date");
        assert!(swapped(d("1990-04-02"), d("1990-02-04")));
        assert!(!swapped(d("1990-04-02"), d("1991-02-04")));
        assert!(!swapped(d("1990-04-04"), d("1990-04-04")));
    }
}
