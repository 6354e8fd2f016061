//! Sealing and opening identifying values while events are encoded and decoded.
//!
//! [`Pii`](super::Pii)'s own `Serialize` and `Deserialize` consult the mode set here for the
//! current thread, so every identifying field of every event is sealed by the one encoder —
//! a new field cannot be forgotten by a hand-written walker, because there is none:
//!
//! - [`sealing`]: the event's clear values are sealed together under its client's data key, one
//!   authenticated encryption per event (the first value carries the sealed bytes of all, the
//!   others are marks in their place), so an intake with seven identifying fields costs one
//!   open on replay and one nonce and tag on disk;
//! - [`opening`]: sealed values are read back clear, or as erased when the client's key is
//!   gone (forgotten);
//! - [`erasing`] and [`erased_copy`]: every identifying value written as erased.
//!
//! Outside these, values are written and read as they are (golden fixtures, tests, tools that
//! never need the clear text).
//!
//! Whose key seals an event is its [`KeyOwner`]: the client the event is about, or — for a
//! disclosure record, which may name several clients or none — the record's own key (see
//! [`KeyOwner::Disclosure`]). The owner is part of the stored form (a client-sealed value is
//! `Pii` variant 1, a disclosure-sealed one variant 4), so a value is never looked up under the
//! wrong kind of key whatever the ids.

use std::cell::RefCell;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::crypto::{NONCE_LEN, SecretKey, value_nonce};
use crate::ids::{ClientId, EventId};

/// Whose key seals an event's identifying values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyOwner {
    /// The client's data key: everything recorded about one client.
    Client(ClientId),
    /// A disclosure record's own key, named by the record's event id: the reason a user stated
    /// for looking (which can name people — "caller Jane Doe about her son"). A disclosure may
    /// name several clients or none, so no one client's key fits; its own key is destroyed when
    /// any client it names is forgotten, and by the retention rule.
    Disclosure(EventId),
}

impl KeyOwner {
    /// The raw id stored in the sealed value (a client id or an event id).
    pub const fn as_u128(self) -> u128 {
        match self {
            KeyOwner::Client(c) => c.as_u128(),
            KeyOwner::Disclosure(e) => e.as_u128(),
        }
    }

    /// The associated data the values are sealed bound to: the client id alone (the format
    /// since sealing existed), or a label and the event id, so a value cannot be moved to
    /// another owner.
    fn aad(self) -> Vec<u8> {
        match self {
            KeyOwner::Client(c) => c.as_u128().to_be_bytes().to_vec(),
            KeyOwner::Disclosure(e) => {
                let mut aad = b"caseledger disclosure\0".to_vec();
                aad.extend_from_slice(&e.as_u128().to_be_bytes());
                aad
            }
        }
    }
}

impl From<ClientId> for KeyOwner {
    fn from(client: ClientId) -> Self {
        KeyOwner::Client(client)
    }
}

impl std::fmt::Display for KeyOwner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyOwner::Client(c) => write!(f, "client {c}"),
            KeyOwner::Disclosure(e) => write!(f, "disclosure {e}"),
        }
    }
}

/// The identifying values of one event, sealed together under its owner's key: the in-memory
/// form of [`Pii::Sealed`](super::Pii::Sealed), carried by the event's first value.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Sealed {
    /// Whose key sealed it (also authenticated: it cannot be moved to another owner).
    pub owner: KeyOwner,
    /// The nonce it was sealed with.
    pub nonce: [u8; NONCE_LEN],
    /// The bincode encodings of the event's values in field order, sealed, with the tag.
    pub ciphertext: Vec<u8>,
}

/// The stored form of [`Sealed`] (the owner's kind is the `Pii` variant around it).
#[derive(Serialize, Deserialize)]
pub(super) struct StoredSealed {
    /// The owner's raw id.
    pub(super) id: u128,
    pub(super) nonce: [u8; NONCE_LEN],
    /// Bytes, not a sequence of `u8`: bincode writes both alike, and bytes decode at once.
    #[serde(with = "serde_bytes")]
    pub(super) ciphertext: Vec<u8>,
}

impl Sealed {
    /// The stored form, and whether the owner is a disclosure.
    pub(super) fn stored(&self) -> (StoredSealed, bool) {
        (
            StoredSealed {
                id: self.owner.as_u128(),
                nonce: self.nonce,
                ciphertext: self.ciphertext.clone(),
            },
            matches!(self.owner, KeyOwner::Disclosure(_)),
        )
    }

