//! The one wrapper around personally identifying information in events.
//!
//! HUD's HMIS standards require personal identifiers to be removed seven years after they
//! last changed, but the log is immutable. The plan is crypto-shredding: seal every
//! identifying value with a per-client key, and destroy the key when the data must go.
//! That only works if every identifying value in every event sits inside one type whose
//! encoding can grow a sealed form. `Pii<T>` is that type.
//!
//! Values are written sealed ([`Pii::Sealed`], see [`seal`]) under a per-client data key;
//! destroying the key leaves them unreadable forever, and they read as [`Pii::Erased`]. Bytes
//! written before sealing existed (and the golden fixtures) hold [`Pii::Clear`], variant 0;
//! bincode encodes the variant index first, so no other struct in the format changed.
//!
//! Rules for payload authors:
//! - Names, SSN, date of birth, addresses, contact details, and any free text about a
//!   client (notes, descriptions, document names, reasons) go inside `Pii`.
//! - Wrap the whole field including its absence (`Pii<Option<Date>>`, or an empty string),
//!   not `Option<Pii<..>>`: once sealed, whether a client has a date of birth on file is
//!   itself hidden.
//! - Every event carrying a `Pii` field also names the [`ClientId`](crate::ClientId) whose
//!   key will seal it ([`Event::client`](crate::Event::client)).
//! - Demographics used in de-identified reporting (race, sex, veteran status) stay outside
//!   `Pii` on purpose: they must survive shredding.
//!
//! The enum is `#[non_exhaustive]` so that other crates handle a value they cannot read (use
//! [`Pii::as_clear`]), and its `Debug` never prints the value, so a stray `{:?}` in a log line
//! cannot leak it.

pub mod crypto;
pub mod seal;

use std::fmt;

use serde::de::{DeserializeOwned, Error as _};
use serde::ser::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use crypto::SecretKey;
pub use seal::{
    KeyOwner, KeyRing, MemoryKeyRing, SealError, Sealed, erased_copy, erasing, opening, sealing,
};

/// A personally identifying value: clear in memory, sealed at rest, erased once its client's
/// key is destroyed (see the module docs).
#[derive(Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Pii<T> {
    /// The value in the clear.
    Clear(T),
    /// The event's identifying values sealed together, this one first, not opened here.
    Sealed(Sealed),
    /// The value is gone: its client's identifiers were forgotten.
    Erased,
    /// The value was sealed with the event's first identifying value, not opened here.
    SealedWithFirst,
}

/// The stored form; variant order is the format. A value sealed under a client's key is
/// variant 1, one sealed under a disclosure record's own key variant 4 (added with
/// `RecordsAccessed` schema 3); both carry the owner's raw id, nonce and ciphertext.
#[derive(Deserialize)]
#[serde(rename = "Pii")]
enum Stored<T> {
    Clear(T),
    Sealed(seal::StoredSealed),
    Erased,
    SealedWithFirst,
    SealedForDisclosure(seal::StoredSealed),
}

/// Writes a sealed value in the variant that names its owner's kind.
fn serialize_sealed<S: Serializer>(s: S, sealed: &Sealed) -> Result<S::Ok, S::Error> {
    let (stored, disclosure) = sealed.stored();
    if disclosure {
        s.serialize_newtype_variant("Pii", 4, "SealedForDisclosure", &stored)
    } else {
        s.serialize_newtype_variant("Pii", 1, "Sealed", &stored)
    }
}

/// Whether an identifying value holds nothing: an empty text, an absent date or address.
///
/// Sealing still hides blank values like any other (whether a client has a date of birth on
/// file is itself identifying), but an event whose identifying values are all blank tells
/// nothing about its client, so it can still be recorded once the client was forgotten — an
/// exit without a destination text, a service without a description — with those values
/// written as erased (see [`seal::sealing`]). Every type inside `Pii` says what "nothing" is
/// for it.
pub trait Blank {
    /// `true` when the value holds nothing identifying.
    fn is_blank(&self) -> bool;
}

