//! Folding a long stretch of the log (start-up, rebuilds) on two cores: one thread decodes
//! batches of stored events while the caller's thread folds the previous batch.

use caseledger_core::{DecodeError, Envelope, decode_with_event_bytes};

use crate::Projections;

/// A batch of stored events: (log position, envelope bytes).
pub type EncodedBatch = Vec<(u64, Vec<u8>)>;

/// Why a replay stopped.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError<E: std::error::Error + 'static> {
    /// A stored event could not be decoded.
    #[error("event at position {position} cannot be decoded: {source}")]
    Decode {
        /// Where.
        position: u64,
        /// What was wrong.
        source: DecodeError,
    },
    /// The source of batches failed.
    #[error(transparent)]
    Source(E),
}

impl Projections {
    /// Folds every batch `source` yields, in order. Decoding runs on a second thread, one batch
    /// ahead of folding; `progress` is called with the last position folded after each batch.
    pub fn fold_encoded<E, S>(
        &mut self,
        source: S,
        progress: &mut dyn FnMut(u64),
    ) -> Result<(), ReplayError<E>>
    where
        E: std::error::Error + Send + 'static,
        S: Iterator<Item = Result<EncodedBatch, E>> + Send,
    {
        let keys = self.store.keys.0.clone();
        let keeps = self.keeps_events();
        std::thread::scope(|scope| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<
                Result<Vec<(u64, Envelope, Option<Vec<u8>>)>, ReplayError<E>>,
            >(2);
            scope.spawn(move || {
                for batch in source {
                    let decoded = batch.map_err(ReplayError::Source).and_then(|batch| {
                        batch
                            .into_iter()
                            .map(|(position, bytes)| {
                                let decode = || {
                                    if keeps {
                                        decode_with_event_bytes(&bytes)
                                            .map(|(e, compact)| (e, Some(compact)))
                                    } else {
                                        caseledger_core::decode(&bytes).map(|e| (e, None))
                                    }
                                };
                                let opens = caseledger_core::decode_prefix(&bytes)
                                    .is_ok_and(|(t, _)| crate::folds_identifiers(t));
                                match &keys {
                                    Some(keys) if opens => {
                                        caseledger_core::pii::opening(keys, decode)
                                    }
                                    _ => decode(),
                                }
                                .map(|(e, compact)| (position, e, compact))
                                .map_err(|source| ReplayError::Decode { position, source })
                            })
                            .collect()
                    });
                    let failed = decoded.is_err();
                    if tx.send(decoded).is_err() || failed {
                        return;
                    }
                }
            });
            for decoded in rx {
                let decoded = decoded?;
                let last = decoded.last().map(|d| d.0);
                for (position, envelope, compact) in decoded {
                    let header = envelope.header();
                    self.apply_owned(position, &header, envelope.event, compact);
                }
                if let Some(last) = last {
                    progress(last);
                }
            }
            Ok(())
        })
    }
}