    /// Back from the stored form.
    pub(super) fn from_stored(stored: StoredSealed, disclosure: bool) -> Self {
        Sealed {
            owner: if disclosure {
                KeyOwner::Disclosure(EventId::new(stored.id))
            } else {
                KeyOwner::Client(ClientId::new(stored.id))
            },
            nonce: stored.nonce,
            ciphertext: stored.ciphertext,
        }
    }
}

impl std::fmt::Debug for Sealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Sealed({} bytes for {})",
            self.ciphertext.len(),
            self.owner
        )
    }
}

/// Where the data keys are kept (the service's key store; a map in tests).
pub trait KeyRing: Send + Sync {
    /// The key that opens values sealed for `owner`, or `None` when it was destroyed (the
    /// client's identifiers were forgotten, or the disclosure's reason retired).
    fn opening_key(&self, owner: KeyOwner) -> Option<SecretKey>;

    /// The key to seal new values for `owner`, created (durably, before it is returned) on
    /// first use.
    fn sealing_key(&self, owner: KeyOwner) -> Result<SecretKey, SealError>;
}

/// Why an identifying value could not be sealed or opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// The client's identifiers were forgotten: nothing identifying can be recorded for them
    /// again (a returning person is taken in as a new client).
    #[error("the identifiers of client {0} were forgotten")]
    Forgotten(ClientId),
    /// A disclosure record's own key was destroyed: nothing can be sealed under it again.
    #[error("the key of disclosure {0} was destroyed")]
    DisclosureKeyDestroyed(EventId),
    /// An identifying value in an event that names no key owner, so no key can seal it (a bug
    /// in the event catalog, caught by its tests).
    #[error("an identifying value in an event that names no client")]
    NoClient,
    /// An event to seal already holds sealed values (only new, clear events are sealed).
    #[error("an event to seal already holds sealed values")]
    AlreadySealed,
    /// The key store could not create or save a key.
    #[error("key store: {0}")]
    KeyStore(String),
    /// Sealed values did not open with their owner's key: the bytes were altered, or the key
    /// store belongs to another data directory.
    #[error("values sealed for {0} do not open with its key")]
    DoesNotOpen(KeyOwner),
    /// A value marked as sealed with the event's first value, with no first value before it.
    #[error("a sealed value without the event's sealed values before it")]
    Orphan,
}

enum WriteMode {
    Plain,
    /// First pass of [`sealing`]: clear values are appended to `buffer` (the output is thrown
    /// away).
    Collect {
        buffer: Vec<u8>,
        values: usize,
        /// How many of the values are not blank (see [`Blank`](super::Blank)).
        identifying: usize,
        already_sealed: bool,
    },
    /// Second pass: the first clear value writes the sealed bytes, the rest their marks.
    Emit(Option<Sealed>),
    Erase,
}

/// What the values of the event being decoded open to.
enum Pending {
    /// No sealed value read yet in this event.
    Nothing,
    /// The opened bytes and how far they were read.
    Open(Vec<u8>, usize),
    /// The key is gone.
    Gone,
}

struct OpenContext {
    keys: Arc<dyn KeyRing>,
    pending: Pending,
}

thread_local! {
    static WRITE: RefCell<WriteMode> = const { RefCell::new(WriteMode::Plain) };
    static READ: RefCell<Option<OpenContext>> = const { RefCell::new(None) };
}

/// How [`Pii`](super::Pii) writes a clear value right now.
pub(super) enum Writing {
    /// As it is.
    Plain,
    /// As erased.
    Erase,
    /// Collected (first pass of sealing): write the mark.
    Collected,
    /// As the event's sealed values.
    First(Sealed),
    /// As the mark of a value sealed with the first.
    Mark,
}

/// Decides how a clear value is written, collecting it on the first pass of sealing (`blank`:
/// it holds nothing identifying).
pub(super) fn write_clear<T: Serialize>(value: &T, blank: bool) -> Result<Writing, String> {
    let collecting = WRITE.with_borrow(|mode| matches!(mode, WriteMode::Collect { .. }));
    // Encoded outside the borrow: a value's own encoding never holds Pii, but stays re-entrant.
    let encoded = if collecting {
        Some(
            bincode::serde::encode_to_vec(value, bincode::config::standard())
                .map_err(|e| e.to_string())?,
        )
    } else {
        None
    };
    Ok(WRITE.with_borrow_mut(|mode| match mode {
        WriteMode::Plain => Writing::Plain,
        WriteMode::Erase => Writing::Erase,
        WriteMode::Collect {
            buffer,
            values,
            identifying,
            ..
        } => {
            buffer.extend_from_slice(&encoded.unwrap_or_default());
            *values += 1;
            *identifying += usize::from(!blank);
            Writing::Collected
        }
        WriteMode::Emit(first) => first.take().map_or(Writing::Mark, Writing::First),
    }))
}