impl Blank for String {
    /// Empty; whitespace is kept as written, so it counts as a value.
    fn is_blank(&self) -> bool {
        self.is_empty()
    }
}

impl<T> Blank for Option<T> {
    /// Absent.
    fn is_blank(&self) -> bool {
        self.is_none()
    }
}

/// Numbers are always values (test payloads use them).
macro_rules! never_blank {
    ($($t:ty),*) => {$(
        impl Blank for $t {
            fn is_blank(&self) -> bool {
                false
            }
        }
    )*};
}
never_blank!(u8, u16, u32, u64);

impl<T: Serialize + Blank> Serialize for Pii<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let erased = |s: S| s.serialize_unit_variant("Pii", 2, "Erased");
        let mark = |s: S| s.serialize_unit_variant("Pii", 3, "SealedWithFirst");
        match self {
            Pii::Clear(value) => {
                match seal::write_clear(value, value.is_blank()).map_err(S::Error::custom)? {
                    seal::Writing::Plain => s.serialize_newtype_variant("Pii", 0, "Clear", value),
                    seal::Writing::Erase => erased(s),
                    seal::Writing::Collected | seal::Writing::Mark => mark(s),
                    seal::Writing::First(sealed) => serialize_sealed(s, &sealed),
                }
            }
            // Erased values hold nothing: an event carrying one may still be sealed.
            Pii::Erased => erased(s),
            _ if seal::write_unreadable() => erased(s),
            Pii::Sealed(sealed) => serialize_sealed(s, sealed),
            Pii::SealedWithFirst => mark(s),
        }
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Pii<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let opened = |o: Result<seal::Opened<T>, SealError>, unopened: Pii<T>| {
            Ok(match o.map_err(D::Error::custom)? {
                seal::Opened::Clear(value) => Pii::Clear(value),
                seal::Opened::Erased => Pii::Erased,
                seal::Opened::Unopened => unopened,
            })
        };
        match Stored::<T>::deserialize(d)? {
            Stored::Clear(value) => Ok(Pii::Clear(value)),
            Stored::Erased => Ok(Pii::Erased),
            Stored::Sealed(stored) => {
                let sealed = Sealed::from_stored(stored, false);
                opened(seal::open_first(&sealed), Pii::Sealed(sealed))
            }
            Stored::SealedForDisclosure(stored) => {
                let sealed = Sealed::from_stored(stored, true);
                opened(seal::open_first(&sealed), Pii::Sealed(sealed))
            }
            Stored::SealedWithFirst => opened(seal::open_next(), Pii::SealedWithFirst),
        }
    }
}

impl<T> Pii<T> {
    /// Wraps a clear value.
    pub const fn new(value: T) -> Self {
        Pii::Clear(value)
    }

    /// The clear value, or `None` if this value is not readable (sealed or erased).
    pub fn as_clear(&self) -> Option<&T> {
        match self {
            Pii::Clear(value) => Some(value),
            Pii::Sealed(_) | Pii::Erased | Pii::SealedWithFirst => None,
        }
    }

    /// Consumes the wrapper, returning the clear value if readable.
    pub fn into_clear(self) -> Option<T> {
        match self {
            Pii::Clear(value) => Some(value),
            Pii::Sealed(_) | Pii::Erased | Pii::SealedWithFirst => None,
        }
    }

    /// Whether the value was erased (its client's identifiers forgotten).
    pub fn is_erased(&self) -> bool {
        matches!(self, Pii::Erased)
    }

