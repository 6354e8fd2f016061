//! Client search: name parts, date of birth, SSN last four, HMIS id.

use std::collections::BTreeSet;

use rustc_hash::FxHashMap as HashMap;

use caseledger_core::events::ClientIntakeRecorded;
use caseledger_core::{ClientId, Date};

/// Inverted indexes from search keys to clients. Holds ids only; the intake lives in the store.
#[derive(Clone, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct SearchIndex {
    names: HashMap<String, BTreeSet<ClientId>>,
    dobs: HashMap<Date, BTreeSet<ClientId>>,
    ssn_last4: HashMap<String, BTreeSet<ClientId>>,
}

/// What a user typed into Find Client. Every given part must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientQuery {
    /// Name words (first, middle, last or suffix), case-insensitive, each a whole word.
    pub name: Vec<String>,
    /// Date of birth.
    pub dob: Option<Date>,
    /// Last four digits of the SSN.
    pub ssn_last4: Option<String>,
    /// The HMIS id (client id).
    pub client_id: Option<ClientId>,
}

/// Lower-cased name words of an intake.
fn name_words(intake: &ClientIntakeRecorded) -> Vec<String> {
    let Some(name) = intake.name.as_clear() else {
        return Vec::new();
    };
    [&name.first, &name.middle, &name.last, &name.suffix]
        .iter()
        .flat_map(|part| part.split_whitespace())
        .map(str::to_lowercase)
        .collect()
}

fn last4(intake: &ClientIntakeRecorded) -> Option<String> {
    let ssn = intake.ssn.as_clear()?;
    let digits: String = ssn.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 4).then(|| digits[digits.len() - 4..].to_string())
}

impl SearchIndex {
    /// Adds an intake's keys.
    pub fn index(&mut self, intake: &ClientIntakeRecorded) {
        let id = intake.client_id;
        for word in name_words(intake) {
            self.names.entry(word).or_default().insert(id);
        }
        if let Some(Some(dob)) = intake.dob.as_clear() {
            self.dobs.entry(*dob).or_default().insert(id);
        }
        if let Some(l4) = last4(intake) {
            self.ssn_last4.entry(l4).or_default().insert(id);
        }
    }

    /// Removes an intake's keys (before an edit re-indexes it).
    pub fn remove(&mut self, intake: &ClientIntakeRecorded) {
        let id = intake.client_id;
        for word in name_words(intake) {
            remove_from(&mut self.names, &word, id);
        }
        if let Some(Some(dob)) = intake.dob.as_clear() {
            remove_from(&mut self.dobs, dob, id);
        }
        if let Some(l4) = last4(intake) {
            remove_from(&mut self.ssn_last4, &l4, id);
        }
    }

    /// Clients matching every part of the query, in id order; `None` when the query has no
    /// part (the caller decides what an empty search lists).
    pub fn matching(&self, query: &ClientQuery) -> Option<BTreeSet<ClientId>> {
        let mut sets: Vec<BTreeSet<ClientId>> = Vec::new();
        if let Some(id) = query.client_id {
            sets.push(BTreeSet::from([id]));
        }
        for word in &query.name {
            sets.push(
                self.names
                    .get(&word.to_lowercase())
                    .cloned()
                    .unwrap_or_default(),
            );
        }
        if let Some(dob) = query.dob {
            sets.push(self.dobs.get(&dob).cloned().unwrap_or_default());
        }
        if let Some(l4) = &query.ssn_last4 {
            sets.push(self.ssn_last4.get(l4).cloned().unwrap_or_default());
        }
        let mut sets = sets.into_iter();
        let first = sets.next()?;
        Some(sets.fold(first, |acc, s| acc.intersection(&s).copied().collect()))
    }
}

fn remove_from<K: std::hash::Hash + Eq + ?Sized + ToOwned>(
    map: &mut HashMap<K::Owned, BTreeSet<ClientId>>,
    key: &K,
    id: ClientId,
) where
    K::Owned: std::hash::Hash + Eq + std::borrow::Borrow<K>,
{
    if let Some(set) = map.get_mut(key) {
        set.remove(&id);
        if set.is_empty() {
            map.remove(key);
        }
    }
}