/// Whether sealed values are written as erased right now; notes them when collecting, where
/// they make the event unsealable.
pub(super) fn write_unreadable() -> bool {
    WRITE.with_borrow_mut(|mode| match mode {
        WriteMode::Erase => true,
        WriteMode::Collect { already_sealed, .. } => {
            *already_sealed = true;
            false
        }
        _ => false,
    })
}

/// Restores the previous write mode when dropped (also when `f` panics).
struct RestoreWrite(Option<WriteMode>);

impl Drop for RestoreWrite {
    fn drop(&mut self) {
        if let Some(previous) = self.0.take() {
            WRITE.set(previous);
        }
    }
}

fn with_write_mode<R>(mode: WriteMode, f: impl FnOnce() -> R) -> (R, WriteMode) {
    let mut restore = RestoreWrite(Some(WRITE.replace(mode)));
    let out = f();
    let used = WRITE.replace(restore.0.take().expect("previous mode kept until now"));
    (out, used)
}

/// Runs `f` (which encodes one event) with the event's clear identifying values sealed together
/// under the key of `owner`, the nonce derived from `event_id`. `f` runs twice: once to
/// collect the values, once to write them sealed. When the values cannot be sealed the reason
/// is returned; `f`'s own result otherwise.
///
/// For a forgotten client (no key any more) an event whose identifying values are all blank
/// is written with them erased: there is nothing to seal, and an exit or a service must not
/// become impossible because its optional text is empty. One that holds anything is refused
/// ([`SealError::Forgotten`]).
pub fn sealing<R, E>(
    keys: &Arc<dyn KeyRing>,
    owner: Option<KeyOwner>,
    event_id: u128,
    f: impl Fn() -> Result<R, E>,
) -> Result<Result<R, E>, SealError> {
    let collect = WriteMode::Collect {
        buffer: Vec::new(),
        values: 0,
        identifying: 0,
        already_sealed: false,
    };
    let (out, used) = with_write_mode(collect, &f);
    let WriteMode::Collect {
        buffer,
        values,
        identifying,
        already_sealed,
    } = used
    else {
        unreachable!("the mode set above")
    };
    if out.is_err() || (values == 0 && !already_sealed) {
        return Ok(out);
    }
    if already_sealed {
        return Err(SealError::AlreadySealed);
    }
    let owner = owner.ok_or(SealError::NoClient)?;
    let key = match keys.sealing_key(owner) {
        Ok(key) => key,
        Err(SealError::Forgotten(_)) if identifying == 0 => {
            return Ok(with_write_mode(WriteMode::Erase, f).0);
        }
        Err(e) => return Err(e),
    };
    let nonce = value_nonce(owner.as_u128(), event_id, 0);
    let sealed = Sealed {
        owner,
        nonce,
        ciphertext: key.seal(&nonce, &owner.aad(), &buffer),
    };
    Ok(with_write_mode(WriteMode::Emit(Some(sealed)), f).0)
}

/// Runs `f` (which decodes) opening sealed identifying values with the keys in `keys`; values
/// whose key was destroyed read as erased.
pub fn opening<R>(keys: &Arc<dyn KeyRing>, f: impl FnOnce() -> R) -> R {
    struct RestoreRead(Option<Option<OpenContext>>);
    impl Drop for RestoreRead {
        fn drop(&mut self) {
            if let Some(previous) = self.0.take() {
                READ.set(previous);
            }
        }
    }
    let _restore = RestoreRead(Some(READ.replace(Some(OpenContext {
        keys: keys.clone(),
        pending: Pending::Nothing,
    }))));
    f()
}

/// Runs `f` (which encodes) writing every identifying value as erased, sealed ones too.
pub fn erasing<R>(f: impl FnOnce() -> R) -> R {
    with_write_mode(WriteMode::Erase, f).0
}