    /// Transforms the clear value, keeping the wrapper (a sealed value cannot be transformed
    /// unopened, so it becomes erased).
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Pii<U> {
        match self {
            Pii::Clear(value) => Pii::Clear(f(value)),
            Pii::Sealed(_) | Pii::Erased | Pii::SealedWithFirst => Pii::Erased,
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

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Note {
        client: u8,
        text: Pii<String>,
        dob: Pii<Option<u32>>,
    }

    fn note() -> Note {
        Note {
            client: 1,
            text: Pii::new("Ana Lopez sleeps at the depot".into()),
            dob: Pii::new(Some(19_800_101)),
        }
    }

    fn encode<T: Serialize>(value: &T) -> Vec<u8> {
        bincode::serde::encode_to_vec(value, bincode::config::standard()).unwrap()
    }

    fn decode<T: DeserializeOwned>(bytes: &[u8]) -> T {
        bincode::serde::decode_from_slice(bytes, bincode::config::standard())
            .unwrap()
            .0
    }

    #[test]
    fn sealed_values_hide_the_text_and_open_with_the_key_only() {
        let ring = std::sync::Arc::new(MemoryKeyRing::default());
        let keys: std::sync::Arc<dyn KeyRing> = ring.clone();
        let client = crate::ClientId::new(5);
        let owner = Some(KeyOwner::Client(client));
        let bytes = sealing(&keys, owner, 77, || Ok::<_, ()>(encode(&note())))
            .unwrap()
            .unwrap();
        assert!(!bytes.windows(3).any(|w| w == b"Ana"));
        // Sealed again from the same event: the same bytes (nonces come from the event id).
        let again = sealing(&keys, owner, 77, || Ok::<_, ()>(encode(&note())));
        assert_eq!(again.unwrap().unwrap(), bytes);

        let unopened: Note = decode(&bytes);
        assert!(matches!(unopened.text, Pii::Sealed(ref s) if s.owner == KeyOwner::Client(client)));
        assert_eq!(unopened.text.as_clear(), None);
        // Written again as it is, a sealed value keeps its bytes.
        assert_eq!(encode(&unopened), bytes);

        let opened: Note = opening(&keys, || decode(&bytes));
        assert_eq!(opened, note());

        ring.destroy(client);
        let forgotten: Note = opening(&keys, || decode(&bytes));
        assert!(forgotten.text.is_erased() && forgotten.dob.is_erased());
        assert_eq!(forgotten.client, 1);
        let refused = sealing(&keys, owner, 78, || {
            bincode::serde::encode_to_vec(note(), bincode::config::standard())
        });
        assert!(matches!(refused, Err(SealError::Forgotten(c)) if c == client));
    }

    #[test]
    fn a_forgotten_client_takes_events_whose_values_are_blank_written_erased() {
        let ring = std::sync::Arc::new(MemoryKeyRing::default());
        let keys: std::sync::Arc<dyn KeyRing> = ring.clone();
        let client = crate::ClientId::new(6);
        ring.destroy(client);
        let blank = Note {
            client: 1,
            text: Pii::new(String::new()),
            dob: Pii::new(None),
        };
        let bytes = sealing(&keys, Some(client.into()), 80, || {
            Ok::<_, ()>(encode(&blank))
        })
        .expect("nothing identifying to seal")
        .unwrap();
        let read: Note = decode(&bytes);
        assert!(read.text.is_erased() && read.dob.is_erased());
        // One value that holds anything and the event is refused, blanks beside it or not.
        let half = Note {
            dob: Pii::new(Some(19_800_101)),
            ..blank
        };
        let refused = sealing(&keys, Some(client.into()), 81, || {
            Ok::<_, ()>(encode(&half))
        });
        assert!(matches!(refused, Err(SealError::Forgotten(c)) if c == client));
        // A client with a key still has its blanks sealed: absence is hidden too.
        let live = crate::ClientId::new(7);
        let sealed = sealing(&keys, Some(live.into()), 82, || {
            Ok::<_, ()>(encode(&Note {
                client: 1,
                text: Pii::new(String::new()),
                dob: Pii::new(None),
            }))
        })
        .unwrap()
        .unwrap();
        assert!(matches!(decode::<Note>(&sealed).text, Pii::Sealed(_)));
    }

    #[test]
    fn a_value_with_no_client_is_refused_not_written_clear() {
        let keys: std::sync::Arc<dyn KeyRing> = std::sync::Arc::new(MemoryKeyRing::default());
        let out = sealing(&keys, None, 1, || {
            bincode::serde::encode_to_vec(note(), bincode::config::standard())
        });
        assert_eq!(out.err(), Some(SealError::NoClient));
    }

    #[test]
    fn a_value_moved_to_another_client_does_not_open() {
        let keys: std::sync::Arc<dyn KeyRing> = std::sync::Arc::new(MemoryKeyRing::default());
        let a = crate::ClientId::new(1);
        let b = crate::ClientId::new(2);
        let bytes = sealing(&keys, Some(a.into()), 1, || Ok::<_, ()>(encode(&note())))
            .unwrap()
            .unwrap();
        let mut moved: Note = decode(&bytes);
        if let Pii::Sealed(s) = &mut moved.text {
            s.owner = b.into();
        }
        let _ = keys.sealing_key(b.into());
        let result = opening(&keys, || {
            bincode::serde::decode_from_slice::<Note, _>(
                &encode(&moved),
                bincode::config::standard(),
            )
        });
        assert!(result.is_err());
    }

    #[test]
    fn an_event_with_erased_values_still_seals_its_clear_ones() {
        let keys: std::sync::Arc<dyn KeyRing> = std::sync::Arc::new(MemoryKeyRing::default());
        let mut value = note();
        value.dob = Pii::Erased;
        let bytes = sealing(&keys, Some(crate::ClientId::new(3).into()), 1, || {
            bincode::serde::encode_to_vec(&value, bincode::config::standard())
        })
        .expect("seals")
        .expect("encodes");
        let opened: Note = opening(&keys, || decode(&bytes));
        assert_eq!(opened.text, value.text);
        assert!(opened.dob.is_erased());
    }

    #[test]
    fn a_disclosure_key_seals_in_its_own_variant_and_is_never_taken_for_a_client_key() {
        let ring = std::sync::Arc::new(MemoryKeyRing::default());
        let keys: std::sync::Arc<dyn KeyRing> = ring.clone();
        // The same raw id as a client and as a disclosure: two different keys.
        let disclosure = KeyOwner::Disclosure(crate::EventId::new(5));
        let bytes = sealing(&keys, Some(disclosure), 9, || Ok::<_, ()>(encode(&note())))
            .unwrap()
            .unwrap();
        assert!(!bytes.windows(3).any(|w| w == b"Ana"));
        assert_eq!(bytes[1], 4, "variant 4: sealed under a disclosure's key");
        let unopened: Note = decode(&bytes);
        assert!(matches!(unopened.text, Pii::Sealed(ref s) if s.owner == disclosure));
        assert_eq!(encode(&unopened), bytes, "written back as stored");
        assert_eq!(opening(&keys, || decode::<Note>(&bytes)), note());

        // Moved onto the client with the same raw id, it does not open.
        let mut moved: Note = decode(&bytes);
        if let Pii::Sealed(s) = &mut moved.text {
            s.owner = crate::ClientId::new(5).into();
        }
        let _ = keys.sealing_key(crate::ClientId::new(5).into());
        let result = opening(&keys, || {
            bincode::serde::decode_from_slice::<Note, _>(
                &encode(&moved),
                bincode::config::standard(),
            )
        });
        assert!(result.is_err());

        // Destroying the client's key leaves the disclosure's; destroying the disclosure's
        // erases the values.
        ring.destroy(crate::ClientId::new(5));
        assert_eq!(opening(&keys, || decode::<Note>(&bytes)), note());
        ring.destroy(disclosure);
        let gone: Note = opening(&keys, || decode(&bytes));
        assert!(gone.text.is_erased() && gone.dob.is_erased());
    }

    #[test]
    fn erased_copy_erases_clear_and_sealed_values_and_keeps_the_rest() {
        let erased = erased_copy(&note());
        assert_eq!(erased.client, 1);
        assert!(erased.text.is_erased() && erased.dob.is_erased());
        assert!(!encode(&erased).windows(3).any(|w| w == b"Ana"));
    }
}
