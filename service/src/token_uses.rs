//! When each of our own bearer tokens last opened a session.
//!
//! Not a fact of the log (it would be one append per request, and a rejected command would then
//! write something): kept in memory and in `DATA/token-use.json`, saved every half minute and
//! at shutdown, so a crash forgets at most the last half minute of it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use caseledger_core::{Timestamp, TokenId};

/// File name of the last-used times, in the data directory.
const USES_FILE: &str = "token-use.json";

/// When each token last opened a session, kept beside the log.
pub(crate) struct TokenUses {
    path: PathBuf,
    last: Mutex<HashMap<TokenId, Timestamp>>,
    unsaved: AtomicBool,
}

impl TokenUses {
    /// What `data_dir` remembers; an unreadable file is logged and forgotten (nothing but
    /// the "last used" column depends on it).
    pub(crate) fn load(data_dir: &Path) -> Self {
        let path = data_dir.join(USES_FILE);
        let last = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice::<HashMap<String, i64>>(&bytes)
                .map(|m| {
                    m.into_iter()
                        .filter_map(|(id, micros)| {
                            Some((id.parse().ok()?, Timestamp::from_micros(micros)?))
                        })
                        .collect()
                })
                .unwrap_or_else(|e| {
                    tracing::warn!(path = %path.display(), error = %e, "token last-used times unreadable; starting afresh");
                    HashMap::new()
                }),
            Err(_) => HashMap::new(),
        };
        TokenUses {
            path,
            last: Mutex::new(last),
            unsaved: AtomicBool::new(false),
        }
    }

    pub(crate) fn touch(&self, token: TokenId, at: Timestamp) {
        self.last.lock().expect("token uses lock").insert(token, at);
        self.unsaved.store(true, Ordering::Relaxed);
    }

    pub(crate) fn get(&self, token: TokenId) -> Option<Timestamp> {
        self.last
            .lock()
            .expect("token uses lock")
            .get(&token)
            .copied()
    }

    /// Writes the file when something changed since the last save (to a temporary file
    /// renamed over the old one, so a crash leaves one or the other whole).
    pub(crate) fn save(&self) {
        if !self.unsaved.swap(false, Ordering::Relaxed) {
            return;
        }
        let map: HashMap<String, i64> = self
            .last
            .lock()
            .expect("token uses lock")
            .iter()
            .map(|(id, at)| (id.to_string(), at.as_micros()))
            .collect();
        let temporary = self.path.with_extension("json.tmp");
        let written = serde_json::to_vec(&map)
            .map_err(std::io::Error::other)
            .and_then(|bytes| {
                use std::io::Write;
                let mut file = caseledger_log_store::private::create_file(&temporary)?;
                file.write_all(&bytes)?;
                file.sync_data()
            })
            .and_then(|()| std::fs::rename(&temporary, &self.path));
        if let Err(e) = written {
            self.unsaved.store(true, Ordering::Relaxed);
            tracing::warn!(path = %self.path.display(), error = %e, "token last-used times not saved");
        }
    }
}
