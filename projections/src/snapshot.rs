//! Snapshots of the read models: bytes that restore the projections at a log position, so a
//! restart replays only what came after. The bytes are produced and parsed here; where they are
//! stored is the service's business.
//!
//! Layout: `CLSNAP14` ‖ position (u64 BE) ‖ bincode (standard config) of the store. Events
//! inside are in the event encoding of `caseledger_core::encode_event` (as the store keeps
//! them), so they upcast like events in the log. A snapshot is a cache: any change of layout
//! gets a new magic, and a snapshot that does not parse is ignored and rebuilt from the log.

use caseledger_core::Date;

use crate::Projections;
use crate::store::Store;

const MAGIC: &[u8; 8] = b"CLSNAP14";

/// Why snapshot bytes could not be made or read.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// The bytes are not a snapshot of this layout.
    #[error("not a caseledger snapshot of this version")]
    Format,
    /// The body could not be encoded or decoded.
    #[error("snapshot body: {0}")]
    Body(String),
}

impl Projections {
    /// The read models as bytes, with the position they reflect.
    pub fn snapshot(&self) -> Result<Vec<u8>, SnapshotError> {
        let mut out = Vec::with_capacity(1 << 20);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.position.to_be_bytes());
        bincode::serde::encode_into_std_write(&self.store, &mut out, bincode::config::standard())
            .map_err(|e| SnapshotError::Body(e.to_string()))?;
        Ok(out)
    }

    /// Restores read models from [`Projections::snapshot`] bytes, evaluated on `today`.
    pub fn from_snapshot(bytes: &[u8], today: Date) -> Result<Self, SnapshotError> {
        let rest = bytes.strip_prefix(MAGIC).ok_or(SnapshotError::Format)?;
        let (position, body) = rest.split_first_chunk::<8>().ok_or(SnapshotError::Format)?;
        let (store, read): (Store, usize) =
            bincode::serde::decode_from_slice(body, bincode::config::standard())
                .map_err(|e| SnapshotError::Body(e.to_string()))?;
        if read != body.len() {
            return Err(SnapshotError::Body("trailing bytes".into()));
        }
        Ok(Projections {
            store,
            position: u64::from_be_bytes(*position),
            today,
        })
    }
}

impl Projections {
    /// The bytes each part of the read models takes in a snapshot, largest first: where the
    /// memory and the start-up time go (the benchmarks report it).
    pub fn footprint(&self) -> Vec<(&'static str, usize)> {
        fn size<T: serde::Serialize>(value: &T) -> usize {
            bincode::serde::encode_to_vec(value, bincode::config::standard())
                .map_or(0, |bytes| bytes.len())
        }
        let s = &self.store;
        let transactions: usize = s.transactions.values().map(size).sum();
        let transaction_events: usize = s.transactions.values().map(|t| size(&t.events)).sum();
        let mut parts = vec![
            ("clients", size(&s.clients)),
            ("transactions: event positions", transaction_events),
            ("events kept in memory", size(&s.records)),
            ("transactions: facts", transactions - transaction_events),
            ("search", size(&s.search)),
            ("audit index", size(&s.audit)),
            ("HUD elements", size(&s.elements)),
            ("shelter", size(&s.shelter)),
            ("accounts", size(&s.accounts)),
            (
                "catalog and households",
                size(&s.catalog) + size(&s.households),
            ),
            ("record requests", size(&s.requests)),
            ("source ids", size(&s.sources)),
            ("duplicates", size(&s.duplicates)),
            (
                "audiences",
                size(&s.clients_by_creator)
                    + size(&s.global_clients)
                    + size(&s.clients_by_mou)
                    + size(&s.clients_by_release_to)
                    + size(&s.enrolled_by_org)
                    + size(&s.restricted_to_user),
            ),
        ];
        parts.sort_by_key(|part| std::cmp::Reverse(part.1));
        parts
    }
}
