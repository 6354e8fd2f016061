//! Events kept as bytes ([`Compact`]) and the key ring views open them with ([`Keys`]).

use caseledger_core::Event;
use serde::{Deserialize, Serialize};

/// The key ring the views open identifying values with (none: sealed values stay sealed).
#[derive(Clone, Default)]
pub struct Keys(pub(crate) Option<std::sync::Arc<dyn caseledger_core::KeyRing>>);

/// An event kept in its compact byte encoding (`caseledger_core::encode_event`): a record's
/// events are read rarely and one at a time, while an `Event` value is as large as the largest
/// variant, so bytes keep the store several times smaller.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Compact(pub(crate) Box<[u8]>);

impl Compact {
    pub fn new(event: &Event) -> Self {
        Compact(
            caseledger_core::encode_event(event)
                .expect("an event in memory always encodes")
                .into_boxed_slice(),
        )
    }

    /// The event, its identifying values opened with `keys` (erased where the key is gone).
    /// The bytes were cut from a stored event or encoded by this process, so they decode.
    pub fn event(&self, keys: &Keys) -> Event {
        let decode = || caseledger_core::decode_event(&self.0);
        match &keys.0 {
            Some(keys) => caseledger_core::pii::opening(keys, decode),
            None => decode(),
        }
        .expect("compact event bytes decode")
    }

    /// The same event with every identifying value erased, sealed ones included (forgetting).
    pub(crate) fn erase(&mut self) {
        let event = caseledger_core::decode_event(&self.0).expect("compact event bytes decode");
        *self = Compact::new(&event.erased());
    }
}
