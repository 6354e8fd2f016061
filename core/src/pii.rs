//! The one wrapper around personally identifying information in events.
//!
//! HUD's HMIS standards require personal identifiers to be removed seven years after they
//! last changed, but the log is immutable. The plan is crypto-shredding: seal every
//! identifying value with a per-client key, and destroy the key when the data must go.
//! That only works if every identifying value in every event sits inside one type whose
//! encoding can grow a sealed form. `Pii<T>` is that type.
//!
//! Today it has a single variant, `Clear`. A later release adds `Sealed(..)` (and perhaps
//! `Erased`) *after* it; bincode encodes the variant index first, so every byte already in
//! the log keeps decoding as `Clear`, and no other struct in the format changes.
//!
//! Rules for payload authors:
//! - Names, SSN, date of birth, addresses, contact details, and any free text about a
//!   client (notes, descriptions, document names, reasons) go inside `Pii`.
//! - Wrap the whole field including its absence (`Pii<Option<Date>>`, or an empty string),
//!   not `Option<Pii<..>>`: once sealed, whether a client has a date of birth on file is
//!   itself hidden.
//! - Every event carrying a `Pii` field also names the [`ClientId`](crate::ClientId) whose
//!   key will seal it.
//! - Demographics used in de-identified reporting (race, sex, veteran status) stay outside
//!   `Pii` on purpose: they must survive shredding.
//!
//! The enum is `#[non_exhaustive]` so that other crates already handle a value they cannot
//! read (use [`Pii::as_clear`]), and its `Debug` never prints the value, so a stray `{:?}`
//! in a log line cannot leak it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A personally identifying value, clear today, sealable later (see the module docs).
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Pii<T> {
    /// The value in the clear.
    Clear(T),
}

impl<T> Pii<T> {
    /// Wraps a clear value.
    pub const fn new(value: T) -> Self {
        Pii::Clear(value)
    }

    /// The clear value, or `None` if this value is not readable (sealed or erased, in
    /// later versions).
    pub fn as_clear(&self) -> Option<&T> {
        match self {
            Pii::Clear(value) => Some(value),
        }
    }

    /// Consumes the wrapper, returning the clear value if readable.
    pub fn into_clear(self) -> Option<T> {
        match self {
            Pii::Clear(value) => Some(value),
        }
    }

    /// Transforms the clear value, keeping the wrapper.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Pii<U> {
        match self {
            Pii::Clear(value) => Pii::Clear(f(value)),
        }
    }
}

impl<T: Default> Default for Pii<T> {
    fn default() -> Self {
        Pii::Clear(T::default())
    }
}

impl<T> From<T> for Pii<T> {
    fn from(value: T) -> Self {
        Pii::Clear(value)
    }
}

impl<T> fmt::Debug for Pii<T> {
    /// Always `Pii(<redacted>)`: the value never reaches debug output.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pii(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let ssn = Pii::new("123-45-6789".to_owned());
        let shown = format!("{ssn:?} {:#?}", Some(&ssn));
        assert!(!shown.contains("6789"), "{shown}");
        assert!(shown.contains("Pii(<redacted>)"));
    }

    #[test]
    fn accessors() {
        let name = Pii::new(String::from("Ana"));
        assert_eq!(name.as_clear().map(String::as_str), Some("Ana"));
        assert_eq!(name.clone().map(|s| s.len()).into_clear(), Some(3));
        assert_eq!(Pii::<String>::default().into_clear(), Some(String::new()));
    }

    #[test]
    fn clear_is_variant_zero_then_value() {
        let bytes =
            bincode::serde::encode_to_vec(Pii::new(7u8), bincode::config::standard()).unwrap();
        assert_eq!(bytes, vec![0, 7]);
    }
}