/// A copy of `value` with every identifying value in it erased (sealed ones too), through its
/// own serde form, so no type needs an erase method of its own.
pub fn erased_copy<T: Serialize + DeserializeOwned>(value: &T) -> T {
    let config = bincode::config::standard();
    let bytes = erasing(|| bincode::serde::encode_to_vec(value, config));
    let bytes = bytes.expect("a value that encoded once encodes erased");
    bincode::serde::decode_from_slice(&bytes, config)
        .expect("an erased encoding decodes as the same type")
        .0
}

/// What reading a sealed value gives in the current context.
pub(super) enum Opened<T> {
    /// Opened.
    Clear(T),
    /// The key is gone.
    Erased,
    /// No [`opening`] context: keep it as stored.
    Unopened,
}

fn next_value<T: DeserializeOwned>(
    pending: &mut Pending,
    owner: Option<KeyOwner>,
) -> Result<Opened<T>, SealError> {
    match pending {
        Pending::Nothing => Err(SealError::Orphan),
        Pending::Gone => Ok(Opened::Erased),
        Pending::Open(bytes, at) => {
            let fail = || owner.map_or(SealError::Orphan, SealError::DoesNotOpen);
            let (value, read) = bincode::serde::decode_from_slice::<T, _>(
                bytes.get(*at..).ok_or_else(fail)?,
                bincode::config::standard().with_limit::<{ crate::limits::MAX_DECODE_BYTES }>(),
            )
            .map_err(|_| fail())?;
            *at += read;
            Ok(Opened::Clear(value))
        }
    }
}

/// Opens the event's sealed values (read with its first value) in the current [`opening`]
/// context, returning the first.
pub(super) fn open_first<T: DeserializeOwned>(sealed: &Sealed) -> Result<Opened<T>, SealError> {
    let keys = READ.with_borrow(|context| context.as_ref().map(|c| c.keys.clone()));
    let Some(keys) = keys else {
        return Ok(Opened::Unopened);
    };
    let pending = match keys.opening_key(sealed.owner) {
        None => Pending::Gone,
        Some(key) => Pending::Open(
            key.open(&sealed.nonce, &sealed.owner.aad(), &sealed.ciphertext)
                .ok_or(SealError::DoesNotOpen(sealed.owner))?,
            0,
        ),
    };
    READ.with_borrow_mut(|context| {
        let context = context.as_mut().expect("checked above");
        context.pending = pending;
        next_value(&mut context.pending, Some(sealed.owner))
    })
}

/// The next value sealed with the event's first, in the current [`opening`] context.
pub(super) fn open_next<T: DeserializeOwned>() -> Result<Opened<T>, SealError> {
    READ.with_borrow_mut(|context| match context {
        None => Ok(Opened::Unopened),
        Some(context) => next_value(&mut context.pending, None),
    })
}

/// A key ring in memory: for tests, fixtures and benchmarks (the service keeps its keys on
/// disk, wrapped under the master key).
#[derive(Default)]
pub struct MemoryKeyRing {
    keys: std::sync::RwLock<std::collections::HashMap<KeyOwner, Option<SecretKey>>>,
}

impl MemoryKeyRing {
    /// Destroys `owner`'s key, as forgetting (or retiring a disclosure's reason) does.
    pub fn destroy(&self, owner: impl Into<KeyOwner>) {
        self.keys
            .write()
            .expect("key ring lock")
            .insert(owner.into(), None);
    }
}

impl KeyRing for MemoryKeyRing {
    fn opening_key(&self, owner: KeyOwner) -> Option<SecretKey> {
        self.keys
            .read()
            .expect("key ring lock")
            .get(&owner)
            .cloned()
            .flatten()
    }

    /// Keys are derived from the owner, so a test ring is reproducible (a client's key from
    /// its id alone, as before disclosure keys existed, so sealed fixtures keep their bytes).
    fn sealing_key(&self, owner: KeyOwner) -> Result<SecretKey, SealError> {
        let mut keys = self.keys.write().expect("key ring lock");
        let label = match owner {
            KeyOwner::Client(c) => c.to_string(),
            KeyOwner::Disclosure(e) => format!("disclosure {e}"),
        };
        match keys
            .entry(owner)
            .or_insert_with(|| Some(SecretKey::from_bytes([0x42; 32]).derive(&label)))
        {
            Some(key) => Ok(key.clone()),
            None => Err(match owner {
                KeyOwner::Client(c) => SealError::Forgotten(c),
                KeyOwner::Disclosure(e) => SealError::DisclosureKeyDestroyed(e),
            }),
        }
    }
}
